"""Durability order, and validation before replace.

The order is the one SQLite and git rely on: the temporary file is fsynced, then
``os.replace`` puts it in place, then the directory is fsynced so the rename itself
survives a power cut. And what is about to be written is parsed back and compared
with what was meant before it replaces anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from coopcli.formats import json as json_format
from coopcli.formats import toml as toml_format
from tests.conftest import Run

ADD = ("add", "-t", "news", "--title", "Durable", "--date", "2021-11-01")
EDIT = ("edit", "2021-10-13", "--title", "Durable")


def _record(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Record fsync and replace calls, naming what each fsync was for."""
    calls: list[tuple[str, str]] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        calls.append(("fsync", os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: Any, dst: Any, **kwargs: Any) -> None:
        calls.append(("replace", f"{os.fspath(src)} -> {os.fspath(dst)}"))
        real_replace(src, dst, **kwargs)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return calls


@pytest.mark.parametrize("command", [ADD, EDIT], ids=["add", "edit"])
def test_fsync_then_replace_then_directory_fsync(
    run: Run, seeded: Path, command: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    run("list")  # an index, so that add takes its in-place path
    calls = _record(monkeypatch)
    assert run(*command).exit_code == 0
    mine = [c for c in calls if str(seeded.parent) in c[1] and "/home/" not in c[1]]
    (tmp,) = {
        path for kind, path in mine if kind == "fsync" and Path(path).name.startswith(".news.toml.")
    }
    step = [
        mine.index(("fsync", tmp)),
        mine.index(("replace", f"{tmp} -> {seeded}")),
        mine.index(("fsync", str(seeded.parent))),
    ]
    assert step == sorted(step), mine
    # The backup takes the old version's place only after the new one is in place.
    backup_moves = [i for i, c in enumerate(mine) if c[1].endswith(" -> " + f"{seeded}.bak")]
    assert backup_moves
    assert step[1] < backup_moves[0] < step[2]


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_rewrite_is_checked_before_it_replaces(
    run: Run, isolated: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = isolated / f"news{suffix}"
    monkeypatch.setenv("COOPCLI_FILE", str(path))
    run("add", "-t", "news", "--title", "One", "--date", "2021-10-01")
    run("add", "-t", "news", "--title", "Two", "--date", "2021-10-02")
    before = path.read_bytes()
    codec: Any = toml_format if suffix == ".toml" else json_format
    real_dump = codec.dump

    def lossy_dump(data: dict[str, Any]) -> str:
        # A writer bug that drops the last item: valid, but not what was meant.
        return str(real_dump({**data, "items": data["items"][:-1]}))

    monkeypatch.setattr(codec, "dump", lossy_dump)
    monkeypatch.setenv("COOPCLI_NO_INDEX", "1")  # the full rewrite, not a splice
    result = run("edit", "2021-10-01", "--title", "First")
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {path}: the new version did not read back as written; the file is unchanged\n"
    )
    assert path.read_bytes() == before
    assert not [p for p in isolated.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("suffix", [".toml", ".json"])
@pytest.mark.parametrize("change", ["edit", "remove", "backdated add"])
def test_a_splice_is_checked_before_it_replaces(
    run: Run, isolated: Path, suffix: str, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = isolated / f"news{suffix}"
    monkeypatch.setenv("COOPCLI_FILE", str(path))
    for day in ("01", "02", "03"):
        run("add", "-t", "news", "--title", f"Item {day}", "--date", f"2021-10-{day}")
    before = path.read_bytes()
    from coopcli.storage import blocks

    real_render = blocks.render

    def lossy_render(format: str, item: dict[str, Any]) -> bytes:
        # A writer bug that drops the title: a block, but not what was meant.
        return real_render(format, {**item, "title": "Lost"})

    monkeypatch.setattr(blocks, "render", lossy_render)
    if change == "edit":
        result = run("edit", "2021-10-02", "--title", "Second")
    elif change == "remove":
        # A removal writes no new block: the copy is checked by its length.
        monkeypatch.setattr(os, "ftruncate", lambda fd, size: real_truncate(fd, size + 1))
        result = run("remove", "2021-10-02", "--yes")
    else:
        result = run("add", "-t", "news", "--title", "Between", "--date", "2021-10-02")
    assert result.exit_code == 4, result.stderr
    assert result.stderr == (
        f"Error: {path}: the new version did not read back as written; the file is unchanged\n"
    )
    assert path.read_bytes() == before
    assert not [p for p in isolated.iterdir() if p.name.endswith(".tmp")]


real_truncate = os.ftruncate


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_append_is_checked_before_it_replaces(
    run: Run, isolated: Path, suffix: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = isolated / f"news{suffix}"
    monkeypatch.setenv("COOPCLI_FILE", str(path))
    run("add", "-t", "news", "--title", "One", "--date", "2021-10-01")
    before = path.read_bytes()
    codec: Any = toml_format if suffix == ".toml" else json_format
    real_append = codec.append

    def garbling_append(end: bytes, size: int, item: dict[str, Any]) -> Any:
        keep, tail = real_append(end, size, item)
        return keep, tail.replace(b"Two", b"Tw0")

    monkeypatch.setattr(codec, "append", garbling_append)
    result = run("add", "-t", "news", "--title", "Two", "--date", "2021-10-02")
    assert result.exit_code == 4
    assert result.stderr == (
        f"Error: {path}: the new item did not read back as written; the file is unchanged\n"
    )
    assert path.read_bytes() == before
