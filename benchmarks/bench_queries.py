"""Query-library benchmarks: brokers end to end on a 100,000-node / 500,000-link graph, a 3-hop network and a
shortest path, on both engines; networkx's exact betweenness beside ours on 5,000 nodes by default (10,000 takes
networkx about 7 minutes on the 2-core test machine: --oracle-nodes 10000).

    python benchmarks/bench_queries.py [--nodes 100000 --links 500000] [--engines embedded,neo4j] [--anchors 9]

Neo4j: $NEO4J_URI (with NEO4J_USERNAME / NEO4J_PASSWORD) or a local server from tests/neo4j_server.py.
Prints Markdown table rows with machine notes; each row notes the 1-minute load average while it ran (the numbers
mean little on a loaded machine). Network and path are medians over random anchors (pairs), each timed end to end
through `execute` (all round trips plus names), after one warm-up call.
Targets: brokers <= 30 s, 3-hop network <= 100 ms, path <= 200 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from linkgraph.querylib import execute
from linkgraph.querylib.analytics import Projection, betweenness_scores
from linkgraph.store import open_store

OBS = {"_batch": "bench", "_source": "generated", "_sha256": "2" * 64, "_reliability": "B", "_credibility": 2}


def generate(n: int, m: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A clustered random graph: people in communities of ~50, most links inside, some across (power-law-ish)."""
    rng = np.random.default_rng(seed)
    comm = rng.integers(0, max(1, n // 50), size=n)
    order = np.argsort(comm, kind="stable")
    members = np.split(order, np.cumsum(np.bincount(comm))[:-1])
    a = rng.integers(0, n, size=m)
    inside = rng.random(m) < 0.8
    b = np.empty(m, dtype=np.int64)
    for i in np.nonzero(inside)[0]:
        group = members[comm[a[i]]]
        b[i] = group[rng.integers(0, len(group))]
    b[~inside] = (rng.zipf(1.6, size=(~inside).sum()) * 7919 + rng.integers(0, n, size=(~inside).sum())) % n
    keep = a != b
    a, b = a[keep], b[keep]
    ids = np.array([f"Person:g{i}" for i in range(n)], dtype=object)
    people = pd.DataFrame(
        {
            "id": ids,
            "caption": [f"P{i}" for i in range(n)],
            "name": [f"P{i}" for i in range(n)],
            **{k: v for k, v in OBS.items()},
        }
    )
    links = pd.DataFrame(
        {
            "id": [f"ASSOCIATE_OF:{i}" for i in range(len(a))],
            "source": ids[a],
            "target": ids[b],
            "source_type": "Person",
            "target_type": "Person",
            **OBS,
        }
    )
    return people, links


def timed(fn, repeat: int = 1):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def machine() -> str:
    import igraph
    import ladybug

    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    import networkx

    return (
        f"{os.cpu_count()} cores, {cpu}; Python {platform.python_version()}, igraph {igraph.__version__}, "
        f"networkx {networkx.__version__}, LadybugDB {ladybug.__version__}; {load()} at start"
    )


def open_engine(engine: str, workdir: Path):
    if engine == "embedded":
        return open_store(str(workdir / "db")), None
    uri = os.environ.get("NEO4J_URI")
    server = None
    if not uri:
        from tests import neo4j_server

        server = neo4j_server.start(workdir / "neo4j", heap=os.environ.get("LINKGRAPH_NEO4J_HEAP", "4g"))
        os.environ["NEO4J_USERNAME"], os.environ["NEO4J_PASSWORD"] = server.user, server.password
        uri = server.uri
    store = open_store(uri)
    store.wipe()
    return store, server


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def per_call(fn, args) -> tuple[float, list]:
    """Median seconds of fn(*a) over the argument tuples, and the results."""
    times, results = [], []
    for a in args:
        t = time.perf_counter()
        results.append(fn(*a))
        times.append(time.perf_counter() - t)
    return statistics.median(times), results


def row(*cells) -> None:
    print("| " + " | ".join(str(c) for c in cells) + " |", flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--nodes", type=int, default=100_000)
    ap.add_argument("--links", type=int, default=500_000)
    ap.add_argument("--engines", default="embedded,neo4j")
    # networkx's exact betweenness is O(nodes x links): 98 s at 5,000 nodes on the 2-core test machine, so about
    # 7 minutes at 10,000 (pass --oracle-nodes 10000 for that; 0 skips the comparison)
    ap.add_argument("--oracle-nodes", type=int, default=5_000)
    ap.add_argument("--anchors", type=int, default=9, help="random starts (pairs) per network (path) median")
    args = ap.parse_args()
    import logging

    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)  # "property does not exist" on a fresh db
    print(f"machine: {machine()}\n")
    row("benchmark", "engine", "size", "time", "target", "notes")
    row("---", "---", "---", "---", "---", "---")

    people, links = generate(args.nodes, args.links)
    for engine in args.engines.split(","):
        with tempfile.TemporaryDirectory(prefix="lg-bench-") as tmp:
            store, server = open_engine(engine, Path(tmp))
            try:
                t_load, _ = timed(lambda: store.write({"Person": people}, {"ASSOCIATE_OF": links}))
                row(
                    "load (Store.write)",
                    engine,
                    f"{len(people):,} nodes / {len(links):,} links",
                    f"{t_load:.1f} s",
                    "-",
                    "",
                )
                t_b, res = timed(lambda: execute("brokers", store, top=10).frame)
                row(
                    "brokers end to end (projection + betweenness + names)",
                    engine,
                    f"{len(people):,} / {len(links):,}",
                    f"{t_b:.1f} s",
                    "<= 30 s",
                    f"method {res['method'].iloc[0]}; {load()}",
                )
                t_p, _ = timed(lambda: execute("brokers", store, top=10, exact_max=0, samples=1).frame)
                row("  of which projection (+1 pivot)", engine, "", f"{t_p:.1f} s", "", load())
                rng = np.random.default_rng(3)
                pick = lambda k: [people["id"].iloc[i] for i in rng.integers(0, len(people), k)]
                starts, ends = pick(args.anchors), pick(args.anchors)
                execute("network", store, id=starts[0], hops=3)  # warm-up
                t_n, net = per_call(
                    lambda a: execute("network", store, id=a, hops=3, limit=100_000), [(a,) for a in starts]
                )
                sizes = [len(x.frame) for x in net]
                row(
                    "network 3 hops",
                    engine,
                    f"median reach {int(np.median(sizes)):,} nodes",
                    f"{t_n * 1000:.0f} ms",
                    "<= 100 ms",
                    f"median of {len(starts)} random starts; {load()}",
                )
                execute("path", store, from_id=starts[0], to_id=ends[0])  # warm-up
                t_s, paths = per_call(
                    lambda a, b: execute("path", store, from_id=a, to_id=b).frame, list(zip(starts, ends))
                )
                hops = [int(p["hops"].iloc[0]) if len(p) else None for p in paths]
                row(
                    "shortest path (all shortest, max 6 hops)",
                    engine,
                    f"hops {', '.join('-' if h is None else str(h) for h in hops)}",
                    f"{t_s * 1000:.0f} ms",
                    "<= 200 ms",
                    f"median of {len(starts)} random pairs ('-': none within 6); {load()}",
                )
            finally:
                store.close()
                if server is not None:
                    server.stop()

    # ours (igraph) vs networkx exact betweenness, same graph, same run
    if args.oracle_nodes <= 0:
        return
    import networkx as nx

    people, links = generate(args.oracle_nodes, args.oracle_nodes * 5)
    proj = Projection(links[["source", "target"]])
    t_ig, _ = timed(lambda: betweenness_scores(proj.graph, exact_max=10**9))
    g = nx.Graph()
    g.add_edges_from(zip(links["source"], links["target"]))
    load_before = load()
    t_nx, _ = timed(lambda: nx.betweenness_centrality(g))
    row(
        "exact betweenness ours (igraph) vs networkx",
        "client",
        f"{proj.n:,} nodes / {proj.graph.ecount():,} links",
        f"{t_ig:.2f} s vs {t_nx:.1f} s",
        "-",
        f"networkx / ours = {t_nx / t_ig:.0f}x; {load_before}, then {load()}",
    )


if __name__ == "__main__":
    main()
