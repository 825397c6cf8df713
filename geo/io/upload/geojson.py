"""Read GeoJSON uploads.

GeoJSON: RFC 7946, the legacy ``crs`` member, text sequences and Esri JSON refused
clearly; geometries built with numpy, bad features dropped and listed.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo.io.upload.context import (
    _CHECK_EVERY,
    MAX_COLLECTION_DEPTH,
    MAX_JSON_DEPTH,
    _Ctx,
    _GeometryError,
    _Source,
    _strip_controls,
)
from geo.io.upload.crs_guess import _parse_crs
from geo.io.upload.sniff import _decode_text

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- GeoJSON

_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def _json_depth(text: str) -> int:
    """Deepest nesting of arrays and objects, counted on the text (strings removed)."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    if not brackets:
        return 0
    codes = np.frombuffer(brackets.encode("ascii"), dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), 1, -1).astype(np.int32)
    return int(np.cumsum(steps).max())


class _KeyedDict(dict[str, Any]):
    """A JSON object whose repeated keys were renamed (``name``, ``name_2``)."""

    renamed: list[tuple[str, str]]


def _object_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) == len(pairs):
        return result
    renamed: list[tuple[str, str]] = []
    out = _KeyedDict()
    for key, value in pairs:
        new, n = key, 2
        while new in out:
            new, n = f"{key}_{n}", n + 1
        if new != key:
            renamed.append((key, new))
        out[new] = value
    out.renamed = renamed
    return out


def _read_geojson(data: bytes, ctx: _Ctx) -> _Source:
    text = _decode_text(data, ctx)
    if _json_depth(text) > MAX_JSON_DEPTH:
        raise ctx.error("json_deep", cap=MAX_JSON_DEPTH)
    ctx.check_time()
    try:
        doc = json.loads(text, object_pairs_hook=_object_pairs)
    except json.JSONDecodeError as exc:
        doc = _geojson_sequence(text, exc)
        if doc is None:
            if exc.pos >= len(text.rstrip()) - 1 or exc.msg.startswith("Unterminated"):
                raise ctx.error("json_truncated") from None
            raise ctx.error("json_invalid", line=exc.lineno, col=exc.colno) from None
    ctx.check_time()
    features = _features_of(doc, ctx)
    ctx.check_features(len(features))
    crs = _legacy_crs(doc, ctx) if isinstance(doc, dict) else None
    records: list[dict[str, Any]] = []
    geoms: list[shapely.Geometry | None] = []
    source = _Source("geojson", pd.DataFrame(), np.empty(0, dtype=object), crs=crs)
    vertices = [0]
    renamed: list[tuple[str, str]] = []
    points: list[int] = []
    point_xy: list[list[float]] = []
    for position, feature in enumerate(features):
        if position % _CHECK_EVERY == 0:
            ctx.check_time()
        if not isinstance(feature, dict) or feature.get("type", "Feature") != "Feature":
            records.append({})
            geoms.append(None)
            source.drops[position] = "not_feature"
            continue
        records.append(_feature_properties(feature, renamed))
        xy = _plain_point(feature.get("geometry"))
        if xy is not None:  # most features: build all such points at once, below
            geoms.append(None)
            points.append(position)
            point_xy.append(xy)
            continue
        try:
            flags: set[str] = set()
            geoms.append(_geojson_geometry(feature.get("geometry"), flags, vertices, ctx, 0))
            for what in flags:
                source.flag(what, position)
        except _GeometryError as issue:
            geoms.append(None)
            source.drops[position] = issue.reason
    source.renamed = renamed
    source.records = pd.DataFrame(records, index=pd.RangeIndex(len(records)))
    source.geoms = _object_array(geoms)
    if points:
        ctx.check_vertices(vertices[0] + len(points))
        source.geoms[points] = shapely.points(np.asarray(point_xy, dtype=float))
    return source


