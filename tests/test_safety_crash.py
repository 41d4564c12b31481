"""Crashes: ``kill -9`` at any moment of a save leaves the old or the new version.

A helper process (``python -m tests.procs crash-loop``) imports coopcli once, then
for each kill point forks a child running a real ``coopcli add`` (which appends in
place) or ``coopcli edit`` (which rewrites the file) on a 2 MB file, and kills it
with SIGKILL after a random delay spread over the length of a save. After every
kill the file must be exactly the old bytes, or a complete new version with the
change and nothing else; the backup must be the version before; leftover
temporary files must be ignored by readers and cleaned up by the next write.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from coopcli.storage.store import Store
from tests.conftest import Run
from tests.procs import ROOT, WARM_UP, big_item_file, coopcli_process

KILL_POINTS = 50


def _crash_loop(path: Path, points: int, seed: int, mode: str = "append") -> list[dict[str, Any]]:
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tests.procs", "crash-loop"),
            *(str(path), str(points), str(seed), mode),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


@pytest.mark.slow
def test_kill_9_at_random_points_of_a_save(isolated: Path) -> None:
    # JSON: its writer is C, so a save is mostly writing, syncing and renaming (the
    # TOML writer is pure Python; both share the same atomic replace).
    path = isolated / "news.json"
    big_item_file(path, items=20, summary_bytes=100_000)
    assert path.stat().st_size > 2_000_000
    reports = _crash_loop(path, KILL_POINTS, seed=20211029)
    assert len(reports) == KILL_POINTS + WARM_UP
    count, new, first = 20, [], reports[0]["first_summary"]
    for report in reports:
        point = report["point"]
        assert "error" not in report, report  # never a partial or invalid file
        if report["same"]:
            continue  # killed before the replace: the old bytes, exactly
        # Otherwise a complete new version: this command's change, nothing else.
        if report["command"] == "add":
            count, new = count + 1, sorted([*new, f"New {point}"])
        else:
            first = f"edited {point}"
        assert (report["count"], report["new"], report["first_summary"]) == (
            count,
            new,
            first,
        ), report
        assert report["backup_is_previous"], report
    killed = [r for r in reports if r["killed"]]
    assert all(not r["killed"] for r in reports[:WARM_UP])
    # The delays did reach both sides of the replace, for both kinds of save.
    for command in ("add", "edit"):
        outcomes = {r["same"] for r in killed if r["command"] == command and r["status"] == 9}
        assert True in outcomes, command
    assert any(not r["same"] for r in killed)

    # A temporary file a killed writer left is ignored by readers and removed by
    # the next write (along with any the kills above left).
    leftover = path.with_name(".news.json.killed.tmp")
    leftover.write_bytes(b"half a fi")
    listed = coopcli_process("list", "-n", "1000", "-f", str(path))
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == count  # the index agrees with the file
    added = coopcli_process("add", "-t", "news", "--title", "After", "-f", str(path))
    assert added.returncode == 0, added.stderr
    assert sorted(p.name for p in isolated.iterdir() if p.name.startswith(".")) == []
    assert len(Store(path).load().items) == count + 1


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_kill_9_while_splicing_leaves_the_old_or_the_new_file(isolated: Path, suffix: str) -> None:
    """Backdated adds, edits and removals in the middle of the file, killed at random."""
    path = isolated / f"news{suffix}"
    big_item_file(path, items=480, summary_bytes=4_800)  # within the summary limit
    listed = coopcli_process("list", "-f", str(path))  # the index, as any read makes it
    assert listed.returncode == 0, listed.stderr
    reports = _crash_loop(path, KILL_POINTS, seed=20211030, mode="splice")
    ids = reports[0]["ids"]
    first = reports[0]["first_summary"]
    for report in reports[1:]:
        assert "error" not in report, report  # never a partial or invalid file
        if report["same"]:
            continue
        point = report["point"]
        kind = point % 3
        if kind == 0:
            ids = sorted([f"2021-09-30-new-{point}", *ids])
        elif kind == 1:
            first = f"edited {point}"
        else:
            ids = [i for i in ids if i != f"2021-10-01-item-{point}"]
        assert report["ids"] == ids, report
        assert report["first_summary"] == first, report
        assert report["backup_is_previous"], report
    killed = [r for r in reports if r["killed"]]
    for command in ("add", "edit", "remove"):
        outcomes = {r["same"] for r in killed if r["command"] == command and r["status"] == 9}
        assert True in outcomes, command
    assert any(not r["same"] for r in killed)
    checked = coopcli_process("check", "-f", str(path))
    assert checked.returncode == 0, checked.stderr
    listed = coopcli_process("list", "-n", "1000", "-f", str(path))
    assert len(listed.stdout.splitlines()) == len(ids)  # the index agrees with the file


@pytest.mark.parametrize(
    "name",
    [".news.toml.x1y2z3.tmp", ".news.toml.bak.4242.tmp"],
    ids=["temporary", "staged-backup"],
)
def test_leftovers_are_ignored_and_cleaned_by_the_next_write(
    run: Run, seeded: Path, name: str
) -> None:
    stale = seeded.with_name(name)
    stale.write_text("half a file")
    assert len(run("list").stdout.splitlines()) == 10
    assert stale.exists()  # reading does not touch it
    assert run("add", "-t", "news", "--title", "A", "--date", "2021-11-01").exit_code == 0
    assert not stale.exists()


@pytest.mark.parametrize("link", [True, False], ids=["hard-link", "copy"])
def test_a_backup_left_staged_by_a_killed_writer_is_the_one_restored(
    run: Run, seeded: Path, link: bool
) -> None:
    # A writer killed after its new version went in place, before its staged backup
    # (a hard link to the version it replaced, or a copy) was renamed to news.toml.bak.
    previous = seeded.read_bytes()
    older = seeded.with_name("news.toml.bak")
    older.write_bytes(b"# an older version\n" + previous)
    staged = seeded.with_name(".news.toml.bak.4242.tmp")
    if link:
        os.link(seeded, staged)
    else:
        staged.write_bytes(previous)
    replaced = seeded.with_name(".news.toml.x1y2z3.tmp")
    replaced.write_text(previous.decode("utf-8").replace("ILO country briefs", "Briefs"))
    os.replace(replaced, seeded)
    result = run("restore-backup", "--yes")
    assert result.exit_code == 0, result.stderr
    assert seeded.read_bytes() == previous
    assert "Briefs" in seeded.with_name("news.toml.bak").read_text(encoding="utf-8")
    assert not staged.exists()


def test_a_backup_staged_before_the_replace_is_only_deleted(run: Run, seeded: Path) -> None:
    # Killed before its replace: the staged name is one more link to the current file.
    backup = seeded.with_name("news.toml.bak")
    backup.write_bytes(b"# the backup\n" + seeded.read_bytes())
    before = backup.read_bytes()
    staged = seeded.with_name(".news.toml.bak.4242.tmp")
    os.link(seeded, staged)
    result = run("restore-backup", "--yes")
    assert result.exit_code == 0, result.stderr
    assert seeded.read_bytes() == before  # the backup that was there is the one restored
    assert not staged.exists()


def test_other_files_are_left_alone(run: Run, seeded: Path) -> None:
    mine = [seeded.with_name(n) for n in (".news.toml.txt", ".other.toml.1.tmp", "news.tmp")]
    for path in mine:
        path.write_text("not coopcli's")
    run("add", "-t", "news", "--title", "A", "--date", "2021-11-01")
    assert all(path.read_text() == "not coopcli's" for path in mine)
