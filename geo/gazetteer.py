"""Offline place search: find a localidad, neighbourhood, landmark, service or city by name.

The gazetteer is built from the bundled layers (:meth:`Gazetteer.from_layers`), so the
"near me" search works without any geocoding service:

``localidad``
    Each zone of the ``localidades`` layer, at its centroid (computed in the layer's
    UTM zone, then returned to EPSG:4326). The zones are approximate, so is the centre.
    A localidad is also found by its number, the layer's ``code`` ("localidad 19",
    "loc 19", "19 Ciudad Bolívar").
``neighbourhood``
    A small built-in list of Bogotá neighbourhoods named in the facts (Manitas, El
    Mochuelo, Campo Verde, Molinos, La Giralda, 20 de Julio, Usme centro, Suba centro),
    placed at the care block they belong to (:data:`NEIGHBOURHOODS`).
``landmark``
    The care blocks' anchor facilities ("SuperCADE Manitas", "TransMiCable",
    "Parque Entrenubes", "CDC La Giralda"...): an anchor ``"A (B)"`` gives two landmarks
    unless ``B`` is already a neighbourhood.
``service``
    Every named point of the other layers (care blocks, bus stops, cooperatives,
    training offer, national systems), at its own position.
``city``
    The ``city`` of features placed at their city centre (``location_precision ==
    "city"``), with the country.

Search (:meth:`Gazetteer.search`) is accent- and case-insensitive (Unicode NFKD with the
combining marks dropped, then ``casefold``), ranks prefix matches first (suggestions as
a person types) and tolerates typos with :func:`rapidfuzz.fuzz.WRatio`. Stop words
(:data:`STOP_WORDS`: "el", "la", "de", "the"...) never make a match: a fuzzy match
must share the query's other words, so an unknown barrio ("el restrepo") is not found
rather than matched to "El Alto" on "el". Everyday words
for a kind of care ("guardería", "daycare", "abuelos", "caregiver"...) are recognised by
:meth:`Gazetteer.service_terms`; search removes them before looking for the place, so
"guardería cerca de Bosa" finds Bosa, and a query made only of such words lists the
services that offer that kind of care.
"""

from __future__ import annotations

import logging
import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from rapidfuzz import fuzz, process

from geo import vocab

__all__ = [
    "KINDS",
    "NEIGHBOURHOODS",
    "STOP_WORDS",
    "SYNONYMS",
    "TRAINING_LAYERS",
    "Gazetteer",
    "Match",
    "Place",
    "normalize",
]

log = logging.getLogger(__name__)

KINDS = ("localidad", "neighbourhood", "landmark", "service", "city")
"""Kinds of place, as in :attr:`Place.kind`."""

_KIND_PRIORITY = {"localidad": 0, "neighbourhood": 0, "landmark": 0, "service": 1, "city": 2}
_BOGOTA = "Bogotá"

NEIGHBOURHOODS: tuple[tuple[str, str, str], ...] = (
    ("Manitas", "Ciudad Bolívar", "manitas"),
    ("El Mochuelo", "Ciudad Bolívar", "mochuelo"),
    ("Campo Verde", "Bosa", "campo verde"),
    ("Molinos", "Tunjuelito", "molinos"),
    ("La Giralda", "Fontibón", "giralda"),
    ("20 de Julio", "San Cristóbal", "20 de julio"),
    ("Usme centro", "Usme", ""),
    ("Suba centro", "Suba", ""),
)
"""Built-in Bogotá neighbourhoods: ``(name, localidad, needle)``.

Each is placed at the first care block of its localidad whose anchor or name contains
``needle`` (accent- and case-insensitive), or, with an empty needle, at the first care
block of the localidad. A neighbourhood whose block is absent from the layer is skipped.
Positions are therefore the blocks' (approximate, 0.5-2 km) positions.
"""

