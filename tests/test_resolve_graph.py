"""Entity resolution wired to the store (linkgraph.resolve.graph / .review), on both engines, checked against the
demo's ground truth: variants merge, namesakes stay apart, review decisions and unmerges stick."""

from __future__ import annotations

import csv
import itertools
import json
import os
import subprocess
import sys
from collections import Counter

import openpyxl
import pytest
from rapidfuzz import fuzz

from linkgraph import provenance
from linkgraph.demo_data import generate
from linkgraph.errors import LinkgraphError
from linkgraph.importing import import_files
from linkgraph.normalize.names import name_key
from linkgraph.resolve.adapters import _fold
from linkgraph.resolve.graph import (
    REVIEW,
    decisions,
    entity_map,
    explain,
    person_records,
    records,
    resolution_links,
    resolve_store,
    unmerge,
)
from linkgraph.resolve.review import export_review, import_review, review_pairs
from linkgraph.sharing import audit_log


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return generate(tmp_path_factory.mktemp("resolve-demo") / "files")


def run_cli(*args):
    env = {**os.environ, "COLUMNS": "250"}  # wide tables: no folding inside the cells we look for
    return subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", *args], capture_output=True, text=True, timeout=300, env=env
    )


def truth_of_nodes(store, truth) -> dict[str, str]:
    """Person record id -> true person id, from the truth's mentions (file, sheet, row; best-matching name).
    Records, not nodes: a resolved entity is one node holding several records."""
    df = person_records(store).rename(columns={"record_id": "id"})
    names = dict(zip(df["id"], df["name"]))
    at: dict[tuple, set] = {}
    for r in df.itertuples():
        for pr in provenance.loads(r.prov):
            rows = str(pr.get("rows") or "")
            keys = [str(x) for x in provenance.expand_rows(rows)] if rows[:1].isdigit() else [rows]
            for row in keys:
                at.setdefault((pr["source"], pr.get("sheet") or None, row), set()).add(r.id)
    votes: dict[str, Counter] = {}
    for m in truth.mentions:
        if m["person"].startswith("X"):  # hostile markup, not a person
            continue
        cands = at.get((m["file"], m["sheet"], str(m["row"])), set())
        if not cands:
            continue
        best = max(sorted(cands), key=lambda c: fuzz.token_set_ratio(_fold(names[c] or ""), _fold(m["name"])))
        votes.setdefault(best, Counter())[m["person"]] += 1
    return {k: v.most_common(1)[0][0] for k, v in votes.items()}


def pairwise(store, truth, identified_only: bool) -> tuple[float, float, int, int, int]:
    """Pairwise precision and recall of the store's entities against the truth."""
    tn = truth_of_nodes(store, truth)
    recs = person_records(store).set_index("record_id")
    ids = sorted(tn)
    if identified_only:  # records carrying something besides the name (birth date, phone or passport)
        ids = [
            i for i in ids if recs.at[i, "birth_date"] is not None or recs.at[i, "phones"] or recs.at[i, "passports"]
        ]
    tp = fp = fn = 0
    for a, b in itertools.combinations(ids, 2):
        same_t, same_e = tn[a] == tn[b], recs.at[a, "entity_id"] == recs.at[b, "entity_id"]
        tp += same_t and same_e
        fp += same_e and not same_t
        fn += same_t and not same_e
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1), tp, fp, fn


def entities_of(store, truth, person: str, identified_only=True) -> set:
    tn = truth_of_nodes(store, truth)
    recs = person_records(store).set_index("record_id")
    return {
        recs.at[n, "entity_id"]
        for n, p in tn.items()
        if p == person and (not identified_only or recs.at[n, "birth_date"] is not None or recs.at[n, "phones"])
    }


def _batch_set(v) -> set:
    """Import batches of a node or link, whether stored as a list or as one delimited string."""
    if v is None:
        return set()
    if isinstance(v, str):
        v = json.loads(v) if v.startswith("[") else [x for x in v.replace(";", ",").replace(" ", ",").split(",")]
    return {str(x) for x in v if str(x)}


def same_as(store):
    """Resolution's SAME_AS links between records (id, a, b, decision, score, evidence)."""
    df = resolution_links(store)
    if not len(df):
        return []
    df = df[["id", "source", "target", "decision", "score", "evidence"]]
    return sorted(df.itertuples(index=False, name=None))


