"""Provenance and grading: observation columns in, one provenance list per item out.

Writers hand the store one row per observation (an item seen on a row of a source), with the columns in
OBS_COLUMNS; the ledger keeps them. The graph keeps each item's summary columns (best grade, most restrictive
handling, first and last seen, batches), folded here column-wise (summary_rows, fold_summary). A reader who
wants the records gets them folded from the ledger's observations by fold_observations: one per (batch,
source, sheet, grading) with the rows as compact ranges ("2-40,57"), so that a hub such as a species seen on
a million rows has a bounded list while every row stays traceable.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from linkgraph import grading, handling

# observation column -> key in a provenance record
OBS_COLUMNS = {
    "_batch": "batch",
    "_source": "source",
    "_sha256": "sha256",
    "_sheet": "sheet",
    "_row": "rows",
    "_observed": "observed",
    "_reliability": "reliability",
    "_credibility": "credibility",
    "_handling": "handling",
    "_source_type": "source_type",
    "_agency": "agency",
    "_imported": "imported",
    "_grading": "grading",  # a grade in a system other than Admiralty, as given: "uk-3x5x2:2/B/C"
}
GROUP_KEYS = [
    "batch",
    "source",
    "sha256",
    "sheet",
    "reliability",
    "credibility",
    "grading",
    "handling",
    "source_type",
    "agency",
]
SUMMARY_COLUMNS = ["reliability", "credibility", "handling", "first_seen", "last_seen", "batches"]


def compact_rows(rows) -> str:
    """[2, 3, 4, 9] -> '2-4,9'."""
    nums = sorted({int(r) for r in rows if r is not None and not pd.isna(r)})
    out, i = [], 0
    while i < len(nums):
        j = i
        while j + 1 < len(nums) and nums[j + 1] == nums[j] + 1:
            j += 1
        out.append(str(nums[i]) if i == j else f"{nums[i]}-{nums[j]}")
        i = j + 1
    return ",".join(out)


def expand_rows(text: str | None) -> list[int]:
    out: list[int] = []
    for part in (text or "").split(","):
        if "-" in part:
            a, b = part.split("-")
            out.extend(range(int(a), int(b) + 1))
        elif part:
            out.append(int(part))
    return out


def _clean(v):
    if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA:
        return None
    return v


def merge_records(records: list[dict]) -> list[dict]:
    """Fold provenance records that share batch, source, sheet and grading into one, rows unioned."""
    groups: dict[tuple, dict] = {}
    rows: dict[tuple, list] = {}  # rows are unioned once per group at the end (a hub has many records)
    for rec in records:
        key = tuple(rec.get(k) for k in GROUP_KEYS)
        cur = groups.get(key)
        if cur is None:
            groups[key] = dict(rec)
            rows[key] = [rec.get("rows")]
            continue
        rows[key].append(rec.get("rows"))
        obs = [
            o
            for o in (cur.get("observed"), cur.get("observed_last"), rec.get("observed"), rec.get("observed_last"))
            if o
        ]
        if obs:
            cur["observed"], last = min(obs), max(obs)
            if last != cur["observed"]:
                cur["observed_last"] = last
        if rec.get("imported") and (not cur.get("imported") or rec["imported"] < cur["imported"]):
            cur["imported"] = rec["imported"]
    for key, parts in rows.items():
        if len(parts) > 1:
            groups[key]["rows"] = compact_rows([r for p in parts for r in expand_rows(p)])
    return sorted(
        groups.values(),
        key=lambda r: (r.get("batch") or "", r.get("source") or "", r.get("sheet") or "", r.get("rows") or ""),
    )


def summarise(records: list[dict]) -> dict:
    """The item's summary columns from its provenance records."""
    best = min(records, key=lambda r: grading.rank(r.get("reliability"), r.get("credibility")), default={})
    seen = [d for r in records for d in (r.get("observed"), r.get("observed_last")) if d]
    return {
        "reliability": best.get("reliability"),
        "credibility": best.get("credibility"),
        "handling": handling.most_restrictive(r.get("handling") for r in records),
        "first_seen": min(seen) if seen else None,
        "last_seen": max(seen) if seen else None,
        "batches": sorted({r["batch"] for r in records if r.get("batch")}),
    }


