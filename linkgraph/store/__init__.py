"""Open a store: a Neo4j URI means the Neo4j engine, anything else an embedded folder."""

from __future__ import annotations

import os

from linkgraph.errors import LinkgraphError
from linkgraph.store.base import Store, WriteStats

DEFAULT_DB = "./linkgraph-db"
NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")

__all__ = ["DEFAULT_DB", "Store", "WriteStats", "open_store", "resolve_target"]


def resolve_target(db: str | None = None) -> str:
    """The store named by `db`, else LINKGRAPH_DB, else ./linkgraph-db."""
    return db or os.environ.get("LINKGRAPH_DB") or DEFAULT_DB


def open_store(db: str | None = None, *, create: bool = True, read_only: bool = False) -> Store:
    """Open (and by default create) the store named by `db` (see resolve_target)."""
    target = resolve_target(db)
    if "://" in target:
        if not target.lower().startswith(NEO4J_SCHEMES):
            raise LinkgraphError(
                f"unsupported store URI {target!r}: use neo4j://, neo4j+s:// or bolt://, "
                "or a folder path for the embedded store"
            )
        from linkgraph.store.neo4j import Neo4jStore

        return Neo4jStore(target, create=create)
    from linkgraph.store.embedded import EmbeddedStore

    return EmbeddedStore(target, create=create, read_only=read_only)