_CARE_WORDS: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple[str, ...]] = {
    (("child_care",), ("children",)): (
        "guarderia",
        "guarderias",
        "jardin infantil",
        "jardines infantiles",
        "jardin",
        "jardines",
        "hogar infantil",
        "hogares infantiles",
        "hogar comunitario",
        "hogares comunitarios",
        "sala cuna",
        "cuidado infantil",
        "ninos",
        "ninas",
        "daycare",
        "day care",
        "nursery",
        "child care",
        "childcare",
        "children",
        "kindergarten",
    ),
    (("older_care",), ("older",)): (
        "abuelos",
        "abuelas",
        "abuelo",
        "abuela",
        "adulto mayor",
        "adultos mayores",
        "persona mayor",
        "personas mayores",
        "tercera edad",
        "centro dia",
        "centros dia",
        "centro de dia",
        "centros de dia",
        "centro dia adulto mayor",
        "day centre",
        "day center",
        "day centres",
        "older persons",
        "older people",
        "older person",
        "elderly",
    ),
    (("disability_care",), ("disability",)): (
        "discapacidad",
        "disability",
        "disabilities",
        "disabled",
    ),
    (("respite",), ("carers",)): (
        "cuidadora",
        "cuidadoras",
        "cuidador",
        "cuidadores",
        "carer",
        "carers",
        "caregiver",
        "caregivers",
        "respiro",
        "respite",
    ),
    (("laundry",), ()): ("lavanderia", "lavanderias", "laundry", "laundromat"),
    (("legal_aid",), ()): ("asesoria juridica", "orientacion juridica", "abogado", "legal aid"),
    (("psychosocial",), ()): ("psicosocial", "psicologo", "psicologica", "psychosocial"),
    (("employment",), ()): ("empleo", "employment", "job", "jobs"),
    (("training",), ()): ("formacion", "capacitacion", "curso", "cursos", "training", "course"),
    (("certification",), ()): ("certificacion", "certification"),
    (("schooling",), ()): ("bachillerato", "primaria", "schooling"),
    (("home_care",), ()): ("cuidado a domicilio", "home care"),
    (("midwifery",), ()): ("parteria", "partera", "parteras", "midwife", "midwifery"),
}

SYNONYMS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    word: codes for codes, words in _CARE_WORDS.items() for word in words
}
"""Everyday word (normalised) -> ``(service codes, population codes)`` it names.

Carer words ("cuidadora", "caregiver") name the ``carers`` population and ``respite``:
the page may filter by the population alone, which keeps every service for carers.
"""

# Words around a place name that say "near": stripped from both ends of the query.
_FILLERS = frozenset(
    [
        "cerca",
        "de",
        "del",
        "en",
        "por",
        "al",
        "a",
        "para",
        "mi",
        "casa",
        "near",
        "in",
        "at",
        "around",
        "close",
        "to",
        "by",
        "of",
        "for",
        "me",
        "my",
    ]
)
# Words that name no place: Spanish and English articles, prepositions, conjunctions.
# They are ignored when matching, so "el restrepo" never matches "El Alto" on "el".
STOP_WORDS = frozenset(
    [
        *("el", "la", "los", "las", "lo", "un", "una", "unos", "unas"),
        *("de", "del", "al", "a", "en", "con", "por", "para", "sin", "sobre", "entre"),
        *("y", "e", "o", "u", "que", "su", "sus"),
        *("the", "a", "an", "of", "and", "or", "in", "on", "at", "to", "for", "by", "with"),
    ]
)
_WHO_WORDS = frozenset(["ninos", "ninas", "children", "abuelos", "abuelas", "abuelo", "abuela"])
"""Care words that name people, not places: a name holding them ("Jairo Aníbal Niño")
is not thereby a place of that care."""
TRAINING_LAYERS = frozenset({"training_offer"})
"""Layers of courses and certificates: listed after places of care for a care word."""
_FUZZY_CUTOFF = 70.0
_WORD_RATIO = 80.0  # a misspelt word still matches a name's word this alike (fuzz.ratio)
_MIN_QUERY_CHARS = 2
_MIN_FUZZY_CHARS = 3


