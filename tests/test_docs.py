"""The user guide in docs/ works as written.

Every ```sh and ```python block in docs/*.md is preceded by a marker: `<!-- run -->` (the test runs it) or
`<!-- no-run: why -->` (it needs docker, a cluster, or it is a synopsis). The run blocks of a page are run in order,
unchanged, in one fresh folder holding a copy of docs/examples/ as examples/, on the embedded store; any failing
command fails the test. The generated reference (docs/queries.md, the spec table in docs/importing.md) must be
up to date, and the worked import example in docs/examples/ must import on both engines.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.glob("*.md"))
FENCE = re.compile(r"^```(\w*)\s*$")
MARK = re.compile(r"^<!--\s*(run|no-run)\b[^>]*-->\s*$")


def blocks(page: Path) -> list[dict]:
    """The fenced code blocks of a page: language, marker (run / no-run / None), text, line."""
    lines = page.read_text(encoding="utf-8").splitlines()
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m or not m.group(1):
            i += 1
            continue
        lang, start = m.group(1), i
        j = i + 1
        while j < len(lines) and lines[j].strip() != "```":
            j += 1
        prev = next((lines[k] for k in range(start - 1, -1, -1) if lines[k].strip()), "")
        mark = MARK.match(prev.strip())
        out.append(
            {
                "lang": lang,
                "mark": mark.group(1) if mark else None,
                "text": "\n".join(lines[i + 1 : j]) + "\n",
                "line": start + 1,
            }
        )
        i = j + 1
    return out


def _env() -> dict:
    env = dict(os.environ)
    for k in ("LINKGRAPH_DB", "LINKGRAPH_QUERIES", "LINKGRAPH_HOME", "NEO4J_URI"):
        env.pop(k, None)
    # `linkgraph` and `python` as installed beside this interpreter
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env["COLUMNS"] = "160"
    return env


def test_every_shell_and_python_block_is_marked():
    unmarked = [
        f"{p.name}:{b['line']}"
        for p in PAGES
        for b in blocks(p)
        if b["lang"] in ("sh", "bash", "python") and b["mark"] is None
    ]
    assert not unmarked, f"mark these blocks <!-- run --> or <!-- no-run: why -->: {', '.join(unmarked)}"


RUN_PAGES = [p for p in PAGES if any(b["mark"] == "run" for b in blocks(p))]


@pytest.mark.parametrize("page", RUN_PAGES, ids=lambda p: p.name)
def test_page_runs(page: Path, tmp_path: Path):
    shutil.copytree(DOCS / "examples", tmp_path / "examples")
    env = _env()
    for b in blocks(page):
        if b["mark"] != "run":
            continue
        if b["lang"] in ("sh", "bash"):
            cmd = ["bash", "-e", "-o", "pipefail", "-c", b["text"]]
        elif b["lang"] == "python":
            cmd = [sys.executable, "-c", b["text"]]
        else:
            pytest.fail(f"{page.name}:{b['line']}: only sh and python blocks can run, not {b['lang']}")
        proc = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
        assert proc.returncode == 0, (
            f"{page.name}:{b['line']} failed (exit {proc.returncode})\n"
            f"--- stdout\n{proc.stdout[-3000:]}\n--- stderr\n{proc.stderr[-3000:]}"
        )


def test_generated_reference_is_up_to_date():
    proc = subprocess.run([sys.executable, str(DOCS / "gen_queries.py"), "--check"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_query_is_documented():
    from linkgraph import list_queries

    text = (DOCS / "queries.md").read_text(encoding="utf-8")
    for name in list_queries()["name"]:
        assert f"\n## {name}\n" in text, name


def test_worked_example_in_the_page_is_the_example_file():
    """importing.md shows docs/examples/patrol-log.{csv,yaml} in full: the two must not drift apart."""
    shown = {b["lang"]: b["text"] for b in blocks(DOCS / "importing.md") if b["lang"] in ("csv", "yaml")}
    assert shown["csv"] == (DOCS / "examples" / "patrol-log.csv").read_text(encoding="utf-8")
    assert shown["yaml"] == (DOCS / "examples" / "patrol-log.yaml").read_text(encoding="utf-8")


def test_worked_example_imports(store):
    from linkgraph import query
    from linkgraph.importing import import_files

    examples = DOCS / "examples"
    report = import_files(store, examples / "patrol-log.csv", spec=str(examples / "patrol-log.yaml"), progress=False)
    counts = report.counts().set_index("type")
    assert counts.loc["Seizure", "created"] == 4
    assert counts.loc["Person", "created"] == 2  # two offenders (a row without one makes none)
    assert counts.loc["Phone", "created"] == 2  # 0977 123 456 and +260 977 123 456 are one phone
    assert counts.loc["PARTY_TO", "created"] == 3
    phones = store.query("MATCH (p:Phone) RETURN p.number AS number ORDER BY number")["number"].tolist()
    assert "+260977123456" in phones
    banda = query("entity", store, text="Mwila Banda")
    assert len(banda) == 1
    grades = store.query(
        "MATCH (:Person)-[r:PARTY_TO]->(s:Seizure) RETURN s.reference AS ref, "
        "r.reliability AS rel, r.credibility AS cred ORDER BY ref"
    )
    assert grades.set_index("ref").loc["PL-2024-003", "rel"] == "A"  # the Grading column, row by row


def test_links_between_pages_resolve():
    missing = []
    for p in PAGES:
        for target in re.findall(r"\]\(([\w\-]+\.md)(?:#[\w\-]*)?\)", p.read_text(encoding="utf-8")):
            if not (DOCS / target).exists() and target != "sharing.md":  # sharing.md: written by the sharing work
                missing.append(f"{p.name} -> {target}")
    assert not missing, missing
