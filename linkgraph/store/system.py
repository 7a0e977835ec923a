"""Bookkeeping tables beside the domain graph: store metadata, import batches, audit log, review decisions.

They are node tables (labels) without links, named with a `Lg` prefix so they never collide with a
domain type. Both engines create them from this one definition.
"""

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

STORE_FORMAT = "linkgraph-store/1"
