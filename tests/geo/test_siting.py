"""geo.siting: maximal covering location, checked by hand, by brute force and against HiGHS.

The hand instance ("the line"): five demand points 100 m apart on a line, three
candidates, a 100 m reach (inclusive)::

    demand   d0    d1    d2    d3    d4        x = 0, 100, 200, 300, 400
    weight    5     1     1     1     5
    cand     c0          c1          c2        x = 0, 200, 400

    c0 reaches d0 d1 (6), c1 reaches d1 d2 d3 (3), c2 reaches d3 d4 (6).

k = 1: c0 and c2 tie at 6, the lowest position wins: c0. k = 2: c0 then c2 (+6) = 12.
k = 3: + c1 (only d2 is new: +1) = 13.
"""

from __future__ import annotations

import itertools
import math
import time

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import optimize, sparse
from scipy.spatial.distance import cdist
from shapely.geometry import LineString, box

from geo import network as net
from geo import planning, siting
from geo.errors import LayerError
from geo.siting import (
    Cancelled,
    Solution,
    build_problem,
    chosen_frame,
    coverage_curve,
    coverage_matrix,
    maximal_coverage,
    network_coverage_matrix,
    site_report,
    solve_exact,
    solve_greedy,
)
from tests.geo._helpers import UTM, X0, Y0, run_bench

LINE_DEMAND = np.array([[0.0, 0.0], [100.0, 0.0], [200.0, 0.0], [300.0, 0.0], [400.0, 0.0]])
LINE_WEIGHT = np.array([5.0, 1.0, 1.0, 1.0, 5.0])
LINE_SITES = np.array([[0.0, 0.0], [200.0, 0.0], [400.0, 0.0]])


def points(xy: np.ndarray, crs: str | None = UTM, **columns: object) -> gpd.GeoDataFrame:
    xy = np.asarray(xy, dtype=float)
    return gpd.GeoDataFrame(
        columns, geometry=gpd.points_from_xy(xy[:, 0] + X0, xy[:, 1] + Y0), crs=crs
    )


@pytest.fixture
def line() -> sparse.csr_matrix:
    return coverage_matrix(LINE_DEMAND, LINE_SITES, 100.0)


# ------------------------------------------------------------------------------ brute force


def covered_weight(cover: sparse.csr_matrix, residual: np.ndarray, sites: tuple[int, ...]) -> float:
    """Weight of the residual rows reached by some of ``sites``."""
    if not sites:
        return 0.0
    reached = np.asarray(cover[:, list(sites)].sum(axis=1)).ravel() > 0
    return float(residual[reached].sum())


def allocation_lp(
    cover: sparse.csr_matrix, residual: np.ndarray, capacity: np.ndarray, sites: tuple[int, ...]
) -> float:
    """Best weight the sites can serve together: max sum x_ij, row and site limits (linprog)."""
    coo = cover[:, list(sites)].tocoo()
    if coo.nnz == 0:
        return 0.0
    n_pairs = coo.nnz
    rows = np.zeros((cover.shape[0], n_pairs))
    rows[coo.row, np.arange(n_pairs)] = 1.0
    cols = np.zeros((len(sites), n_pairs))
    cols[coo.col, np.arange(n_pairs)] = 1.0
    result = optimize.linprog(
        -np.ones(n_pairs),
        A_ub=np.vstack([rows, cols]),
        b_ub=np.concatenate([residual, capacity[list(sites)]]),
        bounds=(0, None),
        method="highs",
    )
    assert result.status == 0
    return float(-result.fun)


def brute_force(
    cover: sparse.csr_matrix,
    weights: np.ndarray,
    *,
    k: int,
    served: np.ndarray,
    forbidden: np.ndarray,
    capacity: np.ndarray | None = None,
) -> float:
    """Best objective over every set of min(k, allowed) candidates (more sites never hurt)."""
    residual = np.where(served, 0.0, weights)
    allowed = np.flatnonzero(~forbidden)
    size = min(k, len(allowed))
    best = 0.0
    for sites in itertools.combinations(allowed.tolist(), size):
        if capacity is None:
            value = covered_weight(cover, residual, sites)
        else:
            value = allocation_lp(cover, residual, capacity, sites)
        best = max(best, value)
    return best


def random_instance(
    seed: int, n_demand: int, n_sites: int, side_m: float, radius_m: float
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray]:
    """Clustered demand weights (some zero), random sites, some rows served, some forbidden."""
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, side_m, (n_demand, 2))
    sites = rng.uniform(0, side_m, (n_sites, 2))
    centres = rng.uniform(0, side_m, (3, 2))
    spread = side_m / 6
    bump = sum(np.exp(-((demand - c) ** 2).sum(axis=1) / (2 * spread**2)) for c in centres)
    weights = rng.lognormal(0.0, 1.0, n_demand) * bump
    weights[rng.random(n_demand) < 0.3] = 0.0
    served = rng.random(n_demand) < 0.1
    forbidden = rng.random(n_sites) < 0.1
    return coverage_matrix(demand, sites, radius_m), weights, served, forbidden


