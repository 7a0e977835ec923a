"""The intelligence reports: two in a Markdown file, one in a text file with CRLF line ends, one in a Word
document whose fields sit in a two-column table. Their text names the manifest's vessels and air waybill."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from linkgraph.demo_data.facts import DEMO_NOTE
from linkgraph.demo_data.formats import FIXED_TIME, freeze_zip
from linkgraph.demo_data.world import World


def _values(w: World) -> dict[str, str]:
    """What the reports' text templates fill in: {imo_a}, {imo_b}, {awb}."""
    return {"imo_a": w.vessels[0], "imo_b": w.vessels[1], "awb": w.report_awb}


def _mentions(w: World, path: Path, report: dict) -> None:
    for name, pid in report["persons"]:
        w.mention(path.name, None, report["reference"], "persons", name, pid)


def markdown(w: World, path: Path) -> None:
    f = w.facts["reports"]["markdown"]
    lines = [f["title"], "", DEMO_NOTE, "", "---", ""]
    for i, report in enumerate(f["reports"]):
        if i:
            lines += ["---", ""]
        lines += [*report["fields"], "", report["text"].format(**_values(w))]
    path.write_text("\n".join(lines), encoding="utf-8", newline="\n")
    for report in f["reports"]:
        _mentions(w, path, report)


def text(w: World, path: Path) -> None:
    report = w.facts["reports"]["text"]
    path.write_text(report["text"].format(**_values(w)).replace("\n", "\r\n"), encoding="utf-8", newline="")
    _mentions(w, path, report)


def word(w: World, path: Path) -> None:
    import docx  # python-docx, the .docx reader's own dependency, needed only for this file

    report = w.facts["reports"]["word"]
    d = docx.Document()
    for heading, level in report["headings"]:
        d.add_heading(heading, level=level)
    table = d.add_table(rows=0, cols=2)
    for label, value in report["fields"]:
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    cells = table.add_row().cells
    cells[0].text = "Narrative"
    first, *more = [p.format(**_values(w)) for p in report["narrative"]]
    cells[1].text = first
    for paragraph in more:
        cells[1].add_paragraph(paragraph)
    cp = d.core_properties
    cp.author = report["author"]
    cp.last_modified_by = "linkgraph demo"
    cp.title = report["reference"]
    cp.created = FIXED_TIME.replace(tzinfo=UTC)
    cp.modified = FIXED_TIME.replace(tzinfo=UTC)
    cp.revision = 1
    d.save(str(path))
    freeze_zip(path)
    _mentions(w, path, report)
