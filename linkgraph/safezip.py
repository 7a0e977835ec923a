"""Bounded reading of zip archives: partners' packages, .xlsx workbooks and .docx reports.

    with SafeZip(path, PACKAGE) as z:          # opens, checks the central directory's sizes and ratios
        for chunk in z.iter_member("graph/nodes.jsonl"): ...
        data = z.read("manifest.json")
    check_archive(path, WORKBOOK)              # streams every member once, for readers that open the zip themselves

A zip's headers state each member's size, and they can lie. Members are therefore inflated here, chunk by
chunk, from their raw bytes (not by zipfile, which stops at the stated size and reports a bad CRC), and each
is refused as soon as it yields more than its header states, more than the member limit, or more than
`ratio` times its compressed size; the archive as a whole is held to a total and a ratio too. Every failure
(a limit, a forged header, a bad CRC, a truncated or damaged file) is one ArchiveError line naming the file
and the member.
"""

from __future__ import annotations

import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from linkgraph.errors import LinkgraphError

CHUNK = 1 << 20
# Small parts (styles, shared strings of a few values) may compress thousands of times; a bomb needs volume.
RATIO_FLOOR = 8 * 2**20
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")


@dataclass(frozen=True)
class Limits:
    """Most bytes one member and the whole archive may unpack to, the largest unpacked/packed ratio of either,
    the most members; `kind` names such an archive in errors."""

    member_bytes: int
    archive_bytes: int
    ratio: float = 200.0
    members: int = 10_000
    kind: str = "zip archive"


# A package's graph files are held in memory to import them; keep them well under the 1 GB a run may use.
PACKAGE = Limits(member_bytes=256 * 2**20, archive_bytes=1024 * 2**20, members=1000, kind="linkgraph package")
# openpyxl streams a read-only sheet: size costs time, not memory; the ratio stops bombs.
WORKBOOK = Limits(member_bytes=2048 * 2**20, archive_bytes=4096 * 2**20, kind=".xlsx workbook")
# python-docx holds every part and the parsed body in memory.
DOCUMENT = Limits(member_bytes=100 * 2**20, archive_bytes=200 * 2**20, kind="Word .docx file")


class ArchiveError(LinkgraphError):
    """An archive or one of its members refused: one line naming the file and member."""


def is_symlink(info: zipfile.ZipInfo) -> bool:
    """True for a member that unpacks as a symbolic link (Unix mode in the external attributes)."""
    return stat.S_ISLNK(info.external_attr >> 16)


