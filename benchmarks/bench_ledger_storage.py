"""Where the observation ledger should live: the same statements in each candidate store, side by side.

    python benchmarks/bench_ledger_storage.py [--statements 3600000] [--neo4j-statements 200000] [--no-neo4j]

The ledger issue makes an append-only table of statements (item, property, value, and the provenance of the
row that said it) the system of record. A 100,000-row seizure register says about 3.6 million of them (nine
items a row, four properties an item). Each candidate runs in its own subprocess (its own peak RSS) and does
what an import, a projection, an undo and a rebuild would ask of it:

  append       one batch of N statements, then a second batch of N/10 (does the cost grow with the store?)
  lookup       every statement of 1,000 random items (what re-projecting the items an import touched reads)
  undo         remove the second batch
  scan         group every statement by item (what `db rebuild` reads)

Candidates: Parquet files written by pyarrow, one folder per batch (undo deletes the folder); DuckDB, one
table; LadybugDB, a node table loaded with COPY (the embedded graph engine itself); Neo4j, one node a
statement created with UNWIND in managed transactions of 10,000; Neo4j parts, the same Parquet as byte-array
properties of one node per 200,000 statements (both on the server, which a team sharing it shares).
Prints Markdown rows and the machine line.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, neo4j_target

COLUMNS = [
    "item",
    "kind",
    "type",
    "prop",
    "value",
    "raw",
    "batch",
    "source",
    "sha256",
    "sheet",
    "row",
    "observed",
    "reliability",
    "credibility",
    "handling",
    "source_type",
    "agency",
]


def statements(n: int, batch: str, seed: int) -> pa.Table:
    """n statements shaped like a register's: many person records, a few hubs (species, countries)."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(2, max(3, n // 36), n)
    hub = rng.random(n) < 0.2
    item = np.where(
        hub,
        np.char.add("Species:", rng.integers(0, 300, n).astype(str)),
        np.char.add(f"Person:{batch}:", rows.astype(str)),
    )
    props = np.array(["name", "name_key", "birth_date", "nationality"])
    prop = props[rng.integers(0, 4, n)]
    value = np.char.add("v", rng.integers(0, n, n).astype(str))
    sha = f"{seed:064x}"
    cols = {
        "item": item,
        "kind": np.full(n, "node"),
        "type": np.where(hub, "Species", "Person"),
        "prop": prop,
        "value": value,
        "raw": value,
        "batch": np.full(n, batch),
        "source": np.full(n, f"register-{seed}.xlsx"),
        "sha256": np.full(n, sha),
        "sheet": np.full(n, "Seizures"),
        "row": rows.astype(np.int64),
        "observed": np.full(n, "2024-03-01"),
        "reliability": np.full(n, "B"),
        "credibility": np.full(n, 2, dtype=np.int64),
        "handling": np.full(n, "TLP:AMBER"),
        "source_type": np.full(n, "register"),
        "agency": np.full(n, "KWS"),
    }
    return pa.table({k: pa.array(v) for k, v in cols.items()})


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


# --- candidates: each takes (folder, first batch, second batch, lookup ids) and returns its timings ---------
def run_parquet(folder: Path, a: pa.Table, b: pa.Table, ids: list[str]) -> dict:
    import pyarrow.compute as pc
    import pyarrow.dataset as ds
    import pyarrow.parquet as pq

    led = folder / "ledger"

    def append(t: pa.Table, name: str):
        part = led / f"batch={name}"
        tmp = led / f".{name}.tmp"
        tmp.mkdir(parents=True)
        # sorted by item, so a lookup reads only the row groups whose item range holds the id
        pq.write_table(t.sort_by("item"), tmp / "part-0.parquet", row_group_size=128_000, compression="zstd")
        tmp.rename(part)  # a crash leaves a dot-folder that readers ignore

    out = {"append": timed(lambda: append(a, "a"))[0], "append_second": timed(lambda: append(b, "b"))[0]}
    dataset = lambda: ds.dataset(led, format="parquet", partitioning="hive")
    out["lookup"], got = timed(lambda: dataset().to_table(filter=pc.field("item").isin(ids)).num_rows)
    out["lookup_rows"] = got
    out["undo"] = timed(lambda: shutil.rmtree(led / "batch=b"))[0]
    out["scan"] = timed(
        lambda: dataset().to_table(columns=["item", "prop"]).group_by("item").aggregate([("prop", "count")]).num_rows
    )[0]
    out["disk_mb"] = sum(p.stat().st_size for p in led.rglob("*") if p.is_file()) / 2**20
    return out


