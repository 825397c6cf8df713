"""Read CSV uploads.

CSV: delimiter and header, latitude/longitude, x/y or WKT columns, decimal commas,
thousands separators and degrees-minutes-seconds.
"""

from __future__ import annotations

import csv
import io
import itertools
import logging
import math
import re
import unicodedata
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import shapely

from geo.errors import Choice
from geo.io.upload.context import _CHECK_EVERY, _Ctx, _Source, choice
from geo.io.upload.crs_guess import _parse_crs
from geo.io.upload.geojson import _object_array
from geo.io.upload.sniff import _decode_text

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- CSV

_LAT_NAMES = {"lat", "latitud", "latitude", "lati"}
_LON_NAMES = {"lon", "long", "lng", "longitud", "longitude", "longi"}
_X_NAMES = {"x", "este", "easting", "east", "coordx", "xcoord", "coordenadax", "coordeste"}
_Y_NAMES = {"y", "norte", "northing", "north", "coordy", "ycoord", "coordenaday", "coordnorte"}
_WKT_NAMES = {"wkt", "geometry", "geom", "geometria", "thegeom", "wktgeom", "geometrywkt", "shape"}
_WKT_VALUE = re.compile(
    r"^\s*(SRID=\d+;\s*)?(POINT|MULTIPOINT|LINESTRING|MULTILINESTRING|POLYGON|MULTIPOLYGON|"
    r"GEOMETRYCOLLECTION)\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+$")
_THOUSANDS_DOT = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d+)?$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?\d{1,3}(,\d{3})+\.\d+$|^[+-]?\d{1,3}(,\d{3}){2,}$")
_HEMISPHERE = re.compile(r"^([NSEWO])?\s*(.*?)\s*°?\s*([NSEWO])?$", re.IGNORECASE)
_NONFINITE = {"nan": math.nan, "inf": math.inf, "infinity": math.inf}


