"""The app on the official atlas in a real browser (issue 13).

Explore draws the official services; Gaps draws surfaces that differ between groups;
no request leaves the machine. The atlas is built once per session from
``../shared/data/bogota`` (fixture ``atlas_dir``: skipped with a reason when absent,
failing in CI).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, open_page

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKERS = "path.leaflet-interactive"
pytestmark = pytest.mark.e2e


def _surface(page: Page) -> str:
    frame = page.frame_locator(MAP_IFRAME).first
    image = frame.locator("img.leaflet-image-layer").first
    expect(image).to_be_attached(timeout=60_000)
    return image.get_attribute("src") or ""


def test_explore_and_gaps_on_the_atlas(atlas_server: Server, browser: Browser) -> None:
    page, watch = open_page(browser, width=1440, height=900)
    try:
        page.goto(f"{atlas_server.url}/?lang=es")
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator(MARKERS).nth(550)).to_be_attached(timeout=90_000)
        expect(page.get_by_text("Datos Abiertos Bogotá").first).to_be_attached()
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "atlas-explore.png"))

        surfaces = {}
        for group in ("children", "older"):
            page.goto(f"{atlas_server.url}/gaps?lang=es&grp={group}")
            surfaces[group] = _surface(page)
            page.screenshot(path=str(ARTIFACTS / f"atlas-gaps-{group}.png"))
        assert surfaces["children"].startswith("data:image/png")
        assert surfaces["children"] != surfaces["older"]
    finally:
        page.context.close()
    assert not watch.problems(), "\n".join(watch.problems())
