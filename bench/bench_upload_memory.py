"""Bytes the app still holds after a rejected upload (issue 14.5).

Runs the Data page in-process (Streamlit's AppTest), uploads a file the app refuses
and reruns the page once more, as when the person moves on. Python's allocations are
traced (tracemalloc); what is counted is the memory still alive whose allocation
traceback passes through the app's own code (``app_pages/``, ``ui/``, ``geo/``), so the
test harness's own copies of the file (the bytes it was given and the copy AppTest
registers as Streamlit's record on each run) are left out.

Cases: a file over the upload cap (refused from its size) and a file under the cap
that is not a layer (refused by the reader).

Usage: ``python bench/bench_upload_memory.py [--mb 30]``.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tracemalloc
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))
APP_DIRS = tuple(str(PROJECT / d) + os.sep for d in ("app_pages", "ui", "geo"))


def app_bytes(snapshot: tracemalloc.Snapshot) -> int:
    """Live bytes whose allocation traceback passes through the app's code."""
    total = 0
    for stat in snapshot.statistics("traceback"):
        if any(frame.filename.startswith(APP_DIRS) for frame in stat.traceback):
            total += stat.size
    return total


def measure(name: str, payload: bytes, cap_mb: int) -> tuple[int, int]:
    """``(after the rejecting run, after one more run)`` bytes held by the app."""
    os.environ["CARE_ATLAS_MAX_UPLOAD_MB"] = str(cap_mb)
    from streamlit.testing.v1 import AppTest

    from geo.settings import get_settings

    get_settings.cache_clear()
    at = AppTest.from_file(str(PROJECT / "app.py"), default_timeout=300)
    at.query_params["lang"] = "en"
    at.run()
    at.switch_page(str(PROJECT / "app_pages/data.py")).run()
    gc.collect()
    tracemalloc.start(25)
    at.file_uploader[0].set_value((name, payload, "application/geo+json")).run()
    assert at.error, "the file should have been refused"
    gc.collect()
    first = app_bytes(tracemalloc.take_snapshot())
    at.run()
    gc.collect()
    second = app_bytes(tracemalloc.take_snapshot())
    tracemalloc.stop()
    return first, second


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=30, help="size of the refused files (MB)")
    args = parser.parse_args()
    size = args.mb * 1024 * 1024
    over = b'{"type": "FeatureCollection", "features": []}' + b" " * size
    broken = b'{"type": "FeatureCollection", "features": [' + b" " * size
    cases = [
        ("over the cap", "grande.geojson", over, max(1, args.mb // 3)),
        ("not a layer", "roto.geojson", broken, args.mb * 2),
    ]
    print(f"refused file: {size / 1e6:.1f} MB; bytes the app still holds")
    for label, name, payload, cap in cases:
        first, second = measure(name, payload, cap)
        print(
            f"  {label:<13} after the refusal {first / 1e6:8.2f} MB"
            f"   after one more run {second / 1e6:8.2f} MB   ({second / size:.2f} copies)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
