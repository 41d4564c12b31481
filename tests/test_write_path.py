"""The write path as a user sees it: leftovers of a killed writer, the fast add,
reading errors, and copying a file's unchanged part.

Found by mutation testing (tools/mutate.py): each test pins a behaviour that a small
change to store.py, append.py or atomic.py broke without any other test noticing.
"""

from __future__ import annotations

import errno
import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from coopcli.core.errors import DataError, WriteError
from coopcli.storage import atomic
from coopcli.storage.store import Store
from tests.conftest import EXAMPLES, Run

#: What a writer killed mid-save leaves beside ``news.toml``: its temporary file and
#: the second name it gave the old version (to become the backup).
LEFTOVERS = (".news.toml.x1y2z3.tmp", ".news.toml.bak.4242.tmp")


@pytest.fixture
def other_list(isolated: Path) -> Path:
    """An item file with one item that the example list does not have, to import."""
    path = isolated / "more.toml"
    path.write_text(
        'version = 1\n\n[[items]]\nid = "2021-09-01-harvest"\ntype = "news"\n'
        'title = "Harvest festival"\ndate = 2021-09-01\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    "command",
    [
        ("edit", "2021-10-13", "--title", "Training in Lebanon"),
        ("remove", "2021-10-13", "--yes"),
        ("import", "OTHER"),
        ("add", "-t", "news", "--title", "Backdated", "--date", "2021-01-05"),
    ],
    ids=["edit", "remove", "import", "backdated-add"],
)
def test_a_full_rewrite_removes_what_a_killed_writer_left(
    run: Run, seeded: Path, other_list: Path, command: tuple[str, ...]
) -> None:
    stale = [seeded.with_name(name) for name in LEFTOVERS]
    for path in stale:
        path.write_text("half a file")
    args = [str(other_list) if arg == "OTHER" else arg for arg in command]
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert [path.name for path in stale if path.exists()] == []
    # Only the file, its backup, lock and nothing else coopcli made is left.
    assert sorted(p.name for p in seeded.parent.iterdir() if p.name.startswith(".")) == []
    assert seeded.with_name("news.toml.bak").read_bytes() == (EXAMPLES / "news.toml").read_bytes()


