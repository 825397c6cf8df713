"""Present mode in a real browser at 1920x1080: arrow keys move between slides, no sidebar,
and a slide's figures are the Gaps page's figures for the same parameters."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, goto_and_see, open_page
from tests.e2e.test_explore import MAP_IFRAME, wait_idle

pytestmark = pytest.mark.e2e


UNSERVED = "People out of reach"


def _read(page: Page) -> dict[str, str]:
    out = {}
    for box in page.get_by_test_id("stMetric").all():
        name = box.get_by_test_id("stMetricLabel").inner_text().strip()
        out[name] = box.get_by_test_id("stMetricValue").inner_text().strip()
    return out


def _metrics(page: Page) -> dict[str, str]:
    """The figures once the page has drawn all of them: Streamlit draws a rerun element by
    element (and the status widget can appear late), so wait for the last figure's label and
    for two reads in a row to agree."""
    expect(page.get_by_test_id("stMetricLabel").filter(has_text=UNSERVED)).to_be_visible(
        timeout=60_000
    )
    wait_idle(page)
    last = _read(page)
    for _ in range(40):
        page.wait_for_timeout(250)
        now = _read(page)
        if now == last:
            return now
        last = now
    raise AssertionError(f"the figures kept changing: {last}")


def test_arrow_keys_and_figures_match_the_gaps_page(server: Server, browser: Browser) -> None:
    page, watch = open_page(browser, locale="en-GB", width=1920, height=1080)
    try:
        goto_and_see(
            page, f"{server.url}/gaps?lang=en", "Who has care within a walk?", timeout=60_000
        )
        expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=60_000)
        wait_idle(page)
        gaps = _metrics(page)

        page.goto(f"{server.url}/present?lang=en&present=1&slide=1")
        expect(page.get_by_role("heading", name="Bogotá's care blocks")).to_be_visible(
            timeout=60_000
        )
        expect(page.get_by_text("1 / 5")).to_be_visible()
        expect(page.get_by_test_id("stSidebar")).to_be_hidden()
        markers = page.frame_locator(f"{MAP_IFRAME}:visible").locator("path.leaflet-interactive")
        expect(markers.first).to_be_visible(timeout=30_000)  # the slide has settled
        expect(page.get_by_role("button", name="Next")).to_be_enabled()
        wait_idle(page)

        page.keyboard.press("ArrowRight")
        expect(page.get_by_text("2 / 5")).to_be_visible(timeout=30_000)
        expect(
            page.get_by_role("heading", name="Who do they reach within a 15-minute walk?")
        ).to_be_visible(timeout=30_000)
        wait_idle(page)
        slide = _metrics(page)
        shared = [k for k in slide if k in gaps]
        assert len(shared) >= 3, (slide, gaps)
        for name in shared:
            assert slide[name] == gaps[name], (name, slide[name], gaps[name])
        expect(markers.first).to_be_visible(timeout=30_000)
        expect(page.get_by_role("button", name="Previous")).to_be_enabled()
        wait_idle(page)
        page.screenshot(path=str(ARTIFACTS / "present.png"))

        page.keyboard.press("ArrowRight")
        expect(page.get_by_text("3 / 5")).to_be_visible(timeout=30_000)
        wait_idle(page)
        page.keyboard.press("ArrowLeft")
        expect(page.get_by_text("2 / 5")).to_be_visible(timeout=30_000)
        assert "slide=2" in page.url
        assert not watch.problems(), watch.problems()
    finally:
        page.context.close()
