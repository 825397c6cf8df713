"""Care gaps in batch: who is within walking reach of care services, and who is not.

:func:`run_gaps` is the pipeline behind ``python -m geo gaps`` (see ``geo/cli.py``)
and the app's gaps page: a demand grid and a services layer in, a :class:`GapsResult`
(frames and headline figures) out. :func:`prepare_demand` turns a user's demand
layer (a grid, census blocks or points) into a grid first; :func:`sample_demand_grid`
builds the bundled Bogotá sample.

Reach is a straight-line radius in metres (:func:`geo.profiles.reach_m`): walking
``minutes`` at the profile's speed, divided by a detour factor. Every service in the
layer counts for coverage, nearest distance and accessibility; filter the layer
first to ask about one kind of service. Simultaneity (a carer can use a service for
themself while the person they care for is looked after) needs a ``services`` column
of ``;``-separated codes (:mod:`geo.vocab`).
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.spatial import cKDTree

from geo import access, demand, profiles, vocab
from geo import network as network_mod
from geo.errors import LayerError
from geo.layers import require_columns

if TYPE_CHECKING:
    from geo.network import StreetNetwork

log = logging.getLogger(__name__)

CARE_CODES: tuple[str, ...] = vocab.CARE_SERVICES
"""Service codes for the people cared for."""
CARER_CODES: tuple[str, ...] = vocab.CARER_SERVICES
"""Service codes for the carers themselves."""
DEFAULT_GROUPS: tuple[str, ...] = vocab.DEMAND_GROUPS
CAPACITY_COL = "capacity"
SERVICE_CODES_COL = "services"


@dataclass(frozen=True)
class GapsResult:
    """What :func:`run_gaps` computes.

    Attributes
    ----------
    demand
        The demand cells with ``covered`` (bool: a service within reach),
        ``nearest_m`` (straight-line metres to the nearest service),
        ``nearest_minutes`` (walking minutes, with the profile and detour),
        ``nearest_service`` (its id), ``access_per_1000`` (2SFCA care places per
        1,000 people of ``headline["access_col"]``) and, when the services have a
        ``services`` codes column, ``care_within``, ``carer_within`` (bool: a care /
        carer service within reach) and ``simultaneity`` (both). Along the streets
        (``network``), also ``distance_method``: ``"network"`` or ``"straight"`` (the
        cell is near the network's coverage gap: see :func:`run_gaps`).
    unserved_areas
        Contiguous areas of cells with no service within reach, ranked by people.
    by_zone
        Coverage per zone and group, or ``None`` without zones. Along the streets,
        also ``straight_pct``: the share (0-100) of the zone's people (of
        ``headline["access_col"]``) whose figures fall back to straight line x detour.
    coverage
        Per group: ``population``, ``covered``, ``unserved``, ``pct_covered``.
    summary
        The headline figures and parameters as a table (``key``, ``group``,
        ``value``, ``unit``, ``text``), one row per figure.
    headline
        The same figures as a dict, for the UI and the command line: the
        parameters (``minutes``, ``profile``, ``speed_kmh``, ``detour``,
        ``radius_m``, ``cell_m``, ``crs``, ``n_cells``, ``n_services``,
        ``capacity``), ``groups`` (``{group: {population, covered, unserved,
        pct_covered}}``, percentages 0-100), ``access_col``,
        ``access_median_per_1000`` (population-weighted median of the 2SFCA
        surface: the value for the median person of ``access_col``),
        ``access_median_covered_per_1000`` (the same among the people within reach),
        ``n_unserved_areas``, ``largest_unserved_km2`` and
        ``largest_unserved_people`` (the first-ranked area: its km² and the people of
        the groups in it, a person counted once per group it belongs to), ``model`` (the
        demand's "modelled" note, English, or ""), ``simultaneity_share`` (0-1),
        ``carers_both``, ``carers_total`` (absent when not computed) and
        ``simultaneity_note`` (why not, or a caveat; "" otherwise). Along the
        streets, also ``distance_mode`` (``"network"``), ``network`` (its source),
        ``n_cells_too_far``, ``fallback_detour`` (the detour of the straight
        fallback), ``n_cells_straight``, ``people_straight`` and
        ``people_straight_share`` (0-1; people of ``access_col``): the cells near the
        coverage gap measured in a straight line x detour.
    """

    demand: gpd.GeoDataFrame
    unserved_areas: gpd.GeoDataFrame
    by_zone: pd.DataFrame | None
    coverage: pd.DataFrame
    summary: pd.DataFrame
    headline: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """Return the headline figures as short English lines."""
        return headline_lines(self.headline)


# --------------------------------------------------------------------------- demand


def sample_demand_grid(
    *, data_dir: Path | None = None, cell_m: float = demand.CELL_M
) -> gpd.GeoDataFrame:
    """Build the bundled Bogotá demand sample (localidades + :data:`geo.demand.SAMPLE_MODEL`).

    ``data_dir`` defaults to ``geo.settings.get_settings().data_dir``.
    """
    from geo.layers import load_layer, load_registry
    from geo.settings import get_settings

    registry = load_registry(data_dir or get_settings().data_dir)
    localidades = load_layer(registry["localidades"], data_dir=registry.data_dir)
    return demand.sample_demand(localidades, cell_m=cell_m)


SUPPLY_KINDS = ("care_block", "care_bus", "service")
"""Kinds of the layers counted as care within walking reach (home care is delivered in
homes: its points are localidad centres, not places to walk to)."""


def care_supply(
    *, data_dir: Path | None = None, service_codes: Sequence[str] = CARE_CODES
) -> gpd.GeoDataFrame:
    """The Bogotá places of a data folder offering any of ``service_codes``.

    Every registry layer of a :data:`SUPPLY_KINDS` kind (care blocks, care-bus stops,
    official services), filtered, concatenated, with a ``layer`` column naming its layer.
    """
    from geo.filters import filter_features
    from geo.layers import load_layer, load_registry
    from geo.settings import get_settings

    registry = load_registry(data_dir or get_settings().data_dir)
    frames = [
        filter_features(
            load_layer(registry[layer_id], data_dir=registry.data_dir),
            services=tuple(service_codes),
        ).assign(layer=layer_id)
        for layer_id in registry.ids(region="bogota")
        if registry[layer_id].kind in SUPPLY_KINDS
    ]
    if not frames:
        raise LayerError("the data folder has no care layer for Bogotá; check its layers.toml.")
    return gpd.GeoDataFrame(pd.concat(frames), crs=frames[0].crs)


def demand_grid(*, data_dir: Path | None = None, cell_m: float = demand.CELL_M) -> gpd.GeoDataFrame:
    """The demand grid of a data folder: its ``demand`` layer, else the modelled sample.

    An atlas folder (``python -m geo atlas``) registers a demand grid (``kind =
    "demand"``): it is loaded as it is (its cell size is the atlas's, ``cell_m`` is not
    used), with ``attrs["model"]`` (note, es/en) and ``attrs["explain"]`` (every figure
    and source, es/en) from its registry entry. A folder without one (the bundled
    sample) gets :func:`sample_demand_grid`.
    """
    from geo.layers import load_layer, load_registry
    from geo.settings import get_settings

    registry = load_registry(data_dir or get_settings().data_dir)
    ids = registry.ids(kind="demand")
    if not ids:
        return sample_demand_grid(data_dir=registry.data_dir, cell_m=cell_m)
    spec = registry[ids[0]]
    grid = load_layer(spec, data_dir=registry.data_dir).reset_index(drop=True)
    grid = demand.with_grid_attrs(grid)
    model = spec.model or {}
    note = model.get("note") or {"es": spec.description["es"], "en": spec.description["en"]}
    grid.attrs["model"] = dict(note)
    grid.attrs["explain"] = {
        lang: list((model.get("explain") or {}).get(lang, [note[lang]])) for lang in ("es", "en")
    }
    grid.attrs["source"] = spec.source
    return grid


def prepare_demand(
    layer: gpd.GeoDataFrame,
    *,
    groups: Sequence[str],
    cell_m: float = demand.CELL_M,
    zone_col: str | None = None,
    crs: str | None = None,
) -> gpd.GeoDataFrame:
    """Turn a demand layer into a demand grid.

    A regular grid (cells with ``row`` and ``col``, e.g. a ``demand`` layer written
    by ``python -m geo gaps``) is used as it is. Polygons (census blocks) and points
    are interpolated (:func:`geo.demand.interpolate`) onto a ``cell_m`` grid of
    every cell they touch, so no one is lost at the edges.

    Parameters
    ----------
    layer
        Grid, polygons or points with a CRS and one column per group.
    groups
        Group columns to carry (``total`` is carried too when present).
    cell_m
        Cell side in metres for an interpolated grid.
    zone_col
        Zone id column to carry onto the cells as ``zone``: each cell takes the zone
        of the feature holding (or nearest to) its centre.
    crs
        Metric CRS for an interpolated grid (default: the UTM zone).
    """
    if layer.crs is None:
        raise LayerError(
            "the demand layer has no CRS; set it (e.g. EPSG:4326 for longitude/latitude)."
        )
    columns = list(dict.fromkeys([*(["total"] if "total" in layer.columns else []), *groups]))
    _require_columns(layer, columns, what="the demand layer")
    if zone_col is not None and zone_col not in layer.columns:
        raise LayerError(
            f"the demand layer has no zone column {zone_col!r}; choose one of "
            f"{', '.join(map(str, layer.columns))} or leave --zone-col out."
        )
    if demand.is_grid(layer):
        log.info("demand is a %g m grid of %d cells", demand.grid_frame(layer).cell_m, len(layer))
        grid = demand.with_grid_attrs(layer)
        if zone_col is not None and zone_col != demand.ZONE_COL:
            grid = grid.rename(columns={zone_col: demand.ZONE_COL})
        return grid
    cells = demand.make_grid(layer, cell_m=cell_m, crs=crs, rule="intersects")
    log.info(
        "interpolating %d demand features onto %d cells of %g m", len(layer), len(cells), cell_m
    )
    out = demand.interpolate(layer, cells, value_cols=columns)
    if zone_col is not None:
        centres = gpd.GeoDataFrame(geometry=out.geometry.centroid, crs=out.crs)
        zones = layer[[zone_col, layer.geometry.name]].to_crs(out.crs)
        joined = gpd.sjoin_nearest(centres, zones, how="left")
        joined = joined[~joined.index.duplicated(keep="first")]
        out.insert(2, demand.ZONE_COL, joined[zone_col].reindex(out.index).to_numpy())
    return out


def walk_reach(
    minutes: float, *, profile: str, detour: float
) -> tuple[float, profiles.WalkingProfile]:
    """Return the straight-line reach in metres of a walk and the walking profile.

    Raises
    ------
    LayerError
        If ``minutes``, ``profile`` or ``detour`` is not valid (the message says which).
    """
    try:
        radius_m = profiles.reach_m(minutes, profile=profile, detour=detour)
    except ValueError as exc:
        raise LayerError(str(exc)) from None
    return radius_m, profiles.get_profile(profile)


def _require_columns(frame: pd.DataFrame, columns: Sequence[str], *, what: str) -> None:
    require_columns(
        frame,
        columns,
        what=what,
        fix="rename columns or pass other groups.",
        noun="the group column(s)",
        quote=False,
    )


# --------------------------------------------------------------------------- pipeline


def _has_code(codes: pd.Series, wanted: Sequence[str]) -> np.ndarray:
    wanted_set = set(wanted)
    return np.array([bool(wanted_set.intersection(vocab.split_codes(v))) for v in codes], bool)


def _within(cells: gpd.GeoDataFrame, services: gpd.GeoDataFrame, radius_m: float) -> pd.Series:
    """Whether some service of ``services`` is within ``radius_m`` of each cell."""
    if services.empty:
        return pd.Series(False, index=cells.index)
    near = access.nearest(cells, services, max_distance_m=radius_m)
    return near["distance_m"].notna()


def _column(frame: pd.DataFrame, column: str) -> np.ndarray:
    values = pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype=float)
    if np.isnan(values).any() or (values < 0).any():
        raise LayerError(f"column {column!r} has missing or negative values; fix the layer.")
    return values


class _NetworkWalk:
    """Walking distances of the cells to subsets of the services on a street network.

    Cells less than ``reach_m`` from the network's coverage gap (or inside it) are
    measured in a straight line x ``detour`` for every measure (``straight``); the
    others along the streets.
    """

    def __init__(
        self,
        network: StreetNetwork,
        points: gpd.GeoDataFrame,
        services: gpd.GeoDataFrame,
        *,
        reach_m: float,
        max_snap_m: float,
        detour: float,
    ) -> None:
        from geo.access import _xy

        self.network = network
        self.reach_m = float(reach_m)
        self.max_snap_m = max_snap_m
        self.detour = float(detour)
        self.cell_xy = _xy("demand", points.to_crs(network.crs))
        self.service_xy = _xy("services", services.to_crs(network.crs))
        self.straight = network.gap_distance_m(self.cell_xy) < self.reach_m
        self.fallback = np.flatnonzero(self.straight)
        _, _, too_far = network.snap(self.cell_xy, max_snap_m=max_snap_m)
        self.n_cells_too_far = int((too_far & ~self.straight).sum())

    def nearest(self, subset: np.ndarray) -> network_mod.NetworkDistances:
        """Nearest service of ``subset`` (bool per service); indices into all services."""
        positions = np.flatnonzero(subset)
        result = network_mod.network_distances(
            self.network, self.cell_xy, self.service_xy[positions], max_snap_m=self.max_snap_m
        )
        index = np.where(result.service_index >= 0, positions[result.service_index], -1)
        if len(self.fallback) == 0:
            return dataclasses.replace(result, service_index=index)
        walk = result.walk_m.copy()
        fb = self.fallback
        if len(positions):
            straight_m, found = cKDTree(self.service_xy[positions]).query(self.cell_xy[fb], k=1)
            walk[fb] = straight_m * self.detour
            index[fb] = positions[found]
        else:
            walk[fb] = np.inf
            index[fb] = -1
        too_far = result.too_far.copy()
        too_far[fb] = False
        unreachable = result.unreachable.copy()
        unreachable[fb] = ~np.isfinite(walk[fb])
        return dataclasses.replace(
            result, walk_m=walk, service_index=index, too_far=too_far, unreachable=unreachable
        )

    def within(self, subset: np.ndarray) -> np.ndarray:
        """Whether a service of ``subset`` is within walking reach of each cell."""
        if not subset.any():
            return np.zeros(len(self.cell_xy), dtype=bool)
        return self.nearest(subset).walk_m <= self.reach_m

    def _pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The (cell, service) pairs within reach: streets, or straight x detour."""
        if len(self.fallback) == 0:
            rows, cols, _ = network_mod.network_pairs(
                self.network,
                self.cell_xy,
                self.service_xy,
                limit_m=self.reach_m,
                max_snap_m=self.max_snap_m,
            )
            return rows, cols
        walking = np.flatnonzero(~self.straight)
        rows, cols, _ = network_mod.network_pairs(
            self.network,
            self.cell_xy[walking],
            self.service_xy,
            limit_m=self.reach_m,
            max_snap_m=self.max_snap_m,
        )
        near = cKDTree(self.cell_xy[self.fallback]).sparse_distance_matrix(
            cKDTree(self.service_xy), self.reach_m / self.detour, output_type="ndarray"
        )
        ok = near["v"] * self.detour <= self.reach_m  # as in nearest(): the same pairs
        return (
            np.concatenate([walking[rows], self.fallback[near["i"][ok]]]),
            np.concatenate([cols, near["j"][ok].astype(np.int64)]),
        )

    def two_step_fca(self, need: np.ndarray, capacity: np.ndarray) -> np.ndarray:
        """Binary 2SFCA on the (cell, service) pairs within walking reach."""
        rows, cols = self._pairs()
        weights = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(self.cell_xy), len(self.service_xy))
        )
        demand_in_reach = weights.T @ need
        ratio = np.zeros(len(capacity), dtype=np.float64)
        np.divide(capacity, demand_in_reach, out=ratio, where=demand_in_reach > 0)
        return np.asarray(weights @ ratio, dtype=np.float64)


def weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    """Return the median of ``values`` weighted by ``weights`` (NaN if no weight)."""
    return weighted_quantile(values, weights, 0.5)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:
    """Return the ``q`` quantile (0-1) of ``values`` weighted by ``weights`` (NaN if no weight).

    The value of the person at rank ``q`` when everyone is sorted by value (no
    interpolation): "the value for the median person" for ``q=0.5``.
    """
    if not 0.0 <= q <= 1.0:
        raise ValueError(f"q must be within 0..1, not {q!r}.")
    values = np.asarray(values, dtype=float)
    weights = np.asarray(weights, dtype=float)
    keep = np.isfinite(values) & (weights > 0)
    if not keep.any():
        return float("nan")
    order = np.argsort(values[keep], kind="stable")
    cum = np.cumsum(weights[keep][order])
    position = min(int(np.searchsorted(cum, q * cum[-1])), len(cum) - 1)
    return float(values[keep][order][position])


@dataclass(frozen=True, kw_only=True)
class GapsOptions:
    """The rarely changed settings of :func:`run_gaps` (defaults suit the bundled data).

    Attributes
    ----------
    detour
        Detour factor: straight line x detour = walked distance (:mod:`geo.profiles`);
        in network mode, where the streets have a gap.
    care_codes, carer_codes
        Codes of the ``services`` column that make a service a care service (for
        the person cared for) or a carer service; used for simultaneity only.
    capacity_col
        Column of places per service for 2SFCA; without it each service counts 1.
    access_col
        Population column 2SFCA divides places by (default ``total`` if present,
        else the first group).
    min_population
        Unserved areas with fewer people (all groups) are dropped.
    max_snap_m
        In network mode: cells farther than this from any street reach nothing.
    """

    detour: float = profiles.DEFAULT_DETOUR
    care_codes: tuple[str, ...] = tuple(CARE_CODES)
    carer_codes: tuple[str, ...] = tuple(CARER_CODES)
    capacity_col: str = CAPACITY_COL
    access_col: str | None = None
    min_population: float = 0.0
    max_snap_m: float = 200.0


