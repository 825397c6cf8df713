"""Build an *atlas folder* from Bogotá's official layers: what ``python -m geo atlas`` does.

An atlas folder is what ``CARE_ATLAS_DATA_DIR`` points at: a ``layers.toml`` registry in
the format of the bundled ``data/layers.toml`` and the files it lists:

``services.geojson``
    Every usable SDIS / SDMujer service point in the project's vocabulary
    (:mod:`geo.io.atlas.services`), kind ``service``.
``care_blocks.geojson``
    The bundled care blocks, moved to their anchor facility where the official layer
    holds it (stated precision raised only there).
``proposed_sites.geojson``
    Sites proposed by a CEPAL study (kind ``proposal``, not official).
``localidades.geojson``, ``upz.geojson``
    Official boundaries (kind ``boundary``) with their 2024 population.
``demand.parquet``
    The dasymetric demand grid (kind ``demand``, :mod:`geo.io.atlas.population`), with
    its model written into the registry entry.
``networks/malla_vial.npz``
    The prepared walking network with the polygons where streets are missing
    (:mod:`geo.io.atlas.streets`); found by ``geo.settings`` in ``<data>/networks/``.
``address/``
    The offline address index (:mod:`geo.io.atlas.addresses`, :mod:`geo.address`), when
    the house-number points are in the folder.
``basemap.pmtiles``
    The offline basemap (:mod:`geo.io.atlas.basemap`): blocks, water, streets with their
    names, localidad and UPZ borders and names, as vector tiles; registered in the
    ``[dataset.basemap]`` table (file, SHA-256, zooms, attribution) that ``ui/`` reads.
``report.json``, ``report.md``
    Counts, warnings, vintages, and the fingerprint of the inputs.

The project's own regional layers (cooperatives, training, national systems, countries,
care buses, home care) are copied from the bundled sample so every page has what it
shows on the sample.

The build is atomic and idempotent: it is written into a temporary folder beside the
target and swapped in only once complete (a failed import leaves the previous atlas, or
nothing, never half an atlas); a second run on the same inputs with the same code finds
the fingerprint in ``report.json`` and does nothing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import tomli_w
from shapely.geometry import mapping

from geo import catalog
from geo.demand import CELL_M
from geo.errors import LayerError
from geo.io.atlas import sources
from geo.layers import (
    REGISTRY_FILE,
    ColumnType,
    LayerSpec,
    load_layer,
    load_registry,
    plain_value,
)
from geo.network import save_network
from geo.settings import PROJECT_DIR

log = logging.getLogger(__name__)

ATLAS_VERSION = 2
"""Bump when the importer's output changes, so older atlases are rebuilt."""

YEAR = 2024
GRID_CRS = "EPSG:32618"
NETWORK_FILE = "networks/malla_vial.npz"
BASEMAP_FILE = "basemap.pmtiles"
COPIED_LAYERS = (
    "care_bus_stops",
    "home_care",
    "cooperatives",
    "training_offer",
    "national_systems",
    "countries",
)
"""Bundled layers copied as they are: the project's own compilations, not official layers."""

ATTRIBUTION = {
    "ideca": "IDECA / Alcaldía Mayor de Bogotá, Datos Abiertos Bogotá (CC BY 4.0)",
    "population": "SDP – DANE, proyecciones CNPV 2018",
    "services": "SDIS / Secretaría Distrital de la Mujer (about 2020)",
    "water": "water: EAAB",
}

Progress = Callable[[int, int, str], None]


