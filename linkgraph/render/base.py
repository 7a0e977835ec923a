"""The small shared base of the renderers and exporters.

Everything a format needs from a `Subgraph`, computed once and in one way: clean Python values (no NaN, no numpy
scalars), the provenance records of each item, its Admiralty grades and date range, the chart's handling
marking (TLP 2.0 and handling codes), and the igraph analytics (layout, degree; betweenness and communities by the
query library's functions).
"""

from __future__ import annotations

import json
import math
import random
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from linkgraph import grading, handling
from linkgraph.errors import LinkgraphError
from linkgraph.subgraph import LINK_BASE, NODE_BASE, Subgraph

# Columns that summarise provenance (shown apart from the item's own properties).
PROV_COLUMNS = ("prov", "batches", "reliability", "credibility", "handling", "first_seen", "last_seen")
# TLP 2.0, most restrictive first. Colours: the label's text colour on a black background (FIRST TLP 2.0).
TLP_LEVELS = ("RED", "AMBER+STRICT", "AMBER", "GREEN", "CLEAR")
TLP_COLOURS = {"RED": "#FF2B2B", "AMBER+STRICT": "#FFC000", "AMBER": "#FFC000", "GREEN": "#33FF00", "CLEAR": "#FFFFFF"}


class RenderError(LinkgraphError):
    """A chart or export that cannot be made as asked (bad option, unknown format)."""


class MarkingWarning(UserWarning):
    """The marking asked for is less restrictive than the handling codes in the data."""


class ChartTooLarge(RenderError):
    """More nodes than an interactive chart can show at once."""


# --------------------------------------------------------------------------------------------------- values


def clean(value: Any) -> Any:
    """A plain JSON-able Python value: None for every kind of missing, python scalars, lists, dicts."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, (list, tuple, set)):
        return [clean(v) for v in value]
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if hasattr(value, "tolist") and not isinstance(value, (int, float)):  # numpy arrays and scalars
        try:
            return clean(value.tolist())
        except Exception:  # fall through to str
            return str(value)
    if isinstance(value, float):
        return None if (math.isnan(value) or math.isinf(value)) else float(value)
    if isinstance(value, int):
        return value
    if isinstance(value, (pd.Timestamp, datetime, date)):
        return None if pd.isna(value) else value.isoformat()
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def text(value: Any) -> str:
    """A cell's text: '' for missing, JSON for lists and dicts, str otherwise."""
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    value = clean(value)
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def records(df: pd.DataFrame) -> list[dict]:
    """The rows of a frame as dicts of clean values."""
    if df is None or len(df) == 0:
        return []
    return [{str(k): clean(v) for k, v in row.items()} for row in df.to_dict("records")]


def provenance(value: Any) -> list[dict]:
    """The provenance records of one `prov` cell (JSON text or a list), as clean dicts; [] if unreadable."""
    value = clean(value)
    if value in (None, ""):
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return [{"source": value}]
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        return []
    return [clean(r) if isinstance(r, dict) else {"source": text(r)} for r in value]


# --------------------------------------------------------------------------------------------------- grades


def grade_pairs(row: dict, prov: list[dict]) -> list[tuple[str, int]]:
    """Every (reliability, credibility) an item was observed with; a missing half counts as the worst (F, 6)."""
    pairs = []
    for rec in prov:
        r, c = grading.reliability_of(rec.get("reliability")), grading.credibility_of(rec.get("credibility"))
        if r is not None or c is not None:
            pairs.append((r or "F", c or 6))
    if not pairs:
        r, c = grading.reliability_of(row.get("reliability")), grading.credibility_of(row.get("credibility"))
        if r is not None or c is not None:
            pairs.append((r or "F", c or 6))
    return pairs


def best_grade(row: dict, prov: list[dict]) -> tuple[str | None, int | None]:
    """The item's own grade columns, else its best-graded observation."""
    r, c = grading.reliability_of(row.get("reliability")), grading.credibility_of(row.get("credibility"))
    if r is not None or c is not None:
        return r, c
    return grading.best(grade_pairs(row, prov))


# --------------------------------------------------------------------------------------------------- dates

_DATE_RE = re.compile(r"^\s*(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?")


def date_bounds(value: Any) -> tuple[str, str] | None:
    """The first and last day a partial ISO date can mean: '2023-04' -> ('2023-04-01', '2023-04-31')."""
    value = clean(value)
    if not isinstance(value, str):
        return None
    m = _DATE_RE.match(value)
    if not m:
        return None
    y, mo, d = m.groups()
    if d:
        return f"{y}-{mo}-{d}", f"{y}-{mo}-{d}"
    if mo:
        return f"{y}-{mo}-01", f"{y}-{mo}-31"
    return f"{y}-01-01", f"{y}-12-31"


