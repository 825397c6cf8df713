"""Regional summaries: the training and certification offer per institution."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd

from geo import vocab


def _union_codes(values: pd.Series) -> str:
    codes: dict[str, None] = {}
    for value in values:
        codes.update(dict.fromkeys(vocab.split_codes(value)))
    return vocab.CODE_SEPARATOR.join(codes)


def institutions(offer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Collapse the offer (one row per standard or course) to one point per institution.

    Parameters
    ----------
    offer
        The ``training_offer`` layer: ``institution``, ``country``, ``city``,
        ``services``, ``populations``, ``standard``, ``source``,
        ``location_precision`` and point geometry (the institution's seat).

    Returns
    -------
    geopandas.GeoDataFrame
        Indexed by a stable id (``"<country>-<institution>"``), with ``name`` (the
        institution), the union of the ``services`` and ``populations`` codes, the
        number of rows (``n_standards``), the standards joined by ``" | "``, and the
        first row's place, source and precision.
    """
    if offer.empty:
        return offer.iloc[0:0].copy()
    rows = []
    for (country, name), group in offer.groupby(["country", "institution"], sort=True):
        first = group.iloc[0]
        rows.append(
            {
                "id": f"{country}-{name}",
                "name": name,
                "kind": "training",
                "operator": first.get("operator", "public"),
                "services": _union_codes(group["services"]),
                "populations": _union_codes(group["populations"]),
                "country": country,
                "city": first["city"],
                "n_standards": len(group),
                "standards": " | ".join(dict.fromkeys(group["standard"].astype(str))),
                "source": " ; ".join(dict.fromkeys(group["source"].astype(str))),
                "location_precision": first["location_precision"],
                "geometry": first.geometry,
            }
        )
    out = gpd.GeoDataFrame(rows, geometry="geometry", crs=offer.crs)
    return out.set_index(pd.Index(out["id"], name=None))
