"""Write docs/cli.md, the command reference, from the typer app: `python docs/gen_cli.py`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "cli.md"


def generate() -> str:
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "typer",
            "linkgraph.cli",
            "utils",
            "docs",
            "--name",
            "linkgraph",
            "--title",
            "linkgraph command reference",
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin", "TERM": "dumb", "NO_COLOR": "1"},
    )
    return r.stdout


if __name__ == "__main__":
    OUT.write_text(generate(), encoding="utf-8")
    print(f"wrote {OUT}")
