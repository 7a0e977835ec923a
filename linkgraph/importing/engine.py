"""The import engine: a file's rows become observation DataFrames, written chunk by chunk as one import batch.

Flow per file: hash it, open its sheets, pick (or check) the spec from the headers, then for each chunk of
rows: transform the mapped columns (once per distinct value), collect bad rows, build one observation row per
entity and link seen on each row, and hand the frames to Store.write. The chunks run under
Store.atomic_batches: each chunk commits, the batch is marked `importing` until the file is done, and a bad
row found in the last chunk removes what the earlier chunks wrote, so the file lands whole or not at all
while memory stays bounded by the chunk size (one transaction for the whole file would hold all of it in
memory; validating every chunk before writing would read and transform the file twice). A small file is one
chunk, hence one write.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from linkgraph import grading, handling
from linkgraph.errors import LinkgraphError
from linkgraph.importing import transforms as tr
from linkgraph.importing.readers import Sheet, col_letter, open_sheets
from linkgraph.importing.spec import Column, EntitySpec, Prop, Spec, builtin_specs, get_spec, header_key
from linkgraph.safe import neutralise
from linkgraph.schema import link_id, load_schema, node_id
from linkgraph.store.base import Store, WriteStats
from linkgraph.store.system import record_batch

CHUNK_ROWS = 100_000
_CACHE_LIMIT = 500_000
_cache: dict[str, dict] = {}


# --- results -----------------------------------------------------------------------------------------------
@dataclass
class SheetResult:
    file: str
    sheet: str | None
    spec: str
    batch: str
    header_row: int
    rows: int = 0
    imported_rows: int = 0
    rejected: int = 0
    skipped_filtered: int = 0
    status: str = "imported"  # imported | already imported | dry run | skipped
    note: str = ""
    observations: dict[str, int] = field(default_factory=dict)
    samples: list[dict] = field(default_factory=list)


@dataclass
class FileResult:
    path: str
    sha256: str
    spec: str
    spec_reason: str
    sheets: list[SheetResult] = field(default_factory=list)
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    rejected_path: str | None = None
    skipped_sheets: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    files: list[FileResult] = field(default_factory=list)
    dry_run: bool = False

    @property
    def batches(self) -> list[str]:
        return [s.batch for f in self.files for s in f.sheets]

    def counts(self) -> pd.DataFrame:
        """Created and updated by type, over every file (dry run: observations by type)."""
        rows: dict[str, dict] = {}
        for f in self.files:
            for k, v in f.created.items():
                rows.setdefault(k, {"type": k, "created": 0, "updated": 0})["created"] += v
            for k, v in f.updated.items():
                rows.setdefault(k, {"type": k, "created": 0, "updated": 0})["updated"] += v
            if self.dry_run:
                for s in f.sheets:
                    for k, v in s.observations.items():
                        rows.setdefault(k, {"type": k, "observations": 0})
                        rows[k]["observations"] = rows[k].get("observations", 0) + v
        cols = ["type", "observations"] if self.dry_run else ["type", "created", "updated"]
        return pd.DataFrame(list(rows.values()), columns=cols)


# --- spec choice and header mapping ------------------------------------------------------------------------
@dataclass
class Mapping:
    header_idx: int
    positions: dict[str, int]  # field -> column position
    headers: list[str]
    missing: list[str]

    @property
    def score(self) -> int:
        return len(self.positions)


def map_headers(spec: Spec, sheet: Sheet) -> Mapping | None:
    """The best header row of the preview for the spec (most columns matched, all required ones)."""
    alias = {k: c.name for c in spec.columns.values() for k in c.keys}
    best = None
    for idx, row in enumerate(sheet.preview):
        positions: dict[str, int] = {}
        for pos, cell in enumerate(row):
            name = alias.get(header_key(cell)) if cell else None
            if name is None:
                continue
            if name in positions:
                first = row[positions[name]]
                raise LinkgraphError(
                    f'{sheet.label()}, row {idx + 1}: header "{cell}" (column {col_letter(pos)}) '
                    f'repeats "{first}" (column {col_letter(positions[name])}); rename one'
                )
            positions[name] = pos
        if not positions:
            continue
        missing = [c.name for c in spec.required if c.name not in positions]
        m = Mapping(idx, positions, row, missing)
        key = (not missing, m.score)
        if best is None or key > (not best.missing, best.score):
            best = m
    return best


def choose_spec(sheets: list[Sheet]) -> tuple[Spec, str]:
    """The built-in spec whose headers fit best; the reason, for the report."""
    scored = []
    for spec in builtin_specs().values():
        for sh in sheets:
            if not sh.preview:
                continue
            try:
                m = map_headers(spec, sh)
            except LinkgraphError:
                continue
            if m is not None and not m.missing:
                scored.append((m.score / max(len(spec.columns), 1), m.score, spec, m))
    if not scored:
        raise LinkgraphError(
            f"{sheets[0].file.name}: no built-in import spec matches its headers; "
            "name one with --spec (see `linkgraph specs`) or write your own"
        )
    scored.sort(key=lambda t: (t[1], t[0]), reverse=True)
    frac, score, spec, m = scored[0]
    return spec, f"chosen from the headers: {score} of {len(spec.columns)} columns matched"


# --- per-chunk mapping -------------------------------------------------------------------------------------
@dataclass
class SheetSource:
    """Where a sheet's rows come from and how they are graded: what every observation of the sheet carries."""

    file: Path
    sha256: str
    sheet: str | None
    batch: str
    imported: str
    source: str | None
    grade: tuple[str | None, int | None]
    grade_forced: bool
    handling: str | None
    handling_forced: bool
    label: str


