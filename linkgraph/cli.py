"""The `linkgraph` command: each command opens the library, calls one public function, formats the result."""

from __future__ import annotations

import sys
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from linkgraph.errors import LinkgraphError
from linkgraph.store import open_store

app = typer.Typer(
    help="Link analysis for wildlife-crime intelligence.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Create, inspect and empty a store.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console()
err = Console(stderr=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Store: a folder for the embedded engine, or a neo4j://, neo4j+s:// or bolt:// URI "
        "(credentials from NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE). "
        "Default: $LINKGRAPH_DB, else ./linkgraph-db.",
    ),
]


HomeOption = Annotated[
    str | None,
    typer.Option(
        "--home",
        help="The agency key folder. Default: $LINKGRAPH_HOME, else $XDG_CONFIG_HOME/linkgraph (~/.config/linkgraph).",
    ),
]


def print_frame(df: pd.DataFrame, title: str | None = None) -> None:
    """A DataFrame as a readable table."""
    table = Table(title=title, show_lines=False)
    for col in df.columns:
        table.add_column(str(col), overflow="fold")
    for row in df.itertuples(index=False):
        table.add_row(*["" if v is None or (isinstance(v, float) and pd.isna(v)) else str(v) for v in row])
    out.print(table)


@db_app.command("info")
def db_info(db: DbOption = None) -> None:
    """Engine, location, server version and counts by type."""
    with open_store(db, create=False) as store:
        info = store.info()
    out.print(
        f"[bold]engine[/]   {info['engine']}\n[bold]location[/] {info['location']}\n"
        f"[bold]version[/]  {info['version']}\n[bold]nodes[/]    {info['nodes']}\n"
        f"[bold]links[/]    {info['links']}"
    )
    counts = info["counts"]
    print_frame(counts[counts["count"] > 0], title="by type")


@db_app.command("init")
def db_init(db: DbOption = None) -> None:
    """Create the store (tables, constraints and indexes from the schema)."""
    with open_store(db) as store:
        out.print(f"store ready: {store.engine} at {store.location}")


@db_app.command("wipe")
def db_wipe(
    db: DbOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Confirm deleting every node and link.")] = False,
) -> None:
    """Delete every node and link (the schema stays)."""
    if not yes:
        raise LinkgraphError("db wipe deletes everything in the store: add --yes to confirm")
    with open_store(db, create=False) as store:
        store.wipe()
        out.print(f"wiped {store.engine} store at {store.location}")


@db_app.command("rebuild")
def db_rebuild(
    db: DbOption = None, progress: Annotated[bool, typer.Option(help="Show a progress bar.")] = True
) -> None:
    """Make the graph again from the ledger (every import's statements, then the latest resolution)."""
    from linkgraph.importing import rebuild

    with open_store(db, create=False) as store:
        res = rebuild(store, progress=progress)
    out.print("rebuilt from the ledger: " + ", ".join(f"{k} {v}" for k, v in res.items()), highlight=False)


@db_app.command("statements")
def db_statements(
    item: Annotated[str | None, typer.Option("--item", help="Only the statements about this item id.")] = None,
    batch: Annotated[str | None, typer.Option("--batch", help="Only this import batch's statements.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many rows (0: all).")] = 50,
    db: DbOption = None,
) -> None:
    """What each row of each source said: the ledger's statements, with their provenance."""
    from linkgraph.importing import statements

    if item is None and batch is None:
        raise LinkgraphError("db statements needs --item ID or --batch ID (see `linkgraph sources`)")
    with open_store(db, create=False) as store:
        df = statements(store, item=item, batch=batch)
    shown = df if not limit else df.head(limit)
    print_frame(shown, title=f"{len(shown)} of {len(df)} statements")


# --- import (linkgraph.importing) ------------------------------------------------------------------------------
@app.command("import")
def import_cmd(
    files: Annotated[list[str], typer.Argument(help="CSV, XLSX, .docx, .md or .txt files.")],
    spec: Annotated[
        str | None,
        typer.Option("--spec", help="Built-in spec name or a .yaml spec file; default: chosen from the headers."),
    ] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Only this sheet of a workbook.")] = None,
    source: Annotated[
        str | None, typer.Option("--source", help="Who provided the file (agency or source reference).")
    ] = None,
    grade: Annotated[str | None, typer.Option("--grade", help="Admiralty grade for every row, e.g. B2.")] = None,
    handling: Annotated[str | None, typer.Option("--handling", help="Handling code, e.g. TLP:AMBER.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count and show samples; write nothing.")] = False,
    skip_bad_rows: Annotated[
        bool,
        typer.Option(
            "--skip-bad-rows", help="Import the good rows; write the bad ones with reasons to <file>.rejected.csv."
        ),
    ] = False,
    resolve: Annotated[
        bool, typer.Option("--resolve/--no-resolve", help="Run entity resolution after the import.")
    ] = True,
    db: DbOption = None,
) -> None:
    """Import files through an import spec; each file commits whole or not at all."""
    from linkgraph.importing import import_files

    with open_store(db) as store:
        report = import_files(
            store,
            files,
            spec=spec,
            sheet=sheet,
            source=source,
            grade=grade,
            handling=handling,
            dry_run=dry_run,
            skip_bad_rows=skip_bad_rows,
            progress=sys.stderr.isatty(),
            resolve=resolve,
        )
    for f in report.files:
        out.print(f"[bold]{f.path}[/]: spec [bold]{f.spec}[/] ({f.spec_reason})", highlight=False)
        for s in f.sheets:
            where = f'sheet "{s.sheet}", ' if s.sheet else ""
            out.print(
                f"  {where}header row {s.header_row}: {s.rows} rows, {s.rejected} rejected, "
                f"{s.skipped_filtered} filtered; {s.status}; batch {s.batch}",
                highlight=False,
            )
            for sample in s.samples[:3]:
                out.print(
                    "    sample: " + "; ".join(f"{k}={v}" for k, v in sample.items() if v not in ("", None)),
                    highlight=False,
                    markup=False,
                )
        for note in f.skipped_sheets:
            out.print(f"  skipped sheet {note}", highlight=False)
        if f.rejected_path:
            out.print(f"  rejected rows written to {f.rejected_path}", highlight=False)
    counts = report.counts()
    if len(counts):
        print_frame(counts, title="dry run: observations by type" if dry_run else "created / updated by type")
    if getattr(report, "resolution", None):
        out.print("resolution: " + ", ".join(f"{k} {v}" for k, v in report.resolution.items()), highlight=False)


