"""The format registry: one module per format, looked up by name.

The registry is only names and module paths, so listing formats (for ``--format``'s
choices and help) imports nothing. A format module provides some of:

- ``export(doc: DocumentView) -> str``: the document (already filtered) as text;
- ``parse(data: bytes, source: str) -> dict``: an item-file document as plain data,
  raising :class:`~coopcli.core.errors.DataError` with the position of a syntax error;
- ``dump(data: dict) -> str``: plain item-file data as text (the item file's codecs);
- ``export_warnings(doc: NewsFile) -> list[str]``: values a spec requires that the
  list lacks, each one line, for the CLI to show on stderr (feeds);
- ``read(data: bytes, source: str) -> ReadResult``: items to import, as :class:`Draft`
  values that ``coopcli import`` validates, de-duplicates and gives ids. Feed readers
  also take ``content_type``, the HTTP header of a fetched feed (for its charset).

Writers return text and never print or open files: the CLI decides where it goes.
"""

from __future__ import annotations

import datetime as dt
import importlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

from coopcli.core.errors import DataError, UsageError


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
register(FormatInfo("rss", "coopcli.formats.rss", (".rss",), "RSS 2.0 feed", imports=True))
register(FormatInfo("atom", "coopcli.formats.atom", (".atom",), "Atom 1.0 feed", imports=True))
register(
    FormatInfo(
        "jsonfeed", "coopcli.formats.jsonfeed", (".jsonfeed",), "JSON Feed 1.1", imports=True
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


def load(name: str) -> ModuleType:
    """Import and return the module implementing ``name``."""
    return importlib.import_module(info(name).module)


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
