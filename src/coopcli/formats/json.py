"""The item file as JSON: the same document as the TOML file, dates as ``YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from coopcli.core.errors import DataError
from coopcli.core.view import document_data
from coopcli.formats import ReadResult, decode_text, streaming

if TYPE_CHECKING:
    from coopcli.core.view import DocumentView

_TAIL = b"\n  ]\n}\n"


def _default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def dump(data: dict[str, Any]) -> str:
    """Plain item-file data as indented JSON, keys in the order given.

    orjson writes exactly what ``json.dumps(indent=2, ensure_ascii=False)`` writes
    (a property test checks it), ten times faster; the standard library takes over
    for the rare value orjson refuses, so the message stays the same.
    """
    import orjson

    try:
        return orjson.dumps(data, option=orjson.OPT_INDENT_2).decode("utf-8") + "\n"
    except (orjson.JSONEncodeError, UnicodeDecodeError):
        return json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"


def item_block(item: Mapping[str, Any]) -> bytes:
    """An item's object in the ``items`` array, indented as the whole file writes it."""
    import orjson

    try:
        text = orjson.dumps(item, option=orjson.OPT_INDENT_2)
    except (orjson.JSONEncodeError, TypeError):  # pragma: no cover - validated items
        import json

        text = json.dumps(item, ensure_ascii=False, indent=2, default=str).encode("utf-8")
    return b"    " + text.replace(b"\n", b"\n    ")


#: How many bytes from the end of the file :func:`append` needs to see.
TAIL_WINDOW = 64


def append(end: bytes, size: int, item: dict[str, Any]) -> tuple[int, bytes] | None:
    """How to add ``item`` after the last item: (bytes of the file to keep, new tail).

    ``end`` is the last bytes of a file that coopcli wrote with at least one item
    (``items`` is its last key); otherwise returns None and the caller rewrites.
    """
    if not end.endswith(_TAIL) or end.endswith(b"[]\n}\n"):
        return None
    return size - len(_TAIL), b",\n" + item_block(item) + _TAIL


def appendable(data: bytes, count: int) -> bool:
    """Whether a file read from disk (written by hand, perhaps) can take :func:`append`.

    True when it ends the way :func:`dump` ends a list with items: the ``items``
    array closing the top-level object.
    """
    return count > 0 and data.endswith(_TAIL) and not data.endswith(b"[]\n}\n")


def read_tail(tail: bytes) -> dict[str, Any]:
    """The item in a tail made by :func:`append` (to check it reads back as meant)."""
    item: dict[str, Any] = json.loads(tail[2 : -len(_TAIL)].decode("utf-8"))
    return item


def parse(data: bytes, source: str) -> dict[str, Any]:
    """Parse JSON item-file data; a syntax error names the line and column."""
    text = decode_text(data, source)
    if not text.strip():
        return {}
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if not isinstance(document, dict):
        raise DataError(f"{source}: expected a JSON object with an 'items' array")
    return document


def export(doc: DocumentView) -> str:
    """The document as a JSON item file."""
    return dump(document_data(doc))


def export_stream(doc: DocumentView, batches: streaming.Batches, write: streaming.Write) -> None:
    """:func:`export`, written a batch of items at a time."""
    streaming.cut(
        lambda items: export(streaming.with_items(doc, items)),
        batches(streaming.STORED),
        write,
        begin=streaming.at("\n    {"),
        end=streaming.last("\n  ]\n}"),
        separator=",",
    )


def read(data: bytes, source: str) -> ReadResult:
    """The items of an item file, as drafts to import (validated as on load)."""
    from coopcli.formats.itemfile import read_document

    return read_document(parse(data, source), source)
