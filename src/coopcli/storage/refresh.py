"""Bringing the index up to date after the file changed outside coopcli.

A ``git pull`` or a hand edit usually changes a few items of a large file. Instead of
reading and validating every item again, :func:`refresh` cuts the file into its items'
blocks (:mod:`coopcli.storage.blocks`), hashes them, and reads only the blocks whose
hash the index does not know: the rest are the same bytes, so the same items. It gives
up (returns None, and the caller reads the whole file as before) whenever the file's
head changed, a new block does not read on its own, an item does not validate, or ids
repeat: the full path then says exactly what is wrong, with the same words.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import re
from collections import deque
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from coopcli.core import rules
from coopcli.core.itemtypes import all_types, match_type
from coopcli.core.rules import ID_MAX_LENGTH, ID_PATTERN
from coopcli.core.view import ItemView, Row, head_data, to_data
from coopcli.formats.toml import toml_string
from coopcli.storage import blocks, index
from coopcli.storage.append import plain_text

if TYPE_CHECKING:
    from coopcli.core.models import NewsFile
    from coopcli.storage.store import Store


#: How many blocks a fresh index hashes together as one run.
RUN_BLOCKS = 64


def id_line(format: str, item_id: str) -> bytes:
    """The line naming an item's id as coopcli writes it: what a block laid out
    otherwise must hold to be trusted as that item's."""
    if format == "json":
        return f'"id": {json.dumps(item_id)}'.encode()
    return f"\nid = {toml_string(item_id)}\n".encode()


def measure(format: str, data: bytes, doc: NewsFile) -> index.Blocks | None:
    """Where the validated ``doc``'s items lie in ``data``, or None when unclear."""
    layout = blocks.split(format, data)
    if layout is None or len(layout.spans) != len(doc.items):
        return None
    view = memoryview(data)
    head = view[: layout.head]
    head_layout = blocks.head_layout(format, bytes(head), head_data(doc))
    entries: list[tuple[int, int, int]] = []
    ordered = True
    previous: tuple[dt.date, str] | None = None
    for (start, end), item in zip(layout.spans, doc.items, strict=True):
        block = view[start:end]
        shape = blocks.layout_of(format, block, to_data(item))
        # A block in another layout is only trusted to be this item's when it names it.
        if shape == blocks.OTHER and id_line(format, item.id) not in bytes(block):
            return None
        entries.append((end - start, blocks.block_hash(block), shape))
        key = (item.date, item.id)
        ordered = ordered and (previous is None or previous < key)
        previous = key
    spliceable = (
        ordered
        and head_layout != blocks.OTHER
        and all(shape != blocks.OTHER for _, _, shape in entries)
    )
    runs: list[tuple[int, int, int, int]] = []
    if spliceable:
        spans = layout.spans
        for first in range(0, len(spans), RUN_BLOCKS):
            last = min(first + RUN_BLOCKS, len(spans)) - 1
            start, end = spans[first][0], spans[last][1]
            runs.append((first, last - first + 1, end - start, blocks.block_hash(view[start:end])))
    return index.Blocks(
        entries,
        layout.head,
        blocks.block_hash(head),
        len(data),
        spliceable,
        head_layout,
        runs,
    )


_ID = re.compile(ID_PATTERN)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_OPTIONAL = ("summary", "url")


#: The fields a plain item may have: one with the editorial fields (draft, embargo,
#: updated) is validated by the models, which know their rules.
_PLAIN_FIELDS = {"id", "type", "title", "date", "summary", "url", "tags"}


def plain_item(raw: dict[str, Any], types: dict[str, str]) -> Row | None:
    """An item whose values the models would store exactly as they are, checked by the
    same rules without loading the models; None for anything else."""
    item_id, key, title, date = (raw.get(name) for name in ("id", "type", "title", "date"))
    tags = raw.get("tags", [])
    if (
        not raw.keys() <= _PLAIN_FIELDS
        or not isinstance(item_id, str)
        or len(item_id) > ID_MAX_LENGTH
        or not _ID.match(item_id)
        or key not in types
        or not isinstance(title, str)
        or not title
        or plain_text(title) != title
        or type(date) is not dt.date
        or not isinstance(tags, list)
        or not all(isinstance(tag, str) for tag in tags)
        or rules.clean_tags(tags) != tags
    ):
        return None
    optional: list[str | None] = []
    for name in _OPTIONAL:
        value = raw.get(name)
        if value is not None and (
            not isinstance(value, str) or not value or plain_text(value) != value
        ):
            return None
        optional.append(value)
    try:
        rules.check_url(optional[1])
    except ValueError:
        return None
    return Row(item_id, key, title, date, optional[0], optional[1], tuple(tags))


