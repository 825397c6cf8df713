"""Where should the next care block go? Maximal covering location with fixed existing sites.

One job, one module (about 1,900 lines): the covering problem, its greedy + swap and
exact solvers, the capacitated assignment that values them and the GeoDataFrame adapter
share the same arrays and invariants; split, one algorithm's state would cross files.

Given demand locations with a weight (people in need, possibly planner-weighted by
group), existing care sites and candidate places, choose ``k`` new sites among the
candidates to maximise the weight *newly* brought within reach (Church & ReVelle's
maximal covering location problem, MCLP, with the existing sites fixed). Optionally
each new site serves at most a capacity (places, hours...), in weight units.

The work is split as in the rest of ``geo/``: numeric cores on plain arrays and a
sparse coverage matrix (testable and benchmarkable alone, ``bench/bench_siting.py``),
and GeoDataFrame adapters that check and project the layers:

* :func:`coverage_matrix` (straight-line, KD-tree) and :func:`network_coverage_matrix`
  (walking along the streets) build the boolean ``(n_demand, n_sites)`` matrix ``A``;
* :func:`solve_greedy` (greedy + swap search, a few tenths of a second at city scale),
  :func:`solve_exact` (mixed-integer programme solved by HiGHS through
  :func:`scipy.optimize.milp`, with a proven bound) and :func:`coverage_curve`
  (coverage against the number of sites) solve an :class:`ArrayProblem`: ``A``, the
  weights, the rows already served, the capacities and the forbidden candidates;
* :func:`build_problem` takes GeoDataFrames (checks, projection, matrix: the costly
  part, worth caching) and returns a :class:`Problem`, an :class:`ArrayProblem` that
  knows its candidates; :func:`maximal_coverage` solves it and returns the chosen
  candidates (a solver + :func:`chosen_frame`, which callers solving one problem
  several times, several ``k``, greedy and exact, use directly); :func:`site_report`
  takes GeoDataFrames.

Conventions shared by every function:

* "Within reach" is inclusive: a site at exactly ``radius_m`` reaches the location.
* Existing sites are **uncapacitated**: everyone within their reach counts as served
  (``served``) and brings no gain. A capacity, when given, limits the new sites only,
  and a set of new sites is valued by an optimal assignment of demand to them (what
  they can serve together, a small LP), in every solver.
* A candidate is never chosen twice; ``forbidden`` candidates are never chosen.
* Sites that add nothing are not returned: when fewer than ``k`` candidates have a
  positive gain, fewer than ``k`` sites come back.
* Results are deterministic (the same input gives the same plan); the greedy breaks
  ties by the lowest candidate position, the MILP returns any optimal plan.
* ``chosen`` is in marginal-gain order: each site is the one (among the chosen) that
  adds the most given the sites before it, and ``gains`` are those additions, so
  ``gains.sum()`` is the objective and any prefix is a sensible smaller plan.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, overload

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from numpy.typing import ArrayLike
from scipy import optimize, sparse
from scipy.sparse import csgraph

from geo import access
from geo.errors import Cancelled, LayerError
from geo.network import StreetNetwork, network_pairs

__all__ = [
    "ArrayProblem",
    "Cancelled",
    "Problem",
    "Solution",
    "build_problem",
    "chosen_frame",
    "coverage_curve",
    "coverage_matrix",
    "maximal_coverage",
    "network_coverage_matrix",
    "site_report",
    "solve_exact",
    "solve_greedy",
]

log = logging.getLogger(__name__)

_NEGLIGIBLE = 1e-12
"""A gain at most this share of the total residual weight counts as nothing."""
_SWAP_MIN_IMPROVEMENT = 1e-9
"""A swap is applied only if it improves the objective by more than this share."""
_MIP_REL_GAP = 1e-6
"""HiGHS and the Lagrangian search stop once a plan is this close to their bound (relative)."""
_LAGRANGIAN_STEPS = 300
"""Most subgradient steps of :func:`_lagrangian_start`."""
_SWAP_TRIES = 3
"""Capacitated swap search: replacements valued exactly per chosen site."""
_CUT_MAX_SITES = 14
"""Optimal assignments of at most this many sites are minimum cuts over their subsets."""
_COINCIDE_M = 1.0
"""A candidate this close to an existing site is the existing site: never chosen."""
_ADDED_COLUMNS = ("order", "gain", "cumulative")
_REPORT_COLUMNS = ("area", "area_share")


@dataclass(frozen=True)
class Solution:
    """The sites chosen by a solver and what they add.

    Attributes
    ----------
    chosen
        int64 positions of the new sites in the candidate columns of ``A``, in
        marginal-gain order (see the module notes).
    gains
        float64 weight each pick adds given the picks before it, in that order (> 0).
    objective
        Weight newly served by the new sites (``gains.sum()``).
    base
        Weight already served by the existing sites.
    total
        Total demand weight (served or not, reachable or not).
    method
        ``"greedy"``, ``"greedy+swap"`` or ``"milp"``.
    seconds
        Wall time of the solve.
    swaps
        How many of the greedy's sites the swap search exchanged for others (0 when
        it kept the greedy plan, or without the search).
    bound
        ``"milp"`` only: a proven upper bound on the objective (HiGHS' dual bound);
        ``None`` for the heuristics.
    optimal
        ``"milp"`` only: True when proven optimal (to a relative gap of 1e-6), False
        when stopped by the time limit; ``None`` for the heuristics.
    """

    chosen: np.ndarray
    gains: np.ndarray
    objective: float
    base: float
    total: float
    method: str
    seconds: float
    swaps: int = 0
    bound: float | None = None
    optimal: bool | None = None


# --------------------------------------------------------------------------------------
# Coverage matrices
# --------------------------------------------------------------------------------------


def _bool_matrix(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> sparse.csr_matrix:
    return sparse.csr_matrix((np.ones(len(rows), dtype=bool), (rows, cols)), shape=shape)


def coverage_matrix(demand_xy: ArrayLike, site_xy: ArrayLike, radius_m: float) -> sparse.csr_matrix:
    """Return which sites reach which demand locations in a straight line.

    Built from :func:`geo.access.catchment_pairs` (a KD-tree pair search): the work
    and the memory grow with the number of pairs within reach, never with
    ``n_demand x n_sites`` (40,000 x 2,000 at 800 m: about 40 ms).

    Parameters
    ----------
    demand_xy
        ``(n, 2)`` demand coordinates in metres (a metric CRS).
    site_xy
        ``(m, 2)`` site coordinates in metres, same CRS.
    radius_m
        Reach in metres, > 0 (inclusive).

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(n, m)`` bool; ``[i, j]`` is True iff site ``j`` is within ``radius_m`` of
        demand location ``i``.
    """
    rows, cols, _ = access.catchment_pairs(demand_xy, site_xy, radius_m=radius_m)
    shape = (len(np.asarray(demand_xy)), len(np.asarray(site_xy)))
    return _bool_matrix(rows, cols, shape)


def network_coverage_matrix(
    network: StreetNetwork,
    demand_xy: ArrayLike,
    site_xy: ArrayLike,
    *,
    radius_m: float,
    max_snap_m: float = 200.0,
) -> sparse.csr_matrix:
    """Return which sites reach which demand locations walking along the streets.

    Walking metres are snap + network + snap, as in :func:`geo.network.network_pairs`
    (one Dijkstra search per site, cut at ``radius_m``). A demand location or a site
    farther than ``max_snap_m`` from every street reaches nothing.

    Parameters
    ----------
    network
        The street graph (:class:`geo.network.StreetNetwork`).
    demand_xy, site_xy
        ``(n, 2)`` and ``(m, 2)`` coordinates in ``network.crs`` (metres).
    radius_m
        Walking reach in metres, > 0 (inclusive).
    max_snap_m
        Farthest a point may be from its nearest street node.

    Returns
    -------
    scipy.sparse.csr_matrix
        ``(n, m)`` bool, as :func:`coverage_matrix`.
    """
    radius = access._check_radius(radius_m)
    demand = access._as_xy("demand_xy", demand_xy)
    sites = access._as_xy("site_xy", site_xy)
    shape = (len(demand), len(sites))
    if 0 in shape:
        return sparse.csr_matrix(shape, dtype=bool)
    rows, cols, _ = network_pairs(network, demand, sites, limit_m=radius, max_snap_m=max_snap_m)
    return _bool_matrix(rows, cols, shape)


@dataclass(frozen=True, eq=False)
class ArrayProblem:
    """A covering problem on plain arrays, as the solvers take it.

    What :func:`solve_greedy`, :func:`solve_exact` and :func:`coverage_curve` solve. Made from a matrix and weights (``ArrayProblem(A, weights, served=...)``) to
    benchmark or test the solvers, or from layers by :func:`build_problem` (a
    :class:`Problem`). Frozen; it hashes and compares by identity (arrays have no
    value hash). The solvers check it (``ValueError`` when misshapen).

    Attributes
    ----------
    matrix
        ``(n_demand, n_candidates)`` sparse coverage (any nonzero means "within reach"),
        e.g. from :func:`coverage_matrix`.
    weights
        ``(n_demand,)`` demand weight, finite, >= 0.
    served
        ``(n_demand,)`` bool: already within reach of an existing site (those rows
        bring no gain; existing sites are uncapacitated). ``None``: nothing served.
    capacity
        ``(n_candidates,)`` weight each new site can serve, finite, >= 0; ``None`` for
        uncapacitated sites.
    forbidden
        ``(n_candidates,)`` bool: never choose these. ``None``: none.
    """

    matrix: sparse.spmatrix | sparse.sparray
    weights: ArrayLike
    served: ArrayLike | None = None
    capacity: ArrayLike | None = None
    forbidden: ArrayLike | None = None


# --------------------------------------------------------------------------------------
# The numeric core: one instance, several solvers
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Instance:
    """A checked instance: coverage structure, residual weights, capacities, allowed sites.

    ``residual`` is the demand weight not yet served by the existing sites; the
    capacity is ``inf`` for every site when uncapacitated.
    """

    csc: sparse.csc_matrix  # float64 ones, (n_demand, n_candidates)
    csr: sparse.csr_matrix
    residual: np.ndarray
    capacity: np.ndarray
    allowed: np.ndarray
    capacitated: bool
    base: float
    total: float

    @property
    def n_candidates(self) -> int:
        return int(self.csc.shape[1])

    @property
    def eps(self) -> float:
        """Gains at or below this are nothing (rounding of incremental updates)."""
        return _NEGLIGIBLE * float(self.residual.sum())

    def rows(self, j: int) -> np.ndarray:
        """Demand rows within reach of candidate ``j``."""
        return self.csc.indices[self.csc.indptr[j] : self.csc.indptr[j + 1]]

    def column_sums(self, rows: np.ndarray, values: np.ndarray) -> np.ndarray:
        """``A[rows].T @ values``: per candidate, the sum of ``values`` over ``rows``."""
        sub = self.csr[rows]
        per_entry = np.repeat(values, np.diff(sub.indptr))
        return np.bincount(sub.indices, weights=per_entry, minlength=self.n_candidates)

    def open(self, residual: np.ndarray, j: int) -> tuple[float, np.ndarray, np.ndarray]:
        """Open site ``j`` on ``residual`` (updated in place); return what it serves.

        The site serves ``min(capacity_j, available_j)`` where ``available_j`` is the
        residual weight within its reach, taking the same share from every row in
        reach (``residual_i *= 1 - served_j / available_j``). Proportional allocation
        is the simplest feasible split that never favours one row over another, needs
        no solver and keeps the greedy step a few vector operations; without capacity
        it empties every row in reach (the share is exactly 1).

        Returns
        -------
        served : float
        rows : numpy.ndarray
            The rows in reach of ``j``.
        taken : numpy.ndarray
            The weight taken from each of ``rows``.
        """
        rows = self.rows(j)
        before = residual[rows]
        available = float(before.sum())
        served = min(float(self.capacity[j]), available)
        if served <= 0.0:
            return 0.0, rows, np.zeros(len(rows))
        taken = before * (served / available)
        residual[rows] = before - taken
        return served, rows, taken

    def ordered(self, sites: Sequence[int]) -> tuple[list[int], list[float], np.ndarray]:
        """Order ``sites`` by marginal gain and drop those adding nothing.

        Repeatedly opens the site (of ``sites``) that serves the most given the ones
        already open (ties to the lowest position).

        Returns
        -------
        order, gains
            The useful sites in that order and what each serves.
        residual
            The residual weight after opening them.
        """
        residual = self.residual.copy()
        remaining = np.array(sorted(set(sites)), dtype=np.int64)
        order: list[int] = []
        gains: list[float] = []
        while len(remaining):
            available = np.array([residual[self.rows(j)].sum() for j in remaining])
            best = int(np.argmax(np.minimum(self.capacity[remaining], available)))
            site = int(remaining[best])
            served, _, _ = self.open(residual, site)
            if served <= self.eps:
                break
            order.append(site)
            gains.append(served)
            remaining = np.delete(remaining, best)
        return order, gains, residual


def _checked(problem: ArrayProblem) -> _Instance:
    """Check a problem's arrays and build a :class:`_Instance` (ValueError when misshapen)."""
    if not isinstance(problem, ArrayProblem):
        raise TypeError(
            f"a solver takes an ArrayProblem (or a Problem), not {type(problem).__name__}: "
            "wrap the arrays, e.g. ArrayProblem(A, weights, served=served)."
        )
    return _instance(
        problem.matrix, problem.weights, problem.served, problem.capacity, problem.forbidden
    )


def _instance(
    A: sparse.spmatrix | sparse.sparray,  # noqa: N803 (the matrix's name in the literature)
    weights: ArrayLike,
    served: ArrayLike | None,
    capacity: ArrayLike | None,
    forbidden: ArrayLike | None,
) -> _Instance:
    """Check the array inputs and build a :class:`_Instance` (ValueError when misshapen)."""
    if not sparse.issparse(A) or A.ndim != 2:
        raise ValueError("A must be a 2-D scipy sparse matrix (demand rows x candidate columns).")
    structure = sparse.csc_matrix(A, copy=True)
    structure.sum_duplicates()
    structure.eliminate_zeros()
    structure.data = np.ones(structure.nnz, dtype=np.float64)
    n_demand, n_candidates = structure.shape
    weight = access._as_counts("weights", weights, n_demand)
    served_mask = _as_mask("served", served, n_demand)
    forbidden_mask = _as_mask("forbidden", forbidden, n_candidates)
    cap = np.full(n_candidates, np.inf)
    if capacity is not None:
        cap = access._as_counts("capacity", capacity, n_candidates)
    return _Instance(
        csc=structure,
        csr=structure.tocsr(),
        residual=np.where(served_mask, 0.0, weight),
        capacity=cap,
        allowed=~forbidden_mask,
        capacitated=capacity is not None,
        base=float(weight[served_mask].sum()),
        total=float(weight.sum()),
    )


def _as_mask(name: str, values: ArrayLike | None, n: int) -> np.ndarray:
    if values is None:
        return np.zeros(n, dtype=bool)
    mask = np.asarray(values)
    if mask.shape != (n,):
        raise ValueError(f"{name} must have shape ({n},), one boolean per row, not {mask.shape}.")
    if mask.dtype != bool:
        raise ValueError(f"{name} must be booleans, not {mask.dtype}.")
    return mask


def _check_k(k: int, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise ValueError(f"{name} = {k!r} must be a whole number of sites >= 1.")
    return int(k)


class _Progress:
    """Pass a fraction done (0-1) to a callback, never going backwards."""

    def __init__(self, callback: Callable[[float], None] | None) -> None:
        self.callback = callback
        self.done = 0.0

    def __call__(self, fraction: float) -> None:
        if self.callback is not None:
            self.done = max(self.done, min(1.0, fraction))
            self.callback(self.done)


def _stop(should_stop: Callable[[], bool] | None) -> None:
    if should_stop is not None and should_stop():
        raise Cancelled("the site search was cancelled")


def _greedy(
    instance: _Instance,
    k: int,
    start: Sequence[int] = (),
    *,
    should_stop: Callable[[], bool] | None = None,
    progress: _Progress | None = None,
    span: float = 1.0,
) -> tuple[list[int], list[float]]:
    """Add sites one by one, each time the one serving the most, up to ``k`` sites.

    ``start`` sites are opened first, in marginal-gain order. The residual weight
    available to each candidate (``A.T @ residual``) is computed once, then updated
    by subtracting only what the newly opened site took, from the candidates sharing
    its rows: each step costs the rows in reach of one site, not a full product.
    """
    chosen, gains, residual = instance.ordered(start)
    available = instance.csc.T @ residual
    free = instance.allowed.copy()
    free[list(start)] = False
    while len(chosen) < k:
        _stop(should_stop)
        score = np.where(free, np.minimum(instance.capacity, available), -np.inf)
        site = int(np.argmax(score))  # first maximum: ties go to the lowest position
        if not score[site] > instance.eps:
            break
        served, rows, taken = instance.open(residual, site)  # exact, not the running sum
        if served <= instance.eps:
            break
        free[site] = False
        chosen.append(site)
        gains.append(served)
        touched = taken > 0
        available -= instance.column_sums(rows[touched], taken[touched])
        if progress is not None:
            progress(span * len(chosen) / k)
    return chosen, gains


def _best_swap_uncapacitated(instance: _Instance, sites: list[int]) -> tuple[float, int, int]:
    """Best 1-swap of an uncapacitated solution: ``(improvement, position, new site)``.

    With ``count_i`` the number of chosen sites reaching row ``i``, removing ``s``
    loses the rows only ``s`` reaches, and a replacement ``j`` then gains
    ``A.T @ (r * (count == 0)) + A.T @ (r * (count == 1) * A[:, s])``: one sparse
    product for the whole pass plus, per chosen site, the rows it alone reaches.
    """
    count = np.bincount(_column_rows(instance.csc, sites), minlength=len(instance.residual))
    weight = instance.residual
    base = instance.csc.T @ np.where(count == 0, weight, 0.0)
    free = instance.allowed.copy()
    free[sites] = False
    best = (-np.inf, -1, -1)
    for position, site in enumerate(sites):
        rows = instance.rows(site)
        alone = rows[count[rows] == 1]
        loss = float(weight[alone].sum())
        delta = base + instance.column_sums(alone, weight[alone]) - loss
        delta[~free] = -np.inf
        j = int(np.argmax(delta))
        if delta[j] > best[0]:
            best = (float(delta[j]), position, j)
    return best


def _best_swap_capacitated(
    instance: _Instance, sites: list[int], value: float
) -> tuple[float, list[int], list[float]]:
    """Best 1-swap with capacities: ``(new value, order, gains)`` (value unchanged if none).

    For each chosen site ``s``, the others are re-simulated (marginal-gain order) and
    the best replacement is screened as if opened last: ``min(capacity_j, A.T @
    residual)``. Each screened set is then re-ordered and re-simulated, and the best
    that serves more than now is returned: a set's value is always that of its own
    marginal-gain allocation, so the reported gains add up to the objective.
    """
    free = instance.allowed.copy()
    free[sites] = False
    best: tuple[float, list[int], list[float]] = (value, sites, [])
    for position in range(len(sites)):
        others = sites[:position] + sites[position + 1 :]
        _, gains, residual = instance.ordered(others)
        score = np.where(free, np.minimum(instance.capacity, instance.csc.T @ residual), -np.inf)
        j = int(np.argmax(score))
        if sum(gains) + score[j] <= value:
            continue
        order, new_gains, _ = instance.ordered([*others, j])
        if sum(new_gains) > best[0]:
            best = (sum(new_gains), order, new_gains)
    return best[0], list(best[1]), list(best[2])


def _local_search(
    instance: _Instance,
    sites: list[int],
    gains: list[float],
    *,
    max_passes: int,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[list[int], list[float]]:
    """Improve a solution by 1-swaps (best improvement per pass) until none helps.

    Each pass finds the best exchange of one chosen site for one free candidate and
    applies it if it improves the objective by more than 1e-9 of it (so rounding
    cannot make it cycle), at most ``max_passes`` times. Returns the sites in
    marginal-gain order and their gains.
    """
    value = float(sum(gains))
    swaps = 0
    while sites and swaps < max_passes:
        _stop(should_stop)
        threshold = value * (1.0 + _SWAP_MIN_IMPROVEMENT)
        if instance.capacitated:
            new_value, new_sites, new_gains = _best_swap_capacitated(instance, sites, threshold)
            if new_value <= threshold:
                break
            sites, gains, value = new_sites, new_gains, new_value
        else:
            delta, position, site = _best_swap_uncapacitated(instance, sites)
            if value + delta <= threshold:
                break
            sites = [*sites[:position], site, *sites[position + 1 :]]
            value += delta
        swaps += 1
    if swaps and not instance.capacitated:
        sites, gains, _ = instance.ordered(sites)
    return sites, gains


def _kick(
    instance: _Instance,
    sites: list[int],
    site: int,
    *,
    max_passes: int,
    should_stop: Callable[[], bool] | None,
) -> tuple[list[int], list[float]]:
    """Move away from a 1-swap optimum: forbid ``site``, refill greedily, search again.

    The refilled solution is improved by 1-swaps with ``site`` still forbidden (so
    the search cannot simply undo the kick), then with it allowed again.
    """
    allowed = instance.allowed.copy()
    allowed[site] = False
    blocked = dataclasses.replace(instance, allowed=allowed)
    others = [other for other in sites if other != site]
    trial, gains = _greedy(blocked, len(sites), others)
    trial, gains = _local_search(
        blocked, trial, gains, max_passes=max_passes, should_stop=should_stop
    )
    return _local_search(instance, trial, gains, max_passes=max_passes, should_stop=should_stop)


def _iterated_search(
    instance: _Instance,
    sites: list[int],
    gains: list[float],
    *,
    max_passes: int,
    should_stop: Callable[[], bool] | None,
    progress: _Progress,
    start: float,
    end: float,
) -> tuple[list[int], list[float]]:
    """1-swap local search, then kicks (an iterated local search).

    A 1-swap optimum can still miss plans that move two or three neighbouring sites
    at once. Each chosen site in turn (smallest gain first) is kicked out
    (:func:`_kick`); the first kick that serves more is kept and the round starts
    over, until a whole round brings nothing (at most ``max_passes`` kicks kept).
    Returns the sites in marginal-gain order and their gains.
    """
    sites, gains = _local_search(
        instance, sites, gains, max_passes=max_passes, should_stop=should_stop
    )
    kept = 0
    while kept < max_passes and sites:
        for tried, site in enumerate(reversed(sites), start=1):
            _stop(should_stop)
            trial, trial_gains = _kick(
                instance, sites, site, max_passes=max_passes, should_stop=should_stop
            )
            progress(start + (end - start) * tried / len(sites))
            if sum(trial_gains) > sum(gains) * (1.0 + _SWAP_MIN_IMPROVEMENT):
                sites, gains = trial, trial_gains
                kept += 1
                break
        else:
            break
    return sites, gains


@overload
def _assignment(
    instance: _Instance, sites: Sequence[int], *, with_left: Literal[True] = True
) -> tuple[float, np.ndarray]: ...


@overload
def _assignment(
    instance: _Instance, sites: Sequence[int], *, with_left: Literal[False]
) -> tuple[float, None]: ...


def _assignment(
    instance: _Instance, sites: Sequence[int], *, with_left: bool = True
) -> tuple[float, np.ndarray | None]:
    """Serve the most weight with capacitated ``sites``: an optimal assignment.

    Demand rows send weight to the sites reaching them, each row at most its
    residual weight, each site at most its capacity; the most that can be sent is a
    maximum flow. Sites that share no row with residual weight are solved apart
    (their values add up); a linked group of up to :data:`_CUT_MAX_SITES` sites
    exactly as the minimum cut (:func:`_cut_value`, a few vector operations), a
    larger one as a transportation LP solved by HiGHS (:func:`_assignment_by_lp`);
    both give the same optimum.

    Returns
    -------
    value : float
        The most weight the sites serve together.
    left : numpy.ndarray or None
        (``with_left``) Residual weight each row keeps under such an assignment, or
        an estimate of it (see :func:`_cut_value`): used to rank replacement sites,
        never reported.
    """
    sites = list(dict.fromkeys(int(j) for j in sites))
    residual = instance.residual
    left = residual.copy() if with_left else None
    if not sites:
        return 0.0, left
    pieces = [instance.rows(j) for j in sites]
    rows = np.concatenate(pieces)
    if len(sites) <= _CUT_MAX_SITES:  # one cut over all the sites: no need to split
        unique_rows, local = np.unique(rows, return_inverse=True)
        mask = np.zeros(len(unique_rows), dtype=np.int64)
        start = 0
        for bit, piece in enumerate(pieces):
            mask[local[start : start + len(piece)]] |= 1 << bit
            start += len(piece)
        value, kept = _cut_value(mask, residual[unique_rows], instance.capacity[sites])
        if left is not None:
            left[unique_rows] = kept
        return value, left
    owner = np.repeat(np.arange(len(sites)), [len(piece) for piece in pieces])
    useful = residual[rows] > 0
    rows, owner = rows[useful], owner[useful]
    if len(rows) == 0:
        return 0.0, left
    unique_rows, local = np.unique(rows, return_inverse=True)
    m, n = len(sites), len(unique_rows)
    links = sparse.csr_matrix(
        (np.ones(len(rows)), (owner, m + local.ravel())), shape=(m + n, m + n)
    )
    _, label = csgraph.connected_components(links, directed=False)
    value = 0.0
    for part in np.unique(label[owner]):
        members = np.flatnonzero(label[:m] == part)
        if len(members) > _CUT_MAX_SITES:
            part_value, part_left = _assignment_by_lp(instance, [sites[i] for i in members])
            value += part_value
            if left is not None:
                part_rows = unique_rows[label[m:] == part]
                left[part_rows] = part_left[part_rows]
            continue
        entries = np.flatnonzero(label[owner] == part)
        part_rows, part_local = np.unique(local.ravel()[entries], return_inverse=True)
        bit_of = np.zeros(m, dtype=np.int64)
        bit_of[members] = 1 << np.arange(len(members), dtype=np.int64)
        mask = np.zeros(len(part_rows), dtype=np.int64)
        np.bitwise_or.at(mask, part_local.ravel(), bit_of[owner[entries]])
        weight = residual[unique_rows[part_rows]]
        part_value, kept = _cut_value(mask, weight, instance.capacity[[sites[i] for i in members]])
        value += part_value
        if left is not None:
            left[unique_rows[part_rows]] = kept
    return value, left


def _cut_value(
    mask: np.ndarray, weight: np.ndarray, capacity: np.ndarray
) -> tuple[float, np.ndarray]:
    """Maximum flow from rows to a few capacitated sites, as a minimum cut.

    With ``mask_i`` the set of sites reaching row ``i`` (bits), a cut keeps a set
    ``T`` of sites (paying their capacities) and cuts every row some site outside
    ``T`` reaches (paying its weight), since row-to-site links are unbounded. So the
    maximum flow is ``min over T of cap(T) + W - F(T)`` with ``F(T)`` the weight of
    rows whose mask lies in ``T``: ``F`` is a subset-sum transform of the weight per
    mask (``m 2^m`` additions for ``m`` sites). Exact (max-flow min-cut theorem).

    Returns the value and the weight each row keeps: rows outside the minimum cut's
    ``T`` are fully served in every maximum flow; the rows inside keep
    ``F(T) - cap(T)`` between them, spread here in proportion to their weight (an
    estimate, used only to rank candidates).
    """
    m = len(capacity)
    inside = np.bincount(mask, weights=weight, minlength=1 << m)
    cap = np.zeros(1 << m)
    for bit in range(m):  # both as subset sums over the bits
        step = 1 << bit
        view = inside.reshape(-1, 2, step)
        view[:, 1, :] += view[:, 0, :]
        cap.reshape(-1, 2, step)[:, 1, :] += capacity[bit]
    total = float(weight.sum())
    cut = cap + (total - inside)
    best = int(np.argmin(cut))
    kept = np.zeros(len(weight))
    extra = float(inside[best] - cap[best])
    if extra > 0:
        within = (mask & ~best) == 0
        kept[within] = weight[within] * (extra / float(inside[best]))
    return min(float(cut[best]), total), kept


def _assignment_by_lp(instance: _Instance, sites: list[int]) -> tuple[float, np.ndarray]:
    """:func:`_assignment` as a transportation LP (HiGHS), for many sites.

    Rows reached by the same subset of ``sites`` are merged (their weights summed:
    the LP only sees which sites a row can use), leaving a small transportation
    problem: ``x_gp >= 0`` for each group ``g`` and site ``p`` reaching it,
    ``sum_p x_gp <= w_g``, ``sum_g x_gp <= capacity_p``, maximise ``sum x``.

    Returns
    -------
    value : float
        The most weight the sites serve together.
    left : numpy.ndarray
        Residual weight each row keeps under that assignment (each group's unserved
        share spread over its rows in proportion to their weight): a feasible
        remainder, so ``value + min(capacity_j, A[:, j] @ left)`` is what the sites
        plus ``j`` serve at least.
    """
    residual = instance.residual
    pattern = instance.csr[:, sites]
    reached = np.flatnonzero((np.diff(pattern.indptr) > 0) & (residual > 0))
    if len(reached) == 0:
        return 0.0, residual.copy()
    dense = pattern[reached].toarray() > 0
    groups, group_of = np.unique(dense, axis=0, return_inverse=True)
    group_of = group_of.ravel()
    weight = np.bincount(group_of, weights=residual[reached], minlength=len(groups))
    group_idx, site_idx = np.nonzero(groups)
    n_flows = len(group_idx)
    flows = np.arange(n_flows)
    limits = sparse.csr_matrix(
        (
            np.ones(2 * n_flows),
            (np.concatenate([group_idx, len(groups) + site_idx]), np.concatenate([flows, flows])),
        ),
        shape=(len(groups) + len(sites), n_flows),
    )
    result = optimize.linprog(
        -np.ones(n_flows),
        A_ub=limits,
        b_ub=np.concatenate([weight, instance.capacity[sites]]),
        bounds=(0, None),
        method="highs",
    )
    if result.status != 0:  # a bounded, feasible LP (x = 0 is feasible): should not happen
        raise RuntimeError(f"HiGHS could not solve an assignment LP: {result.message}")
    sent = np.bincount(group_idx, weights=result.x, minlength=len(groups))
    value = float(min(sent.sum(), weight.sum()))
    kept = np.clip(1.0 - sent / np.where(weight > 0, weight, 1.0), 0.0, 1.0)
    left = residual.copy()
    left[reached] *= kept[group_of]
    return value, left


def _assigned_order(instance: _Instance, sites: Sequence[int]) -> tuple[list[int], list[float]]:
    """Order capacitated sites by marginal optimal-assignment value; drop useless ones.

    Each step adds the site (of ``sites``) whose addition raises the optimal
    assignment of the prefix most (ties to the lowest position), so ``gains`` add up
    to the assignment value of the whole set (``k (k + 1) / 2`` small LPs).
    """
    return _greedy_order(
        {int(j) for j in sites},
        lambda chosen: _assignment(instance, chosen, with_left=False)[0],
        eps=instance.eps,
    )


def _greedy_order(
    sites: set[int] | Sequence[int], value_of: Callable[[list[int]], float], *, eps: float
) -> tuple[list[int], list[float]]:
    """Order ``sites`` greedily by the marginal gain of ``value_of`` on the prefix.

    Each step adds the site whose addition raises ``value_of(prefix)`` most (ties to
    the lowest site); it stops when no site gains more than ``eps``. Returns the order
    and the gains, which add up to the value of the whole order.
    """
    order: list[int] = []
    gains: list[float] = []
    value = 0.0
    remaining = sorted(sites)
    while remaining:
        values = [value_of([*order, j]) for j in remaining]
        best = int(np.argmax(values))
        if values[best] - value <= eps:
            break
        order.append(remaining.pop(best))
        gains.append(values[best] - value)
        value = values[best]
    return order, gains


def _best_swap_assigned(
    instance: _Instance, sites: list[int], value: float, reach: np.ndarray
) -> tuple[float, list[int]]:
    """Best 1-swap valued by optimal assignment: ``(value, sites)`` (unchanged if none).

    For each chosen site ``s`` the others are assigned optimally; every free
    candidate ``j`` then has a score (what ``j`` serves of the weight the others
    leave, on top of their value) and an upper bound (the others' value plus
    ``min(capacity_j, weight in reach of j)``). Candidates whose bound cannot beat
    the best set so far are pruned, and the :data:`_SWAP_TRIES` best by score are
    valued exactly (:func:`_assignment`). ``reach`` is ``A.T @ residual``.
    """
    free = instance.allowed & (instance.capacity > 0)
    free[sites] = False
    if not free.any():
        return value, sites
    best_value, best_sites = value, sites
    limit = value * (1.0 + _SWAP_MIN_IMPROVEMENT)
    ceiling = np.where(free, np.minimum(instance.capacity, reach), -np.inf)
    for position in range(len(sites)):
        others = sites[:position] + sites[position + 1 :]
        base, left = _assignment(instance, others)
        upper = base + ceiling
        hopeful = np.flatnonzero(upper > max(best_value, limit))
        if len(hopeful) == 0:
            continue
        # what each candidate reaches of the weight the others leave: reach minus what
        # they take, summed over their rows only (not a full product)
        pieces = [instance.rows(j) for j in others]
        rows = np.unique(np.concatenate(pieces)) if pieces else np.empty(0, dtype=np.int64)
        taken = instance.residual[rows] - left[rows]
        used = taken > 0
        available = reach - instance.column_sums(rows[used], taken[used])
        score = np.minimum(instance.capacity, available)
        tries = hopeful[np.argsort(-score[hopeful], kind="stable")][:_SWAP_TRIES]
        for j in tries:
            if upper[j] <= max(best_value, limit):
                continue
            trial = [*others, int(j)]
            trial_value = _assignment(instance, trial, with_left=False)[0]
            if trial_value > best_value:
                best_value, best_sites = trial_value, trial
    return best_value, best_sites


def _capacity_bound(instance: _Instance, k: int) -> float:
    """Bound what any ``k`` allowed sites can serve.

    The sum of their largest capacities, at most the weight they can reach at all.
    """
    capacity = instance.capacity[instance.allowed & (instance.capacity > 0)]
    if len(capacity) == 0 or k < 1:
        return 0.0
    top = np.sort(capacity)[-k:]
    reachable = instance.csr @ instance.allowed.astype(np.float64) > 0
    return min(float(top.sum()), float(instance.residual[reachable].sum()))


def _assigned_search(
    instance: _Instance,
    sites: list[int],
    *,
    max_passes: int,
    should_stop: Callable[[], bool] | None,
    reach: np.ndarray | None = None,
) -> tuple[list[int], float]:
    """Improve capacitated sites by 1-swaps valued by optimal assignment.

    Each pass applies the best swap found (:func:`_best_swap_assigned`) if it serves
    more than 1e-9 of the current value more, at most ``max_passes`` times; none is
    tried once the sites serve :func:`_capacity_bound` (no set can serve more).
    ``reach`` is ``A.T @ residual`` when the caller has it.
    """
    value = _assignment(instance, sites, with_left=False)[0]
    if value >= _capacity_bound(instance, len(sites)) * (1.0 - _SWAP_MIN_IMPROVEMENT):
        return sites, value
    reach = instance.csc.T @ instance.residual if reach is None else reach
    for _ in range(max_passes):
        if not sites:
            break
        _stop(should_stop)
        new_value, new_sites = _best_swap_assigned(instance, sites, value, reach)
        if new_value <= value * (1.0 + _SWAP_MIN_IMPROVEMENT):
            break
        sites, value = new_sites, new_value
    return sites, value


def _assigned_iterated(
    instance: _Instance,
    sites: list[int],
    *,
    max_passes: int,
    should_stop: Callable[[], bool] | None,
    progress: _Progress,
    start: float,
) -> tuple[list[int], float]:
    """1-swaps then kicks (as :func:`_iterated_search`), every set valued by assignment.

    A kick forbids one chosen site, refills greedily and searches again with it
    forbidden, then allowed; the first kick that serves more is kept and the round
    starts over, until a round brings nothing (at most ``max_passes`` kicks kept).
    """
    reach = instance.csc.T @ instance.residual
    sites, value = _assigned_search(
        instance, sites, max_passes=max_passes, should_stop=should_stop, reach=reach
    )
    if value >= _capacity_bound(instance, len(sites)) * (1.0 - _SWAP_MIN_IMPROVEMENT):
        return sites, value  # no set serves more
    kept = 0
    while kept < max_passes and sites:
        for tried, site in enumerate(list(reversed(sites)), start=1):
            _stop(should_stop)
            allowed = instance.allowed.copy()
            allowed[site] = False
            blocked = dataclasses.replace(instance, allowed=allowed)
            trial, _ = _greedy(blocked, len(sites), [s for s in sites if s != site])
            trial, _ = _assigned_search(
                blocked, trial, max_passes=max_passes, should_stop=should_stop, reach=reach
            )
            trial, trial_value = _assigned_search(
                instance, trial, max_passes=max_passes, should_stop=should_stop, reach=reach
            )
            progress(start + (1.0 - start) * tried / len(sites))
            if trial_value > value * (1.0 + _SWAP_MIN_IMPROVEMENT):
                sites, value = trial, trial_value
                kept += 1
                break
        else:
            break
    return sites, value


def _column_rows(matrix: sparse.csc_matrix, columns: ArrayLike) -> np.ndarray:
    """Row positions of the entries of ``columns`` of ``matrix``, concatenated."""
    indptr = matrix.indptr
    pieces = [matrix.indices[indptr[j] : indptr[j + 1]] for j in np.asarray(columns)]
    return np.concatenate(pieces) if pieces else np.empty(0, dtype=np.int64)


def _lagrangian_start(
    instance: _Instance,
    k: int,
    *,
    should_stop: Callable[[], bool] | None,
    progress: _Progress,
    start: float,
    end: float,
) -> list[int]:
    """Return the best plan met while solving the MCLP's Lagrangian dual (uncapacitated).

    Relaxing the covering constraints ``z_g <= sum_j a_gj y_j`` with multipliers
    ``0 <= lambda_g <= r_g`` (on the reduced rows of :func:`_reduced`) leaves a
    problem solved by sorting: ``z_g = 1`` where ``r_g > lambda_g`` and ``y`` = the
    ``k`` candidates with the largest positive ``c = A.T @ lambda``. Its value
    ``sum_g max(0, r_g - lambda_g) + sum of those c_j`` bounds the optimum from
    above; subgradient steps (Polyak's rule, the step factor halved after 10 steps
    that do not lower the bound) drive it down (Galvão & ReVelle 1996, "A Lagrangean
    heuristic for the maximal covering location problem", EJOR 88:114-123).

    Every relaxed ``y`` is a plan: the one covering the most is returned. The
    multipliers price rows by how contested they are, so these plans tile dense
    clusters differently from the greedy, and the search started from them
    (:func:`_iterated_search`) often reaches plans the greedy's neighbourhood misses.
    Each step is one sparse product: 300 steps take about 0.1 s at 40,000 x 2,000.
    """
    coverage, weight, columns = _reduced(instance)
    if len(columns) == 0:
        return []
    by_column = coverage.tocsc()
    transposed = by_column.T.tocsr()  # c = A.T @ lambda as a CSR product
    multiplier = weight / 2.0
    step_factor, stalled = 2.0, 0
    upper, lower, best = np.inf, 0.0, np.empty(0, dtype=np.int64)
    for step in range(_LAGRANGIAN_STEPS):
        if step % 10 == 0:
            _stop(should_stop)
            progress(start + (end - start) * step / _LAGRANGIAN_STEPS)
        price = transposed @ multiplier
        top = np.argsort(-price, kind="stable")[:k]
        top = top[price[top] > 0]
        bound = float(np.maximum(weight - multiplier, 0.0).sum() + price[top].sum())
        stalled = 0 if bound < upper else stalled + 1
        upper = min(upper, bound)
        if stalled >= 10:
            step_factor, stalled = step_factor / 2.0, 0
        count = np.bincount(_column_rows(by_column, top), minlength=len(weight))
        covered = float(weight[count > 0].sum())
        if covered > lower:
            lower, best = covered, top
        if upper - lower <= _MIP_REL_GAP * upper:
            break
        subgradient = count - (weight > multiplier)
        norm = float(subgradient @ subgradient)
        if norm == 0:
            break
        multiplier = np.clip(
            multiplier - step_factor * (bound - lower) / norm * subgradient, 0.0, weight
        )
    log.debug("lagrangian: %d steps, plan %.6g, bound %.6g", step + 1, lower, upper)
    return columns[best].tolist()


def _improve(
    instance: _Instance,
    sites: list[int],
    gains: list[float],
    *,
    k: int,
    max_passes: int,
    should_stop: Callable[[], bool] | None,
    progress: _Progress,
    start: float,
) -> tuple[list[int], list[float]]:
    """The swap search of :func:`solve_greedy`: the best of two searches.

    Uncapacitated: the greedy solution improved by 1-swaps, and the plan from
    :func:`_lagrangian_start` improved by 1-swaps and kicks; the better one is kept
    (the greedy's on a tie). With capacity: the greedy solution improved by 1-swaps
    and kicks (the relaxation above ignores capacities).
    """
    if instance.capacitated:
        return _iterated_search(
            instance,
            sites,
            gains,
            max_passes=max_passes,
            should_stop=should_stop,
            progress=progress,
            start=start,
            end=1.0,
        )
    sites, gains = _local_search(
        instance, sites, gains, max_passes=max_passes, should_stop=should_stop
    )
    middle = start + (1.0 - start) / 2.0
    relaxed = _lagrangian_start(
        instance, k, should_stop=should_stop, progress=progress, start=start, end=middle
    )
    other, other_gains, _ = instance.ordered(relaxed)
    other, other_gains = _iterated_search(
        instance,
        other,
        other_gains,
        max_passes=max_passes,
        should_stop=should_stop,
        progress=progress,
        start=middle,
        end=1.0,
    )
    if sum(other_gains) > sum(gains) * (1.0 + _SWAP_MIN_IMPROVEMENT):
        return other, other_gains
    return sites, gains


def _solution(
    instance: _Instance, sites: Sequence[int], gains: Sequence[float], **fields: Any
) -> Solution:
    gain_array = np.asarray(gains, dtype=np.float64)
    return Solution(
        chosen=np.asarray(sites, dtype=np.int64),
        gains=gain_array,
        objective=float(gain_array.sum()),
        base=instance.base,
        total=instance.total,
        **fields,
    )


def solve_greedy(
    problem: ArrayProblem,
    *,
    k: int,
    swap: bool = True,
    max_passes: int = 20,
    allocation: str = "optimal",
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    """Choose up to ``k`` new sites greedily, then improve them by swaps.

    Greedy: repeatedly open the candidate serving the most residual weight
    (``min(capacity_j, available_j)``), vectorised on the sparse matrix with
    incremental updates. Without capacity the objective (weight covered) is
    submodular, so greedy is within ``1 - 1/e`` of the optimum in theory, and a few
    percent in practice on clustered demand.

    The swap search runs two searches and keeps the better plan: the greedy plan
    improved by 1-swaps (exchange one chosen site for the best other while it
    helps), and the best plan met by a Lagrangian relaxation of the MCLP
    (:func:`_lagrangian_start`) improved by 1-swaps and kicks (:func:`_iterated_search`).
    1-swaps alone can stop short where the best plan tiles a dense area with several
    sites placed differently. On 30 instances of ``bench/bench_siting.py``'s
    generator (40,000 x 2,000, k = 10, 800 m) greedy alone was up to 4.0 % below the
    MILP optimum (1.4 % on average), greedy + 1-swaps up to 3.8 % (1.2 %), and the
    two searches at most 0.49 % (0.04 %), in 0.1-0.4 s against 8-90 s for HiGHS.

    With capacity each new site serves at most ``capacity_j``. The greedy builds its
    plan taking each site's share proportionally from the rows in its reach (see
    :meth:`_Instance.open`: a few vector operations per step), but every set of
    sites is *valued* by an optimal assignment of demand to them (:func:`_assignment`,
    a small transportation LP solved by HiGHS): proportional shares understate what
    the sites serve (``A=[[1,1],[0,1]]``, weights ``[10,10]``, capacities ``[10,12]``:
    16 proportionally, 20 assigned). The swap search is the greedy plan improved by
    1-swaps and kicks valued the same way (:func:`_assigned_iterated`: bounds prune
    the replacements, the best few are solved exactly); the relaxation is left out,
    as it ignores capacities. The objective is therefore the weight the chosen sites
    really serve, at most the optimum of :func:`solve_exact`, and the gains are
    increments of the optimal assignment of each prefix.

    Parameters
    ----------
    problem
        The coverage matrix, weights, served rows, capacities and forbidden
        candidates (:class:`ArrayProblem`, or a :class:`Problem` from layers).
    k
        Number of new sites, >= 1. Fewer come back when fewer candidates add anything.
    swap
        Run the swap search after the greedy (``False``: greedy alone).
    max_passes
        Most 1-swaps applied per local search (one per pass), and most kicks kept.
    allocation
        With capacity: ``"optimal"`` (value sets by optimal assignment, above) or
        ``"proportional"``, the earlier evaluation (greedy shares throughout, swaps
        valued by them), kept only to measure the difference
        (``bench/bench_siting.py``): it understates what the sites serve.
    progress
        Called with the fraction done (0-1, never decreasing) now and then.
    should_stop
        Checked at every greedy step, swap pass and kick; when it returns True the
        solve raises :class:`Cancelled`.

    Returns
    -------
    Solution
        ``method`` ``"greedy"`` or ``"greedy+swap"``.

    Raises
    ------
    ValueError
        For misshapen inputs, negative or non-finite weights or capacities, ``k < 1``,
        an unknown ``allocation``.
    Cancelled
        When ``should_stop()`` returns True.
    """
    start = time.perf_counter()
    k = _check_k(k)
    if isinstance(max_passes, bool) or not isinstance(max_passes, int) or max_passes < 0:
        raise ValueError(f"max_passes = {max_passes!r} must be a whole number >= 0.")
    if allocation not in ("optimal", "proportional"):
        raise ValueError(f"allocation = {allocation!r}: use 'optimal' or 'proportional'.")
    instance = _checked(problem)
    report = _Progress(progress)
    span = 0.1 if swap else 1.0
    sites, gains = _greedy(instance, k, should_stop=should_stop, progress=report, span=span)
    swaps = 0
    if instance.capacitated and allocation == "optimal":
        greedy_sites = set(sites)
        if swap:
            sites, _ = _assigned_iterated(
                instance,
                sites,
                max_passes=max_passes,
                should_stop=should_stop,
                progress=report,
                start=span,
            )
        sites, gains = _assigned_order(instance, sites)
        swaps = len(greedy_sites - set(sites))
    elif swap:
        greedy_sites = set(sites)
        sites, gains = _improve(
            instance,
            sites,
            gains,
            k=k,
            max_passes=max_passes,
            should_stop=should_stop,
            progress=report,
            start=span,
        )
        swaps = len(greedy_sites - set(sites))
    report(1.0)
    return _solution(
        instance,
        sites,
        gains,
        method="greedy+swap" if swap else "greedy",
        seconds=time.perf_counter() - start,
        swaps=swaps,
    )


def _aggregate_rows(matrix: sparse.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Group the rows of ``matrix`` that reach exactly the same candidates.

    Each row's sorted column indices are hashed as bytes (:func:`pandas.factorize`,
    an exact hash table: equal keys only for equal sets).

    Returns
    -------
    first : numpy.ndarray
        Position of one row of each group.
    group : numpy.ndarray
        Group of each row.
    """
    matrix = matrix.copy()
    matrix.sort_indices()
    indices, indptr = matrix.indices, matrix.indptr
    keys = np.empty(matrix.shape[0], dtype=object)
    keys[:] = [indices[a:b].tobytes() for a, b in itertools.pairwise(indptr)]
    group, _ = pd.factorize(keys)
    _, first = np.unique(group, return_index=True)
    return first, group


def _reduced(instance: _Instance) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray]:
    """The MILP's coverage: aggregated rows x useful allowed candidates.

    Rows with no residual weight or no allowed candidate cannot change the
    objective and are dropped; rows reaching the same set of candidates are merged
    into one with their summed weight (a covering constraint depends only on the
    set). On the benchmark's 40,000 cells (100 m, 800 m reach, a third empty) this
    leaves 15,953 rows: 24,116 can gain, and merging removes a third of those.

    Returns
    -------
    coverage : scipy.sparse.csr_matrix
        ``(n_groups, n_columns)`` float64 ones.
    weight : numpy.ndarray
        ``(n_groups,)`` residual weight of each group.
    columns : numpy.ndarray
        Candidate position of each column.
    """
    columns = np.flatnonzero(instance.allowed & (instance.capacity > 0))
    matrix = instance.csr[:, columns]
    keep = (instance.residual > 0) & (np.diff(matrix.indptr) > 0)
    matrix = matrix[np.flatnonzero(keep)]
    first, group = _aggregate_rows(matrix)
    weight = np.bincount(group, weights=instance.residual[keep], minlength=len(first))
    matrix = matrix[first]
    useful = np.diff(matrix.tocsc().indptr) > 0
    return matrix[:, np.flatnonzero(useful)].tocsr(), weight, columns[useful]


def _flows(
    coverage: sparse.csr_matrix,
) -> tuple[sparse.coo_matrix, sparse.csr_matrix, sparse.csr_matrix]:
    """One flow ``x_e`` per (row, site) pair within reach, and the matrices summing them.

    Returns
    -------
    edges : scipy.sparse.coo_matrix
        The pairs (``edges.row``, ``edges.col``), one per flow.
    by_row, by_site : scipy.sparse.csr_matrix
        ``(n_rows, n_flows)`` and ``(n_sites, n_flows)``: ``by_row @ x`` is what each
        row sends, ``by_site @ x`` what each site serves.
    """
    edges = coverage.tocoo()
    n_rows, n_sites = coverage.shape
    flow = np.arange(edges.nnz)
    ones = np.ones(edges.nnz)
    by_row = sparse.csr_matrix((ones, (edges.row, flow)), shape=(n_rows, edges.nnz))
    by_site = sparse.csr_matrix((ones, (edges.col, flow)), shape=(n_sites, edges.nnz))
    return edges, by_row, by_site


def _allocation_value(
    coverage: sparse.csr_matrix, weight: np.ndarray, capacity: np.ndarray
) -> float:
    """Most weight the given sites can serve together (a transportation LP, HiGHS)."""
    edges, by_row, by_site = _flows(coverage)
    if edges.nnz == 0:
        return 0.0
    result = optimize.linprog(
        -np.ones(edges.nnz),
        A_ub=sparse.vstack([by_row, by_site]).tocsr(),
        b_ub=np.concatenate([weight, capacity]),
        bounds=(0, None),
        method="highs",
    )
    return float(-result.fun)


def _order_by_allocation(
    coverage: sparse.csr_matrix, weight: np.ndarray, capacity: np.ndarray, sites: list[int]
) -> tuple[list[int], list[float]]:
    """Order capacitated sites by marginal *optimal* allocation value.

    ``gains`` are increments of the best joint allocation of the prefix (one LP per
    evaluated prefix, ``k (k + 1) / 2`` small LPs), so they add up to the MILP's
    optimum instead of a proportional allocation's value.
    """
    return _greedy_order(
        sites,
        lambda chosen: _allocation_value(coverage[:, chosen], weight, capacity[chosen]),
        eps=_NEGLIGIBLE * weight.sum(),
    )


def solve_exact(
    problem: ArrayProblem,
    *,
    k: int,
    time_limit_s: float = 60.0,
) -> Solution:
    """Choose up to ``k`` new sites optimally (a MILP solved by HiGHS).

    Without capacity (Church & ReVelle's MCLP): ``y_j`` binary (open candidate ``j``),
    ``z_g`` in [0, 1] (row group ``g`` newly covered), ``z_g <= sum_j a_gj y_j``,
    ``sum_j y_j <= k``, maximise ``sum_g r_g z_g``. ``z`` need not be integer: at an
    optimum it is 1 exactly when some open site reaches the group.

    With capacity: ``x_gj >= 0`` for each pair within reach, ``sum_j x_gj <= r_g``,
    ``sum_g x_gj <= capacity_j y_j``, ``sum_j y_j <= k``, maximise ``sum x``.

    Before solving, forbidden candidates are dropped and demand rows are reduced
    (see :func:`_reduced`): rows that cannot gain are dropped and rows reaching the
    same candidates merged (40,000 rows become about 16,000 in the benchmark).
    The chosen sites are then ordered by marginal gain like the greedy (with
    capacity, by marginal optimal allocation, a few small LPs).

    Parameters
    ----------
    problem, k
        As :func:`solve_greedy`.
    time_limit_s
        HiGHS stops after this many seconds with its best solution so far
        (``optimal=False``).

    Returns
    -------
    Solution
        ``method="milp"``, with ``bound`` (HiGHS' proven upper bound on the
        objective) and ``optimal``.

    Raises
    ------
    ValueError
        As :func:`solve_greedy`, or for a time limit that is not > 0.
    RuntimeError
        When HiGHS finds no solution at all within the time limit.
    """
    start = time.perf_counter()
    k = _check_k(k)
    if not (isinstance(time_limit_s, int | float) and time_limit_s > 0):
        raise ValueError(f"time_limit_s = {time_limit_s!r} must be a number of seconds > 0.")
    instance = _checked(problem)
    coverage, weight, columns = _reduced(instance)
    n_groups, n_columns = coverage.shape
    if n_groups == 0:
        seconds = time.perf_counter() - start
        return _solution(instance, [], [], method="milp", seconds=seconds, bound=0.0, optimal=True)

    capacity_ = instance.capacity[columns]
    ones = np.ones((1, n_columns))
    if instance.capacitated:
        edges, by_row, by_site = _flows(coverage)
        n_edges = edges.nnz
        matrix = sparse.vstack(
            [
                sparse.hstack([sparse.csr_matrix((n_groups, n_columns)), by_row]),
                sparse.hstack([-sparse.diags(capacity_), by_site]),
                sparse.hstack([ones, sparse.csr_matrix((1, n_edges))]),
            ]
        )
        upper = np.concatenate([weight, np.zeros(n_columns), [k]])
        cost = np.concatenate([np.zeros(n_columns), -np.ones(n_edges)])
        high = np.concatenate(
            [np.ones(n_columns), np.minimum(weight[edges.row], capacity_[edges.col])]
        )
        n_other = n_edges
    else:
        matrix = sparse.vstack(
            [
                sparse.hstack([-coverage, sparse.identity(n_groups)]),
                sparse.hstack([ones, sparse.csr_matrix((1, n_groups))]),
            ]
        )
        upper = np.concatenate([np.zeros(n_groups), [k]])
        cost = np.concatenate([np.zeros(n_columns), -weight])
        high = np.ones(n_columns + n_groups)
        n_other = n_groups
    result = optimize.milp(
        cost,
        constraints=optimize.LinearConstraint(matrix.tocsr(), -np.inf, upper),
        integrality=np.concatenate([np.ones(n_columns), np.zeros(n_other)]),
        bounds=optimize.Bounds(0.0, high),
        options={"time_limit": float(time_limit_s), "mip_rel_gap": _MIP_REL_GAP},
    )
    if result.x is None:
        raise RuntimeError(
            f"HiGHS found no solution in {time_limit_s:g} s ({result.message}); raise "
            "time_limit_s or use solve_greedy."
        )
    open_ = np.flatnonzero(result.x[:n_columns] > 0.5)
    if instance.capacitated:
        order, gains = _order_by_allocation(coverage, weight, capacity_, open_.tolist())
        sites = columns[order].tolist()
    else:
        sites, gains, _ = instance.ordered(columns[open_].tolist())
    objective = float(np.sum(gains))
    dual = result.get("mip_dual_bound")
    bound = None if dual is None or not np.isfinite(dual) else max(objective, -float(dual))
    log.debug(
        "milp: %d groups x %d candidates, status %d, objective %.6g, bound %s",
        n_groups,
        n_columns,
        result.status,
        objective,
        bound,
    )
    return _solution(
        instance,
        sites,
        gains,
        method="milp",
        seconds=time.perf_counter() - start,
        bound=bound,
        optimal=result.status == 0,
    )


def coverage_curve(
    problem: ArrayProblem,
    *,
    k_max: int,
    swap: bool = True,
) -> pd.DataFrame:
    """Tabulate the weight served against the number of new sites, for ``k = 0 .. k_max``.

    For a planner's "how many sites are worth it" chart: the additions shrink as
    sites are added (diminishing returns). Each ``k`` starts from the best set found
    for ``k - 1`` plus the greedy's next site, then runs the swap search, so the
    sets are found incrementally (one greedy pass in all) and ``new`` never
    decreases. (With swaps the sets of consecutive ``k`` need not be nested, so
    ``marginal`` need not decrease.)

    Parameters
    ----------
    problem, swap
        As :func:`solve_greedy`.
    k_max
        Largest number of new sites, >= 1.

    Returns
    -------
    pandas.DataFrame
        One row per ``k``: ``k``, ``new`` (weight newly served by the best ``k``
        sites found), ``served`` (``base + new``), ``share`` (``served / total``, 0-1;
        0 when there is no weight) and ``marginal`` (``new[k] - new[k - 1]``, 0 at
        ``k = 0``).
    """
    k_max = _check_k(k_max, "k_max")
    instance = _checked(problem)
    sites: list[int] = []
    gains: list[float] = []
    new = [0.0]
    for k in range(1, k_max + 1):
        grown, grown_gains = _greedy(instance, k, sites)
        if instance.capacitated:  # valued by optimal assignment, as in solve_greedy
            if swap and len(grown) == k:
                grown, value = _assigned_search(instance, grown, max_passes=20, should_stop=None)
            else:
                value = _assignment(instance, grown, with_left=False)[0]
            if value >= new[-1]:
                sites = grown
            new.append(max(value, new[-1]))
            continue
        if swap and len(grown) == k:
            grown, grown_gains = _local_search(instance, grown, grown_gains, max_passes=20)
        if sum(grown_gains) >= sum(gains):
            sites, gains = grown, grown_gains
        new.append(float(sum(gains)))
    new_array = np.asarray(new)
    served_array = instance.base + new_array
    share = served_array / instance.total if instance.total > 0 else np.zeros_like(new_array)
    return pd.DataFrame(
        {
            "k": np.arange(k_max + 1, dtype=np.int64),
            "new": new_array,
            "served": served_array,
            "share": share,
            "marginal": np.diff(new_array, prepend=0.0),
        }
    )


# --------------------------------------------------------------------------------------
# GeoDataFrame adapters
# --------------------------------------------------------------------------------------


def _check_radius(radius_m: float) -> float:
    try:
        return access._check_radius(radius_m)
    except ValueError as error:
        raise LayerError(str(error)) from None


def _project(
    layers: dict[str, gpd.GeoDataFrame | None], network: StreetNetwork | None
) -> dict[str, gpd.GeoDataFrame]:
    """Check the layers and return them in one metric CRS (the network's when given).

    All layers must share a CRS (:func:`geo.access._metric_layers`); without a network
    they are measured in the first layer's CRS if metric, else its UTM zone. Layers
    given as ``None`` are left out.
    """
    given = {name: layer for name, layer in layers.items() if layer is not None}
    metric, _ = access._metric_layers(given)
    if network is not None:
        metric = {name: layer.to_crs(network.crs) for name, layer in metric.items()}
    return metric


def _reach(
    demand_xy: np.ndarray,
    site_xy: np.ndarray,
    radius_m: float,
    network: StreetNetwork | None,
    max_snap_m: float,
) -> sparse.csr_matrix:
    if network is None:
        return coverage_matrix(demand_xy, site_xy, radius_m)
    return network_coverage_matrix(
        network, demand_xy, site_xy, radius_m=radius_m, max_snap_m=max_snap_m
    )


def _existing(existing: gpd.GeoDataFrame | None) -> gpd.GeoDataFrame | None:
    """``None`` for no existing sites (also an empty layer)."""
    if existing is None or (isinstance(existing, gpd.GeoDataFrame) and existing.empty):
        return None
    return existing


def maximal_coverage(
    problem: Problem,
    *,
    k: int,
    exact: bool = False,
    time_limit_s: float = 60.0,
    swap: bool = True,
) -> gpd.GeoDataFrame:
    """Choose up to ``k`` candidates that bring the most demand weight newly within reach.

    Solves a :class:`Problem` built from layers by :func:`build_problem` (the
    measuring, checks and projection: the costly part, worth building once for
    several ``k`` or solvers) and returns the chosen candidates.

    Parameters
    ----------
    problem
        From :func:`build_problem`: demand, candidates, existing sites, reach,
        weights and capacities.
    k
        Number of new sites, >= 1. Fewer come back when fewer candidates add anything
        (``attrs["siting"]["k"]`` keeps the number asked for).
    exact
        Solve the MILP (:func:`solve_exact`) instead of greedy + swaps.
    time_limit_s
        With ``exact``: HiGHS' time limit.
    swap
        Without ``exact``: run the swap search after the greedy.

    Returns
    -------
    geopandas.GeoDataFrame
        The chosen rows of ``candidates`` (original index, columns and CRS) in the
        order chosen, plus ``order`` (1, 2, ...), ``gain`` (weight this site adds given
        the ones before) and ``cumulative`` (running total of ``gain``).
        ``result.attrs["siting"]`` holds ``objective``, ``base``, ``total``,
        ``method``, ``seconds``, ``swaps``, ``bound``, ``optimal``, ``k``,
        ``radius_m``, ``n_demand``, ``n_candidates``, ``n_forbidden`` (candidates on
        an existing site) and ``distance`` (``"straight"`` or ``"network"``).

    Raises
    ------
    LayerError
        For ``k < 1`` (the layers are checked by :func:`build_problem`).
    """
    if isinstance(k, bool) or not isinstance(k, int | np.integer) or k < 1:
        raise LayerError(f"k = {k!r} must be a whole number of new sites >= 1 (e.g. k=5).")
    if exact:
        solution = solve_exact(problem, k=k, time_limit_s=time_limit_s)
    else:
        solution = solve_greedy(problem, k=k, swap=swap)
    result = chosen_frame(problem, solution, k=int(k))
    log.info(
        "siting: %d of %d sites, +%.6g (%s, %.3f s)",
        len(result),
        k,
        solution.objective,
        solution.method,
        solution.seconds,
    )
    return result


@dataclass(frozen=True, eq=False, kw_only=True)
class Problem(ArrayProblem):
    """A covering problem built from layers: an :class:`ArrayProblem` that knows its candidates.

    Build it once with :func:`build_problem` and solve it many times (several ``k``,
    greedy and exact, a coverage curve, :func:`maximal_coverage`): building the
    coverage matrix is the costly part, the solves are cheap.

    Attributes
    ----------
    matrix
        ``(n_demand, n_candidates)`` bool coverage (:func:`coverage_matrix`, or
        :func:`network_coverage_matrix` with a network).
    weights, served
        Demand weight per row, and whether an existing site already serves it.
    capacity
        Weight each candidate can serve, or ``None`` (uncapacitated).
    forbidden
        Candidates never chosen (within 1 m of an existing site).
    candidates
        The candidate layer as given (rows match the matrix columns).
    radius_m, distance
        Reach in metres and ``"straight"`` or ``"network"``.
    """

    matrix: sparse.csr_matrix
    weights: np.ndarray
    served: np.ndarray
    capacity: np.ndarray | None
    forbidden: np.ndarray
    candidates: gpd.GeoDataFrame
    radius_m: float
    distance: str

    @property
    def n_demand(self) -> int:
        """Number of demand rows."""
        return int(self.matrix.shape[0])


def build_problem(
    demand: gpd.GeoDataFrame,
    candidates: gpd.GeoDataFrame,
    *,
    radius_m: float,
    weight_col: str,
    existing: gpd.GeoDataFrame | None = None,
    capacity_col: str | None = None,
    network: StreetNetwork | None = None,
    max_snap_m: float = 200.0,
) -> Problem:
    """Check the layers and build the covering problem behind :func:`maximal_coverage`.

    Measures every demand location against every candidate and existing site (the
    costly part), marks the rows the existing sites already serve and the candidates
    on an existing site (within 1 m), and reads the weights and capacities.

    Parameters
    ----------
    demand
        Demand points or cells with a CRS and the ``weight_col`` column. Polygons
        (grid cells) are measured at their centroids, points as they are.
    candidates
        Candidate sites, same CRS; points or polygons (a building or a plot: its
        centroid).
    radius_m
        Reach in metres, > 0 (inclusive): straight-line, or walking along the
        streets with ``network``.
    weight_col
        Column of ``demand`` with each location's weight (people in need, or a
        planner-weighted sum of groups): finite, >= 0.
    existing
        Care sites already there, same CRS; ``None`` or empty for none. They are
        uncapacitated: every demand location within their reach is served and
        brings no gain. A candidate within 1 m of an existing site *is* that site
        and is never chosen.
    capacity_col
        Column of ``candidates`` with the weight each new site can serve (finite,
        >= 0); ``None`` for uncapacitated sites. It limits the new sites only.
    network
        A :class:`geo.network.StreetNetwork` to measure walking distances.
    max_snap_m
        With ``network``: farthest a point may be from a street node.

    Everything is measured in one metric CRS: the demand's if projected, else its
    UTM zone; with ``network``, ``network.crs``.

    Returns
    -------
    Problem
        Ready for :func:`maximal_coverage`, :func:`solve_greedy`, :func:`solve_exact`
        or :func:`coverage_curve` and for :func:`chosen_frame`.

    Raises
    ------
    LayerError
        For an empty layer, a missing or different CRS, unusable geometries, a
        missing or bad column, or a radius that is not a distance > 0.
    """
    radius = _check_radius(radius_m)
    existing = _existing(existing)
    metric = _project({"demand": demand, "candidates": candidates, "existing": existing}, network)
    xy = {name: access._xy(name, layer) for name, layer in metric.items()}
    clash = [c for c in _ADDED_COLUMNS if c in candidates.columns]
    if clash:
        raise LayerError(
            f"candidates layer already has column(s) {', '.join(clash)}, which the result "
            "adds; rename them first."
        )
    weight = access._numeric_column("demand", demand, weight_col)
    capacity = None
    if capacity_col is not None:
        capacity = access._numeric_column("candidates", candidates, capacity_col)
    served = np.zeros(len(demand), dtype=bool)
    forbidden = np.zeros(len(candidates), dtype=bool)
    if existing is not None:
        reach = _reach(xy["demand"], xy["existing"], radius, network, max_snap_m)
        served = np.diff(reach.indptr) > 0
        near, _ = access.nearest_core(xy["candidates"], xy["existing"], max_distance_m=_COINCIDE_M)
        forbidden = near >= 0
    return Problem(
        matrix=_reach(xy["demand"], xy["candidates"], radius, network, max_snap_m),
        weights=weight,
        served=served,
        capacity=capacity,
        forbidden=forbidden,
        candidates=candidates,
        radius_m=radius,
        distance="straight" if network is None else "network",
    )


def chosen_frame(problem: Problem, solution: Solution, *, k: int | None = None) -> gpd.GeoDataFrame:
    """Return the chosen candidates of a solved :class:`Problem` as :func:`maximal_coverage` does.

    Parameters
    ----------
    problem
        The problem the solution solves.
    solution
        From :func:`solve_greedy` or :func:`solve_exact` on ``problem``.
    k
        The number of sites asked for, recorded in ``attrs["siting"]["k"]``
        (default: the number returned).

    Returns
    -------
    geopandas.GeoDataFrame
        The chosen rows of ``problem.candidates`` with ``order``, ``gain``,
        ``cumulative`` and ``attrs["siting"]`` (see :func:`maximal_coverage`).
    """
    result = problem.candidates.iloc[solution.chosen].copy()
    result["order"] = np.arange(1, len(solution.chosen) + 1, dtype=np.int64)
    result["gain"] = solution.gains
    result["cumulative"] = np.cumsum(solution.gains)
    result.attrs["siting"] = {
        "objective": solution.objective,
        "base": solution.base,
        "total": solution.total,
        "method": solution.method,
        "seconds": solution.seconds,
        "swaps": solution.swaps,
        "bound": solution.bound,
        "optimal": solution.optimal,
        "k": int(k) if k is not None else len(solution.chosen),
        "radius_m": problem.radius_m,
        "n_demand": problem.n_demand,
        "n_candidates": len(problem.candidates),
        "n_forbidden": int(problem.forbidden.sum()),
        "distance": problem.distance,
    }
    return result


def _area_of(points_xy: np.ndarray, areas_xy: gpd.GeoDataFrame) -> np.ndarray:
    """Position in ``areas_xy`` of the (first) area containing each point, -1 for none."""
    inside = np.full(len(points_xy), -1, dtype=np.int64)
    if len(points_xy) == 0 or areas_xy.empty:
        return inside
    tree = shapely.STRtree(np.asarray(areas_xy.geometry.values))
    point, area = tree.query(shapely.points(points_xy), predicate="within")
    order = np.lexsort((area, point))  # the first area per point: the best ranked one
    point, area = point[order], area[order]
    first = np.ones(len(point), dtype=bool)
    first[1:] = point[1:] != point[:-1]
    inside[point[first]] = area[first]
    return inside


def site_report(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    *,
    radius_m: float,
    groups: Sequence[str],
    existing: gpd.GeoDataFrame | None = None,
    areas: gpd.GeoDataFrame | None = None,
    network: StreetNetwork | None = None,
    max_snap_m: float = 200.0,
) -> pd.DataFrame:
    """Tell, site by site, whom each new site brings within reach and where.

    Sites are taken in their row order (e.g. the ``order`` of
    :func:`maximal_coverage`): a person counts for the first site reaching them, and
    not at all if an existing site already reaches them. Distances as in
    :func:`maximal_coverage`.

    Parameters
    ----------
    demand
        Demand points or cells with a CRS and one population column per group.
    sites
        The new sites (points or polygons by centroid), same CRS, in order.
    radius_m
        Reach in metres, > 0 (inclusive).
    groups
        Population columns of ``demand`` (e.g. ``["children_0_5", "older_80"]``).
    existing
        Care sites already there, same CRS; ``None`` or empty for none.
    areas
        Unserved areas, same CRS (polygons ranked best first, as
        :func:`geo.access.unserved_areas` or ``GapsResult.unserved_areas`` return).
    network, max_snap_m
        Walk along the streets instead of straight lines (as :func:`maximal_coverage`).

    Returns
    -------
    pandas.DataFrame
        Indexed like ``sites``: one column per group with the people of that group
        newly within reach of the site, ``area`` (index label of the area of
        ``areas`` holding most of those people, all groups together; ties to the
        first area; ``None`` without ``areas`` or when none of them is in an area)
        and ``area_share`` (0-1, share of the site's newly reached people in that
        area; 0.0 when ``area`` is None). A demand location belongs to the area
        containing its centroid.

    Raises
    ------
    LayerError
        For an empty layer, a missing or different CRS, unusable geometries, a
        missing or bad group column, or a radius that is not a distance > 0.
    """
    names = access._groups(groups)
    clash = [g for g in names if g in _REPORT_COLUMNS]
    if clash:
        raise LayerError(
            f"group column(s) {', '.join(clash)} clash with the report's columns; rename them."
        )
    radius = _check_radius(radius_m)
    population = np.column_stack([access._numeric_column("demand", demand, g) for g in names])
    report = pd.DataFrame(
        np.zeros((len(sites), len(names))), index=sites.index, columns=list(names)
    )
    report["area"] = pd.Series([None] * len(sites), index=sites.index, dtype=object)
    report["area_share"] = 0.0
    if isinstance(sites, gpd.GeoDataFrame) and sites.empty:
        return report
    if areas is not None and areas.empty:
        areas = None
    metric = _project(
        {"demand": demand, "sites": sites, "existing": _existing(existing), "areas": areas},
        network,
    )
    xy = {name: access._xy(name, metric[name]) for name in metric if name != "areas"}

    reached = _reach(xy["demand"], xy["sites"], radius, network, max_snap_m).tocsc()
    taken = np.zeros(len(demand), dtype=bool)
    if "existing" in xy:
        taken = (
            np.diff(_reach(xy["demand"], xy["existing"], radius, network, max_snap_m).indptr) > 0
        )
    new_rows: list[np.ndarray] = []
    for j in range(len(sites)):
        rows = reached.indices[reached.indptr[j] : reached.indptr[j + 1]]
        rows = rows[~taken[rows]]
        taken[rows] = True
        new_rows.append(rows)
        report.iloc[j, : len(names)] = population[rows].sum(axis=0)
    if areas is None:
        return report

    newly = np.concatenate(new_rows)
    cell_area = np.full(len(demand), -1, dtype=np.int64)
    cell_area[newly] = _area_of(xy["demand"][newly], metric["areas"])
    people = population.sum(axis=1)
    for j, rows in enumerate(new_rows):
        inside = rows[cell_area[rows] >= 0]
        if people[inside].sum() <= 0:
            continue
        by_area = np.bincount(cell_area[inside], weights=people[inside], minlength=len(areas))
        best = int(np.argmax(by_area))  # first maximum: the best-ranked area
        report.iat[j, len(names)] = areas.index[best]
        report.iat[j, len(names) + 1] = by_area[best] / people[rows].sum()
    return report
