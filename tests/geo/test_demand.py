"""Demand grids: hand-checkable grids in UTM 18N (EPSG:32618), metres."""

from __future__ import annotations

import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, box

from geo import demand
from geo.demand import (
    GROUPS,
    SAMPLE_MODEL,
    grid_shape,
    grid_transform,
    interpolate,
    make_grid,
    sample_demand,
    spread_zone_totals,
    to_array,
)
from geo.errors import LayerError
from geo.layers import load_layer, load_registry
from geo.settings import PROJECT_DIR

UTM = "EPSG:32618"
X0, Y0 = 500_000.0, 500_000.0  # south-west corner of the 1 km x 0.5 km rectangle


def rect(x0: float, y0: float, x1: float, y1: float, **columns) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {k: [v] for k, v in columns.items()}, geometry=[box(x0, y0, x1, y1)], crs=UTM
    )


@pytest.fixture
def area() -> gpd.GeoDataFrame:
    """1 km wide, 0.5 km tall: exactly 10 x 5 cells of 100 m."""
    return rect(X0, Y0, X0 + 1000, Y0 + 500)


@pytest.fixture
def grid(area: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return make_grid(area, cell_m=100, crs=UTM)


# --------------------------------------------------------------------------- make_grid


def test_grid_of_a_rectangle_has_fifty_cells_north_west_first(grid: gpd.GeoDataFrame) -> None:
    assert len(grid) == 50
    assert list(grid.columns) == ["row", "col", "geometry"]
    assert grid.index.equals(pd.RangeIndex(50))
    assert (grid["row"].min(), grid["row"].max()) == (0, 4)
    assert (grid["col"].min(), grid["col"].max()) == (0, 9)
    assert str(grid.crs) == UTM
    first = grid.iloc[0]
    assert (first["row"], first["col"]) == (0, 0)
    assert first.geometry.bounds == (X0, Y0 + 400, X0 + 100, Y0 + 500)  # north-west corner
    last = grid.iloc[-1]
    assert (last["row"], last["col"]) == (4, 9)
    assert last.geometry.bounds == (X0 + 900, Y0, X0 + 1000, Y0 + 100)  # south-east corner
    assert grid.area.to_numpy() == pytest.approx(np.full(50, 10_000.0))
    assert grid.attrs["grid"] == {
        "x0": X0,
        "y_top": Y0 + 500,
        "cell_m": 100.0,
        "crs": UTM,
        "n_rows": 5,
        "n_cols": 10,
    }
    assert grid_shape(grid) == (5, 10)
    assert grid_transform(grid) == (X0, Y0 + 500, 100.0)


def test_cells_are_kept_by_their_centre() -> None:
    # The frame is 3 columns x 2 rows (y_top = Y0 + 200). Column centres x = 50, 150, 250:
    # 250 lies ON the east edge and is kept (boundary included). Row centres y = 150
    # (above the top at 149: dropped) and y = 50 (kept).
    small = rect(X0, Y0, X0 + 250, Y0 + 149)
    grid = make_grid(small, cell_m=100, crs=UTM)
    assert grid.attrs["grid"]["n_rows"] == 2
    assert sorted(zip(grid["row"], grid["col"], strict=True)) == [(1, 0), (1, 1), (1, 2)]


def test_origin_is_snapped_to_whole_cells() -> None:
    grid = make_grid(rect(X0 + 30, Y0 + 30, X0 + 530, Y0 + 270), cell_m=100, crs=UTM)
    meta = grid.attrs["grid"]
    assert (meta["x0"], meta["y_top"]) == (X0, Y0 + 300)
    assert (meta["n_rows"], meta["n_cols"]) == (3, 6)


def test_grid_defaults_to_the_utm_zone_of_a_lonlat_area() -> None:
    lonlat = gpd.GeoDataFrame(geometry=[box(-74.10, 4.60, -74.09, 4.61)], crs="EPSG:4326")
    grid = make_grid(lonlat, cell_m=100)
    assert grid.attrs["grid"]["crs"] == "EPSG:32618"
    assert 110 <= len(grid) <= 130  # about 1.1 km x 1.1 km
    assert len(make_grid(lonlat, cell_m=100, crs="EPSG:9377")) == pytest.approx(len(grid), rel=0.1)


def test_forty_thousand_cells_of_a_circle() -> None:
    # Its speed is a benchmark's job (a timed assert failed under load), not a test's.
    circle = gpd.GeoDataFrame(geometry=[Point(X0, Y0).buffer(11_284, quad_segs=64)], crs=UTM)
    grid = make_grid(circle, cell_m=100)
    assert len(grid) == pytest.approx(40_000, rel=0.01)


@pytest.mark.parametrize(
    ("frame", "kwargs", "match"),
    [
        (gpd.GeoDataFrame(geometry=[box(0, 0, 1000, 1000)]), {}, "no CRS"),
        (gpd.GeoDataFrame(geometry=[], crs=UTM), {"crs": UTM}, "empty"),
        (gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=UTM), {"cell_m": 0}, "positive"),
        (gpd.GeoDataFrame(geometry=[box(0, 0, 1, 1)], crs=UTM), {"cell_m": -5}, "positive"),
        (
            gpd.GeoDataFrame(geometry=[box(-74.1, 4.6, -74.0, 4.7)], crs="EPSG:4326"),
            {"crs": "EPSG:4326"},
            "degrees",
        ),
        (gpd.GeoDataFrame(geometry=[None], crs=UTM), {"crs": UTM}, "no geometry"),
    ],
)
def test_make_grid_errors(frame: gpd.GeoDataFrame, kwargs: dict, match: str) -> None:
    with pytest.raises(LayerError, match=match):
        make_grid(frame, **kwargs)


