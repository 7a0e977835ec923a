"""The domain schema (entity and link types), loaded once from schema.yaml."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from importlib import resources

import yaml

SCALAR_TYPES = {"STRING", "INT64", "DOUBLE", "BOOLEAN", "STRING[]"}


@dataclass(frozen=True)
class ValueType:
    """What a property's values are (a phone, a country, a date): the storage type the stores keep them in and
    the name of the import transform that normalises them (a name in linkgraph.importing.transforms.TRANSFORMS,
    checked there: the schema sits below the importer)."""

    name: str
    storage: str
    transform: str
    doc: str = ""


@dataclass(frozen=True)
class EntityType:
    name: str
    keys: tuple[str, ...]
    scope: str
    caption: str
    icon: str
    properties: dict[str, str]  # property -> storage type
    resolvable: bool = False
    value_types: dict[str, str] = field(default_factory=dict)  # property -> value type, for those declared with one


@dataclass(frozen=True)
class LinkType:
    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    keys: tuple[str, ...]
    properties: dict[str, str]  # property -> storage type
    value_types: dict[str, str] = field(default_factory=dict)  # property -> value type, for those declared with one

    def pairs(self) -> list[tuple[str, str]]:
        return [(s, t) for s in self.sources for t in self.targets]


@dataclass(frozen=True)
class Schema:
    entities: dict[str, EntityType]
    links: dict[str, LinkType]
    provenance: dict[str, str] = field(default_factory=dict)
    value_types: dict[str, ValueType] = field(default_factory=dict)

    def value_type(self, owner: str, prop: str) -> ValueType | None:
        """The value type of an entity or link type's property (None: declared with a storage type only)."""
        t = self.entities.get(owner) or self.links.get(owner)
        if t is None:
            raise SchemaError(f"unknown entity or link type {owner!r}")
        name = t.value_types.get(prop)
        return self.value_types[name] if name else None

    def entity(self, name: str) -> EntityType:
        try:
            return self.entities[name]
        except KeyError:
            raise SchemaError(f"unknown entity type {name!r} (known: {', '.join(self.entities)})") from None

    def link(self, name: str) -> LinkType:
        try:
            return self.links[name]
        except KeyError:
            raise SchemaError(f"unknown link type {name!r} (known: {', '.join(self.links)})") from None

    def node_columns(self, name: str) -> dict[str, str]:
        """Every stored column of an entity type, in table order: id, caption, declared, provenance."""
        et = self.entity(name)
        return {"id": "STRING", "caption": "STRING", **et.properties, **self.provenance}

    def link_columns(self, name: str) -> dict[str, str]:
        """Every stored property of a link type: id, declared, provenance."""
        return {"id": "STRING", **self.link(name).properties, **self.provenance}


class SchemaError(ValueError):
    """A type, property or key that the schema does not declare."""


def _value_types(doc: dict) -> dict[str, ValueType]:
    out = {}
    for name, spec in (doc.get("value_types") or {}).items():
        if not isinstance(spec, dict) or set(spec) - {"storage", "transform", "doc"} or "transform" not in spec:
            raise SchemaError(f"value type {name}: give {{storage, transform, doc}}")
        storage = str(spec.get("storage", "STRING"))
        if storage not in SCALAR_TYPES:
            raise SchemaError(f"value type {name}: unknown storage type {storage}")
        if name in SCALAR_TYPES:
            raise SchemaError(f"value type {name}: the name of a storage type")
        out[name] = ValueType(
            name=name, storage=storage, transform=str(spec["transform"]), doc=str(spec.get("doc", ""))
        )
    return out


def _properties(where: str, raw: dict | None, vtypes: dict[str, ValueType]) -> tuple[dict[str, str], dict[str, str]]:
    """`prop: STRING` or `prop: {type: STRING | <value type>, doc: ...}` -> (storage types, value types)."""
    storage, values = {}, {}
    for prop, decl in (raw or {}).items():
        if isinstance(decl, dict):
            if set(decl) - {"type", "doc"} or "type" not in decl:
                raise SchemaError(f"{where}: property {prop}: give {{type, doc}}")
            t = str(decl["type"])
        else:
            t = str(decl)
            if t in vtypes:
                raise SchemaError(f"{where}: property {prop}: write a value type as {{type: {t}}}")
        if t in vtypes:
            values[prop] = t
            storage[prop] = vtypes[t].storage
        elif t in SCALAR_TYPES:
            storage[prop] = t
        else:
            raise SchemaError(
                f"{where}: unknown property type {t} (storage types: {', '.join(sorted(SCALAR_TYPES))}; "
                f"value types: {', '.join(vtypes)})"
            )
    return storage, values


def _parse(doc: dict) -> Schema:
    vtypes = _value_types(doc)
    prov, _ = _properties("provenance", doc.get("provenance"), vtypes)
    entities = {}
    for name, spec in doc["entities"].items():
        props, values = _properties(f"entity {name}", spec.get("properties"), vtypes)
        missing = [k for k in spec["keys"] if k not in props]
        if missing:
            raise SchemaError(f"entity {name}: key {missing} is not a declared property")
        entities[name] = EntityType(
            name=name,
            keys=tuple(spec["keys"]),
            scope=spec.get("scope", "global"),
            caption=spec["caption"],
            icon=spec.get("icon", "entity"),
            properties=props,
            resolvable=bool(spec.get("resolvable", False)),
            value_types=values,
        )
    links = {}
    for name, spec in doc["links"].items():
        expand = lambda xs: tuple(entities) if "*" in xs else tuple(xs)
        sources, targets = expand(spec["from"]), expand(spec["to"])
        for t in sources + targets:
            if t not in entities:
                raise SchemaError(f"link {name}: unknown entity type {t}")
        props, values = _properties(f"link {name}", spec.get("properties"), vtypes)
        links[name] = LinkType(
            name=name,
            sources=sources,
            targets=targets,
            keys=tuple(spec.get("keys", ())),
            properties=props,
            value_types=values,
        )
    return Schema(entities=entities, links=links, provenance=prov, value_types=vtypes)


@functools.cache
def load_schema() -> Schema:
    """The packaged domain schema (read once per process)."""
    text = resources.files("linkgraph").joinpath("schema.yaml").read_text(encoding="utf-8")
    return _parse(yaml.safe_load(text))


def node_id(type_name: str, key_values: dict, source: str | None = None) -> str:
    """Deterministic node id from the type's identity keys (and the source for source-scoped types).

    Single-key global types get a readable id ("Phone:+254712345678"); others a short hash.
    """
    et = load_schema().entity(type_name)
    vals = ["" if key_values.get(k) is None else str(key_values[k]) for k in et.keys]
    if et.scope == "global" and len(vals) == 1:
        return f"{type_name}:{vals[0]}"
    parts = vals + ([source or ""] if et.scope == "source" else [])
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]
    return f"{type_name}:{digest}"


def link_id(type_name: str, source_id: str, target_id: str, key_values: dict | None = None) -> str:
    """Deterministic link id: type, endpoints and the link type's distinguishing keys."""
    lt = load_schema().link(type_name)
    vals = ["" if (key_values or {}).get(k) is None else str(key_values[k]) for k in lt.keys]
    digest = hashlib.sha1("\x1f".join([type_name, source_id, target_id, *vals]).encode("utf-8")).hexdigest()[:24]
    return f"{type_name}:{digest}"
