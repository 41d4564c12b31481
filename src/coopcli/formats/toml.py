"""The item file as TOML (the default): ``[[items]]`` tables, dates as TOML local dates."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import tomli
import tomli_w

from coopcli.core.errors import DataError
from coopcli.core.view import document_data
from coopcli.formats import ReadResult, decode_text, streaming

if TYPE_CHECKING:
    from coopcli.core.view import DocumentView


_POSITION = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


_ITEM_HEADER = "\n[[items]]\n"
_ITEM_KEYS = ("id", "type", "title", "date", "summary", "url", "tags")
_TABLE = re.compile(rb"^[ \t]*\[", re.MULTILINE)


_TOML_ESCAPE = re.compile(r'[\x00-\x08\x0a-\x1f\x7f"\\]')
_COMPACT = {"\b": "\\b", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def _toml_escape(match: re.Match[str]) -> str:
    char = match.group()
    return _COMPACT.get(char) or f"\\u{ord(char):04x}"


def toml_string(text: str) -> str:
    return '"' + _TOML_ESCAPE.sub(_toml_escape, text) + '"'


def _plain_item(item: Mapping[str, Any]) -> bool:
    """Whether ``item`` has only the stored fields, of the stored kinds."""
    for key, value in item.items():
        if key == "date":
            if type(value) is not dt.date:
                return False
        elif key == "tags":
            if not isinstance(value, list) or not all(type(tag) is str for tag in value):
                return False
        elif key not in _ITEM_KEYS or type(value) is not str:
            return False
    return True


def item_block(item: Mapping[str, Any]) -> str:
    """One item as an ``[[items]]`` table, with the blank line before it, as tomli-w
    writes it.

    Written here for speed (tomli-w takes ~60 µs an item); a property test checks it
    against tomli-w, and any value of another kind is left to tomli-w.
    """
    if not _plain_item(item):
        return "\n[[items]]\n" + tomli_w.dumps(item)
    out = ["\n[[items]]\n"]
    for key, value in item.items():
        if key == "date":
            out.append(f"date = {value.isoformat()}\n")
        elif key == "tags":
            if value:
                inner = "".join(f"    {toml_string(tag)},\n" for tag in value)
                out.append(f"tags = [\n{inner}]\n")
            else:
                out.append("tags = []\n")
        else:
            out.append(f"{key} = {toml_string(value)}\n")
    return "".join(out)


def dump(data: dict[str, Any]) -> str:
    """Plain item-file data as TOML, keys in the order given.

    Items are always ``[[items]]`` tables, one after another at the end of the file
    (tomli-w alone writes a list of short tables as one inline array, so a single
    long item would change every line of the file).
    """
    head = {key: value for key, value in data.items() if key != "items"}
    return tomli_w.dumps(head) + "".join(item_block(item) for item in data.get("items", ()))


#: How many bytes from the end of the file :func:`append` needs to see.
TAIL_WINDOW = 16


def append(end: bytes, size: int, item: dict[str, Any]) -> tuple[int, bytes] | None:
    """How to add ``item`` after the last item: (bytes of the file to keep, new tail).

    ``end`` is the last bytes of a file that :func:`dump` wrote; the result is what
    :func:`dump` writes for the document with the item added.
    """
    if not end.endswith(b"\n"):
        return None
    return size, item_block(item).encode("utf-8")


def appendable(data: bytes, count: int) -> bool:
    """Whether a file read from disk (written by hand, perhaps) can take :func:`append`.

    True when every one of its ``count`` items is an ``[[items]]`` table and no other
    table follows the last one: then the appended table is one more item, and the
    rest of the file is left exactly as it was.
    """
    if count == 0 or not data.endswith(b"\n"):
        return False
    headers = data.count(_ITEM_HEADER.encode()) + data.startswith(b"[[items]]\n")
    last = data.rfind(b"[[items]]\n") + len(b"[[items]]\n")
    return headers == count and _TABLE.search(data, last) is None


def read_tail(tail: bytes) -> dict[str, Any]:
    """The item in a tail made by :func:`append` (to check it reads back as meant)."""
    return tomli.loads(tail.decode("utf-8").removeprefix(_ITEM_HEADER))


def parse(data: bytes, source: str) -> dict[str, Any]:
    """Parse TOML item-file data; a syntax error names the line and column."""
    text = decode_text(data, source)
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        message = str(exc)
        match = _POSITION.match(message)
        if match:
            raise DataError(
                f"{source}:{match['line']}:{match['col']}: invalid TOML: {match['msg']}"
            ) from None
        message = message.replace(" (at end of document)", " at the end of the file")
        raise DataError(f"{source}: invalid TOML: {message}") from None


def export(doc: DocumentView) -> str:
    """The document as a TOML item file."""
    return dump(document_data(doc))


def export_stream(doc: DocumentView, batches: streaming.Batches, write: streaming.Write) -> None:
    """:func:`export`, written a batch of items at a time."""
    streaming.cut(
        lambda items: export(streaming.with_items(doc, items)),
        batches(streaming.STORED),
        write,
        begin=streaming.at(_ITEM_HEADER),
        end=streaming.to_end,
    )


def read(data: bytes, source: str) -> ReadResult:
    """The items of an item file, as drafts to import (validated as on load)."""
    from coopcli.formats.itemfile import read_document

    return read_document(parse(data, source), source)