def test_a_grid_over_the_cap_says_to_raise_cell_m(area: gpd.GeoDataFrame) -> None:
    with pytest.raises(LayerError, match=r"5 x 10 = 50 cells, over the cap of 20; raise cell_m"):
        make_grid(area, cell_m=100, max_cells=20)
    big = rect(0, 0, 200_000, 200_000)
    with pytest.raises(LayerError, match="raise cell_m to at least 142 m"):
        make_grid(big, cell_m=100)  # 4,000,000 cells over the default 2,000,000


def test_intersects_rule_keeps_every_cell_a_point_falls_in() -> None:
    points = gpd.GeoDataFrame(geometry=[Point(X0 + 10, Y0 + 10), Point(X0 + 250, Y0 + 90)], crs=UTM)
    grid = make_grid(points, cell_m=100, rule="intersects")
    assert len(grid) == 2
    assert grid.geometry.contains(points.geometry.iloc[0]).any()


# --------------------------------------------------------------------------- spread_zone_totals


@pytest.fixture
def zones() -> gpd.GeoDataFrame:
    """West zone 600 m x 500 m (30 cells), east zone 400 m x 500 m (20 cells)."""
    return gpd.GeoDataFrame(
        {"id": ["W", "E"], "total": [3_000.0, 10.0], "carers": [7.0, 1.0]},
        geometry=[box(X0, Y0, X0 + 600, Y0 + 500), box(X0 + 600, Y0, X0 + 1000, Y0 + 500)],
        crs=UTM,
    )


def test_spread_puts_each_zone_total_on_its_own_cells(zones: gpd.GeoDataFrame) -> None:
    cells = spread_zone_totals(zones, value_cols=["total", "carers"], zone_col="id", cell_m=100)
    assert list(cells.columns) == ["row", "col", "zone", "total", "carers", "geometry"]
    assert len(cells) == 50
    assert cells["zone"].value_counts().to_dict() == {"W": 30, "E": 20}
    west = cells[cells["zone"] == "W"]
    assert west["total"].to_numpy() == pytest.approx(np.full(30, 100.0))
    assert west["col"].max() == 5
    sums = cells.groupby("zone")[["total", "carers"]].sum()
    assert sums.loc["W"].tolist() == pytest.approx([3_000.0, 7.0], rel=1e-12)
    assert sums.loc["E"].tolist() == pytest.approx([10.0, 1.0], rel=1e-12)
    assert zones["total"].tolist() == [3_000.0, 10.0]  # input not mutated


