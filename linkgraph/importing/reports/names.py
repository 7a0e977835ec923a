"""People and organisations a report names: a Persons field, a Subject of names, names after cue words;
companies by their legal or trade suffix or prefix."""

from __future__ import annotations

import re

from linkgraph.importing.reports.places import _country_code

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
    spans = _suffix_spans(text) + _prefix_spans(text)
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


def _suffix_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each name that ends in a legal or trade suffix: the capitalised words before it."""
    spans: list[tuple[int, int]] = []
    prev_end = 0
    for m in _ORG_SUFFIX_RE.finditer(text):
        offset = max(prev_end, m.start() - 120)
        prev_end = m.end()
        kept = _name_words_before(list(re.finditer(r"\S+", text[offset : m.start()])))
        if kept:
            spans.append((offset + kept[0].start(), m.end()))
    return spans


def _name_words_before(words: list[re.Match]) -> list[re.Match]:
    """The words of a company name that end `words` (the text before a suffix), at most six."""
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
    return kept


def _prefix_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each name that opens with a legal prefix: the prefix and up to six words after it."""
    spans: list[tuple[int, int]] = []
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
    return spans
