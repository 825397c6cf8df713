"""Gaps page with a street network: switching to "walking the streets" changes figures and zones.

The test network is SYNTHETIC (a street grid over the sample's area with some blocks
missing, so routes detour), written as an unprojected osmnx-style GraphML; it tests the
switch, not Bogotá's streets (the bundled data has no street network).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, Watch, running, save_timings, time_redraws
from tests.e2e.test_explore import MAP_IFRAME, wait_idle

pytestmark = pytest.mark.e2e
CATCHMENT_PATHS = (
    "() => Array.from(document.querySelectorAll('path'))"
    ".filter(p => p.getAttribute('stroke') === '#D55E00').map(p => p.getAttribute('d')).join('|')"
)


def write_grid_graphml(path: Path, *, step_deg: float = 0.0025) -> Path:
    """A street grid from lon -74.22..-74.01, lat 4.47..4.83; every 4th block is missing."""
    lons = [-74.22 + i * step_deg for i in range(int(0.21 / step_deg) + 1)]
    lats = [4.47 + j * step_deg for j in range(int(0.36 / step_deg) + 1)]
    nodes, edges = [], []
    for j, lat in enumerate(lats):
        for i, lon in enumerate(lons):
            nodes.append(
                f'<node id="n{j}_{i}"><data key="x">{lon:.6f}</data><data key="y">{lat:.6f}</data></node>'
            )
            if i + 1 < len(lons) and (i + j) % 4 != 0:
                edges.append(
                    f'<edge source="n{j}_{i}" target="n{j}_{i + 1}"><data key="hw">residential</data></edge>'
                )
            if j + 1 < len(lats) and (i * 3 + j) % 5 != 0:
                edges.append(
                    f'<edge source="n{j}_{i}" target="n{j + 1}_{i}"><data key="hw">residential</data></edge>'
                )
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<key id="x" for="node" attr.name="x" attr.type="string"/>\n'
        '<key id="y" for="node" attr.name="y" attr.type="string"/>\n'
        '<key id="hw" for="edge" attr.name="highway" attr.type="string"/>\n'
        '<graph edgedefault="undirected">\n'
        + "\n".join(nodes + edges)
        + "\n</graph>\n</graphml>\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture(scope="module")
def network_server(tmp_path_factory: pytest.TempPathFactory):
    tmp = tmp_path_factory.mktemp("network")
    graph = write_grid_graphml(tmp / "synthetic_grid.graphml")
    with running(
        tmp,
        {"CARE_ATLAS_NETWORK_FILE": str(graph), "CARE_ATLAS_STORE_PATH": str(tmp / "store.sqlite")},
    ) as srv:
        yield srv


def test_street_network_switch_changes_figures_and_zones(
    network_server: Server, watched: tuple[Page, Watch]
) -> None:
    page, _ = watched
    page.goto(f"{network_server.url}/gaps?lang=en")
    expect(page.get_by_text("Street network:").first).to_be_visible(timeout=60_000)
    frame = page.wait_for_selector(MAP_IFRAME).content_frame()
    frame.wait_for_function(
        "() => !!document.querySelector('img.leaflet-image-layer')", timeout=60_000
    )
    wait_idle(page)
    straight_value = page.get_by_test_id("stMetricValue").first.inner_text()
    straight_zones = frame.evaluate(CATCHMENT_PATHS)
    assert straight_zones

    page.get_by_text("Walking the streets").click()
    expect(page.get_by_text("vs straight line").first).to_be_visible(timeout=60_000)
    wait_idle(page)
    frame = page.wait_for_selector(MAP_IFRAME).content_frame()
    frame.wait_for_function(f"() => ({CATCHMENT_PATHS})() !== {straight_zones!r}", timeout=30_000)
    network_value = page.get_by_test_id("stMetricValue").first.inner_text()
    assert network_value != straight_value, (straight_value, network_value)
    page.screenshot(path=str(ARTIFACTS / "gaps_network.png"))

    # how long a slider change takes to redraw the street catchments (reported, not asserted)
    timings = time_redraws(
        page, frame, CATCHMENT_PATHS, ["ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"]
    )
    median = save_timings("network_refresh_seconds.json", timings)
    print(f"street catchments redraw after a slider change: median {median:.3f} s")
