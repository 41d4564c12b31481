"""Output paths and links: safe file names from ids, types and tags, relative links.

Every path the site writes is relative to the output directory, uses ``/``, and is
made only of the segments this module returns, so an id, a type or a tag can never
name a file outside it (no ``..``, no ``/``, no over-long names). :func:`inside`
checks it once more before anything is written or deleted.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from coopcli.core.errors import DataError

#: Longest file-name segment made from a user's text; file systems allow 255 bytes.
MAX_SEGMENT = 80
_SAFE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_ID_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
# Characters HTML forbids or that would break a page's text: C0/C1 controls (not
# tab, newline, return), lone surrogates and noncharacters.
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)


def clean_text(text: str) -> str:
    """``text`` without the characters an HTML page must not contain."""
    return _FORBIDDEN.sub("", text)


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:8]


def slug(text: str) -> str:
    """Lowercase ASCII words joined by ``-`` (accents dropped), at most MAX_SEGMENT long."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:MAX_SEGMENT].strip("-")


def item_segment(item_id: str) -> str:
    """The file name (without ``.html``) of an item's page: the id itself when it is
    a plain, short file name, else its slug and a digest of the id."""
    if _ID_SAFE.match(item_id) and len(item_id) <= MAX_SEGMENT and ".." not in item_id:
        return item_id
    return f"{slug(item_id) or 'item'}-{_digest(item_id)}"


def segments(names: Iterable[str]) -> dict[str, str]:
    """A distinct, safe directory name for each of ``names`` (tags or types).

    A name that is already a clean slug keeps it; names that slug to nothing or to
    the same segment as another get a digest of their own text, so two tags never
    share a page, whatever order they come in.
    """
    chosen: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        chosen.setdefault(slug(name) or "x", []).append(name)
    result: dict[str, str] = {}
    for base, group in chosen.items():
        for name in group:
            plain = len(group) == 1 and base == name and _SAFE.match(name) is not None
            result[name] = name if plain else f"{base[: MAX_SEGMENT - 9]}-{_digest(name)}"
    return result


def relative(from_path: str, to_path: str) -> str:
    """The link from the page at ``from_path`` to ``to_path`` (both site-relative)."""
    return posixpath.relpath(to_path, posixpath.dirname(from_path) or ".")


def root_prefix(path: str) -> str:
    """``../`` repeated once per directory level of ``path``: the link to the site root."""
    return "../" * path.count("/")


def check(path: str) -> str:
    """``path`` itself, if it is a plain relative path of safe segments; else an error."""
    parts = path.split("/")
    if (
        not path
        or path.startswith("/")
        or "\\" in path
        or "\0" in path
        or any(part in ("", ".", "..") for part in parts)
    ):
        raise DataError(f"site: refusing to write the unsafe path {path!r}")
    return path


def inside(root: Path, path: str) -> Path:
    """``root / path``, refusing any path that would land outside ``root`` (a ``..``,
    an absolute path, or a symbolic link inside ``root`` leading out of it)."""
    target = root / check(path)
    if not target.parent.resolve().is_relative_to(root.resolve()):
        raise DataError(f"site: refusing to write {path!r}: it leads outside {root}")
    return target