@app.command("sources")
def sources_cmd(db: DbOption = None) -> None:
    """List import batches."""
    from linkgraph.importing import sources

    with open_store(db, create=False) as store:
        df = sources(store)
    df = df.assign(sha256=df["sha256"].str[:12], imported=df["imported"].str[:16])[
        ["id", "source", "sheet", "spec", "rows", "status", "grade", "handling", "agency", "imported", "sha256"]
    ]
    print_frame(df, title="import batches")


@app.command("undo")
def undo_cmd(
    batch: Annotated[str, typer.Argument(help="Batch id (see `linkgraph sources`).")], db: DbOption = None
) -> None:
    """Remove what one import batch contributed, and its provenance from shared items."""
    from linkgraph.importing import undo

    with open_store(db, create=False) as store:
        res = undo(store, batch)
    out.print(f"undone {batch}: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in res.items()), highlight=False)


@app.command("specs")
def specs_cmd() -> None:
    """List the built-in import specs."""
    from linkgraph.importing import list_specs

    print_frame(list_specs(), title="built-in import specs")


# --- query library ---------------------------------------------------------------------------------------------
class _QueryGroup(typer.core.TyperGroup):
    """`linkgraph query NAME ...` means `linkgraph query run NAME ...`; `list` and `run` stay commands."""

    def resolve_command(self, ctx, args):
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["run", *args]
        return super().resolve_command(ctx, args)


query_app = typer.Typer(
    cls=_QueryGroup,
    no_args_is_help=True,
    help="Run the Cypher query library: `linkgraph query list`, `linkgraph query NAME --param k=v`.",
)
app.add_typer(query_app, name="query")

QueriesOption = Annotated[
    list[str] | None,
    typer.Option("--queries", help="A folder of your own .cypher queries (repeatable; also $LINKGRAPH_QUERIES)."),
]


def _cell(v):
    if isinstance(v, (list, tuple)):
        return "; ".join("" if x is None else str(x) for x in v)
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return v


def write_frame(df: pd.DataFrame, fmt: str, out_file: str | None, title: str | None = None) -> None:
    """A result as a table on screen, or CSV / JSON / XLSX (spreadsheet cells neutralised against formulas)."""
    from linkgraph.safe import neutralise

    fmt = fmt.lower()
    if fmt not in ("table", "csv", "json", "xlsx"):
        raise LinkgraphError(f"--format must be table, csv, json or xlsx, not {fmt!r}")
    if fmt == "json":
        text = df.to_json(orient="records", force_ascii=False, indent=2, default_handler=str)
        if out_file:
            with open(out_file, "w", encoding="utf-8") as f:
                f.write(text + "\n")
        else:
            sys.stdout.write(text + "\n")
        return
    flat = df.map(_cell) if len(df) else df
    if fmt == "table" and not out_file:
        print_frame(flat, title=title)
        return
    safe = flat.map(neutralise) if len(flat) else flat
    safe.columns = [neutralise(str(c)) for c in safe.columns]
    if fmt == "xlsx":
        if not out_file:
            raise LinkgraphError("--format xlsx needs --out FILE.xlsx")
        safe.to_excel(
            out_file,
            index=False,
            engine="xlsxwriter",
            engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}},
        )
    elif out_file:
        safe.to_csv(out_file, index=False, encoding="utf-8")
    else:
        safe.to_csv(sys.stdout, index=False)


@query_app.command("list")
def query_list(
    queries: QueriesOption = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or xlsx")] = "table",
    out_file: Annotated[str | None, typer.Option("--out", help="Write to this file.")] = None,
) -> None:
    """The queries in the library (bundled, $LINKGRAPH_QUERIES and --queries folders)."""
    from linkgraph.querylib import list_queries

    df = list_queries(extra_dirs=queries)
    write_frame(df.drop(columns=["file"]) if fmt == "table" else df, fmt, out_file, title="queries")


