"""Shared by the benchmarks: timing a call, memory, and the official layers they may need.

Not a benchmark itself (the leading underscore keeps it out of ``bench/bench_*.py``).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


def best_of(repeats: int, fn: Callable[[], Any]) -> tuple[float, Any]:
    """Best wall time of ``repeats`` calls, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory of a process (this one by default) now, in MB (Linux ``/proc``)."""
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def peak_mb() -> float:
    """Peak resident memory of this process so far, in MB (ru_maxrss is in KB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def official_layers_missing(source: Path) -> bool:
    """Say so (and return True) when ``source`` holds no official layers to measure.

    With ``CARE_ATLAS_REQUIRE_OFFICIAL=1`` their absence ends the run with an error.
    """
    if (source / "localidades").exists():
        return False
    message = f"official layers not found in {source}: nothing measured"
    if os.environ.get("CARE_ATLAS_REQUIRE_OFFICIAL") == "1":
        raise SystemExit(message)
    print(message)
    return True


@contextlib.contextmanager
def official_run(
    parser: argparse.ArgumentParser, *, default: Path, prefix: str
) -> Iterator[tuple[argparse.Namespace, Path] | None]:
    """Parse the official-run options and give a temporary folder for the run.

    ``--source`` and ``--no-browser`` join the caller's own options; ``None`` instead
    when :func:`official_layers_missing` says so.
    """
    parser.add_argument("--source", type=Path, default=default)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium part")
    args = parser.parse_args()
    if official_layers_missing(args.source):
        yield None
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp_name:
        yield args, Path(tmp_name)
