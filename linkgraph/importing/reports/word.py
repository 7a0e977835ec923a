"""The reader of Word reports (.docx): body paragraphs and table rows in document order, and the page
headers and footers where a protective marking sits."""

from __future__ import annotations

import dataclasses
import zipfile
from pathlib import Path

from linkgraph.errors import LinkgraphError
from linkgraph.importing.reports.labels import _family
from linkgraph.importing.reports.lines import _clean, _Line, _safe_name
from linkgraph.safezip import DOCUMENT, SafeZip

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_lines(path: Path, max_bytes: int) -> tuple[list[_Line], list[str]]:
    """Body paragraphs and table rows in document order, and the text of page headers and footers (where
    Word documents carry their protective marking). `max_bytes` caps the archive's uncompressed parts."""
    document = _open(path, max_bytes)
    return _body_lines(document), _margins(document)


def _open(path: Path, max_bytes: int):
    if not zipfile.is_zipfile(path):
        raise LinkgraphError(f"{_safe_name(path)}: not a Word .docx file (not a zip archive)")
    name = _safe_name(path)
    # python-docx opens the zip itself and trusts its headers: every part is inflated within limits here first
    limits = dataclasses.replace(DOCUMENT, archive_bytes=max_bytes)
    with SafeZip(path, limits, label=name) as z:
        if "word/document.xml" not in z.namelist():
            raise LinkgraphError(f"{name}: not a Word .docx file (no word/document.xml)")
        z.check()
    try:
        import docx

        return docx.Document(str(path))
    except Exception as e:
        raise LinkgraphError(f"{name}: not a readable .docx file ({type(e).__name__})") from None


def _body_lines(document) -> list[_Line]:
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    out: list[_Line] = []
    no = 0
    for child in document.element.body.iterchildren():
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
                out.extend(_table_row_lines(no, _row_cells(row)))
    return out


def _row_cells(row) -> list[str]:
    cells, seen = [], set()
    for c in row.cells:
        if id(c._tc) in seen:  # a merged cell repeats in row.cells
            continue
        seen.add(id(c._tc))
        cells.append(_clean("\n".join(par.text for par in c.paragraphs)).strip())
    return cells


def _margins(document) -> list[str]:
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
    return margins


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
