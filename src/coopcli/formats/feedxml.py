"""Reading RSS (0.9x, 1.0, 2.0), Atom (0.3, 1.0) and CDF with feedparser.

feedparser does the parsing: its encoding detection (a BOM, the HTTP charset, the XML
declaration, then fallbacks), its tolerance of what real publishers serve (HTML
entities such as ``&nbsp;``, broken markup) and its normalised entries. Before it,
:func:`guard` refuses what no feed needs and an attacker would: external entities,
entities built from other entities (the "billion laughs"), and input past a size
limit. After it, :func:`read_xml` turns each entry into a plain-text
:class:`~coopcli.formats.Draft`, and says in warnings what was wrong but still read.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coopcli.core.errors import DataError
from coopcli.formats import feeds
from coopcli.formats.encodings import decode_start

if TYPE_CHECKING:
    from coopcli.formats import Draft, ReadResult

#: How far entity declarations may expand a document, all references counted.
MAX_EXPANSION = 1024 * 1024
#: How much of a document may come before its root element (XML declaration,
#: comments, processing instructions, the DOCTYPE).
MAX_PROLOG = 1024 * 1024

#: feedparser's version names, as people know the formats.
VERSIONS = {
    "rss090": "RSS 0.90",
    "rss091n": "RSS 0.91 (Netscape)",
    "rss091u": "RSS 0.91 (UserLand)",
    "rss092": "RSS 0.92",
    "rss093": "RSS 0.93",
    "rss094": "RSS 0.94",
    "rss10": "RSS 1.0 (RDF)",
    "rss20": "RSS 2.0",
    "rss": "RSS with no version given",
    "atom01": "Atom 0.1",
    "atom02": "Atom 0.2",
    "atom03": "Atom 0.3",
    "atom10": "Atom 1.0",
    "atom": "Atom with no version given",
    "cdf": "CDF",
}


@dataclass(frozen=True)
class Prolog:
    """What comes before a document's root element."""

    #: The DOCTYPE's internal subsets (where entities are declared), in order.
    subsets: tuple[str, ...]
    #: The root element's qualified name, or None when no element starts the document.
    root: str | None
    #: Where the root element's start tag begins in the text.
    at: int = 0


_SPACE = re.compile(r"\s*")
_NAME = re.compile(r"<([A-Za-z_][\w.:-]*)")


def _doctype_end(text: str, start: int) -> tuple[int, str]:
    """The position after a DOCTYPE starting at ``start``, and its internal subset."""
    i, depth, quote, opened = start + len("<!DOCTYPE"), 0, "", -1
    subset: list[str] = []
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
        elif depth and text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            i = len(text) if end < 0 else end + 2
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
            opened = i + 1 if depth == 1 else opened
        elif char == "]" and depth:
            depth -= 1
            if depth == 0:
                subset.append(text[opened:i])
        elif char == ">" and not depth:
            return i + 1, "".join(subset)
        i += 1
    if opened >= 0 and depth:
        subset.append(text[opened:])
    return len(text), "".join(subset)


def scan_prolog(text: str) -> Prolog:
    """Skip the XML declaration, comments, processing instructions and the DOCTYPE.

    A comment may hold anything that looks like a tag (feedparser's own test files
    start with one saying what they test); only the first real element is the root.
    """
    pos = 1 if text.startswith("\ufeff") else 0
    subsets: list[str] = []
    while True:
        pos = _SPACE.match(text, pos).end()  # type: ignore[union-attr]
        if text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            pos = len(text) if end < 0 else end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            pos = len(text) if end < 0 else end + 3
        elif text.startswith("<!DOCTYPE", pos):
            pos, subset = _doctype_end(text, pos)
            if subset:
                subsets.append(subset)
        elif match := _NAME.match(text, pos):
            return Prolog(tuple(subsets), match.group(1), pos)
        else:
            return Prolog(tuple(subsets), None, pos)


_ENTITY = re.compile(
    r"<!ENTITY\s+(%\s+)?([^\s\"'>]+)\s+(?:(SYSTEM|PUBLIC)\b|\"([^\"]*)\"|'([^']*)')"
)
_CHAR_REF = re.compile(r"&#(?:\d+|x[0-9A-Fa-f]+);")
_REFUSED = (
    "refused: the feed declares XML entities (entity expansion and external entities "
    "are never processed)"
)


