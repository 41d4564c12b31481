"""An item file cut into its items' blocks: what lets a write change one item only.

An item file is a head (``version``, title, types...), then one block per item, then a
tail. In TOML a block is an ``[[items]]`` table with the blank line before it; in JSON
it is one object of the ``items`` array (the ``,\\n`` between two objects belongs to
neither). :func:`split` finds the blocks with a plain byte search and never parses:
the caller parses whatever block it has not seen before, on its own, and each piece
of a file split here reads the same alone as inside the whole file (see
:func:`parse_block`). Anything unusual (a BOM, CRLF line ends, another table after
the items, a JSON layout other than coopcli's) makes :func:`split` return None, and
the caller reads the whole file instead.

:func:`render` gives an item's block exactly as a full rewrite of the file writes it,
so replacing, inserting or cutting one block yields the bytes of a full rewrite.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import tomli

from coopcli.formats.toml import item_block

_TOML_HEADER = b"\n[[items]]\n"
_JSON_OPEN = b'\n  "items": [\n'
_JSON_TAIL = b"\n  ]\n}\n"
_JSON_SEP = b",\n"
_JSON_BETWEEN = b"\n    },\n    {\n"

#: Blocks whose bytes are exactly what :func:`render` writes.
CANONICAL = 1
#: Blocks that :func:`render` writes but for comment lines and blank lines: kept as
#: they are while the item is not changed.
KEPT = 2
#: Blocks laid out otherwise (odd spacing, another key order, a type label): a
#: change to such a file rewrites it whole, once.
OTHER = 0


def separator(format: str) -> bytes:
    """What stands between two blocks in a file of this format."""
    return _JSON_SEP if format == "json" else b""


@dataclass(frozen=True)
class Layout:
    """Where the blocks of one version of a file lie."""

    #: Offset of the first block (the head is everything before it).
    head: int
    #: (start, end) of each block, in file order.
    spans: list[tuple[int, int]]

    def hashes(self, data: bytes) -> list[int]:
        """The hash of each block, in file order."""
        view = memoryview(data)
        return [block_hash(view[start:end]) for start, end in self.spans]


def block_hash(block: bytes | memoryview) -> int:
    """A 64-bit hash of a block, as SQLite stores integers."""
    return hash_of_digest(hashlib.sha1(block).digest())


def hash_of_digest(digest: bytes) -> int:
    """:func:`block_hash` of bytes given a piece at a time to ``hashlib.sha1()``, from
    its digest: the hash of a run of blocks, without joining them."""
    return int.from_bytes(digest[:8], "big", signed=True)


def tail(format: str) -> bytes:
    """What follows the last block in a file that :func:`split` cuts."""
    return _JSON_TAIL if format == "json" else b""


def split(format: str, data: bytes) -> Layout | None:
    """The blocks of ``data``, or None when it is not laid out the way this reads."""
    if data.startswith(b"\xef\xbb\xbf") or b"\r" in data:
        return None
    return _split_json(data) if format == "json" else _split_toml(data)


def _split_toml(data: bytes) -> Layout | None:
    if data.startswith(b"[[items]]"):
        return None
    starts: list[int] = []
    find = data.find
    at = find(_TOML_HEADER)
    while at >= 0:
        starts.append(at)
        at = find(_TOML_HEADER, at + 10)
    if not starts:
        return None
    ends = [*starts[1:], len(data)]
    return Layout(starts[0], list(zip(starts, ends, strict=True)))


def _split_json(data: bytes) -> Layout | None:
    opening = data.find(_JSON_OPEN)
    if opening < 0 or not data.endswith(_JSON_TAIL) or data.find(_JSON_OPEN, opening + 1) >= 0:
        return None
    first = opening + len(_JSON_OPEN)
    last = len(data) - len(_JSON_TAIL)
    if not data.startswith(b"    {\n", first) or data[last - 6 : last] != b"\n    }":
        return None
    spans: list[tuple[int, int]] = []
    find = data.find
    start = first
    at = find(_JSON_BETWEEN, start, last)
    while at >= 0:
        spans.append((start, at + 6))
        start = at + 8
        at = find(_JSON_BETWEEN, start, last)
    spans.append((start, last))
    return Layout(first, spans)


def bounds(format: str, data: bytes, head: int) -> tuple[int, int] | None:
    """Where the blocks of ``data`` lie (the first one's start, the last one's end) when
    :func:`split` finds the first block at ``head``; None when it would not.

    With :func:`next_block` and :func:`after_run`, this finds the blocks one at a time,
    exactly where :func:`split` finds them, without cutting the whole file.
    """
    if data.startswith(b"\xef\xbb\xbf") or b"\r" in data:
        return None
    if format != "json":
        if data.startswith(b"[[items]]") or data.find(_TOML_HEADER) != head:
            return None
        return head, len(data)
    opening = data.find(_JSON_OPEN)
    last = len(data) - len(_JSON_TAIL)
    if (
        opening < 0
        or opening + len(_JSON_OPEN) != head
        or not data.endswith(_JSON_TAIL)
        or data.find(_JSON_OPEN, opening + 1) >= 0
        or not data.startswith(b"    {\n", head)
        or data[last - 6 : last] != b"\n    }"
    ):
        return None
    return head, last


def next_block(format: str, data: bytes, start: int, end: int) -> tuple[int, int]:
    """The end of the block that starts at ``start`` and where the next one starts
    (-1 after the last), as :func:`split` cuts them; ``end`` is the last block's end."""
    if format == "json":
        at = data.find(_JSON_BETWEEN, start, end)
        return (at + 6, at + 8) if at >= 0 else (end, -1)
    at = data.find(_TOML_HEADER, start + 10)
    return (at, at) if at >= 0 else (end, -1)