def _read_csv(data: bytes, ctx: _Ctx) -> _Source:
    text = _decode_text(data, ctx)
    delimiter, text = _delimiter(text)
    if delimiter is None:
        raise ctx.error("csv_columns")
    ctx.check_time()
    rows: list[list[str]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                if len(rows) > ctx.settings.max_features + 1:
                    ctx.check_features(len(rows) - 1)
            if len(rows) % _CHECK_EVERY == 0:
                ctx.check_time()
    except csv.Error:
        raise ctx.error("csv_malformed", row=reader.line_num) from None
    if not rows:
        raise ctx.error("empty")
    header, body = [cell.strip() for cell in rows[0]], rows[1:]
    named = [cell for cell in header if cell]
    if len(header) > 1 and named and all(_parse_number(cell)[0] is not None for cell in named):
        raise ctx.error("csv_header_numbers")
    if len(header) < 2 and not any(_norm(h) in _WKT_NAMES for h in header):
        raise ctx.error("csv_columns")
    if not body:
        raise ctx.error("no_features")
    ctx.check_features(len(body))
    header, renamed = _unique_header(header)
    drops: dict[int, str] = {}
    table = []
    width = len(header)
    for position, row in enumerate(body):
        if len(row) > width and any(cell.strip() for cell in row[width:]):
            drops[position] = "wrong_fields"
        table.append((row + [""] * width)[:width])
    frame = pd.DataFrame(table, columns=header, dtype=object)
    spec = _coordinate_columns(frame, ctx)
    source = _Source("csv", frame, _object_array([None] * len(frame)), drops=drops, renamed=renamed)
    if spec[0] == "wkt":
        _csv_wkt(frame, spec[1], source, ctx)
        source.records = frame.drop(columns=[spec[1]])
        source.note_assumed = True
    else:
        lon_col, lat_col = spec[1], spec[2]
        _csv_points(frame, lon_col, lat_col, source, ctx)
        source.note_assumed = not (_norm(lon_col) in _LON_NAMES and _norm(lat_col) in _LAT_NAMES)
    source.records = _infer_numbers(source.records, skip=set(spec[1:]))
    return source


def _delimiter(text: str) -> tuple[str | None, str]:
    """The field separator (``sep=`` line, else the one giving consistent columns)."""
    first, _, rest = text.partition("\n")
    hint = re.fullmatch(r"\s*\"?sep=(.)\"?\s*", first)
    if hint:
        return hint.group(1), rest
    sample_text = text[:65536]
    if len(text) > len(sample_text) and "\n" in sample_text:
        sample_text = sample_text[: sample_text.rindex("\n")]
    best: tuple[tuple[float, int], str] | None = None
    for candidate in (";", ",", "\t", "|"):
        try:
            counts = [
                len(row)
                for row in csv.reader(io.StringIO(sample_text, newline=""), delimiter=candidate)
                if any(cell.strip() for cell in row)
            ][:200]
        except csv.Error:
            continue
        if not counts:
            continue
        consistency = sum(c == counts[0] for c in counts) / len(counts)
        score = (consistency if counts[0] > 1 else 0.0, counts[0])
        if best is None or score > best[0]:
            best = (score, candidate)
    if best is None:
        return None, text
    if best[0][1] == 1:
        return ",", text  # one column: maybe a lone WKT column
    return best[1], text


def _norm(name: str) -> str:
    """A column name folded for matching: no accents, lower case, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", name)
    return re.sub(
        r"[^a-z0-9]", "", "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    )


def _unique_header(header: Sequence[str]) -> tuple[list[str], list[tuple[str, str]]]:
    """Header names made unique, and the renames (reported with the other columns')."""
    seen: set[str] = set()
    out = []
    renamed = []
    for index, name in enumerate(header, start=1):
        new = name or f"column_{index}"
        base, n = new, 2
        while new in seen:
            new, n = f"{base}_{n}", n + 1
        seen.add(new)
        out.append(new)
        if new != name:
            renamed.append((name, new))
    return out, renamed


def _coordinate_columns(frame: pd.DataFrame, ctx: _Ctx) -> tuple[str, ...]:
    """``("wkt", col)`` or ``("xy", lon_col, lat_col)``: from the choice, names or asking."""
    columns = list(frame.columns)
    numeric = [c for c in columns if _mostly_numbers(frame[c])]
    wkt = [c for c in columns if _norm(c) in _WKT_NAMES and _mostly_wkt(frame[c])]
    lats = [c for c in numeric if _norm(c) in _LAT_NAMES]
    lons = [c for c in numeric if _norm(c) in _LON_NAMES]
    xs = [c for c in numeric if _norm(c) in _X_NAMES]
    ys = [c for c in numeric if _norm(c) in _Y_NAMES]
    candidates: list[tuple[Any, ...]] = [("xy", lon, lat) for lat in lats for lon in lons]
    candidates += [("xy", x, y) for y in ys for x in xs]
    candidates += [("wkt", w) for w in wkt]
    key = "ask_coordinates"
    if not candidates:
        key = "ask_coordinates_unnamed"
        candidates = [("xy", a, b) for a in numeric for b in numeric if a != b][:12]
    options = [_coordinate_choice(spec) for spec in candidates]
    chosen = ctx.choices.get("coordinates")
    if chosen is not None:
        spec = _parse_coordinate_choice(chosen)
        if spec is None or any(col not in columns for col in spec[1:]):
            why = ctx.word("why_columns")
            if not options:
                raise ctx.error("csv_no_coords")
            raise ctx.ask_again("coordinates", chosen, why, options)
        return spec
    if not candidates:
        raise ctx.error("csv_no_coords")
    if len(candidates) == 1 and key == "ask_coordinates":
        return candidates[0]
    raise ctx.ask("coordinates", key, options)


def _coordinate_choice(spec: tuple[str, ...]) -> Choice:
    if spec[0] == "wkt":
        return choice(f"wkt={spec[1]}", "choice_wkt", column=spec[1])
    lon, lat = spec[1], spec[2]
    return choice(f"lon={lon};lat={lat}", "choice_lonlat", lon=lon, lat=lat)


def _parse_coordinate_choice(value: str) -> tuple[str, ...] | None:
    wkt = re.fullmatch(r"wkt=(.+)", value, flags=re.DOTALL)
    if wkt:
        return ("wkt", wkt.group(1))
    pair = re.fullmatch(r"lon=(.+);lat=(.+)", value, flags=re.DOTALL)
    if pair:
        return ("xy", pair.group(1), pair.group(2))
    return None


#: Cells a spreadsheet uses for "no value": counted as empty, not as text.
_MISSING = {
    "",
    "na",
    "n/a",
    "#n/a",
    "nd",
    "n.d.",
    "null",
    "none",
    "-",
    "--",
    "s/d",
    "sd",
    "sin dato",
    "sin datos",
}


def _missing(cell: object) -> bool:
    """Whether a CSV cell holds no value (blank or a common "no data" marker)."""
    return not isinstance(cell, str) or cell.strip().lower() in _MISSING


def _mostly_numbers(column: pd.Series) -> bool:
    # the first 500 cells that hold something: a column may start with empty cells
    values = list(itertools.islice((v for v in column if not _missing(v)), 500))
    if not values:
        return False
    good = sum(_parse_number(v)[0] is not None for v in values)
    return good >= 0.5 * len(values)


def _mostly_wkt(column: pd.Series) -> bool:
    values = [v for v in column.head(500) if isinstance(v, str) and v.strip()]
    return bool(values) and sum(bool(_WKT_VALUE.match(v)) for v in values) >= 0.5 * len(values)


def _parse_number(text: str) -> tuple[float | None, bool]:
    """A number as spreadsheets in Latin America write it: ``(value, used_decimal_comma)``.

    ``4,6097`` and ``4.6097`` are both 4.6097; ``1.000.000,5`` and ``1,000,000.5`` use
    thousands separators; a lone comma is always decimal. A hemisphere letter turns
    into a sign (``74.08 W`` is -74.08). ``None`` when it is not a number.
    """
    value = text.strip().replace("\u2212", "-")
    dms = _dms(value)
    if dms is not None:
        return dms
    value = re.sub(r"[\s\u00a0\u202f]", "", value)
    if not value:
        return None, False
    lowered = value.lower().lstrip("+")
    sign = -1.0 if lowered.startswith("-") else 1.0
    if lowered.lstrip("-") in _NONFINITE:
        return sign * _NONFINITE[lowered.lstrip("-")], False
    hemisphere = _HEMISPHERE.match(value)
    if hemisphere and hemisphere.group(1) and hemisphere.group(3):
        return None, False  # two hemispheres (N 4°3' S): not guessed
    if hemisphere and (hemisphere.group(1) or hemisphere.group(3)):
        letter = (hemisphere.group(1) or hemisphere.group(3)).upper()
        number, comma = _parse_number(hemisphere.group(2))
        if number is None or number < 0:
            return None, False
        return (-number if letter in "SWO" else number), comma
    value = value.rstrip("°")
    if _NUMBER.match(value):
        return float(value), False
    if _DECIMAL_COMMA.match(value):
        return float(value.replace(",", ".")), True
    if _THOUSANDS_DOT.match(value) and (value.count(".") > 1 or "," in value):
        return float(value.replace(".", "").replace(",", ".")), "," in value
    if _THOUSANDS_COMMA.match(value):
        return float(value.replace(",", "")), False
    return None, False


_SIMPLE_NUMBER = r"[+-]?\d+(?:[.,]\d+)?"

_DMS_PART = r"\d+(?:[.,]\d+)?"
#: Degrees, minutes and seconds: 4°36'35"N, 74°4'W, 74º 4' 30'' O, 4d36m35s, N 4 36 35.
_DMS_SYMBOLS = re.compile(
    rf"^(?P<pre>[NSEWO])?\s*(?P<sign>[+-])?\s*(?P<d>{_DMS_PART})\s*(?:°|º|˚|d)\s*"
    rf"(?:(?P<m>{_DMS_PART})\s*(?:'|′|’|m)\s*)?"
    rf"(?:(?P<s>{_DMS_PART})\s*(?:\"|″|”|''|′′|’’|s)\s*)?"
    r"(?P<post>[NSEWO])?$",
    re.IGNORECASE,
)
#: The same with spaces only (4 36 35 N, 74 4 W): minutes and seconds have one or two
#: digits, so a number with thousands spaces (1 000) is not taken for one.
_DMS_SPACES = re.compile(
    r"^(?P<pre>[NSEWO])?\s*(?P<sign>[+-])?(?P<d>\d{1,3})\s+(?P<m>\d{1,2}(?:[.,]\d+)?)"
    r"(?:\s+(?P<s>\d{1,2}(?:[.,]\d+)?))?\s*(?P<post>[NSEWO])?$",
    re.IGNORECASE,
)


def _dms(text: str) -> tuple[float, bool] | None:
    """Decimal degrees from degrees, minutes and seconds; ``None`` when it is not that form.

    A hemisphere letter (``S``, ``W`` or ``O``) or a minus sign makes it negative;
    minutes and seconds must be below 60.
    """
    found = _DMS_SYMBOLS.match(text)
    if found is None or not (found.group("m") or found.group("s")):
        found = _DMS_SPACES.match(text)
        if found is not None and not (
            found.group("s") or found.group("pre") or found.group("post")
        ):
            return None  # "4 36" alone may be a number with a space: not guessed
    if found is None or (found.group("pre") and found.group("post")):
        return None
    parts = [found.group(k) for k in ("d", "m", "s")]
    degrees, minutes, seconds = (float(p.replace(",", ".")) if p else 0.0 for p in parts)
    if minutes >= 60 or seconds >= 60:
        return None
    value = degrees + minutes / 60 + seconds / 3600
    letter = (found.group("pre") or found.group("post") or "").upper()
    negative = found.group("sign") == "-"
    if letter and negative:
        return None
    used_comma = any(p and "," in p for p in parts)
    return (-value if negative or letter in ("S", "W", "O") else value), used_comma


def _csv_points(
    frame: pd.DataFrame, lon_col: str, lat_col: str, source: _Source, ctx: _Ctx
) -> None:
    """Points from two coordinate columns; rows without usable numbers are dropped."""
    values: dict[str, np.ndarray] = {}
    comma_cols = []
    for column in (lon_col, lat_col):
        cells = frame[column].map(lambda v: v.strip() if isinstance(v, str) else "")
        simple = cells.str.fullmatch(_SIMPLE_NUMBER).to_numpy(dtype=bool)
        numbers = np.full(len(frame), np.nan)
        numbers[simple] = cells[simple].str.replace(",", ".", regex=False).astype(float)
        comma = bool(cells[simple].str.contains(",", regex=False).any())
        for position in np.flatnonzero(~simple):  # the rare forms: 1.000.000,5 or 74.08 W
            cell = cells.iloc[position]
            number, used_comma = _parse_number(cell)
            if number is None:
                reason = "empty_coords" if _missing(cell) else "bad_number"
                if source.drops.get(int(position)) not in ("bad_number", "wrong_fields"):
                    source.drops[int(position)] = reason
                continue
            numbers[position] = number
            comma = comma or used_comma
        values[column] = numbers
        if comma:
            comma_cols.append(column)
        ctx.check_time()
    lons, lats = values[lon_col], values[lat_col]
    usable = np.array([p not in source.drops for p in range(len(frame))], dtype=bool)
    finite = np.isfinite(lons) & np.isfinite(lats)
    for position in np.flatnonzero(usable & ~finite):
        source.drops[int(position)] = "nonfinite"
    good = usable & finite
    geoms = np.full(len(frame), None, dtype=object)
    geoms[good] = shapely.points(lons[good], lats[good])
    source.geoms = geoms
    frame[lon_col] = lons
    frame[lat_col] = lats
    if comma_cols:
        ctx.warn("w_decimal_comma", cols=", ".join(comma_cols))


def _csv_wkt(frame: pd.DataFrame, column: str, source: _Source, ctx: _Ctx) -> None:
    geoms: list[shapely.Geometry | None] = [None] * len(frame)
    srids: set[str] = set()
    vertices = 0
    for position, cell in enumerate(frame[column]):
        if position in source.drops:
            continue
        text = cell.strip() if isinstance(cell, str) else ""
        if not text:
            source.drops[position] = "no_geometry"
            continue
        srid = re.match(r"^SRID=(\d+);\s*", text, flags=re.IGNORECASE)
        if srid:
            srids.add(srid.group(1))
            text = text[srid.end() :]
        geom = shapely.from_wkt(text, on_invalid="ignore")
        if geom is None:
            geom = shapely.from_wkt(text, on_invalid="fix")
            if geom is None:
                source.drops[position] = "unreadable"
                continue
            source.flag("unclosed", position)
        geoms[position] = geom
        vertices += shapely.get_num_coordinates(geom)
        ctx.check_vertices(vertices)
        if position % _CHECK_EVERY == 0:
            ctx.check_time()
    source.geoms = _object_array(geoms)
    if len(srids) == 1:
        source.crs = _parse_crs(f"EPSG:{srids.pop()}")


_INT_TEXT = re.compile(r"^[+-]?(0|[1-9]\d{0,17})$")
_FLOAT_TEXT = re.compile(r"^[+-]?(0|[1-9]\d*)?\.\d+([eE][+-]?\d+)?$|^[+-]?(0|[1-9]\d*)\.\d*$")


def _infer_numbers(frame: pd.DataFrame, *, skip: set[str]) -> pd.DataFrame:
    """CSV text columns whose every value is a plain number become numbers.

    Codes with leading zeros (``05001``) and decimal commas stay text: only the
    coordinate columns are read as Latin American numbers.
    """
    out = frame.copy()
    for column in out.columns:
        if column in skip:
            continue
        values = out[column]
        text = [v.strip() for v in values if isinstance(v, str) and v.strip()]
        blank = values.map(lambda v: not (isinstance(v, str) and v.strip()))
        if not text:
            out[column] = pd.Series([None] * len(out), index=out.index, dtype=object)
            continue
        if all(_INT_TEXT.match(v) for v in text):
            out[column] = pd.array(
                [None if b else int(v) for v, b in zip(values, blank, strict=True)], dtype="Int64"
            )
        elif all(_INT_TEXT.match(v) or _FLOAT_TEXT.match(v) for v in text):
            out[column] = [np.nan if b else float(v) for v, b in zip(values, blank, strict=True)]
        else:
            out[column] = pd.Series(
                [None if b else v for v, b in zip(values, blank, strict=True)],
                index=out.index,
                dtype=object,
            )
    return out
