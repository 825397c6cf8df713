"""geo.nearby: the N nearest matching services from a point, with hand-checked distances."""

from __future__ import annotations

import time
from datetime import datetime

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import Geod, Transformer

from geo import profiles, vocab
from geo.errors import LayerError
from geo.filters import filter_features
from geo.nearby import (
    NearbyIndex,
    Schedule,
    is_open,
    nearest_services,
    parse_hours,
    utm_epsg,
)
from geo.params import NearQuery
from geo.settings import PROJECT_DIR
from tests.geo._helpers import run_bench

LAT, LON = 4.60, -74.10  # near Bogotá, UTM zone 18N
UTM = "EPSG:32618"
_TO_UTM = Transformer.from_crs(4326, UTM, always_xy=True)
X0, Y0 = _TO_UTM.transform(LON, LAT)
GEOD = Geod(ellps="WGS84")

# (id, dx_m, dy_m, services, populations, operator, hours): 3-4-5 triangles around the point
ROWS = [
    ("d1500", -900.0, 1200.0, "older_care", "older", "cooperative", "Mon-Fri 08:00-17:00"),
    ("d5", 3.0, 4.0, "child_care;respite", "children;carers", "public", "Lun-Vie 8:00-17:00"),
    ("d500", 300.0, -400.0, "child_care", "children", "community", "24h"),
    ("d50", -30.0, -40.0, "disability_care;legal_aid", "disability", "public", ""),
    ("d3000", 1800.0, 2400.0, "child_care", "children", "public", "Fri 22:00-02:00"),
]
EXPECTED_M = {"d5": 5.0, "d50": 50.0, "d500": 500.0, "d1500": 1500.0, "d3000": 3000.0}


def metric_layer(rows: list[tuple], *, crs: str = UTM) -> gpd.GeoDataFrame:
    """Services placed by metre offsets from the query point, in UTM 18N."""
    frame = gpd.GeoDataFrame(
        {
            "id": [r[0] for r in rows],
            "name": [f"Service {r[0]}" for r in rows],
            "services": [r[3] for r in rows],
            "populations": [r[4] for r in rows],
            "operator": [r[5] for r in rows],
            "hours": [r[6] for r in rows],
        },
        geometry=gpd.points_from_xy([X0 + r[1] for r in rows], [Y0 + r[2] for r in rows]),
        crs=UTM,
    ).set_index("id", drop=False)
    frame.index.name = None
    return frame.to_crs(crs)


@pytest.fixture
def services() -> gpd.GeoDataFrame:
    return metric_layer(ROWS)


@pytest.fixture
def stops() -> gpd.GeoDataFrame:
    """Two care bus stops: 1000 m (3-4-5 x 200) and 4000 m away."""
    return gpd.GeoDataFrame(
        {"id": ["near", "far"], "name": ["Stop near", "Stop far"]},
        geometry=gpd.points_from_xy([X0 + 600.0, X0 - 2400.0], [Y0 - 800.0, Y0 + 3200.0]),
        crs=UTM,
    ).to_crs(4326)


# ------------------------------------------------------------------------------ distances


def test_distances_are_the_hand_computed_metres(services: gpd.GeoDataFrame) -> None:
    result = nearest_services(services, NearQuery(lat=LAT, lon=LON, n=5)).frame
    assert list(result.index) == ["d5", "d50", "d500", "d1500", "d3000"]
    for fid, row in result.iterrows():
        assert row["distance_m"] == pytest.approx(EXPECTED_M[fid], abs=1e-3)


def test_distances_agree_with_the_geodesic_within_a_metre(services: gpd.GeoDataFrame) -> None:
    result = nearest_services(services, NearQuery(lat=LAT, lon=LON, n=5)).frame
    assert result.crs.to_epsg() == 4326
    lon, lat = result.geometry.x.to_numpy(), result.geometry.y.to_numpy()
    _, _, geodesic = GEOD.inv(np.full(len(lon), LON), np.full(len(lat), LAT), lon, lat)
    np.testing.assert_allclose(result["distance_m"], geodesic, atol=1.0)


