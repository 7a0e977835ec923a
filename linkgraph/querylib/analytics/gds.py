"""Neo4j Graph Data Science: a query's `.gds.cypher` projection in the GDS catalog, and its algorithms' streams.

On a Neo4j server with Graph Data Science (probed once with `CALL gds.version()`), node betweenness, components,
k-core, centralities and communities run in GDS instead, on the query's `.gds.cypher` projection (Cypher
aggregation: the same simple undirected graph, records merged by resolution collapsed to their entity's
representative through its SAME_AS link), with the same parameters and normalisation, so both paths give the same
results. Each projection lives in the GDS catalog under a fresh name for one query and is dropped afterwards.
Edge betweenness, brokerage and grade sensitivity stay client-side: GDS 2.13 has no procedure for them.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pandas as pd


def _use_gds(ctx) -> bool:
    return bool(ctx.gds and ctx.q.has_gds())


@contextmanager
def _gds_graph(ctx):
    """The query's .gds.cypher projection in the GDS catalog under a fresh name, dropped on the way out.
    Yields (name, node count); name is None when nothing was projected (GDS then creates no graph)."""
    name = f"linkgraph_{uuid.uuid4().hex}"
    try:
        info = ctx.run({**ctx.params, "graph_name": name}, gds=True)
        n = info["nodes"].iloc[0] if len(info) else None
        n = 0 if n is None or pd.isna(n) else int(n)
        yield (name if n else None), n
    finally:
        ctx.store.query("CALL gds.graph.drop($g, false) YIELD graphName RETURN graphName", {"g": name})


# one text per procedure: the algorithm's configuration is a parameter, never part of the text
_STREAMS = {
    "betweenness": "CALL gds.betweenness.stream($g, $config) YIELD nodeId, score AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
    "wcc": "CALL gds.wcc.stream($g, $config) YIELD nodeId, componentId AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
    "kcore": "CALL gds.kcore.stream($g, $config) YIELD nodeId, coreValue AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
    "degree": "CALL gds.degree.stream($g, $config) YIELD nodeId, score AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
    "closeness": "CALL gds.closeness.stream($g, $config) YIELD nodeId, score AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
    "eigenvector": "CALL gds.eigenvector.stream($g, $config) YIELD nodeId, score AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
    "pageRank": "CALL gds.pageRank.stream($g, $config) YIELD nodeId, score AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
    "leiden": "CALL gds.leiden.stream($g, $config) YIELD nodeId, communityId AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
    "louvain": "CALL gds.louvain.stream($g, $config) YIELD nodeId, communityId AS value "
    "RETURN gds.util.asNode(nodeId).id AS id, value",
}


def _gds_run(ctx, algorithms: dict[str, tuple[str, dict]]) -> tuple[pd.DataFrame, int]:
    """Stream each algorithm {column: (procedure, config)} over one projection of the query: a frame of one
    column per algorithm, indexed by entity id (sorted), and the projection's node count."""
    cols: dict[str, pd.Series] = {}
    with _gds_graph(ctx) as (name, n):
        if name:
            for col, (proc, config) in algorithms.items():
                df = ctx.store.query(_STREAMS[proc], {"g": name, "config": config})
                cols[col] = pd.Series(df["value"].to_numpy(), index=df["id"].to_numpy())
    frame = pd.DataFrame(cols) if cols else pd.DataFrame(columns=list(algorithms))
    return frame.sort_index(kind="stable"), n
