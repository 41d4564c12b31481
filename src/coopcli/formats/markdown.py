"""A Markdown digest: the list grouped by month, newest first.

Every text from the list is escaped where Markdown needs it, so a title with ``*``,
``[``, ``<script>`` or ``&amp;`` reads exactly as written and never turns into markup
or HTML, while ``(SSE)`` or ``AT&T`` stay as they are in the Markdown itself.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING

from coopcli.core.itemtypes import all_types
from coopcli.formats import MONTHS, display, long_date, streaming

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from coopcli.core.view import DocumentView, ItemView

# Backslash escapes work for every ASCII punctuation character in CommonMark; only
# those that could start markup get one, so "(SSE)" or "AT&T" read as written:
# - always: ` * [ ] (code, emphasis, links), and ~ (strikethrough where supported);
# - "_" unless between letters or digits, where it cannot start emphasis;
# - "<" before what could be a tag, a comment or an autolink;
# - "&" before what would be read as an entity or a character reference;
# - "\\" before punctuation (it would escape it) or at the end (a hard line break).
_INLINE = re.compile(
    r"[`*\[\]~]"
    r"|(?<![^\W_])_|_(?![^\W_])"
    r"|<(?=[A-Za-z/!?])"
    r"|&(?=#[0-9]{1,7};|#[xX][0-9A-Fa-f]{1,6};|[A-Za-z][A-Za-z0-9]*;)"
    r"|\\(?=[!-/:-@\[-`{-~]|$)"
)
# What starts a block at the beginning of a line: a heading, a quote, a list item, a
# thematic break or a setext underline; and an ordered list's "1." or "1)".
_BLOCK_MARK = re.compile(r"^[#>+=-]")
_LIST_NUMBER = re.compile(r"^(\d{1,9})([.)])(?= |$)")
# Closing "#"s after a space would end a heading early ("# Room #" is "Room").
_TRAILING_HASH = re.compile(r"(?<= )#(?=#*$)")


def escape(text: str) -> str:
    """Text that CommonMark (and the HTML inside it) shows literally, on one line."""
    text = " ".join(display(text).split())
    text = _INLINE.sub(lambda m: "\\" + m.group(0), text)
    text = _BLOCK_MARK.sub(lambda m: "\\" + m.group(0), text)
    text = _LIST_NUMBER.sub(r"\1\\\2", text)
    return _TRAILING_HASH.sub(r"\\#", text)


def _url(url: str) -> str:
    # Stored URLs have no spaces; angle brackets allow parentheses in them.
    return "<" + display(url).replace("<", "%3C").replace(">", "%3E") + ">"


def export(doc: DocumentView) -> str:
    """The list as a Markdown digest, one section per month, newest first."""
    items = sorted(doc.items, key=lambda i: (i.date, i.id), reverse=True)
    return "\n".join(_lines(doc, items)).rstrip("\n") + "\n"


def export_stream(doc: DocumentView, batches: streaming.Batches, write: streaming.Write) -> None:
    """:func:`export`, written a batch of items at a time."""
    # The newlines at the end are held back: the digest ends with exactly one.
    held = 0
    first = True
    for line in _lines(doc, streaming.items_of(batches(streaming.LATEST))):
        if not first:
            held += 1
        first = False
        if line:
            write("\n" * held + line)
            held = 0
    write("\n")


def _lines(doc: DocumentView, items: Iterable[ItemView]) -> Iterator[str]:
    """The digest's lines, for ``items`` newest first."""
    labels = all_types(doc.types)
    yield from (f"# {escape(doc.title or 'News')}", "")
    if doc.description:
        yield from (escape(doc.description), "")
    empty = True
    for (year, month), group in groupby(items, key=lambda i: (i.date.year, i.date.month)):
        empty = False
        yield from (f"## {MONTHS[month - 1]} {year}", "")
        for item in group:
            title = escape(item.title)
            if item.url:
                title = f"[{title}]({_url(item.url)})"
            label = escape(labels.get(item.type, item.type))
            yield f"- **{label}**: {title} ({long_date(item.date)})"
            if item.summary:
                yield f"  {escape(item.summary)}"
            if item.tags:
                yield "  Tags: " + ", ".join(escape(tag) for tag in item.tags)
            yield ""
    if empty:
        yield from ("No items.", "")
