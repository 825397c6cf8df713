"""The Gaps page in a real browser: surface, figures, and how fast a widget change redraws."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import (
    ARTIFACTS,
    Server,
    Watch,
    goto_and_see,
    save_timings,
    time_redraws,
)
from tests.e2e.test_explore import MAP_IFRAME, wait_idle

pytestmark = pytest.mark.e2e
SURFACE = "() => { const i = document.querySelector('img.leaflet-image-layer'); return i ? i.src.length + ':' + i.src.slice(-40) : ''; }"


def _map_frame(page: Page):
    return page.wait_for_selector(MAP_IFRAME).content_frame()


def test_gaps_widget_change_redraws_fast(server: Server, watched: tuple[Page, Watch]) -> None:
    page, _ = watched
    goto_and_see(page, f"{server.url}/gaps?lang=en", "Who has care within a walk?", timeout=60_000)
    expect(page.get_by_text("MODELLED demand").first).to_be_visible()
    frame = _map_frame(page)
    frame.wait_for_function(f"() => ({SURFACE})() !== ''", timeout=60_000)
    wait_idle(page)
    expect(page.get_by_text("Early childhood").first).to_be_visible()
    first = page.get_by_test_id("stMetricValue").first.inner_text()

    keys = ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft", "ArrowLeft"]
    timings = time_redraws(page, frame, SURFACE, keys)
    wait_idle(page)
    median = save_timings("gaps_redraw_seconds.json", timings)
    print(
        f"gaps widget change -> new surface drawn: median {median:.3f} s over {len(timings)} changes"
    )
    # 15 -> 30 -> 15 minutes: the figures changed on the way and came back
    assert page.get_by_test_id("stMetricValue").first.inner_text() == first
    page.screenshot(path=str(ARTIFACTS / "gaps.png"))
