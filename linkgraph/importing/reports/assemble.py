"""One report's row of the import frame: its fields checked and parsed, its narrative's mentions extracted;
and the markings that cover every report of a file."""

from __future__ import annotations

import re

from linkgraph.errors import LinkgraphError
from linkgraph.handling import most_restrictive
from linkgraph.importing.reports.fields import _TLP_RE, _date, _grade, _handling, _not_a_grade, source_type
from linkgraph.importing.reports.identifiers import _identifiers, _region
from linkgraph.importing.reports.lines import Limits, _Field, _Line, _one_line, _show
from linkgraph.importing.reports.names import _organizations, _persons
from linkgraph.importing.reports.narrative import _body
from linkgraph.importing.reports.places import _locations
from linkgraph.importing.reports.species import _species


def _first(fields: list[_Field], family: str) -> _Field | None:
    return next((f for f in fields if f.family == family and f.value.strip()), None)


def _tlp_codes(texts) -> list[str]:
    """The handling codes of the TLP markings written anywhere in `texts`."""
    return [c for c in (_handling("TLP:" + w) for t in texts for w in _TLP_RE.findall(t)) if c]


def _file_handling(lines: list[_Line], margins: list[str]) -> list[str]:
    """Markings that cover every report in the file: on a Word page header or footer, or above the first
    report ("TLP:AMBER" under the file's title)."""
    codes = _tlp_codes(margins)
    for ln in lines:
        if any(f.family != "handling" for f in ln.fields):
            break
        codes += [c for c in (_handling(f.value) for f in ln.fields) if c]
        codes += _tlp_codes([ln.text])
    return codes


def _build(seg: list[_Line], index: int, name: str, file_handling: list[str], limits: Limits) -> dict:
    start = next((ln.no for ln in seg if ln.text.strip() or ln.fields), seg[0].no)
    unit = "paragraph" if name.lower().endswith(".docx") else "line"
    where = f"{name}: report {index} ({unit} {start})"
    size = sum(len(ln.text.encode("utf-8")) + 1 for ln in seg)
    if size > limits.report_bytes:
        raise LinkgraphError(
            f"{where}: report text is {size:,} bytes, over the {limits.report_bytes:,}-byte limit per report"
        )
    body = _body(seg)
    fields = body.fields
    reference = _reference(fields, where, limits.field_chars)
    handling_codes = [h for h in (_handling(f.value) for f in fields if f.family == "handling") if h]
    handling_codes += _tlp_codes(ln.text for ln in seg)
    handling_codes += file_handling
    grade = _grade(fields, handling_codes, where)
    if grade.uk_handling:
        handling_codes.append(grade.uk_handling)
    kind, source_reference = _source(fields)
    date_f = _first(fields, "date_info") or _first(fields, "date_report")
    subj = _first(fields, "subject")
    agency = _first(fields, "agency")
    subject = _one_line(subj.value) if subj else None
    return {
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
        "source_type": kind,
        "source_reference": source_reference,
        "narrative": body.narrative or None,
        **_mentions(subject, body.persons, body.narrative, _region(agency.value if agency else None, reference)),
        "report_index": index,
        "line": start,
    }


def _reference(fields: list[_Field], where: str, field_chars: int) -> str:
    """The report's reference, once every field is known to be within the size limit."""
    ref = _first(fields, "reference")
    if ref is None:
        raise LinkgraphError(f"{where}: no reference (expected a 'Reference:' field)")
    for f in fields:
        if len(f.value) > field_chars:
            raise LinkgraphError(f"{where}: field {_show(f.label)} is over {field_chars:,} characters")
    reference = _one_line(ref.value)
    if len(reference) > 200:
        raise LinkgraphError(f"{where}: reference {_show(reference)} is over 200 characters")
    return reference


def _source(fields: list[_Field]) -> tuple[str | None, str | None]:
    """(source type, source reference): a Source type field, else a Source field that is not a grade; the
    reference from its own field, else a code in the source type's text ("CHIS KE-0412")."""
    st = _first(fields, "source_type") or next(
        (f for f in fields if f.family == "src" and f.value.strip() and _not_a_grade(f.value)),
        None,
    )
    sref = _first(fields, "source_reference")
    source_reference = _one_line(sref.value) if sref else None
    if st is not None and source_reference is None:
        m = re.search(r"\b[A-Z0-9][A-Z0-9/_-]*\d[A-Z0-9/_-]*\b", st.value)
        source_reference = m.group(0) if m else None
    return (source_type(st.value) if st else None), source_reference


def _mentions(subject: str | None, persons_field: list[str], narrative: str, region: str | None) -> dict:
    """The list columns: what the subject, the Persons fields and the narrative name (never the reference,
    agency or source fields, so a sanitised source reference never becomes an entity)."""
    scan = "\n".join([subject or "", *persons_field, narrative])
    orgs = _organizations(scan)
    return {
        **_identifiers(scan, region),
        "species": _species(scan),
        "persons": _persons(persons_field, subject, narrative, orgs),
        "organizations": orgs,
        "locations": _locations(scan),
    }