def dumps(records: list[dict]) -> str:
    return json.dumps(records, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def loads(text) -> list[dict]:
    if text is None or (isinstance(text, float) and pd.isna(text)) or text == "":
        return []
    return json.loads(text)


def fold_observations(df: pd.DataFrame, value_columns: list[str], list_columns: set[str]) -> pd.DataFrame:
    """One row per id: values first-non-null, list values unioned, observations folded into prov + summary.

    Vectorised: observations are grouped by (id, batch, source, sheet, grading) with pandas, and only the
    resulting groups, not the observations, are touched in Python. An import of a million rows makes
    millions of observations but few distinct groups per hub.
    """
    obs_cols = [c for c in OBS_COLUMNS if c in df.columns]
    if df.empty:
        return pd.DataFrame(columns=["id", *value_columns, "prov", *SUMMARY_COLUMNS])
    df = df.reset_index(drop=True)
    # 1. values: the first non-null per id; lists unioned in order of appearance
    scalars = [c for c in value_columns if c not in list_columns]
    out = (
        df.groupby("id", sort=False)[scalars].first()
        if scalars
        else pd.DataFrame(index=pd.Index(df["id"].drop_duplicates(), name="id"))
    )
    for col in value_columns:
        if col in list_columns:
            ex = df[["id", col]].explode(col).dropna(subset=[col]).drop_duplicates()
            agg = ex.groupby("id", sort=False)[col].agg(list)
            out[col] = agg.reindex(out.index)
    out = out.reset_index()
    # 2. provenance: one record per (id, batch, source, sheet, grading)
    keys = ["id", *[c for c in obs_cols if OBS_COLUMNS[c] in GROUP_KEYS]]
    g = df.groupby(keys, sort=False, dropna=False)
    recs = g.size().rename("_n").reset_index()
    if "_row" in df.columns:
        recs["rows"] = _compact_by_group(g.ngroup().to_numpy(), df["_row"].to_numpy(), len(recs))
    if "_observed" in df.columns:
        o = df["_observed"].where(df["_observed"].notna(), None)
        recs["observed"] = g["_observed"].min().to_numpy() if o.notna().any() else None
        recs["observed_last"] = g["_observed"].max().to_numpy() if o.notna().any() else None
    if "_imported" in df.columns:
        recs["imported"] = g["_imported"].min().to_numpy()
    recs = recs.drop(columns="_n").rename(columns={c: OBS_COLUMNS[c] for c in keys if c != "id"})
    if "observed_last" in recs.columns:
        recs.loc[recs["observed_last"] == recs["observed"], "observed_last"] = None
    multi = recs["id"].duplicated(keep=False).to_numpy()
    parts = [_fold_single_records(recs[~multi])]
    if multi.any():
        by_id = _records_by_id(recs[multi])
        rows = []
        for item, records in by_id.items():
            records = sorted(records, key=_record_order)
            rows.append({"id": item, "prov": dumps(records), **summarise(records)})
        parts.append(pd.DataFrame(rows))
    folded = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    folded = folded.set_index("id").reindex(out["id"])
    out["prov"] = folded["prov"].to_numpy()
    for c in SUMMARY_COLUMNS:
        col = folded[c].astype(object)
        out[c] = col.where(col.notna(), None).to_numpy()
    return out


def _fold_single_records(recs: pd.DataFrame) -> pd.DataFrame:
    """Items with one provenance record: JSON text and summary built column-wise, no per-item Python."""
    import numpy as np

    n = len(recs)
    out = pd.DataFrame({"id": recs["id"].to_numpy()})
    acc = np.full(n, "", dtype=object)
    for key in sorted(c for c in recs.columns if c != "id"):  # sorted keys: the same text dumps() writes
        col = recs[key].astype(object)
        present = col.notna().to_numpy()
        if not present.any():
            continue
        values = pd.unique(col[present])
        if present.all() and len(values) == 1:  # a whole write from one batch: most keys are constant
            one = str(int(values[0])) if key == "credibility" else json.dumps(values[0], ensure_ascii=False)
            frag = np.full(n, f'"{key}":{one}', dtype=object)
        else:
            if key == "credibility":
                text = col.map(lambda v: str(int(v)), na_action="ignore")
            elif key == "rows":  # digits, dashes and commas only: nothing to escape
                text = '"' + col.astype(str) + '"'
            else:
                text = col.map({v: json.dumps(v, ensure_ascii=False) for v in values}, na_action="ignore")
            frag = np.where(present, ('"' + key + '":') + text.fillna("").to_numpy(dtype=object), "")
        acc = np.where(acc == "", frag, np.where(frag == "", acc, acc + "," + frag))
    out["prov"] = "[{" + acc + "}]"
    none = pd.Series([None] * n, dtype=object)
    get = lambda k: (
        recs[k].astype(object).where(recs[k].notna(), None).reset_index(drop=True) if k in recs.columns else none
    )
    out["reliability"] = get("reliability")
    out["credibility"] = get("credibility").map(lambda v: None if v is None else int(v))
    out["handling"] = get("handling")
    out["first_seen"] = get("observed")
    last = get("observed_last")
    out["last_seen"] = last.where(last.notna(), get("observed"))
    out["batches"] = [[] if b is None else [b] for b in get("batch")]
    return out


def _record_order(r: dict):
    return (r.get("batch") or "", r.get("source") or "", r.get("sheet") or "", r.get("rows") or "")


def _compact_by_group(group, rows, n_groups: int) -> list[str | None]:
    """Each group's rows as compact ranges ('2-40,57'), computed with numpy over all observations at once."""
    import numpy as np

    r = pd.to_numeric(pd.Series(rows), errors="coerce").to_numpy(dtype="float64")
    keep = ~np.isnan(r)
    grp, r = group[keep], r[keep].astype(np.int64)
    out: list[str | None] = [None] * n_groups
    if not len(r):
        return out
    order = np.lexsort((r, grp))
    grp, r = grp[order], r[order]
    dup = np.zeros(len(r), dtype=bool)
    dup[1:] = (grp[1:] == grp[:-1]) & (r[1:] == r[:-1])
    grp, r = grp[~dup], r[~dup]
    start = np.ones(len(r), dtype=bool)
    start[1:] = (grp[1:] != grp[:-1]) | (r[1:] != r[:-1] + 1)
    idx = np.flatnonzero(start)
    ends = np.append(idx[1:], len(r)) - 1
    lo, hi, g_of = r[idx], r[ends], grp[idx]
    text = np.where(lo == hi, lo.astype(str), np.char.add(np.char.add(lo.astype(str), "-"), hi.astype(str)))
    for gi, t in zip(g_of.tolist(), text.tolist()):
        out[gi] = t if out[gi] is None else out[gi] + "," + t
    return out


def _records_by_id(recs: pd.DataFrame) -> dict[str, list[dict]]:
    """Provenance records per id, without the keys whose value is missing."""
    by_id: dict[str, list[dict]] = {}
    cols = [c for c in recs.columns if c != "id"]
    for row in recs[["id", *cols]].itertuples(index=False, name=None):
        rec = {}
        for k, v in zip(cols, row[1:]):
            v = _clean(v)
            if v is None:
                continue
            if k == "credibility":
                v = int(v)
            elif k == "observed_last" and v == rec.get("observed"):
                continue
            rec[k] = v
        by_id.setdefault(row[0], []).append(rec)
    return by_id


def _same(a, b) -> bool:
    a, b = _clean(a), _clean(b)
    a, b = (v.tolist() if hasattr(v, "tolist") and not isinstance(v, (str, int, float)) else v for v in (a, b))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return list(a or []) == list(b or [])
    if a is None or b is None:
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    return a == b


# --- the projection's summary, without the provenance list -------------------------------------------------
# The graph keeps, per item, its values and the summary columns; the provenance records themselves are the
# ledger's (linkgraph.store.ledger), folded by fold_observations when a reader asks for them. Folding and
# merging the summary is column-wise: groupby over the observations and the stored rows together.
def summary_rows(df: pd.DataFrame) -> pd.DataFrame:
    """Observation rows (OBS_COLUMNS) as summary rows: the item's columns plus SUMMARY_COLUMNS."""
    out = df.drop(columns=[c for c in OBS_COLUMNS if c in df.columns]).reset_index(drop=True)
    get = lambda c: df[c].reset_index(drop=True) if c in df.columns else pd.Series([None] * len(df), dtype=object)
    out["reliability"] = get("_reliability")
    out["credibility"] = get("_credibility")
    out["handling"] = get("_handling")
    out["first_seen"] = get("_observed")
    out["last_seen"] = get("_observed")
    out["batches"] = get("_batch")  # a batch id per observation; fold_summary unions them into a list
    out["prov"] = None
    return out


def _ranked_first(df: pd.DataFrame, rank: pd.Series, ascending: bool) -> pd.Series:
    """Per id, the row index of the best rank (first such row on a tie)."""
    r = rank.to_numpy()
    order = pd.DataFrame({"id": df["id"].to_numpy(), "r": r if ascending else -r, "i": range(len(df))})
    order = order.sort_values(["r", "i"], kind="stable").drop_duplicates("id")
    return order.set_index("id")["i"]


def fold_summary(df: pd.DataFrame, value_columns: list[str], list_columns: set[str]) -> pd.DataFrame:
    """One row per id from summary rows (summary_rows, stored items, or both, earlier rows first): values the
    first non-null, lists unioned in order, the best grade, the most restrictive handling, the earliest first
    and latest last seen, the batches unioned and sorted; `prov` the first stored one (items written before
    the ledger, and SAME_AS links, keep theirs)."""
    df = df.reset_index(drop=True)
    if df.empty:
        return pd.DataFrame(columns=["id", *value_columns, "prov", *SUMMARY_COLUMNS])
    scalars = [c for c in value_columns if c not in list_columns and c in df.columns]
    g = df.groupby("id", sort=False)
    out = g[[*scalars, "prov"]].first() if scalars else g[["prov"]].first()
    for col in value_columns:
        if col in list_columns and col in df.columns:
            ex = df[["id", col]].explode(col).dropna(subset=[col]).drop_duplicates()
            out[col] = ex.groupby("id", sort=False)[col].agg(list).reindex(out.index)
    # grade: the best by grading.rank, computed once per distinct (reliability, credibility)
    rel_all, cred_all = df["reliability"].astype(object), df["credibility"].astype(object)
    pair_codes, uniques = pd.factorize(pd.Series(list(zip(rel_all, cred_all))), use_na_sentinel=False)
    score = []
    for r, c in uniques:
        t = grading.rank(_clean(r), None if _clean(c) is None else int(c))
        score.append(t[0] * 100 + t[1] * 10 + t[2])
    best = _ranked_first(df, pd.Series(np.asarray(score)[pair_codes]), True)
    at = best.reindex(out.index).to_numpy()
    out["reliability"] = [_clean(v) for v in rel_all.to_numpy()[at]]
    out["credibility"] = [None if _clean(v) is None else int(v) for v in cred_all.to_numpy()[at]]
    # handling: the most restrictive, normalised (once per distinct code)
    h_codes, h_uniques = pd.factorize(df["handling"].astype(object))
    canon_u = [handling.normalise(v) for v in h_uniques]
    rank_u = np.asarray([handling.rank(v) if v is not None else -1 for v in canon_u] + [-1])
    canon_u.append(None)  # the code -1 (blank) indexes the last entry
    top = _ranked_first(df, pd.Series(rank_u[h_codes]), False).reindex(out.index).to_numpy()
    out["handling"] = [canon_u[c] for c in h_codes[top]]
    # dates: ISO text, partial dates kept partial, so the text order is the time order
    for col, how in (("first_seen", "min"), ("last_seen", "max")):
        s = df[["id", col]].dropna(subset=[col])
        out[col] = s.groupby("id", sort=False)[col].agg(how).reindex(out.index).astype(object)
    # batches: most items come from one batch; only those from several need a list built per item
    b = df[["id", "batches"]].explode("batches").dropna(subset=["batches"]).drop_duplicates()
    b = b.sort_values(["id", "batches"], kind="stable")
    several = b["id"].duplicated(keep=False).to_numpy()
    lists = dict(zip(b["id"].to_numpy()[~several], ([x] for x in b["batches"].to_numpy()[~several])))
    if several.any():
        lists.update(b[several].groupby("id", sort=False)["batches"].agg(list).to_dict())
    out["batches"] = [lists.get(i, []) for i in out.index]
    out = out.reset_index()
    for c in ("first_seen", "last_seen", "prov"):
        out[c] = out[c].astype(object).where(out[c].notna(), None)
    return out


def changed_rows(merged: pd.DataFrame, existing: pd.DataFrame, columns: list[str]) -> pd.Series:
    """Per merged row, whether any of `columns` differs from the stored row of the same id."""
    ex = existing.drop_duplicates("id").set_index("id").reindex(merged["id"])
    diff = pd.Series(False, index=merged.index)
    for c in columns:
        if c not in merged.columns:
            continue
        new = merged[c].tolist()
        old = ex[c].tolist() if c in ex.columns else [None] * len(merged)
        diff |= pd.Series([not _same(a, b) for a, b in zip(new, old)], index=merged.index)
    return diff
