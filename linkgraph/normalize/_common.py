"""Shared helpers for the value normalisers.

Every normaliser in this package follows the same contract:

* it never raises on junk input (None, NaN, pandas NA/NaT, numbers, lists,
  markup, multi-kilobyte strings ...);
* it returns a small frozen dataclass carrying ``raw`` (the input, verbatim),
  ``value`` (the normalised value or ``None``), ``ok`` and ``note``;
* per-value work is cached (``functools.lru_cache``) on the *text* of the
  value, so repeated values in a million-row import cost a dictionary lookup.

The helpers here are private to the package.
"""

from __future__ import annotations

import dataclasses
import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from anyascii import anyascii

#: Longest text a normaliser looks at.  Longer cells are almost always a
#: mis-mapped column (a narrative pasted into a phone field ...).
MAX_TEXT = 2_000

_WS_RE = re.compile(r"\s+")
# zero-width and BOM characters that survive copy/paste from web pages/PDFs
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def is_blank(raw: Any) -> bool:
    """True for None, NaN, pandas NA/NaT and empty/whitespace strings."""
    if raw is None:
        return True
    if isinstance(raw, str):
        return not raw.strip()
    if isinstance(raw, float):
        return math.isnan(raw)
    name = type(raw).__name__
    if name in ("NAType", "NaTType"):
        return True
    # numpy.float32 nan, numpy.datetime64('NaT'), Decimal('NaN') ...
    try:
        res = raw != raw  # NaN-like values are not equal to themselves
        if (res is True) or (type(res).__name__ == "bool_" and bool(res)):
            return True
    except Exception:  # pragma: no cover - exotic objects
        pass
    return False


def clean_text(raw: Any) -> str:
    """str() of the value, NFC-normalised, invisible chars removed, single-spaced."""
    s = raw if isinstance(raw, str) else str(raw)
    if len(s) > MAX_TEXT * 4:
        s = s[: MAX_TEXT * 4]
    s = unicodedata.normalize("NFKC", s)
    s = _INVISIBLE_RE.sub("", s)
    return _WS_RE.sub(" ", s).strip()


def strip_marks(s: str) -> str:
    """Remove combining diacritics (keeps CJK and other scripts intact)."""
    if s.isascii():
        return s
    decomposed = unicodedata.normalize("NFKD", s)
    out = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    # letters that do not decompose
    return out.translate(_EXTRA_FOLD)


_EXTRA_FOLD = str.maketrans(
    {
        "đ": "d",
        "Đ": "D",
        "ø": "o",
        "Ø": "O",
        "ł": "l",
        "Ł": "L",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ß": "ss",
        "ı": "i",
        "ð": "d",
        "þ": "th",
        "\u2019": "'",
        "\u2018": "'",
        "\u02bc": "'",
        "`": "'",
        "\u00b4": "'",
    }
)

_PUNCT_TO_SPACE = re.compile(r"[^\w\s']|_")


def fold_ascii(s: str) -> str:
    """Aggressive comparison key: ASCII transliteration, lower case, no punctuation."""
    s = anyascii(s).lower()
    s = s.replace("&", " and ")
    s = _PUNCT_TO_SPACE.sub(" ", s)
    s = s.replace("'", "")
    return _WS_RE.sub(" ", s).strip()


def fold_keep_script(s: str) -> str:
    """Lower case, Latin diacritics stripped, punctuation to spaces, CJK kept."""
    s = strip_marks(s.casefold())
    s = _PUNCT_TO_SPACE.sub(" ", s)
    s = s.replace("'", "")
    return _WS_RE.sub(" ", s).strip()


def text_key(raw: Any) -> str | None:
    """Cache key for a raw value: the cleaned text, or None when blank."""
    if is_blank(raw):
        return None
    return clean_text(raw)


