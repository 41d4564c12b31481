"""Time coopcli's everyday commands as whole processes, against buku and jrnl.

    python benchmarks/run.py                           # 10,000 and 100,000 items
    python benchmarks/run.py --sizes 1000 --runs 3 --no-peers
    python benchmarks/run.py --peers --save benchmarks/results/latest.json

Every command is a real subprocess with its output into a pipe. Runs are interleaved
(each round runs every operation with every tool in turn), the first round is a
warm-up that is not counted, and the figure is the median wall time; peak memory is
the largest resident set size of the process (``wait4``'s rusage) over the runs.
``add`` works on a fresh copy of the data each run (copied, then read once, untimed,
so that any cache coopcli keeps beside it is warm, as for a user).

The table compares coopcli, with its item file in TOML and in JSON, with the peers on
the same data, and says PASS or FAIL against the targets of the performance issue.
Commands that this coopcli does not have are reported as n/a. The benchmark never
fails on a timing: its exit status is 0 unless it could not run at all.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

# benchmarks/ is not a package: its modules import each other from the script's folder.
import generate
import peers

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"

#: Operation name -> what the table calls it.
OPERATIONS = {
    "version": "start-up (--version)",
    "help": "start-up (--help)",
    "list": "list -n 20",
    "tag": "list --tag T (10%)",
    "search": "search WORD",
    "search_common": "search COMMON (most items)",
    "show": "show ID",
    "add": "add one",
    "stats": "stats",
    "export": "export --format json",
    "add_mid": "add, dated mid-list",
    "edit": "edit a title mid-list",
    "remove": "remove mid-list",
    "import": "import a 20-item feed",
    "pulled": "list -n 20 after a pull",
    "check": "check",
    "export_rss": "export --format rss",
    "export_query": "export --query COMMON",
}
#: Operations that change the data: each run works on a fresh copy, read once untimed.
WRITES = ("add", "add_mid", "edit", "remove", "import", "pulled")
#: Operations that do not read the data: measured once, not at every size.
STARTUP = ("version", "help")
FORMATS = ("toml", "json")
#: Peak memory must stay under this at MEMORY_SIZE items for these operations.
MEMORY_LIMIT_MB = 100.0
MEMORY_SIZE = 100_000
MEMORY_OPS = tuple(op for op in OPERATIONS if op not in ("version", "help"))
#: ``check`` at MEMORY_SIZE items, cold (no index, as in CI), took this long before the
#: item file was read a block at a time: it may not take longer.
CHECK_SECONDS = 3.9
#: The first command after an outside change may take this many times buku's list.
PULLED_FACTOR = {10_000: 1.0, 100_000: 2.0}


def coopcli_argv(op: str, meta: Mapping[str, Any]) -> list[str]:
    """coopcli's arguments for an operation."""
    return {
        "version": ["--version"],
        "help": ["--help"],
        "list": ["list", "-n", "20"],
        "tag": ["list", "--tag", str(meta["tag"])],
        "search": ["search", str(meta["word"])],
        "search_common": ["search", str(meta["common"])],
        "show": ["show", str(meta["show_id"])],
        "add": [
            "add",
            "--type",
            "news",
            "--title",
            peers.ADD_TITLE,
            "--date",
            str(meta["add_date"]),
            "--summary",
            peers.ADD_SUMMARY,
            "--url",
            peers.ADD_URL,
            "--tag",
            peers.ADD_TAG,
        ],
        "stats": ["stats"],
        "export": ["export", "--format", "json"],
        "add_mid": [
            "add",
            *("--type", "news", "--title", peers.ADD_TITLE),
            *("--date", str(meta["show_date"]), "--summary", peers.ADD_SUMMARY),
        ],
        "edit": ["edit", str(meta["show_id"]), "--title", peers.EDIT_TITLE],
        "remove": ["remove", str(meta["show_id"]), "--yes"],
        "import": ["import", "feed.json"],
        "pulled": ["list", "-n", "20"],
        "check": ["check"],
        "export_rss": ["export", "--format", "rss"],
        "export_query": ["export", "--format", "json", "--query", str(meta["common"])],
    }[op]


def default_coopcli() -> list[str]:
    """The coopcli script beside this Python, else ``python -m coopcli``."""
    script = Path(sys.executable).parent / "coopcli"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "coopcli"]


# --- running one process -------------------------------------------------------------


