"""AppTest on the National runs page: runs read back from a results folder.

One small run is made once for the module with :func:`geo.scale.run_gaps` on a
one-worker local cluster (a synthetic grid of about 2,000 cells, split by two
zones, one named ``<b>x</b>``); each test copies it into its own results folder.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest

from geo import scale
from geo.demand import GRID_ATTR, GridFrame
from geo.settings import Settings, get_settings
from tests.app.conftest import button, map_args, metric_values, run_app
from ui import jobs
from ui.render import fmt
from ui.views import national_view

PAGE = "app_pages/national.py"
RUN = "synthetic-test"
ZONE = "<b>x</b>"
MODEL = "SYNTHETIC demand for the tests: not a population."


@pytest.fixture(scope="module")
def built_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished run folder (about 2,000 cells, 6 services, zones ``<b>x</b>`` and east)."""
    root = tmp_path_factory.mktemp("national")
    frame = GridFrame(
        x0=4_500_000.0, y_top=2_500_000.0, cell_m=100.0, n_rows=40, n_cols=56, crs="EPSG:9377"
    )
    cells = scale.synthetic_tile(frame, 0, 0, tile=64, seed=5)
    cells["zone"] = np.where(cells["col"] < 28, ZONE, "east")
    boxes = frame.boxes(cells["row"].to_numpy(), cells["col"].to_numpy())
    grid = gpd.GeoDataFrame(cells, geometry=boxes, crs=frame.crs)
    grid.attrs[GRID_ATTR] = frame.as_attrs()
    demand = scale.write_grid(
        grid,
        root / "demand",
        groups=scale.SYNTHETIC_GROUPS,
        zone_col="zone",
        tile=16,
        provenance={"source": "tests", "licence": "CC0", "model": MODEL},
    )
    services = scale.synthetic_services(frame, 6, seed=1)
    settings = Settings.from_env({"CARE_ATLAS_DASK_WORKERS": "1"})
    with scale.cluster(settings) as client:
        scale.run_gaps(
            demand,
            services,
            scale.Job(folder=root / RUN, client=client),
            minutes=5.0,
            zone_col="zone",
        )
    return root / RUN


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty results folder (not created yet) that the app reads."""
    folder = tmp_path / "runs"
    monkeypatch.setenv("CARE_ATLAS_RESULTS_DIR", str(folder))
    monkeypatch.setenv("CARE_ATLAS_DASK_WORKERS", "1")
    get_settings.cache_clear()
    return folder


@pytest.fixture
def one_run(results: Path, built_run: Path) -> Path:
    shutil.copytree(built_run, results / RUN)
    return results / RUN


@pytest.mark.parametrize(
    ("lang", "note", "command"),
    [
        ("en", "There are no runs in this folder yet", "# the bundled Bogotá sample"),
        ("es", "Todavía no hay corridas en esta carpeta", "# la muestra de Bogotá"),
    ],
)
def test_no_runs_explains_and_gives_the_commands(
    results: Path, lang: str, note: str, command: str
) -> None:
    at = run_app(PAGE, lang=lang)
    assert not at.error
    assert any(note in i.value for i in at.info)
    (code,) = at.code
    assert command in code.value
    assert "python -m geo gaps --engine dask --demand sample" in code.value
    assert '--out "${CARE_ATLAS_RESULTS_DIR:-var/runs}"/sample' in code.value
    assert "python -m geo grid --synthetic" in code.value
    assert not at.get("component_instance")  # no map without a run
    # the results folder is the operator's: its path is shown to no visitor
    shown = [e.value for kind in ("caption", "info", "code", "markdown") for e in getattr(at, kind)]
    assert all(str(results) not in text and str(results.parent) not in text for text in shown)
    assert any("CARE_ATLAS_RESULTS_DIR" in c.value for c in at.caption)


@pytest.mark.parametrize(
    ("lang", "cells", "group", "largest"),
    [
        ("en", "Demand cells", "Carers", "Largest area (km²)"),
        (
            "es",
            "Celdas de demanda",
            "Personas cuidadoras",
            "Zona más grande (km²)",
        ),
    ],
)
def test_a_run_shows_its_figures_note_and_map(
    one_run: Path, lang: str, cells: str, group: str, largest: str
) -> None:
    headline = json.loads((one_run / "summary.json").read_text())["headline"]
    at = run_app(PAGE, lang=lang)
    metrics = metric_values(at)
    # figures in the reader's number format (issue 16): 2.032 in Spanish, 2,032 in English
    assert metrics[cells] == fmt.integer(headline["n_cells"], lang)
    assert metrics[group] == fmt.integer(headline["groups"]["carers"]["unserved"], lang)
    assert ("." if lang == "es" else ",") in metrics[cells]
    assert metrics[largest] == fmt.number(headline["largest_unserved_km2"], lang, digits=1)
    assert any("SYNTHETIC demand" in w.value for w in at.warning)
    assert at.selectbox[0].value == RUN
    assert at.query_params["run"] == RUN
    args = map_args(at)
    groups = args["feature_group"]
    n_areas = headline["n_unserved_areas"]
    assert n_areas > 0
    assert groups.count('"id": "area-') == min(n_areas, national_view.MAP_LIMIT)
    assert "care-atlas-colourbar" in groups
    assert "care-atlas-legend" in args["script"]
    assert all(link.startswith("/app/static/") for link in args["js_links"] + args["css_links"])
    assert args["returned_objects"] == []  # panning and zooming never rerun the page
    captions = " ".join(c.value for c in at.caption)
    assert "EPSG:9377" in captions
    assert "5 min" in captions
    labels = [b.label for b in at.get("download_button")]
    assert labels.count("Download CSV" if lang == "en" else "Descargar CSV") == 3


def _tooltips(script: str) -> list[str]:
    """The tooltip HTML of every box sent to the map."""
    decoder = json.JSONDecoder()
    tips, index = [], script.find('"_tip": ')
    while index != -1:
        tip, end = decoder.raw_decode(script, index + len('"_tip": '))
        tips.append(tip)
        index = script.find('"_tip": ', end)
    return tips


def test_zone_names_stay_text(one_run: Path) -> None:
    at = run_app(PAGE, lang="en")
    tips = _tooltips(map_args(at)["feature_group"])
    assert any("Zone: &lt;b&gt;x&lt;/b&gt;<br>" in tip for tip in tips)
    assert not any(ZONE in tip for tip in tips)
    areas = next(d.value for d in at.dataframe if "Rank" in d.value.columns)
    assert ZONE in set(areas["Zone"])  # a table cell is shown as text
    zones = next(d.value for d in at.dataframe if "Carers: Out of reach" in d.value.columns)
    assert set(zones["Zone"]) == {ZONE, "east"}
    assert not any(ZONE in m.value for m in at.markdown)


@pytest.mark.parametrize("damage", ["bad_json", "no_areas"])
def test_a_damaged_run_says_why_and_the_page_works(
    one_run: Path, built_run: Path, damage: str
) -> None:
    broken = one_run.parent / "broken"
    shutil.copytree(built_run, broken)
    if damage == "bad_json":
        (broken / "summary.json").write_text("{not json", encoding="utf-8")
    else:
        (broken / "unserved_areas.parquet").unlink()
    now = time.time() + 10  # the newest: chosen first
    os.utime(broken / "summary.json", (now, now))
    at = run_app(PAGE, lang="en")
    assert at.selectbox[0].value == "broken"
    (error,) = at.error
    assert error.value.startswith("The run 'broken' cannot be read: files are missing")
    assert "Traceback" not in error.value
    assert str(one_run.parent) not in error.value  # the folder is the operator's
    assert button(at, "Run the bundled sample on Dask")
    at.selectbox[0].set_value(RUN).run()
    assert not at.exception
    assert not at.error
    assert "Demand cells" in metric_values(at)


def test_sample_run_starts_in_the_background_and_cancels(results: Path) -> None:
    at = run_app(PAGE, lang="en")
    button(at, "Run the bundled sample on Dask").click().run()
    assert not at.exception
    running = at.session_state[national_view.JOB_KEY]
    job: jobs.Job = running["job"]
    out = Path(running["out"])
    assert out.parent == results
    assert out.name.startswith("sample-")
    try:
        assert any("Dask" in p.proto.text for p in at.get("progress"))
        deadline = time.monotonic() + 60  # cancel once the command is running
        while "Dask dashboard" not in national_view._read_log(running["log"]):
            assert not job.done(), national_view._read_log(running["log"])
            assert time.monotonic() < deadline
            time.sleep(0.2)
        button(at, "Cancel the run").click().run()
    finally:
        job.cancel()  # never leave a run behind, whatever failed
    assert not at.exception
    assert any("Run cancelled" in i.value for i in at.info)
    assert not job.alive
    assert not out.exists()
    assert [p.name for p in results.iterdir()] == []  # the partial grid is gone too
    assert not _processes_mentioning(str(out))


def _processes_mentioning(text: str) -> list[int]:
    """Processes whose command line mentions ``text`` (the run's unique output folder)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if text.encode() in (proc / "cmdline").read_bytes():
                    found.append(int(proc.name))
            except OSError:
                continue
    return found


# --------------------------------------------------------------- the pieces, without the page


def test_progress_and_dashboard_are_read_from_the_log() -> None:
    log = (
        "INFO distributed.scheduler: State start\n"
        "Dask dashboard: http://127.0.0.1:8787/status\n"
        "pass 1/2     [..............................] 0/4    6.4 s\n"
        "pass 2/2     [###############...............] 2/4    8.4 s\n"
    )
    progress = national_view.read_progress(log)
    assert (progress.stage, progress.done, progress.total) == ("pass 2/2", 2, 4)
    assert progress.share == pytest.approx((1 + 0.5) / len(national_view.STAGES))
    assert progress.dashboard == "http://127.0.0.1:8787/status"
    assert national_view.stage_label("median 3/4", "es") == "Medianas exactas 3/4"
    assert national_view.read_progress("Dask dashboard: javascript:alert(1)\n").dashboard == ""


def test_a_failure_is_one_line_never_a_traceback() -> None:
    log = (
        "Traceback (most recent call last):\n"
        '  File "x.py", line 1, in <module>\n'
        "distributed.comm.core.CommClosedError\n"
        "python -m geo: error: data/nothing.gpkg: no such file; check the path.\n"
    )
    assert national_view.error_line(log, 2) == "data/nothing.gpkg: no such file; check the path."
    crash = "Traceback (most recent call last):\n  File ...\nMemoryError: Unable to allocate\n"
    assert national_view.error_line(crash, 1) == "MemoryError: Unable to allocate"
    assert national_view.error_line("", -9) == "python -m geo ended with exit code -9"


def test_run_cli_reports_a_bad_argument_in_one_line(tmp_path: Path) -> None:
    out = tmp_path / "runs" / "sample-x"
    out.parent.mkdir()
    argv = national_view.sample_argv(minutes=15, out=out)
    argv[argv.index("--services") + 1] = str(tmp_path / "missing.geojson")
    outcome = national_view.run_cli(argv, out=str(out), log=str(tmp_path / "log.txt"))
    assert outcome["ok"] is False
    assert "missing.geojson" in outcome["error"]
    assert "\n" not in outcome["error"]
    assert not out.exists()


def test_sample_command_and_model_note() -> None:
    argv = national_view.sample_argv(minutes=20, out=Path("/r/sample-1"))
    assert argv[:5] == ["gaps", "--engine", "dask", "--demand", "sample"]
    assert argv[argv.index("--minutes") + 1] == "20"
    assert Path(argv[argv.index("--services") + 1]).is_file()
    from geo.demand import SAMPLE_MODEL

    spanish = national_view.model_text({"model": SAMPLE_MODEL.note["en"]}, "es")
    assert spanish.startswith("Demanda MODELADA")
    other = national_view.model_text({"model": "SYNTHETIC *demand*"}, "es")
    assert "SYNTHETIC \\*demand\\*" in other
    assert national_view.model_text({"model": ""}, "en") == ""


def test_a_run_without_unserved_areas_draws_an_empty_layer(built_run: Path) -> None:
    summary = scale.read_run(built_run)
    empty = dataclasses.replace(summary, areas=summary.areas.iloc[:0])
    layer = national_view.area_layer(empty, lang="en")
    assert layer.geojson["features"] == []
    assert layer.fit is not None  # the grid's extent
    group = national_view.areas_group(layer, lang="en")
    assert list(group._children) == []  # no boxes, and no colour bar explaining none


def test_a_failed_runs_message_does_not_show_the_results_folder(tmp_path: Path) -> None:
    folder = tmp_path / "srv" / "runs"
    message = f"cannot write {folder}/sample: permission denied"
    shown = national_view.without_results_dir(message, folder)
    assert shown == "cannot write $CARE_ATLAS_RESULTS_DIR/sample: permission denied"
    assert str(tmp_path) not in shown
