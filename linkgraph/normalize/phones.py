"""Phone numbers -> E.164 with Google's libphonenumber (``phonenumbers``).

The default region normally comes from the row's country (ISO alpha-2); a
country name or alpha-3 code is also accepted and resolved through
:func:`linkgraph.normalize.countries.normalize_country`.

Handled on top of what ``phonenumbers`` does itself:

* ``00`` international prefix without a region ("00254712345678");
* call-record style numbers with the country code but no ``+``
  ("254712345678") when they are only valid that way;
* Excel artefacts: ``"254712345678.0"`` (digits intact, ok) and scientific
  notation ``"2.54712E+11"`` (digits lost, ``ok=False``);
* extensions ("ext. 12", "x12", "#12") kept in ``.extension``.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType

from ._common import clean_text, is_blank, map_unique_frame, replace_raw

__all__ = ["PhoneValue", "normalize_phone", "normalize_phone_series", "country_of_e164"]


@dataclass(frozen=True, slots=True)
class PhoneValue:
    raw: Any
    value: str | None  # E.164, e.g. "+254712345678"
    ok: bool
    note: str | None = None
    region: str | None = None  # region of the number itself (alpha-2)
    extension: str | None = None
    line_type: str | None = None  # mobile, fixed_line, fixed_line_or_mobile, voip, ...
    digits: str | None = None  # the raw digits, a fallback key when not ok
    loose: str | None = None  # when not ok: "+CC" + national number of an invalid but well-formed number


_TYPE_NAMES = {v: k.lower() for k, v in vars(PhoneNumberType).items() if k.isupper() and isinstance(v, int)}

_SUPPORTED = frozenset(phonenumbers.SUPPORTED_REGIONS)
_EXCEL_FLOAT_RE = re.compile(r"^\+?\d{6,17}\.0+$")
_SCI_RE = re.compile(r"^\+?(\d)(?:[.,](\d+))?[eE]\+?(\d{1,2})$")
_DIGITS_RE = re.compile(r"\d")
_FIRST_RE = re.compile(r"[+＋\d]")
_MULTI_SPLIT_RE = re.compile(r"\s*(?:/|;|,|\||\s+or\s+|\s+ou\s+|\s+and\s+|&)\s*")


def _digits(s: str) -> str:
    return "".join(_DIGITS_RE.findall(s))


@functools.lru_cache(maxsize=4096)
def _region_for(default_region: str | None) -> tuple[str | None, str | None]:
    """Resolve the caller's region hint -> (alpha-2 or None, note or None)."""
    if default_region is None:
        return None, None
    r = default_region.strip().upper()
    if not r:
        return None, None
    if r in _SUPPORTED:
        return r, None
    from .countries import normalize_country

    cv = normalize_country(default_region)
    if cv.ok and cv.value in _SUPPORTED:
        return cv.value, None
    return None, f"unusable region hint {default_region!r} ignored"


def _valid_type(num) -> int | None:
    """number_type() of a valid number, None when invalid.

    ``is_valid_number`` computes the number type internally; calling
    ``number_type`` once and testing for UNKNOWN does the same work once."""
    if num is None:
        return None
    t = phonenumbers.number_type(num)
    if t == PhoneNumberType.UNKNOWN:
        return None
    return t


def _result(raw: str, num, note: str | None, digits: str, t: int) -> PhoneValue:
    e164 = phonenumbers.format_number(num, PhoneNumberFormat.E164)
    return PhoneValue(
        raw=raw,
        value=e164,
        ok=True,
        note=note,
        region=phonenumbers.region_code_for_number(num),
        extension=num.extension or None,
        line_type=_TYPE_NAMES.get(t, "unknown"),
        digits=digits,
    )


def _try_parse(text: str, region: str | None):
    try:
        num = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    return num


def _loose(num) -> str | None:
    """E.164 form of a parsed number that libphonenumber rejects (an unassigned range, a typo, a number plan
    newer than the library): still the one spelling its "0…", "00CC…", "+CC …" and "CC…" forms share."""
    if num is None or not num.national_number:
        return None
    return phonenumbers.format_number(num, PhoneNumberFormat.E164)


def country_of_e164(e164: str) -> str | None:
    """The country (alpha-2) of an E.164 string's country code, valid number or not ("+254131234567" -> "KE");
    None for a code shared by several countries' plans that the digits do not settle, or not a code at all."""
    num = _try_parse(e164, None)
    if num is None:
        return None
    r = phonenumbers.region_code_for_country_code(num.country_code)
    return None if r in (None, "ZZ", "001") else r


