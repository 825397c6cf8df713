"""Standalone HTML exports in a real browser with the network cut off.

The exported map and story are opened as ``file://`` pages in a context whose every
request is aborted except the document itself: the markers, the legend and the
slide navigation must work from what is inside the file.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from tests.e2e.conftest import ARTIFACTS
from tests.ui.test_standalone import INJECTED, TITLE, sample, sample_map, sample_story
from ui.render.map_view import KIND_COLOURS
from ui.render.standalone import map_html, story_html

pytestmark = pytest.mark.e2e

CARE = f'path.leaflet-interactive[fill="{KIND_COLOURS["care_block"]}"]'
BUS = f'path.leaflet-interactive[fill="{KIND_COLOURS["care_bus"]}"]'


@dataclass
class Offline:
    """A page opened with no network, and everything that went wrong in it."""

    page: Page
    requests: list[str] = field(default_factory=list)  # anything but the file itself
    failed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [
            *(f"request: {r}" for r in self.requests),
            *(f"failed request: {r}" for r in self.failed),
            *(f"console error: {e}" for e in self.errors),
            *(f"dialog (script ran): {d}" for d in self.dialogs),
        ]


@pytest.fixture
def offline(browser: Browser) -> Iterator:
    """Open a file with every other request aborted; fail on any problem."""
    opened: list[Offline] = []

    def open_file(path: Path, *, width: int = 1440, height: int = 900) -> Offline:
        context = browser.new_context(viewport={"width": width, "height": height}, locale="es-CO")
        document = path.resolve().as_uri()
        watch = Offline(page=context.new_page())

        def guard(route: Route) -> None:
            url = route.request.url
            if url == document:
                route.continue_()
                return
            if not url.startswith(("data:", "blob:")):
                watch.requests.append(url)
            route.abort()

        context.route("**/*", guard)
        watch.page.on("requestfailed", lambda r: watch.failed.append(f"{r.url} ({r.failure})"))
        watch.page.on(
            "console", lambda m: watch.errors.append(m.text) if m.type == "error" else None
        )
        watch.page.on("pageerror", lambda e: watch.errors.append(str(e)))
        watch.page.on("dialog", lambda d: (watch.dialogs.append(d.message), d.dismiss()))
        watch.page.goto(document)
        opened.append(watch)
        return watch

    yield open_file
    for watch in opened:
        watch.page.context.close()
    problems = [p for watch in opened for p in watch.problems()]
    assert not problems, "\n".join(problems)


def test_exported_map_draws_offline(offline, tmp_path: Path) -> None:
    path = tmp_path / "mapa.html"
    path.write_text(
        map_html(
            sample_map(["care_blocks", "care_bus_stops"], inject=True),
            title=TITLE,
            sources="SDMujer",
            date="2025-12-16",
            lang="es",
            note="Bogotá, diciembre de 2025",
            figures=[("Manzanas", "19"), ("Paradas", "6")],
        ),
        encoding="utf-8",
    )
    page = offline(path).page
    expect(page.locator(CARE)).to_have_count(len(sample()["care_blocks"]))
    expect(page.locator(BUS)).to_have_count(len(sample()["care_bus_stops"]))
    legend = page.locator(".care-atlas-legend")
    expect(legend).to_be_visible()
    expect(legend).to_contain_text("Leyenda")
    expect(legend).to_contain_text("Manzana del Cuidado")
    expect(legend).to_contain_text("Bus del Cuidado")
    expect(page.locator("h1.slide-title")).to_have_text(TITLE)  # shown literally
    expect(page.locator(".figure-value").first).to_have_text("19")
    expect(page.locator(".leaflet-control-layers-toggle")).to_have_count(0)
    # the injected name is shown as text in the tooltip, never run
    page.locator(CARE).first.dispatch_event("mouseover")
    expect(page.locator(".leaflet-tooltip")).to_contain_text(INJECTED)
    expect(page.locator(".leaflet-tooltip img")).to_have_count(0)


def test_exported_story_navigates_offline(offline, tmp_path: Path) -> None:
    path = tmp_path / "historia.html"
    path.write_text(
        story_html(
            sample_story(),
            title="Cuidado en Bogotá",
            sources="SDMujer",
            date="2025-12-16",
            lang="es",
        ),
        encoding="utf-8",
    )
    page = offline(path, width=1920, height=1080).page
    progress = page.locator("#deck-progress")
    titles = page.locator(".slide-title")
    expect(progress).to_have_text("1 / 3")
    expect(titles.nth(0)).to_be_visible()
    expect(titles.nth(1)).to_be_hidden()
    expect(page.locator(f"#slide-1 {CARE}")).to_have_count(len(sample()["care_blocks"]))
    expect(page.locator("#deck-prev")).to_be_disabled()

    page.keyboard.press("ArrowRight")
    expect(progress).to_have_text("2 / 3")
    expect(titles.nth(1)).to_be_visible()
    expect(titles.nth(1)).to_have_text("Buses del Cuidado")
    expect(titles.nth(0)).to_be_hidden()
    markers = page.locator(f"#slide-2 {BUS}")
    expect(markers).to_have_count(len(sample()["care_bus_stops"]))
    for n in range(markers.count()):
        box = markers.nth(n).bounding_box()
        assert box is not None and box["width"] > 0 and box["height"] > 0
        assert 0 <= box["x"] <= 1920 and 0 <= box["y"] <= 1080
    size = page.evaluate("() => window.CareAtlasExport.maps.map_slide2.getSize()")
    assert size["x"] > 1000 and size["y"] > 500
    expect(page.locator("#slide-2 .care-atlas-legend")).to_contain_text("Bus del Cuidado")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "story_export.png"))

    page.keyboard.press("ArrowLeft")
    expect(progress).to_have_text("1 / 3")
    expect(titles.nth(0)).to_be_visible()
    expect(titles.nth(1)).to_be_hidden()

    page.locator("#deck-next").click()
    page.locator("#deck-next").click()
    expect(progress).to_have_text("3 / 3")
    expect(page.locator("#deck-next")).to_be_disabled()
    expect(page.locator(f"#slide-3 {CARE}")).to_have_count(len(sample()["care_blocks"]))


def test_exported_story_fits_a_laptop(offline, tmp_path: Path) -> None:
    path = tmp_path / "historia.html"
    path.write_text(
        story_html(sample_story(), title="Cuidado", sources="SDMujer", date="2025", lang="es"),
        encoding="utf-8",
    )
    page = offline(path, width=1366, height=768).page
    for selector in ("#slide-1 .slide-title", "#slide-1 .figure-value", "#deck-next"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 768, selector
    box = page.locator("#slide-1 .map-box").bounding_box()
    assert box is not None and box["height"] >= 400
    assert page.evaluate("() => document.documentElement.scrollHeight") <= 768


def test_sample_story_export_opens_offline(offline, tmp_path: Path) -> None:
    """The Present page's own export of the sample story, as a presenter downloads it."""
    from ui.slide_content import sample_story as sample_care_story
    from ui.slide_content import slide, today
    from ui.views.present_view import _html_slide

    story = sample_care_story("es")
    html = story_html(
        [_html_slide(slide(v, lang="es", export=True), lang="es") for v in story.views],
        title="Muestra: el cuidado en Bogotá y la región",
        sources="Atlas del Cuidado",
        date=today(),
        lang="es",
    )
    path = tmp_path / "care_atlas_story.html"
    path.write_text(html, encoding="utf-8")
    watch = offline(path, width=1920, height=1080)
    page = watch.page
    expect(page.locator("#deck-progress")).to_have_text("1 / 5")
    expect(page.get_by_text("Las Manzanas del Cuidado de Bogotá").first).to_be_visible()
    expect(page.locator(f"section:visible {CARE}, .slide:visible {CARE}").first).to_be_visible(
        timeout=15_000
    )
    expect(page.locator(".care-atlas-legend:visible").first).to_contain_text("Manzana del Cuidado")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#deck-progress")).to_have_text("2 / 5")
    expect(page.get_by_text("¿A quién alcanzan a 15 minutos a pie?").first).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "sample_story_export.png"))
