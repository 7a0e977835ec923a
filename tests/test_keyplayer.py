"""Key players (Borgatti 2006): the measures against networkx, the exhaustive search against brute force, the
heuristic on a case greedy alone gets wrong, and the query on both engines and from the CLI."""

from __future__ import annotations

import io
import random
from itertools import combinations

import igraph as ig
import networkx as nx
import pandas as pd
import pytest

from linkgraph.errors import LinkgraphError
from linkgraph.keyplayer import _greedy, _scorer, distance_fragmentation, fragmentation, key_players, reach
from linkgraph.querylib import execute
from linkgraph.schema import link_id, node_id
from linkgraph.store import open_store
from tests.fixture_graph import _obs


# --- the measures, computed independently with networkx -------------------------------------------------------
def _nx_fragmentation(h: nx.Graph) -> float:
    n = h.number_of_nodes()
    return 1 - sum(len(c) * (len(c) - 1) for c in nx.connected_components(h)) / (n * (n - 1))


def _nx_distance_fragmentation(h: nx.Graph) -> float:
    n = h.number_of_nodes()
    inv = sum(1 / d for src, ds in nx.all_pairs_shortest_path_length(h) for dst, d in ds.items() if dst != src)
    return 1 - inv / (n * (n - 1))


def _nx_reach(h: nx.Graph, members) -> float:
    d = nx.multi_source_dijkstra_path_length(h, set(members))
    outside = [v for v in h if v not in members]
    return sum(1 / d[v] for v in outside if v in d) / len(outside)


def _random_graph(n: int, m: int, seed: int) -> tuple[ig.Graph, nx.Graph]:
    rnd = random.Random(seed)
    edges = set()
    while len(edges) < m:
        a, b = rnd.sample(range(n), 2)
        edges.add((min(a, b), max(a, b)))
    g = ig.Graph(n=n, edges=sorted(edges))
    h = nx.Graph()
    h.add_nodes_from(range(n))
    h.add_edges_from(edges)
    return g, h


def _removed(h: nx.Graph, s) -> nx.Graph:
    h = h.copy()
    h.remove_nodes_from(s)
    return h


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_measures_match_networkx(seed):
    g, h = _random_graph(40, 55, seed)
    for s in [(), (0,), (3, 17), (5, 9, 30)]:
        assert fragmentation(g, s) == pytest.approx(_nx_fragmentation(_removed(h, s)))
        assert distance_fragmentation(g, s) == pytest.approx(_nx_distance_fragmentation(_removed(h, s)))
        if s:
            assert reach(g, s) == pytest.approx(_nx_reach(h, s))


@pytest.mark.parametrize(
    "measure, nx_score",
    [
        ("fragmentation", lambda h, s: _nx_fragmentation(_removed(h, s))),
        ("distance_fragmentation", lambda h, s: _nx_distance_fragmentation(_removed(h, s))),
        ("reach", _nx_reach),
    ],
)
def test_exhaustive_search_is_the_brute_force_optimum(measure, nx_score):
    # about 100 nodes for k up to 2, and k = 3 where the brute force in networkx stays quick
    cases = [(100, 130, 1, 4), (100, 130, 2, 5), (24, 30, 3, 6)]
    if measure == "distance_fragmentation":  # all pairs' distances per set in networkx: smaller networks
        cases = [(100, 130, 1, 4), (50, 65, 2, 5), (20, 25, 3, 6)]
    for n, m, k, seed in cases:
        g, h = _random_graph(n, m, seed)
        seq, _, method = key_players(g, k, measure, exact_max=10**9)
        assert method == "exhaustive"
        best = max(nx_score(h, s) for s in combinations(range(n), k))
        assert seq[-1][1] == pytest.approx(best)
        assert nx_score(h, [v for v, _ in seq]) == pytest.approx(best)


def test_exhaustive_search_on_100_nodes_and_k_3():
    g, h = _random_graph(100, 140, 7)
    seq, baseline, method = key_players(g, 3)
    assert method == "exhaustive"
    # every 3-set, scored by igraph components (networkx over 161,700 sets would take minutes)
    best = max(fragmentation(g, s) for s in combinations(range(100), 3))
    assert seq[-1][1] == pytest.approx(best)
    assert baseline == pytest.approx(_nx_fragmentation(h))


def _cells() -> ig.Graph:
    """Three cells of four (cliques), cell A - broker X - cell B - broker Y - cell C. Vertices: A 0-3, X 4,
    B 5-8, Y 9, C 10-13; X links 0 and 5, Y links 6 and 10."""
    g = ig.Graph(n=14)
    for cell in ([0, 1, 2, 3], [5, 6, 7, 8], [10, 11, 12, 13]):
        g.add_edges(list(combinations(cell, 2)))
    g.add_edges([(0, 4), (4, 5), (6, 9), (9, 10)])
    return g


def test_the_two_brokers_break_the_network_into_its_cells():
    g = _cells()
    # greedy alone starts with 5 (cell B's contact of X cuts 5 from 8), and cannot reach the best pair
    greedy = _greedy(_scorer(g, "fragmentation"), list(range(14)), 2)
    assert greedy[0] == 5 and set(greedy) != {4, 9}
    for exact_max in (10**6, 0):  # exhaustive, then Borgatti's greedy+swap
        seq, baseline, method = key_players(g, 2, exact_max=exact_max)
        assert method == ("exhaustive" if exact_max else "greedy+swap")
        assert {v for v, _ in seq} == {4, 9}
        # after one broker: 4 and 9 nodes apart (1 - (12 + 72) / 156); after both: three cells of 4
        assert [round(s, 4) for _, s in seq] == [round(1 - 84 / 156, 4), round(1 - 36 / 132, 4)]
        assert baseline == 0


