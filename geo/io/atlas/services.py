"""Bogotá's official care services (SDIS and SDMujer points) in the project's vocabulary.

One job, one module (about 1,300 lines): the district's service layers in the
project's vocabulary; most of it is the classification tables and the opening-hours
parser, which serve these files and nothing else.

:func:`services_from_official` turns the service layers the district publishes on
Datos Abiertos Bogotá (SDIS "Oferta de Servicios Sociales", ``OSS*`` fields;
Secretaría Distrital de la Mujer "Casas de Igualdad de Oportunidades", ``CIO*``
fields) into one point layer of care services with the columns of
:data:`SERVICE_COLUMNS`; :func:`proposals_from_official` reads the CEPAL study's
proposed care-block sites (a layer with only ``Name``) as a separate ``proposal``
layer; :func:`anchor_care_blocks` moves the sample's care blocks onto their anchor
facility where the official layer holds it.

Classification (by schema and content, never by file name first)
------------------------------------------------------------------
Each feature gets a ``category`` (:data:`geo.vocab.SERVICE_CATEGORIES`) from the
first clue that applies:

1. ``CIO*`` fields (``CIONombre``...): ``casa_igualdad`` (SDMujer).
2. The SDIS service code ``OSSSERVICI``, read off this copy of the data (each code
   occurs in one layer only, with names that agree): 35 jardín infantil (day, 334
   points), 29 jardín infantil nocturno (evening/night hours, 12), 20 CDC, 90 Centro
   Crecer, 91 Centro Avanzar, 92 Centro de Protección Renacer (children and
   adolescents with disabilities), 3 Integrarte atención interna (live-in) and 4
   Integrarte atención externa (day; adults with disabilities), 80 Centro Amar,
   40 Centro Proteger. Other codes fall through to the next clues.
3. The CDC service flags (``jardin_infantil``, ``centro_dia``, ``comedor``,
   ``centro_crecer``... 0/1 columns): ``cdc``.
4. Keywords in the feature's name: "CENTRO DIA" / "CENTRO NOCHE", "COMEDOR", "CDC",
   "CENTRO AMAR", "PROTEGER" or a leading "CP", "CRECIENDO", "INTEGRARTE",
   "CENTRO CRECER" / "CENTRO AVANZAR" / "RENACER", "JARDIN", "CIO" / "CASA DE
   IGUALDAD".
5. Last resort, the same keywords (plus "envejecimiento", "discapacidad" with
   "niños" or "mayores", "oportunidades" with "mujer") in the *file name*: recorded
   as a warning in the report. In the published copy the comedores comunitarios and
   Creciendo en Familia layers carry no code and no telling name ("SAN VICENTE
   FERRER", "APUSHI"), so only their file names classify them; under a name without
   "comedor" / "creciendo" they are reported as unclassified and left out.

Mapping to the project's vocabulary, with the reason
----------------------------------------------------
operator
    ``public`` for every point: all are services of the District (SDIS or SDMujer).
    SDIS's ``OSSTPropie`` (kept raw as ``premises_code``) is 1 for the 18 CDCs and
    one jardín and 3 for the other 345 jardines; it most likely records who owns the
    premises, not who runs the service, and no data dictionary for it was found, so
    it does not change the operator.
jardin_infantil
    ``children`` / ``child_care``: day care and early education for children under
    4-5 while their carers work or study; code 29 are the evening/night jardines for
    parents working late shifts.
centro_dia
    ``older`` / ``older_care``: Centros Día (day activities and care for older
    persons) and Centros Noche (overnight shelter for older persons without a home,
    ``residential``).
cdc
    ``households`` / ``community_care`` (a Centro de Desarrollo Comunitario is a
    district community centre open to every household), plus what its 0/1 flags
    say it hosts: ``jardin_infantil`` -> children/child_care; ``centro_dia`` ->
    older/older_care; ``centro_crecer`` -> disability, children/disability_care;
    ``centro_amar`` -> children/child_care; ``comisaria_familia`` (family
    commissioner: protection orders, family-violence cases) -> legal_aid; rooms
    for courses (``sala_confeccion``, ``sala_belleza``, ``salas_sistemas``,
    ``vive_digital`` > 0) -> training. The flags list rooms and units, not a
    verified timetable of activities.
casa_igualdad
    ``carers`` / ``legal_aid;psychosocial;training``: the CIO give women (most of
    Bogotá's unpaid carers) legal and psychosocial guidance and courses. The layer
    also holds "Casa de tod@s" (for women in prostitution) and the SDMujer head
    office, which offer the same kinds of guidance.
disability_children
    ``disability;children`` / ``disability_care``: Centros Crecer (day care and
    development for children and adolescents with intellectual disability), Centros
    Avanzar (another SDIS modality for children and adolescents with disabilities),
    Renacer (24-hour protection, ``residential``), CADIS.
disability_adults
    ``disability`` / ``disability_care``: Integrarte (adults with cognitive
    disability); "atención interna" units are live-in (``residential``).
comedor
    ``households`` / ``community_care``. A comedor comunitario serves a daily hot
    lunch to registered households in food insecurity. It is counted as a care
    service because preparing food is part of unpaid domestic and care work (DANE's
    time-use survey counts it) and the comedor takes that work off households; it
    does not look after a person, so it offers none of the services for the person
    cared for (child, older or disability care) and is not supply in Gaps or Plan.
centro_amar
    ``children`` / ``child_care``: day (some also evening or night) care for children
    and adolescents at risk of child labour while their parents work. Note that
    the ``children`` code is labelled "early childhood" and these serve ages 6-17.
centro_proteger
    ``children`` / ``child_care``: 24-hour residential protection for children and
    adolescents whose rights were violated, by referral only (``residential``).
creciendo_familia
    ``children;carers`` / ``care_info``: SDIS's family modality of early education,
    for pregnant women and young children (under 2-3) *with* their carers (group
    sessions and home visits). The child is not looked after while the carer is away, so it is not
    ``child_care``.

Where and how precise
---------------------
``localidad`` / ``localidad_code`` and ``upz`` / ``upz_code`` come from
point-in-polygon in the official boundaries, not from the published ``LOCNOMBRE``
(which only serves to spot points outside the district: ``CUNDINAMARCA``). A point
outside every localidad, or with ``LOCNOMBRE = CUNDINAMARCA``, is reported by name
(with its distance to the district) and left out. ``location_precision`` is
``address``: SDIS and SDMujer geocode each facility from its published address,
which the data shows: services that share an address share exactly the same
coordinates (11 pairs of day and night jardines, 4 Centro Día / Centro Noche pairs),
and services of different layers at the same address lie 11-30 m apart (CDC
Colinas / jardín Colinas, CDC La Victoria / jardín La Victoria): good to a few tens
of metres, not surveyed entrances.

Duplicates
----------
Records of the same category with the same name and address (case, accents and
spaces ignored) within :data:`DUPLICATE_TOLERANCE_M` of each other are one service:
they are merged (missing fields filled from the others) and ``duplicates`` counts
the records merged into the one kept. Different services at the same place (a day
and a night jardín in one building) are *not* duplicates; the report lists them
(``same_place``).

On the published copy (620 points) no two records are the same service: 0 are
merged and 614 are usable (620 less the 6 Integrarte units in Cundinamarca). The
"duplicate locations" its notes mention (11 among the jardines, 4 among the centros
día) are distinct services sharing a building: a day jardín (code 35) and a night
jardín (code 29) with different names and hours, or a Centro Día and a Centro Noche;
one more pair of day jardines with different names and addresses ("FUNDACION
PEPASO", "JUEGOS Y AVENTURAS") lies 0.2 m apart. Merging those 16 pairs would give
the 598 the issue's "about 590" expected, and would lose 16 real services.

Opening hours
-------------
``hours`` is the raw published text; ``hours_known`` says whether
:func:`geo.nearby.parse_hours` understood it (then the app's "open now" works).
Ambiguous texts are not guessed: "Lunes a Viernes de 8:00 - 4:00" (no am/pm, the
end before the start) and "4:00 PM - 1:00 PM" stay unknown.
"""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import vocab
from geo.errors import LayerError
from geo.nearby import parse_hours

