"""Intelligence packages between agencies: export a sanitised selection, import a partner's package.

    export_package(store, "to_tpa.zip", around="Abdallah Said Mwinyi", tlp="AMBER", handling="C",
                   redact_rules=["source_type=informant"], recipient="TPA") -> PackageInfo
    import_package(store, "from_kws.zip", agency="KWS", report=True) -> ImportSummary

A package is a zip: graph/nodes.jsonl and graph/links.jsonl (every property, provenance and grading),
graph/FORMAT.md and graph/schema.json (the format, documented), graph/domain-schema.yaml (the entity and link
types), chart.html and workbook.xlsx (with the TLP banner), manifest.json (sha256 of every file) and signature.json
(the sender agency's Ed25519 signature of the manifest).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import warnings
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from linkgraph import grading, provenance
from linkgraph import handling as handling_codes
from linkgraph.errors import LinkgraphError
from linkgraph.resolve.view import as_records
from linkgraph.resources import package_version
from linkgraph.schema import load_schema
from linkgraph.sharing import signing
from linkgraph.sharing.manifest import (
    FORMAT,
    MANIFEST,
    SIGNATURE,
    build_manifest,
    manifest_bytes,
    read_jsonl,
    sha256_file,
    verify_package,
    write_zip,
)
from linkgraph.sharing.redact import Redaction, parse_rules, redact, store_secret
from linkgraph.store import audit
from linkgraph.store.system import record_batch
from linkgraph.subgraph import Subgraph

NODES, LINKS = "graph/nodes.jsonl", "graph/links.jsonl"
WITHHELD_REPORT = "report/withheld.csv"
GRADING = ["reliability", "credibility", "handling", "first_seen", "last_seen"]
SPEC_NAME = "linkgraph-package"
PARTNER_SOURCE_TYPE = "partner agency"

FORMAT_MD = """# linkgraph intelligence package, format {format}

Open, line-oriented JSON: read it with any JSON library, `jq`, or pandas (`pd.read_json(path, lines=True)`).