def guard(data: bytes, source: str) -> Prolog:
    """Refuse a document too large, or one whose entity declarations are unsafe.

    Safe are the declarations feedparser itself keeps: an entity whose value is plain
    text or one character reference. External entities (``SYSTEM``, ``PUBLIC``) and
    entities whose values hold other references (how an expansion bomb is built) are
    refused, and so are plain ones that would expand the document past a limit.
    """
    if len(data) > feeds.MAX_BYTES:
        raise DataError(
            f"{source}: too large to read as a feed ({len(data):,} bytes; "
            f"the limit is {feeds.MAX_BYTES:,})"
        )
    text = decode_start(data, MAX_PROLOG)
    prolog = scan_prolog(text)
    if prolog.root is None and len(data) > MAX_PROLOG and "<!DOCTYPE" in text:
        raise DataError(f"{source}: refused: a DOCTYPE longer than {MAX_PROLOG:,} bytes")
    expansion = 0
    whole = ""
    for subset in prolog.subsets:
        for match in _ENTITY.finditer(subset):
            parameter, name, external = match.group(1), match.group(2), match.group(3)
            value = match.group(4) if match.group(4) is not None else match.group(5)
            if external or parameter or value is None:
                raise DataError(f"{source}: {_REFUSED}")
            if ("&" in value or "%" in value) and not _CHAR_REF.fullmatch(value):
                raise DataError(f"{source}: {_REFUSED}")
            # Every reference after the prolog, to the end, expands it.
            whole = whole or decode_start(data, len(data))
            expansion += len(value) * whole.count(f"&{name};", prolog.at)
    if expansion > MAX_EXPANSION:
        raise DataError(f"{source}: {_REFUSED}")
    return prolog


def _http_charset(content_type: str | None) -> str | None:
    if not content_type:
        return None
    for part in content_type.split(";")[1:]:
        key, _, value = part.partition("=")
        if key.strip().lower() == "charset" and value.strip().strip("\"'"):
            return value.strip().strip("\"'")
    return None


def _parse(data: bytes, charset_header: str | None) -> Any:
    import feedparser

    # A str or bytes argument may be taken for a file name or URL and opened: only
    # ever a stream. Not sanitised: every value becomes plain text here, which drops
    # all markup, and the sanitiser would eat a plain-text title such as "<b>".
    headers = {"content-type": charset_header} if charset_header else None
    return feedparser.parse(
        io.BytesIO(data),
        response_headers=headers,
        sanitize_html=False,
        resolve_relative_uris=False,
    )


_OVERRIDE = re.compile(r"declared as (\S+), but parsed as (\S+)")
_DECLARATION = re.compile(rb"^<\?xml[^>]*?\?>")


def _known(encoding: str) -> bool:
    try:
        codecs.lookup(encoding)
    except LookupError:
        return False
    return True


def _utf8_text(data: bytes, declared: str) -> tuple[bytes, int]:
    """The document decoded as declared, bad bytes replaced; as UTF-8, and how many."""
    text = data.decode(declared, errors="replace").lstrip("\ufeff")
    replaced = text.count("\ufffd") - data.decode(declared, errors="ignore").count("\ufffd")
    body = text.encode("utf-8")
    declaration = b"<?xml version='1.0' encoding='utf-8'?>"
    if _DECLARATION.match(body):
        return _DECLARATION.sub(declaration, body, count=1), replaced
    return declaration + body, replaced


def _has_utf8_sequences(data: bytes) -> bool:
    """Whether the bytes hold valid multi-byte UTF-8 (so they are UTF-8 with flaws)."""
    text = data.decode("utf-8", errors="replace")
    return any(ord(char) > 0x7F and char != "\ufffd" for char in text)


def parse(data: bytes, source: str, content_type: str | None = None) -> tuple[Any, list[str]]:
    """feedparser's reading of ``data``, and warnings about its encoding.

    A document that is not in the encoding it declares is read in that encoding with
    the bad bytes replaced (U+FFFD), and a warning; except one declared as UTF-8 that
    holds no UTF-8 at all, which is read in feedparser's fallback (Windows-1252), the
    usual mistake of a publisher saving Latin text and declaring UTF-8.
    """
    from feedparser.exceptions import CharacterEncodingOverride

    charset = _http_charset(content_type)
    parsed = _parse(data, content_type if charset else None)
    problem = parsed.get("bozo_exception")
    if not isinstance(problem, CharacterEncodingOverride):
        return parsed, []
    found = _OVERRIDE.search(str(problem))
    if found is None:  # pragma: no cover - feedparser's own message
        return parsed, [f"{source}: {problem}"]
    declared, used = found.groups()
    where = "the HTTP header" if charset else "the document"
    if not _known(declared):
        return parsed, [f"{source}: unknown encoding {declared!r} in {where}; read as {used}"]
    if codecs.lookup(declared).name == "utf-8" and not _has_utf8_sequences(data):
        return parsed, [
            f"{source}: not UTF-8 as {where} declares; read as {used} (check any accented letters)"
        ]
    body, replaced = _utf8_text(data, declared)
    plural = "byte is" if replaced == 1 else "bytes are"
    warning = f"{source}: {replaced} {plural} not valid {declared} as {where} declares; "
    return _parse(body, None), [warning + "each is shown as \ufffd"]


def _position(problem: Any, declared: bool) -> str:
    """``:line:column`` of a parse error in the original document."""
    try:
        line, column = int(problem.getLineNumber()), int(problem.getColumnNumber())
    except (AttributeError, TypeError, ValueError):
        return ""
    # feedparser puts an XML declaration on a line of its own before a document
    # that had none.
    return f":{line if declared else max(1, line - 1)}:{column + 1}"


