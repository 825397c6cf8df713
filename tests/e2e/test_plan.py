"""The Plan page in a real browser: ask for 3 sites, accept them, add one by a click,
save the scenario and reopen it from its link; start and cancel an exact check."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, Watch, goto_and_see, open_page, running
from tests.e2e.test_explore import MAP_IFRAME, wait_idle

pytestmark = pytest.mark.e2e
SUGGESTED = 'path.leaflet-interactive[fill="#56B4E9"]'
PROPOSED = 'path.leaflet-interactive[fill="#0072B2"]'


@pytest.fixture(scope="module")
def plan_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp: Path = tmp_path_factory.mktemp("plan")
    with running(tmp, {"CARE_ATLAS_STORE_PATH": str(tmp / "store.sqlite")}) as srv:
        yield srv


def _frame(page: Page):
    """The map's frame, found anew on each use (a rerun may replace the iframe)."""
    return page.frame_locator(f"{MAP_IFRAME}:visible")


def _metric(page: Page, label: str) -> str:
    box = page.get_by_test_id("stMetric").filter(has_text=label).first
    return box.get_by_test_id("stMetricValue").inner_text()


def test_suggest_accept_click_save_and_reopen(
    plan_server: Server, watched: tuple[Page, Watch], browser: Browser
) -> None:
    page, _ = watched
    goto_and_see(
        page,
        f"{plan_server.url}/plan?lang=en",
        "Where should the next care block go?",
        timeout=60_000,
    )
    expect(page.get_by_text("MODELLED demand").first).to_be_visible()
    expect(_frame(page).locator("path.leaflet-interactive").first).to_be_visible(timeout=60_000)
    wait_idle(page)
    before = _metric(page, "Early childhood")

    started = time.perf_counter()
    page.get_by_role("button", name="Suggest 3 sites").click()
    expect(page.get_by_text("3 of 3 sites suggested")).to_be_visible(timeout=60_000)
    expect(_frame(page).locator(SUGGESTED)).to_have_count(3, timeout=30_000)
    print(
        f"plan: press Suggest -> 3 suggested sites drawn in {time.perf_counter() - started:.2f} s"
    )

    page.get_by_role("tab", name="Suggested sites").click()
    page.get_by_role("button", name="Add to the scenario").click()
    expect(_frame(page).locator(PROPOSED)).to_have_count(3, timeout=60_000)
    expect(_frame(page).locator(SUGGESTED)).to_have_count(0)
    wait_idle(page)
    after = _metric(page, "Early childhood")
    assert float(after.rstrip(" %")) > float(before.rstrip(" %")), (before, after)
    expect(page.get_by_text(re.compile(r"^\+\d+\.\d pts$")).first).to_be_visible()

    # one more site by hand: switch the click mode and click the map
    page.get_by_text("Adds a new site").click()
    wait_idle(page)
    # while a rerun replaces the component, Streamlit keeps the old iframe hidden: take the live one
    map_element = page.locator(f"{MAP_IFRAME}:visible")
    map_element.scroll_into_view_if_needed()
    box = map_element.bounding_box()
    assert box is not None
    # a click on the map itself (the element scrolls into view first), away from markers
    # and from the legend and the attribution at the bottom (north Suba on the sample)
    map_element.click(position={"x": box["width"] * 0.50, "y": box["height"] * 0.15})
    expect(_frame(page).locator(PROPOSED)).to_have_count(4, timeout=60_000)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "plan.png"), full_page=True)

    page.get_by_role("tab", name="Scenario").click()
    expect(page.get_by_text("New site 4").first).to_be_visible()
    page.get_by_label("Scenario name").fill("Four more blocks")
    page.get_by_role("button", name="Save as new").click()
    expect(page.get_by_text("Saved: 'Four more blocks'.")).to_be_visible(timeout=30_000)
    wait_idle(page)
    assert "scenario=sc-" in page.url, page.url
    shared = page.url

    other, watch = open_page(browser, locale="en-GB")
    try:
        other.goto(shared)
        expect(other.get_by_text("Where should the next care block go?")).to_be_visible(
            timeout=60_000
        )
        expect(_frame(other).locator(PROPOSED)).to_have_count(4, timeout=60_000)
        wait_idle(other)
        assert _metric(other, "Early childhood") == _metric(page, "Early childhood")
        assert not watch.problems(), watch.problems()
    finally:
        other.context.close()


def _open_tab(page: Page, tab: str, button: str, timeout_s: float = 60.0):
    """Click ``tab`` until ``button`` shows in it (a rerun may redraw the tabs meanwhile)."""
    target = page.get_by_role("button", name=button)
    deadline = time.monotonic() + timeout_s
    while True:
        page.get_by_role("tab", name=tab).click()
        try:
            expect(target).to_be_visible(timeout=5_000)
            return target
        except AssertionError:
            if time.monotonic() > deadline:
                raise


def test_exact_check_can_be_cancelled(plan_server: Server, watched: tuple[Page, Watch]) -> None:
    page, _ = watched
    page.goto(f"{plan_server.url}/plan?lang=en")
    expect(page.get_by_role("button", name="Suggest 3 sites")).to_be_visible(timeout=60_000)
    wait_idle(page)
    page.get_by_role("button", name="Suggest 3 sites").click()
    expect(page.get_by_text("3 of 3 sites suggested")).to_be_visible(timeout=60_000)
    wait_idle(page)  # a rerun redraws the tabs; click them once it is over
    _open_tab(page, "How good is it?", "Compare with the exact optimum").click()
    expect(page.get_by_text("Solving for the exact optimum")).to_be_visible(timeout=30_000)
    # the page stays usable while the solve runs in its own process
    page.get_by_role("tab", name="Before and after").click()
    expect(page.get_by_text("give the distribution").first).to_be_visible()
    _open_tab(page, "How good is it?", "Cancel").click()
    expect(page.get_by_text("Exact solve cancelled.")).to_be_visible(timeout=30_000)
