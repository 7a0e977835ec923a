"""Handling codes: the one place that parses, normalises, ranks and compares them.

Known codes: TLP 2.0 (TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT, TLP:RED; TLP 1.0's WHITE reads as
CLEAR, as TLP 2.0 says), UK 3x5x2 handling (P lawful sharing permitted, C permitted with conditions) and legacy
UK 5x5x5 handling (1-5). Any other code is an error: ranking an unknown label as "most restrictive" would let
it replace a real one (TLP:BOGUS over TLP:RED), so it is refused where it enters, never guessed.

    normalise("amber strict") -> "TLP:AMBER+STRICT"      normalise("tlp:white") -> "TLP:CLEAR"
    rank("TLP:RED") > rank("C") > rank("TLP:GREEN")      most_restrictive(["TLP:RED", "P"]) -> "TLP:RED"
    tlp_level("4") -> "AMBER"                            exceeds("TLP:RED", "GREEN") -> True
"""

from __future__ import annotations

import re

from linkgraph.errors import LinkgraphError

# TLP 2.0 levels, least restrictive first.
TLP_LEVELS = ("CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED")
# Every known code, least restrictive first, with the TLP level it is handled at. UK codes sit beside the
# TLP level whose audience they allow: P and 5x5x5 1 anyone lawful, 2-3 partners, C and 4 with conditions or
# the agency, 5 no further dissemination without the originator.
_ORDER = (
    ("TLP:CLEAR", "CLEAR"),
    ("P", "CLEAR"),
    ("1", "CLEAR"),
    ("TLP:GREEN", "GREEN"),
    ("2", "GREEN"),
    ("3", "GREEN"),
    ("C", "AMBER"),
    ("TLP:AMBER", "AMBER"),
    ("4", "AMBER"),
    ("TLP:AMBER+STRICT", "AMBER+STRICT"),
    ("5", "AMBER+STRICT"),
    ("TLP:RED", "RED"),
)
CODES = tuple(c for c, _ in _ORDER)
_RANK = {c: i for i, c in enumerate(CODES)}
_LEVEL = dict(_ORDER)
KNOWN = "TLP:CLEAR, TLP:GREEN, TLP:AMBER, TLP:AMBER+STRICT, TLP:RED, UK 3x5x2 P or C, UK 5x5x5 1-5"


class HandlingError(LinkgraphError):
    """A handling code that is not one of the known codes."""


def _blank(code) -> bool:
    return code is None or (isinstance(code, float) and code != code) or str(code).strip() == ""


def normalise(code) -> str | None:
    """The canonical form of a handling code ('amber' -> 'TLP:AMBER', 'tlp:white' -> 'TLP:CLEAR', 'p' -> 'P');
    None for a blank; HandlingError for anything unknown."""
    if _blank(code):
        return None
    v = str(code).strip().upper()
    if v in _RANK:
        return v
    word = re.sub(r"^TLP\s*[:_ -]?\s*", "", v)
    word = re.sub(r"\s*[+_ ]\s*", "+", word)
    if word == "WHITE":
        word = "CLEAR"
    if word in TLP_LEVELS:
        return f"TLP:{word}"
    raise HandlingError(f"handling code {str(code).strip()[:60]!r} is not known (known: {KNOWN})")


def tlp(level) -> str:
    """A TLP level as given on the command line ('amber', 'TLP:AMBER+STRICT', 'white') -> 'AMBER' etc."""
    code = normalise(level)
    if code is None or not code.startswith("TLP:"):
        raise HandlingError(f"tlp {level!r} is not a TLP 2.0 level (one of {', '.join(TLP_LEVELS)})")
    return code[4:]


def rank(code) -> int:
    """Sort key, most restrictive highest; -1 for a blank."""
    c = normalise(code)
    return -1 if c is None else _RANK[c]


def most_restrictive(codes) -> str | None:
    """The most restrictive of some codes (blanks ignored), normalised; None when all are blank."""
    found = [c for c in (normalise(x) for x in codes) if c is not None]
    return max(found, key=_RANK.__getitem__) if found else None


def tlp_level(code) -> str | None:
    """The TLP level an item with this code is handled at ('C' -> 'AMBER'); None for a blank."""
    c = normalise(code)
    return None if c is None else _LEVEL[c]


def exceeds(code, level: str) -> bool:
    """True when an item with this code may not go out under TLP `level`."""
    item = tlp_level(code)
    return item is not None and TLP_LEVELS.index(item) > TLP_LEVELS.index(tlp(level))


def highest_level(codes) -> str | None:
    """The most restrictive TLP level some codes are handled at, or None."""
    levels = [tlp_level(c) for c in codes]
    levels = [x for x in levels if x is not None]
    return max(levels, key=TLP_LEVELS.index) if levels else None
