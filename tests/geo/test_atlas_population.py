"""Dasymetric demand (geo.io.atlas.population): hand-checkable frames in UTM 18N, metres."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from shapely.geometry import box

from geo.demand import GridFrame, to_array
from geo.errors import LayerError
from geo.io.atlas.population import (
    CARERS_SHARE,
    COLUMNS,
    DISABILITY_SHARE,
    DasymetricOptions,
    PopulationInputs,
    allocate,
    cell_weights,
    cohort_ratios,
    dasymetric_demand,
)

UTM = "EPSG:32618"
X0, Y0 = 500_000.0, 500_000.0  # whole multiples of 100 m: cells line up with the boxes below


def b(x0: float, y0: float, x1: float, y1: float) -> shapely.Polygon:
    """A box in metres from (X0, Y0)."""
    return box(X0 + x0, Y0 + y0, X0 + x1, Y0 + y1)


def frame(rows: list[dict], geoms: list) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(rows, geometry=geoms, crs=UTM)


def localidad_table(y2024: dict[str, tuple[int, int, int]]) -> pd.DataFrame:
    """2018 rows: 01 = 10 % aged 0-5, 02 = 20 %; 2024 rows ``code: (total, 0-5, 60+)``."""
    rows = [
        {"localidad": "01", "year": 2018, "total": 1000, "age_0_5": 100, "age_60_plus": 100},
        {"localidad": "02", "year": 2018, "total": 100, "age_0_5": 20, "age_60_plus": 10},
    ]
    rows += [
        {"localidad": c, "year": 2024, "total": t, "age_0_5": k, "age_60_plus": o}
        for c, (t, k, o) in y2024.items()
    ]
    return pd.DataFrame(rows)


@pytest.fixture
def tiny() -> dict:
    """Two localidades, three UPZ (one without blocks), five blocks.

    Localidad 01 = x 0..400, y 0..300; 02 = x 400..600, y 0..200. UPZ 1 = x 0..200 and
    UPZ 2 = x 200..400 (y 0..200) in 01; UPZ 3 = x 400..500 in 02, with no block.
    Blocks: A (6,400 m²) and B (3,200 m²) in UPZ 1, C in UPZ 2, D in 01 outside every
    UPZ (y 200..300), E outside every localidad. Localidad 02 has land outside every
    UPZ (x 500..600) but no block there.
    """
    localidades = frame([{"code": "01"}, {"code": "02"}], [b(0, 0, 400, 300), b(400, 0, 600, 200)])
    upz = frame(
        [
            {"code": "UPZ1", "number": "1", "kind": "UPZ", "localidad": "01"},
            {"code": "UPZ2", "number": "2", "kind": "UPZ", "localidad": "01"},
            {"code": "UPZ3", "number": "3", "kind": "UPZ", "localidad": "02"},
            {"code": "UPR1", "number": "1", "kind": "UPR", "localidad": "01"},  # same number
        ],
        [b(0, 0, 200, 200), b(200, 0, 400, 200), b(400, 0, 500, 200), b(0, 200, 100, 300)],
    )
    blocks = frame(
        [{"block_id": i} for i in "ABCDE"],
        [
            b(10, 10, 90, 90),  # A: 6,400 m² in cell (x 0..100, y 0..100)
            b(110, 10, 190, 50),  # B: 3,200 m² in cell (x 100..200, y 0..100)
            b(210, 110, 290, 190),  # C: UPZ 2
            b(310, 210, 390, 290),  # D: localidad 01, outside every UPZ
            b(1000, 1000, 1050, 1050),  # E: outside everything (2,500 m²)
        ],
    )
    population_upz = pd.DataFrame(
        [
            {"upz": "001", "localidad": "01", "year": 2024, "total": 900, "age_60_plus": 90},
            {"upz": "2", "localidad": "01", "year": 2024, "total": 300, "age_60_plus": 60},
            {"upz": "3", "localidad": "02", "year": 2024, "total": 200, "age_60_plus": 20},
        ]
    )
    # 2024: 01 = 1,300 people (100 outside every UPZ), 02 = 250 (50 outside every UPZ);
    # 0-5 in 2024 sums to 0.1 * 1300 + 0.2 * 250 = 180, so the scale factor is 1.
    population_localidad = localidad_table({"01": (1300, 150, 130), "02": (250, 30, 50)})
    return {
        "upz": upz,
        "localidades": localidades,
        "population_upz": population_upz,
        "population_localidad": population_localidad,
        "blocks": blocks,
        "crs": UTM,
    }


FRAMES = ("upz", "localidades", "population_upz", "population_localidad", "blocks")


def demand(tiny: dict, **options: object) -> tuple:
    """:func:`dasymetric_demand` of the frames of ``tiny`` with its other keys as options."""
    inputs = PopulationInputs(**{k: tiny[k] for k in FRAMES})
    rest = {k: v for k, v in tiny.items() if k not in FRAMES}
    return dasymetric_demand(inputs, DasymetricOptions(**rest, **options))


def cell_at(grid: gpd.GeoDataFrame, x: float, y: float) -> pd.Series:
    hit = grid[grid.geometry.contains(shapely.Point(X0 + x, Y0 + y))]
    assert len(hit) == 1, f"no single cell at {x}, {y}"
    return hit.iloc[0]


def test_tiny_blocks_get_people_in_proportion_to_area(tiny: dict) -> None:
    grid, _, _ = demand(tiny)
    a, bb = cell_at(grid, 50, 50), cell_at(grid, 150, 50)
    assert a["total"] == pytest.approx(600)  # 900 * 6,400 / 9,600
    assert bb["total"] == pytest.approx(300)  # 900 * 3,200 / 9,600
    assert (a["upz"], a["zone"]) == ("UPZ1", "01")
    assert cell_at(grid, 250, 150)["total"] == pytest.approx(300)
    assert a["older"] == pytest.approx(60)  # 90 * 2 / 3
    assert a["children"] == pytest.approx(60)  # 600 * 10 % (2018 share of 01)
    assert a["disability"] == pytest.approx(600 * DISABILITY_SHARE.share)
    assert a["carers"] == pytest.approx(600 * CARERS_SHARE.share)
    assert a["population"] == a["total"]


def test_tiny_remainders_upz_without_blocks_and_nothing_lost(tiny: dict) -> None:
    grid, _, report = demand(tiny)
    d = cell_at(grid, 350, 250)
    assert d["total"] == pytest.approx(100)  # localidad 01's people outside every UPZ
    assert d["zone"] == "01" and pd.isna(d["upz"])  # outside every UPZ: no UPZ code
    assert d["older"] == pytest.approx(10)  # 100 * 130 / 1,300 (localidad 60+ share)
    # UPZ 3 has no block: its 200 people spread uniformly over its two cells.
    for y in (50, 150):
        assert cell_at(grid, 450, y)["total"] == pytest.approx(100)
        assert cell_at(grid, 550, y)["total"] == pytest.approx(25)  # 02's remainder, no block
    assert grid["total"].sum() == pytest.approx(1550, rel=1e-12)
    assert grid.groupby("upz")["total"].sum().to_dict() == pytest.approx(
        {"UPZ1": 900, "UPZ2": 300, "UPZ3": 200}
    )
    assert grid.groupby("zone")["total"].sum().to_dict() == pytest.approx({"01": 1300, "02": 250})
    assert grid["children"].sum() == pytest.approx(180)
    assert report.upz_without_blocks == ("UPZ3",)
    assert (report.blocks_outside_everything, report.blocks_outside_everything_km2) == (
        1,
        pytest.approx(0.0025),
    )
    assert report.blocks_outside_upz == 2  # D and E
    assert report.blocks_outside_upz_populated == 1
    spread = {r.localidad: (r.people, r.spread_over, r.units) for r in report.remainders}
    assert spread == {"01": (100, "blocks", 1), "02": (50, "area", 1)}
    assert report.max_upz_error < 1e-9
    assert report.city_total == pytest.approx(1550)
    assert any("02" in w and "uniformly" in w for w in report.warnings)
    assert len(grid) == 8 and report.cells == 8
    assert not grid[list(COLUMNS)].isna().any().any()


def test_tiny_grid_format_and_attrs(tiny: dict) -> None:
    grid, model, _ = demand(tiny)
    assert list(grid.columns) == ["row", "col", "zone", "upz", *COLUMNS, "geometry"]
    assert grid.crs == UTM
    meta = grid.attrs["grid"]
    assert (meta["cell_m"], meta["crs"]) == (100.0, UTM)
    assert set(grid.attrs["model"]) == {"es", "en"}
    assert "MODELLED" in grid.attrs["model"]["en"] and "MODELADA" in grid.attrs["model"]["es"]
    ordered = grid.sort_values(["row", "col"]).index
    assert list(ordered) == list(grid.index)
    assert np.nansum(to_array(grid, "total")) == pytest.approx(1550)
    assert grid.attrs["explain"]["es"] == model.explain("es")
    for lang in ("es", "en"):
        text = "\n".join(model.explain(lang))
        assert "SDP – DANE" in text and "IDECA manzanas catastrales" in text


def test_children_use_the_structure_year_scaled_to_the_year_total(tiny: dict) -> None:
    # 2024 0-5 now sums to 90: half of 0.1 * 1300 + 0.2 * 250 = 180.
    tiny["population_localidad"] = localidad_table({"01": (1300, 80, 130), "02": (250, 10, 50)})
    grid, model, report = demand(tiny)
    assert report.children_scale == pytest.approx(0.5)
    assert grid["children"].sum() == pytest.approx(90)
    assert cell_at(grid, 50, 50)["children"] == pytest.approx(600 * 0.1 * 0.5)
    assert cell_at(grid, 450, 50)["children"] == pytest.approx(100 * 0.2 * 0.5)
    assert model.figures["children_scale"][0] == pytest.approx(0.5)


def test_a_block_over_two_cells_is_split_by_overlap(tiny: dict) -> None:
    tiny["blocks"] = tiny["blocks"].set_geometry(
        [b(50, 10, 150, 90), *tiny["blocks"].geometry.iloc[1:]], crs=UTM
    )
    tiny["blocks"] = tiny["blocks"].drop(index=1)  # UPZ 1 has one block, half in each cell
    grid, _, _ = demand(tiny)
    assert cell_at(grid, 50, 50)["total"] == pytest.approx(450)
    assert cell_at(grid, 150, 50)["total"] == pytest.approx(450)
    point, _, _ = demand(tiny, allocation="point")
    assert point.groupby("upz")["total"].sum()["UPZ1"] == pytest.approx(900)
    assert point["total"].max() == pytest.approx(900)  # one cell: the representative point


def test_block_weights_replace_area_and_fall_back_to_area_when_all_zero(tiny: dict) -> None:
    # e.g. address points per block: A has none (a park), B, C, D have one; C then 0.
    tiny["blocks"] = tiny["blocks"].assign(n_addr=[0, 1, 1, 1, 0])
    grid, model, report = demand(tiny, weight_col="n_addr")
    assert cell_at(grid, 150, 50)["total"] == pytest.approx(900)  # all of UPZ 1 in B
    assert grid.geometry.contains(shapely.Point(X0 + 50, Y0 + 50)).sum() == 0  # A: nobody
    assert report.weight == "n_addr" and report.weight_fallback == ()
    assert "'n_addr'" in "\n".join(model.explain("en"))
    tiny["blocks"] = tiny["blocks"].assign(n_addr=[0, 1, 0, 1, 0])
    grid, _, report = demand(tiny, weight_col="n_addr")
    assert report.weight_fallback == ("UPZ UPZ2",)
    assert cell_at(grid, 250, 150)["total"] == pytest.approx(300)
    tiny["blocks"] = tiny["blocks"].assign(n_addr=[0, -1, 0, 1, 0])
    with pytest.raises(LayerError, match="n_addr"):
        demand(tiny, weight_col="n_addr")


def test_rural_area_spreads_the_remainder_over_the_land_outside_every_upz(tiny: dict) -> None:
    grid, _, report = demand(tiny, rural="area")
    # Localidad 01 outside every UPZ: x 0..400, y 200..300 (the UPR counts as outside).
    for x in (50, 150, 250, 350):
        assert cell_at(grid, x, 250)["total"] == pytest.approx(25)
    assert {r.localidad: r.spread_over for r in report.remainders} == {"01": "area", "02": "area"}
    assert report.blocks_outside_upz_populated == 0
    assert grid["total"].sum() == pytest.approx(1550)


def test_a_cell_shared_by_two_upz_goes_to_the_larger_share_sums_stay_exact() -> None:
    # UPZ 1 (x 0..150) block P: 80 % in cell x 0..100, 20 % in x 100..200.
    # UPZ 2 (x 150..300) block Q: 50 % in x 100..200, 50 % in x 200..300.
    loc = frame([{"code": "01"}], [b(0, 0, 300, 100)])
    upz = frame(
        [
            {"code": "UPZ1", "number": "1", "kind": "UPZ"},
            {"code": "UPZ2", "number": "2", "kind": "UPZ"},
        ],
        [b(0, 0, 150, 100), b(150, 0, 300, 100)],
    )
    blocks = frame([{"block_id": 1}, {"block_id": 2}], [b(20, 10, 120, 90), b(150, 10, 250, 90)])
    pop_upz = pd.DataFrame(
        [
            {"upz": "1", "localidad": "01", "year": 2024, "total": 100, "age_60_plus": 10},
            {"upz": "2", "localidad": "01", "year": 2024, "total": 1000, "age_60_plus": 100},
        ]
    )
    pop_loc = localidad_table({"01": (1100, 110, 110)}).query("localidad == '01'")
    grid, _, report = dasymetric_demand(
        PopulationInputs(
            upz=upz,
            localidades=loc,
            population_upz=pop_upz,
            population_localidad=pop_loc,
            blocks=blocks,
        ),
        DasymetricOptions(crs=UTM),
    )
    middle = cell_at(grid, 150, 50)
    assert (middle["upz"], middle["total"]) == ("UPZ2", pytest.approx(500))
    assert cell_at(grid, 50, 50)["total"] == pytest.approx(100)  # UPZ 1's 20 moved back
    assert cell_at(grid, 250, 50)["total"] == pytest.approx(500)
    assert report.people_shifted == pytest.approx(20)


def test_allocate_core_on_plain_arrays() -> None:
    fr = GridFrame(x0=0.0, y_top=100.0, cell_m=100.0, n_rows=1, n_cols=3, crs=UTM)
    geoms = np.array([box(20, 10, 120, 90), box(150, 10, 250, 90)], dtype=object)
    unit, cell, frac = cell_weights(geoms, fr)
    assert sorted(zip(unit.tolist(), cell.tolist(), np.round(frac, 9).tolist(), strict=True)) == [
        (0, 0, 0.8),
        (0, 1, 0.2),
        (1, 1, 0.5),
        (1, 2, 0.5),
    ]
    out = allocate(np.array([0, 1]), np.ones(2), (unit, cell, frac), np.array([[100.0], [1000.0]]))
    assert out.cells.tolist() == [0, 1, 2]
    assert out.group.tolist() == [0, 1, 1]
    assert out.values[:, 0].tolist() == pytest.approx([100, 500, 500])
    assert out.shifted.tolist() == pytest.approx([0.2, 0.0])


def test_every_upz_keeps_a_cell_even_if_dominated() -> None:
    fr = GridFrame(x0=0.0, y_top=100.0, cell_m=100.0, n_rows=1, n_cols=2, crs=UTM)
    geoms = np.array([box(40, 10, 60, 90), box(10, 10, 190, 90)], dtype=object)
    unit_cell = cell_weights(geoms, fr)
    out = allocate(np.array([0, 1]), np.ones(2), unit_cell, np.array([[5.0], [1000.0]]))
    assert out.values[:, 0].sum() == pytest.approx(1005)
    assert sorted(out.group.tolist()) == [0, 1]


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda t: t["population_upz"].assign(upz=["1", "2", "99"]), "no polygon"),
        (lambda t: t["population_upz"].assign(total=[900, 300, 2000]), "below the sum"),
        (lambda t: t["population_upz"].assign(year=2030), "no rows for 2024"),
        (lambda t: t["population_upz"].drop(columns="age_60_plus"), "age_60_plus"),
    ],
)
def test_bad_population_tables_are_refused(tiny: dict, change, match: str) -> None:
    tiny["population_upz"] = change(tiny)
    with pytest.raises(LayerError, match=match):
        demand(tiny)


def test_geographic_crs_is_refused(tiny: dict) -> None:
    with pytest.raises(LayerError, match="metres"):
        demand({**tiny, "crs": "EPSG:4326"})


# ----------------------------------------------------------------- official layers


def official_inputs(folder: Path) -> PopulationInputs:
    """Normalise the raw official files as ATLAS.md describes (what sources.py returns)."""
    loc = gpd.read_file(folder / "localidades" / "loca.shp").to_crs("EPSG:4326")
    localidades = gpd.GeoDataFrame(
        {"code": loc["LocCodigo"].astype(str).str.zfill(2), "name": loc["LocNombre"]},
        geometry=loc.geometry.values,
        crs="EPSG:4326",
    )
    raw = gpd.read_file(folder / "upz" / "UPla.shp").to_crs("EPSG:4326")
    code = raw["UPlCodigo"].astype(str)
    points = gpd.GeoDataFrame(geometry=shapely.point_on_surface(raw.geometry.values), crs=4326)
    hit = gpd.sjoin(points, localidades, predicate="within", how="left")
    hit = hit[~hit.index.duplicated()]
    upz = gpd.GeoDataFrame(
        {
            "code": code,
            "number": code.str.extract(r"(\d+)")[0].astype(int).astype(str),
            "name": raw["UPlNombre"],
            "kind": raw["UPlTipo"].astype(int).map({1: "UPZ", 2: "UPR"}),
            "localidad": hit["code"].to_numpy(),
        },
        geometry=raw.geometry.values,
        crs="EPSG:4326",
    )
    folder_pop = folder / "population"
    pl = pd.read_csv(
        folder_pop / "poblacion_localidad_total_2018_2024_2025.csv",
        dtype={"codigo_localidad": str},
    )
    population_localidad = pd.DataFrame(
        {
            "localidad": pl["codigo_localidad"].str.zfill(2),
            "name": pl["nombre_localidad"],
            "year": pl["ano"].astype(int),
            "total": pl["poblacion_total"],
            "urban": pl["poblacion_cabecera"],
            "age_0_5": pl["poblacion_0_5"],
            "age_6_11": pl["poblacion_6_11"],
            "age_12_17": pl["poblacion_12_17"],
            "age_18_59": pl["poblacion_18_59"],
            "age_60_plus": pl["poblacion_60_mas"],
        }
    )
    pu = pd.read_csv(
        folder_pop / "poblacion_upz_2018_2024.csv",
        dtype={"codigo_upz": str, "codigo_localidad": str},
    )
    population_upz = pd.DataFrame(
        {
            "upz": pu["codigo_upz"].astype(int).astype(str),
            "name": pu["nombre_upz"],
            "localidad": pu["codigo_localidad"].str.zfill(2),
            "year": pu["ano"].astype(int),
            "total": pu["poblacion_total"],
            "age_60_plus": pu["poblacion_60_mas"],
        }
    )
    blocks = gpd.read_file(folder / "blocks" / "manzanas_bogota.gpkg")[["block_id", "geometry"]]
    return PopulationInputs(
        upz=upz,
        localidades=localidades,
        population_upz=population_upz,
        population_localidad=population_localidad,
        blocks=blocks,
    )


@pytest.fixture(scope="module")
def official(official_dir: Path) -> tuple[PopulationInputs, gpd.GeoDataFrame, object, object]:
    inputs = official_inputs(official_dir)
    grid, model, report = dasymetric_demand(inputs, DasymetricOptions())
    return inputs, grid, model, report


def test_official_upz_and_city_totals_are_the_published_figures(official) -> None:
    inputs, grid, _, report = official
    published = inputs.population_upz.query("year == 2024")
    expected = dict(zip("UPZ" + published["upz"], published["total"].astype(float), strict=True))
    assert len(expected) == 112
    sums = grid.groupby("upz")["total"].sum()
    assert set(sums.index) == set(expected)
    for code, total in expected.items():
        assert sums[code] == pytest.approx(total, rel=1e-9), code
    older = grid.groupby("upz")["older"].sum()
    assert older["UPZ1"] == pytest.approx(
        float(published.loc[published["upz"] == "1", "age_60_plus"].iloc[0]), rel=1e-9
    )
    assert grid["total"].sum() == pytest.approx(8_034_649, rel=1e-9)
    assert report.city_total == pytest.approx(8_034_649, rel=1e-9)
    localidades = inputs.population_localidad.query("year == 2024")
    by_zone = grid.groupby("zone")["total"].sum()
    for code, total in zip(localidades["localidad"], localidades["total"], strict=True):
        assert by_zone[code] == pytest.approx(total, rel=1e-9), code
    assert sum(r.people for r in report.remainders) == pytest.approx(32_469)
    assert grid.loc[grid["zone"] == "20", "total"].sum() == pytest.approx(3_926)
    assert report.upz == 112 and report.upz_without_blocks == ()
    assert report.max_upz_error < 1e-6


def test_official_cells_are_finite_non_negative_and_groups_differ(official) -> None:
    _, grid, model, report = official
    values = grid[list(COLUMNS)].to_numpy()
    assert np.isfinite(values).all() and (values >= 0).all()
    assert (grid["population"] == grid["total"]).all()
    assert grid.attrs["grid"]["crs"] == "EPSG:32618" and grid.attrs["grid"]["cell_m"] == 100.0
    assert 20_000 < report.cells < 100_000  # blocks only, not the rural hills
    by_upz = grid.groupby("upz")[["total", "children", "older"]].sum()
    older = by_upz["older"] / by_upz["total"]
    children = by_upz["children"] / by_upz["total"]
    # A uniform share would give one ratio everywhere: the real ones spread widely.
    assert older.max() - older.min() > 0.10
    assert children.max() / children.min() > 1.5
    # Where older people are a large share, young children are a small one.
    assert np.corrcoef(older, children)[0, 1] < -0.3
    expected = grid["total"].to_numpy() * DISABILITY_SHARE.share
    assert grid["disability"].to_numpy() == pytest.approx(expected, rel=1e-12)
    assert grid["children"].sum() == pytest.approx(567_816, rel=1e-9)
    assert "MODELLED" in model.note["en"]


def test_official_2024_localidad_age_structure_is_implausible(official) -> None:
    inputs, _, _, report = official
    ratios_2018 = cohort_ratios(inputs.population_localidad, 2018)
    ratios_2024 = cohort_ratios(inputs.population_localidad, 2024)
    assert ratios_2024["08"] < 0.75  # Kennedy: 53,814 aged 0-5 against 78,061 aged 6-11
    assert 0.9 < ratios_2018["08"] < 1.1
    assert ratios_2024.max() - ratios_2024.min() > 2 * (ratios_2018.max() - ratios_2018.min())
    assert report.cohort_ratio_range[2024][0] == pytest.approx(ratios_2024.min())


def test_options_are_checked_when_made_and_hashable() -> None:
    assert DasymetricOptions(cell_m=100) == DasymetricOptions()
    assert hash(DasymetricOptions(year=2024)) == hash(DasymetricOptions())
    for bad, match in (
        ({"rural": "fields"}, "rural"),
        ({"allocation": "centroid"}, "allocation"),
        ({"cell_m": -1}, "cell_m"),
    ):
        with pytest.raises(LayerError, match=match):
            DasymetricOptions(**bad)
