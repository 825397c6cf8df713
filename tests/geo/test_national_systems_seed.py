"""The national_systems layer cites passages that exist and shows where its sources disagree.

Reads the project's source documents next to the repository (``../shared/seeds`` and
``../shared/facts``); skips without them, fails then when ``CARE_ATLAS_REQUIRE_OFFICIAL=1``.
"""

from __future__ import annotations

import geopandas as gpd
import pytest

from tests.geo._helpers import SHARED, read_shared, sample_layer


def _read(relative: str) -> str:
    return read_shared(SHARED / relative, "project source document")


@pytest.fixture(scope="module")
def systems() -> gpd.GeoDataFrame:
    return sample_layer("national_systems")


def test_chile_cites_the_passages_that_mention_its_national_care_system(systems) -> None:
    seed_002 = _read("seeds/002_bd77f5086471c8fb.txt")
    seed_003 = _read("seeds/003_1cd62005c8acf292.txt")
    chile = systems.loc["ns-cl"]
    assert "Box 10" not in chile["source"]
    box10 = seed_002.split("► Box 10.")[1].split("Factor 3")[0]
    assert "National Care System" not in box10  # Box 10 is about ChileValora's pathways
    assert "Chile’s national care system" in seed_003 or "Chile's national care system" in seed_003
    assert "seed 003" in chile["source"]
    assert "during the design of the National Care System, ChileValora" in seed_002
    assert "guideline 6" in chile["source"] and "factor 1" in chile["source"]


def test_bogota_launch_year_shows_both_sources(systems) -> None:
    seed_001 = _read("seeds/001_add09d019266253c.txt")
    facts = _read("facts/README.md")
    assert "Launched in 2019" in seed_001
    assert "Launched 2020" in facts
    colombia = systems.loc["ns-co"]
    assert "seed 001" in colombia["source"] and "facts" in colombia["source"]
    for field in ("instrument", "instrument_en", "description_es", "description_en"):
        assert "2019" in colombia[field] and "2020" in colombia[field], field
