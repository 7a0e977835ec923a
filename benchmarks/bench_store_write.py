"""Bulk-writing links into each engine, beside the naive one-statement-per-row path, in one run.

    python benchmarks/bench_store_write.py [--links 1000000] [--naive 2000]

The bulk path is Store.write under atomic_batches, as an import runs it (COPY / LOAD FROM in one transaction
on LadybugDB; UNWIND batches on constrained keys in Neo4j, committed in slices of 50,000 rows).
The naive path is one parameterised MERGE statement per link, timed on a sample of --naive links and
reported as a rate (running it on a million rows would take hours), so the ratio compares rates.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from common import Timer, machine, neo4j_target, peak_rss_mb

from linkgraph.store import open_store

OBS = {
    "_batch": "bench",
    "_source": "bench.csv",
    "_sheet": None,
    "_reliability": "B",
    "_credibility": 2,
    "_handling": "P",
    "_imported": "2026-11-30T00:00:00+00:00",
}


def frames(n_links: int, seed: int = 7) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n_people = max(10, n_links // 5)
    ids = pd.Series([f"Person:{i}" for i in range(n_people)], dtype=object)
    people = pd.DataFrame(
        {
            "id": ids,
            "name": [f"person {i}" for i in range(n_people)],
            "caption": [f"person {i}" for i in range(n_people)],
            **OBS,
            "_row": np.arange(2, n_people + 2),
        }
    )
    src = rng.integers(0, n_people, n_links)
    dst = (src + rng.integers(1, n_people, n_links)) % n_people
    links = pd.DataFrame(
        {
            "id": [f"ASSOCIATE_OF:{i}" for i in range(n_links)],
            "source": ids.to_numpy()[src],
            "target": ids.to_numpy()[dst],
            "source_type": "Person",
            "target_type": "Person",
            "relation": "associate",
            **OBS,
            "_row": np.arange(2, n_links + 2),
        }
    )
    return people, links


NAIVE = (
    "MATCH (a:Person {id: $s}), (b:Person {id: $t}) "
    "MERGE (a)-[r:ASSOCIATE_OF {id: $id}]->(b) SET r.relation = $rel, r.prov = $prov"
)


def measure(target: str, label: str, n_links: int, n_naive: int) -> str:
    people, links = frames(n_links)
    with open_store(target) as store:
        store.wipe()
        # atomic_batches is the import path: one transaction embedded, compensated slices on Neo4j
        with Timer() as tn:
            store.atomic_batches(["bench"], lambda: store.write({"Person": people}))
        with Timer() as tl:
            stats = store.atomic_batches(["bench"], lambda: store.write(links={"ASSOCIATE_OF": links}))
        assert stats.created.get("ASSOCIATE_OF") == n_links, stats
        with Timer() as tr:
            again = store.atomic_batches(["bench"], lambda: store.write(links={"ASSOCIATE_OF": links}))
        assert again.changed == 0
        sample = links.sample(n_naive, random_state=1)
        t0 = time.perf_counter()
        for row in sample.itertuples():
            store.execute(NAIVE, {"s": row.target, "t": row.source, "id": f"naive:{row.id}", "rel": "x", "prov": "[]"})
        naive_rate = n_naive / (time.perf_counter() - t0)
        store.wipe()
    bulk_rate = n_links / tl.seconds
    return (
        f"| {label} | {n_links:,} | {tn.seconds:.1f} s ({len(people):,} nodes) | {tl.seconds:.1f} s | "
        f"{bulk_rate:,.0f} | {tr.seconds:.1f} s | {naive_rate:,.0f} (sample of {n_naive:,}) | "
        f"{bulk_rate / naive_rate:,.0f}x | {peak_rss_mb():,.0f} MB |"
    )


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--links", type=int, default=1_000_000)
    ap.add_argument("--naive", type=int, default=2_000)
    ap.add_argument("--engines", default="embedded,neo4j")
    args = ap.parse_args(argv)
    print(f"machine: {machine()}\n")
    print(
        "| engine | links | nodes first | bulk write | bulk links/s | re-write (no-op) | naive per-row links/s "
        "| bulk / naive | peak RSS (client) |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    engines = args.engines.split(",")
    if "embedded" in engines:
        with tempfile.TemporaryDirectory() as d:
            print(measure(f"{d}/db", "embedded (LadybugDB)", args.links, args.naive), flush=True)
    if "neo4j" in engines:
        with neo4j_target() as uri:
            print(measure(uri, "Neo4j 5.26 (Bolt)", args.links, args.naive), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
