"""One analysis: a chart's community colours and betweenness sizes are the query library's, on the same graph.

The store: two cells of four people (A: Anna, Abel, Ari, Ada; B: Bea, Ben, Bo, Bram), and Dan, one person in
two records from two sources that resolution merges (a reviewer's match decision): his first record knows three
of cell A, his second Bea of cell B, so as one entity Dan belongs with cell A and is the only way between the
cells. Kenya is the country Anna is a national of (a context link the social analytics leave out) and Front Ltd an
organisation with no links: neither has a community.
"""

from __future__ import annotations

import json
import re
from itertools import combinations
from urllib.parse import unquote

import pandas as pd
import pytest
from typer.testing import CliRunner

import linkgraph
from linkgraph.cli import app
from linkgraph.querylib import execute
from linkgraph.render.html import Chart
from linkgraph.resolve.graph import add_decisions, entity_map, resolve_store
from linkgraph.schema import link_id, node_id
from linkgraph.selection import analyse, select
from tests.fixture_graph import _obs

CELLS = {"A": ["Anna", "Abel", "Ari", "Ada"], "B": ["Bea", "Ben", "Bo", "Bram"]}
KENYA = "Location:ke"
FRONT = "Organization:front"


def _pid(name: str, source: str = "cells.xlsx") -> str:
    return node_id("Person", {"name_key": name.lower(), "birth_date": None}, source=source)


DAN_1, DAN_2 = _pid("Dan Reed"), _pid("Dan Reed", "register.xlsx")


def _ends(source, source_type, target, target_type) -> dict:
    return {"source": source, "source_type": source_type, "target": target, "target_type": target_type}


def _frames():
    people = [(_pid(n), n) for cell in CELLS.values() for n in cell] + [(DAN_1, "Dan Reed"), (DAN_2, "Dan Reed")]
    nodes = {
        "Person": pd.DataFrame(
            [_obs(i, id=pid, caption=n, name=n, name_key=n.lower()) for i, (pid, n) in enumerate(people)]
        ),
        "Organization": pd.DataFrame([_obs(40, id=FRONT, caption="Front Ltd", name="Front Ltd", name_key="front ltd")]),
        "Location": pd.DataFrame([_obs(41, id=KENYA, caption="Kenya", name="Kenya", kind="country", code="KE")]),
    }
    pairs = [(_pid(a), _pid(b)) for cell in CELLS.values() for a, b in combinations(cell, 2)]
    pairs += [(DAN_1, _pid(n)) for n in ("Anna", "Abel", "Ari")] + [(DAN_2, _pid("Bea"))]
    assoc = [
        _obs(50 + i, id=link_id("ASSOCIATE_OF", a, b, {}), **_ends(a, "Person", b, "Person"))
        for i, (a, b) in enumerate(pairs)
    ]
    national = [
        _obs(90, id=link_id("NATIONAL_OF", _pid("Anna"), KENYA, {}), **_ends(_pid("Anna"), "Person", KENYA, "Location"))
    ]
    return nodes, {"ASSOCIATE_OF": pd.DataFrame(assoc), "NATIONAL_OF": pd.DataFrame(national)}


@pytest.fixture
def cells(store):
    store.write(*_frames())
    add_decisions(store, [{"left_id": DAN_1, "right_id": DAN_2, "decision": "match", "note": "same man"}])
    resolve_store(store)
    m = entity_map(store)
    assert m.get(DAN_1, DAN_1) == m.get(DAN_2, DAN_2)  # the two records are one entity
    return store


def _page_data(path) -> dict:
    """The data a written chart page carries (its JSON block)."""
    page = open(path, encoding="utf-8").read()
    return json.loads(re.search(r'<script type="application/json" id="lg-data">(.*?)</script>', page, re.S).group(1))


