"""Tables export: XLSX (sheets README, Entities, Links, Sources) and CSV (entities.csv, links.csv, sources.csv).

Sources holds one row per provenance record, with the id, kind and type of the item it belongs to.
Every text cell that a spreadsheet could read as a formula (starting with `=`, `+`, `-`, `@`, tab or CR) is
prefixed with `'` (`linkgraph.safe.neutralise`), in CSV and XLSX alike; the XLSX writer also writes every
string as a string, never as a formula, number or link. The marking (title, TLP, handling, creation date) is the
README sheet and every sheet's printed header and footer in XLSX; in CSV it is a README.txt and, unless
`banner=False`, a first row `# TLP:... | ...` in each file (read them with `skiprows=1`).
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

from linkgraph import grading
from linkgraph.render.base import (
    MARK_COLUMNS,
    Item,
    Marking,
    any_marked,
    clean,
    items,
    link_label,
    mark_summary,
    mark_values,
    marking,
    out_path,
    text,
)
from linkgraph.safe import neutralise, xml_text
from linkgraph.subgraph import Subgraph

ENTITY_HEAD = [
    "id",
    "type",
    "caption",
    "grade",
    "reliability",
    "credibility",
    "handling",
    "first_seen",
    "last_seen",
    "sources",
]
LINK_HEAD = [
    "id",
    "type",
    "source",
    "source_caption",
    "target",
    "target_caption",
    "label",
    "date",
    "grade",
    "reliability",
    "credibility",
    "handling",
    "first_seen",
    "last_seen",
    "sources",
]
SOURCE_HEAD = [
    "item_id",
    "item_kind",
    "item_type",
    "item_caption",
    "record",
    "source",
    "sheet",
    "row",
    "observed",
    "grade",
    "reliability",
    "credibility",
    "handling",
    "source_type",
    "agency",
    "batch",
    "imported",
    "sha256",
]


# --------------------------------------------------------------------------------------------------- frames


def _props(its: list[Item], head: list[str]) -> list[str]:
    names: list[str] = []
    for it in its:
        for k in it.props:
            if k not in names:
                names.append(k)
    return [k if k not in head else f"prop_{k}" for k in names], names


def _cell(v):
    v = clean(v)
    if isinstance(v, (list, dict)):
        return json.dumps(v, ensure_ascii=False)
    return v


def tables(sub: Subgraph) -> dict[str, tuple[list[str], list[list]]]:
    """{'Entities': (header, rows), 'Links': ..., 'Sources': ...} with clean cell values (not yet neutralised)."""
    nodes, links = items(sub)
    caption = {nd.id: nd.caption for nd in nodes}

    def summary(it: Item) -> list:
        rel, cred = it.grade
        return [
            grading.text(rel, cred),
            rel,
            cred,
            it.handling,
            _cell(it.row.get("first_seen")),
            _cell(it.row.get("last_seen")),
            len(it.prov),
        ]

    ncols, nnames = _props(nodes, ENTITY_HEAD + ["batches"])
    ent = [
        [
            nd.id,
            nd.type,
            nd.caption,
            *summary(nd),
            *[_cell(nd.props.get(k)) for k in nnames],
            _cell(nd.row.get("batches")),
        ]
        for nd in nodes
    ]
    lcols, lnames = _props(links, LINK_HEAD + ["batches"])
    lnk = [
        [
            lk.id,
            lk.type,
            lk.source,
            caption.get(lk.source, ""),
            lk.target,
            caption.get(lk.target, ""),
            link_label(lk),
            lk.date,
            *summary(lk),
            *[_cell(lk.props.get(k)) for k in lnames],
            _cell(lk.row.get("batches")),
        ]
        for lk in links
    ]

    extra: list[str] = []
    known = set(SOURCE_HEAD) | {"rows"}
    for it in nodes + links:
        for r in it.prov:
            for k in r:
                if k not in known and k not in extra:
                    extra.append(k)
    src = []
    for kind, its in (("entity", nodes), ("link", links)):
        for it in its:
            for i, r in enumerate(it.prov, 1):
                rel, cred = grading.reliability_of(r.get("reliability")), grading.credibility_of(r.get("credibility"))
                row = r.get("row") if text(r.get("row")) else r.get("rows")
                src.append(
                    [
                        it.id,
                        kind,
                        it.type,
                        it.caption if kind == "entity" else link_label(it),
                        i,
                        _cell(r.get("source")),
                        _cell(r.get("sheet")),
                        _cell(row),
                        _cell(r.get("observed")),
                        grading.text(rel, cred),
                        _cell(r.get("reliability")),
                        _cell(r.get("credibility")),
                        _cell(r.get("handling")),
                        _cell(r.get("source_type")),
                        _cell(r.get("agency")),
                        _cell(r.get("batch")),
                        _cell(r.get("imported")),
                        _cell(r.get("sha256")),
                        *[_cell(r.get(k)) for k in extra],
                    ]
                )
    ent_head = ENTITY_HEAD + ncols + ["batches"]
    if any_marked(nodes):
        ent_head, ent = _with_marks(nodes, ent_head, ent)
    return {
        "Entities": (ent_head, ent),
        "Links": (LINK_HEAD + lcols + ["batches"], lnk),
        "Sources": (SOURCE_HEAD + extra, src),
    }


def _with_marks(nodes: list[Item], head: list[str], rows: list[list]) -> tuple[list[str], list[list]]:
    """The entity table with `mark_rank` and `mark` after the caption (a property of either name becomes prop_)."""
    names = [n for n, _ in MARK_COLUMNS]
    head = [f"prop_{h}" if h in names else h for h in head]
    at = head.index("caption") + 1
    values = [mark_values(nd) for nd in nodes]
    return (
        head[:at] + names + head[at:],
        [row[:at] + [v[n] for n in names] + row[at:] for row, v in zip(rows, values)],
    )


def _readme(m: Marking, t: dict, sub: Subgraph | None = None) -> list[tuple[str, str]]:
    rows = m.lines()
    if sub is not None and mark_summary(sub):
        rows.append(("Marks", mark_summary(sub)))
    return rows + [
        ("Entities", str(len(t["Entities"][1]))),
        ("Links", str(len(t["Links"][1]))),
        ("Provenance records", str(len(t["Sources"][1]))),
        ("Generator", "linkgraph"),
        (
            "Note",
            "Sources has one row per provenance record of an entity or link (item_id). Text cells that start "
            "with = + - @, a tab or a carriage return are prefixed with ' so that no spreadsheet reads "
            "them as formulas.",
        ),
        (
            "Dissemination",
            "This export no longer carries the access control of the store it came from: "
            "handle it according to the TLP and handling codes above.",
        ),
    ]


# --------------------------------------------------------------------------------------------------- XLSX


def write_xlsx(
    subgraph: Subgraph,
    path: str | Path,
    *,
    title: str | None = None,
    tlp: str | None = None,
    handling: str | None = None,
    created: str | None = None,
) -> Path:
    """Write README, Entities, Links and Sources sheets to `path` (".xlsx" added when missing)."""
    import xlsxwriter

    m = marking(subgraph, title=title, tlp=tlp, handling=handling, created=created)
    t = tables(subgraph)
    p = out_path(path, ".xlsx")
    wb = xlsxwriter.Workbook(
        str(p),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )
    bold = wb.add_format({"bold": True})
    head = wb.add_format({"bold": True, "bg_color": "#E8EAED", "bottom": 1})
    tlp_fmt = wb.add_format({"bold": True, "bg_color": "#000000", "font_color": m.colour, "font_name": "Consolas"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    wb.set_properties(
        {
            "title": neutralise(m.title),
            "subject": m.tlp_label,
            "comments": neutralise(m.banner()),
            "keywords": m.tlp_label,
        }
    )
    mark = _header_text(f"{m.banner()} · {m.title} · created {m.created}")

    ws = wb.add_worksheet("README")
    ws.set_tab_color("#000000")
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 100)
    ws.write_string(0, 0, m.tlp_label, tlp_fmt)
    ws.write_string(0, 1, neutralise(m.banner()), tlp_fmt)
    for r, (k, v) in enumerate(_readme(m, t, subgraph), start=2):
        ws.write_string(r, 0, k, bold)
        ws.write_string(r, 1, neutralise(v), wrap)
    ws.set_header(f"&C{mark}")
    ws.set_footer(f"&C{mark}")

    for name in ("Entities", "Links", "Sources"):
        header, rows = t[name]
        ws = wb.add_worksheet(name)
        for c, h in enumerate(header):
            ws.write_string(0, c, neutralise(h), head)
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row):
                _write(ws, r, c, v)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
        ws.set_column(0, len(header) - 1, 18)
        ws.set_header(f"&C{mark}")
        ws.set_footer(f"&C{mark}&R&P / &N")
    wb.close()
    return p


def _write(ws, r: int, c: int, v) -> None:
    if v is None or v == "":
        return
    if isinstance(v, bool):
        ws.write_boolean(r, c, v)
    elif isinstance(v, (int, float)):
        if abs(v) < 1e15:
            ws.write_number(r, c, v)
        else:  # beyond Excel's 15 significant digits: keep every digit as text
            ws.write_string(r, c, str(v))
    else:
        ws.write_string(r, c, neutralise(xml_text(str(v)))[:32767])


def _header_text(s: str) -> str:
    """Text for an Excel page header: '&' doubled (it starts a control code), at most 250 characters."""
    s = neutralise(s).replace("&", "&&")
    return s[:240]


# --------------------------------------------------------------------------------------------------- CSV


def write_csv(
    subgraph: Subgraph,
    path: str | Path,
    *,
    title: str | None = None,
    tlp: str | None = None,
    handling: str | None = None,
    created: str | None = None,
    banner: bool = True,
    zip: bool | None = None,
) -> Path:  # a clear option name
    """Write entities.csv, links.csv, sources.csv and README.txt into the folder `path`, or into a zip file when
    `path` ends in ".zip" (or `zip=True`). UTF-8 with a BOM (Excel reads it as UTF-8); returns the path."""
    m = marking(subgraph, title=title, tlp=tlp, handling=handling, created=created)
    t = tables(subgraph)
    files = {"README.txt": "\r\n".join(f"{k}: {v}" for k, v in _readme(m, t, subgraph)) + "\r\n"}
    line = f"# {m.banner()} | {m.title} | created {m.created}"
    for name, fname in (("Entities", "entities.csv"), ("Links", "links.csv"), ("Sources", "sources.csv")):
        header, rows = t[name]
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        if banner:
            w.writerow([neutralise(line)])
        w.writerow([neutralise(h) for h in header])
        for row in rows:
            w.writerow([_csv_cell(v) for v in row])
        files[fname] = buf.getvalue()
    p = Path(path)
    as_zip = zip if zip is not None else p.suffix.lower() == ".zip"
    if as_zip:
        p = out_path(p, ".zip")
        with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for fname, content in files.items():
                z.writestr(fname, content.encode("utf-8-sig", "replace"))
    else:
        p.mkdir(parents=True, exist_ok=True)
        for fname, content in files.items():
            (p / fname).write_bytes(content.encode("utf-8-sig", "replace"))
    return p


def _csv_cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return text(v)
    return neutralise(str(v))
