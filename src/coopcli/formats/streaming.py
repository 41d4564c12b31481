"""Writing an export a batch of items at a time, with the bytes of the whole export.

An export of a hundred thousand items would hold them all, and the whole text, at
once. A writer's ``export_stream(doc, batches, write)`` instead asks ``batches`` for
the items in the order it writes them (:data:`STORED`, :data:`NEWEST` or
:data:`LATEST`), a few hundred at a time, and hands its text to ``write`` piece by
piece. The text is exactly what ``export`` gives for the same items (tests compare
them): most writers render each batch with their own ``export`` and keep the part
that the batch's items make (:func:`cut`), so there is one way to write an item.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import chain
from typing import TYPE_CHECKING

from coopcli.core.view import Listing

if TYPE_CHECKING:
    from coopcli.core.view import DocumentView, ItemView

#: Oldest first, ties by id A to Z: the item file's own order.
STORED = "stored"
#: Newest first, ties by id A to Z: the order ``coopcli list`` shows.
NEWEST = "newest"
#: Newest first, ties by id Z to A: the order of feeds, CSV and the digest.
LATEST = "latest"

#: The items to export, in batches, in the order asked (one of the three above).
#: Each call reads them afresh, so a writer may go through them twice.
Batches = Callable[[str], Iterator[Sequence["ItemView"]]]
Write = Callable[[str], None]


def with_items(doc: DocumentView, items: Sequence[ItemView]) -> Listing:
    """``doc``'s metadata with these items."""
    return Listing(doc.title, doc.link, doc.description, doc.types, items, doc.version)


def items_of(batches: Iterable[Sequence[ItemView]]) -> Iterator[ItemView]:
    """The items of the batches, one after the other."""
    return chain.from_iterable(batches)


def cut(
    render: Callable[[Sequence[ItemView]], str],
    batches: Iterable[Sequence[ItemView]],
    write: Write,
    *,
    begin: Callable[[str], int],
    end: Callable[[str], int],
    separator: str = "",
) -> None:
    """Write what ``render`` gives for all the items, rendering one batch at a time.

    ``begin(text)`` and ``end(text)`` say where the part made by the items starts and
    ends in a rendering; what comes before is written once (it must be the same for
    every batch), the parts in turn (``separator`` between two batches), then what
    comes after. Without items, the rendering of none.
    """
    before: str | None = None
    after = ""
    for batch in batches:
        if not batch:
            continue
        text = render(batch)
        start, stop = begin(text), end(text)
        if before is None:
            before = text[:start]
            write(before)
        elif text[:start] != before:  # pragma: no cover - a writer's bug, never data
            raise AssertionError("an export's head changed between batches")
        else:
            write(separator)
        write(text[start:stop])
        after = text[stop:]
    if before is None:
        write(render(()))
    else:
        write(after)


def at(marker: str) -> Callable[[str], int]:
    """Where ``marker`` first is in a text."""
    return lambda text: text.index(marker)


def after(marker: str) -> Callable[[str], int]:
    """Just after the first ``marker`` in a text."""
    return lambda text: text.index(marker) + len(marker)


def last(marker: str) -> Callable[[str], int]:
    """Where ``marker`` last is in a text."""
    return lambda text: text.rindex(marker)


def to_end(text: str) -> int:
    """The end of a text."""
    return len(text)
