"""Bookkeeping tables beside the domain graph: store metadata, import batches, audit log, review decisions.

They are node tables (labels) without links, named with a `Lg` prefix so they never collide with a
domain type. Both engines create them from this one definition.
"""

from __future__ import annotations

import json

SYSTEM_TABLES: dict[str, dict[str, str]] = {
    "LgMeta": {"id": "STRING", "value": "STRING"},
    "LgBatch": {
        "id": "STRING",
        "source": "STRING",
        "sha256": "STRING",
        "spec": "STRING",
        "sheet": "STRING",
        "agency": "STRING",
        "grade": "STRING",
        "handling": "STRING",
        "imported": "STRING",
        "rows": "INT64",
        "status": "STRING",
        "summary": "STRING",
    },
    "LgAudit": {
        "id": "STRING",
        "time": "STRING",
        "user": "STRING",
        "action": "STRING",
        "detail": "STRING",
        "sha256": "STRING",
    },
    "LgDecision": {
        "id": "STRING",
        "left_id": "STRING",
        "right_id": "STRING",
        "decision": "STRING",
        "time": "STRING",
        "user": "STRING",
        "note": "STRING",
    },
}

STORE_FORMAT = "linkgraph-store/3"  # 2: provenance in the ledger, not a JSON list on each item; 3: one node per entity


def record_batch(store, batch_id: str, *, summary: dict, **fields) -> None:
    """Write import batch `batch_id`'s LgBatch row: every column of the table (`summary` stored as JSON).

    The one writer of the row, for file imports and package imports alike."""
    columns = [c for c in SYSTEM_TABLES["LgBatch"] if c not in ("id", "summary")]
    if sorted(fields) != sorted(columns):
        raise ValueError(f"record_batch needs exactly {columns}, got {sorted(fields)}")
    sets = ", ".join(f"b.{c} = ${c}" for c in [*columns, "summary"])
    store.execute(
        f"MERGE (b:LgBatch {{id: $id}}) SET {sets}",
        {"id": batch_id, **fields, "summary": json.dumps(summary, sort_keys=True, default=str)},
    )
