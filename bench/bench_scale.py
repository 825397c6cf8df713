"""Benchmark national-scale gaps on Dask (geo.scale) against the single-machine code (geo.gaps).

For each size (10^5, 10^6, 10^7 demand cells by default), measured in one run:

* a synthetic country of that many 100 m cells written as partitioned GeoParquet by
  the workers (:func:`geo.scale.write_synthetic_grid`, 512 x 512-cell tiles), with
  one synthetic service per 2,000 cells (half in towns, half anywhere);
* :func:`geo.scale.run_gaps` on a fresh ``LocalCluster`` of 2 worker processes (one
  thread each): wall time, the time of each stage, and the **peak resident memory of
  each worker** during the analysis (``VmHWM`` of the worker process, reset after the
  grid is built; it includes Python, numpy, pandas, pyarrow, dask, ~230 MB);
* the peer: :func:`geo.gaps.run_gaps` on one machine, where it fits (by default up to
  10^6 cells, see ``--single-max``), on the same cells read into memory (reading is
  not timed), run in a child process so its peak memory is its own; then the figures
  of both engines are compared: coverage per group, the 2SFCA medians, simultaneity,
  the unserved areas (ids, cells, people) and, per cell, ``nearest_m`` and
  ``access_per_1000``; the run fails if any relative difference is >= 1e-9.

The ratio printed is single-machine time / Dask time, both measured here. On a 2-core
machine the Dask engine is not expected to be faster (two workers, plus the scheduler
and the reads and writes of every partition); it is there for what does not fit on one
machine, and its peak memory per worker must stay flat as the cells grow.

Usage: ``python bench/bench_scale.py [--sizes 1e5,1e6,1e7] [--single-max 1e6] [--quick]``
(``--quick``: 2 x 10^4 cells, a smoke test). Grids and results go to a temporary
folder (``--keep DIR`` keeps them).
"""

from __future__ import annotations

import argparse
import gc
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

import geopandas as gpd  # noqa: E402
import pandas as pd  # noqa: E402

from geo import gaps, scale  # noqa: E402
from geo.settings import Settings  # noqa: E402

MINUTES = 15.0
CELLS_PER_SERVICE = 2_000
GROUPS = ["children", "older", "disability", "carers"]
TOLERANCE = 1e-9


def _rel(a: Any, b: Any) -> float:
    a, b = np.asarray(a, float).ravel(), np.asarray(b, float).ravel()
    if a.shape != b.shape:
        return float("inf")
    both_nan = np.isnan(a) & np.isnan(b)
    if (np.isnan(a) != np.isnan(b)).any():
        return float("inf")
    size = np.maximum(np.abs(a), np.abs(b))
    diff = np.where(both_nan, 0.0, np.abs(a - b))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(size > 0, diff / size, diff)
    return float(np.nanmax(rel)) if rel.size else 0.0


def _single(folder: str, services_file: str, queue: Any) -> None:
    """Child process: the single-machine run; sends back its time, memory and figures."""
    cells = scale.open_demand(folder).to_memory()
    services = gpd.read_parquet(services_file)
    base = scale._peak_rss_mb()
    tick = time.perf_counter()
    result = gaps.run_gaps(cells, services, minutes=MINUTES, groups=GROUPS)
    seconds = time.perf_counter() - tick
    demand = result.demand.sort_values(["row", "col"])
    queue.put(
        {
            "seconds": seconds,
            "peak_mb": scale._peak_rss_mb(),
            "before_mb": base,
            "headline": {
                k: v for k, v in result.headline.items() if isinstance(v, int | float | dict)
            },
            "coverage": result.coverage.sort_index(),
            "areas": pd.DataFrame(result.unserved_areas.drop(columns="geometry")),
            "nearest_m": demand["nearest_m"].to_numpy(),
            "access": demand["access_per_1000"].to_numpy(),
            "covered": demand["covered"].to_numpy(),
        }
    )


def _compare(single: dict[str, Any], dasked: scale.ScaleResult, out: Path) -> float:
    cells = (
        scale.read_cells(out, ["row", "col", "nearest_m", "access_per_1000", "covered"])
        .compute()
        .sort_values(["row", "col"])
    )
    a, b = single["headline"], dasked.headline
    diffs = {
        "coverage": _rel(single["coverage"].to_numpy(), dasked.coverage.sort_index().to_numpy()),
        "medians": _rel(
            [a["access_median_per_1000"], a["access_median_covered_per_1000"]],
            [b["access_median_per_1000"], b["access_median_covered_per_1000"]],
        ),
        "simultaneity": _rel(
            [a["simultaneity_share"], a["carers_both"]], [b["simultaneity_share"], b["carers_both"]]
        ),
        "nearest_m": _rel(single["nearest_m"], cells["nearest_m"]),
        "access_per_1000": _rel(single["access"], cells["access_per_1000"]),
        "covered": float((single["covered"] != cells["covered"].to_numpy()).sum()),
    }
    sa, da = single["areas"], dasked.unserved_areas
    same_ids = len(sa) == len(da) and (sa["area_id"].to_numpy() == da["area_id"].to_numpy()).all()
    diffs["unserved_areas"] = (
        max(_rel(sa["n_cells"], da["n_cells"]), _rel(sa[GROUPS], da[GROUPS]))
        if same_ids
        else float("inf")
    )
    worst = max(diffs.values())
    print(
        "  identical? max relative difference "
        + ", ".join(f"{k} {v:.1e}" for k, v in diffs.items())
        + f" -> {'yes' if worst < TOLERANCE else 'NO'} ({len(da):,} unserved areas)"
    )
    return worst


