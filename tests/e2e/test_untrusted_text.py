"""Text from people and URLs in a real browser: shown as written, and no request leaves.

A suggested place whose contact is a Markdown image pointing at 203.0.113.10 (a
documentation address, TEST-NET-3), and ``?story=``/``?scenario=`` links holding such
images: the pages must show the characters, and the browser must fetch nothing but
127.0.0.1. The ``watched`` fixture fails a test on any request off the machine, and
blocks it (``route.abort()``) before it is sent; the first test checks that it would
catch exactly such an image.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from geo.community import hash_password
from geo.settings import Settings
from geo.store import open_store
from tests.e2e.conftest import Server, Watch, open_page, running
from tests.e2e.test_explore import wait_idle
from tests.places import add_child_care_block

pytestmark = pytest.mark.e2e
OUTSIDE = "203.0.113.10"
CONTACT = f"![p](http://{OUTSIDE}/p.png)"
STORY = f"![x](http://{OUTSIDE}/x.png)"
SCENARIO = f"![s](http://{OUTSIDE}/s.png)"
NAME = f"Casa <img src=http://{OUTSIDE}/n.png> [clic](http://{OUTSIDE}/)"
PASSWORD = "correct horse battery"  # noqa: S105 (a test password)
BOGOTA = (4.60, -74.10)


@pytest.fixture(scope="module")
def text_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str]]:
    """The app with one approved and one pending place whose texts hold outside images."""
    tmp: Path = tmp_path_factory.mktemp("untrusted")
    store_path = tmp / "store.sqlite"
    with open_store(Settings(store_path=store_path)) as store:
        ids = []
        for n in range(2):
            ids.append(
                add_child_care_block(
                    store,
                    approve=False,
                    name=NAME,
                    lon=BOGOTA[1] + 0.01 * n,
                    lat=BOGOTA[0],
                    country="CO",
                    contact=CONTACT,
                )
            )
        store.moderate(ids[0], action="approve", moderator="ana")
    with running(
        tmp,
        {
            "CARE_ATLAS_STORE_PATH": str(store_path),
            "CARE_ATLAS_MODERATOR_PASSWORD_HASH": hash_password(PASSWORD),
        },
    ) as srv:
        yield srv, ids[0]


def test_the_guard_blocks_and_reports_an_image_to_another_host(
    browser: Browser, text_server: tuple[Server, str]
) -> None:
    server, _ = text_server
    page, watch = open_page(browser)
    try:
        page.goto(f"{server.url}/_stcore/health")
        with page.expect_event("requestfailed") as failed:
            page.evaluate(
                "src => { const i = document.createElement('img'); i.src = src;"
                " document.body.appendChild(i); }",
                f"http://{OUTSIDE}/guard.png",
            )
        assert failed.value.url == f"http://{OUTSIDE}/guard.png"
        assert watch.outside_requests == [f"http://{OUTSIDE}/guard.png"]
        assert any("request off the machine" in p for p in watch.problems())
    finally:
        page.context.close()


def shown(text: str) -> re.Pattern[str]:
    """``text`` as the page shows it: addresses may hold an invisible word joiner (U+2060)
    that keeps Markdown from making them links (see ``ui.render.safe.markdown``)."""
    return re.compile("".join(re.escape(ch) + "\u2060?" for ch in text))


def _no_outside_image(page: Page) -> None:
    assert page.locator(f"img[src*='{OUTSIDE}']").count() == 0
    assert page.locator(f"a[href*='{OUTSIDE}']").count() == 0


def test_story_and_scenario_links_are_echoed_as_text(
    text_server: tuple[Server, str], watched: tuple[Page, Watch]
) -> None:
    server, _ = text_server
    page, watch = watched
    page.goto(f"{server.url}/present?lang=en&story={quote(STORY)}")
    wait_idle(page)
    alert = page.get_by_test_id("stAlert").first
    expect(alert).to_contain_text(shown(f"No saved story has the code {STORY}"), timeout=20_000)
    _no_outside_image(page)
    page.goto(f"{server.url}/plan?lang=en&scenario={quote(SCENARIO)}")
    wait_idle(page)
    expect(page.get_by_test_id("stAlert").filter(has_text=shown(SCENARIO))).to_be_visible(
        timeout=30_000
    )
    _no_outside_image(page)
    assert not watch.outside_requests


def test_a_suggested_place_is_text_in_the_queue_and_once_approved(
    text_server: tuple[Server, str], watched: tuple[Page, Watch]
) -> None:
    server, approved = text_server
    page, watch = watched
    # the moderators' queue
    page.goto(f"{server.url}/data?lang=en")
    wait_idle(page)
    page.get_by_role("tab", name="Moderate").click()
    page.get_by_label("Moderator account").fill("moderator")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    wait_idle(page)
    table = page.get_by_test_id("stTable").first
    expect(table).to_contain_text(shown(CONTACT), timeout=20_000)
    expect(page.get_by_text(shown(NAME)).first).to_be_visible()
    _no_outside_image(page)
    # the approved place, selected on the map: its record in the side panel
    page.goto(
        f"{server.url}/?lang=en&sel=community:{approved}&lat={BOGOTA[0]}&lon={BOGOTA[1]}&z=15"
    )
    wait_idle(page)
    expect(page.get_by_test_id("stTable").first).to_contain_text(shown(CONTACT), timeout=30_000)
    _no_outside_image(page)
    assert not watch.outside_requests
