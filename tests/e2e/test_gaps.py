"""The Gaps page in a real browser: surface, figures, and how fast a widget change redraws."""

from __future__ import annotations

import json
import statistics
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, Watch
from tests.e2e.test_explore import MAP_IFRAME, wait_idle

pytestmark = pytest.mark.e2e
SURFACE = "() => { const i = document.querySelector('img.leaflet-image-layer'); return i ? i.src.length + ':' + i.src.slice(-40) : ''; }"


def _map_frame(page: Page):
    return page.wait_for_selector(MAP_IFRAME).content_frame()


def test_gaps_widget_change_redraws_fast(server: Server, watched: tuple[Page, Watch]) -> None:
    page, _ = watched
    page.goto(f"{server.url}/gaps?lang=en")
    expect(page.get_by_text("Who has care within a walk?")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("MODELLED demand").first).to_be_visible()
    frame = _map_frame(page)
    frame.wait_for_function(f"() => ({SURFACE})() !== ''", timeout=60_000)
    wait_idle(page)
    expect(page.get_by_text("Early childhood").first).to_be_visible()
    first = page.get_by_test_id("stMetricValue").first.inner_text()

    slider = page.get_by_role("slider").first
    timings = []
    for key in ["ArrowRight", "ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft", "ArrowLeft"]:
        wait_idle(page)
        before = frame.evaluate(SURFACE)
        slider.focus()
        started = time.perf_counter()
        page.keyboard.press(key)
        frame.wait_for_function(f"() => ({SURFACE})() !== {json.dumps(before)}", timeout=30_000)
        timings.append(time.perf_counter() - started)
    wait_idle(page)
    median = statistics.median(timings)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "gaps_redraw_seconds.json").write_text(
        json.dumps({"median_s": round(median, 3), "all_s": [round(x, 3) for x in timings]})
    )
    print(
        f"gaps widget change -> new surface drawn: median {median:.3f} s over {len(timings)} changes"
    )
    # 15 -> 30 -> 15 minutes: the figures changed on the way and came back
    assert page.get_by_test_id("stMetricValue").first.inner_text() == first
    page.screenshot(path=str(ARTIFACTS / "gaps.png"))
