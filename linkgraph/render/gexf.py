"""GEXF 1.2 export (Gephi, networkx), written with lxml.

Node and edge attributes as in the GraphML export: `type`, `caption`, grade fields, `properties` and `prov` as
JSON, one typed attribute per property; edges are labelled with their type and date. The chart's title, TLP,
handling and creation date go in <meta>.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from linkgraph.render.base import attribute_table, items, link_label, mark_summary, marking, out_path, xml_value
from linkgraph.safe import xml_text
from linkgraph.subgraph import Subgraph

NS = "http://www.gexf.net/1.2draft"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA = "http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd"
TYPES = {"string": "string", "long": "long", "double": "double", "boolean": "boolean"}


def write_gexf(
    subgraph: Subgraph,
    path: str | Path,
    *,
    title: str | None = None,
    tlp: str | None = None,
    handling: str | None = None,
    created: str | None = None,
) -> Path:
    """Write `subgraph` as GEXF 1.2 to `path` (".gexf" added when it has no suffix); returns the path."""
    nodes, links = items(subgraph)
    m = marking(subgraph, title=title, tlp=tlp, handling=handling, created=created, parsed=(nodes, links))
    ncols, nrows = attribute_table(nodes, links=False)
    lcols, lrows = attribute_table(links, links=True)
    lcols = [c for c in lcols if c[0] != "label"]  # an edge's label is its own XML attribute

    root = etree.Element(f"{{{NS}}}gexf", nsmap={None: NS, "xsi": XSI}, version="1.2")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA)
    meta = etree.SubElement(root, f"{{{NS}}}meta", lastmodifieddate=m.created[:10])
    etree.SubElement(meta, f"{{{NS}}}creator").text = "linkgraph"
    etree.SubElement(meta, f"{{{NS}}}title").text = xml_text(m.title)
    etree.SubElement(meta, f"{{{NS}}}description").text = xml_text(
        f"{m.title} | {m.tlp_label} | Handling: {m.handling or '(none recorded)'} | created {m.created}"
        + (f" | {mark_summary(subgraph)}" if mark_summary(subgraph) else "")
    )
    etree.SubElement(meta, f"{{{NS}}}keywords").text = xml_text(m.tlp_label)

    g = etree.SubElement(root, f"{{{NS}}}graph", defaultedgetype="directed", mode="static")
    nid = _attributes(g, "node", ncols)
    lid = _attributes(g, "edge", lcols)
    nodes_el = etree.SubElement(g, f"{{{NS}}}nodes")
    for nd, row in zip(nodes, nrows):
        el = etree.SubElement(nodes_el, f"{{{NS}}}node", id=xml_text(nd.id), label=xml_text(nd.caption))
        _values(el, nid, ncols, row)
    edges_el = etree.SubElement(g, f"{{{NS}}}edges")
    for lk, row in zip(links, lrows):
        el = etree.SubElement(
            edges_el,
            f"{{{NS}}}edge",
            id=xml_text(lk.id),
            source=xml_text(lk.source),
            target=xml_text(lk.target),
            label=xml_text(link_label(lk)),
        )
        _values(el, lid, lcols, row)

    p = out_path(path, ".gexf")
    etree.ElementTree(root).write(str(p), xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return p


def _attributes(graph, cls: str, cols) -> dict[str, str]:
    el = etree.SubElement(graph, f"{{{NS}}}attributes", attrib={"class": cls, "mode": "static"})
    ids = {}
    for i, (name, kind) in enumerate(cols):
        ids[name] = str(i)
        etree.SubElement(el, f"{{{NS}}}attribute", id=str(i), title=xml_text(name), type=TYPES[kind])
    return ids


def _values(el, ids: dict[str, str], cols, row: dict) -> None:
    present = [(name, row[name]) for name, _ in cols if row.get(name) is not None]
    if not present:
        return
    av = etree.SubElement(el, f"{{{NS}}}attvalues")
    for name, value in present:
        etree.SubElement(av, f"{{{NS}}}attvalue", attrib={"for": ids[name], "value": xml_text(xml_value(value))})
