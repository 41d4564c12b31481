"""A disposable SQLite index of an item file, so that reading commands stay fast.

The item file is the only source of truth. The index is a cache in the user's cache
directory, one database per item file, stamped with the file's identity (size,
modification and change times in nanoseconds, inode and device). Any change to the
file (an edit by hand, a ``git pull``, another tool) changes the stamp, and the next
command rebuilds the index from the validated file before using it. Deleting the
cache directory loses nothing. ``COOPCLI_NO_INDEX=1`` turns it off.

Nothing here imports Pydantic or Rich: a warm ``list`` reads rows straight from
SQLite as :class:`~coopcli.core.view.Row` values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coopcli import __version__
from coopcli.core.search import fold
from coopcli.core.view import ITEM_FIELDS, ItemView, Row
from coopcli.storage.blocks import CANONICAL, block_hash

#: Bumped whenever the tables change, so an old cache is rebuilt rather than misread.
SCHEMA = 6
_TAG_SEPARATOR = "\x1f"

_TABLES = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE items (
    pos INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    date TEXT NOT NULL,
    summary TEXT,
    url TEXT,
    tags TEXT NOT NULL,
    folded TEXT NOT NULL,
    draft INTEGER NOT NULL,
    embargo TEXT,
    updated TEXT,
    len INTEGER NOT NULL DEFAULT 0,
    hash INTEGER,
    layout INTEGER NOT NULL DEFAULT 0,
    grouped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE runs (
    first_date TEXT NOT NULL,
    first_id TEXT NOT NULL,
    last_date TEXT NOT NULL,
    last_id TEXT NOT NULL,
    count INTEGER NOT NULL,
    len INTEGER NOT NULL,
    hash INTEGER NOT NULL,
    first_hash INTEGER NOT NULL,
    PRIMARY KEY (first_date, first_id)
);
CREATE TABLE tags (tag TEXT NOT NULL, pos INTEGER NOT NULL);
"""

#: Made once the items are in: sorting every row once is faster than keeping each
#: index in order row by row.
_INDEXES = """
CREATE INDEX items_loose ON items (date, id, len, hash, layout) WHERE grouped = 0;
CREATE INDEX items_by_date ON items (date, id, len);
CREATE INDEX items_by_hash ON items (hash);
CREATE INDEX items_by_type ON items (type, date);
CREATE INDEX items_by_title_date ON items (title COLLATE NOCASE, date);
CREATE INDEX tags_by_tag ON tags (tag, pos);
"""

_COLUMNS = ", ".join(ITEM_FIELDS)
_STORED = (
    "pos, id, type, title, date, summary, url, tags, folded, draft, embargo, updated,"
    " len, hash, layout"
)
_MARKS = ", ".join("?" * len(_STORED.split(",")))
_ORDERS = {
    "stored": "date ASC, id ASC",
    "newest": "date DESC, id ASC",
    "latest": "date DESC, id DESC",
}


def enabled() -> bool:
    """Whether commands may use the index (``COOPCLI_NO_INDEX`` unset or empty)."""
    return not os.environ.get("COOPCLI_NO_INDEX")


def stamp(st: os.stat_result) -> str:
    """The identity of one version of a file, as the index records it."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


def _clock_step() -> int:
    """How far apart, at most, two file times the kernel gives are (ns): one tick of
    the coarse clock that stamps files on Linux; 10 ms where it cannot be asked."""
    coarse = getattr(time, "CLOCK_REALTIME_COARSE", 5 if sys.platform == "linux" else None)
    if coarse is not None:
        with contextlib.suppress(OSError, AttributeError):
            step = time.clock_getres(coarse)
            if 0 < step <= 0.1:
                return max(int(step * 1e9), 1_000_000)
    return 10_000_000


#: A file changed less than this long before it was indexed may change again within
#: the same tick of the file system's clock without its stamp changing (git calls
#: such an entry "racily clean"); its index is only trusted once its content is
#: checked again. Two ticks of the clock that stamps files (8 ms at 250 Hz).
RACY_NS = 2 * _clock_step()
#: The same for a file system that keeps whole seconds (FAT keeps even ones).
RACY_COARSE_NS = 2_000_000_000 + RACY_NS


def racy_window(ctime_ns: int) -> int:
    """How long after a change at ``ctime_ns`` another may keep the file's stamp.

    A change time of a whole second comes from a file system that keeps no fraction
    of a second (a finer one gives that 1 time in 10**9).
    """
    return RACY_COARSE_NS if ctime_ns % 1_000_000_000 == 0 else RACY_NS


def racy(ctime_ns: int, indexed_at: int) -> bool:
    """Whether a change after ``indexed_at`` might not show in the file's stamp."""
    return ctime_ns + racy_window(ctime_ns) > indexed_at


