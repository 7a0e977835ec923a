"""The package manifest: what a package holds, who made it for whom, and the sha256 of every file in it.

`build_manifest` writes it; `verify_package` checks a received zip against it: every listed file present with
its hash, nothing unlisted, no path that could escape a folder, every member within linkgraph.safezip's limits. A changed byte anywhere is refused with one
line naming the file. The manifest is not signed: it proves the package is intact as described, not who made it.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path, PurePosixPath

from linkgraph.errors import LinkgraphError
from linkgraph.safezip import PACKAGE, SafeZip, is_symlink

FORMAT = "linkgraph-package/1"
MANIFEST = "manifest.json"
SIGNATURE = "signature.json"  # the sender's signature over manifest.json (linkgraph.sharing.signing); not listed in it
# Every member a package may hold; anything else (a symlink, an extra file, even one the manifest lists) is refused.
MEMBERS = frozenset(
    {
        MANIFEST,
        SIGNATURE,
        "graph/nodes.jsonl",
        "graph/links.jsonl",
        "graph/FORMAT.md",
        "graph/schema.json",
        "graph/domain-schema.yaml",
        "chart.html",
        "workbook.xlsx",
        "report/withheld.csv",
    }
)
# Fixed entry time (the zip epoch): the same content always gives the same zip bytes.
ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def build_manifest(files: dict[str, bytes], meta: dict) -> dict:
    """The manifest of `files` (name -> bytes): `meta` (creator, created, tlp, ...) plus each file's sha256 and size."""
    listed = {name: {"sha256": sha256_bytes(data), "bytes": len(data)} for name, data in sorted(files.items())}
    return {"format": FORMAT, **meta, "files": listed}


def manifest_bytes(manifest: dict) -> bytes:
    """manifest.json as written in the zip (and as signed)."""
    return (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def write_zip(path: str | Path, files: dict[str, bytes], manifest: dict, signature: bytes | None = None) -> Path:
    """The package zip: manifest (and signature) first, then the files in name order, fixed times (same input,
    same bytes)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    entries = [
        (MANIFEST, manifest_bytes(manifest)),
        *([(SIGNATURE, signature)] if signature is not None else []),
        *sorted(files.items()),
    ]
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    tmp.replace(path)
    return path


def _safe_name(name: str) -> bool:
    if not name or name.startswith(("/", "\\")) or "\\" in name:
        return False
    parts = PurePosixPath(name).parts
    return bool(parts) and ".." not in parts and ":" not in parts[0]


def verify_package(pkg: str | Path, keep=None) -> tuple[dict, dict[str, bytes]]:
    """Open a package and check it against its manifest; returns (manifest, files). One-line LinkgraphError if not.

    Every member is inflated within safezip.PACKAGE's limits and hashed as it streams; `files` holds the bytes
    of the members named in `keep` (default: all), so large members need not sit in memory, and always the raw
    bytes of the manifest and of the signature (if any), which is what a signature is checked against.
    """
    pkg = Path(pkg)
    if not pkg.is_file():
        raise LinkgraphError(f"{pkg}: no such package file")
    with SafeZip(pkg, PACKAGE) as z:
        infos = z.infolist()
        names = [i.filename for i in infos if not i.is_dir()]
        if len(set(names)) != len(names):
            dup = next(n for n in names if names.count(n) > 1)
            raise LinkgraphError(f"{pkg.name}: refused, {dup} appears twice in the zip")
        for i in infos:
            if not _safe_name(i.filename):
                raise LinkgraphError(f"{pkg.name}: refused, unsafe file name {i.filename!r}")
            if is_symlink(i):
                raise LinkgraphError(f"{pkg.name}: refused, member {i.filename} is a symbolic link")
            if i.filename not in MEMBERS:
                raise LinkgraphError(f"{pkg.name}: refused, member {i.filename} is not a file a package holds")
        if MANIFEST not in names:
            raise LinkgraphError(f"{pkg.name}: not a linkgraph package (no {MANIFEST})")
        raw = {MANIFEST: z.read(MANIFEST)}
        if SIGNATURE in names:
            raw[SIGNATURE] = z.read(SIGNATURE)
        try:
            manifest = json.loads(raw[MANIFEST].decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as e:
            raise LinkgraphError(f"{pkg.name}: {MANIFEST} is not valid JSON ({e.__class__.__name__})") from None
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT
            or not isinstance(manifest.get("files"), dict)
        ):
            raise LinkgraphError(f"{pkg.name}: {MANIFEST} is not a {FORMAT} manifest")
        listed = manifest["files"]
        for name in sorted(names):
            if name not in (MANIFEST, SIGNATURE) and name not in listed:
                raise LinkgraphError(f"{pkg.name}: refused, {name} is not listed in the manifest")
        files: dict[str, bytes] = dict(raw)
        for name in sorted(listed):
            if name not in names:
                raise LinkgraphError(f"{pkg.name}: refused, {name} is listed in the manifest but missing")
            h, parts = hashlib.sha256(), []
            for chunk in z.iter_member(name):
                h.update(chunk)
                if keep is None or name in keep:
                    parts.append(chunk)
            want = str((listed[name] or {}).get("sha256", "")).lower()
            if h.hexdigest() != want:
                raise LinkgraphError(
                    f"{pkg.name}: refused, the sha256 of {name} differs from the manifest (changed after export)"
                )
            if keep is None or name in keep:
                files[name] = b"".join(parts)
    return manifest, files


def read_jsonl(data: bytes, name: str) -> list[dict]:
    """Rows of a JSON Lines file; a bad line is one error naming the file and line."""
    rows = []
    for n, line in enumerate(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8"), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise LinkgraphError(f"{name}, line {n}: not JSON ({e.msg})") from None
        if not isinstance(row, dict):
            raise LinkgraphError(f"{name}, line {n}: not a JSON object")
        row["_line"] = n
        rows.append(row)
    return rows
