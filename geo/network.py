"""Walking distances on a street network (OpenStreetMap) instead of straight lines.

One job, one module (about 1,100 lines): the street graph, from reading an extract
to the shortest-path distances every measure uses.

A :class:`StreetNetwork` is an undirected street graph stored as a symmetric
:class:`scipy.sparse.csr_matrix` of edge lengths in metres, with the node coordinates
in a metric CRS (the UTM zone of the area). :func:`load_network` builds one from an
OpenStreetMap extract (``.osm.pbf`` through pyrosm, ``.osm`` XML, or an osmnx
``.graphml``), keeps the walkable ways, clips them to an area and caches the result
on disk (keyed by the file's SHA-256 and the area's bounds), so a restart loads an
``.npz`` instead of parsing the extract again. A prepared network (e.g. the Malla
Vial Integral written by the official-layer importer, :mod:`geo.io.atlas.streets`) is
saved with :func:`save_network` and read back by :func:`load_network` from its ``.npz``.

A network may carry a *coverage gap* (:attr:`StreetNetwork.gap`): an area where the
street layer is known to be missing. Walks that may run through it are not trusted:
:func:`catchment_polygons` draws a straight circle (reach / detour) for a service near
the gap, :func:`distances_from` answers NaN (the caller falls back to its straight-line
estimate) and :func:`geo.gaps.run_gaps` measures the cells near it in a straight line x
detour.

The numeric core works on plain arrays (:func:`multi_source_distances`,
:func:`network_distances`, :func:`network_pairs`) and runs
:func:`scipy.sparse.csgraph.dijkstra`; :func:`catchment_polygons` is the
GeoDataFrame adapter for drawing.

Points (demand cells, services) join the network at their nearest graph *node*
(:meth:`StreetNetwork.snap`), not the nearest point on an edge; the straight walk to
that node is added to the distance. OpenStreetMap nodes are a few metres to a few
tens of metres apart in a city, so the error is small. A point farther than
``max_snap_m`` from every node is reported (``too_far``), never silently snapped.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from pyproj import CRS, Transformer
from scipy import sparse
from scipy.sparse.csgraph import dijkstra
from scipy.spatial import cKDTree

from geo.errors import LayerError, NetworkError
from geo.profiles import DEFAULT_DETOUR

__all__ = [
    "NetworkDistances",
    "NetworkError",
    "StreetNetwork",
    "build_graph",
    "calibrate_detour",
    "catchment_polygons",
    "load_network",
    "multi_source_distances",
    "network_distances",
    "network_pairs",
    "save_network",
]

log = logging.getLogger(__name__)

CACHE_VERSION = 1
"""Bump when the cached arrays change meaning; old cache files are then ignored."""

EXCLUDED_HIGHWAYS = frozenset(
    {
        "abandoned",
        "bus_guideway",
        "construction",
        "motorway",
        "motorway_link",
        "planned",
        "platform",
        "proposed",
        "raceway",
        "razed",
        "trunk",
        "trunk_link",
    }
)
"""``highway=*`` values nobody walks along (as osmnx's and pyrosm's walking filters)."""

_NO_FOOT = frozenset({"no", "private"})


# --------------------------------------------------------------------------- the graph


_SNAPS: dict[tuple, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
_GAP_DISTANCES: dict[tuple, np.ndarray] = {}


@dataclass(frozen=True)
class StreetNetwork:
    """An undirected street graph with edge lengths in metres.

    Attributes
    ----------
    graph
        ``(n, n)`` symmetric CSR matrix; ``graph[i, j]`` is the length in metres of the
        shortest street segment between nodes ``i`` and ``j`` (explicit zeros are
        zero-length edges).
    node_xy
        ``(n, 2)`` float64 node coordinates in ``crs`` (metres).
    crs
        The metric CRS of ``node_xy`` (e.g. ``"EPSG:32635"``).
    source
        Where the graph comes from (file name, or a description).
    gap
        Where streets are known to be missing (a shapely (Multi)Polygon in ``crs``),
        or ``None`` when the network is complete for its area. Distances that may
        run through it are replaced by straight line x detour (see the module notes).
    """

    graph: sparse.csr_matrix
    node_xy: np.ndarray
    crs: str
    source: str
    gap: shapely.Geometry | None = None

    def __post_init__(self) -> None:
        if self.gap is not None:
            if self.gap.is_empty:
                object.__setattr__(self, "gap", None)
            else:
                shapely.prepare(self.gap)  # many point queries per run

    def gap_distance_m(self, xy: ArrayLike) -> np.ndarray:
        """Return the straight metres from each point to the coverage gap.

        ``0`` inside the gap, ``inf`` everywhere when the network has no gap.

        Parameters
        ----------
        xy
            ``(k, 2)`` coordinates in :attr:`crs` (metres).
        """
        points = _as_xy("xy", xy)
        if self.gap is None:
            return np.full(len(points), np.inf)
        if len(points) == 0:
            return np.empty(0)
        key = (self._gap_key, hashlib.blake2b(points.tobytes(), digest_size=16).digest())
        if key not in _GAP_DISTANCES:
            if len(_GAP_DISTANCES) >= 8:
                _GAP_DISTANCES.pop(next(iter(_GAP_DISTANCES)))
            # exact distance to the nearest edge of the gap's rings (an R-tree of its
            # edges: ~3x faster than shapely.distance on the whole polygon), 0 inside
            (which, _), edge_m = self._gap_edges.query_nearest(
                shapely.points(points), return_distance=True, all_matches=False
            )
            dist = np.full(len(points), np.inf)
            dist[which] = edge_m
            dist[shapely.contains_xy(self.gap, points[:, 0], points[:, 1])] = 0.0
            _GAP_DISTANCES[key] = dist
        return _GAP_DISTANCES[key].copy()

    @cached_property
    def _gap_key(self) -> bytes:  # the gap's own bytes: ids of dead objects are reused
        return hashlib.blake2b(shapely.to_wkb(self.gap), digest_size=16).digest()

    @cached_property
    def _gap_edges(self) -> shapely.STRtree:
        rings = shapely.get_rings(shapely.get_parts(self.gap))
        coords, ring = shapely.get_coordinates(rings, return_index=True)
        same = ring[1:] == ring[:-1]
        return shapely.STRtree(
            shapely.linestrings(np.stack([coords[:-1][same], coords[1:][same]], axis=1))
        )

    @property
    def n_nodes(self) -> int:
        """Number of nodes."""
        return int(self.graph.shape[0])

    @property
    def n_edges(self) -> int:
        """Number of undirected edges."""
        return int(self.graph.nnz // 2)

    @cached_property
    def _tree(self) -> cKDTree:
        return cKDTree(self.node_xy)

    def snap(
        self, xy: ArrayLike, *, max_snap_m: float = 200.0
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Join points to their nearest node.

        Parameters
        ----------
        xy
            ``(k, 2)`` coordinates in :attr:`crs` (metres).
        max_snap_m
            Points farther than this from every node are reported as too far.

        Returns
        -------
        node_index : numpy.ndarray
            ``(k,)`` int64 nearest node (``-1`` where too far).
        snap_m : numpy.ndarray
            ``(k,)`` float64 straight distance in metres to the nearest node (reported
            even when too far).
        too_far : numpy.ndarray
            ``(k,)`` bool, ``snap_m > max_snap_m``.
        """
        points = _as_xy("xy", xy)
        if not max_snap_m >= 0:
            raise ValueError(f"max_snap_m = {max_snap_m!r} must be a number >= 0.")
        if len(points) == 0:
            return np.empty(0, np.int64), np.empty(0), np.empty(0, bool)
        # The same demand cells are snapped for every measure of a run: remember the
        # last few answers (keyed by the coordinates' bytes; copies are returned).
        key = (id(self), hashlib.blake2b(points.tobytes(), digest_size=16).digest(), max_snap_m)
        if key not in _SNAPS:
            snap_m, node = self._tree.query(points, k=1)
            node = node.astype(np.int64)
            too_far = snap_m > max_snap_m
            node[too_far] = -1
            if len(_SNAPS) >= 8:
                _SNAPS.pop(next(iter(_SNAPS)))
            _SNAPS[key] = (node, snap_m.astype(np.float64), too_far)
        node, snap_m, too_far = _SNAPS[key]
        return node.copy(), snap_m.copy(), too_far.copy()