def settled(path: Path, st: os.stat_result) -> tuple[str, int] | None:
    """The stamp of a file coopcli has just written, and when it was taken.

    Waits until the clock is past the write by :data:`RACY_NS` (often no wait: the
    write's last fsync takes longer), so that any later change, even one that keeps
    the size, changes the stamp. On a file system that keeps whole seconds it does
    not wait: the time it gives is then racy, and the next command checks the
    content. None when the file changed meanwhile.
    """
    wait = st.st_ctime_ns + RACY_NS - time.time_ns()
    if wait > 0 and racy_window(st.st_ctime_ns) == RACY_NS:
        time.sleep(wait / 1e9)
    at = time.time_ns()
    try:
        again = os.stat(path)
    except OSError:  # pragma: no cover - the file was just written
        return None
    return (stamp(again), at) if stamp(again) == stamp(st) else None


def quietly(update: Callable[[], None]) -> None:
    """Record a write in the index, if it can be: the file is saved already.

    Another command may have replaced the index meanwhile (a rebuild), or the disk
    may be full; the stamp left in the index then no longer matches the file, and
    the next command refreshes it.
    """
    with contextlib.suppress(sqlite3.Error):
        update()


def location(item_file: Path) -> Path:
    """Where the index of ``item_file`` lives (``COOPCLI_CACHE_DIR`` or the user cache)."""
    override = os.environ.get("COOPCLI_CACHE_DIR")
    if override:
        base = Path(override)
    else:
        from platformdirs import user_cache_path

        base = user_cache_path("coopcli", appauthor=False)
    real = os.path.realpath(item_file)
    digest = hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return base / "index" / f"{digest}.sqlite3"


def _row(record: Sequence[str | None]) -> Row:
    id_, type_, title, date, summary, url, tags, draft, embargo, updated = record
    assert id_ is not None
    assert type_ is not None
    assert title is not None
    assert date is not None
    return Row(
        id=id_,
        type=type_,
        title=title,
        date=dt.date.fromisoformat(date),
        summary=summary,
        url=url,
        tags=tuple(tags.split(_TAG_SEPARATOR)) if tags else (),
        draft=bool(draft),
        embargo=embargo,
        updated=updated,
    )


@dataclass(frozen=True)
class Meta:
    """The item file's own metadata, as the index holds it."""

    title: str | None
    link: str | None
    description: str | None
    types: dict[str, str]
    count: int
    #: True when a new item that sorts last can be added by appending its block:
    #: the file is as coopcli wrote it, or at least laid out the same way at its end.
    appendable: bool
    last: tuple[str, str] | None
    #: The tag vocabulary (``[tags]``): allowed tag -> label; empty allows any tag.
    vocabulary: dict[str, str] = field(default_factory=dict)
    #: True when every item's block is known (offset by length, hash, layout).
    blocks: bool = False
    #: True when a write may splice blocks: every block and the head are laid out
    #: as a full rewrite writes them (comments and blank lines apart), items in order.
    spliceable: bool = False
    #: Length of the head (the bytes before the first block) and its hash.
    head: int = 0
    head_hash: int | None = None
    #: Whether the head is laid out as a full rewrite writes it (comments apart).
    head_ok: bool = False
    size: int = 0
    #: Sum of the blocks' lengths.
    total: int = 0
    indexed_at: int = 0
    #: The stamp of the version of the file the index describes.
    stamp: str = ""


#: The longest substring the prefilter asks SQLite for: its LIKE refuses patterns over
#: 50,000 bytes, and a text holding a long word holds every part of it, so a prefix of
#: it selects no fewer items (the search itself then matches the whole word).
LIKE_MAX = 1000


