"""Browser measurements of the pages' speed on Bogotá's official atlas (issue 16).

Debian's Chromium driven by Playwright against a Streamlit server on 127.0.0.1 (no
request leaves the machine), at 1440x900. Printed, in this order:

1. **First Explore map on a warm server**: from navigation to the map's markers drawn,
   median of 3 new sessions after one warm-up visit. Target <= 3 s.
2. **Filter change -> map updated**: in one session, a care layer is removed from the
   "Layers" filter (its tag's x); time from the click to the map's marker count
   changing, median of the changes. Target <= 0.5 s.
3. **Server RSS after 5 sessions closed**: RSS with one session open, then after five
   more sessions opened Explore and were closed (the server given 40 s to drop them).
   Target: within 100 MB of the one-session figure.

The atlas is built into a temporary folder from ``../shared/data/bogota`` (or
``--atlas DIR`` to use one already built). Usage:
``python bench/bench_pages.py [--atlas DIR]``
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench._browser import MAP_IFRAME, MARKERS, atlas_session, open_map  # noqa: E402
from bench._timing import rss_mb  # noqa: E402

TAGS = '[data-testid="stSidebar"] [data-testid="stMultiSelect"] >> nth=0 >> [data-tag]'


def _count(frame) -> int:
    return frame.locator(MARKERS).count()


def measure(atlas: Path, tmp: Path) -> None:
    with atlas_session(atlas, tmp) as run:
        server = run.server

        cold, context, _ = open_map(run)
        context.close()
        firsts = []
        for _ in range(3):
            seconds, context, _ = open_map(run)
            firsts.append(seconds)
            context.close()
        print(
            f"first Explore map, warm server: median {statistics.median(firsts):.2f} s "
            f"over 3 new sessions (cold server {cold:.2f} s; target <= 3 s)"
        )

        seconds, context, page = open_map(run)
        frame = page.frame_locator(MAP_IFRAME).first
        page.wait_for_timeout(1500)  # let the first run settle
        changes = []
        while page.locator(TAGS).count() > 1 and len(changes) < 7:
            before = _count(frame)
            close = page.locator(TAGS).first.locator('[aria-label^="Remove"]')
            start = time.perf_counter()
            close.click()
            deadline = start + 30
            while _count(frame) == before and time.perf_counter() < deadline:
                page.wait_for_timeout(10)
            changes.append(time.perf_counter() - start)
            page.wait_for_timeout(800)  # let the rerun finish before the next change
        if changes:
            print(
                f"filter change -> map updated: median {statistics.median(changes):.2f} s "
                f"over {len(changes)} changes (min {min(changes):.2f}, max "
                f"{max(changes):.2f}; target <= 0.5 s)"
            )
        else:
            print("filter change -> map updated: no layer tag found to remove (not measured)")

        one = rss_mb(server.process.pid)
        others = [open_map(run)[1] for _ in range(5)]
        busy = rss_mb(server.process.pid)
        for other in others:
            other.close()
        context.close()
        time.sleep(40)
        after = rss_mb(server.process.pid)
        print(
            f"server RSS: one session {one:.0f} MB; six open {busy:.0f} MB; 40 s after "
            f"closing them all {after:.0f} MB ({after - one:+.0f} MB; target within 100 MB)"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--atlas", type=Path, help="an atlas folder already built")
    parser.add_argument("--source", type=Path, default=PROJECT.parent / "shared/data/bogota")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        atlas = args.atlas
        if atlas is None:
            if not args.source.is_dir():
                print(f"no official layers at {args.source}: nothing measured")
                return 1 if os.environ.get("CARE_ATLAS_REQUIRE_OFFICIAL") == "1" else 0
            from geo.io.atlas.build import build_atlas

            atlas = tmp / "atlas"
            build_atlas(args.source, atlas)
        measure(atlas, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
