"""The National runs page in a real browser, in Spanish: from an empty results folder,
run the bundled sample on Dask, see the new run appear with its figures, the boxes of
its unserved areas on the map and their legend; nothing leaves the machine."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS, Server, Watch, goto_and_see, running
from tests.e2e.test_explore import MAP_IFRAME, wait_idle

pytestmark = pytest.mark.e2e
BOXES = "path.leaflet-interactive"


@pytest.fixture(scope="module")
def national_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    tmp: Path = tmp_path_factory.mktemp("national")
    results = tmp / "runs"
    with running(
        tmp,
        {
            "CARE_ATLAS_RESULTS_DIR": str(results),
            "CARE_ATLAS_DASK_WORKERS": "1",
            "CARE_ATLAS_STORE_PATH": str(tmp / "store.sqlite"),
        },
    ) as srv:
        yield srv, results


def _frame(page: Page):
    """The map's frame, found anew on each use (a rerun may replace the iframe)."""
    return page.frame_locator(f"{MAP_IFRAME}:visible")


def test_run_the_sample_and_see_it(
    national_server: tuple[Server, Path], watched: tuple[Page, Watch]
) -> None:
    server, results = national_server
    page, _ = watched
    goto_and_see(
        page, f"{server.url}/national?lang=es", "Brechas a escala nacional", timeout=60_000
    )
    expect(page.get_by_text("Todavía no hay corridas en esta carpeta")).to_be_visible()
    expect(page.get_by_text("python -m geo gaps --engine dask --demand sample")).to_be_visible()
    wait_idle(page)

    started = time.perf_counter()
    page.get_by_role("button", name="Correr la muestra en Dask").click()
    expect(page.get_by_role("button", name="Cancelar la corrida")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("Corrida lista: sample-")).to_be_visible(timeout=90_000)
    print(f"national: sample run on Dask, press -> listed in {time.perf_counter() - started:.1f} s")
    (run,) = [p.name for p in results.iterdir()]
    assert (results / run / "summary.json").is_file()

    expect(page.get_by_text(run).first).to_be_visible(timeout=30_000)  # the select box
    expect(page.get_by_text("Demanda MODELADA").first).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Celdas de demanda")).to_be_visible()
    expect(page.get_by_text("Personas sin ningún servicio a su alcance, por grupo")).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Primera infancia")).to_be_visible()
    boxes = _frame(page).locator(BOXES)
    expect(boxes.first).to_be_visible(timeout=60_000)
    assert boxes.count() >= 5
    expect(_frame(page).locator(".care-atlas-legend")).to_contain_text("Extensión de la grilla")
    expect(_frame(page).locator(".care-atlas-colourbar")).to_contain_text(
        "Personas fuera de alcance"
    )
    wait_idle(page)
    # the top box is the area with the most people: its tooltip names rank 1
    boxes.last.hover(force=True)
    expect(_frame(page).locator(".leaflet-tooltip")).to_contain_text(
        "Zona sin servicio n.º 1", timeout=10_000
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "national-map.png"))
    page.get_by_role("tab", name="Zonas sin servicio").click()
    expect(page.get_by_role("button", name="Descargar CSV").first).to_be_visible()
    page.get_by_text("Brechas a escala nacional").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "national.png"))
