"""``coopcli restore-backup``: put the previous version of the item file back."""

from __future__ import annotations

from typing import Annotated

import typer

from coopcli.cli import context as cliutil
from coopcli.cli import render
from coopcli.cli.context import open_list
from coopcli.cli.options import FileOption
from coopcli.core.errors import UsageError

commands = typer.Typer()


@commands.command("restore-backup")
def restore_backup(
    ctx: typer.Context,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    file: FileOption = None,
) -> None:
    """Put back the version of the item file before the last change (<file>.bak).

    The replaced version becomes the backup, so running it again undoes the restore.

    Example: coopcli restore-backup --yes
    """
    from coopcli.storage import backup

    news = open_list(ctx, file)
    store = news.store
    shown = None
    if not yes:
        if not cliutil.interactive():
            raise UsageError(
                "not restoring without confirmation: add --yes (no terminal to ask on)"
            )
        # Ask without holding the lock; the restore then checks nothing changed since.
        shown = news.backup_plan()
        if not shown.identical:
            for line in shown.describe(store):
                render.info(line)
            if not typer.confirm(f"Restore {store.path} from its backup?", err=True):
                render.info("Nothing restored.")
                return
    swap = news.restore_backup(expect=shown)
    if swap.identical:
        render.info(f"Nothing to restore: {backup.shown_path(store)} is the same as {store.path}")
        return
    count = len(swap.backup_doc.items)
    kept = f"; the replaced version is now {backup.shown_path(store)}" if swap.current else ""
    render.info(
        f"Restored {store.path} from its backup ({count} item{'' if count == 1 else 's'}){kept}"
    )
