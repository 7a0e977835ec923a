"""Interactive link chart as ONE self-contained HTML page (vis-network inlined, zero network requests).

    from linkgraph.render.html import Chart, write_html
    write_html(subgraph, "chart.html", title="Op. Pangolin", tlp="AMBER", handling="P")
    Chart(subgraph, color_by="community")          # shows inline in Jupyter (sandboxed iframe)

The page shows an i2-style icon per entity type, captions, link labels (type and date), a legend, a search box,
filters (entity type, link type, date range, minimum Admiralty grade), a side panel with the properties and
every provenance record of the clicked entity and of its links, the highlighted path of a path query, and a
TLP 2.0 banner top and bottom. Node positions are computed here with igraph and physics is off, so a
2,000-node chart draws at once.

Security: every string from the data is treated as hostile. The data travels as JSON in a
`<script type="application/json">` block with `<`, `>`, `&`, U+2028 and U+2029 escaped, so it can never close
the tag; the page writes data only with textContent/createTextNode (vis-network sets tooltips as text); and a
Content-Security-Policy allows only the page's own scripts (by hash), inline styles and `data:` images, which
also blocks every network request.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import importlib.util
import json
import re
from functools import cached_property
from pathlib import Path
from typing import Any

from linkgraph import grading
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


@functools.cache
def vis_assets() -> tuple[str, str]:
    """vis-network 9.1.2 JS and CSS, read from pyvis's package folder."""
    try:  # find the package folder without importing pyvis (which imports jinja2, networkx, IPython...)
        spec = importlib.util.find_spec("pyvis")
        if spec is None or not spec.submodule_search_locations:
            raise FileNotFoundError("pyvis is not installed")
        lib = Path(list(spec.submodule_search_locations)[0]) / "lib" / "vis-9.1.2"
        js = (lib / "vis-network.min.js").read_text(encoding="utf-8")
        css = (lib / "vis-network.css").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError) as exc:  # pragma: no cover - depends on the install
        raise RenderError(
            f"vis-network assets not found in pyvis's package folder ({exc}); pip install pyvis"
        ) from None
    # source-map comments make developer tools fetch a .map file: drop them
    js = re.sub(r"^//# sourceMappingURL=\S*\s*$", "", js, flags=re.M)
    css = re.sub(r"/\*# sourceMappingURL=[^*]*\*/", "", css)
    return js, css


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
        vis_js, vis_css = vis_assets()
        data = self.data()
        m = self.marking
        n, e = len(data["nodes"]), len(data["links"])
        csp = (
            "default-src 'none'; "
            f"script-src {_csp_hash(vis_js)} {_csp_hash(APP_JS)}; "
            f"style-src {_csp_hash(vis_css)} {_csp_hash(APP_CSS)}; "
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
            "VIS_CSS": vis_css,
            "APP_CSS": APP_CSS,
            "DATA": script_json(data),
            "VIS_JS": vis_js,
            "APP_JS": APP_JS,
        }
        return re.sub(r"@@([A-Z_]+)@@", lambda mo: slots[mo.group(1)], PAGE)

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


# ====================================================================================================== template
# The static parts are filled with html.escape'd text; all data goes through the JSON block and textContent.

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="@@CSP@@">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="linkgraph">
<title>@@TITLE@@</title>
<style>@@VIS_CSS@@</style>
<style>@@APP_CSS@@</style>
</head>
<body>
<div class="lg-tlp" id="lg-tlp-top" data-tlp="@@TLP@@">@@BANNER@@</div>
<header class="lg-head">
  <h1 id="lg-title">@@TITLE@@</h1>
  <div class="lg-sub">Created <time id="lg-created">@@CREATED@@</time> · <span id="lg-counts">@@COUNTS@@</span></div>
