"""The item file's write lock: ``<file>.lock``, there only while a write is going on.

The lock is an ``flock`` on ``<file>.lock``, so the kernel releases it when its
holder dies, however it dies. The holder removes the file before it lets go, so no
side file stays next to the item file. That opens one race, closed the way
SQLite's and Git's lock files close it: a waiter may get the lock on a file its
holder has just removed, which guards nothing, so after taking the lock it checks
that the path still names the very file it locked, and starts again if not. A lock
file left by a killed process is simply taken over (it is not locked any more) and
removed at the end of that write.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Polling interval bounds while another process holds the lock (seconds).
_FIRST_WAIT = 0.005
_LONGEST_WAIT = 0.05


class LockTimeout(Exception):
    """Another process held the lock for longer than the timeout."""


def _same_file(path: Path, fd: int) -> bool:
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)


def _acquire(path: Path, deadline: float) -> int:
    """An open descriptor of ``path`` that this process holds exclusively."""
    wait = _FIRST_WAIT
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout(str(path)) from None
                    time.sleep(wait)
                    wait = min(wait * 2, _LONGEST_WAIT)
            if _same_file(path, fd):
                return fd
        except BaseException:
            os.close(fd)
            raise
        # The previous holder removed this file as it let go: lock the new one.
        os.close(fd)


@contextmanager
def exclusive(path: Path, timeout: float) -> Iterator[None]:
    """Hold ``path`` exclusively for the block, waiting up to ``timeout`` seconds.

    Raises :class:`LockTimeout` after the timeout and ``OSError`` when the lock
    file cannot be created. The file is removed when the block ends.
    """
    fd = _acquire(path, time.monotonic() + timeout)
    try:
        yield
    finally:
        # Removed while still held, so no other process can hold this file then.
        with contextlib.suppress(OSError):
            os.unlink(path)
        os.close(fd)


def busy(path: Path) -> bool:
    """Whether another process holds the lock right now; creates nothing, waits for nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # no lock file: no write is going on
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False
