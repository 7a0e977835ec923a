"""The reader of plain-text and Markdown reports (.txt, .md): decoding, line numbers as an editor counts
them, YAML front matter, underlined titles."""

from __future__ import annotations

import re
from pathlib import Path

from linkgraph.errors import LinkgraphError
from linkgraph.importing.reports.lines import _RULE_RE, _clean, _Line, _safe_name


def _decode(data: bytes, name: str) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data[:4096]:
        raise LinkgraphError(f"{name}: not a text file (binary content)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[: 1 << 20]).best()
        enc = best.encoding if best is not None else "cp1252"
    except Exception:  # a detection failure still leaves a safe fallback
        enc = "cp1252"
    return data.decode(enc, errors="replace")


def _text_lines(path: Path) -> list[_Line]:
    data = path.read_bytes()
    text = _decode(data, _safe_name(path))
    # numbered as an editor numbers them: only CR, LF and CRLF end a line
    if text.endswith(("\r\n", "\n", "\r")):
        text = text[:-2] if text.endswith("\r\n") else text[:-1]
    lines = [_Line(i, _clean(t)) for i, t in enumerate(re.split(r"\r\n|\r|\n", text), start=1)]
    if path.suffix.lower() == ".md":
        _drop_front_matter(lines)
    # an underlined title is a heading, not text: "===" anywhere; "---" in Markdown when the title stands alone
    # ("\nReport 2\n---" renders as a heading; in a .txt file "---" is only a rule)
    md = path.suffix.lower() == ".md"
    for k in range(1, len(lines)):
        prev, ln = lines[k - 1], lines[k]
        t = prev.text.strip()
        underline = re.fullmatch(r"\s*={3,}\s*", ln.text) or (
            md and re.fullmatch(r"\s*-{3,}\s*", ln.text) and (k < 2 or not lines[k - 2].text.strip())
        )
        if underline and t and len(t) <= 60 and t[-1] not in ".!?:;," and not _RULE_RE.match(t):
            prev.heading = True
        if re.fullmatch(r"\s*={3,}\s*", ln.text):
            ln.text = ""
    return lines


def _drop_front_matter(lines: list[_Line]) -> None:
    """YAML front matter ("---", "key: value" lines, "---") is metadata, not a report."""
    if not lines or lines[0].text.strip() != "---":
        return
    for j in range(1, min(len(lines), 200)):
        t = lines[j].text.strip()
        if t == "---":
            for ln in lines[: j + 1]:
                ln.text, ln.rule = "", False
            return
        if t and not re.match(r"^[\w-]+\s*:", t):
            return