</header>
<main class="lg-main">
  <aside class="lg-side" id="lg-side">
    <section>
      <label class="lg-h" for="lg-q">Find</label>
      <input type="search" id="lg-q" placeholder="caption or id" autocomplete="off" spellcheck="false">
      <ul id="lg-results" class="lg-results"></ul>
    </section>
    <section>
      <div class="lg-h">Entity types</div>
      <ul id="lg-types" class="lg-legend"></ul>
    </section>
    <section>
      <div class="lg-h">Link types</div>
      <ul id="lg-linktypes" class="lg-legend"></ul>
    </section>
    <section id="lg-mark-sec" hidden>
      <div class="lg-h">Marked</div>
      <ul class="lg-legend"><li><span class="lg-markdot" id="lg-markdot"></span><span class="lg-name"
        id="lg-mark-title"></span><span class="lg-count" id="lg-mark-count"></span></li></ul>
      <label class="lg-check"><input type="checkbox" id="lg-marked-only"> show only the marked entities</label>
      <ol id="lg-marks" class="lg-path"></ol>
    </section>
    <section id="lg-colour-sec" hidden>
      <div class="lg-h" id="lg-colour-h">Colour</div>
      <div class="lg-note" id="lg-colour-note" hidden></div>
      <ul id="lg-colours" class="lg-legend"></ul>
    </section>
    <section>
      <div class="lg-h">Dates</div>
      <div class="lg-row"><label for="lg-from">From</label><input type="date" id="lg-from"></div>
      <div class="lg-row"><label for="lg-to">To</label><input type="date" id="lg-to"></div>
      <label class="lg-check"><input type="checkbox" id="lg-undated" checked> keep undated items</label>
    </section>
    <section>
      <div class="lg-h">Minimum grade</div>
      <div class="lg-row"><label for="lg-rel">Reliability</label><select id="lg-rel"></select></div>
      <div class="lg-row"><label for="lg-cred">Credibility</label><select id="lg-cred"></select></div>
      <div class="lg-note">at or above: reliability and credibility both at least as good</div>
    </section>
    <section>
      <label class="lg-check"><input type="checkbox" id="lg-isolated"> hide entities left without links</label>
      <div class="lg-buttons"><button type="button" id="lg-reset">Reset filters</button>
      <button type="button" id="lg-fit">Fit</button>
      <button type="button" id="lg-showpath" hidden>Show path</button></div>
      <div id="lg-status" class="lg-status"></div>
    </section>
    <section id="lg-path-sec" hidden>
      <div class="lg-h">Path</div>
      <ol id="lg-path" class="lg-path"></ol>
    </section>
    <section><div class="lg-note" id="lg-sizenote"></div></section>
  </aside>
  <div class="lg-net" id="lg-net"></div>
  <aside class="lg-panel" id="lg-panel"><p class="lg-note">Click an entity or a link to see its properties and
  every source it came from.</p></aside>
