"""Benchmark 2SFCA: PySAL access's documented workflow vs ``geo.access.two_step_fca_core``.

A Bogotá-scale synthetic instance: demand at the centres of a 200 x 200 grid of 100 m
cells (40,000 cells, 20 km x 20 km in UTM 18N), 500 services placed at random with
random capacities, a binary catchment of 800 m.

* access: ``Access(...)``, ``create_euclidean_distance`` (the cost table of every
  demand-supply pair: a cross join of 20,000,000 rows measured with geopandas) and
  ``two_stage_fca(max_cost=800)``, as in the access documentation.
* ours: ``two_step_fca_core`` on the coordinate arrays (KD-tree pairs within 800 m,
  sparse matrix-vector products); the GeoDataFrame adapter ``two_step_fca`` is timed too.

Each side runs in a fresh subprocess so that its peak memory (ru_maxrss minus the
resident memory just before the call) is its own. The results must agree (max
relative difference < 1e-9) or the script fails.

Usage: ``python bench/bench_2sfca.py [--quick]`` (``--quick``: 40 x 40 cells, 30
services, seconds; used by the test suite as a smoke test).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench._timing import peak_mb, rss_mb  # noqa: E402

CRS = "EPSG:32618"
X0, Y0 = 590_000.0, 500_000.0
CELL_M = 100.0
RADIUS_M = 800.0
SEED = 2022
REPEATS = 5


def instance(quick: bool) -> dict[str, np.ndarray]:
    """Demand cell centres and counts, service points and capacities (deterministic)."""
    n_side, n_services = (40, 30) if quick else (200, 500)
    rng = np.random.default_rng(SEED)
    centres = (np.arange(n_side) + 0.5) * CELL_M
    gx, gy = np.meshgrid(centres, centres)
    demand_xy = np.column_stack([gx.ravel() + X0, gy.ravel() + Y0])
    need = rng.integers(1, 300, len(demand_xy)).astype(np.float64)
    supply_xy = rng.uniform(0, n_side * CELL_M, (n_services, 2)) + np.array([X0, Y0])
    capacity = rng.integers(1, 100, n_services).astype(np.float64)
    return {"demand_xy": demand_xy, "need": need, "supply_xy": supply_xy, "capacity": capacity}


def run_access(data: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, float]]:
    """PySAL access: Euclidean cost table (cross join) + two_stage_fca."""
    import logging
    import warnings

    from bench._peers import access_frames, access_two_stage_fca

    logging.getLogger("access").setLevel(logging.WARNING)
    # access 1.1.10 calls GeoDataFrame.drop(inplace=True), deprecated in pandas 3.1
    warnings.filterwarnings("ignore", message="The inplace keyword")
    args = (data["demand_xy"], data["need"], data["supply_xy"], data["capacity"])
    demand, supply = access_frames(*args, crs=CRS)
    before = rss_mb()
    start = time.perf_counter()
    values, pairs = access_two_stage_fca(demand, supply, radius_m=RADIUS_M)
    seconds = time.perf_counter() - start
    return values, {"seconds": seconds, "peak_mb": peak_mb() - before, "pairs": pairs}


def run_ours(data: dict[str, np.ndarray]) -> tuple[np.ndarray, dict[str, float]]:
    """geo.access: the numeric core on arrays, and the GeoDataFrame adapter."""
    from bench._peers import access_frames
    from geo.access import catchment_pairs, two_step_fca, two_step_fca_core

    args = (data["demand_xy"], data["need"], data["supply_xy"], data["capacity"])
    before = rss_mb()
    start = time.perf_counter()
    values = two_step_fca_core(*args, radius_m=RADIUS_M)
    first = time.perf_counter() - start
    memory = peak_mb() - before
    best = first
    for _ in range(REPEATS - 1):
        start = time.perf_counter()
        two_step_fca_core(*args, radius_m=RADIUS_M)
        best = min(best, time.perf_counter() - start)
    demand, supply = access_frames(*args, crs=CRS)
    adapter = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        series = two_step_fca(
            demand, supply, demand_col="pop", capacity_col="cap", radius_m=RADIUS_M
        )
        adapter = min(adapter, time.perf_counter() - start)
    assert np.array_equal(series.to_numpy(), values)
    pairs = len(catchment_pairs(data["demand_xy"], data["supply_xy"], radius_m=RADIUS_M)[0])
    return values, {
        "seconds": best,
        "first_seconds": first,
        "adapter_seconds": adapter,
        "peak_mb": memory,
        "pairs": pairs,
    }


def side(name: str, quick: bool, out: Path) -> None:
    """Run one side (in its own process) and write its result and figures."""
    data = instance(quick)
    values, figures = (run_access if name == "access" else run_ours)(data)
    np.save(out.with_suffix(".npy"), values)
    out.write_text(json.dumps(figures), encoding="utf-8")


def in_subprocess(name: str, quick: bool, folder: Path) -> tuple[np.ndarray, dict[str, float]]:
    out = folder / f"{name}.json"
    cmd = [sys.executable, __file__, "--side", name, "--out", str(out)] + (
        ["--quick"] if quick else []
    )
    subprocess.run(cmd, check=True, cwd=PROJECT)  # noqa: S603 (this script, this interpreter)
    return np.load(out.with_suffix(".npy")), json.loads(out.read_text(encoding="utf-8"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instance (seconds)")
    parser.add_argument("--side", choices=["access", "ours"], help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        side(args.side, args.quick, args.out)
        return 0

    from importlib.metadata import version

    data = instance(args.quick)
    n_demand, n_supply = len(data["demand_xy"]), len(data["supply_xy"])
    print(
        f"instance: {n_demand:,} demand cells of {CELL_M:g} m, {n_supply} services, "
        f"radius {RADIUS_M:g} m, {os.cpu_count()} cores, access {version('access')}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        theirs, access_fig = in_subprocess("access", args.quick, Path(tmp))
        ours, ours_fig = in_subprocess("ours", args.quick, Path(tmp))

    denominator = np.where(theirs == 0, 1.0, np.abs(theirs))
    max_rel = float(np.max(np.abs(ours - theirs) / denominator))
    assert max_rel < 1e-9, f"results differ: max relative difference {max_rel:.3g}"
    assert access_fig["pairs"] == ours_fig["pairs"], (access_fig["pairs"], ours_fig["pairs"])
    speedup = access_fig["seconds"] / ours_fig["seconds"]
    adapter_speedup = access_fig["seconds"] / ours_fig["adapter_seconds"]
    print(
        f"access create_euclidean_distance + two_stage_fca: {access_fig['seconds']:.3f} s, "
        f"peak memory +{access_fig['peak_mb']:.1f} MB"
    )
    print(
        f"ours two_step_fca_core: {ours_fig['seconds']:.4f} s (best of {REPEATS}; first call "
        f"{ours_fig['first_seconds']:.4f} s), peak memory +{ours_fig['peak_mb']:.1f} MB"
    )
    print(
        f"ours two_step_fca (GeoDataFrame adapter): {ours_fig['adapter_seconds']:.4f} s "
        f"(best of {REPEATS}), {adapter_speedup:.0f} x faster than access"
    )
    print(
        f"pairs within {RADIUS_M:g} m: {ours_fig['pairs']:,} of {n_demand * n_supply:,} "
        f"({100 * ours_fig['pairs'] / (n_demand * n_supply):.2f}%), same in both"
    )
    print(f"max relative difference: {max_rel:.2e} (< 1e-9: identical)")
    print(
        f"goals: >= 50 x faster {'met' if speedup >= 50 else 'MISSED'}; "
        f"our peak < 100 MB {'met' if ours_fig['peak_mb'] < 100 else 'MISSED'}"
    )
    print(f"ratio: ours is {speedup:.0f} x faster than access")
    return 0


if __name__ == "__main__":
    sys.exit(main())
