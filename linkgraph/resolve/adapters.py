"""Thin adapters to the field normalisers.

The resolver needs phones, countries, dates, organisation names, addresses and identifiers in a
normalised form. Phones, countries, dates and organisation names come from ``linkgraph.normalize`` (one
normaliser per value type); these adapters only shape their results for comparison (a cached alpha-2, a
(year, month, day) triple, a key string) and fold addresses, cities and postcodes.
"""

from __future__ import annotations

import math
import re
import unicodedata
from functools import lru_cache

from anyascii import anyascii

from linkgraph.normalize.countries import normalize_country
from linkgraph.normalize.dates import normalize_date
from linkgraph.normalize.orgs import org_name_key as normalize_org_key
from linkgraph.normalize.phones import normalize_phone

__all__ = [
    "is_missing",
    "normalize_phone_e164",
    "normalize_country_alpha2",
    "parse_date",
    "normalize_identifier",
    "normalize_address",
    "normalize_city",
    "normalize_postcode",
    "org_name_key",
    "split_multi",
]


def is_missing(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float):
        return math.isnan(v)
    if isinstance(v, str):
        return not v.strip() or v.strip().lower() in ("nan", "none", "null", "n/a", "na", "-", "--", "?", "unknown")
    try:
        r = v != v  # pandas NA, NaT
        return bool(r) if not hasattr(r, "__len__") else False
    except (TypeError, ValueError):
        return False


_MULTI_SPLIT_RE = re.compile(r"\s*(?:;|\||,|/|\n|\s+or\s+|\s+and\s+)\s*")


def split_multi(v) -> list:
    """A cell or list holding several values -> list of non-missing items."""
    if v is None:
        return []
    if isinstance(v, (list, tuple, set, frozenset)):
        out = []
        for x in v:
            out.extend(split_multi(x))
        return out
    if hasattr(v, "tolist") and not isinstance(v, str):  # numpy array
        try:
            return split_multi(v.tolist())
        except Exception:  # pragma: no cover
            pass
    if is_missing(v):
        return []
    if isinstance(v, str):
        return [p for p in _MULTI_SPLIT_RE.split(v.strip()) if p and not is_missing(p)]
    return [v]


# --------------------------------------------------------------------------- phones
@lru_cache(maxsize=200_000)
def _phone_cached(text: str, region: str | None) -> str | None:
    r = normalize_phone(text, region)
    if r.value or r.loose:
        return r.value or r.loose
    digits = r.digits or re.sub(r"\D", "", text)
    return ("#" + digits) if len(digits) >= 6 else None


def normalize_phone_e164(raw, region: str | None = None) -> str | None:
    """E.164 string; a number the phone library rejects keeps its "+CC national" form when it has one (so its
    "0…", "00CC…", "+CC" and "CC…" spellings agree), else with >= 6 digits becomes "#digits"."""
    if is_missing(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = str(int(raw))
    text = str(raw).strip()
    if text.startswith("+") and text[1:].isdigit() and 8 <= len(text) <= 16:
        return text  # already E.164
    return _phone_cached(text, region if isinstance(region, str) and len(region) == 2 else None)


# --------------------------------------------------------------------------- countries
@lru_cache(maxsize=10_000)
def _country_cached(text: str) -> str | None:
    r = normalize_country(text)
    return r.value if r.ok else None


def normalize_country_alpha2(raw) -> str | None:
    if is_missing(raw):
        return None
    text = str(raw).strip()
    if len(text) == 2 and text.isalpha() and text.isupper():
        return text
    return _country_cached(text)


# --------------------------------------------------------------------------- dates
_ISO_RE = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$")
_COMPACT_RE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:\.0+)?\s*$")


def _valid(y: int, m: int, d: int) -> bool:
    if not (1800 <= y <= 2100):
        return False
    if m and not 1 <= m <= 12:
        return False
    if d:
        if not m or not 1 <= d <= 31:
            return False
        if d > (29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31):
            return False
    return True


@lru_cache(maxsize=200_000)
def _parse_date_text(text: str, dayfirst: bool | None) -> tuple[int, int, int]:
    m = _ISO_RE.match(text) or _COMPACT_RE.match(text)
    if m:
        y, mo, d = (int(g) if g else 0 for g in m.groups())
        if _valid(y, mo, d):
            return (y, mo, d)
    # the date grammar reads the rest; an impossible date keeps its valid part ("1978-02-35" is February 1978)
    r = normalize_date(text, dayfirst)
    if r.value or r.partial:
        return _parse_date_text(r.value or r.partial, None)
    return (0, 0, 0)


