"""Exports read back with the tools that consume them: networkx (GraphML, GEXF), an XML parser (ANX), openpyxl
and csv (XLSX, CSV). Every hostile cell must come back neutralised, and no cell may be a formula."""

from __future__ import annotations

import csv
import io
import json
import re
import warnings
import zipfile

import pytest
from lxml import etree

from linkgraph.grading import GradeError, meets_any
from linkgraph.grading import parse as parse_grade
from linkgraph.render import ChartTooLarge, RenderError, write, writer
from linkgraph.render.base import MarkingWarning, date_bounds, normalise_tlp
from linkgraph.safe import is_formula_like, neutralise, xml_text
from tests.render_fixtures import (
    CHINESE,
    FORMULA_AT,
    FORMULA_CR,
    FORMULA_DDE,
    FORMULA_LINK,
    FORMULA_MINUS,
    FORMULA_TAB,
    FORMULAS,
    LINKS,
    NODES,
    VIETNAMESE,
    XSS_CLOSE,
    XSS_IMG,
    XSS_SCRIPT,
    XSS_SOURCE,
    build_subgraph,
)

nx = pytest.importorskip("networkx", reason="pip install networkx (test dependency)")

CREATED = "2025-01-02T03:04:05Z"
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def sub():
    return build_subgraph()


def _write(sub, fmt, path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkingWarning)
        return write(sub, fmt, path, created=CREATED, **kw)


# ------------------------------------------------------------------------------------------------ safe.py


@pytest.mark.parametrize("value", FORMULAS + [" =1+1", "\u00a0@x", "-", "+"])
def test_neutralise_prefixes_formula_text(value):
    assert neutralise(value) == "'" + value
    assert is_formula_like(value)


@pytest.mark.parametrize("value", ["plain", "", "'=already", "a=b", 5, -3.5, None, True])
def test_neutralise_leaves_other_values(value):
    assert neutralise(value) == value


def test_xml_text_replaces_characters_xml_cannot_hold():
    assert xml_text("a\x00b\x1fc\td\ne\rf\ud800") == "a\ufffdb\ufffdc\td\ne\rf\ufffd"


# ------------------------------------------------------------------------------------------------ base


def test_grades_and_dates():
    assert parse_grade("b2") == ("B", 2)
    with pytest.raises(GradeError):
        parse_grade("G7")
    assert meets_any([("B", 2)], ("B", 2)) and meets_any([("A", 1)], ("B", 2))
    assert not meets_any([("A", 3)], ("B", 2)) and not meets_any([("C", 1)], ("B", 2))
    assert not meets_any([], ("F", 6))
    assert date_bounds("2023-04") == ("2023-04-01", "2023-04-31")
    assert date_bounds("2021") == ("2021-01-01", "2021-12-31")
    assert date_bounds("2023-04-01T10:02:00") == ("2023-04-01", "2023-04-01")
    assert date_bounds("unknown") is None


def test_tlp_names():
    assert normalise_tlp("amber strict") == "AMBER+STRICT"
    assert normalise_tlp("TLP:WHITE") == "CLEAR"
    with pytest.raises(RenderError):
        normalise_tlp("PURPLE")


def test_marking_below_data_warns(sub, tmp_path):
    with pytest.warns(MarkingWarning, match="TLP:RED"):
        write(sub, "graphml", tmp_path / "g", tlp="GREEN")


def test_dispatch(sub, tmp_path):
    with pytest.raises(RenderError, match="unknown format"):
        write(sub, "pdf", tmp_path / "x")
    assert writer("i2") is writer("anx")
    assert issubclass(ChartTooLarge, RenderError)


# ------------------------------------------------------------------------------------------------ GraphML / GEXF


def _check_graph(g, sub):
    assert g.is_directed()
    assert set(g.nodes) == set(sub.nodes["id"])
    edges = {(u, v) for u, v in g.edges()}
    assert edges == {(s, t) for _, _, s, t, *_ in LINKS}
    assert g.number_of_edges() == len(LINKS)
    n = g.nodes["p:script"]
    assert n["type"] == "Person" and n["caption"] == XSS_SCRIPT
    assert n["reliability"] == "B" and n["credibility"] == 2 and n["grade"] == "B2"
    assert n["handling"] == "TLP:AMBER"
    prov = json.loads(n["prov"])
    assert [r["source"] for r in prov] == ["seizure_register.xlsx", "informant-17"]
    assert json.loads(n["properties"])["occupation"] == FORMULA_AT
    assert g.nodes["p:img"]["caption"] == XSS_IMG
    assert g.nodes["o:close"]["caption"] == XSS_CLOSE
    assert g.nodes["p:hung"]["caption"] == VIETNAMESE
    assert g.nodes["o:chinese"]["caption"].startswith(CHINESE)
    assert g.nodes["ph:ke"]["valid"] is True
    assert g.nodes["loc:mombasa"]["latitude"] == pytest.approx(-4.05)
    assert g.nodes["sz:1"]["arrests"] == 2
    assert g.nodes["doc:report"]["caption"].startswith(FORMULA_CR)  # raw data, not neutralised, in graph formats
    e = g.edges["ph:ke", "ph:vn"]
    assert e["type"] == "CALLED" and e["date"].startswith("2023-04-01") and e["grade"] == "A1"
    assert e["duration_s"] == 312
    assert json.loads(e["prov"])[0]["row"] == 100
    assert g.edges["p:hung", "o:formula"]["role"] == XSS_IMG


