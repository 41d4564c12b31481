"""``coopcli publish``: make drafts and embargoed items public now."""

from __future__ import annotations

from typing import Annotated

import typer

from coopcli.cli import render
from coopcli.cli.completion import complete_ids
from coopcli.cli.context import open_list
from coopcli.cli.options import FileOption

commands = typer.Typer()


@commands.command()
def publish(
    ctx: typer.Context,
    ids_: Annotated[
        list[str],
        typer.Argument(
            metavar="ID...",
            help="Ids (or unique prefixes) of the items to publish.",
            autocompletion=complete_ids,
        ),
    ],
    file: FileOption = None,
) -> None:
    """Publish drafts and embargoed items now: clears their draft mark and embargo.

    They are in the next export, feed and site build.

    Example: coopcli publish 2026-12-10-annual-report
    """
    items, done = open_list(ctx, file).publish(ids_)
    for item in items:
        if item.id in done:
            render.info(f"Published {item.id}")
        else:
            render.info(f"{item.id} was already published")
