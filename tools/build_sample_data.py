"""Build Care Atlas's bundled sample layers in ``data/`` from hand-checked fact tables.

Every layer is written as an RFC 7946 GeoJSON FeatureCollection (EPSG:4326,
longitude/latitude, UTF-8, no ``crs`` member), and ``data/layers.toml`` is written
(with ``tomli_w``) from the same column declarations, so the registry and the files
cannot drift apart.

The fact tables live as data in ``tools/sample_facts/``, copied from
``shared/facts/README.md`` and the seed documents in ``shared/seeds/`` (see
``data/README.md`` for each layer's sources): one ``<layer>.toml`` per layer whose
``[layer]`` table is the layer's registry entry (source, licence, date, precision),
with nested records as arrays of tables, and CSV files for flat tables, whose ``#``
header lines carry the same source, licence, date and precision. ``{name}`` in any
string stands for ``[text].name`` of ``common.toml`` or of the same file. This script
only turns those rows into features and descriptions.

Nothing is fetched from the network, with one exception that is done once
by hand: the Natural Earth 1:110m countries come from the old geopandas 0.14.4 wheel,
which bundled them as ``geopandas/datasets/naturalearth_lowres``::

    pip download --no-deps geopandas==0.14.4 -d /tmp/gpd014
    python tools/build_sample_data.py --naturalearth /tmp/gpd014/geopandas-0.14.4-py3-none-any.whl

Without the wheel, the script keeps the existing ``data/countries.geojson`` and
rebuilds everything else.

Usage::

    python tools/build_sample_data.py [--naturalearth PATH] [--data-dir DIR] [-v]
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import re
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
import tomli_w
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

log = logging.getLogger("build_sample_data")

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_DIR / "data"
FACTS_DIR = Path(__file__).resolve().parent / "sample_facts"
DEFAULT_NE_WHEEL = Path("/tmp/gpd014/geopandas-0.14.4-py3-none-any.whl")  # noqa: S108
NE_MEMBER = "geopandas/datasets/naturalearth_lowres/"
METRIC_CRS = "EPSG:9377"  # MAGNA-SIRGAS 2018 / Origen-Nacional (Colombia), metres
POLYGON_DECIMALS = 5
PLACEHOLDER = re.compile(r"\{([a-z0-9_]+)\}")


# --------------------------------------------------------------------------- facts files


def expand(value: Any, texts: Mapping[str, str]) -> Any:
    """Replace every ``{name}`` in the strings of ``value`` by ``texts[name]``, recursively."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: expand(texts[m.group(1)], texts), value)
    if isinstance(value, Mapping):
        return {key: expand(item, texts) for key, item in value.items()}
    if isinstance(value, list):
        return [expand(item, texts) for item in value]
    return value


def _read_toml(name: str) -> dict[str, Any]:
    with (FACTS_DIR / name).open("rb") as fh:
        return tomllib.load(fh)


COMMON = _read_toml("common.toml")
TEXT: dict[str, str] = COMMON["text"]


def load_facts(name: str) -> dict[str, Any]:
    """Read ``sample_facts/<name>.toml`` with its ``{name}`` texts expanded."""
    doc = _read_toml(f"{name}.toml")
    return expand(doc, TEXT | doc.get("text", {}))


def load_rows(name: str) -> list[dict[str, str]]:
    """Read ``sample_facts/<name>.csv`` (``#`` lines are its metadata header) as strings."""
    with (FACTS_DIR / f"{name}.csv").open(encoding="utf-8", newline="") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return [expand(row, TEXT) for row in rows]


def _int_or_none(value: str) -> int | None:
    return int(value) if value else None


LICENCE_CC = TEXT["licence_cc"]
FACTS = TEXT["facts"]
ALL_POPULATIONS = TEXT["all_populations"]
MONTHS: dict[str, list[str]] = COMMON["months"]

# Columns common to every point layer, in file order.
POINT_COLUMNS: dict[str, str] = COMMON["point_columns"]


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Layer:
    """A built layer: its registry entry (without columns) plus features and columns."""

    layer_id: str
    entry: Mapping[str, Any]
    columns: Mapping[str, str]
    features: list[dict[str, Any]]

    @classmethod
    def of(cls, layer_id: str, facts: Mapping[str, Any], features: list[dict[str, Any]]) -> Layer:
        """Layer ``layer_id`` with the registry entry and columns of its ``facts``.

        A point layer's columns start with those every point layer has.
        """
        points = all(f["geometry"]["type"] == "Point" for f in features)
        columns = (POINT_COLUMNS if points else {}) | facts["columns"]
        return cls(layer_id, facts["layer"], columns, features)


