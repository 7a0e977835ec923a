"""Species / commodity text -> accepted CITES taxon from a bundled checklist.

The checklist (``linkgraph/data/species.csv``) holds ~120 commonly
trafficked CITES-listed taxa: accepted name, rank, family, order, class,
appendix (with an ``appendix_uncertain`` flag), synonyms, common names in
English, French, Portuguese, Vietnamese, Chinese and Swahili, and commodity
words ("ivory", "vảy tê tê", "犀角" ...).

Matching, in order (the first that succeeds wins):

1. the whole text equals a name or commodity word (case/diacritics
   insensitive; Vietnamese one-word names must keep their diacritics, since
   "hổ" (tiger) and "hồ" (lake) differ only by them);
2. a scientific name at the start of the text: genus alone, "Manis spp.",
   binomial or trinomial, author/year ignored, Latin gender endings
   tolerated ("Manis javanicus"), otherwise a strict rapidfuzz match on the
   epithet within the genus;
3. names/commodity phrases inside longer text ("3 bags of pangolin scales");
   the longest phrase wins, a taxon and its ancestors count as one, two
   unrelated taxa make the result ambiguous (``ok=False``);
4. a strict rapidfuzz fallback on whole names (score >= 90 and a clear
   margin over any other taxon).

Words that mark a non-CITES look-alike ("mammoth ivory", "fake", "buffalo
horn") turn a commodity match into ``ok=False`` with a note.  Unknown text is
kept verbatim with ``ok=False``.
"""

from __future__ import annotations

import csv
import functools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz, process

from ._common import clean_text, is_blank, map_unique_frame, replace_raw, strip_marks

__all__ = ["SpeciesValue", "Taxon", "normalize_species", "normalize_species_series", "load_checklist"]


@dataclass(frozen=True, slots=True)
class Taxon:
    name: str
    rank: str
    family: str | None
    order: str | None
    class_name: str | None
    appendix: str | None
    appendix_uncertain: bool
    common_name: str | None  # first English common name
    parent: str | None
    note: str | None


@dataclass(frozen=True, slots=True)
class SpeciesValue:
    raw: Any
    value: str | None  # accepted scientific name (species, genus, family ...)
    ok: bool
    note: str | None = None
    rank: str | None = None
    appendix: str | None = None  # "I", "II", "III", "I/II" (split listing) ...
    matched_on: str | None = None  # scientific | synonym | common:<lang> | commodity | genus | fuzzy:<...>
    family: str | None = None
    order: str | None = None
    class_name: str | None = None
    common_name: str | None = None


_LANGS = ("en", "fr", "pt", "vi", "zh", "sw")

# single words that are too ambiguous to be searched inside longer text
# (they still match when they are the whole value)
_AMBIGUOUS_WORDS = {
    "papa",
    "once",
    "carey",
    "mante",
    "morse",
    "musc",
    "musk",
    "mako",
    "jaco",
    "kobe",
    "duma",
    "kasa",
    "trut",
    "chita",
    "onca",
    "buche",
    "bear",
    "bears",
    "ours",
    "hippo",
    "manta",
    "rhino",
    "tembo",
    "simba",
    "chui",
    "ndovu",
    "voi",
}
# short words that are safe to search inside text
_SAFE_SHORT = {"lion", "tusk", "ngà"}

# words that turn a commodity/common-name match into a non-CITES look-alike
_NEGATIVE = {
    "mammoth",
    "mammouth",
    "mamute",
    "mamut",
    "mammut",
    "fossil",
    "fossile",
    "fossilised",
    "fossilized",
    "fake",
    "faux",
    "imitation",
    "synthetic",
    "synthetique",
    "resin",
    "resine",
    "plastic",
    "plastique",
    "warthog",
    "phacochere",
    "boar",
    "pig",
    "cattle",
    "cow",
    "ox",
    "buffalo",
    "buffle",
    "bufalo",
    "bovine",
    "goat",
    "sheep",
    "yak",
    "replica",
    "counterfeit",
}
_NEGATIVE_CJK = ("猛犸", "假", "仿", "牛角", "水牛")
# checked with diacritics kept (Vietnamese: "giả" = fake, but "giá" = price)
_NEGATIVE_EXACT = {"giả", "nhựa", "trâu", "factice", "falso", "falsa", "faux", "imitação", "imitación"}