# ------------------------------------------------------------------------------ coverage matrices


def test_coverage_matrix_by_hand_is_inclusive(line: sparse.csr_matrix) -> None:
    assert isinstance(line, sparse.csr_matrix)
    assert line.dtype == bool and line.shape == (5, 3)
    assert line.toarray().astype(int).tolist() == [
        [1, 0, 0],
        [1, 1, 0],
        [0, 1, 0],
        [0, 1, 1],
        [0, 0, 1],
    ]
    # a 3-4-5 triangle: exactly 800 m is within reach, a hair more is not
    cover = coverage_matrix([[0.0, 0.0]], [[480.0, 640.0], [480.0, 640.001]], 800.0)
    assert cover.toarray().tolist() == [[True, False]]


def test_coverage_matrix_equals_dense_distances() -> None:
    rng = np.random.default_rng(7)
    demand = rng.uniform(0, 3000, (400, 2))
    sites = rng.uniform(0, 3000, (60, 2))
    cover = coverage_matrix(demand, sites, 450.0)
    assert np.array_equal(cover.toarray(), cdist(demand, sites) <= 450.0)
    assert coverage_matrix(demand, sites[:0], 450.0).shape == (400, 0)
    with pytest.raises(ValueError, match="radius_m"):
        coverage_matrix(demand, sites, 0.0)


# Toy street network: a U. Nodes 0 (0, 0) - 1 (0, 500) - 2 (100, 500) - 3 (100, 0):
# the ends are 100 m apart in a straight line but 1,100 m apart along the streets.
U_XY = np.array([[0.0, 0.0], [0.0, 500.0], [100.0, 500.0], [100.0, 0.0]])


@pytest.fixture
def u_street() -> net.StreetNetwork:
    graph = net.build_graph([0, 1, 2], [1, 2, 3], [500.0, 100.0, 500.0], len(U_XY))
    xy = U_XY + np.array([X0, Y0])
    return net.StreetNetwork(graph=graph, node_xy=xy, crs=UTM, source="U")


def test_network_coverage_matrix_walks_the_streets(u_street: net.StreetNetwork) -> None:
    offset = np.array([X0, Y0])
    demand = np.array([[0.0, 0.0], [100.0, 500.0], [100.0, 0.0], [5000.0, 5000.0]]) + offset
    site = np.array([[100.0, 0.0]]) + offset
    walk = network_coverage_matrix(u_street, demand, site, radius_m=600.0)
    straight = coverage_matrix(demand, site, 600.0)
    assert walk.dtype == bool and walk.shape == (4, 1)
    # d0: 100 m straight, 1,100 m walking; d1: 500 m both ways; d3 is off the streets
    assert walk.toarray().ravel().tolist() == [False, True, True, False]
    assert straight.toarray().ravel().tolist() == [True, True, True, False]
    empty = network_coverage_matrix(u_street, demand, site[:0], radius_m=600.0)
    assert empty.shape == (4, 0)


# ------------------------------------------------------------------------------ solvers by hand


def test_line_by_hand_greedy_and_exact(line: sparse.csr_matrix) -> None:
    for k, chosen, gains in [(1, [0], [6.0]), (2, [0, 2], [6.0, 6.0]), (3, [0, 2, 1], [6, 6, 1])]:
        for solution in (
            solve_greedy(line, LINE_WEIGHT, k=k),
            solve_greedy(line, LINE_WEIGHT, k=k, swap=False),
            solve_exact(line, LINE_WEIGHT, k=k),
        ):
            if solution.method == "milp" and k == 1:  # c0 and c2 tie: any optimum will do
                assert solution.chosen.tolist() in ([0], [2])
            else:
                assert solution.chosen.tolist() == chosen, (k, solution.method)
            assert solution.chosen.dtype == np.int64 and solution.gains.dtype == np.float64
            assert solution.gains.tolist() == pytest.approx(gains)
            assert solution.objective == pytest.approx(sum(gains))
            assert (solution.base, solution.total) == (0.0, 13.0)


def test_line_served_rows_bring_nothing(line: sparse.csr_matrix) -> None:
    served = np.array([False, False, False, False, True])  # an existing site reaches d4
    for solution in (
        solve_greedy(line, LINE_WEIGHT, k=2, served=served),
        solve_exact(line, LINE_WEIGHT, k=2, served=served),
    ):
        assert solution.chosen.tolist() == [0, 1]  # c2 would add only d3 (1), c1 adds d2 d3
        assert solution.gains.tolist() == pytest.approx([6.0, 2.0])
        assert solution.base == 5.0


def test_line_forbidden_and_fewer_than_k(line: sparse.csr_matrix) -> None:
    forbidden = np.array([True, False, False])
    solution = solve_greedy(line, LINE_WEIGHT, k=3, forbidden=forbidden)
    assert solution.chosen.tolist() == [2, 1]
    assert solution.gains.tolist() == pytest.approx([6.0, 2.0])
    # only d0 has weight: one site helps, asking for three returns one
    only_d0 = np.array([5.0, 0.0, 0.0, 0.0, 0.0])
    for solution in (
        solve_greedy(line, only_d0, k=3),
        solve_exact(line, only_d0, k=3),
    ):
        assert solution.chosen.tolist() == [0] and solution.objective == 5.0
    nothing = solve_greedy(line, np.zeros(5), k=2)
    assert len(nothing.chosen) == 0 and nothing.objective == 0.0


