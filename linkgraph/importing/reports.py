"""Structured intelligence reports (.docx, .md, .txt) -> one DataFrame row per report.

A report is a form of labelled fields (Reference, Subject, Date, grading, handling, source type, source
reference, agency) plus free text. Labels are matched case-insensitively with common aliases ("Ref",
"Report No.", "URN", ...); in a .docx they may sit in a table (label cell, value cell) or in "Label: value"
paragraphs; in Markdown, in "**Label:** value" lines, list items or a pipe table. A file may hold several
reports, separated by a rule line (`---`, `***`, `___`, or a bordered empty paragraph in Word) or simply by a
second "Reference:" field.

Output columns (COLUMNS, in this order); empty values are None, list columns are python lists:
  reference, subject, agency, source_reference  text as written (one line)
  date              ISO date at the precision given ("2024-03-29", "2024-03"); the date of information when the
                    report has one, else the date of the report; the text as written when it is not a date
  grading_system    'admiralty' | 'uk-3x5x2' | 'uk-5x5x5' | None;  grade_raw: the grade as written
  reliability, credibility   Admiralty A-F / 1-6 (int); filled for Admiralty and UK 5x5x5 (whose source A-E
                    and intelligence 1-5 are the Admiralty scales), never for UK 3x5x2
  uk_source, uk_intelligence, uk_handling   the parts of a UK grade (3x5x2: '2','B','C'; 5x5x5: 'B','2','3')
  handling          most restrictive of: Handling fields, TLP markings (TLP:CLEAR/GREEN/AMBER/AMBER+STRICT/RED,
                    TLP:WHITE read as TLP:CLEAR), the UK grade's handling part, and markings on the file's
                    header or a Word page header/footer (which cover every report in the file)
  source_type       informant | undercover | technical | open source | witness | public | officer |
                    partner agency | document, else the text as written
  narrative         the free text (unlabelled lines and Narrative/Details fields), markup kept as written
  phones (E.164), emails, passports, plates ('KCA123X'), vessels ('IMO9321483'), awbs ('176-12345675'):
                    linkgraph.normalize.identifiers.extract_identifiers; national phone formats are read in the
                    agency's country, else the country whose ISO code heads the reference ("TZ-...")
  species           accepted scientific names of checklist taxa the text names (scientific names, synonyms,
                    common names in six languages, commodity words), longest phrase first, via normalize_species
  persons           a Persons field, a Subject made only of names, names after "named", "called", "alias",
                    "aka", "known as" (conservative); display form from normalize_person_name
  organizations     names with a legal or trade suffix (Ltd, Co., Sdn Bhd, SARL, Trading, ...) or a legal
                    prefix (Công ty TNHH, SARL, Ets); display form from normalize_org_name
  locations         ISO 3166 alpha-2 codes of the countries named (any language normalize_country knows)
  report_index      1-based position in the file
  line              where the report starts: line number (.md/.txt) or paragraph number (.docx, each table row
                    counted as one paragraph)
The list columns are found in the subject, the Persons field and the narrative (not in references, agency or
source fields, so a sanitised source reference never becomes an entity).

Bad input raises LinkgraphError with one line naming the file and, for a report, its number and line.
Text is data: nothing is evaluated or rendered; markup is only stripped to find labels.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from linkgraph import grading
from linkgraph.errors import LinkgraphError
from linkgraph.handling import most_restrictive
from linkgraph.safezip import DOCUMENT, SafeZip

COLUMNS = [
    "reference",
    "subject",
    "date",
    "agency",
    "grading_system",
    "grade_raw",
    "reliability",
    "credibility",
    "uk_source",
    "uk_intelligence",
    "uk_handling",
    "handling",
    "source_type",
    "source_reference",
    "narrative",
    "phones",
    "emails",
    "passports",
    "plates",
    "vessels",
    "awbs",
    "species",
    "persons",
    "organizations",
    "locations",
    "report_index",
    "line",
]
LIST_COLUMNS = [
    "phones",
    "emails",
    "passports",
    "plates",
    "vessels",
    "awbs",
    "species",
    "persons",
    "organizations",
    "locations",
]
SUFFIXES = {".docx", ".md", ".txt"}

MAX_REPORT_BYTES = 1_000_000  # one report's text, UTF-8
MAX_FILE_BYTES = 200 * 1024 * 1024  # a text file, or a .docx's uncompressed parts (zip-bomb guard)
MAX_FIELD_CHARS = 2_000  # any single field other than the narrative

# --- labels --------------------------------------------------------------------------------------------------
_ALIASES: dict[str, list[str]] = {
    "reference": [
        "reference",
        "ref",
        "ref no",
        "reference no",
        "reference number",
        "report no",
        "report number",
        "report ref",
        "report reference",
        "report id",
        "urn",
        "unique reference number",
        "intel ref",
        "intelligence ref",
        "intelligence reference",
        "intelligence report no",
        "intelligence report number",
        "intelligence report ref",
        "log no",
        "log number",
        "serial",
        "serial no",
        "serial number",
        "our ref",
    ],
    "subject": ["subject", "re", "subject matter", "subject of report", "topic"],
    "persons": [
        "persons",
        "person",
        "persons of interest",
        "person of interest",
        "poi",
        "subjects",
        "nominals",
        "nominal",
        "names",
        "named persons",
        "persons named",
        "persons involved",
        "individuals",
        "suspects",
        "suspect",
        "people",
        "subject persons",
        "targets",
        "target",
    ],
    "date_report": [
        "date",
        "date of report",
        "report date",
        "date reported",
        "date recorded",
        "date of recording",
        "date submitted",
        "date of submission",
        "date written",
        "dated",
        "date time",
        "date and time",
    ],
    "date_info": [
        "date of information",
        "information date",
        "date of intelligence",
        "intelligence date",
        "date obtained",
        "date information obtained",
        "date of event",
        "event date",
        "date of incident",
        "incident date",
        "date of activity",
        "date of observation",
    ],
    "grading": [
        "grading",
        "grade",
        "evaluation",
        "source grading",
        "intelligence grading",
        "intel grading",
        "grading code",
        "evaluation code",
        "source and information",
        "source and intelligence",
        "admiralty",
        "admiralty code",
        "admiralty grading",
        "admiralty rating",
        "admiralty grade",
        "nato",
        "nato code",
        "nato grading",
        "6x6",
        "6x6 grading",
        "3x5x2",
        "5x5x5",
    ],
    "src": [
        "source",
        "source reliability",
        "reliability",
        "source grade",
        "source evaluation",
        "evaluation of source",
        "source assessment",
        "source rating",
        "reliability of source",
    ],
    "info": [
        "information",
        "intelligence",
        "information credibility",
        "credibility",
        "information grade",
        "intelligence grade",
        "intelligence evaluation",
        "information evaluation",
        "evaluation of information",
        "information assessment",
        "intelligence assessment",
        "information rating",
        "credibility of information",
        "validity",
    ],
    "handling": [
        "handling",
        "handling code",
        "handling codes",
        "handling instructions",
        "handling instruction",
        "handling condition",
        "handling conditions",
        "dissemination",
        "dissemination code",
        "dissemination codes",
        "tlp",
        "traffic light protocol",
        "sharing",
    ],
    "source_type": [
        "source type",
        "type of source",
        "source category",
        "category of source",
        "source kind",
        "collection method",
        "method of collection",
        "source description",
    ],
    "source_reference": [
        "source reference",
        "source ref",
        "source no",
        "source number",
        "source id",
        "source identifier",
        "source urn",
        "chis ref",
        "chis reference",
        "chis no",
        "chis number",
        "chis urn",
        "informant ref",
        "informant reference",
        "informant no",
        "informant number",
        "informant id",
    ],
    "agency": [
        "agency",
        "originating agency",
        "reporting agency",
        "submitting agency",
        "originator",
        "originating organisation",
        "originating organization",
        "organisation",
        "organization",
        "unit",
        "originating unit",
        "reporting unit",
        "force",
        "department",
        "from",
    ],
    "narrative": [
        "narrative",
        "details",
        "detail",
        "report",
        "report text",
        "report details",
        "intelligence text",
        "information text",
        "intelligence details",
        "details of intelligence",
        "information details",
        "summary",
        "synopsis",
        "text",
        "body",
        "content",
        "description",
    ],
}
# labels whose value is free text: never split into further "Label:" pairs
_FREE_FAMILIES = {"narrative", "subject", "persons", "agency"}


def _label_key(label: str) -> str:
    s = label.casefold().replace("&", " and ").replace("n°", "no").replace("#", " no ")
    s = re.sub(r"[^\w]+", " ", s)
    return re.sub(r"\s+", " ", s).strip()


_LABELS: dict[str, str] = {_label_key(a): fam for fam, names in _ALIASES.items() for a in names}


def _family(label: str) -> tuple[str | None, str | None]:
    """(family, system hint) of a label, or (None, None) when it is not a field label."""
    key = _label_key(label)
    if not key or len(key) > 48:
        return None, None
    short = re.sub(r" (?:no|nr|number|id)$", "", key)  # "Intel Ref #", "Reference number"
    for k in (key, short):
        if k in _LABELS and k not in grading.SYSTEM_WORDS and k not in ("admiralty code", "nato code"):
            return _LABELS[k], None
    hint = None
    words = key.split()
    for w in words:
        if w in grading.SYSTEM_WORDS:
            hint = grading.SYSTEM_WORDS[w]
    if hint is None:
        return None, None
    base = " ".join(
        w
        for w in words
        if w not in grading.SYSTEM_WORDS and w not in ("uk", "code", "grading", "grade", "rating", "system")
    )
    if not base:
        return "grading", hint
    fam = _LABELS.get(base)
    return (fam, hint) if fam in ("grading", "src", "info", "handling") else ("grading", hint)


def _alias_pattern(alias: str) -> str:
    return r"[\W_]{1,3}".join(re.escape(w) for w in alias.split()) + r"\.?"


# "Label:" inside a line, for forms that put several fields on one line ("Source: B  Information: 2"), with
# the label's own Markdown emphasis ("**Source:** B  **Information:** 2", "__Information__: 2")
_INNER_LABEL_RE = re.compile(
    r"(?i)(?:(?<=[\s|;,])|^)(?:[*_]{1,3}[ \t]*)?(?P<label>"
    + "|".join(
        sorted(
            (
                _alias_pattern(a)
                for fam, names in _ALIASES.items()
                if fam not in _FREE_FAMILIES
                for a in names
                if a != "tlp"
            ),
            key=len,
            reverse=True,
        )
    )
    + r"|(?:uk\s*)?(?:3x5x2|5x5x5)(?:\s*(?:grading|grade|code))?)\s*[*_]{0,3}\s*[)\]]?\s*[:：][*_]{0,3}"
)
_LEAD_LABEL_RE = re.compile(r"^(?P<label>[^\W_][^:：\t]{0,60}?)\s*[)\]]?\s*(?:[:：]|\t+)[ \t]*(?P<value>.*)$", re.S)
_RULE_RE = re.compile(r"^\s*(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,})$")
_MD_TABLE_SEP_RE = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_MD_PREFIX_RE = re.compile(r"^\s*(?:>\s*)*(?:#{1,6}\s+|[-*+•]\s+|\d{1,3}[.)]\s+)?")
_TLP_RE = re.compile(r"(?i)\bTLP\s*[:：]?\s*(CLEAR|WHITE|GREEN|AMBER\s*\+\s*STRICT|AMBER|RED)\b")
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


# --- reading -------------------------------------------------------------------------------------------------
def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).translate(_SPACES)
    return _CTRL_RE.sub("", text).rstrip()


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:4096]:
        raise LinkgraphError(f"{name}: not a text file (binary content)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 1 << 20]).best()
        enc = best.encoding if best is not None else "cp1252"
    except Exception:  # a detection failure still leaves a safe fallback
        enc = "cp1252"
    return data.decode(enc, errors="replace")


def _safe_name(path: Path) -> str:
    """The file's name for a one-line message (a name may hold any character but '/')."""
    return re.sub(r"[\x00-\x1f\x7f\u2028\u2029\x85]", "?", path.name)


