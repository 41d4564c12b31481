"""Editing an item in the user's editor, as a short TOML document.

The editor is ``$VISUAL``, ``$EDITOR``, config ``editor``, else a default that is
installed. The item is written to a temporary file with comments listing the types;
after the editor closes, the text is checked like any item. A bad edit is explained
and, on a terminal, the editor reopens on the same text (with the error at the top),
so nothing typed is lost. No lock is held while the editor is open: the caller saves
the result in a transaction, and keeps the file when saving fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer

from coopcli.cli import render
from coopcli.core.errors import CoopError, UsageError
from coopcli.core.itemtypes import resolve_type
from coopcli.core.view import EDITABLE_FIELDS, to_data
from coopcli.storage.append import NewItem

if TYPE_CHECKING:
    from coopcli.core.view import ItemView
    from coopcli.newslist import Edited, NewsList

T = TypeVar("T")

FIELDS = EDITABLE_FIELDS
_ERROR_PREFIX = "# Error: "


@dataclass(frozen=True)
class Fields:
    """An item's editable fields, checked (type resolved to its key)."""

    type: str
    title: str
    date: dt.date
    summary: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)


class EditCancelled(Exception):
    """The user emptied the file (or left a new item's template untouched)."""


def editor_command() -> tuple[list[str], bool]:
    """The editor's command words, and whether the user chose it (not a default)."""
    from coopcli.config import editor_setting

    setting = editor_setting()
    words = shlex.split(setting.value or "")
    if not words:  # pragma: no cover - editor_setting never gives a blank value
        raise UsageError("the editor setting is empty (set VISUAL, EDITOR or config 'editor')")
    return words, not setting.is_default


def template(
    data: Mapping[str, Any], types: Mapping[str, str], *, item_id: str | None = None
) -> str:
    """The text the editor opens: comments, then the fields as TOML."""
    import tomli_w

    width = max(len(key) for key in types)
    head = (
        [f"# Editing {item_id} (its id never changes)."]
        if item_id
        else ["# A new item: fill it in."]
    )
    head += [
        "# Save and close the editor to apply it; empty the file to cancel.",
        "#",
        "# type: one of these keys (or its label):",
        *(f"#   {key:<{width}}  {label}" for key, label in types.items()),
        '# date: 2021-10-29 (or text such as "29 October 2021").',
        '# summary and url may be left empty; tags: a list such as ["asia", "sse"].',
    ]
    values = {
        "type": data.get("type") or "",
        "title": data.get("title") or "",
        "date": data.get("date") or "",
        "summary": data.get("summary") or "",
        "url": data.get("url") or "",
        "tags": list(data.get("tags") or []),
    }
    return "\n".join(head) + "\n\n" + tomli_w.dumps(values, multiline_strings=True)


def _strip_errors(text: str) -> str:
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith(_ERROR_PREFIX):
        lines.pop(0)
    return "".join(lines)


def with_error(text: str, message: str) -> str:
    """The text again, with the error as a comment on top (for the reopened editor)."""
    return f"{_ERROR_PREFIX}{message}\n" + _strip_errors(text)


def _is_blank(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _text(data: dict[str, Any], key: str, *, required: bool) -> str | None:
    value = data.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise UsageError(f"{key}: a {key} is needed")
        return None
    if not isinstance(value, str):
        raise UsageError(f'{key}: must be text in quotes ({key} = "…")')
    return value.strip()


def parse(text: str, types: Mapping[str, str]) -> Fields:
    """Check edited text; raises :class:`EditCancelled` when it is empty."""
    from coopcli.core.rules import check_url, clean_tags
    from coopcli.formats.toml import parse as parse_toml

    if _is_blank(text):
        raise EditCancelled
    data = parse_toml(text.encode("utf-8"), "edited item")
    if "id" in data:
        raise UsageError("id: an item's id never changes; remove the id line")
    unknown = sorted(set(data) - set(FIELDS))
    if unknown:
        raise UsageError(f"unknown field {unknown[0]!r} (fields: {', '.join(FIELDS)})")
    type_text = _text(data, "type", required=True)
    title = _text(data, "title", required=True)
    assert type_text is not None
    assert title is not None
    raw_date = data.get("date")
    if isinstance(raw_date, dt.datetime) or not isinstance(raw_date, (dt.date, str)):
        raise UsageError("date: must be a date such as 2021-10-29")
    if isinstance(raw_date, str):
        from coopcli.core.dates import parse_date

        if not raw_date.strip():
            raise UsageError("date: a date is needed")
        try:
            raw_date = parse_date(raw_date.strip())
        except UsageError as exc:
            raise UsageError(f"date: {exc}") from None
    url = _text(data, "url", required=False)
    try:
        check_url(url)
    except ValueError as exc:
        raise UsageError(f"url: {exc}") from None
    raw_tags = data.get("tags", [])
    if not isinstance(raw_tags, list) or not all(isinstance(tag, str) for tag in raw_tags):
        raise UsageError('tags: must be a list of text, such as ["asia", "sse"]')
    tags = clean_tags([tag for tag in raw_tags if tag.strip()])
    if tags is None:
        raise UsageError("tags: a tag cannot contain ',' or ';'")
    return Fields(
        type=resolve_type(type_text, types),
        title=title,
        date=raw_date,
        summary=_text(data, "summary", required=False),
        url=url,
        tags=tags,
    )


def run_editor(path: Path) -> None:
    """Open ``path`` in the user's editor and wait for it to close."""
    words, _ = editor_command()
    try:
        status = subprocess.call([*words, str(path)])
    except OSError as exc:
        raise CoopError(
            f"cannot run the editor {words[0]!r}: {exc.strerror} "
            "(set VISUAL or EDITOR, or 'editor' in the config file)"
        ) from None
    if status != 0:
        raise CoopError(f"the editor {words[0]!r} exited with status {status}")


class Draft:
    """The temporary file the editor works on; kept when the edit is not saved."""

    def __init__(self, text: str, name: str) -> None:
        handle, path = tempfile.mkstemp(prefix=f"coopcli-{name}-", suffix=".toml")
        self.path = Path(path)
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)

    def read(self) -> str:
        """What the editor left in the file."""
        try:
            return self.path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CoopError(f"{self.path}: cannot read the edited item: {exc}") from None

    def write(self, text: str) -> None:
        """Replace the file's text (before reopening the editor)."""
        self.path.write_text(text, encoding="utf-8")

    def discard(self) -> None:
        """Delete the file: its text was saved, or there was nothing to keep."""
        self.path.unlink(missing_ok=True)

    def kept(self, message: str, like: CoopError | None = None) -> CoopError:
        """An error saying what went wrong and where the edited text is kept.

        It has the exit code of ``like`` (the error that stopped the save), if given.
        """
        error = type(like) if like is not None else CoopError
        return error(f"{message}; nothing was saved, your text is kept in {self.path}")


