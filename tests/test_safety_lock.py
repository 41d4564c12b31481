"""Waiting for the lock: how long, what happens on timeout, and locks left by the dead.

The commands run in this process (the CLI runner); the lock is held by another,
real process, so the contention is the one two users would meet.
"""

from __future__ import annotations

import fcntl
import os
import signal
import time
from pathlib import Path

import pytest

from coopcli.storage import store as store_module
from coopcli.storage.store import DEFAULT_LOCK_TIMEOUT, Store
from tests.conftest import Run
from tests.procs import lock_held

ADD = ("add", "-t", "news", "--title", "Waited", "--date", "2021-11-01")


def _side_files(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if p.name != "home")


def test_default_timeout_is_ten_seconds() -> None:
    assert DEFAULT_LOCK_TIMEOUT == 10.0
    assert store_module.lock_timeout() == 10.0


@pytest.mark.parametrize(("value", "seconds"), [("2.5", 2.5), ("0", 0.0), (" ", 10.0)])
def test_timeout_is_settable(monkeypatch: pytest.MonkeyPatch, value: str, seconds: float) -> None:
    monkeypatch.setenv("COOPCLI_LOCK_TIMEOUT", value)
    assert store_module.lock_timeout() == seconds


@pytest.mark.parametrize("value", ["soon", "-1", "nan"])
def test_a_bad_timeout_is_a_usage_error(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("COOPCLI_LOCK_TIMEOUT", value)
    before = seeded.read_bytes()
    result = run(*ADD)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: COOPCLI_LOCK_TIMEOUT: ")
    assert seeded.read_bytes() == before


@pytest.mark.slow
def test_a_held_lock_makes_a_writer_wait(run: Run, seeded: Path) -> None:
    with lock_held(Path(f"{seeded}.lock"), seconds=1.0):
        started = time.monotonic()
        result = run(*ADD)
        waited = time.monotonic() - started
    assert result.exit_code == 0, result.output
    assert waited > 0.5  # it waited for the other process instead of writing anyway
    assert "Waited" in [i.title for i in Store(seeded).load().items]


@pytest.mark.slow
@pytest.mark.parametrize(
    "command",
    [ADD, ("edit", "2021-10-13", "--title", "X"), ("remove", "2021-10-13", "--yes")],
    ids=["add", "edit", "remove"],
)
def test_timeout_names_the_lock_and_leaves_the_store_alone(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("COOPCLI_LOCK_TIMEOUT", "0.3")
    run("list")  # an index, so that add would take its in-place path
    lock = Path(f"{seeded}.lock")
    with lock_held(lock):
        before = {p.name: p.read_bytes() for p in seeded.parent.iterdir() if p.is_file()}
        result = run(*command)
        after = {p.name: p.read_bytes() for p in seeded.parent.iterdir() if p.is_file()}
    assert result.exit_code == 3
    assert result.stderr == (
        f"Error: {lock}: another coopcli process is still using this file "
        "(waited 0.3 s; set COOPCLI_LOCK_TIMEOUT to wait longer)\n"
    )
    assert after == before


@pytest.mark.slow
def test_readers_do_not_wait_for_writers(run: Run, seeded: Path) -> None:
    # Writes are atomic, so reading needs no lock: a long save never blocks `list`.
    with lock_held(Path(f"{seeded}.lock")):
        started = time.monotonic()
        result = run("list")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 10
    assert time.monotonic() - started < 5


@pytest.mark.slow
def test_a_lock_left_by_a_killed_process_never_blocks(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lock = Path(f"{seeded}.lock")
    with lock_held(lock) as holder:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    assert lock.exists()  # the file stays; the lock on it died with the process
    monkeypatch.setenv("COOPCLI_LOCK_TIMEOUT", "1")
    result = run(*ADD)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("indexed", [False, True])
def test_the_lock_covers_the_whole_read_modify_write(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch, indexed: bool
) -> None:
    """Reading the file and replacing it both happen while the lock is held: the whole
    file on a full rewrite, the blocks it changes when a write splices them."""
    if indexed:
        assert run("list").exit_code == 0  # the index, made as any read makes it
        assert run("edit", "2021-10-13", "--title", "Spliceable").exit_code == 0
    else:
        monkeypatch.setenv("COOPCLI_NO_INDEX", "1")
    lock = Path(f"{seeded}.lock")
    seen: list[tuple[str, bool]] = []

    def held() -> bool:
        with open(lock, "a") as probe:
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(probe, fcntl.LOCK_UN)
            return False

    real_read, real_replace, real_pread = Store.read_bytes, os.replace, os.pread

    def read_bytes(self: Store) -> bytes | None:
        seen.append(("read", held()))
        return real_read(self)

    def pread(fd: int, length: int, offset: int) -> bytes:
        if os.path.samefile(f"/proc/self/fd/{fd}", seeded):
            seen.append(("read", held()))
        return real_pread(fd, length, offset)

    def replace(src: str, dst: str) -> None:
        if Path(dst) == seeded:
            seen.append(("replace", held()))
        real_replace(src, dst)

    monkeypatch.setattr(Store, "read_bytes", read_bytes)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "pread", pread)
    assert run("edit", "2021-10-13", "--title", "Locked").exit_code == 0
    assert ("read", True) in seen
    assert ("replace", True) in seen
    assert all(is_held for _, is_held in seen), seen
