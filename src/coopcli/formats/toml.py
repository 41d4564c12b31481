"""The item file as TOML (the default): ``[[items]]`` tables, dates as TOML local dates."""

from __future__ import annotations

import re
import sys
from typing import Any

import tomli_w

from coopcli.errors import DataError
from coopcli.formats import decode_text
from coopcli.models import NewsFile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_POSITION = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def dump(data: dict[str, Any]) -> str:
    """Plain item-file data as TOML, keys in the order given."""
    return tomli_w.dumps(data)


def parse(data: bytes, source: str) -> dict[str, Any]:
    """Parse TOML item-file data; a syntax error names the line and column."""
    text = decode_text(data, source)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _POSITION.match(message)
        if match:
            raise DataError(
                f"{source}:{match['line']}:{match['col']}: invalid TOML: {match['msg']}"
            ) from None
        message = message.replace(" (at end of document)", " at the end of the file")
        raise DataError(f"{source}: invalid TOML: {message}") from None


def export(doc: NewsFile) -> str:
    """The document as a TOML item file."""
    return dump(doc.to_data())
