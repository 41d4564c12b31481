"""Real processes for the safety tests: coopcli runs, lock holders, crash loops.

Run as a script (``python -m tests.procs crash-loop FILE POINTS SEED``), it is the
crash helper: it imports coopcli once, then for each kill point forks a child that
runs a real ``coopcli add`` or ``coopcli edit`` on a large file, kills it with
SIGKILL after a random delay, and reports on stdout (one JSON line per point) what
the file looked like afterwards. Forking a warm process makes 50 kill points cost
seconds instead of 50 interpreter start-ups; the test judges the reports.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
#: Saves the crash loop runs to the end before it starts killing.
WARM_UP = 6


def coopcli_process(
    *args: str,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    prefix: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """Run coopcli in a real subprocess (for locking and crash tests).

    ``prefix`` is a command that runs coopcli for it (see :func:`without_root_powers`).
    """
    return subprocess.run(
        [*prefix, sys.executable, "-m", "coopcli", *args],
        stdin=subprocess.DEVNULL,  # never a terminal to ask on, even under a terminal
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
        check=False,
    )


def start_coopcli(
    *args: str, env: dict[str, str] | None = None, inherit: bool = True
) -> subprocess.Popen[str]:
    """Start coopcli without waiting for it (in this environment plus ``env``, or
    only ``env`` when ``inherit`` is false)."""
    return subprocess.Popen(
        [sys.executable, "-m", "coopcli", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**(os.environ if inherit else {}), **(env or {})},
    )


@contextlib.contextmanager
def file_size_limit(limit: int) -> Iterator[None]:
    """Make every file this process writes stop at ``limit`` bytes, for a while.

    That is how a full disk looks to a program: writes fail with EFBIG (Python
    ignores SIGXFSZ, so the process is not killed). Only the soft limit changes, so
    it can be put back.
    """
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


def without_root_powers() -> list[str] | None:
    """A command prefix under which file permissions apply to this user.

    Root ignores a directory's permissions; ``setpriv`` can drop that power
    (CAP_DAC_OVERRIDE). Returns [] for other users, None when it cannot be done.
    """
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    drop = "-dac_override,-dac_read_search"
    return [setpriv, f"--inh-caps={drop}", f"--bounding-set={drop}"]


_HOLDER = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
"""


@contextlib.contextmanager
def lock_held(lock_path: Path, seconds: float = 60) -> Iterator[subprocess.Popen[str]]:
    """Another process holding ``lock_path`` (for ``seconds``, or until killed)."""
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(lock_path), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "locked\n"
        yield holder
    finally:
        if holder.poll() is None:
            holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


def big_item_file(path: Path, items: int, summary_bytes: int) -> None:
    """Write a valid JSON or TOML item file of ``items`` items with long summaries."""
    from coopcli.core.models import NewsFile
    from coopcli.storage.store import Store

    lines = []
    for n in range(items):
        lines.append(
            {
                "id": f"2021-10-01-item-{n}",
                "type": "news",
                "title": f"Item {n}",
                "date": "2021-10-01",
                "summary": f"{n} " + "lorem ipsum " * (summary_bytes // 12),
            }
        )
    doc = NewsFile.model_validate({"version": 1, "items": lines})
    path.write_bytes(Store(path).encode(doc))


def digest(data: bytes) -> str:
    """A short fingerprint of some bytes."""
    return hashlib.sha256(data).hexdigest()[:16]


def _leftovers(directory: Path, name: str) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.startswith(f".{name}."))


def _report(path: Path, before: bytes) -> dict[str, Any]:
    from coopcli.core.errors import CoopError
    from coopcli.storage.store import Store

    after = path.read_bytes()
    report: dict[str, Any] = {
        "same": after == before,
        "leftovers": _leftovers(path.parent, path.name),
    }
    if after == before:
        return report  # the old version, exactly: nothing more to look at
    # A kill between the two renames leaves the backup staged; the next write (or
    # restore-backup) puts it in place before anything else.
    from coopcli.storage.atomic import remove_stale_temporaries

    remove_stale_temporaries(path)
    backup = path.with_name(path.name + ".bak")
    report["backup_is_previous"] = backup.exists() and backup.read_bytes() == before
    try:
        doc = Store(path).parse(after)
    except CoopError as exc:
        report["error"] = str(exc)
        return report
    report["count"] = len(doc.items)
    report["new"] = sorted(item.title for item in doc.items if item.title.startswith("New"))
    # A file cut short can still parse (an empty file is an empty list).
    first = [item.summary or "" for item in doc.items if item.id == "2021-10-01-item-0"]
    report["first_summary"] = first[0][:20] if first else None
    report["ids"] = [item.id for item in doc.items]
    return report


def _command(point: int, path: Path, mode: str) -> list[str]:
    if mode == "splice":
        # Each changes one block in the middle or at the start of the file.
        kind = point % 3
        if kind == 0:
            day = "2021-09-30"  # sorts before every item: inserted, not appended
            return ["add", "-t", "news", "--title", f"New {point}", "-d", day, "-f", str(path)]
        if kind == 1:
            return ["edit", "2021-10-01-item-0", "--summary", f"edited {point}", "-f", str(path)]
        return ["remove", f"2021-10-01-item-{point}", "--yes", "-f", str(path)]
    if point % 2:
        return ["edit", "2021-10-01-item-0", "--summary", f"edited {point}", "-f", str(path)]
    return ["add", "-t", "news", "--title", f"New {point}", "-d", "2021-10-02", "-f", str(path)]


def _run_child(args: list[str]) -> None:
    from coopcli.cli.app import app

    # The child never returns into the helper's loop: it exits or is killed.
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    os.dup2(quiet, 2)
    code = 1
    try:
        app(args=args, prog_name="coopcli")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    finally:
        os._exit(code)


def crash_loop(path: Path, points: int, seed: int, mode: str = "append") -> None:
    """Kill ``points`` real saves of ``path`` at random moments; report each on stdout.

    ``mode`` "append" adds at the end and edits (a splice); "splice" adds before every
    item, edits and removes items in the middle of the file.
    """
    import coopcli.cli.app  # noqa: F401  (imported once, before forking)

    rng = random.Random(seed)
    durations: dict[str, float] = {}
    for point in range(points + WARM_UP):
        # The first rounds run to the end, to time an add and an edit (the first add
        # also builds the index, so the second of each counts).
        kill = point >= WARM_UP
        before = path.read_bytes()
        args = _command(point, path, mode)
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child is killed or exits
            _run_child(args)
        delay = rng.uniform(0, durations[args[0]] * 1.3) if kill else 0.0
        if kill:
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        if not kill:
            durations[args[0]] = time.monotonic() - started
        report = _report(path, before)
        report.update(
            point=point,
            command=args[0],
            killed=kill,
            delay=round(delay, 4),
            status=status,
            seconds=round(time.monotonic() - started, 4),
        )
        print(json.dumps(report), flush=True)


def main(argv: list[str]) -> int:
    """Entry point of the helper script."""
    if argv[:1] == ["crash-loop"]:
        crash_loop(Path(argv[1]), int(argv[2]), int(argv[3]), *argv[4:5])
        return 0
    print(f"usage: python -m tests.procs crash-loop FILE POINTS SEED, not {argv}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
