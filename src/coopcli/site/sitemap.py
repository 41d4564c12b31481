"""``sitemap.xml`` (https://www.sitemaps.org/protocol.html), written with lxml."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def urlset(urls: Iterable[tuple[str, dt.date | None]]) -> bytes:
    """A sitemap of ``(absolute URL, last modified day or None)`` pairs."""
    from lxml import etree

    root = etree.Element(f"{{{NS}}}urlset", nsmap={None: NS})
    for loc, lastmod in urls:
        url = etree.SubElement(root, f"{{{NS}}}url")
        etree.SubElement(url, f"{{{NS}}}loc").text = loc
        if lastmod is not None:
            etree.SubElement(url, f"{{{NS}}}lastmod").text = lastmod.isoformat()
    data: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return data


def sitemap_index(locations: Iterable[str]) -> bytes:
    """A sitemap index naming each of the sitemaps at ``locations``."""
    from lxml import etree

    root = etree.Element(f"{{{NS}}}sitemapindex", nsmap={None: NS})
    for loc in locations:
        sitemap = etree.SubElement(root, f"{{{NS}}}sitemap")
        etree.SubElement(sitemap, f"{{{NS}}}loc").text = loc
    data: bytes = etree.tostring(root, encoding="utf-8", xml_declaration=True, pretty_print=True)
    return data
