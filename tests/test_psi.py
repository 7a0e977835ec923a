"""Target deconfliction by private set intersection between two agencies, each with its own store and key home:
A learns exactly the identifiers both hold, B answers only trusted, large enough, fresh requests within its
rate, and neither file carries an identifier in clear."""

from __future__ import annotations

import base64
import json
import os
import shutil
import stat
import subprocess
import sys

import pandas as pd
import pytest
from typer.testing import CliRunner

from linkgraph.cli import app
from linkgraph.errors import LinkgraphError
from linkgraph.sharing import audit_log, psi, signing
from linkgraph.sharing.deconflict import identifiers
from linkgraph.store import open_store
from tests import fixture_graph
from tests.test_sharing import PLANTED_A, PLANTED_B, plant

A_ONLY = [f"+25578800{i:04d}" for i in range(12)]  # phones only A holds
B_ONLY = [f"+25579900{i:04d}" for i in range(15)]  # phones only B holds


def phones(store, numbers, source):
    obs = {"_batch": f"ph-{source}", "_source": source, "_row": 2, "_reliability": "B", "_credibility": 2}
    rows = [{**obs, "_handling": "P", "id": f"Phone:{p}", "caption": p, "number": p} for p in numbers]
    store.write({"Phone": pd.DataFrame(rows)}, {})


@pytest.fixture
def partner(tmp_path):
    """The partner agency's store: embedded, in its own folder."""
    with open_store(str(tmp_path / "partner-db")) as s:
        yield s


@pytest.fixture
def homes(tmp_path):
    """KWS (A, the client) and TPA (B, the server), each trusting the partner's key."""
    a, b = tmp_path / "kws-keys", tmp_path / "tpa-keys"
    signing.init_agency("KWS", a)
    signing.init_agency("TPA", b)
    signing.trust(a / signing.PUBLIC, b)
    signing.trust(b / signing.PUBLIC, a)
    return a, b


def fill(a, b):
    """A: the fixture network, the planted identifiers and phones of its own; B: the same identifiers written
    differently, a namesake with another birth date, one of the fixture's phones, and phones of its own."""
    a.write(*fixture_graph.build())
    plant(a, PLANTED_A, "a.xlsx")
    phones(a, A_ONLY, "a-phones.csv")
    plant(b, PLANTED_B, "b.xlsx")
    phones(b, B_ONLY + ["+254712345678"], "b-phones.csv")


def truth(a, b) -> pd.DataFrame:
    return identifiers(a).merge(identifiers(b)[["kind", "value"]].drop_duplicates(), on=["kind", "value"])


def exchange(a, b, homes, tmp_path, **request_args):
    ha, hb = homes
    req, resp = tmp_path / "req.psi.json", tmp_path / "resp.psi.json"
    info = psi.request(a, req, home=ha, **request_args)
    psi.respond(b, req, resp, home=hb)
    return info, req, resp, psi.result(a, resp, home=ha)


