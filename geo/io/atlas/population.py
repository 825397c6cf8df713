"""Dasymetric demand for Bogotá from the SDP / DANE population projections.

One job, one module (about 1,600 lines): the dasymetric demand model, its checks
against the published totals, and the text that documents each run's figures.

The published 2024 population of each UPZ (total and 60+) is spread over the city
blocks (IDECA manzanas catastrales) whose representative point lies in the UPZ, in
proportion to block area, and from the blocks onto the 100 m demand grid the pages
use (the grid format of :mod:`geo.demand`), each block's people going to the cells
its area overlaps, in proportion to the overlap.

The people of a localidad who live outside every UPZ (its rural part: the localidad
total minus the sum of its UPZ) go to the localidad's blocks outside every UPZ (the
rural centres), or, if it has none, uniformly over its area outside every UPZ.

Each cell holds the people of ONE UPZ (or of one localidad's rural remainder), the
one that put most people in it: ``upz`` and ``zone`` (localidad) label it, and the
people a UPZ's blocks put in a cell labelled with a neighbour are spread over the
UPZ's own cells in proportion to what its blocks put there. So the cells labelled
with a UPZ sum exactly to the published UPZ figure, the cells of a localidad to the
localidad figure and the grid to the city figure (8,034,649 in 2024); the report
counts the people so shifted (:attr:`DemandReport.people_shifted`).

Groups: ``older`` (60+) is the UPZ's published 60+; ``children`` (0-5) is each
UPZ's total times its localidad's 0-5 share in the census base year (2018), scaled
so the city total is the published one for the year (the 2024 localidad age
structure is not plausible: see :func:`cohort_ratios`); ``disability`` and
``carers`` are modelled as fixed shares of the total (:data:`DISABILITY_SHARE`,
:data:`CARERS_SHARE`). :class:`DemandModel` states every figure, formula, source
and vintage for the "How was this computed?" panel.

Options measured on the official layers (43,944 blocks, 2 cores): the default takes
about 2.5 s and gives about 40,000 cells; ``allocation="point"`` (each block to the
cell of its representative point) 1.2 s and 22,000 cells, leaving gaps between
blocks; ``rural="area"`` (rural people spread uniformly outside the UPZ) 25 s and
164,000 cells, most nearly empty; ``weight_col`` shares a UPZ among its blocks by a
per-block weight (e.g. address points) instead of area.

The numeric core (:func:`cell_weights`, :func:`allocate`) works on plain arrays;
:func:`dasymetric_demand` is the GeoDataFrame adapter.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo import catalog
from geo.demand import (
    CELL_M,
    GROUPS,
    SAMPLE_MODEL,
    GridFrame,
    GroupShare,
    _candidate_cells,
    _check_cap,
    _check_cell_m,
    _grid_frame,
    _metric_crs,
    group_share,
)
from geo.errors import LayerError
from geo.layers import require_columns

log = logging.getLogger(__name__)

Allocation = Literal["overlap", "point"]

COLUMNS: tuple[str, ...] = ("population", *GROUPS)
"""Count columns of the grid: ``population`` (total people) and the :data:`GROUPS`."""

POPULATION_SOURCE = "SDP – DANE, proyecciones de población CNPV 2018"
BLOCKS_SOURCE = "IDECA manzanas catastrales (Datos Abiertos Bogotá, CC BY 4.0; ≤ 2022-06)"
UPZ_SOURCE = "IDECA, UPZ (capa UPla, límites de 2016)"
LOCALIDADES_SOURCE = "IDECA, localidades (2022)"


def _sample_share(group: str) -> GroupShare:
    for item in SAMPLE_MODEL.shares:
        if item.group == group:
            return item
    raise KeyError(group)  # pragma: no cover - geo.demand defines both groups


DISABILITY_SHARE: GroupShare = _sample_share("disability")
"""Persons with disabilities: 6.72 % of people (San Cristóbal's figure, facts file §1).

The same share as the bundled sample (:data:`geo.demand.SAMPLE_MODEL`), so that the
sample and the atlas model this group alike.
"""

CARERS_SHARE: GroupShare = _sample_share("carers")
"""Unpaid carers: 1,200,000 / 7,929,539 = 15.13 % of people (facts file §1)."""


UPZ_COLUMNS = ("code", "number", "kind", "geometry")
LOCALIDAD_COLUMNS = ("code", "geometry")
POP_UPZ_COLUMNS = ("upz", "localidad", "year", "total", "age_60_plus")
POP_LOCALIDAD_COLUMNS = ("localidad", "year", "total", "age_0_5", "age_60_plus")


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class RemainderSpread:
    """Where one localidad's population outside every UPZ was placed."""

    localidad: str
    people: float
    spread_over: Literal["blocks", "area", "localidad"]
    units: int
    area_km2: float
    area_outside_upz_km2: float

    @property
    def people_per_km2(self) -> float:
        """People per km² of the blocks or area they were spread over."""
        return self.people / self.area_km2 if self.area_km2 > 0 else math.inf


@dataclass(frozen=True)
class DemandReport:
    """Counts and checks of one :func:`dasymetric_demand` run (nothing is dropped silently).

    Attributes
    ----------
    cells, frame_cells
        Kept cells, and cells of the grid's bounding box (what a raster costs).
    memory_mb
        The grid's memory as pandas counts it (``memory_usage(deep=True)``).
    blocks_in_upz, blocks_outside_upz
        Blocks whose representative point lies in a UPZ / in none (the latter
        include ``blocks_outside_everything``, in no localidad either, which hold
        nobody); ``_km2``: their area.
    blocks_outside_upz_populated
        Blocks outside every UPZ that received their localidad's rural people.
    blocks_unusable, blocks_repaired
        Blocks without a polygon area (skipped), invalid polygons repaired.
    upz_without_blocks
        UPZ holding no block: their people are spread uniformly over the UPZ.
    upz_polygons_without_population, upz_localidad_mismatch
        UPZ polygons with no population row (no people); UPZ whose polygon's
        localidad differs from the table's (the table's is used).
    remainders
        Per localidad with people outside every UPZ, where they were placed.
    max_upz_error, max_localidad_error
        Largest ``|sum of the cells - published figure|`` over UPZ / localidades.
    people_shifted
        People moved from a cell held by another UPZ onto their own UPZ's cells.
    children_scale
        Factor applied to the structure-year 0-5 shares to meet the year's total.
    weight_fallback
        Groups shared by area because all their blocks weigh 0 (``weight_col``).
    cohort_ratio_range
        Per year, the range over localidades of the 0-5 / 6-11 ratio.
    """

    year: int
    age_structure_year: int
    crs: str
    cell_m: float
    allocation: str
    weight: str
    cells: int
    frame_cells: int
    memory_mb: float
    seconds: float
    blocks: int
    blocks_in_upz: int
    blocks_in_upz_km2: float
    blocks_outside_upz: int
    blocks_outside_upz_km2: float
    blocks_outside_upz_populated: int
    blocks_outside_everything: int
    blocks_outside_everything_km2: float
    blocks_unusable: int
    blocks_repaired: int
    upz: int
    upz_without_blocks: tuple[str, ...]
    upz_polygons_without_population: tuple[str, ...]
    upz_localidad_mismatch: tuple[str, ...]
    remainders: tuple[RemainderSpread, ...]
    city_total: float
    published_city_total: float
    max_upz_error: float
    max_localidad_error: float
    people_shifted: float
    children_scale: float
    weight_fallback: tuple[str, ...] = ()
    cohort_ratio_range: Mapping[int, tuple[float, float]] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, Any]:
        """Return the report as plain JSON-friendly values (for the atlas report)."""
        out = asdict(self)
        out["cohort_ratio_range"] = {str(k): list(v) for k, v in self.cohort_ratio_range.items()}
        out["remainders"] = [
            {**asdict(r), "people_per_km2": r.people_per_km2} for r in self.remainders
        ]
        return out


