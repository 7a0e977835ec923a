"""Dates and date-times from agency spreadsheets.

Why not ``dateutil``/``dateparser``: both fill missing parts with today's
date (so "April 2023" silently becomes 2023-04-<today>), neither reports the
precision that was actually given, and ``dateparser`` costs ~0.3-1 ms per
value.  The formats found in seizure registers, airway bills and call records
are few, so a small deterministic parser (regular expressions + a month-name
table in English, French, Portuguese, Spanish, German, Italian, Swahili and
Vietnamese) with an ``lru_cache`` is both faster and more honest.

* ``normalize_date`` -> ISO string at the precision given: "2023-04-05",
  "2023-04" or "2023" (``.precision`` 'day' | 'month' | 'year').
* ``normalize_datetime`` -> "2023-04-05T10:22:00" (with "+03:00"/"Z" when
  the input had an offset), precision down to 'minute' or 'second'.
* ``detect_dayfirst`` decides day-first vs month-first for a whole file.
"""

from __future__ import annotations

import datetime as _dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ._common import clean_text, is_blank, map_unique, map_unique_frame, replace_raw, strip_marks

__all__ = [
    "DateValue",
    "DateTimeValue",
    "normalize_date",
    "normalize_datetime",
    "detect_dayfirst",
    "normalize_date_series",
    "normalize_datetime_series",
]


@dataclass(frozen=True, slots=True)
class DateValue:
    raw: Any
    value: str | None  # "2023-04-05" | "2023-04" | "2023"
    ok: bool
    note: str | None = None
    precision: str | None = None  # 'day' | 'month' | 'year'
    dayfirst_used: bool | None = None  # None when the format had no d/m ambiguity
    partial: str | None = None  # when not ok: the valid coarser part, "1978-02" of "35/02/1978", "1978" of "13/13/1978"


@dataclass(frozen=True, slots=True)
class DateTimeValue:
    raw: Any
    value: str | None  # "2023-04-05T10:22:00", "2023-04-05T10:22:00+03:00", or coarser
    ok: bool
    note: str | None = None
    precision: str | None = None  # 'second' | 'minute' | 'hour' | 'day' | 'month' | 'year'
    dayfirst_used: bool | None = None
    utc_offset: str | None = None  # "+03:00", "Z" when given


# ---------------------------------------------------------------------------
# month and weekday names (folded: lower case, no diacritics)

_MONTHS: dict[str, int] = {}


def _add_months(names: list[str]) -> None:
    for i, group in enumerate(names, start=1):
        for n in group.split("|"):
            _MONTHS[strip_marks(n.lower())] = i


# English
_add_months(
    [
        "january|jan",
        "february|feb|febr",
        "march|mar",
        "april|apr",
        "may",
        "june|jun",
        "july|jul",
        "august|aug",
        "september|sep|sept",
        "october|oct",
        "november|nov",
        "december|dec",
    ]
)
# French
_add_months(
    [
        "janvier|janv|janv.",
        "février|fevrier|fév|fev|févr|fevr",
        "mars",
        "avril|avr",
        "mai",
        "juin",
        "juillet|juil",
        "août|aout|aoû",
        "septembre",
        "octobre",
        "novembre",
        "décembre|decembre|déc",
    ]
)
# Portuguese
_add_months(
    [
        "janeiro",
        "fevereiro|fev",
        "março|marco",
        "abril|abr",
        "maio|mai",
        "junho|jun",
        "julho|jul",
        "agosto|ago",
        "setembro|set",
        "outubro|out",
        "novembro|nov",
        "dezembro|dez",
    ]
)
# Spanish
_add_months(
    [
        "enero|ene",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre|setiembre",
        "octubre",
        "noviembre",
        "diciembre|dic",
    ]
)
# German / Italian (common in European customs data)
_add_months(
    [
        "januar|jänner|jaenner",
        "februar",
        "märz|maerz|mrz",
        "april",
        "mai",
        "juni",
        "juli",
        "august",
        "september",
        "oktober|okt",
        "november",
        "dezember|dez",
    ]
)
_add_months(
    [
        "gennaio|genn",
        "febbraio",
        "marzo",
        "aprile",
        "maggio|magg",
        "giugno|giu",
        "luglio|lug",
        "agosto",
        "settembre|sett",
        "ottobre|ott",
        "novembre",
        "dicembre",
    ]
)
# Swahili
_add_months(
    [
        "januari",
        "februari",
        "machi",
        "aprili",
        "mei",
        "juni",
        "julai",
        "agosti",
        "septemba",
        "oktoba",
        "novemba",
        "desemba",
    ]
)

