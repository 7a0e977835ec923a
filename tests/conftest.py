"""Shared fixtures: every store test runs on both engines, the embedded one in a temp folder and a real Neo4j."""

from __future__ import annotations

import os

import pytest

from linkgraph.store import open_store
from tests.neo4j_fixture import Neo4jInfo, neo4j_clean, neo4j_server  # noqa: F401  (pytest fixtures)

ENGINES = ["embedded", "neo4j"]


@pytest.fixture
def neo4j_env(neo4j_clean: Neo4jInfo, monkeypatch):  # noqa: F811 - pytest injects the imported fixture by this parameter name
    """The environment a user sets to point linkgraph at the test server; yields its URI."""
    monkeypatch.setenv("NEO4J_USERNAME", neo4j_clean.user)
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_clean.password or "")
    if neo4j_clean.database:
        monkeypatch.setenv("NEO4J_DATABASE", neo4j_clean.database)
    return neo4j_clean.uri


@pytest.fixture(params=ENGINES)
def store_target(request, tmp_path):
    """A `--db` value naming an empty store of each engine."""
    if request.param == "embedded":
        return str(tmp_path / "db")
    return request.getfixturevalue("neo4j_env")


@pytest.fixture
def store(store_target):
    """An open, empty store of each engine."""
    s = open_store(store_target)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture
def fixture_store(store):
    """A store holding tests/fixture_graph.py."""
    from tests import fixture_graph

    nodes, links = fixture_graph.build()
    store.write(nodes, links)
    return store


def pytest_report_header(config):
    uri = os.environ.get("NEO4J_URI")
    return f"neo4j: {'external ' + uri if uri else 'local Neo4j Community started by tests/neo4j_server.py'}"


@pytest.fixture(scope="session")
def agency_keys(tmp_path_factory):
    """A signing key for this agency that it also trusts, in $LINKGRAPH_HOME (inherited by CLI subprocesses),
    so packages exported in a test are signed and import as from a trusted partner."""
    from linkgraph.sharing import signing

    home = tmp_path_factory.mktemp("linkgraph-home")
    key = signing.init_agency("KWS", home)
    signing.trust(home / signing.PUBLIC, home)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LINKGRAPH_HOME", str(home))
        yield key
