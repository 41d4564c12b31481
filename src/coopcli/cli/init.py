"""``coopcli init``: start a new list with its title, link, description and own types."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Annotated

import typer

from coopcli.cli import context as cliutil
from coopcli.cli import render
from coopcli.cli.options import FileOption
from coopcli.core.errors import CoopError, UsageError
from coopcli.core.itemtypes import BUILTIN_TYPES

commands = typer.Typer()


def parse_types(pairs: Sequence[str]) -> dict[str, str]:
    """``KEY=Label`` pairs as a dict; a pair without ``=`` or with a bad key is refused."""

    types: dict[str, str] = {}
    for pair in pairs:
        key, sep, label = (part.strip() for part in pair.partition("="))
        if not sep or not key or not label:
            raise UsageError(f"--type {pair!r}: write it KEY=Label, e.g. brief='News brief'")
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", key):
            raise UsageError(
                f"--type {pair!r}: a type key is lower-case letters, digits, '_' and '-'"
            )
        if key in BUILTIN_TYPES:
            raise UsageError(f"--type {pair!r}: {key!r} is a built-in type already")
        types[key] = label
    return types


def _ask(prompt: str, check: Callable[[str], object] | None = None) -> str | None:
    """An optional answer, asked again with the reason while ``check`` refuses it."""
    while True:
        answer: str = typer.prompt(prompt, default="", show_default=False, err=True)
        answer = answer.strip()
        if not answer or check is None:
            return answer or None
        try:
            check(answer)
        except (CoopError, ValueError) as exc:
            render.error(str(exc))
            continue
        return answer


def _link(text: str) -> None:
    from coopcli.core.rules import check_url

    check_url(text)


def _types(text: str) -> None:
    parse_types([part for part in text.split(",") if part.strip()])


@commands.command(short_help="Start a new list: its title, link, description, types.")
def init(
    ctx: typer.Context,
    title: Annotated[
        str | None,
        typer.Option(
            "--title", help="The list's name, as feeds and pages show it.", metavar="TEXT"
        ),
    ] = None,
    link: Annotated[
        str | None,
        typer.Option("--link", help="The web page where the list is published.", metavar="URL"),
    ] = None,
    description: Annotated[
        str | None,
        typer.Option("--description", help="One sentence saying what the list is.", metavar="TEXT"),
    ] = None,
    type_: Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            help="A type of your own besides news, spotlight, champion, statement and "
            "story, as KEY=Label; repeatable.",
            metavar="KEY=LABEL",
            show_default=False,
        ),
    ] = None,
    file: FileOption = None,
) -> None:
    """Start a new list: its title, link, description and types of its own.

    Feeds (RSS, Atom, JSON Feed) and the HTML page show the title, link and
    description. Each item has a type: the built-in news, spotlight, champion,
    statement and story, and any of the list's own, kept in the file's [types]
    table (key = "Label"). On a terminal, asks for what the flags do not give.
    All of it can be changed later in the file itself.

    Example: coopcli init --title "Cooperative news" --link https://example.org/news

    Example: coopcli --file team.toml init --type brief="News brief"
    """
    news = cliutil.open_list(ctx, file)
    if news.exists():
        raise CoopError(f"{news.path} already exists; nothing changed")
    own = parse_types(type_ or [])
    if cliutil.interactive() and None in (title, link, description, type_):
        # Ask for what the flags left out; Enter leaves a field empty.
        render.info(f"A new list in {news.path} (press Enter to leave a field empty).")
        if title is None:
            title = _ask("Title of the list")
        if link is None:
            link = _ask("Web page it is published at", _link)
        if description is None:
            description = _ask("One sentence about it")
        if type_ is None:
            answer = _ask("Types of your own, KEY=Label separated by commas", _types)
            own = parse_types([p for p in (answer or "").split(",") if p.strip()])
    news.create(title=title, link=link, description=description, types=own)
    render.info(f"Created {news.path}; `coopcli add` adds the first item.")
