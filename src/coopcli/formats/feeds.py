"""What RSS, Atom and JSON Feed share: metadata and its defaults, ids, dates, text.

Writing: :func:`metadata` picks the list's title, link and description (with a default
and a warning where a spec requires one that is missing), :func:`entries` orders the
items, :func:`guid` gives each a stable id, and :func:`xml_text` removes what XML 1.0
cannot hold. Reading: :func:`check_xml` refuses unsafe or broken XML before any parser
sees it, :func:`parse_date` takes a publisher's own calendar day from RFC 822 and
RFC 3339 dates, :func:`html_to_text` turns feed HTML into plain text, and
:func:`split_categories` separates a feed entry's type from its tags.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from coopcli.core.errors import DataError, UsageError
from coopcli.core.itemtypes import BUILTIN_TYPES, match_type

if TYPE_CHECKING:
    import time

    from coopcli.core.view import DocumentView, ItemView, Listing
    from coopcli.formats import ReadResult

#: Used when the list has no title: a feed reader shows it as the feed's name.
DEFAULT_TITLE = "News"
#: Used when the list has no link. ``.invalid`` is reserved (RFC 2606), so it is
#: plainly a placeholder rather than somebody's real site.
DEFAULT_LINK = "https://example.invalid/"
#: The category scheme (Atom ``scheme``, RSS ``domain``) that marks an item's type, so
#: reading a coopcli feed back tells the type apart from the tags.
TYPE_SCHEME = "urn:coopcli:type"
#: JSON Feed extension key (extensions start with ``_``) holding the item's type key.
JSONFEED_EXTENSION = "_coopcli"

# XML 1.0 allows tab, newline, carriage return and everything from U+0020 except
# surrogates, U+FFFE and U+FFFF (https://www.w3.org/TR/xml/#charsets). It also asks
# authors to avoid the C1 controls U+007F-U+009F, which HTML-reading feed software
# turns into Windows-1252 letters (U+0080 becomes "€"), so those go too.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def xml_text(text: str) -> str:
    """``text`` without the control characters XML 1.0 forbids or discourages."""
    return _XML_FORBIDDEN.sub("", text)


@dataclass(frozen=True)
class FeedMeta:
    """The feed-level values an export uses, and what had to be made up."""

    title: str
    link: str
    description: str
    defaults: dict[str, str] = field(default_factory=dict)

    @property
    def has_link(self) -> bool:
        """Whether the link is the list's own (and not the placeholder)."""
        return "link" not in self.defaults


def metadata(doc: DocumentView, *, needs_description: bool = False) -> FeedMeta:
    """The list's title, link and description, with defaults where they are missing.

    RSS requires a description; the others only a title and link (Atom ids and JSON
    Feed item ids are built from the link, so a missing link is reported there too).
    """
    defaults: dict[str, str] = {}
    title = doc.title
    if title is None:
        title = defaults["title"] = DEFAULT_TITLE
    link = doc.link
    if link is None:
        link = defaults["link"] = DEFAULT_LINK
    description = doc.description
    if description is None:
        description = title
        if needs_description:
            defaults["description"] = title
    return FeedMeta(title=title, link=link, description=description, defaults=defaults)


def warnings(doc: DocumentView, format_name: str, *, needs_description: bool = False) -> list[str]:
    """One line saying which required values were missing and what was used instead."""
    meta = metadata(doc, needs_description=needs_description)
    if not meta.defaults:
        return []
    used = ", ".join(f"{key} {value!r}" for key, value in meta.defaults.items())
    flags = [f"--feed-{key}" for key in ("title", "link") if key in meta.defaults]
    hint = "set it in the item file" if len(meta.defaults) == 1 else "set them in the item file"
    if flags:
        hint += f" or pass {' and '.join(flags)}"
    return [f"{format_name}: the list has no {' or '.join(meta.defaults)}; using {used} ({hint})"]