def _text_lines(path: Path) -> list[_Line]:
    data = path.read_bytes()
    text = _decode(data, _safe_name(path))
    # numbered as an editor numbers them: only CR, LF and CRLF end a line
    if text.endswith(("\r\n", "\n", "\r")):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    lines = [_Line(i, _clean(t)) for i, t in enumerate(re.split(r"\r\n|\r|\n", text), start=1)]
    if path.suffix.lower() == ".md":
        _drop_front_matter(lines)
    # an underlined title is a heading, not text: "===" anywhere; "---" in Markdown when the title stands alone
    # ("\nReport 2\n---" renders as a heading; in a .txt file "---" is only a rule)
    md = path.suffix.lower() == ".md"
    for k in range(1, len(lines)):
        prev, ln = lines[k - 1], lines[k]
        t = prev.text.strip()
        underline = re.fullmatch(r"\s*={3,}\s*", ln.text) or (
            md and re.fullmatch(r"\s*-{3,}\s*", ln.text) and (k < 2 or not lines[k - 2].text.strip())
        )
        if underline and t and len(t) <= 60 and t[-1] not in ".!?:;," and not _RULE_RE.match(t):
            prev.heading = True
        if re.fullmatch(r"\s*={3,}\s*", ln.text):
            ln.text = ""
    return lines


