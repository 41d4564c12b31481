"""The item file as JSON: the same document as the TOML file, dates as ``YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from coopcli.errors import DataError
from coopcli.formats import decode_text

if TYPE_CHECKING:
    from coopcli.models import NewsFile

_TAIL = b"\n  ]\n}\n"


def _default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def dump(data: dict[str, Any]) -> str:
    """Plain item-file data as indented JSON, keys in the order given."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"


def append(original: bytes, item: dict[str, Any]) -> bytes | None:
    """``original`` with one item added at the end, exactly as :func:`dump` would write it.

    Only for a file that coopcli wrote with at least one item (``items`` is its last
    key); for anything else returns None and the caller rewrites the whole file.
    """
    if not original.endswith(_TAIL) or original.endswith(b"[]\n}\n"):
        return None
    text = json.dumps(item, ensure_ascii=False, indent=2, default=_default)
    block = "\n".join("    " + line for line in text.split("\n"))
    return original[: -len(_TAIL)] + b",\n" + block.encode("utf-8") + _TAIL


def appended_item(original: bytes, new: bytes) -> dict[str, Any]:
    """The item that :func:`append` added to ``original`` to make ``new``, read back."""
    block = new[len(original) - len(_TAIL) : -len(_TAIL)].removeprefix(b",\n")
    item: dict[str, Any] = json.loads(block.decode("utf-8"))
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


def export(doc: NewsFile) -> str:
    """The document as a JSON item file."""
    return dump(doc.to_data())