def test_graphml_reads_back_with_networkx(sub, tmp_path):
    p = _write(sub, "graphml", tmp_path / "chart")
    assert p.suffix == ".graphml"
    g = nx.read_graphml(p)
    _check_graph(g, sub)
    assert g.nodes["p:script"]["label"] == XSS_SCRIPT
    assert g.edges["p:script", "p:jane"]["label"] == "ASSOCIATE_OF 2021"
    root = etree.parse(str(p)).getroot()
    ns = {"g": "http://graphml.graphdrawing.org/xmlns"}
    keys = {k.get("attr.name"): k.get("id") for k in root.findall("g:key[@for='graph']", ns)}
    graph = root.find("g:graph", ns)
    gdata = {d.get("key"): d.text for d in graph.findall("g:data", ns)}
    assert gdata[keys["tlp"]] == "TLP:RED" and gdata[keys["created"]] == CREATED
    assert gdata[keys["title"]] == "Operation <b>Pangolin</b> & co"


def test_gexf_reads_back_with_networkx(sub, tmp_path):
    p = _write(sub, "gexf", tmp_path / "chart.gexf")
    g = nx.read_gexf(p)
    _check_graph(g, sub)
    assert g.nodes["p:script"]["label"] == XSS_SCRIPT
    assert g.edges["p:script", "p:jane"]["label"] == "ASSOCIATE_OF 2021"
    meta = etree.parse(str(p)).getroot().find("{http://www.gexf.net/1.2draft}meta")
    assert "TLP:RED" in meta.findtext("{http://www.gexf.net/1.2draft}description")


def test_graph_formats_survive_control_characters(tmp_path):
    s = build_subgraph()
    s.nodes.loc[0, "caption"] = "bad\x00\x07char"
    for fmt in ("graphml", "gexf"):
        p = _write(s, fmt, tmp_path / f"c.{fmt}")
        g = nx.read_graphml(p) if fmt == "graphml" else nx.read_gexf(p)
        assert g.nodes["p:script"]["caption"] == "bad\ufffd\ufffdchar"


# ------------------------------------------------------------------------------------------------ ANX


@pytest.fixture(scope="module")
def anx(sub, tmp_path_factory):
    p = _write(sub, "anx", tmp_path_factory.mktemp("anx") / "chart", tlp="RED", handling="UK 3x5x2 C")
    raw = p.read_bytes()
    return p, raw, etree.fromstring(raw)


def test_anx_is_utf16le_with_bom(anx):
    p, raw, _ = anx
    assert p.suffix == ".anx"
    assert raw[:2] == b"\xff\xfe"
    text = raw[2:].decode("utf-16-le")
    assert text.startswith("<?xml") and "encoding='utf-16'" in text.splitlines()[0].replace('"', "'")


def test_anx_layout(anx):
    _, _, root = anx
    assert root.tag == "Chart"
    children = [c.tag for c in root if isinstance(c.tag, str)]
    order = [
        "ApplicationVersion",
        "StrengthCollection",
        "GradeOne",
        "GradeTwo",
        "GradeThree",
        "SourceHints",
        "AttributeClassCollection",
        "EntityTypeCollection",
        "LinkTypeCollection",
        "ChartItemCollection",
        "PaletteCollection",
    ]
    present = [c for c in children if c in order]
    assert present == order  # all present, in the documented order
    grade_one = [s.get("Text") for s in root.find("GradeOne").iter("String")]
    assert grade_one[:6] == [
        "A - Completely reliable",
        "B - Usually reliable",
        "C - Fairly reliable",
        "D - Not usually reliable",
        "E - Unreliable",
        "F - Reliability cannot be judged",
    ]
    grade_two = [s.get("Text") for s in root.find("GradeTwo").iter("String")]
    assert grade_two[0] == "1 - Confirmed by other sources" and grade_two[5] == "6 - Truth cannot be judged"
    grade_three = [s.get("Text") for s in root.find("GradeThree").iter("String")]
    assert {"TLP:RED", "TLP:AMBER", "TLP:GREEN", "TLP:CLEAR", "TLP:AMBER+STRICT"} <= set(grade_three)
    hints = [s.get("Text") for s in root.find("SourceHints").iter("String")]
    assert "informant" in hints and "register" in hints
    icons = {e.get("Name"): e.get("IconFile") for e in root.find("EntityTypeCollection")}
    assert icons["Person"] == "Person" and icons["Organization"] == "Organization" and icons["Phone"] == "Phone"
    assert set(icons) == {t for _, t, *_ in NODES}
    assert {lt.get("Name") for lt in root.find("LinkTypeCollection")} == {t for _, t, *_ in LINKS}


