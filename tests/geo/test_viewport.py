"""geo.viewport: map views as boxes (Web Mercator), boxes around a point, growing searches."""

from __future__ import annotations

import math

import geopandas as gpd
import numpy as np
import pytest
from pyproj import Geod, Transformer

from geo.nearby import NearbyIndex, merge_nearby, nearest_services
from geo.params import NearQuery
from geo.viewport import (
    MAX_MERCATOR_LAT,
    bbox_around,
    nearest_in_growing_box,
    snap_bbox,
    view_bbox,
)

# metres per pixel of Web Mercator at zoom 0 (the equator's length over 256 px)
M_PER_PX_Z0 = 2 * math.pi * 6_378_137.0 / 256
TO_3857 = Transformer.from_crs(4326, 3857, always_xy=True)
GEOD = Geod(ellps="WGS84")


# --------------------------------------------------------------------------- view_bbox


def test_known_view_gives_known_box() -> None:
    # 512 x 512 px at zoom 10 on (0, 0): 512 px of a 262,144 px world = 360/512 degrees wide
    box = view_bbox(0.0, 0.0, 10, width_px=512, height_px=512, margin=0.0)
    assert box == pytest.approx((-0.3515625, -0.35156029399227, 0.3515625, 0.35156029399227))


def test_box_is_the_view_in_web_mercator() -> None:
    # Bogotá at zoom 11 on a 1440 x 900 px map, margin 1.0: twice the view each way
    box = view_bbox(4.63, -74.11, 11)
    assert box is not None
    min_lon, min_lat, max_lon, max_lat = box
    x0, y0 = TO_3857.transform(min_lon, min_lat)
    x1, y1 = TO_3857.transform(max_lon, max_lat)
    m_per_px = M_PER_PX_Z0 / 2**11
    assert (x1 - x0) / m_per_px == pytest.approx(2 * 1440)
    assert (y1 - y0) / m_per_px == pytest.approx(2 * 900)
    cx, cy = TO_3857.transform(-74.11, 4.63)
    assert (x0 + x1) / 2 == pytest.approx(cx, abs=1e-3)
    assert (y0 + y1) / 2 == pytest.approx(cy, abs=1e-3)  # centred in metres, not in degrees
    assert (min_lat + max_lat) / 2 != pytest.approx(4.63, abs=1e-6)


def test_margin_grows_the_box() -> None:
    tight = view_bbox(4.63, -74.11, 13, margin=0.0)
    loose = view_bbox(4.63, -74.11, 13, margin=1.0)
    assert tight is not None and loose is not None
    assert loose[0] < tight[0] < tight[2] < loose[2]
    assert loose[1] < tight[1] < tight[3] < loose[3]
    assert loose[2] - loose[0] == pytest.approx(2 * (tight[2] - tight[0]))


@pytest.mark.parametrize("zoom", [0, 1, 2])
def test_world_zoom_gives_none(zoom: int) -> None:
    assert view_bbox(4.63, -74.11, zoom) is None


def test_every_longitude_but_not_every_latitude() -> None:
    box = view_bbox(0.0, 0.0, 3)  # 2,880 px wide > the 2,048 px world, 1,800 px tall < it
    assert box is not None
    assert (box[0], box[2]) == (-180.0, 180.0)
    assert -90.0 < box[1] < box[3] < 90.0


@pytest.mark.parametrize("lat", [89.0, 85.2, -89.5])
def test_latitudes_are_clamped(lat: float) -> None:
    box = view_bbox(lat, -60.0, 6)
    assert box is not None
    min_lon, min_lat, max_lon, max_lat = box
    assert -90.0 <= min_lat < max_lat <= 90.0
    # the view is pinned at the edge of the Web Mercator square: the box reaches the pole
    assert (max_lat == 90.0) if lat > 0 else (min_lat == -90.0)
    assert -180.0 < min_lon < max_lon < 180.0


