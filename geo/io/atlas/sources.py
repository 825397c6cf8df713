"""Find Bogotá's official open layers in a folder and read them, whatever their file names.

The district publishes each layer in its own schema (IDECA shapefiles in EPSG:4686 with
``LocCodigo``/``UPlCodigo`` fields, SDP population tables, SDIS ``OSS*`` and SDMujer
``CIO*`` service points, the Malla Vial Integral, manzanas, cuerpos de agua, placas). A
person downloads them from Datos Abiertos Bogotá into any folder, under whatever names
their browser chose, sometimes zipped, sometimes re-saved in another encoding. So
:func:`scan` recognises each file by its *schema* (field names, geometry type), never by
its name, and the ``read_*`` functions turn each dataset into the normalised frames the
importer works on (EPSG:4326, short lower-case column names, codes as strings).

Every file that cannot be used is reported with the reason (:class:`Inventory`), and a
missing required dataset is refused with a message that names the dataset to download
(:func:`require`).
"""

from __future__ import annotations

import csv
import io
import logging
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pyogrio

from geo.errors import AtlasSourceError

log = logging.getLogger(__name__)

__all__ = [
    "DATASETS",
    "AtlasSourceError",
    "Dataset",
    "Found",
    "Inventory",
    "read_blocks",
    "read_localidades",
    "read_population_localidad",
    "read_population_upz",
    "read_service_files",
    "read_streets",
    "read_upz",
    "read_water",
    "require",
    "scan",
]

BOGOTA_BOUNDS = (-74.75, 3.5, -73.75, 5.0)
"""Longitude/latitude envelope every official layer must fall in once reprojected."""

_VECTOR_SUFFIXES = (".shp", ".gpkg", ".geojson", ".json", ".kml", ".fgb")
_TABLE_SUFFIXES = (".csv", ".txt", ".parquet")

# Display names of the localidades: IDECA publishes them in upper case, mostly without
# accents ("USAQUEN", "CIUDAD BOLIVAR"). Keyed by LocCodigo.
LOCALIDAD_NAMES = {
    "01": "Usaquén",
    "02": "Chapinero",
    "03": "Santa Fe",
    "04": "San Cristóbal",
    "05": "Usme",
    "06": "Tunjuelito",
    "07": "Bosa",
    "08": "Kennedy",
    "09": "Fontibón",
    "10": "Engativá",
    "11": "Suba",
    "12": "Barrios Unidos",
    "13": "Teusaquillo",
    "14": "Los Mártires",
    "15": "Antonio Nariño",
    "16": "Puente Aranda",
    "17": "La Candelaria",
    "18": "Rafael Uribe Uribe",
    "19": "Ciudad Bolívar",
    "20": "Sumapaz",
}


@dataclass(frozen=True)
class Dataset:
    """One official dataset the importer reads: how to recognise it and where to get it."""

    key: str
    title: str
    publisher: str
    download: str
    required: bool


