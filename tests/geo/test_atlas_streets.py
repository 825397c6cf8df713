"""The Malla Vial Integral as the walking network (geo/io/atlas/streets.py).

Hand-made layers check the joining of segment ends, the lengths and the report; the
official copy in ../shared/data/bogota (fixture ``official_dir``) checks the real
graph, the detour factor, the OpenStreetMap cross-check and a catchment recomputed
independently on a small piece of the real network.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Transformer

from geo import network as net
from geo.errors import LayerError
from geo.io.atlas import streets
from geo.settings import Settings

UTM = "EPSG:32618"
STREETS_GPKG = "streets/malla_vial_integral_partial.gpkg"
# Where the OpenStreetMap extract and the Malla Vial overlap (streets/SOURCE.md).
OVERLAP_BOX = (-74.0684, 4.6236, -74.0479, 4.6868)


# --------------------------------------------------------------------------- by hand


def test_join_endpoints_by_hand() -> None:
    # three segments: (0,0)-(100,0), (100.4,0)-(200,0), (200,0)-(200,100)
    start = np.array([[0.0, 0.0], [100.4, 0.0], [200.0, 0.0]])
    end = np.array([[100.0, 0.0], [200.0, 0.0], [200.0, 100.0]])
    u, v, xy = streets.join_endpoints(start, end, tolerance_m=1.0)
    assert len(xy) == 4  # 100 and 100.4 are one node, at their mean
    assert u[1] == v[0] and v[1] == u[2]
    np.testing.assert_allclose(xy[v[0]], [100.2, 0.0])
    u0, v0, xy0 = streets.join_endpoints(start, end, tolerance_m=0.0)
    assert len(xy0) == 5 and u0[1] != v0[0]  # exact only: the 0.4 m sliver stays open
    # a chain of ends each within the tolerance joins transitively
    u2, v2, xy2 = streets.join_endpoints(
        np.array([[0.0, 0.0], [0.8, 0.0]]), np.array([[50.0, 0.0], [1.6, 0.0]]), tolerance_m=1.0
    )
    assert u2[0] == u2[1] == v2[1] and len(xy2) == 2
    with pytest.raises(ValueError, match="tolerance_m"):
        streets.join_endpoints(start, end, tolerance_m=-1.0)


def _hand_layer() -> gpd.GeoDataFrame:
    """An arc (length > chord), a split street, a sliver, a ring, an empty row, a point."""
    arc = shapely.LineString([(0, 0), (50, 50), (100, 0)])  # 141.42 m, chord 100 m
    straight = shapely.LineString([(100.5, 0), (300, 0)])  # joins the arc within 1 m
    multi = shapely.MultiLineString([[(300, 0), (300, 100)], [(300, 100), (400, 100)]])
    ring = shapely.LineString([(0, 0), (0, -10), (-10, -10), (0, 0)])
    far = shapely.LineString([(5000, 5000), (5100, 5000)])  # another component
    return gpd.GeoDataFrame(
        {"mvietiquet": ["KR 1", "CL 2", "AK 3", "DG 4", "TV 5", None, "X"]},
        geometry=[arc, straight, multi, ring, far, None, shapely.Point(0, 0)],
        crs=UTM,
    )


def test_malla_vial_network_by_hand() -> None:
    gap = gpd.GeoDataFrame(geometry=[shapely.box(1000, 1000, 2000, 2000)], crs=UTM)
    network, report = streets.malla_vial_network(
        _hand_layer(), coverage_gap=gap, tolerance_m=1.0, detour_samples=0
    )
    assert report.segments_in == 7
    assert report.segments_used == 5  # arc, straight, 2 parts of the multi, far
    assert dict(report.dropped) == {
        "empty geometry": 1,
        "not a line": 1,
        "ends joined (loop)": 1,
    }
    assert network.crs == UTM and report.crs == UTM
    assert network.n_nodes == 7 and network.n_edges == 5
    assert report.n_components == 2
    assert report.largest_share == pytest.approx(5 / 7)
    # the arc's edge is its length, not the chord; the sliver end moved 0.25 m
    dist, _ = net.multi_source_distances(network, [network.snap([[0, 0]])[0][0]])
    far_end = network.snap([[400, 100]])[0][0]
    assert dist[far_end] == pytest.approx(100 * math.sqrt(2) + 199.5 + 100 + 100, abs=1e-6)
    assert report.ends_moved == 2 and report.max_move_m == pytest.approx(0.25)
    assert report.length_km == pytest.approx((141.4214 + 199.5 + 200 + 100) / 1000, abs=1e-6)
    assert report.gap_km2 == pytest.approx(1.0)
    assert network.gap is not None and network.gap.equals(shapely.box(1000, 1000, 2000, 2000))
    assert math.isnan(report.detour_median) and report.detour_pairs == 0
    assert report.warnings  # 71% in the largest component is said
    assert any("straight line x detour" in line for line in report.lines())


def test_malla_vial_network_errors_and_area() -> None:
    layer = _hand_layer()
    with pytest.raises(LayerError, match="no CRS"):
        streets.malla_vial_network(layer.set_crs(None, allow_override=True), coverage_gap=None)
    with pytest.raises(LayerError, match="not metric"):
        streets.malla_vial_network(layer, coverage_gap=None, crs="EPSG:4326")
    area = gpd.GeoDataFrame(geometry=[shapely.box(-50, -50, 450, 150)], crs=UTM)
    network, report = streets.malla_vial_network(
        layer, coverage_gap=None, area=area, detour_samples=0
    )
    assert dict(report.dropped)["outside the area"] == 1 and network.gap is None
    assert report.gap_km2 is None and report.n_components == 1
    with pytest.raises(LayerError, match="no usable line segment"):
        streets.malla_vial_network(layer.iloc[[5, 6]], coverage_gap=None)


def test_save_and_load_a_prepared_network_with_its_gap(tmp_path: Path) -> None:
    gap = gpd.GeoDataFrame(geometry=[shapely.box(1000, 1000, 2000, 2000)], crs=UTM)
    network, _ = streets.malla_vial_network(_hand_layer(), coverage_gap=gap, detour_samples=0)
    target = tmp_path / "networks" / "malla_vial.npz"
    assert net.save_network(network, target) == target
    assert not list(target.parent.glob("*.part"))
    loaded = net.load_network(target)  # no area, no cache folder
    assert (loaded.graph != network.graph).nnz == 0
    np.testing.assert_array_equal(loaded.node_xy, network.node_xy)
    assert loaded.crs == UTM and loaded.source == streets.SOURCE
    assert loaded.gap is not None and loaded.gap.equals(network.gap)
    # without a gap, None comes back
    plain = net.StreetNetwork(network.graph, network.node_xy, UTM, "plain")
    assert net.load_network(net.save_network(plain, tmp_path / "plain.npz")).gap is None
    # the app finds it in <data>/networks/
    found = Settings.from_env({"CARE_ATLAS_DATA_DIR": str(tmp_path)}).network_file
    assert found == target.resolve()
    with pytest.raises(net.NetworkError, match=r"\.npz"):
        net.save_network(network, tmp_path / "x.osm")
    (tmp_path / "bad.npz").write_bytes(b"not a zip")
    with pytest.raises(net.NetworkError, match="not a street network saved by Care Atlas"):
        net.load_network(tmp_path / "bad.npz")


# --------------------------------------------------------------------------- official layers


def _read_streets(folder: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    path = folder / STREETS_GPKG
    return (
        gpd.read_file(path, layer="malla_vial", engine="pyogrio"),
        gpd.read_file(path, layer="coverage_gap", engine="pyogrio"),
    )


@pytest.fixture(scope="module")
def official_streets(official_dir: Path) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    return _read_streets(official_dir)


@pytest.fixture(scope="module")
def malla_vial(
    official_streets: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> tuple[net.StreetNetwork, streets.StreetsReport]:
    layer, gap = official_streets
    return streets.malla_vial_network(layer, coverage_gap=gap)


def test_official_graph(
    malla_vial: tuple[net.StreetNetwork, streets.StreetsReport],
    official_streets: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    network, report = malla_vial
    assert report.segments_in == len(official_streets[0]) == 110_808
    assert report.segments_used >= 110_800
    assert report.largest_share >= 0.99  # issue 13
    assert report.largest_length_share >= 0.99
    assert report.n_components < 102  # the exact-only join leaves 102 (streets/SOURCE.md)
    assert 75_000 <= network.n_nodes <= 75_179
    assert report.max_move_m <= report.tolerance_m == streets.DEFAULT_TOLERANCE_M
    assert network.crs == UTM
    assert report.length_km == pytest.approx(7_275, abs=5)  # SOURCE.md: 7,273 km (EPSG:9377)
    # every edge is a segment's length: never shorter than the straight line between its ends
    coo = network.graph.tocoo()
    chord = np.hypot(*(network.node_xy[coo.row] - network.node_xy[coo.col]).T)
    assert (coo.data >= chord - 2 * report.tolerance_m).all()
    assert coo.data.sum() / 2 / 1000 <= report.length_km  # parallel edges keep the shortest
    assert network.gap is not None and 150 < report.gap_km2 < 250


def test_official_tolerance_choice(
    official_streets: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    table = streets.endpoint_tolerance_table(
        official_streets[0], tolerances_m=(0.0, 1.0, 3.0)
    ).set_index("tolerance_m")
    # 1 m joins slivers (fewer components) without collapsing any segment; 3 m collapses some
    assert table.loc[1.0, "components"] < table.loc[0.0, "components"] == 102
    assert table.loc[1.0, "loops"] == table.loc[0.0, "loops"] == 1
    assert table.loc[3.0, "loops"] > 1
    assert table.loc[1.0, "largest_share"] >= 0.99


def test_official_detour_factor(
    malla_vial: tuple[net.StreetNetwork, streets.StreetsReport],
) -> None:
    _, report = malla_vial
    assert report.detour_pairs == 2000
    assert 1.05 < report.detour_p25 <= report.detour_median <= report.detour_p75 < 1.8
    print("\n".join(report.lines()))


def _osm_segments(path: Path) -> np.ndarray:
    """The 2-node ways of the untagged Chapinero extract as lon/lat lines."""
    root = ET.parse(path).getroot()  # noqa: S314 (a local test file)
    coords = {n.get("id"): (float(n.get("lon")), float(n.get("lat"))) for n in root.iter("node")}
    lines = []
    for way in root.iter("way"):
        refs = [nd.get("ref") for nd in way.iter("nd")]
        lines.extend(
            shapely.LineString([coords[a], coords[b]]) for a, b in itertools.pairwise(refs)
        )
    return np.asarray(lines, dtype=object)


def test_official_osm_cross_check(
    official_dir: Path, official_streets: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]
) -> None:
    box = shapely.box(*OVERLAP_BOX)
    osm = gpd.GeoSeries(_osm_segments(official_dir / "osm-chapinero/chapinero.osm"), crs=4326)
    osm = osm.clip(box).to_crs(UTM)
    layer = official_streets[0]
    mvi = layer[layer.intersects(box)].geometry.clip(box).to_crs(UTM)
    # cut the OSM lines into pieces of at most 2 m; a piece counts (with its length)
    # when its midpoint is within 15 m of a Malla Vial segment
    fine = shapely.segmentize(np.asarray(osm.array, dtype=object), 2.0)
    coords, which = shapely.get_coordinates(fine, return_index=True)
    same_line = which[1:] == which[:-1]
    a, b = coords[:-1][same_line], coords[1:][same_line]
    piece_m = np.hypot(*(b - a).T)
    mid = shapely.points((a + b) / 2)
    tree = shapely.STRtree(np.asarray(mvi.array, dtype=object))
    hit, _ = tree.query(mid, predicate="dwithin", distance=15.0)
    near = np.zeros(len(mid), dtype=bool)
    near[hit] = True
    osm_m = float(piece_m.sum())
    share = float(piece_m[near].sum() / osm_m)
    print(f"OSM {osm_m / 1000:.0f} km in the box, {share:.1%} within 15 m of the Malla Vial")
    assert osm_m == pytest.approx(float(osm.length.sum()), rel=1e-9)
    assert 200_000 < osm_m < 275_000  # SOURCE.md: 237 km
    assert 0.88 <= share <= 0.96  # measured 92.0% (SOURCE.md: 92%)


def test_official_catchment_by_hand(
    official_streets: tuple[gpd.GeoDataFrame, gpd.GeoDataFrame],
) -> None:
    """Nodes within 400 m along the streets of one point in Bosa, recomputed independently.

    The streets within 700 m of the point are clipped out; their ends are matched by
    exact coordinates and walked with networkx on shapely lengths (nothing shared with
    geo.network but the input lines), then compared with multi_source_distances.
    """
    nx = pytest.importorskip("networkx")
    layer = official_streets[0]
    to_utm = Transformer.from_crs(4326, UTM, always_xy=True)
    centre = shapely.Point(to_utm.transform(-74.19, 4.62))  # Bosa: fully covered
    piece = layer.to_crs(UTM)
    piece = piece[piece.within(centre.buffer(700))].reset_index(drop=True)
    assert 100 < len(piece) < 2000
    network, _ = streets.malla_vial_network(
        piece, coverage_gap=None, tolerance_m=0.0, detour_samples=0
    )
    lines = np.asarray(piece.geometry.array, dtype=object)
    a = [tuple(p) for p in shapely.get_coordinates(shapely.get_point(lines, 0))]
    b = [tuple(p) for p in shapely.get_coordinates(shapely.get_point(lines, -1))]
    g = nx.Graph()
    for start, end, length in zip(a, b, shapely.length(lines), strict=True):
        if start != end and (not g.has_edge(start, end) or g[start][end]["w"] > length):
            g.add_edge(start, end, w=float(length))
    origin = min(g.nodes, key=lambda p: math.dist(p, (centre.x, centre.y)))
    by_hand = nx.single_source_dijkstra_path_length(g, origin, cutoff=400.0, weight="w")
    node, snap_m, _ = network.snap([origin])
    assert snap_m[0] < 1e-6
    dist, _ = net.multi_source_distances(network, node, limit_m=400.0)
    reached = np.flatnonzero(dist <= 400.0)
    hand_xy = np.array(list(by_hand))
    hand_node, hand_snap, _ = network.snap(hand_xy)
    assert hand_snap.max() < 1e-6  # the same nodes (the network's are means of the ends)
    assert sorted(hand_node.tolist()) == sorted(reached.tolist())
    assert 10 < len(reached) < 400
    np.testing.assert_allclose(dist[hand_node], list(by_hand.values()), rtol=0, atol=1e-6)
    straight = np.hypot(*(hand_xy - np.asarray(origin)).T)
    assert (straight <= dist[hand_node] + 1e-6).all()  # never shorter than a straight line


def test_official_gaps_fall_back_inside_the_gap(
    malla_vial: tuple[net.StreetNetwork, streets.StreetsReport],
) -> None:
    from geo import gaps

    network, report = malla_vial
    to_utm = Transformer.from_crs(4326, UTM, always_xy=True)
    # Usme (complete streets, ~10 km from the gap) and La Candelaria (inside the gap)
    cells_xy = np.array([to_utm.transform(-74.12, 4.50), to_utm.transform(-74.0725, 4.5965)])
    node, _, _ = network.snap(cells_xy[:1] + np.array([420.0, 310.0]))
    services_xy = np.array([network.node_xy[node[0]], cells_xy[1] + [-300.0, 500.0]])
    assert network.snap(cells_xy[:1])[1][0] < 100  # on the streets
    grid = gpd.GeoDataFrame(
        {"total": [100.0, 300.0], "zone": ["05", "17"]},
        geometry=[shapely.box(x - 50, y - 50, x + 50, y + 50) for x, y in cells_xy],
        crs=UTM,
    )
    services = gpd.GeoDataFrame(
        {"id": ["usme", "candelaria"]}, geometry=shapely.points(services_xy), crs=UTM
    )
    detour = report.detour_median
    result = gaps.run_gaps(
        grid,
        services,
        network=network,
        minutes=15,
        groups=["total"],
        zone_col="zone",
        options=gaps.GapsOptions(detour=detour),
    )
    out = result.demand
    assert network.gap_distance_m(cells_xy)[0] > result.headline["radius_m"]
    assert out["distance_method"].tolist() == ["network", "straight"]
    walk = net.distances_from(network, cells_xy[0], services_xy[:1])
    assert out["nearest_m"].iloc[0] == pytest.approx(walk[0])
    assert walk[0] >= math.dist(cells_xy[0], services_xy[0])
    assert out["nearest_m"].iloc[1] == pytest.approx(math.hypot(300.0, 500.0) * detour)
    assert out["nearest_service"].tolist() == ["usme", "candelaria"]
    assert result.headline["people_straight_share"] == pytest.approx(0.75)
    assert result.by_zone["straight_pct"].to_dict() == {"05": 0.0, "17": 100.0}
    # Near me: a walk that may cross the gap is not answered (the app estimates it)
    assert np.isnan(net.distances_from(network, cells_xy[1], services_xy[1:]))[0]
