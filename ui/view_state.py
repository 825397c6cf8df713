"""One view state per page: what a person chose, where the map is, what is selected.

Every output of a page reads the same frozen object, so they cannot drift apart:
the URL (:meth:`to_query` / :meth:`from_query`), "Add this view to a story" (the
story keeps :meth:`to_params`), present mode, the offline HTML, the PDF/PNG slides
and the figures CSV (:meth:`from_params`, :meth:`describe`).

Reading is forgiving (an old link or an old story): values that are not numbers or
not known codes are dropped and the page default is used; codes that depend on the
data (layers, services) are checked against the data by the page that shows them.
No Streamlit here.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Self

from geo import profiles, vocab
from ui.i18n import label, t
from ui.render.map_view import View

GROUPS = vocab.DEMAND_GROUPS
MEASURES = ("coverage", "nearest", "2sfca", "e2sfca", "simultaneity")
DISTANCES = ("straight", "network")
MINUTES = tuple(range(5, 65, 5))
DEFAULT_MINUTES = 15
DEFAULT_PROFILE = "adult"

# Explore's filters: facet -> (URL parameter, vocabulary of its labels, filter label key)
EXPLORE_FACETS: dict[str, tuple[str, str]] = {
    "services": ("svc", "services"),
    "populations": ("pop", "populations"),
    "operators": ("op", "operator"),
    "countries": ("country", "country"),
    "cities": ("city", ""),
}

PAGE_VIEW = (800, 620)
"""Size in CSS pixels of a page's map (three quarters of a laptop's main column, 620 px
high): a saved centre and zoom show this much of the map, on the page and on a slide."""
_MERCATOR_PX0 = 2 * math.pi * 6_378_137.0 / 256  # Web Mercator metres per pixel at zoom 0
_R = 6_378_137.0


def _one(query: Mapping[str, Any], key: str) -> str | None:
    """A query value as one string (Streamlit gives strings; AppTest may give lists)."""
    value = query.get(key)
    if isinstance(value, list | tuple):
        value = value[-1] if value else None
    return None if value is None else str(value)


def _codes(value: object) -> tuple[str, ...]:
    """Codes from a comma-separated string or a list, in order, without repeats or blanks."""
    if isinstance(value, str):
        items: Sequence[object] = value.split(",")
    elif isinstance(value, list | tuple):
        items = value
    else:
        return ()
    return tuple(dict.fromkeys(s for s in (str(v).strip() for v in items) if s))


def _minutes(value: object) -> int:
    try:
        number = int(float(str(value)))
    except (TypeError, ValueError, OverflowError):
        return DEFAULT_MINUTES
    return number if number in MINUTES else DEFAULT_MINUTES


def _choice(value: object, options: Sequence[str], default: str) -> str:
    return value if isinstance(value, str) and value in options else default


def _view(lat: object, lon: object, zoom: object) -> View | None:
    try:
        view = View(float(lat), float(lon), int(float(zoom)))  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not (math.isfinite(view.lat) and math.isfinite(view.lon)):
        return None
    return view.clamped()


def _selected(value: object) -> tuple[str, str] | None:
    if isinstance(value, list | tuple) and len(value) == 2:
        layer, fid = (str(v) for v in value)
    elif isinstance(value, str):
        layer, _, fid = value.partition(":")
    else:
        return None
    return (layer, fid) if layer and fid else None


def extent_of(view: View, *, size_px: tuple[int, int] = PAGE_VIEW) -> tuple[float, ...]:
    """``(min_lon, min_lat, max_lon, max_lat)`` a map of ``size_px`` shows at ``view``.

    Web Mercator, as Leaflet draws it: at zoom ``z`` a pixel is ``2πR / 256 / 2**z``
    Mercator units, whatever the latitude.
    """
    per_px = _MERCATOR_PX0 / 2**view.zoom
    cx = _R * math.radians(view.lon)
    cy = _R * math.log(math.tan(math.pi / 4 + math.radians(view.lat) / 2))
    half_w, half_h = size_px[0] * per_px / 2, size_px[1] * per_px / 2

    def lat(y: float) -> float:
        return math.degrees(2 * math.atan(math.exp(y / _R)) - math.pi / 2)

    return (
        max(-180.0, math.degrees((cx - half_w) / _R)),
        lat(cy - half_h),
        min(180.0, math.degrees((cx + half_w) / _R)),
        lat(cy + half_h),
    )


@dataclass(frozen=True, kw_only=True)
class _Common:
    """What every page's state has: the map position and the selected place."""

    view: View | None = None
    selected: tuple[str, str] | None = None

    page: ClassVar[str] = ""

    def with_view(self, view: View | None) -> Self:
        """The same state at another map position (``None`` keeps this one)."""
        return self if view is None else dataclasses.replace(self, view=view.clamped())

    def _common_query(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.view is not None:
            out |= {"lat": f"{self.view.lat:.5f}", "lon": f"{self.view.lon:.5f}"}
            out["z"] = str(self.view.zoom)
        if self.selected is not None:
            out["sel"] = f"{self.selected[0]}:{self.selected[1]}"
        return out

    def _common_params(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.view is not None:
            out |= {"lat": round(self.view.lat, 5), "lon": round(self.view.lon, 5)}
            out["z"] = self.view.zoom
        if self.selected is not None:
            out["sel"] = list(self.selected)
        return out

    @staticmethod
    def _common_from(source: Mapping[str, Any], *, query: bool) -> dict[str, Any]:
        get = (lambda k: _one(source, k)) if query else source.get
        return {
            "view": _view(get("lat"), get("lon"), get("z")),
            "selected": _selected(get("sel")),
        }

    def extent(self, default: View) -> tuple[float, ...]:
        """What the page's map showed (its saved position, else ``default``), in degrees."""
        return extent_of(self.view or default)


@dataclass(frozen=True, kw_only=True)
class ExploreState(_Common):
    """Explore: layers shown, the five filters, walking zones, map position, selection.

    ``layers`` ``None`` means the page's default (every layer).
    """

    page: ClassVar[str] = "explore"
    QUERY_KEYS: ClassVar[tuple[str, ...]] = (
        "layers",
        *(param for param, _ in EXPLORE_FACETS.values()),
        "walk",
        "wmin",
        "wprofile",
    )

    layers: tuple[str, ...] | None = None
    services: tuple[str, ...] = ()
    populations: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    walk: bool = False
    minutes: int = DEFAULT_MINUTES
    profile: str = DEFAULT_PROFILE

    def facets(self) -> dict[str, list[str]]:
        """The filters as :func:`geo.filters.filter_features` takes them."""
        return {facet: list(getattr(self, facet)) for facet in EXPLORE_FACETS}

    def to_query(self) -> dict[str, str]:
        """The URL parameters of this state (defaults left out)."""
        out: dict[str, str] = {}
        if self.layers is not None:
            out["layers"] = ",".join(self.layers)
        for facet, (param, _) in EXPLORE_FACETS.items():
            if getattr(self, facet):
                out[param] = ",".join(getattr(self, facet))
        if self.walk:
            out |= {"walk": "1", "wmin": str(self.minutes), "wprofile": self.profile}
        return out | self._common_query()

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Self:
        """The state a URL describes (unknown or malformed values give the defaults)."""
        layers = _one(query, "layers")
        facets: dict[str, Any] = {
            f: _codes(_one(query, p) or "") for f, (p, _) in EXPLORE_FACETS.items()
        }
        return cls(
            layers=_codes(layers) if layers is not None else None,
            **facets,  # field names from a table: mypy cannot match them to parameters
            walk=_one(query, "walk") == "1",
            minutes=_minutes(_one(query, "wmin")),
            profile=_choice(_one(query, "wprofile"), list(profiles.PROFILES), DEFAULT_PROFILE),
            **cls._common_from(query, query=True),
        )

    def to_params(self) -> dict[str, Any]:
        """JSON for a story view."""
        out: dict[str, Any] = {}
        if self.layers is not None:
            out["layers"] = list(self.layers)
        out |= {facet: list(getattr(self, facet)) for facet in EXPLORE_FACETS}
        if self.walk:
            out |= {"walk": True, "minutes": self.minutes, "profile": self.profile}
        return out | self._common_params()

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The state a story view keeps (stories saved before the filters were kept too)."""
        layers = params.get("layers")
        facets: dict[str, Any] = {facet: _codes(params.get(facet, ())) for facet in EXPLORE_FACETS}
        return cls(
            layers=_codes(layers) if layers is not None else None,
            **facets,  # field names from a table: mypy cannot match them to parameters
            walk=params.get("walk") is True,
            minutes=_minutes(params.get("minutes", DEFAULT_MINUTES)),
            profile=_choice(params.get("profile"), list(profiles.PROFILES), DEFAULT_PROFILE),
            **cls._common_from(params, query=False),
        )

    def describe(self, lang: str) -> list[tuple[str, str]]:
        """The filters in words, ``(filter, values)``: what a slide and the CSV say."""
        out = []
        for facet, (_, vocabulary) in EXPLORE_FACETS.items():
            codes = getattr(self, facet)
            if codes:
                words = [label(vocabulary, c, lang) if vocabulary else c for c in codes]
                out.append((t(f"filter_{facet}", lang), ", ".join(words)))
        if self.walk:
            walker = getattr(profiles.PROFILES[self.profile], f"label_{lang}")
            out.append((t("walk_minutes", lang), f"{self.minutes} · {walker}"))
        return out


@dataclass(frozen=True, kw_only=True)
class GapsState(_Common):
    """Gaps: groups, services, minutes, walking profile, measure, distance, map, selection.

    ``groups`` and ``services`` empty mean the page's defaults (all groups; the care
    services offered).
    """

    page: ClassVar[str] = "gaps"
    QUERY_KEYS: ClassVar[tuple[str, ...]] = (
        "grp",
        "svc",
        "min",
        "profile",
        "measure",
        "dist",
    )

    groups: tuple[str, ...] = ()
    services: tuple[str, ...] = ()
    minutes: int = DEFAULT_MINUTES
    profile: str = DEFAULT_PROFILE
    measure: str = MEASURES[0]
    distance: str = DISTANCES[0]

    def __post_init__(self) -> None:
        object.__setattr__(self, "groups", tuple(g for g in self.groups if g in GROUPS))

    def to_query(self) -> dict[str, str]:
        """The URL parameters of this state (minutes, profile and measure always)."""
        out: dict[str, str] = {}
        if self.groups:
            out["grp"] = ",".join(self.groups)
        if self.services:
            out["svc"] = ",".join(self.services)
        out |= {"min": str(self.minutes), "profile": self.profile, "measure": self.measure}
        if self.distance != DISTANCES[0]:
            out["dist"] = self.distance
        return out | self._common_query()

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> Self:
        """The state a URL describes (unknown or malformed values give the defaults)."""
        return cls(
            groups=_codes(_one(query, "grp") or ""),
            services=_codes(_one(query, "svc") or ""),
            minutes=_minutes(_one(query, "min")),
            profile=_choice(_one(query, "profile"), list(profiles.PROFILES), DEFAULT_PROFILE),
            measure=_choice(_one(query, "measure"), MEASURES, MEASURES[0]),
            distance=_choice(_one(query, "dist"), DISTANCES, DISTANCES[0]),
            **cls._common_from(query, query=True),
        )

    def to_params(self) -> dict[str, Any]:
        """JSON for a story view."""
        return {
            "groups": list(self.groups),
            "services": list(self.services),
            "minutes": self.minutes,
            "profile": self.profile,
            "measure": self.measure,
            "distance": self.distance,
        } | self._common_params()

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Self:
        """The state a story view keeps (older stories lack measure and distance)."""
        return cls(
            groups=_codes(params.get("groups", ())),
            services=_codes(params.get("services", ())),
            minutes=_minutes(params.get("minutes", DEFAULT_MINUTES)),
            profile=_choice(params.get("profile"), list(profiles.PROFILES), DEFAULT_PROFILE),
            measure=_choice(params.get("measure"), MEASURES, MEASURES[0]),
            distance=_choice(params.get("distance"), DISTANCES, DISTANCES[0]),
            **cls._common_from(params, query=False),
        )

    def describe(self, lang: str) -> list[tuple[str, str]]:
        """The parameters in words, ``(name, value)``."""
        walker = getattr(profiles.PROFILES[self.profile], f"label_{lang}")
        out = [
            (t("walk_minutes", lang), str(self.minutes)),
            (t("walk_profile", lang), walker),
            (t("gaps_measure", lang), t(f"measure_{self.measure}", lang)),
            (t("gaps_distance", lang), t(f"gaps_distance_{self.distance}", lang)),
        ]
        if self.groups:
            groups = ", ".join(label("populations", g, lang) for g in self.groups)
            out.insert(0, (t("gaps_groups", lang), groups))
        if self.services:
            services = ", ".join(label("services", s, lang) for s in self.services)
            out.insert(1 if self.groups else 0, (t("gaps_services", lang), services))
        return out


@dataclass(frozen=True, kw_only=True)
class RegionState(ExploreState):
    """Region: the same layers and filters as Explore (no walking zones), map, selection.

    ``view`` ``None`` means the page's own fit to every layer.
    """

    page: ClassVar[str] = "region"


STATES: dict[str, type[ExploreState] | type[GapsState]] = {
    ExploreState.page: ExploreState,
    GapsState.page: GapsState,
    RegionState.page: RegionState,
}


def describe_line(pairs: Sequence[tuple[str, str]]) -> str:
    """``"Who is cared for: Older persons · Run by: Cooperative"``."""
    return " · ".join(f"{name}: {value}" for name, value in pairs)
