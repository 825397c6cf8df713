"""Repair what a reader returns and say what changed.

Valid geometries (repaired when ``make_valid`` keeps their
dimension), EPSG:4326, clean property names and values, and the warnings that say so.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.io.upload.context import (
    MAX_LISTED,
    MB,
    Upload,
    _Ctx,
    _display_name,
    _megabytes,
    _num,
    _Source,
    _strip_controls,
)
from geo.io.upload.crs_guess import _alive, _to_wgs84
from geo.settings import Settings, get_settings
from geo.vocab import LANGUAGES

log = logging.getLogger(__name__)
#: Drop reasons with their own fix (``file_fix_<reason>``); the others: fix the geometries.
_FIXABLE = ("wrong_fields", "bad_number", "empty_coords")

# --------------------------------------------------------------------------- clean-up


def _finish(source: _Source | Upload, ctx: _Ctx) -> Upload:
    """Turn what a reader found into an :class:`Upload`: the steps every format shares."""
    if isinstance(source, Upload):
        return source
    n = len(source.geoms)
    if n == 0:
        raise ctx.error("no_features")
    ctx.check_features(n)
    geoms = source.geoms.copy()
    drops = dict(source.drops)
    flags = {k: set(v) for k, v in source.flags.items()}
    for position in drops:
        geoms[position] = None
    present = np.array([g is not None for g in geoms])
    ctx.check_vertices(
        int(shapely.get_num_coordinates(geoms[present]).sum()) if present.any() else 0
    )
    ctx.check_time()

    records = _clean_records(source.records, source.renamed, ctx)
    ctx.check_time()

    # geometries that cannot be used whatever the CRS: missing, empty, Z/M, NaN
    for position in range(n):
        geom = geoms[position]
        if position in drops:
            continue
        if geom is None:
            drops[position] = "no_geometry"
        elif geom.is_empty:
            drops[position] = "empty"
            geoms[position] = None
    alive = _alive(geoms, drops)
    if alive.any():
        with_z = alive & (shapely.has_z(geoms) | _has_m(geoms))
        for position in _informative_z(geoms, with_z):
            flags.setdefault("z", set()).add(position)
        geoms[with_z] = shapely.force_2d(geoms[with_z])
        _drop_nonfinite(geoms, drops)
    ctx.check_time()

    geoms = _to_wgs84(geoms, drops, source, ctx)
    ctx.check_time()
    _drop_out_of_range(geoms, drops)
    _repair(geoms, drops, flags)
    ctx.check_time()

    keep = np.array([p not in drops for p in range(n)])
    if not keep.any():
        summary = Counter(drops.values())
        reasons = ", ".join(
            f"{count} {ctx.word(f'drop_{reason}_short')}" for reason, count in summary.most_common()
        )
        fixes = dict.fromkeys(r if r in _FIXABLE else "geometry" for r, _ in summary.most_common())
        joined = ctx.word("and").join(ctx.word(f"fix_{f}") for f in fixes)
        raise ctx.error("all_dropped", n=n, reasons=reasons, fix=joined)
    _warn_geometry_changes(flags, drops, geoms, keep, ctx)

    kept = records.loc[keep].reset_index(drop=True)
    kept.insert(0, "feature_id", [str(p + 1) for p in np.flatnonzero(keep)])
    frame = gpd.GeoDataFrame(kept, geometry=gpd.GeoSeries(list(geoms[keep])), crs="EPSG:4326")
    frame.columns = [str(c) for c in frame.columns]
    return Upload(
        frame=frame,
        warnings=list(ctx.warnings),
        format=source.format,
        layer=source.layer,
        source_name=ctx.name,
    )


def _has_m(geoms: np.ndarray) -> np.ndarray:
    has_m = getattr(shapely, "has_m", None)
    return has_m(geoms) if has_m is not None else np.zeros(len(geoms), dtype=bool)


def _informative_z(geoms: np.ndarray, with_z: np.ndarray) -> list[int]:
    """Positions whose Z holds something other than zero (KML writes 0), or that have M."""
    positions = np.flatnonzero(with_z)
    if not len(positions):
        return []
    coords, index = shapely.get_coordinates(geoms[positions], include_z=True, return_index=True)
    with np.errstate(invalid="ignore"):
        nonzero = np.isfinite(coords[:, 2]) & (coords[:, 2] != 0)
    found = set(positions[index[nonzero]].tolist())
    found |= set(positions[_has_m(geoms[positions])].tolist())
    return sorted(found)


def _drop_nonfinite(geoms: np.ndarray, drops: dict[int, str]) -> None:
    alive = np.flatnonzero(_alive(geoms, drops))
    if not len(alive):
        return
    coords, index = shapely.get_coordinates(geoms[alive], return_index=True)
    bad = ~np.isfinite(coords).all(axis=1)
    for position in np.unique(alive[index[bad]]):
        drops[int(position)] = "nonfinite"
        geoms[position] = None


def _drop_out_of_range(geoms: np.ndarray, drops: dict[int, str]) -> None:
    alive = np.flatnonzero(_alive(geoms, drops))
    if not len(alive):
        return
    with np.errstate(invalid="ignore"):
        bounds = shapely.bounds(geoms[alive])
        ok = (
            np.isfinite(bounds).all(axis=1)
            & (bounds[:, 0] >= -180)
            & (bounds[:, 2] <= 180)
            & (bounds[:, 1] >= -90)
            & (bounds[:, 3] <= 90)
        )
    for position in alive[~ok]:
        drops[int(position)] = "out_of_range"
        geoms[position] = None


def _repair(geoms: np.ndarray, drops: dict[int, str], flags: dict[str, set[int]]) -> None:
    """Repair invalid geometries when that keeps their dimension; drop the degenerate."""
    alive = np.flatnonzero(_alive(geoms, drops))
    if not len(alive):
        return
    invalid = alive[~shapely.is_valid(geoms[alive])]
    for position in invalid:
        fixed = _make_valid(geoms[position])
        if fixed is None:
            drops[int(position)] = "degenerate"
            geoms[position] = None
        else:
            geoms[position] = fixed
            flags.setdefault("fixed", set()).add(int(position))


def _make_valid(geom: shapely.Geometry) -> shapely.Geometry | None:
    """A valid geometry of the same dimension, or None when nothing of it is left."""
    dimension = shapely.get_dimensions(geom)
    if geom.geom_type == "GeometryCollection":
        fixed = shapely.make_valid(geom)
        return None if fixed.is_empty else fixed
    if dimension == 2:
        fixed = shapely.make_valid(geom, method="structure", keep_collapsed=False)
    else:
        fixed = shapely.make_valid(geom)
    if fixed.is_empty:
        return None
    if fixed.geom_type != "GeometryCollection" and shapely.get_dimensions(fixed) == dimension:
        return fixed
    parts = [
        part
        for part in shapely.get_parts(shapely.get_parts(fixed))
        if not part.is_empty and shapely.get_dimensions(part) == dimension
    ]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    if dimension == 2:
        return shapely.union_all(parts)
    if dimension == 1:
        return shapely.MultiLineString(parts)
    return shapely.MultiPoint(parts)


def _warn_geometry_changes(
    flags: Mapping[str, set[int]],
    drops: Mapping[int, str],
    geoms: np.ndarray,
    keep: np.ndarray,
    ctx: _Ctx,
) -> None:
    def kept(positions: Iterable[int]) -> list[int]:
        return sorted(p for p in positions if keep[p])

    z_rows = kept(flags.get("z", ()))
    if z_rows:
        ctx.warn("w_z", n=len(z_rows))
    unclosed = kept(flags.get("unclosed", ()))
    if unclosed:
        ctx.warn("w_unclosed", n=len(unclosed), rows=ctx.rows(unclosed))
    fixed = kept(flags.get("fixed", ()))
    if fixed:
        polygons = all(geoms[p].geom_type in ("Polygon", "MultiPolygon") for p in fixed)
        key = "w_repaired_polygons" if polygons else "w_repaired"
        ctx.warn(key, n=len(fixed), rows=ctx.rows(fixed))
    by_reason: dict[str, list[int]] = {}
    for position, reason in sorted(drops.items()):
        by_reason.setdefault(reason, []).append(position)
    for reason, positions in by_reason.items():
        what = ctx.word(f"drop_{reason}")
        ctx.warn("w_dropped", n=len(positions), what=what, rows=ctx.rows(positions))
    types = Counter(geoms[p].geom_type for p in np.flatnonzero(keep))
    families = {_family(t) for t in types}
    if len(families) > 1:
        counts = ", ".join(f"{count} {kind}" for kind, count in types.most_common())
        ctx.warn("w_mixed", counts=counts)


def _family(geom_type: str) -> str:
    return geom_type.removeprefix("Multi")


# --------------------------------------------------------------------------- properties

_RESERVED = {"geometry", "feature_id"}


def _clean_records(
    records: pd.DataFrame, renamed_before: Sequence[tuple[str, str]], ctx: _Ctx
) -> pd.DataFrame:
    """Columns named by unique, printable strings; lists and objects as JSON; no controls."""
    out = records.copy()
    names, renamed = _unique_names(out.columns)
    out.columns = names
    renamed = [*renamed_before, *renamed]
    if renamed:
        _warn_renamed(renamed, ctx)

    json_cols: dict[str, int] = {}
    control_cols: dict[str, int] = {}
    cap = ctx.settings.max_value_chars
    long_rows: set[int] = set()
    long_cols: dict[str, int] = {}
    for column in out.columns:
        series = out[column]
        if series.dtype.kind not in "OSU" and not pd.api.types.is_string_dtype(series.dtype):
            continue
        values, nested, stripped, cut = _clean_values(list(series), cap=cap)
        long_rows.update(cut)
        for counts, n in ((long_cols, len(cut)), (json_cols, nested), (control_cols, stripped)):
            if n:
                counts[column] = n
        if nested or stripped or cut:
            out[column] = pd.Series(values, index=out.index, dtype=object)
    if json_cols:
        ctx.warn("w_json_values", n=sum(json_cols.values()), cols=_list_names(list(json_cols)))
    if control_cols:
        ctx.warn("w_control", n=sum(control_cols.values()), cols=_list_names(list(control_cols)))
    if long_cols:
        ctx.warn(
            "w_truncated",
            n=sum(long_cols.values()),
            cap=f"{cap:,}",
            cols=_list_names(list(long_cols)),
            rows=ctx.rows(long_rows),
        )
    return out


def _unique_names(columns: Iterable[object]) -> tuple[list[str], list[tuple[str, str]]]:
    """Name columns by unique, printable strings that are not reserved.

    Parameters
    ----------
    columns
        The column labels as read (any type, ``None`` too).

    Returns
    -------
    tuple
        The new names, in order, and the ``(original, new)`` pairs of those that changed.
    """
    renamed: list[tuple[str, str]] = []
    seen: set[str] = set()
    names = []
    for index, raw in enumerate(columns, start=1):
        original = "" if raw is None else str(raw)
        name = _strip_controls(original)[0].strip() or f"column_{index}"
        base, n = name, 2
        while name.casefold() in seen or name.casefold() in _RESERVED:
            name, n = f"{base}_{n}", n + 1
        seen.add(name.casefold())
        names.append(name)
        if name != original:
            renamed.append((original, name))
    return names, renamed


def _clean_values(values: list[Any], *, cap: int) -> tuple[list[Any], int, int, list[int]]:
    """Turn one column's values into plain text: lists and objects as JSON, cut, no controls.

    Parameters
    ----------
    values
        The column's values (not changed).
    cap
        The most characters a value may keep (``settings.max_value_chars``).

    Returns
    -------
    tuple
        The cleaned values (a new list); how many were lists or objects; how many
        control characters were removed; the positions of the values cut at ``cap``.
    """
    values = list(values)
    nested = 0
    stripped = 0
    cut: list[int] = []
    for i, value in enumerate(values):
        if isinstance(value, list | dict):
            values[i] = json.dumps(value, ensure_ascii=False, default=str)
            nested += 1
        if isinstance(values[i], str):
            if len(values[i]) > cap:  # one value may not hold a whole file (setting)
                values[i] = values[i][:cap]
                cut.append(i)
            clean, count = _strip_controls(values[i])
            if count:
                values[i] = clean
                stripped += count
    return values, nested, stripped, cut


def cap_text_values(
    frame: gpd.GeoDataFrame,
    *,
    name: str,
    settings: Settings | None = None,
    lang: str = "es",
) -> tuple[gpd.GeoDataFrame, list[str]]:
    """Cut text values longer than the settings allow.

    The limit is ``settings.max_value_chars``; this serves layers that do not come
    through :func:`read_upload` (imports from a service).

    Returns
    -------
    A copy of ``frame`` and the warnings (one, naming the columns and rows, when
    anything was cut).
    """
    settings = settings or get_settings()
    ctx = _Ctx(
        name=_display_name(name, "layer"),
        lang=lang if lang in LANGUAGES else "es",
        choices={},
        settings=settings,
    )
    cap = settings.max_value_chars
    out = frame.copy()
    rows: set[int] = set()
    cols: list[str] = []
    count = 0
    for column in out.columns:
        if column == out.geometry.name:
            continue
        values = list(out[column])
        long = [i for i, v in enumerate(values) if isinstance(v, str) and len(v) > cap]
        if not long:
            continue
        for i in long:
            values[i] = values[i][:cap]
        out[column] = pd.Series(values, index=out.index, dtype=object)
        rows.update(long)
        cols.append(str(column))
        count += len(long)
    if count:
        ctx.warn(
            "w_truncated", n=count, cap=f"{cap:,}", cols=_list_names(cols), rows=ctx.rows(rows)
        )
    return out, list(ctx.warnings)


def check_upload_size(
    size_bytes: int, *, filename: str, settings: Settings | None = None, lang: str = "es"
) -> None:
    """Refuse a file over the upload cap from its size alone, before its bytes are copied.

    Raises
    ------
    LayerError
        The same message :func:`read_upload` gives a file over ``max_upload_mb``.
    """
    settings = settings or get_settings()
    if size_bytes > settings.max_upload_mb * MB:
        ctx = _Ctx(
            name=_display_name(filename, "upload"),
            lang=lang if lang in LANGUAGES else "es",
            choices={},
            settings=settings,
        )
        raise ctx.error("cap_upload", size=_megabytes(size_bytes), cap=_num(settings.max_upload_mb))


def _warn_renamed(renamed: Sequence[tuple[str, str]], ctx: _Ctx) -> None:
    pairs = ", ".join(
        f"'{_strip_controls(old)[0][:30]}' → '{new[:30]}'" for old, new in renamed[:MAX_LISTED]
    )
    if len(renamed) > MAX_LISTED:
        pairs += "…"
    ctx.warn("w_renamed", n=len(renamed), pairs=pairs)


def _list_names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:MAX_LISTED])
    return shown + ("…" if len(names) > MAX_LISTED else "")
