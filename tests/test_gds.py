"""Analytics in Neo4j Graph Data Science against the client-side path (python-igraph) on the same server and graph:
components, k-core, centralities, communities and betweenness, on published networks, on a graph of clear
communities, and after entity resolution has merged records (the projection collapses them in Cypher)."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest

from linkgraph import querylib
from linkgraph.querylib import Context, execute, load_query
from linkgraph.querylib.analytics import Projection, _gds_graph, _pairs
from linkgraph.store import open_store
from tests.test_analysis_published import load

ANALYTICS = ["components", "kcore", "centrality", "communities", "brokers"]
# method column of each path: GDS, then client-side
METHODS = {
    "components": ("exact (gds)", "exact"),
    "kcore": ("exact (gds)", "exact"),
    "centrality": ("exact (gds)", "exact"),
    "brokers": ("exact (gds)", "exact"),
    "communities": ("leiden (gds)", "leiden"),
}
ALL_ROWS = {
    "components": {},
    "kcore": {"min_core": 0},
    "centrality": {"top": 0},
    "brokers": {"top": 0},
    "communities": {"min_size": 1},
}


@pytest.fixture
def neo(neo4j_env):
    with open_store(neo4j_env) as s:
        if not querylib.has_gds(s):
            pytest.fail("the test Neo4j should have Graph Data Science")
        yield s


def both(store, name: str, **params) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(GDS result, client-side result) of one query on the same store."""
    store._lg_has_gds = True
    gds = execute(name, store, **{**ALL_ROWS.get(name, {}), **params}).frame
    store._lg_has_gds = False  # the client-side path on the same server
    try:
        client = execute(name, store, **{**ALL_ROWS.get(name, {}), **params}).frame
    finally:
        store._lg_has_gds = None
    return gds, client


def assert_same(name: str, gds: pd.DataFrame, client: pd.DataFrame, tol: float = 1e-8) -> None:
    g_method, c_method = METHODS[name]
    if len(gds):
        assert set(gds["method"]) == {g_method} and set(client["method"]) == {c_method}
    assert list(gds.columns) == list(client.columns)
    a = gds.drop(columns="method").set_index("id").sort_index()
    b = client.drop(columns="method").set_index("id").sort_index()
    assert list(a.index) == list(b.index), name
    for col in a.columns:
        if pd.api.types.is_float_dtype(a[col]) or pd.api.types.is_float_dtype(b[col]):
            assert (a[col].astype(float) - b[col].astype(float)).abs().max() < tol, (name, col)
        else:
            assert a[col].tolist() == b[col].tolist(), (name, col)


def no_graphs_left(store) -> bool:
    return store.query("CALL gds.graph.list() YIELD graphName RETURN graphName").empty


@pytest.mark.parametrize("graph", ["florentine", "karate", "les_miserables", "star_and_clique"])
def test_gds_equals_igraph_on_published_networks(neo, graph):
    g = {
        "florentine": nx.florentine_families_graph,
        "karate": nx.karate_club_graph,
        "les_miserables": nx.les_miserables_graph,
        # two components, one bipartite: plain power iteration oscillates there, igraph's ARPACK does not
        "star_and_clique": lambda: nx.disjoint_union(nx.star_graph(6), nx.complete_graph(4)),
    }[graph]()
    load(neo, g)
    for name in ["components", "kcore", "centrality", "brokers"]:
        gds, client = both(neo, name)
        assert len(gds) > 0
        assert_same(name, gds, client)
    assert no_graphs_left(neo)


def test_gds_centrality_matches_networkx(neo):
    g = nx.karate_club_graph()
    ids = load(neo, g)
    c = execute("centrality", neo, top=0).frame.set_index("id")
    assert set(c["method"]) == {"exact (gds)"}
    close, eig = nx.closeness_centrality(g), nx.eigenvector_centrality_numpy(g)
    pr = nx.pagerank(g, alpha=0.85, weight=None, tol=1e-13)  # karate carries weights: compare unweighted
    top = max(eig.values())
    for n in g.nodes:
        assert c.loc[ids[n], "degree"] == g.degree(n)
        assert c.loc[ids[n], "closeness"] == pytest.approx(close[n], abs=1e-9)
        assert c.loc[ids[n], "eigenvector"] == pytest.approx(eig[n] / top, abs=1e-6)
        assert c.loc[ids[n], "pagerank"] == pytest.approx(pr[n], abs=1e-6)


def test_gds_communities_same_partition_on_clear_communities(neo):
    # five cliques of six joined in a ring, and four planted groups: one best partition each
    g = nx.disjoint_union(nx.connected_caveman_graph(5, 6), nx.planted_partition_graph(4, 10, 0.8, 0.02, seed=3))
    load(neo, g)
    # (not at resolution 0.5: merging neighbouring cliques of the ring pairwise ties, and ties break either way)
    for params in ({}, {"resolution": 1.5}, {"method": "louvain"}):
        gds, client = both(neo, "communities", **params)
        method = params.get("method", "leiden")
        assert set(gds["method"]) == {f"{method} (gds)"} and set(client["method"]) == {method}
        # communities are numbered by size, ties by lowest member id: the same partition gets the same numbers
        assert_same("communities", gds.assign(method="leiden (gds)"), client.assign(method="leiden"))
        assert gds["community"].nunique() == 9
    assert no_graphs_left(neo)