def test_rank_walk_and_minutes(services: gpd.GeoDataFrame) -> None:
    result = nearest_services(
        services, NearQuery(lat=LAT, lon=LON, n=3, profile="wheelchair", detour=1.2)
    ).frame
    assert result["rank"].tolist() == [1, 2, 3]
    np.testing.assert_allclose(result["walk_m"], result["distance_m"] * 1.2)
    expected = profiles.walk_minutes(result["distance_m"], profile="wheelchair", detour=1.2)
    np.testing.assert_allclose(result["walk_minutes"], expected)
    # 500 m straight, 600 m walked at 2.8 km/h = 12.857 minutes
    assert result["walk_minutes"].iloc[2] == pytest.approx(600 / (2800 / 60))


def test_keeps_original_columns_and_does_not_mutate(services: gpd.GeoDataFrame) -> None:
    before = services.copy()
    result = nearest_services(services, NearQuery(lat=LAT, lon=LON, n=2)).frame
    pd.testing.assert_frame_equal(services, before)
    assert list(result.columns) == [
        *services.columns,
        "rank",
        "distance_m",
        "walk_m",
        "walk_minutes",
        "open_now",
    ]
    assert result.loc["d5", "name"] == "Service d5"


def test_any_crs_in_epsg4326_out(services: gpd.GeoDataFrame) -> None:
    in_4326 = nearest_services(services.to_crs(4326), NearQuery(lat=LAT, lon=LON, n=5)).frame
    in_utm = nearest_services(services, NearQuery(lat=LAT, lon=LON, n=5)).frame
    assert list(in_4326.index) == list(in_utm.index)
    np.testing.assert_allclose(in_4326["distance_m"], in_utm["distance_m"], atol=1e-6)


def test_n_larger_than_available(services: gpd.GeoDataFrame) -> None:
    result = nearest_services(services, NearQuery(lat=LAT, lon=LON, n=50)).frame
    assert len(result) == 5
    assert result["rank"].tolist() == [1, 2, 3, 4, 5]
    one = nearest_services(services.iloc[[2]], NearQuery(lat=LAT, lon=LON, n=5)).frame
    assert list(one.index) == ["d500"]


def test_utm_zone_of_the_query_point() -> None:
    assert utm_epsg(4.6, -74.1) == 32618
    assert utm_epsg(-34.9, -56.16) == 32721  # Montevideo
    assert utm_epsg(0.0, 180.0) == 32660


# ------------------------------------------------------------------------------ filters


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"services_any": ["child_care"]}, ["d5", "d500", "d3000"]),
        ({"services_any": ["legal_aid", "older_care"]}, ["d50", "d1500"]),
        ({"populations_any": ["carers"]}, ["d5"]),
        ({"operators": ["public"]}, ["d5", "d50", "d3000"]),
        ({"services_any": ["child_care"], "operators": ["community", "cooperative"]}, ["d500"]),
        ({"services_any": ["midwifery"]}, []),
    ],
)
def test_filters_before_the_nearest(services: gpd.GeoDataFrame, filters, expected) -> None:
    result = nearest_services(services, NearQuery(lat=LAT, lon=LON, n=5, **filters)).frame
    assert list(result.index) == expected


def test_filter_then_n_nearest(services: gpd.GeoDataFrame) -> None:
    """The 2 nearest kindergartens are two kindergartens, not the 2 nearest then filtered."""
    result = nearest_services(
        services, NearQuery(lat=LAT, lon=LON, n=2, services_any=["child_care"])
    )
    assert list(result.frame.index) == ["d5", "d500"]


_CODES = st.lists(st.sampled_from(vocab.SERVICES[:5]), max_size=3).map(";".join)


@settings(max_examples=40, deadline=None)
@given(
    offers=st.lists(_CODES, min_size=1, max_size=12),
    wanted=st.lists(st.sampled_from(vocab.SERVICES[:5]), max_size=2),
    operators=st.lists(st.sampled_from(vocab.OPERATORS), max_size=2),
)
def test_filter_semantics_are_geo_filters(offers, wanted, operators) -> None:
    rng = np.random.default_rng(len(offers))
    rows = [
        (f"s{i}", *rng.uniform(-2000, 2000, 2), code, "children", vocab.OPERATORS[i % 4], "")
        for i, code in enumerate(offers)
    ]
    layer = metric_layer(rows)
    ours = NearbyIndex(layer).mask(services_any=wanted, operators=operators)
    theirs = filter_features(layer, services=wanted, operators=operators)
    assert list(layer.index[ours]) == list(theirs.index)