def _xml_problem(parsed: Any, data: bytes) -> tuple[str, str] | None:
    """Where the document is not well-formed XML, and why; None when it is."""
    from xml.sax import SAXParseException

    problem = parsed.get("bozo_exception")
    if not isinstance(problem, SAXParseException):
        return None
    declared = decode_start(data, 16).lstrip("\ufeff").startswith("<?xml")
    return _position(problem, declared), str(problem.getMessage())


def _date(mapping: object, *names: str) -> Any:
    for name in names:
        day = feeds.parse_date(feeds._get(mapping, name), feeds._get(mapping, f"{name}_parsed"))
        if day is not None:
            return day
    return None


def _kind(detail: object, value: str) -> str:
    kind = feeds._get(detail, "type")
    # feedparser keeps the type of the text construct it read last under title_detail,
    # which can be a nested one (an <image>'s title); the value decides then.
    if feeds._get(detail, "value") != value or not isinstance(kind, str):
        return "text/html" if feeds.looks_like_html(value) else "text/plain"
    return kind


def _text(
    mapping: object, name: str, *, exact: bool, kind: str | None = None, single_line: bool = False
) -> str | None:
    value = feeds._get(mapping, name)
    detail = feeds._get(mapping, f"{name}_detail")
    if not isinstance(value, str):
        value = feeds._get(detail, "value")
    if not isinstance(value, str):
        return None
    return feeds.plain_text(
        value, kind or _kind(detail, value), exact=exact, single_line=single_line
    )


def _entry(entry: object, *, ours: bool, rss: bool, link: str | None) -> Draft:
    from coopcli.formats import Draft

    # A coopcli title is plain text (a title "<b>" is those three characters); RSS
    # does not say, so feedparser's guess stands for anyone else's.
    title_kind = "text/plain" if rss and ours else None
    html_kind = "text/html" if rss else None
    title = _text(entry, "title", exact=ours, kind=title_kind, single_line=not ours)
    summary = _text(entry, "summary", exact=ours, kind=html_kind)
    content = feeds._get(entry, "content")
    if summary is None and isinstance(content, list) and content:
        value = feeds._get(content[0], "value")
        if isinstance(value, str):
            summary = feeds.plain_text(value, _kind(content[0], value), exact=ours)
    note = None
    if title is None and summary is not None:
        title, note = feeds.title_from(summary), "no title: named after its summary"
    url = feeds.clean_url(feeds._get(entry, "link"))
    if url is not None and url in (link, feeds.DEFAULT_LINK):
        url = None  # coopcli links items without a URL of their own to the list
    sorted_out = feeds.split_categories(
        (feeds._get(tag, "term") or feeds._get(tag, "label") or "", feeds._get(tag, "scheme"))
        for tag in feeds._get(entry, "tags") or []
    )
    typed = sorted_out.type is not None and not sorted_out.categories
    return Draft(
        title=title,
        date=_date(entry, "published", "updated", "created"),
        type=sorted_out.type,
        summary=summary,
        url=url,
        tags=sorted_out.tags,
        categories=sorted_out.categories,
        id=feeds.item_id_from_guid(feeds._get(entry, "id")) if typed else None,
        problem=None if title else "no title, and no summary to name it after",
        note=note,
        updated=feeds.correction(feeds._get(entry, "published"), feeds._get(entry, "updated")),
    )


def read_xml(data: bytes, source: str, content_type: str | None = None) -> ReadResult:
    """Read an RSS, Atom or CDF feed (any version feedparser knows) into drafts.

    ``content_type`` is the HTTP header of a fetched feed: its charset, if any,
    overrides the XML declaration (RFC 7303).
    """
    from coopcli.formats import ReadResult

    prolog = guard(data, source)
    if not data.strip():
        raise DataError(f"{source}: empty, not a feed")
    parsed, warnings = parse(data, source, content_type)
    version = str(parsed.get("version") or "")
    if not version and prolog.root is not None and prolog.root.lower() == "channel":
        version = "cdf"
    problem = _xml_problem(parsed, data)
    if not parsed.entries:
        if problem is not None:
            where, why = problem
            raise DataError(f"{source}{where}: not well-formed XML: {why}")
        if not version:
            raise DataError(f"{source}: not an RSS or Atom feed")
    if problem is not None and problem[1] != "undefined entity":
        # HTML entities such as &nbsp; are everyday feed content, not worth a word.
        where, why = problem
        warnings.append(
            f"{source}{where}: not well-formed XML ({why}); read as a feed reader would"
        )
    feed = parsed.feed
    generator = feeds._get(feed, "generator")
    ours = isinstance(generator, str) and generator.startswith("coopcli")
    rss = version.startswith("rss")
    link = feeds.clean_url(feeds._get(feed, "link"))
    title_kind = "text/plain" if rss and ours else None
    result = ReadResult(
        drafts=[],
        title=_text(feed, "title", exact=ours, kind=title_kind, single_line=not ours),
        link=link,
        description=_text(feed, "subtitle", exact=ours, kind="text/html" if rss else None),
        kind=VERSIONS.get(version, "XML with feed entries"),
        warnings=warnings,
        updated=_date(feed, "updated", "published"),
    )
    for entry in parsed.entries:
        result.drafts.append(_entry(entry, ours=ours, rss=rss, link=link))
    return result