def run_size(n_cells: int, root: Path, *, single_max: int, workers: int) -> dict[str, Any]:
    print(f"== {n_cells:,} cells", flush=True)
    settings = Settings.from_env({"CARE_ATLAS_DASK_WORKERS": str(workers)})
    grid_dir, out = root / f"grid-{n_cells}", root / f"run-{n_cells}"
    services_file = root / f"services-{n_cells}.parquet"
    row: dict[str, Any] = {"n": n_cells}
    with scale.cluster(settings) as client:
        tick = time.perf_counter()
        demand = scale.write_synthetic_grid(
            scale.Job(folder=grid_dir, client=client), n_cells=n_cells, seed=1
        )
        row["grid_s"] = time.perf_counter() - tick
        services = scale.synthetic_services(
            demand.frame, max(1, demand.n_cells // CELLS_PER_SERVICE), seed=1
        )
        services.to_parquet(services_file)
        # start the workers' peak memory again from here, so it is the run's own
        client.run(gc.collect)
        scale.worker_peak_rss_mb(client, reset=True)
        base = scale.worker_peak_rss_mb(client)
        result = scale.run_gaps(
            demand, services, scale.Job(folder=out, client=client), minutes=MINUTES, groups=GROUPS
        )
        peaks = scale.worker_peak_rss_mb(client)
    disk = sum(f.stat().st_size for f in grid_dir.glob("*.parquet")) / 1e6
    row |= {
        "cells": demand.n_cells,
        "partitions": len(demand.files),
        "services": len(services),
        "dask_s": result.headline["seconds"],
        "stages": result.headline["stage_seconds"],
        "peak_mb": max(peaks.values()),
        "idle_mb": max(base.values()),
        "disk_mb": disk,
    }
    print(
        f"  grid: {demand.n_cells:,} cells in {len(demand.files)} partitions, "
        f"{disk:.0f} MB on disk, built in {row['grid_s']:.1f} s; {len(services):,} services"
    )
    print(
        f"  dask ({workers} workers): {row['dask_s']:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in row['stages'].items())}); peak RSS per "
        f"worker {', '.join(f'{v:.0f}' for v in peaks.values())} MB "
        f"(at the start: {row['idle_mb']:.0f} MB)",
        flush=True,
    )
    if demand.n_cells <= single_max:
        queue: Any = mp.get_context("spawn").Queue()
        child = mp.get_context("spawn").Process(
            target=_single, args=(str(grid_dir), str(services_file), queue)
        )
        child.start()
        single = queue.get()
        child.join()
        row |= {"single_s": single["seconds"], "single_mb": single["peak_mb"]}
        print(
            f"  single machine (geo.gaps.run_gaps): {single['seconds']:.1f} s, peak RSS "
            f"{single['peak_mb']:.0f} MB (with the cells in memory: {single['before_mb']:.0f} MB)"
        )
        row["max_rel"] = _compare(single, result, out)
        print(f"  ratio: single / dask = {single['seconds'] / row['dask_s']:.2f}")
    else:
        print(f"  single machine: not run above {single_max:,} cells (--single-max)")
    row["out_mb"] = sum(f.stat().st_size for f in out.rglob("*.parquet")) / 1e6
    print(f"  results on disk: {row['out_mb']:.0f} MB (per-cell GeoParquet + unserved areas)")
    shutil.rmtree(out, ignore_errors=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1e5,1e6,1e7", help="comma-separated cell counts")
    parser.add_argument("--single-max", type=float, default=1e6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="2 x 10^4 cells (smoke test)")
    parser.add_argument("--keep", type=Path, help="keep grids in this folder")
    args = parser.parse_args(argv)
    sizes = [20_000] if args.quick else [int(float(s)) for s in args.sizes.split(",")]
    root = args.keep or Path(tempfile.mkdtemp(prefix="care-atlas-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    print(
        f"gaps at {MINUTES:g} min (adult, straight line x detour), groups {', '.join(GROUPS)}; "
        f"{os.cpu_count()} cores; synthetic 100 m grids, 1 service per {CELLS_PER_SERVICE:,} "
        "cells; LocalCluster of worker processes, 1 thread each"
    )
    rows = []
    try:
        for n in sizes:
            rows.append(run_size(n, root, single_max=int(args.single_max), workers=args.workers))
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)
    print("\nscaling table (wall time of the analysis; peak RSS per worker process):")
    print("| cells | partitions | services | dask s | peak MB / worker | single s | single MB |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        single = (
            f"{r['single_s']:.1f} | {r['single_mb']:,.0f}" if "single_s" in r else "not run | -"
        )
        print(
            f"| {r['cells']:,} | {r['partitions']} | {r['services']:,} | {r['dask_s']:.1f} "
            f"| {r['peak_mb']:,.0f} | {single} |"
        )
    bad = [r for r in rows if r.get("max_rel", 0.0) >= TOLERANCE]
    if bad:
        print(f"FAIL: results differ from the single-machine code at {[r['n'] for r in bad]}")
        return 1
    if len(rows) > 1:
        growth = rows[-1]["peak_mb"] / rows[0]["peak_mb"]
        print(
            f"peak memory per worker: x{growth:.2f} from {rows[0]['cells']:,} to "
            f"{rows[-1]['cells']:,} cells (x{rows[-1]['cells'] / rows[0]['cells']:,.0f})"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
