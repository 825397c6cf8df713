"""Read containers through GDAL in memory.

GeoPackage, KML/KMZ and zipped shapefiles
(``/vsizip/``, never extracted), with the zip-bomb and entry caps.
"""

from __future__ import annotations

import io
import logging
import re
import warnings
import zipfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from pyproj import CRS

from geo.errors import Choice
from geo.io.upload.context import (
    ALL_LAYERS,
    MAX_ZIP_ENTRIES,
    MB,
    RATIO_FLOOR_BYTES,
    T,
    Upload,
    _Ctx,
    _megabytes,
    _num,
    _Source,
    _strip_controls,
    choice,
)
from geo.io.upload.geojson import _object_array
from geo.io.upload.messages import _ENCODING_NAMES
from geo.io.upload.sniff import (
    _bom_encoding,
    _codec,
    _decode_text,
    _encoding_options,
    _strip_bom,
    _utf16_guess,
    _why_encoding,
)

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- GDAL formats
#: Format names in messages (the same in both languages).
_KIND_NAMES = {"gpkg": "GeoPackage", "shapefile": "shapefile", "kml": "KML"}


def _gdal(ctx: _Ctx, kind: str, call: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a pyogrio call; GDAL's complaints about a bad file become one message."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            result = call(*args, **kwargs)
        except (RuntimeError, OSError, ValueError, KeyError, IndexError) as exc:
            if isinstance(exc, UnicodeDecodeError):
                raise
            log.info("GDAL could not read upload %s: %s", ctx.name, exc)
            raise ctx.error("damaged", kind=_KIND_NAMES[kind]) from None
    for warning in caught:
        log.debug("GDAL on upload %s: %s", ctx.name, warning.message)
    return result


def _read_gdal_layer(
    data: bytes, ctx: _Ctx, *, kind: str, layer: str | None, encoding: str | None = None
) -> gpd.GeoDataFrame:
    info = _gdal(ctx, kind, pyogrio.read_info, data, layer=layer, encoding=encoding)
    ctx.check_features(int(info.get("features") or 0))
    ctx.check_time()
    frame = _gdal(ctx, kind, pyogrio.read_dataframe, data, layer=layer, encoding=encoding)
    ctx.check_time()
    return frame


def _source_from_frame(frame: gpd.GeoDataFrame, fmt: str, layer: str | None) -> _Source:
    geometry = frame.geometry.name
    records = pd.DataFrame(frame.drop(columns=geometry))
    records.index = pd.RangeIndex(len(records))
    return _Source(
        fmt,
        records,
        _object_array(list(frame.geometry.array)),
        crs=CRS.from_user_input(frame.crs) if frame.crs is not None else None,
        layer=layer,
    )


def _choose_layer(
    names: Sequence[str],
    counts: Mapping[str, int | None],
    ctx: _Ctx,
    *,
    allow_all: bool = False,
) -> str:
    """The layer to read: the only one, or the person's choice among several."""
    if len(names) == 1:
        return names[0]
    options = [_layer_choice(n, counts.get(n)) for n in names]
    if allow_all:
        total = sum(c or 0 for c in counts.values())
        options.append(choice(ALL_LAYERS, "all_layers", n=total))
    chosen = ctx.choices.get("layer")
    if chosen is None:
        raise ctx.ask("layer", "ask_layer", options, n=len(names))
    valid = {o.value for o in options}
    if chosen not in valid:
        raise ctx.ask_again("layer", chosen, ctx.word("why_no_layer"), options)
    return chosen


def _layer_choice(name: str, count: int | None) -> Choice:
    if count is None:
        return Choice(name, name, name)
    return choice(name, "layer_option", n=count, layer=name)


def _read_gpkg(data: bytes, ctx: _Ctx, *, inside_zip: bool) -> _Source:
    listed = _gdal(ctx, "gpkg", pyogrio.list_layers, data)
    names = [str(row[0]) for row in listed if row[1] is not None]
    if not names:
        raise ctx.error("gpkg_no_layers")
    counts: dict[str, int | None] = {}
    if len(names) > 1:
        if inside_zip:
            raise ctx.error("zip_inner_layers", entry="GeoPackage")
        for layer_name in names:
            info = _gdal(ctx, "gpkg", pyogrio.read_info, data, layer=layer_name)
            counts[layer_name] = int(info.get("features") or 0)
    layer = _choose_layer(names, counts, ctx)
    frame = _read_gdal_layer(data, ctx, kind="gpkg", layer=layer)
    return _source_from_frame(frame, "gpkg", layer)


# KML fields libkml adds to every placemark; dropped when they hold nothing.
_KML_STYLE_FIELDS = {
    "id": None,
    "timestamp": None,
    "begin": None,
    "end": None,
    "altitudeMode": None,
    "tessellate": -1,
    "extrude": 0,
    "visibility": -1,
    "drawOrder": None,
    "icon": None,
    "snippet": None,
    "description": None,
}
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")


def _read_kml(data: bytes, ctx: _Ctx) -> _Source:
    data = _utf8_xml(_kml_text(data, ctx))
    if re.search(rb"<!(DOCTYPE|ENTITY)", data, flags=re.IGNORECASE):
        raise ctx.error("kml_entities")
    listed = _gdal(ctx, "kml", pyogrio.list_layers, data)
    names = [str(row[0]) for row in listed]
    if not names:
        raise ctx.error("no_features")
    counts: dict[str, int | None] = {}
    if len(names) > 1:
        for layer_name in names:
            info = _gdal(ctx, "kml", pyogrio.read_info, data, layer=layer_name)
            counts[layer_name] = int(info.get("features") or 0)
    layer = _choose_layer(names, counts, ctx, allow_all=True)
    chosen = names if layer == ALL_LAYERS else [layer]
    ctx.check_features(sum(counts.get(n) or 0 for n in chosen))
    frames = []
    for layer_name in chosen:
        frame = _read_gdal_layer(data, ctx, kind="kml", layer=layer_name)
        if layer == ALL_LAYERS:
            frame.insert(0, "layer", layer_name)
        frames.append(frame)
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    empty = [
        col
        for col, default in _KML_STYLE_FIELDS.items()
        if col in frame.columns and _all_default(frame[col], default)
    ]
    frame = gpd.GeoDataFrame(frame.drop(columns=empty), geometry=frame.geometry.name)
    source = _source_from_frame(frame, "kml", layer)
    source.crs = CRS.from_epsg(4326)
    source.geographic_only = True
    return source


def _all_default(column: pd.Series, default: Any) -> bool:
    values = column.dropna()
    return values.empty or (default is not None and bool((values == default).all()))


def _kml_text(data: bytes, ctx: _Ctx) -> str:
    """The KML as text: its declared encoding when it is not UTF-8, else as other text.

    GDAL's XML parser knows few encodings, so the text is handed over as UTF-8.
    """
    if "encoding" not in ctx.choices and not (_bom_encoding(data) or _utf16_guess(data)):
        match = _XML_DECLARATION.match(data[:512])
        declared = _codec(match.group(1).decode("ascii")) if match else None
        if declared is not None and declared not in ("utf-8", "ascii"):
            try:
                return data.decode(declared)
            except UnicodeDecodeError:
                pass
    return _decode_text(data, ctx)


def _utf8_xml(text: str) -> bytes:
    text = re.sub(
        r"^(\s*<\?xml[^>]*encoding\s*=\s*)[\"'][^\"']*[\"']",
        r'\1"UTF-8"',
        _strip_bom(text),
        count=1,
    )
    return text.encode("utf-8")


# --------------------------------------------------------------------------- zip


def _read_zip(data: bytes, ctx: _Ctx) -> _Source | Upload:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, ValueError, EOFError):
        raise ctx.error("zip_damaged") from None
    with archive:
        _check_zip(infos, ctx)
        names = {info.filename for info in infos}
        if "[Content_Types].xml" in names or "mimetype" in names:
            raise ctx.error("fmt_excel")
        entries = [
            info
            for info in infos
            if not info.is_dir()
            and not info.filename.startswith("__MACOSX/")
            and not PurePosixPath(info.filename).name.startswith("._")
        ]
        by_lower = {info.filename.lower(): info for info in entries}
        shps = sorted(i.filename for i in entries if i.filename.lower().endswith(".shp"))
        if shps:
            return _read_shapefile(archive, shps, by_lower, ctx)
        layers = sorted(
            i.filename
            for i in entries
            if i.filename.lower().endswith((".geojson", ".json", ".gpkg", ".csv", ".kml"))
        )
        if not layers:
            nested = next(
                (i.filename for i in entries if i.filename.lower().endswith(".zip")), None
            )
            if nested:
                raise ctx.error("zip_nested", entry=PurePosixPath(nested).name)
            raise ctx.error("zip_no_layer")
        counts: dict[str, int | None] = dict.fromkeys(layers)
        entry = _choose_layer(layers, counts, ctx)
        inner = _read_entry(archive, by_lower[entry.lower()], ctx)
    if len(layers) > 1:
        # the answer was the entry; a multi-layer file inside must be uploaded on its own
        ctx = _Ctx(
            name=ctx.name,
            lang=ctx.lang,
            choices={k: v for k, v in ctx.choices.items() if k != "layer"},
            settings=ctx.settings,
            started=ctx.started,
            warnings=ctx.warnings,
        )
    from geo.io.upload.read import _read_bytes

    return _read_bytes(inner, ctx, inside_zip=True)


