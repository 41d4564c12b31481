"""``coopcli add`` on a terminal without flags: ask for each field in turn.

Each answer is checked as it is typed (a type's key, label or number; a date in any
form ``--date`` takes; an http(s) URL; tags without commas or semicolons), and a bad
answer is explained and asked again, so what comes out is an item the file accepts.
Prompts go to stderr, so ``id=$(coopcli add)`` still captures only the new id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TypeVar

import typer

from coopcli.cli import render
from coopcli.core.dates import parse_date
from coopcli.core.errors import CoopError
from coopcli.core.itemtypes import resolve_type
from coopcli.core.view import Row
from coopcli.storage.append import NewItem

T = TypeVar("T")


def _checked(check: Callable[[str], T]) -> Callable[[str], T]:
    """Turn coopcli's errors into the re-asking kind Typer's prompt understands."""

    def proc(text: str) -> T:
        try:
            return check(text)
        except (CoopError, ValueError) as exc:
            raise typer.BadParameter(str(exc)) from None

    return proc


def type_choices(types: Mapping[str, str]) -> str:
    """The numbered list of types shown before the first question."""
    width = max(len(key) for key in types)
    lines = [f"  {n}  {key:<{width}}  {label}" for n, (key, label) in enumerate(types.items(), 1)]
    return "Types:\n" + "\n".join(lines)


def _type(types: Mapping[str, str]) -> Callable[[str], str]:

    keys = list(types)

    def check(text: str) -> str:
        text = text.strip()
        if text.isdigit() and 1 <= int(text) <= len(keys):
            return keys[int(text) - 1]
        return resolve_type(text, types)

    return check


def title_problem(text: str) -> str | None:
    """Why ``text`` cannot be a title, or None when it can."""
    return "title must not be empty" if not text.strip() else None


def _title(text: str) -> str:
    problem = title_problem(text)
    if problem is not None:
        raise ValueError(problem)
    return text.strip()


def _date(text: str) -> dt.date:

    return parse_date(text)


def _url(text: str) -> str:
    from coopcli.core.rules import check_url

    text = text.strip()
    if text:
        check_url(text)
    return text


def _tags(text: str) -> list[str]:
    from coopcli.core.rules import clean_tags

    parts = [part for part in text.split(",") if part.strip()]
    tags = clean_tags(parts)
    if tags is None:
        raise ValueError("a tag cannot contain ';' (separate tags with commas)")
    return tags


def ask_item(types: Mapping[str, str], today: dt.date, given: NewItem | None = None) -> NewItem:
    """Ask for every field of a new item (defaults from ``given``) and return it."""
    render.info(type_choices(types))
    default_type = given.type if given and given.type else next(iter(types))
    type_key: str = typer.prompt(
        "Type", default=default_type, value_proc=_checked(_type(types)), err=True
    )
    # An empty default, not None: with None, an empty answer is asked again
    # without a word of why.
    given_title = given.title if given and given.title else ""
    title: str = typer.prompt(
        "Title",
        default=given_title,
        show_default=bool(given_title),
        value_proc=_checked(_title),
        err=True,
    )
    day: dt.date = typer.prompt(
        "Date",
        default=(given.date if given else today).isoformat(),
        value_proc=_checked(_date),
        err=True,
    )
    summary: str = typer.prompt(
        "Summary (optional)",
        default=(given.summary or "") if given else "",
        show_default=False,
        err=True,
    )
    url: str = typer.prompt(
        "URL (optional)",
        default=(given.url or "") if given else "",
        show_default=False,
        value_proc=_checked(_url),
        err=True,
    )
    tags: list[str] = typer.prompt(
        "Tags, separated by commas (optional)",
        default=", ".join(given.tags) if given else "",
        show_default=False,
        value_proc=_checked(_tags),
        err=True,
    )
    return NewItem(
        type=type_key,
        title=title,
        date=day,
        summary=summary.strip() or None,
        url=url or None,
        tags=tags,
        force=given.force if given else False,
        draft=given.draft if given else False,
        embargo=given.embargo if given else None,
    )


def confirm_save(item: NewItem, label: str, date_format: str | None) -> bool:
    """Show the item as it will be saved and ask whether to save it."""

    row = Row(
        "",
        item.type,
        item.title,
        item.date,
        item.summary,
        item.url,
        tuple(item.tags),
        item.draft,
        item.embargo,
    )
    render.info("")
    render.preview_item(row, label, date_format=date_format)
    render.info("")
    answer: bool = typer.confirm("Save this item?", default=True, err=True)
    return answer
