"""The Plan page's settings: who counts and how much, how far, where sites may go, how many.

:class:`PlanState` is the page's view state: it is mirrored in the URL
(:meth:`PlanState.to_query` / :meth:`PlanState.from_query`), saved with a scenario
(:meth:`PlanState.to_dict` / :meth:`PlanState.from_dict`) and turned into the questions
:mod:`geo.params` asks (:meth:`PlanState.gaps_params`, :meth:`PlanState.plan_params`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from geo import params as geo_params
from geo import profiles, vocab

GROUPS = vocab.DEMAND_GROUPS
CANDIDATE_KINDS = ("grid", "clicked")
SPACINGS = (200, 300, 500)


@dataclass(frozen=True)
class PlanState:
    """The planner's settings: who counts and how much, how far, where sites may go, how many."""

    groups: tuple[str, ...] = GROUPS
    weights: tuple[float, ...] = (1.0, 1.0, 1.0, 1.0)
    codes: tuple[str, ...] = ()
    minutes: int = 15
    profile: str = "adult"
    mode: str = "straight"
    candidates: str = "grid"
    spacing_m: int = 200
    k: int = 3
    capacity: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (saved with the scenario)."""
        return {
            **dataclasses.asdict(self),
            "groups": list(self.groups),
            "weights": list(self.weights),
            "codes": list(self.codes),
        }

    @property
    def walk(self) -> geo_params.WalkParams:
        """How far people walk, as :mod:`geo.params` takes it."""
        return geo_params.WalkParams(minutes=self.minutes, profile=self.profile, mode=self.mode)

    def gaps_params(self, *, cell_m: float) -> geo_params.GapsParams:
        """The gap analysis these settings ask for, on a grid of ``cell_m`` cells."""
        return geo_params.GapsParams(
            service_codes=self.codes, walk=self.walk, groups=self.groups, cell_m=cell_m
        )

    def plan_params(
        self, *, scenario: str, candidates: geo_params.Candidates, cell_m: float
    ) -> geo_params.PlanParams:
        """The planning question for :mod:`geo.planning` (scenario key, candidate sites)."""
        return geo_params.PlanParams(
            gaps=self.gaps_params(cell_m=cell_m),
            scenario=scenario,
            weights=self.weights,
            candidates=candidates,
            capacity=self.capacity,
        )

    QUERY_KEYS: ClassVar[tuple[str, ...]] = (
        "grp",
        "w",
        "svc",
        "min",
        "profile",
        "dist",
        "cand",
        "spacing",
        "k",
        "cap",
    )
    """The URL parameters of the Plan page's settings (its view state)."""

    def to_query(self) -> dict[str, str]:
        """The settings as URL parameters: a copied link reopens them."""
        return {
            "grp": ",".join(self.groups),
            "w": ",".join(f"{w:g}" for w in self.weights),
            "svc": ",".join(self.codes),
            "min": str(self.minutes),
            "profile": self.profile,
            "dist": self.mode,
            "cand": self.candidates,
            "spacing": str(self.spacing_m),
            "k": str(self.k),
            "cap": f"{self.capacity:g}",
        }

    @classmethod
    def from_query(cls, query: Mapping[str, str], *, codes: Sequence[str]) -> PlanState:
        """The settings a URL describes; unknown or malformed values give the defaults."""

        def number(key: str) -> float | None:
            try:
                value = float(query.get(key, ""))
            except ValueError:
                return None
            return value if math.isfinite(value) else None

        def whole(key: str) -> int | None:
            value = number(key)
            return int(value) if value is not None and value == int(value) else None

        def items(key: str) -> list[str]:
            return [v for v in str(query.get(key, "")).split(",") if v]

        values: dict[str, Any] = {
            "groups": items("grp"),
            "weights": items("w"),
            "codes": items("svc"),
            "minutes": whole("min"),
            "profile": query.get("profile"),
            "mode": query.get("dist"),
            "candidates": query.get("cand"),
            "spacing_m": whole("spacing"),
            "k": whole("k"),
            "capacity": number("cap"),
        }
        return cls.from_dict({k: v for k, v in values.items() if v is not None}, codes=codes)

    @classmethod
    def from_dict(cls, values: Mapping[str, Any], *, codes: Sequence[str]) -> PlanState:
        """Read saved settings, keeping only values the page offers (others: defaults)."""
        base = cls(codes=tuple(codes))
        out: dict[str, Any] = {}
        groups, weights = values.get("groups", []), values.get("weights", [])
        if isinstance(groups, list) and isinstance(weights, list) and len(groups) == len(weights):
            try:
                pairs = [
                    (g, min(max(float(w), 0.0), 10.0)) for g, w in zip(groups, weights, strict=True)
                ]
            except (TypeError, ValueError):
                pairs = []
            pairs = [(g, w) for g, w in pairs if g in GROUPS]
            if pairs:
                out["groups"] = tuple(g for g, _ in pairs)
                out["weights"] = tuple(w for _, w in pairs)
        offered = [c for c in values.get("codes", []) if c in codes]
        if offered:
            out["codes"] = tuple(offered)
        if values.get("minutes") in range(5, 65, 5):
            out["minutes"] = int(values["minutes"])
        if values.get("profile") in profiles.PROFILES:
            out["profile"] = values["profile"]
        if values.get("mode") in ("straight", "network"):
            out["mode"] = values["mode"]
        if values.get("candidates") in CANDIDATE_KINDS:
            out["candidates"] = values["candidates"]
        if values.get("spacing_m") in SPACINGS:
            out["spacing_m"] = int(values["spacing_m"])
        if isinstance(values.get("k"), int) and 1 <= values["k"] <= 20:
            out["k"] = values["k"]
        if isinstance(values.get("capacity"), int | float) and values["capacity"] >= 0:
            out["capacity"] = float(values["capacity"])
        return dataclasses.replace(base, **out)