def normalize(text: str) -> str:
    """Return ``text`` accent-free, case-folded, with punctuation as single spaces.

    Examples
    --------
    >>> normalize("  Ciudad BOLÍVAR – «Dejando Huella» ")
    'ciudad bolivar dejando huella'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", stripped).split())


@dataclass(frozen=True)
class Place:
    """A named place a person can search for.

    Attributes
    ----------
    name
        Name as shown.
    kind
        One of :data:`KINDS`.
    lat, lon
        Position in EPSG:4326 degrees.
    detail
        Where it is ("Ciudad Bolívar, Bogotá") or its country.
    precision
        How far to trust the position: one of :data:`geo.vocab.PRECISIONS`.
    layer, feature_id
        For a ``service``: the layer id and the feature id it comes from (else empty).
    """

    name: str
    kind: str
    lat: float
    lon: float
    detail: str
    precision: str
    layer: str = ""
    feature_id: str = ""


@dataclass(frozen=True)
class Match:
    """A search result: a place and how well it matches (0-100, higher is better)."""

    place: Place
    score: float


class Gazetteer:
    """An in-memory place index searched by name.

    Parameters
    ----------
    places
        The places, in any order; each may also be found by the extra names in
        ``aliases`` (same length as ``places``).
    aliases
        Other names of each place (e.g. "Dejando Huella" for a kindergarten).
    offers
        Service codes (:data:`geo.vocab.SERVICES`) each place offers; empty for
        places that are not services.
    """

    def __init__(
        self,
        places: Sequence[Place],
        *,
        aliases: Sequence[Sequence[str]] | None = None,
        offers: Sequence[Iterable[str]] | None = None,
    ) -> None:
        self._places = tuple(places)
        aliases = [()] * len(self._places) if aliases is None else aliases
        offers = [()] * len(self._places) if offers is None else offers
        for name, given in (("aliases", aliases), ("offers", offers)):
            if len(given) != len(self._places):
                raise ValueError(
                    f"{name} has {len(given)} entries for {len(self._places)} places; "
                    "give one (possibly empty) list per place."
                )
        self._offers = tuple(frozenset(codes) for codes in offers)
        keys: list[str] = []
        owners: list[int] = []
        for position, (place, extra) in enumerate(zip(self._places, aliases, strict=True)):
            for name in dict.fromkeys([place.name, *extra]):
                key = normalize(name)
                if key:
                    keys.append(key)
                    owners.append(position)
        self._keys = keys
        self._owners = np.asarray(owners, dtype=np.int64)
        self._key_words = [_content_words(key) for key in keys]
        self._content_keys = [" ".join(words) for words in self._key_words]

    @property
    def places(self) -> tuple[Place, ...]:
        """Every place, in the order they were added."""
        return self._places

    def __len__(self) -> int:
        return len(self._places)

    # ------------------------------------------------------------------------ building

    @classmethod
    def from_layers(cls, layers: Mapping[str, gpd.GeoDataFrame]) -> Gazetteer:
        """Build the gazetteer from bundled layers, keyed by layer id.

        Parameters
        ----------
        layers
            Any of ``localidades`` (polygons with ``name``), ``care_blocks`` (points with
            ``name``, ``anchor``, ``localidad``), ``countries`` (``iso_a2``, ``name_es``:
            country names for cities) and any point layers with a ``name`` column
            (services; with ``city``/``country``/``location_precision`` for cities).
            Missing layers are skipped. Layers without a CRS are read as EPSG:4326.

        Returns
        -------
        Gazetteer
            Localidades, neighbourhoods, landmarks, services and cities, deduplicated.
        """
        frames = {name: _in_4326(frame) for name, frame in layers.items()}
        places: list[Place] = []
        aliases: list[tuple[str, ...]] = []
        offers: list[frozenset[str]] = []
        seen: set[tuple[str, str, str]] = set()

        def add(place: Place, extra: Iterable[str] = (), codes: Iterable[str] = ()) -> None:
            key = (place.kind, normalize(place.name), normalize(place.detail))
            if key in seen or not key[1]:
                return
            seen.add(key)
            places.append(place)
            aliases.append(tuple(extra))
            offers.append(frozenset(codes))

        countries = _country_names(frames.get("countries"))
        for place, numbers in _localidades(frames.get("localidades")):
            add(place, numbers)
        local_names = {normalize(p.name) for p in places}
        for place in _planning_units(frames.get("upz"), frames.get("localidades")):
            if normalize(place.name) not in local_names:
                add(place)
        blocks = frames.get("care_blocks")
        for place in _neighbourhoods(blocks):
            add(place)
        taken = {normalize(p.name) for p in places}
        for place, extra in _landmarks(blocks, taken=taken | local_names):
            add(place, extra)
        for layer_id, frame in frames.items():
            if layer_id in ("localidades", "countries", "upz") or "name" not in frame:
                continue
            for place, extra, codes in _services(layer_id, frame, countries):
                add(place, extra, codes)
        for place in _cities(frames, countries):
            add(place)
        log.debug("gazetteer: %d places from %s", len(places), ", ".join(frames))
        return cls(places, aliases=aliases, offers=offers)

    # ------------------------------------------------------------------------ searching

    def service_terms(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Return the ``(service codes, population codes)`` that ``text`` names.

        Codes come from :data:`SYNONYMS` (Spanish and English everyday words), in
        vocabulary order, each once; ``((), ())`` when none is named.

        Examples
        --------
        >>> Gazetteer([]).service_terms("Guardería cerca de Bosa")
        (('child_care',), ('children',))
        """
        services: set[str] = set()
        populations: set[str] = set()
        for codes in _named_terms(normalize(text))[0]:
            services.update(codes[0])
            populations.update(codes[1])
        return (
            tuple(c for c in vocab.SERVICES if c in services),
            tuple(c for c in vocab.POPULATIONS if c in populations),
        )

    def search(self, text: str, *, limit: int = 8) -> list[Match]:
        """Find the places ``text`` names, best first.

        Parameters
        ----------
        text
            What the person typed: a place name, possibly partial, misspelt, without
            accents, and possibly with words for a kind of care ("guardería en Bosa").
        limit
            Most matches to return, >= 1.

        Returns
        -------
        list of Match
            Sorted by score (descending), then kind (localidad, neighbourhood and
            landmark before service before city), then name. Scores: 100 for the
            whole name; 90-100 when the query starts the name; 80-90 when it starts a
            later word of the name; otherwise 0.9 x :func:`rapidfuzz.fuzz.WRatio`
            (kept when WRatio >= 70 on the names without stop words, and when the name
            shares the query's words, :func:`_shares_terms`), so prefix matches come
            first as a person types.
            A query made only of care words ("guardería") lists the services offering
            that kind of care (score 90). Empty, too short (< 2 characters), unknown
            or stop-word-only queries give ``[]``: "not found" rather than something
            unrelated.
        """
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"limit = {limit!r} must be an integer >= 1.")
        query = normalize(text or "")
        terms, rest = _named_terms(query)
        rest = _strip_fillers(rest)
        if len(rest) < _MIN_QUERY_CHARS or not _content_words(rest):
            if not terms:
                return []
            words = [w for w in SYNONYMS if f" {w} " in f" {query} "]
            return self._services_offering(terms, limit=limit, words=words)
        scores = self._scores(rest)
        order = sorted(
            scores.items(),
            key=lambda item: (
                -item[1],
                _KIND_PRIORITY[self._places[item[0]].kind],
                normalize(self._places[item[0]].name),
                item[0],
            ),
        )
        return [Match(place=self._places[i], score=round(s, 2)) for i, s in order[:limit]]

    def _scores(self, query: str) -> dict[int, float]:
        """Best score per place position for a normalised query.

        Exact, prefix and word-start matches of the whole query count as they are;
        fuzzy matches compare the names without stop words and are kept only when
        they share the query's terms (:func:`_shares_terms`).
        """
        best: dict[int, float] = {}
        words = _content_words(query)

        def keep(position: int, score: float) -> None:
            if score > best.get(position, -1.0):
                best[position] = score

        for key, owner in zip(self._keys, self._owners, strict=True):
            if key == query:
                keep(int(owner), 100.0)
            elif key.startswith(query):
                keep(int(owner), 90.0 + 10.0 * len(query) / len(key))
            elif f" {query}" in f" {key}":
                keep(int(owner), 80.0 + 10.0 * len(query) / len(key))
        content = " ".join(words)
        if len(content) >= _MIN_FUZZY_CHARS:
            for _, score, index in process.extract(
                content,
                self._content_keys,
                scorer=fuzz.WRatio,
                score_cutoff=_FUZZY_CUTOFF,
                limit=None,
            ):
                if _shares_terms(words, self._key_words[index]):
                    keep(int(self._owners[index]), 0.9 * float(score))
        return best

    def _services_offering(
        self,
        terms: list[tuple[tuple[str, ...], tuple[str, ...]]],
        *,
        limit: int,
        words: Sequence[str] = (),
    ) -> list[Match]:
        """Return the places offering the care the words name.

        Places of care before training
        offers (course and certificate titles), then those whose name holds a word for
        that care ("Jardín infantil..." for "guardería", "Centro Día..." for "abuelos"),
        then by name.
        """
        wanted = {code for services, _ in terms for code in services}
        found = [p for p, codes in zip(self._places, self._offers, strict=True) if wanted & codes]
        groups = set(terms)
        needles = [
            f" {w}" for w, codes in SYNONYMS.items() if codes in groups and w not in _WHO_WORDS
        ]
        needles += [n[:-1] for n in needles if n.endswith("s")]
        needles += [f" {w}" for w in words]

        def named(place: Place) -> bool:
            name = f" {normalize(place.name)}"
            return any(n in name for n in needles)

        found.sort(
            key=lambda p: (
                p.layer in TRAINING_LAYERS,
                not named(p),
                normalize(p.name),
                normalize(p.detail),
            )
        )
        return [Match(place=p, score=95.0 if named(p) else 90.0) for p in found[:limit]]


