"""Marks: the result of an analytic query shown on a chart and carried into its exports.

Any library query that returns an `id` column can mark: each row marks the entity of that id with its rank (the
`step` column when the query has one, else the row's order) and a line of text. The text comes from the query's
`// mark:` header, a template over the row's columns (`{score:.2f}`) and `rank`, `count` and `title`; without
one, from the row's other columns. Marked entities outside the drawn selection are added to it with their links
to what is drawn; ids the store does not hold are counted and reported, never silently lost.
"""

from __future__ import annotations

import math
import string
import warnings

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.querylib import QueryResult, execute, load_query, subgraph_of
from linkgraph.subgraph import Subgraph

# columns that name the entity (already on the chart) rather than describe the mark
_NAMING = ("id", "name", "caption", "type", "step")


class MarkWarning(UserWarning):
    """Some rows of a mark query could not be marked (their id is not in the store)."""


class _Template(string.Formatter):
    """str.format over plain names only: a query file's template cannot reach attributes or items of a value."""

    def get_field(self, field_name, args, kwargs):
        if not field_name.isidentifier():
            raise KeyError(field_name)
        return self.get_value(field_name, args, kwargs), field_name


def _value(v):
    """A cell as a plain Python value (None for every kind of missing)."""
    if v is None:
        return None
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        try:
            v = v.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    try:
        if not isinstance(v, (list, dict, tuple)) and pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v


def _show(v) -> str:
    if isinstance(v, float):
        return f"{v:.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def mark_text(template: str, row: dict, rank: int, count: int, title: str) -> str:
    """The text of one mark: the query's template filled from the row, else `title rank of count: col value, ...`."""
    values = {k: _value(v) for k, v in row.items()}
    if template:
        try:
            return _Template().format(template, **values, rank=rank, count=count, title=title)
        except (KeyError, ValueError, TypeError, IndexError):
            pass  # a column the template names is missing or empty: fall back to the generic text
    rest = [f"{k} {_show(v)}" for k, v in values.items() if k not in _NAMING and v is not None and str(v) != ""]
    head = f"{title} {rank} of {count}"
    return f"{head}: {', '.join(rest)}" if rest else head


def mark_rows(store, query: str, params: dict | None = None, queries=None) -> tuple[str, list[dict]]:
    """The query's title and its marks in rank order: [{id, rank, text, query}], one per distinct id."""
    q = load_query(query, queries)
    df = execute(query, store, queries, **(params or {})).frame
    if "id" not in df.columns:
        raise LinkgraphError(
            f"query {query} cannot mark a chart: it returns no id column (it returns {', '.join(map(str, df.columns))})"
        )
    title = q.title or query
    rows = [r for r in df.to_dict("records") if _value(r.get("id")) is not None]
    ranks = []
    for i, r in enumerate(rows, 1):
        step = _value(r.get("step"))
        ranks.append(int(step) if isinstance(step, (int, float)) and not isinstance(step, bool) else i)
    out, seen = [], set()
    for r, rank in zip(rows, ranks):
        rid = str(r["id"])
        if rid in seen:  # a query may list an entity twice (several measures): its first row marks it
            continue
        seen.add(rid)
        out.append({"id": rid, "rank": rank, "query": query, "row": r})
    for m in out:
        m["text"] = mark_text(q.mark, m.pop("row"), m["rank"], len(out), title)
    return title, out


def apply_marks(store, sub: Subgraph, query: str, params: dict | None = None, queries=None, add: bool = True):
    """Mark `sub` with the rows of library `query`: sets `sub.marks` (id -> {query, rank, text}) and
    `sub.mark_info`; returns the subgraph (with marked entities from outside the selection added when `add`)."""
    title, rows = mark_rows(store, query, params, queries)
    drawn = set(sub.nodes["id"].astype(str))
    outside = [m["id"] for m in rows if m["id"] not in drawn]
    added: list[str] = []
    if outside and add:
        sub, added = _add_entities(store, sub, outside, queries)
    present = set(sub.nodes["id"].astype(str))
    missing = [i for i in outside if i not in present]
    if missing:
        shown = ", ".join(missing[:5]) + (f" (+{len(missing) - 5} more)" if len(missing) > 5 else "")
        what = "are not in the store" if add else "are outside the selection"
        warnings.warn(f"mark {query}: {len(missing)} of {len(rows)} marked ids {what}: {shown}", MarkWarning, 2)
    sub.marks = {m["id"]: {k: m[k] for k in ("query", "rank", "text")} for m in rows if m["id"] in present}
    sub.mark_info = {
        "query": query,
        "title": title,
        "rows": len(rows),
        "marked": len(sub.marks),
        "added": added,
        "missing": missing,
    }
    return sub


def _add_entities(store, sub: Subgraph, ids: list[str], queries) -> tuple[Subgraph, list[str]]:
    """`sub` with the entities `ids` added, and their links to what is drawn (or to each other)."""
    keep = set(sub.nodes["id"].astype(str)) | set(ids)
    link_ids: list[str] = []
    found: list[str] = []
    for i in ids:
        try:
            res = execute("network", store, queries, id=i, hops=1)
        except LinkgraphError:  # no entity with this id
            continue
        found.append(i)
        link_ids += res.link_ids
    if not found:
        return sub, []
    extra = subgraph_of(
        store, QueryResult(frame=pd.DataFrame(), node_ids=found, link_ids=list(dict.fromkeys(link_ids)))
    )
    links = extra.links[extra.links["source"].isin(keep) & extra.links["target"].isin(keep)]
    merged = Subgraph(
        nodes=pd.concat([sub.nodes, extra.nodes[extra.nodes["id"].isin(found)]], ignore_index=True),
        links=pd.concat([sub.links, links], ignore_index=True),
        title=sub.title,
        path=list(sub.path),
    )
    return merged, found