def _text(s: pd.Series) -> pd.Series:
    """A raw column as object dtype: text stripped, list cells (reports) kept."""
    if s.dtype != object:
        return s.str.strip().astype(object)
    if s.map(type).eq(str).all():
        return s.str.strip()
    return s.map(
        lambda v: (
            v.strip()
            if isinstance(v, str)
            else v
            if isinstance(v, list)
            else ("" if v is None or (isinstance(v, float) and v != v) else str(v))
        )
    )


def _blank(s: pd.Series) -> pd.Series:
    """Blank cells: None, NaN, whitespace, empty lists."""
    t = s.astype(str)
    return (s.isna() | t.str.strip().eq("") | t.eq("[]")).astype(bool)


def _apply(col: Column, s: pd.Series, ctx: pd.Series | None):
    """Transform a column once per distinct (text, context). Returns values, extras and error notes."""
    name = col.transform
    fn = tr.TRANSFORMS[name]
    cache = _cache.setdefault(f"{name}|{json.dumps(col.args, sort_keys=True)}", {})
    if len(cache) > _CACHE_LIMIT:
        cache.clear()
    if ctx is None:
        keys = s
    else:
        keys = s.astype(str) + "\x1f" + ctx.fillna("").astype(str)
        free = tr.context_free(name, s)
        if free is not None:
            keys = keys.where(~free, s.astype(str) + "\x1f")
    uniq = pd.unique(keys[~_blank(s)])
    for k in uniq:
        if k not in cache:
            if ctx is None:
                text, c = k, None
            else:
                text, _, c = k.rpartition("\x1f")
            try:
                cache[k] = fn(text, c or None, **col.args)
            except Exception as e:  # a normaliser bug must not become a traceback for the user
                cache[k] = tr.T(None, False, f'cannot read "{text[:60]}" ({type(e).__name__})')
    res = {k: cache[k] for k in uniq}
    values = keys.map({k: r.value for k, r in res.items()})
    ok = keys.map({k: r.ok for k, r in res.items()})
    notes = keys.map({k: r.note for k, r in res.items() if not r.ok})
    extra_names = sorted({e for r in res.values() for e in r.extras})
    extras = {e: keys.map({k: r.extras.get(e) for k, r in res.items()}) for e in extra_names}
    blank = _blank(s)
    values = values.where(~blank, None).astype(object)
    ok = ok.where(~blank, True).astype(bool)
    return values, extras, ok, notes


def _apply_list(col: Column, s: pd.Series):
    """A list-valued cell (split text or a report's list column): transform each item, drop the failures."""
    fn = tr.TRANSFORMS[col.transform] if col.transform else None
    vals, extras = [], {}
    for cell in s.tolist():
        items = (
            cell
            if isinstance(cell, list)
            else (
                [p.strip() for p in re.split(col.split, cell) if p.strip()]
                if isinstance(cell, str) and col.split and cell
                else ([cell] if isinstance(cell, str) and cell.strip() else [])
            )
        )
        out, ex = [], []
        for it in items:
            r = fn(str(it), None, **col.args) if fn else tr.T(str(it).strip())
            if r.ok and r.value is not None:
                out.append(r.value)
                ex.append(r.extras)
        vals.append(out)
        for e in {k for d in ex for k in d}:
            extras.setdefault(e, [None] * (len(vals) - 1))
        for e in extras:
            extras[e].extend([[d.get(e) for d in ex]] if len(extras[e]) < len(vals) else [])
    n = len(vals)
    return (
        pd.Series(vals, index=s.index, dtype=object),
        {e: pd.Series((v + [None] * n)[:n], index=s.index, dtype=object) for e, v in extras.items()},
    )