def run_duckdb(folder: Path, a: pa.Table, b: pa.Table, ids: list[str]) -> dict:
    import duckdb

    con = duckdb.connect(str(folder / "ledger.duckdb"))
    con.execute("CREATE TABLE st AS SELECT * FROM a LIMIT 0")

    def append(t):
        con.register("incoming", t)
        con.execute("BEGIN; INSERT INTO st SELECT * FROM incoming; COMMIT")
        con.unregister("incoming")

    out = {"append": timed(lambda: append(a))[0], "append_second": timed(lambda: append(b))[0]}
    idt = pa.table({"item": ids})
    con.register("wanted", idt)
    out["lookup"], got = timed(
        lambda: con.execute("SELECT count(*) FROM st WHERE item IN (SELECT item FROM wanted)").fetchone()[0]
    )
    out["lookup_rows"] = got
    out["undo"] = timed(lambda: con.execute("DELETE FROM st WHERE batch = 'b'"))[0]
    out["scan"] = timed(lambda: len(con.execute("SELECT item, count(*) FROM st GROUP BY item").fetchall()))[0]
    con.execute("CHECKPOINT")
    con.close()
    out["disk_mb"] = sum(p.stat().st_size for p in folder.glob("ledger.duckdb*")) / 2**20
    return out


def run_ladybug(folder: Path, a: pa.Table, b: pa.Table, ids: list[str]) -> dict:
    import ladybug

    db = ladybug.Database(str(folder / "ledger.lbdb"))
    con = ladybug.Connection(db)
    cols = ", ".join(f"{c} {'INT64' if c in ('row', 'credibility') else 'STRING'}" for c in COLUMNS)
    con.execute(f"CREATE NODE TABLE St(sid INT64, {cols}, PRIMARY KEY (sid))")
    start = [0]

    def append(t):
        df = t.to_pandas()
        df.insert(0, "sid", np.arange(start[0], start[0] + len(df), dtype=np.int64))
        start[0] += len(df)
        con.execute("COPY St FROM df")

    out = {"append": timed(lambda: append(a))[0], "append_second": timed(lambda: append(b))[0]}
    out["lookup"], got = timed(
        lambda: con.execute("MATCH (s:St) WHERE s.item IN $ids RETURN count(s)", {"ids": ids}).get_next()[0]
    )
    out["lookup_rows"] = got
    out["undo"] = timed(lambda: con.execute("MATCH (s:St) WHERE s.batch = 'b' DELETE s"))[0]
    out["scan"] = timed(lambda: len(con.execute("MATCH (s:St) RETURN s.item, count(*)").get_as_df()))[0]
    con.close()
    db.close()
    out["disk_mb"] = sum(p.stat().st_size for p in folder.rglob("ledger.lbdb*") if p.is_file()) / 2**20
    return out


