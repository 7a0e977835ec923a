"""Network analytics on a query's projection: betweenness (node and link), Gould-Fernandez brokerage,
communities, components, k-core, centralities, and grade sensitivity.

Each analytic query in queries/ is a projection (the links to analyse, with filters) plus one named function
here. The projected links are read client-side into python-igraph as a simple undirected graph (parallel links
and direction dropped, as social network analysis of an intelligence chart does). On a Neo4j server with Graph
Data Science (probed once with `CALL gds.version()`), node betweenness, components, k-core, centralities and
communities run in GDS instead, on the query's `.gds.cypher` projection (Cypher aggregation: the same simple
undirected graph, records merged by resolution collapsed to their entity's representative through its SAME_AS
link), with the same parameters and normalisation, so both paths give the same results. Each projection lives
in the GDS catalog under a fresh name for one query and is dropped afterwards. Edge betweenness, brokerage and
grade sensitivity stay client-side: GDS 2.13 has no procedure for them.

Betweenness is exact up to `exact_max` nodes. Above it, pivots are sampled (networkx's k-sample estimator,
Brandes & Pich 2007): igraph's subset betweenness from k random sources, scaled by n/k. The `method` column says
which: `exact`, `exact (gds)` or `sampled(k=200, seed=42)`; the other analytics name their path the same way
(`exact` or `exact (gds)`, `leiden` or `leiden (gds)`).
"""

from __future__ import annotations

import uuid
from collections import Counter
from contextlib import contextmanager

import igraph as ig
import numpy as np
import pandas as pd

from linkgraph import cites, grading
from linkgraph.errors import LinkgraphError
from linkgraph.keyplayer import MEASURES
from linkgraph.keyplayer import key_players as find_key_players
from linkgraph.querylib.registry import runner
from linkgraph.querylib.run import QueryResult
from linkgraph.querylib.runners import node_table
from linkgraph.resolve.graph import entity_map

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
    minimum = grading.parse(grade)
    return pd.Series(
        [grading.meets(r, c, minimum) for r, c in zip(df["reliability"], df["credibility"])], index=df.index
    )


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


# --- Graph Data Science -------------------------------------------------------------------------------------------
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


# --- betweenness -----------------------------------------------------------------------------------------------
def betweenness_scores(
    g: ig.Graph, exact_max: int = 5_000, samples: int = 200, seed: int = SEED
) -> tuple[np.ndarray, str]:
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
    if not _use_gds(ctx):
        return None
    # GDS's sampled estimator (samplingSize) does not scale like the client-side k-sample one (measured 1.3-1.5x
    # higher on a 2,000-node test graph), so above the exact cap both engines use the client sampler. Decide from
    # the store's entity count (free on Neo4j), before projecting: the projection has at most that many nodes.
    total = ctx.helper("_entity_count", {})
    if not len(total) or int(total["n"].iloc[0]) > max(ctx.params["exact_max"], 2):
        return None
    scores, n = _gds_run(ctx, {"raw": ("betweenness", {})})
    df = pd.DataFrame({"id": scores.index.tolist(), "raw": scores["raw"].astype(float).to_numpy()})
    return df, n, "exact (gds)"


def _ranked(frame: pd.DataFrame, score: str = "score") -> pd.DataFrame:
    # on the score to 12 places: GDS and igraph sum shortest paths in different orders, so scores equal in exact
    # arithmetic differ in the last bits; equal scores then rank by name on either path
    key = frame[score].astype(float).round(12)
    frame = frame.assign(_key=key).sort_values(["_key", "name", "id"], ascending=[False, True, True], kind="stable")
    frame = frame.drop(columns="_key").reset_index(drop=True)
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
    df = df.assign(_key=df["score"].round(12)).sort_values(["_key", "id"], ascending=[False, True], kind="stable")
    df = df.drop(columns="_key")
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
    parts = [ctx.helper("_groups", {"ids": ids[i : i + 5000]}) for i in range(0, len(ids), 5000)]
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
def numbered(membership, ids) -> tuple[list[int], list[int]]:
    """Community numbers by size (0 = largest, ties by lowest member id), and each member's community size.
    Ties go by id, not by vertex order, so that both paths (and both engines) number alike."""
    sizes = Counter(membership)
    low: dict = {}
    for m, i in zip(membership, ids):
        low[m] = min(low.get(m, i), i)
    order = sorted(sizes, key=lambda m: (-sizes[m], low[m]))
    renum = {m: k for k, m in enumerate(order)}
    return [renum[m] for m in membership], [sizes[m] for m in membership]


