"""The answer to "what is near me": the N nearest matching care services from a point.

Distances are straight lines in metres, measured in the UTM zone of the query point
(EPSG:326zz north of the equator, 327zz south), so nothing is measured in degrees and
the scale error stays below about 0.1% within a few hundred kilometres of the point.
Walking distance and time follow :mod:`geo.profiles`: ``walk_m = distance_m * detour``.

The filters have the semantics of :func:`geo.filters.filter_features` (any code within a
facet, AND across facets, an empty selection means no filter), applied *before* the
nearest search, so "the 5 nearest kindergartens" is five kindergartens.

Opening hours come from a free-text ``hours`` column when the layer has one
(:func:`parse_hours`, :func:`is_open`).

Two entry points:

* :func:`nearest_services`: one call, no state (projects and builds a KD-tree per call);
* :class:`NearbyIndex`: keeps a layer's coordinates, filter look-ups and KD-trees, and
  answers many queries quickly (the page caches one per layer).
"""

from __future__ import annotations

import functools
import logging
import math
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from pyproj import Transformer
from scipy.spatial import cKDTree

from geo import profiles
from geo.errors import LayerError
from geo.filters import has_any_code
from geo.params import NearQuery

__all__ = [
    "DISTANCE_COLUMNS",
    "Nearby",
    "NearbyIndex",
    "Schedule",
    "is_open",
    "merge_nearby",
    "nearest_services",
    "parse_hours",
    "utm_epsg",
]

log = logging.getLogger(__name__)

DISTANCE_COLUMNS = ("rank", "distance_m", "walk_m", "walk_minutes")
"""Columns added to every answer frame (``open_now`` too for services)."""

_MINUTES_PER_DAY = 24 * 60
_TREE_CACHE_SIZE = 32


# --------------------------------------------------------------------------------------
# Opening hours
# --------------------------------------------------------------------------------------

_DAY_WORDS = {
    0: ("mon", "monday", "mondays", "mo", "lun", "lunes", "lu"),
    1: ("tue", "tues", "tuesday", "tuesdays", "tu", "mar", "martes", "ma"),
    2: ("wed", "wednesday", "wednesdays", "we", "mie", "miercoles", "mi", "x"),
    3: ("thu", "thur", "thurs", "thursday", "thursdays", "th", "jue", "jueves", "ju"),
    4: ("fri", "friday", "fridays", "fr", "vie", "viernes", "vi"),
    5: ("sat", "saturday", "saturdays", "sa", "sab", "sabado", "sabados"),
    6: ("sun", "sunday", "sundays", "su", "dom", "domingo", "domingos", "do"),
}
_DAYS = {word: day for day, words in _DAY_WORDS.items() for word in words}
_FULL_DAY_NAMES = tuple(word for word in _DAYS if len(word) >= 5)
"""Day names long enough that a cut-off text ending in a prefix of one ("sabad") is
read as truncated rather than as an unknown word."""
_ALL_DAYS = ("daily", "diario", "everyday", "todoslosdias", "alldays")
# Public holidays are not modelled: "domingos y festivos" names Sunday; a weekday
# holiday reads as its weekday.
_HOLIDAYS = ("festivo", "festivos", "feriado", "feriados", "holiday", "holidays")
_CLOSED = ("closed", "cerrado", "cerrada", "off")
_FULL_DAY = ("24h", "24hs", "24horas", "24hours", "247")
_RANGE = ("-", "a", "al", "to", "hasta", "till", "until")
_LIST = (",", "y", "and", "&", "/", "e", "+")
_FILLER = (
    "de",
    "from",
    "desde",
    "h",
    "hs",
    "hrs",
    "horas",
    "hours",
    "open",
    "abierto",
    "diurno",
    "diurna",
    "nocturno",
    "nocturna",
    "jornada",
)
_TOKEN = re.compile(r"24h\b|\d{1,2}(?:[:.h]\d{2})?(?:\s*(?:am|pm))?|[a-z0-9]+|[-,/&+;]")
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(?:\s*(am|pm))?$")
_RULE_BREAK = ";"


