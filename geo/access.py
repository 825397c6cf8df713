"""Walking access to care services: nearest service, 2SFCA, coverage, simultaneity, gaps.

One job, one module (about 1,000 lines): the straight-line access measures, which
share their CRS handling and input checks.

Every distance here is a straight-line distance in metres, measured in a metric CRS
(turn walking minutes into a radius with :func:`geo.profiles.reach_m`). The layers
passed to one function must share a CRS; a geographic CRS (e.g. EPSG:4326) is
projected to the demand layer's UTM zone (``demand.estimate_utm_crs()``) before any
measurement, so nothing is ever measured in degrees. Points are used as they are;
polygons (demand grid cells) by their centroid, computed in the metric CRS.

A UTM zone is accurate to well under 1% within about 3 degrees of longitude of its
central meridian: for a layer spanning several zones (a country, Latin America),
project it first to a metric CRS suited to its extent and pass that.

"Within reach" is inclusive everywhere: a service at exactly ``radius_m`` is reached.

The numeric cores work on plain ``(n, 2)`` coordinate arrays, so they can be tested
and benchmarked alone (``bench/``); the GeoDataFrame adapters check and project the
layers, call a core and put the result back on the demand layer's index:

* :func:`nearest_core` -> :func:`nearest`;
* :func:`catchment_pairs`, :func:`catchment_matrix` -> :func:`two_step_fca_core`
  -> :func:`two_step_fca`;
* :func:`coverage`, :func:`simultaneity` and :func:`unserved_areas` build on
  :func:`nearest_core` and on grid or polygon adjacency.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from pyproj import CRS
from scipy import ndimage, sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo.errors import LayerError

__all__ = [
    "Coverage",
    "DecayFunction",
    "Simultaneity",
    "catchment_matrix",
    "catchment_pairs",
    "coverage",
    "gaussian_decay",
    "nearest",
    "nearest_core",
    "present_geometries",
    "simultaneity",
    "two_step_fca",
    "two_step_fca_core",
    "unserved_areas",
]

log = logging.getLogger(__name__)

DecayFunction = Callable[[np.ndarray, float], ArrayLike]
"""``f(distance_m, radius_m) -> weights``: a distance-decay weight, >= 0, one per distance."""

Decay = Literal["gaussian"] | DecayFunction | None

_POINT = 0
_POLYGONAL = (3, 6)  # Polygon, MultiPolygon
# Largest (rows x cols) bounding box labelled as a dense raster; beyond it (sparse or
# huge grid indices) unserved_areas uses polygon adjacency instead.
_MAX_DENSE_GRID_CELLS = 4_000_000  # a 4 MB mask and 16 MB of int32 labels
_RESERVED_COLUMNS = ("area_id", "n_cells", "area_km2", "rank", "geometry")


# --------------------------------------------------------------------------------------
# Layer checks and metric coordinates (one place for the CRS rule)
# --------------------------------------------------------------------------------------


def _check_layer(name: str, layer: gpd.GeoDataFrame) -> None:
    if not isinstance(layer, gpd.GeoDataFrame):
        raise LayerError(
            f"{name} layer must be a GeoDataFrame, not {type(layer).__name__}; "
            "build one with geopandas.GeoDataFrame(..., geometry=..., crs=...)."
        )
    if len(layer) == 0:
        raise LayerError(
            f"{name} layer is empty (0 rows); nothing to measure: check the filters or the "
            "file that produced it."
        )
    if layer.crs is None:
        raise LayerError(
            f"{name} layer has no CRS; set it (e.g. gdf.set_crs('EPSG:4326')) before analysis."
        )


def _metric_crs(name: str, layer: gpd.GeoDataFrame) -> CRS:
    """Return the CRS to measure ``layer`` in: its own if metric, else its UTM zone."""
    crs = CRS.from_user_input(layer.crs)
    if crs.is_geographic:
        return layer.estimate_utm_crs()
    units = {axis.unit_name for axis in crs.axis_info[:2]}
    if not units or not units <= {"metre", "meter"}:
        raise LayerError(
            f"{name} layer's CRS {crs.to_string()} is in {', '.join(sorted(units)) or 'unknown units'}, "
            "not metres; reproject it to a metric CRS (e.g. gdf.to_crs(gdf.estimate_utm_crs()))."
        )
    return crs


def _metric_layers(
    layers: Mapping[str, gpd.GeoDataFrame],
) -> tuple[dict[str, gpd.GeoDataFrame], CRS]:
    """Check layers and return them in one metric CRS (the first layer is the reference).

    Raises :class:`LayerError` if a layer is not a GeoDataFrame, is empty, has no CRS,
    or has a CRS different from the first layer's.
    """
    names = list(layers)
    for name in names:
        _check_layer(name, layers[name])
    ref_name = names[0]
    ref_crs = layers[ref_name].crs
    for name in names[1:]:
        if layers[name].crs != ref_crs:
            raise LayerError(
                f"Geodataframes crs are different: {ref_name} is {ref_crs.to_string()} vs "
                f"{name} is {layers[name].crs.to_string()}; reproject one of them with to_crs "
                f"(e.g. {name}.to_crs({ref_name}.crs))."
            )
    metric = _metric_crs(ref_name, layers[ref_name])
    if metric == ref_crs:
        return dict(layers), metric
    log.debug("projecting %s from %s to %s", ", ".join(names), ref_crs.to_string(), metric)
    return {name: layer.to_crs(metric) for name, layer in layers.items()}, metric


def present_geometries(layer: gpd.GeoDataFrame, *, what: str) -> np.ndarray:
    """Return the object array of the layer's shapely geometries, none missing or empty.

    Raises
    ------
    LayerError
        Naming ``what``, how many rows have no geometry and the first of them.
    """
    geoms = np.asarray(layer.geometry.values, dtype=object)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if missing.any():
        first = layer.index[np.flatnonzero(missing)[0]]
        raise LayerError(
            f"{what}: {int(missing.sum())} row(s) have no geometry (null or empty), "
            f"first {first!r}; drop them or give them a location."
        )
    return geoms


def _xy(name: str, layer: gpd.GeoDataFrame) -> np.ndarray:
    """``(n, 2)`` coordinates of points, or of polygon centroids, in the layer's CRS."""
    geoms = present_geometries(layer, what=f"{name} layer")
    types = shapely.get_type_id(geoms)
    usable = (types == _POINT) | np.isin(types, _POLYGONAL)
    if not usable.all():
        position = np.flatnonzero(~usable)[0]
        raise LayerError(
            f"{name} layer: row {layer.index[position]!r} is a {geoms[position].geom_type}; "
            "use points (services, people) or polygons (demand cells)."
        )
    if not (types == _POINT).all():
        geoms = shapely.centroid(geoms)
    xy = shapely.get_coordinates(geoms)
    if not np.isfinite(xy).all():
        first = layer.index[np.flatnonzero(~np.isfinite(xy).all(axis=1))[0]]
        raise LayerError(f"{name} layer: row {first!r} has non-finite coordinates; fix them.")
    return xy