_MIN_LOOSE_DIGITS = 6  # a national number shorter than this is no number worth comparing ("+254 13")


def _long_enough(num) -> bool:
    return num is not None and len(str(num.national_number)) >= _MIN_LOOSE_DIGITS


def _cc_reading(digits: str, region: str | None = None):
    """ "CC…" without '+' ("254712…"): the international reading, when its length is possible there, or, of an
    impossible length (a digit too many or too few), when the code is the record's own country's."""
    alt = _try_parse("+" + digits, None)
    if alt is None:
        return None
    if phonenumbers.is_possible_number(alt):
        return alt
    own = region is not None and phonenumbers.region_code_for_country_code(alt.country_code) == region
    return alt if own and _long_enough(alt) else None


def _parse_single(text: str, region: str | None, notes: list[str]) -> PhoneValue:
    digits = _digits(text)
    s = text
    # Excel: number stored as float and written back as text
    if _EXCEL_FLOAT_RE.match(s):
        s = s.split(".", 1)[0]
        notes.append("Excel float artefact '.0' removed")
        digits = _digits(s)
    stripped = s.lstrip("(").lstrip()
    # 00 / +00 international prefix: phonenumbers only knows a region's own IDD
    if stripped.startswith("00") and not stripped.startswith("000"):
        s = "+" + stripped[2:]
    elif stripped.startswith("+00"):
        s = "+" + stripped[3:]
    if len(digits) < 5:
        return PhoneValue(raw=text, value=None, ok=False, note=_join(notes, "too few digits"), digits=digits or None)
    if len(digits) > 20:
        return PhoneValue(raw=text, value=None, ok=False, note=_join(notes, "too many digits"), digits=digits)

    first = _FIRST_RE.search(s)
    has_plus = first is not None and first.group() in "+＋"
    num = _try_parse(s, region) if (region or has_plus) else None
    t = _valid_type(num)
    if t is not None:
        return _result(text, num, _join(notes), digits, t)

    # call-record style: country code without '+', e.g. "254712345678"
    if not has_plus and len(digits) >= 8:
        alt = _try_parse("+" + digits, None)
        t = _valid_type(alt)
        if t is not None:
            # with a region hint, only accept when the national reading failed
            notes.append("read as international number without '+'")
            return _result(text, alt, _join(notes), digits, t)

    cc = None if has_plus else _cc_reading(digits, region)
    if num is None and not region and not has_plus:
        return PhoneValue(
            raw=text,
            value=None,
            ok=False,
            note=_join(notes, "no country code and no default region"),
            digits=digits,
            loose=_loose(cc),
        )
    if num is None:
        return PhoneValue(
            raw=text, value=None, ok=False, note=_join(notes, "not a phone number"), digits=digits, loose=_loose(cc)
        )
    reason = "not a valid number"
    possible = phonenumbers.is_possible_number(num)
    if not possible:
        reason = "impossible length for " + (phonenumbers.region_code_for_country_code(num.country_code) or "region")
    elif region:
        reason = f"not a valid number (region {region})"
    # a "CC…" number read nationally takes the country code for digits of the number: the international reading
    # wins when the national one is impossible, or when the digits start with the region's own code. A number of
    # an impossible length (a digit too many or too few) keeps its national significant number under the
    # country its explicit prefix or its record gives: its "0…", "00CC…", "CC…" and "+CC" spellings still agree
    own = cc is not None and cc.country_code == num.country_code and digits.startswith(str(num.country_code))
    loose = cc if cc is not None and (not possible or own) else (num if possible or _long_enough(num) else None)
    return PhoneValue(raw=text, value=None, ok=False, note=_join(notes, reason), digits=digits, loose=_loose(loose))


def _join(notes: list[str], extra: str | None = None) -> str | None:
    parts = list(notes)
    if extra:
        parts.append(extra)
    return "; ".join(parts) if parts else None


def _scientific(text: str) -> str | PhoneValue | None:
    """Excel scientific notation ("2.54712E+11").

    Returns the rebuilt digit string when no digit was lost
    ("2.54712345678E+11"), a not-ok PhoneValue when digits were lost, or None
    when the text is not in scientific notation.
    """
    m = _SCI_RE.match(text.replace(" ", ""))
    if not m:
        return None
    lead, frac, exp = m.group(1), m.group(2) or "", int(m.group(3))
    if frac and len(frac) == exp:
        # every digit survived: mantissa digits == exponent + 1
        return lead + frac
    if len(frac) > exp:
        return PhoneValue(
            raw=text, value=None, ok=False, note="scientific notation with a fraction is not a phone number"
        )
    approx = lead + frac + "0" * (exp - len(frac))
    return PhoneValue(
        raw=text,
        value=None,
        ok=False,
        note=f"Excel scientific notation: precision lost (~{approx})",
        digits=approx,
    )


