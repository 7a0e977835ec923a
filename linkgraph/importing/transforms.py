"""Value transforms named by import specs, on top of linkgraph.normalize.

A transform takes a cleaned, non-blank cell text (plus the row's context where it needs one: a phone's
default region comes from the row's country) and returns a T: the value, whether it was understood, a note
(why not), and extras (sub-values such as a phone's validity or a name's key), which specs address as
`field.extra`. The engine calls each transform once per distinct (text, context) in a chunk, so a million
rows with a few thousand distinct values cost a few thousand calls.

Each value type has one normaliser, in linkgraph.normalize (dates, countries, phones, quantities, names,
organisations, species); a transform only shapes its result into a T. Where a normaliser reads nothing from a
name, a quantity or a species, the text is kept as written (marked so), never parsed by a second grammar.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd
from anyascii import anyascii

from linkgraph.normalize.countries import normalize_country
from linkgraph.normalize.dates import normalize_date, normalize_datetime
from linkgraph.normalize.names import normalize_person_name
from linkgraph.normalize.orgs import normalize_org_name
from linkgraph.normalize.phones import country_of_e164, normalize_phone
from linkgraph.normalize.quantities import normalize_quantity
from linkgraph.normalize.species import normalize_species

_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class T:
    value: object
    ok: bool = True
    note: str | None = None
    extras: dict = field(default_factory=dict)


def _fail(note: str) -> T:
    return T(None, False, note)


def clean(text: str) -> str:
    return _WS.sub(" ", unicodedata.normalize("NFC", text)).strip()


# --- text ----------------------------------------------------------------------------------------------------
def t_strip(text, ctx=None, **_):
    return T(clean(text))


def t_upper(text, ctx=None, **_):
    return T(clean(text).upper())


def t_lower(text, ctx=None, **_):
    return T(clean(text).lower())


def t_code(text, ctx=None, prefix="", **_):
    """An identifier: upper case, inner spaces dropped ('kcb 123a' -> 'KCB123A'), optionally prefixed."""
    return T(prefix + re.sub(r"\s", "", clean(text)).upper())


def t_split_list(text, ctx=None, sep=r"[;,/|]", **_):
    parts = [clean(p) for p in re.split(sep, text)]
    return T([p for p in parts if p])


# --- dates ---------------------------------------------------------------------------------------------------
def t_date(text, ctx=None, dayfirst=True, partial=False, **_):
    """ISO date at the precision given (linkgraph.normalize.dates, the one date grammar). With ``partial``, an
    impossible date keeps its valid part ("35/02/1978" is 1978-02, "13/13/1978" is 1978): for birth dates, where
    a keying error in the day must not throw away the year and month that tell namesakes apart."""
    r = normalize_date(text, dayfirst=dayfirst)
    if r.ok and r.value:
        return T(r.value)
    if partial and r.partial:
        return T(r.partial, extras={"salvaged": True})
    return _fail(f'cannot read "{text}" as a date')


def t_datetime(text, ctx=None, dayfirst=True, **_):
    """ISO date and time, with the offset when given; a date alone at its own precision."""
    r = normalize_datetime(clean(text), dayfirst=dayfirst)
    return T(r.value) if r.ok and r.value else _fail(f'cannot read "{text}" as a date and time')


# --- numbers -------------------------------------------------------------------------------------------------
def _number(s: str) -> float | None:
    s = s.replace("\u00a0", "").replace(" ", "")
    if re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    elif re.fullmatch(r"[+-]?\d+,\d+", s):
        s = s.replace(",", ".")
    try:
        v = float(s)
    except ValueError:
        return None
    return v if v == v and v not in (float("inf"), float("-inf")) else None


def t_number(text, ctx=None, **_):
    v = _number(clean(text))
    return T(v) if v is not None else _fail(f'cannot read "{text}" as a number')


# "1.2e15", "1.2 x 10^15", "10^9", "1,000,000", "> 10^9" (a bound is kept as the bound: the report says at least that)
_POWER = re.compile(r"(?:([0-9.,]+)\s*[x×*]\s*)?10\s*(?:\^|\*\*)\s*([+-]?\d+)")


def t_likelihood_ratio(text, ctx=None, **_):
    """A DNA match's likelihood ratio as a number; '>'/'≥' bounds read as the bound, the raw text as extra."""
    s = clean(text).lower().replace("−", "-")
    s = re.sub(r"^(lr\s*[=:]?\s*)", "", s)
    s = re.sub(r"^(>=|≥|>|greater than|more than|at least)\s*", "", s)
    m = _POWER.fullmatch(s.replace(" ", ""))
    v = None
    if m:
        mant = _number(m.group(1)) if m.group(1) else 1.0
        if mant is not None:
            try:
                v = mant * 10.0 ** int(m.group(2))
            except OverflowError:
                v = None
    else:
        v = _number(s)
    if v is None or v <= 0 or v == float("inf"):
        return _fail(f'cannot read "{text}" as a likelihood ratio')
    return T(v, extras={"raw": clean(text)})


