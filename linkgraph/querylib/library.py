"""The query files: parse `.cypher` files with a metadata header, check them, load the library.

A query file starts with `//` header lines:

    // name: network
    // title: Network around an entity (Find Linked)
    // description: ...
    // param: id STRING required            -- what the value is
    // param: hops INT64 default 2
    // param: frontier STRING[] internal    -- supplied by the runner, not by the user
    // returns: id, type, caption, hops
    // engines: neo4j, embedded
    // kind: table | subgraph | path | analytic
    // runner: expand                       -- optional: a named Python step (linkgraph.querylib.runners or
    //                                         linkgraph.querylib.analytics) that drives the Cypher
    // mark: hub {rank} of {count}: {score:.2f} -- optional: how a row reads when it marks its `id` on a chart
    //                                         (linkgraph.marks; columns, rank, count and title by name)

`NAME.cypher` is the portable text; `NAME.embedded.cypher` / `NAME.neo4j.cypher` replace it for one dialect and
`NAME.gds.cypher` for a Neo4j server with Graph Data Science. Cypher is never rewritten: parameters only.
Parameter types: STRING, INT64, DOUBLE, BOOLEAN, STRING[], DATE (ISO, partial allowed: 2023, 2023-06,
2023-06-05), GRADE (Admiralty, e.g. B2; passed to Cypher as a map {unset, reliability, credibility}).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from linkgraph import grading
from linkgraph.errors import LinkgraphError
from linkgraph.querylib.registry import runner_params
from linkgraph.resources import bundled_dir

KINDS = {"table", "subgraph", "path", "analytic"}
TYPES = {"STRING", "INT64", "DOUBLE", "BOOLEAN", "STRING[]", "DATE", "GRADE"}
DIALECTS = ("embedded", "neo4j", "gds")
ENV_DIRS = "LINKGRAPH_QUERIES"

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_HEADER_RE = re.compile(r"^\s*//\s*([a-z_]+)\s*:\s*(.*?)\s*$")
_DATE_RE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Param:
    name: str
    type: str
    required: bool = False
    default: object = None
    internal: bool = False
    doc: str = ""


@dataclass
class Query:
    """One library query: header metadata plus its Cypher text per dialect."""

    name: str
    path: Path
    title: str = ""
    description: str = ""
    params: dict[str, Param] = field(default_factory=dict)
    returns: list[str] = field(default_factory=list)
    engines: list[str] = field(default_factory=lambda: ["neo4j", "embedded"])
    kind: str = "table"
    runner: str | None = None
    mark: str = ""  # template of a row's mark text (linkgraph.marks)
    texts: dict[str, str] = field(default_factory=dict)  # "" (portable) and dialect names -> Cypher

    def text(self, dialect: str, gds: bool = False) -> str:
        """The Cypher for a store's dialect: the GDS file when asked and present, else the dialect's, else portable."""
        if gds and "gds" in self.texts:
            return self.texts["gds"]
        return self.texts.get(dialect, self.texts[""])

    def has_gds(self) -> bool:
        return "gds" in self.texts

    def user_params(self) -> list[Param]:
        return [p for p in self.params.values() if not p.internal]

    def coerce(self, values: dict) -> dict:
        """Declared params from user values (strings from the CLI or Python values), defaults filled in."""
        unknown = sorted(set(values) - {p.name for p in self.user_params()})
        if unknown:
            known = ", ".join(p.name for p in self.user_params()) or "none"
            raise LinkgraphError(f"query {self.name}: unknown parameter {unknown[0]!r} (parameters: {known})")
        out = {}
        for p in self.user_params():
            if p.name in values and values[p.name] is not None:
                out[p.name] = coerce(self.name, p, values[p.name])
            elif p.required:
                raise LinkgraphError(f"query {self.name}: parameter {p.name} ({p.type}) is required")
            else:
                out[p.name] = coerce(self.name, p, p.default)
        return out


# --- parsing -------------------------------------------------------------------------------------------------
def coerce(query_name: str, p: Param, value):
    """A parameter value of the declared type (GRADE becomes the map the Cypher reads)."""
    where = f"query {query_name}: parameter {p.name} ({p.type})"
    if p.type == "GRADE":
        text = "" if value is None else str(value).strip()
        if text == "":
            return {"unset": True, "reliability": "F", "credibility": 6}
        try:
            r, c = grading.parse(text)
        except LinkgraphError:
            raise LinkgraphError(f"{where}: {text!r} is not an Admiralty grade such as B2") from None
        return {"unset": False, "reliability": r, "credibility": c}
    if p.type == "STRING[]":
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        if isinstance(value, (list, tuple, set)):
            return [str(v) for v in value]
        raise LinkgraphError(f"{where}: expected a comma-separated list, got {value!r}")
    if p.type == "INT64":
        if isinstance(value, bool):
            raise LinkgraphError(f"{where}: expected a whole number, got {value!r}")
        try:
            f = float(value)
            if f != int(f):
                raise ValueError
            return int(f)
        except (TypeError, ValueError, OverflowError):
            raise LinkgraphError(f"{where}: expected a whole number, got {value!r}") from None
    if p.type == "DOUBLE":
        try:
            return float(value)
        except (TypeError, ValueError):
            raise LinkgraphError(f"{where}: expected a number, got {value!r}") from None
    if p.type == "BOOLEAN":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in ("true", "yes", "1", "y", "on"):
            return True
        if text in ("false", "no", "0", "n", "off", ""):
            return False
        raise LinkgraphError(f"{where}: expected true or false, got {value!r}")
    if p.type == "DATE":
        text = "" if value is None else str(value).strip()
        if text and not _DATE_RE.match(text):
            raise LinkgraphError(f"{where}: expected an ISO date such as 2023-06-05, 2023-06 or 2023, got {value!r}")
        return text
    return "" if value is None else str(value)


def _parse_default(qname: str, p: Param, raw: str):
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"":
        raw = raw[1:-1]
    if p.type == "STRING[]" and raw.startswith("[") and raw.endswith("]"):
        raw = raw[1:-1]
    return coerce(qname, p, raw) if p.type != "GRADE" else raw


def _parse_param(qname: str, where: str, spec: str) -> Param:
    spec, _, doc = spec.partition("--")
    parts = spec.split(None, 2)
    if len(parts) < 2:
        raise LinkgraphError(f"{where}: bad param line {spec!r}: expected NAME TYPE required|default V|internal")
    name, typ = parts[0], parts[1].upper()
    rest = parts[2].strip() if len(parts) > 2 else ""
    if not _NAME_RE.match(name):
        raise LinkgraphError(f"{where}: bad parameter name {name!r}")
    if typ not in TYPES:
        raise LinkgraphError(f"{where}: parameter {name} has unknown type {typ} (types: {', '.join(sorted(TYPES))})")
    if rest == "required":
        return Param(name, typ, required=True, doc=doc.strip())
    if rest == "internal":
        return Param(name, typ, internal=True, doc=doc.strip())
    if rest.startswith("default"):
        p = Param(name, typ, doc=doc.strip())
        return Param(name, typ, default=_parse_default(qname, p, rest[len("default") :]), doc=doc.strip())
    if rest == "":
        return Param(name, typ, default=None, doc=doc.strip())
    raise LinkgraphError(f"{where}: parameter {name}: expected 'required', 'internal' or 'default VALUE'")


def cypher_params(text: str) -> set[str]:
    """The $parameters a Cypher text uses (comment lines ignored)."""
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
    return set(_PARAM_RE.findall(body))


def parse_file(path: Path) -> Query:
    """A query from its portable file (siblings are attached by load_dir)."""
    text = path.read_text(encoding="utf-8")
    stem = path.name[: -len(".cypher")]
    q = Query(name=stem, path=path)
    where = str(path)
    for line in text.splitlines():
        if not line.lstrip().startswith("//"):
            if line.strip():
                break
            continue
        m = _HEADER_RE.match(line)
        if not m:
            continue
        key, value = m.group(1), m.group(2)
        if key == "name":
            q.name = value
        elif key == "title":
            q.title = value
        elif key == "description":
            q.description = (q.description + " " + value).strip()
        elif key == "param":
            p = _parse_param(q.name, where, value)
            q.params[p.name] = p
        elif key == "params":
            for spec in value.split(";"):
                if spec.strip():
                    p = _parse_param(q.name, where, spec)
                    q.params[p.name] = p
        elif key == "returns":
            q.returns = [c.strip() for c in value.split(",") if c.strip()]
        elif key == "engines":
            q.engines = [e.strip() for e in value.split(",") if e.strip()]
        elif key == "kind":
            if value not in KINDS:
                raise LinkgraphError(f"{where}: kind {value!r} is not one of {', '.join(sorted(KINDS))}")
            q.kind = value
        elif key in ("runner", "analytic"):
            q.runner = value
        elif key == "mark":
            q.mark = value
    if q.name != stem:
        raise LinkgraphError(f"{where}: header name {q.name!r} differs from the file name {stem!r}")
    q.texts[""] = text
    return q


def _check_params(q: Query) -> None:
    declared = set(q.params)
    for dialect, text in q.texts.items():
        used = cypher_params(text)
        fname = f"{q.name}.{dialect + '.' if dialect else ''}cypher"
        missing = sorted(used - declared)
        if missing:
            raise LinkgraphError(f"query file {fname}: ${missing[0]} is used but not declared in the header")
        # a runner consumes some params itself; internal ones may serve one dialect only; a GDS file may take
        # only some params (the algorithm reads the rest)
        consumed = runner_params(q.runner) | {p.name for p in q.params.values() if p.internal}
        unused = sorted(declared - used - consumed) if dialect != "gds" else []
        if unused:
            raise LinkgraphError(f"query file {fname}: parameter {unused[0]} is declared but the Cypher never uses it")


_CACHE: dict[Path, tuple[tuple, dict[str, Query]]] = {}


def load_dir(folder: Path) -> dict[str, Query]:
    """Every query in a folder (files whose name starts with '_' are helpers, loaded too).

    Parsed once per state of the folder (names, sizes, modification times): every `execute` looks its query up,
    and parsing the whole library costs more than a 1-hop query.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise LinkgraphError(f"query folder {folder} does not exist")
    files = sorted(folder.glob("*.cypher"))
    stamp = tuple((p.name, st.st_mtime_ns, st.st_size) for p in files for st in [p.stat()])
    hit = _CACHE.get(folder)
    if hit is not None and hit[0] == stamp:
        return dict(hit[1])
    out = _load_dir(folder, files)
    _CACHE[folder] = (stamp, out)
    return dict(out)


