"""Replacing a file so that a crash at any moment leaves the old or the new version.

The sequence is the one SQLite and git rely on: write a temporary file in the same
directory, fsync it, ``os.replace`` it over the target, then fsync the directory so
the rename itself is durable. A symlink is followed, so the link stays a link and its
target is updated; the target's permission bits are kept.
"""

from __future__ import annotations

import contextlib
import errno
import filecmp
import os
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from coopcli.core.errors import WriteError

TEMP_SUFFIX = ".tmp"


def temp_prefix(target: Path) -> str:
    """Temporary files for ``news.toml`` are ``.news.toml.<random>.tmp``."""
    return f".{target.name}."


def _current_mode(target: Path) -> int:
    try:
        return target.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def _fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _staged_backup(target: Path, pid: int) -> Path:
    """Where a writer keeps ``target``'s current version until it becomes the backup."""
    return target.with_name(f"{temp_prefix(target)}bak.{pid}{TEMP_SUFFIX}")


def _changed_at(path: Path) -> int:
    try:
        return path.lstat().st_ctime_ns
    except OSError:
        return 0


def _replaced_since(staged: Path, target: Path) -> bool:
    """Whether ``target`` is no longer the version ``staged`` holds (a link or a copy of it)."""
    try:
        return not os.path.samefile(staged, target) and not filecmp.cmp(
            staged, target, shallow=False
        )
    except OSError:
        return False


def remove_stale_temporaries(target: Path) -> None:
    """Delete temporary files a killed writer left beside ``target``.

    A writer killed between putting its new version in place and renaming its staged
    backup leaves the previous version under the staged name: that one becomes
    ``<file>.bak``, as the writer would have made it. Only call this while holding
    the file's lock: then no other writer is mid-save.
    """
    staged_prefix = f"{temp_prefix(target)}bak."
    leftovers = target.parent.glob(f"{temp_prefix(target)}*{TEMP_SUFFIX}")
    for leftover in sorted(leftovers, key=_changed_at):  # the last replaced wins
        with contextlib.suppress(OSError):
            if leftover.name.startswith(staged_prefix) and _replaced_since(leftover, target):
                os.replace(leftover, target.with_name(target.name + ".bak"))
            else:
                leftover.unlink()


def _stage_backup(target: Path) -> Path | None:
    """Give the current ``target`` a second name, to become ``backup`` after the replace.

    A hard link costs nothing however large the file is (the replace that follows
    gives ``target`` a new inode, so the link keeps the old bytes); where links are
    not possible the bytes are copied. Returns None when there is no file yet. The
    name matches :func:`remove_stale_temporaries`, so a crash leaves nothing behind
    for good.
    """
    staged = _staged_backup(target, os.getpid())
    with contextlib.suppress(FileNotFoundError):
        staged.unlink()
    try:
        os.link(target, staged)
    except FileNotFoundError:
        return None
    except OSError:
        try:
            data = target.read_bytes()
            mode = target.stat().st_mode & 0o7777
        except FileNotFoundError:
            return None
        with open(staged, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fchmod(handle.fileno(), mode)
            os.fsync(handle.fileno())
    return staged


def _replace(
    tmp: str,
    path: Path,
    target: Path,
    backup: Path | None,
    before_replace: Callable[[], None] | None,
) -> None:
    """Put the fsynced ``tmp`` in place of ``target``; the old bytes become ``backup``.

    The backup is only updated once the new version is in place: a write that fails
    changes neither the file nor its backup.
    """
    staged = None
    try:
        if before_replace is not None:
            before_replace()
        if backup is not None:
            staged = _stage_backup(target)
        os.replace(tmp, target)
    except BaseException:
        if staged is not None:
            with contextlib.suppress(OSError):
                staged.unlink()
        raise
    if staged is not None and backup is not None:
        try:
            os.replace(staged, backup)
        except OSError as exc:
            with contextlib.suppress(OSError):
                staged.unlink()
            raise WriteError(
                f"{path}: saved, but the backup {backup} could not be updated: "
                f"{exc.strerror or exc}"
            ) from None
    try:
        _fsync_directory(target.parent)
    except OSError as exc:
        raise WriteError(
            f"{path}: saved, but the save may not survive a power cut: cannot sync the "
            f"directory {target.parent}: {_reason(exc)}"
        ) from None


def _replace_with(
    path: Path,
    fill: Callable[[int, Path], int],
    *,
    verify: Callable[[bytes], None] | None,
    before_replace: Callable[[], None] | None,
    backup: Path | None,
    check: Callable[[int], None] | None = None,
) -> None:
    """The one way coopcli replaces a file: temporary file, fsync, verify, rename.

    ``fill(fd, target)`` writes the new content into the temporary file and returns
    the offset from which ``verify`` is given the bytes read back (the rest was
    copied unchanged). On any failure the temporary file is removed, the target
    and its backup are untouched, and :class:`WriteError` names the file and cause.
    """
    target = Path(os.path.realpath(path))
    tmp: str | None = None
    try:
        mode = _current_mode(target)
        fd, tmp = tempfile.mkstemp(
            prefix=temp_prefix(target), suffix=TEMP_SUFFIX, dir=target.parent
        )
        try:
            start = fill(fd, target)
            os.fchmod(fd, mode)
            os.fsync(fd)
            if verify is not None:
                verify(os.pread(fd, os.fstat(fd).st_size - start + 1, start))
            if check is not None:
                check(fd)
        finally:
            os.close(fd)
        _replace(tmp, path, target, backup, before_replace)
        tmp = None
    except OSError as exc:
        raise WriteError(f"{path}: cannot write: {_reason(exc)}; the file is unchanged") from None
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def atomic_write(
    path: Path,
    data: bytes,
    *,
    verify: Callable[[bytes], None] | None = None,
    before_replace: Callable[[], None] | None = None,
    backup: Path | None = None,
) -> None:
    """Atomically replace ``path`` (or its symlink target) with ``data``.

    ``verify`` is called with the bytes read back from the temporary file and may
    raise to abandon the write; ``before_replace`` runs just before the rename and
    may raise too. With ``backup``, the previous version becomes that file, byte for
    byte. On any failure the temporary file is removed, the target and its backup
    are untouched, and :class:`WriteError` names the file and the cause.
    """

    def fill(fd: int, target: Path) -> int:
        _write_all(fd, data)
        return 0

    _replace_with(path, fill, verify=verify, before_replace=before_replace, backup=backup)


def atomic_write_from(path: Path, produce: Callable[[Callable[[bytes], None]], None]) -> None:
    """:func:`atomic_write` of the bytes that ``produce`` hands, piece by piece, to the
    function it is given (so that they need never be held at once)."""

    def fill(fd: int, target: Path) -> int:
        produce(lambda data: _write_all(fd, data))
        return 0

    _replace_with(path, fill, verify=None, before_replace=None, backup=None)


def _reason(exc: OSError) -> str:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.EFBIG, errno.ENOSPC, errno.EDQUOT):
        reason += " (the disk or your quota is full)"
    return reason


