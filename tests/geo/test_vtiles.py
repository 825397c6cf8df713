"""Vector tiles cut from tiny hand-made layers decode back to what was put in."""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import LineString, Point, Polygon

from geo import vtiles
from geo.errors import LayerError
from geo.io.atlas.basemap import build_basemap, sample_layers, street_name

# At zoom 12 a tile is 9783.94 m of Web Mercator: 1 tile unit = 2.3887 m. Tile (12, 2048,
# 2048) has its top-left corner at the projection's origin (0, 0).
Z = 12
UNIT = vtiles.tile_size_m(Z) / vtiles.EXTENT


def _layer(name: str, frame: gpd.GeoDataFrame, **kw) -> vtiles.TileLayer:
    return vtiles.TileLayer(name, frame, Z, Z, **kw)


def _units(metres: float) -> int:
    return round(metres / UNIT)


def test_polygon_with_hole_keeps_its_rings_and_winding() -> None:
    outer = [(1000, -1000), (3000, -1000), (3000, -3000), (1000, -3000)]
    hole = [(1500, -1500), (2500, -1500), (2500, -2500), (1500, -2500)]
    frame = gpd.GeoDataFrame({"name": ["a"]}, geometry=[Polygon(outer, [hole])], crs=3857)
    tiles = vtiles.build_tiles([_layer("blocks", frame)], minzoom=Z, maxzoom=Z)
    assert list(tiles) == [(Z, 2048, 2048)]
    (feature,) = vtiles.decode_tile(tiles[(Z, 2048, 2048)])["blocks"]
    assert feature["type"] == "Polygon"
    assert feature["properties"] == {"name": "a"}
    exterior, interior = feature["parts"]
    assert sorted(set(exterior)) == sorted(
        {(_units(1000), _units(1000)), (_units(3000), _units(1000)),
         (_units(3000), _units(3000)), (_units(1000), _units(3000))}
    )  # fmt: skip
    assert len(exterior) == 5 and exterior[0] == exterior[-1]
    assert (_units(1500), _units(1500)) in interior and len(interior) == 5
    assert feature["area2"][0] > 0 > feature["area2"][1]  # exterior positive, hole negative
    assert abs(feature["area2"][0]) == pytest.approx(2 * _units(2000) ** 2, rel=0.01)
    assert abs(feature["area2"][1]) == pytest.approx(2 * _units(1000) ** 2, rel=0.01)


def test_line_crossing_tiles_is_clipped_into_each_with_a_buffer() -> None:
    size = vtiles.tile_size_m(Z)
    line = LineString([(size * 0.5, -size * 0.5), (size * 1.5, -size * 0.5)])
    frame = gpd.GeoDataFrame({"name": ["Calle 1"], "main": [1]}, geometry=[line], crs=3857)
    tiles = vtiles.build_tiles([_layer("streets", frame)], minzoom=Z, maxzoom=Z)
    assert set(tiles) == {(Z, 2048, 2048), (Z, 2049, 2048)}
    (left,) = vtiles.decode_tile(tiles[(Z, 2048, 2048)])["streets"]
    (right,) = vtiles.decode_tile(tiles[(Z, 2049, 2048)])["streets"]
    assert left["properties"] == {"name": "Calle 1", "main": 1}
    assert left["parts"] == [[(2048, 2048), (4096 + vtiles.BUFFER_UNITS, 2048)]]
    assert right["parts"] == [[(-vtiles.BUFFER_UNITS, 2048), (2048, 2048)]]


def test_points_nulls_and_several_parts() -> None:
    frame = gpd.GeoDataFrame(
        {"name": ["Suba", None], "rank": [1, 2]},
        geometry=[Point(100 * UNIT, -200 * UNIT), Point(300 * UNIT, -400 * UNIT)],
        crs=3857,
    )
    tiles = vtiles.build_tiles([_layer("places", frame)], minzoom=Z, maxzoom=Z)
    features = vtiles.decode_tile(tiles[(Z, 2048, 2048)])["places"]
    assert [f["parts"] for f in features] == [[[(100, 200)]], [[(300, 400)]]]
    assert [f["properties"] for f in features] == [{"name": "Suba", "rank": 1}, {"rank": 2}]


