"""Intelligence grading: Admiralty (NATO 6x6), UK 3x5x2 and UK 5x5x5: parse, format, rank, compare.

The one home of grading. A grade is kept as its Admiralty components, reliability 'A'-'F' and credibility 1-6,
where the system has them, and as written in its own system otherwise ('uk-3x5x2:2/B/C'). UK 5x5x5 scores
source A-E and intelligence 1-5 on Admiralty's scales, so a 5x5x5 grade has Admiralty components too; UK 3x5x2
(source 1-3, intelligence A-E) does not, and is never converted. The third part of a UK grade (3x5x2 P/C,
5x5x5 1-5) is a handling code, ranked by `linkgraph.handling`.

Three readers, for three kinds of input: `parse` for an analyst's option (strict Admiralty, 'B2'),
`parse_cell` for a spreadsheet cell holding a whole grade in any system, and `scan` for a grade written in a
report's prose ('B2 (usually reliable)', 'Source: B Information: 2').
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from linkgraph.errors import LinkgraphError

RELIABILITY = "ABCDEF"
CREDIBILITY = (1, 2, 3, 4, 5, 6)
RELIABILITY_TEXT = {
    "A": "Completely reliable",
    "B": "Usually reliable",
    "C": "Fairly reliable",
    "D": "Not usually reliable",
    "E": "Unreliable",
    "F": "Reliability cannot be judged",
}
CREDIBILITY_TEXT = {
    1: "Confirmed by other sources",
    2: "Probably true",
    3: "Possibly true",
    4: "Doubtful",
    5: "Improbable",
    6: "Truth cannot be judged",
}
SYSTEMS = ("admiralty", "uk-3x5x2", "uk-5x5x5")
FORMS = "Admiralty (A-F then 1-6, e.g. B2), UK 3x5x2 (e.g. 2/B/C) or UK 5x5x5 (e.g. B/2/3)"
SYSTEM_TEXT = {
    "uk-3x5x2": "a UK 3x5x2 grade (source 1-3, intelligence A-E, handling P/C)",
    "uk-5x5x5": "a UK 5x5x5 grade (source A-E, intelligence 1-5, handling 1-5)",
    "admiralty": "an Admiralty grade (source A-F, information 1-6)",
}
# words that name a system where a grade is written ('UK 3x5x2: 2/B/C', 'NATO code B2')
SYSTEM_WORDS = {
    "3x5x2": "uk-3x5x2",
    "5x5x5": "uk-5x5x5",
    "6x6": "admiralty",
    "admiralty": "admiralty",
    "nato": "admiralty",
}


class GradeError(LinkgraphError):
    """A grade that is not one of the systems it claims to be."""


@dataclass(frozen=True)
class Grade:
    """A grade: its Admiralty components where the system has them, the grade as written in another system
    ("uk-3x5x2:2/B/C"), and that grade's own handling part."""

    reliability: str | None = None
    credibility: int | None = None
    grading: str | None = None
    handling: str | None = None

    @property
    def graded(self) -> bool:
        return self.reliability is not None or self.credibility is not None or self.grading is not None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and value != value) or str(value).strip() == ""


# --- Admiralty components -------------------------------------------------------------------------------------

_ADMIRALTY_RE = re.compile(r"^\s*([A-Fa-f])\s*[/-]?\s*([1-6])\s*$")


def parse(text: Any, required: bool = False) -> tuple[str | None, int | None]:
    """An Admiralty grade as an analyst types it: 'B2', 'b/2', 'B-2' -> ('B', 2). Blank -> (None, None), or a
    GradeError when `required`. Anything else is a GradeError."""
    if _blank(text):
        if required:
            raise GradeError("a grade is required: an Admiralty grade like B2 (reliability A-F, credibility 1-6)")
        return None, None
    m = _ADMIRALTY_RE.match(str(text))
    if not m:
        raise GradeError(f"grade {text!r} is not an Admiralty grade: source A-F then information 1-6, e.g. B2")
    return m.group(1).upper(), int(m.group(2))


def reliability_of(value: Any) -> str | None:
    """The Admiralty reliability A-F a stored value starts with ('B', 'b', 'B - usually reliable'), or None."""
    if _blank(value) or not isinstance(value, str):
        return None
    v = value.strip().upper()[:1]
    return v if v in RELIABILITY else None


def credibility_of(value: Any) -> int | None:
    """The Admiralty credibility 1-6 of a stored value (2, 2.0, '2'), or None."""
    if _blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, str):
        m = re.match(r"\s*([1-6])(\.0*)?\s*$", value)
        return int(m.group(1)) if m else None
    if isinstance(value, (int, float)) and float(value).is_integer() and 1 <= int(value) <= 6:
        return int(value)
    return None


