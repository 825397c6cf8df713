"""AppTest: the map pages read community places for an area (the view, a box around a point)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from geo.settings import Settings, get_settings
from geo.store import SQLiteStore, open_store
from tests.app.conftest import PROJECT, map_args, markers_by_layer, run_app
from tests.places import add_child_care_block

BOGOTA = (4.60, -74.10)
LIMA = (-12.05, -77.03)


def _approve(store, name: str, lat: float, lon: float) -> str:
    return add_child_care_block(store, approve=True, name=name, lon=lon, lat=lat, country="CO")


@pytest.fixture(autouse=True)
def places(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A store with two approved places: one in Bogotá, one in Lima (1,900 km away)."""
    path = tmp_path / "store.sqlite"
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(path))
    get_settings.cache_clear()
    with open_store(Settings(store_path=path)) as store:
        ids = {
            "bogota": _approve(store, "Hogar comunitario Kennedy", *BOGOTA),
            "lima": _approve(store, "Wawa Wasi San Juan", *LIMA),
        }
    yield ids
    get_settings.cache_clear()


def _community_ids(at) -> set[str]:
    """Ids of the community places in the feature groups sent to the map."""
    groups = map_args(at)["feature_group"] or ""
    return set(re.findall(r'"id":\s*"(cs-[0-9a-f]+)",\s*"layer":\s*"community"', groups))


def test_places_in_view_are_shown_and_far_ones_are_not(places: dict[str, str]) -> None:
    at = run_app(lat="4.61000", lon="-74.09000", z="12", lang="en")
    assert not at.exception, [e.message for e in at.exception]
    assert markers_by_layer(at).get("community") == 1
    assert _community_ids(at) == {places["bogota"]}
    assert any("loaded for the area in view (1 here)" in c.value for c in at.caption)

    at = run_app(lat=f"{LIMA[0]:.5f}", lon=f"{LIMA[1]:.5f}", z="13", lang="en")
    assert markers_by_layer(at).get("community") == 1
    assert _community_ids(at) == {places["lima"]}


def test_default_view_is_bogota_and_the_button_loads_the_view_it_sends(
    places: dict[str, str],
) -> None:
    at = run_app()  # no view in the URL: the page's default view (Bogotá)
    assert _community_ids(at) == {places["bogota"]}
    assert any(c.proto.component_name.endswith("view_button") for c in at.get("component_instance"))
    # the button sends the view the browser is at (read from the page URL)
    at.session_state["explore_es_places_view"] = {
        "lat": f"{LIMA[0]:.5f}",
        "lon": f"{LIMA[1]:.5f}",
        "z": "12",
        "at": 1,
    }
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert _community_ids(at) == {places["lima"]}
    assert (at.query_params["lat"], at.query_params["z"]) == (f"{LIMA[0]:.5f}", "12")
    # the map is drawn again at the view the browser sent (where the person already is)
    assert "center: [-12.05, -77.03]" in map_args(at)["script"]


def test_near_me_reads_a_box_around_the_point(
    places: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    boxes: list[object] = []
    original = SQLiteStore.approved

    def recording(self, *, bbox=None, limit=None):
        boxes.append(bbox)
        return original(self, bbox=bbox, limit=limit)

    monkeypatch.setattr(SQLiteStore, "approved", recording)
    at = run_app(plat=f"{BOGOTA[0]}", plon=f"{BOGOTA[1]}", place="Kennedy")
    boxes.clear()  # the first run is Explore's (the view's box)
    at.switch_page(str(PROJECT / "app_pages/near.py")).run()
    assert not at.exception, [e.message for e in at.exception]
    cards = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert cards[0].startswith("### 1. Hogar comunitario Kennedy")  # the community place, 0 m
    assert not any("Wawa Wasi" in c for c in cards)
    assert boxes, "community places are read from the store"
    assert None not in boxes  # never the whole table
    for min_lon, min_lat, max_lon, max_lat in boxes:
        assert min_lon <= BOGOTA[1] <= max_lon and min_lat <= BOGOTA[0] <= max_lat
        assert max_lon - min_lon < 0.5  # a box of a few km around the point
    widths = [box[2] - box[0] for box in boxes]
    assert widths == sorted(widths)  # it grows until the five nearest are known
