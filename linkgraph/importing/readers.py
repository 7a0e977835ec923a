"""Readers: a file becomes one or more Sheets that yield raw text rows in chunks, numbered as a spreadsheet
numbers them (the header is row 1 when it is the first line; the first data row is 2).

CSV encodings are detected without being told: a byte-order mark decides UTF-8-BOM and UTF-16 LE/BE; else
strict UTF-8; else charset-normalizer's best guess (cp1252 for the usual Windows exports). XLSX is read with
openpyxl in read-only mode: cached values of formula cells, merged ranges filled from their anchor cell.
Reports (.docx/.md/.txt) go through linkgraph.importing.reports.read_report, one row per report.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path

import pandas as pd

from linkgraph.errors import LinkgraphError
from linkgraph.safezip import WORKBOOK, SafeZip, check_archive

PREVIEW_ROWS = 25
REPORT_SUFFIXES = {".docx", ".md", ".txt"}
CSV_SUFFIXES = {".csv", ".tsv", ".tab"}
XLSX_SUFFIXES = {".xlsx", ".xlsm"}


def col_letter(i: int) -> str:
    s = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        s = chr(65 + r) + s
    return s


@dataclass
class Sheet:
    """One table of a source. `preview` holds the first rows as text; `chunks(header_idx)` yields DataFrames
    of the data rows below the header: columns 0..n-1 as text (lists for report list columns) and `__row__`."""

    file: Path
    name: str | None
    preview: list[list[str]]
    est_rows: int | None = None
    fmt: str = "csv"
    _opts: dict = field(default_factory=dict)

    def label(self) -> str:
        return f'{self.file.name}, sheet "{self.name}"' if self.name else self.file.name

    def chunks(self, header_idx: int, chunk_rows: int) -> Iterator[pd.DataFrame]:
        if self.fmt == "csv":
            yield from _csv_chunks(self, header_idx, chunk_rows)
        elif self.fmt == "xlsx":
            yield from _xlsx_chunks(self, header_idx, chunk_rows)
        else:
            df = self._opts["frame"]
            out = df.copy()
            out.columns = range(len(df.columns))
            # a report's provenance row is the line (paragraph in a .docx) where it starts, which an analyst
            # can find in the file; the frame position is used only when the reader gave no line
            line = pd.to_numeric(df["line"], errors="coerce") if "line" in df.columns else None
            if line is not None and line.notna().all():
                out["__row__"] = line.astype("int64").to_numpy()
            else:
                out["__row__"] = range(2, len(df) + 2)
            yield out


def open_sheets(path: str | Path) -> list[Sheet]:
    """The tables of a file, by its suffix (CSV, XLSX or a report)."""
    path = Path(path)
    if not path.exists():
        raise LinkgraphError(f"{path}: no such file")
    if path.is_dir():
        raise LinkgraphError(f"{path} is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _xlsx_sheets(path)
    if suffix in REPORT_SUFFIXES:
        return [_report_sheet(path)]
    if suffix in CSV_SUFFIXES or suffix == "":
        return [_csv_sheet(path)]
    if suffix == ".xls":
        raise LinkgraphError(f"{path.name}: old .xls workbooks are not read; save it as .xlsx or .csv")
    raise LinkgraphError(f"{path.name}: unknown file type {suffix!r} (read: .csv, .xlsx, .docx, .md, .txt)")


# --- CSV ---------------------------------------------------------------------------------------------------
def detect_encoding(path: Path, sample_bytes: int = 1 << 20) -> str:
    with path.open("rb") as f:
        head = f.read(sample_bytes)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if b"\x00" in head[:4096]:
        # UTF-16 without a mark: guess the byte order from where the zeros fall in ASCII text
        even = head[0:4096:2].count(0)
        odd = head[1:4096:2].count(0)
        return "utf-16-le" if odd > even else "utf-16-be"
    try:
        head.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError as e:
        if e.start >= len(head) - 4 and len(head) == sample_bytes:
            return "utf-8"  # a character cut by the sample boundary
    from charset_normalizer import from_bytes

    best = from_bytes(head).best()
    enc = (best.encoding if best is not None else "cp1252").lower()
    # On short samples charset-normalizer cannot tell one single-byte Latin code page from another (it may
    # say cp1257 for "José"). Spreadsheets saved on Windows in this field are cp1252, so a sample that
    # decodes as cp1252 is read as cp1252 unless the detector found a multi-byte or non-Latin encoding.
    multi_byte = enc.startswith(
        ("utf", "big5", "gb", "shift_jis", "euc", "cp932", "cp949", "cp950", "iso2022", "hz", "johab")
    )
    non_latin = enc in {
        "cp1251",
        "koi8_r",
        "koi8_u",
        "iso8859_5",
        "cp1253",
        "iso8859_7",
        "cp1256",
        "iso8859_6",
        "cp1255",
        "iso8859_8",
        "mac_cyrillic",
        "cp866",
        "cp1258",
    }
    single_byte_latin = not multi_byte and not non_latin
    try:
        head.decode("cp1252")
        fits_1252 = True
    except UnicodeDecodeError:
        fits_1252 = False
    if fits_1252 and (single_byte_latin or best is None):
        return "cp1252"
    return enc


def _csv_sheet(path: Path) -> Sheet:
    enc = detect_encoding(path)
    try:
        with path.open("r", encoding=enc, newline="") as f:
            sample = f.read(64 * 1024)
    except UnicodeDecodeError as e:
        raise LinkgraphError(f"{path.name}: cannot decode the text as {enc}: {e.reason}") from None
    if not sample.strip():
        raise LinkgraphError(f"{path.name}: the file is empty")
    first = sample.split("\n", 5)[:5]
    counts = {
        d: min(line.count(d) for line in first if line.strip()) if any(x.strip() for x in first) else 0
        for d in [",", ";", "\t", "|"]
    }
    delim = max(counts, key=counts.get) if max(counts.values()) > 0 else ","
    preview = []
    reader = csv.reader(io.StringIO(sample), delimiter=delim)
    try:
        for i, row in enumerate(reader):
            if i >= PREVIEW_ROWS:
                break
            preview.append([c.strip() for c in row])
    except csv.Error:
        pass
    size = path.stat().st_size
    avg = max(len(sample.encode(enc if enc != "utf-16" else "utf-16-le")) / max(sample.count("\n"), 1), 1)
    return Sheet(path, None, preview, est_rows=int(size / avg), fmt="csv", _opts={"encoding": enc, "sep": delim})


def _csv_chunks(sheet: Sheet, header_idx: int, chunk_rows: int) -> Iterator[pd.DataFrame]:
    path, enc, sep = sheet.file, sheet._opts["encoding"], sheet._opts["sep"]
    width = len(sheet.preview[header_idx])
    start = header_idx + 2  # spreadsheet row number of the first data row
    try:
        reader = pd.read_csv(
            path,
            sep=sep,
            header=None,
            names=list(range(width)),
            skiprows=header_idx + 1,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            encoding=enc,
            chunksize=chunk_rows,
            engine="c",
            quoting=csv.QUOTE_MINIMAL,
            index_col=False,
        )
        for chunk in reader:
            chunk["__row__"] = range(start, start + len(chunk))
            start += len(chunk)
            yield chunk
    except UnicodeDecodeError as e:
        raise LinkgraphError(f"{path.name}: cannot decode the text as {enc} near row {start}: {e.reason}") from None
    except pd.errors.ParserError as e:
        msg = str(e).strip().splitlines()[0]
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", msg)
        if m:
            line = int(m.group(2)) + header_idx + 1
            raise LinkgraphError(
                f"{path.name}, row {line}: {m.group(3)} cells where the header has "
                f"{m.group(1)} (a stray delimiter or quote?)"
            ) from None
        raise LinkgraphError(f"{path.name}: not a readable CSV near row {start}: {msg}") from None


# --- XLSX --------------------------------------------------------------------------------------------------
def _cell_text(v) -> str:
    if v is None:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, datetime):
        if v.time() == time(0, 0):
            return v.date().isoformat()
        return v.isoformat(timespec="seconds")
    if isinstance(v, (date, time)):
        return v.isoformat()
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else repr(v)
    return str(v)


def _open_workbook(path: Path, data_only: bool):
    import openpyxl

    # openpyxl opens the zip itself and trusts its headers: every part is inflated within limits here first
    check_archive(path, WORKBOOK)
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=data_only)
    except (zipfile.BadZipFile, KeyError, EOFError, OSError) as e:
        raise LinkgraphError(
            f"{path.name}: not a readable .xlsx workbook (truncated or corrupt: "
            f"{str(e).splitlines()[0] if str(e) else type(e).__name__})"
        ) from None
    except Exception as e:  # openpyxl raises many types on malformed XML inside the zip
        raise LinkgraphError(
            f"{path.name}: not a readable .xlsx workbook ({type(e).__name__}: "
            f"{str(e).splitlines()[0] if str(e) else ''})"
        ) from None


_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


def _merged_ranges(path: Path, ws) -> list[tuple[int, int, int, int]]:
    """(min_row, min_col, max_row, max_col), 1-based rows and 0-based columns, read from the sheet XML
    (read-only worksheets do not expose them). The merge list sits after the cell data, so we scan."""
    out = []
    try:
        with SafeZip(path, WORKBOOK) as z:
            tail = b""
            for block in z.iter_member(ws._worksheet_path):
                buf = tail + block
                for m in _MERGE.finditer(buf):
                    out.append((int(m.group(2)), _col_index(m.group(1)), int(m.group(4)), _col_index(m.group(3))))
                tail = buf[-200:] if not buf.endswith(b">") else b""
                if out and tail:
                    tail = b""
    except (LinkgraphError, OSError, AttributeError):
        return []
    return sorted(set(out))


def _xlsx_sheets(path: Path) -> list[Sheet]:
    wb = _open_workbook(path, data_only=True)
    sheets = []
    try:
        for ws in wb.worksheets:
            preview = []
            try:
                for i, row in enumerate(ws.iter_rows(values_only=True)):
                    if i >= PREVIEW_ROWS:
                        break
                    preview.append([_cell_text(v) for v in row])
            except Exception as e:
                raise LinkgraphError(
                    f'{path.name}, sheet "{ws.title}": unreadable ({type(e).__name__}: '
                    f"{str(e).splitlines()[0] if str(e) else ''}); is the file truncated?"
                ) from None
            merges = _merged_ranges(path, ws)
            _fill_merges(preview, merges, 1)
            sheets.append(Sheet(path, ws.title, preview, est_rows=ws.max_row, fmt="xlsx", _opts={"merges": merges}))
    finally:
        wb.close()
    return sheets


def _fill_merges(rows: list[list[str]], merges, first_row: int) -> None:
    """Copy each merged range's anchor value into its other cells, for the rows given (numbered from first_row)."""
    last = first_row + len(rows) - 1
    for r0, c0, r1, c1 in merges:
        if r1 < first_row or r0 > last:
            continue
        anchor = None
        if first_row <= r0 <= last and c0 < len(rows[r0 - first_row]):
            anchor = rows[r0 - first_row][c0]
        if anchor is None:
            continue
        for r in range(max(r0, first_row), min(r1, last) + 1):
            row = rows[r - first_row]
            for c in range(c0, c1 + 1):
                if c < len(row) and (r, c) != (r0, c0):
                    row[c] = anchor


