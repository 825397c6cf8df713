"""In a real browser: community places are loaded for the view, and again after a pan."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from geo.settings import Settings
from geo.store import open_store
from tests.e2e.conftest import Server, Watch, goto_and_see, running
from tests.e2e.test_explore import map_js, wait_idle
from tests.places import add_child_care_block

pytestmark = pytest.mark.e2e
BUTTON_IFRAME = 'iframe[title="ui.view_button.care_atlas_view_button"]'
LIMA = (-12.05, -77.03)
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'


def markers_near(lat: float, lon: float, *, win: str = "window") -> str:
    """JavaScript counting the map's circle markers within a degree of a point.

    ``win`` is the map's window: ``window`` inside the map's iframe, or an expression
    reaching it from the page.
    """
    return f"""(() => {{
        const w = {win};
        if (!w || !w.map) {{ return -1; }}
        let n = 0;
        w.map.eachLayer((layer) => {{
            if (layer instanceof w.L.CircleMarker) {{
                const p = layer.getLatLng();
                if (Math.abs(p.lat - {lat}) < 1 && Math.abs(p.lng - {lon}) < 1) {{ n += 1; }}
            }}
        }});
        return n;
    }})()"""


@pytest.fixture(scope="module")
def store_server(tmp_path_factory: pytest.TempPathFactory):
    """The app with a store holding one approved place in Bogotá and one in Lima."""
    tmp = tmp_path_factory.mktemp("places_in_view")
    path = tmp / "store.sqlite"
    with open_store(Settings(store_path=path)) as store:
        for name, (lat, lon) in {"Kennedy": (4.61, -74.15), "San Juan": LIMA}.items():
            add_child_care_block(store, approve=True, name=name, lon=lon, lat=lat)
    with running(tmp, {"CARE_ATLAS_STORE_PATH": str(path)}) as srv:
        yield srv


def test_load_places_in_this_view_after_a_pan(
    store_server: Server, watched: tuple[Page, Watch]
) -> None:
    page, _ = watched
    goto_and_see(page, f"{store_server.url}/?lang=en", "loaded for the area in view (1 here)")
    wait_idle(page)
    assert map_js(page, f"() => {markers_near(*LIMA)}") == 0

    # pan to Lima: nothing reruns, the URL follows the map
    map_js(page, f"() => window.map.setView([{LIMA[0]}, {LIMA[1]}], 12, {{animate: false}})")
    page.wait_for_function("() => location.search.includes('lat=-12.05')", timeout=10_000)
    assert map_js(page, f"() => {markers_near(*LIMA)}") == 0  # not loaded yet

    # the main column's view button (the sidebar has another: "Add this view to a story")
    main = page.get_by_test_id("stMainBlockContainer")
    main.frame_locator(BUTTON_IFRAME).get_by_role("button", name="Load places in this view").click()
    in_map = f"document.querySelector('{MAP_IFRAME}')?.contentWindow"
    page.wait_for_function(f"() => {markers_near(*LIMA, win=in_map)} === 1", timeout=30_000)
    wait_idle(page)
    # the map stays where the person took it, and the URL keeps that view
    view = map_js(page, "() => { const c = window.map.getCenter(); return [c.lat, c.lng]; }")
    assert view == pytest.approx([LIMA[0], LIMA[1]], abs=1e-3)
    assert "z=12" in page.url
