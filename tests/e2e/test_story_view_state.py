"""A story built as a presenter would, checked everywhere it is shown (issue 18).

An Explore view with "Who is cared for = older persons" and "Run by = cooperative"
and a Gaps view with "Minutes to the nearest" are added to one story in one browser
session. Present mode, the offline HTML (opened from ``file://`` with every request
blocked) and the PDF (its text and a rendered page) must show the page's filters,
surface, colour bar and figures. A copied URL of each page reopens the same
parameters.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from pypdf import PdfReader

from tests.e2e.conftest import ARTIFACTS, Server, goto_and_see, open_page, running
from tests.e2e.test_explore import MAP_IFRAME, map_js, map_view, wait_idle

pytestmark = pytest.mark.e2e

FILTERS = "Who is cared for: Older persons · Run by: Cooperative"
BAR = "Walking minutes to the nearest service"
UNSERVED = "People out of reach"
BUTTON_IFRAME = 'iframe[title="ui.view_button.care_atlas_view_button"]'
VIRIDIS_DARK = np.array([0x44, 0x01, 0x54])


@pytest.fixture(scope="module")
def story_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The app on the sample data with a store of its own (the test saves a story)."""
    tmp = tmp_path_factory.mktemp("story-server")
    with running(tmp, {"CARE_ATLAS_STORE_PATH": str(tmp / "store.sqlite")}) as srv:
        yield srv


def _metrics(page: Page, *, last: str) -> dict[str, str]:
    """The figures once the page has drawn them all (two reads in a row agree)."""
    expect(page.get_by_test_id("stMetricLabel").filter(has_text=last).first).to_be_visible(
        timeout=60_000
    )
    wait_idle(page)

    def read() -> dict[str, str]:
        out = {}
        for box in page.get_by_test_id("stMetric").all():
            name = box.get_by_test_id("stMetricLabel").inner_text().strip()
            out[name] = box.get_by_test_id("stMetricValue").inner_text().strip()
        return out

    before = read()
    for _ in range(40):
        page.wait_for_timeout(250)
        now = read()
        if now == before:
            return now
        before = now
    raise AssertionError(f"the figures kept changing: {before}")


def _choose(page: Page, label: str, option: str) -> None:
    """Pick ``option`` in the sidebar selectbox named ``label``."""
    box = page.get_by_test_id("stSidebar").get_by_label(label, exact=True)
    wanted = page.get_by_role("option", name=option, exact=True)
    for _ in range(3):  # a click while the sidebar is still being redrawn may not open it
        box.click()
        try:
            wanted.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    wanted.click()
    wait_idle(page)


def _add_view(page: Page, title: str, *, story: str | None = None) -> str:
    """Add the page's view with the sidebar box; return the story's id."""
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_text("Add this view to a story").click()
    if story is not None:
        _choose(page, "Story", story)
    box = sidebar.get_by_label("Slide title")
    box.fill(title)
    box.press("Enter")
    wait_idle(page)
    # A rerun rewrites the URL from the server's copy (an older view) and the map puts its
    # position back within a second. "Add" pressed in that second must still save the
    # map's own view: make the URL stale, hold it so while "Add" is pressed, let go.
    page.evaluate(
        "() => { const u = new URL(location.href); u.searchParams.set('z', '3');"
        " u.searchParams.set('lat', '0'); u.searchParams.set('lon', '0');"
        " history.replaceState(history.state, '', u.toString());"
        " window._replaceState = history.replaceState; history.replaceState = () => {}; }"
    )
    sidebar.frame_locator(BUTTON_IFRAME).get_by_role("button", name="Add", exact=True).click()
    page.evaluate("() => { history.replaceState = window._replaceState; }")
    expect(sidebar.get_by_text("Added to")).to_be_visible(timeout=60_000)
    href = sidebar.get_by_role("link", name="Open the story").get_attribute("href") or ""
    found = re.search(r"story=(st-[A-Za-z0-9_-]+)", href)
    assert found, href
    return found.group(1)


def _download(page: Page, label: str, target: Path) -> Path:
    with page.expect_download(timeout=120_000) as info:
        page.get_by_role("button", name=label, exact=True).click()
    info.value.save_as(target)
    return target


def _render_pdf_page(pdf: Path, number: int, out: Path) -> Image.Image:
    """Page ``number`` as a PNG, with poppler's pdftoppm (``make test`` installs it)."""
    tool = shutil.which("pdftoppm")
    assert tool, "pdftoppm is missing: install Debian's poppler-utils (make test does)"
    stem = out.with_suffix("")
    subprocess.run(
        [tool, "-r", "60", "-png", "-f", str(number), "-l", str(number), "-singlefile", pdf, stem],
        check=True,
        timeout=60,
    )
    return Image.open(stem.with_suffix(".png")).convert("RGB")