@query_app.command("run", context_settings={"allow_interspersed_args": True})
def query_run(
    name: Annotated[str, typer.Argument(help="Query name (see `linkgraph query list`).")],
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A parameter as key=value (repeatable); lists are comma-separated."),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or xlsx")] = "table",
    out_file: Annotated[str | None, typer.Option("--out", help="Write to this file.")] = None,
    queries: QueriesOption = None,
    db: DbOption = None,
) -> None:
    """Run library query NAME and print (or write) its result."""
    from linkgraph.querylib import query as run_query
    from linkgraph.selection import parse_params

    with open_store(db, create=False) as store:
        df = run_query(name, store, queries=queries, **parse_params(param))
    write_frame(df, fmt, out_file, title=name)
    if out_file:
        err.print(f"{len(df)} rows written to {out_file}")


# --- charts and exports (linkgraph.render over linkgraph.selection) ---------------------------------------------
AroundOption = Annotated[
    str | None, typer.Option("--around", help="Draw the network around this entity (a name or an id).")
]
HopsOption = Annotated[int, typer.Option("--hops", help="Links to follow from --around.")]
SelQueryOption = Annotated[str | None, typer.Option("--query", help="Draw what this library query returns.")]
ParamOption = Annotated[
    list[str] | None, typer.Option("--param", "-p", help="A query parameter as key=value (repeatable).")
]
TitleOption = Annotated[str | None, typer.Option("--title", help="Title shown in the chart or file.")]
TlpOption = Annotated[
    str | None,
    typer.Option(
        "--tlp", help="TLP marking: CLEAR, GREEN, AMBER, AMBER+STRICT, RED (default: from the data's handling codes)."
    ),
]
HandlingOption = Annotated[str | None, typer.Option("--handling", help="Handling code shown in the banner.")]
MarkOption = Annotated[
    str | None,
    typer.Option(
        "--mark",
        help="Mark the entities this library query returns (its id column), e.g. key_players: drawn distinctly "
        "with their rank, and a mark column in exports.",
    ),
]
MarkParamOption = Annotated[
    list[str] | None, typer.Option("--mark-param", help="A parameter of the --mark query as key=value (repeatable).")
]


def _selection(
    store, around, hops, query, param, queries, title, action: str, out_file: str, mark=None, mark_param=None
):
    """The selection to draw or export; the export is written to the audit log."""
    import warnings

    from linkgraph.marks import MarkWarning
    from linkgraph.selection import parse_params, record_selection, select

    if mark_param and not mark:
        raise LinkgraphError("--mark-param needs --mark QUERY")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", MarkWarning)
        sub = select(
            store,
            around=around,
            hops=hops,
            query=query,
            params=parse_params(param),
            queries=queries,
            title=title,
            mark=mark,
            mark_params=parse_params(mark_param, "--mark-param"),
        )
    for w in caught:  # one plain line each, not Python's warning format
        if issubclass(w.category, MarkWarning):
            err.print(f"warning: {w.message}", highlight=False, markup=False)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    record_selection(store, sub, action, out_file, around=around, hops=hops, query=query, mark=mark)
    _report_marks(sub)
    return sub


def _report_marks(sub) -> None:
    """One line on stderr: how many entities the --mark query marked, added, or could not find."""
    info = sub.mark_info
    if not info:
        return
    line = f"marked {info['marked']} of {info['rows']} entities by {info['query']}"
    if info["added"]:
        line += f"; {len(info['added'])} added to the selection"
    err.print(line, highlight=False, markup=False)


@app.command("chart")
def chart_cmd(
    out_file: Annotated[str, typer.Option("--out", help="The HTML file to write.")] = "chart.html",
    around: AroundOption = None,
    hops: HopsOption = 2,
    query: SelQueryOption = None,
    param: ParamOption = None,
    title: TitleOption = None,
    tlp: TlpOption = None,
    handling: HandlingOption = None,
    size_by: Annotated[
        str, typer.Option("--size-by", help="degree, betweenness (the brokers query's score on this store) or none")
    ] = "degree",
    color_by: Annotated[
        str, typer.Option("--color-by", help="type, community (the communities query's on this store) or country")
    ] = "type",
    max_nodes: Annotated[int, typer.Option("--max-nodes", help="Refuse above this many nodes.")] = 2000,
    mark: MarkOption = None,
    mark_param: MarkParamOption = None,
    queries: QueriesOption = None,
    db: DbOption = None,
) -> None:
    """A self-contained interactive HTML link chart (opens offline, no network)."""
    from linkgraph.render import write
    from linkgraph.selection import analyse

    with open_store(db, create=False) as store:
        sub = _selection(store, around, hops, query, param, queries, title, "chart", out_file, mark, mark_param)
        analyse(store, sub, color_by=color_by, size_by=size_by, queries=queries)
    path = write(
        sub,
        "html",
        out_file,
        title=title,
        tlp=tlp,
        handling=handling,
        size_by=None if size_by == "none" else size_by,
        color_by=color_by,
        max_nodes=max_nodes,
    )
    out.print(f"chart of {len(sub.nodes)} entities and {len(sub.links)} links written to {path}", highlight=False)


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Argument(help="anx, graphml, gexf, xlsx or csv")],
    out_file: Annotated[str, typer.Option("--out", help="The file to write (csv: a folder or .zip).")],
    around: AroundOption = None,
    hops: HopsOption = 2,
    query: SelQueryOption = None,
    param: ParamOption = None,
    title: TitleOption = None,
    tlp: TlpOption = None,
    handling: HandlingOption = None,
    mark: MarkOption = None,
    mark_param: MarkParamOption = None,
    queries: QueriesOption = None,
    db: DbOption = None,
) -> None:
    """Export a selection for i2 Analyst's Notebook (ANX), Gephi (GraphML, GEXF) or Excel (XLSX, CSV)."""
    from linkgraph.render import write

    if fmt.lower() not in ("anx", "graphml", "gexf", "xlsx", "csv"):
        raise LinkgraphError(f"export format must be anx, graphml, gexf, xlsx or csv, not {fmt!r}")
    with open_store(db, create=False) as store:
        sub = _selection(
            store, around, hops, query, param, queries, title, f"export {fmt.lower()}", out_file, mark, mark_param
        )
    path = write(sub, fmt.lower(), out_file, title=title, tlp=tlp, handling=handling)
    out.print(f"{fmt} of {len(sub.nodes)} entities and {len(sub.links)} links written to {path}", highlight=False)


