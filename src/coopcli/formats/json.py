"""The item file as JSON: the same document as the TOML file, dates as ``YYYY-MM-DD``."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from coopcli.errors import DataError
from coopcli.formats import decode_text
from coopcli.models import NewsFile


def _default(value: object) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__} in JSON")


def dump(data: dict[str, Any]) -> str:
    """Plain item-file data as indented JSON, keys in the order given."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n"


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
