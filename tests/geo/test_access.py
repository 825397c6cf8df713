"""geo.access: hand-checked fixtures in UTM 18N (EPSG:32618), metres.

Three services on a 1 km grid (relative to X0, Y0):

    C (0, 1000)
    A (0, 0)      B (1000, 0)

Four demand points, each with a hand-computed nearest service (3-4-5 triangles):

    p1 (300, 400)     A 500      B sqrt(700²+400²) = 806.2   C sqrt(300²+600²) = 670.8
    p2 (1000, 750)    B 750      A 1250                      C sqrt(1000²+250²) = 1030.8
    p3 (-600, 1800)   C 1000     A sqrt(600²+1800²) = 1897.4 B sqrt(1600²+1800²) = 2408.3
    p4 (4000, 3000)   B 4242.6   C sqrt(4000²+2000²) = 4472.1   A 5000
"""

from __future__ import annotations

import math
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from bench._peers import access_frames, access_two_stage_fca
from geo import access
from geo.access import (
    Coverage,
    catchment_matrix,
    catchment_pairs,
    coverage,
    gaussian_decay,
    nearest,
    nearest_core,
    simultaneity,
    two_step_fca,
    two_step_fca_core,
    unserved_areas,
)
from geo.errors import LayerError
from tests.geo._helpers import PROJECT, UTM, X0, Y0, run_bench

SERVICES_XY = np.array([(0.0, 0.0), (1000.0, 0.0), (0.0, 1000.0)])
DEMAND_XY = np.array([(300.0, 400.0), (1000.0, 750.0), (-600.0, 1800.0), (4000.0, 3000.0)])


def points(xy: np.ndarray, crs: str | None = UTM, **columns: object) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        columns, geometry=gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0), crs=crs
    )


@pytest.fixture
def services() -> gpd.GeoDataFrame:
    gdf = points(SERVICES_XY, capacity=[10.0, 20.0, 30.0])
    gdf.index = pd.Index(["A", "B", "C"])
    return gdf


@pytest.fixture
def demand() -> gpd.GeoDataFrame:
    gdf = points(
        DEMAND_XY,
        children=[10.0, 20.0, 30.0, 40.0],
        older=[5.0, 0.0, 5.0, 0.0],
        nobody=[0.0, 0.0, 0.0, 0.0],
        carers=[2.0, 3.0, 5.0, 0.0],
        zone=["north", "north", "south", "south"],
    )
    gdf.index = pd.Index(["p1", "p2", "p3", "p4"])
    return gdf


# ------------------------------------------------------------------------------ nearest


def test_nearest_core_finds_the_hand_computed_services() -> None:
    index, distance = nearest_core(DEMAND_XY, SERVICES_XY)
    assert index.dtype == np.int64
    assert index.tolist() == [0, 1, 2, 1]
    assert distance == pytest.approx([500.0, 750.0, 1000.0, math.hypot(3000, 3000)])


def test_nearest_core_max_distance_is_inclusive_and_marks_none() -> None:
    index, distance = nearest_core(DEMAND_XY, SERVICES_XY, max_distance_m=1000)
    assert index.tolist() == [0, 1, 2, -1]  # p3 is exactly 1000 m from C: reached
    assert distance[:3] == pytest.approx([500.0, 750.0, 1000.0])
    assert np.isnan(distance[3])