def test_antimeridian_and_wrapped_longitudes() -> None:
    crossing = view_bbox(-17.0, 179.9, 8)  # Fiji: the box would cross the antimeridian
    assert crossing is not None
    assert (crossing[0], crossing[2]) == (-180.0, 180.0)
    wrapped = view_bbox(4.63, -74.11 + 360.0, 11)  # Leaflet panned once round the world
    assert wrapped == pytest.approx(view_bbox(4.63, -74.11, 11))


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((91.0, 0.0, 5), {}, "lat"),
        ((float("nan"), 0.0, 5), {}, "lat"),
        ((0.0, 0.0, -1), {}, "zoom"),
        ((0.0, 0.0, 5), {"width_px": 0}, "width_px"),
        ((0.0, 0.0, 5), {"margin": -0.5}, "margin"),
        (("4", 0.0, 5), {}, "lat"),
    ],
)
def test_bad_views_are_refused(args, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        view_bbox(*args, **kwargs)


# --------------------------------------------------------------------------- snap_bbox


def test_snapped_box_holds_the_box_and_is_shared_by_nearby_views() -> None:
    box = view_bbox(4.63, -74.11, 11)
    nearby = view_bbox(4.64, -74.10, 11)
    assert box is not None and nearby is not None
    snapped = snap_bbox(box)
    assert snapped[0] <= box[0] and snapped[1] <= box[1]
    assert snapped[2] >= box[2] and snapped[3] >= box[3]
    assert snap_bbox(nearby) == snapped  # one cache entry for both views
    # at most three tiles of the box's size each way
    assert snapped[2] - snapped[0] <= 3 * 2 * (box[2] - box[0])
    # the grid is that of Web Mercator tiles (here zoom 7): longitudes on multiples of 360 / 2**7
    assert snapped[0] == -75.9375 == -180.0 + 37 * 360.0 / 2**7
    assert snapped[2] == -70.3125 == -180.0 + 39 * 360.0 / 2**7


def test_snap_a_point_and_the_poles() -> None:
    point = snap_bbox((-74.1, 4.6, -74.1, 4.6))
    assert point[0] <= -74.1 <= point[2] and point[1] <= 4.6 <= point[3]
    assert point[2] - point[0] < 1e-3
    polar = snap_bbox((-10.0, 86.0, 10.0, 90.0))
    assert polar[3] == 90.0
    assert snap_bbox((-180.0, -90.0, 180.0, 90.0)) == (-180.0, -90.0, 180.0, 90.0)
    assert pytest.approx(85.0511287798) == MAX_MERCATOR_LAT


# --------------------------------------------------------------------------- bbox_around


@pytest.mark.parametrize(("lat", "lon"), [(4.6, -74.1), (-33.45, -70.66), (19.43, -99.13)])
@pytest.mark.parametrize("radius_m", [500.0, 5_000.0, 100_000.0])
def test_box_around_holds_the_circle(lat: float, lon: float, radius_m: float) -> None:
    min_lon, min_lat, max_lon, max_lat = bbox_around(lat, lon, radius_m)
    azimuths = np.arange(0, 360, 5.0)
    # points at 99.9% of the radius (geodesic) in every direction: UTM's scale error is smaller
    lons, lats, _ = GEOD.fwd(
        np.full_like(azimuths, lon),
        np.full_like(azimuths, lat),
        azimuths,
        np.full_like(azimuths, radius_m * 0.999),
    )
    assert np.all((min_lon <= lons) & (lons <= max_lon))
    assert np.all((min_lat <= lats) & (lats <= max_lat))
    # and not much more: the half-side north is the radius within 3% (the UTM square is
    # turned by the grid convergence, 0.9 degrees in Santiago: its corners reach a bit farther)
    _, _, north_m = GEOD.inv(lon, lat, lon, max_lat)
    assert north_m == pytest.approx(radius_m, rel=0.03)


def test_box_around_near_the_antimeridian_spans_every_longitude() -> None:
    box = bbox_around(-17.0, 179.99, 5_000.0)
    assert (box[0], box[2]) == (-180.0, 180.0)
    with pytest.raises(ValueError, match="radius_m"):
        bbox_around(4.6, -74.1, -1.0)


# --------------------------------------------------------------------------- growing search


def _places(n: int = 400, seed: int = 3) -> gpd.GeoDataFrame:
    """Places scattered over about 60 x 60 km around Bogotá, half offering child care."""
    rng = np.random.default_rng(seed)
    lon = -74.1 + rng.uniform(-0.27, 0.27, n)
    lat = 4.6 + rng.uniform(-0.27, 0.27, n)
    return gpd.GeoDataFrame(
        {
            "name": [f"p{i}" for i in range(n)],
            "services": np.where(np.arange(n) % 2 == 0, "child_care", "older_care"),
        },
        geometry=gpd.points_from_xy(lon, lat),
        crs=4326,
    )


class _Fetch:
    """A fake store: the places inside a box, and the boxes asked for."""

    def __init__(self, places: gpd.GeoDataFrame) -> None:
        self.places = places
        self.boxes: list[tuple[float, float, float, float]] = []

    def __call__(self, box):
        self.boxes.append(box)
        return self.places.cx[box[0] : box[2], box[1] : box[3]]


def test_growing_box_finds_the_same_nearest_as_the_whole_layer() -> None:
    places = _places()
    fetch = _Fetch(places)
    found = nearest_in_growing_box(
        fetch, NearQuery(lat=4.6, lon=-74.1, n=5, services_any=["child_care"]), start_m=500.0
    )
    whole = nearest_services(
        places, NearQuery(lat=4.6, lon=-74.1, n=5, services_any=["child_care"])
    )
    assert found.frame["name"].tolist() == whole.frame["name"].tolist()
    assert found.frame["distance_m"].to_numpy() == pytest.approx(whole.frame["distance_m"])
    assert len(fetch.boxes) >= 2  # started small and grew
    widths = [b[2] - b[0] for b in fetch.boxes]
    assert widths == sorted(widths)
    assert len(fetch.places.cx[fetch.boxes[-1][0] : fetch.boxes[-1][2], :]) < len(places)


def test_growing_box_stops_at_enough_and_at_the_maximum() -> None:
    fetch = _Fetch(_places())
    nearest_in_growing_box(
        fetch, NearQuery(lat=4.6, lon=-74.1, n=50), start_m=1_000.0, enough_m=2_000.0
    )
    assert len(fetch.boxes) == 2  # 1 km, then 2 km = enough
    far_away = _Fetch(_places())
    answer = nearest_in_growing_box(
        far_away, NearQuery(lat=-10.0, lon=-60.0, n=5), start_m=1_000.0, max_m=8_000.0
    )
    assert answer.frame.empty and answer.far
    assert len(far_away.boxes) == 4  # 1, 2, 4, 8 km


def test_merge_keeps_the_nearest_of_both_answers() -> None:
    places = _places()
    left, right = places.iloc[::2], places.iloc[1::2]
    bus_stops = places.iloc[:40:7]
    a = NearbyIndex(left).query(NearQuery(lat=4.6, lon=-74.1, n=5), bus_stops=bus_stops)
    b = nearest_services(right, NearQuery(lat=4.6, lon=-74.1, n=5))
    merged = merge_nearby([a, b], n=5)
    whole = nearest_services(places, NearQuery(lat=4.6, lon=-74.1, n=5), bus_stops=bus_stops)
    assert merged.frame["name"].tolist() == whole.frame["name"].tolist()
    assert merged.frame["rank"].tolist() == [1, 2, 3, 4, 5]
    assert list(merged.frame.index) == [0, 1, 2, 3, 4]
    assert merged.far == whole.far
    assert merged.nearer_bus_stops["name"].tolist() == whole.nearer_bus_stops["name"].tolist()
    empty = nearest_services(right.iloc[:0], NearQuery(lat=4.6, lon=-74.1, n=5))
    alone = merge_nearby([a, empty], n=5)
    assert alone.frame["name"].tolist() == a.frame["name"].tolist()
    assert alone.far == a.far
