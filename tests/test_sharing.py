"""Intelligence sharing between two agencies: packages, redaction, manifest checks, tokens, the audit log.

Each test runs on both engines through the `store` fixture. Two-agency tests pair it with a second, embedded
store in another folder (Neo4j Community has one database), in both directions.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile

import pandas as pd
import pytest

from linkgraph.demo_data import generate
from linkgraph.errors import LinkgraphError
from linkgraph.importing import import_files, sources
from linkgraph.sharing import (
    audit_log,
    export_package,
    import_package,
    load_key,
    make_tokens,
    match_tokens,
    new_key,
    parse_rules,
    read_tokens,
    record,
    write_tokens,
)
from linkgraph.sharing.deconflict import identifiers
from linkgraph.store import open_store
from tests.support import items

# A debrief by a registered informant: the informant's own name, phone, passport and a vehicle appear in no
# other source, so they must appear in no byte of a package; the buyer's phone is also in the call records.
INFORMANT_REPORT = """Reference: KE-INF/2024/0099
Date of report: 02/07/2024
Agency: Kenya Wildlife Service
Subject: Debrief of registered source
Persons: Wanjiru Njeri Kamau
Grading: B2
Source type: CHIS
Handling: TLP:AMBER

Narrative:
Source Wanjiru Njeri KAMAU (passport AK0999123, phone +254 700 111 222) met the buyer who uses
+84 912 486 337 at the Zanzibar Lodge in Malindi and saw a Toyota Hilux registration KDD 915Q.
"""
PROTECTED = [
    "Wanjiru",
    "Njeri Kamau",
    "KAMAU",
    "+254700111222",
    "254700111222",
    "700111222",
    "0700111222",
    "700 111 222",
    "0700 111 222",
    "AK0999123",
    "KDD915Q",
    "KDD 915Q",
    "KE-INF/2024/0099",
    "KE-INF",
    "intel_inf.txt",
    "Debrief of registered source",
    "Zanzibar Lodge",
    "Malindi",
    # the demo's own informant reports (intel_tz.txt, the CHIS report in intel_kws.md)
    "TZ-NTSCIU/2024/077",
    "intel_tz.txt",
    "KWS/INT/2024/0231",
    "Temeke",
    "Changamwe",
    "godown",
    "Dar es Salaam ivory consolidation",
]
RULES = ["source_type=informant"]

pytestmark = pytest.mark.usefixtures("agency_keys")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    d = generate(tmp_path_factory.mktemp("demo"))
    (d.out_dir / "intel_inf.txt").write_text(INFORMANT_REPORT, encoding="utf-8")
    return d


def agency_a(store, demo):
    """KWS: its registers, call records, association log and intelligence reports (three from informants)."""
    import_files(
        store,
        [demo.kenya_register, demo.cdr, demo.associations, *demo.reports, demo.out_dir / "intel_inf.txt"],
        progress=False,
    )
    return store


def agency_b(store, demo):
    """TPA: Tanzanian and Nigerian seizure registers, air waybills, a partner agency's report."""
    import_files(store, [demo.tanzania_register, demo.nigeria_register, demo.manifest, demo.reports[2]], progress=False)
    return store


@pytest.fixture
def other(tmp_path):
    """The other agency's store: always embedded, in its own folder."""
    s = open_store(str(tmp_path / "other-agency-db"))
    try:
        yield s
    finally:
        s.close()


