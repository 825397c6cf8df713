"""The Data page in a real browser: uploads keep what was loaded, text stays inert, sessions stay apart."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, Watch, goto_and_see, open_page
from tests.e2e.test_explore import MAP_IFRAME, map_frame, wait_idle

pytestmark = pytest.mark.e2e


def _geojson(path: Path, names: list[str], *, lon: float = -74.08) -> Path:
    doc = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [lon + 0.01 * i, 4.60]},
                "properties": {"name": name, "note": f"row {i}"},
            }
            for i, name in enumerate(names)
        ],
    }
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def _upload(page: Page, file: Path) -> None:
    """Give the uploader a file once it is the only one on the page.

    After "Add to my layers" the page swaps in a fresh, empty uploader; until the
    rerun ends the old one (still holding the previous file) can remain in the DOM.
    """
    page.get_by_role("tab", name="Upload a layer").click()
    wait_idle(page)
    uploader = page.locator('[data-testid="stFileUploader"] input[type="file"]')
    expect(uploader).to_have_count(1, timeout=20_000)
    uploader.set_input_files(str(file))
    wait_idle(page)


def _accept(page: Page) -> None:
    """Press "Add to my layers" once the page is idle; press again if a rerun ate the click.

    A click that lands while Streamlit redraws the preview is lost (the button is
    replaced); it is repeated only when, the page idle again, nothing was added.
    """
    added = page.get_by_text("added (").first
    wait_idle(page)
    for attempt in range(3):
        page.get_by_role("button", name="Add to my layers").click()
        try:
            expect(added).to_be_visible(timeout=15_000)
            break
        except AssertionError:
            wait_idle(page)
            if added.is_visible():
                break
            if attempt == 2:
                raise
    wait_idle(page)


def _my_layers(page: Page) -> str:
    page.get_by_role("tab", name="My layers").click()
    panel = page.get_by_role("tabpanel", name="My layers")
    return panel.inner_text()


def test_good_then_bad_upload_keeps_the_first(
    server: Server, watched: tuple[Page, Watch], tmp_path: Path
) -> None:
    page, _ = watched
    goto_and_see(page, f"{server.url}/data?lang=en", "Data: your own layers")

    _upload(
        page,
        _geojson(tmp_path / "cooperativas.geojson", ["Cooperativa Bolívar", "Casa de cuidado"]),
    )
    expect(page.get_by_text("Preview of “cooperativas.geojson”: 2 features")).to_be_visible(
        timeout=20_000
    )
    _accept(page)

    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "FeatureCollection", "features": [', encoding="utf-8")
    page.get_by_role("tab", name="Upload a layer").click()
    _upload(page, broken)
    alert = page.get_by_test_id("stAlert").filter(has_text="broken.geojson").first
    expect(alert).to_be_visible(timeout=20_000)
    assert "/tmp" not in alert.inner_text()  # noqa: S108 (no server path leaks)
    assert "Traceback" not in alert.inner_text()
    expect(page.get_by_text("Your earlier layers are as they were.")).to_be_visible()

    mine = _my_layers(page)
    assert "cooperativas.geojson · 2" in mine
    assert "broken" not in mine
    page.screenshot(path=str(ARTIFACTS / "data.png"))


INJECTED = "<img src=x onerror=alert(1)>"
CANARY = "{{ 9999*9999 }}"
RAW = "{% raw %} <b>bold</b>"


def test_injected_names_show_as_text_everywhere(
    server: Server, watched: tuple[Page, Watch], tmp_path: Path
) -> None:
    page, watch = watched
    goto_and_see(page, f"{server.url}/data?lang=en", "Data: your own layers")
    _upload(page, _geojson(tmp_path / "hostile.geojson", [INJECTED, CANARY, RAW]))
    expect(page.get_by_text("Preview of “hostile.geojson”: 3 features")).to_be_visible(
        timeout=20_000
    )
    preview = page.frame_locator(MAP_IFRAME).first
    preview.locator("path.leaflet-interactive").nth(1).hover()
    expect(preview.locator(".leaflet-tooltip")).to_contain_text(CANARY, timeout=10_000)
    _accept(page)

    # the layer on the Explore map (same session: go there through the app's own links)
    page.get_by_role("link", name="Explore").click()
    frame = map_frame(page)
    markers = frame.locator('path.leaflet-interactive[fill="#F0E442"]')  # "my layer" colour
    expect(markers).to_have_count(3, timeout=30_000)
    wait_idle(page)
    markers.nth(0).hover()
    expect(frame.locator(".leaflet-tooltip")).to_contain_text(INJECTED)
    markers.nth(2).click()
    expect(frame.locator(".leaflet-popup-content")).to_contain_text(RAW)
    assert frame.locator("img[src=x]").count() == 0
    assert "99980001" not in page.content()
    assert not watch.dialogs


def test_ten_sessions_never_see_each_others_layers(
    server: Server, browser: Browser, tmp_path: Path
) -> None:
    sessions = [open_page(browser) for _ in range(10)]
    try:
        for page, _ in sessions:
            page.goto(f"{server.url}/data?lang=en")
        for n, (page, _) in enumerate(sessions):
            expect(page.get_by_text("Data: your own layers")).to_be_visible(timeout=60_000)
            _upload(page, _geojson(tmp_path / f"layer_{n}.geojson", [f"place {n}"]))
        for page, _ in sessions:
            # the preview's count: "1 feature" (plural forms since the catalogs)
            expect(page.get_by_text(re.compile(r"\d+ features?\b")).first).to_be_visible(
                timeout=30_000
            )
            _accept(page)
        for n, (page, watch) in enumerate(sessions):
            mine = _my_layers(page)
            assert f"layer_{n}.geojson" in mine
            others = [m for m in range(10) if m != n and f"layer_{m}.geojson" in mine]
            assert not others, f"session {n} sees layers of sessions {others}"
            assert not watch.problems(), watch.problems()
    finally:
        for page, _ in sessions:
            page.context.close()


def test_clicking_the_map_fills_the_suggestion_point(
    server: Server, watched: tuple[Page, Watch]
) -> None:
    page, _ = watched
    page.goto(f"{server.url}/data?lang=en")
    page.get_by_role("tab", name="Suggest a place").click()
    picker = page.locator(MAP_IFRAME).filter(visible=True).first
    expect(picker).to_be_visible(timeout=30_000)
    wait_idle(page)
    latitude = page.get_by_label("Latitude")
    before = latitude.input_value()
    box = picker.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.3)
    expect(latitude).not_to_have_value(before, timeout=20_000)
    assert 4.3 < float(latitude.input_value()) < 5.0  # a point in Bogotá's map view
