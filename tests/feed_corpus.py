"""feedparser's own test files through ``coopcli import``, beside feedparser's count.

Each file of ``tests/data/feedparser-tests`` is imported with ``--dry-run --undated
today`` through the CLI, in this process, and its outcome set beside the number of
entries feedparser finds in the same bytes. ``tests/data/feed-corpus-counts.json``
records every outcome, so that a change shows as a number in a diff.

Run ``python -m tests.feed_corpus`` to print the figures, and ``--write`` to record
them after a deliberate change.
"""

from __future__ import annotations

import faulthandler
import io
import json
import re
import sys
import warnings
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from coopcli.cli.app import app

CORPUS = Path(__file__).parent / "data" / "feedparser-tests"
COUNTS = Path(__file__).parent / "data" / "feed-corpus-counts.json"
#: Seconds one file may take before the run is stopped with every thread's stack.
#: Not a speed check (a file takes milliseconds): a hang must end, and say where.
HANG = 300

_SUMMARY = re.compile(r"Would import (\d+) items?(?:, skip (\d+) duplicates?)?")


@dataclass(frozen=True)
class Outcome:
    """What importing one file did, beside feedparser's reading of it."""

    #: Entries feedparser finds (for a JSON Feed, which feedparser 6.0 does not
    #: read, the length of its items array).
    reference: int
    imported: int
    #: Entries read but left out as the same title and date as one before them.
    duplicates: int
    exit_code: int
    stderr: str
    #: The exception that escaped the CLI, as text, if any: always a bug.
    crash: str | None = None

    def record(self) -> list[int]:
        """The figures kept in the counts file."""
        return [self.reference, self.imported, self.duplicates, self.exit_code]

    def problem(self) -> str | None:
        """What is wrong with this outcome, or None: N >= 1 entries as feedparser finds,
        or one clear error line, never a traceback."""
        if self.crash is not None or "Traceback" in self.stderr:
            return f"crashed: {self.crash}"
        if self.exit_code == 0:
            if self.imported < 1:
                return "exit 0 with nothing imported"
            if self.imported + self.duplicates != self.reference:
                return f"read {self.imported + self.duplicates}, feedparser {self.reference}"
            return None
        if self.exit_code not in (1, 2):
            return f"exit {self.exit_code}"
        last = self.stderr.rstrip("\n").rsplit("\n", 1)[-1]
        if not last.startswith("Error: ") or self.imported:
            return f"no one-line error: {self.stderr!r}"
        return None


def files() -> list[Path]:
    """Every feed file of the corpus, in a stable order."""
    return sorted(
        path for path in CORPUS.rglob("*") if path.suffix in (".xml", ".json") and path.is_file()
    )


def name(path: Path) -> str:
    """The file's name in the counts file."""
    return path.relative_to(CORPUS).as_posix()


def reference_count(data: bytes, path: Path) -> int:
    """How many entries feedparser (or, for JSON, the items array) holds."""
    if path.suffix == ".json":
        return len(json.loads(data)["items"])
    import feedparser

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return len(feedparser.parse(io.BytesIO(data)).entries)


def run_one(runner: CliRunner, path: Path) -> Outcome:
    """Import one file as a person would, and read what it said."""
    data = path.read_bytes()
    reference = reference_count(data, path)
    faulthandler.dump_traceback_later(HANG, exit=True)
    try:
        result = runner.invoke(
            app, ["import", "--dry-run", "--undated", "today", str(path)], catch_exceptions=True
        )
    finally:
        faulthandler.cancel_dump_traceback_later()
    crash = None
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = f"{type(result.exception).__name__}: {result.exception}"
    found = _SUMMARY.search(result.stderr) if result.exit_code == 0 else None
    imported = int(found.group(1)) if found else 0
    duplicates = int(found.group(2) or 0) if found else 0
    return Outcome(reference, imported, duplicates, result.exit_code, result.stderr, crash)


def run_one_process(path: Path) -> Outcome:
    """Import one file in a real ``python -m coopcli`` process."""
    from tests.procs import coopcli_process

    data = path.read_bytes()
    result = coopcli_process("import", "--dry-run", "--undated", "today", str(path))
    found = _SUMMARY.search(result.stderr) if result.returncode == 0 else None
    return Outcome(
        reference_count(data, path),
        int(found.group(1)) if found else 0,
        int(found.group(2) or 0) if found else 0,
        result.returncode,
        result.stderr,
    )


_runner: CliRunner | None = None


def _start_worker() -> None:
    global _runner
    # A forked worker inherits the coverage tracer, which would only slow it down:
    # the corpus adds nothing to coverage that the focused tests do not measure.
    sys.settrace(None)
    _runner = CliRunner()


def _run_in_worker(path: Path) -> tuple[str, Outcome]:
    assert _runner is not None
    return name(path), run_one(_runner, path)


def run_all(workers: int = 2) -> dict[str, Outcome]:
    """Every file's outcome, by name; in ``workers`` forked processes where possible."""
    import multiprocessing

    paths = files()
    if workers < 2 or "fork" not in multiprocessing.get_all_start_methods():
        runner = CliRunner()
        return {name(path): run_one(runner, path) for path in paths}
    with multiprocessing.get_context("fork").Pool(workers, initializer=_start_worker) as pool:
        return dict(pool.imap(_run_in_worker, paths, chunksize=25))


def figures(outcomes: dict[str, Outcome]) -> dict[str, int]:
    """The numbers that say how the import does on the corpus."""
    return {
        "files": len(outcomes),
        "feedparser finds entries": sum(1 for o in outcomes.values() if o.reference >= 1),
        "import at least one entry": sum(1 for o in outcomes.values() if o.imported >= 1),
        "as many as feedparser": sum(
            1
            for o in outcomes.values()
            if o.imported >= 1 and o.imported + o.duplicates == o.reference
        ),
        "one-line errors": sum(1 for o in outcomes.values() if o.exit_code in (1, 2)),
        "tracebacks": sum(1 for o in outcomes.values() if o.crash is not None),
    }


def dump(outcomes: dict[str, Outcome]) -> str:
    """The counts file: one line per corpus file (feedparser, imported, duplicates, exit)."""
    lines = [f"  {json.dumps(key)}: {json.dumps(o.record())}" for key, o in outcomes.items()]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def recorded() -> dict[str, list[int]]:
    """The outcomes last recorded."""
    counts: dict[str, list[int]] = json.loads(COUNTS.read_text(encoding="utf-8"))
    return counts


def main(argv: list[str]) -> int:
    """Print the figures; with ``--write``, record the outcomes too."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        os.environ["COOPCLI_FILE"] = str(Path(folder) / "news.toml")
        os.environ["NO_COLOR"] = "1"
        outcomes = run_all()
    for key, value in figures(outcomes).items():
        print(f"{key:>26}: {value}")
    for key, outcome in outcomes.items():
        if (problem := outcome.problem()) is not None:
            print(f"{key}: {problem}")
    if "--write" in argv:
        COUNTS.write_text(dump(outcomes), encoding="utf-8")
        print(f"recorded in {COUNTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
