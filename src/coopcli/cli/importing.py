"""``coopcli import``: add items from other files, feeds and listing pages."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, TypeVar

import typer

from coopcli.cli import render
from coopcli.cli.context import open_list
from coopcli.cli.options import FileOption, format_choice

#: From this many entries on, a terminal shows a progress bar.
PROGRESS_FROM = 200
#: How many skipped entries are listed one by one (the summary counts them all).
SHOWN = 10


def _format_help() -> str:
    from coopcli import formats

    return (
        "One of: "
        + ", ".join(formats.names(imports=True))
        + ". Default: from the suffix (.txt is listing), else from the content."
    )


T = TypeVar("T")
commands = typer.Typer()


def _progress(work: Iterable[T], total: int) -> Iterable[T]:
    return render.progress(work, total, "Importing")


@commands.command("import")
def import_(
    ctx: typer.Context,
    inputs: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...",
            help="Files to import, '-' for standard input, or http(s):// URLs of feeds.",
            show_default=False,
        ),
    ],
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-F",
            help=_format_help(),
            callback=format_choice(imports=True),
            metavar="FORMAT",
            show_default=False,
        ),
    ] = None,
    type: Annotated[
        str | None,
        typer.Option(
            "--type",
            "-t",
            metavar="TYPE",
            help="Type for entries that name no known type. Default: their own, else news.",
            show_default=False,
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added; write nothing.")
    ] = False,
    file: FileOption = None,
) -> None:
    """Import items from item files, CSV, feeds or text copied from a listing page.

    Duplicates (same id, or same title and date) are skipped; all is written at once.

    Example: coopcli import --dry-run listing.txt https://example.org/rss.xml
    """
    from coopcli import importer

    if inputs.count("-") > 1:
        raise typer.BadParameter("'-' (standard input) can be given only once")
    # Everything is read (and fetched) before the item file is locked.
    results = []
    for arg in inputs:
        item = importer.read_input(arg)
        _, result = importer.read(item, format)
        results.append((item.source, result))
    news = open_list(ctx, file)
    total = sum(len(result.drafts) for _, result in results)
    report = news.import_(
        results,
        default_type=type,
        dry_run=dry_run,
        progress=_progress if total >= PROGRESS_FROM else None,
    )
    if dry_run:
        newest_first = sorted(report.added, key=lambda i: (i.date, i.id), reverse=True)
        render.print_items(newest_first, news.types(), None)
    for skipped in report.duplicates[:SHOWN]:
        render.info(f"Skipped duplicate: {skipped}")
    if len(report.duplicates) > SHOWN:
        render.info(f"… and {len(report.duplicates) - SHOWN} more duplicates")
    for skipped in report.invalid[:SHOWN]:
        render.warning(f"skipped invalid entry: {skipped}")
    if len(report.invalid) > SHOWN:
        render.warning(f"… and {len(report.invalid) - SHOWN} more invalid entries")
    for change in report.metadata:
        render.info(f"{'Would take' if dry_run else 'Took'} {change}")
    render.info(report.summary(dry_run=dry_run))