_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def replace_raw(result: Any, raw: Any) -> Any:
    """Return ``result`` with ``raw`` swapped in (results are frozen dataclasses
    whose first field is ``raw``).  Equal strings count as the same raw."""
    old = result.raw
    if old is raw or (type(raw) is str and type(old) is str and old == raw):
        return result
    cls = type(result)
    names = _FIELDS_CACHE.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls))
        _FIELDS_CACHE[cls] = names
    return cls(raw, *[getattr(result, n) for n in names[1:]])


def hashable(raw: Any) -> bool:
    try:
        hash(raw)
    except TypeError:
        return False
    return True


def map_unique(values: Iterable[Any], func: Callable[[Any], Any]) -> list[Any]:
    """Apply ``func`` once per distinct value (by type and value), keep order."""
    memo: dict[Any, Any] = {}
    out = []
    for v in values:
        if is_blank(v):
            key = ("<blank>",)
        elif hashable(v):
            key = (type(v), v)
        else:
            out.append(func(v))
            continue
        r = memo.get(key)
        if r is None:
            r = func(v)
            memo[key] = r
        out.append(r)
    return out


def map_unique_frame(func: Callable[..., Any], fields: Sequence[str], series, *others):
    """Normalise a pandas Series once per distinct value (or distinct tuple of
    value and the aligned ``others``) and return a DataFrame of ``fields``.

    Uses ``pandas.factorize`` (C speed) to find the distinct values; falls
    back to a Python loop for unhashable cells.
    """
    import numpy as np
    import pandas as pd

    others = [o.reindex(series.index) if isinstance(o, pd.Series) else o for o in others]
    try:
        codes, uniques = pd.factorize(series, use_na_sentinel=True)
        uniq_vals = list(uniques)
        combos: list[tuple] = [(v,) for v in uniq_vals]
        if any(isinstance(o, pd.Series) for o in others):
            # combine the codes of every aligned column into one key
            n_cols = [len(uniq_vals) + 1]
            all_codes = [codes + 1]
            col_uniques = [[None] + uniq_vals]
            for o in others:
                if isinstance(o, pd.Series):
                    c, u = pd.factorize(o, use_na_sentinel=True)
                    all_codes.append(c + 1)
                    col_uniques.append([None] + list(u))
                    n_cols.append(len(u) + 1)
                else:
                    all_codes.append(np.zeros(len(series), dtype=np.int64))
                    col_uniques.append([o])
                    n_cols.append(1)
            key = np.zeros(len(series), dtype=np.int64)
            for c, n in zip(all_codes, n_cols):
                key = key * n + c
            codes, ukeys = pd.factorize(key)
            combos = []
            for k in ukeys.tolist():
                parts = []
                for n in reversed(n_cols):
                    parts.append(k % n)
                    k //= n
                parts.reverse()
                combos.append(tuple(col_uniques[j][p] for j, p in enumerate(parts)))
            results = [func(*c) for c in combos]
            blank = None
        else:
            extra = tuple(others)
            results = [func(v, *extra) for v in uniq_vals]
            blank = func(None, *extra)
    except TypeError:  # unhashable cells: plain loop with a memo
        rows = list(
            zip(series.tolist(), *[o.tolist() if isinstance(o, pd.Series) else [o] * len(series) for o in others])
        )
        results = map_unique(rows, lambda row: func(*row))
        return results_frame(results, fields, index=series.index)
    data = {}
    for f in fields:
        vals = [getattr(r, f) for r in results]
        vals.append(getattr(blank, f) if blank is not None else None)
        arr = np.empty(len(vals), dtype=object)
        arr[:] = vals
        data[f] = pd.Series(arr[codes], index=series.index, dtype=object)
    return pd.DataFrame(data)


def results_frame(results: Sequence[Any], fields: Sequence[str], index=None):
    """Build a pandas DataFrame of selected result fields (one column per field)."""
    import pandas as pd

    data = {f: [getattr(r, f) for r in results] for f in fields}
    return pd.DataFrame(data, index=index)