def _metric_xy(layers: Mapping[str, gpd.GeoDataFrame]) -> list[np.ndarray]:
    """Metric ``(n, 2)`` coordinates of each layer, after the CRS checks."""
    metric, _ = _metric_layers(layers)
    return [_xy(name, layer) for name, layer in metric.items()]


def _numeric_column(name: str, layer: pd.DataFrame, column: str) -> np.ndarray:
    """A float64 copy of a count column, checked: present, numeric, no missing, >= 0."""
    if column not in layer.columns:
        raise LayerError(
            f"{name} layer has no column {column!r}; its columns are "
            f"{', '.join(map(str, layer.columns.drop(layer.geometry.name, errors='ignore')))}."
        )
    series = layer[column]
    if pd.api.types.is_bool_dtype(series.dtype) or not pd.api.types.is_numeric_dtype(series.dtype):
        raise LayerError(
            f"{name} column {column!r} has dtype {series.dtype}, not a number; convert it "
            "(e.g. pd.to_numeric(...))."
        )
    values = series.to_numpy(dtype=np.float64, na_value=np.nan)
    bad = ~np.isfinite(values)
    if bad.any():
        raise LayerError(
            f"{name} column {column!r} is missing or not finite in {int(bad.sum())} row(s), "
            f"first {layer.index[np.flatnonzero(bad)[0]]!r}; fill them (0 if there is nobody "
            "or no capacity) or drop the rows."
        )
    negative = values < 0
    if negative.any():
        position = np.flatnonzero(negative)[0]
        raise LayerError(
            f"{name} column {column!r} is negative in {int(negative.sum())} row(s), first "
            f"{layer.index[position]!r} = {values[position]}; counts and capacities are >= 0."
        )
    return values


def _groups(groups: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(groups, str):
        groups = (groups,)
    out = tuple(groups)
    if not out:
        raise ValueError("groups is empty; name at least one population column, e.g. ['carers'].")
    if len(set(out)) != len(out):
        raise ValueError(f"groups {list(out)} repeats a column; name each group once.")
    return out


# --------------------------------------------------------------------------------------
# Numeric cores (plain arrays, metres)
# --------------------------------------------------------------------------------------


def _as_xy(name: str, xy: ArrayLike) -> np.ndarray:
    array = np.asarray(xy, dtype=np.float64)
    if array.ndim != 2 or array.shape[1] != 2:
        raise ValueError(f"{name} must have shape (n, 2) (x, y in metres), not {array.shape}.")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} has NaN or infinite coordinates; drop or fix those rows.")
    return array


def _as_counts(name: str, values: ArrayLike, n: int) -> np.ndarray:
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (n,):
        raise ValueError(
            f"{name} must have shape ({n},), one value per location, not {array.shape}."
        )
    if not np.isfinite(array).all():
        raise ValueError(f"{name} has NaN or infinite values; use 0 where there is none.")
    if (array < 0).any():
        position = int(np.flatnonzero(array < 0)[0])
        raise ValueError(
            f"{name} is negative at position {position} ({array[position]}); values are >= 0."
        )
    return array


