"""Import throughput: seizure-register rows end to end, against the floor of this stack, on both engines.

    python benchmarks/bench_import.py [--rows 1000000] [--neo4j-rows 100000] [--rowwise-sample 2000] [--no-neo4j] [--no-embedded]

Each measurement runs in its own subprocess so that its peak RSS (resource.getrusage) is its own:
  import      linkgraph.importing.import_files into a fresh embedded store (read, normalise, map, write);
              entity resolution, which runs after an import by default, is left out (resolve=False): it is
              measured by bench_resolve_scale.py
  floor       pandas reading the same CSV + LadybugDB bulk-loading the import's final tables (read back
              from the imported store, untimed) with one COPY per table: the cost no importer on this
              stack can avoid
  floor-bare  the same without the provenance columns: the engine's floor for the graph alone
  neo4j     import_files into Neo4j (batched UNWIND writes); NEO4J_URI or tests/neo4j_server.start()
  rowwise   one Cypher statement per row on a small sample, extrapolated (said so in the table)
Prints Markdown table rows with machine notes.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

FIRST = [
    "Joseph",
    "Hassan",
    "Emeka",
    "Li",
    "Nguyen",
    "Tran",
    "Ahmad",
    "Lim",
    "Jean-Pierre",
    "Mohamed",
    "Adebayo",
    "Grace",
    "Wanjiru",
    "Chen",
    "Pham",
    "Siti",
    "Kofi",
    "Amina",
    "Moses",
    "Fatuma",
]
LAST = [
    "Mwangi",
    "Juma",
    "Okafor",
    "Wei",
    "Van Hung",
    "Thi Mai",
    "bin Ismail",
    "Chee Keong",
    "Mbala",
    "Abdi",
    "Ogunleye",
    "Otieno",
    "Kamau",
    "Hao",
    "Minh Duc",
    "Nurhaliza",
    "Mensah",
    "Said",
    "Kiprono",
    "Ali",
]
COUNTRIES = [
    "Kenya",
    "Tanzania",
    "Uganda",
    "Nigeria",
    "Cameroon",
    "Viet Nam",
    "China",
    "Malaysia",
    "KE",
    "TZ",
    "NG",
    "CM",
    "VN",
    "CN",
    "MY",
    "Mozambique",
    "DRC",
    "Gabon",
    "Congo",
    "Thailand",
]
SPECIES = [
    "Loxodonta africana",
    "Manis gigantea",
    "Smutsia gigantea",
    "Manis tricuspis",
    "Diceros bicornis",
    "Ceratotherium simum",
    "Panthera pardus",
    "Panthera leo",
    "Psittacus erithacus",
    "Pterocarpus erinaceus",
    "Dalbergia cochinchinensis",
    "Crocodylus niloticus",
    "Loxodonta cyclotis",
    "Manis javanica",
    "Hippopotamus amphibius",
]
HEADERS = [
    "Case reference",
    "Date",
    "Place",
    "Country",
    "Agency",
    "Species",
    "Commodity",
    "Quantity",
    "Unit",
    "Transport mode",
    "Arrests",
    "Vehicle plate",
    "Suspect 1",
    "Suspect 1 nationality",
    "Suspect 1 phone",
    "Suspect 1 passport",
    "Suspect 2",
    "Suspect 2 nationality",
    "Suspect 2 phone",
    "Grade",
]


def generate(path: Path, n: int, seed: int = 7) -> None:
    """n seizure rows: unique case references, a few thousand people and phones, repeated species and places."""
    rng = np.random.default_rng(seed)
    people = np.array([f"{f} {last}" for f in FIRST for last in LAST] * 1)
    people = np.array([f"{p} {i}" if i else p for i in range(max(1, n // 2000)) for p in people])
    phones = np.array([f"+2547{n_:08d}" for n_ in rng.integers(0, 10**8, size=max(1000, n // 20))])
    days = pd.to_datetime("2015-01-01") + pd.to_timedelta(rng.integers(0, 3650, size=n), unit="D")
    take = lambda arr: arr[rng.integers(0, len(arr), size=n)]
    blank2 = rng.random(n) < 0.5
    df = pd.DataFrame(
        {
            "Case reference": [f"KWS/{y}/{i:07d}" for i, y in zip(range(n), days.year)],
            "Date": days.strftime("%d/%m/%Y"),
            "Place": take(np.array(["JKIA", "Mombasa Port", "Namanga", "Malaba", "Busia", "Kilindini", "Isiolo"])),
            "Country": take(np.array(COUNTRIES)),
            "Agency": take(np.array(["KWS", "KRA Customs", "DCI", "TPA Police"])),
            "Species": take(np.array(SPECIES)),
            "Commodity": take(np.array(["ivory", "scales", "horn", "skin", "live", "timber"])),
            "Quantity": np.round(rng.random(n) * 500, 1).astype(str),
            "Unit": take(np.array(["kg", "pieces", "tusks", ""])),
            "Transport mode": take(np.array(["air", "sea", "road"])),
            "Arrests": rng.integers(0, 4, size=n).astype(str),
            "Vehicle plate": np.where(
                rng.random(n) < 0.2, take(np.array([f"KC{c} {i:03d}A" for c in "ABCDEFG" for i in range(100)])), ""
            ),
            "Suspect 1": take(people),
            "Suspect 1 nationality": take(np.array(COUNTRIES)),
            "Suspect 1 phone": take(phones),
            "Suspect 1 passport": [f"A{x:08d}" for x in rng.integers(0, 10**6, size=n)],
            "Suspect 2": np.where(blank2, "", take(people)),
            "Suspect 2 nationality": np.where(blank2, "", take(np.array(COUNTRIES))),
            "Suspect 2 phone": np.where(blank2, "", take(phones)),
            "Grade": take(np.array(["B2", "B2", "C3", "A2"])),
        }
    )
    df.to_csv(path, index=False)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def phase(args) -> dict:
    from linkgraph.importing import import_files
    from linkgraph.importing.engine import build_observations
    from linkgraph.store import open_store

    csv_path = Path(args.csv)
    n = args.n
    if args.phase == "import":
        t = time.perf_counter()
        with open_store(args.db) as store:
            import_files(store, [csv_path], spec="seizure-register", progress=False, resolve=False)
        dt = time.perf_counter() - t
        return {"seconds": dt, "rows_s": n / dt, "peak_mb": peak_mb()}
    if args.phase in ("floor", "floor-bare"):
        return floor(args, csv_path, n, bare=args.phase == "floor-bare")
    if args.phase in ("neo4j", "rowwise"):
        uri = args.uri
        store = open_store(uri)
        try:
            store.wipe()
            if args.phase == "neo4j":
                t = time.perf_counter()
                import_files(store, [csv_path], spec="seizure-register", progress=False, resolve=False)
                dt = time.perf_counter() - t
                return {"seconds": dt, "rows_s": n / dt, "peak_mb": peak_mb()}
            # per-row path: every observation of the sample's rows as its own MERGE statement and transaction
            nodes, links = build_observations(csv_path, spec="seizure-register")
            stmts = 0
            t = time.perf_counter()
            for typ, df in nodes.items():
                cols = [c for c in df.columns if not c.startswith("_") and c != "id"]
                for rec in df[["id", *cols]].astype(object).where(df[["id", *cols]].notna(), None).to_dict("records"):
                    store.execute(
                        f"MERGE (x:{typ}:Entity {{id: $id}}) SET x += $p",
                        {"id": rec.pop("id"), "p": {k: v for k, v in rec.items() if not isinstance(v, list)}},
                    )
                    stmts += 1
            for typ, df in links.items():
                for rec in df[["id", "source", "target", "source_type", "target_type"]].to_dict("records"):
                    store.execute(
                        f"MATCH (a:{rec['source_type']} {{id: $s}}), (b:{rec['target_type']} {{id: $t}}) "
                        f"MERGE (a)-[r:{typ} {{id: $id}}]->(b)",
                        {"s": rec["source"], "t": rec["target"], "id": rec["id"]},
                    )
                    stmts += 1
            dt = time.perf_counter() - t
            return {"seconds": dt, "rows_s": n / dt, "statements": stmts, "peak_mb": peak_mb()}
        finally:
            store.wipe()
            store.close()
    raise SystemExit(f"unknown phase {args.phase}")


def _lists(df: pd.DataFrame, types: dict) -> pd.DataFrame:
    """List columns as Python lists (a query returns them as arrays, which COPY does not scan)."""
    for c, t in types.items():
        if t.endswith("[]") and c in df.columns:
            df[c] = [None if v is None else list(v) for v in df[c]]
    return df


def _bare(df: pd.DataFrame) -> pd.DataFrame:
    """The provenance columns emptied (COPY wants every column of the table)."""
    return df.assign(prov="", batches=[[] for _ in range(len(df))])


def floor(args, csv_path: Path, n: int, bare: bool) -> dict:
    """pandas reading the CSV, plus LadybugDB bulk-loading the final tables of the import (read back from the
    imported store, untimed) into a fresh store: one COPY per table (per end-type pair for links). `bare`
    empties the provenance columns: the engine's own floor for the graph alone."""
    from linkgraph.store import open_store

    t = time.perf_counter()
    pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    t_read = time.perf_counter() - t
    t_copy = 0.0
    drop = set()
    items = 0
    with open_store(args.db) as src, tempfile.TemporaryDirectory() as d, open_store(str(Path(d) / "db")) as dst:
        for name in src.schema.entities:
            cols = [c for c in src.schema.node_columns(name) if c not in drop]
            df = _lists(
                src.query(f"MATCH (n:{name}) RETURN " + ", ".join(f"n.{c} AS {c}" for c in cols)),
                src.schema.node_columns(name),
            )
            if not len(df):
                continue
            items += len(df)
            df = _bare(df) if bare else df
            t = time.perf_counter()
            dst.execute(f"COPY {name} FROM $rows", {"rows": df})
            t_copy += time.perf_counter() - t
        for name in src.schema.links:
            cols = [c for c in src.schema.link_columns(name) if c not in drop]
            ret = ", ".join(
                ["a.id AS `from`", "b.id AS `to`", *(f"r.{c} AS {c}" for c in cols), "label(a) AS st", "label(b) AS tt"]
            )
            df = _lists(src.query(f"MATCH (a)-[r:{name}]->(b) RETURN {ret}"), src.schema.link_columns(name))
            if not len(df):
                continue
            items += len(df)
            multi = len(src.schema.link(name).pairs()) > 1
            for (st, tt), part in df.groupby(["st", "tt"]):
                part = part.drop(columns=["st", "tt"]).reset_index(drop=True)
                part = _bare(part) if bare else part
                opts = f" (from='{st}', to='{tt}')" if multi else ""
                t = time.perf_counter()
                dst.execute(f"COPY {name} FROM $rows{opts}", {"rows": part})
                t_copy += time.perf_counter() - t
            del df
    dt = t_read + t_copy
    return {"seconds": dt, "read_s": t_read, "copy_s": t_copy, "items": items, "rows_s": n / dt, "peak_mb": peak_mb()}