DATASETS: dict[str, Dataset] = {
    d.key: d
    for d in (
        Dataset(
            "localidades",
            "Localidades",
            "IDECA / Secretaría Distrital de Planeación",
            "Datos Abiertos Bogotá, dataset 'Localidad. Bogotá D.C.' (shapefile: LocCodigo, "
            "LocNombre)",
            True,
        ),
        Dataset(
            "upz",
            "Unidades de Planeamiento Zonal (UPZ)",
            "IDECA / Secretaría Distrital de Planeación",
            "Datos Abiertos Bogotá, dataset 'Unidad de Planeamiento Zonal. Bogotá D.C.' "
            "(shapefile UPla: UPlCodigo, UPlNombre, UPlTipo)",
            True,
        ),
        Dataset(
            "population_localidad",
            "Población por localidad y edad",
            "SDP – DANE, proyecciones CNPV 2018",
            "Datos Abiertos Bogotá / SDP, 'Proyecciones de población por localidad 2018-2035' "
            "(table: codigo_localidad, ano, poblacion_total, poblacion_0_5 ... poblacion_60_mas)",
            True,
        ),
        Dataset(
            "population_upz",
            "Población por UPZ",
            "SDP – DANE, proyecciones CNPV 2018",
            "Datos Abiertos Bogotá / SDP, 'Proyecciones de población por UPZ 2018-2024' "
            "(table: codigo_upz, codigo_localidad, ano, poblacion_total, poblacion_60_mas)",
            True,
        ),
        Dataset(
            "services",
            "Servicios sociales (SDIS) y Casas de Igualdad (SDMujer)",
            "SDIS / Secretaría Distrital de la Mujer",
            "Datos Abiertos Bogotá, SDIS 'Oferta de servicios sociales' layers (OSSNOMBRE, "
            "OSSDIRECCI, OSSHORARIO...) and SDMujer 'Casas de Igualdad de Oportunidades para las "
            "Mujeres' (CIONombre...)",
            True,
        ),
        Dataset(
            "blocks",
            "Manzanas",
            "IDECA / UAECD (catastro)",
            "Datos Abiertos Bogotá, dataset 'Manzana. Bogotá D.C.' (city-block polygons)",
            True,
        ),
        Dataset(
            "streets",
            "Malla Vial Integral",
            "IDECA / Alcaldía Mayor de Bogotá",
            "Datos Abiertos Bogotá, dataset 'Malla Vial Integral Bogotá D.C.' (street "
            "centrelines: MVIETIQUET, MVINOMBRE)",
            False,
        ),
        Dataset(
            "coverage_gap",
            "Zonas sin calles en la copia de la Malla Vial",
            "Care Atlas copy of the Malla Vial",
            "a polygon layer beside the Malla Vial marking where its segments are missing",
            False,
        ),
        Dataset(
            "water",
            "Cuerpos de agua",
            "EAAB / IDECA",
            "Datos Abiertos Bogotá / IDECA, 'Cuerpo de agua. Bogotá D.C.' (SUBTIPO, CODHIDRO)",
            False,
        ),
        Dataset(
            "proposals",
            "Sitios propuestos para Manzanas del Cuidado (estudio CEPAL)",
            "CEPAL gender and care map of Bogotá",
            "a point layer with only a Name field (10 proposed care-block sites)",
            False,
        ),
        Dataset(
            "addresses",
            "Placa domiciliaria",
            "IDECA / UAECD",
            "Datos Abiertos Bogotá, dataset 'Placa domiciliaria' (PDONVIAL, PDOTEXTO)",
            False,
        ),
    )
}


@dataclass(frozen=True)
class Found:
    """One recognised layer: the dataset it holds and where it is."""

    key: str
    path: Path
    layer: str | None = None
    features: int = 0
    member: str | None = None  # file inside a zip archive

    @property
    def source(self) -> str:
        """What GDAL/pandas open: the path, or ``/vsizip/`` path of a zip member."""
        if self.member is not None:
            return f"/vsizip/{self.path}/{self.member}"
        return str(self.path)

    @property
    def label(self) -> str:
        """A short, path-free name for messages and the report."""
        name = self.member or self.path.name
        return f"{name} (layer {self.layer})" if self.layer else name


@dataclass
class Inventory:
    """What :func:`scan` found in a folder."""

    source: Path
    found: dict[str, list[Found]] = field(default_factory=dict)
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)

    def get(self, key: str) -> list[Found]:
        """The layers found for a dataset (empty list when none)."""
        return self.found.get(key, [])

    def one(self, key: str) -> Found:
        """The single layer of a dataset; refuse none or several (ambiguous)."""
        items = self.get(key)
        if not items:
            raise AtlasSourceError(_missing_message([DATASETS[key]], self))
        if len(items) > 1:
            names = ", ".join(item.label for item in items)
            raise AtlasSourceError(
                f"{DATASETS[key].title}: several files look like this dataset ({names}); keep "
                "one of them in the folder."
            )
        return items[0]


