"""RSS 2.0: the list as a channel, one ``<item>`` per item (written with lxml).

Summaries go in ``<description>``, which readers treat as HTML, so they are
HTML-escaped first: a summary ``<script>`` shows as text. The type is a category in
the ``urn:coopcli:type`` domain and tags are plain categories; the guid is the list's
link with the item id as fragment (``isPermaLink="false"``). RSS 2.0 has no date for
a correction, so a corrected item carries Atom's ``<atom:updated>`` (the channel then
declares the Atom namespace), which feedparser and most readers understand.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from lxml import etree

from coopcli import __version__
from coopcli.core.itemtypes import all_types
from coopcli.core.view import DocumentView, ItemView
from coopcli.formats import ReadResult, feeds, streaming

ATOM = "http://www.w3.org/2005/Atom"


def export_warnings(doc: DocumentView) -> list[str]:
    """The required channel values (title, link, description) the list lacks."""
    return feeds.warnings(doc, "rss", needs_description=True)


def _text(parent: etree._Element, tag: str, value: str) -> etree._Element:
    element = etree.SubElement(parent, tag)
    element.text = feeds.xml_text(value)
    return element


def export(doc: DocumentView) -> str:
    """The list as an RSS 2.0 document."""
    return _render(doc, doc.items, feeds.span(doc.items))


def export_stream(doc: DocumentView, batches: streaming.Batches, write: streaming.Write) -> None:
    """:func:`export`, written a batch of items at a time (read twice: the channel
    says whether any item is corrected, and when the newest came out)."""
    span = feeds.span(streaming.items_of(batches(streaming.LATEST)))
    streaming.cut(
        lambda items: _render(doc, items, span),
        batches(streaming.LATEST),
        write,
        begin=streaming.at("\n    <item>"),
        end=streaming.last("\n  </channel>"),
    )


def _render(doc: DocumentView, items: Sequence[ItemView], span: feeds.Span) -> str:
    """The RSS document of ``items``, with the channel values of ``span``."""
    meta = feeds.metadata(doc, needs_description=True)
    types = all_types(doc.types)
    corrected = span.corrected
    # The Atom namespace only when used, so lists without corrections stay plain RSS.
    rss = etree.Element("rss", version="2.0", nsmap={"atom": ATOM} if corrected else None)
    channel = etree.SubElement(rss, "channel")
    _text(channel, "title", meta.title)
    _text(channel, "link", meta.link)
    _text(channel, "description", html.escape(meta.description, quote=False))
    _text(channel, "generator", f"coopcli {__version__}")
    _text(channel, "docs", "https://www.rssboard.org/rss-specification")
    if items:
        _text(channel, "lastBuildDate", feeds.rfc822(span.newest))
    for item in feeds.entries(streaming.with_items(doc, items)):
        entry = etree.SubElement(channel, "item")
        _text(entry, "title", item.title)
        _text(entry, "link", item.url or meta.link)
        if item.summary is not None:
            _text(entry, "description", html.escape(item.summary, quote=False))
        _text(entry, "pubDate", feeds.rfc822(item.date))
        if item.updated is not None:
            _text(entry, f"{{{ATOM}}}updated", item.updated)
        guid = _text(entry, "guid", feeds.guid(meta.link, item.id))
        guid.set("isPermaLink", "false")
        category = _text(entry, "category", types.get(item.type, item.type))
        category.set("domain", feeds.TYPE_SCHEME)
        for tag in feeds.feed_tags(item):
            _text(entry, "category", tag)
    body: bytes = etree.tostring(rss, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return body.decode("utf-8")


def read(data: bytes, source: str, content_type: str | None = None) -> ReadResult:
    """Items from an RSS (0.9x, 1.0, 2.0), Atom or CDF feed."""
    from coopcli.formats import feedxml

    return feedxml.read_xml(data, source, content_type)