def _as_xy(name: str, xy: ArrayLike) -> np.ndarray:
    arr = np.asarray(xy, dtype=np.float64)
    if arr.size == 0:
        return arr.reshape(0, 2)
    if arr.ndim != 2 or arr.shape[1] != 2 or not np.isfinite(arr).all():
        raise ValueError(f"{name} must be an (n, 2) array of finite metres; got {arr.shape}.")
    return arr


def build_graph(u: ArrayLike, v: ArrayLike, length_m: ArrayLike, n_nodes: int) -> sparse.csr_matrix:
    """Build the symmetric CSR street graph from undirected edges.

    Parallel edges keep their shortest length; self-loops are dropped; zero lengths
    stay as explicit zeros (scipy's csgraph treats them as edges).

    Parameters
    ----------
    u, v
        ``(e,)`` node positions ``0 .. n_nodes - 1`` of each edge's ends.
    length_m
        ``(e,)`` edge lengths in metres, >= 0.
    n_nodes
        Number of nodes.
    """
    u = np.asarray(u, dtype=np.int64)
    v = np.asarray(v, dtype=np.int64)
    length = np.asarray(length_m, dtype=np.float64)
    if not (u.shape == v.shape == length.shape):
        raise ValueError("u, v and length_m must have the same length.")
    if len(length) and (not np.isfinite(length).all() or length.min() < 0):
        raise ValueError("edge lengths must be finite metres >= 0.")
    keep = u != v
    rows = np.concatenate([u[keep], v[keep]])
    cols = np.concatenate([v[keep], u[keep]])
    data = np.concatenate([length[keep], length[keep]])
    order = np.lexsort((data, cols, rows))  # by row, col, then shortest first
    rows, cols, data = rows[order], cols[order], data[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (cols[1:] != cols[:-1])
    rows, cols, data = rows[first], cols[first], data[first]
    indptr = np.zeros(n_nodes + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n_nodes), out=indptr[1:])
    index_dtype = np.int32 if n_nodes < 2**31 and len(cols) < 2**31 else np.int64
    return sparse.csr_matrix(
        (data, cols.astype(index_dtype), indptr.astype(index_dtype)), shape=(n_nodes, n_nodes)
    )


# --------------------------------------------------------------------------- loading


@dataclass(frozen=True)
class _RawNetwork:
    """Parsed walkable ways before projection: node ids, lon/lat, edges by node id."""

    node_id: np.ndarray
    node_lonlat: np.ndarray
    edge_u: np.ndarray
    edge_v: np.ndarray
    edge_geometry: np.ndarray | None  # shapely lines in lon/lat, or None (straight)


def _walkable(tags: dict[str, str]) -> bool:
    highway = tags.get("highway")
    if highway is None or highway in EXCLUDED_HIGHWAYS or tags.get("area") == "yes":
        return False
    if tags.get("foot") in _NO_FOOT or tags.get("access") in _NO_FOOT:
        return tags.get("foot") in {"yes", "designated", "permissive"}
    return tags.get("service") != "private"


