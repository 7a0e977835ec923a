"""Target deconfliction by private set intersection (PSI), exchanged as three signed files.

Agency A (the client) learns which of its identifiers agency B (the server) also holds; B learns how many
identifiers A asked about, and nothing else. Neither learns the other's identifiers that are not shared, and
no key is shared (unlike the keyed hashes of `deconflict`, whose key lets its holder test any guess).

    request(store_a, "a_to_b.psi.json", partner="TPA")          # at A: signed request, A's client key kept
    respond(store_b, "a_to_b.psi.json", "b_to_a.psi.json")      # at B: checks signer, size, rate, replay
    result(store_a, "b_to_a.psi.json") -> PsiResult             # at A: its entities B also holds

Items are `kind:value` from `deconflict.identifiers` (E.164 phones, passports, IMO numbers, plates, company
registrations, person name key with birth date), so both sides normalise alike. The protocol is OpenMined's
ECDH PSI (`openmined-psi`): A's items travel encrypted under A's key, B's under a key B makes for each
response and discards; B's set goes as a Golomb-compressed set with a false-positive rate of FPR per request.

A's client key and the ordered items of a request wait in A's key home (`psi/pending/NONCE.json`, mode 0600)
until `result` uses and deletes them; they are never in a file that is sent. B keeps a ledger of the requests
it answered (`psi/ledger.json` in its key home): a nonce seen before is refused, and so is a partner's request
beyond `max_per_day` in one UTC day (requests of every kind count).

The exchange itself (`send_request`, `answer`, `read_answer`) takes its items from the caller, under an
`Exchange` that names its own file formats: targets use it with identifiers, `linkgraph.sharing.events` with
space-time cells of planned operations, and a file of one kind is refused by the other.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import fcntl
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.sharing import signing
from linkgraph.sharing.deconflict import KINDS, identifiers
from linkgraph.store import audit

REQUEST_FORMAT = "linkgraph-psi-request/1"
RESPONSE_FORMAT = "linkgraph-psi-response/1"
MIN_SET = 10  # fewer items than this would test a handful of guesses: refused (anti-probing)
MAX_SET = 1_000_000  # more than this per request is refused (bounds what one request can test)
RATE = 5  # requests answered per partner agency per UTC day
FPR = 1e-9  # the chance that a request shows any one item as shared when it is not
MAX_FILE = 512 * 1024 * 1024  # a 1M-item request is about 50 MB of base64
RESULT_COLUMNS = ["entity_id", "caption", "kind", "value"]
SIGNED = "the canonical JSON of this file's other fields"
_NONCE = re.compile(r"[0-9a-f]{32}")


@dataclass(frozen=True)
class PsiResult:
    """What A learnt: `count` of its `n_items` identifiers B also holds and, unless `count_only`, which
    (`matches`: A's own entity_id, caption, kind and value)."""

    partner: str
    nonce: str
    count_only: bool
    n_items: int
    count: int
    matches: pd.DataFrame


# ---------------------------------------------------------------------------------------------------- helpers
def _psi():
    import private_set_intersection.python as psi

    return psi


def _now() -> datetime:
    return datetime.now(UTC)


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(value, name: str, field: str) -> bytes:
    try:
        return base64.b64decode(str(value), validate=True)
    except (binascii.Error, ValueError):
        raise LinkgraphError(f"{name}: refused, {field} is not base64") from None


def _own(home) -> signing.Key:
    key = signing.own_key(home)
    if key is None or not (signing.key_home(home) / signing.PRIVATE).is_file():
        raise LinkgraphError(
            f"this agency has no signing key in {signing.key_home(home)}: linkgraph agency init --name AGENCY"
        )
    return key


def _write_signed(body: dict, out, home) -> tuple[Path, bytes]:
    sig = signing.sign(_canonical(body), home, signed=SIGNED)
    if sig is None:
        _own(home)  # raises the one-line reason
    data = (json.dumps({**body, "signature": json.loads(sig)}, indent=1, sort_keys=True) + "\n").encode()
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path, data


def _read_signed(path, fmt: str, home) -> tuple[dict, signing.Key, bytes]:
    """The file's fields and its trusted signer; a one-line refusal if it is not one, unsigned or untrusted."""
    p = Path(path)
    if not p.is_file():
        raise LinkgraphError(f"{p}: no such file")
    if p.stat().st_size > MAX_FILE:
        raise LinkgraphError(f"{p.name}: refused, larger than {MAX_FILE // 2**20} MiB")
    data = p.read_bytes()
    try:
        body = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        body = None
    if not isinstance(body, dict) or body.get("format") != fmt:
        raise LinkgraphError(f"{p.name}: refused, not a {fmt} file")
    sig = body.pop("signature", None)
    if not isinstance(sig, dict):
        raise LinkgraphError(f"{p.name}: refused, the file is not signed")
    key = signing.check(p.name, _canonical(body), json.dumps(sig).encode(), home)
    return body, key, data


def _fields(body: dict, name: str, spec: dict) -> None:
    for field, kind in spec.items():
        v = body.get(field)
        if not isinstance(v, kind) or (kind is int and isinstance(v, bool)):
            raise LinkgraphError(f"{name}: refused, field {field!r} is missing or not a {kind.__name__}")
    if not _NONCE.fullmatch(body["nonce"]):
        raise LinkgraphError(f"{name}: refused, the nonce is not 32 hex digits")


def _parse(cls, data: bytes, name: str, what: str):
    from google.protobuf.message import DecodeError

    msg = cls()
    try:
        msg.ParseFromString(data)
    except DecodeError:
        raise LinkgraphError(f"{name}: refused, its {what} is not a PSI message") from None
    return msg


def _items(store, kinds) -> tuple[list[str], pd.DataFrame]:
    ids = identifiers(store)
    if kinds:
        wanted = [str(k).strip() for k in kinds]
        bad = [k for k in wanted if k not in KINDS]
        if bad:
            raise LinkgraphError(f"unknown identifier kind {bad[0]!r}: one of {', '.join(KINDS)}")
        ids = ids[ids["kind"].isin(wanted)]
    ids = ids.assign(item=ids["kind"] + ":" + ids["value"].astype(str))
    return sorted(set(ids["item"])), ids


def _counts(kinds: pd.Series) -> str:
    return ", ".join(f"{k} {n}" for k, n in kinds.value_counts().sort_index().items()) or "none"


def _psi_dir(home, *parts: str) -> Path:
    d = signing.key_home(home)
    for part in ("psi", *parts):
        d = d / part
        d.mkdir(parents=True, exist_ok=True, mode=0o700)
    return d


def _write_private(path: Path, data: bytes) -> None:
    """A file readable by its owner only from the moment it exists."""
    tmp = path.with_name(path.name + ".tmp")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


@contextlib.contextmanager
def _ledger(home):
    """B's ledger of answered requests, locked against a second `respond` for as long as it is open."""
    d = _psi_dir(home)
    with open(d / "ledger.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = d / "ledger.json"
        try:
            ledger = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {"requests": []}
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise LinkgraphError(f"{path}: the PSI ledger is not JSON (repair or remove it)") from None
        before = json.dumps(ledger, sort_keys=True)
        yield ledger
        if json.dumps(ledger, sort_keys=True) != before:
            _write_private(path, (json.dumps(ledger, indent=1, sort_keys=True) + "\n").encode())


# ------------------------------------------------------------------------------------------- the exchange
@dataclass(frozen=True)
class Exchange:
    """One kind of PSI deconfliction: its two file formats (a request of one kind is never answered, or read,
    as another), the audit action its rows are filed under, and what its items are called in messages."""

    request_format: str
    response_format: str
    action: str
    noun: str


TARGETS = Exchange(REQUEST_FORMAT, RESPONSE_FORMAT, "deconflict", "identifiers")


@dataclass(frozen=True)
class Answer:
    """What a response told A: `count` of its `items` the partner also holds and, unless `count_only`, which
    (`shared`); `pending` is what the request kept in A's key home (its `keep` included)."""

    partner: str
    short: str
    nonce: str
    count_only: bool
    items: list[str]
    shared: list[str]
    count: int
    pending: dict


def send_request(
    store,
    out,
    items: list[str],
    exchange: Exchange = TARGETS,
    partner: str | None = None,
    count_only: bool = False,
    home=None,
    extra: dict | None = None,
    keep: dict | None = None,
    detail: str = "",
) -> dict:
    """At A: write a signed PSI request of `items` (distinct strings, in a fixed order) to `out`.

    `extra`: more fields for the signed request (which the responder can rely on). `keep`: what A needs again at
    `result`, kept only in the pending file under A's key home. `detail`: appended to the audit row. Returns the
    request's fields without the encrypted items."""
    psi = _psi()
    me = _own(home)
    client = psi.client.CreateWithNewKey(not count_only)
    req = client.CreateRequest(items).SerializeToString()
    nonce = secrets.token_hex(16)
    created = _now().isoformat(timespec="seconds")
    body = {
        **(extra or {}),
        "format": exchange.request_format,
        "from": me.agency,
        "to": str(partner).strip() if partner and str(partner).strip() else None,
        "nonce": nonce,
        "created": created,
        "count_only": bool(count_only),
        "n_items": len(items),
        "request": _b64(req),
    }
    pending = {
        "format": exchange.request_format,
        "nonce": nonce,
        "created": created,
        "to": body["to"],
        "count_only": bool(count_only),
        "key": _b64(client.GetPrivateKeyBytes()),
        "items": items,
        "keep": keep or {},
    }
    # the key is kept before the request exists: a request whose key was lost could never be read
    _write_private(_psi_dir(home, "pending") / f"{nonce}.json", json.dumps(pending).encode())
    path, data = _write_signed(body, out, home)
    audit.record(
        store,
        f"{exchange.action} request",
        f"PSI request {nonce} to {body['to'] or 'any partner'}: {len(items)} {exchange.noun}{detail}"
        + (", count only" if count_only else ""),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return {k: v for k, v in body.items() if k != "request"} | {"path": path}


def answer(
    store,
    request_file,
    out,
    ours,
    exchange: Exchange = TARGETS,
    home=None,
    min_items: int = MIN_SET,
    max_items: int = MAX_SET,
    max_per_day: int = RATE,
) -> dict:
    """At B: answer a partner's signed PSI request of `exchange`'s format with our items, `ours(body)` (given
    the request's checked fields), as a signed response file at `out`.

    Refused, in one line and recorded in the audit log: a request not signed by a trusted key, addressed to
    another agency, of fewer than `min_items` or more than `max_items` items, one `ours` refuses, a nonce
    answered before, or the partner's request beyond `max_per_day` answered in this UTC day. Returns the
    response's fields."""
    name = Path(request_file).name
    with audit.refusals(store, f"{exchange.action} respond", name):
        return _answer(store, request_file, out, ours, exchange, home, min_items, max_items, max_per_day)


def _answer(store, request_file, out, ours, exchange, home, min_items, max_items, max_per_day) -> dict:
    psi = _psi()
    name = Path(request_file).name
    me = _own(home)
    body, signer, data = _read_signed(request_file, exchange.request_format, home)
    _fields(body, name, {"nonce": str, "n_items": int, "count_only": bool, "request": str})
    if body.get("to") and str(body["to"]).casefold() != me.agency.casefold():
        raise LinkgraphError(f"{name}: refused, addressed to {str(body['to'])[:80]!r}, not to {me.agency}")
    req = _parse(psi.Request, _unb64(body["request"], name, "request"), name, "request")
    n = len(req.encrypted_elements)
    if n != body["n_items"]:
        raise LinkgraphError(f"{name}: refused, it says {body['n_items']} items but holds {n}")
    if req.reveal_intersection == body["count_only"]:
        raise LinkgraphError(f"{name}: refused, its count_only does not match the request it holds")
    if n < min_items:
        raise LinkgraphError(
            f"{name}: refused, {n} items is fewer than the minimum of {min_items} (a small request tests a few guesses)"
        )
    if n > max_items:
        raise LinkgraphError(f"{name}: refused, {n} items is more than the maximum of {max_items}")
    mine = ours(body)  # before the ledger: a request we cannot answer (our own input is bad) stays unanswered
    nonce, now = body["nonce"], _now()
    today = now.date().isoformat()
    with _ledger(home) as ledger:
        seen = ledger["requests"]
        if any(r.get("nonce") == nonce for r in seen):
            raise LinkgraphError(f"{name}: refused, request {nonce} was answered before (a replayed request)")
        done = sum(1 for r in seen if r.get("fingerprint") == signer.fingerprint and r.get("date") == today)
        if done >= max_per_day:
            raise LinkgraphError(
                f"{name}: refused, {signer.agency} has had {done} requests answered today, the limit is {max_per_day}"
            )
        # recorded before answering: a request that fails after this point cannot be sent again
        seen.append(
            {
                "nonce": nonce,
                "format": exchange.request_format,
                "agency": signer.agency,
                "fingerprint": signer.fingerprint,
                "date": today,
                "time": now.isoformat(timespec="seconds"),
                "n_items": n,
                "count_only": body["count_only"],
            }
        )
    server = psi.server.CreateWithNewKey(not body["count_only"])  # a new key per answer, never kept
    try:
        setup = server.CreateSetupMessage(FPR, n, mine, psi.DataStructure.GCS).SerializeToString()
        resp = server.ProcessRequest(req).SerializeToString()
    except RuntimeError as e:
        raise LinkgraphError(f"{name}: refused, the PSI library rejects the request: {str(e)[:200]}") from None
    reply = {
        "format": exchange.response_format,
        "from": me.agency,
        "to": signer.agency,
        "nonce": nonce,
        "created": now.isoformat(timespec="seconds"),
        "count_only": body["count_only"],
        "n_items": n,
        "setup": _b64(setup),
        "response": _b64(resp),
    }
    path, out_data = _write_signed(reply, out, home)
    audit.record(
        store,
        f"{exchange.action} respond",
        f"PSI request {nonce} from {signer.agency} ({signer.short}): {n} of their {exchange.noun} against "
        f"{len(mine)} of ours" + (", count only" if body["count_only"] else ""),
        sha256=hashlib.sha256(out_data).hexdigest(),
    )
    return {k: v for k, v in reply.items() if k not in ("setup", "response")} | {
        "path": path,
        "request_sha256": hashlib.sha256(data).hexdigest(),
    }


def read_answer(store, response_file, exchange: Exchange = TARGETS, home=None, describe=None) -> Answer:
    """At A: read a partner's signed PSI response of `exchange`'s format to our request (its key then deleted).

    Refused in one line (and recorded): a response not signed by a trusted key, not addressed to us, by another
    agency than the request named, or to no request of ours of this kind waiting. `describe(shared, pending)`
    adds to the audit row."""
    name = Path(response_file).name
    with audit.refusals(store, f"{exchange.action} result", name):
        return _read_answer(store, response_file, exchange, home, describe)


def _read_answer(store, response_file, exchange, home, describe) -> Answer:
    psi = _psi()
    name = Path(response_file).name
    me = _own(home)
    body, signer, data = _read_signed(response_file, exchange.response_format, home)
    _fields(body, name, {"nonce": str, "count_only": bool, "setup": str, "response": str})
    if str(body.get("to") or "").casefold() != me.agency.casefold():
        raise LinkgraphError(f"{name}: refused, addressed to {str(body.get('to'))[:80]!r}, not to {me.agency}")
    nonce = body["nonce"]
    pending_path = signing.key_home(home) / "psi" / "pending" / f"{nonce}.json"
    if not pending_path.is_file():
        raise LinkgraphError(f"{name}: refused, no request {nonce} of ours is waiting (answered already, or not ours)")
    pending = json.loads(pending_path.read_text(encoding="utf-8"))
    if pending.get("format", REQUEST_FORMAT) != exchange.request_format:
        raise LinkgraphError(f"{name}: refused, our request {nonce} was a {pending.get('format', REQUEST_FORMAT)}")
    if pending.get("to") and pending["to"].casefold() != signer.agency.casefold():
        raise LinkgraphError(f"{name}: refused, signed by {signer.agency}, but request {nonce} was for {pending['to']}")
    if body["count_only"] != pending["count_only"]:
        raise LinkgraphError(f"{name}: refused, its count_only does not match our request")
    setup = _parse(psi.ServerSetup, _unb64(body["setup"], name, "setup"), name, "setup")
    resp = _parse(psi.Response, _unb64(body["response"], name, "response"), name, "response")
    items = pending["items"]
    if len(resp.encrypted_elements) != len(items):
        raise LinkgraphError(f"{name}: refused, it answers {len(resp.encrypted_elements)} items, we asked {len(items)}")
    client = psi.client.CreateFromKey(base64.b64decode(pending["key"]), not pending["count_only"])
    try:
        if pending["count_only"]:
            count, shared = client.GetIntersectionSize(setup, resp), []
        else:
            shared = sorted({items[i] for i in client.GetIntersection(setup, resp)})
            count = len(shared)
    except (RuntimeError, IndexError) as e:
        raise LinkgraphError(f"{name}: refused, the PSI library rejects the response: {str(e)[:200]}") from None
    pending_path.unlink()
    audit.record(
        store,
        f"{exchange.action} result",
        f"PSI response {nonce} from {signer.agency} ({signer.short}): {count} of our {len(items)} {exchange.noun} "
        "shared" + (" (count only)" if pending["count_only"] else (describe(shared, pending) if describe else "")),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    return Answer(signer.agency, signer.short, nonce, pending["count_only"], items, shared, int(count), pending)


# ------------------------------------------------------------------------------------------ target requests
def request(store, out, partner: str | None = None, kinds=None, count_only: bool = False, home=None) -> dict:
    """At A: write a signed PSI request of our identifiers to `out`; returns its fields (no identifier in them).

    `partner`: the agency it is for (B refuses a request addressed to another, and `result` accepts only its
    answer). `kinds`: only these identifier kinds. `count_only`: ask only how many are shared. A's client key
    and the items, in request order, are kept under the key home until `result`.
    """
    _own(home)
    items, ids = _items(store, kinds)
    if not items:
        raise LinkgraphError("no identifiers to compare in this store (phones, passports, vessels, plates ...)")
    kinds_of = ids.drop_duplicates("item")["kind"]
    return send_request(store, out, items, TARGETS, partner, count_only, home, detail=f" ({_counts(kinds_of)})")


def respond(
    store,
    request_file,
    out,
    home=None,
    min_items: int = MIN_SET,
    max_items: int = MAX_SET,
    max_per_day: int = RATE,
    kinds=None,
) -> dict:
    """At B: answer a partner's signed PSI request with our identifiers, as a signed response file at `out`.

    Refused, in one line and recorded in the audit log: a request not signed by a trusted key, addressed to
    another agency, of fewer than `min_items` or more than `max_items` items, a nonce answered before, or the
    partner's request beyond `max_per_day` answered in this UTC day. Returns the response's fields.
    """
    return answer(
        store, request_file, out, lambda body: _items(store, kinds)[0], TARGETS, home, min_items, max_items, max_per_day
    )


def result(store, response_file, home=None) -> PsiResult:
    """At A: read a partner's signed PSI response to our request; our entities holding an identifier it shares.

    Refused in one line (and recorded): a response not signed by a trusted key, not addressed to us, by another
    agency than the request named, or to no request of ours waiting (each is read once: its key is then
    deleted).
    """

    def kinds(shared, pending):
        return f" ({_counts(pd.Series([s.split(':')[0] for s in shared]))})"

    ans = read_answer(store, response_file, TARGETS, home, describe=kinds)
    _, ids = _items(store, None)
    matches = ids[ids["item"].isin(set(ans.shared))][RESULT_COLUMNS]
    matches = matches.drop_duplicates().sort_values(["kind", "value", "entity_id"]).reset_index(drop=True)
    return PsiResult(ans.partner, ans.nonce, ans.count_only, len(ans.items), ans.count, matches)
