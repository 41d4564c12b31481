"""One self-contained web page that reads like the listing page the list came from.

Built as an element tree and serialised by :mod:`xml.etree.ElementTree`'s HTML
writer, which escapes every text and attribute: no text from the list is ever
pasted into markup, so a title ``<script>…</script>`` shows as text.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from coopcli.core import query
from coopcli.core.itemtypes import all_types
from coopcli.formats import display, long_date, streaming

if TYPE_CHECKING:
    from coopcli.core.view import DocumentView

_PARAGRAPHS = re.compile(r"\n[ \t]*\n\s*")

STYLE = """
body { font-family: system-ui, sans-serif; line-height: 1.5; color: #1b1b1b;
  max-width: 48rem; margin: 2rem auto; padding: 0 1rem; overflow-wrap: anywhere; }
h1 { font-size: 1.8rem; border-bottom: 3px solid #1e2dbe; padding-bottom: .5rem; }
ol.items { padding-left: 1.5rem; }
ol.items > li { margin: 0 0 1.5rem; padding-left: .5rem; }
.type { text-transform: uppercase; font-size: .8rem; letter-spacing: .05em; color: #1e2dbe;
  font-weight: 600; margin: 0; }
h2 { font-size: 1.15rem; margin: .2rem 0; }
h2 a { color: inherit; }
time { color: #555; font-size: .9rem; }
.summary { margin: .4rem 0 0; }
.tags { list-style: none; padding: 0; margin: .4rem 0 0; display: flex; flex-wrap: wrap;
  gap: .4rem; }
.tags li { background: #eef; border-radius: .3rem; padding: 0 .4rem; font-size: .8rem;
  white-space: nowrap; overflow-wrap: normal; max-width: 100%; overflow: hidden;
  text-overflow: ellipsis; }
"""


def _add(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k.rstrip("_"): v for k, v in attrs.items()})
    if text is not None:
        element.text = display(text)
    return element


def export(doc: DocumentView) -> str:
    """The list as one HTML5 page: heading, numbered items, inline CSS."""
    labels = all_types(doc.types)
    title = doc.title or "News"
    html = ET.Element("html", lang="en")
    head = _add(html, "head")
    _add(head, "meta", charset="utf-8")
    _add(head, "meta", name="viewport", content="width=device-width, initial-scale=1")
    _add(head, "title", title)
    if doc.description:
        _add(head, "meta", name="description", content=display(doc.description))
    _add(head, "style", STYLE)
    main = _add(_add(html, "body"), "main")
    heading = _add(main, "h1")
    if doc.link:
        _add(heading, "a", title, href=display(doc.link))
    else:
        heading.text = display(title)
    if doc.description:
        _add(main, "p", doc.description, class_="description")
    # The order `coopcli list` shows: newest first, a day's items by id.
    items = query.sort(doc.items)
    if not items:
        _add(main, "p", "No items.")
    else:
        listing = _add(main, "ol", class_="items")
        for item in items:
            entry = _add(_add(listing, "li", id=item.id), "article")
            _add(entry, "p", labels.get(item.type, item.type), class_="type")
            h2 = _add(entry, "h2")
            if item.url:
                _add(h2, "a", item.title, href=display(item.url))
            else:
                h2.text = display(item.title)
            _add(_add(entry, "p"), "time", long_date(item.date), datetime=item.date.isoformat())
            if item.summary:
                # A blank line in a summary starts a new paragraph, as in Markdown.
                for paragraph in _PARAGRAPHS.split(item.summary.strip()):
                    _add(entry, "p", paragraph.strip(), class_="summary")
            if item.tags:
                tags = _add(entry, "ul", class_="tags")
                for tag in item.tags:
                    _add(tags, "li", tag)
    ET.indent(html, space=" ")
    return "<!DOCTYPE html>\n" + ET.tostring(html, encoding="unicode", method="html") + "\n"


def export_stream(doc: DocumentView, batches: streaming.Batches, write: streaming.Write) -> None:
    """:func:`export`, written a batch of items at a time."""
    streaming.cut(
        lambda items: export(streaming.with_items(doc, items)),
        batches(streaming.NEWEST),
        write,
        # No text or attribute of the page can hold these tags: "<" and '"' are escaped.
        begin=streaming.after('<ol class="items">'),
        end=streaming.last("\n   </ol>"),
    )
