"""JSON Feed 1.1 (https://jsonfeed.org/version/1.1): the list as a JSON feed.

Each item has ``content_text`` (the summary, or empty: the spec requires a content
field) and ``summary``; its ``tags`` are the type's label then the item's tags, and the
extension ``_coopcli.type`` keeps the type key so that reading it back is exact.
"""

from __future__ import annotations

import json
from typing import Any

from coopcli.core.errors import DataError
from coopcli.core.itemtypes import all_types
from coopcli.core.view import DocumentView
from coopcli.formats import Draft, ReadResult, decode_text, feeds

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


def _string(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _summary(entry: dict[str, Any]) -> str | None:
    summary = _string(entry.get("summary"))
    if summary is not None or "summary" in entry:
        return summary
    text = _string(entry.get("content_text"))
    if text is not None or "content_text" in entry:
        return text
    html = _string(entry.get("content_html"))
    return _string(feeds.html_to_text(html)) if html else None


def _draft(entry: dict[str, Any], link: str | None) -> Draft | None:
    title = _string(entry.get("title"))
    raw_date = feeds.first_text([entry.get("date_published"), entry.get("date_modified")])
    day = feeds.parse_date(raw_date)
    if title is None or day is None:
        return None
    raw_tags = entry.get("tags")
    tags = [t for t in raw_tags if isinstance(t, str)] if isinstance(raw_tags, list) else []
    extension = entry.get(feeds.JSONFEED_EXTENSION)
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
        date=day,
        type=sorted_out.type,
        summary=_summary(entry),
        url=url,
        tags=sorted_out.tags,
        categories=sorted_out.categories,
        id=feeds.item_id_from_guid(entry.get("id")) if type_hint else None,
        updated=feeds.correction(entry.get("date_published"), entry.get("date_modified")),
    )


def read(data: bytes, source: str) -> ReadResult:
    """Items from a JSON Feed (1.0 or 1.1)."""
    text = decode_text(data, source)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataError(f"{source}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith("https://jsonfeed.org/version/"):
        raise DataError(f"{source}: not a JSON Feed (no 'version': '{VERSION}')")
    items = document.get("items")
    if not isinstance(items, list):
        raise DataError(f"{source}: JSON Feed without an 'items' array")
    link = feeds.clean_url(document.get("home_page_url"))
    result = ReadResult(
        drafts=[],
        title=_string(document.get("title")),
        link=link,
        description=_string(document.get("description")),
    )
    for entry in items:
        draft = _draft(entry, link) if isinstance(entry, dict) else None
        if draft is None:
            result.skipped += 1
        else:
            result.drafts.append(draft)
    return result
