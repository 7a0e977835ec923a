"""Provenance and grading: observation columns in, one provenance list per item out.

Writers hand the store one row per observation (an item seen on a row of a source), with the columns in
OBS_COLUMNS. The store folds observations of the same item into its `prov` property, a JSON list of records,
one per (batch, source, sheet, grading) with the rows as compact ranges ("2-40,57"), so that a hub such as a
species seen on a million rows keeps a bounded provenance while every row stays traceable. The item's summary
columns (best grade, most restrictive handling, first and last seen) are derived from that list here and
nowhere else.
"""
from __future__ import annotations

import json
import re

import pandas as pd

from linkgraph.errors import LinkgraphError

# observation column -> key in a provenance record
OBS_COLUMNS = {
    "_batch": "batch", "_source": "source", "_sha256": "sha256", "_sheet": "sheet", "_row": "rows",
    "_observed": "observed", "_reliability": "reliability", "_credibility": "credibility",
    "_handling": "handling", "_source_type": "source_type", "_agency": "agency", "_imported": "imported",
}
GROUP_KEYS = ["batch", "source", "sha256", "sheet", "reliability", "credibility", "handling",
              "source_type", "agency"]
SUMMARY_COLUMNS = ["reliability", "credibility", "handling", "first_seen", "last_seen", "batches"]

RELIABILITY = "ABCDEF"
CREDIBILITY = "123456"
# Most restrictive last. TLP 2.0, UK 3x5x2 handling (P permitted, C with conditions), legacy 5x5x5 (1-5).
# An unknown code ranks above all of them: when in doubt, treat it as the most restrictive.
HANDLING_ORDER = ["TLP:CLEAR", "CLEAR", "P", "1", "TLP:GREEN", "GREEN", "2", "3", "C", "TLP:AMBER", "AMBER",
                  "4", "TLP:AMBER+STRICT", "AMBER+STRICT", "5", "TLP:RED", "RED"]
_HANDLING_RANK = {c: i for i, c in enumerate(HANDLING_ORDER)}

_GRADE_RE = re.compile(r"^\s*([A-Fa-f])\s*[/-]?\s*([1-6])\s*$")


def parse_grade(text: str | None) -> tuple[str | None, int | None]:
    """'B2' (or 'b/2', 'B-2') -> ('B', 2). None or '' -> (None, None). Anything else is an error."""
    if text is None or (isinstance(text, float) and pd.isna(text)) or str(text).strip() == "":
        return None, None
    m = _GRADE_RE.match(str(text))
    if not m:
        raise LinkgraphError(f"grade {text!r} is not an Admiralty grade: source A-F then information 1-6, e.g. B2")
    return m.group(1).upper(), int(m.group(2))


def grade_rank(reliability: str | None, credibility: int | None) -> tuple[int, int]:
    """Sort key, best first. Ungraded sorts after every grade."""
    r = RELIABILITY.index(reliability) if reliability in tuple(RELIABILITY) else 9
    c = int(credibility) - 1 if credibility is not None and not pd.isna(credibility) else 9
    return (r + c, r)


def meets_grade(reliability: str | None, credibility: int | None, minimum: str) -> bool:
    """True when the grade is at or above `minimum` (reliability and credibility both at least as good)."""
    min_r, min_c = parse_grade(minimum)
    if reliability is None or credibility is None or pd.isna(credibility):
        return False
    return RELIABILITY.index(reliability) <= RELIABILITY.index(min_r) and int(credibility) <= min_c


def handling_rank(code: str | None) -> int:
    if code is None or (isinstance(code, float) and pd.isna(code)) or code == "":
        return -1
    return _HANDLING_RANK.get(str(code).strip().upper(), len(HANDLING_ORDER))


def most_restrictive(codes) -> str | None:
    codes = [c for c in codes if handling_rank(c) >= 0]
    return max(codes, key=handling_rank) if codes else None


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
    for rec in records:
        key = tuple(rec.get(k) for k in GROUP_KEYS)
        cur = groups.get(key)
        if cur is None:
            groups[key] = dict(rec)
            continue
        cur["rows"] = compact_rows(expand_rows(cur.get("rows")) + expand_rows(rec.get("rows")))
        obs = [o for o in (cur.get("observed"), cur.get("observed_last"), rec.get("observed"),
                           rec.get("observed_last")) if o]
        if obs:
            cur["observed"], last = min(obs), max(obs)
            if last != cur["observed"]:
                cur["observed_last"] = last
        if rec.get("imported") and (not cur.get("imported") or rec["imported"] < cur["imported"]):
            cur["imported"] = rec["imported"]
    return sorted(groups.values(), key=lambda r: (r.get("batch") or "", r.get("source") or "",
                                                  r.get("sheet") or "", r.get("rows") or ""))


