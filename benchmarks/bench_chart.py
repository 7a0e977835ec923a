"""Chart benchmark: our self-contained page against plain pyvis, on a generated 2,000-node, 5,000-link subgraph.

For each page: file size, Python write time, and the time from navigation start until vis-network has drawn
the graph in headless Chromium (performance.now() at the first `afterDrawing`; for pyvis, whose physics must
stabilise first, also at `stabilizationIterationsDone`), measured via CDP with the network cut, plus the number
of requests each page tried outside its own file. Prints a Markdown table.

    python benchmarks/bench_chart.py [--nodes 2000] [--links 5000] [--repeat 3] [--out /tmp/lg-bench]

Requirement: ours at most 5 MB and drawn within 3 s (exit code 1 otherwise).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkgraph.render.html import write_html
from linkgraph.subgraph import Subgraph

MAX_BYTES = 5 * 1024 * 1024
MAX_DRAW_S = 3.0
TYPES = [
    ("Person", 0.30),
    ("Organization", 0.10),
    ("Phone", 0.18),
    ("Email", 0.04),
    ("Address", 0.05),
    ("Location", 0.05),
    ("Species", 0.04),
    ("Shipment", 0.08),
    ("Seizure", 0.06),
    ("Vehicle", 0.04),
    ("Permit", 0.02),
    ("Account", 0.02),
    ("Identification", 0.01),
    ("Document", 0.01),
]
LINK_TYPES = [
    "HAS_PHONE",
    "CALLED",
    "PARTY_TO",
    "ASSOCIATE_OF",
    "MEMBER_OF",
    "CONSIGNED",
    "ROUTED_VIA",
    "INVOLVED",
    "SEIZED_FROM",
    "LOCATED_IN",
    "HAS_ADDRESS",
    "MENTIONS",
]
COUNTRIES = ["KE", "TZ", "UG", "VN", "CN", "NG", "MZ", "ZA", "MY", "TH", "LA", "HK"]


def generate(n_nodes: int, n_links: int, seed: int = 42) -> Subgraph:
    """A scale-free-ish intelligence graph with properties and graded provenance on every item."""
    rnd = random.Random(seed)
    names, weights = zip(*TYPES)
    sources = [(f"register_{i}.xlsx", hashlib.sha256(str(i).encode()).hexdigest()) for i in range(12)]

    def prov():
        src, sha = rnd.choice(sources)
        return {
            "source": src,
            "sha256": sha,
            "sheet": str(rnd.choice([2021, 2022, 2023])),
            "row": rnd.randint(2, 5000),
            "batch": f"b-{rnd.randint(1, 9):03d}",
            "imported": "2024-01-05T10:00:00Z",
            "observed": f"202{rnd.randint(1, 3)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
            "reliability": rnd.choice("ABCDEF"),
            "credibility": rnd.randint(1, 6),
            "handling": rnd.choice(["TLP:AMBER", "TLP:GREEN", "TLP:AMBER+STRICT"]),
            "source_type": rnd.choice(["register", "informant", "call records", "open source"]),
            "agency": rnd.choice(["KWS", "TRA", "VN Customs", "ICPO"]),
        }

    nodes = []
    for i in range(n_nodes):
        t = rnd.choices(names, weights)[0]
        recs = [prov() for _ in range(rnd.choice([1, 1, 2]))]
        best = min(recs, key=lambda r: "ABCDEF".index(r["reliability"]) + r["credibility"])
        nodes.append(
            {
                "id": f"{t}:{i}",
                "type": t,
                "caption": f"{t} {i} {rnd.choice(['Mwangi', 'Nguyễn', 'Chen', 'Okafor'])}",
                "country": rnd.choice(COUNTRIES),
                "name": f"name {i}",
                "kind": rnd.choice(["a", "b", "c"]),
                "reliability": best["reliability"],
                "credibility": best["credibility"],
                "handling": "TLP:AMBER",
                "first_seen": min(r["observed"] for r in recs),
                "last_seen": max(r["observed"] for r in recs),
                "prov": json.dumps(recs),
            }
        )
    ids = [n["id"] for n in nodes]
    links, seen, degree = [], set(), [1] * n_nodes
    while len(links) < n_links:
        a = rnd.randrange(n_nodes)
        b = rnd.choices(range(n_nodes), degree)[0] if rnd.random() < 0.7 else rnd.randrange(n_nodes)
        if a == b or (a, b) in seen:
            continue
        seen.add((a, b))
        degree[a] += 1
        degree[b] += 1
        rec = prov()
        links.append(
            {
                "id": f"l:{len(links)}",
                "type": rnd.choice(LINK_TYPES),
                "source": ids[a],
                "target": ids[b],
                "date": rec["observed"],
                "reliability": rec["reliability"],
                "credibility": rec["credibility"],
                "handling": rec["handling"],
                "prov": json.dumps([rec]),
            }
        )
    return Subgraph(nodes=pd.DataFrame(nodes), links=pd.DataFrame(links), title="Benchmark network")


def write_pyvis(sub: Subgraph, path: Path) -> Path:
    """The plain pyvis page of the same graph (physics on, as pyvis users get it)."""
    from pyvis.network import Network

    net = Network(height="900px", width="100%", directed=True, cdn_resources="in_line")
    for n in sub.nodes.itertuples():
        net.add_node(n.id, label=n.caption, title=f"{n.type}: {n.caption}", group=n.type)
    for lk in sub.links.itertuples():
        net.add_edge(lk.source, lk.target, title=f"{lk.type} {lk.date}", label=lk.type)
    net.write_html(str(path), notebook=False)
    html = path.read_text(encoding="utf-8")
    anchor = "network = new vis.Network(container, data, options);"
    assert anchor in html, "pyvis template changed"
    marker = (
        anchor + "\nnetwork.once('afterDrawing', function () { window.__drawn = performance.now(); });"
        "\nnetwork.once('stabilizationIterationsDone', function () { window.__stable = performance.now(); });"
    )
    path.write_text(html.replace(anchor, marker), encoding="utf-8")
    return path


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="lg-bench-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        "--proxy-server=127.0.0.1:9",
        "--window-size=1600,1000",
    ):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"performance": "ALL"})
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts), profile


def measure(drv, path: Path, drawn: str, stable: str | None, timeout: float) -> dict:
    from selenium.common.exceptions import TimeoutException
    from urllib3.exceptions import ReadTimeoutError

    drv.set_script_timeout(timeout)
    drv.set_page_load_timeout(timeout)
    drv.get_log("performance")
    drv.get("about:blank")
    end = time.time() + timeout
    try:
        drv.get(path.as_uri())
    except Exception:  # a page still busy at the load deadline is measured below
        pass
    out = {"drawn": None, "stable": None}
    while time.time() < end:
        try:  # a page busy with physics answers late: keep asking until the deadline
            out["drawn"] = drv.execute_script(f"return window.{drawn} || null")
            if stable:
                out["stable"] = drv.execute_script(f"return window.{stable} || null")
        except (TimeoutException, ReadTimeoutError):
            continue
        if out["drawn"] and (not stable or out["stable"]):
            break
        time.sleep(0.05)
    page, outside = path.as_uri(), 0
    for e in drv.get_log("performance"):
        msg = json.loads(e["message"])["message"]
        if msg.get("method") == "Network.requestWillBeSent" and msg["params"].get("documentURL") == page:
            url = msg["params"]["request"]["url"]
            outside += url != page and not url.startswith("data:")
    out["outside"] = outside
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=2000)
    ap.add_argument("--links", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3, help="page loads of ours (median reported)")
    ap.add_argument("--out", default=None, help="folder for the two pages (default: a temp folder)")
    ap.add_argument("--pyvis-timeout", type=float, default=300, help="seconds to wait for pyvis to draw")
    args = ap.parse_args(argv)

    out = Path(args.out or tempfile.mkdtemp(prefix="lg-bench-pages-"))
    out.mkdir(parents=True, exist_ok=True)
    sub = generate(args.nodes, args.links)
    t0 = time.perf_counter()
    ours = write_html(sub, out / "linkgraph.html", title="Benchmark", max_nodes=max(2000, args.nodes))
    ours_write = time.perf_counter() - t0
    t0 = time.perf_counter()
    theirs = write_pyvis(sub, out / "pyvis.html")
    theirs_write = time.perf_counter() - t0

    drv, profile = browser()
    try:
        runs = [measure(drv, ours, "__linkgraphDrawn", None, 60) for _ in range(args.repeat)]
        node_count = drv.execute_script("return linkgraph.network.body.nodeIndices.length")
        p = measure(drv, theirs, "__drawn", "__stable", args.pyvis_timeout)
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)

    ours_draw = statistics.median(r["drawn"] for r in runs if r["drawn"]) / 1000
    ours_size = ours.stat().st_size
    pv_size = theirs.stat().st_size

    def s(v):
        return f"not drawn in {args.pyvis_timeout:.0f} s" if v is None else f"{v / 1000:.2f} s"

    print(
        f"\n{args.nodes:,} nodes, {args.links:,} links; headless Chromium {args.repeat}x (median) for ours, "
        f"1x for pyvis; network cut. Pages in {out}\n"
    )
    print(
        "| page | file size | write (Python) | drawn (first afterDrawing) | physics stabilised | "
        "requests outside the file |"
    )
    print("|---|---|---|---|---|---|")
    print(
        f"| linkgraph (precomputed igraph layout, physics off) | {ours_size / 1e6:.2f} MB | {ours_write:.2f} s "
        f"| {ours_draw:.2f} s | n/a | {max(r['outside'] for r in runs)} |"
    )
    print(
        f"| pyvis 0.3.2 `cdn_resources='in_line'` (physics on) | {pv_size / 1e6:.2f} MB | {theirs_write:.2f} s "
        f"| {s(p['drawn'])} | {s(p['stable'])} | {p['outside']} |"
    )
    print("\nSide by side (one row):\n")
    print("| graph | ours size | ours drawn | pyvis size | pyvis drawn |")
    print("|---|---|---|---|---|")
    print(
        f"| {args.nodes:,} nodes / {args.links:,} links | {ours_size / 1e6:.2f} MB | {ours_draw:.2f} s "
        f"| {pv_size / 1e6:.2f} MB | {s(p['drawn'])} |"
    )
    ok = ours_size <= MAX_BYTES and ours_draw <= MAX_DRAW_S and node_count == args.nodes
    print(
        f"\nrequirement (ours <= 5 MB, drawn <= 3 s, all {args.nodes:,} nodes drawn [{node_count:,}]): "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
