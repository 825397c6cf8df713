"""Filter care features by what they offer, whom they serve, who runs them and where.

Within one facet the selected codes are alternatives (a service offering *any* of
the chosen services passes); facets combine with AND. An empty selection means
"no filter" for that facet, as in the UI.
"""

from __future__ import annotations

from collections.abc import Collection

import geopandas as gpd
import numpy as np
import pandas as pd

from geo import vocab


def has_any_code(values: pd.Series, codes: Collection[str]) -> np.ndarray:
    """Return a boolean mask: which ``;``-separated code lists contain any of ``codes``."""
    wanted = set(codes)
    return np.fromiter(
        (not wanted.isdisjoint(vocab.split_codes(v)) for v in values),
        dtype=bool,
        count=len(values),
    )


def filter_features(
    features: gpd.GeoDataFrame,
    *,
    services: Collection[str] = (),
    populations: Collection[str] = (),
    operators: Collection[str] = (),
    countries: Collection[str] = (),
    cities: Collection[str] = (),
) -> gpd.GeoDataFrame:
    """Keep the features that match every non-empty facet.

    Parameters
    ----------
    features
        A care layer with ``services``, ``populations``, ``operator``, ``country``
        and ``city`` columns (a layer without one of them matches no selection on
        that facet).
    services, populations
        Codes from :data:`geo.vocab.SERVICES` / :data:`geo.vocab.POPULATIONS`.
    operators
        Codes from :data:`geo.vocab.OPERATORS`.
    countries
        ISO 3166-1 alpha-2 codes.
    cities
        City names as written in the layers.

    Returns
    -------
    geopandas.GeoDataFrame
        The matching rows (a new frame; the input is not modified).
    """
    mask = np.ones(len(features), dtype=bool)
    for column, codes in (("services", services), ("populations", populations)):
        if codes:
            mask &= (
                has_any_code(features[column], codes)
                if column in features
                else np.zeros(len(features), dtype=bool)
            )
    for column, values in (("operator", operators), ("country", countries), ("city", cities)):
        if values:
            mask &= (
                features[column].isin(list(values)).to_numpy()
                if column in features
                else np.zeros(len(features), dtype=bool)
            )
    return features.loc[mask].copy()