def test_a_story_shows_the_pages_filters_surface_and_figures(
    story_server: Server, browser: Browser, tmp_path: Path
) -> None:
    page, watch = open_page(browser, locale="en-GB", width=1600, height=1000)
    try:
        # 1. Explore, filtered to older persons and cooperatives: add the view
        page.goto(f"{story_server.url}/?lang=en&pop=older&op=cooperative")
        explore = _metrics(page, last="Places on the map")
        # the person moves the map: the slide keeps that position, not the whole district
        map_js(page, "() => window.map.setView([4.65, -74.08], 13, {animate: false})")
        page.wait_for_function("() => location.search.includes('z=13')", timeout=10_000)
        story_id = _add_view(page, "For older persons")

        # 2. Gaps, same session: choose "Minutes to the nearest", add it to that story
        page.get_by_role("link", name="Gaps", exact=True).first.click()
        expect(page.get_by_text("Who has care within a walk?")).to_be_visible(timeout=60_000)
        _metrics(page, last=UNSERVED)
        _choose(page, "What to show", "Minutes to the nearest")
        expect(page).to_have_url(re.compile(r"measure=nearest"), timeout=20_000)
        gaps = _metrics(page, last=UNSERVED)
        bar = page.frame_locator(MAP_IFRAME).locator(".care-atlas-colourbar")
        expect(bar).to_contain_text(BAR, timeout=30_000)
        assert _add_view(page, "Minutes to the nearest", story="For older persons") == story_id

        # 3. Present mode: the filters and the page's figures, the surface and its colour bar
        goto_and_see(
            page,
            f"{story_server.url}/present?lang=en&story={story_id}&present=1&slide=1",
            "1 / 2",
            timeout=60_000,
        )
        expect(page.get_by_text(FILTERS)).to_be_visible()
        slide = _metrics(page, last="Places on the map")
        assert slide["Places on the map"] == explore["Places on the map"]
        position = map_view(page)
        assert position["zoom"] == 13
        assert position["lat"] == pytest.approx(4.65, abs=1e-3)
        assert position["lon"] == pytest.approx(-74.08, abs=1e-3)
        page.keyboard.press("ArrowRight")
        expect(page.get_by_text("2 / 2")).to_be_visible(timeout=60_000)
        expect(page.get_by_text("What to show: Minutes to the nearest")).to_be_visible()
        slide = _metrics(page, last=UNSERVED)
        shared = [name for name in slide if name in gaps]
        assert len(shared) >= 3, (slide, gaps)
        assert all(slide[name] == gaps[name] for name in shared), (slide, gaps)
        present_map = page.frame_locator(f"{MAP_IFRAME}:visible")
        expect(present_map.locator(".care-atlas-colourbar")).to_contain_text(BAR, timeout=30_000)
        expect(present_map.locator("img.leaflet-image-layer")).to_have_count(1)
        wait_idle(page)
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "story_present_gaps.png"))
        # "This slide (PNG)" right after an arrow key: a file of the run, downloaded
        page.keyboard.press("ArrowLeft")
        expect(page.get_by_text("1 / 2")).to_be_visible(timeout=60_000)
        wait_idle(page)
        png = _download(page, "This slide (PNG)", tmp_path / "slide.png")
        assert Image.open(png).size == (1920, 1080)

        # 4. The story's files, prepared on request
        page.get_by_role("button", name="Exit").click()
        page.get_by_role("button", name="Prepare the files").click()
        expect(page.get_by_role("button", name="Slides PDF 16:9")).to_be_visible(timeout=180_000)
        html = _download(page, "Story (offline HTML)", tmp_path / "story.html")
        pdf = _download(page, "Slides PDF 16:9", tmp_path / "story.pdf")
        figures = _download(page, "Figures (CSV)", tmp_path / "figures.csv")
        assert not watch.problems(), watch.problems()
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "failure-story-view-state.png"), full_page=True)
        raise
    finally:
        page.context.close()

    # 5. The offline HTML from file://, every request but the file blocked
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="en-GB")
    blocked: list[str] = []
    errors: list[str] = []

    def guard(route: Route) -> None:
        if route.request.url == html.resolve().as_uri():
            route.continue_()
            return
        if not route.request.url.startswith(("data:", "blob:")):
            blocked.append(route.request.url)
        route.abort()

    context.route("**/*", guard)
    offline = context.new_page()
    offline.on("pageerror", lambda e: errors.append(str(e)))
    try:
        offline.goto(html.resolve().as_uri())
        expect(offline.locator("#deck-progress")).to_have_text("1 / 2")
        expect(offline.locator("#slide-1")).to_contain_text(FILTERS)
        offline.keyboard.press("ArrowRight")
        expect(offline.locator("#deck-progress")).to_have_text("2 / 2")
        expect(offline.locator("#slide-2 .care-atlas-colourbar")).to_contain_text(BAR)
        surface = "#slide-2 img.leaflet-image-layer:not(.care-atlas-basemap)"
        expect(offline.locator(surface)).to_have_count(1)
        # the offline basemap, drawn as one image under it (no server to read tiles from)
        expect(offline.locator("#slide-2 img.care-atlas-basemap")).to_have_count(1)
        for value in (gaps["Early childhood"], gaps["Older persons"]):
            expect(offline.locator("#slide-2")).to_contain_text(value)
        for value in offline.locator("#slide-2 .figure-value").all():  # none cut at the edge
            box = value.bounding_box()
            assert box is not None and box["x"] + box["width"] <= 1600, value.inner_text()
        offline.screenshot(path=str(ARTIFACTS / "story_offline_gaps.png"))
        assert not blocked, blocked
        assert not errors, errors
    finally:
        context.close()

    # 6. The PDF: text, and a rendered page with the surface and the colour bar
    reader = PdfReader(pdf)
    assert len(reader.pages) == 2
    first, second = (" ".join(p.extract_text().split()) for p in reader.pages)
    assert FILTERS in first
    # the saved position (zoom 13, about 19 km across on the slide), not the district (20 km bar)
    assert "5 km" in first and "20 km" not in first
    assert f"{explore['Places on the map']} Places on the map" in first
    assert "…" not in first and "…" not in second  # sources wrap, never cut
    assert "shared/facts" not in first + second  # no internal file names (issue 16)
    for text in (BAR, "What to show: Minutes to the nearest", gaps["Early childhood"]):
        assert text in second, text
    assert len(reader.pages[1].images) >= 2  # the surface and the colour bar
    _render_pdf_page(pdf, 1, ARTIFACTS / "story_pdf_page1")  # to look at
    rendered = _render_pdf_page(pdf, 2, ARTIFACTS / "story_pdf_page2")
    pixels = np.asarray(rendered).reshape(-1, 3).astype(int)
    near_dark = np.abs(pixels - VIRIDIS_DARK).sum(axis=1) < 40
    assert near_dark.sum() > 50  # viridis' dark end: the surface and the bar
    # 7. The figures CSV names the filters
    rows = list(csv.DictReader(io.StringIO(figures.read_text(encoding="utf-8-sig"))))
    explore_rows = [r for r in rows if r["page"] == "explore"]
    assert explore_rows and all(
        "Who is cared for: Older persons" in r["filters"] for r in explore_rows
    )
    assert any("What to show: Minutes to the nearest" in r["filters"] for r in rows)


