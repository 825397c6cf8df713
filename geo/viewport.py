"""What part of the world a map shows, and boxes to query the store with.

A Leaflet map at zoom ``z`` is a Web Mercator (EPSG:3857) square of ``256 * 2**z``
pixels; a view (centre and zoom) plus the size of the map in pixels is therefore a
rectangle in Web Mercator, and the rectangle is turned into a
``(min_lon, min_lat, max_lon, max_lat)`` box for :meth:`geo.store.Store.approved`.
No distance is measured in degrees: boxes are built in Web Mercator (a view) or in
the UTM zone of a point (a search radius in metres), and only then expressed in
degrees.

Boxes never cross the antimeridian: one that would is widened to every longitude.

- :func:`view_bbox`: the box of a map view (Explore reads the places in view);
- :func:`snap_bbox`: a box grown to the tile grid, a cache key shared by nearby views;
- :func:`bbox_around`: the box holding a circle of a radius in metres;
- :func:`nearest_in_growing_box`: the nearest places of a layer read box by box
  (Near me reads community places around the point, never the whole table).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from functools import lru_cache

import geopandas as gpd
from pyproj import Transformer

from geo.nearby import Nearby, nearest_services, utm_epsg
from geo.params import NearQuery

log = logging.getLogger(__name__)

BBox = tuple[float, float, float, float]
"""``(min_lon, min_lat, max_lon, max_lat)`` in degrees (EPSG:4326)."""

TILE_PX = 256
"""Pixels of one Web Mercator tile (Leaflet's default)."""
MAX_MERCATOR_LAT = math.degrees(math.atan(math.sinh(math.pi)))
"""Latitude of the top edge of the Web Mercator square (85.0511...)."""
WORLD: BBox = (-180.0, -90.0, 180.0, 90.0)
MAX_SNAP_ZOOM = 22


def _mercator_x(lon: float) -> float:
    """Longitude as a fraction of the world's width, 0 at -180, 1 at 180."""
    return (lon + 180.0) / 360.0


def _mercator_y(lat: float) -> float:
    """Latitude as a fraction of the world's height, 0 at the top (north), 1 at the bottom."""
    lat = min(max(lat, -MAX_MERCATOR_LAT), MAX_MERCATOR_LAT)
    return 0.5 - math.asinh(math.tan(math.radians(lat))) / (2.0 * math.pi)


def _lat_of(y: float) -> float:
    """Inverse of :func:`_mercator_y`; beyond the square's edges, the pole."""
    if y <= 0.0:
        return 90.0
    if y >= 1.0:
        return -90.0
    return math.degrees(math.atan(math.sinh(math.pi * (1.0 - 2.0 * y))))


def _checked(name: str, value: float, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, not {value!r}.")
    value = float(value)
    if not (math.isfinite(value) and low <= value <= high):
        raise ValueError(f"{name} = {value!r} is outside {low:g}..{high:g}.")
    return value


def view_bbox(
    lat: float,
    lon: float,
    zoom: float,
    *,
    width_px: int = 1440,
    height_px: int = 900,
    margin: float = 1.0,
) -> BBox | None:
    """Return the box a map view shows, grown by a margin, or None for the whole world.

    Parameters
    ----------
    lat, lon
        Centre of the view in degrees. The latitude is clamped to the Web Mercator
        square (+-85.0511...); the longitude is wrapped into -180..180 (Leaflet lets a
        map be panned past the antimeridian).
    zoom
        Leaflet zoom level, 0 (the world in one 256 px tile) to 30.
    width_px, height_px
        Size of the map in CSS pixels. The defaults are a large screen, so the box
        errs on the side of covering the map.
    margin
        Extra on each side, as a fraction of half the view's width and height: 0 is
        exactly the view; 1.0 (the default) doubles its width and height, so places
        up to half a screen beyond each edge are loaded too.

    Returns
    -------
    tuple of float or None
        ``(min_lon, min_lat, max_lon, max_lat)``. A box reaching the top (bottom)
        edge of the Web Mercator square extends to latitude 90 (-90); one that spans
        every longitude or would cross the antimeridian spans -180..180. ``None``
        when the box covers the whole world (a zoom so low that the map shows it all).

    Raises
    ------
    ValueError
        A coordinate or the zoom is not a finite number in range; a size is not
        positive; the margin is negative.
    """
    lat = _checked("lat", lat, -90.0, 90.0)
    lon = _checked("lon", lon, -1e6, 1e6)
    zoom = _checked("zoom", zoom, 0.0, 30.0)
    for name, size in (("width_px", width_px), ("height_px", height_px)):
        if _checked(name, size, 0.0, 1e6) <= 0:
            raise ValueError(f"{name} must be a positive number of pixels, not {size!r}.")
    margin = _checked("margin", margin, 0.0, 1e3)
    lon = (lon + 180.0) % 360.0 - 180.0
    world_px = TILE_PX * 2.0**zoom
    half_w = width_px * (1.0 + margin) / 2.0 / world_px  # fractions of the world
    half_h = height_px * (1.0 + margin) / 2.0 / world_px
    x, y = _mercator_x(lon), _mercator_y(lat)
    top, bottom = y - half_h, y + half_h
    every_lon = 2.0 * half_w >= 1.0 or x - half_w < 0.0 or x + half_w > 1.0
    if every_lon and top <= 0.0 and bottom >= 1.0:
        return None
    if every_lon:
        min_lon, max_lon = -180.0, 180.0
    else:
        min_lon, max_lon = (x - half_w) * 360.0 - 180.0, (x + half_w) * 360.0 - 180.0
    return (min_lon, _lat_of(bottom), max_lon, _lat_of(top))


def snap_bbox(bbox: BBox) -> BBox:
    """Grow a box outwards to the Web Mercator tile grid of about its size.

    The grid is that of the zoom whose tiles are at least as large as the box, so the
    snapped box spans one to three tiles each way. Boxes of nearby views at the same
    zoom snap to the same box: use it as a cache key.

    Parameters
    ----------
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees.

    Returns
    -------
    tuple of float
        A box containing ``bbox``; latitudes beyond the Web Mercator square become
        +-90.
    """
    min_lon, min_lat, max_lon, max_lat = checked_bbox(bbox)
    x0, x1 = _mercator_x(min_lon), _mercator_x(max_lon)
    y0 = 0.0 if max_lat >= MAX_MERCATOR_LAT else _mercator_y(max_lat)
    y1 = 1.0 if min_lat <= -MAX_MERCATOR_LAT else _mercator_y(min_lat)
    size = max(x1 - x0, y1 - y0)
    zoom = MAX_SNAP_ZOOM if size <= 0 else min(max(math.floor(-math.log2(size)), 0), MAX_SNAP_ZOOM)
    tiles = 2**zoom
    sx0, sx1 = math.floor(x0 * tiles) / tiles, math.ceil(x1 * tiles) / tiles
    sy0, sy1 = math.floor(y0 * tiles) / tiles, math.ceil(y1 * tiles) / tiles
    if sx1 == sx0:  # a point exactly on a grid line
        sx1 = sx0 + 1 / tiles
    if sy1 == sy0:
        sy1 = sy0 + 1 / tiles
    return (
        max(sx0 * 360.0 - 180.0, -180.0),
        _lat_of(min(sy1, 1.0)),
        min(sx1 * 360.0 - 180.0, 180.0),
        _lat_of(max(sy0, 0.0)),
    )


def bbox_around(lat: float, lon: float, radius_m: float) -> BBox:
    """Return a box holding every point within ``radius_m`` of ``(lat, lon)``.

    The square of half-side ``radius_m`` around the point in its UTM zone (where
    :mod:`geo.nearby` measures distances), expressed in degrees (its edges densified,
    so the box holds the whole square).

    Parameters
    ----------
    lat, lon
        The centre, in degrees.
    radius_m
        Half-side of the square in metres, 0 to 2,000 km (beyond that the UTM
        zone's scale error grows large).

    Raises
    ------
    ValueError
        A coordinate out of range or a radius that is negative, not finite or too large.
    """
    lat = _checked("lat", lat, -90.0, 90.0)
    lon = _checked("lon", lon, -180.0, 180.0)
    radius_m = _checked("radius_m", radius_m, 0.0, 2_000_000.0)
    epsg = utm_epsg(lat, lon)
    x, y = _to_utm(epsg).transform(lon, lat)
    min_lon, min_lat, max_lon, max_lat = _from_utm(epsg).transform_bounds(
        x - radius_m, y - radius_m, x + radius_m, y + radius_m, densify_pts=21
    )
    min_lat, max_lat = max(min(min_lat, lat), -90.0), min(max(max_lat, lat), 90.0)
    if not (min_lon <= lon <= max_lon) or min_lon < -180.0 or max_lon > 180.0:
        min_lon, max_lon = -180.0, 180.0  # crosses the antimeridian: every longitude
    return (min_lon, min_lat, max_lon, max_lat)


def nearest_in_growing_box(
    fetch: Callable[[BBox], gpd.GeoDataFrame],
    query: NearQuery,
    *,
    start_m: float = 2_000.0,
    max_m: float = 128_000.0,
    enough_m: float = math.inf,
) -> Nearby:
    """Find the ``n`` nearest matching places of a layer read box by box around a point.

    Reads the places in :func:`bbox_around` the point with half-side ``start_m``,
    doubling it until one of these holds:

    - ``n`` matching places lie within the half-side (nothing outside the box can be
      nearer: the answer is exact);
    - the half-side reaches ``enough_m`` (the caller already has ``n`` places that
      near, from another layer: nothing farther can enter the merged answer, see
      :func:`geo.nearby.merge_nearby`);
    - the half-side reaches ``max_m`` (the answer is then the nearest found so far,
      perhaps fewer than ``n``).

    Parameters
    ----------
    fetch
        Returns the places inside a box ``(min_lon, min_lat, max_lon, max_lat)``, e.g.
        ``lambda box: store.approved(bbox=box)``; it may return more (a larger box).
    lat, lon, n, services_any, populations_any, operators, open_now_at, profile, detour, far_minutes
        As for :func:`geo.nearby.nearest_services`.
    start_m, max_m
        First and largest half-side of the box, in metres.
    enough_m
        Stop growing once the half-side reaches this distance in metres.

    Returns
    -------
    geo.nearby.Nearby
        The answer, with no bus stops.
    """
    start_m = _checked("start_m", start_m, 1.0, 2_000_000.0)
    max_m = _checked("max_m", max_m, start_m, 2_000_000.0)
    radius_m = start_m
    while True:
        found = fetch(bbox_around(query.lat, query.lon, radius_m))
        answer = nearest_services(found, query)
        distances = answer.frame["distance_m"].to_numpy()
        exact = len(distances) >= query.n and distances[query.n - 1] <= radius_m
        if exact or radius_m >= enough_m or radius_m >= max_m:
            log.debug("nearest in a box of half-side %.0f m: %d found", radius_m, len(distances))
            return answer
        radius_m = min(radius_m * 2.0, max_m)


def checked_bbox(bbox: Sequence[float]) -> BBox:
    """Return ``bbox`` as four floats, or raise ValueError naming what is wrong with it.

    Parameters
    ----------
    bbox
        ``(min_lon, min_lat, max_lon, max_lat)`` in degrees, minimum not above maximum.
    """
    try:
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in bbox)
    except (TypeError, ValueError):
        raise ValueError(
            f"bbox must be (min_lon, min_lat, max_lon, max_lat) numbers, not {bbox!r}."
        ) from None
    for name, value, bound in (
        ("min_lon", min_lon, 180.0),
        ("max_lon", max_lon, 180.0),
        ("min_lat", min_lat, 90.0),
        ("max_lat", max_lat, 90.0),
    ):
        _checked(name, value, -bound, bound)
    if min_lon > max_lon or min_lat > max_lat:
        raise ValueError(f"bbox {bbox!r} has its minimum above its maximum.")
    return min_lon, min_lat, max_lon, max_lat


@lru_cache(maxsize=64)
def _to_utm(epsg: int) -> Transformer:
    return Transformer.from_crs(4326, epsg, always_xy=True)


@lru_cache(maxsize=64)
def _from_utm(epsg: int) -> Transformer:
    return Transformer.from_crs(epsg, 4326, always_xy=True)
