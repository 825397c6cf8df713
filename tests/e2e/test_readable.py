"""Every page readable at a glance (issue 16, item 2), in a real browser.

At 1440x900 (a laptop) and 375x812 (a phone), on the bundled sample and on the official
atlas: the map's top is on the first screen, the wheel scrolls the page over the map
until the map is clicked, and figures are written the Spanish way in Spanish. Each case
saves a screenshot in ``artifacts/``.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, open_page

MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKERS = "path.leaflet-interactive"
SCREENS = {"laptop": (1440, 900), "phone": (375, 812)}
pytestmark = pytest.mark.e2e


def _servers(request: pytest.FixtureRequest, which: str) -> Server:
    return request.getfixturevalue("server" if which == "sample" else "atlas_server")


def _map_top(page: Page) -> float:
    box = page.locator(MAP_IFRAME).first.bounding_box()
    assert box is not None, "the map is not drawn"
    return box["y"]


@pytest.mark.parametrize("screen", list(SCREENS))
@pytest.mark.parametrize("data", ["sample", "atlas"])
def test_explore_map_starts_on_the_first_screen(
    browser: Browser, request: pytest.FixtureRequest, data: str, screen: str
) -> None:
    srv = _servers(request, data)
    width, height = SCREENS[screen]
    page, watch = open_page(browser, width=width, height=height)
    try:
        page.goto(f"{srv.url}/?lang=es")
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator(MARKERS).first).to_be_attached(timeout=90_000)
        top = _map_top(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"readable-explore-{data}-{screen}.png"))
        # the map's top on the first screen, with most of a phone screen or a third of a
        # laptop's left for the map itself
        assert top < height * (0.5 if screen == "phone" else 0.4), f"map top at {top:.0f} px"
        # the scale bar and the legend stay clear of the attribution (which wraps on a
        # phone): their boxes do not overlap once the basemap has added its credit
        credit = frame.locator(".leaflet-control-attribution").first
        expect(credit).to_contain_text("Leaflet", timeout=30_000)
        page.wait_for_timeout(300)
        c = credit.bounding_box()
        for control in (".leaflet-control-scale", ".care-atlas-legend"):
            found = frame.locator(control)
            if not found.count():
                continue
            b = found.first.bounding_box()
            apart = (
                b["y"] + b["height"] <= c["y"] + 1
                or c["y"] + c["height"] <= b["y"] + 1
                or b["x"] + b["width"] <= c["x"] + 1
                or c["x"] + c["width"] <= b["x"] + 1
            )
            assert apart, f"{control} {b} under the attribution {c}"
        if screen == "laptop":
            map_box = page.locator(MAP_IFRAME).first.bounding_box()
            row = page.locator(MAP_IFRAME).first.evaluate(
                "el => el.closest('[data-testid=\"stHorizontalBlock\"]')"
                ".getBoundingClientRect().width"
            )
            # the panel beside the map is a quarter of the row, not a third
            assert map_box["width"] >= 0.7 * row, (map_box, row)
        assert not watch.problems(), watch.problems()
    finally:
        page.context.close()


def test_wheel_scrolls_the_page_over_the_map(server: Server, browser: Browser) -> None:
    page, watch = open_page(browser, width=1440, height=900)
    try:
        page.goto(f"{server.url}/?lang=es")
        frame = page.frame_locator(MAP_IFRAME).first
        expect(frame.locator(MARKERS).first).to_be_attached(timeout=90_000)
        box = page.locator(MAP_IFRAME).first.bounding_box()
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 200)
        zoom = frame.locator(".leaflet-container").first
        enabled = frame.locator("body").evaluate(
            "() => Object.values(window).find(v => v && v._container && v.scrollWheelZoom)"
            ".scrollWheelZoom.enabled()"
        )
        assert enabled is False, "the wheel zooms the map before it is clicked"
        zoom.click(position={"x": 30, "y": 200})
        enabled = frame.locator("body").evaluate(
            "() => Object.values(window).find(v => v && v._container && v.scrollWheelZoom)"
            ".scrollWheelZoom.enabled()"
        )
        assert enabled is True, "a click on the map does not let the wheel zoom it"
        assert not watch.problems(), watch.problems()
    finally:
        page.context.close()


@pytest.mark.parametrize("data", ["sample", "atlas"])
def test_spanish_numbers_in_spanish(
    browser: Browser, request: pytest.FixtureRequest, data: str
) -> None:
    srv = _servers(request, data)
    page, watch = open_page(browser, width=1440, height=900)
    try:
        for lang, label, grouped in (
            ("es", "Personas sin servicio", r"^\d{1,3}(\.\d{3})+$"),
            ("en", "People out of reach", r"^\d{1,3}(,\d{3})+$"),
        ):
            page.goto(f"{srv.url}/gaps?lang={lang}")
            metric = page.locator('[data-testid="stMetric"]').filter(has_text=label).first
            value = metric.locator('[data-testid="stMetricValue"]')
            expect(value).to_have_text(re.compile(grouped), timeout=120_000)
            page.screenshot(path=str(ARTIFACTS / f"readable-gaps-{data}-{lang}.png"))
        assert not watch.problems(), watch.problems()
    finally:
        page.context.close()
