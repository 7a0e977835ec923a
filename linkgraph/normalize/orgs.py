"""Company / organisation names -> comparison key + legal form.

``normalize_org_name("Cong ty TNHH Thuong Mai XNK Hoang Long")`` gives
``key='thuong mai xuat nhap khau hoang long'`` and
``legal_form='Cong ty TNHH'``; "ABC Imp. & Exp. Co., Ltd." and
"ABC IMPORT-EXPORT COMPANY LIMITED" both give ``key='abc import export'``.

The key is built by transliterating to ASCII (anyascii: diacritics, Chinese,
Cyrillic ...), lower-casing, dropping punctuation, normalising
import/export spellings and stripping legal-form words from the end (and
Vietnamese/Indonesian/French legal prefixes from the start).  "Trading",
"Import Export", "Enterprise" are kept: they are part of the name.

``python-cleanco`` was considered; its term list has no Vietnamese, Chinese
or Lusophone forms and it does not keep import/export words, so a small
table is used instead.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from ._common import clean_text, fold_ascii, is_blank, map_unique_frame, replace_raw

__all__ = ["OrgValue", "normalize_org_name", "org_name_key", "normalize_org_series"]


@dataclass(frozen=True, slots=True)
class OrgValue:
    raw: Any
    value: str | None  # tidy display name (legal form kept, spacing/punctuation tidied)
    ok: bool
    note: str | None = None
    key: str | None = None  # comparison key: ascii, lower case, no legal form
    legal_form: str | None = None  # canonical legal form found ("Co. Ltd", "Sdn Bhd" ...)


def _t(s: str) -> tuple[str, ...]:
    return tuple(s.split())


# suffixes (folded tokens) -> canonical legal form; longest match wins
_SUFFIXES: dict[tuple[str, ...], str] = {}
for _names, _canon in [
    ("company limited|co ltd|co limited|company ltd|ltd co|limited company|co ltd company", "Co. Ltd"),
    ("limited|ltd|ltda limited", "Ltd"),
    ("private limited|pvt ltd|pvt limited|private ltd|p ltd|pvt", "Pvt Ltd"),
    ("pte ltd|pte limited|private limited company|pte", "Pte Ltd"),
    ("pty ltd|pty limited|proprietary limited|pty", "Pty Ltd"),
    ("llc|l l c|limited liability company|limited liability co", "LLC"),
    ("llp|l l p|limited liability partnership", "LLP"),
    ("plc|p l c|public limited company", "Plc"),
    ("inc|incorporated|inc ltd", "Inc"),
    ("corp|corporation|corp ltd|corporation limited", "Corp"),
    ("co|company|cos|companies", "Co"),
    ("and co|and company|and cie|et cie|e cia|y cia", "& Co"),
    ("gmbh|g m b h|gesellschaft mit beschrankter haftung", "GmbH"),
    ("gmbh and co kg|gmbh co kg", "GmbH & Co. KG"),
    ("ag|aktiengesellschaft", "AG"),
    ("kg|kommanditgesellschaft", "KG"),
    ("sarl|s a r l|sarlu|suarl|s a r l u", "SARL"),
    ("sa|s a|societe anonyme|sociedad anonima|sociedade anonima|s a r", "SA"),
    ("sas|s a s|sasu|societe par actions simplifiee", "SAS"),
    ("srl|s r l|sprl|s p r l", "SRL"),
    ("spa|s p a", "SpA"),
    ("sl|s l|slu", "SL"),
    ("bv|b v", "BV"),
    ("nv|n v", "NV"),
    ("ab|aps|oy|oyj|asa", "Nordic company"),
    ("sdn bhd|sdn berhad|sendirian berhad|s b", "Sdn Bhd"),
    ("bhd|berhad", "Bhd"),
    ("tbk|persero tbk", "Tbk"),
    ("jsc|j s c|joint stock company|joint stock co|ojsc|pjsc|cjsc|jsc co", "JSC"),
    ("ltda|limitada", "Ltda"),
    ("lda|l da", "Lda"),
    ("eireli|me|epp", "EIRELI/ME"),
    ("fze|fzco|fzc|fz llc|fz co|fzllc|dmcc", "Free Zone Co"),
    ("est|establishment|ets", "Est."),
    ("kk|kabushiki kaisha|yk|yugen kaisha", "KK"),
    ("ltd sti|limited sirketi|as|a s", "Ltd Sti/AS"),
    ("tnhh|tnhh mtv|trach nhiem huu han|cp|co phan", "Cong ty TNHH/CP"),
    ("cic|cio|ngo|foundation ltd", "Non-profit"),
    ("sendirian|sdn", "Sdn Bhd"),
    ("youxiangongsi|gongsi|youxianzerengongsi|gufenyouxiangongsi", "Co. Ltd"),
]:
    for _n in _names.split("|"):
        _SUFFIXES[_t(_n)] = _canon
# "AS" and "SA" as bare trailing tokens are common and safe; "ME" (Brazilian
# micro-enterprise) is too ambiguous to strip
del _SUFFIXES[("me",)]
# "est" is also Estonian/"east"; keep only "establishment"/"ets" as suffix
del _SUFFIXES[("est",)]

_PREFIXES: dict[tuple[str, ...], str] = {}
for _names, _canon in [
    (
        "cong ty tnhh|cong ty trach nhiem huu han|cty tnhh|ct tnhh|cong ty tnhh mtv|cty tnhh mtv|"
        "cong ty tnhh mot thanh vien|cong ty tnhh hai thanh vien",
        "Cong ty TNHH",
    ),
    ("cong ty co phan|cong ty cp|cty cp|cty co phan|ctcp", "Cong ty CP"),
    ("cong ty|cty|c ty", "Cong ty"),
    ("doanh nghiep tu nhan|dntn", "DNTN"),
    ("pt|p t", "PT"),
    ("cv|c v", "CV"),
    ("ets|etablissements|etablissement|establishment|est", "Ets"),
    ("m s|messrs", "M/s"),
    ("sarl|sarlu|suarl|s a r l", "SARL"),
    ("jsc|ojsc|pjsc|cjsc|ooo|oao|zao|pao", "JSC/OOO"),
]:
    for _n in _names.split("|"):
        _PREFIXES[_t(_n)] = _canon

_MAX_SUFFIX = max(len(k) for k in _SUFFIXES)
_MAX_PREFIX = max(len(k) for k in _PREFIXES)

# Chinese legal suffixes, removed before transliteration
_CJK_SUFFIXES = [
    ("股份有限公司", "Co. Ltd (joint stock)"),
    ("有限责任公司", "LLC"),
    ("有限責任公司", "LLC"),
    ("有限公司", "Co. Ltd"),
    ("公司", "Co"),
]

_REWRITES = [
    # (substring that must be present, pattern, replacement); "&" is already "and"
    (
        "imp",
        re.compile(r"\b(?:imp(?:ort)?s?|imports?)\s*(?:and\s*|n\s*)?(?:exp(?:ort)?s?|exports?)\b"),
        "import export",
    ),
    ("exp", re.compile(r"\bexp(?:ort)?s?\s*(?:and\s*)?imp(?:ort)?s?\b"), "import export"),
    ("exim", re.compile(r"\bexim\b"), "import export"),
    ("xnk", re.compile(r"\bxnk\b"), "xuat nhap khau"),
    ("tm", re.compile(r"\btm\s+dv\b"), "thuong mai dich vu"),
    ("int", re.compile(r"\b(?:intl|int l|internat)\b"), "international"),
    ("tr", re.compile(r"\b(?:tradg|trdg)\b"), "trading"),
    ("enterprises", re.compile(r"\benterprises\b"), "enterprise"),
    ("mfg", re.compile(r"\bmfg\b"), "manufacturing"),
    ("bros", re.compile(r"\bbros\b"), "brothers"),
    ("gen", re.compile(r"\bgen\s+(?=trading\b)"), "general "),
]
_CJK_RE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TAG_RE = re.compile(r"<[^>]{0,200}>")
_QUOTES_RE = re.compile(r"^[\"'“”‘’«»\s]+|[\"'“”‘’«»\s]+$")
_LEADING_THE = ("the",)


def _display(text: str) -> str:
    s = _QUOTES_RE.sub("", text)
    s = re.sub(r"\s+([,.;:)])", r"\1", s)
    s = re.sub(r"([(])\s+", r"\1", s)
    s = re.sub(r"\s+", " ", s).strip(" ,;:-")
    s = re.sub(r"\bImp\.?\s*&\s*Exp\.?", "Import Export", s, flags=re.I)
    return s


def _strip_legal(tokens: list[str]) -> tuple[list[str], list[str]]:
    forms: list[str] = []
    # prefixes (at most one)
    for n in range(min(_MAX_PREFIX, len(tokens) - 1), 0, -1):
        canon = _PREFIXES.get(tuple(tokens[:n]))
        if canon:
            forms.append(canon)
            tokens = tokens[n:]
            break
    # suffixes (repeatedly: "Holdings (Pty) Ltd", "Trading Co., Ltd.")
    for _ in range(3):
        hit = False
        for n in range(min(_MAX_SUFFIX, len(tokens) - 1), 0, -1):
            canon = _SUFFIXES.get(tuple(tokens[-n:]))
            if canon:
                forms.append(canon)
                tokens = tokens[:-n]
                hit = True
                break
        if not hit:
            break
    return tokens, forms


@functools.lru_cache(maxsize=131_072)
def _normalize_str(raw: str) -> OrgValue:
    text = clean_text(raw)
    if not text:
        return OrgValue(raw, None, False, "blank")
    return replace_raw(_normalize_text(text), raw)


def _normalize_text(text: str) -> OrgValue:
    notes: list[str] = []
    if _TAG_RE.search(text):
        text2 = _TAG_RE.sub(" ", text)
        notes.append("markup removed")
    else:
        text2 = text
    if len(text2) > 300:
        return OrgValue(text, None, False, "too long to be a name")
    forms: list[str] = []
    body = text2.strip()
    for suf, canon in _CJK_SUFFIXES:
        if body.endswith(suf) and len(body) > len(suf):
            body = body[: -len(suf)]
            forms.append(canon)
            break
    # one token per Chinese/Japanese character, so that keys compare syllable by syllable
    body = _CJK_RE.sub(r" \g<0> ", body)
    folded = fold_ascii(body)
    for trigger, rx, rep in _REWRITES:
        if trigger in folded:
            folded = rx.sub(rep, folded)
    tokens = folded.split()
    if not tokens:
        return OrgValue(text, None, False, "; ".join(notes + ["no letters or digits"]))
    if tokens[0] in _LEADING_THE and len(tokens) > 1:
        tokens = tokens[1:]
    if len(tokens) == 1 and ((tokens[0],) in _SUFFIXES or (tokens[0],) in _PREFIXES):
        return OrgValue(
            text,
            _display(text2) or None,
            False,
            "; ".join(notes + ["name is only a legal form"]),
            tokens[0],
            _SUFFIXES.get((tokens[0],)) or _PREFIXES.get((tokens[0],)),
        )
    stripped, found = _strip_legal(tokens)
    forms.extend(found)
    if not stripped:
        stripped = tokens
        notes.append("name is only a legal form")
    key = " ".join(stripped)
    legal = " + ".join(dict.fromkeys(forms)) if forms else None
    display = _display(_TAG_RE.sub(" ", text2)) if notes else _display(text2)
    ok = bool(key) and "name is only a legal form" not in notes
    return OrgValue(text, display or None, ok, "; ".join(notes) or None, key, legal)


def normalize_org_name(raw: Any) -> OrgValue:
    """Normalise an organisation name: ``.key`` for matching, ``.legal_form``
    for the legal form found, ``.value`` a tidied display name.  Never raises."""
    try:
        if type(raw) is str:
            return _normalize_str(raw)
        if is_blank(raw):
            return OrgValue(raw, None, False, "blank")
        if isinstance(raw, (bool, int, float)):
            return OrgValue(raw, None, False, "number is not a name")
        text = clean_text(raw)
        if not text:
            return OrgValue(raw, None, False, "blank")
        return replace_raw(_normalize_text(text), raw)
    except Exception as exc:  # pragma: no cover - defensive
        return OrgValue(raw, None, False, f"error: {exc!r}")


def org_name_key(raw: Any) -> str | None:
    """Just the comparison key (None when there is none)."""
    return normalize_org_name(raw).key


def normalize_org_series(series):
    """Vectorised helper: one normalisation per distinct value.  Returns a
    DataFrame with columns value, key, legal_form, ok, note."""
    return map_unique_frame(normalize_org_name, ("value", "key", "legal_form", "ok", "note"), series)
