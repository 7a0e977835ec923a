"""Blocking: candidate pairs as the union of pairs that share every key of at least one rule.

Each key is a function of one record giving zero, one or several values ("phone" gives one value per
phone number).  A rule is a list of keys; two records are candidates under it when they share a value
of every key.  Blocks bigger than ``max_block_size`` are skipped for that rule (and counted), so the
number of pairs stays near-linear in the number of records.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .features import Features, sorted_unique

__all__ = ["KEYS", "key_values", "block_pairs", "candidate_pairs", "rule_fields"]


def _single(f: Features, values):
    rows = np.array([i for i, v in enumerate(values) if v], dtype=np.int64)
    keys = np.array([values[i] for i in rows], dtype=object)
    return rows, keys


def _multi(f: Features, lists):
    rows, keys = [], []
    for i, vs in enumerate(lists):
        for v in vs:
            if v:
                rows.append(i)
                keys.append(v)
    return np.array(rows, dtype=np.int64), np.array(keys, dtype=object)


def _tokstr(f: Features, ids: np.ndarray) -> list:
    s = f.tok_strings()
    return [s[i] if i >= 0 else None for i in ids]


def _phon_of(f: Features, ids: np.ndarray) -> list:
    ps = f.phon.array()
    tp = f.tok_phon
    return [ps[tp[i]] if i >= 0 else None for i in ids]


def k_name_key(f):
    return _single(f, [k or None for k in f.name_key])


def k_name_phonetic_pair(f):
    pf, pg = _phon_of(f, f.fam), _phon_of(f, f.giv)
    vals = []
    for a, b in zip(pf, pg):
        if a and b:
            vals.append(a + "|" + b if a <= b else b + "|" + a)
        else:
            vals.append(a or b or None)  # one-part names block on that part alone
    return _single(f, vals)


def k_token_phonetic(f):
    ps = f.phon.array()
    tp = f.tok_phon
    return _multi(f, [{ps[tp[t]] for t in cs} for cs in f.core_sets])


def k_token_initial(f):
    s = f.tok_strings()
    return _multi(f, [{s[t][0] for t in cs} for cs in f.core_sets])


def _prefix_pair(f, n):
    sf, sg = _tokstr(f, f.fam), _tokstr(f, f.giv)
    vals = []
    for a, b in zip(sf, sg):
        if a and b:
            a, b = a[:n], b[:n]
            vals.append(a + "|" + b if a <= b else b + "|" + a)
        else:
            vals.append(None)
    return vals


def k_prefix3_pair(f):
    return _single(f, _prefix_pair(f, 3))


def k_initial_pair(f):
    sf = _tokstr(f, f.fam)
    vals = []
    for a, ini in zip(sf, f.initial):
        b = chr(ini) if ini else None
        if a and b:
            a = a[0]
            vals.append(a + b if a <= b else b + a)
        else:
            vals.append(a[0] if a else b)
    return _single(f, vals)


def k_family_initial(f):
    """Family name's sound and the given name's first letter: "F. Osman", "Osman F" and "Faizal Osman" share it,
    where an initial-only record has no name pair to block on."""
    pf = _phon_of(f, f.fam)
    return _single(f, [a + "|" + chr(ini) if a and ini else None for a, ini in zip(pf, f.initial)])


def k_birth_date(f):
    vals = [f"{y}-{m}-{d}" if p == 3 else None for y, m, d, p in zip(f.by, f.bm, f.bd, f.dprec)]
    return _single(f, vals)


def k_birth_year(f):
    return _single(f, [int(y) if y else None for y in f.by])


def k_birth_year_month(f):
    return _single(f, [f"{y}-{m}" if p >= 2 else None for y, m, p in zip(f.by, f.bm, f.dprec)])


def k_postcode(f):
    s = f.postcode_vocab.array()
    return _single(f, [s[i] if i >= 0 else None for i in f.postcode])


def k_city_prefix3(f):
    s = f.city_vocab.array()
    return _single(f, [s[i][:3] if i >= 0 else None for i in f.city])


def k_nationality(f):
    s = f.nat_vocab.array()
    return _single(f, [s[i] if i >= 0 else None for i in f.nat])


def _addr_tokens(f):
    s = f.addr_vocab.array()
    return [s[i].split() if i >= 0 else [] for i in f.addr]


def k_address_number(f):
    vals = []
    for toks in _addr_tokens(f):
        v = next((t for t in toks if t.isdigit()), None)
        vals.append(v)
    return _single(f, vals)


def k_address_prefix(f):
    vals = []
    for toks in _addr_tokens(f):
        v = next((t[:4] for t in toks if not t.isdigit() and len(t) > 2), None)
        vals.append(v)
    return _single(f, vals)


def k_phone(f):
    return _multi(f, f.phones)


def k_passport(f):
    return _multi(f, [[p[0] for p in ps] for ps in f.passports])


def k_id_number(f):
    return _multi(f, [[p[0] for p in ps] for ps in f.ids])


def k_org_token(f):
    return _multi(f, [set(t for t in toks if len(t) > 1) for toks in f.org_tokens])


def k_org_phonetic_pair(f):
    from linkgraph.normalize.names import phonetic_key

    vals = []
    for toks in f.org_tokens:
        if len(toks) >= 2:
            a, b = phonetic_key(toks[0]), phonetic_key(toks[1])
            vals.append(a + "|" + b if a <= b else b + "|" + a)
        elif toks:
            vals.append(phonetic_key(toks[0]))
        else:
            vals.append(None)
    return _single(f, vals)


def k_org_initial(f):
    return _single(f, [toks[0][0] if toks else None for toks in f.org_tokens])


# key name -> (function, fields it reads)
KEYS = {
    "name_key": (k_name_key, {"name"}),
    "name_phonetic_pair": (k_name_phonetic_pair, {"name"}),
    "token_phonetic": (k_token_phonetic, {"name"}),
    "token_initial": (k_token_initial, {"name"}),
    "prefix3_pair": (k_prefix3_pair, {"name"}),
    "initial_pair": (k_initial_pair, {"name"}),
    "family_initial": (k_family_initial, {"name"}),
    "birth_date": (k_birth_date, {"birth_date"}),
    "birth_year": (k_birth_year, {"birth_date"}),
    "birth_year_month": (k_birth_year_month, {"birth_date"}),
    "postcode": (k_postcode, {"postcode"}),
    "city_prefix3": (k_city_prefix3, {"city"}),
    "nationality": (k_nationality, {"nationality"}),
    "address_number": (k_address_number, {"address"}),
    "address_prefix": (k_address_prefix, {"address"}),
    "phone": (k_phone, {"phones"}),
    "passport": (k_passport, {"passports"}),
    "id_number": (k_id_number, {"id_numbers"}),
    "org_token": (k_org_token, {"name"}),
    "org_phonetic_pair": (k_org_phonetic_pair, {"name"}),
    "org_initial": (k_org_initial, {"name"}),
}

_NAME_KEYS_ORG = {"org_token", "org_phonetic_pair", "org_initial"}


def rule_spec(rule, default_max: int) -> tuple[list, int]:
    """A rule is a list of keys, or {keys: [...], max_block_size: n}."""
    if isinstance(rule, dict):
        return list(rule["keys"]), int(rule.get("max_block_size", default_max))
    return list(rule), default_max


def rule_fields(rule) -> set:
    if isinstance(rule, dict):
        rule = rule["keys"]
    out = set()
    for k in rule:
        out |= KEYS[k][1]
    return out


def key_values(f: Features, key: str):
    """(rows, keys) for one key, cached on the Features object."""
    if key not in KEYS:
        raise ValueError(f"unknown blocking key {key!r}; known: {', '.join(sorted(KEYS))}")
    cache = f._cache.setdefault("keys", {})
    if key not in cache:
        if f.kind == "person" and key in _NAME_KEYS_ORG:
            cache[key] = (np.zeros(0, np.int64), np.zeros(0, object))
        elif f.kind != "person" and KEYS[key][1] & {"name"} and key not in _NAME_KEYS_ORG:
            cache[key] = (np.zeros(0, np.int64), np.zeros(0, object))
        elif f.kind != "person" and KEYS[key][1] & {"birth_date"}:
            cache[key] = (np.zeros(0, np.int64), np.zeros(0, object))
        else:
            cache[key] = KEYS[key][0](f)
    return cache[key]


def key_codes(f: Features, key: str):
    """(rows, integer codes, is_multi) for one key, cached."""
    cache = f._cache.setdefault("key_codes", {})
    if key not in cache:
        rows, keys = key_values(f, key)
        codes = pd.factorize(pd.Series(keys, dtype=object))[0].astype(np.int64) if len(rows) else np.zeros(0, np.int64)
        multi = bool(len(rows) and (np.diff(rows) == 0).any()) if len(rows) > 1 else False
        cache[key] = (rows, codes, multi)
    return cache[key]


def _rule_rows_codes(f: Features, rule) -> tuple[np.ndarray, np.ndarray]:
    """Rows and integer block codes for a rule (cartesian product of multi-valued keys)."""
    parts = [key_codes(f, k) for k in rule]
    if any(len(p[0]) == 0 for p in parts):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # start from a multi-valued key if there is one (its rows may repeat), then attach the others
    parts.sort(key=lambda p: not p[2])
    rows, code, _ = parts[0]
    for prow, pcode, pmulti in parts[1:]:
        if not pmulti:
            per = np.full(f.n, -1, np.int64)
            per[prow] = pcode
            other = per[rows]
            keep = other >= 0
            rows, code, other = rows[keep], code[keep], other[keep]
            code = code * (int(pcode.max()) + 1) + other
        else:
            df = pd.DataFrame({"row": rows, "a": code}).merge(pd.DataFrame({"row": prow, "b": pcode}), on="row")
            rows = df["row"].to_numpy(np.int64)
            code = df["a"].to_numpy(np.int64) * (int(pcode.max()) + 1) + df["b"].to_numpy(np.int64)
        if len(rows) == 0:
            return rows, code
        code = pd.factorize(code)[0].astype(np.int64)  # keep codes small
    return rows, code


def block_pairs(rows: np.ndarray, codes: np.ndarray, max_block_size: int):
    """All pairs (i < j) of rows sharing a code, skipping blocks larger than max_block_size.

    Returns (pair codes i * 2**32 + j as int64, number of skipped blocks, records in skipped blocks).
    """
    if len(rows) == 0:
        return np.zeros(0, np.int64), 0, 0
    order = np.lexsort((rows, codes))
    rows, codes = rows[order], codes[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(codes)])
    skipped = int((sizes > max_block_size).sum())
    skipped_records = int(sizes[sizes > max_block_size].sum())
    out = []
    for s in np.unique(sizes):
        if s < 2 or s > max_block_size:
            continue
        st = starts[sizes == s]
        ti, tj = np.triu_indices(int(s), 1)
        a = rows[st[:, None] + ti[None, :]].ravel()
        b = rows[st[:, None] + tj[None, :]].ravel()
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        keep = lo != hi
        out.append((lo[keep] << 32) | hi[keep])
    if not out:
        return np.zeros(0, np.int64), skipped, skipped_records
    return sorted_unique(np.concatenate(out)), skipped, skipped_records


def candidate_pairs(
    f: Features, rules, max_block_size: int, link_only: bool = False, new_only: bool = False, stats: dict | None = None
):
    """Union of the rules' pairs -> (ia, ib) int64 arrays with ia < ib, sorted."""
    allcodes = []
    for rule in rules:
        rule, mbs = rule_spec(rule, max_block_size)
        rows, codes = _rule_rows_codes(f, rule)
        pc, skipped, skipped_recs = block_pairs(rows, codes, mbs)
        pc = _filter(f, pc, link_only, new_only)
        allcodes.append(pc)
        if stats is not None:
            stats.setdefault("rules", []).append(
                {
                    "rule": list(rule),
                    "pairs": int(len(pc)),
                    "skipped_blocks": skipped,
                    "records_in_skipped_blocks": skipped_recs,
                }
            )
    pcs = sorted_unique(np.concatenate(allcodes)) if allcodes else np.zeros(0, np.int64)
    if stats is not None:
        stats["candidate_pairs"] = int(len(pcs))
    return pcs >> 32, pcs & 0xFFFFFFFF


