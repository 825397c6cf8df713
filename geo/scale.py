"""National-scale gap analysis on Dask: demand grids partitioned on disk, exact results.

One job, one module (about 1,500 lines): the gap analysis on Dask. Writing the
partitioned grid, the partition passes and the read-back depend on the same tile
layout, which is defined here and nowhere else.

A country at 100 m is over 10^8 cells: more than one machine should hold. Here the
demand grid lives on disk as **partitioned GeoParquet** (one file per square tile of
cells, written without ever holding the whole grid: :func:`write_grid`,
:func:`write_synthetic_grid`) and is read with :func:`dask_geopandas.read_parquet`.
Each partition is processed on a ``dask.distributed`` worker with the services
within its reach: those inside the partition's bounding box grown by a **halo** of
the catchment radius (services are few, a few thousand to a few hundred thousand,
and are broadcast once). Nothing is approximated:

* nearest service, coverage and simultaneity are per cell, so a partition and the
  services in its halo give exactly the single-machine answer (the same
  :func:`geo.access.nearest_core` on the same coordinates);
* 2SFCA / E2SFCA needs, for each service, the people within its reach, who may sit
  in several partitions: pass 1 sums each partition's share per service (a
  reduction of one number per service), pass 2 computes each cell's
  ``A_i = sum_j R_j w_ij`` with the global ``R``. Only the order of the floating-point
  additions differs from :func:`geo.access.two_step_fca_core` (relative difference
  ~1e-15);
* unserved areas join cells across partitions: each partition labels its own
  uncovered cells (rook adjacency, as :func:`geo.access.unserved_areas`) and returns
  the cells on its edge; the driver joins the pieces whose edge cells touch
  (connected components of a small graph). Statistics only (cells, km², people per
  group, bounding box, rank): dissolving national areas into polygons is left to a
  GIS on the few areas one looks at;
* population-weighted medians of the 2SFCA surface are exact too: a radix selection
  over the float64 bit patterns, 16 bits per pass over the written results.

The cluster is a ``LocalCluster`` of worker processes on this machine by default
(``CARE_ATLAS_DASK_WORKERS``, 2), or any scheduler given by
``CARE_ATLAS_DASK_SCHEDULER=tcp://host:8786`` (:func:`cluster`). Remote workers need
this project installed (same versions) and the data on a path they can all read.

Street networks are not used here: at national scale reach is the straight line
divided by the detour factor (:func:`geo.profiles.reach_m`).

Partition memory is bounded by the tile (``tile`` x ``tile`` cells, 512 x 512 =
262,144 by default) and the services in its halo, whatever the size of the country:
see ``bench/bench_scale.py`` and ``docs/scaling.md``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import resource
import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dask
import dask_geopandas
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from scipy import ndimage, sparse
from scipy.sparse.csgraph import connected_components

from geo import access, gaps, profiles, vocab
from geo.demand import CELL_M, GRID_ATTR, GridFrame, grid_frame
from geo.errors import LayerError

if TYPE_CHECKING:
    from distributed import Client

    from geo.settings import Settings

log = logging.getLogger(__name__)

META_FILE = "_care_atlas.json"
"""Sidecar of a partitioned grid: its frame, groups, cell count and provenance.

Its name starts with ``_`` so Parquet readers (pyarrow, dask) skip it.
"""
DEFAULT_TILE = 512
"""Cells per side of a partition tile (262,144 cells, ~20 MB of columns)."""
_MAX_RASTER = 16_000_000  # largest (rows x cols) box of one partition labelled as a raster
_ROOK = ((-1, 0), (1, 0), (0, -1), (0, 1))

Progress = Callable[[str, int, int], None]
"""``progress(stage, done, total)``: called as partitions finish."""


# ----------------------------------------------------------------------------- cluster


@contextlib.contextmanager
def cluster(settings: Settings | None = None) -> Iterator[Client]:
    """Connect to the configured Dask scheduler, or start a local cluster for the block.

    ``settings.dask_scheduler`` (``CARE_ATLAS_DASK_SCHEDULER``) names a running
    scheduler; empty starts a ``LocalCluster`` of ``settings.dask_workers`` processes
    (one thread each: the cores are numpy/scipy, which release the GIL but also
    use memory per thread) with ``settings.dask_memory_limit`` each. The local
    cluster is closed on exit; a remote one is only disconnected.

    Raises
    ------
    LayerError
        When the scheduler cannot be reached (the message names it and what to do).
    """
    from distributed import Client, LocalCluster

    from geo.settings import get_settings

    settings = settings or get_settings()
    if settings.dask_scheduler:
        try:
            client = Client(settings.dask_scheduler, timeout="5s")
        except (OSError, TimeoutError) as exc:
            raise LayerError(
                f"no Dask scheduler answers at {settings.dask_scheduler} ({exc}); start one "
                "(dask scheduler) or unset CARE_ATLAS_DASK_SCHEDULER to use a local cluster."
            ) from None
        try:
            yield client
        finally:
            client.close()
        return
    with (
        LocalCluster(
            n_workers=settings.dask_workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=settings.dask_memory_limit,
            dashboard_address=":0",
        ) as local,
        Client(local) as client,
    ):
        yield client


def _peak_rss_mb() -> float:
    """Return the process's peak resident memory (MB): ``VmHWM`` on Linux, else ``ru_maxrss``."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024.0  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux


def _reset_peak_rss() -> bool:
    """Start this process's peak memory again from its current memory (Linux only)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")  # "reset the peak resident set size" (proc(5))
    except OSError:
        return False
    return True


def worker_peak_rss_mb(client: Client, *, reset: bool = False) -> dict[str, float]:
    """Peak resident memory (MB) of each worker process: since it started or the last reset.

    With ``reset`` the peaks are read and then started again from the current
    memory, so that the next call measures what ran in between.
    """

    def peak() -> float:
        value = _peak_rss_mb()
        if reset:
            _reset_peak_rss()
        return value

    return {str(k): float(v) for k, v in client.run(peak).items()}


# ----------------------------------------------------------------------------- datasets


@dataclass(frozen=True)
class DemandSet:
    """A demand grid written as partitioned GeoParquet (one file per tile of cells).

    Attributes
    ----------
    path
        The folder: ``part.<tile row>.<tile col>.parquet`` files and :data:`META_FILE`.
    frame
        The grid's frame (origin, cell side, shape, metric CRS): cell centres are
        computed from ``row``/``col`` with it, exactly as :func:`geo.gaps.cell_centres`.
    groups
        Population columns.
    n_cells
        Cells in all partitions.
    zone_col
        Zone column (e.g. municipality code), or ``None``.
    provenance
        Source, licence, date and location precision of the data (free text fields).
    """

    path: Path
    frame: GridFrame
    groups: tuple[str, ...]
    n_cells: int
    zone_col: str | None = None
    provenance: Mapping[str, str] = field(default_factory=dict)

    @property
    def files(self) -> list[Path]:
        """The partition files, in tile order."""
        return sorted(self.path.glob("part.*.parquet"))

    def read(self, columns: Sequence[str] | None = None) -> dask_geopandas.GeoDataFrame:
        """The grid as a lazy dask-geopandas frame (one partition per file)."""
        cols = None if columns is None else [*dict.fromkeys([*columns, "geometry"])]
        return dask_geopandas.read_parquet(
            [str(f) for f in self.files], columns=cols, gather_spatial_partitions=False
        )

    def to_memory(self) -> gpd.GeoDataFrame:
        """The whole grid in memory as :mod:`geo.demand` cells (squares, ``attrs["grid"]``).

        Only for grids that fit on one machine: to compare with :func:`geo.gaps.run_gaps`.
        """
        cells = self.read().compute().reset_index(drop=True)
        out = gpd.GeoDataFrame(
            cells.drop(columns="geometry"),
            geometry=self.frame.boxes(cells["row"].to_numpy(), cells["col"].to_numpy()),
            crs=self.frame.crs,
        )
        out.attrs[GRID_ATTR] = self.frame.as_attrs()
        return out

    def to_meta(self) -> dict[str, Any]:
        """Return the grid's metadata as written beside its partitions."""
        return {
            "format": "care-atlas demand grid 1",
            "grid": self.frame.as_attrs(),
            "groups": list(self.groups),
            "n_cells": self.n_cells,
            "zone_col": self.zone_col,
            "provenance": dict(self.provenance),
        }


