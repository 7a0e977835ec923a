"""Identifiers: passports, vehicle plates, IMO numbers, e-mail addresses,
flight numbers, air waybill numbers, and extraction from free text.

Check digits:

* IMO ship numbers: 7 digits, the last equals the sum of the first six
  multiplied by 7, 6, 5, 4, 3, 2, modulo 10 (SOLAS XI-1/3, IMO res. A.1078).
* Air waybills (IATA): 3-digit airline prefix + 8-digit serial whose last
  digit is the first seven serial digits modulo 7.

``extract_identifiers`` is deliberately conservative: passport numbers and
plates are only taken after a context word ("passport No.", "plate",
"reg.", "immatriculation", "biển số" ...), IMO numbers after "IMO", air
waybills only with a valid check digit and either the canonical
"ddd-dddddddd" layout or an "AWB"-like word nearby; phone numbers come from
``phonenumbers.PhoneNumberMatcher`` (valid numbers only).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers

from ._common import clean_text, is_blank, replace_raw

__all__ = [
    "IdentifierValue",
    "normalize_passport",
    "normalize_plate",
    "normalize_imo",
    "normalize_email",
    "normalize_flight",
    "normalize_awb",
    "imo_check_digit_ok",
    "awb_check_digit_ok",
    "extract_identifiers",
]


@dataclass(frozen=True, slots=True)
class IdentifierValue:
    raw: Any
    value: str | None
    ok: bool
    note: str | None = None
    kind: str | None = None  # passport | plate | imo | email | flight | awb
    country: str | None = None  # issuing country (alpha-2) when known


def _text(raw: Any, limit: int = 200) -> str | None:
    if is_blank(raw) or isinstance(raw, bool):
        return None
    if isinstance(raw, float):
        if raw.is_integer():
            raw = int(raw)
        else:
            return str(raw)
    t = raw.strip() if type(raw) is str else clean_text(raw)
    return t[: limit * 2] if t else None


def _country(hint: Any) -> tuple[str | None, str | None]:
    if hint is None or is_blank(hint):
        return None, None
    from .countries import normalize_country

    cv = normalize_country(hint)
    if cv.ok:
        return cv.value, None
    return None, f"country {hint!r} not recognised"


def _join(*notes: str | None) -> str | None:
    parts = [n for n in notes if n]
    return "; ".join(parts) if parts else None


# ---------------------------------------------------------------------------
# passports

_PASSPORT_WORDS_RE = re.compile(
    r"^(?:passport|passeport|passaporte|pasaporte|reisepass|pasipoti|ho chieu|hộ chiếu|pp|ppt)\b\.?\s*"
    r"(?:no\.?|n[o°º]\.?|number|num\.?|nr\.?|#|:)?\s*[:.]?\s*",
    re.I,
)
_NUM_WORDS_RE = re.compile(r"^(?:no\.?|n[°º]\.?|number|num\.?|nr\.?|#)\s*[:.]?\s*", re.I)
_PAREN_RE = re.compile(r"[\(\[]([^\)\]]{2,40})[\)\]]")


@functools.lru_cache(maxsize=65_536)
def _passport(text: str, country_hint: str | None) -> IdentifierValue:
    notes: list[str] = []
    country, cnote = _country(country_hint)
    if cnote:
        notes.append(cnote)
    s = _PASSPORT_WORDS_RE.sub("", text)
    s = _NUM_WORDS_RE.sub("", s)
    embedded = None
    # "A1234567 (Kenya)", "Kenya: A1234567", "KEN A1234567"
    m = _PAREN_RE.search(s)
    if m:
        c, _ = _country(m.group(1))
        if c:
            embedded = c
            s = (s[: m.start()] + s[m.end() :]).strip()
    if embedded is None:
        parts = re.split(r"\s*[:,;]\s*|\s+", s)
        if len(parts) >= 2 and parts[0].isalpha() and len(parts[0]) >= 3:
            c, _ = _country(parts[0])
            if c and any(ch.isdigit() for ch in "".join(parts[1:])):
                embedded = c
                s = " ".join(parts[1:])
    if embedded:
        if country and embedded != country:
            notes.append(f"country in the value ({embedded}) differs from hint ({country}); value kept")
        country = embedded
    compact = re.sub(r"[\s\-./]", "", s).upper()
    if not compact:
        return IdentifierValue(text, None, False, _join(*notes, "no passport number"), "passport", country)
    if not compact.isalnum() or not compact.isascii():
        return IdentifierValue(text, None, False, _join(*notes, "unexpected characters"), "passport", country)
    if not any(ch.isdigit() for ch in compact):
        return IdentifierValue(text, None, False, _join(*notes, "no digit"), "passport", country)
    if not 5 <= len(compact) <= 15:
        return IdentifierValue(text, None, False, _join(*notes, f"unusual length {len(compact)}"), "passport", country)
    if len(compact) > 9:
        notes.append("longer than the 9 characters of ICAO Doc 9303")
    return IdentifierValue(text, compact, True, _join(*notes), "passport", country)


def normalize_passport(raw: Any, country: Any = None) -> IdentifierValue:
    """Passport number: upper case, spaces/dashes/dots removed; the issuing
    country (alpha-2) is kept from ``country`` or from the value itself
    ("A1234567 (Kenya)", "KEN A1234567").  Never raises."""
    try:
        t = _text(raw)
        if t is None:
            return IdentifierValue(raw, None, False, "blank", "passport")
        hint = None if country is None or is_blank(country) else str(country)
        return replace_raw(_passport(t, hint), raw)
    except Exception as exc:  # pragma: no cover
        return IdentifierValue(raw, None, False, f"error: {exc!r}", "passport")


# ---------------------------------------------------------------------------
# vehicle plates

_PLATE_WORDS_RE = re.compile(
    r"^(?:(?:number|licen[cs]e|registration|reg\.?|vehicle)\s*)?(?:plate|reg(?:istration)?\.?|"
    r"plaque|immatriculation|matr[ií]cula|placa|bi[eể]n s[oố]|bks)\s*(?:no\.?|number|#|:)?\s*[:.]?\s*",
    re.I,
)


@functools.lru_cache(maxsize=65_536)
def _plate(text: str, country_hint: str | None) -> IdentifierValue:
    country, cnote = _country(country_hint)
    s = _PLATE_WORDS_RE.sub("", text)
    compact = re.sub(r"[\s\-./·_]", "", s).upper()
    if not compact:
        return IdentifierValue(text, None, False, _join(cnote, "no plate"), "plate", country)
    if not all(ch.isalnum() for ch in compact):
        return IdentifierValue(text, None, False, _join(cnote, "unexpected characters"), "plate", country)
    if not any(ch.isdigit() for ch in compact):
        return IdentifierValue(text, None, False, _join(cnote, "no digit"), "plate", country)
    if not 2 <= len(compact) <= 10:
        return IdentifierValue(text, None, False, _join(cnote, f"unusual length {len(compact)}"), "plate", country)
    return IdentifierValue(text, compact, True, cnote, "plate", country)


def normalize_plate(raw: Any, country: Any = None) -> IdentifierValue:
    """Vehicle registration plate: upper case, separators removed
    ("KCA 123A" -> "KCA123A", "51F-123.45" -> "51F12345").  Never raises."""
    try:
        t = _text(raw)
        if t is None:
            return IdentifierValue(raw, None, False, "blank", "plate")
        hint = None if country is None or is_blank(country) else str(country)
        return replace_raw(_plate(t, hint), raw)
    except Exception as exc:  # pragma: no cover
        return IdentifierValue(raw, None, False, f"error: {exc!r}", "plate")


# ---------------------------------------------------------------------------
# IMO numbers


def imo_check_digit_ok(digits: str) -> bool:
    """True when a 7-digit IMO ship number has a valid check digit."""
    if len(digits) != 7 or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:6], (7, 6, 5, 4, 3, 2)))
    return total % 10 == int(digits[6])


_IMO_RE = re.compile(r"^(?:imo)?\s*(?:no\.?|number|#|:)?\s*[:.]?\s*(\d[\d\s]{5,9}\d)$", re.I)


def normalize_imo(raw: Any) -> IdentifierValue:
    """IMO ship identification number -> "IMO9074729" (check digit verified).
    Never raises."""
    try:
        t = _text(raw)
        if t is None:
            return IdentifierValue(raw, None, False, "blank", "imo")
        m = _IMO_RE.match(t.strip())
        if not m:
            return IdentifierValue(raw, None, False, "not an IMO number", "imo")
        digits = re.sub(r"\s", "", m.group(1))
        if len(digits) == 9:
            return IdentifierValue(raw, None, False, "9 digits: looks like an MMSI, not an IMO number", "imo")
        if len(digits) != 7:
            return IdentifierValue(raw, None, False, f"{len(digits)} digits (IMO numbers have 7)", "imo")
        if not imo_check_digit_ok(digits):
            return IdentifierValue(raw, None, False, f"IMO{digits}: check digit mismatch", "imo")
        return IdentifierValue(raw, "IMO" + digits, True, None, "imo")
    except Exception as exc:  # pragma: no cover
        return IdentifierValue(raw, None, False, f"error: {exc!r}", "imo")


# ---------------------------------------------------------------------------
# e-mail

_LOCAL_RE = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL_RE = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_ANGLE_RE = re.compile(r"<([^<>@\s]+@[^<>\s]+)>")
_OBFUSCATED_AT_RE = re.compile(r"\s*(?:\[at\]|\(at\)|\{at\}|\[@\]|\(@\))\s*", re.I)
_OBFUSCATED_DOT_RE = re.compile(r"\s*(?:\[dot\]|\(dot\)|\{dot\}|\[\.\]|\(\.\))\s*", re.I)


@functools.lru_cache(maxsize=131_072)
def _email(text: str) -> IdentifierValue:
    notes = []
    s = text.strip()
    m = _ANGLE_RE.search(s)
    if m:
        s = m.group(1)
        notes.append("display name removed")
    if s.lower().startswith("mailto:"):
        s = s[7:]
    if _OBFUSCATED_AT_RE.search(s):
        s = _OBFUSCATED_DOT_RE.sub(".", _OBFUSCATED_AT_RE.sub("@", s))
        notes.append("de-obfuscated [at]/[dot]")
    s = s.strip().strip("'\"()[]<>").rstrip(".,;:").lower()
    if s.count("@") != 1:
        return IdentifierValue(text, None, False, _join(*notes, "not exactly one '@'"), "email")
    local, domain = s.split("@")
    if not local or len(local) > 64 or not _LOCAL_RE.match(local):
        return IdentifierValue(text, None, False, _join(*notes, "invalid local part"), "email")
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
            notes.append("internationalised domain converted to punycode")
        except UnicodeError:
            return IdentifierValue(text, None, False, _join(*notes, "invalid domain"), "email")
    labels = domain.split(".")
    if len(labels) < 2 or not all(_LABEL_RE.match(lb) for lb in labels):
        return IdentifierValue(text, None, False, _join(*notes, "invalid domain"), "email")
    tld = labels[-1]
    if not (tld.isalpha() and len(tld) >= 2) and not tld.startswith("xn--"):
        return IdentifierValue(text, None, False, _join(*notes, "invalid top-level domain"), "email")
    value = f"{local}@{domain}"
    if len(value) > 254:
        return IdentifierValue(text, None, False, _join(*notes, "too long"), "email")
    return IdentifierValue(text, value, True, _join(*notes), "email")


def normalize_email(raw: Any) -> IdentifierValue:
    """E-mail address: lower case, validated syntactically (no DNS lookup).
    Accepts "Name <a@b.com>", "mailto:", and "[at]"/"[dot]" obfuscation.
    Never raises."""
    try:
        t = _text(raw, limit=320)
        if t is None:
            return IdentifierValue(raw, None, False, "blank", "email")
        if len(t) > 400:
            return IdentifierValue(raw, None, False, "too long", "email")
        return replace_raw(_email(t), raw)
    except Exception as exc:  # pragma: no cover
        return IdentifierValue(raw, None, False, f"error: {exc!r}", "email")


# ---------------------------------------------------------------------------
# flights

_FLIGHT_RE = re.compile(
    r"^(?:flight|flt|vol|voo|vuelo)?\s*(?:no\.?|#)?\s*"
    r"(?P<al>[A-Z][A-Z0-9]|[0-9][A-Z]|[A-Z]{3})\s*-?\s*(?P<num>\d{1,4})(?P<suf>[A-Z])?"
    r"(?:\s*/\s*(?P<date>\w+))?$",
    re.I,
)


@functools.lru_cache(maxsize=65_536)
def _flight(text: str) -> IdentifierValue:
    m = _FLIGHT_RE.match(text.strip())
    if not m:
        return IdentifierValue(text, None, False, "not a flight number", "flight")
    al, num, suf = m.group("al").upper(), m.group("num"), (m.group("suf") or "").upper()
    notes = []
    if num != num.lstrip("0"):
        notes.append("leading zeros removed")
        num = num.lstrip("0") or "0"
    if m.group("date"):
        notes.append(f"suffix '/{m.group('date')}' dropped")
    if len(al) == 3:
        notes.append("3-letter ICAO airline designator kept as given")
    return IdentifierValue(text, f"{al}{num}{suf}", True, _join(*notes), "flight")


def normalize_flight(raw: Any) -> IdentifierValue:
    """Flight number: "KQ 102" -> "KQ102", "KQ0102" -> "KQ102", "et-302" ->
    "ET302".  Never raises."""
    try:
        t = _text(raw)
        if t is None:
            return IdentifierValue(raw, None, False, "blank", "flight")
        if len(t) > 40:
            return IdentifierValue(raw, None, False, "too long", "flight")
        return replace_raw(_flight(t), raw)
    except Exception as exc:  # pragma: no cover
        return IdentifierValue(raw, None, False, f"error: {exc!r}", "flight")


# ---------------------------------------------------------------------------
# air waybills


def awb_check_digit_ok(serial8: str) -> bool:
    """True when the 8-digit AWB serial's last digit is its first 7 digits mod 7."""
    if len(serial8) != 8 or not serial8.isdigit():
        return False
    return int(serial8[:7]) % 7 == int(serial8[7])


