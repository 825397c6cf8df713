"""AppTest helpers: run the app in-process, read the map the page sent."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from geo.settings import get_settings

PROJECT = Path(__file__).resolve().parents[2]
APP = str(PROJECT / "app.py")


@pytest.fixture(autouse=True)
def fresh_caches(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test reads settings and data anew (tests may point at other data)."""
    monkeypatch.delenv("CARE_ATLAS_DATA_DIR", raising=False)
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def run_app(page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(str(PROJECT / page)).run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def button(at: AppTest, label: str):
    """The first button labelled ``label``; fails, naming the labels there are, if none."""
    found = [b for b in at.button if b.label == label]
    assert found, (label, [b.label for b in at.button])
    return found[0]


def map_args(at: AppTest) -> dict:
    """Arguments the page sent to the streamlit-folium component (the page's one map)."""
    (component,) = [
        c for c in at.get("component_instance") if c.proto.component_name.endswith("st_folium")
    ]
    return json.loads(component.proto.json_args)


def markers_by_layer(at: AppTest) -> dict[str, int]:
    """Count the features per layer in the feature groups sent to the map."""
    groups = map_args(at)["feature_group"] or ""
    counts: dict[str, int] = {}
    decoder = json.JSONDecoder()
    # a care layer writes its features once, ``<layer>.addData({...})``; other folium
    # layers through ``<layer>_add({...})``
    collections = [
        decoder.raw_decode(groups, m.end())[0]
        for m in re.finditer(r"(?:_add|\.addData)\((?=\{)", groups)
    ]
    for collection in collections:
        for feature in collection["features"]:
            layer = (feature.get("properties") or {}).get("layer")
            if layer is not None:
                counts[layer] = counts.get(layer, 0) + 1
    # a layer group on the map without its data would be a format this reader missed
    assert len(collections) >= groups.count("L.geoJson("), "unread care layers in the map"
    return counts


def metric_values(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def on_atlas(atlas_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("CARE_ATLAS_DATA_DIR", str(atlas_dir))
    monkeypatch.setenv("CARE_ATLAS_STORE_PATH", str(tmp_path / "store.sqlite"))
    monkeypatch.setenv("CARE_ATLAS_RESULTS_DIR", str(tmp_path / "runs"))
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    return atlas_dir


@pytest.fixture
def street_walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many points each street walk (:func:`geo.network.catchment_polygons`) starts from."""
    from geo import network

    walked: list[int] = []
    real = network.catchment_polygons

    def counting(street_network, service_xy, **options):
        walked.append(len(service_xy))
        return real(street_network, service_xy, **options)

    monkeypatch.setattr(network, "catchment_polygons", counting)
    return walked
