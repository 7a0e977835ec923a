"""Field labels: the aliases of each field family, and matching a label ("Ref", "Report No.", "Source
grading (Admiralty)") to its family and grading-system hint."""

from __future__ import annotations

import re

from linkgraph import grading

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
