"""The Cypher query library: `.cypher` files with a metadata header (see linkgraph.querylib.library for the
format), run on either engine.

execute(name, store, **params) -> QueryResult; query(name, db, **params) -> DataFrame (audited);
to_subgraph(name, db, **params) -> Subgraph; list_queries(); summary(store) for the demo's headline tables.
"""

from __future__ import annotations

import pandas as pd

from linkgraph.errors import LinkgraphError

# the runner modules register their runners on import: linkgraph.querylib imports them once, here
from linkgraph.querylib import analytics, runners  # noqa: F401
from linkgraph.querylib.library import (
    DIALECTS,
    KINDS,
    TYPES,
    Param,
    Query,
    coerce,
    cypher_params,
    library,
    list_queries,
    load_dir,
    load_query,
    parse_file,
    query_dirs,
)
from linkgraph.querylib.registry import get_runner
from linkgraph.querylib.run import Context, QueryResult, has_gds, run_text
from linkgraph.store import audit
from linkgraph.subgraph import Subgraph

__all__ = [
    "DIALECTS",
    "KINDS",
    "TYPES",
    "Context",
    "Param",
    "Query",
    "QueryResult",
    "coerce",
    "cypher_params",
    "execute",
    "has_gds",
    "list_queries",
    "load_dir",
    "load_query",
    "parse_file",
    "query",
    "query_dirs",
    "run_text",
    "subgraph_of",
    "summary",
    "to_subgraph",
]


def execute(name: str, store, extra_dirs=None, **values) -> QueryResult:
    """Run a library query on an open store; the full result (table plus ids for drawing)."""
    q = load_query(name, extra_dirs)
    if store.engine not in q.engines:
        raise LinkgraphError(
            f"query {name} does not run on the {store.engine} engine (engines: {', '.join(q.engines)})"
        )
    params = q.coerce(values)
    ctx = Context(store, q, params, values, extra_dirs)
    if q.runner:
        res = get_runner(q.runner)(ctx)
    else:
        res = QueryResult(ctx.run())
    if not isinstance(res, QueryResult):
        res = QueryResult(res)
    if not res.node_ids and q.kind in ("subgraph", "path", "table") and len(res.frame):
        res.node_ids, res.link_ids = _ids_from_frame(res.frame)
    return res


def _ids_from_frame(df: pd.DataFrame) -> tuple[list[str], list[str]]:
    nodes, links = [], []
    for col in df.columns:
        vals = df[col].tolist()
        if col in ("id", "source", "target", "node_ids") or col.endswith("_id") and not col.startswith("link"):
            for v in vals:
                nodes.extend(v if isinstance(v, list) else [v])
        elif col in ("link_id", "link_ids"):
            for v in vals:
                links.extend(v if isinstance(v, list) else [v])
    clean = lambda xs: list(dict.fromkeys(x for x in xs if isinstance(x, str) and x))
    return clean(nodes), clean(links)


def _with_store(db, fn):
    from linkgraph.store import Store, open_store

    if isinstance(db, Store):
        return fn(db)
    with open_store(db, create=False) as store:
        return fn(store)


def query(name: str, db=None, *, queries=None, **params) -> pd.DataFrame:
    """Run library query NAME on a store (an open Store, a folder, a Neo4j URI, or None for the default).

    The run is written to the store's audit log (query name and parameters)."""

    def go(store):

        frame = execute(name, store, queries, **params).frame
        shown = ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
        audit.record(store, "query", f"{name}({shown}): {len(frame)} rows")
        return frame

    return _with_store(db, go)


def to_subgraph(name: str, db=None, *, queries=None, **params):
    """Run library query NAME and return what it found as a linkgraph.subgraph.Subgraph (nodes, links, path)."""

    def go(store):
        q = load_query(name, queries)
        res = execute(name, store, queries, **params)
        return subgraph_of(store, res, title=q.title or name)

    return _with_store(db, go)


def subgraph_of(store, res: QueryResult, title: str = "linkgraph chart"):
    """Fetch the nodes and links a result names, with their properties and provenance."""
    lib = library()
    nodes = _fetch(store, lib["_nodes"], {"ids": res.node_ids})
    links = _fetch(store, lib["_links"], {"ids": res.link_ids})
    if len(links):
        # a link whose end was not selected still draws: fetch the ends too
        missing = sorted((set(links["source"]) | set(links["target"])) - set(nodes.get("id", [])))
        if missing:
            nodes = pd.concat([nodes, _fetch(store, lib["_nodes"], {"ids": missing})], ignore_index=True)
    nodes = store.fill_provenance(_expand_props(nodes), "node")  # the records are the ledger's
    links = store.fill_provenance(_expand_props(links), "link")
    return Subgraph(nodes=nodes, links=links, title=title, path=list(res.path))


def _expand_props(df: pd.DataFrame) -> pd.DataFrame:
    """The `props` map (Neo4j properties(), LadybugDB node struct) as columns; engine internals (_ID ...) dropped."""
    if "props" not in df.columns:
        return df
    extra: dict[str, list] = {}
    rows = df["props"].tolist()
    keys = [k for r in rows if isinstance(r, dict) for k in r if not str(k).startswith("_") and k not in df.columns]
    for k in dict.fromkeys(keys):
        vals = [r.get(k) if isinstance(r, dict) else None for r in rows]
        extra[k] = [list(v) if hasattr(v, "tolist") and not isinstance(v, str) else v for v in vals]
    out = df.drop(columns=["props"])
    return pd.concat([out, pd.DataFrame(extra, index=out.index)], axis=1) if extra else out


def _fetch(store, q: Query, params: dict) -> pd.DataFrame:
    if not params["ids"]:
        return pd.DataFrame(columns=q.returns)
    parts = []
    ids = params["ids"]
    for i in range(0, len(ids), 5000):
        parts.append(run_text(store, q, q.text(store.dialect), {"ids": ids[i : i + 5000]}))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=q.returns)


# --- for `linkgraph demo` and reports -----------------------------------------------------------------------------
def summary(store, top: int = 10) -> dict[str, pd.DataFrame]:
    """The headline tables of a store: brokers, brokerage, communities, repeat offenders, shared identifiers,
    recurring identifiers, trade routes. Each value is a DataFrame (empty when the store has nothing for it)."""
    out: dict[str, pd.DataFrame] = {}
    out["brokers"] = execute("brokers", store, top=top).frame
    out["brokerage"] = execute("brokerage", store, top=top).frame
    comm = execute("communities", store, min_size=3).frame
    if len(comm):
        comm = (
            comm.groupby("community", sort=True)
            .agg(size=("id", "size"), members=("name", lambda s: ", ".join(map(str, list(s)[:8]))))
            .reset_index()
            .head(top)
        )
    out["communities"] = comm
    out["repeat_offenders"] = execute("repeat_offenders", store).frame.head(top)
    out["shared_identifiers"] = execute("shared_identifiers", store).frame.head(top)
    out["recurring_identifiers"] = execute("recurring_identifiers", store).frame.head(top)
    out["trade_routes"] = execute("trade_routes", store).frame.head(top)
    return out
