"""The plan of a site: every output file, what it is made from, and how to make it.

Each :class:`Output` carries a fingerprint of its inputs (the items it shows, the
navigation it links to, the settings and templates) and a function that renders it.
The builder compares fingerprints with the last build's manifest and calls only the
functions whose fingerprint changed.

List pages are numbered from the oldest item, so a page's items never move once it
is full: adding the newest item changes a list's front page, not its archive pages.
A list of ``n`` items has ``max(1, n // size)`` pages; pages ``1`` to ``count - 1``
hold ``size`` items each and the front page (the list's own address) holds the
rest, between ``size`` and ``2 * size - 1`` items.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson

from coopcli import __version__, formats
from coopcli.core.view import ItemView, Listing, Row
from coopcli.site import paths
from coopcli.site.search import search_index
from coopcli.site.settings import SiteSettings
from coopcli.site.sitemap import sitemap_index, urlset
from coopcli.site.source import SiteSource

Render = Callable[[str, dict[str, Any]], str]

MONTHS = [
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
]

#: The feeds each list gets: registry format name -> (file name, MIME type, label).
FEEDS = {
    "rss": ("feed.xml", "application/rss+xml", "RSS"),
    "atom": ("atom.xml", "application/atom+xml", "Atom"),
    "jsonfeed": ("feed.json", "application/feed+json", "JSON Feed"),
}
SEARCH_INDEX = "search-index.json"
SEARCH_PAGE = "search/index.html"
TAGS_PAGE = "tags/index.html"
ARCHIVE_PAGE = "archive/index.html"
NOT_FOUND_PAGE = "404.html"
#: The sitemaps protocol allows 50,000 URLs in one file.
SITEMAP_LIMIT = 50_000


def human_date(day: dt.date) -> str:
    """``29 October 2021``, as the organisation's own listing writes dates."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def _utc_day(stamp: str) -> dt.date:
    """The day of a stored ``updated`` time (``2026-12-04T17:30:00Z``), in UTC."""
    moment = dt.datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return moment.date()


def fingerprint(*parts: object) -> str:
    """A short digest of ``parts`` (strings, numbers and nested sequences of them)."""
    data = orjson.dumps(parts, default=str)
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass
class Output:
    """One file of the site: where it goes, a fingerprint of its inputs, how to make it."""

    path: str
    fingerprint: str
    make: Callable[[], str | bytes]
    #: HTML pages are listed in the sitemap (all but the 404 page).
    in_sitemap: bool = False
    lastmod: dt.date | None = None


@dataclass
class SiteList:
    """A list of items with its own pages: the whole list, a type, a tag or a year."""

    kind: str
    key: str
    label: str
    directory: str
    #: Oldest first.
    items: list[dict[str, Any]]
    feeds: bool = True

    @property
    def front(self) -> str:
        """The path of the list's front page."""
        return f"{self.directory}index.html"

    def page_path(self, number: int, count: int) -> str:
        """The path of page ``number`` of ``count`` (the last is the front page)."""
        return self.front if number == count else f"{self.directory}page/{number}/index.html"

    def feed_path(self, name: str) -> str:
        """The path of the list's feed in registry format ``name``."""
        return self.directory + FEEDS[name][0]


