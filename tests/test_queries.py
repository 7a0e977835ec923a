"""The Cypher query library: every query on both engines, the engines row for row, the loader's checks."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

from linkgraph import querylib
from linkgraph.errors import LinkgraphError
from linkgraph.querylib import execute, list_queries, load_query, to_subgraph
from linkgraph.store import open_store
from tests import query_fixture as qf

IDS = {k: f() for k, f in qf.IDS.items()}

# parameters that make each query find something in tests/query_fixture.py
# queries whose input the fixture graph does not hold: the sample file of their source
OWN_DATA = {"cites_discrepancies": "cites_comparative.csv"}

PARAMS = {
    "entity": {"text": "chen"},
    "network": {"id": IDS["chen"], "hops": 2},
    "connecting": {"ids": [IDS["li"], IDS["joseph"], IDS["chen"]]},
    "path": {"from_id": IDS["joseph"], "to_id": IDS["tran"]},
    "common_associates": {"ids": [IDS["joseph"], IDS["peter"]]},
    "trade_routes": {"species": "loxodonta"},
    "activity": {"date_from": "2023-06", "date_to": "2023-07-31"},
    "brokerage": {"top": 0},
    "brokers": {"top": 0},
    "link_brokers": {"top": 0},
    "centrality": {"top": 0},
    "grade_brokers": {"top": 0},
}
LIBRARY = list_queries()["name"].tolist()


@pytest.fixture
def qstore(store):
    nodes, links = qf.build()
    store.write(nodes, links)
    return store


def _canon(df: pd.DataFrame) -> list:
    """Rows as comparable tuples: lists sorted, floats rounded."""

    def cell(v):
        if isinstance(v, (list, tuple)):
            return tuple(sorted(map(str, v)))
        if isinstance(v, float):
            return None if math.isnan(v) else round(v, 6)
        if v is None or v is pd.NA:
            return None
        if hasattr(v, "item"):
            return cell(v.item())
        return v

    return [tuple(cell(v) for v in row) for row in df.itertuples(index=False)]


def test_library_has_the_issue_queries():
    for name in [
        "entity",
        "network",
        "connecting",
        "path",
        "common_associates",
        "shared_identifiers",
        "brokers",
        "link_brokers",
        "brokerage",
        "communities",
        "components",
        "kcore",
        "centrality",
        "trade_routes",
        "repeat_offenders",
        "recurring_identifiers",
        "activity",
        "grade_brokers",
    ]:
        assert name in LIBRARY
    assert not any(n.startswith("_") for n in LIBRARY)


@pytest.mark.parametrize("name", LIBRARY)
def test_every_query_runs(qstore, name):
    if name in OWN_DATA:  # a query over a source the fixture graph does not model: import that source's sample
        from linkgraph.importing import import_files

        import_files(qstore, [Path(__file__).parent / "data" / OWN_DATA[name]], progress=False, resolve=False)
    res = execute(name, qstore, **PARAMS.get(name, {}))
    assert len(res.frame) > 0, f"{name} found nothing on {qstore.engine}"
    q = load_query(name)
    for col in q.returns:
        assert col in res.frame.columns, f"{name}: declared column {col} missing"


@pytest.mark.parametrize("name", LIBRARY)
def test_engines_agree_row_for_row(name, tmp_path, request):
    uri = request.getfixturevalue("neo4j_env")
    results = {}
    for target in (str(tmp_path / "db"), uri):
        with open_store(target) as s:
            nodes, links = qf.build()
            s.write(nodes, links)
            if name == "communities":
                # GDS Leiden and leidenalg are different implementations: on a loosely knit graph such as this
                # they may settle on different partitions (tests/test_gds.py compares them); here the engines'
                # projections are compared, on the one implementation
                s._lg_has_gds = False
            df = execute(name, s, **PARAMS.get(name, {})).frame
            # the method column names the engine path (exact vs exact (gds)); compare the numbers
            df = df.drop(columns=[c for c in ("method",) if c in df.columns])
            results[s.engine] = _canon(df)
    if name == "activity":  # a UNION of entities and links: no order across the two parts
        assert sorted(results["embedded"], key=repr) == sorted(results["neo4j"], key=repr)
    else:
        assert results["embedded"] == results["neo4j"]


@pytest.mark.parametrize("name", ["brokers", "components", "kcore", "centrality"])
def test_gds_and_client_side_analytics_agree(request, name):
    uri = request.getfixturevalue("neo4j_env")
    params = {"top": 0} if name in ("brokers", "centrality") else {"min_core": 0} if name == "kcore" else {}
    with open_store(uri) as s:
        nodes, links = qf.build()
        s.write(nodes, links)
        if not querylib.has_gds(s):
            pytest.skip("this Neo4j has no Graph Data Science")
        gds = execute(name, s, **params).frame
        s._lg_has_gds = False  # force the client-side path on the same server
        client = execute(name, s, **params).frame
    assert set(gds["method"]) == {"exact (gds)"} and set(client["method"]) == {"exact"}
    assert len(gds) > 5
    # same rows in the same order; scores to 1e-9 (GDS and igraph sum in different orders)
    assert gds["id"].tolist() == client["id"].tolist()
    for col in gds.columns.drop(["method"]):
        if pd.api.types.is_float_dtype(gds[col]):
            assert (gds[col] - client[col]).abs().max() < 1e-9, col
        else:
            assert gds[col].tolist() == client[col].tolist(), col


def test_network_hops_and_filters(qstore):
    one = execute("network", qstore, id=IDS["chen"], hops=1).frame
    assert set(one["hops"]) == {0, 1}
    assert IDS["tran"] in set(one["id"]) and "Location:CN" in set(one["id"])
    people = execute("network", qstore, id=IDS["chen"], hops=1, node_types="Person").frame
    assert set(people["type"]) == {"Person"}
    # Chen's associations are graded C3 or D4: at or above B2 only his nationality (B2) remains
    graded = execute("network", qstore, id=IDS["chen"], hops=2, min_grade="B2").frame
    assert graded["id"].tolist() == [IDS["chen"], "Location:CN"]


def test_path_constraints(qstore):
    p = execute("path", qstore, from_id=IDS["joseph"], to_id=IDS["tran"]).frame
    assert p["hops"].min() == 2 and p["path"].iloc[0] == "Joseph Mwangi - Chen Jian - Tran Thi Mai"
    # at or above B2 the route through Chen (C3) is closed; the phone/seizure route remains
    graded = execute("path", qstore, from_id=IDS["joseph"], to_id=IDS["tran"], min_grade="B2").frame
    assert len(graded) and all(IDS["chen"] not in ids for ids in graded["node_ids"])
    windowed = execute(
        "path",
        qstore,
        from_id=IDS["joseph"],
        to_id=IDS["tran"],
        date_from="2023-03-01",
        date_to="2023-12-31",
        link_types="ASSOCIATE_OF",
    ).frame
    assert windowed.empty  # Joseph-Chen is dated 2023-02-01
    ordered = execute(
        "path", qstore, from_id=IDS["peter"], to_id=IDS["tran"], link_types="ASSOCIATE_OF", time_ordered=True
    ).frame
    for dates in ordered["link_dates"]:
        assert list(dates) == sorted(dates)


def test_time_ordered_path_falls_back_to_time_respecting_search(qstore):
    # Hung-Tran (2023-01-05) then Tran-Chen (2023-03-20) is ordered; the shortest Hung-Chen link is direct,
    # so ask from Tran to Joseph: shortest Tran-Chen-Joseph is 03-20 then 02-01 (not ordered)
    res = execute(
        "path", qstore, from_id=IDS["tran"], to_id=IDS["joseph"], link_types="ASSOCIATE_OF", time_ordered=True
    ).frame
    for dates in res["link_dates"]:
        assert list(dates) == sorted(dates)
    assert res.empty or res["method"].iloc[0] in ("shortest, time-ordered", "time-respecting search")


def test_brokers_and_brokerage(qstore):
    b = execute("brokers", qstore, top=3).frame
    assert list(b.columns[:3]) == ["name", "type", "score"] and len(b) == 3
    assert b["score"].is_monotonic_decreasing
    roles = execute("brokerage", qstore, top=0).frame.set_index("name")
    assert roles.loc["Chen Jian", "liaison"] > 0  # CN between KE and VN
    org = execute("brokerage", qstore, group="organisation", top=0).frame
    assert set(org.columns) >= {"coordinator", "itinerant", "gatekeeper", "representative", "liaison"}
    weak = execute("grade_brokers", qstore, top=0).frame.set_index("name")
    assert bool(weak.loc["Chen Jian", "weak_only"])  # Chen's links are all C3/D4


def test_identifiers_offenders_routes(qstore):
    shared = execute("shared_identifiers", qstore).frame
    assert {"C1234567", "+254712345678"} <= set(shared["identifier"])
    passport = execute("shared_identifiers", qstore, kinds="Identification").frame
    assert passport["holder_names"].map(sorted).tolist() == [["Li Wei", "Tran Thi Mai"]]
    rep = execute("repeat_offenders", qstore).frame
    assert rep["name"].tolist() == ["Hung Nguyen Van"] and rep["seizures"].iloc[0] == 2
    routes = execute("trade_routes", qstore, commodity="ivory").frame
    r = routes.iloc[0]
    assert (r["origin"], r["transit"], r["destination"], r["items"], r["quantity"]) == ("KE", "AE", "VN", 2, 800.0)


def test_to_subgraph_draws_what_was_found(qstore):
    sg = to_subgraph("network", qstore, id=IDS["chen"], hops=1)
    assert IDS["chen"] in set(sg.nodes["id"]) and len(sg.links) >= 5
    assert {"id", "type", "caption", "prov"} <= set(sg.nodes.columns)
    assert json.loads(sg.nodes["prov"].iloc[0])[0]["source"] == "fixture.xlsx"
    assert set(sg.links["type"]) >= {"ASSOCIATE_OF", "NATIONAL_OF"}
    path = to_subgraph("path", qstore, from_id=IDS["joseph"], to_id=IDS["tran"])
    assert path.path[0] == IDS["joseph"] and path.path[-1] == IDS["tran"]


def test_hostile_values_are_parameters(qstore):
    evil = "x' OR 1=1 //"
    assert execute("entity", qstore, text=evil).frame.empty
    found = execute("entity", qstore, text="<script>").frame
    assert found["caption"].tolist() == ["<script>alert(1)</script>"]


def test_unknown_entity_is_one_line_error(qstore):
    with pytest.raises(LinkgraphError, match="no entity with id"):
        execute("network", qstore, id="Person:nope")


# --- loader ---------------------------------------------------------------------------------------------------
def test_param_coercion_and_errors():
    q = load_query("network")
    p = q.coerce({"id": "x", "hops": "3", "link_types": "A,B", "min_grade": "b/2"})
    assert p["hops"] == 3 and p["link_types"] == ["A", "B"]
    assert p["min_grade"] == {"unset": False, "reliability": "B", "credibility": 2}
    with pytest.raises(LinkgraphError, match="whole number"):
        q.coerce({"id": "x", "hops": "two"})
    with pytest.raises(LinkgraphError, match="Admiralty"):
        q.coerce({"id": "x", "min_grade": "Z9"})
    with pytest.raises(LinkgraphError, match="required"):
        q.coerce({})
    with pytest.raises(LinkgraphError, match="unknown parameter"):
        q.coerce({"id": "x", "frontier": "y"})  # internal params are not the user's
    with pytest.raises(LinkgraphError, match="ISO date"):
        load_query("activity").coerce({"date_from": "05/06/2023"})


def test_declared_params_must_match_the_text(tmp_path):
    (tmp_path / "bad.cypher").write_text(
        "// name: bad\n// param: a STRING required\n// kind: table\nMATCH (n) WHERE n.id = $b RETURN n.id AS id\n"
    )
    with pytest.raises(LinkgraphError, match=r"\$b is used but not declared"):
        list_queries(extra_dirs=[tmp_path])
    (tmp_path / "bad.cypher").write_text(
        "// name: bad\n// param: a STRING required\n// param: c INT64 default 1\n"
        "// kind: table\nMATCH (n) WHERE n.id = $a RETURN n.id AS id\n"
    )
    with pytest.raises(LinkgraphError, match="c is declared but the Cypher never uses it"):
        list_queries(extra_dirs=[tmp_path])


def test_user_query_folder_and_dialect_choice(qstore, tmp_path, monkeypatch):
    (tmp_path / "mine.cypher").write_text(
        "// name: mine\n// title: mine\n// param: t STRING default Person\n// kind: table\n"
        "MATCH (n:Person) WHERE $t <> '' RETURN 'portable' AS which, count(n) AS n\n"
    )
    (tmp_path / "mine.embedded.cypher").write_text(
        "MATCH (n:Person) WHERE $t <> '' RETURN 'embedded' AS which, count(n) AS n\n"
    )
    monkeypatch.setenv("LINKGRAPH_QUERIES", str(tmp_path))
    assert "mine" in list_queries()["name"].tolist()
    df = querylib.query("mine", qstore)
    assert df["which"].iloc[0] == ("embedded" if qstore.engine == "embedded" else "portable")
    assert int(df["n"].iloc[0]) == 7


# --- command line ---------------------------------------------------------------------------------------------
def _cli(args):
    from typer.testing import CliRunner

    from linkgraph.cli import app

    return CliRunner().invoke(app, args)


def test_cli_query_shapes(store_target):
    with open_store(store_target) as s:
        nodes, links = qf.build()
        s.write(nodes, links)
    res = _cli(["query", "brokers", "--param", "top=3", "--format", "csv", "--db", store_target])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(__import__("io").StringIO(res.output))
    assert list(df.columns[:3]) == ["name", "type", "score"] and len(df) == 3
    assert df["score"].is_monotonic_decreasing
    assert _cli(["query", "run", "entity", "-p", "text=chen", "--db", store_target]).exit_code == 0
    listing = _cli(["query", "list", "--format", "csv"])
    assert listing.exit_code == 0 and "brokers" in listing.output


def test_cli_output_is_formula_safe(tmp_path):
    db = str(tmp_path / "db")
    with open_store(db) as s:
        nodes, links = qf.build()
        nodes["Person"].loc[0, ["caption", "name"]] = '=HYPERLINK("http://x")'
        s.write(nodes, links)
    res = _cli(["query", "entity", "-p", "text==HYPER", "--format", "csv", "--db", db])
    assert res.exit_code == 0, res.output
    assert "'=HYPERLINK" in res.output
    out = tmp_path / "r.xlsx"
    assert (
        _cli(["query", "entity", "-p", "text==HYPER", "--format", "xlsx", "--out", str(out), "--db", db]).exit_code == 0
    )
    cell = pd.read_excel(out)["caption"].iloc[0]
    assert cell.startswith("'=")


def _random_graph(seed: int = 11, people: int = 300, phones: int = 100, links: int = 900):
    """People and phones joined by graded, dated associations, phone ownership and calls: two entity tables and
    three link types, so that the engines' searches meet type, grade and date filters and parallel links."""
    import numpy as np

    from tests.fixture_graph import _obs

    rng = np.random.default_rng(seed)
    pid = [f"Person:r{i}" for i in range(people)]
    ph = [f"Phone:r{i}" for i in range(phones)]
    grades = ["A1", "B2", "C3", "D4"]

    def graded(i):
        return grades[i % 4]

    nodes = {
        "Person": pd.DataFrame([_obs(i, graded(i), id=p, caption=f"R{i}", name=f"R{i}") for i, p in enumerate(pid)]),
        "Phone": pd.DataFrame(
            [_obs(i, id=p, caption=f"+2547{i:08d}", number=f"+2547{i:08d}") for i, p in enumerate(ph)]
        ),
    }
    assoc, owns, calls = [], [], []
    for i in range(links):
        a, b = rng.integers(0, people, 2)
        if a != b:
            assoc.append(
                _obs(
                    i,
                    graded(int(rng.integers(0, 4))),
                    id=f"ASSOCIATE_OF:r{i}",
                    source=pid[a],
                    target=pid[b],
                    source_type="Person",
                    target_type="Person",
                    date=f"2023-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}",
                )
            )
    for i, p in enumerate(ph):
        owns.append(
            _obs(
                i,
                id=f"HAS_PHONE:r{i}",
                source=pid[int(rng.integers(0, people))],
                target=p,
                source_type="Person",
                target_type="Phone",
            )
        )
    for i in range(links // 3):
        a, b = rng.integers(0, phones, 2)
        if a != b:
            calls.append(
                _obs(
                    i,
                    graded(i),
                    id=f"CALLED:r{i}",
                    source=ph[a],
                    target=ph[b],
                    source_type="Phone",
                    target_type="Phone",
                    time=f"2023-{int(rng.integers(1, 13)):02d}-01T10:00",
                )
            )
    return nodes, {"ASSOCIATE_OF": pd.DataFrame(assoc), "HAS_PHONE": pd.DataFrame(owns), "CALLED": pd.DataFrame(calls)}


def test_engines_agree_on_searches_in_a_random_graph(tmp_path, request):
    """Network and path run different algorithms per engine (one-query BFS, server-side or two-ended shortest
    paths): on a random graph with every filter, both engines give the same rows and the same drawn links."""
    uri = request.getfixturevalue("neo4j_env")
    import numpy as np

    rng = np.random.default_rng(5)
    starts = [f"Person:r{i}" for i in rng.integers(0, 300, 6)] + ["Phone:r3"]
    ends = [f"Person:r{i}" for i in rng.integers(0, 300, 6)] + ["Person:r7"]
    cases = [
        ("network", {"id": s, "hops": h, **f})
        for s in starts[:4]
        for h, f in [
            (1, {}),
            (2, {"min_grade": "B2"}),
            (3, {"node_types": "Person"}),
            (3, {"link_types": "ASSOCIATE_OF,CALLED"}),
        ]
    ]
    cases += [("network", {"id": starts[0], "hops": 4, "limit": 40})]
    cases += [
        ("path", {"from_id": a, "to_id": b, **f})
        for a, b in zip(starts, ends)
        for f in [
            {},
            {"min_grade": "C3"},
            {"date_from": "2023-03", "date_to": "2023-10-15"},
            {"max_hops": 3},
            {"link_types": "ASSOCIATE_OF", "time_ordered": True},
        ]
    ]
    results = {}
    for target in (str(tmp_path / "db"), uri):
        with open_store(target) as s:
            nodes, links = _random_graph()
            s.write(nodes, links)
            out = []
            for name, params in cases:
                res = execute(name, s, **params)
                out.append((_canon(res.frame), sorted(res.node_ids), sorted(res.link_ids)))
            results[s.engine] = out
    for (name, params), e, n in zip(cases, results["embedded"], results["neo4j"]):
        assert e == n, f"{name} {params}"
    assert any(len(r[0]) > 1 for r, (name, _) in zip(results["embedded"], cases) if name == "path")
