"""coopcli: keep an organisation's news list in a plain TOML or JSON file.

The library's API is :class:`coopcli.NewsList`; see ``docs/python-api.md``::

    from coopcli import NewsList

    news = NewsList.open("news.toml")
    news.add(type="news", title="ILO country briefs", date="2021-10-28")

The names below are loaded on first use, so ``import coopcli`` (and
``coopcli --version``) cost nothing more than the version string.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "NewsList": "coopcli.newslist",
    "Edited": "coopcli.newslist",
    "Exported": "coopcli.newslist",
    "FilterArgs": "coopcli.core.query",
    "SortKey": "coopcli.core.query",
    "Item": "coopcli.core.models",
    "CoopError": "coopcli.core.errors",
    "DataError": "coopcli.core.errors",
    "UsageError": "coopcli.core.errors",
    "NotFoundError": "coopcli.core.errors",
    "WriteError": "coopcli.core.errors",
    "LockTimeoutError": "coopcli.core.errors",
}

__all__ = [
    "CoopError",
    "DataError",
    "Edited",
    "Exported",
    "FilterArgs",
    "Item",
    "LockTimeoutError",
    "NewsList",
    "NotFoundError",
    "SortKey",
    "UsageError",
    "WriteError",
    "__version__",
]

if TYPE_CHECKING:
    from coopcli.core.errors import (
        CoopError,
        DataError,
        LockTimeoutError,
        NotFoundError,
        UsageError,
        WriteError,
    )
    from coopcli.core.models import Item
    from coopcli.core.query import FilterArgs, SortKey
    from coopcli.newslist import Edited, Exported, NewsList


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'coopcli' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
