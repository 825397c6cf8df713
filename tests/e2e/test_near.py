"""Near me in a real browser, on a phone-sized screen: misspelt place, nearest first, language."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import Browser, expect
from pyproj import Geod

from tests.e2e.conftest import ARTIFACTS, PROJECT, Server, goto_and_see, open_page, search_near_me
from tests.e2e.test_explore import MAP_IFRAME, wait_idle

pytestmark = pytest.mark.e2e
GEOD = Geod(ellps="WGS84")


def _nearest_care_block(lat: float, lon: float) -> str:
    """The place nearest to a point among those the page ranks (care blocks, cooperatives,
    institutions), by geodesic distance computed here, independently of the app."""
    features = []
    for name in ("care_blocks", "cooperatives", "training_offer"):
        doc = json.loads((PROJECT / f"data/{name}.geojson").read_text(encoding="utf-8"))
        features += doc["features"]
    best = min(features, key=lambda f: GEOD.inv(lon, lat, *f["geometry"]["coordinates"])[2])
    props = best["properties"]
    return props.get("institution") or props["name"]


def test_phone_misspelt_place_nearest_first_and_language(server: Server, browser: Browser) -> None:
    page, watch = open_page(browser, locale="en-US", width=375, height=812)
    try:
        # Spanish by default on this page (its title), even for an English browser
        search_near_me(page, server.url, "Ciudad Bolivra")
        expect(page.get_by_text("¿Quiso decir…?")).to_be_visible(timeout=20_000)
        suggestion = page.get_by_role("button", name="Ciudad Bolívar").first
        suggestion.click()
        wait_idle(page)
        expect(page.get_by_text("Los más cercanos a").first).to_be_visible(timeout=20_000)

        # the first card is the nearest care place by a distance computed here
        first_card = (
            page.get_by_role("heading", level=3).filter(has_text=re.compile(r"^1\. ")).first
        )
        expect(first_card).to_be_visible()
        url = page.url
        plat = float(url.split("plat=")[1].split("&")[0])
        plon = float(url.split("plon=")[1].split("&")[0])
        expect(first_card).to_contain_text(_nearest_care_block(plat, plon))
        expect(page.get_by_text("min a pie").first).to_be_visible()
        expect(page.get_by_text("¿Quiso decir…?")).to_have_count(0)  # the box now shows the place
        page.screenshot(path=str(ARTIFACTS / "near_phone.png"))
        # the map of the results is drawn (numbered places over the basemap) before the picture
        results_map = page.frame_locator(MAP_IFRAME).first
        expect(results_map.locator("path.leaflet-interactive").first).to_be_attached(timeout=30_000)
        first_card.scroll_into_view_if_needed()
        page.screenshot(path=str(ARTIFACTS / "near_phone_results.png"))

        # English on request: on a phone the switch is in the sidebar, opened first
        page.locator(
            '[data-testid="stExpandSidebarButton"], [data-testid="stSidebarCollapsedControl"] button'
        ).first.click()
        page.get_by_text("English", exact=True).click()
        wait_idle(page)
        expect(page.get_by_text("Near me: care services")).to_be_visible(timeout=20_000)
        expect(page.get_by_text("min on foot").first).to_be_visible()
    finally:
        page.context.close()
    assert not watch.problems(), watch.problems()


def test_my_location_button_asks_then_answers(server: Server, browser: Browser) -> None:
    page, watch = open_page(browser, locale="es-CO", width=375, height=812)
    try:
        page.context.grant_permissions(["geolocation"])
        page.context.set_geolocation({"latitude": 4.5580, "longitude": -74.1500})
        goto_and_see(page, f"{server.url}/near", "Cerca de mí: servicios de cuidado")
        wait_idle(page)
        locate = page.frame_locator(
            'iframe[title="ui.geolocate.care_atlas_geolocate"]'
        ).get_by_role("button", name="Usar mi ubicación")
        locate.click()
        expect(page.get_by_text("Los más cercanos a Mi ubicación")).to_be_visible(timeout=20_000)
        first_card = (
            page.get_by_role("heading", level=3).filter(has_text=re.compile(r"^1\. ")).first
        )
        expect(first_card).to_contain_text(_nearest_care_block(4.5580, -74.1500))
    finally:
        page.context.close()
    assert not watch.problems(), watch.problems()
