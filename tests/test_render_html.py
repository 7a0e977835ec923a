"""The chart page, checked as text and with an HTML parser (the browser tests run it for real)."""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

from linkgraph.render import html as html_module
from linkgraph.render import write
from linkgraph.render.base import MarkingWarning, RenderError
from linkgraph.render.html import Chart, ChartTooLarge, script_json, write_html
from tests.render_fixtures import (
    CHINESE,
    HOSTILE_CAPTIONS,
    LINE_SEP,
    LINKS,
    NODES,
    PATH,
    VIETNAMESE,
    XSS_CLOSE,
    XSS_SCRIPT,
    build_subgraph,
)

CREATED = "2025-01-02T03:04:05Z"


class Page(HTMLParser):
    """Every element with its attributes, and the text of each <script> and <style>."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self.styles: list[str] = []
        self._in = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag in ("script", "style"):
            self._in = (tag, a, [])

    def handle_endtag(self, tag):
        if self._in and tag == self._in[0]:
            body = "".join(self._in[2])
            if tag == "script":
                self.scripts.append((self._in[1], body))
            else:
                self.styles.append(body)
            self._in = None

    def handle_data(self, data):
        if self._in:
            self._in[2].append(data)


@pytest.fixture(scope="module")
def sub():
    return build_subgraph()


@pytest.fixture(scope="module")
def chart(sub):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkingWarning)
        return Chart(sub, tlp="RED", handling="UK 3x5x2: C", created=CREATED)


@pytest.fixture(scope="module")
def page(chart):
    return chart.to_html()


@pytest.fixture(scope="module")
def parsed(page):
    return Page(page)


def records(d: dict, item: dict) -> list[dict]:
    """The provenance records of a node or link of the page data (decoded from the string table)."""
    st = d["strings"]
    return [{st[c[i]]: st[c[i + 1]] for i in range(0, len(c), 2)} for c in item["pr"]]


def _data(parsed):
    return json.loads(next(body for attrs, body in parsed.scripts if attrs.get("id") == "lg-data"))


def test_one_self_contained_page(page, parsed):
    assert page.startswith("<!DOCTYPE html>")
    tags = {t for t, _ in parsed.tags}
    assert not tags & {"link", "iframe", "object", "embed", "base", "frame", "img", "video", "audio", "source"}
    for tag, attrs in parsed.tags:
        for a in ("src", "href", "srcset", "action", "data", "poster", "background"):
            assert a not in attrs, f"<{tag} {a}=...>"
    assert len(page) < 2_000_000


def test_exactly_four_scripts(parsed):
    """The data, vis-network, topojson-client (the map's basemap decoder) and the page's own script."""
    kinds = [(a.get("type"), a.get("id")) for a, _ in parsed.scripts]
    assert kinds == [("application/json", "lg-data"), (None, None), (None, None), (None, None)]
    assert "vis-network" in parsed.scripts[1][1][:200]
    assert "topojson-client" in parsed.scripts[2][1][:200]
    assert all("sourceMappingURL" not in body for _, body in parsed.scripts)


def test_styles_load_nothing(parsed):
    for css in parsed.styles:
        assert "@import" not in css
        for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
            assert url.startswith("data:"), url


def test_content_security_policy(parsed):
    metas = [a for t, a in parsed.tags if t == "meta" and a.get("http-equiv", "").lower() == "content-security-policy"]
    assert len(metas) == 1
    policy = dict(d.strip().split(" ", 1) for d in metas[0]["content"].split(";") if d.strip())
    assert policy["default-src"] == "'none'"
    assert policy["img-src"] == "data:"
    assert policy["connect-src"] == "'none'"
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    for attrs, body in parsed.scripts:
        if attrs.get("type") == "application/json":
            continue
        digest = base64.b64encode(hashlib.sha256(body.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["script-src"]
    for css in parsed.styles:
        digest = base64.b64encode(hashlib.sha256(css.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy["style-src"]


def test_data_block_is_escaped_and_complete(parsed, page):
    raw = next(body for attrs, body in parsed.scripts if attrs.get("id") == "lg-data")
    for ch in ("<", ">", "&", "\u2028", "\u2029"):
        assert ch not in raw
    assert "\\u003c/script\\u003e" in raw
    d = json.loads(raw)
    captions = {n["i"]: n["c"] for n in d["nodes"]}
    assert captions == {nid: cap for nid, _, cap, *_ in NODES}
    for c in HOSTILE_CAPTIONS:
        assert c in captions.values()
    assert VIETNAMESE in captions.values()
    assert len(d["links"]) == len(LINKS)
    # the raw hostile strings appear nowhere in the page as markup
    assert XSS_SCRIPT not in page and XSS_CLOSE not in page
    notes = [r for n in d["nodes"] if n["i"] == "sh:awb" for r in records(d, n)]
    assert notes[0]["note"] == LINE_SEP


def test_static_text_is_escaped(page, parsed):
    assert "<title>Operation &lt;b&gt;Pangolin&lt;/b&gt; &amp; co</title>" in page
    assert not any(t == "b" for t, _ in parsed.tags)
    assert page.count("TLP:RED · Handling: UK 3x5x2: C") == 2  # banner top and bottom
    assert f"created {CREATED}" in page


def test_script_json_escapes():
    s = script_json({"a": "</script><!-- & \u2028\u2029 é 穿"})
    assert "<" not in s and ">" not in s and "&" not in s and "\u2028" not in s
    assert json.loads(s)["a"] == "</script><!-- & \u2028\u2029 é 穿"


def test_node_data(chart):
    d = chart.data()
    nodes = {n["i"]: n for n in d["nodes"]}
    p = nodes["p:script"]
    assert p["t"] == "Person" and p["gr"] == "B2"
    assert [1, 2] in p["g"] and [2, 3] in p["g"]  # B2 and C3 as (index of reliability, credibility)
    assert [r["source"] for r in records(d, p)] == ["seizure_register.xlsx", "informant-17"]
    assert records(d, p)[0]["row"] == "14" and records(d, p)[1]["credibility"] == "3"
    assert dict(p["p"])["occupation"].startswith("@SUM")
    assert nodes["sz:1"]["d"] == ["2023-04-12", "2023-04-13"]
    # every dated observation, for the timeline: the seizure's date and the press release's, an informant's month
    assert nodes["sz:1"]["ob"] == [["2023-04-12", "2023-04-12"], ["2023-04-13", "2023-04-13"]]
    assert ["2023-05-01", "2023-05-31"] in p["ob"] and nodes["sp:manis"]["ob"] == []
    assert records(d, nodes["loc:ke"])[0]["rows"] == "2-40,57"
    assert nodes["sp:manis"]["d"] is None and nodes["sp:manis"]["g"] == []
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in d["nodes"])
    assert len({(n["x"], n["y"]) for n in d["nodes"]}) == len(d["nodes"])
    links = {lk["i"]: lk for lk in d["links"]}
    assert links["l:3"]["l"] == "CALLED 2023-04-01T10:02:00" and links["l:3"]["gr"] == "A1"
    assert links["l:17"]["d"] == ["2021-01-01", "2021-12-31"]
    assert {t["name"] for t in d["types"]} == {t for _, t, *_ in NODES}
    assert all(img.startswith("data:image/svg+xml") for img in d["images"])
    assert d["path"] == PATH and d["pathLinks"] == ["l:2", "l:3", "l:1"]
    assert d["meta"]["tlp"] == "TLP:RED" and d["meta"]["created"] == CREATED


def test_size_by(sub):
    by_degree = {n["i"]: n["s"] for n in Chart(sub, size_by="degree").data()["nodes"]}
    assert by_degree["sz:1"] > by_degree["em:at"]
    by_betweenness = {n["i"]: n["s"] for n in Chart(sub, size_by="betweenness").data()["nodes"]}
    assert by_betweenness["sh:awb"] > by_betweenness["em:at"]
    assert len({n["s"] for n in Chart(sub, size_by=None).data()["nodes"]}) == 1


def test_color_by(sub):
    by_type = Chart(sub, color_by="type").data()
    assert by_type["colours"] == []
    community = Chart(sub, color_by="community").data()
    assert len(community["colours"]) >= 2 and community["colours"][0]["label"] == "Community 0"
    assert len(community["images"]) > len(by_type["types"])
    country = Chart(sub, color_by="country").data()
    labels = {c["label"] for c in country["colours"]}
    assert {"KE", "VN", "CN", "no country"} <= labels
    assert Chart(sub, color_by="community").data()["nodes"] == community["nodes"]  # deterministic


def test_bad_options(sub):
    with pytest.raises(RenderError, match="size_by"):
        Chart(sub, size_by="pagerank")
    with pytest.raises(RenderError, match="color_by"):
        Chart(sub, color_by="grade")
    with pytest.raises(RenderError, match="TLP"):
        Chart(sub, tlp="PURPLE")


def test_too_large(sub):
    with pytest.raises(ChartTooLarge) as err:
        Chart(sub, max_nodes=10)
    msg = str(err.value)
    assert f"{len(NODES)} nodes" in msg and "max_nodes=10" in msg and "hops" in msg and "filter" in msg
    assert "\n" not in msg


def test_write_html(sub, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkingWarning)
        p = write_html(sub, tmp_path / "out" / "chart", title="Op. <x>", tlp="amber+strict", created=CREATED)
        q = write(sub, "html", tmp_path / "dispatch.html", created=CREATED)
    assert p.name == "chart.html" and p.exists()
    text = p.read_text(encoding="utf-8")
    assert "<title>Op. &lt;x&gt;</title>" in text and 'data-tlp="AMBER+STRICT"' in text
    assert CHINESE in text  # unicode is written as UTF-8, not mangled
    assert q.exists() and 'data-tlp="RED"' in q.read_text(encoding="utf-8")  # derived from the data


def test_repr_html_is_sandboxed_iframe(chart, page):
    frag = chart._repr_html_()
    doc = Page(frag)
    assert [t for t, _ in doc.tags] == ["iframe"]
    attrs = doc.tags[0][1]
    assert attrs["sandbox"] == "allow-scripts"  # no allow-same-origin: the chart cannot reach the notebook
    assert attrs["srcdoc"] == page
    assert "<script" not in frag and "</script" not in frag


def test_empty_subgraph(tmp_path):
    import pandas as pd

    from linkgraph.subgraph import Subgraph

    p = write_html(Subgraph(nodes=pd.DataFrame(), links=pd.DataFrame()), tmp_path / "empty.html")
    d = json.loads(html.unescape(re.search(r'id="lg-data">(.*?)</script>', p.read_text()).group(1)))
    assert d["nodes"] == [] and d["links"] == []
    assert d["world"] is None  # no basemap when the map has nothing to place


# ------------------------------------------------------------------------------------------------ the page's files

CHART_DIR = Path(html_module.__file__).resolve().parent / "chart"


def test_vendored_files_match_their_manifest():
    """Every file in chart/vendor/ is listed in VENDOR.json (written by tools/vendor_js.py from the npm registry,
    after checking the tarball's sha512 integrity) with the sha256 it still has, a version and a licence."""
    vendor = CHART_DIR / "vendor"
    manifest = json.loads((vendor / "VENDOR.json").read_text(encoding="utf-8"))
    listed = {"VENDOR.json"}
    for pkg in manifest["packages"]:
        assert pkg["name"] and re.fullmatch(r"\d+\.\d+\.\d+", pkg["version"]) and pkg["license"]
        assert pkg["tarball"].startswith("https://registry.npmjs.org/") and pkg["integrity"].startswith("sha512-")
        for f in pkg["files"]:
            data = (vendor / f["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == f["sha256"], f["path"]
            assert len(data) == f["bytes"]
            listed.add(f["path"])
    assert {p.name for p in vendor.iterdir()} == listed
    vis = next(p for p in manifest["packages"] if p["name"] == "vis-network")
    assert vis["version"] == "9.1.2"  # the version pyvis ships (notebook users' Network draws with the same)


def test_page_is_built_from_the_package_files(parsed):
    """The inlined scripts and styles are the package's files, and the CSP hashes are of exactly that content."""
    read = lambda name: re.sub(r"^//# sourceMappingURL=\S*\s*$", "", (CHART_DIR / name).read_text("utf-8"), flags=re.M)
    scripts = [body for attrs, body in parsed.scripts if attrs.get("type") != "application/json"]
    assert scripts == [read("vendor/vis-network.min.js"), read("vendor/topojson-client.min.js"), read("chart.js")]
    assert parsed.styles == [read("vendor/vis-network.min.css"), read("chart.css")]
    assert "vis-network" not in (CHART_DIR / "chart.js").read_text("utf-8")[:200]


def test_map_data(chart):
    """Places, seizures and addresses at their own coordinates, else in their country (the basemap's ISO numeric
    id); the basemap is Natural Earth's countries from the vendored world-atlas."""
    d = chart.data()
    nodes = {n["i"]: n for n in d["nodes"]}
    assert nodes["loc:mombasa"]["ll"] == [-4.05, 39.67] and "cn" not in nodes["loc:mombasa"]
    assert nodes["sz:1"]["cn"] == "404" and nodes["ad:mombasa"]["cn"] == "404"  # country KE
    assert nodes["loc:ke"]["cn"] == "404" and nodes["loc:vn"]["cn"] == "704"  # kind country, code KE / VN
    placed = {i for i, n in nodes.items() if "ll" in n or "cn" in n}
    assert placed == {"loc:mombasa", "loc:ke", "loc:vn", "sz:1", "ad:mombasa"}  # not people, nor their nationality
    ids = {g["id"] for g in d["world"]["objects"]["countries"]["geometries"] if "id" in g}
    assert {"404", "704", "156"} <= ids and d["world"]["type"] == "Topology"