def test_line_capacity_by_hand(line: sparse.csr_matrix) -> None:
    capacity = np.array([4.0, 10.0, 10.0])
    # greedy: c0 could serve min(4, 6) = 4, c2 serves 6: c2 first, then c0 (4) = 10.
    # exact: {c0, c2} serves 4 + 6 = 10; {c1, c2} reaches 8; {c0, c1} 4 + 3 = 7.
    for solution in (
        solve_greedy(line, LINE_WEIGHT, k=2, capacity=capacity),
        solve_exact(line, LINE_WEIGHT, k=2, capacity=capacity),
    ):
        assert solution.chosen.tolist() == [2, 0], solution.method
        assert solution.gains.tolist() == pytest.approx([6.0, 4.0])
    # proportional shares (the earlier evaluation): c0 takes 4 of d0 d1 (6) in
    # proportion, d1 keeps 1/3, so c1 adds 1/3 + 1 and the plan reads 11.33 ...
    proportional = solve_greedy(
        line, LINE_WEIGHT, k=3, capacity=capacity, swap=False, allocation="proportional"
    )
    assert proportional.chosen.tolist() == [2, 0, 1]
    assert proportional.gains.tolist() == pytest.approx([6.0, 4.0, 1.0 / 3.0 + 1.0])
    # ... but the same sites serve 12: c0 takes d0 only, c1 takes d1 and d2
    greedy = solve_greedy(line, LINE_WEIGHT, k=3, capacity=capacity, swap=False)
    assert greedy.chosen.tolist() == [2, 0, 1]
    assert greedy.gains.tolist() == pytest.approx([6.0, 4.0, 2.0])
    exact = solve_exact(line, LINE_WEIGHT, k=3, capacity=capacity)
    assert exact.objective == pytest.approx(12.0) == greedy.objective


@pytest.mark.parametrize("swap", [False, True])
def test_capacitated_sites_are_valued_by_what_they_serve_together(swap: bool) -> None:
    """The issue's case: proportional shares said 16 where the two sites serve 20."""
    cover = sparse.csr_matrix(np.array([[1, 1], [0, 1]]))
    weights, capacity = np.array([10.0, 10.0]), np.array([10.0, 12.0])
    solution = solve_greedy(cover, weights, k=2, capacity=capacity, swap=swap)
    # site 1 (capacity 12) first: it alone serves 12; then site 0 takes row 0's 10,
    # freeing site 1 for row 1's 10: together 20 (site 0: 10, site 1: 10)
    assert solution.chosen.tolist() == [1, 0]
    assert solution.gains.tolist() == pytest.approx([12.0, 8.0])
    assert solution.objective == pytest.approx(20.0)
    assert solution.objective == pytest.approx(
        solve_exact(cover, weights, k=2, capacity=capacity).objective
    )
    old = solve_greedy(cover, weights, k=2, capacity=capacity, swap=swap, allocation="proportional")
    assert old.objective == pytest.approx(16.0)  # the understatement, kept to measure it
    curve = coverage_curve(cover, weights, k_max=2, capacity=capacity, swap=swap)
    assert curve["new"].tolist() == pytest.approx([0.0, 12.0, 20.0])


# ------------------------------------------------------------------------------ brute force


@pytest.mark.parametrize("seed", range(24))
def test_exact_equals_brute_force_and_greedy_is_close(seed: int) -> None:
    cover, weights, served, forbidden = random_instance(seed, 40, 9, 1500.0, 350.0)
    k = 1 + seed % 4
    best = brute_force(cover, weights, k=k, served=served, forbidden=forbidden)
    exact = solve_exact(cover, weights, k=k, served=served, forbidden=forbidden)
    greedy = solve_greedy(cover, weights, k=k, served=served, forbidden=forbidden, swap=False)
    swapped = solve_greedy(cover, weights, k=k, served=served, forbidden=forbidden)
    assert exact.objective == pytest.approx(best, rel=1e-6, abs=1e-9)
    assert exact.optimal is True and exact.bound >= exact.objective
    assert greedy.objective <= best * (1 + 1e-9) + 1e-12
    assert best * 0.99 <= swapped.objective <= best * (1 + 1e-9) + 1e-12
    for solution in (exact, greedy, swapped):
        chosen = solution.chosen.tolist()
        assert len(chosen) <= k and len(set(chosen)) == len(chosen)
        assert not forbidden[chosen].any()
        assert (solution.gains > 0).all()
        assert np.all(np.diff(solution.gains) <= 1e-9)  # uncapacitated: marginal order
        residual = np.where(served, 0.0, weights)
        assert covered_weight(cover, residual, tuple(chosen)) == pytest.approx(solution.objective)


