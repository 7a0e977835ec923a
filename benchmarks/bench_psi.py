"""Deconfliction cost: PSI request, respond and result against the legacy keyed-hash tokens, side by side.

Each agency holds N distinct identifiers (E.164 phones, `phone:+2557…` items as `deconflict.identifiers` makes
them) of which 1% are shared. For each N the full signed-file exchange runs between two agencies with their own
key homes and embedded stores (the stores only take the audit rows): A's request, B's response, A's result. The
legacy path is one HMAC per identifier per side plus a join; the floor is openmined-psi's own calls on the same
items, without files, signatures or checks. Reported: wall seconds per step, the file sizes, and the shared count
each path found (all must equal the planted overlap).

    PYTHONPATH=. python benchmarks/bench_psi.py [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import machine, peak_rss_mb

from linkgraph.sharing import deconflict, psi, signing
from linkgraph.store import open_store


def phones(start: int, n: int) -> list[str]:
    return [f"phone:+2557{start + i:08d}" for i in range(n)]


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def run(n: int, root: Path) -> dict:
    shared = max(1, n // 100)
    ours, theirs = phones(0, n), phones(n - shared, n)  # the last `shared` of ours are the first of theirs
    a, b = root / f"a{n}", root / f"b{n}"
    signing.init_agency("KWS", a)
    signing.init_agency("TPA", b)
    signing.trust(a / signing.PUBLIC, b)
    signing.trust(b / signing.PUBLIC, a)
    row = {"identifiers per side": n, "planted shared": shared}
    with open_store(str(root / f"sa{n}")) as sa, open_store(str(root / f"sb{n}")) as sb:
        req, row["PSI request s"] = timed(
            lambda: psi.send_request(sa, root / f"req{n}.json", sorted(ours), partner="TPA", home=a)
        )
        resp, row["PSI respond s"] = timed(
            lambda: psi.answer(sb, req["path"], root / f"resp{n}.json", lambda body: sorted(theirs), home=b)
        )
        ans, row["PSI result s"] = timed(lambda: psi.read_answer(sa, root / f"resp{n}.json", home=a))
        row["PSI shared found"] = ans.count
        row["request MB"] = (root / f"req{n}.json").stat().st_size / 2**20
        row["response MB"] = (root / f"resp{n}.json").stat().st_size / 2**20

        def floor():
            # the library's calls alone on the same items: the floor under our files, signatures and checks
            lib = psi._psi()
            c = lib.client.CreateWithNewKey(True)
            req = c.CreateRequest(sorted(ours))
            s = lib.server.CreateWithNewKey(True)
            setup = s.CreateSetupMessage(psi.FPR, n, sorted(theirs), lib.DataStructure.GCS)
            return len(c.GetIntersection(setup, s.ProcessRequest(req)))

        row["library calls only shared"], row["library calls only s"] = timed(floor)

        key = os.urandom(32)

        def legacy():
            ta = pd.DataFrame({"token": [deconflict.token(key, "phone", x[6:]) for x in ours], "kind": "phone"})
            tb = pd.DataFrame({"token": [deconflict.token(key, "phone", x[6:]) for x in theirs], "kind": "phone"})
            return len(ta.merge(tb, on=["token", "kind"]))

        row["tokens shared found"], row["tokens both sides s"] = timed(legacy)
    return row


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"machine: {machine()}\n")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            rows.append(run(n, Path(tmp)))
            print(f"  {n}: done", file=sys.stderr, flush=True)
    df = pd.DataFrame(rows)
    found = ["PSI shared found", "library calls only shared", "tokens shared found"]
    bad = df[(df[found].ne(df["planted shared"], axis=0)).any(axis=1)]
    df["PSI / tokens (time)"] = (df["PSI request s"] + df["PSI respond s"] + df["PSI result s"]) / df[
        "tokens both sides s"
    ]
    cell = lambda v: f"{v:.3g}" if isinstance(v, float) else str(v)
    print("| " + " | ".join(df.columns) + " |\n|" + "---|" * len(df.columns))
    for r in df.itertuples(index=False):
        print("| " + " | ".join(cell(v) for v in r) + " |")
    print(f"\npeak RSS {peak_rss_mb():.0f} MB")
    if len(bad):
        print("a path found a different overlap from the planted one", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