def text(reliability: str | None, credibility: int | None) -> str:
    """'B2'; '-' for a missing half ('B-', '-2'); '' when both are missing."""
    if reliability is None and credibility is None:
        return ""
    return f"{reliability or '-'}{credibility if credibility is not None else '-'}"


def rank(reliability: str | None, credibility: int | None) -> tuple[int, int, int]:
    """Sort key, best first: by the sum of the two scales, then reliability. A missing half sorts after every
    value of it, and an ungraded item after every grade."""
    r = RELIABILITY.index(reliability) if reliability in tuple(RELIABILITY) else 9
    c = credibility - 1 if isinstance(credibility, int) and 1 <= credibility <= 6 else 9
    return (r + c, r, c)


def meets(reliability: str | None, credibility: int | None, minimum: tuple[str, int]) -> bool:
    """'At or above B2': reliability and credibility both at least as good as the minimum's. A missing half
    never meets a minimum."""
    if reliability not in tuple(RELIABILITY) or credibility is None:
        return False
    return RELIABILITY.index(reliability) <= RELIABILITY.index(minimum[0]) and int(credibility) <= minimum[1]


def meets_any(pairs: Iterable[tuple[str, int]], minimum: tuple[str, int]) -> bool:
    """True when some observation's grade is at or above the minimum."""
    return any(meets(r, c, minimum) for r, c in pairs)


def best(pairs: Iterable[tuple[str | None, int | None]]) -> tuple[str | None, int | None]:
    """The best of several grades by `rank`; (None, None) when there are none."""
    pairs = list(pairs)
    return min(pairs, key=lambda p: rank(*p)) if pairs else (None, None)


# --- whole grades in any system -------------------------------------------------------------------------------


def system(name: Any) -> str | None:
    """'admiralty' | 'uk-3x5x2' | 'uk-5x5x5' for a system name as written ('3x5x2', 'UK 5x5x5', 'NATO')."""
    key = re.sub(r"[^0-9a-z]", "", str(name or "").lower())
    if not key:
        return None
    if "3x5x2" in key or key == "352":
        return "uk-3x5x2"
    if "5x5x5" in key or key == "555":
        return "uk-5x5x5"
    return "admiralty"


_SEP = r"[\s/\\.,:;-]*"
_UK3 = rf"([1-3]){_SEP}([A-E])(?:{_SEP}([PC]))?"
_UK5 = rf"([A-E]){_SEP}([1-5])[\s/\\.,:;-]+([1-5])"
_ADM = rf"([A-F]){_SEP}([1-6])"
_CELL = {"uk3": re.compile(rf"^{_UK3}$"), "uk5": re.compile(rf"^{_UK5}$"), "adm": re.compile(rf"^{_ADM}$")}
_CELL_PREFIX_RE = re.compile(r"^(?:UK[\s-]*)?(3X5X2|5X5X5|ADMIRALTY|NATO|6X6)\b\s*(?:GRADE|GRADING|CODE)?\s*[:=]?\s*")


def parse_cell(value: Any) -> Grade | None:
    """A cell holding a whole grade: 'B2', '2/B/C' (UK 3x5x2), 'B/2/3' (UK 5x5x5), optionally prefixed by its
    system ('3x5x2: 2BC'). None when it is none of these."""
    up = str(value or "").strip().upper()
    m = _CELL_PREFIX_RE.match(up)
    hint = system(m.group(1)) if m else None
    body = up[m.end() :].strip() if m else up
    m3, m5, ma = (_CELL[k].match(body) for k in ("uk3", "uk5", "adm"))
    if m3 and hint in (None, "uk-3x5x2"):
        return Grade(grading="uk-3x5x2:" + "/".join(x for x in m3.groups() if x), handling=m3.group(3))
    if m5 and hint in (None, "uk-5x5x5"):
        a, b, c = m5.groups()
        return Grade(a, int(b), f"uk-5x5x5:{a}/{b}/{c}", c)
    if ma and hint in (None, "admiralty", "uk-5x5x5"):
        r, c = ma.group(1), int(ma.group(2))
        return Grade(r, c, f"uk-5x5x5:{r}/{c}" if hint == "uk-5x5x5" else None)
    return None


