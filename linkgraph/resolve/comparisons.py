"""Vectorised comparisons: record pairs -> comparison levels (and term frequencies).

A comparison sorts every pair into the first of its levels whose test holds; -1 means "null" (a
side is missing: no evidence either way).  String similarities are computed once per distinct pair of
values (rapidfuzz ``cpdist``), so the cost follows the number of distinct value pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rapidfuzz.process import cpdist

from .features import Features

__all__ = ["compute_levels", "LEVEL_TYPES", "validate_comparison"]

_WORKERS = -1

# comparison type -> level names it understands (thresholded levels take a measure key)
LEVEL_TYPES = {
    "name_part": {"exact", "phonetic", "initial", "other_token", "else"},
    "date": {
        "exact",
        "compatible_month",
        "compatible_year",
        "same_year_month",
        "typo",
        "near_year",
        "mismatch",
        "else",
    },
    "exact": {"exact", "else"},
    "set_overlap": {"shared", "else"},
    "identifier": {"exact", "near", "conflict", "else"},
    "text": {"exact", "else"},
    "code": {"exact", "one_edit", "else"},
    "org_name": {"exact", "else"},
}
_MEASURES = {"jaro_winkler", "token_set", "token_sort", "ratio"}


def validate_comparison(c: dict) -> None:
    t = c.get("type")
    if t not in LEVEL_TYPES:
        raise ValueError(f"comparison {c.get('name')!r}: unknown type {t!r}; known: {', '.join(LEVEL_TYPES)}")
    for lv in c["levels"]:
        measures = [k for k in lv if k in _MEASURES]
        if not measures and lv["name"] not in LEVEL_TYPES[t]:
            raise ValueError(
                f"comparison {c['name']!r}: level {lv['name']!r} is neither one of "
                f"{sorted(LEVEL_TYPES[t])} nor has a measure ({', '.join(sorted(_MEASURES))})"
            )
    m = c.get("m")
    if m is not None and len(m) != len(c["levels"]):
        raise ValueError(f"comparison {c['name']!r}: m has {len(m)} values for {len(c['levels'])} levels")
    u = c.get("u")
    if u is not None and len(u) != len(c["levels"]):
        raise ValueError(f"comparison {c['name']!r}: u has {len(u)} values for {len(c['levels'])} levels")


_SCORERS = {
    "jaro_winkler": (JaroWinkler.normalized_similarity, 1.0),
    "token_set": (fuzz.token_set_ratio, 100.0),
    "token_sort": (fuzz.token_sort_ratio, 100.0),
    "ratio": (fuzz.ratio, 100.0),
    "levenshtein": (Levenshtein.distance, 1.0),
}


def pair_scores(
    a: np.ndarray, b: np.ndarray, strings: np.ndarray, measure: str, cache: dict | None = None, cache_key=None
) -> np.ndarray:
    """Similarity of strings[a[k]] vs strings[b[k]] for every k; NaN where an id is -1."""
    out = np.full(len(a), np.nan, np.float32)
    valid = (a >= 0) & (b >= 0)
    if not valid.any():
        return out
    lo = np.minimum(a[valid], b[valid]).astype(np.int64)
    hi = np.maximum(a[valid], b[valid]).astype(np.int64)
    code = (lo << 32) | hi
    order = np.argsort(code, kind="stable")
    sc = code[order]
    first = np.r_[True, sc[1:] != sc[:-1]]
    uniq = sc[first]
    inv = np.empty(len(code), np.int64)
    inv[order] = np.cumsum(first) - 1
    ua, ub = uniq >> 32, uniq & 0xFFFFFFFF
    scorer, scale = _SCORERS[measure]
    sims = cpdist(strings[ua].tolist(), strings[ub].tolist(), scorer=scorer, workers=_WORKERS)
    sims = np.asarray(sims, dtype=np.float32) / scale
    out[valid] = sims[inv]
    return out


def _eval_levels(c: dict, n: int, null: np.ndarray, tests: dict, measures: dict) -> np.ndarray:
    """First level whose test holds; -1 where null."""
    lev = np.full(n, -1, np.int8)
    undecided = ~null
    for k, lv in enumerate(c["levels"]):
        name = lv["name"]
        meas = [m for m in lv if m in _MEASURES]
        if meas:
            mname = meas[0]
            vals = measures[mname]() if callable(measures.get(mname)) else measures.get(mname)
            if vals is None:
                raise ValueError(f"comparison {c['name']!r}: measure {mname!r} not available for type {c['type']}")
            hit = vals >= float(lv[mname])
            hit = np.nan_to_num(hit, nan=False) if hit.dtype != bool else hit
        elif name == "else":
            hit = np.ones(n, bool)
        else:
            t = tests.get(name)
            hit = t() if callable(t) else t
            if hit is None:
                raise ValueError(f"comparison {c['name']!r}: level {name!r} not available")
        sel = undecided & hit
        lev[sel] = k
        undecided &= ~sel
        if not undecided.any():
            break
    return lev


class _Lazy(dict):
    """dict whose callable values are evaluated once on first access."""

    def __getitem__(self, k):
        v = dict.__getitem__(self, k)
        if callable(v):
            v = v()
            dict.__setitem__(self, k, v)
        return v

    def get(self, k, default=None):
        return self[k] if k in self else default


# --------------------------------------------------------------------------- names


def _token_tf(f: Features) -> np.ndarray:
    c = f._cache.get("tok_tf")
    if c is None or len(c) != len(f.tok.values) + 1:
        counts = np.zeros(len(f.tok.values) + 1, np.float64)
        for cs in f.core_sets:
            for t in cs:
                counts[t] += 1
        c = f._cache["tok_tf"] = counts / max(f.n, 1)
    return c


def _name_alignment(f: Features, ia, ib, ctx):
    key = "name_alignment"
    if key in ctx:
        return ctx[key]
    s = f.tok_strings()
    fa, ga, gaa = f.fam[ia], f.giv[ia], f.givall[ia]
    fb, gb, gbb = f.fam[ib], f.giv[ib], f.givall[ib]
    jw = lambda x, y: np.nan_to_num(pair_scores(x, y, s, "jaro_winkler"), nan=0.0)
    ff, gg = jw(fa, fb), jw(ga, gb)
    fg, gf = jw(fa, gb), jw(ga, fb)
    # choose the pairing of name parts with more good agreements (a plain sum is fooled by two
    # mediocre similarities beating one good one)
    good = lambda x: np.maximum(x - 0.7, 0.0)
    swap = (good(fg) + good(gf)) > (good(ff) + good(gg)) + 1e-6
    fb2 = np.where(swap, gb, fb)
    gb2 = np.where(swap, fb, gb)
    gbb2 = np.where(swap, fb, gbb)
    res = {
        "fa": fa,
        "fb": fb2,
        "ga": ga,
        "gb": gb2,
        "gaa": gaa,
        "gbb": gbb2,
        "swap": swap,
        "jw_f": np.where(swap, fg, ff),
        "jw_g": np.where(swap, gf, gg),
    }
    ctx[key] = res
    return res


def _in_core(f: Features, tokens: np.ndarray, rows: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """tokens[k] is one of the core tokens of record rows[k] (vectorised set membership)."""
    codes = f._cache.get("core_codes")
    if codes is None:
        V = len(f.tok.values) + 1
        r = np.fromiter((i for i, cs in enumerate(f.core_sets) for _ in cs), dtype=np.int64)
        t = np.fromiter((t for cs in f.core_sets for t in cs), dtype=np.int64)
        codes = f._cache["core_codes"] = (np.sort(r * V + t), V)
    sorted_codes, V = codes
    out = np.zeros(len(tokens), bool)
    sel = candidates & (tokens >= 0)
    if not sel.any() or len(sorted_codes) == 0:
        return out
    q = rows[sel].astype(np.int64) * V + tokens[sel]
    pos = np.minimum(np.searchsorted(sorted_codes, q), len(sorted_codes) - 1)
    out[sel] = sorted_codes[pos] == q
    return out


def _same_start(f: Features, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """First letters agree, or one side has no vowel (Arabic-script names transliterate without
    vowels: "ly" for Ali, "hmd" for Ahmad), so "Aaron" and "Ryan" are not phonetic matches."""
    c = f._cache.get("tok_start")
    if c is None or len(c[0]) != len(f.tok.values) + 1:
        vals = f.tok.values
        first = np.array([ord(v[0]) for v in vals] + [0], np.int32)
        novowel = np.array([not any(ch in "aeiou" for ch in v) for v in vals] + [False], bool)
        c = f._cache["tok_start"] = (first, novowel)
    first, novowel = c
    return (first[a] == first[b]) | novowel[a] | novowel[b]


def _close(a: np.ndarray, b: np.ndarray, strings: np.ndarray) -> np.ndarray:
    return np.nan_to_num(pair_scores(a, b, strings, "jaro_winkler"), nan=0.0) >= 0.92


def _name_key_codes(f: Features):
    """(per-record code of the order-insensitive full-name key, -1 when empty; frequency per code)."""
    codes = f._cache.get("name_key_codes")
    if codes is None:
        kc, uniq = pd.factorize(pd.Series(f.name_key, dtype=object))
        cnt = np.bincount(kc[kc >= 0], minlength=len(uniq)).astype(float)
        kc = np.where(f.name_key == "", -1, kc)
        codes = f._cache["name_key_codes"] = (kc, cnt / max(f.n, 1))
    return codes


def _same_full_name(f: Features, ia, ib) -> np.ndarray:
    """Both names carry the same core tokens, in any order ("Manh Tran Duc" / "Tran Duc Manh"): which token
    a parser took for the family name then says nothing about agreement."""
    kc = _name_key_codes(f)[0]
    a, b = kc[ia], kc[ib]
    return (a == b) & (a >= 0) & (f.fam[ia] >= 0) & (f.fam[ib] >= 0)


def _joined_family(f: Features, ia, ib, a, b, swap) -> np.ndarray:
    """One side's family name in several words is the other's in one ("bin Abdul Rahman" / "bin Abdulrahman")."""
    ja, jb = f.famall[ia], f.famall[ib]
    one = ((ja != a) & (ja == b)) | ((jb != f.fam[ib]) & (jb == a)) | ((ja != a) & (ja == jb))
    return one & (a >= 0) & (b >= 0) & ~swap


def _short_form(f: Features, a: np.ndarray, b: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """One name is the closing part of the other, of four letters or more: the short form of a compound name
    ("Emeka" of "Chukwuemeka", "Seun" of "Oluwaseun", "Rahman" of "Abdulrahman"), a partial agreement. Family names
    too: a one-word name order ("Okafor Emeka") may line the short form up with the family name."""
    out = np.zeros(len(a), bool)
    idx = np.flatnonzero(sel & (a >= 0) & (b >= 0) & (a != b))
    if len(idx):
        s = f.tok_strings()

        def short(x: str, y: str) -> bool:
            lo, hi = (x, y) if len(x) < len(y) else (y, x)
            return len(lo) >= 4 and len(hi) >= len(lo) + 2 and hi.endswith(lo)

        out[idx] = [short(x, y) for x, y in zip(s[a[idx]].tolist(), s[b[idx]].tolist())]
    return out


def _cmp_name_part(c, f: Features, ia, ib, ctx):
    al = _name_alignment(f, ia, ib, ctx)
    if "same_full_name" not in ctx:
        ctx["same_full_name"] = _same_full_name(f, ia, ib)
    same_name = ctx["same_full_name"]
    s = f.tok_strings()
    tp = f.tok_phon
    tf = _token_tf(f)
    n = len(ia)
    if c.get("part", "family") == "family":
        a, b = al["fa"], al["fb"]
        null = (a < 0) | (b < 0)
        measures = _Lazy(jaro_winkler=lambda: al["jw_f"].astype(np.float32))
        tests = _Lazy(
            exact=lambda: ((a == b) & (a >= 0)) | same_name | _joined_family(f, ia, ib, a, b, al["swap"]),
            phonetic=lambda: (tp[a] == tp[b]) & (a >= 0) & (b >= 0) & _same_start(f, a, b),
            other_token=lambda: _in_core(f, a, ib, ~null) | _in_core(f, b, ia, ~null) | _short_form(f, a, b, ~null),
        )
        lev = _eval_levels(c, n, null, tests, measures)
        tfu = np.where(a >= 0, tf[a], np.nan)
        return lev, tfu
    # given names (with initials and joined multi-part given names)
    a, b, aa, bb = al["ga"], al["gb"], al["gaa"], al["gbb"]
    # initial of B after alignment: first letter of its (aligned) given token, else its initial
    first = np.array([ord(x[0]) if x else 0 for x in s], dtype=np.int32)
    # a one-word name aligned as the family name ("Radinger" against "Chloe Radinger") has no given name left:
    # its word's initial is not a given initial, and a missing part is no disagreeing part
    ini_b = np.where(b >= 0, first[b], np.where(al["swap"], 0, f.initial[ib]))
    ini_a = np.where(a >= 0, first[a], f.initial[ia])
    null = (ini_a == 0) | (ini_b == 0)
    both = (a >= 0) & (b >= 0)

    def jwmax():
        x = np.nan_to_num(al["jw_g"], nan=0.0)
        y = np.nan_to_num(pair_scores(aa, bb, s, "jaro_winkler"), nan=0.0)
        return np.maximum(x, y).astype(np.float32)

    gender_conflict = (f.gender[ia] > 0) & (f.gender[ib] > 0) & (f.gender[ia] != f.gender[ib])
    # both have several given names and they differ ("Razak Aiman" vs "Razak Zaki"): the first one
    # agreeing is then only an "other token" agreement
    multi_a = (aa >= 0) & (aa != a)
    multi_b = (bb >= 0) & (bb != b)
    conflict = gender_conflict | (multi_a & multi_b & (aa != bb) & (tp[aa] != tp[bb]) & ~_close(aa, bb, s))
    tests = _Lazy(
        exact=lambda: (both & ((a == b) | ((aa == bb) & (aa >= 0))) & ~conflict) | (same_name & ~gender_conflict),
        phonetic=lambda: both & (tp[a] == tp[b]) & _same_start(f, a, b) & ~conflict,
        initial=lambda: ~both & (ini_a == ini_b) & ~gender_conflict,
        other_token=lambda: (
            (_in_core(f, a, ib, both) | _in_core(f, b, ia, both) | _short_form(f, a, b, both)) & ~conflict
        ),
    )
    # measures must not override a conflict
    meas = _Lazy(jaro_winkler=lambda: np.where(conflict | ~both, 0.0, jwmax()).astype(np.float32))
    lev = _eval_levels(c, n, null, tests, meas)
    tfu = np.where(a >= 0, tf[np.maximum(a, 0)], np.nan)
    return lev, tfu


# --------------------------------------------------------------------------- dates


def _cmp_date(c, f: Features, ia, ib, ctx):
    n = len(ia)
    pa, pb = f.dprec[ia], f.dprec[ib]
    null = (pa == 0) | (pb == 0)
    ya, yb = f.by[ia], f.by[ib]
    ma, mb = f.bm[ia], f.bm[ib]
    da, db = f.bd[ia], f.bd[ib]
    q = np.minimum(pa, pb)
    full = (pa == 3) & (pb == 3)
    same_y = ya == yb
    same_m = ma == mb
    exact = full & same_y & same_m & (da == db)
    comp_month = ~full & (q == 2) & same_y & same_m
    comp_year = ~full & (q == 1) & same_y
    sym = full & same_y & same_m & (da != db)
    dg_a, dg_b = f.ddigits[ia], f.ddigits[ib]
    # typo: at the shared precision, one digit differs, or two adjacent digits swapped, or d/m swapped
    width = np.where(q == 3, 8, np.where(q == 2, 6, 4))
    pos = np.arange(8)[None, :]
    within = pos < width[:, None]
    diff = (dg_a != dg_b) & within
    nd = diff.sum(1)
    one_digit = nd == 1
    two = nd == 2
    adj = np.zeros(n, bool)
    if two.any():
        idx = np.flatnonzero(two)
        d = diff[idx]
        first = d.argmax(1)
        second = 7 - d[:, ::-1].argmax(1)
        ok = second == first + 1
        sw = (dg_a[idx, first] == dg_b[idx, second]) & (dg_a[idx, second] == dg_b[idx, first])
        adj[idx] = ok & sw
    dm_swap = full & same_y & (ma == db) & (da == mb)
    typo = (one_digit | adj | dm_swap) & (q >= 2)
    # year-only dates (often derived from a stated age): one year apart is not a contradiction
    near_year = (q == 1) & (np.abs(ya.astype(np.int32) - yb.astype(np.int32)) == 1)
    tests = {
        "exact": exact,
        "compatible_month": comp_month,
        "compatible_year": comp_year,
        "same_year_month": sym,
        "typo": typo,
        "near_year": near_year,
        "mismatch": np.ones(n, bool),
    }
    lev = _eval_levels(c, n, null, tests, {})
    return lev, None


# --------------------------------------------------------------------------- simple fields


def _field_codes(f: Features, field: str):
    return {"nationality": f.nat, "address": f.addr, "city": f.city, "postcode": f.postcode}[field]


def _field_strings(f: Features, field: str):
    v = {"nationality": f.nat_vocab, "address": f.addr_vocab, "city": f.city_vocab, "postcode": f.postcode_vocab}[field]
    return v.array()


def _cmp_exact(c, f, ia, ib, ctx):
    codes = _field_codes(f, c["field"])
    a, b = codes[ia], codes[ib]
    null = (a < 0) | (b < 0)
    return _eval_levels(c, len(ia), null, {"exact": a == b}, {}), None


def _cmp_text(c, f, ia, ib, ctx):
    codes = _field_codes(f, c["field"])
    strings = _field_strings(f, c["field"])
    a, b = codes[ia], codes[ib]
    null = (a < 0) | (b < 0)
    eq = a == b
    measures = _Lazy(
        {m: (lambda m=m: np.where(eq, 1.0, np.nan_to_num(pair_scores(a, b, strings, m), nan=0.0))) for m in _MEASURES}
    )
    return _eval_levels(c, len(ia), null, {"exact": eq}, measures), None


def _cmp_code(c, f, ia, ib, ctx):
    codes = _field_codes(f, c["field"])
    strings = _field_strings(f, c["field"])
    a, b = codes[ia], codes[ib]
    null = (a < 0) | (b < 0)
    eq = a == b
    tests = _Lazy(one_edit=lambda: np.nan_to_num(pair_scores(a, b, strings, "levenshtein"), nan=99) <= 1)
    tests["exact"] = eq
    measures = _Lazy(
        {m: (lambda m=m: np.where(eq, 1.0, np.nan_to_num(pair_scores(a, b, strings, m), nan=0.0))) for m in _MEASURES}
    )
    return _eval_levels(c, len(ia), null, tests, measures), None


def _cmp_org_name(c, f, ia, ib, ctx):
    a, b = f.org_key[ia], f.org_key[ib]
    strings = f.org.array()
    null = (a < 0) | (b < 0)
    eq = a == b
    measures = _Lazy(
        {m: (lambda m=m: np.where(eq, 1.0, np.nan_to_num(pair_scores(a, b, strings, m), nan=0.0))) for m in _MEASURES}
    )
    if "org_tf" not in f._cache:
        counts = np.bincount(np.maximum(f.org_key, 0), minlength=len(f.org.values) + 1).astype(float)
        f._cache["org_tf"] = counts / max(f.n, 1)
    tf = f._cache["org_tf"]
    lev = _eval_levels(c, len(ia), null, {"exact": eq}, measures)
    return lev, np.where(a >= 0, tf[np.maximum(a, 0)], np.nan)


# --------------------------------------------------------------------------- multi-valued fields


def _shared_pairs(lists, n: int, max_group: int = 1000):
    """Pairs of records sharing a value -> (sorted pair codes, min value frequency per pair)."""
    groups: dict = {}
    for i, vs in enumerate(lists):
        for v in vs:
            groups.setdefault(v, []).append(i)
    codes, freqs = [], []
    for rows in groups.values():
        k = len(rows)
        if k < 2 or k > max_group:
            continue
        r = np.array(sorted(set(rows)), dtype=np.int64)
        if len(r) < 2:
            continue
        ti, tj = np.triu_indices(len(r), 1)
        codes.append((r[ti] << 32) | r[tj])
        freqs.append(np.full(len(ti), len(r) / n))
    if not codes:
        return np.zeros(0, np.int64), np.zeros(0)
    code = np.concatenate(codes)
    fr = np.concatenate(freqs)
    order = np.lexsort((fr, code))
    code, fr = code[order], fr[order]
    first = np.r_[True, code[1:] != code[:-1]]
    return code[first], fr[first]


def _lookup_shared(shared, ia, ib):
    code, fr = shared
    pc = (np.minimum(ia, ib).astype(np.int64) << 32) | np.maximum(ia, ib).astype(np.int64)
    if len(code) == 0:
        return np.zeros(len(pc), bool), np.full(len(pc), np.nan)
    pos = np.searchsorted(code, pc)
    pos = np.minimum(pos, len(code) - 1)
    hit = code[pos] == pc
    return hit, np.where(hit, fr[pos], np.nan)


def _cmp_set_overlap(c, f, ia, ib, ctx):
    lists = {"phones": f.phones}[c["field"]]
    key = ("shared", c["field"])
    if key not in f._cache:
        f._cache[key] = _shared_pairs(lists, f.n)
    hit, fr = _lookup_shared(f._cache[key], ia, ib)
    has = np.array([bool(x) for x in lists], bool)
    null = ~(has[ia] & has[ib])
    lev = _eval_levels(c, len(ia), null, {"shared": hit}, {})
    return lev, fr


def _near(x: str, y: str) -> bool:
    return (
        len(x) == len(y)
        and Levenshtein.distance(x, y) <= 1
        or (abs(len(x) - len(y)) == 1 and Levenshtein.distance(x, y) <= 1)
    )


def _cmp_identifier(c, f, ia, ib, ctx):
    lists = {"passports": f.passports, "id_numbers": f.ids}[c["field"]]
    key = ("shared", c["field"])
    if key not in f._cache:
        f._cache[key] = _shared_pairs([[p[0] for p in ps] for ps in lists], f.n)
    hit, fr = _lookup_shared(f._cache[key], ia, ib)
    has = np.array([bool(x) for x in lists], bool)
    null = ~(has[ia] & has[ib])
    near = np.zeros(len(ia), bool)
    comparable = np.ones(len(ia), bool)
    country_aware = bool(c.get("country_aware", False))
    for k in np.flatnonzero(~null & ~hit):
        A, B = lists[ia[k]], lists[ib[k]]
        if any(_near(x[0], y[0]) for x in A for y in B):
            near[k] = True
        if country_aware:
            # different numbers only conflict when issued by the same (or an unknown) country
            comparable[k] = any(x[1] is None or y[1] is None or x[1] == y[1] for x in A for y in B)
    null = null | (~hit & ~near & ~comparable)
    tests = {"exact": hit, "near": near, "conflict": np.ones(len(ia), bool)}
    return _eval_levels(c, len(ia), null, tests, {}), None


_DISPATCH = {
    "name_part": _cmp_name_part,
    "date": _cmp_date,
    "exact": _cmp_exact,
    "text": _cmp_text,
    "code": _cmp_code,
    "org_name": _cmp_org_name,
    "set_overlap": _cmp_set_overlap,
    "identifier": _cmp_identifier,
}


def compute_levels(f: Features, ia: np.ndarray, ib: np.ndarray, comparisons: list[dict]):
    """-> (levels int8 [pairs x comparisons], {comparison index: per-pair term frequency})."""
    ia = np.asarray(ia, dtype=np.int64)
    ib = np.asarray(ib, dtype=np.int64)
    levels = np.full((len(ia), len(comparisons)), -1, np.int8)
    tfs: dict[int, np.ndarray] = {}
    ctx: dict = {}
    for j, c in enumerate(comparisons):
        lev, tf = _DISPATCH[c["type"]](c, f, ia, ib, ctx)
        levels[:, j] = lev
        if tf is not None:
            tfs[j] = tf
    # full-name frequency: given and family names are not independent (both follow the culture), so
    # when the whole name agrees, the frequency of the whole name bounds the evidence
    fam_j = [j for j, c in enumerate(comparisons) if c["type"] == "name_part" and c.get("part", "family") == "family"]
    giv_j = [j for j, c in enumerate(comparisons) if c["type"] == "name_part" and c.get("part") == "given"]
    if fam_j and giv_j and f.name_key is not None:
        kc, freq = _name_key_codes(f)
        a, b = kc[ia], kc[ib]
        same = (a == b) & (a >= 0)
        tfs["name_joint"] = (fam_j[0], giv_j[0], np.where(same, freq[np.maximum(a, 0)], np.nan))
    return levels, tfs
