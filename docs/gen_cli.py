"""Write docs/cli.md, the command reference, from the typer app: `python docs/gen_cli.py`.

It walks the click commands that typer builds, rather than calling `typer utils docs`, whose Markdown has
changed from one typer release to the next: the reference then depends on the app, not on typer's version.
The commands are duck-typed (`commands`, `param_type_name`) because typer 0.2x carries its own copy of click,
whose classes are not the `click` package's.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

import typer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from linkgraph.cli import app

OUT = Path(__file__).resolve().parent / "cli.md"


def _first_sentence(text: str) -> str:
    line = (text or "").strip().split("\n\n")[0].replace("\n", " ")
    return line.split(". ")[0].rstrip(".") + "." if line else ""


def _text(s: str | None) -> str:
    """Help text as Markdown: `<file>` would otherwise be read as an HTML tag."""
    return html.escape((s or "").strip(), quote=False)


def _arg_name(p) -> str:
    return p.name.upper() + ("..." if p.nargs == -1 else "")


def _param(p) -> str:
    if p.param_type_name == "argument":
        extra = "  [required]" if p.required else ""
        return f"* `{_arg_name(p)}`: {_text(p.help)}{extra}"
    names = " / ".join([*p.opts, *p.secondary_opts])
    if not p.is_flag:
        names += f" {p.name.upper()}"
    facts = ["required"] if p.required else []
    if p.is_flag and p.secondary_opts:
        facts.append(f"default: {p.opts[0] if p.default else p.secondary_opts[0]}")
    elif not p.is_flag and isinstance(p.default, (str, int, float)) and p.default != "":
        facts.append(f"default: {p.default}")
    tail = f"  [{'; '.join(facts)}]" if facts else ""
    return f"* `{names}`: {_text(p.help)}{tail}"


def _section(cmd, path: list[str], out: list[str]) -> None:
    out += [f"## `{' '.join(path)}`" if len(path) > 1 else "# linkgraph command reference", ""]
    if cmd.help:
        out += [_text(cmd.help), ""]
    args = [p for p in cmd.params if p.param_type_name == "argument"]
    opts = [p for p in cmd.params if p.param_type_name == "option"]
    group = hasattr(cmd, "commands")
    usage = [*path, "[OPTIONS]", *(_arg_name(p) for p in args), *(["COMMAND [ARGS]..."] if group else [])]
    out += ["**Usage**:", "", "```console", f"$ {' '.join(usage)}", "```", ""]
    if args:
        out += ["**Arguments**:", "", *(_param(p) for p in args), ""]
    out += ["**Options**:", "", *(_param(p) for p in opts), "* `--help`: Show this message and exit.", ""]
    if group:
        subs = list(cmd.commands.items())
        out += ["**Commands**:", "", *(f"* `{n}`: {_text(_first_sentence(c.help))}" for n, c in subs), ""]
        for name, sub in subs:
            _section(sub, [*path, name], out)


def generate() -> str:
    out: list[str] = []
    _section(typer.main.get_command(app), ["linkgraph"], out)
    return "\n".join(out).rstrip() + "\n"


if __name__ == "__main__":
    OUT.write_text(generate(), encoding="utf-8")
    print(f"wrote {OUT}")
