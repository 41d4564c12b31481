"""An item file read a block at a time, never whole: what ``check`` streams through.

:func:`read_blocks` cuts a file into its head and its items' blocks exactly as
:func:`coopcli.storage.blocks.split` cuts the whole file, but from a file object
read a chunk at a time, so that only one chunk and one block are held at once. A
file that :func:`~coopcli.storage.blocks.split` would not cut (a BOM, CRLF line ends,
no items, a JSON layout other than coopcli's) raises :class:`NotStreamable`, at
whatever point that shows (possibly after some blocks were given): the caller then
reads the file whole.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

#: How much of the file is read at a time.
CHUNK = 1 << 20

_BOM = b"\xef\xbb\xbf"
_TOML_HEADER = b"\n[[items]]\n"
_JSON_OPEN = b'\n  "items": [\n'
_JSON_TAIL = b"\n  ]\n}\n"
_JSON_BETWEEN = b"\n    },\n    {\n"
_JSON_FIRST = b"    {\n"
_JSON_LAST = b"\n    }"


class NotStreamable(Exception):
    """The file is not laid out the way :func:`read_blocks` reads it."""


def read_blocks(
    read: Callable[[int], bytes], format: str, chunk: int = CHUNK
) -> Iterator[tuple[int, bytes]]:
    """The file's head, then each item's block, as (offset in the file, bytes).

    ``read(n)`` gives the next ``n`` bytes of the file (``b""`` at its end). The
    pieces are those of :func:`coopcli.storage.blocks.split`, byte for byte.
    """
    if format == "json":
        return _json_blocks(_Reader(read, chunk))
    return _toml_blocks(_Reader(read, chunk))


class _Reader:
    """A growing window on the file: ``buf`` holds the bytes from offset ``base`` on."""

    def __init__(self, read: Callable[[int], bytes], chunk: int) -> None:
        self._read = read
        self._chunk = chunk
        self.buf = b""
        self.base = 0
        self.eof = False

    def more(self, keep: int) -> bool:
        """Drop the bytes before ``keep`` (an index into ``buf``), read the next chunk;
        False at the end of the file."""
        if self.eof:
            return False
        data = self._read(self._chunk)
        if not data:
            self.eof = True
            return False
        if b"\r" in data:
            raise NotStreamable
        self.base += keep
        self.buf = self.buf[keep:] + data
        return True


def _toml_blocks(reader: _Reader) -> Iterator[tuple[int, bytes]]:
    while len(reader.buf) < 9 and reader.more(0):
        pass
    if reader.buf.startswith((_BOM, b"[[items]]")):
        raise NotStreamable
    start = 0  # where the piece being read starts (in buf)
    search = 0
    head = True
    while True:
        at = reader.buf.find(_TOML_HEADER, search)
        if at >= 0:
            yield reader.base + start, reader.buf[start:at]
            head = False
            start, search = at, at + 10
            continue
        # A header may begin in the last bytes read and end in the next chunk.
        resume = max(search, len(reader.buf) - len(_TOML_HEADER) + 1) - start
        if not reader.more(start):
            break
        start, search = 0, max(resume, 0)
    if head:
        raise NotStreamable
    yield reader.base + start, reader.buf[start:]


def _json_blocks(reader: _Reader) -> Iterator[tuple[int, bytes]]:
    opening = reader.buf.find(_JSON_OPEN)
    while opening < 0:
        if not reader.more(0):
            raise NotStreamable
        opening = reader.buf.find(_JSON_OPEN)
    first = opening + len(_JSON_OPEN)
    while len(reader.buf) < first + len(_JSON_FIRST) and reader.more(0):
        pass
    if reader.buf.startswith(_BOM) or not reader.buf.startswith(_JSON_FIRST, first):
        raise NotStreamable
    yield 0, reader.buf[:first]
    start = search = first
    while True:
        at = reader.buf.find(_JSON_BETWEEN, search)
        if at >= 0:
            block = reader.buf[start : at + 6]
            if _JSON_OPEN in block:
                raise NotStreamable
            yield reader.base + start, block
            start = search = at + 8
            continue
        resume = max(search, len(reader.buf) - len(_JSON_BETWEEN) + 1) - start
        if not reader.more(start):
            break
        start, search = 0, max(resume, 0)
    rest = reader.buf[start:]
    last = len(rest) - len(_JSON_TAIL)
    if (
        not rest.endswith(_JSON_TAIL)
        or rest[max(last - 6, 0) : last] != _JSON_LAST
        or _JSON_OPEN in rest
    ):
        raise NotStreamable
    yield reader.base + start, rest[:last]