@pytest.mark.parametrize("direction", ["store_is_a", "store_is_b"])
def test_a_learns_exactly_the_shared_identifiers(store, partner, homes, tmp_path, direction):
    a, b = (store, partner) if direction == "store_is_a" else (partner, store)
    fill(a, b)
    ha, hb = homes
    req, resp = tmp_path / "req.psi.json", tmp_path / "resp.psi.json"
    info = psi.request(a, req, partner="TPA", home=ha)
    items = len(set(zip(identifiers(a)["kind"], identifiers(a)["value"])))
    assert info["n_items"] == items and info["to"] == "TPA" and info["from"] == "KWS"

    # A's client key waits, owner-only, in A's key home, and is in no file that is sent
    pending = ha / "psi" / "pending" / f"{info['nonce']}.json"
    assert stat.S_IMODE(pending.stat().st_mode) == 0o600
    key = json.loads(pending.read_text())["key"]
    assert len(base64.b64decode(key)) == 32 and key.encode() not in req.read_bytes()

    psi.respond(b, req, resp, home=hb)
    res = psi.result(a, resp, home=ha)
    want = truth(a, b)
    assert list(res.matches.columns) == ["entity_id", "caption", "kind", "value"]
    assert set(zip(res.matches["entity_id"], res.matches["kind"])) == set(zip(want["entity_id"], want["kind"]))
    # the planted overlaps, written differently on each side, and the fixture's phone; the 1990 namesake is not one
    assert sorted(set(res.matches["kind"])) == sorted(
        ["person_dob", "phone", "passport", "imo", "plate", "company_reg"]
    )
    assert set(res.matches.loc[res.matches["kind"] == "phone", "value"]) == {"+255713000111", "+254712345678"}
    assert res.count == 7 == want[["kind", "value"]].drop_duplicates().shape[0]
    assert (res.partner, res.n_items, res.count_only) == ("TPA", items, False)
    assert not pending.exists()  # the key is used once

    # no identifier in clear in either file: not A's, not B's, not seven digits of a phone
    clear = pd.concat([identifiers(a), identifiers(b)])
    needles = set(clear["value"]) | {v.split("|")[0] for v in clear["value"]}
    for p in clear.loc[clear["kind"] == "phone", "value"]:
        d = p.lstrip("+")
        needles.update(d[i : i + 7] for i in range(len(d) - 6))
    for path in (req, resp):
        data = path.read_bytes()
        for n in needles:
            assert n.encode() not in data, (path.name, n)
        assert not any(e.encode() in data for e in clear["entity_id"])
    assert b"+255713000111" not in resp.read_bytes() and b"713000111" not in resp.read_bytes()

    assert "deconflict request" in set(audit_log(a)["action"])
    assert "deconflict result" in set(audit_log(a)["action"])
    row = audit_log(b).query("action == 'deconflict respond'")["detail"].iloc[0]
    assert info["nonce"] in row and f"{items} of their identifiers" in row and "KWS" in row

    with pytest.raises(LinkgraphError, match="no request .* is waiting"):
        psi.result(a, resp, home=ha)  # a second reading of the same response


def test_count_only_returns_the_count_and_no_identity(store, partner, homes, tmp_path):
    fill(store, partner)
    info, req, resp, res = exchange(store, partner, homes, tmp_path, count_only=True, partner="TPA")
    assert json.loads(req.read_text())["count_only"] is True and json.loads(resp.read_text())["count_only"] is True
    want = truth(store, partner)
    assert res.count_only and res.count == want[["kind", "value"]].drop_duplicates().shape[0] == 7
    assert len(res.matches) == 0 and list(res.matches.columns) == ["entity_id", "caption", "kind", "value"]
    assert "count only" in audit_log(store).query("action == 'deconflict result'")["detail"].iloc[0]
    # B's answer holds B's set, shuffled: A's own key reads a count from it, never which items
    assert "count only" in audit_log(partner).query("action == 'deconflict respond'")["detail"].iloc[0]


def test_kinds_limit_the_request(store, partner, homes, tmp_path):
    fill(store, partner)
    phones(store, [f"+25577700{i:04d}" for i in range(10)], "more.csv")
    info, _, _, res = exchange(store, partner, homes, tmp_path, kinds=["phone"])
    assert info["n_items"] == (identifiers(store)["kind"] == "phone").sum()
    assert set(res.matches["kind"]) == {"phone"} and res.count == 2
    with pytest.raises(LinkgraphError, match="unknown identifier kind 'email'"):
        psi.request(store, tmp_path / "x.json", kinds=["email"], home=homes[0])


def test_small_request_is_refused(store, partner, homes, tmp_path):
    fill(store, partner)
    ha, hb = homes
    req, resp = tmp_path / "one.psi.json", tmp_path / "resp.psi.json"
    psi.request(store, req, kinds=["passport"], home=ha)  # one passport: a probe of a single number
    with pytest.raises(LinkgraphError, match="1 items is fewer than the minimum of 10"):
        psi.respond(partner, req, resp, home=hb)
    assert not resp.exists()
    refused = audit_log(partner).query("action == 'deconflict respond refused'")
    assert len(refused) == 1 and "fewer than the minimum" in refused["detail"].iloc[0]
    psi.respond(partner, req, resp, home=hb, min_items=1)  # B's choice
    assert psi.result(store, resp, home=ha).count == 1


