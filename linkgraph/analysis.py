"""Network analytics on a query's projection: betweenness (node and link), Gould-Fernandez brokerage,
communities, components, k-core, centralities, and grade sensitivity.

Each analytic query in queries/ is a projection (the links to analyse, with filters) plus one named function
here. The projected links are read client-side into python-igraph as a simple undirected graph (parallel links
and direction dropped, as social network analysis of an intelligence chart does). On a Neo4j server with Graph
Data Science (probed once with `CALL gds.version()`), betweenness runs in GDS from the query's `.gds.cypher`
projection instead, with the same normalisation, so both paths give the same scores.

Betweenness is exact up to `exact_max` nodes. Above it, pivots are sampled (networkx's k-sample estimator,
Brandes & Pich 2007): igraph's subset betweenness from k random sources, scaled by n/k. The `method` column says
which: `exact`, `exact (gds)` or `sampled(k=200, seed=42)`.
"""
from __future__ import annotations

import uuid
from collections import Counter

import igraph as ig
import numpy as np
import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.provenance import meets_grade
from linkgraph.querylib.runners import node_table, runner

SEED = 42


# --- projection -> igraph ----------------------------------------------------------------------------------------
class Projection:
    """A simple undirected igraph Graph over the projected links; `ids[i]` is vertex i's entity id."""

    def __init__(self, edges: pd.DataFrame, directed: bool = False):
        if len(edges):
            # the engines return rows in different orders: sort, so vertex numbering (and with it any seeded
            # algorithm such as Leiden) is the same on both
            edges = edges.sort_values(["source", "target"], kind="stable")
            codes, uniques = pd.factorize(pd.concat([edges["source"], edges["target"]], ignore_index=True))
            m = len(edges)
            pairs = np.column_stack([codes[:m], codes[m:]])
        else:
            uniques, pairs = np.array([], dtype=object), np.zeros((0, 2), dtype=int)
        self.ids = list(uniques)
        self.index = {v: i for i, v in enumerate(self.ids)}
        self.graph = ig.Graph(n=len(self.ids), edges=pairs.tolist(), directed=directed)
        self.graph.simplify(multiple=True, loops=True)

    @property
    def n(self) -> int:
        return self.graph.vcount()


def _entities(ctx) -> dict[str, str]:
    """record id -> its resolved entity's representative record (resolution's SAME_AS clusters), once per run."""
    if not hasattr(ctx, "_entity_map"):
        from linkgraph.resolve.graph import entity_map

        ctx._entity_map = entity_map(ctx.store)
    return ctx._entity_map


def _collapse(ctx, df: pd.DataFrame) -> pd.DataFrame:
    """Records of one resolved entity count as one node: ends mapped to the representative, self-loops gone."""
    m = _entities(ctx)
    if not m or not len(df):
        return df
    df = df.assign(source=df["source"].map(lambda x: m.get(x, x)), target=df["target"].map(lambda x: m.get(x, x)))
    return df[df["source"] != df["target"]].reset_index(drop=True)


def _edges(ctx, graded_only: bool = False) -> pd.DataFrame:
    df = _collapse(ctx, ctx.run())
    cols = ["source", "target", "link_type", "link_id", "reliability", "credibility"]
    if not len(df):
        return pd.DataFrame(columns=cols)
    if graded_only:
        df = df[_meets(df, ctx.raw.get("min_grade") or "")]
    return df.reset_index(drop=True)


def _pairs(ctx) -> pd.DataFrame:
    """source, target of the projected links, from either form a projection query may return: one row per link, or
    one record of integer lists (`sources`, `targets` as keys into `node_keys`, whose entity ids are `node_ids`)."""
    df = ctx.run()
    if "node_keys" not in df.columns:
        return _collapse(ctx, df[["source", "target"]]) if len(df) else pd.DataFrame(columns=["source", "target"])
    if not len(df):
        return pd.DataFrame(columns=["source", "target"])
    rec = df.iloc[0]
    keys = np.asarray(rec["node_keys"], dtype=np.int64)
    ids = np.asarray(rec["node_ids"], dtype=object)
    order = np.argsort(keys, kind="stable")
    keys, ids = keys[order], ids[order]

    def ends(col):
        return ids[np.searchsorted(keys, np.asarray(rec[col], dtype=np.int64))]

    return _collapse(ctx, pd.DataFrame({"source": ends("sources"), "target": ends("targets")}))


