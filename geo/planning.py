"""The Plan page's pipeline: gaps before and after a scenario, a covering problem, suggestions.

Each step takes layers and a parameter object (:mod:`geo.params`) and returns a new
frame or result; none reads a file or a setting, so a cache (``ui/loaders.py``) can
wrap each step and key it on its parameters, and a test can run it on a small grid::

    before = gap_analysis(cells, supply, params.gaps)
    services = scenario_services(supply, params.scenario, template=site_template)
    after = gap_analysis(cells, services, params.gaps)
    problem = siting_problem(
        weighted_cells(cells, params),
        candidate_sites(cells, params.candidates, cell_m=params.gaps.cell_m, zone_names=names),
        services,
        params,
    )
    sites, report = suggestion(problem, params, k=3, cells=cells, existing=services)

A network (:class:`geo.network.StreetNetwork`) is used only when the parameters
say ``mode="network"``.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import access, gaps, profiles, siting
from geo import scenarios as scenarios_mod
from geo.network import StreetNetwork
from geo.params import Candidates, GapsParams, PlanParams, WalkParams


def _network(walk: WalkParams, network: StreetNetwork | None) -> StreetNetwork | None:
    """The network when the walk is measured along the streets, else None."""
    return network if walk.network else None


def gap_analysis(
    cells: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    params: GapsParams,
    *,
    network: StreetNetwork | None = None,
) -> gaps.GapsResult:
    """Run the gap analysis of ``services`` on the demand grid ``cells``.

    Parameters
    ----------
    cells
        The demand grid (:func:`geo.gaps.demand_grid`), with a ``zone`` column.
    services
        The places counted (already filtered to ``params.service_codes``).
    params
        Walk and groups; ``params.walk.mode == "network"`` uses ``network``.
    network
        The walking network, for network mode.
    """
    return gaps.run_gaps(
        cells,
        services,
        minutes=params.walk.minutes,
        profile=params.walk.profile,
        groups=list(params.groups),
        zone_col="zone",
        network=_network(params.walk, network),
    )


def upz_coverage(result: gaps.GapsResult, *, groups: tuple[str, ...]) -> pd.DataFrame | None:
    """Return the coverage per UPZ of a gap analysis (None when its cells carry no UPZ).

    With ``straight_pct``: the share of each UPZ's people whose figures use straight line
    x detour because the street layer has a gap near them (network mode only).
    """
    cells = result.demand
    if "upz" not in cells.columns:
        return None
    table = access.coverage_from_mask(
        cells, cells["covered"].to_numpy(dtype=bool), groups=list(groups), zone_col="upz"
    ).by_zone
    if table is not None and "distance_method" in cells.columns:
        people = cells[list(groups)].sum(axis=1).to_numpy()
        straight = (
            pd.Series(np.where(cells["distance_method"].to_numpy() == "straight", people, 0.0))
            .groupby(cells["upz"].to_numpy())
            .sum()
        )
        total = pd.Series(people).groupby(cells["upz"].to_numpy()).sum()
        share = (100.0 * straight / total.where(total > 0)).fillna(0.0)
        table = table.assign(straight_pct=share.reindex(table.index).fillna(0.0).to_numpy())
    return table


def e2sfca(cells: gpd.GeoDataFrame, services: gpd.GeoDataFrame, *, walk: WalkParams) -> pd.Series:
    """Return E2SFCA (Gaussian decay) care places per 1,000 people, per demand cell."""
    return 1000 * access.two_step_fca(
        cells,
        services.assign(_places=1.0).to_crs(cells.crs),
        demand_col="total",
        capacity_col="_places",
        radius_m=profiles.reach_m(walk.minutes, profile=walk.profile),
        decay="gaussian",
    )


def scenario_key(scenario: scenarios_mod.Scenario) -> str:
    """Return a scenario's sites as canonical JSON (the key :class:`PlanParams` carries)."""
    payload = scenario.to_dict()
    return json.dumps({k: payload[k] for k in ("version", "added", "removed")}, sort_keys=True)


def scenario_services(
    supply: gpd.GeoDataFrame, key: str, *, template: dict[str, str]
) -> gpd.GeoDataFrame:
    """Return the services counted after the scenario ``key`` (:func:`scenario_key`).

    ``template`` is what a new site offers (:func:`geo.scenarios.site_template`).
    """
    if not key:
        return supply
    scenario = scenarios_mod.Scenario.from_dict(json.loads(key))
    return scenarios_mod.apply(scenario, supply, template=template)