def test_anx_items_grades_and_sources(anx):
    _, _, root = anx
    items = root.find("ChartItemCollection").findall("ChartItem")
    entities = {ci.find("End/Entity").get("Identity"): ci for ci in items if ci.find("End/Entity") is not None}
    links = [ci for ci in items if ci.find("Link") is not None]
    assert set(entities) == {n for n, *_ in NODES}
    assert len(links) == len(LINKS)
    grade_one = [s.get("Text") for s in root.find("GradeOne").iter("String")]
    grade_two = [s.get("Text") for s in root.find("GradeTwo").iter("String")]
    grade_three = [s.get("Text") for s in root.find("GradeThree").iter("String")]

    p = entities["p:script"]
    assert p.get("Label") == XSS_SCRIPT
    assert p.find("End/Entity/Icon/IconStyle").get("Type") == "Person"
    assert grade_one[int(p.get("GradeOneIndex"))].startswith("B ")
    assert grade_two[int(p.get("GradeTwoIndex"))].startswith("2 ")
    assert grade_three[int(p.get("GradeThreeIndex"))] == "TLP:AMBER"
    assert p.get("SourceReference").startswith("seizure_register.xlsx, sheet 2023, row 14")
    assert p.get("SourceType") == "register"
    cards = p.findall("End/Entity/CardCollection/Card")
    assert len(cards) == 2
    assert grade_one[int(cards[1].get("GradeOneIndex"))].startswith("C ")
    assert cards[1].get("SourceType") == "informant"
    assert json.loads(cards[0].get("Text"))["sha256"]

    assert entities["p:hung"].get("Label") == VIETNAMESE
    assert entities["o:close"].get("Label") == XSS_CLOSE
    # an event entity carries its date
    sz = entities["sz:1"]
    assert sz.get("DateSet") == "true" and sz.get("DateTime").startswith("2023-04-12")

    # links: type, date, grades, ends
    end_ids = {ci.find("End/Entity").get("EntityId"): ident for ident, ci in entities.items()}
    call = next(
        ci
        for ci in links
        if ci.find("Link/LinkStyle").get("Type") == "CALLED" and end_ids[ci.find("Link").get("End1Id")] == "ph:ke"
    )
    assert end_ids[call.find("Link").get("End2Id")] == "ph:vn"
    assert call.get("DateTime").startswith("2023-04-01T10:02:00")
    assert call.get("Label") == "CALLED 2023-04-01T10:02:00"
    assert grade_one[int(call.get("GradeOneIndex"))].startswith("A ")
    assert call.get("SourceReference") == "cdr_2023.csv, row 100"
    assert entities["loc:ke"].get("SourceReference") == "countries.csv, row 2-40,57"
    partial = next(ci for ci in links if ci.find("Link/LinkStyle").get("Type") == "ASSOCIATE_OF")
    assert partial.get("DateTimeDescription") == "2021"
    for ci in items:
        assert ci.get("GradeOneIndex") is not None


def test_anx_marking(anx):
    _, _, root = anx
    props = {c.get("Name"): c.get("Value") for c in root.iter("CustomProperty")}
    assert props["TLP"] == "TLP:RED" and props["Handling"] == "UK 3x5x2 C" and props["Created"] == CREATED


# ------------------------------------------------------------------------------------------------ XLSX / CSV


def _hostile_values():
    """Every formula-like string in the fixture (captions, properties, provenance)."""
    out = set()
    for _, _, caption, props, recs in NODES:
        out.add(caption)
        out.update(v for v in props.values() if isinstance(v, str))
        out.update(v for r in recs for v in r.values() if isinstance(v, str))
    for *_, props, recs in LINKS:
        out.update(v for v in props.values() if isinstance(v, str))
        out.update(v for r in recs for v in r.values() if isinstance(v, str))
    return {v for v in out if v.startswith(TRIGGERS)}


def test_fixture_has_every_trigger():
    firsts = {v[0] for v in _hostile_values()}
    assert firsts == set(TRIGGERS)


