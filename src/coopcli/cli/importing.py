"""``coopcli import``: add items from other files, feeds and listing pages."""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from coopcli.cli import render
from coopcli.cli.context import open_list
from coopcli.cli.options import FileOption, format_choice

if TYPE_CHECKING:
    from coopcli import importer

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


class Undated(str, Enum):
    """What becomes of an entry that has no date (``--undated``)."""

    skip = "skip"
    today = "today"
    feed = "feed"


def _progress(work: Iterable[T], total: int) -> Iterable[T]:
    return render.progress(work, total, "Importing")


@commands.command("import", short_help="Add items from files, feeds and listing pages.")
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
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Import the valid entries even when some are not (each is reported).",
        ),
    ] = False,
    undated: Annotated[
        Undated,
        typer.Option(
            "--undated",
            help="Entries without a date: skip them, date them today, or with the feed's "
            "own date (its last update).",
        ),
    ] = Undated.skip,
    file: FileOption = None,
) -> None:
    """Import items from item files, CSV, feeds or text copied from a listing page.

    The format is told by the content (RSS 0.9x to 2.0, Atom 0.3 and 1.0, JSON Feed,
    CSV, item files, listings), else by the suffix, and said when it was guessed.
    Duplicates (same id, or same title and date) are skipped. One invalid entry (no
    title, an impossible date, an unknown type…) stops the import with every problem
    listed and nothing written, unless --skip-invalid. All is written at once.

    Example: coopcli import --dry-run --undated today listing.txt https://example.org/rss.xml
    """
    from coopcli import importer

    if inputs.count("-") > 1:
        raise typer.BadParameter("'-' (standard input) can be given only once")
    # Everything is read (and fetched) before the item file is locked.
    results = []
    for arg in inputs:
        item = importer.read_input(arg)
        chosen = importer.choose(item, format)
        result = importer.read_as(item, chosen)
        if dry_run or chosen.guessed:
            render.info(importer.describe(item, chosen, result))
        for line in result.warnings:
            render.warning(line)
        results.append((item.source, result))
    news = open_list(ctx, file)
    total = sum(len(result.drafts) for _, result in results)
    try:
        report = news.import_(
            results,
            default_type=type,
            dry_run=dry_run,
            skip_invalid=skip_invalid,
            progress=_progress if total >= PROGRESS_FROM else None,
            undated=undated.value,
        )
    except importer.Refused as refused:
        # Every problem first, the one-line error last.
        for problem in refused.problems:
            render.info(f"  {problem}")
        raise
    except importer.NothingImported as exc:
        _show_entries(exc.report)
        raise
    _show_entries(report)
    if dry_run:
        newest_first = sorted(report.added, key=lambda i: (i.date, i.id), reverse=True)
        render.print_items(newest_first, news.types(), None)
    for change in report.metadata:
        render.info(f"{'Would take' if dry_run else 'Took'} {change}")
    for source in report.empty:
        render.warning(f"{source}: no entries to import")
    render.info(report.summary(dry_run=dry_run))
    if report.undated:
        render.info(
            f"{_count(report.undated, 'entry has', 'entries have')} no date: "
            f"{importer.UNDATED_HINT}"
        )


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _show_entries(report: importer.Report) -> None:
    """Each entry skipped or completed, and why (the first few of each kind)."""
    for skipped in report.duplicates[:SHOWN]:
        render.info(f"Skipped duplicate: {skipped}")
    if len(report.duplicates) > SHOWN:
        render.info(f"… and {len(report.duplicates) - SHOWN} more duplicates")
    for skipped in report.invalid[:SHOWN]:
        render.warning(f"skipped invalid entry: {skipped}")
    if len(report.invalid) > SHOWN:
        render.warning(f"… and {len(report.invalid) - SHOWN} more invalid entries")
    for note in report.notes[:SHOWN]:
        render.info(f"Note: {note}")
    if len(report.notes) > SHOWN:
        render.info(f"… and {len(report.notes) - SHOWN} more notes")
