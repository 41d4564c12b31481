"""Reading RSS, Atom and JSON Feed: publishers' feeds, odd dates, HTML, hostile XML."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from coopcli import formats
from coopcli.core.errors import DataError
from coopcli.formats import Draft, ReadResult, feeds

DATA = Path(__file__).parent / "data" / "feeds"


def read(name: str, data: bytes, source: str = "feed") -> ReadResult:
    result: ReadResult = formats.reader(name).read(data, source)
    return result


def read_file(name: str, file: str) -> ReadResult:
    return read(name, (DATA / file).read_bytes(), file)


def test_rss_from_a_publisher() -> None:
    result = read_file("rss", "publisher.rss")
    assert (result.title, result.link, result.description) == (
        "Cooperatives & the SSE",
        "https://www.example.org/coop",
        "Stories from the field",
    )
    late, two_digit, iso, dublin_core, undated, untitled = result.drafts
    assert (undated.title, undated.date) == ("No date at all", None)
    # An entry without a title is named after its summary, and says so.
    assert (untitled.title, untitled.note) == (
        "No title, skipped.",
        "no title: named after its summary",
    )
    assert late == Draft(
        title="Late evening in New York",
        date=dt.date(2021, 10, 29),  # the publisher's day, not UTC's 30 October
        summary="First paragraph with a bad link.\n\nSecond one.",
        url="https://www.example.org/coop/late",
        tags=["Climate", "Energy"],
        categories=["Statement", "Climate, Energy"],
    )
    assert (two_digit.date, two_digit.url, two_digit.tags) == (
        dt.date(2021, 10, 28),
        None,
        ["asia"],
    )
    assert iso.date == dt.date(2021, 10, 27)
    assert dublin_core.date == dt.date(2021, 10, 26)


def test_atom_from_a_publisher() -> None:
    result = read_file("atom", "publisher.atom")
    assert (result.title, result.link, result.description) == (
        "Cooperatives & the SSE",
        "https://www.example.org/coop",
        "Stories from the field",
    )
    kim, updated_only = result.drafts
    assert kim == Draft(
        title="Spotlight on Sung Ho Kim",
        date=dt.date(2021, 10, 28),  # published, in its own offset
        summary="An interview.\n\nTwo paragraphs.",
        url="https://www.example.org/coop/kim",
        tags=["korea"],
        categories=["Spotlight Interviews with Co-operators", "korea"],
        # Updated after it was published: a correction, kept in UTC.
        updated="2021-10-30T08:00:00Z",
    )
    assert updated_only.updated is None  # no published date: updated is its date
    assert updated_only.date == dt.date(2021, 10, 27)
    assert updated_only.summary == "From the content."


def test_jsonfeed_from_a_publisher() -> None:
    result = read_file("jsonfeed", "publisher.json")
    assert result.title == "Cooperatives & the SSE"
    assert result.kind == "JSON Feed 1.1"
    html, text, microblog, undated, not_an_object = result.drafts
    assert (microblog.title, microblog.date) == ("A microblog post has no title.", None)
    assert (undated.title, undated.date) == ("No date", None)
    assert not_an_object.problem == "not a JSON object"
    assert html == Draft(
        title="HTML content",
        date=dt.date(2021, 10, 29),
        summary="Hello world",
        url="https://www.example.org/coop/one",
        tags=["peru"],
        categories=["champion", "peru"],
    )
    assert (text.summary, text.url, text.date) == (
        "The short text.",
        "https://elsewhere.example.org/two",
        dt.date(2021, 10, 28),
    )


def test_rss_reader_takes_atom_too() -> None:
    result = read_file("rss", "publisher.atom")
    assert len(result.drafts) == 2
    assert result.kind == "Atom 1.0"


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>&secret;</title><link>https://a.org/</link>
<description>d</description></channel></rss>"""

BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>"""


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_external_entities_are_refused(name: str) -> None:
    with pytest.raises(DataError) as info:
        read(name, XXE, "evil.xml")
    assert str(info.value) == (
        "evil.xml: refused: the feed declares XML entities "
        "(entity expansion and external entities are never processed)"
    )


@pytest.mark.parametrize("name", ["rss", "atom"])
def test_entity_bomb_is_refused_quickly(name: str) -> None:
    start = time.perf_counter()
    with pytest.raises(DataError, match="refused: the feed declares XML entities"):
        read(name, BOMB, "bomb.xml")
    assert time.perf_counter() - start < 1


def test_external_dtd_is_not_fetched() -> None:
    # An old RSS 0.91 doctype: allowed, but never loaded.
    data = b"""<?xml version="1.0"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://127.0.0.1:9/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old</title><link>https://a.org/</link>