def _like(text: str) -> str:
    text = text[:LIKE_MAX]
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass(frozen=True)
class Query:
    """What a read command asks of the index: SQL-side filters, order and limit.

    ``types`` are resolved type keys; ``tags`` are matched without regard to case,
    all of them unless ``any_tag``; ``since``/``until`` are inclusive.
    """

    types: frozenset[str] = frozenset()
    tags: tuple[str, ...] = ()
    any_tag: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    #: Substrings (already folded) that every wanted item's text contains.
    contains: tuple[str, ...] = ()
    #: Substrings (already folded) of which every wanted item's text contains one.
    contains_any: tuple[str, ...] = ()
    newest_first: bool = True
    limit: int | None = None

    def where(self) -> tuple[str, list[object]]:
        """The WHERE clause and its parameters."""
        clauses: list[str] = []
        params: list[object] = []
        if self.types:
            clauses.append(f"type IN ({', '.join('?' * len(self.types))})")
            params.extend(sorted(self.types))
        wanted = [tag.casefold() for tag in self.tags]
        if wanted and self.any_tag:
            marks = ", ".join("?" * len(wanted))
            clauses.append(f"pos IN (SELECT pos FROM tags WHERE tag IN ({marks}))")
            params.extend(wanted)
        else:
            for tag in wanted:
                clauses.append("pos IN (SELECT pos FROM tags WHERE tag = ?)")
                params.append(tag)
        if self.since is not None:
            clauses.append("date >= ?")
            params.append(self.since.isoformat())
        if self.until is not None:
            clauses.append("date <= ?")
            params.append(self.until.isoformat())
        # LIKE scans faster than instr(); folded text has no capitals for it to ignore.
        for text in self.contains:
            clauses.append("folded LIKE ? ESCAPE '\\'")
            params.append(_like(text))
        if self.contains_any:
            alternatives = ["folded LIKE ? ESCAPE '\\'"] * len(self.contains_any)
            clauses.append("(" + " OR ".join(alternatives) + ")")
            params.extend(_like(text) for text in self.contains_any)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