@st.composite
def tiny_instances(
    draw: st.DrawFn,
) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray, int]:
    """Any small coverage pattern, weights with ties and zeros, served and forbidden rows."""
    n, m = draw(st.integers(1, 10)), draw(st.integers(1, 6))
    flags = st.lists(st.booleans(), min_size=m, max_size=m)
    cover = np.array(draw(st.lists(flags, min_size=n, max_size=n)), dtype=bool)
    weight = st.sampled_from([0.0, 0.5, 1.0, 2.0, 7.0])
    weights = np.array(draw(st.lists(weight, min_size=n, max_size=n)))
    served = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    forbidden = np.array(draw(flags), dtype=bool)
    return sparse.csr_matrix(cover), weights, served, forbidden, draw(st.integers(1, m))


@settings(max_examples=60, deadline=None)
@given(tiny_instances())
def test_any_tiny_instance_against_brute_force(
    case: tuple[sparse.csr_matrix, np.ndarray, np.ndarray, np.ndarray, int],
) -> None:
    cover, weights, served, forbidden, k = case
    best = brute_force(cover, weights, k=k, served=served, forbidden=forbidden)
    options = {"k": k, "served": served, "forbidden": forbidden}
    exact = solve_exact(cover, weights, **options)
    greedy = solve_greedy(cover, weights, swap=False, **options)
    swapped = solve_greedy(cover, weights, **options)
    assert exact.objective == pytest.approx(best, abs=1e-9)
    assert greedy.objective <= swapped.objective <= best + 1e-9
    for solution in (exact, greedy, swapped):
        chosen = solution.chosen.tolist()
        assert len(set(chosen)) == len(chosen) <= k and not forbidden[chosen].any()
        assert (solution.gains > 0).all()


def exact_capacitated(
    instance_seed: int, seed: int, *, radius_m: float, min_share: float, max_k: int
) -> tuple[np.ndarray, np.ndarray, int, dict, siting.Solution, float]:
    """A random capacitated instance whose exact solution equals brute force (asserted).

    Returns the cover, the weights, ``k``, the solver options, the exact solution and
    the brute-force optimum.
    """
    cover, weights, served, forbidden = random_instance(instance_seed, 30, 8, 1500.0, radius_m)
    rng = np.random.default_rng(seed)
    capacity = rng.uniform(min_share, 1.5, 8) * weights.sum() / 6
    k = 1 + seed % max_k
    best = brute_force(cover, weights, k=k, served=served, forbidden=forbidden, capacity=capacity)
    options = {"served": served, "forbidden": forbidden, "capacity": capacity}
    exact = solve_exact(cover, weights, k=k, **options)
    assert exact.objective == pytest.approx(best, rel=1e-6, abs=1e-9)
    return cover, weights, k, options, exact, best


@pytest.mark.parametrize("seed", range(10))
def test_capacitated_exact_equals_brute_force_and_greedy_stays_below(seed: int) -> None:
    cover, weights, k, options, exact, best = exact_capacitated(
        100 + seed, seed, radius_m=400.0, min_share=0.0, max_k=3
    )
    served, forbidden, capacity = options["served"], options["forbidden"], options["capacity"]
    residual = np.where(served, 0.0, weights)
    chosen = tuple(exact.chosen.tolist())
    assert allocation_lp(cover, residual, capacity, chosen) == pytest.approx(exact.objective)
    for swap in (False, True):
        greedy = solve_greedy(cover, weights, k=k, swap=swap, **options)
        assert greedy.objective <= best * (1 + 1e-6) + 1e-9
        assert not forbidden[greedy.chosen].any()


@pytest.mark.parametrize("seed", range(30))
def test_capacitated_greedy_reports_what_its_sites_serve_and_matches_brute_force(
    seed: int,
) -> None:
    cover, weights, k, options, _, best = exact_capacitated(
        200 + seed, seed, radius_m=450.0, min_share=0.2, max_k=4
    )
    served, forbidden, capacity = options["served"], options["forbidden"], options["capacity"]
    residual = np.where(served, 0.0, weights)
    for swap in (False, True):
        solution = solve_greedy(cover, weights, k=k, swap=swap, **options)
        chosen = tuple(solution.chosen.tolist())
        # the reported figure is the optimal assignment of demand to the chosen sites
        assert solution.objective == pytest.approx(
            allocation_lp(cover, residual, capacity, chosen), rel=1e-9, abs=1e-9
        )
        assert solution.gains.sum() == pytest.approx(solution.objective)
        assert (solution.gains > 0).all() and not forbidden[list(chosen)].any()
        assert solution.objective <= best * (1 + 1e-9) + 1e-9
    assert solution.objective >= best * (1 - 1e-6)  # with swaps: the optimum here


