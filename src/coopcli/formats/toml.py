"""The item file as TOML (the default): ``[[items]]`` tables, dates as TOML local dates."""

from __future__ import annotations

import re
import sys
from typing import TYPE_CHECKING, Any

import tomli_w

from coopcli.errors import DataError
from coopcli.formats import decode_text

if TYPE_CHECKING:
    from coopcli.models import NewsFile

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_POSITION = re.compile(r"^(?P<msg>.*?) \(at line (?P<line>\d+), column (?P<col>\d+)\)$")


def dump(data: dict[str, Any]) -> str:
    """Plain item-file data as TOML, keys in the order given."""
    return tomli_w.dumps(data)


def append(original: bytes, item: dict[str, Any]) -> bytes | None:
    """``original`` with one item added at the end, exactly as :func:`dump` would write it.

    Only for a file that coopcli wrote and whose items are ``[[items]]`` tables (the
    last part of the file); for anything else returns None and the caller rewrites.
    """
    if not original.endswith(b"\n") or b"\n[[items]]\n" not in original:
        return None
    return original + b"\n[[items]]\n" + tomli_w.dumps(item).encode("utf-8")


def appended_item(original: bytes, new: bytes) -> dict[str, Any]:
    """The item that :func:`append` added to ``original`` to make ``new``, read back."""
    block = new[len(original) :].removeprefix(b"\n[[items]]\n")
    return tomllib.loads(block.decode("utf-8"))


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
