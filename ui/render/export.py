"""Downloads: tables as CSV or XLSX that a spreadsheet opens safely."""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Mapping

import numpy as np
import pandas as pd
import shapely
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Excel's limits: sheet names of at most 31 characters without : \ / ? * [ ], not
# starting or ending with an apostrophe, "History" reserved; 32,767 characters a cell.
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31
_CELL_MAX = 32_767
_WIDTH_MIN, _WIDTH_MAX = 8, 60
_WIDTH_ROWS = 500  # rows looked at to size a column


def neutralise(value: object) -> object:
    """Prefix text that a spreadsheet would run as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 CSV (with BOM, so Excel reads the accents) with formula cells neutralised."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(neutralise)
    return safe.to_csv(index=False).encode("utf-8-sig")


def xlsx_bytes(sheets: Mapping[str, pd.DataFrame]) -> bytes:
    r"""An Excel workbook with one sheet per table, formula cells neutralised.

    Text is neutralised exactly as :func:`csv_bytes` does (a leading ``'``), so no
    cell is ever a formula; numbers, booleans and dates stay typed. The header row
    is bold and frozen, with a filter; columns are sized to their content.

    Parameters
    ----------
    sheets
        Sheet name -> table, in order. Names are made valid for Excel (31
        characters, no ``: \ / ? * [ ]``, unique); the index is not written.

    Raises
    ------
    ValueError
        ``sheets`` is empty, or a text is longer than an Excel cell holds.
    """
    if not sheets:
        raise ValueError("xlsx_bytes needs at least one table to write")
    book = Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    bold = Font(bold=True)
    for name, frame in sheets.items():
        title = sheet_title(name, taken=taken)
        sheet = book.create_sheet(title)
        header = [_cell_value(column, where=f"sheet {title!r}, header") for column in frame.columns]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = bold
        widths = [len(str(h or "")) for h in header]
        for row_number, row in enumerate(frame.itertuples(index=False, name=None), start=2):
            values = [
                _cell_value(value, where=f"sheet {title!r}, row {row_number}, column {col!r}")
                for value, col in zip(row, frame.columns, strict=True)
            ]
            sheet.append(values)
            if row_number <= _WIDTH_ROWS:
                widths = [max(w, _display_len(v)) for w, v in zip(widths, values, strict=True)]
        for n, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(n)].width = min(
                max(width + 2, _WIDTH_MIN), _WIDTH_MAX
            )
        if header:
            sheet.freeze_panes = "A2"
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_title(name: object, *, taken: set[str]) -> str:
    """A valid, unique Excel sheet name for ``name``; adds it (lower-cased) to ``taken``."""
    title = ILLEGAL_CHARACTERS_RE.sub("", _SHEET_FORBIDDEN.sub("_", str(name)))
    title = title.strip().strip("'").strip() or "Sheet"
    if title.casefold() == "history":
        title = f"{title}_"
    title = title[:_SHEET_MAX].rstrip().rstrip("'")
    base, n = title, 1
    while title.casefold() in taken:
        n += 1
        suffix = f" ({n})"
        title = base[: _SHEET_MAX - len(suffix)].rstrip().rstrip("'") + suffix
    taken.add(title.casefold())
    return title


def _cell_value(value: object, *, where: str) -> object:
    """``value`` as openpyxl writes it: a number, bool, date or neutralised text."""
    if isinstance(value, np.datetime64 | np.timedelta64):
        value = pd.Timestamp(value) if isinstance(value, np.datetime64) else pd.Timedelta(value)
    elif isinstance(value, np.generic):
        value = value.item()
    # numpy's stubs type np.ndim's argument as array-like; at run time any object is one
    # (a scalar of any kind is 0-d), which is what this asks of a cell of unknown type
    if value is None or (np.ndim(value) == 0 and not isinstance(value, str) and pd.isna(value)):  # type: ignore[arg-type]
        return None
    if isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)  # Excel has no infinity
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    elif isinstance(value, pd.Timedelta):
        value = value.to_pytimedelta()
    if isinstance(value, dt.datetime | dt.time) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones: keep the offset as text
    if isinstance(value, dt.date | dt.time | dt.timedelta):
        return value
    text = value.wkt if isinstance(value, shapely.Geometry) else str(value)
    if len(text) > _CELL_MAX:
        raise ValueError(
            f"{where}: {len(text):,} characters, more than an Excel cell holds "
            f"({_CELL_MAX:,}); shorten the text or export CSV."
        )
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", neutralise(text))


def _display_len(value: object) -> int:
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)
