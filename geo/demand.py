"""Demand surfaces: regular square cells in a metric CRS holding population by group.

A demand grid is a GeoDataFrame with one row per kept cell (index ``0..n-1``):

``row``, ``col``
    Integer grid indices; row 0 is the NORTH edge, col 0 the WEST edge.
``zone``
    The id of the zone a cell was built from (only for grids built from zones).
``total``, ``children``, ``older``, ``disability``, ``carers``
    People of each group (:data:`GROUPS`), as expected counts (floats: a zone's
    total spread over its cells is rarely a whole number per cell).
``geometry``
    The square cell polygon, in the grid's metric CRS.

``frame.attrs["grid"]`` records the grid's frame, so that a column can be drawn as
an image (:func:`to_array`, :func:`grid_transform`)::

    {"x0": west edge, "y_top": north edge, "cell_m": side, "crs": "EPSG:32618",
     "n_rows": ..., "n_cols": ...}

Choice of CRS: by default the grid is drawn in the UTM zone of the area
(``area.estimate_utm_crs()``), because the app covers the whole of Latin America
and UTM is defined everywhere; for Bogotá that is EPSG:32618 (UTM 18N), whose scale
error there is about 0.03 %. EPSG:9377 (MAGNA-SIRGAS origen nacional), Colombia's
official projection, is as good for Colombian data (about 0.06 % at Bogotá) and can
be passed as ``crs``. A geographic CRS is refused: distances are never measured in
degrees.

The grid's origin is snapped to whole multiples of ``cell_m`` in the CRS, so two
grids with the same CRS and cell size line up cell for cell.

The module also holds :data:`SAMPLE_MODEL`, the documented model that turns the
bundled, approximate localidad populations into a demand grid for the Bogotá sample
(:func:`sample_demand`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from geo import catalog, vocab
from geo.access import present_geometries
from geo.errors import LayerError
from geo.layers import require_columns
from geo.vocab import LANGUAGES

log = logging.getLogger(__name__)

GROUPS: tuple[str, ...] = ("total", *vocab.DEMAND_GROUPS)
"""Population group columns of a demand grid, in display order."""

CELL_M = 100.0
"""Side of a demand-grid cell in metres: the one default for every grid the app builds
(sample, atlas, Gaps, Plan, slides, the command line)."""
MAX_CELLS = 2_000_000
"""Default cap on the cells of a grid's bounding box (``n_rows * n_cols``).

