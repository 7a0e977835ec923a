"""Hostile archives (built here, byte by byte) are refused in one line naming file and member, within 1 GB.

Packages, .xlsx workbooks and .docx reports all go through linkgraph.safezip. The zips are written by a
minimal writer below so headers can state what they like: a size smaller than the data, a wrong CRC, data cut
short. The CLI runs under a wrapper process that reports its peak RSS (getrusage of its only child).
"""

from __future__ import annotations

import hashlib
import json
import struct
import subprocess
import sys
import zipfile
import zlib

import pytest

from linkgraph.errors import LinkgraphError
from linkgraph.safezip import Limits, SafeZip
from linkgraph.sharing.manifest import FORMAT

MB = 2**20
PEAK = (
    "import resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)\n"
    "sys.stderr.write(r.stderr)\n"
)


def deflated(chunk: bytes, times: int) -> tuple[bytes, int, int, str]:
    """chunk repeated `times`, deflated as it streams: (compressed, size, crc, sha256)."""
    c, crc, h, out = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS), 0, hashlib.sha256(), []
    for _ in range(times):
        out.append(c.compress(chunk))
        crc = zlib.crc32(chunk, crc)
        h.update(chunk)
    out.append(c.flush())
    return b"".join(out), len(chunk) * times, crc, h.hexdigest()


def member(name: str, data: bytes, **forged) -> dict:
    """A deflated member; `forged` overrides what its headers state (size, crc, payload, attr)."""
    comp = zlib.compress(data, 6)[2:-4]
    return {"name": name, "payload": comp, "size": len(data), "crc": zlib.crc32(data), "attr": 0o644 << 16, **forged}


def write_zip(path, members: list[dict]) -> None:
    """A zip whose local and central headers state each member's `size` and `crc`, whatever its payload."""
    body, central = bytearray(), bytearray()
    for m in members:
        name = m["name"].encode()
        offset = len(body)
        fields = (20, 0, 8, 0, 0x21, m["crc"] & 0xFFFFFFFF, len(m["payload"]), m["size"], len(name), 0)
        body += struct.pack("<4s5H3L2H", b"PK\x03\x04", *fields) + name + m["payload"]
        central += struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 0x0314, *fields[:-1], 0, 0, 0, 0, m["attr"], offset) + name
    eocd = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(central), len(body), 0)
    path.write_bytes(bytes(body + central + eocd))


def package(path, hostile: dict, sha: str) -> None:
    """A package whose chart.html is `hostile`, listed in the manifest with sha256 `sha`."""
    manifest = {
        "format": FORMAT,
        "files": {
            "graph/nodes.jsonl": {"sha256": hashlib.sha256(b"").hexdigest()},
            "graph/links.jsonl": {"sha256": hashlib.sha256(b"").hexdigest()},
            "chart.html": {"sha256": sha},
        },
    }
    write_zip(
        path,
        [
            member("manifest.json", json.dumps(manifest).encode()),
            member("graph/nodes.jsonl", b""),
            member("graph/links.jsonl", b""),
            hostile,
        ],
    )


def run_peak(*args) -> tuple[str, int]:
    """Run the CLI; (stderr, peak RSS in MB)."""
    r = subprocess.run(
        [sys.executable, "-c", PEAK, sys.executable, "-m", "linkgraph.cli", *args],
        capture_output=True,
        text=True,
        timeout=600,
    )
    return r.stderr, int(r.stdout.strip().splitlines()[-1])


def one_line(stderr: str, *words: str) -> None:
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    for w in words:
        assert w in stderr, stderr


ZEROS_GIB = deflated(b"\0" * MB, 1024)