# --------------------------------------------------------------------------- scanning


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", str(text))
    return "".join(c for c in text if not unicodedata.combining(c)).strip().lower()


def _classify_vector(fields: set[str], geometry: str, features: int) -> str | None:
    """The dataset a vector layer holds, from its field names and geometry type."""
    geometry = (geometry or "").lower()
    if {"loccodigo", "locnombre"} <= fields:
        return "localidades"
    if {"uplcodigo", "uplnombre"} <= fields:
        return "upz"
    if "ossnombre" in fields or "cionombre" in fields:
        return "services"
    if "linestring" in geometry and fields & {"mvietiquet", "mvinombre", "mvicodigo"}:
        return "streets"
    if fields & {"codhidro"} or {"subtipo", "subcuenca"} <= fields:
        return "water"
    if "polygon" in geometry and fields & {"block_id", "mancodigo", "manzana_id", "cod_manzana"}:
        return "blocks"
    if (
        "point" in geometry
        and fields <= {"name", "description", "descripcion"}
        and "name" in fields
    ):
        return "proposals" if features <= 500 else None
    return None


def _classify_table(columns: set[str]) -> str | None:
    """The dataset a table holds, from its column names."""
    if {"codigo_localidad", "poblacion_total", "poblacion_0_5"} <= columns and (
        "codigo_upz" not in columns
    ):
        return "population_localidad"
    if {"codigo_upz", "poblacion_total", "poblacion_60_mas"} <= columns:
        return "population_upz"
    if {"via", "placa"} <= columns or {"pdonvial", "pdotexto"} <= columns:
        return "addresses"
    return None


def _vector_layers(source: str) -> list[tuple[str | None, str]]:
    layers = pyogrio.list_layers(source)
    if len(layers) == 1:
        return [(None, str(layers[0][1]))]
    return [(str(name), str(geom)) for name, geom in layers]


def _scan_vector(inv: Inventory, path: Path, member: str | None = None) -> None:
    probe = Found(key="", path=path, member=member)
    if member is None and path.suffix.lower() == ".shp":
        siblings = {p.suffix.lower() for p in path.parent.glob(f"{path.stem}.*")}
        lacking = [ext for ext in (".dbf", ".shx") if ext not in siblings]
        if lacking:
            inv.unreadable.append(
                (
                    probe.label,
                    f"the shapefile's {' and '.join(lacking)} (part of the download) is "
                    "missing: download the dataset again and keep all its files together",
                )
            )
            return
    try:
        layers = _vector_layers(probe.source)
    except Exception as exc:  # GDAL raises many types; each is reported
        inv.unreadable.append((probe.label, _gdal_reason(path, member, exc)))
        return
    streets_here = False
    polygons_here: list[tuple[str | None, int]] = []
    for layer, geometry in layers:
        try:
            info = pyogrio.read_info(probe.source, layer=layer)
        except Exception as exc:  # reported, not raised
            inv.unreadable.append((probe.label, _gdal_reason(path, member, exc)))
            continue
        fields = {_fold(name) for name in info["fields"]}
        geometry = str(info.get("geometry_type") or geometry)
        key = _classify_vector(fields, geometry, int(info["features"]))
        item = Found(key or "", path, layer, int(info["features"]), member)
        if key is None:
            if "polygon" in geometry.lower():
                polygons_here.append((layer, int(info["features"])))
            inv.unrecognised.append(item.label)
            continue
        streets_here |= key == "streets"
        inv.found.setdefault(key, []).append(item)
    if streets_here:
        # A polygon layer published beside the street centrelines marks where they are
        # missing (the copy's ``coverage_gap``): recognised by sitting with the streets.
        for layer, n in polygons_here:
            gap = Found("coverage_gap", path, layer, n, member)
            inv.found.setdefault("coverage_gap", []).append(gap)
            inv.unrecognised.remove(gap.label)