class SafeZip:
    """A zip archive read within `limits`; `label` names it in errors (default: the file name)."""

    def __init__(self, path: str | Path, limits: Limits, label: str | None = None):
        self.path = Path(path)
        self.limits = limits
        self.label = label or self.path.name
        try:
            self.size = self.path.stat().st_size
            self._zip = zipfile.ZipFile(self.path)
            self._infos = self._zip.infolist()
        except FileNotFoundError:
            raise ArchiveError(f"{self.label}: no such file") from None
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, struct.error) as e:
            raise ArchiveError(
                f"{self.label}: not a readable {limits.kind} (truncated or damaged: {_why(e)})"
            ) from None
        self._unpacked: dict[str, int] = {}
        try:
            self._check_directory()
        except BaseException:
            self.close()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        z = getattr(self, "_zip", None)
        if z is not None:
            z.close()
        self._zip = None

    def infolist(self) -> list[zipfile.ZipInfo]:
        return list(self._infos)

    def namelist(self) -> list[str]:
        return [i.filename for i in self._infos]

    def _check_directory(self) -> None:
        """What the central directory states, before a byte is inflated (cheap refusals)."""
        lim = self.limits
        if len(self._infos) > lim.members:
            raise ArchiveError(f"{self.label}: refused, {len(self._infos):,} members (the limit is {lim.members:,})")
        total = 0
        for i in self._infos:
            self._check_member(i, i.file_size)
            total += i.file_size
        self._check_total(total)

    def _check_member(self, info: zipfile.ZipInfo, n: int) -> None:
        lim = self.limits
        if n > lim.member_bytes:
            raise ArchiveError(
                f"{self.label}: refused, member {info.filename} unpacks to over {lim.member_bytes:,} bytes (the limit)"
            )
        if n > RATIO_FLOOR and n > lim.ratio * max(info.compress_size, 1):
            raise ArchiveError(
                f"{self.label}: refused, member {info.filename} unpacks to over {lim.ratio:.0f} times its "
                f"compressed size of {info.compress_size:,} bytes (a zip bomb?)"
            )

    def _check_total(self, total: int, member: str | None = None) -> None:
        lim = self.limits
        at = f" (at member {member})" if member else ""
        if total > lim.archive_bytes:
            raise ArchiveError(f"{self.label}: refused, the archive unpacks to over {lim.archive_bytes:,} bytes{at}")
        if total > RATIO_FLOOR and total > lim.ratio * max(self.size, 1):
            raise ArchiveError(
                f"{self.label}: refused, the archive unpacks to over {lim.ratio:.0f} times its size of "
                f"{self.size:,} bytes{at} (a zip bomb?)"
            )

    def _info(self, member: str | zipfile.ZipInfo) -> zipfile.ZipInfo:
        if isinstance(member, zipfile.ZipInfo):
            return member
        for i in self._infos:
            if i.filename == member:
                return i
        raise ArchiveError(f"{self.label}: no member {member}")

    def iter_member(self, member: str | zipfile.ZipInfo) -> Iterator[bytes]:
        """The member's bytes in chunks of at most CHUNK, inflated within the limits and checked against its
        header (size, CRC)."""
        info = self._info(member)
        name = info.filename

        def fail(what: str) -> ArchiveError:
            return ArchiveError(f"{self.label}: refused, member {name} {what}")

        if info.flag_bits & 0x1:
            raise fail("is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise fail(f"uses compression method {info.compress_type} (read: stored, deflate)")
        others = sum(v for k, v in self._unpacked.items() if k != name)
        with self.path.open("rb") as f:
            f.seek(info.header_offset)
            head = f.read(_LOCAL_HEADER.size)
            if len(head) < _LOCAL_HEADER.size or head[:4] != b"PK\x03\x04":
                raise fail("is truncated or damaged (no local header where the directory points)")
            fields = _LOCAL_HEADER.unpack(head)
            f.seek(fields[10] + fields[11], 1)  # the local name and extra field
            inflate = zlib.decompressobj(-zlib.MAX_WBITS) if info.compress_type == zipfile.ZIP_DEFLATED else None
            left, out, crc = info.compress_size, 0, 0

            def take(piece: bytes) -> bytes:
                nonlocal out, crc
                out += len(piece)
                if out > info.file_size:
                    raise fail(f"holds more than the {info.file_size:,} bytes its header states (a forged header)")
                self._check_member(info, out)
                self._check_total(others + out, name)
                crc = zlib.crc32(piece, crc)
                return piece

            try:
                while left > 0:
                    raw = f.read(min(CHUNK, left))
                    if not raw:
                        raise fail("is truncated (the file ends inside it)")
                    left -= len(raw)
                    if inflate is None:
                        yield take(raw)
                        continue
                    while raw and not inflate.eof:
                        piece = inflate.decompress(raw, CHUNK)  # bounded output: a bomb never sits in memory
                        raw = inflate.unconsumed_tail
                        if piece:
                            yield take(piece)
                    if inflate.eof:
                        break
                if inflate is not None:
                    tail = inflate.flush()
                    if tail:
                        yield take(tail)
                    if not inflate.eof:
                        raise fail("is truncated (its compressed data ends early)")
            except zlib.error as e:
                raise fail(f"is damaged (deflate: {_why(e)})") from None
            except OSError as e:
                raise fail(f"cannot be read ({_why(e)})") from None
        if out != info.file_size:
            raise fail(f"holds {out:,} bytes, not the {info.file_size:,} its header states (damaged or forged)")
        if crc != info.CRC:
            raise fail("fails its CRC check (damaged)")
        self._unpacked[name] = out

    def read(self, member: str | zipfile.ZipInfo) -> bytes:
        """The whole member, within the limits."""
        return b"".join(self.iter_member(member))

    def check(self) -> None:
        """Inflate every member once (and discard it): sizes, ratios and CRCs of all of them, with the data's
        own word, not the headers'."""
        for info in self._infos:
            if not info.is_dir():
                for _ in self.iter_member(info):
                    pass


def check_archive(path: str | Path, limits: Limits, label: str | None = None) -> None:
    """Refuse an archive (one ArchiveError line) unless every member unpacks within the limits and intact.

    For readers that open the zip themselves (openpyxl, pandas, python-docx): run this first.
    """
    with SafeZip(path, limits, label) as z:
        z.check()


def _why(e: BaseException) -> str:
    text = str(e).splitlines()[0] if str(e) else ""
    return text or type(e).__name__
