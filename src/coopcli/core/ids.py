"""Item ids: short, readable, stable, and found again from any unique prefix.

An id is the item's date and the first words of its title
(``2021-10-29-ilo-sheds-light-upon``), with ``-2``, ``-3``… when taken. It is made
once, when the item is added, and never changes afterwards, even if the title does.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Container, Sequence
from typing import TYPE_CHECKING, TypeVar

from coopcli.core.errors import NotFoundError, UsageError

if TYPE_CHECKING:
    from coopcli.core.view import ItemView

    ItemT = TypeVar("ItemT", bound=ItemView)

SLUG_LENGTH = 20
_STOPWORDS = frozenset(
    {"a", "an", "the", "of", "and", "in", "on", "at", "to", "for", "by", "with", "from"}
)


def slug_words(title: str) -> list[str]:
    """The title's words as lowercase ASCII (accents dropped, punctuation gone)."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return re.findall(r"[a-z0-9]+", ascii_text.lower())


def slugify(title: str, limit: int = SLUG_LENGTH) -> str:
    """The first words of ``title``, up to about ``limit`` characters."""
    words = slug_words(title)
    # Leading articles say nothing: "The ILO and…" -> "ilo-and…".
    while len(words) > 1 and words[0] in _STOPWORDS:
        words.pop(0)
    kept: list[str] = []
    for word in words:
        if kept and len("-".join([*kept, word])) > limit:
            break
        kept.append(word[:limit])
    # Nor do trailing ones: "un-task-force-on" -> "un-task-force".
    while len(kept) > 1 and kept[-1] in _STOPWORDS:
        kept.pop()
    return "-".join(kept) or "item"


def new_id(date: dt.date, title: str, taken: Container[str]) -> str:
    """A fresh id for an item, unique among ``taken``."""
    base = f"{date.isoformat()}-{slugify(title)}"
    if base not in taken:
        return base
    suffix = 2
    while f"{base}-{suffix}" in taken:
        suffix += 1
    return f"{base}-{suffix}"


def find(items: Sequence[ItemT], ref: str) -> ItemT:
    """The item whose id is ``ref``, or the only one whose id starts with it."""
    ref = ref.strip()
    if not ref:
        raise UsageError("an item id cannot be empty")
    matches = []
    for item in items:
        if item.id == ref:
            return item
        if item.id.startswith(ref):
            matches.append(item)
    if not matches:
        raise NotFoundError(f"no item with id {ref!r} (see `coopcli list` for ids)")
    if len(matches) > 1:
        shown = ", ".join(item.id for item in matches[:5])
        more = f" and {len(matches) - 5} more" if len(matches) > 5 else ""
        raise UsageError(f"id prefix {ref!r} is ambiguous: {shown}{more}")
    return matches[0]