def test_xlsx_neutralised_and_no_formulas(sub, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    p = _write(sub, "xlsx", tmp_path / "chart", tlp="RED", handling="P")
    assert p.suffix == ".xlsx"
    wb = openpyxl.load_workbook(p)
    assert wb.sheetnames == ["README", "Entities", "Links", "Sources"]
    seen = set()
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", f"formula in {ws.title}!{c.coordinate}"
                if isinstance(c.value, str):
                    value = _ooxml(c.value)
                    assert not value.startswith(TRIGGERS), f"{ws.title}!{c.coordinate} {value!r}"
                    if value.startswith("'"):
                        seen.add(value[1:])
    assert _hostile_values() <= seen  # every hostile string is there, neutralised
    readme = {r[0].value: r[1].value for r in wb["README"].iter_rows(min_row=3) if r[0].value}
    assert readme["TLP"] == "TLP:RED" and readme["Handling"] == "P" and readme["Created"] == CREATED
    assert readme["Title"] == "Operation <b>Pangolin</b> & co"
    ent = wb["Entities"]
    head = [c.value for c in ent[1]]
    rows = {r[0]: dict(zip(head, r)) for r in ent.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {n for n, *_ in NODES}
    assert rows["p:script"]["caption"] == XSS_SCRIPT and rows["p:hung"]["caption"] == VIETNAMESE
    assert rows["o:formula"]["caption"] == "'" + FORMULA_LINK
    assert rows["p:script"]["grade"] == "B2" and rows["p:script"]["sources"] == 2
    assert rows["loc:mombasa"]["latitude"] == pytest.approx(-4.05)  # numbers stay numbers
    links = list(wb["Links"].iter_rows(min_row=2, values_only=True))
    assert len(links) == len(LINKS)
    src = wb["Sources"]
    shead = [c.value for c in src[1]]
    srows = [dict(zip(shead, r)) for r in src.iter_rows(min_row=2, values_only=True)]
    n_records = sum(len(r) for *_, r in NODES) + sum(len(r) for *_, r in LINKS)
    assert len(srows) == n_records
    mine = [r for r in srows if r["item_id"] == "o:formula"]
    assert mine[0]["source"] == XSS_SOURCE and mine[0]["sheet"] == "'=cmd" and mine[0]["grade"] == "B2"
    assert {r["item_kind"] for r in srows} == {"entity", "link"}
    assert next(r for r in srows if r["item_id"] == "loc:ke")["row"] == "2-40,57"  # the store's `rows` ranges


def _ooxml(value: str) -> str:
    """Decode the _xHHHH_ escapes that xlsxwriter writes for control characters (Excel decodes them; openpyxl
    does not)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), value)


def _read_csv(data: bytes) -> list[list[str]]:
    assert data[:3] == b"\xef\xbb\xbf"
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("as_zip", [False, True])
def test_csv_neutralised(sub, tmp_path, as_zip):
    target = tmp_path / ("chart.zip" if as_zip else "chart")
    p = _write(sub, "csv", target, tlp="AMBER+STRICT")
    if as_zip:
        with zipfile.ZipFile(p) as z:
            files = {n: z.read(n) for n in z.namelist()}
    else:
        files = {f.name: f.read_bytes() for f in p.iterdir()}
    assert set(files) == {"README.txt", "entities.csv", "links.csv", "sources.csv"}
    assert b"TLP:AMBER+STRICT" in files["README.txt"]
    seen = set()
    tables = {}
    for name in ("entities.csv", "links.csv", "sources.csv"):
        rows = _read_csv(files[name])
        assert rows[0][0].startswith("# TLP:AMBER+STRICT") and CREATED in rows[0][0]
        tables[name] = rows
        for row in rows[1:]:
            for cell in row:
                assert not cell.startswith(TRIGGERS) or _is_number(cell), f"{name}: {cell!r}"
                if cell.startswith("'"):
                    seen.add(cell[1:])
    assert _hostile_values() <= seen
    ent = tables["entities.csv"]
    head = ent[1]
    rows = {r[0]: dict(zip(head, r)) for r in ent[2:]}
    assert rows["p:img"]["caption"] == XSS_IMG and rows["o:chinese"]["caption"].startswith(CHINESE)
    assert rows["ve:truck"]["description"] == "'" + FORMULA_TAB
    assert rows["sh:awb"]["declared_goods"] == "'" + FORMULA_DDE
    assert rows["ad:mombasa"]["caption"] == "'" + FORMULA_MINUS
    assert len(tables["links.csv"]) - 2 == len(LINKS)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
        return True
    except ValueError:
        return False


def test_csv_without_banner(sub, tmp_path):
    p = _write(sub, "csv", tmp_path / "plain", banner=False)
    rows = _read_csv((p / "entities.csv").read_bytes())
    assert rows[0][:3] == ["id", "type", "caption"]
