"""The audit log: who exported, imported, matched or queried what, and when (LgAudit rows)."""

from __future__ import annotations

import getpass
import os
import uuid
from contextlib import contextmanager
from datetime import UTC, datetime

import pandas as pd

from linkgraph.errors import LinkgraphError

AUDIT_COLUMNS = ["id", "time", "user", "action", "detail", "sha256"]


def current_user() -> str:
    """$LINKGRAPH_USER, else the OS login name."""
    user = os.environ.get("LINKGRAPH_USER", "").strip()
    if user:
        return user
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers; the log still needs a row
        return "unknown"


def record(store, action: str, detail: str, sha256: str | None = None, user: str | None = None) -> str:
    """Append one audit row (time in UTC, user from $LINKGRAPH_USER or the OS login); returns its id."""
    now = datetime.now(UTC)
    # time-ordered ids keep the log sortable even when two rows share a second
    rid = f"a-{now.strftime('%Y%m%dT%H%M%S%f')}-{uuid.uuid4().hex[:8]}"
    store.execute(
        "CREATE (a:LgAudit {id: $id, time: $time, user: $user, action: $action, detail: $detail, sha256: $sha256})",
        {
            "id": rid,
            "time": now.isoformat(timespec="seconds"),
            "user": user or current_user(),
            "action": str(action),
            "detail": str(detail),
            "sha256": sha256,
        },
    )
    return rid


def audit_log(store, action: str | None = None) -> pd.DataFrame:
    """The audit log, oldest first (optionally one action only): id, time, user, action, detail, sha256."""
    ret = ", ".join(f"a.{c} AS {c}" for c in AUDIT_COLUMNS)
    where = " WHERE a.action = $action" if action else ""
    df = store.query(f"MATCH (a:LgAudit){where} RETURN {ret} ORDER BY a.id", {"action": action} if action else {})
    if not len(df):
        return pd.DataFrame(columns=AUDIT_COLUMNS)
    return df.reset_index(drop=True)


@contextmanager
def refusals(store, action: str, what: str, sha256: str | None = None):
    """Audit a refusal: a LinkgraphError inside becomes an `<action> refused` row with the reason, then propagates."""
    try:
        yield
    except LinkgraphError as e:
        try:
            record(store, f"{action} refused", f"{what}: {e}", sha256=sha256)
        except LinkgraphError:
            pass  # a store that cannot take the row must not hide the reason the user needs
        raise
