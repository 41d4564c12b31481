"""What every command shares: the invocation's settings, the list it works on, asking."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import typer

from coopcli.cli import render
from coopcli.core.errors import UsageError

if TYPE_CHECKING:
    from coopcli.newslist import NewsList


@dataclass(frozen=True)
class Invocation:
    """What the root command was given, for every command of this run."""

    #: ``--file`` given before the command name (``coopcli -f news.toml list``).
    file: str | None = None


def invocation(ctx: typer.Context) -> Invocation:
    """This run's :class:`Invocation` (a default one when the root callback did not run)."""
    found = ctx.find_root().obj
    return found if isinstance(found, Invocation) else Invocation()


def open_list(ctx: typer.Context, file: str | None) -> NewsList:
    """The list in ``--file`` given after the command, before it, or by default."""
    from coopcli.config import choose_file
    from coopcli.newslist import NewsList

    choice = choose_file(file or invocation(ctx).file)
    return NewsList.open(choice.path, create_parents=choice.is_default)


def read_list(ctx: typer.Context, file: str | None) -> NewsList:
    """The list to read from; a missing file is an empty list, with a hint."""
    news = open_list(ctx, file)
    if not news.exists():
        render.info(f"{news.path} does not exist yet; `coopcli add` creates it.")
    return news


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