_AWB_RE = re.compile(
    r"^(?:(?P<house>h\.?\s?awb)|m\.?\s?awb|awb|air\s?way\s?bill|airwaybill|lta)?\s*(?:no\.?|number|#|:)?\s*[:.]?\s*"
    r"(?P<pfx>\d{3})\s*[-\s]?\s*(?P<s1>\d{4})\s*[-\s]?\s*(?P<s2>\d{4})$",
    re.I,
)


@functools.lru_cache(maxsize=65_536)
def _awb(text: str) -> IdentifierValue:
    m = _AWB_RE.match(text.strip())
    if not m:
        if re.match(r"^\s*h\.?\s?awb", text, re.I):
            compact = re.sub(r"[^A-Z0-9]", "", re.sub(r"^\s*h\.?\s?awb\s*(?:no\.?|#|:)?", "", text, flags=re.I).upper())
            if 4 <= len(compact) <= 20:
                return IdentifierValue(text, compact, True, "house AWB: forwarder format, no check digit", "awb")
        return IdentifierValue(text, None, False, "not an air waybill number (ddd-dddddddd)", "awb")
    serial = m.group("s1") + m.group("s2")
    value = f"{m.group('pfx')}-{serial}"
    if not awb_check_digit_ok(serial):
        if m.group("house"):
            return IdentifierValue(text, value, True, "house AWB: no check digit", "awb")
        return IdentifierValue(text, None, False, f"{value}: check digit mismatch (mod 7)", "awb")
    return IdentifierValue(text, value, True, None, "awb")