def _plain_point(geometry: Any) -> list[float] | None:
    """The [x, y] of a plain, finite 2D GeoJSON point, else None (the careful path)."""
    if type(geometry) is not dict or geometry.get("type") != "Point":
        return None
    coords = geometry.get("coordinates")
    if type(coords) is not list or len(coords) != 2:
        return None
    x, y = coords
    if type(x) not in (float, int) or type(y) not in (float, int):
        return None
    if not (math.isfinite(x) and math.isfinite(y)):
        return None
    return coords


def _geojson_sequence(text: str, error: json.JSONDecodeError) -> Any | None:
    """Features of a GeoJSON text sequence (one feature per line, RFC 8142), else None."""
    if not (error.msg.startswith("Extra data") or text.lstrip().startswith("\x1e")):
        return None
    features = []
    for line in text.splitlines():
        line = line.strip().lstrip("\x1e").strip()
        if not line:
            continue
        try:
            item = json.loads(line, object_pairs_hook=_object_pairs)
        except json.JSONDecodeError:
            return None
        if not isinstance(item, dict) or item.get("type") != "Feature":
            return None
        features.append(item)
    return {"type": "FeatureCollection", "features": features} if features else None


_GEOMETRY_TYPES = {
    "Point",
    "MultiPoint",
    "LineString",
    "MultiLineString",
    "Polygon",
    "MultiPolygon",
    "GeometryCollection",
}


def _features_of(doc: Any, ctx: _Ctx) -> list[Any]:
    """The list of features of a GeoJSON document, or a message saying what it is instead."""
    if isinstance(doc, list):
        if doc and all(isinstance(f, dict) and f.get("type") == "Feature" for f in doc):
            return doc
        raise ctx.error("json_not_geojson")
    if not isinstance(doc, dict):
        raise ctx.error("json_not_geojson")
    kind = doc.get("type")
    if kind == "Topology" or ("arcs" in doc and "objects" in doc):
        raise ctx.error("topojson")
    if kind == "FeatureCollection":
        features = doc.get("features")
        if not isinstance(features, list):
            raise ctx.error("json_not_geojson")
        if not features:
            raise ctx.error("no_features")
        return features
    if kind == "Feature":
        return [doc]
    if kind in _GEOMETRY_TYPES:
        return [{"type": "Feature", "geometry": doc, "properties": {}}]
    if _is_esri_json(doc):
        raise ctx.error("esrijson")
    raise ctx.error("json_not_geojson")


def _is_esri_json(doc: Mapping[str, Any]) -> bool:
    if "spatialReference" in doc or "geometryType" in doc:
        return True
    features = doc.get("features")
    if isinstance(features, list) and features and isinstance(features[0], dict):
        return "attributes" in features[0]
    return False


def _legacy_crs(doc: Mapping[str, Any], ctx: _Ctx) -> CRS | None:
    """The CRS of the pre-RFC 7946 ``crs`` member, e.g. ``urn:ogc:def:crs:EPSG::3116``."""
    member = doc.get("crs")
    if member is None:
        return None
    props = member.get("properties") if isinstance(member, dict) else None
    value: Any = None
    if isinstance(props, dict):
        value = props.get("name")
        if value is None and props.get("code") is not None:
            value = f"EPSG:{props['code']}"
    crs = _parse_crs(str(value)) if isinstance(value, str | int) else None
    if crs is None:
        shown = json.dumps(member, ensure_ascii=False, default=str)[:60]
        ctx.warn("w_crs_member", value=_strip_controls(shown)[0])
    return crs


def _feature_properties(feature: Mapping[str, Any], renamed: list[tuple[str, str]]) -> dict:
    props = feature.get("properties")
    if props is None:
        props = {}
    elif not isinstance(props, dict):
        props = {"properties": props}
    elif isinstance(props, _KeyedDict):
        renamed.extend(props.renamed)
    fid = feature.get("id")
    if fid is not None and "id" not in props:
        props = {"id": fid, **props}
    return props