__all__ = [
    "DUPLICATE_TOLERANCE_M",
    "PROPOSAL_COLUMNS",
    "SERVICE_COLUMNS",
    "AnchorMatch",
    "FileClassification",
    "OutsidePoint",
    "ServicesReport",
    "UnclassifiedPoint",
    "anchor_care_blocks",
    "proposals_from_official",
    "services_from_official",
]

log = logging.getLogger(__name__)

SERVICE_COLUMNS: dict[str, str] = {
    "id": "str",
    "name": "str",
    "name_raw": "str",
    "kind": "str",
    "category": "str",
    "operator": "str",
    "populations": "str",
    "services": "str",
    "country": "str",
    "city": "str",
    "address": "str?",
    "phone": "str?",
    "email": "str?",
    "hours": "str?",
    "hours_known": "bool",
    "residential": "bool",
    "localidad": "str",
    "localidad_code": "str",
    "upz": "str?",
    "upz_code": "str?",
    "description_es": "str",
    "description_en": "str",
    "source": "str",
    "source_vintage": "str",
    "location_precision": "str",
    "duplicates": "int",
    "sdis_code": "str?",
    "premises_code": "str?",
}
"""Columns of the services layer and their registry types (``data/layers.toml`` format)."""

PROPOSAL_COLUMNS: dict[str, str] = {
    "id": "str",
    "name": "str",
    "kind": "str",
    "country": "str",
    "city": "str",
    "localidad": "str?",
    "localidad_code": "str?",
    "description_es": "str",
    "description_en": "str",
    "source": "str",
    "source_vintage": "str",
    "location_precision": "str",
}
"""Columns of the proposed-sites layer and their registry types."""

SDIS_SOURCE = "SDIS – Oferta de Servicios Sociales (Datos Abiertos Bogotá)"
SDMUJER_SOURCE = (
    "Secretaría Distrital de la Mujer – Casas de Igualdad de Oportunidades (Datos Abiertos Bogotá)"
)
CEPAL_SOURCE = (
    "CEPAL gender and care map of Bogotá (2021, Raffaellaanilio/genero_bogota): "
    "proposed care-block sites"
)
COUNTRY = "CO"
"""ISO code, as in the sample layers (``ui.i18n`` labels it "Colombia")."""
CITY = "Bogotá"
METRIC_CRS = "EPSG:9377"
"""MAGNA-SIRGAS / Origen-Nacional (metres), for distances in Colombia."""
DUPLICATE_TOLERANCE_M = 1.0

_OUTSIDE_LOCNOMBRE = "CUNDINAMARCA"
_CDC_FLAGS = (
    "comedor",
    "jardin_infantil",
    "centro_dia",
    "centro_crecer",
    "centro_amar",
    "comisaria_familia",
    "biblioteca",
)
_TRAINING_ROOMS = ("sala_confeccion", "sala_belleza", "salas_sistemas", "vive_digital")


@dataclass(frozen=True)
class _Category:
    agency: str  # "sdis" | "sdmujer"
    populations: tuple[str, ...]
    services: tuple[str, ...]
    dataset: str  # the published dataset, for ``source``
    prefix: str  # display-name prefix when the published name does not say what it is
    description_es: str
    description_en: str