# ------------------------------------------------------------------------------ helpers


def _named_terms(
    query: str,
) -> tuple[list[tuple[tuple[str, ...], tuple[str, ...]]], str]:
    """Care words found in a normalised query (longest first) and the query without them."""
    found = []
    rest = f" {query} "
    for word in sorted(SYNONYMS, key=len, reverse=True):
        needle = f" {word} "
        if needle in rest:
            found.append(SYNONYMS[word])
            rest = rest.replace(needle, " ")
    return found, " ".join(rest.split())


def _content_words(text: str) -> list[str]:
    """The words of a normalised text that are not :data:`STOP_WORDS`."""
    return [word for word in text.split() if word not in STOP_WORDS]


def _word_matches(word: str, name_words: Sequence[str]) -> bool:
    """Whether a query word names one of a name's words (numbers: exactly)."""
    if word.isdigit():
        return any(w.isdigit() and int(w) == int(word) for w in name_words)
    for name_word in name_words:
        if name_word == word or (len(word) >= _MIN_FUZZY_CHARS and name_word.startswith(word)):
            return True
        if len(word) > _MIN_FUZZY_CHARS and fuzz.ratio(word, name_word) >= _WORD_RATIO:
            return True
    return False


def _shares_terms(words: Sequence[str], name_words: Sequence[str]) -> bool:
    """Whether a fuzzy match is about the query's terms, not its stop words or shape.

    Every number of the query must be in the name ("localidad 19" is not
    "localidad 18"), and at least half of its other words (at least one) must match a
    word of the name, exactly, as a prefix or misspelt (:func:`_word_matches`).
    """
    numbers = [w for w in words if w.isdigit()]
    others = [w for w in words if not w.isdigit()]
    if not all(_word_matches(w, name_words) for w in numbers):
        return False
    if not others:
        return bool(numbers)
    matched = sum(_word_matches(w, name_words) for w in others)
    return matched >= max(1, math.ceil(len(others) / 2))


