"""Benchmark Care Atlas on Bogotá's official layers (issue 13's figures, one run).

Measured here, in this order:

1. **Import** of the whole official folder (``python -m geo atlas --force`` in a child
   process): wall time and peak memory (the child's maximum RSS). Targets: <= 3 min,
   <= 4 GB. Then the same command again (idempotent: nothing to do).
2. **Gaps recompute on a widget change** with the atlas loaded (demand grid, services
   and the prepared street network in memory, as the app holds them): ``run_gaps`` for
   a new number of minutes, straight line and along the streets, median of 5 changes.
   Targets: <= 0.5 s straight, <= 1 s along the streets.
3. **Straight line vs streets** per group: % of people within 15 minutes each way.
4. **First Explore map on a warm server** (Debian's Chromium driven by Playwright,
   no request leaving the machine): from navigation to the map's markers drawn, in a
   new browser context after one warm-up visit. Target <= 3 s. Then the **server's
   RSS with one session** (Explore and Gaps visited). Target <= 800 MB.

The official layers are read from ``../shared/data/bogota`` (or ``--source``); without
them the script says so and exits 0, or 1 when ``CARE_ATLAS_REQUIRE_OFFICIAL=1``.

Usage: ``python bench/bench_atlas.py [--source DIR] [--no-browser]``
"""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from bench._browser import atlas_session, open_map  # noqa: E402
from bench._timing import official_run, rss_mb  # noqa: E402
from geo import gaps  # noqa: E402
from geo.network import load_network  # noqa: E402

OFFICIAL = PROJECT.parent / "shared" / "data" / "bogota"

GROUPS = ["children", "older", "disability", "carers"]


def import_atlas(source: Path, out: Path) -> tuple[float, float, float]:
    """Run the importer twice; return (seconds, peak MB of the child, seconds of the rerun)."""
    cmd = [sys.executable, "-m", "geo", "atlas", "--source", str(source), "--out", str(out)]
    start = time.perf_counter()
    subprocess.run([*cmd, "--force"], check=True, cwd=PROJECT)  # noqa: S603 (our own CLI)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    start = time.perf_counter()
    done = subprocess.run(cmd, check=True, cwd=PROJECT, capture_output=True, text=True)  # noqa: S603
    again = time.perf_counter() - start
    assert "up to date" in done.stderr, done.stderr
    return seconds, peak_mb, again


def recompute(atlas: Path) -> None:
    cells = gaps.demand_grid(data_dir=atlas)
    services = gaps.care_supply(data_dir=atlas)
    network = load_network(next((atlas / "networks").glob("*.npz")))
    print(
        f"atlas: {len(cells):,} demand cells, {len(services):,} care services, "
        f"network {network.n_nodes:,} nodes"
    )
    runs = {}
    for mode, net in (("straight", None), ("network", network)):
        kwargs = {"groups": GROUPS, "zone_col": "zone", "network": net}
        gaps.run_gaps(cells, services, minutes=15, **kwargs)  # warm: snaps, trees
        times = []
        for minutes in (10, 20, 25, 30, 45):
            start = time.perf_counter()
            gaps.run_gaps(cells, services, minutes=minutes, **kwargs)
            times.append(time.perf_counter() - start)
        runs[mode] = gaps.run_gaps(cells, services, minutes=15, **kwargs)
        target = 0.5 if mode == "straight" else 1.0
        print(
            f"gaps recompute ({mode}): median {statistics.median(times):.3f} s over 5 widget "
            f"changes (max {max(times):.3f} s; target <= {target} s)"
        )
    print("within 15 min, % of people:   straight   streets   difference (points)")
    for group in GROUPS:
        a = runs["straight"].coverage.loc[group, "pct_covered"]
        b = runs["network"].coverage.loc[group, "pct_covered"]
        print(f"  {group:<12} {a:16.1f} {b:9.1f} {b - a:+12.1f}")
    headline = runs["network"].headline
    straight_cells = headline.get("n_cells_straight")
    if straight_cells is not None:
        print(f"  cells on straight-line fallback (street-layer gap): {straight_cells:,}")


def browser(atlas: Path, tmp: Path) -> None:
    with atlas_session(atlas, tmp) as run:

        def visit(path: str) -> float:
            seconds, context, _ = open_map(run, path)
            context.close()
            return seconds

        warm = visit("/?lang=es")
        first = [visit("/?lang=es") for _ in range(3)]
        print(
            f"first Explore map, warm server: median {statistics.median(first):.2f} s over 3 "
            f"new sessions (cold server: {warm:.2f} s; target <= 3 s)"
        )
        visit("/gaps?lang=es")
        print(
            f"server RSS with one session (Explore + Gaps): {rss_mb(run.server.process.pid):.0f} MB "
            "(target <= 800 MB)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    with official_run(parser, default=OFFICIAL, prefix="bench-atlas-") as run:
        if run is None:
            return 0
        args, tmp = run
        atlas = tmp / "atlas"
        seconds, peak_mb, again = import_atlas(args.source, atlas)
        print(
            f"import: {seconds:.1f} s, peak {peak_mb:,.0f} MB (targets <= 180 s, <= 4,096 MB); "
            f"second run (up to date): {again:.1f} s"
        )
        recompute(atlas)
        if not args.no_browser:
            browser(atlas, tmp)
    return 0


if __name__ == "__main__":
    sys.exit(main())