<description>d</description><language>en</language>
<item><title>One</title><link>https://a.org/1</link></item></channel></rss>"""
    result = read("rss", data)
    assert (result.title, result.kind) == ("Old", "RSS 0.91 (Netscape)")
    assert [(d.title, d.date) for d in result.drafts] == [("One", None)]  # 0.91 has no dates


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title>',
            "broken.rss:2:45: not well-formed XML: no element found",
        ),
        (
            # Not UTF-8 as declared: read as Windows-1252, and still cut short.
            b'<?xml version="1.0" encoding="utf-8"?>\n<rss><channel><title>\xff\xfe</title>',
            "broken.rss:2:32: not well-formed XML: no element found",
        ),
        (b"", "broken.rss: empty, not a feed"),
        (b" \n", "broken.rss: empty, not a feed"),
        (b"<html><body>Hello</body></html>", "broken.rss: not an RSS or Atom feed"),
    ],
)
def test_broken_xml_names_the_position(data: bytes, message: str) -> None:
    with pytest.raises(DataError) as info:
        read("rss", data, "broken.rss")
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b'{"version": "https://jsonfeed.org/version/1.1",\n "items": [',
            "f.json:2:12: invalid JSON",
        ),
        (b'{"title": "x", "items": []}', "f.json: not a JSON Feed"),
        (b"[1, 2]", "f.json: not a JSON Feed"),
        (
            b'{"version": "https://jsonfeed.org/version/1", "items": {}}',
            "f.json: JSON Feed without an 'items' array",
        ),
        (b'{"a": "\xff"}', "f.json: not valid UTF-8 at byte 7"),
    ],
)
def test_broken_jsonfeed_is_refused(data: bytes, message: str) -> None:
    with pytest.raises(DataError, match="^" + message.replace("[", r"\[")):
        read("jsonfeed", data, "f.json")


@pytest.mark.parametrize(
    ("raw", "day"),
    [
        ("Fri, 29 Oct 2021 10:00:00 +0000", dt.date(2021, 10, 29)),
        ("Fri, 29 Oct 2021 23:59:59 -0800", dt.date(2021, 10, 29)),
        ("Sat, 30 Oct 2021 00:30:00 +1400", dt.date(2021, 10, 30)),
        ("29 Oct 2021 10:00 GMT", dt.date(2021, 10, 29)),
        ("Fri, 29 Oct 21 10:00:00 EDT", dt.date(2021, 10, 29)),
        ("Fri, 29 October 2021 10:00:00 UT", dt.date(2021, 10, 29)),
        ("Friday, 29 Oct 2021 10:00:00 Z", dt.date(2021, 10, 29)),
        ("Fri,29 Oct 2021 10:00:00 +0000", dt.date(2021, 10, 29)),
        ("Mon, 01 Jan 0001 00:00:00 +0000", dt.date(1, 1, 1)),
        ("Fri, 31 Dec 9999 00:00:00 +0000", dt.date(9999, 12, 31)),
        ("2021-10-29T23:30:00-05:00", dt.date(2021, 10, 29)),
        ("2021-10-29T10:00:00.123456Z", dt.date(2021, 10, 29)),
        ("2021-10-29t10:00:00z", dt.date(2021, 10, 29)),
        ("2021-10-29 10:00:00+02:00", dt.date(2021, 10, 29)),
        ("2021-10-29", dt.date(2021, 10, 29)),
        ("0001-01-01T00:00:00Z", dt.date(1, 1, 1)),
    ],
)
def test_feed_dates(raw: str, day: dt.date) -> None:
    assert feeds.parse_date(raw) == day


def test_unreadable_dates_fall_back_or_give_none() -> None:
    fallback = time.struct_time((2021, 10, 29, 0, 0, 0, 4, 302, 0))
    assert feeds.parse_date("sometime last week", fallback) == dt.date(2021, 10, 29)
    assert feeds.parse_date("2021-02-30T00:00:00Z") is None
    assert feeds.parse_date("Mon, 30 Feb 2021 00:00:00 GMT") is None
    assert feeds.parse_date(None) is None


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("plain &amp; simple &lt;b&gt;", "plain & simple <b>"),
        ("  keeps  its\n spacing  ", "  keeps  its\n spacing  "),
        ("<p>One</p><p>Two<br>lines</p>", "One\n\nTwo\nlines"),
        ('<a href="javascript:alert(1)">click</a> me', "click me"),
        ("<script>alert(1)</script><style>p{}</style>Text", "Text"),
        ("<b>bold</b>&nbsp;and <i>it</i>", "bold and it"),
        ("<ul><li>a</li><li>b</li></ul>", "a\n\nb"),
        ("<p>broken <b>markup", "broken markup"),
        ("<img src=x onerror=alert(1)>", ""),
    ],
)
def test_html_to_text(html: str, text: str) -> None:
    assert feeds.html_to_text(html) == text


def test_clean_url() -> None:
    assert feeds.clean_url("https://a.org/x") == "https://a.org/x"
    assert feeds.clean_url(" http://a.org ") == "http://a.org"
    for bad in ("javascript:alert(1)", "/relative", "ftp://a.org/", "", None, 3, "https://a b"):
        assert feeds.clean_url(bad) is None


def test_categories_split_type_from_tags() -> None:
    ours = feeds.split_categories([("news", feeds.TYPE_SCHEME), ("peru", None)])
    assert (ours.type, ours.tags, ours.categories) == ("news", ["peru"], [])
    theirs = feeds.split_categories([("COOP Champion", None), ("a; b", None), ("", None)])
    assert theirs.type is None
    assert theirs.tags == ["a", "b"]
    assert theirs.categories == ["COOP Champion", "a; b"]


def test_guid_keeps_the_item_id() -> None:
    guid = feeds.guid("https://a.org", "2021-10-29-x")
    assert guid == "https://a.org/#2021-10-29-x"
    assert feeds.item_id_from_guid(guid) == "2021-10-29-x"
    assert feeds.guid("https://a.org/news?p=1#top", "x") == "https://a.org/news?p=1#x"
    assert feeds.item_id_from_guid("https://a.org/post/1") is None
    assert feeds.item_id_from_guid(None) is None
