"""Sanitisation before dissemination: protected sources become reference numbers, what only they reported goes.

A provenance record is *protected* when a rule matches it (its source type, grade, handling code, source file
or batch, or agency). Then, over a Subgraph:

- a node or link whose every record is protected exists only because a protected source reported it: it is
  removed (with `keep_protected_links`, a node becomes a placeholder with no properties and a link is kept);
- a node or link seen by open sources too keeps its identity keys and typed facts, its protected records are
  replaced by one record per protected source carrying only the reference number and the grading, and its
  free-text properties (raw, narrative, description, aliases) are withheld, because the store does not record
  which observation supplied a value;
- an `entity=` rule names a resolved entity (by a record id, or by a name or alias under resolution's own
  name key): every record resolved to it (entity_id, merge SAME_AS links), every record written with one of
  its names or aliases, and its identifiers (phones, documents, vehicles, e-mail, accounts, addresses) are
  withheld, with every link to them, whatever their sources;
- items handled above the output's TLP level, or under an unknown code, are withheld (see `redact`'s `tlp`);
- the output's entity ids are renumbered under the secret and its SAME_AS links redrawn among the open
  records, so that nothing shows which open records shared an entity with a withheld one;
- every text value left anywhere that contains a protected string (a value of a removed item, a protected
  source file name or hash) is replaced by "[withheld]"; phone-like values are compared by digits and codes
  by letters and digits only, so "0754 330 981" is caught by "+255754330981".

Reference numbers are HMAC-SHA256 of the source (file hash and sheet) under a per-store secret kept in LgMeta,
so the same source gets the same number in every package from this store and no recipient can compute it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from linkgraph import grading, handling, provenance
from linkgraph.errors import LinkgraphError
from linkgraph.subgraph import Subgraph

WITHHELD = "[withheld]"
PROTECTED_TYPE = "protected source"
FREE_TEXT = {"raw", "narrative", "description", "aliases", "title", "raw_quantity", "declared_goods", "evidence"}
RULE_KEYS = ("source_type", "grade", "below", "handling", "source", "agency", "entity")
_SECRET_ID = "sharing.secret"
_KEEP_KEYS = {"reliability", "credibility", "handling"}  # what a protected record keeps besides its reference
_MIN_LEN = 4  # shorter protected strings ("KE", "VN") would withhold half the chart
_MIN_DIGITS = 7  # a national significant phone number


@dataclass
class RedactRules:
    """Which provenance records and entities are protected (see `parse_rules` for the text form)."""

    source_types: set[str] = field(default_factory=set)
    grades: set[str] = field(default_factory=set)
    below: str | None = None
    handling: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    agencies: set[str] = field(default_factory=set)
    entities: set[str] = field(default_factory=set)

    def __bool__(self) -> bool:
        return bool(
            self.source_types
            or self.grades
            or self.below
            or self.handling
            or self.sources
            or self.agencies
            or self.entities
        )

    def describe(self) -> list[str]:
        """The rules as text, for the manifest (named sources and entities counted, never listed)."""
        out = []
        if self.source_types:
            out.append("source_type=" + ",".join(sorted(self.source_types)))
        if self.grades:
            out.append("grade=" + ",".join(sorted(self.grades)))
        if self.below:
            out.append(f"below={self.below}")
        if self.handling:
            out.append("handling=" + ",".join(sorted(self.handling)))
        for key, vals in (("source", self.sources), ("agency", self.agencies), ("entity", self.entities)):
            if vals:
                out.append(f"{key}=<{len(vals)} named>")
        return out

    def protects(self, rec: dict) -> bool:
        """True when a provenance record comes from a protected source."""
        st = _norm_source_type(rec.get("source_type"))
        if st and st in self.source_types:
            return True
        rel, cred = rec.get("reliability"), rec.get("credibility")
        if self.grades and rel:
            g = f"{rel}{'' if cred is None else int(cred)}"
            if g in self.grades or rel in self.grades:
                return True
        if self.below and not grading.meets(rel, None if cred is None else int(cred), grading.parse(self.below)):
            return True
        if self.handling and _code(rec.get("handling")) in self.handling:
            return True
        if self.sources and ({str(rec.get(k) or "").casefold() for k in ("source", "batch", "sha256")} & self.sources):
            return True
        if self.agencies and str(rec.get("agency") or "").strip().casefold() in self.agencies:
            return True
        return False


def _code(value) -> str | None:
    """A record's handling code normalised; an unknown one as written (it matches no rule)."""
    try:
        return handling.normalise(value)
    except handling.HandlingError:
        return str(value)