def run_gaps(
    demand_grid: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    minutes: float,
    profile: str = "adult",
    groups: Sequence[str] = DEFAULT_GROUPS,
    zone_col: str | None = None,
    network: StreetNetwork | None = None,
    options: GapsOptions = GapsOptions(),
) -> GapsResult:
    """Measure who can walk to a care service and who cannot.

    Parameters
    ----------
    demand_grid
        Demand cells in a metric CRS (:mod:`geo.demand`), with the ``groups`` columns.
    services
        Services (points) with a CRS; projected to the demand's CRS. Its index may
        repeat labels (e.g. two layers concatenated); ``nearest_service`` is the
        ``id`` column when there is one, else the index label.
    minutes
        Walking time in minutes.
    profile
        Walking profile (:mod:`geo.profiles`).
    groups
        Group columns to report.
    zone_col
        Zone column of ``demand_grid`` for per-zone figures (``by_zone``).
    network
        A street network (:func:`geo.network.load_network`): when given, every measure
        uses walking distances along the streets (``walk_m``: snap of the cell +
        network + snap of the service) and a cell is within reach when ``walk_m <=
        minutes / 60 * speed_kmh * 1000``, with no detour factor; ``nearest_m`` is then
        the walking distance. 2SFCA counts the (cell, service) pairs within that
        walking distance (one Dijkstra search per service, cut at the reach). Cells
        more than ``max_snap_m`` from any street are within reach of nothing and are
        counted in ``headline["n_cells_too_far"]``. Without it: straight lines x detour.

        Where streets are missing (the network's coverage gap,
        :attr:`geo.network.StreetNetwork.gap`) the streets cannot be walked, so
        every cell whose walk may run through the gap, i.e. a cell less than the
        walking reach from the gap or inside it, uses straight line x ``detour``
        instead of the network for *every* measure: nearest (``nearest_m`` =
        straight metres x ``detour``, so it compares with the reach like a walk),
        within reach (``straight x detour <= reach``), 2SFCA (its pairs are the
        services within ``reach / detour`` in a straight line) and simultaneity.
        Any service may be its destination, one inside the gap too. Those cells
        have ``distance_method == "straight"``; the headline counts them
        (``n_cells_straight``, ``people_straight``, ``people_straight_share``) and
        ``by_zone["straight_pct"]`` gives each zone's share of people on the
        fallback. A cell at least the reach from the gap cannot walk into it
        within reach (a walk is never shorter than the straight line), so its
        coverage, 2SFCA and simultaneity along the streets are exact; only its
        ``nearest_m`` *beyond* the reach may be longer than the true walk when the
        shortest way would cross the gap. Pass the detour factor calibrated on
        the network (:class:`geo.io.atlas.streets.StreetsReport`) as ``detour``.
    max_snap_m
        Network mode only: the farthest a cell or service may be from a street node.

    Returns
    -------
    GapsResult
    """
    detour, capacity_col, access_col = options.detour, options.capacity_col, options.access_col
    care_codes, carer_codes = options.care_codes, options.carer_codes
    min_population, max_snap_m = options.min_population, options.max_snap_m
    groups = list(dict.fromkeys(groups))
    _check_inputs(demand_grid, services, groups=groups, zone_col=zone_col)
    radius_m, walker = walk_reach(minutes, profile=profile, detour=detour)
    labels = services.index
    services = services.to_crs(demand_grid.crs).reset_index(drop=True)  # labels may repeat
    if access_col is None:
        access_col = "total" if "total" in demand_grid.columns else groups[0]
    _require_columns(demand_grid, [access_col], what="the demand grid")
    log.info(
        "reach: %g min at %g km/h / detour %g = %.0f m; %d cells, %d services",
        minutes,
        walker.speed_kmh,
        detour,
        radius_m,
        len(demand_grid),
        len(services),
    )

    out = demand_grid.copy()
    # Cells are measured from their centre: compute the centres once, not per measure.
    points = out.set_geometry(cell_centres(out))
    ids = services["id"].to_numpy(dtype=object) if "id" in services.columns else labels.to_numpy()
    has_capacity = capacity_col in services.columns
    supply = services if has_capacity else services.assign(**{capacity_col: 1.0})
    is_care: np.ndarray | None
    is_carer: np.ndarray | None
    if SERVICE_CODES_COL in services.columns:
        is_care = _has_code(services[SERVICE_CODES_COL], care_codes)
        is_carer = _has_code(services[SERVICE_CODES_COL], carer_codes)
    else:
        is_care = is_carer = None  # no service codes: every place counts for both
    if network is None:
        walk = None
        near = access.nearest(points, services)
        out["nearest_m"] = near["distance_m"].to_numpy(dtype=float)
        out["nearest_minutes"] = profiles.walk_minutes(
            out["nearest_m"], profile=profile, detour=detour
        )
        found = near["service_index"].notna().to_numpy()
        position = near["service_index"].fillna(0).to_numpy(dtype=np.int64)
        cov = access.coverage(points, services, radius_m=radius_m, groups=groups, zone_col=zone_col)
        per_person = access.two_step_fca(
            points, supply, demand_col=access_col, capacity_col=capacity_col, radius_m=radius_m
        ).reindex(out.index)
    else:
        walk = _NetworkWalk(
            network,
            points,
            services,
            reach_m=minutes / 60.0 * walker.speed_kmh * 1000.0,
            max_snap_m=max_snap_m,
            detour=detour,
        )
        radius_m = walk.reach_m
        nearest_walk = walk.nearest(np.ones(len(services), bool))
        out["nearest_m"] = np.where(np.isfinite(nearest_walk.walk_m), nearest_walk.walk_m, np.nan)
        out["nearest_minutes"] = out["nearest_m"] / walker.speed_m_per_min
        found = nearest_walk.service_index >= 0
        position = np.where(found, nearest_walk.service_index, 0)
        reached = nearest_walk.walk_m <= radius_m
        cov = access.coverage_from_mask(points, reached, groups=groups, zone_col=zone_col)
        per_person = pd.Series(
            walk.two_step_fca(
                _column(points, access_col), supply[capacity_col].to_numpy(dtype=float)
            ),
            index=out.index,
        )
    out["nearest_service"] = np.where(found, ids[position], None)
    if walk is not None:
        out["distance_method"] = np.where(walk.straight, "straight", "network").astype(object)
    out["covered"] = cov.covered.reindex(out.index).fillna(False).astype(bool).to_numpy()
    out["access_per_1000"] = per_person.to_numpy(dtype=float) * 1000.0

    simult: dict[str, float] | None = None
    simult_note = ""
    if is_care is None or is_carer is None:
        simult_note = f"not computed: the services layer has no {SERVICE_CODES_COL!r} codes column"
    else:
        within, simult, simult_note = _simultaneity(
            out, points, services, is_care, is_carer, radius_m=radius_m, walk=walk
        )
        for name, values in within.items():
            out[name] = values

    areas = access.unserved_areas(
        out, out["covered"], groups=groups, min_population=min_population, split_by=zone_col
    )

    headline = _headline(
        out,
        cov.totals,
        areas,
        simult,
        simult_note,
        asked={
            "minutes": float(minutes),
            "profile": walker.id,
            "speed_kmh": walker.speed_kmh,
            "detour": float(detour),
            "radius_m": float(radius_m),
        },
        supplied={
            "n_services": len(services),
            "capacity": (
                f"from the {capacity_col!r} column"
                if has_capacity
                else f"1 place per service: no {capacity_col!r} column"
            ),
        },
        access_col=access_col,
    )
    headline["distance_mode"] = "straight" if walk is None else "network"
    headline["n_cells_too_far"] = 0 if walk is None else walk.n_cells_too_far
    by_zone = cov.by_zone
    if walk is not None and network is not None:
        headline["detour"] = 1.0  # walked distances: no detour factor
        headline["network"] = network.source
        headline["fallback_detour"] = float(detour)
        people = _column(out, access_col)
        on_fallback = float(people[walk.straight].sum())
        headline["n_cells_straight"] = len(walk.fallback)
        headline["people_straight"] = on_fallback
        headline["people_straight_share"] = on_fallback / people.sum() if people.sum() > 0 else 0.0
        if by_zone is not None and zone_col is not None:
            zones = out[zone_col].reset_index(drop=True)
            frame = pd.DataFrame({"all": people, "straight": people * walk.straight})
            per_zone = frame.groupby(zones, dropna=False, sort=True).sum().reindex(by_zone.index)
            by_zone = by_zone.assign(
                straight_pct=access._pct(
                    per_zone["straight"].to_numpy(), per_zone["all"].to_numpy()
                )
            )
    return GapsResult(
        demand=out,
        unserved_areas=areas,
        by_zone=by_zone,
        coverage=cov.totals,
        summary=summary_table(headline),
        headline=headline,
    )


