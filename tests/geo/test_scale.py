"""geo.scale on a LocalCluster of worker processes: the same figures as geo.gaps.

The grid is small (about 4,000 cells) but cut into 16 x 16-cell tiles, so that many
services sit near a partition edge (the halo case: a cell's nearest service, or a
service's catchment, lies in another partition) and unserved areas cross partitions.
A tile with no cells and an empty partition file are included.
"""

from __future__ import annotations

import json
import math

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest

from geo import access, gaps, scale
from geo.demand import GRID_ATTR, GridFrame
from geo.errors import LayerError
from geo.settings import Settings

TILE = 16
MINUTES = 5.0  # adult, detour 1.3: ~ 385 m, ~4 cells of 100 m
REL = 1e-9


def _rel(a: np.ndarray, b: np.ndarray) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    scale_ = np.maximum(np.abs(a), np.abs(b))
    diff = np.abs(a - b)
    both_nan = np.isnan(a) & np.isnan(b)
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(scale_ > 0, diff / scale_, diff)
    return float(np.nanmax(np.where(both_nan, 0.0, rel))) if len(a) else 0.0


@pytest.fixture(scope="module")
def client():
    settings = Settings.from_env({"CARE_ATLAS_DASK_WORKERS": "2"})
    with scale.cluster(settings) as c:
        yield c


@pytest.fixture(scope="module")
def frame() -> GridFrame:
    return GridFrame(
        x0=4_500_000.0, y_top=2_500_000.0, cell_m=100.0, n_rows=60, n_cols=76, crs="EPSG:9377"
    )