# A laboratory's wording of a kinship call -> one vocabulary (Wasser et al. 2018 report same individual,
# parent-offspring and full sibling matches).
_KINSHIP = {
    "same individual": "same_individual",
    "same": "same_individual",
    "identical": "same_individual",
    "match": "same_individual",
    "direct match": "same_individual",
    "self": "same_individual",
    "same animal": "same_individual",
    "parent offspring": "parent_offspring",
    "parent child": "parent_offspring",
    "po": "parent_offspring",
    "parent": "parent_offspring",
    "offspring": "parent_offspring",
    "full sibling": "full_sibling",
    "full sib": "full_sibling",
    "fs": "full_sibling",
    "half sibling": "half_sibling",
    "half sib": "half_sibling",
    "hs": "half_sibling",
    "sibling": "sibling",
    "sib": "sibling",
    "siblings": "sibling",
    "related": "related",
    "relative": "related",
    "close relative": "related",
    "familial": "related",
}


def t_kinship(text, ctx=None, **_):
    """A forensic match's relation: same_individual, parent_offspring, full_sibling, half_sibling, sibling, related."""
    key = re.sub(r"[^a-z]+", " ", clean(text).lower()).strip()
    if key in _KINSHIP:
        return T(_KINSHIP[key])
    if key.rstrip("s") in _KINSHIP:
        return T(_KINSHIP[key.rstrip("s")])
    return _fail(
        f'cannot read "{text}" as a forensic relation (same individual, parent-offspring, full/half sibling, related)'
    )


def t_int(text, ctx=None, **_):
    v = _number(clean(text))
    if v is None or v != int(v):
        return _fail(f'cannot read "{text}" as a whole number')
    return T(int(v))


def t_duration(text, ctx=None, **_):
    """Seconds from '65', '1:05', '00:01:05'."""
    s = clean(text)
    if re.fullmatch(r"\d+(\.0+)?", s):
        return T(int(float(s)))
    m = re.fullmatch(r"(?:(\d+):)?(\d{1,2}):(\d{2})", s)
    if m:
        return T(int(m.group(1) or 0) * 3600 + int(m.group(2)) * 60 + int(m.group(3)))
    return _fail(f'cannot read "{text}" as a duration')


_QTY = re.compile(r"^([+-]?[\d.,\s]*\d)\s*([A-Za-z%][A-Za-z.\s]*)?$")
_UNITS = {
    "kg": "kg",
    "kgs": "kg",
    "kilo": "kg",
    "kilos": "kg",
    "kilogram": "kg",
    "kilograms": "kg",
    "g": "g",
    "gram": "g",
    "grams": "g",
    "t": "t",
    "tonne": "t",
    "tonnes": "t",
    "ton": "t",
    "tons": "t",
    "pcs": "pieces",
    "pc": "pieces",
    "piece": "pieces",
    "pieces": "pieces",
    "tusk": "tusks",
    "tusks": "tusks",
    "horn": "horns",
    "horns": "horns",
    "scales": "kg_scales",
    "live": "live",
    "head": "live",
    "heads": "live",
    "no": "number",
    "nos": "number",
    "number": "number",
}