_WEEKDAYS = {
    strip_marks(w)
    for w in (
        "monday mon tuesday tue tues wednesday wed thursday thu thur thurs friday fri "
        "saturday sat sunday sun lundi mardi mercredi jeudi vendredi samedi dimanche "
        "segunda terça terca quarta quinta sexta sábado sabado domingo feira "
        "lunes martes miércoles miercoles jueves viernes "
        "montag dienstag mittwoch donnerstag freitag samstag sonntag "
        "jumatatu jumanne jumatano alhamisi ijumaa jumamosi jumapili "
        "lun mar mer jeu ven sam dim"
    ).split()
}
# "mar" is both a weekday (Tue in French/Spanish) and a month: month wins below.

_FILLERS = {"de", "del", "of", "the", "le", "el", "der", "den", "em", "en", "on", "a", "am", "du"}

# ---------------------------------------------------------------------------
# regular expressions

_TIME = r"(?P<H>\d{1,2})(?:[:h](?P<M>\d{2}))(?::(?P<S>\d{2})(?:[.,]\d{1,9})?)?\s*(?P<ampm>[ap]\.?\s?m\.?)?"
_TZ = r"\s*(?P<tz>z|utc|gmt|(?:utc|gmt)?\s?[+-]\d{1,2}(?::?\d{2})?)?"
_TIME_TAIL = rf"(?:(?:[t\s,]+|\s*-\s*|\s+at\s+|\s+a\s+|\s+as\s+|\s+à\s+)(?:{_TIME}){_TZ})?"

_ISO_RE = re.compile(rf"^(?P<y>\d{{4}})[-/.](?P<m>\d{{1,2}})[-/.](?P<d>\d{{1,2}}){_TIME_TAIL}$")
_ISO_MONTH_RE = re.compile(r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})$")
_MONTH_YEAR_NUM_RE = re.compile(r"^(?P<m>\d{1,2})[-/.](?P<y>\d{4})$")
_YEAR_RE = re.compile(r"^(?P<y>\d{4})$")
_COMPACT_RE = re.compile(
    rf"^(?P<y>\d{{4}})(?P<m>\d{{2}})(?P<d>\d{{2}})(?:[t\s]?(?P<H>\d{{2}})(?P<M>\d{{2}})(?P<S>\d{{2}})?)?{_TZ}$"
)
_DMY_RE = re.compile(
    rf"^(?P<a>\d{{1,2}})\s*(?P<sep>[-/.])\s*(?P<b>\d{{1,2}})\s*(?P=sep)\s*(?P<y>\d{{4}}|\d{{2}}){_TIME_TAIL}$"
)
_DMY_SPACE_RE = re.compile(rf"^(?P<a>\d{{1,2}})\s(?P<b>\d{{1,2}})\s(?P<y>\d{{4}}){_TIME_TAIL}$")
_SERIAL_RE = re.compile(r"^(?P<n>\d{5})(?:[.,](?P<f>\d+))?$")
_APPROX_RE = re.compile(r"^(?:c\.|ca\.?|circa|approx\.?|about|around|env\.?|environ|vers|cerca de|aprox\.?)\s*", re.I)
_ORDINAL_RE = re.compile(r"(?<=\d)(?:st|nd|rd|th|er|re|eme|ème|e|º|ª|o|a)\b", re.I)
_VI_RE = re.compile(r"(?:ngày\s*)?(?P<d>\d{1,2})?\s*tháng\s*(?P<m>\d{1,2})\s*(?:năm|,|/)?\s*(?P<y>\d{4})", re.I)
_WORD_RE = re.compile(r"[^\W\d_]+|\d+|[:+]", re.UNICODE)

_EXCEL_EPOCH = _dt.datetime(1899, 12, 30)
_SERIAL_MIN, _SERIAL_MAX = 2_000, 80_000  # 1905-06 .. 2119-01
_YEAR_MIN, _YEAR_MAX = 1800, 2200


@functools.lru_cache(maxsize=1)
def _today() -> _dt.date:
    return _dt.date.today()