def _filter(f: Features, pc: np.ndarray, link_only: bool, new_only: bool) -> np.ndarray:
    if len(pc) == 0 or not (link_only or new_only):
        return pc
    ia, ib = pc >> 32, pc & 0xFFFFFFFF
    keep = np.ones(len(pc), bool)
    if link_only:
        keep &= f.source[ia] != f.source[ib]
    if new_only:
        keep &= f.is_new[ia] | f.is_new[ib]
    return pc[keep]


def rule_mask(f: Features, rule, ia: np.ndarray, ib: np.ndarray) -> np.ndarray:
    """Which of the given pairs share every key of ``rule`` (used to pick EM training pairs)."""
    rule, _ = rule_spec(rule, 0)
    mask = np.ones(len(ia), bool)
    for k in rule:
        rows, keys = key_values(f, k)
        if len(rows) == 0:
            return np.zeros(len(ia), bool)
        codes, _ = pd.factorize(pd.Series(keys, dtype=object))
        # per record: set of codes (usually one)
        first = np.full(f.n, -1, np.int64)
        multi: dict[int, set] = {}
        for r, c in zip(rows, codes):
            if first[r] == -1:
                first[r] = c
            elif first[r] != c:
                multi.setdefault(int(r), {int(first[r])}).add(int(c))
        m = (first[ia] >= 0) & (first[ia] == first[ib])
        if multi:
            idx = np.flatnonzero(
                ~m & (first[ia] >= 0) & (first[ib] >= 0) & (np.isin(ia, list(multi)) | np.isin(ib, list(multi)))
            )
            for t in idx:
                sa = multi.get(int(ia[t]), {int(first[ia[t]])})
                sb = multi.get(int(ib[t]), {int(first[ib[t]])})
                if sa & sb:
                    m[t] = True
        mask &= m
    return mask