def _drop_front_matter(lines: list[_Line]) -> None:
    """YAML front matter ("---", "key: value" lines, "---") is metadata, not a report."""
    if not lines or lines[0].text.strip() != "---":
        return
    for j in range(1, min(len(lines), 200)):
        t = lines[j].text.strip()
        if t == "---":
            for ln in lines[: j + 1]:
                ln.text, ln.rule = "", False
            return
        if t and not re.match(r"^[\w-]+\s*:", t):
            return


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_lines(path: Path) -> tuple[list[_Line], list[str]]:
    """Body paragraphs and table rows in document order, and the text of page headers and footers (where
    Word documents carry their protective marking)."""
    if not zipfile.is_zipfile(path):
        raise LinkgraphError(f"{_safe_name(path)}: not a Word .docx file (not a zip archive)")
    name = _safe_name(path)
    # python-docx opens the zip itself and trusts its headers: every part is inflated within limits here first
    limits = dataclasses.replace(DOCUMENT, archive_bytes=MAX_FILE_BYTES)
    with SafeZip(path, limits, label=name) as z:
        if "word/document.xml" not in z.namelist():
            raise LinkgraphError(f"{name}: not a Word .docx file (no word/document.xml)")
        z.check()
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        document = docx.Document(str(path))
    except Exception as e:
        raise LinkgraphError(f"{name}: not a readable .docx file ({type(e).__name__})") from None
    out: list[_Line] = []
    no = 0
    body = document.element.body
    for child in body.iterchildren():
        if child.tag == _W + "p":
            no += 1
            p = Paragraph(child, document)
            style = (p.style.name if p.style is not None else "") or ""
            heading = style.lower().startswith(("heading", "title"))
            text = _clean(p.text)
            rule = not text.strip() and child.find(f"{_W}pPr/{_W}pBdr/{_W}bottom") is not None
            parts = text.split("\n") if text else [""]
            for part in parts:
                out.append(_Line(no, part, heading=heading, rule=rule))
        elif child.tag == _W + "tbl":
            for row in Table(child, document).rows:
                no += 1
                cells, seen = [], set()
                for c in row.cells:
                    if id(c._tc) in seen:  # a merged cell repeats in row.cells
                        continue
                    seen.add(id(c._tc))
                    cells.append(_clean("\n".join(par.text for par in c.paragraphs)).strip())
                out.extend(_table_row_lines(no, cells))
    margins: list[str] = []
    try:
        for section in document.sections:
            for part in (
                section.header,
                section.footer,
                section.first_page_header,
                section.first_page_footer,
                section.even_page_header,
                section.even_page_footer,
            ):
                if part.is_linked_to_previous:
                    continue
                margins += [par.text for par in part.paragraphs]
                margins += [c.text for t in part.tables for row in t.rows for c in row.cells]
    except Exception:  # a malformed header must not hide the body; the body's own markings still count
        pass
    return out, margins


def _table_row_lines(no: int, cells: list[str]) -> list[_Line]:
    cells = [c for c in cells]
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        return [_Line(no, "")]
    if len(cells) == 1:
        return [_Line(no, line) for line in cells[0].split("\n")]
    pairs = []
    if (
        len(cells) % 2 == 0
        and len(cells) > 2
        and all(_family(cells[i].rstrip(":："))[0] for i in range(0, len(cells), 2))
    ):
        pairs = [(cells[i], cells[i + 1]) for i in range(0, len(cells), 2)]
    else:
        pairs = [(cells[0], "\n".join(c for c in cells[1:] if c))]
    line = _Line(no, " | ".join(cells), cells=pairs)
    return [line]


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


# --- grading ---------------------------------------------------------------------------------------------------


@dataclass
class _Grade:
    system: str | None = None
    raw: str | None = None
    reliability: str | None = None
    credibility: int | None = None
    uk_source: str | None = None
    uk_intelligence: str | None = None
    uk_handling: str | None = None


def _system_for(shape: str, parts: tuple[str, ...], hint: str | None, where: str, raw: str) -> _Grade:
    g = _Grade(raw=raw)
    if (
        (hint == "uk-3x5x2" and shape != "uk3")
        or (hint in ("admiralty", "uk-5x5x5") and shape == "uk3")
        or (hint == "admiralty" and shape == "uk5")
    ):
        raise LinkgraphError(f"{where}: grade {_show(raw)} is not {grading.SYSTEM_TEXT[hint]}")
    if shape == "uk3":
        g.system = "uk-3x5x2"
        g.uk_source, g.uk_intelligence = parts[0], parts[1]
        g.uk_handling = parts[2] if len(parts) > 2 else None
        return g
    if shape == "uk5" or hint == "uk-5x5x5":
        if parts[0] not in "ABCDE" or (len(parts) > 1 and parts[1] not in "12345"):
            raise LinkgraphError(f"{where}: grade {_show(raw)} is not {grading.SYSTEM_TEXT['uk-5x5x5']}")
        g.system = "uk-5x5x5"
        g.uk_source = parts[0]
        g.uk_intelligence = parts[1] if len(parts) > 1 else None
        g.uk_handling = parts[2] if len(parts) > 2 else None
    else:
        g.system = "admiralty"
    g.reliability = parts[0]
    g.credibility = int(parts[1]) if len(parts) > 1 else None
    return g