@pytest.fixture(scope="module")
def grid(frame: GridFrame) -> gpd.GeoDataFrame:
    """The synthetic cells of the whole frame, less one tile (a hole), with zones."""
    cells = scale.synthetic_tile(frame, 0, 0, tile=max(frame.n_rows, frame.n_cols), seed=7)
    hole = (cells["row"] // TILE == 1) & (cells["col"] // TILE == 2)
    cells = cells.loc[~hole].reset_index(drop=True)
    cells["zone"] = np.where(cells["col"] < 40, "west", "east")
    boxes = frame.boxes(cells["row"].to_numpy(), cells["col"].to_numpy())
    out = gpd.GeoDataFrame(cells, geometry=boxes, crs=frame.crs)
    out.attrs[GRID_ATTR] = frame.as_attrs()
    return out


@pytest.fixture(scope="module")
def services(frame: GridFrame) -> gpd.GeoDataFrame:
    """Services scattered, plus services on and just beside tile edges (the halo case)."""
    rng = np.random.default_rng(3)
    n = 25
    x = frame.x0 + rng.uniform(0, frame.n_cols * frame.cell_m, n)
    y = frame.y_top - rng.uniform(0, frame.n_rows * frame.cell_m, n)
    edge = TILE * frame.cell_m
    ex = frame.x0 + np.array([edge - 1.0, edge + 1.0, 3 * edge + 0.5, 2 * edge])
    ey = frame.y_top - np.array([edge * 2 - 2.0, 5 * 100.0, edge + 0.2, edge * 3 + 3.0])
    codes = ["child_care", "respite", "older_care;training", ""]
    out = gpd.GeoDataFrame(
        {
            "id": [f"s{i}" for i in range(n + 4)],
            "capacity": np.r_[rng.integers(5, 80, n), [10, 20, 30, 40]].astype(float),
            "services": [codes[i % 3] for i in range(n)] + codes,
        },
        geometry=gpd.points_from_xy(np.r_[x, ex], np.r_[y, ey]),
        crs=frame.crs,
    )
    return out.to_crs("EPSG:4326")  # as layers arrive: the engine projects them


@pytest.fixture(scope="module")
def demand_set(grid: gpd.GeoDataFrame, tmp_path_factory) -> scale.DemandSet:
    folder = tmp_path_factory.mktemp("grid") / "demand"
    out = scale.write_grid(
        grid,
        folder,
        groups=scale.SYNTHETIC_GROUPS,
        zone_col="zone",
        tile=TILE,
        provenance={"source": "test"},
    )
    # An empty partition file, as a tile of sea would give from another writer.
    empty = pd.read_parquet(out.files[0]).iloc[:0]
    gpd.GeoDataFrame(empty, geometry=gpd.GeoSeries([], crs=grid.crs)).to_parquet(
        folder / "part.99999.99999.parquet", index=False
    )
    return scale.open_demand(folder)


@pytest.fixture(scope="module")
def single(grid, services) -> gaps.GapsResult:
    return gaps.run_gaps(grid, services, minutes=MINUTES, groups=list(scale.SYNTHETIC_GROUPS[1:]))


@pytest.fixture(scope="module")
def dasked(demand_set, services, client, tmp_path_factory) -> scale.ScaleResult:
    out = tmp_path_factory.mktemp("run") / "result"
    return scale.run_gaps(
        demand_set,
        services,
        scale.Job(folder=out, client=client),
        minutes=MINUTES,
        groups=list(scale.SYNTHETIC_GROUPS[1:]),
    )


def test_grid_is_partitioned_with_a_hole_and_an_empty_file(demand_set, grid):
    names = [f.name for f in demand_set.files]
    assert len(names) == math.ceil(60 / TILE) * math.ceil(76 / TILE) - 1 + 1
    assert "part.00001.00002.parquet" not in names  # the hole: no cells, no file
    assert demand_set.n_cells == len(grid)
    assert len(pd.read_parquet(demand_set.path / "part.99999.99999.parquet")) == 0
    meta = json.loads((demand_set.path / scale.META_FILE).read_text())
    assert meta["provenance"] == {"source": "test"}
    assert meta["zone_col"] == "zone"


def test_services_sit_near_partition_edges(services, frame, single):
    # The fixture is only a halo test if some cell's nearest service is in another tile.
    metric = services.to_crs(frame.crs)
    col = ((metric.geometry.x - frame.x0) // frame.cell_m).astype(int) // TILE
    row = ((frame.y_top - metric.geometry.y) // frame.cell_m).astype(int) // TILE
    tile_of = dict(zip(metric["id"], zip(row, col, strict=True), strict=True))
    cells = single.demand
    near = cells["nearest_service"].map(tile_of)
    own = list(zip(cells["row"] // TILE, cells["col"] // TILE, strict=True))
    crossing = sum(n != o for n, o in zip(near, own, strict=True))
    covered_crossing = sum(n != o for n, o, c in zip(near, own, cells["covered"], strict=True) if c)
    assert crossing > 100
    assert covered_crossing > 20


def test_coverage_matches_single_machine(single, dasked):
    a = single.coverage.sort_index()
    b = dasked.coverage.sort_index()
    assert list(a.index) == list(b.index)
    for col in ("population", "covered", "unserved", "pct_covered"):
        assert _rel(a[col].to_numpy(), b[col].to_numpy()) < REL, col


def test_cells_match_single_machine(single, dasked):
    got = scale.read_cells(dasked.cells.parent).compute()
    got = got.sort_values(["row", "col"]).reset_index(drop=True)
    want = single.demand.sort_values(["row", "col"]).reset_index(drop=True)
    assert len(got) == len(want)
    np.testing.assert_array_equal(got["covered"].to_numpy(), want["covered"].to_numpy())
    assert _rel(got["nearest_m"], want["nearest_m"]) < REL
    assert _rel(got["nearest_minutes"], want["nearest_minutes"]) < REL
    assert _rel(got["access_per_1000"], want["access_per_1000"]) < REL
    assert (got["nearest_service"].astype(str) == want["nearest_service"].astype(str)).all()
    for col in ("care_within", "carer_within", "simultaneity"):
        np.testing.assert_array_equal(got[col].to_numpy(bool), want[col].to_numpy(bool))
    assert got["access_per_1000"].gt(0).any() and got["covered"].mean() < 0.95


def test_headline_matches_single_machine(single, dasked):
    a, b = single.headline, dasked.headline
    for key in (
        "radius_m",
        "n_cells",
        "n_services",
        "access_median_per_1000",
        "access_median_covered_per_1000",
        "n_unserved_areas",
        "largest_unserved_km2",
        "largest_unserved_people",
        "simultaneity_share",
        "carers_both",
        "carers_total",
    ):
        assert _rel([a[key]], [b[key]]) < REL, key
    assert a["groups"].keys() == b["groups"].keys()
    assert a["simultaneity_note"] == b["simultaneity_note"]
    assert b["engine"] == "dask" and b["workers"] == 2
    assert b["n_partitions"] == len(list(dasked.cells.glob("part.*.parquet")))


def test_unserved_areas_match_single_machine(single, dasked):
    want = single.unserved_areas
    got = dasked.unserved_areas
    assert len(want) > 3  # several areas, some across tiles
    assert got["area_id"].tolist() == want["area_id"].tolist()
    assert got["rank"].tolist() == want["rank"].tolist()
    assert got["n_cells"].tolist() == want["n_cells"].tolist()
    assert _rel(got["area_km2"], want["area_km2"]) < REL
    for g in scale.SYNTHETIC_GROUPS[1:]:
        assert _rel(got[g], want[g]) < REL, g
    # the bounding box the engine reports is that of the dissolved area
    np.testing.assert_allclose(
        got[["minx", "miny", "maxx", "maxy"]].to_numpy(), want.geometry.bounds.to_numpy()
    )
    spans = (got["maxx"] - got["minx"]) / 100 > TILE
    assert spans.any()  # at least one area crosses a partition edge


def test_zones_match_single_machine(grid, services, demand_set, client, tmp_path):
    groups = ["children", "carers"]
    want = gaps.run_gaps(grid, services, minutes=MINUTES, groups=groups, zone_col="zone")
    got = scale.run_gaps(
        demand_set,
        services,
        scale.Job(folder=tmp_path / "zones", client=client),
        minutes=MINUTES,
        groups=groups,
        zone_col="zone",
    )
    a = want.by_zone.sort_index()
    b = got.by_zone.sort_index()
    assert list(a.index) == list(b.index) == ["east", "west"]
    for col in a.columns:
        assert _rel(a[col].to_numpy(), b[col].to_numpy()) < REL, col
    # areas split by zone: the same areas (ids are numbered differently per zone)
    key = ["zone", "n_cells", *groups]
    wa = want.unserved_areas[key].sort_values(key).reset_index(drop=True)
    ga = got.unserved_areas[key].sort_values(key).reset_index(drop=True)
    assert len(wa) == len(ga) > 3
    np.testing.assert_array_equal(wa["zone"], ga["zone"])
    np.testing.assert_array_equal(wa["n_cells"], ga["n_cells"])
    for g in groups:
        assert _rel(wa[g], ga[g]) < REL


def test_min_population_drops_small_areas(demand_set, services, client, tmp_path, single):
    people = single.unserved_areas[list(scale.SYNTHETIC_GROUPS[1:])].sum(axis=1)
    threshold = float(people.median())
    got = scale.run_gaps(
        demand_set,
        services,
        scale.Job(folder=tmp_path / "min", client=client),
        minutes=MINUTES,
        groups=list(scale.SYNTHETIC_GROUPS[1:]),
        options=gaps.GapsOptions(min_population=threshold),
    )
    assert len(got.unserved_areas) == int((people >= threshold).sum())
    assert got.unserved_areas["rank"].tolist() == list(range(1, len(got.unserved_areas) + 1))


def test_results_are_written(dasked):
    folder = dasked.cells.parent
    summary = json.loads((folder / "summary.json").read_text())
    assert summary["headline"]["n_cells"] == dasked.headline["n_cells"]
    areas = gpd.read_parquet(folder / "unserved_areas.parquet")
    assert len(areas) == len(dasked.unserved_areas)
    assert areas.crs == dasked.unserved_areas.crs


def test_lazy_nearest_and_2sfca_match_access(grid, services, demand_set, client):
    centres = grid.set_geometry(gaps.cell_centres(grid))
    metric = services.to_crs(grid.crs).reset_index(drop=True)
    want = access.nearest(centres, metric, max_distance_m=300.0)
    got = (
        scale.nearest(demand_set, services, max_distance_m=300.0)
        .compute()
        .merge(grid[["row", "col"]].reset_index(), on=["row", "col"])
        .set_index("index")
        .sort_index()
    )
    found = want["service_index"].notna().to_numpy()
    np.testing.assert_array_equal(got["service_position"].to_numpy() >= 0, found)
    np.testing.assert_array_equal(
        got["service_position"].to_numpy()[found], want["service_index"].to_numpy()[found]
    )
    assert _rel(got["distance_m"], want["distance_m"]) < REL

    a = access.two_step_fca(
        centres,
        metric,
        demand_col="total",
        capacity_col="capacity",
        radius_m=500.0,
        decay="gaussian",
    )
    b = (
        scale.two_step_fca(
            demand_set,
            services,
            client=client,
            demand_col="total",
            capacity_col="capacity",
            radius_m=500.0,
            decay="gaussian",
        )
        .compute()
        .merge(grid[["row", "col"]].reset_index(), on=["row", "col"])
        .set_index("index")
        .sort_index()
    )
    assert _rel(a.reindex(grid.index).to_numpy(), b["capacity_per_person"].to_numpy()) < REL


def test_progress_is_reported(demand_set, services, client, tmp_path):
    seen: list[tuple[str, int, int]] = []
    scale.run_gaps(
        demand_set,
        services,
        scale.Job(
            folder=tmp_path / "p",
            client=client,
            progress=lambda stage, done, total: seen.append((stage, done, total)),
        ),
        minutes=MINUTES,
        groups=["children"],
    )
    stages = list(dict.fromkeys(s for s, _, _ in seen))
    assert stages[:2] == ["pass 1/2", "pass 2/2"]
    n = len(demand_set.files)
    assert ("pass 1/2", n, n) in seen and ("pass 2/2", 0, n) in seen


def test_synthetic_grid_is_the_same_whatever_the_tiling(client, tmp_path):
    a = scale.write_synthetic_grid(
        scale.Job(folder=tmp_path / "a", client=client), n_cells=5_000, tile=16
    )
    b = scale.write_synthetic_grid(
        scale.Job(folder=tmp_path / "b", client=client), n_cells=5_000, tile=64
    )
    assert a.frame == b.frame
    assert len(a.files) > len(b.files)
    ta = a.read().compute().sort_values(["row", "col"]).reset_index(drop=True)
    tb = b.read().compute().sort_values(["row", "col"]).reset_index(drop=True)
    assert 4_500 < len(ta) < 5_500
    assert a.n_cells == len(ta)
    # per-tile randomness differs with the tiling; the town field does not
    assert ta["total"].sum() == pytest.approx(tb["total"].sum(), rel=0.05)
    assert "synthetic" in a.provenance["source"]


def test_bad_inputs_name_the_problem(demand_set, services, client, tmp_path, grid):
    with pytest.raises(LayerError, match="no column"):
        scale.run_gaps(
            demand_set,
            services,
            scale.Job(folder=tmp_path / "x", client=client),
            minutes=5,
            groups=["pets"],
        )
    with pytest.raises(LayerError, match="no CRS"):
        scale.run_gaps(
            demand_set,
            services.set_crs(None, allow_override=True),
            scale.Job(folder=tmp_path / "y", client=client),
            minutes=5,
        )
    keep = tmp_path / "keep"
    keep.mkdir()
    (keep / "notes.txt").write_text("mine")
    with pytest.raises(LayerError, match="nothing was deleted"):
        scale.run_gaps(
            demand_set, services, scale.Job(folder=keep, client=client, overwrite=True), minutes=5
        )
    assert (keep / "notes.txt").read_text() == "mine"
    with pytest.raises(LayerError, match="not a partitioned demand grid"):
        scale.open_demand(tmp_path)
    with pytest.raises(LayerError, match="exists"):
        scale.write_grid(grid, demand_set.path, groups=["total"])


def test_unreachable_scheduler_is_a_clear_message():
    settings = Settings.from_env({"CARE_ATLAS_DASK_SCHEDULER": "tcp://127.0.0.1:9"})
    with (
        pytest.raises(LayerError, match=r"no Dask scheduler answers at tcp://127\.0\.0\.1:9"),
        scale.cluster(settings),
    ):
        pass


def test_worker_peak_memory_is_reported(client):
    peaks = scale.worker_peak_rss_mb(client)
    assert len(peaks) == 2 and all(50 < v < 24_000 for v in peaks.values())