def normalize_awb(raw: Any) -> IdentifierValue:
    """Air waybill number -> "176-12345675" with the mod-7 check digit
    verified.  Never raises."""
    try:
        t = _text(raw)
        if t is None:
            return IdentifierValue(raw, None, False, "blank", "awb")
        if len(t) > 60:
            return IdentifierValue(raw, None, False, "too long", "awb")
        return replace_raw(_awb(t), raw)
    except Exception as exc:  # pragma: no cover
        return IdentifierValue(raw, None, False, f"error: {exc!r}", "awb")


# ---------------------------------------------------------------------------
# extraction from narrative text

_X_EMAIL_RE = re.compile(
    r"(?<![\w.+%-])[A-Za-z0-9._%+-]+(?:@|\s?(?:\[at\]|\(at\))\s?)[A-Za-z0-9-]+(?:(?:\.|\s?(?:\[dot\]|\(dot\))\s?)[A-Za-z0-9-]+)*"
    r"(?:\.|\s?(?:\[dot\]|\(dot\))\s?)[A-Za-z]{2,24}(?![\w-])",
)
_X_IMO_RE = re.compile(r"\bIMO(?:\s*(?:No\.?|Number|#))?\s*[:.]?\s*(\d{7})\b", re.I)
_X_AWB_RE = re.compile(r"(?<![\d-])(\d{3})(-|\s)?(\d{4})\s?(\d{4})(?![\d-])")
_X_AWB_CONTEXT_RE = re.compile(
    r"(?:\bM?AWB\b|air\s?-?way\s?-?bill|airwaybill|\bLTA\b|lettre de transport a[ée]rien|conhecimento a[ée]reo|"
    r"gu[ií]a a[ée]rea|v[ậa]n đơn|vận đơn hàng không|空运单|航空运单)",
    re.I,
)
_X_PASSPORT_RE = re.compile(
    r"(?:passports?|passeport|passaporte|pasaporte|reisepass|pasipoti|hộ chiếu|ho chieu|\bPPT?\b)"
    r"(?:\s+(?:no|number|num|nr|n°|nº)\b\.?|\s*#)?\s*[:.]?\s*"
    r"(?P<num>(?=[A-Z0-9 -]{0,4}\d)[A-Z0-9]{1,4}(?:[ -]?[A-Z0-9]{1,9}){0,2})\b",
    re.I,
)
_X_PLATE_RE = re.compile(
    r"(?:(?:number|licen[cs]e|registration|vehicle)\s+plates?|plates?|reg(?:istration)?\.?|"
    r"plaque(?:\s+d'immatriculation)?|immatricul[ée]e?|immatriculation|matr[ií]cula|placa|bi[eể]n\s+s[oố]|"
    r"bi[eể]n\s+ki[eể]m\s+so[aá]t|\bBKS\b|nambari\s+ya\s+gari|vehicle|truck|lorry|van)"
    r"(?:\s+(?:no|number|nr|n°|nº)\b\.?|\s*#)?\s*[:.]?\s*"
    r"(?P<num>[A-Z0-9]{1,4}(?:[ .·-]?[A-Z0-9]{1,5}){0,3})(?![A-Za-z0-9])",
)
_X_FLIGHT_RE = re.compile(
    r"(?:\bflights?|\bflt|\bvol|\bvoo|\bvuelo|chuyến bay|\bndege)\s*(?:no\.?|number|#)?\s*[:.]?\s*"
    r"(?P<num>(?:[A-Z][A-Z0-9]|[0-9][A-Z]|[A-Z]{3})\s?-?\d{1,4}[A-Z]?)\b",
    re.I,
)


