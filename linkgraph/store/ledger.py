"""The ledger: every observation written to a store, kept as append-only statements.

A statement says that one source, on one row, said one thing about one item: item id, kind and type, the
property and its (normalised) value, and the provenance of the row that said it (batch, source file and its
sha256, sheet, row, observed and imported dates, grading, handling, source type, agency). It is the model of
followthemoney's statements, with two differences: the provenance of a row travels with each of its
statements rather than in a separate dataset table, and statements of one row share an observation number,
so what one row said can be read back whole.

The graph is derived from the ledger: `linkgraph db rebuild` makes it again from the statements alone, and
undoing a batch removes its statements. Storage was chosen by measurement (benchmarks/bench_ledger_storage.py,
BENCHMARKS.md): Parquet parts, columnar and compressed, one part per write and batch. The embedded store keeps
them as files in its folder; Neo4j keeps them on the server, as byte-array properties of `LgLedgerPart`
nodes, so a team that shares the server shares the ledger and no one's laptop holds the only copy.

Parts are named by a time-ordered id, so reading them in name order replays the writes in the order they
were made. Inside a transaction the parts a write adds, and the batches an undo removes, take effect only
when the transaction commits.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from linkgraph.provenance import OBS_COLUMNS

# provenance columns of a statement, named as in a provenance record; `row` and `credibility` are numbers
PROV = {c: ("row" if k == "rows" else k) for c, k in OBS_COLUMNS.items()}
_INT_PROV = {"row", "credibility"}
# Columns with few distinct values in a part (a batch's source, grade, agency; the property names) are
# dictionary-encoded: each statement holds an index, so giving every statement its row's provenance is a take
# of integers, and Parquet stores each distinct value once.
_DICT = pa.dictionary(pa.int32(), pa.string())
SCHEMA = pa.schema(
    [
        ("kind", _DICT),  # node or link
        ("type", _DICT),
        ("item", _DICT),  # the frame's ids, each once, with the statements' indexes into them
        ("obs", pa.int64()),  # statements of one observation (one row's view of one item) share it
        ("prop", _DICT),  # "" for an observation that gave no value
        ("value", pa.string()),  # the normalised value as text; its type is the property's in the schema
        *[(k, pa.int64() if k in _INT_PROV else _DICT) for k in PROV.values()],
    ]
)
LINK_ENDS = ["source", "target", "source_type", "target_type"]
RESOLUTION = "_resolution"  # the stream of resolution snapshots (record -> entity, SAME_AS links)


def part_id() -> str:
    """A new part's name: sorts by time of writing, unique across processes."""
    return f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"


# --- observations <-> statements ---------------------------------------------------------------------------
def _text(s: pd.Series, storage: str) -> pd.Series:
    """Values of one property as statement text (non-null values only)."""
    if storage == "DOUBLE":
        return pd.to_numeric(s, errors="coerce").astype("float64").map(repr)
    if storage == "INT64":
        return pd.to_numeric(s, errors="coerce").astype("int64").astype(str)
    if storage == "BOOLEAN":
        return s.map(lambda v: "true" if bool(v) else "false")
    if storage.endswith("[]"):
        return s.map(lambda v: json.dumps(list(v), ensure_ascii=False))
    return s.astype(str)


def _value(s: pd.Series, storage: str) -> pd.Series:
    """Statement text back to the property's values."""
    if storage == "DOUBLE":
        return pd.Series(
            [None if v is None else float(v) for v in s], index=s.index, dtype=object
        )  # object, as writers give it: NaN would read as a value
    if storage == "INT64":
        return pd.Series([None if v is None else int(v) for v in s], index=s.index, dtype=object)
    if storage == "BOOLEAN":
        return pd.Series([None if v is None else v == "true" for v in s], index=s.index, dtype=object)
    if storage.endswith("[]"):
        return pd.Series([None if v is None else json.loads(v) for v in s], index=s.index, dtype=object)
    return s


def _present(s: pd.Series, storage: str) -> np.ndarray:
    if storage.endswith("[]"):
        return s.map(lambda v: isinstance(v, (list, tuple, np.ndarray)) and len(v) > 0).to_numpy(bool)
    return s.notna().to_numpy(bool)


def _plain(a) -> pa.Array:
    return a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a


def _strings(s: pd.Series) -> pa.Array:
    try:
        return pa.array(s, pa.string(), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError):  # not all text: a date or a number in a text column
        return pa.array(s.where(s.notna(), None).map(lambda v: v if v is None else str(v)), pa.string())


