"""`linkgraph package`, `deconflict` and `audit` as a user runs them, between two agencies' stores."""

from __future__ import annotations

import subprocess
import sys
import zipfile

import pytest

from linkgraph.store import open_store
from tests import fixture_graph
from tests.support import items

pytestmark = pytest.mark.usefixtures("agency_keys")


def run(*args):
    return subprocess.run([sys.executable, "-m", "linkgraph.cli", *args], capture_output=True, text=True, timeout=600)


def test_two_agencies_exchange_a_package_and_tokens(store_target, tmp_path):
    with open_store(store_target) as s:
        s.write(*fixture_graph.build())
    theirs = str(tmp_path / "agency-b")
    pkg = tmp_path / "pkg.zip"
    r = run(
        "package",
        "export",
        "--db",
        store_target,
        "--around",
        "Hung Nguyen Van",
        "--hops",
        "2",
        "--tlp",
        "AMBER",
        "--handling",
        "C",
        "--recipient",
        "TPA",
        "--out",
        str(pkg),
    )
    assert r.returncode == 0, r.stderr
    names = zipfile.ZipFile(pkg).namelist()
    assert {"manifest.json", "chart.html", "workbook.xlsx"} <= set(names)
    r = run("package", "import", str(pkg), "--agency", "KWS", "--db", theirs)
    assert r.returncode == 0, r.stderr
    assert ": imported;" in r.stdout
    r = run("package", "import", str(pkg), "--agency", "KWS", "--db", theirs)
    assert "already imported" in r.stdout
    with open_store(theirs) as s:
        prov = items(s, "MATCH (p:Phone {id: 'Phone:+254712345678'}) RETURN p.id AS id, p.prov AS prov")["prov"].iloc[0]
    assert '"agency":"KWS"' in prov.replace(" ", "")

    key = tmp_path / "shared.key"
    assert run("deconflict", "key", "--out", str(key)).returncode == 0
    ours, theirs_tokens = tmp_path / "ours.csv", tmp_path / "theirs.csv"
    refused = run("deconflict", "tokens", "--key", str(key), "--out", str(ours), "--db", store_target)
    assert refused.returncode == 1 and "--legacy-shared-key" in refused.stderr and not ours.exists()
    legacy = ("--legacy-shared-key",)
    r = run("deconflict", "tokens", *legacy, "--key", str(key), "--out", str(ours), "--db", store_target)
    assert r.returncode == 0 and "warning: a shared key" in r.stderr and "hash a whole" in r.stderr
    r = run("deconflict", "tokens", *legacy, "--key", str(key), "--out", str(theirs_tokens), "--db", theirs)
    assert r.returncode == 0, r.stderr
    assert "+254712345678" not in theirs_tokens.read_text() and "712345678" not in theirs_tokens.read_text()
    r = run("deconflict", "match", str(ours), str(theirs_tokens), "--key", str(key), "--db", store_target)
    assert r.returncode == 1 and "--legacy-shared-key" in r.stderr
    r = run(
        "deconflict",
        "match",
        *legacy,
        str(ours),
        str(theirs_tokens),
        "--key",
        str(key),
        "--format",
        "csv",
        "--db",
        store_target,
    )
    assert r.returncode == 0, r.stderr
    assert "Phone:+254712345678" in r.stdout
    r = run("audit", "--db", store_target)
    assert r.returncode == 0 and "package" in r.stdout and "deconflict" in r.stdout


def test_tampered_package_is_refused_in_one_line(tmp_path):
    db = str(tmp_path / "a")
    with open_store(db) as s:
        s.write(*fixture_graph.build())
    pkg = tmp_path / "pkg.zip"
    assert run("package", "export", "--db", db, "--tlp", "GREEN", "--out", str(pkg)).returncode == 0
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(pkg) as src, zipfile.ZipFile(bad, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "chart.html":
                data = data.replace(b"<title>", b"<title>x", 1)
            dst.writestr(item, data)
    r = run("package", "import", str(bad), "--agency", "KWS", "--db", str(tmp_path / "b"))
    assert r.returncode == 1 and "chart.html" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_export_withholds_above_its_tlp_and_import_refuses_unknown_codes(tmp_path):
    from tests.test_sharing import plant_handled, repack

    db = str(tmp_path / "a")
    with open_store(db) as s:
        plant_handled(s)
    green, full = tmp_path / "green.zip", tmp_path / "full.zip"
    r = run("package", "export", "--db", db, "--tlp", "green", "--out", str(green))
    assert r.returncode == 0, r.stderr
    assert "(TLP:GREEN)" in r.stdout and "withheld 3 items handled above TLP:GREEN" in " ".join(r.stderr.split())
    assert "report/withheld.csv" in zipfile.ZipFile(green).namelist()
    r = run("package", "export", "--db", db, "--tlp", "GREEN", "--include-restricted", "--out", str(full))
    assert r.returncode == 0 and "(TLP:RED)" in r.stdout and "withheld" not in r.stderr, r.stderr
    r = run("package", "export", "--db", db, "--tlp", "PURPLE", "--out", str(tmp_path / "x.zip"))
    assert r.returncode == 1 and "PURPLE" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr

    def bogus(name, rows):
        rows[0]["provenance"][0]["handling"] = "TLP:BOGUS"

    bad = repack(green, tmp_path / "bad.zip", bogus)
    r = run("package", "import", str(bad), "--agency", "KWS", "--allow-unsigned", "--db", str(tmp_path / "b"))
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "graph/nodes.jsonl, line 1" in r.stderr and "TLP:BOGUS" in r.stderr