def page_ranges(total: int, size: int) -> list[tuple[int, int]]:
    """``(start, stop)`` of each page over the oldest-first items, oldest page first."""
    count = max(1, total // size)
    ranges = [((n - 1) * size, n * size) for n in range(1, count)]
    ranges.append(((count - 1) * size, total))
    return ranges


def page_window(number: int, count: int, width: int = 2) -> list[int | None]:
    """Page numbers to link, newest first: the front, the oldest, and those near
    ``number``; ``None`` marks a gap."""
    wanted = {1, count, *range(number - width, number + width + 1)}
    shown = sorted((n for n in wanted if 1 <= n <= count), reverse=True)
    result: list[int | None] = []
    for n in shown:
        if result and result[-1] is not None and result[-1] - n > 1:
            result.append(None)
        result.append(n)
    return result


def _json_ld(data: dict[str, Any]) -> str:
    # Inside <script>, "</script>" or "<!--" in a title would end or confuse the
    # element: JSON allows <, > and & as \u escapes, so none of them appear raw.
    text = json.dumps(data, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@dataclass
class Planner:
    """Plans a whole site from a :class:`SiteSource`."""

    source: SiteSource
    settings: SiteSettings
    render: Render
    template_hash: str
    outputs: list[Output] = field(default_factory=list)

    def __post_init__(self) -> None:
        src, settings = self.source, self.settings
        self.base = settings.base
        self.title = paths.clean_text(settings.title or src.title or "News")
        description = settings.description or src.description
        self.description = description and paths.clean_text(description)
        self.labels = {key: paths.clean_text(label) for key, label in src.labels.items()}
        ordered = sorted(src.items, key=operator.attrgetter("date", "id"))
        used_types = sorted({item.type for item in ordered}, key=list(self.labels).index)
        type_segments = paths.segments(used_types)
        self.type_dirs = {key: f"type/{type_segments[key]}/" for key in used_types}
        all_tags = {tag for item in ordered for tag in item.tags}
        self.tag_dirs = {tag: f"tag/{seg}/" for tag, seg in paths.segments(all_tags).items()}
        self.years = sorted({item.date.year for item in ordered}, reverse=True)
        self.views = ordered
        self.entries = [self._entry(item) for item in ordered]
        self.digests = [fingerprint(entry) for entry in self.entries]
        for entry, digest in zip(self.entries, self.digests, strict=True):
            entry["digest"] = digest
        self.site = {
            "title": self.title,
            "description": self.description,
            "lang": settings.lang,
            "base_url": self.base,
            "generator": f"coopcli {__version__}",
        }
        self.nav: dict[str, list[dict[str, Any]]] = {
            "types": [
                {"key": key, "label": self.labels.get(key, key), "path": d + "index.html"}
                for key, d in self.type_dirs.items()
            ],
            "tags": [
                {"name": paths.clean_text(tag), "key": tag, "path": d + "index.html"}
                for tag, d in sorted(self.tag_dirs.items(), key=lambda kv: kv[0].casefold())
            ],
            "years": [{"year": y, "path": f"year/{y}/index.html"} for y in self.years],
        }
        self.home_feeds = self._feed_links(SiteList("home", "", self.title, "", []))
        # What every page shows besides its own content: a change here renders all.
        self.chrome = fingerprint(
            __version__, self.template_hash, self.site, self.nav, settings.page_size
        )

    # --- items ------------------------------------------------------------------

    def _entry(self, item: ItemView) -> dict[str, Any]:
        clean = paths.clean_text
        return {
            "id": item.id,
            "title": clean(item.title),
            "date": item.date.isoformat(),
            "date_text": human_date(item.date),
            "year": item.date.year,
            "type": item.type,
            "type_label": clean(self.labels.get(item.type, item.type)),
            "type_path": self.type_dirs[item.type] + "index.html",
            "summary": item.summary and clean(item.summary),
            "url": item.url,
            "tags": [
                {"name": clean(t), "key": t, "path": self.tag_dirs[t] + "index.html"}
                for t in item.tags
            ],
            "path": f"item/{paths.item_segment(item.id)}.html",
            # A correction after publication (``updated``): the page says when.
            "updated": item.updated,
            "updated_text": item.updated and human_date(_utc_day(item.updated)),
        }

    def canonical(self, path: str) -> str:
        """The absolute URL of a page: ``…/dir/`` for a directory's index page."""
        return self.base + path.removesuffix("index.html")

    def common(self, path: str) -> dict[str, Any]:
        """What every template receives."""
        return {
            "site": self.site,
            "nav": self.nav,
            "path": path,
            "root": paths.root_prefix(path),
            "canonical": self.canonical(path),
            "search_path": SEARCH_PAGE,
            # Every page announces the whole list's feeds; list pages their own.
            "feeds": self.home_feeds,
        }

    # --- the plan ---------------------------------------------------------------

    def plan(self) -> list[Output]:
        """Every output file of the site."""
        lists = [SiteList("home", "", self.title, "", self.entries)]
        for key, directory in self.type_dirs.items():
            chosen = [e for e in self.entries if e["type"] == key]
            lists.append(SiteList("type", key, self.labels.get(key, key), directory, chosen))
        by_tag: dict[str, list[dict[str, Any]]] = {tag: [] for tag in self.tag_dirs}
        for entry in self.entries:
            for tag in entry["tags"]:
                by_tag[tag["key"]].append(entry)
        for tag, directory in self.tag_dirs.items():
            lists.append(SiteList("tag", tag, paths.clean_text(tag), directory, by_tag[tag]))
        by_year: dict[int, list[dict[str, Any]]] = {year: [] for year in self.years}
        for entry in self.entries:
            by_year[entry["year"]].append(entry)
        for year in self.years:
            lists.append(
                SiteList("year", str(year), str(year), f"year/{year}/", by_year[year], False)
            )
        for site_list in lists:
            self._list_pages(site_list)
            if site_list.feeds:
                self._feeds(site_list)
        self._item_pages()
        self._summary_pages(by_tag, by_year)
        self._search_index()
        self._sitemap()
        return self.outputs

    def _feed_links(self, site_list: SiteList) -> list[dict[str, str]]:
        if not site_list.feeds:
            return []
        name = self.title if site_list.kind == "home" else f"{self.title}: {site_list.label}"
        return [
            {
                "title": f"{name} ({label})",
                "label": label,
                "type": mime,
                "path": site_list.feed_path(fmt),
            }
            for fmt, (_file, mime, label) in FEEDS.items()
        ]

    def _list_pages(self, site_list: SiteList) -> None:
        ranges = page_ranges(len(site_list.items), self.settings.page_size)
        count = len(ranges)
        feeds = self._feed_links(site_list) or self.home_feeds
        for number, (start, stop) in enumerate(ranges, start=1):
            path = site_list.page_path(number, count)
            shown = site_list.items[start:stop]
            digest = fingerprint(
                "list",
                self.chrome,
                site_list.kind,
                site_list.key,
                site_list.label,
                number,
                count,
                [e["digest"] for e in shown],
            )

            def make(
                path: str = path, number: int = number, shown: list[dict[str, Any]] = shown
            ) -> str:
                context = self.common(path)
                links = [
                    None if n is None else {"number": n, "path": site_list.page_path(n, count)}
                    for n in page_window(number, count)
                ]
                newer = site_list.page_path(number + 1, count) if number < count else None
                older = site_list.page_path(number - 1, count) if number > 1 else None
                context.update(
                    {
                        "list": {
                            "kind": site_list.kind,
                            "key": site_list.key,
                            "label": site_list.label,
                            "path": site_list.front,
                            "total": len(site_list.items),
                        },
                        "items": shown[::-1],
                        "page": {
                            "number": number,
                            "count": count,
                            "newer": newer,
                            "older": older,
                            "links": links,
                        },
                        "feeds": feeds,
                    }
                )
                return self.render("list.html", context)

            self.outputs.append(Output(path, digest, make, in_sitemap=True))

    def _item_pages(self) -> None:
        entries = self.entries
        for index, entry in enumerate(entries):
            older = entries[index - 1] if index > 0 else None
            newer = entries[index + 1] if index + 1 < len(entries) else None
            path = entry["path"]
            digest = fingerprint(
                "item",
                self.chrome,
                entry["digest"],
                older and [older["path"], older["title"]],
                newer and [newer["path"], newer["title"]],
            )

            def make(
                path: str = path,
                entry: dict[str, Any] = entry,
                older: dict[str, Any] | None = older,
                newer: dict[str, Any] | None = newer,
            ) -> str:
                context = self.common(path)
                canonical = context["canonical"]
                data: dict[str, Any] = {
                    "@context": "https://schema.org",
                    "@type": "NewsArticle",
                    "headline": entry["title"],
                    "datePublished": entry["date"],
                    **({"dateModified": entry["updated"]} if entry["updated"] else {}),
                    "url": canonical,
                    "mainEntityOfPage": canonical,
                    "articleSection": entry["type_label"],
                    "publisher": {"@type": "Organization", "name": self.title},
                }
                if entry["summary"]:
                    data["description"] = entry["summary"]
                if entry["tags"]:
                    data["keywords"] = [tag["name"] for tag in entry["tags"]]
                context.update(
                    {
                        "item": entry,
                        "older": older,
                        "newer": newer,
                        "json_ld": _json_ld(data),
                        "description": entry["summary"] or entry["title"],
                    }
                )
                return self.render("item.html", context)

            self.outputs.append(
                Output(
                    path,
                    digest,
                    make,
                    in_sitemap=True,
                    lastmod=dt.date.fromisoformat(entry["date"]),
                )
            )

    def _summary_pages(
        self, by_tag: dict[str, list[dict[str, Any]]], by_year: dict[int, list[dict[str, Any]]]
    ) -> None:
        tags = [
            {"name": t["name"], "path": t["path"], "count": len(by_tag[t["key"]])}
            for t in self.nav["tags"]
        ]
        years = [
            {"year": y, "path": f"year/{y}/index.html", "count": len(by_year[y])}
            for y in self.years
        ]
        counts: dict[str, int] = {}
        for entry in self.entries:
            counts[entry["type"]] = counts.get(entry["type"], 0) + 1
        types = [dict(t, count=counts[t["key"]]) for t in self.nav["types"]]
        pages: list[tuple[str, str, dict[str, Any], bool]] = [
            (TAGS_PAGE, "tags.html", {"tags": tags}, True),
            (ARCHIVE_PAGE, "archive.html", {"years": years, "types": types}, True),
            (SEARCH_PAGE, "search.html", {"total": len(self.entries)}, True),
            (NOT_FOUND_PAGE, "404.html", {}, False),
        ]
        for path, template, extra, listed in pages:

            def make(
                path: str = path, template: str = template, extra: dict[str, Any] = extra
            ) -> str:
                context = self.common(path)
                if path == NOT_FOUND_PAGE:
                    # Served at any address: links start from the site's own path.
                    from urllib.parse import urlsplit

                    context["root"] = urlsplit(self.base).path or "/"
                if path == SEARCH_PAGE:
                    context["search_index"] = SEARCH_INDEX
                context.update(extra)
                return self.render(template, context)

            digest = fingerprint("page", self.chrome, path, extra)
            self.outputs.append(Output(path, digest, make, in_sitemap=listed))

    # --- feeds, search index, sitemap -------------------------------------------

    def _feeds(self, site_list: SiteList) -> None:
        newest = site_list.items[::-1][: self.settings.feed_size]
        link = self.canonical(site_list.front)
        name = self.title if site_list.kind == "home" else f"{self.title}: {site_list.label}"
        for fmt in FEEDS:
            digest = fingerprint(
                "feed",
                __version__,
                fmt,
                name,
                link,
                self.description,
                dict(self.source.types),
                [e["digest"] for e in newest],
                self.base,
            )

            def make(fmt: str = fmt) -> str:

                rows = [
                    Row(
                        e["id"],
                        e["type"],
                        e["title"],
                        dt.date.fromisoformat(e["date"]),
                        e["summary"],
                        self.base + e["path"],
                        tuple(tag["key"] for tag in e["tags"]),
                    )
                    for e in newest
                ]
                listing = Listing(name, link, self.description, self.source.types, rows)
                text: str = formats.writer(fmt).export(listing)
                return text

            self.outputs.append(Output(site_list.feed_path(fmt), digest, make))

    def _search_index(self) -> None:
        digest = fingerprint("search", __version__, self.chrome, self.digests)

        def make() -> str:

            return search_index(self.entries, self.nav)

        self.outputs.append(Output(SEARCH_INDEX, digest, make))

    def _sitemap(self) -> None:
        pages = [o for o in self.outputs if o.in_sitemap]
        urls = [(self.canonical(o.path), o.lastmod) for o in pages]
        digest = fingerprint("sitemap", __version__, urls)
        chunks = [urls[n : n + SITEMAP_LIMIT] for n in range(0, len(urls), SITEMAP_LIMIT)]
        if len(chunks) <= 1:

            def make_one() -> bytes:

                return urlset(urls)

            self.outputs.append(Output("sitemap.xml", digest, make_one))
            return
        names = [f"sitemap-{n}.xml" for n in range(1, len(chunks) + 1)]
        for name, chunk in zip(names, chunks, strict=True):

            def make_part(chunk: Sequence[tuple[str, dt.date | None]] = chunk) -> bytes:

                return urlset(chunk)

            self.outputs.append(Output(name, fingerprint(digest, name), make_part))

        def make_index() -> bytes:

            return sitemap_index([self.base + name for name in names])

        self.outputs.append(Output("sitemap.xml", digest, make_index))
