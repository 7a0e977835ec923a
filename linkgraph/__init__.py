"""linkgraph: link analysis for wildlife-crime intelligence, on an embedded graph store or Neo4j."""

from __future__ import annotations

from linkgraph.errors import LinkgraphError
from linkgraph.querylib import list_queries, query, to_subgraph
from linkgraph.resources import package_version
from linkgraph.schema import load_schema
from linkgraph.store import open_store
from linkgraph.store.audit import audit_log
from linkgraph.subgraph import Subgraph

__version__ = package_version()

__all__ = [
    "LinkgraphError",
    "Subgraph",
    "audit_log",
    "chart",
    "export",
    "list_queries",
    "load_schema",
    "open_store",
    "query",
    "select",
    "to_subgraph",
    "__version__",
]


def select(
    db=None,
    *,
    around: str | None = None,
    hops: int = 2,
    query: str | None = None,
    params: dict | None = None,
    title: str | None = None,
    mark: str | None = None,
    mark_params: dict | None = None,
) -> Subgraph:
    """The subgraph around an entity, of a library query's result, or the whole store (see linkgraph.selection).

    `mark`: a library query (e.g. "key_players", with `mark_params={"k": 3}`) whose rows mark their `id`
    entities on the chart and in exports (see linkgraph.marks).
    """
    from linkgraph import selection
    from linkgraph.querylib import _with_store

    return _with_store(
        db,
        lambda s: selection.select(
            s, around=around, hops=hops, query=query, params=params, title=title, mark=mark, mark_params=mark_params
        ),
    )


def chart(
    db=None,
    *,
    around: str | None = None,
    hops: int = 2,
    query: str | None = None,
    params: dict | None = None,
    title: str | None = None,
    mark: str | None = None,
    mark_params: dict | None = None,
    **options,
):
    """An interactive chart (linkgraph.render.html.Chart): `.write(path)`, and it displays inline in Jupyter.

    `options` go to Chart: tlp, handling, size_by, color_by, max_nodes. `mark`, `mark_params`: as in `select`.
    Community colours and betweenness sizes are the `communities` and `brokers` queries' values on this store
    (linkgraph.selection.analyse), so the chart agrees with `linkgraph.query`.
    Making the chart is written to the store's audit log, as `linkgraph chart` does.
    """
    from linkgraph import selection
    from linkgraph.querylib import _with_store
    from linkgraph.render.html import Chart

    def go(store):
        sub = selection.select(
            store, around=around, hops=hops, query=query, params=params, title=title, mark=mark, mark_params=mark_params
        )
        selection.analyse(store, sub, color_by=options.get("color_by"), size_by=options.get("size_by", "degree"))
        made = Chart(sub, title=title, **options)
        selection.record_selection(
            store, sub, "chart", "a Python Chart object", around=around, hops=hops, query=query, mark=mark
        )
        return made

    return _with_store(db, go)


def export(
    fmt: str,
    path,
    db=None,
    *,
    around: str | None = None,
    hops: int = 2,
    query: str | None = None,
    params: dict | None = None,
    title: str | None = None,
    mark: str | None = None,
    mark_params: dict | None = None,
    **options,
):
    """Write a selection as anx, graphml, gexf, xlsx, csv or html; returns the path written.

    `mark`, `mark_params`: a query whose rows mark entities (as in `select`); the exports carry each mark's text
    and rank. The export is written to the store's audit log, as `linkgraph export` does.
    """
    from linkgraph import selection
    from linkgraph.querylib import _with_store
    from linkgraph.render import write

    def go(store):
        sub = selection.select(
            store, around=around, hops=hops, query=query, params=params, title=title, mark=mark, mark_params=mark_params
        )
        html = str(fmt).lower() in ("html", "htm")
        if html:
            selection.analyse(store, sub, color_by=options.get("color_by"), size_by=options.get("size_by", "degree"))
        out = write(sub, fmt, path, title=title, **options)
        action = "chart" if html else f"export {str(fmt).lower()}"
        selection.record_selection(store, sub, action, out, around=around, hops=hops, query=query, mark=mark)
        return out

    return _with_store(db, go)
