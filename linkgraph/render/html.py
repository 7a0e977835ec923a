"""Interactive link chart as ONE self-contained HTML page (vis-network inlined, zero network requests).

    from linkgraph.render.html import Chart, write_html
    write_html(subgraph, "chart.html", title="Op. Pangolin", tlp="AMBER", handling="P")
    Chart(subgraph, color_by="community")          # shows inline in Jupyter (sandboxed iframe)

The page shows an i2-style icon per entity type, captions, link labels (type and date), a legend, a search box,
filters (entity type, link type, date range, minimum Admiralty grade), a side panel with the properties and
every provenance record of the clicked entity and of its links, the highlighted path of a path query, a timeline
of every dated observation (one row per entity; its brush is the date filter), a map of places, seizures and
addresses (Natural Earth countries, vendored), and a TLP 2.0 banner top and bottom. Node positions are computed
here with igraph and physics is off, so a 2,000-node chart draws at once.

The page itself is package data in `linkgraph/render/chart/`: the template `page.html` (slots `@@NAME@@`),
`chart.css`, `chart.js` (checked by ESLint in CI, tools/js/) and `vendor/` (vis-network, topojson-client and
world-atlas, written with their manifest VENDOR.json by tools/vendor_js.py from the npm registry). This module
fills the slots.

Security: every string from the data is treated as hostile. The data travels as JSON in a
`<script type="application/json">` block with `<`, `>`, `&`, U+2028 and U+2029 escaped, so it can never close
the tag; the page writes data only with textContent/createTextNode (vis-network sets tooltips as text); and a
Content-Security-Policy allows only the page's own scripts and styles (by hashes of the files' content, computed
when the page is written) and `data:` images, which also blocks every network request.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.resources
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any

from linkgraph import grading
from linkgraph.normalize.countries import country_numeric
from linkgraph.render.base import (
    Analytics,
    ChartTooLarge,
    Item,
    RenderError,
    items,
    marking,
    out_path,
    text,
)
from linkgraph.render.icons import NONE_COLOUR, TYPE_COLOURS, glyph_name, icon_uri, link_colour, palette
from linkgraph.subgraph import Subgraph

__all__ = ["Chart", "ChartTooLarge", "write_html", "script_json", "vis_assets"]

SIZE_BY = ("degree", "betweenness", None)
COLOR_BY = ("type", "community", "country")
MAX_LEGEND_COLOURS = 19  # then "other"
MARK_COLOUR = "#8E24AA"  # border and badge of entities an analytic query marked (not a TLP or path colour)
# entity types the map places: at their own latitude and longitude, else in their country
MAP_TYPES = ("Location", "Seizure", "Address")


CHART = importlib.resources.files(__package__) / "chart"  # the page's template, CSS, JavaScript and vendor/


def _asset(name: str, inlined: bool = True) -> str:
    """A file of the page (`chart/NAME`, package data), as text with its source-map comment dropped (developer
    tools would otherwise fetch a .map file); a file `inlined` in a <script> or <style> element is refused if it
    could close that element."""
    try:
        source = (CHART / name).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError) as exc:  # pragma: no cover - a broken install
        raise RenderError(f"the chart page's file {name} is missing from the installed package ({exc})") from None
    source = re.sub(r"^//# sourceMappingURL=\S*\s*$", "", source, flags=re.M)
    source = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", source)
    if inlined and re.search(r"</(script|style)", source, flags=re.I):  # pragma: no cover - a vendored or edited file
        raise RenderError(f"the chart page's file {name} contains a closing script or style tag")
    return source


@functools.cache
def page_assets() -> dict[str, str]:
    """The page's template (`page.html`), its own CSS and JavaScript (`chart.css`, `chart.js`) and the vendored
    vis-network (`vendor/`, written by tools/vendor_js.py from the npm registry), as text."""
    return {
        "PAGE": _asset("page.html", inlined=False),
        "APP_CSS": _asset("chart.css"),
        "APP_JS": _asset("chart.js"),
        "VIS_JS": _asset("vendor/vis-network.min.js"),
        "VIS_CSS": _asset("vendor/vis-network.min.css"),
        "TOPO_JS": _asset("vendor/topojson-client.min.js"),
    }


@functools.cache
def world() -> dict:
    """Natural Earth 1:110m countries as TopoJSON (npm world-atlas, vendored), the map panel's basemap."""
    return json.loads(_asset("vendor/countries-110m.json"))


