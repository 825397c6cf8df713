"""Cut GeoDataFrames into Mapbox Vector Tiles and pack them into one PMTiles archive.

The offline basemap (:mod:`geo.io.atlas.basemap`) is a set of vector tiles that the
browser draws itself (protomaps-leaflet, vendored in ``static/``), read with HTTP
range requests from a single ``.pmtiles`` file that the app serves: no tile server,
no request off the machine.

The encoder is written here, on numpy, rather than taken from a package: it does the
whole layer at one zoom at once (clip, quantise, delta/zigzag/varint encode as array
operations) and loops in Python only to frame each feature, which keeps the whole of
Bogotá (44 k blocks, 110 k street segments, 7 zooms) within a few tens of seconds on
two cores. It follows the Mapbox Vector Tile specification 2.1: extent 4096, exterior
rings with positive area in tile coordinates (y down), interior rings negative,
cursor deltas across the parts of a feature. :func:`decode_tile` reads the tiles back
(tests, benchmarks). The archive is written with the ``pmtiles`` package (PMTiles v3,
tiles gzip-compressed, identical tiles stored once).
"""

from __future__ import annotations

import gzip
import itertools
import logging
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from geo.errors import LayerError
from geo.layers import plain_value

log = logging.getLogger(__name__)

EXTENT = 4096
"""Tile coordinates run from 0 to ``EXTENT`` along each side at the deepest zoom (drawn
overzoomed up to 8x, so 1 unit is about a pixel at zoom 18); tolerances are in these units."""
EXTENT_ZOOMED_OUT = 1024
"""Extent of the tiles above the deepest zoom, drawn at 512 px: 2 units a pixel is
plenty, and the smaller numbers take a byte less each (a quarter fewer bytes)."""
BUFFER_UNITS = 64
"""Geometry is kept this far (in tile units) outside each tile, so strokes join."""
WEB_MERCATOR = "EPSG:3857"
WORLD_M = 2 * math.pi * 6378137.0
HALF_WORLD_M = WORLD_M / 2

_POINT, _LINE, _POLYGON = 1, 2, 3
_MOVE_TO, _LINE_TO, _CLOSE = 1, 2, 7

TileKey = tuple[int, int, int]


@dataclass(frozen=True)
class TileLayer:
    """One layer of the tiles: features, the zooms they appear at, and how to thin them.

    Parameters
    ----------
    name
        Layer name in the tiles (what the style refers to).
    frame
        Features with a CRS; every non-geometry column becomes a property (``str``,
        ``int``, ``float``; nulls are left out of the feature).
    minzoom, maxzoom
        Tile zooms at which the layer is written.
    simplify_units
        Douglas-Peucker tolerance in tile units (1/4096 of a tile) below the archive's
        deepest zoom; at the deepest zoom 1 unit is used, since that zoom is overzoomed.
    min_size_units
        Polygons whose bounding box is smaller and lines shorter than this (tile units)
        are left out at that zoom.
    zoom_filter
        Optional ``{zoom: boolean mask}``-like callable: ``zoom -> mask over frame``
        selecting the rows written at that zoom (e.g. only main roads when zoomed out).
    drop_columns
        Optional ``zoom -> columns`` left out at that zoom (e.g. street names when zoomed out).
    keep_values
        Optional ``zoom -> {column: boolean mask over frame}``: a value is written only
        where its mask is true at that zoom (e.g. only main streets' names when zoomed out).
    """

    name: str
    frame: gpd.GeoDataFrame
    minzoom: int
    maxzoom: int
    simplify_units: float = 4.0
    min_size_units: float = 0.0
    zoom_filter: Any = None
    drop_columns: Any = None
    keep_values: Any = None
    _projected: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def tile_size_m(zoom: int) -> float:
    """Side of a Web Mercator tile at ``zoom``, in projected metres."""
    return WORLD_M / (1 << zoom)


