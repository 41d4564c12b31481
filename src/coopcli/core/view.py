"""A read-only view of an item, shared by the validated model and the fast read paths.

Searching, filtering, rendering and stats need only an item's fields, not a Pydantic
model. Code that reads items takes an :class:`ItemView`, so it works the same on an
:class:`~coopcli.core.models.Item` and on a :class:`Row` from the index (which is built
without importing Pydantic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, Protocol

#: An item's fields in the order they are stored: the one list that the model, the
#: index, the merge driver, CSV and the editor follow. A new field is added here, to
#: :class:`ItemView` and :class:`Row`, and to the formats that show it.
ITEM_FIELDS = (
    "id",
    "type",
    "title",
    "date",
    "summary",
    "url",
    "tags",
    "draft",
    "embargo",
    "updated",
)
#: The fields a person writes in the editor: coopcli gives the id, and the editorial
#: fields have their own commands (``--draft``, ``--embargo``, ``publish``) or are
#: recorded by coopcli (``updated``).
EDITABLE_FIELDS = ITEM_FIELDS[1:7]


class ItemView(Protocol):
    """The fields of one item, read-only."""

    @property
    def id(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def date(self) -> dt.date: ...
    @property
    def summary(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def tags(self) -> Sequence[str]: ...
    @property
    def draft(self) -> bool: ...
    @property
    def embargo(self) -> str | None: ...
    @property
    def updated(self) -> str | None: ...


class Row(NamedTuple):
    """An item as plain values: what the index stores and returns.

    A named tuple rather than a frozen dataclass: an export of 100,000 items makes
    100,000 of them, and a tuple is built several times faster.
    """

    id: str
    type: str
    title: str
    date: dt.date
    summary: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = ()
    draft: bool = False
    embargo: str | None = None
    updated: str | None = None


def to_json(item: ItemView) -> dict[str, Any]:
    """The item for ``--format json``: the date as ISO text; every field present except
    ``draft``, ``embargo`` and ``updated``, which appear when set."""
    data: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "title": item.title,
        "date": item.date.isoformat(),
        "summary": item.summary,
        "url": item.url,
        "tags": list(item.tags),
    }
    # The editorial fields only where set, so lists that do not use them (and the
    # scripts reading their JSON) see exactly the seven fields they always had.
    if item.draft:
        data["draft"] = True
    if item.embargo is not None:
        data["embargo"] = item.embargo
    if item.updated is not None:
        data["updated"] = item.updated
    return data


def to_data(item: ItemView) -> dict[str, Any]:
    """The item as stored: fixed key order, empty fields left out."""
    data: dict[str, Any] = {
        "id": item.id,
        "type": item.type,
        "title": item.title,
        "date": item.date,
    }
    if item.summary is not None:
        data["summary"] = item.summary
    if item.url is not None:
        data["url"] = item.url
    if item.tags:
        data["tags"] = list(item.tags)
    if item.draft:
        data["draft"] = True
    if item.embargo is not None:
        data["embargo"] = item.embargo
    if item.updated is not None:
        data["updated"] = item.updated
    return data


def stored_order(item: ItemView) -> tuple[dt.date, str]:
    """The order items are stored in: oldest first, then by id.

    Chronological order means a new item usually lands at the end of the file, so
    the diff of an ``add`` is that item's lines alone.
    """
    return (item.date, item.id)


class DocumentView(Protocol):
    """A list as exporters see it: its metadata and its (already chosen) items."""

    @property
    def version(self) -> int: ...
    @property
    def title(self) -> str | None: ...
    @property
    def link(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def types(self) -> Mapping[str, str]: ...
    @property
    def items(self) -> Sequence[ItemView]: ...


@dataclass(frozen=True)
class Listing:
    """A :class:`DocumentView` made of plain values (from the index)."""

    title: str | None
    link: str | None
    description: str | None
    types: Mapping[str, str]
    items: Sequence[ItemView]
    version: int = 1


def document_data(doc: DocumentView) -> dict[str, Any]:
    """The document as stored: fixed key order, items sorted, empty fields left out."""
    data: dict[str, Any] = {"version": doc.version}
    for key, value in (("title", doc.title), ("link", doc.link), ("description", doc.description)):
        if value is not None:
            data[key] = value
    if doc.types:
        data["types"] = dict(sorted(doc.types.items()))
    # The tag vocabulary (``[tags]``), which only the item file's own model carries.
    vocabulary = getattr(doc, "tags", None)
    if vocabulary:
        data["tags"] = dict(sorted(vocabulary.items(), key=lambda pair: pair[0].casefold()))
    data["items"] = [to_data(item) for item in sorted(doc.items, key=stored_order)]
    return data