@functools.lru_cache(maxsize=262_144)
def _normalize_text(text: str, region_hint: str | None) -> PhoneValue:
    region, rnote = _region_for(region_hint)
    notes = [rnote] if rnote else []
    if len(text) > 60:
        return PhoneValue(raw=text, value=None, ok=False, note=_join(notes, "too long to be a phone number"))
    sci = _scientific(text)
    if isinstance(sci, PhoneValue):
        return sci
    if isinstance(sci, str):  # exact scientific notation: digits intact
        notes.append("Excel scientific notation (all digits present)")
        return replace_raw(_parse_single(sci, region, notes), text)
    if not _DIGITS_RE.search(text):
        return PhoneValue(raw=text, value=None, ok=False, note=_join(notes, "no digits"))
    # several numbers in one cell: "0712 345678 / 0733 123456"
    parts = [p for p in _MULTI_SPLIT_RE.split(text) if p and len(_digits(p)) >= 6]
    if len(parts) > 1:
        vals = []
        for p in parts:
            r = _parse_single(p, region, [])
            vals.append(r.value or p)
        return PhoneValue(
            raw=text,
            value=None,
            ok=False,
            note=_join(notes, "several numbers in one cell: " + ", ".join(vals)),
            digits=_digits(text),
        )
    return _parse_single(text, region, notes)


def normalize_phone(raw: Any, default_region: str | None = None) -> PhoneValue:
    """Normalise one phone number to E.164.

    ``default_region`` is the ISO alpha-2 code of the row's country (a name or
    alpha-3 code also works).  Invalid numbers keep ``raw`` and come back with
    ``ok=False`` and ``value=None``; ``.digits`` then still carries the digits
    as a weak matching key.  Never raises.
    """
    try:
        if default_region is not None and not isinstance(default_region, str):
            default_region = None if is_blank(default_region) else str(default_region)
        if type(raw) is str:
            text = raw.strip()
            if not text:
                return PhoneValue(raw=raw, value=None, ok=False, note="blank")
            return replace_raw(_normalize_text(text, default_region), raw)
        if is_blank(raw):
            return PhoneValue(raw=raw, value=None, ok=False, note="blank")
        if isinstance(raw, bool):
            return PhoneValue(raw=raw, value=None, ok=False, note="not a phone number")
        if isinstance(raw, int):
            text = str(raw)
            r = _normalize_text(text, default_region)
            if r.ok:
                r = _with_note(r, "numeric cell: leading '+'/'0' may have been lost")
            return replace_raw(r, raw)
        if isinstance(raw, float):
            if raw.is_integer() and 0 < raw < 1e16:
                text = str(int(raw))
                r = _normalize_text(text, default_region)
                if r.ok:
                    r = _with_note(r, "numeric cell: leading '+'/'0' may have been lost")
                return replace_raw(r, raw)
            return PhoneValue(raw=raw, value=None, ok=False, note="non-integer number is not a phone number")
        text = clean_text(raw)
        if not text:
            return PhoneValue(raw=raw, value=None, ok=False, note="blank")
        return replace_raw(_normalize_text(text, default_region), raw)
    except Exception as exc:  # pragma: no cover - defensive
        return PhoneValue(raw=raw, value=None, ok=False, note=f"error: {exc!r}")


def _with_note(r: PhoneValue, extra: str) -> PhoneValue:
    import dataclasses

    return dataclasses.replace(r, note=_join([r.note] if r.note else [], extra))


def normalize_phone_series(series, default_region=None):
    """Vectorised helper over a pandas Series.

    ``default_region`` may be a string (same region for all rows), a Series
    aligned with ``series`` (the row's country) or None.  One normalisation
    per distinct (number, region) pair.  Returns a DataFrame with columns
    value, ok, note, region, extension.
    """
    fields = ("value", "ok", "note", "region", "extension")

    def one(v, reg):
        return normalize_phone(v, None if reg is None or is_blank(reg) else str(reg))

    return map_unique_frame(one, fields, series, default_region)