def statements(kind: str, type_name: str, df: pd.DataFrame, columns: dict[str, str]) -> pa.Table:
    """One observation frame (as written to Store.write) as statements. `columns`: property -> storage type.

    Column-wise: each property's present values are taken at once, and each statement gets its row's id and
    provenance as an index into the frame's, so no Python runs per observation except for list values."""
    df = df.reset_index(drop=True)
    n = len(df)
    values = [c for c in df.columns if c != "id" and c not in OBS_COLUMNS]
    obs_idx, codes, texts = [], [], []
    covered = np.zeros(n, bool)
    for j, c in enumerate(values):
        storage = columns.get(c, "STRING")
        mask = _present(df[c], storage)
        if not mask.any():
            continue
        covered |= mask
        idx = np.flatnonzero(mask)
        obs_idx.append(idx)
        codes.append(np.full(len(idx), j, np.int32))
        texts.append(_plain(pa.array(_text(df[c].iloc[idx], storage), pa.string(), from_pandas=True)))
    bare = np.flatnonzero(~covered)  # an observation with no value is kept too: it still says "seen here"
    obs_idx.append(bare)
    codes.append(np.full(len(bare), len(values), np.int32))
    texts.append(pa.nulls(len(bare), pa.string()))
    idx = np.concatenate(obs_idx)  # by property, then row: observations() pivots them back by row
    m = len(idx)
    take = pa.array(idx.astype(np.int64))
    const = np.zeros(m, np.int32)
    cols = {
        "kind": pa.DictionaryArray.from_arrays(const, pa.array([kind], pa.string())),
        "type": pa.DictionaryArray.from_arrays(const, pa.array([type_name], pa.string())),
        "item": pa.DictionaryArray.from_arrays(idx.astype(np.int32), _plain(_strings(df["id"].astype(str)))),
        "obs": take,
        "prop": pa.DictionaryArray.from_arrays(np.concatenate(codes), pa.array([*values, ""], pa.string())),
        "value": pa.concat_arrays(texts),
    }
    for col, key in PROV.items():  # converted once per observation, then taken for each of its statements
        if col not in df.columns:
            cols[key] = pa.nulls(m, SCHEMA.field(key).type)
        elif key in _INT_PROV:
            num = pd.to_numeric(df[col], errors="coerce")
            cols[key] = pa.array(num.astype("Int64"), pa.int64(), from_pandas=True).take(take)
        else:
            cols[key] = _strings(df[col]).dictionary_encode().take(take)
    return pa.table(cols, schema=SCHEMA)


def observations(table: pa.Table, columns_of) -> tuple[dict[str, pd.DataFrame], dict[str, pd.DataFrame]]:
    """Statements back to observation frames, as the write that made them passed them: (nodes, links) by type.

    `columns_of(kind, type_name)` gives the property -> storage type of a type."""
    nodes: dict[str, pd.DataFrame] = {}
    links: dict[str, pd.DataFrame] = {}
    if not table.num_rows:
        return nodes, links
    df = table.to_pandas()
    df = df.astype(object).where(df.notna(), None)
    for (kind, type_name), part in df.groupby(["kind", "type"], sort=False):
        first = part.drop_duplicates("obs").set_index("obs")
        out = pd.DataFrame({"id": first["item"]})
        vals = part[part["prop"] != ""]
        if len(vals):
            wide = vals.pivot(index="obs", columns="prop", values="value").reindex(out.index)
            storage = columns_of(kind, type_name)
            for c in wide.columns:
                col = wide[c].astype(object).where(wide[c].notna(), None)
                out[c] = _value(col, storage.get(c, "STRING"))
        for col, key in PROV.items():
            if first[key].notna().any():
                out[col] = first[key]
        (nodes if kind == "node" else links)[type_name] = out.reset_index(drop=True)
    return nodes, links


def _about(table: pa.Table, items) -> pa.Table:
    """The statements of a part about `items` (all of them when None)."""
    if items is None:
        return table
    import pyarrow.compute as pc

    keep = pc.is_in(table["item"].cast(pa.string()), value_set=pa.array(list(items), pa.string()))
    return table.filter(keep)


def to_bytes(table: pa.Table) -> bytes:
    buf = io.BytesIO()
    # zstd with Parquet's dictionaries: the smallest and, measured on a register's statements, the fastest
    # of lz4/zstd/none with and without them (1.8 million statements of 20,000 rows: 0.66 s, 27 MB)
    pq.write_table(table, buf, compression="zstd")
    return buf.getvalue()


