"""A package import killed with SIGKILL at any point leaves the whole package or none of it, on both engines.

The real CLI runs in a subprocess and is killed at points spread over its run; on the embedded store also the
moment LadybugDB starts a checkpoint (its `*.checkpoint*` files appear). After each kill the store must hold
either none of the package (every item and provenance record of its batch gone, the store as before) or all
of it marked `imported`, never a partial import marked `imported`; importing again must complete it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from linkgraph.demo_data import generate
from linkgraph.importing import import_files
from linkgraph.schema import load_schema
from linkgraph.sharing import export_package, import_package
from linkgraph.sharing.manifest import sha256_file
from linkgraph.sharing.package import package_batch_id
from linkgraph.store import open_store
from linkgraph.store.embedded import EmbeddedStore

pytestmark = pytest.mark.usefixtures("agency_keys")


@pytest.fixture(scope="module")
def packages(tmp_path_factory, agency_keys):
    """A large package (KWS's whole store) and a small one (part of it) that seeds the receiver's store, so
    the large one both adds new items and adds observations to stored ones."""
    tmp = tmp_path_factory.mktemp("crash")
    d = generate(tmp / "demo")
    with open_store(str(tmp / "kws")) as s:
        files = [d.kenya_register, d.cdr, d.associations, d.tanzania_register, d.nigeria_register, d.manifest]
        import_files(s, files, progress=False, resolve=False)
        export_package(s, tmp / "big.zip", tlp="AMBER")
        export_package(s, tmp / "small.zip", tlp="AMBER", around="Abdallah Said Mwinyi", hops=2)
    return tmp / "big.zip", tmp / "small.zip"


def _fingerprint(s) -> tuple[dict, int]:
    """Items per type, and how many items carry a package batch from the big package."""
    counts = {f"{r.kind}:{r.type}": r.count for r in s.counts().itertuples() if r.count}
    return counts, _with_batch(s)


BIG_BATCH: list[str] = []


def _with_batch(s) -> int:
    n = 0
    schema = load_schema()
    for pat in [*(f"(x:{t})" for t in schema.entities), *(f"()-[x:{t}]->()" for t in schema.links)]:
        df = s.query(f"MATCH {pat} WHERE $b IN x.batches RETURN count(x) AS c", {"b": BIG_BATCH[0]})
        n += int(df["c"].iloc[0])
    return n


def _status(s) -> str | None:
    df = s.query("MATCH (b:LgBatch {id: $id}) RETURN b.status AS status", {"id": BIG_BATCH[0]})
    return df["status"].iloc[0] if len(df) else None


class _Unrecovered(EmbeddedStore):
    """The embedded store as the killed process left it: LadybugDB replays its log, linkgraph recovers nothing."""

    def recover_batches(self, batch_ids=None):
        return []


def _cli(pkg: Path, target: str) -> list[str]:
    return [sys.executable, "-m", "linkgraph.cli", "package", "import", str(pkg), "--agency", "KWS", "--db", target]


def _run_and_kill(cmd: list[str], trigger) -> tuple[int, bool]:
    """Start cmd, SIGKILL it as soon as trigger() is true; (return code, whether the kill was sent)."""
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    start = time.monotonic()
    killed = False
    while p.poll() is None:
        if trigger(time.monotonic() - start):
            p.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.001)
    _, err = p.communicate(timeout=600)
    assert killed or p.returncode == 0, err.decode()[-2000:]
    return p.returncode, killed


def _checkpoint_trigger(folder: Path, nth: int, after: float):
    """True `after` seconds into the nth checkpoint LadybugDB starts in folder."""
    state = {"seen": 0, "inside": False, "at": None}

    def trigger(_elapsed):
        inside = any("checkpoint" in f for f in os.listdir(folder))
        if inside and not state["inside"]:
            state["seen"] += 1
            if state["seen"] == nth:
                state["at"] = time.monotonic()
        state["inside"] = inside
        return state["at"] is not None and time.monotonic() - state["at"] >= after

    return trigger


def test_killed_package_import_is_all_or_nothing(store_target, packages, tmp_path):
    big, small = packages
    BIG_BATCH[:] = [package_batch_id(sha256_file(big))]
    embedded = "://" not in store_target
    base = tmp_path / "base"

    def reset() -> str:
        if embedded:
            target = tmp_path / f"db-{time.monotonic_ns()}"
            shutil.copytree(base, target)
            return str(target)
        with open_store(store_target) as s:
            s.wipe()
            import_package(s, small, deconflict=False)
        return store_target

    if embedded:
        with open_store(str(base)) as s:
            import_package(s, small, deconflict=False)
    target = reset()
    with open_store(target) as s:
        before = _fingerprint(s)
    assert before[1] == 0
    t0 = time.monotonic()
    assert subprocess.run(_cli(big, target), capture_output=True, timeout=600).returncode == 0
    duration = time.monotonic() - t0
    with open_store(target) as s:
        whole = _fingerprint(s)
        assert _status(s) == "imported"
    assert whole[1] > 0 and whole[0] != before[0]

    triggers = [(f"{f:.2f} of the run", lambda t, f=f: t >= f * duration) for f in (0.3, 0.45, 0.6, 0.7, 0.8, 0.9)]
    if embedded:
        triggers += [(f"checkpoint {n} + {ms} ms", (n, ms)) for n in (1, 2) for ms in (0, 5, 20)]
    outcomes = []
    for label, trigger in triggers:
        target = reset()
        if isinstance(trigger, tuple):
            trigger = _checkpoint_trigger(Path(target), trigger[0], trigger[1] / 1000)
        rc, killed = _run_and_kill(_cli(big, target), trigger)
        # what the killed process left, before anything recovers it
        with _Unrecovered(target) if embedded else open_store(target) as s:
            left = _status(s)
            if left == "imported":
                assert _fingerprint(s) == whole, f"killed at {label}: marked imported but incomplete"
        outcomes.append((label, killed, left))
        with open_store(target) as s:  # the next open (embedded) or import (either engine) recovers
            s.recover_batches([BIG_BATCH[0]])
            now, status = _fingerprint(s), _status(s)
        assert (status == "imported" and now == whole) or (status is None and now == before), (
            f"killed at {label}: status {status}, {now} (before {before}, whole {whole})"
        )
        r = subprocess.run(_cli(big, target), capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        assert ("already imported" in r.stdout) == (status == "imported"), r.stdout
        with open_store(target) as s:
            assert _fingerprint(s) == whole and _status(s) == "imported", f"re-import after a kill at {label}"
    # the test is worth something only if some kills hit the import half-way
    assert any(left == "importing" for _, killed, left in outcomes if killed), outcomes
