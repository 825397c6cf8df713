"""AppTest with a (synthetic) street network: every catchment follows the streets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from geo.settings import get_settings
from tests.app.conftest import button, map_args, markers_by_layer, run_app
from tests.e2e.test_network_mode import write_grid_graphml


@pytest.fixture(autouse=True)
def street_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(
        "CARE_ATLAS_NETWORK_FILE", str(write_grid_graphml(tmp_path / "grid.graphml"))
    )
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(tmp_path / "store.sqlite"))
    get_settings.cache_clear()


def test_explore_walking_zones_follow_the_streets() -> None:
    at = run_app(layers="care_blocks", lang="en")
    at.toggle(key="explore_walk_show").set_value(True).run()
    assert not at.exception, [e.message for e in at.exception]
    groups = map_args(at)["feature_group"]
    # street catchments are buffered street polygons, not circles (a circle ring has 65 vertices)
    rings = [len(ring[0]) for ring in _polygon_rings(groups)]
    assert rings
    assert any(n != 65 for n in rings)


def _polygon_rings(script: str) -> list:
    decoder = json.JSONDecoder()
    rings = []
    for match in re.finditer(r"_add\((?=\{)", script):
        collection, _ = decoder.raw_decode(script, match.end())
        for feature in collection.get("features", []):
            geometry = feature["geometry"]
            if geometry["type"] == "Polygon":
                rings.append(geometry["coordinates"])
            elif geometry["type"] == "MultiPolygon":
                rings.extend(geometry["coordinates"])
    return rings


def test_gaps_network_mode_compares_with_straight_line() -> None:
    at = run_app("app_pages/gaps.py", lang="en")
    at.radio(key="gaps_distance_en").set_value("network").run()
    assert not at.exception, [e.message for e in at.exception]
    deltas = [m.delta for m in at.metric if m.delta]
    assert deltas
    assert all("vs straight line" in d for d in deltas)
    assert any("walking along the streets" in c.value for c in at.caption)


def test_near_me_zone_follows_the_streets() -> None:
    at = run_app("app_pages/near.py", plat="4.558", plon="-74.150", place="Manitas", lang="en")
    assert not at.exception, [e.message for e in at.exception]
    maps = [json.loads(c.proto.json_args) for c in at.get("component_instance")]
    (script,) = [m["script"] for m in maps if "script" in m]
    assert "L.circle(" not in script  # the walk along the streets is drawn instead of a circle
    cards = [m.value for m in at.markdown if "walking the streets" in m.value]
    assert cards, "cards give minutes along the streets"
    ranks = [m.value for m in at.markdown if m.value.startswith("### ")]
    assert [r.split(".")[0] for r in ranks] == ["### 1", "### 2", "### 3", "### 4", "### 5"]


def test_plan_walks_the_streets_from_new_and_suggested_sites_only(
    street_walks: list[int],
) -> None:
    """The Plan map's "new sites" zones: walked from the suggested sites, not every service."""
    at = run_app("app_pages/plan.py", lang="en")
    assert street_walks == []  # no new site yet: no zone drawn, no walk
    at.slider(key="plan_k").set_value(2).run()
    button(at, "Suggest 2 sites").click().run()
    assert not at.exception, [e.message for e in at.exception]
    assert markers_by_layer(at).get("suggested") == 2
    assert street_walks == [2]