def open_demand(path: Path | str) -> DemandSet:
    """Open a partitioned demand grid written by :func:`write_grid` or :func:`write_synthetic_grid`.

    Raises
    ------
    LayerError
        When the folder or its :data:`META_FILE` is missing or unreadable.
    """
    folder = Path(path)
    meta_path = folder / META_FILE
    if not meta_path.is_file():
        raise LayerError(
            f"{folder} is not a partitioned demand grid (no {META_FILE}); write one with "
            "python -m geo grid ... or geo.scale.write_grid."
        )
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        return DemandSet(
            path=folder,
            frame=GridFrame.from_attrs(meta["grid"]),
            groups=tuple(str(g) for g in meta["groups"]),
            n_cells=int(meta["n_cells"]),
            zone_col=meta.get("zone_col"),
            provenance={str(k): str(v) for k, v in (meta.get("provenance") or {}).items()},
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise LayerError(f"{meta_path} is damaged ({exc}); write the grid again.") from None


def _prepare_folder(path: Path, *, overwrite: bool) -> None:
    if path.exists():
        if not overwrite:
            raise LayerError(f"{path} exists; choose a new folder or pass overwrite=True.")
        if not (path / META_FILE).exists() and any(path.iterdir()):
            raise LayerError(
                f"{path} is not empty and is not a Care Atlas grid or result; choose a new "
                "folder (nothing was deleted)."
            )
        shutil.rmtree(path)
    path.mkdir(parents=True)


def _write_part(frame: pd.DataFrame, grid: GridFrame, file: Path) -> int:
    """Write one partition: its columns plus the cell centres as GeoParquet points."""
    x, y = grid.centres(frame["row"].to_numpy(), frame["col"].to_numpy())
    out = gpd.GeoDataFrame(
        frame.reset_index(drop=True), geometry=gpd.points_from_xy(x, y), crs=grid.crs
    )
    out.to_parquet(file, index=False, compression="zstd")
    return len(out)


def write_grid(
    grid: gpd.GeoDataFrame,
    path: Path | str,
    *,
    groups: Sequence[str],
    zone_col: str | None = None,
    tile: int = DEFAULT_TILE,
    provenance: Mapping[str, str] | None = None,
    overwrite: bool = False,
) -> DemandSet:
    """Write an in-memory demand grid (:mod:`geo.demand`) as partitioned GeoParquet.

    One file per ``tile`` x ``tile`` block of cells that holds any; the geometry is
    the cell centre (a point), the cells' squares follow from ``row``/``col`` and the
    frame kept in :data:`META_FILE`.
    """
    frame = grid_frame(grid)
    _check_tile(tile)
    missing = [c for c in [*groups, *([zone_col] if zone_col else [])] if c not in grid.columns]
    if missing:
        raise LayerError(f"the demand grid has no column(s) {missing}; pass existing columns.")
    provenance = dict(provenance or {})
    model = grid.attrs.get("model") or {}
    if model.get("en"):  # a modelled demand says so in every result (geo.demand.sample_demand)
        provenance.setdefault("model", str(model["en"]))
    folder = Path(path)
    _prepare_folder(folder, overwrite=overwrite)
    columns = ["row", "col", *groups, *([zone_col] if zone_col else [])]
    table = pd.DataFrame(grid[columns]).reset_index(drop=True)
    table["row"] = table["row"].astype(np.int64)
    table["col"] = table["col"].astype(np.int64)
    for g in groups:
        table[g] = table[g].astype(np.float64)
    key = pd.MultiIndex.from_arrays([table["row"] // tile, table["col"] // tile])
    n = 0
    for (tr, tc), part in table.groupby(key, sort=True):
        n += _write_part(part, frame, folder / f"part.{tr:05d}.{tc:05d}.parquet")
    out = DemandSet(
        path=folder,
        frame=frame,
        groups=tuple(groups),
        n_cells=n,
        zone_col=zone_col,
        provenance=provenance,
    )
    (folder / META_FILE).write_text(json.dumps(out.to_meta(), indent=1), encoding="utf-8")
    return out


def _check_tile(tile: int) -> None:
    if not isinstance(tile, int) or tile < 8:
        raise LayerError(f"tile = {tile!r}: give a whole number of cells per side, >= 8.")


SYNTHETIC_GROUPS: tuple[str, ...] = ("total", *vocab.DEMAND_GROUPS)
_SYNTHETIC_SHARES = {"children": 0.09, "older": 0.07, "disability": 0.05, "carers": 0.12}


def synthetic_tile(
    grid: GridFrame, tile_row: int, tile_col: int, *, tile: int, seed: int
) -> pd.DataFrame:
    """The cells of one tile of a synthetic country: towns on a sparse countryside.

    Deterministic per ``(seed, tile)``; about 1 cell in 12 is left out (water, no
    one), and whole tiles can be empty. Population per cell is a smooth field of
    "towns" (Gaussian bumps placed by the seed) times noise: the same grid whatever
    the number of workers or the order the tiles are built in.
    """
    r0, c0 = tile_row * tile, tile_col * tile
    r1, c1 = min(r0 + tile, grid.n_rows), min(c0 + tile, grid.n_cols)
    grid_rows, grid_cols = np.meshgrid(np.arange(r0, r1), np.arange(c0, c1), indexing="ij")
    rows, cols = grid_rows.ravel(), grid_cols.ravel()
    rng = np.random.default_rng([seed, tile_row, tile_col])
    towns = np.random.default_rng(seed).uniform(
        [0, 0], [grid.n_rows, grid.n_cols], size=(max(4, grid.n_cells // 400_000), 2)
    )
    density = np.full(len(rows), 2.0)
    for tr, tc in towns:  # a town ~ 3 km across at 100 m
        d2 = (rows - tr) ** 2 + (cols - tc) ** 2
        density += 400.0 * np.exp(-d2 / (2 * 15.0**2))
    keep = rng.random(len(rows)) > 1 / 12
    total = density[keep] * rng.gamma(4.0, 0.25, int(keep.sum()))
    out = pd.DataFrame({"row": rows[keep].astype(np.int64), "col": cols[keep].astype(np.int64)})
    out["total"] = total
    for group, share in _SYNTHETIC_SHARES.items():
        out[group] = total * share
    return out


def _build_tile(grid: GridFrame, tr: int, tc: int, tile: int, seed: int, file: str) -> int:
    return _write_part(synthetic_tile(grid, tr, tc, tile=tile, seed=seed), grid, Path(file))


@dataclass(frozen=True, kw_only=True)
class Job:
    """Where a step on the cluster writes its folder, and the cluster it runs on.

    Frozen and hashable (the client and the progress callback by identity).

    Attributes
    ----------
    folder
        The folder written (created; its parent must exist).
    client
        The Dask client (:func:`cluster`).
    overwrite
        Replace ``folder`` if it holds a grid or a run written here before (never
        anything else: see :func:`_prepare_folder`).
    progress
        Called with ``(stage, done, total)`` as tasks finish.
    """

    folder: Path
    client: Client
    overwrite: bool = False
    progress: Progress | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "folder", Path(self.folder))


def write_synthetic_grid(
    job: Job,
    *,
    n_cells: int,
    cell_m: float = CELL_M,
    crs: str = "EPSG:9377",
    seed: int = 0,
    tile: int = DEFAULT_TILE,
) -> DemandSet:
    """Build a synthetic national grid of about ``n_cells`` cells, tile by tile on the workers.

    The driver never holds the grid: each worker builds and writes its tiles. The
    rectangle is ``n_rows`` x ``n_cols`` with ``n_rows * n_cols * 11/12 ~ n_cells``
    (a 3:2 landscape), in ``crs`` (default MAGNA-SIRGAS Origen-Nacional, Colombia's
    national projection). A benchmark and test fixture, not data: its provenance says so.

    Parameters
    ----------
    job
        The grid's folder and the cluster that builds it.
    n_cells
        About how many cells, >= 1.
    cell_m, crs
        Cell side in metres and the grid's metric CRS.
    seed
        Seed of the random towns and densities: the same seed, the same grid.
    tile
        Side of each partition in cells.
    """
    _check_tile(tile)
    if n_cells < 1:
        raise LayerError(f"n_cells = {n_cells}: ask for at least one cell.")
    rect = n_cells * 12 / 11
    n_rows = max(1, round(math.sqrt(rect / 1.5)))
    n_cols = max(1, math.ceil(rect / n_rows))
    grid = GridFrame(
        x0=4_500_000.0, y_top=2_500_000.0, cell_m=cell_m, n_rows=n_rows, n_cols=n_cols, crs=crs
    )
    folder = job.folder
    _prepare_folder(folder, overwrite=job.overwrite)
    tasks = [
        dask.delayed(_build_tile)(
            grid, tr, tc, tile, seed, str(folder / f"part.{tr:05d}.{tc:05d}.parquet")
        )
        for tr in range(math.ceil(n_rows / tile))
        for tc in range(math.ceil(n_cols / tile))
    ]
    counts = _run(job.client, tasks, "grid", job.progress)
    out = DemandSet(
        path=folder,
        frame=grid,
        groups=SYNTHETIC_GROUPS,
        n_cells=int(sum(counts)),
        provenance={
            "source": f"synthetic (geo.scale.write_synthetic_grid, seed {seed})",
            "licence": "CC0",
            "date": time.strftime("%Y-%m-%d"),
            "precision": f"{cell_m:g} m cells",
            "model": "SYNTHETIC demand for benchmarks and tests: towns placed at random on "
            "a sparse countryside; not a population.",
        },
    )
    (folder / META_FILE).write_text(json.dumps(out.to_meta(), indent=1), encoding="utf-8")
    return out


def synthetic_services(grid: GridFrame, n: int, *, seed: int = 0) -> gpd.GeoDataFrame:
    """``n`` synthetic services over ``grid``: half in its towns, half anywhere.

    Each has an ``id``, a ``capacity`` (5-80 places) and ``services`` codes (care,
    carer or both, in turn), in the grid's CRS. For benchmarks and tests, not data.
    """
    if n < 1:
        raise LayerError(f"n = {n}: ask for at least one service.")
    rng = np.random.default_rng([seed, 1])
    towns = np.random.default_rng(seed).uniform(
        [0, 0], [grid.n_rows, grid.n_cols], size=(max(4, grid.n_cells // 400_000), 2)
    )
    near = n // 2
    pick = towns[rng.integers(0, len(towns), near)] + rng.normal(0, 15.0, (near, 2))
    anywhere = rng.uniform([0, 0], [grid.n_rows, grid.n_cols], size=(n - near, 2))
    rc = np.clip(np.vstack([pick, anywhere]), 0, [grid.n_rows - 1e-6, grid.n_cols - 1e-6])
    x = grid.x0 + rc[:, 1] * grid.cell_m
    y = grid.y_top - rc[:, 0] * grid.cell_m
    codes = np.array(["child_care;older_care", "respite;training", "home_care;respite"])
    return gpd.GeoDataFrame(
        {
            "id": [f"syn-{i}" for i in range(n)],
            "capacity": rng.integers(5, 81, n).astype(np.float64),
            "services": codes[np.arange(n) % 3],
        },
        geometry=gpd.points_from_xy(x, y),
        crs=grid.crs,
    )


# ----------------------------------------------------------------------------- running


def _run(client: Client, tasks: list[Any], stage: str, progress: Progress | None) -> list[Any]:
    """Compute delayed ``tasks`` on the cluster; results in task order, progress as they finish."""
    from distributed import as_completed

    if not tasks:
        return []
    futures = client.compute(tasks)
    position = {f.key: i for i, f in enumerate(futures)}
    results: list[Any] = [None] * len(futures)
    if progress:
        progress(stage, 0, len(futures))
    for done, future in enumerate(as_completed(futures), start=1):
        results[position[future.key]] = future.result()
        future.release()
        if progress:
            progress(stage, done, len(futures))
    return results


@dataclass(frozen=True)
class Services:
    """The services, as plain arrays broadcast to every worker (metric CRS of the grid)."""

    xy: np.ndarray
    capacity: np.ndarray
    ids: np.ndarray
    is_care: np.ndarray | None
    is_carer: np.ndarray | None

    def halo(self, xy: np.ndarray, radius_m: float) -> np.ndarray:
        """Positions of the services within the bounding box of ``xy`` grown by ``radius_m``."""
        if len(xy) == 0:
            return np.empty(0, dtype=np.int64)
        pad = radius_m * (1 + 1e-9) + 1e-6
        lo, hi = xy.min(axis=0) - pad, xy.max(axis=0) + pad
        inside = (self.xy >= lo).all(axis=1) & (self.xy <= hi).all(axis=1)
        return np.flatnonzero(inside)


def services_arrays(
    services: gpd.GeoDataFrame,
    grid: GridFrame,
    *,
    capacity_col: str = gaps.CAPACITY_COL,
    care_codes: Sequence[str] = gaps.CARE_CODES,
    carer_codes: Sequence[str] = gaps.CARER_CODES,
) -> Services:
    """Project ``services`` to the grid's CRS and keep what the workers need."""
    if services.crs is None:
        raise LayerError("the services layer has no CRS; set it (e.g. EPSG:4326).")
    if services.empty:
        raise LayerError("the services layer has no features; give at least one service.")
    metric = services.to_crs(grid.crs).reset_index(drop=True)
    xy = access._xy("services", metric)
    capacity = (
        access._numeric_column("services", metric, capacity_col)
        if capacity_col in metric.columns
        else np.ones(len(metric))
    )
    ids = (
        metric["id"].to_numpy(dtype=object)
        if "id" in metric.columns
        else services.index.to_numpy(dtype=object)
    )
    codes = gaps.SERVICE_CODES_COL in metric.columns
    return Services(
        xy=xy,
        capacity=capacity,
        ids=ids,
        is_care=gaps._has_code(metric[gaps.SERVICE_CODES_COL], care_codes) if codes else None,
        is_carer=gaps._has_code(metric[gaps.SERVICE_CODES_COL], carer_codes) if codes else None,
    )


def _centres(part: pd.DataFrame, grid: GridFrame) -> np.ndarray:
    x, y = grid.centres(part["row"].to_numpy(), part["col"].to_numpy())
    return np.column_stack([x, y]).astype(np.float64, copy=False)


def _within(xy: np.ndarray, services: Services, mask: np.ndarray | None, radius_m: float):
    """Nearest-within-radius of the masked services (all when ``mask`` is None): index, metres."""
    positions = np.arange(len(services.xy)) if mask is None else np.flatnonzero(mask)
    if len(xy) == 0 or len(positions) == 0:
        return np.full(len(xy), -1, dtype=np.int64), np.full(len(xy), np.nan)
    index, distance = access.nearest_core(
        xy, services.xy[positions], max_distance_m=radius_m, workers=1
    )
    return np.where(index >= 0, positions[np.maximum(index, 0)], -1), distance


def _weights(distance: np.ndarray, radius_m: float, decay: access.Decay) -> np.ndarray:
    return access._decay_weights(distance, radius_m, decay)


def _supply_partial(
    part: pd.DataFrame,
    grid: GridFrame,
    services: Services,
    *,
    demand_col: str,
    radius_m: float,
    decay: access.Decay,
) -> tuple[np.ndarray, np.ndarray]:
    """2SFCA pass 1 on one partition: the people of ``demand_col`` within reach of each service."""
    xy = _centres(part, grid)
    halo = services.halo(xy, radius_m)
    if len(halo) == 0:
        return halo, np.empty(0)
    rows, cols, distance = access.catchment_pairs(xy, services.xy[halo], radius_m=radius_m)
    need = access._numeric_column("demand", part, demand_col)
    sums = np.bincount(
        cols, weights=_weights(distance, radius_m, decay) * need[rows], minlength=len(halo)
    )
    return halo, sums


def _access(
    xy: np.ndarray, services: Services, ratio: np.ndarray, *, radius_m: float, decay: access.Decay
) -> np.ndarray:
    """2SFCA pass 2: ``A_i = sum_j R_j w_ij`` for the cells ``xy``."""
    halo = services.halo(xy, radius_m)
    if len(halo) == 0 or len(xy) == 0:
        return np.zeros(len(xy))
    rows, cols, distance = access.catchment_pairs(xy, services.xy[halo], radius_m=radius_m)
    w = sparse.csr_matrix(
        (_weights(distance, radius_m, decay), (rows, cols)), shape=(len(xy), len(halo))
    )
    return np.asarray(w @ ratio[halo], dtype=np.float64)


def _reduce_supply(
    parts: Sequence[tuple[np.ndarray, np.ndarray]], services: Services
) -> np.ndarray:
    """Sum pass-1 partials into ``R_j = S_j / sum_i D_i w_ij`` (0 where no one is in reach)."""
    in_reach = np.zeros(len(services.xy))
    for halo, sums in parts:
        np.add.at(in_reach, halo, sums)
    ratio = np.zeros(len(services.xy))
    np.divide(services.capacity, in_reach, out=ratio, where=in_reach > 0)
    return ratio


# ----------------------------------------------------------------------------- unserved areas


@dataclass(frozen=True)
class _Pieces:
    """One partition's uncovered components: stats per piece and its edge cells."""

    first_key: np.ndarray  # row-major key of the piece's first cell
    n_cells: np.ndarray
    population: np.ndarray  # (pieces, groups)
    row_min: np.ndarray
    row_max: np.ndarray
    col_min: np.ndarray
    col_max: np.ndarray
    zone: np.ndarray | None
    edge_key: np.ndarray  # uncovered cells with a rook neighbour outside the partition
    edge_piece: np.ndarray


def _label(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Rook-contiguity labels 0..k-1 of cells, as a raster (see geo.access._grid_labels)."""
    r0, c0 = rows.min(), cols.min()
    shape = (int(rows.max() - r0) + 1, int(cols.max() - c0) + 1)
    if shape[0] * shape[1] > _MAX_RASTER:
        raise LayerError(
            f"a partition spans {shape[0]} x {shape[1]} cells; rewrite the grid with "
            "geo.scale.write_grid (square tiles) before the unserved areas."
        )
    raster = np.zeros(shape, dtype=bool)
    raster[rows - r0, cols - c0] = True
    labelled, _ = ndimage.label(raster)
    return labelled[rows - r0, cols - c0].astype(np.int64) - 1


def _pieces(
    part: pd.DataFrame,
    covered: np.ndarray,
    *,
    groups: Sequence[str],
    n_cols: int,
    split_by: str | None,
) -> _Pieces:
    keep = ~covered
    rows = part["row"].to_numpy(np.int64)
    cols = part["col"].to_numpy(np.int64)
    key_all = rows * n_cols + cols
    r, c = rows[keep], cols[keep]
    pop = (
        np.column_stack([access._numeric_column("demand", part, g) for g in groups])[keep]
        if len(part)
        else np.empty((0, len(groups)))
    )
    zone = part[split_by].to_numpy()[keep] if split_by else None
    if len(r) == 0:
        empty = np.empty(0, dtype=np.int64)
        return _Pieces(
            empty, empty, np.empty((0, len(groups))), empty, empty, empty, empty,
            None if zone is None else zone[:0], empty, empty,
        )  # fmt: skip
    if zone is None:
        labels = _label(r, c)
    else:
        labels = np.empty(len(r), dtype=np.int64)
        offset = 0
        for value in pd.unique(zone):
            inside = (zone == value) if not pd.isna(value) else pd.isna(zone)
            labels[inside] = _label(r[inside], c[inside]) + offset
            offset = int(labels[inside].max()) + 1
    key = r * n_cols + c
    order = np.lexsort((key, labels))
    starts = np.flatnonzero(np.r_[True, np.diff(labels[order]) != 0])
    lab_sorted = labels[order]
    present = np.sort(key_all)
    edge = np.zeros(len(r), dtype=bool)
    for dr, dc in _ROOK:
        rr, cc = r + dr, c + dc
        valid = (cc >= 0) & (cc < n_cols) & (rr >= 0)
        k = rr * n_cols + cc
        pos = np.searchsorted(present, k)
        found = valid & (pos < len(present)) & (present[np.minimum(pos, len(present) - 1)] == k)
        edge |= valid & ~found
    # pieces are numbered by their position in ``starts`` (labels may skip values)
    piece_of = np.empty(int(labels.max()) + 1, dtype=np.int64)
    piece_of[lab_sorted[starts]] = np.arange(len(starts))
    reduce = lambda values, fn: fn.reduceat(values[order], starts)  # noqa: E731
    return _Pieces(
        first_key=key[order][starts],
        n_cells=np.diff(np.r_[starts, len(order)]),
        population=np.add.reduceat(pop[order], starts, axis=0),
        row_min=reduce(r, np.minimum),
        row_max=reduce(r, np.maximum),
        col_min=reduce(c, np.minimum),
        col_max=reduce(c, np.maximum),
        zone=None if zone is None else zone[order][starts],
        edge_key=key[edge],
        edge_piece=piece_of[labels[edge]],
    )


def _join_pieces(
    parts: Sequence[_Pieces],
    *,
    groups: Sequence[str],
    grid: GridFrame,
    split_by: str | None,
    min_population: float,
) -> pd.DataFrame:
    """Join the partitions' pieces whose edge cells touch into the unserved areas."""
    counts = [len(p.first_key) for p in parts]
    offsets = np.r_[0, np.cumsum(counts)]
    total = int(offsets[-1])
    names = list(groups)
    columns = ["area_id", *([split_by] if split_by else []), "n_cells", "area_km2", *names, "rank"]
    if total == 0:
        return pd.DataFrame({c: pd.Series(dtype=np.float64) for c in columns}).astype(
            {"area_id": np.int64, "n_cells": np.int64, "rank": np.int64}
        )
    edge_key = np.concatenate([p.edge_key for p in parts])
    edge_node = np.concatenate([p.edge_piece + o for p, o in zip(parts, offsets, strict=False)])
    zone = np.concatenate([p.zone for p in parts]) if split_by else None
    order = np.argsort(edge_key, kind="stable")
    sorted_key, sorted_node = edge_key[order], edge_node[order]
    n_cols = grid.n_cols
    left, right = [], []
    for dr, dc in ((1, 0), (0, 1)):  # each touching pair once: down and right
        r, c = np.divmod(edge_key, n_cols)
        rr, cc = r + dr, c + dc
        k = rr * n_cols + cc
        ok = cc < n_cols
        pos = np.searchsorted(sorted_key, k)
        hit = ok & (pos < len(sorted_key))
        hit[hit] = sorted_key[pos[hit]] == k[hit]
        a, b = edge_node[hit], sorted_node[pos[hit]]
        if zone is not None:
            same = _same(zone[a], zone[b])
            a, b = a[same], b[same]
        left.append(a)
        right.append(b)
    a, b = np.concatenate(left), np.concatenate(right)
    graph = sparse.coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(total, total))
    _, label = connected_components(graph, directed=False)

    first = np.concatenate([p.first_key for p in parts])
    frame = pd.DataFrame({"label": label, "first": first})
    frame["n_cells"] = np.concatenate([p.n_cells for p in parts])
    pops = np.concatenate([p.population for p in parts], axis=0)
    for i, g in enumerate(names):
        frame[g] = pops[:, i]
    for name in ("row_min", "col_min"):
        frame[name] = np.concatenate([getattr(p, name) for p in parts])
    for name in ("row_max", "col_max"):
        frame[name] = np.concatenate([getattr(p, name) for p in parts])
    agg = {"first": "min", "n_cells": "sum", **dict.fromkeys(names, "sum")}
    agg |= {"row_min": "min", "col_min": "min", "row_max": "max", "col_max": "max"}
    if zone is not None and split_by:
        frame[split_by] = zone
        agg[split_by] = "first"
    areas = frame.groupby("label", sort=False).agg(agg).reset_index(drop=True)
    # area_id: 1 + order of the area's first cell in row-major order, as scipy.ndimage.label
    # numbers the components of the whole raster (so ids match geo.access.unserved_areas).
    areas = areas.sort_values("first", kind="stable").reset_index(drop=True)
    areas.insert(0, "area_id", np.arange(1, len(areas) + 1, dtype=np.int64))
    areas["area_km2"] = areas["n_cells"].to_numpy() * grid.cell_m**2 / 1e6
    people = areas[names].sum(axis=1).to_numpy()
    areas = areas.loc[people >= min_population]
    people = people[people >= min_population]
    order = np.lexsort((areas["area_id"].to_numpy(), -people))
    areas = areas.iloc[order].reset_index(drop=True)
    areas["rank"] = np.arange(1, len(areas) + 1, dtype=np.int64)
    fr, fc = np.divmod(areas["first"].to_numpy(), n_cols)
    x, y = grid.centres(fr, fc)
    x0 = grid.x0 + areas["col_min"].to_numpy() * grid.cell_m
    x1 = grid.x0 + (areas["col_max"].to_numpy() + 1) * grid.cell_m
    y1 = grid.y_top - areas["row_min"].to_numpy() * grid.cell_m
    y0 = grid.y_top - (areas["row_max"].to_numpy() + 1) * grid.cell_m
    out = areas[columns].copy()
    out["minx"], out["miny"], out["maxx"], out["maxy"] = x0, y0, x1, y1
    return gpd.GeoDataFrame(out, geometry=gpd.points_from_xy(x, y), crs=grid.crs)


def _same(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    both_missing = pd.isna(a) & pd.isna(b)
    return both_missing | (np.asarray(a == b, dtype=bool) & ~pd.isna(a))


# ----------------------------------------------------------------------------- quantiles


def _bits(values: np.ndarray) -> np.ndarray:
    """Order-preserving uint64 keys of non-negative, finite float64 values."""
    return np.ascontiguousarray(values, dtype=np.float64).view(np.uint64)


Hist = tuple[np.ndarray, np.ndarray]
"""A sparse histogram over the 65,536 digits: the digits with weight, their weights."""


def _radix_hist(values: np.ndarray, weights: np.ndarray, prefix: int, level: int) -> Hist:
    """Weight per 16-bit digit ``level`` (0 = top) among values whose higher digits are ``prefix``.

    Sparse (a few hundred digits at most in practice), so that the driver receives
    kilobytes per partition, not 1 MB, however many partitions a country has.
    """
    keep = np.isfinite(values) & (weights > 0)
    bits = _bits(values[keep])
    w = weights[keep]
    if level:
        shift = np.uint64(64 - 16 * level)
        match = (bits >> shift) == np.uint64(prefix)
        bits, w = bits[match], w[match]
    digit = (bits >> np.uint64(48 - 16 * level)) & np.uint64(0xFFFF)
    dense = np.bincount(digit.astype(np.int64), weights=w, minlength=1 << 16)
    nonzero = np.flatnonzero(dense)
    return nonzero.astype(np.int32), dense[nonzero]


def _dense(parts: Sequence[Hist]) -> np.ndarray:
    """Sum sparse histograms into one dense array of 65,536 digits."""
    out = np.zeros(1 << 16)
    for digits, weights in parts:
        out[digits] += weights  # digits are unique within a part
    return out


# ----------------------------------------------------------------------------- gaps


@dataclass(frozen=True)
class ScaleResult:
    """What :func:`run_gaps` computes and writes.

    Attributes
    ----------
    cells
        Folder of the per-cell results, partitioned GeoParquet like the input (the
        demand columns plus ``covered``, ``nearest_m``, ``nearest_minutes``,
        ``nearest_service``, ``access_per_1000`` and, with service codes,
        ``care_within``, ``carer_within``, ``simultaneity``).
    coverage
        Per group: ``population``, ``covered``, ``unserved``, ``pct_covered``.
    by_zone
        Per zone and group, or ``None``.
    unserved_areas
        One row per area (statistics, see :func:`_join_pieces`), ranked; geometry is
        the centre of the area's first cell, with its bounding box in ``minx``..``maxy``.
    headline
        The same keys as :attr:`geo.gaps.GapsResult.headline` (straight-line mode),
        plus ``engine``, ``n_partitions``, ``seconds`` and ``stage_seconds``.
    """

    cells: Path
    coverage: pd.DataFrame
    by_zone: pd.DataFrame | None
    unserved_areas: gpd.GeoDataFrame
    headline: dict[str, Any]

    def lines(self) -> list[str]:
        """Return the headline as sentences."""
        return gaps.headline_lines(self.headline)


def _part_pass1(
    part: pd.DataFrame,
    grid: GridFrame,
    services: Services,
    *,
    groups: Sequence[str],
    access_col: str,
    radius_m: float,
    zone_col: str | None,
) -> dict[str, Any]:
    """Pass 1 on one partition: reductions only (coverage, zones, simultaneity, 2SFCA step 1, pieces)."""
    xy = _centres(part, grid)
    index, _ = _within(xy, services, None, radius_m)
    covered = index >= 0
    population = (
        np.column_stack([access._numeric_column("demand", part, g) for g in groups])
        if len(part)
        else np.empty((0, len(groups)))
    )
    out: dict[str, Any] = {
        "n": len(part),
        "population": population.sum(axis=0),
        "covered": population[covered].sum(axis=0),
        "supply": _supply_partial(
            part, grid, services, demand_col=access_col, radius_m=radius_m, decay=None
        ),
        "pieces": _pieces(part, covered, groups=groups, n_cols=grid.n_cols, split_by=zone_col),
    }
    if zone_col is not None:
        frame = pd.DataFrame(population, columns=list(groups))
        zones = part[zone_col].reset_index(drop=True)
        out["zone_pop"] = frame.groupby(zones, dropna=False, sort=True).sum()
        out["zone_cov"] = frame.mul(covered, axis=0).groupby(zones, dropna=False, sort=True).sum()
    if services.is_care is not None and "carers" in part.columns:
        care = _within(xy, services, services.is_care, radius_m)[0] >= 0
        carer = _within(xy, services, services.is_carer, radius_m)[0] >= 0
        carers = access._numeric_column("demand", part, "carers")
        out["carers_total"] = float(carers.sum())
        out["carers_both"] = float(carers[care & carer].sum())
    return out


@dataclass(frozen=True, kw_only=True)
class _Reach:
    """How far people walk in pass 2: the radius and how minutes are read from metres."""

    radius_m: float
    profile: str
    detour: float


def _part_pass2(
    part: gpd.GeoDataFrame,
    grid: GridFrame,
    services: Services,
    ratio: np.ndarray,
    *,
    reach: _Reach,
    access_col: str,
    file: str,
) -> dict[str, Any]:
    """Pass 2 on one partition: per-cell results written to ``file``; histograms for medians."""
    xy = _centres(part, grid)
    out = pd.DataFrame(part.drop(columns="geometry")).reset_index(drop=True)
    index, distance = (
        access.nearest_core(xy, services.xy, workers=1)
        if len(xy)
        else (np.empty(0, np.int64), np.empty(0))
    )
    out["nearest_m"] = distance
    out["nearest_minutes"] = profiles.walk_minutes(
        distance, profile=reach.profile, detour=reach.detour
    )
    out["nearest_service"] = pd.array(services.ids[index].astype(str), dtype="string")
    near_index, _ = _within(xy, services, None, reach.radius_m)
    out["covered"] = near_index >= 0
    per_person = _access(xy, services, ratio, radius_m=reach.radius_m, decay=None)
    out["access_per_1000"] = per_person * 1000.0
    if services.is_care is not None:
        out["care_within"] = _within(xy, services, services.is_care, reach.radius_m)[0] >= 0
        out["carer_within"] = _within(xy, services, services.is_carer, reach.radius_m)[0] >= 0
        out["simultaneity"] = out["care_within"] & out["carer_within"]
    _write_part(out, grid, Path(file))
    weight = out[access_col].to_numpy(dtype=float)
    values = out["access_per_1000"].to_numpy()
    return {
        "all": _radix_hist(values, weight, 0, 0),
        "covered": _radix_hist(values, weight * out["covered"].to_numpy(), 0, 0),
    }


def _part_quantile(file: str, access_col: str, prefixes: dict[str, int], level: int):
    table = pd.read_parquet(file, columns=["access_per_1000", access_col, "covered"])
    values = table["access_per_1000"].to_numpy(dtype=float)
    weight = table[access_col].to_numpy(dtype=float)
    covered = table["covered"].to_numpy(dtype=float)
    return {
        "all": _radix_hist(values, weight, prefixes["all"], level),
        "covered": _radix_hist(values, weight * covered, prefixes["covered"], level),
    }


def _choose(hist: np.ndarray, target: float) -> tuple[int, float]:
    """The digit whose cumulative weight first reaches ``target``; the weight before it."""
    cum = np.cumsum(hist)
    digit = min(int(np.searchsorted(cum, target)), len(cum) - 1)
    return digit, float(cum[digit - 1]) if digit else 0.0


def _medians(
    client: Client,
    files: Sequence[str],
    first: Sequence[dict[str, Hist]],
    access_col: str,
    progress: Progress | None,
) -> dict[str, float]:
    """Exact population-weighted medians (as :func:`geo.gaps.weighted_median`) by radix selection."""
    hists = {k: _dense([h[k] for h in first]) for k in ("all", "covered")}
    totals = {k: float(h.sum()) for k, h in hists.items()}
    targets = {k: 0.5 * totals[k] for k in hists}
    prefixes = dict.fromkeys(hists, 0)
    for level in range(4):
        if level:
            parts = _run(
                client,
                [dask.delayed(_part_quantile)(f, access_col, dict(prefixes), level) for f in files],
                f"median {level + 1}/4",
                progress,
            )
            hists = {k: _dense([p[k] for p in parts]) for k in hists}
        for k in hists:
            if totals[k] <= 0:
                continue
            digit, before = _choose(hists[k], targets[k])
            targets[k] -= before
            prefixes[k] = (prefixes[k] << 16) | digit
    return {
        k: float(np.array([prefixes[k]], dtype=np.uint64).view(np.float64)[0])
        if totals[k] > 0
        else float("nan")
        for k in hists
    }


_GAPS_DEFAULTS = gaps.GapsOptions()
"""The single-machine defaults (detour, codes, capacity column...)."""


def run_gaps(
    demand: DemandSet,
    services: gpd.GeoDataFrame,
    job: Job,
    *,
    minutes: float,
    profile: str = "adult",
    groups: Sequence[str] = gaps.DEFAULT_GROUPS,
    zone_col: str | None = None,
    options: gaps.GapsOptions = _GAPS_DEFAULTS,
) -> ScaleResult:
    """Run :func:`geo.gaps.run_gaps` (straight-line mode) over a partitioned grid on Dask.

    Same parameters and the same figures as the single-machine function (``options``:
    its :class:`geo.gaps.GapsOptions`; ``max_snap_m`` is for network mode, not used
    here); the per-cell results are written to ``job.folder/cells`` (partitioned
    GeoParquet), the unserved areas to ``job.folder/unserved_areas.parquet``, the
    coverage and zone tables and the headline to ``job.folder/summary.json``. Three
    passes over the data, plus four light passes for the exact medians.

    Raises
    ------
    LayerError
        For missing columns, an empty or CRS-less services layer, a bad radius, or an
        output folder that exists (without ``overwrite``).
    """
    started = time.perf_counter()
    client, progress = job.client, job.progress
    detour, capacity_col, access_col = options.detour, options.capacity_col, options.access_col
    min_population = options.min_population
    groups = list(dict.fromkeys(groups))
    if not groups:
        raise LayerError("no population groups to analyse; pass at least one, e.g. children.")
    available = {*demand.groups, *([demand.zone_col] if demand.zone_col else [])}
    access_col = access_col or ("total" if "total" in demand.groups else groups[0])
    missing = [c for c in [*groups, access_col] if c not in available]
    if missing:
        raise LayerError(
            f"the partitioned grid has no column(s) {missing}; it has {sorted(available)}."
        )
    if zone_col is not None and zone_col != demand.zone_col:
        raise LayerError(
            f"the partitioned grid has no zone column {zone_col!r}"
            f" (its zone column is {demand.zone_col!r})."
        )
    radius_m, walker = gaps.walk_reach(minutes, profile=profile, detour=detour)
    grid = demand.frame
    svc = services_arrays(
        services,
        grid,
        capacity_col=capacity_col,
        care_codes=options.care_codes,
        carer_codes=options.carer_codes,
    )
    out = job.folder
    _prepare_folder(out, overwrite=job.overwrite)
    cells = out / "cells"
    cells.mkdir()
    log.info(
        "scale: %g min = %.0f m; %d cells in %d partitions, %d services; dashboard %s",
        minutes,
        radius_m,
        demand.n_cells,
        len(demand.files),
        len(svc.xy),
        client.dashboard_link,
    )
    frame = demand.read()
    parts = frame.to_delayed()
    svc_future = client.scatter(svc, broadcast=True)
    stages: dict[str, float] = {}

    tick = time.perf_counter()
    first = _run(
        client,
        [
            dask.delayed(_part_pass1)(
                p,
                grid,
                svc_future,
                groups=groups,
                access_col=access_col,
                radius_m=radius_m,
                zone_col=zone_col,
            )
            for p in parts
        ],
        "pass 1/2",
        progress,
    )
    stages["pass1"] = time.perf_counter() - tick
    ratio = _reduce_supply([r["supply"] for r in first], svc)
    ratio_future = client.scatter(ratio, broadcast=True)

    tick = time.perf_counter()
    files = [str(cells / Path(f).name) for f in demand.files]
    second = _run(
        client,
        [
            dask.delayed(_part_pass2)(
                p,
                grid,
                svc_future,
                ratio_future,
                reach=_Reach(radius_m=radius_m, profile=profile, detour=detour),
                access_col=access_col,
                file=f,
            )
            for p, f in zip(parts, files, strict=True)
        ],
        "pass 2/2",
        progress,
    )
    stages["pass2"] = time.perf_counter() - tick

    tick = time.perf_counter()
    medians = _medians(client, files, second, access_col, progress)
    stages["medians"] = time.perf_counter() - tick
    tick = time.perf_counter()
    areas = _join_pieces(
        [r["pieces"] for r in first],
        groups=groups,
        grid=grid,
        split_by=zone_col,
        min_population=min_population,
    )
    stages["areas"] = time.perf_counter() - tick

    people = np.sum([r["population"] for r in first], axis=0)
    people_covered = np.sum([r["covered"] for r in first], axis=0)
    totals = pd.DataFrame(
        {
            "population": people,
            "covered": people_covered,
            "unserved": people - people_covered,
            "pct_covered": access._pct(people_covered, people),
        },
        index=pd.Index(groups, name="group"),
    )
    by_zone = None
    if zone_col is not None:
        pop_z = pd.concat([r["zone_pop"] for r in first]).groupby(level=0, dropna=False).sum()
        cov_z = pd.concat([r["zone_cov"] for r in first]).groupby(level=0, dropna=False).sum()
        columns: dict[str, np.ndarray] = {}
        for g in groups:
            columns[f"{g}_population"] = pop_z[g].to_numpy()
            columns[f"{g}_covered"] = cov_z[g].to_numpy()
            columns[f"{g}_pct"] = access._pct(cov_z[g].to_numpy(), pop_z[g].to_numpy())
        by_zone = pd.DataFrame(columns, index=pop_z.index.rename(zone_col))

    headline: dict[str, Any] = {
        "minutes": float(minutes),
        "profile": walker.id,
        "speed_kmh": walker.speed_kmh,
        "detour": float(detour),
        "radius_m": float(radius_m),
        "cell_m": grid.cell_m,
        "crs": grid.crs,
        "n_cells": int(sum(r["n"] for r in first)),
        "n_services": len(svc.xy),
        "capacity": (
            f"from the {capacity_col!r} column"
            if capacity_col in services.columns
            else f"1 place per service: no {capacity_col!r} column"
        ),
        "groups": gaps.group_figures(totals),
        "access_col": access_col,
        "access_median_per_1000": medians["all"],
        "access_median_covered_per_1000": medians["covered"],
        "n_unserved_areas": len(areas),
        "largest_unserved_km2": float(areas["area_km2"].iloc[0]) if len(areas) else 0.0,
        "largest_unserved_people": float(areas[groups].iloc[0].sum()) if len(areas) else 0.0,
        "model": demand.provenance.get("model", ""),
        "distance_mode": "straight",
        "n_cells_too_far": 0,
        "engine": "dask",
        "n_partitions": len(demand.files),
        "workers": len(client.nthreads()),
    }
    # the same figures and notes as geo.gaps.run_gaps
    if svc.is_care is None or svc.is_carer is None:
        headline["simultaneity_note"] = (
            f"not computed: the services layer has no {gaps.SERVICE_CODES_COL!r} codes column"
        )
    elif "carers" not in demand.groups:
        headline["simultaneity_note"] = "not computed: the demand has no 'carers' column"
    else:
        total = float(sum(r.get("carers_total", 0.0) for r in first))
        both = float(sum(r.get("carers_both", 0.0) for r in first))
        headline |= {
            "simultaneity_share": both / total if total > 0 else 0.0,
            "carers_both": both,
            "carers_total": total,
            "simultaneity_note": "",
        }
        n_care, n_carer = int(svc.is_care.sum()), int(svc.is_carer.sum())
        if not (n_care and n_carer):
            headline["simultaneity_note"] = (
                f"{n_care} care and {n_carer} carer services in the layer, so no carer reaches both"
            )
    headline["stage_seconds"] = {k: round(v, 3) for k, v in stages.items()}
    headline["seconds"] = round(time.perf_counter() - started, 3)

    areas.to_parquet(out / "unserved_areas.parquet", index=False)
    summary = {
        "headline": headline,
        "coverage": totals.reset_index().to_dict(orient="records"),
        "by_zone": None if by_zone is None else by_zone.reset_index().to_dict(orient="records"),
        "demand": demand.to_meta() | {"path": str(demand.path)},
    }
    (out / "summary.json").write_text(
        json.dumps(summary, indent=1, default=_json_default), encoding="utf-8"
    )
    (out / META_FILE).write_text(
        json.dumps(demand.to_meta() | {"result_of": str(demand.path)}, indent=1),
        encoding="utf-8",
    )
    return ScaleResult(
        cells=cells, coverage=totals, by_zone=by_zone, unserved_areas=areas, headline=headline
    )


def _json_default(value: Any) -> Any:
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


# ----------------------------------------------------------------------------- lazy API


def nearest(
    demand: DemandSet, services: gpd.GeoDataFrame, *, max_distance_m: float | None = None
) -> dask_geopandas.GeoDataFrame:
    """Find each cell's nearest service over a partitioned grid.

    The lazy counterpart of :func:`geo.access.nearest`, with columns ``row``, ``col``,
    ``service_position`` (position in ``services``, -1 where none) and ``distance_m``.

    With ``max_distance_m`` each partition only looks at the services in its halo.
    """
    svc = services_arrays(services, demand.frame)
    grid = demand.frame

    def one(part: gpd.GeoDataFrame) -> pd.DataFrame:
        xy = _centres(part, grid)
        if max_distance_m is None:
            index, distance = (
                access.nearest_core(xy, svc.xy, workers=1)
                if len(xy)
                else (np.empty(0, np.int64), np.empty(0))
            )
        else:
            halo = svc.halo(xy, max_distance_m)
            sub = Services(svc.xy[halo], svc.capacity[halo], svc.ids[halo], None, None)
            index, distance = _within(xy, sub, None, max_distance_m)
            if len(halo):
                index = np.where(index >= 0, halo[np.maximum(index, 0)], -1)
        return pd.DataFrame(
            {
                "row": part["row"].to_numpy(np.int64),
                "col": part["col"].to_numpy(np.int64),
                "service_position": index.astype(np.int64),
                "distance_m": distance,
            },
            index=part.index,
        )

    meta = pd.DataFrame(
        {
            "row": pd.Series(dtype=np.int64),
            "col": pd.Series(dtype=np.int64),
            "service_position": pd.Series(dtype=np.int64),
            "distance_m": pd.Series(dtype=np.float64),
        }
    )
    return demand.read(["row", "col"]).map_partitions(one, meta=meta)


def two_step_fca(
    demand: DemandSet,
    supply: gpd.GeoDataFrame,
    *,
    client: Client,
    demand_col: str,
    capacity_col: str,
    radius_m: float,
    decay: access.Decay = None,
) -> Any:
    """Run the two-step floating catchment over a partitioned grid.

    The lazy counterpart of :func:`geo.access.two_step_fca`: a frame of ``row``,
    ``col``, ``capacity_per_person``.

    Step 1 (the people within reach of each service, summed over the partitions) is
    computed now on ``client``; step 2 is lazy, one task per partition.
    """
    if capacity_col not in supply.columns:
        raise LayerError(f"the supply layer has no column {capacity_col!r}.")
    radius = access._check_radius(radius_m)
    grid = demand.frame
    svc = services_arrays(supply, grid, capacity_col=capacity_col)
    frame = demand.read(["row", "col", demand_col])
    partials = _run(
        client,
        [
            dask.delayed(_supply_partial)(
                p, grid, svc, demand_col=demand_col, radius_m=radius, decay=decay
            )
            for p in frame.to_delayed()
        ],
        "2SFCA step 1",
        None,
    )
    ratio = _reduce_supply(partials, svc)

    def one(part: gpd.GeoDataFrame) -> pd.DataFrame:
        xy = _centres(part, grid)
        return pd.DataFrame(
            {
                "row": part["row"].to_numpy(np.int64),
                "col": part["col"].to_numpy(np.int64),
                "capacity_per_person": _access(xy, svc, ratio, radius_m=radius, decay=decay),
            },
            index=part.index,
        )

    meta = pd.DataFrame(
        {
            "row": pd.Series(dtype=np.int64),
            "col": pd.Series(dtype=np.int64),
            "capacity_per_person": pd.Series(dtype=np.float64),
        }
    )
    return frame.map_partitions(one, meta=meta)


def read_cells(result_dir: Path | str, columns: Sequence[str] | None = None) -> Any:
    """The per-cell results of a run (lazy dask-geopandas frame)."""
    folder = Path(result_dir) / "cells"
    files = sorted(folder.glob("part.*.parquet"))
    if not files:
        raise LayerError(f"{folder} holds no results; run python -m geo gaps --engine dask first.")
    cols = None if columns is None else [*dict.fromkeys([*columns, "geometry"])]
    return dask_geopandas.read_parquet(
        [str(f) for f in files], columns=cols, gather_spatial_partitions=False
    )


def bbox_polygon(area: pd.Series) -> shapely.Geometry:
    """The bounding box of one unserved area (a row of :attr:`ScaleResult.unserved_areas`)."""
    return shapely.box(area["minx"], area["miny"], area["maxx"], area["maxy"])


# ----------------------------------------------------------------------------- reading runs


@dataclass(frozen=True)
class RunSummary:
    """A finished run read back from its folder (what :func:`run_gaps` wrote).

    ``areas`` are the unserved areas (statistics, bounding box columns ``minx``..``maxy``,
    point geometry at the first cell) in the grid's CRS; ``by_zone`` is ``None``
    without zones; ``demand`` is the grid's sidecar (frame, groups, provenance).
    """

    path: Path
    headline: dict[str, Any]
    coverage: pd.DataFrame
    by_zone: pd.DataFrame | None
    areas: gpd.GeoDataFrame
    demand: dict[str, Any]

    @property
    def name(self) -> str:
        """The result folder's name."""
        return self.path.name

    def area_boxes(self, limit: int | None = None) -> gpd.GeoDataFrame:
        """The first ``limit`` areas by rank with their bounding boxes as polygons."""
        top = self.areas if limit is None else self.areas.head(limit)
        boxes = shapely.box(top["minx"], top["miny"], top["maxx"], top["maxy"])
        return gpd.GeoDataFrame(
            top.drop(columns=top.geometry.name), geometry=boxes, crs=self.areas.crs
        )


def read_run(path: Path | str) -> RunSummary:
    """Read a run folder written by :func:`run_gaps` (``summary.json`` and the areas).

    Raises
    ------
    LayerError
        When the folder is not a finished run or its files are damaged.
    """
    folder = Path(path)
    summary_file, areas_file = folder / "summary.json", folder / "unserved_areas.parquet"
    if not (summary_file.is_file() and areas_file.is_file()):
        raise LayerError(
            f"{folder} is not a finished run (no summary.json or unserved_areas.parquet); "
            "run python -m geo gaps --engine dask --out ... to make one."
        )
    try:
        summary = json.loads(summary_file.read_text(encoding="utf-8"))
        coverage = pd.DataFrame(summary["coverage"]).set_index("group")
        zones = summary.get("by_zone")
        by_zone = pd.DataFrame(zones) if zones else None
        if by_zone is not None:
            by_zone = by_zone.set_index(by_zone.columns[0])
        areas = gpd.read_parquet(areas_file)
        return RunSummary(
            path=folder,
            headline=dict(summary["headline"]),
            coverage=coverage,
            by_zone=by_zone,
            areas=areas,
            demand=dict(summary.get("demand") or {}),
        )
    except (ValueError, KeyError, TypeError, OSError) as exc:
        raise LayerError(f"the run in {folder} is damaged ({exc}); run it again.") from None


def list_runs(results_dir: Path | str) -> list[Path]:
    """Finished run folders in ``results_dir`` (newest first); none when it does not exist."""
    folder = Path(results_dir)
    if not folder.is_dir():
        return []
    runs = [p for p in folder.iterdir() if (p / "summary.json").is_file()]
    return sorted(runs, key=lambda p: (p / "summary.json").stat().st_mtime, reverse=True)
