"""Key players: the set of k members whose removal most fragments a network (KPP-Neg), or which reaches most of
it (KPP-Pos).

Borgatti, S. P. (2006). Identifying sets of key players in a social network. Computational and Mathematical
Organization Theory 12, 21-34. Measures, on the graph G - S left after removing the set S (n nodes left):

- fragmentation      F  = 1 - sum_k s_k (s_k - 1) / (n (n - 1)), s_k the sizes of the components of G - S:
                          the share of pairs that can no longer reach each other;
- distance fragmentation DF = 1 - 2 sum_{i<j} (1 / d_ij) / (n (n - 1)), 1/d = 0 for pairs that cannot reach
                          each other: how much longer the remaining paths became, as well as which broke;
- reach (KPP-Pos)    DR = sum_{j not in S} (1 / d(S, j)) / (N - k), d(S, j) the distance from the nearest member,
                          on the whole graph of N nodes: 1 when every other node is next to a member.

The set is found exactly (every k-subset of the candidates) when that is at most `exact_max` evaluations, else by
Borgatti's heuristic: greedy sets (the plain one, and ones that begin with each of the best single members)
improved by swapping members with non-members while the measure improves, the best kept.
Patel et al. (2015, Conservation Biology 29(3), 781-790) apply F to wildlife trafficking networks; Haas and
Ferreira (2015, Journal of Applied Ecology) read the removal as a sequence, so the chosen set is reported in the
order that fragments most step by step, with the measure after each step.
"""

from __future__ import annotations

from itertools import combinations
from math import comb

import igraph as ig
import numpy as np

MEASURES = ("fragmentation", "distance_fragmentation", "reach")
# Above the exhaustive range the heuristic looks only at this many candidates, the most central by betweenness:
# an evaluation of fragmentation costs one pass over the graph, of distance fragmentation one breadth-first search
# per node. Reach reuses each candidate's distances, so it looks at all of them.
POOL = {"fragmentation": 200, "distance_fragmentation": 50}
# distance fragmentation searches from one start only, and networks up to this size (about 10 s here at the limit)
DISTANCE_MAX_NODES = 500
# starts of the heuristic: the plain greedy set, and one forced to begin with each of this many best single members
STARTS = 10


def fragmentation(g: ig.Graph, removed=()) -> float:
    """Borgatti's F of g without the vertices `removed`: the share of ordered pairs that cannot reach each other."""
    h = _without(g, removed)
    n = h.vcount()
    if n < 2:
        return 1.0
    sizes = np.asarray(h.connected_components().sizes(), dtype=float)
    return float(1.0 - (sizes * (sizes - 1)).sum() / (n * (n - 1)))


def distance_fragmentation(g: ig.Graph, removed=()) -> float:
    """Borgatti's DF of g without `removed`: 1 minus the mean reciprocal distance over pairs (0 for unreachable)."""
    h = _without(g, removed)
    n = h.vcount()
    if n < 2:
        return 1.0
    d = np.asarray(h.distances(), dtype=float)
    with np.errstate(divide="ignore"):
        inv = np.where(np.isfinite(d) & (d > 0), 1.0 / d, 0.0)
    return float(1.0 - inv.sum() / (n * (n - 1)))


def reach(g: ig.Graph, members) -> float:
    """Borgatti's distance-weighted reach of the set: mean of 1/d(set, j) over the nodes j outside it."""
    members = list(members)
    n = g.vcount()
    if not members or n <= len(members):
        return 0.0
    return float(_reach_from(np.asarray(g.distances(source=members), dtype=float), members, n))


def _reach_from(d: np.ndarray, members: list[int], n: int) -> float:
    nearest = d.min(axis=0)
    nearest[members] = np.inf
    with np.errstate(divide="ignore"):
        inv = np.where(np.isfinite(nearest) & (nearest > 0), 1.0 / nearest, 0.0)
    return inv.sum() / (n - len(members))


def _without(g: ig.Graph, removed) -> ig.Graph:
    removed = list(removed)
    if not removed:
        return g
    h = g.copy()
    h.delete_vertices(removed)
    return h