def t_quantity(text, ctx=None, **_):
    """'120.5 kg' -> 120.5 (extras: unit 'kg'); '12' -> 12.0."""
    r = normalize_quantity(text)
    if r.ok and r.value is not None:
        val = r.value
        if isinstance(val, (int, float)):
            return T(float(val), extras={"unit": getattr(r, "unit", None)})
        q = getattr(val, "quantity", None) if not isinstance(val, tuple) else val[0]
        u = getattr(val, "unit", None) if not isinstance(val, tuple) else val[1]
        if q is not None:
            return T(float(q), extras={"unit": u or getattr(r, "unit", None)})
    # the normaliser read no quantity: a plain number with a unit word still reads
    s = clean(text)
    m = _QTY.match(s)
    if not m:
        return _fail(f'cannot read "{text}" as a quantity')
    v = _number(m.group(1))
    if v is None:
        return _fail(f'cannot read "{text}" as a quantity')
    unit = (m.group(2) or "").strip().lower().rstrip(".")
    return T(v, extras={"unit": _UNITS.get(unit, unit or None)})


# --- places, people, things ----------------------------------------------------------------------------------
def t_country(text, ctx=None, **_):
    r = normalize_country(text)
    if r.ok and r.value:
        return T(r.value, extras={"name": r.name or r.value})
    return T(None, False, r.note or f'cannot read "{text}" as a country')


def t_phone(text, ctx=None, default_region=None, **_):
    """E.164; the row's country is the default region for national numbers. Extras: valid, country, raw."""
    region = ctx if isinstance(ctx, str) and len(ctx) == 2 else default_region
    r = normalize_phone(text, default_region=region)
    if r.ok and r.value:
        return T(r.value, extras={"valid": True, "country": r.region, "raw": clean(text)})
    if r.loose:
        # rejected by the phone library (an unassigned range, a typo, a plan newer than the library) but well
        # formed: kept in its "+CC national number" form, flagged not valid, so that its "0…", "00CC…", "CC…" and
        # "+CC …" spellings in other files are one Phone
        return T(r.loose, extras={"valid": False, "country": country_of_e164(r.loose), "raw": clean(text)})
    return T(
        None,
        False,
        r.note or f'cannot read "{text}" as a phone number',
        extras={"valid": False, "raw": clean(text), "digits": r.digits},
    )