def _xlsx_chunks(sheet: Sheet, header_idx: int, chunk_rows: int) -> Iterator[pd.DataFrame]:
    path = sheet.file
    wb = _open_workbook(path, data_only=True)
    wbf = _open_workbook(path, data_only=False)  # to tell a formula without a cached value from an empty cell
    merges = sheet._opts.get("merges") or []
    width = len(sheet.preview[header_idx])
    headers = sheet.preview[header_idx]
    try:
        ws, wsf = wb[sheet.name], wbf[sheet.name]
        it = zip(
            ws.iter_rows(min_row=header_idx + 2, values_only=True),
            wsf.iter_rows(min_row=header_idx + 2, values_only=True),
        )
        rownum = header_idx + 2
        buf: list[list[str]] = []
        nums: list[int] = []
        carry: dict[tuple[int, int], str] = {}  # merged values that reach into later chunks
        try:
            for vals, forms in it:
                texts = [_cell_text(v) for v in vals[:width]]
                texts += [""] * (width - len(texts))
                for c, (v, fv) in enumerate(zip(vals[:width], forms[:width])):
                    if v is None and isinstance(fv, str) and fv.startswith("="):
                        col = headers[c] if c < len(headers) else col_letter(c)
                        raise LinkgraphError(
                            f'{sheet.label()}, row {rownum}, column "{col}": formula {fv[:60]!r} '
                            "has no saved value; open and save the file in Excel, or paste "
                            "values"
                        ) from None
                buf.append(texts)
                nums.append(rownum)
                rownum += 1
                if len(buf) >= chunk_rows:
                    yield _xlsx_frame(buf, nums, merges, carry, width)
                    buf, nums = [], []
            if buf:
                yield _xlsx_frame(buf, nums, merges, carry, width)
        except LinkgraphError:
            raise
        except Exception as e:
            raise LinkgraphError(
                f"{sheet.label()}, row {rownum}: unreadable ({type(e).__name__}: "
                f"{str(e).splitlines()[0] if str(e) else ''}); is the file truncated?"
            ) from None
    finally:
        wb.close()
        wbf.close()