def _strip_fillers(query: str) -> str:
    words = query.split()
    while words and words[0] in _FILLERS:
        words.pop(0)
    while words and words[-1] in _FILLERS:
        words.pop()
    return " ".join(words)


def _in_4326(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    if frame.crs is None:
        return frame.set_crs(4326)
    return frame if frame.crs.to_epsg() == 4326 else frame.to_crs(4326)


def _text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value).strip()


def _precision(value: object, default: str) -> str:
    text = _text(value)
    return text if text in vocab.PRECISIONS else default


def _point(geom: shapely.Geometry) -> tuple[float, float] | None:
    """``(lat, lon)`` of a point (or a polygon's representative point), None if empty."""
    if geom is None or geom.is_empty:
        return None
    if geom.geom_type != "Point":
        geom = geom.representative_point()
    return float(geom.y), float(geom.x)


def _country_names(countries: gpd.GeoDataFrame | None) -> dict[str, str]:
    if countries is None or "iso_a2" not in countries:
        return {}
    column = "name_es" if "name_es" in countries else "name_en"
    if column not in countries:
        return {}
    return dict(zip(countries["iso_a2"], countries[column], strict=True))


def _localidades(frame: gpd.GeoDataFrame | None) -> list[tuple[Place, tuple[str, ...]]]:
    """Each localidad at its centroid, with the names that give its number (``code``)."""
    if frame is None or "name" not in frame or frame.empty:
        return []
    metric = frame.to_crs(frame.estimate_utm_crs())
    centres = metric.geometry.centroid.to_crs(4326)
    codes = frame["code"] if "code" in frame else [""] * len(frame)
    return [
        (
            Place(
                name=_text(name),
                kind="localidad",
                lat=float(centre.y),
                lon=float(centre.x),
                detail=_BOGOTA,
                precision="neighbourhood",
            ),
            _number_names(_text(code), _text(name)),
        )
        for name, code, centre in zip(frame["name"], codes, centres, strict=True)
        if _text(name) and centre is not None and not centre.is_empty
    ]


