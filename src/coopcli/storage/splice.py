"""Changing a few items of a large file by splicing their blocks: edit, remove, add.

The index knows where each item's block lies (its length, in stored order, so an
offset is a sum the index computes) and what it holds (a hash). A change removes
some items and adds others; the new file is the old bytes with those blocks cut out
and the new blocks (written exactly as a full rewrite writes them) put in their
places. Untouched items are copied file to file by the kernel, never parsed: their
bytes, comments included, stay as they were.

Only the new or changed items are validated, by the caller, before the lock is taken
(a person or Pydantic may be slow; the lock is held for milliseconds). Under the
lock, the index must match the file, the blocks the change touches must hash as the
index says, and the result is written to a temporary file, fsynced, read back where
it is new, and renamed into place with the old version kept as ``<file>.bak``.
Whenever something is unusual (no index, a hand-laid-out file, an empty list) the
caller does the full, validated rewrite instead, which gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coopcli.core.errors import CoopError, WriteError
from coopcli.core.view import ItemView, to_data
from coopcli.storage import blocks, index
from coopcli.storage.atomic import atomic_splice, remove_stale_temporaries

if TYPE_CHECKING:
    from coopcli.storage.store import Store


@dataclass(frozen=True)
class Change:
    """Items to cut out (by id) and items to put in (validated, with fresh ids)."""

    removed: Sequence[str] = ()
    added: Sequence[ItemView] = ()
    #: What the caller wants back once the change is saved.
    result: Any = None
    #: Metadata values the caller saw (unused by the splice; for the caller's checks).
    notes: dict[str, Any] = field(default_factory=dict)


Plan = Callable[[index.Index], Change | None]


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def _current(store: Store) -> index.Index | None:
    """The writable index of the file as it is, refreshed from changed blocks if need be."""
    from coopcli.storage.refresh import refresh

    at = time.time_ns()
    try:
        before = index.stamp(os.stat(store.path))
    except OSError:
        return None
    found = index.open_for_update(store.path, before)
    if found is None:
        found = refresh(store, before, at)
    return found


def try_change(store: Store, plan: Plan) -> Change | None:
    """Make the change ``plan`` decides on the current index by splicing blocks.

    ``plan`` runs under the lock with the current index; it may raise (an unknown
    id, a duplicate) to refuse the change, or return None to leave it to the full
    rewrite. Returns the change made, or None when nothing was written.
    """
    if not index.enabled():
        return None
    # Outside the lock, bring the index up to date: a refresh after an outside
    # change reads the changed blocks, which should not make other writers wait.
    # While another coopcli holds the lock, it is writing and will record its own
    # change in the index: refreshing meanwhile would only make it wait.
    from coopcli.storage.reading import open_index

    if not store.lock_busy():
        try:
            open_index(store).close()
        except CoopError:  # the full path says what is wrong with the file
            return None
    with store.lock():
        idx = _current(store)
        if idx is None:
            return None
        with idx:
            try:
                before = index.stamp(os.stat(store.path))
            except OSError:
                return None
            if not idx.hold(before) or not idx.meta.spliceable or idx.meta.count == 0:
                return None
            change = plan(idx)
            if change is None:
                return None
            if (change.removed or change.added) and not _splice(store, idx, change):
                return None
    return change


def _splice(store: Store, idx: index.Index, change: Change) -> bool:
    format = store.format
    meta = idx.meta
    sep = len(blocks.separator(format))
    n = meta.count
    head = meta.head
    sums: dict[int, int] = {0: 0, n: meta.total}
    touched: list[tuple[int, int, int]] = []  # (rank, length, hash) of old blocks read
    removed: set[int] = set()
    for item_id in change.removed:
        found = idx.block(item_id)
        if found is None:
            return False
        row, length, hash_ = found
        rank, before = idx.locate(row.date.isoformat(), row.id)
        sums[rank] = before
        sums[rank + 1] = before + length
        removed.add(rank)
        touched.append((rank, length, hash_))
    inserts: dict[int, list[tuple[tuple[str, str], bytes, dict[str, Any]]]] = {}
    for item in change.added:
        data = to_data(item)
        key = (item.date.isoformat(), item.id)
        rank, before = idx.locate(*key)
        sums[rank] = before
        inserts.setdefault(rank, []).append((key, blocks.render(format, data), data))
    if n - len(removed) + len(change.added) == 0:
        return False

    def start(rank: int) -> int:
        return head + sums[rank] + rank * sep

    def end(rank: int) -> int:  # the end of the block before ``rank``
        return head + sums[rank] + (rank - 1) * sep

    pieces: list[tuple[int, int, bytes]] = [(0, head, b"")]
    new_at: list[tuple[int, bytes, dict[str, Any]]] = []
    size = head

    def emit(piece: tuple[int, int, bytes], fresh: dict[str, Any] | None = None) -> None:
        nonlocal size
        if len(pieces) > 1 and sep:
            pieces.append((0, 0, blocks.separator(format)))
            size += sep
        pieces.append(piece)
        if fresh is not None:
            new_at.append((size, piece[2], fresh))
        size += len(piece[2]) if piece[2] else piece[1] - piece[0]

    cursor = 0
    for point in sorted(removed | inserts.keys()):
        if cursor < point:
            emit((start(cursor), end(point), b""))
        for _, block, data in sorted(inserts.get(point, []), key=lambda entry: entry[0]):
            emit((0, 0, block), data)
        cursor = point + 1 if point in removed else point
    if cursor < n:
        emit((start(cursor), end(n), b""))
    pieces.append((end(n), meta.size, b""))
    size += meta.size - end(n)

    path = store.path
    st = os.stat(path)
    stamp_before = index.stamp(st)
    if st.st_size != meta.size:
        return False
    with open(path, "rb") as handle:
        fd = handle.fileno()
        if blocks.block_hash(os.pread(fd, head, 0)) != meta.head_hash:
            return False
        for rank, length, hash_ in touched:
            if blocks.block_hash(os.pread(fd, length, start(rank))) != hash_:
                return False

    def check(fd: int) -> None:
        if os.fstat(fd).st_size != size or any(
            os.pread(fd, len(block), at) != block
            or _plain(blocks.parse_block(format, block) or {}) != _plain(data)
            for at, block, data in new_at
        ):
            raise WriteError(
                f"{path}: the new version did not read back as written; the file is unchanged"
            )

    def unchanged() -> None:
        if index.stamp(os.stat(path)) != stamp_before:
            raise WriteError(f"{path}: changed while saving; the file is unchanged")

    remove_stale_temporaries(store.target)
    atomic_splice(path, pieces, check=check, before_replace=unchanged, backup=store.backup_path)
    values = {"size": str(size), "count": str(n - len(removed) + len(change.added))}
    values["total"] = str(
        meta.total
        - sum(length for _, length, _ in touched)
        + sum(len(block) for entries in inserts.values() for _, block, _ in entries)
    )
    settled = index.settled(path, os.stat(path))
    if settled is not None:
        values["stamp"] = settled[0]
        values["indexed_at"] = str(settled[1])
    added = [
        (item, blocks.render(format, to_data(item)), blocks.CANONICAL) for item in change.added
    ]
    index.quietly(lambda: idx.replace_items(change.removed, added, values))
    return True
