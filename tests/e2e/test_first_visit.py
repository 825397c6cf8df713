"""The first visitor of a fresh server: the page the URL asks for, the app's own navigation.

Streamlit reads a ``pages/`` folder beside the entry script as a legacy multipage app
until the first ``st.navigation`` call of the server process; the app's pages live in
``app_pages/`` so that this first run is like every other. This test starts its own
server so that its visit is the very first one.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import open_page, start_server, stop_server
from tests.e2e.test_explore import wait_idle

pytestmark = pytest.mark.e2e

# Records whether Streamlit's sidebar page list (what legacy mode shows) was ever in the
# page, even for one frame. The window is desktop-wide: on a phone Streamlit puts the
# app's own top navigation into the sidebar.
SIDEBAR_NAV_WATCH = """
window.__sidebarNavSeen = false;
new MutationObserver(() => {
  if (document.querySelector('[data-testid="stSidebarNav"]')) window.__sidebarNavSeen = true;
}).observe(document, { childList: true, subtree: true });
"""


def test_first_visit_of_a_fresh_server_gets_the_asked_page(
    browser: Browser, tmp_path: Path
) -> None:
    server = start_server(tmp_path)
    page, watch = open_page(browser, locale="en-US", width=1440)
    try:
        page.add_init_script(SIDEBAR_NAV_WATCH)
        page.goto(f"{server.url}/near")
        # the Near page (Spanish by default on this page), not Explore nor a page list
        expect(page.get_by_text("Cerca de mí: servicios de cuidado")).to_be_visible(timeout=30_000)
        wait_idle(page)
        assert urlparse(page.url).path == "/near"
        expect(page.get_by_test_id("stTopNav")).to_be_visible()
        assert page.evaluate("window.__sidebarNavSeen") is False, "a sidebar page list showed"
        assert not watch.problems(), "\n".join(watch.problems())
    finally:
        page.context.close()
        stop_server(server)
