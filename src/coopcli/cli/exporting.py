"""``coopcli export``: items in a publishing format, to stdout or a file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from coopcli.cli import render
from coopcli.cli.context import read_list
from coopcli.cli.options import (
    FileOption,
    format_choice,
    with_filters,
)
from coopcli.core.query import FilterArgs

if TYPE_CHECKING:
    pass

commands = typer.Typer()


def _format_help() -> str:
    from coopcli import formats

    return (
        "One of: "
        + ", ".join(formats.names(exports=True))
        + ". Default: from --output's suffix, else json."
    )


@commands.command()
@with_filters
def export(
    ctx: typer.Context,
    filters: FilterArgs,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-F",
            help=_format_help(),
            callback=format_choice(exports=True),
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", metavar="FILE"
        ),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(
            "--query",
            "-q",
            help="Export only what this search finds (as `coopcli search` reads it), "
            "best match first.",
            metavar="QUERY",
            show_default=False,
        ),
    ] = None,
    feed_title: Annotated[
        str | None,
        typer.Option(
            "--feed-title",
            help="The list's title in the export (default: the file's title).",
            metavar="TEXT",
        ),
    ] = None,
    feed_link: Annotated[
        str | None,
        typer.Option(
            "--feed-link",
            help="The list's web page in the export (default: the file's link).",
            metavar="URL",
        ),
    ] = None,
    include_drafts: Annotated[
        bool,
        typer.Option(
            "--include-drafts",
            help="Also export drafts and items whose embargo has not ended (for review).",
        ),
    ] = False,
    file: FileOption = None,
) -> None:
    """Export items (all, filtered or found by a search) in a publishing format.

    Drafts and items still under embargo are left out unless --include-drafts; an
    embargoed item is in every export made after its embargo ends.

    Example: coopcli export --format json --since 2021-10 --query untfsse --output news.json

    Example: coopcli export -o news.rss --feed-link https://example.org/news
    """
    from coopcli import actions, formats
    from coopcli.config import checked_path, feed_defaults

    target = None if output is None else checked_path(output)
    name = format
    if name is None:
        guessed = formats.for_path(target) if target else None
        name = guessed.name if guessed else "json"
    news = read_list(ctx, file)
    meta = news.meta()
    # The list's title and link: the flags, else the file's own, else the config's.
    defaults = feed_defaults()
    title = feed_title if feed_title is not None or meta.title else defaults.title
    link = feed_link if feed_link is not None or meta.link else defaults.link
    exported = news.export(
        name, filters, query=query, title=title, link=link, include_drafts=include_drafts
    )
    for line in exported.warnings:
        render.warning(line)
    if target is None:
        render.write(exported.text)
        return
    from coopcli.storage.atomic import atomic_write

    atomic_write(target, exported.text.encode("utf-8"))
    render.info(f"Wrote {actions.plural(exported.count, 'item')} to {output} ({name})")
