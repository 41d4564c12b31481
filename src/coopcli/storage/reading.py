"""Reading an item file through its index: what ``list``, ``show`` and friends use.

:func:`open_index` returns an index that matches the file as it is now. When the
cached index is current (the file has not changed since coopcli last read or wrote
it) nothing else is read, and Pydantic is never imported. After an outside change,
only the blocks that changed are read (:mod:`coopcli.storage.refresh`). A file
without an index is read a block at a time into a fresh one (:func:`_streamed`);
whatever that path does not understand is loaded and validated whole, as usual,
and the index is built from the document.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from coopcli.core.itemtypes import all_types
from coopcli.core.rules import TAG_PATTERN, check_url
from coopcli.core.view import ItemView, head_data, to_data
from coopcli.storage import blocks, index
from coopcli.storage.append import plain_text
from coopcli.storage.refresh import RUN_BLOCKS, id_line, measure, refresh, validate_item
from coopcli.storage.streaming import read_blocks

if TYPE_CHECKING:
    from coopcli.core.models import NewsFile
    from coopcli.storage.store import Store

_EMPTY = index.Source(items=(), title=None, link=None, description=None, types={})


def source_of(doc: NewsFile, blocks: index.Blocks | None = None) -> index.Source:
    """What the index stores of a validated document (and where its items lie)."""
    return index.Source(
        doc.items, doc.title, doc.link, doc.description, doc.types, blocks, vocabulary=doc.tags
    )


def open_index(store: Store) -> index.Index:
    """An index of ``store``'s file as it is now (an empty one when there is no file).

    The cached index when it is current; else the cached index brought up to date
    by reading only the items whose blocks changed; else a fresh one built a block
    at a time; else one built from the whole file, validated.
    """
    at = time.time_ns()
    try:
        stamp = index.stamp(os.stat(store.path))
    except OSError:
        stamp = None
    if stamp is not None and (found := index.open_current(store.path, stamp)):
        return found
    if stamp is not None and (found := refresh(store, stamp, at)):
        return found
    if stamp is not None and (found := _streamed(store, stamp, at)):
        return found
    # The stamp is taken before the bytes are read, so the bytes are never older
    # than the stamp: a change in between only causes one more rebuild.
    data = store.read_bytes()
    if data is None:
        return index.in_memory(_EMPTY)
    doc = store.parse(data)
    source = source_of(doc, measure(store.format, data, doc))
    if (
        stamp is not None
        and index.build(
            store.path,
            stamp,
            source,
            appendable=store.codec.appendable(data, len(doc.items)),
            indexed_at=at,
        )
        and (found := index.open_for_update(store.path))
    ):
        return found
    return index.in_memory(source)


def remember(store: Store, doc: NewsFile, data: bytes) -> None:
    """Index a version of the file that coopcli has just written as ``data``."""
    try:
        st = os.stat(store.path)
    except OSError:  # pragma: no cover - the file was just written
        return
    settled = index.settled(store.path, st)
    if settled is None:
        return
    stamp, at = settled
    from coopcli.core.view import stored_order

    written = doc.model_copy(update={"items": sorted(doc.items, key=stored_order)})
    source = source_of(written, measure(store.format, data, written))
    index.build(
        store.path,
        stamp,
        source,
        appendable=store.codec.appendable(data, len(doc.items)),
        indexed_at=at,
    )


#: How many items a fresh index is given at a time.
BATCH = 1000

_HEAD_FIELDS = {"version", "title", "link", "description", "types", "tags"}
_TYPE_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*")
_TAG = re.compile(TAG_PATTERN)


@dataclass(frozen=True)
class _Head:
    """A file's metadata as the models store it, without its items."""

    title: str | None
    link: str | None
    description: str | None
    types: dict[str, str]
    tags: dict[str, str]
    version: int = 1
    items: Sequence[ItemView] = ()


def _plain(value: object) -> bool:
    return isinstance(value, str) and bool(value) and plain_text(value) == value


def _plain_table(value: object, key_ok: re.Pattern[str]) -> bool:
    return isinstance(value, dict) and all(
        _plain(key) and key_ok.fullmatch(key) and _plain(label) for key, label in value.items()
    )


def _plain_head(raw: Mapping[str, Any]) -> _Head | None:
    """The head of a file whose values the models would keep as they are (version 1),
    checked by the same rules without loading them; None for anything else."""
    version = raw.get("version", 1)
    title, link, description = (raw.get(name) for name in ("title", "link", "description"))
    types, vocabulary = raw.get("types", {}), raw.get("tags", {})
    if (
        not raw.keys() <= _HEAD_FIELDS
        or type(version) is not int
        or version != 1
        or not all(text is None or _plain(text) for text in (title, link, description))
        or not _plain_table(types, _TYPE_KEY)
        or not _plain_table(vocabulary, _TAG)
    ):
        return None
    try:
        check_url(link)
    except ValueError:
        return None
    return _Head(title, link, description, types, vocabulary)


def _head(raw: dict[str, Any]) -> _Head | None:
    """The head as a full load validates it, or None when it does not validate."""
    plain = _plain_head(raw)
    if plain is not None:
        return plain
    from pydantic import ValidationError

    from coopcli.core.models import NewsFile

    try:
        doc = NewsFile.model_validate(raw)
    except ValidationError:
        return None
    return _Head(doc.title, doc.link, doc.description, doc.types, doc.tags, doc.version)


