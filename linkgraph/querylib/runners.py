"""Named Python steps that drive a query's Cypher: breadth-first expansion, pairwise shortest paths, time-ordered
paths, route aggregation. Analytics (betweenness, brokerage, ...) live in linkgraph.analysis.

A runner takes a Context (store, query, coerced params) and returns a QueryResult. Its `params` attribute names the
declared parameters it consumes itself (the loader checks every other declared parameter is used by the Cypher).
"""
from __future__ import annotations

from collections import deque
from itertools import combinations

import pandas as pd

from linkgraph.errors import LinkgraphError

RUNNERS = {}


def runner(name: str, params: set[str] = frozenset()):
    def wrap(fn):
        fn.params = set(params)
        RUNNERS[name] = fn
        return fn
    return wrap


def get_runner(name: str):
    if name not in RUNNERS:
        import linkgraph.analysis  # noqa: F401  (registers the analytics)
    if name not in RUNNERS:
        raise LinkgraphError(f"query runner {name!r} is not known (known: {', '.join(sorted(RUNNERS))})")
    return RUNNERS[name]


def _qr(*a, **k):
    from linkgraph.querylib import QueryResult

    return QueryResult(*a, **k)


def node_table(ctx, ids: list[str]) -> pd.DataFrame:
    """id, type, caption and grade columns of the given nodes, in the given order."""
    cols = ["id", "type", "caption", "reliability", "credibility", "first_seen", "last_seen"]
    if not ids:
        return pd.DataFrame(columns=cols)
    parts = [ctx.helper("_nodes", {"ids": ids[i:i + 5000]}) for i in range(0, len(ids), 5000)]
    parts = [p for p in parts if len(p)]
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    order = {v: i for i, v in enumerate(ids)}
    df = df[cols].copy()
    df["_o"] = df["id"].map(order)
    return df.sort_values("_o").drop(columns="_o").reset_index(drop=True)


def _require(ctx, ids: list[str]) -> None:
    found = set(node_table(ctx, list(ids))["id"])
    missing = [i for i in ids if i not in found]
    if missing:
        raise LinkgraphError(f"query {ctx.q.name}: no entity with id {missing[0]!r} (find ids with the `entity` query)")


# --- Find Linked ---------------------------------------------------------------------------------------------------
def expand(ctx, start: list[str], hops: int, limit: int) -> tuple[dict[str, int], pd.DataFrame]:
    """Breadth-first expansion, one query per hop: node -> hop distance, and the links followed."""
    dist = {s: 0 for s in start}
    frontier = list(start)
    links = []
    for h in range(1, hops + 1):
        if not frontier or len(dist) >= limit:
            break
        df = ctx.run({**ctx.params, "frontier": frontier})
        if not len(df):
            break
        links.append(df)
        nxt = []
        for nb in df["neighbour"].tolist():
            if nb not in dist and len(dist) < limit:
                dist[nb] = h
                nxt.append(nb)
        frontier = nxt
    cols = ["link_id", "link_type", "source", "target", "neighbour", "link_date"]
    all_links = pd.concat(links, ignore_index=True) if links else pd.DataFrame(columns=cols)
    if len(all_links):
        keep = all_links["source"].isin(dist) & all_links["target"].isin(dist)
        all_links = all_links[keep].drop_duplicates("link_id").reset_index(drop=True)
    return dist, all_links


@runner("expand", {"id", "hops", "limit"})
def run_expand(ctx):
    p = ctx.params
    if not 0 <= p["hops"] <= 6:
        raise LinkgraphError(f"query {ctx.q.name}: hops must be between 0 and 6, got {p['hops']}")
    _require(ctx, [p["id"]])
    dist, links = expand(ctx, [p["id"]], p["hops"], max(1, p["limit"]))
    nodes = node_table(ctx, list(dist))
    nodes.insert(3, "hops", nodes["id"].map(dist).astype(int))
    nodes = nodes.sort_values(["hops", "type", "caption", "id"], kind="stable").reset_index(drop=True)
    return _qr(nodes, node_ids=list(dist), link_ids=links["link_id"].tolist())