def _check_inputs(
    demand_grid: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    *,
    groups: list[str],
    zone_col: str | None,
) -> None:
    """Refuse a gaps run whose demand grid or services layer cannot be measured.

    Parameters
    ----------
    demand_grid, services
        As :func:`run_gaps` takes them.
    groups
        The group columns to report, without repeats.
    zone_col
        The zone column of ``demand_grid``, if any.

    Raises
    ------
    LayerError
        Naming what is missing and what to do.
    """
    if not groups:
        raise LayerError("no population groups to analyse; pass at least one, e.g. children.")
    if demand_grid.crs is None or not demand_grid.crs.is_projected:
        raise LayerError(
            "the demand grid is not in a metric CRS; build it with geo.demand (make_grid, "
            "interpolate or sample_demand)."
        )
    _require_columns(demand_grid, groups, what="the demand grid")
    if zone_col is not None and zone_col not in demand_grid.columns:
        raise LayerError(f"the demand grid has no zone column {zone_col!r}; pass another one.")
    if services.crs is None:
        raise LayerError("the services layer has no CRS; set it (e.g. EPSG:4326).")
    if services.empty:
        raise LayerError("the services layer has no features; give at least one service.")


def _simultaneity(
    out: gpd.GeoDataFrame,
    points: gpd.GeoDataFrame,
    services: gpd.GeoDataFrame,
    is_care: np.ndarray,
    is_carer: np.ndarray,
    *,
    radius_m: float,
    walk: _NetworkWalk | None,
) -> tuple[dict[str, Any], dict[str, float] | None, str]:
    """Measure which cells reach both a care and a carer service, and the carers there.

    Parameters
    ----------
    out
        The demand cells being measured (read only; ``carers`` column if any).
    points
        Their centres.
    services
        The services, in the cells' CRS.
    is_care, is_carer
        Which services are care services and which carer services.
    radius_m
        The reach (straight mode) in metres.
    walk
        The street walk in network mode, else ``None`` (straight lines).

    Returns
    -------
    tuple
        The columns ``care_within``, ``carer_within`` and ``simultaneity`` for the
        cells; the simultaneity figures (``None`` without a ``carers`` column); a note.
    """
    care = services[is_care]
    carer = services[is_carer]
    if walk is None:
        care_within = _within(points, care, radius_m)
        carer_within = _within(points, carer, radius_m)
    else:
        care_within = walk.within(is_care)
        carer_within = walk.within(is_carer)
    both_within = care_within & carer_within
    columns = {
        "care_within": care_within,
        "carer_within": carer_within,
        "simultaneity": both_within,
    }
    if "carers" not in out.columns:
        return columns, None, "not computed: the demand has no 'carers' column"
    if not (len(care) and len(carer)):
        total = float(out["carers"].sum())
        note = f"{len(care)} care and {len(carer)} carer services in the layer, so no carer reaches both"
        return columns, {"share": 0.0, "carers_total": total, "carers_both": 0.0}, note
    if walk is None:
        result = access.simultaneity(points, care, carer, radius_m=radius_m, carers_col="carers")
        simult = {
            "share": float(result.share),
            "carers_total": float(result.carers_total),
            "carers_both": float(result.carers_both),
        }
    else:
        carers = _column(out, "carers")
        total = float(carers.sum())
        both = float(carers[np.asarray(both_within, dtype=bool)].sum())
        simult = {
            "share": both / total if total > 0 else 0.0,
            "carers_total": total,
            "carers_both": both,
        }
    return columns, simult, ""