def _xlsx_frame(buf, nums, merges, carry, width) -> pd.DataFrame:
    if merges:
        first = nums[0]
        for (r, c), v in list(carry.items()):
            if first <= r <= nums[-1] and c < width:
                buf[r - first][c] = v
                del carry[(r, c)]
        for r0, c0, r1, c1 in merges:
            if first <= r0 <= nums[-1] and c0 < width:
                anchor = buf[r0 - first][c0]
                for r in range(r0, r1 + 1):
                    for c in range(c0, min(c1, width - 1) + 1):
                        if (r, c) == (r0, c0):
                            continue
                        if r <= nums[-1]:
                            buf[r - first][c] = anchor
                        else:
                            carry[(r, c)] = anchor
    df = pd.DataFrame(buf, columns=list(range(width)), dtype=object)
    df["__row__"] = nums
    return df


# --- reports -----------------------------------------------------------------------------------------------
def _report_sheet(path: Path) -> Sheet:
    try:
        from linkgraph.importing.reports import read_report
    except ImportError:
        raise LinkgraphError(
            f"{path.name}: reading intelligence reports needs linkgraph.importing.reports, which is not installed"
        ) from None
    try:
        df = read_report(path)
    except LinkgraphError:
        raise
    except Exception as e:
        raise LinkgraphError(
            f"{path.name}: not a readable report ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''})"
        ) from None
    if df is None or not len(df):
        raise LinkgraphError(f"{path.name}: no report found in the file")
    df = df.reset_index(drop=True)
    preview = [[str(c) for c in df.columns]]
    return Sheet(path, None, preview, est_rows=len(df), fmt="report", _opts={"frame": df})