@dataclass
class Outcome:
    """One finished process."""

    seconds: float
    rss_kb: int
    code: int | None
    stdout_bytes: int
    stderr: str
    timed_out: bool


def measure(argv: list[str], env: Mapping[str, str], cwd: Path, timeout: float) -> Outcome:
    """Run ``argv`` with its stdout into a pipe; wall time and the child's own peak RSS.

    ``os.wait4`` gives the rusage of this one process (``RUSAGE_CHILDREN`` would mix in
    every earlier child), so the peak is the command's and nothing else's, with one
    floor: Linux starts a child's peak at the peak of the process it was started from
    (this one, about 20 MB), so this process keeps small (it generates data in another).
    """
    start = time.perf_counter()
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=dict(env),
        cwd=cwd,
        start_new_session=True,
    )
    sizes: list[int] = []
    errors: list[bytes] = []

    def drain_out() -> None:
        assert proc.stdout is not None
        total = 0
        while chunk := proc.stdout.read(1 << 16):
            total += len(chunk)
        sizes.append(total)

    def drain_err() -> None:
        assert proc.stderr is not None
        errors.append(proc.stderr.read())

    readers = [threading.Thread(target=drain_out), threading.Thread(target=drain_err)]
    for reader in readers:
        reader.start()
    expired = threading.Event()

    def kill() -> None:
        expired.set()
        with contextlib.suppress(ProcessLookupError):  # it has just finished
            os.killpg(proc.pid, signal.SIGKILL)

    timer = threading.Timer(timeout, kill)
    timer.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    finally:
        timer.cancel()
    code = os.waitstatus_to_exitcode(status)
    proc.returncode = code  # reaped here: keep Popen from waiting for it again
    for reader in readers:
        reader.join()
    assert proc.stdout is not None
    assert proc.stderr is not None
    proc.stdout.close()
    proc.stderr.close()
    return Outcome(
        seconds=seconds,
        rss_kb=usage.ru_maxrss,  # kilobytes on Linux
        code=code,
        stdout_bytes=sizes[0] if sizes else 0,
        stderr=b"".join(errors).decode("utf-8", "replace"),
        timed_out=expired.is_set(),
    )


# --- tools -----------------------------------------------------------------------------


@dataclass
class Tool:
    """A command-line tool under test, with a data layout per size."""

    name: str
    setup: Callable[[Path, Path], dict[str, str]]  # (home, data dir) -> env
    argv: Callable[[str, Mapping[str, Any]], list[str] | None]
    #: Run untimed after a fresh copy for ``add`` (reads the data once, as a user would).
    warm: Callable[[Mapping[str, Any]], list[str] | None] = lambda meta: None
    #: Replace the data by another version, as ``git pull`` does (for ``pulled``).
    pull: Callable[[Path, Path], None] = lambda home, data: None


def coopcli_tool(command: list[str], fmt: str, cache: Path | None = None) -> Tool:
    """coopcli with its item file in ``fmt`` (toml or json); with ``cache``, every copy
    of the file shares one index cache there (a fresh copy is then a known version
    of the file, as after a checkout, rather than a file never seen)."""

    def setup(home: Path, data: Path) -> dict[str, str]:
        env = peers.base_env(home)
        if cache is not None:
            env["COOPCLI_CACHE_DIR"] = str(cache)
        target = home / f"news.{fmt}"
        home.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(data / f"news.{fmt}", target)
        if (data / "feed.json").exists():
            shutil.copyfile(data / "feed.json", home / "feed.json")
        env["COOPCLI_FILE"] = str(target)
        env["COOPCLI_LOCK_TIMEOUT"] = "60"
        return env

    def argv(op: str, meta: Mapping[str, Any]) -> list[str]:
        return [*command, *coopcli_argv(op, meta)]

    def pull(home: Path, data: Path) -> None:
        # As git does: the new version is written beside the file and renamed over it.
        staged = home / f".news.{fmt}.pulled"
        shutil.copyfile(data / f"news.pulled.{fmt}", staged)
        os.replace(staged, home / f"news.{fmt}")

    return Tool(f"coopcli-{fmt}", setup, argv, warm=lambda meta: argv("list", meta), pull=pull)


def peer_tool(peer: peers.Peer) -> Tool:
    """A peer, driven through :mod:`peers`."""
    return Tool(peer.name, peer.setup, peer.argv)


# --- results -------------------------------------------------------------------------


