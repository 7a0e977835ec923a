"""Pytest fixtures for a real Neo4j server.

``neo4j_server`` (session): if ``NEO4J_URI`` is set, the server it names
(``NEO4J_USERNAME`` default 'neo4j', ``NEO4J_PASSWORD``, ``NEO4J_DATABASE`` default
'neo4j'); otherwise a local Neo4j 5.26 Community with APOC and GDS, started once per
session by tests/neo4j_server.py and stopped at the end. It never skips: if the
server cannot start, every test using it errors with the one-line reason.

``neo4j_clean`` (function): the same info, after deleting every node and
relationship (indexes, constraints and GDS in-memory graphs are left alone).

Use from tests/conftest.py:  from tests.neo4j_fixture import Neo4jInfo, neo4j_server, neo4j_clean
or on the command line:      pytest -p tests.neo4j_fixture ...
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

try:
    from . import neo4j_server as _server_mod
except ImportError:  # loaded as a top-level module (tests/ on sys.path)
    import neo4j_server as _server_mod  # type: ignore[no-redef]

__all__ = ["Neo4jInfo", "neo4j_server", "neo4j_clean", "clear_database"]


@dataclass(frozen=True)
class Neo4jInfo:
    uri: str
    user: str
    password: str | None
    database: str = "neo4j"

    @property
    def auth(self) -> tuple[str, str] | None:
        return (self.user, self.password) if self.password is not None else None

    def driver(self, **kwargs):
        """A new neo4j driver for this server; close it (or use it as a context manager)."""
        from neo4j import GraphDatabase

        return GraphDatabase.driver(self.uri, auth=self.auth, **kwargs)


def clear_database(info: Neo4jInfo, batch: int = 10_000) -> None:
    """Delete every node and relationship, in bounded transactions. Drops nothing else."""
    with info.driver() as driver:
        while True:
            records, _, _ = driver.execute_query(
                "MATCH (n) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted",
                batch=batch,
                database_=info.database,
            )
            if records[0]["deleted"] < batch:
                break


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Neo4jInfo]:
    uri = os.environ.get("NEO4J_URI")
    if uri:
        yield Neo4jInfo(
            uri=uri,
            user=os.environ.get("NEO4J_USERNAME", "neo4j"),
            password=os.environ.get("NEO4J_PASSWORD"),
            database=os.environ.get("NEO4J_DATABASE") or "neo4j",
        )
        return
    # C1-only JIT: about half the start-up CPU; test queries are too small to miss C2.
    quick_jit = os.environ.get("LINKGRAPH_NEO4J_QUICK_JIT", "1") != "0"
    try:
        server = _server_mod.start(tmp_path_factory.mktemp("neo4j"), quick_jit=quick_jit)
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    try:
        yield Neo4jInfo(server.uri, server.user, server.password, server.database)
    finally:
        server.stop()


@pytest.fixture
def neo4j_clean(neo4j_server: Neo4jInfo) -> Neo4jInfo:
    clear_database(neo4j_server)
    return neo4j_server