@dataclass(frozen=True)
class Schedule:
    """A weekly opening schedule.

    Attributes
    ----------
    days
        Seven tuples (Monday first) of ``(start_min, end_min)`` intervals from that
        day's midnight, start inclusive, end exclusive; ``end_min`` may exceed 1440
        when a range crosses midnight ("Fri 22:00-02:00" is ``(1320, 1560)`` on Friday
        and so covers Saturday 00:00-02:00).
    unknown
        Seven flags (Monday first): True for a day whose hours are not known, which
        happens only when the published text is cut off ("LUNES A VIERNES 7:00 AM -
        5:00 PM SABAD"): the days its complete part names keep their hours, every
        other day is unknown rather than closed.
    """

    days: tuple[tuple[tuple[int, int], ...], ...]
    unknown: tuple[bool, ...] = (False,) * 7

    @property
    def complete(self) -> bool:
        """Whether every day's hours are known."""
        return not any(self.unknown)

    def is_open(self, when: datetime) -> bool | None:
        """Say whether the schedule is open at ``when`` (its wall-clock time).

        None when the answer depends on a day whose hours are unknown (see ``unknown``).
        """
        day = when.weekday()
        minute = when.hour * 60 + when.minute
        if any(start <= minute < end for start, end in self.days[day]):
            return True
        previous = (day - 1) % 7
        if any(start <= minute + _MINUTES_PER_DAY < end for start, end in self.days[previous]):
            return True
        if self.unknown[day] or self.unknown[previous]:
            return None
        return False


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _time_parts(token: str) -> tuple[int, int, str | None] | None:
    found = _TIME.match(token)
    if not found:
        return None
    return int(found.group(1)), int(found.group(2) or 0), found.group(3)


def _minute(token: str) -> int | None:
    parts = _time_parts(token)
    if parts is None:
        return None
    hour, minute, suffix = parts
    if suffix:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        return None
    return hour * 60 + minute


def _is_time(token: str) -> bool:
    return token in _FULL_DAY or token in _CLOSED or _minute(token) is not None


def _starts_days(tokens: list[str], i: int) -> bool:
    token = tokens[i]
    if token in _DAYS or token in _ALL_DAYS:
        return True
    return token in ("de", "from") and i + 1 < len(tokens) and tokens[i + 1] in _DAYS


def _truncated_word(token: str) -> bool:
    """A last word cut off inside a day name ("sabad", "domin")."""
    return len(token) >= 2 and any(
        name.startswith(token) and name != token for name in _FULL_DAY_NAMES
    )


def _segments(tokens: list[str]) -> list[list[str]]:
    """Split a rule's tokens where a day expression follows a time.

    "Lun a Vie 08:00-18:00 y Sab 08:00-12:00" holds two segments, "lun a vie
    08:00-18:00" and "sab 08:00-12:00"; separators between them are dropped.
    """
    segments: list[list[str]] = [[]]
    seen_time = False
    for i, token in enumerate(tokens):
        starts = _starts_days(tokens, i) or (i == len(tokens) - 1 and _truncated_word(token))
        if seen_time and starts:
            while segments[-1] and (segments[-1][-1] in _LIST or segments[-1][-1] == "-"):
                segments[-1].pop()
            segments.append([])
            seen_time = False
        segments[-1].append(token)
        seen_time = seen_time or _is_time(token)
    return [s for s in segments if s]