@pytest.mark.parametrize("seed", range(12))
def test_assignment_by_cut_equals_the_transportation_lp(seed: int) -> None:
    """The min-cut value (few linked sites) and the LP (many) agree with linprog."""
    rng = np.random.default_rng(seed)
    cover, weights, served, _ = random_instance(300 + seed, 80, 24, 3000.0, 300.0 + 40 * seed)
    capacity = rng.uniform(0.0, 1.5, 24) * weights.sum() / 10
    instance = siting._instance(cover, weights, served, capacity, None)
    residual = np.where(served, 0.0, weights)
    for size in (1, 3, 8, 14, 15, 24):
        sites = sorted(rng.choice(24, size=size, replace=False).tolist())
        value, left = siting._assignment(instance, sites)
        assert value == pytest.approx(allocation_lp(cover, residual, capacity, tuple(sites)))
        assert (left >= -1e-9).all() and (left <= residual + 1e-9).all()


def proportional_allocation(
    cover: sparse.csr_matrix, residual: np.ndarray, capacity: np.ndarray, sites: np.ndarray
) -> list[float]:
    """What each site serves, opened in order, taking proportionally from its rows."""
    left = residual.copy()
    served = []
    dense = cover.toarray()
    for site in sites:
        reach = dense[:, site]
        available = left[reach].sum()
        take = min(capacity[site], available)
        served.append(take)
        if available > 0:
            left[reach] *= 1 - take / available
    return served


def test_capacity_is_respected_at_moderate_size() -> None:
    cover, weights, served, forbidden = random_instance(5, 1500, 120, 4000.0, 500.0)
    rng = np.random.default_rng(5)
    capacity = rng.uniform(0.0, 1.0, 120) * weights.sum() / 30
    solution = solve_greedy(
        cover, weights, k=8, served=served, forbidden=forbidden, capacity=capacity
    )
    residual = np.where(served, 0.0, weights)
    chosen = tuple(solution.chosen.tolist())
    assert solution.objective == pytest.approx(allocation_lp(cover, residual, capacity, chosen))
    assert solution.objective <= capacity[solution.chosen].sum() * (1 + 1e-9)
    assert solution.objective <= covered_weight(cover, residual, chosen) + 1e-9
    # the earlier evaluation (proportional shares) is reproduced, and serves less
    old = solve_greedy(
        cover,
        weights,
        k=8,
        served=served,
        forbidden=forbidden,
        capacity=capacity,
        allocation="proportional",
    )
    recomputed = proportional_allocation(cover, residual, capacity, old.chosen)
    assert old.gains.tolist() == pytest.approx(recomputed)
    assert (old.gains <= capacity[old.chosen] * (1 + 1e-12)).all()
    assert old.objective <= solution.objective * (1 + 1e-9)
    uncapacitated = solve_greedy(cover, weights, k=8, served=served, forbidden=forbidden)
    assert solution.objective < uncapacitated.objective  # capacities bind here


def test_greedy_swap_within_one_percent_of_milp_on_twenty_instances() -> None:
    ratios = []
    for seed in range(20):
        cover, weights, served, forbidden = random_instance(200 + seed, 2000, 200, 5000.0, 500.0)
        options = {"served": served, "forbidden": forbidden}
        exact = solve_exact(cover, weights, k=6, **options)
        greedy = solve_greedy(cover, weights, k=6, swap=False, **options)
        swapped = solve_greedy(cover, weights, k=6, **options)
        assert exact.optimal
        assert exact.bound == pytest.approx(exact.objective, rel=1e-5)
        assert greedy.objective <= swapped.objective <= exact.objective * (1 + 1e-6)
        ratios.append(swapped.objective / exact.objective)
    assert min(ratios) >= 0.99, ratios


def test_coverage_curve_is_monotone_and_consistent() -> None:
    cover, weights, served, forbidden = random_instance(3, 60, 10, 2000.0, 400.0)
    curve = coverage_curve(cover, weights, k_max=5, served=served, forbidden=forbidden)
    assert list(curve.columns) == ["k", "new", "served", "share", "marginal"]
    assert curve["k"].tolist() == [0, 1, 2, 3, 4, 5]
    assert curve.loc[0, ["new", "marginal"]].tolist() == [0.0, 0.0]
    base, total = weights[served].sum(), weights.sum()
    assert curve.loc[0, "served"] == pytest.approx(base)
    assert (np.diff(curve["new"]) >= 0).all()
    assert curve["served"].to_numpy() == pytest.approx(base + curve["new"].to_numpy())
    assert curve["share"].to_numpy() == pytest.approx(curve["served"].to_numpy() / total)
    assert curve["marginal"].to_numpy()[1:] == pytest.approx(np.diff(curve["new"]))
    for k in range(1, 6):
        best = brute_force(cover, weights, k=k, served=served, forbidden=forbidden)
        assert 0.97 * best <= curve.loc[k, "new"] <= best * (1 + 1e-9)


def test_cancel_and_progress() -> None:
    cover, weights, _, _ = random_instance(4, 2000, 200, 5000.0, 500.0)
    with pytest.raises(Cancelled):
        solve_greedy(cover, weights, k=5, should_stop=lambda: True)
    calls = iter(range(10**6))
    with pytest.raises(Cancelled):  # stops later, inside the swap search
        solve_greedy(cover, weights, k=5, should_stop=lambda: next(calls) >= 12)
    seen: list[float] = []
    solve_greedy(cover, weights, k=5, progress=seen.append, should_stop=lambda: False)
    assert len(seen) > 5 and seen[-1] == 1.0
    assert all(0.0 <= a <= b <= 1.0 for a, b in itertools.pairwise(seen))


