"""The chart page in a real headless Chromium, driven by Selenium and chromedriver (with CDP).

Proves: (a) the page makes no request outside its own file, (b) the graph is drawn with every node, (c) no script
from the data runs and the hostile names show as text, (d) clicking a node shows its provenance. Also: filters,
the TLP banner, the sandboxed Jupyter iframe, and that the page is safe even with its CSP removed.

These tests FAIL (not skip) when Chromium is missing: install Debian's chromium and chromium-driver.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import pytest

from linkgraph.grading import meets_any
from linkgraph.render.base import MarkingWarning, items
from linkgraph.render.html import Chart
from tests.render_fixtures import (
    CHINESE,
    LINKS,
    NODES,
    VIETNAMESE,
    XSS_CLOSE,
    XSS_COMMENT,
    XSS_IMG,
    XSS_SCRIPT,
    build_subgraph,
)

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
INSTALL = (
    "install Debian's chromium and chromium-driver (apt-get install chromium chromium-driver) and pip install selenium"
)
SCREENSHOT = Path("/tmp/linkgraph_chart.png")
SCREENSHOT_PANEL = Path("/tmp/linkgraph_chart_panel.png")

# Hooks installed before any page script: record alert/confirm/prompt/print calls, CSP violations, window.open.
HOOKS = """
(function () {
  window.__alerts = [];
  window.__csp = [];
  ['alert', 'confirm', 'prompt', 'print', 'open'].forEach(function (name) {
    window[name] = function () { window.__alerts.push(name + ':' + Array.prototype.join.call(arguments, ',')); };
  });
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
  });
})();
"""


def _driver():
    for exe in (CHROMIUM, CHROMEDRIVER):
        if not Path(exe).exists():
            pytest.fail(f"{exe} not found: {INSTALL}", pytrace=False)
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        pytest.fail(f"selenium is not installed: {INSTALL}", pytrace=False)
    profile = tempfile.mkdtemp(prefix="lg-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-extensions",
        "--disable-default-apps",
        f"--user-data-dir={profile}",
        # the network is cut: any request would go to a closed local port and fail
        "--proxy-server=127.0.0.1:9",
        "--proxy-bypass-list=<-loopback>",
        "--window-size=1600,1000",
        "--force-device-scale-factor=1",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
    try:
        drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    except Exception as exc:  # one clear line
        pytest.fail(
            f"could not start headless Chromium ({type(exc).__name__}: {str(exc).splitlines()[0]}): {INSTALL}",
            pytrace=False,
        )
    drv.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": HOOKS})
    return drv, profile


def test_chromium_is_installed():
    """One clear line when the browser is missing (the other tests then error with the same line)."""
    missing = [exe for exe in (CHROMIUM, CHROMEDRIVER) if not Path(exe).exists()]
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: {INSTALL}", pytrace=False)


@pytest.fixture(scope="module")
def browser():
    drv, profile = _driver()
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def sub():
    return build_subgraph()


@pytest.fixture(scope="module")
def chart_file(sub, tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkingWarning)
        chart = Chart(sub, tlp="AMBER", handling="UK 3x5x2: P", created="2025-01-02T03:04:05Z")
    path = tmp_path_factory.mktemp("chart") / "chart.html"
    chart.write(path)
    return path


def requests_seen(drv, with_document: bool = False) -> list:
    """URLs of every request the browser tried since the last call (CDP Network.requestWillBeSent); with
    `with_document`, (url, URL of the document that made it) pairs."""
    out = []
    for entry in drv.get_log("performance"):
        msg = json.loads(entry["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent":
            url = msg["params"]["request"]["url"]
            out.append((url, msg["params"].get("documentURL", "")) if with_document else url)
    return out


def load(drv, path: Path, timeout: float = 30.0) -> list[tuple[str, str]]:
    """Open the page, wait until vis-network has drawn it and the timeline and map panels after it; returns the
    (url, document) requests made meanwhile."""
    requests_seen(drv)  # drop older entries
    drv.get(path.as_uri())
    _wait(drv, "return !!window.__linkgraphDrawn && !!window.__linkgraphPanels", timeout)
    time.sleep(0.3)
    return requests_seen(drv, with_document=True)


def _wait(drv, script: str, timeout: float = 10.0):
    end = time.time() + timeout
    while time.time() < end:
        value = drv.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


@pytest.fixture(scope="module")
def loaded(browser, chart_file):
    reqs = load(browser, chart_file)
    return browser, reqs


# ------------------------------------------------------------------------------------------------ (a) network


def test_request_recorder_sees_requests(browser, tmp_path):
    """Control: the recorder does see a request when a page makes one (so an empty list means something)."""
    probe = tmp_path / "probe.html"
    probe.write_text('<!DOCTYPE html><img src="http://example.invalid/pixel.png"><p>probe</p>')
    requests_seen(browser)
    browser.get(probe.as_uri())
    time.sleep(0.5)
    urls = requests_seen(browser)
    assert any(u.startswith("http://example.invalid/") for u in urls), urls


def test_zero_network_requests(loaded, chart_file):
    drv, reqs = loaded
    page = chart_file.as_uri()
    assert (page, page) in reqs  # the recorder saw the page itself
    # nothing the page asked for, other than itself and its own data: images
    assert [u for u, doc in reqs if doc == page and u != page and not u.startswith("data:")] == []
    # and nothing went to the network from anywhere (the browser's own chrome:// pages aside)
    assert [u for u, _ in reqs if not u.startswith(("file:", "data:", "chrome:", "chrome-untrusted:"))] == []
    assert drv.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert drv.execute_script("return window.__csp") == []


# ------------------------------------------------------------------------------------------------ (b) rendering


def test_graph_is_drawn(loaded):
    drv, _ = loaded
    assert drv.execute_script("return document.querySelectorAll('#lg-net canvas').length") == 1
    assert drv.execute_script("return document.getElementById('lg-net').getAttribute('data-drawn')") == "true"
    assert drv.execute_script("return linkgraph.network.body.nodeIndices.length") == len(NODES)
    assert drv.execute_script("return linkgraph.network.body.edgeIndices.length") == len(LINKS)
    assert drv.execute_script("return Object.keys(linkgraph.network.getPositions()).length") == len(NODES)
    assert set(drv.execute_script("return linkgraph.drawnIds()")) == {n for n, *_ in NODES}  # "__proto__" too
    size = drv.execute_script("var c = document.querySelector('#lg-net canvas'); return [c.width, c.height]")
    assert size[0] > 600 and size[1] > 400
    # the canvas is not blank: many distinct colours in a screenshot of it
    png = drv.find_element("css selector", "#lg-net canvas").screenshot_as_png
    assert len(png) > 20_000
    assert f"Showing {len(NODES)} of {len(NODES)} entities" in drv.find_element("id", "lg-status").text
    assert drv.execute_script("return window.__linkgraphDrawn") < 10_000


def test_banner_legend_and_title(loaded):
    drv, _ = loaded
    for bid in ("lg-tlp-top", "lg-tlp-bottom"):
        el = drv.find_element("id", bid)
        assert el.text.startswith("TLP:AMBER · Handling: UK 3x5x2: P")
        assert el.value_of_css_property("color") == "rgba(255, 192, 0, 1)"  # TLP 2.0 amber #FFC000
        assert el.value_of_css_property("background-color") == "rgba(0, 0, 0, 1)"
    assert "created 2025-01-02T03:04:05Z" in drv.find_element("id", "lg-tlp-bottom").text
    assert drv.find_element("id", "lg-title").text == "Operation <b>Pangolin</b> & co"
    legend = drv.find_element("id", "lg-types").text
    for t in {t for _, t, *_ in NODES}:
        assert t in legend
    n_icons = drv.execute_script(
        "return Array.from(document.querySelectorAll('#lg-types img')).filter(i => i.complete && i.naturalWidth > 0).length"
    )
    assert n_icons == len({t for _, t, *_ in NODES})


def test_screenshot(loaded):
    drv, _ = loaded
    drv.save_screenshot(str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 50_000


# ------------------------------------------------------------------------------------------------ (c) no script runs


def _search(drv, text: str) -> str:
    box = drv.find_element("id", "lg-q")
    box.clear()
    box.send_keys(text)
    time.sleep(0.1)
    return drv.execute_script("return document.getElementById('lg-results').textContent")


def test_hostile_names_are_text(loaded):
    drv, _ = loaded
    assert XSS_SCRIPT in _search(drv, "alert(1)")
    assert XSS_IMG in _search(drv, "onerror")
    assert XSS_CLOSE in _search(drv, "alert(2)")
    assert VIETNAMESE in _search(drv, "nguyen van hung")  # accents folded in search
    assert CHINESE in _search(drv, CHINESE)
    # show every entity and link panel: all hostile properties and provenance pass through the DOM
    drv.execute_script(
        "linkgraph.data.nodes.forEach(n => linkgraph.showNode(n.i));"
        "linkgraph.data.links.forEach(l => linkgraph.showLink(l.i));"
    )
    drv.execute_script("linkgraph.showNode('doc:report')")
    assert XSS_COMMENT in drv.find_element("id", "lg-panel").get_attribute("textContent")
    assert drv.execute_script("return window.__alerts") == []
    assert drv.execute_script("return document.scripts.length") == 4
    assert drv.execute_script("return document.querySelectorAll('[onerror], [onload], img[src=\"x\"]').length") == 0
    assert drv.execute_script("return window.__csp") == []


def test_tooltip_is_text(loaded):
    drv, _ = loaded
    drv.execute_script("linkgraph.focus('p:img', false, 1.5); linkgraph.network.unselectAll()")
    canvas = drv.find_element("css selector", "#lg-net canvas")
    from selenium.webdriver.common.action_chains import ActionChains

    ActionChains(drv).move_to_element_with_offset(canvas, 5, 5).move_to_element(canvas).perform()
    tip = _wait(
        drv,
        "var t = document.querySelector('div.vis-tooltip');"
        "return t && t.style.visibility !== 'hidden' && t.textContent ? t : null",
        5,
    )
    assert XSS_IMG in tip.get_attribute("textContent")
    # vis-network sets the tooltip with innerText: newlines become <br>, nothing else is markup
    tags = drv.execute_script("return Array.from(arguments[0].querySelectorAll('*')).map(e => e.tagName)", tip)
    assert set(tags) <= {"BR"}
    assert drv.execute_script("return window.__alerts") == []


def test_no_script_runs_without_the_csp(browser, chart_file, tmp_path):
    """Escaping alone keeps the data inert: the same page with its CSP removed runs no injected script."""
    page = chart_file.read_text(encoding="utf-8")
    start = page.index('<meta http-equiv="Content-Security-Policy"')
    stripped = page[:start] + page[page.index(">", start) + 1 :]
    assert "Content-Security-Policy" not in stripped
    path = tmp_path / "nocsp.html"
    path.write_text(stripped, encoding="utf-8")
    load(browser, path)
    browser.execute_script(
        "linkgraph.data.nodes.forEach(n => linkgraph.showNode(n.i));"
        "linkgraph.data.links.forEach(l => linkgraph.showLink(l.i));"
    )
    assert XSS_SCRIPT in _search(browser, "script")
    time.sleep(0.3)
    assert browser.execute_script("return window.__alerts") == []
    assert browser.execute_script("return document.scripts.length") == 4
    assert browser.execute_script("return document.querySelectorAll('img[src=\"x\"], [onerror]').length") == 0
    load(browser, chart_file)  # back to the real page for the next tests


# ------------------------------------------------------------------------------------------------ (d) click


def test_click_node_shows_provenance(browser, chart_file):
    from selenium.webdriver.common.action_chains import ActionChains

    load(browser, chart_file)
    browser.execute_script(
        "linkgraph.focus('p:hung', false, 1.6); linkgraph.network.unselectAll();"
        "document.getElementById('lg-panel').removeAttribute('data-node')"
    )
    time.sleep(0.2)
    canvas = browser.find_element("css selector", "#lg-net canvas")
    ActionChains(browser).move_to_element(canvas).click().perform()  # a real click on the node's pixels
    _wait(browser, "return document.getElementById('lg-panel').getAttribute('data-node') === 'p:hung'", 5)
    assert browser.execute_script("return linkgraph.selected()") == ["p:hung"]
    panel = browser.find_element("id", "lg-panel").text
    assert VIETNAMESE in panel
    # the entity's own record: source, row, date, grade, handling, agency
    for text in ("SOURCES OF THIS ENTITY (1)", "vn_customs.csv", "Row 3", "A1", "TLP:GREEN", "VN Customs"):
        assert text in panel, text
    # records of its links: HAS_PHONE from cdr_2023.csv row 99, MEMBER_OF with a hostile role, HAS_ID
    assert "LINKS (3)" in panel
    assert "cdr_2023.csv" in panel and "99" in panel
    assert "HAS_PHONE → +84912345678" in panel
    assert XSS_IMG in panel  # the MEMBER_OF role, as text
    browser.save_screenshot(str(SCREENSHOT_PANEL))
    assert browser.execute_script("return window.__alerts") == []


def test_click_link_shows_its_sources(browser, chart_file):
    load(browser, chart_file)
    browser.execute_script("linkgraph.showLink('l:3')")
    panel = browser.find_element("id", "lg-panel").text
    assert "CALLED 2023-04-01T10:02:00" in panel and "SOURCES OF THIS LINK (1)" in panel and "100" in panel


# ------------------------------------------------------------------------------------------------ filters


def _visible(drv) -> tuple[int, int]:
    return tuple(
        drv.execute_script(
            "return [linkgraph.visibleNodeCount(), linkgraph.network.body.nodeIndices.length,"
            " linkgraph.visibleLinkCount(), linkgraph.network.body.edgeIndices.length]"
        )
    )


def _expected(sub, node_ok, link_ok=lambda lk: True):
    nodes, links = items(sub)
    vis = {n.id for n in nodes if node_ok(n)}
    n_links = sum(1 for lk in links if lk.source in vis and lk.target in vis and link_ok(lk))
    return len(vis), n_links


def test_type_filter(browser, chart_file, sub):
    load(browser, chart_file)
    label = browser.find_element("xpath", "//ul[@id='lg-types']//label[.//span[text()='Person']]")
    label.find_element("css selector", "input").click()
    n, drawn, m, edges = _visible(browser)
    assert (n, m) == _expected(sub, lambda nd: nd.type != "Person") and (drawn, edges) == (n, m)
    label = browser.find_element("xpath", "//ul[@id='lg-linktypes']//label[.//span[text()='CALLED']]")
    label.find_element("css selector", "input").click()
    n, _, m, _ = _visible(browser)
    assert (n, m) == _expected(sub, lambda nd: nd.type != "Person", lambda lk: lk.type != "CALLED")
    browser.find_element("id", "lg-reset").click()
    assert _visible(browser) == (len(NODES), len(NODES), len(LINKS), len(LINKS))


def test_grade_filter(browser, chart_file, sub):
    from selenium.webdriver.support.ui import Select

    load(browser, chart_file)
    Select(browser.find_element("id", "lg-rel")).select_by_value("B")
    Select(browser.find_element("id", "lg-cred")).select_by_value("2")
    n, drawn, m, edges = _visible(browser)
    ok = lambda it: meets_any(it.grade_pairs, ("B", 2))
    assert (n, m) == _expected(sub, ok, ok) and (drawn, edges) == (n, m)
    assert 0 < n < len(NODES)
    ids = set(browser.execute_script("return linkgraph.drawnIds()"))
    assert "p:script" in ids and "p:img" not in ids and "sp:manis" not in ids  # B2 kept, D4 and ungraded gone


def test_date_filter(browser, chart_file, sub):
    load(browser, chart_file)
    browser.execute_script("""
        function set(id, v) { var e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('change')); }
        set('lg-from', '2023-04-11'); set('lg-to', '2023-04-12'); document.getElementById('lg-undated').click();""")
    n, _, m, _ = _visible(browser)

    def ok(it):
        d = it.dates
        return d is not None and d[1] >= "2023-04-11" and d[0] <= "2023-04-12"

    assert (n, m) == _expected(sub, ok, ok)
    assert 0 < m < len(LINKS)


def test_search_enter_focuses_node(browser, chart_file):
    load(browser, chart_file)
    from selenium.webdriver.common.keys import Keys

    box = browser.find_element("id", "lg-q")
    box.send_keys("SZ-2023")
    box.send_keys(Keys.ENTER)
    _wait(browser, "return document.getElementById('lg-panel').getAttribute('data-node') === 'sz:1'", 5)
    assert browser.execute_script("return linkgraph.selected()") == ["sz:1"]


def test_path_is_highlighted(browser, chart_file):
    load(browser, chart_file)
    widths = browser.execute_script(
        "return ['l:1','l:2','l:3','l:5'].map(id => linkgraph.edges.get(linkgraph.linkIndex(id)).width)"
    )
    assert widths[:3] == [5, 5, 5] and widths[3] < 5
    steps = browser.find_element("id", "lg-path").text.splitlines()
    assert steps == [VIETNAMESE, "+84912345678", "+254712345678", XSS_SCRIPT]


# ------------------------------------------------------------------------------------------------ Jupyter iframe


def test_repr_html_iframe_runs_sandboxed(browser, sub, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MarkingWarning)
        frag = Chart(sub, created="2025-01-02T03:04:05Z")._repr_html_()
    host = tmp_path / "notebook.html"
    host.write_text(
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>host</title></head><body>"
        "<p id='host'>notebook</p>" + frag + "</body></html>",
        encoding="utf-8",
    )
    requests_seen(browser)
    browser.get(host.as_uri())
    frame = browser.find_element("tag name", "iframe")
    browser.switch_to.frame(frame)
    try:
        _wait(browser, "return !!window.__linkgraphDrawn && !!window.__linkgraphPanels", 30)
        assert browser.execute_script("return linkgraph.network.body.nodeIndices.length") == len(NODES)
        assert browser.execute_script("return window.origin") == "null"  # opaque origin: cannot touch the host
        # (CDP's on-new-document hooks do not reach a sandboxed srcdoc frame, whose sandbox blocks dialogs anyway:
        # check the DOM for injected elements instead)
        assert browser.execute_script("return document.scripts.length") == 4
        assert browser.execute_script("return document.querySelectorAll('img[src=\"x\"], [onerror]').length") == 0
    finally:
        browser.switch_to.default_content()
    assert browser.find_element("id", "host").text == "notebook"
    assert (
        browser.execute_script("return getComputedStyle(document.body).fontFamily")
        != 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
    )  # the chart's styles did not leak
    outside = [u for u in requests_seen(browser) if not u.startswith(("file:", "data:", "about:"))]
    assert outside == []


# ------------------------------------------------------------------------------------------------ timeline


def _first_dates(sub) -> dict[str, str]:
    """Each entity the timeline must show (a dated observation, or a dated link), with its first date."""
    nodes, links = items(sub)
    first = {n.id: n.observations[0][0] for n in nodes if n.observations}
    for lk in links:
        if lk.dates:
            for end in (lk.source, lk.target):
                first[end] = min(first.get(end, lk.dates[0]), lk.dates[0])
    return first


def _tl_row_ids(drv) -> list[str]:
    return drv.execute_script(
        "return Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-row')).map(g => g.getAttribute('data-node'))"
    )


def _drag(drv, x0: float, x1: float, y: float) -> None:
    """A real mouse drag at viewport coordinates (pointer down, move, up), as a person brushes."""
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    ab = ActionBuilder(drv)
    ab.pointer_action.move_to_location(int(x0), int(y)).pointer_down()
    ab.pointer_action.move_to_location(int((x0 + x1) / 2), int(y)).move_to_location(int(x1), int(y)).pointer_up()
    ab.perform()


def test_timeline_has_a_row_per_dated_entity(browser, chart_file, sub):
    load(browser, chart_file)
    first = _first_dates(sub)
    rows = _tl_row_ids(browser)
    assert rows == browser.execute_script("return linkgraph.timeline.rows()")
    assert sorted(rows) == sorted(first) and "sz:1" in rows and "l:28" not in rows
    assert [first[r] for r in rows] == sorted(first[r] for r in rows)  # in order of their first date
    # each dated link is marked on the rows of both its ends: the phone +254712345678 has HAS_PHONE (dated by its
    # record) and the two CALLED links
    marks = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-ev'))"
        ".filter(e => e.closest('.lg-tl-row').getAttribute('data-node') === 'ph:ke').map(e => e.getAttribute('data-link'))"
    )
    assert sorted(marks) == ["l:1", "l:3", "l:4"]
    # the seizure's own dates (2023-04-12, and 2023-04-13 in the press release) are its two observation marks
    n_obs = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-row'))"
        ".find(g => g.getAttribute('data-node') === 'sz:1').querySelectorAll('.lg-tl-obs').length"
    )
    assert n_obs == 2
    assert len(browser.execute_script("return document.querySelectorAll('#lg-tl-axis text')")) >= 2  # a dated axis


def test_timeline_brush_filters_the_chart(browser, chart_file, sub):
    load(browser, chart_file)
    x0, x1, top = browser.execute_script(
        "var r = document.getElementById('lg-tl-svg').getBoundingClientRect();"
        "return [r.left + linkgraph.timeline.x('2023-03-01') + 1, r.left + linkgraph.timeline.x('2023-04-12') + 1,"
        " r.top]"
    )
    _drag(browser, x0, x1, top + 9)  # across the first row
    frm, to = browser.execute_script("return [linkgraph.state.from, linkgraph.state.to]")
    day = lambda s: int(s.replace("-", ""))
    assert abs(day(frm) - 20230301) <= 3 and abs(day(to) - 20230412) <= 3, (frm, to)
    # one filter: the From and To fields show the brushed range
    fields = "return ['lg-from', 'lg-to'].map(id => document.getElementById(id).value)"
    assert browser.execute_script(fields) == [frm, to]

    def ok(it):  # undated entities and links are kept ("keep undated items" is on)
        d = it.dates
        return d is None or (d[1] >= frm and d[0] <= to)

    n, drawn, m, edges = _visible(browser)
    assert (n, m) == _expected(sub, ok, ok) and (drawn, edges) == (n, m)
    assert 0 < n < len(NODES) and 0 < m < len(LINKS)
    drawn_ids = set(browser.execute_script("return linkgraph.drawnIds()"))
    assert "sz:1" in drawn_ids and "ac:mpesa" not in drawn_ids  # seized 2023-04-12; the account seen 2022-11-30
    # the rows and marks of what is hidden are dimmed, the brush is drawn over the rows and the axis
    off = set(
        browser.execute_script(
            "return Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-row.lg-tl-off')).map(g => g.getAttribute('data-node'))"
        )
    )
    assert off == set(_tl_row_ids(browser)) - drawn_ids and off
    widths = browser.execute_script(
        "return Array.from(document.querySelectorAll('.lg-tl-brush')).map(r => r.getBBox().width)"
    )
    assert len(widths) == 2 and all(w > 0 for w in widths)
    # Clear range shows everything again and empties the fields
    browser.find_element("id", "lg-tl-clear").click()
    assert _visible(browser) == (len(NODES), len(NODES), len(LINKS), len(LINKS))
    assert browser.execute_script("return linkgraph.state.from + linkgraph.state.to") == ""


def test_date_fields_move_the_brush(browser, chart_file):
    load(browser, chart_file)
    browser.execute_script("""
        function set(id, v) { var e = document.getElementById(id); e.value = v; e.dispatchEvent(new Event('change')); }
        set('lg-from', '2023-04-01'); set('lg-to', '2023-04-30');""")
    x = browser.execute_script(
        "var b = document.querySelector('#lg-tl-svg .lg-tl-brush').getBBox(); return [b.x, b.x + b.width,"
        " linkgraph.timeline.x('2023-04-01'), linkgraph.timeline.x('2023-05-01')]"
    )
    assert abs(x[0] - x[2]) < 1 and abs(x[1] - x[3]) < 1
    # zoom to the range: the axis now spans about April 2023, and the brush still covers it
    browser.find_element("id", "lg-tl-zoom").click()
    span = browser.execute_script("return linkgraph.timeline.x('2023-05-01') - linkgraph.timeline.x('2023-04-01')")
    assert span > 300  # a month over most of the plot
    browser.find_element("id", "lg-tl-all").click()
    assert (
        browser.execute_script("return linkgraph.timeline.x('2023-05-01') - linkgraph.timeline.x('2023-04-01')") < 100
    )


def test_selecting_a_node_highlights_its_timeline_row(browser, chart_file):
    from selenium.webdriver.common.action_chains import ActionChains

    load(browser, chart_file)
    browser.execute_script("linkgraph.focus('p:hung', false, 1.6); linkgraph.network.unselectAll();")
    time.sleep(0.2)
    canvas = browser.find_element("css selector", "#lg-net canvas")
    ActionChains(browser).move_to_element(canvas).click().perform()  # a real click on the node
    _wait(browser, "return linkgraph.selected()[0] === 'p:hung'", 5)
    sel = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-sel')).map(g => g.getAttribute('data-node'))"
    )
    assert sel == ["p:hung"] and browser.execute_script("return linkgraph.timeline.selected()") == "p:hung"
    # the row is scrolled into view in the timeline
    assert browser.execute_script("""
        var body = document.getElementById('lg-tl-body').getBoundingClientRect();
        var row = Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-sel'))[0].getBoundingClientRect();
        return row.top >= body.top - 1 && row.bottom <= body.bottom + 1""")
    # clicking empty space deselects: no row highlighted
    assert browser.execute_script("return linkgraph.network.getNodeAt({x: 12, y: 12}) === undefined")
    w, h = canvas.size["width"], canvas.size["height"]
    ActionChains(browser).move_to_element_with_offset(canvas, 12 - w // 2, 12 - h // 2).click().perform()
    _wait(browser, "return linkgraph.selected().length === 0", 5)
    assert browser.execute_script("return document.querySelectorAll('#lg-tl-svg .lg-tl-sel').length") == 0
    # and the other way: clicking a row's label selects the entity in the chart
    browser.execute_script(
        "Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-row'))"
        ".find(g => g.getAttribute('data-node') === 'sz:1').querySelector('.lg-tl-label')"
        ".dispatchEvent(new MouseEvent('click', {bubbles: true}))"
    )
    assert browser.execute_script("return linkgraph.selected()") == ["sz:1"]


def test_timeline_labels_are_text(browser, chart_file):
    load(browser, chart_file)
    rows = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-row')).map(g => [g.getAttribute('data-node'),"
        " g.querySelector('.lg-tl-label').firstChild.nodeValue, g.querySelector('.lg-tl-label title').textContent])"
    )
    labels = {r[0]: r[1:] for r in rows}
    assert labels["__proto__"] == ["constructor", "Person: constructor"]
    assert labels["p:script"] == [XSS_SCRIPT, "Person: " + XSS_SCRIPT]
    assert labels["p:img"][1] == "Person: " + XSS_IMG
    assert labels["o:close"][1] == "Organization: " + XSS_CLOSE
    assert labels["p:hung"][0] == VIETNAMESE
    titles = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lg-tl-svg .lg-tl-ev title')).map(t => t.textContent).join('\\n')"
    )
    assert "CALLED 2023-04-11T22:40:00" in titles and XSS_CLOSE in titles
    tags = set(browser.execute_script("return Array.from(document.querySelectorAll('#lg-tl *')).map(e => e.tagName)"))
    assert tags <= {"DIV", "SPAN", "BUTTON", "svg", "g", "rect", "line", "text", "title", "image", "circle"}, tags
    hrefs = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lg-tl image')).map(i => i.getAttribute('href'))"
    )
    assert hrefs and all(h.startswith("data:image/svg+xml") for h in hrefs)
    assert browser.execute_script("return window.__alerts") == []
    assert browser.execute_script("return document.scripts.length") == 4
    assert browser.execute_script("return window.__csp") == []


# ------------------------------------------------------------------------------------------------ map

PLACED = {"loc:mombasa", "loc:ke", "loc:vn", "sz:1", "ad:mombasa"}


def _map_mark(drv, node_id: str):
    return drv.execute_script(
        "return Array.from(document.querySelectorAll('#lg-map-svg .lg-map-mark'))"
        ".find(g => g.getAttribute('data-node') === arguments[0]) || null",
        node_id,
    )


def test_map_places_entities_on_the_basemap(browser, chart_file):
    load(browser, chart_file)
    assert browser.find_element("id", "lg-map").is_displayed()
    assert set(browser.execute_script("return linkgraph.map.placed()")) == PLACED
    assert browser.execute_script("return document.querySelectorAll('#lg-map-svg .lg-map-country').length") > 150
    # Mombasa at its own coordinates (x = longitude, y = -latitude); the marker sits on Kenya's outline
    ring = _map_mark(browser, "loc:mombasa").find_element("css selector", "circle")
    assert abs(float(ring.get_attribute("cx")) - 39.67) < 1e-3 and abs(float(ring.get_attribute("cy")) - 4.05) < 1e-3
    kenya = browser.execute_script(
        "var p = Array.from(document.querySelectorAll('#lg-map-svg .lg-map-country'))"
        ".find(e => e.querySelector('title').textContent === 'Kenya'); var b = p.getBBox();"
        "return [b.x, b.y, b.x + b.width, b.y + b.height, p.classList.contains('lg-map-has')]"
    )
    assert kenya[0] < 39.67 < kenya[2] and kenya[1] < 4.05 < kenya[3] and kenya[4]  # shaded: it holds entities
    # every marker is inside the view (the map fits the placed entities)
    inside = browser.execute_script("""
        var svg = document.getElementById('lg-map-svg').getBoundingClientRect();
        return Array.from(document.querySelectorAll('#lg-map-svg .lg-map-mark')).every(function (g) {
          var r = g.getBoundingClientRect();
          return r.left >= svg.left - 1 && r.right <= svg.right + 1 && r.top >= svg.top - 1 && r.bottom <= svg.bottom + 1;
        })""")
    assert inside
    titles = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lg-map-svg .lg-map-mark > title')).map(t => t.textContent)"
    )
    assert "Address: -2+3+cmd|' /C calc'!A0 (in its country)" in titles and "Location: Mombasa" in titles
    tags = set(browser.execute_script("return Array.from(document.querySelectorAll('#lg-map *')).map(e => e.tagName)"))
    assert tags <= {"DIV", "SPAN", "BUTTON", "svg", "g", "path", "polyline", "title", "circle", "image"}, tags
    assert browser.execute_script("return window.__csp") == []


def test_map_selection_is_linked_to_the_chart(browser, chart_file):
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    load(browser, chart_file)
    x, y = browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]",
        _map_mark(browser, "loc:mombasa"),
    )
    ab = ActionBuilder(browser)
    ab.pointer_action.move_to_location(int(x), int(y)).click()
    ab.perform()  # a real click on the marker
    _wait(browser, "return document.getElementById('lg-panel').getAttribute('data-node') === 'loc:mombasa'", 5)
    assert browser.execute_script("return linkgraph.selected()") == ["loc:mombasa"]
    assert "lg-map-sel" in _map_mark(browser, "loc:mombasa").get_attribute("class")
    # and the other way: selecting in the chart rings the marker, and the country of one placed by its country
    browser.execute_script("linkgraph.focus('sz:1', false)")
    assert browser.execute_script("return linkgraph.map.selected()") == "sz:1"
    sel = browser.execute_script(
        "return Array.from(document.querySelectorAll('#lg-map-svg .lg-map-sel')).map(g => g.getAttribute('data-node'))"
    )
    assert sel == ["sz:1"]
    assert (
        browser.execute_script("return document.querySelector('#lg-map-svg .lg-map-selc > title').textContent")
        == "Kenya"
    )
    browser.execute_script("linkgraph.focus('p:hung', false)")  # not on the map: nothing ringed
    assert browser.execute_script("return document.querySelectorAll('#lg-map-svg .lg-map-sel').length") == 0


def test_brushing_filters_the_map(browser, chart_file):
    load(browser, chart_file)
    shown = lambda: {
        i
        for i in PLACED
        if browser.execute_script("return getComputedStyle(arguments[0]).display", _map_mark(browser, i)) != "none"
    }
    assert shown() == PLACED
    browser.execute_script("linkgraph.timeline.range('2021-01-01', '2022-12-31')")
    # all dated 2023 but Mombasa (port) and Viet Nam, which have no date and are kept as undated
    assert shown() == {"loc:mombasa", "loc:vn"}
    browser.find_element("id", "lg-tl-clear").click()
    assert shown() == PLACED


def test_map_draws_shipment_routes(browser, chart_file):
    """The air waybill's legs (ROUTED_VIA Mombasa, leg 1, then Viet Nam, leg 2) as a line, in leg order, linked to
    the chart's selection and filtered like the shipment."""
    load(browser, chart_file)
    route = browser.execute_script(
        "var r = document.querySelector('#lg-map-svg .lg-map-route');"
        "return r && [r.getAttribute('data-node'), r.getAttribute('points'), r.querySelector('title').textContent]"
    )
    assert route[0] == "sh:awb" and route[2] == "AWB 176-12345675: Mombasa → Viet Nam"
    first, second = [tuple(map(float, p.split(","))) for p in route[1].split()]
    assert first == (39.67, 4.05) and 100 < second[0] < 110 and -25 < second[1] < -8  # Viet Nam, north of the equator
    browser.execute_script("linkgraph.focus('sh:awb', false)")
    assert browser.execute_script("return document.querySelector('#lg-map-svg .lg-map-route.lg-map-sel') !== null")
    browser.execute_script("linkgraph.timeline.range('2021-01-01', '2022-12-31')")  # the waybill is of 2023-04-10
    assert (
        browser.execute_script("return getComputedStyle(document.querySelector('#lg-map-svg .lg-map-route')).display")
        == "none"
    )
