"""The ledger on both engines: every import's statements kept with their provenance, the graph rebuilt from
them alone equal to the graph the imports made, undo and failed imports leaving no statements behind."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from linkgraph import demo_data, provenance
from linkgraph.errors import LinkgraphError
from linkgraph.importing import import_files, rebuild, statements, undo
from linkgraph.resolve.graph import resolve_store

REGISTER = (
    "Seizure ID,Date,Location,Country,Species,Quantity,Unit,Suspect 1,Suspect 1 phone,Grade\n"
    "S-1,2024-03-02,Mombasa port,Kenya,Loxodonta africana,12,kg,Abdi Hassan,0712 345 678,B2\n"
    "S-2,2024-03-09,Mombasa port,Kenya,Loxodonta africana,3,pieces,Abdi Hassan,0712 345 678,C3\n"
)


def graph(store, strip_imported: bool = False) -> dict[str, list[dict]]:
    """Every domain node and link with every stored column, sorted: what two stores are compared by."""
    out = {}
    for t in store.schema.entities:
        cols = list(store.schema.node_columns(t))
        out[t] = store.query(f"MATCH (n:{t}) RETURN " + ", ".join(f"n.{c} AS {c}" for c in cols))
    for t in store.schema.links:
        cols = list(store.schema.link_columns(t))
        ret = ", ".join(f"r.{c} AS {c}" for c in cols)
        out[t] = store.query(f"MATCH (a)-[r:{t}]->(b) RETURN a.id AS a, b.id AS b, {ret}")

    def clean(v):
        if isinstance(v, float) and v != v:
            return None
        return v.tolist() if hasattr(v, "tolist") else v

    result = {}
    for t, df in out.items():
        rows = [{k: clean(v) for k, v in r.items()} for r in df.to_dict("records")] if len(df) else []
        for r in rows:
            if strip_imported and r.get("prov"):
                r["prov"] = [{k: v for k, v in x.items() if k != "imported"} for x in provenance.loads(r["prov"])]
        result[t] = sorted(rows, key=lambda r: json.dumps(r, sort_keys=True, default=str))
    return result


def assert_same_graph(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for t in a:
        assert len(a[t]) == len(b[t]), f"{t}: {len(a[t])} against {len(b[t])}"
        for x, y in zip(a[t], b[t]):
            assert x == y, f"{t} differs:\n{x}\n{y}"


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    return demo_data.generate(tmp_path_factory.mktemp("ledger-demo") / "files", seed=7)


@pytest.fixture
def register(tmp_path):
    p = tmp_path / "register.csv"
    p.write_text(REGISTER, encoding="utf-8")
    return p


def test_statements_keep_each_row_with_its_provenance(store, register):
    import_files(store, [register], spec="seizure-register", progress=False)
    st = statements(store, batch=store.query("MATCH (b:LgBatch) RETURN b.id AS id")["id"].iloc[0])
    person = st[(st["type"] == "Person") & (st["prop"] == "name")]
    assert person["value"].tolist() == ["Abdi Hassan", "Abdi Hassan"]  # one statement per row that said it
    assert person["row"].tolist() == [2, 3]
    assert person["reliability"].tolist() == ["B", "C"] and person["credibility"].tolist() == [2, 3]
    assert set(person["source"]) == {"register.csv"} and person["sha256"].str.len().eq(64).all()
    phone = st[(st["type"] == "Phone") & (st["prop"] == "number")]
    assert set(phone["value"]) == {"+254712345678"}  # the normalised value
    one = statements(store, item=phone["item"].iloc[0])
    assert set(one["item"]) == {phone["item"].iloc[0]} and len(one) >= 2


def test_rebuild_gives_the_graph_the_imports_made(store, demo_files):
    """The demo's files imported one by one with resolution after each, then the graph deleted and made
    again from the ledger alone: every node and link, with every column, the same."""
    files = demo_files.importable
    import_files(store, files[: len(files) // 2], progress=False)
    import_files(store, files[len(files) // 2 :], progress=False)
    before = graph(store)
    assert sum(len(v) for v in before.values()) > 1000
    assert any(r.get("entity_id") for r in before["Person"])  # resolution ran and is part of what is compared
    out = rebuild(store)
    assert out["parts"] >= len(files) and out["resolution"] > 0
    assert_same_graph(before, graph(store))
    assert store.query("MATCH (b:LgBatch) RETURN count(b) AS c")["c"].iloc[0] >= len(files)  # bookkeeping kept


@pytest.mark.parametrize("then_rebuild", [False, True], ids=["undo", "undo+rebuild"])
def test_undo_is_exact(store, then_rebuild):
    """After an undo the ledger holds no statement of the batch, and the graph is exactly what it was before
    the batch came: items it shared with another batch are folded again from that batch's statements, so a
    value only the undone batch gave (a phone's raw text, an alias) goes too, not only its provenance."""
    from tests import fixture_graph

    nodes, links = fixture_graph.build()
    store.write(nodes, links)
    before = graph(store)
    phone = nodes["Phone"].iloc[[0]].assign(_batch="batch-2", _row=9, raw="0712 345 678", _reliability="A")
    hung = nodes["Person"].iloc[[0]].assign(_batch="batch-2", _row=9, aliases=[["NGUYEN VAN HUNG"]])
    store.write({"Phone": phone, "Person": hung})
    changed = store.query(
        "MATCH (p:Phone {id: $id}) RETURN p.raw AS raw, p.reliability AS r", {"id": phone["id"].iloc[0]}
    )
    assert changed.to_dict("records") == [{"raw": "0712 345 678", "r": "A"}]
    assert len(statements(store, batch="batch-2"))
    store.atomic(lambda: store.remove_batch("batch-2"))
    assert not len(statements(store, batch="batch-2"))
    assert len(statements(store, batch=fixture_graph.BATCH))
    if then_rebuild:
        rebuild(store)
    assert_same_graph(before, graph(store))


def test_undo_of_an_imported_file(store, register, tmp_path):
    second = tmp_path / "register2.csv"
    second.write_text(
        REGISTER.splitlines()[0] + "\nS-3,2024-04-01,Mombasa port,Kenya,Diceros bicornis,2,pieces,Abdi Hassan,,A1\n",
        encoding="utf-8",
    )
    import_files(store, [register], spec="seizure-register", progress=False)
    before = graph(store)
    rep2 = import_files(store, [second], spec="seizure-register", progress=False)
    undo(store, rep2.batches[0])
    assert not len(statements(store, batch=rep2.batches[0]))
    assert_same_graph(before, graph(store))


def test_a_failed_import_leaves_no_statements(store, register, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(REGISTER + "S-9,2024-13-45,Mombasa port,Kenya,Loxodonta africana,1,kg,X Y,,B2\n", encoding="utf-8")
    with pytest.raises(LinkgraphError):
        import_files(store, [bad], spec="seizure-register", progress=False)
    assert store.ledger.count_parts() == 0
    import_files(store, [register], spec="seizure-register", progress=False)
    n = store.ledger.count_parts()
    assert n > 0
    import_files(store, [register], spec="seizure-register", progress=False)  # done before: nothing new
    assert store.ledger.count_parts() == n


def test_a_rolled_back_write_leaves_no_part(store):
    from tests import fixture_graph

    nodes, links = fixture_graph.build()

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        with store.transaction():
            store.write(nodes, links)
            raise Boom
    assert store.ledger.count_parts() == 0
    assert store.counts()["count"].sum() == 0
    store.write(nodes, links)
    assert store.ledger.count_parts() == 1


def test_wipe_empties_the_ledger(store, register):
    import_files(store, [register], spec="seizure-register", progress=False)
    assert store.ledger.count_parts() > 0
    store.wipe()
    assert store.ledger.count_parts() == 0
    assert rebuild(store)["nodes"] == 0


def test_cli_rebuild_and_statements(tmp_path, register):
    db = str(tmp_path / "db")

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "linkgraph.cli", *args, "--db", db],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "COLUMNS": "250"},
        )

    r = run("import", str(register), "--spec", "seizure-register")
    assert r.returncode == 0, r.stderr
    from linkgraph.importing import sources
    from linkgraph.store import open_store

    with open_store(db, create=False) as s:
        batch = sources(s)["id"].iloc[0]
        before = graph(s)
    r = run("db", "statements", "--batch", batch)
    assert r.returncode == 0, r.stderr
    assert "Abdi Hassan" in r.stdout and "+254712345678" in r.stdout and "register.csv" in r.stdout
    r = run("db", "statements")
    assert r.returncode == 1 and "--item" in r.stderr and "Traceback" not in r.stderr
    r = run("db", "rebuild", "--no-progress")
    assert r.returncode == 0, r.stderr
    assert "rebuilt from the ledger" in r.stdout
    with open_store(db, create=False) as s:
        assert_same_graph(before, graph(s))
        assert "rebuild" in set(s.query("MATCH (a:LgAudit) RETURN a.action AS a")["a"])