def tiles_covering(
    bounds_lonlat: tuple[float, float, float, float], zoom: int
) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)`` (inclusive) of the tiles covering a longitude/latitude box."""
    west, south, east, north = bounds_lonlat
    n = 1 << zoom

    def tx(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))

    def ty(lat: float) -> int:
        rad = math.radians(lat)
        y = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n
        return min(n - 1, max(0, int(y)))

    return tx(west), ty(north), tx(east), ty(south)


# --------------------------------------------------------------------------- protobuf


def _varints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Varint bytes of non-negative integers < 2**35, and the byte offset of each value."""
    values = values.astype(np.uint64)
    nbytes = np.ones(len(values), dtype=np.int64)
    for k in range(1, 5):
        nbytes += values >= (np.uint64(1) << np.uint64(7 * k))
    shifts = (np.arange(5, dtype=np.uint64) * np.uint64(7))[None, :]
    groups = ((values[:, None] >> shifts) & np.uint64(0x7F)).astype(np.uint8)
    more = np.arange(5)[None, :] < (nbytes[:, None] - 1)
    groups = groups | (more.astype(np.uint8) << 7)
    keep = np.arange(5)[None, :] < nbytes[:, None]
    offsets = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum(nbytes, out=offsets[1:])
    return groups[keep], offsets


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint((number << 3) | 2) + _varint(len(payload)) + payload


def _zigzag(values: np.ndarray) -> np.ndarray:
    values = values.astype(np.int64)
    return (values << 1) ^ (values >> 63)


def _value_message(value: Any) -> bytes:
    if isinstance(value, bool):
        return _varint((7 << 3) | 0) + _varint(int(value))
    if isinstance(value, int):
        if value >= 0:
            return _varint((5 << 3) | 0) + _varint(value)
        return _varint((6 << 3) | 0) + _varint(int(_zigzag(np.array([value]))[0]))
    if isinstance(value, float):
        return _varint((3 << 3) | 1) + np.float64(value).tobytes()
    return _field(1, str(value).encode("utf-8"))


# --------------------------------------------------------------------------- geometry streams


@dataclass
class _Encoded:
    """Features of one layer at one zoom: geometry bytes, tile, row and type of each."""

    geometry: list[bytes]
    tiles: np.ndarray  # (n, 2) tile x, y
    rows: np.ndarray  # row of the source frame
    kind: int