def test_demo_resolves_to_the_true_people(store, demo, capsys):
    report = import_files(store, demo.importable, progress=False)  # resolves at the end (resolve=True)
    res = report.resolution
    assert res["records"] > 100 and res["new"] == res["records"] and res["merged"] > 5
    t = demo.truth
    recs = person_records(store)
    assert recs["entity_id"].notna().all() and records(store)["entity_id"].notna().all()
    by_name = recs.groupby("name")["entity_id"].agg(set)

    # spelling variants of the kingpin and of the Lagos broker: one entity each, across agencies' files
    p01 = entities_of(store, t, "P01")
    assert len(p01) == 1
    assert {"Nguyễn Văn Hùng", "Hung Nguyen Van"} <= set(recs[recs["entity_id"].isin(p01)]["name"])
    p02 = entities_of(store, t, "P02")
    assert len(p02) == 1
    okafor = recs[recs["entity_id"].isin(p02)]
    assert {"Emeka Okafor", "Chukwuemeka Okafor", "OKAFOR, Chukwuemeka"} <= set(okafor["name"])
    assert {"kws_seizures.xlsx", "tz_seizures.csv", "ncs_seizures.csv"} <= set(okafor["source"])
    # the namesakes stay apart
    for pair in t.namesakes:
        a, b = (entities_of(store, t, p) for p in pair["persons"])
        assert a and b and not (a & b), pair
    assert len(by_name["Joseph Mwangi"]) >= 2 and len(by_name["Nguyen Van Hung"]) >= 2
    # a name-only mention of a name two entities carry joins neither: it goes to review against both
    for name, pair in (("Nguyen Van Hung", ("P01", "N01")), ("Joseph Mwangi", ("P14", "N02"))):
        mention = recs[(recs["name"] == name) & (recs["source"] == "associations.csv")]
        assert len(mention) == 1
        rid, eid = mention["record_id"].iloc[0], mention["entity_id"].iloc[0]
        assert set(recs.loc[recs["entity_id"] == eid, "record_id"]) == {rid}
        other = {b if a == rid else a for _, a, b, d, _, _ in same_as(store) if d == REVIEW and rid in (a, b)}
        # in the graph, the review link joins the mention's node to the node of each candidate entity
        drawn = store.query(
            "MATCH (a)-[r:SAME_AS]-(b) WHERE r.decision = $d AND a.id = $id RETURN b.id AS b", {"d": REVIEW, "id": rid}
        )
        assert set(drawn["b"]) == {entity_map(store).get(o, o) for o in other}
        reviewed = set(recs.loc[recs["record_id"].isin(other), "entity_id"])
        assert all(entities_of(store, t, p) & reviewed for p in pair), (name, reviewed)

    p_id, r_id, tp, fp, fn = pairwise(store, t, identified_only=True)
    p_all, r_all, tp2, fp2, fn2 = pairwise(store, t, identified_only=False)
    with capsys.disabled():
        print(
            f"\n[{store.engine}] demo persons, pairwise vs truth.json: records with a birth date, phone or "
            f"passport: precision {p_id:.3f} recall {r_id:.3f} (tp {tp}, fp {fp}, fn {fn}); all records incl. "
            f"name-only mentions: precision {p_all:.3f} recall {r_all:.3f} (tp {tp2}, fp {fp2}, fn {fn2})"
        )
    assert p_id == 1.0 and r_id >= 0.95
    assert p_all == 1.0

    # SAME_AS: record -> first record of its entity, with evidence; review pairs in the graph
    links = same_as(store)
    merges = [x for x in links if x[3] != REVIEW]
    assert len(merges) == res["merged"]
    ent = dict(zip(recs["record_id"], recs["entity_id"]))
    for _, a, _b, decision, score, evidence in merges:
        assert decision == "auto" and ent.get(a, None) is not None
        ev = json.loads(evidence)
        assert (
            ev["comparisons"]
            and 0 <= score <= 1
            and ev["outcome"] in ("merge", "review", "no-merge", "not compared (blocking)")
        )
    assert any(x[3] == REVIEW for x in links) and res["review"] == sum(x[3] == REVIEW for x in links)
    # a SAME_AS link carries the provenance of its two records (so grading and handling follow the sources)
    every = records(store)
    src = dict(zip(every["record_id"], every["prov"]))
    for r in resolution_links(store).itertuples():
        ends = provenance.loads(src[r.source]) + provenance.loads(src[r.target])
        assert r.handling and _batch_set(r.batches) == {p["batch"] for p in ends}
        assert {p["source"] for p in provenance.loads(r.prov)} <= set(records(store)["source"]) | {None}
    # one Person node per entity, holding its records (listed in `records`); every record in exactly one
    nodes = store.query("MATCH (p:Person) RETURN p.id AS id, p.records AS records, p.entity_id AS e")
    assert len(nodes) == recs["entity_id"].nunique()
    held = [r for one, many in zip(nodes["id"], nodes["records"]) for r in (list(many) if many is not None else [one])]
    assert sorted(held) == sorted(recs["record_id"])
    okafor_node = nodes[nodes["e"] == next(iter(p02))]
    assert len(okafor_node) == 1 and set(okafor_node["records"].iloc[0]) == set(okafor["record_id"])

    # running again, or importing the same files again, changes nothing
    before = (same_as(store), sorted(zip(recs["record_id"], recs["entity_id"])))
    again = resolve_store(store)
    assert again["new"] == 0 and again["changed"] == 0 and again["entities"] == res["entities"]
    import_files(store, demo.importable, progress=False)
    after_recs = person_records(store)
    assert (same_as(store), sorted(zip(after_recs["record_id"], after_recs["entity_id"]))) == before

    # explain: the i2-style card of the Lagos broker
    card = explain(store, next(iter(p02)))
    rec_rows, match_rows = card[card["part"] == "record"], card[card["part"] == "match"]
    assert len(rec_rows) == len(okafor) and set(rec_rows["source"]) >= {"kws_seizures.xlsx", "ncs_seizures.csv"}
    assert set(rec_rows["name"]) == set(okafor["name"])
    assert len(match_rows) == len(okafor) - 1
    identified = set(okafor.loc[[bool(p) for p in okafor["passports"]], "record_id"])
    name_only = set(
        okafor.loc[
            [
                b is None and not ph and not pp
                for b, ph, pp in zip(okafor["birth_date"], okafor["phones"], okafor["passports"])
            ],
            "record_id",
        ]
    )
    assert identified and name_only  # the reports and the association log name him, nothing more
    for r in match_rows.itertuples():
        if r.record_id in identified and r.matched_to.split(" ")[0] in identified:
            assert "passport exact" in r.evidence
        if r.record_id in name_only:
            assert "family_name exact" in r.evidence or "family_name phonetic" in r.evidence
    # named by a record id or by a (unique) name, the same entity
    assert explain(store, okafor["record_id"].iloc[0])["entity_id"].iloc[0] == next(iter(p02))
    p03 = entities_of(store, t, "P03")
    assert explain(store, "Abdalla Saïd Mwinyi")["entity_id"].iloc[0] == next(iter(p03))
    # the reports that only name him joined his entity: no other entity carries his name
    assert explain(store, "OKAFOR, Chukwuemeka")["entity_id"].iloc[0] == next(iter(p02))
    with pytest.raises(LinkgraphError, match="names 2 entities|names [0-9]+ entities"):
        explain(store, "Joseph Mwangi")
    with pytest.raises(LinkgraphError, match="no entity"):
        explain(store, "Nobody Atall")