# phrases that contain a name but mean something else; blanked before searching
_MASK_PHRASES = (
    ("ivory", "coast"),
    ("cote", "d", "ivoire"),
    ("cote", "divoire"),
    ("costa", "do", "marfim"),
    ("costa", "de", "marfil"),
    ("ivory", "tower"),
    ("tigers", "eye"),
    ("tiger", "eye"),
    ("elfenbeinkuste",),
    ("python", "code"),
    ("python", "script"),
    ("gorilla", "glue"),
)

_GENUS_QUALIFIERS = {"spp", "sp", "species", "spec", "ssp", "subsp", "var", "cf", "aff", "indet", "hybrid"}

_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_PUNCT_RE = re.compile(r"[^\w\s']|_")

_DATA_FILE = "species.csv"


def _data_path() -> Path:
    # linkgraph/data/species.csv, next to this package
    return Path(__file__).resolve().parent.parent / "data" / _DATA_FILE


def _lower(s: str) -> str:
    return unicodedata.normalize("NFC", s).casefold()


def _tokens(s: str) -> list[str]:
    """Lower-case tokens with diacritics kept; apostrophes dropped."""
    s = _PUNCT_RE.sub(" ", _lower(s)).replace("'", "")
    return s.split()


def _fold_tokens(tokens: list[str]) -> list[str]:
    return [strip_marks(t) for t in tokens]


@dataclass(frozen=True, slots=True)
class _Entry:
    taxon: str
    kind: str  # scientific | synonym | common:<lang> | commodity
    key_tokens: tuple[str, ...]
    lang: str | None


