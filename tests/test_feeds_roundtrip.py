"""Property tests: a list exported as a feed reads back as the same items."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli import formats
from coopcli.core.itemtypes import BUILTIN_TYPES, match_type
from coopcli.core.models import Item, NewsFile
from tests.strategies import is_tag, looks_double_encoded

# What XML 1.0 cannot hold is removed on export (tested in test_feeds.py); any other
# text, including markup, entities, "]]>" and non-ASCII, must come back exactly.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
xml_chars = st.characters(exclude_categories=("Cs",)).filter(lambda c: not _XML_FORBIDDEN.match(c))


markup = st.sampled_from(["<b>", "</p>", "&amp;", "&lt;", "]]>", "<![CDATA[", "<script>", "&"])
text = (
    st.lists(st.one_of(st.text(xml_chars, min_size=1, max_size=8), markup), min_size=1)
    .map("".join)
    .map(str.strip)
    .filter(bool)
    .filter(lambda t: not looks_double_encoded(t))
)
tags = st.lists(text.filter(is_tag), max_size=3)
urls = st.builds(
    lambda host, path: f"https://{host}.org/{path}",
    st.from_regex(r"[a-z]{1,10}", fullmatch=True),
    st.from_regex(r"[a-z0-9/]{0,12}", fullmatch=True),
)


@st.composite
def news_files(draw: st.DrawFn) -> NewsFile:
    items = [
        Item(
            id=f"item-{n}",
            type=draw(st.sampled_from(sorted(BUILTIN_TYPES))),
            title=draw(text),
            date=draw(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
            summary=draw(st.none() | text),
            url=draw(st.none() | urls),
            tags=draw(tags),
        )
        for n in range(draw(st.integers(0, 4)))
    ]
    return NewsFile(
        title=draw(text),
        link="https://coop.example.org/news",
        description=draw(text),
        items=items,
    )


def fields(item: Item) -> tuple[object, ...]:
    return (item.type, item.title, item.date, item.summary, item.url, item.tags)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=news_files(), name=st.sampled_from(["rss", "atom", "jsonfeed"]))
def test_export_then_read_gives_the_same_items(doc: NewsFile, name: str) -> None:
    text = formats.writer(name).export(doc)
    result = formats.reader(name).read(text.encode("utf-8"), f"feed.{name}")
    assert result.skipped == 0
    assert result.title == doc.title
    assert result.link == doc.link
    read = [
        Item(
            id=draft.id or "x",
            type=match_type(draft.type or "", BUILTIN_TYPES) or "?",
            title=draft.title or "",
            date=draft.date or dt.date(1, 1, 1),
            summary=draft.summary,
            url=draft.url,
            tags=draft.tags,
        )
        for draft in result.drafts
    ]
    expected = sorted(doc.items, key=lambda i: (i.date, i.id), reverse=True)
    assert [fields(i) for i in read] == [fields(i) for i in expected]
    assert [i.id for i in read] == [i.id for i in expected]