def _mark(path, choose) -> dict:
    """Fill the decision column of an exported review workbook: choose(row dict) -> decision or None."""
    wb = openpyxl.load_workbook(path)
    ws = wb["review"]
    head = [c.value for c in ws[1]]
    marked = {}
    for row in ws.iter_rows(min_row=2):
        rec = dict(zip(head, [c.value for c in row]))
        d = choose(rec)
        if d is not None:
            row[head.index("decision")].value = d
            marked[(rec["record_a"], rec["record_b"])] = d
    wb.save(path)
    return marked


def test_review_round_trip_and_unmerge_stick(store, demo, tmp_path):
    import_files(store, demo.importable, progress=False)
    t = demo.truth
    queue = review_pairs(store)
    assert len(queue) > 0
    path = tmp_path / "review.xlsx"
    assert export_review(store, path) == len(queue)
    wb = openpyxl.load_workbook(path)
    ws = wb["review"]
    head = [c.value for c in ws[1]]
    for col in (
        "decision",
        "record_a",
        "record_b",
        "name_a",
        "name_b",
        "birth_date_a",
        "birth_date_b",
        "phones_a",
        "passports_b",
        "source_a",
        "source_b",
        "probability",
        "family_name",
    ):
        assert col in head, col
    letter = openpyxl.utils.get_column_letter(head.index("decision") + 1)
    dvs = ws.data_validations.dataValidation
    assert dvs and '"match,no-match"' == dvs[0].formula1 and f"{letter}2" in str(dvs[0].sqref)
    assert all(not (isinstance(c.value, str) and c.value.startswith("=")) for r in ws.iter_rows() for c in r)
    wb.close()

    # a bad value: one line naming file, sheet, row and column; nothing stored
    _mark(path, lambda r: "maybe" if r["name_a"] == r["name_b"] == "Joseph Mwangi" else None)
    with pytest.raises(LinkgraphError, match=r"review\.xlsx, sheet review, row \d+, column [A-Z]+ \(decision\)"):
        import_review(store, path)
    assert len(decisions(store)) == 0
    (refused,) = audit_log(store, "review import refused").itertuples()
    assert refused.detail.startswith("review.xlsx: review.xlsx, sheet review, row ")

    # the analyst: the two Bahari companies are one, the namesakes and customs commands are not
    export_review(store, path)

    def choose(r):
        if "Bahari" in (r["name_a"] or "") and "Bahari" in (r["name_b"] or ""):
            return "match"
        if r["name_a"] == r["name_b"] == "Joseph Mwangi" or "Nigeria Customs" in (r["name_a"] or ""):
            return "no-match"
        return None

    marked = _mark(path, choose)
    assert "match" in marked.values() and "no-match" in marked.values()
    res = import_review(store, path)
    assert res["match"] == 1 and res["no-match"] == len(marked) - 1 and res["decisions"] == len(marked)
    assert len(decisions(store)) == len(marked)
    (done,) = audit_log(store, "review import").itertuples()
    assert (
        done.detail
        == f"review.xlsx: {len(marked)} decisions stored (1 match, {len(marked) - 1} no-match, {res['blank']} blank)"
    )
    ent = dict(zip(records(store)["record_id"], records(store)["entity_id"]))
    for (a, b), d in marked.items():
        assert (ent[a] == ent[b]) == (d == "match"), (a, b, d)
    links = same_as(store)
    ((a, b),) = [k for k, d in marked.items() if d == "match"]
    assert any({x[1], x[2]} == {a, b} and x[3] == "match" for x in links)
    left = review_pairs(store)
    assert not set(zip(left["record_a"], left["record_b"])) & set(marked)
    assert res["review"] == len(left) == len(queue) - len(marked)
    # importing the same sheet again stores nothing new and changes nothing
    snapshot = same_as(store)
    assert import_review(store, path)["decisions"] == 0 and same_as(store) == snapshot

    # unmerge one record out of the Lagos broker, then the whole entity; both stick after re-runs and re-imports
    okafor = person_records(store)
    tn = truth_of_nodes(store, t)
    p02 = okafor[okafor["record_id"].map(tn) == "P02"]
    eid = p02[p02["birth_date"].notna()]["entity_id"].iloc[0]
    whole = okafor[okafor["entity_id"] == eid]
    # his identified records and the reports' and association log's mentions of his name (the reports'
    # mentions are not rows, so the truth does not place them: they carry his name)
    assert all(tn.get(m) in ("P02", None) for m in whole["record_id"])
    ident = [
        b is not None or bool(ph) or bool(pp)
        for b, ph, pp in zip(whole["birth_date"], whole["phones"], whole["passports"])
    ]
    members = sorted(whole.loc[ident, "record_id"])
    assert len(members) == 3 and len(whole) > 3
    out = members[-1]
    res = unmerge(store, eid, record=out, note="wrong DOB")
    assert res["decisions"] == len(whole) - 1
    (split,) = audit_log(store, "unmerge").itertuples()
    assert split.detail == f"record {out} out of entity {eid}: {len(whole) - 1} decisions; note: wrong DOB"
    # the mentions by the name the separated record carries now match two entities: they join neither
    after = dict(zip(person_records(store)["record_id"], person_records(store)["entity_id"]))
    name_of = dict(zip(whole["record_id"], whole["name"]))
    twins = [m for m in set(whole["record_id"]) - set(members) if name_key(name_of[m]) == name_key(name_of[out])]
    assert twins
    for m in twins:
        assert after[m] not in {after[x] for x in members}

    def check_split(whole: bool):
        e = dict(zip(person_records(store)["record_id"], person_records(store)["entity_id"]))
        assert all(e[out] != e[m] for m in members if m != out)
        rest = [m for m in members if m != out]
        assert (len({e[m] for m in rest}) == 1) != whole
        assert not any({x[1], x[2]} == {out, m} and x[3] != REVIEW for x in same_as(store) for m in members)

    check_split(False)
    assert resolve_store(store)["changed"] == 0
    check_split(False)
    import_files(store, demo.importable, progress=False)
    check_split(False)
    unmerge(store, members[0])  # named by a record id: every record apart
    check_split(True)
    assert audit_log(store, "unmerge")["detail"].str.startswith("every record of entity ").sum() == 1
    resolve_store(store)
    import_files(store, demo.importable, progress=False)
    check_split(True)
    assert set(decisions(store)["decision"]) == {"match", "no-match", "unmerge"}

    # entity_map: one representative per entity (the target of its SAME_AS links)
    m = entity_map(store)
    recs = records(store)
    assert len(m) == len(recs) - recs["entity_id"].nunique()
    e = dict(zip(recs["record_id"], recs["entity_id"]))
    assert all(e[k] == e[v] and v not in m for k, v in m.items())
    merge_links = {(x[1], x[2]) for x in same_as(store) if x[3] != REVIEW}
    assert merge_links == set(m.items())


