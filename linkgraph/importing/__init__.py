"""Import agencies' spreadsheets and reports through declarative specs (importers/*.yaml).

import_files(store, paths, spec=None, ...) -> ImportReport
sources(store) -> DataFrame of import batches
undo(store, batch_id) -> dict of what was removed
rebuild(store) -> dict: the graph made again from the ledger
statements(store, item=..., batch=...) -> DataFrame of the ledger's statements
list_specs() -> DataFrame of the built-in specs
"""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path

import pandas as pd

from linkgraph import grading
from linkgraph.errors import LinkgraphError
from linkgraph.importing.engine import FileResult, ImportReport, SheetResult, import_file
from linkgraph.importing.spec import Spec, builtin_specs, get_spec, load_spec_file
from linkgraph.store import audit
from linkgraph.store.base import Store

__all__ = [
    "FileResult",
    "ImportReport",
    "SheetResult",
    "Spec",
    "get_spec",
    "import_files",
    "list_specs",
    "load_spec_file",
    "rebuild",
    "sources",
    "statements",
    "undo",
]


def import_files(
    store: Store,
    paths,
    spec=None,
    sheet=None,
    source=None,
    grade=None,
    handling=None,
    dry_run=False,
    skip_bad_rows=False,
    progress=True,
    resolve=True,
) -> ImportReport:
    """Import each file through a spec (given by name or path, or chosen from the headers).

    Each file commits whole or not at all. Re-importing a file with the same spec, sheet, source and grading
    is detected (same batch id) and changes nothing. A bad row stops its file with one line naming file,
    sheet, row and column, unless skip_bad_rows, which writes `<file>.rejected.csv` and imports the rest.
    With resolve (the default), entity resolution runs over the store afterwards (report.resolution: its counts).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if grade:
        grading.parse(grade)  # a bad --grade is the user's first error, before any file is read
    chosen = get_spec(spec) if spec is not None and not isinstance(spec, Spec) else spec
    report = ImportReport(dry_run=dry_run)

    for p in paths:
        with audit.refusals(store, "import", Path(p).name) if not dry_run else nullcontext():
            res = import_file(
                None if dry_run else store,
                p,
                spec=chosen,
                sheet=sheet,
                source=source,
                grade=grade,
                handling=handling,
                dry_run=dry_run,
                skip_bad_rows=skip_bad_rows,
                progress=progress,
            )
        report.files.append(res)
        if not dry_run:
            status = ", ".join(sorted({s.status for s in res.sheets})) or "nothing to import"
            audit.record(
                store,
                "import",
                f"{Path(res.path).name} with spec {res.spec} ({status}); "
                f"created {sum(res.created.values())}, updated {sum(res.updated.values())}; batches "
                f"{', '.join(s.batch for s in res.sheets)}",
                sha256=res.sha256,
            )
    report.resolution = {}
    if resolve and not dry_run:
        from linkgraph.resolve.graph import resolve_store

        report.resolution = resolve_store(store, progress=progress)
    return report


def list_specs() -> pd.DataFrame:
    """The built-in specs: name, title, formats, file."""
    rows = [
        {"name": s.name, "title": s.title, "formats": ", ".join(s.formats), "file": s.path.name}
        for s in builtin_specs().values()
    ]
    return pd.DataFrame(rows, columns=["name", "title", "formats", "file"])


_BATCH_COLS = [
    "id",
    "source",
    "sha256",
    "spec",
    "sheet",
    "agency",
    "grade",
    "handling",
    "imported",
    "rows",
    "status",
    "summary",
]


def sources(store: Store) -> pd.DataFrame:
    """The import batches, oldest first."""
    ret = ", ".join(f"b.{c} AS {c}" for c in _BATCH_COLS)
    df = store.query(f"MATCH (b:LgBatch) RETURN {ret} ORDER BY b.imported, b.id")
    if not len(df):
        return pd.DataFrame(columns=_BATCH_COLS)
    return df


def undo(store: Store, batch_id: str) -> dict:
    """Remove what only this batch contributed; strip its provenance from items other batches share.

    Links go first, then nodes; all in one atomic unit on either engine. Values a batch filled into an item
    that another batch also saw stay (values are not tracked per batch; the provenance records are).
    """
    found = store.query("MATCH (b:LgBatch {id: $id}) RETURN b.status AS status", {"id": batch_id})
    if not len(found):
        raise LinkgraphError(f"no import batch {batch_id!r} (see `linkgraph sources`)")
    if found["status"].iloc[0] == "undone":
        raise LinkgraphError(f"batch {batch_id} was already undone")

    def unit():
        out = store.remove_batch(batch_id)
        store.execute("MATCH (b:LgBatch {id: $id}) SET b.status = 'undone'", {"id": batch_id})
        return out

    out = store.atomic(unit)

    audit.record(store, "undo", f"batch {batch_id}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in out.items()))
    return out


def rebuild(store: Store, progress: bool = False) -> dict:
    """Delete the graph's nodes and links and make them again from the ledger alone (every import's
    statements, replayed in the order written, then the latest resolution). Batches, audit and decisions
    stay. Returns counts: parts, resolution (records whose entity was restored), nodes, links."""
    from linkgraph.importing.engine import _Progress

    with _Progress(progress) as prog:
        task = prog.task("rebuilding from the ledger", store.ledger.count_parts())
        out = store.rebuild(progress=lambda done, total: prog.advance(task, 1))
    audit.record(store, "rebuild", ", ".join(f"{k} {v}" for k, v in out.items()))
    return out


STATEMENT_COLUMNS = [
    "item",
    "type",
    "prop",
    "value",
    "source",
    "sheet",
    "row",
    "reliability",
    "credibility",
    "grading",
    "handling",
    "agency",
    "observed",
    "batch",
    "sha256",
]


def statements(store: Store, item: str | None = None, batch: str | None = None) -> pd.DataFrame:
    """The ledger's statements (what each row of each source said), of one item or one batch, in the order
    written: item, type, prop, value and the row's provenance."""
    table = store.ledger.read(batches=None if batch is None else [batch], items=None if item is None else [item])
    df = table.to_pandas()
    if not len(df):
        return pd.DataFrame(columns=STATEMENT_COLUMNS)
    df = df[df["prop"] != ""] if (df["prop"] != "").any() else df
    return df[STATEMENT_COLUMNS].astype(object).where(df[STATEMENT_COLUMNS].notna(), None).reset_index(drop=True)
