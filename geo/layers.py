"""Load and validate the bundled layers described in ``data/layers.toml``.

The registry is the single description of every layer: its file, bilingual title,
kind, geometry type, CRS, id field, columns with their types, source, licence, date
and location precision. :func:`load_layer` reads a layer and checks it against its
entry, raising :class:`~geo.errors.LayerError` with a message that names the file,
the feature and the field, and says what to fix.

Registry layers are GeoJSON (RFC 7946, EPSG:4326). They are parsed with the standard
``json`` module rather than GDAL so that every problem can be reported per feature
and per field, before anything is converted.
"""

from __future__ import annotations

import json
import logging
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from shapely.geometry import shape

from geo import vocab
from geo.errors import LayerError, RegistryError

log = logging.getLogger(__name__)

REGISTRY_FILE = "layers.toml"
GEOMETRY_TYPES = {
    "Point": {"Point"},
    "Polygon": {"Polygon", "MultiPolygon"},
    "MultiPolygon": {"Polygon", "MultiPolygon"},
    "LineString": {"LineString", "MultiLineString"},
}
COLUMN_TYPES = {"str", "int", "float", "bool"}
REGIONS = {"bogota", "latam"}
_REQUIRED_KEYS = (
    "file",
    "title",
    "kind",
    "geometry",
    "crs",
    "id_field",
    "source",
    "licence",
    "date",
    "precision",
    "region",
    "columns",
)
# Columns whose values must come from a vocabulary, when a layer has them.
_CODE_LIST_COLUMNS = {"services": vocab.SERVICES, "populations": vocab.POPULATIONS}
_CODE_COLUMNS = {
    "operator": vocab.OPERATORS,
    "kind": vocab.KINDS,
    "location_precision": vocab.PRECISIONS,
}


@dataclass(frozen=True)
class ColumnType:
    """Declared type of one property: ``str``, ``int``, ``float`` or ``bool``; maybe null."""

    name: str
    nullable: bool = False

    @classmethod
    def parse(cls, text: str) -> ColumnType:
        """Parse ``"int"`` or ``"int?"`` (nullable)."""
        nullable = text.endswith("?")
        name = text.rstrip("?")
        if name not in COLUMN_TYPES:
            raise ValueError(f"unknown column type {text!r} (use one of {sorted(COLUMN_TYPES)})")
        return cls(name, nullable)

    def accepts(self, value: Any) -> bool:
        """Return whether a JSON value has this type."""
        if value is None:
            return self.nullable
        if self.name == "str":
            return isinstance(value, str)
        if self.name == "bool":
            return isinstance(value, bool)
        if self.name == "int":
            return isinstance(value, int) and not isinstance(value, bool)
        return isinstance(value, int | float) and not isinstance(value, bool)

    def __str__(self) -> str:
        """The type as the registry writes it: ``"int"``, ``"int?"`` (nullable)."""
        return self.name + ("?" if self.nullable else "")

    @property
    def dtype(self) -> str:
        """Pandas dtype used for the column once loaded."""
        return {
            "str": "object",
            "int": "Int64" if self.nullable else "int64",
            "float": "float64",
            "bool": "boolean" if self.nullable else "bool",
        }[self.name]


@dataclass(frozen=True)
class LayerSpec:
    """One entry of the registry."""

    id: str
    file: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    kind: str
    geometry: str
    crs: str
    id_field: str
    columns: Mapping[str, ColumnType]
    source: str
    licence: str
    date: str
    precision: str
    region: str
    model: Mapping[str, Any] | None = None
    """How a modelled layer (a demand grid) was made: ``{"note": {es, en}, "explain":
    {es: [...], en: [...]}}``, printed by the app's "How was this computed?"."""

    def path(self, data_dir: Path) -> Path:
        """Absolute path of the layer's file."""
        return data_dir / self.file

    def to_entry(self) -> dict[str, Any]:
        """Return the entry as the registry writes it under ``[layers.<id>]`` (columns last)."""
        entry: dict[str, Any] = {
            "file": self.file,
            "title": dict(self.title),
            "description": dict(self.description),
            "kind": self.kind,
            "geometry": self.geometry,
            "crs": self.crs,
            "id_field": self.id_field,
            "source": self.source,
            "licence": self.licence,
            "date": self.date,
            "precision": self.precision,
            "region": self.region,
        }
        if self.model is not None:
            entry["model"] = dict(self.model)
        return {**entry, "columns": {name: str(kind) for name, kind in self.columns.items()}}