def _meets(df: pd.DataFrame, grade: str) -> pd.Series:
    if not grade:
        return pd.Series(True, index=df.index)
    return pd.Series([meets_grade(r, c, grade) for r, c in zip(df["reliability"], df["credibility"])], index=df.index)


def _label(ctx, frame: pd.DataFrame, id_col: str = "id", prefix: str = "") -> pd.DataFrame:
    """Add name and type columns from the store for the ids in frame[id_col]."""
    info = node_table(ctx, frame[id_col].tolist())
    names = dict(zip(info["id"], info["caption"]))
    types = dict(zip(info["id"], info["type"]))
    frame[f"{prefix}name"] = [names.get(i) if names.get(i) is not None else i for i in frame[id_col]]
    frame[f"{prefix}type"] = frame[id_col].map(types)
    return frame


def _only_types(ctx, frame: pd.DataFrame) -> pd.DataFrame:
    types = ctx.params.get("types") or []
    return frame[frame["type"].isin(types)].reset_index(drop=True) if types else frame


def _top(frame: pd.DataFrame, top: int) -> pd.DataFrame:
    return frame.head(top).reset_index(drop=True) if top and top > 0 else frame.reset_index(drop=True)


# --- betweenness -----------------------------------------------------------------------------------------------
def betweenness_scores(g: ig.Graph, exact_max: int = 5_000, samples: int = 200,
                       seed: int = SEED) -> tuple[np.ndarray, str]:
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
    if not (ctx.gds and ctx.q.has_gds()) or _entities(ctx):
        return None  # the server-side projection cannot see resolved entities: the client path collapses them
    # GDS's sampled estimator (samplingSize) does not scale like the client-side k-sample one (measured 1.3-1.5x
    # higher on a 2,000-node test graph), so above the exact cap both engines use the client sampler. Decide from
    # the store's entity count (free on Neo4j), before projecting: the projection has at most that many nodes.
    total = ctx.helper("_entity_count", {})
    if not len(total) or int(total["n"].iloc[0]) > max(ctx.params["exact_max"], 2):
        return None
    name = f"linkgraph_{uuid.uuid4().hex[:12]}"
    info = ctx.run({**ctx.params, "graph_name": name}, gds=True)
    try:
        n = int(info["nodes"].iloc[0]) if len(info) else 0
        df = ctx.store.query("CALL gds.betweenness.stream($g) YIELD nodeId, score "
                             "RETURN gds.util.asNode(nodeId).id AS id, score", {"g": name})
    finally:
        ctx.store.query("CALL gds.graph.drop($g, false) YIELD graphName RETURN graphName", {"g": name})
    df["raw"] = df["score"].astype(float)
    return df[["id", "raw"]], n, "exact (gds)"