def _coordinate(value: Any, limit: float) -> float | None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return round(v, 5) if -limit <= v <= limit else None


def _geo(nd: Item) -> dict:
    """Where the map puts an entity: `ll` [latitude, longitude] from its own coordinates, else `cn` the ISO numeric
    code of its country (the basemap's country ids); nothing for the types the map does not place."""
    if nd.type not in MAP_TYPES:
        return {}
    lat, lon = _coordinate(nd.row.get("latitude"), 90), _coordinate(nd.row.get("longitude"), 180)
    if lat is not None and lon is not None:
        return {"ll": [lat, lon]}
    code = text(nd.row.get("country"))
    if not code and nd.type == "Location" and text(nd.row.get("kind")).lower() == "country":
        code = text(nd.row.get("code"))
    numeric = country_numeric(code)
    return {"cn": numeric} if numeric else {}


def vis_assets() -> tuple[str, str]:
    """vis-network 9.1.2 JS and CSS, as the page inlines them (vendored from the npm registry)."""
    a = page_assets()
    return a["VIS_JS"], a["VIS_CSS"]


def script_json(obj: Any) -> str:
    """JSON safe to place inside a <script> element: `<`, `>`, `&`, U+2028, U+2029 as \\u escapes."""
    s = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        s.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )


def _csp_hash(source: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


def _kv(d: dict) -> list[list[str]]:
    return [[str(k), text(v)] for k, v in d.items() if text(v) != ""]


def _prov_record(r: dict) -> dict:
    return {str(k): text(v) for k, v in r.items() if text(v) != ""}


class Chart:
    """An interactive chart of a subgraph: `write(path)` for a file, `_repr_html_()` for Jupyter."""

    def __init__(
        self,
        subgraph: Subgraph,
        *,
        title: str | None = None,
        handling: str | None = None,
        tlp: str | None = None,
        size_by: str | None = "degree",
        color_by: str = "type",
        max_nodes: int = 2000,
        created: str | None = None,
        height: int = 720,
    ):
        n = len(subgraph.nodes)
        if n > max_nodes:
            raise ChartTooLarge(
                f"chart has {n:,} nodes, more than max_nodes={max_nodes:,}: narrow the selection "
                f"(fewer hops, a tighter query, or filter by entity type, date or grade) or pass a larger max_nodes"
            )
        if size_by not in SIZE_BY:
            raise RenderError(f"size_by={size_by!r}: use 'degree', 'betweenness' or None")
        if color_by not in COLOR_BY:
            raise RenderError(f"color_by={color_by!r}: use 'type', 'community' or 'country'")
        self.subgraph = subgraph
        self._items = items(subgraph)
        self.marking = marking(subgraph, title=title, tlp=tlp, handling=handling, created=created, parsed=self._items)
        self.size_by = size_by
        self.color_by = color_by
        self.height = height

    # ---------------------------------------------------------------------------------------------- data

    def data(self) -> dict:
        """Everything the page shows, as plain JSON-able data."""
        from linkgraph.schema import load_schema

        try:
            icons_of = {name: et.icon for name, et in load_schema().entities.items()}
        except Exception:  # a chart still renders with generic icons
            icons_of = {}
        nodes, links = self._items
        an = Analytics(nodes, links)
        pos = an.layout(spacing=170.0 if len(nodes) <= 300 else 120.0)
        analysis = self.analysis(an)
        sizes = self._sizes(an, nodes, analysis.get("size"))
        colours, legend = self._colours(nodes, icons_of, analysis.get("community"))

        images: dict[str, int] = {}
        image_list: list[str] = []
        self._strings: dict[str, int] = {}

        def image(icon: str, colour: str) -> int:
            key = f"{icon}|{colour}"
            if key not in images:
                images[key] = len(image_list)
                image_list.append(icon_uri(icon, colour))
            return images[key]

        type_counts: dict[str, int] = {}
        for nd in nodes:
            type_counts[nd.type] = type_counts.get(nd.type, 0) + 1
        types = []
        for t in sorted(type_counts):
            icon = glyph_name(icons_of.get(t, t))
            types.append({"name": t, "icon": image(icon, TYPE_COLOURS[icon]), "count": type_counts[t]})
        link_counts: dict[str, int] = {}
        for lk in links:
            link_counts[lk.type] = link_counts.get(lk.type, 0) + 1
        link_types = [
            {"name": t, "colour": link_colour(t, i), "count": link_counts[t]} for i, t in enumerate(sorted(link_counts))
        ]

        out_nodes = []
        for i, nd in enumerate(nodes):
            icon = glyph_name(icons_of.get(nd.type, nd.type))
            out_nodes.append(
                {
                    "i": nd.id,
                    "t": nd.type,
                    "c": nd.caption,
                    "x": round(pos[i][0]),
                    "y": round(pos[i][1]),
                    "s": sizes[i],
                    "im": image(icon, colours[i]),
                    # every dated observation, for the timeline: [[first day, last day], ...]
                    "ob": [list(b) for b in nd.observations],
                    **_geo(nd),
                    **self._common(nd),
                    **self._mark(nd),
                }
            )
        out_links = []
        for lk in links:
            date = lk.date
            out_links.append(
                {
                    "i": lk.id,
                    "t": lk.type,
                    "f": lk.source,
                    "to": lk.target,
                    "l": f"{lk.type} {date}" if date else lk.type,
                    "dt": date or "",
                    **self._common(lk),
                }
            )
        path, path_links = self._path(nodes, links)
        m = self.marking
        return {
            "meta": {
                "title": m.title,
                "tlp": m.tlp_label,
                "handling": m.handling,
                "created": m.created,
                "sizeBy": self.size_by or "",
                "colorBy": self.color_by,
                # what the colours and sizes were computed by, and on which graph
                "colourNote": self._colour_note(analysis.get("community"), legend),
                "sizeNote": analysis["size"]["by"] if "size" in analysis else self.size_by or "",
                "reliability": grading.RELIABILITY,
                "reliabilityText": {r: t.lower() for r, t in grading.RELIABILITY_TEXT.items()},
                "credibilityText": {str(c): t.lower() for c, t in grading.CREDIBILITY_TEXT.items()},
            },
            "strings": list(self._strings),
            "images": image_list,
            "types": types,
            "linkTypes": link_types,
            "colours": legend,
            "nodes": out_nodes,
            "links": out_links,
            "path": path,
            "pathLinks": path_links,
            "mark": self._mark_meta(nodes),
            # the basemap, only when the map has something to place
            "world": world() if any("ll" in n or "cn" in n for n in out_nodes) else None,
        }

    def _intern(self, value: str) -> int:
        """Index of a string in the page's string table (provenance repeats sources, hashes and batches)."""
        idx = self._strings.get(value)
        if idx is None:
            idx = self._strings[value] = len(self._strings)
        return idx

    def _record(self, r: dict) -> list[int]:
        """A provenance record as [key, value, key, value, ...] indexes into the string table."""
        out: list[int] = []
        for k, v in _prov_record(r).items():
            out += [self._intern(k), self._intern(v)]
        return out

    def _common(self, it: Item) -> dict:
        rel, cred = it.grade
        dates = it.dates
        summary = {
            k: it.row.get(k)
            for k in ("reliability", "credibility", "handling", "first_seen", "last_seen", "batches")
            if text(it.row.get(k)) != ""
        }
        return {
            "p": _kv(it.props),
            "q": _kv(summary),
            "pr": [self._record(r) for r in it.prov],
            "g": [list(p) for p in sorted({(grading.RELIABILITY.index(r), c) for r, c in it.grade_pairs})],
            "d": list(dates) if dates else None,
            "gr": grading.text(rel, cred),
        }

    @staticmethod
    def _mark(nd: Item) -> dict:
        """A marked entity's rank and text (`mk`), nothing for the others."""
        if not nd.mark:
            return {}
        return {"mk": [int(nd.mark.get("rank") or 0), text(nd.mark.get("text"))]}

    def _mark_meta(self, nodes: list[Item]) -> dict | None:
        """The legend entry of the marks: query, title, colour, and the marked ids in rank order."""
        marked = sorted((nd for nd in nodes if nd.mark), key=lambda nd: (int(nd.mark.get("rank") or 0), nd.id))
        if not marked:
            return None
        info = getattr(self.subgraph, "mark_info", None) or {}
        query = text(info.get("query") or marked[0].mark.get("query"))
        return {
            "query": query,
            "title": text(info.get("title")) or query,
            "colour": MARK_COLOUR,
            "ids": [nd.id for nd in marked],
        }

    def analysis(self, an: Analytics | None = None) -> dict:
        """{community, size} as drawn: the store's query results attached by linkgraph.selection.analyse, else
        the same functions on the drawn subgraph (a chart made without its store, e.g. from a package)."""
        attached = getattr(self.subgraph, "analysis", None) or {}
        out = {}
        if self.color_by == "community":
            out["community"] = attached.get("community") or (an or Analytics(*self._items)).communities()
        if self.size_by == "betweenness":
            out["size"] = attached.get("size") or (an or Analytics(*self._items)).betweenness()
        return out

    def _sizes(self, an: Analytics, nodes: list[Item], size: dict | None) -> list[float]:
        n = len(nodes)
        if self.size_by is None or n == 0:
            return [22.0] * n
        vals = an.degree() if size is None else [size["values"].get(nd.id) or 0.0 for nd in nodes]
        top = max(vals) if vals else 0
        if not top:
            return [22.0] * n
        return [round(14 + 26 * (v / top) ** 0.5, 1) for v in vals]

    def _colours(self, nodes: list[Item], icons_of: dict, community: dict | None) -> tuple[list[str], list[dict]]:
        if self.color_by == "type":
            return [TYPE_COLOURS[glyph_name(icons_of.get(nd.type, nd.type))] for nd in nodes], []
        if community is not None:
            # numbered as the communities query numbers them (0 = largest)
            of = community["values"]
            keys = [f"Community {of[nd.id]}" if of.get(nd.id) is not None else "" for nd in nodes]
            none_label = "no community"
            tie = lambda k: (len(k), k)  # Community 2 before Community 10
        else:
            keys = []
            for nd in nodes:
                c = text(nd.row.get("country"))
                if not c and nd.type == "Location" and text(nd.row.get("kind")).lower() == "country":
                    c = text(nd.row.get("code")) or nd.caption
                keys.append(c)
            none_label = "no country"
            tie = lambda k: k
        counts: dict[str, int] = {}
        for k in keys:
            if k:
                counts[k] = counts.get(k, 0) + 1
        ranked = sorted(counts, key=lambda k: (-counts[k], tie(k)))
        colour_of = {k: palette(i) for i, k in enumerate(ranked[:MAX_LEGEND_COLOURS])}
        legend = [{"label": k, "colour": colour_of[k], "count": counts[k]} for k in ranked[:MAX_LEGEND_COLOURS]]
        rest = sum(counts[k] for k in ranked[MAX_LEGEND_COLOURS:])
        none = sum(1 for k in keys if not k)
        if rest:
            legend.append({"label": "other (smaller groups)", "colour": NONE_COLOUR, "count": rest})
        if none:
            legend.append({"label": none_label, "colour": NONE_COLOUR, "count": none})
        return [colour_of.get(k, NONE_COLOUR) for k in keys], legend

    @staticmethod
    def _colour_note(community: dict | None, legend: list[dict]) -> str:
        """The legend's line on the community colours: which algorithm on which graph, and what grey means."""
        if community is None:
            return ""
        note = f"{community['by']}."
        if any(c["label"] == "no community" for c in legend) and community.get("none"):
            note += " " + community["none"]
        return note

    def _path(self, nodes: list[Item], links: list[Item]) -> tuple[list[str], list[str]]:
        known = {nd.id for nd in nodes}
        path = [text(p) for p in (getattr(self.subgraph, "path", None) or []) if text(p) in known]
        between: dict[frozenset, str] = {}
        for lk in links:
            between.setdefault(frozenset((lk.source, lk.target)), lk.id)
        path_links = []
        for a, b in zip(path, path[1:]):
            lid = between.get(frozenset((a, b)))
            if lid:
                path_links.append(lid)
        return path, path_links

    # ---------------------------------------------------------------------------------------------- page

    @cached_property
    def html(self) -> str:
        return self.to_html()

    def to_html(self) -> str:
        """The page, as text."""
        a = page_assets()
        data = self.data()
        m = self.marking
        n, e = len(data["nodes"]), len(data["links"])
        csp = (
            "default-src 'none'; "
            f"script-src {_csp_hash(a['VIS_JS'])} {_csp_hash(a['TOPO_JS'])} {_csp_hash(a['APP_JS'])}; "
            f"style-src {_csp_hash(a['VIS_CSS'])} {_csp_hash(a['APP_CSS'])}; "
            "img-src data:; font-src 'none'; connect-src 'none'; media-src 'none'; object-src 'none'; "
            "frame-src 'none'; worker-src 'none'; manifest-src 'none'; base-uri 'none'; form-action 'none'"
        )
        slots = {
            "CSP": html.escape(csp, quote=True),
            "TITLE": html.escape(m.title),
            "TLP": m.tlp or "NONE",
            "BANNER": html.escape(m.banner()),
            "CREATED": html.escape(m.created),
            "COUNTS": f"{n:,} entities · {e:,} links",
            "VIS_CSS": a["VIS_CSS"],
            "APP_CSS": a["APP_CSS"],
            "DATA": script_json(data),
            "VIS_JS": a["VIS_JS"],
            "TOPO_JS": a["TOPO_JS"],
            "APP_JS": a["APP_JS"],
        }
        # one pass over the template: what a slot is filled with is never scanned for slots again
        return re.sub(r"@@([A-Z_]+)@@", lambda mo: slots[mo.group(1)], a["PAGE"])

    def write(self, path: str | Path) -> Path:
        """Write the page to `path` (".html" added when it has no suffix); returns the path."""
        p = out_path(path, ".html")
        p.write_text(self.html, encoding="utf-8", errors="replace")
        return p

    def _repr_html_(self) -> str:
        """The page in a sandboxed iframe (scripts run in an opaque origin; styles cannot leak)."""
        return (
            f'<iframe srcdoc="{html.escape(self.html, quote=True)}" sandbox="allow-scripts" '
            f'referrerpolicy="no-referrer" title="{html.escape(self.marking.title, quote=True)}" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #ccc"></iframe>'
        )


def write_html(
    subgraph: Subgraph,
    path: str | Path,
    *,
    title: str | None = None,
    handling: str | None = None,
    tlp: str | None = None,
    size_by: str | None = "degree",
    color_by: str = "type",
    max_nodes: int = 2000,
    created: str | None = None,
) -> Path:
    """Write the interactive chart of `subgraph` to `path` (one self-contained HTML file); returns the path.

    Raises ChartTooLarge above `max_nodes` nodes.
    """
    return Chart(
        subgraph,
        title=title,
        handling=handling,
        tlp=tlp,
        size_by=size_by,
        color_by=color_by,
        max_nodes=max_nodes,
        created=created,
    ).write(path)
