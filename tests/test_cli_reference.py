"""Every command has help, and docs/cli.md is the reference generated from the app as it is."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import typer

from linkgraph.cli import app

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands(cmd, path=("linkgraph",)):
    # duck-typed: typer 0.2x builds its commands from its own copy of click, not the click package's classes
    yield path, cmd
    if hasattr(cmd, "commands"):
        for name, sub in cmd.commands.items():
            yield from _commands(sub, (*path, name))


def test_every_command_and_option_has_help():
    root = typer.main.get_command(app)
    commands = list(_commands(root))
    assert len(commands) > 20, "the walk did not reach the subcommands"
    missing = []
    for path, cmd in commands:
        if not (cmd.help or "").strip():
            missing.append(" ".join(path))
        for p in cmd.params:
            if p.param_type_name == "option" and not (p.help or "").strip() and p.name != "help":
                missing.append(f"{' '.join(path)} {p.opts[0]}")
    assert not missing, f"no help text: {missing}"


def test_reference_is_up_to_date():
    spec = importlib.util.spec_from_file_location("gen_cli", DOCS / "gen_cli.py")
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    fresh = gen.generate()
    current = (DOCS / "cli.md").read_text(encoding="utf-8") if (DOCS / "cli.md").exists() else ""
    assert current == fresh, "docs/cli.md is out of date: run `python docs/gen_cli.py`"
    root = typer.main.get_command(app)
    for path, _ in list(_commands(root))[1:]:
        assert f"`{' '.join(path)}`" in current, f"{' '.join(path)} missing from docs/cli.md"