def _attr(elem: ET.Element, name: str) -> str:
    """An XML attribute that the format requires, or NetworkError naming it."""
    value = elem.get(name)
    if value is None:
        raise NetworkError(
            f"a <{elem.tag}> element has no {name!r} attribute: the file is not a complete "
            "OSM or GraphML export; download or export it again."
        )
    return value


def _read_osm_xml(path: Path) -> _RawNetwork:
    """Parse an OSM XML file: nodes, then the walkable ways as consecutive node pairs."""
    coords: dict[int, tuple[float, float]] = {}
    us: list[int] = []
    vs: list[int] = []
    try:
        # The user's own extract; expat >= 2.4.1 (Python 3.11) refuses entity expansion
        # bombs, and ElementTree resolves no external entities.
        for _, elem in ET.iterparse(path, events=("end",)):  # noqa: S314
            if elem.tag == "node":
                coords[int(_attr(elem, "id"))] = (
                    float(_attr(elem, "lon")),
                    float(_attr(elem, "lat")),
                )
                elem.clear()
            elif elem.tag == "way":
                refs = [int(_attr(nd, "ref")) for nd in elem.iter("nd")]
                tags = {_attr(t, "k"): _attr(t, "v") for t in elem.iter("tag")}
                if _walkable(tags) and len(refs) > 1:
                    us.extend(refs[:-1])
                    vs.extend(refs[1:])
                elem.clear()
    except ET.ParseError as exc:
        raise NetworkError(f"{path}: not valid OSM XML ({exc}); download it again.") from None
    u = np.asarray(us, dtype=np.int64)
    v = np.asarray(vs, dtype=np.int64)
    known = np.array([a in coords and b in coords for a, b in zip(us, vs, strict=True)], bool)
    if len(known) and not known.all():
        log.warning("%s: %d way segments refer to missing nodes; dropped", path, (~known).sum())
    if len(known):
        u, v = u[known], v[known]
    ids = np.unique(np.concatenate([u, v]))
    lonlat = np.array([coords[i] for i in ids], dtype=np.float64).reshape(-1, 2)
    return _RawNetwork(ids, lonlat, u, v, None)


def _read_graphml(path: Path) -> _RawNetwork:
    """Parse an osmnx GraphML file (node ``x``/``y`` in lon/lat, optional edge WKT)."""
    ns = "{http://graphml.graphdrawing.org/xmlns}"
    try:
        root = ET.parse(path).getroot()  # noqa: S314 (as _read_osm_xml)
    except ET.ParseError as exc:
        raise NetworkError(f"{path}: not valid GraphML ({exc}).") from None
    keys = {k.get("id"): k.get("attr.name") for k in root.iter(f"{ns}key")}
    graph = root.find(f"{ns}graph")
    if graph is None:
        raise NetworkError(f"{path}: GraphML without a <graph>; export it with osmnx.")
    graph_data = {keys.get(d.get("key")): d.text for d in graph.findall(f"{ns}data")}
    crs = graph_data.get("crs")
    if crs and CRS.from_user_input(crs) != CRS.from_epsg(4326):
        raise NetworkError(
            f"{path}: the graph is projected ({crs}); save the unprojected osmnx graph."
        )
    ids: list[str] = []
    lonlat: list[tuple[float, float]] = []
    for node in graph.iter(f"{ns}node"):
        data = {keys.get(d.get("key")): d.text for d in node.findall(f"{ns}data")}
        ids.append(_attr(node, "id"))
        lonlat.append((float(data["x"] or "nan"), float(data["y"] or "nan")))
    us: list[str] = []
    vs: list[str] = []
    geoms: list[shapely.Geometry | None] = []
    for edge in graph.iter(f"{ns}edge"):
        data = {keys.get(d.get("key")): d.text for d in edge.findall(f"{ns}data")}
        highway = data.get("highway") or "footway"
        highway = highway.strip("[]'\" ").split("'")[0]  # osmnx lists: "['footway', 'path']"
        if not _walkable({"highway": highway}):
            continue
        us.append(_attr(edge, "source"))
        vs.append(_attr(edge, "target"))
        geoms.append(shapely.from_wkt(data["geometry"]) if data.get("geometry") else None)
    position = {node_id: i for i, node_id in enumerate(ids)}
    node_id = np.arange(len(ids), dtype=np.int64)
    u = np.array([position[a] for a in us], dtype=np.int64)
    v = np.array([position[b] for b in vs], dtype=np.int64)
    lonlat_arr = np.asarray(lonlat, dtype=np.float64).reshape(-1, 2)
    return _RawNetwork(node_id, lonlat_arr, u, v, np.array(geoms, dtype=object))


def _read_pbf(path: Path, bbox: tuple[float, float, float, float] | None) -> _RawNetwork:
    """Read the walking network of an ``.osm.pbf`` with pyrosm."""
    from pyrosm import OSM  # imported here: a heavy optional dependency

    osm = OSM(str(path), bounding_box=list(bbox) if bbox is not None else None)
    result = osm.get_network(network_type="walking", nodes=True)
    if result is None or result[1] is None or len(result[1]) == 0:
        raise NetworkError(f"{path}: no walkable ways in the extract (or in the area).")
    nodes, edges = result
    return _RawNetwork(
        nodes["id"].to_numpy(np.int64),
        nodes[["lon", "lat"]].to_numpy(np.float64),
        edges["u"].to_numpy(np.int64),
        edges["v"].to_numpy(np.int64),
        np.asarray(edges.geometry.array, dtype=object),
    )