class Index:
    """An open, current index of one item file."""

    def __init__(self, connection: sqlite3.Connection, meta: Meta) -> None:
        self._db = connection
        self.meta = meta
        #: Keys already located, with their answers, for the meta they were found with.
        self._marks: tuple[Meta, dict[tuple[str, str], tuple[int, int]]] | None = None

    def close(self) -> None:
        """Close the database (a write not committed is undone)."""
        with contextlib.suppress(sqlite3.Error):
            if self._db.in_transaction:
                self._db.rollback()
        self._db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _select(self, query: Query) -> sqlite3.Cursor:
        where, params = query.where()
        order = "date DESC, id ASC" if query.newest_first else "date ASC, id DESC"
        sql = f"SELECT {_COLUMNS} FROM items{where} ORDER BY {order}"
        if query.limit is not None:
            sql += " LIMIT ?"
            # SQLite integers are 64-bit; any larger limit means "all" just the same.
            params.append(min(query.limit, 2**63 - 1))
        return self._db.execute(sql, params)

    def rows(self, query: Query = Query()) -> list[Row]:
        """Items matching ``query``, newest first (ties by id) unless asked otherwise."""
        return [_row(record) for record in self._select(query)]

    def row_batches(self, query: Query = Query(), size: int = 500) -> Iterator[list[Row]]:
        """What :meth:`rows` gives, ``size`` rows at a time (never all of them at once)."""
        cursor = self._select(query)
        while records := cursor.fetchmany(size):
            yield [_row(record) for record in records]

    def batches(self, query: Query, order: str, size: int = 500) -> Iterator[list[Row]]:
        """Items matching ``query`` (its order and limit aside), ``size`` at a time, in
        ``order``: ``stored`` (oldest first), ``newest`` (newest first, ties by id) or
        ``latest`` (newest first, ties by id Z to A). For an export of every item."""
        where, params = query.where()
        sql = f"SELECT {_COLUMNS} FROM items{where} ORDER BY {_ORDERS[order]}"
        cursor = self._db.execute(sql, params)
        while records := cursor.fetchmany(size):
            yield [_row(record) for record in records]

    def rows_by_id(self, ids: Sequence[str]) -> list[Row]:
        """The items with these ids, in the order given (ids the index lacks are left out)."""
        found: dict[str, Row] = {}
        for start in range(0, len(ids), 500):  # within SQLite's limit on parameters
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {_COLUMNS} FROM items WHERE id IN ({marks})"
            for record in self._db.execute(sql, chunk):
                row = _row(record)
                found[row.id] = row
        return [found[id_] for id_ in ids if id_ in found]

    def count(self, query: Query = Query()) -> int:
        """How many items match ``query``."""
        where, params = query.where()
        (total,) = self._db.execute(f"SELECT count(*) FROM items{where}", params).fetchone()
        return int(total)

    def ids_with_prefix(self, prefix: str, limit: int | None = 50) -> list[Row]:
        """Items whose id is ``prefix`` or starts with it (an exact id comes first).

        A range on the id index, so finding an id costs the same in any size of list
        (and, unlike LIKE, is exact about case).
        """
        if not _storable(prefix):
            return []  # no id holds what UTF-8 cannot (a lone surrogate from the shell)
        sql = f"SELECT {_COLUMNS} FROM items WHERE id >= ? AND id < ? ORDER BY id != ?, id LIMIT ?"
        count = -1 if limit is None else limit
        params = (prefix, prefix + "\U0010ffff", prefix, count)
        return [_row(r) for r in self._db.execute(sql, params)]

    def ids(self) -> set[str]:
        """Every id in the file."""
        return {id_ for (id_,) in self._db.execute("SELECT id FROM items")}

    def same_title_and_date(
        self, title: str, date: dt.date, ignore: str | None = None
    ) -> str | None:
        """The id of an item with this title (ignoring case) and date, if any
        (other than ``ignore``), first in stored order."""
        wanted = title.casefold()
        sql = f"SELECT {_COLUMNS} FROM items WHERE date = ? ORDER BY id"
        for record in self._db.execute(sql, (date.isoformat(),)):
            row = _row(record)
            if row.title.casefold() == wanted and row.id != ignore:
                return row.id
        return None

    def counts(self, column: str, query: Query = Query()) -> dict[str, int]:
        """Items per ``type``, ``month``, ``year`` or ``tag``, for ``stats``."""
        where, params = query.where()
        expressions = {
            "type": "type",
            "month": "substr(date, 1, 7)",
            "year": "substr(date, 1, 4)",
        }
        if column == "tag" and not where:
            # Narrow index only: stats of a whole list never reads the items' text.
            sql = "SELECT tag, count(*) FROM tags GROUP BY tag"
        elif column == "tag":
            sql = (
                "SELECT tags.tag, count(*) FROM tags JOIN items USING (pos)"
                f"{where} GROUP BY tags.tag"
            )
        else:
            expression = expressions[column]
            sql = f"SELECT {expression}, count(*) FROM items{where} GROUP BY 1"
        return {str(key): int(n) for key, n in self._db.execute(sql, params)}

    def texts(self, query: Query = Query(), limit: int | None = None) -> Iterator[str]:
        """The title, summary and tags of the newest matching items, as written."""
        where, params = query.where()
        sql = f"SELECT title, coalesce(summary, ''), tags FROM items{where} ORDER BY date DESC"
        sql += " LIMIT ?"
        params.append(-1 if limit is None else limit)
        for title, summary, tags in self._db.execute(sql, params):
            yield f"{title}\n{summary}\n{tags.replace(_TAG_SEPARATOR, chr(10))}"

    def span(self, query: Query = Query()) -> tuple[dt.date, dt.date] | None:
        """The first and last date among the matching items."""
        where, params = query.where()
        first, last = self._db.execute(
            f"SELECT min(date), max(date) FROM items{where}", params
        ).fetchone()
        if first is None:
            return None
        return dt.date.fromisoformat(first), dt.date.fromisoformat(last)

    def record_append(
        self, item: ItemView, new_stamp: str, indexed_at: int, block: bytes, size: int
    ) -> None:
        """Note an item appended to the file by coopcli itself, and the file's new stamp."""
        with self._writing():
            (pos,) = self._db.execute("SELECT coalesce(max(pos), -1) + 1 FROM items").fetchone()
            _insert(self._db, [(pos, item, len(block), block_hash(block), CANONICAL)])
            self._set(
                stamp=new_stamp,
                indexed_at=str(indexed_at),
                count=str(self.meta.count + 1),
                last=json.dumps([item.date.isoformat(), item.id]),
                size=str(size),
                total=str(self.meta.total + len(block)),
            )

    def hold(self, file_stamp: str) -> bool:
        """Take the index's write lock until the next write commits (or :meth:`close`),
        so that no other command changes it between reading and recording a write;
        True when it still describes the file with ``file_stamp``."""
        try:
            if not self._db.in_transaction:
                self._db.execute("BEGIN IMMEDIATE")
            self.meta = _meta(_read_meta(self._db))
        except sqlite3.Error:
            return False
        return self.meta.stamp == file_stamp

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A write transaction that takes the write lock first: two writers never
        deadlock (each holding a read lock the other waits on)."""
        self._marks = None
        if not self._db.in_transaction:
            self._db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self._db.rollback()
            raise
        self._db.commit()

    def _set(self, **values: str) -> None:
        self._db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))

    def locate(self, date: str, id_: str) -> tuple[int, int]:
        """How many items sort before (date, id), and the sum of their blocks' lengths.

        SQLite counts a range item by item, so this counts only from the nearest key
        it knows the answer for: the start, the end (the count and the blocks' total
        in the meta) or a key located before, on the side the dates put nearer.
        """
        key = (date, id_)
        if self._marks is None or self._marks[0] is not self.meta:
            self._marks = (self.meta, {})
        marks = self._marks[1]
        if key in marks:
            return marks[key]
        below = max((mark for mark in marks if mark < key), default=None)
        above = min((mark for mark in marks if mark > key), default=None)
        low = below[0] if below else self._edge("min")
        high = above[0] if above else (self.meta.last[0] if self.meta.last else None)
        if below is None and above is None and high is None:
            low = high = None  # an empty index: count from the start
        if low is not None and high is not None and _nearer_end(date, low, high):
            rank, before = marks[above] if above else (self.meta.count, self.meta.total)
            after = " AND (date, id) < (?, ?)" if above else ""
            count, length = self._db.execute(
                "SELECT count(*), coalesce(sum(len), 0) FROM items"
                f" WHERE (date, id) >= (?, ?){after}",
                (*key, *(above or ())),
            ).fetchone()
            found = (rank - int(count), before - int(length))
        else:
            rank, before = marks[below] if below else (0, 0)
            since = "(date, id) >= (?, ?) AND " if below else ""
            count, length = self._db.execute(
                "SELECT count(*), coalesce(sum(len), 0) FROM items"
                f" WHERE {since}(date, id) < (?, ?)",
                (*(below or ()), *key),
            ).fetchone()
            found = (rank + int(count), before + int(length))
        marks[key] = found
        return found

    def _edge(self, which: str) -> str | None:
        (date,) = self._db.execute(f"SELECT {which}(date) FROM items").fetchone()
        return None if date is None else str(date)

    def block(self, id_: str) -> tuple[Row, int, int] | None:
        """The item with exactly this id, its block's length and hash."""
        if not _storable(id_):
            return None
        record = self._db.execute(
            f"SELECT {_COLUMNS}, len, hash FROM items WHERE id = ?", (id_,)
        ).fetchone()
        if record is None:
            return None
        width = len(ITEM_FIELDS)
        return _row(record[:width]), int(record[width]), int(record[width + 1])

    def known_blocks(self) -> dict[int, tuple[int, str, str, int]]:
        """Every block's hash -> (pos, date, id, layout)."""
        return {
            hash_: (pos, date, id_, layout)
            for pos, hash_, date, id_, layout in self._db.execute(
                "SELECT pos, hash, date, id, layout FROM items"
            )
        }

    def runs(self) -> list[Run]:
        """Every run of blocks known whole, in stored order."""
        return [
            Run((record[0], record[1]), (record[2], record[3]), *record[4:])
            for record in self._db.execute(f"SELECT {_RUN} FROM runs ORDER BY first_date, first_id")
        ]

    def loose_blocks(self) -> list[tuple[str, str, int, int, int]]:
        """(date, id, length, hash, layout) of every block in no run, in stored order."""
        return list(
            self._db.execute(
                "SELECT date, id, len, hash, layout FROM items WHERE grouped = 0 ORDER BY date, id"
            )
        )

    def break_run(self, run: Run) -> list[tuple[str, str, int, int, int]]:
        """Forget ``run`` as a whole; its blocks as :meth:`loose_blocks` gives them."""
        bounds = (*run.first, *run.last)
        within = "(date, id) >= (?, ?) AND (date, id) <= (?, ?)"
        self._db.execute("DELETE FROM runs WHERE (first_date, first_id) = (?, ?)", run.first)
        self._db.execute(f"UPDATE items SET grouped = 0 WHERE {within}", bounds)
        return list(
            self._db.execute(
                f"SELECT date, id, len, hash, layout FROM items WHERE {within} ORDER BY date, id",
                bounds,
            )
        )

    def existing_ids(self, ids: Sequence[str]) -> set[str]:
        """Which of ``ids`` the index holds."""
        found: set[str] = set()
        for start in range(0, len(ids), 500):  # within SQLite's limit on parameters
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            found.update(
                str(id_)
                for (id_,) in self._db.execute(f"SELECT id FROM items WHERE id IN ({marks})", chunk)
            )
        return found

    def _break_runs_at(self, keys: Iterable[tuple[str, str]]) -> None:
        """Forget the runs that hold, or would have to hold, an item with one of ``keys``:
        a run is only trusted while its items stay as they were, side by side."""
        for key in keys:
            found = self._db.execute(
                f"SELECT {_RUN} FROM runs WHERE (first_date, first_id) <= (?, ?)"
                " ORDER BY first_date DESC, first_id DESC LIMIT 1",
                key,
            ).fetchone()
            if found is not None and (found[2], found[3]) >= key:
                self.break_run(Run((found[0], found[1]), (found[2], found[3]), *found[4:]))

    def replace_items(
        self,
        removed: Iterable[str],
        added: Sequence[tuple[ItemView, bytes, int]],
        values: Mapping[str, str],
    ) -> None:
        """Drop items by id, add items with their blocks and layouts, set meta values."""
        with self._writing():
            gone = [(id_,) for id_ in removed]
            keys = [
                (str(date), str(id_))
                for (wanted,) in gone
                for date, id_ in self._db.execute(
                    "SELECT date, id FROM items WHERE id = ?", (wanted,)
                )
            ]
            keys += [(item.date.isoformat(), item.id) for item, _, _ in added]
            self._break_runs_at(keys)
            self._db.executemany(
                "DELETE FROM tags WHERE pos = (SELECT pos FROM items WHERE id = ?)", gone
            )
            self._db.executemany("DELETE FROM items WHERE id = ?", gone)
            (pos,) = self._db.execute("SELECT coalesce(max(pos), -1) + 1 FROM items").fetchone()
            _insert(
                self._db,
                [
                    (pos + n, item, len(block), block_hash(block), layout)
                    for n, (item, block, layout) in enumerate(added)
                ],
            )
            last = self._db.execute(
                "SELECT date, id FROM items ORDER BY date DESC, id DESC LIMIT 1"
            ).fetchone()
            self._set(**{"last": json.dumps(list(last) if last else None), **values})

    def sorted_keys(self) -> list[tuple[int, str, str]]:
        """(pos, date, id) of every item, in stored order."""
        return list(self._db.execute("SELECT pos, date, id FROM items ORDER BY date, id"))


