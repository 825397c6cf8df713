"""``python -m geo grid`` and ``python -m geo gaps --engine dask``: real subprocesses."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from geo import gaps, scale
from geo.settings import PROJECT_DIR
from tests.geo._helpers import run_bench, run_geo

SERVICES = PROJECT_DIR / "data" / "care_blocks.geojson"


def run_cli(*args: str | Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_geo(*args, timeout=180, env={"CARE_ATLAS_DASK_WORKERS": "2", **(env or {})})


def _lines(stdout: str) -> list[str]:
    """Headline lines without those that name the output or the demand's note."""
    return [
        line
        for line in stdout.splitlines()
        if not line.startswith(("Written:", "Demand:", "Dask dashboard"))
    ]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory) -> tuple[Path, Path, subprocess.CompletedProcess]:
    root = tmp_path_factory.mktemp("cli")
    grid, services = root / "grid", root / "services.gpkg"
    done = run_cli(
        "grid",
        "--synthetic",
        "20000",
        "--tile",
        "32",
        "--seed",
        "4",
        "--services-out",
        services,
        "--services-n",
        "40",
        "--out",
        grid,
    )
    assert done.returncode == 0, done.stderr
    return grid, services, done


def test_grid_writes_partitions_and_services(synthetic):
    grid, services, done = synthetic
    demand = scale.open_demand(grid)
    assert 18_000 < demand.n_cells < 22_000
    assert len(demand.files) > 10
    assert "Dask dashboard: http://" in done.stderr
    assert "grid" in done.stderr and "[###" in done.stderr  # the progress bar
    assert f"{demand.n_cells:,} cells in {len(demand.files)} partitions" in done.stdout
    assert len(gpd.read_file(services)) == 40
    assert "SYNTHETIC" in demand.provenance["model"]


def test_dask_run_prints_the_single_machine_figures(synthetic, tmp_path):
    grid, services, _ = synthetic
    out = tmp_path / "run"
    done = run_cli(
        "gaps", "--engine", "dask", "--demand", grid, "--services", services,
        "--minutes", "10", "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "pass 2/2" in done.stderr and "Dask dashboard" in done.stderr
    assert "Demand: SYNTHETIC demand" in done.stdout

    cells = scale.open_demand(grid).to_memory()
    want = gaps.run_gaps(cells, gpd.read_file(services), minutes=10)
    assert _lines(done.stdout) == want.lines()[: len(_lines(done.stdout))]
    assert len(_lines(done.stdout)) >= 6

    summary = json.loads((out / "summary.json").read_text())
    assert summary["headline"]["n_cells"] == len(cells)
    results = scale.read_cells(out, ["row", "col", "covered"]).compute()
    assert len(results) == len(cells)
    assert results["covered"].sum() == want.demand["covered"].sum()


def test_sample_runs_the_same_on_both_engines(tmp_path):
    local = run_cli(
        "gaps", "--demand", "sample", "--services", SERVICES, "--minutes", "15",
        "--out", tmp_path / "local.gpkg",
    )  # fmt: skip
    dasked = run_cli(
        "gaps", "--engine", "dask", "--demand", "sample", "--services", SERVICES,
        "--minutes", "15", "--out", tmp_path / "dask",
    )  # fmt: skip
    assert local.returncode == 0 and dasked.returncode == 0, dasked.stderr
    assert _lines(dasked.stdout) == _lines(local.stdout)
    assert "MODELLED" in dasked.stdout  # the sample says it is a model on both engines
    by_zone = json.loads((tmp_path / "dask" / "summary.json").read_text())["by_zone"]
    want = pyogrio.read_dataframe(tmp_path / "local.gpkg", layer="by_zone")
    assert len(by_zone) == len(want) >= 19  # the sample's localidades
    assert [z["zone"] for z in by_zone] == want["zone"].tolist()
    assert not list(tmp_path.glob("tmp*"))  # the partitioned copy of the sample is gone


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.gpkg"], "folder of partitioned"),
        (["--demand", "tests"], "not a partitioned demand grid"),
    ],
)
def test_bad_arguments_are_one_line(tmp_path, args, message):
    base = {"--demand": "sample", "--out": str(tmp_path / "o")}
    for flag, value in zip(args[::2], args[1::2], strict=True):
        base[flag] = value if flag != "--out" else str(tmp_path / value)
    flat = [item for pair in base.items() for item in pair]
    done = run_cli("gaps", "--engine", "dask", "--services", SERVICES, "--minutes", "15", *flat)
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if line.startswith("python -m geo: error")]
    assert len(errors) == 1 and message in errors[0]
    assert "Traceback" not in done.stderr


def test_unreachable_scheduler_is_one_line(tmp_path):
    done = run_cli(
        "gaps", "--engine", "dask", "--demand", "sample", "--services", SERVICES,
        "--minutes", "15", "--out", tmp_path / "o",
        env={"CARE_ATLAS_DASK_SCHEDULER": "tcp://127.0.0.1:9"},
    )  # fmt: skip
    assert done.returncode == 2
    assert "no Dask scheduler answers at tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "o").exists()


def test_existing_results_are_kept_without_overwrite(synthetic, tmp_path):
    grid, services, _ = synthetic
    out = tmp_path / "run"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    done = run_cli(
        "gaps", "--engine", "dask", "--demand", grid, "--services", services,
        "--minutes", "10", "--out", out, "--overwrite",
    )  # fmt: skip
    assert done.returncode == 2 and "nothing was deleted" in done.stderr
    assert (out / "mine.txt").read_text() == "keep"


def test_grid_from_a_file_keeps_its_zone_column_name(tmp_path):
    sample = gaps.sample_demand_grid(cell_m=500.0).rename(columns={"zone": "LOC"})
    demand_file = tmp_path / "demand.gpkg"
    sample.to_file(demand_file, layer="demand", driver="GPKG")
    grid = tmp_path / "grid"
    made = run_cli("grid", "--demand", demand_file, "--zone-col", "LOC", "--out", grid)
    assert made.returncode == 0, made.stderr
    assert scale.open_demand(grid).provenance["zone_source"] == "LOC"
    args = ["--services", SERVICES, "--minutes", "15", "--zone-col", "LOC"]
    local = run_cli("gaps", "--demand", demand_file, *args, "--out", tmp_path / "l.gpkg")
    dasked = run_cli("gaps", "--engine", "dask", "--demand", grid, *args, "--out", tmp_path / "d")
    assert local.returncode == 0 and dasked.returncode == 0, dasked.stderr
    assert _lines(dasked.stdout) == _lines(local.stdout)
    by_zone = json.loads((tmp_path / "d" / "summary.json").read_text())["by_zone"]
    want = pyogrio.read_dataframe(tmp_path / "l.gpkg", layer="by_zone")
    assert sorted(z["zone"] for z in by_zone) == sorted(want["zone"])
    wrong = run_cli("gaps", "--engine", "dask", "--demand", grid, *args[:-1], "NOPE",
                    "--out", tmp_path / "w")  # fmt: skip
    assert wrong.returncode == 2 and "no zone column 'NOPE'" in wrong.stderr


def test_benchmark_smoke_run():
    done = run_bench("bench_scale.py", timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "-> yes" in done.stdout  # identical to the single-machine results
    assert "ratio: single / dask = " in done.stdout
    assert "| cells | partitions |" in done.stdout
