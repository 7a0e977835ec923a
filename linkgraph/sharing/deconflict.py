"""Privacy-preserving target deconfliction: compare identifiers with a partner without showing them.

Both agencies hold the same secret key (`new_key` makes one; pass it over a secure channel). Each makes
tokens — HMAC-SHA256 under that key of a normalised identifier — from its own store, and sends the partner a
file of tokens and kinds only. A token reveals nothing without the key; equal tokens mean the same identifier.

    key = new_key("kws-tpa.key")
    ours = make_tokens(store, key)                 # token, kind, entity_id, caption (keep this)
    write_tokens(ours, "kws_tokens.csv")           # token + kind only (send this)
    match_tokens(ours, "tpa_tokens.csv")           # our entity id and caption for every token both hold

Kinds: phone (E.164), passport, imo (vessels), plate (vehicles), company_reg (organisation registration
numbers), person_dob (normalised person name key + birth date).
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import os
import re
import secrets
from pathlib import Path

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.store import audit

TOKEN_FORMAT = "linkgraph-tokens/1"
KINDS = ("phone", "passport", "imo", "plate", "company_reg", "person_dob")
KEY_BYTES = 32
TOKEN_COLUMNS = ["token", "kind", "entity_id", "caption"]
MATCH_COLUMNS = ["entity_id", "caption", "kind", "token"]


# ------------------------------------------------------------------------------------------------------ keys
def new_key(path: str | Path) -> bytes:
    """Write a new random 256-bit key to `path` (hex, owner-only permissions) and return it; never overwrites."""
    path = Path(path)
    if path.exists():
        raise LinkgraphError(f"{path} exists: a key file is never overwritten (choose another name)")
    key = secrets.token_bytes(KEY_BYTES)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(key.hex() + "\n")
    return key


def load_key(path: str | Path) -> bytes:
    """Read a key file written by `new_key` (64 hex digits)."""
    path = Path(path)
    if not path.is_file():
        raise LinkgraphError(f"key file {path} does not exist")
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not re.fullmatch(r"[0-9a-fA-F]{64,}", text):
        raise LinkgraphError(f"{path} is not a linkgraph key file (64 hex digits)")
    return bytes.fromhex(text)


def key_id(key: bytes) -> str:
    """A short fingerprint of a key, so two token files made with different keys are never compared."""
    return hmac.new(key, b"linkgraph key id", hashlib.sha256).hexdigest()[:12]


def token(key: bytes, kind: str, value: str) -> str:
    """The token of one normalised identifier."""
    return hmac.new(key, f"{kind}\x1f{value}".encode(), hashlib.sha256).hexdigest()


# ---------------------------------------------------------------------------------------------- identifiers
def _alnum(v) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    s = re.sub(r"[^0-9A-Za-z]", "", str(v)).upper()
    return s or None


def _phone(v) -> str | None:
    from linkgraph.normalize import normalize_phone

    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    r = normalize_phone(v)
    return r.value if r.ok and r.value else None


def _passport(v) -> str | None:
    from linkgraph.normalize import normalize_passport

    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    r = normalize_passport(v)
    return _alnum(r.value if r.value else v)


def _imo(v) -> str | None:
    from linkgraph.normalize import normalize_imo

    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    r = normalize_imo(v)
    d = re.sub(r"\D", "", str(r.value or v))
    return d if len(d) == 7 else None


def _plate(v) -> str | None:
    from linkgraph.normalize import normalize_plate

    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    r = normalize_plate(v)
    return _alnum(r.value if r.value else v)


def _person_key(name, birth) -> str | None:
    from linkgraph.normalize.names import name_key

    if name is None or birth is None or (isinstance(birth, float) and pd.isna(birth)) or not str(birth).strip():
        return None
    k = name_key(name)
    b = str(birth).strip()[:10]
    return f"{k}|{b}" if k and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", b) else None


def _q(store, cypher: str) -> list[dict]:
    df = store.query(cypher)
    return df.to_dict("records") if len(df) else []


def identifiers(store) -> pd.DataFrame:
    """Our normalised identifiers in clear: kind, value, entity_id, caption (never leaves this machine)."""
    rows: list[tuple] = []
    for r in _q(store, "MATCH (n:Phone) RETURN n.id AS id, n.caption AS caption, n.number AS v"):
        rows.append(("phone", _phone(r["v"]), r["id"], r["caption"]))
    for r in _q(
        store, "MATCH (n:Identification) RETURN n.id AS id, n.caption AS caption, n.number AS v, n.kind AS kind"
    ):
        if str(r["kind"] or "passport").casefold() == "passport":
            rows.append(("passport", _passport(r["v"]), r["id"], r["caption"]))
    for r in _q(
        store, "MATCH (n:Vehicle) RETURN n.id AS id, n.caption AS caption, n.registration AS v, n.kind AS kind"
    ):
        kind = str(r["kind"] or "").casefold()
        if kind == "vessel":
            rows.append(("imo", _imo(r["v"]), r["id"], r["caption"]))
        elif kind in ("vehicle", ""):
            rows.append(("plate", _plate(r["v"]), r["id"], r["caption"]))
    for r in _q(store, "MATCH (n:Organization) RETURN n.id AS id, n.caption AS caption, n.registration_number AS v"):
        rows.append(("company_reg", _alnum(r["v"]), r["id"], r["caption"]))
    for r in _q(
        store, "MATCH (n:Person) RETURN n.id AS id, n.caption AS caption, n.name AS name, n.birth_date AS birth"
    ):
        rows.append(("person_dob", _person_key(r["name"] or r["caption"], r["birth"]), r["id"], r["caption"]))
    df = pd.DataFrame(rows, columns=["kind", "value", "entity_id", "caption"])
    return df[df["value"].notna()].reset_index(drop=True)


# ------------------------------------------------------------------------------------------------------ tokens
def make_tokens(store, key: bytes) -> pd.DataFrame:
    """Tokens of our identifiers under the shared `key`: token, kind, entity_id, caption (one row per entity)."""
    ids = identifiers(store)
    df = pd.DataFrame(
        {
            "token": [token(key, k, v) for k, v in zip(ids["kind"], ids["value"])],
            "kind": ids["kind"],
            "entity_id": ids["entity_id"],
            "caption": ids["caption"],
        },
        columns=TOKEN_COLUMNS,
    )
    df = df.drop_duplicates(["token", "entity_id"]).sort_values(["kind", "token", "entity_id"])
    df = df.reset_index(drop=True)
    df.attrs["key_id"] = key_id(key)
    audit.record(
        store,
        "deconflict tokens",
        f"{df['token'].nunique()} tokens ({', '.join(f'{k} {n}' for k, n in df['kind'].value_counts().sort_index().items())}) "
        f"with key {key_id(key)}",
    )
    return df


def write_tokens(df: pd.DataFrame, path: str | Path, key: bytes | None = None) -> Path:
    """Write the shareable token file: a format line with the key fingerprint, then token,kind rows only
    (sorted, one per distinct token; no clear text, no entity ids)."""
    kid = key_id(key) if key is not None else df.attrs.get("key_id")
    if not kid:
        raise LinkgraphError("write_tokens needs the tokens of make_tokens (or the key) to name the key used")
    path = Path(path)
    out = df[["token", "kind"]].drop_duplicates().sort_values(["kind", "token"])
    buf = io.StringIO()
    buf.write(f"# {TOKEN_FORMAT} key={kid}\n")
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["token", "kind"])
    w.writerows(out.itertuples(index=False, name=None))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="ascii")
    return path


def read_tokens(path: str | Path) -> pd.DataFrame:
    """A token file (as written by write_tokens); its key fingerprint in `df.attrs['key_id']`."""
    path = Path(path)
    if not path.is_file():
        raise LinkgraphError(f"token file {path} does not exist")
    lines = path.read_text(encoding="ascii", errors="replace").splitlines()
    m = re.fullmatch(r"# " + re.escape(TOKEN_FORMAT) + r" key=([0-9a-f]{12})", lines[0].strip()) if lines else None
    if not m:
        raise LinkgraphError(f"{path.name}: not a linkgraph token file (first line '# {TOKEN_FORMAT} key=...')")
    rows = list(csv.reader(lines[1:]))
    if not rows or [c.strip() for c in rows[0][:2]] != ["token", "kind"]:
        raise LinkgraphError(f"{path.name}, line 2: the header must be token,kind")
    out = []
    for n, r in enumerate(rows[1:], start=3):
        if not r:
            continue
        if len(r) < 2 or not re.fullmatch(r"[0-9a-f]{64}", r[0]) or r[1] not in KINDS:
            raise LinkgraphError(f"{path.name}, line {n}: not a token,kind row")
        out.append((r[0], r[1]))
    df = pd.DataFrame(out, columns=["token", "kind"])
    df.attrs["key_id"] = m.group(1)
    return df


def match_tokens(ours, theirs_path: str | Path, store=None) -> pd.DataFrame:
    """The overlaps only: our entity_id and caption, the kind, and their token, for every token both hold.

    `ours`: the DataFrame of make_tokens. `store`: when given, the match is written to the audit log.
    """
    if isinstance(ours, (str, Path)):
        raise LinkgraphError(
            f"{ours}: a shared token file has no entity ids; match with the tokens made from your store (make_tokens)"
        )
    if not {"token", "kind", "entity_id"} <= set(ours.columns):
        raise LinkgraphError("our tokens need the columns token, kind and entity_id (from make_tokens)")
    theirs = read_tokens(theirs_path)
    kid = ours.attrs.get("key_id")
    if kid and theirs.attrs["key_id"] != kid:
        raise LinkgraphError(
            f"{Path(theirs_path).name} was made with another key ({theirs.attrs['key_id']}, "
            f"ours {kid}): agree one key file first"
        )
    hits = ours.merge(theirs, on=["token", "kind"], how="inner")
    cols = [c for c in MATCH_COLUMNS if c in hits.columns]
    out = hits[cols].drop_duplicates().sort_values(["kind", "caption", "entity_id"]).reset_index(drop=True)
    if store is not None:
        audit.record(
            store,
            "deconflict match",
            f"{Path(theirs_path).name}: {len(theirs)} of their tokens, {out['token'].nunique()} overlap "
            f"({', '.join(f'{k} {n}' for k, n in out['kind'].value_counts().sort_index().items()) or 'none'})",
        )
    return out


def match_token_files(store, ours_path: str | Path, theirs_path: str | Path, key: bytes) -> pd.DataFrame:
    """Overlaps between the token file we shared and theirs, named by our entities.

    The shared files hold no entity ids, so our side is recomputed from the store with the key and kept to
    the tokens our file holds (what we agreed to compare).
    """
    shared = read_tokens(ours_path)
    ours = make_tokens(store, key)
    if shared.attrs["key_id"] != ours.attrs.get("key_id", shared.attrs["key_id"]):
        raise LinkgraphError(f"{Path(ours_path).name} was made with another key than the one given")
    kept = ours[ours["token"].isin(set(shared["token"]))].copy()
    kept.attrs.update(ours.attrs)
    return match_tokens(kept, theirs_path, store=store)