@app.command("demo")
def demo_cmd(
    out_dir: Annotated[
        str, typer.Option("--out", help="Folder for the demo's source files and chart.")
    ] = "linkgraph-demo",
    seed: Annotated[int, typer.Option("--seed", help="Seed of the generated investigation.")] = 7,
    db: DbOption = None,
) -> None:
    """Generate a multi-agency investigation, import it, analyse it and write its chart."""
    from linkgraph.demo import run_demo

    with open_store(db) as store:
        out.print(f"store: {store.engine} at {store.location}", highlight=False)
        res = run_demo(store, out_dir, seed=seed, progress=sys.stderr.isatty())
    out.print(f"source files written to {res.files.out_dir}", highlight=False)
    if len(res.imported) and res.imported[["created", "updated"]].to_numpy().sum():
        print_frame(res.imported, title="imported: created / updated by type")
    else:
        out.print("every demo file was already imported: nothing changed", highlight=False)
    out.print("the store holds: " + ", ".join(f"{r.count} {r.type}" for r in res.counts.itertuples()), highlight=False)
    if res.resolution:
        out.print("resolution: " + ", ".join(f"{k} {v}" for k, v in res.resolution.items()), highlight=False)
    shown = {
        "brokers": ["name", "type", "score", "method"],
        "communities": ["community", "size", "members"],
        "repeat_offenders": ["name", "nationality", "seizures", "first_date", "last_date"],
        "trade_routes": ["species", "commodity", "origin", "transit", "destination", "items", "quantity", "unit"],
    }
    for name, cols in shown.items():
        df = res.summary.get(name)
        if df is not None and len(df):
            df = df[[c for c in cols if c in df.columns]].head(8)
            if "score" in df.columns:
                df = df.assign(score=df["score"].astype(float).round(4))
            print_frame(df.map(_cell), title=name.replace("_", " "))
    out.print(f"chart of the main network: {res.chart}", highlight=False)


# --- entity resolution (linkgraph.resolve) ---------------------------------------------------------------------
class _ResolveGroup(typer.core.TyperGroup):
    """`linkgraph resolve [FILE] ...` means `linkgraph resolve run [FILE] ...`; `explain` stays a command."""

    def parse_args(self, ctx, args):
        if not args or (args[0] not in self.commands and args[0] not in ctx.help_option_names):
            args = ["run", *args]
        return super().parse_args(ctx, args)


resolve_app = typer.Typer(
    cls=_ResolveGroup,
    help="Entity resolution: `linkgraph resolve` resolves the store; "
    "`linkgraph resolve FILE --out OUT.csv` de-duplicates a list; "
    "`linkgraph resolve explain ENTITY` shows why records are one entity.",
)
app.add_typer(resolve_app, name="resolve")
review_app = typer.Typer(
    help="The resolution review queue as a spreadsheet: export, decide, import.", no_args_is_help=True
)
app.add_typer(review_app, name="review")


@resolve_app.command("run", context_settings={"allow_interspersed_args": True})
def resolve_run(
    file: Annotated[
        str | None,
        typer.Argument(
            help="A CSV or XLSX list of people or companies to de-duplicate "
            "on its own (without FILE: resolve the store)."
        ),
    ] = None,
    out_file: Annotated[
        str | None, typer.Option("--out", help="With FILE: the annotated copy to write (.csv or .xlsx).")
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option("--id-column", help="With FILE: the column holding unique row ids (default: row-1, row-2, ...)."),
    ] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option("--map", help="With FILE: COLUMN=FIELD, e.g. 'Suspect=name', 'Tel 2=phones' (repeatable)."),
    ] = None,
    settings: Annotated[
        str | None, typer.Option("--settings", help="A YAML file overriding the resolution settings.")
    ] = None,
    db: DbOption = None,
) -> None:
    """Resolve the store's people and organisations into entities (or de-duplicate FILE)."""
    if file is not None:
        from linkgraph.resolve.review import dedupe_file, parse_mapping

        if not out_file:
            raise LinkgraphError("linkgraph resolve FILE needs --out OUT.csv (or .xlsx)")
        df = dedupe_file(file, out_file, id_column=id_column, mapping=parse_mapping(mapping), settings=settings)
        groups = df[df["entity_size"] > 1]
        out.print(
            f"{len(df)} rows, {df['entity_id'].nunique()} entities, {len(groups)} rows in "
            f"{groups['entity_id'].nunique()} groups of duplicates; written to {out_file}",
            highlight=False,
        )
        if len(groups):
            name_cols = df.attrs.get("column_mapping", {}).get("name") or []
            shown = (
                groups[["entity_id", "record_id", *name_cols[:1], "best_match", "match_probability", "match_outcome"]]
                .sort_values(["entity_id", "record_id"])
                .head(30)
            )
            print_frame(shown.map(_cell), title="duplicates")
        return
    if out_file or id_column or mapping:
        raise LinkgraphError("--out, --id-column and --map go with a FILE to de-duplicate")
    from linkgraph.resolve.graph import resolve_store

    with open_store(db, create=False) as store:
        counts = resolve_store(store, settings=settings, progress=sys.stderr.isatty())
    print_frame(pd.DataFrame([counts]), title="entity resolution")


