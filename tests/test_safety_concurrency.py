"""Concurrency, with real processes: no add is lost, no edit silently overwritten.

The lock (``<file>.lock``) is held for the whole read-modify-write, so writers
queue up; each one reads the file only once it holds the lock.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from coopcli.storage.store import Store
from tests.procs import coopcli_process, lock_held, start_coopcli

pytestmark = pytest.mark.slow

WRITERS = 50
#: A loaded machine (2 cores, many processes) can take a while to serve 100 writers.
PATIENT = {"COOPCLI_LOCK_TIMEOUT": "300"}


def test_parallel_adds_keep_every_item(isolated: Path) -> None:
    files = [isolated / "news.toml", isolated / "news.json"]
    files[1].write_text('{"version": 1, "items": []}\n')

    def title(n: int) -> str:
        # Half the writers add the same title on the same day: their ids must differ.
        return "Same story" if n % 2 else f"Story {n}"

    # All 100 writers (50 per file) start at once and run side by side. They are not
    # measured for coverage (the in-process tests cover the same code), which would
    # make each start-up several times slower.
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    jobs = [(path, n) for n in range(WRITERS) for path in files]
    started = [
        start_coopcli(
            *("add", "-t", "news", "--title", title(n), "--date", "2021-10-01", "--force"),
            *("-f", str(path)),
            env={**env, **PATIENT},
            inherit=False,
        )
        for path, n in jobs
    ]
    results = [(*process.communicate(timeout=600), process.returncode) for process in started]
    assert [r for r in results if r[2]] == []
    for path in files:
        printed = sorted(r[0].strip() for (p, _), r in zip(jobs, results, strict=True) if p == path)
        items = Store(path).load().items
        assert len(items) == WRITERS
        assert len({i.id for i in items}) == WRITERS
        assert sorted(i.id for i in items) == printed  # each id printed is the one stored
        assert sorted(i.title for i in items) == sorted(title(n) for n in range(WRITERS))
        # Reading goes through the index: it agrees with the file itself.
        listed = coopcli_process("list", "-f", str(path)).stdout.splitlines()
        assert len(listed) == WRITERS


def _waiting(process: subprocess.Popen[str]) -> bool:
    """Whether ``process`` is asleep: waiting for the lock is coopcli's only sleep."""
    try:
        return Path(f"/proc/{process.pid}/wchan").read_text().endswith("nanosleep")
    except OSError:  # pragma: no cover - it exited
        return False


@pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_two_concurrent_edits_both_kept(seeded: Path, isolated: Path, suffix: str) -> None:
    path = isolated / f"edits{suffix}"
    path.write_bytes(Store(path).encode(Store(seeded).load()))
    lock = Path(f"{path}.lock")
    # Both edits start while the lock is held elsewhere, so both are running (and
    # would both have read the old file, were reading not under the lock) before
    # either may write.
    with lock_held(lock) as holder:
        edits = [
            start_coopcli("edit", "2021-10-13", "--summary", "New summary.", "-f", str(path)),
            start_coopcli(
                "edit", "2021-10-13", "--title", "New title", "--tag", "x", "-f", str(path)
            ),
        ]
        deadline = time.monotonic() + 60
        while not all(_waiting(e) for e in edits):
            assert time.monotonic() < deadline, "the edits never reached the lock"
            time.sleep(0.05)
        holder.kill()
    outcomes = [(*e.communicate(timeout=60), e.returncode) for e in edits]
    assert [code for _, _, code in outcomes] == [0, 0], outcomes
    item = next(i for i in Store(path).load().items if i.id == "2021-10-13-training-by-ilo")
    assert (item.summary, item.title, item.tags) == ("New summary.", "New title", ["x"])


def _mixed_command(n: int, path: Path) -> tuple[str, list[str]]:
    """A backdated add, an edit or a removal in the middle of the file: all splices."""
    kind = ("add", "edit", "remove")[n % 3]
    if kind == "add":
        day = f"2021-09-{n % 28 + 1:02d}"
        return kind, ["add", "-t", "news", "--title", f"Added {n}", "-d", day, "-f", str(path)]
    if kind == "edit":
        return kind, ["edit", f"2021-10-01-item-{n}", "--title", f"Edited {n}", "-f", str(path)]
    return kind, ["remove", f"2021-10-01-item-{n}", "--yes", "-f", str(path)]


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_writers_killed_or_not_lose_no_acknowledged_write(isolated: Path, suffix: str) -> None:
    """Rounds of 20 processes adding, editing and removing at once, some killed."""
    import random

    from tests.procs import big_item_file

    path = isolated / f"news{suffix}"
    big_item_file(path, items=200, summary_bytes=2_000)
    assert coopcli_process("list", "-f", str(path)).returncode == 0  # the index
    env = {k: v for k, v in os.environ.items() if not k.startswith("COVERAGE_")}
    rng = random.Random(20211101)
    acknowledged: list[tuple[str, int]] = []
    for round_ in range(3):
        numbers = range(round_ * 20, round_ * 20 + 20)
        started = [
            (
                n,
                *_mixed_command(n, path),
                start_coopcli(*_mixed_command(n, path)[1], env=env, inherit=False),
            )
            for n in numbers
        ]
        doomed = {n for n in numbers if rng.random() < 0.25}
        time.sleep(rng.uniform(0.2, 1.0))  # not a speed assumption: kills land anywhere
        for n, _, _, process in started:
            if n in doomed:
                process.kill()
        for n, kind, _, process in started:
            process.communicate(timeout=600)
            if process.returncode == 0:
                acknowledged.append((kind, n))
            else:
                assert n in doomed, (n, process.returncode)
    assert acknowledged
    checked = coopcli_process("check", "-f", str(path))
    assert checked.returncode == 0, checked.stderr
    items = {item.id: item for item in Store(path).load().items}
    for kind, n in acknowledged:
        if kind == "add":
            assert any(item.title == f"Added {n}" for item in items.values()), n
        elif kind == "edit":
            assert items[f"2021-10-01-item-{n}"].title == f"Edited {n}"
        else:
            assert f"2021-10-01-item-{n}" not in items
    listed = coopcli_process("list", "-n", "100000", "-f", str(path))
    assert len(listed.stdout.splitlines()) == len(items)  # the index agrees with the file


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_forty_writers_at_once_all_succeed_within_the_default_lock_wait(
    isolated: Path, suffix: str
) -> None:
    """The lock is held for milliseconds, so 40 writers need no patience setting."""
    from tests.procs import big_item_file

    path = isolated / f"news{suffix}"
    big_item_file(path, items=200, summary_bytes=2_000)
    assert coopcli_process("list", "-f", str(path)).returncode == 0
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COVERAGE_", "COOPCLI_LOCK"))}
    started = [
        start_coopcli(*_mixed_command(n, path)[1], env=env, inherit=False) for n in range(40)
    ]
    results = [(*process.communicate(timeout=600), process.returncode) for process in started]
    assert [r for r in results if r[2]] == []
    assert coopcli_process("check", "-f", str(path)).returncode == 0
    assert len(Store(path).load().items) == 200 + 14 - 13
