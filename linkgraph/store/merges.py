"""Resolved entities in the projection: which records one node stands for.

Resolution decides that records (the Person and Organization rows of different sources) are one entity. The
graph then holds one node per entity: its id is its representative record's (the first imported, then the
smallest id, so an entity keeps its id as records join it), its values and summary columns are folded from
every record's statements in the ledger, and its links are its records' links. The records themselves stay
in the ledger (`Store.provenance`, `linkgraph db statements --item`); the node lists them in `records`.

The mapping is kept in the ledger's resolution snapshot, one row per resolved record, in entity order with
each entity's representative first: type, id, entity_id, into (the representative).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

COLUMNS = ["type", "id", "entity_id", "into"]


@dataclass
class Merges:
    """Record -> node of the resolution in force (records not in it are their own node)."""

    into: dict[str, str] = field(default_factory=dict)  # every record of a multi-record entity -> its representative
    members: dict[str, list[str]] = field(default_factory=dict)  # representative -> its records, itself first
    entity: dict[str, str] = field(default_factory=dict)  # every resolved record -> its entity id
    types: dict[str, str] = field(default_factory=dict)  # every resolved record -> its node type

    @classmethod
    def of(cls, mapping: pd.DataFrame | None) -> Merges:
        if mapping is None or not len(mapping):
            return cls()
        if "into" not in mapping.columns:  # a snapshot written before entities were nodes: first row of each
            mapping = mapping.assign(into=mapping.groupby("entity_id", sort=False)["id"].transform("first"))
        out = cls(
            entity=dict(zip(mapping["id"], mapping["entity_id"])), types=dict(zip(mapping["id"], mapping["type"]))
        )
        for rep, part in mapping.groupby("into", sort=False):
            ids = part["id"].tolist()
            if len(ids) > 1:
                ids = [rep] + [i for i in ids if i != rep]
                out.members[rep] = ids
                out.into.update(dict.fromkeys(ids, rep))
        return out

    def node(self, record: str) -> str:
        return self.into.get(record, record)

    def map_ids(self, s: pd.Series) -> pd.Series:
        """Record ids to the ids of the nodes that hold them."""
        if not self.into:
            return s
        return s.map(self.into).where(s.isin(self.into.keys()), s)

    def expand(self, ids) -> list[str]:
        """Node ids to the records they hold (a node that is no entity stands for itself)."""
        out: list[str] = []
        for i in ids:
            out.extend(self.members.get(i, [i]))
        return list(dict.fromkeys(out))

    def entities_of(self, records) -> set[str]:
        """The nodes that hold these records."""
        return {self.node(r) for r in records}


def mapping_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """A snapshot mapping from rows (type, id, entity_id) already in representative order (each entity's first
    row is its representative)."""
    if not len(rows):
        return pd.DataFrame(columns=COLUMNS)
    df = rows[["type", "id", "entity_id"]].reset_index(drop=True)
    df["into"] = df.groupby("entity_id", sort=False)["id"].transform("first")
    order = pd.Categorical(df["entity_id"], categories=list(dict.fromkeys(df["entity_id"])))
    return df.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o").reset_index(drop=True)


def without(mapping: pd.DataFrame, gone: set[str]) -> pd.DataFrame:
    """The mapping once the records `gone` no longer exist: their entities keep the others, in order, and the
    first left becomes the representative."""
    if mapping is None or not len(mapping):
        return pd.DataFrame(columns=COLUMNS)
    return mapping_frame(mapping[~mapping["id"].isin(gone)])
