"""The peers' documented workflows, shared by a benchmark and the test that checks against it.

Not a benchmark itself (the leading underscore keeps it out of ``bench/bench_*.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def access_frames(
    demand_xy: np.ndarray,
    need: np.ndarray,
    supply_xy: np.ndarray,
    capacity: np.ndarray,
    *,
    crs: str,
) -> tuple[Any, Any]:
    """Demand (``pop``) and supply (``cap``) points as PySAL access reads them (index ``geoid``)."""
    import geopandas as gpd

    demand = gpd.GeoDataFrame(
        {"pop": need}, geometry=gpd.points_from_xy(demand_xy[:, 0], demand_xy[:, 1]), crs=crs
    ).rename_axis("geoid")
    supply = gpd.GeoDataFrame(
        {"cap": capacity}, geometry=gpd.points_from_xy(supply_xy[:, 0], supply_xy[:, 1]), crs=crs
    ).rename_axis("geoid")
    return demand, supply


def access_two_stage_fca(
    demand: Any,
    supply: Any,
    *,
    radius_m: float,
    weight_fn: Callable[[Any], Any] | None = None,
) -> tuple[np.ndarray, int]:
    """PySAL access's documented workflow: Euclidean cost table, then ``two_stage_fca``.

    access keeps d < threshold in ``create_euclidean_distance`` and d <= max_cost in
    ``two_stage_fca``, so the threshold is the next float above the radius (both
    inclusive, like ours). access returns the raw (not normalised) ratio sum_j R_j, the
    same quantity as ours, but NaN for a location that reaches no supply, where ours is
    0 (documented): converted with fillna(0).

    Returns the value per demand point (in ``demand``'s order) and the number of
    demand-supply pairs in access's cost table.
    """
    from access import Access

    model = Access(
        demand_df=demand,
        demand_index=True,
        demand_value="pop",
        supply_df=supply,
        supply_index=True,
        supply_value="cap",
    )
    model.create_euclidean_distance(threshold=np.nextafter(radius_m, np.inf))
    result = model.two_stage_fca(max_cost=radius_m, weight_fn=weight_fn, normalize=False)
    values = result["2sfca_cap"].reindex(demand.index).fillna(0.0).to_numpy()
    return values, len(model.cost_df)
