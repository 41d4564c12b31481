"""Reading an item file through its index: what ``list``, ``show`` and friends use.

:func:`open_index` returns an index that matches the file as it is now. When the
cached index is current (the file has not changed since coopcli last read or wrote
it) nothing else is read, and Pydantic is never imported. Otherwise the file is
loaded and validated as usual, and the index is rebuilt from it.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from coopcli.storage import index

if TYPE_CHECKING:
    from coopcli.core.models import NewsFile
    from coopcli.storage.store import Store

_EMPTY = index.Source(items=(), title=None, link=None, description=None, types={})


def source_of(doc: NewsFile) -> index.Source:
    """What the index stores of a validated document."""
    return index.Source(
        doc.items, doc.title, doc.link, doc.description, doc.types, vocabulary=doc.tags
    )


def open_index(store: Store) -> index.Index:
    """An index of ``store``'s file as it is now (an empty one when there is no file)."""
    try:
        stamp = index.stamp(os.stat(store.path))
    except OSError:
        stamp = None
    if stamp is not None and (found := index.open_current(store.path, stamp)):
        return found
    # The stamp is taken before the bytes are read, so the bytes are never older
    # than the stamp: a change in between only causes one more rebuild.
    data = store.read_bytes()
    if data is None:
        return index.in_memory(_EMPTY)
    doc = store.parse(data)
    source = source_of(doc)
    if (
        stamp is not None
        and index.build(
            store.path,
            stamp,
            source,
            appendable=store.codec.appendable(data, len(doc.items)),
        )
        and (found := index.open_current(store.path, stamp))
    ):
        return found
    return index.in_memory(source)


def remember(store: Store, doc: NewsFile) -> None:
    """Index a version of the file that coopcli has just written (so it is appendable)."""
    try:
        stamp = index.stamp(os.stat(store.path))
    except OSError:  # pragma: no cover - the file was just written
        return
    index.build(store.path, stamp, source_of(doc), appendable=True)
