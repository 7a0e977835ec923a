"""Degree, closeness, eigenvector and PageRank centralities, in igraph or GDS on the same scales.

References
----------
Freeman, L. C. (1978). Centrality in social networks: conceptual clarification. Social Networks 1(3), 215-239.
Wasserman, S., & Faust, K. (1994). Social Network Analysis: Methods and Applications. Cambridge University Press
(closeness within each component of a disconnected graph).
Bonacich, P. (1972). Factoring and weighting approaches to status scores and clique identification. Journal of
Mathematical Sociology 2(1), 113-120 (eigenvector).
Brin, S., & Page, L. (1998). The anatomy of a large-scale hypertextual Web search engine. Computer Networks and
ISDN Systems 30(1-7), 107-117 (PageRank).
"""

from __future__ import annotations

from collections import Counter

import igraph as ig
import numpy as np
import pandas as pd

from linkgraph.querylib.analytics.gds import _gds_run, _use_gds
from linkgraph.querylib.analytics.projection import Projection, _edges, _label, _only_types, _top
from linkgraph.querylib.registry import runner


def centralities(g: ig.Graph) -> pd.DataFrame:
    """degree, closeness (Wasserman-Faust, as networkx), eigenvector (max 1), PageRank (0.85)."""
    n = g.vcount()
    if n == 0:
        return pd.DataFrame(columns=["degree", "closeness", "eigenvector", "pagerank"])
    comp = g.connected_components().membership
    csize = Counter(comp)
    close = np.nan_to_num(np.asarray(g.closeness(normalized=True), dtype=float))
    reach = np.array([csize[c] for c in comp], dtype=float)
    close = close * (reach - 1) / (n - 1) if n > 1 else close * 0
    try:
        eig = np.asarray(g.eigenvector_centrality(scale=True), dtype=float)
    except Exception:  # igraph refuses graphs without edges
        eig = np.zeros(n)
    return pd.DataFrame(
        {
            "degree": g.degree(),
            "closeness": close,
            "eigenvector": eig,
            "pagerank": np.asarray(g.pagerank(damping=0.85), dtype=float),
        }
    )


# GDS's iterative measures stop at a tolerance: set far below what igraph's exact solvers (ARPACK, PRPACK) leave,
# so that both agree to ~1e-10
_LINK = {"relationshipTypes": ["LINK"]}
_GDS_CENTRALITIES = {
    "degree": ("degree", _LINK),
    "closeness": ("closeness", {**_LINK, "useWassermanFaust": True}),
    # on LINK and SELF (A + I, see centrality.gds.cypher): same eigenvector, and power iteration converges
    "eigenvector": ("eigenvector", {"maxIterations": 10_000, "tolerance": 1e-12}),
    "pagerank": ("pageRank", {**_LINK, "dampingFactor": 0.85, "maxIterations": 1_000, "tolerance": 1e-12}),
}


def _gds_centralities(ctx) -> pd.DataFrame:
    """centralities() in GDS: the same scales (eigenvector max 1, PageRank summing to 1 as igraph's does)."""
    frame, _ = _gds_run(ctx, _GDS_CENTRALITIES)
    if not len(frame):
        return pd.DataFrame(columns=["degree", "closeness", "eigenvector", "pagerank"])
    frame["degree"] = frame["degree"].round().astype("int64")
    top = frame["eigenvector"].max()
    frame["eigenvector"] = frame["eigenvector"] / top if top > 0 else 0.0
    frame["pagerank"] = frame["pagerank"] / frame["pagerank"].sum()
    return frame.astype({"closeness": float, "eigenvector": float, "pagerank": float})


@runner("centrality", {"top", "types"})
def centrality(ctx):
    if _use_gds(ctx):
        df = _gds_centralities(ctx)
        df.insert(0, "id", df.index.tolist())
        df, method = df.reset_index(drop=True), "exact (gds)"
    else:
        proj = Projection(_edges(ctx))
        df, method = centralities(proj.graph), "exact"
        df.insert(0, "id", proj.ids)
    # order on PageRank to 12 places: the two paths differ in the last bits, and equal scores then tie by name
    df["_pr"] = df["pagerank"].astype(float).round(12)
    df = df.sort_values(["_pr", "id"], ascending=[False, True], kind="stable")
    want = ctx.params["top"] if ctx.params["top"] and not ctx.params["types"] else 0
    df = _only_types(ctx, _label(ctx, _top(df, want)))
    df = _top(df.sort_values(["_pr", "name", "id"], ascending=[False, True, True], kind="stable"), ctx.params["top"])
    df["method"] = method
    return df[["id", "name", "type", "degree", "closeness", "eigenvector", "pagerank", "method"]]