def _two_digit_year(yy: int) -> int:
    pivot = (_today().year % 100) + 10
    return 2000 + yy if yy <= pivot else 1900 + yy


# ---------------------------------------------------------------------------
# core parser -> a plain tuple so that both public result types share it


@dataclass(frozen=True, slots=True)
class _Parsed:
    y: int
    m: int | None = None
    d: int | None = None
    H: int | None = None
    M: int | None = None
    S: int | None = None
    tz: str | None = None
    dayfirst_used: bool | None = None
    notes: tuple[str, ...] = ()


class _Fail(Exception):
    def __init__(self, message: str, partial: str | None = None):
        super().__init__(message)
        self.partial = partial  # the part of an impossible date that is still valid


def _check(y: int, m: int | None, d: int | None) -> None:
    if not (_YEAR_MIN <= y <= _YEAR_MAX):
        raise _Fail(f"implausible year {y}")
    if m is not None and not 1 <= m <= 12:
        raise _Fail(f"invalid month {m}", partial=f"{y:04d}")
    if d is not None:
        try:
            _dt.date(y, m or 1, d)
        except ValueError:
            raise _Fail(f"invalid day {d} for {y}-{m:02d}", partial=f"{y:04d}-{m:02d}" if m else f"{y:04d}") from None


def _time_parts(gd: dict[str, Any]) -> tuple[int | None, int | None, int | None, str | None]:
    if gd.get("H") is None:
        tz = gd.get("tz")
        return None, None, None, _tz_norm(tz) if tz else None
    H = int(gd["H"])
    M = int(gd["M"]) if gd.get("M") else 0
    S = int(gd["S"]) if gd.get("S") else None
    ampm = gd.get("ampm")
    if ampm:
        pm = ampm.lower().startswith("p")
        if not 1 <= H <= 12:
            raise _Fail("invalid 12-hour time")
        H = (H % 12) + (12 if pm else 0)
    if H == 24 and M == 0 and not S:
        H = 0  # rare "24:00"; caller keeps the date (documented limitation)
    if not (0 <= H <= 23 and 0 <= M <= 59 and (S is None or 0 <= S <= 60)):
        raise _Fail("invalid time")
    tz = gd.get("tz")
    return H, M, S, _tz_norm(tz) if tz else None


def _tz_norm(tz: str) -> str | None:
    t = tz.strip().lower().replace(" ", "")
    if t in ("z", "utc", "gmt"):
        return "Z"
    t = t.replace("utc", "").replace("gmt", "")
    m = re.match(r"^([+-])(\d{1,2}):?(\d{2})?$", t)
    if not m:
        return None
    hh, mm = int(m.group(2)), int(m.group(3) or 0)
    if hh > 14 or mm > 59:
        return None
    return f"{m.group(1)}{hh:02d}:{mm:02d}"


def _resolve_dm(a: int, b: int, dayfirst: bool | None) -> tuple[int, int, bool | None, list[str]]:
    """Return (day, month, dayfirst_used, notes) for the two leading numbers."""
    notes: list[str] = []
    if a > 12 and b > 12:
        raise _Fail("neither field can be a month")
    if a > 12:
        if dayfirst is False:
            notes.append("day > 12 forces day-first despite dayfirst=False")
        return a, b, True, notes
    if b > 12:
        if dayfirst is True:
            notes.append("day > 12 forces month-first despite dayfirst=True")
        return b, a, False, notes
    if a == b:
        return a, b, dayfirst if dayfirst is not None else True, notes
    if dayfirst is None:
        notes.append("ambiguous day/month: assumed day-first")
        return a, b, True, notes
    return (a, b, True, notes) if dayfirst else (b, a, False, notes)


