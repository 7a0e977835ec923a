"""The Neo4j engine over Bolt: managed transactions, UNWIND batches on constrained keys."""

from __future__ import annotations

import os
from contextlib import contextmanager

import neo4j
import pandas as pd
from neo4j import exceptions as nex

from linkgraph.errors import LinkgraphError
from linkgraph.store.base import LINK_ENDS, Store
from linkgraph.store.ledger import GraphLedger
from linkgraph.store.system import STORE_FORMAT, SYSTEM_TABLES

BATCH = 10_000
# Above this many observation rows, one transaction would hold too much state in the server's heap
# (dbms.memory.transaction.total.max): such writes commit in slices, see atomic_batches.
SLICE_ROWS = 50_000
# Every domain node also carries this label, so one constrained lookup finds any node by id.
ANY = "Entity"


def _clean_records(df: pd.DataFrame) -> list[dict]:
    """Rows as driver parameters: None for missing values, plain Python scalars."""
    out = df.astype(object).where(df.notna(), None).to_dict("records") if len(df) else []
    for rec in out:
        for k, v in rec.items():
            if isinstance(v, float) and v != v:
                rec[k] = None
    return out


class Neo4jStore(Store):
    """A Neo4j server, cluster or Aura database. Writes go through `execute_write` so a cluster routes them."""

    engine = "neo4j"
    dialect = "neo4j"

    def __init__(
        self,
        uri: str,
        schema=None,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        create: bool = True,
    ):
        super().__init__(uri, schema)
        user = user if user is not None else os.environ.get("NEO4J_USERNAME", "neo4j")
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD", "")
        self.database = database or os.environ.get("NEO4J_DATABASE") or None
        try:
            # Notifications (e.g. "property does not exist" on a fresh database) are noise to a user of the CLI.
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=(user, password) if password else None, notifications_min_severity="OFF"
            )
            self._driver.verify_connectivity()
        except nex.AuthError:
            raise LinkgraphError(
                f"Neo4j at {uri} refused the credentials of user {user!r} (set NEO4J_USERNAME and NEO4J_PASSWORD)"
            ) from None
        except (nex.ServiceUnavailable, OSError) as e:
            raise LinkgraphError(f"cannot reach Neo4j at {uri}: {_first_line(e)}") from None
        except (ValueError, nex.ConfigurationError) as e:
            raise LinkgraphError(f"bad Neo4j URI {uri!r}: {_first_line(e)}") from None
        except nex.Neo4jError as e:
            raise LinkgraphError(f"Neo4j at {uri}: {_first_line(e)}") from None
        self._tx = None
        self._tx_session = None
        self.ledger = GraphLedger(self)
        self.init_schema()

    # --- primitives --------------------------------------------------------------------------------------
    def _session(self):
        return self._driver.session(database=self.database)

    def query(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        if self._tx is not None:
            return _frame(self._tx.run(cypher, params or {}))

        def work(tx):
            return _frame(tx.run(cypher, params or {}))

        with self._session() as s:
            return self._guard(lambda: s.execute_read(work))

    def execute(self, cypher: str, params: dict | None = None) -> None:
        if self._tx is not None:
            self._guard(lambda: self._tx.run(cypher, params or {}).consume())
            return
        with self._session() as s:
            self._guard(lambda: s.execute_write(lambda tx: tx.run(cypher, params or {}).consume()))

    def _guard(self, fn):
        try:
            return fn()
        except nex.Neo4jError as e:
            raise LinkgraphError(f"Neo4j: {e.code}: {_first_line(e.message or e)}") from None
        except nex.ServiceUnavailable as e:
            raise LinkgraphError(f"Neo4j at {self.location} became unreachable: {_first_line(e)}") from None

    @contextmanager
    def transaction(self):
        """One explicit transaction for the whole unit of work: it commits whole or not at all.

        Retries on a transient error (leader switch, deadlock) are the caller's to make by re-running the
        unit, which is safe because every write is idempotent on identity.
        """
        if self._tx is not None:
            yield self
            return
        session = self._session()
        tx = session.begin_transaction()
        self._tx, self._tx_session = tx, session
        try:
            yield self
        except BaseException:
            self._tx = None
            try:
                tx.rollback()
            finally:
                session.close()
            raise
        self._tx = None
        try:
            self._guard(tx.commit)
        finally:
            session.close()

    def atomic(self, fn):
        """Run fn() in one managed write transaction (`execute_write`): routed to the leader of a cluster,
        retried on transient errors (safe, since every write is idempotent on identity), all or nothing."""
        if self._tx is not None:
            return fn()

        def work(tx):
            self._tx = tx
            try:
                return fn()
            finally:
                self._tx = None

        with self._session() as s:
            return self._guard(lambda: s.execute_write(work))

    def in_transaction(self) -> bool:
        return self._tx is not None

    def _project(self, nodes=None, links=None):
        if not getattr(self, "_sliced", False) or self._tx is not None:
            return super()._project(nodes, links)
        from linkgraph.store.base import WriteStats

        stats = WriteStats()
        for kind, frames in (("nodes", nodes or {}), ("links", links or {})):
            for type_name, df in frames.items():
                # whole ids per slice, so an item's observations are folded together
                ids_per_slice = max(1, SLICE_ROWS * df["id"].nunique() // max(1, len(df)))
                for _, part in df.groupby(pd.factorize(df["id"])[0] // ids_per_slice, sort=False):
                    one = {type_name: part}
                    sub = self.atomic(lambda o=one, k=kind: super(Neo4jStore, self)._project(**{k: o}))
                    for k, v in sub.created.items():
                        stats.add("created", k, v)
                    for k, v in sub.updated.items():
                        stats.add("updated", k, v)
        self._flush_if_full()
        return stats

    def init_schema(self) -> None:
        stmts = [f"CREATE CONSTRAINT lg_{ANY.lower()}_id IF NOT EXISTS FOR (n:{ANY}) REQUIRE n.id IS UNIQUE"]
        for name in [*self.schema.entities, *SYSTEM_TABLES, "LgLedgerPart", "LgResolution"]:
            stmts.append(f"CREATE CONSTRAINT lg_{name.lower()}_id IF NOT EXISTS FOR (n:{name}) REQUIRE n.id IS UNIQUE")
        stmts.append("CREATE INDEX lg_ledgerpart_batch IF NOT EXISTS FOR (p:LgLedgerPart) ON (p.batch)")
        for name, et in self.schema.entities.items():
            for key in dict.fromkeys([et.caption, *et.keys]):
                stmts.append(f"CREATE INDEX lg_{name.lower()}_{key} IF NOT EXISTS FOR (n:{name}) ON (n.{key})")
        for name in self.schema.links:
            stmts.append(f"CREATE INDEX lg_rel_{name.lower()}_id IF NOT EXISTS FOR ()-[r:{name}]-() ON (r.id)")
        with self._session() as s:
            for stmt in stmts:  # schema statements cannot share a transaction with writes
                self._guard(lambda st=stmt: s.run(st).consume())
            self._guard(
                lambda: s.execute_write(
                    lambda tx: tx.run(
                        "MERGE (m:LgMeta {id: 'format'}) ON CREATE SET m.value = $v", v=STORE_FORMAT
                    ).consume()
                )
            )

    def server_version(self) -> str:
        df = self.query(
            "CALL dbms.components() YIELD name, versions, edition RETURN name, versions[0] AS version, edition"
        )
        row = df.iloc[0]
        return f"{row['name']} {row['version']} {row['edition']}"

    def close(self) -> None:
        drv = getattr(self, "_driver", None)
        if drv is not None:
            drv.close()
        self._driver = None

    def wipe(self) -> None:
        self._delete([*self.schema.entities, *(t for t in SYSTEM_TABLES if t != "LgMeta")])
        self.ledger.clear()

    def clear_projection(self) -> None:
        self._delete(list(self.schema.entities))

    def _delete(self, labels: list[str]) -> None:
        # in slices, so that a large graph does not need one huge transaction; links first, since deleting
        # a hub node (a country on every row) with DETACH would delete all its links in one transaction
        stmts = [f"MATCH ()-[r:{t}]->() WITH r LIMIT 10000 DELETE r RETURN count(*) AS c" for t in self.schema.links]
        stmts += [f"MATCH (n:{label}) WITH n LIMIT 10000 DETACH DELETE n RETURN count(*) AS c" for label in labels]
        for stmt in stmts:
            while int(self.query_write(stmt)["c"].iloc[0]):
                pass

    def query_write(self, cypher: str, params: dict | None = None) -> pd.DataFrame:
        """A write statement whose result is wanted, in its own managed transaction (or the open one)."""
        if self._tx is not None:
            return self._guard(lambda: _frame(self._tx.run(cypher, params or {})))
        with self._session() as s:
            return self._guard(lambda: s.execute_write(lambda tx: _frame(tx.run(cypher, params or {}))))

    # --- bulk paths: UNWIND batches ------------------------------------------------------------------------
    def _fetch_nodes(self, type_name: str, ids: list[str]) -> pd.DataFrame:
        return self._fetch(f"(x:{type_name} {{id: k}})", list(self.schema.node_columns(type_name)), ids)

    def _fetch_links(self, type_name: str, ids: list[str]) -> pd.DataFrame:
        return self._fetch(f"()-[x:{type_name} {{id: k}}]->()", list(self.schema.link_columns(type_name)), ids)

    def _existing_ids(self, kind: str, type_name: str, ids: list[str]) -> set[str]:
        pattern = f"(x:{type_name} {{id: k}})" if kind == "nodes" else f"()-[x:{type_name} {{id: k}}]->()"
        df = self._fetch(pattern, ["id"], ids)
        return set(df["id"]) if len(df) else set()

    def _fetch(self, pattern: str, cols: list[str], ids: list[str]) -> pd.DataFrame:
        """The stored rows of the items with these ids, looked up on the constrained or indexed id."""
        ret = ", ".join(f"x.{c} AS {c}" for c in cols)
        parts = [
            self.query(f"UNWIND $ids AS k MATCH {pattern} RETURN {ret}", {"ids": ids[i : i + BATCH]})
            for i in range(0, len(ids), BATCH)
        ]
        parts = [p for p in parts if len(p)]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)

    def _batches(self, rows: pd.DataFrame):
        for i in range(0, len(rows), BATCH):
            yield _clean_records(rows.iloc[i : i + BATCH])

    def _create_nodes(self, type_name: str, rows: pd.DataFrame) -> None:
        for batch in self._batches(rows):
            self.execute(f"UNWIND $rows AS r CREATE (n:{type_name}:{ANY}) SET n = r", {"rows": batch})

    def _update_nodes(self, type_name: str, rows: pd.DataFrame) -> None:
        for batch in self._batches(rows):
            self.execute(f"UNWIND $rows AS r MATCH (n:{type_name} {{id: r.id}}) SET n += r", {"rows": batch})

    def _create_links(self, type_name: str, rows: pd.DataFrame) -> None:
        props = [c for c in rows.columns if c not in LINK_ENDS]
        for (st, tt), part in rows.groupby(["source_type", "target_type"], sort=False):
            for batch in self._batches(part):
                payload = [{"s": r["source"], "t": r["target"], "p": {k: r[k] for k in props}} for r in batch]
                df = self.query_write(
                    f"UNWIND $rows AS r MATCH (a:{st} {{id: r.s}}) MATCH (b:{tt} {{id: r.t}}) "
                    f"CREATE (a)-[l:{type_name}]->(b) SET l = r.p RETURN count(l) AS c",
                    {"rows": payload},
                )
                made = int(df["c"].iloc[0]) if len(df) else 0
                if made != len(payload):
                    raise LinkgraphError(
                        f"link {type_name}: {len(payload) - made} links name a {st} or {tt} that is not in the store"
                    )

    def _update_links(self, type_name: str, rows: pd.DataFrame) -> None:
        props = [c for c in rows.columns if c not in LINK_ENDS]
        for batch in self._batches(rows[props]):
            self.execute(f"UNWIND $rows AS r MATCH ()-[l:{type_name} {{id: r.id}}]->() SET l += r", {"rows": batch})


def _frame(result) -> pd.DataFrame:
    keys = result.keys()
    return pd.DataFrame([r.values() for r in result], columns=keys)


def _first_line(e) -> str:
    """The driver's message on one line: its lines joined, trailing colons dropped, at most 240 characters."""
    parts = [ln.strip().rstrip(":") for ln in str(e).splitlines() if ln.strip()]
    text = "; ".join(parts) or type(e).__name__
    return text if len(text) <= 240 else text[:237] + "..."
