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

The package, one module a step: the readers (`text` for .md/.txt, `word` for .docx) hand on numbered lines
(`lines`); `labels` names each field's family, `layout` finds each line's fields and splits the file into
reports; `fields` parses grades, handling, source types and dates; `narrative` separates a report's body from
its fields; `identifiers`, `species`, `names` and `places` extract what the text mentions; `assemble` makes a
report's row of the import frame.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.importing.reports.assemble import _build, _file_handling
from linkgraph.importing.reports.fields import source_type
from linkgraph.importing.reports.layout import _parse_line, _segments
from linkgraph.importing.reports.lines import Limits, _safe_name
from linkgraph.importing.reports.text import _text_lines
from linkgraph.importing.reports.word import _docx_lines

__all__ = [
    "COLUMNS",
    "LIST_COLUMNS",
    "MAX_FIELD_CHARS",
    "MAX_FILE_BYTES",
    "MAX_REPORT_BYTES",
    "SUFFIXES",
    "read_report",
    "source_type",
]

LIST_COLUMNS = ["phones", "emails", "passports", "plates", "vessels", "awbs"]
LIST_COLUMNS += ["species", "persons", "organizations", "locations"]
COLUMNS = ["reference", "subject", "date", "agency"]
COLUMNS += ["grading_system", "grade_raw", "reliability", "credibility", "uk_source", "uk_intelligence", "uk_handling"]
COLUMNS += ["handling", "source_type", "source_reference", "narrative", *LIST_COLUMNS, "report_index", "line"]
SUFFIXES = {".docx", ".md", ".txt"}

MAX_REPORT_BYTES = 1_000_000  # one report's text, UTF-8
MAX_FILE_BYTES = 200 * 1024 * 1024  # a text file, or a .docx's uncompressed parts (zip-bomb guard)
MAX_FIELD_CHARS = 2_000  # any single field other than the narrative


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
    # the limits are read here, at each call, so that they can be changed on this module
    limits = Limits(MAX_FILE_BYTES, MAX_REPORT_BYTES, MAX_FIELD_CHARS)
    if size > limits.file_bytes:
        raise LinkgraphError(f"{name}: {size:,} bytes, over the {limits.file_bytes:,}-byte limit for a report file")
    margins: list[str] = []
    if suffix == ".docx":
        lines, margins = _docx_lines(path, limits.file_bytes)
    else:
        lines = _text_lines(path)
    for ln in lines:
        _parse_line(ln)
    if not any(ln.text.strip() or ln.fields for ln in lines):
        raise LinkgraphError(f"{name}: empty file (no text)")
    segments = _segments(lines)
    if not segments:
        raise LinkgraphError(f"{name}: no report found (expected fields such as 'Reference:' and 'Subject:')")
    file_handling = _file_handling(lines, margins)
    rows = [_build(seg, i, name, file_handling, limits) for i, seg in enumerate(segments, start=1)]
    df = pd.DataFrame(rows, columns=COLUMNS, dtype=object)
    return df.astype({"report_index": "int64", "line": "int64"})
