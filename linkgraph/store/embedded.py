"""The embedded engine: LadybugDB in a folder, no server."""

from __future__ import annotations

import json
import os
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import ladybug
import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.store.base import Store
from linkgraph.store.ledger import FolderLedger
from linkgraph.store.system import STORE_FORMAT, SYSTEM_TABLES

MARKER = "linkgraph.json"
DB_FILE = "graph.lbdb"


def buffer_pool_bytes() -> int:
    """LadybugDB's page cache: LINKGRAPH_BUFFER_POOL_MB, else a quarter of the machine's memory (at least 1 GiB).

    LadybugDB's own default is 80% of memory, and it keeps every page it has touched: a large import then
    grew the process by gigabytes per chunk. A quarter leaves room for the importer and the analyst's other
    work; a graph larger than the pool is read from disk as needed.
    """
    env = os.environ.get("LINKGRAPH_BUFFER_POOL_MB", "").strip()
    if env:
        try:
            return max(64, int(env)) * 2**20
        except ValueError:
            raise LinkgraphError(f"LINKGRAPH_BUFFER_POOL_MB must be a number of megabytes, not {env!r}") from None
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return 0  # unknown machine: LadybugDB's default
    return max(2**30, total // 4)


def _ddl_type(t: str) -> str:
    return t  # the schema's type names are LadybugDB's own


class EmbeddedStore(Store):
    """LadybugDB database file inside a linkgraph folder (a marker file says the folder is ours)."""

    engine = "embedded"
    dialect = "embedded"

    def __init__(self, folder: str | Path, schema=None, create: bool = True, read_only: bool = False):
        folder = Path(folder).expanduser()
        super().__init__(str(folder), schema)
        if folder.exists() and not folder.is_dir():
            raise LinkgraphError(f"{folder} is a file, not a linkgraph store folder")
        marker = folder / MARKER
        if folder.exists() and any(folder.iterdir()) and not marker.exists():
            raise LinkgraphError(f"{folder} is not a linkgraph store (no {MARKER}); pick an empty or new folder")
        if not marker.exists():
            if not create:
                raise LinkgraphError(f"no linkgraph store at {folder}; create one with `linkgraph db init`")
            folder.mkdir(parents=True, exist_ok=True)
            marker.write_text(json.dumps({"format": STORE_FORMAT, "engine": "ladybug"}) + "\n")
        else:
            try:
                fmt = json.loads(marker.read_text()).get("format")
            except (ValueError, OSError) as e:
                raise LinkgraphError(f"{marker} is unreadable: {e}") from None
            if fmt != STORE_FORMAT:
                raise LinkgraphError(
                    f"{folder} holds store format {fmt!r}; this linkgraph reads {STORE_FORMAT}: "
                    "import the files again into a new store"
                )
        self._read_only = read_only
        self._open()
        self._lock = threading.RLock()
        self._in_tx = False
        self.ledger = FolderLedger(folder / "ledger", self.in_transaction)
        if not read_only:
            self.init_schema()
            # The lock LadybugDB holds while we are open for writing means no import of this store is
            # running elsewhere: a batch still marked `importing` is the remains of one that died.
            self.recover_batches()
            self.ledger.sweep()

    def _open(self) -> None:
        folder = Path(self.location)
        try:
            self._db = ladybug.Database(
                str(folder / DB_FILE), read_only=self._read_only, buffer_pool_size=buffer_pool_bytes()
            )
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as e:
            raise LinkgraphError(f"cannot open the embedded store at {folder}: {str(e).splitlines()[0]}") from None

    # --- primitives --------------------------------------------------------------------------------------
    def in_transaction(self) -> bool:
        return self._in_tx

    def _run(self, cypher: str, params: dict | None = None):
        try:
            return self._conn.execute(cypher, params or {})
        except RuntimeError as e:
            msg = str(e).splitlines()[0]
            if "buffer pool is full" in msg:
                msg = (
                    f"its page cache ({buffer_pool_bytes() // 2**20} MB) is full; set LINKGRAPH_BUFFER_POOL_MB "
                    "higher, or import the file in parts"
                )
            raise LinkgraphError(f"embedded store: {msg}") from None

    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        with self._lock:
            result = self._run(cypher, params)
            table = result.get_as_arrow()
        df = table.to_pandas(types_mapper=None)
        return df.astype(object).where(df.notna(), None) if len(df) else df

    def execute(self, cypher: str, params: dict | None = None) -> None:
        with self._lock:
            self._run(cypher, params)

    @contextmanager
    def transaction(self):
        with self._lock:
            if self._in_tx:  # nested: the outer transaction decides
                yield self
                return
            self._run("BEGIN TRANSACTION")
            self._in_tx = True
            try:
                yield self
            except BaseException:
                self._in_tx = False
                self.ledger.rollback()
                try:
                    self._conn.execute("ROLLBACK")
                except RuntimeError:
                    pass  # LadybugDB already rolled back the transaction that failed
                if "page cache" in str(sys.exc_info()[1]):
                    # after a write that filled the page cache, LadybugDB keeps its pages: even a read fails
                    # until the database is opened again (the rolled-back write is gone either way)
                    self.close()
                    self._open()
                raise
            self._in_tx = False
            try:
                self._run("COMMIT")
            except BaseException:
                self.ledger.rollback()
                raise
            # the ledger's staged parts become visible after the graph commit: a crash in between leaves the
            # batch `importing` (or the parts as dot-files), and both are cleared when the store is next opened
            self.ledger.commit()

    def init_schema(self) -> None:
        existing = set(self._tables())
        stmts = []
        for name in self.schema.entities:
            if name not in existing:
                cols = self.schema.node_columns(name)
                body = ", ".join(f"{c} {_ddl_type(t)}" for c, t in cols.items() if c != "id")
                stmts.append(f"CREATE NODE TABLE {name}(id STRING PRIMARY KEY, {body})")
        for name, cols in SYSTEM_TABLES.items():
            if name not in existing:
                body = ", ".join(f"{c} {_ddl_type(t)}" for c, t in cols.items() if c != "id")
                stmts.append(f"CREATE NODE TABLE {name}(id STRING PRIMARY KEY, {body})")
        for name, lt in self.schema.links.items():
            if name not in existing:
                pairs = ", ".join(f"FROM {s} TO {t}" for s, t in lt.pairs())
                body = ", ".join(f"{c} {_ddl_type(t)}" for c, t in self.schema.link_columns(name).items())
                stmts.append(f"CREATE REL TABLE {name}({pairs}, {body})")
        with self._lock:
            for stmt in stmts:
                self._run(stmt)
            if "LgMeta" not in existing:
                self._run("CREATE (m:LgMeta {id: 'format', value: $v})", {"v": STORE_FORMAT})

    def _tables(self) -> list[str]:
        with self._lock:
            df = self._run("CALL show_tables() RETURN name").get_as_df()
        return df["name"].tolist()

    def server_version(self) -> str:
        return f"LadybugDB {ladybug.__version__}"

    def close(self) -> None:
        conn, db = getattr(self, "_conn", None), getattr(self, "_db", None)
        if conn is not None:
            conn.close()
        if db is not None:
            db.close()
        self._conn = self._db = None

    def wipe(self) -> None:
        self._delete([*self.schema.entities, *(t for t in SYSTEM_TABLES if t != "LgMeta")])
        self.ledger.clear()

    def clear_projection(self) -> None:
        self._delete(list(self.schema.entities))

    def _delete(self, labels: list[str]) -> None:
        with self.transaction():
            for name in self.schema.links:
                self._run(f"MATCH ()-[r:{name}]->() DELETE r")
            for name in labels:
                self._run(f"MATCH (n:{name}) DELETE n")

    # --- bulk paths: COPY for new rows, LOAD FROM a DataFrame joined on id for updates ----------------------
    def _fetch_nodes(self, type_name: str, ids: list[str]) -> pd.DataFrame:
        cols = list(self.schema.node_columns(type_name))
        if not ids:
            return pd.DataFrame(columns=cols)
        keys = pd.DataFrame({"k": pd.Series(ids, dtype=object)})
        ret = ", ".join(f"n.{c} AS {c}" for c in cols)
        return self.query(f"LOAD FROM $keys MATCH (n:{type_name} {{id: k}}) RETURN {ret}", {"keys": keys})

    def _fetch_links(self, type_name: str, ids: list[str]) -> pd.DataFrame:
        cols = list(self.schema.link_columns(type_name))
        if not ids:
            return pd.DataFrame(columns=cols)
        # Relationship properties have no index here: one scan of the ids, then fetch only the ones we have.
        have = self.query(f"MATCH ()-[r:{type_name}]->() RETURN r.id AS id")
        wanted = list(set(ids) & set(have["id"])) if len(have) else []
        if not wanted:
            return pd.DataFrame(columns=cols)
        keys = pd.DataFrame({"k": pd.Series(wanted, dtype=object)})
        ret = ", ".join(f"r.{c} AS {c}" for c in cols)
        return self.query(f"LOAD FROM $keys MATCH ()-[r:{type_name} {{id: k}}]->() RETURN {ret}", {"keys": keys})

    def _existing_ids(self, kind: str, type_name: str, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        if kind == "nodes":
            keys = pd.DataFrame({"k": pd.Series(ids, dtype=object)})
            df = self.query(f"LOAD FROM $keys MATCH (n:{type_name} {{id: k}}) RETURN n.id AS id", {"keys": keys})
            return set(df["id"]) if len(df) else set()
        # Relationship properties have no index here: scan the ids once per import, then keep the set up to
        # date (every id asked about is stored right after: the old ones are, the new ones are created next).
        cache = getattr(self, "_id_cache", None)
        known = cache.get(type_name) if cache is not None else None
        if known is None:
            df = self.query(f"MATCH ()-[r:{type_name}]->() RETURN r.id AS id")
            known = set(df["id"]) if len(df) else set()
        have = known.intersection(ids)
        if cache is not None:
            known.update(ids)
            cache[type_name] = known
        return have

    def _create_nodes(self, type_name: str, rows: pd.DataFrame) -> None:
        if len(rows):
            self.execute(f"COPY {type_name} FROM $rows", {"rows": rows})

    def _update_nodes(self, type_name: str, rows: pd.DataFrame) -> None:
        if len(rows):
            # an all-None column has no type in a LOAD FROM frame (read as STRING); merged rows never clear a
            # stored value, so such a column is None in the store already and need not be set
            rows = rows[[c for c in rows.columns if c == "id" or rows[c].notna().any()]]
            sets = ", ".join(f"n.{c} = {c}" for c in rows.columns if c != "id")
            self.execute(f"LOAD FROM $rows MATCH (n:{type_name} {{id: id}}) SET {sets}", {"rows": rows})

    def _create_links(self, type_name: str, rows: pd.DataFrame) -> None:
        if not len(rows):
            return
        props = [c for c in rows.columns if c not in ("source", "target", "source_type", "target_type")]
        multi = len(self.schema.link(type_name).pairs()) > 1
        for (st, tt), part in rows.groupby(["source_type", "target_type"], sort=False):
            frame = pd.concat(
                [part[["source", "target"]].rename(columns={"source": "from", "target": "to"}), part[props]], axis=1
            ).reset_index(drop=True)
            opts = f" (from='{st}', to='{tt}')" if multi else ""
            self.execute(f"COPY {type_name} FROM $rows{opts}", {"rows": frame})

    def _update_links(self, type_name: str, rows: pd.DataFrame) -> None:
        if len(rows):
            props = [
                c
                for c in rows.columns
                if c not in ("id", "source", "target", "source_type", "target_type") and rows[c].notna().any()
            ]  # see _update_nodes
            sets = ", ".join(f"r.{c} = {c}" for c in props)
            frame = rows[["id", *props]].reset_index(drop=True)
            self.execute(f"LOAD FROM $rows MATCH ()-[r:{type_name} {{id: id}}]->() SET {sets}", {"rows": frame})