def _parse_days(tokens: list[str]) -> tuple[list[int] | None, list[str]]:
    """Leading day expression -> (days, remaining tokens); days None when none is named."""
    while tokens and tokens[0] in ("de", "from"):
        if len(tokens) > 1 and (tokens[1] in _DAYS or tokens[1] in _ALL_DAYS):
            tokens = tokens[1:]
        else:
            break
    if tokens and tokens[0] in _ALL_DAYS:
        return list(range(7)), tokens[1:]
    days: list[int] = []
    while tokens and tokens[0] in _DAYS:
        first = _DAYS[tokens[0]]
        tokens = tokens[1:]
        if len(tokens) >= 2 and tokens[0] in _RANGE and tokens[1] in _DAYS:
            last = _DAYS[tokens[1]]
            tokens = tokens[2:]
            days.extend((first + i) % 7 for i in range((last - first) % 7 + 1))
        else:
            days.append(first)
        while len(tokens) >= 2 and tokens[0] in _LIST and tokens[1] in _HOLIDAYS:
            tokens = tokens[2:]  # "domingos y festivos": holidays are not modelled
        if len(tokens) >= 2 and tokens[0] in _LIST and tokens[1] in _DAYS:
            tokens = tokens[1:]
    return (days or None), tokens


def _interval(first: str, last: str) -> tuple[int, int] | None:
    """One ``start-end`` range in minutes, None when not certain.

    An end earlier than the start crosses midnight ("22:00-02:00", "4:00 PM - 6:00
    AM"), except when that cannot be what was meant: both ends in the afternoon
    ("4:00 PM - 1:00 PM", a typo), or a morning start with an earlier end and no
    am/pm at all ("8:00 - 4:00", a 12-hour clock without its "pm"): not guessed.
    """
    start, end = _minute(first), _minute(last)
    if start is None or end is None or start >= _MINUTES_PER_DAY:
        return None
    if end <= start:  # crosses midnight; "00:00-00:00" is the whole day
        first_parts, last_parts = _time_parts(first), _time_parts(last)
        suffixes = (first_parts[2], last_parts[2]) if first_parts and last_parts else (None, None)
        if suffixes[0] is not None and suffixes[0] == suffixes[1] and end < start:
            return None
        if suffixes == (None, None) and 0 < end < start < 12 * 60 + 1:
            return None
        end += _MINUTES_PER_DAY
    return start, end


def _parse_times(tokens: list[str]) -> tuple[list[tuple[int, int]] | None, bool]:
    """Time expression -> (intervals, cut); intervals [] for closed, None if not understood.

    ``cut`` is True when the expression stops inside a range ("7:00 AM -"), as a
    text cut off at a field's length does.
    """
    tokens = [t for t in tokens if t not in _FILLER]
    if len(tokens) == 1 and tokens[0] in _CLOSED:
        return [], False
    if len(tokens) == 1 and tokens[0] in _FULL_DAY:
        return [(0, _MINUTES_PER_DAY)], False
    intervals = []
    while tokens:
        if _minute(tokens[0]) is not None and (
            len(tokens) == 1 or (len(tokens) == 2 and tokens[1] in _RANGE)
        ):
            return None, True
        if len(tokens) < 3 or tokens[1] not in _RANGE:
            return None, False
        interval = _interval(tokens[0], tokens[2])
        if interval is None:
            return None, False
        intervals.append(interval)
        tokens = tokens[3:]
        if tokens and (tokens[0] in _LIST or tokens[0] == "-"):
            tokens = tokens[1:]
    return (intervals or None), False


def _normalise_hours(hours: str) -> str:
    text = re.sub(r"\([^)]*\)", " ", _fold(hours))
    text = re.sub(r"[–—]", "-", text)
    text = re.sub(r"\b([ap])\s*\.\s*m\b\.?", r"\1m", text)  # "8:00 a.m." -> "8:00 am"
    text = re.sub(r"\b12(?::00)?\s*m\b(?!\w)", "12:00pm", text)  # "12 M" (meridiano) is noon
    text = re.sub(r"\b24\s*/\s*7\b", "24h", text)
    text = re.sub(r"\b24\s*(h|hs|horas|hours)\b", "24h", text)
    text = re.sub(r"\btodos\s+los\s+dias\b|\bevery\s+day\b|\ball\s+days\b", "daily", text)
    return re.sub(r"[;|\n]+", f" {_RULE_BREAK} ", text)