def _norm_source_type(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    v = str(value).strip().casefold()
    try:  # the report reader's vocabulary: "CHIS", "covert human source" -> informant
        from linkgraph.importing.reports import source_type

        return (source_type(v) or v).casefold()
    except ImportError:  # pragma: no cover
        return v


def _values(text: str) -> list[str]:
    """'a,b' -> ['a', 'b']; '@file' -> the file's non-empty lines (a named list kept out of shell history)."""
    text = text.strip()
    if text.startswith("@"):
        p = Path(text[1:])
        if not p.is_file():
            raise LinkgraphError(f"redaction list {p} does not exist")
        return [
            ln.strip() for ln in p.read_text(encoding="utf-8-sig").splitlines() if ln.strip() and not ln.startswith("#")
        ]
    return [v.strip() for v in text.split(",") if v.strip()]


def parse_rules(rules) -> RedactRules:
    """Redaction rules from text: 'key=v1,v2' strings (or one string of them joined by ';'), a dict, or RedactRules.

    source_type=informant,undercover   records of these source types (CHIS and the like read as informant)
    grade=E,F,D4                        records of these grades (a letter alone: any credibility)
    below=C3                            records that do not meet C3 (ungraded records included)
    handling=TLP:RED,5                  records with these handling codes
    source=intel_tz.txt                 records from these source files, batch ids or file sha256
    agency=NTSCIU                       records an agency reported
    entity=Person:ab12..,Jane Doe       these entities (id or caption), whatever their sources
    Any value list may be '@path', a file with one value a line.
    """
    if rules is None:
        return RedactRules()
    if isinstance(rules, RedactRules):
        return rules
    if isinstance(rules, str):
        rules = [r for r in rules.split(";") if r.strip()]
    if isinstance(rules, dict):
        rules = [f"{k}={','.join(v) if isinstance(v, (list, tuple, set)) else v}" for k, v in rules.items()]
    out = RedactRules()
    for rule in rules:
        if "=" not in rule:
            raise LinkgraphError(f"redaction rule {rule!r} is not key=value (keys: {', '.join(RULE_KEYS)})")
        key, val = (x.strip() for x in rule.split("=", 1))
        key = key.casefold().replace("-", "_")
        vals = _values(val)
        if not vals:
            raise LinkgraphError(f"redaction rule {rule!r} has no value")
        if key == "source_type":
            out.source_types |= {_norm_source_type(v) for v in vals} | {v.casefold() for v in vals}
        elif key == "grade":
            for v in vals:
                v = v.strip().upper()
                if not re.fullmatch(r"[A-F][1-6]?", v):
                    raise LinkgraphError(f"redaction rule {rule!r}: {v!r} is not a grade such as E or D4")
                out.grades.add(v)
        elif key == "below":
            grading.parse(vals[0])
            out.below = vals[0].strip().upper()
        elif key == "handling":
            try:
                out.handling |= {handling.normalise(v) for v in vals}
            except handling.HandlingError as e:
                raise LinkgraphError(f"redaction rule {rule!r}: {e}") from None
        elif key == "source":
            out.sources |= {v.casefold() for v in vals}
        elif key == "agency":
            out.agencies |= {v.casefold() for v in vals}
        elif key == "entity":
            out.entities |= set(vals)
        else:
            raise LinkgraphError(f"redaction rule {rule!r}: unknown key {key!r} (keys: {', '.join(RULE_KEYS)})")
    return out


def store_secret(store) -> bytes:
    """The store's reference-number secret (32 random bytes in LgMeta, made on first use; never exported)."""
    found = store.query("MATCH (m:LgMeta) WHERE m.id = $id RETURN m.value AS v", {"id": _SECRET_ID})
    if len(found) and found["v"].iloc[0]:
        return bytes.fromhex(found["v"].iloc[0])
    value = secrets.token_hex(32)
    store.execute("CREATE (m:LgMeta {id: $id, value: $v})", {"id": _SECRET_ID, "v": value})
    return bytes.fromhex(value)


def reference(secret: bytes, source_key: str, prefix: str = "SRC") -> str:
    """A stable reference number for a protected source, e.g. SRC-7F3A9C21."""
    return f"{prefix}-" + hmac.new(secret, source_key.encode("utf-8"), hashlib.sha256).hexdigest()[:8].upper()


@dataclass
class Redaction:
    """A sanitised subgraph and what was done to make it (the protected strings never leave this object)."""

    subgraph: Subgraph
    withheld_nodes: int = 0
    withheld_links: int = 0
    placeholders: int = 0
    references: list[str] = field(default_factory=list)
    scrubbed_values: int = 0
    protected_strings: list[str] = field(default_factory=list)
    # one row per withheld item: id (the store's), withheld_id (what a package may show), type, kind, reason
    withheld: list[dict] = field(default_factory=list)
    tlp: str | None = None  # the TLP level the output really needs (with include_restricted, may be raised)

    def summary(self) -> dict:
        return {
            "withheld_nodes": self.withheld_nodes,
            "withheld_links": self.withheld_links,
            "placeholders": self.placeholders,
            "references": len(self.references),
            "scrubbed_values": self.scrubbed_values,
        }


def _blank(v) -> bool:
    if v is None:
        return True
    if isinstance(v, float) and pd.isna(v):
        return True
    if isinstance(v, (list, tuple)) and not v:
        return True
    return isinstance(v, str) and not v.strip()


def _texts(v, strings_only: bool = False) -> list[str]:
    if _blank(v):
        return []
    if isinstance(v, (list, tuple)):
        return [t for x in v for t in _texts(x, strings_only)]
    if hasattr(v, "tolist") and not isinstance(v, (str, bytes)):
        return _texts(v.tolist(), strings_only)
    if strings_only and not isinstance(v, str):
        return []  # numbers and flags are not names, phones or identifiers
    return [str(v)]


_DATE_RX = re.compile(r"\d{4}(-\d{2}(-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?)?)?")


def _squash(s: str) -> str:
    return re.sub(r"[\W_]+", "", s.casefold())


def _digits(s: str) -> str:
    return re.sub(r"\D+", "", s)


class _Matcher:
    """Finds protected strings in text: as written (case-folded), squashed to letters and digits, or by digits."""

    def __init__(self, strings: set[str]):
        self.plain = sorted({s.casefold() for s in strings if len(s.strip()) >= _MIN_LEN})
        self.squashed = sorted({q for s in strings if len(q := _squash(s)) >= 6})
        digits = set()
        for s in strings:
            d = _digits(s)
            # a phone number: its last 9 digits (the national significant number) catch every written form
            if len(d) >= _MIN_DIGITS and len(d) >= len(_squash(s)) - 1:
                digits.add(d[-9:] if len(d) > 9 else d)
        self.digits = sorted(digits)
        self.plain_rx = re.compile("|".join(map(re.escape, self.plain))) if self.plain else None
        self.sq_rx = re.compile("|".join(map(re.escape, self.squashed))) if self.squashed else None
        self.dg_rx = re.compile("|".join(map(re.escape, self.digits))) if self.digits else None

    def hit(self, text: str) -> bool:
        if not text:
            return False
        if self.plain_rx and self.plain_rx.search(text.casefold()):
            return True
        if self.sq_rx and self.sq_rx.search(_squash(text)):
            return True
        return bool(self.dg_rx and self.dg_rx.search(_digits(text)))


_BASE = {"id", "type", "caption", "source", "target", "source_type", "target_type"}
# Columns whose values are ids, grading or categories ("relative", "kg", "vessel"): not what identifies a source,
# and withholding them everywhere they occur would blank half the chart.
_NOT_IDENTIFYING = {
    "id",
    "source",
    "target",
    "type",
    "source_type",
    "target_type",
    "prov",
    "batches",
    "reliability",
    "credibility",
    "handling",
    "first_seen",
    "last_seen",
    "kind",
    "role",
    "relation",
    "unit",
    "commodity",
    "term",
    "transport_mode",
    "gender",
    "legal_form",
    "rank",
    "family",
    "taxon_class",
    "cites_appendix",
    "purpose",
    "source_code",
    "country",
    "nationality",
    "code",
    "valid",
    "verified",
    "decision",
    "leg",
    "date",
    "entity_id",  # renumbered in the output instead (see _renumber_entities)
}
_SUMMARY = set(provenance.SUMMARY_COLUMNS) | {"prov"}


def withheld_id(secret: bytes, item: dict) -> str:
    """The id a withheld item may be shown under (placeholders, the withheld report): `Type:W-<hmac>`, which
    no recipient can turn back into the item's id (ids hash, or are, identifiers: `Phone:+2547...`)."""
    return f"{item['type']}:W-" + hmac.new(secret, str(item["id"]).encode(), hashlib.sha256).hexdigest()[:16]


def _item_codes(r: dict) -> list:
    return [r.get("handling"), *(x.get("handling") for x in Subgraph.provenance(r.get("prov")))]


def _enforce_handling(nodes: pd.DataFrame, links: pd.DataFrame, level: str, include_restricted: bool, hold):
    """Withhold what may not go out under TLP `level` (and every link to it); or, with `include_restricted`,
    keep it and raise the level. Items under an unknown code are withheld either way: nobody can say how to
    handle them. Returns (nodes, links, level)."""
    gone: set[str] = set()
    highest = level
    for df, kind in ((nodes, "entity"), (links, "link")):
        for r in df.to_dict("records"):
            if kind == "link" and (r["source"] in gone or r["target"] in gone):
                gone.add(r["id"])
                hold(r, kind, "link to a withheld entity")
                continue
            try:
                top = handling.most_restrictive(_item_codes(r))
            except handling.HandlingError:
                gone.add(r["id"])
                hold(r, kind, "unknown handling code")
                continue
            if top is None or not handling.exceeds(top, level):
                continue
            if include_restricted:
                highest = max(highest, handling.tlp_level(top), key=handling.TLP_LEVELS.index)
            else:
                gone.add(r["id"])
                hold(r, kind, f"handling {top} is above TLP:{level}")
    keep = lambda df: df[~df["id"].isin(gone)].reset_index(drop=True)
    return keep(nodes), keep(links), highest


_HOLDS = ("HAS_PHONE", "HAS_ID", "HAS_EMAIL", "HAS_ACCOUNT", "USES_VEHICLE", "HAS_ADDRESS")
_MERGED = ("auto", "match")  # SAME_AS decisions that mean one entity (review links do not)


def _name_keys(type_name: str, values) -> set[str]:
    """Resolution's own name keys of some names: the person key (order-free, initials and titles dropped) or
    the organisation key (legal forms dropped)."""
    from linkgraph.normalize.names import name_key
    from linkgraph.resolve.adapters import org_name_key

    fn = org_name_key if type_name == "Organization" else name_key
    return {k for v in values for t in _texts(v, strings_only=True) if (k := fn(t))}


def _named(nodes: pd.DataFrame, links: pd.DataFrame, wanted: set[str], records) -> tuple[set[str], set[str]]:
    """The records an `entity=` rule reaches, and their identifiers (phones, documents, vehicles, ...).

    A value names a node by id, or a Person or Organization by any of its names or aliases under resolution's
    name key. A named record brings every record resolved to the same entity (entity_id, or merge SAME_AS links
    in the selection), and their names and aliases in turn bring every record written so, until nothing changes.
    Other types are named by id or caption.
    """
    rows = nodes.to_dict("records")
    by_id = {r["id"]: r for r in rows}
    eid_of = {r["id"]: r.get("entity_id") for r in rows if not _blank(r.get("entity_id"))}
    if records is not None and len(records):
        eid_of.update({k: v for k, v in zip(records["record_id"], records["entity_id"]) if not _blank(v)})
    same: dict[str, set[str]] = {}
    if "decision" in links.columns:
        for r in links[(links["type"] == "SAME_AS") & links["decision"].isin(_MERGED)].to_dict("records"):
            same.setdefault(r["source"], set()).add(r["target"])
            same.setdefault(r["target"], set()).add(r["source"])
    members: dict[str, set[str]] = {}
    for rid, e in eid_of.items():
        members.setdefault(e, set()).add(rid)
    resolvable = [r for r in rows if r["type"] in ("Person", "Organization")]
    keys_of = {r["id"]: _name_keys(r["type"], [r.get("name"), r.get("caption"), r.get("aliases")]) for r in resolvable}
    wanted_cf = {w.casefold() for w in wanted}
    named = {i for i in wanted if i in by_id}
    named |= {r["id"] for r in rows if str(r.get("caption") or "").casefold() in wanted_cf}
    keys = {t: _name_keys(t, wanted) for t in ("Person", "Organization")}
    while True:
        before = len(named)
        named |= {r["id"] for r in resolvable if keys_of[r["id"]] & keys[r["type"]]}
        for rid in list(named):
            named |= members.get(eid_of.get(rid), set()) & set(by_id)
            named |= same.get(rid, set())
        for rid in named & set(keys_of):
            keys[by_id[rid]["type"]] |= keys_of[rid]
        if len(named) == before:
            break
    held = set(links.loc[links["type"].isin(_HOLDS) & links["source"].isin(named), "target"]) - named
    return named, held


def _identity_strings(nodes: pd.DataFrame, ids: set[str], schema) -> set[str]:
    """What identifies named items: caption, identity keys, names and aliases (not a vehicle's make or a
    person's occupation, which would blank every Toyota and every trader in the chart)."""
    out: set[str] = set()
    for r in nodes[nodes["id"].isin(ids)].to_dict("records"):
        et = schema.entities.get(r["type"])
        for col in {"caption", "name", "aliases", *(et.keys if et else [])}:
            out.update(t for t in _texts(r.get(col), strings_only=True) if not _DATE_RX.fullmatch(t))
    return out


def _renumber_entities(rows: list[dict], secret: bytes) -> list[dict]:
    """Entity ids under the store's secret: records keep their grouping, but no id is the store's own (which may
    derive from a withheld record) and none can be matched to an entity of another package by a third party."""
    for r in rows:
        if not _blank(r.get("entity_id")) and r["entity_id"] != WITHHELD:
            r["entity_id"] = (
                "ent_" + hmac.new(secret, f"entity\x1f{r['entity_id']}".encode(), "sha256").hexdigest()[:12]
            )
    return rows


def _rebuild_same_as(out_nodes: list[dict], out_links: list[dict], original: pd.DataFrame) -> list[dict]:
    """SAME_AS links as resolution would draw them had the withheld records never existed: from every open
    record of an entity to its first open record (earliest imported, then id), decisions kept, scores and
    evidence dropped (they compared records, some now withheld). Otherwise an entity whose first record was
    withheld would show members without links, which tells that a withheld record was its first."""
    from linkgraph.schema import link_id

    merged = [x for x in out_links if x["type"] == "SAME_AS" and x.get("decision") in _MERGED]
    if not merged:
        return out_links
    first_seen = {
        r["id"]: min((str(x.get("imported") or "") for x in Subgraph.provenance(r.get("prov"))), default="")
        for r in original.to_dict("records")
        if r.get("type") in ("Person", "Organization")
    }
    groups: dict[str, list[dict]] = {}
    for r in out_nodes:
        if r["type"] in ("Person", "Organization") and not _blank(r.get("entity_id")):
            groups.setdefault(r["entity_id"], []).append(r)
    decision = {x["source"]: x["decision"] for x in merged}  # a reviewer's "match" is on the record it joined
    rebuilt = []
    for members in groups.values():
        if len(members) < 2:
            continue
        members = sorted(members, key=lambda r: (first_seen.get(r["id"], ""), r["id"]))
        head = members[0]
        for m in members[1:]:
            recs = provenance.merge_records(Subgraph.provenance(m.get("prov")) + Subgraph.provenance(head.get("prov")))
            rebuilt.append(
                {
                    "id": link_id("SAME_AS", m["id"], head["id"]),
                    "type": "SAME_AS",
                    "source": m["id"],
                    "target": head["id"],
                    "source_type": m["type"],
                    "target_type": head["type"],
                    "decision": decision.get(m["id"], "auto"),
                    "prov": provenance.dumps(recs),
                    **provenance.summarise(recs),
                }
            )
    # a review link to a placeholder (kept protected links) would still say "maybe the same as a withheld one"
    grouped = {r["id"] for r in out_nodes if not _blank(r.get("entity_id"))}
    others = [
        x
        for x in out_links
        if x["type"] != "SAME_AS" or (x.get("decision") not in _MERGED and {x["source"], x["target"]} <= grouped)
    ]
    for x in others:
        if x["type"] == "SAME_AS":
            x["score"], x["evidence"] = None, None
    return others + rebuilt


def redact(
    sub: Subgraph,
    rules,
    secret: bytes,
    keep_protected_links: bool = False,
    *,
    tlp: str | None = None,
    include_restricted: bool = False,
    records: pd.DataFrame | None = None,
) -> Redaction:
    """The sanitised copy of `sub` under `rules` (see the module docstring); `sub` itself is not changed.

    `tlp`: the level the output goes out under; items handled above it (or under an unknown code) are
    withheld, unless `include_restricted`, which instead raises `Redaction.tlp` to the most restrictive level
    included. `records`: the store's resolution records (resolve.graph.records), so that an `entity=` rule
    reaches every record resolved to that entity, also ones the selection did not bring.
    """
    from linkgraph.schema import load_schema

    rules = parse_rules(rules)
    schema = load_schema()
    nodes = sub.nodes.copy()
    links = sub.links.copy()
    withheld: list[dict] = []

    def hold(r: dict, kind: str, reason: str) -> None:
        withheld.append(
            {"id": r["id"], "withheld_id": withheld_id(secret, r), "type": r["type"], "kind": kind, "reason": reason}
        )

    level = handling.tlp(tlp) if tlp is not None else None
    if level is not None:
        nodes, links, level = _enforce_handling(nodes, links, level, include_restricted, hold)

    refs: set[str] = set()
    protected_sources: set[str] = set()

    open_sources: set[str] = set()

    def split(cell) -> tuple[list[dict], list[dict]]:
        recs = Subgraph.provenance(cell)
        prot = [r for r in recs if rules.protects(r)]
        opened = [r for r in recs if not rules.protects(r)]
        for r in opened:
            open_sources.update(str(r[k]) for k in ("source", "sha256") if r.get(k))
        return opened, prot

    def replace(prot: list[dict]) -> list[dict]:
        out: dict[str, dict] = {}
        for r in prot:
            ref = reference(secret, f"{r.get('sha256') or r.get('source') or ''}\x1f{r.get('sheet') or ''}")
            refs.add(ref)
            for k in ("source", "sha256"):
                if r.get(k):
                    protected_sources.add(str(r[k]))
            rec = {
                "source": ref,
                "source_type": PROTECTED_TYPE,
                **{k: r[k] for k in _KEEP_KEYS if r.get(k) is not None},
            }
            key = json.dumps(rec, sort_keys=True)
            out.setdefault(key, rec)
        return [out[k] for k in sorted(out)]

    named, identifiers = _named(nodes, links, rules.entities, records) if rules.entities else (set(), set())
    named_or_held = named | identifiers

    # 1. classify items
    node_state: dict[str, str] = {}  # id -> open | mixed | protected
    node_prov: dict[str, list[dict]] = {}
    for r in nodes.to_dict("records"):
        opened, prot = split(r.get("prov"))
        if r["id"] in named_or_held:
            state = "protected"
            prot = prot + opened
            opened = []
        else:
            state = "protected" if prot and not opened else ("mixed" if prot else "open")
        node_state[r["id"]] = state
        node_prov[r["id"]] = opened + replace(prot)
    link_state: dict[str, str] = {}
    link_prov: dict[str, list[dict]] = {}
    for r in links.to_dict("records"):
        opened, prot = split(r.get("prov"))
        state = "protected" if prot and not opened else ("mixed" if prot else "open")
        if not keep_protected_links and (
            node_state.get(r["source"]) == "protected" or node_state.get(r["target"]) == "protected"
        ):
            state = "protected"
        link_state[r["id"]] = state
        link_prov[r["id"]] = opened + replace(prot)

    # 2. protected strings: values of removed items, unless open items hold the same value as an identity
    def item_strings(df: pd.DataFrame, ids: set[str]) -> set[str]:
        out: set[str] = set()
        if not ids:
            return out
        sel = df[df["id"].isin(ids)]
        for col in sel.columns:
            if col in _NOT_IDENTIFYING:
                continue
            for v in sel[col].tolist():
                out.update(t for t in _texts(v, strings_only=True) if not _DATE_RX.fullmatch(t))
        return out

    prot_nodes = {i for i, s in node_state.items() if s == "protected"}
    prot_links = {i for i, s in link_state.items() if s == "protected"}
    strings = item_strings(nodes, prot_nodes - named_or_held) | item_strings(links, prot_links)
    open_ids = nodes[~nodes["id"].isin(prot_nodes)]
    open_values: set[str] = set()
    for r in open_ids.to_dict("records"):
        et = schema.entities.get(r["type"])
        for col in ["caption", *(et.keys if et else [])]:
            open_values.update(t.casefold() for t in _texts(r.get(col)))
    explicit = set()
    if named_or_held:
        # every value of a named entity's records and identifiers is withheld wherever it is written, also where
        # an open item holds the same value; ids are not text ("Person:ab12..") and go through withheld_id
        explicit = _identity_strings(nodes, named_or_held, schema) | {
            v for v in rules.entities if v not in set(nodes["id"])
        }
    # a file that open records also cite (a report file holding an open and a protected report) is not secret
    strings = (
        {s for s in strings if s.casefold() not in open_values and s not in open_sources}
        | explicit
        | (protected_sources - open_sources)
    )
    matcher = _Matcher(strings)
    scrubbed = 0

    def clean_value(col: str, v, state: str):
        nonlocal scrubbed
        if _blank(v):
            return v
        if state == "mixed" and col in FREE_TEXT:
            scrubbed += 1
            return None
        if isinstance(v, (list, tuple)) or (hasattr(v, "tolist") and not isinstance(v, str)):
            items = list(v.tolist() if hasattr(v, "tolist") else v)
            kept = [x for x in items if not any(matcher.hit(t) for t in _texts(x))]
            if len(kept) != len(items):
                scrubbed += 1
            return kept or None
        if isinstance(v, str) and matcher.hit(v):
            scrubbed += 1
            return WITHHELD
        return v

    # 3. rebuild
    placeholder_of: dict[str, str] = {}
    out_nodes = []
    for r in nodes.to_dict("records"):
        state = node_state[r["id"]]
        if state == "protected":
            if not keep_protected_links:
                continue
            pid = withheld_id(secret, r)
            placeholder_of[r["id"]] = pid
            recs = node_prov[r["id"]]
            ref = ", ".join(sorted({x["source"] for x in recs if x.get("source_type") == PROTECTED_TYPE}))
            new = {
                "id": pid,
                "type": r["type"],
                "caption": f"Withheld ({ref or 'protected'})",
                "prov": provenance.dumps(recs),
                **provenance.summarise(recs),
            }
            out_nodes.append(new)
            continue
        new = {}
        for col, v in r.items():
            if col in ("id", "type"):
                new[col] = v
            elif col in _SUMMARY:
                continue
            else:
                new[col] = clean_value(col, v, state)
        if state == "mixed":
            recs = node_prov[r["id"]]
            new.update(prov=provenance.dumps(recs), **provenance.summarise(recs))
        else:
            new.update({c: r.get(c) for c in _SUMMARY if c in r})
        out_nodes.append(new)
    out_links = []
    for r in links.to_dict("records"):
        state = link_state[r["id"]]
        ends_withheld = r["source"] in placeholder_of or r["target"] in placeholder_of
        if state == "protected" and not keep_protected_links:
            continue
        new = {}
        for col, v in r.items():
            if col in ("id", "type", "source", "target", "source_type", "target_type"):
                new[col] = v
            elif col in _SUMMARY:
                continue
            else:
                new[col] = clean_value(col, v, "mixed" if state == "protected" else state)
        if state == "protected" or ends_withheld:
            # link ids hash their ends: a withheld end's id must not be recoverable from it
            new["id"] = withheld_id(secret, r)
            new["source"] = placeholder_of.get(r["source"], r["source"])
            new["target"] = placeholder_of.get(r["target"], r["target"])
        if state in ("mixed", "protected"):
            recs = link_prov[r["id"]]
            new.update(prov=provenance.dumps(recs), **provenance.summarise(recs))
        else:
            new.update({c: r.get(c) for c in _SUMMARY if c in r})
        out_links.append(new)

    for r in nodes.to_dict("records"):
        if node_state[r["id"]] == "protected":
            why = "named entity" if r["id"] in named else "identifier of a named entity"
            hold(r, "entity", why if r["id"] in named_or_held else "protected source")
    for r in links.to_dict("records"):
        if link_state[r["id"]] == "protected":
            only_protected = all(rules.protects(x) for x in Subgraph.provenance(r.get("prov")))
            hold(r, "link", "protected source" if only_protected else "link to a withheld entity")
    out_nodes = _renumber_entities(out_nodes, secret)
    if withheld:
        out_links = _rebuild_same_as(out_nodes, out_links, sub.nodes)

    title = WITHHELD if matcher.hit(sub.title or "") else sub.title
    nd = pd.DataFrame(out_nodes, columns=list(dict.fromkeys([*nodes.columns, "prov", *provenance.SUMMARY_COLUMNS])))
    ld = pd.DataFrame(out_links, columns=list(dict.fromkeys([*links.columns, "prov", *provenance.SUMMARY_COLUMNS])))
    path = [placeholder_of.get(p, p) for p in sub.path if node_state.get(p) != "protected" or keep_protected_links]
    res = Redaction(
        subgraph=Subgraph(nd, ld, title=title, path=path),
        withheld_nodes=sum(1 for w in withheld if w["kind"] == "entity"),
        withheld_links=sum(1 for w in withheld if w["kind"] == "link"),
        placeholders=len(placeholder_of),
        references=sorted(refs),
        scrubbed_values=scrubbed,
        protected_strings=sorted(strings),
        withheld=withheld,
        tlp=level,
    )
    return res
