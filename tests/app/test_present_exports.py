"""The sample story's exports: offline HTML, PDF slides, PNG, CSV and XLSX (sizes and times printed)."""

from __future__ import annotations

import io
import re
import time

import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader

from ui.render import slides, standalone
from ui.render.export import csv_bytes, xlsx_bytes
from ui.slide_content import figures_table, sample_story, slide, today
from ui.views.present_view import _html_slide, static_slide

OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?https?://|url\(\s*["']?https?://""", re.I)


@pytest.fixture(scope="module")
def story_and_contents():
    story = sample_story("es")
    return story, [slide(view, lang="es") for view in story.views]


def test_story_html_is_one_offline_file(story_and_contents) -> None:
    story, _ = story_and_contents
    started = time.perf_counter()
    html = standalone.story_html(
        [_html_slide(slide(v, lang="es", export=True), lang="es") for v in story.views],
        title="Muestra <b>",
        sources="Atlas del Cuidado",
        date=today(),
        lang="es",
    )
    seconds = time.perf_counter() - started
    size = len(html.encode("utf-8"))
    print(f"story HTML: {size / 1024:.0f} kB in {seconds:.2f} s")
    assert not OUTSIDE.search(html)
    assert "Muestra &lt;b&gt;" in html
    assert html.count("care-atlas-legend") >= len(story.views)
    assert "1 / 5" in html or "/ 5" in html
    assert size < 3_000_000  # "a few MB" at most for the sample


def test_pdf_slides_and_png(story_and_contents) -> None:
    story, contents = story_and_contents
    static = [static_slide(c, lang="es") for c in contents]
    for page in ("16:9", "A4"):
        started = time.perf_counter()
        pdf = slides.render_pdf(static, page=page)
        print(f"PDF {page}: {len(pdf) / 1024:.0f} kB in {time.perf_counter() - started:.2f} s")
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == len(story.views)
        text = reader.pages[1].extract_text()
        assert "¿A quién alcanzan" in text
        assert "MODELADA" in text or "modelo" in text
    png = slides.render_png(static[1], size=slides.FORMATS["16:9"])
    image = Image.open(io.BytesIO(png))
    assert image.size == (1920, 1080)
    grey = image.convert("L")
    assert max(grey.getextrema()) - min(grey.getextrema()) > 100
    assert len(image.convert("RGB").getcolors(1_000_000)) > 50


def test_figures_csv_and_xlsx_with_parameters(story_and_contents) -> None:
    story, contents = story_and_contents
    table = figures_table(story, contents)
    assert set(table["slide"]) == {1, 2, 3, 4, 5}
    assert table.loc[table["slide"] == 2, "parameters"].iloc[0].count("minutes=15") == 1
    hostile = table.assign(title="=cmd|' /C calc'!A0")
    text = csv_bytes(hostile).decode("utf-8-sig")
    assert "\n=cmd" not in text and ",=cmd" not in text
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes({"Cifras": hostile})))
    cell = book["Cifras"]["B2"]
    assert cell.data_type != "f"
    assert str(cell.value).startswith("'=")
