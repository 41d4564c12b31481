"""Where the site's items come from: the one function that reads the item file."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from coopcli.core.errors import DataError
from coopcli.core.itemtypes import all_types
from coopcli.core.view import ItemView
from coopcli.newslist import NewsList


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


def read_list(path: Path, *, include_drafts: bool = False) -> SiteSource:
    """The validated items of the item file at ``path``.

    They come from the list's index (:meth:`coopcli.NewsList.index`), which is
    validated from the file whenever the file changed and is otherwise read without
    parsing it again: a rebuild after one
    ``add`` should not pay for validating ten thousand items. A missing or malformed
    file is a :class:`~coopcli.core.errors.CoopError` that names the problem and where it is.
    Drafts and items still under embargo are left out unless ``include_drafts``: an
    embargoed item is on the first build after its time.
    """

    news = NewsList.open(path)
    if not news.exists():
        raise DataError(f"{path}: no such item file (coopcli add creates it)")
    with news.index() as index:
        meta, items = index.meta, index.rows()
    if not include_drafts:
        from coopcli.core.status import now, public_only

        items = public_only(items, now())
    return SiteSource(meta.title, meta.link, meta.description, dict(meta.types), items)
