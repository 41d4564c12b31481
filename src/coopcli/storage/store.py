"""Loading and saving an item file: TOML or JSON by suffix, atomic and locked.

Every change runs inside :meth:`Store.transaction`, which holds an exclusive lock on
``<file>.lock`` for the whole read-modify-write, so concurrent commands never lose an
item. Nothing is written when the load failed, and nothing at all when the document
did not change. Before the new version replaces the old, it is parsed back and
compared with what was meant, and the old bytes are kept as ``<file>.bak``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopcli import formats
from coopcli.core.errors import DataError, LockTimeoutError, UsageError, WriteError
from coopcli.storage.atomic import atomic_write, remove_stale_temporaries

if TYPE_CHECKING:
    from pydantic import ValidationError

    from coopcli.core.models import NewsFile

DEFAULT_LOCK_TIMEOUT = 10.0
#: A line git writes where a text merge left both sides: ``<<<<<<< ours``, ``>>>>>>> theirs``.
CONFLICT_MARKER = re.compile(rb"^(?:<{7}|>{7})(?:[ \t]|\r?$)", re.MULTILINE)
_ITEMS_HEADER = re.compile(rb"^[ \t]*\[\[[ \t]*items[ \t]*\]\]", re.MULTILINE)


def lock_timeout() -> float:
    """Seconds to wait for another process's lock: ``COOPCLI_LOCK_TIMEOUT`` or 10."""
    raw = os.environ.get("COOPCLI_LOCK_TIMEOUT")
    if raw is None or not raw.strip():
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"COOPCLI_LOCK_TIMEOUT: not a number of seconds: {raw!r}") from None
    if value < 0 or value != value:  # NaN is not a timeout
        raise UsageError(f"COOPCLI_LOCK_TIMEOUT: must be 0 or more seconds, not {raw!r}")
    return value


@contextmanager
def _collector_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _with_dates(data: dict[str, Any]) -> dict[str, Any]:
    """Item-file data as read back: JSON's ISO date strings made dates again, and
    an empty TOML list (written as no ``[[items]]`` at all) made an empty list."""
    for item in data.setdefault("items", []):
        if isinstance(item, dict) and isinstance(item.get("date"), str):
            with contextlib.suppress(ValueError):
                item["date"] = dt.date.fromisoformat(item["date"])
    return data


def item_lines(data: bytes) -> list[int]:
    """The line number of each ``[[items]]`` header of TOML data, in order."""
    lines: list[int] = []
    line, position = 1, 0
    for header in _ITEMS_HEADER.finditer(data):
        line += data.count(b"\n", position, header.start())
        position = header.start()
        lines.append(line)
    return lines


def location(loc: tuple[int | str, ...]) -> str:
    """A Pydantic error location as a user reads it: ``items[3].date``."""
    from coopcli.core.validation import location as where

    return where(loc)


def conflict_line(data: bytes) -> int | None:
    """The line of the first git conflict marker in ``data``, if there is one."""
    marker = CONFLICT_MARKER.search(data)
    return None if marker is None else data.count(b"\n", 0, marker.start()) + 1


def conflict_message(path: Path | str, line: int) -> str:
    """What to say about a file git left with conflict markers."""
    return (
        f"unresolved git conflict in {path} (line {line}): finish the merge; "
        "`coopcli git-setup` makes such merges automatic"
    )


