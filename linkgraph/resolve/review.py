"""Spreadsheet round trips for entity resolution.

    export_review(store, path_xlsx) -> int        the review queue, record A beside record B, a decision column
    import_review(store, path_xlsx) -> dict       the analyst's match / no-match decisions -> LgDecision, re-resolve
    dedupe_file(path, out, ...) -> DataFrame      standalone "dedupe this suspects list" (CSV or XLSX in and out)

Every text cell written is neutralised against formula injection (linkgraph.safe.neutralise).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.resolve.graph import REVIEW, add_decisions, records, resolution_links, resolve_store
from linkgraph.safe import neutralise
from linkgraph.safezip import WORKBOOK, check_archive
from linkgraph.store import audit

__all__ = ["export_review", "import_review", "review_pairs", "dedupe_file", "read_table", "parse_mapping"]

SHEET = "review"
CHOICES = ("match", "no-match")
_ACCEPT = {
    "match": "match",
    "same": "match",
    "yes": "match",
    "no-match": "no-match",
    "no match": "no-match",
    "nomatch": "no-match",
    "no_match": "no-match",
    "different": "no-match",
    "no": "no-match",
}
_SIDE = ["name", "birth_date", "nationality", "phones", "passports", "id_numbers", "source", "sheet", "rows"]


def _text(v) -> str | None:
    if isinstance(v, (list, tuple)):
        return "; ".join(str(x) for x in v) or None
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return str(v)


def review_pairs(store) -> pd.DataFrame:
    """The review queue (SAME_AS links with decision 'review'), best first, record A beside record B,
    with the evidence of each comparison as 'level (+weight)' columns."""
    links = resolution_links(store)  # between records: the graph draws them between the entities' nodes
    if len(links):
        links = links[links["decision"] == REVIEW].rename(
            columns={"id": "pair", "source": "record_a", "target": "record_b", "score": "probability"}
        )
    base = ["decision", "note", "probability", "weight"] + [f"{c}_{s}" for c in _SIDE for s in "ab"] + ["reason"]
    if not len(links):
        return pd.DataFrame(columns=base + ["record_a", "record_b"])
    recs = records(store).set_index("record_id")
    rows, comp_names = [], []
    links = links.sort_values(["probability", "pair"], ascending=[False, True])
    for r in links.itertuples():
        ev = json.loads(r.evidence) if r.evidence else {}
        row = {
            "decision": None,
            "note": None,
            "probability": round(float(r.probability), 4),
            "weight": ev.get("weight"),
        }
        for c in _SIDE:
            for s, rid in (("a", r.record_a), ("b", r.record_b)):
                row[f"{c}_{s}"] = _text(recs.at[rid, c]) if rid in recs.index else None
        row["reason"] = ev.get("reason")
        for name, v in (ev.get("comparisons") or {}).items():
            if name not in comp_names:
                comp_names.append(name)
            row[name] = v["level"] if v.get("level") == "null" else f"{v['level']} ({float(v['weight']):+.2f})"
        row["record_a"], row["record_b"] = r.record_a, r.record_b
        rows.append(row)
    return pd.DataFrame(rows, columns=base + comp_names + ["record_a", "record_b"])


def export_review(store, path) -> int:
    """Write the review queue to an .xlsx an analyst fills in: one row per pair, a `decision` column with a
    match / no-match list, a free `note`. Returns the number of pairs written."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    df = review_pairs(store)
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    ws.append([neutralise(str(c)) for c in df.columns])
    for row in df.itertuples(index=False):
        ws.append(
            [
                neutralise(v)
                if isinstance(v, str)
                else (None if v is None or (isinstance(v, float) and pd.isna(v)) else v)
                for v in row
            ]
        )
    for cell in ws[1]:
        cell.font = Font(bold=True)
    col = {c: get_column_letter(i + 1) for i, c in enumerate(df.columns)}
    last = max(len(df) + 1, 2)
    dv = DataValidation(
        type="list",
        formula1='"' + ",".join(CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="decision",
        error="Choose match or no-match (or leave blank)",
    )
    dv.add(f"{col['decision']}2:{col['decision']}{last}")
    ws.add_data_validation(dv)
    fill = PatternFill("solid", fgColor="FFF2CC")
    for r in range(2, last + 1):
        ws[f"{col['decision']}{r}"].fill = fill
    ws.freeze_panes = "C2"
    for c, letter in col.items():
        ws.column_dimensions[letter].width = 12 if c in ("decision", "probability", "weight") else 24
    for cell in ws[1]:
        cell.alignment = Alignment(wrap_text=True)
    about = wb.create_sheet("how to")
    for line in [
        "Entity resolution review: each row is a pair of records the engine could not decide.",
        "Fill the decision column with match (same entity) or no-match (different entities); leave blank to skip.",
        "Then run: linkgraph review import THIS_FILE.xlsx",
        "Decisions are stored in the graph and honoured by every later import and resolution.",
        "Columns ending _a / _b are record A and record B; the comparison columns give each feature's level "
        "and its log2 match weight (positive: evidence for a match).",
        "Do not edit record_a / record_b: they identify the records.",
    ]:
        about.append([line])
    about.column_dimensions["A"].width = 120
    path = Path(path)
    try:
        wb.save(path)
    except OSError as e:
        raise LinkgraphError(f"cannot write {path}: {e.strerror or e}") from None
    return len(df)


def import_review(store, path, user: str | None = None) -> dict:
    """Read the analyst's decisions from a review workbook, store them (LgDecision) and resolve again.

    A bad value stops the import with one line naming the file, sheet, row and column; nothing is stored
    then. Returns {decisions (stored), match, no-match, blank} plus the counts of resolve_store. Both the import
    and a refusal (with its reason) are written to the audit log.
    """

    path = Path(path)
    with audit.refusals(store, "review import", path.name):
        out = _import_review(store, path, user)
    audit.record(
        store,
        "review import",
        f"{path.name}: {out['decisions']} decisions stored ({out['match']} match, {out['no-match']} no-match, "
        f"{out['blank']} blank)",
        user=user,
    )
    return out


def _import_review(store, path: Path, user: str | None) -> dict:
    from openpyxl import load_workbook
    from openpyxl.utils import get_column_letter

    if not path.exists():
        raise LinkgraphError(f"{path}: no such file")
    check_archive(path, WORKBOOK)  # openpyxl would trust the zip's headers
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as e:  # zip/xml errors of a damaged or non-xlsx file
        raise LinkgraphError(f"{path.name}: not a readable .xlsx workbook ({type(e).__name__})") from None
    try:
        if SHEET not in wb.sheetnames:
            raise LinkgraphError(f"{path.name}: no sheet {SHEET!r} (export one with `linkgraph review export`)")
        ws = wb[SHEET]
        rows = ws.iter_rows(values_only=True)
        header = [str(h).strip().lstrip("'") if h is not None else "" for h in next(rows, [])]
        need = ["decision", "record_a", "record_b"]
        missing = [c for c in need if c not in header]
        if missing:
            raise LinkgraphError(f"{path.name}, sheet {SHEET}, row 1: missing column {missing[0]!r}")
        pos = {c: header.index(c) for c in [*need, "note"] if c in header}
        known = set(records(store)["record_id"])
        out, counts = [], {"match": 0, "no-match": 0, "blank": 0}
        for i, row in enumerate(rows, start=2):
            row = list(row) + [None] * (len(header) - len(row))
            raw = row[pos["decision"]]
            if raw is None or str(raw).strip() == "":
                counts["blank"] += 1
                continue
            d = _ACCEPT.get(str(raw).strip().lower())
            where = f"{path.name}, sheet {SHEET}, row {i}"
            if d is None:
                letter = get_column_letter(pos["decision"] + 1)
                raise LinkgraphError(f"{where}, column {letter} (decision): {str(raw)[:60]!r} is not match or no-match")
            ids = []
            for c in ("record_a", "record_b"):
                v = "" if row[pos[c]] is None else str(row[pos[c]]).strip()
                if v not in known:
                    letter = get_column_letter(pos[c] + 1)
                    raise LinkgraphError(f"{where}, column {letter} ({c}): no record {v[:60]!r} in the store")
                ids.append(v)
            note = row[pos["note"]] if "note" in pos and row[pos["note"]] is not None else ""
            out.append({"left_id": ids[0], "right_id": ids[1], "decision": d, "note": str(note)})
            counts[d] += 1
    finally:
        wb.close()
    stored = add_decisions(store, out, user=user)
    return {"decisions": stored, **counts, **resolve_store(store)}


# --------------------------------------------------------------------------- standalone dedupe


def read_table(path) -> pd.DataFrame:
    """A CSV (UTF-8, UTF-8 with BOM, UTF-16 or cp1252) or the first sheet of an XLSX, every cell as text."""
    path = Path(path)
    if not path.exists():
        raise LinkgraphError(f"{path}: no such file")
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            check_archive(path, WORKBOOK)  # pandas hands the zip to openpyxl, which trusts its headers
            return pd.read_excel(path, dtype=str, keep_default_na=False, na_values=[""])
        if suffix not in (".csv", ".txt", ".tsv"):
            raise LinkgraphError(f"{path.name}: give a .csv or .xlsx file")
        raw = path.read_bytes()
        enc = "utf-16" if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else "utf-8-sig"
        try:
            raw.decode(enc)
        except UnicodeDecodeError:
            enc = "cp1252"
        return pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            encoding=enc,
            sep="\t" if suffix == ".tsv" else None,
            engine="python",
        )
    except LinkgraphError:
        raise
    except Exception as e:  # parser errors of a malformed file
        raise LinkgraphError(f"{path.name}: cannot read ({str(e).splitlines()[0][:120]})") from None