def with_metadata(doc: DocumentView, *, title: str | None, link: str | None) -> Listing:
    """``doc`` with the title and link given (``--feed-title``/``--feed-link``) instead."""
    from coopcli.core.rules import check_url, optional_text
    from coopcli.core.view import Listing

    new_title, new_link = doc.title, doc.link
    if title is not None:
        new_title = optional_text(title)
        if new_title is None:
            raise UsageError(f"--feed-title {title!r}: cannot be empty")
    if link is not None:
        new_link = optional_text(link)
        try:
            if new_link is None:
                raise ValueError("cannot be empty")
            check_url(new_link)
        except ValueError as exc:
            raise UsageError(f"--feed-link {link!r}: {exc}") from None
    return Listing(new_title, new_link, doc.description, doc.types, doc.items, doc.version)


def entries(doc: DocumentView) -> list[ItemView]:
    """The items in feed order: newest first, ties by id for a stable output."""
    return sorted(doc.items, key=lambda item: (item.date, item.id), reverse=True)


def guid(link: str, item_id: str) -> str:
    """The item's permanent id in a feed: the list's link with the item id as fragment.

    Item ids never change, so neither does this while the list stays where it is.
    """
    parts = urlsplit(link)
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, item_id))


def item_id_from_guid(value: str | None) -> str | None:
    """The item id inside a :func:`guid`, if ``value`` is one."""
    if not value:
        return None
    fragment = urlsplit(value).fragment
    return fragment if _ITEM_ID.match(fragment) else None


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def rfc822(day: dt.date) -> str:
    """``Fri, 29 Oct 2021 00:00:00 +0000`` (RSS 2.0 dates)."""
    return email.utils.format_datetime(_midnight(day))


def rfc3339(day: dt.date) -> str:
    """``2021-10-29T00:00:00Z`` (Atom and JSON Feed dates)."""
    return f"{day.isoformat()}T00:00:00Z"


def newest(doc: DocumentView) -> dt.date:
    """The newest item's date (a feed's last update), or today for an empty list."""
    from coopcli.core.dates import today

    return max((item.date for item in doc.items), default=today())


def entry_updated(item: ItemView) -> str:
    """When the entry last changed (RFC 3339): its correction's time, else its date."""
    return item.updated if item.updated is not None else rfc3339(item.date)


def last_updated(doc: DocumentView) -> str:
    """When the feed last changed: the newest date or correction (RFC 3339, UTC)."""
    from coopcli.core.status import updated_instant, updated_stamp

    newest_day = rfc3339(newest(doc))
    times = [item.updated for item in doc.items if item.updated is not None]
    if not times:
        return newest_day
    latest = max(times, key=updated_instant)
    if updated_instant(latest) <= updated_instant(newest_day):
        return newest_day
    return updated_stamp(updated_instant(latest))


def correction(published: object, updated: object) -> str | None:
    """A feed entry's ``updated`` as coopcli stores it, when it differs from ``published``.

    Atom requires ``updated`` on every entry; only one later than ``published`` says
    the entry was corrected. Dates that are not RFC 3339 are ignored.
    """
    from coopcli.core.status import updated_stamp

    def instant(value: object) -> dt.datetime | None:
        if not isinstance(value, str):
            return None
        try:
            if _RFC3339_DAY.match(value):
                moment = dt.datetime.fromisoformat(value.strip().upper().replace("Z", "+00:00"))
            else:  # RSS's pubDate is RFC 822
                moment = email.utils.parsedate_to_datetime(value)
        except (ValueError, TypeError):
            return None
        return moment if moment.tzinfo is not None else None

    changed, first = instant(updated), instant(published)
    # Without a published date, ``updated`` is the entry's date, not a correction.
    if changed is None or first is None or changed <= first:
        return None
    return updated_stamp(changed)


def feed_tags(item: ItemView) -> list[str]:
    """The item's tags, cleaned for XML (tags that clean to nothing are dropped)."""
    return [tag for tag in (xml_text(t).strip() for t in item.tags) if tag]


# --- reading -------------------------------------------------------------------

