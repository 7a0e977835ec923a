"""What a chart, an export or a package is drawn from: the network around an entity, a query's result, or all."""

from __future__ import annotations

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.querylib import QueryResult, execute, load_query, subgraph_of
from linkgraph.resolve.graph import entity_map, records
from linkgraph.store import audit
from linkgraph.subgraph import Subgraph


def find_entities(store, name_or_id: str) -> list[str]:
    """The node ids meant by `name_or_id`: an exact id (a record's id names its entity's node); else every node
    captioned exactly so; else the single partial match; else the nodes of the records written so."""
    held = entity_map(store)
    if name_or_id in held:  # a record that resolution folded into another record's entity node
        return [held[name_or_id]]
    hits = execute("entity", store, text=name_or_id, limit=50).frame
    if not len(hits):
        # a spelling one of an entity's records gave, not the one its node is captioned with
        recs = records(store)
        named = recs.loc[recs["name"].fillna("").str.casefold() == name_or_id.casefold(), "record_id"]
        if len(named):
            return sorted({held.get(r, r) for r in named})
        raise LinkgraphError(f"no entity matches {name_or_id!r} (try `linkgraph query entity --param text=...`)")
    if (hits["id"] == name_or_id).any():
        return [name_or_id]
    exact = hits[hits["caption"].fillna("").str.casefold() == name_or_id.casefold()]
    if len(exact):
        return exact["id"].tolist()
    if len(hits) == 1:
        return hits["id"].tolist()
    shown = "; ".join(f"{r.id} ({r.caption})" for r in hits.head(5).itertuples())
    raise LinkgraphError(f"{name_or_id!r} matches {len(hits)} entities, give an id or a full name: {shown}")


def whole_graph(store) -> QueryResult:
    """Every node and link id in the store."""
    nodes = [store.query(f"MATCH (n:{t}) RETURN n.id AS id")["id"] for t in store.schema.entities]
    links = [store.query(f"MATCH ()-[r:{t}]->() RETURN r.id AS id")["id"] for t in store.schema.links]
    ids = lambda parts: [x for p in parts for x in p.tolist()]
    return QueryResult(frame=pd.DataFrame(), node_ids=ids(nodes), link_ids=ids(links))


def select(
    store,
    *,
    around: str | None = None,
    hops: int = 2,
    query: str | None = None,
    params: dict | None = None,
    queries=None,
    title: str | None = None,
    mark: str | None = None,
    mark_params: dict | None = None,
) -> Subgraph:
    """The subgraph to draw: `around` an entity (name or id) to `hops`, a library `query`, or the whole graph.

    `mark`: a library query (with `mark_params`) whose rows mark their `id` entities (see linkgraph.marks).
    """
    if around and query:
        raise LinkgraphError("choose one selection: --around or --query, not both")
    if around:
        results = [
            execute("network", store, queries, id=i, hops=hops, **(params or {})) for i in find_entities(store, around)
        ]
        res = QueryResult(
            frame=pd.DataFrame(),
            node_ids=list(dict.fromkeys(x for r in results for x in r.node_ids)),
            link_ids=list(dict.fromkeys(x for r in results for x in r.link_ids)),
        )
        sub = subgraph_of(store, res, title=title or f"Network around {around} ({hops} hops)")
    elif query:
        q = load_query(query, queries)
        res = execute(query, store, queries, **(params or {}))
        if not res.node_ids:
            raise LinkgraphError(f"query {query} returned no entities to draw")
        sub = subgraph_of(store, res, title=title or q.title or query)
    else:
        sub = subgraph_of(store, whole_graph(store), title=title or "Whole graph")
    if mark:
        from linkgraph.marks import apply_marks

        sub = apply_marks(store, sub, mark, mark_params, queries)
    return sub


def analyse(store, sub: Subgraph, *, color_by: str | None = None, size_by: str | None = None, queries=None) -> Subgraph:
    """Attach to `sub` the chart's community colours (`color_by="community"`) and betweenness sizes
    (`size_by="betweenness"`) as the library queries give them on the whole store: each node takes the value of
    its resolved entity (records merged by resolution share it) in `linkgraph query communities` (its defaults:
    Leiden, seeded) and `linkgraph query brokers` (normalised, every entity). Sets `sub.analysis`; returns `sub`.
    """
    wanted = {"community": color_by == "community", "size": size_by == "betweenness"}
    if not any(wanted.values()):
        return sub
    m = entity_map(store)
    entity_of = {i: m.get(i, i) for i in sub.nodes["id"].tolist()}
    analysis = dict(sub.analysis)
    if wanted["community"]:
        p = load_query("communities", queries).coerce({})
        df = execute("communities", store, queries).frame
        of = dict(zip(df["id"], df["community"].astype(int).tolist()))
        method = str(df["method"].iloc[0]) if len(df) else p["method"]
        analysis["community"] = {
            "by": f"{method.capitalize()} communities of resolved entities (linkgraph query communities), "
            f"resolution {p['resolution']}",
            "none": f"No community: in one under {p['min_size']} entities, or no social links.",
            "values": {i: of.get(e) for i, e in entity_of.items()},
        }
    if wanted["size"]:
        # top=0: every entity's score, not the best twenty
        df = execute("brokers", store, queries, top=0).frame
        of = dict(zip(df["id"], df["score"].astype(float).tolist()))  # entities it leaves out lie on no shortest path
        method = str(df["method"].iloc[0]) if len(df) else "exact"
        analysis["size"] = {
            "by": f"betweenness of resolved entities (linkgraph query brokers), {method}",
            "values": {i: of.get(e, 0.0) for i, e in entity_of.items()},
        }
    sub.analysis = analysis
    return sub


def record_selection(
    store,
    sub: Subgraph,
    action: str,
    target,
    *,
    around: str | None = None,
    hops: int = 2,
    query: str | None = None,
    mark: str | None = None,
) -> str:
    """Write the audit row for a chart or export (`action`) of `sub` to `target`; returns the row's id.

    A chart or an export leaves the store's access control, so the library writes this row, not the caller.
    """
    what = f"around {around} ({hops} hops)" if around else f"query {query}" if query else "whole graph"
    if mark:
        what += f", marked by {mark}"
    return audit.record(store, action, f"{what}: {len(sub.nodes)} entities, {len(sub.links)} links to {target}")


def parse_params(pairs: list[str] | None, option: str = "--param") -> dict:
    """`k=v` strings from the command line into a dict (values are typed later by the query's declaration)."""
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise LinkgraphError(f"{option} {pair!r} is not of the form name=value")
        k, v = pair.split("=", 1)
        out[k.strip()] = v
    return out