def _grade(fields: list[_Field], handling_codes: list[str], where: str) -> _Grade:
    whole = [f for f in fields if f.family == "grading" and f.value.strip()]
    src = [f for f in fields if f.family == "src" and f.value.strip()]
    info = [f for f in fields if f.family == "info" and f.value.strip()]
    for f in whole:
        parsed = grading.scan(f.value)
        if parsed is None:
            raise LinkgraphError(f"{where}: grade {_show(f.value)} is not a grade: {grading.FORMS}")
        shape, parts, hint = parsed
        return _system_for(shape, parts, f.hint or hint, where, f.value.strip())
    for f in src + info:  # "Grading" written under a component label: "Source evaluation: B2"
        parsed = grading.scan(f.value)
        if parsed is not None and len(parsed[1]) >= 2:
            shape, parts, hint = parsed
            return _system_for(shape, parts, f.hint or hint, where, f.value.strip())
    s = grading.component(src[0].value) if src else None
    i = grading.component(info[0].value) if info else None
    if s is None and i is None:
        return _Grade()
    used = [f for f, c in ((src[0] if src else None, s), (info[0] if info else None, i)) if f and c]
    raw = "; ".join(f"{f.label}: {f.value.strip()}" for f in used)
    hint = next((f.hint for f in used if f.hint), None)
    if (s and s.isdigit()) or (i and i.isalpha()):  # source 1-3 / intelligence A-E: UK 3x5x2
        if (s and s not in "123") or (i and i not in "ABCDE"):
            raise LinkgraphError(f"{where}: grade {_show(raw)} mixes Admiralty and UK 3x5x2 scales")
        if hint in ("admiralty", "uk-5x5x5"):
            raise LinkgraphError(f"{where}: grade {_show(raw)} is a UK 3x5x2 grade, not {hint}")
        hand = next((h for h in handling_codes if h in ("P", "C")), None)
        return _Grade(system="uk-3x5x2", raw=raw, uk_source=s, uk_intelligence=i, uk_handling=hand)
    if (s and s not in "ABCDEF") or (i and i not in "123456"):
        raise LinkgraphError(f"{where}: grade {_show(raw)} is not {grading.SYSTEM_TEXT['admiralty']}")
    digit_handling = next((h for h in handling_codes if h in ("1", "2", "3", "4", "5")), None)
    if hint == "uk-5x5x5" or (digit_handling and (s or "A") in "ABCDE" and (i or "1") in "12345"):
        if (s and s not in "ABCDE") or (i and i not in "12345"):
            raise LinkgraphError(f"{where}: grade {_show(raw)} is not {grading.SYSTEM_TEXT['uk-5x5x5']}")
        return _Grade(
            system="uk-5x5x5",
            raw=raw,
            reliability=s,
            credibility=int(i) if i else None,
            uk_source=s,
            uk_intelligence=i,
            uk_handling=digit_handling,
        )
    if hint == "uk-3x5x2":
        raise LinkgraphError(f"{where}: grade {_show(raw)} is not {grading.SYSTEM_TEXT['uk-3x5x2']}")
    return _Grade(system="admiralty", raw=raw, reliability=s, credibility=int(i) if i else None)


# --- handling, source type, dates ----------------------------------------------------------------------------
def _handling(value: str) -> str | None:
    v = value.strip()
    if not v:
        return None
    m = _TLP_RE.search(v)
    if m:
        word = re.sub(r"\s+", "", m.group(1).upper())
        return "TLP:" + ("CLEAR" if word == "WHITE" else word)
    up = v.upper().strip(" .")
    if re.fullmatch(r"(CLEAR|WHITE|GREEN|AMBER\s*\+\s*STRICT|AMBER|RED)", up):
        up = re.sub(r"\s+", "", up)
        return "TLP:" + ("CLEAR" if up == "WHITE" else up)
    m = re.match(r"^([PC1-5])(?:$|[\s(\-–—:,;/])", up)
    if m:
        return m.group(1)
    low = v.lower()
    if "condition" in low:
        return "C"
    if "permitted" in low or "lawful sharing" in low:
        return "P"
    return up[:40]


_SOURCE_TYPES = [
    (
        "informant",
        r"\bchis\b|covert human|informant|informer|confidential source|human source|humint"
        r"|registered source|tasked source|\bci\b",
    ),
    ("undercover", r"undercover|\buc\b"),
    (
        "technical",
        r"technical|intercept|\bcdr\b|call data|phone analysis|telephone analysis|sigint|\banpr\b"
        r"|tracking|\bgps\b|cctv|camera|electronic|forensic|device|data extraction|download",
    ),
    ("open source", r"\bosint\b|open[\s-]?source|social media|internet|online|press|news|website|media"),
    ("witness", r"witness"),
    ("public", r"member of the public|\bpublic\b|hotline|crimestoppers|anonymous|community"),
    (
        "officer",
        r"officer|ranger|police|investigator|\bagent\b|staff|own observation|law enforcement|patrol"
        r"|surveillance",
    ),
    ("partner agency", r"partner|liaison|interpol|foreign agency|agency|customs|\bcites\b"),
    ("document", r"document|record|register|financial|bank"),
]


def _source_type(value: str) -> str | None:
    v = value.strip()
    if not v:
        return None
    low = v.lower()
    for name, rx in _SOURCE_TYPES:
        if re.search(rx, low):
            return name
    return v[:100]


def _date(value: str) -> str | None:
    v = value.strip()
    if not v:
        return None
    from linkgraph.normalize.dates import normalize_date, normalize_datetime

    d = normalize_date(v)
    if d.ok and d.value:
        return d.value
    dt = normalize_datetime(v)
    if dt.ok and dt.value:
        return dt.value[:10]
    return v


def _show(value: str, limit: int = 60) -> str:
    v = re.sub(r"\s+", " ", str(value)).strip()
    return repr(v if len(v) <= limit else v[:limit] + "…")


# --- extraction ----------------------------------------------------------------------------------------------
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


_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.U)
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
# single words never searched inside free text (a town, a surname, a beer): the checklist module's list,
# copied here because a report's narrative is not a species cell
_AMBIGUOUS_SPECIES_WORDS = {
    "papa",
    "once",
    "carey",
    "mante",
    "morse",
    "musc",
    "musk",
    "mako",
    "jaco",
    "kobe",
    "duma",
    "kasa",
    "trut",
    "chita",
    "onca",
    "buche",
    "bear",
    "bears",
    "ours",
    "hippo",
    "manta",
    "rhino",
    "tembo",
    "simba",
    "chui",
    "ndovu",
    "voi",
    "scales",
    "ecailles",
}
_SAFE_SHORT_SPECIES = {"lion", "tusk", "ngà"}
_NEGATIVE_SPECIES = {
    "mammoth",
    "mammouth",
    "mamute",
    "mamut",
    "mammut",
    "fossil",
    "fossile",
    "fossilised",
    "fossilized",
    "fake",
    "faux",
    "imitation",
    "synthetic",
    "synthetique",
    "resin",
    "resine",
    "plastic",
    "plastique",
    "warthog",
    "phacochere",
    "boar",
    "pig",
    "cattle",
    "cow",
    "ox",
    "buffalo",
    "buffle",
    "bufalo",
    "bovine",
    "goat",
    "sheep",
    "yak",
    "replica",
    "counterfeit",
}


