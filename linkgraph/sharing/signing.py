"""Agency signing keys: Ed25519 key pairs, trusted partner keys, and package signatures.

    init_agency("KWS") -> Key           # own key pair in key_home(): agency.key (0600) and agency.pub.json
    trust(path) -> Key                  # a partner's agency.pub.json, recorded under trusted/
    own_key() / trusted_keys() -> Key | None / list[Key]
    sign(manifest_bytes) -> bytes | None        # signature.json for a package, None without an own key
    check(manifest_bytes, signature_bytes) -> Key   # the trusted signer, or one-line LinkgraphError

A package's signature covers manifest.json's exact bytes; the manifest holds the sha256 of every other member,
so changing any member (and re-computing the manifest) breaks the signature.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from linkgraph.errors import LinkgraphError

SIGNATURE = "signature.json"
PRIVATE, PUBLIC, TRUSTED = "agency.key", "agency.pub.json", "trusted"
ALGORITHM = "ed25519"


@dataclass(frozen=True)
class Key:
    """An agency's public key: its name, the raw key, and its fingerprint (sha256 of the raw key, hex)."""

    agency: str
    public: bytes

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.public).hexdigest()

    @property
    def short(self) -> str:
        """The fingerprint as people compare it over the phone: its first 16 hex digits, in fours."""
        f = self.fingerprint[:16]
        return ":".join(f[i : i + 4] for i in range(0, 16, 4))

    def to_json(self) -> bytes:
        data = {
            "agency": self.agency,
            "algorithm": ALGORITHM,
            "public_key": base64.b64encode(self.public).decode(),
            "fingerprint": self.fingerprint,
        }
        return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()


def key_home(home: str | Path | None = None) -> Path:
    """Where the keys live: `home`, else $LINKGRAPH_HOME, else $XDG_CONFIG_HOME/linkgraph (~/.config/linkgraph)."""
    if home:
        return Path(home)
    if os.environ.get("LINKGRAPH_HOME"):
        return Path(os.environ["LINKGRAPH_HOME"])
    base = os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config"
    return Path(base) / "linkgraph"


def _load_public(data: bytes, where: str) -> Key:
    try:
        d = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise LinkgraphError(f"{where}: not an agency public key file (not JSON)") from None
    if not isinstance(d, dict) or not isinstance(d.get("agency"), str) or not d["agency"].strip():
        raise LinkgraphError(f"{where}: not an agency public key file (no agency name)")
    if d.get("algorithm", ALGORITHM) != ALGORITHM:
        raise LinkgraphError(f"{where}: key algorithm {str(d.get('algorithm'))[:40]!r} is not {ALGORITHM}")
    try:
        raw = base64.b64decode(str(d.get("public_key", "")), validate=True)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise LinkgraphError(f"{where}: public_key is not a base64 Ed25519 public key (32 bytes)")
    key = Key(d["agency"].strip(), raw)
    if d.get("fingerprint") not in (None, key.fingerprint):
        raise LinkgraphError(f"{where}: the fingerprint does not match the public key")
    return key


def _private_key(home: Path) -> Ed25519PrivateKey | None:
    path = home / PRIVATE
    if not path.is_file():
        return None
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError:
        raise LinkgraphError(f"{path}: not a PEM private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise LinkgraphError(f"{path}: not an Ed25519 private key")
    return key


def own_key(home: str | Path | None = None) -> Key | None:
    """This agency's public key, or None before `linkgraph agency init`."""
    path = key_home(home) / PUBLIC
    return _load_public(path.read_bytes(), str(path)) if path.is_file() else None


def init_agency(name: str, home: str | Path | None = None) -> Key:
    """Create this agency's key pair; refuses to replace one (partners trust the old key)."""
    if not name or not str(name).strip():
        raise LinkgraphError("name the agency (--name)")
    h = key_home(home)
    if (h / PRIVATE).exists():
        raise LinkgraphError(f"{h / PRIVATE} already exists: this agency has a key (remove it to start over)")
    h.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # created 0600 from the start, so the key is never readable by others, not even for a moment
    fd = os.open(h / PRIVATE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    key = Key(str(name).strip(), raw)
    (h / PUBLIC).write_bytes(key.to_json())
    return key


def trust(path: str | Path, home: str | Path | None = None) -> Key:
    """Record a partner's public key file as trusted."""
    p = Path(path)
    if not p.is_file():
        raise LinkgraphError(f"{p}: no such public key file")
    key = _load_public(p.read_bytes(), str(p))
    d = key_home(home) / TRUSTED
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{key.fingerprint}.json").write_bytes(key.to_json())
    return key


def trusted_keys(home: str | Path | None = None) -> list[Key]:
    d = key_home(home) / TRUSTED
    if not d.is_dir():
        return []
    return sorted((_load_public(p.read_bytes(), str(p)) for p in d.glob("*.json")), key=lambda k: k.agency)


class Unverified(LinkgraphError):
    """A package that is not signed, or signed by a key this agency has not trusted: importable only when the
    analyst says so. A signature that does not verify is never this: it is a changed package."""

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason  # why, in a few words, for the batch summary and the audit log


def sign(manifest: bytes, home: str | Path | None = None, signed: str = "manifest.json") -> bytes | None:
    """signature.json over the manifest's bytes, or None when this agency has no key; `signed` names what the
    bytes are (a package's manifest.json, or the canonical JSON of a deconfliction file's other fields)."""
    h = key_home(home)
    private, key = _private_key(h), own_key(h)
    if private is None or key is None:
        return None
    data = {
        "agency": key.agency,
        "algorithm": ALGORITHM,
        "fingerprint": key.fingerprint,
        "signed": signed,
        "signature": base64.b64encode(private.sign(manifest)).decode(),
    }
    return (json.dumps(data, indent=1, sort_keys=True) + "\n").encode()


def check(name: str, manifest: bytes, signature: bytes | None, home: str | Path | None = None) -> Key:
    """The trusted key that signed the manifest; a one-line LinkgraphError naming the package if none did."""
    if signature is None:
        raise Unverified(
            f"{name}: refused, the package is not signed (--allow-unsigned imports it anyway)",
            "the package is not signed",
        )
    try:
        d = json.loads(signature.decode("utf-8"))
        sig = base64.b64decode(str(d["signature"]), validate=True)
        fingerprint = str(d["fingerprint"])
    except (UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError):
        raise LinkgraphError(f"{name}: refused, {SIGNATURE} is not a linkgraph signature") from None
    key = next((k for k in trusted_keys(home) if k.fingerprint == fingerprint), None)
    if key is None:
        who = str(d.get("agency"))[:80]
        reason = f"signed by {who!r} with key {fingerprint[:16]!r}, which is not trusted"
        raise Unverified(f"{name}: refused, {reason} (linkgraph agency trust FILE)", reason)
    try:
        Ed25519PublicKey.from_public_bytes(key.public).verify(sig, manifest)
    except InvalidSignature:
        raise LinkgraphError(
            f"{name}: refused, the signature of {key.agency} does not verify (changed after signing)"
        ) from None
    return key