@dataclass
class Cell:
    """Every run of one operation, with one tool, at one size."""

    status: str = "ok"  # ok | n/a | missing | timeout | error
    message: str = ""
    times: list[float] = field(default_factory=list)
    rss_kb: list[int] = field(default_factory=list)
    output_bytes: int = 0

    @property
    def median(self) -> float | None:
        """Median wall time in seconds, when the operation ran."""
        return statistics.median(self.times) if self.status == "ok" and self.times else None

    @property
    def peak_mb(self) -> float | None:
        """Largest peak RSS over the runs, in MB."""
        return max(self.rss_kb) / 1024 if self.status == "ok" and self.rss_kb else None

    def to_json(self) -> dict[str, Any]:
        """The cell as plain data."""
        data: dict[str, Any] = {"status": self.status}
        if self.message:
            data["message"] = self.message
        if self.median is not None:
            data["median_s"] = round(self.median, 4)
            data["peak_mb"] = round(self.peak_mb or 0.0, 1)
            data["peak_kb"] = max(self.rss_kb)
            data["times_s"] = [round(t, 4) for t in self.times]
            data["output_bytes"] = self.output_bytes
        return data


def is_missing_command(outcome: Outcome) -> bool:
    """coopcli (Click) says a command or an option does not exist: a usage error."""
    return outcome.code == 2 and (
        "No such command" in outcome.stderr or "No such option" in outcome.stderr
    )


#: Exit statuses that are an answer, not a failure: ``check`` finding problems is 1.
ANSWERS = {"check": (0, 1)}


def record(cell: Cell, outcome: Outcome, counted: bool, timeout: float, op: str = "") -> None:
    """Fold one run into its cell; a failure ends the operation's runs for that tool."""
    if outcome.code in ANSWERS.get(op, ()):
        outcome.code = 0
    if outcome.timed_out:
        cell.status, cell.message = "timeout", f"over {timeout:g} s"
    elif is_missing_command(outcome):
        cell.status = "n/a"
        cell.message = (outcome.stderr.strip().splitlines() or [""])[-1]
    elif outcome.code != 0:
        cell.status = "error"
        lines = outcome.stderr.strip().splitlines() or [f"exit status {outcome.code}"]
        cell.message = f"exit {outcome.code}: {lines[-1][:200]}"
    elif counted:
        cell.times.append(outcome.seconds)
        cell.rss_kb.append(outcome.rss_kb)
        cell.output_bytes = outcome.stdout_bytes


def load_data(size: int, root: Path, quiet: bool) -> dict[str, Any]:
    """The generated data for ``size`` items in ``root`` (made once, then reused)."""
    out = root / str(size)
    meta_path = out / "meta.json"
    if meta_path.exists():
        meta: dict[str, Any] = json.loads(meta_path.read_text(encoding="utf-8"))
        if (
            meta.get("seed") == generate.SEED
            and meta.get("items") == size
            and meta.get("layout") == generate.LAYOUT
        ):
            return meta
    if not quiet:
        print(f"generating {size:,} items in {out}", file=sys.stderr)
    # In a process of its own: a command's peak memory as the kernel reports it counts
    # the memory of the process it was started from (see :func:`measure`), so this one
    # must never hold a list of items.
    script = Path(generate.__file__).resolve()
    subprocess.run(
        [sys.executable, str(script), str(size), "--out", str(out)],
        check=True,
        stdout=subprocess.DEVNULL if quiet else sys.stderr,
    )
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    assert isinstance(meta, dict)
    return meta


