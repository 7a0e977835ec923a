"""Record preparation: standard fields -> per-record arrays the comparisons and blocking rules use."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from linkgraph.normalize.names import normalize_person_name, phonetic_key

from . import adapters as ad

__all__ = ["Features", "prepare", "STANDARD_FIELDS", "sorted_unique"]


def sorted_unique(x: np.ndarray) -> np.ndarray:
    """np.unique for 1-d integer arrays by sorting (numpy 2.x's hash-based unique can be very slow
    on large int64 keys)."""
    if len(x) == 0:
        return x
    a = np.sort(x)
    return a[np.r_[True, a[1:] != a[:-1]]]


STANDARD_FIELDS = (
    "record_id",
    "name",
    "birth_date",
    "nationality",
    "phones",
    "passports",
    "id_numbers",
    "address",
    "city",
    "postcode",
    "source",
    "entity_id",
    "kind",
)


class Vocab:
    """String interning: value -> dense int id (-1 for missing)."""

    __slots__ = ("index", "values")

    def __init__(self):
        self.index: dict[str, int] = {}
        self.values: list[str] = []

    def id(self, v: str | None) -> int:
        if not v:
            return -1
        i = self.index.get(v)
        if i is None:
            i = len(self.values)
            self.index[v] = i
            self.values.append(v)
        return i

    def array(self) -> np.ndarray:
        return np.array(self.values + [""], dtype=object)  # index -1 -> ""


def _col(df: pd.DataFrame, name: str):
    if name in df.columns:
        return df[name].tolist()
    return [None] * len(df)


@dataclass
class Features:
    kind: str
    n: int
    record_id: np.ndarray
    source: np.ndarray
    source_labels: list
    entity_id: np.ndarray
    is_new: np.ndarray
    display: list
    # names (persons)
    tok: Vocab = field(default_factory=Vocab)
    fam: np.ndarray | None = None
    giv: np.ndarray | None = None
    givall: np.ndarray | None = None
    famall: np.ndarray | None = None  # the words after the given name joined ("Abdul Rahman" -> "abdulrahman")
    initial: np.ndarray | None = None  # ord of first given initial or 0
    gender: np.ndarray | None = None
    core_sets: list | None = None
    name_key: np.ndarray | None = None  # object array of keys ("" missing)
    name_notes: list | None = None
    phon: Vocab = field(default_factory=Vocab)
    tok_phon: np.ndarray | None = None  # token id -> phonetic id
    # organisations
    org_key: np.ndarray | None = None  # int ids into org vocab
    org: Vocab = field(default_factory=Vocab)
    org_tokens: list | None = None
    # dates
    by: np.ndarray | None = None
    bm: np.ndarray | None = None
    bd: np.ndarray | None = None
    dprec: np.ndarray | None = None
    ddigits: np.ndarray | None = None
    # other fields
    nat: np.ndarray | None = None
    nat_vocab: Vocab = field(default_factory=Vocab)
    phones: list | None = None
    passports: list | None = None
    ids: list | None = None
    addr: np.ndarray | None = None
    addr_vocab: Vocab = field(default_factory=Vocab)
    city: np.ndarray | None = None
    city_vocab: Vocab = field(default_factory=Vocab)
    postcode: np.ndarray | None = None
    postcode_vocab: Vocab = field(default_factory=Vocab)
    present: dict = field(default_factory=dict)  # field -> bool (any non-missing value)
    _cache: dict = field(default_factory=dict)

    def tok_strings(self) -> np.ndarray:
        c = self._cache.get("tok_strings")
        if c is None or len(c) != len(self.tok.values) + 1:
            c = self._cache["tok_strings"] = self.tok.array()
        return c


def _ids_list(values):
    out = []
    for v in values:
        items = ad.split_multi(v) if not isinstance(v, dict) else [v]
        norm = []
        for it in items:
            r = ad.normalize_identifier(it)
            if r is not None and r not in norm:
                norm.append(r)
        out.append(tuple(norm))
    return out


def _phones_list(values, regions):
    out = []
    for v, reg in zip(values, regions):
        items = ad.split_multi(v)
        norm = []
        for it in items:
            p = ad.normalize_phone_e164(it, reg)
            if p and p not in norm:
                norm.append(p)
        out.append(tuple(norm))
    return out


def prepare(df: pd.DataFrame, kind: str = "person", is_new: np.ndarray | None = None) -> Features:
    """Normalise the standard fields of ``df`` (already restricted to one kind)."""
    n = len(df)
    rid = np.array([str(x) for x in df["record_id"].tolist()], dtype=object)
    src_raw = _col(df, "source")
    src_labels = pd.Index(pd.unique(pd.Series([str(s) if not ad.is_missing(s) else "" for s in src_raw], dtype=object)))
    source = src_labels.get_indexer([str(s) if not ad.is_missing(s) else "" for s in src_raw]).astype(np.int32)
    ent = np.array([None if ad.is_missing(e) else str(e) for e in _col(df, "entity_id")], dtype=object)
    if is_new is None:
        is_new = np.array([e is None for e in ent], dtype=bool)
    names_raw = _col(df, "name")
    f = Features(
        kind=kind,
        n=n,
        record_id=rid,
        source=source,
        source_labels=list(src_labels),
        entity_id=ent,
        is_new=is_new,
        display=[None] * n,
    )

    # --- names
    if kind == "person":
        tok = f.tok
        fam = np.full(n, -1, np.int32)
        giv = np.full(n, -1, np.int32)
        givall = np.full(n, -1, np.int32)
        famall = np.full(n, -1, np.int32)
        initial = np.zeros(n, np.int32)
        gender = np.zeros(n, np.int8)
        core_sets = [frozenset()] * n
        keys = np.empty(n, dtype=object)
        notes = [""] * n
        memo: dict = {}
        for i, raw in enumerate(names_raw):
            try:
                hkey = raw if isinstance(raw, str) else None
            except Exception:  # pragma: no cover
                hkey = None
            r = memo.get(hkey) if hkey is not None else None
            if r is None:
                nv = normalize_person_name(raw)
                fa = tok.id(nv.family)
                gi = tok.id(nv.given)
                rest = [t for t in nv.core if t != nv.family]
                if nv.given in rest:
                    # the given names start at the one the parser chose: a Malay devotional prefix before it
                    # ("Mohd Faizal bin Osman" is called Faizal) is not one of them
                    rest = rest[rest.index(nv.given) :]
                ga = tok.id("".join(rest)) if len(rest) > 1 else gi
                if gi < 0 and rest:
                    gi = tok.id(rest[0])
                    ga = tok.id("".join(rest))
                ini = 0
                if gi < 0 and nv.initials:
                    ini = ord(nv.initials[0])
                elif gi >= 0:
                    ini = ord(tok.values[gi][0])
                # a family name in several words ("bin Abdul Rahman", a stray space in "Mwa Kasege") against one
                # written as one word: the words after the given name, joined
                tail = nv.core[nv.core.index(nv.given) + 1 :] if nv.given in nv.core else ()
                fj = (
                    tok.id("".join(tail))
                    if nv.order != "family_first" and len(tail) > 1 and tail[-1] == nv.family
                    else fa
                )
                g = 1 if nv.gender_marker == "van" else 2 if nv.gender_marker == "thi" else 0
                cs = frozenset(tok.id(t) for t in nv.core)
                r = (fa, gi, ga, fj, ini, g, cs, nv.key, nv.value, nv.note)
                if hkey is not None:
                    memo[hkey] = r
            (
                fam[i],
                giv[i],
                givall[i],
                famall[i],
                initial[i],
                gender[i],
                core_sets[i],
                keys[i],
                f.display[i],
                notes[i],
            ) = r
        f.fam, f.giv, f.givall, f.famall, f.initial, f.gender = fam, giv, givall, famall, initial, gender
        f.core_sets, f.name_key, f.name_notes = core_sets, keys, notes
        f.tok_phon = np.array([f.phon.id(phonetic_key(t)) for t in tok.values] + [-1], dtype=np.int32)
        f.present["name"] = bool((keys != "").any())
    else:
        org = f.org
        okey = np.full(n, -1, np.int32)
        toks = [()] * n
        for i, raw in enumerate(names_raw):
            k = ad.org_name_key(raw)
            okey[i] = org.id(k)
            toks[i] = tuple(k.split())
            f.display[i] = "" if ad.is_missing(raw) else str(raw).strip()
        f.org_key, f.org_tokens = okey, toks
        f.present["name"] = bool((okey >= 0).any())

    # --- birth dates
    bd_raw = _col(df, "birth_date")
    by = np.zeros(n, np.int16)
    bm = np.zeros(n, np.int8)
    bdd = np.zeros(n, np.int8)
    for i, v in enumerate(bd_raw):
        y, m, d = ad.parse_date(v)
        by[i], bm[i], bdd[i] = y, m, d
    f.by, f.bm, f.bd = by, bm, bdd
    f.dprec = np.where(by == 0, 0, np.where(bm == 0, 1, np.where(bdd == 0, 2, 3))).astype(np.int8)
    digits = np.zeros((n, 8), np.int8)
    yy = by.astype(np.int32)
    for k in range(4):
        digits[:, 3 - k] = (yy // (10**k)) % 10
    digits[:, 4] = bm // 10
    digits[:, 5] = bm % 10
    digits[:, 6] = bdd // 10
    digits[:, 7] = bdd % 10
    f.ddigits = digits
    f.present["birth_date"] = bool((by > 0).any())

    # --- nationality
    nat_raw = _col(df, "nationality")
    nat_norm = [ad.normalize_country_alpha2(v) for v in nat_raw]
    f.nat = np.array([f.nat_vocab.id(v) for v in nat_norm], dtype=np.int32)
    f.present["nationality"] = bool((f.nat >= 0).any())

    # --- phones / ids
    f.phones = _phones_list(_col(df, "phones"), nat_norm)
    f.passports = _ids_list(_col(df, "passports"))
    f.ids = _ids_list(_col(df, "id_numbers"))
    f.present["phones"] = any(f.phones)
    f.present["passports"] = any(f.passports)
    f.present["id_numbers"] = any(f.ids)

    # --- address / city / postcode
    f.addr = np.array([f.addr_vocab.id(ad.normalize_address(v)) for v in _col(df, "address")], dtype=np.int32)
    f.city = np.array([f.city_vocab.id(ad.normalize_city(v)) for v in _col(df, "city")], dtype=np.int32)
    f.postcode = np.array([f.postcode_vocab.id(ad.normalize_postcode(v)) for v in _col(df, "postcode")], dtype=np.int32)
    f.present["address"] = bool((f.addr >= 0).any())
    f.present["city"] = bool((f.city >= 0).any())
    f.present["postcode"] = bool((f.postcode >= 0).any())
    return f
