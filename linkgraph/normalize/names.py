"""Person-name normalisation for comparison across agencies, scripts and naming orders.

The same man appears as "Nguyễn Văn Hùng" in a customs seizure register, "NGUYEN V. HUNG" on an airway
bill and "Hung Nguyen Van" in a police report.  :func:`normalize_person_name` turns each of them into a
:class:`NameValue` whose ``key`` (sorted core tokens, ASCII, casefolded) is the same, while keeping what
is needed to tell namesakes apart later: the original order, initials, the Vietnamese gender marker
(Văn/Thị), and given/family guesses.

Steps: NFKC, alias split ("X @ Y", "X a.k.a. Y"), script detection, CJK/Hangul family-name split,
transliteration to ASCII (anyascii), casefold, punctuation and spacing, honorifics and titles removed
(Mr, Dr, Alhaji, Hajji, Chief, Mzee, Ông, Bà, ...), generational suffixes (Jr, Sr, III) removed,
particles and patronymic markers separated (bin, binti, ibn, van, de, da, dos, al-, el-...), initials
kept as initials ("V." -> "v"), and abbreviations expanded ("Mohd" -> "muhammad").

:func:`name_key` is the cheap cached form for blocking and identity; :func:`phonetic_key` is a
consonant-skeleton code for blocking that makes "Mohammed", "Muhammad" and Arabic-script "محمد" agree.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from anyascii import anyascii

__all__ = [
    "NameValue",
    "normalize_person_name",
    "name_key",
    "name_tokens",
    "phonetic_key",
    "phonetic_name_key",
]


@dataclass(frozen=True, slots=True)
class NameValue:
    """A normalised person name.

    ``value`` is the display form (original script kept, titles removed, spacing cleaned);
    ``ascii`` its transliteration; ``key`` the order-insensitive comparison key (sorted core tokens);
    ``tokens`` the normalised ASCII tokens in their original order (particles, markers and initials
    included, honorifics excluded); ``core`` the tokens that carry identity (no particles, markers or
    initials), in original order.
    """

    raw: str | None
    value: str
    key: str
    tokens: tuple[str, ...] = ()
    core: tuple[str, ...] = ()
    given: str | None = None
    family: str | None = None
    middle: tuple[str, ...] = ()
    initials: tuple[str, ...] = ()
    honorifics: tuple[str, ...] = ()
    particles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    ascii: str = ""
    script: str = "latin"
    order: str = "unknown"  # family_first | given_first | unknown
    gender_marker: str | None = None  # Vietnamese "van" (male) / "thi" (female)
    note: str = ""

    @property
    def ordered_key(self) -> str:
        """Core tokens in their original order."""
        return " ".join(self.core)

    @property
    def phonetic(self) -> tuple[str, ...]:
        return tuple(phonetic_key(t) for t in self.core)

    @property
    def is_empty(self) -> bool:
        return not self.key and not self.initials

    def __bool__(self) -> bool:  # pragma: no cover - convenience
        return not self.is_empty


# --------------------------------------------------------------------------- vocabularies

# Unambiguous titles, removed wherever they lead the name (several may follow each other).
_TITLES = frozenset(
    """
    mr mrs ms mss miss mx dr doctor prof professor sir dame madam madame monsieur mme mlle
    herr frau senor senora senorita sra srta sr. signor signora gospodin gospozha
    alhaji alhaja alhajji alhaj alhadji hajia hajiya hajja hajjah hajji haji hadji hadj hajj hj hjh
    chief mzee mwalimu bwana sheikh shaikh sheik shaykh sayyid imam ustaz ustadh ustadz mullah
    engr capt captain col colonel gen general maj major lt lieut lieutenant sgt sergeant cpl
    corporal pte insp inspector supt superintendent cmdr commander adm admiral cdr brig brigadier
    rev revd reverend pastor bishop fr hon honourable honorable excellency
    datuk dato datin tun tunku tengku encik cik puan
    shri shrimati smt
    """.split()
)
# Multi-token titles (matched on the token sequence).
_TITLE_SEQS = (
    ("tan", "sri"),
    ("puan", "sri"),
    ("toh", "puan"),
    ("yang", "berhormat"),
    ("his", "excellency"),
    ("her", "excellency"),
    ("the", "honourable"),
    ("the", "honorable"),
)
# Titles that are also common name tokens: removed only in their diacritic (Vietnamese) spelling.
_TITLES_DIACRITIC = frozenset(["ông", "bà", "cô", "chị", "ngài", "cụ", "chú", "bác", "thầy"])
# Generational and degree suffixes removed from the end.
_SUFFIXES = frozenset("jr jnr junior sr snr senior ii iii iv phd md esq mp dds obe mbe cbe kbe qc kc".split())
# Particles / patronymic markers: kept in ``tokens``, dropped from the comparison key.
_PATRONYMIC = frozenset("bin binti bint bte bt ibn bn ben ould walad".split())
_ARTICLE = frozenset("al el ul ad ar as ash at az".split())  # Arabic article (al-Hassan, el-Sayed)
_WESTERN_PARTICLES = frozenset("van von der den de da das dos du del della di ter ten vander vanden".split())
# particles that may open a name ("De Souza", "Van Dijk", "Al Hassan")
_LEADING_OK = frozenset("van von de da dos du del della di al el".split())
_PARTICLES = _PATRONYMIC | _ARTICLE | _WESTERN_PARTICLES
# articles that are particles only right after another particle ("de la Fontaine", "de los Santos")
_SECOND_PARTICLES = frozenset("la le los las lo y".split())
_FORMULA_RE = re.compile(r"^\s*[=+@\-]\s*[A-Za-z_][A-Za-z0-9_.]*\s*\(")

_ABBREVIATIONS = {
    "mohd": "muhammad",
    "muhd": "muhammad",
    "mohd.": "muhammad",
    "moh": "muhammad",
    "mhd": "muhammad",
    "mohamad": "mohamad",
    "abd": "abdul",
    "abdel": "abdul",
    "wm": "william",
    "chas": "charles",
    "thos": "thomas",
    "jas": "james",
    "geo": "george",
}

# Vietnamese family names. Strong ones decide family-first order on their own.
_VN_STRONG = frozenset(
    """nguyen tran pham huynh hoang phan vo dang bui duong ngo trinh dinh doan truong luong quach
    trieu vuong dao giang""".split()
)
_VN_WEAK = frozenset(
    "le ly ho do vu ha mai lam cao chau ta lai kieu thai tang to luu la khuc mac tong thach kim au "
    "la lu mach nghiem ong chu diep".split()
)
_VN_MARKERS = frozenset(["van", "thi"])
_VN_DIACRITICS = frozenset(
    "ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹĂÂĐÊÔƠƯẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ"
)

_CJK_COMPOUND_SURNAMES = frozenset(
    "欧阳 歐陽 司马 司馬 诸葛 諸葛 上官 东方 東方 皇甫 尉迟 尉遲 公孙 公孫 慕容 令狐 夏侯 长孙 長孫 "
    "宇文 轩辕 軒轅 端木 独孤 獨孤 南宫 南宮 西门 西門 司徒 司空 澹台 澹臺 百里 呼延".split()
)
# Korean surnames: Revised Romanization (what anyascii yields) -> usual passport spelling.
_KOREAN_SURNAMES = {
    "gim": "kim",
    "i": "lee",
    "ri": "lee",
    "yi": "lee",
    "bak": "park",
    "choe": "choi",
    "jeong": "jung",
    "jo": "cho",
    "yun": "yoon",
    "gang": "kang",
    "im": "lim",
    "o": "oh",
    "sin": "shin",
    "gwon": "kwon",
    "an": "ahn",
    "yu": "yoo",
    "go": "ko",
    "mun": "moon",
    "sim": "shim",
    "no": "noh",
    "gwak": "kwak",
    "seong": "sung",
    "ju": "joo",
    "u": "woo",
    "gu": "koo",
    "eom": "um",
    "gil": "kil",
    "gyeong": "kyung",
}

# --------------------------------------------------------------------------- regexes

_ALIAS_RE = re.compile(
    r"\s+(?:@|a\.?\s?k\.?\s?a\.?|alias|also\s+known\s+as|dit|dite|vulgo)\s+|\s*\((?:a\.?k\.?a\.?|alias)\s+",
    re.IGNORECASE,
)
_ZERO_WIDTH_RE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff\u00ad]")
_APOSTROPHES_RE = re.compile("['`\u2018\u2019\u02bb\u02bc\u02be\u02bf\u00b4]")
_SEPARATORS_RE = re.compile(r"[^0-9a-z.\- ]+")
_SPACES_RE = re.compile(r"\s+")
_PLAIN_ASCII_RE = re.compile(r"[A-Za-z][A-Za-z .'\-]*\Z")
_AL_SLASH_RE = re.compile(r"\b[aA]/[lLpP]\b")  # Malaysian-Indian "a/l", "a/p" (son/daughter of)
_ARABIC_ARTICLE_RE = re.compile("(^|\\s)\u0627\u0644")  # word-initial "ال"


def _script_of(text: str) -> str:
    if text.isascii():
        return "latin" if any(c.isalpha() for c in text) else "none"
    scripts = set()
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            if ch.isalpha():
                scripts.add("latin")
            continue
        if 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x2FA1F:
            scripts.add("cjk")
        elif 0xAC00 <= o <= 0xD7AF or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            scripts.add("hangul")
        elif 0x0600 <= o <= 0x06FF or 0x0750 <= o <= 0x077F or 0xFB50 <= o <= 0xFEFF:
            scripts.add("arabic")
        elif 0x0400 <= o <= 0x052F:
            scripts.add("cyrillic")
        elif 0x0E00 <= o <= 0x0E7F:
            scripts.add("thai")
        elif 0x3040 <= o <= 0x30FF:
            scripts.add("kana")
        elif ch.isalpha():
            scripts.add("latin")
    if not scripts:
        return "none"
    if len(scripts) == 1:
        return scripts.pop()
    return "mixed"


def _is_missing(raw) -> bool:
    if raw is None:
        return True
    if isinstance(raw, float) and math.isnan(raw):
        return True
    try:  # pandas NA / NaT without importing pandas
        return bool(raw != raw)
    except (TypeError, ValueError):
        return False


_EMPTY = NameValue(raw=None, value="", key="", note="empty")


def _split_camel(s: str) -> list[str]:
    """anyascii renders each CJK/Hangul syllable capitalised: "XiaoMing" -> ["Xiao", "Ming"]."""
    return re.findall(r"[A-Z][a-z]*|[a-z]+", s)


def _cjk_parts(run: str, script: str) -> tuple[str, str]:
    """Split a space-less CJK/Hangul name into (family, given) ASCII parts."""
    fam_len = 2 if run[:2] in _CJK_COMPOUND_SURNAMES and len(run) > 2 else 1
    fam = anyascii(run[:fam_len])
    given = anyascii(run[fam_len:])
    fam_t = "".join(_split_camel(fam)).lower()
    if script == "hangul":
        fam_t = _KOREAN_SURNAMES.get(fam_t, fam_t)
    return fam_t, "".join(_split_camel(given)).lower()


def _clean_display(text: str) -> str:
    text = _SPACES_RE.sub(" ", text).strip(" ,;")
    if text.isascii():
        return text.title() if text.isupper() else text
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters) and any(c.isascii() for c in letters):
        text = text.title()
    return text


def _tokenize_ascii(text: str) -> list[str]:
    """ASCII text -> tokens; periods split initials ("J.R." -> j, r), hyphens join ("Xiao-Ming")."""
    text = _APOSTROPHES_RE.sub("", text).casefold()
    text = _SEPARATORS_RE.sub(" ", text)
    out: list[str] = []
    for tok in text.split():
        if "." in tok:
            parts = [p for p in tok.split(".") if p]
            if not parts:
                continue
            if all(len(p.replace("-", "")) == 1 for p in parts):
                out.extend(p.replace("-", "") for p in parts)
                continue
            # "mohd." -> "mohd"; "st.john" -> "st", "john"
            tok = " ".join(parts)
            for p in tok.split():
                out.extend(_split_hyphen(p))
            continue
        out.extend(_split_hyphen(tok))
    return [t for t in out if t and any(c.isalpha() for c in t)]


def _split_hyphen(tok: str) -> list[str]:
    if "-" not in tok:
        return [tok]
    parts = [p for p in tok.split("-") if p]
    if not parts:
        return []
    # Arabic article / patronymic prefix: al-Hassan, el-Sayed, bin-Laden
    if len(parts) >= 2 and parts[0] in _ARTICLE | _PATRONYMIC:
        return [parts[0], "".join(parts[1:])]
    return ["".join(parts)]


@lru_cache(maxsize=65536)
def phonetic_key(token: str) -> str:
    """Consonant skeleton of an ASCII name token, for blocking and a "sounds alike" level.

    Digraphs folded (ph->f, kh/ck/q/c->k, th->t, sh/ch/x/z->s-ish, w->v), vowels and ``y`` dropped
    (also at the start: Arabic-script names transliterate without vowels), doubled letters collapsed;
    tokens of one or two letters with a vowel are kept as they are (Le, Ly, Ho, Vu are different names).
    "mohammed", "muhammad", "mhmd" -> "mhmd"; "nguyen" -> "ngn"; "hassan", "hsn" -> "hsn".
    Returns the token itself if it would be empty (e.g. "ai").
    """
    t = token.lower()
    if not t:
        return ""
    if len(t) <= 2 and any(c in "aeiou" for c in t):
        return t.replace("y", "i")  # short names keep their vowels: Le != Ly, Ho != Hu, Vu != Vo
    t = (
        t.replace("sch", "s")
        .replace("ph", "f")
        .replace("ck", "k")
        .replace("kh", "k")
        .replace("gh", "g")
        .replace("th", "t")
        .replace("dh", "d")
        .replace("sh", "s")
        .replace("ch", "s")
        .replace("tz", "s")
        .replace("q", "k")
        .replace("c", "k")
        .replace("x", "ks")
        .replace("z", "s")
        .replace("w", "v")
        .replace("j", "j")
    )
    out = []
    prev = ""
    for ch in t:
        if ch in "aeiouy" or not ch.isalpha():
            prev = ""  # a vowel separates doubles: "hanan" keeps both n
            continue
        if ch != prev:
            out.append(ch)
        prev = ch
    code = "".join(out)
    return code or t


def phonetic_name_key(raw) -> str:
    """Sorted phonetic skeletons of the core tokens: "Mohammed Hassan" == "محمد حسن"."""
    nv = normalize_person_name(raw)
    return " ".join(sorted(phonetic_key(t) for t in nv.core))


def normalize_person_name(raw) -> NameValue:
    """Normalise a person name; never raises (an unusable value gives an empty key and a note)."""
    if _is_missing(raw):
        return _EMPTY
    if not isinstance(raw, str):
        raw = str(raw)
    return _normalize_cached(raw)


@lru_cache(maxsize=262144)
def _normalize_cached(raw: str) -> NameValue:
    notes: list[str] = []
    text = unicodedata.normalize("NFKC", raw)
    if not text.isascii():
        text = _ZERO_WIDTH_RE.sub("", text)
    if not text.isprintable():
        text = "".join(" " if unicodedata.category(c)[0] == "C" else c for c in text)
    if _FORMULA_RE.match(text):
        return NameValue(raw=raw, value="", key="", note="formula-like value ignored")
    text = text.strip().lstrip("=+@").strip()  # spreadsheet formula prefixes are not part of a name
    if not text:
        return NameValue(raw=raw, value="", key="", note="empty")

    # aliases: "Ahmad bin Ali @ Mat Botak", "Hung a.k.a. Hung Beo", "X (alias Y)"
    aliases: tuple[str, ...] = ()
    parts = _ALIAS_RE.split(text) if ("@" in text or "(" in text or " " in text.strip()) else [text]
    if len(parts) > 1:
        text = parts[0].strip()
        aliases = tuple(p.strip(" )") for p in parts[1:] if p.strip(" )"))
        notes.append("aliases split")
    if "/" in text:
        text = _AL_SLASH_RE.sub(" bin ", text)

    display = _clean_display(text)
    script = _script_of(text)

    # Family-first hints before transliteration.
    comma_family: list[str] | None = None
    if text.count(",") == 1:
        left, right = (s.strip() for s in text.split(","))
        right_l = right.casefold().strip(". ")
        if left and right and right_l not in _SUFFIXES:
            comma_family = _tokenize_ascii(anyascii(left))
            text = left + " " + right
            notes.append("comma form: family first")
    is_ascii = text.isascii()
    vietnamese = False if is_ascii else any(c in _VN_DIACRITICS for c in text)

    # Honorifics in their diacritic form (Ông, Bà ...) and ALL-CAPS family tokens (passport style).
    honorifics: list[str] = []
    raw_tokens = text.replace(",", " ").split()
    while len(raw_tokens) > 1 and raw_tokens[0].casefold().strip(".") in _TITLES_DIACRITIC:
        honorifics.append(anyascii(raw_tokens.pop(0).casefold().strip(".")))
        vietnamese = True
    caps_family: set[str] = set()
    has_lower = any(c.islower() for c in text)
    if has_lower and script in ("latin", "mixed", "cyrillic"):
        for rt in raw_tokens:
            letters = [c for c in rt if c.isalpha()]
            if len(letters) >= 2 and all(c.isupper() for c in letters):
                caps_family.update(_tokenize_ascii(anyascii(rt)))

    # Transliterate. CJK / Hangul runs without spaces are split family | given first.
    order = "unknown"
    cjk_family: str | None = None
    if script in ("cjk", "hangul") and " " not in text.strip():
        fam, given = _cjk_parts(text.strip(), script)
        tokens = [t for t in (fam, given) if t]
        cjk_family = fam
        order = "family_first"
        ascii_text = " ".join(tokens)
    else:
        if script == "arabic" or script == "mixed":
            raw_tokens = [_ARABIC_ARTICLE_RE.sub(r"\1al ", t) for t in raw_tokens]
        pieces = []
        for rt in raw_tokens:
            if script in ("cjk", "hangul") and any(ord(c) > 0x3000 for c in rt):
                f, g = _cjk_parts(rt, script)
                pieces.append(f + g if pieces else f"{f} {g}")
                if not pieces[:-1]:
                    cjk_family = f
            else:
                pieces.append(anyascii(rt) if not rt.isascii() else rt)
        ascii_text = " ".join(pieces)
        tokens = _tokenize_ascii(ascii_text)
        if cjk_family:
            order = "family_first"

    # Leading titles (possibly several: "Alhaji Chief Dr ..."), multi-word titles.
    changed = True
    while changed and len(tokens) > 1:
        changed = False
        for seq in _TITLE_SEQS:
            n = len(seq)
            if len(tokens) > n and tuple(tokens[:n]) == seq:
                honorifics.append(" ".join(seq))
                del tokens[:n]
                changed = True
        if len(tokens) > 1 and tokens[0] in _TITLES:
            honorifics.append(tokens.pop(0))
            changed = True
    while len(tokens) > 1 and tokens[-1] in _SUFFIXES:
        honorifics.append(tokens.pop())
    if honorifics:
        notes.append("honorifics removed: " + ", ".join(honorifics))

    tokens = [_ABBREVIATIONS.get(t, t) for t in tokens]
    if any(c for c in tokens if c == "muhammad") and "mohd" in raw.casefold():
        notes.append("abbreviation expanded")

    # Vietnamese detection and markers.
    if not vietnamese and tokens:
        if tokens[0] in _VN_STRONG or (len(tokens) >= 2 and tokens[-1] in _VN_STRONG and len(tokens) <= 4):
            vietnamese = True
        elif any(t in _VN_MARKERS for t in tokens[1:]) and any(t in _VN_STRONG or t in _VN_WEAK for t in tokens):
            vietnamese = True
        elif len(tokens) >= 3 and tokens[-1] in _VN_MARKERS:
            vietnamese = True  # "Minh Nguen Van": a trailing Van/Thi is Vietnamese, never a Dutch particle
    gender_marker = None

    # Classify tokens.
    core: list[str] = []
    initials: list[str] = []
    particles: list[str] = []
    n = len(tokens)
    for i, t in enumerate(tokens):
        if vietnamese and t in _VN_MARKERS and n > 2:
            gender_marker = gender_marker or t
            particles.append(t)
            continue
        if t in _PARTICLES and n > 1 and i < n - 1:
            if i > 0 or t in _LEADING_OK:
                particles.append(t)
                continue
        if t in _SECOND_PARTICLES and i > 0 and i < n - 1 and tokens[i - 1] in _WESTERN_PARTICLES:
            particles.append(t)
            continue
        if len(t) == 1:
            initials.append(t)
            continue
        core.append(t)
    if not core and initials:
        notes.append("initials only")

    # Given / family guesses.
    given = family = None
    middle: list[str] = []
    if core:
        if comma_family is not None:
            fam_core = [t for t in core if t in set(comma_family)]
            family = fam_core[-1] if fam_core else core[0]
            rest = [t for t in core if t not in set(comma_family)]
            given = rest[0] if rest else None
            middle = rest[1:]
            order = "family_first"
        elif cjk_family is not None:
            family = cjk_family if cjk_family in core else core[0]
            rest = [t for t in core if t != family]
            given = "".join(rest) if rest else None
            order = "family_first"
        elif caps_family and any(t in caps_family for t in core) and not all(t in caps_family for t in core):
            fam = [t for t in core if t in caps_family]
            family = fam[-1]
            rest = [t for t in core if t not in caps_family]
            given = rest[0] if rest else None
            middle = rest[1:]
            order = "family_first" if core[0] in caps_family else "given_first"
        elif vietnamese:
            vn_idx = [i for i, t in enumerate(core) if t in _VN_STRONG or t in _VN_WEAK]
            strong = [i for i in vn_idx if core[i] in _VN_STRONG]
            idx = (strong or vn_idx or [0])[0]
            if len(core) >= 2 and core[0] not in _VN_STRONG and core[-1] in _VN_STRONG:
                idx = len(core) - 1
            elif not vn_idx and len(core) >= 2 and tokens and tokens[-1] in _VN_MARKERS:
                idx = len(core) - 1  # "Given Family Van" (family name moved before the marker)
            family = core[idx]
            rest = core[:idx] + core[idx + 1 :]
            if idx == 0:
                order = "family_first"
                given = rest[-1] if rest else None  # Vietnamese given name is the last token
                middle = rest[:-1]
            else:
                order = "given_first"
                given = rest[0] if rest else None
                middle = rest[1:]
        elif len(core) == 1:
            family = core[0] if (initials or (particles and any(p in _ARTICLE for p in particles))) else None
            given = None if family else core[0]
        else:
            given = core[0]
            family = core[-1]
            middle = core[1:-1]
            if particles and any(p in _PATRONYMIC for p in particles):
                order = "given_first"  # Ahmad bin Ali: father's name stands in for the family name
        if given and middle and not vietnamese and cjk_family is None and _devotional(given, particles):
            # Malay "Mohd Faizal bin Osman" is called Faizal: Muhammad / Siti before a personal name is not the
            # given name (it stays in the key). Spelt out in full ("Mohamad", "Muhammed") it is taken for a
            # prefix only beside a patronymic marker: "Mohamed Salah Ghaly" is called Mohamed.
            given, middle = middle[0], middle[1:]
            notes.append("devotional prefix: " + core[core.index(given) - 1])
        if order == "unknown" and len(core) >= 2 and not vietnamese and cjk_family is None:
            order = "given_first" if comma_family is None else "family_first"

    key = " ".join(sorted(core))
    ascii_display = " ".join(tokens)
    return NameValue(
        raw=raw,
        value=display,
        key=key,
        tokens=tuple(tokens),
        core=tuple(core),
        given=given,
        family=family,
        middle=tuple(middle),
        initials=tuple(initials),
        honorifics=tuple(honorifics),
        particles=tuple(particles),
        aliases=aliases,
        ascii=ascii_display,
        script=script,
        order=order,
        gender_marker=gender_marker,
        note="; ".join(notes),
    )


# Given names that Malay (and much Muslim South-East Asian) naming puts before the personal name; "Mohd",
# "Muhd" and "Mhd" are expanded to "muhammad" by the abbreviations above.
_DEVOTIONAL = frozenset({"muhammad", "siti"})


def _devotional(token: str, particles) -> bool:
    if token in _DEVOTIONAL:
        return True
    return phonetic_key(token) == phonetic_key("muhammad") and any(p in _PATRONYMIC for p in particles)


_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_MAX = 1_000_000


def name_key(raw) -> str:
    """Order-insensitive comparison key: sorted core tokens ("hung nguyen").  Cached; never raises.

    All of "Nguyễn Văn Hùng", "NGUYEN V. HUNG", "Hung Nguyen Van" and "Mr. Hung NGUYEN" give
    "hung nguyen".  Initials, particles (bin, al, van...) and titles are not part of the key.
    """
    try:
        return _KEY_CACHE[raw]
    except KeyError:
        pass
    except TypeError:  # unhashable
        return normalize_person_name(raw).key
    if _is_missing(raw):
        return ""
    key = normalize_person_name(raw).key
    if len(_KEY_CACHE) >= _KEY_CACHE_MAX:
        _KEY_CACHE.clear()
    _KEY_CACHE[raw] = key
    return key


def name_tokens(raw) -> tuple[str, ...]:
    """Normalised ASCII tokens in original order (titles removed, particles and initials kept)."""
    return normalize_person_name(raw).tokens