def run_size(
    size: int,
    tools: list[Tool],
    ops: list[str],
    args: argparse.Namespace,
    workdir: Path,
    label: str = "",
) -> dict[str, dict[str, Cell]]:
    """Every operation with every tool at one size: warm-up rounds, then counted rounds."""
    meta = load_data(size, args.data, args.quiet)
    data = args.data / str(size)
    envs: dict[str, dict[str, str]] = {}
    homes: dict[str, Path] = {}
    for tool in tools:
        homes[tool.name] = workdir / str(size) / tool.name
        envs[tool.name] = tool.setup(homes[tool.name] / "read", data)
    cells = {op: {tool.name: Cell() for tool in tools} for op in ops}
    for op in ops:
        for tool in tools:
            if tool.argv(op, meta) is None:
                cells[op][tool.name] = Cell(status="n/a", message="no such operation")
    rounds = args.warmup + args.runs
    for round_ in range(rounds):
        counted = round_ >= args.warmup
        if not args.quiet:
            which = f"run {round_ - args.warmup + 1}/{args.runs}" if counted else "warm-up"
            print(f"{label or f'{size:,} items'}: {which}", file=sys.stderr)
        for op in ops:
            for tool in tools:
                cell = cells[op][tool.name]
                argv = tool.argv(op, meta)
                if cell.status != "ok" or argv is None:
                    continue
                env, cwd = envs[tool.name], homes[tool.name] / "read"
                if op in WRITES:
                    # A fresh copy every run, read once (untimed) so caches are warm.
                    fresh = homes[tool.name] / "add"
                    shutil.rmtree(fresh, ignore_errors=True)
                    env, cwd = tool.setup(fresh, data), fresh
                    warm = tool.warm(meta)
                    if warm is not None:
                        measure(warm, env, cwd, args.timeout)
                    if op == "pulled":
                        tool.pull(fresh, data)
                outcome = measure(argv, env, cwd, args.timeout)
                record(cell, outcome, counted, args.timeout, op)
    return cells


# --- targets and the table -------------------------------------------------------------


def fmt_time(cell: Cell | None) -> str:
    """A cell's median for the table."""
    if cell is None:
        return "-"
    if cell.median is None:
        return cell.status
    return f"{cell.median:.3f} s"


def fmt_mb(cell: Cell | None) -> str:
    """A cell's peak memory for the table."""
    if cell is None or cell.peak_mb is None:
        return "-"
    return f"{cell.peak_mb:.0f} MB"


def verdicts(
    op: str, size: int | None, mine: Cell, cells: Mapping[str, Cell]
) -> tuple[str, str, str]:
    """(ratio, target, result) of one coopcli cell against the issue's targets."""
    if op in STARTUP:
        peer, factor, target = "jrnl", 1.0, "<= jrnl --version"
    elif op == "search" and size is not None and size >= 100_000:
        peer, factor, target = "buku", 0.5, "<= 0.5x buku"
    elif op == "export" and (size is None or size < 100_000):
        peer, factor, target = "buku", 0.0, ""  # the issue sets export's target at 100k
    elif op in ("check", "export_rss", "export_query"):
        peer, factor, target = "buku", 0.0, ""  # no peer: memory only (check: and time)
    elif op == "pulled":
        factor = PULLED_FACTOR.get(size or 0, 2.0)
        peer, target = "buku", f"<= {factor:g}x buku list"
    else:
        peer, factor, target = "buku", 1.0, "<= buku"
    theirs = cells.get(peer)
    ratio = "-"
    if mine.median is not None and theirs is not None and theirs.median:
        ratio = f"{mine.median / theirs.median:.2f}x {peer}"
    checks: list[bool] = []
    notes: list[str] = []
    if mine.median is None:
        return ratio, target, mine.status
    if factor:
        if theirs is None or theirs.median is None:
            notes.append(f"no {peer}")
        else:
            checks.append(mine.median <= factor * theirs.median)
    if op == "check" and size == MEMORY_SIZE:
        target = f"<= {CHECK_SECONDS:g} s"
        checks.append(mine.median <= CHECK_SECONDS)
    memory_bound = size is not None and size >= MEMORY_SIZE and op in MEMORY_OPS
    if memory_bound:
        target = f"{target}; < {MEMORY_LIMIT_MB:.0f} MB".lstrip("; ")
        checks.append((mine.peak_mb or 0.0) < MEMORY_LIMIT_MB)
    if not target:
        return ratio, "", ""
    if checks and not all(checks):
        return ratio, target, "FAIL"
    if notes:
        return ratio, target, "? (" + ", ".join(notes) + ")"
    return ratio, target, "PASS"


def table_rows(results: dict[str, Any]) -> list[list[str]]:
    """One row per size, operation and coopcli format."""
    rows: list[list[str]] = []
    for size_key, by_op in results["cells"].items():
        size = None if size_key == "start-up" else int(size_key)
        for op, by_tool in by_op.items():
            for fmt in results["formats"]:
                mine = by_tool.get(f"coopcli-{fmt}")
                if mine is None:
                    continue
                ratio, target, result = verdicts(op, size, mine, by_tool)
                rows.append(
                    [
                        "-" if size is None else f"{size:,}",
                        OPERATIONS[op],
                        "-" if op in STARTUP else fmt,
                        fmt_time(mine),
                        fmt_mb(mine),
                        fmt_time(by_tool.get("buku")),
                        fmt_time(by_tool.get("jrnl")),
                        ratio,
                        target,
                        result,
                    ]
                )
                if op in STARTUP:
                    break  # start-up does not read the file: one row, not one per format
    return rows


