"""Concurrency, with real processes: no add is lost, no edit silently overwritten.

The lock (``<file>.lock``) is held for the whole read-modify-write, so writers
queue up; each one reads the file only once it holds the lock.
"""

from __future__ import annotations

import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from coopcli.store import Store
from tests.procs import coopcli_process, lock_held, start_coopcli

pytestmark = pytest.mark.slow

WRITERS = 50
#: A loaded machine (2 cores, many processes) can take a while to serve 100 writers.
PATIENT = {"COOPCLI_LOCK_TIMEOUT": "300"}


def test_parallel_adds_keep_every_item(isolated: Path) -> None:
    files = [isolated / "news.toml", isolated / "news.json"]
    files[1].write_text('{"version": 1, "items": []}\n')

    def add(job: tuple[Path, int]) -> subprocess.CompletedProcess[str]:
        path, n = job
        # Half the writers add the same title on the same day: their ids must differ.
        title = "Same story" if n % 2 else f"Story {n}"
        return coopcli_process(
            "add",
            "-t",
            "news",
            "--title",
            title,
            "--date",
            "2021-10-01",
            "--force",
            "-f",
            str(path),
            env=PATIENT,
            timeout=300,
        )

    jobs = [(path, n) for n in range(WRITERS) for path in files]
    # Both files are written at once, 50 processes each; a pool starts them as
    # fast as the machine allows without holding 100 interpreters in memory.
    with ThreadPoolExecutor(max_workers=24) as pool:
        results = list(pool.map(add, jobs))
    failed = [r.stderr for r in results if r.returncode]
    assert failed == []
    for path in files:
        printed = sorted(
            r.stdout.strip() for (p, _), r in zip(jobs, results, strict=True) if p == path
        )
        items = Store(path).load().items
        assert len(items) == WRITERS
        assert len({i.id for i in items}) == WRITERS
        assert sorted(i.id for i in items) == printed  # each id printed is the one stored
        assert sorted(i.title for i in items) == sorted(
            "Same story" if n % 2 else f"Story {n}" for n in range(WRITERS)
        )
        # The file coopcli reads through its index agrees with the file itself.
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
