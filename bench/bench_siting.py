"""Benchmark maximal covering location: geo.siting (greedy + swaps, HiGHS MILP) vs spopt MCLP.

A Bogotá-scale synthetic instance: demand at the centres of a 200 x 200 grid of 100 m
cells (40,000 cells, 20 km x 20 km in UTM 18N) with lognormal weights modulated by a
few Gaussian clusters, a third of the cells empty (weight 0); 2,000 candidate sites and
20 existing sites at random; choose k = 10 new sites, reach 800 m.

Measured in one run on that instance:

* ``coverage_matrix`` (KD-tree pairs -> sparse boolean matrix);
* ``solve_greedy(swap=False)`` and ``solve_greedy`` (greedy + swap search);
* ``solve_exact`` (the MILP, HiGHS through scipy), its optimality flag, and the gaps of
  both heuristics to it;
* ``coverage_curve`` for k = 0 .. 2k (goal < 1 s);
* the suggestion time a user waits for: matrix + greedy + swaps (goal < 0.5 s);
* with capacities: the gap of greedy + swaps to the exact optimum (``solve_exact``)
  before (``allocation="proportional"``: proportional shares, the earlier evaluation)
  and after (sets valued by optimal assignment, the default), on random small
  instances and on city-like ones (the generator below at 60 x 60 cells, 300
  candidates, k = 10, capacities binding), and the capacitated suggestion's time on
  the main instance.

Peer: spopt ``MCLP.from_cost_matrix(cost, weights, service_radius, p_facilities,
predefined_facilities_arr=...)`` solved with PuLP's bundled CBC, with the existing
sites appended to the candidate columns as predefined facilities and
``p_facilities = k + n_existing``. spopt builds its PuLP model over the dense
``n_demand x n_sites`` matrix (about 100 s for 20,000 x 1,010 here), so by default the
comparison runs on a half-size instance from the same generator (a 100 x 200 grid,
20,000 cells, 1,000 candidates, 10 existing sites); ``--peer-full`` runs it at full
size (several minutes). Our side of the ratio is matrix + greedy + swaps; spopt's is
model build + CBC; the dense cost matrix spopt needs (``scipy.spatial.distance.cdist``)
is timed and printed separately. Both objectives are "weight newly covered"; spopt's
optimum must equal our MILP's on the same instance, or the script fails.

Usage: ``python bench/bench_siting.py [--quick] [--seed N] [--peer-full] ...``
(``--quick``: a 40 x 40 grid, 200 candidates, seconds; used by the tests as a smoke test).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

from scipy import sparse  # noqa: E402

from bench._timing import best_of  # noqa: E402
from geo.siting import (  # noqa: E402
    ArrayProblem,
    coverage_curve,
    coverage_matrix,
    solve_exact,
    solve_greedy,
)

CAPACITY_SHARE = 0.3
"""City-like capacities: uniform 0.5-1.5 x this share of the 90th percentile of the
weight within reach of a candidate, so they bind."""

X0, Y0 = 590_000.0, 500_000.0
CELL_M = 100.0
GOAL_S = 0.5
REPEATS = 3


@dataclass(frozen=True)
class Instance:
    """Demand cell centres and weights, candidate and existing sites (metres)."""

    demand_xy: np.ndarray
    weights: np.ndarray
    candidate_xy: np.ndarray
    existing_xy: np.ndarray

    def label(self) -> str:
        return f"{len(self.demand_xy):,} x {len(self.candidate_xy):,}"


def instance(rows: int, cols: int, n_candidates: int, n_existing: int, seed: int) -> Instance:
    """Clustered demand on a ``rows x cols`` grid of 100 m cells, random sites (deterministic).

    Weights: lognormal noise times a sum of five Gaussian bumps (sd 1/8 of the grid's
    longer side) plus a thin background, a third of the cells set to 0.
    """
    rng = np.random.default_rng(seed)
    width, height = cols * CELL_M, rows * CELL_M
    gx, gy = np.meshgrid((np.arange(cols) + 0.5) * CELL_M, (np.arange(rows) + 0.5) * CELL_M)
    xy = np.column_stack([gx.ravel(), gy.ravel()])
    centres = rng.uniform([0.1 * width, 0.1 * height], [0.9 * width, 0.9 * height], (5, 2))
    spread = max(width, height) / 8
    bumps = sum(np.exp(-((xy - c) ** 2).sum(axis=1) / (2 * spread**2)) for c in centres)
    weights = rng.lognormal(1.0, 1.0, len(xy)) * (bumps + 0.05)
    weights[rng.random(len(xy)) < 1 / 3] = 0.0
    corner = np.array([X0, Y0])
    return Instance(
        demand_xy=xy + corner,
        weights=weights,
        candidate_xy=rng.uniform([0, 0], [width, height], (n_candidates, 2)) + corner,
        existing_xy=rng.uniform([0, 0], [width, height], (n_existing, 2)) + corner,
    )


def suggest(data: Instance, k: int, radius_m: float) -> tuple[Any, sparse.csr_matrix, np.ndarray]:
    """What a user waits for: both coverage matrices, then greedy + swaps."""
    cover = coverage_matrix(data.demand_xy, data.candidate_xy, radius_m)
    served = np.diff(coverage_matrix(data.demand_xy, data.existing_xy, radius_m).indptr) > 0
    return solve_greedy(ArrayProblem(cover, data.weights, served=served), k=k), cover, served


def newly_covered(
    cover: sparse.csr_matrix, weights: np.ndarray, served: np.ndarray, sites: list[int]
) -> float:
    """Weight of the rows not already served that some of ``sites`` reaches."""
    reached = np.asarray(cover[:, list(sites)].sum(axis=1)).ravel() > 0
    return float(weights[reached & ~served].sum())


def capacities(cover: sparse.csr_matrix, residual: np.ndarray, seed: int) -> np.ndarray:
    """City-like capacities that bind (see :data:`CAPACITY_SHARE`), deterministic."""
    reach = cover.T @ residual
    rng = np.random.default_rng(seed)
    scale = CAPACITY_SHARE * float(np.quantile(reach, 0.9))
    return rng.uniform(0.5, 1.5, cover.shape[1]) * scale


def random_small(seed: int) -> tuple[sparse.csr_matrix, np.ndarray, np.ndarray, int]:
    """30 demand points, 8 candidates in 1.5 km, reach 450 m, capacities, k = 1-4."""
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 1500, (30, 2))
    sites = rng.uniform(0, 1500, (8, 2))
    weights = rng.lognormal(1.0, 1.0, 30)
    weights[rng.random(30) < 0.2] = 0.0
    capacity = rng.uniform(0.2, 1.5, 8) * weights.sum() / 6
    return coverage_matrix(demand, sites, 450.0), weights, capacity, 1 + seed % 4


def gap_line(label: str, gaps: list[float]) -> str:
    """'short in x% of cases, mean y%, worst z%' for gaps to the optimum (fractions)."""
    values = np.asarray(gaps)
    short = float(np.mean(values > 1e-6)) if len(values) else 0.0
    return (
        f"{label}: short of the optimum in {short:.0%} of {len(values)} cases, mean gap "
        f"{100 * values.mean():.2f}%, worst {100 * values.max():.2f}%"
    )


def capacitated_gaps(n_random: int, city_side: int, n_city: int, time_limit_s: float) -> None:
    """Print the capacitated gaps to the exact optimum, before and after, and times."""
    before: list[float] = []
    after: list[float] = []
    seconds = [0.0, 0.0]
    for seed in range(n_random):
        cover, weights, capacity, k = random_small(seed)
        problem = ArrayProblem(cover, weights, capacity=capacity)
        best = solve_exact(problem, k=k, time_limit_s=time_limit_s)
        if not best.optimal or best.objective <= 0:
            continue
        for slot, (gaps, allocation) in enumerate(((before, "proportional"), (after, "optimal"))):
            start = time.perf_counter()
            found = solve_greedy(problem, k=k, allocation=allocation)
            seconds[slot] += time.perf_counter() - start
            gaps.append(1 - found.objective / best.objective)
    print(f"capacitated, random small (30 x 8, k=1-4, {len(after)} cases solved to optimality):")
    print(f"  {gap_line('before (proportional shares)', before)}, {seconds[0]:.2f} s in all")
    print(f"  {gap_line('after (optimal assignment)', after)}, {seconds[1]:.2f} s in all")
    before, after = [], []
    times: list[tuple[float, float, float]] = []
    for seed in range(n_city):
        data = instance(city_side, city_side, 300, 4, seed)
        cover = coverage_matrix(data.demand_xy, data.candidate_xy, 800.0)
        served = np.diff(coverage_matrix(data.demand_xy, data.existing_xy, 800.0).indptr) > 0
        capacity = capacities(cover, np.where(served, 0.0, data.weights), seed)
        problem = ArrayProblem(cover, data.weights, served=served, capacity=capacity)
        best = solve_exact(problem, k=10, time_limit_s=time_limit_s)
        if not best.optimal:
            print(f"  city-like seed {seed}: HiGHS not optimal within {time_limit_s:g} s; skipped")
            continue
        old = solve_greedy(problem, k=10, allocation="proportional")
        new = solve_greedy(problem, k=10)
        before.append(1 - old.objective / best.objective)
        after.append(1 - new.objective / best.objective)
        times.append((old.seconds, new.seconds, best.seconds))
    if not after:
        return
    label = f"{city_side * city_side:,} x 300, k=10, capacities x{CAPACITY_SHARE:g}"
    print(f"capacitated, city-like ({label}, {len(after)} instances):")
    print(f"  {gap_line('before (proportional shares)', before)}")
    print(f"  {gap_line('after (optimal assignment)', after)}")
    old_s, new_s, exact_s = np.asarray(times).T
    print(
        f"  time per instance: before {old_s.mean():.2f} s (max {old_s.max():.2f}), after "
        f"{new_s.mean():.2f} s (max {new_s.max():.2f}), HiGHS {exact_s.mean():.1f} s"
    )


def run_spopt(data: Instance, k: int, radius_m: float) -> dict[str, Any]:
    """Spopt MCLP on the dense cost matrix, existing sites as predefined facilities."""
    import pulp
    from scipy.spatial.distance import cdist
    from spopt.locate import MCLP

    sites = np.vstack([data.candidate_xy, data.existing_xy])
    predefined = np.zeros(len(sites), dtype=int)
    predefined[len(data.candidate_xy) :] = 1
    start = time.perf_counter()
    cost = cdist(data.demand_xy, sites)
    t_cost = time.perf_counter() - start
    start = time.perf_counter()
    model = MCLP.from_cost_matrix(
        cost,
        data.weights,
        service_radius=radius_m,
        p_facilities=k + len(data.existing_xy),
        predefined_facilities_arr=predefined,
    )
    t_build = time.perf_counter() - start
    start = time.perf_counter()
    model.solve(pulp.PULP_CBC_CMD(msg=False))
    t_solve = time.perf_counter() - start
    opened = [j for j, var in enumerate(model.fac_vars) if var.value() > 0.5]
    chosen = [j for j in opened if j < len(data.candidate_xy)]
    return {"cost": t_cost, "build": t_build, "solve": t_solve, "chosen": chosen}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small instance (seconds)")
    parser.add_argument("--side", type=int, default=200, help="grid cells per side (200)")
    parser.add_argument("--candidates", type=int, default=2000, help="candidate sites (2000)")
    parser.add_argument("--existing", type=int, default=20, help="existing sites (20)")
    parser.add_argument("--k", type=int, default=10, help="new sites to choose (10)")
    parser.add_argument("--radius", type=float, default=800.0, help="reach in metres (800)")
    parser.add_argument("--seed", type=int, default=2024, help="instance seed (2024)")
    parser.add_argument("--time-limit", type=float, default=120.0, help="HiGHS seconds (120)")
    parser.add_argument("--peer-full", action="store_true", help="run spopt at full size")
    parser.add_argument(
        "--capacity-cases", type=int, default=100, help="random small capacitated cases (100)"
    )
    parser.add_argument("--city-cases", type=int, default=5, help="city-like capacitated (5)")
    args = parser.parse_args(argv)
    if args.quick:
        args.side, args.candidates, args.existing, args.k = 40, 200, 4, 5
        args.capacity_cases, args.city_cases = 10, 0

    from importlib.metadata import version

    data = instance(args.side, args.side, args.candidates, args.existing, args.seed)
    k, radius = args.k, args.radius
    empty = float(np.mean(data.weights == 0))
    print(
        f"instance: {data.label()} ({args.side} x {args.side} cells of {CELL_M:g} m, "
        f"{empty:.0%} with weight 0), {args.existing} existing sites, k={k}, radius "
        f"{radius:g} m, seed {args.seed}, {os.cpu_count()} cores, spopt {version('spopt')}, "
        f"pulp {version('pulp')}"
    )

    t_matrix, cover = best_of(
        REPEATS, lambda: coverage_matrix(data.demand_xy, data.candidate_xy, radius)
    )
    served = np.diff(coverage_matrix(data.demand_xy, data.existing_xy, radius).indptr) > 0
    base, total = float(data.weights[served].sum()), float(data.weights.sum())
    print(
        f"coverage matrix: {t_matrix:.4f} s (best of {REPEATS}), {cover.nnz:,} pairs within "
        f"{radius:g} m; existing sites already serve {base:,.1f} of {total:,.1f} weight"
    )
    problem = ArrayProblem(cover, data.weights, served=served)
    t_greedy, greedy = best_of(REPEATS, lambda: solve_greedy(problem, k=k, swap=False))
    t_swap, swapped = best_of(REPEATS, lambda: solve_greedy(problem, k=k))
    print(f"greedy: {t_greedy:.4f} s, objective {greedy.objective:,.1f}")
    print(
        f"greedy+swap: {t_swap:.4f} s, objective {swapped.objective:,.1f} "
        f"({swapped.swaps} of the greedy's {len(greedy.chosen)} sites exchanged)"
    )
    exact = solve_exact(problem, k=k, time_limit_s=args.time_limit)
    print(
        f"exact (solve_exact, HiGHS): {exact.seconds:.2f} s, objective {exact.objective:,.1f}, "
        f"optimal {exact.optimal}, bound {exact.bound:,.1f}"
    )
    gap_greedy = 100 * (1 - greedy.objective / exact.objective)
    gap_swap = 100 * (1 - swapped.objective / exact.objective)
    print(f"gaps vs exact: greedy {gap_greedy:.2f}%, greedy+swap {gap_swap:.2f}%")
    k_max = 2 * k
    t_curve, curve = best_of(REPEATS, lambda: coverage_curve(problem, k_max=k_max))
    print(
        f"coverage_curve k=0..{k_max}: {t_curve:.3f} s (best of {REPEATS}; goal < 1 s "
        f"{'met' if t_curve < 1 else 'MISSED'}), share served {curve['share'].iloc[0]:.1%} "
        f"-> {curve['share'].iloc[k]:.1%} (k={k}) -> {curve['share'].iloc[-1]:.1%}"
    )
    t_suggest, _ = best_of(REPEATS, lambda: suggest(data, k, radius))
    fast = t_suggest < GOAL_S
    print(
        f"suggestion (both matrices + greedy+swap): {t_suggest:.3f} s (best of {REPEATS}; "
        f"goal < {GOAL_S} s {'met' if fast else 'MISSED'})"
    )

    residual = np.where(served, 0.0, data.weights)
    capacity = capacities(cover, residual, args.seed)
    capacitated_problem = ArrayProblem(cover, data.weights, served=served, capacity=capacity)
    t_capacitated, capacitated = best_of(REPEATS, lambda: solve_greedy(capacitated_problem, k=k))
    print(
        f"capacitated greedy+swap on {data.label()}, k={k}: {t_capacitated:.3f} s (best of "
        f"{REPEATS}), objective {capacitated.objective:,.1f} (optimal assignment of its sites)"
    )
    capacitated_gaps(
        args.capacity_cases,
        60,
        args.city_cases,
        args.time_limit,
    )

    peer = data
    if not args.peer_full:
        rows = max(args.side // 2, 1)
        peer = instance(rows, args.side, args.candidates // 2, args.existing // 2, args.seed)
    t_ours, (ours, peer_cover, peer_served) = best_of(REPEATS, lambda: suggest(peer, k, radius))
    theirs = run_spopt(peer, k, radius)
    spopt_objective = newly_covered(peer_cover, peer.weights, peer_served, theirs["chosen"])
    peer_exact = solve_exact(
        ArrayProblem(peer_cover, peer.weights, served=peer_served),
        k=k,
        time_limit_s=args.time_limit,
    )
    assert abs(spopt_objective - peer_exact.objective) <= 1e-6 * peer_exact.objective, (
        f"spopt {spopt_objective} vs our MILP {peer_exact.objective}"
    )
    t_theirs = theirs["build"] + theirs["solve"]
    speedup = t_theirs / t_ours
    peer_gap = 100 * (1 - ours.objective / spopt_objective)
    print(
        f"peer instance: {peer.label()} (+{len(peer.existing_xy)} existing as predefined "
        f"facilities), k={k}"
    )
    print(f"spopt dense cost matrix (cdist, not in the ratio): {theirs['cost']:.2f} s")
    print(
        f"spopt MCLP.from_cost_matrix: {theirs['build']:.1f} s, solve (CBC): "
        f"{theirs['solve']:.1f} s, objective {spopt_objective:,.1f} (our MILP: "
        f"{peer_exact.objective:,.1f}, same)"
    )
    print(
        f"ours matrix + greedy+swap: {t_ours:.3f} s (best of {REPEATS}), objective "
        f"{ours.objective:,.1f} ({peer_gap:.2f}% below spopt's optimum)"
    )
    goals = [
        f">= 100 x faster {'met' if speedup >= 100 else 'MISSED'}",
        f"greedy+swap within 1% of exact {'met' if gap_swap <= 1 else 'MISSED'}",
        f"suggestion < {GOAL_S} s {'met' if fast else 'MISSED'}",
    ]
    print(f"goals: {'; '.join(goals)}")
    print(
        f"gap: greedy+swap {gap_swap:.2f}% (greedy {gap_greedy:.2f}%) below the HiGHS optimum "
        f"on {data.label()}; {peer_gap:.2f}% below spopt's on {peer.label()}"
    )
    print(
        f"ratio: ours (matrix + greedy+swap) is {speedup:,.0f} x faster than spopt MCLP "
        f"(build + CBC) on {peer.label()}, k={k}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
