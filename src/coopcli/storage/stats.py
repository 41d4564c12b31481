"""Counting a list's items: by type, month, year and tag, first and last date.

Everything is counted by SQLite in the index (``GROUP BY``), so stats over a
hundred thousand items read no item into Python.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from coopcli.storage.index import Index, Query


class By(str, enum.Enum):
    """What ``stats --by`` counts items by."""

    TYPE = "type"
    MONTH = "month"
    YEAR = "year"
    TAG = "tag"


@dataclass(frozen=True)
class Count:
    """One bar of a breakdown: a key (``news``, ``2021-10``), its label and its count."""

    key: str
    label: str
    count: int


@dataclass(frozen=True)
class Stats:
    """The numbers ``coopcli stats`` shows."""

    total: int
    first: dt.date | None
    last: dt.date | None
    breakdowns: dict[By, list[Count]] = field(default_factory=dict)
    #: How many keys each breakdown had before ``top`` cut it.
    sizes: dict[By, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The stats as plain data for ``--format json`` (a stable shape)."""
        return {
            "total": self.total,
            "first": self.first.isoformat() if self.first else None,
            "last": self.last.isoformat() if self.last else None,
            "by": {
                by.value: [{"key": c.key, "label": c.label, "count": c.count} for c in counts]
                for by, counts in self.breakdowns.items()
            },
        }


def default_breakdowns(first: dt.date | None, last: dt.date | None) -> list[By]:
    """Type, then month when the items span one year at most (else year), then tag."""
    within_a_year = first is not None and last is not None and (last - first).days <= 366
    return [By.TYPE, By.MONTH if within_a_year else By.YEAR, By.TAG]


def compute(
    idx: Index,
    query: Query,
    labels: Mapping[str, str],
    by: Sequence[By] = (),
    top: int | None = None,
) -> Stats:
    """Count the items ``query`` selects: each breakdown in ``by`` (default: see
    :func:`default_breakdowns`), cut to the ``top`` largest for types and tags."""
    total = idx.count(query)
    span = idx.span(query)
    first, last = span if span else (None, None)
    breakdowns: dict[By, list[Count]] = {}
    sizes: dict[By, int] = {}
    for each in by or default_breakdowns(first, last):
        counts = idx.counts(each.value, query)
        if each in (By.MONTH, By.YEAR):
            ordered = sorted(counts.items())
        else:
            ordered = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        sizes[each] = len(ordered)
        if top is not None:
            ordered = ordered[:top] if each in (By.TYPE, By.TAG) else ordered[-top:]
        breakdowns[each] = [
            Count(key, labels.get(key, key) if each is By.TYPE else key, n) for key, n in ordered
        ]
    return Stats(total, first, last, breakdowns, sizes)
