"""Planning scenarios: care sites added, moved or taken out, by hand or from suggestions.

A :class:`Scenario` is a small, explicit change list over the existing services:
``added`` sites (each a point with a name and where it came from: a suggestion of
:func:`geo.siting.maximal_coverage`, a click on the map, or an existing site moved)
and the ids of existing sites ``removed``. Moving an existing site is both: its id is
removed and a site with ``origin="moved"`` and ``moved_from=<id>`` is added, so a
scenario can always be read as "what changes", and :func:`apply` replays it on the
current layer (a site renamed or moved in the data later does not corrupt it).

``params`` keeps the analysis settings the planner used (minutes, profile, groups,
weights...), so a saved or shared scenario reopens as it was seen. The store keeps
scenarios as JSON (:meth:`Scenario.to_dict`); :meth:`Scenario.from_dict` checks a
payload that came back from the store or a URL and says what is wrong with it.
Its id gives read access; saving over it or deleting it needs the edit token made
when it was first saved, or a moderator (:meth:`geo.store.Store.save_document`).
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Self

import geopandas as gpd
import pandas as pd

from geo.errors import LayerError

SCENARIO_VERSION = 1
ORIGINS = ("suggested", "manual", "moved")
MAX_SITES = 200
MAX_NAME = 120
PROPOSED_LAYER = "proposed"
"""``layer`` value of added sites in :func:`apply`'s output."""


@dataclass(frozen=True, kw_only=True)
class Site:
    """A site the scenario adds: a point in longitude/latitude (EPSG:4326)."""

    name: str
    lon: float
    lat: float
    origin: str = "manual"
    moved_from: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise LayerError("a scenario site needs a name.")
        if len(self.name) > MAX_NAME:
            raise LayerError(
                f"a site name has {len(self.name)} characters; the most is {MAX_NAME}."
            )
        try:
            lon, lat = float(self.lon), float(self.lat)
        except (TypeError, ValueError):
            raise LayerError(f"site {self.name!r}: coordinates must be numbers.") from None
        if not (
            math.isfinite(lon) and -180 <= lon <= 180 and math.isfinite(lat) and -90 <= lat <= 90
        ):
            raise LayerError(
                f"site {self.name!r}: ({self.lon}, {self.lat}) is not a longitude/latitude."
            )
        if self.origin not in ORIGINS:
            raise LayerError(
                f"site {self.name!r}: origin {self.origin!r} is not one of {', '.join(ORIGINS)}."
            )
        object.__setattr__(self, "lon", lon)
        object.__setattr__(self, "lat", lat)