@lru_cache(maxsize=4096)
def parse_hours(hours: str) -> Schedule | None:
    """Parse free-text opening hours into a :class:`Schedule`.

    Understood (Spanish or English, accents and case ignored):

    * rules separated by ``;``, ``|`` or new lines, e.g.
      ``"Mon-Fri 08:00-17:00; Sat 09:00-13:00"`` or ``"Lun-Vie 8:00-17:00; Sáb 9-13"``,
      or simply following each other: a day name after a time starts a new rule
      (``"Lun a Vie 08:00 - 18:00 y Sab 08:00 - 12:00"``, ``"LUNES A VIERNES 10:30 AM -
      4:00 PM SABADOS 10:30 AM - 2:00 PM"``);
    * days: names, plurals or abbreviations (``Mon``/``Mo``/``Lun``/``Lunes``/
      ``Sábados``...), ranges (``Mon-Fri``, ``lunes a viernes``, wrapping ``Fri-Mon``),
      lists (``Mon, Wed y Vie``), ``daily``/``diario``/``todos los días``; a rule
      without days applies to every day; "y festivos" after a day is ignored (public
      holidays are not modelled: a holiday reads as its weekday);
    * times: ``H[:MM]`` or ``H.MM`` or ``HhMM``, optional ``am``/``pm`` (also
      ``a.m.``/``p.m.``; ``12 M`` is noon), ranges with ``-``, ``a`` or ``to``, several
      per rule separated by ``,``, ``y`` or ``-`` (``"DIURNO 7:00 AM - 7:00 PM -
      NOCTURNO 7:00 PM - 7:00 AM"``); an end earlier than the start crosses midnight
      (``"Fri 22:00-02:00"`` is open on Saturday until 02:00), unless both ends are
      ``pm`` or, without am/pm, the start is a morning hour (``"8:00 - 4:00"``): those
      are not guessed; ``24h``/``24 horas``/``24/7`` for the whole day;
      ``cerrado``/``closed`` for a day off; words such as ``diurno``/``nocturno`` are
      ignored;
    * later rules replace earlier ones for the days they name (``"Mon-Sat 8-17;
      Sat 9-13"``); days no rule names are closed;
    * text in parentheses is ignored;
    * a text cut off at the end (``"... 5:00 PM SABAD"``, ``"... SABADOS 8:00 AM -"``)
      keeps what its complete rules say; every day they do not name is *unknown*
      (:attr:`Schedule.unknown`), not closed.

    Returns
    -------
    Schedule or None
        None for empty text or anything not understood (the caller reads "unknown").
    """
    if not isinstance(hours, str) or not hours.strip():
        return None
    tokens = [t.replace(" ", "") for t in _TOKEN.findall(_normalise_hours(hours))]
    rules: list[list[str]] = [[]]
    for token in tokens:
        if token == _RULE_BREAK:
            rules.append([])
        else:
            rules[-1].append(token)
    segments = [segment for rule in rules if rule for segment in _segments(rule)]
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    named = [False] * 7
    cut = False
    for position, segment in enumerate(segments):
        last = position == len(segments) - 1
        if last and _truncated_word(segment[-1]):
            cut = True
            break
        which, rest = _parse_days(segment)
        intervals, stops_inside = _parse_times(rest)
        if intervals is None:
            if last and position > 0 and (stops_inside or (which is not None and not rest)):
                cut = True  # "... SABADOS" or "... SABADOS 8:00 AM -": the text was cut
                break
            log.debug("opening hours %r: %r not understood", hours, " ".join(segment))
            return None
        for day in which if which is not None else range(7):
            days[day] = list(intervals)
            named[day] = True
    if not any(named):
        return None
    unknown = tuple(cut and not n for n in named)
    return Schedule(days=tuple(tuple(sorted(d)) for d in days), unknown=unknown)


