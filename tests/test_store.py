"""The store interface on both engines: idempotent bulk writes, atomicity, provenance folding, differential."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from linkgraph import provenance
from linkgraph.errors import LinkgraphError
from linkgraph.store import open_store
from tests import fixture_graph
from tests.support import items

EXPECTED = {
    "Person": 4,
    "Phone": 2,
    "Seizure": 2,
    "Species": 1,
    "Location": 1,
    "HAS_PHONE": 3,
    "PARTY_TO": 3,
    "INVOLVED": 2,
    "LOCATED_IN": 1,
    "CALLED": 2,
}


def _counts(store) -> dict[str, int]:
    c = store.counts()
    return {r.type: r.count for r in c.itertuples() if r.count}


def test_write_creates_every_item_with_provenance(store):
    nodes, links = fixture_graph.build()
    stats = store.write(nodes, links)
    assert {**stats.created} == EXPECTED
    assert _counts(store) == EXPECTED
    for label in EXPECTED:
        is_link = label.isupper()
        pattern = f"MATCH ()-[x:{label}]->()" if is_link else f"MATCH (x:{label})"
        df = items(store, f"{pattern} RETURN x.id AS id, x.prov AS prov, x.batches AS batches")
        for row in df.itertuples():
            recs = provenance.loads(row.prov)
            assert recs, f"{label} {row.id} has no provenance"
            assert all(r["batch"] == fixture_graph.BATCH and r["source"] == "fixture.xlsx" and r["rows"] for r in recs)
            assert list(row.batches) == [fixture_graph.BATCH]


def test_rewrite_changes_nothing(fixture_store):
    before = items(fixture_store, "MATCH (p:Phone) RETURN p.id AS id, p.prov AS prov ORDER BY id")
    nodes, links = fixture_graph.build()
    stats = fixture_store.write(nodes, links)
    assert stats.changed == 0
    assert _counts(fixture_store) == EXPECTED
    after = items(fixture_store, "MATCH (p:Phone) RETURN p.id AS id, p.prov AS prov ORDER BY id")
    pd.testing.assert_frame_equal(before, after)


def test_observations_fold_into_bounded_provenance(fixture_store):
    df = items(
        fixture_store,
        "MATCH (p:Phone {id: $id}) RETURN p.id AS id, p.prov AS prov, p.reliability AS r, p.credibility AS c, "
        "p.first_seen AS f",
        {"id": "Phone:+254712345678"},
    )
    recs = provenance.loads(df["prov"].iloc[0])
    assert len(recs) == 1 and recs[0]["rows"] == "2-3"
    assert (df["r"].iloc[0], int(df["c"].iloc[0]), df["f"].iloc[0]) == ("B", 2, "2023-04-05")


def test_second_source_adds_provenance_and_keeps_first_values(fixture_store):
    obs = {
        **fixture_graph.PROV,
        "_batch": "batch-2",
        "_source": "awb.csv",
        "_sheet": None,
        "_row": 9,
        "_observed": "2024-01-10",
        "_reliability": "A",
        "_credibility": 1,
        "_handling": "C",
    }
    phone = pd.DataFrame(
        [{"id": "Phone:+254712345678", "number": "+254712345678", "country": "TZ", "raw": "0712 345678", **obs}]
    )
    stats = fixture_store.write({"Phone": phone})
    assert stats.updated == {"Phone": 1} and not stats.created
    row = items(
        fixture_store,
        "MATCH (p:Phone {id: $id}) RETURN p.id AS id, p.country AS country, p.raw AS raw, "
        "p.prov AS prov, p.reliability AS r, p.credibility AS c, p.handling AS h, "
        "p.last_seen AS last, p.batches AS b",
        {"id": "Phone:+254712345678"},
    ).iloc[0]
    assert row["country"] == "KE"  # the stored value wins
    assert row["raw"] == "0712 345678"  # a missing value is filled
    assert {r["source"] for r in json.loads(row["prov"])} == {"fixture.xlsx", "awb.csv"}
    assert (row["r"], int(row["c"]), row["h"], row["last"]) == ("A", 1, "C", "2024-01-10")
    assert sorted(row["b"]) == ["batch-2", fixture_graph.BATCH]


def test_failed_write_leaves_store_unchanged(fixture_store):
    obs = {**fixture_graph.PROV, "_batch": "batch-3", "_row": 2}
    person = pd.DataFrame([{"id": "Person:new", "name": "New Person", **obs}])
    dangling = pd.DataFrame(
        [
            {
                "id": "HAS_PHONE:x",
                "source": "Person:new",
                "target": "Phone:+000",
                "source_type": "Person",
                "target_type": "Phone",
                **obs,
            }
        ]
    )
    with pytest.raises(LinkgraphError):
        fixture_store.write({"Person": person}, {"HAS_PHONE": dangling})
    assert _counts(fixture_store) == EXPECTED
    assert fixture_store.query("MATCH (p:Person {id: 'Person:new'}) RETURN count(p) AS c")["c"].iloc[0] == 0


def test_unknown_property_and_bad_link_type_are_one_line_errors(store):
    with pytest.raises(LinkgraphError, match=r"properties \['shoe_size'\] are not in the schema"):
        store.write({"Person": pd.DataFrame([{"id": "Person:1", "shoe_size": 44}])})
    bad = pd.DataFrame([{"id": "L1", "source": "a", "target": "b", "source_type": "Species", "target_type": "Phone"}])
    with pytest.raises(LinkgraphError, match="source_type"):
        store.write(links={"HAS_PHONE": bad})


def test_hostile_values_are_parameters_not_cypher(store):
    evil = "x'}) DETACH DELETE n //"
    df = pd.DataFrame(
        [{"id": "Person:evil", "name": evil, "caption": "<script>alert(1)</script>", **fixture_graph.PROV, "_row": 2}]
    )
    store.write({"Person": df})
    got = store.query("MATCH (p:Person {id: 'Person:evil'}) RETURN p.name AS name, p.caption AS caption")
    assert got.iloc[0].tolist() == [evil, "<script>alert(1)</script>"]


def test_wipe_empties_the_store(fixture_store):
    fixture_store.wipe()
    assert _counts(fixture_store) == {}


# The differential test: one fixture through both engines, identical results.
DIFF_QUERIES = [
    "MATCH (p:Person) RETURN p.id AS id, p.name AS name, p.birth_date AS birth, p.aliases AS aliases, "
    "p.reliability AS r, p.credibility AS c, p.handling AS h ORDER BY id",
    "MATCH (a:Phone)-[c:CALLED]->(b:Phone) RETURN a.id AS a, b.id AS b, c.time AS t, c.duration_s AS d ORDER BY t",
    "MATCH (s:Seizure)-[i:INVOLVED]->(sp:Species) RETURN s.reference AS ref, sp.scientific_name AS sp, "
    "i.quantity AS q, i.unit AS u, s.arrests AS arrests ORDER BY ref",
    "MATCH (p:Person)-[:HAS_PHONE]->(ph:Phone)<-[:HAS_PHONE]-(q:Person) WHERE p.id < q.id "
    "RETURN p.name AS a, q.name AS b, ph.number AS phone ORDER BY a, b",
    "MATCH (l:Location) RETURN l.id AS id, l.latitude AS lat, l.longitude AS lon",
]


def _normal(df: pd.DataFrame) -> list[tuple]:
    def cell(v):
        if isinstance(v, (list, tuple)):
            return tuple(v)
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return None
        if isinstance(v, float) and v.is_integer():
            return int(v)
        return v

    return [tuple(cell(v) for v in row) for row in df.itertuples(index=False)]


def test_engines_agree(tmp_path, neo4j_env):
    nodes, links = fixture_graph.build()
    stores = [open_store(str(tmp_path / "db")), open_store(neo4j_env)]
    try:
        for s in stores:
            s.write(nodes, links)
        assert _counts(stores[0]) == _counts(stores[1]) == EXPECTED
        for q in DIFF_QUERIES:
            emb, neo = (_normal(s.query(q)) for s in stores)
            assert emb == neo, q
            assert emb, f"differential query returned nothing: {q}"
        props = "MATCH (n:Phone) RETURN n.id AS id, n.prov AS prov, n.first_seen AS f, n.batches AS b ORDER BY id"
        a, b = (items(s, props) for s in stores)
        assert [json.loads(x) for x in a["prov"]] == [json.loads(x) for x in b["prov"]]
        assert _normal(a.drop(columns="prov")) == _normal(b.drop(columns="prov"))
    finally:
        for s in stores:
            s.close()


def test_large_write_commits_in_slices_and_is_undone_on_failure(fixture_store, monkeypatch):
    """Neo4j commits a big import slice by slice; a failure removes what the batch wrote (embedded: rollback)."""
    import linkgraph.store.neo4j as neo

    monkeypatch.setattr(neo, "SLICE_ROWS", 2)  # many slices from a handful of rows
    before = items(fixture_store, "MATCH (p:Phone) RETURN p.id AS id, p.prov AS prov ORDER BY id")
    obs = {**fixture_graph.PROV, "_batch": "batch-big", "_row": 2}
    people = pd.DataFrame([{"id": f"Person:big{i}", "name": f"Big {i}", **obs} for i in range(7)])
    phones = pd.DataFrame([{"id": "Phone:+254712345678", "number": "+254712345678", **obs}])

    def unit():
        fixture_store.write({"Person": people, "Phone": phones})
        raise RuntimeError("the last chunk had a bad row")

    with pytest.raises(RuntimeError):
        fixture_store.atomic_batches(["batch-big"], unit)
    assert _counts(fixture_store) == EXPECTED
    after = items(fixture_store, "MATCH (p:Phone) RETURN p.id AS id, p.prov AS prov ORDER BY id")
    assert [json.loads(x) for x in before["prov"]] == [json.loads(x) for x in after["prov"]]
    stats = fixture_store.atomic_batches(["batch-big"], lambda: fixture_store.write({"Person": people}))
    assert stats.created == {"Person": 7}
