"""Shared by the benchmark scripts: machine notes, peak memory, a Neo4j to measure against."""

from __future__ import annotations

import contextlib
import itertools
import os
import platform
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def machine() -> str:
    """One line: CPU model, cores, memory, Python, the engines' versions."""
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    from importlib.metadata import version

    # the packages whose versions move these numbers (pandas 3 alone made imports 3.7x faster than 2.3)
    pkgs = ("ladybug", "neo4j", "pandas", "pyarrow", "numpy", "python-igraph", "rapidfuzz")
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem:.0f} GiB, Python {platform.python_version()}, "
        + ", ".join(f"{p} {version(p)}" for p in pkgs)
        + f", load {os.getloadavg()[0]:.1f}"
    )


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Timer:
    def __enter__(self):
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.t0


@contextlib.contextmanager
def neo4j_target():
    """A Neo4j URI for the benchmark: $NEO4J_URI, else the test server started for the run."""
    if os.environ.get("NEO4J_URI"):
        yield os.environ["NEO4J_URI"]
        return
    from tests import neo4j_server

    with tempfile.TemporaryDirectory() as work:
        server = neo4j_server.start(work, heap=os.environ.get("LINKGRAPH_NEO4J_HEAP", "4g"))
        old = {k: os.environ.get(k) for k in ("NEO4J_USERNAME", "NEO4J_PASSWORD")}
        os.environ["NEO4J_USERNAME"], os.environ["NEO4J_PASSWORD"] = server.user, server.password
        try:
            yield server.uri
        finally:
            server.stop()
            for k, v in old.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def cluster_pairs(ids, labels) -> set:
    """Every pair of ids that share a label (a cluster), as sorted tuples: how pairwise scores are counted."""
    import pandas as pd

    s = pd.Series(list(labels), index=list(ids))
    out = set()
    for _, g in s.groupby(s.values):
        if len(g) > 1:
            out.update(itertools.combinations(sorted(g.index), 2))
    return out


def prf(true: set, pred: set) -> tuple[float, float, float]:
    """Pairwise precision, recall and F1."""
    tp = len(true & pred)
    p = tp / len(pred) if pred else 1.0
    r = tp / len(true) if true else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)
