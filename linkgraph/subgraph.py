"""A selection of the graph (nodes and links as DataFrames): what charts, exports and packages are made from."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

NODE_BASE = ("id", "type", "caption")
LINK_BASE = ("id", "type", "source", "target")


@dataclass
class Subgraph:
    """Nodes and links of a selection.

    nodes: one row per node, columns `id`, `type`, `caption`, then any properties (including the provenance
    columns `prov` — a JSON list of provenance records — `reliability`, `credibility`, `handling`, ...).
    links: one row per link, columns `id`, `type`, `source`, `target` (node ids), then any properties.
    path: node ids of a highlighted path, in order, when the selection was a path query.
    marks: node id -> {query, rank, text}, the entities an analytic query marked (linkgraph.marks).
    mark_info: what was marked: {query, title, rows, marked, added, missing} (empty when nothing was).
    analysis: what a chart's colours and sizes show when they were computed on the store (linkgraph.selection
    .analyse): {"community": {"by": text, "values": {node id: community number or None}}, "size": {"by": text,
    "values": {node id: normalised betweenness}}}; empty when the chart is to compute them on the drawn subgraph.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    title: str = "linkgraph chart"
    path: list[str] = field(default_factory=list)
    marks: dict[str, dict] = field(default_factory=dict)
    mark_info: dict = field(default_factory=dict)
    analysis: dict = field(default_factory=dict)

    def __post_init__(self):
        for col in NODE_BASE:
            if col not in self.nodes.columns:
                self.nodes[col] = pd.Series(dtype="object")
        for col in LINK_BASE:
            if col not in self.links.columns:
                self.links[col] = pd.Series(dtype="object")
        self.nodes = self.nodes.drop_duplicates("id").reset_index(drop=True)
        self.links = self.links.drop_duplicates("id").reset_index(drop=True)
        known = set(self.nodes["id"])
        dangling = ~(self.links["source"].isin(known) & self.links["target"].isin(known))
        if dangling.any():
            self.links = self.links[~dangling].reset_index(drop=True)

    def __len__(self) -> int:
        return len(self.nodes)

    @staticmethod
    def provenance(value) -> list[dict]:
        """The provenance records of one row's `prov` cell."""
        if value is None or (isinstance(value, float) and pd.isna(value)) or value == "":
            return []
        if isinstance(value, list):
            return value
        return json.loads(value)
