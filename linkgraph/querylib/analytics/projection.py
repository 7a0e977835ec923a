"""A query's projection as a python-igraph graph, and the table steps every analytic shares.

The projected links are read client-side into python-igraph as a simple undirected graph (parallel links and
direction dropped, as social network analysis of an intelligence chart does). Records merged by resolution count
as one node: each end is collapsed to its entity's representative record (resolution's SAME_AS clusters).
"""

from __future__ import annotations

import igraph as ig
import numpy as np
import pandas as pd

from linkgraph import grading
from linkgraph.querylib.runners import node_table
from linkgraph.resolve.graph import entity_map

SEED = 42


class Projection:
    """A simple undirected igraph Graph over the projected links; `ids[i]` is vertex i's entity id."""

    def __init__(self, edges: pd.DataFrame, directed: bool = False):
        if len(edges):
            # the engines return rows in different orders: sort, so vertex numbering (and with it any seeded
            # algorithm such as Leiden) is the same on both
            edges = edges.sort_values(["source", "target"], kind="stable")
            codes, uniques = pd.factorize(pd.concat([edges["source"], edges["target"]], ignore_index=True))
            m = len(edges)
            pairs = np.column_stack([codes[:m], codes[m:]])
        else:
            uniques, pairs = np.array([], dtype=object), np.zeros((0, 2), dtype=int)
        self.ids = list(uniques)
        self.index = {v: i for i, v in enumerate(self.ids)}
        self.graph = ig.Graph(n=len(self.ids), edges=pairs.tolist(), directed=directed)
        self.graph.simplify(multiple=True, loops=True)

    @property
    def n(self) -> int:
        return self.graph.vcount()


def _entities(ctx) -> dict[str, str]:
    """record id -> its resolved entity's representative record (resolution's SAME_AS clusters), once per run."""
    if not hasattr(ctx, "_entity_map"):
        ctx._entity_map = entity_map(ctx.store)
    return ctx._entity_map


def _collapse(ctx, df: pd.DataFrame) -> pd.DataFrame:
    """Records of one resolved entity count as one node: ends mapped to the representative, self-loops gone."""
    m = _entities(ctx)
    if not m or not len(df):
        return df
    df = df.assign(source=df["source"].map(lambda x: m.get(x, x)), target=df["target"].map(lambda x: m.get(x, x)))
    return df[df["source"] != df["target"]].reset_index(drop=True)


def _edges(ctx, graded_only: bool = False) -> pd.DataFrame:
    df = _collapse(ctx, ctx.run())
    cols = ["source", "target", "link_type", "link_id", "reliability", "credibility"]
    if not len(df):
        return pd.DataFrame(columns=cols)
    if graded_only:
        df = df[_meets(df, ctx.raw.get("min_grade") or "")]
    return df.reset_index(drop=True)


def _pairs(ctx) -> pd.DataFrame:
    """source, target of the projected links, from either form a projection query may return: one row per link, or
    one record of integer lists (`sources`, `targets` as keys into `node_keys`, whose entity ids are `node_ids`)."""
    df = ctx.run()
    if "node_keys" not in df.columns:
        return _collapse(ctx, df[["source", "target"]]) if len(df) else pd.DataFrame(columns=["source", "target"])
    if not len(df):
        return pd.DataFrame(columns=["source", "target"])
    rec = df.iloc[0]
    keys = np.asarray(rec["node_keys"], dtype=np.int64)
    ids = np.asarray(rec["node_ids"], dtype=object)
    order = np.argsort(keys, kind="stable")
    keys, ids = keys[order], ids[order]

    def ends(col):
        return ids[np.searchsorted(keys, np.asarray(rec[col], dtype=np.int64))]

    return _collapse(ctx, pd.DataFrame({"source": ends("sources"), "target": ends("targets")}))


def _meets(df: pd.DataFrame, grade: str) -> pd.Series:
    if not grade:
        return pd.Series(True, index=df.index)
    minimum = grading.parse(grade)
    return pd.Series(
        [grading.meets(r, c, minimum) for r, c in zip(df["reliability"], df["credibility"])], index=df.index
    )


def _label(ctx, frame: pd.DataFrame, id_col: str = "id", prefix: str = "") -> pd.DataFrame:
    """Add name and type columns from the store for the ids in frame[id_col]."""
    info = node_table(ctx, frame[id_col].tolist())
    names = dict(zip(info["id"], info["caption"]))
    types = dict(zip(info["id"], info["type"]))
    frame[f"{prefix}name"] = [names.get(i) if names.get(i) is not None else i for i in frame[id_col]]
    frame[f"{prefix}type"] = frame[id_col].map(types)
    return frame


def _only_types(ctx, frame: pd.DataFrame) -> pd.DataFrame:
    types = ctx.params.get("types") or []
    return frame[frame["type"].isin(types)].reset_index(drop=True) if types else frame


def _top(frame: pd.DataFrame, top: int) -> pd.DataFrame:
    return frame.head(top).reset_index(drop=True) if top and top > 0 else frame.reset_index(drop=True)


def _ranked(frame: pd.DataFrame, score: str = "score") -> pd.DataFrame:
    # on the score to 12 places: GDS and igraph sum shortest paths in different orders, so scores equal in exact
    # arithmetic differ in the last bits; equal scores then rank by name on either path
    key = frame[score].astype(float).round(12)
    frame = frame.assign(_key=key).sort_values(["_key", "name", "id"], ascending=[False, True, True], kind="stable")
    frame = frame.drop(columns="_key").reset_index(drop=True)
    frame.insert(frame.columns.get_loc(score) + 1, "rank", range(1, len(frame) + 1))
    return frame