def _load_dir(folder: Path, files: list[Path]) -> dict[str, Query]:
    out: dict[str, Query] = {}
    siblings: dict[str, dict[str, Path]] = {}
    for path in files:
        parts = path.name[: -len(".cypher")].split(".")
        if len(parts) == 1:
            q = parse_file(path)
            out[q.name] = q
        elif len(parts) == 2 and parts[1] in DIALECTS:
            siblings.setdefault(parts[0], {})[parts[1]] = path
        else:
            raise LinkgraphError(f"query file {path}: expected NAME.cypher or NAME.<{'|'.join(DIALECTS)}>.cypher")
    for name, dialects in siblings.items():
        if name not in out:
            raise LinkgraphError(f"query file {next(iter(dialects.values()))}: no portable {name}.cypher beside it")
        for dialect, path in dialects.items():
            out[name].texts[dialect] = path.read_text(encoding="utf-8")
    for q in out.values():
        _check_params(q)
    return out


def query_dirs(extra_dirs=None) -> list[Path]:
    """Bundled queries, then LINKGRAPH_QUERIES folders (os.pathsep-separated), then extra_dirs; later ones win."""
    dirs = [bundled_dir("queries")]
    env = os.environ.get(ENV_DIRS, "")
    dirs += [Path(d) for d in env.split(os.pathsep) if d.strip()]
    if isinstance(extra_dirs, (str, Path)):
        extra_dirs = [extra_dirs]
    dirs += [Path(d) for d in (extra_dirs or [])]
    return dirs


