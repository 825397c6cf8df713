"""Numbers in the reader's language: one helper for every page."""

from __future__ import annotations

import math

import pytest

from ui.render import fmt


@pytest.mark.parametrize(
    ("value", "lang", "digits", "expected"),
    [
        (4009, "es", 0, "4.009"),
        (45316, "es", 0, "45.316"),
        (85.94, "es", 1, "85,9"),
        (4009, "en", 0, "4,009"),
        (85.94, "en", 1, "85.9"),
        (1234567.891, "es", 2, "1.234.567,89"),
        (-0.2, "es", 0, "0"),
        (-1500, "es", 0, "-1.500"),
    ],
)
def test_number_uses_the_language_separators(value, lang, digits, expected):
    assert fmt.number(value, lang, digits=digits) == expected


@pytest.mark.parametrize("value", [None, "x", math.nan, math.inf])
def test_not_a_number_is_a_dash(value):
    assert fmt.integer(value, "es") == "–"