def _colour_of(data: dict) -> dict[str, str]:
    """node id -> the legend colour its icon is drawn in."""
    colours = [c["colour"] for c in data["colours"]]
    images = [unquote(i) for i in data["images"]]
    out = {}
    for n in data["nodes"]:
        (out[n["i"]],) = [c for c in colours if c in images[n["im"]]]
    return out


def _partition(groups: dict) -> set[frozenset]:
    """{key: group} as a set of groups (frozensets of keys): the grouping, whatever the groups are called."""
    out: dict = {}
    for k, g in groups.items():
        out.setdefault(g, set()).add(k)
    return {frozenset(v) for v in out.values()}


def _same_order(a: dict, b: dict) -> bool:
    """Whether two scorings of the same keys order every pair alike (ties included)."""
    sign = lambda x, y: (x > y) - (x < y)
    return all(sign(a[i], a[j]) == sign(b[i], b[j]) for i, j in combinations(sorted(a), 2))


def _check_store_chart(store, data: dict) -> None:
    """The chart's colours and sizes are the communities and brokers queries' on the store, entity by entity."""
    m = entity_map(store)
    entity = {n["i"]: m.get(n["i"], n["i"]) for n in data["nodes"]}
    comm = execute("communities", store).frame
    community = dict(zip(comm["id"], comm["community"]))
    assert _partition(community) == {
        frozenset(_pid(n) for n in CELLS["A"]) | {m.get(DAN_1, DAN_1)},
        frozenset(_pid(n) for n in CELLS["B"]),
    }
    colour = _colour_of(data)
    # the chart's grouping of the entities the query places is the query's grouping
    placed = {i: colour[i] for i, e in entity.items() if e in community}
    assert _partition(placed) == _partition({i: community[e] for i, e in entity.items() if e in community})
    dan = m.get(DAN_1, DAN_1)
    assert {n["i"] for n in data["nodes"]} & {DAN_1, DAN_2} <= {dan}  # one person, two records: one node
    # the others (the organisation without links, the country behind a context link) have no community
    none = {c["colour"] for c in data["colours"] if c["label"] == "no community"}
    unplaced = {i for i, e in entity.items() if e not in community}
    assert unplaced == {FRONT, KENYA} & set(entity)
    assert {colour[i] for i in unplaced} == none and len(none) == (1 if unplaced else 0)
    assert {c["label"] for c in data["colours"]} >= {"Community 0", "Community 1"}

    brokers = execute("brokers", store, top=0).frame
    score = dict(zip(brokers["id"], brokers["score"]))
    assert brokers["id"].iloc[0] == m.get(DAN_1, DAN_1)  # the one way between the cells
    size = {n["i"]: n["s"] for n in data["nodes"]}
    assert _same_order(size, {i: score.get(e, 0.0) for i, e in entity.items()})
    assert size[dan] == max(size.values())

    meta = data["meta"]
    algorithm = comm["method"].iloc[0].capitalize()  # Leiden, or Leiden (gds) on Neo4j with Graph Data Science
    assert algorithm.startswith("Leiden")
    note = f"{algorithm} communities of resolved entities (linkgraph query communities), resolution 1.0."
    if unplaced:
        note += " No community: in one under 2 entities, or no social links."
    assert meta["colourNote"] == note
    method = brokers["method"].iloc[0]
    assert meta["sizeNote"] == f"betweenness of resolved entities (linkgraph query brokers), {method}"


def test_cli_chart_colours_and_sizes_are_the_queries(cells, store_target, tmp_path):
    out = tmp_path / "chart.html"
    args = ["chart", "--db", store_target, "--out", str(out), "--color-by", "community", "--size-by", "betweenness"]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    data = _page_data(out)
    _check_store_chart(cells, data)
    page = out.read_text(encoding="utf-8")
    # the legend's text is set from the data by the page script: its heading, the note and the size note
    assert 'id="lg-colour-note"' in page and "$('lg-colour-note').textContent = D.meta.colourNote" in page
    assert "'Entity size: ' + D.meta.sizeNote" in page