def _tok(s: str) -> str:
    from linkgraph.normalize._common import strip_marks

    return strip_marks(s.casefold().replace("'", ""))


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(folded, casefolded-with-marks, start, end) for each word of the text."""
    out = []
    for m in _TOKEN_RE.finditer(text.replace("\u2019", "'")):
        w = m.group(0)
        out.append((_tok(w), w.casefold().replace("'", ""), m.start(), m.end()))
    return out


@functools.lru_cache(maxsize=1)
def _species_index() -> tuple[dict[tuple[str, ...], tuple[frozenset | None, bool]], list[str], int]:
    """Checklist names as folded token tuples -> (exact spellings a one-word name needs, or None; whether
    it must be capitalised), the CJK names, and the longest phrase in tokens."""
    import csv

    from linkgraph.normalize import species as sp

    path = Path(sp.__file__).resolve().parent.parent / "data" / "species.csv"
    index: dict[tuple[str, ...], tuple[frozenset | None, bool]] = {}
    cjk: set[str] = set()

    def put(key, exact, capital):
        old = index.get(key)
        if old is None:
            index[key] = (exact, capital)
        else:  # the laxest of two spellings of one key wins
            ex = None if old[0] is None or exact is None else old[0] | exact
            index[key] = (ex, old[1] and capital)

    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            scientific = [row.get("accepted_name") or "", *(row.get("synonyms") or "").split("|")]
            other = [*(row.get("commodities") or "").split("|")]
            other += [n for k, v in row.items() if k and k.startswith("common_") for n in (v or "").split("|")]
            for name, is_sci in [(n, True) for n in scientific] + [(n, False) for n in other]:
                name = name.strip()
                if not name:
                    continue
                if _CJK_RE.search(name):
                    if len(name) >= 2:
                        cjk.add(name)
                    continue
                toks = _tokens(name)
                if not toks:
                    continue
                key = tuple(t[0] for t in toks)
                if len(toks) > 1:
                    put(key, None, False)
                    continue
                folded, exact = toks[0][0], toks[0][1]
                if not (exact in _SAFE_SHORT_SPECIES or (len(folded) >= 5 and folded not in _AMBIGUOUS_SPECIES_WORDS)):
                    continue
                # a one-word name with diacritics must keep them ("hổ" tiger, "hồ" lake); a one-word
                # scientific name (a genus, a family) must be capitalised ("Manis", not Malay "manis")
                put(key, frozenset([exact]) if exact != folded else None, is_sci)
    return index, sorted(cjk, key=len, reverse=True), max((len(k) for k in index), default=1)


def _species(text: str) -> list[str]:
    """Accepted names of the checklist taxa the text mentions, in order of first mention."""
    from linkgraph.normalize.species import normalize_species

    index, cjk, longest = _species_index()
    toks = _tokens(text)
    folded = [t[0] for t in toks]
    # "Ivory Coast", "Côte d'Ivoire" name a country, not a commodity
    for i in range(len(folded)):
        if (folded[i] == "ivory" and i + 1 < len(folded) and folded[i + 1] == "coast") or (
            folded[i] in ("divoire", "ivoire") and i and folded[i - 1] in ("d", "cote")
        ):
            folded[i] = "\x00"
    out: list[str] = []

    def add(phrase: str) -> None:
        r = normalize_species(phrase)
        if r.ok and r.value and not (r.matched_on or "").startswith("fuzzy") and r.value not in out:
            out.append(r.value)

    i = 0
    while i < len(toks):
        for n in range(min(longest, len(toks) - i), 0, -1):
            entry = index.get(tuple(folded[i : i + n]))
            if entry is None:
                continue
            exact, capital = entry
            if n == 1 and exact is not None and toks[i][1] not in exact:
                continue
            if n == 1 and capital and not text[toks[i][2]].isupper():
                continue
            if not any(f in _NEGATIVE_SPECIES for f in folded[max(0, i - 2) : i + n]):
                add(text[toks[i][2] : toks[i + n - 1][3]])
            i += n
            break
        else:
            i += 1
    if cjk and _CJK_RE.search(text):
        for name in cjk:
            if name in text:
                add(name)
    return out


# persons
_PARTICLES = {
    "bin",
    "binti",
    "ibn",
    "van",
    "von",
    "de",
    "da",
    "di",
    "del",
    "della",
    "dos",
    "das",
    "du",
    "al",
    "el",
    "la",
    "le",
    "ben",
    "wa",
    "thi",
    "văn",
    "ter",
    "den",
    "der",
    "y",
}
_NOT_NAME_WORDS = set(
    """the a an this that these those he she they it his her their its on in at by for from to of
