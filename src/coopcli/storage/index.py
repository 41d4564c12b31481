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
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from coopcli import __version__
from coopcli.core.search import fold
from coopcli.core.view import ITEM_FIELDS, ItemView, Row

#: Bumped whenever the tables change, so an old cache is rebuilt rather than misread.
SCHEMA = 4
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
    updated TEXT
);
CREATE INDEX items_by_date ON items (date, id);
CREATE INDEX items_by_type ON items (type, date);
CREATE INDEX items_by_title_date ON items (title COLLATE NOCASE, date);
CREATE TABLE tags (tag TEXT NOT NULL, pos INTEGER NOT NULL);
CREATE INDEX tags_by_tag ON tags (tag, pos);
"""

_COLUMNS = ", ".join(ITEM_FIELDS)


def enabled() -> bool:
    """Whether commands may use the index (``COOPCLI_NO_INDEX`` unset or empty)."""
    return not os.environ.get("COOPCLI_NO_INDEX")


def stamp(st: os.stat_result) -> str:
    """The identity of one version of a file, as the index records it."""
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}:{st.st_dev}"


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

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rows(self, query: Query = Query()) -> list[Row]:
        """Items matching ``query``, newest first (ties by id) unless asked otherwise."""
        where, params = query.where()
        order = "date DESC, id ASC" if query.newest_first else "date ASC, id DESC"
        sql = f"SELECT {_COLUMNS} FROM items{where} ORDER BY {order}"
        if query.limit is not None:
            sql += " LIMIT ?"
            # SQLite integers are 64-bit; any larger limit means "all" just the same.
            params.append(min(query.limit, 2**63 - 1))
        return [_row(record) for record in self._db.execute(sql, params)]

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
        sql = f"SELECT {_COLUMNS} FROM items WHERE id >= ? AND id < ? ORDER BY id != ?, id LIMIT ?"
        count = -1 if limit is None else limit
        params = (prefix, prefix + "\U0010ffff", prefix, count)
        return [_row(r) for r in self._db.execute(sql, params)]

    def ids(self) -> set[str]:
        """Every id in the file."""
        return {id_ for (id_,) in self._db.execute("SELECT id FROM items")}

    def same_title_and_date(self, title: str, date: dt.date) -> str | None:
        """The id of an item with this title (ignoring case) and date, if any."""
        wanted = title.casefold()
        sql = f"SELECT {_COLUMNS} FROM items WHERE date = ?"
        for record in self._db.execute(sql, (date.isoformat(),)):
            row = _row(record)
            if row.title.casefold() == wanted:
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

    def record_append(self, item: ItemView, new_stamp: str) -> None:
        """Note an item appended to the file by coopcli itself, and the file's new stamp."""
        with self._db:
            (pos,) = self._db.execute("SELECT coalesce(max(pos), -1) + 1 FROM items").fetchone()
            _insert(self._db, [(pos, item)])
            self._db.executemany(
                "INSERT OR REPLACE INTO meta VALUES (?, ?)",
                [
                    ("stamp", new_stamp),
                    ("count", str(self.meta.count + 1)),
                    ("last", json.dumps([item.date.isoformat(), item.id])),
                ],
            )


def _insert(db: sqlite3.Connection, items: Iterable[tuple[int, ItemView]]) -> None:
    records: list[tuple[object, ...]] = []
    tag_records: list[tuple[str, int]] = []
    for pos, item in items:
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
            )
        )
        tag_records.extend((tag, pos) for tag in {t.casefold() for t in tags})
    db.executemany("INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", records)
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
    )


def open_current(item_file: Path, current_stamp: str) -> Index | None:
    """The index of ``item_file`` if it matches ``current_stamp``; else None."""
    if not enabled():
        return None
    path = location(item_file)
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    except sqlite3.Error:
        return None
    try:
        values = _read_meta(db)
    except sqlite3.Error:
        db.close()
        return None
    if (
        values.get("stamp") != current_stamp
        or values.get("schema") != str(SCHEMA)
        or values.get("coopcli") != __version__
    ):
        db.close()
        return None
    return Index(db, _meta(values))


def open_for_update(item_file: Path, current_stamp: str) -> Index | None:
    """Like :func:`open_current`, but writable (for recording an append)."""
    current = open_current(item_file, current_stamp)
    if current is None:
        return None
    current.close()
    try:
        db = sqlite3.connect(location(item_file), isolation_level="DEFERRED")
        # A cache: a crash at worst loses it, and the stamp then forces a rebuild.
        db.execute("PRAGMA synchronous = OFF")
    except sqlite3.Error:  # pragma: no cover - the read-only open just worked
        return None
    return Index(db, current.meta)


@dataclass(frozen=True)
class Source:
    """A validated item file's content, as the index stores it."""

    items: Sequence[ItemView]
    title: str | None
    link: str | None
    description: str | None
    types: Mapping[str, str]
    vocabulary: Mapping[str, str] = field(default_factory=dict)


def _populate(db: sqlite3.Connection, file_stamp: str, source: Source, appendable: bool) -> None:
    db.executescript(_TABLES)
    ordered = sorted(source.items, key=lambda item: (item.date, item.id))
    _insert(db, enumerate(ordered))
    last = ordered[-1] if ordered else None
    meta = {
        "schema": str(SCHEMA),
        "coopcli": __version__,
        "stamp": file_stamp,
        "types": json.dumps(dict(source.types)),
        "vocabulary": json.dumps(dict(source.vocabulary)),
        "count": str(len(ordered)),
        "appendable": "1" if appendable else "0",
        "last": json.dumps([last.date.isoformat(), last.id] if last else None),
    }
    for key in ("title", "link", "description"):
        value = getattr(source, key)
        if value is not None:
            meta[key] = value
    db.executemany("INSERT INTO meta VALUES (?, ?)", list(meta.items()))
    db.commit()


def in_memory(source: Source) -> Index:
    """An index held in memory only: for a missing file, or when the cache is off."""
    db = sqlite3.connect(":memory:")
    _populate(db, "", source, appendable=False)
    return Index(db, _meta(_read_meta(db)))


def build(item_file: Path, file_stamp: str, source: Source, *, appendable: bool) -> bool:
    """Write a fresh index for one version of ``item_file``; True when it was written.

    The cache is a convenience: if it cannot be written (a read-only home, a full
    disk), commands read the file every time instead.
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
            _populate(db, file_stamp, source, appendable)
        finally:
            db.close()
        os.replace(tmp, path)
    except (OSError, sqlite3.Error):
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False
    return True
