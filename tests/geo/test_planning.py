"""geo.params and geo.planning: the Plan page's pipeline on a grid small enough to check by hand."""

from __future__ import annotations

import dataclasses

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point

from geo import gaps, planning, siting
from geo.params import GRID_CANDIDATES, GapsParams, PlanParams, WalkParams
from geo.scenarios import Scenario, Site

GROUPS = ("children", "older")
ZONES = pd.Series({"01": "Bosa", "02": "Suba"})


@pytest.fixture
def cells() -> gpd.GeoDataFrame:
    """Three 100 m cells in a row, 300 m apart: 10+1, 20+0 and 30+5 people."""
    points = gpd.GeoDataFrame(
        {"children": [10.0, 20.0, 30.0], "older": [1.0, 0.0, 5.0], "zone": ["01", "01", "02"]},
        geometry=[Point(50, 50), Point(350, 50), Point(650, 50)],
        crs=9377,
    )
    return gaps.prepare_demand(points, groups=list(GROUPS), cell_m=100, zone_col="zone")


def plan(**fields: object) -> PlanParams:
    walk = WalkParams(minutes=2, profile="adult")  # 2 min: about 107 m straight x detour
    values: dict[str, object] = {
        "gaps": GapsParams(service_codes=("child_care",), walk=walk, groups=GROUPS),
        "weights": (1.0, 2.0),
        "candidates": ("grid", ((100.0, 0.0, ""),)),
    }
    values.update(fields)
    return PlanParams(**values)  # type: ignore[arg-type]


def test_parameter_objects_are_frozen_hashable_and_refuse_unknown_keys() -> None:
    walk = WalkParams.from_dict({"minutes": 15, "profile": "adult", "mode": "network"})
    assert walk == WalkParams(minutes=15, mode="network") and hash(walk) == hash(
        WalkParams(minutes=15, mode="network")
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        walk.minutes = 20  # type: ignore[misc]
    with pytest.raises(ValueError, match=r"WalkParams has no parameter 'minute': use minutes"):
        WalkParams.from_dict({"minute": 15})
    with pytest.raises(ValueError, match="distance mode"):
        WalkParams(mode="flying")
    with pytest.raises(ValueError, match="above 0"):
        WalkParams(minutes=0)
    with pytest.raises(ValueError, match="groups"):
        GapsParams(service_codes=(), groups=("aliens",))
    with pytest.raises(ValueError, match="2 weights for 1 groups"):
        PlanParams(gaps=GapsParams(service_codes=(), groups=("children",)), weights=(1, 2))
    with pytest.raises(ValueError, match="candidates"):
        PlanParams(gaps=GapsParams(service_codes=()), candidates=("everywhere", ()))
    # lists become tuples (hashable); no weights means one per group
    params = PlanParams(gaps=GapsParams(service_codes=["a"], groups=["children", "older"]))  # type: ignore[arg-type]
    assert params.gaps.service_codes == ("a",) and params.weights == (1.0, 1.0)
    assert params.candidates == GRID_CANDIDATES
    hash(params)


def test_walk_reach_straight_and_along_the_streets() -> None:
    straight = WalkParams(minutes=15, profile="adult")
    streets = WalkParams(minutes=15, profile="adult", mode="network")
    assert streets.reach_m == pytest.approx(straight.street_m)
    assert straight.reach_m < straight.street_m  # the detour factor shortens the straight line


def test_weighted_cells_and_grid_candidates(cells: gpd.GeoDataFrame) -> None:
    weighted = planning.weighted_cells(cells, plan())
    assert weighted["weight"].tolist() == pytest.approx([10 + 2 * 1, 20 + 0, 30 + 2 * 5])
    sites = planning.candidate_sites(cells, plan().candidates, cell_m=100, zone_names=ZONES)
    assert sites["name"].tolist() == ["Bosa", "Bosa", "Suba"] and sites.crs.to_epsg() == 4326
    points = ("clicked", ((-74.1, 4.6, "Here"),))
    clicked = planning.candidate_sites(cells, points, cell_m=100, zone_names=ZONES)
    assert clicked["name"].tolist() == ["Here"]
    assert (clicked.geometry.x.iloc[0], clicked.geometry.y.iloc[0]) == (-74.1, 4.6)


def test_suggestion_is_the_direct_maximal_coverage(cells: gpd.GeoDataFrame) -> None:
    params = plan()
    weighted = planning.weighted_cells(cells, params)
    sites = planning.candidate_sites(cells, params.candidates, cell_m=100, zone_names=ZONES)
    none = gpd.GeoDataFrame({"name": []}, geometry=[], crs=9377)
    problem = planning.siting_problem(weighted, sites, none, params)
    suggested, report = planning.suggestion(problem, params, k=1, cells=cells, existing=none)
    # 107 m reaches only the cell a site stands on: the heaviest cell (30 + 2 x 5) wins
    assert suggested["name"].tolist() == ["Suba"] and suggested["gain"].tolist() == [40.0]
    assert report[["children", "older"]].iloc[0].tolist() == [30.0, 5.0]
    direct = siting.maximal_coverage(
        siting.build_problem(
            weighted,
            sites.to_crs(weighted.crs),
            radius_m=params.gaps.walk.reach_m,
            weight_col="weight",
        ),
        k=1,
    )
    assert suggested.index.tolist() == direct.index.tolist()
    curve = planning.coverage_curve(problem, k_max=3)
    assert curve["served"].tolist() == pytest.approx([0, 40, 60, 72])  # 40, then 20, then 12


def test_scenario_key_round_trip() -> None:
    supply = gpd.GeoDataFrame(
        {"id": ["s1"], "name": ["Jardín"], "layer": ["care_blocks"], "services": ["child_care"]},
        geometry=[Point(-74.1, 4.6)],
        crs=4326,
    )
    empty = planning.scenario_key(Scenario())
    assert planning.scenario_key(Scenario()) == empty  # canonical: the same key twice
    scenario = Scenario().add([Site(name="Nueva", lon=-74.2, lat=4.7)])
    key = planning.scenario_key(scenario)
    assert key != empty
    after = planning.scenario_services(supply, key, template={"services": "child_care"})
    assert len(after) == 2 and "Nueva" in after["name"].tolist()
