"""``coopcli config``: what coopcli is set to, and why."""

from __future__ import annotations

from typing import Any

import typer

from coopcli.cli import render
from coopcli.cli.context import invocation
from coopcli.cli.options import FileOption, FormatOption
from coopcli.cli.render import OutputFormat

config_app = typer.Typer(
    name="config",
    help="Show coopcli's settings and the config file they come from.\n\n"
    "Example: coopcli config show",
    no_args_is_help=True,
    rich_markup_mode=None,
)
commands = typer.Typer()
commands.add_typer(config_app)


def _source(source: str, origin: str) -> str:
    return f"{source} {origin}" if origin else source


@config_app.command("show")
def show(
    ctx: typer.Context,
    format: FormatOption = None,
    file: FileOption = None,
) -> None:
    """Print each setting and where it came from (flag, env, config or default).

    Example: coopcli config show --format json
    """
    from coopcli.config import config_path, settings

    path = config_path()
    chosen = settings(file or invocation(ctx).file)
    fmt = render.default_format(format)
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        data: dict[str, Any] = {
            "config_file": {"path": str(path), "exists": path.is_file()},
            "settings": {
                s.name: {"value": s.value, "source": s.source, "origin": s.origin or None}
                for s in chosen
            },
        }
        render.write(render.to_json_text(data, compact=fmt is OutputFormat.jsonl))
        return
    state = "" if path.is_file() else " (not found; every setting has its default)"
    render.info(f"Config file: {path}{state}")
    rows = [(s.name, s.value or "", _source(s.source, s.origin)) for s in chosen]
    render.settings_table(rows, fmt)
