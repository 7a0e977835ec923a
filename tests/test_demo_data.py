"""linkgraph.demo_data: deterministic files, each imported through the built-in specs (auto-detected) into a
real embedded store, with the variants, namesakes and hostile names the truth promises."""

from __future__ import annotations

import csv
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import openpyxl
import pytest

from linkgraph import provenance
from linkgraph.demo_data import BROKERS, DemoFiles, generate, main
from linkgraph.importing import import_files
from linkgraph.importing.transforms import t_person_name
from linkgraph.normalize.phones import normalize_phone
from linkgraph.resolve.graph import entity_map
from linkgraph.store import open_store

HOSTILE = ["<script>alert(1)</script>", '=HYPERLINK("http://evil","click")']


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo generated once and imported once into an embedded store (no --spec: chosen from the headers)."""
    root = tmp_path_factory.mktemp("demo")
    files = generate(root / "files")
    store = open_store(str(root / "db"))
    report = import_files(store, files.importable, progress=False)
    yield files, store, report
    store.close()


def persons(store) -> list[dict]:
    """Every Person record as its source gave it (an entity node holds several: the ledger has each)."""
    nodes = store.query("MATCH (p:Person) RETURN p.id AS id, p.records AS records")
    ids = [r for i, rs in zip(nodes["id"], nodes["records"]) for r in (list(rs) if rs is not None else [i])]
    df = store.records("Person", ids)[["id", "name", "name_key", "prov"]]
    out = []
    for rec in df.to_dict("records"):
        rec["prov"] = provenance.loads(rec["prov"])
        out.append(rec)
    return out


def node_for(people: list[dict], mention: dict) -> list[dict]:
    """The Person nodes observed at a mention's file (and sheet and row, for tables)."""
    hits = []
    for p in people:
        for r in p["prov"]:
            if r["source"] != mention["file"]:
                continue
            if isinstance(mention["row"], int):
                if (r.get("sheet") or None) != mention["sheet"]:
                    continue
                if str(mention["row"]) not in {str(x) for x in provenance.expand_rows(r["rows"])}:
                    continue
            hits.append(p)
            break
    return hits


def test_same_seed_same_bytes(tmp_path):
    a = generate(tmp_path / "a", seed=7)
    b = generate(tmp_path / "b", seed=7)
    assert digests(a.out_dir) == digests(b.out_dir)
    assert len(digests(a.out_dir)) == 13
    c = generate(tmp_path / "c", seed=8)
    assert digests(c.out_dir)["cdr_extract.csv"] != digests(a.out_dir)["cdr_extract.csv"]


def test_truth_json_and_story(tmp_path):
    files = generate(tmp_path)
    t = files.truth
    assert json.loads(files.truth_json.read_text(encoding="utf-8")) == json.loads(t.to_json())
    assert 60 <= len(t.people) <= 120
    assert t.brokers == BROKERS == ["P02", "P03"]
    assert all(m["person"] in t.people for m in t.mentions)
    names = defaultdict(set)
    agencies = defaultdict(set)
    for m in t.mentions:
        names[m["person"]].add(m["name"])
        agencies[m["person"]].add(m["file"])
    assert {"Nguyễn Văn Hùng", "NGUYEN V. HUNG", "Hung Nguyen Van"} <= names["P01"]
    assert {"Chukwuemeka Okafor", "Emeka Okafor", "OKAFOR, Chukwuemeka"} <= names["P02"]
    assert {"kws_seizures.xlsx", "tz_seizures.csv", "ncs_seizures.csv"} <= agencies["P02"]
    for pair in t.namesakes:
        a, b = (t.people[i] for i in pair["persons"])
        assert a["name"] == b["name"] == pair["name"]
        assert a["birth_date"][:4] != b["birth_date"][:4]
        assert set(a["phones"]).isdisjoint(b["phones"])
        assert a["passport"] != b["passport"] or a["passport"] is None
    assert {h["name"] for h in t.hostile} == set(HOSTILE)
    # sizes: small enough to import in seconds, big enough for the network queries
    assert 380 <= len(files.cdr.read_text(encoding="utf-16").splitlines()) - 1 <= 480
    assert 55 <= len(files.manifest.read_text(encoding="utf-8").splitlines()) - 1 <= 90


