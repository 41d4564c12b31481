"""Atom 1.0 (RFC 4287): the list as a feed, one ``<entry>`` per item (written with lxml).

Titles and summaries are ``type="text"``, so no reader runs markup in them. The
type is a category with scheme ``urn:coopcli:type`` (term the key, label the type's
label); tags are plain categories. The list's title is also the feed's author, which
RFC 4287 requires when entries name none.
"""

from __future__ import annotations

from collections.abc import Sequence

from lxml import etree

from coopcli import __version__
from coopcli.core.itemtypes import all_types
from coopcli.core.view import DocumentView, ItemView
from coopcli.formats import ReadResult, feeds, streaming

NS = "http://www.w3.org/2005/Atom"


def export_warnings(doc: DocumentView) -> list[str]:
    """The required feed values (title; a link for the ids) the list lacks."""
    return feeds.warnings(doc, "atom")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NS}}}{tag}")
    for key, value in attrs.items():
        element.set(key, feeds.xml_text(value))
    if text is not None:
        element.text = feeds.xml_text(text)
    return element


def export(doc: DocumentView) -> str:
    """The list as an Atom 1.0 document."""
    return _render(doc, doc.items, feeds.last_updated(doc))


def export_stream(doc: DocumentView, batches: streaming.Batches, write: streaming.Write) -> None:
    """:func:`export`, written a batch of items at a time (read twice: the feed's
    ``updated`` is its newest date or correction)."""
    updated = feeds.span(streaming.items_of(batches(streaming.LATEST))).last_updated
    streaming.cut(
        lambda items: _render(doc, items, updated),
        batches(streaming.LATEST),
        write,
        begin=streaming.at("\n  <entry>"),
        end=streaming.last("\n</feed>"),
    )


def _render(doc: DocumentView, items: Sequence[ItemView], updated: str) -> str:
    """The Atom document of ``items``; ``updated`` is the feed's last change."""
    meta = feeds.metadata(doc)
    types = all_types(doc.types)
    feed = etree.Element(f"{{{NS}}}feed", nsmap={None: NS})
    _sub(feed, "title", meta.title, type="text")
    if doc.description is not None:
        _sub(feed, "subtitle", doc.description, type="text")
    _sub(feed, "link", rel="alternate", href=meta.link)
    _sub(feed, "id", meta.link)
    _sub(feed, "updated", updated)
    author = _sub(feed, "author")
    _sub(author, "name", meta.title)
    _sub(feed, "generator", "coopcli", version=__version__)
    for item in feeds.entries(streaming.with_items(doc, items)):
        entry = _sub(feed, "entry")
        _sub(entry, "title", item.title, type="text")
        _sub(entry, "link", rel="alternate", href=item.url or meta.link)
        _sub(entry, "id", feeds.guid(meta.link, item.id))
        _sub(entry, "published", feeds.rfc3339(item.date))
        # A correction's time (coopcli's ``updated``), else the publication date.
        _sub(entry, "updated", feeds.entry_updated(item))
        if item.summary is not None:
            _sub(entry, "summary", item.summary, type="text")
        _sub(
            entry,
            "category",
            term=item.type,
            scheme=feeds.TYPE_SCHEME,
            label=types.get(item.type, item.type),
        )
        for tag in feeds.feed_tags(item):
            _sub(entry, "category", term=tag)
    body: bytes = etree.tostring(feed, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return body.decode("utf-8")


def read(data: bytes, source: str, content_type: str | None = None) -> ReadResult:
    """Items from an Atom (0.3, 1.0), RSS or CDF feed."""
    from coopcli.formats import feedxml

    return feedxml.read_xml(data, source, content_type)
