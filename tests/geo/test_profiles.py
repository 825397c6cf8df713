"""geo.profiles: walking speeds, the detour factor and the minutes <-> metres conversions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.profiles import (
    DEFAULT_DETOUR,
    PROFILES,
    WalkingProfile,
    get_profile,
    reach_m,
    walk_minutes,
)


def test_three_profiles_with_sources_and_both_labels() -> None:
    assert list(PROFILES) == ["adult", "older_or_pushchair", "wheelchair"]
    for key, profile in PROFILES.items():
        assert isinstance(profile, WalkingProfile)
        assert profile.id == key
        assert profile.label_es.strip() and profile.label_en.strip()
        assert len(profile.source) > 40  # names the guidance, not just a number
    assert PROFILES["adult"].speed_kmh == 4.5
    assert PROFILES["adult"].speed_kmh > PROFILES["older_or_pushchair"].speed_kmh
    assert PROFILES["older_or_pushchair"].speed_kmh > PROFILES["wheelchair"].speed_kmh
    # 0.9-1.07 m/s guidance for slower pedestrians; ~0.8 m/s for manual wheelchairs
    assert 0.9 <= PROFILES["older_or_pushchair"].speed_kmh / 3.6 <= 1.07
    assert 0.6 <= PROFILES["wheelchair"].speed_kmh / 3.6 <= 0.9


def test_profiles_are_frozen() -> None:
    with pytest.raises(AttributeError):
        PROFILES["adult"].speed_kmh = 6  # type: ignore[misc]


def test_default_detour_reproduces_bogotas_15_minutes_800_metres() -> None:
    # 15 min at 4.5 km/h = 1,125 m walked; over 800 m in a straight line: 1.406
    assert pytest.approx(DEFAULT_DETOUR, abs=0.01) == 1125 / 800
    assert reach_m(15) == pytest.approx(1125 / 1.4)  # 803.6 m
    assert reach_m(15) == pytest.approx(800, abs=5)


def test_reach_by_hand() -> None:
    assert reach_m(15, profile="older_or_pushchair") == pytest.approx(625.0)  # 875 m / 1.4
    assert reach_m(15, profile="wheelchair") == pytest.approx(500.0)  # 700 m / 1.4
    assert reach_m(10, detour=1) == pytest.approx(750.0)


def test_walk_minutes_by_hand_and_nan_passes_through() -> None:
    out = walk_minutes([0, 750, np.nan], detour=1)
    assert out[:2] == pytest.approx([0.0, 10.0])
    assert np.isnan(out[2])
    assert walk_minutes(500, profile="wheelchair") == pytest.approx(15.0)
    assert walk_minutes(np.array([[800.0]])).shape == (1, 1)


@given(
    minutes=st.floats(0.1, 240),
    profile=st.sampled_from(list(PROFILES)),
    detour=st.floats(1, 3),
)
def test_walk_minutes_inverts_reach(minutes: float, profile: str, detour: float) -> None:
    radius = reach_m(minutes, profile=profile, detour=detour)
    assert float(walk_minutes(radius, profile=profile, detour=detour)) == pytest.approx(minutes)


def test_unknown_profile_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match="adult, older_or_pushchair, wheelchair"):
        reach_m(15, profile="runner")
    with pytest.raises(ValueError, match="unknown walking profile 'runner'"):
        walk_minutes(100, profile="runner")
    with pytest.raises(ValueError, match="unknown walking profile"):
        get_profile("")


@pytest.mark.parametrize("minutes", [0, -5, math.nan, math.inf])
def test_minutes_must_be_positive(minutes: float) -> None:
    with pytest.raises(ValueError, match="minutes"):
        reach_m(minutes)


@pytest.mark.parametrize("detour", [0.99, 0, -1, math.nan])
def test_detour_must_be_at_least_one(detour: float) -> None:
    with pytest.raises(ValueError, match="detour"):
        reach_m(15, detour=detour)
    with pytest.raises(ValueError, match="detour"):
        walk_minutes(100, detour=detour)


def test_negative_distance_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        walk_minutes([100, -1])