def test_a_zone_too_small_for_a_centre_gets_the_cell_at_its_representative_point(
    zones: gpd.GeoDataFrame,
) -> None:
    tiny = gpd.GeoDataFrame(
        {"id": ["T"], "total": [42.0], "carers": [2.0]},
        geometry=[box(X0 + 110, Y0 + 410, X0 + 140, Y0 + 440)],  # inside cell (0, 1), off-centre
        crs=UTM,
    )
    island = gpd.GeoDataFrame(
        {"id": ["I"], "total": [5.0], "carers": [0.0]},
        geometry=[box(X0 + 1210, Y0 + 10, X0 + 1220, Y0 + 20)],  # 200 m east, no other zone
        crs=UTM,
    )
    cells = spread_zone_totals(
        pd.concat([zones, tiny, island]), value_cols=["total", "carers"], zone_col="id", cell_m=100
    )
    t = cells[cells["zone"] == "T"]
    assert len(t) == 1
    assert (t["row"].item(), t["col"].item()) == (0, 1)
    assert t["total"].item() == 42.0
    assert t.geometry.item().contains(tiny.geometry.item().representative_point())
    i = cells[cells["zone"] == "I"]
    assert (i["row"].item(), i["col"].item(), i["total"].item()) == (4, 12, 5.0)
    # W lost cell (0, 1) to T and spreads its 3,000 over 29 cells; totals still exact.
    west = cells[cells["zone"] == "W"]
    assert len(west) == 29
    assert west["total"].sum() == pytest.approx(3_000.0, rel=1e-12)
    assert not cells.duplicated(["row", "col"]).any()
    assert cells.index.equals(pd.RangeIndex(len(cells)))


def test_two_tiny_zones_in_one_cell_ask_for_a_smaller_cell() -> None:
    two = gpd.GeoDataFrame(
        {"id": ["a", "b"], "total": [1.0, 2.0]},
        geometry=[box(X0 + 5, Y0 + 5, X0 + 15, Y0 + 15), box(X0 + 20, Y0 + 5, X0 + 30, Y0 + 15)],
        crs=UTM,
    )
    with pytest.raises(LayerError, match=r"'a' and 'b'.*smaller cell_m"):
        spread_zone_totals(two, value_cols=["total"], zone_col="id", cell_m=100)


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"total": [np.nan, 1.0]}, "missing.*fill them"),
        ({"total": [-1.0, 1.0]}, "negative"),
        ({"total": ["1", "2"]}, "not numeric"),
    ],
)
def test_spread_rejects_bad_totals(zones: gpd.GeoDataFrame, change: dict, match: str) -> None:
    with pytest.raises(LayerError, match=match):
        spread_zone_totals(zones.assign(**change), value_cols=["total"], zone_col="id")


def test_spread_names_missing_columns(zones: gpd.GeoDataFrame) -> None:
    with pytest.raises(LayerError, match="'older'"):
        spread_zone_totals(zones, value_cols=["older"], zone_col="id")
    with pytest.raises(LayerError, match="zone_col"):
        spread_zone_totals(zones, value_cols=["total"], zone_col="code")


# --------------------------------------------------------------------------- interpolate


def test_polygons_are_interpolated_by_area(grid: gpd.GeoDataFrame) -> None:
    # A 200 m x 100 m block over cells (0, 0) and (0, 1), with 50 people: 25 + 25;
    # a block straddling four cells gets a quarter in each.
    blocks = gpd.GeoDataFrame(
        {"total": [50.0, 8.0], "older": [4.0, 0.0]},
        geometry=[
            box(X0, Y0 + 400, X0 + 200, Y0 + 500),
            box(X0 + 450, Y0 + 150, X0 + 550, Y0 + 250),
        ],
        crs=UTM,
    )
    out = interpolate(blocks, grid, value_cols=["total", "older"])
    image = to_array(out, "total")
    assert image[0, 0] == pytest.approx(25.0)
    assert image[0, 1] == pytest.approx(25.0)
    assert image[2:4, 4:6] == pytest.approx(np.full((2, 2), 2.0))
    assert out["total"].sum() == pytest.approx(58.0)
    assert out.attrs["outside"] == {"total": 0.0, "older": 0.0}
    assert out.attrs["grid"] == grid.attrs["grid"]
    assert "total" not in grid.columns  # input not mutated