def test_rate_limit_and_replay_are_refused(store, partner, homes, tmp_path):
    fill(store, partner)
    ha, hb = homes
    reqs = [tmp_path / f"req{i}.json" for i in range(3)]
    for r in reqs:
        psi.request(store, r, home=ha)
    psi.respond(partner, reqs[0], tmp_path / "resp0.json", home=hb, max_per_day=2)
    with pytest.raises(LinkgraphError, match="was answered before \\(a replayed request\\)"):
        psi.respond(partner, reqs[0], tmp_path / "again.json", home=hb, max_per_day=2)
    psi.respond(partner, reqs[1], tmp_path / "resp1.json", home=hb, max_per_day=2)
    with pytest.raises(LinkgraphError, match="KWS has had 2 requests answered today, the limit is 2"):
        psi.respond(partner, reqs[2], tmp_path / "resp2.json", home=hb, max_per_day=2)
    assert not (tmp_path / "again.json").exists() and not (tmp_path / "resp2.json").exists()
    ledger = json.loads((hb / "psi" / "ledger.json").read_text())
    assert [r["agency"] for r in ledger["requests"]] == ["KWS", "KWS"]
    assert stat.S_IMODE((hb / "psi" / "ledger.json").stat().st_mode) == 0o600
    # the limit is per partner: another trusted agency is still answered today
    hc = tmp_path / "interpol-keys"
    signing.init_agency("INTERPOL", hc)
    signing.trust(hc / signing.PUBLIC, hb)
    signing.trust(hb / signing.PUBLIC, hc)
    psi.request(store, tmp_path / "c.json", home=hc)
    psi.respond(partner, tmp_path / "c.json", tmp_path / "c-resp.json", home=hb, max_per_day=2)
    assert psi.result(store, tmp_path / "c-resp.json", home=hc).count == 7


def rewrite(path, **changes):
    d = json.loads(path.read_text())
    d.update(changes)
    path.write_text(json.dumps(d))


def test_untrusted_or_tampered_files_are_refused(store, partner, homes, tmp_path):
    fill(store, partner)
    ha, hb = homes
    req, resp = tmp_path / "req.json", tmp_path / "resp.json"
    psi.request(store, req, partner="TPA", home=ha)
    stranger = tmp_path / "stranger-keys"
    signing.init_agency("TPA", stranger)  # a key that nobody trusts, even under a partner's name
    with pytest.raises(
        LinkgraphError, match=r"req.json: refused, signed by 'KWS' with key '\w+', which is not trusted"
    ):
        psi.respond(partner, req, resp, home=stranger)

    original = req.read_text()
    rewrite(req, n_items=1000)  # any change breaks the signature
    with pytest.raises(LinkgraphError, match="req.json: refused, the signature of KWS does not verify"):
        psi.respond(partner, req, resp, home=hb)
    d = json.loads(original)
    d["request"] = d["request"][:40] + ("A" if d["request"][40] != "A" else "B") + d["request"][41:]
    req.write_text(json.dumps(d))
    with pytest.raises(LinkgraphError, match="does not verify"):
        psi.respond(partner, req, resp, home=hb)
    d = json.loads(original)
    del d["signature"]
    req.write_text(json.dumps(d))
    with pytest.raises(LinkgraphError, match="req.json: refused, the file is not signed"):
        psi.respond(partner, req, resp, home=hb)
    (tmp_path / "junk.json").write_text("{}")
    with pytest.raises(LinkgraphError, match="not a linkgraph-psi-request/1 file"):
        psi.respond(partner, tmp_path / "junk.json", resp, home=hb)
    assert not resp.exists()
    assert len(audit_log(partner).query("action == 'deconflict respond refused'")) == 5

    # a request for another agency is not answered
    psi.request(store, tmp_path / "for-x.json", partner="INTERPOL", home=ha)
    with pytest.raises(LinkgraphError, match="addressed to 'INTERPOL', not to TPA"):
        psi.respond(partner, tmp_path / "for-x.json", resp, home=hb)

    req.write_text(original)
    psi.respond(partner, req, resp, home=hb)
    good = resp.read_text()
    d = json.loads(good)
    d["setup"] = base64.b64encode(b"\x00" + base64.b64decode(d["setup"])[1:]).decode()
    resp.write_text(json.dumps(d))
    with pytest.raises(LinkgraphError, match="resp.json: refused, the signature of TPA does not verify"):
        psi.result(store, resp, home=ha)
    resp.write_text(good)
    untrusting = shutil.copytree(ha, tmp_path / "kws-keys-untrusting")  # A's keys, without TPA's
    (untrusting / signing.TRUSTED / f"{signing.own_key(hb).fingerprint}.json").unlink()
    with pytest.raises(LinkgraphError, match="signed by 'TPA' with key '\\w+', which is not trusted"):
        psi.result(store, resp, home=untrusting)
    # a trusted agency partner than the one the request was for cannot answer it
    hc = tmp_path / "interpol-keys"
    signing.init_agency("INTERPOL", hc)
    signing.trust(ha / signing.PUBLIC, hc)
    signing.trust(hc / signing.PUBLIC, ha)
    d = json.loads(req.read_text())
    assert d["to"] == "TPA"
    with pytest.raises(LinkgraphError, match="addressed to 'TPA', not to INTERPOL"):
        psi.respond(partner, req, tmp_path / "c.json", home=hc)
    refused = audit_log(store).query("action == 'deconflict result refused'")
    assert len(refused) == 2
    assert psi.result(store, resp, home=ha).count == 7  # the untouched answer still reads