def _handling_column(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """A handling column normalised (blanks None), and the mask of rows whose code is unknown."""
    blank = _blank(values)
    seen: dict[str, str | None] = {}
    for v in pd.unique(values[~blank].astype(str)):
        try:
            seen[v] = handling.normalise(v)
        except handling.HandlingError:
            seen[v] = "\x00"  # unknown
    codes = [None if b else seen[str(v)] for v, b in zip(values.tolist(), blank.tolist())]
    bad = pd.Series([c == "\x00" for c in codes], index=values.index, dtype=bool)
    return pd.Series([None if c == "\x00" else c for c in codes], index=values.index, dtype=object), bad


def _handling_option(code, path: Path) -> str | None:
    """The --handling option or the spec's default handling, normalised; one line naming the file if unknown."""
    try:
        return handling.normalise(code)
    except handling.HandlingError as e:
        raise LinkgraphError(f"{Path(path).name}: {e}") from None


class ChunkMapper:
    """Maps chunks of one sheet (a spec and a header mapping) to observation frames."""

    def __init__(self, spec: Spec, mapping: Mapping, ctx: SheetSource):
        self.spec, self.mapping, self.ctx = spec, mapping, ctx
        self.schema = load_schema()

    def header_of(self, fname: str) -> str:
        fname = fname.split(".")[0]
        pos = self.mapping.positions.get(fname)
        return self.mapping.headers[pos] if pos is not None else fname

    def map(self, raw: pd.DataFrame):
        """-> (nodes, links, rejects, n_rows, n_filtered). rejects: list of (row, header, message, raw dict)."""
        spec, ctx = self.spec, self.ctx
        data_cols = [c for c in raw.columns if c != "__row__"]
        # rows whose every cell is blank are not records (spreadsheets end in them)
        cells = raw[data_cols].astype(object).fillna("").astype(str)
        nonblank = (
            cells.apply(lambda c: c.str.strip()).ne("").any(axis=1) & ~cells.eq("[]").all(axis=1)
            if len(data_cols)
            else pd.Series(False, index=raw.index)
        )
        raw = raw[nonblank]
        self._index = raw.index
        n_rows = len(raw)
        rows = raw["__row__"]
        V: dict[str, pd.Series] = {}
        for fname, pos in self.mapping.positions.items():
            V[fname] = _text(raw[pos])
        before = len(raw)
        keep = pd.Series(True, index=raw.index)
        for f in spec.filters:
            if "skip_if_blank" in f:
                fields = [x for x in f["skip_if_blank"]]
                all_blank = pd.Series(True, index=raw.index)
                for x in fields:
                    if x in V:
                        all_blank &= _blank(V[x])
                keep &= ~all_blank
            for x, values in (f.get("skip_if_equals") or {}).items():
                if x in V:
                    keep &= ~V[x].astype(str).str.casefold().isin([str(v).casefold() for v in values])
        if not keep.all():
            raw, rows = raw[keep], rows[keep]
            V = {k: v[keep] for k, v in V.items()}
        n_filtered = before - len(raw)

        errors: list[tuple[pd.Series, str, pd.Series]] = []  # (mask, field, message series)

        def reject(mask: pd.Series, fname: str, msg):
            if mask.any():
                errors.append((mask, fname, msg if isinstance(msg, pd.Series) else pd.Series(msg, index=mask.index)))

        transformed: set[str] = set()  # the columns this loop has reached (their V is normalised)
        for fname, col in spec.columns.items():
            if fname not in V:
                continue
            transformed.add(fname)
            s = V[fname]
            is_list = col.split is not None or (s.dtype == object and s.map(lambda v: isinstance(v, list)).any())
            if not is_list:
                too_long = s.str.len() > col.max_length
                if too_long.any():
                    reject(
                        too_long,
                        fname,
                        s.str.len().map(
                            lambda n, limit=col.max_length: f"value is {n:,} characters long (limit {limit:,})"
                        ),
                    )
                    s = s.where(~too_long, "")
                    V[fname] = s
            if is_list:
                vals, extras = _apply_list(col, s)
                V[fname] = vals
                for e, es in extras.items():
                    V[f"{fname}.{e}"] = es
                continue
            if col.transform is None:
                V[fname] = s.astype(object).where(~_blank(s), None)
                continue
            V[f"{fname}.text"] = s.astype(object).where(~_blank(s), None)
            ctxname = tr.context_field(col.transform)
            ctx_series = None
            if ctxname:
                src = col.args.get("region_field") or (spec.columns and _country_field(spec, fname, V))
                if src and src in V and spec.columns[src].transform == "country":
                    # a country column declared after the phone is still the text as written ("Kenya"): read
                    # it normalised (an ISO code) all the same
                    ctx_series = V[src] if src in transformed else _apply(spec.columns[src], V[src], None)[0]
            args_col = col
            if ctxname and "region_field" in col.args:
                args_col = Column(
                    **{**col.__dict__, "args": {k: v for k, v in col.args.items() if k != "region_field"}}
                )
            vals, extras, ok, notes = _apply(args_col, s, ctx_series)
            policy = col.on_error or tr.DEFAULT_ON_ERROR.get(col.transform, "blank")
            failed = ~ok
            if failed.any():
                if policy == "reject" or col.needs_value:
                    reject(failed, fname, notes)
                elif policy == "raw":
                    vals = vals.where(~failed, s)
            V[fname] = vals
            for e, es in extras.items():
                V[f"{fname}.{e}"] = es
        for fname, col in spec.columns.items():
            if not col.needs_value:
                continue
            if fname not in V:
                continue
            missing = _blank(V[fname])
            rawblank = missing & _blank(raw[self.mapping.positions[fname]].astype(object))
            reject(rawblank, fname, "missing required value")

        # observation columns
        obs = pd.DataFrame(index=raw.index)
        obs["_batch"] = ctx.batch
        obs["_source"] = ctx.file.name
        obs["_sha256"] = ctx.sha256
        obs["_sheet"] = ctx.sheet
        obs["_row"] = rows.astype("int64")
        obs["_imported"] = ctx.imported
        obs["_observed"] = (
            V[spec.observed].map(lambda v: str(v)[:10] if v else None) if spec.observed and spec.observed in V else None
        )
        rel, cred = ctx.grade
        obs["_reliability"], obs["_credibility"] = rel, cred
        grade_handling = None
        if spec.grade:
            grades = self._row_grades(V, raw.index, reject)
            if grades is not None:
                if not ctx.grade_forced:
                    # a row graded in Admiralty terms gets its grade; a UK 3x5x2 row stays ungraded (its scales
                    # have no Admiralty equivalent); a row without any grade gets the spec's default
                    obs["_reliability"] = grades["reliability"].where(grades["graded"], rel).astype(object)
                    obs["_credibility"] = grades["credibility"].where(grades["graded"], cred).astype(object)
                # the original grading is kept as written, even when the analyst forced an Admiralty grade
                if grades["grading"].notna().any():
                    obs["_grading"] = grades["grading"]
                grade_handling = grades["handling"]
        obs["_handling"] = ctx.handling
        if not ctx.handling_forced:
            h = None
            if spec.handling and spec.handling in V:
                hv = V[spec.handling]
                h, bad = _handling_column(hv)
                # an unknown code must not be guessed at (ranked, or replaced by the default): the row is refused
                reject(
                    bad,
                    spec.handling,
                    hv.map(lambda v: f'"{str(v).strip()[:60]}" is not a handling code: {handling.KNOWN}'),
                )
            if grade_handling is not None and grade_handling.notna().any():
                # the grade's own handling part (3x5x2 P/C): the most restrictive of it and the handling column
                h = (
                    grade_handling
                    if h is None
                    else pd.Series(
                        [handling.most_restrictive([a, b]) for a, b in zip(h.tolist(), grade_handling.tolist())],
                        index=h.index,
                        dtype=object,
                    )
                )
            if h is not None:
                obs["_handling"] = h.where(h.notna(), ctx.handling).astype(object)
        obs["_source_type"] = spec.defaults.get("source_type")
        if spec.source_type and spec.source_type in V:
            obs["_source_type"] = V[spec.source_type].fillna(spec.defaults.get("source_type")).astype(object)
        obs["_agency"] = ctx.source
        if spec.agency and spec.agency in V:
            obs["_agency"] = V[spec.agency].astype(object).where(V[spec.agency].notna(), ctx.source)

        pseudo = {
            "$file": ctx.file.name,
            "$sha256": ctx.sha256,
            "$sheet": ctx.sheet,
            "$source": ctx.source,
            "$row": rows.astype(str),
            "$doc_id": f"Document:{ctx.sha256}",
            "$rowref": (ctx.sha256[:12] + ":" + (ctx.sheet + ":" if ctx.sheet else "") + rows.astype(str)).astype(
                object
            ),
        }

        # entities and links (type errors found here reject rows too)
        frames: dict[str, list[pd.DataFrame]] = {}
        alias_ids: dict[str, pd.DataFrame] = {}
        for alias, es in spec.entities.items():
            f = self._entity_frames(es, V, pseudo, raw.index, reject)
            alias_ids[alias] = f[["_ix", "_n", "id"]]
            frames.setdefault(es.type, []).append(f)
        link_frames: dict[str, list[pd.DataFrame]] = {}
        for ls in spec.links:
            f = self._link_frame(ls, alias_ids, V, pseudo, reject)
            if f is not None and len(f):
                link_frames.setdefault(ls.type, []).append(f)

        bad = pd.Series(False, index=raw.index)
        rejects = []
        if errors:
            first: dict[int, tuple[str, str]] = {}
            for mask, fname, msg in errors:
                for ix in mask[mask].index:
                    if ix not in first:
                        first[ix] = (self.header_of(fname), str(msg.get(ix, "")))
            bad.loc[list(first)] = True
            for ix in sorted(first, key=lambda i: int(rows.loc[i])):
                rejects.append((int(rows.loc[ix]), first[ix][0], first[ix][1], raw.loc[ix]))
        obs_ok = obs[~bad]
        nodes = {}
        for t, parts in frames.items():
            df = pd.concat(parts, ignore_index=True)
            df = df[df["_ix"].map(lambda i: not bad.get(i, False))] if bad.any() else df
            if len(df):
                nodes[t] = _attach_obs(df, obs_ok)
        links = {}
        for t, parts in link_frames.items():
            df = pd.concat(parts, ignore_index=True)
            df = df[df["_ix"].map(lambda i: not bad.get(i, False))] if bad.any() else df
            if len(df):
                links[t] = _attach_obs(df, obs_ok)
        return nodes, links, rejects, n_rows, n_filtered

    # --- helpers ---
    def _value(self, p: Prop, n: str, V, pseudo, index) -> pd.Series:
        if isinstance(p.field, list):
            out = pd.Series([None] * len(index), index=index, dtype=object)
            for f in p.field:
                v = self._value(Prop(p.name, f, None, p.transform), n, V, pseudo, index)
                out = out.where(~_blank(out), v)
            return out.where(~_blank(out), p.value).astype(object)
        if p.field is None:
            return pd.Series([p.value] * len(index), index=index, dtype=object)
        fname = p.field.replace("{n}", n)
        if fname in pseudo:
            v = pseudo[fname]
            return v if isinstance(v, pd.Series) else pd.Series([v] * len(index), index=index, dtype=object)
        s = V.get(fname)
        if s is None:
            return pd.Series([None] * len(index), index=index, dtype=object)
        if p.transform:
            col = Column(name=fname, headers=[], transform=p.transform)
            vals, _, ok, _ = _apply(col, s.astype(object).where(s.notna(), "").astype(str), None)
            s = vals.where(ok, None)
        return s

    def _entity_frames(self, es: EntitySpec, V, pseudo, index, reject) -> pd.DataFrame:
        et = self.schema.entities[es.type]
        parts = []
        for n in es.repeat:
            cols = {p.name: self._value(p, n, V, pseudo, index) for p in es.properties}
            df = pd.DataFrame(cols, index=index)
            df["_ix"] = index
            if es.explode:
                lists = [c for c in df.columns if c not in ("_ix",) and df[c].map(lambda v: isinstance(v, list)).any()]
                for c in lists:
                    df[c] = df[c].map(lambda v: v if isinstance(v, list) and v else [None])
                if lists:
                    df = df.explode(lists, ignore_index=True)
            when = [w.replace("{n}", n) for w in es.when]
            mask = pd.Series(True, index=df.index)
            for w in when:
                wv = V[w].reindex(df["_ix"]).set_axis(df.index) if w in V else None
                mask &= ~_blank(wv) if wv is not None else False
            mask &= self._has_identity(es, et, df)
            df = df[mask]
            if not len(df):
                continue
            for pname, ptype in et.properties.items():
                if pname in df.columns and ptype in ("INT64", "DOUBLE", "BOOLEAN"):
                    df[pname] = self._coerce(df, pname, ptype, es, n, reject)
            if "caption" not in df.columns:
                df["caption"] = df[et.caption] if et.caption in df.columns else None
            keycols = [df[k] if k in df.columns else pd.Series([None] * len(df), index=df.index) for k in et.keys]
            src = self.ctx.sha256 if et.scope == "source" else None
            df["id"] = _ids(es.type, et.keys, keycols, src)
            df["_n"] = n
            parts.append(df)
        if not parts:
            return pd.DataFrame(columns=["_ix", "_n", "id"])
        return pd.concat(parts, ignore_index=True)

    def _row_grades(self, V, index, reject) -> pd.DataFrame | None:
        """Per row: reliability, credibility, grading, handling (the grade's own handling part) and graded (the
        row carries a grade at all), from the spec's grade field or grade fields, computed once per distinct
        value; a grade that fits no system rejects the row."""
        g = self.spec.grade
        if isinstance(g, str):
            if g not in V:
                return None
            fields, fn = [g], grading.parse_cell
        else:
            if not any(g.get(k) in V for k in ("system", "reliability", "credibility", "raw")):
                return None
            fields = [g.get(k) for k in ("system", "reliability", "credibility", "raw")] + g.get("parts", [])
            fn = lambda a, b, c, d, *own: grading.from_parts(a, b, c, d, own)
        cols = [
            V[f].astype(object).where(~_blank(V[f]), "").astype(str).str.strip()
            if f in V
            else pd.Series("", index=index)
            for f in fields
        ]
        key = cols[0]
        for c in cols[1:]:
            key = key + "\x1f" + c
        empty = key.str.replace("\x1f", "", regex=False).eq("")
        parsed = {k: fn(*k.split("\x1f")) for k in pd.unique(key[~empty])}
        bad = ~empty & key.map(lambda k: k in parsed and parsed[k] is None)
        if bad.any():
            where = g if isinstance(g, str) else (g.get("reliability") or g.get("system") or fields[0])
            reject(
                bad,
                where,
                key.map(
                    lambda k: (
                        '"' + " ".join(x for x in k.split("\x1f") if x)[:60] + f'" is not a grade: {grading.FORMS}'
                    )
                ),
            )
        out = pd.DataFrame(index=index)
        for attr in ("reliability", "credibility", "grading", "handling"):
            out[attr] = key.map({k: getattr(r, attr) if r else None for k, r in parsed.items()}).astype(object)
            out[attr] = out[attr].where(out[attr].notna(), None)
        out["graded"] = key.map({k: bool(r and r.graded) for k, r in parsed.items()}).fillna(False).astype(bool)
        return out

    @staticmethod
    def _has_identity(es: EntitySpec, et, df: pd.DataFrame) -> pd.Series:
        """Rows whose identity, as read from the row, is not blank: at least one row-mapped key has a value,
        and so does the type's first key when the row maps it (a Person needs a name, not only a birth date).
        Keys given as constants (a Location's kind) do not count: a blank phone or passport column must not
        make a number-less node that every blank row then shares."""
        mapped = {p.name for p in es.properties if p.field is not None}
        keys = [k for k in et.keys if k in mapped and k in df.columns]
        if not keys:
            return pd.Series(True, index=df.index)
        present = pd.DataFrame({k: ~_blank(df[k]) for k in keys}, index=df.index)
        ok = present.any(axis=1)
        if et.keys[0] in present.columns:
            ok &= present[et.keys[0]]
        return ok.astype(bool)

    def _coerce(self, df, pname, ptype, spec_part, n, reject):
        s = df[pname]
        conv = {"INT64": _to_int, "DOUBLE": _to_float, "BOOLEAN": _to_bool}[ptype]
        out = s.map(conv)
        bad = out.map(lambda v: v is _BAD)
        if bad.any():
            prop = next((p for p in getattr(spec_part, "properties", []) if p.name == pname), None)
            pf = (prop.field[0] if isinstance(prop.field, list) else prop.field) if prop else None
            fname = pf.replace("{n}", n) if pf else pname
            mask = pd.Series(False, index=self._index)
            mask.loc[list(set(df.loc[bad, "_ix"]))] = True
            reject(mask, fname, pd.Series(f"wrong type: {ptype.lower()} expected", index=mask.index))
            out = out.where(~bad, None)
        return out.astype(object)

    def _link_frame(self, ls, alias_ids, V, pseudo, reject):
        a, b = alias_ids[ls.source], alias_ids[ls.target]
        if not len(a) or not len(b):
            return None
        ea, eb = self.spec.entities[ls.source], self.spec.entities[ls.target]
        paired = len(ea.repeat) > 1 and ea.repeat == eb.repeat
        on = ["_ix", "_n"] if paired else ["_ix"]
        a2 = a.rename(columns={"id": "source", "_n": "_na"} if not paired else {"id": "source"})
        b2 = b.rename(columns={"id": "target", "_n": "_nb"} if not paired else {"id": "target"})
        m = a2.merge(b2, on=on, how="inner")
        if not len(m):
            return None
        if not paired:
            m["_n"] = m["_na"] if len(ea.repeat) > 1 else m["_nb"]
        m = m[m["source"] != m["target"]] if ls.source == ls.target else m
        lt = self.schema.links[ls.type]
        for p in ls.properties:
            vals = []
            for n, g in m.groupby("_n", sort=False):
                full = self._value(p, n, V, pseudo, self._index)
                vals.append(g["_ix"].map(full))
            m[p.name] = pd.concat(vals).reindex(m.index) if vals else None
            if lt.properties.get(p.name) in ("INT64", "DOUBLE", "BOOLEAN"):
                m[p.name] = self._coerce(m, p.name, lt.properties[p.name], ls, "", reject)
        m["source_type"] = ea.type
        m["target_type"] = eb.type
        keys = [m[k] if k in m.columns else pd.Series([None] * len(m), index=m.index) for k in lt.keys]
        m["id"] = _link_ids(ls.type, m["source"], m["target"], keys)
        return m.drop(columns=[c for c in ("_na", "_nb") if c in m.columns])


_BAD = object()


def _to_int(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _BAD
    return int(f) if f == int(f) else _BAD


def _to_float(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return _BAD
    return f if f == f else None


def _to_bool(v):
    if v is None or (isinstance(v, float) and v != v):
        return None
    if isinstance(v, bool):
        return v
    s = str(v).strip().lower()
    if s in ("true", "yes", "y", "1"):
        return True
    if s in ("false", "no", "n", "0"):
        return False
    return _BAD


def _country_field(spec: Spec, fname: str, present=None) -> str | None:
    """The country column a phone's default region comes from: the row's first country-typed field that
    shares the phone's repeat suffix ('suspect_1_phone' -> 'suspect_1_nationality'), else the first at all.
    Only fields the sheet has count (a register without nationality columns reads phones in its Country)."""
    countries = [
        c.name for c in spec.columns.values() if c.transform == "country" and (present is None or c.name in present)
    ]
    suffix = re.search(r"_(\d+)", fname)
    if suffix:
        same = [c for c in countries if re.search(rf"_{suffix.group(1)}(\b|_)", c)]
        if same:
            return same[0]
    return countries[0] if countries else None


def _ids(type_name: str, keys: list[str], cols: list[pd.Series], source: str | None) -> pd.Series:
    et = load_schema().entities[type_name]
    if et.scope == "global" and len(keys) == 1:
        s = cols[0]
        return (type_name + ":" + s.astype(object).where(s.notna(), "").astype(str)).astype(object)
    tuples = pd.Series(list(zip(*[c.tolist() for c in cols])), index=cols[0].index, dtype=object)
    uniq = {t: node_id(type_name, dict(zip(keys, t)), source=source) for t in pd.unique(tuples)}
    return tuples.map(uniq).astype(object)


def _link_ids(type_name: str, src: pd.Series, tgt: pd.Series, keys: list[pd.Series]) -> pd.Series:
    lt = load_schema().links[type_name]
    tuples = pd.Series(
        list(zip(src.tolist(), tgt.tolist(), *[k.tolist() for k in keys])), index=src.index, dtype=object
    )
    uniq = {t: link_id(type_name, t[0], t[1], dict(zip(lt.keys, t[2:]))) for t in pd.unique(tuples)}
    return tuples.map(uniq).astype(object)


def _attach_obs(df: pd.DataFrame, obs: pd.DataFrame) -> pd.DataFrame:
    o = obs.reindex(df["_ix"].values).reset_index(drop=True)
    out = pd.concat([df.drop(columns=[c for c in ("_ix", "_n") if c in df.columns]).reset_index(drop=True), o], axis=1)
    return out


# --- files -------------------------------------------------------------------------------------------------
def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def batch_id(
    sha256: str, spec: Spec, sheet: str | None, source: str | None, grade: str | None, handling: str | None
) -> str:
    key = "\x1f".join([sha256, spec.name, spec.digest, sheet or "", source or "", grade or "", handling or ""])
    return "b-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:20]


def safe_cell(v) -> str:
    """A rejected row's cell as text a spreadsheet will not run as a formula."""
    return neutralise("" if v is None else (", ".join(map(str, v)) if isinstance(v, list) else str(v)))


def write_rejected(path: Path, rows: list[tuple], headers_by_sheet: dict) -> Path:
    out = path.with_name(path.name + ".rejected.csv")
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        all_headers: list[str] = []
        for hs in headers_by_sheet.values():
            for h in hs:
                if h not in all_headers:
                    all_headers.append(h)
        w.writerow(["file", "sheet", "row", "column", "reason", *[safe_cell(h) for h in all_headers]])
        for sheet, row, col, reason, raw, headers in rows:
            vals = {h: raw.get(i) for i, h in enumerate(headers)} if raw is not None else {}
            w.writerow(
                [
                    safe_cell(path.name),
                    safe_cell(sheet or ""),
                    row,
                    safe_cell(col),
                    safe_cell(reason),
                    *[safe_cell(vals.get(h, ""))[:32_000] for h in all_headers],
                ]
            )
    return out


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled = enabled
        self.p = None

    def __enter__(self):
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.p = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self.p.__enter__()
        return self

    def task(self, desc: str, total):
        return self.p.add_task(desc, total=total) if self.p else None

    def advance(self, task, n):
        if self.p and task is not None:
            self.p.advance(task, n)

    def reset(self, task):
        if self.p and task is not None:
            self.p.reset(task)

    def __exit__(self, *exc):
        if self.p:
            self.p.__exit__(*exc)


def import_file(
    store: Store | None,
    path: str | Path,
    spec=None,
    sheet=None,
    source=None,
    grade=None,
    handling=None,
    dry_run=False,
    skip_bad_rows=False,
    progress=True,
    chunk_rows: int = CHUNK_ROWS,
) -> FileResult:
    path = Path(path)
    sheets = open_sheets(path)
    if sheet is not None:
        names = [s.name for s in sheets]
        chosen = [s for s in sheets if s.name == sheet or (s.name is None and sheet in ("", None))]
        if not chosen:
            raise LinkgraphError(
                f'{path.name}: no sheet "{sheet}" (sheets: '
                f"{', '.join(repr(n) for n in names if n) or 'none, it is not a workbook'})"
            )
        sheets = chosen
    nonempty = [s for s in sheets if any(any(c for c in r) for r in s.preview)]
    if not nonempty:
        where = f'sheet "{sheets[0].name}"' if len(sheets) == 1 and sheets[0].name else "the file"
        raise LinkgraphError(f"{path.name}: {where} is empty")
    if spec is None:
        sp, reason = choose_spec(nonempty)
    else:
        sp = spec if isinstance(spec, Spec) else get_spec(spec)
        reason = "given"
    rel, cred = grading.parse(grade) if grade else grading.parse(sp.defaults.get("grade"))
    sha = file_sha256(path)
    res = FileResult(path=str(path), sha256=sha, spec=sp.name, spec_reason=reason)
    plans = []
    for sh in sheets:
        if sh not in nonempty:
            res.skipped_sheets.append(f"{sh.name}: empty")
            continue
        m = map_headers(sp, sh)
        if m is None or m.missing:
            why = (
                f"missing required columns {', '.join(repr(sp.columns[c].headers[0]) for c in m.missing)}"
                if m
                else "no header row matches"
            )
            if len(nonempty) == 1 or sheet is not None:
                raise LinkgraphError(f"{sh.label()}: does not fit import spec {sp.name!r}: {why}")
            res.skipped_sheets.append(f"{sh.name}: {why}")
            continue
        hand = handling or sp.defaults.get("handling")
        bid = batch_id(sha, sp, sh.name, source, grade, handling)
        ctx = SheetSource(
            file=path,
            sha256=sha,
            sheet=sh.name,
            batch=bid,
            imported=now_iso(),
            source=source,
            grade=(rel, cred),
            grade_forced=bool(grade),
            handling=_handling_option(hand, path),
            handling_forced=bool(handling),
            label=sh.label(),
        )
        plans.append((sh, m, ctx))
    if not plans:
        raise LinkgraphError(f"{path.name}: no sheet fits import spec {sp.name!r} ({'; '.join(res.skipped_sheets)})")
    if store is not None and not dry_run:
        done = _existing_batches(store, [c.batch for _, _, c in plans])
    else:
        done = set()
    rejected_rows: list[tuple] = []
    headers_by_sheet = {}

    def unit():
        rejected_rows.clear()
        res.sheets.clear()
        res.created.clear()
        res.updated.clear()
        with _Progress(progress) as prog:
            for sh, m, ctx in plans:
                sr = SheetResult(
                    file=path.name, sheet=sh.name, spec=sp.name, batch=ctx.batch, header_row=m.header_idx + 1
                )
                res.sheets.append(sr)
                headers_by_sheet[sh.name] = m.headers
                if ctx.batch in done:
                    sr.status = "already imported"
                    sr.note = "this file was imported before with the same spec, sheet, source and grading"
                    continue
                mapper = ChunkMapper(sp, m, ctx)
                task = prog.task(f"{ctx.label}", sh.est_rows)
                stats = WriteStats()
                for raw in sh.chunks(m.header_idx, chunk_rows):
                    nodes, links, rejects, n_rows, n_filt = mapper.map(raw)
                    sr.rows += n_rows
                    sr.skipped_filtered += n_filt
                    if rejects:
                        if not skip_bad_rows:
                            row, col, msg, _ = rejects[0]
                            raise LinkgraphError(f'{ctx.label}, row {row}, column "{col}": {msg}')
                        sr.rejected += len(rejects)
                        rejected_rows.extend((sh.name, r, c, msg, raw_row, m.headers) for r, c, msg, raw_row in rejects)
                    for t, df in [*nodes.items(), *links.items()]:
                        sr.observations[t] = sr.observations.get(t, 0) + len(df)
                    if dry_run:
                        if len(sr.samples) < 5:
                            take = raw.head(5 - len(sr.samples))
                            for _, r in take.iterrows():
                                sr.samples.append(
                                    {
                                        sp.columns[f].headers[0] if f in sp.columns else f: r[pos]
                                        for f, pos in m.positions.items()
                                    }
                                )
                    else:
                        st = store.write(nodes, links)
                        del nodes, links
                        _release_memory()
                        for k, v in st.created.items():
                            stats.add("created", k, v)
                        for k, v in st.updated.items():
                            stats.add("updated", k, v)
                    prog.advance(task, n_rows + n_filt)
                sr.imported_rows = sr.rows - sr.rejected - sr.skipped_filtered
                if dry_run:
                    sr.status = "dry run"
                    continue
                for k, v in store.flush().updated.items():  # items already stored: updated once per batch
                    stats.add("updated", k, v)
                for k, v in stats.created.items():
                    res.created[k] = res.created.get(k, 0) + v
                for k, v in stats.updated.items():
                    res.updated[k] = res.updated.get(k, 0) + v
                summary = {
                    "created": stats.created,
                    "updated": stats.updated,
                    "rejected": sr.rejected,
                    "filtered": sr.skipped_filtered,
                    "observations": sr.observations,
                    "spec_digest": sp.digest,
                    "header_row": sr.header_row,
                }
                record_batch(
                    store,
                    ctx.batch,
                    source=path.name,
                    sha256=sha,
                    spec=sp.name,
                    sheet=sh.name,
                    agency=source,
                    grade=(f"{rel}{cred}" if rel else None),
                    handling=ctx.handling,
                    imported=ctx.imported,
                    rows=int(sr.imported_rows),
                    status="imported",
                    summary=summary,
                )

    if dry_run or store is None:
        unit()
    else:
        # the new batches only: one that was imported before is skipped by unit() and must never be removed
        new_batches = [ctx.batch for _, _, ctx in plans if ctx.batch not in done]
        # an earlier run of this very import that died half-way left its batches `importing`: clear them first
        store.recover_batches(new_batches)
        store.atomic_batches(new_batches, unit)
    if rejected_rows and not dry_run:
        res.rejected_path = str(write_rejected(path, rejected_rows, headers_by_sheet))
    return res


def _release_memory() -> None:
    """Hand a written chunk's memory back to the system, so a large file's import stays within a few chunks.

    Without the trim, glibc keeps the freed heap of each chunk's millions of small strings: the process
    grew by about a gigabyte per 100,000-row chunk here and kept it.
    """
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to trim
        pass


def _existing_batches(store: Store, ids: list[str]) -> set[str]:
    df = store.query("MATCH (b:LgBatch) WHERE b.id IN $ids AND b.status = 'imported' RETURN b.id AS id", {"ids": ids})
    return set(df["id"]) if len(df) else set()


def build_observations(
    path: str | Path, spec=None, sheet: str | None = None, source=None, grade=None, handling=None
) -> tuple[dict, dict]:
    """The observation frames a file's sheet maps to (no store involved): what import_file hands to
    Store.write. For tests and tools that write frames themselves."""
    path = Path(path)
    sheets = [s for s in open_sheets(path) if sheet is None or s.name == sheet]
    sheets = [s for s in sheets if any(any(c for c in r) for r in s.preview)]
    sp = (spec if isinstance(spec, Spec) else get_spec(spec)) if spec is not None else choose_spec(sheets)[0]
    sh = sheets[0]
    m = map_headers(sp, sh)
    sha = file_sha256(path)
    rel, cred = grading.parse(grade or sp.defaults.get("grade"))
    hand = handling or sp.defaults.get("handling")
    ctx = SheetSource(
        file=path,
        sha256=sha,
        sheet=sh.name,
        batch=batch_id(sha, sp, sh.name, source, grade, handling),
        imported=now_iso(),
        source=source,
        grade=(rel, cred),
        grade_forced=bool(grade),
        handling=_handling_option(hand, path),
        handling_forced=bool(handling),
        label=sh.label(),
    )
    nodes: dict[str, list] = {}
    links: dict[str, list] = {}
    mapper = ChunkMapper(sp, m, ctx)
    for raw in sh.chunks(m.header_idx, CHUNK_ROWS):
        n, ln, rejects, _, _ = mapper.map(raw)
        if rejects:
            row, col, msg, _ = rejects[0]
            raise LinkgraphError(f'{ctx.label}, row {row}, column "{col}": {msg}')
        for k, v in n.items():
            nodes.setdefault(k, []).append(v)
        for k, v in ln.items():
            links.setdefault(k, []).append(v)
    return (
        {k: pd.concat(v, ignore_index=True) for k, v in nodes.items()},
        {k: pd.concat(v, ignore_index=True) for k, v in links.items()},
    )
