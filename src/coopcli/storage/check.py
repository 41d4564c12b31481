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
import json
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass
from functools import partial
from typing import TYPE_CHECKING, Any

import tomli

from coopcli.core.errors import DataError
from coopcli.core.itemtypes import match_type, unknown_type_message
from coopcli.core.tags import unknown_tag_message, unknown_tags
from coopcli.storage.blocks import parse_block, parse_head
from coopcli.storage.store import CONFLICT_MARKER, conflict_line, item_lines, location
from coopcli.storage.streaming import NotStreamable, read_blocks

if TYPE_CHECKING:
    from pydantic import ValidationError

    from coopcli.core.rules import Limits
    from coopcli.storage.store import Store

_JSON = json.JSONDecoder()
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
    from coopcli.core.validation import problems

    return [(found.loc, found.message) for found in problems(exc.errors(include_url=False))]


class _Checker:
    """The checks of one file, item by item: what the whole-file and the streaming
    paths share, so both find the same problems in the same words and order."""

    def __init__(
        self, name: str, raw_head: dict[str, Any], *, today: dt.date, tolerance: int, limits: Limits
    ) -> None:
        from pydantic import ValidationError

        from coopcli.core.itemtypes import all_types
        from coopcli.core.models import Item, NewsFile

        #: What :meth:`item` calls for every item, looked up once.
        self._validate = Item.model_validate
        self._invalid = ValidationError
        #: Whether each type string met so far names one of the file's types.
        self._known_types: dict[str, bool] = {}
        self.name = name
        self.today = today
        self.tolerance = tolerance
        self.limits = limits
        self.problems: list[Problem] = []
        try:
            NewsFile.model_validate(raw_head)
        except ValidationError as exc:
            for loc, message in _errors(exc):
                self.problems.append(Problem(name, "schema", message, field=location(loc)))
        raw_types = raw_head.get("types")
        self.types = all_types(
            {k: v for k, v in raw_types.items() if isinstance(v, str)}
            if isinstance(raw_types, dict)
            else {}
        )
        raw_vocabulary = raw_head.get("tags")
        self.vocabulary = (
            {k: v for k, v in raw_vocabulary.items() if isinstance(v, str)}
            if isinstance(raw_vocabulary, dict)
            else {}
        )
        # A hundred thousand items are remembered here, so compactly: an id once
        # (the string the file holds), the title and date as one string.
        self.ids: dict[str, int] = {}
        #: ``YYYY-MM-DD`` + NUL + folded title -> index of the first item with them.
        self.titles: dict[str, int] = {}
        #: The id each item has in the file (what messages name), by index.
        self.written: list[object] = []
        try:
            self.latest = today + dt.timedelta(days=tolerance)
        except OverflowError:  # tolerance past year 9999: no date is in the future
            self.latest = dt.date.max

    def item(self, index: int, entry: object, line_of: Callable[[str | None], int | None]) -> None:
        """Check the index-th item (the next one); ``line_of(field)`` says on which line
        a field is."""
        ident = entry.get("id") if isinstance(entry, dict) else None
        self.written.append(ident)
        found: list[tuple[str, str, str | None]] = []
        if not isinstance(entry, dict):
            found.append(("schema", "must be a table of fields", None))
        else:
            try:
                item = self._validate(entry)
            except self._invalid as exc:
                for loc, message in _errors(exc):
                    check = "url" if loc[:1] == ("url",) else "schema"
                    found.append((check, message, location(loc)))
            else:
                if not self._known_type(item.type):
                    found.append(
                        ("unknown-type", unknown_type_message(item.type, self.types), "type")
                    )
                for tag in unknown_tags(item.tags, self.vocabulary):
                    message = unknown_tag_message(tag, self.vocabulary)
                    found.append(("unknown-tag", message, "tags"))
                if item.id in self.ids:
                    found.append(
                        ("duplicate-id", f"duplicate id (also items[{self.ids[item.id]}])", "id")
                    )
                else:
                    # The file's own string when it is the id (it is kept anyway).
                    self.ids[ident if ident == item.id else item.id] = index
                key = f"{item.date.isoformat()}\0{item.title.casefold()}"
                if key in self.titles:
                    first = self.titles[key]
                    message = f"same title and date as items[{first}] ({self.written[first]})"
                    found.append(("duplicate-title-date", message, "title"))
                else:
                    self.titles[key] = index
                for field_name, message in self.limits.problems(item.title, item.summary):
                    found.append(("too-long", message, field_name))
                if item.date > self.latest and not (item.draft or item.embargo):
                    # Drafts and embargoed items carry the date they are meant to
                    # come out on; only an item the public already sees is suspect.
                    days = (item.date - self.today).days
                    message = (
                        f"{item.date.isoformat()} is {days} days in the future "
                        f"(more than {self.tolerance} allowed)"
                    )
                    found.append(("future-date", message, "date"))
        for check, message, field in found:
            where = line_of(field.split("[")[0] if field else None)
            ident_ = ident if isinstance(ident, str) else None
            self.problems.append(Problem(self.name, check, message, where, index, ident_, field))

    def _known_type(self, text: str) -> bool:
        known = self._known_types.get(text)
        if known is None:
            known = self._known_types[text] = match_type(text, self.types) is not None
        return known