def summarise(records: list[dict]) -> dict:
    """The item's summary columns from its provenance records."""
    best = min(records, key=lambda r: grade_rank(r.get("reliability"), r.get("credibility")), default={})
    seen = [d for r in records for d in (r.get("observed"), r.get("observed_last")) if d]
    return {
        "reliability": best.get("reliability"),
        "credibility": best.get("credibility"),
        "handling": most_restrictive(r.get("handling") for r in records),
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

    The common case (an id observed once) is vectorised; only repeated ids take the per-group path.
    """
    obs_cols = [c for c in OBS_COLUMNS if c in df.columns]
    if df.empty:
        return pd.DataFrame(columns=["id", *value_columns, "prov", *SUMMARY_COLUMNS])
    dup = df["id"].duplicated(keep=False)
    parts = []
    single = df[~dup]
    if len(single):
        parts.append(_fold_single(single, value_columns, obs_cols))
    multi = df[dup]
    if len(multi):
        parts.append(_fold_groups(multi, value_columns, list_columns, obs_cols))
    return pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]


def _record(row: dict, obs_cols: list[str]) -> dict:
    rec = {}
    for col in obs_cols:
        v = _clean(row.get(col))
        if v is None:
            continue
        key = OBS_COLUMNS[col]
        if key == "rows":
            v = str(int(v))
        elif key == "credibility":
            v = int(v)
        rec[key] = v
    return rec


def _fold_single(df: pd.DataFrame, value_columns: list[str], obs_cols: list[str]) -> pd.DataFrame:
    out = df[["id", *value_columns]].copy()
    obs = df[obs_cols]
    # Per-row JSON is the hot path of a bulk import: build each record from its few distinct values.
    records = [_record(r, obs_cols) for r in obs.to_dict("records")] if len(obs) < 2000 else None
    if records is None:
        cache: dict[tuple, str] = {}
        proto = [c for c in obs_cols if c not in ("_row", "_observed")]
        prov, keys = [], obs[proto].astype(object).where(obs[proto].notna(), None).itertuples(index=False, name=None)
        rows = obs["_row"].tolist() if "_row" in obs else [None] * len(obs)
        seen = obs["_observed"].tolist() if "_observed" in obs else [None] * len(obs)
        quoted: dict = {}
        for key, row, observed in zip(keys, rows, seen):
            head = cache.get(key)
            if head is None:
                rec = _record(dict(zip(proto, key)), proto)
                head = cache[key] = dumps([rec])[1:-2]  # '{"batch":...' without the closing brace
            parts = [head] if head != "{" else []
            if observed is not None and observed == observed:
                q = quoted.get(observed)
                if q is None:
                    q = quoted[observed] = json.dumps(observed, ensure_ascii=False)
                parts.append('"observed":' + q)
            if row is not None and row == row:
                parts.append(f'"rows":"{int(row)}"')
            body = ",".join(parts)
            prov.append("[" + (body if head != "{" else "{" + body) + "}]")
        out["prov"] = prov
        # sort_keys is not kept by the concatenation above; readers parse, they never compare text
        rel = obs["_reliability"] if "_reliability" in obs else None
        out["reliability"] = rel.astype(object).where(rel.notna(), None) if rel is not None else None
        cred = obs["_credibility"] if "_credibility" in obs else None
        out["credibility"] = ([None if _clean(c) is None else int(c) for c in cred.tolist()]
                              if cred is not None else None)
        hand = obs["_handling"] if "_handling" in obs else None
        out["handling"] = hand.astype(object).where(hand.notna(), None) if hand is not None else None
        seen_s = obs["_observed"].astype(object).where(obs["_observed"].notna(), None) if "_observed" in obs else None
        out["first_seen"] = seen_s
        out["last_seen"] = seen_s
        out["batches"] = [[b] if b else [] for b in obs["_batch"].tolist()] if "_batch" in obs else [[]] * len(obs)
        return out
    out["prov"] = [dumps([r]) for r in records]
    summ = pd.DataFrame([summarise([r]) for r in records], index=out.index)
    for c in SUMMARY_COLUMNS:
        out[c] = summ[c].astype(object).where(summ[c].notna(), None)
    return out


def _fold_groups(df: pd.DataFrame, value_columns: list[str], list_columns: set[str],
                 obs_cols: list[str]) -> pd.DataFrame:
    rows_out = []
    for item_id, g in df.groupby("id", sort=False):
        rec = {"id": item_id}
        for col in value_columns:
            vals = g[col].tolist()
            if col in list_columns:
                merged: list = []
                for v in vals:
                    for x in (v if isinstance(v, (list, tuple)) else []):
                        if x not in merged:
                            merged.append(x)
                rec[col] = merged or None
            else:
                rec[col] = next((_clean(v) for v in vals if _clean(v) is not None), None)
        records = merge_records([_record(r, obs_cols) for r in g[obs_cols].to_dict("records")])
        rec["prov"] = dumps(records)
        rec.update(summarise(records))
        rows_out.append(rec)
    return pd.DataFrame(rows_out)


def merge_existing(existing: dict, incoming: dict, value_columns: list[str], list_columns: set[str]) -> dict | None:
    """Fold an incoming item into the stored one. Returns the new row, or None when nothing changes.

    Stored values win; incoming values only fill what is missing, so re-running an import changes nothing
    and a later source cannot silently overwrite an earlier one (both stay in the provenance).
    """
    out = dict(existing)
    for col in value_columns:
        old, new = _clean(existing.get(col)), _clean(incoming.get(col))
        if col in list_columns:
            merged = list(old or [])
            merged += [x for x in (new or []) if x not in merged]
            out[col] = merged or None
        elif old is None and new is not None:
            out[col] = new
    records = merge_records(loads(existing.get("prov")) + loads(incoming.get("prov")))
    out["prov"] = dumps(records)
    out.update(summarise(records))
    same = (merge_records(loads(existing.get("prov"))) == records
            and all(_same(out.get(c), existing.get(c)) for c in [*value_columns, *SUMMARY_COLUMNS]))
    return None if same else out


def _same(a, b) -> bool:
    a, b = _clean(a), _clean(b)
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