def _project(
    raw: _RawNetwork, *, crs: CRS, source: str, bbox: tuple[float, ...] | None
) -> StreetNetwork:
    """Clip to ``bbox`` (lon/lat), project, measure edges in metres, build the graph."""
    position = pd.Index(raw.node_id)
    u = position.get_indexer(raw.edge_u)
    v = position.get_indexer(raw.edge_v)
    keep = (u >= 0) & (v >= 0)
    if bbox is not None:
        x, y = raw.node_lonlat[:, 0], raw.node_lonlat[:, 1]
        inside = (x >= bbox[0]) & (y >= bbox[1]) & (x <= bbox[2]) & (y <= bbox[3])
        keep &= inside[np.clip(u, 0, None)] & inside[np.clip(v, 0, None)]
    u, v = u[keep], v[keep]
    if len(u) == 0:
        raise NetworkError(f"{source}: no walkable street inside the area; check the extract.")
    used, inverse = np.unique(np.concatenate([u, v]), return_inverse=True)
    u_new, v_new = inverse[: len(u)], inverse[len(u) :]
    to_metric = Transformer.from_crs("EPSG:4326", crs, always_xy=True)
    lonlat = raw.node_lonlat[used]
    xs, ys = to_metric.transform(lonlat[:, 0], lonlat[:, 1])
    node_xy = np.column_stack([xs, ys]).astype(np.float64)
    length = np.hypot(*(node_xy[u_new] - node_xy[v_new]).T)
    if raw.edge_geometry is not None:
        geoms = raw.edge_geometry[keep]
        has = np.array([g is not None for g in geoms], dtype=bool)
        if has.any():
            lines = shapely.transform(
                np.asarray(list(geoms[has]), dtype=object),
                lambda c: np.column_stack(to_metric.transform(c[:, 0], c[:, 1])),
            )
            length[has] = shapely.length(lines)
    graph = build_graph(u_new, v_new, length, len(used))
    log.info("%s: %d nodes, %d walkable edges in %s", source, len(used), graph.nnz // 2, crs)
    return StreetNetwork(graph=graph, node_xy=node_xy, crs=crs.to_string(), source=source)


def file_sha256(path: Path) -> str:
    """Return the SHA-256 of a file's bytes, read in 1 MiB chunks, as hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _area_bbox(area: gpd.GeoDataFrame) -> tuple[float, float, float, float]:
    if area.crs is None:
        raise LayerError("the area has no CRS; set it (e.g. EPSG:4326).")
    minx, miny, maxx, maxy = area.to_crs("EPSG:4326").total_bounds
    return float(minx), float(miny), float(maxx), float(maxy)


def _default_cache_dir() -> Path:
    from geo.settings import get_settings

    return get_settings().store_path.parent / "networks"


def load_network(
    path: Path | str,
    *,
    area: gpd.GeoDataFrame | None = None,
    cache_dir: Path | None = None,
) -> StreetNetwork:
    """Load the walkable street network of an OpenStreetMap extract.

    Parameters
    ----------
    path
        ``.osm.pbf`` (read with pyrosm), ``.osm`` (OSM XML, e.g. from
        ``python -m geo fetch-osm``), ``.graphml`` (an unprojected osmnx graph) or a
        prepared ``.npz`` written by :func:`save_network` (read as it is: ``area``
        and ``cache_dir`` are not used).
    area
        Keep only the edges with both ends inside this layer's bounds (any CRS). Its
        UTM zone is the network's CRS (else the UTM zone of the extract).
    cache_dir
        Folder of the cache (default ``var/networks`` next to the store). The graph is
        saved there as ``.npz`` keyed by the file's SHA-256 and the area's bounds, and
        loaded from there next time.

    Returns
    -------
    StreetNetwork

    Raises
    ------
    NetworkError
        For a missing, unreadable or unsupported file, or no walkable street in the area.
    """
    path = Path(path)
    if not path.is_file():
        raise NetworkError(f"street network file {path} not found; check the path.")
    name = path.name.lower()
    if name.endswith(".npz"):
        try:
            network = _read_cache(path)
        except (OSError, ValueError, KeyError, shapely.errors.GEOSException) as exc:
            raise NetworkError(
                f"{path}: not a street network saved by Care Atlas ({exc}); build it again "
                "(python -m geo atlas)."
            ) from None
        log.info("street network from %s: %d nodes", path, network.n_nodes)
        return network
    if not name.endswith((".osm.pbf", ".pbf", ".osm", ".graphml")):
        raise NetworkError(
            f"{path}: give an .osm.pbf, .osm, .graphml or prepared .npz street network file."
        )
    bbox = _area_bbox(area) if area is not None else None
    cache_dir = _default_cache_dir() if cache_dir is None else Path(cache_dir)
    key = hashlib.sha256(f"{CACHE_VERSION}|{file_sha256(path)}|{bbox!r}".encode()).hexdigest()[:32]
    cached = cache_dir / f"{path.name.split('.')[0]}-{key}.npz"
    if cached.is_file():
        try:
            network = _read_cache(cached)
            log.info("street network from cache %s", cached)
            return network
        except (OSError, ValueError, KeyError) as exc:
            log.warning("ignoring unreadable cache %s (%s); rebuilding", cached, exc)
    network = _build_from_file(path, bbox=bbox, area=area)
    _write_cache(network, cached)
    return network


def _build_from_file(
    path: Path, *, bbox: tuple[float, float, float, float] | None, area: gpd.GeoDataFrame | None
) -> StreetNetwork:
    name = path.name.lower()
    if name.endswith(".pbf"):
        raw = _read_pbf(path, bbox)
    elif name.endswith(".osm"):
        raw = _read_osm_xml(path)
    else:
        raw = _read_graphml(path)
    if len(raw.node_id) == 0:
        raise NetworkError(f"{path}: no walkable ways; is it a street extract?")
    if area is not None:
        crs = area.estimate_utm_crs()
    else:
        points = gpd.GeoSeries(gpd.points_from_xy(*raw.node_lonlat.T), crs="EPSG:4326")
        crs = points.estimate_utm_crs()
    return _project(raw, crs=crs, source=path.name, bbox=bbox)


def _savez(network: StreetNetwork, target: Path) -> None:
    """Write the network to ``target`` atomically (raises OSError)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".npz.part")
    try:
        gap = b"" if network.gap is None else shapely.to_wkb(network.gap)
        with os.fdopen(fd, "wb") as handle:
            np.savez(
                handle,
                indptr=network.graph.indptr,
                indices=network.graph.indices,
                data=network.graph.data,
                node_xy=network.node_xy,
                crs=np.array(network.crs),
                source=np.array(network.source),
                gap_wkb=np.frombuffer(gap, dtype=np.uint8),
            )
        os.replace(tmp, target)  # atomic: a reader never sees half a file
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _write_cache(network: StreetNetwork, target: Path) -> None:
    try:
        _savez(network, target)
        log.info("cached street network in %s", target)
    except OSError as exc:
        log.warning("could not cache the street network in %s: %s", target, exc)