def _fold(s: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", anyascii(s).lower()).split())


def t_person_name(text, ctx=None, **_):
    """Display name, plus `key` (the name_key that identity is built on)."""
    r = normalize_person_name(text)
    if r.value:
        return T(r.value, extras={"key": r.key or _fold(r.value), "aliases": list(r.aliases) or None})
    # the normaliser found no name (markup, a formula): keep the text verbatim, keyed by its letters,
    # so the row is not silently dropped and an analyst can see what the source held
    s = clean(text)
    key = _fold(s)
    return T(s, extras={"key": key}) if key else _fail(f'cannot read "{text}" as a name')


def t_org_name(text, ctx=None, **_):
    r = normalize_org_name(text)
    if r.value:
        return T(r.value, extras={"key": r.key or _fold(r.value), "legal_form": getattr(r, "legal_form", None)})
    # the normaliser found no name: keep the text, keyed by its letters (as for people)
    s = clean(text)
    key = _fold(s)
    return T(s, extras={"key": key}) if key else _fail(f'cannot read "{text}" as an organisation name')


def t_place(text, ctx=None, **_):
    s = clean(text)
    key = _fold(s)
    return T(s, extras={"key": key}) if key else _fail(f'cannot read "{text}" as a place')


def t_species(text, ctx=None, **_):
    """Scientific name (extras: common_name, verified, family, taxon_class)."""
    r = normalize_species(text)
    if r.value:
        return T(
            r.value,
            extras={
                "common_name": r.common_name,
                "verified": bool(r.ok),
                "family": r.family,
                "taxon_class": r.class_name,
                "cites_appendix": r.appendix,
                "rank": r.rank,
            },
        )
    # not in the checklist: kept as written, marked unverified
    s = clean(text)
    parts = s.split()
    if not parts:
        return _fail(f'cannot read "{text}" as a species')
    sci = " ".join([parts[0].capitalize(), *[p.lower() for p in parts[1:]]])
    return T(sci, extras={"verified": False})


def _ident(kind: str):
    def fn(text, ctx=None, **_):
        s = re.sub(r"[\s\-./]", "", clean(text)).upper()
        if kind == "passport" and not re.fullmatch(r"[A-Z0-9]{5,12}", s):
            return _fail(f'cannot read "{text}" as a passport number')
        if kind == "plate" and not re.fullmatch(r"[A-Z0-9]{2,12}", s):
            return _fail(f'cannot read "{text}" as a vehicle registration')
        if kind == "imo":
            s = s.removeprefix("IMO")
            if not re.fullmatch(r"\d{7}", s) or sum(int(c) * w for c, w in zip(s[:6], range(7, 1, -1))) % 10 != int(
                s[6]
            ):
                return _fail(f'cannot read "{text}" as an IMO number')
            s = "IMO" + s
        if kind == "flight" and not re.fullmatch(r"[A-Z0-9]{2}\d{1,4}[A-Z]?", s):
            return _fail(f'cannot read "{text}" as a flight number')
        if kind == "awb":
            digits = re.sub(r"\D", "", s)
            if len(digits) != 11:
                return _fail(f'cannot read "{text}" as an air waybill number (3 + 8 digits)')
            s = f"{digits[:3]}-{digits[3:]}"
        return T(s)

    return fn


def t_email(text, ctx=None, **_):
    s = clean(text).lower().strip("<>")
    if re.fullmatch(r"[^@\s<>\"']+@[^@\s<>\"']+\.[a-z]{2,}", s):
        return T(s)
    return _fail(f'cannot read "{text}" as an e-mail address')


def t_cites_purpose(text, ctx=None, **_):
    s = clean(text).upper()
    return T(s) if re.fullmatch(r"[BEGHLMNPQSTZ]", s) else _fail(f'"{text}" is not a CITES purpose code')


def t_cites_source(text, ctx=None, **_):
    s = clean(text).upper()
    return T(s) if re.fullmatch(r"[ACDFIOURWX]|XX", s) else _fail(f'"{text}" is not a CITES source code')


TRANSFORMS = {
    "strip": t_strip,
    "upper": t_upper,
    "lower": t_lower,
    "code": t_code,
    "split-list": t_split_list,
    "date": t_date,
    "datetime": t_datetime,
    "number": t_number,
    "int": t_int,
    "duration": t_duration,
    "likelihood_ratio": t_likelihood_ratio,
    "kinship": t_kinship,
    "quantity": t_quantity,
    "country": t_country,
    "phone": t_phone,
    "person_name": t_person_name,
    "org_name": t_org_name,
    "place": t_place,
    "species": t_species,
    "passport": _ident("passport"),
    "plate": _ident("plate"),
    "imo": _ident("imo"),
    "flight": _ident("flight"),
    "awb": _ident("awb"),
    "email": t_email,
    "cites_purpose": t_cites_purpose,
    "cites_source": t_cites_source,
}
# What a failed transform does unless the column says otherwise: dates and numbers stop the file (a date read
# wrongly puts an event in the wrong place on a timeline); identifiers keep the raw text, flagged.
DEFAULT_ON_ERROR = {
    "date": "reject",
    "datetime": "reject",
    "number": "reject",
    "int": "reject",
    "duration": "reject",
    "likelihood_ratio": "reject",
    "kinship": "reject",
    "quantity": "reject",
}


@functools.cache
def context_field(name: str) -> str | None:
    """Which transforms read a context value from the row (phone: the row's country)."""
    return {"phone": "region"}.get(name)


def context_free(name: str, texts: pd.Series) -> pd.Series | None:
    """Which cells a transform reads without their row's context (None: all need it).

    A phone written with its country code (+254…, 00254…) is the same number whatever country the row
    names, so it is normalised once, not once per (number, country) pair.
    """
    if name == "phone":
        t = texts.astype(str).str.lstrip("( ")
        return t.str.startswith("+") | (t.str.startswith("00") & ~t.str.startswith("000"))
    return None
