"""Run benchmark scripts and print their Markdown rows: `python benchmarks/run.py [NAME ...]`.

NAME is a script's suffix (store_write, import, queries, chart, resolve_febrl, resolve_scale, psi); no NAME runs all.
Paste the rows, with the machine line, into BENCHMARKS.md.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    names = argv or sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    failed = 0
    for name in names:
        script = HERE / f"bench_{name}.py"
        if not script.exists():
            print(f"no benchmark {name!r} (have: {', '.join(p.stem[6:] for p in HERE.glob('bench_*.py'))})")
            return 2
        print(f"\n## {name}\n", flush=True)
        failed += subprocess.call([sys.executable, str(script)]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