def group_figures(totals: pd.DataFrame) -> dict[str, dict[str, float]]:
    """Return the coverage totals per group (a row each) as plain numbers, for JSON.

    ``totals`` has a row per group and ``population``, ``covered``, ``unserved``
    and ``pct_covered`` columns (the ``totals`` of :func:`geo.access.coverage`).
    """
    columns = ("population", "covered", "unserved", "pct_covered")
    return {str(group): {c: float(row[c]) for c in columns} for group, row in totals.iterrows()}


def _headline(
    out: gpd.GeoDataFrame,
    totals: pd.DataFrame,
    areas: gpd.GeoDataFrame,
    simult: dict[str, float] | None,
    simult_note: str,
    *,
    asked: dict[str, Any],
    supplied: dict[str, Any],
    access_col: str,
) -> dict[str, Any]:
    """Return the headline figures of a gaps run.

    ``asked`` (walk and reach) and ``supplied`` (services and
    their capacity) as the caller states them, then what the run found.
    """
    meta = out.attrs.get(demand.GRID_ATTR) or {}
    groups = group_figures(totals)
    headline: dict[str, Any] = {
        **asked,
        "cell_m": meta.get("cell_m"),
        "crs": meta.get("crs") or str(out.crs),
        "n_cells": len(out),
        **supplied,
        "groups": groups,
        "access_col": access_col,
        "access_median_per_1000": weighted_median(
            out["access_per_1000"].to_numpy(), out[access_col].to_numpy()
        ),
        "n_unserved_areas": len(areas),
        "access_median_covered_per_1000": weighted_median(
            out["access_per_1000"].to_numpy(),
            out[access_col].to_numpy() * out["covered"].to_numpy(),
        ),
        "largest_unserved_km2": float(areas["area_km2"].iloc[0]) if len(areas) else 0.0,
        "largest_unserved_people": _largest_area(areas, list(groups)),
        "model": (out.attrs.get("model") or {}).get("en", ""),
    }
    if simult is not None:
        headline["simultaneity_share"] = simult["share"]
        headline["carers_both"] = simult["carers_both"]
        headline["carers_total"] = simult["carers_total"]
    headline["simultaneity_note"] = simult_note
    return headline


