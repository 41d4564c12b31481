"""The first command on a file without an index builds it a block at a time.

The streamed build must give the index the whole-file build gives (every row, the
runs, the meta), and whatever it does not understand must be read whole, with the
same results and the same errors. The last tests run the real command on a few
thousand items: it does not load the models when every item is plain, and its peak
memory does not grow with the list.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from coopcli import formats
from coopcli.core.errors import DataError
from coopcli.core.models import NewsFile
from coopcli.core.view import head_data, to_data
from coopcli.storage import index, reading
from coopcli.storage.refresh import measure
from coopcli.storage.store import Store
from tests.conftest import EXAMPLES
from tests.strategies import news_files
from tests.test_streaming import _generated, _peak_kb

#: Changes to the items' data before the file is written.
ITEM_CHANGES = [
    "none",
    "own-type",
    "own-label",
    "spaced-title",
    "reversed",
    "duplicate-id",
    "unknown-type",
    "bad-date",
    "compact-date",
    "unknown-field",
    "bad-url",
    "no-title",
]
#: Changes to the file's head.
HEAD_CHANGES = ["none", "vocabulary", "spaced-title", "newer", "unknown-key", "bad-link"]
#: Changes to the file's bytes.
LAYOUTS = [
    "canonical",
    "comments",
    "spaced-key",
    "spaced-id",
    "crlf",
    "bom",
    "table-after",
    "conflict",
    "syntax",
    "not-utf8",
    "no-final-newline",
]


def _head(news: NewsFile, change: str) -> dict[str, Any]:
    head = head_data(news)
    head["types"] = {"memo": "Internal memo"}
    if change == "vocabulary":
        head["tags"] = {"budget": "Budget", "asia": "Asia"}
    elif change == "spaced-title":
        head["title"] = "  A list with spaces  "
    elif change == "newer":
        head["version"] = 2
    elif change == "unknown-key":
        head["colour"] = "blue"
    elif change == "bad-link":
        head["link"] = "ftp://example.org"
    return head


def _items(news: NewsFile, change: str) -> list[dict[str, Any]]:
    entries = [to_data(item) for item in sorted(news.items, key=lambda i: (i.date, i.id))]
    if not entries:
        return entries
    first, last = entries[0], entries[-1]
    if change == "own-type":
        last["type"] = "memo"
    elif change == "own-label":
        last["type"] = "Internal memos"
    elif change == "spaced-title":
        last["title"] = f" {last['title']} "
    elif change == "reversed":
        entries.reverse()
    elif change == "duplicate-id":
        last["id"] = first["id"]
    elif change == "unknown-type":
        last["type"] = "no-such-type"
    elif change == "bad-date":
        last["date"] = "2021-02-30"
    elif change == "compact-date":
        last["date"] = last["date"].strftime("%Y%m%d")
    elif change == "unknown-field":
        last["colour"] = "blue"
    elif change == "bad-url":
        last["url"] = "ftp://example.org/x"
    elif change == "no-title":
        del last["title"]
    return entries


def _lay_out(data: bytes, layout: str, format: str) -> bytes:
    if layout == "comments" and format == "toml":
        return data.replace(b"\n[[items]]\n", b"\n# a comment\n[[items]]\n  # another\n")
    if layout == "spaced-key" and format == "toml":
        return data.replace(b"\ntitle = ", b"\ntitle  = ")
    if layout == "spaced-key":
        return data.replace(b'"title": ', b'"title":  ')
    if layout == "spaced-id":
        old = b"\nid = " if format == "toml" else b'"id": '
        return data.replace(old, b"\nid  = " if format == "toml" else b'"id":  ', 1)
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
    if layout == "no-final-newline":
        return data.rstrip(b"\n")
    if layout == "not-utf8":
        title = b'\ntitle = "' if format == "toml" else b'"title": "'
        return data.replace(title, title + b"\xff", 1)
    return data


@contextlib.contextmanager
def _cache() -> Iterator[None]:
    """A fresh, empty cache directory for the index."""
    before = os.environ.get("COOPCLI_CACHE_DIR")
    with tempfile.TemporaryDirectory() as folder:
        os.environ["COOPCLI_CACHE_DIR"] = folder
        try:
            yield
        finally:
            if before is None:
                del os.environ["COOPCLI_CACHE_DIR"]
            else:
                os.environ["COOPCLI_CACHE_DIR"] = before


def _tables(path: Path) -> dict[str, object]:
    """Everything the index of ``path`` holds, but when it was made."""
    db = sqlite3.connect(index.location(path))
    try:
        found: dict[str, object] = {
            name: db.execute(f"SELECT rowid, * FROM {name} ORDER BY rowid").fetchall()
            for name in ("items", "tags", "runs")
        }
        meta = dict(db.execute("SELECT key, value FROM meta"))
    finally:
        db.close()
    del meta["indexed_at"]
    found["meta"] = meta
    return found


def _whole_build(path: Path) -> object:
    """The index the whole-file path builds (or the error it gives)."""
    store = Store(path)
    stamp, at = index.stamp(os.stat(path)), time.time_ns()
    data = store.read_bytes()
    try:
        doc = store.parse(data)
    except DataError as exc:
        return str(exc)
    assert data is not None
    source = reading.source_of(doc, measure(store.format, data, doc))
    appendable = store.codec.appendable(data, len(doc.items))
    assert index.build(path, stamp, source, appendable=appendable, indexed_at=at)
    return _tables(path)


def _opened(path: Path) -> object:
    """The index the first command builds (or the error it gives)."""
    try:
        reading.open_index(Store(path)).close()
    except DataError as exc:
        return str(exc)
    return _tables(path)


def _streamed(path: Path) -> object | None:
    """The index the streamed build gives; None when it leaves the file to the whole path."""
    found = reading._streamed(Store(path), index.stamp(os.stat(path)), time.time_ns())
    if found is None:
        return None
    found.close()
    return _tables(path)


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    news=news_files(max_items=8, editorial=True),
    format=st.sampled_from(["toml", "json"]),
    items=st.sampled_from(ITEM_CHANGES),
    head=st.sampled_from(HEAD_CHANGES),
    layout=st.sampled_from(LAYOUTS),
)
def test_a_streamed_build_is_the_whole_file_build(
    tmp_path: Path, news: NewsFile, format: str, items: str, head: str, layout: str
) -> None:
    data = formats.codec(format).dump({**_head(news, head), "items": _items(news, items)})
    path = tmp_path / f"news.{format}"
    path.write_bytes(_lay_out(data.encode("utf-8"), layout, format))
    with _cache():
        whole = _whole_build(path)
    with _cache():
        streamed = _streamed(path)
    with _cache():
        opened = _opened(path)
    event("streamed" if streamed is not None else "read whole")
    assert opened == whole
    if streamed is not None:
        assert streamed == whole
    # Files the streamed build takes whole (through the models where it must).
    readable = ["canonical", "comments", "spaced-key"]
    readable.append("no-final-newline" if format == "toml" else "table-after")
    if (
        news.items
        and items in ("none", "own-type", "own-label", "spaced-title")
        and head in ("none", "vocabulary", "spaced-title")
        and layout in readable
    ):
        assert streamed is not None  # the streamed build does the work, not the fallback


def _example() -> NewsFile:
    """The bundled example, with a draft, an embargo, a correction and tags."""
    news = Store(EXAMPLES / "news.toml").load()
    first, second, third = news.items[:3]
    first.draft = True
    second.embargo = "2021-10-30T09:00:00+02:00[Europe/Zurich]"
    third.updated = "2021-10-29T08:00:00Z"
    third.tags = ["Budget", "asia"]
    return news


@pytest.mark.parametrize("format", ["toml", "json"])
def test_every_kind_of_file_is_indexed_as_the_whole_file_path_indexes_it(
    tmp_path: Path, format: str
) -> None:
    news = _example()
    cases = [(items, "none", layout) for items in ITEM_CHANGES for layout in LAYOUTS]
    cases += [("none", head, "canonical") for head in HEAD_CHANGES[1:]]
    streamed_cases = []
    for items, head, layout in cases:
        data = formats.codec(format).dump({**_head(news, head), "items": _items(news, items)})
        path = tmp_path / f"{items}-{head}-{layout}.{format}"
        path.write_bytes(_lay_out(data.encode("utf-8"), layout, format))
        with _cache():
            whole = _whole_build(path)
        with _cache():
            streamed = _streamed(path)
        with _cache():
            opened = _opened(path)
        assert opened == whole, (items, head, layout)
        if streamed is not None:
            assert streamed == whole, (items, head, layout)
            streamed_cases.append((items, head, layout))
    readable = ["canonical", "comments", "spaced-key"]
    readable.append("no-final-newline" if format == "toml" else "table-after")
    expected = [
        (items, "none", layout)
        for items in ("none", "own-type", "own-label", "spaced-title")
        for layout in readable
    ]
    expected += [("none", head, "canonical") for head in ("vocabulary", "spaced-title")]
    found, wanted = set(streamed_cases), set(expected)
    assert found == wanted, (found - wanted, wanted - found)


@pytest.mark.parametrize("format", ["toml", "json"])
def test_runs_cover_the_file_as_the_whole_build_makes_them(tmp_path: Path, format: str) -> None:
    items = [
        {
            "id": f"item-{n:04}",
            "type": "news",
            "title": f"Item {n}",
            "date": dt.date(2021, 1, n % 28 + 1),
        }
        for n in range(200)
    ]
    items.sort(key=lambda item: (item["date"], item["id"]))
    path = tmp_path / f"news.{format}"
    path.write_text(formats.codec(format).dump({"version": 1, "items": items}))
    with _cache():
        whole = _whole_build(path)
    with _cache():
        streamed = _streamed(path)
    assert isinstance(whole, dict)
    assert len(whole["runs"]) == 4  # 64, 64, 64 and 8 blocks
    assert streamed == whole


def test_a_file_changed_while_it_is_read_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "news.toml"
    item = {"id": "a", "type": "news", "title": "A", "date": dt.date(2021, 1, 1)}
    path.write_text(formats.codec("toml").dump({"version": 1, "items": [item]}))
    stamp = index.stamp(os.stat(path))
    path.write_text(path.read_text() + "\n")
    with _cache():
        assert reading._streamed(Store(path), stamp, time.time_ns()) is None


# The real command ------------------------------------------------------------------

_PROBE = (
    "import atexit, sys\n"
    "atexit.register(lambda: print('models' if 'coopcli.core.models' in sys.modules"
    " else 'light', file=sys.stderr))\n"
    "from coopcli.cli.app import main\n"
    "sys.argv = ['coopcli', '-f', sys.argv[1], 'list', '-n', '20']\n"
    "main()\n"
)


def _first_list(path: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COOPCLI_CACHE_DIR": str(cache)}
    return subprocess.run(
        [sys.executable, "-c", _PROBE, str(path)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def lists(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("lists")
    return _generated(1_000, folder / "small"), _generated(8_000, folder / "large")


@pytest.mark.parametrize("format", ["toml", "json"])
def test_the_first_list_of_plain_items_does_not_load_the_models(
    lists: tuple[Path, Path], tmp_path: Path, format: str
) -> None:
    path = lists[1].with_suffix(f".{format}")
    cold = _first_list(path, tmp_path / "cold")
    assert cold.stderr.strip() == "light"
    warm = _first_list(path, tmp_path / "cold")
    assert warm.stdout == cold.stdout
    assert len(cold.stdout.splitlines()) == 20
    # An item the plain rules do not cover (a type named by its label) is left to the
    # models, and the probe sees them loaded.
    labelled = tmp_path / path.name
    text = path.read_text(encoding="utf-8")
    old, new = ('type = "news"', 'type = "News"')
    if format == "json":
        old, new = ('"type": "news"', '"type": "News"')
    labelled.write_text(text.replace(old, new, 1), encoding="utf-8")
    other = _first_list(labelled, tmp_path / "labelled")
    assert other.stderr.strip() == "models"
    assert other.stdout == cold.stdout


@pytest.mark.parametrize("format", ["toml", "json"])
def test_the_first_list_does_not_grow_with_the_list(
    lists: tuple[Path, Path], tmp_path: Path, format: str
) -> None:
    peaks = []
    for n, path in enumerate(lists):
        env = {**os.environ, "COOPCLI_CACHE_DIR": str(tmp_path / str(n))}
        peaks.append(
            _peak_kb("-f", str(path.with_suffix(f".{format}")), "list", "-n", "20", env=env)
        )
        assert list((tmp_path / str(n)).rglob("*.sqlite3"))  # the index was built
    small, large = peaks
    # Eight times the items: the whole-file build grew by about 30 MB here.
    assert large - small < 12 * 1024, (small, large)


def test_the_streamed_index_answers_as_the_file_does(
    lists: tuple[Path, Path], tmp_path: Path
) -> None:
    path = lists[0]
    env = {**os.environ, "COOPCLI_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-m", "coopcli", "-f", str(path), "list", "--format", "json"]
    built = subprocess.run(command, capture_output=True, env=env, check=True)
    unindexed = subprocess.run(
        command, capture_output=True, env={**env, "COOPCLI_NO_INDEX": "1"}, check=True
    )
    assert built.stdout == unindexed.stdout
    assert len(json.loads(built.stdout)) == 1_000