def run_neo4j(folder: Path, a: pa.Table, b: pa.Table, ids: list[str]) -> dict:
    from neo4j import GraphDatabase

    with neo4j_target() as uri:
        auth = (os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
        with GraphDatabase.driver(uri, auth=auth) as drv:
            drv.execute_query("MATCH (s:LgStatement) CALL { WITH s DELETE s } IN TRANSACTIONS OF 10000 ROWS")
            drv.execute_query("CREATE INDEX lg_statement_item IF NOT EXISTS FOR (s:LgStatement) ON (s.item)")
            drv.execute_query("CREATE INDEX lg_statement_batch IF NOT EXISTS FOR (s:LgStatement) ON (s.batch)")
            drv.execute_query("CALL db.awaitIndexes()")

            def append(t):
                rows = t.to_pylist()
                with drv.session() as s:
                    for i in range(0, len(rows), 10_000):
                        s.execute_write(
                            lambda tx, r=rows[i : i + 10_000]: tx.run(
                                "UNWIND $rows AS r CREATE (s:LgStatement) SET s = r", rows=r
                            ).consume()
                        )

            out = {"append": timed(lambda: append(a))[0], "append_second": timed(lambda: append(b))[0]}
            q = "MATCH (s:LgStatement) WHERE s.item IN $ids RETURN count(s) AS c"
            out["lookup"], rec = timed(lambda: drv.execute_query(q, ids=ids).records[0]["c"])
            out["lookup_rows"] = rec
            undo = "MATCH (s:LgStatement {batch: 'b'}) CALL { WITH s DELETE s } IN TRANSACTIONS OF 10000 ROWS"
            out["undo"] = timed(lambda: drv.session().run(undo).consume())[0]
            scan = "MATCH (s:LgStatement) RETURN s.item AS item, count(*) AS c"
            out["scan"] = timed(lambda: len(drv.execute_query(scan).records))[0]
            drv.execute_query("MATCH (s:LgStatement) CALL { WITH s DELETE s } IN TRANSACTIONS OF 10000 ROWS")
    out["disk_mb"] = None
    return out


def run_neo4j_parts(folder: Path, a: pa.Table, b: pa.Table, ids: list[str]) -> dict:
    """Parquet parts (statements sorted by item, zstd) as byte-array properties of LgLedgerPart nodes: the
    ledger lives on the server the team shares, but is written and read as columns, not as one node each."""
    import io

    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from neo4j import GraphDatabase

    part_rows = 200_000  # about 2-4 MB of Parquet: well under Bolt's message and the server's heap limits

    def encode(t: pa.Table) -> bytes:
        buf = io.BytesIO()
        pq.write_table(t.sort_by("item"), buf, compression="zstd")
        return buf.getvalue()

    def read_all(session, batch=None) -> pa.Table:
        where = "" if batch is None else "WHERE p.batch = $b "
        res = session.run(f"MATCH (p:LgLedgerPart) {where}RETURN p.data AS data", b=batch)
        return pa.concat_tables([pq.read_table(io.BytesIO(r["data"])) for r in res])

    with neo4j_target() as uri:
        auth = (os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ.get("NEO4J_PASSWORD", ""))
        with GraphDatabase.driver(uri, auth=auth) as drv:
            drv.execute_query("MATCH (p:LgLedgerPart) DELETE p")

            def append(t: pa.Table, name: str):
                with drv.session() as s:

                    def unit(tx):
                        for i in range(0, t.num_rows, part_rows):
                            data = encode(t.slice(i, part_rows))
                            tx.run("CREATE (:LgLedgerPart {batch: $b, seq: $i, data: $d})", b=name, i=i, d=data)

                    s.execute_write(unit)

            out = {"append": timed(lambda: append(a, "a"))[0], "append_second": timed(lambda: append(b, "b"))[0]}
            with drv.session() as s:
                out["lookup"], got = timed(lambda: read_all(s).filter(pc.field("item").isin(ids)).num_rows)
                out["lookup_rows"] = got
                out["undo"] = timed(lambda: s.run("MATCH (p:LgLedgerPart {batch: 'b'}) DELETE p").consume())[0]
                out["scan"] = timed(
                    lambda: (
                        read_all(s).select(["item", "prop"]).group_by("item").aggregate([("prop", "count")]).num_rows
                    )
                )[0]
            drv.execute_query("MATCH (p:LgLedgerPart) DELETE p")
    out["disk_mb"] = None
    return out


CANDIDATES = {
    "parquet": run_parquet,
    "duckdb": run_duckdb,
    "ladybug": run_ladybug,
    "neo4j": run_neo4j,
    "neo4j-parts": run_neo4j_parts,
}


def child(name: str, n: int) -> None:
    a, b = statements(n, "a", 1), statements(max(1, n // 10), "b", 2)
    rng = np.random.default_rng(7)
    ids = list(dict.fromkeys(a.column("item").to_numpy(zero_copy_only=False)[rng.integers(0, n, 1000)]))
    with tempfile.TemporaryDirectory() as tmp:
        out = CANDIDATES[name](Path(tmp), a, b, ids)
    out["rss_mb"] = rss_mb()
    print(json.dumps(out))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--statements", type=int, default=3_600_000)
    ap.add_argument("--neo4j-statements", type=int, default=200_000)
    ap.add_argument("--no-neo4j", action="store_true")
    ap.add_argument("--only")
    ap.add_argument("--child")
    ap.add_argument("--n", type=int)
    args = ap.parse_args()
    if args.child:
        child(args.child, args.n)
        return
    names = (
        args.only.split(",") if args.only else [c for c in CANDIDATES if not (c.startswith("neo4j") and args.no_neo4j)]
    )
    print(
        "| store | statements | append | per second | second batch (N/10) | lookup of 1,000 items | undo of the second batch | scan by item | disk | peak RSS |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name in names:
        n = args.neo4j_statements if name == "neo4j" else args.statements  # one node a statement: slow
        r = subprocess.run([sys.executable, __file__, "--child", name, "--n", str(n)], capture_output=True, text=True)
        if r.returncode:
            print(f"| {name} | {n:,} | failed: {(r.stderr.strip().splitlines() or ['?'])[-1][:120]} |||||||| ")
            continue
        o = json.loads(r.stdout.strip().splitlines()[-1])
        disk = "-" if o["disk_mb"] is None else f"{o['disk_mb']:,.0f} MB"
        print(
            f"| {name} | {n:,} | {o['append']:.1f} s | {n / o['append']:,.0f} | {o['append_second']:.2f} s | "
            f"{o['lookup'] * 1000:,.0f} ms ({o['lookup_rows']:,} rows) | {o['undo'] * 1000:,.0f} ms | {o['scan']:.1f} s | "
            f"{disk} | {o['rss_mb']:,.0f} MB |",
            flush=True,
        )
    print(f"\nMachine: {machine()}")


if __name__ == "__main__":
    main()