def _planning_units(
    upz: gpd.GeoDataFrame | None, localidades: gpd.GeoDataFrame | None
) -> list[Place]:
    """Bogotá's UPZ (official atlas): areas people name like neighbourhoods ("Las Cruces")."""
    if upz is None or "name" not in upz or upz.empty:
        return []
    names = {}
    if localidades is not None and {"code", "name"} <= set(localidades.columns):
        names = dict(zip(localidades["code"], localidades["name"], strict=True))
    urban = upz[upz["unit_type"] == "UPZ"] if "unit_type" in upz else upz
    metric = urban.to_crs(urban.estimate_utm_crs())
    points = metric.geometry.representative_point().to_crs(4326)
    places = []
    for (_, row), point in zip(urban.iterrows(), points, strict=True):
        name = _text(row.get("name")).title()
        if not name or point is None or point.is_empty:
            continue
        localidad = names.get(row.get("localidad"), "")
        places.append(
            Place(
                name=name,
                kind="neighbourhood",
                lat=float(point.y),
                lon=float(point.x),
                detail=", ".join(x for x in (f"UPZ {localidad}".strip(), _BOGOTA) if x),
                precision="neighbourhood",
            )
        )
    return places


def _number_names(code: str, name: str) -> tuple[str, ...]:
    """Names giving a localidad by number: "localidad 19", "loc 19", "19 Ciudad Bolívar".

    Both "5" and "05" for the code "05"; nothing when the code is not a number.
    """
    if not code.isdigit():
        return ()
    forms = dict.fromkeys([str(int(code)), code])
    return tuple(
        f"{prefix}{number}{suffix}"
        for number in forms
        for prefix, suffix in (("localidad ", ""), ("loc ", ""), ("", f" {name}"))
    )


def _block_rows(blocks: gpd.GeoDataFrame | None) -> list[dict]:
    if blocks is None or "name" not in blocks:
        return []
    rows = []
    for _, row in blocks.iterrows():
        at = _point(row.geometry)
        if at is None:
            continue
        rows.append(
            {
                "name": _text(row.get("name")),
                "anchor": _text(row.get("anchor")),
                "localidad": _text(row.get("localidad")),
                "city": _text(row.get("city")) or _BOGOTA,
                "precision": _precision(row.get("location_precision"), "neighbourhood"),
                "at": at,
            }
        )
    return rows


