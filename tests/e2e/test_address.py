"""Near me on a phone, on the official atlas: typing an address finds it (issue 17).

The atlas is built once per session from ``../shared/data/bogota`` (fixture
``atlas_dir``: skipped with a reason when absent, failing in CI); no request leaves
the machine.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import ARTIFACTS, Server, open_page, search_near_me
from tests.e2e.test_explore import wait_idle

pytestmark = pytest.mark.e2e


def test_phone_types_an_address_in_near_me(atlas_server: Server, browser: Browser) -> None:
    page, watch = open_page(browser, locale="es-CO", width=375, height=812)
    try:
        search_near_me(page, atlas_server.url, "calle 59d sur # 85-28", timeout=60_000)
        expect(page.get_by_text("Dirección encontrada: CL 59D S # 85-28")).to_be_visible(
            timeout=30_000
        )
        expect(page.get_by_text("placa oficial").first).to_be_visible()
        wait_idle(page)
        first_card = (
            page.get_by_role("heading", level=3).filter(has_text=re.compile(r"^1\. ")).first
        )
        expect(first_card).to_be_visible(timeout=30_000)
        plat = float(page.url.split("plat=")[1].split("&")[0])
        assert plat == pytest.approx(4.619, abs=0.002)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "near_address_phone.png"))

        # junk: "not found, try ...", and the point stays where it was
        box = page.get_by_role("combobox").first
        box.click()
        page.keyboard.type("Calle 399 # 1-1")
        page.keyboard.press("Enter")
        expect(page.get_by_text("No encontramos esa dirección")).to_be_visible(timeout=30_000)
        # a new search never leaves the previous place's results on screen (issue 16)
        wait_idle(page)
        expect(first_card).to_be_hidden(timeout=30_000)
        assert "plat=" not in page.url
    finally:
        page.context.close()
    assert not watch.problems(), "\n".join(watch.problems())
