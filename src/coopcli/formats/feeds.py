"""What RSS, Atom and JSON Feed share: metadata and its defaults, ids, dates, text.

Writing: :func:`metadata` picks the list's title, link and description (with a default
and a warning where a spec requires one that is missing), :func:`entries` orders the
items, :func:`guid` gives each a stable id, and :func:`xml_text` removes what XML 1.0
cannot hold. Reading (RSS and Atom in :mod:`coopcli.formats.feedxml`): :func:`parse_date`
takes a publisher's own calendar day from RFC 822 and RFC 3339 dates, :func:`plain_text`
turns a feed's HTML or text into tidy plain text, :func:`title_from` names an entry
that has no title, and :func:`split_categories` separates its type from its tags.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from coopcli.core.errors import UsageError
from coopcli.core.itemtypes import BUILTIN_TYPES, match_type

if TYPE_CHECKING:
    import time

    from coopcli.core.view import DocumentView, ItemView, Listing

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
#: Feeds larger than this are refused before parsing: the limit for fetched feeds.
MAX_BYTES = 50 * 1024 * 1024

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
    import email.utils  # only RSS needs it, and it costs a JSON Feed import 7 ms

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
    times = [item.updated for item in doc.items if item.updated is not None]
    return changed(newest(doc), times)


@dataclass(frozen=True)
class Span:
    """What a feed's head says of all its items: the newest date, the latest correction."""

    newest: dt.date
    corrected: bool
    #: The correction (``updated``) with the latest instant, if any item has one.
    latest: str | None

    @property
    def last_updated(self) -> str:
        """:func:`last_updated` of the items."""
        return changed(self.newest, [self.latest] if self.latest is not None else [])


def span(items: Iterable[ItemView]) -> Span:
    """The :class:`Span` of ``items``, read once (today as the newest date of none)."""
    from coopcli.core.status import updated_instant

    newest_day: dt.date | None = None
    latest: str | None = None
    latest_at: dt.datetime | None = None
    for item in items:
        if newest_day is None or item.date > newest_day:
            newest_day = item.date
        if item.updated is not None:
            instant = updated_instant(item.updated)
            if latest_at is None or instant > latest_at:
                latest, latest_at = item.updated, instant
    if newest_day is None:
        from coopcli.core.dates import today

        newest_day = today()
    return Span(newest_day, latest is not None, latest)


def changed(newest_day: dt.date, times: Sequence[str]) -> str:
    """The feed's last change: the newest date or the latest of ``times`` (corrections)."""
    from coopcli.core.status import updated_instant, updated_stamp

    day = rfc3339(newest_day)
    if not times:
        return day
    latest = max(times, key=updated_instant)
    if updated_instant(latest) <= updated_instant(day):
        return day
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
                import email.utils

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
        import email.utils

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


def looks_like_html(value: str) -> bool:
    """Whether text holds markup (a tag, a comment or a declaration)."""
    return _TAG.search(value) is not None


def unescape(value: str) -> str:
    """HTML's character references decoded (:func:`html.unescape`, loaded only for
    text that has one)."""
    if "&" not in value:
        return value
    import html

    return html.unescape(value)


def html_to_text(value: str) -> str:
    """Plain text from feed HTML: tags, scripts and links' targets dropped, entities decoded.

    Text with no tags at all (an escaped plain-text summary, as coopcli writes) only
    has its entities decoded, so its spacing and line breaks survive exactly.
    """
    if not _TAG.search(value):
        return unescape(value)
    from coopcli.formats.feedhtml import text_parts

    lines = [re.sub(" {2,}", " ", line).strip() for line in "".join(text_parts(value)).split("\n")]
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


def one_line(text: str) -> str:
    """Text on one line: each run of whitespace (non-breaking spaces too) one space."""
    return " ".join(text.split())


def tidy(text: str) -> str:
    """Text with its spaces collapsed and lines trimmed, and at most one blank line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [one_line(line) for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def plain_text(
    value: str, kind: str | None, *, exact: bool = False, single_line: bool = False
) -> str | None:
    """A feed's text construct as plain text, or None when it is blank.

    HTML (``kind`` ``text/html`` or ``application/xhtml+xml``) loses its markup. Plain
    text from elsewhere has its entities decoded too (publishers escape twice, and a
    reader shows ``&nbsp;`` as a space) and its whitespace tidied. ``exact`` keeps the
    text of a feed coopcli wrote as it was, so a list read back is the same list.
    """
    html_kind = kind is None or "html" in kind
    text = html_to_text(value) if html_kind else value
    if not exact:
        if not html_kind:
            text = unescape(text)
        text = one_line(text) if single_line else tidy(text)
    return text.strip() or None


#: Titles made from a summary stop at about this many characters.
TITLE_LENGTH = 80
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


def title_from(summary: str) -> str:
    """A title for an entry that has none: its summary's first sentence, shortened."""
    first = one_line(summary.strip().split("\n", 1)[0])
    end = _SENTENCE_END.search(first)
    if end is not None and end.start() <= TITLE_LENGTH:
        first = first[: end.start()]
    if len(first) <= TITLE_LENGTH:
        return first
    cut = first.rfind(" ", 0, TITLE_LENGTH)
    return first[: cut if cut > TITLE_LENGTH // 2 else TITLE_LENGTH].rstrip(" ,;:-") + "\u2026"