def parse_mapping(items) -> dict:
    """["Suspect=name", "Tel 1=phones", "Tel 2=phones"] -> {"name": ["Suspect"], "phones": ["Tel 1", "Tel 2"]}."""
    from linkgraph.resolve.table import COLUMN_SYNONYMS

    out: dict[str, list] = {}
    for item in items or []:
        col, sep, field = str(item).rpartition("=")
        field = field.strip()
        if not sep or not col:
            raise LinkgraphError(f"--map {item!r}: write COLUMN=FIELD, e.g. --map 'Suspect name=name'")
        if field not in COLUMN_SYNONYMS:
            raise LinkgraphError(f"--map {item!r}: unknown field {field!r}; fields: {', '.join(COLUMN_SYNONYMS)}")
        out.setdefault(field, []).append(col)
    return out


def dedupe_file(path, out, id_column: str | None = None, mapping: dict | None = None, settings=None) -> pd.DataFrame:
    """De-duplicate a suspects list: every input row with record_id, entity_id, entity_size, best_match,
    match_probability, match_outcome and match_reasons, written to `out` (.csv or .xlsx, cells neutralised).
    Returns the annotated table."""
    from linkgraph.resolve.table import dedupe_table, map_columns

    name = Path(path).name
    df = read_table(path)
    if not len(df):
        raise LinkgraphError(f"{name}: no rows")
    try:
        cols = map_columns(list(df.columns), mapping)
        if not any(k in cols for k in ("name", "given_name", "family_name", "org_name")):
            raise ValueError("no name column recognised: name one with --map COLUMN=name")
        res = dedupe_table(df, id_column=id_column, mapping=mapping, settings=settings)
    except ValueError as e:
        raise LinkgraphError(f"{name}: {e}") from None
    safe = res.map(lambda v: neutralise(v) if isinstance(v, str) else v)
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    out = Path(out)
    try:
        if out.suffix.lower() == ".xlsx":
            safe.to_excel(
                out,
                index=False,
                engine="xlsxwriter",
                engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
            )
        else:
            safe.to_csv(out, index=False, encoding="utf-8")
    except OSError as e:
        raise LinkgraphError(f"cannot write {out}: {e.strerror or e}") from None
    return res