@resolve_app.command("explain")
def resolve_explain(
    entity: Annotated[str, typer.Argument(help="An entity id, a record id or a name.")], db: DbOption = None
) -> None:
    """Which records an entity holds and, for each match, which features agreed and how much they weighed."""
    from linkgraph.resolve.graph import explain

    with open_store(db, create=False) as store:
        df = explain(store, entity)
    eid = df["entity_id"].iloc[0]
    recs = df[df["part"] == "record"][
        ["record_id", "name", "source", "sheet", "row", "birth_date", "nationality", "phones", "passports"]
    ]
    print_frame(recs.map(_cell), title=f"entity {eid}: {len(recs)} records")
    pairs = df[df["part"] != "record"].assign(
        probability=lambda d: d["probability"].map(lambda v: None if v is None or pd.isna(v) else f"{float(v):.4f}")
    )
    if len(pairs):
        print_frame(
            pairs[["part", "name", "matched_to", "decision", "probability", "evidence"]].map(_cell),
            title="matches (evidence: feature level and log2 weight, strongest first)",
        )


@review_app.command("export")
def review_export(
    out_file: Annotated[str, typer.Option("--out", help="The .xlsx to write.")] = "review.xlsx", db: DbOption = None
) -> None:
    """Write the pairs waiting for review to a workbook with a match / no-match decision column."""
    from linkgraph.resolve.review import export_review

    with open_store(db, create=False) as store:
        n = export_review(store, out_file)
    out.print(
        f"{n} pairs to review written to {out_file}; fill the decision column, then "
        f"`linkgraph review import {out_file}`",
        highlight=False,
    )


@review_app.command("import")
def review_import(
    file: Annotated[str, typer.Argument(help="A review workbook with decisions filled in.")], db: DbOption = None
) -> None:
    """Store the decisions of a review workbook (kept for every later run) and resolve again."""
    from linkgraph.resolve.review import import_review

    with open_store(db, create=False) as store:
        res = import_review(store, file)
    print_frame(pd.DataFrame([res]), title=f"review decisions from {file}")


@app.command("unmerge")
def unmerge_cmd(
    entity: Annotated[str, typer.Argument(help="An entity id, a record id or a name.")],
    record: Annotated[
        str | None, typer.Option("--record", help="Take only this record out (default: every record apart).")
    ] = None,
    db: DbOption = None,
) -> None:
    """Split a wrong merge; the split is stored and kept by every later resolution."""
    from linkgraph.resolve.graph import unmerge

    with open_store(db, create=False) as store:
        res = unmerge(store, entity, record=record)
    print_frame(pd.DataFrame([res]), title="unmerge")


# --- sharing: packages, deconfliction, audit (linkgraph.sharing) ------------------------------------------------
package_app = typer.Typer(
    help="Intelligence packages for partner agencies: export (graded, redacted) and import.", no_args_is_help=True
)
app.add_typer(package_app, name="package")
deconflict_app = typer.Typer(
    help="Deconflict targets (request, respond, result) and planned operations (events) with a partner by "
    "private set intersection, revealing nothing that is not shared.",
    no_args_is_help=True,
)
app.add_typer(deconflict_app, name="deconflict")


ToOption = Annotated[str | None, typer.Option("--to", help="The partner agency it is for.")]
RequestOutOption = Annotated[str, typer.Option("--out", help="The signed request file to write and send.")]
ResponseOutOption = Annotated[str, typer.Option("--out", help="The signed response file to write and send back.")]
MinItemsOption = Annotated[int, typer.Option("--min-items", help="Refuse a request of fewer items (anti-probing).")]
MaxPerDayOption = Annotated[
    int, typer.Option("--max-per-day", help="Refuse a partner's requests beyond this many in a UTC day.")
]
FormatOption = Annotated[str, typer.Option("--format", help="table, csv, json or xlsx")]


