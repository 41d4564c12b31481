"""Adding an item by appending it to the file: the fast path of ``coopcli add``.

Items are stored oldest first, so a new item nearly always belongs at the end of
the file. When the index shows that the file is exactly as coopcli last wrote it and
the new item sorts last, the new file is the old bytes plus the item's block: the
same bytes a full rewrite would give, without parsing and re-validating every item.
It is still written atomically, under the lock, with the block read back before the
old file is replaced and the old version kept as ``<file>.bak``. Anything unusual
(a hand-edited file, an item that sorts earlier, a value the models might refuse or
normalise) returns None, and the caller does the full, validated rewrite instead.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopcli.core import ids, rules
from coopcli.core.errors import WriteError
from coopcli.core.itemtypes import all_types, match_type
from coopcli.core.view import Row, to_data
from coopcli.storage import index
from coopcli.storage.atomic import atomic_extend, remove_stale_temporaries

if TYPE_CHECKING:
    from coopcli.storage.store import Store

_ASCII_SPACE = " \t\n\r\x0b\x0c"


@dataclass(frozen=True)
class NewItem:
    """The fields of an item to add, as the user gave them."""

    type: str
    title: str
    date: dt.date
    summary: str | None = None
    url: str | None = None
    tags: Sequence[str] = ()
    force: bool = False
    draft: bool = False
    #: In its stored form (:func:`coopcli.core.status.parse_embargo`).
    embargo: str | None = None


def _trimmed(text: str) -> str | None:
    """Text without surrounding spaces, or None where the models might trim differently."""
    stripped = text.strip(_ASCII_SPACE)
    return stripped if stripped == stripped.strip() else None


def _optional(text: str | None) -> tuple[bool, str | None]:
    if text is None or not text.strip():
        return True, None
    trimmed = _trimmed(text)
    return trimmed is not None, trimmed


def prepare(idx: index.Index, new: NewItem) -> Row | None:
    """The item to append, or None when the full rewrite must decide."""
    key = match_type(new.type, all_types(idx.meta.types))
    title = _trimmed(new.title)
    summary_ok, summary = _optional(new.summary)
    url_ok, url = _optional(new.url)
    tags = rules.clean_tags(new.tags)
    if key is None or not title or not summary_ok or not url_ok or tags is None:
        return None
    if idx.meta.vocabulary:
        from coopcli.core.tags import unknown_tags

        if unknown_tags(tags, idx.meta.vocabulary):
            return None  # the full path explains the refusal
    if new.embargo is not None:
        from coopcli.core.status import check_embargo

        try:
            check_embargo(new.embargo)
        except ValueError:
            return None
    try:
        rules.check_url(url)
    except ValueError:
        return None
    if not new.force and idx.same_title_and_date(title, new.date):
        return None
    base = f"{new.date.isoformat()}-{ids.slugify(title)}"
    taken = {row.id for row in idx.ids_with_prefix(base, limit=None)}
    item_id = ids.new_id(new.date, title, taken)
    last = idx.meta.last
    if last is None or (new.date.isoformat(), item_id) <= last:
        return None
    return Row(item_id, key, title, new.date, summary, url, tuple(tags), new.draft, new.embargo)


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in data.items()}


def _end(path: Path, window: int) -> bytes:
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        handle.seek(max(0, size - window))
        return handle.read()


def try_append(store: Store, new: NewItem) -> Row | None:
    """Add ``new`` by appending it, when that is provably what a rewrite would write."""
    codec = store.codec
    if not index.enabled():
        return None
    with store.lock():
        try:
            st = os.stat(store.path)
            end = _end(store.target, codec.TAIL_WINDOW)
        except OSError:
            return None
        before = index.stamp(st)
        idx = index.open_for_update(store.path, before)
        if idx is None or not idx.meta.appendable:
            return None
        with idx:
            row = prepare(idx, new)
            data = to_data(row) if row is not None else {}
            plan = codec.append(end, st.st_size, data) if row is not None else None
            if row is None or plan is None or index.stamp(os.stat(store.path)) != before:
                return None
            keep, tail = plan

            def verify(written: bytes) -> None:
                if written != tail or _plain(codec.read_tail(written)) != _plain(data):
                    raise WriteError(
                        f"{store.path}: the new item did not read back as written; "
                        "the file is unchanged"
                    )

            def unchanged() -> None:
                if index.stamp(os.stat(store.path)) != before:
                    raise WriteError(f"{store.path}: changed while saving; the file is unchanged")

            remove_stale_temporaries(store.target)
            atomic_extend(
                store.path,
                keep,
                tail,
                verify=verify,
                before_replace=unchanged,
                backup=store.backup_path,
            )
            idx.record_append(row, index.stamp(os.stat(store.path)))
        return row