def run_phase(name: str, csv_path: Path, n: int, uri: str | None = None, env=None, db: Path | None = None) -> dict:
    cmd = [sys.executable, __file__, "--phase", name, "--csv", str(csv_path), "--n", str(n)]
    if uri:
        cmd += ["--uri", uri]
    if db:
        cmd += ["--db", str(db)]
    p = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if p.returncode != 0:
        raise SystemExit(
            f"phase {name} failed: {p.stderr.strip().splitlines()[-1] if p.stderr.strip() else p.returncode}"
        )
    return json.loads(p.stdout.strip().splitlines()[-1])


def machine() -> str:
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    import ladybug

    return (
        f"{cpu}, {os.cpu_count()} CPUs, {mem:.0f} GB RAM, Python {platform.python_version()}, "
        f"pandas {pd.__version__}, LadybugDB {ladybug.__version__}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--neo4j-rows", type=int, default=100_000)
    ap.add_argument("--rowwise-sample", type=int, default=2_000)
    ap.add_argument("--no-neo4j", action="store_true")
    ap.add_argument("--no-embedded", action="store_true")
    ap.add_argument("--phase")
    ap.add_argument("--csv")
    ap.add_argument("--n", type=int)
    ap.add_argument("--uri")
    ap.add_argument("--db")
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase(args)))
        return
    tmp = Path(tempfile.mkdtemp(prefix="lg-bench-"))
    try:
        run_all(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run_all(args, tmp: Path) -> None:
    csv_path = tmp / "seizures.csv"
    generate(csv_path, args.rows)
    size = csv_path.stat().st_size / 2**20
    if not args.no_embedded:
        embedded_rows(args, tmp, csv_path, size)
    if args.no_neo4j:
        return
    neo4j_rows(args, tmp)


def embedded_rows(args, tmp: Path, csv_path: Path, size: float) -> None:
    db = tmp / "import-db"
    imp = run_phase("import", csv_path, args.rows, db=db)
    flo = run_phase("floor", csv_path, args.rows, db=db)
    bare = run_phase("floor-bare", csv_path, args.rows, db=db)
    print(f"<!-- machine: {machine()}; load average {os.getloadavg()[0]:.1f} -->")
    print("| benchmark | rows | seconds | rows/s | peak RSS MB | vs floor | notes |")
    print("|---|---:|---:|---:|---:|---:|---|")
    print(
        f"| import seizure register, embedded | {args.rows:,} | {imp['seconds']:.1f} | {imp['rows_s']:,.0f} | "
        f"{imp['peak_mb']:,.0f} | {imp['seconds'] / flo['seconds']:.2f}x | CSV {size:.0f} MB, 20 columns, "
        f"{flo['items']:,} nodes and links; chunks of 100k rows, each committed, the batch compensated on failure |"
    )
    print(
        f"| floor: pandas read + LadybugDB COPY of the final tables | {args.rows:,} | {flo['seconds']:.1f} | "
        f"{flo['rows_s']:,.0f} | {flo['peak_mb']:,.0f} | 1.00x | read_csv {flo['read_s']:.1f} s, COPY "
        f"{flo['copy_s']:.1f} s ({flo['items'] / flo['copy_s']:,.0f} items/s) |"
    )
    print(
        f"| engine floor without provenance columns | {args.rows:,} | {bare['seconds']:.1f} | "
        f"{bare['rows_s']:,.0f} | {bare['peak_mb']:,.0f} | {bare['seconds'] / flo['seconds']:.2f}x | the same "
        f"tables without prov and batches: COPY {bare['copy_s']:.1f} s |"
    )


def neo4j_rows(args, tmp: Path) -> None:
    uri, server, env = os.environ.get("NEO4J_URI"), None, dict(os.environ)
    if not uri:
        try:
            sys.path.insert(0, str(ROOT / "tests"))
            import neo4j_server

            server = neo4j_server.start(tmp / "neo4j")
            uri = server.uri
            env.update(NEO4J_USERNAME=server.user, NEO4J_PASSWORD=server.password)
        except Exception as e:  # report and carry on
            print(f"| import seizure register, neo4j | - | - | - | - | - | not run: {str(e).splitlines()[0]} |")
            return
    try:
        n4 = min(args.neo4j_rows, args.rows)
        small = tmp / "seizures-neo4j.csv"
        generate(small, n4)
        neo = run_phase("neo4j", small, n4, uri, env)
        print(
            f"| import seizure register, neo4j (batched UNWIND) | {n4:,} | {neo['seconds']:.1f} | "
            f"{neo['rows_s']:,.0f} | {neo['peak_mb']:,.0f} | - | Neo4j 5.26 Community on this machine (1 GiB heap), "
            f"slices of 50k rows; load average {os.getloadavg()[0]:.1f} |"
        )
        sample = tmp / "seizures-rowwise.csv"
        generate(sample, args.rowwise_sample)
        rw = run_phase("rowwise", sample, args.rowwise_sample, uri, env)
        print(
            f"| neo4j, one statement per observation | {args.rowwise_sample:,} (sample) | {rw['seconds']:.1f} | "
            f"{rw['rows_s']:,.0f} | {rw['peak_mb']:,.0f} | - | {rw['statements']:,} statements; extrapolated to "
            f"{n4:,} rows: {n4 / rw['rows_s']:,.0f} s vs {neo['seconds']:.1f} s batched "
            f"({(n4 / rw['rows_s']) / neo['seconds']:.0f}x slower) |"
        )
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    main()
