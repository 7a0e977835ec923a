"""Marks: an analytic query's result on the chart and in every export.

The store is the key-player cells network of tests/test_keyplayer.py: three cells of four joined by the brokers
Xavier (A-B) and Yusuf (B-C). Around Bea at one hop, Xavier is drawn and Yusuf is not; the two key players
(k=2) are exactly the brokers, after one removal the network is 4 + 9 (fragmentation 1 - 84/156 = 0.46), after
both three cells of four (1 - 36/132 = 0.73).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import time
import warnings
import zipfile

import openpyxl
import pytest
from lxml import etree
from typer.testing import CliRunner

import linkgraph
from linkgraph.errors import LinkgraphError
from linkgraph.marks import MarkWarning, apply_marks, mark_text
from linkgraph.querylib import execute
from linkgraph.render import write
from linkgraph.render.html import Chart
from linkgraph.selection import select
from linkgraph.store import open_store
from tests.test_keyplayer import _network_frames, _pid

BROKERS = {"Xavier", "Yusuf"}
SCORES = {1: 1 - 84 / 156, 2: 1 - 36 / 132}
PARAMS = {"k": 2, "network": _pid("Bea")}


@pytest.fixture
def cells(store):
    store.write(*_network_frames())
    return store


def _expected(store) -> list[tuple[str, str]]:
    """(id, text) of the key players in step order, from the query itself."""
    df = execute("key_players", store, **PARAMS).frame
    assert set(df["name"]) == BROKERS and list(df["step"]) == [1, 2]
    return [
        (
            r.id,
            f"key player {r.step} of 2: fragmentation {SCORES[r.step]:.2f} after this step, from 0.00 (exhaustive)",
        )
        for r in df.itertuples()
    ]


def _marked_subgraph(store):
    return select(store, around="Bea", hops=1, mark="key_players", mark_params=PARAMS)


def test_chart_marks_exactly_the_key_players_in_order(cells):
    expected = _expected(cells)
    sub = _marked_subgraph(cells)
    # Yusuf is two hops from Bea: added to the drawing with his link to Ben, not the one to Cy (not drawn)
    assert sub.mark_info["added"] == [_pid("Yusuf")] and sub.mark_info["missing"] == []
    assert sub.mark_info["marked"] == 2 and sub.mark_info["rows"] == 2
    yusuf = sub.links[(sub.links["source"] == _pid("Yusuf")) | (sub.links["target"] == _pid("Yusuf"))]
    assert {frozenset((s, t)) for s, t in zip(yusuf["source"], yusuf["target"])} == {
        frozenset((_pid("Ben"), _pid("Yusuf")))
    }
    data = Chart(sub).data()
    marked = sorted((n["mk"][0], n["i"], n["mk"][1]) for n in data["nodes"] if "mk" in n)
    assert [(i, t) for _, i, t in marked] == expected
    assert [r for r, _, _ in marked] == [1, 2]
    assert data["mark"]["ids"] == [i for i, _ in expected]
    assert data["mark"]["title"] == "Key players (Borgatti's key-player problem)"
    captions = {n["i"]: n["c"] for n in data["nodes"]}
    assert {captions[i] for i, _ in expected} == BROKERS


def test_exports_carry_the_mark_of_exactly_the_key_players(cells, tmp_path):
    expected = dict(_expected(cells))
    rank = {i: r for r, (i, _) in enumerate(_expected(cells), 1)}
    sub = _marked_subgraph(cells)
    n_nodes = len(sub.nodes)

    def graph_marks(path, node_tag, value_of):
        root = etree.parse(str(path)).getroot()
        ns = {"g": root.nsmap[None]}
        return root, ns, {el.get("id"): value_of(root, ns, el) for el in root.iter(f"{{{ns['g']}}}{node_tag}")}

    # GraphML: node attributes `mark` and `mark_rank`
    p = write(sub, "graphml", tmp_path / "c.graphml")
    root, ns, nodes = graph_marks(p, "node", lambda r, ns, el: {d.get("key"): d.text for d in el.findall("g:data", ns)})
    keys = {k.get("attr.name"): k.get("id") for k in root.findall("g:key[@for='node']", ns)}
    got = {i: (d.get(keys["mark_rank"]), d.get(keys["mark"])) for i, d in nodes.items() if keys["mark"] in d}
    assert len(nodes) == n_nodes and got == {i: (str(rank[i]), t) for i, t in expected.items()}

    # GEXF: node attvalues
    p = write(sub, "gexf", tmp_path / "c.gexf")
    root = etree.parse(str(p)).getroot()
    ns = {"g": root.nsmap[None]}
    ids = {a.get("title"): a.get("id") for a in root.findall("g:graph/g:attributes[@class='node']/g:attribute", ns)}
    got = {}
    for el in root.iterfind("g:graph/g:nodes/g:node", ns):
        vals = {v.get("for"): v.get("value") for v in el.iterfind("g:attvalues/g:attvalue", ns)}
        if ids["mark"] in vals:
            got[el.get("id")] = (vals[ids["mark_rank"]], vals[ids["mark"]])
    assert got == {i: (str(rank[i]), t) for i, t in expected.items()}

    # ANX: `mark` and `mark_rank` attributes on the entity, and a visible frame
    p = write(sub, "anx", tmp_path / "c.anx")
    root = etree.fromstring(p.read_bytes())
    got, framed = {}, set()
    for ci in root.find("ChartItemCollection").findall("ChartItem"):
        ent = ci.find("End/Entity")
        if ent is None:
            continue
        attrs = {a.get("AttributeClass"): a.get("Value") for a in ci.iter("Attribute")}
        if "mark" in attrs:
            got[ent.get("Identity")] = (attrs["mark_rank"], attrs["mark"])
        frame = ent.find("Icon/IconStyle/FrameStyle")
        if frame is not None and frame.get("Visible") == "true":
            framed.add(ent.get("Identity"))
    assert got == {i: (str(rank[i]), t) for i, t in expected.items()} and framed == set(expected)
    classes = {c.get("Name"): c.get("Type") for c in root.find("AttributeClassCollection")}
    assert classes["mark"] == "AttText" and classes["mark_rank"] == "AttNumber"

    # XLSX: Entities columns mark_rank and mark after the caption
    p = write(sub, "xlsx", tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(p)["Entities"]
    rows = list(ws.iter_rows(values_only=True))
    head = list(rows[0])
    assert head[:5] == ["id", "type", "caption", "mark_rank", "mark"]
    got = {r[0]: (r[3], r[4]) for r in rows[1:] if r[4] is not None}
    assert len(rows) - 1 == n_nodes and got == {i: (rank[i], t) for i, t in expected.items()}
    readme = {r[0]: r[1] for r in openpyxl.load_workbook(p)["README"].iter_rows(values_only=True) if r[0]}
    assert readme["Marks"] == "Marked by Key players (Borgatti's key-player problem): 2 entities"

    # CSV
    p = write(sub, "csv", tmp_path / "c.zip")
    with zipfile.ZipFile(p) as z:
        lines = list(csv.reader(io.StringIO(z.read("entities.csv").decode("utf-8-sig"))))[1:]
    head = lines[0]
    got = {r[0]: (r[head.index("mark_rank")], r[head.index("mark")]) for r in lines[1:] if r[head.index("mark")]}
    assert got == {i: (str(rank[i]), t) for i, t in expected.items()}


def test_library_chart_and_export(cells, tmp_path):
    chart = linkgraph.chart(cells, around="Bea", hops=1, mark="key_players", mark_params=PARAMS)
    assert {nd.id for nd in chart._items[0] if nd.mark} == {_pid(n) for n in BROKERS}
    p = linkgraph.export("graphml", tmp_path / "x.graphml", cells, mark="key_players", mark_params=PARAMS)
    assert p.read_text(encoding="utf-8").count("after this step") == 2


@pytest.mark.parametrize("store_target", ["embedded"], indirect=True)
def test_rows_outside_the_selection_are_reported(cells):
    sub = select(cells, around="Bea", hops=1)
    with pytest.warns(MarkWarning, match=r"1 of 2 marked ids are outside the selection: Person:"):
        sub = apply_marks(cells, sub, "key_players", PARAMS, add=False)
    assert set(sub.marks) == {_pid("Xavier")} and sub.mark_info["missing"] == [_pid("Yusuf")]
    assert sub.mark_info["marked"] == 1 and _pid("Yusuf") not in set(sub.nodes["id"])
    with pytest.raises(LinkgraphError, match="query trade_routes cannot mark a chart: it returns no id column"):
        apply_marks(cells, sub, "trade_routes", {})


def test_mark_text_template_and_fallback():
    row = {"id": "Location:KE", "name": "Kenya", "type": "Location", "seizures": 12, "score": 0.4567}
    assert mark_text("", row, 1, 3, "Transit hubs") == "Transit hubs 1 of 3: seizures 12, score 0.457"
    assert mark_text("hub {rank} of {count}: {score:.1f}", row, 1, 3, "T") == "hub 1 of 3: 0.5"
    # a template reaches plain columns only, never a value's attributes; a missing column falls back too
    assert mark_text("{name.__class__}", row, 2, 3, "T") == "T 2 of 3: seizures 12, score 0.457"
    assert mark_text("{nope}", {"id": "x", "score": None}, 1, 1, "T") == "T 1 of 1"


@pytest.mark.parametrize("store_target", ["embedded"], indirect=True)
def test_hostile_mark_text_is_neutralised_in_tables(cells, tmp_path):
    sub = _marked_subgraph(cells)
    xavier = _pid("Xavier")
    sub.marks[xavier]["text"] = '=HYPERLINK("http://x.invalid","<script>alert(1)</script>")'
    ws = openpyxl.load_workbook(write(sub, "xlsx", tmp_path / "h.xlsx"))["Entities"]
    cell = next(r[4] for r in ws.iter_rows(values_only=True) if r[0] == xavier)
    assert cell == "'" + sub.marks[xavier]["text"]
    page = Chart(sub).to_html()
    assert "<script>alert(1)</script>" not in page and "\\u003cscript\\u003ealert(1)" in page


# ------------------------------------------------------------------------------------------------ CLI


def _chart_data(path) -> dict:
    page = path.read_text(encoding="utf-8")
    block = re.search(r'<script type="application/json" id="lg-data">(.*?)</script>', page, re.S).group(1)
    return json.loads(block)


@pytest.mark.parametrize("store_target", ["embedded"], indirect=True)
def test_cli_chart_and_export_mark(store_target, tmp_path):
    from linkgraph.cli import app

    with open_store(store_target) as s:
        s.write(*_network_frames())
        expected = _expected(s)
    marks = ["--mark", "key_players", "--mark-param", "k=2", "--mark-param", f"network={_pid('Bea')}"]
    common = ["--around", "Bea", "--hops", "1", *marks, "--db", store_target]
    res = CliRunner().invoke(app, ["chart", "--out", str(tmp_path / "c.html"), *common])
    assert res.exit_code == 0, res.output
    assert "marked 2 of 2 entities by key_players; 1 added to the selection" in res.output
    data = _chart_data(tmp_path / "c.html")
    got = sorted((n["mk"][0], n["i"], n["mk"][1]) for n in data["nodes"] if "mk" in n)
    assert [(i, t) for _, i, t in got] == expected
    res = CliRunner().invoke(app, ["export", "xlsx", "--out", str(tmp_path / "c.xlsx"), *common])
    assert res.exit_code == 0, res.output
    rows = list(openpyxl.load_workbook(tmp_path / "c.xlsx")["Entities"].iter_rows(values_only=True))
    assert [(r[0], r[4]) for r in sorted(rows[1:], key=lambda r: r[3] or 99) if r[4]] == expected
    # errors are LinkgraphErrors, which the entry point prints as one line
    res = CliRunner().invoke(app, ["chart", "--mark-param", "k=2", "--db", store_target])
    assert isinstance(res.exception, LinkgraphError) and str(res.exception) == "--mark-param needs --mark QUERY"
    res = CliRunner().invoke(app, ["chart", "--mark", "key_players", "--mark-param", "k", "--db", store_target])
    assert str(res.exception) == "--mark-param 'k' is not of the form name=value"


# ------------------------------------------------------------------------------------------------ browser


@pytest.mark.parametrize("store_target", ["embedded"], indirect=True)
def test_browser_marks_are_styled_and_the_toggle_shows_only_them(cells, tmp_path):
    from tests.test_render_browser import _driver, _wait, load

    expected = _expected(cells)
    path = Chart(_marked_subgraph(cells)).write(tmp_path / "marked.html")
    drv, profile = _driver()
    try:
        load(drv, path)
        assert drv.execute_script("return window.__csp") == []
        style = drv.execute_script(
            """return linkgraph.data.nodes.map(function (n, k) {
                 var o = linkgraph.nodes.get(k);
                 return [n.i, o.label, o.borderWidth || 0, o.color ? o.color.border : null];
               });"""
        )
        marked = {i: (label, width, colour) for i, label, width, colour in style if width}
        assert set(marked) == {i for i, _ in expected}
        for rank, (i, _) in enumerate(expected, 1):
            label, width, colour = marked[i]
            assert label.startswith(f"#{rank} ") and width == 4 and colour == "#8E24AA"
        # the drawn node really has the border (vis-network's own options for it)
        body = drv.execute_script(
            "var n = linkgraph.network.body.nodes[linkgraph.nodeIndex(arguments[0])];"
            " return [n.options.borderWidth, n.options.shapeProperties.useBorderWithImage];",
            expected[0][0],
        )
        assert body == [4, True]
        sec = drv.find_element("id", "lg-mark-sec")
        assert sec.is_displayed()
        assert "Marked: Key players (Borgatti's key-player problem)" in sec.text
        assert drv.find_element("id", "lg-marks").text.splitlines() == [
            drv.execute_script("return linkgraph.data.nodes[linkgraph.nodeIndex(arguments[0])].c", i)
            for i, _ in expected
        ]
        total = drv.execute_script("return linkgraph.network.body.nodeIndices.length")
        drv.find_element("id", "lg-marked-only").click()
        _wait(drv, "return linkgraph.visibleNodeCount() === 2", 5)
        time.sleep(0.2)
        assert set(drv.execute_script("return linkgraph.drawnIds()")) == {i for i, _ in expected}
        # Xavier and Yusuf are not linked to each other: no link is left
        assert drv.execute_script("return linkgraph.network.body.edgeIndices.length") == 0
        drv.find_element("id", "lg-reset").click()
        assert drv.execute_script("return linkgraph.network.body.nodeIndices.length") == total
        # the side panel shows the mark text
        drv.execute_script("linkgraph.showNode(arguments[0])", expected[1][0])
        panel = drv.find_element("id", "lg-panel").text
        assert "Marked #2 · Key players (Borgatti's key-player problem)" in panel and expected[1][1] in panel
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)


def test_no_warning_without_marks(cells):
    with warnings.catch_warnings():
        warnings.simplefilter("error", MarkWarning)
        sub = select(cells, around="Bea", hops=1)
    assert sub.marks == {} and sub.mark_info == {}
    data = Chart(sub).data()
    assert all("mk" not in n for n in data["nodes"]) and data["mark"] is None
