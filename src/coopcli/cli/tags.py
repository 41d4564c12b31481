"""``coopcli tags``: tags with their counts, and renaming or merging them everywhere."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from coopcli.cli import render
from coopcli.cli.completion import complete_tags
from coopcli.cli.context import open_list, read_list
from coopcli.cli.options import FileOption, FormatOption
from coopcli.cli.render import OutputFormat

if TYPE_CHECKING:
    from coopcli.core.tags import Retag

commands = typer.Typer()
tags_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
commands.add_typer(tags_app, name="tags", short_help="List, rename and merge tags.")

DryRunOption = Annotated[
    bool, typer.Option("--dry-run", "-n", help="Show what would change; write nothing.")
]


@tags_app.callback()
def tags(
    ctx: typer.Context,
    format: FormatOption = None,
    file: FileOption = None,
) -> None:
    """List tags with their counts; rename or merge them in every item.

    Most used first. With a vocabulary ([tags] in the item file), each tag's label
    is shown too.

    Example: coopcli tags --format json

    Example: coopcli tags merge asia asia-pacific --into asia --dry-run
    """
    if ctx.invoked_subcommand is not None:
        return
    from coopcli.core.tags import count_tags

    with read_list(ctx, file).index() as idx:
        counts = count_tags(idx.rows(), idx.meta.vocabulary)
        labelled = bool(idx.meta.vocabulary)
    if format in (OutputFormat.json, OutputFormat.jsonl):
        if format is OutputFormat.json:
            render.write(render.to_json_text([c.to_json() for c in counts]))
        else:
            render.write("".join(render.to_json_text(c.to_json(), compact=True) for c in counts))
        return
    headers = ["Tag", "Items"] + (["Label"] if labelled else [])
    rows = [[c.tag, str(c.count)] + ([c.label or ""] if labelled else []) for c in counts]
    render.simple_table(headers, rows, format, right=["Items"])


def _retag(
    ctx: typer.Context,
    file: str | None,
    sources: list[str],
    target: str,
    *,
    dry_run: bool,
    verb: str,
) -> None:
    from coopcli import actions

    news = open_list(ctx, file)
    changes = news.retag(sources, target, dry_run=dry_run)
    if dry_run:
        _show(changes)
        render.info(f"Would change {actions.plural(len(changes), 'item')}; nothing was written.")
        return
    quoted = " and ".join(repr(tag) for tag in sources)
    render.info(f"{verb} {quoted} into {target!r}: {actions.plural(len(changes), 'item')} changed")


def _show(changes: list[Retag]) -> None:
    render.write(
        "".join(
            f"{change.id}\t{', '.join(change.before)}\t{', '.join(change.after)}\n"
            for change in changes
        )
    )


@tags_app.command()
def rename(
    ctx: typer.Context,
    old: Annotated[str, typer.Argument(help="The tag to rename.", autocompletion=complete_tags)],
    new: Annotated[str, typer.Argument(help="Its new name.")],
    dry_run: DryRunOption = False,
    file: FileOption = None,
) -> None:
    """Rename a tag in every item, in one write.

    Example: coopcli tags rename "social economy" sse --dry-run
    """
    _retag(ctx, file, [old], new, dry_run=dry_run, verb="Renamed")


@tags_app.command()
def merge(
    ctx: typer.Context,
    sources: Annotated[
        list[str],
        typer.Argument(metavar="TAG...", help="The tags to merge.", autocompletion=complete_tags),
    ],
    into: Annotated[str, typer.Option("--into", help="The tag they become.", show_default=False)],
    dry_run: DryRunOption = False,
    file: FileOption = None,
) -> None:
    """Merge several tags into one in every item, in one write.

    Example: coopcli tags merge asia asia-pacific --into "Asia and the Pacific"
    """
    _retag(ctx, file, sources, into, dry_run=dry_run, verb="Merged")
