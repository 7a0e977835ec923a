"""Running one query's Cypher on a store: what a runner gets (Context) and what a query returns (QueryResult)."""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.querylib.library import Query, cypher_params, load_query


@dataclass
class QueryResult:
    """What a query produced: a table, plus the node and link ids (and a path) for drawing it."""

    frame: pd.DataFrame
    node_ids: list[str] = field(default_factory=list)
    link_ids: list[str] = field(default_factory=list)
    path: list[str] = field(default_factory=list)


class Context:
    """What a runner gets: the store, the query, coerced params; runs the query's (or a helper's) Cypher."""

    def __init__(self, store, q: Query, params: dict, raw: dict, extra_dirs=None):
        self.store, self.q, self.params, self.raw, self.extra_dirs = store, q, params, raw, extra_dirs
        self._gds = None

    @property
    def gds(self) -> bool:
        """True when the store is Neo4j with Graph Data Science (probed once per store)."""
        if self._gds is None:
            self._gds = has_gds(self.store)
        return self._gds

    def run(self, params: dict | None = None, gds: bool = False) -> pd.DataFrame:
        return run_text(self.store, self.q, self.q.text(self.store.dialect, gds), params or self.params)

    def helper(self, name: str, params: dict) -> pd.DataFrame:
        hq = load_query(name, self.extra_dirs)
        return run_text(self.store, hq, hq.text(self.store.dialect), params)


def has_gds(store) -> bool:
    """`CALL gds.version()` once per store object; False on the embedded engine."""
    if store.engine != "neo4j":
        return False
    cached = getattr(store, "_lg_has_gds", None)
    if cached is None:
        try:
            store.query("CALL gds.version() YIELD gdsVersion RETURN gdsVersion")
            cached = True
        except LinkgraphError:
            cached = False
        store._lg_has_gds = cached
    return cached


def run_text(store, q: Query, text: str, params: dict) -> pd.DataFrame:
    used = cypher_params(text)
    df = store.query(text, {k: v for k, v in params.items() if k in used})
    return _normalise(df)


def _normalise(df: pd.DataFrame) -> pd.DataFrame:
    """Engine-neutral cells: arrays as lists, NaN as None, whole floats in count columns left to the caller."""
    if not len(df):
        return df.reset_index(drop=True)
    out = df.copy()
    for col in out.columns:
        s = out[col]
        if s.dtype == object:
            out[col] = [list(v) if hasattr(v, "tolist") and not isinstance(v, str) else v for v in s]
    return out.reset_index(drop=True)