def test_empty_result_is_not_an_error(services: gpd.GeoDataFrame, stops) -> None:
    result = nearest_services(
        services, NearQuery(lat=LAT, lon=LON, services_any=["midwifery"]), bus_stops=stops
    )
    assert result.frame.empty
    assert {"rank", "distance_m", "walk_minutes", "open_now"} <= set(result.frame.columns)
    assert result.far is True
    assert list(result.nearer_bus_stops.index) == [0, 1]  # every stop: nothing else matches


# ------------------------------------------------------------------------------ far, bus stops


def test_far_flag_and_nearer_bus_stops(services: gpd.GeoDataFrame, stops) -> None:
    only_far = services.loc[["d3000"]]  # the nearest (and only) match is 3000 m away
    result = nearest_services(
        only_far, NearQuery(lat=LAT, lon=LON, far_minutes=30.0), bus_stops=stops
    )
    # 3000 m x 1.4 = 4200 m at 75 m/min = 56 minutes > 30
    assert result.far is True
    assert result.frame["walk_minutes"].iloc[0] == pytest.approx(56.0)
    nearer = result.nearer_bus_stops
    assert list(nearer["name"]) == ["Stop near"]
    assert nearer["distance_m"].iloc[0] == pytest.approx(1000.0, abs=1e-3)
    assert nearer["rank"].tolist() == [1]
    assert nearer["walk_minutes"].iloc[0] == pytest.approx(1400 / 75)
    assert nearer.crs.to_epsg() == 4326


def test_not_far_and_no_stop_nearer(services: gpd.GeoDataFrame, stops) -> None:
    result = nearest_services(services, NearQuery(lat=LAT, lon=LON), bus_stops=stops)
    assert result.far is False
    assert result.nearer_bus_stops.empty
    assert "distance_m" in result.nearer_bus_stops.columns


def test_far_threshold_is_the_nearest_match(services: gpd.GeoDataFrame) -> None:
    # nearest is 1500 m: 1500 x 1.4 / 75 = 28 minutes
    older = nearest_services(services, NearQuery(lat=LAT, lon=LON, services_any=["older_care"]))
    assert older.far is False
    assert nearest_services(
        services, NearQuery(lat=LAT, lon=LON, services_any=["older_care"], far_minutes=27.9)
    ).far


