"""What a web page says about itself: title, summary, date and URL for a new item.

Read, in this order of trust, from schema.org JSON-LD (``headline``/``name``,
``description``, ``datePublished``, ``url``), Open Graph (``og:title``,
``og:description``, ``og:url``, ``article:published_time``), other ``<meta>`` tags
(``description``, ``date``, Dublin Core, ``<link rel="canonical">``), and last the
``<title>``. Only the standard library's HTML parser is used, and nothing in the
page is run or fetched. Every value comes out as plain text: character
references decoded, markup removed, spaces collapsed, control characters dropped,
and a title cut to a sensible length.

The bytes are decoded by their byte-order mark, else the charset the server sent,
else the page's own ``<meta charset>``, else UTF-8, else Windows-1252 (which
decodes anything, as browsers do with an undeclared legacy page).
"""

from __future__ import annotations

import codecs
import datetime as dt
import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

#: Longer titles are cut at a word, with an ellipsis: a headline, not an article.
MAX_TITLE = 300
MAX_SUMMARY = 2000

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ISO_DAY = re.compile(r"^\s*(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class PageInfo:
    """What a page says about itself (None where it says nothing)."""

    title: str | None = None
    summary: str | None = None
    date: dt.date | None = None
    url: str | None = None

    @property
    def empty(self) -> bool:
        """Whether the page gave nothing to fill an item with."""
        return self.title is None and self.summary is None and self.date is None


def decode(data: bytes, content_type: str | None = None) -> str:
    """The page's text, decoded as a browser would (see the module doc)."""
    for bom, name in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            return data.decode(name, errors="replace")
    candidates: list[str] = []
    if content_type and (found := _HEADER_CHARSET.search(content_type)):
        candidates.append(found.group(1))
    if found_meta := _CHARSET.search(data[:4096]):
        candidates.append(found_meta.group(1).decode("ascii"))
    candidates += ["utf-8"]
    for name in candidates:
        try:
            codec = codecs.lookup(name).name
        except LookupError:
            continue
        # Browsers read a page labelled Latin-1 as Windows-1252 (WHATWG Encoding).
        codec = "cp1252" if codec in ("iso8859-1", "ascii") else codec
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("cp1252", errors="replace")


def clean(text: str | None, limit: int) -> str | None:
    """Plain text: references decoded, markup dropped, one line, at most ``limit``."""
    if text is None:
        return None
    plain = _TAG.sub(" ", html.unescape(text))
    plain = " ".join(_CONTROL.sub(" ", plain).split())
    if not plain:
        return None
    if len(plain) > limit:
        cut = plain[: limit - 1].rsplit(" ", 1)[0] or plain[: limit - 1]
        plain = cut.rstrip(" ,.;:") + "…"
    return plain


def _day(text: object) -> dt.date | None:
    """The calendar day an ISO date or date-time names, as written (no UTC shift)."""
    if not isinstance(text, str):
        return None
    match = _ISO_DAY.match(text)
    if match is None:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.canonical: str | None = None
        self.title_parts: list[str] = []
        self.json_ld: list[str] = []
        self.times: list[str] = []
        self._in: str | None = None
        self._buffer: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name.lower(): value or "" for name, value in attrs}
        if tag == "meta":
            key = values.get("property") or values.get("name") or values.get("itemprop") or ""
            content = values.get("content")
            if key and content is not None:
                self.meta.setdefault(key.strip().lower(), content)
        elif tag == "link" and "canonical" in values.get("rel", "").lower().split():
            self.canonical = self.canonical or values.get("href")
        elif tag == "title" and not self.title_parts:
            self._in, self._buffer = "title", []
        elif tag == "script" and values.get("type", "").lower() == "application/ld+json":
            self._in, self._buffer = "ld", []
        elif tag == "time" and values.get("datetime"):
            self.times.append(values["datetime"])

    def handle_endtag(self, tag: str) -> None:
        if self._in == "title" and tag == "title":
            self.title_parts = self._buffer or [""]
            self._in = None
        elif self._in == "ld" and tag == "script":
            self.json_ld.append("".join(self._buffer))
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in is not None:
            self._buffer.append(data)


def _nodes(value: Any) -> Iterator[dict[str, Any]]:
    """Every JSON-LD object, through lists and ``@graph``."""
    if isinstance(value, list):
        for entry in value:
            yield from _nodes(entry)
    elif isinstance(value, dict):
        yield value
        yield from _nodes(value.get("@graph"))


_ARTICLES = ("article", "newsarticle", "blogposting", "report", "webpage", "pressrelease")


def _linked_data(blocks: list[str]) -> dict[str, Any]:
    """The page's main schema.org object: an article if there is one."""
    best: dict[str, Any] = {}
    for block in blocks:
        try:
            data = json.loads(block)
        except ValueError:
            continue  # broken JSON-LD is common; the other sources remain
        for node in _nodes(data):
            kinds = node.get("@type")
            names = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
            if any(isinstance(k, str) and k.lower() in _ARTICLES for k in names):
                return node
            best = best or node
    return best


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _web_url(value: object, base: str | None) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    url = urljoin(base or "", value.strip())
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
        return None
    return url


def read_page(data: bytes, *, url: str | None = None, content_type: str | None = None) -> PageInfo:
    """What the page (fetched from ``url``, if it was) says about itself."""
    collector = _Collector()
    collector.feed(decode(data, content_type))
    collector.close()
    meta, ld = collector.meta, _linked_data(collector.json_ld)
    title = clean(
        _text(ld.get("headline"))
        or _text(ld.get("name"))
        or meta.get("og:title")
        or meta.get("twitter:title")
        or meta.get("dc.title")
        or ("".join(collector.title_parts) or None),
        MAX_TITLE,
    )
    summary = clean(
        _text(ld.get("description"))
        or meta.get("og:description")
        or meta.get("description")
        or meta.get("twitter:description")
        or meta.get("dc.description"),
        MAX_SUMMARY,
    )
    date = next(
        (
            day
            for day in map(
                _day,
                [
                    ld.get("datePublished"),
                    meta.get("article:published_time"),
                    meta.get("datepublished"),
                    meta.get("date"),
                    meta.get("dc.date"),
                    meta.get("dcterms.date"),
                    meta.get("og:updated_time"),
                    *collector.times[:1],
                ],
            )
            if day is not None
        ),
        None,
    )
    page_url = (
        _web_url(ld.get("url"), url)
        or _web_url(meta.get("og:url"), url)
        or _web_url(collector.canonical, url)
        or _web_url(url, None)
    )
    return PageInfo(title=title, summary=summary, date=date, url=page_url)
