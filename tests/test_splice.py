"""Writes that splice blocks give the bytes of a full rewrite, and the index stays true.

Every sequence of adds (any date), edits, removals, imports and outside edits runs
twice: on one file with the index (so edits, removals and adds splice the changed
item's block into the file) and on a copy with ``COOPCLI_NO_INDEX=1`` (every write
is a full, validated rewrite). The two files must then hold the same bytes (in a
file with comments, the same bytes once comment lines are set aside: the splice
keeps the comments of items it did not touch), and the index kept up to date write
by write must equal one built afresh from the file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli.core.errors import CoopError
from coopcli.core.models import Item
from coopcli.newslist import NewsList
from coopcli.storage import index
from coopcli.storage.reading import open_index
from coopcli.storage.store import Store
from tests import strategies
from tests.conftest import Run

TITLES = ["Budget", "Cooperatives at COP26", 'Say "hi"', "Ünïcode tête", "Budget\tplan"]
DATES = st.dates(dt.date(2021, 1, 1), dt.date(2021, 1, 6))

adds = st.tuples(
    st.just("add"),
    st.sampled_from(TITLES),
    DATES,
    st.none() | st.sampled_from(["A summary.", "Line\nbreak", "x" * 120]),
    st.lists(st.sampled_from(["asia", "sse", "climate"]), max_size=2, unique=True),
)
edits = st.tuples(
    st.just("edit"),
    st.integers(0, 50),
    st.sampled_from(["title", "date", "summary", "url", "tags", "type", "nothing"]),
    st.sampled_from(TITLES),
    DATES,
)
removes = st.tuples(st.just("remove"), st.integers(0, 50), st.booleans())
outside = st.tuples(st.just("outside"), st.integers(0, 50), st.sampled_from("XYZ"))
imports = st.tuples(
    st.just("import"), st.lists(st.tuples(st.sampled_from(TITLES), DATES), max_size=3)
)
operations = st.lists(st.one_of(adds, edits, removes, outside, imports), min_size=1, max_size=12)

VARIANTS = ["canonical", "comments", "crlf", "bom", "spacing"]


@contextlib.contextmanager
def _no_index() -> Iterator[None]:
    os.environ["COOPCLI_NO_INDEX"] = "1"
    try:
        yield
    finally:
        del os.environ["COOPCLI_NO_INDEX"]


def _ids(path: Path) -> list[str]:
    return [item.id for item in Store(path).load().items]


def _apply(news: NewsList, op: tuple, ids: list[str]) -> str:
    """Run one operation; returns what happened (the outcome or the error's words)."""
    kind = op[0]
    try:
        if kind == "add":
            _, title, date, summary, tags = op
            return news.add(type="news", title=title, date=date, summary=summary, tags=tags).id
        if kind == "edit":
            _, pick, field, title, date = op
            if not ids:
                return "empty"
            ref = ids[pick % len(ids)]
            changes: dict[str, object] = {
                "title": {"title": title},
                "date": {"date": date},
                "summary": {"summary": "" if pick % 2 else "Changed summary"},
                "url": {"url": "https://www.ilo.org/x" if pick % 2 else ""},
                "tags": {"add_tags": ["new"]},
                "type": {"type": "statement"},
                "nothing": {},
            }[field]
            edited = news.edit(ref, **changes)  # type: ignore[arg-type]
            return f"{edited.item.id} {edited.changed}"
        if kind == "remove":
            _, pick, unknown = op
            if not ids:
                return "empty"
            ref = "no-such-item" if unknown else ids[pick % len(ids)]
            return " ".join(item.id for item in news.remove([ref]))
        if kind == "import":
            from coopcli import formats

            drafts = [{"title": t, "date": d.isoformat(), "type": "news"} for t, d in op[1]]
            data = json.dumps({"version": 1, "items": drafts}).encode()
            result = formats.reader("json").read(data, "feed.json")
            report = news.import_([("feed.json", result)])
            return f"{len(report.added)} {len(report.duplicates)} {len(report.invalid)}"
    except CoopError as exc:
        return f"error {exc}"
    raise AssertionError(kind)  # pragma: no cover


def _outside(path: Path, op: tuple, fmt: str) -> None:
    """Change one item's title by hand, keeping the file's size."""
    _, pick, letter = op
    data = path.read_bytes()
    pattern = rb'\ntitle = "(.*)"\r?\n' if fmt == "toml" else rb'\n      "title": "(.*)",\n'
    found = list(re.finditer(pattern, data))
    if not found:
        return
    match = found[pick % len(found)]
    raw = match.group(1)
    new = letter.encode() * len(raw)
    path.write_bytes(data[: match.start(1)] + new + data[match.end(1) :])


def _start(fmt: str, variant: str, draw: st.DrawFn) -> bytes:
    doc = Store(Path(f"x.{fmt}")).parse(None)
    from coopcli.core.models import Item

    for n, title in enumerate(draw(st.lists(st.sampled_from(TITLES), min_size=1, max_size=4))):
        doc.items.append(
            Item(
                id=f"2021-01-0{n + 1}-item-{n}",
                type="news",
                title=title,
                date=dt.date(2021, 1, n + 1),
            )
        )
    data = Store(Path(f"x.{fmt}")).encode(doc)
    if variant == "comments" and fmt == "toml":
        lines = data.split(b"\n")
        head_end = lines.index(b"[[items]]")
        for _ in range(draw(st.integers(1, 4))):
            at = draw(st.integers(head_end, len(lines) - 1))
            lines.insert(at, draw(st.sampled_from([b"# a note", b"", b"   # indented note"])))
        data = b"\n".join(lines)
    elif variant == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif variant == "bom":
        data = b"\xef\xbb\xbf" + data
    elif variant == "spacing":
        data = (
            data.replace(b" = ", b"=") if fmt == "toml" else json.dumps(json.loads(data)).encode()
        )
    return data


def _meaningful(data: bytes) -> list[bytes]:
    return [
        line for line in data.split(b"\n") if line.strip() and not line.lstrip().startswith(b"#")
    ]


def _snapshot(
    path: Path,
) -> tuple[dict[str, str], list[tuple[object, ...]], list[tuple[object, ...]]]:
    with open_index(Store(path)) as idx:
        db = idx._db
        meta = dict(db.execute("SELECT key, value FROM meta"))
        for key in ("stamp", "indexed_at"):
            meta.pop(key, None)
        rows = list(
            db.execute(
                "SELECT id, type, title, date, summary, url, tags, folded, len, hash, layout"
                " FROM items ORDER BY date, id"
            )
        )
        tags = list(db.execute("SELECT tag, id FROM tags JOIN items USING (pos) ORDER BY tag, id"))
    return meta, rows, tags


class _Saves:
    """Counts full rewrites, to show that the fast paths were taken."""

    def __init__(self) -> None:
        self.count = 0


@pytest.fixture
def saves(monkeypatch: pytest.MonkeyPatch) -> _Saves:
    counter = _Saves()
    original = Store._save

    def counted(self: Store, *args: object) -> None:
        counter.count += 1
        original(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "_save", counted)
    return counter


@pytest.mark.parametrize("fmt", ["toml", "json"])
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), variant=st.sampled_from(VARIANTS), ops=operations)
def test_spliced_writes_give_the_bytes_of_a_full_rewrite(
    fmt: str,
    data: st.DataObject,
    variant: str,
    ops: list[tuple],
    saves: _Saves,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One clock for both files: a correction records when it was made ('updated').
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-05T09:00:00+00:00")
    start = _start(fmt, variant, data.draw)
    with tempfile.TemporaryDirectory() as tmp:
        fast, full = Path(tmp) / f"fast.{fmt}", Path(tmp) / f"full.{fmt}"
        fast.write_bytes(start)
        full.write_bytes(start)
        fast_list, full_list = NewsList.open(fast), NewsList.open(full)
        fast_list.meta()  # the index exists before the first write, as in daily use
        commented = variant == "comments" and fmt == "toml"
        spliceable = variant == "canonical" or commented
        for op in ops:
            if op[0] == "outside":
                _outside(fast, op, fmt)
                _outside(full, op, fmt)
                continue
            ids = _ids(full)
            before = saves.count
            outcome = _apply(fast_list, op, ids)
            done = saves.count - before
            with _no_index():
                assert _apply(full_list, op, ids) == outcome
            left = len(_ids(full))
            if spliceable and left and ids:
                assert done == 0, (op, outcome)
            if done:
                spliceable = True  # a full rewrite leaves the file as coopcli writes it
                commented = False
            if commented:
                assert _meaningful(fast.read_bytes()) == _meaningful(full.read_bytes())
            else:
                assert fast.read_bytes() == full.read_bytes(), (variant, op, outcome)
        incremental = _snapshot(fast)
        index.location(fast).unlink()
        assert _snapshot(fast) == incremental


def test_a_backdated_add_edit_and_remove_keep_comments_elsewhere(run: Run, news_file: Path) -> None:
    for day in ("01", "02", "03"):
        assert (
            run(
                "add", "--type", "news", "--title", f"Item {day}", "--date", f"2021-10-{day}"
            ).exit_code
            == 0
        )
    text = news_file.read_text(encoding="utf-8")
    news_file.write_text(
        text.replace('title = "Item 03"\n', 'title = "Item 03"\n# checked by Ana\n')
    )
    assert run("add", "--type", "news", "--title", "Between", "--date", "2021-10-02").exit_code == 0
    assert run("edit", "2021-10-01", "--title", "First").exit_code == 0
    assert run("remove", "2021-10-02-item", "--yes").exit_code == 0
    text = news_file.read_text(encoding="utf-8")
    assert "# checked by Ana\n" in text
    assert [line for line in text.splitlines() if line.startswith("title")] == [
        'title = "First"',
        'title = "Between"',
        'title = "Item 03"',
    ]
    assert news_file.with_name("news.toml.bak").exists()
    assert run("check").exit_code == 0


def test_a_same_length_outside_edit_right_after_a_write_is_seen(run: Run, news_file: Path) -> None:
    assert run("add", "--type", "news", "--title", "Alpha", "--date", "2021-10-01").exit_code == 0
    assert run("add", "--type", "news", "--title", "Gamma", "--date", "2021-10-03").exit_code == 0
    assert run("edit", "2021-10-01", "--title", "Delta").exit_code == 0
    # At once, in place (same inode), same size, and the old timestamps put back.
    before = news_file.stat()
    with open(news_file, "r+b") as handle:
        data = handle.read()
        handle.seek(0)
        handle.write(data.replace(b'"Delta"', b'"Omega"'))
    os.utime(news_file, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert news_file.stat().st_size == before.st_size
    assert "Omega" in run("list").stdout
    assert run("edit", "2021-10-03", "--title", "Beta").exit_code == 0
    assert '"Omega"' in news_file.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_an_outside_change_reads_only_the_changed_items(
    fmt: str, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = isolated / f"news.{fmt}"
    news = NewsList.open(path)
    for n in range(1, 8):
        news.add(type="news", title=f"Item {n}", date=f"2021-10-0{n}")
    news.meta()
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Item 3", "Item Three"), encoding="utf-8")
    parsed: list[bytes] = []
    from coopcli.storage import blocks

    original = blocks.parse_block

    def counted(format: str, block: bytes) -> object:
        parsed.append(block)
        return original(format, block)

    monkeypatch.setattr(blocks, "parse_block", counted)
    assert [item.title for item in news.items(limit=3)] == ["Item 7", "Item 6", "Item 5"]
    assert len(parsed) == 1
    assert b"Item Three" in parsed[0]
    assert news.get("2021-10-03").title == "Item Three"


@pytest.mark.parametrize("fmt", ["toml", "json"])
def test_each_small_write_leaves_the_index_current(fmt: str, isolated: Path) -> None:
    # A splice records its change in the index, so the next command reads neither
    # the file nor its blocks again.
    path = isolated / f"news.{fmt}"
    news = NewsList.open(path)

    def current() -> list[tuple[str, str]]:
        idx = index.open_current(path, index.stamp(path.stat()))
        assert idx is not None, "the write left the index stale"
        with idx:
            return [(row.id, row.title) for row in idx.rows()]

    for n in (1, 3, 5):  # the first creates the file, the others are appended
        news.add(type="news", title=f"Item {n}", date=f"2021-10-0{n}")
        assert (f"2021-10-0{n}-item-{n}", f"Item {n}") in current()
    news.add(type="news", title="Item 2", date="2021-10-02")
    assert ("2021-10-02-item-2", "Item 2") in current()
    news.edit("2021-10-03-item-3", title="Item Three")
    assert ("2021-10-03-item-3", "Item Three") in current()
    news.remove(["2021-10-01-item-1"])
    assert [item_id for item_id, _ in current()] == [
        "2021-10-05-item-5",
        "2021-10-03-item-3",
        "2021-10-02-item-2",
    ]


@settings(max_examples=300, deadline=None)
@given(item=st.integers(0, 3).flatmap(strategies.items))
def test_the_item_writer_gives_tomli_w_s_bytes(item: Item) -> None:
    import tomli_w

    from coopcli.formats.toml import item_block

    data = item.to_data()
    assert item_block(data) == "\n[[items]]\n" + tomli_w.dumps(data)


def test_a_hand_laid_out_file_is_rewritten_once_then_spliced(run: Run, news_file: Path) -> None:
    news_file.write_text(
        'version=1\n\n[[items]]\nid="2021-10-01-a"\ntype="news"\ntitle="A"\ndate=2021-10-01\n'
        'tags=["x", "y"]\n\n[[items]]\nid="2021-10-02-b"\ntype="news"\ntitle="B"\n'
        "date=2021-10-02\n",
        encoding="utf-8",
    )
    assert run("edit", "2021-10-01-a", "--title", "First").exit_code == 0
    rewritten = news_file.read_text(encoding="utf-8")
    assert 'title = "First"' in rewritten
    assert 'tags = [\n    "x",\n    "y",\n]' in rewritten  # as a full rewrite lays it out
    with open(news_file, "a", encoding="utf-8") as handle:
        handle.write("# the end\n")
    assert run("remove", "2021-10-01-a", "--yes").exit_code == 0
    assert news_file.read_text(encoding="utf-8").endswith("date = 2021-10-02\n# the end\n")


@settings(max_examples=300, deadline=None)
@given(
    item=st.integers(0, 3).flatmap(strategies.items),
    title=st.none() | st.text(),
    tags=st.none() | st.lists(st.text(max_size=5), max_size=3),
    url=st.none() | st.sampled_from(["ftp://x", "https://x.org", " https://x.org", ""]),
)
def test_a_new_block_checked_without_the_models_is_what_they_store(
    item: Item, title: str | None, tags: list[str] | None, url: str | None
) -> None:
    from pydantic import ValidationError

    from coopcli.core.itemtypes import all_types
    from coopcli.core.view import to_data
    from coopcli.storage.refresh import plain_item

    raw = item.to_data()
    for name, value in (("title", title), ("tags", tags), ("url", url)):
        if value is not None:
            raw[name] = value
    plain = plain_item(dict(raw), all_types({}))
    if plain is None:
        return  # the models decide
    try:
        stored = Item.model_validate(raw)
    except ValidationError as exc:
        raise AssertionError(f"accepted without the models, refused by them: {exc}") from None
    assert to_data(plain) == to_data(stored)