def package_bytes(path) -> list[tuple[str, bytes]]:
    """Every file in a zip, and every part of any zip inside it (an .xlsx is a zip)."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            data = z.read(name)
            out.append((name, data))
            if data[:2] == b"PK":
                out.extend((f"{name}:{n}", b) for n, b in package_bytes(io.BytesIO(data)))
    return out


def forms(s: str) -> set[bytes]:
    """A string as it may be written: plain, JSON-escaped (ASCII or not), HTML-escaped, XML numeric refs."""
    out = {
        s,
        json.dumps(s)[1:-1],
        json.dumps(s, ensure_ascii=False)[1:-1],
        html.escape(s),
        html.escape(s, quote=False),
        s.replace("/", "\\/"),
    }
    return {f.casefold().encode("utf-8") for f in out}


def assert_absent(pkg, strings):
    blobs = [(n, b.decode("utf-8", "replace").casefold().encode("utf-8")) for n, b in package_bytes(pkg)]
    assert any(n.startswith("workbook.xlsx:xl/") for n, _ in blobs)  # the workbook was searched inside
    for s in strings:
        for f in forms(s):
            for name, blob in blobs:
                assert f not in blob, f"{s!r} found in {name}"


def prov_snapshot(store) -> dict:
    snap = {}
    for t in [*store.schema.entities, *store.schema.links]:
        pat = f"(x:{t})" if t in store.schema.entities else f"()-[x:{t}]->()"
        df = items(store, f"MATCH {pat} RETURN x.id AS id, x.prov AS prov")
        snap.update(zip(df["id"], df["prov"]))
    return snap


# ------------------------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("direction", ["store_sends", "store_receives"])
def test_two_agencies_exchange_a_package(store, other, demo, tmp_path, direction):
    a, b = (store, other) if direction == "store_sends" else (other, store)
    agency_a(a, demo)
    agency_b(b, demo)
    pkg = tmp_path / "kws_to_tpa.zip"
    info = export_package(a, pkg, tlp="AMBER", handling="C", redact_rules=RULES, recipient="TPA", creator="analyst1")
    m = info.manifest
    assert (m["tlp"], m["handling"], m["recipient"], m["creator"]) == ("TLP:AMBER", "C", "TPA", "analyst1")
    assert set(m["files"]) == {
        "graph/nodes.jsonl",
        "graph/links.jsonl",
        "graph/FORMAT.md",
        "graph/schema.json",
        "graph/domain-schema.yaml",
        "chart.html",
        "workbook.xlsx",
        "report/withheld.csv",
    }
    assert m["counts"]["nodes"] == info.nodes > 100 and info.withheld_nodes > 0 and len(info.references) == 3
    assert_absent(pkg, PROTECTED)

    before = b.counts()
    summary = import_package(b, pkg, agency="KWS", report=True)
    assert summary.status == "imported" and summary.created
    assert summary.report_path.is_file() and summary.report_path.name == "kws_to_tpa.deconfliction.xlsx"
    batch = sources(b).set_index("id").loc[summary.batch]
    assert (batch["agency"], batch["source"], batch["status"]) == ("KWS", "kws_to_tpa.zip", "imported")
    # provenance names the agency and the package
    phone = items(b, "MATCH (n:Phone {id: 'Phone:+84912486337'}) RETURN n.id AS id, n.prov AS prov")
    prov = json.loads(phone["prov"].iloc[0])
    theirs = [r for r in prov if r.get("batch") == summary.batch]
    assert theirs and all(r["agency"] == "KWS" and r["source"] == "kws_to_tpa.zip" for r in theirs)
    assert any(
        r.get("source_type") == "protected source" and re.fullmatch(r"SRC-[0-9A-F]{8}", r["sheet"]) for r in theirs
    )  # the informant's observation arrives as a reference number only
    assert not len(b.query("MATCH (n:Phone {id: 'Phone:+254700111222'}) RETURN n.id"))

    rep = summary.deconfliction
    phone = rep[rep["their_id"] == "Phone:+255754330981"].iloc[0]  # MKWAWA's phone, in both stores
    assert phone["match"] == "same identifier" and "NTSCIU/DSM/2023/014" in phone["our_cases"]
    assert "tz_seizures.csv" in phone["our_sources"]
    persons = rep[(rep["their_type"] == "Person") & (rep["match"] == "same entity")]
    assert "Rashidi Hamisi Mkwawa" in set(persons["their_caption"])
    # the namesakes (the kingpin Nguyen Van Hung b. 1968 and a tourist b. 1991) never merge
    hung = persons[persons["their_caption"].str.contains("Hung|Hùng", regex=True)]
    births = b.query("MATCH (p:Person) WHERE p.id IN $ids RETURN p.birth_date AS d", {"ids": list(hung["our_id"])})
    assert "1991-11-04" not in set(births["d"])

    # importing the same package again changes nothing
    snap = prov_snapshot(b)
    again = import_package(b, pkg, agency="KWS")
    assert again.status == "already imported" and not again.created and not again.updated
    assert prov_snapshot(b) == snap
    assert b.counts().equals(import_counts := b.counts()) and (import_counts["count"] >= before["count"]).all()

    log_a, log_b = audit_log(a), audit_log(b)
    assert list(log_a["action"]).count("package export") == 1
    assert list(log_b["action"]).count("package import") == 2
    assert set(log_b.loc[log_b["action"] == "package import", "sha256"]) == {summary.sha256}
    assert "import" in set(log_b["action"])  # agency B's own file imports are in its log too


def test_redaction_leaves_no_protected_byte(store, demo, tmp_path):
    agency_a(store, demo)
    dropped = tmp_path / "dropped.zip"
    kept = tmp_path / "kept.zip"
    i1 = export_package(store, dropped, tlp="AMBER+STRICT", handling="C", redact_rules=RULES, recipient="TPA")
    i2 = export_package(
        store, kept, tlp="AMBER+STRICT", handling="C", redact_rules=RULES, recipient="TPA", keep_protected_links=True
    )
    for pkg in (dropped, kept):
        assert_absent(pkg, PROTECTED)
        with zipfile.ZipFile(pkg) as z:
            assert b"TLP:AMBER+STRICT" in z.read("chart.html")
            assert b"TLP:AMBER+STRICT" in z.read("manifest.json")
    assert i1.references == i2.references  # stable reference numbers
    with zipfile.ZipFile(dropped) as z:
        nodes = [json.loads(x) for x in z.read("graph/nodes.jsonl").decode().splitlines()]
        links = [json.loads(x) for x in z.read("graph/links.jsonl").decode().splitlines()]
    with zipfile.ZipFile(kept) as z:
        kept_links = [json.loads(x) for x in z.read("graph/links.jsonl").decode().splitlines()]
    assert [n["id"] for n in nodes] == sorted(n["id"] for n in nodes)  # deterministic order
    by_id = {n["id"]: n for n in nodes}
    buyer = by_id["Phone:+84912486337"]  # open (call records) and reported by the informant
    refs = {r["source"] for r in buyer["provenance"] if r["source_type"] == "protected source"}
    assert refs and refs <= set(i1.references)
    assert {r["source"] for r in buyer["provenance"]} >= {"cdr_extract.csv"}
    # a link only the informant supports: dropped, or kept with the reference number
    assert not any(
        x["type"] == "MENTIONS" and x["target"] == "Phone:+84912486337" and x["source"].startswith("Document:W-")
        for x in links
    )
    kept_mentions = [
        x
        for x in kept_links
        if x["type"] == "MENTIONS" and x["target"] == "Phone:+84912486337" and x["source"].startswith("Document:W-")
    ]
    assert kept_mentions and all(r["source"] in i2.references for x in kept_mentions for r in x["provenance"])
    # dropping withholds the protected links and also the open ones that end at a withheld node (a resolution
    # link from an informant's mention to an open entity); keeping them withholds neither
    assert i1.withheld_links == sum(1 for w in i1.withheld if w["kind"] == "link") > 0
    assert not {w["id"] for w in i1.withheld} & ({x["id"] for x in links} | {n["id"] for n in nodes})
    assert 0 < i2.withheld_links <= i1.withheld_links
    assert len(kept_links) > len(links)


def test_grade_and_named_rules(store, demo, tmp_path):
    agency_a(store, demo)
    names = tmp_path / "protect.txt"
    names.write_text("# protected entities\nPhone:+254722604118\n", encoding="utf-8")
    pkg = tmp_path / "p.zip"
    export_package(store, pkg, tlp="RED", redact_rules=["below=B2", f"entity=@{names}"], recipient="NCA")
    assert_absent(pkg, ["+254722604118", "254722604118", "722 604 118", "0722604118"])
    with zipfile.ZipFile(pkg) as z:
        nodes = [json.loads(x) for x in z.read("graph/nodes.jsonl").decode().splitlines()]
    for n in nodes:  # nothing graded below B2 keeps its source's identity
        for r in n["provenance"]:
            if r["source_type"] != "protected source":
                assert r["reliability"] in "AB" and r["credibility"] <= 2


def test_manifest_tampering_is_refused(fixture_store, tmp_path):
    store = fixture_store
    pkg = tmp_path / "pkg.zip"
    export_package(store, pkg, tlp="GREEN", handling="P", recipient="Interpol")

    def rewrite(out, change=None, add=None, drop=None):
        with zipfile.ZipFile(pkg) as src, zipfile.ZipFile(out, "w") as dst:
            for info in src.infolist():
                data = src.read(info.filename)
                if info.filename == drop:
                    continue
                if info.filename == change:
                    i = data.index(b"<body") + 10
                    data = data[:i] + bytes([data[i] ^ 1]) + data[i + 1 :]
                dst.writestr(info, data)
            if add:
                dst.writestr(add, b"extra")
        return out

    cases = [
        (rewrite(tmp_path / "a.zip", change="chart.html"), "chart.html"),
        (rewrite(tmp_path / "b.zip", add="graph/extra.jsonl"), "graph/extra.jsonl"),
        (rewrite(tmp_path / "c.zip", drop="workbook.xlsx"), "workbook.xlsx"),
        (rewrite(tmp_path / "d.zip", add="../evil.txt"), "../evil.txt"),
    ]
    for bad, name in cases:
        with pytest.raises(LinkgraphError) as e:
            import_package(store, bad, agency="X")
        msg = str(e.value)
        assert "\n" not in msg and name in msg and "refused" in msg
    (tmp_path / "junk.zip").write_bytes(b"not a zip")
    with pytest.raises(LinkgraphError, match="not a zip"):
        import_package(store, tmp_path / "junk.zip", agency="X")
    assert not any(str(s).startswith("p-") for s in sources(store)["id"])
    # the intact package imports, once
    assert import_package(store, pkg).status == "imported"  # as from its signer
    assert import_package(store, pkg, agency="KWS").status == "already imported"


# ------------------------------------------------------------------------------------------ deconfliction
PLANTED_A = {
    "Person": [("Amani Juma Hassan", "1982-04-17")],
    "Phone": ["+255713000111"],
    "Passport": ["TZ0042917"],
    "Vessel": ["9321483"],
    "Plate": ["KDA 001A"],
    "Company": ["PVT-2019-00417"],
}
PLANTED_B = {
    "Person": [("HASSAN, Amani Juma", "1982-04-17"), ("Amani Juma Hassan", "1990-01-01")],
    "Phone": ["+255 713-000-111"],
    "Passport": ["tz 0042917"],
    "Vessel": ["IMO 9321483"],
    "Plate": ["KDA001A"],
    "Company": ["pvt 2019 00417"],
}


def plant(store, planted: dict, source: str):
    """Write persons, phones, passports, vessels, plates and companies through Store.write."""
    from linkgraph.normalize.names import name_key
    from linkgraph.schema import node_id

    obs = {
        "_batch": f"plant-{source}",
        "_source": source,
        "_row": 2,
        "_reliability": "B",
        "_credibility": 2,
        "_handling": "P",
        "_source_type": "officer",
    }
    nodes = {
        "Person": pd.DataFrame(
            [
                {
                    **obs,
                    "id": node_id("Person", {"name_key": name_key(n), "birth_date": b}, source),
                    "caption": n,
                    "name": n,
                    "name_key": name_key(n),
                    "birth_date": b,
                }
                for n, b in planted["Person"]
            ]
        ),
        "Phone": pd.DataFrame([{**obs, "id": f"Phone:{p}", "caption": p, "number": p} for p in planted["Phone"]]),
        "Identification": pd.DataFrame(
            [
                {
                    **obs,
                    "id": node_id("Identification", {"kind": "passport", "number": p}),
                    "caption": p,
                    "number": p,
                    "kind": "passport",
                }
                for p in planted["Passport"]
            ]
        ),
        "Vehicle": pd.DataFrame(
            [
                {
                    **obs,
                    "id": node_id("Vehicle", {"kind": "vessel", "registration": v}),
                    "caption": v,
                    "registration": v,
                    "kind": "vessel",
                }
                for v in planted["Vessel"]
            ]
            + [
                {
                    **obs,
                    "id": node_id("Vehicle", {"kind": "vehicle", "registration": v}),
                    "caption": v,
                    "registration": v,
                    "kind": "vehicle",
                }
                for v in planted["Plate"]
            ]
        ),
        "Organization": pd.DataFrame(
            [
                {
                    **obs,
                    "id": node_id("Organization", {"name_key": f"co {c}", "country": "TZ"}, source),
                    "caption": f"Company {c}",
                    "name": f"Company {c}",
                    "country": "TZ",
                    "registration_number": c,
                }
                for c in planted["Company"]
            ]
        ),
    }
    store.write(nodes, {})


@pytest.mark.parametrize("direction", ["store_is_a", "store_is_b"])
def test_tokens_find_planted_overlaps_and_hide_identifiers(store, other, tmp_path, direction):
    from tests import fixture_graph

    a, b = (store, other) if direction == "store_is_a" else (other, store)
    nodes, links = fixture_graph.build()
    a.write(nodes, links)
    plant(a, PLANTED_A, "a.xlsx")
    plant(b, PLANTED_B, "b.xlsx")
    keyfile = tmp_path / "shared.key"
    keyfile.write_text("5e" * 32 + "\n", encoding="ascii")  # a fixed key: the byte search is reproducible
    key = load_key(keyfile)

    ours, theirs = make_tokens(a, key), make_tokens(b, key)
    assert set(ours.columns) == {"token", "kind", "entity_id", "caption"}
    ta, tb = write_tokens(ours, tmp_path / "a_tokens.csv"), write_tokens(theirs, tmp_path / "b_tokens.csv")
    assert list(read_tokens(ta).columns) == ["token", "kind"]

    # no identifier in clear in the shared file, not even seven digits of a phone
    data = ta.read_bytes().lower()
    clear = identifiers(a)
    needles = set(clear["value"]) | set(clear["caption"].dropna())
    for v in clear["value"]:
        needles.update(v.split("|"))
    for p in clear.loc[clear["kind"] == "phone", "value"]:
        d = p.lstrip("+")
        needles.update(d[i : i + 7] for i in range(len(d) - 6))
    for n in list(needles):
        needles.update(w for w in re.split(r"\W+", str(n)) if len(w) >= 4 and not w.isdigit())
    kinds = "company_reg person_dob passport phone plate imo token kind linkgraph tokens key"
    needles = {n for n in needles if str(n).casefold() not in kinds}  # the format's own words
    for n in needles:
        assert str(n).casefold().encode() not in data, n
    assert not any(i.casefold().encode() in data for i in ours["entity_id"])

    hits = match_tokens(ours, tb, store=a)
    assert list(hits.columns) == ["entity_id", "caption", "kind", "token"]
    # exactly the planted overlaps: one person (same name and birth date; the 1990 namesake is not one),
    # the phone, passport, vessel, plate and company registration written differently on each side
    assert sorted(hits["kind"]) == sorted(["person_dob", "phone", "passport", "imo", "plate", "company_reg"])
    ca, cb = identifiers(a), identifiers(b)
    truth = ca.merge(cb, on=["kind", "value"])
    assert set(zip(hits["entity_id"], hits["kind"])) == set(zip(truth["entity_id_x"], truth["kind"]))
    assert "deconflict match" in set(audit_log(a)["action"])

    other_key = new_key(tmp_path / "other.key")
    assert len(other_key) == 32 and (tmp_path / "other.key").stat().st_mode & 0o077 == 0
    with pytest.raises(LinkgraphError, match="exists"):
        new_key(tmp_path / "other.key")
    write_tokens(make_tokens(b, other_key), tmp_path / "b2.csv")
    with pytest.raises(LinkgraphError, match="another key"):
        match_tokens(ours, tmp_path / "b2.csv")


def test_audit_log(store, monkeypatch):
    monkeypatch.setenv("LINKGRAPH_USER", "j.otieno")
    record(store, "query", "network around Mwinyi", sha256=None)
    record(store, "export", "chart.html", sha256="ab" * 32, user="k.mwangi")
    log = audit_log(store)
    assert list(log.columns) == ["id", "time", "user", "action", "detail", "sha256"]
    assert list(log["user"]) == ["j.otieno", "k.mwangi"] and list(log["action"]) == ["query", "export"]
    assert log["sha256"].iloc[1] == "ab" * 32


def test_rule_syntax():
    r = parse_rules("source_type=CHIS,undercover; grade=E,D4; below=C3; handling=tlp:red; agency=NTSCIU")
    assert "informant" in r.source_types and r.grades == {"E", "D4"} and r.below == "C3"
    assert r.protects({"source_type": "informant", "reliability": "A", "credibility": 1})
    assert r.protects({"source_type": "officer", "reliability": "D", "credibility": 4})
    assert not r.protects({"source_type": "officer", "reliability": "B", "credibility": 2, "handling": "P"})
    assert r.protects({"source_type": "officer", "reliability": "B", "credibility": 2, "handling": "TLP:RED"})
    for bad in ["informant", "colour=red", "grade=Z9", "below=X"]:
        with pytest.raises(LinkgraphError) as e:
            parse_rules([bad])
        assert "\n" not in str(e.value)


# ------------------------------------------------------------------ redaction by entity, handling (issue #19)
W_ID = re.compile(r"[A-Za-z_]+:W-[0-9a-f]{16}")


def package_json(pkg, name) -> list[dict]:
    with zipfile.ZipFile(pkg) as z:
        return [json.loads(x) for x in z.read(name).decode().splitlines()]


def withheld_rows(pkg) -> list[dict]:
    import csv

    with zipfile.ZipFile(pkg) as z:
        text = z.read("report/withheld.csv").decode("utf-8")
    assert text.splitlines()[0] == "id,type,kind,reason"
    return list(csv.DictReader(io.StringIO(text)))


def entity_of(store, name: str) -> pd.DataFrame:
    from linkgraph.resolve.graph import records

    recs = records(store)
    eid = recs.loc[recs["name"] == name, "entity_id"].dropna().iloc[0]
    return recs[recs["entity_id"] == eid]


@pytest.mark.parametrize("named", ["Hussein Omar Bakari", "BAKARI Hussein"])  # by caption; by name key
def test_named_entity_goes_with_every_record_identifier_and_link(store, demo, tmp_path, named):
    agency_a(store, demo)
    members = entity_of(store, "Hussein Omar Bakari")
    ids = set(members["record_id"])
    assert "Hussein O. Bakari" in set(members["name"])  # another spelling resolved to the same person
    held = pd.concat(
        [
            store.query(
                f"MATCH (p:Person)-[:{t}]->(x) WHERE p.id IN $ids RETURN x.id AS id, x.number AS number",
                {"ids": list(ids)},
            )
            for t in ("HAS_PHONE", "HAS_ID")
        ],
        ignore_index=True,
    )
    assert len(held) >= 2  # his phone and passport
    secrets_ = {*members["name"], *held["number"], *members["birth_date"].dropna()}
    pkg = tmp_path / "named.zip"
    info = export_package(store, pkg, tlp="AMBER", redact_rules=[*RULES, f"entity={named}"], recipient="TPA")
    assert_absent(pkg, sorted(secrets_ | {"bakari hussein", "Bakari"}))
    nodes, links = package_json(pkg, "graph/nodes.jsonl"), package_json(pkg, "graph/links.jsonl")
    gone = ids | set(held["id"])
    assert not gone & {n["id"] for n in nodes}
    assert not any(x["source"] in gone or x["target"] in gone for x in links)  # case links, phone, passport
    rows = withheld_rows(pkg)
    assert all(W_ID.fullmatch(r["id"]) for r in rows)  # never the store's id (Phone:+2547... is the number)
    reasons = [r["reason"] for r in rows]
    assert reasons.count("named entity") == len(ids)
    assert reasons.count("identifier of a named entity") == held["id"].nunique()
    assert len(rows) == info.withheld_nodes + info.withheld_links
    assert {w["id"] for w in info.withheld} >= gone  # the sender's own list keeps the store's ids


def test_no_field_tells_which_open_records_share_an_entity_with_a_withheld_one(store, demo, tmp_path):
    from linkgraph.resolve.graph import records

    agency_a(store, demo)
    pkg = tmp_path / "p.zip"
    info = export_package(store, pkg, tlp="AMBER", redact_rules=RULES, recipient="TPA")
    recs = records(store)
    ours = dict(zip(recs["record_id"], recs["entity_id"]))
    nodes, links = package_json(pkg, "graph/nodes.jsonl"), package_json(pkg, "graph/links.jsonl")
    people = [n for n in nodes if n["type"] in ("Person", "Organization")]
    withheld = {w["id"] for w in info.withheld}
    touched = {ours[i] for i in withheld if ours.get(i)}
    shown = [n for n in people if ours.get(n["id"]) in touched]
    assert shown  # open records whose entity also holds an informant's record: the case that leaked
    eids = [n["properties"].get("entity_id") for n in people]
    assert all(e and re.fullmatch(r"ent_[0-9a-f]{12}", e) for e in eids)
    assert not set(eids) & set(ours.values())  # not the store's ids, which may derive from a withheld record
    # the grouping stays: two open records of one entity share one id, and only they do
    by_pkg: dict[str, set] = {}
    for n in people:
        by_pkg.setdefault(n["properties"]["entity_id"], set()).add(n["id"])
    by_store: dict[str, set] = {}
    for n in people:
        by_store.setdefault(ours[n["id"]], set()).add(n["id"])
    assert sorted(map(sorted, by_pkg.values())) == sorted(map(sorted, by_store.values()))
    # every entity's SAME_AS links form one complete star, with nothing that compares to a withheld record
    same = [x for x in links if x["type"] == "SAME_AS" and x["properties"].get("decision") in ("auto", "match")]
    assert same and not any({"score", "evidence"} & set(x["properties"]) for x in links if x["type"] == "SAME_AS")
    for group in (g for g in by_pkg.values() if len(g) > 1):
        star = [x for x in same if x["source"] in group]
        assert len(star) == len(group) - 1 and len({x["target"] for x in star}) == 1
        assert all(x["target"] in group for x in star)
    # placeholders of kept protected links are never anyone's SAME_AS
    kept = tmp_path / "kept.zip"
    export_package(store, kept, tlp="AMBER", redact_rules=RULES, recipient="TPA", keep_protected_links=True)
    kept_links = package_json(kept, "graph/links.jsonl")
    assert any(":W-" in x["source"] or ":W-" in x["target"] for x in kept_links)
    assert not any(":W-" in x["source"] + x["target"] for x in kept_links if x["type"] == "SAME_AS")


def plant_handled(store) -> dict[str, str]:
    """The fixture graph (all handled P) and beside it a Person and a phone at TLP:RED, a phone at TLP:AMBER,
    and a TLP:GREEN link between the person and the AMBER phone."""
    from linkgraph.schema import link_id, node_id
    from tests import fixture_graph

    store.write(*fixture_graph.build())
    obs = {"_batch": "b-handled", "_source": "restricted.xlsx", "_row": 2, "_source_type": "officer"}
    red_person = node_id("Person", {"name_key": "rehema salim", "birth_date": None}, "restricted.xlsx")
    nodes = {
        "Person": pd.DataFrame(
            [{**obs, "_handling": "TLP:RED", "id": red_person, "caption": "Rehema Salim", "name": "Rehema Salim"}]
        ),
        "Phone": pd.DataFrame(
            [
                {**obs, "_handling": code, "id": f"Phone:{n}", "caption": n, "number": n}
                for code, n in (("TLP:RED", "+255700000001"), ("TLP:AMBER", "+255700000002"))
            ]
        ),
    }
    link = {
        **obs,
        "_handling": "TLP:GREEN",
        "id": link_id("HAS_PHONE", red_person, "Phone:+255700000002"),
        "source": red_person,
        "target": "Phone:+255700000002",
        "source_type": "Person",
        "target_type": "Phone",
    }
    store.write(nodes, {"HAS_PHONE": pd.DataFrame([link])})
    return {"red_person": red_person, "red_phone": "Phone:+255700000001", "amber_phone": "Phone:+255700000002"}


def banner(chart: bytes) -> list[str]:
    """The TLP levels the chart's top and bottom banners show."""
    return re.findall(r'id="lg-tlp-(?:top|bottom)" data-tlp="([A-Z+]+)"', chart.decode())