def test_zoom_filter_and_values_per_zoom() -> None:
    lines = [LineString([(100, -100), (2000, -100)]), LineString([(100, -900), (2000, -900)])]
    frame = gpd.GeoDataFrame({"name": ["Avenida Boyacá", "Calle 2"]}, geometry=lines, crs=3857)
    main = np.array([True, False])
    layer = vtiles.TileLayer(
        "streets",
        frame,
        11,
        12,
        zoom_filter=lambda z: np.ones(2, bool) if z >= 12 else main,
        keep_values=lambda z: {} if z >= 12 else {"name": main},
    )
    tiles = vtiles.build_tiles([layer], minzoom=11, maxzoom=12)
    low = vtiles.decode_tile(tiles[(11, 1024, 1024)])["streets"]
    high = vtiles.decode_tile(tiles[(12, 2048, 2048)])["streets"]
    assert [f["properties"] for f in low] == [{"name": "Avenida Boyacá"}]
    assert [f["properties"] for f in high] == [{"name": "Avenida Boyacá"}, {"name": "Calle 2"}]


def test_tiny_polygons_are_left_out_when_zoomed_out() -> None:
    small = Polygon([(10, -10), (12, -10), (12, -12), (10, -12)])  # 2 m: under a unit at z12
    big = Polygon([(100, -100), (600, -100), (600, -600), (100, -600)])
    frame = gpd.GeoDataFrame(geometry=[small, big], crs=3857)
    tiles = vtiles.build_tiles([_layer("blocks", frame, min_size_units=4)], minzoom=Z, maxzoom=Z)
    assert len(vtiles.decode_tile(tiles[(Z, 2048, 2048)])["blocks"]) == 1


def test_pmtiles_round_trip(tmp_path) -> None:
    lonlat = gpd.GeoDataFrame(
        {"name": ["Chapinero"]},
        geometry=[Polygon([(-74.07, 4.62), (-74.05, 4.62), (-74.05, 4.66), (-74.07, 4.66)])],
        crs=4326,
    )
    layers = sample_layers(localidades=lonlat, countries=None)
    result = build_basemap(layers, tmp_path / "b.pmtiles", minzoom=10, maxzoom=12)
    header, tiles = vtiles.read_pmtiles(result.path)
    assert header["min_zoom"] == 10 and header["max_zoom"] == 12
    assert len(tiles) == result.tiles > 0
    x0, y0, x1, y1 = vtiles.tiles_covering((-74.07, 4.62, -74.05, 4.66), 12)
    inside = [k for k in tiles if k[0] == 12 and x0 <= k[1] <= x1 and y0 <= k[2] <= y1]
    names = [
        f["properties"].get("name")
        for k in inside
        for f in vtiles.decode_tile(tiles[k]).get("places", [])
    ]
    assert names == ["Chapinero"]


def test_layer_without_crs_is_refused() -> None:
    frame = gpd.GeoDataFrame(geometry=[Point(0, 0)])
    with pytest.raises(LayerError, match="no CRS"):
        vtiles.build_tiles([_layer("places", frame)], minzoom=Z, maxzoom=Z)


@pytest.mark.parametrize(
    ("label", "name", "expected"),
    [
        ("KR 89A", None, "Carrera 89A"),
        ("CL 63BIS S", None, "Calle 63 Bis Sur"),
        ("AK 86", None, "Avenida Carrera 86"),
        ("KR 1 E", None, "Carrera 1 Este"),
        ("AC 26", "AVENIDA EL DORADO", "Avenida El Dorado"),
        (None, None, None),
    ],
)
def test_street_names_read_as_people_say_them(label, name, expected) -> None:
    assert street_name(label, name) == expected


def test_zoomed_out_tiles_use_a_smaller_extent() -> None:
    frame = gpd.GeoDataFrame(geometry=[Point(1024 * UNIT, -2048 * UNIT)], crs=3857)
    layer = vtiles.TileLayer("places", frame, Z - 1, Z)
    tiles = vtiles.build_tiles([layer], minzoom=Z - 1, maxzoom=Z)
    (deep,) = vtiles.decode_tile(tiles[(Z, 2048, 2048)])["places"]
    (out,) = vtiles.decode_tile(tiles[(Z - 1, 1024, 1024)])["places"]
    assert (deep["extent"], deep["parts"]) == (4096, [[(1024, 2048)]])
    # the same point at zoom 11 is a quarter of the way in and at extent 1024
    assert (out["extent"], out["parts"]) == (vtiles.EXTENT_ZOOMED_OUT, [[(128, 256)]])
