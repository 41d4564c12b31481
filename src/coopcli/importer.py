"""What ``coopcli import`` does: read inputs, tell their format, merge them into a list.

Reading is :func:`read_input` (a file, ``-`` for stdin, or an http(s) URL) and
:func:`detect` (the format, from the suffix or else the content), then the format's
own ``read()``. :func:`merge` validates the drafts, gives them types and ids, skips
duplicates and adds the rest to a document; the CLI runs it inside one transaction.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from coopcli import formats
from coopcli.core import ids
from coopcli.core.errors import DataError, UsageError
from coopcli.core.itemtypes import match_type, unknown_type_message
from coopcli.formats import Draft, ReadResult

if TYPE_CHECKING:
    from coopcli.core.models import Item, NewsFile

#: How much of an input the content sniffing looks at.
_SNIFF = 4096
#: Suffixes that do not say which format: the content decides.
_AMBIGUOUS = frozenset({".xml", ".json", ""})
_ATOM_NS = "http://www.w3.org/2005/Atom"
_JSON_FEED = re.compile(r'"version"\s*:\s*"https?://jsonfeed\.org/version/')
_LISTING_ENTRY = re.compile(r"^\s*\d{1,4}[.)]\s+\S", re.MULTILINE)
_TOML_ITEM_FILE = re.compile(r"^\s*(\[\[\s*items\s*\]\]|version\s*=|title\s*=)", re.MULTILINE)
_XML_ROOT = re.compile(r"<(?![?!])([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)")

_DESCRIPTIONS = {
    "rss": "an RSS feed",
    "atom": "an Atom feed",
    "jsonfeed": "a JSON Feed",
}


@dataclass(frozen=True)
class Input:
    """One input's bytes and the name that messages use for it."""

    source: str
    data: bytes
    suffix: str


def read_input(arg: str) -> Input:
    """The bytes of a FILE argument: a path, ``-`` (stdin) or an http(s) URL."""
    from coopcli import fetch

    if arg == "-":
        return Input("<stdin>", sys.stdin.buffer.read(), "")
    if fetch.is_url(arg):
        from urllib.parse import urlsplit

        suffix = PurePosixPath(urlsplit(arg).path).suffix.lower()
        return Input(arg, fetch.fetch(arg), suffix)
    path = Path(arg)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{arg}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{arg}: is a directory, not a file to import") from None
    except OSError as exc:
        raise DataError(f"{arg}: cannot read: {exc.strerror}") from None
    return Input(arg, data, path.suffix.lower())


def _is_json_feed(data: bytes, head: str) -> bool:
    if not _JSON_FEED.search(head):
        return False
    import json

    try:
        document = json.loads(data.decode("utf-8-sig"))
    except ValueError:
        return True  # broken, but meant as a feed: its reader says where it breaks
    version = document.get("version") if isinstance(document, dict) else None
    return isinstance(version, str) and _JSON_FEED.match(f'"version":"{version}"') is not None


def sniff(data: bytes) -> str | None:
    """The format an input's first bytes look like, or None."""
    head = data[:_SNIFF].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")):
        return "jsonfeed" if _is_json_feed(data, head) else "json"
    if head.startswith("<"):
        root = _XML_ROOT.search(head)
        name = root.group(2).lower() if root else ""
        if name == "rss" or name == "rdf":
            return "rss"
        if name == "feed" and _ATOM_NS in head:
            return "atom"
        return None
    first = head.split("\n", 1)[0].strip().lower()
    columns = [c.strip().strip('"') for c in re.split(r"[,;\t]", first)]
    if "title" in columns and "date" in columns:
        return "csv"
    if _TOML_ITEM_FILE.search(head) and "=" in head:
        return "toml"
    if _LISTING_ENTRY.search(head):
        return "listing"
    return None


def detect(item: Input) -> str:
    """The format of an input: from its suffix, else (``.xml``, ``.json``, none) its content."""
    if item.suffix not in _AMBIGUOUS:
        known = formats.for_path(Path("x" + item.suffix))
        if known is not None:
            return known.name
    found = sniff(item.data)
    if found is None:
        if item.suffix == ".json":
            return "json"
        raise DataError(
            f"{item.source}: cannot tell what format this is; "
            f"name it with --format ({', '.join(formats.names(imports=True))})"
        )
    return found


def read(item: Input, name: str | None = None) -> tuple[str, ReadResult]:
    """Read one input with the format named (or detected); returns (format, result)."""
    chosen = name or detect(item)
    importable = formats.names(imports=True)
    if chosen not in importable:
        choices = ", ".join(importable)
        if chosen in _DESCRIPTIONS:
            raise DataError(
                f"{item.source}: looks like {_DESCRIPTIONS[chosen]}, which this coopcli "
                f"cannot import (it imports: {choices})"
            )
        raise DataError(
            f"{item.source}: the {chosen} format is for export only (imports: {choices}); "
            "name the input's format with --format"
        )
    result = formats.reader(chosen).read(item.data, item.source)
    return chosen, result


#: Wraps the drafts being imported, and their count, in a progress display.
Progress = Callable[[Iterable[tuple[str, int, "Draft"]], int], Iterable[tuple[str, int, "Draft"]]]


@dataclass
class Skipped:
    """A draft left out, and why."""

    source: str
    entry: int
    title: str | None
    reason: str

    def __str__(self) -> str:
        title = f" ({self.title!r})" if self.title else ""
        return f"{self.source}: entry {self.entry}{title}: {self.reason}"


