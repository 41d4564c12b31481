"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the list as a JSON feed.

Each item has ``content_text`` (the summary, or empty: the spec requires a content
field) and ``summary``; its ``tags`` are the type's label then the item's tags, and the
extension ``_coopcli.type`` keeps the type key so that reading it back is exact.
"""

from __future__ import annotations

import json
import re
from typing import Any

from coopcli.core.errors import DataError
from coopcli.core.itemtypes import all_types
from coopcli.core.view import DocumentView
from coopcli.formats import Draft, ReadResult, decode_text, feeds, streaming

VERSION = "https://jsonfeed.org/version/1.1"


def export_warnings(doc: DocumentView) -> list[str]:
    """The feed values (a title; a link for the item ids) the list lacks."""
    return feeds.warnings(doc, "jsonfeed")


def export(doc: DocumentView) -> str:
    """The list as a JSON Feed 1.1 document."""
    meta = feeds.metadata(doc)
    types = all_types(doc.types)
    feed: dict[str, Any] = {"version": VERSION, "title": meta.title}
    if meta.has_link:
        feed["home_page_url"] = meta.link
    if doc.description is not None:
        feed["description"] = doc.description
    items = []
    for item in feeds.entries(doc):
        entry: dict[str, Any] = {"id": feeds.guid(meta.link, item.id)}
        url = item.url or (meta.link if meta.has_link else None)
        if url is not None:
            entry["url"] = url
        entry["title"] = item.title
        entry["content_text"] = item.summary or ""
        if item.summary is not None:
            entry["summary"] = item.summary
        entry["date_published"] = feeds.rfc3339(item.date)
        if item.updated is not None:
            entry["date_modified"] = item.updated
        entry["tags"] = [types.get(item.type, item.type), *item.tags]
        entry[feeds.JSONFEED_EXTENSION] = {"type": item.type}
        items.append(entry)
    feed["items"] = items
    return json.dumps(feed, ensure_ascii=False, indent=2) + "\n"


def export_stream(doc: DocumentView, batches: streaming.Batches, write: streaming.Write) -> None:
    """:func:`export`, written a batch of items at a time."""
    streaming.cut(
        lambda items: export(streaming.with_items(doc, items)),
        batches(streaming.LATEST),
        write,
        begin=streaming.at("\n    {"),
        end=streaming.last("\n  ]\n}"),
        separator=",",
    )


def _string(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _text(value: object, kind: str, *, ours: bool, single_line: bool = False) -> str | None:
    if not isinstance(value, str):
        return None
    if ours:
        return value.strip() or None
    return feeds.plain_text(value, kind, single_line=single_line)


def _summary(entry: dict[str, Any], *, ours: bool) -> str | None:
    summary = _text(entry.get("summary"), "text/plain", ours=ours)
    if summary is not None or "summary" in entry:
        return summary
    text = _text(entry.get("content_text"), "text/plain", ours=ours)
    if text is not None or "content_text" in entry:
        return text
    return _text(entry.get("content_html"), "text/html", ours=False)


def _draft(entry: dict[str, Any], link: str | None) -> Draft:
    extension = entry.get(feeds.JSONFEED_EXTENSION)
    ours = isinstance(extension, dict) and isinstance(extension.get("type"), str)
    title = _text(entry.get("title"), "text/plain", ours=ours, single_line=True)
    summary = _summary(entry, ours=ours)
    note = None
    if title is None and summary is not None:
        title, note = feeds.title_from(summary), "no title: named after its summary"
    raw_date = feeds.first_text([entry.get("date_published"), entry.get("date_modified")])
    raw_tags = entry.get("tags")
    tags = [t for t in raw_tags if isinstance(t, str)] if isinstance(raw_tags, list) else []
    type_hint = None
    if isinstance(extension, dict) and isinstance(extension.get("type"), str):
        type_hint = extension["type"]
        tags = tags[1:]  # coopcli writes the type's label as the first tag
    sorted_out = feeds.split_categories(((t, None) for t in tags), type_hint=type_hint)
    url = feeds.clean_url(entry.get("url")) or feeds.clean_url(entry.get("external_url"))
    if url is not None and url == link:
        url = None
    return Draft(
        title=title,
        date=feeds.parse_date(raw_date),
        type=sorted_out.type,
        summary=summary,
        url=url,
        tags=sorted_out.tags,
        categories=sorted_out.categories,
        id=feeds.item_id_from_guid(entry.get("id")) if type_hint else None,
        problem=None if title else "no title, and no summary or content to name it after",
        note=note,
        updated=feeds.correction(entry.get("date_published"), entry.get("date_modified")),
    )


#: The versions of the spec, in either URL form (1.0 used http:// at first).
_VERSIONS = re.compile(r"^https?://jsonfeed\.org/version/(1|1\.1)/?$")
_ANY_VERSION = re.compile(r"^https?://jsonfeed\.org/version/")
#: Keys only a JSON Feed has: a JSON document with none of them and no version is not one.
FEED_KEYS = frozenset({"home_page_url", "feed_url", "icon", "favicon", "authors", "author"})
ITEM_KEYS = frozenset(
    {"content_html", "content_text", "date_published", "date_modified", "external_url"}
)


def looks_like_feed(document: object) -> bool:
    """Whether a JSON value is a JSON Feed: by its version, else by keys only feeds have."""
    if not isinstance(document, dict):
        return False
    version = document.get("version")
    if isinstance(version, str):
        return _ANY_VERSION.match(version) is not None
    if "version" in document or not isinstance(document.get("items"), list):
        return False
    items = [entry for entry in document["items"] if isinstance(entry, dict)]
    return bool(FEED_KEYS & document.keys()) or any(ITEM_KEYS & entry.keys() for entry in items)


def _decode(data: bytes, source: str) -> str:
    # JSON is UTF-8, but the standard library reads UTF-16 and UTF-32 too (RFC 4627).
    encoding = json.detect_encoding(data)
    if encoding.startswith("utf-8"):
        return decode_text(data, source)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise DataError(f"{source}: not valid {encoding} at byte {exc.start}") from None


def read(data: bytes, source: str, content_type: str | None = None) -> ReadResult:
    """Items from a JSON Feed (1.0 or 1.1).

    ``content_type`` is accepted for symmetry with the XML feeds: JSON says its own
    encoding (UTF-8, or UTF-16/32 by its zero bytes).
    """
    if len(data) > feeds.MAX_BYTES:
        raise DataError(
            f"{source}: too large to read as a feed ({len(data):,} bytes; "
            f"the limit is {feeds.MAX_BYTES:,})"
        )
    text = _decode(data, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    if not looks_like_feed(document):
        raise DataError(f"{source}: not a JSON Feed (no 'version': '{VERSION}')")
    items = document.get("items")
    if not isinstance(items, list):
        raise DataError(f"{source}: JSON Feed without an 'items' array")
    version = document.get("version")
    warnings = []
    if version is None:
        kind = "JSON Feed with no version given"
        warnings.append(f"{source}: the JSON Feed has no 'version'; read as JSON Feed 1.1")
    elif (known := _VERSIONS.match(version)) is not None:
        kind = "JSON Feed 1.0" if known.group(1) == "1" else "JSON Feed 1.1"
    else:
        kind = f"JSON Feed ({version})"
        warnings.append(f"{source}: unknown JSON Feed version {version!r}; read as 1.1")
    link = feeds.clean_url(document.get("home_page_url"))
    # A feed coopcli wrote keeps its text exactly (its items carry the extension).
    ours = not items or any(
        isinstance(entry, dict) and isinstance(entry.get(feeds.JSONFEED_EXTENSION), dict)
        for entry in items
    )
    result = ReadResult(
        drafts=[],
        title=_text(document.get("title"), "text/plain", ours=ours, single_line=True),
        link=link,
        description=_text(document.get("description"), "text/plain", ours=ours),
        kind=kind,
        warnings=warnings,
    )
    for entry in items:
        if isinstance(entry, dict):
            result.drafts.append(_draft(entry, link))
        else:
            result.drafts.append(Draft(None, None, problem="not a JSON object"))
    return result