def _ranked(frame: pd.DataFrame, score: str = "score") -> pd.DataFrame:
    frame = frame.sort_values([score, "name", "id"], ascending=[False, True, True], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(frame.columns.get_loc(score) + 1, "rank", range(1, len(frame) + 1))
    return frame


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
    df = df.sort_values(["score", "id"], ascending=[False, True], kind="stable")
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


# --- Gould-Fernandez brokerage --------------------------------------------------------------------------------
ROLES = ["coordinator", "itinerant", "gatekeeper", "representative", "liaison"]


def gould_fernandez(succ: dict, groups: dict) -> dict[str, Counter]:
    """Brokerage roles of every node b on open two-paths a->b->c (a != c, no a->c link), all three grouped.

    coordinator: a, b, c in one group; itinerant (consultant): a, c in one group, b in another;
    representative: a and b together, c elsewhere; gatekeeper: b and c together, a elsewhere;
    liaison: three different groups.
    """
    pred: dict = {}
    for a, cs in succ.items():
        for c in cs:
            pred.setdefault(c, set()).add(a)
    out: dict[str, Counter] = {}
    for b, ins in pred.items():
        gb = groups.get(b)
        if gb is None:
            continue
        outs = succ.get(b, ())
        cnt = Counter()
        for a in ins:
            ga = groups.get(a)
            if ga is None or a == b:
                continue
            sa = succ.get(a, ())
            for c in outs:
                if c == a or c == b or c in sa:
                    continue
                gc = groups.get(c)
                if gc is None:
                    continue
                if ga == gb == gc:
                    cnt["coordinator"] += 1
                elif ga == gc:
                    cnt["itinerant"] += 1
                elif ga == gb:
                    cnt["representative"] += 1
                elif gb == gc:
                    cnt["gatekeeper"] += 1
                else:
                    cnt["liaison"] += 1
        if cnt:
            out[b] = cnt
    return out


def _groups(ctx, ids: list[str], kind: str) -> dict[str, str]:
    if kind not in ("country", "organisation", "organization"):
        raise LinkgraphError(f"query {ctx.q.name}: group must be country or organisation, got {kind!r}")
    parts = [ctx.helper("_groups", {"ids": ids[i:i + 5000]}) for i in range(0, len(ids), 5000)]
    out = {}
    for df in parts:
        for row in df.to_dict("records"):
            row = {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
            if kind == "country":
                locs = sorted(x for x in (row.get("locations") or []) if x)
                g = row.get("nationality") or row.get("country") or (locs[0] if locs else None)
            else:
                orgs = sorted(x for x in (row.get("organisations") or []) if x)
                g = row["id"] if str(row["id"]).startswith("Organization:") else (orgs[0] if orgs else None)
            if g:
                out[row["id"]] = str(g).upper() if kind == "country" else g
    return out


@runner("brokerage", {"group", "directed", "top", "types"})
def brokerage(ctx):
    p = ctx.params
    edges = _edges(ctx)
    succ: dict[str, set] = {}
    for s, t in zip(edges["source"], edges["target"]):
        if s == t:
            continue
        succ.setdefault(s, set()).add(t)
        if not p["directed"]:
            succ.setdefault(t, set()).add(s)
    ids = sorted(set(succ) | {c for cs in succ.values() for c in cs})
    groups = _groups(ctx, ids, p["group"]) if ids else {}
    roles = gould_fernandez(succ, groups)
    cols = ["name", "type", "group", "score", "rank", *ROLES, "id"]
    if not roles:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame([{"id": b, **{r: int(c.get(r, 0)) for r in ROLES}} for b, c in roles.items()])
    if not p["directed"]:
        # each undirected open two-path a-b-c was counted from both ends (a->b->c and c->b->a)
        for r in ROLES:
            df[r] = df[r] // 2 if r in ("coordinator", "itinerant", "liaison") else df[r]
        # representative and gatekeeper swap under reversal: one undirected path counts once in their sum
        both = df["representative"] + df["gatekeeper"]
        df["representative"] = both // 2
        df["gatekeeper"] = both // 2
    # undirected: representative and gatekeeper are one position seen from either end, so count it once
    df["score"] = df[ROLES].sum(axis=1) - (0 if p["directed"] else df["gatekeeper"])
    df["group"] = df["id"].map(groups)
    df = _only_types(ctx, _label(ctx, df))
    return _top(_ranked(df), p["top"])[cols]


# --- communities, components, k-core, centralities -----------------------------------------------------------
def _numbered(membership) -> tuple[list[int], list[int]]:
    """Community numbers by size (0 = largest, ties by lowest member), and each member's community size."""
    sizes = Counter(membership)
    first = {}
    for i, m in enumerate(membership):
        first.setdefault(m, i)
    order = sorted(sizes, key=lambda m: (-sizes[m], first[m]))
    renum = {m: k for k, m in enumerate(order)}
    return [renum[m] for m in membership], [sizes[m] for m in membership]


def leiden(g: ig.Graph, resolution: float = 1.0, seed: int = SEED) -> list[int]:
    import leidenalg

    if g.ecount() == 0:
        return list(range(g.vcount()))
    part = leidenalg.find_partition(g, leidenalg.RBConfigurationVertexPartition,
                                    resolution_parameter=resolution, seed=seed)
    return list(part.membership)


@runner("communities", {"method", "resolution", "min_size", "types"})
def communities(ctx):
    p = ctx.params
    proj = Projection(_edges(ctx))
    method = p["method"].lower()
    if method == "leiden":
        membership = leiden(proj.graph, p["resolution"])
    elif method == "louvain":
        membership = proj.graph.community_multilevel(resolution=p["resolution"]).membership if proj.n else []
    else:
        raise LinkgraphError(f"query {ctx.q.name}: method must be leiden or louvain, got {p['method']!r}")
    comm, size = _numbered(membership)
    df = pd.DataFrame({"id": proj.ids, "community": comm, "size": size})
    df = df[df["size"] >= p["min_size"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["community", "name", "id"], kind="stable").reset_index(drop=True)
    return df[["id", "name", "type", "community", "size"]]


@runner("components", {"min_size", "types"})
def components(ctx):
    proj = Projection(_edges(ctx))
    comm, size = _numbered(proj.graph.connected_components().membership if proj.n else [])
    df = pd.DataFrame({"id": proj.ids, "component": comm, "size": size})
    df = df[df["size"] >= ctx.params["min_size"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["component", "name", "id"], kind="stable").reset_index(drop=True)
    return df[["id", "name", "type", "component", "size"]]


@runner("kcore", {"min_core", "types"})
def kcore(ctx):
    proj = Projection(_edges(ctx))
    df = pd.DataFrame({"id": proj.ids, "core": proj.graph.coreness() if proj.n else []})
    df = df[df["core"] >= ctx.params["min_core"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["core", "name", "id"], ascending=[False, True, True], kind="stable").reset_index(drop=True)
    return df[["id", "name", "type", "core"]]


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
    except Exception:  # noqa: BLE001 - igraph refuses graphs without edges
        eig = np.zeros(n)
    return pd.DataFrame({"degree": g.degree(), "closeness": close, "eigenvector": eig,
                         "pagerank": np.asarray(g.pagerank(damping=0.85), dtype=float)})


@runner("centrality", {"top", "types"})
def centrality(ctx):
    proj = Projection(_edges(ctx))
    df = centralities(proj.graph)
    df.insert(0, "id", proj.ids)
    df = df.sort_values(["pagerank", "id"], ascending=[False, True], kind="stable")
    want = ctx.params["top"] if ctx.params["top"] and not ctx.params["types"] else 0
    df = _only_types(ctx, _label(ctx, _top(df, want)))
    df = _top(df.sort_values(["pagerank", "name", "id"], ascending=[False, True, True], kind="stable"),
              ctx.params["top"])
    return df[["id", "name", "type", "degree", "closeness", "eigenvector", "pagerank"]]


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
    return df[["name", "type", "score_all", "score_graded", "drop", "rank_all", "rank_graded", "weak_only",
               "method", "id"]]


# --- for `linkgraph demo` and reports -----------------------------------------------------------------------------
def summary(store, top: int = 10) -> dict[str, pd.DataFrame]:
    """The headline tables of a store: brokers, brokerage, communities, repeat offenders, shared identifiers,
    recurring identifiers, trade routes. Each value is a DataFrame (empty when the store has nothing for it)."""
    from linkgraph.querylib import execute

    out: dict[str, pd.DataFrame] = {}
    out["brokers"] = execute("brokers", store, top=top).frame
    out["brokerage"] = execute("brokerage", store, top=top).frame
    comm = execute("communities", store, min_size=3).frame
    if len(comm):
        comm = (comm.groupby("community", sort=True)
                .agg(size=("id", "size"), members=("name", lambda s: ", ".join(map(str, list(s)[:8]))))
                .reset_index().head(top))
    out["communities"] = comm
    out["repeat_offenders"] = execute("repeat_offenders", store).frame.head(top)
    out["shared_identifiers"] = execute("shared_identifiers", store).frame.head(top)
    out["recurring_identifiers"] = execute("recurring_identifiers", store).frame.head(top)
    out["trade_routes"] = execute("trade_routes", store).frame.head(top)
    return out