def _check_zip(infos: Sequence[zipfile.ZipInfo], ctx: _Ctx) -> None:
    """Refuse unsafe or oversized archives from their directory, before reading any entry."""
    if len(infos) > MAX_ZIP_ENTRIES:
        raise ctx.error("zip_entries", n=len(infos), cap=MAX_ZIP_ENTRIES)
    for info in infos:
        name = info.filename
        parts = re.split(r"[\\/]", name)
        if (
            name.startswith(("/", "\\"))
            or re.match(r"^[A-Za-z]:", name)
            or ".." in parts
            or "\x00" in name
        ):
            raise ctx.error("zip_unsafe")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise ctx.error("zip_symlink", entry=_strip_controls(PurePosixPath(name).name)[0])
        if info.flag_bits & 0x1:
            raise ctx.error("zip_encrypted")
    total = sum(info.file_size for info in infos)
    if total > ctx.settings.max_unpacked_mb * MB:
        raise ctx.error(
            "cap_unpacked", size=_megabytes(total), cap=_num(ctx.settings.max_unpacked_mb)
        )
    for info in infos:
        if info.file_size < RATIO_FLOOR_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > ctx.settings.max_compression_ratio:
            raise ctx.error(
                "cap_ratio",
                entry=_strip_controls(PurePosixPath(info.filename).name)[0],
                ratio=f"{ratio:.0f}",
                cap=_num(ctx.settings.max_compression_ratio),
            )


