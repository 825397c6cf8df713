"""Shared fixtures: a tiny registry small enough to check by hand."""

from __future__ import annotations

import json
from pathlib import Path
from typing import NoReturn

import pytest

PROJECT = Path(__file__).resolve().parents[1]

TINY_TOML = """
[layers.places]
file = "places.geojson"
title = { es = "Lugares", en = "Places" }
description = { es = "Prueba", en = "Test" }
kind = "care_block"
geometry = "Point"
crs = "EPSG:4326"
id_field = "id"
source = "test"
licence = "CC0"
date = "2025-01-01"
precision = "exact"
region = "bogota"
[layers.places.columns]
id = "str"
name = "str"
kind = "str"
operator = "str"
populations = "str"
services = "str"
country = "str"
city = "str"
source = "str"
location_precision = "str"
capacity = "int?"
"""


def tiny_features() -> list[dict]:
    """Three care places on a line in Bogotá, with hand-picked attributes."""
    rows = [
        ("a", "Alfa", "public", "children;carers", "child_care;respite", -74.10, 4.60),
        ("b", "Beta", "cooperative", "older", "older_care", -74.09, 4.60),
        ("c", "Gamma", "community", "disability;carers", "disability_care;legal_aid", -74.08, 4.60),
    ]
    return [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": fid,
                "name": name,
                "kind": "care_block",
                "operator": operator,
                "populations": populations,
                "services": services,
                "country": "CO",
                "city": "Bogotá",
                "source": "test fixture",
                "location_precision": "exact",
                "capacity": 10,
            },
        }
        for fid, name, operator, populations, services, lon, lat in rows
    ]


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A data folder with a one-layer registry and its GeoJSON."""
    (tmp_path / "layers.toml").write_text(TINY_TOML, encoding="utf-8")
    write_layer(tmp_path, tiny_features())
    return tmp_path


def write_layer(folder: Path, features: list[dict]) -> Path:
    """Write ``places.geojson`` with these features."""
    path = folder / "places.geojson"
    doc = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


# ----------------------------------------------------------------- official layers
# Bogotá's official open layers are never copied into the repository: tests read the
# copy in ../shared/data/bogota (CI has it). Where it is absent (a user's own clone) the
# tests that need it skip with a reason; with CARE_ATLAS_REQUIRE_OFFICIAL=1 (set by
# .ci/run) they fail instead, so CI cannot pass by skipping them.
OFFICIAL_DIR = PROJECT.parent / "shared" / "data" / "bogota"


def skip_or_fail(reason: str) -> NoReturn:
    """Skip the test for ``reason``, or fail it when CARE_ATLAS_REQUIRE_OFFICIAL=1."""
    import os

    if os.environ.get("CARE_ATLAS_REQUIRE_OFFICIAL", "").strip() in ("1", "true"):
        pytest.fail(reason + " CARE_ATLAS_REQUIRE_OFFICIAL=1 requires them.")
    pytest.skip(reason)


def official_dir_or_skip() -> Path:
    """The official Bogotá layers folder, or skip (fail when they are required)."""
    if (OFFICIAL_DIR / "README.md").is_file():
        return OFFICIAL_DIR
    skip_or_fail(
        f"Bogotá's official layers are not at {OFFICIAL_DIR}; download them from Datos "
        "Abiertos Bogotá (see README 'Real data for Bogotá') to run this test."
    )


@pytest.fixture(scope="session")
def official_dir() -> Path:
    """Folder of Bogotá's official layers (``../shared/data/bogota``); see above."""
    return official_dir_or_skip()


@pytest.fixture(scope="session")
def atlas_dir(official_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An atlas folder built once per test session from the official layers.

    Built with ``python -m geo atlas``'s own function into a temporary folder (never
    into the repository).
    """
    from geo.io.atlas.build import build_atlas

    out = tmp_path_factory.mktemp("atlas") / "bogota"
    build_atlas(official_dir, out)
    return out
