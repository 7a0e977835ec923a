"""The Neo4j test server itself: reachable, the right version, APOC and GDS callable, writes visible.

Standalone: pytest -p tests.neo4j_fixture tests/test_neo4j_server.py
"""

from __future__ import annotations

import os

import pytest

from tests import neo4j_server as server_mod
from tests.neo4j_fixture import Neo4jInfo, clear_database

LOCAL = not os.environ.get("NEO4J_URI")  # the server started by tests/neo4j_server.py


def test_return_1(neo4j_server: Neo4jInfo):
    with neo4j_server.driver() as driver:
        driver.verify_connectivity()
        records, _, _ = driver.execute_query("RETURN 1 AS one", database_=neo4j_server.database)
    assert records[0]["one"] == 1


def test_version_is_5_26(neo4j_server: Neo4jInfo):
    with neo4j_server.driver() as driver:
        records, _, _ = driver.execute_query(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition",
            database_=neo4j_server.database,
        )
    kernel = {r["name"]: r for r in records}["Neo4j Kernel"]
    version = kernel["versions"][0]
    if LOCAL:
        assert version == server_mod.NEO4J_VERSION
        assert kernel["edition"] == "community"
    else:
        assert version.startswith("5.26."), version


def test_wrong_password_is_rejected(neo4j_server: Neo4jInfo):
    from neo4j.exceptions import AuthError

    if not LOCAL:
        pytest.skip("only checked on the local server, whose auth settings are known")
    bad = Neo4jInfo(neo4j_server.uri, neo4j_server.user, "not-the-password", neo4j_server.database)
    with bad.driver() as driver, pytest.raises(AuthError):
        driver.verify_connectivity()


def test_apoc_is_callable(neo4j_server: Neo4jInfo):
    with neo4j_server.driver() as driver:
        if not LOCAL and not server_mod.has_apoc(driver, neo4j_server.database):
            pytest.skip("external server without APOC")
        assert server_mod.has_apoc(driver, neo4j_server.database)
        records, _, _ = driver.execute_query(
            "RETURN apoc.version() AS version, apoc.coll.sum([1, 2, 3]) AS total",
            database_=neo4j_server.database,
        )
    assert records[0]["total"] == 6
    if LOCAL:
        assert records[0]["version"] == server_mod.APOC_VERSION


def test_gds_is_callable(neo4j_clean: Neo4jInfo):
    info = neo4j_clean
    with info.driver() as driver:
        if not LOCAL and not server_mod.has_gds(driver, info.database):
            pytest.skip("external server without GDS")
        assert server_mod.has_gds(driver, info.database)
        records, _, _ = driver.execute_query("CALL gds.version() YIELD gdsVersion", database_=info.database)
        if LOCAL:
            assert records[0]["gdsVersion"] == server_mod.GDS_VERSION
        driver.execute_query(
            "CREATE (a:Gt {k: 'a'})-[:GL]->(b:Gt {k: 'b'})-[:GL]->(c:Gt {k: 'c'}), (a)-[:GL]->(c)",
            database_=info.database,
        )
        name = "linkgraph_test_gds"
        try:
            driver.execute_query("CALL gds.graph.project($name, 'Gt', 'GL')", name=name, database_=info.database)
            records, _, _ = driver.execute_query(
                "CALL gds.pageRank.stream($name) YIELD nodeId, score "
                "RETURN gds.util.asNode(nodeId).k AS k, score ORDER BY score DESC",
                name=name,
                database_=info.database,
            )
        finally:
            driver.execute_query(
                "CALL gds.graph.drop($name, false) YIELD graphName RETURN graphName",
                name=name,
                database_=info.database,
            )
    assert [r["k"] for r in records][0] == "c"  # the sink of a-b-c with a shortcut ranks highest


def test_execute_write_is_visible(neo4j_clean: Neo4jInfo):
    info = neo4j_clean

    def create(tx, n):
        tx.run("UNWIND range(1, $n) AS i CREATE (:Probe {i: i})", n=n).consume()

    def count(tx):
        return tx.run("MATCH (p:Probe) RETURN count(p) AS c").single()["c"]

    with info.driver() as driver:
        with driver.session(database=info.database) as session:
            session.execute_write(create, 5)
        with driver.session(database=info.database) as session:  # a new session sees the commit
            assert session.execute_read(count) == 5


def test_neo4j_clean_empties_the_database(neo4j_clean: Neo4jInfo):
    info = neo4j_clean
    with info.driver() as driver:
        driver.execute_query("UNWIND range(1, 25) AS i CREATE (:Junk {i: i})-[:R]->(:Junk)", database_=info.database)
        clear_database(info, batch=7)  # several batches
        records, _, _ = driver.execute_query("MATCH (n) RETURN count(n) AS nodes", database_=info.database)
    assert records[0]["nodes"] == 0
