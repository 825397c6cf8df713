"""Build Care Atlas's bundled sample layers in ``data/`` from hand-checked fact tables.

Every layer is written as an RFC 7946 GeoJSON FeatureCollection (EPSG:4326,
longitude/latitude, UTF-8, no ``crs`` member), and ``data/layers.toml`` is written
from the same column declarations, so the registry and the files cannot drift apart.

The fact tables below are Python literals copied from ``shared/facts/README.md`` and
the seed documents in ``shared/seeds/`` (see ``data/README.md`` for each layer's
sources). Nothing is fetched from the network, with one exception that is done once
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
import json
import logging
import tempfile
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import shapely
from shapely.geometry import MultiPoint, Point, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

log = logging.getLogger("build_sample_data")

PROJECT_DIR = Path(__file__).resolve().parents[1]
DATA_DIR = PROJECT_DIR / "data"
DEFAULT_NE_WHEEL = Path("/tmp/gpd014/geopandas-0.14.4-py3-none-any.whl")  # noqa: S108
NE_MEMBER = "geopandas/datasets/naturalearth_lowres/"
METRIC_CRS = "EPSG:9377"  # MAGNA-SIRGAS 2018 / Origen-Nacional (Colombia), metres
POLYGON_DECIMALS = 5

LICENCE_CC = "CC BY 4.0 (Care Atlas compilation of public sources)"
LICENCE_NE = "Public domain (Natural Earth)"
FACTS = "Care Atlas facts file (shared/facts/README.md)"
SEED_000 = "ILO, Care.Coop technical note 'Caring from the Territory', 29 Oct 2025 (seed 000)"
SEED_001 = "Bogotá District Care System, Home care programme results 2023 (seed 001)"
SEED_002 = (
    "ILO/CINTERFOR, The Rising Role of Vocational Training Institutions in Latin America: "
    "Training and Certification Services for Care Work (2023, CC BY 4.0; seed 002)"
)
SEED_003 = (
    "Public Care Services: Regional progress and challenges, event note, 11 Aug 2025 (seed 003)"
)
BOGOTA_PRESS = (
    "press notes: elespectador.com, bogota.gov.co, bogotaampm.com, colombianews.info, "
    "alertabogota.com, semana.com"
)

ALL_POPULATIONS = "children;older;disability;carers"
BLOCK_CATALOGUE = (
    "child_care;older_care;disability_care;respite;training;certification;schooling;"
    "employment;legal_aid;psychosocial;laundry;mens_school"
)
CATALOGUE_ES = (
    "Servicios: se muestra el CATÁLOGO distrital de las Manzanas del Cuidado, no la oferta "
    "verificada de esta manzana (la oferta varía de una manzana a otra): para las personas "
    "cuidadoras, formación y certificación de saberes con el SENA, terminar primaria o "
    "bachillerato, orientación para el empleo, orientación jurídica y psicosocial, respiro y "
    "autocuidado, lavanderías comunitarias y la Escuela de Hombres al Cuidado; al mismo tiempo, "
    "para quienes reciben cuidado, cuidado y educación inicial de niñas y niños, actividades "
    "para personas mayores y atención a personas con discapacidad."
)
CATALOGUE_EN = (
    "Services: this is the district CATALOGUE of the care blocks, not this block's verified "
    "offer (the offer varies from block to block): for carers, training and skills "
    "certification with SENA, completing primary or secondary school, employment guidance, "
    "legal and psychosocial guidance, respite and self-care, community laundries and the "
    "men's school of care (Escuela de Hombres al Cuidado); at the same time, for the people "
    "they care for, child care and early education, day activities for older persons and care "
    "for persons with disabilities."
)
NEIGHBOURHOOD_ES = "Ubicación aproximada, situada a mano en el sector indicado (error de 0,5-2 km)."
NEIGHBOURHOOD_EN = "Approximate position, placed by hand at the named area (good to 0.5-2 km)."

MONTHS_ES = (
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
)
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# Columns common to every point layer, in file order.
POINT_COLUMNS: dict[str, str] = {
    "id": "str",
    "name": "str",
    "kind": "str",
    "operator": "str",
    "populations": "str",
    "services": "str",
    "country": "str",
    "city": "str",
    "description_es": "str",
    "description_en": "str",
    "source": "str",
    "location_precision": "str",
}


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Layer:
    """A built layer: its registry entry (without columns) plus features and columns."""

    layer_id: str
    entry: Mapping[str, Any]
    columns: Mapping[str, str]
    features: list[dict[str, Any]]


def date_es(value: str) -> str:
    """Spell an ISO date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` in Spanish."""
    parts = value.split("-")
    if len(parts) == 1:
        return value
    month = MONTHS_ES[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} de {parts[0]}"
    return f"{int(parts[2])} de {month} de {parts[0]}"


def date_en(value: str) -> str:
    """Spell an ISO date ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` in English."""
    parts = value.split("-")
    if len(parts) == 1:
        return value
    month = MONTHS_EN[int(parts[1]) - 1]
    if len(parts) == 2:
        return f"{month} {parts[0]}"
    return f"{int(parts[2])} {month} {parts[0]}"


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


def _toml_value(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, str):
        # A JSON string is a valid TOML basic string (same escapes); keep accents as is.
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {value!r} to TOML")


SAMPLE_DATASET = {
    "id": "sample",
    "title": {
        "es": "Muestra ilustrativa incluida (no oficial)",
        "en": "Bundled illustrative sample (not official)",
    },
    "vintage": "facts compiled 2023-2025",
    "licence": LICENCE_CC,
    "attribution": "Care Atlas compilation of public sources; Natural Earth (public domain)",
}


def write_registry(path: Path, layers: Iterable[Layer]) -> None:
    """Write ``layers.toml``: one ``[layers.<id>]`` table and its ``.columns`` per layer."""
    out = [
        "# Registry of the bundled layers. One table per layer under [layers.<id>].",
        "# Written by tools/build_sample_data.py: edit the script, not this file.",
        "# Column types: str, int, float, bool; a trailing '?' means the value may be null.",
        "",
        "# Which dataset this folder holds: the app names it on every page.",
        "[dataset]",
        f"id = {_toml_value(SAMPLE_DATASET['id'])}",
        f"title = {_toml_value(SAMPLE_DATASET['title'])}",
        f"vintage = {_toml_value(SAMPLE_DATASET['vintage'])}",
        f"licence = {_toml_value(SAMPLE_DATASET['licence'])}",
        f"attribution = {_toml_value(SAMPLE_DATASET['attribution'])}",
        "sample = true",
    ]
    for layer in layers:
        out.append("")
        out.append(f"[layers.{layer.layer_id}]")
        out.extend(f"{key} = {_toml_value(value)}" for key, value in layer.entry.items())
        out.append(f"[layers.{layer.layer_id}.columns]")
        out.extend(f"{name} = {_toml_value(ctype)}" for name, ctype in layer.columns.items())
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    log.info("wrote %s", path.name)


def entry(  # noqa: PLR0913 (keyword API with many callers; a parameter object is left to do)
    *,
    file: str,
    title: tuple[str, str],
    description: tuple[str, str],
    kind: str,
    geometry: str,
    id_field: str,
    source: str,
    licence: str,
    date: str,
    precision: str,
    region: str,
) -> dict[str, Any]:
    """Registry entry in the key order of the documented ``layers.toml`` format."""
    return {
        "file": file,
        "title": {"es": title[0], "en": title[1]},
        "description": {"es": description[0], "en": description[1]},
        "kind": kind,
        "geometry": geometry,
        "crs": "EPSG:4326",
        "id_field": id_field,
        "source": source,
        "licence": licence,
        "date": date,
        "precision": precision,
        "region": region,
    }


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


CARE_BLOCKS: tuple[CareBlock, ...] = (
    CareBlock(1, "Ciudad Bolívar", "SuperCADE Manitas (TransMiCable)", "", "", "2020-10",
              4.558, -74.150),
    CareBlock(2, "Bosa", "", "Bosa", "Bosa", "2021", 4.625, -74.192),
    CareBlock(3, "San Cristóbal", "", "San Cristóbal", "San Cristóbal", "2021", 4.566, -74.090),
    CareBlock(4, "Usme", "", "el centro de Usme", "Usme centre", "2021", 4.508, -74.112),
    CareBlock(5, "Los Mártires", "", "Los Mártires", "Los Mártires", "2021", 4.606, -74.090),
    CareBlock(6, "Kennedy", "", "Kennedy", "Kennedy", "2021", 4.610, -74.152),
    CareBlock(7, "Usaquén", "", "Usaquén", "Usaquén", "2021", 4.740, -74.035),
    CareBlock(8, "Santa Fe / La Candelaria", "", "el Centro (Santa Fe / La Candelaria)",
              "the city centre (Santa Fe / La Candelaria)", "2022", 4.601, -74.068),
    CareBlock(9, "Engativá", "", "Engativá", "Engativá", "2022", 4.697, -74.105),
    CareBlock(10, "Rafael Uribe Uribe", "", "Rafael Uribe Uribe", "Rafael Uribe Uribe", "2022",
              4.570, -74.112),
    CareBlock(11, "Ciudad Bolívar", "Jardín infantil «Dejando Huella» (El Mochuelo)", "", "",
              "2022-09", 4.513, -74.147,
              note_es="Manzana rural, en la vereda El Mochuelo (zona rural de Ciudad Bolívar).",
              note_en="Rural block, in El Mochuelo (rural Ciudad Bolívar)."),
    CareBlock(12, "Bosa", "Complejo de Justicia Campo Verde", "", "", "2022-10-04",
              4.612, -74.205),
    CareBlock(13, "San Cristóbal", "Parque Entrenubes", "", "", "2022", 4.546, -74.094),
    CareBlock(14, "Tunjuelito", "Molinos", "", "", "2022", 4.557, -74.121),
    CareBlock(15, "Fontibón", "CDC La Giralda", "", "", "2023-02-27", 4.668, -74.146),
    CareBlock(16, "Suba", "Complejo de piscinas públicas de Suba", "", "", "2023",
              4.741, -74.084),
    CareBlock(17, "Puente Aranda", "CDC José Antonio Galán", "", "", "2023", 4.620, -74.123,
              official_number=18,
              note_es=("Cobertura oficial de ejemplo: 64.168 residentes en su zona de unos 15 "
                       "minutos a pie, de los cuales 5.719 son personas cuidadoras y 16.108 "
                       "requieren cuidado."),
              note_en=("Example official coverage: 64,168 residents in its ~15-minute walking "
                       "zone, of whom 5,719 are carers and 16,108 need care.")),
    CareBlock(18, "Antonio Nariño", "", "Antonio Nariño", "Antonio Nariño", "2023",
              4.589, -74.102, official_number=20),
    CareBlock(19, "San Cristóbal", "SuperCADE 20 de Julio", "", "", "2025-12-16",
              4.572, -74.096, official_number=27,
              note_es="Con ella, Bogotá llegó a 27 Manzanas del Cuidado en diciembre de 2025.",
              note_en="With it Bogotá reached 27 care blocks in December 2025."),
)  # fmt: skip


def build_care_blocks() -> Layer:
    """Care blocks (Manzanas del Cuidado) of Bogotá: facts §1 table, one point per row."""
    columns = POINT_COLUMNS | {
        "block_number": "int",
        "official_number": "int?",
        "localidad": "str",
        "anchor": "str",
        "opened": "str",
        "services_verified": "bool",
    }
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
                f"Manzana del Cuidado en {b.localidad} (Bogotá), abierta en {date_es(b.opened)}.",
                anchor_es,
                num_es,
                b.note_es,
                CATALOGUE_ES,
                NEIGHBOURHOOD_ES,
            )
            if s
        )
        desc_en = " ".join(
            s
            for s in (
                f"Care block in {b.localidad} (Bogotá), opened {date_en(b.opened)}.",
                anchor_en,
                num_en,
                b.note_en,
                CATALOGUE_EN,
                NEIGHBOURHOOD_EN,
            )
            if s
        )
        props = {
            "id": f"mc-{b.number:02d}",
            "name": name,
            "kind": "care_block",
            "operator": "public",
            "populations": ALL_POPULATIONS,
            "services": BLOCK_CATALOGUE,
            "country": "CO",
            "city": "Bogotá",
            "description_es": desc_es,
            "description_en": desc_en,
            "source": f"{FACTS} §1: {BOGOTA_PRESS}; services: District care-system press material",
            "location_precision": "neighbourhood",
            "block_number": b.number,
            "official_number": b.official_number,
            "localidad": b.localidad,
            "anchor": b.anchor,
            "opened": b.opened,
            "services_verified": False,
        }
        features.append(point_feature(b.lat, b.lon, props))
    return Layer(
        "care_blocks",
        entry(
            file="care_blocks.geojson",
            title=("Manzanas del Cuidado (Bogotá)", "Care blocks (Bogotá)"),
            description=(
                "19 de las 27 Manzanas del Cuidado de Bogotá (diciembre de 2025), situadas a "
                "mano en su barrio o sector (aprox., 0,5-2 km). Los servicios son el catálogo "
                "distrital, no la oferta verificada de cada manzana. En varias no se encontró "
                "el equipamiento ancla.",
                "19 of Bogotá's 27 care blocks (December 2025), placed by hand at their "
                "neighbourhood or area (approx., 0.5-2 km). Services are the district "
                "catalogue, not each block's verified offer. For several blocks the anchor "
                "facility was not found.",
            ),
            kind="care_block",
            geometry="Point",
            id_field="id",
            source=f"{FACTS} §1 (Sistema Distrital de Cuidado): {BOGOTA_PRESS}",
            licence=LICENCE_CC,
            date="2025-12-16",
            precision=(
                "neighbourhood: positions placed by hand at the named neighbourhood or anchor "
                "facility, good to about 0.5-2 km"
            ),
            region="bogota",
        ),
        columns,
        features,
    )


# --------------------------------------------------------------------------- care buses

# (localidad, area, lat, lon, placement_es, placement_en)
CARE_BUS_STOPS: tuple[tuple[str, str, float, float, str, str], ...] = (
    ("Usme", "rural", 4.430, -74.125,
     "situado a mano en la zona rural de Usme, unos 8 km al sur del centro urbano de la "
     "localidad (4,505, -74,115), sin elegir una vereda concreta: error de varios km",
     "placed by hand in rural Usme, about 8 km south of the localidad's urban centre "
     "(4.505, -74.115), without choosing a particular vereda: error of several km"),
    ("Ciudad Bolívar", "rural", 4.470, -74.160,
     "situado a mano en la zona rural de Ciudad Bolívar, unos 9 km al sur del centro urbano "
     "de la localidad (4,550, -74,150), sin elegir una vereda concreta: error de varios km",
     "placed by hand in rural Ciudad Bolívar, about 9 km south of the localidad's urban "
     "centre (4.550, -74.150), without choosing a particular vereda: error of several km"),
    ("Santa Fe", "rural", 4.595, -74.030,
     "situado a mano en la zona rural de Santa Fe, en los cerros orientales, unos 4 km al "
     "este del centro urbano de la localidad (4,605, -74,068), sin elegir una vereda "
     "concreta: error de varios km",
     "placed by hand in rural Santa Fe, in the eastern hills, about 4 km east of the "
     "localidad's urban centre (4.605, -74.068), without choosing a particular vereda: "
     "error of several km"),
    ("Tunjuelito", "urban", 4.575, -74.132,
     "situado en el centro aproximado de la localidad (error de 0,5-2 km o más)",
     "placed at the localidad's approximate centre (good to 0.5-2 km or worse)"),
    ("Bosa", "urban", 4.620, -74.190,
     "situado en el centro aproximado de la localidad (error de 0,5-2 km o más)",
     "placed at the localidad's approximate centre (good to 0.5-2 km or worse)"),
    ("Kennedy", "urban", 4.630, -74.150,
     "situado en el centro aproximado de la localidad (error de 0,5-2 km o más)",
     "placed at the localidad's approximate centre (good to 0.5-2 km or worse)"),
)  # fmt: skip


def build_care_bus_stops() -> Layer:
    """Buses del Cuidado stops of late 2025 (facts §1), one point per localidad."""
    columns = POINT_COLUMNS | {"localidad": "str", "area": "str", "period": "str"}
    features = []
    for i, (localidad, area, lat, lon, place_es, place_en) in enumerate(CARE_BUS_STOPS, 1):
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
        features.append(point_feature(lat, lon, props))
    return Layer(
        "care_bus_stops",
        entry(
            file="care_bus_stops.geojson",
            title=("Buses del Cuidado: paradas de finales de 2025", "Care buses: late-2025 stops"),
            description=(
                "Localidades donde paraban los Buses del Cuidado a finales de 2025 (rurales: "
                "Usme, Ciudad Bolívar, Santa Fe; urbanas: Tunjuelito, Bosa, Kennedy). Las "
                "paradas exactas no se publican: cada punto es el centro aproximado de la "
                "localidad o, en lo rural, un punto situado a mano en su zona rural.",
                "Localidades where the care buses stopped in late 2025 (rural: Usme, Ciudad "
                "Bolívar, Santa Fe; urban: Tunjuelito, Bosa, Kennedy). Exact stops are not "
                "published: each point is the localidad's approximate centre or, for rural "
                "stops, a point placed by hand in its rural part.",
            ),
            kind="care_bus",
            geometry="Point",
            id_field="id",
            source=f"{FACTS} §1: District care-system press material (Buses del Cuidado)",
            licence=LICENCE_CC,
            date="2025-12-16",
            precision=(
                "neighbourhood: urban stops at the localidad's approximate centre (0.5-2 km or "
                "worse); rural stops placed by hand in the rural part (several km)"
            ),
            region="bogota",
        ),
        columns,
        features,
    )


# --------------------------------------------------------------------------- home care

HOME_CARE_LOCALIDADES: tuple[tuple[str, float, float], ...] = (
    ("Ciudad Bolívar", 4.550, -74.150),
    ("Bosa", 4.620, -74.190),
    ("Kennedy", 4.630, -74.150),
)
HOME_CARE_2023 = {
    "programme_households_2023": 102,
    "programme_sessions_2023": 1287,
    "programme_hours_2023": 4917,
    "programme_certified_2023": 85,
    "programme_legal_consultations_2023": 196,
    "programme_workshops_2023": 2,
}


def build_home_care() -> Layer:
    """Cuidado a domicilio (home care) 2023: seed 001, one point per localidad served."""
    columns = POINT_COLUMNS | {"localidad": "str"} | dict.fromkeys(HOME_CARE_2023, "int")
    features = []
    for i, (localidad, lat, lon) in enumerate(HOME_CARE_LOCALIDADES, 1):
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
            "source": f"{SEED_001}; {FACTS} §1",
            "location_precision": "neighbourhood",
            "localidad": localidad,
        } | HOME_CARE_2023
        features.append(point_feature(lat, lon, props))
    return Layer(
        "home_care",
        entry(
            file="home_care.geojson",
            title=("Cuidado a domicilio (Bogotá, 2023)", "Home care (Bogotá, 2023)"),
            description=(
                "Localidades atendidas en 2023 por el Cuidado a domicilio (Ciudad Bolívar, Bosa, "
                "Kennedy), cada una en su centro aproximado. Las cifras son totales del programa "
                "para las tres localidades juntas, repetidos en cada punto.",
                "Localidades served by home care in 2023 (Ciudad Bolívar, Bosa, Kennedy), each "
                "at its approximate centre. Figures are programme totals for the three "
                "localidades together, repeated on each point.",
            ),
            kind="home_care",
            geometry="Point",
            id_field="id",
            source=f"{SEED_001}; {FACTS} §1",
            licence=LICENCE_CC,
            date="2023-12-31",
            precision=(
                "neighbourhood: the localidad's approximate centre; the service itself is "
                "delivered in homes across the localidad"
            ),
            region="bogota",
        ),
        columns,
        features,
    )


# --------------------------------------------------------------------------- cooperatives


@dataclass(frozen=True)
class Initiative:
    """One place of a care cooperative or SSE initiative (facts §2)."""

    name: str
    operator: str
    populations: str
    services: str
    country: str
    city: str
    lat: float
    lon: float
    founded: str
    members: int | None
    programme: str
    source: str
    description_es: str
    description_en: str


CITY_ES = "Ubicado en el centro de la ciudad o municipio (precisión: ciudad)."
CITY_EN = "Placed at the city or municipality centre (precision: city)."

INITIATIVES: tuple[Initiative, ...] = (
    Initiative(
        "Care.Coop El Alto: mapa digital de servicios de cuidado", "community", ALL_POPULATIONS,
        "care_info;community_care", "BO", "El Alto", -16.504, -68.163, "", None,
        "ILO Care.Coop", SEED_000,
        "Piloto de la metodología Care.Coop de la OIT (nivel micro): un mapa digital de "
        "servicios de cuidado mejoró el acceso de la comunidad y se fortalecieron iniciativas "
        "lideradas por pueblos indígenas. Población atendida no detallada en la fuente. "
        + CITY_ES,
        "Pilot of the ILO Care.Coop methodology (micro level): a digital map of care services "
        "improved community access and indigenous-led initiatives were strengthened. Population "
        "served not detailed in the source. " + CITY_EN,
    ),
    Initiative(
        "Casa de partería y cuidado ancestral (ASOREDIPAR Chocó)", "community",
        "children;carers", "midwifery;ancestral_care", "CO", "Quibdó", 5.694, -76.658, "", None,
        "ILO Care.Coop", f"{SEED_000}; {FACTS} §2",
        "Piloto Care.Coop de la OIT en Chocó: primera casa de partería y cuidado ancestral, "
        "con ASOREDIPAR Chocó. Situada en Quibdó, capital del departamento; el municipio exacto "
        "no consta en la fuente. " + CITY_ES,
        "ILO Care.Coop pilot in Chocó: the first midwifery and ancestral care house, with "
        "ASOREDIPAR Chocó. Placed at Quibdó, the department capital; the exact municipality is "
        "not given in the source. " + CITY_EN,
    ),
    Initiative(
        "Casa de cuidado ancestral arhuaca (JOSA Women Peacebuilders)", "community",
        ALL_POPULATIONS, "ancestral_care;community_care", "CO", "Pueblo Bello", 10.417, -73.588,
        "", None, "ILO Care.Coop", f"{SEED_000}; {FACTS} §2",
        "Piloto Care.Coop de la OIT en Cesar: casa de cuidado ancestral con la comunidad "
        "arhuaca, junto a JOSA Women Peacebuilders. Población atendida no detallada en la "
        "fuente. " + CITY_ES,
        "ILO Care.Coop pilot in Cesar: an ancestral care house with the Arhuaco community, with "
        "JOSA Women Peacebuilders. Population served not detailed in the source. " + CITY_EN,
    ),
    Initiative(
        "CoopCuidados: cooperativa de trabajadoras domésticas y del cuidado", "cooperative",
        "households", "home_care", "HN", "Tegucigalpa", 14.072, -87.192, "2024-10-29", 18,
        "ILO Care.Coop", f"{SEED_000}; {FACTS} §2 (press reports)",
        "Primera cooperativa de trabajadoras domésticas y del cuidado de Honduras, con 18 "
        "personas fundadoras (29 de octubre de 2024), apoyada por Care.Coop de la OIT. La "
        "ciudad no se indica en las fuentes: se supone Tegucigalpa (supuesto, no verificado). "
        + CITY_ES,
        "Honduras's first cooperative of domestic and care workers, with 18 founders (29 "
        "October 2024), supported by ILO Care.Coop. The city is not stated in the sources: "
        "Tegucigalpa is assumed (an assumption, not verified). " + CITY_EN,
    ),
    Initiative(
        "Modelo municipal de cuidados – Distrito Central", "public", ALL_POPULATIONS,
        "care_info;community_care", "HN", "Distrito Central (Tegucigalpa)", 14.072, -87.192,
        "", None, "ILO Care.Coop; UNDP care georeferencing pilot", f"{SEED_000}; {FACTS} §2",
        "Modelo municipal de cuidados impulsado con Care.Coop de la OIT y piloto de "
        "georreferenciación de cuidados del PNUD, en el Distrito Central. Población atendida no "
        "detallada en la fuente. " + CITY_ES,
        "Municipal care model promoted with ILO Care.Coop and UNDP care georeferencing pilot, "
        "in Distrito Central. Population served not detailed in the source. " + CITY_EN,
    ),
    Initiative(
        "Modelo municipal de cuidados – Sensenti", "public", ALL_POPULATIONS,
        "care_info;community_care", "HN", "Sensenti", 14.491, -88.935, "", None,
        "ILO Care.Coop; UNDP care georeferencing pilot", f"{SEED_000}; {FACTS} §2",
        "Modelo municipal de cuidados impulsado con Care.Coop de la OIT y piloto de "
        "georreferenciación de cuidados del PNUD, en Sensenti (Ocotepeque). Población atendida "
        "no detallada en la fuente. " + CITY_ES,
        "Municipal care model promoted with ILO Care.Coop and UNDP care georeferencing pilot, "
        "in Sensenti (Ocotepeque). Population served not detailed in the source. " + CITY_EN,
    ),
    Initiative(
        "Programa de Asistentes Personales: prestación colectiva mediante cooperativas",
        "cooperative", "older;disability", "personal_assistance", "UY", "Montevideo",
        -34.901, -56.164, "2022", None, "Sistema Nacional Integrado de Cuidados (SNIC)",
        f"{SEED_002}, Box 12 and Box 16",
        "Piloto de 2022 del Sistema Nacional de Cuidados: el Programa de Asistentes Personales "
        "(para personas en situación de dependencia severa) pasa de la prestación individual a "
        "una prestación colectiva mediante cooperativas de cuidadoras, con igual remuneración y "
        "apoyo en formación y gestión cooperativa. Las localidades del piloto no se indican: el "
        "punto está en Montevideo, sede del programa nacional. " + CITY_ES,
        "2022 pilot of Uruguay's National Care System: the Personal Assistants Programme (for "
        "people in severe dependency) moves from individual provision to collective provision "
        "through care-worker cooperatives, with equal pay and support in training and "
        "cooperative management. The pilot's places are not given: the point is at Montevideo, "
        "seat of the national programme. " + CITY_EN,
    ),
    Initiative(
        "Casa comunitaria de cuidados – Florida", "community", ALL_POPULATIONS,
        "community_care", "UY", "Florida", -34.099, -56.214, "", None, "",
        f"{FACTS} §2 (press reports)",
        "Casa comunitaria de cuidados en Florida (Uruguay). Servicios y población atendida no "
        "detallados en las fuentes de esta muestra. " + CITY_ES,
        "Community care house in Florida (Uruguay). Services and population served are not "
        "detailed in this sample's sources. " + CITY_EN,
    ),
    Initiative(
        "Casa comunitaria de cuidados – Tacuarembó", "community", ALL_POPULATIONS,
        "community_care", "UY", "Tacuarembó", -31.711, -55.981, "", None, "",
        f"{FACTS} §2 (press reports)",
        "Casa comunitaria de cuidados en Tacuarembó (Uruguay). Servicios y población atendida "
        "no detallados en las fuentes de esta muestra. " + CITY_ES,
        "Community care house in Tacuarembó (Uruguay). Services and population served are not "
        "detailed in this sample's sources. " + CITY_EN,
    ),
    Initiative(
        "Trelew Ciudad de Cuidados: cooperativas de cuidado", "cooperative",
        "children;older;disability",
        "community_care;training;child_care;older_care;disability_care",
        "AR", "Trelew", -43.249, -65.305, "", None,
        "Trelew Ciudad de Cuidados (Universidad del Chubut)", f"{SEED_002}, Box 12",
        "Proyecto de la Universidad del Chubut, con la Universidad Tres de Febrero y "
        "organismos públicos: diagnóstico local de cuidados, formación de cuidadoras (primera "
        "infancia; personas mayores y con discapacidad) e incubación de las cuatro primeras "
        "cooperativas de cuidado, que forman una red con formación continua. " + CITY_ES,
        "Project of the University of Chubut, with the Tres de Febrero University and public "
        "bodies: local diagnosis of care needs, training of carers (early childhood; older "
        "persons and persons with disabilities) and incubation of the first four care "
        "cooperatives, which form a network with continuing training. " + CITY_EN,
    ),
    Initiative(
        "Cuidacoop", "cooperative", ALL_POPULATIONS, "community_care", "AR", "Formosa",
        -26.185, -58.173, "", None, "", f"{FACTS} §2 (press reports)",
        "Cooperativa de cuidados en Formosa (Argentina). Servicios y población atendida no "
        "detallados en las fuentes de esta muestra. " + CITY_ES,
        "Care cooperative in Formosa (Argentina). Services and population served are not "
        "detailed in this sample's sources. " + CITY_EN,
    ),
)  # fmt: skip


def build_cooperatives() -> Layer:
    """Care cooperatives and SSE initiatives (facts §2), one point per place."""
    columns = POINT_COLUMNS | {"founded": "str", "members": "int?", "programme": "str"}
    features = []
    for i, it in enumerate(INITIATIVES, 1):
        props = {
            "id": f"coop-{i:02d}",
            "name": it.name,
            "kind": "cooperative",
            "operator": it.operator,
            "populations": it.populations,
            "services": it.services,
            "country": it.country,
            "city": it.city,
            "description_es": it.description_es,
            "description_en": it.description_en,
            "source": it.source,
            "location_precision": "city",
            "founded": it.founded,
            "members": it.members,
            "programme": it.programme,
        }
        features.append(point_feature(it.lat, it.lon, props))
    return Layer(
        "cooperatives",
        entry(
            file="cooperatives.geojson",
            title=(
                "Cooperativas e iniciativas de economía social del cuidado",
                "Care cooperatives and social-economy initiatives",
            ),
            description=(
                "Cooperativas de cuidado e iniciativas de economía social y solidaria (pilotos "
                "Care.Coop de la OIT en Bolivia, Colombia y Honduras; Uruguay; Argentina), en el "
                "centro de su ciudad o municipio. La ciudad de CoopCuidados (Tegucigalpa) es un "
                "supuesto.",
                "Care cooperatives and social and solidarity economy initiatives (ILO Care.Coop "
                "pilots in Bolivia, Colombia and Honduras; Uruguay; Argentina), at their city or "
                "municipality centre. CoopCuidados's city (Tegucigalpa) is assumed.",
            ),
            kind="cooperative",
            geometry="Point",
            id_field="id",
            source=f"{SEED_000}; {SEED_002}, Box 12; {FACTS} §2 (press reports)",
            licence=LICENCE_CC,
            date="2025-10-29",
            precision="city: points at the city or municipality centre, not at a premises",
            region="latam",
        ),
        columns,
        features,
    )


# --------------------------------------------------------------------------- training offer

# Institutions: short name -> (name as in the report, country, HQ city, lat, lon)
INSTITUTIONS: dict[str, tuple[str, str, str, float, float]] = {
    "MTEySS": ("MTEySS (Ministry of Labour, Employment and Social Security)", "AR",
               "Buenos Aires", -34.604, -58.382),
    "Ministry of Education (SPCC)": ("Ministry of Education (SPCC certification)", "BO",
                                     "La Paz", -16.500, -68.134),
    "INFOCAL": ("INFOCAL Foundation (National TVET Foundation)", "BO", "Tarija",
                -21.535, -64.729),
    "ChileValora": ("ChileValora (Commission of the National System for Skills Certification)",
                    "CL", "Santiago", -33.449, -70.669),
    "SENCE": ("SENCE (National Training and Employment Service)", "CL", "Santiago",
              -33.449, -70.669),
    "SENA": ("SENA (National Apprenticeship Service)", "CO", "Bogotá", 4.611, -74.070),
    "INA": ("INA (National Learning Institute)", "CR", "San José", 9.933, -84.080),
    "INSAFORP": ("INSAFORP (Salvadoran TVET Institute)", "SV", "San Salvador",
                 13.692, -89.218),
    "CONOCER": ("CONOCER (National Council for Standardisation and Certification of Skills)",
                "MX", "Ciudad de México", 19.433, -99.133),
    "INEFOP": ("INEFOP (National Institute for Employment and TVET)", "UY", "Montevideo",
               -34.901, -56.164),
    "INFOTEP": ("INFOTEP (National TVET Institute)", "DO", "Santo Domingo", 18.486, -69.931),
}  # fmt: skip

# Who runs each institution: (operator code, where the report says so). The report only says
# that it worked "mainly with public institutions" (section II); an empty source means the
# classification is Care Atlas's own, not the report's.
OPERATORS: dict[str, tuple[str, str]] = {
    "MTEySS": ("public", "a ministry (Table 1)"),
    "Ministry of Education (SPCC)": ("public", "a ministry (Table 1)"),
    "INFOCAL": ("foundation", "'INFOCAL Foundation' (Table 1), 'National TVET Foundation'"),
    "ChileValora": ("public", ""),
    "SENCE": ("public", "'the Chilean Government entity' (Annex 1, note)"),
    "SENA": ("public", ""),
    "INA": ("public", ""),
    "INSAFORP": ("public", ""),
    "CONOCER": ("public", ""),
    "INEFOP": ("public", ""),
    "INFOTEP": ("public", "one of the '11 government institutions' of the pilot (Box 9)"),
}


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


_AR_ENTRY = (
    "Over 18 years of age; National Identity Card; completed primary education and/or basic "
    "literacy and numeracy skills"
)
_AR_MERGED = (
    "El Anexo 1 da los requisitos de ingreso una sola vez (celda combinada) para todos los "
    "cursos del MTEySS; se repiten en cada fila.",
    "Annex 1 gives the entry requirements once (merged cell) for all MTEySS courses; they are "
    "repeated on each row.",
)
_CL_HEALTH = "Certificate of health condition compatible with the occupation"
_CL_DEGREE = (
    "To perform the occupation: professional degree in a related field; for assessment and "
    "certification: no requirements"
)
_CL_DURATION = "3 weeks approx. (from the call for applications to validation of the assessment)"
_CL_MERGED = (
    "El Anexo 1 da la duración («3 weeks approx.») una sola vez (celda combinada) para los "
    "siete perfiles de ChileValora; se repite en cada fila.",
    "Annex 1 gives the duration ('3 weeks approx.') once (merged cell) for all seven "
    "ChileValora profiles; it is repeated on each row.",
)
_CL_SENCE = (
    "Solo en el Anexo 1: la Tabla 1 nombra para Chile a ChileValora; el SENCE aparece en una "
    "nota, como la entidad con la que ChileValora se articula para la formación.",
    "Annex 1 only: Table 1 names ChileValora for Chile; SENCE appears in a note, as the body "
    "ChileValora works with for training.",
)
NA = "n. a."  # the report's "not applicable", kept as the report prints it
_CO_ENTRY = (
    "Proof of employment with at least 6 months of experience in the area to be certified; "
    "copy of identity card; Venezuelan migrants: PEP, PPT or foreigner identification card; "
    "people in the New Opportunities for Employability (NOE) strategy need no work "
    "certificate but take a diagnostic test first"
)
_CR_ENTRY = (
    "Programme: completed primary education; minimum age 18; Costa Rican with valid identity "
    "document, or foreigner with current residency and/or DIMEX; admission process. "
    "Certification: minimum age 18; identity/residency as above; technical interview and "
    "assessment activities of the Certification Test; approval of the establishment if tested "
    "at the workplace; Food Handling Certificate (INA or accredited bodies)"
)
_MX_ENTRY = (
    "None: under CONOCER's regulations any person may certify their skills in any standard "
    "registered in the national register of standards (RENEC)"
)
_MX_DURATION = (
    "No set timeframe: agreed between candidate and assessor (set timeframes only for payments "
    "and issuing certificates)"
)
_MX_NOTE_ES = (
    "CONOCER informa de unas 127.000 personas certificadas en estándares de cuidado entre "
    "2008 y 2023 (Recuadro 13), sobre todo en centros de atención infantil."
)
_MX_NOTE_EN = (
    "CONOCER reports about 127,000 people certified in care standards in 2008-2023 (Box 13), "
    "mostly in child care centres."
)
_MX_MERGED = (
    "El Anexo 1 da el tipo de servicio, los requisitos de ingreso y la duración una sola vez "
    "(celdas combinadas) para las ocho normas del CONOCER; se repiten en cada fila.",
    "Annex 1 gives the type of service, entry requirements and duration once (merged cells) "
    "for all eight CONOCER standards; they are repeated on each row.",
)
_DEP_ES = "personas en situación de dependencia (mayores y con discapacidad, Anexo 2)"

STANDARDS: tuple[Standard, ...] = (
    # Argentina: MTEySS (Table 1 and Annex 1)
    Standard("MTEySS", "Household caregiver", "Cuidador/a en casas particulares", "training",
             113, None, _AR_ENTRY, NA, "households", caveats=(_AR_MERGED,)),
    Standard("MTEySS", "Non-therapeutic home carer for older persons",
             "Cuidador/a domiciliario/a no terapéutico/a de personas mayores", "training",
             104, None, _AR_ENTRY, NA, "older", populations_source="Annex 2",
             caveats=(_AR_MERGED, (
                 "El Anexo 1 lo marca «Training ****»: la evaluación y certificación de este "
                 "perfil estaban previstas a partir de 2023.",
                 "Annex 1 marks it 'Training ****': assessment and certification of this "
                 "profile were planned to start in 2023."))),
    Standard("MTEySS", "Child and adolescent caregiver",
             "Cuidador/a de niñas, niños y adolescentes", "training", 100, None, _AR_ENTRY, NA,
             "children", populations_source="Annex 2", caveats=(_AR_MERGED,)),
    Standard("MTEySS", "Cook in private homes", "Cocinero/a en casas particulares", "training",
             60, None, _AR_ENTRY, NA, "households", caveats=(_AR_MERGED,)),
    Standard("MTEySS", "Housekeeper", "Encargado/a de la casa (housekeeper)", "training",
             None, None, _AR_ENTRY, NA, "households",
             caveats=(_AR_MERGED, (
                 "Horas del programa: «n. d.» (no disponible) en el Anexo 1.",
                 "Programme hours: 'n. d.' (not available) in Annex 1."))),
    Standard("MTEySS", "Gardener", "Jardinero/a", "training", 113, None, _AR_ENTRY, NA,
             "households", caveats=(_AR_MERGED,)),
    # Bolivia
    Standard("Ministry of Education (SPCC)", "Salaried domestic worker",
             "Trabajador/a asalariado/a del hogar", "certification", None, None,
             "Copy of identity card; copy of birth certificate; document supporting the years "
             "of experience required by the standard (5 years or more)", NA, "households"),
    Standard("INFOCAL", "Nursery School Technician", "Técnico/a en Parvulario", "training",
             3600, 360,
             "Baccalaureate degree; valid identity card; birth certificate; COVID-19 "
             "vaccination card", NA, "children",
             note_es=("Las 360 horas de práctica (unos 4 meses) pueden hacerse en unidades "
                      "educativas o guarderías, incluido el centro infantil INFOCALITO de "
                      "INFOCAL Tarija (Recuadros 15 y 17)."),
             note_en=("The 360 hours of work placement (about 4 months) can be done in schools "
                      "or nurseries, including INFOCAL Tarija's own INFOCALITO child development "
                      "centre (Boxes 15 and 17).")),
    # Chile: ChileValora (certification)
    Standard("ChileValora", "Socio-community assistant", "Asistente sociocomunitario/a",
             "certification", None, None, _CL_HEALTH, _CL_DURATION, "", caveats=(_CL_MERGED,)),
    Standard("ChileValora", "Psychosocial Coordinator", "Coordinador/a psicosocial",
             "certification", None, None, _CL_DEGREE, _CL_DURATION, "", caveats=(_CL_MERGED,)),
    Standard("ChileValora", "Residence Director", "Director/a de residencia", "certification",
             None, None, _CL_DEGREE, _CL_DURATION, "", caveats=(_CL_MERGED,)),
    Standard("ChileValora", "Direct Care Educator", "Educador/a de trato directo",
             "certification", None, None,
             "To perform the occupation: certificate of health condition compatible with the "
             "occupation and secondary school leaving certificate; for assessment and "
             "certification: not applicable", _CL_DURATION, "", caveats=(_CL_MERGED,)),
    Standard("ChileValora", "Hostel Monitor", "Monitor/a de hogar", "certification", None, None,
             NA, _CL_DURATION, "", caveats=(_CL_MERGED,)),
    Standard("ChileValora", "Primary Caregiver", "Cuidador/a primario/a", "certification",
             None, None, _CL_HEALTH, _CL_DURATION, "older;disability",
             populations_source="Annex 2", caveats=(_CL_MERGED,),
             note_es=("Perfil de base de la ruta de cuidados, diseñado con énfasis en el "
                      "cuidado de personas mayores (Recuadro 10); población según el Anexo 2: "
                      + _DEP_ES + "."),
             note_en=("Foundational profile of the care pathway, designed with an emphasis on "
                      "older persons (Box 10); population from Annex 2: persons in a situation "
                      "of dependency (older persons and persons with disabilities).")),
    Standard("ChileValora", "Domestic worker", "Trabajador/a de casa particular",
             "certification", None, None, NA, _CL_DURATION, "households",
             caveats=(_CL_MERGED,)),
    # Chile: SENCE (training; Annex 1 only)
    Standard("SENCE", "Care assistants for persons in a situation of dependency",
             "Asistentes de cuidados a personas en situación de dependencia", "training",
             250, None,
             "Physical and psychological health compatible with the care activity; persons with "
             "a history of physical or psychological abuse, low impulse control, low "
             "frustration tolerance, emotional instability or inappropriate sexual behaviour, "
             "or disqualified from working with minors, are excluded (Civil Registry "
             "certificate required)", NA, "older;disability", where="Annex 1",
             caveats=(_CL_SENCE,)),
    Standard("SENCE", "Socio-community care for persons in situations of dependency and rights "
             "violation",
             "Asistencia sociocomunitaria a personas en situación de dependencia y vulneración "
             "de derechos", "training", 160, None,
             "Completed secondary education; physical and psychological health compatible with "
             "the job", NA, "older;disability", where="Annex 1", caveats=(_CL_SENCE,)),
    # Colombia: SENA
    Standard("SENA", "Caring for people according to protocols for basic activities of daily "
             "living and degree of autonomy",
             "Cuidar a las personas según protocolos de actividades básicas de la vida diaria y "
             "grado de autonomía", "certification", None, None, _CO_ENTRY, "Approx. 4 weeks",
             "older", code="NSCL 230101296", populations_source="Box 14",
             note_es=("Certificación del proyecto «Yo te cuido y me certifico» (2022) para "
                      "quienes cuidan a personas mayores; 195 personas cuidadoras certificadas "
                      "a noviembre de 2022 (Recuadro 14)."),
             note_en=("Certification of the 'Yo te cuido y me certifico' project (2022) for "
                      "people who care for older adults; 195 carers certified by November 2022 "
                      "(Box 14; figure for both SENA certification standards).")),
    Standard("SENA", "Attend to the needs for companionship according to spiritual and "
             "emotional preferences",
             "Atender las necesidades de acompañamiento según las preferencias espirituales y "
             "emocionales", "certification", None, None, _CO_ENTRY, "Approx. 4 weeks", "older",
             code="NSCL 230101297", populations_source="Box 14",
             note_es=("Certificación del proyecto «Yo te cuido y me certifico» (2022) para "
                      "quienes cuidan a personas mayores (Recuadro 14)."),
             note_en=("Certification of the 'Yo te cuido y me certifico' project (2022) for "
                      "people who care for older adults (Box 14).")),
    Standard("SENA", "Basic care for persons with functional dependency",
             "Cuidado básico de personas con dependencia funcional", "training", 1296, None,
             "Entry profile: basic primary education and no physical or cognitive limitations "
             "that totally or partially impede training and job performance", NA,
             "older;disability", code="637102",
             note_es=("Programa de nivel operario de la oferta especial corporativa o social "
                      "(1.296 horas y 27 créditos, Recuadro 14)."),
             note_en=("Operator-level programme of the special corporate or social offer "
                      "(1,296 hours and 27 credits, Box 14)."),
             caveats=((
                 "Experiencia laboral: «3 months» en el Anexo 1, no expresada en horas (la "
                 "columna de horas queda vacía).",
                 "Work experience: '3 months' in Annex 1, not given in hours (the hours column "
                 "is left empty)."),)),
    # Costa Rica: INA
    Standard("INA", "Comprehensive care for older persons",
             "Asistencia integral para la persona adulta mayor", "training;certification",
             700, None, _CR_ENTRY, "Duration of the test: 28 hours", "older",
             populations_source="Annex 2",
             code="0921-47-01-1-01 (qualification standard); 0921-17-01-1 (certification)"),
    Standard("INA", "Assistance for children", "Asistencia para la niñez",
             "training;certification", 636, None, _CR_ENTRY, "Duration of the test: 30 hours",
             "children", populations_source="Annex 2",
             code="0922-48-01-1-01 (qualification standard); 0922-16-01-1 (certification)"),
    Standard("INA", "Personal assistance for persons with disabilities",
             "Asistencia personal para personas con discapacidad", "training", 166, None,
             "Minimum age 18; primary school completed; Costa Rican or foreigner with legal "
             "immigration status to study in the country; meet the entry profile of specific "
             "skills", NA, "disability",
             caveats=((
                 "Horas del programa: 166 en el Anexo 1; la Tabla 7 del mismo informe da 168 "
                 "horas.",
                 "Programme hours: 166 in Annex 1; Table 7 of the same report gives 168 "
                 "hours."),)),
    # El Salvador: INSAFORP
    Standard("INSAFORP", "Early Childhood Care Assistant",
             "Asistente de atención a la primera infancia", "training", 218, 24,
             "Over 18 years of age; ninth grade completed; favourable result in a psychological "
             "test (16pf, Grieger or Machover)", NA, "children", populations_source="Annex 2",
             note_es=("Piloto de 2022 con dos grupos (20 y 19 personas); tras evaluarlo, el "
                      "módulo pasó de 204 a 218 horas (Recuadro 15)."),
             note_en=("Piloted in 2022 with two groups (20 and 19 people); after evaluation the "
                      "module went from 204 to 218 hours (Box 15)."),
             caveats=((
                 "Horas de experiencia laboral: 24 en el Anexo 1; el Recuadro 15 dice que 60 de "
                 "las 218 horas son de práctica profesional.",
                 "Work-experience hours: 24 in Annex 1; Box 15 says 60 of the 218 hours are "
                 "professional practice."),)),
    # Mexico: CONOCER (certification)
    Standard("CONOCER", "Food preparation for people receiving social assistance",
             "Preparación de alimentos para personas en asistencia social", "certification",
             None, None, _MX_ENTRY, _MX_DURATION, "", code="EC0334",
             note_es=_MX_NOTE_ES, note_en=_MX_NOTE_EN,
             caveats=(_MX_MERGED,)),
    Standard("CONOCER", "Basic care for older persons at home",
             "Cuidados básicos a la persona mayor en su domicilio", "certification", None, None,
             _MX_ENTRY, _MX_DURATION, "older", code="EC0669", populations_source="Annex 2",
             note_es=_MX_NOTE_ES, note_en=_MX_NOTE_EN,
             caveats=(_MX_MERGED,)),
    Standard("CONOCER", "Care for older persons in permanent/temporary social assistance "
             "facilities",
             "Cuidado de personas mayores en centros de asistencia social permanentes o "
             "temporales", "certification", None, None, _MX_ENTRY, _MX_DURATION, "older",
             code="EC0665", populations_source="Annex 2", note_es=_MX_NOTE_ES, note_en=_MX_NOTE_EN,
             caveats=(_MX_MERGED,)),
    Standard("CONOCER", "Care for children and adolescents with disabilities in social "
             "assistance facilities",
             "Cuidado de niñas, niños y adolescentes con discapacidad en centros de asistencia "
             "social", "certification", None, None, _MX_ENTRY, _MX_DURATION,
             "children;disability", code="EC0963", populations_source="Annex 2", note_es=_MX_NOTE_ES, note_en=_MX_NOTE_EN,
             caveats=(_MX_MERGED,)),
    Standard("CONOCER", "Provision of services for the care and integral development of girls "
             "and boys in Child Care Centres",
             "Prestación de servicios para el cuidado y desarrollo integral de niñas y niños en "
             "centros de atención infantil", "certification", None, None, _MX_ENTRY,
             _MX_DURATION, "children", code="EC0435", populations_source="Annex 2", note_es=_MX_NOTE_ES, note_en=_MX_NOTE_EN,
             caveats=(_MX_MERGED,)),
    Standard("CONOCER", "Care for children and adolescents in social assistance facilities",
             "Cuidado de niñas, niños y adolescentes en centros de asistencia social",
             "certification", None, None, _MX_ENTRY, _MX_DURATION, "children", code="EC0934", populations_source="Annex 2",
             note_es=_MX_NOTE_ES, note_en=_MX_NOTE_EN,
             caveats=(_MX_MERGED,)),
    Standard("CONOCER", "Provision of counselling support to informal caregivers of older "
             "persons",
             "Orientación y acompañamiento a personas cuidadoras informales de personas mayores",
             "certification", None, None, _MX_ENTRY, _MX_DURATION, "older;carers",
             code="EC1209", note_es=_MX_NOTE_ES, note_en=_MX_NOTE_EN,
             caveats=(_MX_MERGED,)),
    Standard("CONOCER", "Care and integral development of girls and boys aged 4 to 12 enrolled "
             "in the formal education system at extended hours Child Care Centres",
             "Cuidado y desarrollo integral de niñas y niños de 4 a 12 años escolarizados en "
             "centros de atención infantil de horario extendido", "certification", None, None,
             _MX_ENTRY, _MX_DURATION, "children", code="EC0886",
             note_es=_MX_NOTE_ES, note_en=_MX_NOTE_EN,
             caveats=(_MX_MERGED,)),
    # Uruguay: INEFOP
    Standard("INEFOP", "Basic Course in Dependency Care",
             "Curso básico de atención a la dependencia", "training", 152, 12,
             "Over 18 years of age; completed primary school; with or without work experience "
             "in the occupation or previous training", NA, "older;disability",
             populations_source="Annex 2",
             note_es=("Curso obligatorio para las y los asistentes personales del Sistema "
                      "Nacional de Cuidados; incluye un módulo de nivelación de 20 horas; 7.229 "
                      "personas egresadas entre 2017 y diciembre de 2022 (Recuadros 7 y 16)."),
             note_en=("Compulsory course for the National Care System's personal assistants; "
                      "includes a 20-hour levelling module; 7,229 graduates from 2017 to "
                      "December 2022 (Boxes 7 and 16).")),
    Standard("INEFOP", "Occupational profile: Caregivers",
             "Perfil ocupacional: Personas que cuidan", "certification", None, None,
             "Proof of 3 years of care work experience (continuous or not) within the last 10 "
             "years; completed primary education (or proof of it to receive certification); on "
             "the work roster of a Long Stay Centre (CLE) registered no more than 6 months "
             "before the call; signed letter of agreement between worker and CLE", NA,
             "older;disability", populations_source="Annex 2",
             note_es=("Certificación de Uruguay Certifica a través de INEFOP; 527 "
                      "certificaciones entregadas desde el inicio del instrumento (Recuadro 16)."),
             note_en=("Certification by Uruguay Certifica through INEFOP; 527 certifications "
                      "issued since the tool was launched (Box 16).")),
    # Dominican Republic: INFOTEP (Annex 2 and Box 9 only; not in Table 1 / Annex 1)
    Standard("INFOTEP", "Personal assistance to persons with disabilities in need of support",
             "Asistencia personal a personas con discapacidad con necesidades de apoyo",
             "training", None, None, "", "", "disability", populations_source="Annex 2",
             note_es=("Curso diseñado en mayo de 2023 en el piloto Comunidades de Cuidado "
                      "(Recuadro 9)."),
             note_en="Course designed in May 2023 within the Communities of Care pilot (Box 9).",
             caveats=((
                 "Solo en el Anexo 2 y el Recuadro 9 (no figura en la Tabla 1 ni en el Anexo "
                 "1): el informe no da horas, requisitos de ingreso ni duración; curso publicado "
                 "para su aplicación piloto en 2023, pendiente de evaluación y ajuste.",
                 "Only in Annex 2 and Box 9 (not in Table 1 or Annex 1): the report gives no "
                 "hours, entry requirements or duration; course released for pilot "
                 "implementation in 2023, pending evaluation and adjustment."),),
             where="Annex 2 and Box 9"),
)  # fmt: skip

SERVICE_TYPE_TEXT = {
    "training": ("Formación", "Training"),
    "certification": ("Certificación de competencias", "Skills certification"),
    "training;certification": ("Formación y certificación", "Training and certification"),
}
POPULATION_TEXT = {
    "children": ("niñas y niños", "children"),
    "older": ("personas mayores", "older persons"),
    "disability": ("personas con discapacidad", "persons with disabilities"),
    "carers": ("personas cuidadoras", "carers"),
    "households": ("trabajo en casas particulares", "domestic work in households"),
}


OPERATOR_TEXT = {
    "public": ("pública", "public"),
    "foundation": ("fundación", "foundation"),
}


def _hours(value: float | None, lang: str) -> str:
    if value is None:
        return "sin dato (no aplica o no disponible)" if lang == "es" else "none given"
    text = f"{value:,.0f}"
    return text.replace(",", ".") if lang == "es" else text


def build_training_offer() -> Layer:
    """Training and certification offer (seed 002), one point per standard or programme row."""
    columns = POINT_COLUMNS | {
        "institution": "str",
        "standard": "str",
        "code": "str",
        "service_type": "str",
        "programme_hours": "float?",
        "work_experience_hours": "float?",
        "entry_requirements": "str",
        "certification_duration": "str",
        "operator_source": "str",
        "populations_source": "str",
        "caveats_es": "str",
        "caveats_en": "str",
        "year": "int",
    }
    features = []
    for i, s in enumerate(STANDARDS, 1):
        inst_name, country, city, lat, lon = INSTITUTIONS[s.institution]
        operator, operator_source = OPERATORS[s.institution]
        kind_es, kind_en = SERVICE_TYPE_TEXT[s.service_type]
        codes = s.populations.split(";") if s.populations else []
        pop_es = ", ".join(POPULATION_TEXT[c][0] for c in codes) or "no indicada en el informe"
        pop_en = ", ".join(POPULATION_TEXT[c][1] for c in codes) or "not stated in the report"
        if codes and s.populations_source:
            pop_es += f" (según el informe: {s.populations_source})"
            pop_en += f" (as the report gives it: {s.populations_source})"
        elif codes:
            pop_es += " (clasificación del Atlas del Cuidado a partir del nombre, no del informe)"
            pop_en += " (Care Atlas's classification from the name, not the report's)"
        op_es, op_en = OPERATOR_TEXT[operator]
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
            "source": f"{SEED_002}, {s.where}",
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
        features.append(point_feature(lat, lon, props))
    return Layer(
        "training_offer",
        entry(
            file="training_offer.geojson",
            title=(
                "Oferta de formación y certificación en cuidados",
                "Care training and certification offer",
            ),
            description=(
                "Una fila por norma, perfil o programa de formación o certificación en cuidados "
                "(OIT/CINTERFOR, 2023; el informe trabajó «principalmente con instituciones "
                "públicas») de nueve países: los ocho del Anexo 1 y la República Dominicana "
                "(Anexo 2 y Recuadro 9). En la ciudad sede de cada institución, no donde se "
                "imparte. «n. a.» es el «no aplica» del informe; las cifras que el informe no "
                "da quedan vacías.",
                "One row per care standard, profile or training/certification programme "
                "(ILO/CINTERFOR, 2023; the report worked 'mainly with public institutions') of "
                "nine countries: the eight of Annex 1 plus the Dominican Republic (Annex 2 and "
                "Box 9). At each institution's headquarters city, not where it is delivered. "
                "'n. a.' is the report's 'not applicable'; figures the report does not give are "
                "left empty.",
            ),
            kind="training",
            geometry="Point",
            id_field="id",
            source=f"{SEED_002}: Table 1, Annex 1 and Annex 2",
            licence=LICENCE_CC,
            date="2023-08-30",
            precision="city: points at the institution's headquarters city",
            region="latam",
        ),
        columns,
        features,
    )


# --------------------------------------------------------------------------- national systems


@dataclass(frozen=True)
class NationalSystem:
    """A national care system or policy (facts §4), placed at the capital."""

    country: str
    capital: str
    short_es: str  # short Spanish name for the map label
    lat: float
    lon: float
    instrument: str  # Spanish (or the name as the seeds give it)
    instrument_en: str
    year: str
    populations: str
    source: str
    description_es: str
    description_en: str


CAPITAL_ES = "Punto simbólico en la capital del país (precisión: ciudad)."
CAPITAL_EN = "Symbolic point at the country's capital (precision: city)."

NATIONAL_SYSTEMS: tuple[NationalSystem, ...] = (
    NationalSystem(
        "UY", "Montevideo", "Sistema Nacional Integrado de Cuidados", -34.901, -56.164,
        "Sistema Nacional Integrado de Cuidados (Ley 19.353, 2015); Plan Nacional de Cuidados "
        "2021-2025",
        "National Integrated Care System (Law 19.353, 2015); National Care Plan 2021-2025",
        "2015", ALL_POPULATIONS, f"{SEED_002}, Boxes 7, 12, 16 and 20",
        "Uruguay creó por ley en 2015 el Sistema Nacional Integrado de Cuidados, «cuarto pilar» "
        "de la protección social, que reconoce el derecho a cuidar y a ser cuidado de niñas y "
        "niños, personas mayores y personas con discapacidad en situación de dependencia, y "
        "valora y forma a las personas cuidadoras. " + CAPITAL_ES,
        "Uruguay created its National Integrated Care System by law in 2015, the 'fourth "
        "pillar' of social protection, which recognises the right to care and to be cared for "
        "of children, older persons and persons with disabilities in dependency, and values and "
        "trains carers. " + CAPITAL_EN,
    ),
    NationalSystem(
        "CR", "San José", "Política Nacional de Cuidados 2021-2031", 9.933, -84.080,
        "Política Nacional de Cuidados 2021-2031 (implementación progresiva de un Sistema de "
        "Apoyo a los Cuidados y Atención a la Dependencia)",
        "National Care Policy 2021-2031 (progressive System of Support for Care and Dependency "
        "Care)",
        "2021", "older;disability;carers", f"{SEED_002}, Boxes 5 and 21",
        "Política para construir progresivamente un sistema nacional de apoyo a los cuidados de "
        "personas mayores y personas con discapacidad en situación de dependencia, que además "
        "dignifique el papel de las personas cuidadoras; la formación del INA es un eje común. "
        + CAPITAL_ES,
        "Policy to build progressively a national system of support for the care of older "
        "persons and persons with disabilities in dependency, which also dignifies the role of "
        "carers; INA's training is a common axis. " + CAPITAL_EN,
    ),
    NationalSystem(
        "CO", "Bogotá", "Sistema Nacional de Cuidado", 4.711, -74.072,
        "Sistema Nacional de Cuidado (Ministerio de Igualdad y Equidad); Sistema Distrital de "
        "Cuidado de Bogotá (lanzado en 2019 según la fuente 001; en 2020 según el archivo de "
        "hechos)",
        "National System of Care (Ministry of Equality); Bogotá District Care System (launched "
        "in 2019 according to seed 001; in 2020 according to the facts file)",
        "", ALL_POPULATIONS,
        f"{SEED_003}; {FACTS} §1 and §4; {SEED_001} (launch year 2019)",
        "Sistema Nacional de Cuidado, a cargo de la Dirección de Cuidado del Ministerio de "
        "Igualdad y Equidad; en la capital, el Sistema Distrital de Cuidado con sus Manzanas "
        "del Cuidado. Las fuentes no coinciden en el año de lanzamiento del sistema distrital: "
        "2019 según la nota de resultados de 2023 (fuente 001: «Launched in 2019, under the "
        "administration of Mayor Claudia Lopez»), 2020 según el archivo de hechos del proyecto "
        "(§1, notas de prensa); se muestran ambos. Año del sistema nacional no indicado en las "
        "fuentes. " + CAPITAL_ES,
        "National System of Care, led by the Care Directorate of the Ministry of Equality; in "
        "the capital, the District Care System with its care blocks. The sources disagree on "
        "the district system's launch year: 2019 in the 2023 results note (seed 001: 'Launched "
        "in 2019, under the administration of Mayor Claudia Lopez'), 2020 in the project's "
        "facts file (§1, press notes); both are shown. Year of the national system not given "
        "in the sources. " + CAPITAL_EN,
    ),
    NationalSystem(
        "CL", "Santiago", "Sistema Nacional de Cuidados (en construcción)", -33.449, -70.669,
        "Sistema Nacional de Cuidados en construcción (Subsecretaría de Servicios Sociales)",
        "National care system under construction (Undersecretariat of Social Services)",
        "", ALL_POPULATIONS,
        f"{SEED_003}, session 'Advances and challenges in Chile's national care system' "
        f"(Undersecretary of Social Services); {SEED_002}, chapter III, guideline 6 "
        "('Competency-based standards and profiles'), factor 1",
        "Sistema nacional de cuidados en construcción, presentado por la Subsecretaría de "
        "Servicios Sociales (fuente 003). El informe OIT/CINTERFOR dice que en 2023, durante el "
        "diseño del Sistema Nacional de Cuidados, ChileValora iniciaría un proyecto de nuevos "
        "perfiles por población atendida (capítulo III, pauta 6, factor 1). Población cubierta "
        "no detallada en las fuentes. " + CAPITAL_ES,
        "National care system under construction, presented by the Undersecretariat of Social "
        "Services (seed 003). The ILO/CINTERFOR report says that in 2023, during the design of "
        "the National Care System, ChileValora would start a project on new profiles by "
        "population cared for (chapter III, guideline 6, factor 1). Population covered not "
        "detailed in the sources. " + CAPITAL_EN,
    ),
    NationalSystem(
        "BR", "Brasília", "Política y Sistema Nacional de Cuidados", -15.794, -47.882,
        "Política y Sistema Nacional de Cuidados (Secretaría Nacional de Cuidados y Familia)",
        "National care policy and system (National Secretariat of Care and Family)",
        "", ALL_POPULATIONS, SEED_003,
        "Política y sistema nacional de cuidados, a cargo de la Secretaría Nacional de Cuidados "
        "y Familia. Año y población cubierta no detallados en las fuentes. " + CAPITAL_ES,
        "National care policy and system, led by the National Secretariat of Care and Family. "
        "Year and population covered not detailed in the sources. " + CAPITAL_EN,
    ),
    NationalSystem(
        "AR", "Buenos Aires", "marco legal para profesionalizar los cuidados", -34.604, -58.382,
        "Marco legal y de políticas para la profesionalización de los cuidados (Recuadro 22); "
        "Mapa Federal del Cuidado (2021)",
        "Legal and policy framework for professionalising care (Box 22); Federal Care Map "
        "(2021)",
        "", "children;older;disability;households", f"{SEED_002}, Box 22; {FACTS} §4",
        "Hitos: Ley 26.844 de trabajo en casas particulares (2013), línea de formación para la "
        "economía del cuidado en el Plan de Formación Profesional y Continua (Resolución "
        "784/2020) y programa Fomentar Empleo (2021); además, el Mapa Federal del Cuidado "
        "(2021). " + CAPITAL_ES,
        "Milestones: Law 26.844 on domestic work in private homes (2013), a care-economy "
        "training line in the Vocational and Continuing Training Plan (Resolution 784/2020) and "
        "the Fomentar Empleo programme (2021); also the Federal Care Map (2021). " + CAPITAL_EN,
    ),
    NationalSystem(
        "MX", "Ciudad de México", "estándares CONOCER, RENAP y Mapa de Cuidados",
        19.433, -99.133,
        "Estándares de competencia del CONOCER; Registro Nacional de Personas con Competencias "
        "Certificadas (RENAP); Mapa de Cuidados de México (INMUJERES)",
        "CONOCER care standards; RENAP register of certified persons; Mexico Care Map "
        "(INMUJERES)",
        "", ALL_POPULATIONS, f"{SEED_002}, Boxes 11 and 13; {FACTS} §4",
        "Ocho estándares de competencia del CONOCER para el cuidado, el registro público RENAP "
        "de personas certificadas y el Mapa de Cuidados de México (INMUJERES). " + CAPITAL_ES,
        "Eight CONOCER care standards, the public RENAP register of certified persons and the "
        "Mexico Care Map (INMUJERES). " + CAPITAL_EN,
    ),
    NationalSystem(
        "DO", "Santo Domingo", "piloto Comunidades de Cuidado", 18.486, -69.931,
        "Piloto Comunidades de Cuidado, hacia una Política Nacional de Cuidados",
        "Communities of Care pilot scheme, towards a National Care Policy",
        "", ALL_POPULATIONS, f"{SEED_002}, Box 9",
        "Desde 2021 el país avanza hacia una Política Nacional de Cuidados (coordinada por el "
        "MEPyD); el piloto Comunidades de Cuidado (2022-2023, con el Sistema de las Naciones "
        "Unidas) se aplica en dos territorios y atiende a la primera infancia, las personas "
        "mayores y las personas con discapacidad. " + CAPITAL_ES,
        "Since 2021 the country has been moving towards a National Care Policy (coordinated by "
        "MEPyD); the Communities of Care pilot (2022-2023, with the UN System) runs in two "
        "territories and covers early childhood, older persons and persons with disabilities. "
        + CAPITAL_EN,
    ),
    NationalSystem(
        "SV", "San Salvador", "Política Crecer Juntos 2020-2030", 13.692, -89.218,
        "Crecer Juntos: Política Nacional de Apoyo al Desarrollo Infantil Temprano 2020-2030",
        "Crecer Juntos early-childhood development policy 2020-2030",
        "2020", "children", f"{SEED_002}, Box 15 and references",
        "Política nacional de primera infancia 2020-2030; la ley Crecer Juntos (Decreto "
        "Legislativo 431, vigente desde enero de 2023) obliga a los empleadores con 100 o más "
        "personas trabajadoras a ofrecer salas cuna. " + CAPITAL_ES,
        "National early-childhood policy 2020-2030; the Crecer Juntos law (Legislative Decree "
        "431, in force since January 2023) obliges employers with 100 or more workers to "
        "provide crèches. " + CAPITAL_EN,
    ),
)  # fmt: skip

COUNTRY_NAMES_ES = {
    "UY": "Uruguay",
    "CR": "Costa Rica",
    "CO": "Colombia",
    "CL": "Chile",
    "BR": "Brasil",
    "AR": "Argentina",
    "MX": "México",
    "DO": "República Dominicana",
    "SV": "El Salvador",
}


def build_national_systems() -> Layer:
    """National care systems and policies (facts §4), one point per country capital."""
    columns = POINT_COLUMNS | {"instrument": "str", "instrument_en": "str", "year": "str"}
    features = []
    for ns in NATIONAL_SYSTEMS:
        props = {
            "id": f"ns-{ns.country.lower()}",
            "name": f"{COUNTRY_NAMES_ES[ns.country]}: {ns.short_es}",
            "kind": "policy",
            "operator": "public",
            "populations": ns.populations,
            "services": "",
            "country": ns.country,
            "city": ns.capital,
            "description_es": ns.description_es,
            "description_en": ns.description_en,
            "source": ns.source,
            "location_precision": "city",
            "instrument": ns.instrument,
            "instrument_en": ns.instrument_en,
            "year": ns.year,
        }
        features.append(point_feature(ns.lat, ns.lon, props))
    return Layer(
        "national_systems",
        entry(
            file="national_systems.geojson",
            title=(
                "Sistemas y políticas nacionales de cuidado",
                "National care systems and policies",
            ),
            description=(
                "Un punto simbólico por país, en su capital, con el sistema o la política "
                "nacional de cuidados tal como lo describen las fuentes.",
                "One symbolic point per country, at its capital, with the national care system "
                "or policy as the sources describe it.",
            ),
            kind="policy",
            geometry="Point",
            id_field="id",
            source=f"{SEED_002}; {SEED_003}; {FACTS} §4",
            licence=LICENCE_CC,
            date="2025-08-11",
            precision="city: symbolic point at the national capital",
            region="latam",
        ),
        columns,
        features,
    )


# --------------------------------------------------------------------------- localidades

# code -> (name, lat, lon of the approximate centre of the urban part, population 2024 approx.)
LOCALIDADES: dict[str, tuple[str, float, float, int]] = {
    "01": ("Usaquén", 4.715, -74.035, 573_000),
    "02": ("Chapinero", 4.650, -74.060, 170_000),
    "03": ("Santa Fe", 4.605, -74.068, 95_000),
    "04": ("San Cristóbal", 4.560, -74.090, 390_000),
    "05": ("Usme", 4.505, -74.115, 385_000),
    "06": ("Tunjuelito", 4.575, -74.132, 180_000),
    "07": ("Bosa", 4.620, -74.190, 790_000),
    "08": ("Kennedy", 4.630, -74.150, 1_030_000),
    "09": ("Fontibón", 4.675, -74.140, 408_000),
    "10": ("Engativá", 4.705, -74.110, 820_000),
    "11": ("Suba", 4.745, -74.085, 1_290_000),
    "12": ("Barrios Unidos", 4.668, -74.078, 176_000),
    "13": ("Teusaquillo", 4.640, -74.085, 150_000),
    "14": ("Los Mártires", 4.605, -74.090, 85_000),
    "15": ("Antonio Nariño", 4.588, -74.100, 84_000),
    "16": ("Puente Aranda", 4.622, -74.115, 232_000),
    "17": ("La Candelaria", 4.597, -74.072, 22_000),
    "18": ("Rafael Uribe Uribe", 4.570, -74.115, 378_000),
    "19": ("Ciudad Bolívar", 4.550, -74.150, 640_000),
    "20": ("Sumapaz", 4.200, -74.200, 4_000),
}
RURAL_CODE = "20"

# Hand-drawn approximate outline of Bogotá's urban area, (lon, lat), clockwise from the
# north-east: northern edge near Guaymaral, the Bogotá river to the west, the border with
# Soacha and the rural edge of Ciudad Bolívar and Usme to the south (El Mochuelo stays
# outside, in the rural part), the eastern hills to the east. Good to about 1-2 km.
URBAN_OUTLINE: tuple[tuple[float, float], ...] = (
    (-74.030, 4.830), (-74.075, 4.830), (-74.105, 4.790), (-74.120, 4.745),
    (-74.145, 4.715), (-74.170, 4.685), (-74.200, 4.655), (-74.222, 4.630),
    (-74.215, 4.600), (-74.190, 4.585), (-74.175, 4.560), (-74.160, 4.535),
    (-74.138, 4.518), (-74.130, 4.490), (-74.120, 4.470), (-74.095, 4.480), (-74.085, 4.520),
    (-74.070, 4.560), (-74.058, 4.600), (-74.050, 4.640), (-74.030, 4.690),
    (-74.025, 4.760),
)  # fmt: skip

# Coarse hand-drawn outline of rural Sumapaz, south of the urban area, (lon, lat).
SUMAPAZ_OUTLINE: tuple[tuple[float, float], ...] = (
    (-74.200, 4.300), (-74.100, 4.280), (-74.020, 4.200), (-74.000, 4.050),
    (-74.050, 3.900), (-74.150, 3.780), (-74.280, 3.750), (-74.380, 3.820),
    (-74.450, 3.950), (-74.420, 4.100), (-74.330, 4.220),
)  # fmt: skip

LOCALIDADES_SOURCE = (
    f"Care Atlas approximate zones: Voronoi cells of the localidad centres in {FACTS} §1, "
    "clipped to a hand-drawn urban outline; population: DANE 2024 projections (approx.) as "
    "compiled in the facts"
)


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
    columns = {
        "code": "str",
        "name": "str",
        "population_2024": "int",
        "approx": "bool",
        "kind": "str",
        "source": "str",
        "description_es": "str",
        "description_en": "str",
    }
    urban = {c: (lon, lat) for c, (_, lat, lon, _) in LOCALIDADES.items() if c != RURAL_CODE}
    zones = urban_zones(urban, Polygon(URBAN_OUTLINE), metric_crs=METRIC_CRS)
    zones[RURAL_CODE] = Polygon(SUMAPAZ_OUTLINE)
    features = []
    for code, (name, lat, lon, population) in LOCALIDADES.items():
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
            "source": LOCALIDADES_SOURCE,
            "description_es": desc_es,
            "description_en": desc_en,
        }
        features.append(
            {"type": "Feature", "properties": props, "geometry": polygon_geojson(zones[code])}
        )
    return Layer(
        "localidades",
        entry(
            file="localidades.geojson",
            title=(
                "Localidades de Bogotá (zonas aproximadas)",
                "Bogotá localidades (approximate zones)",
            ),
            description=(
                "Zonas APROXIMADAS, no límites oficiales: celdas de Voronoi de los centros "
                "aproximados de las 19 localidades urbanas recortadas a un contorno urbano "
                "dibujado a mano, y un polígono grosero para Sumapaz (errores de 1-2 km o más). "
                "Población 2024 aproximada.",
                "APPROXIMATE zones, not official boundaries: Voronoi cells of the 19 urban "
                "localidades' approximate centres clipped to a hand-drawn urban outline, and a "
                "coarse polygon for Sumapaz (errors of 1-2 km or more). Approximate 2024 "
                "population.",
            ),
            kind="boundary",
            geometry="Polygon",
            id_field="code",
            source=LOCALIDADES_SOURCE,
            licence=LICENCE_CC,
            date="2024-01-01",
            precision=(
                "modelled: Voronoi zones of approximate centres, edges about 1-2 km off; "
                "Sumapaz coarse (several km)"
            ),
            region="bogota",
        ),
        columns,
        features,
    )


# --------------------------------------------------------------------------- countries

# Natural Earth iso_a3 -> (iso_a2, Spanish name, English name)
LATAM_COUNTRIES: dict[str, tuple[str, str, str]] = {
    "ARG": ("AR", "Argentina", "Argentina"),
    "BOL": ("BO", "Bolivia", "Bolivia"),
    "BRA": ("BR", "Brasil", "Brazil"),
    "CHL": ("CL", "Chile", "Chile"),
    "COL": ("CO", "Colombia", "Colombia"),
    "ECU": ("EC", "Ecuador", "Ecuador"),
    "FLK": ("FK", "Islas Malvinas (Falkland Islands)", "Falkland Islands (Islas Malvinas)"),
    "GUY": ("GY", "Guyana", "Guyana"),
    "PER": ("PE", "Perú", "Peru"),
    "PRY": ("PY", "Paraguay", "Paraguay"),
    "SUR": ("SR", "Surinam", "Suriname"),
    "URY": ("UY", "Uruguay", "Uruguay"),
    "VEN": ("VE", "Venezuela", "Venezuela"),
    "MEX": ("MX", "México", "Mexico"),
    "GTM": ("GT", "Guatemala", "Guatemala"),
    "BLZ": ("BZ", "Belice", "Belize"),
    "SLV": ("SV", "El Salvador", "El Salvador"),
    "HND": ("HN", "Honduras", "Honduras"),
    "NIC": ("NI", "Nicaragua", "Nicaragua"),
    "CRI": ("CR", "Costa Rica", "Costa Rica"),
    "PAN": ("PA", "Panamá", "Panama"),
    "CUB": ("CU", "Cuba", "Cuba"),
    "JAM": ("JM", "Jamaica", "Jamaica"),
    "HTI": ("HT", "Haití", "Haiti"),
    "DOM": ("DO", "República Dominicana", "Dominican Republic"),
    "BHS": ("BS", "Bahamas", "The Bahamas"),
    "PRI": ("PR", "Puerto Rico", "Puerto Rico"),
    "TTO": ("TT", "Trinidad y Tobago", "Trinidad and Tobago"),
}
NE_SOURCE = "Natural Earth 1:110m Admin 0 countries (via geopandas 0.14.4 naturalearth_lowres)"


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
    columns = {"iso_a2": "str", "name_es": "str", "name_en": "str", "kind": "str", "source": "str"}
    features = []
    for iso_a3, (iso_a2, name_es, name_en) in sorted(LATAM_COUNTRIES.items(), key=lambda kv: kv[1]):
        geom = keep.loc[keep["iso_a3"] == iso_a3, "geometry"].iloc[0]
        props = {
            "iso_a2": iso_a2,
            "name_es": name_es,
            "name_en": name_en,
            "kind": "boundary",
            "source": NE_SOURCE,
        }
        features.append({"type": "Feature", "properties": props, "geometry": polygon_geojson(geom)})
    return Layer("countries", countries_entry(), columns, features)


def countries_entry() -> dict[str, Any]:
    """Registry entry of the countries layer."""
    return entry(
        file="countries.geojson",
        title=("Países de América Latina y el Caribe", "Latin American and Caribbean countries"),
        description=(
            "Contornos de países a escala 1:110 millones (Natural Earth, muy generalizados): "
            "solo para orientarse en el mapa.",
            "Country outlines at 1:110 million scale (Natural Earth, highly generalised): "
            "for orientation on the map only.",
        ),
        kind="boundary",
        geometry="Polygon",
        id_field="iso_a2",
        source=NE_SOURCE,
        licence=LICENCE_NE,
        date="2024-04-28",
        precision="1:110m generalised outlines (tens of km)",
        region="latam",
    )


def existing_countries(data_dir: Path) -> Layer:
    """Reuse ``countries.geojson`` already in ``data_dir`` when the wheel is not at hand."""
    path = data_dir / "countries.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    features = doc["features"]
    columns = dict.fromkeys(features[0]["properties"], "str")
    return Layer("countries", countries_entry(), columns, features)


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
