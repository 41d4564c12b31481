"""What ``coopcli import`` does: read inputs, tell their format, merge them into a list.

Reading is :func:`read_input` (a file, ``-`` for stdin, or an http(s) URL) and
:func:`choose` (the format: named, else shown by the content, else by the suffix),
then the format's own ``read()``. :func:`merge` validates the drafts, gives them types
and ids, skips duplicates and adds the rest to a document; the CLI runs it inside one
transaction.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeVar, cast

from coopcli import formats
from coopcli.core import ids
from coopcli.core.errors import DataError, UsageError
from coopcli.core.itemtypes import all_types, match_type, unknown_type_message
from coopcli.core.view import Row
from coopcli.formats import Draft, ReadResult

if TYPE_CHECKING:
    import datetime as dt

    from coopcli.core.models import Item, NewsFile

#: How much of an input the content sniffing looks at: enough for a long prolog.
_SNIFF = 64 * 1024
_LISTING_ENTRY = re.compile(r"^\s*\d{1,4}[.)]\s+\S", re.MULTILINE)
_TOML_ITEM_FILE = re.compile(r"^\s*(\[\[\s*items\s*\]\]|version\s*=|title\s*=)", re.MULTILINE)
#: Root elements of the feeds feedparser reads, by local name (any case for CDF).
_FEED_ROOTS = {"rss": "rss", "rdf": "rss", "channel": "rss", "feed": "atom"}
#: Formats whose content says what they are for certain: it outweighs the suffix.
_DECISIVE = frozenset({"rss", "atom", "jsonfeed", "json"})

_DESCRIPTIONS = {
    "rss": "an RSS feed",
    "atom": "an Atom feed",
    "jsonfeed": "a JSON Feed",
}
_FEEDS = frozenset(_DESCRIPTIONS)
#: A suffix and a content that disagree without consequence: the same reader reads
#: RSS and Atom, and ``.json`` is the suffix of JSON item files and JSON Feeds alike.
_SAME_READER = frozenset({("rss", "atom"), ("atom", "rss"), ("json", "jsonfeed")})


@dataclass(frozen=True)
class Input:
    """One input's bytes and the name that messages use for it."""

    source: str
    data: bytes
    suffix: str
    #: The HTTP ``Content-Type`` of a fetched input (its charset matters for feeds).
    content_type: str | None = None


def read_input(arg: str) -> Input:
    """The bytes of a FILE argument: a path, ``-`` (stdin) or an http(s) URL."""
    if arg == "-":
        return Input("<stdin>", sys.stdin.buffer.read(), "")
    if ":" in arg:  # a URL has one; most file names do not, and need no HTTP code
        from coopcli import fetch

        if fetch.is_url(arg):
            from urllib.parse import urlsplit

            suffix = PurePosixPath(urlsplit(arg).path).suffix.lower()
            page = fetch.fetch_page(arg)
            return Input(arg, page.body, suffix, page.content_type)
    path = Path(arg)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{arg}: no such file") from None
    except IsADirectoryError:
        raise DataError(f"{arg}: is a directory, not a file to import") from None
    except OSError as exc:
        raise DataError(f"{arg}: cannot read: {exc.strerror}") from None
    except ValueError:  # a NUL in the name: no file can have it
        raise UsageError(f"{arg!r}: a file name cannot contain a NUL character") from None
    return Input(arg, data, path.suffix.lower())


def _json_kind(data: bytes, head: str) -> str | None:
    import json

    from coopcli.formats import jsonfeed

    try:
        document = json.loads(data)
    except (ValueError, UnicodeError):
        # Broken, but a feed if it says so: its reader then says where it breaks. A
        # "[" may also open a TOML table, so only "{" says JSON for certain.
        if "//jsonfeed.org/version/" in head:
            return "jsonfeed"
        return "json" if head.startswith("{") else None
    return "jsonfeed" if jsonfeed.looks_like_feed(document) else "json"


def sniff(data: bytes) -> str | None:
    """The format an input's content shows, or None.

    Looks past a BOM (UTF-8, UTF-16, UTF-32, or the zero bytes of UTF-16 without
    one), whitespace, and in XML the declaration, comments, processing instructions
    and a DOCTYPE, to the root element.
    """
    from coopcli.formats.encodings import decode_start

    head = decode_start(data, _SNIFF).lstrip("\ufeff \t\r\n")
    if head.startswith(("{", "[")) and (kind := _json_kind(data, head)) is not None:
        return kind
    if head.startswith("<"):
        from coopcli.formats import feedxml

        root = feedxml.scan_prolog(head).root
        if root is None:
            return None
        # rdf:RDF, and CDF's <CHANNEL>, are upper case.
        return _FEED_ROOTS.get(root.rpartition(":")[2].lower())
    first = head.split("\n", 1)[0].strip().lower()
    columns = [c.strip().strip('"') for c in re.split(r"[,;\t]", first)]
    if "title" in columns and "date" in columns:
        return "csv"
    if _TOML_ITEM_FILE.search(head) and "=" in head:
        return "toml"
    if _LISTING_ENTRY.search(head):
        return "listing"
    return None