def item_date(row: dict, keys: tuple[str, ...] = ("date", "time", "first_seen")) -> str | None:
    """The date an item is shown with: its own date or time, else first_seen (links); `date` only (entities)."""
    for key in keys:
        v = clean(row.get(key))
        if isinstance(v, str) and date_bounds(v):
            return v
    return None


def date_spans(row: dict, prov: list[dict]) -> list[tuple[str, str]]:
    """Each distinct dated observation of an item, as (first day, last day), in order: its date, time, first and
    last seen, and the `observed` date of each provenance record."""
    bounds = {date_bounds(row.get(key)) for key in ("date", "time", "first_seen", "last_seen")}
    bounds |= {date_bounds(rec.get("observed")) for rec in prov}
    return sorted(b for b in bounds if b)


def date_range(row: dict, prov: list[dict]) -> tuple[str, str] | None:
    """The span of days an item was observed or dated in (date, time, first/last_seen, provenance `observed`)."""
    bounds = date_spans(row, prov)
    if not bounds:
        return None
    return min(b[0] for b in bounds), max(b[1] for b in bounds)


# --------------------------------------------------------------------------------------------------- marking


def normalise_tlp(value: str | None) -> str | None:
    """'amber+strict', 'TLP:AMBER+STRICT', 'amber strict' -> 'AMBER+STRICT'; WHITE (TLP 1.0) -> CLEAR."""
    if value is None or str(value).strip() == "":
        return None
    try:
        return handling.tlp(value)
    except handling.HandlingError as e:
        raise RenderError(str(e)) from None


def tlp_in(values: Iterable[str]) -> str | None:
    """The most restrictive TLP level the data's handling codes are handled at (UK codes included), or None."""
    codes = {c.strip() for v in set(values) for c in str(v or "").split(",") if c.strip()}
    return handling.highest_level(codes)


@dataclass
class Marking:
    """What a chart or export says about itself: title, TLP 2.0 level, handling code(s), creation time."""

    title: str
    tlp: str | None
    handling: str
    created: str

    @property
    def tlp_label(self) -> str:
        return f"TLP:{self.tlp}" if self.tlp else "TLP: not marked"

    @property
    def colour(self) -> str:
        return TLP_COLOURS.get(self.tlp or "", "#FFFFFF")

    def banner(self) -> str:
        parts = [self.tlp_label]
        if self.handling:
            parts.append(f"Handling: {self.handling}")
        return " · ".join(parts)

    def lines(self) -> list[tuple[str, str]]:
        return [
            ("Title", self.title),
            ("TLP", self.tlp_label),
            ("Handling", self.handling or "(none recorded)"),
            ("Created", self.created),
        ]


def _handling_rank(code: str) -> int:
    return handling.rank(code)


def marking(
    sub: Subgraph,
    *,
    title: str | None = None,
    tlp: str | None = None,
    handling: str | None = None,
    created: str | datetime | None = None,
    parsed: tuple[list, list] | None = None,
) -> Marking:
    """The marking of a chart: given values, else what the data's handling codes say.

    `parsed`: the subgraph's `items()` when the caller has them already (saves parsing provenance twice).
    """
    codes: set[str] = set()
    if parsed is not None:
        for it in parsed[0] + parsed[1]:
            if text(it.row.get("handling")):
                codes.add(text(it.row.get("handling")))
            codes.update(text(r.get("handling")) for r in it.prov if text(r.get("handling")))
    else:
        for df in (sub.nodes, sub.links):
            if "handling" in df.columns:
                codes.update(text(v) for v in df["handling"] if text(v))
            if "prov" in df.columns:
                for cell in df["prov"]:
                    codes.update(text(r.get("handling")) for r in provenance(cell) if text(r.get("handling")))
    in_data = tlp_in(codes)
    level = normalise_tlp(tlp) if tlp is not None else in_data
    if level and in_data and TLP_LEVELS.index(in_data) < TLP_LEVELS.index(level):
        warnings.warn(
            f"marked TLP:{level} but the data holds TLP:{in_data} records: check before sharing",
            MarkingWarning,
            stacklevel=3,
        )
    if handling is None:
        distinct = sorted(set(codes), key=lambda c: (-_handling_rank(c), c))  # most restrictive first
        handling = ", ".join(distinct[:8]) + (f" (+{len(distinct) - 8} more)" if len(distinct) > 8 else "")
    if created is None:
        created = datetime.now(UTC).replace(microsecond=0)
    if isinstance(created, datetime):
        created = created.isoformat().replace("+00:00", "Z")
    return Marking(
        title=title or getattr(sub, "title", None) or "linkgraph chart",
        tlp=level,
        handling=str(handling),
        created=str(created),
    )