def validate_item(format: str, raw: dict[str, Any], types: dict[str, str]) -> ItemView | None:
    """One item as a full load validates it, or None when it does not validate."""
    if format == "json" and isinstance(raw.get("date"), str):
        # The models take only YYYY-MM-DD; fromisoformat takes more (20210101).
        if not _ISO_DATE.fullmatch(raw["date"]):
            return None
        try:
            raw["date"] = dt.date.fromisoformat(raw["date"])
        except ValueError:
            return None
    plain = plain_item(raw, types)
    if plain is not None:
        return plain
    from pydantic import ValidationError

    from coopcli.core.models import Item

    try:
        item = Item.model_validate(raw)
    except ValidationError:
        return None
    key = match_type(item.type, types)
    if key is None:
        return None
    if key != item.type:
        object.__setattr__(item, "type", key)
    return item


def refresh(store: Store, file_stamp: str, indexed_at: int) -> index.Index | None:
    """The index brought up to date with the file as it is now, reading only new blocks."""
    idx = index.open_for_update(store.path)
    if idx is None:
        return None
    import sqlite3

    try:
        found = _refresh(store, idx, file_stamp, indexed_at)
    except sqlite3.Error:
        found = False
    if not found:
        idx.close()
        return None
    return idx


def _refresh(store: Store, idx: index.Index, file_stamp: str, indexed_at: int) -> bool:
    if not idx.meta.blocks:
        return False
    data = store.read_bytes()
    if data is None:
        return False
    db = idx._db
    # One transaction from reading what the index knows to writing what changed, so
    # two commands refreshing at once cannot both apply the same change.
    db.execute("BEGIN IMMEDIATE")
    try:
        meta = index._meta(index._read_meta(db))
        found = _by_runs(store, idx, meta, data, file_stamp, indexed_at)
        if found is None:
            found = _by_hashes(store, idx, meta, data, file_stamp, indexed_at)
        if not found:
            return False
    finally:
        if db.in_transaction:
            db.rollback()
    idx.meta = index._meta(index._read_meta(db))
    return True


def _values(
    store: Store, data: bytes, file_stamp: str, indexed_at: int, count: int, total: int
) -> dict[str, str]:
    appendable = getattr(store.codec, "appendable", None)
    return {
        "stamp": file_stamp,
        "indexed_at": str(indexed_at),
        "count": str(count),
        "size": str(len(data)),
        "total": str(total),
        "appendable": "1" if appendable is not None and appendable(data, count) else "0",
    }


_Loose = tuple[str, str, int, int, int]