HEADER = ["items", "operation", "file", "coopcli", "peak", "buku", "jrnl", "ratio", "target"]


def render_table(results: dict[str, Any]) -> str:
    """The results as an aligned plain-text table, then a line of totals."""
    rows = table_rows(results)
    header = [*HEADER, "result"]
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    passed = sum(row[-1] == "PASS" for row in rows)
    failed = sum(row[-1] == "FAIL" for row in rows)
    lines.append("")
    lines.append(f"targets: {passed} PASS, {failed} FAIL (median of {results['runs']} runs)")
    return "\n".join(lines) + "\n"


def markdown_table(results: dict[str, Any]) -> str:
    """The same table in Markdown, for docs/performance.md."""
    rows = table_rows(results)
    header = [*HEADER, "result"]
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(out) + "\n"


def to_json(results: dict[str, Any]) -> dict[str, Any]:
    """Results as plain data (cells turned into dicts)."""
    plain = dict(results)
    plain["cells"] = {
        size: {
            op: {tool: cell.to_json() for tool, cell in by_tool.items()}
            for op, by_tool in ops.items()
        }
        for size, ops in results["cells"].items()
    }
    plain["table"] = [
        dict(zip([*HEADER, "result"], row, strict=True)) for row in table_rows(results)
    ]
    return plain


def from_json(data: dict[str, Any]) -> dict[str, Any]:
    """Saved results back into cells (for ``--table FILE``)."""
    results = dict(data)
    results["cells"] = {}
    for size, ops in data["cells"].items():
        results["cells"][size] = {}
        for op, by_tool in ops.items():
            results["cells"][size][op] = {}
            for tool, raw in by_tool.items():
                cell = Cell(status=raw["status"], message=raw.get("message", ""))
                cell.times = list(raw.get("times_s", []))
                if "peak_kb" in raw:
                    cell.rss_kb = [raw["peak_kb"]]
                elif "peak_mb" in raw:
                    cell.rss_kb = [round(raw["peak_mb"] * 1024)]
                cell.output_bytes = raw.get("output_bytes", 0)
                results["cells"][size][op][tool] = cell
    return results


