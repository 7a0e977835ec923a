"""Signed packages between two agencies, each with its own key folder and store: a package imports only when
its signature verifies against a key the receiver trusts, and a refusal writes nothing."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import zipfile

import pytest
from typer.testing import CliRunner

from linkgraph.cli import app
from linkgraph.errors import LinkgraphError
from linkgraph.sharing import audit_log, export_package, import_package, signing
from linkgraph.sharing.manifest import SIGNATURE
from linkgraph.store import open_store
from tests import fixture_graph
from tests.support import items
from tests.test_sharing import repack


def cli(*args):
    res = CliRunner().invoke(app, [str(a) for a in args])
    assert res.exit_code == 0, (res.output, res.exception)
    return res.output


@pytest.fixture
def agencies(tmp_path, store_target):
    """KWS (the sender: its own embedded store and key) and TPA (the receiver: `store_target`, its own key)."""
    kws, tpa = tmp_path / "kws-home", tmp_path / "tpa-home"
    out = cli("agency", "init", "--name", "KWS", "--home", kws)
    key = signing.own_key(kws)
    assert key.short in out and key.fingerprint in out
    cli("agency", "init", "--name", "TPA", "--home", tpa)
    with open_store(str(tmp_path / "kws-db")) as s:
        s.write(*fixture_graph.build())
    pkg = tmp_path / "pkg.zip"
    out = cli("package", "export", "--db", tmp_path / "kws-db", "--tlp", "GREEN", "--home", kws, "--out", pkg)
    assert f"signed by KWS ({key.short})" in out
    return {"kws": kws, "tpa": tpa, "pkg": pkg, "key": key, "db": store_target}


def nodes(db) -> int:
    with open_store(db) as s:
        return s.info()["nodes"]


def refused(db, pkg, home, *extra):
    """The CLI's refusal as a user sees it: exit status 1, one line on stderr, and nothing imported."""
    before = nodes(db)
    r = subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", "package", "import", str(pkg), "--agency", "KWS"]
        + ["--home", str(home), "--db", db, *extra],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr and "refused" in r.stderr
    assert nodes(db) == before
    return r.stderr


def test_private_key_is_0600_and_public_file_names_the_agency(tmp_path):
    home = tmp_path / "home"
    cli("agency", "init", "--name", "KWS", "--home", home)
    assert stat.S_IMODE(os.stat(home / signing.PRIVATE).st_mode) == 0o600
    pub = json.loads((home / signing.PUBLIC).read_text())
    assert pub["agency"] == "KWS" and "BEGIN" not in json.dumps(pub)  # the public file holds no private key
    with pytest.raises(LinkgraphError, match="already exists"):
        signing.init_agency("KWS", home)
    # LINKGRAPH_HOME is the default folder
    env = {**os.environ, "LINKGRAPH_HOME": str(home)}
    r = subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", "agency", "list"], capture_output=True, text=True, env=env, timeout=120
    )
    assert r.returncode == 0 and "KWS" in r.stdout and signing.own_key(home).short in r.stdout


def test_trusted_signer_imports_and_is_recorded(agencies):
    a = agencies
    out = cli("agency", "trust", a["kws"] / signing.PUBLIC, "--home", a["tpa"])
    assert "KWS" in out and a["key"].short in out
    listed = cli("agency", "list", "--home", a["tpa"])
    assert "TPA" in listed and "trusted" in listed and a["key"].short in listed
    before = nodes(a["db"])
    out = cli("package", "import", a["pkg"], "--agency", "KWS", "--home", a["tpa"], "--db", a["db"])
    assert ": imported;" in out and f"signed by KWS ({a['key'].short})" in out
    assert nodes(a["db"]) > before
    with open_store(a["db"]) as s:
        summary = s.query("MATCH (b:LgBatch) WHERE b.id STARTS WITH 'p-' RETURN b.summary AS s")["s"].tolist()
        log = audit_log(s, action="package import")
    assert [json.loads(x)["signer"] for x in summary] == [{"agency": "KWS", "fingerprint": a["key"].fingerprint}]
    assert a["key"].fingerprint in log["detail"].iloc[-1]


