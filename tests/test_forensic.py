"""Forensic links: a laboratory's match table imported onto a seizure register, and `linked_seizures`.

The case is built here: seven seizures in one register and a lab's table of DNA matches between tusks.
KE-001 and TZ-002 hold tusks of one elephant, TZ-002 and UG-003 tusks of full siblings, UG-003 and UG-004
share a suspect, KE-006 and KE-007 the vehicle the goods were seized from; KE-005 is linked to nothing.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from linkgraph.errors import LinkgraphError
from linkgraph.importing import import_files
from linkgraph.querylib import execute
from linkgraph.store import open_store

REGISTER = """\
Case reference,Date,Place,Country,Species,Commodity,Quantity,Unit,Vehicle plate,Suspect 1,Suspect 1 phone
KE-001,2023-01-10,Mombasa,Kenya,Loxodonta africana,ivory,120,kg,,John Mwangi,+254712000001
TZ-002,2023-02-11,Dar es Salaam,Tanzania,Loxodonta africana,ivory,300,kg,,Ali Hassan,
UG-003,2023-03-12,Entebbe,Uganda,Loxodonta africana,ivory,45,kg,,Peter Okello,
UG-004,2023-04-13,Kampala,Uganda,Loxodonta africana,ivory,12,kg,,Peter Okello,
KE-005,2023-05-14,Nairobi,Kenya,Loxodonta africana,ivory,8,kg,KCA 555X,Mary Achieng,
KE-006,2023-06-15,Malindi,Kenya,Loxodonta africana,ivory,20,kg,KDB 123A,,
KE-007,2023-07-16,Voi,Kenya,Loxodonta africana,ivory,25,kg,KDB 123A,,
"""
MATCHES = [
    ["Sample A", "Sample B", "Relationship", "LR", "Seizure A", "Seizure B", "Lab", "Date"],
    ["T-101", "T-205", "Same individual", "1.2e15", "KE-001", "TZ-002", "Wildlife Forensics Lab", "2023-08-01"],
    ["T-301", "T-206", "Full sibling", "> 10^9", "UG-003", "TZ-002", "Wildlife Forensics Lab", "2023-08-01"],
    # two tusks of one animal in one seizure: a pair, not a link between seizures
    ["T-102", "T-103", "same individual", "3 x 10^12", "KE-001", "KE-001", "Wildlife Forensics Lab", "2023-08-01"],
]
S = {"KE-001", "TZ-002", "UG-003", "UG-004"}


def _csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        if isinstance(rows, str):
            fh.write(rows)
        else:
            csv.writer(fh).writerows(rows)
    return path


@pytest.fixture
def case_store(store, tmp_path):
    import_files(store, [_csv(tmp_path / "register.csv", REGISTER)], progress=False)
    report = import_files(store, [_csv(tmp_path / "lab.csv", MATCHES)], progress=False)
    assert report.files[0].spec == "lab-matches"
    return store


def _pairs(df) -> set:
    return {(frozenset((a, b)), e) for a, b, e in zip(df["reference_a"], df["reference_b"], df["evidence"])}


def test_lab_matches_attach_samples_to_register_seizures(case_store):
    seizures = case_store.query("MATCH (s:Seizure) RETURN s.reference AS ref, s.date AS date")
    assert sorted(seizures["ref"]) == ["KE-001", "KE-005", "KE-006", "KE-007", "TZ-002", "UG-003", "UG-004"]
    assert dict(zip(seizures["ref"], seizures["date"]))["KE-001"] == "2023-01-10"
    m = case_store.query(
        "MATCH (a:Sample)-[m:FORENSIC_MATCH]->(b:Sample) RETURN a.sample_id AS a, b.sample_id AS b, "
        "m.relation AS relation, m.likelihood_ratio AS lr, m.raw_likelihood_ratio AS raw, m.reliability AS rel, "
        "m.credibility AS cred"
    )
    got = {(r.a, r.b): (r.relation, r.lr, r.raw, r.rel, int(r.cred)) for r in m.itertuples()}
    assert got == {
        ("T-101", "T-205"): ("same_individual", 1.2e15, "1.2e15", "A", 1),
        ("T-301", "T-206"): ("full_sibling", 1e9, "> 10^9", "A", 1),
        ("T-102", "T-103"): ("same_individual", 3e12, "3 x 10^12", "A", 1),
    }
    sampled = case_store.query(
        "MATCH (x:Sample)-[:SAMPLED_FROM]->(s:Seizure) RETURN x.sample_id AS sample, s.reference AS ref"
    )
    assert dict(zip(sampled["sample"], sampled["ref"])) == {
        "T-101": "KE-001",
        "T-102": "KE-001",
        "T-103": "KE-001",
        "T-205": "TZ-002",
        "T-206": "TZ-002",
        "T-301": "UG-003",
    }


def test_linked_seizures_chains(case_store):
    df = execute("linked_seizures", case_store).frame
    assert _pairs(df) == {
        (frozenset(("KE-001", "TZ-002")), "forensic"),
        (frozenset(("TZ-002", "UG-003")), "forensic"),
        (frozenset(("UG-003", "UG-004")), "party"),
        (frozenset(("KE-006", "KE-007")), "vehicle"),
    }
    first = df[df["chain"] == 1]
    assert set(first["chain_seizures"].iloc[0]) == S and first["chain_size"].tolist() == [4, 4, 4]
    assert first["chain_relation"].iloc[0] == "same_individual" and first["chain_max_lr"].iloc[0] == 1.2e15
    rels = {
        frozenset((a, b)): (r, lr)
        for a, b, r, lr in zip(first["reference_a"], first["reference_b"], first["relation"], first["likelihood_ratio"])
    }
    assert rels[frozenset(("TZ-002", "UG-003"))] == ("full_sibling", 1e9)
    assert first[first["evidence"] == "party"]["via"].tolist() == ["Peter Okello"]
    second = df[df["chain"] == 2]
    assert second["chain_seizures"].iloc[0] == ["KE-006", "KE-007"] and second["via"].tolist() == ["KDB123A"]
    assert pd.isna(second["chain_relation"].iloc[0])
    assert "KE-005" not in set(df["reference_a"]) | set(df["reference_b"])


def test_linked_seizures_filters(case_store):
    one = execute("linked_seizures", case_store, seizure="UG-004").frame
    assert set(one["chain"]) == {1} and len(one) == 3
    assert execute("linked_seizures", case_store, seizure="KE-005").frame.empty
    forensic = execute("linked_seizures", case_store, evidence=["forensic"]).frame
    assert set(forensic["chain_seizures"].iloc[0]) == {"KE-001", "TZ-002", "UG-003"}
    strong = execute("linked_seizures", case_store, evidence=["forensic"], min_lr=1e10).frame
    assert _pairs(strong) == {(frozenset(("KE-001", "TZ-002")), "forensic")}
    # at B2 or better the register (graded B2) still links UG-003 and UG-004; at A1 only the lab's matches remain
    a1 = execute("linked_seizures", case_store, evidence=["forensic", "party"], min_grade="A1").frame
    assert {e for _, e in _pairs(a1)} == {"forensic"}
    with pytest.raises(LinkgraphError, match="evidence must be among"):
        execute("linked_seizures", case_store, evidence=["dna"])


def test_bad_likelihood_ratio_stops_the_file_with_one_line(store, tmp_path):
    rows = [r[:] for r in MATCHES]
    rows[2][3] = "very high"
    with pytest.raises(LinkgraphError) as e:
        import_files(store, [_csv(tmp_path / "lab.csv", rows)], progress=False)
    assert str(e.value) == 'lab.csv, row 3, column "LR": cannot read "very high" as a likelihood ratio'


def test_cli_linked_seizures(store_target, tmp_path):
    from typer.testing import CliRunner

    from linkgraph.cli import app

    with open_store(store_target) as s:
        import_files(
            s, [_csv(tmp_path / "register.csv", REGISTER), _csv(tmp_path / "lab.csv", MATCHES)], progress=False
        )
    args = "query linked_seizures --param seizure=KE-001 --param evidence=forensic --format csv --db".split()
    res = CliRunner().invoke(app, [*args, store_target])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(io.StringIO(res.output))
    assert sorted(map(sorted, zip(df["reference_a"], df["reference_b"]))) == [
        ["KE-001", "TZ-002"],
        ["TZ-002", "UG-003"],
    ]
    assert df["relation"].tolist().count("same_individual") == 1


def test_linked_seizures_on_the_demo(tmp_path):
    from linkgraph.demo_data import generate

    files = generate(tmp_path / "files")
    (truth,) = files.truth.forensic_chains
    with open_store(str(tmp_path / "db")) as s:
        import_files(s, files.importable, progress=False)
        forensic = execute("linked_seizures", s, evidence=["forensic"]).frame
        whole = execute("linked_seizures", s, seizure=truth["seizures"][0]).frame
    assert set(forensic["chain"]) == {1} and sorted(forensic["chain_seizures"].iloc[0]) == truth["seizures"]
    got = {
        (tuple(sorted((a, b))), r, lr)
        for a, b, r, lr in zip(
            forensic["reference_a"], forensic["reference_b"], forensic["relation"], forensic["likelihood_ratio"]
        )
    }
    assert got == {(tuple(k["seizures"]), k["relation"], k["likelihood_ratio"]) for k in truth["links"]}
    assert forensic["chain_relation"].iloc[0] == truth["strongest"]
    # with the shared suspects, phones and vehicles too, the lab's chain sits inside one larger chain
    assert set(truth["seizures"]) <= set(whole["chain_seizures"].iloc[0])
    assert set(whole["evidence"]) > {"forensic"}