_CATEGORIES: dict[str, _Category] = {
    "jardin_infantil": _Category(
        "sdis",
        ("children",),
        ("child_care",),
        "jardines infantiles",
        "Jardín infantil",
        "Jardín infantil de la SDIS: cuidado y educación inicial de niñas y niños en "
        "primera infancia.",
        "SDIS nursery (jardín infantil): care and early education for young children.",
    ),
    "centro_dia": _Category(
        "sdis",
        ("older",),
        ("older_care",),
        "centros día y centros noche (envejecimiento activo)",
        "",
        "Centro Día o Centro Noche de la SDIS para personas mayores: actividades y "
        "cuidado de día, o alojamiento de noche.",
        "SDIS day or night centre for older persons: day activities and care, or "
        "overnight shelter.",
    ),
    "cdc": _Category(
        "sdis",
        ("households",),
        ("community_care",),
        "Centros de Desarrollo Comunitario",
        "CDC",
        "Centro de Desarrollo Comunitario (CDC) de la SDIS: espacios y servicios para "
        "la comunidad del barrio.",
        "SDIS community development centre (CDC): rooms and services for the neighbourhood.",
    ),
    "casa_igualdad": _Category(
        "sdmujer",
        ("carers",),
        ("legal_aid", "psychosocial", "training"),
        "Casas de Igualdad de Oportunidades para las Mujeres",
        "",
        "Secretaría de la Mujer: orientación jurídica y psicosocial y formación para mujeres.",
        "Women's Secretariat: legal and psychosocial guidance and courses for women.",
    ),
    "disability_children": _Category(
        "sdis",
        ("disability", "children"),
        ("disability_care",),
        "centros para niñas, niños y adolescentes con discapacidad",
        "",
        "Centro de la SDIS para niñas, niños y adolescentes con discapacidad.",
        "SDIS centre for children and adolescents with disabilities.",
    ),
    "disability_adults": _Category(
        "sdis",
        ("disability",),
        ("disability_care",),
        "centros Integrarte para personas adultas con discapacidad",
        "",
        "Centro Integrarte de la SDIS para personas adultas con discapacidad.",
        "SDIS Integrarte centre for adults with disabilities.",
    ),
    "comedor": _Category(
        "sdis",
        ("households",),
        ("community_care",),
        "comedores comunitarios",
        "Comedor comunitario",
        "Comedor comunitario de la SDIS: almuerzo diario para hogares inscritos en "
        "inseguridad alimentaria.",
        "SDIS community kitchen: a daily hot lunch for registered households in food insecurity.",
    ),
    "centro_amar": _Category(
        "sdis",
        ("children",),
        ("child_care",),
        "Centros Amar",
        "",
        "Centro Amar de la SDIS: cuidado de niñas, niños y adolescentes en riesgo de "
        "trabajo infantil mientras sus familias trabajan.",
        "SDIS Centro Amar: care for children and adolescents at risk of child labour "
        "while their families work.",
    ),
    "centro_proteger": _Category(
        "sdis",
        ("children",),
        ("child_care",),
        "Centros Proteger",
        "",
        "Centro Proteger de la SDIS: protección residencial 24 horas de niñas, niños y "
        "adolescentes, por remisión.",
        "SDIS Centro Proteger: 24-hour residential protection for children and "
        "adolescents, by referral.",
    ),
    "creciendo_familia": _Category(
        "sdis",
        ("children", "carers"),
        ("care_info",),
        "Creciendo en Familia",
        "Creciendo en Familia",
        "Creciendo en Familia (SDIS): educación inicial con la familia para gestantes y "
        "niñas y niños pequeños (menores de 2-3 años).",
        "Creciendo en Familia (SDIS): early education with the family for pregnant "
        "women and young children (under 2-3).",
    ),
}
assert set(_CATEGORIES) == set(vocab.SERVICE_CATEGORIES)

_SDIS_CODES = {
    "35": "jardin_infantil",
    "29": "jardin_infantil",
    "20": "cdc",
    "90": "disability_children",
    "91": "disability_children",
    "92": "disability_children",
    "3": "disability_adults",
    "4": "disability_adults",
    "80": "centro_amar",
    "40": "centro_proteger",
}
"""``OSSSERVICI`` codes established from the published copy (see the module docstring)."""
_NIGHT_JARDIN_CODE = "29"

# On folded, upper-case text (accents removed); order matters.
_NAME_KEYWORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), category)
    for pattern, category in (
        (r"\bCASAS? DE IGUALDAD\b|^CIO\b", "casa_igualdad"),
        (r"\bCENTROS? (DIA|NOCHE)\b", "centro_dia"),
        (r"\bCOMEDOR", "comedor"),
        (r"\bCDC\b|\bCENTROS? DE DESARROLLO COMUNITARIO\b", "cdc"),
        (r"\bCENTROS? AMAR\b", "centro_amar"),
        (r"\bPROTEGER\b|^CP\b", "centro_proteger"),
        (r"\bCRECIENDO\b", "creciendo_familia"),
        (r"\bINTEGRARTE\b", "disability_adults"),
        (r"\bCENTROS? (CRECER|AVANZAR)\b|\bRENACER\b", "disability_children"),
        (r"\bJARDIN", "jardin_infantil"),
    )
)
_STEM_KEYWORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    *_NAME_KEYWORDS,
    (re.compile(r"\bENVEJECIMIENTO\b|\bPERSONAS? MAYORES?\b(?!.*DISCAPACIDAD)"), "centro_dia"),
    (re.compile(r"DISCAPACIDAD.*\bNIN[OA]S?\b|\bNIN[OA]S?\b.*DISCAPACIDAD"), "disability_children"),
    (re.compile(r"DISCAPACIDAD"), "disability_adults"),
    (re.compile(r"\bOPORTUNIDADES\b.*\bMUJER|\bMUJER.*\bOPORTUNIDADES\b"), "casa_igualdad"),
)

_KEEP_UPPER = {"CDC", "CIO", "CP", "JJ", "CADIS", "CURNN", "SDIS", "SDMUJER", "ICBF", "UPZ"}
_LOWER_WORDS = {"de", "del", "y", "e", "en", "para", "por", "al", "con", "a"}


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileClassification:
    """How one input file was read.

    ``schema`` is ``"sdis"`` (``OSS*`` fields), ``"sdmujer"`` (``CIO*``),
    ``"proposals"`` (only a name: read by :func:`proposals_from_official`) or
    ``"unknown"``; ``by`` counts the clue that classified each feature (``code``,
    ``cdc_flags``, ``cio_fields``, ``name``, ``file_name``, ``none``).
    """

    file: str
    schema: str
    features: int
    categories: dict[str, int]
    by: dict[str, int]


@dataclass(frozen=True)
class OutsidePoint:
    """A published point outside Bogotá, left out."""

    file: str
    name: str
    category: str
    reason: str  # "locnombre_cundinamarca" and/or "outside_localidades"
    distance_m: float  # straight line to the nearest localidad (0 when inside one)


@dataclass(frozen=True)
class UnclassifiedPoint:
    """A published point no clue classified, left out."""

    file: str
    name: str
    reason: str


@dataclass(frozen=True)
class AnchorMatch:
    """What :func:`anchor_care_blocks` did with one care block that names an anchor.

    ``reason``: ``matched``; ``no_category`` (the anchor's name says no category the
    official layer holds, e.g. "SuperCADE Manitas"); ``not_found``; ``ambiguous``
    (several facilities fit).
    """

    block_id: str
    anchor: str
    matched: bool
    reason: str
    service_id: str | None = None
    service_name: str | None = None
    moved_m: float | None = None


