"""The Explore page in a real browser: markers, click, language, filters, view, offline."""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import FrameLocator, Page, expect

from tests.e2e.conftest import ARTIFACTS, PROJECT, Server, Watch, copy_data, running, wait_idle

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKERS = "path.leaflet-interactive:not(.care-atlas-selection)"
pytestmark = pytest.mark.e2e


def map_frame(page: Page) -> FrameLocator:
    return page.frame_locator(MAP_IFRAME).first


def wait_markers(page: Page, count: int) -> None:
    expect(map_frame(page).locator(MARKERS)).to_have_count(count, timeout=30_000)


def map_js(page: Page, script: str):
    """Evaluate JavaScript inside the map's iframe (where ``window.map`` lives)."""
    handle = page.wait_for_selector(MAP_IFRAME)
    frame = handle.content_frame()
    assert frame is not None
    return frame.evaluate(script)


def map_view(page: Page) -> dict:
    return map_js(
        page,
        "() => { const c = window.map.getCenter(); "
        "return {lat: c.lat, lon: c.lng, zoom: window.map.getZoom()}; }",
    )


def test_explore_map_click_language_filter_and_view(
    server: Server, watched: tuple[Page, Watch]
) -> None:
    page, _ = watched
    started = time.perf_counter()
    page.goto(f"{server.url}/?layers=care_blocks")
    wait_markers(page, 19)
    load_s = time.perf_counter() - started
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "explore_load_seconds.json").write_text(json.dumps({"load_s": round(load_s, 2)}))
    print(f"explore page load (goto -> 19 care-block markers drawn): {load_s:.2f} s")

    # Spanish by default for an es-CO browser
    expect(page.get_by_text("Lugares en el mapa")).to_be_visible()
    expect(page.get_by_text("Haga clic en un punto del mapa")).to_be_visible()

    # click a care block: the side panel shows its full record
    wait_idle(page)
    map_frame(page).locator(MARKERS).nth(0).click()
    wait_idle(page)
    panel = page.get_by_test_id("stTable")
    expect(panel).to_be_visible(timeout=20_000)
    expect(panel).to_contain_text("Manzana del Cuidado")
    expect(panel).to_contain_text("Fuente")
    # the popup the person opened survives the rerun that filled the panel
    expect(map_frame(page).locator(".leaflet-popup-content")).to_contain_text("Manzana del Cuidado")
    expect(page).to_have_url(re.compile(r"sel=care_blocks(%3A|:)mc-"))

    # move the map, then change a filter: the view stays where the person left it
    map_js(page, "() => window.map.setView([4.60, -74.08], 13, {animate: false})")
    page.wait_for_function("() => location.search.includes('z=13')", timeout=10_000)
    before = map_view(page)
    page.get_by_label("A quién cuida").first.click()
    page.get_by_role("option", name="Personas mayores").click()
    page.keyboard.press("Escape")
    expect(page).to_have_url(re.compile(r"pop=older"), timeout=20_000)
    wait_idle(page)
    expect(page).to_have_url(re.compile(r"z=13"), timeout=5_000)  # the view stays in the URL
    after = map_view(page)
    assert after["zoom"] == before["zoom"] == 13
    assert after["lat"] == pytest.approx(before["lat"], abs=1e-4)
    assert after["lon"] == pytest.approx(before["lon"], abs=1e-4)

    # switch to English: labels change
    page.get_by_text("English").click()
    wait_idle(page)
    expect(page.get_by_text("Places on the map")).to_be_visible(timeout=20_000)
    expect(page.get_by_text("Who is cared for").first).to_be_visible()
    # the filter chosen in Spanish is kept, its chip now in English
    expect(page.get_by_text("Older persons").first).to_be_visible()
    assert "pop=older" in page.url
    wait_markers(page, 19)
    page.screenshot(path=str(ARTIFACTS / "explore.png"), full_page=False)


def test_copied_url_reopens_the_same_view(server: Server, watched: tuple[Page, Watch]) -> None:
    page, _ = watched
    page.goto(
        f"{server.url}/?lang=en&lat=4.70000&lon=-74.05000&z=14&layers=care_blocks,cooperatives&op=public"
    )
    expect(page.get_by_text("Places on the map")).to_be_visible(timeout=30_000)
    coops = json.loads((PROJECT / "data/cooperatives.geojson").read_text(encoding="utf-8"))
    public_coops = sum(f["properties"]["operator"] == "public" for f in coops["features"])
    wait_markers(page, 19 + public_coops)
    view = map_view(page)
    assert view["zoom"] == 14
    assert view["lat"] == pytest.approx(4.7, abs=1e-3)
    assert view["lon"] == pytest.approx(-74.05, abs=1e-3)


INJECTED_NAME = "<img src=x onerror=alert(1)>"
TEMPLATE_CANARY = "{{ 9999*9999 }}"


@pytest.fixture(scope="module")
def injected_server(tmp_path_factory: pytest.TempPathFactory):
    """The app on a copy of the sample whose first care blocks have hostile names."""
    tmp = tmp_path_factory.mktemp("injected")
    data = copy_data(tmp)
    path = data / "care_blocks.geojson"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["features"][0]["properties"]["name"] = INJECTED_NAME
    doc["features"][1]["properties"]["name"] = TEMPLATE_CANARY
    doc["features"][1]["properties"]["source"] = "{% raw %} <b>bold</b>"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with running(tmp, {"CARE_ATLAS_DATA_DIR": str(data)}) as srv:
        yield srv


def test_text_from_data_is_shown_not_run(
    injected_server: Server, watched: tuple[Page, Watch]
) -> None:
    page, watch = watched
    page.goto(f"{injected_server.url}/?layers=care_blocks&lang=en")
    wait_markers(page, 19)
    frame = map_frame(page)
    wait_idle(page)
    # tooltip of the first marker shows the characters
    frame.locator(MARKERS).nth(0).hover()
    expect(frame.locator(".leaflet-tooltip")).to_contain_text(INJECTED_NAME, timeout=10_000)
    assert frame.locator("img[src=x]").count() == 0
    # popup and side panel of the second one show the template canary literally
    frame.locator(MARKERS).nth(1).click()
    expect(frame.locator(".leaflet-popup-content")).to_contain_text(TEMPLATE_CANARY)
    expect(frame.locator(".leaflet-popup-content")).to_contain_text("{% raw %} <b>bold</b>")
    wait_idle(page)
    expect(page.get_by_test_id("stTable")).to_contain_text("{% raw %} <b>bold</b>", timeout=20_000)
    expect(page.get_by_text(TEMPLATE_CANARY).first).to_be_visible()
    assert "99980001" not in page.content()
    assert not watch.dialogs
