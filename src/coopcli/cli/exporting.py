"""``coopcli export``: items in a publishing format, to stdout or a file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated

import typer

from coopcli.cli import render
from coopcli.cli.context import read_list
from coopcli.cli.options import (
    FileOption,
    format_choice,
    with_filters,
)
from coopcli.core.errors import DataError, UsageError
from coopcli.core.query import FilterArgs

if TYPE_CHECKING:
    from coopcli.newslist import StreamedExport

commands = typer.Typer()


def _format_help() -> str:
    from coopcli import formats

    return (
        "One of: "
        + ", ".join(formats.names(exports=True))
        + ". Default: from --output's suffix (.rss, .atom, .json, .md, .html, .csv, "
        ".toml), else json on stdout."
    )


@commands.command(short_help="Publish items as a feed, a web page or a data file.")
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
            metavar="FORMAT",
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
            help="The list's title in the export (default: the file's `title`; "
            "`coopcli init` sets it).",
            metavar="TEXT",
        ),
    ] = None,
    feed_link: Annotated[
        str | None,
        typer.Option(
            "--feed-link",
            help="The list's web page in the export (default: the file's `link`).",
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
    allow_empty: Annotated[
        bool,
        typer.Option(
            "--allow-empty",
            help="Replace an existing --output file even when nothing is selected.",
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
    if name is None and target is not None:
        guessed = formats.for_path(target)
        if guessed is None or not guessed.exports:
            suffix = repr(target.suffix) if target.suffix else "no suffix"
            raise UsageError(
                f"{output}: {suffix} does not say which format to write; "
                f"give --format (one of: {', '.join(formats.names(exports=True))})"
            )
        name = guessed.name
    name = name or "json"
    news = read_list(ctx, file)
    meta = news.meta()
    # The list's title and link: the flags, else the file's own, else the config's.
    defaults = feed_defaults()
    title = feed_title if feed_title is not None or meta.title else defaults.title
    link = feed_link if feed_link is not None or meta.link else defaults.link
    # Written a batch of items at a time, never all of them in memory at once.
    streamed = news.export_stream(
        name, filters, query=query, title=title, link=link, include_drafts=include_drafts
    )
    if target is not None and not allow_empty and target.exists() and streamed.empty():
        raise DataError(_LEFT_AS_IT_IS.format(output=output))
    for line in streamed.warnings:
        render.warning(line)
    if target is None:
        _write_in_chunks(streamed, render.write)
        return
    from coopcli.storage.atomic import atomic_write_from

    def produce(write: Callable[[bytes], None]) -> None:
        _write_in_chunks(streamed, lambda text: write(text.encode("utf-8")))

    atomic_write_from(target, produce)
    render.info(f"Wrote {actions.plural(streamed.count, 'item')} to {output} ({name})")


_LEFT_AS_IT_IS = (
    "nothing selected, so {output} is left as it is "
    "(--allow-empty replaces it with an empty export)"
)


def _write_in_chunks(streamed: StreamedExport, out: Callable[[str], None]) -> None:
    chunks = _Chunks(out)
    streamed.write(chunks.write)
    chunks.flush()


class _Chunks:
    """Text gathered into pieces of about a megabyte: an export writes many small ones."""

    SIZE = 1 << 20

    def __init__(self, out: Callable[[str], None]) -> None:
        self._out = out
        self._parts: list[str] = []
        self._size = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._size += len(text)
        if self._size >= self.SIZE:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._out("".join(self._parts))
            self._parts.clear()
            self._size = 0
