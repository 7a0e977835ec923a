"""A report file's layout: each line's labelled fields or prose (Markdown emphasis, list and table markup
stripped to find labels), and the split into reports at rules and at a second Reference field."""

from __future__ import annotations

import re

from linkgraph.importing.reports.fields import _TLP_RE
from linkgraph.importing.reports.labels import _FREE_FAMILIES, _INNER_LABEL_RE, _LEAD_LABEL_RE, _family, _label_key
from linkgraph.importing.reports.lines import _RULE_RE, _Field, _Line

_MD_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_PREFIX_RE = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+•]\s+|\d{1,3}[.)]\s+)?")


# --- line parsing --------------------------------------------------------------------------------------------
def _strip_md(text: str) -> tuple[str, bool]:
    """Text without Markdown emphasis, quote, list or heading markers; and whether it was a heading."""
    heading = bool(re.match(r"^\s*#{1,6}\s", text))
    s = _MD_PREFIX_RE.sub("", text, count=1).strip()
    # emphasis around the label only ("**Reference:** X", "__Ref__: X"); a value's own markup is data
    for mark in ("**", "__", "*", "_"):
        if s.startswith(mark):
            j = s.find(mark, len(mark))
            if 0 < j <= 70:
                s = s[len(mark) : j] + s[j + len(mark) :]
            break
    return s.strip(), heading


def _split_pairs(text: str) -> list[tuple[str, str]] | None:
    """'Label: value' (and further 'Label: value' pairs on the same line for grading-style forms)."""
    m = _LEAD_LABEL_RE.match(text)
    if not m:
        return None
    label, value = m.group("label").strip(), m.group("value")
    fam, _ = _family(label)
    if fam is None:
        return None
    value = re.sub(r"^[*_]+\s*", "", value)
    if fam in _FREE_FAMILIES:
        return [(label, value.strip())]
    pairs, pos, cur_label = [], 0, label
    for im in _INNER_LABEL_RE.finditer(value):
        pairs.append((cur_label, value[pos : im.start()].strip(" \t;,|")))
        cur_label, pos = im.group("label"), im.end()
    pairs.append((cur_label, value[pos:].strip(" \t;,|")))
    return pairs


def _parse_line(line: _Line) -> None:
    if line.cells is not None:
        if _label_key(line.cells[0][0]) in ("field", "label", "item", "heading", "field name"):
            return  # the header row of a two-column form
        for label, value in line.cells:
            fam, hint = _family(label.rstrip(":：").strip())
            if fam is not None:
                line.fields.append(_Field(fam, label.rstrip(":：").strip(), value, hint))
        if not line.fields:
            line.prose = ": ".join(c for c in line.cells[0] if c) if len(line.cells) == 1 else line.text
        return
    raw = line.text
    if _RULE_RE.match(raw) or line.rule:
        line.rule = True
        return
    if not raw.strip() or _MD_TABLE_SEP_RE.match(raw) and "-" in raw:
        return
    stripped = raw.strip()
    if stripped.startswith("|") and stripped.endswith("|") and stripped.count("|") >= 3:
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        cells = [_strip_md(c)[0] for c in cells]
        line.cells = [(cells[0], " | ".join(c for c in cells[1:] if c))]
        _parse_line(line)
        return
    text, md_heading = _strip_md(raw)
    line.heading = line.heading or md_heading
    pairs = _split_pairs(text)
    if pairs:
        for label, value in pairs:
            fam, hint = _family(label)
            if fam is not None:
                line.fields.append(_Field(fam, label, value, hint))
        return
    # a bare label ("NARRATIVE", "SUBJECT") opens its field: the narrative, or a value on the next line
    if len(text) < 40:
        fam, hint = _family(text.rstrip(":："))
        if fam is not None:
            line.fields.append(_Field(fam, text.rstrip(":："), "", hint))
            return
    if _TLP_RE.fullmatch(text.strip(" []()*_")):
        line.fields.append(_Field("handling", "TLP", text.strip(" []()*_")))
        return
    if not line.heading:
        line.prose = raw.strip()


def _title_like(line: _Line) -> bool:
    """A heading, or a short upper-case title line such as 'INTELLIGENCE REPORT'."""
    if line.heading:
        return True
    t = (line.prose or "").strip()
    return bool(t) and len(t) <= 60 and not any(c.islower() for c in t) and not t.endswith(".")


# --- splitting -----------------------------------------------------------------------------------------------
def _segments(lines: list[_Line]) -> list[list[_Line]]:
    """Split at rule lines, then at a second Reference field; field-less pieces join their neighbour."""
    by_rule: list[list[_Line]] = [[]]
    for ln in lines:
        if ln.rule:
            by_rule.append([])
        else:
            by_rule[-1].append(ln)
    pieces: list[list[_Line]] = []
    for seg in by_rule:
        pieces.extend(_split_on_reference(seg))
    # a piece without any field is not a report of its own: above the first report it is the file's header
    # (its markings are read by read_report), after a report it is that report's closing text
    out: list[list[_Line]] = []
    for seg in pieces:
        if any(ln.fields for ln in seg):
            out.append(seg)
        elif out and any(ln.prose and not _title_like(ln) for ln in seg):
            out[-1].extend(seg)
    return out


def _has(lines: list[_Line], family: str) -> bool:
    return any(f.family == family for ln in lines for f in ln.fields)


def _split_on_reference(seg: list[_Line]) -> list[list[_Line]]:
    out: list[list[_Line]] = []
    cur: list[_Line] = []
    for ln in seg:
        if _has([ln], "reference") and _has(cur, "reference"):
            # lines just above the new Reference that belong to the next report: headings, title lines,
            # blanks, and fields the current report already has (a second Agency or Date)
            cut = len(cur)
            while cut > 0:
                prev = cur[cut - 1]
                if prev.fields:
                    fams = {f.family for f in prev.fields}
                    if "reference" in fams or not all(_has(cur[: cut - 1], fm) for fm in fams):
                        break
                elif not (_title_like(prev) or not (prev.prose or "").strip()):
                    break
                cut -= 1
            out.append(cur[:cut])
            cur = cur[cut:]
        cur.append(ln)
    out.append(cur)
    return [s for s in out if s]
