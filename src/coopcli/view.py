"""A read-only view of an item, shared by the validated model and the fast read paths.

Searching, filtering, rendering and stats need only an item's fields, not a Pydantic
model. Code that reads items takes an :class:`ItemView`, so it works the same on an
:class:`~coopcli.models.Item` and on a :class:`Row` from the index (which is built
without importing Pydantic).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol


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


@dataclass(frozen=True, slots=True)
class Row:
    """An item as plain values: what the index stores and returns."""

    id: str
    type: str
    title: str
    date: dt.date
    summary: str | None = None
    url: str | None = None
    tags: tuple[str, ...] = field(default=())


def to_json(item: ItemView) -> dict[str, Any]:
    """The item for ``--format json``: every field present, the date as ISO text."""
    return {
        "id": item.id,
        "type": item.type,
        "title": item.title,
        "date": item.date.isoformat(),
        "summary": item.summary,
        "url": item.url,
        "tags": list(item.tags),
    }
