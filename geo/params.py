"""Frozen, hashable parameter objects: how far people walk, which gaps, what a plan asks.

A page builds one from its widgets (or its URL), a cache keys on it, and the
analysis in :mod:`geo.planning` reads it: the same object from the sidebar to the
result, instead of a row of loose arguments. Like spopt's and geopandas' options,
:meth:`from_dict` refuses a key it does not know (a typo is an error, not a
silently ignored setting), and every object checks its values when it is made.

Example::

    near = NearQuery(lat=4.6, lon=-74.1, n=5, services_any=("child_care",))
    walk = WalkParams(minutes=15, profile="adult", mode="straight")
    gaps = GapsParams(service_codes=("child_care",), walk=walk, groups=("children",))
    plan = PlanParams(gaps=gaps, weights=(1.0,))
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Self

import numpy as np

from geo import profiles
from geo.demand import CELL_M, GROUPS

MODES = ("straight", "network")
"""How distance is measured: straight line x detour, or walking the streets."""
CANDIDATE_KINDS = ("grid", "layer", "clicked")
"""Where new sites may go: the demand grid's cell centres, a layer's points, map clicks."""

Candidates = tuple[str, tuple[tuple[float, float, str], ...]]
"""Candidate sites as a hashable value: ``("grid", ((spacing_m, 0.0, ""),))`` or
``(kind, ((lon, lat, name), ...))`` for points (``kind`` ``"layer"`` or ``"clicked"``)."""

GRID_CANDIDATES: Candidates = ("grid", ((200.0, 0.0, ""),))
"""Every cell centre 200 m apart."""


class _Params:
    """What the parameter objects share: :meth:`from_dict`, which refuses unknown keys."""

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> Self:
        """Make one from a mapping of its fields.

        Raises
        ------
        ValueError
            A key is not one of the fields (the message lists them), or a value is bad.
        """
        names = [f.name for f in dataclasses.fields(cls)]  # type: ignore[arg-type]
        unknown = sorted(set(values) - set(names))
        if unknown:
            raise ValueError(
                f"{cls.__name__} has no parameter {', '.join(map(repr, unknown))}: "
                f"use {', '.join(names)}."
            )
        return cls(**values)


@dataclass(frozen=True, kw_only=True)
class WalkParams(_Params):
    """How far people walk: minutes, a walking profile and how distance is measured.

    Attributes
    ----------
    minutes
        Walking time, > 0.
    profile
        A key of :data:`geo.profiles.PROFILES` (walking speed).
    mode
        ``"straight"`` (straight line x detour) or ``"network"`` (along the streets).
    """

    minutes: float = 15
    profile: str = "adult"
    mode: str = "straight"

    def __post_init__(self) -> None:
        if not (isinstance(self.minutes, int | float) and math.isfinite(self.minutes)):
            raise ValueError(f"minutes must be a number, not {self.minutes!r}.")
        if self.minutes <= 0:
            raise ValueError(f"minutes must be above 0, not {self.minutes!r}.")
        profiles.get_profile(self.profile)  # raises for an unknown profile
        if self.mode not in MODES:
            raise ValueError(f"Unknown distance mode {self.mode!r}: use one of {MODES}.")

    @property
    def network(self) -> bool:
        """Whether distances are walked along the streets."""
        return self.mode == "network"

    @property
    def street_m(self) -> float:
        """Return the metres walked along the streets (no detour: the streets are the detour)."""
        return self.minutes / 60.0 * profiles.get_profile(self.profile).speed_kmh * 1000.0

    @property
    def reach_m(self) -> float:
        """Return the reach in metres: along the streets in network mode, else straight x detour."""
        if self.network:
            return self.street_m
        return profiles.reach_m(self.minutes, profile=self.profile)


@dataclass(frozen=True, kw_only=True)
class GapsParams(_Params):
    """A gap analysis: which services count, how far people walk, who is counted.

    Attributes
    ----------
    service_codes
        Service codes (:data:`geo.vocab.SERVICES`); a place offering any of them counts.
    walk
        How far people walk.
    groups
        Population groups counted (:data:`geo.demand.GROUPS`), at least one.
    cell_m
        Side of the demand grid's cells in metres.
    """

    service_codes: tuple[str, ...]
    walk: WalkParams = WalkParams()
    groups: tuple[str, ...] = GROUPS
    cell_m: float = CELL_M

    def __post_init__(self) -> None:
        object.__setattr__(self, "service_codes", tuple(self.service_codes))
        object.__setattr__(self, "groups", tuple(self.groups))
        unknown = [g for g in self.groups if g not in GROUPS]
        if not self.groups or unknown:
            raise ValueError(f"Unknown or no groups {unknown}: use some of {GROUPS}.")
        if not isinstance(self.walk, WalkParams):
            raise TypeError(f"walk must be a WalkParams, not {type(self.walk).__name__}.")
        if not self.cell_m > 0:
            raise ValueError(f"cell_m must be above 0, not {self.cell_m!r}.")


@dataclass(frozen=True, kw_only=True)
class PlanParams(_Params):
    """A planning question: the gaps, a scenario, who matters how much, where sites may go.

    Attributes
    ----------
    gaps
        The gap analysis the plan starts from (services, walk, groups, cell size).
    scenario
        The scenario's sites as canonical JSON (:func:`geo.planning.scenario_key`);
        empty for none.
    weights
        Weight of each of ``gaps.groups`` (same order), >= 0.
    candidates
        Where new sites may go (:data:`Candidates`).
    capacity
        People each new site can serve; 0 for no limit.
    """

    gaps: GapsParams
    scenario: str = ""
    weights: tuple[float, ...] = ()
    candidates: Candidates = GRID_CANDIDATES
    capacity: float = 0.0

    def __post_init__(self) -> None:
        weights = tuple(float(w) for w in self.weights) or (1.0,) * len(self.gaps.groups)
        object.__setattr__(self, "weights", weights)
        if len(weights) != len(self.gaps.groups):
            raise ValueError(
                f"{len(weights)} weights for {len(self.gaps.groups)} groups: give one per group."
            )
        if any(not (math.isfinite(w) and w >= 0) for w in weights):
            raise ValueError(f"Weights must be numbers >= 0, not {weights}.")
        if self.candidates[0] not in CANDIDATE_KINDS:
            raise ValueError(
                f"Unknown candidates {self.candidates[0]!r}: use one of {CANDIDATE_KINDS}."
            )
        if not (math.isfinite(self.capacity) and self.capacity >= 0):
            raise ValueError(f"capacity must be a number >= 0, not {self.capacity!r}.")


@dataclass(frozen=True, kw_only=True)
class NearQuery(_Params):
    """A "what is near me" question: a point, how many, the filters and the walker.

    Attributes
    ----------
    lat, lon
        The person's position, decimal degrees (EPSG:4326).
    n
        How many services to list, >= 1; fewer when fewer match.
    services_any, populations_any
        Keep services offering any of these service codes / serving any of these
        population codes (``;``-separated code columns). Empty: no filter.
    operators
        Keep services run by one of these operators. Empty: no filter.
    open_now_at
        Keep only services whose ``hours`` say they are open at this local wall-clock
        time (:func:`geo.nearby.is_open`); unknown hours are excluded while this is on.
        None: no filter.
    profile, detour
        Walking profile and detour factor (:mod:`geo.profiles`) for walking times.
    far_minutes
        An answer is ``far`` when its nearest match is more than this many minutes' walk.

    Raises
    ------
    ValueError
        A latitude/longitude out of range or not finite, ``n < 1``, an unknown
        profile, ``detour < 1`` or ``far_minutes <= 0``.
    """

    lat: float
    lon: float
    n: int = 5
    services_any: tuple[str, ...] = ()
    populations_any: tuple[str, ...] = ()
    operators: tuple[str, ...] = ()
    open_now_at: datetime | None = None
    profile: str = "adult"
    detour: float = profiles.DEFAULT_DETOUR
    far_minutes: float = 30.0

    def __post_init__(self) -> None:
        for name, bound in (("lat", 90.0), ("lon", 180.0)):
            value = getattr(self, name)
            number = isinstance(value, int | float | np.integer | np.floating)
            if isinstance(value, bool) or not number or not math.isfinite(value):
                number = False
            if not number or abs(value) > bound:
                raise ValueError(
                    f"{name} = {value!r} is not a valid "
                    f"{'latitude' if name == 'lat' else 'longitude'}: give decimal degrees "
                    f"between -{bound:g} and {bound:g} (EPSG:4326)."
                )
            object.__setattr__(self, name, float(value))
        n = self.n
        if not isinstance(n, int | np.integer) or isinstance(n, bool) or n < 1:
            raise ValueError(f"n = {n!r} must be an integer >= 1 (how many services to list).")
        far = self.far_minutes
        if not (isinstance(far, int | float) and math.isfinite(far) and far > 0):
            raise ValueError(f"far_minutes = {far!r} must be a number of minutes > 0.")
        profiles.walk_minutes(0.0, profile=self.profile, detour=self.detour)  # bad profile
        for name in ("services_any", "populations_any", "operators"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