def from_parts(system_name, reliability, credibility, raw=None, parts=()) -> Grade | None:
    """A grade given in separate fields: the system, the Admiralty components, the grade as written and the
    parts in its own system. None when the parts do not fit the system."""

    def clean(v):
        v = "" if _blank(v) else str(v).strip().upper()
        return (v[:-2] if re.fullmatch(r"\d\.0", v) else v) or None  # a credibility read as a float: 2.0

    sysname = system(system_name)
    r, c, rawv = clean(reliability), clean(credibility), clean(raw)
    own = [clean(x) for x in parts]
    if sysname == "uk-3x5x2":
        own = own if any(own) else [r, c]
        src, intel, hand = (own + [None, None, None])[:3]
        if (
            (src and src not in ("1", "2", "3"))
            or (intel and (len(intel) != 1 or intel not in "ABCDE"))
            or (hand and hand not in ("P", "C"))
        ):
            return None
        written = "/".join(x for x in (src, intel, hand) if x) or rawv
        return Grade(grading=f"uk-3x5x2:{written}" if written else "uk-3x5x2", handling=hand)
    if r is None and c is None and sysname is None:
        return Grade() if rawv is None else parse_cell(rawv)
    if (r and (len(r) != 1 or r not in RELIABILITY)) or (c and c not in ("1", "2", "3", "4", "5", "6")):
        return None
    if sysname == "uk-5x5x5":
        src, intel, hand = (own + [None, None, None])[:3]
        written = "/".join(x for x in (src or r, intel or c, hand) if x)
        return Grade(r, int(c) if c else None, f"uk-5x5x5:{written}", hand)
    return Grade(r, int(c) if c else None)


# --- grades written in prose ----------------------------------------------------------------------------------

_PROSE_SEP = r"\s*[/\\,.\-]?\s*"
_PROSE = {
    "uk5": re.compile(r"([A-E])" + _PROSE_SEP + r"([1-5])\s*[/\\,.\-\s]\s*([1-5])(?![A-Z0-9])"),
    "uk3": re.compile(r"([1-3])" + _PROSE_SEP + r"([A-E])(?:" + _PROSE_SEP + r"([PC]))?(?![A-Z0-9])"),
    "adm": re.compile(r"([A-F])" + _PROSE_SEP + r"([1-6])(?![A-Z0-9])"),
}
_LABELLED_RE = re.compile(
    r"SOURCE\W{0,3}([A-F1-3])\W{1,5}(?:INFORMATION|INTELLIGENCE|INFO|INTEL)\W{0,3}"
    r"([1-6A-E])(?:\W{1,5}HANDLING\W{0,3}([PC1-5]))?(?![A-Z0-9])"
)
# the words that may follow a grade in prose without making it something else: 'B2 usually reliable'
_DESCRIPTORS = set(
    """completely usually fairly not reliable unreliable reliability cannot be judged confirmed by
other sources probably possibly true doubtful improbable truth untested known directly indirectly but
corroborated to the source suspected false lawful sharing permitted with conditions of and information
intelligence credibility handling code grade grading""".split()
)
_PROSE_SYSTEM_RE = re.compile(
    r"(?i)\b(?:uk\s*)?(?:3x5x2|5x5x5|6x6|admiralty|nato)\b(?:\s*(?:code|grading|grade|system))?\s*[:：]?"
)
_COMPONENT_RE = re.compile(r"^\s*([A-Fa-f1-6])\s*(?:$|[\s(\[\-–—:,;/].*$)", re.S)


def _rest_ok(rest: str) -> bool:
    rest = rest.strip()
    if not rest or rest[0] in "([-–—,;:/":
        return True
    return all(w in _DESCRIPTORS for w in re.findall(r"[a-z]+", rest.lower()))


def _strip_system(value: str) -> tuple[str, str | None]:
    hint = None
    for word, name in SYSTEM_WORDS.items():
        if re.search(rf"(?i)\b{word}\b", value):
            hint = name
    return _PROSE_SYSTEM_RE.sub(" ", value).strip(" \t:：;,"), hint


def scan(value: str) -> tuple[str, tuple[str, ...], str | None] | None:
    """A whole grade written in prose -> (shape, parts, system named). Shapes: 'adm', 'uk3', 'uk5'. None when
    the value is not a grade followed only by punctuation or grade descriptors."""
    body, hint = _strip_system(value)
    up = body.upper().strip()
    if not up:
        return None
    m = _LABELLED_RE.search(up)
    if m:
        s, i, h = m.groups()
        shape = "uk3" if s.isdigit() else ("uk5" if h and h.isdigit() else "adm")
        return shape, tuple(p for p in (s, i, h) if p), hint
    for shape, rx in _PROSE.items():
        m = rx.match(up)
        if m and _rest_ok(body[m.end() :]):
            return shape, tuple(p for p in m.groups() if p), hint
    return None


def component(value: str) -> str | None:
    """The single grade character of 'B', 'B (usually reliable)', '2 - probably true'."""
    m = _COMPONENT_RE.match(value)
    if not m:
        return None
    rest = value[m.end(1) :]
    if rest.strip() and not _rest_ok(rest):
        return None
    return m.group(1).upper()
