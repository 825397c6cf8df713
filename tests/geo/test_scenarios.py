"""geo.scenarios: change lists over the existing sites, their JSON form and replay."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.errors import LayerError
from geo.scenarios import MAX_SITES, PROPOSED_LAYER, Scenario, Site, apply, site_template


@pytest.fixture
def existing() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {
            "id": ["mc-01", "mc-02", "bus-1"],
            "name": ["Bosa", "Kennedy", "Bus stop"],
            "kind": ["care_block", "care_block", "care_bus"],
            "services": ["child_care;respite", "child_care;respite", "older_care"],
            "layer": ["care_blocks", "care_blocks", "care_bus_stops"],
        },
        geometry=[Point(-74.19, 4.62), Point(-74.15, 4.63), Point(-74.10, 4.60)],
        crs=4326,
    )


def test_site_checks_what_it_is_given() -> None:
    assert Site(name="A", lon="-74.1", lat=4.6).lon == -74.1  # type: ignore[arg-type]
    with pytest.raises(LayerError, match="needs a name"):
        Site(name=" ", lon=0, lat=0)
    with pytest.raises(LayerError, match="not a longitude/latitude"):
        Site(name="A", lon=200, lat=0)
    with pytest.raises(LayerError, match="not a longitude/latitude"):
        Site(name="A", lon=float("nan"), lat=0)
    with pytest.raises(LayerError, match="origin"):
        Site(name="A", lon=0, lat=0, origin="magic")


def test_apply_adds_removes_and_moves(existing: gpd.GeoDataFrame) -> None:
    template = site_template(existing[existing["layer"] == "care_blocks"])
    assert template["services"] == "child_care;respite"
    scenario = (
        Scenario()
        .add(Site(name="Nuevo <b>", lon=-74.2, lat=4.58, origin="suggested"))
        .remove_existing("bus-1")
        .move_existing("mc-02", name="Kennedy (moved)", lon=-74.16, lat=4.64)
    )
    after = apply(scenario, existing, template=template)
    assert list(after["id"]) == ["mc-01", "new-1", "new-2"]
    moved = after.loc["new-2"]
    assert (moved.geometry.x, moved.geometry.y) == (-74.16, 4.64)
    assert set(after.loc[["new-1", "new-2"], "layer"]) == {PROPOSED_LAYER}
    assert after.loc["new-1", "services"] == "child_care;respite"
    assert after.loc["new-1", "name"] == "Nuevo <b>"  # kept as data; escaped where shown
    assert after.crs == existing.crs
    # undo: restoring the moved site drops its new position and brings it back
    back = scenario.restore_existing("mc-02")
    assert [s.name for s in back.added] == ["Nuevo <b>"]
    assert back.removed == ("bus-1",)
    # dropping the moved site from the added list also puts the original back
    assert scenario.drop_added(1).removed == ("bus-1",)


def test_empty_scenario_changes_nothing(existing: gpd.GeoDataFrame) -> None:
    assert Scenario().is_empty
    after = apply(Scenario(), existing, template={})
    assert after.equals(existing)


def test_removed_ids_that_no_longer_exist_are_ignored(existing: gpd.GeoDataFrame) -> None:
    after = apply(Scenario(removed=("gone", "mc-01")), existing, template={})
    assert list(after["id"]) == ["mc-02", "bus-1"]


def test_json_round_trip() -> None:
    scenario = (
        Scenario(params={"minutes": 15, "groups": ["children"]})
        .add(Site(name="Sitio ñandú", lon=-74.2, lat=4.58, origin="suggested"))
        .move_existing("mc-02", name="Kennedy", lon=-74.16, lat=4.64)
        .move_added(0, lon=-74.21, lat=4.59)
    )
    payload = json.loads(json.dumps(scenario.to_dict()))
    assert Scenario.from_dict(payload) == scenario
    assert payload["added"][0]["lon"] == -74.21


@pytest.mark.parametrize(
    ("payload", "match"),
    [
        ([], "JSON object"),
        ({"version": 99}, "format 99"),
        ({"version": 1, "added": "x"}, "must be lists"),
        ({"version": 1, "params": []}, "must be an object"),
        ({"version": 1, "added": [{"name": "A"}]}, "site 1 .* lacks"),
        ({"version": 1, "added": [{"name": "A", "lon": 500, "lat": 0}]}, "longitude/latitude"),
    ],
)
def test_bad_payloads_are_named(payload: object, match: str) -> None:
    with pytest.raises(LayerError, match=match):
        Scenario.from_dict(payload)  # type: ignore[arg-type]


def test_too_many_sites() -> None:
    site = Site(name="A", lon=0, lat=0)
    with pytest.raises(LayerError, match=f"at most {MAX_SITES}"):
        Scenario(added=(site,) * (MAX_SITES + 1))