@dataclass(frozen=True)
class DemandModel:
    """How the atlas demand grid is modelled, figure by figure, in Spanish and English.

    ``lines`` holds, per language, one line per figure (formula, figures, source and
    vintage); :meth:`explain` returns the note followed by them, for the "How was
    this computed?" panel (the same call as :meth:`geo.demand.SampleModel.explain`).
    """

    year: int
    age_structure_year: int
    note: Mapping[str, str]
    lines: Mapping[str, tuple[str, ...]]
    shares: tuple[GroupShare, ...]
    figures: Mapping[str, tuple[float, str]] = field(default_factory=dict)

    def share(self, group: str) -> float:
        """Return the fixed share of ``group`` (1.0 for ``total``; KeyError if not fixed)."""
        return group_share(self.shares, group, whole=("total", "population"))

    def explain(self, language: str = "en") -> list[str]:
        """Return one line per figure for a "How was this computed?" panel."""
        lang = language if language in self.note else "en"
        return [self.note[lang], *self.lines[lang]]


# --------------------------------------------------------------------------- numeric core


@dataclass(frozen=True)
class CellAllocation:
    """Result of :func:`allocate`: arrays per kept cell (``shifted``: per group)."""

    cells: np.ndarray
    group: np.ndarray
    values: np.ndarray
    shifted: np.ndarray


def _overlap_area(
    geoms: np.ndarray, rows: np.ndarray, cols: np.ndarray, frame: GridFrame
) -> np.ndarray:
    """Return the area of each polygon inside cell ``(row, col)``.

    GEOS's rectangle clip (``clip_by_rect``) gives the same areas as a full
    intersection (to 1e-8 m² on Bogotá's 190,000 block-cell pairs) eight times
    faster; shapely's public wrapper takes one rectangle only, so its array ufunc is
    called, and the full intersection is used if that ufunc is not there.
    """
    xmin = frame.x0 + cols * frame.cell_m
    ymax = frame.y_top - rows * frame.cell_m
    clip = getattr(getattr(shapely, "lib", None), "clip_by_rect", None)
    if clip is not None:
        try:
            return shapely.area(clip(geoms, xmin, ymax - frame.cell_m, xmin + frame.cell_m, ymax))
        except TypeError:  # pragma: no cover - another shapely: same areas, slower
            log.debug("shapely.lib.clip_by_rect refused arrays; using intersection")
    return shapely.area(shapely.intersection(geoms, frame.boxes(rows, cols)))