def _streamed(store: Store, file_stamp: str, indexed_at: int) -> index.Index | None:
    """A fresh index of the file, read a block at a time, as the whole-file path would
    build it; None when that path must build it (and say what is wrong, if anything).

    Only a megabyte of the file, one block and a batch of items are held at once. The
    items must be in stored order (the index numbers them so), the file laid out as
    :func:`coopcli.storage.blocks.split` cuts it, every block an item that validates
    on its own, and ids unique (the index refuses a repeated one).
    """
    if not index.enabled():
        return None
    try:
        file = open(store.path, "rb")  # noqa: SIM115 - closed below, whatever happens
    except OSError:
        return None
    try:
        # The file read is the version the stamp describes, and stays so until the end.
        if index.stamp(os.fstat(file.fileno())) != file_stamp:
            return None
        if _stream(store, file, file_stamp, indexed_at):
            return index.open_for_update(store.path)
    except Exception:
        # NotStreamable, or anything odd (a read error, a block tomli chokes on):
        # the whole-file path reads the file again and says what it says of it.
        pass
    finally:
        file.close()
    return None


class _Runs:
    """Runs of :data:`~coopcli.storage.refresh.RUN_BLOCKS` blocks in stored order, each
    hashed as it lies in the file (separators and all), as :func:`measure` makes them."""

    def __init__(self, separator: bytes) -> None:
        self.records: list[index.RunRecord] = []
        self._separator = separator
        self._hash = hashlib.sha1()
        self._count = 0
        self._start = self._end = 0
        self._first: tuple[str, str] = ("", "")
        self._last: tuple[str, str] = ("", "")
        self._first_hash = 0

    def add(self, offset: int, block: bytes, key: tuple[str, str], hash_: int) -> None:
        """The next block: where it starts, its bytes, its item's (date, id), its hash."""
        if self._count == 0:
            self._hash = hashlib.sha1(block)
            self._start, self._first, self._first_hash = offset, key, hash_
        else:
            self._hash.update(self._separator)
            self._hash.update(block)
        self._count += 1
        self._end, self._last = offset + len(block), key
        if self._count == RUN_BLOCKS:
            self.close()

    def close(self) -> None:
        """End the run under way, if any."""
        if self._count:
            digest = blocks.hash_of_digest(self._hash.digest())
            length = self._end - self._start
            record = (*self._first, *self._last, self._count, length, digest, self._first_hash)
            self.records.append(record)
            self._count = 0


def _stream(store: Store, file: IO[bytes], file_stamp: str, indexed_at: int) -> bool:
    format = store.format
    pieces = read_blocks(file.read, format)
    _, head = next(pieces)
    raw_head = blocks.parse_head(format, head)
    meta = None if raw_head is None else _head(raw_head)
    if meta is None:
        return False
    fresh = index.fresh(store.path)
    if fresh is None:
        return False
    with fresh:
        head_layout = blocks.head_layout(format, head, head_data(meta))
        spliceable = head_layout != blocks.OTHER
        types = all_types(meta.types)
        separator = blocks.separator(format)
        runs = _Runs(separator)
        end = len(head) - len(separator)  # where the block before the next one ends
        batch: list[tuple[ItemView, int, int, int]] = []
        previous: tuple[dt.date, str] | None = None
        total = 0
        block = b""
        for offset, block in pieces:
            if offset != end + len(separator):
                return False
            raw = blocks.parse_block(format, block)
            item = None if raw is None else validate_item(format, raw, types)
            if item is None or (previous is not None and (item.date, item.id) <= previous):
                return False
            previous = (item.date, item.id)
            shape = blocks.layout_of(format, block, to_data(item))
            if shape == blocks.OTHER:
                # A block in another layout is only trusted to be this item's when it
                # names it.
                if id_line(format, item.id) not in block:
                    return False
                spliceable = False
            hash_ = blocks.block_hash(block)
            end = offset + len(block)
            total += len(block)
            batch.append((item, len(block), hash_, shape))
            if len(batch) == BATCH:
                if not fresh.add(batch):
                    return False
                batch = []
            if spliceable:
                runs.add(offset, block, (item.date.isoformat(), item.id), hash_)
        if previous is None or (batch and not fresh.add(batch)):
            return False
        runs.close()
        st = os.fstat(file.fileno())
        if index.stamp(st) != file_stamp or end + len(blocks.tail(format)) != st.st_size:
            return False
        summary = index.Summary(
            spliceable, len(head), blocks.block_hash(head), head_layout, st.st_size, total
        )
        source = index.Source(
            (), meta.title, meta.link, meta.description, meta.types, vocabulary=meta.tags
        )
        # The file ends with its last block (and, in JSON, the array's end): all that
        # decides whether an item can be appended, the headers being counted already.
        ending = block + blocks.tail(format)
        return fresh.finish(
            file_stamp,
            source,
            appendable=store.codec.appendable(ending, 1),
            indexed_at=indexed_at,
            last=(previous[0].isoformat(), previous[1]),
            summary=summary,
            runs=runs.records if spliceable else (),
        )