def test_resolution_is_restored_by_rebuild_after_unmerge(store, demo_files):
    from linkgraph.resolve.graph import find_entity, unmerge

    import_files(store, demo_files.importable[:4], progress=False)
    resolve_store(store)
    merged = store.query(
        "MATCH (p:Person) WHERE p.records IS NOT NULL RETURN p.entity_id AS e, size(p.records) AS n ORDER BY n DESC, e"
    )
    assert len(merged) and merged["n"].iloc[0] >= 2, "the demo's first files merge spelling variants"
    before = graph(store)
    rebuild(store)  # one node per entity, made from its records' statements: the same after a rebuild
    assert_same_graph(before, graph(store))
    eid, _ = find_entity(store, merged["e"].iloc[0])
    unmerge(store, eid)
    before = graph(store)
    rebuild(store)
    assert_same_graph(before, graph(store))


def test_undo_splits_the_entities_its_records_joined(store, demo_files):
    """Undo of a file whose records resolution folded into entities with other files' records: those records
    leave their entity nodes (values and batch gone, the other records' kept), each record left is held by one
    node, and the graph is the one the ledger makes."""
    from linkgraph.resolve.graph import records

    import_files(store, demo_files.importable, progress=False)  # resolves at the end
    recs = records(store)
    batch_of = {r: {p["batch"] for p in provenance.loads(v)} for r, v in zip(recs["record_id"], recs["prov"])}
    nodes = store.query("MATCH (p:Person) WHERE p.records IS NOT NULL RETURN p.id AS id, p.records AS records")
    # the batch most often sharing an entity with other batches' records
    shared: dict[str, int] = {}
    for held in nodes["records"]:
        bs = [batch_of[r] for r in held]
        for b in set().union(*bs):
            if any(b not in x for x in bs):
                shared[b] = shared.get(b, 0) + 1
    assert shared, "the demo's files resolve into entities across files"
    gone = max(sorted(shared), key=shared.get)
    theirs = {r for r, b in batch_of.items() if b == {gone}}
    # the entity node's provenance is its records', all of them
    one = nodes["id"].iloc[0]
    sources = {p["source"] for p in provenance.loads(store.provenance("node", [one])[one])}
    held_sources = set(recs.loc[recs["record_id"].isin(list(nodes["records"].iloc[0])), "source"])
    assert sources == held_sources

    undo(store, gone)
    after = records(store)
    assert theirs and not theirs & set(after["record_id"])
    everyone = store.query("MATCH (p:Person) RETURN p.id AS id, p.records AS records, p.batches AS batches")
    org = store.query("MATCH (p:Organization) RETURN p.id AS id, p.records AS records, p.batches AS batches")
    both = pd.concat([everyone, org], ignore_index=True)
    held = [r for i, rs in zip(both["id"], both["records"]) for r in (list(rs) if rs is not None else [i])]
    assert sorted(held) == sorted(after["record_id"])
    assert not any(gone in list(b) for b in both["batches"] if b is not None)
    assert all(len(list(rs)) > 1 for rs in both["records"] if rs is not None)
    before = graph(store)
    rebuild(store)
    assert_same_graph(before, graph(store))
