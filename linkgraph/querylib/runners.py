"""Named Python steps that drive a query's Cypher: breadth-first expansion, pairwise shortest paths, time-ordered
paths, route aggregation. Analytics (betweenness, brokerage, ...) live in linkgraph.querylib.analytics.

A runner takes a Context (store, query, coerced params) and returns a QueryResult. Its `params` attribute names the
declared parameters it consumes itself (the loader checks every other declared parameter is used by the Cypher).
"""

from __future__ import annotations

from collections import deque
from itertools import combinations

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.querylib.library import cypher_params, load_query
from linkgraph.querylib.registry import runner
from linkgraph.querylib.run import Context, QueryResult


def node_table(ctx, ids: list[str]) -> pd.DataFrame:
    """id, type, caption and grade columns of the given nodes, in the given order."""
    cols = ["id", "type", "caption", "reliability", "credibility", "first_seen", "last_seen"]
    if not ids:
        return pd.DataFrame(columns=cols)
    parts = [ctx.helper("_nodes", {"ids": ids[i : i + 5000]}) for i in range(0, len(ids), 5000)]
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
NODE_COLS = ["id", "type", "caption", "reliability", "credibility", "first_seen", "last_seen"]
LINK_COLS = ["link_id", "link_type", "source", "target", "link_date"]


def expand(
    ctx, start: str, hops: int, limit: int, params: dict | None = None
) -> tuple[dict[str, int], pd.DataFrame, pd.DataFrame]:
    """Breadth-first expansion in one round trip: node -> hop distance, the links followed, the nodes' details.

    The query returns the start's row, then every link out of an entity nearer than `hops` (a dialect may return
    more) with its far end's details; the distances come from a BFS over those links here. Over `limit`, the nearest entities are kept
    (ties by id), so the result does not depend on the order an engine returns rows in.
    """
    df = ctx.run({**(params or ctx.params), "id": start, "hops": hops})
    if not len(df) or start not in set(df["id"]):
        raise LinkgraphError(f"query {ctx.q.name}: no entity with id {start!r} (find ids with the `entity` query)")
    links = df[df["link_id"].notna()].drop_duplicates("link_id")
    adj: dict[str, list[str]] = {}
    for s, t in zip(links["source"].tolist(), links["target"].tolist()):
        adj.setdefault(s, []).append(t)
        adj.setdefault(t, []).append(s)
    dist = {start: 0}
    frontier = [start]
    for h in range(1, hops + 1):
        nxt = []
        for n in frontier:
            for nb in adj.get(n, ()):
                if nb not in dist:
                    dist[nb] = h
                    nxt.append(nb)
        frontier = nxt
    if len(dist) > limit:
        dist = dict(sorted(dist.items(), key=lambda kv: (kv[1], kv[0]))[: max(1, limit)])
    near = {n for n, d in dist.items() if d < hops}
    keep = (
        links["source"].isin(dist)
        & links["target"].isin(dist)
        & (links["source"].isin(near) | links["target"].isin(near))
    )
    links = links[keep][LINK_COLS].reset_index(drop=True)
    nodes = df[NODE_COLS].drop_duplicates("id")
    nodes = nodes[nodes["id"].isin(dist)].reset_index(drop=True)
    return dist, links, nodes


@runner("expand", {"limit"})
def run_expand(ctx):
    p = ctx.params
    if not 0 <= p["hops"] <= 6:
        raise LinkgraphError(f"query {ctx.q.name}: hops must be between 0 and 6, got {p['hops']}")
    dist, links, nodes = expand(ctx, p["id"], p["hops"], max(1, p["limit"]))
    nodes.insert(3, "hops", nodes["id"].map(dist).astype(int))
    nodes = nodes.sort_values(["hops", "type", "caption", "id"], kind="stable").reset_index(drop=True)
    return QueryResult(nodes, node_ids=nodes["id"].tolist(), link_ids=links["link_id"].tolist())


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
    nodes = nodes.sort_values(
        ["selected", "pairs", "paths", "id"], ascending=[False, False, False, True], kind="stable"
    ).reset_index(drop=True)
    return QueryResult(nodes, node_ids=nodes["id"].tolist(), link_ids=list(dict.fromkeys(link_ids)))


# --- Find Path -----------------------------------------------------------------------------------------------------
def _ordered(dates) -> bool:
    """Dates never decrease along the path (undated links break time order)."""
    if any(d is None for d in dates):
        return False
    return all(str(dates[i]) <= str(dates[i + 1]) for i in range(len(dates) - 1))