def test_heuristic_on_random_networks_is_near_the_optimum():
    gaps = []
    for seed in range(10):
        g, _ = _random_graph(60, 75, 100 + seed)
        exact = key_players(g, 2, exact_max=10**9)[0][-1][1]
        heuristic = key_players(g, 2, exact_max=0)[0][-1][1]
        assert heuristic <= exact + 1e-12
        gaps.append(exact - heuristic)
    # the swap step reaches the optimum on most of these networks, and comes close on the rest
    assert sum(gap < 1e-9 for gap in gaps) >= 8 and max(gaps) < 0.05


def test_candidates_limit_the_choice():
    g = _cells()
    seq, _, _ = key_players(g, 1, candidates=[0, 1, 2, 3])
    assert seq[0][0] == 0  # the only member of cell A whose removal cuts anything off


# --- the query, on both engines --------------------------------------------------------------------------------
CELLS = {"A": ["Anna", "Abel", "Ari", "Ada"], "B": ["Bea", "Ben", "Bo", "Bram"], "C": ["Cy", "Cal", "Cleo", "Cora"]}


def _pid(name: str) -> str:
    return node_id("Person", {"name_key": name.lower(), "birth_date": None}, source="cells.xlsx")


FRONT = "Organization:front"


def _ends(source, source_type, target, target_type) -> dict:
    return {"source": source, "source_type": source_type, "target": target, "target_type": target_type}


def _network_frames():
    """The cells network above as people (broker Xavier graded E5), and a separate front company with three
    members: Fiona, Finn, Flora."""
    people = [n for cell in CELLS.values() for n in cell] + ["Xavier", "Yusuf", "Fiona", "Finn", "Flora"]
    grade = {"Xavier": "E5"}
    nodes = {
        "Person": pd.DataFrame(
            [
                _obs(i, grade.get(n, "B2"), id=_pid(n), caption=n, name=n, name_key=n.lower())
                for i, n in enumerate(people)
            ]
        ),
        "Organization": pd.DataFrame([_obs(50, id=FRONT, caption="Front Ltd", name="Front Ltd", name_key="front ltd")]),
    }
    pairs = [(a, b) for cell in CELLS.values() for a, b in combinations(cell, 2)]
    pairs += [("Anna", "Xavier"), ("Xavier", "Bea"), ("Ben", "Yusuf"), ("Yusuf", "Cy")]
    assoc = [
        _obs(60 + i, id=link_id("ASSOCIATE_OF", _pid(a), _pid(b), {}), **_ends(_pid(a), "Person", _pid(b), "Person"))
        for i, (a, b) in enumerate(pairs)
    ]
    member = [
        _obs(90 + i, id=link_id("MEMBER_OF", _pid(n), FRONT, {}), **_ends(_pid(n), "Person", FRONT, "Organization"))
        for i, n in enumerate(["Fiona", "Finn", "Flora"])
    ]
    return nodes, {"ASSOCIATE_OF": pd.DataFrame(assoc), "MEMBER_OF": pd.DataFrame(member)}


@pytest.fixture
def cells_store(store):
    store.write(*_network_frames())
    return store


def test_query_finds_the_brokers(cells_store):
    df = execute("key_players", cells_store, k=2, network=_pid("Bea")).frame
    assert list(df.columns) == ["step", "name", "id", "type", "score", "baseline", "measure", "method"]
    assert set(df["name"]) == {"Xavier", "Yusuf"} and list(df["step"]) == [1, 2]
    assert list(df["score"]) == [round(1 - 84 / 156, 6), round(1 - 36 / 132, 6)]
    assert set(df["method"]) == {"exhaustive"} and set(df["measure"]) == {"fragmentation"}


def test_query_candidate_constraints(cells_store):
    # Xavier is graded E5: at B2 or better, the best pair without him cuts cell A off at Anna
    graded = execute("key_players", cells_store, k=2, network=_pid("Bea"), candidate_min_grade="B2").frame
    assert "Xavier" not in set(graded["name"]) and "Yusuf" in set(graded["name"])
    # in the front company's network only its members are people; with any type allowed, the company itself
    front = {"network": FRONT, "k": 1}
    assert execute("key_players", cells_store, **front).frame["type"].tolist() == ["Person"]
    company = execute("key_players", cells_store, **front, candidate_types=[]).frame
    assert company["name"].tolist() == ["Front Ltd"] and company["score"].tolist() == [1.0]


def test_query_reach_and_errors(cells_store):
    df = execute("key_players", cells_store, k=1, measure="reach", network=_pid("Bea")).frame
    assert len(df) == 1 and df["measure"].iloc[0] == "reach" and 0 < df["score"].iloc[0] <= 1
    with pytest.raises(LinkgraphError, match="measure must be one of"):
        execute("key_players", cells_store, measure="betweenness")
    with pytest.raises(LinkgraphError, match="no links in this projection"):
        execute("key_players", cells_store, network="Person:nobody")


def test_cli_key_players(store_target):
    from typer.testing import CliRunner

    from linkgraph.cli import app

    with open_store(store_target) as s:
        s.write(*_network_frames())
    res = CliRunner().invoke(
        app,
        [
            "query",
            "key_players",
            "--param",
            "k=2",
            "--param",
            f"network={_pid('Cy')}",
            "--format",
            "csv",
            "--db",
            store_target,
        ],
    )
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.output))
    assert df["name"].tolist()[:2] in (["Xavier", "Yusuf"], ["Yusuf", "Xavier"]) and df["step"].tolist() == [1, 2]