class _Checklist:
    def __init__(self, rows: list[dict[str, str]]):
        self.taxa: dict[str, Taxon] = {}
        self.exact: dict[str, list[_Entry]] = {}  # diacritics kept
        self.folded: dict[str, list[_Entry]] = {}  # diacritics stripped
        self.phrases_exact: dict[tuple[str, ...], list[_Entry]] = {}
        self.phrases_folded: dict[tuple[str, ...], list[_Entry]] = {}
        self.cjk: list[tuple[str, _Entry]] = []
        self.genera: dict[str, str] = {}  # folded genus -> taxon name (explicit or derived)
        self.genus_species: dict[str, list[str]] = {}  # genus taxon -> species names
        self.sci_keys: list[str] = []
        self.sci_names: list[str] = []
        self.common_keys: list[str] = []
        self.common_taxa: list[str] = []
        self.max_phrase = 1

        derived_genera: dict[str, list[str]] = {}
        for r in rows:
            name = r["accepted_name"].strip()
            if not name:
                continue
            en = [x.strip() for x in r.get("common_en", "").split("|") if x.strip()]
            self.taxa[name] = Taxon(
                name=name,
                rank=r["rank"].strip(),
                family=r.get("family", "").strip() or None,
                order=r.get("order", "").strip() or None,
                class_name=r.get("class", "").strip() or None,
                appendix=r.get("cites_appendix", "").strip() or None,
                appendix_uncertain=r.get("appendix_uncertain", "").strip().lower() in ("yes", "true", "1"),
                common_name=en[0] if en else None,
                parent=r.get("parent", "").strip() or None,
                note=r.get("note", "").strip() or None,
            )
            if r["rank"].strip() in ("species", "subspecies"):
                derived_genera.setdefault(name.split()[0], []).append(name)
        # derived genus taxa for genera that have no row of their own
        for genus, species in derived_genera.items():
            if genus not in self.taxa:
                first = self.taxa[species[0]]
                apps = {self.taxa[s].appendix for s in species}
                app = apps.pop() if len(apps) == 1 else None
                self.taxa[genus] = Taxon(
                    name=genus,
                    rank="genus",
                    family=first.family,
                    order=first.order,
                    class_name=first.class_name,
                    appendix=app,
                    appendix_uncertain=True,
                    common_name=None,
                    parent=None,
                    note="genus derived from the checklist; not every species of it may be listed",
                )
            self.genus_species.setdefault(genus, []).extend(species)
        for name, t in self.taxa.items():
            if t.rank == "genus":
                self.genera[strip_marks(name.lower())] = name

        for r in rows:
            name = r["accepted_name"].strip()
            if not name:
                continue
            self._add(name, name, "scientific", None)
            for syn in r.get("synonyms", "").split("|"):
                syn = syn.strip()
                if syn:
                    self._add(syn, name, "synonym", None)
                    if len(syn.split()) == 1 and syn[0].isupper():
                        # a genus synonym ("Manta" -> Mobula, "Tridacna" -> Tridacnidae)
                        self.genera.setdefault(strip_marks(syn.lower()), name)
            for lang in _LANGS:
                for cn in r.get(f"common_{lang}", "").split("|"):
                    cn = cn.strip()
                    if cn:
                        self._add(cn, name, f"common:{lang}", lang)
            for word in r.get("commodities", "").split("|"):
                word = word.strip()
                if word:
                    self._add(word, name, "commodity", None)
        # fuzzy candidate lists
        for key, entries in self.folded.items():
            for e in entries:
                if e.kind in ("scientific", "synonym") and " " in key:
                    self.sci_keys.append(key)
                    self.sci_names.append(e.taxon)
                elif e.kind.startswith("common") and len(key) >= 6 and e.lang != "vi":
                    self.common_keys.append(key)
                    self.common_taxa.append(e.taxon)
        self.cjk.sort(key=lambda x: -len(x[0]))

    def _add(self, text: str, taxon: str, kind: str, lang: str | None) -> None:
        toks = _tokens(text)
        if not toks:
            return
        ftoks = _fold_tokens(toks)
        e = _Entry(taxon, kind, tuple(toks), lang)
        ex_key = " ".join(toks)
        fo_key = " ".join(ftoks)
        _append_unique(self.exact, ex_key, e)
        single = len(toks) == 1
        is_cjk = bool(_CJK_RE.search(text))
        if is_cjk:
            if len(text.strip()) >= 2:
                self.cjk.append((_lower(text.strip()), e))
            return
        if not (lang == "vi" and single):
            # one Vietnamese syllable means something else with other tones ("voi"/"vòi")
            _append_unique(self.folded, fo_key, e)
        # phrase search inside longer text
        searchable = len(toks) >= 2 or (len(toks[0]) >= 5 and fo_key not in _AMBIGUOUS_WORDS) or toks[0] in _SAFE_SHORT
        if kind in ("scientific", "synonym") and single:
            searchable = searchable and _capitalised(text)
        if searchable:
            if lang == "vi" and single:
                _append_unique(self.phrases_exact, tuple(toks), e)
            else:
                _append_unique(self.phrases_folded, tuple(ftoks), e)
                if lang == "vi":
                    _append_unique(self.phrases_exact, tuple(toks), e)
            self.max_phrase = max(self.max_phrase, len(toks))

    # -- taxonomy helpers
    def ancestors(self, name: str) -> set[str]:
        out: set[str] = set()
        todo = [name]
        while todo:
            n = todo.pop()
            t = self.taxa.get(n)
            if t is None:
                continue
            cands = [t.family, t.order, t.class_name, t.parent]
            if t.rank in ("species", "subspecies"):
                cands.append(n.split()[0])
            for c in cands:
                if c and c != n and c not in out:
                    out.add(c)
                    todo.append(c)
        return out


def _capitalised(text: str) -> bool:
    """Single-word scientific names are searched in text only when capitalised
    in the checklist (genera/families), which they always are."""
    return text[:1].isupper()


def _append_unique(d: dict, key, e: _Entry) -> None:
    lst = d.setdefault(key, [])
    for x in lst:
        if x.taxon == e.taxon and x.kind == e.kind:
            return
    lst.append(e)