def _largest_area(areas: gpd.GeoDataFrame, groups: list[str]) -> float:
    """People of the groups in the first-ranked unserved area (0 if none)."""
    present = [g for g in groups if g in areas.columns]
    if areas.empty or not present:
        return 0.0
    return float(areas[present].iloc[0].sum())


def summary_table(headline: dict[str, Any]) -> pd.DataFrame:
    """Return the headline figures as a table: ``key``, ``group``, ``value``, ``unit``, ``text``."""
    rows: list[tuple[str, str, float, str, str]] = []

    def add(key: str, value: Any, unit: str = "", group: str = "") -> None:
        number = float(value) if isinstance(value, int | float) else np.nan
        rows.append((key, group, number, unit, "" if value is None else str(value)))

    add("minutes", headline["minutes"], "min")
    add("profile", headline["profile"])
    add("speed_kmh", headline["speed_kmh"], "km/h")
    add("detour", headline["detour"], "ratio")
    add("radius_m", round(headline["radius_m"], 1), "m")
    add("cell_m", headline["cell_m"], "m")
    add("crs", headline["crs"])
    add("n_cells", headline["n_cells"], "cells")
    add("n_services", headline["n_services"], "services")
    add("capacity", headline["capacity"])
    for group, figures in headline["groups"].items():
        add("population", figures["population"], "people", group)
        add("covered", figures["covered"], "people", group)
        add("unserved", figures["unserved"], "people", group)
        add("pct_covered", figures["pct_covered"], "%", group)
    add("access_median_per_1000", headline["access_median_per_1000"], "places per 1,000")
    add(
        "access_median_covered_per_1000",
        headline["access_median_covered_per_1000"],
        "places per 1,000",
    )
    add("access_col", headline["access_col"])
    if "simultaneity_share" in headline:
        add("simultaneity_share", headline["simultaneity_share"], "share of carers")
        add("carers_both", headline["carers_both"], "people")
        add("carers_total", headline["carers_total"], "people")
    if headline["simultaneity_note"]:
        add("simultaneity_note", headline["simultaneity_note"])
    add("n_unserved_areas", headline["n_unserved_areas"], "areas")
    add("largest_unserved_km2", headline["largest_unserved_km2"], "km2")
    add("largest_unserved_people", headline["largest_unserved_people"], "people (per group)")
    if headline.get("model"):
        add("demand_model", headline["model"])
    if "distance_mode" in headline:
        add("distance_mode", headline["distance_mode"])
        add("n_cells_too_far", headline["n_cells_too_far"], "cells")
    if "n_cells_straight" in headline:
        add("fallback_detour", headline["fallback_detour"], "ratio")
        add("n_cells_straight", headline["n_cells_straight"], "cells")
        add("people_straight", headline["people_straight"], "people")
        add("people_straight_share", headline["people_straight_share"], "share")
    return pd.DataFrame(rows, columns=["key", "group", "value", "unit", "text"])