def cli(*args) -> str:
    """The output of a linkgraph command that must succeed."""
    res = CliRunner().invoke(app, [str(x) for x in args])
    assert res.exit_code == 0, (res.output, res.exception)
    return res.output


def cli_refusal(*args) -> str:
    """The error of a linkgraph command that must fail as a user sees it: exit 1, one line, no traceback."""
    r = subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", *(str(x) for x in args)],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "Traceback" not in r.stderr
    return r.stderr


def test_cli_request_respond_result(store_target, tmp_path, homes):
    ha, hb = homes
    with open_store(store_target) as a, open_store(str(tmp_path / "tpa-db")) as b:
        fill(a, b)

    req, resp, csv = tmp_path / "req.json", tmp_path / "resp.json", tmp_path / "shared.csv"
    out = cli("deconflict", "request", "--out", req, "--to", "TPA", "--home", ha, "--db", store_target)
    assert "identifiers (encrypted) for TPA" in out
    out = cli("deconflict", "respond", req, "--out", resp, "--home", hb, "--db", tmp_path / "tpa-db")
    assert "answered request" in out and "from KWS" in out
    out = cli("deconflict", "result", resp, "--out", csv, "--home", ha, "--db", store_target)
    assert "TPA holds 7 of our" in out
    shared = pd.read_csv(csv)
    assert "Phone:+255713000111" in set(shared["entity_id"]) and len(shared) >= 7

    # a refusal, as a user sees it: exit status 1 and one line, no traceback
    err = cli_refusal(
        "deconflict", "respond", req, "--out", tmp_path / "x.json", "--home", hb, "--db", tmp_path / "tpa-db"
    )
    assert "replayed request" in err

    out = cli("deconflict", "request", "--out", req, "--count-only", "--home", ha, "--db", store_target)
    cli("deconflict", "respond", req, "--out", resp, "--home", hb, "--db", tmp_path / "tpa-db")
    out = cli("deconflict", "result", resp, "--home", ha, "--db", store_target)
    assert "TPA holds 7 of our" in out and "Phone:" not in out


def test_cli_defaults_are_the_library_defaults():
    import inspect

    from linkgraph.cli import deconflict_respond

    params = inspect.signature(deconflict_respond).parameters
    assert params["min_items"].default == psi.MIN_SET and params["max_per_day"].default == psi.RATE
