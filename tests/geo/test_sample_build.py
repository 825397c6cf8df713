"""The sample-data builder reproduces the committed ``data/`` files byte for byte."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
DATA_DIR = PROJECT_DIR / "data"
SCRIPT = PROJECT_DIR / "tools" / "build_sample_data.py"
BUILT = [
    "care_blocks.geojson",
    "care_bus_stops.geojson",
    "home_care.geojson",
    "cooperatives.geojson",
    "training_offer.geojson",
    "national_systems.geojson",
    "localidades.geojson",
    "countries.geojson",
    "layers.toml",
]


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location("build_sample_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    try:
        spec.loader.exec_module(module)
        yield module
    finally:
        sys.modules.pop(spec.name, None)


@pytest.fixture(scope="module")
def built(builder, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("data")
    # Without the Natural Earth wheel the builder keeps the countries file it finds.
    shutil.copyfile(DATA_DIR / "countries.geojson", out / "countries.geojson")
    builder.build_all(out, out / "no-naturalearth.whl")
    return out


@pytest.mark.parametrize("name", BUILT)
def test_builder_reproduces_committed_file(built: Path, name: str) -> None:
    assert (built / name).read_bytes() == (DATA_DIR / name).read_bytes()


def test_builder_writes_nothing_else(built: Path) -> None:
    assert sorted(p.name for p in built.iterdir()) == sorted(BUILT)