def _gdal_reason(path: Path, member: str | None, exc: Exception) -> str:
    del path, member
    return f"not a readable geospatial file ({type(exc).__name__}); download it again"


def _read_text(path: Path) -> tuple[str, str]:
    """The text of a table and the encoding it was read in (UTF-8, else Windows-1252)."""
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1"), "latin-1"


def _read_csv(path: Path) -> tuple[pd.DataFrame, str]:
    text, encoding = _read_text(path)
    head = text[:4096]
    try:
        delimiter = csv.Sniffer().sniff(head, delimiters=",;\t|").delimiter
    except csv.Error:
        delimiter = ","
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    frame.columns = [_fold(c) for c in frame.columns]
    return frame, encoding


def _scan_table(inv: Inventory, path: Path) -> None:
    try:
        if path.suffix.lower() == ".parquet":
            import pyarrow.parquet as pq

            columns = {_fold(name) for name in pq.read_schema(path).names}
            rows = pq.ParquetFile(path).metadata.num_rows
        else:
            frame, _ = _read_csv(path)
            columns, rows = set(frame.columns), len(frame)
    except Exception as exc:  # pandas/pyarrow raise many types
        inv.unreadable.append((path.name, f"not a readable table ({type(exc).__name__})"))
        return
    key = _classify_table(columns)
    if key is None:
        inv.unrecognised.append(path.name)
        return
    inv.found.setdefault(key, []).append(Found(key, path, None, int(rows)))


def scan(source: Path | str) -> Inventory:
    """Recognise the official layers in ``source`` (recursively) by their schema.

    Shapefiles, GeoPackages (every layer), GeoJSON, zip archives of those, CSV tables
    (UTF-8 or Windows-1252, comma or semicolon) and Parquet tables are opened; each
    layer is matched to a :data:`DATASETS` entry by its field names and geometry type.
    Files that cannot be opened are listed in ``unreadable`` with the reason; layers
    that match no dataset in ``unrecognised``.
    """
    source = Path(source)
    if not source.is_dir():
        raise AtlasSourceError(
            f"{source.name or source}: not a folder; give the folder where you saved the "
            "official layers (--source DIR)."
        )
    inv = Inventory(source=source)
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        suffix = path.suffix.lower()
        if path.name.startswith("."):
            continue
        if suffix in _VECTOR_SUFFIXES:
            _scan_vector(inv, path)
        elif suffix in _TABLE_SUFFIXES:
            _scan_table(inv, path)
        elif suffix == ".zip":
            try:
                with zipfile.ZipFile(path) as archive:
                    members = [
                        m for m in archive.namelist() if m.lower().endswith(_VECTOR_SUFFIXES)
                    ]
            except zipfile.BadZipFile:
                inv.unreadable.append((path.name, "not a valid zip archive; download it again"))
                continue
            for member in members:
                _scan_vector(inv, path, member)
    log.info(
        "scanned %s: %s", source, {key: len(items) for key, items in sorted(inv.found.items())}
    )
    return inv


def _missing_message(missing: Iterable[Dataset], inv: Inventory) -> str:
    lines = ["The folder lacks official layers the atlas needs:"]
    lines += [f"- {d.title} ({d.publisher}): download {d.download}." for d in missing]
    if inv.unreadable:
        lines.append("Files that could not be read:")
        lines += [f"- {name}: {reason}" for name, reason in inv.unreadable]
    return "\n".join(lines)


def require(inv: Inventory) -> None:
    """Refuse an inventory without every required dataset, naming what to download."""
    missing = [d for d in DATASETS.values() if d.required and not inv.get(d.key)]
    if missing:
        raise AtlasSourceError(_missing_message(missing, inv))


# --------------------------------------------------------------------------- reading