def test_nearest_returns_service_labels_aligned_with_demand(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    out = nearest(demand, services, max_distance_m=1000)
    assert list(out.columns) == ["service_index", "distance_m"]
    assert out.index.equals(demand.index)
    assert out["service_index"].iloc[:3].tolist() == ["A", "B", "C"]
    assert pd.isna(out["service_index"].iloc[3])
    assert out["distance_m"].iloc[:3].tolist() == pytest.approx([500.0, 750.0, 1000.0])
    assert np.isnan(out["distance_m"].iloc[3])


def test_nearest_keeps_integer_labels_in_a_nullable_dtype(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    services = services.set_axis([101, 205, 309])
    out = nearest(demand, services, max_distance_m=1000)
    assert out["service_index"].dtype == "Int64"
    assert out["service_index"].iloc[:3].tolist() == [101, 205, 309]
    assert out["service_index"].isna().tolist() == [False, False, False, True]


def test_nearest_uses_polygon_centroids(services: gpd.GeoDataFrame) -> None:
    # a 200 m cell centred on p1 (300, 400): its centroid is 500 m from A
    cell = gpd.GeoDataFrame(geometry=[box(X0 + 200, Y0 + 300, X0 + 400, Y0 + 500)], crs=UTM)
    out = nearest(cell, services)
    assert out["service_index"].tolist() == ["A"]
    assert out["distance_m"].tolist() == pytest.approx([500.0])


def test_inputs_are_not_mutated(demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame) -> None:
    before_d, before_s = demand.copy(), services.copy()
    nearest(demand.to_crs(4326), services.to_crs(4326))
    coverage(demand, services, radius_m=800, groups=["children"], zone_col="zone")
    two_step_fca(demand, services, demand_col="children", capacity_col="capacity", radius_m=1000)
    pd.testing.assert_frame_equal(demand, before_d)
    pd.testing.assert_frame_equal(services, before_s)


# ------------------------------------------------------------------------------ catchments


def test_catchment_pairs_keep_zero_distances() -> None:
    rows, cols, dist = catchment_pairs([[0.0, 0.0], [5.0, 0.0]], [[0.0, 0.0]], radius_m=5)
    assert sorted(zip(rows.tolist(), cols.tolist(), dist.tolist(), strict=True)) == [
        (0, 0, 0.0),
        (1, 0, 5.0),  # inclusive at the radius
    ]
    matrix = catchment_matrix([[0.0, 0.0], [5.0, 0.0]], [[0.0, 0.0]], radius_m=5)
    assert matrix.shape == (2, 1)
    assert matrix.toarray().ravel().tolist() == [1.0, 1.0]  # weight 1 at distance 0


def test_gaussian_decay_is_one_at_zero_and_zero_at_the_radius() -> None:
    w = gaussian_decay([0.0, 400.0, 800.0, 900.0], 800.0)
    # (exp(-0.5 * 0.25) - exp(-0.5)) / (1 - exp(-0.5)) = (0.882497 - 0.606531) / 0.393469 = 0.275966 / 0.393469
    assert w == pytest.approx([1.0, 0.701367, 0.0, 0.0], abs=1e-6)


# ------------------------------------------------------------------------------ 2SFCA


def test_two_step_fca_by_hand(demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame) -> None:
    # radius 1000 m (inclusive). Catchments (from the distances in the module docstring):
    #   A (S=10): p1                  -> R_A = 10 / 10        = 1
    #   B (S=20): p1 (806), p2 (750)  -> R_B = 20 / (10 + 20) = 2/3
    #   C (S=30): p1 (671), p3 (1000) -> R_C = 30 / (10 + 30) = 3/4
    # A_p1 = 1 + 2/3 + 3/4 = 29/12; A_p2 = 2/3; A_p3 = 3/4; A_p4 = 0 (reaches nothing)
    out = two_step_fca(
        demand, services, demand_col="children", capacity_col="capacity", radius_m=1000
    )
    assert out.name == "capacity_per_person"
    assert out.index.equals(demand.index)
    assert out.tolist() == pytest.approx([29 / 12, 2 / 3, 3 / 4, 0.0])
    # every supply reaches demand: sum_i D_i A_i = 10 * 29/12 + 20 * 2/3 + 30 * 3/4 = 60
    assert float((demand["children"] * out).sum()) == pytest.approx(60.0)


def test_two_step_fca_gaussian_by_hand() -> None:
    # one supply S = 8 at the origin; D = 1 at 0 m (w = 1) and D = 2 at 400 m of 800 m
    # (w = 0.701367): R = 8 / (1 + 2 * 0.701367) = 3.32954; A = (R, 0.701367 R)
    out = two_step_fca_core(
        [[0.0, 0.0], [400.0, 0.0]], [1.0, 2.0], [[0.0, 0.0]], [8.0], radius_m=800, decay="gaussian"
    )
    w = gaussian_decay(400.0, 800.0)
    ratio = 8 / (1 + 2 * w)
    assert out == pytest.approx([ratio, w * ratio])
    assert ratio == pytest.approx(3.32954, abs=1e-5)


def test_two_step_fca_custom_decay_function() -> None:
    def linear(d: np.ndarray, r: float) -> np.ndarray:
        return 1 - d / r

    out = two_step_fca_core(
        [[0.0, 0.0], [500.0, 0.0]], [1.0, 1.0], [[0.0, 0.0]], [3.0], radius_m=1000, decay=linear
    )
    # R = 3 / (1 * 1 + 1 * 0.5) = 2; A = (2, 1)
    assert out == pytest.approx([2.0, 1.0])


def test_full_coverage_grid_is_total_supply_over_total_demand() -> None:
    # as pysal/access's create_nxn_grid check: a catchment larger than the grid puts every
    # demand in every supply's catchment, so every A_i = sum S / sum D.
    rng = np.random.default_rng(44)
    n = 10
    xy = np.array([(x * 100.0, y * 100.0) for x in range(n) for y in range(n)])
    need = rng.integers(1, 200, len(xy)).astype(float)
    supply = rng.choice(len(xy), 15, replace=False)
    cap = rng.integers(1, 50, 15).astype(float)
    out = two_step_fca_core(xy, need, xy[supply], cap, radius_m=5000)
    assert out == pytest.approx(np.full(len(xy), cap.sum() / need.sum()), rel=1e-12)


def test_zero_distance_supply_counts() -> None:
    # the service sits on the demand point: d = 0 must weigh 1, not vanish as a sparse zero
    assert two_step_fca_core([[7.0, 7.0]], [5.0], [[7.0, 7.0]], [10.0], radius_m=100).tolist() == [
        2.0
    ]


def test_zero_capacity_gives_zero_not_nan(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    out = two_step_fca(
        demand,
        services.assign(capacity=0.0),
        demand_col="children",
        capacity_col="capacity",
        radius_m=1000,
    )
    assert out.tolist() == [0.0, 0.0, 0.0, 0.0]


def test_zero_demand_in_reach_gives_zero_ratio_not_nan(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    # nobody in need anywhere: every R_j = 0 (documented), no division by zero
    out = two_step_fca(
        demand, services, demand_col="nobody", capacity_col="capacity", radius_m=1000
    )
    assert out.tolist() == [0.0, 0.0, 0.0, 0.0]
    assert not out.isna().any()


def test_supply_that_reaches_no_demand_gets_zero(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    far = pd.concat([services, points(np.array([[50_000.0, 0.0]]), capacity=[99.0])])
    far.index = pd.Index(["A", "B", "C", "far"])
    out = two_step_fca(demand, far, demand_col="children", capacity_col="capacity", radius_m=1000)
    assert out.tolist() == pytest.approx([29 / 12, 2 / 3, 3 / 4, 0.0])


def test_services_outside_the_demand_area_give_a_defined_result(
    demand: gpd.GeoDataFrame,
) -> None:
    outside = points(np.array([[60_000.0, 0.0], [61_000.0, 0.0]]), capacity=[5.0, 5.0])
    near = nearest(demand, outside)
    assert (near["distance_m"] > 50_000).all()
    assert near["service_index"].tolist() == [0, 0, 0, 0]
    cov = coverage(demand, outside, radius_m=800, groups=["children"])
    assert not cov.covered.any()
    assert cov.totals.loc["children", "pct_covered"] == 0.0
    fca = two_step_fca(
        demand, outside, demand_col="children", capacity_col="capacity", radius_m=800
    )
    assert fca.tolist() == [0.0, 0.0, 0.0, 0.0]


# ------------------------------------------------------------------------------ coverage


def test_coverage_by_hand(demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame) -> None:
    # radius 800: p1 (500 m) and p2 (750 m) covered; p3 (1000 m) and p4 not
    cov = coverage(
        demand, services, radius_m=800, groups=["children", "older", "nobody"], zone_col="zone"
    )
    assert isinstance(cov, Coverage)
    assert cov.covered.tolist() == [True, True, False, False]
    assert cov.covered.index.equals(demand.index)
    expected = pd.DataFrame(
        {
            "population": [100.0, 10.0, 0.0],
            "covered": [30.0, 5.0, 0.0],
            "unserved": [70.0, 5.0, 0.0],
            "pct_covered": [30.0, 50.0, 0.0],  # a group with nobody: 0.0, not NaN
        },
        index=pd.Index(["children", "older", "nobody"], name="group"),
    )
    pd.testing.assert_frame_equal(cov.totals, expected)
    assert cov.by_zone is not None
    assert cov.by_zone.index.name == "zone"
    assert cov.by_zone.index.tolist() == ["north", "south"]
    assert cov.by_zone["children_population"].tolist() == [30.0, 70.0]
    assert cov.by_zone["children_covered"].tolist() == [30.0, 0.0]
    assert cov.by_zone["children_pct"].tolist() == [100.0, 0.0]
    assert cov.by_zone["older_pct"].tolist() == [100.0, 0.0]
    assert cov.by_zone["nobody_pct"].tolist() == [0.0, 0.0]


def test_coverage_without_zone_has_no_by_zone(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    cov = coverage(demand, services, radius_m=1000, groups=["children"])
    assert cov.by_zone is None
    assert cov.covered.tolist() == [True, True, True, False]  # 1000 m is inclusive


# ------------------------------------------------------------------------------ simultaneity


def test_simultaneity_by_hand(demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame) -> None:
    # a carer service X at (1000, 700): p1 761.6 m, p2 50 m, p3 1868 m, p4 3535 m.
    # radius 800: care within reach for p1, p2; carer service within reach for p1, p2.
    # carers: p1 2 + p2 3 have both out of 2 + 3 + 5 + 0 = 10 -> share 0.5
    carer = points(np.array([[1000.0, 700.0]]))
    out = simultaneity(demand, services, carer, radius_m=800)
    assert out.both.tolist() == [True, True, False, False]
    assert out.both.index.equals(demand.index)
    assert (out.carers_total, out.carers_both, out.share) == (10.0, 5.0, 0.5)


def test_simultaneity_without_carers_is_zero(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    out = simultaneity(demand.assign(carers=0), services, services, radius_m=800)
    assert (out.share, out.carers_total, out.carers_both) == (0.0, 0.0, 0.0)
    assert out.both.tolist() == [True, True, False, False]


# ------------------------------------------------------------------------------ unserved areas

# U = uncovered, C = covered (row 0 first). (1, 2) only touches (0, 1) and (2, 3) at corners,
# so with rook adjacency it is an area of its own.
PATTERN = ["UUCC", "UCUC", "CCCU", "UCUU"]


def grid4(*, crs: str = UTM) -> tuple[gpd.GeoDataFrame, pd.Series]:
    rows, cols = np.divmod(np.arange(16), 4)
    x = X0 + cols * 100.0
    y = Y0 - rows * 100.0
    cells = gpd.GeoDataFrame(
        {
            "row": rows,
            "col": cols,
            "children": (rows * 4 + cols).astype(float),
            "older": np.ones(16),
        },
        geometry=shapely.box(x, y - 100, x + 100, y),
        crs=UTM,
    ).to_crs(crs)
    covered = pd.Series([PATTERN[r][c] == "C" for r, c in zip(rows, cols, strict=True)])
    return cells, covered


def test_unserved_areas_by_hand_on_a_grid() -> None:
    cells, covered = grid4()
    out = unserved_areas(cells, covered, groups=["children", "older"])
    # areas: {(0,0),(0,1),(1,0)} children 0+1+4 = 5, older 3 -> 8
    #        {(1,2)}             children 6,         older 1 -> 7
    #        {(2,3),(3,2),(3,3)} children 11+14+15 = 40, older 3 -> 43
    #        {(3,0)}             children 12,        older 1 -> 13
    assert list(out.columns) == [
        "area_id",
        "n_cells",
        "area_km2",
        "children",
        "older",
        "rank",
        "geometry",
    ]
    assert out.crs == cells.crs
    assert out["rank"].tolist() == [1, 2, 3, 4]
    assert out["children"].tolist() == [40.0, 12.0, 5.0, 6.0]
    assert out["older"].tolist() == [3.0, 1.0, 3.0, 1.0]
    assert out["n_cells"].tolist() == [3, 1, 3, 1]
    assert out["area_km2"].tolist() == pytest.approx([0.03, 0.01, 0.03, 0.01])
    assert out["area_id"].is_unique
    assert out.geometry.area.tolist() == pytest.approx([30_000.0, 10_000.0, 30_000.0, 10_000.0])


def test_unserved_areas_polygon_fallback_matches_the_grid() -> None:
    cells, covered = grid4()
    grid = unserved_areas(cells, covered, groups=["children", "older"])
    polygons = unserved_areas(cells.drop(columns=["row", "col"]), covered, groups=["children"])
    assert polygons["children"].tolist() == [40.0, 12.0, 6.0, 5.0]  # ranked by children alone
    assert sorted(polygons["n_cells"].tolist()) == sorted(grid["n_cells"].tolist())
    assert sorted(polygons.geometry.area.round(3).tolist()) == sorted(
        grid.geometry.area.round(3).tolist()
    )


def test_unserved_areas_min_population_and_geographic_crs() -> None:
    cells, covered = grid4(crs="EPSG:4326")
    out = unserved_areas(cells, covered, groups=["children", "older"], min_population=10)
    assert out.crs == cells.crs  # geometry stays in the layer's CRS ...
    assert out["rank"].tolist() == [1, 2]
    assert out["children"].tolist() == [40.0, 12.0]
    assert out["area_km2"].tolist() == pytest.approx([0.03, 0.01], rel=1e-3)  # ... areas in km²


def test_unserved_areas_when_everything_is_covered_is_empty() -> None:
    cells, _ = grid4()
    out = unserved_areas(cells, pd.Series([True] * 16), groups=["children"])
    assert len(out) == 0
    assert list(out.columns) == ["area_id", "n_cells", "area_km2", "children", "rank", "geometry"]
    assert out.crs == cells.crs


def test_unserved_areas_from_coverage(services: gpd.GeoDataFrame) -> None:
    cells, _ = grid4()
    cov = coverage(cells, services, radius_m=150, groups=["children"])
    out = unserved_areas(cells, cov.covered, groups=["children"])
    assert int(out["n_cells"].sum()) == int((~cov.covered).sum())


def test_unserved_areas_rejects_a_misaligned_mask_and_repeated_indices() -> None:
    cells, covered = grid4()
    with pytest.raises(LayerError, match="not aligned"):
        unserved_areas(cells, covered.set_axis(range(100, 116)), groups=["children"])
    with pytest.raises(LayerError, match="one boolean per demand cell"):
        unserved_areas(cells, [True, False], groups=["children"])
    twice = cells.assign(row=0, col=0)
    with pytest.raises(LayerError, match="grid indices must be unique"):
        unserved_areas(twice, covered, groups=["children"])


# ------------------------------------------------------------------------------ bad input


def test_no_crs_is_a_layer_error(demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame) -> None:
    with pytest.raises(
        LayerError, match=r"services layer has no CRS; set it \(e\.g\. gdf\.set_crs"
    ):
        nearest(demand, services.set_crs(None, allow_override=True))
    with pytest.raises(LayerError, match="demand layer has no CRS"):
        coverage(
            demand.set_crs(None, allow_override=True), services, radius_m=800, groups=["children"]
        )


def test_different_crs_is_a_layer_error(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    with pytest.raises(
        LayerError, match="Geodataframes crs are different: demand is EPSG:32618 vs"
    ):
        nearest(demand, services.to_crs(4326))
    with pytest.raises(LayerError, match="reproject one of them with to_crs"):
        simultaneity(demand, services, services.to_crs(4326), radius_m=800)


def test_geographic_crs_is_projected_not_measured_in_degrees(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    metric = nearest(demand, services)
    geographic = nearest(demand.to_crs(4326), services.to_crs(4326))
    assert geographic["service_index"].tolist() == metric["service_index"].tolist()
    np.testing.assert_allclose(geographic["distance_m"], metric["distance_m"], atol=1.0)
    cov = coverage(demand.to_crs(4326), services.to_crs(4326), radius_m=800, groups=["children"])
    assert cov.covered.tolist() == [True, True, False, False]


def test_a_projected_crs_in_feet_is_refused(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    with pytest.raises(LayerError, match="not metres"):
        nearest(demand.to_crs(2263), services.to_crs(2263))  # NY Long Island, US feet


def test_empty_layers_are_named(demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame) -> None:
    with pytest.raises(LayerError, match="demand layer is empty"):
        nearest(demand.iloc[:0], services)
    with pytest.raises(LayerError, match="services layer is empty"):
        coverage(demand, services.iloc[:0], radius_m=800, groups=["children"])
    with pytest.raises(LayerError, match="supply layer is empty"):
        two_step_fca(
            demand, services.iloc[:0], demand_col="children", capacity_col="capacity", radius_m=1
        )
    with pytest.raises(LayerError, match="carer_services layer is empty"):
        simultaneity(demand, services, services.iloc[:0], radius_m=800)


def test_negative_or_missing_values_are_refused(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    with pytest.raises(ValueError, match="capacity is negative at position 1"):
        two_step_fca_core(DEMAND_XY, [1, 1, 1, 1], SERVICES_XY, [1, -1, 1], radius_m=1000)
    with pytest.raises(ValueError, match="demand_values is negative"):
        two_step_fca_core(DEMAND_XY, [1, -1, 1, 1], SERVICES_XY, [1, 1, 1], radius_m=1000)
    with pytest.raises(LayerError, match=r"supply column 'capacity' is negative in 1 row.*'B'"):
        two_step_fca(
            demand,
            services.assign(capacity=[1.0, -2.0, 3.0]),
            demand_col="children",
            capacity_col="capacity",
            radius_m=1000,
        )
    with pytest.raises(LayerError, match=r"demand column 'children' is missing .* first 'p2'"):
        coverage(
            demand.assign(children=[1.0, np.nan, 1.0, 1.0]),
            services,
            radius_m=800,
            groups=["children"],
        )
    with pytest.raises(LayerError, match="no column 'kids'"):
        coverage(demand, services, radius_m=800, groups=["kids"])
    with pytest.raises(LayerError, match="not a number"):
        coverage(demand, services, radius_m=800, groups=["zone"])
    with pytest.raises(LayerError, match="no zone column 'district'"):
        coverage(demand, services, radius_m=800, groups=["children"], zone_col="district")


def test_bad_radius_decay_and_geometry_are_refused(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    for radius in (0, -5, math.nan, math.inf):
        with pytest.raises(ValueError, match="radius_m"):
            two_step_fca_core(DEMAND_XY, np.ones(4), SERVICES_XY, np.ones(3), radius_m=radius)
    with pytest.raises(ValueError, match="decay = 'linear' is not known"):
        two_step_fca_core(
            DEMAND_XY, np.ones(4), SERVICES_XY, np.ones(3), radius_m=1000, decay="linear"
        )  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="negative, NaN or infinite weights"):
        two_step_fca_core(
            DEMAND_XY, np.ones(4), SERVICES_XY, np.ones(3), radius_m=1000, decay=lambda d, r: d - r
        )
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        nearest_core(np.ones((3, 3)), SERVICES_XY)
    with pytest.raises(ValueError, match="service_xy is empty"):
        nearest_core(DEMAND_XY, np.empty((0, 2)))
    lines = gpd.GeoDataFrame(geometry=[LineString([(X0, Y0), (X0 + 1, Y0)])], crs=UTM)
    with pytest.raises(LayerError, match="is a LineString; use points"):
        nearest(demand, lines)
    missing = services.copy()
    missing.loc["B", "geometry"] = None
    with pytest.raises(LayerError, match=r"no geometry .* first 'B'"):
        nearest(demand, missing)


# ------------------------------------------------------------------------------ properties

coords = st.tuples(
    st.floats(0, 5000, allow_nan=False, allow_infinity=False),
    st.floats(0, 5000, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    demand_xy=st.lists(coords, min_size=1, max_size=30),
    service_xy=st.lists(coords, min_size=1, max_size=8),
    extra=coords,
    radius=st.floats(10, 3000),
    growth=st.floats(0, 2000),
)
def test_coverage_never_decreases_with_a_service_or_a_longer_walk(
    demand_xy: list[tuple[float, float]],
    service_xy: list[tuple[float, float]],
    extra: tuple[float, float],
    radius: float,
    growth: float,
) -> None:
    dem = points(np.array(demand_xy), pop=np.ones(len(demand_xy)))
    svc = points(np.array(service_xy))
    more = points(np.array([*service_xy, extra]))
    base = coverage(dem, svc, radius_m=radius, groups=["pop"])
    added = coverage(dem, more, radius_m=radius, groups=["pop"])
    longer = coverage(dem, svc, radius_m=radius + growth, groups=["pop"])
    assert not (base.covered & ~added.covered).any()
    assert not (base.covered & ~longer.covered).any()
    assert added.totals.loc["pop", "covered"] >= base.totals.loc["pop", "covered"]
    assert longer.totals.loc["pop", "covered"] >= base.totals.loc["pop", "covered"]


@settings(max_examples=60, deadline=None)
@given(
    demand_xy=st.lists(coords, min_size=1, max_size=40),
    need=st.lists(st.sampled_from([0.0, 1.0, 2.5, 10.0, 137.0]), min_size=40, max_size=40),
    service_xy=st.lists(coords, min_size=1, max_size=10),
    cap=st.lists(st.floats(0, 100), min_size=10, max_size=10),
    radius=st.floats(10, 4000),
)
def test_two_step_fca_conserves_the_capacity_that_reaches_people(
    demand_xy: list[tuple[float, float]],
    need: list[float],
    service_xy: list[tuple[float, float]],
    cap: list[float],
    radius: float,
) -> None:
    d = np.array(demand_xy)
    s = np.array(service_xy)
    need_d = np.array(need[: len(d)])
    cap_s = np.array(cap[: len(s)])
    out = two_step_fca_core(d, need_d, s, cap_s, radius_m=radius)
    assert np.isfinite(out).all() and (out >= 0).all()
    # brute force (dense is fine at this size): supplies with somebody within reach
    rows, cols, _ = catchment_pairs(d, s, radius_m=radius)
    reaches_people = np.zeros(len(s), dtype=bool)
    reaches_people[cols[need_d[rows] > 0]] = True
    assert float(need_d @ out) == pytest.approx(
        float(cap_s[reaches_people].sum()), rel=1e-9, abs=1e-9
    )


# ------------------------------------------------------------------------------ PySAL access


def test_pysal_access_is_installed() -> None:
    # no skip: the agreement test below needs it (requirements-dev.txt pins it)
    import access as pysal_access

    pins = (PROJECT / "requirements-dev.txt").read_text(encoding="utf-8").splitlines()
    assert f"access=={pysal_access.__version__}" in pins


# access 1.1.10 calls GeoDataFrame.drop(inplace=True), deprecated in pandas 3.1 (Pandas4Warning)
ACCESS_WARNINGS = pytest.mark.filterwarnings("ignore:The inplace keyword")


@ACCESS_WARNINGS
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("radius", [300.0, 800.0, 2000.0])
def test_binary_two_step_fca_agrees_with_pysal_access(seed: int, radius: float) -> None:
    rng = np.random.default_rng(seed)
    d = rng.uniform(0, 5000, (200, 2)) + np.array([X0, Y0])
    s = rng.uniform(0, 5000, (30, 2)) + np.array([X0, Y0])
    need = rng.integers(1, 200, 200).astype(float)
    cap = rng.integers(1, 50, 30).astype(float)
    ours = two_step_fca_core(d, need, s, cap, radius_m=radius)
    theirs, _ = access_two_stage_fca(*access_frames(d, need, s, cap, crs=UTM), radius_m=radius)
    rel = np.abs(ours - theirs) / np.maximum(np.abs(theirs), 1e-300)
    assert np.max(np.where(theirs == 0, np.abs(ours), rel)) < 1e-9


@ACCESS_WARNINGS
def test_gaussian_two_step_fca_agrees_with_pysal_access_weight_fn() -> None:
    rng = np.random.default_rng(7)
    d = rng.uniform(0, 5000, (200, 2))
    s = rng.uniform(0, 5000, (30, 2))
    need = rng.integers(1, 200, 200).astype(float)
    cap = rng.integers(1, 50, 30).astype(float)
    ours = two_step_fca_core(d, need, s, cap, radius_m=800, decay="gaussian")
    theirs, _ = access_two_stage_fca(
        *access_frames(d, need, s, cap, crs=UTM),
        radius_m=800,
        weight_fn=lambda x: gaussian_decay(x, 800),
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-15)


# ------------------------------------------------------------------------------ benchmarks


@pytest.mark.parametrize("script", ["bench_2sfca.py", "bench_nearest.py"])
def test_benchmark_scripts_smoke_run(script: str) -> None:
    started = time.perf_counter()
    done = run_bench(script)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("ratio:")
    assert time.perf_counter() - started < 30


def test_module_exports_what_it_documents() -> None:
    for name in access.__all__:
        assert hasattr(access, name), name


def test_coverage_by_zone_with_a_repeated_demand_index(
    demand: gpd.GeoDataFrame, services: gpd.GeoDataFrame
) -> None:
    repeated = demand.set_axis(["x", "x", "y", "y"])
    cov = coverage(repeated, services, radius_m=800, groups=["children"], zone_col="zone")
    assert cov.covered.tolist() == [True, True, False, False]
    assert cov.by_zone is not None
    assert cov.by_zone["children_covered"].tolist() == [30.0, 0.0]


def test_unserved_areas_split_by_zone_and_exact_union() -> None:
    # A 1 x 6 strip of 100 m cells, none covered, zones a|a|a|b|b|b: two areas of 3 cells,
    # each a 300 m x 100 m rectangle (the coverage union leaves no slivers).
    from shapely.geometry import box

    x0, y0 = 500_000.0, 500_000.0
    cells = gpd.GeoDataFrame(
        {
            "row": np.zeros(6, dtype=np.int64),
            "col": np.arange(6, dtype=np.int64),
            "zone": ["a", "a", "a", "b", "b", "b"],
            "people": [1.0, 2.0, 3.0, 10.0, 10.0, 10.0],
        },
        geometry=[box(x0 + 100 * i, y0, x0 + 100 * (i + 1), y0 + 100) for i in range(6)],
        crs=32618,
    )
    whole = unserved_areas(cells, np.zeros(6, dtype=bool), groups=["people"])
    assert len(whole) == 1
    split = unserved_areas(cells, np.zeros(6, dtype=bool), groups=["people"], split_by="zone")
    assert split["zone"].tolist() == ["b", "a"]  # ranked by people: 30 before 6
    assert split["people"].tolist() == [30.0, 6.0]
    assert split["n_cells"].tolist() == [3, 3]
    assert split.geometry.iloc[0].equals(box(x0 + 300, y0, x0 + 600, y0 + 100))
    assert split["area_km2"].tolist() == pytest.approx([0.03, 0.03])
    with pytest.raises(LayerError, match="no column 'district'"):
        unserved_areas(cells, np.zeros(6, dtype=bool), groups=["people"], split_by="district")
