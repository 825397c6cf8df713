"""``python -m geo gaps`` and the pipeline behind it (geo.gaps)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
from shapely.geometry import Point, box

from geo import gaps
from geo.__main__ import main
from geo.demand import make_grid, spread_zone_totals
from geo.errors import LayerError
from geo.profiles import reach_m
from geo.settings import PROJECT_DIR
from tests.geo._helpers import run_geo

UTM = "EPSG:32618"
X0, Y0 = 500_000.0, 500_000.0
SERVICES = PROJECT_DIR / "data" / "care_blocks.geojson"


def run_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return run_geo(*args, timeout=60)


# --------------------------------------------------------------------------- command line


def test_gaps_on_the_sample_writes_four_layers_and_prints_headlines(tmp_path: Path) -> None:
    out = tmp_path / "gaps.gpkg"
    done = run_cli(
        "gaps", "--demand", "sample", "--services", SERVICES, "--minutes", "15",
        "--cell-m", "200", "--out", out,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    layers = dict(pyogrio.list_layers(out))
    assert set(layers) == {"demand", "unserved_areas", "by_zone", "summary"}
    assert layers["by_zone"] is None and layers["summary"] is None  # plain tables
    for group in ("children", "older", "disability", "carers"):
        assert f"{group}: " in done.stdout
    assert "% covered" in done.stdout
    assert "unserved" in done.stdout
    assert "for the median person" in done.stdout
    assert "per 1,000" in done.stdout
    assert "1 place per service: no 'capacity' column" in done.stdout
    assert "Simultaneity: " in done.stdout and "of carers" in done.stdout
    assert "Unserved areas: " in done.stdout
    assert "MODELLED" in done.stdout

    cells = gpd.read_file(out, layer="demand")
    assert 11_000 <= len(cells) <= 12_000
    for column in ("covered", "nearest_m", "nearest_minutes", "access_per_1000", "zone"):
        assert column in cells.columns
    assert cells["total"].sum() == pytest.approx(7_898_000)
    radius = reach_m(15)
    assert (cells["covered"] == (cells["nearest_m"] <= radius)).all()
    summary = gpd.read_file(out, layer="summary")
    assert {"minutes", "radius_m", "pct_covered", "access_median_per_1000"} <= set(summary["key"])
    by_zone = gpd.read_file(out, layer="by_zone")
    assert len(by_zone) == 19
    areas = gpd.read_file(out, layer="unserved_areas")
    assert (areas["rank"] == np.arange(1, len(areas) + 1)).all()


def test_a_bad_file_gives_one_line_and_exit_code_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.geojson"
    broken.write_text("{ not json", encoding="utf-8")
    done = run_cli(
        "gaps", "--demand", broken, "--services", SERVICES, "--minutes", "15",
        "--out", tmp_path / "x.gpkg",
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert "broken.geojson cannot be read" in done.stderr
    assert not (tmp_path / "x.gpkg").exists()


@pytest.mark.parametrize(
    ("args", "match"),
    [
        (["--minutes", "-5"], "must be a positive number"),
        (["--minutes", "15", "--groups", "children,elders"], "unknown group"),
        (["--minutes", "15", "--profile", "runner"], "invalid choice"),
        (["--minutes", "15", "--detour", "0.5"], "detour"),
        (["--minutes", "15", "--services", "nowhere.geojson"], "nowhere.geojson not found"),
        (["--minutes", "15", "--out", "gaps.shp"], "must end in .gpkg"),
    ],
)
def test_bad_arguments_give_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], match: str
) -> None:
    base = {"--demand": "sample", "--services": str(SERVICES), "--out": str(tmp_path / "o.gpkg")}
    for key in ("--services", "--out"):
        if key in args:
            base[key] = str(tmp_path / args.pop(args.index(key) + 1))
            args.remove(key)
    argv = ["gaps", *[x for kv in base.items() for x in kv], "--cell-m", "400", *args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert match in err[0]


def test_demand_file_without_the_groups_names_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocks = gpd.GeoDataFrame(
        {"people": [10.0]}, geometry=[box(-74.10, 4.60, -74.09, 4.61)], crs="EPSG:4326"
    )
    path = tmp_path / "blocks.gpkg"
    blocks.to_file(path)
    argv = ["gaps", "--demand", str(path), "--services", str(SERVICES), "--minutes", "15"]
    assert main([*argv, "--out", str(tmp_path / "o.gpkg")]) == 2
    err = capsys.readouterr().err
    assert "lacks the group column(s) children, older, disability, carers" in err


def test_a_demand_polygon_file_is_interpolated_and_keeps_zones(tmp_path: Path) -> None:
    blocks = gpd.GeoDataFrame(
        {
            "upz": ["a", "b"],
            "children": [30.0, 10.0],
            "carers": [12.0, 8.0],
        },
        geometry=[box(-74.100, 4.600, -74.095, 4.605), box(-74.095, 4.600, -74.090, 4.605)],
        crs="EPSG:4326",
    )
    path = tmp_path / "blocks.geojson"
    blocks.to_file(path)
    out = tmp_path / "o.gpkg"
    argv = ["gaps", "--demand", str(path), "--services", str(SERVICES), "--minutes", "15"]
    code = main([*argv, "--groups", "children,carers", "--zone-col", "upz", "--out", str(out)])
    assert code == 0
    cells = gpd.read_file(out, layer="demand")
    assert cells["children"].sum() == pytest.approx(40.0)
    assert set(cells["zone"]) == {"a", "b"}
    by_zone = gpd.read_file(out, layer="by_zone")
    assert by_zone.set_index("zone")["children_population"].sum() == pytest.approx(40.0)


# --------------------------------------------------------------------------- pipeline


@pytest.fixture
def strip() -> gpd.GeoDataFrame:
    """A 2 km x 100 m strip of 20 cells, west zone 'W' (10 cells), east zone 'E' (10 cells)."""
    zones = gpd.GeoDataFrame(
        {
            "id": ["W", "E"],
            "total": [1000.0, 1000.0],
            "children": [100.0, 50.0],
            "carers": [20.0, 10.0],
        },
        geometry=[box(X0, Y0, X0 + 1000, Y0 + 100), box(X0 + 1000, Y0, X0 + 2000, Y0 + 100)],
        crs=UTM,
    )
    return spread_zone_totals(
        zones, value_cols=["total", "children", "carers"], zone_col="id", cell_m=100
    )


def test_run_gaps_counts_people_within_reach(strip: gpd.GeoDataFrame) -> None:
    # One full care block at the west end (cell 0's centre). 4 minutes at 4.5 km/h with no
    # detour is 300 m: cells 0-3 (centres at 0, 100, 200, 300 m) are within reach.
    services = gpd.GeoDataFrame(
        {"id": ["s1"], "services": ["child_care;respite"], "capacity": [8.0]},
        geometry=[Point(X0 + 50, Y0 + 50)],
        crs=UTM,
    )
    result = gaps.run_gaps(
        strip,
        services,
        minutes=4,
        groups=["children", "carers"],
        zone_col="zone",
        options=gaps.GapsOptions(detour=1.0),
    )
    cells = result.demand
    assert cells["covered"].tolist() == [True] * 4 + [False] * 16
    assert cells["nearest_m"].iloc[:3].tolist() == pytest.approx([0.0, 100.0, 200.0])
    assert cells["nearest_minutes"].iloc[1] == pytest.approx(100 / 75)  # 75 m a minute
    assert set(cells["nearest_service"]) == {"s1"}
    children = result.headline["groups"]["children"]
    assert children["covered"] == pytest.approx(40.0)  # 4 cells x 10
    assert children["unserved"] == pytest.approx(110.0)
    assert children["pct_covered"] == pytest.approx(40 / 150 * 100)
    # 2SFCA on total: 8 places / 400 people within reach = 20 per 1,000 for covered cells;
    # the median resident (of 2,000) lives in an uncovered cell: 0.
    assert cells["access_per_1000"].iloc[0] == pytest.approx(20.0)
    assert result.headline["access_median_per_1000"] == 0.0
    assert result.headline["access_median_covered_per_1000"] == pytest.approx(20.0)
    assert result.headline["capacity"] == "from the 'capacity' column"
    assert result.headline["carers_both"] == pytest.approx(8.0)  # 4 cells x 2 carers
    assert result.headline["simultaneity_share"] == pytest.approx(8.0 / 30.0)
    assert cells["care_within"].equals(cells["covered"])
    assert cells["simultaneity"].equals(cells["covered"])
    assert result.by_zone is not None
    assert list(result.by_zone.index) == ["E", "W"]
    # Unserved areas are split by zone: W cells 4-9 (60 children + 12 carers) rank
    # before E cells 10-19 (50 children + 10 carers), though E is larger.
    areas = result.unserved_areas
    assert areas["zone"].tolist() == ["W", "E"]
    assert areas["n_cells"].tolist() == [6, 10]
    assert areas["children"].tolist() == pytest.approx([60.0, 50.0])
    assert result.headline["largest_unserved_km2"] == pytest.approx(0.06)
    assert result.headline["largest_unserved_people"] == pytest.approx(60.0 + 12.0)
    lines = result.lines()
    assert lines[1] == "children: 40 of 150 people within reach (26.7% covered), 110 unserved"
    assert "key" in result.summary.columns
    assert "covered" not in strip.columns  # input not mutated


def test_run_gaps_without_codes_skips_simultaneity(strip: gpd.GeoDataFrame) -> None:
    services = gpd.GeoDataFrame(
        geometry=[Point(X0 + 50, Y0 + 50), Point(X0 + 1950, Y0 + 50)],
        index=["dup", "dup"],  # labels may repeat, e.g. two layers concatenated
        crs=UTM,
    ).to_crs("EPSG:4326")
    result = gaps.run_gaps(strip, services, minutes=15, groups=["children"])
    assert set(result.demand["nearest_service"]) == {"dup"}
    assert "simultaneity_share" not in result.headline
    assert "care_within" not in result.demand.columns
    assert "no 'services' codes column" in result.lines()[-2]
    assert result.headline["capacity"].startswith("1 place per service")
    assert result.by_zone is None


def test_run_gaps_errors(strip: gpd.GeoDataFrame) -> None:
    services = gpd.GeoDataFrame(geometry=[Point(X0, Y0)], crs=UTM)
    with pytest.raises(LayerError, match="older"):
        gaps.run_gaps(strip, services, minutes=15, groups=["older"])
    with pytest.raises(LayerError, match="minutes"):
        gaps.run_gaps(strip, services, minutes=0, groups=["children"])
    with pytest.raises(LayerError, match="no CRS"):
        gaps.run_gaps(
            strip, services.set_crs(None, allow_override=True), minutes=5, groups=["children"]
        )


def test_prepare_demand_uses_a_grid_as_it_is_and_interpolates_points(tmp_path: Path) -> None:
    grid = make_grid(gpd.GeoDataFrame(geometry=[box(X0, Y0, X0 + 300, Y0 + 200)], crs=UTM))
    grid = grid.assign(children=1.0)
    path = tmp_path / "grid.gpkg"
    grid.to_file(path)
    back = gaps.prepare_demand(gpd.read_file(path), groups=["children"])
    assert back.attrs["grid"] == grid.attrs["grid"]
    assert len(back) == 6

    points = gpd.GeoDataFrame(
        {"children": [2.0, 3.0, 5.0]},
        geometry=[Point(X0 + 10, Y0 + 10), Point(X0 + 20, Y0 + 30), Point(X0 + 950, Y0 + 10)],
        crs=UTM,
    )
    cells = gaps.prepare_demand(points, groups=["children"], cell_m=100)
    assert len(cells) == 2
    assert sorted(cells["children"]) == [5.0, 5.0]
    assert cells.attrs["outside"] == {"children": 0.0}


def test_simultaneity_is_zero_without_carer_services(strip: gpd.GeoDataFrame) -> None:
    services = gpd.GeoDataFrame(
        {"services": ["child_care;older_care"]}, geometry=[Point(X0 + 50, Y0 + 50)], crs=UTM
    )
    result = gaps.run_gaps(strip, services, minutes=15, groups=["children", "carers"])
    assert result.headline["simultaneity_share"] == 0.0
    assert result.headline["carers_total"] == pytest.approx(30.0)
    assert "0 carer services" in result.headline["simultaneity_note"]
    assert result.demand["care_within"].any()
    assert not result.demand["carer_within"].any()