def _copy_prefix(source: int, target: int, length: int) -> None:
    """Copy the first ``length`` bytes of one open file to another, in the kernel if it can."""
    _copy_range(source, target, 0, length, 0)


def _copy_range(source: int, target: int, start: int, end: int, at: int) -> None:
    """Copy bytes ``start``..``end`` of one open file to offset ``at`` of another."""
    done = 0
    length = end - start
    while done < length:
        try:
            copied = os.copy_file_range(source, target, length - done, start + done, at + done)
        except OSError:  # pragma: no cover - filesystems without copy_file_range
            copied = 0
        if copied == 0:
            chunk = os.pread(source, min(1 << 20, length - done), start + done)
            if not chunk:
                raise OSError(0, "the file got shorter while it was being copied")
            copied = os.pwrite(target, chunk, at + done)
        done += copied


def atomic_extend(
    path: Path,
    keep: int,
    tail: bytes,
    *,
    verify: Callable[[bytes], None],
    before_replace: Callable[[], None] | None = None,
    backup: Path | None = None,
) -> None:
    """Atomically replace ``path`` with its first ``keep`` bytes followed by ``tail``.

    The same promises as :func:`atomic_write` (temporary file, fsync, rename,
    directory fsync, mode kept), without holding the whole file in memory: the kept
    part is copied file to file, and ``verify`` is given the tail as read back.
    """

    def fill(fd: int, target: Path) -> int:
        with open(target, "rb") as source:
            _copy_prefix(source.fileno(), fd, keep)
        os.lseek(fd, keep, os.SEEK_SET)
        _write_all(fd, tail)
        return keep

    _replace_with(path, fill, verify=verify, before_replace=before_replace, backup=backup)


def atomic_splice(
    path: Path,
    pieces: Sequence[tuple[int, int, bytes]],
    *,
    check: Callable[[int], None],
    before_replace: Callable[[], None] | None = None,
    backup: Path | None = None,
) -> None:
    """Atomically replace ``path`` with ``pieces`` laid end to end.

    Each piece is a range ``(start, end, b"")`` of the current file, copied file to
    file, or new bytes ``(0, 0, data)``. The same promises as :func:`atomic_write`;
    ``check`` is given the temporary file's descriptor, fsynced, to read back what it
    needs and raise if the new version is not what was meant.
    """

    def fill(fd: int, target: Path) -> int:
        at = 0
        with open(target, "rb") as source:
            for start, end, data in pieces:
                if data:
                    view = memoryview(data)
                    while view:
                        view = view[os.pwrite(fd, view, at + len(data) - len(view)) :]
                    at += len(data)
                elif end > start:
                    _copy_range(source.fileno(), fd, start, end, at)
                    at += end - start
        os.ftruncate(fd, at)
        return at

    _replace_with(
        path, fill, verify=None, before_replace=before_replace, backup=backup, check=check
    )