def test_each_page_reopens_from_a_copied_url(story_server: Server, browser: Browser) -> None:
    page, watch = open_page(browser, locale="en-GB", width=1600, height=1000)
    try:
        page.goto(f"{story_server.url}/gaps?lang=en")
        _metrics(page, last=UNSERVED)
        _choose(page, "Who is walking", "With an older person or a pushchair")
        _choose(page, "What to show", "Minutes to the nearest")
        slider = page.get_by_test_id("stSidebar").get_by_role("slider")
        slider.first.focus()
        page.keyboard.press("ArrowRight")  # 15 -> 20 minutes
        expect(page).to_have_url(re.compile(r"min=20"), timeout=20_000)
        expect(page).to_have_url(re.compile(r"profile=older_or_pushchair"))
        expect(page).to_have_url(re.compile(r"measure=nearest"))
        gaps = _metrics(page, last=UNSERVED)
        gaps_url = page.url

        page.goto(f"{story_server.url}/?lang=en")
        _metrics(page, last="Places on the map")
        sidebar = page.get_by_test_id("stSidebar")
        sidebar.get_by_label("Who is cared for").first.click()
        page.get_by_role("option", name="Older persons").click()
        page.keyboard.press("Escape")
        expect(page).to_have_url(re.compile(r"pop=older"), timeout=20_000)
        explore = _metrics(page, last="Places on the map")
        explore_url = page.url
        assert not watch.problems(), watch.problems()
    finally:
        page.context.close()

    other, watch = open_page(browser, locale="en-GB", width=1600, height=1000)
    try:
        other.goto(gaps_url)
        assert _metrics(other, last=UNSERVED) == gaps
        sidebar = other.get_by_test_id("stSidebar")
        expect(sidebar.get_by_role("slider").first).to_have_value("20")
        expect(sidebar.get_by_role("combobox", name="Who is walking")).to_have_value(
            "With an older person or a pushchair"
        )
        expect(sidebar.get_by_role("combobox", name="What to show")).to_have_value(
            "Minutes to the nearest"
        )
        other.goto(explore_url)
        assert _metrics(other, last="Places on the map") == explore
        expect(other.get_by_test_id("stSidebar").get_by_text("Older persons")).to_be_visible()
        assert not watch.problems(), watch.problems()
    finally:
        other.context.close()