The bounding box, not the kept cells, is what costs memory: it is what
:func:`to_array` draws. Callers may pass another cap as ``max_cells``.
"""

GRID_ATTR = "grid"
ZONE_COL = "zone"
CellRule = Literal["centre", "intersects"]


# --------------------------------------------------------------------------- grid frame


@dataclass(frozen=True)
class GridFrame:
    """The frame of a regular grid: origin (north-west corner), cell size, shape, CRS."""

    x0: float
    y_top: float
    cell_m: float
    n_rows: int
    n_cols: int
    crs: str

    @classmethod
    def covering(cls, bounds: Sequence[float], *, cell_m: float, crs: str) -> GridFrame:
        """Return the frame of cells covering ``bounds`` with an origin snapped to ``cell_m``."""
        minx, miny, maxx, maxy = (float(v) for v in bounds)
        x0 = math.floor(minx / cell_m) * cell_m
        y_top = math.ceil(maxy / cell_m) * cell_m
        n_cols = max(1, math.ceil((maxx - x0) / cell_m))
        n_rows = max(1, math.ceil((y_top - miny) / cell_m))
        return cls(x0=x0, y_top=y_top, cell_m=cell_m, n_rows=n_rows, n_cols=n_cols, crs=crs)

    @property
    def n_cells(self) -> int:
        """Cells of the full rectangle (``n_rows * n_cols``)."""
        return self.n_rows * self.n_cols

    def centres(self, rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return the x and y of the centres of cells ``(rows, cols)``."""
        return (
            self.x0 + (cols + 0.5) * self.cell_m,
            self.y_top - (rows + 0.5) * self.cell_m,
        )

    def boxes(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Return the square polygons of cells ``(rows, cols)``."""
        xmin = self.x0 + cols * self.cell_m
        ymax = self.y_top - rows * self.cell_m
        return shapely.box(xmin, ymax - self.cell_m, xmin + self.cell_m, ymax)

    @classmethod
    def from_attrs(cls, record: Mapping[str, Any]) -> GridFrame:
        """Return the frame written by :meth:`as_attrs` (a ``KeyError`` if a field lacks)."""
        return cls(
            x0=float(record["x0"]),
            y_top=float(record["y_top"]),
            cell_m=float(record["cell_m"]),
            n_rows=int(record["n_rows"]),
            n_cols=int(record["n_cols"]),
            crs=str(record["crs"]),
        )

    def as_attrs(self) -> dict[str, Any]:
        """Return the ``frame.attrs["grid"]`` record."""
        return {
            "x0": self.x0,
            "y_top": self.y_top,
            "cell_m": self.cell_m,
            "crs": self.crs,
            "n_rows": self.n_rows,
            "n_cols": self.n_cols,
        }


def _crs_string(crs: Any) -> str:
    crs = CRS.from_user_input(crs)
    epsg = crs.to_epsg()
    return f"EPSG:{epsg}" if epsg is not None else crs.to_string()


def _metric_crs(frame: gpd.GeoDataFrame, crs: str | None, *, what: str) -> str:
    """Return the CRS to grid ``frame`` in: ``crs`` if given, else its UTM zone."""
    if frame.crs is None:
        raise LayerError(
            f"{what} has no CRS; set it (e.g. frame.set_crs('EPSG:4326') for longitude/latitude)."
        )
    target = CRS.from_user_input(crs) if crs is not None else frame.estimate_utm_crs()
    if not target.is_projected or target.axis_info[0].unit_name not in ("metre", "meter"):
        raise LayerError(
            f"CRS {_crs_string(target)} is not a projected CRS in metres; grids are never "
            "drawn in degrees: pass a metric CRS such as the UTM zone or EPSG:9377 (Colombia)."
        )
    return _crs_string(target)


def _check_cell_m(cell_m: float) -> float:
    try:
        cell_m = float(cell_m)
    except (TypeError, ValueError):
        raise LayerError(
            f"cell_m = {cell_m!r} is not a number; give the cell side in metres."
        ) from None
    if not math.isfinite(cell_m) or cell_m <= 0:
        raise LayerError(f"cell_m = {cell_m} must be a positive number of metres (e.g. 100).")
    return cell_m


def _check_cap(frame: GridFrame, max_cells: int | None) -> None:
    cap = MAX_CELLS if max_cells is None else int(max_cells)
    if frame.n_cells > cap:
        side_m = frame.cell_m * math.sqrt(frame.n_cells / cap)
        raise LayerError(
            f"a {frame.cell_m:g} m grid over this area needs {frame.n_rows} x {frame.n_cols} = "
            f"{frame.n_cells:,} cells, over the cap of {cap:,}; raise cell_m to at least "
            f"{math.ceil(side_m)} m or clip the area."
        )


# --------------------------------------------------------------------------- numeric core


def _ranges(lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Flatten integer ranges ``lo[i]..hi[i]`` (inclusive) into ``(owner, value)`` arrays."""
    counts = np.maximum(hi - lo + 1, 0)
    owner = np.repeat(np.arange(len(lo)), counts)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    value = np.repeat(lo, counts) + (np.arange(counts.sum()) - starts)
    return owner, value


def _candidate_cells(
    bounds: np.ndarray, frame: GridFrame, *, rule: CellRule
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(geometry index, row, col)`` of the cells each bounding box may hold.

    ``rule="centre"``: cells whose centre lies in the box; ``"intersects"``: cells
    whose square meets the box.
    """
    minx, miny, maxx, maxy = bounds.T
    fx0 = (minx - frame.x0) / frame.cell_m
    fx1 = (maxx - frame.x0) / frame.cell_m
    fy0 = (frame.y_top - maxy) / frame.cell_m
    fy1 = (frame.y_top - miny) / frame.cell_m
    if rule == "centre":
        c0, c1 = np.ceil(fx0 - 0.5), np.floor(fx1 - 0.5)
        r0, r1 = np.ceil(fy0 - 0.5), np.floor(fy1 - 0.5)
    else:
        c0, c1 = np.floor(fx0), np.floor(fx1)
        r0, r1 = np.floor(fy0), np.floor(fy1)
    c0 = np.clip(c0, 0, frame.n_cols - 1).astype(np.int64)
    c1 = np.clip(c1, -1, frame.n_cols - 1).astype(np.int64)
    r0 = np.clip(r0, 0, frame.n_rows - 1).astype(np.int64)
    r1 = np.clip(r1, -1, frame.n_rows - 1).astype(np.int64)
    # Expand each box's row range, then each (box, row) pair's column range.
    owner_r, rows = _ranges(r0, r1)
    owner_c, cols = _ranges(c0[owner_r], c1[owner_r])
    return owner_r[owner_c], rows[owner_c], cols


def assign_cells(
    geoms: np.ndarray, frame: GridFrame, *, rule: CellRule = "centre"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Assign grid cells to geometries (the numeric core of :func:`make_grid`).

    Parameters
    ----------
    geoms
        Geometries in the frame's CRS.
    frame
        The grid frame.
    rule
        ``"centre"``: a cell belongs to a geometry holding its centre (boundary
        included); ``"intersects"``: to a geometry its square meets.

    Returns
    -------
    owner, rows, cols
        One entry per kept cell, ordered north to south then west to east; ``owner``
        is the position in ``geoms`` of the first geometry the cell belongs to.
    """
    bounds = shapely.bounds(geoms)
    owner, rows, cols = _candidate_cells(bounds, frame, rule=rule)
    if len(owner):
        shapely.prepare(geoms)
        if rule == "centre":
            xs, ys = frame.centres(rows, cols)
            hit = shapely.intersects_xy(geoms[owner], xs, ys)
        else:
            hit = shapely.intersects(geoms[owner], frame.boxes(rows, cols))
        owner, rows, cols = owner[hit], rows[hit], cols[hit]
    # Candidates come in geometry order: np.unique keeps each cell's first owner.
    cell_id = rows * frame.n_cols + cols
    _, first = np.unique(cell_id, return_index=True)
    return owner[first], rows[first], cols[first]


# --------------------------------------------------------------------------- grids


def _grid_frame(
    rows: np.ndarray, cols: np.ndarray, frame: GridFrame, columns: Mapping[str, Any]
) -> gpd.GeoDataFrame:
    data = {"row": rows.astype(np.int64), "col": cols.astype(np.int64), **columns}
    out = gpd.GeoDataFrame(
        data, geometry=frame.boxes(rows, cols), crs=frame.crs, index=pd.RangeIndex(len(rows))
    )
    out.attrs[GRID_ATTR] = frame.as_attrs()
    return out


def make_grid(
    area: gpd.GeoDataFrame,
    *,
    cell_m: float = CELL_M,
    crs: str | None = None,
    rule: CellRule = "centre",
    max_cells: int | None = None,
) -> gpd.GeoDataFrame:
    """Cover an area with square cells in a metric CRS.

    Parameters
    ----------
    area
        Features with a defined CRS (any geometry type); the grid covers them all.
    cell_m
        Side of a cell in metres.
    crs
        Metric CRS of the grid; default: the area's UTM zone
        (``area.estimate_utm_crs()``). ``"EPSG:9377"`` suits Colombian data.
    rule
        ``"centre"`` (default): keep cells whose centre lies in the area (boundary
        included); ``"intersects"``: keep every cell that meets the area (use it for
        points, or to be sure no part of a polygon is left without a cell).
    max_cells
        Cap on the cells of the grid's bounding box (default :data:`MAX_CELLS`).

    Returns
    -------
    geopandas.GeoDataFrame
        ``row``, ``col`` and the cell squares, index ``0..n-1``, ordered north to
        south then west to east, with ``attrs["grid"]`` (see the module docstring).

    Raises
    ------
    LayerError
        If the area has no CRS or no geometry, ``cell_m`` is not positive, ``crs`` is
        not metric, or the grid would exceed the cap.
    """
    cell_m = _check_cell_m(cell_m)
    geoms, frame = _covering_grid(
        area,
        crs,
        cell_m=cell_m,
        max_cells=max_cells,
        what="the area",
        empty="the area is empty; give at least one polygon to grid.",
    )
    _, rows, cols = assign_cells(geoms, frame, rule=rule)
    if not len(rows):
        raise LayerError(
            f"no {cell_m:g} m cell has its centre in the area; use a smaller cell_m "
            "or rule='intersects'."
        )
    log.debug("grid: %d of %d cells at %g m in %s", len(rows), frame.n_cells, cell_m, frame.crs)
    return _grid_frame(rows, cols, frame, {})


def _covering_grid(
    layer: gpd.GeoDataFrame,
    crs: str | None,
    *,
    cell_m: float,
    max_cells: int | None,
    what: str,
    empty: str,
) -> tuple[np.ndarray, GridFrame]:
    """Return the layer's geometries in a metric CRS and the grid frame covering them.

    Raises :class:`LayerError` with ``empty`` for an empty layer, or when the CRS is not
    metric, a geometry is missing or the grid would exceed ``max_cells``.
    """
    target = _metric_crs(layer, crs, what=what)
    if layer.empty:
        raise LayerError(empty)
    geoms = present_geometries(layer.to_crs(target), what=what)
    frame = GridFrame.covering(shapely.total_bounds(geoms), cell_m=cell_m, crs=target)
    _check_cap(frame, max_cells)
    return geoms, frame


def _value_matrix(
    frame: pd.DataFrame, value_cols: Sequence[str], *, what: str
) -> dict[str, np.ndarray]:
    require_columns(frame, value_cols, what=what, fix="rename a column or choose others.")
    values: dict[str, np.ndarray] = {}
    for col in value_cols:
        series = frame[col]
        if not (pd.api.types.is_numeric_dtype(series) and not pd.api.types.is_bool_dtype(series)):
            raise LayerError(
                f"{what}: column {col!r} is {series.dtype}, not numeric; give counts of people."
            )
        array = series.to_numpy(dtype=float, na_value=np.nan)
        bad = ~np.isfinite(array) | (array < 0)
        if bad.any():
            first = frame.index[np.flatnonzero(bad)[0]]
            raise LayerError(
                f"{what}: column {col!r} has {int(bad.sum())} missing, infinite or negative "
                f"value(s) (first at feature {first!r}); fill them (e.g. 0) or drop the rows."
            )
        values[col] = array
    return values


def spread_zone_totals(
    zones: gpd.GeoDataFrame,
    *,
    value_cols: Sequence[str],
    zone_col: str,
    cell_m: float = CELL_M,
    crs: str | None = None,
    max_cells: int | None = None,
) -> gpd.GeoDataFrame:
    """Spread zone totals uniformly over the cells whose centre lies in each zone.

    Each zone's cells sum to its totals (up to floating-point rounding, about 1e-12
    relative). A cell whose centre lies on an edge shared by two zones goes to the
    first of them in ``zones``' order.

    A zone too small to hold a cell centre gets exactly one cell: the cell at its
    representative point (``shapely.point_on_surface``), taken over from the zone
    that held it if need be (that zone's totals are then spread over its other
    cells). If that cell is the only cell of another zone, or two small zones fall
    in the same cell, a :class:`LayerError` asks for a smaller ``cell_m``.

    Parameters
    ----------
    zones
        Polygons with a defined CRS, an id column and one column per total.
    value_cols
        Columns holding counts (non-negative numbers, no missing values).
    zone_col
        Id column, copied to the output as ``zone``.
    cell_m, crs, max_cells
        As in :func:`make_grid`.

    Returns
    -------
    geopandas.GeoDataFrame
        ``row``, ``col``, ``zone``, one float column per ``value_cols`` and the cell
        squares, with ``attrs["grid"]``.
    """
    cell_m = _check_cell_m(cell_m)
    if zone_col not in zones.columns:
        raise LayerError(
            f"the zones lack the id column {zone_col!r}; pass zone_col= one of "
            f"{', '.join(map(str, zones.columns))}."
        )
    values = _value_matrix(zones, value_cols, what="the zones")
    geoms, frame = _covering_grid(
        zones,
        crs,
        cell_m=cell_m,
        max_cells=max_cells,
        what="the zones",
        empty="the zones are empty; give at least one polygon.",
    )
    owner, rows, cols = assign_cells(geoms, frame, rule="centre")
    owner, rows, cols = _give_small_zones_a_cell(
        geoms, owner, rows, cols, frame, ids=zones[zone_col].to_numpy()
    )
    order = np.lexsort((cols, rows))
    owner, rows, cols = owner[order], rows[order], cols[order]

    n_cells = np.bincount(owner, minlength=len(geoms))
    columns: dict[str, Any] = {ZONE_COL: zones[zone_col].to_numpy()[owner]}
    for col, totals in values.items():
        columns[col] = totals[owner] / n_cells[owner]
    log.debug("spread %d zones over %d cells at %g m", len(geoms), len(rows), cell_m)
    return _grid_frame(rows, cols, frame, columns)


def _give_small_zones_a_cell(
    geoms: np.ndarray,
    owner: np.ndarray,
    rows: np.ndarray,
    cols: np.ndarray,
    frame: GridFrame,
    *,
    ids: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    empty = np.setdiff1d(np.arange(len(geoms)), owner)
    if not len(empty):
        return owner, rows, cols
    owner, rows, cols = owner.copy(), rows.copy(), cols.copy()
    points = shapely.point_on_surface(geoms[empty])
    px, py = shapely.get_x(points), shapely.get_y(points)
    prow = np.clip(np.floor((frame.y_top - py) / frame.cell_m), 0, frame.n_rows - 1)
    pcol = np.clip(np.floor((px - frame.x0) / frame.cell_m), 0, frame.n_cols - 1)
    position = {(int(r), int(c)): i for i, (r, c) in enumerate(zip(rows, cols, strict=True))}
    taken_by_small: dict[tuple[int, int], int] = {}
    extra = []
    for zone, r, c in zip(empty, prow.astype(np.int64), pcol.astype(np.int64), strict=True):
        key = (int(r), int(c))
        if key in taken_by_small:
            raise LayerError(
                f"zones {ids[taken_by_small[key]]!r} and {ids[zone]!r} are both too small to "
                f"hold a {frame.cell_m:g} m cell centre and fall in the same cell; use a smaller "
                "cell_m, or interpolate() for small polygons such as census blocks."
            )
        taken_by_small[key] = zone
        i = position.get(key)
        if i is None:
            extra.append((zone, *key))
            continue
        holder = owner[i]
        if np.count_nonzero(owner == holder) == 1:
            raise LayerError(
                f"zone {ids[zone]!r} is too small to hold a {frame.cell_m:g} m cell centre and "
                f"its cell is the only cell of zone {ids[holder]!r}; use a smaller cell_m."
            )
        owner[i] = zone
    log.info(
        "%d zone(s) too small for a %g m cell centre got the cell at their representative point",
        len(empty),
        frame.cell_m,
    )
    if extra:
        add = np.array(extra, dtype=np.int64).reshape(-1, 3)
        owner = np.concatenate([owner, add[:, 0]])
        rows = np.concatenate([rows, add[:, 1]])
        cols = np.concatenate([cols, add[:, 2]])
    return owner, rows, cols


# --------------------------------------------------------------------------- reading grids


def grid_frame(grid: gpd.GeoDataFrame) -> GridFrame:
    """Return a grid's frame, from ``attrs["grid"]`` or, if lost, from its cells.

    A grid read back from a file has lost ``attrs``: the frame is then rebuilt from
    ``row``, ``col`` and the cell squares (the rebuilt ``n_rows`` and ``n_cols``
    stop at the last kept cell).

    Raises
    ------
    LayerError
        If the frame is not a regular grid of squares with ``row`` and ``col``.
    """
    meta = grid.attrs.get(GRID_ATTR)
    if meta:
        return GridFrame.from_attrs(meta)
    return _infer_frame(grid)


def _infer_frame(grid: gpd.GeoDataFrame) -> GridFrame:
    hint = "build it with geo.demand.make_grid or interpolate your layer onto one"
    if not {"row", "col"} <= set(grid.columns) or grid.empty:
        raise LayerError(f"not a demand grid: it needs cells with 'row' and 'col'; {hint}.")
    if grid.crs is None:
        raise LayerError("the grid has no CRS; set its metric CRS (e.g. EPSG:32618).")
    if not grid.crs.is_projected:
        raise LayerError(f"the grid's CRS {_crs_string(grid.crs)} is not metric; {hint}.")
    rows = grid["row"].to_numpy()
    cols = grid["col"].to_numpy()
    if not (np.issubdtype(rows.dtype, np.integer) and np.issubdtype(cols.dtype, np.integer)):
        raise LayerError(f"not a demand grid: 'row' and 'col' must be integers; {hint}.")
    bounds = shapely.bounds(np.asarray(grid.geometry.values, dtype=object))
    width = bounds[:, 2] - bounds[:, 0]
    height = bounds[:, 3] - bounds[:, 1]
    cell_m = float(np.median(width))
    x0 = bounds[:, 0] - cols * cell_m
    y_top = bounds[:, 3] + rows * cell_m
    tol = 1e-6 * max(cell_m, 1.0) + 1e-6
    regular = (
        cell_m > 0
        and np.allclose(width, cell_m, atol=tol)
        and np.allclose(height, cell_m, atol=tol)
        and np.ptp(x0) <= 1e3 * tol
        and np.ptp(y_top) <= 1e3 * tol
        and rows.min() >= 0
        and cols.min() >= 0
    )
    if not regular:
        raise LayerError(
            f"not a regular grid: cells are not squares of one size placed by 'row' and 'col'; "
            f"{hint}."
        )
    return GridFrame(
        x0=float(np.median(x0)),
        y_top=float(np.median(y_top)),
        cell_m=cell_m,
        n_rows=int(rows.max()) + 1,
        n_cols=int(cols.max()) + 1,
        crs=_crs_string(grid.crs),
    )


def is_grid(frame: gpd.GeoDataFrame) -> bool:
    """Return whether ``frame`` is a regular demand grid (see :func:`grid_frame`)."""
    try:
        grid_frame(frame)
    except LayerError:
        return False
    return True


def with_grid_attrs(grid: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return a copy of ``grid`` with ``attrs["grid"]`` set (e.g. after reading a file)."""
    out = grid.copy()
    out.attrs[GRID_ATTR] = grid_frame(grid).as_attrs()
    return out


def grid_shape(grid: gpd.GeoDataFrame) -> tuple[int, int]:
    """Return ``(n_rows, n_cols)`` of the grid's full rectangle."""
    frame = grid_frame(grid)
    return frame.n_rows, frame.n_cols


def grid_transform(grid: gpd.GeoDataFrame) -> tuple[float, float, float]:
    """Return ``(x0, y_top, cell_m)``: the north-west corner and the cell side, in metres.

    Cell ``(row, col)`` spans ``x0 + col * cell_m`` to ``x0 + (col + 1) * cell_m`` and
    ``y_top - (row + 1) * cell_m`` to ``y_top - row * cell_m`` in the grid's CRS
    (``attrs["grid"]["crs"]``).
    """
    frame = grid_frame(grid)
    return frame.x0, frame.y_top, frame.cell_m


def to_array(grid: gpd.GeoDataFrame, column: str) -> np.ndarray:
    """Return a column as a 2-D float array, ``NaN`` where the grid has no cell.

    Row 0 of the array is the north edge and column 0 the west edge, as in an image;
    booleans become 0.0 and 1.0.
    """
    if column not in grid.columns:
        raise LayerError(
            f"the grid has no column {column!r}; choose one of {', '.join(map(str, grid.columns))}."
        )
    frame = grid_frame(grid)
    series = grid[column]
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        raise LayerError(f"column {column!r} is {series.dtype}, not numeric; it cannot be drawn.")
    out = np.full((frame.n_rows, frame.n_cols), np.nan)
    out[grid["row"].to_numpy(), grid["col"].to_numpy()] = series.to_numpy(
        dtype=float, na_value=np.nan
    )
    return out


# --------------------------------------------------------------------------- interpolation


def _metric_grid_crs(grid: gpd.GeoDataFrame) -> CRS:
    if grid.crs is None:
        raise LayerError("the grid has no CRS; build it with make_grid or set its metric CRS.")
    if not grid.crs.is_projected:
        raise LayerError(
            f"the grid's CRS {_crs_string(grid.crs)} is not projected; "
            "grids are metric: build it with make_grid."
        )
    return grid.crs


def interpolate(
    source: gpd.GeoDataFrame, grid: gpd.GeoDataFrame, *, value_cols: Sequence[str]
) -> gpd.GeoDataFrame:
    """Move counts from a demand layer onto grid cells.

    Polygons (census blocks, another grid) are interpolated by area: a cell receives
    ``value * area(polygon ∩ cell) / area(polygon)`` from each polygon it meets
    (counts are extensive). Points add their counts to the cell that contains them
    (a point on an edge shared by two cells goes to the first of them in ``grid``).

    Parameters
    ----------
    source
        Polygons and/or points with a defined CRS and the count columns; it is
        projected to the grid's CRS. Invalid polygons are repaired
        (``shapely.make_valid``) with a logged warning.
    grid
        Polygons in a metric CRS, usually from :func:`make_grid`.
    value_cols
        Count columns of ``source`` (non-negative, no missing values).

    Returns
    -------
    geopandas.GeoDataFrame
        A copy of ``grid`` with one float column per ``value_cols`` (replacing any of
        the same name). ``attrs["outside"]`` maps each column to the count that fell
        outside every cell (0.0 when the grid covers the source), so none is lost
        silently.

    Raises
    ------
    LayerError
        If either frame lacks a CRS, the grid is not metric, a column is missing or
        not a count, or a feature is neither a polygon nor a point.
    """
    target = _metric_grid_crs(grid)
    if source.crs is None:
        raise LayerError(
            "the demand layer has no CRS; set it (e.g. EPSG:4326 for longitude/latitude) "
            "so it can be placed on the grid."
        )
    values = _value_matrix(source, value_cols, what="the demand layer")
    geoms = present_geometries(source.to_crs(target), what="the demand layer")
    kinds = shapely.get_type_id(geoms)
    is_point = kinds == shapely.GeometryType.POINT
    is_poly = np.isin(kinds, [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON])
    other = ~(is_point | is_poly)
    if other.any():
        position = np.flatnonzero(other)[0]
        raise LayerError(
            f"the demand layer: feature {source.index[position]!r} is a "
            f"{geoms[position].geom_type}; "
            "demand must be polygons (areas) or points (explode multipoints, drop lines)."
        )
    cells = np.asarray(grid.geometry.values, dtype=object)
    tree = shapely.STRtree(cells)
    weights_src: list[np.ndarray] = []
    weights_cell: list[np.ndarray] = []
    weights: list[np.ndarray] = []

    poly_idx = np.flatnonzero(is_poly)
    if len(poly_idx):
        polys = geoms[poly_idx]
        invalid = ~shapely.is_valid(polys)
        if invalid.any():
            log.warning("repairing %d invalid demand polygon(s) with make_valid", invalid.sum())
            polys = polys.copy()
            polys[invalid] = shapely.make_valid(polys[invalid])
        area = shapely.area(polys)
        flat = area <= 0
        if flat.any():
            first = source.index[poly_idx[np.flatnonzero(flat)[0]]]
            raise LayerError(
                f"the demand layer: polygon {first!r} has no area; repair or drop it "
                f"({int(flat.sum())} such polygon(s))."
            )
        src, cell = tree.query(polys, predicate="intersects")
        overlap = shapely.area(shapely.intersection(polys[src], cells[cell]))
        weights_src.append(poly_idx[src])
        weights_cell.append(cell)
        weights.append(overlap / area[src])

    point_idx = np.flatnonzero(is_point)
    if len(point_idx):
        src, cell = tree.query(geoms[point_idx], predicate="intersects")
        _, first = np.unique(src, return_index=True)  # query output is sorted by input
        weights_src.append(point_idx[src[first]])
        weights_cell.append(cell[first])
        weights.append(np.ones(len(first)))

    src = np.concatenate(weights_src) if weights_src else np.empty(0, dtype=np.int64)
    cell = np.concatenate(weights_cell) if weights_cell else np.empty(0, dtype=np.int64)
    weight = np.concatenate(weights) if weights else np.empty(0)
    out = grid.copy()
    outside: dict[str, float] = {}
    for col, vals in values.items():
        moved = np.bincount(cell, weights=vals[src] * weight, minlength=len(cells))
        out[col] = moved
        lost = float(vals.sum() - moved.sum())
        outside[col] = lost if abs(lost) > 1e-9 * max(float(vals.sum()), 1.0) else 0.0
    out.attrs = {**grid.attrs, "outside": outside}
    if any(outside.values()):
        log.info("demand outside the grid: %s", outside)
    return out


# --------------------------------------------------------------------------- Bogotá sample


@dataclass(frozen=True)
class GroupShare:
    """Share of a localidad's population counted in one group, with its provenance."""

    group: str
    share: float
    formula: str
    source: str
    assumption: Mapping[str, str]
    label: Mapping[str, str]


def group_share(shares: Sequence[GroupShare], group: str, *, whole: Sequence[str]) -> float:
    """Return the share of ``group`` among ``shares``, 1.0 for a name of the ``whole``.

    Raises
    ------
    KeyError
        If ``group`` has no share.
    """
    if group in whole:
        return 1.0
    for item in shares:
        if item.group == group:
            return item.share
    raise KeyError(group)


@dataclass(frozen=True)
class SampleModel:
    """How the bundled Bogotá demand grid is modelled, figure by figure.

    ``total`` is each localidad's approximate 2024 population; every other group is
    ``total * share``, the same share everywhere (no local variation is modelled).
    """

    population_col: str
    zone_col: str
    city_population: int
    city_population_source: str
    shares: tuple[GroupShare, ...]
    excluded_zones: tuple[str, ...]
    excluded_reason: Mapping[str, str]
    note: Mapping[str, str]
    figures: Mapping[str, tuple[float, str]] = field(default_factory=dict)

    def share(self, group: str) -> float:
        """Return the share of ``group`` (1.0 for ``total``)."""
        return group_share(self.shares, group, whole=("total",))

    def explain(self, language: str = "en") -> list[str]:
        """Return one line per figure for a "How was this computed?" panel."""
        lines = [self.note[language]]
        for item in self.shares:
            line = f"{item.label[language]}: {item.share:.2%} = {item.formula} ({item.source})"
            if item.assumption.get(language):
                line += f". {item.assumption[language]}"
            lines.append(line)
        lines.append(self.excluded_reason[language])
        return lines


_CITY = 7_929_539
_DANE = "DANE 2024 population projections for Bogotá, as compiled in the Care Atlas facts file §1"

SAMPLE_MODEL = SampleModel(
    population_col="population_2024",
    zone_col="code",
    city_population=_CITY,
    city_population_source=f"{_DANE}: 7,929,539 people",
    shares=(
        GroupShare(
            group="children",
            share=1_131_797 / _CITY / 2,
            formula="1,131,797 (under 12) / 7,929,539 / 2",
            source=f"{_DANE}: under 12: 1,131,797",
            assumption=catalog.per_language("demand_children_assumption"),
            label=catalog.per_language("demand_children_label"),
        ),
        GroupShare(
            group="older",
            share=(396_593 + 826_848) / _CITY,
            formula="(396,593 aged 60-64 + 826,848 aged 65+) / 7,929,539",
            source=f"{_DANE}: aged 60-64: 396,593; 65 and over: 826,848",
            assumption=dict.fromkeys(LANGUAGES, ""),
            label=catalog.per_language("demand_older_label"),
        ),
        GroupShare(
            group="disability",
            share=0.0672,
            formula="6.72 % (San Cristóbal)",
            source="Care Atlas facts file §1: 6.72 % of people in San Cristóbal have a disability",
            assumption=catalog.per_language("demand_disability_assumption"),
            label=catalog.per_language("demand_disability_label"),
        ),
        GroupShare(
            group="carers",
            share=1_200_000 / _CITY,
            formula="1,200,000 / 7,929,539",
            source="Care Atlas facts file §1: 3.6 million women in Bogotá do unpaid care work; "
            "for 1.2 million it is their main activity",
            assumption=catalog.per_language("demand_carers_assumption"),
            label=catalog.per_language("demand_carers_label"),
        ),
    ),
    excluded_zones=("20",),
    excluded_reason=catalog.per_language("demand_sample_excluded"),
    note=catalog.per_language("demand_sample_note"),
    figures={
        "city_population": (_CITY, f"{_DANE}: 7,929,539 people"),
        "under_12": (1_131_797, f"{_DANE}: under 12: 1,131,797"),
        "aged_60_64": (396_593, f"{_DANE}: aged 60-64: 396,593"),
        "aged_65_plus": (826_848, f"{_DANE}: 65 and over: 826,848"),
        "disability_share_san_cristobal": (
            0.0672,
            "Care Atlas facts file §1: San Cristóbal: 6.72 % of people have a disability",
        ),
        "carers_main_activity": (
            1_200_000,
            "Care Atlas facts file §1: 1.2 million women in Bogotá whose main activity is "
            "unpaid care",
        ),
    },
)
"""The model behind :func:`sample_demand` (figures with their sources)."""


def sample_demand(
    localidades: gpd.GeoDataFrame,
    *,
    cell_m: float = CELL_M,
    model: SampleModel = SAMPLE_MODEL,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Build the modelled demand grid of the bundled Bogotá sample.

    Parameters
    ----------
    localidades
        The bundled ``localidades`` layer (``code``, ``population_2024``, polygons).
    cell_m
        Cell side in metres.
    model
        Shares and exclusions (default :data:`SAMPLE_MODEL`).
    crs
        Metric CRS; default the UTM zone (EPSG:32618 for Bogotá).

    Returns
    -------
    geopandas.GeoDataFrame
        ``row``, ``col``, ``zone`` (localidad code), the :data:`GROUPS` columns and
        the cells, with ``attrs["grid"]`` and ``attrs["model"]`` (``{"es", "en"}``
        note saying the surface is modelled, not census data). Sumapaz is left out
        (see ``model.excluded_reason``).
    """
    for col in (model.zone_col, model.population_col):
        if col not in localidades.columns:
            raise LayerError(
                f"the localidades layer lacks {col!r}; use the bundled 'localidades' layer."
            )
    kept = localidades[~localidades[model.zone_col].isin(model.excluded_zones)]
    population = kept[model.population_col].to_numpy(dtype=float)
    zones = gpd.GeoDataFrame(
        {
            "zone_id": kept[model.zone_col].to_numpy(),
            **{group: population * model.share(group) for group in GROUPS},
        },
        geometry=kept.geometry.to_numpy(),
        crs=kept.crs,
    )
    out = spread_zone_totals(
        zones, value_cols=list(GROUPS), zone_col="zone_id", cell_m=cell_m, crs=crs
    )
    out.attrs["model"] = dict(model.note)
    out.attrs["explain"] = {lang: model.explain(lang) for lang in ("es", "en")}
    out.attrs["excluded"] = dict(model.excluded_reason)
    log.info("sample demand: %d cells at %g m, %.0f people", len(out), cell_m, out["total"].sum())
    return out