def from_bytes(data: bytes) -> pa.Table:
    return pq.read_table(io.BytesIO(data))


# --- where parts are kept ----------------------------------------------------------------------------------
class Ledger:
    """Parts of statements by batch; subclasses keep them in a folder or on a Neo4j server."""

    def append(self, batch: str | None, table: pa.Table) -> None:
        """Add one part of `batch`'s statements (inside a transaction: when it commits)."""
        raise NotImplementedError

    def remove(self, batch: str) -> None:
        """Remove every part of `batch` (inside a transaction: when it commits)."""
        raise NotImplementedError

    def parts(self, batches=None):
        """(batch, part id, table) for every part, oldest first; only those of `batches` if given."""
        raise NotImplementedError

    def count_parts(self) -> int:
        raise NotImplementedError

    def holds(self, batch: str) -> bool:
        """Whether the ledger has statements of `batch` (not one imported before the ledger existed)."""
        raise NotImplementedError

    def read(self, batches=None, items=None) -> pa.Table:
        """Every statement (of `batches`, about `items`), in the order written."""
        tables = [_about(t, items) for _, _, t in self.parts(batches)]
        return pa.concat_tables(tables) if tables else SCHEMA.empty_table()

    def observations(self, columns_of, batches=None, items=None, without=None):
        """The observation frames of every part (of `batches`, about `items`, not of batch `without`), in the
        order written and concatenated by type: (nodes, links). Part by part, since observation numbers
        count within a part."""
        acc: tuple[dict, dict] = ({}, {})
        for batch, _, t in self.parts(batches):
            if batch is not None and batch == without:
                continue
            for out, frames in zip(acc, observations(_about(t, items), columns_of)):
                for k, df in frames.items():
                    out.setdefault(k, []).append(df)
        return tuple({k: pd.concat(v, ignore_index=True) for k, v in d.items()} for d in acc)

    def put_resolution(self, mapping: pd.DataFrame, same_as: pd.DataFrame) -> None:
        """Keep the resolution now stored (record -> entity, and the SAME_AS links): the latest one counts."""
        raise NotImplementedError

    def resolution(self) -> tuple[pd.DataFrame, pd.DataFrame] | None:
        """The latest resolution kept by put_resolution, or None."""
        raise NotImplementedError

    # transaction hooks (the embedded store calls them; Neo4j writes join its transaction instead)
    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass


def _frame_bytes(df: pd.DataFrame) -> bytes:
    return to_bytes(pa.Table.from_pandas(df, preserve_index=False))


def _frame(data: bytes) -> pd.DataFrame:
    df = from_bytes(data).to_pandas()
    for c in df.columns:
        if df[c].dtype == object:
            df[c] = df[c].map(lambda v: list(v) if isinstance(v, np.ndarray) else v)
    return df.astype(object).where(df.notna(), None)


