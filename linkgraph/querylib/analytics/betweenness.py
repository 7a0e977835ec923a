"""Betweenness: of nodes (`betweenness`), of links (`link_betweenness`), and its sensitivity to the links'
grades (`grade_brokers`).

Betweenness is exact up to `exact_max` nodes (Brandes' algorithm, in igraph or GDS). Above it, pivots are sampled
(networkx's k-sample estimator, Brandes & Pich 2007): igraph's subset betweenness from k random sources, scaled by
n/k. The `method` column says which: `exact`, `exact (gds)` or `sampled(k=200, seed=42)`. Node scores take
Freeman's normalisation for undirected graphs; link scores are divided by the n(n-1)/2 pairs, as networkx does.

References
----------
Brandes, U. (2001). A faster algorithm for betweenness centrality. Journal of Mathematical Sociology 25(2),
163-177.
Brandes, U., & Pich, C. (2007). Centrality estimation in large networks. International Journal of Bifurcation and
Chaos 17(7), 2303-2318.
Freeman, L. C. (1977). A set of measures of centrality based on betweenness. Sociometry 40(1), 35-41.
Girvan, M., & Newman, M. E. J. (2002). Community structure in social and biological networks. PNAS 99(12),
7821-7826 (link betweenness).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd

from linkgraph.querylib.analytics.gds import _gds_run, _use_gds
from linkgraph.querylib.analytics.projection import (
    SEED,
    Projection,
    _edges,
    _label,
    _meets,
    _only_types,
    _pairs,
    _ranked,
    _top,
)
from linkgraph.querylib.registry import runner


def betweenness_scores(
    g: ig.Graph, exact_max: int = 5_000, samples: int = 200, seed: int = SEED
) -> tuple[np.ndarray, str]:
    """Raw undirected node betweenness (each pair once) and the method used."""
    n = g.vcount()
    if n <= max(exact_max, 2) or samples >= n:
        return np.asarray(g.betweenness(directed=False), dtype=float), "exact"
    rng = np.random.default_rng(seed)
    pivots = sorted(rng.choice(n, size=samples, replace=False).tolist())
    raw = np.asarray(g.betweenness(directed=False, sources=pivots), dtype=float)
    return raw * (n / samples), f"sampled(k={samples}, seed={seed})"


def normalise_betweenness(raw, n: int):
    """Freeman's normalisation for undirected graphs: divide by (n-1)(n-2)/2 pairs."""
    return np.asarray(raw, dtype=float) * (2.0 / ((n - 1) * (n - 2))) if n > 2 else np.zeros(len(raw))


def _gds_betweenness(ctx) -> tuple[pd.DataFrame, int, str] | None:
    """Node betweenness in Neo4j GDS from the query's .gds.cypher projection; None if not applicable."""
    if not _use_gds(ctx):
        return None
    # GDS's sampled estimator (samplingSize) does not scale like the client-side k-sample one (measured 1.3-1.5x
    # higher on a 2,000-node test graph), so above the exact cap both engines use the client sampler. Decide from
    # the store's entity count (free on Neo4j), before projecting: the projection has at most that many nodes.
    total = ctx.helper("_entity_count", {})
    if not len(total) or int(total["n"].iloc[0]) > max(ctx.params["exact_max"], 2):
        return None
    scores, n = _gds_run(ctx, {"raw": ("betweenness", {})})
    df = pd.DataFrame({"id": scores.index.tolist(), "raw": scores["raw"].astype(float).to_numpy()})
    return df, n, "exact (gds)"


@runner("betweenness", {"top", "exact_max", "samples", "types"})
def brokers(ctx):
    """Node betweenness, best first."""
    p = ctx.params
    via_gds = _gds_betweenness(ctx)
    if via_gds is not None:
        df, n, method = via_gds
    else:
        proj = Projection(_pairs(ctx))
        raw, method = betweenness_scores(proj.graph, p["exact_max"], p["samples"])
        df, n = pd.DataFrame({"id": proj.ids, "raw": raw}), proj.n
    df["score"] = normalise_betweenness(df["raw"].to_numpy(), n)
    df["method"] = method
    df["nodes"] = n
    df = df[df["raw"] > 0].reset_index(drop=True) if len(df) else df
    # name the best candidates only: listing every node of a 100k-node graph is not wanted
    df = df.assign(_key=df["score"].round(12)).sort_values(["_key", "id"], ascending=[False, True], kind="stable")
    df = df.drop(columns="_key")
    want = p["top"] if p["top"] and p["top"] > 0 and not p["types"] else None
    head = df.head(want * 3 if want else len(df)).reset_index(drop=True)
    head = _only_types(ctx, _label(ctx, head))
    out = _top(_ranked(head), p["top"])
    return out[["name", "type", "score", "rank", "raw", "method", "nodes", "id"]]


