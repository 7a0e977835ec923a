"""What a chart, an export or a package is drawn from: the network around an entity, a query's result, or all."""
from __future__ import annotations

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.querylib import QueryResult, execute, load_query, subgraph_of
from linkgraph.subgraph import Subgraph


def find_entity(store, name_or_id: str) -> str:
    """The id of the entity named `name_or_id`: an exact id, else the single best caption match."""
    hits = execute("entity", store, text=name_or_id, limit=10).frame
    if not len(hits):
        raise LinkgraphError(f"no entity matches {name_or_id!r} (try `linkgraph query entity --param text=...`)")
    exact = hits[(hits["id"] == name_or_id) | (hits["caption"].str.casefold() == name_or_id.casefold())]
    if len(exact) == 1:
        return exact["id"].iloc[0]
    if len(hits) == 1:
        return hits["id"].iloc[0]
    shown = "; ".join(f"{r.id} ({r.caption})" for r in hits.head(5).itertuples())
    raise LinkgraphError(f"{name_or_id!r} matches {len(hits)} entities, give an id: {shown}")


def whole_graph(store) -> QueryResult:
    """Every node and link id in the store."""
    nodes = [store.query(f"MATCH (n:{t}) RETURN n.id AS id")["id"] for t in store.schema.entities]
    links = [store.query(f"MATCH ()-[r:{t}]->() RETURN r.id AS id")["id"] for t in store.schema.links]
    ids = lambda parts: [x for p in parts for x in p.tolist()]  # noqa: E731
    return QueryResult(frame=pd.DataFrame(), node_ids=ids(nodes), link_ids=ids(links))


def select(store, *, around: str | None = None, hops: int = 2, query: str | None = None,
           params: dict | None = None, queries=None, title: str | None = None) -> Subgraph:
    """The subgraph to draw: `around` an entity (name or id) to `hops`, a library `query`, or the whole graph."""
    if around and query:
        raise LinkgraphError("choose one selection: --around or --query, not both")
    if around:
        entity = find_entity(store, around)
        res = execute("network", store, queries, id=entity, hops=hops, **(params or {}))
        sub = subgraph_of(store, res, title=title or f"Network around {around} ({hops} hops)")
    elif query:
        q = load_query(query, queries)
        res = execute(query, store, queries, **(params or {}))
        if not res.node_ids:
            raise LinkgraphError(f"query {query} returned no entities to draw")
        sub = subgraph_of(store, res, title=title or q.title or query)
    else:
        sub = subgraph_of(store, whole_graph(store), title=title or "Whole graph")
    return sub


def parse_params(pairs: list[str] | None) -> dict:
    """`k=v` strings from the command line into a dict (values are typed later by the query's declaration)."""
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise LinkgraphError(f"--param {pair!r} is not of the form name=value")
        k, v = pair.split("=", 1)
        out[k.strip()] = v
    return out
