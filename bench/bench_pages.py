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

CHROMIUM = os.environ.get("CARE_ATLAS_CHROMIUM", "/usr/bin/chromium")
MAP_IFRAME = 'iframe[title="streamlit_folium.st_folium"]'
MARKERS = "path.leaflet-interactive"
TAGS = '[data-testid="stSidebar"] [data-testid="stMultiSelect"] >> nth=0 >> [data-tag]'


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _count(frame) -> int:
    return frame.locator(MARKERS).count()


def measure(atlas: Path, tmp: Path) -> None:
    from playwright.sync_api import sync_playwright

    from tests.e2e.conftest import start_server, stop_server

    server = start_server(
        tmp,
        {
            "CARE_ATLAS_DATA_DIR": str(atlas),
            "CARE_ATLAS_STORE_PATH": str(tmp / "store.sqlite"),
            "CARE_ATLAS_RESULTS_DIR": str(tmp / "runs"),
        },
    )
    outside: list[str] = []
    try:
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
            )

            def session():
                context = chromium.new_context(viewport={"width": 1440, "height": 900})

                def guard(route) -> None:
                    if route.request.url.startswith(("data:", "blob:", "about:", server.url)):
                        route.continue_()
                    else:
                        outside.append(route.request.url)
                        route.abort()

                context.route("**/*", guard)
                return context, context.new_page()

            def first_map() -> tuple[float, object, object]:
                context, page = session()
                start = time.perf_counter()
                page.goto(f"{server.url}/?lang=es")
                frame = page.frame_locator(MAP_IFRAME).first
                frame.locator(MARKERS).nth(200).wait_for(timeout=120_000)
                return time.perf_counter() - start, context, page

            cold, context, _ = first_map()
            context.close()
            firsts = []
            for _ in range(3):
                seconds, context, _ = first_map()
                firsts.append(seconds)
                context.close()
            print(
                f"first Explore map, warm server: median {statistics.median(firsts):.2f} s "
                f"over 3 new sessions (cold server {cold:.2f} s; target <= 3 s)"
            )

            seconds, context, page = first_map()
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

            one = _rss_mb(server.process.pid)
            others = [first_map()[1] for _ in range(5)]
            busy = _rss_mb(server.process.pid)
            for other in others:
                other.close()
            context.close()
            time.sleep(40)
            after = _rss_mb(server.process.pid)
            print(
                f"server RSS: one session {one:.0f} MB; six open {busy:.0f} MB; 40 s after "
                f"closing them all {after:.0f} MB ({after - one:+.0f} MB; target within 100 MB)"
            )
            chromium.close()
    finally:
        stop_server(server)
    print(f"requests that tried to leave the machine: {len(outside)}")
    if outside:
        raise SystemExit(f"requests left the machine: {outside[:3]}")


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
            from geo.atlas.build import build_atlas

            atlas = tmp / "atlas"
            build_atlas(args.source, atlas)
        measure(atlas, tmp)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