def workbook_tlp(data: bytes) -> list[str]:
    """The workbook README's banner cell and its TLP line."""
    readme = pd.read_excel(io.BytesIO(data), sheet_name="README", header=None)
    return [readme.iloc[0, 0], readme.loc[readme[0] == "TLP", 1].iloc[0]]


def test_export_withholds_what_is_handled_above_its_tlp(store, tmp_path):
    planted = plant_handled(store)
    pkg = tmp_path / "green.zip"
    info = export_package(store, pkg, tlp="GREEN", recipient="Interpol")
    assert info.tlp == "TLP:GREEN" and info.manifest["tlp"] == "TLP:GREEN"
    nodes, links = package_json(pkg, "graph/nodes.jsonl"), package_json(pkg, "graph/links.jsonl")
    assert nodes and not set(planted.values()) & {n["id"] for n in nodes}
    assert not any(x["source"] == planted["red_person"] for x in links)  # a GREEN link to a RED person goes too
    from linkgraph import handling

    assert not any(handling.exceeds(x["grading"]["handling"], "GREEN") for x in nodes + links)
    assert not handling.exceeds(info.manifest["data_handling"], "GREEN")
    assert_absent(pkg, ["+255700000001", "+255700000002", "Rehema Salim"])
    reasons = sorted(r["reason"] for r in withheld_rows(pkg))
    assert reasons == [
        "handling TLP:AMBER is above TLP:GREEN",
        "handling TLP:RED is above TLP:GREEN",
        "handling TLP:RED is above TLP:GREEN",
        "link to a withheld entity",
    ]
    with zipfile.ZipFile(pkg) as z:
        assert banner(z.read("chart.html")) == ["GREEN", "GREEN"]
        assert workbook_tlp(z.read("workbook.xlsx")) == ["TLP:GREEN", "TLP:GREEN"]

    full = tmp_path / "all.zip"
    info = export_package(store, full, tlp="GREEN", include_restricted=True, recipient="Interpol")
    assert info.tlp == "TLP:RED" and info.manifest["tlp"] == "TLP:RED" and not info.withheld
    assert set(planted.values()) <= {n["id"] for n in package_json(full, "graph/nodes.jsonl")}
    with zipfile.ZipFile(full) as z:
        chart = z.read("chart.html")
        assert banner(chart) == ["RED", "RED"] and b'"tlp":"TLP:RED"' in chart
        assert workbook_tlp(z.read("workbook.xlsx")) == ["TLP:RED", "TLP:RED"]
    assert withheld_rows(full) == []