def edit(
    draft: Draft,
    check: Callable[[str], T],
    *,
    can_ask: bool,
    ask_again: Callable[[], bool] | None = None,
    unchanged_cancels: bool = False,
) -> T:
    """Open the editor until ``check`` accepts the text, the user gives up or cancels.

    A refused text reopens the editor when ``can_ask`` (a terminal) and the user
    agrees; otherwise the error is raised, naming the kept draft. With
    ``unchanged_cancels``, closing the editor without a change cancels (a new item's
    untouched template).
    """
    _, chosen = editor_command()
    if not chosen and not can_ask:
        draft.discard()
        raise UsageError(
            "no editor chosen: set VISUAL or EDITOR, or 'editor' in the config file "
            "(the default editor needs a terminal)"
        )
    original = draft.read()
    ask = ask_again or _ask_again
    while True:
        try:
            run_editor(draft.path)
        except CoopError as exc:
            raise draft.kept(str(exc), like=exc) from None
        text = draft.read()
        try:
            if unchanged_cancels and _strip_errors(text) == original:
                raise EditCancelled
            return check(_strip_errors(text))
        except EditCancelled:
            draft.discard()
            raise
        except CoopError as exc:
            if not can_ask:
                raise draft.kept(f"the edited item is not valid: {exc}", like=exc) from None
            render.error(str(exc))
            if not ask():
                raise draft.kept("the edited item is not valid", like=exc) from None
            draft.write(with_error(text, str(exc)))


def _ask_again() -> bool:

    answer: bool = typer.confirm("Edit it again?", default=True, err=True)
    return answer


def _same(fields: Fields, item: ItemView) -> bool:
    return (fields.type, fields.title, fields.date, fields.summary, fields.url, fields.tags) == (
        item.type,
        item.title,
        item.date,
        item.summary,
        item.url,
        list(item.tags),
    )


def edit_existing(news: NewsList, ref: str, *, force: bool, can_ask: bool) -> Edited | None:
    """Edit an item in the editor and save it; None when the user cancelled.

    The file is read without the lock and the editor runs without it (it may stay
    open for minutes). The save then takes the lock and checks that the item is
    still as it was when the editor opened; if another command changed or removed
    it meanwhile, nothing is saved and the edited text is kept.
    """
    from coopcli.newslist import Edited

    [item] = news.find([ref])
    before = to_data(item)
    types = news.types()
    draft = Draft(template(before, types, item_id=item.id), item.id)
    try:
        fields = edit(draft, lambda text: parse(text, types), can_ask=can_ask)
    except EditCancelled:
        render.info("Cancelled; nothing was saved.")
        return None
    if _same(fields, item):
        draft.discard()
        return Edited(item, [])
    try:
        edited = news.edit(
            item.id,
            expect=item,
            type=fields.type,
            title=fields.title,
            date=fields.date,
            summary=fields.summary or "",
            url=fields.url or "",
            add_tags=fields.tags,
            remove_tags=list(item.tags),
            force=force,
        )
    except CoopError as exc:
        raise draft.kept(str(exc), like=exc) from None
    draft.discard()
    return edited


def new_item(
    types: Mapping[str, str], given: NewItem, *, can_ask: bool
) -> tuple[NewItem, Draft] | None:
    """A new item written in the editor (prefilled from ``given``); None if cancelled.

    The caller saves it, and on failure keeps the draft with :meth:`Draft.kept`.
    """
    data = {
        "type": given.type,
        "title": given.title,
        "date": given.date,
        "summary": given.summary,
        "url": given.url,
        "tags": list(given.tags),
    }
    draft = Draft(template(data, types), "new")
    try:
        fields = edit(
            draft, lambda text: parse(text, types), can_ask=can_ask, unchanged_cancels=True
        )
    except EditCancelled:
        render.info("Cancelled; nothing was added.")
        return None
    new = NewItem(
        fields.type,
        fields.title,
        fields.date,
        fields.summary,
        fields.url,
        fields.tags,
        given.force,
        draft=given.draft,
        embargo=given.embargo,
    )
    return new, draft