and or but with via report reports intelligence information source sources subject network networks ivory
pangolin pangolins scale scales rhino horn horns tusk tusks trafficking smuggling shipment shipments seizure
seizures consignment consignments container containers port ports airport wildlife syndicate group gang
activity activities operation update trade trader traders dealer dealers courier couriers meeting
investigation case unknown male female man woman men women vessel ship truck lorry vehicle car police
customs service services unit agency authority ministry department office station market road street city
town village region province county district national international file document photo image""".split()
)
_CONTEXT_NOT_PERSON = re.compile(
    r"(?i)\b(?:vessel|ship|boat|dhow|mv|company|firm|business|shop|store|hotel|lodge|vehicle|truck|lorry|car"
    r"|village|town|city|place|street|road|area|market|port|group|syndicate|network|operation|account|page"
    r"|app|website|channel|warehouse|godown|farm|camp|estate|file|folder|document|photo|image|video|chat)"
    r"\W+(?:\w+\W+){0,1}$"
)
_CUE_RE = re.compile(
    r"(?i)\b(?:named|called|alias|aka|a\.k\.a\.?|known\s+as|nicknamed|identified\s+as"
    r"|by\s+the\s+name\s+(?:of\s+)?)\s+"
)
_QUOTES = "\"'“”‘’«»"
_PRONOUNS = {
    "i",
    "we",
    "you",
    "he",
    "she",
    "they",
    "it",
    "who",
    "and",
    "then",
    "also",
    "had",
    "has",
    "have",
    "was",
    "were",
    "is",
    "are",
    "be",
    "been",
    "being",
    "not",
    "never",
    "later",
    "repeatedly",
    "often",
}


def _name_tokens_after(text: str, pos: int) -> str | None:
    toks = []
    for m in re.finditer(r"\S+", text[pos : pos + 200]):
        tok = m.group(0)
        core = tok.strip(_QUOTES + ".,;:()[]!?")
        if not core or (toks and tok[0] in "([{"):
            break
        low = core.lower()
        if core[0].isupper() and any(c.isalpha() for c in core) and low not in _NOT_NAME_WORDS and not core.isdigit():
            toks.append(core)
        elif toks and low in _PARTICLES:
            toks.append(core)
        else:
            break
        if len(toks) >= 4 or re.search(r"[.,;:()\[\]!?\"”’»]$", tok) and not re.fullmatch(r"[A-Z]\.", tok):
            break
    while toks and toks[-1].lower() in _PARTICLES:
        toks.pop()
    return " ".join(toks) or None


def _looks_like_name(text: str, min_tokens: int) -> bool:
    toks = text.split()
    if not (min_tokens <= len(toks) <= 5):
        return False
    for t in toks:
        low = t.lower().strip(".")
        if low in _PARTICLES and len(toks) > 1:
            continue
        if low in _NOT_NAME_WORDS or not t[0].isupper() or any(c.isdigit() for c in t):
            return False
        if not all(c.isalpha() or c in "'’-" for c in t.rstrip(".")):
            return False
    return True


def _person_value(raw: str) -> str | None:
    from linkgraph.normalize.names import normalize_person_name

    v = normalize_person_name(raw)
    if v is None or not getattr(v, "key", None):
        return None
    return v.value


def _persons(persons_field: list[str], subject: str | None, narrative: str, orgs: list[str]) -> list[str]:
    found: list[str] = []

    def add(name: str | None, min_tokens: int, check: str | None = None) -> None:
        if not name:
            return
        name = re.sub(r"\s+", " ", name).strip(_QUOTES + " .,;:-")
        check = check or name
        if (
            not _looks_like_name(check, min_tokens)
            or _country_code(check)
            or _is_org(check)
            or any(check in o for o in orgs)
        ):
            return
        value = _person_value(name)
        if value and value not in found:
            found.append(value)

    for text in persons_field:
        for part in re.split(r"[;\n]|\s+and\s+|\s*•\s*", text):
            part = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", part)
            part = re.split(r"\s+[-–—]\s+|:", part)[0].strip()
            m = re.fullmatch(r"([A-ZÀ-Ý][A-ZÀ-Ý'’-]+),\s*(\S.*)", part.strip())  # "MWANGI, John"
            if m:
                add(part, 1, check=m.group(2) + " " + m.group(1))
                continue
            for piece in part.split(","):
                add(piece, 1)
    if subject:  # only a subject that is nothing but names ("Juma BAKARI; Amina SALIM")
        parts = [p.strip() for p in re.split(r"[;/,&]|\s+and\s+", re.sub(r"\([^)]*\)", " ", subject))]
        parts = [p for p in parts if p]
        if parts and all(_looks_like_name(p, 2) for p in parts):
            for part in parts:
                add(part, 2)
    for m in _CUE_RE.finditer(narrative):
        before = narrative[max(0, m.start() - 40) : m.start()]
        if _CONTEXT_NOT_PERSON.search(before):
            continue
        if m.group(0).split()[0].lower() in ("called", "named"):
            # "a trader called X", not "We called X" / "Ruto called X" (the verb)
            prev = re.findall(r"[^\W\d_]+", before)
            if not prev or not prev[-1].islower() or prev[-1] in _PRONOUNS:
                continue
        name = _name_tokens_after(narrative, m.end())
        if name and not re.match(r"(?i)^(?:mv|mt|m/v|ms)\b", name):
            add(name, 1)
    return found


# organisations
_ORG_SUFFIX_RE = re.compile(
    r"(?<![\w])(?:(?:Trading|Import[\s-]Export|Imp[\s-]Exp)\s+)?"
    r"(?:Co\.?,?\s*Ltd\.?|Company\s+(?:Limited|Ltd\.?)|Pte\.?\s+Ltd\.?|Pvt\.?\s+Ltd\.?|\(T\)\s+Ltd\.?"
    r"|Ltd\.?|Limited|Sdn\.?\s*Bhd\.?|Bhd\.?|S\.?A\.?R\.?L\.?|SARL|LLC|L\.L\.C\.|Inc\.?|Corp\.?|Corporation"
    r"|PLC|Plc|GmbH|B\.V\.|JSC|Co\.|Company|Trading|Enterprises|Holdings|Logistics|Agencies|Import[\s-]Export)"
    r"(?![\w])"
)
_ORG_PREFIX_RE = re.compile(
    r"(?<![\w])(?:Công\s+ty\s+(?:TNHH|CP|Cổ\s+phần)(?:\s+MTV)?|Cty\s+(?:TNHH|CP)|SARL"
    r"|Ets\.?|Établissements)(?=\s)"
)
_ORG_JOIN = {"&", "and", "de", "du", "des", "of", "et", "-"}
_SENTENCE_WORDS = set(
    """yesterday today tomorrow then later also however meanwhile furthermore moreover