def save_network(network: StreetNetwork, path: Path | str) -> Path:
    """Save a street network (graph, nodes, CRS, source and coverage gap) as ``.npz``.

    The file is written through a temporary file in the same folder, so a reader
    never sees half of it; :func:`load_network` reads it back.

    Parameters
    ----------
    network
        The network to save.
    path
        Target file; must end in ``.npz``.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    NetworkError
        When the name does not end in ``.npz`` or the file cannot be written.
    """
    path = Path(path)
    if path.suffix.lower() != ".npz":
        raise NetworkError(f"{path}: a prepared street network file must end in .npz.")
    try:
        _savez(network, path)
    except OSError as exc:
        raise NetworkError(
            f"cannot write the street network to {path} ({exc}); check the folder."
        ) from None
    log.info("saved street network (%d nodes) in %s", network.n_nodes, path)
    return path


def _read_cache(path: Path) -> StreetNetwork:
    with np.load(path, allow_pickle=False) as saved:
        node_xy = saved["node_xy"]
        n = len(node_xy)
        graph = sparse.csr_matrix((saved["data"], saved["indices"], saved["indptr"]), shape=(n, n))
        wkb = saved["gap_wkb"].tobytes() if "gap_wkb" in saved.files else b""
        return StreetNetwork(
            graph=graph,
            node_xy=node_xy,
            crs=str(saved["crs"]),
            source=str(saved["source"]),
            gap=shapely.from_wkb(wkb) if wkb else None,
        )


# --------------------------------------------------------------------------- distances