def _command_stream(
    coords: np.ndarray, ring_offsets: np.ndarray, ring_feature: np.ndarray, *, closed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """MVT command integers for rings/lines/points, and each ring's start in the stream.

    ``coords`` are integer tile coordinates (closing points already removed for
    polygons); ring ``r`` is ``coords[ring_offsets[r]:ring_offsets[r+1]]`` and belongs to
    feature ``ring_feature[r]`` (consecutive rings of a feature are adjacent).
    """
    n_points = np.diff(ring_offsets)
    point_ring = np.repeat(np.arange(len(n_points)), n_points)
    delta = np.diff(coords, axis=0, prepend=np.zeros((1, 2), dtype=coords.dtype))
    first_of_feature = np.zeros(len(coords), dtype=bool)
    ring_first = ring_offsets[:-1]
    feature_start = np.ones(len(n_points), dtype=bool)
    feature_start[1:] = ring_feature[1:] != ring_feature[:-1]
    first_of_feature[ring_first[feature_start]] = True
    delta[first_of_feature] = coords[first_of_feature]
    zig = _zigzag(delta)
    # each ring: MoveTo(1) x y [LineTo(m-1) x y ...] [ClosePath]
    has_line = n_points > 1
    ring_len = 3 + has_line + 2 * (n_points - 1) + (1 if closed else 0)
    starts = np.zeros(len(n_points) + 1, dtype=np.int64)
    np.cumsum(ring_len, out=starts[1:])
    stream = np.zeros(int(starts[-1]), dtype=np.int64)
    stream[starts[:-1]] = (1 << 3) | _MOVE_TO
    line_at = starts[:-1][has_line] + 3
    stream[line_at] = ((n_points[has_line] - 1) << 3) | _LINE_TO
    if closed:
        stream[starts[1:] - 1] = (1 << 3) | _CLOSE
    j = np.arange(len(coords)) - ring_offsets[point_ring]
    at = starts[point_ring] + 1 + 2 * j + (j > 0)
    stream[at] = zig[:, 0]
    stream[at + 1] = zig[:, 1]
    return stream, starts


def _dedupe(
    coords: np.ndarray, ring_offsets: np.ndarray, *, closed: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Drop repeated consecutive points (and the closing point of rings)."""
    n_points = np.diff(ring_offsets)
    point_ring = np.repeat(np.arange(len(n_points)), n_points)
    keep = np.ones(len(coords), dtype=bool)
    keep[1:] = np.any(coords[1:] != coords[:-1], axis=1) | (point_ring[1:] != point_ring[:-1])
    if closed:
        keep[ring_offsets[1:] - 1] = False  # the closing point repeats the first
    counts = np.bincount(point_ring[keep], minlength=len(n_points))
    offsets = np.zeros(len(n_points) + 1, dtype=np.int64)
    np.cumsum(counts, out=offsets[1:])
    return coords[keep], offsets


def _signed_area2(coords: np.ndarray, ring_offsets: np.ndarray) -> np.ndarray:
    """Twice the signed area of each (open) ring, in tile coordinates."""
    n_points = np.diff(ring_offsets)
    if len(coords) == 0:
        return np.zeros(len(n_points))
    point_ring = np.repeat(np.arange(len(n_points)), n_points)
    nxt = np.arange(len(coords)) + 1
    last = ring_offsets[1:] - 1
    nxt[last[n_points > 0]] = ring_offsets[:-1][n_points > 0]
    x = coords[:, 0].astype(np.float64)
    y = coords[:, 1].astype(np.float64)
    cross = x * y[nxt] - x[nxt] * y
    return np.bincount(point_ring, weights=cross, minlength=len(n_points))


def _reverse_rings(coords: np.ndarray, ring_offsets: np.ndarray, flip: np.ndarray) -> np.ndarray:
    n_points = np.diff(ring_offsets)
    point_ring = np.repeat(np.arange(len(n_points)), n_points)
    idx = np.arange(len(coords))
    start = ring_offsets[point_ring]
    end = ring_offsets[point_ring + 1] - 1
    mirrored = start + (end - idx)
    return coords[np.where(flip[point_ring], mirrored, idx)]


def _encode_parts(
    parts: np.ndarray, part_pair: np.ndarray, origin: np.ndarray, unit: float, kind: int
) -> tuple[list[bytes], np.ndarray]:
    """Geometry bytes of single-part geometries (one feature each) and which survived."""
    if len(parts) == 0:
        return [], np.zeros(0, dtype=np.int64)
    if kind == _POINT:
        xy = shapely.get_coordinates(parts)
        coords = _quantise(xy, origin[part_pair], unit)
        ring_offsets = np.arange(len(parts) + 1, dtype=np.int64)
        ring_feature = np.arange(len(parts))
        stream, starts = _command_stream(coords, ring_offsets, ring_feature, closed=False)
        return _slice(stream, starts[:-1], starts[1:]), np.arange(len(parts))
    _, xy, offsets = shapely.to_ragged_array(parts, include_z=False)
    if kind == _LINE:
        (ring_offsets,) = offsets
        ring_feature = np.arange(len(parts))
    else:
        ring_offsets, poly_offsets = offsets
        ring_feature = np.repeat(np.arange(len(parts)), np.diff(poly_offsets))
    ring_offsets = ring_offsets.astype(np.int64)
    n_points = np.diff(ring_offsets)
    point_feature = np.repeat(ring_feature, n_points)
    coords = _quantise(xy, origin[part_pair[point_feature]], unit)
    coords, ring_offsets = _dedupe(coords, ring_offsets, closed=kind == _POLYGON)
    n_points = np.diff(ring_offsets)
    if kind == _LINE:
        ring_ok = n_points >= 2
        feature_ok = ring_ok
    else:
        area2 = _signed_area2(coords, ring_offsets)
        ring_ok = (n_points >= 3) & (area2 != 0)
        exterior = np.ones(len(ring_feature), dtype=bool)
        exterior[1:] = ring_feature[1:] != ring_feature[:-1]
        feature_ok = np.zeros(len(parts), dtype=bool)
        feature_ok[ring_feature[exterior & ring_ok]] = True
        ring_ok &= feature_ok[ring_feature]
        # exterior rings positive (clockwise on screen, y down), holes negative
        flip = np.where(exterior, area2 < 0, area2 > 0)
        coords = _reverse_rings(coords, ring_offsets, flip)
    coords, ring_offsets, ring_feature = _select_rings(coords, ring_offsets, ring_feature, ring_ok)
    if len(ring_feature) == 0:
        return [], np.zeros(0, dtype=np.int64)
    stream, starts = _command_stream(coords, ring_offsets, ring_feature, closed=kind == _POLYGON)
    first = np.ones(len(ring_feature), dtype=bool)
    first[1:] = ring_feature[1:] != ring_feature[:-1]
    feature_start = starts[:-1][first]
    feature_end = np.append(feature_start[1:], starts[-1])
    return _slice(stream, feature_start, feature_end), ring_feature[first]


def _select_rings(
    coords: np.ndarray, ring_offsets: np.ndarray, ring_feature: np.ndarray, keep: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    n_points = np.diff(ring_offsets)
    point_keep = np.repeat(keep, n_points)
    offsets = np.zeros(int(keep.sum()) + 1, dtype=np.int64)
    np.cumsum(n_points[keep], out=offsets[1:])
    return coords[point_keep], offsets, ring_feature[keep]


def _quantise(xy: np.ndarray, origin: np.ndarray, unit: float) -> np.ndarray:
    """Projected metres -> integer tile units (x right, y down from the tile's top-left)."""
    qx = np.rint((xy[:, 0] - origin[:, 0]) / unit)
    qy = np.rint((origin[:, 1] - xy[:, 1]) / unit)
    return np.column_stack([qx, qy]).astype(np.int64)


def _slice(stream: np.ndarray, start: np.ndarray, end: np.ndarray) -> list[bytes]:
    data, offsets = _varints(stream)
    raw = data.tobytes()
    lo = offsets[start].tolist()
    hi = offsets[end].tolist()
    return [raw[a:b] for a, b in zip(lo, hi, strict=True)]


# --------------------------------------------------------------------------- cutting


def _projected(layer: TileLayer) -> tuple[np.ndarray, int]:
    """The layer's geometries in Web Mercator (cached on the layer) and their MVT type."""
    if "geoms" not in layer._projected:
        if layer.frame.crs is None:
            raise LayerError(f"basemap layer {layer.name!r} has no CRS; set one before tiling.")
        geoms = np.asarray(layer.frame.geometry.to_crs(WEB_MERCATOR).to_numpy())
        types = set(shapely.get_type_id(geoms[~shapely.is_empty(geoms)]).tolist())
        if types <= {0, 4}:
            kind = _POINT
        elif types <= {1, 2, 5}:
            kind = _LINE
        elif types <= {3, 6}:
            kind = _POLYGON
        else:
            raise LayerError(
                f"basemap layer {layer.name!r} mixes points, lines and polygons; split it."
            )
        layer._projected["geoms"] = geoms
        layer._projected["kind"] = kind
    return layer._projected["geoms"], layer._projected["kind"]


def _layer_at_zoom(layer: TileLayer, zoom: int, *, deepest: bool, extent: int) -> _Encoded:
    geoms, kind = _projected(layer)
    rows = np.arange(len(geoms))
    if layer.zoom_filter is not None:
        mask = np.asarray(layer.zoom_filter(zoom), dtype=bool)
        geoms, rows = geoms[mask], rows[mask]
    size = tile_size_m(zoom)
    unit = size / EXTENT  # tolerances and sizes
    qunit = size / extent  # coordinates
    present = ~(shapely.is_empty(geoms) | shapely.is_missing(geoms))
    geoms, rows = geoms[present], rows[present]
    if kind != _POINT:
        tolerance = unit * (1.0 if deepest else layer.simplify_units)
        geoms = shapely.simplify(geoms, tolerance, preserve_topology=kind == _POLYGON)
        if layer.min_size_units > 0:
            b = shapely.bounds(geoms)
            extent_m = np.maximum(b[:, 2] - b[:, 0], b[:, 3] - b[:, 1])
            if kind == _LINE:
                extent_m = shapely.length(geoms)
            big = extent_m >= layer.min_size_units * unit
            geoms, rows = geoms[big], rows[big]
    if len(geoms) == 0:
        return _Encoded([], np.zeros((0, 2), dtype=np.int64), rows[:0], kind)
    n = 1 << zoom
    pad = 0.0 if kind == _POINT else BUFFER_UNITS / EXTENT
    b = shapely.bounds(geoms)
    x0 = np.floor((b[:, 0] + HALF_WORLD_M) / size - pad).astype(np.int64).clip(0, n - 1)
    x1 = np.floor((b[:, 2] + HALF_WORLD_M) / size + pad).astype(np.int64).clip(0, n - 1)
    y0 = np.floor((HALF_WORLD_M - b[:, 3]) / size - pad).astype(np.int64).clip(0, n - 1)
    y1 = np.floor((HALF_WORLD_M - b[:, 1]) / size + pad).astype(np.int64).clip(0, n - 1)
    nx, ny = x1 - x0 + 1, y1 - y0 + 1
    count = nx * ny
    pair_row = np.repeat(np.arange(len(geoms)), count)
    k = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    tx = x0[pair_row] + k % nx[pair_row]
    ty = y0[pair_row] + k // nx[pair_row]
    origin = np.column_stack([tx * size - HALF_WORLD_M, HALF_WORLD_M - ty * size])
    if kind == _POINT:
        pieces = geoms[pair_row]
        parts, part_pair = shapely.get_parts(pieces, return_index=True)
    else:
        clipped = _clip_per_tile(geoms[pair_row], tx, ty, origin, size, BUFFER_UNITS * unit)
        parts, part_pair = shapely.get_parts(clipped, return_index=True)
        wanted = {_LINE: 1, _POLYGON: 3}[kind]
        ok = (shapely.get_type_id(parts) == wanted) & ~shapely.is_empty(parts)
        parts, part_pair = parts[ok], part_pair[ok]
    encoded, kept = _encode_parts(parts, part_pair, origin, qunit, kind)
    pairs = part_pair[kept]
    return _Encoded(
        encoded,
        np.column_stack([tx[pairs], ty[pairs]]) if len(pairs) else np.zeros((0, 2), np.int64),
        rows[pair_row[pairs]],
        kind,
    )


def _clip_per_tile(
    geoms: np.ndarray,
    tx: np.ndarray,
    ty: np.ndarray,
    origin: np.ndarray,
    size: float,
    margin: float,
) -> np.ndarray:
    """Clip each geometry to its tile's square (plus ``margin``), one call per tile."""
    out = np.empty(len(geoms), dtype=object)
    key = tx * (1 << 31) + ty
    order = np.argsort(key, kind="stable")
    cuts = np.flatnonzero(np.diff(key[order])) + 1
    for chunk in np.split(order, cuts):
        left, top = origin[chunk[0]]
        out[chunk] = shapely.clip_by_rect(
            geoms[chunk], left - margin, top - size - margin, left + size + margin, top + margin
        )
    return out


def _properties(layer: TileLayer, zoom: int) -> tuple[list[str], list[list[Any]]]:
    frame = layer.frame
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if layer.drop_columns is not None:
        dropped = set(layer.drop_columns(zoom))
        columns = [c for c in columns if c not in dropped]
    masks = layer.keep_values(zoom) if layer.keep_values is not None else {}
    values = []
    for col in columns:
        series = frame[col]
        keep = series.notna().to_numpy().copy()
        if col in masks:
            keep &= np.asarray(masks[col], dtype=bool)
        items = series.astype(object).where(keep, None).tolist()
        values.append([_plain(v) for v in items])
    return columns, values


def _plain(value: Any) -> Any:
    value = plain_value(value)
    if isinstance(value, str) and not value.strip():
        return None
    return value


def _layer_message(
    name: str,
    kind: int,
    geometries: list[bytes],
    rows: Iterable[int],
    columns,
    values,
    extent: int = EXTENT,
) -> bytes:
    keys: dict[str, int] = {}
    vals: dict[Any, int] = {}
    features = []
    for geometry, row in zip(geometries, rows, strict=True):
        tags: list[int] = []
        for key, column in zip(columns, values, strict=True):
            value = column[row]
            if value is None:
                continue
            ki = keys.setdefault(key, len(keys))
            vi = vals.setdefault((type(value).__name__, value), len(vals))
            tags += (ki, vi)
        body = b""
        if tags:
            body += _field(2, b"".join(_varint(t) for t in tags))
        body += _varint((3 << 3) | 0) + _varint(kind) + _field(4, geometry)
        features.append(_field(2, body))
    out = [_varint((15 << 3) | 0) + _varint(2), _field(1, name.encode("utf-8"))]
    out += features
    out += [_field(3, k.encode("utf-8")) for k in keys]
    out += [_field(4, _value_message(v)) for (_, v) in vals]
    out.append(_varint((5 << 3) | 0) + _varint(extent))
    return b"".join(out)


def build_tiles(layers: Sequence[TileLayer], *, minzoom: int, maxzoom: int) -> dict[TileKey, bytes]:
    """Cut the layers into vector tiles: ``{(z, x, y): uncompressed MVT bytes}``.

    Parameters
    ----------
    layers
        The layers, drawn in this order (first at the bottom).
    minzoom, maxzoom
        Zooms to write; a layer is written only within its own zoom range too.
    """
    if minzoom > maxzoom:
        raise ValueError(f"minzoom {minzoom} is above maxzoom {maxzoom}")
    tiles: dict[TileKey, bytes] = {}
    for zoom in range(minzoom, maxzoom + 1):
        per_tile: dict[tuple[int, int], list[bytes]] = defaultdict(list)
        for layer in layers:
            if not layer.minzoom <= zoom <= layer.maxzoom:
                continue
            deepest = zoom == maxzoom
            extent = EXTENT if deepest else EXTENT_ZOOMED_OUT
            enc = _layer_at_zoom(layer, zoom, deepest=deepest, extent=extent)
            if not enc.geometry:
                continue
            columns, values = _properties(layer, zoom)
            key = enc.tiles[:, 0] * (1 << zoom) + enc.tiles[:, 1]
            order = np.argsort(key, kind="stable")
            sorted_keys = key[order]
            bounds = np.flatnonzero(np.diff(sorted_keys)) + 1
            for chunk in np.split(order, bounds):
                x, y = (int(v) for v in enc.tiles[chunk[0]])
                message = _layer_message(
                    layer.name,
                    enc.kind,
                    [enc.geometry[i] for i in chunk],
                    enc.rows[chunk].tolist(),
                    columns,
                    values,
                    extent,
                )
                per_tile[(x, y)].append(_field(3, message))
        for (x, y), parts in per_tile.items():
            tiles[(zoom, x, y)] = b"".join(parts)
        log.info("zoom %d: %d tiles", zoom, len(per_tile))
    return tiles


# --------------------------------------------------------------------------- PMTiles


def write_pmtiles(
    tiles: Mapping[TileKey, bytes],
    path: Path | str,
    *,
    bounds_lonlat: tuple[float, float, float, float],
    center_zoom: int,
    metadata: Mapping[str, Any],
) -> int:
    """Write the tiles (gzip-compressed) as a PMTiles v3 archive; return its size in bytes."""
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    if not tiles:
        raise LayerError("no tiles to write: the basemap layers are empty.")
    path = Path(path)
    west, south, east, north = bounds_lonlat
    with path.open("wb") as handle:
        writer = Writer(handle)
        for tile_id, key in sorted((zxy_to_tileid(*k), k) for k in tiles):
            writer.write_tile(tile_id, gzip.compress(tiles[key], compresslevel=6, mtime=0))
        zooms = [k[0] for k in tiles]
        writer.finalize(
            {
                "tile_type": TileType.MVT,
                "tile_compression": Compression.GZIP,
                "min_zoom": min(zooms),
                "max_zoom": max(zooms),
                "min_lon_e7": int(west * 1e7),
                "min_lat_e7": int(south * 1e7),
                "max_lon_e7": int(east * 1e7),
                "max_lat_e7": int(north * 1e7),
                "center_zoom": center_zoom,
                "center_lon_e7": int((west + east) / 2 * 1e7),
                "center_lat_e7": int((south + north) / 2 * 1e7),
            },
            dict(metadata),
        )
    return path.stat().st_size


def read_pmtiles(path: Path | str) -> tuple[dict[str, Any], dict[TileKey, bytes]]:
    """Header and every tile (decompressed) of a PMTiles archive: for tests and benchmarks."""
    from pmtiles.reader import MmapSource, Reader, all_tiles

    with Path(path).open("rb") as handle:
        reader = Reader(MmapSource(handle))
        header = reader.header()
        tiles = {
            (z, x, y): gzip.decompress(data) for (z, x, y), data in all_tiles(reader.get_bytes)
        }
    return header, tiles


# --------------------------------------------------------------------------- decoding


def _read_varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _fields(buf: bytes) -> Iterable[tuple[int, int, Any]]:
    pos = 0
    while pos < len(buf):
        key, pos = _read_varint(buf, pos)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, pos = _read_varint(buf, pos)
        elif wire == 1:
            value, pos = buf[pos : pos + 8], pos + 8
        elif wire == 2:
            length, pos = _read_varint(buf, pos)
            value, pos = buf[pos : pos + length], pos + length
        elif wire == 5:
            value, pos = buf[pos : pos + 4], pos + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, wire, value


def _packed(buf: bytes) -> list[int]:
    out, pos = [], 0
    while pos < len(buf):
        value, pos = _read_varint(buf, pos)
        out.append(value)
    return out


def _unzigzag(value: int) -> int:
    return (value >> 1) ^ -(value & 1)


def _geometry(kind: int, commands: list[int]) -> list[list[tuple[int, int]]]:
    """Rings/lines/points as lists of integer tile coordinates (rings closed)."""
    parts: list[list[tuple[int, int]]] = []
    x = y = i = 0
    while i < len(commands):
        cmd, count = commands[i] & 7, commands[i] >> 3
        i += 1
        if cmd == _CLOSE:
            parts[-1].append(parts[-1][0])
            continue
        for _ in range(count):
            x += _unzigzag(commands[i])
            y += _unzigzag(commands[i + 1])
            i += 2
            if cmd == _MOVE_TO:
                parts.append([(x, y)])
            else:
                parts[-1].append((x, y))
    return parts


def decode_tile(data: bytes) -> dict[str, list[dict[str, Any]]]:
    """Decode an MVT tile: ``{layer: [{"type", "properties", "parts"}]}`` in tile units.

    ``type`` is ``"Point"``, ``"LineString"`` or ``"Polygon"``; ``extent`` the layer's
    tile extent (coordinates run 0..extent); ``parts`` lists the
    points, lines or rings (rings closed), and ``area2`` gives each ring's twice-signed
    area in tile coordinates (exterior rings positive).
    """
    out: dict[str, list[dict[str, Any]]] = {}
    for number, _, layer_buf in _fields(data):
        if number != 3:
            continue
        name, keys, values, raw_features, extent = "", [], [], [], EXTENT
        for n, _, value in _fields(layer_buf):
            if n == 1:
                name = value.decode("utf-8")
            elif n == 2:
                raw_features.append(value)
            elif n == 3:
                keys.append(value.decode("utf-8"))
            elif n == 4:
                values.append(_decode_value(value))
            elif n == 5:
                extent = value
        features = []
        for raw in raw_features:
            tags: list[int] = []
            kind, commands = 0, []
            for n, _, value in _fields(raw):
                if n == 2:
                    tags = _packed(value)
                elif n == 3:
                    kind = value
                elif n == 4:
                    commands = _packed(value)
            parts = _geometry(kind, commands)
            features.append(
                {
                    "type": {1: "Point", 2: "LineString", 3: "Polygon"}[kind],
                    "extent": extent,
                    "properties": {
                        keys[tags[i]]: values[tags[i + 1]] for i in range(0, len(tags), 2)
                    },
                    "parts": parts,
                    "area2": [
                        sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(part))
                        for part in parts
                    ]
                    if kind == _POLYGON
                    else [],
                }
            )
        out[name] = features
    return out


def _decode_value(buf: bytes) -> Any:
    for n, _, value in _fields(buf):
        if n == 1:
            return value.decode("utf-8")
        if n == 3:
            return float(np.frombuffer(value, dtype="<f8")[0])
        if n == 5:
            return value
        if n == 6:
            return _unzigzag(value)
        if n == 7:
            return bool(value)
    return None


def metadata_json(layers: Sequence[TileLayer], **extra: Any) -> dict[str, Any]:
    """TileJSON-like metadata: the vector layers, their fields and zooms, plus ``extra``."""
    vector_layers = []
    for layer in layers:
        fields = {
            str(c): "String" if layer.frame[c].dtype == object else "Number"
            for c in layer.frame.columns
            if c != layer.frame.geometry.name
        }
        vector_layers.append(
            {
                "id": layer.name,
                "fields": fields,
                "minzoom": layer.minzoom,
                "maxzoom": layer.maxzoom,
            }
        )
    return {"vector_layers": vector_layers, **extra, "generator": "care-atlas geo.vtiles"}


__all__ = [
    "EXTENT",
    "TileLayer",
    "build_tiles",
    "decode_tile",
    "metadata_json",
    "read_pmtiles",
    "tile_size_m",
    "tiles_covering",
    "write_pmtiles",
]
