"""Countries a report's text names, as ISO 3166 alpha-2 codes (any language linkgraph.normalize.countries
knows)."""

from __future__ import annotations

import functools
import re

# countries
_CAPS_COUNTRIES = {"UK", "U.K.", "USA", "U.S.A.", "UAE", "U.A.E.", "DRC", "PRC", "HKSAR", "DPRK", "RDC"}
_FIRST_NAME_COUNTRIES = {"jordan", "chad", "georgia", "israel"}
_CAP_TOKEN_RE = re.compile(r"[^\W\d_][\w'’.-]*", re.U)


@functools.lru_cache(maxsize=1)
def _country_words() -> frozenset[str]:
    """Every folded word of a country name the normaliser knows (pycountry's names and translations, its
    aliases): a phrase with any other word is not looked up, which keeps long narratives fast."""
    import gettext

    import pycountry

    from linkgraph.normalize import countries as cmod
    from linkgraph.normalize._common import fold_ascii

    names: list[str] = list(_CAPS_COUNTRIES)
    attrs = ("name", "common_name", "official_name")
    for c in pycountry.countries:
        names += [getattr(c, a) for a in attrs if getattr(c, a, None)]
    locales = getattr(
        cmod, "_LOCALES", ("fr", "pt", "pt_BR", "es", "de", "sw", "vi", "zh_CN", "zh_TW", "it", "nl", "id")
    )
    for loc in locales:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[loc])
        except OSError:
            continue
        for c in pycountry.countries:
            names += [tr.gettext(getattr(c, a)) for a in attrs if getattr(c, a, None)]
    names += list(getattr(cmod, "_ALIASES", {}))
    return frozenset(w for n in names for w in fold_ascii(n).split())


@functools.lru_cache(maxsize=65_536)
def _country_code(phrase: str) -> str | None:
    from linkgraph.normalize.countries import normalize_country

    p = phrase.strip(" .,'’")
    if len(p) <= 3 or p.isupper():
        if p not in _CAPS_COUNTRIES:
            return None
    r = normalize_country(p)
    if not r.ok or not r.value:
        return None
    note = (r.note or "").lower()
    if any(w in note for w in ("fuzzy", "part of", "several", "numeric", "former", "legacy", "cites")):
        return None
    return r.value


def _locations(text: str) -> list[str]:
    from linkgraph.normalize._common import fold_ascii

    known = _country_words()
    out: list[str] = []
    # runs of words without sentence punctuation; a country name is at most five words
    for chunk in re.split(r"[\n.;:!?()\[\]\"“”,/]+", text):
        words = list(_CAP_TOKEN_RE.finditer(chunk))
        usable = [all(p in known for p in fold_ascii(w.group(0)).split()) for w in words]
        i = 0
        while i < len(words):
            w = words[i].group(0)
            if not w[0].isupper() or not usable[i]:
                i += 1
                continue
            span = 1
            while span < 5 and i + span < len(words) and usable[i + span]:
                span += 1
            for n in range(span, 0, -1):
                phrase = chunk[words[i].start() : words[i + n - 1].end()]
                code = _country_code(phrase)
                if code:
                    nxt = words[i + n].group(0) if i + n < len(words) else ""
                    if n == 1 and phrase.lower() in _FIRST_NAME_COUNTRIES and nxt[:1].isupper():
                        code = None
                if code:
                    if code not in out:
                        out.append(code)
                    i += n
                    break
            else:
                i += 1
    return out