def _time_respecting(ctx, start: str, goal: str, max_hops: int) -> list[tuple[list[str], list[str], list]]:
    """Fewest-link path whose link dates never decrease: BFS over (node, arrival date) states in the
    max_hops neighbourhood of the start (the candidates' links come from the `network` expansion)."""
    net = load_query("network", ctx.extra_dirs)
    params = net.coerce(
        {
            "id": start,
            "hops": min(max_hops, 6),
            "link_types": ctx.params["link_types"],
            "min_grade": ctx.raw.get("min_grade") or "",
            "limit": 200_000,
        }
    )
    _, links, _ = expand(Context(ctx.store, net, params, {}, ctx.extra_dirs), start, params["hops"], 200_000)
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


def _uses(ctx, name: str) -> bool:
    return name in cypher_params(ctx.q.text(ctx.store.dialect))


def _ball(ctx, centre: str, radius: int) -> tuple[pd.DataFrame, dict[str, str]]:
    """The links out of every entity nearer than `radius` (2-6) to `centre`, and the captions of their ends."""
    df = ctx.run({**ctx.params, "ball_id": centre, "ball_hops": radius})
    if not len(df):
        _require(ctx, [centre])  # an entity without links, or none at all
        return pd.DataFrame(columns=["link_id", "source", "target", "link_date"]), {}
    return df.drop_duplicates("link_id"), dict(zip(df["id"], df["caption"]))


def _bfs(start: str, adj: dict, radius: int | None = None) -> dict[str, int]:
    dist, frontier, h = {start: 0}, [start], 0
    while frontier and (radius is None or h < radius):
        h += 1
        nxt = []
        for n in frontier:
            for nb, _ in adj.get(n, ()):
                if nb not in dist:
                    dist[nb] = h
                    nxt.append(nb)
        frontier = nxt
    return dist


def _adjacency(links: pd.DataFrame) -> dict[str, list]:
    adj: dict[str, list] = {}
    for lid, s, t in zip(links["link_id"].tolist(), links["source"].tolist(), links["target"].tolist()):
        adj.setdefault(s, []).append((t, lid))
        adj.setdefault(t, []).append((s, lid))
    return adj