def test_without_bus_stops_the_stop_frame_is_empty(services: gpd.GeoDataFrame) -> None:
    result = nearest_services(services, NearQuery(lat=LAT, lon=LON))
    assert result.nearer_bus_stops.empty
    assert result.nearer_bus_stops.crs.to_epsg() == 4326


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"lat": 91.0, "lon": LON}, "lat"),
        ({"lat": LAT, "lon": -180.5}, "lon"),
        ({"lat": float("nan"), "lon": LON}, "lat"),
        ({"lat": True, "lon": LON}, "lat"),
        ({"lat": "4.6", "lon": LON}, "lat"),
        ({"lat": LAT, "lon": LON, "n": 0}, "n = 0"),
        ({"lat": LAT, "lon": LON, "n": 2.5}, "n = 2.5"),
        ({"lat": LAT, "lon": LON, "profile": "runner"}, "profile"),
        ({"lat": LAT, "lon": LON, "detour": 0.5}, "detour"),
        ({"lat": LAT, "lon": LON, "far_minutes": 0}, "far_minutes"),
    ],
)
def test_invalid_arguments(services: gpd.GeoDataFrame, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        nearest_services(services, NearQuery(**kwargs))


def test_layer_errors(services: gpd.GeoDataFrame) -> None:
    with pytest.raises(LayerError, match="CRS"):
        nearest_services(services.set_crs(None, allow_override=True), NearQuery(lat=LAT, lon=LON))
    polygons = services.assign(geometry=services.buffer(10))
    with pytest.raises(LayerError, match="not points"):
        nearest_services(polygons, NearQuery(lat=LAT, lon=LON))


# ------------------------------------------------------------------------------ index


def test_index_answers_like_the_function(services: gpd.GeoDataFrame, stops) -> None:
    index = NearbyIndex(services)
    assert len(index) == 5
    for lat in (LAT, LAT + 0.01, LAT - 0.02):
        for wanted in ((), ("child_care",)):
            ours = index.query(
                NearQuery(lat=lat, lon=LON, n=3, services_any=wanted), bus_stops=stops
            )
            once = nearest_services(
                services, NearQuery(lat=lat, lon=LON, n=3, services_any=wanted), bus_stops=stops
            )
            pd.testing.assert_frame_equal(ours.frame, once.frame)
            pd.testing.assert_frame_equal(ours.nearer_bus_stops, once.nearer_bus_stops)
            assert ours.far == once.far


def test_bundled_care_blocks() -> None:
    from geo.layers import load_all, load_registry

    layers = load_all(load_registry(PROJECT_DIR / "data"))
    result = nearest_services(
        layers["care_blocks"],
        NearQuery(lat=4.558, lon=-74.150, n=3, services_any=["child_care"]),
        bus_stops=layers["care_bus_stops"],
    )
    assert result.frame.index[0] == "mc-01"  # at SuperCADE Manitas itself
    assert result.frame["distance_m"].iloc[0] == pytest.approx(0.0, abs=1e-6)
    assert result.frame["open_now"].isna().all()  # no hours column
    assert result.nearer_bus_stops.empty


# ------------------------------------------------------------------------------ opening hours

# 2025-01-03 is a Friday
FRI = datetime(2025, 1, 3)


def at(day_offset: int, hour: int, minute: int = 0) -> datetime:
    return FRI.replace(day=3 + day_offset, hour=hour, minute=minute)


MON, SAT, SUN = 3, 1, 2  # offsets from Friday 3 January 2025


@pytest.mark.parametrize(
    ("hours", "when", "expected"),
    [
        ("Mon-Fri 08:00-17:00; Sat 09:00-13:00", at(MON, 8), True),  # start inclusive
        ("Mon-Fri 08:00-17:00; Sat 09:00-13:00", at(MON, 16, 59), True),
        ("Mon-Fri 08:00-17:00; Sat 09:00-13:00", at(MON, 17), False),  # end exclusive
        ("Mon-Fri 08:00-17:00; Sat 09:00-13:00", at(MON, 7, 59), False),
        ("Mon-Fri 08:00-17:00; Sat 09:00-13:00", at(SAT, 12), True),
        ("Mon-Fri 08:00-17:00; Sat 09:00-13:00", at(SUN, 12), False),  # weekend day off
        ("Mon-Fri 08:00-17:00", at(SAT, 10), False),  # weekend closed
        ("Lun-Vie 8:00-17:00; Sáb 9-13", at(0, 9), True),  # Spanish day names
        ("Lun-Vie 8:00-17:00; Sáb 9-13", at(SAT, 12, 30), True),
        ("Lun-Vie 8:00-17:00; Sáb 9-13", at(SUN, 10), False),
        ("lunes a viernes de 8 a 17", at(MON, 9), True),
        ("LUNES, MIÉRCOLES Y VIERNES 8:00-12:00, 14:00-18:00", at(MON, 13), False),
        ("LUNES, MIÉRCOLES Y VIERNES 8:00-12:00, 14:00-18:00", at(MON, 15), True),
        ("Fri 22:00-02:00", at(SAT, 1), True),  # crosses midnight
        ("Fri 22:00-02:00", at(SAT, 3), False),
        ("Fri 22:00-02:00", at(0, 23), True),
        ("Fri 22:00-02:00", at(0, 1), False),  # Thursday night is not Friday night
        ("Fri 22:00-02:00; Sat 09:00-13:00", at(SAT, 1, 30), True),
        ("24h", at(SUN, 3), True),
        ("24/7", at(MON, 23, 59), True),
        ("Mon-Fri 24 horas; Sat-Sun cerrado", at(SUN, 12), False),
        ("Sun closed; Mon-Sat 9h-18h", at(SAT, 17), True),
        ("Mon-Sat 8-17; Sat 9-13", at(SAT, 15), False),  # later rule replaces
        ("Todos los días 7:30-19:00", at(SUN, 7, 30), True),
        ("8am-5pm", at(SUN, 16), True),
        ("8am-5pm", at(SUN, 17), False),
        ("Fri-Mon 10-12", at(SUN, 11), True),  # wrapping day range
    ],
)
def test_is_open(hours: str, when: datetime, expected: bool) -> None:
    assert is_open(hours, when) is expected


@pytest.mark.parametrize(
    "hours", ["", "   ", "ask at the desk", "Mon-Fri", "Mon 25:00-26:00", "Mon 9-", None]
)
def test_unknown_hours(hours) -> None:
    assert is_open(hours, at(MON, 10)) is None
    assert parse_hours(hours) is None


# Bogotá's official service layers (SDIS, SDMujer) as published
@pytest.mark.parametrize(
    ("hours", "when", "expected"),
    [
        ("LUNES A VIERNES 7:00 AM - 4:00 PM", at(MON, 7), True),
        ("LUNES A VIERNES 7:00 AM - 4:00 PM", at(MON, 16), False),
        ("LUNES A VIERNES 7:00 AM - 4:00 PM", at(SAT, 10), False),
        ("LUNES A DOMINGO 24 HORAS", at(SUN, 3), True),
        ("Lun a Vie 08:00 - 18:00 y Sab 08:00 - 12:00", at(0, 17, 59), True),
        ("Lun a Vie 08:00 - 18:00 y Sab 08:00 - 12:00", at(SAT, 11), True),
        ("Lun a Vie 08:00 - 18:00 y Sab 08:00 - 12:00", at(SAT, 12), False),
        ("Lun a Vie 08:00 - 18:00 y Sab 08:00 - 12", at(SAT, 11, 59), True),
        (
            "LUNES A VIERNES 10:30 AM - 4:00 PM SABADOS 10:30 AM - 2:00 PM "
            "(SIN DOMINGOS NI FESTIVOS)",
            at(SAT, 13),
            True,
        ),
        (
            "LUNES A VIERNES 10:30 AM - 4:00 PM SABADOS 10:30 AM - 2:00 PM "
            "(SIN DOMINGOS NI FESTIVOS)",
            at(SUN, 13),
            False,
        ),
        # day and night: Friday's night shift runs into Saturday 07:00
        (
            "LUNES A VIERNES DIURNO 7:00 AM - 7:00 PM - NOCTURNO 7:00 PM - 7:00 AM - "
            "DOMINGOS Y FESTIVOS: 7:00 AM - 7:00 PM",
            at(SAT, 6, 59),
            True,
        ),
        (
            "LUNES A VIERNES DIURNO 7:00 AM - 7:00 PM - NOCTURNO 7:00 PM - 7:00 AM - "
            "DOMINGOS Y FESTIVOS: 7:00 AM - 7:00 PM",
            at(SAT, 7),
            False,
        ),
        (
            "LUNES A VIERNES DIURNO 7:00 AM - 7:00 PM - NOCTURNO 7:00 PM - 7:00 AM - "
            "DOMINGOS Y FESTIVOS: 7:00 AM - 7:00 PM",
            at(SUN, 18),
            True,
        ),
        ("LUNES A SÁBADO 24 HORAS  DOMINGO 8:00 A.M - 12:00 M", at(SUN, 11, 59), True),
        ("LUNES A SÁBADO 24 HORAS  DOMINGO 8:00 A.M - 12:00 M", at(SUN, 12), False),
        ("MARTES A DOMINGO 4:00 PM - 6:00 AM", at(MON, 5), True),  # Sunday night
        ("MARTES A DOMINGO 4:00 PM - 6:00 AM", at(MON, 17), False),
        # cut off at the end: what is complete is certain, the rest is unknown
        ("LUNES A VIERNES 7:00 AM - 5:00 PM SABAD", at(MON, 10), True),
        ("LUNES A VIERNES 7:00 AM - 5:00 PM SABAD", at(0, 18), False),  # Friday evening: known
        ("LUNES A VIERNES 7:00 AM - 5:00 PM SABAD", at(SAT, 10), None),
        ("LUNES A VIERNES 7:00 AM - 5:00 PM SABAD", at(SUN, 10), None),
        ("LUNES A VIERNES 7:00 AM - 5:00 PM SABADOS 8:00 AM -", at(SAT, 9), None),
        ("LUNES A VIERNES 7:00 AM - 5:00 PM SABADOS", at(SAT, 9), None),
    ],
)
def test_official_hours(hours: str, when: datetime, expected: bool | None) -> None:
    assert is_open(hours, when) is expected


@pytest.mark.parametrize(
    "hours",
    [
        "Lunes a Viernes de 8:00 - 4:00",  # no am/pm, ends before it starts: 4 pm? not guessed
        "LUNES A VIERNES  4:00 PM - 1:00 PM",  # pm to an earlier pm: a typo, not guessed
        "SABAD",  # nothing complete
        "LUNES A VIERNES 7:00 AM - 5:00 PM XYZ",  # not a cut-off word: not understood
    ],
)
def test_ambiguous_official_hours_are_unknown(hours: str) -> None:
    assert parse_hours(hours) is None


def test_cut_off_hours_mark_unknown_days() -> None:
    schedule = parse_hours("LUNES A VIERNES 7:00 AM - 5:00 PM SABAD")
    assert schedule is not None and not schedule.complete
    assert schedule.unknown == (False, False, False, False, False, True, True)
    assert schedule.days[0] == ((7 * 60, 17 * 60),)
    assert parse_hours("LUNES A VIERNES 7:00 AM - 5:00 PM").complete
    # the index reads "unknown" (-1), and open_now excludes it, on those days
    layer = metric_layer([("cut", 0.0, 5.0, "child_care", "children", "public", "")])
    layer["hours"] = ["LUNES A VIERNES 7:00 AM - 5:00 PM SABAD"]
    index = NearbyIndex(layer)
    assert index.known_hours == 1
    assert index.open_at(at(MON, 10)).tolist() == [1]
    assert index.open_at(at(SAT, 10)).tolist() == [-1]


def test_schedule_representation() -> None:
    schedule = parse_hours("Fri 22:00-02:00")
    assert isinstance(schedule, Schedule)
    assert schedule.days[4] == ((22 * 60, 26 * 60),)
    assert all(not schedule.days[d] for d in (0, 1, 2, 3, 5, 6))


def test_open_now_column_and_filter(services: gpd.GeoDataFrame) -> None:
    monday_10 = at(MON, 10)
    every = nearest_services(services, NearQuery(lat=LAT, lon=LON, n=5)).frame
    assert every["open_now"].isna().all()  # no time given
    result = nearest_services(services, NearQuery(lat=LAT, lon=LON, n=5, open_now_at=monday_10))
    # d50 has empty hours (unknown): excluded; d3000 only opens Friday night: closed
    assert list(result.frame.index) == ["d5", "d500", "d1500"]
    assert result.frame["open_now"].tolist() == [True, True, True]
    saturday_1 = nearest_services(
        services, NearQuery(lat=LAT, lon=LON, n=5, open_now_at=at(SAT, 1))
    )
    assert list(saturday_1.frame.index) == ["d500", "d3000"]


def test_known_hours(services: gpd.GeoDataFrame) -> None:
    assert NearbyIndex(services).known_hours == 4  # d50's hours are empty
    assert NearbyIndex(services.drop(columns="hours")).known_hours == 0


def test_open_now_without_hours_column_excludes_all(services: gpd.GeoDataFrame) -> None:
    result = nearest_services(
        services.drop(columns="hours"), NearQuery(lat=LAT, lon=LON, open_now_at=at(MON, 10))
    )
    assert result.frame.empty and result.far


# ------------------------------------------------------------------------------ benchmark


def test_benchmark_smoke_run() -> None:
    started = time.perf_counter()
    done = run_bench("bench_near_me.py")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1].startswith("ratio:")
    assert time.perf_counter() - started < 30
