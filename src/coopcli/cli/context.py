"""What every command shares: the invocation's settings, the list it works on, asking."""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from coopcli.cli import render
from coopcli.core.dates import parse_date, today
from coopcli.core.errors import DataError, UsageError

if TYPE_CHECKING:
    from coopcli.config import FileChoice
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
    return _open(ctx, file)[0]


def _open(ctx: typer.Context, file: str | None) -> tuple[NewsList, FileChoice]:
    from coopcli.config import choose_file, limits
    from coopcli.newslist import NewsList

    choice = choose_file(file or invocation(ctx).file)
    news = NewsList.open(choice.path, create_parents=choice.is_default)
    news.limits = limits()
    _git_hints(news.path)
    return news, choice


def _git_hints(path: Path) -> None:
    """Tidy after a resolved merge, and say once per clone when git-setup is missing."""
    from coopcli.git import state

    removed = state.tidy_conflict(path)
    if removed is not None:
        render.info(f"Removed {removed}: the merge it was kept for is resolved.")
    root = state.driver_not_configured(path)
    if root is not None and _first_time("git-setup", root):
        render.warning(
            f"{root / '.gitattributes'} asks git to merge {path.name} with coopcli, but this "
            "clone has no `merge.coopcli` driver configured, so a merge would leave conflict "
            f"markers: run `coopcli --file {path} git-setup` once in this clone"
        )


def _first_time(topic: str, about: Path) -> bool:
    """True the first time this is asked for ``topic`` and ``about``; remembered in the cache."""
    import hashlib

    import platformdirs

    key = hashlib.sha256(str(about.resolve()).encode()).hexdigest()[:16]
    stamp = Path(platformdirs.user_cache_dir("coopcli")) / "said" / f"{topic}-{key}"
    if stamp.exists():
        return False
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:
        pass  # said again next time, which is better than never
    return True


def read_list(ctx: typer.Context, file: str | None) -> NewsList:
    """The list to read from.

    A file named on purpose (``--file``, ``$COOPCLI_FILE``, the config) that does
    not exist is an error: a typo must not look like an empty list. Only the
    default file, before its first item, is an empty list, with a hint.
    """
    news, choice = _open(ctx, file)
    if not news.exists():
        if not choice.is_default:
            raise DataError(
                f"{news.path}: no such item file (named by {choice.source}); "
                f"`coopcli init --file {news.path}` or `coopcli add --file {news.path}` "
                "creates it"
            )
        render.info(f"{news.path} does not exist yet; `coopcli init` or `coopcli add` creates it.")
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

    return today() if text is None else parse_date(text)