_RFC3339_DAY = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})(?:$|[Tt ])")
_RFC822_YEAR = re.compile(r"\b\d{1,2}\s+[A-Za-z]+\.?,?\s+(\d{4})\b")


def _day(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def parse_date(raw: str | None, parsed: time.struct_time | None = None) -> dt.date | None:
    """The calendar day a feed date names, in the publisher's own time zone.

    RFC 3339 (``2021-10-29T23:30:00-05:00``) and RFC 822 in the forms real feeds use
    (``Fri, 29 Oct 2021 23:30:00 EST``, no weekday, two-digit years, named zones) are
    read as written; converting to UTC first would move late-evening items to the next
    day. Anything else falls back to feedparser's own (UTC) reading in ``parsed``.
    """
    if raw:
        if match := _RFC3339_DAY.match(raw):
            day = _day(*map(int, match.groups()))
            if day:
                return day
        fields = email.utils.parsedate_tz(raw)
        if fields is not None:
            year = fields[0]
            four_digits = _RFC822_YEAR.search(raw)
            if four_digits:
                # The email module reads years below 100 as two-digit years.
                year = int(four_digits.group(1))
            day = _day(year, fields[1], fields[2])
            if day:
                return day
    if parsed is not None:
        return _day(parsed.tm_year, parsed.tm_mon, parsed.tm_mday)
    return None


_TAG = re.compile(r"<[A-Za-z!/?]")
_SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "object", "iframe"})
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    ]
)


class _TextExtractor(HTMLParser):
    """Text of an HTML fragment: no markup, no scripts, paragraphs as blank lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(value: str) -> str:
    """Plain text from feed HTML: tags, scripts and links' targets dropped, entities decoded.

    Text with no tags at all (an escaped plain-text summary, as coopcli writes) only
    has its entities decoded, so its spacing and line breaks survive exactly.
    """
    if not _TAG.search(value):
        return html.unescape(value)
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    lines = [line.strip() for line in "".join(extractor.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def clean_url(value: object) -> str | None:
    """An http(s) URL, or None for anything else (``javascript:``, relative, blank)."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme.lower() in ("http", "https") and parts.netloc and " " not in value:
        return value
    return None


@dataclass
class Categories:
    """A feed entry's categories, sorted out for a :class:`~coopcli.formats.Draft`."""

    type: str | None
    tags: list[str]
    categories: list[str]


def _split_tag(term: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,;]", term) if part.strip()]


def split_categories(
    terms: Iterable[tuple[str, str | None]], *, type_hint: str | None = None
) -> Categories:
    """Separate an entry's type from its tags.

    ``terms`` are ``(term, scheme)`` pairs. A category in :data:`TYPE_SCHEME` (a feed
    coopcli wrote) is the type, and the others are the tags. Otherwise every category
    is a candidate for the importer to match against the file's types, and the tags
    are those that do not name a built-in type. Tags cannot hold ``,`` or ``;``, so a
    category ``"Economy, Finance"`` becomes two tags.
    """
    type_ = type_hint
    plain: list[str] = []
    for term, scheme in terms:
        term = term.strip()
        if not term:
            continue
        if scheme == TYPE_SCHEME and type_ is None:
            type_ = term
        else:
            plain.append(term)
    if type_ is not None:
        return Categories(type_, [t for term in plain for t in _split_tag(term)], [])
    tags = [
        t for term in plain if match_type(term, BUILTIN_TYPES) is None for t in _split_tag(term)
    ]
    return Categories(None, tags, plain)


def check_xml(data: bytes, source: str) -> None:
    """Refuse XML that is not well-formed, or that declares entities, before parsing it.

    Feeds are untrusted: an entity declaration can be a billion-laughs bomb or an
    external entity reading local files, so any is refused outright (defusedxml), and
    a syntax error names its line and column.
    """
    from xml.etree.ElementTree import ParseError

    import defusedxml
    import defusedxml.ElementTree

    try:
        defusedxml.ElementTree.fromstring(
            data, forbid_dtd=False, forbid_entities=True, forbid_external=True
        )
    except defusedxml.DefusedXmlException:
        raise DataError(
            f"{source}: refused: the feed declares XML entities (entity expansion and "
            "external entities are never processed)"
        ) from None
    except ParseError as exc:
        line, column = exc.position
        reason = re.sub(r": line \d+, column \d+$", "", str(exc))
        raise DataError(f"{source}:{line}:{column + 1}: not well-formed XML: {reason}") from None