def test_tampered_or_stripped_package_is_refused(agencies):
    a = agencies
    signing.trust(a["kws"] / signing.PUBLIC, a["tpa"])

    def retag(name, rows):  # a hostile change, with the manifest recomputed to match it
        if name.endswith("nodes.jsonl"):
            rows[0]["caption"] = "someone else"

    tampered = repack(a["pkg"], a["pkg"].with_name("tampered.zip"), retag, keep_signature=True)
    assert SIGNATURE in zipfile.ZipFile(tampered).namelist()  # the original signature, now of another manifest
    assert "does not verify" in refused(a["db"], tampered, a["tpa"])
    # a forged signature is never "unsigned": --allow-unsigned does not let it through
    assert "does not verify" in refused(a["db"], tampered, a["tpa"], "--allow-unsigned")

    stripped = a["pkg"].with_name("stripped.zip")
    with zipfile.ZipFile(a["pkg"]) as src, zipfile.ZipFile(stripped, "w") as dst:
        for info in src.infolist():
            if info.filename != SIGNATURE:
                dst.writestr(info, src.read(info.filename))
    assert "not signed" in refused(a["db"], stripped, a["tpa"])


def test_observations_name_the_signer_not_what_the_analyst_types(agencies):
    a = agencies
    signing.trust(a["kws"] / signing.PUBLIC, a["tpa"])
    # --agency must agree with the signature: a package signed by KWS cannot be filed as INTERPOL's
    assert "signed by KWS" in refused(a["db"], a["pkg"], a["tpa"], "--agency", "INTERPOL")
    with open_store(a["db"]) as s:
        res = import_package(s, a["pkg"], home=a["tpa"])  # no agency given: the signer's
        assert res.agency == "KWS" and res.signer.fingerprint == a["key"].fingerprint
        found = items(
            s, "MATCH (n:Phone) WHERE $batch IN n.batches RETURN n.id AS id, n.prov AS prov", {"batch": res.batch}
        )
        rows = found["prov"].tolist()
    obs = [r for p in rows for r in json.loads(p) if r.get("batch") == res.batch]
    assert rows and obs and {r["agency"] for r in obs} == {"KWS"}


def test_unsigned_import_must_name_its_sender(agencies):
    a = agencies
    with open_store(a["db"]) as s:
        with pytest.raises(LinkgraphError, match=r"not trusted: name the agency it comes from \(--agency\)"):
            import_package(s, a["pkg"], home=a["tpa"], allow_unsigned=True)
        res = import_package(s, a["pkg"], "Partner X", home=a["tpa"], allow_unsigned=True)
    assert res.agency == "Partner X" and res.signer is None and "not trusted" in res.unsigned


def test_untrusted_signer_is_refused_unless_allowed(agencies):
    a = agencies
    msg = refused(a["db"], a["pkg"], a["tpa"])
    assert "not trusted" in msg and "KWS" in msg
    with pytest.raises(LinkgraphError, match="not trusted"):
        with open_store(a["db"]) as s:
            import_package(s, a["pkg"], "KWS", home=a["tpa"])
    # the analyst's explicit choice: imported, with a warning and no signer recorded
    res = CliRunner().invoke(
        app,
        ["package", "import", str(a["pkg"]), "--agency", "KWS", "--allow-unsigned", "--home", str(a["tpa"])]
        + ["--db", a["db"]],
    )
    assert res.exit_code == 0, res.output
    assert ": imported;" in res.output and "warning: imported without a trusted signature" in res.output
    with open_store(a["db"]) as s:
        summary = s.query("MATCH (b:LgBatch) WHERE b.id STARTS WITH 'p-' RETURN b.summary AS s")["s"].tolist()
    assert "agency" not in json.loads(summary[0])["signer"]


def test_export_without_a_key_is_unsigned(tmp_path):
    with open_store(str(tmp_path / "db")) as s:
        s.write(*fixture_graph.build())
        info = export_package(s, tmp_path / "p.zip", tlp="GREEN", home=tmp_path / "nokeys")
    assert info.signer is None and SIGNATURE not in zipfile.ZipFile(tmp_path / "p.zip").namelist()