def test_cli_resolve_review_unmerge(store_target, demo, tmp_path):
    r = run_cli("import", str(demo.kenya_register), str(demo.tanzania_register), "--db", store_target)
    assert r.returncode == 0, r.stderr
    assert "resolution: records" in r.stdout
    r = run_cli("resolve", "--db", store_target)
    assert r.returncode == 0, r.stderr
    assert "entities" in r.stdout and "changed" in r.stdout
    r = run_cli("resolve", "explain", "Abdalla Saïd Mwinyi", "--db", store_target)
    assert r.returncode == 0, r.stderr
    assert "kws_seizures.xlsx" in r.stdout and "tz_seizures.csv" in r.stdout and "passport" in r.stdout
    out = tmp_path / "review.xlsx"
    r = run_cli("review", "export", "--out", str(out), "--db", store_target)
    assert r.returncode == 0, r.stderr
    assert out.exists() and "pairs to review" in r.stdout
    r = run_cli("review", "import", str(out), "--db", store_target)
    assert r.returncode == 0, r.stderr
    r = run_cli("unmerge", "Abdalla Saïd Mwinyi", "--db", store_target)
    assert r.returncode == 0, r.stderr
    assert "unmerge" in r.stdout
    r = run_cli("resolve", "explain", "no such person", "--db", store_target)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1 and "no entity" in r.stderr


