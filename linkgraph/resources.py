"""Where the bundled import specifications and queries are: in the wheel, or in the source tree."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_dir(name: str) -> Path:
    """The folder of bundled `importers` or `queries`: inside an installed wheel, else the repository's."""
    installed = _PACKAGE / "_bundled" / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def package_version() -> str:
    """linkgraph's version, as pyproject.toml wrote it into the installed metadata (the one place it is written).

    A source tree on sys.path without an install (`PYTHONPATH=. python benchmarks/...`) has no metadata: it reads
    "0+unknown" rather than failing at import.
    """
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("linkgraph")
    except PackageNotFoundError:
        return "0+unknown"