def _check_radius(radius_m: float, *, name: str = "radius_m", allow_zero: bool = False) -> float:
    ok = (
        isinstance(radius_m, int | float | np.integer | np.floating)
        and not isinstance(radius_m, bool)
        and math.isfinite(radius_m)
    )
    if not ok or radius_m < 0 or (radius_m == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(
            f"{name} = {radius_m!r} must be a finite distance in metres {bound} "
            "(geo.profiles.reach_m turns walking minutes into metres)."
        )
    return float(radius_m)


def nearest_core(
    demand_xy: ArrayLike,
    service_xy: ArrayLike,
    *,
    max_distance_m: float | None = None,
    workers: int = -1,
) -> tuple[np.ndarray, np.ndarray]:
    """Find the nearest service of each demand point (a KD-tree query).

    Parameters
    ----------
    demand_xy
        ``(n, 2)`` demand coordinates in metres.
    service_xy
        ``(m, 2)`` service coordinates in metres, ``m >= 1``.
    max_distance_m
        Only services at most this far (inclusive) count; ``None`` for no limit.
    workers
        Threads for the query (``-1``: all cores), as in :meth:`scipy.spatial.cKDTree.query`.

    Returns
    -------
    index : numpy.ndarray
        ``(n,)`` int64 position of the nearest service in ``service_xy``, ``-1`` where
        none is within ``max_distance_m``. Among equidistant services, any one.
    distance_m : numpy.ndarray
        ``(n,)`` float64 distance in metres, NaN where none is within ``max_distance_m``.
    """
    demand = _as_xy("demand_xy", demand_xy)
    services = _as_xy("service_xy", service_xy)
    if len(services) == 0:
        raise ValueError("service_xy is empty; there is no service to be near.")
    tree = cKDTree(services)
    if max_distance_m is None:
        distance, index = tree.query(demand, k=1, workers=workers)
        return index.astype(np.int64, copy=False), distance
    bound = _check_radius(max_distance_m, name="max_distance_m", allow_zero=True)
    # cKDTree's bound is exclusive: query a hair beyond it, then keep d <= bound.
    distance, index = tree.query(
        demand, k=1, workers=workers, distance_upper_bound=bound * (1 + 1e-12) + 1e-9
    )
    none = distance > bound  # also the inf returned where nothing is within the bound
    index = index.astype(np.int64, copy=False)
    index[none] = -1
    distance[none] = np.nan
    return index, distance


def catchment_pairs(
    demand_xy: ArrayLike, supply_xy: ArrayLike, *, radius_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """List every (demand, supply) pair within ``radius_m``, with its distance.

    Built with :meth:`scipy.spatial.cKDTree.sparse_distance_matrix`: the work and the
    memory grow with the number of pairs within reach, never with ``n x m``. Pairs at
    distance 0 (a service on a cell's centroid) are kept, since they are listed, not
    stored as matrix values.

    Parameters
    ----------
    demand_xy, supply_xy
        ``(n, 2)`` and ``(m, 2)`` coordinates in metres.
    radius_m
        Catchment radius in metres, > 0 (inclusive).

    Returns
    -------
    rows, cols : numpy.ndarray
        int64 positions in ``demand_xy`` and ``supply_xy``.
    distance_m : numpy.ndarray
        float64 distances in metres, ``0 <= distance_m <= radius_m``.
    """
    demand = _as_xy("demand_xy", demand_xy)
    supply = _as_xy("supply_xy", supply_xy)
    radius = _check_radius(radius_m)
    if len(demand) == 0 or len(supply) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty.copy(), np.empty(0, dtype=np.float64)
    pairs = cKDTree(demand).sparse_distance_matrix(cKDTree(supply), radius, output_type="ndarray")
    return (
        pairs["i"].astype(np.int64, copy=False),
        pairs["j"].astype(np.int64, copy=False),
        pairs["v"].astype(np.float64, copy=False),
    )


def gaussian_decay(distance_m: ArrayLike, radius_m: float) -> np.ndarray:
    """Return the Gaussian weight of Dai (2010): 1 at distance 0, 0 at ``radius_m``.

    ``w(d) = (exp(-0.5 (d / r)^2) - exp(-0.5)) / (1 - exp(-0.5))`` for ``d <= r``,
    0 beyond (Dai, D. 2010, "Black residential segregation, disparities in spatial
    access to health care facilities, and late-stage breast cancer diagnosis in
    metropolitan Detroit", Health & Place 16(5):1038-1052).

    Parameters
    ----------
    distance_m
        Distances in metres.
    radius_m
        Catchment radius in metres, > 0.
    """
    radius = _check_radius(radius_m)
    distance = np.asarray(distance_m, dtype=np.float64)
    edge = math.exp(-0.5)
    weight = (np.exp(-0.5 * (distance / radius) ** 2) - edge) / (1.0 - edge)
    return np.where(distance <= radius, np.clip(weight, 0.0, 1.0), 0.0)


def _decay_weights(distance_m: np.ndarray, radius_m: float, decay: Decay) -> np.ndarray:
    if decay is None:
        return np.ones_like(distance_m)
    if isinstance(decay, str):
        if decay != "gaussian":
            raise ValueError(
                f"decay = {decay!r} is not known; use None (binary catchment), 'gaussian' "
                "or a function f(distance_m, radius_m) -> weights."
            )
        return gaussian_decay(distance_m, radius_m)
    if not callable(decay):
        raise ValueError(
            f"decay must be None, 'gaussian' or a function f(distance_m, radius_m), "
            f"not {type(decay).__name__}."
        )
    weight = np.asarray(decay(distance_m, radius_m), dtype=np.float64)
    if weight.shape != distance_m.shape:
        weight = np.broadcast_to(weight, distance_m.shape).astype(np.float64)
    if not np.isfinite(weight).all() or (weight < 0).any():
        raise ValueError(
            "the decay function returned negative, NaN or infinite weights; weights must be "
            "finite and >= 0."
        )
    return weight


def catchment_matrix(
    demand_xy: ArrayLike, supply_xy: ArrayLike, *, radius_m: float, decay: Decay = None
) -> sparse.csr_matrix:
    """Return the sparse ``(n_demand, n_supply)`` matrix of catchment weights ``w_ij``.

    The matrix stores *weights*, not distances: a pair at distance 0 has weight 1
    (binary or Gaussian), so it is never lost as an implicit zero. Use
    :func:`catchment_pairs` for the distances themselves.

    Parameters
    ----------
    demand_xy, supply_xy, radius_m
        As in :func:`catchment_pairs`.
    decay
        ``None``: binary catchment, ``w_ij = 1`` within ``radius_m``;
        ``"gaussian"``: :func:`gaussian_decay`; or a function
        ``f(distance_m, radius_m) -> weights`` applied to the pairs within ``radius_m``.
        Pairs beyond ``radius_m`` always weigh 0. A pair whose weight is 0 (e.g. the
        Gaussian at exactly ``radius_m``) may be stored as an explicit zero.

    Returns
    -------
    scipy.sparse.csr_matrix
        float64 weights, one stored entry per pair within ``radius_m``.
    """
    demand = _as_xy("demand_xy", demand_xy)
    supply = _as_xy("supply_xy", supply_xy)
    rows, cols, distance = catchment_pairs(demand, supply, radius_m=radius_m)
    weight = _decay_weights(distance, float(radius_m), decay)
    return sparse.csr_matrix((weight, (rows, cols)), shape=(len(demand), len(supply)))


def two_step_fca_core(
    demand_xy: ArrayLike,
    demand_values: ArrayLike,
    supply_xy: ArrayLike,
    capacity: ArrayLike,
    *,
    radius_m: float,
    decay: Decay = None,
) -> np.ndarray:
    """Compute two-step floating catchment area (2SFCA / E2SFCA) accessibility.

    Step 1, for each supply ``j``: ``R_j = S_j / sum_i D_i w_ij``, its capacity per
    person in need within its catchment. Step 2, for each demand location ``i``:
    ``A_i = sum_j R_j w_ij``. ``w_ij`` comes from :func:`catchment_matrix`; both
    steps are sparse matrix-vector products.

    With ``decay=None`` (binary catchment) this is Luo & Wang's (2003) 2SFCA and gives
    the same numbers as PySAL ``access``'s ``Access.two_stage_fca`` (not normalised)
    on the same distances and ``max_cost = radius_m``, except that ``access`` leaves a
    location that reaches no supply as NaN where this returns 0 (tests/geo/test_access.py).

    Defined results instead of NaN or infinity:

    * a supply whose catchment holds no demand (no location, or only zero demand, or
      only zero weights) gets ``R_j = 0``: its capacity serves nobody and adds to no
      location, so ``sum_i D_i A_i`` equals the capacity of the supplies that reach
      some demand, not the total capacity;
    * a location that reaches no supply gets ``A_i = 0``.

    Parameters
    ----------
    demand_xy
        ``(n, 2)`` demand coordinates in metres.
    demand_values
        ``(n,)`` people in need at each location, >= 0.
    supply_xy
        ``(m, 2)`` supply coordinates in metres.
    capacity
        ``(m,)`` capacity of each supply (places, carers, hours...), >= 0.
    radius_m
        Catchment radius in metres, > 0 (inclusive).
    decay
        ``None`` (binary, 2SFCA), ``"gaussian"`` (E2SFCA with :func:`gaussian_decay`)
        or a function ``f(distance_m, radius_m) -> weights``.

    Returns
    -------
    numpy.ndarray
        ``(n,)`` float64 capacity per person in need within reach (multiply by 1,000
        for "per 1,000 people").

    Raises
    ------
    ValueError
        For negative, NaN or misshapen values, or a radius that is not > 0.
    """
    demand = _as_xy("demand_xy", demand_xy)
    supply = _as_xy("supply_xy", supply_xy)
    need = _as_counts("demand_values", demand_values, len(demand))
    cap = _as_counts("capacity", capacity, len(supply))
    weights = catchment_matrix(demand, supply, radius_m=radius_m, decay=decay)
    demand_in_reach = weights.T @ need  # sum_i D_i w_ij, one per supply
    ratio = np.zeros(len(supply), dtype=np.float64)
    np.divide(cap, demand_in_reach, out=ratio, where=demand_in_reach > 0)
    return np.asarray(weights @ ratio, dtype=np.float64)


# --------------------------------------------------------------------------------------
# GeoDataFrame adapters
# --------------------------------------------------------------------------------------


def _nullable(labels: pd.Index) -> pd.api.extensions.ExtensionArray | pd.Index:
    """Labels in a dtype that can hold a missing value without changing them."""
    dtype = labels.dtype
    if isinstance(dtype, np.dtype) and dtype.kind in "iu":
        prefix = "Int" if dtype.kind == "i" else "UInt"
        return pd.array(labels.to_numpy(), dtype=f"{prefix}{dtype.itemsize * 8}")
    if isinstance(dtype, np.dtype) and dtype.kind == "b":
        return pd.array(labels.to_numpy(), dtype="boolean")
    return labels  # float, string, object, datetime... already hold NaN / NaT


def nearest(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame, *, max_distance_m: float | None = None
) -> pd.DataFrame:
    """Find each demand location's nearest service and its straight-line distance.

    Parameters
    ----------
    demand
        Points or polygons (by centroid) with a CRS.
    services
        Points (or polygons, by centroid) in the same CRS.
    max_distance_m
        Only services at most this far (inclusive) count; ``None`` for no limit.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``demand``, with ``service_index`` (the nearest service's label in
        ``services.index``, in a nullable dtype: ``<NA>``/NaN where none is within
        ``max_distance_m``) and ``distance_m`` (float64 metres, NaN where none).

    Raises
    ------
    LayerError
        For an empty layer, a missing or different CRS, or unusable geometries.
    """
    demand_xy, service_xy = _metric_xy({"demand": demand, "services": services})
    index, distance = nearest_core(demand_xy, service_xy, max_distance_m=max_distance_m)
    found = index >= 0
    labels = services.index.take(np.where(found, index, 0))
    service_index = pd.Series(_nullable(labels), index=demand.index).where(found)
    return pd.DataFrame(
        {"service_index": service_index, "distance_m": distance}, index=demand.index
    )


def two_step_fca(
    demand: gpd.GeoDataFrame,
    supply: gpd.GeoDataFrame,
    *,
    demand_col: str,
    capacity_col: str,
    radius_m: float,
    decay: Decay = None,
) -> pd.Series:
    """Compute 2SFCA accessibility of each demand location (see :func:`two_step_fca_core`).

    Parameters
    ----------
    demand
        Demand points or cells (by centroid) with a CRS.
    supply
        Services in the same CRS.
    demand_col
        Column of ``demand`` with the people in need (>= 0, no missing values).
    capacity_col
        Column of ``supply`` with each service's capacity (>= 0, no missing values).
    radius_m
        Catchment radius in metres, > 0 (inclusive).
    decay
        ``None`` (binary, 2SFCA), ``"gaussian"`` (E2SFCA) or ``f(distance_m, radius_m)``.

    Returns
    -------
    pandas.Series
        ``capacity_per_person``, float64, indexed like ``demand``: capacity per person
        in need within reach; 0 where no supply is within reach.

    Raises
    ------
    LayerError
        For an empty layer, a missing or different CRS, a missing column, or
        missing or negative values (``LayerError`` is a ``ValueError``).
    """
    demand_xy, supply_xy = _metric_xy({"demand": demand, "supply": supply})
    need = _numeric_column("demand", demand, demand_col)
    cap = _numeric_column("supply", supply, capacity_col)
    access = two_step_fca_core(demand_xy, need, supply_xy, cap, radius_m=radius_m, decay=decay)
    return pd.Series(access, index=demand.index, name="capacity_per_person")


@dataclass(frozen=True)
class Coverage:
    """Who has a service within a walk, by group and zone.

    Attributes
    ----------
    covered
        bool, indexed like the demand layer: some service within ``radius_m``.
    totals
        One row per group (index ``group``), columns ``population``, ``covered``,
        ``unserved`` (people, float64) and ``pct_covered`` (0-100). A group with no
        people has ``population`` 0 and ``pct_covered`` 0.0, never NaN.
    by_zone
        One row per zone (index named after ``zone_col``), columns
        ``<group>_population``, ``<group>_covered`` and ``<group>_pct`` (0-100, 0.0
        where the zone has nobody of that group); ``None`` without ``zone_col``.
        Cells with a missing zone form their own row (missing label), so zones add up
        to the totals.
    """

    covered: pd.Series
    totals: pd.DataFrame
    by_zone: pd.DataFrame | None


def _pct(part: np.ndarray, whole: np.ndarray) -> np.ndarray:
    out = np.zeros(np.shape(whole), dtype=np.float64)
    np.divide(100.0 * np.asarray(part), whole, out=out, where=np.asarray(whole) > 0)
    return out


def coverage(
    demand: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    radius_m: float,
    groups: Sequence[str],
    zone_col: str | None = None,
) -> Coverage:
    """Count the people of each group with some service within ``radius_m``.

    Parameters
    ----------
    demand
        Demand points or cells (by centroid) with a CRS and one population column per
        group (>= 0, no missing values).
    services
        Services in the same CRS.
    radius_m
        Straight-line walking radius in metres, > 0 (inclusive; see
        :func:`geo.profiles.reach_m`).
    groups
        Population columns of ``demand`` (e.g. ``["children_0_5", "older_80", "carers"]``).
    zone_col
        Column of ``demand`` naming each cell's zone (e.g. locality) for ``by_zone``.

    Returns
    -------
    Coverage

    Raises
    ------
    LayerError
        For an empty layer, a missing or different CRS, or a missing or bad column.
    """
    names = _groups(groups)
    radius = _check_radius(radius_m)
    demand_xy, service_xy = _metric_xy({"demand": demand, "services": services})
    population = np.column_stack([_numeric_column("demand", demand, g) for g in names])
    if zone_col is not None and zone_col not in demand.columns:
        raise LayerError(
            f"demand layer has no zone column {zone_col!r}; pass an existing column or "
            "zone_col=None."
        )
    index, _ = nearest_core(demand_xy, service_xy, max_distance_m=radius)
    return coverage_from_mask(
        demand, index >= 0, groups=names, zone_col=zone_col, population=population
    )


def coverage_from_mask(
    demand: gpd.GeoDataFrame,
    reached: np.ndarray,
    *,
    groups: Sequence[str],
    zone_col: str | None = None,
    population: np.ndarray | None = None,
) -> Coverage:
    """The coverage tables of a given within-reach mask (any distance: straight or streets).

    ``reached`` holds one boolean per cell; ``population`` (cells x groups) may be
    passed when already read, else it is read from the group columns.
    """
    names = list(_groups(groups))
    if population is None:
        population = np.column_stack([_numeric_column("demand", demand, g) for g in names])
    reached = np.asarray(reached, dtype=bool)
    people = population.sum(axis=0)
    people_covered = population[reached].sum(axis=0)
    totals = pd.DataFrame(
        {
            "population": people,
            "covered": people_covered,
            "unserved": population[~reached].sum(axis=0),
            "pct_covered": _pct(people_covered, people),
        },
        index=pd.Index(names, name="group"),
    )

    by_zone = None
    if zone_col is not None:
        zones = demand[zone_col].reset_index(drop=True)  # positional: the index may repeat
        frame = pd.DataFrame(population, columns=names)
        pop_z = frame.groupby(zones, dropna=False, sort=True).sum()
        cov_z = frame.mul(reached, axis=0).groupby(zones, dropna=False, sort=True).sum()
        columns: dict[str, np.ndarray] = {}
        for g in names:
            columns[f"{g}_population"] = pop_z[g].to_numpy()
            columns[f"{g}_covered"] = cov_z[g].to_numpy()
            columns[f"{g}_pct"] = _pct(cov_z[g].to_numpy(), pop_z[g].to_numpy())
        by_zone = pd.DataFrame(columns, index=pop_z.index.rename(zone_col))

    return Coverage(
        covered=pd.Series(reached, index=demand.index, name="covered"),
        totals=totals,
        by_zone=by_zone,
    )


@dataclass(frozen=True)
class Simultaneity:
    """Carers who reach, in the same walk, care for the person they look after and for themselves.

    Attributes
    ----------
    share
        ``carers_both / carers_total`` (0-1); 0.0 when there are no carers.
    carers_total
        Carers in the demand layer.
    carers_both
        Carers with both kinds of service within the radius.
    both
        bool, indexed like the demand layer: both kinds within the radius.
    """

    share: float
    carers_total: float
    carers_both: float
    both: pd.Series


def simultaneity(
    demand: gpd.GeoDataFrame,
    care_services: gpd.GeoDataFrame,
    carer_services: gpd.GeoDataFrame,
    *,
    radius_m: float,
    carers_col: str = "carers",
) -> Simultaneity:
    """Measure Bogotá's "simultaneity" rule: care and carer services within one walk.

    A carer can use a service for themselves (respite, training, legal aid...) only if
    the person they look after is cared for meanwhile, so both kinds of service should
    be within the same walk from home. This returns the share of carers for whom a
    ``care_services`` service *and* a ``carer_services`` service are both within
    ``radius_m``.

    Parameters
    ----------
    demand
        Demand points or cells (by centroid) with a CRS and a carers column.
    care_services
        Services caring for the people who need care (same CRS).
    carer_services
        Services for the carers themselves (same CRS).
    radius_m
        Straight-line walking radius in metres, > 0 (inclusive).
    carers_col
        Column of ``demand`` with the number of carers (>= 0, no missing values).

    Returns
    -------
    Simultaneity
        With ``share = 0.0`` and ``carers_total = 0`` when the layer has no carers.

    Raises
    ------
    LayerError
        For an empty layer, a missing or different CRS, or a missing or bad column.
    """
    radius = _check_radius(radius_m)
    demand_xy, care_xy, carer_xy = _metric_xy(
        {"demand": demand, "care_services": care_services, "carer_services": carer_services}
    )
    carers = _numeric_column("demand", demand, carers_col)
    near_care = nearest_core(demand_xy, care_xy, max_distance_m=radius)[0] >= 0
    near_carer = nearest_core(demand_xy, carer_xy, max_distance_m=radius)[0] >= 0
    both = near_care & near_carer
    total = float(carers.sum())
    with_both = float(carers[both].sum())
    return Simultaneity(
        share=with_both / total if total > 0 else 0.0,
        carers_total=total,
        carers_both=with_both,
        both=pd.Series(both, index=demand.index, name="both"),
    )


def _covered_mask(demand: gpd.GeoDataFrame, covered: pd.Series | ArrayLike) -> np.ndarray:
    if isinstance(covered, pd.Series):
        if not covered.index.equals(demand.index):
            raise LayerError(
                "covered is not aligned with the demand layer (different index); pass the "
                "Coverage.covered computed on this same demand layer."
            )
        if covered.isna().any():
            raise LayerError("covered has missing values; every cell is covered or not.")
        return covered.to_numpy(dtype=bool)
    mask = np.asarray(covered)
    if mask.shape != (len(demand),):
        raise LayerError(
            f"covered has shape {mask.shape}, the demand layer has {len(demand)} rows; pass "
            "one boolean per demand cell."
        )
    return mask.astype(bool)


def _grid_labels(demand: gpd.GeoDataFrame, keep: np.ndarray) -> np.ndarray | None:
    """Rook-contiguity labels (1..k) of the kept cells from integer ``row``/``col``.

    Returns None when the layer has no usable grid indices.
    """
    if not {"row", "col"} <= set(demand.columns):
        return None
    row_s, col_s = demand["row"], demand["col"]
    if not (
        pd.api.types.is_integer_dtype(row_s.dtype) and pd.api.types.is_integer_dtype(col_s.dtype)
    ) or (row_s.isna().any() or col_s.isna().any()):
        log.debug("row/col are not integer grid indices; using polygon adjacency")
        return None
    rows = row_s.to_numpy(dtype=np.int64)[keep]
    cols = col_s.to_numpy(dtype=np.int64)[keep]
    r0, c0 = rows.min(), cols.min()
    shape = (int(rows.max() - r0) + 1, int(cols.max() - c0) + 1)
    if shape[0] * shape[1] > _MAX_DENSE_GRID_CELLS:
        log.debug("grid bounding box %s is too large for a raster; using polygon adjacency", shape)
        return None
    keys = (rows - r0) * shape[1] + (cols - c0)
    unique, counts = np.unique(keys, return_counts=True)
    if len(unique) < len(keys):
        r, c = np.divmod(unique[np.argmax(counts > 1)], shape[1])
        raise LayerError(
            f"demand layer has several cells at row={r + r0}, col={c + c0}; grid indices "
            "must be unique (one cell per row/col)."
        )
    raster = np.zeros(shape, dtype=bool)
    raster[rows - r0, cols - c0] = True
    labelled, _ = ndimage.label(raster)  # default structure: rook (4-neighbour) adjacency
    return labelled[rows - r0, cols - c0].astype(np.int64)


def _labels(demand: gpd.GeoDataFrame, keep: np.ndarray, geoms: np.ndarray) -> np.ndarray:
    """Contiguity labels of the kept cells: raster labelling on a grid, else polygons."""
    labels = _grid_labels(demand, keep)
    return _polygon_labels(geoms) if labels is None else labels


def _polygon_labels(geoms: np.ndarray) -> np.ndarray:
    """Rook-contiguity labels (1..k): polygons sharing an edge (or overlapping) join."""
    tree = shapely.STRtree(geoms)
    left, right = tree.query(geoms, predicate="intersects")
    pair = left < right
    left, right = left[pair], right[pair]
    a, b = geoms[left], geoms[right]
    # DE-9IM: boundaries meet along a line (dimension 1), or interiors intersect.
    rook = shapely.relate_pattern(a, b, "****1****") | shapely.relate_pattern(a, b, "T********")
    n = len(geoms)
    graph = sparse.coo_matrix(
        (np.ones(int(rook.sum()), dtype=np.int8), (left[rook], right[rook])), shape=(n, n)
    )
    _, labels = connected_components(graph, directed=False)
    return labels.astype(np.int64) + 1


def unserved_areas(
    demand: gpd.GeoDataFrame,
    covered: pd.Series | ArrayLike,
    *,
    groups: Sequence[str],
    min_population: float = 0,
    split_by: str | None = None,
) -> gpd.GeoDataFrame:
    """Merge contiguous uncovered demand cells into areas, ranked by people unserved.

    Cells are contiguous when they share an edge (rook adjacency). Grids from
    :mod:`geo.demand` carry integer ``row`` and ``col`` columns: then the cells are
    labelled as a raster with :func:`scipy.ndimage.label` (fast). Without them (or with
    non-integer or very sparse indices) the cells' polygons are compared through a
    spatial index (:class:`shapely.STRtree`, DE-9IM relate): slower, but any polygons
    work, including cells that overlap.

    Parameters
    ----------
    demand
        Polygon cells with a CRS and one population column per group.
    covered
        One boolean per cell (e.g. :attr:`Coverage.covered`; a Series must share the
        demand layer's index).
    groups
        Population columns of ``demand``; areas are ranked by their sum.
    min_population
        Drop areas where the groups add up to fewer people than this (default 0: keep all).
    split_by
        Optional column (e.g. the localidad): cells join only when they share its
        value, so a city-wide uncovered belt is reported as one area per zone, which
        is what a planner can act on. The value is kept in the output.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per area, sorted by ``rank``, in the demand layer's CRS: ``area_id``
        (component label, stable for a given input), ``n_cells``, ``area_km2``
        (measured in a metric CRS), one column per group with its people, ``rank``
        (1 = most people of the groups together; ties by ``area_id``) and
        ``geometry`` (the dissolved cells). Empty (same columns) when every cell is
        covered.

    Raises
    ------
    LayerError
        For an empty layer, no CRS, non-polygon cells, bad columns, a misaligned
        ``covered`` or repeated grid indices.
    """
    names = _groups(groups)
    clash = [g for g in names if g in _RESERVED_COLUMNS]
    if clash:
        raise ValueError(f"groups {clash} clash with output columns {list(_RESERVED_COLUMNS)}.")
    if not (isinstance(min_population, int | float) and math.isfinite(min_population)) or (
        min_population < 0
    ):
        raise ValueError(f"min_population = {min_population!r} must be a number >= 0.")
    _check_layer("demand", demand)
    metric = _metric_crs("demand", demand)
    population = np.column_stack([_numeric_column("demand", demand, g) for g in names])
    keep = ~_covered_mask(demand, covered)

    columns = ["area_id", "n_cells", "area_km2", *names, "rank"]
    if not keep.any():
        empty = pd.DataFrame({c: pd.Series(dtype=np.float64) for c in columns})
        empty = empty.astype({"area_id": np.int64, "n_cells": np.int64, "rank": np.int64})
        return gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=demand.crs), crs=demand.crs)

    geoms = present_geometries(demand, what="demand layer")[keep]
    types = shapely.get_type_id(geoms)
    if not np.isin(types, _POLYGONAL).all():
        first = demand.index[np.flatnonzero(keep)[np.flatnonzero(~np.isin(types, _POLYGONAL))[0]]]
        raise LayerError(
            f"demand layer: cell {first!r} is not a polygon; unserved areas are built from "
            "polygon cells (e.g. a grid from geo.demand)."
        )

    if split_by is None:
        labels = _labels(demand, keep, geoms)
        split_values = None
    else:
        if split_by not in demand.columns:
            raise LayerError(f"demand layer has no column {split_by!r} to split unserved areas by.")
        split = demand[split_by].to_numpy()
        split_values = split[keep]
        labels = np.zeros(int(keep.sum()), dtype=np.int64)
        offset = 0
        for value in pd.unique(split_values):
            inside = split_values == value
            part = _labels(demand, keep & (split == value), geoms[inside])
            labels[inside] = part + offset
            offset = int(labels.max())

    # Cells of a grid form a valid coverage (no overlaps, shared edges): the coverage
    # union is exact and about 15x faster than a general union of 40,000 squares.
    order_cells = np.argsort(labels, kind="stable")
    ids, starts = np.unique(labels[order_cells], return_index=True)
    bounds = [*starts[1:], len(order_cells)]
    merged = [
        shapely.coverage_union_all(geoms[order_cells[a:b]])
        for a, b in zip(starts, bounds, strict=True)
    ]
    kept_population = population[keep]
    sums = np.add.reduceat(kept_population[order_cells], starts, axis=0)
    areas = pd.DataFrame(sums, columns=list(names))
    areas.insert(0, "area_id", ids)
    areas["n_cells"] = np.diff([*starts, len(order_cells)])
    if split_values is not None and split_by is not None:
        areas[split_by] = split_values[order_cells][starts]
        columns.insert(1, split_by)
    areas = gpd.GeoDataFrame(areas, geometry=merged, crs=demand.crs)
    areas["area_km2"] = areas.geometry.to_crs(metric).area.to_numpy() / 1e6
    total = areas[list(names)].sum(axis=1).to_numpy()
    areas = areas.loc[total >= min_population]
    total = total[total >= min_population]
    order = np.lexsort((areas["area_id"].to_numpy(), -total))
    areas = areas.iloc[order].reset_index(drop=True)
    areas["rank"] = np.arange(1, len(areas) + 1, dtype=np.int64)
    areas["n_cells"] = areas["n_cells"].astype(np.int64)
    areas["area_id"] = areas["area_id"].astype(np.int64)
    return gpd.GeoDataFrame(areas[[*columns, "geometry"]], geometry="geometry", crs=demand.crs)