def test_python_chart_and_html_export_are_the_queries(cells, tmp_path):
    opts = {"color_by": "community", "size_by": "betweenness"}
    chart = linkgraph.chart(cells, **opts)
    _check_store_chart(cells, _page_data(chart.write(tmp_path / "py.html")))
    path = linkgraph.export("html", tmp_path / "export.html", cells, **opts)
    _check_store_chart(cells, _page_data(path))
    # around Bea, one hop: Dan (one node for his two records) and cell B are drawn, cell A is not. On the
    # drawing alone Dan would go with Bea; as the entity he is, he is in cell A's community, and the top broker
    dan = entity_map(cells).get(DAN_1, DAN_1)
    near = _page_data(linkgraph.chart(cells, around="Bea", hops=1, **opts).write(tmp_path / "near.html"))
    assert {n["i"] for n in near["nodes"]} >= {dan, *(_pid(n) for n in CELLS["B"])}
    assert not {n["i"] for n in near["nodes"]} & {_pid(n) for n in CELLS["A"]}
    _check_store_chart(cells, near)
    colour = _colour_of(near)
    assert colour[dan] != colour[_pid("Bea")]
    # the selection carries what it was coloured and sized by
    sub = analyse(cells, select(cells), **opts)
    assert sub.analysis["community"]["by"].startswith("Leiden")
    assert "communities of resolved entities (linkgraph query communities)" in sub.analysis["community"]["by"]
    assert sub.analysis["size"]["values"][dan] > 0 and not {DAN_1, DAN_2} - {dan} & set(sub.analysis["size"]["values"])


def test_only_what_the_chart_shows_is_computed(cells):
    sub = analyse(cells, select(cells), color_by="type", size_by="degree")
    assert sub.analysis == {}
    data = Chart(sub, color_by="type", size_by="degree").data()
    assert data["meta"]["colourNote"] == "" and data["meta"]["sizeNote"] == "degree"


def _bare() -> linkgraph.Subgraph:
    """The drawing as a package carries it, with no store: Dan's two records unmerged (no SAME_AS link)."""
    nodes, links = _frames()
    frame = pd.concat(nodes.values(), ignore_index=True)[["id", "caption", "name"]]
    frame["type"] = frame["id"].str.split(":").str[0]
    edges = pd.concat(links.values(), ignore_index=True)
    edges["type"] = ["ASSOCIATE_OF"] * len(links["ASSOCIATE_OF"]) + ["NATIONAL_OF"] * len(links["NATIONAL_OF"])
    return linkgraph.Subgraph(frame, edges[["id", "type", "source", "target"]], title="package")


def test_bare_subgraph_uses_the_same_functions_on_the_drawn_subgraph(tmp_path):
    import networkx as nx

    sub = _bare()
    data = _page_data(Chart(sub, color_by="community", size_by="betweenness").write(tmp_path / "bare.html"))
    colour = _colour_of(data)
    a, b = ({_pid(n) for n in CELLS[c]} for c in "AB")
    # unmerged, each record of Dan goes with the people it knows
    assert _partition({i: c for i, c in colour.items() if i not in (FRONT, KENYA)}) == {
        frozenset(a | {DAN_1}),
        frozenset(b | {DAN_2}),
    }
    assert data["meta"]["colourNote"] == (
        "Leiden communities on the drawn subgraph, resolution 1.0. "
        "No community: in one under 2 entities, or no social links."
    )
    assert data["meta"]["sizeNote"] == "betweenness on the drawn subgraph, exact"
    # sizes in the order of betweenness on the drawn social links (the country's context link left out)
    social = sub.links[sub.links["type"] == "ASSOCIATE_OF"]
    g = nx.Graph(list(zip(social["source"], social["target"])))
    g.add_nodes_from(sub.nodes["id"])
    size = {n["i"]: n["s"] for n in data["nodes"]}
    assert _same_order(size, nx.betweenness_centrality(g))
    assert max(size, key=size.get) == _pid("Bea")
