"""Read an uploaded file: the entry point.

Read an uploaded file's bytes under the caps, identify the format from
the bytes and hand it to its reader, then to :mod:`~geo.io.upload.repair`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path

from geo.errors import LayerError, NeedsChoice
from geo.io.upload.archive import _read_gpkg, _read_kml, _read_zip
from geo.io.upload.context import (
    MAX_JSON_DEPTH,
    MB,
    Upload,
    _Ctx,
    _display_name,
    _megabytes,
    _num,
)
from geo.io.upload.geojson import _read_geojson
from geo.io.upload.repair import _finish
from geo.io.upload.sniff import _CLAIMED_FORMATS, _refuse_format, _sniff
from geo.io.upload.tabular import _read_csv
from geo.settings import Settings, get_settings
from geo.vocab import LANGUAGES

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- entry point


def read_upload(
    path: str | Path,
    *,
    filename: str | None = None,
    choices: Mapping[str, str] | None = None,
    settings: Settings | None = None,
    lang: str = "es",
) -> Upload:
    """Read an uploaded layer, repairing what can be repaired and saying what was done.

    Parameters
    ----------
    path
        The uploaded file (e.g. a private temporary file); never shown.
    filename
        The name the person gave the file, used in every message; defaults to the
        base name of ``path``. Only its last component is shown.
    choices
        Answers to earlier :class:`~geo.errors.NeedsChoice` questions, keyed by the
        question: ``{"crs": "EPSG:3116"}``, ``{"coordinates": "lon=x;lat=y"}`` or
        ``{"coordinates": "wkt=geom"}``, ``{"swap": "yes"}``, ``{"layer": "name"}``,
        ``{"encoding": "cp1252"}``; pass all answers given so far.
    settings
        The caps to enforce; :func:`~geo.settings.get_settings` by default.
    lang
        Language of messages and warnings: ``"es"`` or ``"en"``.

    Returns
    -------
    Upload
        The layer in EPSG:4326 with valid geometries and a ``feature_id`` column, and
        the warnings.

    Raises
    ------
    NeedsChoice
        When only the person can decide; it carries the question and the options.
    LayerError
        For anything else, with one sentence naming the file, the problem and the fix.
        No other exception escapes.
    """
    name = _display_name(filename, path)
    lang = str(lang).strip().lower()[:2]
    lang = lang if lang in LANGUAGES else "es"
    ctx = _Ctx(name=name, lang=lang, choices=dict(choices or {}), settings=Settings())
    try:
        ctx.settings = settings if settings is not None else get_settings()
        data = _read_capped(Path(path), ctx)
        upload = _read_bytes(data, ctx)
    except LayerError:
        raise
    except RecursionError:
        log.warning("upload %s nests too deeply", name)
        raise ctx.error("json_deep", cap=MAX_JSON_DEPTH) from None
    except MemoryError:
        log.warning("upload %s does not fit in memory", name)
        raise ctx.error("memory") from None
    except Exception:
        log.exception("unexpected error reading upload %s", name)
        raise ctx.error("internal") from None
    log.info(
        "read upload %s (%s%s): %d features, %d warnings",
        name,
        upload.format,
        f", layer {upload.layer}" if upload.layer else "",
        len(upload.frame),
        len(upload.warnings),
    )
    return upload


def _read_capped(path: Path, ctx: _Ctx) -> bytes:
    """The file's bytes, refusing before reading anything over the upload cap."""
    cap = ctx.settings.max_upload_mb * MB
    try:
        size = path.stat().st_size
        if size > cap:
            raise ctx.error(
                "cap_upload", size=_megabytes(size), cap=_num(ctx.settings.max_upload_mb)
            )
        with path.open("rb") as handle:
            data = handle.read(int(cap) + 1)
    except OSError as exc:
        log.error("cannot read upload %s: %s", ctx.name, exc)
        raise ctx.error("internal") from None
    if len(data) > cap:  # grew while reading
        raise ctx.error(
            "cap_upload", size=_megabytes(len(data)), cap=_num(ctx.settings.max_upload_mb)
        )
    return data


def _read_bytes(data: bytes, ctx: _Ctx, *, inside_zip: bool = False) -> Upload:
    """Identify the format from the bytes and read it."""
    if not data.strip():
        raise ctx.error("empty")
    kind = _sniff(data)
    log.debug("upload %s sniffed as %s", ctx.name, kind)
    if kind == "zip":
        if inside_zip:
            raise ctx.error("zip_nested", entry=ctx.name)
        return _finish(_read_zip(data, ctx), ctx)
    if kind == "gpkg":
        return _finish(_read_gpkg(data, ctx, inside_zip=inside_zip), ctx)
    if kind == "json":
        return _finish(_read_geojson(data, ctx), ctx)
    if kind == "kml":
        return _finish(_read_kml(data, ctx), ctx)
    claimed = _CLAIMED_FORMATS.get(Path(ctx.name).suffix.lower())
    try:
        if kind == "text":
            return _finish(_read_csv(data, ctx), ctx)
        _refuse_format(kind, ctx)
    except NeedsChoice:
        raise
    except LayerError:
        # The name promised a format the content is not: say that, not what the
        # content failed to be as a CSV ("no coordinate columns").
        if claimed is not None and kind == "text":
            raise ctx.error(f"claimed_{claimed}") from None
        raise
    raise AssertionError(kind)  # pragma: no cover - _refuse_format always raises


#: File name endings that promise a format; the content decides how a file is read,
