"""``coopcli log``: an item's history, from git."""

from __future__ import annotations

from typing import Annotated

import typer

from coopcli.cli import render
from coopcli.cli.completion import complete_ids
from coopcli.cli.context import open_list
from coopcli.cli.options import FileOption
from coopcli.cli.render import OutputFormat
from coopcli.core.errors import NotFoundError, UsageError

commands = typer.Typer()


@commands.command(short_help="Show an item's history from git.")
def log(
    ctx: typer.Context,
    id: Annotated[
        str,
        typer.Argument(
            help="Item id, or a unique prefix of an item still in the list.",
            show_default=False,
            autocompletion=complete_ids,
        ),
    ],
    format: Annotated[
        OutputFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="table (lines for people) or json. Default: table.",
            show_default=False,
        ),
    ] = None,
    file: FileOption = None,
) -> None:
    """Show an item's history from git: when, who, which fields changed.

    The item file must be in a git repository; the history is read in one pass.

    Example: coopcli log 2021-10-28-ilo-country-briefs
    """
    from coopcli.git.log import history

    store = open_list(ctx, file).store
    item_id = id.strip()
    if not item_id:
        raise UsageError("an item id cannot be empty")
    data = store.read_bytes()
    entries = [] if data is None else store.parse_raw(data).get("items") or []
    known = [str(e["id"]) for e in entries if isinstance(e, dict) and "id" in e]
    if item_id not in known:
        matches = [other for other in known if other.startswith(item_id)]
        if len(matches) > 1:
            raise UsageError(f"id prefix {item_id!r} is ambiguous: {', '.join(matches[:5])}")
        # No match: an item removed since, whose exact id still finds its history.
        item_id = matches[0] if matches else item_id
    changes = history(store.path, item_id, store.parse_raw)
    if not changes:
        raise NotFoundError(f"no commit in git's history of {store.path} touches {item_id!r}")
    if format in (OutputFormat.json, OutputFormat.jsonl):
        compact = format is OutputFormat.jsonl
        if compact:
            render.write("".join(render.to_json_text(c.to_json(), compact=True) for c in changes))
        else:
            render.write(render.to_json_text([c.to_json() for c in changes]))
        return
    lines = []
    for change in changes:
        what = change.action if change.action != "changed" else ", ".join(change.fields)
        when = change.date.strftime("%Y-%m-%d %H:%M %z")
        lines.append(f"{when}  {change.commit[:10]}  {change.author}  {what}  ({change.subject})")
    render.write("".join(line + "\n" for line in lines))