@pytest.mark.parametrize("case", ["gigabyte of zeros", "forged size", "bad crc", "truncated"])
def test_hostile_package_member(case, tmp_path):
    comp, size, crc, sha = ZEROS_GIB
    if case == "gigabyte of zeros":
        hostile = {"name": "chart.html", "payload": comp, "size": size, "crc": crc, "attr": 0o644 << 16}
        want = "unpacks to over"
    elif case == "forged size":
        hostile = {"name": "chart.html", "payload": comp, "size": 1000, "crc": crc, "attr": 0o644 << 16}
        want = "holds more than the 1,000 bytes its header states"
    elif case == "bad crc":
        hostile = member("chart.html", b"<html>chart</html>" * 100, crc=12345)
        sha = hashlib.sha256(b"<html>chart</html>" * 100).hexdigest()
        want = "fails its CRC check"
    else:
        data = b"<html>" + bytes(range(256)) * 400
        full = member("chart.html", data)
        hostile = {**full, "payload": full["payload"][: len(full["payload"]) // 2]}
        sha, want = hashlib.sha256(data).hexdigest(), "is truncated"
    pkg = tmp_path / "hostile.zip"
    package(pkg, hostile, sha)
    err, peak = run_peak("package", "import", str(pkg), "--agency", "KWS", "--db", str(tmp_path / "db"))
    print(f"peak RSS, package member {case}: {peak} MB")
    one_line(err, "hostile.zip", "chart.html", want)
    assert peak < 1024


def sheet_bomb(forged_size: int | None) -> dict:
    head = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    cell = b'<c t="inlineStr"><is><t>ivory</t></is></c>' * 25_000  # ~1 MB of cells in one row
    start = head + b"<sheetData><row>"
    c = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    parts, crc = [c.compress(start)], zlib.crc32(start)
    for _ in range(2048):
        parts.append(c.compress(cell))
        crc = zlib.crc32(cell, crc)
    parts.append(c.flush())
    size = len(start) + len(cell) * 2048  # about 2 GiB of sheet XML
    return {
        "name": "xl/worksheets/sheet1.xml",
        "payload": b"".join(parts),
        "size": forged_size or size,
        "crc": crc,
        "attr": 0o644 << 16,
    }


@pytest.mark.parametrize("forged", [None, 5000])
def test_xlsx_whose_sheet_unpacks_to_gigabytes(forged, tmp_path):
    import openpyxl

    real = tmp_path / "real.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["Date of seizure", "Species"])
    wb.save(real)
    with zipfile.ZipFile(real) as z:
        parts = [member(i.filename, z.read(i)) for i in z.infolist() if i.filename != "xl/worksheets/sheet1.xml"]
    bomb = tmp_path / "bomb.xlsx"
    write_zip(bomb, [*parts, sheet_bomb(forged)])
    err, peak = run_peak("import", str(bomb), "--db", str(tmp_path / "db"))
    print(f"peak RSS, xlsx sheet of 2 GiB, header {'forged' if forged else 'honest'}: {peak} MB")
    one_line(err, "bomb.xlsx", "xl/worksheets/sheet1.xml", "holds more than" if forged else "unpacks to over")
    assert peak < 1024


def test_docx_body_bomb_under_the_size_cap(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("Reference: KE-1")
    d.save(str(tmp_path / "real.docx"))
    para = b"<w:p><w:r><w:t>ivory ivory ivory</w:t></w:r></w:p>" * 20_000
    head = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    with zipfile.ZipFile(tmp_path / "real.docx") as z:
        parts = [member(i.filename, z.read(i)) for i in z.infolist() if i.filename != "word/document.xml"]
    body = head + para * 90 + b"</w:body></w:document>"  # ~94 MB: under the size caps
    write_zip(tmp_path / "bomb.docx", [*parts, member("word/document.xml", body)])
    del body
    err, peak = run_peak("import", str(tmp_path / "bomb.docx"), "--db", str(tmp_path / "db"))
    print(f"peak RSS, docx body of 94 MB at ratio ~1000: {peak} MB")
    one_line(err, "bomb.docx", "word/document.xml", "times its compressed size")
    assert peak < 1024


def test_limits_per_member_and_per_archive(tmp_path):
    import os

    blobs = [os.urandom(600) for _ in range(3)]
    write_zip(tmp_path / "a.zip", [member(f"m{i}", b) for i, b in enumerate(blobs)])
    with SafeZip(tmp_path / "a.zip", Limits(member_bytes=1000, archive_bytes=5000)) as z:
        assert z.read("m1") == blobs[1]
    with pytest.raises(LinkgraphError, match=r"^a.zip: refused, the archive unpacks to over 1,500 bytes$"):
        SafeZip(tmp_path / "a.zip", Limits(member_bytes=1000, archive_bytes=1500))
    with pytest.raises(LinkgraphError, match=r"^a.zip: refused, member m0 unpacks to over 500 bytes"):
        SafeZip(tmp_path / "a.zip", Limits(member_bytes=500, archive_bytes=5000))
    # each member below the ratio floor, the archive as a whole far above the ratio
    zeros = [member(f"z{i}", b"\0" * (5 * MB)) for i in range(3)]
    write_zip(tmp_path / "z.zip", zeros)
    with pytest.raises(LinkgraphError, match=r"^z.zip: refused, the archive unpacks to over 200 times its size"):
        SafeZip(tmp_path / "z.zip", Limits(member_bytes=10 * MB, archive_bytes=100 * MB))
    # the same, with headers that understate every size: caught while inflating
    forged = [{**m, "size": 100} for m in zeros]
    write_zip(tmp_path / "f.zip", forged)
    with SafeZip(tmp_path / "f.zip", Limits(member_bytes=10 * MB, archive_bytes=100 * MB)) as z:
        with pytest.raises(LinkgraphError, match=r"^f.zip: refused, member z0 holds more than the 100 bytes"):
            z.check()


@pytest.mark.parametrize("case", ["symlink", "unknown member"])
def test_package_refuses_symlinks_and_unknown_members(case, tmp_path):
    data = b"/etc/passwd" if case == "symlink" else b"#!/bin/sh\n"
    name = "chart.html" if case == "symlink" else "graph/run.sh"
    attr = (0o120777 << 16) if case == "symlink" else (0o755 << 16)
    pkg = tmp_path / "odd.zip"
    manifest = {
        "format": FORMAT,
        "files": {n: {"sha256": hashlib.sha256(b"").hexdigest()} for n in ("graph/nodes.jsonl", "graph/links.jsonl")},
    }
    manifest["files"][name] = {"sha256": hashlib.sha256(data).hexdigest()}  # listed: only the whitelist refuses it
    write_zip(
        pkg,
        [
            member("manifest.json", json.dumps(manifest).encode()),
            member("graph/nodes.jsonl", b""),
            member("graph/links.jsonl", b""),
            member(name, data, attr=attr),
        ],
    )
    r = subprocess.run(
        [sys.executable, "-m", "linkgraph.cli", "package", "import", str(pkg), "--agency", "X"]
        + ["--db", str(tmp_path / "db")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    one_line(r.stderr, "odd.zip", name, "symbolic link" if case == "symlink" else "not a file a package holds")
    assert r.returncode == 1