def is_open(hours: str, when: datetime) -> bool | None:
    """Say whether a place with these opening ``hours`` is open at ``when``.

    Parameters
    ----------
    hours
        Free text in the format of :func:`parse_hours`.
    when
        Local wall-clock time at the place (a timezone-aware datetime is read by its
        own wall-clock fields: convert it to the place's time zone first).

    Returns
    -------
    bool or None
        None when ``hours`` is empty or not understood, or when the text was cut off
        and says nothing certain about that day.

    Examples
    --------
    >>> is_open("Fri 22:00-02:00", datetime(2025, 1, 4, 1, 0))  # a Saturday
    True
    """
    schedule = parse_hours(hours) if isinstance(hours, str) else None
    return None if schedule is None else schedule.is_open(when)


# --------------------------------------------------------------------------------------
# Projection
# --------------------------------------------------------------------------------------


def utm_epsg(lat: float, lon: float) -> int:
    """Return the EPSG code of the WGS 84 UTM zone holding ``(lat, lon)``."""
    zone = min(int((lon + 180.0) // 6.0) + 1, 60)
    return (32600 if lat >= 0 else 32700) + zone


@lru_cache(maxsize=64)
def _to_utm(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


def _lonlat(name: str, layer: gpd.GeoDataFrame) -> tuple[gpd.GeoDataFrame, np.ndarray]:
    """The layer in EPSG:4326 and its ``(n, 2)`` lon/lat; points only, none missing."""
    if not isinstance(layer, gpd.GeoDataFrame):
        raise LayerError(f"{name} layer must be a GeoDataFrame, not {type(layer).__name__}.")
    if layer.crs is None:
        raise LayerError(
            f"{name} layer has no CRS; set it (e.g. gdf.set_crs('EPSG:4326')) before searching."
        )
    frame = layer if layer.crs.to_epsg() == 4326 else layer.to_crs(4326)
    geoms = np.asarray(frame.geometry.values)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    bad |= shapely.get_type_id(geoms) != 0
    if bad.any():
        first = frame.index[np.flatnonzero(bad)[0]]
        raise LayerError(
            f"{name} layer: {int(bad.sum())} row(s) are not points (missing, empty or another "
            f"geometry type), first {first!r}; give each service a point location."
        )
    xy = shapely.get_coordinates(geoms)
    return frame, xy


# --------------------------------------------------------------------------------------
# Answer
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Nearby:
    """The N nearest matching services from a point.

    Attributes
    ----------
    frame
        The services, EPSG:4326, nearest first: their own columns plus ``rank``
        (1..N), ``distance_m`` (straight line, metres), ``walk_m`` (``distance_m *
        detour``), ``walk_minutes`` (walking profile) and ``open_now`` (True, False,
        or None when the hours are unknown or no time was given). Empty (same
        columns) when nothing matches.
    far
        True when the nearest match is more than ``far_minutes`` away on foot, or
        when nothing matches.
    nearer_bus_stops
        Care bus stops nearer than the nearest match (every stop when nothing
        matches), nearest first, with the same distance columns; empty when no
        stops were given.
    """

    frame: gpd.GeoDataFrame
    far: bool
    nearer_bus_stops: gpd.GeoDataFrame


def _has_any_code(values: np.ndarray, *, wanted: Collection[str]) -> np.ndarray:
    """Whether each ``;``-separated code list in ``values`` holds any of ``wanted``."""
    return np.asarray(has_any_code(pd.Series(values), wanted))


class NearbyIndex:
    """A services layer prepared for repeated nearest-service queries.

    Keeps the layer in EPSG:4326, its coordinates per UTM zone, code look-ups for the
    filters, parsed opening hours and the KD-trees of recent filter combinations, so
    a query costs a filter mask and a tree query. Safe to share between threads.

    Parameters
    ----------
    services
        Point layer with a CRS; ``services``, ``populations`` (``;``-separated codes)
        and ``operator`` columns are used by the filters when present, ``hours`` for
        opening hours.
    """

    def __init__(self, services: gpd.GeoDataFrame) -> None:
        frame, lonlat = _lonlat("services", services)
        self._frame = frame.copy()
        self._lonlat = lonlat
        self._codes = {
            column: pd.factorize(frame[column], use_na_sentinel=True)
            for column in ("services", "populations", "operator")
            if column in frame
        }
        self._hours: tuple[np.ndarray, list[Schedule | None]] | None
        if "hours" in frame:
            text = frame["hours"].where(frame["hours"].map(lambda v: isinstance(v, str)), None)
            codes, uniques = pd.factorize(text, use_na_sentinel=True)
            self._hours = (codes, [parse_hours(u) for u in uniques])
        else:
            self._hours = None
        self._xy: dict[int, np.ndarray] = {}
        self._trees: OrderedDict[tuple, tuple[np.ndarray, cKDTree]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._frame)

    @property
    def known_hours(self) -> int:
        """How many services have opening hours :func:`parse_hours` understands.

        0 means an ``open_now_at`` filter would exclude every service: the page can
        hide or explain the "open now" option.
        """
        if self._hours is None:
            return 0
        codes, schedules = self._hours
        known = np.asarray([s is not None for s in schedules] + [False], dtype=bool)
        return int(known[codes].sum())

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """The indexed layer, in EPSG:4326 (do not modify it)."""
        return self._frame

    # -------------------------------------------------------------------- building blocks

    def xy(self, epsg: int) -> np.ndarray:
        """``(n, 2)`` coordinates of every service in metres in CRS ``epsg`` (cached)."""
        with self._lock:
            cached = self._xy.get(epsg)
        if cached is None:
            x, y = _to_utm(epsg).transform(self._lonlat[:, 0], self._lonlat[:, 1])
            cached = np.column_stack([x, y])
            with self._lock:
                self._xy[epsg] = cached
        return cached

    def mask(
        self,
        *,
        services_any: Collection[str] = (),
        populations_any: Collection[str] = (),
        operators: Collection[str] = (),
        open_now_at: datetime | None = None,
    ) -> np.ndarray:
        """Boolean mask of the services passing the filters (see :func:`nearest_services`)."""
        mask = np.ones(len(self._frame), dtype=bool)
        for column, wanted in (("services", services_any), ("populations", populations_any)):
            if wanted:
                mask &= self._lookup(column, functools.partial(_has_any_code, wanted=wanted))
        if operators:
            wanted = list(operators)
            mask &= self._lookup("operator", lambda u: pd.Series(u).isin(wanted).to_numpy())
        if open_now_at is not None:
            mask &= self.open_at(open_now_at) == 1
        return mask

    def _lookup(self, column: str, test: Callable[[np.ndarray], ArrayLike]) -> np.ndarray:
        if column not in self._codes:
            return np.zeros(len(self._frame), dtype=bool)
        codes, uniques = self._codes[column]
        passing = np.append(np.asarray(test(np.asarray(uniques, dtype=object)), dtype=bool), False)
        return passing[codes]  # code -1 (missing) reads the trailing False

    def open_at(self, when: datetime) -> np.ndarray:
        """Per service: 1 open, 0 closed, -1 unknown, at ``when`` (local time).

        Unknown: no hours, hours not understood, or a cut-off text that says nothing
        certain about that day.
        """
        if self._hours is None:
            return np.full(len(self._frame), -1, dtype=np.int8)
        codes, schedules = self._hours
        opened = [None if s is None else s.is_open(when) for s in schedules]
        state = [-1 if o is None else int(o) for o in opened]
        return np.asarray([*state, -1], dtype=np.int8)[codes]

    def _tree(self, epsg: int, key: tuple, mask: np.ndarray) -> tuple[np.ndarray, cKDTree]:
        with self._lock:
            hit = self._trees.get((epsg, key))
            if hit is not None:
                self._trees.move_to_end((epsg, key))
                return hit
        positions = np.flatnonzero(mask)
        built = (positions, cKDTree(self.xy(epsg)[positions]))
        with self._lock:
            self._trees[(epsg, key)] = built
            while len(self._trees) > _TREE_CACHE_SIZE:
                self._trees.popitem(last=False)
        return built

    # -------------------------------------------------------------------------- query

    def query(self, query: NearQuery, *, bus_stops: gpd.GeoDataFrame | None = None) -> Nearby:
        """Answer one query; the parameters are those of :func:`nearest_services`."""
        q = query
        lat, lon, n, profile, detour = q.lat, q.lon, q.n, q.profile, q.detour
        services_any, populations_any, open_now_at = (
            q.services_any,
            q.populations_any,
            q.open_now_at,
        )
        epsg = utm_epsg(lat, lon)
        here = np.asarray(_to_utm(epsg).transform(lon, lat), dtype=np.float64)
        mask = self.mask(
            services_any=services_any,
            populations_any=populations_any,
            operators=q.operators,
            open_now_at=open_now_at,
        )
        if not mask.any():
            positions, distance = np.empty(0, dtype=np.int64), np.empty(0)
        elif open_now_at is None:
            key = (tuple(sorted(services_any)), tuple(sorted(populations_any)), q.operators)
            positions, distance = _k_nearest(*self._tree(epsg, key, mask), here, n)
        else:  # opening changes by the minute: a tree for this query only
            subset = np.flatnonzero(mask)
            positions, distance = _k_nearest(subset, cKDTree(self.xy(epsg)[subset]), here, n)
        frame = _with_distances(
            self._frame.iloc[positions], distance, profile=profile, detour=detour
        )
        state = (
            self.open_at(open_now_at)[positions]
            if open_now_at is not None
            else np.full(len(positions), -1)
        )
        frame["open_now"] = pd.Series(
            [None if s < 0 else bool(s) for s in state], index=frame.index, dtype=object
        )
        nearest_m = float(distance[0]) if len(distance) else math.inf
        far = bool(
            not len(distance)
            or profiles.walk_minutes(nearest_m, profile=profile, detour=detour) > q.far_minutes
        )
        stops = _nearer_stops(bus_stops, here, epsg, nearest_m, profile=profile, detour=detour)
        return Nearby(frame=frame, far=far, nearer_bus_stops=stops)


def _k_nearest(
    positions: np.ndarray, tree: cKDTree, here: np.ndarray, n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (in the layer) and distances of the ``n`` nearest, ties by position."""
    k = min(n, len(positions))
    distance, index = tree.query(here, k=k)
    distance, index = np.atleast_1d(distance), np.atleast_1d(index)
    found = positions[index]
    order = np.lexsort((found, distance))
    return found[order], distance[order]


def _with_distances(
    rows: gpd.GeoDataFrame, distance_m: np.ndarray, *, profile: str, detour: float
) -> gpd.GeoDataFrame:
    frame = rows.copy()
    frame["rank"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    frame["distance_m"] = distance_m.astype(np.float64)
    frame["walk_m"] = frame["distance_m"] * detour
    frame["walk_minutes"] = profiles.walk_minutes(
        frame["distance_m"].to_numpy(), profile=profile, detour=detour
    )
    return frame


def _nearer_stops(
    bus_stops: gpd.GeoDataFrame | None,
    here: np.ndarray,
    epsg: int,
    nearest_m: float,
    *,
    profile: str,
    detour: float,
) -> gpd.GeoDataFrame:
    if bus_stops is None:
        return gpd.GeoDataFrame(
            {c: pd.Series(dtype="float64") for c in DISTANCE_COLUMNS}, geometry=[], crs=4326
        )
    frame, lonlat = _lonlat("bus_stops", bus_stops)
    if len(frame):
        x, y = _to_utm(epsg).transform(lonlat[:, 0], lonlat[:, 1])
        distance = np.hypot(np.asarray(x) - here[0], np.asarray(y) - here[1])
    else:
        distance = np.empty(0)
    nearer = np.flatnonzero(distance < nearest_m)
    order = nearer[np.lexsort((nearer, distance[nearer]))]
    return _with_distances(frame.iloc[order], distance[order], profile=profile, detour=detour)


def nearest_services(
    services: gpd.GeoDataFrame,
    query: NearQuery,
    *,
    bus_stops: gpd.GeoDataFrame | None = None,
) -> Nearby:
    """Find the ``n`` nearest services matching the filters from a point.

    Filters first (semantics of :func:`geo.filters.filter_features`), then one KD-tree
    query for the ``min(n, matches)`` nearest in the UTM zone of the point. For many
    queries on one layer, build a :class:`NearbyIndex` once and call its ``query``.

    Parameters
    ----------
    services
        Point layer with a CRS (any; the answer is in EPSG:4326).
    query
        The point, ``n``, the filters and the walker (:class:`geo.params.NearQuery`;
        ``open_now_at`` EXCLUDES services with unknown hours while it is on, and
        leaves ``open_now`` None when it is off).
    bus_stops
        Care bus stops (points); those nearer than the nearest match are returned.

    Returns
    -------
    Nearby
        The answer; an empty ``frame`` (not an error) when nothing matches.

    Raises
    ------
    LayerError
        For a layer without a CRS or with non-point geometries. (A bad point or
        option is refused when the :class:`~geo.params.NearQuery` is made.)
    """
    return NearbyIndex(services).query(query, bus_stops=bus_stops)


def merge_nearby(answers: Sequence[Nearby], *, n: int) -> Nearby:
    """Combine answers to the same query on different layers into one.

    Each answer must come from the same point, filters, profile and ``far_minutes``
    (e.g. the bundled layers from a :class:`NearbyIndex` and community places from
    :func:`geo.viewport.nearest_in_growing_box`); give the bus stops to one of them.

    Parameters
    ----------
    answers
        The answers to combine.
    n
        How many services to keep, >= 1.

    Returns
    -------
    Nearby
        The ``n`` nearest of all frames, nearest first (ties: the earlier answer
        first), ranked 1..n on a new index; ``far`` when every answer was far; the
        bus stops nearer than the nearest of all.
    """
    if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
        raise ValueError(f"n = {n!r} must be an integer >= 1 (how many services to list).")
    if not answers:
        raise ValueError("merge_nearby needs at least one answer.")
    frames = [a.frame for a in answers if not a.frame.empty]
    if frames:
        merged = pd.concat(frames, ignore_index=True)
        merged = merged.sort_values("distance_m", kind="stable").head(n).reset_index(drop=True)
        merged["rank"] = np.arange(1, len(merged) + 1, dtype=np.int64)
        frame = gpd.GeoDataFrame(merged, geometry="geometry", crs=4326)
    else:
        frame = answers[0].frame.reset_index(drop=True)
    nearest_m = float(frame["distance_m"].iloc[0]) if len(frame) else math.inf
    stops = [a.nearer_bus_stops for a in answers if not a.nearer_bus_stops.empty]
    if stops:
        nearer = pd.concat(stops, ignore_index=True)
        nearer = nearer[nearer["distance_m"] < nearest_m].sort_values("distance_m", kind="stable")
        nearer = gpd.GeoDataFrame(nearer.reset_index(drop=True), geometry="geometry", crs=4326)
        nearer["rank"] = np.arange(1, len(nearer) + 1, dtype=np.int64)
    else:
        nearer = answers[0].nearer_bus_stops
    return Nearby(frame=frame, far=all(a.far for a in answers), nearer_bus_stops=nearer)