def weighted_cells(cells: gpd.GeoDataFrame, params: PlanParams) -> gpd.GeoDataFrame:
    """Return the cell centres with ``weight`` = sum of weight x people of each group."""
    groups = list(params.gaps.groups)
    points = cells[[*groups, "zone"]].set_geometry(gaps.cell_centres(cells))
    weight = sum(
        (w * cells[g].to_numpy(dtype=float) for g, w in zip(groups, params.weights, strict=True)),
        start=np.zeros(len(cells)),
    )
    return points.assign(weight=weight)


def candidate_sites(
    cells: gpd.GeoDataFrame, candidates: Candidates, *, cell_m: float, zone_names: pd.Series
) -> gpd.GeoDataFrame:
    """Return the candidate sites: every n-th cell centre of the grid, or the given points.

    Parameters
    ----------
    cells
        The demand grid (``row``, ``col`` and ``zone`` columns).
    candidates
        :data:`geo.params.Candidates`.
    cell_m
        The grid's cell size in metres (grid candidates are every n-th cell).
    zone_names
        Zone names by code: grid candidates are named after their zone, so a planner
        can read a suggestion without the map.
    """
    kind, points = candidates
    if kind == "grid":
        step = max(1, round(points[0][0] / cell_m))
        pick = (cells["row"].to_numpy() % step == 0) & (cells["col"].to_numpy() % step == 0)
        chosen = cells[pick]
        zone = chosen["zone"].map(zone_names).fillna("").astype(str)
        frame = gpd.GeoDataFrame(
            {"name": zone.to_numpy(), "zone": chosen["zone"].to_numpy()},
            geometry=gaps.cell_centres(chosen).to_numpy(),
            index=chosen.index,
            crs=cells.crs,
        )
        return frame.to_crs(4326)
    lon, lat, name = zip(*points, strict=True) if points else ((), (), ())
    return gpd.GeoDataFrame({"name": list(name)}, geometry=gpd.points_from_xy(lon, lat), crs=4326)


def siting_problem(
    cells: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    existing: gpd.GeoDataFrame,
    params: PlanParams,
    *,
    network: StreetNetwork | None = None,
) -> siting.Problem:
    """Build the covering problem behind a suggestion (the costly part, built once).

    Parameters
    ----------
    cells
        :func:`weighted_cells`.
    sites
        :func:`candidate_sites`.
    existing
        The services after the scenario (:func:`scenario_services`).
    params
        Reach, capacity and mode.
    network
        The walking network, for network mode.
    """
    sites = sites.to_crs(cells.crs)
    if params.capacity > 0:
        sites = sites.assign(capacity=float(params.capacity))
    return siting.build_problem(
        cells,
        sites,
        radius_m=params.gaps.walk.reach_m,
        weight_col="weight",
        existing=existing.to_crs(cells.crs),
        capacity_col="capacity" if params.capacity > 0 else None,
        network=_network(params.gaps.walk, network),
    )


def solve(problem: siting.Problem, *, k: int) -> siting.Solution:
    """Return the greedy + swap solution of ``problem`` with ``k`` new sites."""
    return siting.solve_greedy(problem, k=k)


def suggestion(
    problem: siting.Problem,
    params: PlanParams,
    *,
    k: int,
    cells: gpd.GeoDataFrame,
    existing: gpd.GeoDataFrame,
    areas: gpd.GeoDataFrame | None = None,
    network: StreetNetwork | None = None,
) -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """Return the suggested sites (greedy + swap) and who each brings within reach.

    Parameters
    ----------
    problem
        :func:`siting_problem` for ``params``.
    params
        The plan the problem was built for.
    k
        How many new sites.
    cells, existing, areas
        The demand grid, the services after the scenario and its unserved areas (the
        report names the area each site serves).
    network
        The walking network, for network mode.
    """
    sites = siting.chosen_frame(problem, solve(problem, k=k), k=k)
    report = siting.site_report(
        cells,
        sites,
        radius_m=params.gaps.walk.reach_m,
        groups=list(params.gaps.groups),
        existing=existing.to_crs(sites.crs),
        areas=areas,
        network=_network(params.gaps.walk, network),
    )
    return sites, report


def coverage_curve(problem: siting.Problem, *, k_max: int) -> pd.DataFrame:
    """Return the weight within reach against the number of new sites, 0..k_max."""
    return siting.coverage_curve(problem, k_max=k_max)