@dataclass(frozen=True)
class Registry:
    """All layer entries, in the order the registry lists them."""

    data_dir: Path
    layers: Mapping[str, LayerSpec]
    dataset: Mapping[str, Any] | None = None
    """The ``[dataset]`` table: which dataset the folder holds (title es/en, vintage,
    licence, attribution, ``sample`` true for the bundled illustrative sample)."""

    def __getitem__(self, layer_id: str) -> LayerSpec:
        try:
            return self.layers[layer_id]
        except KeyError:
            raise RegistryError(
                f"{self.data_dir / REGISTRY_FILE}: no layer {layer_id!r}; "
                f"known layers: {', '.join(self.layers)}."
            ) from None

    def ids(self, *, region: str | None = None, kind: str | None = None) -> list[str]:
        """Ids of the layers of a region and/or kind, in registry order."""
        return [
            spec.id
            for spec in self.layers.values()
            if (region is None or spec.region == region) and (kind is None or spec.kind == kind)
        ]


def load_registry(data_dir: Path) -> Registry:
    """Read and check ``layers.toml`` in ``data_dir``.

    Raises
    ------
    RegistryError
        If the file is missing, is not valid TOML, or an entry lacks a key or has
        a value outside its vocabulary.
    """
    path = data_dir / REGISTRY_FILE
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RegistryError(
            f"{path}: layer registry not found; set CARE_ATLAS_DATA_DIR to a folder "
            f"that holds {REGISTRY_FILE}."
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise RegistryError(f"{path}: not valid TOML ({exc}); fix the syntax.") from None
    entries = raw.get("layers")
    if not isinstance(entries, dict) or not entries:
        raise RegistryError(f"{path}: no [layers.<id>] tables; add one per layer.")
    layers = {layer_id: _parse_entry(path, layer_id, entry) for layer_id, entry in entries.items()}
    dataset = raw.get("dataset")
    if dataset is not None and not isinstance(dataset, dict):
        raise RegistryError(f"{path}: [dataset] is not a table.")
    return Registry(data_dir=data_dir, layers=layers, dataset=dataset)


def _parse_entry(path: Path, layer_id: str, entry: Any) -> LayerSpec:
    where = f"{path}: [layers.{layer_id}]"
    if not isinstance(entry, dict):
        raise RegistryError(f"{where} is not a table.")
    missing = [key for key in _REQUIRED_KEYS if key not in entry]
    if missing:
        raise RegistryError(f"{where} lacks {', '.join(missing)}; add them.")
    for key, allowed in (
        ("kind", vocab.KINDS),
        ("geometry", tuple(GEOMETRY_TYPES)),
        ("region", tuple(REGIONS)),
    ):
        if entry[key] not in allowed:
            raise RegistryError(
                f"{where}: {key} = {entry[key]!r} is not one of {', '.join(allowed)}."
            )
    for key in ("title", "description"):
        text = entry.get(key, {})
        if not isinstance(text, dict) or set(text) != {"es", "en"}:
            raise RegistryError(f"{where}: {key} needs exactly an 'es' and an 'en' text.")
    try:
        columns = {name: ColumnType.parse(kind) for name, kind in entry["columns"].items()}
    except (AttributeError, ValueError) as exc:
        raise RegistryError(f"{where}.columns: {exc}.") from None
    if entry["id_field"] not in columns:
        raise RegistryError(f"{where}: id_field {entry['id_field']!r} is not among its columns.")
    return LayerSpec(
        id=layer_id,
        file=str(entry["file"]),
        title=dict(entry["title"]),
        description=dict(entry["description"]),
        kind=entry["kind"],
        geometry=entry["geometry"],
        crs=str(entry["crs"]),
        id_field=entry["id_field"],
        columns=columns,
        source=str(entry["source"]),
        licence=str(entry["licence"]),
        date=str(entry["date"]),
        precision=str(entry["precision"]),
        region=entry["region"],
        model=entry.get("model"),
    )


def load_layer(spec: LayerSpec, *, data_dir: Path) -> gpd.GeoDataFrame:
    """Load one registry layer and validate it against its entry.

    Parameters
    ----------
    spec
        The layer's registry entry.
    data_dir
        Folder the entry's ``file`` is relative to.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per feature, indexed by the layer's id field, with the declared
        column dtypes and the declared CRS.

    Raises
    ------
    LayerError
        Naming the file, the feature (position and id) and the field at fault.
    """
    path = spec.path(data_dir)
    if path.suffix.lower() == ".parquet":
        return _load_parquet(spec, path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LayerError(
            f"{path.name}: file not found for layer {spec.id!r}; restore it or fix 'file' "
            f"in {REGISTRY_FILE}."
        ) from None
    except UnicodeDecodeError as exc:
        raise LayerError(
            f"{path.name}: not UTF-8 text (byte {exc.start}); save it as UTF-8 GeoJSON."
        ) from None
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LayerError(
            f"{path.name}: not valid JSON at line {exc.lineno}, column {exc.colno} ({exc.msg}); "
            "fix or re-export the file as GeoJSON."
        ) from None
    return frame_from_geojson(doc, spec, name=path.name)


def _load_parquet(spec: LayerSpec, path: Path) -> gpd.GeoDataFrame:
    """Load a GeoParquet registry layer (a demand grid in a metric CRS) and check it."""
    try:
        frame = gpd.read_parquet(path)
    except FileNotFoundError:
        raise LayerError(
            f"{path.name}: file not found for layer {spec.id!r}; rebuild the atlas or fix "
            f"'file' in {REGISTRY_FILE}."
        ) from None
    except (OSError, ValueError) as exc:
        raise LayerError(
            f"{path.name}: not a readable GeoParquet file ({type(exc).__name__}); rebuild it."
        ) from None
    if frame.crs is None or frame.crs != CRS.from_user_input(spec.crs):
        raise LayerError(
            f"{path.name}: CRS {frame.crs.to_string() if frame.crs else 'none'} differs from "
            f"the registry's {spec.crs}; rebuild the file or fix 'crs' in {REGISTRY_FILE}."
        )
    missing = [col for col in spec.columns if col not in frame.columns]
    extra = sorted(set(frame.columns) - set(spec.columns) - {frame.geometry.name})
    if missing or extra:
        raise LayerError(
            f"{path.name}: columns differ from {REGISTRY_FILE} [layers.{spec.id}.columns] "
            f"(missing: {', '.join(missing) or 'none'}; undeclared: {', '.join(extra) or 'none'})."
        )
    for column, ctype in spec.columns.items():
        series = frame[column]
        numeric = ctype.name in ("int", "float")
        if numeric and not pd.api.types.is_numeric_dtype(series):
            raise LayerError(f"{path.name}: column {column!r} should be {ctype.name}.")
        if not ctype.nullable and series.isna().any():
            raise LayerError(f"{path.name}: column {column!r} has empty values.")
        if numeric and (~np.isfinite(series.to_numpy(dtype=float, na_value=0.0))).any():
            raise LayerError(f"{path.name}: column {column!r} has non-finite values.")
    allowed = GEOMETRY_TYPES[spec.geometry]
    wrong = ~frame.geometry.geom_type.isin(list(allowed))
    if wrong.any():
        raise LayerError(
            f"{path.name}: row {int(np.flatnonzero(wrong.to_numpy())[0]) + 1} is "
            f"{frame.geometry.geom_type[wrong].iloc[0]}; the registry expects {spec.geometry}."
        )
    frame.index = pd.Index(frame[spec.id_field], name=None)
    log.debug("loaded layer %s: %d rows", spec.id, len(frame))
    return frame


def frame_from_geojson(doc: Any, spec: LayerSpec, *, name: str) -> gpd.GeoDataFrame:
    """Validate a parsed GeoJSON document against ``spec`` and build its GeoDataFrame.

    ``name`` is the file name used in messages.
    """
    if not isinstance(doc, dict) or doc.get("type") != "FeatureCollection":
        raise LayerError(
            f"{name}: expected a GeoJSON FeatureCollection; re-export the layer as GeoJSON."
        )
    if spec.crs != "EPSG:4326":
        raise LayerError(
            f"{name}: registry CRS {spec.crs!r}; registry layers are GeoJSON in EPSG:4326 "
            "(RFC 7946): reproject the file and set crs = 'EPSG:4326'."
        )
    features = doc.get("features")
    if not isinstance(features, list) or not features:
        raise LayerError(f"{name}: the layer has no features; add at least one.")

    records: list[dict[str, Any]] = []
    geometries = []
    seen_ids: dict[Any, int] = {}
    allowed_geoms = GEOMETRY_TYPES[spec.geometry]
    for position, feature in enumerate(features, start=1):
        props = feature.get("properties") if isinstance(feature, dict) else None
        if not isinstance(props, dict):
            raise LayerError(f"{name}: feature {position} has no properties object.")
        fid = props.get(spec.id_field)
        where = f"{name}: feature {position} ({spec.id_field}={fid!r})"
        _check_properties(where, props, spec)
        if fid in seen_ids:
            raise LayerError(
                f"{where}: {spec.id_field} repeats feature {seen_ids[fid]}; ids must be unique."
            )
        seen_ids[fid] = position
        geometries.append(_check_geometry(where, feature.get("geometry"), allowed_geoms))
        records.append(props)

    frame = pd.DataFrame.from_records(records, columns=list(spec.columns))
    frame = frame.astype({col: ctype.dtype for col, ctype in spec.columns.items()})
    gdf = gpd.GeoDataFrame(frame, geometry=geometries, crs=spec.crs)
    gdf.index = pd.Index(gdf[spec.id_field], name=None)
    log.debug("loaded layer %s: %d features", spec.id, len(gdf))
    return gdf


def _check_properties(where: str, props: Mapping[str, Any], spec: LayerSpec) -> None:
    extra = sorted(set(props) - set(spec.columns))
    if extra:
        raise LayerError(
            f"{where}: field(s) {', '.join(map(repr, extra))} not declared in "
            f"{REGISTRY_FILE} [layers.{spec.id}.columns]; declare or remove them."
        )
    for column, ctype in spec.columns.items():
        if column not in props:
            raise LayerError(f"{where}: required field {column!r} is missing; add it.")
        value = props[column]
        if not ctype.accepts(value):
            expected = ctype.name + (" or null" if ctype.nullable else "")
            raise LayerError(
                f"{where}: field {column!r} should be {expected} but is {value!r}; "
                f"fix the value or its type in {REGISTRY_FILE}."
            )
        if isinstance(value, float) and not math.isfinite(value):
            raise LayerError(f"{where}: field {column!r} is {value}; use a number or null.")
        if column in _CODE_COLUMNS and value not in _CODE_COLUMNS[column]:
            raise LayerError(
                f"{where}: field {column!r} = {value!r} is not one of "
                f"{', '.join(_CODE_COLUMNS[column])}."
            )
        if column in _CODE_LIST_COLUMNS:
            unknown = [c for c in vocab.split_codes(value) if c not in _CODE_LIST_COLUMNS[column]]
            if unknown:
                raise LayerError(
                    f"{where}: field {column!r} has unknown code(s) {', '.join(unknown)}; "
                    f"use codes from: {', '.join(_CODE_LIST_COLUMNS[column])}."
                )
    if "source" in spec.columns and not str(props.get("source") or "").strip():
        raise LayerError(f"{where}: field 'source' is empty; say where the feature comes from.")


def _check_geometry(where: str, geometry: Any, allowed: set[str]) -> shapely.Geometry:
    if geometry is None:
        raise LayerError(f"{where}: geometry is null; give the feature a location or drop it.")
    try:
        geom = shape(geometry)
    except (AttributeError, KeyError, TypeError, ValueError, shapely.errors.ShapelyError) as exc:
        raise LayerError(
            f"{where}: geometry cannot be read ({exc}); fix its coordinates."
        ) from None
    if geom.geom_type not in allowed:
        raise LayerError(
            f"{where}: geometry is {geom.geom_type}, the registry expects "
            f"{' or '.join(sorted(allowed))}."
        )
    if geom.is_empty:
        raise LayerError(f"{where}: geometry is empty; give the feature a location or drop it.")
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise LayerError(
            f"{where}: coordinates ({minx:.4f}, {miny:.4f}) are outside longitude/latitude range; "
            "GeoJSON is longitude, latitude in EPSG:4326: swap or reproject them."
        )
    if not geom.is_valid:
        reason = shapely.is_valid_reason(geom)
        raise LayerError(
            f"{where}: invalid geometry ({reason}); repair it (e.g. QGIS 'Fix geometries')."
        )
    return geom


def require_columns(
    frame: pd.DataFrame,
    columns: Sequence[str],
    *,
    what: str,
    fix: str,
    noun: str = "column(s)",
    quote: bool = True,
) -> None:
    """Raise if ``frame`` lacks any of ``columns``, naming them and the columns it has.

    Parameters
    ----------
    frame
        The table (or layer) to check.
    columns
        The columns it must have.
    what
        What the frame is, for the message ("the demand grid").
    fix
        What to do about it, the end of the message.
    noun
        How the message calls the columns ("the group column(s)").
    quote
        Name the missing columns with quotes (``'a', 'b'``) rather than bare.

    Raises
    ------
    LayerError
        If a column is missing.
    """
    missing = [col for col in columns if col not in frame.columns]
    if missing:
        named = ", ".join(map(repr, missing)) if quote else ", ".join(missing)
        raise LayerError(
            f"{what} lacks {noun} {named}; it has {', '.join(map(str, frame.columns))}: {fix}"
        )


def plain_value(value: Any) -> Any:
    """Return a property value as plain JSON: numpy scalars as Python, NaN/inf/NA as None."""
    if value is None:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    return value


def load_all(registry: Registry) -> dict[str, gpd.GeoDataFrame]:
    """Load every layer of the registry (used by the tests and the CLI)."""
    return {
        layer_id: load_layer(spec, data_dir=registry.data_dir)
        for layer_id, spec in registry.layers.items()
    }
