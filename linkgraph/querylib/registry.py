"""The named Python steps a query header names with `// runner: NAME`, registered with the `runner` decorator.

The runner modules (linkgraph.querylib.runners for expansion, paths and routes; linkgraph.querylib.analytics for
network analytics) register on import, which linkgraph.querylib does once; this module imports neither, so the
query loader below them can check a runner's parameters without importing upward.
"""

from __future__ import annotations

from linkgraph.errors import LinkgraphError

RUNNERS = {}


def runner(name: str, params: set[str] = frozenset()):
    """Register the decorated function as runner `name`, consuming query parameters `params` itself."""

    def wrap(fn):
        fn.params = set(params)
        RUNNERS[name] = fn
        return fn

    return wrap


def get_runner(name: str):
    """The registered runner `name`; a one-line error naming the known ones if there is none."""
    if name not in RUNNERS:
        raise LinkgraphError(f"query runner {name!r} is not known (known: {', '.join(sorted(RUNNERS))})")
    return RUNNERS[name]


def runner_params(name: str | None) -> set[str]:
    """The query parameters runner `name` consumes itself (none without a runner)."""
    if not name:
        return set()
    return set(getattr(get_runner(name), "params", set()))
