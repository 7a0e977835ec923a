"""Vendor the chart page's JavaScript libraries from the npm registry into linkgraph/render/chart/vendor/.

    python tools/vendor_js.py            # download the pinned versions, verify them, write the files and VENDOR.json
    python tools/vendor_js.py --check    # offline: every vendored file still matches VENDOR.json (exit 1 if not)

For each package pinned in PACKAGES below, the script reads the version's metadata from the registry, downloads
that exact version's tarball, checks it against the registry's `dist.integrity` (sha512, Subresource Integrity
format), and copies only the files named in the pin out of the tarball (read in memory: no path from the archive
is ever used on disk). VENDOR.json records, per package, its name, version, licence, tarball address and
integrity, and for each file its source path in the tarball, size and sha256; tests/test_render_html.py checks
that every vendored file matches it. The chart page never loads anything from a network: these files are
inlined into it.

To add or upgrade a library: change PACKAGES, run the script, commit the files and VENDOR.json together.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import json
import sys
import tarfile
import urllib.parse
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR = Path(__file__).resolve().parent.parent / "linkgraph" / "render" / "chart" / "vendor"
MANIFEST = VENDOR / "VENDOR.json"

# name, exact version, and {path in the package tarball: file name in vendor/}.
PACKAGES = [
    {
        "name": "vis-network",
        # the version pyvis 0.3.2 ships, so the page and a notebook's pyvis Network draw with the same library
        "version": "9.1.2",
        # The "dist" build is the standalone one that takes its CSS as a separate file: it bundles vis-data
        # (vis.DataSet, vis.DataView) and is byte for byte what pyvis ships (but for pyvis's CRLF line ends).
        # The "standalone/umd" build injects its CSS with a runtime <style> element, which the page's strict
        # Content-Security-Policy (styles by hash only) blocks.
        "files": {
            "dist/vis-network.min.js": "vis-network.min.js",
            "dist/dist/vis-network.min.css": "vis-network.min.css",
            "LICENSE-APACHE-2.0": "vis-network.LICENSE-APACHE-2.0",
            "LICENSE-MIT": "vis-network.LICENSE-MIT",
        },
    },
    {
        # Natural Earth 1:110m countries (public domain) as TopoJSON, for the chart's map panel; ids are ISO 3166
        # numeric codes
        "name": "world-atlas",
        "version": "2.0.2",
        "files": {"countries-110m.json": "countries-110m.json", "LICENSE": "world-atlas.LICENSE"},
    },
    {
        # decodes the TopoJSON into polygons in the page (topojson.feature)
        "name": "topojson-client",
        "version": "3.1.0",
        "files": {"dist/topojson-client.min.js": "topojson-client.min.js", "LICENSE": "topojson-client.LICENSE"},
    },
]


class VendorError(Exception):
    pass


def _get(url: str) -> bytes:
    if not url.startswith(REGISTRY + "/"):
        raise VendorError(f"refusing to download from outside the npm registry: {url}")
    req = urllib.request.Request(url, headers={"Accept": "application/json, application/octet-stream"})
    with urllib.request.urlopen(req, timeout=60) as resp:  # the address is checked above
        return resp.read()


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_integrity(data: bytes, integrity: str) -> None:
    """`integrity` is an SRI string ("sha512-BASE64", possibly several, space separated): one sha512 must match."""
    wanted = [part.split("-", 1)[1] for part in integrity.split() if part.startswith("sha512-")]
    if not wanted:
        raise VendorError(f"the registry gave no sha512 integrity ({integrity!r})")
    got = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if got not in wanted:
        raise VendorError(f"tarball sha512 {got} does not match the registry's integrity {integrity}")


def fetch_package(pin: dict) -> tuple[dict, dict[str, bytes]]:
    """The manifest entry of one pinned package and its files' bytes, verified against the registry."""
    name, version = pin["name"], pin["version"]
    meta = json.loads(_get(f"{REGISTRY}/{urllib.parse.quote(name, safe='@')}/{version}"))
    if meta.get("version") != version:
        raise VendorError(f"{name}: the registry answered version {meta.get('version')!r}, not {version}")
    dist = meta["dist"]
    tarball = _get(dist["tarball"])
    check_integrity(tarball, dist["integrity"])
    files: dict[str, bytes] = {}
    entries = []
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        members = {m.name.split("/", 1)[1]: m for m in tar.getmembers() if m.isfile() and "/" in m.name}
        for src, dest in pin["files"].items():
            if src not in members:
                raise VendorError(f"{name}@{version}: no {src} in the tarball")
            if "/" in dest or dest.startswith("."):
                raise VendorError(f"{name}: vendored file names are plain names, not {dest!r}")
            data = tar.extractfile(members[src]).read()
            files[dest] = data
            entries.append({"path": dest, "from": src, "bytes": len(data), "sha256": sha256(data)})
    licence = meta.get("license")
    if isinstance(licence, dict):  # old package.json style {"type": ..., "url": ...}
        licence = licence.get("type")
    entry = {
        "name": name,
        "version": version,
        "license": licence or "UNKNOWN",
        "tarball": dist["tarball"],
        "integrity": dist["integrity"],
        "files": entries,
    }
    return entry, files


def vendor() -> dict:
    manifest = {
        "comment": "written by tools/vendor_js.py from the npm registry; do not edit by hand",
        "packages": [],
    }
    written = {MANIFEST.name}
    VENDOR.mkdir(parents=True, exist_ok=True)
    for pin in PACKAGES:
        entry, files = fetch_package(pin)
        for dest, data in files.items():
            (VENDOR / dest).write_bytes(data)
            written.add(dest)
        manifest["packages"].append(entry)
        print(f"{entry['name']}@{entry['version']} ({entry['license']}): {', '.join(files)}")
    for stale in VENDOR.iterdir():
        if stale.is_file() and stale.name not in written:
            stale.unlink()
            print(f"removed {stale.name} (no longer pinned)")
    MANIFEST.write_text(json.dumps(manifest, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return manifest


def check(vendor_dir: Path = VENDOR) -> list[str]:
    """What is wrong with the vendored files against the manifest (empty when all match)."""
    manifest = json.loads((vendor_dir / MANIFEST.name).read_text(encoding="utf-8"))
    problems = []
    listed = {MANIFEST.name}
    for pkg in manifest["packages"]:
        for f in pkg["files"]:
            listed.add(f["path"])
            p = vendor_dir / f["path"]
            if not p.is_file():
                problems.append(f"{f['path']} ({pkg['name']}) is missing")
            elif sha256(p.read_bytes()) != f["sha256"]:
                problems.append(f"{f['path']} ({pkg['name']}@{pkg['version']}) does not match its sha256")
    for p in vendor_dir.iterdir():
        if p.is_file() and p.name not in listed:
            problems.append(f"{p.name} is not in {MANIFEST.name}")
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="verify the vendored files against VENDOR.json, offline")
    args = ap.parse_args(argv)
    try:
        if args.check:
            problems = check()
            for line in problems:
                print(line, file=sys.stderr)
            return 1 if problems else 0
        vendor()
    except (VendorError, OSError, KeyError, ValueError) as exc:
        print(f"vendor_js: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