def test_array_level_errors(line: sparse.csr_matrix) -> None:
    with pytest.raises(ValueError, match="weights"):
        solve_greedy(line, -LINE_WEIGHT, k=1)
    with pytest.raises(ValueError, match="weights"):
        solve_exact(line, LINE_WEIGHT[:3], k=1)
    with pytest.raises(ValueError, match="k = 0"):
        solve_greedy(line, LINE_WEIGHT, k=0)
    with pytest.raises(ValueError, match="capacity"):
        solve_greedy(line, LINE_WEIGHT, k=1, capacity=[1.0, np.nan, 1.0])
    with pytest.raises(ValueError, match="served"):
        solve_greedy(line, LINE_WEIGHT, k=1, served=[0, 1, 0, 0, 0])
    with pytest.raises(ValueError, match="sparse"):
        solve_greedy(line.toarray(), LINE_WEIGHT, k=1)
    with pytest.raises(ValueError, match="time_limit_s"):
        solve_exact(line, LINE_WEIGHT, k=1, time_limit_s=0)
    with pytest.raises(ValueError, match="k_max"):
        coverage_curve(line, LINE_WEIGHT, k_max=0)


# ------------------------------------------------------------------------------ GeoDataFrames


@pytest.fixture
def demand() -> gpd.GeoDataFrame:
    gdf = points(LINE_DEMAND, need=LINE_WEIGHT)
    gdf.index = pd.Index([f"d{i}" for i in range(5)])
    return gdf


@pytest.fixture
def candidates() -> gpd.GeoDataFrame:
    gdf = points(LINE_SITES, name=["west", "middle", "east"], places=[4.0, 10.0, 10.0])
    gdf.index = pd.Index([30, 10, 20])
    return gdf


def test_maximal_coverage_returns_the_chosen_rows(
    demand: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame
) -> None:
    result = maximal_coverage(demand, candidates, k=3, radius_m=100.0, weight_col="need")
    assert isinstance(result, gpd.GeoDataFrame) and result.crs == candidates.crs
    assert result.index.tolist() == [30, 20, 10]
    assert result["name"].tolist() == ["west", "east", "middle"]
    assert result["order"].tolist() == [1, 2, 3]
    assert result["gain"].tolist() == pytest.approx([6.0, 6.0, 1.0])
    assert result["cumulative"].tolist() == pytest.approx([6.0, 12.0, 13.0])
    assert result.geometry.equals(candidates.geometry.loc[[30, 20, 10]])
    info = result.attrs["siting"]
    assert info["objective"] == pytest.approx(13.0)
    assert (info["base"], info["total"], info["k"], info["radius_m"]) == (0.0, 13.0, 3, 100.0)
    assert (info["n_demand"], info["n_candidates"], info["n_forbidden"]) == (5, 3, 0)
    assert (info["method"], info["distance"], info["bound"]) == ("greedy+swap", "straight", None)
    assert set(info) >= {"seconds", "swaps", "optimal"}
    exact = maximal_coverage(
        demand,
        candidates,
        k=2,
        radius_m=100.0,
        weight_col="need",
        capacity_col="places",
        exact=True,
    )
    assert exact.index.tolist() == [20, 30] and exact["gain"].tolist() == pytest.approx([6, 4])
    assert exact.attrs["siting"]["method"] == "milp" and exact.attrs["siting"]["optimal"]


def test_build_problem_once_then_solve_many(
    demand: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame
) -> None:
    existing = points([[400.5, 0.0]])  # reaches d4 only; c2 is on it
    options = {"radius_m": 100.0, "weight_col": "need", "existing": existing}
    problem = build_problem(demand, candidates, capacity_col="places", **options)
    assert problem.matrix.shape == (5, 3) and problem.n_demand == 5
    assert problem.served.tolist() == [False, False, False, False, True]
    assert problem.forbidden.tolist() == [False, False, True]
    assert problem.capacity.tolist() == [4.0, 10.0, 10.0] and problem.distance == "straight"
    for k in (1, 2):
        solution = planning.solve(problem, k=k)  # solve_greedy on the problem's arrays
        frame = chosen_frame(problem, solution, k=k)
        direct = maximal_coverage(demand, candidates, k=k, capacity_col="places", **options)
        assert frame.index.tolist() == direct.index.tolist()
        assert frame["gain"].tolist() == pytest.approx(direct["gain"].tolist())
        expected = {key: v for key, v in direct.attrs["siting"].items() if key != "seconds"}
        assert {key: v for key, v in frame.attrs["siting"].items() if key != "seconds"} == expected
    # c0 serves 4 (of d0 d1's 6), then c1 d1, d2 and d3 while c0 keeps to d0: 4 + 3
    # (proportional shares left d1 a third to c1 and read 4 + 2.33)
    assert frame.index.tolist() == [30, 10]
    assert frame["gain"].tolist() == pytest.approx([4.0, 3.0])
    assert chosen_frame(problem, solution).attrs["siting"]["k"] == 2