def _read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: _Ctx) -> bytes:
    """One entry's bytes, never more than its directory says (already checked)."""
    try:
        with archive.open(info) as handle:
            data = handle.read(info.file_size + 1)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        raise ctx.error("zip_damaged") from None
    if len(data) != info.file_size:
        raise ctx.error("zip_damaged")
    return data


def _read_shapefile(
    archive: zipfile.ZipFile,
    shps: Sequence[str],
    by_lower: Mapping[str, zipfile.ZipInfo],
    ctx: _Ctx,
) -> _Source:
    stems = [shp[:-4] for shp in shps]
    counts: dict[str, int | None] = {}
    if len(stems) > 1:
        for stem in stems:
            dbf = by_lower.get(f"{stem}.dbf".lower())
            counts[stem] = _dbf_count(archive, dbf, ctx) if dbf else None
    stem = _choose_layer(stems, counts, ctx)
    base = PurePosixPath(stem).name
    parts = {
        ext: by_lower.get(f"{stem}.{ext}".lower()) for ext in ("shp", "shx", "dbf", "prj", "cpg")
    }
    missing = [f"{base}.{ext}" for ext in ("shx", "dbf") if parts[ext] is None]
    if missing:
        raise ctx.error("shp_missing", layer=base, missing=ctx.word("and").join(missing))
    blobs = {ext: _read_entry(archive, info, ctx) for ext, info in parts.items() if info}
    encoding = _shapefile_encoding(blobs, ctx)
    repacked = io.BytesIO()
    with zipfile.ZipFile(repacked, "w", compression=zipfile.ZIP_STORED) as out:
        for ext, blob in blobs.items():
            if ext != "cpg":
                out.writestr(f"layer.{ext}", blob)
    try:
        frame = _read_gdal_layer(
            repacked.getvalue(), ctx, kind="shapefile", layer=None, encoding=encoding
        )
    except UnicodeDecodeError:
        raise ctx.ask("encoding", "ask_encoding", _encoding_options()) from None
    source = _source_from_frame(frame, "shapefile-zip", stem)
    source.note_assumed = "prj" not in blobs
    return source


def _dbf_count(archive: zipfile.ZipFile, info: zipfile.ZipInfo, ctx: _Ctx) -> int | None:
    try:
        with archive.open(info) as handle:
            header = handle.read(8)
    except (zipfile.BadZipFile, NotImplementedError, OSError, EOFError, ValueError):
        raise ctx.error("zip_damaged") from None
    return int.from_bytes(header[4:8], "little") if len(header) == 8 else None


def _shapefile_encoding(blobs: Mapping[str, bytes], ctx: _Ctx) -> str:
    """The .dbf text encoding: the choice, the .cpg, else UTF-8 or Windows-1252 by content."""
    dbf = blobs["dbf"]
    header_size = int.from_bytes(dbf[8:10], "little") if len(dbf) >= 10 else len(dbf)
    body = dbf[header_size:]
    chosen = ctx.choices.get("encoding")
    if chosen:
        codec = _codec(chosen)
        if codec is None or not _decodes(body, codec):
            raise ctx.ask_again("encoding", chosen, _why_encoding(ctx), _encoding_options())
        return codec
    declared_text = blobs.get("cpg", b"").decode("ascii", errors="replace").strip()
    declared = _codec(declared_text) if declared_text else None
    if declared and _decodes(body, declared):
        return declared
    if body.isascii():
        return "utf-8"
    for codec in ("utf-8", "cp1252"):
        if _decodes(body, codec):
            shown = _ENCODING_NAMES[codec]
            if declared_text:
                ctx.warn("w_shp_cpg_wrong", declared=declared_text[:40], encoding=shown)
            else:
                ctx.warn("w_shp_no_cpg", encoding=shown)
            return codec
    raise ctx.ask("encoding", "ask_encoding", _encoding_options())


def _decodes(data: bytes, codec: str) -> bool:
    try:
        data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True
