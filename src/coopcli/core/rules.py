"""The rules an item's fields follow, as plain functions.

The Pydantic models apply them on every load; the fast ``add`` path applies them to
one new item without importing Pydantic. Functions named ``check_*`` raise
``ValueError`` with the message a user sees; ``is_clean_*`` only answer yes or no
(the fast path hands anything doubtful to the models, which explain the problem).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ID_MAX_LENGTH = 200
#: A tag: no comma or semicolon (they separate tags in CSV and in what people type),
#: and no control character (it could not be typed, and some are separators).
TAG_PATTERN = r"^[^,;\x00-\x1f\x7f]+$"
_TAG = re.compile(TAG_PATTERN)
_SPACE = re.compile(r"\s")


def check_url(value: str | None) -> str | None:
    """An http(s) URL with a host and no spaces, or None."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an http:// or https:// URL")
    if _SPACE.search(value):
        raise ValueError("a URL cannot contain spaces")
    return value


def unique_tags(tags: Iterable[str]) -> list[str]:
    """Tags without repeats, ignoring case; the first spelling is kept."""
    seen: set[str] = set()
    kept: list[str] = []
    for tag in tags:
        key = tag.casefold()
        if key not in seen:
            seen.add(key)
            kept.append(tag)
    return kept


def clean_tags(tags: Iterable[str]) -> list[str] | None:
    """Tags as stored (trimmed, no repeats), or None if one would be refused."""
    trimmed = [tag.strip() for tag in tags]
    if not all(tag and _TAG.match(tag) for tag in trimmed):
        return None
    return unique_tags(trimmed)


def optional_text(value: str | None) -> str | None:
    """Optional text as stored: trimmed, and blank means absent."""
    if value is None or not value.strip():
        return None
    return value.strip()


@dataclass(frozen=True)
class Limits:
    """The longest title and summary ``add`` and ``edit`` accept, and ``check`` allows.

    A headline longer than a few lines, or a "summary" the size of a book, is a
    paste gone wrong far more often than news. Files that already hold longer text
    still load (``check`` flags them), so a lower limit never locks anyone out.
    """

    title: int = 300
    summary: int = 5000

    def problems(self, title: str | None, summary: str | None) -> list[tuple[str, str]]:
        """``(field, message)`` for each field longer than its limit."""
        found = []
        for name, value, most in (("title", title, self.title), ("summary", summary, self.summary)):
            if value is not None and len(value.strip()) > most:
                found.append(
                    (
                        name,
                        f"{name} is {len(value.strip()):,} characters long; "
                        f"at most {most:,} are allowed (see `limits` in the config file)",
                    )
                )
        return found