# --------------------------------------------------------------------------------------------------- items


@dataclass
class Item:
    """One node or link, with what every format needs of it."""

    id: str
    type: str
    caption: str
    row: dict
    prov: list[dict]
    source: str | None = None  # links only
    target: str | None = None
    props: dict = field(default_factory=dict)  # own properties (not base, not provenance summary)
    mark: dict | None = None  # {query, rank, text} when an analytic query marked this entity

    @property
    def grade(self) -> tuple[str | None, int | None]:
        return best_grade(self.row, self.prov)

    @property
    def grade_pairs(self) -> list[tuple[str, int]]:
        return grade_pairs(self.row, self.prov)

    @property
    def handling(self) -> str:
        own = text(self.row.get("handling"))
        if own:
            return own
        return ", ".join(sorted({text(r.get("handling")) for r in self.prov if text(r.get("handling"))}))

    @property
    def date(self) -> str | None:
        """A link's date (date, time, else first_seen); an entity's own `date` (a seizure's, a shipment's)."""
        return item_date(self.row) if self.source is not None else item_date(self.row, ("date",))

    @property
    def dates(self) -> tuple[str, str] | None:
        return date_range(self.row, self.prov)

    @property
    def observations(self) -> list[tuple[str, str]]:
        return date_spans(self.row, self.prov)


def items(sub: Subgraph) -> tuple[list[Item], list[Item]]:
    """Nodes and links of a subgraph as `Item`s."""
    nodes = []
    marks = getattr(sub, "marks", None) or {}
    for r in records(sub.nodes):
        props = {k: v for k, v in r.items() if k not in NODE_BASE and k not in PROV_COLUMNS}
        nid = text(r.get("id"))
        nodes.append(
            Item(
                id=nid,
                type=text(r.get("type")) or "Entity",
                caption=text(r.get("caption")) or nid,
                row=r,
                prov=provenance(r.get("prov")),
                props=props,
                mark=marks.get(nid),
            )
        )
    links = []
    for r in records(sub.links):
        props = {k: v for k, v in r.items() if k not in LINK_BASE and k not in PROV_COLUMNS}
        t = text(r.get("type")) or "LINK"
        links.append(
            Item(
                id=text(r.get("id")),
                type=t,
                caption=t,
                row=r,
                prov=provenance(r.get("prov")),
                source=text(r.get("source")),
                target=text(r.get("target")),
                props=props,
            )
        )
    return nodes, links


def value_kind(values: Iterable[Any]) -> str:
    """'boolean', 'long', 'double' or 'string': the one type all non-missing values fit."""
    kinds = set()
    for v in values:
        v = clean(v)
        if v is None:
            continue
        if isinstance(v, bool):
            kinds.add("boolean")
        elif isinstance(v, int):
            kinds.add("long")
        elif isinstance(v, float):
            kinds.add("double")
        else:
            return "string"
    if not kinds:
        return "string"
    if kinds == {"boolean"}:
        return "boolean"
    if kinds <= {"long"}:
        return "long"
    if kinds <= {"long", "double"}:
        return "double"
    return "string"


def out_path(path: str | Path, suffix: str | None = None) -> Path:
    """The output path (parents created), with a suffix added when it has none."""
    p = Path(path)
    if suffix and not p.suffix:
        p = p.with_suffix(suffix)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


# --------------------------------------------------------------------------------------------------- analytics