| file | what |
|---|---|
| `signature.json` | the sending agency, its key fingerprint and its Ed25519 signature of `manifest.json` |
| `manifest.json` | creator, created (UTC), recipient, TLP 2.0 level, handling code, linkgraph version, counts, redaction summary, and the sha256 and size of every other file |
| `graph/nodes.jsonl` | one entity per line, sorted by `id` |
| `graph/links.jsonl` | one link per line, sorted by `id` |
| `graph/schema.json` | JSON Schema (draft 2020-12) of one line of each `.jsonl` file |
| `graph/domain-schema.yaml` | the entity and link types, their identity keys and typed properties |
| `chart.html` | the self-contained interactive chart (opens offline in a browser) |
| `workbook.xlsx` | the same items as spreadsheet sheets (README, Entities, Links, Sources) |
| `report/withheld.csv` | what the sender withheld: `id` (`Type:W-<hash>`, never the item's own id), `type`, `kind` (entity or link), `reason` |

## An entity line (`graph/nodes.jsonl`)

```json
{{"id": "Phone:+447700900123", "type": "Phone", "caption": "+447700900123",
 "properties": {{"number": "+447700900123", "country": "GB", "valid": true}},
 "grading": {{"reliability": "A", "credibility": 1, "handling": "TLP:AMBER", "first_seen": "2024-01-03", "last_seen": "2024-09-30"}},
 "provenance": [{{"source": "calls.csv", "sha256": "...", "sheet": null, "rows": "2-40,57", "batch": "b-...",
                 "observed": "2024-01-03", "observed_last": "2024-09-30", "reliability": "A", "credibility": 1,
                 "handling": "TLP:AMBER", "source_type": "technical", "agency": "KWS", "imported": "..."}}]}}
```

- `id`: the entity's identity in the sender's store. Single-key global types read "Type:value"
  (`Phone:+44...`); other types a hash of their identity keys (see `graph/domain-schema.yaml`). Persons and
  organisations are identified per source document: two ids may be one real person (the receiver's entity
  resolution decides).
- `properties`: the type's properties that have a value (strings, numbers, booleans, lists of strings). Dates
  are ISO 8601 strings, partial dates kept partial ("2023-04").
- `grading`: Admiralty reliability A-F and credibility 1-6 of the best-graded observation, the most
  restrictive handling code, the first and last dates observed.
- `provenance`: one record per source file, sheet and grading, with the spreadsheet rows as ranges.

## A link line (`graph/links.jsonl`)

The same fields plus `source` and `target` (entity ids, both present in `nodes.jsonl`) and `source_type`,
`target_type` (their entity types).

## Sanitised items

A record from a protected source (an informant, an undercover officer, ...) reads
`{{"source": "SRC-7F3A9C21", "source_type": "protected source", "reliability": "C", "credibility": 3,
"handling": "TLP:AMBER"}}`: the reference number is stable for that source in every package from the same
sender, and only the sender can resolve it. Items only a protected source reported are not in the package,
or (when the sender kept protected links) appear as placeholders `Type:W-<hash>` captioned "Withheld (SRC-...)"
with no properties. Text values that would identify a protected source read `[withheld]`.
`entity_id` groups the records the sender resolved to one entity; its values are the sender's own numbering for
this package's records. Items handled above the package's TLP level are not in the package unless the sender
included them, and then `manifest.json`'s `tlp` is the most restrictive level included.

## Integrity

`manifest.json` lists the sha256 of every other file. `linkgraph package import` refuses a package in which
any file differs from its hash, a listed file is missing or an unlisted file is present. `signature.json`
(when the sender has an agency key) holds the sender's agency name, key fingerprint (sha256 of the raw public
key) and an Ed25519 signature of `manifest.json`'s exact bytes; the receiver refuses a package whose signature
does not verify against a key it has trusted (`linkgraph agency trust`).
"""


def _json_schema() -> dict:
    prov = {
        "type": "object",
        "additionalProperties": True,
        "properties": {
            "source": {"type": "string"},
            "sha256": {"type": ["string", "null"]},
            "sheet": {"type": ["string", "null"]},
            "rows": {"type": ["string", "null"]},
            "batch": {"type": ["string", "null"]},
            "observed": {"type": ["string", "null"]},
            "observed_last": {"type": ["string", "null"]},
            "reliability": {"enum": [*grading.RELIABILITY, None]},
            "credibility": {
                "type": ["integer", "null"],
                "minimum": min(grading.CREDIBILITY),
                "maximum": max(grading.CREDIBILITY),
            },
            "handling": {"type": ["string", "null"]},
            "source_type": {"type": ["string", "null"]},
            "agency": {"type": ["string", "null"]},
            "imported": {"type": ["string", "null"]},
        },
    }
    value = {"type": ["string", "number", "boolean", "array", "null"], "items": {"type": "string"}}
    grade_cols = {
        "type": "object",
        "properties": {
            "reliability": {"enum": [*grading.RELIABILITY, None]},
            "credibility": {
                "type": ["integer", "null"],
                "minimum": min(grading.CREDIBILITY),
                "maximum": max(grading.CREDIBILITY),
            },
            "handling": {"type": ["string", "null"]},
            "first_seen": {"type": ["string", "null"]},
            "last_seen": {"type": ["string", "null"]},
        },
    }
    schema = load_schema()
    node = {
        "type": "object",
        "required": ["id", "type", "caption", "properties", "grading", "provenance"],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string", "minLength": 1},
            "type": {"enum": sorted(schema.entities)},
            "caption": {"type": ["string", "null"]},
            "properties": {"type": "object", "additionalProperties": value},
            "grading": grade_cols,
            "provenance": {"type": "array", "items": prov},
        },
    }
    link = json.loads(json.dumps(node))
    link["required"] = [
        "id",
        "type",
        "source",
        "target",
        "source_type",
        "target_type",
        "properties",
        "grading",
        "provenance",
    ]
    del link["properties"]["caption"]
    link["properties"]["type"] = {"enum": sorted(schema.links)}
    for k in ("source", "target"):
        link["properties"][k] = {"type": "string", "minLength": 1}
    for k in ("source_type", "target_type"):
        link["properties"][k] = {"enum": sorted(schema.entities)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://linkgraph.invalid/schema/package-1.json",
        "title": f"{FORMAT} graph lines",
        "$defs": {"node": node, "link": link},
        "oneOf": [{"$ref": "#/$defs/node"}, {"$ref": "#/$defs/link"}],
    }


@dataclass
class PackageInfo:
    """What export_package wrote."""

    path: Path
    sha256: str
    manifest: dict
    nodes: int
    links: int
    withheld_nodes: int = 0
    withheld_links: int = 0
    references: list[str] = field(default_factory=list)
    tlp: str | None = None  # the level the package is marked with
    withheld: list[dict] = field(default_factory=list)  # the store's ids: for the sender, never in the package
    signer: signing.Key | None = None  # None: this agency has no key (linkgraph agency init), the package is unsigned


def _clean(v):
    from linkgraph.render.base import clean

    return clean(v)


def _rows(df: pd.DataFrame, kind: str, types: dict[str, str]) -> list[dict]:
    schema = load_schema()
    out = []
    for r in df.to_dict("records"):
        t = r["type"]
        declared = (
            (schema.entities[t].properties if kind == "node" else schema.links[t].properties)
            if (t in schema.entities if kind == "node" else t in schema.links)
            else {}
        )
        props = {}
        for k in sorted(declared):
            v = _clean(r.get(k))
            if v is not None and v != []:
                props[k] = v
        row = {"id": r["id"], "type": t}
        if kind == "node":
            row["caption"] = _clean(r.get("caption"))
        else:
            row.update(
                source=r["source"],
                target=r["target"],
                source_type=types.get(r["source"]),
                target_type=types.get(r["target"]),
            )
        grade_cols = {k: _clean(r.get(k)) for k in GRADING}
        if grade_cols["credibility"] is not None:
            grade_cols["credibility"] = int(grade_cols["credibility"])
        row.update(properties=props, grading=grade_cols, provenance=Subgraph.provenance(r.get("prov")))
        out.append(row)
    return sorted(out, key=lambda x: x["id"])


def _withheld_csv(rows: list[dict]) -> bytes:
    """What was withheld, one item a line: its withheld id (never the store's id, which may be an identifier),
    type, entity or link, and why. No withheld value is written."""
    import csv
    import io

    from linkgraph.safe import neutralise

    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["id", "type", "kind", "reason"])
    for r in sorted(rows, key=lambda r: (r["kind"], r["type"], r["withheld_id"])):
        w.writerow([neutralise(str(r[k])) for k in ("withheld_id", "type", "kind", "reason")])
    return buf.getvalue().encode("utf-8")


def _jsonl(rows: list[dict]) -> bytes:
    return "".join(
        json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n" for r in rows
    ).encode("utf-8")


def _leak_check(files: dict[str, bytes], red: Redaction, template: bytes = b"") -> None:
    """Defence in depth: no protected string may be in any file (xlsx parts unzipped), in any escaping."""
    import html
    import io
    import zipfile

    needles = set()
    for s in red.protected_strings:
        if len(s) < 8:
            continue  # short strings also occur in the chart's script library; the redaction itself handles them
        for form in (s, json.dumps(s, ensure_ascii=False)[1:-1], json.dumps(s)[1:-1], html.escape(s)):
            needles.add(form.casefold().encode("utf-8"))
    if not needles:
        return
    fixed = template.decode("utf-8", "replace").casefold().encode("utf-8")
    # the map's basemap (Natural Earth country names: "Mozambique") is vendored text, not data: cut it out of
    # the chart before looking, exactly as the page serialises it, so a protected value elsewhere still counts
    from linkgraph.render.html import script_json, world

    basemap = script_json(world()).casefold().encode("utf-8")
    for name, data in files.items():
        if name.startswith("graph/") and not name.endswith(".jsonl"):
            continue  # fixed documentation text, not data
        parts = [(name, data)]
        if name.endswith(".xlsx"):
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                parts = [(f"{name}:{i}", z.read(i)) for i in z.namelist()]
        for where, blob in parts:
            low = blob.decode("utf-8", "replace").casefold().encode("utf-8")
            if name == "chart.html":
                low = low.replace(basemap, b"")
            # the chart's own script and styles (as drawn for no data) are not data
            if any(n in low for n in needles if not (name == "chart.html" and n in fixed)):
                raise LinkgraphError(
                    f"export stopped: {where} would still hold a protected value (report this; nothing was written)"
                )


def export_package(
    store,
    out_zip,
    *,
    around: str | None = None,
    hops: int = 2,
    query: str | None = None,
    params: dict | None = None,
    title: str | None = None,
    tlp: str,
    handling: str | None = None,
    redact_rules=None,
    recipient: str | None = None,
    creator: str | None = None,
    keep_protected_links: bool = False,
    include_restricted: bool = False,
    queries=None,
    home=None,
) -> PackageInfo:
    """Write a sanitised selection (around/hops, a library query, or everything) as a package zip for `recipient`.

    Items handled above `tlp` are withheld (listed in report/withheld.csv); `include_restricted` keeps them and
    marks the package with the most restrictive level it then holds. The package is signed with this agency's
    key (signing.key_home(home)) when it has one.
    """
    from linkgraph.render import ChartTooLarge, write
    from linkgraph.selection import select

    if tlp is None or not str(tlp).strip():
        raise LinkgraphError("a package needs a TLP marking (--tlp CLEAR|GREEN|AMBER|AMBER+STRICT|RED)")
    level = handling_codes.tlp(tlp)
    try:
        code = handling_codes.normalise(handling)
    except handling_codes.HandlingError as e:
        raise LinkgraphError(f"--handling: {e}") from None
    rules = parse_rules(redact_rules)
    sub = select(store, around=around, hops=hops, query=query, params=params, queries=queries, title=title)
    # a package carries records, as each source gave them: the recipient resolves them itself, and a
    # protected source's record is withheld without touching what open sources said about the same man
    sub = as_records(store, sub)
    records = None
    if rules.entities:
        from linkgraph.resolve.graph import records as resolution_records

        records = resolution_records(store)
    red = redact(
        sub,
        rules,
        store_secret(store),
        keep_protected_links=keep_protected_links,
        tlp=level,
        include_restricted=include_restricted,
        records=records,
    )
    level = red.tlp
    s = red.subgraph
    types = dict(zip(s.nodes["id"], s.nodes["type"]))
    nodes, links = _rows(s.nodes, "node", types), _rows(s.links, "link", types)
    created = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    files: dict[str, bytes] = {
        NODES: _jsonl(nodes),
        LINKS: _jsonl(links),
        "graph/FORMAT.md": FORMAT_MD.format(format=FORMAT).encode("utf-8"),
        "graph/schema.json": (json.dumps(_json_schema(), indent=1, sort_keys=True) + "\n").encode("utf-8"),
        "graph/domain-schema.yaml": (Path(__file__).parent.parent / "schema.yaml").read_bytes(),
        WITHHELD_REPORT: _withheld_csv(red.withheld),
    }
    chart_note = "chart.html"
    with tempfile.TemporaryDirectory() as tmp, warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the manifest records the data's own handling codes instead
        opts = dict(title=s.title, tlp=level, handling=code, created=created)
        try:
            files["chart.html"] = write(s, "html", Path(tmp) / "chart.html", **opts).read_bytes()
        except ChartTooLarge as e:
            chart_note = f"omitted: {e}"
        files["workbook.xlsx"] = write(s, "xlsx", Path(tmp) / "workbook.xlsx", **opts).read_bytes()
        empty = Subgraph(
            pd.DataFrame(columns=["id", "type", "caption"]),
            pd.DataFrame(columns=["id", "type", "source", "target"]),
            title="",
        )
        template = write(empty, "html", Path(tmp) / "empty.html", tlp=level, created=created).read_bytes()
    _leak_check(files, red, template)
    codes = {c for df in (s.nodes, s.links) if "handling" in df.columns for c in df["handling"].dropna()}
    meta = {
        "title": s.title,
        "creator": creator or audit.current_user(),
        "created": created,
        "recipient": recipient,
        "tlp": f"TLP:{level}",
        "handling": code,
        "linkgraph_version": package_version(),
        "data_handling": handling_codes.most_restrictive(codes),
        "counts": {
            "nodes": len(nodes),
            "links": len(links),
            "nodes_by_type": dict(sorted(pd.Series([n["type"] for n in nodes], dtype=object).value_counts().items())),
            "links_by_type": dict(sorted(pd.Series([x["type"] for x in links], dtype=object).value_counts().items())),
        },
        "redaction": {
            "rules": rules.describe(),
            "keep_protected_links": bool(keep_protected_links),
            "include_restricted": bool(include_restricted),
            **red.summary(),
        },
        "chart": chart_note,
    }
    manifest = build_manifest(files, meta)
    signature = signing.sign(manifest_bytes(manifest), home)
    path = write_zip(out_zip, files, manifest, signature)
    sha = sha256_file(path)
    signer = signing.own_key(home) if signature else None
    audit.record(
        store,
        "package export",
        f"{path.name} for {recipient or 'unnamed recipient'}, TLP:{level}"
        f"{' handling ' + code if code else ''}, {len(nodes)} entities, {len(links)} links, "
        f"{red.withheld_nodes} entities and {red.withheld_links} links withheld, "
        + (f"signed by {signer.agency} ({signer.fingerprint})" if signer else "unsigned"),
        sha256=sha,
    )
    return PackageInfo(
        path=path,
        sha256=sha,
        manifest=manifest,
        nodes=len(nodes),
        links=len(links),
        withheld_nodes=red.withheld_nodes,
        withheld_links=red.withheld_links,
        references=red.references,
        tlp=f"TLP:{level}",
        withheld=red.withheld,
        signer=signer,
    )


# ------------------------------------------------------------------------------------------------- import
@dataclass
class ImportSummary:
    """What import_package did: counts, the batch, and the deconfliction report."""

    package: str
    sha256: str
    batch: str
    agency: str
    status: str  # imported | already imported
    nodes: int
    links: int
    created: dict = field(default_factory=dict)
    updated: dict = field(default_factory=dict)
    manifest: dict = field(default_factory=dict)
    deconfliction: pd.DataFrame = field(default_factory=pd.DataFrame)
    report_path: Path | None = None
    signer: signing.Key | None = None  # the trusted agency that signed it
    unsigned: str | None = None  # why it was imported without a trusted signature (allow_unsigned)


def package_batch_id(sha256: str) -> str:
    """The import batch of a package: the same package always gives the same batch."""
    return "p-" + hashlib.sha256(f"{SPEC_NAME}\x1f{sha256}".encode()).hexdigest()[:20]


def _observations(rows: list[dict], kind: str, ctx: dict) -> dict[str, pd.DataFrame]:
    schema = load_schema()
    name = NODES if kind == "node" else LINKS
    known = schema.entities if kind == "node" else schema.links
    by_type: dict[str, list[dict]] = {}
    for r in rows:
        where = f"{name}, line {r['_line']}"
        t, i = r.get("type"), r.get("id")
        if t not in known:
            raise LinkgraphError(f"{where}: unknown {'entity' if kind == 'node' else 'link'} type {t!r}")
        if not isinstance(i, str) or not i.strip():
            raise LinkgraphError(f"{where}: no id")
        declared = known[t].properties
        props = r.get("properties") or {}
        if not isinstance(props, dict):
            raise LinkgraphError(f"{where}: properties is not an object")
        bad = sorted(set(props) - set(declared))
        if bad:
            raise LinkgraphError(f"{where}: {t} has no property {bad[0]!r} in this linkgraph's schema")
        base = {"id": i, **props}
        if kind == "node":
            base["caption"] = r.get("caption")
        else:
            for k in ("source", "target", "source_type", "target_type"):
                if not isinstance(r.get(k), str) or not r[k]:
                    raise LinkgraphError(f"{where}: no {k}")
            base.update({k: r[k] for k in ("source", "target", "source_type", "target_type")})
        grade_cols = r.get("grading") or {}
        recs = r.get("provenance") or [{}]
        for rec in recs:
            if not isinstance(rec, dict):
                raise LinkgraphError(f"{where}: a provenance record is not an object")
            rel, cred = rec.get("reliability"), rec.get("credibility")
            try:
                grading.parse(f"{rel}{cred}" if rel and cred else None)
            except LinkgraphError:
                raise LinkgraphError(f"{where}: grade {rel}{cred} is not an Admiralty grade") from None
            observed = rec.get("observed") or grade_cols.get("first_seen")
            their = " / ".join(str(x) for x in (rec.get("source"), rec.get("sheet")) if x)
            by_type.setdefault(t, []).append(
                {
                    **base,
                    "_batch": ctx["batch"],
                    "_source": ctx["source"],
                    "_sha256": ctx["sha256"],
                    "_sheet": their or None,
                    "_row": r["_line"],
                    "_observed": str(observed)[:10] if observed else None,
                    "_reliability": rel if rel and cred else None,
                    "_credibility": int(cred) if rel and cred else None,
                    "_handling": _handling_of(where, i, rec, grade_cols, ctx),
                    "_source_type": rec.get("source_type") or PARTNER_SOURCE_TYPE,
                    "_agency": ctx["agency"],
                    "_imported": ctx["imported"],
                }
            )
    return {t: pd.DataFrame(v) for t, v in sorted(by_type.items())}


def _handling_of(where: str, item: str, rec: dict, grade_cols: dict, ctx: dict) -> str | None:
    """An observation's handling: the most restrictive of its record's, the item's and the package's codes (so a
    package can raise an item's handling, never lower it). An unknown code refuses the package."""
    for what, code in (("provenance handling", rec.get("handling")), ("grading handling", grade_cols.get("handling"))):
        try:
            handling_codes.normalise(code)
        except handling_codes.HandlingError as e:
            raise LinkgraphError(f"package refused: {where}, item {str(item)[:80]!r}: {what}: {e}") from None
    return handling_codes.most_restrictive(
        [rec.get("handling"), grade_cols.get("handling"), ctx["tlp"], ctx["handling"]]
    )


def _manifest_handling(manifest: dict) -> tuple[str | None, str | None]:
    """The package's TLP marking and handling code, normalised; an unknown one refuses the package."""
    out = []
    for key in ("tlp", "handling"):
        try:
            out.append(handling_codes.normalise(manifest.get(key)))
        except handling_codes.HandlingError as e:
            raise LinkgraphError(f"package refused: manifest.json: {key}: {e}") from None
    return out[0], out[1]


def import_package(
    store,
    pkg_zip,
    agency: str | None = None,
    *,
    report: bool | str | Path = False,
    deconflict: bool = True,
    allow_unsigned: bool = False,
    home=None,
) -> ImportSummary:
    """Verify a partner's package, import its entities and links as from its signer, and deconflict them.

    A package not signed by a key this agency trusts (signing.trust) is refused, importing nothing, unless
    `allow_unsigned`. Every observation names the signer's agency; `agency`, if given, must be that agency, and
    names the sender only of a package imported unsigned. Importing the same package again changes nothing.
    `report`: True writes `<package>.deconfliction.xlsx` beside the package, a path writes there.
    """
    agency = str(agency).strip() if agency is not None and str(agency).strip() else None
    pkg = Path(pkg_zip)
    with audit.refusals(store, "package import", f"{pkg.name} from {agency or 'its signer'}"):
        return _import_package(store, pkg, agency, report, deconflict, allow_unsigned, home)


def _signer(pkg: Path, files: dict[str, bytes], agency: str | None, allow_unsigned: bool, home):
    """(trusted signer or None, why it is unsigned or None, the agency the observations name)."""
    try:
        key = signing.check(pkg.name, files[MANIFEST], files.get(SIGNATURE), home)
    except signing.Unverified as e:  # a forged or malformed signature is refused even so
        if not allow_unsigned:
            raise
        if agency is None:
            raise LinkgraphError(f"{pkg.name}: refused, {e.reason}: name the agency it comes from (--agency)") from None
        return None, e.reason, agency
    if agency is not None and agency.casefold() != key.agency.casefold():
        raise LinkgraphError(
            f"{pkg.name}: refused, signed by {key.agency} ({key.short}), not {agency} "
            "(leave out --agency to import it as from its signer)"
        )
    return key, None, key.agency


def _import_package(
    store, pkg: Path, agency: str | None, report, deconflict: bool, allow_unsigned, home
) -> ImportSummary:
    manifest, files = verify_package(pkg, keep={NODES, LINKS})
    signer, unsigned, agency = _signer(pkg, files, agency, allow_unsigned, home)
    sha = sha256_file(pkg)
    batch = package_batch_id(sha)
    nodes = read_jsonl(files.get(NODES, b""), NODES)
    links = read_jsonl(files.get(LINKS, b""), LINKS)
    ids = {n.get("id") for n in nodes}
    for x in links:
        for end in ("source", "target"):
            if x.get(end) not in ids:
                raise LinkgraphError(f"{LINKS}, line {x['_line']}: {end} {x.get(end)!r} is not in {NODES}")
    from linkgraph.importing.engine import now_iso

    tlp, code = _manifest_handling(manifest)
    ctx = {
        "batch": batch,
        "source": pkg.name,
        "sha256": sha,
        "agency": agency,
        "imported": now_iso(),
        "tlp": tlp,
        "handling": code,
    }
    node_obs = _observations(nodes, "node", ctx)
    link_obs = _observations(links, "link", ctx)
    done = store.query("MATCH (b:LgBatch) WHERE b.id = $id AND b.status = 'imported' RETURN b.id AS id", {"id": batch})
    summary = ImportSummary(
        package=pkg.name,
        sha256=sha,
        batch=batch,
        agency=agency,
        status="already imported" if len(done) else "imported",
        nodes=len(nodes),
        links=len(links),
        manifest=manifest,
        signer=signer,
        unsigned=unsigned,
    )
    signed_by = {"agency": signer.agency, "fingerprint": signer.fingerprint} if signer else {"unsigned": unsigned}
    if not len(done):

        def unit():
            st = store.write(node_obs, link_obs)
            for k, v in store.flush().updated.items():  # items already stored: updated once, see atomic_batches
                st.add("updated", k, v)
            info = {
                "created": st.created,
                "updated": st.updated,
                "format": manifest.get("format"),
                "creator": manifest.get("creator"),
                "created_by_sender": manifest.get("created"),
                "recipient": manifest.get("recipient"),
                "redaction": manifest.get("redaction"),
                "signer": signed_by,
            }
            record_batch(
                store,
                batch,
                source=pkg.name,
                sha256=sha,
                spec=SPEC_NAME,
                sheet=None,
                agency=agency,
                grade=None,
                handling=handling_codes.most_restrictive([tlp, code]),
                imported=ctx["imported"],
                rows=len(nodes) + len(links),
                status="imported",
                summary=info,
            )
            return st

        # The same machinery as file imports: the batch is marked `importing` before its first write and
        # `imported` by its last, so a run that dies half-way (even kill -9) leaves a batch that the next open
        # of the store, or the next import of this package, removes whole.
        store.recover_batches([batch])
        st = store.atomic_batches([batch], unit)
        summary.created, summary.updated = dict(st.created), dict(st.updated)
    if deconflict:
        summary.deconfliction = deconfliction_report(store, nodes, links, batch)
        if report:
            out = Path(report) if not isinstance(report, bool) else pkg.with_name(pkg.stem + ".deconfliction.xlsx")
            summary.report_path = write_report(summary.deconfliction, out, manifest, agency)
    matched = summary.deconfliction["their_id"].nunique() if len(summary.deconfliction) else 0
    audit.record(
        store,
        "package import",
        f"{pkg.name} from {agency} ({summary.status}): {len(nodes)} entities, {len(links)} links, batch "
        f"{batch}; {matched} of their entities match ours; "
        + (f"signed by {signer.agency} ({signer.fingerprint})" if signer else f"imported unsigned: {unsigned}"),
        sha256=sha,
    )
    return summary


# ----------------------------------------------------------------------------------------- deconfliction
REPORT_COLUMNS = [
    "their_id",
    "their_type",
    "their_caption",
    "match",
    "probability",
    "reason",
    "our_id",
    "our_type",
    "our_caption",
    "our_cases",
    "our_sources",
]


def _ours(store, type_name: str, batch: str, ids: list[str] | None = None) -> pd.DataFrame:
    """Our nodes of a type (those some batch other than the package's contributed), with their provenance."""
    et = load_schema().entities[type_name]
    cols = [c for c in ("name", "birth_date", "nationality", "country", "registration_number") if c in et.properties]
    ret = ", ".join(
        [
            "n.id AS id",
            "n.caption AS caption",
            "n.prov AS prov",
            "n.batches AS batches",
            *(f"n.{c} AS {c}" for c in cols),
        ]
    )
    where = "WHERE n.id IN $ids " if ids is not None else ""
    df = store.query(f"MATCH (n:{type_name}) {where}RETURN {ret}", {"ids": ids} if ids is not None else {})
    if not len(df):
        return df
    df = store.fill_provenance(df, "node")
    keep = [any(b != batch for b in (v if v is not None else [])) for v in df["batches"]]
    return df[keep].reset_index(drop=True)


def _neighbours(store, type_name: str, ids: list[str], link: str, other: str, prop: str) -> dict[str, list]:
    if not ids:
        return {}
    df = store.query(
        f"MATCH (n:{type_name})-[:{link}]->(m:{other}) WHERE n.id IN $ids RETURN n.id AS id, m.{prop} AS v",
        {"ids": ids},
    )
    out: dict[str, list] = {}
    for r in df.itertuples(index=False):
        if r.v:
            out.setdefault(r.id, []).append(r.v)
    return {k: sorted(set(v)) for k, v in out.items()}


HOLDS = ("HAS_PHONE", "HAS_ID", "HAS_EMAIL", "HAS_ACCOUNT", "USES_VEHICLE", "HAS_ADDRESS")


def _cases(store, ids: list[str]) -> dict[str, str]:
    """Seizure references linked to each entity: directly (party to, seized from), or through the person or
    organisation holding the phone, passport, vehicle, ..."""
    out: dict[str, set] = {}
    if not ids:
        return {}
    patterns = ["(n)-[]-(s:Seizure)", *(f"(n)<-[:{t}]-()-[:PARTY_TO]->(s:Seizure)" for t in HOLDS)]
    for pattern in patterns:
        df = store.query(
            f"MATCH {pattern} WHERE n.id IN $ids RETURN DISTINCT n.id AS id, s.reference AS ref", {"ids": ids}
        )
        for r in df.itertuples(index=False):
            if r.ref:
                out.setdefault(r.id, set()).add(r.ref)
    return {k: ", ".join(sorted(v)) for k, v in out.items()}


def _sources(prov, batch: str) -> str:
    recs = [r for r in provenance.loads(prov) if r.get("batch") != batch]
    return "; ".join(sorted({f"{r.get('source')} ({r.get('batch')})" for r in recs if r.get("source")}))


def deconfliction_report(store, nodes: list[dict], links: list[dict], batch: str) -> pd.DataFrame:
    """Which of a package's entities match ours: the same identifier (phone, passport, vessel, ...) already in
    our store, or a person/organisation the resolution engine links to one of ours; with our cases and sources."""
    schema = load_schema()
    rows: list[dict] = []
    by_type: dict[str, list[dict]] = {}
    for n in nodes:
        by_type.setdefault(n["type"], []).append(n)
    ours_by_id: dict[str, dict] = {}
    # 1. same identity: global types are keyed by their identifier, so the same id is the same thing
    for t, items in sorted(by_type.items()):
        if schema.entities[t].scope != "global" or t in ("Location", "Species", "Document"):
            continue  # countries and species are shared context, not targets
        ours = _ours(store, t, batch, [n["id"] for n in items])
        for r in ours.to_dict("records"):
            ours_by_id[r["id"]] = {**r, "type": t}
            rows.append(
                {
                    "their_id": r["id"],
                    "their_type": t,
                    "their_caption": r["caption"],
                    "match": "same identifier",
                    "probability": 1.0,
                    "reason": f"the same {t.lower()}",
                    "our_id": r["id"],
                    "our_type": t,
                    "our_caption": r["caption"],
                }
            )
    # 2. persons and organisations: entity resolution between their records and ours
    records = []
    their_ids = set()
    phones_of: dict[str, list] = {}
    pass_of: dict[str, list] = {}
    node_by_id = {n["id"]: n for n in nodes}
    for x in links:
        tgt = node_by_id.get(x["target"], {})
        if x["type"] == "HAS_PHONE" and tgt.get("properties", {}).get("number"):
            phones_of.setdefault(x["source"], []).append(tgt["properties"]["number"])
        if x["type"] == "HAS_ID" and tgt.get("properties", {}).get("number"):
            pass_of.setdefault(x["source"], []).append(tgt["properties"]["number"])
    for t, kind in (("Person", "person"), ("Organization", "organisation")):
        for n in by_type.get(t, []):
            p = n.get("properties") or {}
            if not p.get("name"):
                continue  # a withheld placeholder
            their_ids.add(n["id"])
            records.append(
                {
                    "record_id": "theirs\x1f" + n["id"],
                    "kind": kind,
                    "source": "theirs",
                    "name": p.get("name"),
                    "birth_date": p.get("birth_date"),
                    "nationality": p.get("nationality") or p.get("country"),
                    "phones": phones_of.get(n["id"], []),
                    "passports": pass_of.get(n["id"], []),
                    "id_numbers": [p["registration_number"]] if p.get("registration_number") else [],
                }
            )
        ours = _ours(store, t, batch)
        if not len(ours) or not records:
            continue
        oids = ours["id"].tolist()
        phones = _neighbours(store, t, oids, "HAS_PHONE", "Phone", "number")
        passes = _neighbours(store, t, oids, "HAS_ID", "Identification", "number") if t == "Person" else {}
        for r in ours.to_dict("records"):
            ours_by_id[r["id"]] = {**r, "type": t}
            records.append(
                {
                    "record_id": "ours\x1f" + r["id"],
                    "kind": kind,
                    "source": "ours",
                    "name": r.get("name") or r.get("caption"),
                    "birth_date": r.get("birth_date"),
                    "nationality": r.get("nationality") or r.get("country"),
                    "phones": phones.get(r["id"], []),
                    "passports": passes.get(r["id"], []),
                    "id_numbers": [r["registration_number"]] if r.get("registration_number") else [],
                }
            )
    if records and any(r["source"] == "ours" for r in records) and their_ids:
        from linkgraph.resolve import resolve

        res = resolve(pd.DataFrame(records), settings={"link_type": "link_only"})
        pairs = res.pairs
        if len(pairs):
            a, b = pairs["record_a"], pairs["record_b"]
            cross = a.str.startswith("theirs\x1f") != b.str.startswith("theirs\x1f")
            good = cross & (pairs["same_entity"] | pairs["outcome"].isin(["merge", "review"]))
            for p in pairs[good].to_dict("records"):
                their, our = (
                    (p["record_a"], p["record_b"])
                    if p["record_a"].startswith("theirs")
                    else (p["record_b"], p["record_a"])
                )
                tid, oid = their.split("\x1f", 1)[1], our.split("\x1f", 1)[1]
                if tid == oid:
                    continue  # the same source record both sides: reported as the same identity below
                n = node_by_id[tid]
                rows.append(
                    {
                        "their_id": tid,
                        "their_type": n["type"],
                        "their_caption": n.get("caption"),
                        "match": "same entity" if p["same_entity"] else "possible (review)",
                        "probability": round(float(p["match_probability"]), 4),
                        "reason": p.get("reason"),
                        "our_id": oid,
                        "our_type": ours_by_id[oid]["type"],
                        "our_caption": ours_by_id[oid]["caption"],
                    }
                )
        for tid in sorted(their_ids & set(ours_by_id)):
            n = node_by_id[tid]
            rows.append(
                {
                    "their_id": tid,
                    "their_type": n["type"],
                    "their_caption": n.get("caption"),
                    "match": "same record",
                    "probability": 1.0,
                    "reason": "the same source record",
                    "our_id": tid,
                    "our_type": n["type"],
                    "our_caption": ours_by_id[tid]["caption"],
                }
            )
    if not rows:
        return pd.DataFrame(columns=REPORT_COLUMNS)
    df = pd.DataFrame(rows).drop_duplicates(["their_id", "our_id"])
    cases = _cases(store, sorted(set(df["our_id"])))
    df["our_cases"] = df["our_id"].map(lambda i: cases.get(i, ""))
    df["our_sources"] = df["our_id"].map(lambda i: _sources(ours_by_id[i].get("prov"), batch))
    order = {"same identifier": 0, "same record": 0, "same entity": 1, "possible (review)": 2}
    df = df.assign(_o=df["match"].map(order)).sort_values(["_o", "their_type", "their_caption", "their_id", "our_id"])
    return df[REPORT_COLUMNS].reset_index(drop=True)


def write_report(df: pd.DataFrame, path: str | Path, manifest: dict, agency: str) -> Path:
    """The deconfliction report as a workbook (README and Matches sheets; cells neutralised)."""
    import xlsxwriter

    from linkgraph.safe import neutralise

    path = Path(path)
    wb = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )
    bold = wb.add_format({"bold": True})
    ws = wb.add_worksheet("README")
    about = [
        ("Deconfliction report", ""),
        ("Package", manifest.get("title") or ""),
        ("From agency", agency),
        ("Package TLP", manifest.get("tlp") or ""),
        ("Handling", manifest.get("handling") or ""),
        ("Sender's creator", manifest.get("creator") or ""),
        ("Package created", manifest.get("created") or ""),
        ("Matches", str(len(df))),
        (
            "Columns",
            "their entity, how it matches (same identifier / same record / same entity / possible), "
            "our entity, our seizure cases linked to it (up to two steps), our sources (file, batch)",
        ),
    ]
    for i, (k, v) in enumerate(about):
        ws.write_string(i, 0, neutralise(k), bold)
        ws.write_string(i, 1, neutralise(str(v)))
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 90)
    ws = wb.add_worksheet("Matches")
    for j, c in enumerate(REPORT_COLUMNS):
        ws.write_string(0, j, c, bold)
    for i, r in enumerate(df.itertuples(index=False), start=1):
        for j, v in enumerate(r):
            if isinstance(v, float) and not pd.isna(v):
                ws.write_number(i, j, v)
            elif v is not None and not (isinstance(v, float) and pd.isna(v)):
                ws.write_string(i, j, neutralise(str(v)))
    ws.autofilter(0, 0, max(len(df), 1), len(REPORT_COLUMNS) - 1)
    ws.freeze_panes(1, 0)
    wb.close()
    return path
