"""Hypothesis strategies shared by the round-trip tests: any valid list of items."""

from __future__ import annotations

import datetime as dt
import re

from hypothesis import strategies as st

from coopcli.core.models import Item, NewsFile
from coopcli.core.rules import TAG_PATTERN

# Any text at all except surrogates (which no UTF-8 file can hold), trimmed as the
# models trim it.
text = st.text(st.characters(exclude_categories=("Cs",)), min_size=1).map(str.strip).filter(bool)
# Text that spreadsheets and markup care about, so it comes up often.
tricky = st.sampled_from(
    ["=1+2", "+33 1 23", "-5 degrees", "@SUM(A1)", "'quoted", "a, b", 'say "hi"', "<b>&amp;</b>"]
)
texts = text | tricky | st.builds(lambda a, b: f"{a}\n{b}", text, text)


def is_tag(name: str) -> bool:
    """Whether the models take `name` as a tag (no separator, no control character)."""
    return re.fullmatch(TAG_PATTERN, name) is not None


def looks_double_encoded(text: str) -> bool:
    """Text that feedparser "repairs" as UTF-8 read as Latin-1 ("Â¡" becomes "¡").

    A known feedparser behaviour for RSS and Atom, documented in the README; such
    text is almost always mojibake, and JSON Feed keeps it as it is.
    """
    try:
        return text.encode("iso-8859-1").decode("utf-8") != text
    except UnicodeError:
        return False


tags = st.lists(text.filter(is_tag), max_size=3)
urls = st.builds(
    lambda host, path: f"https://{host}.org/{path}",
    st.from_regex(r"[a-z]{1,10}", fullmatch=True),
    st.from_regex(r"[a-z0-9/]{0,12}", fullmatch=True),
)
TYPES = ["news", "spotlight", "champion", "statement", "story"]


ZONES = ["Europe/Zurich", "America/New_York", "Asia/Kolkata", "UTC"]


@st.composite
def embargoes(draw: st.DrawFn) -> str:
    """A stored embargo (RFC 9557: offset and zone), at a time that exists once."""
    from zoneinfo import ZoneInfo

    zone = draw(st.sampled_from(ZONES))
    local = draw(st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2060, 1, 1)))
    moment = local.replace(microsecond=0, tzinfo=ZoneInfo(zone))
    return moment.isoformat() + f"[{zone}]"


updated_stamps = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2060, 1, 1)).map(
    lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")
)


@st.composite
def items(draw: st.DrawFn, n: int, editorial: bool = False) -> Item:
    """Any valid item; with ``editorial``, drafts, embargoes and corrections too."""
    return Item(
        id=f"item-{n}",
        type=draw(st.sampled_from(TYPES)),
        title=draw(texts),
        date=draw(st.dates(dt.date(1, 1, 1), dt.date(9999, 12, 31))),
        summary=draw(st.none() | texts),
        url=draw(st.none() | urls),
        tags=draw(tags),
        draft=draw(st.booleans()) if editorial else False,
        embargo=draw(st.none() | embargoes()) if editorial else None,
        updated=draw(st.none() | updated_stamps) if editorial else None,
    )


@st.composite
def news_files(draw: st.DrawFn, max_items: int = 6, editorial: bool = False) -> NewsFile:
    """A list whose items differ in title or date (import skips the others as duplicates)."""
    count = draw(st.integers(0, max_items))
    chosen: list[Item] = []
    keys = set()
    for n in range(count):
        item = draw(items(n, editorial))
        key = (item.title.casefold(), item.date)
        if key not in keys:
            keys.add(key)
            chosen.append(item)
    return NewsFile(title=draw(st.none() | text), items=chosen)
