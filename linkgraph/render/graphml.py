"""GraphML export (Gephi, yEd, networkx, Cytoscape), written with lxml.

Nodes carry `label` (the caption, for Gephi and yEd), `type`, `caption`, the grade fields (reliability,
credibility, grade, handling, first_seen, last_seen, batches), `properties` (all properties as JSON), `prov` (the
provenance records as JSON) and one typed attribute per property. Links carry the same, with `label` as type
and date. The graph carries the chart's title, TLP, handling and creation date.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from linkgraph.render.base import attribute_table, items, mark_summary, marking, out_path, xml_value
from linkgraph.safe import xml_text
from linkgraph.subgraph import Subgraph

NS = "http://graphml.graphdrawing.org/xmlns"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"
TYPES = {"string": "string", "long": "long", "double": "double", "boolean": "boolean"}


def write_graphml(
    subgraph: Subgraph,
    path: str | Path,
    *,
    title: str | None = None,
    tlp: str | None = None,
    handling: str | None = None,
    created: str | None = None,
) -> Path:
    """Write `subgraph` as GraphML to `path` (".graphml" added when it has no suffix); returns the path."""
    nodes, links = items(subgraph)
    m = marking(subgraph, title=title, tlp=tlp, handling=handling, created=created, parsed=(nodes, links))
    ncols, nrows = attribute_table(nodes, links=False)
    lcols, lrows = attribute_table(links, links=True)
    ncols = [("label", "string")] + ncols
    for nd, row in zip(nodes, nrows):
        row["label"] = nd.caption

    root = etree.Element(f"{{{NS}}}graphml", nsmap={None: NS, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    root.append(etree.Comment(xml_text(f" {m.banner()} · created {m.created} ").replace("--", "- -")))
    graph_keys = [("title", m.title), ("tlp", m.tlp_label), ("handling", m.handling), ("created", m.created)]
    if mark_summary(subgraph):
        graph_keys.append(("marks", mark_summary(subgraph)))
    for i, (name, _) in enumerate(graph_keys):
        _key(root, f"g{i}", "graph", name, "string")
    nkey = {}
    for i, (name, kind) in enumerate(ncols):
        nkey[name] = f"n{i}"
        _key(root, f"n{i}", "node", name, kind)
    lkey = {}
    for i, (name, kind) in enumerate(lcols):
        lkey[name] = f"e{i}"
        _key(root, f"e{i}", "edge", name, kind)

    g = etree.SubElement(root, f"{{{NS}}}graph", id="G", edgedefault="directed")
    for i, (_, value) in enumerate(graph_keys):
        _data(g, f"g{i}", value)
    for nd, row in zip(nodes, nrows):
        el = etree.SubElement(g, f"{{{NS}}}node", id=xml_text(nd.id))
        for name, _ in ncols:
            if row.get(name) is not None:
                _data(el, nkey[name], row[name])
    for lk, row in zip(links, lrows):
        el = etree.SubElement(
            g, f"{{{NS}}}edge", id=xml_text(lk.id), source=xml_text(lk.source), target=xml_text(lk.target)
        )
        for name, _ in lcols:
            if row.get(name) is not None:
                _data(el, lkey[name], row[name])

    p = out_path(path, ".graphml")
    etree.ElementTree(root).write(str(p), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return p


def _key(root, kid: str, domain: str, name: str, kind: str) -> None:
    etree.SubElement(
        root, f"{{{NS}}}key", id=kid, attrib={"for": domain, "attr.name": xml_text(name), "attr.type": TYPES[kind]}
    )


def _data(parent, key: str, value) -> None:
    d = etree.SubElement(parent, f"{{{NS}}}data", key=key)
    d.text = xml_text(xml_value(value))
