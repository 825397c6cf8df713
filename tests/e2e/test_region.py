"""The Region page in a real browser: the regional map and the offer table."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, Watch, goto_and_see
from tests.e2e.test_explore import map_frame, wait_idle

pytestmark = pytest.mark.e2e


def test_region_map_and_offer_table(server: Server, watched: tuple[Page, Watch]) -> None:
    page, _ = watched
    goto_and_see(page, f"{server.url}/region?lang=en", "Care across the region")
    markers = map_frame(page).locator("path.leaflet-interactive")
    expect(markers.first).to_be_visible(timeout=30_000)
    assert markers.count() >= 25  # 11 institutions + 11 cooperatives + 9 national systems
    wait_idle(page)
    page.locator('iframe[title="streamlit_folium.st_folium"]').screenshot(
        path=str(ARTIFACTS / "region_map.png")
    )
    expect(page.get_by_text("Training and certification offer (2023)")).to_be_visible()
    caption = page.get_by_text("standards or courses").first
    expect(caption).to_contain_text(" of ")
    total = caption.inner_text()

    # filter the table to Mexico: fewer rows, caption follows
    wait_idle(page)
    table_country = page.get_by_test_id("stMultiSelect").filter(has_text="Country").last
    table_country.click()
    page.keyboard.type("Mexico")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    expect(page.get_by_text("standards or courses").first).not_to_have_text(total, timeout=20_000)
    wait_idle(page)
    page.screenshot(path=str(ARTIFACTS / "region.png"), full_page=True)


def test_an_english_browser_gets_english(server: Server, browser) -> None:
    from tests.e2e.conftest import open_page

    page, watch = open_page(browser, locale="en-US")
    try:
        goto_and_see(page, f"{server.url}/region", "Care across the region")
        expect(page.get_by_role("radio", name="English")).to_be_checked()
    finally:
        page.context.close()
    assert not watch.problems(), watch.problems()