def _geojson_geometry(
    obj: Any, flags: set[str], vertices: list[int], ctx: _Ctx, depth: int
) -> shapely.Geometry | None:
    """Build a shapely geometry from a GeoJSON geometry object, flagging repairs."""
    if obj is None:
        return None
    if not isinstance(obj, dict):
        raise _GeometryError("unreadable")
    kind = obj.get("type")
    if kind == "GeometryCollection":
        parts = obj.get("geometries")
        if depth >= MAX_COLLECTION_DEPTH or not isinstance(parts, list):
            raise _GeometryError("unreadable")
        built = [_geojson_geometry(p, flags, vertices, ctx, depth + 1) for p in parts]
        return shapely.GeometryCollection([g for g in built if g is not None and not g.is_empty])
    if kind not in _GEOMETRY_TYPES:
        raise _GeometryError("unreadable")
    coords = obj.get("coordinates")
    if not isinstance(coords, list):
        raise _GeometryError("unreadable")

    def positions(items: Any) -> np.ndarray:
        return _positions(items, flags, vertices, ctx)

    if kind == "Point":
        if not coords:
            return shapely.Point()
        xy = positions([coords])
        return shapely.Point(xy[0])
    if kind == "MultiPoint":
        xy = positions(coords)
        return shapely.MultiPoint(xy) if len(xy) else shapely.MultiPoint()
    if kind == "LineString":
        return _line(positions(coords))
    if kind == "MultiLineString":
        lines = [_line(positions(part)) for part in _parts(coords)]
        return shapely.MultiLineString([g for g in lines if not g.is_empty])
    if kind == "Polygon":
        return _polygon(coords, flags, positions)
    polygons = [_polygon(part, flags, positions) for part in _parts(coords)]
    return shapely.MultiPolygon([g for g in polygons if not g.is_empty])


def _parts(coords: list[Any]) -> list[Any]:
    if not all(isinstance(part, list) for part in coords):
        raise _GeometryError("unreadable")
    return coords


def _positions(items: Any, flags: set[str], vertices: list[int], ctx: _Ctx) -> np.ndarray:
    """An (n, 2) float array from a list of GeoJSON positions; Z and M are dropped."""
    if not isinstance(items, list):
        raise _GeometryError("unreadable")
    if not items:
        return np.empty((0, 2))
    try:
        array = np.asarray(items)
    except (ValueError, TypeError, OverflowError):
        array = None
    if array is None or array.ndim != 2 or array.dtype.kind not in "if":
        rows = []
        for position in items:
            if (
                not isinstance(position, list)
                or len(position) < 2
                or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in position)
            ):
                raise _GeometryError("unreadable")
            if any(v != 0 for v in position[2:]):
                flags.add("z")
            rows.append(position[:2])
        try:
            array = np.asarray(rows, dtype=float)
        except OverflowError:
            raise _GeometryError("nonfinite") from None
    else:
        if array.shape[1] < 2:
            raise _GeometryError("unreadable")
        if array.shape[1] > 2 and np.any(array[:, 2:] != 0):
            flags.add("z")
        array = array[:, :2].astype(float)
    if not np.isfinite(array).all():
        raise _GeometryError("nonfinite")
    vertices[0] += len(array)
    ctx.check_vertices(vertices[0])
    return array


def _line(xy: np.ndarray) -> shapely.Geometry:
    if len(xy) == 0:
        return shapely.LineString()
    if len(xy) < 2:
        raise _GeometryError("degenerate")
    return shapely.LineString(xy)


def _polygon(
    rings: Any, flags: set[str], positions: Callable[[Any], np.ndarray]
) -> shapely.Geometry:
    if not isinstance(rings, list):
        raise _GeometryError("unreadable")
    built = []
    for index, ring in enumerate(rings):
        xy = positions(ring)
        if len(xy) == 0:
            continue
        if not np.array_equal(xy[0], xy[-1]):
            xy = np.vstack([xy, xy[:1]])
            flags.add("unclosed")
        if len(xy) < 4:
            if index == 0:
                raise _GeometryError("degenerate")
            flags.add("fixed")  # a hole too small to be one is left out
            continue
        built.append(xy)
    if not built:
        return shapely.Polygon()
    return shapely.Polygon(built[0], built[1:])


def _object_array(items: Sequence[Any]) -> np.ndarray:
    array = np.empty(len(items), dtype=object)
    array[:] = list(items)
    return array
