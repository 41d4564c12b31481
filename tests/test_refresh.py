"""The first command after an outside change reads only what changed, and the index it
leaves is the one a fresh build of the file gives.

A file is indexed, then changed behind coopcli's back as ``git pull`` changes it: a
few titles edited (some keeping their length, with the old timestamps put back), items
removed, items inserted, a date moved (items out of order), an item made invalid. The
index brought up to date by the refresh must then equal one built afresh from the
file, and a file the refresh cannot take must give what reading it whole gives.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli.core.errors import CoopError
from coopcli.core.models import Item
from coopcli.storage import blocks, index, refresh
from coopcli.storage.reading import open_index
from coopcli.storage.store import Store

WORDS = ["Budget", "Cooperatives at COP26", 'Say "hi"', "Ünïcode tête", "Budget\tplan", "x"]

changes = st.lists(
    st.one_of(
        st.tuples(st.just("same-length"), st.integers(0, 10_000), st.sampled_from("XYZ")),
        st.tuples(st.just("title"), st.integers(0, 10_000), st.sampled_from(WORDS)),
        st.tuples(st.just("remove"), st.integers(0, 10_000)),
        st.tuples(st.just("insert"), st.integers(0, 10_000), st.integers(1, 40)),
        st.tuples(st.just("date"), st.integers(0, 10_000), st.integers(1, 28)),
        st.tuples(st.just("invalid"), st.integers(0, 10_000)),
        st.tuples(st.just("comment"), st.integers(0, 10_000)),
    ),
    min_size=1,
    max_size=5,
)


def _file(fmt: str, count: int) -> bytes:
    store = Store(Path(f"x.{fmt}"))
    doc = store.parse(None)
    for n in range(count):
        day = dt.date(2021, 1 + n % 12, 1 + n % 28)
        doc.items.append(
            Item(
                id=f"{day.isoformat()}-item-{n}",
                type="news",
                title=WORDS[n % len(WORDS)],
                date=day,
                summary="A summary." if n % 3 else None,
                tags=["asia"] if n % 4 == 0 else [],
            )
        )
    return store.encode(doc)


def _change(data: bytes, fmt: str, change: tuple) -> bytes:
    """One change to the file's bytes, as another tool or a teammate makes it."""
    layout = blocks.split(fmt, data)
    assert layout is not None
    spans = layout.spans
    kind, pick = change[0], change[1]
    start, end = spans[pick % len(spans)]
    block = data[start:end]
    if kind == "same-length":
        pattern = rb'\ntitle = "(.*)"\n' if fmt == "toml" else rb'\n      "title": "(.*)",\n'
        match = re.search(pattern, block)
        assert match is not None
        raw = match.group(1)
        block = block[: match.start(1)] + change[2].encode() * len(raw) + block[match.end(1) :]
    elif kind == "title":
        pattern = rb'(\ntitle = )"(.*)"\n' if fmt == "toml" else rb'(\n      "title": )"(.*)",\n'
        match = re.search(pattern, block)
        assert match is not None
        title = json.dumps(change[2]).encode()
        block = block[: match.start(2) - 1] + title + block[match.end(2) + 1 :]
    elif kind == "remove":
        if len(spans) == 1:
            return data
        if fmt == "json":  # the separator goes too
            start, end = (start - 2, end) if pick % len(spans) else (start, end + 2)
        return data[:start] + data[end:]
    elif kind == "insert":
        day = dt.date(2021, 1 + pick % 12, change[2] % 28 + 1)
        item = Item(id=f"{day.isoformat()}-new-{pick}", type="news", title="New", date=day)
        new = blocks.render(fmt, item.to_data())
        return data[:start] + new + blocks.separator(fmt) + data[start:]
    elif kind == "date":
        pattern = rb"date = (\d{4}-\d\d-\d\d)" if fmt == "toml" else rb'"date": "(\d{4}-\d\d-\d\d)"'
        match = re.search(pattern, block)
        assert match is not None
        new_day = f"2021-06-{change[2]:02d}".encode()
        block = block[: match.start(1)] + new_day + block[match.end(1) :]
    elif kind == "invalid":
        block = block.replace(b"news", b"no-such-type", 1)
    elif kind == "comment" and fmt == "toml":
        block = block + b"# checked\n"
    return data[:start] + block + data[end:]


def _snapshot(path: Path) -> tuple[object, ...]:
    with open_index(Store(path)) as idx:
        db = idx._db
        meta = dict(db.execute("SELECT key, value FROM meta"))
        for key in ("stamp", "indexed_at"):
            meta.pop(key, None)
        rows = list(
            db.execute(
                "SELECT id, type, title, date, summary, url, tags, folded, draft, embargo,"
                " updated, len, hash, layout FROM items ORDER BY date, id"
            )
        )
        tags = list(db.execute("SELECT tag, id FROM tags JOIN items USING (pos) ORDER BY tag, id"))
        _check_runs(path, idx)
    return meta, rows, tags