def _by_runs(
    store: Store,
    idx: index.Index,
    meta: index.Meta,
    data: bytes,
    file_stamp: str,
    indexed_at: int,
) -> bool | None:
    """The refresh of a file whose items are in stored order, walking its blocks side by
    side with the runs and single blocks the index knows, in stored order: a run whose
    bytes are still there is checked with one hash; a run that changed is broken into
    its blocks, each checked on its own. None when the file is not laid out for this
    (the caller then compares every block's hash); False when the full path must read
    the file."""
    format = store.format
    if not (meta.spliceable and meta.count):
        return None
    found = blocks.bounds(format, data, meta.head)
    if found is None:
        return None
    view = memoryview(data)
    if blocks.block_hash(view[: meta.head]) != meta.head_hash:
        return False
    pos, end = found
    stored: list[index.Run | _Loose] = [*idx.runs(), *idx.loose_blocks()]
    stored.sort(key=_first_key)
    units = deque(stored)
    ahead: dict[int, index.Run | _Loose] = {_first_hash(unit): unit for unit in units}
    types = all_types(meta.types)
    block_hash = blocks.block_hash
    removed: list[str] = []
    removed_length = 0
    added: list[tuple[ItemView, bytes, int]] = []
    previous: tuple[str, str] | None = None

    def take_off() -> None:
        nonlocal removed_length
        unit = units.popleft()
        if isinstance(unit, index.Run):
            loose = idx.break_run(unit)
            units.extendleft(reversed(loose))
            return
        removed.append(unit[1])
        removed_length += unit[2]

    while pos >= 0:
        unit = units[0] if units else None
        if isinstance(unit, index.Run):
            run_end = pos + unit.length
            after = (
                blocks.after_run(format, data, run_end, end)
                if run_end <= end and block_hash(view[pos:run_end]) == unit.hash
                else None
            )
            if after is None:
                units.popleft()
                loose = idx.break_run(unit)
                units.extendleft(reversed(loose))
                ahead.update((row[3], row) for row in loose)
                continue
            if previous is not None and unit.first <= previous:
                return None
            previous = unit.last
            units.popleft()
            pos = after
            continue
        block_end, after = blocks.next_block(format, data, pos, end)
        hash_ = block_hash(view[pos:block_end])
        if unit is not None and hash_ == unit[3]:
            key = unit[:2]
            if previous is not None and key <= previous:
                return None
            previous = key
            units.popleft()
            pos = after
            continue
        later = ahead.get(hash_)
        if unit is not None and later is not None and _first_key(later) > unit[:2]:
            # The blocks the index knows up to that one are gone from the file.
            while units[0] is not later:
                take_off()
            continue
        block = data[pos:block_end]
        raw = blocks.parse_block(format, block)
        item = None if raw is None else validate_item(format, raw, types)
        if item is None:
            return False
        shape = blocks.layout_of(format, block, to_data(item))
        if shape == blocks.OTHER:
            return None
        key = (item.date.isoformat(), item.id)
        if previous is not None and key <= previous:
            return None
        previous = key
        added.append((item, block, shape))
        pos = after
    while units:
        take_off()
    if added:
        new_ids = [item.id for item, _, _ in added]
        if len(set(new_ids)) != len(new_ids):
            return False
        if not idx.existing_ids(new_ids) <= set(removed):
            return False
    count = meta.count - len(removed) + len(added)
    total = meta.total - removed_length + sum(len(block) for _, block, _ in added)
    values = _values(store, data, file_stamp, indexed_at, count, total)
    idx.replace_items(removed, added, {**values, "spliceable": "1"})
    return True


def _first_key(unit: index.Run | _Loose) -> tuple[str, str]:
    return unit.first if isinstance(unit, index.Run) else unit[:2]


def _first_hash(unit: index.Run | _Loose) -> int:
    return unit.first_hash if isinstance(unit, index.Run) else unit[3]


def _by_hashes(
    store: Store,
    idx: index.Index,
    meta: index.Meta,
    data: bytes,
    file_stamp: str,
    indexed_at: int,
) -> bool:
    """The refresh of any file: every block hashed, looked up among the index's."""
    format = store.format
    layout = blocks.split(format, data)
    if layout is None:
        return False
    hashes = layout.hashes(data)
    if len(set(hashes)) != len(hashes):
        return False
    if blocks.block_hash(data[: layout.head]) != meta.head_hash:
        return False
    known = idx.known_blocks()
    types = all_types(meta.types)
    added: list[tuple[ItemView, bytes, int]] = []
    keys: list[tuple[str, str]] = []
    shapes: list[int] = []
    for (start, end), hash_ in zip(layout.spans, hashes, strict=True):
        old = known.get(hash_)
        if old is not None:
            keys.append((old[1], old[2]))
            shapes.append(old[3])
            continue
        block = data[start:end]
        raw = blocks.parse_block(format, block)
        item = None if raw is None else validate_item(format, raw, types)
        if item is None:
            return False
        shape = blocks.layout_of(format, block, to_data(item))
        added.append((item, block, shape))
        keys.append((item.date.isoformat(), item.id))
        shapes.append(shape)
    ids = [id_ for _, id_ in keys]
    if len(set(ids)) != len(ids):
        return False
    kept = set(hashes)
    removed = [old[2] for hash_, old in known.items() if hash_ not in kept]
    ordered = all(a < b for a, b in itertools.pairwise(keys))
    spliceable = ordered and meta.head_ok and all(shape != blocks.OTHER for shape in shapes)
    last = max(keys) if keys else None
    total = sum(end - start for start, end in layout.spans)
    values = {
        **_values(store, data, file_stamp, indexed_at, len(keys), total),
        "last": json.dumps(list(last) if last else None),
        "spliceable": "1" if spliceable else "0",
    }
    idx.replace_items(removed, added, values)
    return True


def added_blocks(format: str, items: Sequence[ItemView]) -> list[tuple[ItemView, bytes, int]]:
    """New items with their blocks as a full rewrite writes them."""
    return [(item, blocks.render(format, to_data(item)), blocks.CANONICAL) for item in items]