def parse_date(raw, dayfirst: bool | None = None) -> tuple[int, int, int]:
    """(year, month, day) with 0 for parts not given; (0, 0, 0) when missing or invalid.

    ISO forms ("1978", "1978-03", "1978-03-02") and compact "19780302" are read directly; anything
    else goes to ``linkgraph.normalize.dates``. An impossible date keeps its valid part: "35/02/1978" gives
    (1978, 2, 0), "13/13/1978" (1978, 0, 0).
    """
    if is_missing(raw):
        return (0, 0, 0)
    if hasattr(raw, "year") and hasattr(raw, "month"):
        try:
            return (int(raw.year), int(raw.month), int(getattr(raw, "day", 0) or 0))
        except Exception:
            return (0, 0, 0)
    if isinstance(raw, float):
        if not raw.is_integer():
            return (0, 0, 0)
        raw = int(raw)
    return _parse_date_text(str(raw).strip(), dayfirst)


# --------------------------------------------------------------------------- identifiers
_ID_SPLIT_RE = re.compile(r"^\s*([A-Za-z]{2,3})\s*[:|]\s*(.+)$")


def normalize_identifier(raw, default_country: str | None = None) -> tuple[str, str | None] | None:
    """Passport / ID number -> (number, issuing country or None).

    Accepts "C1234567", "VN:C1234567", {"number": ..., "country": ...} or (number, country).
    The number keeps letters and digits only, upper-cased; at least 4 characters with a digit.
    """
    if is_missing(raw):
        return None
    country = None
    if isinstance(raw, dict):
        number = raw.get("number") or raw.get("value") or raw.get("id")
        country = raw.get("country") or raw.get("issuing_country")
    elif isinstance(raw, tuple) and len(raw) == 2:
        number, country = raw
    else:
        text = str(raw)
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))
        m = _ID_SPLIT_RE.match(text)
        if m:
            country, number = m.group(1), m.group(2)
        else:
            number = text
    if number is None:
        return None
    num = re.sub(r"[^0-9A-Za-z]", "", anyascii(str(number))).upper()
    if len(num) < 4 or not any(c.isdigit() for c in num):
        return None
    if country is not None and not is_missing(country):
        country = normalize_country_alpha2(country) or str(country).upper()[:3]
    else:
        country = default_country if default_country else None
    return (num, country)


# --------------------------------------------------------------------------- addresses
_ADDR_ABBR = {
    "st": "street",
    "str": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "dr": "drive",
    "ln": "lane",
    "cres": "crescent",
    "cr": "crescent",
    "ct": "court",
    "pl": "place",
    "hwy": "highway",
    "sq": "square",
    "tce": "terrace",
    "cl": "close",
    "cct": "circuit",
    "pde": "parade",
    "apt": "apartment",
    "flat": "apartment",
    "unit": "apartment",
    "bldg": "building",
    "fl": "floor",
    "po": "po",
    "p.o.": "po",
    "duong": "duong",
    "ng": "ngo",
    "p": "phuong",
    "q": "quan",
    "tp": "thanhpho",
    "no": "",
    "nr": "",
    "number": "",
}
_ADDR_SEP_RE = re.compile(r"[^0-9a-z]+")


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = anyascii(text)
    return text.casefold()


@lru_cache(maxsize=500_000)
def _address_cached(text: str) -> str:
    toks = _ADDR_SEP_RE.sub(" ", _fold(text)).split()
    out = []
    for t in toks:
        t = _ADDR_ABBR.get(t, t)
        if t:
            out.append(t)
    return " ".join(out)


def normalize_address(raw) -> str | None:
    if is_missing(raw):
        return None
    if isinstance(raw, (list, tuple)):
        raw = " ".join(str(x) for x in raw if not is_missing(x))
    s = _address_cached(str(raw))
    return s or None


@lru_cache(maxsize=200_000)
def _city_cached(text: str) -> str:
    return " ".join(_ADDR_SEP_RE.sub(" ", _fold(text)).split())


def normalize_city(raw) -> str | None:
    if is_missing(raw):
        return None
    s = _city_cached(str(raw))
    return s or None


def normalize_postcode(raw) -> str | None:
    if is_missing(raw):
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    s = re.sub(r"[^0-9A-Za-z]", "", str(raw)).upper()
    return s or None


# --------------------------------------------------------------------------- organisations
def org_name_key(raw) -> str:
    """Organisation name key in original token order, legal forms removed:
    "Golden Dragon Trading Co. Ltd" and "GOLDEN DRAGON TRADING COMPANY LIMITED" -> "golden dragon trading".
    """
    if is_missing(raw):
        return ""
    return normalize_org_key(str(raw).strip().lstrip("=+@").strip()) or ""