def test_main_writes_files(tmp_path, capsys):
    assert main([str(tmp_path / "out"), "--seed", "3"]) == 0
    assert (tmp_path / "out" / "truth.json").exists()
    assert "kws_seizures.xlsx" in capsys.readouterr().out


def test_phone_variants_same_number(tmp_path):
    """The brokers' numbers are written several ways across the registers; all normalise to one E.164."""
    files = generate(tmp_path)
    written: dict[str, set[str]] = defaultdict(set)

    def take(rows, name_col, nat_col, phone_col):
        for r in rows:
            for n in (1, 2, 3):
                phone = (r.get(phone_col.format(n=n)) or "").strip()
                if not phone:
                    continue
                nat = r.get(nat_col.format(n=n)) or ""
                region = {"Nigeria": "NG", "Kenya": "KE", "Tanzania": "TZ", "Viet Nam": "VN"}.get(nat)
                e164 = normalize_phone(phone, default_region=region).value
                written[e164].add(phone)

    wb = openpyxl.load_workbook(files.kenya_register, read_only=True)
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(min_row=2, values_only=True))
        head = [str(h) for h in rows[0]]
        take(
            [dict(zip(head, [v if v is None else str(v) for v in r])) for r in rows[1:]],
            "Suspect {n}",
            "Suspect {n} nationality",
            "Suspect {n} phone",
        )
    wb.close()
    with files.tanzania_register.open(encoding="cp1252", newline="") as f:
        take(list(csv.DictReader(f)), "Suspect {n} name", "Nationality {n}", "Phone {n}")
    with files.nigeria_register.open(encoding="utf-8-sig", newline="") as f:
        take(list(csv.DictReader(f)), "Suspect_{n}", "Suspect {n} nationality", "Suspect {n} tel")
    assert len(written["+2348034172290"]) >= 3
    assert len(written["+254733912047"]) >= 3
    assert len(written["+84912486337"]) >= 2


def test_every_file_imports_through_its_builtin_spec(demo):
    files, store, report = demo
    assert isinstance(files, DemoFiles)
    by_name = {Path(f.path).name: f for f in report.files}
    assert set(by_name) == {p.name for p in files.importable}
    for name, spec in files.expected_specs.items():
        f = by_name[name]
        assert f.spec == spec, (name, f.spec, f.spec_reason)
        assert f.spec_reason.startswith("chosen from the headers") or spec == "intel-report"
        assert f.sheets and all(s.status == "imported" and s.rejected == 0 for s in f.sheets), name
        assert f.rejected_path is None
    assert [s.sheet for s in by_name["kws_seizures.xlsx"].sheets] == ["2023", "2024"]
    counts = dict(zip(store.counts()["type"], store.counts()["count"]))
    assert 35 <= counts["Seizure"] <= 50
    assert counts["CALLED"] >= 380
    assert counts["Document"] == 4
    assert counts["ASSOCIATE_OF"] >= 40
    # the AWB the NCA report names is one of the manifest's shipments
    df = store.query("MATCH (d:Document)-[:MENTIONS]->(s:Shipment) RETURN s.reference AS ref, s.declared_goods AS g")
    assert len(df) == 1 and df["g"].iloc[0]


def test_every_mention_is_a_person_node(demo):
    files, store, _ = demo
    people = persons(store)
    for m in files.truth.mentions:
        hits = node_for(people, m)
        key = t_person_name(m["name"]).extras["key"]
        assert any(h["name_key"] == key for h in hits), (m, [(h["name"], h["name_key"]) for h in hits])