@package_app.command("export")
def package_export(
    out_file: Annotated[str, typer.Option("--out", help="The package .zip to write.")],
    tlp: Annotated[str, typer.Option("--tlp", help="CLEAR, GREEN, AMBER, AMBER+STRICT or RED.")],
    handling: HandlingOption = None,
    redact: Annotated[
        list[str] | None,
        typer.Option("--redact", help="A redaction rule, e.g. source_type=informant or below=C3 (repeatable)."),
    ] = None,
    recipient: Annotated[str | None, typer.Option("--recipient", help="Who receives it.")] = None,
    keep_protected_links: Annotated[
        bool,
        typer.Option(
            "--keep-protected-links",
            help="Keep links only a protected source supports, with its reference number, instead of dropping them.",
        ),
    ] = False,
    include_restricted: Annotated[
        bool,
        typer.Option(
            "--include-restricted",
            help="Include items handled above --tlp and mark the package with the most restrictive level included "
            "(default: withhold them, listed in report/withheld.csv).",
        ),
    ] = False,
    around: AroundOption = None,
    hops: HopsOption = 2,
    query: SelQueryOption = None,
    param: ParamOption = None,
    title: TitleOption = None,
    queries: QueriesOption = None,
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """A package: subgraph in an open format, chart, workbook and a manifest of hashes, signed with the agency key."""
    from linkgraph.handling import tlp as handling_tlp
    from linkgraph.selection import parse_params
    from linkgraph.sharing import export_package

    with open_store(db, create=False) as store:
        info = export_package(
            store,
            out_file,
            around=around,
            hops=hops,
            query=query,
            params=parse_params(param),
            title=title,
            tlp=tlp,
            handling=handling,
            redact_rules=redact,
            recipient=recipient,
            keep_protected_links=keep_protected_links,
            include_restricted=include_restricted,
            queries=queries,
            home=home,
        )
    above = sum(1 for w in info.withheld if w["reason"].startswith("handling "))
    if above:
        err.print(
            f"withheld {above} items handled above TLP:{handling_tlp(tlp)} (see report/withheld.csv); "
            "--include-restricted includes them and marks the package accordingly",
            highlight=False,
        )
    out.print(
        f"package {info.path} ({info.tlp}): {info.nodes} entities, {info.links} links; withheld "
        f"{info.withheld_nodes} entities and {info.withheld_links} links; sha256 {info.sha256}",
        highlight=False,
    )
    if info.signer:
        out.print(f"signed by {info.signer.agency} ({info.signer.short})", highlight=False)
    else:
        err.print("warning: unsigned (this agency has no key: linkgraph agency init --name AGENCY)", highlight=False)


@package_app.command("import")
def package_import(
    package: Annotated[str, typer.Argument(help="The partner's package .zip.")],
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="The agency that sent it: must be its signer's; needed only with --allow-unsigned "
            "(default: the signer).",
        ),
    ] = None,
    report: Annotated[
        str | None, typer.Option("--report", help="Also write the deconfliction report to this .xlsx.")
    ] = None,
    allow_unsigned: Annotated[
        bool,
        typer.Option(
            "--allow-unsigned",
            help="Import a package that is unsigned or not signed by a trusted key (default: refuse it).",
        ),
    ] = False,
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """Verify a partner's package and its signature, import it with provenance naming the signer, and deconflict it."""
    from linkgraph.sharing import import_package

    with open_store(db) as store:
        res = import_package(store, package, agency, report=report or False, allow_unsigned=allow_unsigned, home=home)
    out.print(
        f"{res.package}: {res.status}; {res.nodes} entities, {res.links} links from {res.agency}; batch {res.batch}",
        highlight=False,
    )
    if res.signer:
        out.print(f"signed by {res.signer.agency} ({res.signer.short}), a trusted key", highlight=False)
    else:
        err.print(f"warning: imported without a trusted signature ({res.unsigned})", highlight=False)
    if res.deconfliction is not None and len(res.deconfliction):
        print_frame(res.deconfliction.map(_cell).head(40), title="their entities that match ours")
    if res.report_path:
        out.print(f"deconfliction report: {res.report_path}", highlight=False)


def _psi_sent(info: dict, noun: str) -> None:
    out.print(
        f"request {info['nonce']}: {info['n_items']} {noun} (encrypted) for {info['to'] or 'any partner'} "
        f"written to {info['path']}" + ("; count only" if info["count_only"] else ""),
        highlight=False,
        soft_wrap=True,
    )


def _psi_answered(info: dict, what: str, noun: str) -> None:
    out.print(
        f"answered {what} {info['nonce']} from {info['to']} ({info['n_items']} {noun}"
        + (", count only" if info["count_only"] else "")
        + f"): {info['path']}",
        highlight=False,
        soft_wrap=True,
    )


def _psi_result(db, read, describe, fmt: str, out_file: str | None) -> None:
    """A PSI result read from our store (`read(store)`): `describe(result)` gives its count line, what is shared
    and a title for it, printed on screen or written to --out (CSV by default) unless the result is a count."""
    with open_store(db, create=False) as store:
        res = read(store)
    line, frame, title = describe(res)
    out.print(line, highlight=False)
    if not res.count_only:
        write_frame(frame, "csv" if out_file and fmt == "table" else fmt, out_file, title=title)


