"""The format registry: one module per format, looked up by name.

The registry is only names and module paths, so listing formats (for ``--format``'s
choices and help) imports nothing. A format module implements the protocols its entry
claims: :class:`Writer` (``exports``), :class:`FeedWriter` (``feed``), :class:`Reader`
(``imports``) and :class:`ItemFileCodec` (``item_file``), and is loaded through
:func:`writer`, :func:`feed_writer`, :func:`reader` or :func:`codec`. mypy checks every
module against its protocols (the ``TYPE_CHECKING`` block at the end).

A feed reader (:class:`FeedReader`, loaded with :func:`feed_reader`) also takes the
``content_type`` of a fetched feed, whose charset decides its encoding.

Writers return text and never print or open files: the caller decides where it goes.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from coopcli.core.errors import DataError, UsageError

if TYPE_CHECKING:
    from coopcli.core.view import DocumentView
    from coopcli.formats.streaming import Batches, Write


@dataclass(frozen=True)
class FormatInfo:
    """What the registry knows about a format without importing it."""

    name: str
    module: str
    suffixes: tuple[str, ...]
    summary: str
    exports: bool = True
    imports: bool = False
    item_file: bool = False
    #: A feed: its writer also says which values the spec requires that a list lacks.
    feed: bool = False


@dataclass
class Draft:
    """One item read from an input, before it is validated and given an id.

    ``type`` is a type key or label when the input says it; otherwise ``categories``
    (feed categories) are searched for one naming a known type, then ``--type`` applies.
    """

    title: str | None
    date: dt.date | None
    type: str | None = None
    summary: str | None = None
    url: str | None = None
    tags: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
    id: str | None = None
    #: Why the entry cannot become an item, said by the reader (the entry is skipped).
    problem: str | None = None
    #: What the reader had to make up for the entry (shown, the entry is kept).
    note: str | None = None
    draft: bool = False
    embargo: str | None = None
    updated: str | None = None
    #: Where the entry starts in its input (a line number), when the reader knows.
    line: int | None = None


@dataclass
class ReadResult:
    """What a reader found: drafts, the list's metadata, and entries it had to skip."""

    drafts: list[Draft]
    title: str | None = None
    link: str | None = None
    description: str | None = None
    skipped: int = 0
    #: The input's own types (an item file's ``[types]``), key -> label.
    types: dict[str, str] = field(default_factory=dict)
    #: What the input turned out to be, for people ("Atom 0.3", "JSON Feed 1.1").
    kind: str | None = None
    #: What was wrong with the input but read all the same, one line each.
    warnings: list[str] = field(default_factory=list)
    #: The feed's own date (its last update), for entries that have none.
    updated: dt.date | None = None


class Writer(Protocol):
    """Exports a document (already filtered) as text, whole or a batch at a time."""

    def export(self, doc: DocumentView) -> str: ...

    def export_stream(self, doc: DocumentView, batches: Batches, write: Write) -> None:
        """:meth:`export` of ``doc``'s metadata and the items ``batches`` gives, handed to
        ``write`` piece by piece (see :mod:`coopcli.formats.streaming`)."""
        ...


class FeedWriter(Writer, Protocol):
    """A feed writer: values its spec requires that the list lacks, one line each."""

    def export_warnings(self, doc: DocumentView) -> list[str]: ...


class Reader(Protocol):
    """Reads items to import, as :class:`Draft` values that import validates."""

    def read(self, data: bytes, source: str) -> ReadResult: ...


class FeedReader(Reader, Protocol):
    """Reads a feed, fetched or not: ``content_type`` is the HTTP header, if any."""

    def read(self, data: bytes, source: str, content_type: str | None = None) -> ReadResult: ...


class ItemFileCodec(Writer, Reader, Protocol):
    """Reads and writes the item file itself, and appends an item to it in place."""

    #: How many bytes from the file's end :func:`append` needs to see.
    TAIL_WINDOW: int

    def parse(self, data: bytes, source: str) -> dict[str, Any]:
        """The document as plain data; a syntax error is a DataError with its position."""
        ...

    def dump(self, data: dict[str, Any]) -> str:
        """Plain item-file data as the file's text, in the canonical layout."""
        ...

    def append(self, end: bytes, size: int, item: dict[str, Any]) -> tuple[int, bytes] | None:
        """Where to cut a file ending in ``end`` and what to write there to add ``item``."""
        ...

    def appendable(self, data: bytes, count: int) -> bool:
        """Whether ``data``, holding ``count`` items, ends as this codec writes it."""
        ...

    def read_tail(self, tail: bytes) -> dict[str, Any]:
        """The item an appended ``tail`` holds, as plain data (to read it back)."""
        ...


_REGISTRY: dict[str, FormatInfo] = {}


def register(info: FormatInfo) -> None:
    """Add a format to the registry."""
    _REGISTRY[info.name] = info