@runner("link_betweenness", {"top", "exact_max", "samples", "types"})
def link_brokers(ctx):
    """Edge betweenness of the simple undirected graph, best first."""
    p = ctx.params
    edges = _edges(ctx)
    proj = Projection(edges)
    g, n = proj.graph, proj.n
    if n <= max(p["exact_max"], 2) or p["samples"] >= n:
        raw, method = np.asarray(g.edge_betweenness(directed=False), dtype=float), "exact"
    else:
        rng = np.random.default_rng(SEED)
        pivots = sorted(rng.choice(n, size=p["samples"], replace=False).tolist())
        raw = np.asarray(g.edge_betweenness(directed=False, sources=pivots), dtype=float) * (n / p["samples"])
        method = f"sampled(k={p['samples']}, seed={SEED})"
    ends = np.array(g.get_edgelist(), dtype=int).reshape(-1, 2)
    src = [proj.ids[a] for a in ends[:, 0]]
    dst = [proj.ids[b] for b in ends[:, 1]]
    # the chart's direction and types of each pair
    pair_types: dict[tuple, set] = {}
    for s, t, lt in zip(edges["source"], edges["target"], edges["link_type"]):
        pair_types.setdefault(tuple(sorted((s, t))), set()).add(lt)
    norm = raw * (2.0 / (n * (n - 1))) if n > 1 else raw
    df = pd.DataFrame({"source": src, "target": dst, "score": norm, "raw": raw})
    df["link_types"] = [",".join(sorted(pair_types.get(tuple(sorted((s, t))), ()))) for s, t in zip(src, dst)]
    df["method"] = method
    df = df.sort_values(["score", "source", "target"], ascending=[False, True, True], kind="stable")
    df = _top(df, p["top"] if not p["types"] else 0)
    df = _label(ctx, df, "source", "source_")
    df = _label(ctx, df, "target", "target_")
    if p["types"]:
        df = df[df["source_type"].isin(p["types"]) | df["target_type"].isin(p["types"])]
        df = _top(df, p["top"])
    df.insert(df.columns.get_loc("score") + 1, "rank", range(1, len(df) + 1))
    return df[["source_name", "target_name", "link_types", "score", "rank", "raw", "method", "source", "target"]]


@runner("grade_brokers", {"min_grade", "top", "exact_max", "samples", "types"})
def grade_brokers(ctx):
    """Betweenness on all links vs on links at or above min_grade."""
    p = ctx.params
    edges = _edges(ctx)
    full = Projection(edges)
    raw_all, method = betweenness_scores(full.graph, p["exact_max"], p["samples"])
    graded_edges = edges[_meets(edges, ctx.raw.get("min_grade") or "B2")] if len(edges) else edges
    graded = Projection(graded_edges)
    raw_g, _ = betweenness_scores(graded.graph, p["exact_max"], p["samples"])
    s_all = pd.Series(normalise_betweenness(raw_all, full.n), index=full.ids)
    # normalised over the full graph's size so that the two scores compare
    s_g = pd.Series(normalise_betweenness(raw_g, full.n), index=graded.ids).reindex(s_all.index, fill_value=0.0)
    df = pd.DataFrame({"id": s_all.index, "score_all": s_all.values, "score_graded": s_g.values})
    df = df[(df["score_all"] > 0) | (df["score_graded"] > 0)]
    df["drop"] = df["score_all"] - df["score_graded"]
    df["rank_all"] = df["score_all"].rank(ascending=False, method="min").astype(int)
    df["rank_graded"] = df["score_graded"].rank(ascending=False, method="min").astype(int)
    df["weak_only"] = (df["score_all"] > 0) & (df["score_graded"] == 0)
    df["method"] = method
    df = df.sort_values(["drop", "score_all", "id"], ascending=[False, False, True], kind="stable")
    want = p["top"] if p["top"] and not p["types"] else 0
    df = _only_types(ctx, _label(ctx, _top(df, want)))
    df = _top(df, p["top"])
    return df[
        ["name", "type", "score_all", "score_graded", "drop", "rank_all", "rank_graded", "weak_only", "method", "id"]
    ]