def _nearer_end(date: str, low: str, high: str) -> bool:
    """Whether ``date`` lies nearer ``high`` than ``low`` (ISO dates)."""
    try:
        day, first, last = (dt.date.fromisoformat(value) for value in (date, low, high))
    except ValueError:
        return False
    return (day - first) > (last - day)


def _storable(text: str) -> bool:
    """Whether SQLite can be given ``text`` (valid UTF-8, no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _insert(
    db: sqlite3.Connection, items: Iterable[tuple[int, ItemView, int, int | None, int]]
) -> None:
    records: list[tuple[object, ...]] = []
    tag_records: list[tuple[str, int]] = []
    for pos, item, length, hash_, layout in items:
        tags = list(item.tags)
        folded = fold(" ".join([item.title, item.summary or "", *tags]))
        records.append(
            (
                pos,
                item.id,
                item.type,
                item.title,
                item.date.isoformat(),
                item.summary,
                item.url,
                _TAG_SEPARATOR.join(tags),
                folded,
                int(item.draft),
                item.embargo,
                item.updated,
                length,
                hash_,
                layout,
            )
        )
        tag_records.extend((tag, pos) for tag in {t.casefold() for t in tags})
    if records:
        db.executemany(f"INSERT INTO items ({_STORED}) VALUES ({_MARKS})", records)
    db.executemany("INSERT INTO tags VALUES (?, ?)", tag_records)


def _read_meta(db: sqlite3.Connection) -> dict[str, str]:
    return dict(db.execute("SELECT key, value FROM meta").fetchall())


def _meta(values: Mapping[str, str]) -> Meta:
    last = json.loads(values.get("last", "null"))
    return Meta(
        title=values.get("title"),
        link=values.get("link"),
        description=values.get("description"),
        types=json.loads(values.get("types", "{}")),
        count=int(values.get("count", "0")),
        appendable=values.get("appendable") == "1",
        last=(last[0], last[1]) if last else None,
        vocabulary=json.loads(values.get("vocabulary", "{}")),
        blocks=values.get("blocks") == "1",
        spliceable=values.get("spliceable") == "1",
        head=int(values.get("head", "0")),
        head_hash=int(values["head_hash"]) if "head_hash" in values else None,
        head_ok=values.get("head_ok") == "1",
        size=int(values.get("size", "0")),
        total=int(values.get("total", "0")),
        indexed_at=int(values.get("indexed_at", "0")),
        stamp=values.get("stamp", ""),
    )


def _ctime(file_stamp: str) -> int:
    return int(file_stamp.split(":")[2])


def _open(item_file: Path, writable: bool) -> tuple[sqlite3.Connection, dict[str, str]] | None:
    path = location(item_file)
    if not path.exists():
        return None
    try:
        if writable:
            db = sqlite3.connect(path, isolation_level="DEFERRED", timeout=30)
            # A cache: a crash at worst loses it, and the stamp then forces a rebuild.
            db.execute("PRAGMA synchronous = OFF")
        else:
            db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        values = _read_meta(db)
    except sqlite3.Error:
        return None
    if values.get("schema") != str(SCHEMA) or values.get("coopcli") != __version__:
        db.close()
        return None
    return db, values


def open_current(item_file: Path, current_stamp: str) -> Index | None:
    """The index of ``item_file`` if it matches ``current_stamp``; else None.

    An index taken while the file was changing (see :func:`racy`)
    is not trusted on its stamp alone: None, so that the caller checks the content.
    """
    if not enabled():
        return None
    opened = _open(item_file, writable=False)
    if opened is None:
        return None
    db, values = opened
    if values.get("stamp") != current_stamp or racy(
        _ctime(current_stamp), int(values.get("indexed_at", "0"))
    ):
        db.close()
        return None
    return Index(db, _meta(values))


def open_for_update(item_file: Path, current_stamp: str | None = None) -> Index | None:
    """The index, writable: matching ``current_stamp`` (for recording a write), or,
    with None, whatever version of the file it describes (for a refresh)."""
    if not enabled():
        return None
    if current_stamp is not None:
        current = open_current(item_file, current_stamp)
        if current is None:
            return None
        current.close()
    opened = _open(item_file, writable=True)
    if opened is None:
        return None
    db, values = opened
    if current_stamp is not None and values.get("stamp") != current_stamp:
        db.close()  # pragma: no cover - rebuilt between the two opens
        return None
    return Index(db, _meta(values))


@dataclass(frozen=True)
class Run:
    """Blocks side by side in the file and in stored order, hashed together: a refresh
    checks a run with one hash instead of one per block."""

    #: (date, id) of the run's first and last item.
    first: tuple[str, str]
    last: tuple[str, str]
    count: int
    #: Bytes from the first block's start to the last block's end (separators too).
    length: int
    hash: int
    #: The hash of the run's first block.
    first_hash: int


_RUN = "first_date, first_id, last_date, last_id, count, len, hash, first_hash"


@dataclass(frozen=True)
class Blocks:
    """Where each item of a file lies: what lets writes splice and refreshes reuse."""

    #: (length, hash, layout) of each item's block, in the order of the items.
    items: Sequence[tuple[int, int, int]]
    head: int
    head_hash: int
    size: int
    spliceable: bool
    head_layout: int
    #: (first item, count, length, hash) of runs of blocks, when the items are in
    #: stored order (the first item is an index into ``items``).
    runs: Sequence[tuple[int, int, int, int]] = ()


@dataclass(frozen=True)
class Source:
    """A validated item file's content, as the index stores it."""

    items: Sequence[ItemView]
    title: str | None
    link: str | None
    description: str | None
    types: Mapping[str, str]
    blocks: Blocks | None = None
    vocabulary: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Summary:
    """What the index records of a file's blocks as a whole (see :class:`Blocks`)."""

    spliceable: bool
    head: int
    head_hash: int
    head_layout: int
    size: int
    #: Sum of the blocks' lengths.
    total: int