def leiden(g: ig.Graph, resolution: float = 1.0, seed: int = SEED) -> list[int]:
    import leidenalg

    if g.ecount() == 0:
        return list(range(g.vcount()))
    part = leidenalg.find_partition(
        g, leidenalg.RBConfigurationVertexPartition, resolution_parameter=resolution, seed=seed
    )
    return list(part.membership)


def _gds_communities(ctx, method: str, resolution: float):
    """(ids, membership) from gds.leiden / gds.louvain, or None where GDS cannot run it as asked."""
    if not _use_gds(ctx):
        return None
    if method == "leiden":
        # one thread: GDS Leiden is reproducible for a seed only then
        algo = ("leiden", {"gamma": float(resolution), "randomSeed": SEED, "concurrency": 1})
    elif resolution == 1.0:  # gds.louvain has no resolution parameter in GDS 2.x
        algo = ("louvain", {"concurrency": 1})
    else:
        return None
    frame, _ = _gds_run(ctx, {"community": algo})
    return frame.index.tolist(), frame["community"].tolist()


@runner("communities", {"method", "resolution", "min_size", "types"})
def communities(ctx):
    p = ctx.params
    method = p["method"].lower()
    if method not in ("leiden", "louvain"):
        raise LinkgraphError(f"query {ctx.q.name}: method must be leiden or louvain, got {p['method']!r}")
    via_gds = _gds_communities(ctx, method, p["resolution"])
    if via_gds is not None:
        ids, membership = via_gds
        label = f"{method} (gds)"
    else:
        proj = Projection(_edges(ctx))
        ids, label = proj.ids, method
        if method == "leiden":
            membership = leiden(proj.graph, p["resolution"])
        else:
            membership = proj.graph.community_multilevel(resolution=p["resolution"]).membership if proj.n else []
    comm, size = numbered(membership, ids)
    df = pd.DataFrame({"id": ids, "community": comm, "size": size})
    df = df[df["size"] >= p["min_size"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["community", "name", "id"], kind="stable").reset_index(drop=True)
    df["method"] = label
    return df[["id", "name", "type", "community", "size", "method"]]


def _per_node(ctx, gds_algo: tuple[str, dict], client) -> tuple[list, list, str]:
    """(ids, values, method) of one per-node measure: from GDS when it can run, else client(graph) in igraph."""
    if _use_gds(ctx):
        frame, _ = _gds_run(ctx, {"value": gds_algo})
        return frame.index.tolist(), frame["value"].tolist(), "exact (gds)"
    proj = Projection(_edges(ctx))
    return proj.ids, (client(proj.graph) if proj.n else []), "exact"


@runner("components", {"min_size", "types"})
def components(ctx):
    ids, membership, method = _per_node(ctx, ("wcc", {}), lambda g: g.connected_components().membership)
    comm, size = numbered(membership, ids)
    df = pd.DataFrame({"id": ids, "component": comm, "size": size})
    df = df[df["size"] >= ctx.params["min_size"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["component", "name", "id"], kind="stable").reset_index(drop=True)
    df["method"] = method
    return df[["id", "name", "type", "component", "size", "method"]]


@runner("kcore", {"min_core", "types"})
def kcore(ctx):
    ids, core, method = _per_node(ctx, ("kcore", {}), lambda g: g.coreness())
    df = pd.DataFrame({"id": ids, "core": pd.Series(core, dtype="int64")})
    df = df[df["core"] >= ctx.params["min_core"]].reset_index(drop=True)
    df = _only_types(ctx, _label(ctx, df))
    df = df.sort_values(["core", "name", "id"], ascending=[False, True, True], kind="stable").reset_index(drop=True)
    df["method"] = method
    return df[["id", "name", "type", "core", "method"]]


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
    return df[
        ["name", "type", "score_all", "score_graded", "drop", "rank_all", "rank_graded", "weak_only", "method", "id"]
    ]


# --- key players ----------------------------------------------------------------------------------------------
@runner("key_players", {"k", "measure", "network", "candidate_types", "candidate_min_grade", "exact_max"})
def key_players(ctx):
    """Borgatti's key-player sets (linkgraph.keyplayer) over the query's projection, one row per member in order."""

    p = ctx.params
    cols = ["step", "name", "id", "type", "score", "baseline", "measure", "method"]
    measure = p["measure"].lower()
    if measure not in MEASURES:
        raise LinkgraphError(f"query {ctx.q.name}: measure must be one of {', '.join(MEASURES)}, got {p['measure']!r}")
    if p["k"] < 1:
        raise LinkgraphError(f"query {ctx.q.name}: k must be at least 1, got {p['k']}")
    proj = Projection(_edges(ctx))
    g, ids = proj.graph, proj.ids
    if p["network"]:
        start = _entities(ctx).get(p["network"], p["network"])
        if start not in proj.index:
            raise LinkgraphError(f"query {ctx.q.name}: entity {p['network']!r} has no links in this projection")
        members = g.subcomponent(proj.index[start])
        g = g.induced_subgraph(sorted(members))
        ids = [ids[v] for v in sorted(members)]
    if not g.vcount():
        return pd.DataFrame(columns=cols)
    info = node_table(ctx, ids)
    kinds = dict(zip(info["id"], info["type"]))
    grades = {i: (r, c) for i, r, c in zip(info["id"], info["reliability"], info["credibility"])}
    types, grade = p["candidate_types"], ctx.raw.get("candidate_min_grade") or ""
    cand = [
        v
        for v, i in enumerate(ids)
        if (not types or kinds.get(i) in types)
        and (not grade or grading.meets(*grades.get(i, (None, None)), grading.parse(grade)))
    ]
    try:
        sequence, baseline, method = find_key_players(g, p["k"], measure, cand, p["exact_max"])
    except ValueError as e:
        raise LinkgraphError(f"query {ctx.q.name}: {e}") from None
    df = pd.DataFrame(
        {
            "step": range(1, len(sequence) + 1),
            "id": [ids[v] for v, _ in sequence],
            "score": [round(s, 6) for _, s in sequence],
        }
    )
    df = _label(ctx, df)
    df["baseline"] = round(baseline, 6)
    df["measure"] = measure
    df["method"] = method
    return df[cols]


# --- CITES trade discrepancies --------------------------------------------------------------------------------
@runner(
    "cites_discrepancies",
    {"term", "exporter", "importer", "min_gap", "min_ratio", "top", "include_matching", "conversions"},
)
def cites_discrepancies(ctx):
    """Importer- versus exporter-reported quantities (linkgraph.cites), with the graph's seizures, permits and
    companies on the same species, corridor and year."""

    p = ctx.params
    if p["min_gap"] < 0 or p["min_ratio"] < 1:
        raise LinkgraphError(f"query {ctx.q.name}: min_gap must be at least 0 and min_ratio at least 1")
    if p["top"] < 0:
        raise LinkgraphError(f"query {ctx.q.name}: top must be 0 (all) or more, got {p['top']}")
    conv = cites.load_conversions(p["conversions"] or None)
    rows = ctx.run()
    if len(rows):
        # filtered before the comparison, so that the corridors are ranked among what is asked for
        for side in ("exporter", "importer"):
            if p[side]:
                rows = rows[rows[side].fillna("").str.upper() == p[side].strip().upper()]
        if p["term"]:
            term = conv.normalise(p["term"], None, None)[0]
            rows = rows[[conv.normalise(t, None, None)[0] == term for t in rows["term"]]]
    df = cites.compare(
        rows, conv, min_gap=p["min_gap"], min_ratio=p["min_ratio"], top=p["top"], include_matching=p["include_matching"]
    )
    cols = [*cites.COLUMNS, "seizures", "permits", "companies"]
    if not len(df):
        return QueryResult(pd.DataFrame(columns=cols))
    species = sorted(set(df["species_id"].dropna()))
    countries = sorted({c for c in [*df["exporter"], *df["importer"]] if c})
    years = sorted(set(df["year"]))
    hits = {
        "seizures": cites.match_seizures(
            ctx.helper("_cites_seizures", {"species_ids": species, "countries": countries}), df
        ),
        "permits": cites.match_permits(ctx.helper("_cites_permits", {"species_ids": species}), df, conv),
        "companies": cites.match_companies(ctx.helper("_cites_companies", {"years": years}), df),
    }
    node_ids = [n for ids in [*df["record_ids"], *df["node_ids"]] for n in ids]
    for col, per_row in hits.items():
        df[col] = [[caption for caption, _ in found] for found in per_row]
        node_ids += [i for found in per_row for _, i in found]
    return QueryResult(df[cols], node_ids=list(dict.fromkeys(node_ids)))


# --- linked seizures ---------------------------------------------------------------------------------------------
EVIDENCE = ("forensic", "party", "phone", "vehicle", "consignee")
# strongest first: one animal in two seizures ties them tighter than kin does (Wasser et al. 2018)
RELATION_ORDER = ("same_individual", "parent_offspring", "full_sibling", "half_sibling", "sibling", "related")


@runner("linked_seizures", {"seizure", "evidence"})
def linked_seizures(ctx):
    """Chains of seizures (connected components) joined by forensic matches and shared parties, phones, vehicles
    and consignees; one row per pair of seizures and piece of evidence."""
    p = ctx.params
    cols = ctx.q.returns
    kinds = [k.lower() for k in p["evidence"]]
    bad = [k for k in kinds if k not in EVIDENCE]
    if bad:
        raise LinkgraphError(f"query {ctx.q.name}: evidence must be among {', '.join(EVIDENCE)}, got {', '.join(bad)}")
    rows = ctx.run()
    if kinds and len(rows):
        rows = rows[rows["evidence"].isin(kinds)]
    pairs = []
    for r in rows[rows["other"].fillna("") != ""].itertuples(index=False):
        lr = r.likelihood_ratio if r.likelihood_ratio == r.likelihood_ratio else None
        pairs.append((r.seizure, r.other, "forensic", r.via_id, r.via, r.relation, lr))
    shared = rows[rows["other"].fillna("") == ""].copy()
    if len(shared):
        # records of one resolved person count as one: two registers naming the same dealer link their seizures
        m = _entities(ctx)
        shared["via_id"] = shared["via_id"].map(lambda x: m.get(x, x))
        shared = shared.drop_duplicates(["seizure", "evidence", "via_id"])
        for (kind, via), grp in shared.groupby(["evidence", "via_id"], sort=True):
            seizures = sorted(set(grp["seizure"]))
            for i, a in enumerate(seizures):
                for b in seizures[i + 1 :]:
                    pairs.append((a, b, kind, via, "", None, None))
    if not pairs:
        return pd.DataFrame(columns=cols)
    df = pd.DataFrame(pairs, columns=["seizure_a", "seizure_b", "evidence", "via_id", "via", "relation", "lr"])
    # one row per pair and piece of evidence, whichever way round the lab or the registers listed them
    swap = df["seizure_a"] > df["seizure_b"]
    df.loc[swap, ["seizure_a", "seizure_b"]] = df.loc[swap, ["seizure_b", "seizure_a"]].to_numpy()
    df = df.drop_duplicates(["seizure_a", "seizure_b", "evidence", "via_id"]).reset_index(drop=True)

    ids = sorted(set(df["seizure_a"]) | set(df["seizure_b"]))
    index = {v: i for i, v in enumerate(ids)}
    g = ig.Graph(n=len(ids), edges=[(index[a], index[b]) for a, b in zip(df["seizure_a"], df["seizure_b"])])
    info = node_table(ctx, ids + sorted(set(df["via_id"][df["evidence"] != "forensic"])))
    caption = dict(zip(info["id"], info["caption"]))
    ref = {i: caption.get(i) or i for i in ids}
    comps = [sorted((ids[v] for v in c), key=lambda i: ref[i]) for c in g.connected_components()]
    comps.sort(key=lambda c: (-len(c), ref[c[0]]))
    chain_of = {i: n for n, c in enumerate(comps, 1) for i in c}
    if p["seizure"]:
        want = [i for i in ids if p["seizure"] in (i, ref[i])]
        if not want:
            return pd.DataFrame(columns=cols)
        df = df[df["seizure_a"].map(chain_of) == chain_of[want[0]]].reset_index(drop=True)

    df["chain"] = df["seizure_a"].map(chain_of)
    rank = {r: i for i, r in enumerate(RELATION_ORDER)}
    out = []
    for n, grp in df.groupby("chain", sort=True):
        members = comps[n - 1]
        forensic = grp[grp["evidence"] == "forensic"]
        rels = sorted(set(forensic["relation"].dropna()), key=lambda r: rank.get(r, len(rank)))
        lrs = forensic["lr"].dropna()
        grp = grp.assign(
            chain_size=len(members),
            chain_seizures=[[ref[i] for i in members]] * len(grp),
            chain_relation=rels[0] if rels else None,
            chain_max_lr=float(lrs.max()) if len(lrs) else None,
        )
        out.append(grp)
    df = pd.concat(out, ignore_index=True)
    df["reference_a"] = df["seizure_a"].map(ref)
    df["reference_b"] = df["seizure_b"].map(ref)
    df["via"] = [
        v if e == "forensic" else caption.get(i) or i for v, e, i in zip(df["via"], df["evidence"], df["via_id"])
    ]
    df["likelihood_ratio"] = df["lr"]
    df["_e"] = df["evidence"].map({k: i for i, k in enumerate(EVIDENCE)})
    df = df.sort_values(["chain", "reference_a", "reference_b", "_e", "via"]).reset_index(drop=True)
    return df[cols]