@dataclass(frozen=True)
class ServicesReport:
    """Counts and warnings of :func:`services_from_official` (plain data, no wording).

    Attributes
    ----------
    features_in
        Service features read (proposals files excluded).
    files
        How each file was classified.
    in_by_category, usable_by_category
        Features per category before and after leaving out and merging.
    duplicates_merged
        Records merged into another identical one.
    duplicate_groups
        ``(category, name, records merged)`` per merged service.
    same_place
        ``(category, names)`` of distinct services of one category at the same point
        (kept: a day and a night jardín in one building are two services).
    outside
        Points outside Bogotá, left out.
    unclassified, unlocated
        Points left out: no clue to their category; no usable point geometry
        (``(file, name)``).
    hours_parsed
        Usable services whose hours :func:`geo.nearby.parse_hours` understood.
    hours_not_parsed
        ``(name, raw text)`` of usable services whose hours were not understood.
    hours_missing
        Usable services without published hours.
    anchors
        Filled by :meth:`with_anchors` from :func:`anchor_care_blocks`.
    warnings
        Things a person should check (file names used to classify, unknown schemas).
    """

    features_in: int
    usable: int
    files: tuple[FileClassification, ...]
    in_by_category: dict[str, int]
    usable_by_category: dict[str, int]
    duplicates_merged: int
    duplicate_groups: tuple[tuple[str, str, int], ...]
    same_place: tuple[tuple[str, tuple[str, ...]], ...]
    outside: tuple[OutsidePoint, ...]
    unclassified: tuple[UnclassifiedPoint, ...]
    unlocated: tuple[tuple[str, str], ...]
    hours_parsed: int
    hours_not_parsed: tuple[tuple[str, str], ...]
    hours_missing: int
    proposals_skipped: int = 0
    anchors: tuple[AnchorMatch, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def anchors_matched(self) -> tuple[AnchorMatch, ...]:
        """The care blocks moved to their anchor facility."""
        return tuple(a for a in self.anchors if a.matched)

    def with_anchors(self, anchors: Sequence[AnchorMatch]) -> ServicesReport:
        """Return a copy that also records the care-block anchors."""
        return replace(self, anchors=tuple(anchors))

    def as_dict(self) -> dict[str, Any]:
        """Plain values for a JSON report (lists of records, counts, mappings)."""
        out = asdict(self)
        out["outside_names"] = [p.name for p in self.outside]
        out["anchors_matched"] = [a.anchor for a in self.anchors_matched]
        out["hours_not_parsed_count"] = len(self.hours_not_parsed)
        return out


# --------------------------------------------------------------------------------------
# Text helpers
# --------------------------------------------------------------------------------------


def _fold(text: str) -> str:
    """Upper case without accents and with single spaces (for matching, not display)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"\s+", " ", plain).strip().upper()


def _key(text: str | None) -> str:
    """Matching key: folded, punctuation as spaces."""
    if not text:
        return ""
    return re.sub(r"\s+", " ", re.sub(r"[^\w]+", " ", _fold(text))).strip()


def _text(value: Any) -> str | None:
    """A published value as text: None for missing or blank; ``3169092.0`` -> "3169092"."""
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _count(value: Any) -> int:
    r"""A published 0/1 (or count) flag as an int; text such as ``'0\xa0 '`` is read."""
    text = _text(value)
    if text is None:
        return 0
    found = re.match(r"\d+", text)
    return int(found.group()) if found else 0


def _title(text: str) -> str:
    """Title-case an ALL-CAPS name for display, keeping acronyms and accents."""
    if any(c.islower() for c in text):
        return text

    def word(match: re.Match[str]) -> str:
        raw = match.group()
        if raw in _KEEP_UPPER or (re.fullmatch(r"[IVX]+", raw) and len(raw) <= 4):
            return raw
        lower = raw.lower()
        if lower in _LOWER_WORDS and match.start() > 0:
            return lower
        return lower[:1].upper() + lower[1:]

    return re.sub(r"\s+", " ", re.sub(r"[^\W\d_]+", word, text)).strip()


def _classify_text(text: str, table: tuple[tuple[re.Pattern[str], str], ...]) -> str | None:
    folded = _fold(text)
    for pattern, category in table:
        if pattern.search(folded):
            return category
    return None


# --------------------------------------------------------------------------------------
# Reading the published files
# --------------------------------------------------------------------------------------


def _fields(frame: pd.DataFrame) -> dict[str, str]:
    """Lower-case field name -> published field name (geometry excluded)."""
    geometry = frame.geometry.name if isinstance(frame, gpd.GeoDataFrame) else None
    return {str(c).lower(): str(c) for c in frame.columns if c != geometry}


def _schema(fields: Mapping[str, str]) -> str:
    names = set(fields)
    if sum(n.startswith("cio") for n in names) >= 2:
        return "sdmujer"
    if any(n.startswith("oss") for n in names):
        return "sdis"
    if "name" in names and names <= {"name", "description", "descripcion", "objectid", "fid"}:
        return "proposals"
    return "unknown"


def _lonlat(name: str, frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if not isinstance(frame, gpd.GeoDataFrame):
        raise LayerError(f"{name}: expected a GeoDataFrame, got {type(frame).__name__}.")
    if frame.crs is None:
        raise LayerError(
            f"{name}: the layer has no CRS; the published service layers are EPSG:4326 "
            "(set it, e.g. frame.set_crs('EPSG:4326'))."
        )
    return frame if frame.crs.to_epsg() == 4326 else frame.to_crs(4326)


def _boundary(name: str, frame: gpd.GeoDataFrame, columns: Sequence[str]) -> gpd.GeoDataFrame:
    frame = _lonlat(name, frame)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise LayerError(
            f"{name} layer lacks column(s) {', '.join(missing)}: give the normalised "
            f"layer of geo.io.atlas.sources (columns {', '.join(columns)})."
        )
    return frame


def _classify_row(
    row: Mapping[str, Any],
    fields: Mapping[str, str],
    schema: str,
    cdc_file: bool,
    stem_category: str | None,
    name: str,
) -> tuple[str | None, str]:
    """(category, clue) of one feature."""
    if schema == "sdmujer":
        return "casa_igualdad", "cio_fields"
    if schema != "sdis":  # no published name, address or hours to read: not guessed
        return None, "none"
    code = _text(row.get(fields.get("ossservici", ""), None))
    if code is not None and code.lstrip("0") in _SDIS_CODES:
        return _SDIS_CODES[code.lstrip("0")], "code"
    if code is not None and code in _SDIS_CODES:
        return _SDIS_CODES[code], "code"
    if cdc_file:
        return "cdc", "cdc_flags"
    by_name = _classify_text(name, _NAME_KEYWORDS) if name else None
    if by_name is not None:
        return by_name, "name"
    if stem_category is not None:
        return stem_category, "file_name"
    return None, "none"


def _services_of(category: str, row: Mapping[str, Any], fields: Mapping[str, str]):
    spec = _CATEGORIES[category]
    populations = list(spec.populations)
    services = list(spec.services)
    if category == "cdc":

        def flag(name: str) -> int:
            return _count(row.get(fields[name])) if name in fields else 0

        extra = (
            ("jardin_infantil", ("children",), ("child_care",)),
            ("centro_dia", ("older",), ("older_care",)),
            ("centro_crecer", ("disability", "children"), ("disability_care",)),
            ("centro_amar", ("children",), ("child_care",)),
            ("comisaria_familia", (), ("legal_aid",)),
        )
        for name, pops, servs in extra:
            if flag(name) > 0:
                populations.extend(pops)
                services.extend(servs)
        if any(flag(name) > 0 for name in _TRAINING_ROOMS):
            services.append("training")
    ordered_pops = [p for p in vocab.POPULATIONS if p in populations]
    ordered_servs = [s for s in vocab.SERVICES if s in services]
    return vocab.CODE_SEPARATOR.join(ordered_pops), vocab.CODE_SEPARATOR.join(ordered_servs)


def _residential(category: str, name: str, code: str | None) -> bool:
    folded = _fold(name)
    if category == "centro_proteger":
        return True
    if category == "centro_dia":
        return "CENTRO NOCHE" in folded
    if category == "disability_adults":
        return code == "3" or "INTERN" in folded
    if category == "disability_children":
        return "RENACER" in folded or "PROTECCION" in folded
    return False


def _display_name(category: str, raw: str, code: str | None) -> str:
    name = _title(raw)
    spec = _CATEGORIES[category]
    if category == "centro_proteger" and re.match(r"^CP\b", name):
        return "Centro Proteger" + name[2:]
    if category == "jardin_infantil" and code == _NIGHT_JARDIN_CODE:
        prefix = "Jardín infantil nocturno"
    else:
        prefix = spec.prefix
    if prefix and _classify_text(name, _NAME_KEYWORDS) != category:
        return f"{prefix} {name}"
    return name


# --------------------------------------------------------------------------------------
# Services
# --------------------------------------------------------------------------------------


def services_from_official(
    service_files: Sequence[tuple[str, gpd.GeoDataFrame]],
    *,
    localidades: gpd.GeoDataFrame,
    upz: gpd.GeoDataFrame,
    vintage: str = "2020",
) -> tuple[gpd.GeoDataFrame, ServicesReport]:
    """Turn the published SDIS / SDMujer service layers into one care-service layer.

    Parameters
    ----------
    service_files
        ``(name, frame)`` per published layer, with its raw columns (``OSS*`` or
        ``CIO*``) and point geometries in any CRS; ``name`` (the file stem) is used
        only when nothing else classifies a feature, and then with a warning. A
        proposals layer (only ``Name``) is skipped here: see
        :func:`proposals_from_official`.
    localidades
        The 20 localidades, columns ``code`` and ``name`` (display name).
    upz
        UPZ / UPR polygons, columns ``code`` and ``name``.
    vintage
        Year the service layers describe; ``source_vintage`` is "about <vintage>".

    Returns
    -------
    (GeoDataFrame, ServicesReport)
        One row per usable service with exactly the columns of
        :data:`SERVICE_COLUMNS` plus ``geometry`` (EPSG:4326 points), sorted by
        ``id``; and what was read, merged and left out.

    Raises
    ------
    LayerError
        A layer without a CRS, or boundaries without their columns.
    """
    localidades = _boundary("localidades", localidades, ("code", "name"))
    upz = _boundary("upz", upz, ("code", "name"))
    records: list[dict[str, Any]] = []
    files: list[FileClassification] = []
    unclassified: list[UnclassifiedPoint] = []
    unlocated: list[tuple[str, str]] = []
    warnings: list[str] = []
    proposals_skipped = 0
    for file_name, raw in service_files:
        frame = _lonlat(file_name, raw)
        fields = _fields(frame)
        schema = _schema(fields)
        if schema == "proposals":
            proposals_skipped += len(frame)
            files.append(FileClassification(file_name, schema, len(frame), {}, {}))
            continue
        cdc_file = sum(f in fields for f in _CDC_FLAGS) >= 3
        stem_category = _classify_text(re.sub(r"[_\-.]+", " ", file_name), _STEM_KEYWORDS)
        name_field = fields.get("cionombre") or fields.get("ossnombre")
        categories: Counter[str] = Counter()
        clues: Counter[str] = Counter()
        geoms = np.asarray(frame.geometry.values)
        for position, (_, row) in enumerate(frame.iterrows()):
            name = _text(row.get(name_field)) if name_field else None
            category, clue = _classify_row(row, fields, schema, cdc_file, stem_category, name or "")
            clues[clue] += 1
            label = name or f"(row {position + 1}, no name)"
            if category is None:
                reason = "unknown_schema" if schema == "unknown" else "no_clue"
                unclassified.append(UnclassifiedPoint(file_name, label, reason))
                continue
            categories[category] += 1
            geom = geoms[position]
            if geom is None or shapely.is_empty(geom) or shapely.get_type_id(geom) != 0:
                unlocated.append((file_name, label))
                continue
            records.append(_record(file_name, row, fields, schema, category, name or label, geom))
        if clues.get("file_name"):
            warnings.append(
                f"{file_name}: {clues['file_name']} feature(s) classified only by the file "
                f"name as {stem_category!r} (no service code and no telling name)."
            )
        if clues.get("none"):
            warnings.append(
                f"{file_name}: {clues['none']} feature(s) with no clue to their category "
                + (
                    "(neither OSS* nor CIO* fields)"
                    if schema == "unknown"
                    else "(no known OSSSERVICI code, no telling name or file name)"
                )
                + ": left out; rename the file after its dataset (e.g. 'comedores "
                "comunitarios') or add the SDIS service code."
            )
        files.append(
            FileClassification(file_name, schema, len(frame), dict(categories), dict(clues))
        )

    features_in = sum(f.features for f in files if f.schema != "proposals")
    in_by_category: Counter[str] = Counter()
    for f in files:
        in_by_category.update(f.categories)
    usable, outside = _inside(records, localidades)
    usable, merged, duplicate_groups, same_place = _merge_duplicates(usable)
    frame = _frame(usable, upz, vintage)
    hours_known = frame["hours_known"].to_numpy(dtype=bool)
    has_hours = frame["hours"].notna().to_numpy()
    report = ServicesReport(
        features_in=features_in,
        usable=len(frame),
        files=tuple(files),
        in_by_category=_ordered(in_by_category),
        usable_by_category=_ordered(Counter(frame["category"])),
        duplicates_merged=merged,
        duplicate_groups=tuple(duplicate_groups),
        same_place=tuple(same_place),
        outside=tuple(outside),
        unclassified=tuple(unclassified),
        unlocated=tuple(unlocated),
        hours_parsed=int(hours_known.sum()),
        hours_not_parsed=tuple(
            (str(n), str(h))
            for n, h in zip(
                frame.loc[has_hours & ~hours_known, "name"],
                frame.loc[has_hours & ~hours_known, "hours"],
                strict=True,
            )
        ),
        hours_missing=int((~has_hours).sum()),
        proposals_skipped=proposals_skipped,
        warnings=tuple(warnings),
    )
    log.info(
        "services: %d read, %d outside Bogotá, %d unclassified, %d merged, %d usable",
        features_in,
        len(outside),
        len(unclassified),
        merged,
        len(frame),
    )
    return frame, report


def _ordered(counts: Mapping[str, int]) -> dict[str, int]:
    return {c: int(counts[c]) for c in vocab.SERVICE_CATEGORIES if counts.get(c)}


def _record(
    file_name: str,
    row: Mapping[str, Any],
    fields: Mapping[str, str],
    schema: str,
    category: str,
    name: str,
    geom: shapely.Geometry,
) -> dict[str, Any]:
    def get(*names: str) -> str | None:
        for n in names:
            if n in fields:
                value = _text(row.get(fields[n]))
                if value is not None:
                    return value
        return None

    code = get("ossservici")
    if code is not None:
        code = code.lstrip("0") or "0"
    populations, services = _services_of(category, row, fields)
    return {
        "file": file_name,
        "category": category,
        "name_raw": name,
        "address": get("ossdirecci", "ciodirecci"),
        "phone": get("osstelefon", "ciotelefon"),
        "email": get("ciocelectr"),
        "hours": get("osshorario", "ciohorario"),
        "locnombre": get("locnombre"),
        "identi": get("ossidenti"),
        "sdis_code": code,
        "premises_code": get("osstpropie"),
        "populations": populations,
        "services": services,
        "agency": _CATEGORIES[category].agency if schema != "sdmujer" else "sdmujer",
        "geometry": geom,
    }


def _inside(
    records: list[dict[str, Any]], localidades: gpd.GeoDataFrame
) -> tuple[list[dict[str, Any]], list[OutsidePoint]]:
    """Attach the localidad of each record; split off the points outside Bogotá."""
    if not records:
        return [], []
    points = gpd.GeoDataFrame(
        {"i": np.arange(len(records))}, geometry=[r["geometry"] for r in records], crs=4326
    )
    polygons = localidades[["code", "name", localidades.geometry.name]].reset_index(drop=True)
    joined = gpd.sjoin(points, polygons, how="left", predicate="intersects")
    joined = joined.sort_values(["i", "code"]).drop_duplicates("i").set_index("i")
    metric_city = None
    usable, outside = [], []
    for i, record in enumerate(records):
        code = joined.at[i, "code"]
        reasons = []
        if record["locnombre"] is not None and _fold(record["locnombre"]) == _OUTSIDE_LOCNOMBRE:
            reasons.append("locnombre_cundinamarca")
        if not isinstance(code, str):
            reasons.append("outside_localidades")
        if reasons:
            if metric_city is None:
                metric_city = shapely.union_all(polygons.to_crs(METRIC_CRS).geometry.values)
            point = gpd.GeoSeries([record["geometry"]], crs=4326).to_crs(METRIC_CRS).iloc[0]
            outside.append(
                OutsidePoint(
                    file=record["file"],
                    name=record["name_raw"],
                    category=record["category"],
                    reason="+".join(reasons),
                    distance_m=round(float(point.distance(metric_city)), 1),
                )
            )
            continue
        usable.append({**record, "localidad_code": code, "localidad": joined.at[i, "name"]})
    return usable, outside


def _merge_duplicates(
    records: list[dict[str, Any]],
) -> tuple[list[dict[str, Any]], int, list[tuple[str, str, int]], list[tuple[str, tuple]]]:
    """Merge records of one category with the same name and address within 1 m."""
    if not records:
        return [], 0, [], []
    xy = shapely.get_coordinates(
        gpd.GeoSeries([r["geometry"] for r in records], crs=4326).to_crs(METRIC_CRS).values
    )
    groups: dict[tuple[str, str, str], list[int]] = {}
    for i, r in enumerate(records):
        groups.setdefault((r["category"], _key(r["name_raw"]), _key(r["address"])), []).append(i)
    keep: list[dict[str, Any]] = []
    merged_total = 0
    duplicate_groups: list[tuple[str, str, int]] = []
    for members in groups.values():
        pending = list(members)
        while pending:
            first = pending.pop(0)
            near = [j for j in pending if np.hypot(*(xy[j] - xy[first])) <= DUPLICATE_TOLERANCE_M]
            pending = [j for j in pending if j not in near]
            record = dict(records[first])
            for j in near:
                for column, value in records[j].items():
                    if record.get(column) is None and value is not None:
                        record[column] = value
            record["duplicates"] = len(near)
            if near:
                merged_total += len(near)
                duplicate_groups.append((record["category"], record["name_raw"], len(near)))
            keep.append(record)
    # distinct services of one category at one point: kept, but listed
    kept_xy = shapely.get_coordinates(
        gpd.GeoSeries([r["geometry"] for r in keep], crs=4326).to_crs(METRIC_CRS).values
    )
    same_place: list[tuple[str, tuple[str, ...]]] = []
    seen: set[int] = set()
    for i, r in enumerate(keep):
        if i in seen:
            continue
        together = [
            j
            for j in range(i + 1, len(keep))
            if j not in seen
            and keep[j]["category"] == r["category"]
            and np.hypot(*(kept_xy[j] - kept_xy[i])) <= DUPLICATE_TOLERANCE_M
        ]
        if together:
            seen.update(together)
            names = tuple(keep[k]["name_raw"] for k in [i, *together])
            same_place.append((r["category"], names))
    return keep, merged_total, duplicate_groups, same_place


def _stable_id(record: Mapping[str, Any], identi_counts: Counter[str]) -> str:
    slug = record["category"].replace("_", "-")
    identi = record.get("identi")
    if identi and re.fullmatch(r"\d{7}", identi) and identi_counts[identi] == 1:
        return f"{record['agency']}-{slug}-{identi}"
    point = record["geometry"]
    text = "|".join(
        (
            record["category"],
            _key(record["name_raw"]),
            _key(record["address"]),
            f"{point.x:.6f}",
            f"{point.y:.6f}",
        )
    )
    return f"{record['agency']}-{slug}-{hashlib.blake2b(text.encode(), digest_size=5).hexdigest()}"


def _frame(records: list[dict[str, Any]], upz: gpd.GeoDataFrame, vintage: str) -> gpd.GeoDataFrame:
    columns = [*SERVICE_COLUMNS, "geometry"]
    if not records:
        empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in SERVICE_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=4326))[columns]
    identi_counts = Counter(r["identi"] for r in records if r.get("identi"))
    rows = []
    for r in records:
        spec = _CATEGORIES[r["category"]]
        source = SDIS_SOURCE if r["agency"] == "sdis" else SDMUJER_SOURCE
        hours = r["hours"]
        rows.append(
            {
                "id": _stable_id(r, identi_counts),
                "name": _display_name(r["category"], r["name_raw"], r["sdis_code"]),
                "name_raw": r["name_raw"],
                "kind": "service",
                "category": r["category"],
                "operator": "public",
                "populations": r["populations"],
                "services": r["services"],
                "country": COUNTRY,
                "city": CITY,
                "address": r["address"],
                "phone": r["phone"],
                "email": r["email"],
                "hours": hours,
                "hours_known": hours is not None and parse_hours(hours) is not None,
                "residential": _residential(r["category"], r["name_raw"], r["sdis_code"]),
                "localidad": r["localidad"],
                "localidad_code": r["localidad_code"],
                "description_es": spec.description_es,
                "description_en": spec.description_en,
                "source": f"{source}: {spec.dataset}",
                "source_vintage": f"about {vintage}",
                "location_precision": "address",
                "duplicates": int(r.get("duplicates", 0)),
                "sdis_code": r["sdis_code"],
                "premises_code": r["premises_code"],
                "geometry": r["geometry"],
            }
        )
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    polygons = upz[["code", "name", upz.geometry.name]].reset_index(drop=True)
    points = frame[["geometry"]].assign(i=np.arange(len(frame)))
    joined = gpd.sjoin(points, polygons, how="left", predicate="intersects")
    joined = joined.sort_values(["i", "code"]).drop_duplicates("i").set_index("i").sort_index()
    frame["upz"] = joined["name"].where(joined["name"].notna(), None).to_numpy(dtype=object)
    frame["upz_code"] = joined["code"].where(joined["code"].notna(), None).to_numpy(dtype=object)
    ids = frame["id"]
    if ids.duplicated().any():  # a hash collision or identical ids: number them
        frame["id"] = ids + ids.groupby(ids).cumcount().map(lambda n: "" if n == 0 else f"-{n + 1}")
    for column, kind in SERVICE_COLUMNS.items():
        if kind.startswith("str"):  # plain objects, missing values as None (not NaN)
            values = frame[column].astype(object)
            frame[column] = values.where(values.notna(), None)
    frame["duplicates"] = frame["duplicates"].astype("int64")
    frame["hours_known"] = frame["hours_known"].astype(bool)
    frame["residential"] = frame["residential"].astype(bool)
    return frame.sort_values("id", kind="stable").reset_index(drop=True)[columns]


# --------------------------------------------------------------------------------------
# Proposals
# --------------------------------------------------------------------------------------


def proposals_from_official(
    files: Sequence[tuple[str, gpd.GeoDataFrame]],
    *,
    localidades: gpd.GeoDataFrame | None = None,
    vintage: str = "2021",
) -> gpd.GeoDataFrame:
    """Read the CEPAL study's proposed care-block sites as a ``proposal`` layer.

    Parameters
    ----------
    files
        ``(name, frame)`` per layer; only layers whose sole attribute is a name
        (``Name``) are read, the others are ignored (they are service layers).
    localidades
        When given (columns ``code``, ``name``), each site gets its localidad.
    vintage
        Year of the study (the layer was published in June 2021).

    Returns
    -------
    GeoDataFrame
        Columns of :data:`PROPOSAL_COLUMNS` plus ``geometry`` (EPSG:4326). The points
        sit at the named facility: the three CDCs among them lie 46-55 m from SDIS's
        own points, hence ``address`` precision.
    """
    rows = []
    for file_name, raw in files:
        frame = _lonlat(file_name, raw)
        fields = _fields(frame)
        if _schema(fields) != "proposals":
            continue
        for _, row in frame.iterrows():
            geom = row[frame.geometry.name]
            if geom is None or shapely.is_empty(geom) or shapely.get_type_id(geom) != 0:
                log.warning("%s: a proposed site without a point was left out", file_name)
                continue
            name = _text(row[fields["name"]]) or "(no name)"
            text = f"{_key(name)}|{geom.x:.6f}|{geom.y:.6f}"
            rows.append(
                {
                    "id": f"cepal-proposal-{hashlib.blake2b(text.encode(), digest_size=5).hexdigest()}",
                    "name": name,
                    "kind": "proposal",
                    "country": COUNTRY,
                    "city": CITY,
                    "localidad": None,
                    "localidad_code": None,
                    "description_es": (
                        f"{name}: sitio propuesto por un estudio de la CEPAL como ancla de una "
                        "Manzana del Cuidado; no es una Manzana del Cuidado oficial."
                    ),
                    "description_en": (
                        f"{name}: site proposed by a CEPAL study as a care-block anchor; "
                        "not an official care block."
                    ),
                    "source": CEPAL_SOURCE,
                    "source_vintage": f"about {vintage}",
                    "location_precision": "address",
                    "geometry": geom,
                }
            )
    columns = [*PROPOSAL_COLUMNS, "geometry"]
    if not rows:
        empty = gpd.GeoDataFrame({c: pd.Series(dtype=object) for c in PROPOSAL_COLUMNS})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=4326))[columns]
    frame = gpd.GeoDataFrame(rows, geometry="geometry", crs=4326)
    for column in PROPOSAL_COLUMNS:
        frame[column] = frame[column].astype(object)
    if localidades is not None:
        polygons = _boundary("localidades", localidades, ("code", "name"))
        polygons = polygons[["code", "name", polygons.geometry.name]].reset_index(drop=True)
        points = frame[["geometry"]].assign(i=np.arange(len(frame)))
        joined = gpd.sjoin(points, polygons, how="left", predicate="intersects")
        joined = joined.sort_values(["i", "code"]).drop_duplicates("i").set_index("i").sort_index()
        frame["localidad"] = joined["name"].where(joined["name"].notna(), None).to_numpy(object)
        frame["localidad_code"] = (
            joined["code"].where(joined["code"].notna(), None).to_numpy(object)
        )
    return frame.sort_values("id", kind="stable").reset_index(drop=True)[columns]


# --------------------------------------------------------------------------------------
# Care-block anchors
# --------------------------------------------------------------------------------------

_ANCHOR_POSITION_ES = (
    "Ubicación aproximada, situada a mano en el sector indicado (error de 0,5-2 km)."
)
_ANCHOR_POSITION_EN = "Approximate position, placed by hand at the named area (good to 0.5-2 km)."


def _anchor_core(text: str, category: str) -> str:
    """The facility's own name: category words, quotes and parentheses removed."""
    folded = _fold(re.sub(r"\([^)]*\)", " ", text))
    folded = re.sub(r"[«»\"“”']", " ", folded)
    for pattern, cat in _NAME_KEYWORDS:
        if cat == category:
            folded = pattern.sub(" ", folded)
    folded = re.sub(r"\b(INFANTIL|NOCTURNO|COMUNITARIO|COMUNITARIA)\b", " ", folded)
    for prefix in (_CATEGORIES[category].prefix, "Centro Proteger", "Jardín infantil nocturno"):
        if prefix:
            folded = re.sub(rf"^{re.escape(_fold(prefix))}\b", " ", folded.strip())
    return _key(folded)


def anchor_care_blocks(
    care_blocks: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> tuple[gpd.GeoDataFrame, list[AnchorMatch]]:
    """Move each care block onto its anchor facility where the official layer holds it.

    A block matches when its ``anchor`` names a category the official layer holds
    ("CDC La Giralda", "Jardín infantil «Dejando Huella»") and exactly one service of
    that category in the block's localidad has the same name (case, accents,
    punctuation and the category words ignored). A matched block takes the
    facility's point, ``location_precision = "address"``, the official source
    appended to ``source`` and a sentence saying so in its descriptions; every other
    block is returned exactly as it was.

    Parameters
    ----------
    care_blocks
        Care-block points with ``anchor``, ``localidad``, ``source`` and
        ``location_precision`` columns (the sample layer).
    services
        The layer of :func:`services_from_official`.

    Returns
    -------
    (GeoDataFrame, list of AnchorMatch)
        The blocks (same index, columns and CRS) and one entry per block that names
        an anchor.
    """
    missing = [c for c in ("anchor", "localidad") if c not in care_blocks.columns]
    if missing:
        raise LayerError(
            f"care blocks layer lacks column(s) {', '.join(missing)}; it cannot be matched "
            "to anchor facilities."
        )
    if care_blocks.crs is None or services.crs is None:
        raise LayerError("care blocks and services must both have a CRS to be matched.")
    out = care_blocks.copy()
    facilities = services.to_crs(care_blocks.crs) if services.crs != care_blocks.crs else services
    metric = services.to_crs(METRIC_CRS)
    keys = {
        category: facilities.index[facilities["category"] == category]
        for category in vocab.SERVICE_CATEGORIES
    }
    id_column = "id" if "id" in care_blocks.columns else None
    matches: list[AnchorMatch] = []
    for index, block in care_blocks.iterrows():
        anchor = _text(block["anchor"])
        if anchor is None:
            continue
        block_id = str(block[id_column]) if id_column else str(index)
        category = _classify_text(anchor, _NAME_KEYWORDS)
        if category is None:
            matches.append(AnchorMatch(block_id, anchor, False, "no_category"))
            continue
        core = _anchor_core(anchor, category)
        place = _key(_text(block["localidad"]) or "")
        candidates = [
            i
            for i in keys[category]
            if _key(facilities.at[i, "localidad"]) == place
            and core
            and core
            in (
                _anchor_core(facilities.at[i, "name_raw"], category),
                _anchor_core(facilities.at[i, "name"], category),
            )
        ]
        if len(candidates) != 1:
            reason = "not_found" if not candidates else "ambiguous"
            matches.append(AnchorMatch(block_id, anchor, False, reason))
            continue
        found = candidates[0]
        facility = facilities.loc[found]
        before = gpd.GeoSeries([block.geometry], crs=care_blocks.crs).to_crs(METRIC_CRS).iloc[0]
        moved = float(before.distance(metric.geometry.loc[found]))
        out.loc[index, out.geometry.name] = facility.geometry
        out.loc[index, "location_precision"] = "address"
        official = f"{facility['source']} ({facility['source_vintage']})"
        if "source" in out.columns:
            out.loc[index, "source"] = f"{block['source']}; location: {official}"
        for column, old, new in (
            (
                "description_es",
                _ANCHOR_POSITION_ES,
                f"Ubicación: la dirección de {facility['name']} en la capa oficial "
                f"de la SDIS (hacia {facility['source_vintage'].split()[-1]}).",
            ),
            (
                "description_en",
                _ANCHOR_POSITION_EN,
                f"Position: the address of {facility['name']} in the official SDIS layer "
                f"({facility['source_vintage']}).",
            ),
        ):
            if column in out.columns and isinstance(block[column], str):
                text = block[column]
                out.loc[index, column] = (
                    text.replace(old, new) if old in text else f"{text.rstrip()} {new}"
                )
        matches.append(
            AnchorMatch(
                block_id,
                anchor,
                True,
                "matched",
                service_id=str(facility["id"]),
                service_name=str(facility["name"]),
                moved_m=round(moved, 1),
            )
        )
    return out, matches
