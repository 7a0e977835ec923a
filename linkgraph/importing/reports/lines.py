"""The lines of a report file as its readers hand them on, the fields found on them, and what every step
shares: text cleaning, the file's name for a message, the size limits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

_RULE_RE = re.compile(r"^\s*(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_SPACES = str.maketrans({"\u00a0": " ", "\u2028": " ", "\u2029": " ", "\x85": " "})
_CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\ufeff]")


@dataclass
class _Line:
    no: int  # line number (text) or paragraph number (docx)
    text: str  # as written, control characters removed
    heading: bool = False  # a Markdown heading or a Word heading/title paragraph
    rule: bool = False
    cells: list[tuple[str, str]] | None = None  # (label, value) pairs of a table row
    fields: list[_Field] = field(default_factory=list)
    prose: str | None = None  # text that belongs to the narrative when no field was found


@dataclass
class _Field:
    family: str
    label: str
    value: str
    hint: str | None = None


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_SPACES)
    return _CTRL_RE.sub("", text).rstrip()


def _safe_name(path: Path) -> str:
    """The file's name for a one-line message (a name may hold any character but '/')."""
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029\x85]", "?", path.name)


def _show(value: str, limit: int = 60) -> str:
    v = re.sub(r"\s+", " ", str(value)).strip()
    return repr(v if len(v) <= limit else v[:limit] + "…")


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


@dataclass(frozen=True)
class Limits:
    """The size limits read_report applies (its module's MAX_* constants, read at each call)."""

    file_bytes: int  # a text file, or a .docx's uncompressed parts
    report_bytes: int  # one report's text, UTF-8
    field_chars: int  # any single field other than the narrative