def repack(pkg, out, edit=None, *, keep_signature=False, **manifest_changes):
    """A package rebuilt with its lines edited by `edit(name, rows)` and a correct manifest: what a hostile
    sender can make. Unsigned (importing it needs allow_unsigned), or with the original signature, which no
    longer verifies, when `keep_signature`."""
    from linkgraph.sharing.manifest import build_manifest, write_zip

    with zipfile.ZipFile(pkg) as z:
        files = {n: z.read(n) for n in z.namelist()}
    manifest = json.loads(files.pop("manifest.json"))
    if not keep_signature:
        files.pop("signature.json", None)
    for name in ("graph/nodes.jsonl", "graph/links.jsonl"):
        rows = [json.loads(x) for x in files[name].decode().splitlines()]
        if edit:
            edit(name, rows)
        files[name] = "".join(json.dumps(r) + "\n" for r in rows).encode()
    meta = {k: v for k, v in manifest.items() if k not in ("files", "format")}
    return write_zip(out, files, build_manifest(files, {**meta, **manifest_changes}))


def test_import_refuses_unknown_codes_and_never_lowers_handling(store, other, tmp_path):
    planted = plant_handled(other)  # the sender
    pkg = tmp_path / "pkg.zip"
    export_package(other, pkg, tlp="RED", recipient="TPA")
    # the receiver holds the two phones itself, at TLP:RED and TLP:AMBER
    obs = {"_batch": "b-ours", "_source": "ours.csv", "_row": 2, "_source_type": "officer"}
    phones = [
        {**obs, "_handling": h, "id": i, "caption": i[6:], "number": i[6:]}
        for h, i in (("TLP:RED", planted["red_phone"]), ("TLP:AMBER", planted["amber_phone"]))
    ]
    store.write({"Phone": pd.DataFrame(phones)}, {})

    def relabel(code):
        def edit(name, rows):
            for r in rows:
                r["grading"]["handling"] = code
                for rec in r["provenance"]:
                    rec["handling"] = code

        return edit

    bad = repack(pkg, tmp_path / "bogus.zip", relabel("TLP:BOGUS"))
    with pytest.raises(LinkgraphError) as e:
        import_package(store, bad, agency="KWS", allow_unsigned=True)
    msg = str(e.value)
    assert "\n" not in msg and "refused" in msg and "graph/nodes.jsonl, line 1" in msg and "TLP:BOGUS" in msg
    first = package_json(bad, "graph/nodes.jsonl")[0]["id"]
    assert first in msg
    bad = repack(pkg, tmp_path / "bogus-manifest.zip", tlp="TLP:BOGUS")
    with pytest.raises(LinkgraphError, match=r"refused: manifest\.json: tlp: .*TLP:BOGUS"):
        import_package(store, bad, agency="KWS", allow_unsigned=True)
    assert not any(str(s).startswith("p-") for s in sources(store)["id"])  # nothing of either was imported

    # a legacy label is known (TLP:WHITE is TLP:CLEAR) and ranks least restrictive: it lowers nothing
    white = repack(pkg, tmp_path / "white.zip", relabel("tlp:white"), tlp="TLP:WHITE", handling=None)
    import_package(store, white, agency="KWS", allow_unsigned=True)
    got = store.query(
        "MATCH (p:Phone) WHERE p.id IN $ids RETURN p.id AS id, p.handling AS h",
        {"ids": [planted["red_phone"], planted["amber_phone"]]},
    )
    assert dict(zip(got["id"], got["h"])) == {planted["red_phone"]: "TLP:RED", planted["amber_phone"]: "TLP:AMBER"}
    new = store.query("MATCH (p:Person) WHERE p.id = $id RETURN p.handling AS h", {"id": planted["red_person"]})
    assert new["h"].tolist() == ["TLP:CLEAR"]  # what the package labels, normalised