def test_mass_outside_the_grid_is_reported(grid: gpd.GeoDataFrame) -> None:
    half_out = rect(X0 - 100, Y0, X0 + 100, Y0 + 100, total=10.0)
    points = gpd.GeoDataFrame(
        {"total": [3.0, 4.0]}, geometry=[Point(X0 + 50, Y0 + 50), Point(X0 - 50, Y0)], crs=UTM
    )
    out = interpolate(pd.concat([half_out, points]), grid, value_cols=["total"])
    assert out["total"].sum() == pytest.approx(5.0 + 3.0)
    assert out.attrs["outside"]["total"] == pytest.approx(5.0 + 4.0)


def test_points_add_their_counts_to_the_cell_holding_them(grid: gpd.GeoDataFrame) -> None:
    points = gpd.GeoDataFrame(
        {"children": [1, 2, 4]},
        geometry=[Point(X0 + 50, Y0 + 450), Point(X0 + 60, Y0 + 420), Point(X0 + 999, Y0 + 1)],
        crs=UTM,
    )
    out = interpolate(points, grid, value_cols=["children"])
    image = to_array(out, "children")
    assert image[0, 0] == 3.0
    assert image[4, 9] == 4.0
    assert np.nansum(image) == 7.0
    assert out.attrs["outside"] == {"children": 0.0}


def test_source_in_another_crs_is_projected_to_the_grid() -> None:
    lonlat = gpd.GeoDataFrame(
        {"total": [100.0]}, geometry=[box(-74.10, 4.60, -74.09, 4.61)], crs="EPSG:4326"
    )
    grid = make_grid(lonlat, cell_m=100, rule="intersects")
    out = interpolate(lonlat, grid, value_cols=["total"])
    assert out["total"].sum() == pytest.approx(100.0)
    assert out.attrs["outside"]["total"] == 0.0


def test_interpolate_needs_crs_and_areas_or_points(grid: gpd.GeoDataFrame) -> None:
    no_crs = gpd.GeoDataFrame({"total": [1.0]}, geometry=[box(X0, Y0, X0 + 10, Y0 + 10)])
    with pytest.raises(LayerError, match="no CRS"):
        interpolate(no_crs, grid, value_cols=["total"])
    line = gpd.GeoDataFrame(
        {"total": [1.0]}, geometry=[LineString([(X0, Y0), (X0 + 10, Y0)])], crs=UTM
    )
    with pytest.raises(LayerError, match=r"a LineString; demand must be polygons .* or points"):
        interpolate(line, grid, value_cols=["total"])
    lonlat_grid = grid.to_crs("EPSG:4326")
    with pytest.raises(LayerError, match="not projected"):
        interpolate(no_crs.set_crs(UTM), lonlat_grid, value_cols=["total"])


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(0, 900),
            st.floats(0, 400),
            st.floats(1, 100),
            st.floats(1, 100),
            st.floats(0, 1e6),
        ),
        min_size=1,
        max_size=20,
    )
)
def test_interpolation_conserves_mass_inside_the_grid(rects: list[tuple[float, ...]]) -> None:
    grid = make_grid(rect(X0, Y0, X0 + 1000, Y0 + 500), cell_m=100, crs=UTM)
    source = gpd.GeoDataFrame(
        {"total": [r[4] for r in rects]},
        geometry=[box(X0 + x, Y0 + y, X0 + x + w, Y0 + y + h) for x, y, w, h, _ in rects],
        crs=UTM,
    )
    out = interpolate(source, grid, value_cols=["total"])
    assert out["total"].sum() == pytest.approx(source["total"].sum(), rel=1e-9, abs=1e-6)
    assert out.attrs["outside"]["total"] == 0.0


def test_ten_thousand_blocks_interpolate_in_seconds() -> None:
    # 100 x 100 blocks of 73 m, not aligned with the 100 m cells.
    xs, ys = np.meshgrid(np.arange(100) * 73.0, np.arange(100) * 73.0)
    blocks = gpd.GeoDataFrame(
        {"total": np.full(10_000, 12.5)},
        geometry=shapely.box(
            X0 + xs.ravel(), Y0 + ys.ravel(), X0 + xs.ravel() + 73, Y0 + ys.ravel() + 73
        ),
        crs=UTM,
    )
    start = time.perf_counter()
    grid = make_grid(blocks, cell_m=100, rule="intersects")
    out = interpolate(blocks, grid, value_cols=["total"])
    assert time.perf_counter() - start < 5
    assert out["total"].sum() == pytest.approx(125_000.0)
    assert out.attrs["outside"]["total"] == 0.0


