"""The item file as TOML (the default): ``[[items]]`` tables, dates as TOML local dates."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import tomli
import tomli_w

from coopcli.errors import DataError
from coopcli.formats import ReadResult, decode_text
from coopcli.view import document_data

if TYPE_CHECKING:
    from coopcli.view import DocumentView


_POSITION = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def dump(data: dict[str, Any]) -> str:
    """Plain item-file data as TOML, keys in the order given."""
    return tomli_w.dumps(data)


#: How far from the end of the file the last ``[[items]]`` header is looked for.
TAIL_WINDOW = 1 << 16


def append(end: bytes, size: int, item: dict[str, Any]) -> tuple[int, bytes] | None:
    """How to add ``item`` after the last item: (bytes of the file to keep, new tail).

    ``end`` is the last bytes of a file that coopcli wrote. The result is what
    :func:`dump` would write for the document with the item added, provided the
    items are written as ``[[items]]`` tables (the last part of the file); otherwise
    returns None and the caller rewrites the whole file.
    """
    if not end.endswith(b"\n") or b"\n[[items]]\n" not in end:
        return None
    return size, b"\n[[items]]\n" + tomli_w.dumps(item).encode("utf-8")


def read_tail(tail: bytes) -> dict[str, Any]:
    """The item in a tail made by :func:`append` (to check it reads back as meant)."""
    return tomli.loads(tail.decode("utf-8").removeprefix("\n[[items]]\n"))


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


def read(data: bytes, source: str) -> ReadResult:
    """The items of an item file, as drafts to import (validated as on load)."""
    from coopcli.formats.itemfile import read_document

    return read_document(parse(data, source), source)
