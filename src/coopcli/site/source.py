"""Where the site's items come from: the one function that reads the item file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from coopcli.itemtypes import all_types
from coopcli.view import ItemView


@dataclass(frozen=True)
class SiteSource:
    """The list as the site needs it: metadata, type labels and validated items."""

    title: str | None
    link: str | None
    description: str | None
    #: The file's own ``[types]`` (key -> label), as the feed writers take them.
    types: Mapping[str, str]
    items: Sequence[ItemView]

    @property
    def labels(self) -> dict[str, str]:
        """Every type's label: the built-in types and the file's own."""
        return all_types(self.types)


def read_list(path: Path) -> SiteSource:
    """Load and validate the item file at ``path`` (a :class:`~coopcli.errors.CoopError`
    names the problem and where it is when the file is missing or malformed)."""
    from coopcli.store import Store

    doc = Store(path).load()
    return SiteSource(doc.title, doc.link, doc.description, dict(doc.types), list(doc.items))
