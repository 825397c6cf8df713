"""geo.catchments: buffers in metres, never degrees."""

from __future__ import annotations

import geopandas as gpd
import pytest
from shapely.geometry import Point

from geo.catchments import catchments
from geo.errors import LayerError


def test_metric_buffer_area() -> None:
    services = gpd.GeoDataFrame(
        {"name": ["a", "b"]}, geometry=[Point(0, 0), Point(5000, 0)], crs=32618
    )
    zones = catchments(services, radius_m=800)
    assert zones.crs == services.crs
    assert list(zones["name"]) == ["a", "b"]
    assert zones.area.iloc[0] == pytest.approx(3.14159 * 800**2, rel=0.01)


def test_geographic_layer_is_buffered_in_metres() -> None:
    services = gpd.GeoDataFrame(geometry=[Point(-74.1, 4.6)], crs=4326)
    zone = catchments(services, radius_m=1000)
    assert zone.crs.to_epsg() == 4326
    metric = zone.to_crs(zone.estimate_utm_crs())
    assert metric.area.iloc[0] == pytest.approx(3.14159e6, rel=0.01)


def test_errors() -> None:
    with pytest.raises(LayerError, match="no CRS"):
        catchments(gpd.GeoDataFrame(geometry=[Point(0, 0)]), radius_m=10)
    with pytest.raises(ValueError, match="positive"):
        catchments(gpd.GeoDataFrame(geometry=[Point(0, 0)], crs=32618), radius_m=0)