#: A run as the ``runs`` table holds it: first (date, id), last (date, id), count,
#: length, hash, and the hash of its first block.
RunRecord = tuple[str, str, str, str, int, int, int, int]


def _populate(
    db: sqlite3.Connection, file_stamp: str, source: Source, appendable: bool, indexed_at: int
) -> None:
    db.executescript(_TABLES)
    found = source.blocks
    entries = (
        [(item, *block) for item, block in zip(source.items, found.items, strict=True)]
        if found is not None
        else [(item, 0, None, 0) for item in source.items]
    )
    entries.sort(key=lambda entry: (entry[0].date, entry[0].id))
    _insert(db, [(pos, *entry) for pos, entry in enumerate(entries)])
    last = entries[-1][0] if entries else None
    summary = None
    if found is not None:
        summary = Summary(
            found.spliceable,
            found.head,
            found.head_hash,
            found.head_layout,
            found.size,
            sum(length for length, _, _ in found.items),
        )
        if found.runs:
            keys = [(item.date.isoformat(), item.id) for item in source.items]
            _insert_runs(
                db,
                [
                    (
                        *keys[first],
                        *keys[first + count - 1],
                        count,
                        length,
                        hash_,
                        found.items[first][1],
                    )
                    for first, count, length, hash_ in found.runs
                ],
            )
    db.executescript(_INDEXES)
    _write_meta(
        db,
        file_stamp,
        source,
        count=len(entries),
        appendable=appendable,
        indexed_at=indexed_at,
        last=(last.date.isoformat(), last.id) if last else None,
        summary=summary,
    )
    db.commit()


