"""How the demo's files write values: IMO numbers, air waybills, valid phone numbers, cargo dates, CSV text, and
OOXML zips with fixed timestamps (the same seed gives the same bytes)."""

from __future__ import annotations

import csv
import io
import random
import re
import zipfile
from datetime import date, datetime
from pathlib import Path

FIXED_TIME = datetime(2024, 11, 30, 9, 0, 0)  # document properties and zip entry times
# the length of an E.164 number by country code, for the countries unrelated people come from
_PHONE_LENGTHS = {"+254": 13, "+255": 13, "+234": 14, "+237": 13, "+243": 13, "+256": 13, "+84": 12, "+86": 14}


def imo(rng: random.Random) -> str:
    d = [9, *[rng.randrange(10) for _ in range(5)]]
    check = sum(x * w for x, w in zip(d, range(7, 1, -1))) % 10
    return "".join(map(str, d)) + str(check)


def awb(rng: random.Random, prefix: str) -> str:
    serial7 = rng.randrange(1_000_000, 9_999_999)
    return f"{prefix}-{serial7}{serial7 % 7}"


def new_awb(rng: random.Random, prefix: str, used: set[str]) -> str:
    """An air waybill number not in `used` (and added to it)."""
    number = awb(rng, prefix)
    while number in used:
        number = awb(rng, prefix)
    used.add(number)
    return number


def phone(rng: random.Random, prefix: str, used: set[str]) -> str:
    """A valid E.164 number starting with `prefix`, not in `used` (and added to it)."""
    import phonenumbers  # the phone normaliser's own dependency, imported where it is needed

    total = _PHONE_LENGTHS[next(p for p in _PHONE_LENGTHS if prefix.startswith(p))]
    while True:
        num = prefix + "".join(str(rng.randrange(10)) for _ in range(total - len(prefix)))
        if num in used:
            continue
        try:
            ok = phonenumbers.is_valid_number(phonenumbers.parse(num))
        except phonenumbers.NumberParseException:
            ok = False
        if ok:
            used.add(num)
            return num


def cargo_date(d: date) -> str:
    """14MAR23, as air cargo documents write dates (not strftime %b, which follows the locale)."""
    months = "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split()
    return f"{d.day:02d}{months[d.month - 1]}{d.year % 100:02d}"


def csv_text(rows: list[list]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows([["" if v is None else v for v in r] for r in rows])
    return buf.getvalue()


def freeze_zip(path: Path) -> None:
    """Rewrite an OOXML zip with fixed entry times and a fixed dcterms:modified (openpyxl stamps the clock)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(path) as z:
        entries = [(i.filename, z.read(i.filename)) for i in z.infolist()]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name, data in entries:
            if name == "docProps/core.xml":
                text = data.decode("utf-8")
                for tag in ("created", "modified"):
                    text = re.sub(rf"(<dcterms:{tag}[^>]*>)[^<]*(</dcterms:{tag}>)", rf"\g<1>{stamp}\g<2>", text)
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            out.writestr(info, data)
    path.write_bytes(buf.getvalue())