# --------------------------------------------------------------------------- arrays, files


def test_to_array_has_nan_where_there_is_no_cell() -> None:
    l_shape = gpd.GeoDataFrame(
        geometry=[box(X0, Y0, X0 + 300, Y0 + 100).union(box(X0, Y0, X0 + 100, Y0 + 300))], crs=UTM
    )
    grid = make_grid(l_shape, cell_m=100).assign(v=lambda f: f["row"] * 10.0 + f["col"])
    image = to_array(grid, "v")
    expected = np.array([[0.0, np.nan, np.nan], [10.0, np.nan, np.nan], [20.0, 21.0, 22.0]])
    np.testing.assert_array_equal(image, expected)
    with pytest.raises(LayerError, match="no column 'w'"):
        to_array(grid, "w")


def test_grid_frame_is_recovered_from_a_file(tmp_path, grid: gpd.GeoDataFrame) -> None:
    path = tmp_path / "grid.gpkg"
    grid.assign(total=1.0).to_file(path, layer="demand")
    back = gpd.read_file(path, layer="demand")
    assert not back.attrs
    assert grid_shape(back) == (5, 10)
    assert grid_transform(back) == pytest.approx((X0, Y0 + 500, 100.0))
    assert demand.with_grid_attrs(back).attrs["grid"] == grid.attrs["grid"]
    assert not demand.is_grid(gpd.GeoDataFrame(geometry=[box(0, 0, 1, 2)], crs=UTM))


# --------------------------------------------------------------------------- Bogotá sample


@pytest.fixture(scope="module")
def localidades() -> gpd.GeoDataFrame:
    registry = load_registry(PROJECT_DIR / "data")
    return load_layer(registry["localidades"], data_dir=registry.data_dir)


def test_sample_model_figures_come_from_the_facts() -> None:
    assert SAMPLE_MODEL.share("children") == pytest.approx(1_131_797 / 7_929_539 / 2)
    assert SAMPLE_MODEL.share("older") == pytest.approx(1_223_441 / 7_929_539)
    assert SAMPLE_MODEL.share("disability") == 0.0672
    assert SAMPLE_MODEL.share("carers") == pytest.approx(1_200_000 / 7_929_539)
    assert {item.group for item in SAMPLE_MODEL.shares} | {"total"} == set(GROUPS)
    for language in ("es", "en"):
        lines = SAMPLE_MODEL.explain(language)
        assert len(lines) == 6
        assert all(item.source for item in SAMPLE_MODEL.shares)
    assert "half" in SAMPLE_MODEL.explain("en")[1]
    assert "mostly women" in SAMPLE_MODEL.explain("en")[4]


def test_sample_demand_spreads_the_urban_localidades(localidades: gpd.GeoDataFrame) -> None:
    start = time.perf_counter()
    cells = sample_demand(localidades, cell_m=100)
    elapsed = time.perf_counter() - start
    assert elapsed < 3
    assert 40_000 <= len(cells) <= 50_000
    urban = localidades[localidades["code"] != "20"]
    expected = float(urban["population_2024"].sum())
    assert expected == 7_898_000
    assert cells["total"].sum() == pytest.approx(expected, rel=1e-6)
    assert "20" not in set(cells["zone"])
    assert cells.groupby("zone")["total"].sum().to_dict() == pytest.approx(
        dict(zip(urban["code"], urban["population_2024"].astype(float), strict=True))
    )
    for group in GROUPS[1:]:
        assert cells[group].sum() == pytest.approx(expected * SAMPLE_MODEL.share(group))
    assert list(cells.columns) == ["row", "col", "zone", *GROUPS, "geometry"]
    assert cells.attrs["grid"]["crs"] == "EPSG:32618"
    assert "MODELLED" in cells.attrs["model"]["en"]
    assert "not census data" in cells.attrs["model"]["en"]
    assert "MODELADA" in cells.attrs["model"]["es"]
    image = to_array(cells, "total")
    assert image.shape == grid_shape(cells)
    assert np.nansum(image) == pytest.approx(expected)