subsequently previously recently currently reportedly allegedly according while when where after before during
since although if once both either neither another each every some any all our your my we i you us""".split()
)


def _is_org(text: str) -> bool:
    return bool(_ORG_SUFFIX_RE.search(text) or _ORG_PREFIX_RE.search(text))


def _org_value(name: str) -> str | None:
    from linkgraph.normalize.orgs import normalize_org_name

    r = normalize_org_name(name)
    return r.value if r.ok and r.value else None


def _organizations(text: str) -> list[str]:
    """Names ending in a legal or trade suffix ("... Sdn Bhd", "... Trading Co., Ltd") or opening with a
    legal prefix ("Công ty TNHH ...", "SARL ...")."""
    spans: list[tuple[int, int]] = []
    prev_end = 0
    for m in _ORG_SUFFIX_RE.finditer(text):
        offset = max(prev_end, m.start() - 120)
        prev_end = m.end()
        words = list(re.finditer(r"\S+", text[offset : m.start()]))
        kept: list[re.Match] = []
        for w in reversed(words):
            tok = w.group(0)
            core = tok.strip(_QUOTES + "()[]")
            if not core or (re.search(r"[.;:!?,)\]]$", tok) and not re.fullmatch(r"(?:[A-Z]\.)+|&", tok)):
                break
            if core[0].isupper() or core[0].isdigit() or (core.lower() in _ORG_JOIN and kept):
                kept.insert(0, w)
                if len(kept) >= 6:
                    break
            else:
                break
        for j in range(len(kept) - 1, 0, -1):  # "Yesterday The Ocean Star Trading Co." -> "Ocean Star ..."
            if kept[j].group(0) == "The":
                kept = kept[j + 1 :]
                break
        while kept and (
            kept[0].group(0).lower() in _ORG_JOIN
            or kept[0].group(0).strip(_QUOTES).lower() in _NOT_NAME_WORDS | _SENTENCE_WORDS
        ):
            kept.pop(0)
        if kept:
            spans.append((offset + kept[0].start(), m.end()))
    for m in _ORG_PREFIX_RE.finditer(text):
        end, n = m.end(), 0
        for w in re.finditer(r"\S+", text[m.end() : m.end() + 150]):
            core = w.group(0).strip(_QUOTES + "()[],.;:")
            if core.lower() in _ORG_JOIN and n:
                continue
            if not core or n >= 6 or not (core[0].isupper() or core[0].isdigit() or not core.isascii()):
                break
            end, n = m.end() + w.start() + len(w.group(0).rstrip(_QUOTES + ")],.;:")), n + 1
            if re.search(r"[,.;:)\]]$", w.group(0)):
                break
        if n:
            spans.append((m.start(), end))
    out: list[str] = []
    # a span inside a longer one ("Trading Co." within "Tân Cảng Seafood Trading Co., Ltd") is the same name
    kept, reach = [], -1
    for a, b in sorted(set(spans), key=lambda x: (x[0], -x[1])):
        if b > reach:
            kept.append((a, b))
            reach = b
    for a, b in kept:
        name = re.sub(r"\s+", " ", text[a:b]).strip(" ,;:")
        # "... Sdn Bhd." at the end of a sentence: the full stop is the sentence's ("Co." keeps its own)
        if (
            name.endswith(".")
            and not re.search(r"(?:\bCo|\bInc|\bCorp|\b[A-Z])\.$", name)
            and re.match(r"\s*(?:$|[A-Z\u00C0-\u1EF9])", text[b : b + 3])
        ):
            name = name[:-1]
        value = _org_value(name)
        if value and value not in out:
            out.append(value)
    return out


# countries
_CAPS_COUNTRIES = {"UK", "U.K.", "USA", "U.S.A.", "UAE", "U.A.E.", "DRC", "PRC", "HKSAR", "DPRK", "RDC"}
_FIRST_NAME_COUNTRIES = {"jordan", "chad", "georgia", "israel"}
_CAP_TOKEN_RE = re.compile(r"[^\W\d_][\w'’.-]*", re.U)


@functools.lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """Every folded word of a country name the normaliser knows (pycountry's names and translations, its
    aliases): a phrase with any other word is not looked up, which keeps long narratives fast."""
    import gettext

    import pycountry

    from linkgraph.normalize import countries as cmod
    from linkgraph.normalize._common import fold_ascii

    names: list[str] = list(_CAPS_COUNTRIES)
    attrs = ("name", "common_name", "official_name")
    for c in pycountry.countries:
        names += [getattr(c, a) for a in attrs if getattr(c, a, None)]
    locales = getattr(
        cmod, "_LOCALES", ("fr", "pt", "pt_BR", "es", "de", "sw", "vi", "zh_CN", "zh_TW", "it", "nl", "id")
    )
    for loc in locales:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[loc])
        except OSError:
            continue
        for c in pycountry.countries:
            names += [tr.gettext(getattr(c, a)) for a in attrs if getattr(c, a, None)]
    names += list(getattr(cmod, "_ALIASES", {}))
    return frozenset(w for n in names for w in fold_ascii(n).split())


@functools.lru_cache(maxsize=65_536)
def _country_code(phrase: str) -> str | None:
    from linkgraph.normalize.countries import normalize_country

    p = phrase.strip(" .,'’")
    if len(p) <= 3 or p.isupper():
        if p not in _CAPS_COUNTRIES:
            return None
    r = normalize_country(p)
    if not r.ok or not r.value:
        return None
    note = (r.note or "").lower()
    if any(w in note for w in ("fuzzy", "part of", "several", "numeric", "former", "legacy", "cites")):
        return None
    return r.value


def _locations(text: str) -> list[str]:
    from linkgraph.normalize._common import fold_ascii

    known = _country_words()
    out: list[str] = []
    # runs of words without sentence punctuation; a country name is at most five words
    for chunk in re.split(r"[\n.;:!?()\[\]\"“”,/]+", text):
        words = list(_CAP_TOKEN_RE.finditer(chunk))
        usable = [all(p in known for p in fold_ascii(w.group(0)).split()) for w in words]
        i = 0
        while i < len(words):
            w = words[i].group(0)
            if not w[0].isupper() or not usable[i]:
                i += 1
                continue
            span = 1
            while span < 5 and i + span < len(words) and usable[i + span]:
                span += 1
            for n in range(span, 0, -1):
                phrase = chunk[words[i].start() : words[i + n - 1].end()]
                code = _country_code(phrase)
                if code:
                    nxt = words[i + n].group(0) if i + n < len(words) else ""
                    if n == 1 and phrase.lower() in _FIRST_NAME_COUNTRIES and nxt[:1].isupper():
                        code = None
                if code:
                    if code not in out:
                        out.append(code)
                    i += n
                    break
            else:
                i += 1
    return out


# --- assembling a report -------------------------------------------------------------------------------------
def _first(fields: list[_Field], family: str) -> _Field | None:
    return next((f for f in fields if f.family == family and f.value.strip()), None)


def _one_line(value: str) -> str:
    return re.sub(r"\s+", " ", value).strip()


def _build(seg: list[_Line], index: int, name: str, file_handling: list[str]) -> dict:
    start = next((ln.no for ln in seg if ln.text.strip() or ln.fields), seg[0].no)
    where = (
        f"{name}: report {index} (line {start})"
        if not name.lower().endswith(".docx")
        else f"{name}: report {index} (paragraph {start})"
    )
    size = sum(len(ln.text.encode("utf-8")) + 1 for ln in seg)
    if size > MAX_REPORT_BYTES:
        raise LinkgraphError(
            f"{where}: report text is {size:,} bytes, over the {MAX_REPORT_BYTES:,}-byte limit per report"
        )
    fields: list[_Field] = []
    narrative: list[str] = []
    persons_field: list[str] = []
    seen_field = False
    pending_empty: _Field | None = None
    for ln in seg:
        if ln.fields:
            seen_field = True
            pending_empty = None
            for f in ln.fields:
                if f.family in ("src", "info") and not grading.scan(f.value) and grading.component(f.value) is None:
                    # "Source: a member of the public", "Information: the source saw..."
                    f = _Field("source_type" if f.family == "src" else "narrative", f.label, f.value)
                if f.family == "narrative":
                    if f.value.strip():
                        narrative.append(f.value.strip())
                    continue
                if f.family == "persons":
                    persons_field.append(f.value)
                fields.append(f)
                if not f.value.strip() and f.family != "persons":
                    pending_empty = f
            continue
        if ln.prose is None:
            if narrative and narrative[-1] != "":
                narrative.append("")
            continue
        if not seen_field and _title_like(ln):
            continue
        if pending_empty is not None:  # "Subject:" with its value on the next line
            f, pending_empty = pending_empty, None
            f.value = ln.prose
            if f.family == "info" and not grading.scan(f.value) and grading.component(f.value) is None:
                f.family = "narrative"
                narrative.append(ln.prose)
            continue
        narrative.append(ln.prose)
    text_narrative = "\n".join(narrative).strip()
    text_narrative = re.sub(r"\n{3,}", "\n\n", text_narrative)

    ref = _first(fields, "reference")
    if ref is None:
        raise LinkgraphError(f"{where}: no reference (expected a 'Reference:' field)")
    for f in fields:
        if len(f.value) > MAX_FIELD_CHARS:
            raise LinkgraphError(f"{where}: field {_show(f.label)} is over {MAX_FIELD_CHARS:,} characters")
    reference = _one_line(ref.value)
    if len(reference) > 200:
        raise LinkgraphError(f"{where}: reference {_show(reference)} is over 200 characters")

    handling_codes = [h for h in (_handling(f.value) for f in fields if f.family == "handling") if h]
    handling_codes += [c for c in (_handling("TLP:" + w) for ln in seg for w in _TLP_RE.findall(ln.text)) if c]
    handling_codes += file_handling
    grade = _grade(fields, handling_codes, where)
    if grade.uk_handling:
        handling_codes.append(grade.uk_handling)

    st = _first(fields, "source_type") or next(
        (
            f
            for f in fields
            if f.family == "src"
            and f.value.strip()
            and grading.component(f.value) is None
            and not grading.scan(f.value)
        ),
        None,
    )
    sref = _first(fields, "source_reference")
    source_reference = _one_line(sref.value) if sref else None
    if st is not None and source_reference is None:
        m = re.search(r"\b[A-Z0-9][A-Z0-9/_-]*\d[A-Z0-9/_-]*\b", st.value)
        source_reference = m.group(0) if m else None
    date_f = _first(fields, "date_info") or _first(fields, "date_report")
    subj = _first(fields, "subject")
    agency = _first(fields, "agency")
    subject = _one_line(subj.value) if subj else None

    scan = "\n".join([subject or "", *persons_field, text_narrative])
    ids = _identifiers(scan, _region(agency.value if agency else None, reference))
    orgs = _organizations(scan)
    locations = _locations(scan)
    row = {
        "reference": reference,
        "subject": subject,
        "date": _date(_one_line(date_f.value)) if date_f else None,
        "agency": _one_line(agency.value) if agency else None,
        "grading_system": grade.system,
        "grade_raw": grade.raw,
        "reliability": grade.reliability,
        "credibility": grade.credibility,
        "uk_source": grade.uk_source,
        "uk_intelligence": grade.uk_intelligence,
        "uk_handling": grade.uk_handling,
        "handling": most_restrictive(handling_codes),
        "source_type": _source_type(st.value) if st else None,
        "source_reference": source_reference,
        "narrative": text_narrative or None,
        **ids,
        "species": _species(scan),
        "persons": _persons(persons_field, subject, text_narrative, orgs),
        "organizations": orgs,
        "locations": locations,
        "report_index": index,
        "line": start,
    }
    return row


def read_report(path: str | Path) -> pd.DataFrame:
    """One row per intelligence report in a .docx, .md or .txt file; columns as in COLUMNS."""
    path = Path(path)
    name = _safe_name(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise LinkgraphError(f"{name}: not a report file (read: .docx, .md, .txt)")
    try:
        size = path.stat().st_size
    except OSError as e:
        raise LinkgraphError(f"{name}: cannot read ({e.strerror or type(e).__name__})") from None
    if size == 0:
        raise LinkgraphError(f"{name}: empty file")
    if size > MAX_FILE_BYTES:
        raise LinkgraphError(f"{name}: {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for a report file")
    margins: list[str] = []
    if suffix == ".docx":
        lines, margins = _docx_lines(path)
    else:
        lines = _text_lines(path)
    for ln in lines:
        _parse_line(ln)
    if not any(ln.text.strip() or ln.fields for ln in lines):
        raise LinkgraphError(f"{name}: empty file (no text)")
    segments = _segments(lines)
    if not segments:
        raise LinkgraphError(f"{name}: no report found (expected fields such as 'Reference:' and 'Subject:')")
    # a marking above the first report ("TLP:AMBER" under the file's title) covers every report in the file
    file_handling = [c for c in (_handling("TLP:" + w) for t in margins for w in _TLP_RE.findall(t)) if c]
    for ln in lines:
        if any(f.family != "handling" for f in ln.fields):
            break
        file_handling += [c for c in (_handling(f.value) for f in ln.fields) if c]
        file_handling += [c for c in (_handling("TLP:" + w) for w in _TLP_RE.findall(ln.text)) if c]
    rows = [_build(seg, i, name, file_handling) for i, seg in enumerate(segments, start=1)]
    df = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    return df.astype({"report_index": "int64", "line": "int64"})