@dataclass(frozen=True)
class Choice:
    """The format an input is read as, and what decided it."""

    name: str
    #: "--format", "its content" or "its suffix".
    by: str
    #: The suffix's format when the content overruled it.
    overruled: str | None = None
    #: Whether the suffix said nothing of the format: people were not told it.
    guessed: bool = False


def detect(item: Input) -> str:
    """The format of an input: see :func:`choose`."""
    return choose(item).name


def choose(item: Input, name: str | None = None) -> Choice:
    """The format to read an input as: ``name`` if given, else its content, else its suffix.

    Content that shows a feed or JSON decides; a weaker guess from the content (CSV,
    TOML, a listing) gives way to a suffix that names a format.
    """
    if name is not None:
        return Choice(name, "--format")
    by_suffix = None
    if item.suffix:
        known = formats.for_path(Path("x" + item.suffix))
        by_suffix = known.name if known is not None else None
    found = sniff(item.data)
    if found is not None and (found in _DECISIVE or by_suffix is None):
        if by_suffix == found:
            return Choice(found, "its content")
        if by_suffix is None or (by_suffix, found) in _SAME_READER:
            return Choice(found, "its content", guessed=True)
        return Choice(found, "its content", overruled=by_suffix, guessed=True)
    if by_suffix is not None:
        return Choice(by_suffix, "its suffix")
    if item.suffix == ".json":
        return Choice("json", "its suffix")
    raise DataError(
        f"{item.source}: cannot tell what format this is; "
        f"name it with --format ({', '.join(formats.names(imports=True))})"
    )


def read(item: Input, name: str | None = None) -> tuple[str, ReadResult]:
    """Read one input with the format named (or detected); returns (format, result)."""
    chosen = choose(item, name)
    return chosen.name, read_as(item, chosen)


def read_as(item: Input, chosen: Choice) -> ReadResult:
    """Read one input as the format chosen for it."""
    importable = formats.names(imports=True)
    if chosen.name not in importable:
        choices = ", ".join(importable)
        if chosen.name in _DESCRIPTIONS:
            raise DataError(
                f"{item.source}: looks like {_DESCRIPTIONS[chosen.name]}, which this coopcli "
                f"cannot import (it imports: {choices})"
            )
        raise DataError(
            f"{item.source}: the {chosen.name} format is for export only (imports: {choices}); "
            "name the input's format with --format"
        )
    feed = formats.feed_reader(chosen.name)
    if feed is not None and item.content_type is not None:
        return feed.read(item.data, item.source, content_type=item.content_type)
    return formats.reader(chosen.name).read(item.data, item.source)


def describe(item: Input, chosen: Choice, result: ReadResult) -> str:
    """``feed.xml: read as Atom 0.3 (told by its content)``, for people."""
    what = result.kind or chosen.name
    line = f"{item.source}: read as {what} (told by {chosen.by})"
    if chosen.overruled is not None:
        line += f", not as {chosen.overruled} as its suffix says"
    return line


#: What becomes of an entry without a date: skipped, dated today, or with its feed's date.
Undated = Literal["skip", "today", "feed"]


#: Wraps the drafts being imported, and their count, in a progress display.
Progress = Callable[[Iterable[tuple[str, int, "Draft"]], int], Iterable[tuple[str, int, "Draft"]]]


@dataclass
class Skipped:
    """A draft left out, and why."""

    source: str
    entry: int
    title: str | None
    reason: str
    #: The line the entry starts on in its input, when the reader knows it.
    line: int | None = None

    def __str__(self) -> str:
        title = f" ({self.title!r})" if self.title else ""
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: entry {self.entry}{title}: {self.reason}"


