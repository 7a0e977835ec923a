"""Helpers shared by the tests."""

from __future__ import annotations


def items(store, cypher: str, params: dict | None = None, kind: str | None = None):
    """store.query, with each row's `prov` (its provenance records as JSON text) filled from the ledger: the
    graph keeps none on observed items. `kind` is "node" or "link"; by default a query whose `x`, `r` or `l`
    is a relationship (`[x:`) is about links."""
    if kind is None:
        kind = "link" if any(f"[{v}:" in cypher for v in ("x", "r", "l")) else "node"
    return store.fill_provenance(store.query(cypher, params or {}), kind)