# --- Find Connecting Network -----------------------------------------------------------------------------------
def _check_hops(ctx, key="max_hops"):
    if not 1 <= ctx.params[key] <= 12:
        raise LinkgraphError(f"query {ctx.q.name}: {key} must be between 1 and 12, got {ctx.params[key]}")


@runner("connecting", {"ids"})
def run_connecting(ctx):
    ids = list(dict.fromkeys(ctx.params["ids"]))
    if len(ids) < 2:
        raise LinkgraphError(f"query {ctx.q.name}: give at least two entity ids (ids=a,b,...)")
    _check_hops(ctx)
    _require(ctx, ids)
    on_paths: dict[str, int] = {}
    pairs: dict[str, set] = {}
    link_ids: list[str] = []
    for a, b in combinations(ids, 2):
        df = ctx.run({**ctx.params, "pair_a": a, "pair_b": b})
        for nodes, links in zip(df.get("node_ids", []), df.get("link_ids", [])):
            for n in nodes:
                on_paths[n] = on_paths.get(n, 0) + 1
                pairs.setdefault(n, set()).add(f"{a}|{b}")
            link_ids.extend(links)
    for i in ids:  # the chosen entities are in the chart even when nothing connects them
        on_paths.setdefault(i, 0)
        pairs.setdefault(i, set())
    nodes = node_table(ctx, list(on_paths))
    nodes["paths"] = nodes["id"].map(on_paths).astype(int)
    nodes["pairs"] = nodes["id"].map(lambda n: len(pairs[n])).astype(int)
    nodes["selected"] = nodes["id"].isin(ids)
    nodes = nodes.sort_values(["selected", "pairs", "paths", "id"], ascending=[False, False, False, True],
                              kind="stable").reset_index(drop=True)
    return _qr(nodes, node_ids=nodes["id"].tolist(), link_ids=list(dict.fromkeys(link_ids)))


# --- Find Path -----------------------------------------------------------------------------------------------------
def _ordered(dates) -> bool:
    """Dates never decrease along the path (undated links break time order)."""
    if any(d is None for d in dates):
        return False
    return all(str(dates[i]) <= str(dates[i + 1]) for i in range(len(dates) - 1))


def _time_respecting(ctx, start: str, goal: str, max_hops: int) -> list[tuple[list[str], list[str], list]]:
    """Fewest-link path whose link dates never decrease: BFS over (node, arrival date) states in the
    max_hops neighbourhood of the start (the candidates' links come from the `network` expansion)."""
    from linkgraph.querylib import Context, load_query

    net = load_query("network", ctx.extra_dirs)
    params = net.coerce({"id": start, "hops": max_hops, "link_types": ctx.params["link_types"],
                         "min_grade": ctx.raw.get("min_grade") or "", "limit": 200_000})
    _, links = expand(Context(ctx.store, net, params, {}, ctx.extra_dirs), [start], max_hops, 200_000)
    lo, hi = ctx.params["date_from"], ctx.params["date_to"]
    adj: dict[str, list] = {}
    for row in links.itertuples(index=False):
        d = row.link_date
        if d is None or (lo and str(d) < lo[: len(str(d))]) or (hi and str(d)[: len(hi)] > hi):
            continue
        adj.setdefault(row.source, []).append((row.target, row.link_id, str(d)))
        adj.setdefault(row.target, []).append((row.source, row.link_id, str(d)))
    # state: (node, last date); keep for each node the earliest arrival per hop count
    best: dict[str, str] = {start: ""}
    queue = deque([(start, "", [start], [], [])])
    found = []
    while queue:
        node, last, nodes, lks, dates = queue.popleft()
        if found and len(lks) >= len(found[0][1]):
            break
        if len(lks) >= max_hops:
            continue
        for nb, lid, d in sorted(adj.get(node, []), key=lambda x: x[2]):
            if d < last or nb in nodes:
                continue
            if nb == goal:
                found.append((nodes + [nb], lks + [lid], dates + [d]))
                continue
            if nb in best and best[nb] <= d:
                continue
            best[nb] = d
            queue.append((nb, d, nodes + [nb], lks + [lid], dates + [d]))
    return found