@dataclass
class AtlasReport:
    """What an import did: counts, warnings, vintages, timings."""

    source: str
    fingerprint: str
    counts: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    vintages: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    unused: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready record."""
        return {
            "atlas_version": ATLAS_VERSION,
            "source": self.source,
            "fingerprint": self.fingerprint,
            "counts": self.counts,
            "warnings": self.warnings,
            "vintages": self.vintages,
            "seconds": self.seconds,
            "unused": self.unused,
        }

    def markdown(self) -> str:
        """A short human-readable report."""
        lines = [f"# Atlas import report (importer version {ATLAS_VERSION})", ""]
        lines += ["## Counts", ""]
        lines += [f"- {key}: {_plain(value)}" for key, value in self.counts.items()]
        lines += ["", "## Vintages and sources", ""]
        lines += [f"- {key}: {value}" for key, value in self.vintages.items()]
        lines += ["", "## Warnings", ""]
        lines += [f"- {w}" for w in self.warnings] or ["- none"]
        if self.unused:
            lines += ["", "## Files found but not used", ""]
            lines += [f"- {name}" for name in self.unused]
        lines += ["", "## Time (s)", ""]
        lines += [f"- {key}: {value:.1f}" for key, value in self.seconds.items()]
        return "\n".join(lines) + "\n"


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int) and 1900 <= value <= 2100:
        return str(value)  # a year
    if isinstance(value, float):
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)


# --------------------------------------------------------------------------- writing


def column_types(frame: pd.DataFrame) -> dict[str, ColumnType]:
    """Registry column types (``str``, ``int``, ``float``, ``bool``; nullable) of a frame."""
    out: dict[str, ColumnType] = {}
    for name in frame.columns:
        if name == getattr(frame, "geometry", pd.Series()).name:
            continue
        series = frame[name]
        nullable = bool(series.isna().any())
        if pd.api.types.is_bool_dtype(series):
            kind = "bool"
        elif pd.api.types.is_integer_dtype(series):
            kind = "int"
        elif pd.api.types.is_float_dtype(series):
            kind = "float"
        else:
            kind = "str"
        out[str(name)] = ColumnType(kind, nullable)
    return out


def write_geojson(frame: gpd.GeoDataFrame, path: Path, *, decimals: int = 6) -> None:
    """Write an RFC 7946 FeatureCollection (EPSG:4326), one feature per line."""
    frame = frame.to_crs("EPSG:4326")
    geometries = frame.geometry.set_precision(10.0**-decimals)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    lines = []
    for row, geom in zip(frame[columns].itertuples(index=False), geometries, strict=True):
        props = {col: plain_value(val) for col, val in zip(columns, row, strict=True)}
        feature = {"type": "Feature", "properties": props, "geometry": mapping(geom)}
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":")))
    path.write_text(
        '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n",
        encoding="utf-8",
    )


# --------------------------------------------------------------------------- fingerprint


def fingerprint(inv: sources.Inventory) -> str:
    """SHA-256 of the importer version and the content of every recognised input file."""
    digest = hashlib.sha256(f"care-atlas-atlas|{ATLAS_VERSION}".encode())
    paths = sorted({item.path for items in inv.found.values() for item in items})
    for path in paths:
        digest.update(str(path.relative_to(inv.source)).encode())
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def is_current(out: Path, print_: str) -> bool:
    """Whether ``out`` holds a complete atlas built from inputs with this fingerprint."""
    try:
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return report.get("fingerprint") == print_ and (out / REGISTRY_FILE).is_file()


# --------------------------------------------------------------------------- build


def build_atlas(
    source: Path | str,
    out: Path | str,
    *,
    force: bool = False,
    progress: Progress | None = None,
    sample_dir: Path | None = None,
) -> AtlasReport:
    """Import the official layers in ``source`` into the atlas folder ``out``.

    Parameters
    ----------
    source
        Folder holding the official layers as downloaded (any names, any sub-folders).
    out
        The atlas folder to write (replaced atomically when the build succeeds).
    force
        Rebuild even when ``out`` was built from the same inputs.
    progress
        Called as ``progress(step, steps, message)`` before each step.
    sample_dir
        Bundled data folder to copy the regional layers and care blocks from (default
        the project's ``data/``).

    Returns
    -------
    AtlasReport
        Also written as ``report.json`` and ``report.md`` in ``out``.

    Raises
    ------
    geo.io.atlas.sources.AtlasSourceError
        A required dataset is missing, or a file cannot be used (the message names the
        file and the dataset to download). ``out`` is left as it was.
    """
    from geo.io.atlas import population, services, streets

    source = Path(source).resolve()
    out = Path(out).resolve()
    sample_dir = (sample_dir or PROJECT_DIR / "data").resolve()
    steps = 10
    say = progress or (lambda step, total, message: log.info("[%d/%d] %s", step, total, message))
    clock = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = round(now - clock, 2)
        clock = now

    say(1, steps, f"scanning {source.name} for official layers")
    inv = sources.scan(source)
    sources.require(inv)
    print_ = fingerprint(inv)
    if not force and is_current(out, print_):
        say(steps, steps, "the atlas is up to date with these files: nothing to do")
        report = json.loads((out / "report.json").read_text(encoding="utf-8"))
        return AtlasReport(
            source=report["source"],
            fingerprint=print_,
            counts=report["counts"],
            warnings=report["warnings"],
            vintages=report["vintages"],
            seconds=report["seconds"],
            unused=report.get("unused", []),
        )
    report = AtlasReport(source=source.name, fingerprint=print_)
    report.unused = sorted(inv.unrecognised) + [f"{n}: {why}" for n, why in inv.unreadable]
    lap("scan")

    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        registry: dict[str, dict[str, Any]] = {}

        say(2, steps, "boundaries and population tables")
        localidades = sources.read_localidades(inv)
        upz = sources.read_upz(inv, localidades)
        pop_loc = sources.read_population_localidad(inv)
        pop_upz = sources.read_population_upz(inv)
        sources.check_population(pop_upz, upz, year=YEAR, label=inv.one("population_upz").label)
        _boundaries(work, registry, report, localidades, upz, pop_loc, pop_upz)
        lap("boundaries")

        say(3, steps, "care services (SDIS, SDMujer)")
        service_frame, service_report = services.services_from_official(
            sources.read_service_files(inv), localidades=localidades, upz=upz
        )
        _services(work, registry, report, service_frame, service_report)
        proposals = sources.read_proposals(inv)
        if proposals:
            _proposals(work, registry, report, services.proposals_from_official(proposals))
        _care_blocks(work, registry, report, sample_dir, service_frame)
        lap("services")

        say(4, steps, "city blocks and the dasymetric demand grid")
        blocks = sources.read_blocks(inv)
        grid, model, demand_report = population.dasymetric_demand(
            population.PopulationInputs(
                upz=upz,
                localidades=localidades,
                population_upz=pop_upz,
                population_localidad=pop_loc,
                blocks=blocks,
            ),
            population.DasymetricOptions(year=YEAR, cell_m=CELL_M, crs=GRID_CRS),
        )
        _demand(work, registry, report, grid, model, demand_report)
        del blocks
        lap("demand")

        say(5, steps, "street network (Malla Vial Integral)")
        lines, gap = sources.read_streets(inv)
        if lines is None:
            report.warnings.append(
                "No Malla Vial Integral in the folder: walking zones use straight lines x "
                "the detour factor. Download 'Malla Vial Integral Bogotá D.C.' to walk the streets."
            )
        else:
            network, streets_report = streets.malla_vial_network(
                lines, coverage_gap=gap, area=localidades
            )
            target = work / NETWORK_FILE
            target.parent.mkdir(parents=True, exist_ok=True)
            save_network(network, target)
            report.counts.update(_report_fields("streets", streets_report, report.warnings))
            report.vintages["streets"] = (
                "Malla Vial Integral (IDECA), at most mid-2022; " + ATTRIBUTION["ideca"]
            )
        del lines, gap
        lap("streets")

        say(6, steps, "address index (house-number points, street labels)")
        _address_index(work, report, inv)
        lap("addresses")

        say(7, steps, "offline basemap (vector tiles)")
        basemap_table = _basemap(work, inv, report)
        lap("basemap")

        say(8, steps, "regional layers of the project")
        _copied(work, registry, sample_dir)
        lap("copied")

        say(9, steps, "registry and report")
        _write_registry(work, registry, report, basemap=basemap_table)
        load_registry(work)  # the atlas must read back
        for spec in load_registry(work).layers.values():
            load_layer(spec, data_dir=work)
        lap("check")
        report.seconds = timings
        (work / "report.json").write_text(
            json.dumps(report.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8"
        )
        (work / "report.md").write_text(report.markdown(), encoding="utf-8")

        say(10, steps, f"swapping the new atlas into {out.name}")
        _swap(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return report


def _address_index(work: Path, report: AtlasReport, inv: sources.Inventory) -> None:
    """Build the offline address index (``address/``) when the house-number points are there."""
    from geo.io.atlas import addresses

    if not inv.get("addresses"):
        report.warnings.append(
            "No house-number points (Placa domiciliaria) in the folder: the atlas has no "
            "address search. Download 'Placa domiciliaria' to find places by their address."
        )
        return
    points, label = addresses.read_points(inv)
    lines, _ = sources.read_streets(inv)
    built = addresses.build_address_index(
        points, work / addresses.INDEX_DIR, streets=lines, source=label
    )
    report.counts.update(_report_fields("addresses", built, report.warnings))
    report.vintages["addresses"] = (
        "Placa domiciliaria (IDECA / UAECD), about 2021; " + (ATTRIBUTION["ideca"])
    )


def _swap(work: Path, out: Path) -> None:
    """Put ``work`` at ``out`` (replacing an older atlas) with renames only."""
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        os.replace(out, old)
    os.replace(work, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _report_fields(prefix: str, obj: Any, warnings: list[str] | None = None) -> dict[str, Any]:
    """JSON-ready fields of a helper's report (prefixed); its warnings go to ``warnings``."""
    values = obj.as_dict() if hasattr(obj, "as_dict") else vars(obj)
    out: dict[str, Any] = {}
    for key, value in values.items():
        if key == "warnings" and warnings is not None:
            warnings.extend(f"{prefix}: {w}" for w in value)
            continue
        if isinstance(value, bool | int | float | str) or value is None:
            out[f"{prefix}.{key}"] = plain_value(value)
        elif isinstance(value, list | tuple | set | frozenset):
            items = [plain_value(v) if not isinstance(v, list | tuple) else list(v) for v in value]
            out[f"{prefix}.{key}"] = items if len(items) <= 50 else len(items)
        elif isinstance(value, Mapping):
            out[f"{prefix}.{key}"] = {str(k): plain_value(v) for k, v in value.items()}
    return json.loads(json.dumps(out, default=str))


def _boundaries(
    work: Path,
    registry: dict[str, dict[str, Any]],
    report: AtlasReport,
    localidades: gpd.GeoDataFrame,
    upz: gpd.GeoDataFrame,
    pop_loc: pd.DataFrame,
    pop_upz: pd.DataFrame,
) -> None:
    loc_pop = pop_loc[pop_loc["year"] == YEAR].set_index("localidad")
    frame = localidades.drop(columns=["published_name"]).copy()
    frame["population_2024"] = frame["code"].map(loc_pop["total"]).astype("Int64")
    frame["approx"] = False
    frame["kind"] = "boundary"
    frame["source"] = "IDECA Localidades; population: " + ATTRIBUTION["population"]
    frame["description_es"] = "Límite oficial de la localidad (IDECA)."
    frame["description_en"] = "Official localidad boundary (IDECA)."
    frame = frame.to_crs(4326)
    if frame["population_2024"].isna().any():
        missing = ", ".join(frame.loc[frame["population_2024"].isna(), "code"])
        raise sources.AtlasSourceError(
            f"localidad population table: no {YEAR} figure for localidad {missing}; download "
            "the SDP table again."
        )
    frame["population_2024"] = frame["population_2024"].astype("int64")
    upz_pop = pop_upz[pop_upz["year"] == YEAR].set_index("upz")
    upz_frame = upz.to_crs(4326).copy()
    is_upz = upz_frame["kind"] == "UPZ"
    upz_frame["population_2024"] = (
        upz_frame["number"].map(upz_pop["total"]).where(is_upz).astype("Int64")
    )
    upz_frame["older_2024"] = (
        upz_frame["number"].map(upz_pop["age_60_plus"]).where(is_upz).astype("Int64")
    )
    upz_frame = upz_frame.rename(columns={"kind": "unit_type"}).assign(kind="boundary")
    upz_frame["source"] = "IDECA UPla; population: " + ATTRIBUTION["population"]
    for layer_id, layer in (("localidades", frame), ("upz", upz_frame)):
        write_geojson(layer, work / f"{layer_id}.geojson")
        registry[layer_id] = _boundary_entry(layer, layer_id=layer_id)
    report.counts["localidades"] = len(localidades)
    report.counts["upz"] = int(is_upz.sum())
    report.counts["upr"] = int((~is_upz).sum())
    report.counts["population_city"] = int(loc_pop["total"].sum())
    report.counts["population_upz_sum"] = int(upz_pop["total"].sum())
    report.vintages["boundaries"] = "IDECA localidades 2022-08, UPZ 2017-02"
    report.vintages["population"] = f"{ATTRIBUTION['population']}, year {YEAR}"


_BOUNDARY_LAYERS = {
    "localidades": {
        "title": "atlas_localidades_title",
        "description": "atlas_localidades_description",
        "source": "IDECA / Secretaría Distrital de Planeación, 'Localidad. Bogotá D.C.' "
        "(Datos Abiertos Bogotá); population: " + ATTRIBUTION["population"],
        "date": "2022-08-05",
    },
    "upz": {
        "title": "atlas_upz_title",
        "description": "atlas_upz_description",
        "source": "IDECA, 'Unidad de Planeamiento Zonal. Bogotá D.C.' (UPla); population: "
        + ATTRIBUTION["population"],
        "date": "2017-02-06",
    },
}
"""Catalog keys of the title and description, source and date of each IDECA boundary layer."""


def _boundary_entry(frame: gpd.GeoDataFrame, *, layer_id: str) -> dict[str, Any]:
    """Registry entry of an official IDECA boundary layer (polygons keyed by ``code``)."""
    layer = _BOUNDARY_LAYERS[layer_id]
    return _entry(
        layer_id,
        title=catalog.per_language(layer["title"]),
        description=catalog.per_language(layer["description"], year=YEAR),
        kind="boundary",
        geometry="Polygon",
        id_field="code",
        columns=column_types(frame),
        source=layer["source"],
        licence="CC BY 4.0 (IDECA open licence, attribution)",
        date=layer["date"],
        precision="exact: official boundaries",
    )


def _entry(layer_id: str, **fields: Any) -> dict[str, Any]:
    """Registry entry of an atlas layer: Bogotá, EPSG:4326 and ``<id>.geojson`` unless said."""
    defaults = {"file": f"{layer_id}.geojson", "crs": "EPSG:4326", "region": "bogota"}
    return LayerSpec(id=layer_id, **(defaults | fields)).to_entry()


def _services(
    work: Path,
    registry: dict[str, dict[str, Any]],
    report: AtlasReport,
    frame: gpd.GeoDataFrame,
    service_report: Any,
) -> None:
    from geo.io.atlas.services import SERVICE_COLUMNS

    write_geojson(frame[[*SERVICE_COLUMNS, frame.geometry.name]], work / "services.geojson")
    registry["services"] = _entry(
        "services",
        title=catalog.per_language("atlas_services_title"),
        description=catalog.per_language("atlas_services_description", n=len(frame)),
        kind="service",
        geometry="Point",
        id_field="id",
        columns={name: ColumnType.parse(kind) for name, kind in SERVICE_COLUMNS.items()},
        source=ATTRIBUTION["services"] + ", Datos Abiertos Bogotá",
        licence="Datos Abiertos Bogotá open licence (attribution)",
        date="2020",
        precision="address: the published point of each facility",
    )
    report.counts.update(_report_fields("services", service_report, report.warnings))
    report.counts["services"] = len(frame)
    report.vintages["services"] = ATTRIBUTION["services"]


def _proposals(
    work: Path, registry: dict[str, dict[str, Any]], report: AtlasReport, frame: gpd.GeoDataFrame
) -> None:
    write_geojson(frame, work / "proposed_sites.geojson")
    registry["proposed_sites"] = _entry(
        "proposed_sites",
        title=catalog.per_language("atlas_proposed_sites_title"),
        description=catalog.per_language("atlas_proposed_sites_description"),
        kind="proposal",
        geometry="Point",
        id_field="id",
        columns=column_types(frame),
        source="CEPAL gender and care map of Bogotá (2021), proposed care-block sites",
        licence="no licence stated; shown for reference",
        date="2021-06-22",
        precision="address: points at the proposed facility",
    )
    report.counts["proposed_sites"] = len(frame)


def _care_blocks(
    work: Path,
    registry: dict[str, dict[str, Any]],
    report: AtlasReport,
    sample_dir: Path,
    services_frame: gpd.GeoDataFrame,
) -> None:
    from geo.io.atlas.services import anchor_care_blocks

    sample = load_registry(sample_dir)
    spec = sample["care_blocks"]
    blocks = load_layer(spec, data_dir=sample_dir)
    anchored, matches = anchor_care_blocks(blocks, services_frame)
    write_geojson(anchored.reset_index(drop=True), work / spec.file)
    entry = _sample_entry(sample_dir, "care_blocks")
    matched = [m for m in matches if getattr(m, "matched", True)]
    entry["precision"] = (
        f"{len(matched)} block(s) moved to their anchor facility in the official service layer "
        "(address precision); the others as in the sample: " + entry["precision"]
    )
    registry["care_blocks"] = entry
    report.counts["care_blocks"] = len(anchored)
    report.counts["care_blocks_anchored"] = len(matched)


def _sample_entry(sample_dir: Path, layer_id: str) -> dict[str, Any]:
    import tomllib

    raw = tomllib.loads((sample_dir / REGISTRY_FILE).read_text(encoding="utf-8"))
    return dict(raw["layers"][layer_id])


def _copied(work: Path, registry: dict[str, dict[str, Any]], sample_dir: Path) -> None:
    for layer_id in COPIED_LAYERS:
        entry = _sample_entry(sample_dir, layer_id)
        shutil.copy2(sample_dir / entry["file"], work / entry["file"])
        registry[layer_id] = entry


def _demand(
    work: Path,
    registry: dict[str, dict[str, Any]],
    report: AtlasReport,
    grid: gpd.GeoDataFrame,
    model: Any,
    demand_report: Any,
) -> None:
    frame = grid.copy()
    frame.insert(0, "cell", np.arange(len(frame), dtype=np.int64))
    frame.attrs = {}
    frame.to_parquet(work / "demand.parquet", index=False, compression="zstd")
    explain = {lang: list(model.explain(lang)) for lang in ("es", "en")}
    registry["demand"] = _entry(
        "demand",
        file="demand.parquet",
        title=catalog.per_language("atlas_demand_title", year=YEAR),
        description=dict(model.note),
        kind="demand",
        geometry="Polygon",
        crs=GRID_CRS,
        id_field="cell",
        columns=column_types(frame),
        source=f"{ATTRIBUTION['population']} (UPZ and localidad {YEAR}) spread over IDECA "
        "manzanas (dasymetric)",
        licence="CC BY 4.0 (derived from open official data)",
        date=str(YEAR),
        precision="modelled: people spread over the residential blocks of each UPZ by block area",
        model={"note": dict(model.note), "explain": explain},
    )
    report.counts.update(_report_fields("demand", demand_report, report.warnings))
    report.counts["demand_cells"] = len(frame)
    report.counts["demand_people"] = round(float(frame["population"].sum()), 1)


def _basemap(work: Path, inv: sources.Inventory, report: AtlasReport) -> dict[str, Any]:
    """Write ``basemap.pmtiles`` from the official layers; return its registry table.

    Self-contained (it reads the layers it needs again) so the step can be moved or
    dropped without touching the others.
    """
    from geo.io.atlas import basemap

    layers, has_water = basemap.read_official_layers(inv)
    if not has_water:
        report.warnings.append(
            "No water layer (cuerpos de agua) in the folder: the basemap has no rivers or "
            "wetlands. Download 'Cuerpo de agua. Bogotá D.C.' to draw them."
        )
    result = basemap.build_basemap(layers, work / BASEMAP_FILE)
    digest = hashlib.sha256((work / BASEMAP_FILE).read_bytes()).hexdigest()
    report.counts["basemap_tiles"] = result.tiles
    report.counts["basemap_mb"] = round(result.size_bytes / 1e6, 2)
    report.vintages["basemap"] = basemap.ATTRIBUTION
    return {
        "file": BASEMAP_FILE,
        "sha256": digest,
        "format": "pmtiles",
        "minzoom": result.zooms[0],
        "maxzoom": result.zooms[1],
        "bounds": list(result.bounds),
        "attribution": result.attribution,
    }


def _write_registry(
    work: Path,
    registry: dict[str, dict[str, Any]],
    report: AtlasReport,
    *,
    basemap: dict[str, Any] | None = None,
) -> None:
    doc = {
        "dataset": {
            "id": "bogota-official",
            "title": catalog.per_language("atlas_dataset_title"),
            "vintage": catalog.per_language("atlas_dataset_vintage", year=YEAR),
            "licence": catalog.per_language("atlas_dataset_licence"),
            "attribution": "; ".join(ATTRIBUTION.values()),
            "sample": False,
            **({"basemap": basemap} if basemap else {}),
        },
        "layers": registry,
    }
    header = (
        "# Atlas registry written by `python -m geo atlas` from Bogotá's official layers.\n"
        "# Do not edit: run the importer again. See report.md for counts and warnings.\n\n"
    )
    (work / REGISTRY_FILE).write_text(header + tomli_w.dumps(doc), encoding="utf-8")
    report.counts["layers"] = len(registry)


def describe(report: AtlasReport) -> Sequence[str]:
    """Short lines for the command line."""
    counts = report.counts
    lines = [
        f"atlas built from {report.source}: {counts.get('layers', 0)} layers",
        f"  localidades {counts.get('localidades')}, UPZ {counts.get('upz')}, "
        f"population {counts.get('population_city', 0):,} ({YEAR})",
        f"  services {counts.get('services')}, demand cells {counts.get('demand_cells', 0):,}",
    ]
    for key in ("streets.detour_median", "streets.n_nodes", "streets.largest_share"):
        if key in counts:
            lines.append(f"  {key}: {_plain(counts[key])}")
    lines += [f"  warning: {w}" for w in report.warnings]
    return lines


def check_out_dir(out: Path) -> None:
    """Refuse an output folder that holds something other than an atlas."""
    if out.exists() and any(out.iterdir()) and not (out / "report.json").is_file():
        raise LayerError(
            f"{out.name}: the folder exists and is not an atlas (no report.json); choose an "
            "empty or new folder for --out."
        )
