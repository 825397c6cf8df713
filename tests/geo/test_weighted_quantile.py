"""geo.gaps.weighted_quantile: the value of the person at a given rank."""

from __future__ import annotations

import numpy as np
import pytest

from geo.gaps import weighted_median, weighted_quantile


def test_by_hand() -> None:
    values = np.array([1.0, 2.0, 3.0, 4.0])
    weights = np.array([10.0, 0.0, 30.0, 60.0])  # 100 people
    assert weighted_quantile(values, weights, 0.0) == 1.0
    assert weighted_quantile(values, weights, 0.1) == 1.0  # the 10th person has 1
    assert weighted_quantile(values, weights, 0.2) == 3.0  # value 2 has no one
    assert weighted_quantile(values, weights, 0.5) == 4.0
    assert weighted_quantile(values, weights, 1.0) == 4.0
    assert weighted_median(values, weights) == 4.0


def test_nan_and_no_weight() -> None:
    assert weighted_quantile(np.array([np.nan, 5.0]), np.array([1.0, 1.0]), 0.9) == 5.0
    assert np.isnan(weighted_quantile(np.array([1.0]), np.array([0.0]), 0.5))
    with pytest.raises(ValueError, match=r"within 0\.\.1"):
        weighted_quantile(np.array([1.0]), np.array([1.0]), 1.5)