def _check_runs(path: Path, idx: index.Index) -> None:
    """Every run the index keeps holds the bytes of its blocks, side by side."""
    data = path.read_bytes()
    layout = blocks.split(Store(path).format, data)
    runs = idx.runs()
    if not runs or not idx.meta.spliceable:
        return
    assert layout is not None
    keys = [(date, id_) for _, date, id_ in idx.sorted_keys()]
    grouped = dict(idx._db.execute("SELECT id, grouped FROM items"))
    for run in runs:
        first = keys.index(run.first)
        last = first + run.count - 1
        assert keys[last] == run.last
        start, end = layout.spans[first][0], layout.spans[last][1]
        assert end - start == run.length
        assert blocks.block_hash(data[start:end]) == run.hash
        assert blocks.block_hash(data[start : layout.spans[first][1]]) == run.first_hash
        assert all(grouped[id_] == 1 for _, id_ in keys[first : last + 1])
    in_runs = sum(run.count for run in runs)
    assert in_runs == sum(grouped.values())


def _outcome(path: Path) -> tuple[object, ...]:
    try:
        return ("ok", _snapshot(path))
    except CoopError as exc:
        return ("error", str(exc))


@pytest.mark.parametrize("fmt", ["toml", "json"])
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    count=st.integers(1, 40),
    run_blocks=st.sampled_from([1, 3, 64]),
    steps=st.lists(changes, min_size=1, max_size=3),
    keep_times=st.booleans(),
)
def test_a_refreshed_index_is_the_one_a_fresh_build_gives(
    fmt: str,
    count: int,
    run_blocks: int,
    steps: list[list[tuple]],
    keep_times: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(refresh, "RUN_BLOCKS", run_blocks)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"news.{fmt}"
        path.write_bytes(_file(fmt, count))
        _snapshot(path)
        for step in steps:
            data = path.read_bytes()
            for change in step:
                data = _change(data, fmt, change)
            before = path.stat()
            with open(path, "r+b") as handle:  # in place, as an editor saving does
                handle.write(data)
                handle.truncate()
            if keep_times:
                os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
            refreshed = _outcome(path)
            index.location(path).unlink(missing_ok=True)
            assert _outcome(path) == refreshed
            if refreshed[0] == "error":
                return


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_a_pulled_change_reads_only_the_changed_blocks(
    fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / f"news.{fmt}"
    path.write_bytes(_file(fmt, 300))
    _snapshot(path)
    data = _change(path.read_bytes(), fmt, ("same-length", 150, "Q"))
    data = _change(data, fmt, ("title", 20, "Longer title than before"))
    staged = tmp_path / "staged"
    staged.write_bytes(data)
    os.replace(staged, path)
    parsed: list[bytes] = []
    hashed: list[int] = []
    original_parse, original_hash = blocks.parse_block, blocks.block_hash

    def counted_parse(format: str, block: bytes) -> object:
        parsed.append(block)
        return original_parse(format, block)

    def counted_hash(block: bytes | memoryview) -> int:
        hashed.append(len(block))
        return original_hash(block)

    monkeypatch.setattr(blocks, "parse_block", counted_parse)
    monkeypatch.setattr(blocks, "block_hash", counted_hash)
    with open_index(Store(path)) as idx:
        assert idx.meta.count == 300
        assert idx.block("2021-09-21-item-20") is not None
    assert len(parsed) == 2
    # Two runs of 64 blocks broken up, the others checked whole: far fewer hashes than
    # one per block.
    assert len(hashed) < 300
    monkeypatch.setattr(blocks, "parse_block", original_parse)
    monkeypatch.setattr(blocks, "block_hash", original_hash)
    refreshed = _snapshot(path)
    index.location(path).unlink()
    assert _snapshot(path) == refreshed


@settings(max_examples=60, deadline=None)
@given(
    count=st.integers(0, 30),
    keys=st.lists(
        st.tuples(st.dates(dt.date(2020, 12, 1), dt.date(2022, 2, 1)), st.sampled_from("a0z")),
        max_size=8,
    ),
)
def test_locating_keys_one_after_another_counts_what_sqlite_counts(
    count: int, keys: list[tuple[dt.date, str]]
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "news.toml"
        path.write_bytes(_file("toml", count))
        with open_index(Store(path)) as idx:
            for day, letter in keys:
                key = (day.isoformat(), f"{day.isoformat()}-item-{letter}")
                expected = idx._db.execute(
                    "SELECT count(*), coalesce(sum(len), 0) FROM items WHERE (date, id) < (?, ?)",
                    key,
                ).fetchone()
                assert idx.locate(*key) == tuple(expected)


def test_a_json_date_the_models_refuse_is_refused_after_an_outside_change(
    isolated: Path,
) -> None:
    # Python reads "20211003" as a date; the models, and so a full load, do not.
    from coopcli.newslist import NewsList

    path = isolated / "news.json"
    news = NewsList.open(path)
    for n in range(1, 4):
        news.add(type="news", title=f"Item {n}", date=f"2021-10-0{n}")
    news.meta()
    path.write_text(
        path.read_text(encoding="utf-8").replace('"2021-10-03"', '"20211003"'), encoding="utf-8"
    )
    with pytest.raises(CoopError) as refreshed:
        news.meta()
    index.location(path).unlink()
    with pytest.raises(CoopError) as loaded:
        news.meta()
    assert str(refreshed.value) == str(loaded.value)
    assert "date" in str(loaded.value)