DATE_PATTERNS = {  # (month and year, full date)
    "es": ("{month} de {year}", "{day} de {month} de {year}"),
    "en": ("{month} {year}", "{day} {month} {year}"),
}


def spell_date(value: str, lang: str) -> str:
    """Spell an ISO date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` in ``lang`` ("es" or "en")."""
    parts = value.split("-")
    if len(parts) == 1:
        return value
    month_year, full = DATE_PATTERNS[lang]
    pattern = month_year if len(parts) == 2 else full
    month = MONTHS[lang][int(parts[1]) - 1]
    return pattern.format(day=int(parts[-1]), month=month, year=parts[0])


def point_feature(lat: float, lon: float, properties: Mapping[str, Any]) -> dict[str, Any]:
    """Return a GeoJSON Point feature (longitude first, as RFC 7946 requires)."""
    return {
        "type": "Feature",
        "properties": dict(properties),
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
    }


def _round_coords(coords: Any, ndigits: int) -> Any:
    if isinstance(coords, int | float):
        return round(float(coords), ndigits)
    return [_round_coords(c, ndigits) for c in coords]


def polygon_geojson(geom: BaseGeometry, ndigits: int = POLYGON_DECIMALS) -> dict[str, Any]:
    """Snap a (multi)polygon to a decimal grid, orient it per RFC 7946 and return GeoJSON.

    Exterior rings are counter-clockwise and holes clockwise. Snapping uses
    :func:`shapely.set_precision`, which keeps the geometry valid.
    """
    snapped = shapely.set_precision(geom, 10.0**-ndigits)
    if snapped.geom_type == "Polygon":
        snapped = orient(snapped, sign=1.0)
    elif snapped.geom_type == "MultiPolygon":
        snapped = shapely.MultiPolygon([orient(p, sign=1.0) for p in snapped.geoms])
    else:
        raise ValueError(f"expected a polygon, got {snapped.geom_type}")
    if not snapped.is_valid:
        raise ValueError(f"invalid geometry after snapping: {shapely.is_valid_reason(snapped)}")
    gj = mapping(snapped)
    return {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"], ndigits)}


def check_columns(layer: Layer) -> None:
    """Fail if a feature's properties differ from the declared columns or types."""
    for feature in layer.features:
        props = feature["properties"]
        if list(props) != list(layer.columns):
            raise ValueError(
                f"{layer.layer_id}: feature {props.get(layer.entry['id_field'])!r} has "
                f"properties {list(props)}, expected {list(layer.columns)}"
            )
        for name, ctype in layer.columns.items():
            value = props[name]
            base = ctype.rstrip("?")
            if value is None:
                ok = ctype.endswith("?")
            elif base == "str":
                ok = isinstance(value, str)
            elif base == "bool":
                ok = isinstance(value, bool)
            elif base == "int":
                ok = isinstance(value, int) and not isinstance(value, bool)
            else:
                ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok:
                raise ValueError(f"{layer.layer_id}: {name}={value!r} is not {ctype}")
    ids = [f["properties"][layer.entry["id_field"]] for f in layer.features]
    if len(ids) != len(set(ids)):
        raise ValueError(f"{layer.layer_id}: duplicate ids")


def write_geojson(path: Path, name: str, features: Sequence[Mapping[str, Any]]) -> None:
    """Write a FeatureCollection, one feature per line (small, diff-friendly, UTF-8)."""
    lines = [json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in features]
    head = json.dumps({"type": "FeatureCollection", "name": name}, ensure_ascii=False)[:-1]
    text = head + ', "features": [\n' + ",\n".join(lines) + "\n]}\n"
    json.loads(text)  # never write a file we could not read back
    path.write_text(text, encoding="utf-8")
    log.info("wrote %s (%d features, %.1f KB)", path.name, len(features), len(text.encode()) / 1e3)


def write_registry(path: Path, layers: Iterable[Layer]) -> None:
    """Write ``layers.toml``: one ``[layers.<id>]`` table and its ``.columns`` per layer."""
    header = (
        "# Registry of the bundled layers. One table per layer under [layers.<id>].\n"
        "# Written by tools/build_sample_data.py from tools/sample_facts/: edit those, not "
        "this file.\n"
        "# Column types: str, int, float, bool; a trailing '?' means the value may be null.\n"
        "# [dataset] says which dataset this folder holds: the app names it on every page.\n\n"
    )
    doc = {
        "dataset": expand(COMMON["dataset"], TEXT) | {"sample": True},
        "layers": {
            layer.layer_id: dict(layer.entry) | {"columns": dict(layer.columns)} for layer in layers
        },
    }
    path.write_text(header + tomli_w.dumps(doc), encoding="utf-8")
    log.info("wrote %s", path.name)


# --------------------------------------------------------------------------- care blocks


@dataclass(frozen=True)
class CareBlock:
    """One row of the facts' care-block table (§1)."""

    number: int
    localidad: str
    anchor: str  # "" when the sources do not name the anchor facility
    area_es: str  # where the block is, for the description (used when anchor is "")
    area_en: str
    opened: str
    lat: float
    lon: float
    official_number: int | None = None
    note_es: str = ""
    note_en: str = ""


FACTS_CARE_BLOCKS = load_facts("care_blocks")
CARE_BLOCKS = tuple(
    CareBlock(
        number=int(r["number"]),
        localidad=r["localidad"],
        anchor=r["anchor"],
        area_es=r["area_es"],
        area_en=r["area_en"],
        opened=r["opened"],
        lat=float(r["lat"]),
        lon=float(r["lon"]),
        official_number=_int_or_none(r["official_number"]),
        note_es=r["note_es"],
        note_en=r["note_en"],
    )
    for r in load_rows("care_blocks")
)


def build_care_blocks() -> Layer:
    """Care blocks (Manzanas del Cuidado) of Bogotá: facts §1 table, one point per row."""
    features = []
    for b in CARE_BLOCKS:
        if b.anchor:
            name = f"Manzana del Cuidado de {b.localidad.split(' / ')[0]} – {b.anchor}"
            anchor_es = f"Equipamiento ancla: {b.anchor}."
            anchor_en = f"Anchor facility: {b.anchor}."
        else:
            name = f"Manzana del Cuidado de {b.localidad}"
            anchor_es = (
                "Equipamiento ancla no encontrado en las fuentes: el punto se situó en "
                f"{b.area_es}."
            )
            anchor_en = (
                f"Anchor facility not found in the sources: the point was placed in {b.area_en}."
            )
        if b.official_number is not None:
            num_es = (
                f"Número oficial: Manzana n.º {b.official_number} (el n.º {b.number} es solo "
                "el orden de esta muestra)."
            )
            num_en = (
                f"Official number: Manzana #{b.official_number} (#{b.number} is only this "
                "sample's row order)."
            )
        else:
            num_es = f"N.º {b.number} en esta muestra (número oficial no publicado en las fuentes)."
            num_en = f"#{b.number} in this sample (official number not given in the sources)."
        desc_es = " ".join(
            s
            for s in (
                f"Manzana del Cuidado en {b.localidad} (Bogotá), abierta en {spell_date(b.opened, 'es')}.",
                anchor_es,
                num_es,
                b.note_es,
                TEXT["catalogue_es"],
                TEXT["neighbourhood_es"],
            )
            if s
        )
        desc_en = " ".join(
            s
            for s in (
                f"Care block in {b.localidad} (Bogotá), opened {spell_date(b.opened, 'en')}.",
                anchor_en,
                num_en,
                b.note_en,
                TEXT["catalogue_en"],
                TEXT["neighbourhood_en"],
            )
            if s
        )
        props = {
            "id": f"mc-{b.number:02d}",
            "name": name,
            "kind": "care_block",
            "operator": "public",
            "populations": ALL_POPULATIONS,
            "services": TEXT["block_catalogue"],
            "country": "CO",
            "city": "Bogotá",
            "description_es": desc_es,
            "description_en": desc_en,
            "source": f"{FACTS} §1: {TEXT['bogota_press']}; services: District care-system press material",
            "location_precision": "neighbourhood",
            "block_number": b.number,
            "official_number": b.official_number,
            "localidad": b.localidad,
            "anchor": b.anchor,
            "opened": b.opened,
            "services_verified": False,
        }
        features.append(point_feature(b.lat, b.lon, props))
    return Layer.of("care_blocks", FACTS_CARE_BLOCKS, features)


# --------------------------------------------------------------------------- care buses

FACTS_CARE_BUS_STOPS = load_facts("care_bus_stops")


def build_care_bus_stops() -> Layer:
    """Buses del Cuidado stops of late 2025 (facts §1), one point per localidad."""
    features = []
    for i, row in enumerate(load_rows("care_bus_stops"), 1):
        localidad, area = row["localidad"], row["area"]
        place_es, place_en = row["placement_es"], row["placement_en"]
        area_es = "rural" if area == "rural" else "urbana"
        desc_es = (
            f"Parada del Bus del Cuidado de finales de 2025 en la zona {area_es} de {localidad}. "
            f"La parada exacta no se publica: el punto está {place_es}. Los Buses del Cuidado "
            "(desde marzo de 2021) llevan la oferta de las Manzanas del Cuidado a los barrios "
            "(19 servicios) y rotan aproximadamente cada 5 meses; los servicios indicados "
            "(respiro, formación, orientación jurídica y psicosocial) son los del catálogo de "
            "las manzanas, no la oferta verificada de esta parada."
        )
        desc_en = (
            f"Care bus stop of late 2025 in {area} {localidad}. The exact stop is not "
            f"published: the point is {place_en}. The care buses (since March 2021) carry the "
            "care blocks' offer to the neighbourhoods (19 services) and rotate about every 5 "
            "months; the services listed (respite, training, legal and psychosocial guidance) "
            "are those of the care-block catalogue, not this stop's verified offer."
        )
        props = {
            "id": f"bus-{i:02d}",
            "name": f"Bus del Cuidado – {localidad} ({area_es})",
            "kind": "care_bus",
            "operator": "public",
            "populations": "carers",
            "services": "respite;training;legal_aid;psychosocial",
            "country": "CO",
            "city": "Bogotá",
            "description_es": desc_es,
            "description_en": desc_en,
            "source": f"{FACTS} §1: District care-system press material (Buses del Cuidado)",
            "location_precision": "neighbourhood",
            "localidad": localidad,
            "area": area,
            "period": "2025-late",
        }
        features.append(point_feature(float(row["lat"]), float(row["lon"]), props))
    return Layer.of("care_bus_stops", FACTS_CARE_BUS_STOPS, features)


# --------------------------------------------------------------------------- home care

FACTS_HOME_CARE = load_facts("home_care")
HOME_CARE_2023: dict[str, int] = FACTS_HOME_CARE["programme_2023"]


def build_home_care() -> Layer:
    """Cuidado a domicilio (home care) 2023: seed 001, one point per localidad served."""
    features = []
    for i, row in enumerate(load_rows("home_care"), 1):
        localidad = row["localidad"]
        desc_es = (
            f"Cuidado a domicilio del Sistema Distrital de Cuidado en {localidad}: atención en "
            "casa para personas cuidadoras de tiempo completo que no pueden salir (cerca del 14 "
            "%), con relevo en el cuidado, orientación jurídica y certificación con el SENA. "
            "Las cifras son del PROGRAMA en 2023 para las tres localidades juntas (Ciudad "
            "Bolívar, Bosa y Kennedy), no de esta localidad: 102 hogares, 1.287 sesiones, "
            "4.917 horas, 85 personas cuidadoras certificadas con el SENA, 196 consultas "
            "jurídicas (90 % de los hogares) y 2 talleres «Aprender a cuidar» (70 % de los "
            "hogares). El servicio se presta en los hogares: el punto es solo el centro "
            "aproximado de la localidad."
        )
        desc_en = (
            f"Bogotá District Care System home care in {localidad}: services at home for "
            "full-time carers who cannot leave home (about 14%), with care relief, legal aid "
            "and certification with SENA. The figures are PROGRAMME totals for 2023 for the "
            "three localidades together (Ciudad Bolívar, Bosa and Kennedy), not for this "
            "localidad: 102 households, 1,287 sessions, 4,917 hours, 85 carers certified with "
            "SENA, 196 legal consultations (90% of households) and 2 'Learning to care' "
            "workshops (70% of households). The service is delivered in people's homes: the "
            "point is only the localidad's approximate centre."
        )
        props = {
            "id": f"hc-{i:02d}",
            "name": f"Cuidado a domicilio – {localidad}",
            "kind": "home_care",
            "operator": "public",
            "populations": "older;disability;carers",
            "services": "home_care;certification;legal_aid;training",
            "country": "CO",
            "city": "Bogotá",
            "description_es": desc_es,
            "description_en": desc_en,
            "source": f"{TEXT['seed_001']}; {FACTS} §1",
            "location_precision": "neighbourhood",
            "localidad": localidad,
        } | HOME_CARE_2023
        features.append(point_feature(float(row["lat"]), float(row["lon"]), props))
    return Layer.of("home_care", FACTS_HOME_CARE, features)


# --------------------------------------------------------------------------- cooperatives


FACTS_COOPERATIVES = load_facts("cooperatives")


def point_props(columns: Mapping[str, str], row: Mapping[str, Any]) -> dict[str, Any]:
    """Pick ``columns`` from ``row``, in column order (a missing optional column is null)."""
    return {
        name: row.get(name) if ctype.endswith("?") else row[name] for name, ctype in columns.items()
    }


def build_cooperatives() -> Layer:
    """Care cooperatives and SSE initiatives (facts §2), one point per place."""
    columns = POINT_COLUMNS | FACTS_COOPERATIVES["columns"]
    features = []
    for i, row in enumerate(FACTS_COOPERATIVES["initiative"], 1):
        fixed = {"id": f"coop-{i:02d}", "kind": "cooperative", "location_precision": "city"}
        features.append(point_feature(row["lat"], row["lon"], point_props(columns, row | fixed)))
    return Layer.of("cooperatives", FACTS_COOPERATIVES, features)


# --------------------------------------------------------------------------- training offer

# Institutions (short name -> row) with who runs each one (operator, where the report says
# so; an empty operator_source means the classification is Care Atlas's own).
INSTITUTIONS = {row["short"]: row for row in load_rows("institutions")}


@dataclass(frozen=True)
class Standard:
    """One standard, profile or programme row of Table 1 / Annex 1 of seed 002."""

    institution: str  # short name, key of INSTITUTIONS
    standard: str  # as in the report (English edition)
    standard_es: str  # free Spanish translation, for description_es
    service_type: str  # "training", "certification" or "training;certification"
    programme_hours: float | None
    work_experience_hours: float | None
    entry_requirements: str
    certification_duration: str
    populations: str
    code: str = ""
    note_es: str = ""  # context, in the description only
    note_en: str = ""
    where: str = "Table 1 and Annex 1"
    # Caveats a reader of the table must see (shown as numbered notes): (es, en) pairs.
    caveats: tuple[tuple[str, str], ...] = ()
    # Where the report itself gives the population served ("Annex 2", "Box 14"); "" when
    # ``populations`` is Care Atlas's reading of the standard's name.
    populations_source: str = ""


FACTS_TRAINING_OFFER = load_facts("training_offer")
STANDARDS = tuple(
    Standard(
        **{"programme_hours": None, "work_experience_hours": None}
        | row
        | {"caveats": tuple(tuple(c) for c in row.get("caveats", ()))}
    )
    for row in FACTS_TRAINING_OFFER["standard"]
)

LABELS: dict[str, dict[str, list[str]]] = FACTS_TRAINING_OFFER["labels"]


def _hours(value: float | None, lang: str) -> str:
    if value is None:
        return "sin dato (no aplica o no disponible)" if lang == "es" else "none given"
    text = f"{value:,.0f}"
    return text.replace(",", ".") if lang == "es" else text


def build_training_offer() -> Layer:
    """Training and certification offer (seed 002), one point per standard or programme row."""
    features = []
    for i, s in enumerate(STANDARDS, 1):
        inst = INSTITUTIONS[s.institution]
        inst_name, country, city = inst["name"], inst["country"], inst["city"]
        operator, operator_source = inst["operator"], inst["operator_source"]
        kind_es, kind_en = LABELS["service_type"][s.service_type]
        codes = s.populations.split(";") if s.populations else []
        pop_es = ", ".join(LABELS["population"][c][0] for c in codes) or "no indicada en el informe"
        pop_en = ", ".join(LABELS["population"][c][1] for c in codes) or "not stated in the report"
        if codes and s.populations_source:
            pop_es += f" (según el informe: {s.populations_source})"
            pop_en += f" (as the report gives it: {s.populations_source})"
        elif codes:
            pop_es += " (clasificación del Atlas del Cuidado a partir del nombre, no del informe)"
            pop_en += " (Care Atlas's classification from the name, not the report's)"
        op_es, op_en = LABELS["operator"][operator]
        if operator_source:
            op_es = f"Institución {op_es} según el informe: {operator_source}."
            op_en = f"A {op_en} institution as the report says: {operator_source}."
        else:
            op_es = (
                f"Institución {op_es}: clasificación del Atlas del Cuidado; el informe solo dice "
                "que trabajó «principalmente con instituciones públicas»."
            )
            op_en = (
                f"A {op_en} institution: Care Atlas's classification; the report only says it "
                "worked 'mainly with public institutions'."
            )
        caveats_es = " ".join(c[0] for c in s.caveats)
        caveats_en = " ".join(c[1] for c in s.caveats)
        code_es = f" Código: {s.code}." if s.code else ""
        code_en = f" Code: {s.code}." if s.code else ""
        desc_es = " ".join(
            p
            for p in (
                f"{kind_es} ({s.institution}, {city}): «{s.standard}», en español (traducción "
                f"libre) «{s.standard_es}».{code_es}",
                f"Horas del programa: {_hours(s.programme_hours, 'es')}; horas de práctica "
                f"laboral: {_hours(s.work_experience_hours, 'es')}.",
                f"Población atendida: {pop_es}.",
                op_es,
                s.note_es,
                caveats_es,
                "Requisitos de ingreso y duración de la certificación: en inglés, según el "
                "informe. Punto en la ciudad sede de la institución (precisión: ciudad); la "
                "oferta puede impartirse en otros lugares del país.",
            )
            if p
        )
        desc_en = " ".join(
            p
            for p in (
                f"{kind_en} ({s.institution}, {city}): '{s.standard}'.{code_en}",
                f"Programme hours: {_hours(s.programme_hours, 'en')}; work-experience hours: "
                f"{_hours(s.work_experience_hours, 'en')}.",
                f"Population served: {pop_en}.",
                op_en,
                s.note_en,
                caveats_en,
                "Point at the institution's headquarters city (precision: city); the offer may "
                "be delivered elsewhere in the country.",
            )
            if p
        )
        props = {
            "id": f"tr-{i:02d}",
            "name": f"{s.institution}: {s.standard}",
            "kind": "training",
            "operator": operator,
            "populations": s.populations,
            "services": s.service_type,
            "country": country,
            "city": city,
            "description_es": desc_es,
            "description_en": desc_en,
            "source": f"{TEXT['seed_002']}, {s.where}",
            "location_precision": "city",
            "institution": inst_name,
            "standard": s.standard,
            "code": s.code,
            "service_type": s.service_type,
            "programme_hours": None if s.programme_hours is None else float(s.programme_hours),
            "work_experience_hours": (
                None if s.work_experience_hours is None else float(s.work_experience_hours)
            ),
            "entry_requirements": s.entry_requirements,
            "certification_duration": s.certification_duration,
            "operator_source": operator_source,
            "populations_source": s.populations_source,
            "caveats_es": "\n".join(c[0] for c in s.caveats),
            "caveats_en": "\n".join(c[1] for c in s.caveats),
            "year": 2023,
        }
        features.append(point_feature(float(inst["lat"]), float(inst["lon"]), props))
    return Layer.of("training_offer", FACTS_TRAINING_OFFER, features)


# --------------------------------------------------------------------------- national systems


FACTS_NATIONAL_SYSTEMS = load_facts("national_systems")
COUNTRY_NAMES_ES: dict[str, str] = FACTS_NATIONAL_SYSTEMS["country_names_es"]


def build_national_systems() -> Layer:
    """National care systems and policies (facts §4), one point per country capital."""
    columns = POINT_COLUMNS | FACTS_NATIONAL_SYSTEMS["columns"]
    features = []
    for row in FACTS_NATIONAL_SYSTEMS["system"]:
        fixed = {
            "id": f"ns-{row['country'].lower()}",
            "name": f"{COUNTRY_NAMES_ES[row['country']]}: {row['short_es']}",
            "kind": "policy",
            "operator": "public",
            "services": "",
            "city": row["capital"],
            "location_precision": "city",
        }
        features.append(point_feature(row["lat"], row["lon"], point_props(columns, row | fixed)))
    return Layer.of("national_systems", FACTS_NATIONAL_SYSTEMS, features)


# --------------------------------------------------------------------------- localidades

# Centres of the urban part of each localidad (code, name, lat, lon, population 2024 approx.)
# and two hand-drawn outlines, (lon, lat): Bogotá's urban area (good to about 1-2 km) and
# rural Sumapaz (coarse).
FACTS_LOCALIDADES = load_facts("localidades")
LOCALIDADES = load_rows("localidades")
RURAL_CODE: str = FACTS_LOCALIDADES["outline"]["rural_code"]
URBAN_OUTLINE = [tuple(p) for p in FACTS_LOCALIDADES["outline"]["urban"]]
SUMAPAZ_OUTLINE = [tuple(p) for p in FACTS_LOCALIDADES["outline"]["sumapaz"]]


def urban_zones(
    centres: Mapping[str, tuple[float, float]], outline: Polygon, *, metric_crs: str
) -> dict[str, BaseGeometry]:
    """Voronoi cells of ``centres`` (code -> (lon, lat)) clipped to ``outline``.

    The cells are computed in ``metric_crs`` (never in degrees) and returned in
    EPSG:4326, keyed by code.
    """
    points = gpd.GeoSeries(
        [Point(lon, lat) for lon, lat in centres.values()], index=list(centres), crs="EPSG:4326"
    ).to_crs(metric_crs)
    boundary = gpd.GeoSeries([outline], crs="EPSG:4326").to_crs(metric_crs).iloc[0]
    outside = [code for code, pt in points.items() if not boundary.contains(pt)]
    if outside:
        raise ValueError(f"centres outside the urban outline: {outside}")
    cells = shapely.voronoi_polygons(
        MultiPoint(list(points.values)), extend_to=boundary.buffer(5_000)
    )
    zones: dict[str, BaseGeometry] = {}
    for cell in cells.geoms:
        code = next(c for c, pt in points.items() if cell.contains(pt))
        zones[code] = cell.intersection(boundary)
    return dict(
        zip(
            zones,
            gpd.GeoSeries(list(zones.values()), crs=metric_crs).to_crs("EPSG:4326"),
            strict=True,
        )
    )


def build_localidades() -> Layer:
    """Approximate localidad zones of Bogotá (never the official boundaries)."""
    urban = {
        r["code"]: (float(r["lon"]), float(r["lat"]))
        for r in LOCALIDADES
        if r["code"] != RURAL_CODE
    }
    zones = urban_zones(urban, Polygon(URBAN_OUTLINE), metric_crs=METRIC_CRS)
    zones[RURAL_CODE] = Polygon(SUMAPAZ_OUTLINE)
    features = []
    for row in LOCALIDADES:
        code, name, population = row["code"], row["name"], int(row["population_2024"])
        lat, lon = float(row["lat"]), float(row["lon"])
        if code == RURAL_CODE:
            how_es = (
                f"Polígono GROSERO dibujado a mano ({len(SUMAPAZ_OUTLINE)} vértices) para la "
                "zona rural de Sumapaz, "
                "al sur del área urbana: solo indica dónde está; sus bordes pueden errar en "
                "varios km."
            )
            how_en = (
                f"COARSE polygon drawn by hand ({len(SUMAPAZ_OUTLINE)} vertices) for rural "
                "Sumapaz, south of the "
                "urban area: it only shows where it is; its edges may be several km off."
            )
        else:
            how_es = (
                f"Zona aproximada: celda de Voronoi del centro aproximado de la localidad "
                f"({lat:.3f}, {lon:.3f}) entre los 19 centros urbanos, calculada en metros "
                f"({METRIC_CRS}) y recortada a un contorno del área urbana de Bogotá dibujado "
                f"a mano ({len(URBAN_OUTLINE)} vértices). La parte rural de Usme, Ciudad "
                "Bolívar y Santa Fe no "
                "está incluida."
            )
            how_en = (
                f"Approximate zone: Voronoi cell of the localidad's approximate centre "
                f"({lat:.3f}, {lon:.3f}) among the 19 urban centres, computed in metres "
                f"({METRIC_CRS}) and clipped to a hand-drawn outline of Bogotá's urban area "
                f"({len(URBAN_OUTLINE)} vertices). The rural parts of Usme, Ciudad Bolívar and "
                "Santa Fe are not "
                "included."
            )
        pop_es = f"{population:,}".replace(",", ".")
        desc_es = (
            f"{how_es} NO es el límite oficial: los bordes pueden errar en 1-2 km o más. "
            f"Población 2024 aproximada (proyecciones DANE): {pop_es}."
        )
        desc_en = (
            f"{how_en} This is NOT the official boundary: edges may be 1-2 km or more off. "
            f"Approximate 2024 population (DANE projections): {population:,}."
        )
        props = {
            "code": code,
            "name": name,
            "population_2024": population,
            "approx": True,
            "kind": "boundary",
            "source": FACTS_LOCALIDADES["layer"]["source"],
            "description_es": desc_es,
            "description_en": desc_en,
        }
        features.append(
            {"type": "Feature", "properties": props, "geometry": polygon_geojson(zones[code])}
        )
    return Layer.of("localidades", FACTS_LOCALIDADES, features)


# --------------------------------------------------------------------------- countries

# Natural Earth iso_a3 -> (iso_a2, Spanish name, English name)
FACTS_COUNTRIES = load_facts("countries")
LATAM_COUNTRIES = {row["iso_a3"]: row for row in load_rows("countries")}


def read_naturalearth(path: Path) -> gpd.GeoDataFrame:
    """Read ``naturalearth_lowres`` from the geopandas 0.14.4 wheel or an extracted ``.shp``."""
    if path.suffix == ".shp":
        return gpd.read_file(path)
    with tempfile.TemporaryDirectory() as tmp, zipfile.ZipFile(path) as wheel:
        members = [m for m in wheel.namelist() if m.startswith(NE_MEMBER)]
        if not members:
            raise ValueError(f"{path}: no {NE_MEMBER} inside; use the geopandas 0.14.4 wheel")
        for member in members:
            (Path(tmp) / Path(member).name).write_bytes(wheel.read(member))
        return gpd.read_file(Path(tmp) / "naturalearth_lowres.shp")


def build_countries(source: Path) -> Layer:
    """Latin American and Caribbean country outlines from Natural Earth 1:110m."""
    world = read_naturalearth(source)
    if world.crs is None or world.crs.to_epsg() != 4326:
        world = world.to_crs("EPSG:4326")
    keep = world[world["iso_a3"].isin(list(LATAM_COUNTRIES))]
    missing = set(LATAM_COUNTRIES) - set(keep["iso_a3"])
    if missing:
        raise ValueError(f"Natural Earth lacks {sorted(missing)}")
    features = []
    for row in sorted(LATAM_COUNTRIES.values(), key=lambda r: (r["iso_a2"], r["name_es"])):
        iso_a3, iso_a2, name_es, name_en = (
            row["iso_a3"],
            row["iso_a2"],
            row["name_es"],
            row["name_en"],
        )
        geom = keep.loc[keep["iso_a3"] == iso_a3, "geometry"].iloc[0]
        props = {
            "iso_a2": iso_a2,
            "name_es": name_es,
            "name_en": name_en,
            "kind": "boundary",
            "source": FACTS_COUNTRIES["layer"]["source"],
        }
        features.append({"type": "Feature", "properties": props, "geometry": polygon_geojson(geom)})
    return Layer.of("countries", FACTS_COUNTRIES, features)


def existing_countries(data_dir: Path) -> Layer:
    """Reuse ``countries.geojson`` already in ``data_dir`` when the wheel is not at hand."""
    path = data_dir / "countries.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    features = doc["features"]
    columns = dict.fromkeys(features[0]["properties"], "str")
    return Layer("countries", FACTS_COUNTRIES["layer"], columns, features)


# --------------------------------------------------------------------------- main


def build_all(data_dir: Path, naturalearth: Path) -> list[Layer]:
    """Build every layer, write its GeoJSON into ``data_dir`` and write the registry."""
    data_dir.mkdir(parents=True, exist_ok=True)
    layers = [
        build_care_blocks(),
        build_care_bus_stops(),
        build_home_care(),
        build_cooperatives(),
        build_training_offer(),
        build_national_systems(),
        build_localidades(),
    ]
    if naturalearth.exists():
        layers.append(build_countries(naturalearth))
    elif (data_dir / "countries.geojson").exists():
        log.warning("%s not found: keeping the existing countries.geojson", naturalearth)
        layers.append(existing_countries(data_dir))
    else:
        raise FileNotFoundError(
            f"{naturalearth} not found and no countries.geojson to keep: run "
            "'pip download --no-deps geopandas==0.14.4 -d /tmp/gpd014' first"
        )
    for layer in layers:
        check_columns(layer)
        if layer.layer_id != "countries" or naturalearth.exists():
            write_geojson(data_dir / layer.entry["file"], layer.layer_id, layer.features)
    write_registry(data_dir / "layers.toml", layers)
    return layers


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--naturalearth",
        type=Path,
        default=DEFAULT_NE_WHEEL,
        help="geopandas 0.14.4 wheel (or naturalearth_lowres.shp) holding Natural Earth 1:110m",
    )
    parser.add_argument("--data-dir", type=Path, default=DATA_DIR, help="output folder")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug messages")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(message)s"
    )
    layers = build_all(args.data_dir, args.naturalearth)
    log.info("built %d layers in %s", len(layers), args.data_dir)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