def _read_frame(item: Found) -> gpd.GeoDataFrame:
    """Read a recognised layer; fix the encoding of a UTF-8 file read as Latin-1."""
    frame = pyogrio.read_dataframe(item.source, layer=item.layer)
    if _looks_mojibake(frame):
        # A .dbf written in UTF-8 without its .cpg is decoded as ISO-8859-1 by GDAL
        # ("BOGOTÃ\x81"): read it again as UTF-8.
        log.info("%s: re-reading as UTF-8 (names looked double-encoded)", item.label)
        frame = pyogrio.read_dataframe(item.source, layer=item.layer, encoding="utf-8")
    return _to_lonlat(frame, item)


def _looks_mojibake(frame: pd.DataFrame) -> bool:
    text = frame.select_dtypes(include=["object", "string"])
    if text.empty:
        return False
    sample = " ".join(str(value) for value in text.head(200).to_numpy().ravel())
    return "Ã" in sample or "Â" in sample


def _to_lonlat(frame: gpd.GeoDataFrame, item: Found) -> gpd.GeoDataFrame:
    """Reproject to EPSG:4326 and check the layer falls on Bogotá."""
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds
        if -180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90:
            log.warning("%s has no CRS: read as longitude/latitude (EPSG:4686)", item.label)
            frame = frame.set_crs("EPSG:4686")
        else:
            raise AtlasSourceError(
                f"{item.label}: no coordinate reference system (the .prj is missing) and the "
                "coordinates are not longitude/latitude; download the dataset again with its .prj."
            )
    frame = frame.to_crs("EPSG:4326")
    minx, miny, maxx, maxy = frame.total_bounds
    west, south, east, north = BOGOTA_BOUNDS
    inside = west <= minx and maxx <= east and south <= miny and maxy <= north
    if not inside:
        raise AtlasSourceError(
            f"{item.label}: once reprojected from {frame.crs if frame.crs else '?'} its "
            f"coordinates ({minx:.3f}, {miny:.3f} .. {maxx:.3f}, {maxy:.3f}) are not in Bogotá; "
            "the declared coordinate system (.prj) is wrong for this file: download the "
            "dataset again, or fix its .prj."
        )
    return frame


def _columns(frame: pd.DataFrame) -> dict[str, str]:
    return {_fold(c): c for c in frame.columns}


def read_localidades(inv: Inventory) -> gpd.GeoDataFrame:
    """The 20 localidades: ``code`` ("01".."20"), ``name`` (with accents), geometry."""
    item = inv.one("localidades")
    raw = _read_frame(item)
    cols = _columns(raw)
    code = raw[cols["loccodigo"]].astype(str).str.strip().str.zfill(2)
    published = raw[cols["locnombre"]].astype(str).str.strip()
    name = [LOCALIDAD_NAMES.get(c, p.title()) for c, p in zip(code, published, strict=True)]
    out = gpd.GeoDataFrame(
        {"code": code.to_numpy(), "name": name, "published_name": published.to_numpy()},
        geometry=raw.geometry.make_valid().to_numpy(),
        crs=raw.crs,
    )
    if out["code"].duplicated().any():
        dup = ", ".join(sorted(out.loc[out["code"].duplicated(), "code"]))
        raise AtlasSourceError(f"{item.label}: LocCodigo repeats ({dup}); download it again.")
    return out.sort_values("code").reset_index(drop=True)


