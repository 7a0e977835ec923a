"""Field values: the grade (Admiralty 6x6, UK 3x5x2, legacy 5x5x5, through linkgraph.grading), handling
codes and TLP markings, the source type, and dates (through linkgraph.normalize)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from linkgraph import grading
from linkgraph.errors import LinkgraphError
from linkgraph.importing.reports.lines import _Field, _show

_TLP_RE = re.compile(r"(?i)\bTLP\s*[:：]?\s*(CLEAR|WHITE|GREEN|AMBER\s*\+\s*STRICT|AMBER|RED)\b")


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


def source_type(value: str) -> str | None:
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


def _not_a_grade(value: str) -> bool:
    """Neither a whole grade nor one part of one: "Source: a member of the public"."""
    return not grading.scan(value) and grading.component(value) is None
