"""Making hostile data text safe for the places it is written to.

- `neutralise`: spreadsheet formula injection (CSV injection). A cell whose text starts with `=`, `+`, `-`, `@`,
  a tab or a carriage return is read by Excel, LibreOffice and Google Sheets as a formula (or a DDE command);
  prefixing a single quote `'` makes it text. Cells that start that way after leading spaces are prefixed
  too, since some spreadsheets trim before parsing.
- `xml_text`: characters that XML 1.0 cannot carry (C0 controls other than tab, LF, CR; lone surrogates;
  U+FFFE/U+FFFF) replaced by U+FFFD, so an XML writer never fails on, or silently drops, hostile input.
"""

from __future__ import annotations

import re
from typing import Any

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_LEADING_SPACE_TRIGGER = re.compile(r"^[ \u00a0\u3000]+[=+\-@]")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_formula_like(value: Any) -> bool:
    """True if a spreadsheet could read this text as a formula."""
    return (
        isinstance(value, str)
        and bool(value)
        and (value.startswith(FORMULA_TRIGGERS) or bool(_LEADING_SPACE_TRIGGER.match(value)))
    )


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet reads as a formula gets a leading `'`; anything else is returned unchanged.

    Only strings are touched: numbers written as numbers (e.g. -3.5) are not formulas.
    """
    if is_formula_like(value):
        return "'" + value
    return value


neutralize = neutralise


def xml_text(value: Any) -> str:
    """`value` as text that any XML 1.0 document can hold."""
    s = value if isinstance(value, str) else str(value)
    return _XML_ILLEGAL.sub("\ufffd", s)
