"""An import into an indexed list checks plain entries without the models, and gives
what the models give: the same items, the same report, the same bytes on disk."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli import importer
from coopcli.core.errors import CoopError
from coopcli.core.models import Item, NewsFile
from coopcli.core.view import to_data
from coopcli.formats import Draft, ReadResult
from coopcli.newslist import NewsList

TEXTS = st.one_of(
    st.none(),
    st.sampled_from(
        [
            "",
            " ",
            "Budget",
            " Budget ",
            "Line\nbreak",
            "Tab\there",
            "Ünïcode tête",
            'Say "hi"',
            "x" * 600,
            "bell\x07",
            "nbsp\u00a0end",
        ]
    ),
    st.text(max_size=12),
)
URLS = st.one_of(
    st.none(),
    st.sampled_from(
        ["", "https://www.ilo.org/x", "http://a.example/ä", "ftp://x.org", "www.ilo.org", " x"]
    ),
)
TAGS = st.lists(
    st.sampled_from(["asia", "Asia", "sse, climate", "a;b", " ", "", "new tag", "ü"]),
    max_size=3,
)
drafts = st.builds(
    Draft,
    title=TEXTS,
    date=st.one_of(st.none(), st.dates(dt.date(2020, 12, 30), dt.date(2021, 1, 3))),
    type=st.sampled_from([None, "news", "News", "statement", "nothing"]),
    summary=TEXTS,
    url=URLS,
    tags=TAGS,
    id=st.sampled_from([None, "2021-01-01-budget", "Bad id", "x" * 200, "fresh-id"]),
    draft=st.booleans(),
    embargo=st.sampled_from([None, "2030-01-01"]),
)


@settings(max_examples=400, deadline=None)
@given(entries=st.lists(drafts, max_size=5), skip_invalid=st.booleans())
def test_plain_entries_become_what_the_models_make(
    entries: list[Draft], skip_invalid: bool
) -> None:
    results = [("feed.json", ReadResult(entries))]

    def run(plain: bool) -> tuple[object, ...]:
        doc = NewsFile()
        head = importer.ListHead(None, None, None, {})
        try:
            report = importer.merge(
                head if plain else doc,
                results,
                skip_invalid=skip_invalid,
                known=(importer._Set(set()), importer._Dict()),
                plain=plain,
            )
        except CoopError as exc:
            return ("error", str(exc), getattr(exc, "problems", None))
        return (
            [to_data(item) for item in report.added],
            [str(s) for s in report.invalid],
            [str(s) for s in report.duplicates],
            [str(s) for s in report.notes],
            report.summary(),
        )

    assert run(plain=True) == run(plain=False)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(entries=st.lists(drafts, max_size=4), fmt=st.sampled_from(["toml", "json"]))
def test_an_import_into_an_indexed_list_writes_the_bytes_of_a_full_rewrite(
    entries: list[Draft], fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        fast, full = Path(tmp) / f"fast.{fmt}", Path(tmp) / f"full.{fmt}"
        for path in (fast, full):
            news = NewsList.open(path)
            for n in range(1, 4):
                news.add(type="news", title=f"Item {n}", date=f"2021-01-0{n}")
        fast_list = NewsList.open(fast)
        fast_list.meta()  # the index is there, as in daily use
        results = [("feed.json", ReadResult(list(entries)))]

        def outcome(news: NewsList) -> object:
            try:
                report = news.import_(results, skip_invalid=True)
            except CoopError as exc:
                return ("error", str(exc))
            return ([to_data(item) for item in report.added], report.summary())

        fast_outcome = outcome(fast_list)
        os.environ["COOPCLI_NO_INDEX"] = "1"
        try:
            full_outcome = outcome(NewsList.open(full))
        finally:
            del os.environ["COOPCLI_NO_INDEX"]
        assert fast_outcome == full_outcome
        assert fast.read_bytes() == full.read_bytes()
        assert all(isinstance(item, Item) for item in NewsList.open(full).load().items)