def test_a_fast_add_with_every_field_appends_and_keeps_the_rest(run: Run, seeded: Path) -> None:
    """An add that sorts last is appended, whatever fields it has: the bytes before it,
    a hand-written comment included, stay exactly as they were."""
    seeded.write_text("# Kept by hand\n" + seeded.read_text(encoding="utf-8"), encoding="utf-8")
    assert run("list", "-n", "1").exit_code == 0  # the first read indexes the file
    before = seeded.read_bytes()
    result = run(
        "add", "-t", "news", "--title", "Cooperatives at COP26", "--date", "2021-11-02",
        "--summary", "Climate and cooperatives", "--url", "https://example.org/cop26",
        "--tag", "climate", "--tag", "sse",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    after = seeded.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode() == (
        '\n[[items]]\nid = "2021-11-02-cooperatives"\ntype = "news"\n'
        'title = "Cooperatives at COP26"\ndate = 2021-11-02\n'
        'summary = "Climate and cooperatives"\nurl = "https://example.org/cop26"\n'
        'tags = [\n    "climate",\n    "sse",\n]\n'
    )
    # The next add, with nothing read in between, appends too: the first one kept
    # the index current.
    result = run("add", "-t", "news", "--title", "Next day", "--date", "2021-11-03")
    assert result.exit_code == 0, result.output
    assert seeded.read_bytes().startswith(after)
    assert seeded.read_text(encoding="utf-8").startswith("# Kept by hand\n")


def test_what_a_fast_add_wrote_is_seen_by_every_reader(run: Run, seeded: Path) -> None:
    assert run("list", "-n", "1").exit_code == 0
    run(
        "add", "-t", "spotlight", "--title", "Cooperatives at COP26", "--date", "2021-11-02",
        "--summary", "Climate and cooperatives", "--url", "https://example.org/cop26",
        "--tag", "climate",
    )  # fmt: skip
    listed = json.loads(run("list", "-n", "1", "--format", "json").stdout)
    assert listed == [
        {
            "id": "2021-11-02-cooperatives",
            "type": "spotlight",
            "title": "Cooperatives at COP26",
            "date": "2021-11-02",
            "summary": "Climate and cooperatives",
            "url": "https://example.org/cop26",
            "tags": ["climate"],
        }
    ]
    found = run("search", "--format", "tsv", "climate", "--type", "spotlight")
    assert found.stdout.split("\t")[0] == "2021-11-02-cooperatives"
    assert run("list", "--tag", "climate", "--format", "tsv").stdout.count("\n") == 1
    assert len(run("list", "--format", "tsv").stdout.splitlines()) == 11
    # A second item the same day gets the next free id, found through the index.
    again = run(
        "add", "-t", "news", "--title", "Cooperatives at COP26", "--date", "2021-11-02", "--force"
    )
    assert again.stdout == "2021-11-02-cooperatives-2\n"


def test_an_unreadable_file_is_a_one_line_error(run: Run, isolated: Path) -> None:
    loop = isolated / "loop.toml"
    loop.symlink_to(loop)  # reading it fails: too many levels of symbolic links
    for command in (("list",), ("add", "-t", "news", "--title", "X")):
        result = run("--file", str(loop), *command)
        assert result.exit_code == 1, result.output
        assert result.stderr.endswith(
            f"Error: {loop}: cannot read: {os.strerror(errno.ELOOP)}\n"
        ), result.stderr
    assert loop.is_symlink()


# -- copying the unchanged part of a file ------------------------------------------


def _without_copy_file_range(monkeypatch: pytest.MonkeyPatch, how: str) -> list[int]:
    """Make ``os.copy_file_range`` behave as on a filesystem that lacks it, or (with
    ``how="in-pieces"``) as a kernel that copies less than asked the first time."""
    calls: list[int] = []
    real = os.copy_file_range

    def copy_file_range(
        src: int, dst: int, count: int, offset_src: int | None = None, offset_dst: int | None = None
    ) -> int:
        calls.append(count)
        if how == "unsupported":
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        if how == "in-pieces":
            asked = min(count, 4096) if len(calls) == 1 else count
            return real(src, dst, asked, offset_src, offset_dst)
        return 0  # some filesystems copy nothing and say so

    monkeypatch.setattr(os, "copy_file_range", copy_file_range)
    return calls


@pytest.mark.parametrize("how", ["unsupported", "copies-nothing"])
def test_a_fast_add_without_copy_file_range_copies_by_hand(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    assert run("list", "-n", "1").exit_code == 0
    before = seeded.read_bytes()
    calls = _without_copy_file_range(monkeypatch, how)
    result = run("add", "-t", "news", "--title", "By hand", "--date", "2021-11-01")
    assert result.exit_code == 0, result.output
    assert calls  # the fast path tried the kernel copy first
    assert seeded.read_bytes() == before + (
        b'\n[[items]]\nid = "2021-11-01-hand"\ntype = "news"\n'
        b'title = "By hand"\ndate = 2021-11-01\n'
    )
    assert seeded.with_name("news.toml.bak").read_bytes() == before


@pytest.mark.parametrize("size", [1, (1 << 20) - 1, 1 << 20, (1 << 20) + 5, 3 << 20])
def test_copying_by_hand_copies_every_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: int
) -> None:
    """The copy goes in chunks of a mebibyte: sizes around a chunk's end come out whole."""
    path = tmp_path / "big.bin"
    data = bytes(range(256)) * (size // 256) + bytes(size % 256)
    path.write_bytes(data + b"old tail")
    _without_copy_file_range(monkeypatch, "copies-nothing")
    atomic.atomic_extend(path, len(data), b"new tail", verify=lambda tail: None)
    assert path.read_bytes() == data + b"new tail"


def test_a_copy_in_pieces_stops_at_the_kept_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.bin"
    kept = bytes(range(256)) * 64  # 16 KiB
    path.write_bytes(kept + b"an old tail, longer than the new one")
    calls = _without_copy_file_range(monkeypatch, "in-pieces")
    atomic.atomic_extend(path, len(kept), b"new", verify=lambda tail: None)
    assert path.read_bytes() == kept + b"new"
    assert calls[:2] == [len(kept), len(kept) - 4096]


def test_a_file_that_got_shorter_is_not_replaced(tmp_path: Path) -> None:
    path = tmp_path / "news.toml"
    path.write_bytes(b"0123456789")
    with pytest.raises(WriteError) as caught:
        atomic.atomic_extend(path, 20, b"tail", verify=lambda tail: None)
    assert str(caught.value) == (
        f"{path}: cannot write: the file got shorter while it was being copied; "
        "the file is unchanged"
    )
    assert path.read_bytes() == b"0123456789"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_the_kept_part_and_the_tail_are_verified_apart(tmp_path: Path) -> None:
    path = tmp_path / "news.toml"
    path.write_bytes(b"head|old")
    seen: list[bytes] = []
    atomic.atomic_extend(path, 5, b"new tail", verify=seen.append)
    assert seen == [b"new tail"]  # only what was written, read back from the disk
    assert path.read_bytes() == b"head|new tail"


# -- after a full rewrite ----------------------------------------------------------


def test_loading_leaves_the_garbage_collector_on(seeded: Path) -> None:
    assert gc.isenabled()
    Store(seeded).load()
    assert gc.isenabled()
    seeded.write_text("version = 1\n[[items]]\nid = 3\n", encoding="utf-8")
    with pytest.raises(DataError):
        Store(seeded).load()
    assert gc.isenabled()


def test_after_a_full_rewrite_the_next_reader_needs_no_parsing(run: Run, seeded: Path) -> None:
    """An edit indexes the version it wrote, so the next command reads the index alone
    (it never builds the models) and the next add appends."""
    assert run("edit", "2021-10-13", "--title", "Training in Lebanon").exit_code == 0
    probe = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('models' if 'coopcli.core.models' in sys.modules"
        " else 'light', file=sys.stderr))\n"
        "from coopcli.cli.app import main\n"
        "sys.argv = ['coopcli', *sys.argv[1:]]\n"
        "main()\n"
    )
    for command in (
        ["list", "-n", "1"],
        ["add", "-t", "news", "--title", "X", "--date", "2021-11-05"],
    ):
        result = subprocess.run(
            [sys.executable, "-c", probe, *command],
            capture_output=True, text=True, check=True, timeout=60,
        )  # fmt: skip
        assert result.stderr.strip().endswith("light"), result.stderr


def test_an_import_never_writes_a_value_the_file_would_refuse(run: Run, isolated: Path) -> None:
    """A feed's odd link is not taken as the list's link (it would make the file
    unreadable); its title is, and its items are imported."""
    feed = isolated / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Odd feed</title>'
        "<link>ftp://example.org/news</link><description>d</description><item>"
        "<title>First</title><link>https://example.org/1</link>"
        "<pubDate>Mon, 01 Nov 2021 10:00:00 GMT</pubDate></item></channel></rss>",
        encoding="utf-8",
    )
    result = run("import", str(feed))
    assert result.exit_code == 0, result.output
    text = (isolated / "news.toml").read_text(encoding="utf-8")
    assert text.startswith('version = 1\ntitle = "Odd feed"\ndescription = "d"\n')
    assert "ftp:" not in text
    assert run("check").exit_code == 0
