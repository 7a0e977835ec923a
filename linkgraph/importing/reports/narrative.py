"""A report's body: its labelled fields apart from its narrative (the unlabelled lines and Narrative/Details
fields), and the values of its Persons fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkgraph.importing.reports.fields import _not_a_grade
from linkgraph.importing.reports.layout import _title_like
from linkgraph.importing.reports.lines import _Field, _Line


@dataclass
class _Body:
    fields: list[_Field]  # every labelled field but the narrative's, in order
    narrative: str  # markup kept as written, blank lines between paragraphs (at most one)
    persons: list[str]  # the Persons fields' values


def _body(seg: list[_Line]) -> _Body:
    fields: list[_Field] = []
    narrative: list[str] = []
    persons: list[str] = []
    seen_field = False
    pending_empty: _Field | None = None
    for ln in seg:
        if ln.fields:
            seen_field = True
            pending_empty = _take_fields(ln.fields, fields, narrative, persons)
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
            if f.family == "info" and _not_a_grade(f.value):
                f.family = "narrative"
                narrative.append(ln.prose)
            continue
        narrative.append(ln.prose)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(narrative).strip())
    return _Body(fields, text, persons)


def _take_fields(found: list[_Field], fields: list[_Field], narrative: list[str], persons: list[str]) -> _Field | None:
    """Sort one line's fields into the report's fields, narrative and Persons values; the last empty field
    (whose value may be on the next line), if any."""
    pending_empty = None
    for f in found:
        if f.family in ("src", "info") and _not_a_grade(f.value):
            # "Source: a member of the public", "Information: the source saw..."
            f = _Field("source_type" if f.family == "src" else "narrative", f.label, f.value)
        if f.family == "narrative":
            if f.value.strip():
                narrative.append(f.value.strip())
            continue
        if f.family == "persons":
            persons.append(f.value)
        fields.append(f)
        if not f.value.strip() and f.family != "persons":
            pending_empty = f
    return pending_empty
