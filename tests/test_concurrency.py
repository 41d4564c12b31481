"""Locking and crashes, with real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from coopcli.store import Store
from tests.conftest import coopcli_process

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("suffix", [".toml", ".json"])
def test_parallel_adds_keep_every_item(isolated: Path, suffix: str) -> None:
    path = isolated / f"news{suffix}"

    def add(n: int) -> subprocess.CompletedProcess[str]:
        return coopcli_process(
            "add",
            "-t",
            "news",
            "--title",
            f"Item {n}",
            "--date",
            "2021-10-01",
            "-f",
            str(path),
            # A loaded CI machine can take longer than the default 10 s for 30 writers.
            env={"COOPCLI_LOCK_TIMEOUT": "120"},
        )

    with ThreadPoolExecutor(max_workers=30) as pool:
        results = list(pool.map(add, range(30)))
    assert [r.returncode for r in results] == [0] * 30, [r.stderr for r in results if r.returncode]
    items = Store(path).load().items
    assert sorted(i.title for i in items) == sorted(f"Item {n}" for n in range(30))
    assert len({i.id for i in items}) == 30


def test_lock_held_elsewhere_times_out_cleanly(seeded: Path) -> None:
    import filelock

    before = seeded.read_bytes()
    with filelock.FileLock(f"{seeded}.lock"):
        result = coopcli_process(
            "add", "-t", "news", "--title", "x", env={"COOPCLI_LOCK_TIMEOUT": "0.5"}
        )
    assert result.returncode == 3
    assert result.stderr == (
        f"Error: {seeded}.lock: another coopcli process is still using this file "
        "(waited 0.5 s; set COOPCLI_LOCK_TIMEOUT to wait longer)\n"
    )
    assert seeded.read_bytes() == before


def test_kill_during_save_leaves_old_or_new(isolated: Path) -> None:
    path = isolated / "big.json"
    # A multi-megabyte file makes each save take long enough to be interrupted.
    items = ",".join(
        f'{{"id": "i{n}", "type": "news", "title": "Item {n}", "date": "2021-10-01", '
        f'"summary": "{"x" * 2000}"}}'
        for n in range(1500)
    )
    path.write_text(f'{{"version": 1, "items": [{items}]}}')
    count = 1500
    for attempt in range(3):
        before = path.read_bytes()
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "coopcli",
                "add",
                "-t",
                "news",
                "--title",
                f"New {attempt}",
                "--date",
                "2021-10-02",
                "-f",
                str(path),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.4 + 0.25 * attempt)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        # Either the old bytes exactly, or a complete new version with one more item.
        after = Store(path).load().items
        assert path.read_bytes() == before or len(after) == count + 1
        count = len(after)
    # The next command works: the lock died with the process.
    assert coopcli_process("list", "-n", "1", "-f", str(path)).returncode == 0
