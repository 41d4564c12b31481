"""Exports and ``check`` a batch of items at a time: the bytes of the whole-file path,
in bounded memory.

Each export format writes a list whole (``export``) or in batches (``export_stream``);
``check`` reads a file whole (``check_data``) or a block at a time (``check_file``).
The properties below say the two give the same, whatever the items, the batch size
and the problems of the file; the last tests run the real command on a few thousand
items and check that its peak memory does not grow with the list.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli import formats
from coopcli.core import query
from coopcli.core.errors import UsageError
from coopcli.core.models import Item, NewsFile
from coopcli.core.query import FilterArgs
from coopcli.core.rules import Limits
from coopcli.core.view import ItemView, Listing, head_data, to_data
from coopcli.formats import streaming as batching
from coopcli.newslist import NewsList
from coopcli.storage import blocks
from coopcli.storage.check import check_data, check_file
from coopcli.storage.store import Store
from coopcli.storage.streaming import NotStreamable, read_blocks
from tests.conftest import ROOT
from tests.strategies import news_files, text, texts

EXPORTS = formats.names(exports=True)
TODAY = dt.date(2021, 10, 29)


def _ordered(items: Sequence[ItemView], order: str) -> list[ItemView]:
    if order == batching.STORED:
        return sorted(items, key=lambda item: (item.date, item.id))
    if order == batching.NEWEST:
        return query.sort(items)
    assert order == batching.LATEST
    return sorted(items, key=lambda item: (item.date, item.id), reverse=True)


def _batches(items: Sequence[ItemView], size: int) -> batching.Batches:
    """Batches of ``size`` items in the order asked, as the index gives them."""

    def batches(order: str) -> Iterator[list[ItemView]]:
        ordered = _ordered(items, order)
        for start in range(0, len(ordered), size):
            yield ordered[start : start + size]

    return batches


def _streamed(name: str, doc: Listing, size: int) -> str:
    parts: list[str] = []
    metadata = batching.with_items(doc, ())
    formats.writer(name).export_stream(metadata, _batches(doc.items, size), parts.append)
    return "".join(parts)


# Metadata that could be mistaken for where the items start or end.
AWKWARD = [
    '\n    <li class="items">\n   </ol>',
    '<ol class="items">',
    "\n    <item>\n  </channel>",
    "\n  <entry>\n</feed>",
    '\n    {\n  ]\n}"',
    "\n[[items]]\n",
    "a\r\nb",
]
awkward = st.sampled_from(AWKWARD)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    news=news_files(max_items=9, editorial=True),
    name=st.sampled_from(EXPORTS),
    size=st.integers(1, 4),
    description=st.none() | texts | awkward,
    link=st.none() | st.just("https://example.org/news?a=1&b=2"),
    types=st.sampled_from([{}, {"memo": "Memo & <co>"}, {"news": "Tidings"}]),
)
def test_a_streamed_export_is_the_whole_export(
    news: NewsFile,
    name: str,
    size: int,
    description: str | None,
    link: str | None,
    types: dict[str, str],
) -> None:
    doc = Listing(news.title, link, description, types, news.items)
    assert _streamed(name, doc, size) == formats.writer(name).export(doc)


@pytest.mark.parametrize("name", EXPORTS)
@pytest.mark.parametrize("text", AWKWARD)
def test_metadata_never_passes_for_items(name: str, text: str) -> None:
    news = NewsFile(
        items=[
            Item(id=f"i-{n}", type="news", title=f"T {n}", date=f"2021-10-0{n}", url=None)
            for n in range(1, 5)
        ]
    )
    doc = Listing(text, "https://example.org/", text, {"memo": text}, news.items)
    assert _streamed(name, doc, 1) == formats.writer(name).export(doc)


@pytest.mark.parametrize("name", EXPORTS)
def test_an_empty_streamed_export_is_the_whole_export(name: str) -> None:
    doc = Listing("News", None, None, {}, [])
    assert _streamed(name, doc, 3) == formats.writer(name).export(doc)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    news=news_files(max_items=8, editorial=True),
    name=st.sampled_from(EXPORTS),
    include_drafts=st.booleans(),
    since=st.none() | st.sampled_from(["2000", "1500-06"]),
    at=st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2060, 1, 1), timezones=st.just(dt.UTC)),
    data=st.data(),
)
def test_a_list_exported_in_batches_is_the_list_exported_whole(
    tmp_path_factory: pytest.TempPathFactory,
    news: NewsFile,
    name: str,
    include_drafts: bool,
    since: str | None,
    at: dt.datetime,
    data: st.DataObject,
) -> None:
    path = tmp_path_factory.mktemp("export") / "news.toml"
    path.write_text(
        formats.codec("toml").dump({**head_data(news), "items": _raw_items(news)}),
        encoding="utf-8",
    )
    # A search: for a word of some item's title, a word that most items lack, or a
    # word to leave out (the export keeps the matching items in its own order).
    words = sorted({word for item in news.items for word in item.title.split()})
    query = data.draw(
        st.none()
        | st.sampled_from(["news", "-news", "tag:a", "zzzz"])
        | (st.sampled_from(words) if words else st.nothing())
    )
    listed = NewsList.open(path)
    filters = FilterArgs(since=since)
    try:
        whole = listed.export(name, filters, query=query, include_drafts=include_drafts, at=at)
    except UsageError:  # a word that is no query (punctuation alone)
        return
    streamed = listed.export_stream(
        name, filters, query=query, include_drafts=include_drafts, at=at
    )
    parts: list[str] = []
    assert streamed.write(parts.append) == whole.count
    assert "".join(parts) == whole.text
    assert streamed.warnings == whole.warnings


# check --------------------------------------------------------------------------------


def _raw_items(news: NewsFile) -> list[dict[str, Any]]:
    return [to_data(item) for item in sorted(news.items, key=lambda i: (i.date, i.id))]


#: What can be wrong with an item, as a change to its stored data.
def _break(kind: str, entry: dict[str, Any], other: dict[str, Any]) -> None:
    if kind == "type":
        entry["type"] = "no-such-type"
    elif kind == "date":
        entry["date"] = "2021-02-30"
    elif kind == "future":
        entry["date"] = dt.date(2099, 1, 1)
    elif kind == "duplicate-id":
        entry["id"] = other["id"]
    elif kind == "same-title-and-date" and "title" in other:
        entry["title"], entry["date"] = other["title"], other["date"]
    elif kind == "unknown-field":
        entry["colour"] = "blue"
    elif kind == "no-title":
        entry.pop("title", None)
    elif kind == "url":
        entry["url"] = "ftp://example.org/x"
    elif kind == "tag":
        entry["tags"] = ["fine", "not fine;"]
    elif kind == "tags-not-a-list" and "tags" in entry:
        entry["tags"] = "one"
    elif kind == "long":
        entry["title"] = "x" * 400


BREAKS = [
    "type",
    "date",
    "future",
    "duplicate-id",
    "same-title-and-date",
    "unknown-field",
    "no-title",
    "url",
    "tag",
    "tags-not-a-list",
    "long",
]
#: Changes to a file's bytes: some keep it streamable, the others make it read whole.
LAYOUTS = [
    "canonical",
    "comments",
    "crlf",
    "bom",
    "table-after",
    "conflict",
    "syntax",
    "header-in-text",
]


def _lay_out(data: bytes, layout: str, format: str) -> bytes:
    if layout == "comments" and format == "toml":
        return data.replace(b"\n[[items]]\n", b"\n# a comment\n[[items]]\n  # another\n")
    if layout == "crlf":
        return data.replace(b"\n", b"\r\n")
    if layout == "bom":
        return b"\xef\xbb\xbf" + data
    if layout == "table-after" and format == "toml":
        return data + b'\n[types]\nmemo = "Memo"\n'
    if layout == "conflict":
        return data.replace(b"\n", b"\n<<<<<<< ours\n", 1)
    if layout == "syntax":
        return data[: len(data) * 2 // 3]
    if layout == "header-in-text" and format == "toml":
        # A multi-line string holding a header line: a byte search cuts the item there.
        first = data.find(b"\n[[items]]\n")
        second = data.find(b"\n[[items]]\n", first + 1)
        if second >= 0:
            return data[:second] + b'\nnote = """\n[[items]]\n"""' + data[second:]
    return data


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    news=news_files(max_items=8, editorial=True),
    format=st.sampled_from(["toml", "json"]),
    breaks=st.lists(st.tuples(st.sampled_from(BREAKS), st.integers(0, 7), st.integers(0, 7))),
    layout=st.sampled_from(LAYOUTS),
    vocabulary=st.booleans(),
    run=st.integers(1, 5),
)
def test_checking_a_block_at_a_time_finds_what_checking_whole_finds(
    tmp_path_factory: pytest.TempPathFactory,
    news: NewsFile,
    format: str,
    breaks: list[tuple[str, int, int]],
    layout: str,
    vocabulary: bool,
    run: int,
) -> None:
    # ``run``: how many blocks are parsed at once (64 in use; fewer here, so that a
    # file of a few items is read in several runs).
    raw = _raw_items(news)
    for kind, at, other in breaks:
        if raw:
            _break(kind, raw[at % len(raw)], raw[other % len(raw)])
    head: dict[str, Any] = {"version": 1}
    if vocabulary:
        head["tags"] = {"fine": "A tag that is fine"}
    path = tmp_path_factory.mktemp("check") / f"news.{format}"
    data = formats.codec(format).dump({**head, "items": raw}).encode("utf-8")
    path.write_bytes(_lay_out(data, layout, format))
    store = Store(path)
    limits = Limits(title=200, summary=10_000)
    whole = check_data(store, path.read_bytes(), today=TODAY, limits=limits)
    with mock.patch("coopcli.storage.check._RUN", run):
        streamed = check_file(store, today=TODAY, limits=limits)
    assert streamed == whole


def test_a_checked_file_is_read_a_block_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The generated layout must stream (a file read whole would pass the test above).
    def whole(*args: object, **kwargs: object) -> None:
        raise AssertionError("read whole")

    monkeypatch.setattr("coopcli.storage.check.check_data", whole)
    news = NewsFile(
        items=[Item(id=f"i-{n}", type="news", title=f"T {n}", date="2021-10-01") for n in range(5)]
    )
    for format in ("toml", "json"):
        data = formats.codec(format).dump({"version": 1, "items": _raw_items(news)}).encode()
        pieces = list(read_blocks(io.BytesIO(data).read, format, chunk=16))
        assert len(pieces) == 6
        path = tmp_path / f"news.{format}"
        path.write_bytes(data)
        assert check_file(Store(path), today=TODAY).items == 5


@settings(max_examples=150, deadline=None)
@given(
    news=news_files(max_items=6),
    format=st.sampled_from(["toml", "json"]),
    layout=st.sampled_from(LAYOUTS),
    chunk=st.integers(1, 64),
    junk=st.none() | text,
)
def test_blocks_read_as_the_file_is_read_are_the_blocks_of_the_whole_file(
    news: NewsFile, format: str, layout: str, chunk: int, junk: str | None
) -> None:
    data = formats.codec(format).dump({"version": 1, "items": _raw_items(news)}).encode()
    data = _lay_out(data, layout, format)
    if junk is not None:
        data += junk.encode()
    layout_found = blocks.split(format, data)
    try:
        pieces = list(read_blocks(io.BytesIO(data).read, format, chunk=chunk))
    except NotStreamable:
        assert layout_found is None
        return
    assert layout_found is not None
    expected = [(0, data[: layout_found.head])]
    expected += [(start, data[start:end]) for start, end in layout_found.spans]
    assert pieces == expected


# The real command ------------------------------------------------------------------

_PEAK = textwrap.dedent(
    """
    import resource, subprocess, sys
    done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(peak, done.returncode, done.stderr.decode()[-300:].replace(chr(10), " "))
    """
)


def _peak_kb(*args: str, env: dict[str, str]) -> int:
    """The peak resident memory of ``coopcli ARGS`` (a fresh process measures its only
    child, so no earlier process of the test run counts)."""
    command = [sys.executable, "-c", _PEAK, sys.executable, "-m", "coopcli", *args]
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    peak, status, stderr = done.stdout.split(" ", 2)
    assert status in ("0", "1"), stderr
    return int(peak)


def _generated(count: int, folder: Path) -> Path:
    script = ROOT / "benchmarks" / "generate.py"
    subprocess.run(
        [sys.executable, str(script), str(count), "--out", str(folder)],
        check=True,
        capture_output=True,
    )
    return folder / "news.toml"


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("lists")
    return _generated(1_000, folder / "small"), _generated(8_000, folder / "large")


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("export", "--format", "json"),
        ("export", "--format", "rss"),
        ("list", "-n", "100000", "--format", "json"),
        ("list", "-n", "100000", "--format", "jsonl"),
    ],
    ids=["check", "export-json", "export-rss", "list-json", "list-jsonl"],
)
def test_peak_memory_does_not_grow_with_the_list(
    lists: tuple[Path, Path], args: tuple[str, ...], isolated: Path
) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(isolated / "cache")}
    peaks = []
    for path in lists:
        # The index is built first (reading a file never seen is another matter).
        subprocess.run(
            [sys.executable, "-m", "coopcli", "--file", str(path), "stats"],
            env=env,
            check=True,
            capture_output=True,
        )
        peaks.append(_peak_kb("--file", str(path), *args, env=env))
    small, large = peaks
    # Holding every item would cost about 20-50 MB more for the 7,000 more items
    # (3-7 KB each); a block at a time, check keeps a few hundred bytes an item.
    assert large - small < 12_000, json.dumps({"small_kb": small, "large_kb": large})
    assert large < 150_000