def _neighbourhoods(blocks: gpd.GeoDataFrame | None) -> list[Place]:
    rows = _block_rows(blocks)
    places = []
    for name, localidad, needle in NEIGHBOURHOODS:
        in_localidad = [r for r in rows if normalize(r["localidad"]) == normalize(localidad)]
        hits = [
            r
            for r in in_localidad
            if normalize(needle) in normalize(f"{r['anchor']} {r['name']}") or not needle
        ]
        if not hits:
            log.debug("gazetteer: no care block for neighbourhood %s; skipped", name)
            continue
        lat, lon = hits[0]["at"]
        places.append(
            Place(
                name=name,
                kind="neighbourhood",
                lat=lat,
                lon=lon,
                detail=f"{localidad}, {hits[0]['city']}",
                precision="neighbourhood",
            )
        )
    return places


def _anchor_parts(anchor: str) -> list[tuple[str, tuple[str, ...]]]:
    """Split ``"A (B)"`` into landmarks ``A`` and ``B``; «quoted» names become aliases."""
    parts = []
    main = re.sub(r"\([^)]*\)", " ", anchor)
    for text in [main, *re.findall(r"\(([^)]*)\)", anchor)]:
        text = " ".join(text.split())
        if text:
            parts.append((text, tuple(re.findall(r"[«\"“]([^»\"”]+)[»\"”]", text))))
    return parts


def _landmarks(
    blocks: gpd.GeoDataFrame | None, *, taken: set[str]
) -> list[tuple[Place, tuple[str, ...]]]:
    out = []
    for row in _block_rows(blocks):
        for name, extra in _anchor_parts(row["anchor"]):
            if normalize(name) in taken:
                continue
            lat, lon = row["at"]
            detail = ", ".join(x for x in (row["localidad"], row["city"]) if x)
            out.append(
                (
                    Place(
                        name=name,
                        kind="landmark",
                        lat=lat,
                        lon=lon,
                        detail=detail,
                        precision=row["precision"],
                    ),
                    extra,
                )
            )
    return out


def _services(
    layer_id: str, frame: gpd.GeoDataFrame, countries: Mapping[str, str]
) -> list[tuple[Place, tuple[str, ...], tuple[str, ...]]]:
    out = []
    for feature_id, row in frame.iterrows():
        name = _text(row.get("name"))
        at = _point(row.geometry)
        if not name or at is None:
            continue
        country = _text(row.get("country"))
        where = [_text(row.get("localidad")), _text(row.get("city"))]
        if country and country != "CO":
            where.append(countries.get(country, country))
        detail = ", ".join(dict.fromkeys(x for x in where if x))
        # "Manzana del Cuidado de Bosa – Complejo de Justicia Campo Verde": the part after
        # the dash is also how people name it.
        extra = tuple(p.strip() for p in re.split(r"\s[–—-]\s", name)[1:] if p.strip())
        place = Place(
            name=name,
            kind="service",
            lat=at[0],
            lon=at[1],
            detail=detail,
            precision=_precision(row.get("location_precision"), "city"),
            layer=layer_id,
            feature_id=str(feature_id),
        )
        out.append((place, extra, vocab.split_codes(row.get("services"))))
    return out


def _cities(frames: Mapping[str, gpd.GeoDataFrame], countries: Mapping[str, str]) -> list[Place]:
    points: dict[tuple[str, str], list[tuple[float, float]]] = {}
    names: dict[tuple[str, str], str] = {}
    for layer_id, frame in frames.items():
        if layer_id in ("localidades", "countries") or "city" not in frame:
            continue
        if "location_precision" in frame:
            frame = frame[frame["location_precision"] == "city"]
        for city, country, geom in zip(
            frame["city"],
            frame["country"] if "country" in frame else [""] * len(frame),
            frame.geometry,
            strict=True,
        ):
            at = _point(geom)
            if not _text(city) or at is None:
                continue
            key = (normalize(_text(city)), _text(country))
            points.setdefault(key, []).append(at)
            names.setdefault(key, _text(city))
    places = []
    for key, spots in points.items():
        lat, lon = np.median(np.asarray(spots), axis=0)
        places.append(
            Place(
                name=names[key],
                kind="city",
                lat=float(lat),
                lon=float(lon),
                detail=countries.get(key[1], key[1]),
                precision="city",
            )
        )
    return places
