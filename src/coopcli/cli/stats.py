"""``coopcli stats``: how many items, of which kinds, when, with which tags."""

from __future__ import annotations

from typing import Annotated

import typer

from coopcli.cli import render
from coopcli.cli.context import read_list
from coopcli.cli.options import FileOption, with_filters
from coopcli.core.query import FilterArgs
from coopcli.storage.stats import By

#: How many tags the overview shows (``--by tag`` shows them all).
OVERVIEW_TAGS = 10

commands = typer.Typer()


@commands.command()
@with_filters
def stats(
    ctx: typer.Context,
    filters: FilterArgs,
    by: Annotated[
        list[By] | None,
        typer.Option(
            "--by",
            help="Count by type, month, year or tag; repeatable. "
            "Default: type, month or year, and the top tags.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    top: Annotated[
        int | None,
        typer.Option(
            "--top", min=1, help="Show only the N largest counts (latest periods).", metavar="N"
        ),
    ] = None,
    format: Annotated[
        render.StatsFormat | None,
        typer.Option(
            "--format",
            "-F",
            help="table (a bar chart), tsv or json. Default: table on a terminal, tsv in a pipe.",
            case_sensitive=False,
            show_default=False,
        ),
    ] = None,
    file: FileOption = None,
) -> None:
    """Count items by type, month or year, and tag, with a bar chart.

    Example: coopcli stats --since 2021 --by month
    """
    from coopcli import actions

    chosen = list(dict.fromkeys(by or []))
    limit = top if top is not None or chosen else OVERVIEW_TAGS
    counted = read_list(ctx, file).stats(filters, by=chosen, limit=limit)
    parts = [f"{counted.stats.total} of {actions.plural(counted.total, 'item')}"]
    caption = " · ".join(parts + actions.filter_parts(counted.filters))
    render.print_stats(counted.stats, format, caption=caption)
