"""i2 Analyst's Notebook exchange (ANX) export, written with `anxwritter` (UTF-16 LE with a BOM).

- Entity types map to i2 icon names (`I2_ICONS`, from the schema's `icon`); link types become i2 link types.
- Every entity and link carries the three i2 grades: GradeOne = Admiralty source reliability (A-F),
  GradeTwo = information credibility (1-6), GradeThree = handling code (TLP or 3x5x2/5x5x5 code), plus its
  source reference and source type (from its best-graded provenance record).
- Every provenance record becomes an evidence card with its own grades, date, source reference and type.
- Links carry their type and date (DateTime, or a date description when the date is partial like "2023-04").
- Positions come from the igraph layout; the chart's title, TLP, handling and creation date are summary
  custom properties.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from linkgraph import grading
from linkgraph.handling import most_restrictive
from linkgraph.render.base import (
    Analytics,
    Item,
    _handling_rank,
    best_grade,
    clean,
    items,
    link_label,
    mark_summary,
    marking,
    out_path,
    text,
    value_kind,
)
from linkgraph.render.icons import glyph_name
from linkgraph.safe import xml_text
from linkgraph.subgraph import Subgraph

# schema icon name -> i2 icon name (override per call with icon_map={...})
I2_ICONS = {
    "person": "Person",
    "organization": "Organization",
    "phone": "Phone",
    "email": "Email",
    "address": "Address",
    "location": "Location",
    "species": "Animal",
    "shipment": "Shipment",
    "seizure": "Seizure",
    "vehicle": "Vehicle",
    "permit": "Permit",
    "account": "Account",
    "identification": "Identification",
    "sample": "Document",  # i2 has no standard sample icon
    "document": "Document",
    "entity": "Entity",
}
GRADE_ONE = [f"{r} - {grading.RELIABILITY_TEXT[r]}" for r in grading.RELIABILITY]
GRADE_TWO = [f"{c} - {grading.CREDIBILITY_TEXT[c]}" for c in grading.CREDIBILITY]
_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?))?")


def write_anx(
    subgraph: Subgraph,
    path: str | Path,
    *,
    title: str | None = None,
    tlp: str | None = None,
    handling: str | None = None,
    created: str | None = None,
    icon_map: dict | None = None,
) -> Path:
    """Write `subgraph` as an i2 ANX chart to `path` (".anx" added when missing); returns the path."""
    from anxwritter import ANXChart, Card, EntityType, GradeCollection, LinkType

    from linkgraph.schema import load_schema

    icons = {**I2_ICONS, **(icon_map or {})}
    try:
        icon_of = {name: et.icon for name, et in load_schema().entities.items()}
    except Exception:
        icon_of = {}
    nodes, links = items(subgraph)
    m = marking(subgraph, title=title, tlp=tlp, handling=handling, created=created, parsed=(nodes, links))
    pos = Analytics(nodes, links).layout(spacing=160.0)

    codes = set()
    source_types = set()
    for it in nodes + links:
        if it.handling:
            codes.update(c.strip() for c in it.handling.split(",") if c.strip())
        for r in it.prov:
            if text(r.get("handling")):
                codes.add(_x(r.get("handling")))
            if text(r.get("source_type")):
                source_types.add(_x(r.get("source_type")))
    grade_three = sorted(codes, key=lambda c: (_handling_rank(c), c))

    chart = ANXChart()
    chart.grades_one = GradeCollection(items=list(GRADE_ONE))
    chart.grades_two = GradeCollection(items=list(GRADE_TWO))
    if grade_three:
        chart.grades_three = GradeCollection(items=grade_three)
    chart.source_types = sorted(source_types)
    for key, value in m.lines():
        chart.add_custom_property(key, _x(value))
    if mark_summary(subgraph):
        chart.add_custom_property("Marks", _x(mark_summary(subgraph)))

    for t in sorted({nd.type for nd in nodes}):
        chart.add_entity_type(EntityType(name=_x(t), icon_file=icons[glyph_name(icon_of.get(t, t))]))
    for t in sorted({lk.type for lk in links}):
        chart.add_link_type(LinkType(name=_x(t)))

    kinds = _attribute_kinds(nodes + links)  # i2 attribute classes are shared by entities and links

    def grades(rel, cred, hand) -> dict:
        out = {}
        if rel is not None:
            out["grade_one"] = grading.RELIABILITY.index(rel)
        if cred is not None:
            out["grade_two"] = cred - 1
        hand = _most_restrictive(hand)
        if hand and hand in grade_three:
            out["grade_three"] = grade_three.index(hand)
        return out

    def common(it: Item) -> dict:
        rel, cred = it.grade
        src = _best_record(it)
        out = {
            "attributes": _attributes(it, kinds),
            "cards": [_card(r, grades, Card) for r in it.prov],
            **grades(rel, cred, it.handling),
        }
        if src is not None:
            ref = _source_ref(src)
            if len(it.prov) > 1:
                ref += f" (+{len(it.prov) - 1} more)"
            out["source_ref"] = _x(ref)
            if text(src.get("source_type")):
                out["source_type"] = _x(src.get("source_type"))
        return out

    for i, nd in enumerate(nodes):
        kw = common(nd)
        kw.update(_date_fields(nd.date))
        kw.update(_mark_fields(nd, kw["attributes"]))
        chart.add_icon(id=_x(nd.id), type=_x(nd.type), label=_x(nd.caption), x=int(pos[i][0]), y=int(pos[i][1]), **kw)
    for lk in links:
        kw = common(lk)
        kw.update(_date_fields(lk.date))
        chart.add_link(
            from_id=_x(lk.source),
            to_id=_x(lk.target),
            type=_x(lk.type),
            label=_x(link_label(lk)),
            arrow="ArrowOnHead",
            **kw,
        )

    p = out_path(path, ".anx")
    written = chart.to_anx(str(p))
    return Path(written)


MARK_FRAME = "#8E24AA"  # the chart's mark colour (linkgraph.render.html MARK_COLOUR)


def _mark_fields(nd: Item, attributes: dict) -> dict:
    """A marked entity: `mark` and `mark_rank` attributes, and a frame in the mark colour."""
    if not nd.mark:
        return {}
    from anxwritter.models import Frame

    attributes["mark"] = _x(nd.mark.get("text"))
    attributes["mark_rank"] = int(nd.mark.get("rank") or 0)
    return {"frame": Frame(color=MARK_FRAME, margin=4, visible=True)}


def _x(value) -> str:
    return xml_text(text(value))


def _most_restrictive(handling: str) -> str:
    return most_restrictive(c for c in (handling or "").split(",")) or ""


def _best_record(it: Item) -> dict | None:
    if not it.prov:
        return None
    return min(it.prov, key=lambda r: grading.rank(*best_grade({}, [r])))


def _source_ref(r: dict) -> str:
    parts = [text(r.get("source")) or "(unnamed source)"]
    if text(r.get("sheet")):
        parts.append(f"sheet {text(r.get('sheet'))}")
    row = text(r.get("row")) or text(r.get("rows"))
    if row:
        parts.append(f"row {row}")
    return ", ".join(parts)


def _date_fields(value: str | None) -> dict:
    """anxwritter date/time fields for a full date; a partial date ('2023-04') as a date description."""
    if not value:
        return {}
    mo = _DATETIME.match(value)
    if mo:
        out = {"date": mo.group(1)}
        if mo.group(2):
            t = mo.group(2)
            out["time"] = t if len(t) == 8 else t + ":00"
        return out
    return {"datetime_description": _x(value)}


def _card(r: dict, grades, Card):

    fields = {
        "summary": _x(_source_ref(r)),
        "source_ref": _x(_source_ref(r)),
        "description": _x(json.dumps(r, ensure_ascii=False)),
        **grades(
            grading.reliability_of(r.get("reliability")),
            grading.credibility_of(r.get("credibility")),
            text(r.get("handling")),
        ),
    }
    if text(r.get("source_type")):
        fields["source_type"] = _x(r.get("source_type"))
    observed = text(r.get("observed"))
    if observed:
        fields.update(_date_fields(observed))
    return Card(**fields)


def _attribute_kinds(its: list[Item]) -> dict[str, str]:
    names: dict[str, None] = {}
    for it in its:
        for k in it.props:
            names.setdefault(k, None)
    return {k: value_kind(it.props.get(k) for it in its) for k in names}


def _attributes(it: Item, kinds: dict[str, str]) -> dict:
    """Properties as i2 attributes, one type per attribute name across the chart (i2 requires it)."""
    out = {}
    for k, v in it.props.items():
        v = clean(v)
        if v is None or v == "":
            continue
        kind = kinds.get(k, "string")
        if kind == "boolean":
            out[_x(k)] = bool(v)
        elif kind in ("long", "double"):
            out[_x(k)] = float(v) if kind == "double" else int(v)
        else:
            out[_x(k)] = _x(v)
    for key in ("first_seen", "last_seen"):
        if text(it.row.get(key)):
            out[key] = _x(it.row.get(key))
    return out
