"""ui.export and ui.uploads: downloads that a spreadsheet opens safely; layers round-trip."""

from __future__ import annotations

import io

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import Point

from ui.export import csv_bytes
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
