"""The store interface shared by both engines, and the write logic they have in common."""

from __future__ import annotations

import abc
from contextlib import contextmanager
from dataclasses import dataclass, field

import pandas as pd
import pyarrow as pa

from linkgraph import provenance
from linkgraph.errors import LinkgraphError
from linkgraph.schema import Schema, load_schema
from linkgraph.store import ledger, merges

LINK_ENDS = ["source", "target", "source_type", "target_type"]
# items per transaction when deferred updates are flushed, and how many summary rows may wait in memory
FLUSH_SLICE = 50_000
DEFER_MAX = 200_000


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

    def in_transaction(self) -> bool:
        """True while an outer unit (atomic or transaction) is open: writes join it."""
        return False

    def atomic_batches(self, batch_ids, fn):
        """Run fn(), whose writes all belong to the new import batches `batch_ids`, so they land whole or not at all.

        A transaction keeps what it has not committed in memory (LadybugDB in its buffer pool, Neo4j in the
        server's heap), so one transaction for a large file needs memory in proportion to the file. Instead
        each write commits its new items on its own and the batches are marked `importing` first; items that
        were already stored are updated once, by `flush`, rather than once per chunk (a country or a phone seen
        on every chunk of a large file would otherwise have its growing provenance rewritten on each: quadratic
        in the file's length). If fn fails, what they wrote is removed again (compensation), and a batch that
        a crash left `importing` is removed by `recover_batches` (the embedded store runs it whenever it is opened for writing; an import of the
        same file runs it on either engine). Inside an open transaction, that transaction decides instead.
        """
        if self.in_transaction():
            return fn()
        previous = self._mark_importing(batch_ids)
        try:
            with self._sliced_writes():
                return fn()
        except BaseException:
            self._abort_batches(previous)
            raise

    @contextmanager
    def _sliced_writes(self):
        """Writes inside commit their new items at once and defer updates of stored ones to `flush`, which
        runs when the block ends without an error (see atomic_batches)."""
        self._sliced = True
        self._deferred, self._id_cache, self._early = {}, {}, WriteStats()
        try:
            yield
            self.flush()
        finally:
            self._sliced = False  # compensation, if any, writes directly
            self._deferred, self._id_cache = {}, {}

    def _mark_importing(self, batch_ids) -> dict[str, str | None]:
        """Mark batches `importing` (committed before any of their writes); their previous status, per id."""
        ids = list(batch_ids)
        prev = {b: None for b in ids}
        if ids:
            df = self.query("MATCH (b:LgBatch) WHERE b.id IN $ids RETURN b.id AS id, b.status AS status", {"ids": ids})
            prev.update(dict(zip(df["id"], df["status"])) if len(df) else {})
            self.execute("UNWIND $ids AS i MERGE (b:LgBatch {id: i}) SET b.status = 'importing'", {"ids": ids})
        return prev

    def _abort_batches(self, previous: dict[str, str | None]) -> None:
        """Remove what the batches wrote; restore each marker to what it was (or delete a new one)."""
        for b, status in previous.items():
            self.remove_batch(b)
            if status is None or status == "importing":
                self.execute("MATCH (b:LgBatch {id: $id}) DELETE b", {"id": b})
            else:
                self.execute("MATCH (b:LgBatch {id: $id}) SET b.status = $s", {"id": b, "s": status})

    def recover_batches(self, batch_ids=None) -> list[str]:
        """Remove the writes of batches left `importing` by an import that died (all, or those in batch_ids).

        Only safe when no import of those batches is running; the embedded store holds an exclusive lock
        while open for writing, so there it is always safe.
        """
        df = self.query("MATCH (b:LgBatch) WHERE b.status = 'importing' RETURN b.id AS id")
        stale = [b for b in (df["id"].tolist() if len(df) else []) if batch_ids is None or b in batch_ids]
        if stale:
            self._abort_batches({b: None for b in stale})
        return stale

    def flush(self) -> WriteStats:
        """Write the updates that writes under atomic_batches deferred; what they changed, by type.

        Import code calls it at the end of each batch (so the batch's summary counts them); atomic_batches
        calls it again when fn returns. In slices of FLUSH_SLICE items, each committed on its own.
        """
        stats, self._early = getattr(self, "_early", None) or WriteStats(), WriteStats()
        pending, self._deferred = getattr(self, "_deferred", None) or {}, {}
        for (kind, type_name), (value_cols, lists, frames) in pending.items():
            folded = provenance.fold_summary(pd.concat(frames, ignore_index=True), value_cols, lists)
            for i in range(0, len(folded), FLUSH_SLICE):
                part = folded.iloc[i : i + FLUSH_SLICE]

                def unit(part=part):
                    existing = self._fetch_items(kind, type_name, part["id"].tolist())
                    _, changed = self._split_existing(part, existing, value_cols, lists)
                    self._update(kind, type_name, changed)
                    return len(changed)

                stats.add("updated", type_name, self.atomic(unit))
        return stats

    def _update(self, kind: str, type_name: str, rows: pd.DataFrame) -> None:
        if kind == "nodes":
            self._update_nodes(type_name, _ordered(rows, self.schema.node_columns(type_name)))
        else:
            self._update_links(type_name, _ordered(rows, self._storage("link", type_name)))

    def _defer(self, kind: str, type_name: str, old: pd.DataFrame, value_cols: list[str], lists: set[str]) -> None:
        """Keep the summary rows of already-stored items for flush, which folds them with each other once."""
        self._deferred.setdefault((kind, type_name), (value_cols, lists, []))[2].append(old)

    def _flush_if_full(self) -> None:
        """Between writes: if many updates wait, write them now (memory stays bounded); the final flush
        reports them with the rest."""
        pending = getattr(self, "_deferred", None) or {}
        if not self.in_transaction() and sum(len(f) for v in pending.values() for f in v[2]) > DEFER_MAX:
            self._early = self.flush()

    def _existing_ids(self, kind: str, type_name: str, ids: list[str]) -> set[str]:
        """Which of these ids are stored. Engines override this with a query that returns ids only."""
        df = self._fetch_items(kind, type_name, ids)
        return set(df["id"]) if len(df) else set()

    def _fetch_items(self, kind: str, type_name: str, ids: list[str]) -> pd.DataFrame:
        return (self._fetch_nodes if kind == "nodes" else self._fetch_links)(type_name, ids)

    def _write_new_defer_old(
        self, kind: str, type_name: str, folded: pd.DataFrame, value_cols: list[str], lists: set[str], stats: WriteStats
    ) -> pd.DataFrame:
        """Under atomic_batches: the rows of new items, to create now; stored items' rows go to _defer."""
        have = self._existing_ids(kind, type_name, folded["id"].tolist())
        is_old = folded["id"].isin(have)
        if is_old.any():
            self._defer(kind, type_name, folded[is_old], value_cols, lists)
        new = folded[~is_old]
        stats.add("created", type_name, len(new))
        return new

    def remove_batch(self, batch_id: str) -> dict:
        """Delete what only `batch_id` contributed, and make the items it shares with other batches again from
        those batches' statements in the ledger, so they are what they would be had the batch never been
        imported (values it filled in go too). Items whose other batches the ledger does not hold (written
        before it existed) lose the batch's provenance records and keep their values.

        Links first, then nodes. Runs inside the open transaction if there is one, else slice by slice.
        """
        out = {"deleted_links": 0, "deleted_nodes": 0, "updated_links": 0, "updated_nodes": 0}
        kept = self.ledger.resolution()
        before = merges.Merges.of(kept[0] if kept else None)
        apart = self._explode(batch_id, kept, before)
        for kind, names, pattern in (
            ("links", list(self.schema.links), "()-[x:{t}]->()"),
            ("nodes", list(self.schema.entities), "(x:{t})"),
        ):
            for t in names:
                pat = pattern.format(t=t)
                df = self.query(
                    f"MATCH {pat} WHERE $b IN x.batches RETURN x.id AS id, x.prov AS prov, x.batches AS batches",
                    {"b": batch_id},
                )
                if not len(df):
                    continue
                batches = df["batches"].map(lambda v: [] if v is None else list(v))
                only = df.loc[batches.map(lambda b: b == [batch_id]), "id"].tolist()
                shared = df[batches.map(lambda b: b != [batch_id])]
                delete = "DELETE x" if kind == "links" else "DETACH DELETE x"
                for i in range(0, len(only), 5000):
                    self.execute(f"MATCH {pat} WHERE x.id IN $ids {delete}", {"ids": only[i : i + 5000]})
                others = {b for bs in batches[shared.index] for b in bs if b != batch_id}
                held = {b for b in others if self.ledger.holds(b)}
                fits = batches[shared.index].map(lambda bs: all(b in held for b in bs if b != batch_id))
                rest = shared[fits.to_numpy(bool)]
                self._reproject(kind, t, pat, rest["id"].tolist(), batch_id, sorted(held))
                self._strip(pat, shared[~shared["id"].isin(set(rest["id"]))], batch_id)
                out[f"deleted_{kind}"] += len(only)
                out[f"updated_{kind}"] += len(shared)
        if kept is not None:
            self._after_removal(kept, apart, batch_id)
        self.ledger.remove(batch_id)
        return out

    def _explode(self, batch_id: str, kept, before: merges.Merges) -> merges.Merges:
        """Before a batch goes: the entities it touched back to one node per record (the batch's own records
        then go like any other item); the resolution in force for the others."""
        if not before.members:
            return before
        reps = []
        for t, et in self.schema.entities.items():
            if et.resolvable:
                df = self.query(f"MATCH (x:{t}) WHERE $b IN x.batches RETURN x.id AS id", {"b": batch_id})
                reps += [i for i in (df["id"] if len(df) else []) if i in before.members]
        if not reps:
            return before
        records = before.expand(reps)
        apart = merges.Merges.of(kept[0][~kept[0]["id"].isin(set(records))])
        self._reproject_records(records, before, apart)
        return apart

    def _after_removal(self, kept, apart: merges.Merges, batch_id: str) -> None:
        """After a batch went: its records out of the resolution, the entities made again of those left."""
        mapping, same_as = kept
        alone = [i for i in mapping["id"] if i not in apart.into]  # records that are nodes of their own now
        present: set[str] = set()
        for t in set(mapping["type"]):
            for i in range(0, len(alone), 5000):
                df = self.query(f"MATCH (n:{t}) WHERE n.id IN $ids RETURN n.id AS id", {"ids": alone[i : i + 5000]})
                present |= set(df["id"]) if len(df) else set()
        gone = set(alone) - present
        if len(same_as):
            same_as = same_as[~(same_as["source"].isin(gone) | same_as["target"].isin(gone))]
        self._resolve_to(merges.without(mapping, gone), same_as, apart, without=batch_id, every=True)

    def _reproject(self, kind: str, t: str, pat: str, ids: list[str], without: str, batches: list[str]) -> None:
        """Fold these items again from the ledger's statements of every batch but `without`; every column set,
        cleared where no remaining statement gives it."""
        if not ids:
            return
        lk = "node" if kind == "nodes" else "link"
        # only the parts of the batches these items have
        frames = self.ledger.observations(self._storage, batches=batches, items=ids, without=without)
        df = frames[0 if lk == "node" else 1].get(t)
        if df is None:
            return
        columns = self.schema.node_columns(t) if lk == "node" else self.schema.link_columns(t)
        value_cols = [c for c in columns if c not in ("id", "prov", *provenance.SUMMARY_COLUMNS)]
        lists = {c for c, ty in columns.items() if ty.endswith("[]") and c != "batches"}
        df = _with_columns(df, value_cols)
        cols = value_cols if lk == "node" else [*value_cols, *LINK_ENDS]
        rows = _ordered(provenance.fold_summary(provenance.summary_rows(df), cols, lists), columns)
        (self._update_nodes if lk == "node" else self._update_links)(t, rows)
        for c in columns:
            if c == "id":
                continue
            empty = rows.loc[rows[c].isna(), "id"].tolist() if not columns[c].endswith("[]") else []
            if c in lists:
                empty = rows.loc[rows[c].map(lambda v: not v), "id"].tolist()
            for i in range(0, len(empty), 5000):
                self.execute(f"MATCH {pat} WHERE x.id IN $ids SET x.{c} = NULL", {"ids": empty[i : i + 5000]})

    def _strip(self, pat: str, shared: pd.DataFrame, batch_id: str) -> None:
        """The batch's provenance records out of items the ledger cannot make again; their values stay."""
        rows = []
        for r in shared.itertuples():
            recs = provenance.merge_records([x for x in provenance.loads(r.prov) if x.get("batch") != batch_id])
            rows.append({"id": r.id, "prov": provenance.dumps(recs), **provenance.summarise(recs)})
        sets = ", ".join(f"x.{c} = r.{c}" for c in ["prov", *provenance.SUMMARY_COLUMNS])
        for i in range(0, len(rows), 5000):
            self.execute(f"UNWIND $rows AS r MATCH {pat} WHERE x.id = r.id SET {sets}", {"rows": rows[i : i + 5000]})

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
        """Delete every node and link, the bookkeeping and the ledger (the schema stays)."""

    @abc.abstractmethod
    def clear_projection(self) -> None:
        """Delete the domain nodes and links only: what `rebuild` makes again from the ledger."""

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
            "engine": self.engine,
            "location": self.location,
            "version": self.server_version(),
            "nodes": int(counts.loc[counts.kind == "entity", "count"].sum()),
            "links": int(counts.loc[counts.kind == "link", "count"].sum()),
            "counts": counts,
        }

    def write(
        self, nodes: dict[str, pd.DataFrame] | None = None, links: dict[str, pd.DataFrame] | None = None
    ) -> WriteStats:
        """Record observations of nodes and links in the ledger and project them into the graph, all or
        nothing. Re-writing the same rows changes nothing in the graph."""
        parts = self._statements(nodes, links)
        nodes, links = self._mapped(nodes, links, self.merges())  # the ledger keeps records; the graph, entities
        if getattr(self, "_sliced", False) and not self.in_transaction():
            # under atomic_batches each write commits on its own; a failed import removes the batch's parts
            for batch, table in parts:
                self.atomic(lambda b=batch, t=table: self.ledger.append(b, t))
            return self._project(nodes, links)

        def unit():
            for batch, table in parts:
                self.ledger.append(batch, table)
            return self._project(nodes, links)

        out = self.atomic(unit)
        self._flush_if_full()
        return out

    def _statements(self, nodes, links) -> list:
        """The ledger parts of one write: (batch, statements), one per batch the rows belong to."""
        by_batch: dict = {}
        for kind, frames in (("node", nodes or {}), ("link", links or {})):
            for type_name, df in frames.items():
                if df is None or not len(df):
                    continue
                cols = self._storage(kind, type_name)
                groups = df.groupby("_batch", sort=False, dropna=False) if "_batch" in df.columns else [(None, df)]
                for b, part in groups:
                    b = None if b is None or (isinstance(b, float) and pd.isna(b)) else str(b)
                    by_batch.setdefault(b, []).append(ledger.statements(kind, type_name, part, cols))
        return [(b, pa.concat_tables(ts)) for b, ts in by_batch.items()]

    def _storage(self, kind: str, type_name: str) -> dict[str, str]:
        if kind == "node":
            return self.schema.node_columns(type_name)
        return {**self.schema.link_columns(type_name), **{c: "STRING" for c in LINK_ENDS}}

    def _project(self, nodes=None, links=None) -> WriteStats:
        """Fold observations into the graph (nodes, then links) in one transaction; the ledger is untouched."""

        def unit():
            stats = WriteStats()  # made anew on each try, since a managed transaction may be retried
            for type_name, df in (nodes or {}).items():
                self._upsert_nodes(type_name, df, stats)
            for type_name, df in (links or {}).items():
                self._upsert_links(type_name, df, stats)
            return stats

        out = self.atomic(unit)
        self._flush_if_full()
        return out

    def provenance(self, kind: str, ids, batches=None, records: bool = False) -> dict[str, str]:
        """id -> its provenance records (JSON text, one record per batch, source, sheet and grading, rows as
        ranges), folded from the ledger's statements. `kind`: "node" or "link"; `batches`, if known, the
        batches the items carry (only their parts are read). A node that is a resolved entity has the records
        of all its records, unless `records` asks for the ids as records of their own."""
        ids = [i for i in dict.fromkeys(ids) if i is not None]
        if not ids:
            return {}
        m = self.merges() if kind == "node" and not records else merges.Merges()
        asked = {i for i in ids if i in m.members}
        nodes, links = self.ledger.observations(self._storage, batches=batches, items=m.expand(ids))
        out: dict[str, str] = {}
        for df in (nodes if kind == "node" else links).values():
            if asked:
                df = df.assign(id=df["id"].map(lambda i: m.node(i) if m.node(i) in asked else i))
            folded = provenance.fold_observations(df, [], set())
            out.update(zip(folded["id"], folded["prov"]))
        return out

    def records(self, type_name: str, ids) -> pd.DataFrame:
        """The records `ids` of a type as their own sources gave them, folded from the ledger: one row each
        with the type's values, summary columns and `prov` (what an entity node holds, record by record)."""
        ids = [i for i in dict.fromkeys(ids) if i is not None]
        columns = self.schema.node_columns(type_name)
        value_cols = [c for c in columns if c not in ("id", "prov", *provenance.SUMMARY_COLUMNS)]
        frames = self.ledger.observations(self._storage, items=ids)[0] if ids else {}
        df = frames.get(type_name)
        if df is None or not len(df):
            return pd.DataFrame(columns=list(columns))
        lists = {c for c, ty in columns.items() if ty.endswith("[]") and c != "batches"}
        out = provenance.fold_summary(provenance.summary_rows(_with_columns(df, value_cols)), value_cols, lists)
        out["prov"] = out["id"].map(self.provenance("node", ids, records=True))
        return out.reset_index(drop=True)

    def link_ends(self, type_name: str, ids) -> pd.DataFrame:
        """The links `ids` of a type with the records they were observed between (id, source, target): an
        entity's links join its records, which only the ledger still tells apart."""
        ids = [i for i in dict.fromkeys(ids) if i is not None]
        df = self.ledger.observations(self._storage, items=ids)[1].get(type_name) if ids else None
        if df is None or not len(df):
            return pd.DataFrame(columns=["id", "source", "target"])
        return df.drop_duplicates("id")[["id", "source", "target"]].reset_index(drop=True)

    # --- resolved entities -------------------------------------------------------------------------------
    def merges(self) -> merges.Merges:
        """The resolution in force: which records each entity node holds (see linkgraph.store.merges)."""
        kept = self.ledger.resolution()
        return merges.Merges.of(kept[0] if kept else None)

    def _mapped(self, nodes, links, m: merges.Merges):
        """Observation frames with record ids replaced by the ids of the entity nodes that hold them."""
        if not m.into:
            return nodes, links
        res = {t for t, et in self.schema.entities.items() if et.resolvable}
        nodes = {
            t: (df.assign(id=m.map_ids(df["id"])) if t in res and df is not None else df)
            for t, df in (nodes or {}).items()
        }
        out = {}
        for t, df in (links or {}).items():
            if df is not None and len(df):
                df = df.assign(source=m.map_ids(df["source"]), target=m.map_ids(df["target"]))
            out[t] = df
        return nodes, out

    def resolve_to(self, mapping: pd.DataFrame, same_as: pd.DataFrame) -> None:
        """Put a resolution in force and keep it in the ledger: `mapping` (type, id, entity_id: every resolved
        record, each entity's representative first) and `same_as` (the links resolution derived, between
        records). The nodes of the records whose entity changed are made again from the ledger; the others
        are not touched. Joins the open transaction."""
        self.atomic(lambda: self._resolve_to(merges.mapping_frame(mapping), same_as, self.merges()))

    def _resolve_to(self, mapping, same_as, old: merges.Merges, without=None, every=False) -> None:
        new = merges.Merges.of(mapping)
        moved = {r for r in set(old.into) | set(new.into) if old.node(r) != new.node(r)}
        done = self._reproject_records(moved, old, new, without=without)
        self._set_entities(
            mapping,
            new,
            None if every else done | {new.node(r) for r, e in new.entity.items() if old.entity.get(r) != e},
        )
        self._review_links(same_as, new)
        self.ledger.put_resolution(
            mapping,
            same_as if len(same_as) else pd.DataFrame(columns=[*self.schema.link_columns("SAME_AS"), *LINK_ENDS]),
        )

    def _reproject_records(self, records, old: merges.Merges, new: merges.Merges, without=None) -> set[str]:
        """Make again, from the ledger, the nodes holding these records (and every record sharing a node with
        them, before or after) and their links, as `new` groups them. Returns the ids of the nodes made."""
        todo = set(records)
        while True:  # close over shared nodes, old and new
            more = set(old.expand(old.entities_of(todo))) | set(new.expand(new.entities_of(todo)))
            if more <= todo:
                break
            todo |= more
        if not todo:
            return set()
        nodes_before = sorted(old.entities_of(todo) | todo)
        link_ids: list[str] = []
        for t in self.schema.links:
            if t == "SAME_AS":  # derived by resolution, not observed: _review_links makes them
                continue
            for i in range(0, len(nodes_before), 5000):
                df = self.query(
                    f"MATCH (a)-[x:{t}]->(b) WHERE a.id IN $ids OR b.id IN $ids RETURN DISTINCT x.id AS id",
                    {"ids": nodes_before[i : i + 5000]},
                )
                link_ids += df["id"].tolist() if len(df) else []
        types = {t for t, et in self.schema.entities.items() if et.resolvable}
        for t in types:
            for i in range(0, len(nodes_before), 5000):
                self.execute(f"MATCH (n:{t}) WHERE n.id IN $ids DETACH DELETE n", {"ids": nodes_before[i : i + 5000]})
        nodes, links = self.ledger.observations(self._storage, items=[*sorted(todo), *link_ids], without=without)
        nodes = {t: df for t, df in nodes.items() if t in types}
        nodes, links = self._mapped(nodes, links, new)
        self._project(nodes, links)
        return {new.node(r) for r in todo}

    def _set_entities(self, mapping: pd.DataFrame, m: merges.Merges, only: set[str] | None) -> None:
        """entity_id and records (the ids of an entity's records, when more than one) on the entity nodes."""
        if not len(mapping):
            return
        reps = mapping.drop_duplicates("into")
        for t, part in reps.groupby("type", sort=False):
            rows = [
                {"id": r, "e": e, "recs": m.members.get(r)}
                for r, e in zip(part["into"], part["entity_id"])
                if only is None or r in only
            ]
            # apart: a list parameter whose every element is null would be typed as text by LadybugDB
            for many in (True, False):
                sel = [r for r in rows if (r["recs"] is not None) == many]
                recs = "r.recs" if many else "NULL"
                for i in range(0, len(sel), 5000):
                    self.execute(
                        f"UNWIND $rows AS r MATCH (n:{t}) WHERE n.id = r.id SET n.entity_id = r.e, n.records = {recs}",
                        {"rows": sel[i : i + 5000]},
                    )

    def _review_links(self, same_as: pd.DataFrame, m: merges.Merges) -> None:
        """The SAME_AS links of the review queue between the entity nodes (merges are the nodes themselves)."""
        self.execute("MATCH ()-[r:SAME_AS]->() DELETE r")
        if not len(same_as):
            return
        review = same_as[same_as["decision"] == "review"]
        review = review.assign(source=m.map_ids(review["source"]), target=m.map_ids(review["target"]))
        review = review[review["source"] != review["target"]]
        if len(review):
            self._create_links("SAME_AS", _ordered(review, self._storage("link", "SAME_AS")))

    def fill_provenance(self, df: pd.DataFrame, kind: str) -> pd.DataFrame:
        """Rows of items (an `id` column) with `prov` filled from the ledger where the graph holds none."""
        if not len(df) or "id" not in df.columns:
            return df
        df = df.copy()
        if "prov" not in df.columns:
            df["prov"] = None
        need = df["prov"].isna().to_numpy()
        if not need.any():
            return df
        hint = None
        if "batches" in df.columns:  # the parts of the items' batches are all that need reading
            carried = [list(v) if isinstance(v, (list, tuple)) else [] for v in df.loc[need, "batches"]]
            hint = None if any(not v for v in carried) else sorted({b for v in carried for b in v})
        found = self.provenance(kind, df.loc[need, "id"].tolist(), batches=hint)
        df.loc[need, "prov"] = df.loc[need, "id"].map(found).astype(object)
        df["prov"] = df["prov"].astype(object).where(df["prov"].notna(), None)
        return df

    def rebuild(self, progress=None) -> dict:
        """Make the graph again from the ledger alone: every part replayed in the order written, batch by
        batch as its import wrote it, then the latest resolution applied. The bookkeeping (batches, audit,
        decisions) stays. `progress(done, total)` is called after each part. Returns counts."""
        self.clear_projection()
        total = self.ledger.count_parts()
        done, current = 0, object()
        m = self.merges()
        with self._sliced_writes():
            for batch, _, table in self.ledger.parts():
                if batch != current and done:
                    self.flush()  # as each import did at the end of its batch
                current = batch
                nodes, links = ledger.observations(table, self._storage)
                self._project(*self._mapped(nodes, links, m))
                done += 1
                if progress:
                    progress(done, total)
        out = {"parts": done, "resolution": self._apply_resolution()}
        counts = self.counts()
        out["nodes"] = int(counts.loc[counts.kind == "entity", "count"].sum())
        out["links"] = int(counts.loc[counts.kind == "link", "count"].sum())
        return out

    def _apply_resolution(self) -> int:
        kept = self.ledger.resolution()
        if kept is None:
            return 0
        mapping, same_as = kept
        m = merges.Merges.of(mapping)
        self._set_entities(merges.mapping_frame(mapping) if "into" not in mapping.columns else mapping, m, None)
        self._review_links(same_as, m)
        return len(mapping)

    def _upsert_nodes(self, type_name: str, df: pd.DataFrame, stats: WriteStats) -> None:
        columns = self.schema.node_columns(type_name)
        value_cols = [c for c in columns if c not in ("id", "prov", *provenance.SUMMARY_COLUMNS)]
        self._check_columns(f"entity {type_name}", df, value_cols, set())
        lists = {c for c, t in columns.items() if t.endswith("[]") and c != "batches"}
        self._upsert("nodes", type_name, df, value_cols, lists, columns, stats)

    def _upsert_links(self, type_name: str, df: pd.DataFrame, stats: WriteStats) -> None:
        lt = self.schema.link(type_name)
        columns = self.schema.link_columns(type_name)
        value_cols = [c for c in columns if c not in ("id", "prov", *provenance.SUMMARY_COLUMNS)]
        self._check_columns(f"link {type_name}", df, value_cols, set(LINK_ENDS))
        for end, allowed in (("source_type", lt.sources), ("target_type", lt.targets)):
            bad = set(df[end].unique()) - set(allowed)
            if bad:
                raise LinkgraphError(
                    f"link {type_name}: {end} {sorted(bad)} not allowed by the schema (allowed: {', '.join(allowed)})"
                )
        order = {**columns, **{c: "STRING" for c in LINK_ENDS}}
        self._upsert("links", type_name, df, [*value_cols, *LINK_ENDS], set(), order, stats)

    def _upsert(self, kind, type_name, df, value_cols, lists, order, stats: WriteStats) -> None:
        """Fold observations into one summary row per item; create the new items, merge the stored ones (under
        atomic_batches: later, once per batch, in flush)."""
        folded = provenance.fold_summary(provenance.summary_rows(_with_columns(df, value_cols)), value_cols, lists)
        if getattr(self, "_sliced", False):
            new = self._write_new_defer_old(kind, type_name, folded, value_cols, lists, stats)
            (self._create_nodes if kind == "nodes" else self._create_links)(type_name, _ordered(new, order))
            return
        new, changed = self._split_existing(
            folded, self._fetch_items(kind, type_name, folded["id"].tolist()), value_cols, lists
        )
        (self._create_nodes if kind == "nodes" else self._create_links)(type_name, _ordered(new, order))
        self._update(kind, type_name, changed)
        stats.add("created", type_name, len(new))
        stats.add("updated", type_name, len(changed))

    @staticmethod
    def _split_existing(
        folded: pd.DataFrame, existing: pd.DataFrame, value_cols: list[str], lists: set[str]
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(rows of new items, merged rows of stored items that change). Stored values win; incoming values
        only fill what is missing, so re-running an import changes nothing and a later source cannot silently
        overwrite an earlier one (the ledger keeps both)."""
        if existing.empty:
            return folded, folded.iloc[0:0]
        is_old = folded["id"].isin(set(existing["id"]))
        old = folded[is_old]
        if not len(old):
            return folded, folded.iloc[0:0]
        ex = existing.drop_duplicates("id")
        ex = ex[ex["id"].isin(set(old["id"]))]
        both = pd.concat([ex.reindex(columns=folded.columns), old], ignore_index=True)
        merged = provenance.fold_summary(both, [c for c in value_cols if c in folded.columns], lists)
        stored = [c for c in value_cols if c not in LINK_ENDS]  # a link's ends are its identity, not values
        changed = provenance.changed_rows(merged, ex, [*stored, *provenance.SUMMARY_COLUMNS])
        return folded[~is_old], merged[changed.to_numpy(bool)].reset_index(drop=True)

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
            out[col] = pd.Series(
                [None if provenance._clean(v) is None else int(v) for v in s], index=df.index, dtype=object
            )
        elif typ == "BOOLEAN":
            out[col] = pd.Series(
                [None if provenance._clean(v) is None else bool(v) for v in s], index=df.index, dtype=object
            )
        elif typ.endswith("[]"):
            out[col] = pd.Series(
                [list(v) if isinstance(v, (list, tuple)) else None for v in s], index=df.index, dtype=object
            )
        else:
            out[col] = s.astype(object).where(s.notna(), None)
    return pd.DataFrame(out, index=df.index).reset_index(drop=True)