def _insert_runs(db: sqlite3.Connection, runs: Sequence[RunRecord]) -> None:
    if runs:
        db.executemany("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", runs)
        db.execute("UPDATE items SET grouped = 1")


def _write_meta(
    db: sqlite3.Connection,
    file_stamp: str,
    source: Source,
    *,
    count: int,
    appendable: bool,
    indexed_at: int,
    last: tuple[str, str] | None,
    summary: Summary | None,
) -> None:
    meta = {
        "schema": str(SCHEMA),
        "coopcli": __version__,
        "stamp": file_stamp,
        "indexed_at": str(indexed_at),
        "types": json.dumps(dict(source.types)),
        "vocabulary": json.dumps(dict(source.vocabulary)),
        "count": str(count),
        "appendable": "1" if appendable else "0",
        "last": json.dumps(list(last) if last else None),
    }
    if summary is not None:
        meta |= {
            "blocks": "1",
            "spliceable": "1" if summary.spliceable else "0",
            "head": str(summary.head),
            "head_hash": str(summary.head_hash),
            "head_ok": "1" if summary.head_layout else "0",
            "size": str(summary.size),
            "total": str(summary.total),
        }
    for key in ("title", "link", "description"):
        value = getattr(source, key)
        if value is not None:
            meta[key] = value
    db.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))


