"""The README's main job, `linkgraph demo`, and the chart and export commands on its store, as a user runs them."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile

import pytest


def run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", *args], capture_output=True, text=True, timeout=900, cwd=cwd
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = tmp_path_factory.mktemp("demo")
    r = run("demo", "--out", str(root / "files"), "--db", str(root / "db"))
    assert r.returncode == 0, r.stderr
    return root, r.stdout


def test_demo_imports_analyses_and_charts(demo):
    root, stdout = demo
    assert "brokers" in stdout and "trade routes" in stdout and "the store holds:" in stdout
    chart = (root / "files" / "chart.html").read_text(encoding="utf-8")
    assert "vis-network" in chart or "vis.Network" in chart
    # self-contained: nothing is fetched from anywhere
    assert not re.search(r"""(src|href)\s*=\s*["']https?://""", chart)
    assert "<script>alert(1)</script>" not in chart


def test_demo_again_changes_nothing(demo):
    root, _ = demo
    r = run("demo", "--out", str(root / "files"), "--db", str(root / "db"))
    assert r.returncode == 0, r.stderr
    assert "already imported: nothing changed" in r.stdout


def test_chart_around_a_name_and_exports(demo, tmp_path):
    root, _ = demo
    db = str(root / "db")
    r = run("chart", "--db", db, "--around", "Emeka Okafor", "--hops", "1", "--out", str(tmp_path / "c.html"))
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c.html").stat().st_size > 10_000
    for fmt, name in (("graphml", "g.graphml"), ("gexf", "g.gexf"), ("anx", "g.anx"), ("xlsx", "g.xlsx")):
        r = run("export", fmt, "--db", db, "--query", "repeat_offenders", "--out", str(tmp_path / name))
        assert r.returncode == 0, r.stderr
        assert (tmp_path / name).stat().st_size > 0
    assert zipfile.is_zipfile(tmp_path / "g.xlsx")
    assert (tmp_path / "g.anx").read_bytes()[:2] == b"\xff\xfe"


@pytest.mark.parametrize(
    "args, message",
    [
        (["chart", "--around", "Nobody Atall"], "no entity matches"),
        (["chart", "--around", "Okafor"], "give an id or a full name"),
        (["export", "pdf", "--out", "x.pdf"], "export format must be"),
        (["chart", "--around", "x", "--query", "brokers"], "not both"),
    ],
)
def test_selection_errors_are_one_line(demo, args, message):
    root, _ = demo
    r = run(*args, "--db", str(root / "db"))
    assert r.returncode == 1
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_audit_log_records_imports_queries_and_exports(demo, tmp_path):
    root, _ = demo
    db = str(root / "db")
    assert run("query", "repeat_offenders", "--db", db, "--format", "csv").returncode == 0
    assert (
        run(
            "export", "graphml", "--db", db, "--query", "repeat_offenders", "--out", str(tmp_path / "a.graphml")
        ).returncode
        == 0
    )
    import os

    r = subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", "audit", "--db", db],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "400"},
    )
    assert r.returncode == 0, r.stderr
    for action in ("import", "query", "export graphml"):
        assert action in r.stdout, action
    assert "kws_seizures.xlsx" in r.stdout
