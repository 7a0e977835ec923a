"""A selection's resolved entities opened into the records they hold: what each source said, apart.

The graph holds one node per resolved entity. Some readers need the records behind it: a package for another
agency carries records (the recipient resolves them again, and redaction must withhold a protected source's
record without touching what open sources said), and an analyst may want to see the five spellings behind one
node. `as_records` gives that view of a Subgraph from the ledger: each entity node becomes its records (their
own values and provenance, `entity_id` kept), each link goes back to the record whose source gave it, and the
SAME_AS links resolution derived join the records (merges and the review queue).
"""

from __future__ import annotations

import pandas as pd

from linkgraph.resolve.graph import resolution_links
from linkgraph.subgraph import Subgraph

__all__ = ["as_records"]


def _held(v) -> list[str]:
    if v is None or isinstance(v, (float, str)):
        return []
    return [str(x) for x in v]


def as_records(store, sub: Subgraph) -> Subgraph:
    """The Subgraph with every node that holds several records replaced by those records."""
    nodes = sub.nodes
    if "records" not in nodes.columns:
        return sub
    held = nodes["records"].map(_held)
    many = (held.map(len) > 1).to_numpy()
    if not many.any():
        return sub
    opened = []
    for t, part in nodes[many].groupby("type", sort=False):
        ids = [r for rs in held[part.index] for r in rs]
        recs = store.records(t, ids)
        eid = {r: e for rs, e in zip(held[part.index], part["entity_id"]) for r in rs}
        opened.append(recs.assign(type=t, entity_id=recs["id"].map(eid), records=None))
    node_of = {r: n for n, rs in zip(nodes.loc[many, "id"], held[many]) for r in rs}
    out_nodes = pd.concat([nodes[~many], *opened], ignore_index=True)
    links = sub.links[sub.links["type"] != "SAME_AS"]
    at = links["source"].isin(node_of.values()) | links["target"].isin(node_of.values())
    if at.any():
        ends = pd.concat(
            [store.link_ends(t, part["id"].tolist()) for t, part in links[at].groupby("type", sort=False)],
            ignore_index=True,
        )
        src, tgt = dict(zip(ends["id"], ends["source"])), dict(zip(ends["id"], ends["target"]))
        links = links.assign(
            source=links["source"].where(~at, links["id"].map(src)),
            target=links["target"].where(~at, links["id"].map(tgt)),
        )
    shown = set(out_nodes["id"])
    same = resolution_links(store)
    if len(same):
        same = same[same["source"].isin(shown) & same["target"].isin(shown)].assign(type="SAME_AS")
        same = same.drop(columns=[c for c in ("source_type", "target_type") if c in same.columns])
    parts = [x for x in (links, same) if len(x)]
    out_links = pd.concat(parts, ignore_index=True) if parts else links
    return Subgraph(
        nodes=out_nodes,
        links=out_links,
        title=sub.title,
        path=[p for r in sub.path for p in ([r] if r in shown else [])],
        marks={k: v for k, v in sub.marks.items() if k in shown},
        mark_info=sub.mark_info,
        analysis=sub.analysis,
    )
