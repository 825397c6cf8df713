"""geo.filters: facets are OR within, AND across; empty means all."""

from __future__ import annotations

from pathlib import Path

import pytest

from geo.filters import filter_features, has_any_code
from geo.layers import load_layer, load_registry


@pytest.fixture
def places(tiny_dir: Path):
    reg = load_registry(tiny_dir)
    return load_layer(reg["places"], data_dir=tiny_dir)


def test_no_facet_keeps_everything(places) -> None:
    assert list(filter_features(places).index) == ["a", "b", "c"]


@pytest.mark.parametrize(
    ("facets", "expected"),
    [
        ({"populations": ["carers"]}, ["a", "c"]),
        ({"populations": ["older", "children"]}, ["a", "b"]),
        ({"services": ["legal_aid"]}, ["c"]),
        ({"operators": ["cooperative", "community"]}, ["b", "c"]),
        ({"populations": ["carers"], "operators": ["community"]}, ["c"]),
        ({"services": ["older_care"], "populations": ["carers"]}, []),
        ({"countries": ["BO"]}, []),
        ({"cities": ["Bogotá"]}, ["a", "b", "c"]),
    ],
)
def test_facets(places, facets, expected) -> None:
    assert list(filter_features(places, **facets).index) == expected


def test_input_not_mutated(places) -> None:
    before = places.copy()
    out = filter_features(places, services=["respite"])
    out.loc[:, "name"] = "changed"
    assert places.equals(before)


def test_layer_without_the_column_matches_no_selection(places) -> None:
    no_ops = places.drop(columns=["operator"])
    assert filter_features(no_ops, operators=["public"]).empty
    assert len(filter_features(no_ops)) == 3


def test_has_any_code_ignores_blanks_and_none() -> None:
    import pandas as pd

    values = pd.Series(["a; b", "", None, "c"])
    assert has_any_code(values, ["b"]).tolist() == [True, False, False, False]