def cell_weights(
    geoms: np.ndarray, frame: GridFrame, *, allocation: Allocation = "overlap"
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return ``(unit, cell id, fraction)``: the share of each polygon in each cell.

    ``allocation="overlap"``: ``area(polygon ∩ cell) / Σ area(polygon ∩ cells)``
    (the fractions of a polygon sum to 1 exactly, up to rounding); ``"point"``: the
    whole polygon goes to the cell of its representative point
    (``shapely.point_on_surface``). Cell ids are ``row * frame.n_cols + col``.
    """
    n = len(geoms)
    if allocation == "point":
        points = shapely.point_on_surface(geoms)
        rows = np.floor((frame.y_top - shapely.get_y(points)) / frame.cell_m)
        cols = np.floor((shapely.get_x(points) - frame.x0) / frame.cell_m)
        rows = np.clip(rows, 0, frame.n_rows - 1).astype(np.int64)
        cols = np.clip(cols, 0, frame.n_cols - 1).astype(np.int64)
        return np.arange(n), rows * frame.n_cols + cols, np.ones(n)
    if allocation != "overlap":
        raise LayerError(f"allocation={allocation!r}: use 'overlap' or 'point'.")
    owner, rows, cols = _candidate_cells(shapely.bounds(geoms), frame, rule="intersects")
    overlap = _overlap_area(geoms[owner], rows, cols, frame)
    keep = overlap > 0
    owner, cell, overlap = owner[keep], (rows * frame.n_cols + cols)[keep], overlap[keep]
    per_unit = np.bincount(owner, weights=overlap, minlength=n)
    lost = np.flatnonzero(per_unit <= 0)
    if len(lost):  # degenerate sliver: fall back to its representative point
        extra_unit, extra_cell, extra_w = cell_weights(geoms[lost], frame, allocation="point")
        owner = np.concatenate([owner, lost[extra_unit]])
        cell = np.concatenate([cell, extra_cell])
        overlap = np.concatenate([overlap, extra_w])
        per_unit[lost] = 1.0
    return owner, cell, overlap / per_unit[owner]


def allocate(
    unit_group: np.ndarray,
    unit_weight: np.ndarray,
    unit_cell: tuple[np.ndarray, np.ndarray, np.ndarray],
    group_values: np.ndarray,
    *,
    group_names: Sequence[str] | None = None,
) -> CellAllocation:
    """Move group totals onto cells through weighted units; one group per cell.

    Parameters
    ----------
    unit_group
        Group (UPZ or localidad remainder) of each unit (block or polygon), ``0..G-1``.
    unit_weight
        Share of its group's people each unit holds (the weights of a group sum to 1).
    unit_cell
        ``(unit, cell, fraction)`` from :func:`cell_weights`.
    group_values
        ``G x K`` totals of each group (column 0 is the total, used to label cells).
    group_names
        Names for error messages.

    Returns
    -------
    CellAllocation
        ``cells``: the ids of the cells that received a unit (sorted); ``group``:
        each cell's group, the one putting most people in it; ``values``
        (``cells x K``): the totals of that group spread over the cells it holds in
        proportion to its weight there (so each group's cells sum to its totals);
        ``shifted``: per group, the share of its weight that lay in cells held by
        another group and was moved onto its own cells.

    Raises
    ------
    LayerError
        If two groups with people need the same single cell (use a smaller cell).
    """
    n_groups = len(group_values)
    unit, cell, frac = unit_cell
    grp = unit_group[unit]
    w = unit_weight[unit] * frac
    # Weight of each (group, cell) pair.
    cell_ids, cell_pos = np.unique(cell, return_inverse=True)
    key = grp.astype(np.int64) * len(cell_ids) + cell_pos
    pair, pair_pos = np.unique(key, return_inverse=True)
    pair_w = np.bincount(pair_pos, weights=w)
    pair_g = pair // len(cell_ids)
    pair_c = pair % len(cell_ids)
    people = pair_w * group_values[pair_g, 0]
    # Label each cell by the group putting most people in it (ties: lowest group).
    order = np.lexsort((pair_g, -people, pair_c))
    first = order[np.r_[True, pair_c[order][1:] != pair_c[order][:-1]]]
    label = np.full(len(cell_ids), -1, dtype=np.int64)
    label[pair_c[first]] = pair_g[first]
    # A group with people must hold at least one cell: its heaviest cell.
    names = list(group_names) if group_names is not None else [str(g) for g in range(n_groups)]
    needs_cell = (group_values[:, 0] > 0) & (np.bincount(pair_g, minlength=n_groups) > 0)
    for _ in range(n_groups + 1):
        held = np.bincount(label, minlength=n_groups) > 0
        orphans = np.flatnonzero(needs_cell & ~held)
        if not len(orphans):
            break
        for g in orphans:
            mine = np.flatnonzero(pair_g == g)
            c = pair_c[mine[np.argmax(pair_w[mine])]]
            holder = label[c]
            if np.count_nonzero(label == holder) == 1:
                raise LayerError(
                    f"{names[g]} and {names[holder]} both need the same single cell; "
                    "use a smaller cell_m."
                )
            label[c] = g
    else:  # pragma: no cover - each pass gives every orphan a cell
        raise AssertionError("cells could not be shared among the groups")
    kept = label[pair_c] == pair_g
    kept_w = np.bincount(pair_g[kept], weights=pair_w[kept], minlength=n_groups)
    total_w = np.bincount(pair_g, weights=pair_w, minlength=n_groups)
    scale = np.divide(1.0, kept_w, out=np.zeros(n_groups), where=kept_w > 0)
    values = np.zeros((len(cell_ids), group_values.shape[1]))
    kg, kc = pair_g[kept], pair_c[kept]
    values[kc] = group_values[kg] * (pair_w[kept] * scale[kg])[:, None]
    shifted = np.where(total_w > 0, 1.0 - kept_w / np.where(total_w > 0, total_w, 1.0), 0.0)
    return CellAllocation(cells=cell_ids, group=label, values=values, shifted=shifted)


# --------------------------------------------------------------------------- inputs


def _require(frame: pd.DataFrame, columns: Sequence[str], *, what: str) -> None:
    require_columns(frame, columns, what=what, fix="normalise it as geo.io.atlas.sources does.")


def _key(value: Any) -> str:
    """Return a UPZ number or localidad code without leading zeros ("001" -> "1")."""
    text = str(value).strip()
    return str(int(text)) if text.isdigit() else text


def _loc(value: Any) -> str:
    text = str(value).strip()
    return text.zfill(2) if text.isdigit() else text


def _rows_of_year(table: pd.DataFrame, year: int, *, key: str, what: str) -> pd.DataFrame:
    years = pd.to_numeric(table["year"], errors="coerce")
    rows = table[years == year]
    if rows.empty:
        present = ", ".join(str(int(y)) for y in sorted(years.dropna().unique()))
        raise LayerError(f"{what} has no rows for {year} (years present: {present or 'none'}).")
    dup = rows[key].map(_key).duplicated()
    if dup.any():
        raise LayerError(
            f"{what}: {key} {rows[key][dup].iloc[0]!r} appears twice for {year}; keep one row."
        )
    for col in ("total", "age_60_plus", "age_0_5"):
        if col in rows.columns:
            vals = pd.to_numeric(rows[col], errors="coerce")
            bad = vals.isna() | (vals < 0)
            if bad.any():
                raise LayerError(
                    f"{what}: {col} of {key} {rows[key][bad].iloc[0]!r} ({year}) is missing or "
                    "negative; fix the table."
                )
    return rows


def cohort_ratios(population_localidad: pd.DataFrame, year: int) -> pd.Series:
    """Return the ratio 0-5 / 6-11 of each localidad in ``year``.

    Two adjacent six-year cohorts of a localidad are of similar size: in the 2018
    table the ratio is 0.92-1.09 in 19 localidades (Chapinero 1.25). In the 2024 table
    it ranges from 0.69 (Kennedy: 53,814 / 78,061) to 1.90 (Antonio Nariño: 9,181 /
    4,843), an implausible age structure for six years of change.
    """
    rows = population_localidad[pd.to_numeric(population_localidad["year"]) == year]
    young = pd.to_numeric(rows["age_6_11"]).to_numpy(dtype=float)
    ratio = np.divide(
        pd.to_numeric(rows["age_0_5"]).to_numpy(dtype=float),
        young,
        out=np.full(len(rows), np.nan),
        where=young > 0,
    )
    return pd.Series(ratio, index=rows["localidad"].map(_loc).to_numpy(), name=year)


def _polygons(frame: gpd.GeoDataFrame, target: str, *, what: str) -> np.ndarray:
    geoms = np.asarray(frame.to_crs(target).geometry.values, dtype=object)
    bad = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if bad.any():
        raise LayerError(
            f"{what}: feature {frame.index[np.flatnonzero(bad)[0]]!r} has no geometry."
        )
    invalid = ~shapely.is_valid(geoms)
    if invalid.any():
        log.warning("%s: repairing %d invalid polygon(s)", what, int(invalid.sum()))
        geoms = geoms.copy()
        geoms[invalid] = shapely.make_valid(geoms[invalid])
    return geoms


def _first_container(points: np.ndarray, polygons: np.ndarray) -> np.ndarray:
    """Return, per point, the index of the first polygon holding it (-1 if none)."""
    tree = shapely.STRtree(points)  # query with the (prepared) polygons: fast
    poly, pt = tree.query(polygons, predicate="intersects")
    out = np.full(len(points), -1, dtype=np.int64)
    order = np.lexsort((poly, pt))
    pt, poly = pt[order], poly[order]
    first = np.r_[True, pt[1:] != pt[:-1]] if len(pt) else np.zeros(0, dtype=bool)
    out[pt[first]] = poly[first]
    return out


# --------------------------------------------------------------------------- model text


def _fmt(value: float, digits: int = 0, *, lang: str) -> str:
    text = f"{value:,.{digits}f}"
    if lang == "es":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def _pct(value: float, lang: str) -> str:
    return _fmt(100 * value, 2, lang=lang) + " %"


@dataclass(frozen=True, kw_only=True)
class ModelFigures:
    """The figures of one :func:`dasymetric_demand` run that :func:`build_model` puts in words.

    Attributes
    ----------
    year, age_structure_year
        Year of the population figures, and year of the localidad 0-5 shares.
    city_total, upz_total
        People in the city (sum of the localidades) and in the UPZ.
    upz_older, localidad_older
        People aged 60+ in the UPZ, and in the localidades.
    children_city, children_scale
        Published 0-5 total of the city, and the factor the 0-5 shares are scaled by.
    remainders
        Where each localidad's people outside every UPZ went.
    ratio_range
        Per year, the lowest and highest 0-5 / 6-11 ratio across localidades.
    blocks_in_upz, blocks_km2
        Blocks in a UPZ and their area in km².
    cell_m
        Cell side in metres.
    shifted
        People moved to their UPZ's own cells.
    weight_col
        Block weight column, or None for block area.
    n_upz, n_loc
        Number of UPZ and of localidades.
    lowest_ratio
        The localidad with the lowest 0-5 / 6-11 ratio in ``year``: its name, 0-5
        and 6-11 counts; None without the 6-11 column.
    """

    year: int
    age_structure_year: int
    city_total: float
    upz_total: float
    upz_older: float
    localidad_older: float
    children_city: float
    children_scale: float
    remainders: tuple[RemainderSpread, ...]
    ratio_range: Mapping[int, tuple[float, float]]
    blocks_in_upz: int
    blocks_km2: float
    cell_m: float
    shifted: float
    weight_col: str | None
    n_upz: int
    n_loc: int
    lowest_ratio: tuple[str, float, float] | None = None


def build_model(figures: ModelFigures) -> DemandModel:
    """Return the :class:`DemandModel` text for a run's figures."""
    year, age_structure_year = figures.year, figures.age_structure_year
    city_total, upz_total = figures.city_total, figures.upz_total
    upz_older, localidad_older = figures.upz_older, figures.localidad_older
    children_city, children_scale = figures.children_city, figures.children_scale
    remainders, ratio_range = figures.remainders, figures.ratio_range
    blocks_in_upz, blocks_km2 = figures.blocks_in_upz, figures.blocks_km2
    cell_m, shifted, weight_col = figures.cell_m, figures.shifted, figures.weight_col
    n_upz, n_loc, lowest_ratio = figures.n_upz, figures.n_loc, figures.lowest_ratio
    pop = f"{POPULATION_SOURCE}, {year}"
    rural = sum(r.people for r in remainders)
    city_density = upz_total / blocks_km2 if blocks_km2 > 0 else math.nan
    dane_older = SAMPLE_MODEL.share("older")  # (396,593 + 826,848) / 7,929,539
    lines: dict[str, list[str]] = {"es": [], "en": []}
    for lang in ("es", "en"):
        f = partial(_fmt, lang=lang)
        es = lang == "es"
        example = ""
        if lowest_ratio is not None:
            code, young, older_kids = lowest_ratio
            example = f" ({code}: {f(young)} / {f(older_kids)})"
        if weight_col is None:
            w_es, w_en = "área", "area"
            land_es = (
                "No hay uso del suelo en la capa: parques y manzanas no residenciales también "
                "reciben personas."
            )
            land_en = "The layer has no land use: parks and non-residential blocks get people too."
        else:
            w_es = w_en = f"'{weight_col}'"
            land_es = f"Si todas las manzanas de una UPZ tienen {w_es} = 0, se usa el área."
            land_en = f"If all the blocks of a UPZ have {w_en} = 0, their area is used."
        lines[lang].append(
            (
                f"Población total {year}: {f(city_total)} personas = suma de las {n_loc} "
                f"localidades ({pop}; límites: {LOCALIDADES_SOURCE}); {f(upz_total)} viven en "
                f"las {n_upz} UPZ (cifra publicada por UPZ) y "
                f"{f(rural)} fuera de toda UPZ (total de la localidad − suma de sus UPZ)."
            )
            if es
            else (
                f"Total population {year}: {f(city_total)} people = sum of the {n_loc} localidades "
                f"({pop}; boundaries: {LOCALIDADES_SOURCE}); {f(upz_total)} live in the "
                f"{n_upz} UPZ (published UPZ figure) and "
                f"{f(rural)} outside every UPZ (localidad total − sum of its UPZ)."
            )
        )
        lines[lang].append(
            (
                f"Reparto por manzanas: personas de la manzana = población de la UPZ × "
                f"{w_es} de la manzana / {w_es} de las manzanas de la UPZ ({f(blocks_in_upz)} "
                f"manzanas, {f(blocks_km2, 1)} km²; {BLOCKS_SOURCE}; una manzana pertenece a la "
                f"UPZ que contiene su punto representativo; {UPZ_SOURCE}). {land_es} Luego cada "
                f"manzana reparte sus personas entre las celdas de {f(cell_m)} m que cubre, según "
                "el área de solape; cada celda se asigna a la UPZ que más personas le aporta y "
                "las personas de una UPZ que caen en celdas de una vecina se reparten entre sus "
                f"propias celdas ({f(shifted)} personas, {_pct(shifted / city_total, lang)}), de "
                "modo que cada UPZ suma exactamente su cifra publicada."
            )
            if es
            else (
                f"Spread over blocks: people of a block = UPZ population × block {w_en} / "
                f"{w_en} of the UPZ's blocks ({f(blocks_in_upz)} blocks, {f(blocks_km2, 1)} km²; "
                f"{BLOCKS_SOURCE}; a block belongs to the UPZ holding its representative point; "
                f"{UPZ_SOURCE}). {land_en} Each block's people then go to the {f(cell_m)} m "
                "cells it covers, by overlap area; each cell is given to the UPZ putting most "
                "people in it, and a UPZ's people falling in a neighbour's cells are spread over "
                f"its own cells ({f(shifted)} people, {_pct(shifted / city_total, lang)}), so "
                "that every UPZ sums exactly to its published figure."
            )
        )
        for r in remainders:
            where = {
                "blocks": (
                    f"sus {r.units} manzanas fuera de toda UPZ ({f(r.area_km2, 2)} km²: "
                    f"{f(r.people_per_km2)} personas por km² de manzana, frente a "
                    f"{f(city_density)} en las UPZ), no uniformemente sobre sus "
                    f"{f(r.area_outside_upz_km2)} km² fuera de UPZ",
                    f"its {r.units} blocks outside every UPZ ({f(r.area_km2, 2)} km²: "
                    f"{f(r.people_per_km2)} people per km² of block, against "
                    f"{f(city_density)} in the UPZ), not uniformly over its "
                    f"{f(r.area_outside_upz_km2)} km² outside every UPZ",
                ),
                "area": (
                    f"uniformemente sobre su área fuera de toda UPZ ({f(r.area_km2, 1)} km²): "
                    "no tiene manzanas allí",
                    f"uniformly over its area outside every UPZ ({f(r.area_km2, 1)} km²): it "
                    "has no blocks there",
                ),
                "localidad": (
                    f"uniformemente sobre toda la localidad ({f(r.area_km2, 1)} km²): no tiene "
                    "área fuera de UPZ",
                    f"uniformly over the whole localidad ({f(r.area_km2, 1)} km²): it has no "
                    "area outside every UPZ",
                ),
            }[r.spread_over][0 if es else 1]
            lines[lang].append(
                f"Localidad {r.localidad}: {f(r.people)} "
                + (
                    "personas fuera de toda UPZ, sobre "
                    if es
                    else "people outside every UPZ, over "
                )
                + where
                + "."
            )
        lo18, hi18 = ratio_range.get(age_structure_year, (math.nan, math.nan))
        lo, hi = ratio_range.get(year, (math.nan, math.nan))
        lines[lang].append(
            (
                f"Primera infancia (0-5 años) = población de la UPZ × proporción de 0-5 años "
                f"de "
                f"su localidad en {age_structure_year} (censo base) × {f(children_scale, 4)}, "
                f"factor que iguala el total de la ciudad al publicado para {year} "
                f"({f(children_city)}; {pop}). No se usa la columna 0_14 de las UPZ (errónea "
                f"tal como se publicó: incluye 40-44 años) ni la estructura por edad de las "
                f"localidades en {year}, que no es plausible: la razón 0-5 / 6-11 años va de "
                f"{f(lo, 2)} a {f(hi, 2)} entre localidades en {year}{example} "
                f"frente a {f(lo18, 2)}-{f(hi18, 2)} en {age_structure_year}."
            )
            if es
            else (
                f"Early childhood (0-5) = UPZ population × its localidad's 0-5 share in "
                f"{age_structure_year} (census base) × {f(children_scale, 4)}, the factor that "
                f"makes the city total the published {year} figure ({f(children_city)}; {pop}). "
                f"Neither the UPZ 0_14 column (wrong as published: it includes ages 40-44) nor "
                f"the {year} localidad age structure is used; the latter is not plausible: the "
                f"0-5 / 6-11 ratio ranges from {f(lo, 2)} to {f(hi, 2)} across localidades in "
                f"{year}{example} against {f(lo18, 2)}-{f(hi18, 2)} in "
                f"{age_structure_year}."
            )
        )
        lines[lang].append(
            (
                f"Personas mayores (60+) = cifra publicada de 60+ de cada UPZ ({pop}; "
                f"{f(upz_older)} en total, {_pct(upz_older / upz_total, lang)} de la población de "
                f"las UPZ, cercana al {_pct(dane_older, lang)} de la revisión posterior del DANE, "
                f"facts file §1) y, fuera de las "
                f"UPZ, la proporción de 60+ de la localidad en {year}. Las UPZ suman el "
                f"{_pct(upz_older / localidad_older, lang)} del 60+ de las localidades "
                "(agrupación de edades distinta en origen); se usa la cifra por UPZ, sin "
                "reescalar, porque es la más detallada y la que muestran las tablas por UPZ."
            )
            if es
            else (
                f"Older persons (60+) = each UPZ's published 60+ figure ({pop}; {f(upz_older)} "
                f"in all, {_pct(upz_older / upz_total, lang)} of the UPZ population, close to the "
                f"{_pct(dane_older, lang)} of DANE's later revision, facts file §1) and, "
                f"outside the UPZ, the localidad's {year} 60+ "
                f"share. The UPZ sum to {_pct(upz_older / localidad_older, lang)} of the "
                "localidades' 60+ (different age binning upstream); the UPZ figure is used, "
                "not rescaled, as the most detailed one and the one per-UPZ tables show."
            )
        )
        for item in (DISABILITY_SHARE, CARERS_SHARE):
            text = (
                f"{item.label[lang]} (MODELADO): {_pct(item.share, lang)} de la población de "
                f"cada celda = {item.formula} ({item.source}; año de la cifra no indicado en la "
                "fuente, material del Sistema Distrital de Cuidado 2020-2025)"
                if es
                else f"{item.label[lang]} (MODELLED): {_pct(item.share, lang)} of each cell's "
                f"population = {item.formula} ({item.source}; year of the figure not stated in "
                "the source, District Care System material 2020-2025)"
            )
            if item.assumption.get(lang):
                text += f". {item.assumption[lang].rstrip('.')}"
            if item.group == "carers":
                text += (
                    ". Contraste: el Distrito cuenta 5.719 personas cuidadoras entre los 64.168 "
                    "residentes de la zona de la Manzana del Cuidado #18 (8,9 %; facts file §1), "
                    "así que en un barrio concreto la cifra puede ser menor"
                    if es
                    else ". Cross-check: the District counts 5,719 carers among the 64,168 "
                    "residents of Care Block #18's walking zone (8.9 %; facts file §1), so in a "
                    "given neighbourhood the figure may be lower"
                )
            lines[lang].append(text + ".")
    note = catalog.per_language("atlas_demand_note", pop=pop, age_structure_year=age_structure_year)
    sourced = {
        "city_total": (city_total, pop),
        "upz_total": (upz_total, pop),
        "rural_remainder": (rural, pop),
        "upz_older": (upz_older, pop),
        "children_city": (children_city, pop),
        "children_scale": (children_scale, f"{pop}; {age_structure_year} localidad structure"),
        "disability_share": (DISABILITY_SHARE.share, DISABILITY_SHARE.source),
        "carers_share": (CARERS_SHARE.share, CARERS_SHARE.source),
    }
    return DemandModel(
        year=year,
        age_structure_year=age_structure_year,
        note=note,
        lines={k: tuple(v) for k, v in lines.items()},
        shares=(DISABILITY_SHARE, CARERS_SHARE),
        figures=sourced,
    )


# --------------------------------------------------------------------------- adapter


@dataclass(frozen=True, kw_only=True, eq=False)
class PopulationInputs:
    """The five layers and tables :func:`dasymetric_demand` reads (what ``sources.py`` returns).

    Frames are not hashable by value: the object hashes and compares by identity.

    Attributes
    ----------
    upz
        UPZ and UPR polygons (``code``, ``number``, ``kind`` "UPZ"/"UPR", optional
        ``localidad``), any CRS. Only ``kind == "UPZ"`` rows carry population.
    localidades
        Localidad polygons (``code`` "01".."20").
    population_upz
        One row per UPZ and year: ``upz`` (number), ``localidad``, ``year``,
        ``total``, ``age_60_plus``.
    population_localidad
        One row per localidad and year: ``localidad``, ``year``, ``total``,
        ``age_0_5``, ``age_60_plus`` (``age_6_11`` for the plausibility check);
        rows for the options' ``year`` and ``age_structure_year``.
    blocks
        City-block polygons (manzanas), any CRS.
    """

    upz: gpd.GeoDataFrame
    localidades: gpd.GeoDataFrame
    population_upz: pd.DataFrame
    population_localidad: pd.DataFrame
    blocks: gpd.GeoDataFrame


@dataclass(frozen=True, kw_only=True)
class DasymetricOptions:
    """How :func:`dasymetric_demand` spreads the people: year, grid and allocation.

    Frozen and hashable; the values are checked when it is made.

    Attributes
    ----------
    year
        Year of the population figures.
    age_structure_year
        Year whose localidad 0-5 shares give the children (2018: census base).
    cell_m
        Cell side in metres.
    crs
        Metric CRS of the grid; default the UTM zone of the localidades (EPSG:32618).
    allocation
        ``"overlap"``: a block's people go to the cells it overlaps, by area;
        ``"point"``: to the cell of its representative point.
    rural
        Where a localidad's people outside every UPZ go: ``"blocks"`` (default),
        its blocks outside every UPZ by area (rural centres), or uniformly over its
        area outside every UPZ when it has no such block; ``"area"``: always
        uniformly over its area outside every UPZ (about four times the cells on
        Bogotá, most of them nearly empty).
    weight_col
        Column of ``blocks`` holding a non-negative weight per block (e.g. its
        count of address points or dwellings) to use instead of block area when
        sharing a UPZ's people among its blocks. A UPZ (or rural remainder) whose
        blocks all weigh 0 is shared by area, and the report names it. Default:
        block area, as the issue asks.
    max_cells
        Cap on the grid's bounding box (default :data:`geo.demand.MAX_CELLS`).

    Raises
    ------
    LayerError
        A cell side that is not a positive number, an unknown ``allocation`` or ``rural``.
    """

    year: int = 2024
    age_structure_year: int = 2018
    cell_m: float = CELL_M
    crs: str | None = None
    allocation: Allocation = "overlap"
    rural: Literal["blocks", "area"] = "blocks"
    weight_col: str | None = None
    max_cells: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "cell_m", _check_cell_m(self.cell_m))
        if self.rural not in ("blocks", "area"):
            raise LayerError(f"rural={self.rural!r}: use 'blocks' or 'area'.")
        if self.allocation not in ("overlap", "point"):
            raise LayerError(f"allocation={self.allocation!r}: use 'overlap' or 'point'.")


def dasymetric_demand(
    inputs: PopulationInputs, options: DasymetricOptions = DasymetricOptions()
) -> tuple[gpd.GeoDataFrame, DemandModel, DemandReport]:
    """Spread the published UPZ and localidad population over city blocks and a grid.

    Parameters
    ----------
    inputs
        The UPZ and localidad layers, the population tables and the blocks.
    options
        Year, grid and allocation (:class:`DasymetricOptions`; the defaults suit
        the 2024 SDP figures).

    Returns
    -------
    grid, model, report
        ``grid``: one row per populated cell, north to south then west to east:
        ``row``, ``col``, ``zone`` (localidad code), ``upz`` (UPZ ``code``; missing
        for the cells of a localidad's people outside every UPZ), the :data:`COLUMNS` counts and the cell squares, with
        ``attrs["grid"]``, ``attrs["model"]`` (note ``{"es", "en"}``),
        ``attrs["explain"]`` (``model.explain`` per language, as
        :func:`geo.demand.sample_demand` sets it) and ``attrs["year"]``. ``model``: the :class:`DemandModel`. ``report``: the
        :class:`DemandReport`.

    Raises
    ------
    LayerError
        If a column or a year is missing, a UPZ with population has no polygon, a
        localidad total is below the sum of its UPZ, the CRS is not metric, or the
        grid would exceed the cap.
    """
    started = time.perf_counter()
    upz, localidades, blocks = inputs.upz, inputs.localidades, inputs.blocks
    population_upz, population_localidad = inputs.population_upz, inputs.population_localidad
    year, age_structure_year = options.year, options.age_structure_year
    cell_m, crs, allocation = options.cell_m, options.crs, options.allocation
    rural, weight_col, max_cells = options.rural, options.weight_col, options.max_cells
    _check_inputs(inputs)
    target = _metric_crs(localidades, crs, what="the localidades layer")
    warnings: list[str] = []

    # ---- population tables
    pu = _rows_of_year(population_upz, year, key="upz", what="the UPZ population table")
    pl = _rows_of_year(population_localidad, year, key="localidad", what="the localidad table")
    ps = _rows_of_year(
        population_localidad, age_structure_year, key="localidad", what="the localidad table"
    )
    loc_codes = pl["localidad"].map(_loc).to_numpy()
    loc_total = dict(zip(loc_codes, pd.to_numeric(pl["total"]).to_numpy(float), strict=True))
    loc_older = dict(zip(loc_codes, pd.to_numeric(pl["age_60_plus"]).to_numpy(float), strict=True))
    s_child, children_city, children_scale = _child_shares(
        pl, ps, loc_codes, loc_total, age_structure_year=age_structure_year
    )
    ratio_range, lowest_ratio = _cohort_ratio_range(
        population_localidad, pl, year=year, age_structure_year=age_structure_year
    )

    # ---- UPZ polygons and their population
    is_upz = upz["kind"].astype(str).str.upper() == "UPZ"
    upz_poly = upz[is_upz]
    upz_geoms = _polygons(upz_poly, target, what="the UPZ layer")
    poly_number = upz_poly["number"].map(_key).to_numpy()
    poly_code = upz_poly["code"].astype(str).to_numpy()
    group_poly, pu_loc = _match_upz(poly_number, pu, loc_total, year=year)
    pu_total = pd.to_numeric(pu["total"]).to_numpy(float)
    pu_older = pd.to_numeric(pu["age_60_plus"]).to_numpy(float)
    without_population, mismatch, upz_warnings = _upz_mismatches(upz_poly, group_poly, pu_loc)
    warnings += upz_warnings

    # ---- localidad remainders
    remainder = _remainders(loc_codes, loc_total, pu_total, pu_loc, year=year)
    loc_frame = localidades.assign(_code=localidades["code"].map(_loc))
    loc_geoms = _polygons(loc_frame, target, what="the localidades layer")
    loc_index = {c: i for i, c in enumerate(loc_frame["_code"])}
    no_loc_polygon = [c for c, r in remainder.items() if r > 0 and c not in loc_index]
    if no_loc_polygon:
        raise LayerError(
            f"localidad(es) {', '.join(no_loc_polygon)} have people outside every UPZ but no "
            "polygon in the localidades layer; use the complete IDECA localidades layer."
        )

    # ---- blocks
    raw_w = _block_weights(blocks, weight_col)
    block_geoms, unusable, invalid = _block_polygons(blocks, target)
    block_area = np.where(unusable, 0.0, shapely.area(block_geoms))
    unusable |= block_area <= 0
    usable = np.flatnonzero(~unusable)
    if int(unusable.sum()):
        warnings.append(f"{int(unusable.sum())} block(s) without a polygon area were skipped")
    points = shapely.point_on_surface(block_geoms[usable])
    in_poly = _first_container(points, upz_geoms)
    in_loc = _first_container(points, loc_geoms)

    # ---- units: (geometry, group, weight)
    n_upz = len(pu)
    rem_codes = [c for c in loc_codes if remainder[c] > 0]
    group_names = [f"UPZ {poly_code[g]}" for g in group_poly] + [
        f"localidad {c} (outside every UPZ)" for c in rem_codes
    ]
    poly_to_group = np.full(len(upz_geoms), -1, dtype=np.int64)
    poly_to_group[group_poly] = np.arange(n_upz)
    outside = in_poly < 0
    rem_group = {c: n_upz + j for j, c in enumerate(rem_codes)}
    block_group = _block_groups(
        in_poly,
        in_loc,
        poly_to_group=poly_to_group,
        loc_codes=np.array(list(loc_frame["_code"]), dtype=object),
        rem_group=rem_group if rural == "blocks" else {},
    )

    unit_geoms: list[Any] = list(block_geoms[usable][block_group >= 0])
    unit_group: list[int] = list(block_group[block_group >= 0])
    unit_area: list[float] = list(block_area[usable][block_group >= 0])
    unit_w: list[float] = list((block_area if raw_w is None else raw_w)[usable][block_group >= 0])
    counts = np.bincount(block_group[block_group >= 0], minlength=n_upz + len(rem_codes))
    without_blocks, upz_units = _upz_without_blocks(
        counts[:n_upz], group_poly, upz_geoms, poly_code
    )
    if without_blocks:
        warnings.append(
            f"UPZ without any block, spread uniformly over the UPZ: {tuple(without_blocks)}"
        )
    spreads, rem_units, rem_warnings = _remainder_units(
        [(code, rem_group[code], float(remainder[code])) for code in rem_codes],
        [loc_geoms[loc_index[code]] for code in rem_codes],
        upz_geoms,
        counts=counts,
        block_group=block_group,
        block_area=block_area[usable],
        rural=rural,
    )
    warnings += rem_warnings
    for geom, g, area in [*upz_units, *rem_units]:
        unit_geoms.append(geom)
        unit_group.append(g)
        unit_area.append(area)
        unit_w.append(area)

    geoms = np.array(unit_geoms, dtype=object)
    groups = np.array(unit_group, dtype=np.int64)
    areas = np.array(unit_area)
    unit_weight = np.array(unit_w)
    group_weight = np.bincount(groups, weights=unit_weight, minlength=len(group_names))
    by_area = np.flatnonzero(group_weight <= 0)
    weight_fallback = tuple(group_names[g] for g in by_area)
    if len(by_area):
        flat = np.isin(groups, by_area)
        unit_weight[flat] = areas[flat]
        group_weight = np.bincount(groups, weights=unit_weight, minlength=len(group_names))
        warnings.append(
            f"blocks shared by area, all their {weight_col!r} being 0: {weight_fallback}"
        )
    weight = unit_weight / group_weight[groups]
    if weight_col is not None:  # blocks weighing 0 hold nobody: give them no cell
        keep = weight > 0
        geoms, groups, weight = geoms[keep], groups[keep], weight[keep]

    # ---- group totals (G x K, in COLUMNS order)
    child_share = np.array(
        [s_child[c] * children_scale for c in pu_loc]
        + [s_child[c] * children_scale for c in rem_codes]
    )
    totals = np.concatenate([pu_total, [remainder[c] for c in rem_codes]])
    older = np.concatenate(
        [pu_older, [remainder[c] * loc_older[c] / loc_total[c] for c in rem_codes]]
    )
    values = np.column_stack(
        [
            totals,
            totals,
            totals * child_share,
            older,
            totals * DISABILITY_SHARE.share,
            totals * CARERS_SHARE.share,
        ]
    )

    # ---- grid
    frame = GridFrame.covering(shapely.total_bounds(geoms), cell_m=cell_m, crs=target)
    _check_cap(frame, max_cells)
    unit_cell = cell_weights(geoms, frame, allocation=allocation)
    result = allocate(groups, weight, unit_cell, values, group_names=group_names)
    rows, cols = np.divmod(result.cells, frame.n_cols)
    group_index = result.group
    group_loc = np.array(list(pu_loc) + rem_codes, dtype=object)
    group_upz = np.array([poly_code[g] for g in group_poly] + [None] * len(rem_codes), dtype=object)
    columns: dict[str, Any] = {"zone": group_loc[group_index], "upz": group_upz[group_index]}
    for k, name in enumerate(COLUMNS):
        columns[name] = result.values[:, k]
    grid = _grid_frame(rows, cols, frame, columns)
    note = build_model(
        ModelFigures(
            year=year,
            age_structure_year=age_structure_year,
            city_total=float(sum(loc_total.values())),
            upz_total=float(pu_total.sum()),
            upz_older=float(pu_older.sum()),
            localidad_older=float(sum(loc_older.values())),
            children_city=children_city,
            children_scale=children_scale,
            remainders=tuple(spreads),
            ratio_range=ratio_range,
            blocks_in_upz=int((block_group[block_group >= 0] < n_upz).sum()),
            blocks_km2=float(block_area[usable][(block_group >= 0) & (block_group < n_upz)].sum())
            / 1e6,
            cell_m=cell_m,
            shifted=float((result.shifted * values[:, 0]).sum()),
            weight_col=weight_col,
            n_upz=n_upz,
            n_loc=len(loc_codes),
            lowest_ratio=lowest_ratio,
        )
    )
    grid.attrs["model"] = dict(note.note)
    grid.attrs["explain"] = {lang: note.explain(lang) for lang in ("es", "en")}
    grid.attrs["year"] = int(year)

    # ---- checks
    upz_err, loc_err, city, published = _check_totals(
        result.values[:, 0],
        group_index,
        group_loc,
        n_groups=len(group_names),
        pu_total=pu_total,
        loc_codes=loc_codes,
        loc_total=loc_total,
    )
    nowhere = outside & (in_loc < 0)
    usable_area = block_area[usable]
    report = DemandReport(
        year=int(year),
        age_structure_year=int(age_structure_year),
        crs=target,
        cell_m=cell_m,
        allocation=allocation,
        weight="area" if weight_col is None else weight_col,
        cells=len(grid),
        frame_cells=frame.n_cells,
        memory_mb=float(grid.memory_usage(deep=True).sum()) / 2**20,
        seconds=time.perf_counter() - started,
        blocks=len(blocks),
        blocks_in_upz=int((in_poly >= 0).sum()),
        blocks_in_upz_km2=float(usable_area[in_poly >= 0].sum()) / 1e6,
        blocks_outside_upz=int(outside.sum()),
        blocks_outside_upz_km2=float(usable_area[outside].sum()) / 1e6,
        blocks_outside_upz_populated=int((block_group >= n_upz).sum()),
        blocks_outside_everything=int(nowhere.sum()),
        blocks_outside_everything_km2=float(usable_area[nowhere].sum()) / 1e6,
        blocks_unusable=int(unusable.sum()),
        blocks_repaired=int(invalid.sum()),
        upz=n_upz,
        upz_without_blocks=tuple(without_blocks),
        upz_polygons_without_population=without_population,
        upz_localidad_mismatch=mismatch,
        remainders=tuple(spreads),
        city_total=city,
        published_city_total=published,
        max_upz_error=upz_err,
        max_localidad_error=float(loc_err),
        people_shifted=float((result.shifted * values[:, 0]).sum()),
        children_scale=float(children_scale),
        weight_fallback=weight_fallback,
        cohort_ratio_range=ratio_range,
        warnings=tuple(warnings),
    )
    log.info(
        "dasymetric demand %d: %d cells, %.0f people, max UPZ error %.2e, %.1f s",
        year,
        report.cells,
        city,
        upz_err,
        report.seconds,
    )
    return grid, note, report


# --------------------------------------------------------------------------- dasymetric steps


def _check_inputs(inputs: PopulationInputs) -> None:
    """Refuse layers and tables without the columns or the CRS the model needs.

    Raises
    ------
    LayerError
        Naming the layer or table and what it lacks.
    """
    _require(inputs.upz, UPZ_COLUMNS, what="the UPZ layer")
    _require(inputs.localidades, LOCALIDAD_COLUMNS, what="the localidades layer")
    _require(inputs.population_upz, POP_UPZ_COLUMNS, what="the UPZ population table")
    _require(
        inputs.population_localidad, POP_LOCALIDAD_COLUMNS, what="the localidad population table"
    )
    _require(inputs.blocks, ("geometry",), what="the blocks layer")
    if inputs.blocks.crs is None or inputs.upz.crs is None:
        raise LayerError("the blocks or UPZ layer has no CRS; set it (EPSG:4326 for lon/lat).")


def _child_shares(
    pl: pd.DataFrame,
    ps: pd.DataFrame,
    loc_codes: np.ndarray,
    loc_total: Mapping[str, float],
    *,
    age_structure_year: int,
) -> tuple[dict[str, float], float, float]:
    """Compute each localidad's 0-5 share and the scale that makes them sum to the city's.

    Parameters
    ----------
    pl
        The localidad rows of the model year.
    ps
        The localidad rows of the age-structure year.
    loc_codes
        The localidad codes of ``pl``, in its order.
    loc_total
        Total population per localidad code in the model year.
    age_structure_year
        The year of ``ps`` (for the message).

    Returns
    -------
    tuple
        The 0-5 share per localidad code, the city's children in the model year and
        the scale applied to the shares (0 when nobody is expected).

    Raises
    ------
    LayerError
        If a localidad of the model year has no row in the age-structure year.
    """
    s_codes = ps["localidad"].map(_loc).to_numpy()
    s_total = pd.to_numeric(ps["total"]).to_numpy(float)
    s_child = dict(
        zip(
            s_codes,
            np.divide(
                pd.to_numeric(ps["age_0_5"]).to_numpy(float),
                s_total,
                where=s_total > 0,
                out=np.zeros(len(ps)),
            ),
            strict=True,
        )
    )
    missing_s = sorted(set(loc_codes) - set(s_child))
    if missing_s:
        raise LayerError(
            f"the localidad table has no {age_structure_year} row for localidad(es) "
            f"{', '.join(missing_s)}; the 0-5 shares come from that year."
        )
    children_city = float(pd.to_numeric(pl["age_0_5"]).sum())
    expected = sum(s_child[c] * loc_total[c] for c in loc_codes)
    children_scale = children_city / expected if expected > 0 else 0.0
    return s_child, children_city, children_scale


def _cohort_ratio_range(
    population_localidad: pd.DataFrame,
    pl: pd.DataFrame,
    *,
    year: int,
    age_structure_year: int,
) -> tuple[dict[int, tuple[float, float]], tuple[str, float, float] | None]:
    """Find the range of the 0-5 / 6-11 cohort ratios and the localidad with the lowest.

    Parameters
    ----------
    population_localidad
        The localidad population table (all years).
    pl
        Its rows of the model year.
    year, age_structure_year
        The years whose ratios are reported.

    Returns
    -------
    tuple
        ``{year: (lowest, highest)}`` and ``(name, age_0_5, age_6_11)`` of the
        localidad with the lowest ratio in ``year``; empty and ``None`` without an
        ``age_6_11`` column.
    """
    ratio_range: dict[int, tuple[float, float]] = {}
    lowest_ratio: tuple[str, float, float] | None = None
    if "age_6_11" not in population_localidad.columns:
        return ratio_range, lowest_ratio
    for y in sorted({year, age_structure_year}):
        r = cohort_ratios(population_localidad, y).dropna()
        if len(r):
            ratio_range[y] = (float(r.min()), float(r.max()))
    lowest = pl[pl["localidad"].map(_loc) == cohort_ratios(population_localidad, year).idxmin()]
    if len(lowest):
        row = lowest.iloc[0]
        label = str(row["name"]) if "name" in lowest.columns else _loc(row["localidad"])
        lowest_ratio = (label, float(row["age_0_5"]), float(row["age_6_11"]))
    return ratio_range, lowest_ratio


def _match_upz(
    poly_number: np.ndarray, pu: pd.DataFrame, loc_total: Mapping[str, float], *, year: int
) -> tuple[np.ndarray, np.ndarray]:
    """Match each UPZ population row to its polygon and check its localidad is known.

    Parameters
    ----------
    poly_number
        The UPZ number of each UPZ polygon.
    pu
        The UPZ population rows of the model year.
    loc_total
        Total population per localidad code in the model year.
    year
        The model year (for the message).

    Returns
    -------
    tuple
        The polygon position of each row and its localidad code.

    Raises
    ------
    LayerError
        If a UPZ number repeats in the layer, a row has no polygon or names a
        localidad without a total.
    """
    poly_by_number: dict[str, int] = {}
    for i, num in enumerate(poly_number):
        if num in poly_by_number:
            raise LayerError(f"the UPZ layer: UPZ number {num!r} appears twice; keep one polygon.")
        poly_by_number[num] = i
    pu_number = pu["upz"].map(_key).to_numpy()
    no_polygon = [n for n in pu_number if n not in poly_by_number]
    if no_polygon:
        raise LayerError(
            f"the UPZ population table has UPZ {', '.join(no_polygon[:5])} with no polygon in "
            "the UPZ layer; use the IDECA UPZ layer (UPla) that matches the table."
        )
    pu_loc = pu["localidad"].map(_loc).to_numpy()
    unknown_loc = sorted(set(pu_loc) - set(loc_total))
    if unknown_loc:
        raise LayerError(
            f"the UPZ population table names localidad(es) {', '.join(unknown_loc)} that the "
            f"localidad table has no {year} total for; use tables of the same release."
        )
    return np.array([poly_by_number[n] for n in pu_number], dtype=np.int64), pu_loc


def _upz_mismatches(
    upz_poly: gpd.GeoDataFrame, group_poly: np.ndarray, pu_loc: np.ndarray
) -> tuple[tuple[str, ...], tuple[str, ...], list[str]]:
    """Name the UPZ polygons without people and those in another localidad than the table's.

    Parameters
    ----------
    upz_poly
        The UPZ polygons (``code``, and ``localidad`` if the layer has it).
    group_poly
        The polygon position of each UPZ population row.
    pu_loc
        The localidad code of each UPZ population row.

    Returns
    -------
    tuple
        The codes of the polygons without a population row, the codes whose
        polygon's localidad differs from the table's, and the warnings saying so.
    """
    poly_code = upz_poly["code"].astype(str).to_numpy()
    warnings: list[str] = []
    without_population = tuple(
        sorted(poly_code[i] for i in set(range(len(poly_code))) - set(group_poly.tolist()))
    )
    if without_population:
        warnings.append(f"UPZ polygons without a population row (no people): {without_population}")
    mismatch: tuple[str, ...] = ()
    if "localidad" in upz_poly.columns:
        poly_loc = upz_poly["localidad"].map(_loc).to_numpy()
        mismatch = tuple(
            poly_code[g] for g, loc in zip(group_poly, pu_loc, strict=True) if poly_loc[g] != loc
        )
        if mismatch:
            warnings.append(
                f"UPZ whose polygon lies in another localidad than the table says: {mismatch}; "
                "the table's localidad is used"
            )
    return without_population, mismatch, warnings


def _remainders(
    loc_codes: np.ndarray,
    loc_total: Mapping[str, float],
    pu_total: np.ndarray,
    pu_loc: np.ndarray,
    *,
    year: int,
) -> dict[str, float]:
    """Count each localidad's people outside every UPZ: its total less its UPZ's.

    Raises
    ------
    LayerError
        If a localidad's total is below the sum of its UPZ (tables of different releases).
    """
    upz_sum = pd.Series(pu_total).groupby(pu_loc).sum()
    remainder: dict[str, float] = {}
    for code in loc_codes:
        rest = loc_total[code] - float(upz_sum.get(code, 0.0))
        if rest < -0.5:
            raise LayerError(
                f"localidad {code}: its {year} total {loc_total[code]:,.0f} is below the sum of "
                f"its UPZ {float(upz_sum[code]):,.0f}; the tables are from different releases."
            )
        remainder[code] = max(rest, 0.0)
    return remainder


def _block_weights(blocks: gpd.GeoDataFrame, weight_col: str | None) -> np.ndarray | None:
    """Read the blocks' weights from ``weight_col`` (``None`` without one: weigh by area).

    Raises
    ------
    LayerError
        If the column is missing or a weight is missing, negative or not a number.
    """
    if weight_col is None:
        return None
    _require(blocks, (weight_col,), what="the blocks layer")
    raw_w = pd.to_numeric(blocks[weight_col], errors="coerce").to_numpy(dtype=float)
    bad_w = ~np.isfinite(raw_w) | (raw_w < 0)
    if bad_w.any():
        raise LayerError(
            f"the blocks layer: {weight_col!r} of block {blocks.index[bad_w][0]!r} is missing, "
            f"negative or not a number ({int(bad_w.sum())} such block(s)); fill them (e.g. 0)."
        )
    return raw_w


def _block_polygons(
    blocks: gpd.GeoDataFrame, target: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Project the blocks to ``target`` and repair the invalid ones.

    Returns
    -------
    tuple
        The block geometries (invalid ones made valid), which are unusable
        (missing, empty, not polygons) and which were repaired.
    """
    block_geoms = np.asarray(blocks.geometry.to_crs(target).values, dtype=object)
    unusable = shapely.is_missing(block_geoms) | shapely.is_empty(block_geoms)
    unusable |= ~np.isin(
        shapely.get_type_id(block_geoms),
        [shapely.GeometryType.POLYGON, shapely.GeometryType.MULTIPOLYGON],
    )
    invalid = ~unusable & ~shapely.is_valid(block_geoms)
    if invalid.any():
        block_geoms = block_geoms.copy()
        block_geoms[invalid] = shapely.make_valid(block_geoms[invalid])
    return block_geoms, unusable, invalid


def _block_groups(
    in_poly: np.ndarray,
    in_loc: np.ndarray,
    *,
    poly_to_group: np.ndarray,
    loc_codes: np.ndarray,
    rem_group: Mapping[Any, int],
) -> np.ndarray:
    """Give each block the group whose people it shares: its UPZ, else its localidad's rest.

    Parameters
    ----------
    in_poly, in_loc
        The UPZ polygon and the localidad polygon holding each block (-1: none).
    poly_to_group
        The group of each UPZ polygon (-1: no population row).
    loc_codes
        The code of each localidad polygon.
    rem_group
        The group of each localidad's people outside every UPZ, for the blocks
        outside every UPZ (empty: those blocks get none).

    Returns
    -------
    numpy.ndarray
        The group of each block, -1 for none.
    """
    block_group = np.where(in_poly >= 0, poly_to_group[np.maximum(in_poly, 0)], -1)
    outside = in_poly < 0
    block_loc = np.where(in_loc >= 0, loc_codes[np.maximum(in_loc, 0)], None)
    for j, code in enumerate(block_loc):
        if outside[j] and code in rem_group:
            block_group[j] = rem_group[code]
    return block_group


def _upz_without_blocks(
    counts: np.ndarray, group_poly: np.ndarray, upz_geoms: np.ndarray, poly_code: np.ndarray
) -> tuple[list[str], list[tuple[Any, int, float]]]:
    """Make a UPZ without any block one unit: its whole polygon.

    Returns
    -------
    tuple
        The codes of those UPZ and their units ``(geometry, group, area)``.
    """
    without_blocks = []
    units: list[tuple[Any, int, float]] = []
    for g, count in enumerate(counts):
        if count == 0:
            without_blocks.append(poly_code[group_poly[g]])
            geom = upz_geoms[group_poly[g]]
            units.append((geom, g, float(shapely.area(geom))))
    return without_blocks, units


def _remainder_units(
    remainders: Sequence[tuple[str, int, float]],
    loc_geoms: Sequence[Any],
    upz_geoms: np.ndarray,
    *,
    counts: np.ndarray,
    block_group: np.ndarray,
    block_area: np.ndarray,
    rural: Literal["blocks", "area"],
) -> tuple[list[RemainderSpread], list[tuple[Any, int, float]], list[str]]:
    """Place each localidad's people outside every UPZ: on its blocks there, else its area.

    Parameters
    ----------
    remainders
        ``(localidad code, group, people)`` of each localidad with people outside every UPZ.
    loc_geoms
        Their localidad polygons, in the same order.
    upz_geoms
        All UPZ polygons.
    counts
        The number of blocks of each group.
    block_group, block_area
        The group and the area of each usable block.
    rural
        As :class:`DasymetricOptions` says (for the warnings).

    Returns
    -------
    tuple
        How each remainder was spread, the units ``(geometry, group, area)`` of the
        remainders without blocks, and the warnings.
    """
    upz_union = None
    spreads: list[RemainderSpread] = []
    units: list[tuple[Any, int, float]] = []
    warnings: list[str] = []
    upz_tree = shapely.STRtree(upz_geoms)
    for (code, g, people), loc_geom in zip(remainders, loc_geoms, strict=True):
        hits = upz_tree.query(loc_geom, predicate="intersects")
        inside_upz = float(shapely.area(shapely.intersection(upz_geoms[hits], loc_geom)).sum())
        outside_km2 = max(float(shapely.area(loc_geom)) - inside_upz, 0.0) / 1e6
        if counts[g] > 0:
            mine = block_group == g
            spreads.append(
                RemainderSpread(
                    code,
                    people,
                    "blocks",
                    int(counts[g]),
                    float(block_area[mine].sum()) / 1e6,
                    outside_km2,
                )
            )
            continue
        if upz_union is None:
            upz_union = shapely.union_all(upz_geoms)
        rest = shapely.difference(loc_geom, upz_union)
        kind: Literal["area", "localidad"] = "area"
        if shapely.is_empty(rest) or shapely.area(rest) <= 0:
            rest, kind = loc_geom, "localidad"
        units.append((rest, g, float(shapely.area(rest))))
        spreads.append(
            RemainderSpread(code, people, kind, 1, float(shapely.area(rest)) / 1e6, outside_km2)
        )
        if rural == "blocks":
            warnings.append(
                f"localidad {code}: {people:,.0f} people outside every UPZ spread "
                "uniformly "
                f"over {'its area outside every UPZ' if kind == 'area' else 'the whole localidad'} "
                "(no block there)"
            )
    return spreads, units, warnings


def _check_totals(
    people: np.ndarray,
    group_index: np.ndarray,
    group_loc: np.ndarray,
    *,
    n_groups: int,
    pu_total: np.ndarray,
    loc_codes: np.ndarray,
    loc_total: Mapping[str, float],
) -> tuple[float, float, float, float]:
    """Measure how far the cells' people are from the published UPZ and localidad totals.

    Parameters
    ----------
    people
        The people of each cell row (one row per cell and group).
    group_index
        The group of each row.
    group_loc
        The localidad code of each group.
    n_groups
        The number of groups.
    pu_total
        The published total of each UPZ group (the first groups).
    loc_codes, loc_total
        The localidad codes and their published totals.

    Returns
    -------
    tuple
        The largest UPZ error, the largest localidad error, the city total of the
        cells and the published city total.

    Raises
    ------
    AssertionError
        If the city total differs from the published one: a bug, not bad input.
    """
    n_upz = len(pu_total)
    by_group = np.bincount(group_index, weights=people, minlength=n_groups)
    upz_err = float(np.max(np.abs(by_group[:n_upz] - pu_total))) if n_upz else 0.0
    by_loc = pd.Series(people).groupby(group_loc[group_index]).sum()
    loc_err = max(abs(float(by_loc.get(c, 0.0)) - loc_total[c]) for c in loc_codes)
    city = float(people.sum())
    published = float(sum(loc_total.values()))
    if not math.isclose(city, published, rel_tol=1e-9):
        raise AssertionError(f"city total {city} != published {published}")  # a bug, not input
    return upz_err, float(loc_err), city, published