@runner("path", {"time_ordered", "limit"})
def run_path(ctx):
    p = ctx.params
    _check_hops(ctx)
    if p["from_id"] == p["to_id"]:
        raise LinkgraphError(f"query {ctx.q.name}: from_id and to_id are the same entity")
    _require(ctx, [p["from_id"], p["to_id"]])
    df = ctx.run()
    rows = [(list(n), list(l), list(d)) for n, l, d in
            zip(df.get("node_ids", []), df.get("link_ids", []), df.get("link_dates", []))]
    method = "shortest"
    if p["time_ordered"]:
        rows = [r for r in rows if _ordered(r[2])]
        if not rows:
            rows = _time_respecting(ctx, p["from_id"], p["to_id"], p["max_hops"])
            method = "time-respecting search"
        else:
            method = "shortest, time-ordered"
    rows = sorted(rows, key=lambda r: (len(r[1]), r[0], r[1]))[: max(0, p["limit"])]
    captions = {}
    ids = list(dict.fromkeys(n for r in rows for n in r[0]))
    if ids:
        t = node_table(ctx, ids)
        captions = dict(zip(t["id"], t["caption"]))
    out = pd.DataFrame({
        "path": [" - ".join(str(captions.get(n) or n) for n in r[0]) for r in rows],
        "hops": [len(r[1]) for r in rows],
        "node_ids": [r[0] for r in rows], "link_ids": [r[1] for r in rows],
        "link_dates": [r[2] for r in rows],
        "method": [method] * len(rows),
    })
    return _qr(out, node_ids=ids, link_ids=list(dict.fromkeys(l for r in rows for l in r[1])),
               path=rows[0][0] if rows else [])


# --- trade routes --------------------------------------------------------------------------------------------------
_ORIGIN = {"origin", "export"}
_DEST = {"destination", "import"}


@runner("routes")
def run_routes(ctx):
    df = ctx.run()
    cols = ["species", "commodity", "origin", "transit", "destination", "items", "quantity", "unit",
            "first_date", "last_date", "item_ids"]
    if not len(df):
        return _qr(pd.DataFrame(columns=cols))
    routes = []
    for (item, content), g in df.groupby(["item_id", "content_id"], sort=False, dropna=False):
        legs = g.drop_duplicates("location_id").sort_values("leg", na_position="last")
        locs = legs["location"].tolist()
        roles = [str(r or "").lower() for r in legs["role"].tolist()]
        origin = next((l for l, r in zip(locs, roles) if r in _ORIGIN), locs[0] if locs else None)
        dest = next((l for l, r in zip(reversed(locs), reversed(roles)) if r in _DEST),
                    locs[-1] if len(locs) > 1 else None)
        transit = [l for l in locs if l not in (origin, dest)]
        first = g.iloc[0]
        routes.append({"item_id": item, "species": first["species"], "commodity": first["commodity"],
                       "origin": origin, "transit": " > ".join(transit), "destination": dest,
                       "quantity": first["quantity"], "unit": first["unit"], "date": first["item_date"]})
    r = pd.DataFrame(routes)
    keys = ["species", "commodity", "origin", "transit", "destination", "unit"]
    r[keys] = r[keys].astype(object).where(r[keys].notna(), "")
    agg = r.groupby(keys, sort=False).agg(
        items=("item_id", "nunique"), quantity=("quantity", lambda s: float(pd.to_numeric(s).sum())),
        first_date=("date", lambda s: min((x for x in s if x), default=None)),
        last_date=("date", lambda s: max((x for x in s if x), default=None)),
        item_ids=("item_id", lambda s: sorted(set(s)))).reset_index()
    agg = agg.sort_values(["items", "quantity", "species", "origin", "destination"],
                          ascending=[False, False, True, True, True], kind="stable").reset_index(drop=True)
    node_ids = list(dict.fromkeys([*df["item_id"], *df["location_id"]]))
    return _qr(agg[cols], node_ids=node_ids)