def first_text(values: Sequence[object]) -> str | None:
    """The first non-blank string among ``values``."""
    for value in values:
        if isinstance(value, str) and value.strip():
            return value
    return None


def _get(mapping: object, key: str) -> Any:
    # feedparser's own get() maps missing keys to others (updated -> published) with
    # a DeprecationWarning; plain dict lookup reads only what the feed said.
    return dict.get(mapping, key) if isinstance(mapping, dict) else None


def _detail_text(detail: object, fallback: object = None, kind: str | None = None) -> str | None:
    """The text of a feedparser text construct, HTML turned into plain text.

    ``kind`` overrides the content type feedparser guessed (RSS does not say).
    """
    value = _get(detail, "value")
    if not isinstance(value, str):
        value = fallback if isinstance(fallback, str) else None
    if value is None:
        return None
    kind = kind or _get(detail, "type") or "text/html"
    text = value if kind == "text/plain" else html_to_text(value)
    return text.strip() or None


def read_xml(data: bytes, source: str) -> ReadResult:
    """Read an RSS or Atom feed (any version feedparser knows) into drafts."""
    import feedparser

    from coopcli.formats import Draft, ReadResult

    check_xml(data, source)
    # Not sanitised: every HTML value becomes plain text here, which drops all markup.
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not parsed.version:
        raise DataError(f"{source}: not an RSS or Atom feed")
    feed = parsed.feed
    link = clean_url(_get(feed, "link"))
    # RSS does not say whether text is HTML, so feedparser guesses from what it looks
    # like. A description is HTML by convention; a title coopcli wrote is plain text
    # (a title "<b>" is those three characters), one from elsewhere keeps the guess.
    rss = str(parsed.version).startswith("rss")
    ours = str(_get(feed, "generator") or "").startswith("coopcli")
    title_kind = "text/plain" if rss and ours else None
    html_kind = "text/html" if rss else None
    result = ReadResult(
        drafts=[],
        title=_detail_text(_get(feed, "title_detail"), _get(feed, "title"), title_kind),
        link=link,
        description=_detail_text(_get(feed, "subtitle_detail"), _get(feed, "subtitle"), html_kind),
    )
    for entry in parsed.entries:
        title = _detail_text(_get(entry, "title_detail"), _get(entry, "title"), title_kind)
        day = parse_date(
            first_text([_get(entry, "published"), _get(entry, "updated")]),
            _get(entry, "published_parsed") or _get(entry, "updated_parsed"),
        )
        if title is None or day is None:
            result.skipped += 1
            continue
        summary = _detail_text(_get(entry, "summary_detail"), _get(entry, "summary"), html_kind)
        if summary is None and _get(entry, "content"):
            summary = _detail_text(_get(entry, "content")[0])
        url = clean_url(_get(entry, "link"))
        if url is not None and url in (link, DEFAULT_LINK):
            url = None  # coopcli links items without a URL of their own to the list
        sorted_out = split_categories(
            (_get(tag, "term") or _get(tag, "label") or "", _get(tag, "scheme"))
            for tag in _get(entry, "tags") or []
        )
        typed = sorted_out.type is not None and not sorted_out.categories
        result.drafts.append(
            Draft(
                title=title,
                date=day,
                type=sorted_out.type,
                summary=summary,
                url=url,
                tags=sorted_out.tags,
                categories=sorted_out.categories,
                id=item_id_from_guid(_get(entry, "id")) if typed else None,
                updated=correction(_get(entry, "published"), _get(entry, "updated")),
            )
        )
    return result