def test_existing_sites_are_never_rechosen(demand: gpd.GeoDataFrame) -> None:
    existing = points([[400.3, 0.0]])  # on c2, 0.3 m off
    candidates = points([[0.0, 0.0], [200.0, 0.0], [400.0, 0.0], [400.0, 0.0]])
    for exact in (False, True):
        result = maximal_coverage(
            demand,
            candidates,
            k=3,
            radius_m=100.0,
            weight_col="need",
            existing=existing,
            exact=exact,
        )
        # c2 and its duplicate coincide with the site; the site reaches d4 (not d3, 100.3 m)
        assert result.index.tolist() == [0, 1]
        assert result["gain"].tolist() == pytest.approx([6.0, 2.0])
        info = result.attrs["siting"]
        assert (info["n_forbidden"], info["base"], info["k"]) == (2, 5.0, 3)
    # an empty existing layer is no existing site
    none = maximal_coverage(
        demand, candidates, k=1, radius_m=100.0, weight_col="need", existing=existing.iloc[:0]
    )
    assert none.attrs["siting"]["n_forbidden"] == 0


def test_no_useful_candidate_returns_an_empty_frame(
    demand: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame
) -> None:
    far = candidates.set_geometry(candidates.translate(xoff=10_000))
    result = maximal_coverage(demand, far, k=2, radius_m=100.0, weight_col="need")
    assert len(result) == 0 and result.crs == candidates.crs
    assert {"name", "order", "gain", "cumulative"} <= set(result.columns)
    assert result.attrs["siting"]["objective"] == 0.0


def test_geographic_input_gives_the_projected_result() -> None:
    rng = np.random.default_rng(11)
    demand = points(rng.uniform(0, 3000, (300, 2)), need=rng.lognormal(0, 1, 300))
    candidates = points(rng.uniform(0, 3000, (40, 2)))
    existing = points(rng.uniform(0, 3000, (3, 2)))
    options = {"k": 4, "radius_m": 400.0, "weight_col": "need"}
    projected = maximal_coverage(demand, candidates, existing=existing, **options)
    geographic = maximal_coverage(
        demand.to_crs(4326), candidates.to_crs(4326), existing=existing.to_crs(4326), **options
    )
    assert geographic.crs == "EPSG:4326"
    assert geographic.index.tolist() == projected.index.tolist()
    assert geographic["gain"].to_numpy() == pytest.approx(projected["gain"].to_numpy())
    assert geographic.attrs["siting"]["base"] == pytest.approx(projected.attrs["siting"]["base"])


def test_polygon_cells_are_measured_at_their_centroids(candidates: gpd.GeoDataFrame) -> None:
    cells = gpd.GeoDataFrame(
        {"need": LINE_WEIGHT},
        geometry=[box(X0 + x - 20, Y0 - 20, X0 + x + 20, Y0 + 20) for x in LINE_DEMAND[:, 0]],
        crs=UTM,
    )
    result = maximal_coverage(cells, candidates, k=2, radius_m=100.0, weight_col="need")
    assert result.index.tolist() == [30, 20]


def test_maximal_coverage_on_the_street_network(u_street: net.StreetNetwork) -> None:
    demand = points([[0.0, 0.0], [100.0, 500.0]], need=[10.0, 1.0])
    candidates = points([[100.0, 0.0], [0.0, 500.0]])
    straight = maximal_coverage(demand, candidates, k=1, radius_m=150.0, weight_col="need")
    walking = maximal_coverage(
        demand, candidates, k=1, radius_m=150.0, weight_col="need", network=u_street
    )
    assert straight.index.tolist() == [0] and straight["gain"].tolist() == [10.0]
    # on foot candidate 0 is 1,100 m from the 10-person point; candidate 1 reaches the 1
    assert walking.index.tolist() == [1] and walking["gain"].tolist() == [1.0]
    assert walking.attrs["siting"]["distance"] == "network"


def without_crs(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(frame.drop(columns="geometry"), geometry=list(frame.geometry))


def lines(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    segment = LineString([(X0, Y0), (X0 + 1, Y0)])
    return frame.set_geometry(gpd.GeoSeries([segment] * len(frame), index=frame.index, crs=UTM))


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (lambda d, c: (without_crs(d), c, {}), "no CRS"),
        (lambda d, c: (d.iloc[:0], c, {}), "empty"),
        (lambda d, c: (d, c.iloc[:0], {}), "candidates layer is empty"),
        (lambda d, c: (d, c.to_crs(4326), {}), "crs are different"),
        (lambda d, c: (d, c, {"weight_col": "people"}), "no column 'people'.*need"),
        (lambda d, c: (d.assign(need=-d["need"]), c, {}), "negative"),
        (lambda d, c: (d.assign(need=np.nan), c, {}), "missing or not finite"),
        (lambda d, c: (d, c.assign(places=-1.0), {"capacity_col": "places"}), "negative"),
        (lambda d, c: (d, c, {"capacity_col": "seats"}), "no column 'seats'"),
        (lambda d, c: (d, c, {"k": 0}), "k = 0"),
        (lambda d, c: (d, c, {"k": 2.5}), "whole number"),
        (lambda d, c: (d, c, {"radius_m": 0.0}), "radius_m"),
        (lambda d, c: (d, c, {"radius_m": math.inf}), "radius_m"),
        (lambda d, c: (d, c.assign(order=1), {}), "already has column"),
        (lambda d, c: (d, lines(c), {}), "LineString"),
    ],
)
def test_layer_errors(
    demand: gpd.GeoDataFrame, candidates: gpd.GeoDataFrame, change: object, match: str
) -> None:
    d, c, options = change(demand, candidates)  # type: ignore[operator]
    arguments = {"k": 1, "radius_m": 100.0, "weight_col": "need", **options}
    with pytest.raises(LayerError, match=match):
        maximal_coverage(d, c, **arguments)


