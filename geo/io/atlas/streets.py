"""The Malla Vial Integral (IDECA street centrelines) as the walking network.

:func:`malla_vial_network` turns the published segments into a
:class:`geo.network.StreetNetwork`: undirected, every segment walkable (the layer has
no road class, mode or one-way attribute), one edge per segment whose length is the
segment's own length in metres (its geometry, not the straight chord between its
ends), nodes where segment ends meet within :data:`DEFAULT_TOLERANCE_M`. The
``coverage_gap`` layer (where segments are missing) travels with the network as
:attr:`geo.network.StreetNetwork.gap`, so every distance that may run through it falls
back to straight line x detour (:func:`geo.gaps.run_gaps`,
:func:`geo.network.catchment_polygons`, :func:`geo.network.distances_from`).

The numeric core (:func:`join_endpoints`) works on plain arrays: a KD-tree of the
segment ends, the pairs closer than the tolerance, and the connected components of
those pairs as node ids; no Python loop over the segments.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from scipy import sparse
from scipy.sparse.csgraph import connected_components
from scipy.spatial import cKDTree

from geo.errors import LayerError
from geo.network import StreetNetwork, build_graph, calibrate_detour

__all__ = [
    "DEFAULT_TOLERANCE_M",
    "StreetsReport",
    "endpoint_tolerance_table",
    "join_endpoints",
    "malla_vial_network",
]

log = logging.getLogger(__name__)

DEFAULT_TOLERANCE_M = 1.0
"""Segment ends closer than this (metres) are one node; why 1 m: :func:`malla_vial_network`."""

SOURCE = "Malla Vial Integral (IDECA)"


@dataclass(frozen=True)
class StreetsReport:
    """What :func:`malla_vial_network` did with the street layer.

    Attributes
    ----------
    segments_in
        Features in the layer.
    segments_used
        Segments that became edges (MultiLineStrings count once per part).
    dropped
        ``(reason, count)`` of the features not used: ``"empty geometry"``,
        ``"not a line"``, ``"outside the area"``, ``"ends joined (loop)"`` (a segment
        whose two ends are one node: a closed ring, no use for walking between nodes).
    length_km
        Length of the segments used, in km (in ``crs``).
    n_nodes, n_edges
        Nodes and undirected edges of the graph (parallel segments keep the shortest).
    n_components
        Connected components.
    largest_share
        Share (0-1) of the nodes in the largest component.
    largest_length_share
        Share (0-1) of the street length in the largest component.
    tolerance_m
        Segment ends closer than this were joined into one node.
    ends_moved, max_move_m
        Segment ends that were moved to join another one (at a distance > 0), and the
        farthest any end moved (to the mean position of its node).
    crs
        The network's metric CRS.
    gap_km2
        Area of the coverage gap in km² (``None`` without a gap layer).
    detour_median, detour_p25, detour_p75, detour_pairs
        Detour factor (network / straight-line distance) measured on this network
        (:func:`geo.network.calibrate_detour`: node pairs 300 m - 3 km apart whose
        straight line stays outside the gap): median, quartiles and pairs measured.
    warnings
        Plain-English notes for the atlas report.
    """

    segments_in: int
    segments_used: int
    dropped: tuple[tuple[str, int], ...]
    length_km: float
    n_nodes: int
    n_edges: int
    n_components: int
    largest_share: float
    largest_length_share: float
    tolerance_m: float
    ends_moved: int
    max_move_m: float
    crs: str
    gap_km2: float | None
    detour_median: float
    detour_p25: float
    detour_p75: float
    detour_pairs: int
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def lines(self) -> list[str]:
        """Return the report as short English lines (the importer prints them)."""
        dropped = ", ".join(f"{n:,} {why}" for why, n in self.dropped if n) or "none"
        out = [
            f"Streets: {self.segments_used:,} of {self.segments_in:,} segments used "
            f"({self.length_km:,.0f} km; dropped: {dropped})",
            f"Graph: {self.n_nodes:,} nodes, {self.n_edges:,} edges, {self.n_components:,} "
            f"components; the largest holds {self.largest_share:.1%} of the nodes and "
            f"{self.largest_length_share:.1%} of the length (ends joined within "
            f"{self.tolerance_m:g} m; {self.ends_moved:,} ends moved, at most "
            f"{self.max_move_m:.2f} m; {self.crs})",
            f"Detour factor on this network: median {self.detour_median:.3f} "
            f"(quartiles {self.detour_p25:.3f}-{self.detour_p75:.3f}, "
            f"{self.detour_pairs:,} node pairs 300 m - 3 km apart outside the gap)",
        ]
        if self.gap_km2 is not None:
            out.append(
                f"Coverage gap: {self.gap_km2:,.1f} km2 without streets in the layer; "
                "walks near it are measured in a straight line x detour"
            )
        out.extend(self.warnings)
        return out


def join_endpoints(
    start_xy: np.ndarray, end_xy: np.ndarray, *, tolerance_m: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Give segment ends closer than ``tolerance_m`` one node id.

    Ends within the tolerance of each other are linked, and each connected group of
    links is one node (so a chain of ends each within the tolerance of the next
    joins too; :attr:`StreetsReport.max_move_m` says how far that moved an end). The
    node lies at the mean of its ends.

    Parameters
    ----------
    start_xy, end_xy
        ``(e, 2)`` metric coordinates of each segment's first and last point.
    tolerance_m
        Join distance in metres, >= 0 (0: only ends at exactly the same point).

    Returns
    -------
    u, v : numpy.ndarray
        ``(e,)`` int64 node ids of each segment's ends, ``0 .. n - 1``.
    node_xy : numpy.ndarray
        ``(n, 2)`` float64 node coordinates.
    """
    if not tolerance_m >= 0 or not math.isfinite(tolerance_m):
        raise ValueError(f"tolerance_m = {tolerance_m!r} must be a finite number >= 0.")
    ends = np.vstack([np.asarray(start_xy, float), np.asarray(end_xy, float)])
    e = len(ends) // 2
    # exact duplicates first (most joins), then the near ones between distinct points
    unique, inverse = np.unique(ends, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    pairs = (
        cKDTree(unique).query_pairs(tolerance_m, output_type="ndarray") if tolerance_m > 0 else None
    )
    m = len(unique)
    if pairs is not None and len(pairs):
        links = sparse.coo_matrix((np.ones(len(pairs)), (pairs[:, 0], pairs[:, 1])), shape=(m, m))
        _, label = connected_components(links, directed=False)
    else:
        label = np.arange(m)
    node = label[inverse].astype(np.int64)
    count = np.bincount(node)
    node_xy = np.column_stack(
        [np.bincount(node, weights=ends[:, k]) / count for k in range(2)]
    ).astype(np.float64)
    return node[:e], node[e:], node_xy


def _segments(
    streets: gpd.GeoDataFrame, *, crs: CRS, area: gpd.GeoDataFrame | None
) -> tuple[np.ndarray, list[tuple[str, int]]]:
    """The usable line parts of the layer in ``crs``, and what was dropped."""
    geoms = streets.geometry.to_crs(crs).array
    geoms = np.asarray(geoms, dtype=object)
    dropped: list[tuple[str, int]] = []
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    dropped.append(("empty geometry", int(empty.sum())))
    geoms = geoms[~empty]
    kind = shapely.get_type_id(geoms)
    line = kind == shapely.GeometryType.LINESTRING
    multi = kind == shapely.GeometryType.MULTILINESTRING
    dropped.append(("not a line", int((~line & ~multi).sum())))
    parts = np.concatenate([geoms[line], shapely.get_parts(geoms[multi])])
    parts = parts[~shapely.is_empty(parts)]
    if area is not None:
        shape = shapely.union_all(np.asarray(area.to_crs(crs).geometry.array, dtype=object))
        shapely.prepare(shape)
        inside = shapely.intersects(shape, parts)
        dropped.append(("outside the area", int((~inside).sum())))
        parts = parts[inside]
    return parts, dropped


def endpoint_tolerance_table(
    streets: gpd.GeoDataFrame,
    *,
    tolerances_m: Sequence[float] = (0.0, 0.1, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0),
    crs: str | CRS | None = None,
) -> pd.DataFrame:
    """Measure how the join tolerance changes the graph, one row per tolerance.

    Returns
    -------
    pandas.DataFrame
        ``tolerance_m``, ``nodes``, ``components``, ``largest_share`` (of the
        nodes, 0-1), ``loops`` (segments whose two ends became one node) and
        ``max_move_m``.
    """
    metric = _metric_crs(streets, None, crs)
    parts, _ = _segments(streets, crs=metric, area=None)
    start = shapely.get_coordinates(shapely.get_point(parts, 0))
    end = shapely.get_coordinates(shapely.get_point(parts, -1))
    rows = []
    for tolerance in tolerances_m:
        u, v, node_xy = join_endpoints(start, end, tolerance_m=float(tolerance))
        stats = _components(u, v, len(node_xy), np.ones(len(u)))
        moved = np.hypot(*(np.vstack([start, end]) - node_xy[np.concatenate([u, v])]).T)
        rows.append(
            {
                "tolerance_m": float(tolerance),
                "nodes": len(node_xy),
                "components": stats[0],
                "largest_share": stats[1],
                "loops": int((u == v).sum()),
                "max_move_m": float(moved.max()) if len(moved) else 0.0,
            }
        )
    return pd.DataFrame(rows)


def _components(
    u: np.ndarray, v: np.ndarray, n: int, length: np.ndarray
) -> tuple[int, float, float]:
    """Components, node share and length share of the largest one."""
    if n == 0:
        return 0, 0.0, 0.0
    adjacency = sparse.coo_matrix((np.ones(len(u)), (u, v)), shape=(n, n))
    k, label = connected_components(adjacency, directed=False)
    sizes = np.bincount(label, minlength=k)
    big = int(sizes.argmax())
    total = float(length.sum())
    share_len = float(length[label[u] == big].sum() / total) if total > 0 else 0.0
    return int(k), float(sizes[big] / n), share_len


def _metric_crs(
    streets: gpd.GeoDataFrame, area: gpd.GeoDataFrame | None, crs: str | CRS | None
) -> CRS:
    if streets.crs is None:
        raise LayerError(
            "the street layer (Malla Vial Integral) has no CRS; set it (the published "
            "layer is EPSG:4686 or EPSG:4326)."
        )
    if crs is not None:
        metric = CRS.from_user_input(crs)
        if not metric.is_projected:
            raise LayerError(f"the street network CRS {crs} is not metric; use e.g. EPSG:32618.")
        return metric
    if streets.crs.is_projected:
        return CRS.from_user_input(streets.crs)
    return (area if area is not None else streets).estimate_utm_crs()


def malla_vial_network(
    streets: gpd.GeoDataFrame,
    *,
    coverage_gap: gpd.GeoDataFrame | None,
    area: gpd.GeoDataFrame | None = None,
    tolerance_m: float = DEFAULT_TOLERANCE_M,
    crs: str | CRS | None = None,
    detour_samples: int = 2000,
) -> tuple[StreetNetwork, StreetsReport]:
    """Build the walking network of the Malla Vial Integral.

    Every segment is an undirected, walkable edge (the layer carries no road class,
    mode or one-way: none can be excluded); its length is the length of its
    geometry in metres, not the chord between its ends. Segment ends within
    ``tolerance_m`` of each other are one node (:func:`join_endpoints`).

    Why 1 m. The published segments already run from intersection to intersection
    and most ends meet exactly (coordinates to 6 decimals, about 0.1 m). Measured on
    the 110,808 segments of the copy in ``../shared/data/bogota`` (EPSG:32618), after
    joining exact duplicates: 234 nodes have a distinct node closer than 2 m, and
    *none* of them is joined to it by a segment (no segment is shorter than 2.04 m):
    digitising slivers, ends that stop short of or overshoot the street they meet;
    180 of them are closer than 1 m. From 2 m upwards the nearest node is more and
    more often the other end of a real short segment (16 of 39 nodes at 2-2.5 m, 174
    of 343 at 4-5 m), so no tolerance above 2 m can tell a sliver from a street.
    1 m takes the bulk of the slivers, is half the shortest segment, so collapses no
    segment, and moves no end by more than 0.67 m (312 ends moved).

    ============  ======  ==========  ==================  =====  ===========
    tolerance m   nodes   components  largest (of nodes)  loops  max move m
    ============  ======  ==========  ==================  =====  ===========
    0 (exact)     75,179  102         99.21%              1      0
    0.1           75,179  102         99.21%              1      0
    0.5           75,101  96          99.26%              1      0.35
    **1.0**       75,089  95          99.26%              1      0.67
    1.5           75,074  90          99.29%              1      0.89
    2.0           75,062  89          99.29%              1      1.42
    3.0           75,000  84          99.32%              22     4.30
    5.0           74,718  81          99.33%              160    5.65
    ============  ======  ==========  ==================  =====  ===========

    (``loops``: segments whose two ends become one node, dropped; the one at every
    tolerance is a closed ring.) Above 1 m the gain is small (99.26% to 99.29%) and
    from 3 m real segments vanish. :func:`endpoint_tolerance_table` recomputes the
    table; the largest component holds 99.3% of the length at 1 m.

    CRS: EPSG:32618 (UTM 18N), the UTM zone of Bogotá that the rest of the app uses
    for grids and distances (``estimate_utm_crs``), so cells, services and nodes are
    in one CRS without reprojection. EPSG:9377 (MAGNA-SIRGAS Origen Nacional) gives
    the same lengths within 0.03% (7,272.8 vs 7,275.2 km for the copy); pass
    ``crs="EPSG:9377"`` to use it.

    Parameters
    ----------
    streets
        The ``malla_vial`` layer: LineStrings (MultiLineStrings are split) with a CRS.
    coverage_gap
        The ``coverage_gap`` layer (polygons where segments are missing), or ``None``
        when the layer is complete. Kept as :attr:`StreetNetwork.gap`.
    area
        Keep only the segments touching this layer (e.g. the localidades); its UTM
        zone is the default CRS.
    tolerance_m
        Segment ends closer than this many metres are one node.
    crs
        Metric CRS of the network (default: the streets' own CRS when it is
        projected, else the UTM zone of ``area``, else of the streets: EPSG:32618
        for Bogotá).
    detour_samples
        Node pairs for the detour factor (:func:`geo.network.calibrate_detour`);
        0 skips it (NaN in the report).

    Returns
    -------
    (StreetNetwork, StreetsReport)

    Raises
    ------
    LayerError
        A layer without CRS, a non-metric ``crs``, or no usable segment.
    """
    if not tolerance_m >= 0 or not math.isfinite(tolerance_m):
        raise LayerError(f"tolerance_m = {tolerance_m!r} must be a finite number of metres >= 0.")
    metric = _metric_crs(streets, area, crs)
    if area is not None and area.crs is None:
        raise LayerError("the area layer has no CRS; set it (e.g. EPSG:4326).")
    if coverage_gap is not None and coverage_gap.crs is None:
        raise LayerError("the coverage_gap layer has no CRS; set it (e.g. EPSG:4326).")
    parts, dropped = _segments(streets, crs=metric, area=area)
    if len(parts) == 0:
        raise LayerError(
            "the street layer (Malla Vial Integral) has no usable line segment"
            + (" inside the area" if area is not None else "")
            + "; download the malla_vial layer again from Datos Abiertos Bogotá."
        )
    start = shapely.get_coordinates(shapely.get_point(parts, 0))
    end = shapely.get_coordinates(shapely.get_point(parts, -1))
    u, v, node_xy = join_endpoints(start, end, tolerance_m=tolerance_m)
    moved = np.hypot(*(np.vstack([start, end]) - node_xy[np.concatenate([u, v])]).T)
    length = shapely.length(parts).astype(np.float64)
    loops = u == v
    dropped.append(("ends joined (loop)", int(loops.sum())))
    u, v, length = u[~loops], v[~loops], length[~loops]
    if len(u) == 0:
        raise LayerError(
            "every segment of the street layer (Malla Vial Integral) starts and ends at "
            f"the same point (within {tolerance_m:g} m); check the layer or the tolerance."
        )
    # drop nodes only the loops used, renumber 0 .. n - 1
    used, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    inverse = inverse.ravel()
    u, v = inverse[: len(u)], inverse[len(u) :]
    node_xy = node_xy[used]
    graph = build_graph(u, v, length, len(node_xy))
    n_components, largest, largest_len = _components(u, v, len(node_xy), length)

    gap = None
    gap_km2 = None
    if coverage_gap is not None and not coverage_gap.empty:
        shape = shapely.union_all(
            shapely.make_valid(np.asarray(coverage_gap.to_crs(metric).geometry.array, object))
        )
        shape = shapely.union_all(
            [g for g in shapely.get_parts(shape) if shapely.get_dimensions(g) == 2]
        )
        if not shape.is_empty:
            gap, gap_km2 = shape, float(shape.area / 1e6)
    network = StreetNetwork(
        graph=graph, node_xy=node_xy, crs=metric.to_string(), source=SOURCE, gap=gap
    )
    if detour_samples > 0:
        detour = calibrate_detour(network, samples=detour_samples)
    else:
        detour = {"median": math.nan, "p25": math.nan, "p75": math.nan, "n": 0}
    warnings: list[str] = []
    if largest < 0.99:
        warnings.append(
            f"the largest street component holds only {largest:.1%} of the nodes: "
            "cells on the small ones reach few services"
        )
    report = StreetsReport(
        segments_in=len(streets),
        segments_used=len(length),
        dropped=tuple(dropped),
        length_km=float(length.sum() / 1000.0),
        n_nodes=network.n_nodes,
        n_edges=network.n_edges,
        n_components=n_components,
        largest_share=largest,
        largest_length_share=largest_len,
        tolerance_m=float(tolerance_m),
        ends_moved=int((moved > 1e-6).sum()),
        max_move_m=float(moved.max()),
        crs=network.crs,
        gap_km2=gap_km2,
        detour_median=float(detour["median"]),
        detour_p25=float(detour["p25"]),
        detour_p75=float(detour["p75"]),
        detour_pairs=int(detour["n"]),
        warnings=tuple(warnings),
    )
    log.info("%s", "; ".join(report.lines()))
    return network, report
