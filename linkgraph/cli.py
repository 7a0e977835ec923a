"""The `linkgraph` command: each command opens the library, calls one public function, formats the result."""
from __future__ import annotations

import sys
from typing import Annotated, Optional

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from linkgraph.errors import LinkgraphError
from linkgraph.store import open_store

app = typer.Typer(help="Link analysis for wildlife-crime intelligence.", no_args_is_help=True,
                  pretty_exceptions_enable=False, add_completion=False)
db_app = typer.Typer(help="Create, inspect and empty a store.", no_args_is_help=True)
app.add_typer(db_app, name="db")

out = Console()
err = Console(stderr=True)

DbOption = Annotated[Optional[str], typer.Option(
    "--db", help="Store: a folder for the embedded engine, or a neo4j://, neo4j+s:// or bolt:// URI "
                 "(credentials from NEO4J_USERNAME, NEO4J_PASSWORD, NEO4J_DATABASE). "
                 "Default: $LINKGRAPH_DB, else ./linkgraph-db.")]


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
    out.print(f"[bold]engine[/]   {info['engine']}\n[bold]location[/] {info['location']}\n"
              f"[bold]version[/]  {info['version']}\n[bold]nodes[/]    {info['nodes']}\n"
              f"[bold]links[/]    {info['links']}")
    counts = info["counts"]
    print_frame(counts[counts["count"] > 0], title="by type")


@db_app.command("init")
def db_init(db: DbOption = None) -> None:
    """Create the store (tables, constraints and indexes from the schema)."""
    with open_store(db) as store:
        out.print(f"store ready: {store.engine} at {store.location}")


@db_app.command("wipe")
def db_wipe(db: DbOption = None,
            yes: Annotated[bool, typer.Option("--yes", help="Confirm deleting every node and link.")] = False) -> None:
    """Delete every node and link (the schema stays)."""
    if not yes:
        raise LinkgraphError("db wipe deletes everything in the store: add --yes to confirm")
    with open_store(db, create=False) as store:
        store.wipe()
        out.print(f"wiped {store.engine} store at {store.location}")


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
