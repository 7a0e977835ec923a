"""The store interface shared by both engines, and the write logic they have in common."""
from __future__ import annotations

import abc
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd

from linkgraph import provenance
from linkgraph.errors import LinkgraphError
from linkgraph.schema import Schema, load_schema

LINK_ENDS = ["source", "target", "source_type", "target_type"]


@dataclass
class WriteStats:
    """What one write changed, by type."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, type_name: str, n: int) -> None:
        if n:
            bucket = self.created if kind == "created" else self.updated
            bucket[type_name] = bucket.get(type_name, 0) + n

    @property
    def changed(self) -> int:
        return sum(self.created.values()) + sum(self.updated.values())


class Store(abc.ABC):
    """A graph store. Reads return DataFrames; writes are idempotent on identity and all-or-nothing.

    Writers pass one row per observation: `id`, the type's properties, and the provenance columns of
    linkgraph.provenance.OBS_COLUMNS; links add `source`, `target`, `source_type`, `target_type`.
    """

    engine: str = ""
    dialect: str = ""  # which sibling .cypher file applies: "neo4j" or "embedded"

    def __init__(self, location: str, schema: Schema | None = None):
        self.location = location
        self.schema = schema or load_schema()

    # --- engine primitives -------------------------------------------------------------------------------
    @abc.abstractmethod
    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        """Run a read query; the result as a DataFrame."""

    @abc.abstractmethod
    def execute(self, cypher: str, params: dict | None = None) -> None:
        """Run one write statement in its own transaction."""

    @abc.abstractmethod
    @contextmanager
    def transaction(self):
        """A unit of writes that commits whole or not at all."""

    def atomic(self, fn):
        """Run fn() so that its writes commit whole or not at all; returns what fn returns."""
        with self.transaction():
            return fn()

    def query_write(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        """A write statement whose result is wanted."""
        return self.query(cypher, params)

    def atomic_batches(self, batch_ids, fn):
        """Run fn(), whose writes all belong to the new import batches `batch_ids`, all or nothing.

        Here one transaction. An engine whose transactions cannot hold a large import (Neo4j keeps a
        transaction's state in the server's heap) commits in slices instead and, if fn fails, removes
        what those batches wrote: the same end state, reached by compensation.
        """
        return self.atomic(fn)

    def remove_batch(self, batch_id: str) -> dict:
        """Delete what only `batch_id` contributed; strip its provenance records from items others share.

        Links first, then nodes. Runs inside the open transaction if there is one, else slice by slice.
        Values a batch filled into an item that another batch also saw stay: values are not kept per batch,
        the provenance records are.
        """
        out = {"deleted_links": 0, "deleted_nodes": 0, "updated_links": 0, "updated_nodes": 0}
        summary_cols = provenance.SUMMARY_COLUMNS
        for kind, names, pattern in (("links", list(self.schema.links), "()-[x:{t}]->()"),
                                     ("nodes", list(self.schema.entities), "(x:{t})")):
            for t in names:
                pat = pattern.format(t=t)
                df = self.query(f"MATCH {pat} WHERE $b IN x.batches RETURN x.id AS id, x.prov AS prov, "
                                "x.batches AS batches", {"b": batch_id})
                if not len(df):
                    continue
                batches = df["batches"].map(lambda v: [] if v is None else list(v))
                only = df.loc[batches.map(lambda b: b == [batch_id]), "id"].tolist()
                shared = df[batches.map(lambda b: b != [batch_id])]
                delete = "DELETE x" if kind == "links" else "DETACH DELETE x"
                for i in range(0, len(only), 5000):
                    self.execute(f"MATCH {pat} WHERE x.id IN $ids {delete}", {"ids": only[i:i + 5000]})
                rows = []
                for r in shared.itertuples():
                    recs = provenance.merge_records(
                        [x for x in provenance.loads(r.prov) if x.get("batch") != batch_id])
                    rows.append({"id": r.id, "prov": provenance.dumps(recs), **provenance.summarise(recs)})
                sets = ", ".join(f"x.{c} = r.{c}" for c in ["prov", *summary_cols])
                for i in range(0, len(rows), 5000):
                    self.execute(f"UNWIND $rows AS r MATCH {pat} WHERE x.id = r.id SET {sets}",
                                 {"rows": rows[i:i + 5000]})
                out[f"deleted_{kind}"] += len(only)
                out[f"updated_{kind}"] += len(shared)
        return out

    @abc.abstractmethod
    def init_schema(self) -> None:
        """Create tables, constraints and indexes from the schema (idempotent)."""

    @abc.abstractmethod
    def server_version(self) -> str: ...

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def _fetch_nodes(self, type_name: str, ids: list[str]) -> pd.DataFrame: ...

    @abc.abstractmethod
    def _fetch_links(self, type_name: str, ids: list[str]) -> pd.DataFrame: ...

    @abc.abstractmethod
    def _create_nodes(self, type_name: str, rows: pd.DataFrame) -> None: ...

    @abc.abstractmethod
    def _update_nodes(self, type_name: str, rows: pd.DataFrame) -> None: ...

    @abc.abstractmethod
    def _create_links(self, type_name: str, rows: pd.DataFrame) -> None: ...

    @abc.abstractmethod
    def _update_links(self, type_name: str, rows: pd.DataFrame) -> None: ...

    @abc.abstractmethod
    def wipe(self) -> None:
        """Delete every node and link (the schema stays)."""

    # --- shared ------------------------------------------------------------------------------------------
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def counts(self) -> pd.DataFrame:
        """Nodes and links by type: columns kind, type, count."""
        rows = []
        for name in self.schema.entities:
            n = self.query(f"MATCH (n:{name}) RETURN count(n) AS c")["c"].iloc[0]
            rows.append(("entity", name, int(n)))
        for name in self.schema.links:
            n = self.query(f"MATCH ()-[r:{name}]->() RETURN count(r) AS c")["c"].iloc[0]
            rows.append(("link", name, int(n)))
        return pd.DataFrame(rows, columns=["kind", "type", "count"])

    def info(self) -> dict:
        counts = self.counts()
        return {
            "engine": self.engine, "location": self.location, "version": self.server_version(),
            "nodes": int(counts.loc[counts.kind == "entity", "count"].sum()),
            "links": int(counts.loc[counts.kind == "link", "count"].sum()),
            "counts": counts,
        }

    def write(self, nodes: dict[str, pd.DataFrame] | None = None,
              links: dict[str, pd.DataFrame] | None = None) -> WriteStats:
        """Upsert observations of nodes, then links, in one transaction. Re-writing the same rows changes nothing."""
        def unit():
            stats = WriteStats()  # made anew on each try, since a managed transaction may be retried
            for type_name, df in (nodes or {}).items():
                self._upsert_nodes(type_name, df, stats)
            for type_name, df in (links or {}).items():
                self._upsert_links(type_name, df, stats)
            return stats

        return self.atomic(unit)

    def _upsert_nodes(self, type_name: str, df: pd.DataFrame, stats: WriteStats) -> None:
        columns = self.schema.node_columns(type_name)
        value_cols = [c for c in columns if c not in ("id", "prov", *provenance.SUMMARY_COLUMNS)]
        self._check_columns(f"entity {type_name}", df, value_cols, set())
        df = _with_columns(df, value_cols)
        lists = {c for c, t in columns.items() if t.endswith("[]") and c != "batches"}
        folded = provenance.fold_observations(df, value_cols, lists)
        new, changed = self._split_existing(folded, self._fetch_nodes(type_name, folded["id"].tolist()),
                                            value_cols, lists)
        self._create_nodes(type_name, _ordered(new, columns))
        self._update_nodes(type_name, _ordered(changed, columns))
        stats.add("created", type_name, len(new))
        stats.add("updated", type_name, len(changed))

    def _upsert_links(self, type_name: str, df: pd.DataFrame, stats: WriteStats) -> None:
        lt = self.schema.link(type_name)
        columns = self.schema.link_columns(type_name)
        value_cols = [c for c in columns if c not in ("id", "prov", *provenance.SUMMARY_COLUMNS)]
        self._check_columns(f"link {type_name}", df, value_cols, set(LINK_ENDS))
        for end, allowed in (("source_type", lt.sources), ("target_type", lt.targets)):
            bad = set(df[end].unique()) - set(allowed)
            if bad:
                raise LinkgraphError(f"link {type_name}: {end} {sorted(bad)} not allowed by the schema "
                                     f"(allowed: {', '.join(allowed)})")
        df = _with_columns(df, value_cols)
        folded = provenance.fold_observations(df, [*value_cols, *LINK_ENDS], set())
        new, changed = self._split_existing(folded, self._fetch_links(type_name, folded["id"].tolist()),
                                            value_cols, set())
        order = {**columns, **{c: "STRING" for c in LINK_ENDS}}
        self._create_links(type_name, _ordered(new, order))
        self._update_links(type_name, _ordered(changed, order))
        stats.add("created", type_name, len(new))
        stats.add("updated", type_name, len(changed))

    @staticmethod
    def _split_existing(folded: pd.DataFrame, existing: pd.DataFrame, value_cols: list[str],
                        lists: set[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
        if existing.empty:
            return folded, folded.iloc[0:0]
        is_old = folded["id"].isin(set(existing["id"]))
        old = folded[is_old]
        # Fast path for re-imports: same provenance text and nothing to fill means nothing changes.
        ex = existing.drop_duplicates("id").set_index("id").reindex(old["id"])
        quiet = ex["prov"].to_numpy() == old["prov"].to_numpy()
        for col in value_cols:
            if col in ex.columns and col in old.columns:
                fills = old[col].notna().to_numpy() & ex[col].isna().to_numpy()
                quiet &= ~fills if col not in lists else ~old[col].notna().to_numpy()
        by_id = {r["id"]: r for r in existing.to_dict("records")}
        changed = []
        for row in old[~quiet].to_dict("records"):
            merged = provenance.merge_existing(by_id[row["id"]], row, value_cols, lists)
            if merged is not None:
                changed.append(merged)
        return folded[~is_old], pd.DataFrame(changed, columns=folded.columns)

    def _check_columns(self, what: str, df: pd.DataFrame, value_cols: list[str], required: set[str]) -> None:
        allowed = {"id", *value_cols, *provenance.OBS_COLUMNS, *required}
        unknown = [c for c in df.columns if c not in allowed]
        if unknown:
            raise LinkgraphError(f"{what}: properties {unknown} are not in the schema")
        missing = [c for c in ["id", *sorted(required)] if c not in df.columns]
        if missing:
            raise LinkgraphError(f"{what}: missing columns {missing}")
        if df["id"].isna().any():
            raise LinkgraphError(f"{what}: a row has no id")


def _with_columns(df: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        df = df.assign(**{c: None for c in missing})
    return df


def _ordered(df: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """Columns in table order, with object dtypes the engines accept (Python None for missing)."""
    out = {}
    n = len(df)
    for col, typ in columns.items():
        s = df[col] if col in df.columns else pd.Series([None] * n, index=df.index, dtype=object)
        if typ == "DOUBLE":
            out[col] = pd.to_numeric(s, errors="coerce").astype("float64")
        elif typ == "INT64":
            out[col] = pd.Series([None if provenance._clean(v) is None else int(v) for v in s],
                                 index=df.index, dtype=object)
        elif typ == "BOOLEAN":
            out[col] = pd.Series([None if provenance._clean(v) is None else bool(v) for v in s],
                                 index=df.index, dtype=object)
        elif typ.endswith("[]"):
            out[col] = pd.Series([list(v) if isinstance(v, (list, tuple)) else None for v in s],
                                 index=df.index, dtype=object)
        else:
            out[col] = s.astype(object).where(s.notna(), None)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)
