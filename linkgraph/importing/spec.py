"""Import specifications: declarative YAML files that say how a source format becomes entities and links.

A spec (see importers/*.yaml) has:
  name, title, kind (what the Document/source is), formats (csv, xlsx, report)
  defaults: {grade, handling, source_type}
  columns: {field: {headers: [aliases], required: bool, transform: name, on_error: reject|blank|raw,
                    max_length: int, args: {...}}}
      a column without a transform inherits the one of the value type (schema.yaml `value_types`) of the
      properties it is mapped to (`number: {type: phone}` -> phone); mapped to two value types, it must name one.
      header aliases match case-, spacing- and punctuation-insensitively; a field may use `{n}` in its
      name and aliases together with `repeat: [1, 2, 3]` to declare repeated groups (suspect_1..suspect_3).
  observed: field holding the row's observation date; handling/agency/source_type: fields or none
  grade: a field holding whole grades (Admiralty B2, UK 3x5x2 2/B/C, UK 5x5x5 B/2/3), or several fields:
         [system, reliability, credibility] or {system, reliability, credibility, raw, parts: [...]}; a UK 3x5x2
         grade is kept as written in the provenance (`grading`) and never turned into an Admiralty grade
  filters: [{skip_if_blank: [fields]}, {skip_if_equals: {field: [values]}}]
  entities: {alias: {type, repeat?, when?: field, properties: {prop: field | {field, transform, value}}}}
  links: [{type, from: alias, to: alias, properties: {...}}]   (repeated aliases pair up by index)
  explode: {alias: field}  a list-valued field makes one entity per item (reports)
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from linkgraph import grading
from linkgraph.errors import LinkgraphError
from linkgraph.resources import bundled_dir
from linkgraph.schema import load_schema

ON_ERROR = {"reject", "blank", "raw"}
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def header_key(text) -> str:
    """'  Date of  Seizure ' / 'date_of_seizure' / 'Date.of.Seizure' -> 'date of seizure'."""
    return _NON_ALNUM.sub(" ", str(text).casefold()).strip()


@dataclass
class Column:
    name: str
    headers: list[str]
    required: bool | str = False  # True: header and value; "header": the header only
    transform: str | None = None
    on_error: str | None = None
    max_length: int = 10_000
    args: dict = field(default_factory=dict)
    split: str | None = None  # a separator: the cell holds a list
    value_type: str | None = None  # the value type whose transform the column inherited (it named none)

    @property
    def needs_header(self) -> bool:
        return bool(self.required)

    @property
    def needs_value(self) -> bool:
        return self.required is True

    @property
    def keys(self) -> list[str]:
        return [header_key(h) for h in self.headers]


@dataclass
class Prop:
    name: str
    field: str | None = None  # a column field (or a pseudo field: $file $sha256 $sheet $row)
    value: object = None  # a constant
    transform: str | None = None  # applied on top of the column's own value


@dataclass
class EntitySpec:
    alias: str
    type: str
    properties: list[Prop]
    when: list[str] = field(default_factory=list)  # made only when these fields are non-blank
    repeat: list[str] = field(default_factory=lambda: [""])
    explode: str | None = None  # a list field: one entity per item


@dataclass
class LinkSpec:
    type: str
    source: str
    target: str
    properties: list[Prop]


@dataclass
class Spec:
    name: str
    title: str
    path: Path
    digest: str
    kind: str
    formats: list[str]
    columns: dict[str, Column]
    entities: dict[str, EntitySpec]
    links: list[LinkSpec]
    defaults: dict
    observed: str | None = None
    grade: str | dict | None = None  # a field, or {system, reliability, credibility, raw, parts}
    handling: str | None = None
    agency: str | None = None
    source_type: str | None = None
    filters: list[dict] = field(default_factory=list)

    @property
    def required(self) -> list[Column]:
        return [c for c in self.columns.values() if c.needs_header]


def _err(path: Path, msg: str):
    return LinkgraphError(f"import spec {path.name}: {msg}")


def _prop(path: Path, where: str, name: str, raw, columns: dict) -> Prop:
    if isinstance(raw, str):
        raw = {"field": raw}
    if isinstance(raw, list):
        raw = {"field": raw}
    if not isinstance(raw, dict):
        raw = {"value": raw}
    unknown = set(raw) - {"field", "value", "transform"}
    if unknown:
        raise _err(path, f"{where}.{name}: unknown keys {sorted(unknown)}")
    fields = raw.get("field")
    if isinstance(fields, list):  # the first non-blank of several fields
        for f in fields:
            _prop(path, where, name, {"field": f}, columns)
        return Prop(name=name, field=fields, value=raw.get("value"), transform=raw.get("transform"))
    p = Prop(name=name, field=fields, value=raw.get("value"), transform=raw.get("transform"))
    if p.field is None and p.value is None:
        raise _err(path, f"{where}.{name}: give a field or a value")
    base = p.field.split(".")[0] if p.field else None
    if (
        base
        and not base.startswith("$")
        and base not in columns
        and not any(re.fullmatch(re.escape(base).replace(r"\{n\}", r"\w+"), c) for c in columns)
    ):
        raise _err(path, f"{where}.{name}: no column field {p.field!r}")
    if p.field and p.field.startswith("$") and p.field not in PSEUDO:
        raise _err(path, f"{where}.{name}: unknown pseudo field {p.field!r} (known: {', '.join(PSEUDO)})")
    if p.transform:
        from linkgraph.importing.transforms import TRANSFORMS

        if p.transform not in TRANSFORMS:
            raise _err(path, f"{where}.{name}: unknown transform {p.transform!r}")
    return p


PSEUDO = ("$file", "$sha256", "$sheet", "$row", "$source", "$doc_id", "$rowref")


def _plain(columns: dict) -> set[str]:
    return {c.replace("{n}", "") for c in columns}


def _required(path: Path, fname: str, v):
    """true: the header and a value on every row; "header": the header only."""
    if v in (True, False, "header"):
        return v
    raise _err(path, f"columns.{fname}: required is true, false or header")


def parse_spec(doc: dict, path: Path, text: str = "") -> Spec:
    """Validate a spec document against the schema; every problem is one line naming the spec and the place."""
    from linkgraph.importing.transforms import TRANSFORMS

    if not isinstance(doc, dict):
        raise _err(path, "not a mapping")
    for key in ("name", "columns", "entities"):
        if key not in doc:
            raise _err(path, f"missing `{key}`")
    schema = load_schema()
    columns: dict[str, Column] = {}
    template: dict[str, str] = {}  # column -> the field name it was declared as (suspect_1 -> suspect_{n})
    raw_cols = doc["columns"] or {}
    if not isinstance(raw_cols, dict):
        raise _err(path, "`columns` must be a mapping of field -> options")
    for fname, opts in raw_cols.items():
        opts = {"headers": [fname]} if opts is None else opts
        if isinstance(opts, list):
            opts = {"headers": opts}
        unknown = set(opts) - {"headers", "required", "transform", "on_error", "max_length", "args", "repeat", "split"}
        if unknown:
            raise _err(path, f"columns.{fname}: unknown keys {sorted(unknown)}")
        headers = opts.get("headers") or [fname]
        if isinstance(headers, str):
            headers = [headers]
        tr = opts.get("transform")
        if tr is not None and tr not in TRANSFORMS:
            raise _err(path, f"columns.{fname}: unknown transform {tr!r} (known: {', '.join(sorted(TRANSFORMS))})")
        oe = opts.get("on_error")
        if oe is not None and oe not in ON_ERROR:
            raise _err(path, f"columns.{fname}: on_error must be one of {sorted(ON_ERROR)}")
        repeat = [str(n) for n in opts.get("repeat", [])]
        if repeat and "{n}" not in fname:
            raise _err(path, f"columns.{fname}: `repeat` needs {{n}} in the field name")
        for n in repeat or [None]:
            name = fname if n is None else fname.replace("{n}", n)
            hs = [str(h) if n is None else str(h).replace("{n}", n) for h in headers]
            template[name] = fname
            columns[name] = Column(
                name=name,
                headers=hs,
                required=_required(path, fname, opts.get("required", False)),
                transform=tr,
                on_error=oe,
                max_length=int(opts.get("max_length", 10_000)),
                args=dict(opts.get("args") or {}),
                split=opts.get("split"),
            )
    seen: dict[str, str] = {}
    for c in columns.values():
        for k in c.keys:
            if k in seen and seen[k] != c.name:
                raise _err(path, f"header {k!r} is claimed by both {seen[k]} and {c.name}")
            seen[k] = c.name

    entities: dict[str, EntitySpec] = {}
    for alias, e in (doc["entities"] or {}).items():
        if not isinstance(e, dict) or "type" not in e:
            raise _err(path, f"entities.{alias}: needs a `type`")
        unknown = set(e) - {"type", "properties", "when", "repeat", "explode"}
        if unknown:
            raise _err(path, f"entities.{alias}: unknown keys {sorted(unknown)}")
        if e["type"] not in schema.entities:
            raise _err(path, f"entities.{alias}: unknown entity type {e['type']!r}")
        et = schema.entities[e["type"]]
        props = []
        for pname, praw in (e.get("properties") or {}).items():
            if pname not in et.properties and pname != "caption":
                raise _err(path, f"entities.{alias}: {e['type']} has no property {pname!r}")
            props.append(_prop(path, f"entities.{alias}", pname, praw, columns))
        given = {p.name for p in props}
        for k in et.keys:
            if k not in given and not (k == "name_key" and "name" in given):
                # a missing key is allowed (it is then blank), but the first key must be mapped
                if k == et.keys[0]:
                    raise _err(path, f"entities.{alias}: identity key {k!r} of {e['type']} is not mapped")
        when = e.get("when") or []
        when = [when] if isinstance(when, str) else list(when)
        repeat = [str(n) for n in e.get("repeat", [])] or [""]
        entities[alias] = EntitySpec(
            alias=alias, type=e["type"], properties=props, when=when, repeat=repeat, explode=e.get("explode")
        )
    links = []
    for i, ln in enumerate(doc.get("links") or []):
        where = f"links[{i}]"
        if not isinstance(ln, dict) or not {"type", "from", "to"} <= set(ln):
            raise _err(path, f"{where}: needs type, from and to")
        if ln["type"] not in schema.links:
            raise _err(path, f"{where}: unknown link type {ln['type']!r}")
        lt = schema.links[ln["type"]]
        for end, allowed in (("from", lt.sources), ("to", lt.targets)):
            if ln[end] not in entities:
                raise _err(path, f"{where}: `{end}` names no entity alias {ln[end]!r}")
            if entities[ln[end]].type not in allowed:
                raise _err(path, f"{where}: {ln['type']} cannot go {end} {entities[ln[end]].type}")
        props = []
        for pname, praw in (ln.get("properties") or {}).items():
            if pname not in lt.properties:
                raise _err(path, f"{where}: {ln['type']} has no property {pname!r}")
            props.append(_prop(path, where, pname, praw, columns))
        links.append(LinkSpec(type=ln["type"], source=ln["from"], target=ln["to"], properties=props))

    _inherit_transforms(path, columns, template, entities, links, schema, TRANSFORMS)

    defaults = dict(doc.get("defaults") or {})
    try:
        grading.parse(defaults.get("grade"))
    except LinkgraphError as e:
        raise _err(path, f"defaults.grade: {e}") from None
    spec = Spec(
        name=str(doc["name"]),
        title=str(doc.get("title", doc["name"])),
        path=path,
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest()[:16],
        kind=str(doc.get("kind", doc["name"])),
        formats=list(doc.get("formats") or ["csv", "xlsx"]),
        columns=columns,
        entities=entities,
        links=links,
        defaults=defaults,
        filters=list(doc.get("filters") or []),
    )
    for attr in ("observed", "grade", "handling", "agency", "source_type"):
        val = doc.get(attr)
        if attr == "grade" and isinstance(val, (list, dict)):
            setattr(spec, attr, _grade_fields(path, val, columns))
            continue
        if val is not None and val not in columns:
            raise _err(path, f"`{attr}` names no column field {val!r}")
        setattr(spec, attr, val)
    for i, f in enumerate(spec.filters):
        for fname in list(f.get("skip_if_blank", [])) + list((f.get("skip_if_equals") or {}).keys()):
            if fname not in columns:
                raise _err(path, f"filters[{i}]: no column field {fname!r}")
    for e in entities.values():
        for w in e.when:
            for n in e.repeat:
                if w.replace("{n}", n) not in columns:
                    raise _err(path, f"entities.{e.alias}.when: no column field {w!r}")
        if e.explode and e.explode not in columns:
            raise _err(path, f"entities.{e.alias}.explode: no column field {e.explode!r}")
    return spec


def _inherit_transforms(path: Path, columns, template, entities, links, schema, transforms) -> None:
    """A column that names no transform takes the one of the value type of the properties it is mapped to.

    Only a property that reads the column's own value counts (`number: phone`, or one of the fields of
    `[cell, location]`); one that reads an extra (`phone.raw`) or applies its own transform does not, nor does
    a property declared with a storage type only. Mapped to properties of two value types, the column must
    name its transform: that is one line naming the spec and the column.
    """
    found: dict[str, dict[str, list[str]]] = {}  # column -> value type -> the properties of that type

    def visit(where: str, owner: str, props: list[Prop], repeats: list[str]):
        for p in props:
            vt = schema.value_type(owner, p.name)
            if vt is None or p.transform:
                continue
            for f in p.field if isinstance(p.field, list) else [p.field]:
                if not f or f.startswith("$") or "." in f:
                    continue
                for n in repeats:
                    if f.replace("{n}", n) in columns:
                        found.setdefault(f.replace("{n}", n), {}).setdefault(vt.name, []).append(f"{where}.{p.name}")

    for e in entities.values():
        visit(f"entities.{e.alias}", e.type, e.properties, e.repeat)
    for i, ln in enumerate(links):
        repeats = sorted(set(entities[ln.source].repeat) | set(entities[ln.target].repeat))
        visit(f"links[{i}]", ln.type, ln.properties, repeats)
    for name, by_type in found.items():
        col = columns[name]
        if col.transform is not None:
            continue  # an explicit transform wins
        if len(by_type) > 1:
            uses = "; ".join(f"{vt}: {', '.join(dict.fromkeys(ws))}" for vt, ws in by_type.items())
            raise _err(
                path,
                f"columns.{template[name]}: mapped to properties of different value types ({uses}): "
                "give the column a transform",
            )
        (vt,) = by_type
        tr = schema.value_types[vt].transform
        if tr not in transforms:
            raise _err(path, f"columns.{template[name]}: value type {vt} names unknown transform {tr!r}")
        col.transform, col.value_type = tr, vt


_GRADE_KEYS = ("system", "reliability", "credibility", "raw", "parts")
_GRADE_HELP = (
    "`grade` is a field holding a whole grade (B2, 2/B/C, B/2/3), [system, reliability, credibility] "
    "fields, or {system, reliability, credibility, raw, parts: [fields of the grade in its own system]}"
)


def _grade_fields(path: Path, val, columns: dict) -> dict:
    """A grade given in several fields, as {system, reliability, credibility, raw, parts}."""
    if isinstance(val, list):
        if len(val) != 3:
            raise _err(path, _GRADE_HELP)
        val = dict(zip(("system", "reliability", "credibility"), val))
    if set(val) - set(_GRADE_KEYS) or not any(val.get(k) for k in _GRADE_KEYS):
        raise _err(path, _GRADE_HELP)
    parts = val.get("parts") or []
    if not isinstance(parts, list) or len(parts) > 3:
        raise _err(path, _GRADE_HELP)
    for f in [*(val.get(k) for k in _GRADE_KEYS[:4]), *parts]:
        if f is not None and f not in columns:
            raise _err(path, f"`grade` names no column field {f!r}")
    return {**{k: val.get(k) for k in _GRADE_KEYS[:4]}, "parts": list(parts)}


def load_spec_file(path: str | Path) -> Spec:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise LinkgraphError(f"cannot read import spec {path}: {e.strerror or e}") from None
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise _err(path, f"not valid YAML{where}: {getattr(e, 'problem', e)}") from None
    return parse_spec(doc, path, text)


def builtin_specs() -> dict[str, Spec]:
    """The bundled specs, by name."""
    out = {}
    for p in sorted(bundled_dir("importers").glob("*.yaml")):
        s = load_spec_file(p)
        out[s.name] = s
    return out


def get_spec(name_or_path: str | Path) -> Spec:
    """A bundled spec by name, or a user's spec file by path."""
    p = Path(name_or_path)
    if p.suffix in (".yaml", ".yml") and p.exists():
        return load_spec_file(p)
    specs = builtin_specs()
    if str(name_or_path) in specs:
        return specs[str(name_or_path)]
    raise LinkgraphError(
        f"no import spec {str(name_or_path)!r}: built-in specs are {', '.join(specs)}, "
        "or give the path of a .yaml spec file"
    )
