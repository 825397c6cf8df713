"""Walking catchments drawn as straight-line zones around services."""

from __future__ import annotations

import geopandas as gpd

from geo.errors import LayerError


def catchments(services: gpd.GeoDataFrame, *, radius_m: float) -> gpd.GeoDataFrame:
    """Buffer each service by a straight-line radius, measured in metres.

    Parameters
    ----------
    services
        Point layer with a defined CRS (a geographic CRS is projected to the
        layer's UTM zone for the buffer, never buffered in degrees).
    radius_m
        Catchment radius in metres (e.g. ``geo.profiles.reach_m(15)``).

    Returns
    -------
    geopandas.GeoDataFrame
        The same rows and columns, geometry replaced by the catchment polygon, in
        the input CRS.
    """
    if services.crs is None:
        raise LayerError("the services layer has no CRS; set it (e.g. gdf.set_crs(4326)).")
    if radius_m <= 0:
        raise ValueError(f"radius_m must be positive, got {radius_m}.")
    if services.empty:
        return services.copy()
    metric = (
        services.to_crs(services.estimate_utm_crs()) if services.crs.is_geographic else services
    )
    zones = metric.assign(geometry=metric.buffer(radius_m, quad_segs=16))
    return zones.to_crs(services.crs)