def test_gds_communities_modularity_on_loose_graphs(neo):
    """Where no partition stands out, GDS Leiden and leidenalg may settle on different ones of near-equal
    modularity; Louvain at another resolution than 1.0 has no GDS procedure and runs client-side."""
    g = nx.karate_club_graph()
    ids = load(neo, g)
    node = {v: k for k, v in ids.items()}
    for res in (1.0, 0.5):
        gds, client = both(neo, "communities", resolution=res)
        q = [
            nx.community.modularity(
                g, [{node[i] for i in f[f["community"] == c]["id"]} for c in f["community"].unique()], resolution=res
            )
            for f in (gds, client)
        ]
        assert q[0] == pytest.approx(q[1], abs=0.01)
    louvain = execute("communities", neo, method="louvain", resolution=0.5).frame
    assert set(louvain["method"]) == {"louvain"}


def test_gds_after_resolution_merged_records(neo, tmp_path):
    """The demo investigation, imported and resolved (records merged, others only in the review queue): the GDS
    projection is the client-side path's: one node per entity (the graph holds entities, not records)."""
    from linkgraph.demo import NETWORK_LINKS
    from linkgraph.demo_data import generate
    from linkgraph.importing import import_files
    from linkgraph.resolve.graph import entity_map

    files = generate(tmp_path / "files")
    import_files(neo, files.importable, progress=False)
    merged = entity_map(neo)
    assert len(merged) > 10
    assert not neo.query("MATCH ()-[r:SAME_AS {decision: 'review'}]->() RETURN r.id AS id").empty
    params = {"link_types": NETWORK_LINKS}

    # the projected graph itself: GDS's relationships against the client's collapsed igraph edges
    for name in ANALYTICS:
        q = load_query(name)
        ctx = Context(neo, q, q.coerce(params), params)
        pairs = _pairs(ctx)
        client_edges = {tuple(sorted(e)) for e in pairs.itertuples(index=False)}
        proj = Projection(pairs)
        network = nx.Graph(list(pairs.itertuples(index=False, name=None)))  # the same for every analytic
        if name == "components":
            raw = ctx.run()
            ends = set(raw["source"]) | set(raw["target"])
            assert not ends & set(merged), "a merged record is a node of its own"
            assert ends & set(merged.values()), "the merged entities are in the network"
        with _gds_graph(ctx) as (graph, n):
            rels = neo.query(
                "CALL gds.graph.relationships.stream($g, ['*']) YIELD sourceNodeId, targetNodeId, "
                "relationshipType WHERE relationshipType <> 'SELF' "
                "RETURN gds.util.asNode(sourceNodeId).id AS s, gds.util.asNode(targetNodeId).id AS t",
                {"g": graph},
            )
        gds_edges = {tuple(sorted(e)) for e in rels[["s", "t"]].itertuples(index=False)}
        assert n == proj.n and gds_edges == client_edges, name
        assert not (set(merged) & {x for e in gds_edges for x in e})

    for name in ANALYTICS:
        gds, client = both(neo, name, **params)
        assert len(gds) > 10
        assert not set(gds["id"]) & set(merged)
        if name == "communities":  # a loosely knit network: partitions of (near) equal modularity
            assert gds["method"].iloc[0] == "leiden (gds)" and client["method"].iloc[0] == "leiden"
            assert sorted(gds["id"]) == sorted(client["id"])
            q = [
                nx.community.modularity(network, [set(f[f["community"] == c]["id"]) for c in f["community"].unique()])
                for f in (gds, client)
            ]
            assert q[0] == pytest.approx(q[1], abs=0.01)
            continue
        assert_same(name, gds, client)
    assert no_graphs_left(neo)


def test_gds_empty_projection(neo):
    load(neo, nx.path_graph(4))
    for name in ANALYTICS:
        gds, client = both(neo, name, link_types="NO_SUCH_LINK")
        assert gds.empty and client.empty and list(gds.columns) == list(client.columns), name
    assert no_graphs_left(neo)


def test_gds_communities_do_not_depend_on_the_store(neo):
    """Seeded GDS Leiden depends on the order nodes reach the projection: written in two different orders (so with
    different internal node ids), Les Miserables gets the same communities, since the projection orders by id."""
    import random

    base = nx.les_miserables_graph()
    results = []
    for seed in (1, 2):
        neo.execute("MATCH (n) DETACH DELETE n")
        nodes, edges = list(base.nodes), list(base.edges)
        random.Random(seed).shuffle(nodes)
        random.Random(seed).shuffle(edges)
        g = nx.Graph()
        g.add_nodes_from(nodes)
        g.add_edges_from(edges)
        load(neo, g)
        f = execute("communities", neo, min_size=1).frame
        assert set(f["method"]) == {"leiden (gds)"} and f["community"].nunique() > 3
        results.append(f)
    pd.testing.assert_frame_equal(results[0], results[1])