@dataclass(frozen=True, kw_only=True)
class Scenario:
    """Sites added and existing sites removed, with the parameters they were planned with."""

    added: tuple[Site, ...] = ()
    removed: tuple[str, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(self.added) > MAX_SITES:
            raise LayerError(
                f"a scenario holds at most {MAX_SITES} new sites; this one has {len(self.added)}."
            )
        object.__setattr__(self, "added", tuple(self.added))
        object.__setattr__(self, "removed", tuple(dict.fromkeys(str(r) for r in self.removed)))

    @property
    def is_empty(self) -> bool:
        """Whether the scenario changes nothing."""
        return not self.added and not self.removed

    def add(self, sites: Site | Sequence[Site]) -> Self:
        """Return the scenario with one or more sites added."""
        more = (sites,) if isinstance(sites, Site) else tuple(sites)
        return dataclasses.replace(self, added=(*self.added, *more))

    def drop_added(self, position: int) -> Self:
        """Return the scenario without its added site at ``position``.

        Dropping a moved site puts the original back.
        """
        site = self.added[position]
        added = self.added[:position] + self.added[position + 1 :]
        removed = tuple(r for r in self.removed if r != site.moved_from or not site.moved_from)
        return dataclasses.replace(self, added=added, removed=removed)

    def remove_existing(self, site_id: str) -> Self:
        """Return the scenario with an existing site taken out."""
        return dataclasses.replace(self, removed=(*self.removed, str(site_id)))

    def restore_existing(self, site_id: str) -> Self:
        """Return the scenario with an existing site back (and any move of it undone)."""
        added = tuple(s for s in self.added if s.moved_from != site_id)
        removed = tuple(r for r in self.removed if r != site_id)
        return dataclasses.replace(self, added=added, removed=removed)

    def move_existing(self, site_id: str, *, name: str, lon: float, lat: float) -> Self:
        """Return the scenario with an existing site moved to ``(lon, lat)``."""
        back = self.restore_existing(site_id)
        site = Site(name=name, lon=lon, lat=lat, origin="moved", moved_from=str(site_id))
        return dataclasses.replace(
            back, added=(*back.added, site), removed=(*back.removed, site_id)
        )

    def move_added(self, position: int, *, lon: float, lat: float) -> Self:
        """Return the scenario with its added site at ``position`` moved."""
        moved = dataclasses.replace(self.added[position], lon=lon, lat=lat)
        added = (*self.added[:position], moved, *self.added[position + 1 :])
        return dataclasses.replace(self, added=added)

    def with_params(self, params: Mapping[str, Any]) -> Self:
        """Return the scenario with these analysis parameters."""
        return dataclasses.replace(self, params=dict(params))

    def to_dict(self) -> dict[str, Any]:
        """The scenario as a JSON-ready object (what the store saves)."""
        return {
            "version": SCENARIO_VERSION,
            "added": [dataclasses.asdict(site) for site in self.added],
            "removed": list(self.removed),
            "params": dict(self.params),
        }

    @classmethod
    def from_dict(cls, payload: Mapping[str, Any]) -> Self:
        """Read a scenario saved by :meth:`to_dict`.

        Raises
        ------
        LayerError
            The payload is not a scenario of a version this code reads, or a site is
            invalid; the message names what.
        """
        if not isinstance(payload, Mapping):
            raise LayerError("a scenario is a JSON object; this is not one.")
        version = payload.get("version")
        if version != SCENARIO_VERSION:
            raise LayerError(
                f"this scenario was saved in format {version!r}; this Care Atlas reads "
                f"format {SCENARIO_VERSION}."
            )
        added = payload.get("added", [])
        removed = payload.get("removed", [])
        params = payload.get("params", {})
        if not isinstance(added, list) or not isinstance(removed, list):
            raise LayerError("a scenario's 'added' and 'removed' must be lists.")
        if not isinstance(params, Mapping):
            raise LayerError("a scenario's 'params' must be an object.")
        fields = {f.name for f in dataclasses.fields(Site)}
        sites = []
        for number, item in enumerate(added, start=1):
            if not isinstance(item, Mapping) or not {"name", "lon", "lat"} <= set(item):
                raise LayerError(f"site {number} of the scenario lacks a name or coordinates.")
            sites.append(Site(**{k: v for k, v in item.items() if k in fields}))
        return cls(added=tuple(sites), removed=tuple(map(str, removed)), params=dict(params))


def site_template(existing: gpd.GeoDataFrame) -> dict[str, str]:
    """Return what a new site offers by default.

    The most common ``kind``, ``services`` and ``populations``
    among the existing sites (for Bogotá's care blocks, the district catalogue).

    A planner adding a care block means "one more like the others"; using the most
    common offer keeps the before/after comparison about place, not about a
    different service mix.
    """
    template: dict[str, str] = {}
    for column in ("kind", "services", "populations", "operator"):
        if column in existing.columns and existing[column].notna().any():
            template[column] = str(Counter(existing[column].dropna()).most_common(1)[0][0])
    return template


def sites_frame(scenario: Scenario) -> gpd.GeoDataFrame:
    """The added sites as EPSG:4326 points: ``name``, ``origin``, ``moved_from``."""
    records = [
        {"name": s.name, "origin": s.origin, "moved_from": s.moved_from} for s in scenario.added
    ]
    table = pd.DataFrame.from_records(records, columns=["name", "origin", "moved_from"])
    geometry = gpd.points_from_xy(
        [s.lon for s in scenario.added], [s.lat for s in scenario.added], crs=4326
    )
    return gpd.GeoDataFrame(table, geometry=geometry, crs=4326)


def apply(
    scenario: Scenario, existing: gpd.GeoDataFrame, *, template: Mapping[str, str]
) -> gpd.GeoDataFrame:
    """The services after the scenario: ``existing`` minus the removed ids, plus the added sites.

    Parameters
    ----------
    existing
        Services with an ``id`` column (else the index labels are the ids).
    template
        Column values for the added sites (:func:`site_template`), e.g. ``services``.

    Returns
    -------
    geopandas.GeoDataFrame
        In ``existing``'s CRS; added rows have ``id`` ``new-1``, ``new-2``..., their
        ``name``, ``layer`` :data:`PROPOSED_LAYER` and the template's columns. Ids
        removed that no longer exist are ignored (the data may have changed since).
    """
    ids = existing["id"].astype(str) if "id" in existing.columns else existing.index.astype(str)
    kept = existing[~pd.Index(ids).isin(scenario.removed)]
    if not scenario.added:
        return kept
    new = sites_frame(scenario).to_crs(existing.crs)
    new = new.assign(
        id=[f"new-{i}" for i in range(1, len(new) + 1)], layer=PROPOSED_LAYER, **template
    )
    new.index = pd.Index(new["id"])
    new = new.rename_geometry(kept.geometry.name) if kept.geometry.name != "geometry" else new
    out = pd.concat([kept, new])
    return gpd.GeoDataFrame(out, geometry=kept.geometry.name, crs=existing.crs)
