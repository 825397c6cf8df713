"""ui.view_state: one state per page, the same through the URL and a story (round trips)."""

from __future__ import annotations

import json

import pytest

from ui.render.map_view import View
from ui.view_state import ExploreState, GapsState, describe_line, extent_of

EXPLORE = ExploreState(
    layers=("care_blocks", "care_bus_stops"),
    services=("respite",),
    populations=("older",),
    operators=("cooperative",),
    countries=("CO",),
    cities=("Bogotá",),
    walk=True,
    minutes=20,
    profile="wheelchair",
    view=View(4.61234, -74.08765, 13),
    selected=("care_blocks", "mc-07"),
)
GAPS = GapsState(
    groups=("older", "carers"),
    services=("daycare",),
    minutes=30,
    profile="older_or_pushchair",
    measure="nearest",
    distance="network",
    view=View(4.7, -74.05, 14),
    selected=("care_blocks", "mc-01"),
)


@pytest.mark.parametrize("state", [EXPLORE, GAPS, ExploreState(), GapsState()])
def test_url_round_trip(state) -> None:
    query = state.to_query()
    assert all(isinstance(v, str) for v in query.values())
    assert type(state).from_query(query) == state


@pytest.mark.parametrize("state", [EXPLORE, GAPS, ExploreState(), GapsState()])
def test_story_round_trip_through_json(state) -> None:
    params = json.loads(json.dumps(state.to_params()))
    assert type(state).from_params(params) == state


def test_gaps_url_keeps_minutes_profile_and_measure() -> None:
    query = GAPS.to_query()
    assert query["min"] == "30"
    assert query["profile"] == "older_or_pushchair"
    assert query["measure"] == "nearest"
    assert query["dist"] == "network"
    assert query["grp"] == "older,carers"
    assert (query["lat"], query["lon"], query["z"], query["sel"]) == (
        "4.70000",
        "-74.05000",
        "14",
        "care_blocks:mc-01",
    )


def test_explore_url_keeps_every_filter() -> None:
    query = EXPLORE.to_query()
    assert query["pop"] == "older"
    assert query["op"] == "cooperative"
    assert query["svc"] == "respite"
    assert query["layers"] == "care_blocks,care_bus_stops"
    assert query["walk"] == "1" and query["wmin"] == "20" and query["wprofile"] == "wheelchair"
    assert EXPLORE.facets()["populations"] == ["older"]


def test_a_streamlit_style_query_with_lists_is_read() -> None:
    state = GapsState.from_query({"min": ["45"], "measure": ["2sfca"], "grp": ["older"]})
    assert (state.minutes, state.measure, state.groups) == (45, "2sfca", ("older",))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"min": "7"}, GapsState()),  # not a slider step
        ({"min": "lots"}, GapsState()),
        ({"profile": "runner"}, GapsState()),
        ({"measure": "<script>"}, GapsState()),
        ({"dist": "flying"}, GapsState()),
        ({"grp": "older,aliens"}, GapsState(groups=("older",))),
        ({"lat": "nan", "lon": "1", "z": "3"}, GapsState()),
        ({"lat": "95", "lon": "-200", "z": "40"}, GapsState(view=View(85.0, -180.0, 18))),
        ({"sel": "no-colon"}, GapsState()),
    ],
)
def test_bad_url_values_fall_back_to_the_defaults(query, expected) -> None:
    assert GapsState.from_query(query) == expected


def test_old_story_params_are_read() -> None:
    """Stories saved before the state kept every filter: services only, lat/lon/z as text."""
    old = ExploreState.from_params(
        {
            "layers": ["care_blocks"],
            "services": ["respite"],
            "lat": "4.6",
            "lon": "-74.1",
            "z": "12",
        }
    )
    assert old.layers == ("care_blocks",)
    assert old.services == ("respite",)
    assert old.populations == ()
    assert old.view == View(4.6, -74.1, 12)
    gaps = GapsState.from_params({"minutes": 30, "profile": "adult", "groups": ["older"]})
    assert (gaps.minutes, gaps.measure, gaps.distance) == (30, "coverage", "straight")


def test_describe_names_the_filters_in_the_readers_language() -> None:
    state = ExploreState(populations=("older",), operators=("cooperative",))
    assert (
        describe_line(state.describe("en"))
        == "Who is cared for: Older persons · Run by: Cooperative"
    )
    es = describe_line(state.describe("es"))
    assert "A quién cuida" in es and "Quién lo presta" in es
    assert "Minutes to the nearest" in describe_line(GapsState(measure="nearest").describe("en"))


def test_extent_of_a_view_is_what_a_page_map_shows() -> None:
    # zoom 11 at the equator: 76.44 m per pixel -> 800 px is 61.2 km, 0.55 degrees of longitude
    min_lon, min_lat, max_lon, max_lat = extent_of(View(0.0, -74.0, 11))
    assert max_lon - min_lon == pytest.approx(800 * 360 / 256 / 2**11)
    assert (min_lat + max_lat) == pytest.approx(0.0, abs=1e-9)
    assert max_lat - min_lat == pytest.approx(620 * 360 / 256 / 2**11, rel=1e-3)
    # one zoom level more shows half as much
    closer = extent_of(View(0.0, -74.0, 12))
    assert closer[2] - closer[0] == pytest.approx((max_lon - min_lon) / 2)


def test_region_state_has_explores_filters() -> None:
    from ui.view_state import RegionState

    state = RegionState(countries=("MX",), layers=("cooperatives",))
    assert RegionState.from_query(state.to_query()) == state
    assert RegionState.from_params(json.loads(json.dumps(state.to_params()))) == state
    assert describe_line(state.describe("es")) == "País: México"


def test_plan_settings_round_trip_through_the_url() -> None:
    from ui.plan_state import PlanState

    offered = ["childcare", "eldercare", "disability", "respite"]
    params = PlanState(
        groups=("older", "carers"),
        weights=(2.5, 1.0),
        codes=("eldercare", "respite"),
        minutes=25,
        profile="older_or_pushchair",
        mode="straight",
        candidates="grid",
        spacing_m=500,
        k=7,
        capacity=1200.0,
    )
    query = params.to_query()
    assert set(query) == set(PlanState.QUERY_KEYS)
    assert PlanState.from_query(query, codes=offered) == params
    # services the data does not offer and junk fall back to the defaults
    junk = PlanState.from_query({"svc": "nope", "min": "nan", "k": "99", "w": "a"}, codes=offered)
    assert junk == PlanState(codes=tuple(offered))