def _scorer(g: ig.Graph, measure: str):
    """set of vertices -> score, higher is better for every measure."""
    if measure == "fragmentation":
        return lambda s: fragmentation(g, s)
    if measure == "distance_fragmentation":
        return lambda s: distance_fragmentation(g, s)
    if measure == "reach":
        n = g.vcount()
        cache: dict[int, np.ndarray] = {}

        def score(s):
            s = list(s)
            if not s or n <= len(s):
                return 0.0
            missing = [v for v in s if v not in cache]
            if missing:
                for v, row in zip(missing, np.asarray(g.distances(source=missing), dtype=float)):
                    cache[v] = row
            return float(_reach_from(np.vstack([cache[v] for v in s]), s, n))

        return score
    raise ValueError(f"measure must be one of {', '.join(MEASURES)}, got {measure!r}")


def key_players(g: ig.Graph, k: int, measure: str = "fragmentation", candidates=None, exact_max: int = 200_000):
    """The best set of k vertices and how it was found.

    Returns (sequence, baseline, method): `sequence` is [(vertex, score after that step)] in the order that
    improves the measure most at each step, `baseline` the measure of the graph before any step (0 for reach),
    `method` 'exhaustive' or 'greedy+swap'. Candidates default to every vertex; ties go to lower vertex numbers,
    so a graph numbered alike gives the same answer on every run.
    """
    score = _scorer(g, measure)
    cand = sorted(range(g.vcount()) if candidates is None else set(candidates))
    k = min(k, len(cand))
    if k <= 0:
        return [], score(()), "exhaustive"
    cost = 1 if measure == "fragmentation" else max(g.vcount(), 1)
    if comb(len(cand), k) * cost <= exact_max:
        best = max(combinations(cand, k), key=lambda s: (score(s), [-v for v in s]))
        method = "exhaustive"
    else:
        pool = cand
        if len(cand) > POOL.get(measure, len(cand)):
            bet = g.betweenness()
            pool = sorted(sorted(cand, key=lambda v: (-bet[v], v))[: POOL[measure]])
        if measure == "distance_fragmentation" and g.vcount() > DISTANCE_MAX_NODES:
            raise ValueError(
                f"distance fragmentation of {g.vcount():,} nodes is beyond the search here "
                f"(at most {DISTANCE_MAX_NODES} outside the exhaustive range): choose one network, or fragmentation"
            )
        best = _search(score, pool, k, 0 if measure == "distance_fragmentation" else STARTS)
        method = "greedy+swap" if pool is cand else f"greedy+swap (top {len(pool)} by betweenness)"
    return _sequence(score, best), score(()), method


def _search(score, pool: list[int], k: int, starts: int = STARTS) -> list[int]:
    """Borgatti's heuristic from several starts: the greedy set, and greedy sets forced to begin with each of the
    best single members; each improved by swaps, the best result kept."""
    singles = sorted(pool, key=lambda v: (-score([v]), v))[:starts]
    found = [_swap(score, _greedy(score, pool, k, first), pool) for first in [[], *([v] for v in singles)]]
    return max(found, key=lambda s: (score(s), sorted(-v for v in s)))


def _greedy(score, pool: list[int], k: int, first: list[int] = ()) -> list[int]:
    chosen: list[int] = list(first)[:k]
    for _ in range(k - len(chosen)):
        rest = [v for v in pool if v not in chosen]
        chosen.append(max(rest, key=lambda v: (score([*chosen, v]), -v)))
    return chosen


def _swap(score, chosen: list[int], pool: list[int], passes: int = 10) -> list[int]:
    """Borgatti's optimisation: swap a member for a non-member while that improves the measure (best swap first)."""
    current = score(chosen)
    for _ in range(passes):
        best_gain, best_set = 0.0, None
        for i in range(len(chosen)):
            for v in pool:
                if v in chosen:
                    continue
                trial = [*chosen[:i], v, *chosen[i + 1 :]]
                gain = score(trial) - current
                if gain > best_gain + 1e-12:
                    best_gain, best_set = gain, trial
        if best_set is None:
            break
        chosen, current = best_set, current + best_gain
    return chosen


def _sequence(score, members) -> list[tuple[int, float]]:
    """The set's members in the order that scores best at each step, with the score after each."""
    rest, done, out = sorted(members), [], []
    while rest:
        v = max(rest, key=lambda u: (score([*done, u]), -u))
        rest.remove(v)
        done.append(v)
        out.append((v, score(done)))
    return out