</main>
<div class="lg-tlp" id="lg-tlp-bottom" data-tlp="@@TLP@@">@@BANNER@@ · created @@CREATED@@</div>
<script type="application/json" id="lg-data">@@DATA@@</script>
<script>@@VIS_JS@@</script>
<script>@@APP_JS@@</script>
</body>
</html>
"""

APP_CSS = """
*{box-sizing:border-box}
html,body{height:100%;margin:0}
body{display:flex;flex-direction:column;font:13px/1.35 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
 color:#1d2327;background:#f4f5f7}
.lg-tlp{background:#000;font:bold 13px/1.2 ui-monospace,Menlo,Consolas,monospace;text-align:center;padding:4px 8px;
 letter-spacing:.04em;flex:none;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.lg-tlp,.lg-tlp[data-tlp="CLEAR"],.lg-tlp[data-tlp="NONE"]{color:#fff}
.lg-tlp[data-tlp="RED"]{color:#FF2B2B}
.lg-tlp[data-tlp="AMBER"],.lg-tlp[data-tlp="AMBER+STRICT"]{color:#FFC000}
.lg-tlp[data-tlp="GREEN"]{color:#33FF00}
.lg-head{display:flex;align-items:baseline;gap:14px;padding:6px 12px;background:#fff;border-bottom:1px solid #d9dce1;flex:none}
.lg-head h1{font-size:17px;margin:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis;max-width:60%}
.lg-sub{color:#5f6b76;font-size:12px}
.lg-main{flex:1;display:flex;min-height:0}
.lg-side{width:270px;flex:none;overflow-x:hidden;overflow-y:auto;background:#fff;border-right:1px solid #d9dce1;padding:6px 10px}
.lg-panel{width:370px;flex:none;overflow:auto;background:#fff;border-left:1px solid #d9dce1;padding:8px 12px}
.lg-net{flex:1;min-width:0;position:relative;background:#fbfbfc}
.lg-side section{margin:6px 0 10px}
.lg-h{display:block;font-weight:600;font-size:11px;text-transform:uppercase;letter-spacing:.06em;color:#5f6b76;margin:0 0 4px}
#lg-q{width:100%;padding:5px 7px;border:1px solid #b9c0c7;border-radius:4px;font:inherit}
.lg-results{list-style:none;margin:4px 0 0;padding:0;max-height:220px;overflow:auto}
.lg-results li{margin:0}
.lg-hit{display:flex;align-items:center;gap:6px;width:100%;text-align:left;border:0;background:none;padding:3px 4px;
 font:inherit;cursor:pointer;border-radius:3px}
.lg-hit:hover,.lg-hit:focus{background:#e8f0fb}
.lg-hit img{width:18px;height:18px;flex:none}
.lg-hit-c{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.lg-hit-t{color:#7a858f;font-size:11px}
.lg-legend{list-style:none;margin:0;padding:0}
.lg-legend li{display:flex;align-items:center;gap:6px;padding:1px 0}
.lg-legend label{display:flex;align-items:center;gap:6px;cursor:pointer;flex:1;min-width:0}
.lg-legend img{width:20px;height:20px;flex:none}
.lg-legend .lg-name{flex:1;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.lg-legend .lg-count{color:#7a858f;font-size:11px}
.lg-swatch{display:inline-block;width:20px;height:4px;border-radius:2px;flex:none}
.lg-dot{display:inline-block;width:12px;height:12px;border-radius:50%;flex:none;margin:0 4px}
.lg-row{display:flex;align-items:center;gap:6px;margin:2px 0}
.lg-row label{width:74px;color:#3c4650}
.lg-row input,.lg-row select{flex:1;min-width:0;width:100%;font:inherit;padding:2px 4px}
.lg-check{display:flex;align-items:center;gap:5px;margin:3px 0;color:#3c4650}
.lg-note{color:#6b7680;font-size:11.5px}
.lg-buttons{display:flex;gap:6px;margin:6px 0}
.lg-buttons button{font:inherit;padding:3px 8px;border:1px solid #b9c0c7;border-radius:4px;background:#f6f7f9;cursor:pointer}
.lg-status{font-size:12px;color:#2f3b45}
.lg-path{margin:0;padding-left:20px}
.lg-path button,.lg-linkto{border:0;background:none;padding:0;color:#0b57d0;cursor:pointer;font:inherit;text-align:left}
.lg-panel h2{font-size:16px;margin:4px 0 2px;word-break:break-word}
.lg-ph{display:flex;gap:8px;align-items:flex-start}
.lg-ph img{width:40px;height:40px;flex:none}
.lg-type{color:#5f6b76}
.lg-id{color:#7a858f;font:11px ui-monospace,Menlo,Consolas,monospace;word-break:break-all}
.lg-panel h3{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#5f6b76;margin:14px 0 4px;
 border-bottom:1px solid #e3e6ea;padding-bottom:2px}
.lg-kv{border-collapse:collapse;width:100%;margin:2px 0 6px}
.lg-kv th{text-align:left;font-weight:600;color:#3c4650;vertical-align:top;padding:1px 8px 1px 0;width:34%;word-break:break-word}
.lg-kv td{padding:1px 0;word-break:break-word;white-space:pre-wrap}
.lg-prov{border:1px solid #e0e3e7;border-left:3px solid #8a97a3;border-radius:3px;padding:3px 6px;margin:4px 0;background:#fafbfc}
.lg-link{border-top:1px dashed #d9dce1;padding:5px 0 3px}
.lg-lhead{font-weight:600}
.lg-grade{display:inline-block;font:bold 11px ui-monospace,Menlo,Consolas,monospace;padding:0 4px;border-radius:3px;background:#e8eaed}
.lg-hidden-note{color:#a15c00;font-size:12px}
.lg-markdot{display:inline-block;width:14px;height:14px;border-radius:3px;border:3px solid;flex:none;margin:0 3px}
.lg-mark{border:1px solid #e0e3e7;border-left:4px solid;border-radius:3px;padding:3px 6px;margin:4px 0;background:#faf7fc}
div.vis-tooltip{white-space:pre-wrap;max-width:420px;font:12px/1.3 system-ui,sans-serif}
"""

APP_JS = r"""
(function () {
  'use strict';
  performance.mark('lg-start');
  var D = JSON.parse(document.getElementById('lg-data').textContent);
  performance.mark('lg-parsed');
  var REL = D.meta.reliability;
  var RELTXT = D.meta.reliabilityText;
  var CREDTXT = D.meta.credibilityText;
  function $(id) { return document.getElementById(id); }
  function h(tag, cls, txt) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (txt !== undefined && txt !== null) e.textContent = String(txt);
    return e;
  }
  function norm(s) { return String(s).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }
  function trunc(s, n) { s = String(s); return s.length > n ? s.slice(0, n - 1) + '\u2026' : s; }

  // vis-network keeps items in plain objects keyed by id: it only ever sees integer indexes, never data ids
  // (an id like "__proto__" would otherwise vanish), and these Maps lead back to the data.
  var nodeById = new Map(), linkById = new Map(), linksOf = new Map(), typeIcon = new Map();
  var nodeIndex = new Map(), linkIndex = new Map();
  D.types.forEach(function (t) { typeIcon.set(t.name, D.images[t.icon]); });
  D.nodes.forEach(function (n, k) {
    nodeById.set(n.i, n); nodeIndex.set(n.i, k); linksOf.set(n.i, []); n.key = norm(n.c + '\u0000' + n.i);
  });
  D.links.forEach(function (l, k) {
    linkById.set(l.i, l); linkIndex.set(l.i, k);
    if (linksOf.has(l.f)) linksOf.get(l.f).push(l);
    if (l.to !== l.f && linksOf.has(l.to)) linksOf.get(l.to).push(l);
  });
  var pathNodes = new Set(D.path), pathLinks = new Set(D.pathLinks);

  // ------------------------------------------------------------------ marks (an analytic query's result)
  var MARK = D.mark, marked = new Set(MARK ? MARK.ids : []);
  function markStyle(o, n) {
    // a thick border in the mark colour around the icon, and the rank before the caption
    o.label = '#' + n.mk[0] + ' ' + o.label;
    o.borderWidth = 4; o.borderWidthSelected = 5;
    o.shapeProperties = {useBorderWithImage: true, interpolation: false};
    o.color = {border: MARK.colour, background: '#ffffff',
      highlight: {border: MARK.colour, background: '#ffffff'}, hover: {border: MARK.colour, background: '#ffffff'}};
    o.font = {color: MARK.colour, bold: true};
    o.title = '#' + n.mk[0] + ' ' + n.mk[1] + '\n' + o.title;
  }
  function markOK(n) { return !state.marked || marked.has(n.i); }
  function markPanel(n) {
    if (!n.mk) return;
    var d = h('div', 'lg-mark'); d.style.borderLeftColor = MARK.colour;
    d.appendChild(h('strong', null, 'Marked #' + n.mk[0] + ' \u00b7 ' + MARK.title));
    d.appendChild(h('div', 'lg-marktext', n.mk[1]));
    panel.appendChild(d);
  }
  function markLegend() {
    if (!MARK) return;
    $('lg-mark-sec').hidden = false;
    $('lg-markdot').style.borderColor = MARK.colour;
    $('lg-mark-title').textContent = 'Marked: ' + MARK.title;
    $('lg-mark-title').title = 'Marked: ' + MARK.title + ' (' + MARK.query + ')';
    $('lg-mark-count').textContent = String(MARK.ids.length);
    $('lg-marked-only').addEventListener('change', function () { state.marked = this.checked; apply(); });
    MARK.ids.forEach(function (id) {
      var n = nodeById.get(id), li = h('li'), b = h('button', null, n ? n.c : id);
      b.type = 'button'; b.title = n && n.mk ? n.mk[1] : id;
      b.addEventListener('click', function () { focusNode(id); });
      li.appendChild(b); $('lg-marks').appendChild(li);
    });
  }
  var linkColour = new Map(D.linkTypes.map(function (t) { return [t.name, t.colour]; }));

  function gradeLine(it) { return it.gr ? '\nGrade ' + it.gr : ''; }
  var visNodes = new vis.DataSet(D.nodes.map(function (n, k) {
    var o = {id: k, x: n.x, y: n.y, label: trunc(n.c, 42), image: D.images[n.im], size: n.s,
      title: n.t + ': ' + n.c + gradeLine(n) + '\n' + n.i};
    if (pathNodes.has(n.i)) {
      o.shadow = {enabled: true, color: 'rgba(227,26,28,0.95)', size: 22, x: 0, y: 0};
      o.font = {color: '#b00000', bold: true};
    }
    if (n.mk) markStyle(o, n);
    return o;
  }));
  var visEdges = new vis.DataSet(D.links.map(function (l, k) {
    var c = linkColour.get(l.t) || '#888';
    var onPath = pathLinks.has(l.i);
    var from = nodeById.get(l.f), to = nodeById.get(l.to);
    return {id: k, from: nodeIndex.get(l.f), to: nodeIndex.get(l.to), label: l.l,
      color: {color: onPath ? '#e31a1c' : c, highlight: onPath ? '#e31a1c' : c, hover: c, opacity: onPath ? 1 : 0.85},
      width: onPath ? 5 : 1.3,
      title: l.l + gradeLine(l) + '\n' + (from ? from.c : l.f) + ' \u2192 ' + (to ? to.c : l.to)};
  }));

  var visibleNodes = new Set(D.nodes.map(function (n) { return n.i; }));
  var visibleLinks = new Set(D.links.map(function (l) { return l.i; }));
  var nodesView = new vis.DataView(visNodes, {filter: function (o) { return visibleNodes.has(D.nodes[o.id].i); }});
  var edgesView = new vis.DataView(visEdges, {filter: function (o) { return visibleLinks.has(D.links[o.id].i); }});
  var big = D.nodes.length > 600;
  var options = {
    physics: false,
    layout: {improvedLayout: false, randomSeed: 1},
    interaction: {hover: !big, tooltipDelay: 120, hideEdgesOnDrag: big, hideEdgesOnZoom: big, multiselect: false,
      navigationButtons: false, keyboard: false},
    nodes: {shape: 'image', shapeProperties: {interpolation: false},
      // big charts: captions appear once zoomed in enough to read them (drawing 2,000 at once is slow and unreadable)
      scaling: {label: {drawThreshold: big ? 9 : 5}},
      font: {size: 12, face: 'system-ui, sans-serif', color: '#1d2327', strokeWidth: 3, strokeColor: '#ffffff'},
      chosen: {label: false, node: function (v) { v.shadow = true; v.shadowColor = 'rgba(11,87,208,0.9)'; v.shadowSize = 18;
        v.shadowX = 0; v.shadowY = 0; }}},
    edges: {smooth: false, arrows: {to: {enabled: true, scaleFactor: 0.45}}, scaling: {label: {drawThreshold: big ? 10 : 5}},
      font: {size: 9, face: 'system-ui, sans-serif', color: '#4a545e', strokeWidth: 2, strokeColor: '#ffffff', align: 'middle'},
      selectionWidth: 2, hoverWidth: 0.5}
  };
  var container = $('lg-net');
  performance.mark('lg-datasets');
  var network = new vis.Network(container, {nodes: nodesView, edges: edgesView}, options);
  performance.mark('lg-network');
  network.once('afterDrawing', function () {
    window.__linkgraphDrawn = performance.now();
    performance.mark('lg-drawn');
    container.setAttribute('data-drawn', 'true');
  });
  network.fit({animation: false});

  // ------------------------------------------------------------------ legend and filters
  var state = {types: new Set(D.types.map(function (t) { return t.name; })),
    linkTypes: new Set(D.linkTypes.map(function (t) { return t.name; })),
    from: '', to: '', undated: true, rel: '', cred: 0, isolated: false, marked: false};

  function legendItem(list, name, count, mark, set) {
    var li = h('li'), lab = h('label'), cb = h('input');
    cb.type = 'checkbox'; cb.checked = true;
    cb.addEventListener('change', function () { if (cb.checked) set.add(name); else set.delete(name); apply(); });
    lab.appendChild(cb); lab.appendChild(mark); lab.appendChild(h('span', 'lg-name', name));
    lab.appendChild(h('span', 'lg-count', count));
    li.appendChild(lab); list.appendChild(li);
  }
  rebindLegend();
  if (D.colours.length) {
    $('lg-colour-sec').hidden = false;
    $('lg-colour-h').textContent = D.meta.colorBy === 'community' ? 'Communities (colour)' : 'Countries (colour)';
    $('lg-colour-note').textContent = D.meta.colourNote;
    $('lg-colour-note').hidden = !D.meta.colourNote;
    D.colours.forEach(function (c) {
      var li = h('li'), dot = h('span', 'lg-dot'); dot.style.background = c.colour;
      li.appendChild(dot); li.appendChild(h('span', 'lg-name', c.label)); li.appendChild(h('span', 'lg-count', c.count));
      $('lg-colours').appendChild(li);
    });
  }
  $('lg-sizenote').textContent = D.meta.sizeNote ? 'Entity size: ' + D.meta.sizeNote + '.' : '';
  function option(sel, value, label) { var o = h('option', null, label); o.value = value; sel.appendChild(o); }
  option($('lg-rel'), '', 'any');
  REL.split('').forEach(function (r) { option($('lg-rel'), r, r + ' \u2013 ' + RELTXT[r]); });
  option($('lg-cred'), '0', 'any');
  [1, 2, 3, 4, 5, 6].forEach(function (c) { option($('lg-cred'), String(c), c + ' \u2013 ' + CREDTXT[c]); });

  function gradeOK(it) {
    if (!state.rel && !state.cred) return true;
    var R = state.rel ? REL.indexOf(state.rel) : 5, C = state.cred || 6;
    for (var k = 0; k < it.g.length; k++) { if (it.g[k][0] <= R && it.g[k][1] <= C) return true; }
    return false;
  }
  function dateOK(it) {
    if (!state.from && !state.to) return true;
    if (!it.d) return state.undated;
    return (!state.from || it.d[1] >= state.from) && (!state.to || it.d[0] <= state.to);
  }
  function apply() {
    visibleNodes.clear(); visibleLinks.clear();
    D.nodes.forEach(function (n) { if (state.types.has(n.t) && gradeOK(n) && dateOK(n) && markOK(n)) visibleNodes.add(n.i); });
    D.links.forEach(function (l) {
      if (state.linkTypes.has(l.t) && visibleNodes.has(l.f) && visibleNodes.has(l.to) && gradeOK(l) && dateOK(l))
        visibleLinks.add(l.i);
    });
    if (state.isolated) {
      var linked = new Set();
      visibleLinks.forEach(function (id) { var l = linkById.get(id); linked.add(l.f); linked.add(l.to); });
      Array.from(visibleNodes).forEach(function (id) { if (!linked.has(id)) visibleNodes.delete(id); });
    }
    nodesView.refresh(); edgesView.refresh();
    status();
  }
  function status() {
    $('lg-status').textContent = 'Showing ' + visibleNodes.size + ' of ' + D.nodes.length + ' entities \u00b7 ' +
      visibleLinks.size + ' of ' + D.links.length + ' links';
  }
  $('lg-from').addEventListener('change', function () { state.from = this.value; apply(); });
  $('lg-to').addEventListener('change', function () { state.to = this.value; apply(); });
  $('lg-undated').addEventListener('change', function () { state.undated = this.checked; apply(); });
  $('lg-rel').addEventListener('change', function () { state.rel = this.value; apply(); });
  $('lg-cred').addEventListener('change', function () { state.cred = parseInt(this.value, 10) || 0; apply(); });
  $('lg-isolated').addEventListener('change', function () { state.isolated = this.checked; apply(); });
  $('lg-fit').addEventListener('click', function () { network.fit({animation: false}); });
  $('lg-reset').addEventListener('click', function () {
    state.types = new Set(D.types.map(function (t) { return t.name; }));
    state.linkTypes = new Set(D.linkTypes.map(function (t) { return t.name; }));
    rebindLegend();
    $('lg-from').value = ''; $('lg-to').value = ''; $('lg-undated').checked = true; $('lg-rel').value = '';
    $('lg-cred').value = '0'; $('lg-isolated').checked = false; $('lg-marked-only').checked = false;
    state.from = ''; state.to = ''; state.undated = true; state.rel = ''; state.cred = 0; state.isolated = false;
    state.marked = false;
    apply();
  });
  function rebindLegend() {
    // (re)build the type legends; their checkboxes close over the current filter sets
    $('lg-types').textContent = ''; $('lg-linktypes').textContent = '';
    D.types.forEach(function (t) {
      var img = h('img'); img.alt = ''; img.src = D.images[t.icon];
      legendItem($('lg-types'), t.name, t.count, img, state.types);
    });
    D.linkTypes.forEach(function (t) {
      var sw = h('span', 'lg-swatch'); sw.style.background = t.colour;
      legendItem($('lg-linktypes'), t.name, t.count, sw, state.linkTypes);
    });
  }

  // ------------------------------------------------------------------ path
  if (D.path.length) {
    $('lg-path-sec').hidden = false; $('lg-showpath').hidden = false;
    D.path.forEach(function (id) {
      var n = nodeById.get(id), li = h('li'), b = h('button', null, n ? n.c : id);
      b.type = 'button'; b.addEventListener('click', function () { focusNode(id); });
      li.appendChild(b); $('lg-path').appendChild(li);
    });
    $('lg-showpath').addEventListener('click', function () {
      network.fit({nodes: D.path.filter(function (id) { return visibleNodes.has(id); })
        .map(function (id) { return nodeIndex.get(id); }), animation: false});
    });
  }

  // ------------------------------------------------------------------ search
  function search() {
    var q = norm($('lg-q').value.trim()), ul = $('lg-results');
    ul.textContent = '';
    if (!q) return [];
    var hits = [];
    for (var k = 0; k < D.nodes.length && hits.length < 50; k++) { if (D.nodes[k].key.indexOf(q) >= 0) hits.push(D.nodes[k]); }
    if (!hits.length) { ul.appendChild(h('li', 'lg-note', 'No match')); return hits; }
    hits.forEach(function (n) {
      var li = h('li'), b = h('button', 'lg-hit'), img = h('img');
      b.type = 'button'; img.alt = ''; img.src = typeIcon.get(n.t) || '';
      b.appendChild(img); b.appendChild(h('span', 'lg-hit-c', n.c)); b.appendChild(h('span', 'lg-hit-t', n.t));
      b.title = n.t + ': ' + n.c;
      b.addEventListener('click', function () { focusNode(n.i); });
      li.appendChild(b); ul.appendChild(li);
    });
    return hits;
  }
  $('lg-q').addEventListener('input', search);
  $('lg-q').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { var hits = search(); if (hits.length) focusNode(hits[0].i); }
    if (ev.key === 'Escape') { this.value = ''; search(); }
  });

  function focusNode(id, animate, scale) {
    if (visibleNodes.has(id)) {
      network.selectNodes([nodeIndex.get(id)]);
      network.focus(nodeIndex.get(id), {scale: scale || Math.max(network.getScale(), 1.1),
        animation: animate === false ? false : {duration: 350, easingFunction: 'easeInOutQuad'}});
    } else {
      network.unselectAll();
    }
    showNode(id);
  }

  // ------------------------------------------------------------------ side panel
  var panel = $('lg-panel');
  function kvTable(rows) {
    var t = h('table', 'lg-kv'), tb = h('tbody');
    rows.forEach(function (r) { var tr = h('tr'); tr.appendChild(h('th', null, r[0])); tr.appendChild(h('td', null, r[1])); tb.appendChild(tr); });
    t.appendChild(tb); return t;
  }
  function gradeOf(r) {
    var rel = r.get('reliability') || '', cred = r.get('credibility') || '';
    return rel + String(cred).replace(/\.0+$/, '');
  }
  var PROV_ORDER = [['source', 'Source'], ['sheet', 'Sheet'], ['row', 'Row'], ['rows', 'Rows'], ['observed', 'Date'], ['grade', 'Grade'],
    ['handling', 'Handling'], ['source_type', 'Source type'], ['agency', 'Agency'], ['batch', 'Batch'],
    ['imported', 'Imported'], ['sha256', 'SHA-256']];
  function record(codes) {
    // a provenance record: [key, value, ...] indexes into the page's string table, decoded into a Map
    var r = new Map();
    for (var k = 0; k + 1 < codes.length; k += 2) r.set(D.strings[codes[k]], D.strings[codes[k + 1]]);
    return r;
  }
  function provCard(codes) {
    var r = record(codes), rows = [], seen = new Set(['reliability', 'credibility']);
    PROV_ORDER.forEach(function (p) {
      var v = p[0] === 'grade' ? gradeOf(r) : r.get(p[0]);
      seen.add(p[0]);
      if (v !== undefined && v !== '') rows.push([p[1], v]);
    });
    r.forEach(function (v, k) { if (!seen.has(k)) rows.push([k, v]); });
    var d = h('div', 'lg-prov'); d.appendChild(kvTable(rows)); return d;
  }
  function provSection(parent, title, recs) {
    parent.appendChild(h('h3', null, title + ' (' + recs.length + ')'));
    if (!recs.length) parent.appendChild(h('p', 'lg-note', 'No provenance recorded.'));
    recs.forEach(function (codes) { parent.appendChild(provCard(codes)); });
  }
  function gradeBadge(it) {
    var s = h('span', 'lg-grade', it.gr || 'ungraded');
    if (it.gr) s.title = (RELTXT[it.gr[0]] || '') + ' / ' + (CREDTXT[it.gr[1]] || '');
    return s;
  }
  function header(imgSrc, title, sub, id) {
    var d = h('div', 'lg-ph');
    if (imgSrc) { var img = h('img'); img.alt = ''; img.src = imgSrc; d.appendChild(img); }
    var t = h('div'); t.appendChild(h('h2', null, title)); t.appendChild(h('div', 'lg-type', sub)); t.appendChild(h('div', 'lg-id', id));
    d.appendChild(t); return d;
  }
  function showNode(id) {
    var n = nodeById.get(id);
    if (!n) return;
    panel.textContent = '';
    panel.setAttribute('data-node', id);
    panel.appendChild(header(typeIcon.get(n.t), n.c, n.t, n.i));
    var g = h('div'); g.appendChild(h('span', null, 'Grade ')); g.appendChild(gradeBadge(n)); panel.appendChild(g);
    markPanel(n);
    if (!visibleNodes.has(id)) panel.appendChild(h('p', 'lg-hidden-note', 'Hidden by the current filters.'));
    if (n.p.length) { panel.appendChild(h('h3', null, 'Properties')); panel.appendChild(kvTable(n.p)); }
    if (n.q.length) { panel.appendChild(h('h3', null, 'Grading and handling')); panel.appendChild(kvTable(n.q)); }
    provSection(panel, 'Sources of this entity', n.pr);
    var ls = linksOf.get(id) || [];
    panel.appendChild(h('h3', null, 'Links (' + ls.length + ')'));
    ls.slice(0, 300).forEach(function (l) { panel.appendChild(linkBlock(l, id)); });
    if (ls.length > 300) panel.appendChild(h('p', 'lg-note', (ls.length - 300) + ' more links not listed.'));
    panel.scrollTop = 0;
  }
  function linkBlock(l, fromId) {
    var d = h('div', 'lg-link'), other = l.f === fromId ? l.to : l.f, on = nodeById.get(other);
    var head = h('div', 'lg-lhead');
    head.appendChild(h('span', null, (l.f === fromId ? l.t + ' \u2192 ' : '\u2190 ' + l.t + ' \u2190 ')));
    var b = h('button', 'lg-linkto', on ? on.c : other); b.type = 'button';
    b.addEventListener('click', function () { focusNode(other); });
    head.appendChild(b);
    d.appendChild(head);
    var meta = h('div', 'lg-note');
    meta.appendChild(h('span', null, (l.dt ? l.dt + ' \u00b7 ' : '') + 'grade '));
    meta.appendChild(gradeBadge(l));
    d.appendChild(meta);
    if (l.p.length) d.appendChild(kvTable(l.p));
    l.pr.forEach(function (codes) { d.appendChild(provCard(codes)); });
    if (!l.pr.length) d.appendChild(h('p', 'lg-note', 'No provenance recorded for this link.'));
    return d;
  }
  function showLink(id) {
    var l = linkById.get(id);
    if (!l) return;
    var f = nodeById.get(l.f), t = nodeById.get(l.to);
    panel.textContent = '';
    panel.setAttribute('data-link', id);
    panel.appendChild(header(null, l.l, (f ? f.c : l.f) + ' \u2192 ' + (t ? t.c : l.to), l.i));
    var g = h('div'); g.appendChild(h('span', null, 'Grade ')); g.appendChild(gradeBadge(l)); panel.appendChild(g);
    if (l.p.length) { panel.appendChild(h('h3', null, 'Properties')); panel.appendChild(kvTable(l.p)); }
    if (l.q.length) { panel.appendChild(h('h3', null, 'Grading and handling')); panel.appendChild(kvTable(l.q)); }
    provSection(panel, 'Sources of this link', l.pr);
  }
  network.on('click', function (p) {
    if (p.nodes.length) showNode(D.nodes[p.nodes[0]].i);
    else if (p.edges.length) showLink(D.links[p.edges[0]].i);
  });

  markLegend();
  status();
  window.linkgraph = {network: network, nodes: visNodes, edges: visEdges, data: D, focus: focusNode,
    showNode: showNode, showLink: showLink, apply: apply, state: state,
    nodeIndex: function (id) { return nodeIndex.get(id); }, linkIndex: function (id) { return linkIndex.get(id); },
    selected: function () { return network.getSelectedNodes().map(function (k) { return D.nodes[k].i; }); },
    drawnIds: function () { return network.body.nodeIndices.map(function (k) { return D.nodes[k].i; }); },
    visibleNodeCount: function () { return visibleNodes.size; },
    visibleLinkCount: function () { return visibleLinks.size; }};
})();
"""