@dataclass
class Report:
    """What an import did (or, with ``--dry-run``, would do)."""

    added: list[Item | Row] = field(default_factory=list)
    duplicates: list[Skipped] = field(default_factory=list)
    invalid: list[Skipped] = field(default_factory=list)
    #: Entries a reader skipped without drafting them.
    unreadable: int = 0
    metadata: list[str] = field(default_factory=list)
    #: Entries imported with something made up (a date, a title), and what.
    notes: list[Skipped] = field(default_factory=list)
    #: Inputs that held no entries at all.
    empty: list[str] = field(default_factory=list)

    @property
    def undated(self) -> int:
        """How many entries were skipped for want of a date."""
        return sum(1 for skipped in self.invalid if skipped.reason == NO_DATE)

    def nothing_imported(self) -> str | None:
        """Why nothing at all could be imported, or None when something was.

        Re-importing what the list already has is not a failure; an input without
        entries, or entries that could not become items, and nothing else, is.
        """
        if self.added or self.duplicates:
            return None
        invalid = len(self.invalid) + self.unreadable
        if invalid:
            why = f"nothing to import: {_count(invalid, 'entry', 'entries')} skipped"
            if self.undated:
                why += f", {self.undated} for want of a date ({UNDATED_HINT})"
            return why
        if self.empty:
            return f"nothing to import: no entries in {', '.join(self.empty)}"
        return None

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

    def fatal(self) -> list[Skipped]:
        """The invalid entries that stop an import: all but those left out for having
        no date (``--undated skip`` chose to leave them out)."""
        return [skipped for skipped in self.invalid if skipped.reason != NO_DATE]

    def refusal(self) -> Refused:
        """The error that stops an import with invalid entries, naming every one."""
        fatal = self.fatal()
        count = len(fatal) + self.unreadable
        problems = [str(skipped) for skipped in fatal]
        if self.unreadable:
            problems.append(
                f"{_count(self.unreadable, 'entry', 'entries')} of a feed without a title or a date"
            )
        return Refused(
            f"{_count(count, 'entry', 'entries')} cannot be imported, so nothing was "
            "(--skip-invalid imports the others)",
            problems,
        )


class Refused(DataError):
    """An import stopped by invalid entries: ``problems`` says where and why, one each."""

    def __init__(self, message: str, problems: list[str]) -> None:
        super().__init__(message)
        self.problems = problems


class NothingImported(DataError):
    """Nothing at all could be imported; the report says what became of each entry."""

    def __init__(self, message: str, report: Report) -> None:
        super().__init__(message)
        self.report = report


def check_imported(report: Report) -> None:
    """Raise :class:`NothingImported` when the report shows nothing could be imported."""
    if (why := report.nothing_imported()) is not None:
        raise NothingImported(why, report)


#: The reason given for an entry without a date that ``--undated skip`` leaves out.
NO_DATE = "no date"
UNDATED_HINT = "--undated today or --undated feed imports such entries"


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
        from coopcli.core.validation import problems, sentence

        return "; ".join(sentence(found) for found in problems(exc.errors(include_url=False)))
    return str(exc)


K = TypeVar("K", contravariant=True)


class Known(Protocol[K]):
    """What a list already holds, by key: each key's item id."""

    def __contains__(self, key: object) -> bool: ...
    def __getitem__(self, key: K) -> str: ...
    def remember(self, key: K, item_id: str) -> None:
        """Note an item just added."""


class _Dict(dict[Any, str]):
    def remember(self, key: Any, item_id: str) -> None:
        self[key] = item_id


class _Set(_Dict):
    def __init__(self, ids: set[str]) -> None:
        super().__init__((item_id, item_id) for item_id in ids)


@dataclass
class ListHead:
    """A list's own metadata without its items: what an import into a large list
    merges into, without loading the models (see :func:`merge`'s ``plain``)."""

    title: str | None
    link: str | None
    description: str | None
    types: dict[str, str]
    items: list[Item | Row] = field(default_factory=list)

    def all_types(self) -> dict[str, str]:
        """The built-in types and the list's own, key -> label."""
        return all_types(self.types)


