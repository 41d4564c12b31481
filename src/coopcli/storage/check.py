"""``coopcli check``: every problem of an item file, one per line.

Loading stops at the first problem; a pre-commit hook or the web site's CI wants
them all. Parsing is the store's; the schema is the models' (each item validated on
its own, so one bad item does not hide the next); on top come the checks that span
items or look outside the schema: duplicate ids, the same title on the same date,
unknown types, tags outside the list's vocabulary (when it has one, ``[tags]``),
and dates too far in the future on published items (a draft or an
embargoed item carries the date it is meant to come out on, so its date may be in
the future; an embargo without an offset and a time-zone name is a schema error).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from coopcli.core.errors import DataError
from coopcli.storage.store import item_lines, location

if TYPE_CHECKING:
    from pydantic import ValidationError

    from coopcli.storage.store import Store

_MARKER = re.compile(rb"^(?:<{7}|>{7})(?: |$)", re.MULTILINE)
_POSITION = re.compile(r"^:(\d+)(?::\d+)?: ")


@dataclass(frozen=True)
class Problem:
    """One problem: where it is (file, line, item index and id, field) and what."""

    file: str
    check: str
    message: str
    line: int | None = None
    index: int | None = None
    id: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        place = "" if self.index is None else f"items[{self.index}]"
        if self.field:
            place += f".{self.field}" if place else self.field
        if self.id:
            place += f" ({self.id})"
        return f"{where}: {place + ': ' if place else ''}{self.message}"

    def to_json(self) -> dict[str, Any]:
        """The problem for ``--format json``: every key present."""
        return asdict(self)


@dataclass(frozen=True)
class Report:
    """What checking one file found."""

    file: str
    items: int
    problems: list[Problem]


def _field_line(data: bytes, headers: list[int], index: int, name: str | None) -> int | None:
    """The line of ``name = …`` in the index-th ``[[items]]`` table (else its header)."""
    if index >= len(headers):
        return None
    if name:
        lines = data.split(b"\n")
        end = headers[index + 1] - 1 if index + 1 < len(headers) else len(lines)
        key = re.compile(rb"^\s*\"?" + re.escape(name.encode()) + rb"\"?\s*=")
        for number in range(headers[index], end + 1):
            if key.match(lines[number - 1]):
                return number
    return headers[index]


def _errors(exc: ValidationError) -> list[tuple[tuple[int | str, ...], str]]:
    return [
        (tuple(error["loc"]), str(error["msg"]).removeprefix("Value error, "))
        for error in exc.errors(include_url=False)
    ]


def check_data(store: Store, data: bytes, *, today: dt.date, tolerance: int = 1) -> Report:
    """All the problems of an item file's bytes (``store`` gives its name and format)."""
    from pydantic import ValidationError

    from coopcli.core.itemtypes import all_types, match_type, unknown_type_message
    from coopcli.core.models import Item, NewsFile
    from coopcli.core.tags import unknown_tag_message, unknown_tags

    name = str(store.path)
    problems: list[Problem] = []
    if marker := _MARKER.search(data):
        line = data.count(b"\n", 0, marker.start()) + 1
        message = "unresolved git conflict markers: finish the merge first"
        return Report(name, 0, [Problem(name, "conflict-markers", message, line)])
    try:
        raw = store.parse_raw(data)
    except DataError as exc:
        text = str(exc).removeprefix(name)
        position = _POSITION.match(text)
        at = int(position.group(1)) if position else None
        message = text[position.end() :] if position else text.removeprefix(": ")
        return Report(name, 0, [Problem(name, "syntax", message, at)])

    headers = item_lines(data) if store.format == "toml" else []
    header = {key: value for key, value in raw.items() if key != "items"}
    try:
        NewsFile.model_validate(header)
    except ValidationError as exc:
        for loc, message in _errors(exc):
            problems.append(Problem(name, "schema", message, field=location(loc)))
    raw_types = raw.get("types")
    types = all_types(
        {k: v for k, v in raw_types.items() if isinstance(v, str)}
        if isinstance(raw_types, dict)
        else {}
    )
    items = raw.get("items", [])
    if not isinstance(items, list):
        problems.append(Problem(name, "schema", "must be a list of items", field="items"))
        return Report(name, 0, problems)

    raw_vocabulary = raw.get("tags")
    vocabulary = (
        {k: v for k, v in raw_vocabulary.items() if isinstance(v, str)}
        if isinstance(raw_vocabulary, dict)
        else {}
    )
    ids: dict[str, int] = {}
    titles: dict[tuple[str, dt.date], int] = {}
    latest = today + dt.timedelta(days=tolerance)
    for index, entry in enumerate(items):
        found: list[tuple[str, str, str | None]] = []
        if not isinstance(entry, dict):
            found.append(("schema", "must be a table of fields", None))
        else:
            try:
                item = Item.model_validate(entry)
            except ValidationError as exc:
                for loc, message in _errors(exc):
                    check = "url" if loc[:1] == ("url",) else "schema"
                    found.append((check, message, location(loc)))
            else:
                if match_type(item.type, types) is None:
                    found.append(("unknown-type", unknown_type_message(item.type, types), "type"))
                for tag in unknown_tags(item.tags, vocabulary):
                    found.append(("unknown-tag", unknown_tag_message(tag, vocabulary), "tags"))
                if item.id in ids:
                    found.append(
                        ("duplicate-id", f"duplicate id (also items[{ids[item.id]}])", "id")
                    )
                else:
                    ids[item.id] = index
                key = (item.title.casefold(), item.date)
                if key in titles:
                    first = titles[key]
                    message = f"same title and date as items[{first}] ({items[first]['id']})"
                    found.append(("duplicate-title-date", message, "title"))
                else:
                    titles[key] = index
                if item.date > latest and not (item.draft or item.embargo):
                    # Drafts and embargoed items carry the date they are meant to
                    # come out on; only an item the public already sees is suspect.
                    days = (item.date - today).days
                    message = (
                        f"{item.date.isoformat()} is {days} days in the future "
                        f"(more than {tolerance} allowed)"
                    )
                    found.append(("future-date", message, "date"))
        ident = entry.get("id") if isinstance(entry, dict) else None
        for check, message, field in found:
            where = _field_line(data, headers, index, field.split("[")[0] if field else None)
            ident_ = ident if isinstance(ident, str) else None
            problems.append(Problem(name, check, message, where, index, ident_, field))
    return Report(name, len(items), problems)