def read_upz(inv: Inventory, localidades: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """UPZ and UPR: ``code``, ``number``, ``name``, ``kind``, ``localidad``, geometry."""
    item = inv.one("upz")
    raw = _read_frame(item)
    cols = _columns(raw)
    code = raw[cols["uplcodigo"]].astype(str).str.strip().str.upper()
    number = code.str.extract(r"(\d+)$")[0].fillna("").str.lstrip("0")
    if "upltipo" in cols:
        kind = raw[cols["upltipo"]].astype(str).str.strip().map({"1": "UPZ", "2": "UPR"})
    else:
        kind = pd.Series(None, index=raw.index, dtype=object)
    kind = kind.fillna(code.str[:3])
    out = gpd.GeoDataFrame(
        {
            "code": code.to_numpy(),
            "number": number.to_numpy(),
            "name": raw[cols["uplnombre"]].astype(str).str.strip().to_numpy(),
            "kind": kind.to_numpy(),
        },
        geometry=raw.geometry.make_valid().to_numpy(),
        crs=raw.crs,
    )
    points = gpd.GeoDataFrame(geometry=out.representative_point(), crs=out.crs)
    joined = gpd.sjoin(points, localidades[["code", "geometry"]], how="left", predicate="within")
    joined = joined[~joined.index.duplicated(keep="first")]
    out["localidad"] = joined["code"].reindex(out.index).to_numpy()
    return out.sort_values("code").reset_index(drop=True)


_LOCALIDAD_AGE = {
    "poblacion_0_5": "age_0_5",
    "poblacion_6_11": "age_6_11",
    "poblacion_12_17": "age_12_17",
    "poblacion_18_59": "age_18_59",
    "poblacion_60_mas": "age_60_plus",
}


def _table(inv: Inventory, key: str) -> tuple[pd.DataFrame, Found]:
    item = inv.one(key)
    if item.path.suffix.lower() == ".parquet":
        frame = pd.read_parquet(item.path)
        frame.columns = [_fold(c) for c in frame.columns]
        return frame.astype(str), item
    frame, encoding = _read_csv(item.path)
    if encoding != "utf-8-sig":
        log.info("%s read as %s", item.label, encoding)
    return frame, item


def _integers(frame: pd.DataFrame, columns: Iterable[str], item: Found) -> pd.DataFrame:
    out = frame.copy()
    for col in columns:
        values = pd.to_numeric(
            out[col].astype(str).str.replace(r"[.\s](?=\d{3}\b)", "", regex=True),
            errors="coerce",
        )
        bad = values.isna() | (values < 0)
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is line 1
            raise AtlasSourceError(
                f"{item.label}: column {col!r} line {row} is {out[col].iloc[row - 2]!r}, not a "
                "count of people; download the table again."
            )
        out[col] = values.astype("int64")
    return out


def read_population_localidad(inv: Inventory) -> pd.DataFrame:
    """Population by localidad, year and age group (see ``ATLAS`` conventions)."""
    frame, item = _table(inv, "population_localidad")
    missing = [c for c in ("ano", *_LOCALIDAD_AGE) if c not in frame.columns]
    if missing:
        raise AtlasSourceError(
            f"{item.label}: lacks column(s) {', '.join(missing)}; download the SDP table again."
        )
    counts = ["poblacion_total", *_LOCALIDAD_AGE] + (
        ["poblacion_cabecera"] if "poblacion_cabecera" in frame.columns else []
    )
    frame = _integers(frame, [*counts, "ano"], item)
    out = pd.DataFrame(
        {
            "localidad": frame["codigo_localidad"].str.strip().str.zfill(2),
            "name": frame.get("nombre_localidad", frame["codigo_localidad"]),
            "year": frame["ano"],
            "total": frame["poblacion_total"],
            "urban": frame.get("poblacion_cabecera", frame["poblacion_total"]),
            **{new: frame[old] for old, new in _LOCALIDAD_AGE.items()},
        }
    )
    return out.reset_index(drop=True)


def read_population_upz(inv: Inventory) -> pd.DataFrame:
    """Population by UPZ and year: total and 60+ (the published 0-14 column is wrong)."""
    frame, item = _table(inv, "population_upz")
    frame = _integers(frame, ["poblacion_total", "poblacion_60_mas", "ano"], item)
    out = pd.DataFrame(
        {
            "upz": frame["codigo_upz"].str.strip().str.lstrip("0"),
            "name": frame.get("nombre_upz", frame["codigo_upz"]),
            "localidad": frame["codigo_localidad"].str.strip().str.zfill(2),
            "year": frame["ano"],
            "total": frame["poblacion_total"],
            "age_60_plus": frame["poblacion_60_mas"],
        }
    )
    return out.reset_index(drop=True)


def check_population(
    population_upz: pd.DataFrame, upz: gpd.GeoDataFrame, *, year: int, label: str = "UPZ table"
) -> None:
    """Refuse a population table that lacks a UPZ of the boundary layer (or the year)."""
    rows = population_upz[population_upz["year"] == year]
    if rows.empty:
        years = ", ".join(map(str, sorted(population_upz["year"].unique())))
        raise AtlasSourceError(
            f"{label}: no population for {year} (it has {years}); download the current table."
        )
    wanted = set(upz.loc[upz["kind"] == "UPZ", "number"])
    missing = sorted(wanted - set(rows["upz"]), key=lambda s: int(s) if s.isdigit() else 0)
    if missing:
        raise AtlasSourceError(
            f"{label}: no {year} population for UPZ {', '.join(missing)} of the UPZ layer; "
            "the table is incomplete: download it again."
        )


def read_blocks(inv: Inventory) -> gpd.GeoDataFrame:
    """City blocks (manzanas): ``block_id`` and geometry, EPSG:4326."""
    item = inv.one("blocks")
    raw = _read_frame(item)
    cols = _columns(raw)
    ident = next(
        cols[c] for c in ("block_id", "mancodigo", "manzana_id", "cod_manzana") if c in cols
    )
    out = gpd.GeoDataFrame(
        {"block_id": raw[ident].astype(str).to_numpy()},
        geometry=raw.geometry.to_numpy(),
        crs=raw.crs,
    )
    empty = out.geometry.is_empty | out.geometry.isna()
    return out[~empty].reset_index(drop=True)


def read_service_files(inv: Inventory) -> list[tuple[str, gpd.GeoDataFrame]]:
    """Every SDIS / SDMujer service layer, with its published columns."""
    return [
        (Path(item.member or item.path).stem, _read_frame(item)) for item in inv.get("services")
    ]


def read_proposals(inv: Inventory) -> list[tuple[str, gpd.GeoDataFrame]]:
    """The proposed care-block sites layer(s), with their published columns."""
    return [
        (Path(item.member or item.path).stem, _read_frame(item)) for item in inv.get("proposals")
    ]


def read_streets(inv: Inventory) -> tuple[gpd.GeoDataFrame | None, gpd.GeoDataFrame | None]:
    """Street centrelines (Malla Vial) and the polygons where they are missing, if any."""
    if not inv.get("streets"):
        return None, None
    lines = _read_frame(inv.one("streets"))
    lines.columns = [_fold(c) if c != lines.geometry.name else c for c in lines.columns]
    gaps = [_read_frame(item) for item in inv.get("coverage_gap")]
    gap = gpd.GeoDataFrame(pd.concat(gaps, ignore_index=True), crs=4326) if gaps else None
    return lines, gap


def read_water(inv: Inventory) -> gpd.GeoDataFrame | None:
    """Rivers, canals and wetlands, if present: ``name``, ``type`` and geometry."""
    if not inv.get("water"):
        return None
    raw = _read_frame(inv.one("water"))
    cols = _columns(raw)
    name = raw[cols["nombre"]] if "nombre" in cols else pd.Series("", index=raw.index)
    kind = raw[cols["tipo"]] if "tipo" in cols else pd.Series("", index=raw.index)
    return gpd.GeoDataFrame(
        {"name": name.fillna("").astype(str).to_numpy(), "water_type": kind.fillna("").astype(str)},
        geometry=raw.geometry.to_numpy(),
        crs=raw.crs,
    )