register(
    FormatInfo(
        "toml",
        "coopcli.formats.toml",
        (".toml",),
        "the item file as TOML",
        imports=True,
        item_file=True,
    )
)
register(
    FormatInfo(
        "json",
        "coopcli.formats.json",
        (".json",),
        "the item file as JSON",
        imports=True,
        item_file=True,
    )
)
register(
    FormatInfo(
        "csv", "coopcli.formats.csv", (".csv",), "a spreadsheet: one row per item", imports=True
    )
)
register(
    FormatInfo("markdown", "coopcli.formats.markdown", (".md", ".markdown"), "a monthly digest")
)
register(FormatInfo("html", "coopcli.formats.html", (".html", ".htm"), "a web page"))
# Feeds (rss, atom, jsonfeed) register here.
register(
    FormatInfo(
        "listing",
        "coopcli.formats.listing",
        (".txt",),
        "text copied from a news listing page",
        exports=False,
        imports=True,
    )
)
register(
    FormatInfo("rss", "coopcli.formats.rss", (".rss",), "RSS 2.0 feed", imports=True, feed=True)
)
register(
    FormatInfo("atom", "coopcli.formats.atom", (".atom",), "Atom 1.0 feed", imports=True, feed=True)
)
register(
    FormatInfo(
        "jsonfeed",
        "coopcli.formats.jsonfeed",
        (".jsonfeed",),
        "JSON Feed 1.1",
        imports=True,
        feed=True,
    )
)


def names(*, exports: bool | None = None, imports: bool | None = None) -> list[str]:
    """Registered format names, optionally only those that can export or import."""
    return [
        i.name
        for i in _REGISTRY.values()
        if (exports is None or i.exports == exports) and (imports is None or i.imports == imports)
    ]


def info(name: str) -> FormatInfo:
    """The registry entry for ``name``; an unknown name is a usage error listing the choices."""
    try:
        return _REGISTRY[name.lower()]
    except KeyError:
        raise UsageError(f"unknown format {name!r} (choose from: {', '.join(names())})") from None


def able(name: str, *, exports: bool = False, imports: bool = False) -> str:
    """The registered name of a format that can do what is asked; else a usage error."""
    entry = info(name)
    if exports and not entry.exports:
        choices = ", ".join(names(exports=True))
        raise UsageError(f"{entry.name} can only be imported (choose from: {choices})")
    if imports and not entry.imports:
        choices = ", ".join(names(imports=True))
        raise UsageError(f"{entry.name} cannot be imported (choose from: {choices})")
    return entry.name


def _module(entry: FormatInfo) -> object:
    return importlib.import_module(entry.module)


def writer(name: str) -> Writer:
    """The writer of an exporting format."""
    return cast(Writer, _module(info(able(name, exports=True))))


def feed_writer(name: str) -> FeedWriter | None:
    """The writer of ``name`` when it is a feed, else None."""
    entry = info(name)
    return cast(FeedWriter, _module(entry)) if entry.feed else None


def reader(name: str) -> Reader:
    """The reader of an importing format."""
    return cast(Reader, _module(info(able(name, imports=True))))


def feed_reader(name: str) -> FeedReader | None:
    """The reader of ``name`` when it is a feed, else None."""
    entry = info(able(name, imports=True))
    return cast(FeedReader, _module(entry)) if entry.feed else None


def codec(name: str) -> ItemFileCodec:
    """The codec of an item-file format (toml, json)."""
    entry = info(name)
    if not entry.item_file:
        raise UsageError(f"{entry.name} is not an item-file format (toml, json)")
    return cast(ItemFileCodec, _module(entry))


def for_path(path: Path, *, item_file: bool = False) -> FormatInfo | None:
    """The format whose suffix ``path`` has, if any."""
    suffix = path.suffix.lower()
    for entry in _REGISTRY.values():
        if suffix in entry.suffixes and (entry.item_file or not item_file):
            return entry
    return None


def decode_text(data: bytes, source: str) -> str:
    """Decode UTF-8 input (a leading BOM is dropped); bad bytes name their offset."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DataError(f"{source}: not valid UTF-8 at byte {exc.start}: {exc.reason}") from None


#: Month names as a listing page writes them, whatever the locale.
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# C0 and C1 controls (except tab and newline) and Unicode noncharacters: no HTML5
# page may contain them, and no reader wants them.
_UNPRINTABLE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef"
    + "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(17))
    + "]"
)


def long_date(day: dt.date) -> str:
    """``29 October 2021``, as listing pages write dates."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def display(text: str) -> str:
    """Text for a page or a digest: without control characters or noncharacters."""
    return _UNPRINTABLE.sub("", text)


if TYPE_CHECKING:
    # Each module is checked against the protocols its registry entry claims.
    from coopcli.formats import atom, csv, html, json, jsonfeed, listing, markdown, rss, toml

    _CODECS: tuple[ItemFileCodec, ...] = (toml, json)
    _FEEDS: tuple[FeedWriter, ...] = (rss, atom, jsonfeed)
    _WRITERS: tuple[Writer, ...] = (csv, markdown, html)
    _READERS: tuple[Reader, ...] = (csv, listing)
    _FEED_READERS: tuple[FeedReader, ...] = (rss, atom, jsonfeed)