def after_run(format: str, data: bytes, run_end: int, end: int) -> int | None:
    """Where the next block starts (-1 if none) after blocks ending at ``run_end`` that
    :func:`split` would cut as they were cut before; None when it would cut them
    otherwise (a block header across the end, or no separator after it)."""
    if run_end == end:
        return -1
    if format == "json":
        if run_end + 8 <= end and data[run_end - 6 : run_end + 8] == _JSON_BETWEEN:
            return run_end + 2
        return None
    if data.startswith(_TOML_HEADER, run_end) and not data.endswith(_TOML_HEADER[:-1], 0, run_end):
        return run_end
    return None


def parse_head(format: str, head: bytes) -> dict[str, Any] | None:
    """The file's metadata from its head alone, or None when the head is unusual."""
    try:
        if format == "json":
            import json

            value = json.loads(head + b"\n  ]\n}")
            if not isinstance(value, dict) or value.get("items") != []:
                return None
            del value["items"]
            data: dict[str, Any] = value
        else:
            data = tomli.loads(head.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return None if "items" in data else data


def parse_block(format: str, block: bytes) -> dict[str, Any] | None:
    """One block's item as plain data (dates not yet checked), or None when the block
    does not hold exactly one item on its own."""
    try:
        if format == "json":
            import json

            value = json.loads(block)
            return value if isinstance(value, dict) else None
        table = tomli.loads(block.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    items = table.get("items")
    if len(table) != 1 or not isinstance(items, list) or len(items) != 1:
        return None
    item = items[0]
    return item if isinstance(item, dict) else None


def render(format: str, item: Mapping[str, Any]) -> bytes:
    """An item's block as a full rewrite writes it."""
    if format == "json":
        from coopcli.formats.json import item_block as json_block

        return json_block(item)
    return item_block(item).encode("utf-8")


def _meaningful(block: bytes) -> list[bytes]:
    return [
        line for line in block.split(b"\n") if line.strip() and not line.lstrip().startswith(b"#")
    ]


def layout_of(format: str, block: bytes | memoryview, item: Mapping[str, Any]) -> int:
    """:data:`CANONICAL`, :data:`KEPT` or :data:`OTHER`: how ``block`` is laid out."""
    rendered = render(format, item)
    if rendered == block:
        return CANONICAL
    if format == "toml" and _meaningful(bytes(block)) == _meaningful(rendered):
        return KEPT
    return OTHER


def head_layout(format: str, head: bytes, meta: Mapping[str, Any]) -> int:
    """How the head is laid out, against what a full rewrite writes for ``meta``."""
    if format == "json":
        import orjson

        whole = orjson.dumps({**meta, "items": [{}]}, option=orjson.OPT_INDENT_2)
        rendered = whole[: whole.index(b"    {}")]
        return CANONICAL if rendered == head else OTHER
    import tomli_w

    text = tomli_w.dumps(dict(meta)).encode("utf-8")
    if text == head:
        return CANONICAL
    return KEPT if _meaningful(head) == _meaningful(text) else OTHER


@dataclass(frozen=True)
class Piece:
    """Part of a new file: bytes of the old file (``start``..``end``), or new bytes."""

    start: int = 0
    end: int = 0
    data: bytes = b""


def assemble(
    format: str,
    size: int,
    head: int,
    spans: Sequence[tuple[int, int]],
    new: Sequence[int | bytes],
) -> Iterator[Piece]:
    """The new file as pieces: the old head, the blocks in ``new`` order, the old tail.

    ``spans`` are the old blocks' (start, end); ``new`` lists, in order, either the
    index of an old block to keep or a new block's bytes. Runs of old blocks that stay
    neighbours are one piece, copied as they are (separators and all).
    """
    sep = separator(format)
    tail = spans[-1][1] if spans else head
    yield Piece(0, head)
    run: tuple[int, int] | None = None
    first = True
    for element in new:
        if isinstance(element, int) and run is not None and element == run[1] + 1:
            run = (run[0], element)
            continue
        if run is not None:
            yield Piece(spans[run[0]][0], spans[run[1]][1])
            run = None
        if not first and sep:
            yield Piece(data=sep)
        first = False
        if isinstance(element, int):
            run = (element, element)
        else:
            yield Piece(data=element)
    if run is not None:
        yield Piece(spans[run[0]][0], spans[run[1]][1])
    yield Piece(tail, size)
