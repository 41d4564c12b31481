"""Failed writes: a full disk, a failing fsync or rename, a read-only directory.

Each must end with a non-zero exit, one message naming the file and the cause, the
original bytes (and the backup) identical, and no temporary file left behind.
Both ways of writing are covered: ``add`` appends in place when it can, ``edit``
rewrites the whole file.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Run
from tests.procs import coopcli_process, file_size_limit, without_root_powers

ADD = ("add", "-t", "news", "--title", "Full disk", "--date", "2021-11-01")
EDIT = ("edit", "2021-10-13", "--summary", "A longer summary " * 40)
COMMANDS = pytest.mark.parametrize("command", [ADD, EDIT], ids=["add", "edit"])


def _snapshot(directory: Path) -> dict[str, bytes]:
    """Every file in the item file's directory (temporaries included), by name."""
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file()}


@pytest.fixture
def prepared(run: Run, seeded: Path) -> Path:
    """The seeded file after one successful change, so that a backup exists too."""
    assert run("add", "-t", "news", "--title", "Before", "--date", "2021-10-30").exit_code == 0
    assert seeded.with_name("news.toml.bak").exists()
    # Adding is fast only when the index of the file is current: make sure it is.
    assert run("list", "-n", "1").exit_code == 0
    return seeded


def _fails_cleanly(run: Run, path: Path, command: tuple[str, ...], cause: str) -> None:
    before = _snapshot(path.parent)
    result = run(*command)
    assert result.exit_code == 4, result.output
    assert result.stdout == ""
    assert result.stderr == f"Error: {path}: cannot write: {cause}; the file is unchanged\n"
    assert _snapshot(path.parent) == before


@COMMANDS
def test_full_disk(run: Run, prepared: Path, command: tuple[str, ...]) -> None:
    # RLIMIT_FSIZE makes any write past the limit fail, as a full disk would.
    with file_size_limit(prepared.stat().st_size):
        _fails_cleanly(run, prepared, command, "File too large (the disk or your quota is full)")


@COMMANDS
def test_failing_fsync(
    run: Run, prepared: Path, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    def fsync(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    monkeypatch.setattr(os, "fsync", fsync)
    _fails_cleanly(run, prepared, command, "Input/output error")


def _failing_replace(target: Path) -> Callable[..., Any]:
    real = os.replace

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        if Path(dst) == target:
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        real(src, dst, **kwargs)

    return replace


@COMMANDS
def test_failing_rename_keeps_file_and_backup(
    run: Run, prepared: Path, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The backup is only updated once the new version is in place: had it been
    # updated first, the version before would be gone from it.
    monkeypatch.setattr(os, "replace", _failing_replace(prepared))
    _fails_cleanly(run, prepared, command, "Permission denied")


@COMMANDS
def test_failing_directory_fsync_is_reported(
    run: Run, prepared: Path, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    # After the rename the new version is in place; a failing directory fsync
    # still has to be reported, not swallowed.
    real = os.fsync

    def fsync(fd: int) -> None:
        if os.path.isdir(f"/proc/self/fd/{fd}"):
            raise OSError(errno.EIO, os.strerror(errno.EIO))
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    result = run(*command)
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {prepared}: saved, but the save may not survive a power cut: cannot sync "
        f"the directory {prepared.parent}: Input/output error\n"
    )
    assert not [p for p in prepared.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.slow
@pytest.mark.parametrize("lock_exists", [False, True], ids=["no-lock-file", "lock-file"])
def test_read_only_directory(prepared: Path, lock_exists: bool) -> None:
    prefix = without_root_powers()
    if prefix is None:
        pytest.skip("running as root without setpriv: permissions cannot apply")
    lock = prepared.with_name("news.toml.lock")
    # Writes remove their lock file; one left by a killed process may still be there.
    if lock_exists:
        lock.touch()
    else:
        lock.unlink(missing_ok=True)
    before = _snapshot(prepared.parent)
    prepared.parent.chmod(0o555)
    try:
        result = coopcli_process(*ADD, "-f", str(prepared), prefix=prefix)
    finally:
        prepared.parent.chmod(0o755)
    assert result.returncode == 4
    if lock_exists:
        assert result.stderr == (
            f"Error: {prepared}: cannot write: Permission denied; the file is unchanged\n"
        )
    else:
        assert result.stderr == (
            f"Error: {prepared}: cannot write: cannot create the lock file {lock}: "
            "Permission denied; the file is unchanged\n"
        )
    assert _snapshot(prepared.parent) == before


def test_backup_without_hard_links_is_a_copy(
    run: Run, prepared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Some file systems (FAT, many network shares) have no hard links.
    def link(src: Any, dst: Any, **kwargs: Any) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(os, "link", link)
    prepared.chmod(0o640)
    for command in (ADD, EDIT):
        before = prepared.read_bytes()
        assert run(*command).exit_code == 0
        backup = prepared.with_name("news.toml.bak")
        assert backup.read_bytes() == before
        assert backup.stat().st_mode & 0o777 == 0o640  # no wider access than the file
    assert not [p for p in prepared.parent.iterdir() if p.name.endswith(".tmp")]


def test_a_backup_that_cannot_be_updated_is_reported(
    run: Run, prepared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    backup = prepared.with_name("news.toml.bak")
    monkeypatch.setattr(os, "replace", _failing_replace(backup))
    result = run(*EDIT)
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {prepared}: saved, but the backup {backup} could not be updated: "
        "Permission denied\n"
    )
    assert "A longer summary" in prepared.read_text()
    assert not [p for p in prepared.parent.iterdir() if p.name.endswith(".tmp")]
