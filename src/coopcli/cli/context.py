"""Helpers shared by the command modules: which file, loading it, asking the user."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING

import typer

from coopcli.cli import render
from coopcli.core.errors import UsageError

if TYPE_CHECKING:
    from coopcli.storage.index import Index
    from coopcli.storage.store import Store


def open_store(ctx: typer.Context, file: str | None) -> Store:
    """The store for ``--file`` given after the command, before it, or by default."""
    from coopcli.config import choose_file
    from coopcli.storage.store import Store

    root_obj = ctx.find_root().obj or {}
    choice = choose_file(file or root_obj.get("file"))
    return Store(choice.path, create_parents=choice.is_default)


def read_index(ctx: typer.Context, file: str | None) -> Index:
    """The item file's index, current with the file; a missing file is an empty list."""
    from coopcli.storage.reading import open_index

    store = open_store(ctx, file)
    if not store.exists():
        render.info(f"{store.path} does not exist yet; `coopcli add` creates it.")
    return open_index(store)


def interactive() -> bool:
    """Whether there is a person at a terminal to ask (stdin is a terminal)."""
    return sys.stdin.isatty()


def need(value: str | None, flag: str, prompt: str) -> str:
    """A required value: from its flag, else asked for on a terminal, else a usage error."""
    if value is not None:
        return value
    if interactive():
        answer: str = typer.prompt(prompt, err=True)
        return answer
    raise UsageError(f"missing {flag} (no terminal to ask on)")


def date_or_today(text: str | None) -> dt.date:
    """The date typed, or today when none was."""
    from coopcli.core.dates import parse_date, today

    return today() if text is None else parse_date(text)