class FolderLedger(Ledger):
    """Parts as Parquet files: `<folder>/<batch key>/<part id>.parquet`, each written to a dot-file and renamed,
    so a crash never leaves half a part where readers look."""

    def __init__(self, folder: Path, in_transaction=lambda: False):
        self.folder = Path(folder)
        self._in_tx = in_transaction
        self._staged: list[tuple[Path, Path]] = []  # (dot-file, final name) waiting for the commit
        self._removals: list[str] = []

    @staticmethod
    def _key(batch: str | None) -> str:
        return "_" if batch is None else hashlib.sha256(batch.encode("utf-8")).hexdigest()[:24]

    def _write(self, rel: str, data: bytes) -> None:
        final = self.folder / rel
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = final.parent / f".{final.name}.tmp"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        if self._in_tx():
            self._staged.append((tmp, final))
        else:
            os.replace(tmp, final)

    def append(self, batch, table):
        self._write(f"{self._key(batch)}/{part_id()}.parquet", to_bytes(table))

    def remove(self, batch):
        if self._in_tx():
            self._removals.append(batch)
            return
        shutil.rmtree(self.folder / self._key(batch), ignore_errors=True)

    def commit(self):
        staged, removals = self._staged, self._removals
        self._staged, self._removals = [], []
        for tmp, final in staged:
            os.replace(tmp, final)
        for b in removals:
            shutil.rmtree(self.folder / self._key(b), ignore_errors=True)

    def rollback(self):
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged, self._removals = [], []

    def _files(self):
        if not self.folder.exists():
            return []
        return [p for d in self.folder.iterdir() if d.is_dir() and d.name != RESOLUTION for p in d.glob("*.parquet")]

    def count_parts(self):
        return len(self._files())

    def holds(self, batch):
        d = self.folder / self._key(batch)
        return d.is_dir() and any(d.glob("*.parquet"))

    def sweep(self) -> None:
        """Delete dot-files a crashed write left (only while no one else writes: the store's lock)."""
        if self.folder.exists():
            for p in self.folder.glob("*/.*.tmp"):
                p.unlink(missing_ok=True)

    def clear(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)

    def parts(self, batches=None):
        if not self.folder.exists():
            return
        keys = None if batches is None else {self._key(b) for b in batches}
        files = [
            p
            for d in self.folder.iterdir()
            if d.is_dir() and d.name != RESOLUTION and (keys is None or d.name in keys)
            for p in d.glob("*.parquet")
        ]
        for p in sorted(files, key=lambda p: p.name):
            t = pq.read_table(p)
            batch = t["batch"][0].as_py() if t.num_rows else None
            yield batch, p.stem, t

    def put_resolution(self, mapping, same_as):
        pid = part_id()
        self._write(f"{RESOLUTION}/{pid}.mapping.parquet", _frame_bytes(mapping))
        self._write(f"{RESOLUTION}/{pid}.same_as.parquet", _frame_bytes(same_as))
        for old in (self.folder / RESOLUTION).glob("*.parquet"):  # the latest one is the state; drop the rest
            if not old.name.startswith(pid) and not self._in_tx():
                old.unlink(missing_ok=True)

    def resolution(self):
        d = self.folder / RESOLUTION
        names = sorted(p.name.split(".")[0] for p in d.glob("*.mapping.parquet")) if d.exists() else []
        for pid in reversed(names):
            m, s = d / f"{pid}.mapping.parquet", d / f"{pid}.same_as.parquet"
            if m.exists() and s.exists():
                return _frame(m.read_bytes()), _frame(s.read_bytes())
        return None


class GraphLedger(Ledger):
    """Parts as `LgLedgerPart {id, batch, rows, data}` nodes on a Neo4j server, written in the caller's
    transaction (so a part commits with the writes it records) and read back in id order."""

    def __init__(self, store):
        self.store = store

    def append(self, batch, table):
        self.store.execute(
            "CREATE (:LgLedgerPart {id: $id, batch: $b, rows: $n, data: $d})",
            {"id": part_id(), "b": batch if batch is not None else "", "n": table.num_rows, "d": to_bytes(table)},
        )

    def remove(self, batch):
        self.store.execute("MATCH (p:LgLedgerPart {batch: $b}) DELETE p", {"b": batch})

    def count_parts(self):
        return int(self.store.query("MATCH (p:LgLedgerPart) RETURN count(p) AS c")["c"].iloc[0])

    def holds(self, batch):
        df = self.store.query("MATCH (p:LgLedgerPart {batch: $b}) RETURN p.id AS id LIMIT 1", {"b": batch})
        return bool(len(df))

    def clear(self) -> None:
        for label in ("LgLedgerPart", "LgResolution"):
            while int(
                self.store.query_write(f"MATCH (p:{label}) WITH p LIMIT 100 DELETE p RETURN count(*) AS c")["c"].iloc[0]
            ):
                pass

    def parts(self, batches=None):
        where = "" if batches is None else "WHERE p.batch IN $bs "
        bs = None if batches is None else ["" if b is None else b for b in batches]
        ids = self.store.query(f"MATCH (p:LgLedgerPart) {where}RETURN p.id AS id ORDER BY p.id", {"bs": bs})
        for pid in ids["id"].tolist() if len(ids) else []:  # one part in memory at a time
            row = self.store.query("MATCH (p:LgLedgerPart {id: $id}) RETURN p.batch AS b, p.data AS d", {"id": pid})
            yield (row["b"].iloc[0] or None), pid, from_bytes(bytes(row["d"].iloc[0]))

    def put_resolution(self, mapping, same_as):
        self.store.execute("MATCH (r:LgResolution) DELETE r")
        self.store.execute(
            "CREATE (:LgResolution {id: $id, mapping: $m, same_as: $s})",
            {"id": part_id(), "m": _frame_bytes(mapping), "s": _frame_bytes(same_as)},
        )

    def resolution(self):
        df = self.store.query("MATCH (r:LgResolution) RETURN r.mapping AS m, r.same_as AS s ORDER BY r.id DESC LIMIT 1")
        if not len(df):
            return None
        return _frame(bytes(df["m"].iloc[0])), _frame(bytes(df["s"].iloc[0]))