@deconflict_app.command("request")
def deconflict_request(
    out_file: RequestOutOption,
    to: ToOption = None,
    count_only: Annotated[
        bool, typer.Option("--count-only", help="Ask only how many of our identifiers the partner holds.")
    ] = False,
    kind: Annotated[
        list[str] | None,
        typer.Option(
            "--kind", help="Only this kind: phone, passport, imo, plate, company_reg, person_dob (repeatable)."
        ),
    ] = None,
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """At A: a signed private-set-intersection request of our identifiers, encrypted under a key kept here."""
    from linkgraph.sharing import psi

    with open_store(db, create=False) as store:
        info = psi.request(store, out_file, partner=to, kinds=kind, count_only=count_only, home=home)
    _psi_sent(info, "identifiers")


@deconflict_app.command("respond")
def deconflict_respond(
    request_file: Annotated[str, typer.Argument(help="The partner's signed request file.")],
    out_file: ResponseOutOption,
    min_items: MinItemsOption = 10,
    max_per_day: MaxPerDayOption = 5,
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """At B: answer a trusted partner's request with our identifiers; the partner learns only the shared ones."""
    from linkgraph.sharing import psi

    with open_store(db, create=False) as store:
        info = psi.respond(store, request_file, out_file, home=home, min_items=min_items, max_per_day=max_per_day)
    _psi_answered(info, "request", "identifiers")


@deconflict_app.command("result")
def deconflict_result(
    response_file: Annotated[str, typer.Argument(help="The partner's signed response file.")],
    fmt: FormatOption = "table",
    out_file: Annotated[str | None, typer.Option("--out", help="Write the shared identifiers to this file.")] = None,
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """At A: which of our entities hold an identifier the partner also holds (or how many, if count only)."""
    from linkgraph.sharing import psi

    _psi_result(
        db,
        lambda store: psi.result(store, response_file, home=home),
        lambda res: (
            f"{res.partner} holds {res.count} of our {res.n_items} identifiers",
            res.matches,
            f"{len(res.matches)} of our entities {res.partner} also holds",
        ),
        fmt,
        out_file,
    )


events_app = typer.Typer(
    help="Deconflict planned operations (time window and place) with a partner by private set intersection over "
    "coarse space-time cells; plans are read from a file of your own, never imported.",
    no_args_is_help=True,
)
deconflict_app.add_typer(events_app, name="events")
PlansArg = Annotated[
    str,
    typer.Argument(help="Our plans, .csv or .xlsx: operation, start, end, lat, lon, radius_km (see docs/sharing.md)."),
]
TzOption = Annotated[
    str, typer.Option("--tz", help="The time zone of plan date-times written without an offset, e.g. Africa/Nairobi.")
]


@events_app.command("request")
def events_request(
    plans: PlansArg,
    out_file: RequestOutOption,
    to: ToOption = None,
    cell_deg: Annotated[
        float, typer.Option("--cell-deg", help="The grid cell, in degrees (0.25 is 28 km north to south).")
    ] = 0.25,
    distance_km: Annotated[
        float, typer.Option("--distance-km", help="Areas this near on a common UTC day are a conflict.")
    ] = 10.0,
    margin_hours: Annotated[
        float, typer.Option("--margin-hours", help="Widen our windows by this much before taking their UTC days.")
    ] = 0.0,
    tz: TzOption = "UTC",
    count_only: Annotated[
        bool, typer.Option("--count-only", help="Ask only how many of our cells the partner's operations touch.")
    ] = False,
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """At A: a signed request of the cells and days round our planned operations, encrypted under a key kept here."""
    from linkgraph.sharing import events

    with open_store(db, create=False) as store:
        info = events.request(
            store,
            plans,
            out_file,
            partner=to,
            cell_deg=cell_deg,
            distance_km=distance_km,
            margin_hours=margin_hours,
            tz=tz,
            count_only=count_only,
            home=home,
        )
    _psi_sent(info, "cells")


@events_app.command("respond")
def events_respond(
    request_file: Annotated[str, typer.Argument(help="The partner's signed event request file.")],
    plans: PlansArg,
    out_file: ResponseOutOption,
    min_items: MinItemsOption = 10,
    max_items: Annotated[
        int, typer.Option("--max-items", help="Refuse a request of more cells (one request maps no more).")
    ] = 10_000,
    max_per_day: MaxPerDayOption = 5,
    min_cell_deg: Annotated[
        float, typer.Option("--min-cell-deg", help="Refuse a grid finer than this, in degrees.")
    ] = 0.1,
    tz: TzOption = "UTC",
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """At B: answer a trusted partner's event request with the cells our planned operations touch."""
    from linkgraph.sharing import events

    with open_store(db, create=False) as store:
        info = events.respond(
            store,
            request_file,
            plans,
            out_file,
            home=home,
            tz=tz,
            min_items=min_items,
            max_items=max_items,
            max_per_day=max_per_day,
            min_cell_deg=min_cell_deg,
        )
    _psi_answered(info, "event request", "cells")


@events_app.command("result")
def events_result(
    response_file: Annotated[str, typer.Argument(help="The partner's signed event response file.")],
    fmt: FormatOption = "table",
    out_file: Annotated[str | None, typer.Option("--out", help="Write the conflicts to this file.")] = None,
    home: HomeOption = None,
    db: DbOption = None,
) -> None:
    """At A: which of our planned operations meet the partner's, by UTC day and grid cell (or how many cells)."""
    from linkgraph.sharing import events

    _psi_result(
        db,
        lambda store: events.result(store, response_file, home=home),
        lambda res: (
            f"{res.partner}'s operations touch {res.count} of our {res.n_items} cells",
            res.conflicts,
            f"{res.conflicts['operation'].nunique()} of our operations meet {res.partner}'s",
        ),
        fmt,
        out_file,
    )


LEGACY_WARNING = (
    "warning: a shared key reveals everything it protects to whoever holds it: they can hash a whole "
    "phone-number space (or a list of passports) and read the partner's token file; prefer "
    "`linkgraph deconflict request`"
)
LegacyOption = Annotated[
    bool,
    typer.Option(
        "--legacy-shared-key",
        help="Use keyed-hash tokens under a key both agencies hold (whoever holds the key can test any guess).",
    ),
]


def _legacy(flag: bool, command: str) -> None:
    if not flag:
        raise LinkgraphError(
            f"deconflict {command} uses a shared key, which lets its holder test any guessed identifier against "
            "a token file: say --legacy-shared-key to use it anyway, or use deconflict request/respond/result"
        )
    err.print(LEGACY_WARNING, highlight=False, soft_wrap=True)


@deconflict_app.command("key")
def deconflict_key(out_file: Annotated[str, typer.Option("--out", help="The key file to create (mode 0600).")]) -> None:
    """Legacy: a random key for deconflict tokens, to share with the partner over a secure channel."""
    from linkgraph.sharing import new_key

    new_key(out_file)
    out.print(f"key written to {out_file}", highlight=False)


@deconflict_app.command("tokens")
def deconflict_tokens(
    key: Annotated[str, typer.Option("--key", help="The shared key file.")],
    out_file: Annotated[str, typer.Option("--out", help="The token file to write and share.")],
    legacy_shared_key: LegacyOption = False,
    db: DbOption = None,
) -> None:
    """Legacy: keyed hashes of our identifiers under a shared key (see deconflict request for the private way)."""
    from linkgraph.sharing import load_key, make_tokens, write_tokens

    _legacy(legacy_shared_key, "tokens")
    k = load_key(key)
    with open_store(db, create=False) as store:
        tokens = make_tokens(store, k)
    write_tokens(tokens, out_file, key=k)
    out.print(f"{tokens['token'].nunique()} tokens written to {out_file} (no identifier in clear)", highlight=False)


@deconflict_app.command("match")
def deconflict_match(
    ours: Annotated[str, typer.Argument(help="The token file we shared.")],
    theirs: Annotated[str, typer.Argument(help="The partner's token file.")],
    key: Annotated[str, typer.Option("--key", help="The shared key file.")],
    fmt: Annotated[str, typer.Option("--format", help="table, csv, json or xlsx")] = "table",
    out_file: Annotated[str | None, typer.Option("--out", help="Write to this file.")] = None,
    legacy_shared_key: LegacyOption = False,
    db: DbOption = None,
) -> None:
    """Legacy: the overlaps of two token files made under a shared key (which of our entities the partner holds)."""
    from linkgraph.sharing import load_key
    from linkgraph.sharing.deconflict import match_token_files

    _legacy(legacy_shared_key, "match")
    with open_store(db, create=False) as store:
        df = match_token_files(store, ours, theirs, load_key(key))
    write_frame(df, fmt, out_file, title=f"{len(df)} overlaps")


agency_app = typer.Typer(help="This agency's signing key and the partner keys it trusts.", no_args_is_help=True)
app.add_typer(agency_app, name="agency")


@agency_app.command("init")
def agency_init(
    name: Annotated[str, typer.Option("--name", help="This agency's name, as partners know it.")],
    home: HomeOption = None,
) -> None:
    """Create this agency's Ed25519 signing key; agency.pub.json is the file to send to partners."""
    from linkgraph.sharing import signing

    key = signing.init_agency(name, home)
    where = signing.key_home(home)
    out.print(
        f"agency {key.agency}: key {key.short} (sha256 {key.fingerprint}); send {where / signing.PUBLIC} "
        "to partners and read them the fingerprint over another channel",
        highlight=False,
        soft_wrap=True,
    )


@agency_app.command("trust")
def agency_trust(
    file: Annotated[str, typer.Argument(help="A partner's agency.pub.json.")],
    home: HomeOption = None,
) -> None:
    """Trust a partner's public key: packages it signs are then imported."""
    from linkgraph.sharing import signing

    key = signing.trust(file, home)
    out.print(f"trusted {key.agency}: key {key.short} (sha256 {key.fingerprint})", highlight=False, soft_wrap=True)


@agency_app.command("list")
def agency_list(home: HomeOption = None) -> None:
    """This agency's key and the partner keys it trusts."""
    from linkgraph.sharing import signing

    own = signing.own_key(home)
    rows = [("own", own)] if own else []
    rows += [("trusted", k) for k in signing.trusted_keys(home)]
    print_frame(
        pd.DataFrame(
            [{"role": r, "agency": k.agency, "fingerprint": k.short, "sha256": k.fingerprint} for r, k in rows],
            columns=["role", "agency", "fingerprint", "sha256"],
        ),
        title=f"agency keys in {signing.key_home(home)}",
    )


@app.command("audit")
def audit_cmd(
    action: Annotated[str | None, typer.Option("--action", help="Only this action.")] = None, db: DbOption = None
) -> None:
    """The audit log: imports, exports, packages, deconfliction and queries (who, when, what, hashes)."""
    from linkgraph.sharing import audit_log

    with open_store(db, create=False) as store:
        df = audit_log(store, action=action)
    print_frame(df, title="audit log")


def main() -> None:
    """Entry point: errors a user can act on are one line on stderr, exit status 1."""
    try:
        app()
    except LinkgraphError as e:
        err.print(f"[red]error:[/] {e}", highlight=False, soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        err.print("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
