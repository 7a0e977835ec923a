"""Species a report's text names: checklist taxa by scientific name, synonym, common name or commodity
word, longest phrase first."""

from __future__ import annotations

import functools
import re
from pathlib import Path

from linkgraph.normalize import species as sp
from linkgraph.normalize.species import _CJK_RE

_TOKEN_RE = re.compile(r"[^\W_]+(?:'[^\W_]+)*", re.U)
# the checklist module's word lists: single words never searched inside free text (a town, a surname, a beer),
# plus two that a report's narrative uses of other things than pangolins; short words safe to search; words
# that make a match a look-alike ("fake ivory", "mammoth ivory")
_AMBIGUOUS_SPECIES_WORDS = sp._AMBIGUOUS_WORDS | {"scales", "ecailles"}
_SAFE_SHORT_SPECIES = sp._SAFE_SHORT
_NEGATIVE_SPECIES = sp._NEGATIVE


def _tok(s: str) -> str:
    from linkgraph.normalize._common import strip_marks

    return strip_marks(s.casefold().replace("'", ""))


def _tokens(text: str) -> list[tuple[str, str, int, int]]:
    """(folded, casefolded-with-marks, start, end) for each word of the text."""
    out = []
    for m in _TOKEN_RE.finditer(text.replace("\u2019", "'")):
        w = m.group(0)
        out.append((_tok(w), w.casefold().replace("'", ""), m.start(), m.end()))
    return out


@functools.lru_cache(maxsize=1)
def _species_index() -> tuple[dict[tuple[str, ...], tuple[frozenset | None, bool]], list[str], int]:
    """Checklist names as folded token tuples -> (exact spellings a one-word name needs, or None; whether
    it must be capitalised), the CJK names, and the longest phrase in tokens."""
    import csv

    path = Path(sp.__file__).resolve().parent.parent / "data" / "species.csv"
    index: dict[tuple[str, ...], tuple[frozenset | None, bool]] = {}
    cjk: set[str] = set()

    def put(key, exact, capital):
        old = index.get(key)
        if old is None:
            index[key] = (exact, capital)
        else:  # the laxest of two spellings of one key wins
            ex = None if old[0] is None or exact is None else old[0] | exact
            index[key] = (ex, old[1] and capital)

    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            scientific = [row.get("accepted_name") or "", *(row.get("synonyms") or "").split("|")]
            other = [*(row.get("commodities") or "").split("|")]
            other += [n for k, v in row.items() if k and k.startswith("common_") for n in (v or "").split("|")]
            for name, is_sci in [(n, True) for n in scientific] + [(n, False) for n in other]:
                name = name.strip()
                if not name:
                    continue
                if _CJK_RE.search(name):
                    if len(name) >= 2:
                        cjk.add(name)
                    continue
                toks = _tokens(name)
                if not toks:
                    continue
                key = tuple(t[0] for t in toks)
                if len(toks) > 1:
                    put(key, None, False)
                    continue
                folded, exact = toks[0][0], toks[0][1]
                if not (exact in _SAFE_SHORT_SPECIES or (len(folded) >= 5 and folded not in _AMBIGUOUS_SPECIES_WORDS)):
                    continue
                # a one-word name with diacritics must keep them ("hổ" tiger, "hồ" lake); a one-word
                # scientific name (a genus, a family) must be capitalised ("Manis", not Malay "manis")
                put(key, frozenset([exact]) if exact != folded else None, is_sci)
    return index, sorted(cjk, key=len, reverse=True), max((len(k) for k in index), default=1)


def _species(text: str) -> list[str]:
    """Accepted names of the checklist taxa the text mentions, in order of first mention."""
    from linkgraph.normalize.species import normalize_species

    index, cjk, longest = _species_index()
    toks = _tokens(text)
    folded = [t[0] for t in toks]
    # "Ivory Coast", "Côte d'Ivoire" name a country, not a commodity
    for i in range(len(folded)):
        if (folded[i] == "ivory" and i + 1 < len(folded) and folded[i + 1] == "coast") or (
            folded[i] in ("divoire", "ivoire") and i and folded[i - 1] in ("d", "cote")
        ):
            folded[i] = "\x00"
    out: list[str] = []

    def add(phrase: str) -> None:
        r = normalize_species(phrase)
        if r.ok and r.value and not (r.matched_on or "").startswith("fuzzy") and r.value not in out:
            out.append(r.value)

    i = 0
    while i < len(toks):
        for n in range(min(longest, len(toks) - i), 0, -1):
            entry = index.get(tuple(folded[i : i + n]))
            if entry is None:
                continue
            exact, capital = entry
            if n == 1 and exact is not None and toks[i][1] not in exact:
                continue
            if n == 1 and capital and not text[toks[i][2]].isupper():
                continue
            if not any(f in _NEGATIVE_SPECIES for f in folded[max(0, i - 2) : i + n]):
                add(text[toks[i][2] : toks[i + n - 1][3]])
            i += n
            break
        else:
            i += 1
    if cjk and _CJK_RE.search(text):
        for name in cjk:
            if name in text:
                add(name)
    return out