# --- command line ------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The benchmark's options."""
    parser = argparse.ArgumentParser(
        description="Time coopcli's commands as whole processes, against buku and jrnl.",
        epilog="Example: python benchmarks/run.py --sizes 10000 --runs 5 --peers",
    )
    parser.add_argument(
        "--sizes",
        default="10000,100000",
        help="comma-separated numbers of items (default: 10000,100000)",
    )
    parser.add_argument(
        "--formats", default="toml,json", help="coopcli item-file formats (default: toml,json)"
    )
    parser.add_argument("--runs", type=int, default=5, help="counted runs (default: 5)")
    parser.add_argument("--warmup", type=int, default=1, help="warm-up runs (default: 1)")
    peer_group = parser.add_mutually_exclusive_group()
    peer_group.add_argument(
        "--peers",
        dest="peers",
        action="store_true",
        default=None,
        help="install buku and jrnl into benchmarks/.peers if needed, and measure them",
    )
    peer_group.add_argument(
        "--no-peers", dest="peers", action="store_false", help="measure coopcli only"
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=list(OPERATIONS),
        metavar="OP",
        help=f"only this operation; repeatable ({', '.join(OPERATIONS)})",
    )
    parser.add_argument(
        "--timeout", type=float, default=60.0, help="seconds per command (default: 60)"
    )
    parser.add_argument(
        "--coopcli",
        help="the coopcli command to measure (default: the one installed beside this Python)",
    )
    parser.add_argument(
        "--data",
        type=Path,
        default=DATA,
        metavar="DIR",
        help="where generated data is kept and reused (default: benchmarks/data)",
    )
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument("--save", type=Path, metavar="FILE", help="also save the results as JSON")
    parser.add_argument(
        "--table", type=Path, metavar="FILE", help="print the table of saved results; run nothing"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    parser.add_argument(
        "--keep-cache",
        action="store_true",
        help="one index cache for every fresh copy of coopcli's file (for 1,000,000 items, "
        "where building the index of a file never seen takes minutes)",
    )
    args = parser.parse_args(argv)
    try:
        args.sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        parser.error(f"--sizes: not a list of numbers: {args.sizes!r}")
    if not args.sizes or min(args.sizes) < 1:
        parser.error("--sizes: give at least one size of 1 or more")
    args.formats = [f.strip().lower() for f in args.formats.split(",") if f.strip()]
    if not args.formats or any(f not in FORMATS for f in args.formats):
        parser.error(f"--formats: choose from {', '.join(FORMATS)}")
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be at least 1 and --warmup at least 0")
    if args.timeout <= 0:
        parser.error("--timeout must be more than 0 seconds")
    return args


def save(path: Path, plain: dict[str, Any]) -> None:
    """Write results as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(plain, indent=2, ensure_ascii=False) + "\n", "utf-8")


def tool_version(argv: list[str]) -> str:
    """The first line a ``--version`` prints."""
    try:
        done = subprocess.run(
            argv, capture_output=True, text=True, check=False, timeout=60, stdin=subprocess.DEVNULL
        )
    except OSError as exc:
        return f"unavailable ({exc})"
    return (done.stdout.strip().splitlines() or ["?"])[0]


def git_commit() -> str | None:
    """The commit of the checkout the benchmark runs in, if any."""
    try:
        done = subprocess.run(
            ["git", "-C", str(HERE), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return None
    return done.stdout.strip() or None


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; print the table (or JSON); 0 unless it could not run."""
    args = parse_args(argv)
    if args.table:
        results = from_json(json.loads(args.table.read_text(encoding="utf-8")))
        sys.stdout.write(markdown_table(results) if args.markdown else render_table(results))
        return 0
    command = shlex.split(args.coopcli) if args.coopcli else default_coopcli()
    cache_root = Path(tempfile.mkdtemp(prefix="coopcli-bench-cache-")) if args.keep_cache else None
    tools = [
        coopcli_tool(command, fmt, None if cache_root is None else cache_root / fmt)
        for fmt in args.formats
    ]
    peer_state: dict[str, str] = {}
    if args.peers is not False:
        if args.peers:
            peers.install(quiet=args.quiet)
        for name, peer in peers.PEERS.items():
            if peer.available():
                tools.append(peer_tool(peer))
                peer_state[name] = peer.version() or "?"
            else:
                peer_state[name] = "missing"
                if not args.quiet:
                    print(f"{name}: not installed (use --peers to install it)", file=sys.stderr)
    ops = [op for op in OPERATIONS if not args.only or op in args.only]
    results: dict[str, Any] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "coopcli": tool_version([*command, "--version"]),
        "commit": git_commit(),
        "peers": peer_state,
        "python": platform.python_version(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "runs": args.runs,
        "warmup": args.warmup,
        "sizes": args.sizes,
        "formats": args.formats,
        "data": {},
        "cells": {},
    }
    with tempfile.TemporaryDirectory(prefix="coopcli-bench-") as tmp:
        workdir = Path(tmp)
        startup_ops = [op for op in ops if op in STARTUP]
        data_ops = [op for op in ops if op not in STARTUP]
        if startup_ops:
            # Start-up reads no data: measured once, on the smallest size's layout.
            # The file's format plays no part either: one coopcli, and the peers.
            startup_tools = [tools[0], *tools[len(args.formats) :]]
            results["cells"]["start-up"] = run_size(
                min(args.sizes), startup_tools, startup_ops, args, workdir / "start-up", "start-up"
            )
        for size in args.sizes:
            if data_ops:
                results["cells"][str(size)] = run_size(size, tools, data_ops, args, workdir)
                results["data"][str(size)] = load_data(size, args.data, quiet=True)
            if args.save:  # after each size, so that a long run stopped early keeps its figures
                save(args.save, to_json(results))
    if cache_root is not None:
        shutil.rmtree(cache_root, ignore_errors=True)
    plain = to_json(results)
    if args.save:
        save(args.save, plain)
    if args.json:
        sys.stdout.write(json.dumps(plain, indent=2, ensure_ascii=False) + "\n")
    elif args.markdown:
        sys.stdout.write(markdown_table(results))
    else:
        sys.stdout.write(render_table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