@functools.lru_cache(maxsize=1)
def _checklist() -> _Checklist:
    with open(_data_path(), encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return _Checklist(rows)


def load_checklist() -> dict[str, Taxon]:
    """The bundled checklist as {accepted name: Taxon} (genera derived from
    species rows included)."""
    return dict(_checklist().taxa)


# ---------------------------------------------------------------------------


def _result(raw: Any, taxon: str, matched_on: str, note: str | None = None) -> SpeciesValue:
    cl = _checklist()
    t = cl.taxa[taxon]
    notes = [note] if note else []
    if t.appendix_uncertain:
        notes.append("CITES appendix uncertain/partial: check Species+")
    return SpeciesValue(
        raw=raw,
        value=t.name,
        ok=True,
        note="; ".join(notes) or None,
        rank=t.rank,
        appendix=t.appendix,
        matched_on=matched_on,
        family=t.family,
        order=t.order,
        class_name=t.class_name,
        common_name=t.common_name,
    )


def _pick(entries: list[_Entry]) -> _Entry | None:
    """Several taxa under one key: prefer scientific > synonym > common > commodity;
    if still several distinct taxa, prefer the most specific when they nest."""
    if not entries:
        return None
    order = {"scientific": 0, "synonym": 1, "commodity": 3}
    entries = sorted(entries, key=lambda e: order.get(e.kind, 2))
    taxa = {e.taxon for e in entries}
    if len(taxa) == 1:
        return entries[0]
    best = entries[0]
    if best.kind in ("scientific", "synonym"):
        return best
    resolved = _most_specific(taxa)
    if resolved is None:
        return None
    for e in entries:
        if e.taxon == resolved:
            return e
    return None


def _most_specific(taxa: set[str]) -> str | None:
    cl = _checklist()
    for t in taxa:
        anc = cl.ancestors(t)
        if all(o == t or o in anc for o in taxa):
            return t
    return None


def _has_negative(tokens_fold: list[str], text_lower: str, tokens: list[str] | None = None) -> str | None:
    for t in tokens_fold:
        if t in _NEGATIVE:
            return t
    for t in tokens or ():
        if t in _NEGATIVE_EXACT:
            return t
    for w in _NEGATIVE_CJK:
        if w in text_lower:
            return w
    return None


def _match_whole(text: str) -> SpeciesValue | None:
    cl = _checklist()
    toks = _tokens(text)
    if not toks:
        return None
    key = " ".join(toks)
    entries = cl.exact.get(key)
    if not entries:
        entries = cl.folded.get(" ".join(_fold_tokens(toks)))
    if not entries and _CJK_RE.search(text):
        entries = [e for k, e in cl.cjk if k == _lower(text.strip())] or None
    if not entries:
        return None
    e = _pick(entries)
    if e is None:
        taxa = sorted({x.taxon for x in entries})
        return SpeciesValue(raw=text, value=None, ok=False, note="ambiguous name: " + ", ".join(taxa))
    kind = e.kind
    if kind == "scientific" and cl.taxa[e.taxon].rank == "genus":
        kind = "genus"
    return _result(text, e.taxon, kind)


_LATIN_ENDINGS = ("us", "um", "a", "is", "e", "i", "ae", "ii")


def _stem(epithet: str) -> str:
    for end in sorted(_LATIN_ENDINGS, key=len, reverse=True):
        if epithet.endswith(end) and len(epithet) - len(end) >= 4:
            return epithet[: -len(end)]
    return epithet


def _match_scientific_strict(text: str) -> SpeciesValue | None:
    """Exact scientific names at the start of the text: trinomial, binomial,
    or a single scientific word (genus, family ...) alone or with "spp."."""
    cl = _checklist()
    toks = _fold_tokens(_tokens(text))
    if not toks or not toks[0].isalpha():
        return None
    for n in (3, 2):
        if len(toks) >= n:
            entries = cl.folded.get(" ".join(toks[:n]))
            if entries:
                sci = [e for e in entries if e.kind in ("scientific", "synonym")]
                if sci:
                    e = sci[0]
                    note = None
                    if len(toks) > n and toks[n] not in _GENUS_QUALIFIERS and not toks[n].isdigit():
                        note = "extra words ignored: " + " ".join(toks[n:])[:60]
                    return _result(text, e.taxon, e.kind, note)
    if len(toks) == 1 or toks[1] in _GENUS_QUALIFIERS:
        entries = [e for e in cl.folded.get(toks[0], []) if e.kind in ("scientific", "synonym")]
        if entries:
            e = entries[0]
            kind = e.kind
            if kind == "scientific" and cl.taxa[e.taxon].rank == "genus":
                kind = "genus"
            return _result(text, e.taxon, kind)
    return None


def _match_scientific_loose(text: str) -> SpeciesValue | None:
    """Known genus + unknown epithet: Latin gender endings, strict fuzzy
    epithet match within the genus, else the genus itself (when wholly listed)."""
    cl = _checklist()
    toks = _fold_tokens(_tokens(text))
    if len(toks) < 2 or not toks[0].isalpha():
        return None
    genus = cl.genera.get(toks[0])
    if genus is None:
        return None
    gt = cl.taxa[genus]
    epithet = toks[1]
    if not epithet.isalpha() or len(epithet) < 3:
        return None
    species = cl.genus_species.get(genus, [])
    # Latin gender endings: javanicus ~ javanica
    stem = _stem(epithet)
    for sp in species:
        sp_ep = strip_marks(sp.split()[1].lower())
        if _stem(sp_ep) == stem:
            return _result(text, sp, "fuzzy:scientific", f"epithet ending differs ('{epithet}' ~ '{sp_ep}')")
    if species and len(epithet) >= 5:
        eps = [strip_marks(sp.split()[1].lower()) for sp in species]
        hits = process.extract(epithet, eps, scorer=fuzz.ratio, limit=2, score_cutoff=80)
        if hits and (len(hits) == 1 or hits[0][1] - hits[1][1] >= 8):
            sp = species[hits[0][2]]
            return _result(text, sp, "fuzzy:scientific", f"misspelt epithet '{epithet}' (score {hits[0][1]:.0f})")
    # unknown species of a known genus
    if gt.rank == "genus" and not gt.appendix_uncertain:
        return _result(
            text,
            genus,
            "genus",
            f"species '{toks[0]} {epithet}' not in checklist; resolved to genus {genus}",
        )
    return SpeciesValue(
        raw=text,
        value=None,
        ok=False,
        note=f"species '{toks[0]} {epithet}' not in checklist (genus {genus} only partly listed)",
    )


def _match_phrases(text: str) -> SpeciesValue | None:
    cl = _checklist()
    toks = _tokens(text)
    ftoks = _fold_tokens(toks)
    for mask in _MASK_PHRASES:
        n = len(mask)
        for i in range(len(ftoks) - n + 1):
            if tuple(ftoks[i : i + n]) == mask:
                for j in range(i, i + n):
                    ftoks[j] = toks[j] = "\x00"
    found: list[tuple[int, int, _Entry]] = []  # (start, end, entry) in token positions
    n_max = min(cl.max_phrase, len(toks))
    for i in range(len(toks)):
        for n in range(n_max, 0, -1):
            if i + n > len(toks):
                continue
            es = cl.phrases_folded.get(tuple(ftoks[i : i + n])) or cl.phrases_exact.get(tuple(toks[i : i + n]))
            if es:
                for e in es:
                    found.append((i, i + n, e))
    # CJK substrings (character positions mapped to a separate coordinate space)
    low = _lower(text)
    cjk_found: list[tuple[int, int, _Entry]] = []
    if _CJK_RE.search(low):
        for key, e in cl.cjk:
            start = low.find(key)
            while start >= 0:
                cjk_found.append((start, start + len(key), e))
                start = low.find(key, start + 1)
    if not found and not cjk_found:
        return None

    def drop_contained(spans):
        keep = []
        for s, e_, ent in spans:
            inner = any((s2 <= s and e_ <= e2) and (e2 - s2) > (e_ - s) for s2, e2, _ in spans)
            if not inner:
                keep.append((s, e_, ent))
        return keep

    spans = drop_contained(found) + drop_contained(cjk_found)
    if not cjk_found and all(s == 0 and e_ == 1 and ent.kind in ("scientific", "synonym") for s, e_, ent in spans):
        return None  # only a leading genus word: let the scientific-name rules decide
    taxa = {ent.taxon for _, _, ent in spans}
    best = _most_specific(taxa)
    if best is None:
        names = sorted(taxa)
        return SpeciesValue(raw=text, value=None, ok=False, note="several taxa mentioned: " + ", ".join(names))
    kinds = [ent.kind for _, _, ent in spans if ent.taxon == best]
    kind = sorted(kinds, key=lambda k: {"scientific": 0, "synonym": 1, "commodity": 3}.get(k, 2))[0]
    if kind == "scientific" and cl.taxa[best].rank == "genus":
        kind = "genus"
    neg = _has_negative(ftoks, low, toks)
    if neg and kind not in ("scientific", "synonym"):
        return SpeciesValue(
            raw=text,
            value=None,
            ok=False,
            note=f"'{neg}' suggests a non-CITES look-alike (would have matched {best})",
        )
    return _result(text, best, kind, "matched inside longer text" if len(toks) > 1 else None)


def _match_fuzzy(text: str) -> SpeciesValue | None:
    cl = _checklist()
    key = " ".join(_fold_tokens(_tokens(text)))
    if len(key) < 6 or len(key) > 60:
        return None
    pools = []
    if " " in key:
        pools.append((cl.sci_keys, cl.sci_names, "fuzzy:scientific"))
    pools.append((cl.common_keys, cl.common_taxa, "fuzzy:common"))
    for keys, names, label in pools:
        hits = process.extract(key, keys, scorer=fuzz.ratio, limit=6, score_cutoff=85)
        if not hits:
            continue
        bkey, bscore, bi = hits[0]
        btaxon = names[bi]
        threshold = 90 if len(key) < 8 else 85
        if bscore < threshold or bkey[0] != key[0]:
            continue
        rival = [s for k, s, i in hits[1:] if names[i] != btaxon and names[i] not in _checklist().ancestors(btaxon)]
        if rival and bscore - max(rival) < 5:
            return None
        return _result(text, btaxon, label, f"fuzzy match to '{bkey}' (score {bscore:.0f})")
    return None


def _resolve(text: str) -> SpeciesValue:
    if len(text) > 500:
        text_for_match = text[:500]
    else:
        text_for_match = text
    for fn in (_match_whole, _match_scientific_strict, _match_phrases, _match_scientific_loose, _match_fuzzy):
        r = fn(text_for_match)
        if r is not None:
            return replace_raw(r, text)
    return SpeciesValue(raw=text, value=None, ok=False, note="unknown taxon (not in checklist)")


@functools.lru_cache(maxsize=65_536)
def _normalize_text(text: str) -> SpeciesValue:
    return _resolve(text)


def normalize_species(raw: Any) -> SpeciesValue:
    """Resolve a species/commodity description to an accepted CITES taxon.

    ``.value`` is the accepted scientific name (a species, or a genus/family
    for generic inputs such as "Manis spp.", "ivory" or "rhino horn"),
    ``.appendix`` the CITES appendix as listed in the checklist and
    ``.matched_on`` how it was found.  Unknown input keeps ``raw`` with
    ``ok=False``.  Never raises.
    """
    try:
        if is_blank(raw):
            return SpeciesValue(raw=raw, value=None, ok=False, note="blank")
        if isinstance(raw, (bool, int, float)):
            return SpeciesValue(raw=raw, value=None, ok=False, note="number is not a taxon")
        text = raw.strip() if type(raw) is str else clean_text(raw)
        if not text:
            return SpeciesValue(raw=raw, value=None, ok=False, note="blank")
        if len(text) > 2_000:
            text = text[:2_000]
        return replace_raw(_normalize_text(text), raw)
    except Exception as exc:  # pragma: no cover - defensive
        return SpeciesValue(raw=raw, value=None, ok=False, note=f"error: {exc!r}")


def normalize_species_series(series):
    """Vectorised helper: one resolution per distinct value.  Returns a
    DataFrame with columns value, rank, appendix, matched_on, ok, note."""
    return map_unique_frame(normalize_species, ("value", "rank", "appendix", "matched_on", "ok", "note"), series)