# ------------------------------------------------------------------------------ site report

# cover strip of ten 100 m cells (x = 0 .. 1000), reach 150 m. The existing site at x = 50
# reaches cells 0-1. Site s1 (x = 350) reaches cells 2-4; s2 (x = 450) reaches 3-5 but
# only cell 5 is new; s3 is far away. Area 10 holds cells 2-3, area 20 cells 4-9.


def test_site_report_by_hand() -> None:
    cells = gpd.GeoDataFrame(
        {
            "children": [1.0, 1.0, 2.0, 3.0, 5.0, 7.0, 0.0, 0.0, 0.0, 0.0],
            "older": [0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0],
        },
        geometry=[box(X0 + x, Y0, X0 + x + 100, Y0 + 100) for x in range(0, 1000, 100)],
        crs=UTM,
    )
    existing = points([[50.0, 50.0]])
    sites = points([[350.0, 50.0], [450.0, 50.0], [9000.0, 50.0]])
    sites.index = pd.Index(["s1", "s2", "s3"])
    areas = gpd.GeoDataFrame(
        {"rank": [1, 2]},
        geometry=[box(X0 + 200, Y0, X0 + 400, Y0 + 100), box(X0 + 400, Y0, X0 + 1000, Y0 + 100)],
        index=[10, 20],
        crs=UTM,
    )
    report = site_report(
        cells,
        sites,
        radius_m=150.0,
        groups=["children", "older"],
        existing=existing,
        areas=areas,
    )
    assert list(report.columns) == ["children", "older", "area", "area_share"]
    assert report.index.tolist() == ["s1", "s2", "s3"]
    assert report["children"].tolist() == [10.0, 7.0, 0.0]
    assert report["older"].tolist() == [3.0, 1.0, 0.0]
    assert report["area"].tolist() == [10, 20, None]  # s1: 7 people in area 10, 6 in area 20
    assert report["area_share"].tolist() == pytest.approx([7 / 13, 1.0, 0.0])
    # without existing sites s1 also reaches nothing more; without areas no attribution
    bare = site_report(cells, sites, radius_m=150.0, groups=["children"])
    assert bare["children"].tolist() == [10.0, 7.0, 0.0]
    assert bare["area"].isna().all() and (bare["area_share"] == 0.0).all()
    with pytest.raises(LayerError, match="no column 'babies'"):
        site_report(cells, sites, radius_m=150.0, groups=["babies"])
    empty = site_report(cells, sites.iloc[:0], radius_m=150.0, groups=["children"])
    assert len(empty) == 0 and list(empty.columns) == ["children", "area", "area_share"]


# ------------------------------------------------------------------------------ scale, bench


def test_city_scale_is_fast() -> None:
    rng = np.random.default_rng(0)
    centres = (np.arange(200) + 0.5) * 100.0
    gx, gy = np.meshgrid(centres, centres)
    demand_xy = np.column_stack([gx.ravel(), gy.ravel()])
    weights = rng.lognormal(0.0, 1.0, len(demand_xy))
    weights[rng.random(len(weights)) < 0.5] = 0.0
    started = time.perf_counter()
    cover = coverage_matrix(demand_xy, rng.uniform(0, 20_000, (2000, 2)), 800.0)
    built = time.perf_counter() - started
    solution = solve_greedy(cover, weights, k=10)
    started = time.perf_counter()
    curve = coverage_curve(cover, weights, k_max=20)
    curved = time.perf_counter() - started
    # generous limits for a busy machine; bench/bench_siting.py measures them properly
    assert built < 0.5 and solution.seconds < 2.0 and curved < 3.0
    assert curve.loc[10, "new"] == pytest.approx(solution.objective, rel=0.05)


def test_bench_quick_run() -> None:
    done = run_bench("bench_siting.py")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert any(line.startswith("ratio: ours (matrix + greedy+swap) is") for line in lines)
    assert any(line.startswith("gap:") for line in lines)


def test_module_exports_what_it_documents() -> None:
    for name in siting.__all__:
        assert hasattr(siting, name), name
    assert Solution.__dataclass_params__.frozen  # type: ignore[attr-defined]
