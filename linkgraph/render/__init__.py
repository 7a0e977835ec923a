"""Renderers and exporters of a `Subgraph`: one module per format on a small shared base.

    from linkgraph.render import write
    write(subgraph, "html", "chart.html", tlp="AMBER", handling="P")
    write(subgraph, "anx", "chart.anx")            # i2 Analyst's Notebook
    write(subgraph, "xlsx", "chart.xlsx")          # README, Entities, Links, Sources
    write(subgraph, "csv", "chart.zip")            # entities.csv, links.csv, sources.csv (folder or zip)

Every writer takes `title`, `tlp`, `handling` and `created` (the marking; derived from the data's handling codes
when not given) and returns the written path.
"""

from __future__ import annotations

import importlib
from pathlib import Path

from linkgraph.render.base import ChartTooLarge, RenderError
from linkgraph.safe import neutralise
from linkgraph.subgraph import Subgraph

# format -> (module, function)
FORMATS = {
    "html": ("linkgraph.render.html", "write_html"),
    "anx": ("linkgraph.render.anx", "write_anx"),
    "graphml": ("linkgraph.render.graphml", "write_graphml"),
    "gexf": ("linkgraph.render.gexf", "write_gexf"),
    "xlsx": ("linkgraph.render.tables", "write_xlsx"),
    "csv": ("linkgraph.render.tables", "write_csv"),
}
ALIASES = {"htm": "html", "i2": "anx", "excel": "xlsx"}

__all__ = ["FORMATS", "ChartTooLarge", "RenderError", "write", "writer", "neutralise"]


def writer(fmt: str):
    """The `write_<fmt>(subgraph, path, **opts)` function of a format name."""
    name = str(fmt).strip().lower().lstrip(".")
    name = ALIASES.get(name, name)
    if name not in FORMATS:
        raise RenderError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    module, function = FORMATS[name]
    return getattr(importlib.import_module(module), function)


def write(subgraph: Subgraph, fmt: str, path: str | Path, **opts) -> Path:
    """Write `subgraph` in format `fmt` ('html', 'anx', 'graphml', 'gexf', 'xlsx', 'csv') to `path`."""
    return writer(fmt)(subgraph, path, **opts)