def multi_source_distances(
    network: StreetNetwork,
    source_nodes: ArrayLike,
    *,
    limit_m: float | None = None,
    source_offset_m: ArrayLike | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Network distance from every node to its nearest source.

    Parameters
    ----------
    network
        The street graph.
    source_nodes
        ``(s,)`` node positions of the sources (repeats allowed).
    limit_m
        Stop searching beyond this many metres (nodes farther get ``inf``).
    source_offset_m
        ``(s,)`` metres already walked at each source (e.g. from a service's door to
        its snapped node), added as the source's starting distance: then a node's
        nearest source is the one with the least ``offset + network`` distance.
        Implemented with a virtual super-source joined to each source node by an edge
        of its offset; the nearest source of each node is then the root of its branch
        of the shortest-path tree (found by pointer jumping over the predecessors).

    Returns
    -------
    dist_m : numpy.ndarray
        ``(n,)`` float64 metres (``inf`` where no source is within reach).
    nearest_source : numpy.ndarray
        ``(n,)`` int64 position in ``source_nodes`` of the nearest source, ``-1`` where
        none is reachable.
    """
    sources = np.asarray(source_nodes, dtype=np.int64).ravel()
    n = network.n_nodes
    if len(sources) == 0:
        return np.full(n, np.inf), np.full(n, -1, dtype=np.int64)
    if sources.min() < 0 or sources.max() >= n:
        raise ValueError("source_nodes must be node positions 0 .. n - 1.")
    limit = np.inf if limit_m is None else float(limit_m)
    if source_offset_m is None:
        dist, _, found = dijkstra(
            network.graph,
            directed=True,  # the stored graph is symmetric: no undirected copy per call
            indices=sources,
            min_only=True,
            limit=limit,
            return_predecessors=True,
        )
        # found is a node id: map back to its (first) position in source_nodes.
        first = np.full(n, -1, dtype=np.int64)
        first[sources[::-1]] = np.arange(len(sources) - 1, -1, -1)
        nearest = np.where(found >= 0, first[np.clip(found, 0, None)], -1)
        return dist, nearest.astype(np.int64)

    offset = np.asarray(source_offset_m, dtype=np.float64).ravel()
    if offset.shape != sources.shape or not np.isfinite(offset).all() or offset.min() < 0:
        raise ValueError("source_offset_m must be one finite value >= 0 per source.")
    # Best (least offset) source position per distinct source node.
    order = np.lexsort((offset, sources))
    best_first = np.ones(len(order), dtype=bool)
    best_first[1:] = sources[order][1:] != sources[order][:-1]
    best = order[best_first]
    roots, root_offset = sources[best], offset[best]
    g = network.graph
    virtual = n
    rows = np.concatenate(
        [np.repeat(np.arange(n), np.diff(g.indptr)), np.full(len(roots), virtual)]
    )
    cols = np.concatenate([g.indices.astype(np.int64), roots])
    data = np.concatenate([g.data, root_offset])
    augmented = sparse.csr_matrix((data, (rows, cols)), shape=(n + 1, n + 1))
    # directed: the virtual node only leaves, so no path runs through it.
    dist, pred = dijkstra(
        augmented, directed=True, indices=virtual, limit=limit, return_predecessors=True
    )
    dist, pred = dist[:n], pred[:n].astype(np.int64)
    parent = np.where((pred < 0) | (pred == virtual), np.arange(n), pred)
    while True:  # pointer jumping: O(log depth) vectorised passes
        jumped = parent[parent]
        if np.array_equal(jumped, parent):
            break
        parent = jumped
    source_of_root = np.full(n, -1, dtype=np.int64)
    source_of_root[roots] = best
    nearest = np.where(np.isfinite(dist), source_of_root[parent], -1)
    return dist, nearest


@dataclass(frozen=True)
class NetworkDistances:
    """Walking distance from each demand point to its nearest service on the street network.

    Attributes
    ----------
    walk_m
        ``(k,)`` metres: the demand point's snap distance + network distance + the
        service's snap distance. ``inf`` where no service is reachable (another
        component of the network, or beyond ``limit_m``), NaN where the demand point
        is too far from every street.
    service_index
        ``(k,)`` int64 position of the nearest service, ``-1`` where none.
    snap_m
        ``(k,)`` straight metres from each demand point to its node.
    too_far
        ``(k,)`` bool: the demand point is more than ``max_snap_m`` from any street.
    unreachable
        ``(k,)`` bool: on the network, but no service can be reached.
    service_too_far
        ``(m,)`` bool: services more than ``max_snap_m`` from any street (not used).
    """

    walk_m: np.ndarray
    service_index: np.ndarray
    snap_m: np.ndarray
    too_far: np.ndarray
    unreachable: np.ndarray
    service_too_far: np.ndarray

    @property
    def n_too_far(self) -> int:
        """Demand points farther than ``max_snap_m`` from any street."""
        return int(self.too_far.sum())

    @property
    def n_unreachable(self) -> int:
        """Demand points on the network that reach no service."""
        return int(self.unreachable.sum())

    @property
    def n_services_too_far(self) -> int:
        """Services farther than ``max_snap_m`` from any street."""
        return int(self.service_too_far.sum())


def network_distances(
    network: StreetNetwork,
    demand_xy: ArrayLike,
    service_xy: ArrayLike,
    *,
    max_snap_m: float = 200.0,
    limit_m: float | None = None,
) -> NetworkDistances:
    """Walk from each demand point to its nearest service along the streets.

    The service's own walk from the street (its snap distance) is the starting
    distance of its source in :func:`multi_source_distances`, so the nearest service
    is the nearest *door*, not the nearest snapped node.

    Parameters
    ----------
    network
        The street graph.
    demand_xy, service_xy
        ``(k, 2)`` and ``(m, 2)`` coordinates in ``network.crs`` (metres).
    max_snap_m
        Points farther than this from every street node are reported, not snapped.
    limit_m
        Stop the search beyond this many metres of service snap + network walk.

    Returns
    -------
    NetworkDistances
    """
    demand = _as_xy("demand_xy", demand_xy)
    services = _as_xy("service_xy", service_xy)
    d_node, d_snap, d_far = network.snap(demand, max_snap_m=max_snap_m)
    s_node, s_snap, s_far = network.snap(services, max_snap_m=max_snap_m)
    if s_far.any():
        log.warning("%d services are more than %g m from any street", s_far.sum(), max_snap_m)
    usable = np.flatnonzero(~s_far)
    dist, nearest = multi_source_distances(
        network, s_node[usable], limit_m=limit_m, source_offset_m=s_snap[usable]
    )
    on = ~d_far
    walk = np.full(len(demand), np.nan)
    index = np.full(len(demand), -1, dtype=np.int64)
    walk[on] = d_snap[on] + dist[d_node[on]]
    found = on.copy()
    found[on] = nearest[d_node[on]] >= 0
    index[found] = usable[nearest[d_node[found]]]
    unreachable = on & ~found
    walk[unreachable] = np.inf
    if d_far.any() or unreachable.any():
        log.info(
            "%d demand points more than %g m from a street, %d reach no service",
            d_far.sum(),
            max_snap_m,
            unreachable.sum(),
        )
    return NetworkDistances(walk, index, d_snap, d_far, unreachable, s_far)


def _chunks(n: int, size: int) -> Iterable[slice]:
    for start in range(0, n, size):
        yield slice(start, min(start + size, n))


def network_pairs(
    network: StreetNetwork,
    demand_xy: ArrayLike,
    service_xy: ArrayLike,
    *,
    limit_m: float,
    max_snap_m: float = 200.0,
    chunk: int = 64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """List every (demand, service) pair within ``limit_m`` walking metres.

    One Dijkstra search per service, cut at ``limit_m`` (scipy runs a chunk of
    services per call); memory grows with ``chunk x n_nodes``, never with
    ``n_demand x n_services``. Points too far from a street form no pair.

    Returns
    -------
    rows, cols : numpy.ndarray
        int64 positions in ``demand_xy`` and ``service_xy``.
    walk_m : numpy.ndarray
        float64 walking metres (snap + network + snap), ``<= limit_m``.
    """
    demand = _as_xy("demand_xy", demand_xy)
    services = _as_xy("service_xy", service_xy)
    d_node, d_snap, d_far = network.snap(demand, max_snap_m=max_snap_m)
    s_node, s_snap, s_far = network.snap(services, max_snap_m=max_snap_m)
    on = np.flatnonzero(~d_far)
    usable = np.flatnonzero(~s_far)
    rows_out: list[np.ndarray] = [np.empty(0, np.int64)]
    cols_out: list[np.ndarray] = [np.empty(0, np.int64)]
    dist_out: list[np.ndarray] = [np.empty(0)]
    for part in _chunks(len(usable), chunk):
        svc = usable[part]
        dist = dijkstra(network.graph, directed=True, indices=s_node[svc], limit=float(limit_m))
        walk = dist[:, d_node[on]] + d_snap[on][None, :] + s_snap[svc][:, None]
        si, di = np.nonzero(walk <= limit_m)
        rows_out.append(on[di])
        cols_out.append(svc[si])
        dist_out.append(walk[si, di])
    return np.concatenate(rows_out), np.concatenate(cols_out), np.concatenate(dist_out)


# --------------------------------------------------------------------------- drawing


def catchment_polygons(
    network: StreetNetwork,
    service_xy: ArrayLike,
    *,
    radius_m: float,
    buffer_m: float = 50.0,
    max_snap_m: float = 200.0,
    detour: float = DEFAULT_DETOUR,
) -> gpd.GeoDataFrame:
    """Draw the streets each service reaches within ``radius_m`` walking metres.

    An edge counts when both its ends are within ``radius_m`` (service snap + network
    distance); the reached edges are merged and buffered by ``buffer_m`` metres.

    Where the network has a coverage gap (:attr:`StreetNetwork.gap`), a service less
    than ``radius_m`` from it (or inside it) could walk into streets that are not in
    the layer: its catchment is the straight circle of ``radius_m / detour`` around
    the service instead, flagged ``distance_method = "straight"``.

    Parameters
    ----------
    detour
        Walked / straight-line distance for the straight fallback near the gap.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per service, in ``network.crs``: ``service_index``, ``snap_m``,
        ``street_m`` (metres of street reached; NaN on the straight fallback),
        ``distance_method`` (``"network"`` or ``"straight"``) and ``geometry``
        (empty for a service too far from any street).
    """
    if not detour >= 1.0:
        raise ValueError(f"detour = {detour!r} must be a ratio >= 1.")
    services = _as_xy("service_xy", service_xy)
    node, snap_m, too_far = network.snap(services, max_snap_m=max_snap_m)
    straight = network.gap_distance_m(services) < radius_m
    too_far = too_far | straight
    coo = sparse.triu(network.graph, format="coo")
    eu, ev, elen = coo.row, coo.col, coo.data
    geometry: list[shapely.Geometry] = []
    street_m = np.zeros(len(services))
    usable = np.flatnonzero(~too_far)
    by_service: dict[int, tuple[shapely.Geometry, float]] = {}
    for part in _chunks(len(usable), 64):
        svc = usable[part]
        dist = dijkstra(network.graph, directed=True, indices=node[svc], limit=float(radius_m))
        dist = dist + snap_m[svc][:, None]
        for row, s in enumerate(svc):
            reached = (dist[row, eu] <= radius_m) & (dist[row, ev] <= radius_m)
            lines = (
                shapely.linestrings(
                    np.stack([network.node_xy[eu[reached]], network.node_xy[ev[reached]]], axis=1)
                )
                if reached.any()
                else np.empty(0, dtype=object)
            )
            if len(lines):
                shape = shapely.union_all(shapely.buffer(lines, buffer_m))
            else:
                shape = shapely.Point(network.node_xy[node[s]]).buffer(buffer_m)
            by_service[int(s)] = (shape, float(elen[reached].sum()))
    for s in np.flatnonzero(straight):
        by_service[int(s)] = (shapely.Point(services[s]).buffer(radius_m / detour), math.nan)
    for s in range(len(services)):
        shape, metres = by_service.get(s, (shapely.Polygon(), 0.0))
        geometry.append(shape)
        street_m[s] = metres
    return gpd.GeoDataFrame(
        {
            "service_index": np.arange(len(services)),
            "snap_m": snap_m,
            "street_m": street_m,
            "distance_method": np.where(straight, "straight", "network").astype(object),
        },
        geometry=geometry,
        crs=network.crs,
    )


def calibrate_detour(
    network: StreetNetwork,
    *,
    samples: int = 2000,
    seed: int = 0,
    min_m: float = 300.0,
    max_m: float = 3000.0,
) -> dict[str, float]:
    """Measure the detour factor: network ÷ straight-line distance of random node pairs.

    Pairs are ``min_m``-``max_m`` apart in a straight line and connected; about ten
    targets are drawn per random origin. With a coverage gap
    (:attr:`StreetNetwork.gap`), origins lie outside it and a pair whose straight
    line touches it is not drawn (the missing streets would inflate the ratio).

    Returns
    -------
    dict
        ``median``, ``p25``, ``p75`` (ratios) and ``n`` (pairs measured; NaN ratios
        when none).
    """
    rng = np.random.default_rng(seed)
    n = network.n_nodes
    per_origin = 10
    gap = network.gap
    outside = (
        np.ones(n, dtype=bool)
        if gap is None
        else ~shapely.contains_xy(gap, network.node_xy[:, 0], network.node_xy[:, 1])
    )
    allowed = np.flatnonzero(outside)
    n_origins = min(len(allowed), max(1, math.ceil(samples / per_origin) * 2))
    origins = rng.choice(allowed, size=n_origins, replace=False)
    ratios: list[np.ndarray] = []
    have = 0
    for part in _chunks(len(origins), 32):
        if have >= samples:
            break
        src = origins[part]
        dist = dijkstra(network.graph, directed=True, indices=src, limit=max_m * 4)
        for row, o in enumerate(src):
            straight = np.hypot(*(network.node_xy - network.node_xy[o]).T)
            ok = np.flatnonzero(
                (straight >= min_m) & (straight <= max_m) & np.isfinite(dist[row]) & outside
            )
            if gap is not None and len(ok):
                ok = rng.permutation(ok)[: per_origin * 8]
                ends = network.node_xy[ok]
                lines = shapely.linestrings(
                    np.stack([np.broadcast_to(network.node_xy[o], ends.shape), ends], axis=1)
                )
                ok = ok[~shapely.intersects(gap, lines)]
            if len(ok) == 0:
                continue
            pick = rng.choice(ok, size=min(per_origin, len(ok), samples - have), replace=False)
            ratios.append(dist[row, pick] / straight[pick])
            have += len(pick)
            if have >= samples:
                break
    values = np.concatenate(ratios) if ratios else np.empty(0)
    if len(values) == 0:
        return {"median": math.nan, "p25": math.nan, "p75": math.nan, "n": 0}
    p25, median, p75 = np.percentile(values, [25, 50, 75])
    return {"median": float(median), "p25": float(p25), "p75": float(p75), "n": len(values)}


# --------------------------------------------------------------------------- download

OVERPASS_URL = "https://overpass-api.de/api/interpreter"


def overpass_query(bbox: tuple[float, float, float, float], *, timeout_s: int = 180) -> str:
    """Return the Overpass QL query for the walkable ways of ``bbox`` (lon/lat) as OSM XML."""
    minlon, minlat, maxlon, maxlat = bbox
    excluded = "|".join(sorted(EXCLUDED_HIGHWAYS))
    return (
        f"[out:xml][timeout:{int(timeout_s)}];"
        f'(way["highway"]["highway"!~"^({excluded})$"]["foot"!~"^(no|private)$"]'
        f'["area"!="yes"]({minlat},{minlon},{maxlat},{maxlon}););'
        "(._;>;);out body;"
    )


def fetch_osm(
    bbox: tuple[float, float, float, float],
    out: Path,
    *,
    url: str = OVERPASS_URL,
    timeout_s: float = 180.0,
) -> int:
    """Download the walkable ways of ``bbox`` (minlon, minlat, maxlon, maxlat) from Overpass.

    The OSM XML is written to ``out`` through a temporary file, so a failed download
    leaves nothing behind. Returns the number of bytes written.

    Raises
    ------
    NetworkError
        When the server cannot be reached or answers with an error.
    """
    import urllib.error
    import urllib.parse
    import urllib.request

    body = urllib.parse.urlencode({"data": overpass_query(bbox, timeout_s=int(timeout_s))})
    request = urllib.request.Request(  # noqa: S310 (http(s) URL given by the operator)
        url, data=body.encode(), headers={"User-Agent": "care-atlas (python -m geo fetch-osm)"}
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".osm.part")
    written = 0
    try:
        with (
            os.fdopen(fd, "wb") as handle,
            urllib.request.urlopen(request, timeout=timeout_s) as response,  # noqa: S310
        ):
            for chunk in iter(lambda: response.read(1 << 16), b""):
                handle.write(chunk)
                written += len(chunk)
        os.replace(tmp, out)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        Path(tmp).unlink(missing_ok=True)
        reason = getattr(exc, "reason", None) or exc
        raise NetworkError(
            f"cannot download from Overpass at {url} ({reason}); check the internet "
            "connection, or pass another --url."
        ) from None
    log.info("wrote %d bytes of OSM XML to %s", written, out)
    return written


def distances_from(
    network: StreetNetwork,
    origin_xy: ArrayLike,
    targets_xy: ArrayLike,
    *,
    max_snap_m: float = 200.0,
) -> np.ndarray:
    """Walking metres from one point to each target along the streets.

    Snap distance of the origin + network distance + snap distance of the target;
    ``NaN`` where the origin or a target is farther than ``max_snap_m`` from every
    street, or the target lies on a part of the network the origin cannot reach.

    With a coverage gap (:attr:`StreetNetwork.gap`) the answer is also ``NaN`` where a
    walk through the gap could be shorter than the walk found, i.e. where the walk is
    longer than (origin's distance to the gap + target's distance to the gap): the
    caller then uses its straight line x detour estimate.
    """
    origin = _as_xy("origin_xy", np.reshape(np.asarray(origin_xy, dtype=float), (1, 2)))
    targets = _as_xy("targets_xy", targets_xy)
    o_node, o_snap, o_far = network.snap(origin, max_snap_m=max_snap_m)
    if len(targets) == 0:
        return np.empty(0)
    t_node, t_snap, t_far = network.snap(targets, max_snap_m=max_snap_m)
    if o_far[0]:
        return np.full(len(targets), np.nan)
    dist = dijkstra(network.graph, directed=True, indices=int(o_node[0]))
    walk = np.full(len(targets), np.nan)
    ok = ~t_far
    walk[ok] = o_snap[0] + dist[t_node[ok]] + t_snap[ok]
    walk[~np.isfinite(walk)] = np.nan
    if network.gap is not None:
        through_gap = network.gap_distance_m(origin)[0] + network.gap_distance_m(targets)
        walk[walk > through_gap] = np.nan
    return walk
