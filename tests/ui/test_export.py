"""ui.render.export and ui.uploads: downloads that a spreadsheet opens safely; layers round-trip."""

from __future__ import annotations

import io

import geopandas as gpd
import numpy as np
import openpyxl
import pandas as pd
import pyogrio
import pytest
from shapely.geometry import Point

from ui.render.export import csv_bytes, sheet_title, xlsx_bytes
from ui.uploads import geojson_bytes, gpkg_bytes, table_csv


def test_formula_cells_are_neutralised() -> None:
    frame = pd.DataFrame(
        {"name": ['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)", "Bolívar"], "n": [1, 2, 3, 4, 5]}
    )
    text = csv_bytes(frame).decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "\n'+1," in text
    assert "\n'-2," in text
    assert "\n'@SUM(A1)," in text
    assert "\nBolívar,5" in text
    assert ",1\n" in text  # numbers untouched


def test_layer_downloads_round_trip(tmp_path) -> None:
    layer = gpd.GeoDataFrame(
        {"name": ["Casa de cuidado", "=cmd|' /C calc'!A0"]},
        geometry=[Point(-74.1, 4.6), Point(-74.0, 4.7)],
        crs=4326,
    )
    back = gpd.read_file(io.BytesIO(geojson_bytes(layer)))
    assert list(back["name"]) == list(layer["name"])  # GeoJSON keeps data as data
    gpkg = tmp_path / "places.gpkg"
    gpkg.write_bytes(gpkg_bytes(layer, layer="places"))
    assert pyogrio.read_dataframe(gpkg, layer="places")["name"].tolist() == list(layer["name"])
    csv = table_csv(layer).decode("utf-8-sig")
    assert "'=cmd" in csv
    assert "POINT (-74.1 4.6)" in csv


def _workbook(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


LINK = '=HYPERLINK("http://x.example","clic")'


def test_xlsx_round_trip_keeps_numbers_and_neutralises_formulas() -> None:
    places = pd.DataFrame(
        {
            "name": [LINK, "+1", "@SUM(A1)", "\tx", "Bolívar"],
            "people": [120, 0, -3, 7, 5],
            "share": [0.5, np.nan, 1.25, 2.0, 3.0],
            "open": [True, False, True, True, False],
        }
    )
    figures = pd.DataFrame({"figure": ["Manzanas"], "value": [19]})
    book = _workbook(xlsx_bytes({"Lugares": places, "Cifras": figures}))

    assert book.sheetnames == ["Lugares", "Cifras"]
    sheet = book["Lugares"]
    assert [c.value for c in sheet[1]] == ["name", "people", "share", "open"]
    assert all(c.font.bold for c in sheet[1])
    link = sheet["A2"]
    assert link.data_type != "f"
    assert link.value == "'" + LINK
    assert [sheet[f"A{r}"].value for r in range(3, 7)] == ["'+1", "'@SUM(A1)", "'\tx", "Bolívar"]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert [sheet[f"B{r}"].value for r in range(2, 7)] == [120, 0, -3, 7, 5]
    assert all(sheet[f"B{r}"].data_type == "n" for r in range(2, 7))
    assert sheet["C2"].value == pytest.approx(0.5)
    assert sheet["C3"].value is None  # NaN -> empty cell
    assert sheet["D2"].value is True
    assert book["Cifras"]["B2"].value == 19
    assert book["Cifras"]["B2"].data_type == "n"
    assert sheet.freeze_panes == "A2"
    width = sheet.column_dimensions["A"].width
    assert len(LINK) + 1 <= width <= 60
    assert 8 <= sheet.column_dimensions["B"].width < width


def test_xlsx_sheet_names_are_valid_and_unique() -> None:
    table = pd.DataFrame({"n": [1]})
    names = {
        "Manzanas/Buses: 2025 [borrador] con un nombre demasiado largo": table,
        "Manzanas/Buses: 2025 [borrador] con otro nombre largo": table,
        "'History'": table,
        "": table,
    }
    titles = _workbook(xlsx_bytes(names)).sheetnames
    assert len(titles) == 4
    assert len({t.casefold() for t in titles}) == 4
    for title in titles:
        assert 0 < len(title) <= 31
        assert not set(title) & set("[]:*?/\\")
        assert not title.startswith("'") and not title.endswith("'")
        assert title.casefold() != "history"
    assert titles[0] == "Manzanas_Buses_ 2025 _borrador_"
    assert titles[1].endswith(" (2)")
    assert sheet_title("Cifras", taken={"cifras"}) == "Cifras (2)"


def test_xlsx_geometry_dates_and_errors() -> None:
    layer = gpd.GeoDataFrame(
        {"name": ["Casa"], "when": [pd.Timestamp("2025-12-16 10:30")]},
        geometry=[Point(-74.1, 4.6)],
        crs=4326,
    )
    sheet = _workbook(xlsx_bytes({"Capa": layer}))["Capa"]
    assert sheet["C2"].value == "POINT (-74.1 4.6)"
    assert sheet["B2"].is_date
    with pytest.raises(ValueError, match="at least one"):
        xlsx_bytes({})
    with pytest.raises(ValueError, match="row 2, column 'text'"):
        xlsx_bytes({"Larga": pd.DataFrame({"text": ["x" * 40_000]})})