@dataclass
class Report:
    """What an import did (or, with ``--dry-run``, would do)."""

    added: list[Item] = field(default_factory=list)
    duplicates: list[Skipped] = field(default_factory=list)
    invalid: list[Skipped] = field(default_factory=list)
    #: Entries a reader skipped without drafting them (no title or date in a feed).
    unreadable: int = 0
    metadata: list[str] = field(default_factory=list)

    def summary(self, *, dry_run: bool = False) -> str:
        """``Imported 3 items, skipped 1 duplicate and 2 invalid entries``."""
        added = _count(len(self.added), "item")
        parts = [f"{'Would import' if dry_run else 'Imported'} {added}"]
        skipped = []
        if self.duplicates:
            skipped.append(_count(len(self.duplicates), "duplicate"))
        invalid = len(self.invalid) + self.unreadable
        if invalid:
            skipped.append(_count(invalid, "invalid entry", "invalid entries"))
        if skipped:
            verb = "skip" if dry_run else "skipped"
            parts.append(f"{verb} {' and '.join(skipped)}")
        return ", ".join(parts)


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _type_of(draft: Draft, types: dict[str, str], default: str | None) -> str:
    if draft.type is not None and (key := match_type(draft.type, types)):
        return key
    for category in draft.categories:
        if key := match_type(category, types):
            return key
    if default is not None:
        return default
    if draft.type is not None:
        raise _UnknownType(
            unknown_type_message(draft.type, types)
            + "; add it under [types] in the item file, or give --type"
        )
    return "news"


class _UnknownType(Exception):
    """An entry names a type the list does not have (and no --type was given)."""


def _clean_tag(tag: str) -> str:
    # Feed categories may hold commas; a tag cannot (tags are joined with them).
    if "," in tag or ";" in tag:
        return " ".join(tag.replace(",", " ").replace(";", " ").split())
    return tag.strip()


def _error_message(exc: Exception) -> str:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        first = exc.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        message = str(first["msg"]).removeprefix("Value error, ")
        return f"{where}: {message}" if where else message
    return str(exc)


def merge(
    doc: NewsFile,
    results: Sequence[tuple[str, ReadResult]],
    *,
    default_type: str | None = None,
    progress: Progress | None = None,
) -> Report:
    """Add the drafts of ``results`` (source, result) to ``doc`` and say what happened.

    Each draft's type is its own (a key or label), else a category naming a known
    type, else ``default_type``, else ``news``. A draft with the id of an item already
    in the list, or its title (any case) and date, is a duplicate; one that does not
    validate is invalid. Both are skipped. A draft keeps its id when it has a free
    one (so ids survive a round trip); otherwise it gets a new one.
    """
    from pydantic import ValidationError

    from coopcli.core.models import Item
    from coopcli.core.rules import ID_MAX_LENGTH, ID_PATTERN

    report = Report()
    for source, result in results:
        report.unreadable += result.skipped
        for key, label in result.types.items():
            if key not in doc.all_types():
                doc.types = {**doc.types, key: label}
                report.metadata.append(f"the type {key!r} ({label}) from {source}")
        for name in ("title", "link", "description"):
            value = getattr(result, name)
            if value and getattr(doc, name) is None:
                try:
                    setattr(doc, name, value)
                except ValidationError:
                    continue  # a feed's odd link is no reason to refuse its items
                report.metadata.append(f"the list's {name} from {source}")

    types = doc.all_types()
    taken = {item.id for item in doc.items}
    seen = {(item.title.casefold(), item.date): item.id for item in doc.items}
    valid_id = re.compile(ID_PATTERN)

    work: Iterable[tuple[str, int, Draft]] = [
        (source, number, draft)
        for source, result in results
        for number, draft in enumerate(result.drafts, start=1)
    ]
    total = sum(len(result.drafts) for _, result in results)
    if progress is not None:
        work = progress(work, total)
    for source, number, draft in work:

        def skip(
            reason: str, source: str = source, number: int = number, draft: Draft = draft
        ) -> Skipped:
            return Skipped(source, number, draft.title, reason)

        if draft.title is None or not draft.title.strip():
            report.invalid.append(skip("no title"))
            continue
        if draft.date is None:
            report.invalid.append(skip("no date"))
            continue
        if draft.id is not None and draft.id in taken:
            report.duplicates.append(skip(f"the list already has the id {draft.id}"))
            continue
        title_date = (draft.title.strip().casefold(), draft.date)
        if title_date in seen:
            report.duplicates.append(skip(f"same title and date as {seen[title_date]}"))
            continue
        try:
            type_key = _type_of(draft, types, default_type)
        except _UnknownType as exc:
            raise DataError(str(skip(str(exc)))) from None
        try:
            own_id = draft.id
            if own_id is None or len(own_id) > ID_MAX_LENGTH or not valid_id.match(own_id):
                own_id = ids.new_id(draft.date, draft.title, taken)
            item = Item(
                id=own_id,
                type=type_key,
                title=draft.title,
                date=draft.date,
                summary=draft.summary,
                url=draft.url,
                tags=[tag for tag in map(_clean_tag, draft.tags) if tag],
                draft=draft.draft,
                embargo=draft.embargo,
                updated=draft.updated,
            )
        except (ValidationError, ValueError) as exc:
            report.invalid.append(skip(_error_message(exc)))
            continue
        taken.add(item.id)
        seen[title_date] = item.id
        report.added.append(item)
    doc.items.extend(report.added)
    return report


def check_type(text: str | None, doc: NewsFile) -> str | None:
    """``--type``'s key in this list, or a usage error naming the valid types."""
    if text is None:
        return None
    key = match_type(text, doc.all_types())
    if key is None:
        raise UsageError("--type: " + unknown_type_message(text, doc.all_types()))
    return key