def test_namesakes_stay_apart_with_their_own_identifiers(demo):
    files, store, _ = demo
    t = files.truth
    people = persons(store)
    for pair in t.namesakes:
        ids_of = {}
        for pid in pair["persons"]:
            nodes = {
                h["id"]
                for m in t.mentions_of(pid)
                for h in node_for(people, m)
                if h["name_key"] == t_person_name(m["name"]).extras["key"]
            }
            assert nodes, pid
            ids_of[pid] = nodes
        a, b = pair["persons"]
        assert ids_of[a].isdisjoint(ids_of[b]), pair
        # the innocent namesake's node carries his own phone, never the trafficker's
        node = entity_map(store)
        df = store.query(
            "MATCH (p:Person)-[:HAS_PHONE]->(x:Phone) WHERE p.id IN $ids RETURN x.number AS n",
            {"ids": sorted({node.get(i, i) for i in ids_of[b]})},
        )
        numbers = {n for n in df["n"] if n}
        assert numbers and numbers <= set(t.people[b]["phones"]), numbers
        assert numbers.isdisjoint(t.people[a]["phones"])


def test_hostile_names_stored_as_plain_text(demo):
    _, store, _ = demo
    df = store.query(
        "MATCH (p:Person)-[:PARTY_TO]->(s:Seizure) WHERE p.name IN $names RETURN p.name AS name, s.reference AS ref",
        {"names": HOSTILE},
    )
    assert set(df["name"]) == set(HOSTILE)


def test_brokers_bridge_the_call_graph(demo):
    files, store, _ = demo
    df = store.query(
        "MATCH (a:Phone)-[:CALLED]-(b:Phone) RETURN a.number AS n, count(DISTINCT b) AS k ORDER BY k DESC, n LIMIT 4"
    )
    owners = {files.truth.phones[n] for n in df["n"]}
    assert owners == set(files.truth.brokers)


def test_no_blank_identifier_nodes_and_brokers_are_real(demo):
    import linkgraph

    files, store, _ = demo
    for t, key in (
        ("Phone", "number"),
        ("Identification", "number"),
        ("Email", "address"),
        ("Vehicle", "registration"),
        ("Shipment", "reference"),
        ("Permit", "number"),
        ("Document", "reference"),
    ):
        df = store.query(f"MATCH (x:{t}) WHERE x.{key} IS NULL OR trim(x.{key}) = '' RETURN x.id AS id")
        assert df.empty, (t, df["id"].tolist())
    held = linkgraph.query("shared_identifiers", store, min_holders=1)
    assert len(held) and held["identifier"].notna().all()
    # each demo phone has one owner, and resolution made each owner one node: no phone is shared, where a
    # graph of records would list every phone a man gave two agencies as held by "two people"
    shared = linkgraph.query("shared_identifiers", store)
    assert set(files.truth.phones) & set(held.loc[held["type"] == "Phone", "identifier"])
    assert "Phone" not in set(shared["type"]), shared
    top = linkgraph.query("brokers", store, top=5)
    assert top["name"].notna().all() and "Identification" not in set(top["type"])
    phones = [n for n, t in zip(top["name"], top["type"]) if t == "Phone"]
    owners = {files.truth.phones[n] for n in phones}
    # both brokers' phones lead, and every leading phone belongs to a member of the network
    assert set(BROKERS) <= owners
    assert all(files.truth.people[o]["network"] for o in owners), owners
    # the countries reports name are the register's country nodes, not places called "KE"
    df = store.query("MATCH (:Document)-[:MENTIONS]->(l:Location) RETURN l.kind AS k, l.code AS c")
    assert len(df) and set(df["k"]) == {"country"} and df["c"].str.fullmatch(r"[A-Z]{2}").all()


def test_register_birth_dates_reach_the_person_nodes(demo):
    files, store, _ = demo
    df = store.query("MATCH (p:Person) RETURN p.id AS id, p.birth_date AS b")
    born = {i: b for i, b in zip(df["id"], df["b"]) if isinstance(b, str)}
    people = persons(store)
    checked = 0
    for m in files.truth.mentions:
        if m["file"] not in ("kws_seizures.xlsx", "tz_seizures.csv"):
            continue
        key = t_person_name(m["name"]).extras["key"]
        for h in node_for(people, m):
            if h["name_key"] == key and h["id"] in born:
                assert born[h["id"]] == files.truth.people[m["person"]]["birth_date"], m
                checked += 1
    assert checked >= 20