class Store:
    """One item file on disk."""

    def __init__(
        self, path: Path, *, create_parents: bool = False, format: str | None = None
    ) -> None:
        # ``format`` is for files whose name does not say it (git's temporary copies).
        if format is None:
            info = formats.for_path(path, item_file=True)
            if info is None:
                raise UsageError(
                    f"{path}: an item file must end in .toml or .json, "
                    f"not {path.suffix or 'nothing'!r}"
                )
            format = info.name
        self.path = path
        self.format = format
        self.create_parents = create_parents

    @property
    def codec(self) -> formats.ItemFileCodec:
        """The format module that reads and writes this file."""
        return formats.codec(self.format)

    @property
    def target(self) -> Path:
        """The real file: a symlink's target, so side files sit beside the data."""
        return Path(os.path.realpath(self.path))

    @property
    def lock_path(self) -> Path:
        """``<file>.lock``: held for every read-modify-write."""
        return self.target.with_name(self.target.name + ".lock")

    @property
    def backup_path(self) -> Path:
        """``<file>.bak``: the previous version, byte for byte."""
        return self.target.with_name(self.target.name + ".bak")

    def exists(self) -> bool:
        """Whether the item file exists yet.

        Only "no such file" says no: a path that cannot be looked at (a symlink loop, a
        directory without permission) exists as far as this goes, so that reading it
        then names the true reason.
        """
        try:
            self.path.stat()
        except FileNotFoundError:
            return False
        except OSError:
            return True
        return True

    def read_bytes(self) -> bytes | None:
        """The file's bytes, or None when it does not exist yet."""
        try:
            return self.path.read_bytes()
        except FileNotFoundError:
            return None
        except IsADirectoryError:
            raise DataError(f"{self.path}: is a directory, not an item file") from None
        except OSError as exc:
            raise DataError(f"{self.path}: cannot read: {exc.strerror}") from None

    def parse_raw(self, data: bytes) -> dict[str, Any]:
        """The file's bytes as plain data, not yet validated (a syntax error is a
        :class:`DataError` naming the line)."""
        try:
            with _collector_paused():
                raw: dict[str, Any] = self.codec.parse(data, str(self.path))
                return raw
        except DataError:
            self._refuse_conflict(data)
            raise

    def _refuse_conflict(self, data: bytes) -> None:
        # Only looked for once the file failed to parse: markers never parse, and a
        # valid file costs nothing extra.
        line = conflict_line(data)
        if line is not None:
            raise DataError(conflict_message(self.path, line)) from None

    def parse(self, data: bytes | None) -> NewsFile:
        """Validate raw bytes into a document; None (no file yet) is an empty list."""
        from coopcli.core.models import NewsFile

        try:
            # Parsing and validating make many objects and no garbage: pausing the
            # collector makes loading a large file about twice as fast.
            with _collector_paused():
                raw: dict[str, Any] = {} if data is None else self.codec.parse(data, str(self.path))
                return NewsFile.model_validate(raw)
        except Exception as exc:
            from pydantic import ValidationError

            if isinstance(exc, ValidationError):
                raise DataError(self._describe(exc, data or b"")) from None
            if isinstance(exc, DataError) and data is not None:
                self._refuse_conflict(data)
            raise

    def _describe(self, exc: ValidationError, data: bytes) -> str:
        from coopcli.core.validation import problems

        found = problems(exc.errors(include_url=False))
        # A file from a newer coopcli fails in many places; its version says why.
        versions = [p for p in found if p.loc == ("version",)]
        if versions:
            found = versions
        first = found[0]
        loc = first.container
        where = first.where()
        message = first.message
        if not where and (match := re.match(r"(items\[(\d+)\](?:\.\w+)?): ", message)):
            where, message = match.group(1), message[match.end() :]
            loc = ("items", int(match.group(2)))
        prefix = str(self.path)
        if (
            self.format == "toml"
            and len(loc) >= 2
            and loc[0] == "items"
            and isinstance(loc[1], int)
        ):
            lines = item_lines(data)
            if loc[1] < len(lines):
                prefix += f":{lines[loc[1]]}"
        others = len(found) - 1
        more = (
            f" (and {others} more problem{'' if others == 1 else 's'}: "
            f"`coopcli check {self.path}` lists them all)"
            if others
            else ""
        )
        return f"{prefix}: {where + ': ' if where else ''}{message}{more}"

    def load(self) -> NewsFile:
        """Read and validate the whole file (without locking: writes are atomic)."""
        return self.parse(self.read_bytes())

    def refuse_read_only(self) -> None:
        """Refuse to change a file its owner made read-only (``chmod a-w``).

        The atomic rename needs write permission on the directory only, so without
        this check a read-only file would silently be replaced. The permission bits
        count even for root: whoever took write permission away meant it.
        """
        try:
            mode = self.target.stat().st_mode
        except OSError:
            return
        if not mode & 0o222 or not os.access(self.target, os.W_OK):
            raise WriteError(f"{self.path} is read-only; nothing changed")

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold ``<file>.lock`` exclusively, waiting up to the lock timeout.

        Every write holds it, so a read-only item file is refused here, before
        anything is read or written. The lock file is gone again when the block ends.
        """
        from coopcli.storage.lock import LockTimeout, exclusive

        self.refuse_read_only()
        directory = self.target.parent
        if self.create_parents:
            try:
                directory.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise WriteError(f"{directory}: cannot create: {exc.strerror}") from None
        elif not directory.is_dir():
            # A typo in --file should not quietly create directories.
            raise WriteError(f"{self.path}: the directory {directory} does not exist")
        timeout = lock_timeout()
        held = contextlib.ExitStack()
        try:
            held.enter_context(exclusive(self.lock_path, timeout))
        except LockTimeout:
            raise LockTimeoutError(
                f"{self.lock_path}: another coopcli process is still using this file "
                f"(waited {timeout:g} s; set COOPCLI_LOCK_TIMEOUT to wait longer)"
            ) from None
        except OSError as exc:
            raise WriteError(
                f"{self.path}: cannot write: cannot create the lock file {self.lock_path}: "
                f"{exc.strerror}; the file is unchanged"
            ) from None
        with held:
            # Checked again under the lock: the mode may have changed while waiting.
            self.refuse_read_only()
            yield

    def lock_busy(self) -> bool:
        """Whether another process holds ``<file>.lock`` right now (without waiting)."""
        from coopcli.storage import lock

        return lock.busy(self.lock_path)

    @contextmanager
    def transaction(self) -> Iterator[NewsFile]:
        """Lock, load, let the caller change the document, then save it if it changed.

        If the body raises, nothing is written.
        """
        with self.lock():
            original = self.read_bytes()
            doc = self.parse(original)
            yield doc
            self._save(doc, original)

    def encode(self, doc: NewsFile) -> bytes:
        """The document as this file's bytes."""
        return self.codec.dump(doc.to_data()).encode("utf-8")

    def _save(self, doc: NewsFile, original: bytes | None) -> None:
        expected = doc.to_data()
        data = self.encode(doc)
        if data == original:
            return

        def verify(written: bytes) -> None:
            with _collector_paused():
                again = self.codec.parse(written, str(self.path))
            if _with_dates(again) != expected:
                raise WriteError(
                    f"{self.path}: the new version did not read back as written; "
                    "the file is unchanged"
                )

        remove_stale_temporaries(self.target)
        atomic_write(self.path, data, verify=verify, backup=self.backup_path)
        from coopcli.storage.reading import remember

        remember(self, doc, data)