def _overlaps(span: tuple[int, int], taken: list[tuple[int, int]]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in taken)


def extract_identifiers(text: Any, default_region: str | None = None) -> list[tuple[str, str, str]]:
    """Find identifiers in narrative text (intelligence reports).

    Returns ``[(kind, raw, normalised), ...]`` in order of appearance; kind is
    one of 'email', 'imo', 'awb', 'passport', 'plate', 'flight', 'phone'.
    ``default_region`` (alpha-2) lets national-format phone numbers be found.
    Never raises; returns [] for junk.
    """
    try:
        if is_blank(text) or not isinstance(text, str):
            return []
        s = text if len(text) <= 200_000 else text[:200_000]
        found: list[tuple[int, int, str, str, str]] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, kind: str, raw: str, value: str) -> None:
            if _overlaps((start, end), taken):
                return
            taken.append((start, end))
            found.append((start, end, kind, raw, value))

        for m in _X_EMAIL_RE.finditer(s):
            r = normalize_email(m.group())
            if r.ok:
                add(m.start(), m.end(), "email", m.group(), r.value)
        for m in _X_IMO_RE.finditer(s):
            if imo_check_digit_ok(m.group(1)):
                add(m.start(), m.end(), "imo", m.group(), "IMO" + m.group(1))
        for m in _X_AWB_RE.finditer(s):
            serial = m.group(3) + m.group(4)
            if not awb_check_digit_ok(serial):
                continue
            canonical_layout = m.group(2) == "-" and " " not in m.group()
            context = _X_AWB_CONTEXT_RE.search(s, max(0, m.start() - 60), m.start())
            if canonical_layout or context:
                add(m.start(), m.end(), "awb", m.group(), f"{m.group(1)}-{serial}")
        for m in _X_PASSPORT_RE.finditer(s):
            r = normalize_passport(m.group("num"))
            if r.ok and len(r.value) >= 6 and (any(c.isalpha() for c in r.value) or len(r.value) >= 7):
                add(m.start("num"), m.end("num"), "passport", m.group("num"), r.value)
        for m in _X_PLATE_RE.finditer(s):
            raw = m.group("num")
            compact = re.sub(r"[\s\-./·]", "", raw)
            if not (
                4 <= len(compact) <= 10 and any(c.isdigit() for c in compact) and any(c.isalpha() for c in compact)
            ):
                continue
            add(m.start("num"), m.end("num"), "plate", raw, compact.upper())
        for m in _X_FLIGHT_RE.finditer(s):
            r = normalize_flight(m.group("num"))
            if r.ok:
                add(m.start("num"), m.end("num"), "flight", m.group("num"), r.value)
        region = default_region.upper() if isinstance(default_region, str) and len(default_region) == 2 else None
        # "00254..." is not found by the matcher without a region: rewrite in place (same length)
        s_phone = re.sub(r"(?<![\d+])00(?=[1-9]\d{7,13}\b)", " +", s)
        try:
            matcher = phonenumbers.PhoneNumberMatcher(s_phone, region, leniency=phonenumbers.Leniency.VALID)
            for pm in matcher:
                start, end = pm.start, pm.end
                if s_phone[start] == "+" and s[start] == "0" and start > 0 and s[start - 1] == "0":
                    start -= 1  # undo the "00" -> " +" rewrite
                raw = s[start:end].strip()
                e164 = phonenumbers.format_number(pm.number, phonenumbers.PhoneNumberFormat.E164)
                add(start, end, "phone", raw, e164)
        except Exception:  # pragma: no cover - phonenumbers is robust, but never raise
            pass
        found.sort(key=lambda x: x[0])
        return [(k, r, v) for _, _, k, r, v in found]
    except Exception:  # pragma: no cover - defensive
        return []
