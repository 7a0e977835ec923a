"""Identifiers in a report's text (phones, emails, passports, plates, vessels, air waybills), and the
country national-format phone numbers are read in."""

from __future__ import annotations

import re

from linkgraph.importing.reports.places import _locations

_ID_COLUMNS = {
    "phone": "phones",
    "email": "emails",
    "passport": "passports",
    "plate": "plates",
    "imo": "vessels",
    "vessel": "vessels",
    "awb": "awbs",
}


def _chunks(text: str, size: int = 100_000) -> list[str]:
    """Pieces of at most about `size` characters, cut at line ends (the extractor reads 200,000 at most)."""
    out, cur, n = [], [], 0
    for line in text.split("\n"):
        if n + len(line) > size and cur:
            out.append("\n".join(cur))
            cur, n = [], 0
        while len(line) > size:
            out.append(line[:size])
            line = line[size:]
        cur.append(line)
        n += len(line) + 1
    out.append("\n".join(cur))
    return out


def _identifiers(text: str, region: str | None) -> dict[str, list[str]]:
    from linkgraph.normalize.identifiers import extract_identifiers

    out: dict[str, list[str]] = {c: [] for c in set(_ID_COLUMNS.values())}
    for chunk in _chunks(text):
        for kind, _raw, norm in extract_identifiers(chunk, default_region=region):
            col = _ID_COLUMNS.get(str(kind).lower())
            if col and norm and norm not in out[col]:
                out[col].append(norm)
    return out


def _region(agency: str | None, reference: str) -> str | None:
    """The country national-format phone numbers are read in: the agency's ("Kenya Wildlife Service"),
    else an ISO code heading the reference ("TZ-NTSCIU/2024/118")."""
    codes = _locations(agency or "")
    if len(codes) == 1:
        return codes[0]
    m = re.match(r"^([A-Z]{2})[-/_ .]", reference)
    if m:
        from linkgraph.normalize.countries import normalize_country

        r = normalize_country(m.group(1))
        if r.ok and r.value == m.group(1) and not r.note:
            return r.value
    return None