def merge(
    doc: NewsFile | ListHead,
    results: Sequence[tuple[str, ReadResult]],
    *,
    default_type: str | None = None,
    progress: Progress | None = None,
    known: tuple[Known[str], Known[tuple[str, dt.date]]] | None = None,
    skip_invalid: bool = False,
    undated: Undated = "skip",
    plain: bool = False,
) -> Report:
    """Add the drafts of ``results`` (source, result) to ``doc`` and say what happened.

    One bad entry (no title, no or an impossible date, an unknown type, a field the
    models refuse) stops the whole import with every problem listed, so nothing is
    half imported; with ``skip_invalid`` the rest is added and the bad ones reported.
    ``known`` answers which ids are taken and which (folded title, date) pairs exist
    (by default, from ``doc.items``; a large list answers from its index instead).

    Each draft's type is its own (a key or label), else a category naming a known
    type, else ``default_type``, else ``news``. A draft with the id of an item already
    in the list, or its title (any case) and date, is a duplicate; one that does not
    validate is invalid. Both are skipped. A draft keeps its id when it has a free
    one (so ids survive a round trip); otherwise it gets a new one. A draft without
    a date is skipped, or dated today or with its feed's date, as ``undated`` says.

    With ``plain``, an item whose values the models would store exactly as given is
    added as a plain :class:`~coopcli.core.view.Row`, checked by the same rules
    without loading the models (for a ``doc`` that is a :class:`ListHead`).
    """
    from coopcli.core.dates import today
    from coopcli.core.rules import ID_MAX_LENGTH, ID_PATTERN

    report = Report()
    feed_dates: dict[str, dt.date | None] = {}
    for source, result in results:
        feed_dates[source] = result.updated
        if not result.drafts and not result.skipped:
            report.empty.append(source)
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
                except ValueError:  # the models' ValidationError
                    continue  # a feed's odd link is no reason to refuse its items
                report.metadata.append(f"the list's {name} from {source}")

    types = doc.all_types()
    taken: Known[str]
    seen: Known[tuple[str, dt.date]]
    if known is None:
        taken = _Set({item.id for item in doc.items})
        seen = _Dict({(item.title.casefold(), item.date): item.id for item in doc.items})
    else:
        taken, seen = known
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
            return Skipped(source, number, draft.title, reason, draft.line)

        if draft.problem is not None:
            report.invalid.append(skip(draft.problem))
            continue
        title = draft.title
        if title is None or not title.strip():
            report.invalid.append(skip("no title"))
            continue
        day, note = draft.date, draft.note
        if day is None:
            if undated == "today":
                day, why = today(), "no date: dated today"
            elif undated == "feed":
                day, why = feed_dates.get(source), "no date: dated with the feed's own date"
            if day is None:
                reason = NO_DATE
                if undated == "feed":
                    reason = "no date, and the input has no date of its own"
                report.invalid.append(skip(reason))
                continue
            dated = f"{why}, {day.isoformat()}"
            note = f"{note}; {dated}" if note else dated
        if draft.id is not None and draft.id in taken:
            report.duplicates.append(skip(f"the list already has the id {draft.id}"))
            continue
        title_date = (title.strip().casefold(), day)
        if title_date in seen:
            report.duplicates.append(skip(f"same title and date as {seen[title_date]}"))
            continue
        try:
            type_key = _type_of(draft, types, default_type)
        except _UnknownType as exc:
            report.invalid.append(skip(str(exc)))
            continue
        try:
            own_id = draft.id
            if own_id is None or len(own_id) > ID_MAX_LENGTH or not valid_id.match(own_id):
                own_id = ids.new_id(day, title, taken)
            tags = [tag for tag in map(_clean_tag, draft.tags) if tag]
            item: Item | Row | None
            item = _plain(own_id, type_key, title, day, draft, tags, types) if plain else None
            if item is None:
                from coopcli.core.models import Item

                item = Item(
                    id=own_id,
                    type=type_key,
                    title=title,
                    date=day,
                    summary=draft.summary,
                    url=draft.url,
                    tags=tags,
                    draft=draft.draft,
                    embargo=draft.embargo,
                    updated=draft.updated,
                )
        except ValueError as exc:  # the models' ValidationError too
            report.invalid.append(skip(_error_message(exc)))
            continue
        taken.remember(item.id, item.id)
        seen.remember(title_date, item.id)
        report.added.append(item)
        if note is not None:
            report.notes.append(skip(note))
    if (report.fatal() or report.unreadable) and not skip_invalid:
        raise report.refusal()
    if isinstance(doc, ListHead):
        doc.items.extend(report.added)
    else:  # without ``plain``, every item added was built by the models
        doc.items.extend(cast("list[Item]", report.added))
    return report


def _plain(
    item_id: str,
    type_key: str,
    title: str,
    day: dt.date,
    draft: Draft,
    tags: list[str],
    types: dict[str, str],
) -> Row | None:
    """The item as the models would store it, when they would store the values as
    they are; None when only the models can say."""
    if draft.draft or draft.embargo is not None or draft.updated is not None:
        return None
    from coopcli.storage.refresh import plain_item

    raw: dict[str, Any] = {"id": item_id, "type": type_key, "title": title, "date": day}
    raw |= {"summary": draft.summary, "url": draft.url, "tags": tags}
    return plain_item({key: value for key, value in raw.items() if value is not None}, types)


def check_type(text: str | None, doc: NewsFile | ListHead) -> str | None:
    """``--type``'s key in this list, or a usage error naming the valid types."""
    if text is None:
        return None
    key = match_type(text, doc.all_types())
    if key is None:
        raise UsageError("--type: " + unknown_type_message(text, doc.all_types()))
    return key