def library(extra_dirs=None) -> dict[str, Query]:
    """Every query, by name, from query_dirs (later folders win)."""
    lib: dict[str, Query] = {}
    for d in query_dirs(extra_dirs):
        lib.update(load_dir(d))
    return lib


def list_queries(extra_dirs=None) -> pd.DataFrame:
    """The library: name, kind, title, params (user-facing), engines, file. Helper queries (_name) are hidden."""
    rows = []
    for q in sorted(library(extra_dirs).values(), key=lambda q: q.name):
        if q.name.startswith("_"):
            continue
        params = ", ".join(
            f"{p.name} {p.type}"
            + (" required" if p.required else f"={_show(p.default)}" if p.default not in (None, "", []) else "")
            for p in q.user_params()
        )
        rows.append(
            {
                "name": q.name,
                "kind": q.kind,
                "title": q.title,
                "params": params,
                "engines": ", ".join(q.engines),
                "file": str(q.path),
            }
        )
    return pd.DataFrame(rows, columns=["name", "kind", "title", "params", "engines", "file"])


def _show(v) -> str:
    return ",".join(v) if isinstance(v, list) else str(v)


def load_query(name: str, extra_dirs=None) -> Query:
    lib = library(extra_dirs)
    if name not in lib:
        raise LinkgraphError(f"no query named {name!r} (see `linkgraph query list`)")
    return lib[name]