_FAST_RE = re.compile(r"^(\d{1,4})([-/.])(\d{1,2})\2(\d{1,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_DAYS_IN_MONTH = (0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _fast(text: str, dayfirst: bool | None) -> _Parsed | None:
    """Fast path for the layouts of machine exports and call records:
    "2023-04-05[ 10:22[:00]]" and "05/04/2023[ 10:22[:00]]"."""
    m = _FAST_RE.match(text)
    if m is None:
        return None
    a, sep, b, c, H, M, S = m.groups()
    notes: tuple[str, ...] = ()
    if len(a) == 4 and len(c) <= 2:
        y, mo, d = int(a), int(b), int(c)
        used = None
    elif len(c) == 4 and len(a) <= 2:
        try:
            d, mo, used, n2 = _resolve_dm(int(a), int(b), dayfirst)
        except _Fail:
            return None
        y = int(c)
        notes = tuple(n2)
    else:
        return None
    if not (_YEAR_MIN <= y <= _YEAR_MAX and 1 <= mo <= 12 and 1 <= d <= _DAYS_IN_MONTH[mo]):
        return None  # let the full parser produce the error message
    if mo == 2 and d == 29 and not (y % 4 == 0 and (y % 100 != 0 or y % 400 == 0)):
        return None
    if H is None:
        return _Parsed(y, mo, d, dayfirst_used=used, notes=notes)
    h, mi = int(H), int(M)
    sec = int(S) if S is not None else None
    if h > 23 or mi > 59 or (sec is not None and sec > 59):
        return None
    return _Parsed(y, mo, d, h, mi, sec, None, used, notes)


def _parse(text: str, dayfirst: bool | None) -> _Parsed:
    p = _fast(text, dayfirst)
    if p is not None:
        return p
    notes: list[str] = []
    s = text.strip().lower()
    s = s.replace("\u2013", "-").replace("\u2014", "-").replace("\u2212", "-")
    m = _APPROX_RE.match(s)
    if m:
        s = s[m.end() :]
        notes.append("approximate date")

    m = _ISO_RE.match(s)
    if m:
        gd = m.groupdict()
        y, mo, d = int(gd["y"]), int(gd["m"]), int(gd["d"])
        if mo > 12 and d <= 12:  # yyyy-dd-mm (rare, but seen)
            mo, d = d, mo
            notes.append("read as year-day-month")
        _check(y, mo, d)
        H, M, S, tz = _time_parts(gd)
        return _Parsed(y, mo, d, H, M, S, tz, None, tuple(notes))

    m = _DMY_RE.match(s) or _DMY_SPACE_RE.match(s)
    if m:
        gd = m.groupdict()
        a, b, ytxt = int(gd["a"]), int(gd["b"]), gd["y"]
        y = int(ytxt)
        if len(ytxt) == 2:
            y = _two_digit_year(y)
            notes.append("two-digit year")
        try:
            d, mo, used, n2 = _resolve_dm(a, b, dayfirst)
        except _Fail as e:  # "13/13/1978": no month, but the year stands
            raise _Fail(str(e), partial=f"{y:04d}" if _YEAR_MIN <= y <= _YEAR_MAX else None) from None
        notes.extend(n2)
        _check(y, mo, d)
        H, M, S, tz = _time_parts(gd)
        return _Parsed(y, mo, d, H, M, S, tz, used, tuple(notes))

    m = _COMPACT_RE.match(s)
    if m:
        gd = m.groupdict()
        y, mo, d = int(gd["y"]), int(gd["m"]), int(gd["d"])
        try:
            _check(y, mo, d)
        except _Fail:
            raise _Fail("8 digits are not a yyyymmdd date") from None
        H, M, S, tz = _time_parts(gd)
        return _Parsed(y, mo, d, H, M, S, tz, None, tuple(notes))

    m = _ISO_MONTH_RE.match(s) or _MONTH_YEAR_NUM_RE.match(s)
    if m:
        y, mo = int(m.group("y")), int(m.group("m"))
        _check(y, mo, None)
        return _Parsed(y, mo, notes=tuple(notes))

    m = _YEAR_RE.match(s)
    if m:
        y = int(m.group("y"))
        _check(y, None, None)
        return _Parsed(y, notes=tuple(notes))

    m = _SERIAL_RE.match(s)
    if m:
        n = float(m.group("n") + "." + (m.group("f") or "0"))
        return _from_serial(n, notes)

    m = _VI_RE.search(s)
    if m:
        y, mo = int(m.group("y")), int(m.group("m"))
        d = int(m.group("d")) if m.group("d") else None
        _check(y, mo, d)
        return _Parsed(y, mo, d, notes=tuple(notes))

    return _parse_words(s, notes)


def _parse_words(s: str, notes: list[str]) -> _Parsed:
    """Dates with a month name: "5 April 2023", "April 5, 2023", "05-APR-23",
    "Apr-23" (Excel month format), "5 de abril de 2023", "1er mai 2023"."""
    # split off a time part first ("5 April 2023 14:05")
    tm = re.search(rf"(?:^|[\sT,])(?:{_TIME}){_TZ}\s*$", s)
    gd_time: dict[str, Any] = {}
    if tm:
        gd_time = tm.groupdict()
        s = s[: tm.start()]
    s = _ORDINAL_RE.sub("", s)
    s_fold = strip_marks(s)
    hyphen_form = bool(re.match(r"^[^\W\d_]{3,9}\.?[-/]\d{2}$", s_fold.strip()))
    tokens = _WORD_RE.findall(s_fold)
    month = None
    nums: list[str] = []
    for t in tokens:
        if t.isdigit():
            nums.append(t)
            continue
        if t in (":", "+"):
            continue
        mo = _MONTHS.get(t) or _MONTHS.get(t.rstrip("."))
        if mo is not None and month is None:
            month = mo
            continue
        if t in _WEEKDAYS or t in _FILLERS:
            continue
        if mo is not None:
            raise _Fail("two month names")
        raise _Fail(f"unrecognised word {t!r}")
    if month is None:
        raise _Fail("no recognisable date")
    year = day = None
    for n in nums:
        if len(n) == 4:
            if year is not None:
                raise _Fail("two years")
            year = int(n)
        elif len(n) <= 2:
            if day is None and not (hyphen_form and len(nums) == 1):
                day = int(n)
            elif year is None:
                year = _two_digit_year(int(n))
                notes.append("two-digit year")
            else:
                raise _Fail("too many numbers")
        else:
            raise _Fail(f"unexpected number {n}")
    if year is None:
        raise _Fail("no year")
    _check(year, month, day)
    H, M, S, tz = _time_parts(gd_time) if gd_time else (None, None, None, None)
    if day is None and H is not None:
        raise _Fail("time without a day")
    return _Parsed(year, month, day, H, M, S, tz, None, tuple(notes))


def _from_serial(n: float, notes: list[str]) -> _Parsed:
    if not (_SERIAL_MIN <= n <= _SERIAL_MAX):
        raise _Fail("number out of Excel serial date range")
    ts = _EXCEL_EPOCH + _dt.timedelta(days=n)
    notes = list(notes) + ["Excel serial date"]
    if n != int(n):
        # round to the second: Excel stores times as binary fractions
        ts = (ts + _dt.timedelta(microseconds=500_000)).replace(microsecond=0)
        return _Parsed(ts.year, ts.month, ts.day, ts.hour, ts.minute, ts.second, None, None, tuple(notes))
    return _Parsed(ts.year, ts.month, ts.day, notes=tuple(notes))


def _from_object(raw: Any) -> _Parsed | None:
    """datetime/date/pandas.Timestamp/numpy.datetime64 and numbers."""
    if isinstance(raw, _dt.datetime):
        tz = None
        if raw.tzinfo is not None:
            off = raw.utcoffset()
            if off is not None:
                mins = int(off.total_seconds() // 60)
                tz = "Z" if mins == 0 else f"{'+' if mins >= 0 else '-'}{abs(mins) // 60:02d}:{abs(mins) % 60:02d}"
        if raw.hour == raw.minute == raw.second == raw.microsecond == 0 and tz is None:
            # a date cell read by pandas/openpyxl: no time of day was given
            return _Parsed(raw.year, raw.month, raw.day)
        return _Parsed(raw.year, raw.month, raw.day, raw.hour, raw.minute, raw.second, tz)
    if isinstance(raw, _dt.date):
        return _Parsed(raw.year, raw.month, raw.day)
    tname = type(raw).__name__
    if tname == "datetime64":
        import pandas as pd

        return _from_object(pd.Timestamp(raw).to_pydatetime())
    if isinstance(raw, bool):
        raise _Fail("boolean is not a date")
    if isinstance(raw, int) or tname.startswith("int"):
        n = int(raw)
        if _YEAR_MIN <= n <= 2100:
            return _Parsed(n)
        if 19000101 <= n <= 21001231:
            return _parse(str(n), None)
        return _from_serial(float(n), [])
    if isinstance(raw, float) or tname.startswith("float"):
        f = float(raw)
        if f.is_integer() and _YEAR_MIN <= f <= 2100:
            return _Parsed(int(f))
        return _from_serial(f, [])
    return None


# ---------------------------------------------------------------------------
# public API


def _date_result(raw: Any, p: _Parsed, dayfirst_requested: bool | None) -> DateValue:
    notes = list(p.notes)
    if p.d is not None:
        value, prec = f"{p.y:04d}-{p.m:02d}-{p.d:02d}", "day"
    elif p.m is not None:
        value, prec = f"{p.y:04d}-{p.m:02d}", "month"
    else:
        value, prec = f"{p.y:04d}", "year"
    if p.d is not None and _dt.date(p.y, p.m, p.d) > _today() + _dt.timedelta(days=366):
        notes.append("date is more than a year in the future")
    return DateValue(raw, value, True, "; ".join(notes) or None, prec, p.dayfirst_used)


def _datetime_result(raw: Any, p: _Parsed) -> DateTimeValue:
    notes = list(p.notes)
    if p.d is None:
        value = f"{p.y:04d}-{p.m:02d}" if p.m is not None else f"{p.y:04d}"
        prec = "month" if p.m is not None else "year"
    elif p.H is None:
        value, prec = f"{p.y:04d}-{p.m:02d}-{p.d:02d}", "day"
    else:
        S = p.S if p.S is not None else 0
        value = f"{p.y:04d}-{p.m:02d}-{p.d:02d}T{p.H:02d}:{p.M or 0:02d}:{S:02d}"
        prec = "second" if p.S is not None else "minute"
        if p.tz:
            value += "Z" if p.tz == "Z" else p.tz
    return DateTimeValue(raw, value, True, "; ".join(notes) or None, prec, p.dayfirst_used, p.tz)


@functools.lru_cache(maxsize=131_072)
def _date_text(text: str, dayfirst: bool | None) -> DateValue:
    try:
        p = _parse(text, dayfirst)
    except _Fail as exc:
        return DateValue(text, None, False, str(exc), partial=exc.partial)
    return _date_result(text, p, dayfirst)


@functools.lru_cache(maxsize=262_144)
def _datetime_text(text: str, dayfirst: bool | None) -> DateTimeValue:
    try:
        p = _parse(text, dayfirst)
    except _Fail as exc:
        return DateTimeValue(text, None, False, str(exc))
    return _datetime_result(text, p)


def _prep_text(raw: Any) -> str | None:
    if type(raw) is str:
        t = raw.strip()
    else:
        t = clean_text(raw)
    if len(t) > 80:
        return None
    return t


def normalize_date(raw: Any, dayfirst: bool | None = None) -> DateValue:
    """Normalise a date to an ISO string at the precision it was given.

    ``dayfirst`` decides numeric dates whose first two fields are both <= 12
    ("05/04/2023"); pass the per-file decision from :func:`detect_dayfirst`.
    When it is None such dates are read day-first and the note says so.
    Never raises.
    """
    try:
        if is_blank(raw):
            return DateValue(raw, None, False, "blank")
        if not isinstance(raw, str):
            try:
                p = _from_object(raw)
            except _Fail as exc:
                return DateValue(raw, None, False, str(exc))
            if p is not None:
                try:
                    _check(p.y, p.m, p.d)
                except _Fail as exc:
                    return DateValue(raw, None, False, str(exc))
                return _date_result(raw, p, dayfirst)
        text = _prep_text(raw)
        if text is None:
            return DateValue(raw, None, False, "too long to be a date")
        if not text:
            return DateValue(raw, None, False, "blank")
        return replace_raw(_date_text(text, dayfirst), raw)
    except Exception as exc:  # pragma: no cover - defensive
        return DateValue(raw, None, False, f"error: {exc!r}")


def normalize_datetime(raw: Any, dayfirst: bool | None = None) -> DateTimeValue:
    """Like :func:`normalize_date` but keeps the time of day (call records).

    ``.value`` is "YYYY-MM-DDTHH:MM:SS" (plus "Z"/"+03:00" when the input had
    an offset); dates without a time come back at 'day' (or coarser)
    precision.  Never raises.
    """
    try:
        if is_blank(raw):
            return DateTimeValue(raw, None, False, "blank")
        if not isinstance(raw, str):
            try:
                p = _from_object(raw)
            except _Fail as exc:
                return DateTimeValue(raw, None, False, str(exc))
            if p is not None:
                try:
                    _check(p.y, p.m, p.d)
                except _Fail as exc:
                    return DateTimeValue(raw, None, False, str(exc))
                return _datetime_result(raw, p)
        text = _prep_text(raw)
        if text is None:
            return DateTimeValue(raw, None, False, "too long to be a date")
        if not text:
            return DateTimeValue(raw, None, False, "blank")
        return replace_raw(_datetime_text(text, dayfirst), raw)
    except Exception as exc:  # pragma: no cover - defensive
        return DateTimeValue(raw, None, False, f"error: {exc!r}")


_DECISIVE = 10_000
_EVIDENCE_RE = re.compile(r"^\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(?:\d{4}|\d{2})(?!\d)")


def detect_dayfirst(values: Iterable[Any], max_values: int | None = None) -> bool | None:
    """Decide day-first (True) or month-first (False) for a whole column.

    Evidence comes from numeric dates: a first field > 12 proves day-first,
    a second field > 12 proves month-first.  Returns None when there is no
    evidence, or when the evidence conflicts without a clear (>= 95 %)
    majority; the caller then uses its default.
    """
    dayfirst = monthfirst = 0
    memo: dict[str, int] = {}  # text -> 0 no evidence, 1 day-first, 2 month-first
    for i, v in enumerate(values):
        if max_values is not None and i >= max_values:
            break
        if type(v) is not str:
            continue
        ev = memo.get(v)
        if ev is None:
            ev = 0
            m = _EVIDENCE_RE.match(v)
            if m:
                a, b = int(m.group(1)), int(m.group(2))
                if a > 12 and 1 <= b <= 12:
                    ev = 1
                elif b > 12 and 1 <= a <= 12:
                    ev = 2
            if len(memo) < 200_000:
                memo[v] = ev
        if ev == 1:
            dayfirst += 1
        elif ev == 2:
            monthfirst += 1
        else:
            continue
        if (dayfirst >= _DECISIVE and not monthfirst) or (monthfirst >= _DECISIVE and not dayfirst):
            break  # overwhelming, uncontradicted evidence: no need to read the rest
    total = dayfirst + monthfirst
    if total == 0:
        return None
    if dayfirst / total >= 0.95:
        return True
    if monthfirst / total >= 0.95:
        return False
    return None


def normalize_date_series(series, dayfirst: bool | None = None, default_dayfirst: bool | None = None):
    """Vectorised helper: decides ``dayfirst`` for the whole column when not
    given (via :func:`detect_dayfirst`, falling back to ``default_dayfirst``),
    then normalises each distinct value once.  Returns a DataFrame with
    columns value, precision, ok, note, dayfirst_used."""
    values = series.tolist()
    if dayfirst is None:
        dayfirst = detect_dayfirst(values)
        if dayfirst is None:
            dayfirst = default_dayfirst
    return map_unique_frame(
        lambda v: normalize_date(v, dayfirst), ("value", "precision", "ok", "note", "dayfirst_used"), series
    )


# layouts tried by the vectorised date-time path (RE2 syntax, named groups; seconds optional):
# (name, pattern, day-first of the layout)
_TIME_RE2 = r"[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?$"
_VEC_LAYOUTS = (
    ("iso-", r"^(?P<y>\d{4})-(?P<b>\d{1,2})-(?P<a>\d{1,2})" + _TIME_RE2, None),
    ("iso/", r"^(?P<y>\d{4})/(?P<b>\d{1,2})/(?P<a>\d{1,2})" + _TIME_RE2, None),
    ("dmy/", r"^(?P<a>\d{1,2})/(?P<b>\d{1,2})/(?P<y>\d{4})" + _TIME_RE2, True),
    ("dmy.", r"^(?P<a>\d{1,2})\.(?P<b>\d{1,2})\.(?P<y>\d{4})" + _TIME_RE2, True),
    ("dmy-", r"^(?P<a>\d{1,2})-(?P<b>\d{1,2})-(?P<y>\d{4})" + _TIME_RE2, True),
)


def _vectorised_datetimes(values: list, dayfirst: bool | None, cols: dict, done) -> None:
    """Fill ``cols``/``done`` for the values that follow the column's dominant
    machine layout, using pyarrow's RE2 and pandas' datetime assembly.
    Silently does nothing when pyarrow is unavailable or no layout dominates."""
    try:
        import numpy as np
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc
    except ImportError:  # pragma: no cover - pyarrow is optional
        return
    pos = np.fromiter((i for i, v in enumerate(values) if type(v) is str), dtype=np.int64)
    if len(pos) < 1000:
        return
    arr = pc.utf8_trim_whitespace(pa.array([values[i] for i in pos], type=pa.string()))
    sample = arr.slice(0, 2000)
    best = None
    for name, pattern, layout_dayfirst in _VEC_LAYOUTS:
        if layout_dayfirst is not None and dayfirst is False:
            layout_dayfirst = False  # the same layout read month-first
        hit = pc.mean(pc.cast(pc.match_substring_regex(sample, pattern), pa.int8())).as_py() or 0.0
        if hit >= 0.9 and (best is None or hit > best[3]):
            best = (name, pattern, layout_dayfirst, hit)
    if best is None:
        return
    _, pattern, layout_dayfirst, _ = best
    st = pc.extract_regex(arr, pattern)
    matched = np.asarray(st.is_valid())
    if not matched.any():
        return
    st = st.filter(pa.array(matched))

    def ints(field: str):
        return np.asarray(pc.cast(st.field(field), pa.int64()))

    a, b, y, H, M = ints("a"), ints("b"), ints("y"), ints("H"), ints("M")
    s_txt = st.field("S")
    has_s = np.asarray(pc.not_equal(s_txt, ""))
    S = np.asarray(pc.cast(pc.if_else(pa.array(has_s), s_txt, "0"), pa.int64()))
    if layout_dayfirst is False:
        day, month = b, a
    else:
        day, month = a, b
    if layout_dayfirst is not None:
        # a first field > 12 forces day-first, a second one forces month-first
        # (per-value rules); such rows go to the per-value path for their note
        force = (a > 12) if layout_dayfirst is False else (b > 12)
    else:
        force = np.zeros(len(a), dtype=bool)
    parts = pd.DataFrame({"year": y, "month": month, "day": day, "hour": H, "minute": M, "second": S})
    ts = pd.to_datetime(parts, errors="coerce").to_numpy()
    good = ~np.isnat(ts) & (y >= _YEAR_MIN) & (y <= _YEAR_MAX) & ~force
    good &= (H <= 23) & (M <= 59) & (S <= 59)
    idx = pos[matched][good]
    cols["value"][idx] = np.datetime_as_string(ts[good].astype("datetime64[s]"), unit="s").astype(object)
    prec = np.where(has_s[good], "second", "minute").astype(object)
    cols["precision"][idx] = prec
    cols["ok"][idx] = True
    cols["dayfirst_used"][idx] = layout_dayfirst if layout_dayfirst is not None else None
    if layout_dayfirst is not None and dayfirst is None:
        amb = (a[good] <= 12) & (b[good] <= 12) & (a[good] != b[good])
        cols["note"][idx[amb]] = "ambiguous day/month: assumed day-first"
    done[idx] = True


def normalize_datetime_series(series, dayfirst: bool | None = None, default_dayfirst: bool | None = None):
    """As :func:`normalize_date_series` for date-times (call records).

    Columns dominated by one machine layout ("2023-04-05 10:22:00",
    "05/04/2023 10:22" ...) are parsed in one vectorised pandas call (call
    records are mostly distinct values, so caching does not help there);
    every other value goes through :func:`normalize_datetime`.  The output
    is the same as calling :func:`normalize_datetime` on each value.
    Returns a DataFrame with columns value, precision, ok, note,
    dayfirst_used, utc_offset."""
    import numpy as np
    import pandas as pd

    fields = ("value", "precision", "ok", "note", "dayfirst_used", "utc_offset")
    values = series.tolist()
    if dayfirst is None:
        dayfirst = detect_dayfirst(values)
        if dayfirst is None:
            dayfirst = default_dayfirst
    n = len(values)
    cols = {f: np.full(n, None, dtype=object) for f in fields}
    done = np.zeros(n, dtype=bool)

    if n >= 1000:
        _vectorised_datetimes(values, dayfirst, cols, done)
    rest = np.flatnonzero(~done).tolist()
    if rest:
        sub = [values[i] for i in rest]
        results = map_unique(sub, lambda v: normalize_datetime(v, dayfirst))
        for f in fields:
            cols[f][rest] = np.array([getattr(r, f) for r in results] + [None], dtype=object)[:-1]
    return pd.DataFrame({f: pd.Series(cols[f], index=series.index, dtype=object) for f in fields})