HOSTILE = '=HYPERLINK("http://evil","click")'


def test_cli_dedupe_hostile_csv(tmp_path):
    src = tmp_path / "suspects.csv"
    rows = [
        ["Suspect", "DOB", "Phone", "Passport", "Nationality"],
        [HOSTILE, "1980-01-02", "+254712000111", "AK1234567", "KE"],
        [HOSTILE, "02/01/1980", "0712 000 111", "AK1234567", "Kenya"],
        ["Chukwuemeka Okafor", "1975-08-21", "+2348034172290", "A05839127", "NG"],
        ["OKAFOR, Chukwuemeka", "21/08/1975", "08034172290", "A05839127", "Nigeria"],
        ["Joseph Mwangi", "1979-06-15", "+254711309845", "", "KE"],
        ["Joseph Mwangi", "1994-05-19", "+254798552013", "", "KE"],
        ["@SUM(1+1)", "", "", "", ""],
    ]
    with src.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    out = tmp_path / "out.csv"
    r = run_cli("resolve", str(src), "--out", str(out), "--map", "Suspect=name")
    assert r.returncode == 0, r.stderr
    text = out.read_text(encoding="utf-8")
    got = list(csv.DictReader(text.splitlines()))
    assert len(got) == len(rows) - 1
    for row in got:  # no cell a spreadsheet would run
        assert not any(v.startswith(("=", "+", "-", "@")) for v in row.values() if v)
    assert got[0]["Suspect"] == "'" + HOSTILE and got[6]["Suspect"] == "'@SUM(1+1)"
    for col in (
        "record_id",
        "entity_id",
        "entity_size",
        "best_match",
        "match_probability",
        "match_outcome",
        "match_reasons",
    ):
        assert col in got[0]
    ent = [g["entity_id"] for g in got]
    assert ent[0] == ent[1] and ent[2] == ent[3] and ent[4] != ent[5]
    assert len(set(ent)) == 5 and "passport" in got[2]["match_reasons"]
    # the same file with an unknown field: one line
    r = run_cli("resolve", str(src), "--out", str(out), "--map", "Suspect=nickname")
    assert r.returncode == 1 and "unknown field 'nickname'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run_cli("resolve", str(src))
    assert r.returncode == 1 and "--out" in r.stderr