def check_data(
    store: Store,
    data: bytes,
    *,
    today: dt.date,
    tolerance: int = 1,
    limits: Limits | None = None,
) -> Report:
    """All the problems of an item file's bytes (``store`` gives its name and format).

    ``limits`` flags titles and summaries longer than ``add`` and ``edit`` accept.
    """
    from coopcli.core.rules import Limits

    name = str(store.path)
    if (line := conflict_line(data)) is not None:
        return Report(name, 0, [_conflict(name, line)])
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
    checker = _Checker(name, header, today=today, tolerance=tolerance, limits=limits or Limits())
    items = raw.get("items", [])
    if not isinstance(items, list):
        checker.problems.append(Problem(name, "schema", "must be a list of items", field="items"))
        return Report(name, 0, checker.problems)
    for index, entry in enumerate(items):
        checker.item(index, entry, partial(_field_line, data, headers, index))
    return Report(name, len(items), checker.problems)


def _conflict(name: str, line: int) -> Problem:
    message = (
        "unresolved git conflict: finish the merge; `coopcli git-setup` makes such merges automatic"
    )
    return Problem(name, "conflict-markers", message, line)


def check_file(
    store: Store,
    *,
    today: dt.date,
    tolerance: int = 1,
    limits: Limits | None = None,
) -> Report:
    """All the problems of the item file, read a block at a time where its layout
    allows (see :mod:`coopcli.storage.streaming`), else read whole: the same report
    either way, with never more than one item validated at once.
    """
    try:
        with open(store.path, "rb") as file:
            return _check_stream(store, file.read, today=today, tolerance=tolerance, limits=limits)
    except (NotStreamable, OSError):
        pass
    data = store.read_bytes()
    if data is None:
        raise DataError(f"{store.path}: no such file")
    return check_data(store, data, today=today, tolerance=tolerance, limits=limits)


def _check_stream(
    store: Store,
    read: Callable[[int], bytes],
    *,
    today: dt.date,
    tolerance: int,
    limits: Limits | None,
) -> Report:
    """:func:`check_data` on a file cut into blocks as it is read; raises
    :class:`NotStreamable` where the file must be read whole to say the same."""
    from coopcli.core.rules import Limits

    toml = store.format == "toml"
    pieces = read_blocks(read, store.format)
    checker: _Checker | None = None
    index = -1
    line = 1  # the line of the current piece's first byte
    run: list[tuple[bytes, int]] = []  # item blocks read, not yet checked, and their lines

    def check_run() -> None:
        nonlocal index
        assert checker is not None
        entries = _parse_run(store.format, [piece for piece, _ in run])
        for (piece, at), entry in zip(run, entries, strict=True):
            index += 1
            if toml:
                headers = item_lines(piece)
                if len(headers) != 1:
                    raise NotStreamable
                rel = headers[0] - 1
                checker.item(index, entry, partial(_block_line, piece, rel, at + rel))
            else:
                checker.item(index, entry, _no_line)
        run.clear()

    for _offset, piece in pieces:
        if (b"<<<<<<<" in piece or b">>>>>>>" in piece) and CONFLICT_MARKER.search(piece):
            raise NotStreamable
        if checker is None:
            head = parse_head(store.format, piece)
            if head is None or (toml and item_lines(piece)):
                raise NotStreamable
            checker = _Checker(
                str(store.path), head, today=today, tolerance=tolerance, limits=limits or Limits()
            )
        else:
            run.append((piece, line))
            if len(run) == _RUN:
                check_run()
        line += piece.count(b"\n")
    if checker is None:  # pragma: no cover - read_blocks gives a head or raises
        raise NotStreamable
    check_run()
    return Report(str(store.path), index + 1, checker.problems)


#: How many TOML blocks are parsed at once: one parser call costs about as much as a
#: small item, so a check of 100,000 items parses a run of blocks in one go.
_RUN = 64


def _parse_run(format: str, blocks: list[bytes]) -> list[dict[str, Any]]:
    """Each block's item, as :func:`_parse_block` reads it alone.

    A run of TOML blocks is parsed in one call when no block holds a multi-line string
    (only such a string could hide a header inside the text of an item, or let an item
    run on into the next block): then the run gives one item per block, the same ones
    each block gives alone, or it is read a block at a time, which says what is wrong.
    """
    if format == "toml" and len(blocks) > 1:
        joined = b"".join(blocks)
        if b'"""' not in joined and b"'''" not in joined:
            try:
                table = tomli.loads(joined.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                table = {}
            items = table.get("items")
            if (
                len(table) == 1
                and isinstance(items, list)
                and len(items) == len(blocks)
                and all(isinstance(item, dict) for item in items)
            ):
                return items
    return [_parse_block(format, block) for block in blocks]


def _parse_block(format: str, block: bytes) -> dict[str, Any]:
    """A block's item as the whole file's parser reads it (see
    :func:`~coopcli.storage.blocks.parse_block`), else :class:`NotStreamable`."""
    if format == "json":
        try:
            value = _JSON.decode(block.decode("utf-8"))
        except ValueError:  # bad JSON, or bytes that are not UTF-8
            raise NotStreamable from None
        if isinstance(value, dict):
            return value
        raise NotStreamable
    entry = parse_block(format, block)
    if entry is None:
        raise NotStreamable
    return entry


def _no_line(field: str | None) -> None:
    return None


def _block_line(block: bytes, first: int, header: int, name: str | None) -> int:
    """:func:`_field_line` for a block whose ``[[items]]`` header is its line ``first``
    (from 0) and line ``header`` of the file."""
    if name:
        lines = block.split(b"\n")
        key = re.compile(rb"^\s*\"?" + re.escape(name.encode()) + rb"\"?\s*=")
        for number, text in enumerate(lines[first:]):
            if key.match(text):
                return header + number
    return header