def headline_lines(headline: dict[str, Any]) -> list[str]:
    """Return the headline figures as short English lines (the command line prints them)."""
    if headline.get("distance_mode") == "network":
        first = (
            f"Reach: {headline['minutes']:g} min walking ({headline['profile']}, "
            f"{headline['speed_kmh']:g} km/h) = {headline['radius_m']:.0f} m along the streets "
            f"of {headline.get('network', 'the network')}; {headline['n_cells']:,} cells"
            + (f" of {headline['cell_m']:g} m" if headline.get("cell_m") else "")
            + f" ({headline['n_cells_too_far']:,} too far from a street); "
            f"{headline['n_services']} services"
        )
        if headline.get("n_cells_straight"):
            first += (
                f"; {headline['n_cells_straight']:,} cells "
                f"({headline['people_straight_share']:.1%} of {headline['access_col']}) near "
                "the gap in the street layer measured in a straight line x detour "
                f"{headline['fallback_detour']:g}"
            )
        return [first, *headline_lines({**headline, "distance_mode": "straight"})[1:]]
    lines = [
        f"Reach: {headline['minutes']:g} min walking ({headline['profile']}, "
        f"{headline['speed_kmh']:g} km/h, detour {headline['detour']:g}) = "
        f"{headline['radius_m']:.0f} m in a straight line; {headline['n_cells']:,} cells"
        + (f" of {headline['cell_m']:g} m" if headline.get("cell_m") else "")
        + f"; {headline['n_services']} services",
    ]
    for group, figures in headline["groups"].items():
        lines.append(
            f"{group}: {figures['covered']:,.0f} of {figures['population']:,.0f} people within "
            f"reach ({figures['pct_covered']:.1f}% covered), {figures['unserved']:,.0f} unserved"
        )
    lines.append(
        f"2SFCA: {headline['access_median_per_1000']:.3f} care places per 1,000 "
        f"({headline['access_col']}) for the median person, "
        f"{headline['access_median_covered_per_1000']:.3f} for the median person within reach "
        f"({headline['capacity']})"
    )
    if "simultaneity_share" in headline:
        lines.append(
            f"Simultaneity: {headline['simultaneity_share']:.1%} of carers "
            f"({headline['carers_both']:,.0f} of {headline['carers_total']:,.0f}) reach both a "
            "care service and a carer service"
            + (f" ({headline['simultaneity_note']})" if headline["simultaneity_note"] else "")
        )
    else:
        lines.append(f"Simultaneity: {headline['simultaneity_note']}")
    lines.append(
        f"Unserved areas: {headline['n_unserved_areas']} "
        f"(largest: {headline['largest_unserved_km2']:,.1f} km2)"
    )
    if headline.get("model"):
        lines.append(f"Demand: {headline['model']}")
    return lines


def cell_centres(cells: gpd.GeoDataFrame) -> gpd.GeoSeries:
    """Centres of the cells: from row/col on a grid (exact, no geometry work), else centroids."""
    if demand.is_grid(cells):
        frame = demand.grid_frame(cells)
        x = frame.x0 + (cells["col"].to_numpy() + 0.5) * frame.cell_m
        y = frame.y_top - (cells["row"].to_numpy() + 0.5) * frame.cell_m
        return gpd.GeoSeries(gpd.points_from_xy(x, y), index=cells.index, crs=cells.crs)
    return cells.geometry.centroid
