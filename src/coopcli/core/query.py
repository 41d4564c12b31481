"""Filtering, sorting and searching items: pure functions, no I/O."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from coopcli.core.dates import Period, filter_period
from coopcli.core.itemtypes import resolve_type

if TYPE_CHECKING:
    from coopcli.core.view import ItemView

    ItemT = TypeVar("ItemT", bound=ItemView)


class SortKey(str, enum.Enum):
    """What ``--sort`` orders by."""

    DATE = "date"
    TITLE = "title"
    TYPE = "type"


@dataclass(frozen=True)
class FilterArgs:
    """The filter options exactly as typed; resolved against a file by the core."""

    type: tuple[str, ...] = ()
    tag: tuple[str, ...] = ()
    any_tag: bool = False
    since: str | None = None
    until: str | None = None
    on: str | None = None
    year: int | None = None
    month: str | None = None

    def is_empty(self) -> bool:
        """True when no filter was given."""
        return self == FilterArgs()


@dataclass(frozen=True)
class Filters:
    """The filters shared by ``list``, ``search``, ``export`` and ``stats``.

    ``types`` are already-resolved type keys; ``tags`` all have to match unless
    ``any_tag``; the period is inclusive.
    """

    types: frozenset[str] = frozenset()
    tags: tuple[str, ...] = ()
    any_tag: bool = False
    period: Period = field(default_factory=Period)

    @classmethod
    def from_args(
        cls, args: FilterArgs, types: Mapping[str, str], now: dt.date | None = None
    ) -> Filters:
        """Resolve typed filter values against a file's types; bad values are usage errors."""
        return cls(
            types=frozenset(resolve_type(name, types) for name in args.type),
            tags=args.tag,
            any_tag=args.any_tag,
            period=filter_period(args.since, args.until, args.on, args.year, args.month, now),
        )


def sort(
    items: Iterable[ItemT], key: SortKey = SortKey.DATE, *, reverse: bool = False
) -> list[ItemT]:
    """Order items: by date newest first (the default), or by title or type A to Z.

    Ties fall back to newest first, then id, so the order is always the same.
    ``reverse`` flips the whole order.
    """
    ordered = sorted(items, key=lambda item: item.id)
    ordered.sort(key=lambda item: item.date, reverse=True)
    if key is SortKey.TITLE:
        ordered.sort(key=lambda item: item.title.casefold())
    elif key is SortKey.TYPE:
        ordered.sort(key=lambda item: item.type)
    if reverse:
        ordered.reverse()
    return ordered


def limit(items: Sequence[ItemT], count: int | None) -> list[ItemT]:
    """The first ``count`` items (all of them when ``count`` is None)."""
    return list(items if count is None else items[:count])
