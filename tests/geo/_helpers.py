"""Small things several tests/geo modules share: paths, a metric CRS, reading shared files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd

from geo.layers import load_layer, load_registry
from tests.conftest import skip_or_fail

PROJECT = Path(__file__).resolve().parents[2]
SHARED = PROJECT.parent / "shared"  # the project's source documents, next to the repository
UTM = "EPSG:32618"  # Bogotá's UTM zone: offsets from (X0, Y0) are in metres
X0, Y0 = 600_000.0, 500_000.0


def sample_layer(layer_id: str) -> gpd.GeoDataFrame:
    """One bundled sample layer of ``data/``, loaded and checked through its registry."""
    registry = load_registry(PROJECT / "data")
    return load_layer(registry[layer_id], data_dir=PROJECT / "data")


def read_shared(path: Path, what: str) -> str:
    """The text of a project source document, or skip (fail when they are required)."""
    if not path.is_file():
        skip_or_fail(f"{what} not found at {path} (the project's source documents, ../shared).")
    return path.read_text(encoding="utf-8")


def run_python(
    *args: str | Path, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python <args>`` in the project folder (``env`` added to this process's).

    Never raises on a failed run: the caller checks the return code and the output.
    """
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=PROJECT,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        env=None if env is None else {**os.environ, **env},
    )


def run_bench(script: str, *, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``bench/<script> --quick``."""
    return run_python(PROJECT / "bench" / script, "--quick", timeout=timeout)


def run_geo(
    *args: str | Path, timeout: float, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the command line, ``python -m geo <args>``."""
    return run_python("-m", "geo", *args, timeout=timeout, env=env)