def in_memory(source: Source) -> Index:
    """An index held in memory only: for a missing file, or when the cache is off."""
    db = sqlite3.connect(":memory:")
    _populate(db, "", source, appendable=False, indexed_at=0)
    return Index(db, _meta(_read_meta(db)))


def build(
    item_file: Path, file_stamp: str, source: Source, *, appendable: bool, indexed_at: int
) -> bool:
    """Write a fresh index for one version of ``item_file``; True when it was written.

    ``indexed_at`` is when the stamp was taken (see :func:`racy`). The cache is a
    convenience: if it cannot be written (a read-only home, a full disk), commands
    read the file every time instead.
    """
    if not enabled():
        return False
    path = location(item_file)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        db = sqlite3.connect(tmp)
        try:
            db.execute("PRAGMA journal_mode = OFF")
            db.execute("PRAGMA synchronous = OFF")
            _populate(db, file_stamp, source, appendable, indexed_at)
        finally:
            db.close()
        os.replace(tmp, path)
    except (OSError, sqlite3.Error):
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False
    return True


class Fresh:
    """A fresh index being written a batch of items at a time, for a build that never
    holds every item at once (see :func:`fresh`). The items are given in stored order.

    Nothing replaces the cached index until :meth:`finish`; a write SQLite refuses (a
    repeated id, a full disk) makes :meth:`add` or :meth:`finish` return False, and
    the caller then builds the index the usual way. Used as a context manager, what
    was not finished is forgotten at the end of the block.
    """

    def __init__(self, db: sqlite3.Connection, path: Path, tmp: Path) -> None:
        self._db = db
        self._path = path
        self._tmp = tmp
        self._done = False
        self.count = 0

    def __enter__(self) -> Fresh:
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._done:
            self.abandon()

    def add(self, entries: Sequence[tuple[ItemView, int, int, int]]) -> bool:
        """Store the next items, with their blocks' length, hash and layout."""
        try:
            _insert(self._db, [(self.count + n, *entry) for n, entry in enumerate(entries)])
        except sqlite3.Error:
            return False
        self.count += len(entries)
        return True

    def finish(
        self,
        file_stamp: str,
        source: Source,
        *,
        appendable: bool,
        indexed_at: int,
        last: tuple[str, str] | None,
        summary: Summary,
        runs: Sequence[RunRecord],
    ) -> bool:
        """Record the file's metadata (``source``'s, its items aside) and the runs of
        blocks, and put the index in place; True when it was written."""
        try:
            _insert_runs(self._db, runs)
            self._db.executescript(_INDEXES)
            _write_meta(
                self._db,
                file_stamp,
                source,
                count=self.count,
                appendable=appendable,
                indexed_at=indexed_at,
                last=last,
                summary=summary,
            )
            self._db.commit()
            self._db.close()
            os.replace(self._tmp, self._path)
        except (OSError, sqlite3.Error):
            self.abandon()
            return False
        self._done = True
        return True

    def abandon(self) -> None:
        """Forget what was written."""
        with contextlib.suppress(sqlite3.Error):
            self._db.close()
        with contextlib.suppress(OSError):
            self._tmp.unlink()


def fresh(item_file: Path) -> Fresh | None:
    """A new index of ``item_file`` to fill (see :class:`Fresh`), or None when the
    index is off or the cache cannot be written."""
    if not enabled():
        return None
    path = location(item_file)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        db = sqlite3.connect(tmp)
    except (OSError, sqlite3.Error):
        return None
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        db.executescript(_TABLES)
    except sqlite3.Error:
        Fresh(db, path, tmp).abandon()
        return None
    return Fresh(db, path, tmp)
