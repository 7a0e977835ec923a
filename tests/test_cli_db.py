"""`linkgraph db ...` driven as a user would, against real stores of both engines."""

from __future__ import annotations

import subprocess
import sys

import pytest

from linkgraph.store import open_store
from tests import fixture_graph


def run(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", *args], capture_output=True, text=True, env=env, timeout=120
    )


def test_db_init_info_wipe(store_target):
    r = run("db", "init", "--db", store_target)
    assert r.returncode == 0, r.stderr
    with open_store(store_target) as s:
        nodes, links = fixture_graph.build()
        s.write(nodes, links)
    r = run("db", "info", "--db", store_target)
    assert r.returncode == 0, r.stderr
    engine = "neo4j" if "://" in store_target else "embedded"
    assert engine in r.stdout and "Person" in r.stdout and "CALLED" in r.stdout
    assert ("Neo4j Kernel 5.26" in r.stdout) if engine == "neo4j" else ("LadybugDB" in r.stdout)
    r = run("db", "wipe", "--db", store_target)
    assert r.returncode == 1 and "--yes" in r.stderr
    r = run("db", "wipe", "--yes", "--db", store_target)
    assert r.returncode == 0, r.stderr
    with open_store(store_target) as s:
        assert int(s.counts()["count"].sum()) == 0


def test_linkgraph_db_env_selects_the_store(tmp_path, monkeypatch):
    import os

    env = {**os.environ, "LINKGRAPH_DB": str(tmp_path / "envdb")}
    assert run("db", "init", env=env).returncode == 0
    assert (tmp_path / "envdb" / "linkgraph.json").exists()


@pytest.mark.parametrize(
    "target, message",
    [
        ("http://example.invalid", "unsupported store URI"),
        ("bolt://127.0.0.1:1", "cannot reach Neo4j at bolt://127.0.0.1:1"),
        ("{tmp}/not-a-store", "is not a linkgraph store"),
        ("{tmp}/missing", "no linkgraph store at"),
    ],
)
def test_errors_are_one_line(tmp_path, target, message):
    (tmp_path / "not-a-store").mkdir()
    (tmp_path / "not-a-store" / "holiday.jpg").write_bytes(b"\xff\xd8")
    r = run("db", "info", "--db", target.format(tmp=tmp_path))
    assert r.returncode == 1
    assert message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr


def test_wrong_password_is_one_line(neo4j_env, monkeypatch):
    import os

    env = {**os.environ, "NEO4J_PASSWORD": "certainly-wrong"}
    r = run("db", "info", "--db", neo4j_env, env=env)
    if r.returncode == 0:
        pytest.fail("the test server accepted a wrong password: it must run with authentication on")
    assert "refused the credentials" in r.stderr and len(r.stderr.strip().splitlines()) == 1