class Analytics:
    """igraph views of a subgraph: layout and degree of the drawn graph; communities and betweenness by the
    communities and brokers queries' own functions (linkgraph.querylib.analytics) on the drawn subgraph, for a
    chart made without its store. Deterministic (seeded)."""

    def __init__(self, nodes: list[Item], links: list[Item], seed: int = 7):
        import igraph as ig

        self.nodes, self.links = nodes, links
        self.index = {n.id: i for i, n in enumerate(nodes)}
        edges = [
            (self.index[lk.source], self.index[lk.target])
            for lk in links
            if lk.source in self.index and lk.target in self.index
        ]
        self.graph = ig.Graph(n=len(nodes), edges=edges, directed=True)
        self.seed = seed

    def _seeded(self, fn):
        state = random.getstate()
        random.seed(self.seed)
        try:
            return fn()
        finally:
            random.setstate(state)

    def degree(self) -> list[int]:
        return self.graph.degree()

    def _projection(self, query: str):
        """(params, projection, node id -> its vertex or None): the query's projection of the drawn links, with
        its default link filter, and records joined by a SAME_AS merge link in the drawn subgraph counted once."""
        from linkgraph.querylib import load_query
        from linkgraph.querylib.analytics import Projection

        p = load_query(query).coerce({})
        same = {
            lk.source: lk.target
            for lk in self.links
            if lk.type == "SAME_AS" and text(lk.row.get("decision")) != "review" and lk.target in self.index
        }
        ends = [
            (same.get(lk.source, lk.source), same.get(lk.target, lk.target))
            for lk in self.links
            if lk.source in self.index
            and lk.target in self.index
            and (not p["link_types"] or lk.type in p["link_types"])
            and lk.type not in p["exclude_links"]
        ]
        proj = Projection(pd.DataFrame([e for e in ends if e[0] != e[1]], columns=["source", "target"]))
        return p, proj, {n.id: proj.index.get(same.get(n.id, n.id)) for n in self.nodes}

    def communities(self) -> dict:
        """{by, none, values: node id -> community or None}: the communities query's Leiden, numbering and
        min_size on the drawn subgraph."""
        from linkgraph.querylib.analytics import leiden, numbered

        p, proj, vertex = self._projection("communities")
        comm, size = numbered(leiden(proj.graph, p["resolution"]), proj.ids)
        values = {i: (comm[v] if v is not None and size[v] >= p["min_size"] else None) for i, v in vertex.items()}
        return {
            "by": f"Leiden communities on the drawn subgraph, resolution {p['resolution']}",
            "none": f"No community: in one under {p['min_size']} entities, or no social links.",
            "values": values,
        }

    def betweenness(self) -> dict:
        """{by, values: node id -> normalised betweenness}: the brokers query's functions on the drawn subgraph."""
        from linkgraph.querylib.analytics import betweenness_scores, normalise_betweenness

        p, proj, vertex = self._projection("brokers")
        raw, method = betweenness_scores(proj.graph, p["exact_max"], p["samples"])
        score = normalise_betweenness(raw, proj.n)
        values = {i: (float(score[v]) if v is not None else 0.0) for i, v in vertex.items()}
        return {"by": f"betweenness on the drawn subgraph, {method}", "values": values}

    def layout(self, spacing: float = 110.0) -> list[tuple[float, float]]:
        """Node positions in screen units, about `spacing` between linked nodes, centred on the origin.

        Each connected component is laid out on its own (Fruchterman-Reingold; DrL above 3,000 nodes) and scaled
        to the same link length; the components are then packed in rows, biggest first, single nodes last in a
        grid, so that isolated nodes are not flung to the edges and the chart opens on its main network.
        """
        n = self.graph.vcount()
        if n == 0:
            return []
        g = self.graph.as_undirected()
        g.simplify()
        boxes = []
        for members in sorted((sorted(c) for c in g.connected_components()), key=lambda c: (-len(c), c[0])):
            coords = self._component(g.induced_subgraph(members), spacing) if len(members) > 1 else [(0.0, 0.0)]
            xs, ys = [c[0] for c in coords], [c[1] for c in coords]
            coords = [(x - min(xs), y - min(ys)) for x, y in coords]
            boxes.append((members, coords, max(xs) - min(xs), max(ys) - min(ys)))
        area = sum((w + spacing) * (h + spacing) for _, _, w, h in boxes)
        row_width = max(boxes[0][2], math.sqrt(area) * 1.3)
        pos: list[tuple[float, float]] = [(0.0, 0.0)] * n
        x = y = row_h = 0.0
        for members, coords, w, h in boxes:
            if x > 0 and x + w > row_width:
                x, y, row_h = 0.0, y + row_h + spacing, 0.0
            for v, (cx, cy) in zip(members, coords):
                pos[v] = (x + cx, y + cy)
            x += w + spacing
            row_h = max(row_h, h)
        xs, ys = [p[0] for p in pos], [p[1] for p in pos]
        mx, my = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
        return [(px - mx, py - my) for px, py in pos]

    def _component(self, g, spacing: float) -> list[tuple[float, float]]:
        """Layout of one connected component, scaled so that its median link is `spacing` long."""
        n = g.vcount()
        if n == 2:
            return [(0.0, 0.0), (spacing, 0.0)]

        def run():
            if n > 3000:
                return g.layout_drl()
            return g.layout_fruchterman_reingold(niter=500, grid="auto" if n > 1000 else "nogrid")

        coords = self._seeded(run).coords
        lengths = sorted(math.dist(coords[a], coords[b]) for a, b in g.get_edgelist())
        median = lengths[len(lengths) // 2] if lengths else 0.0
        scale = spacing / median if median > 0 else 1.0
        return [(c[0] * scale, c[1] * scale) for c in coords]


# --------------------------------------------------------------------------------------------------- attribute tables

NODE_FIXED = (
    ("type", "string"),
    ("caption", "string"),
    ("reliability", "string"),
    ("credibility", "long"),
    ("grade", "string"),
    ("handling", "string"),
    ("first_seen", "string"),
    ("last_seen", "string"),
    ("batches", "string"),
    ("properties", "string"),
    ("prov", "string"),
)
LINK_FIXED = (
    ("type", "string"),
    ("label", "string"),
    ("date", "string"),
    ("reliability", "string"),
    ("credibility", "long"),
    ("grade", "string"),
    ("handling", "string"),
    ("first_seen", "string"),
    ("last_seen", "string"),
    ("batches", "string"),
    ("properties", "string"),
    ("prov", "string"),
)
RESERVED = {"id", "label", "source", "target", "key"}
# the mark of an entity (linkgraph.marks), as an attribute or a column of every format
MARK_COLUMNS = (("mark_rank", "long"), ("mark", "string"))


def link_label(lk: Item) -> str:
    """'CALLED 2023-04-01': the link's type and date."""
    return f"{lk.type} {lk.date}" if lk.date else lk.type


def attribute_table(its: list[Item], *, links: bool) -> tuple[list[tuple[str, str]], list[dict]]:
    """Typed attribute columns and per-item values for graph formats (GraphML, GEXF).

    Fixed columns (type, caption/label, grade fields, provenance JSON, all properties as JSON) then one column per
    property, named as the property (prefixed `prop_` when it would clash with a fixed or reserved name).
    """
    fixed = LINK_FIXED if links else NODE_FIXED
    if not links and any_marked(its):
        fixed = fixed + MARK_COLUMNS
    taken = {n for n, _ in fixed} | RESERVED
    names: list[str] = []
    for it in its:
        for k in it.props:
            if k not in names:
                names.append(k)
    column_of = {k: (f"prop_{k}" if k in taken else k) for k in names}
    kinds = {k: value_kind(it.props.get(k) for it in its) for k in names}
    columns = list(fixed) + [(column_of[k], kinds[k]) for k in names]
    rows = []
    for it in its:
        rel, cred = it.grade
        batches = clean(it.row.get("batches"))
        row = {
            "type": it.type,
            "reliability": rel,
            "credibility": cred,
            "grade": grading.text(rel, cred) or None,
            "handling": it.handling or None,
            "first_seen": clean(it.row.get("first_seen")),
            "last_seen": clean(it.row.get("last_seen")),
            "batches": json.dumps(batches, ensure_ascii=False) if isinstance(batches, list) else batches,
            "properties": json.dumps({k: v for k, v in it.props.items() if v is not None}, ensure_ascii=False),
            "prov": json.dumps(it.prov, ensure_ascii=False) if it.prov else None,
        }
        if links:
            row.update(label=link_label(it), date=it.date)
        else:
            row["caption"] = it.caption
            row.update(mark_values(it))
        for k in names:
            v = clean(it.props.get(k))
            if v is not None and kinds[k] == "string" and not isinstance(v, str):
                v = text(v)
            if v is not None and kinds[k] == "double":
                v = float(v)
            row[column_of[k]] = v
        rows.append(row)
    return columns, rows


def any_marked(its: list[Item]) -> bool:
    """Whether an analytic query marked any of these items."""
    return any(it.mark for it in its)


def mark_summary(sub: Subgraph) -> str:
    """'Marked by Key players (...): 3 entities' when an analytic query marked the subgraph, else ''."""
    info = getattr(sub, "mark_info", None) or {}
    if not info:
        return ""
    return f"Marked by {info.get('title') or info.get('query')}: {info.get('marked', 0)} entities"


def mark_values(it: Item) -> dict:
    """{'mark_rank': 1, 'mark': 'key player 1 of 3: ...'} of a marked item; Nones otherwise."""
    m = it.mark or {}
    return {"mark_rank": m.get("rank"), "mark": m.get("text")}


def xml_value(v: Any) -> str:
    """An attribute value as XML text: 'true'/'false' for booleans, repr-exact numbers."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return text(v)