def _bidirectional(ctx, a: str, b: str, max_hops: int, cap: int = 1000):
    """All shortest a-b paths (up to `cap`, smallest ids first) by growing the smaller of two balls one hop at a time.

    Once the radii add up to the a-b distance D the balls share an entity, and the first shared one gives D; every
    link of every shortest path is then in one of the balls (the first `ra` steps in a's, the rest in b's).
    """
    radius, balls, dist = {a: 0, b: 0}, {a: None, b: None}, {a: {a: 0}, b: {b: 0}}
    captions: dict[str, str] = {}
    best = None
    # each round trip costs far more than the search it runs: start both sides at the radius the default six
    # hops needs (so one round trip per side), then grow the smaller side one hop at a time
    first = max(2, min(3, -(-max_hops // 2)))
    while radius[a] + radius[b] < max_hops:
        grow = [c for c in (a, b) if radius[c] < 6]
        if not grow:
            break
        c = next((c for c in (a, b) if balls[c] is None), None) or min(grow, key=lambda c: (len(balls[c]), c != a))
        r = first if balls[c] is None else radius[c] + 1
        links, caps = _ball(ctx, c, r)
        captions.update(caps)
        reached = _bfs(c, _adjacency(links), r)
        stalled = len(reached) == len(dist[c])  # c's whole component is in its ball already
        radius[c], balls[c], dist[c] = r, links, reached
        common = dist[a].keys() & dist[b].keys()
        if common:
            best = min(dist[a][v] + dist[b][v] for v in common)
            break
        if stalled and radius[c] > first or len(reached) == 1:
            break
    if balls[b] is None and b not in dist[a]:  # never looked up nor reached: make sure it exists
        _require(ctx, [b])
    if best is None or best > max_hops:
        return [], captions
    frames = [f for f in (balls[a], balls[b]) if f is not None]
    links = pd.concat(frames, ignore_index=True).drop_duplicates("link_id")
    adj = _adjacency(links)
    da, db = _bfs(a, adj, best), _bfs(b, adj, best)
    dates = dict(zip(links["link_id"].tolist(), links["link_date"].tolist()))
    out: list = []

    def walk(node, nodes, lks):
        if len(out) >= cap:
            return
        if node == b:
            out.append((list(nodes), list(lks), [dates[lk] for lk in lks]))
            return
        step = len(lks) + 1
        for nb, lid in sorted(adj.get(node, ()), key=lambda x: (x[0], x[1])):
            if da.get(nb) == step and db.get(nb, best + 1) == best - step:
                walk(nb, nodes + [nb], lks + [lid])

    walk(a, [a], [])
    return out, captions


@runner("path", {"time_ordered", "limit", "from_id", "to_id", "max_hops"})
def run_path(ctx):
    p = ctx.params
    _check_hops(ctx)
    if p["from_id"] == p["to_id"]:
        raise LinkgraphError(f"query {ctx.q.name}: from_id and to_id are the same entity")
    captions = {}
    if _uses(ctx, "ball_id"):  # the dialect's text is one side's neighbourhood: search from both ends here
        rows, captions = _bidirectional(ctx, p["from_id"], p["to_id"], p["max_hops"])
    else:
        _require(ctx, [p["from_id"], p["to_id"]])
        df = ctx.run()
        rows = [
            (list(n), list(lk), list(d))
            for n, lk, d in zip(df.get("node_ids", []), df.get("link_ids", []), df.get("link_dates", []))
        ]
    method = "shortest"
    if p["time_ordered"]:
        rows = [r for r in rows if _ordered(r[2])]
        if not rows:
            rows = _time_respecting(ctx, p["from_id"], p["to_id"], p["max_hops"])
            method = "time-respecting search"
        else:
            method = "shortest, time-ordered"
    rows = sorted(rows, key=lambda r: (len(r[1]), r[0], r[1]))[: max(0, p["limit"])]
    ids = list(dict.fromkeys(n for r in rows for n in r[0]))
    if ids and not all(i in captions for i in ids):
        t = node_table(ctx, ids)
        captions = dict(zip(t["id"], t["caption"]))
    out = pd.DataFrame(
        {
            "path": [" - ".join(str(captions.get(n) or n) for n in r[0]) for r in rows],
            "hops": [len(r[1]) for r in rows],
            "node_ids": [r[0] for r in rows],
            "link_ids": [r[1] for r in rows],
            "link_dates": [r[2] for r in rows],
            "method": [method] * len(rows),
        }
    )
    return QueryResult(
        out,
        node_ids=ids,
        link_ids=list(dict.fromkeys(lk for r in rows for lk in r[1])),
        path=rows[0][0] if rows else [],
    )


# --- trade routes --------------------------------------------------------------------------------------------------
_ORIGIN = {"origin", "export"}
_DEST = {"destination", "import"}


def assemble_routes(df: pd.DataFrame) -> list[dict]:
    """One route per routed item and content (a seizure or shipment and what it carried), from ROUTED_VIA rows.

    Legs are ordered by `leg`; the origin is the first leg whose role is origin/export (else the first leg), the
    destination the last leg whose role is destination/import (else the last leg, when there are two or more);
    every other leg is transit, in order. `transit_ids` holds the Location ids of the transit legs."""
    routes = []
    for (item, _content), g in df.groupby(["item_id", "content_id"], sort=False, dropna=False):
        legs = g.drop_duplicates("location_id").sort_values("leg", na_position="last")
        locs = legs["location"].tolist()
        ids = legs["location_id"].tolist()
        roles = [str(r or "").lower() for r in legs["role"].tolist()]
        origin = next((loc for loc, r in zip(locs, roles) if r in _ORIGIN), locs[0] if locs else None)
        dest = next(
            (loc for loc, r in zip(reversed(locs), reversed(roles)) if r in _DEST), locs[-1] if len(locs) > 1 else None
        )
        transit = [(loc, i) for loc, i in zip(locs, ids) if loc not in (origin, dest)]
        first = g.iloc[0]
        routes.append(
            {
                "item_id": item,
                "species": first["species"],
                "commodity": first["commodity"],
                "origin": origin,
                "transit": " > ".join(loc for loc, _ in transit),
                "transit_ids": [i for _, i in transit],
                "destination": dest,
                "quantity": first["quantity"],
                "unit": first["unit"],
                "date": first["item_date"],
            }
        )
    return routes


@runner("routes")
def run_routes(ctx):
    df = ctx.run()
    cols = [
        "species",
        "commodity",
        "origin",
        "transit",
        "destination",
        "items",
        "quantity",
        "unit",
        "first_date",
        "last_date",
        "item_ids",
    ]
    if not len(df):
        return QueryResult(pd.DataFrame(columns=cols))
    r = pd.DataFrame(assemble_routes(df))
    keys = ["species", "commodity", "origin", "transit", "destination", "unit"]
    r[keys] = r[keys].astype(object).where(r[keys].notna(), "")
    agg = (
        r.groupby(keys, sort=False)
        .agg(
            items=("item_id", "nunique"),
            quantity=("quantity", lambda s: float(pd.to_numeric(s).sum())),
            first_date=("date", lambda s: min((x for x in s if x), default=None)),
            last_date=("date", lambda s: max((x for x in s if x), default=None)),
            item_ids=("item_id", lambda s: sorted(set(s))),
        )
        .reset_index()
    )
    agg = agg.sort_values(
        ["items", "quantity", "species", "origin", "destination"],
        ascending=[False, False, True, True, True],
        kind="stable",
    ).reset_index(drop=True)
    node_ids = list(dict.fromkeys([*df["item_id"], *df["location_id"]]))
    return QueryResult(agg[cols], node_ids=node_ids)


# --- transit hubs ------------------------------------------------------------------------------------------------
@runner("transit_hubs", {"species", "commodity", "date_from", "date_to", "normalise", "min_routes"})
def run_transit_hubs(ctx):
    """Rank transit Locations by distinct routes (origin, transit legs, destination) through them.

    Normalisation (ETIS-style, Underwood et al. 2013): per_seizure = routes / country_seizures, where
    country_seizures counts distinct Seizure nodes in the period (any species) with a LOCATED_IN or ROUTED_VIA link
    to a Location of the hub's country; a country with no seizures gets no score."""
    p = ctx.params
    df = ctx.helper("trade_routes", {k: p[k] for k in ("species", "commodity", "date_from", "date_to")})
    cols = ["hub", "id", "country", "kind", "routes", "items", "species", "first_date", "last_date"]
    if p.get("normalise"):
        cols += ["country_seizures", "per_seizure"]
    routes = assemble_routes(df) if len(df) else []
    hubs: dict[str, dict] = {}
    for r in routes:
        key = (r["origin"], r["transit"], r["destination"])
        for hid in dict.fromkeys(r["transit_ids"]):
            h = hubs.setdefault(hid, {"routes": set(), "items": set(), "species": set(), "dates": set()})
            h["routes"].add(key)
            h["items"].add(r["item_id"])
            h["species"].add(r["species"])
            if r["date"]:
                h["dates"].add(r["date"])
    locs = df.drop_duplicates("location_id").set_index("location_id") if len(df) else None
    rows = [
        {
            "hub": locs.at[hid, "location"],
            "id": hid,
            "country": locs.at[hid, "location_country"],
            "kind": locs.at[hid, "location_kind"],
            "routes": len(h["routes"]),
            "items": len(h["items"]),
            "species": sorted(s for s in h["species"] if s),
            "first_date": min(h["dates"], default=None),
            "last_date": max(h["dates"], default=None),
            "item_ids": sorted(h["items"]),
        }
        for hid, h in hubs.items()
        if len(h["routes"]) >= int(p.get("min_routes") or 1)
    ]
    out = pd.DataFrame(rows, columns=[*cols[:9], "item_ids"])
    sort = ["routes", "items", "hub"]
    if p.get("normalise"):
        countries = sorted({c for c in out["country"] if isinstance(c, str) and c})
        counts = ctx.helper(
            "_country_seizures",
            {"countries": countries, "date_from": p.get("date_from", ""), "date_to": p.get("date_to", "")},
        )
        n = dict(zip(counts["country"], counts["seizures"])) if len(counts) else {}
        out["country_seizures"] = [int(n.get(c, 0)) for c in out["country"]]
        out["per_seizure"] = [r / s if s else None for r, s in zip(out["routes"], out["country_seizures"])]
        sort = ["per_seizure", *sort]
    out = out.sort_values(sort, ascending=[False] * (len(sort) - 1) + [True], kind="stable", na_position="last")
    out = out.reset_index(drop=True)
    node_ids = list(dict.fromkeys([*out["id"], *(i for ids in out["item_ids"] for i in ids)]))
    return QueryResult(out[cols], node_ids=node_ids)
