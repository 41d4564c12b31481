"""A Markdown digest: the list grouped by month, newest first.

Every text from the list is escaped, so a title with ``*``, ``[``, ``<script>`` or
``&amp;`` reads exactly as written and never turns into markup or HTML.
"""

from __future__ import annotations

import re
from itertools import groupby
from typing import TYPE_CHECKING

from coopcli.core.itemtypes import all_types
from coopcli.formats import MONTHS, display, long_date

if TYPE_CHECKING:
    from coopcli.core.view import DocumentView

# Backslash escapes work for every ASCII punctuation character in CommonMark; these
# are the ones that can start markup inside a line.
_INLINE = re.compile(r"([\\`*_\[\]{}()#+!|~])")
# Characters that start a block (heading, quote, list) at the beginning of a line.
_LINE_START = re.compile(r"^(\s*)([-=>]|\d+[.)])")


def escape(text: str) -> str:
    """Text that Markdown (and the HTML inside it) shows literally, on one line."""
    text = " ".join(display(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)


def _url(url: str) -> str:
    # Stored URLs have no spaces; angle brackets allow parentheses in them.
    return "<" + display(url).replace("<", "%3C").replace(">", "%3E") + ">"


def export(doc: DocumentView) -> str:
    """The list as a Markdown digest, one section per month, newest first."""
    labels = all_types(doc.types)
    lines = [f"# {escape(doc.title or 'News')}", ""]
    if doc.description:
        lines += [escape(doc.description), ""]
    items = sorted(doc.items, key=lambda i: (i.date, i.id), reverse=True)
    if not items:
        lines += ["No items.", ""]
    for (year, month), group in groupby(items, key=lambda i: (i.date.year, i.date.month)):
        lines += [f"## {MONTHS[month - 1]} {year}", ""]
        for item in group:
            title = escape(item.title)
            if item.url:
                title = f"[{title}]({_url(item.url)})"
            label = escape(labels.get(item.type, item.type))
            lines.append(f"- **{label}**: {title} ({long_date(item.date)})")
            if item.summary:
                lines.append(f"  {escape(item.summary)}")
            if item.tags:
                lines.append("  Tags: " + ", ".join(escape(tag) for tag in item.tags))
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
