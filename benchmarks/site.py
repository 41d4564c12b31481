"""Time ``coopcli site``: a full build, a rebuild after one add, and one after an edit.

    python benchmarks/site.py                  # 10,000 items
    python benchmarks/site.py --sizes 10000 100000

For each size it writes the generated item file (benchmarks/generate.py, always the
same items) to a temporary directory and runs real ``coopcli`` processes: a full
build into an empty directory, a rebuild with nothing changed, a rebuild after
``coopcli add`` of the next day's item, and one after ``coopcli edit`` of an old
item's title. It prints each wall time, how many files each build wrote, and how
much faster the rebuilds are than the full build. It never fails on a timing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

# benchmarks/ is not a package: its modules import each other from the script's folder.
import generate

#: The targets of the site feature, at 10,000 items.
FULL_TARGET = 30.0
SPEED_UP_TARGET = 10.0
_WRITTEN = re.compile(r"\((\d+) written")


def coopcli(*args: str) -> tuple[float, str]:
    """Run coopcli; return the wall time and its stderr."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "coopcli", *args], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"coopcli {' '.join(args)} failed:\n{done.stderr}")
    return seconds, done.stderr


def written(stderr: str) -> str:
    """How many files a build wrote, from its summary line."""
    match = _WRITTEN.search(stderr)
    return match.group(1) if match else "?"


def measure(size: int, workdir: Path) -> list[tuple[str, float, str]]:
    """The timings of every step for ``size`` items."""
    data = generate.items(size)
    item_file = workdir / f"news-{size}.toml"
    item_file.write_text(generate.to_toml(data), encoding="utf-8")
    output = workdir / f"site-{size}"
    common = ["--file", str(item_file), "site", "--output", str(output)]
    common += ["--base-url", "https://news.example.org/"]
    rows = []
    seconds, err = coopcli(*common)
    rows.append(("full build", seconds, written(err)))
    seconds, err = coopcli(*common)
    rows.append(("rebuild, nothing changed", seconds, written(err)))
    next_day = (data[-1].date + dt.timedelta(days=1)).isoformat()
    coopcli("--file", str(item_file), "add", "--type", "news", "--title",
            "Cooperatives at the benchmark summit", "--date", next_day)  # fmt: skip
    seconds, err = coopcli(*common)
    rows.append(("rebuild after add", seconds, written(err)))
    old = data[len(data) // 3].id
    coopcli("--file", str(item_file), "edit", old, "--title", "A corrected title")
    seconds, err = coopcli(*common)
    rows.append(("rebuild after edit", seconds, written(err)))
    return rows


def main(argv: list[str] | None = None) -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000])
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coopcli-site-bench-") as tmp:
        for size in args.sizes:
            rows = measure(size, Path(tmp))
            full = rows[0][1]
            print(f"\n{size:,} items")
            print(f"  {'step':<26} {'seconds':>8} {'files written':>14} {'vs full':>8}")
            for name, seconds, count in rows:
                ratio = "" if name == "full build" else f"{full / seconds:.1f}x"
                print(f"  {name:<26} {seconds:>8.2f} {count:>14} {ratio:>8}")
            if size == 10_000:
                worst = max(seconds for _name, seconds, _count in rows[2:])
                print(
                    f"  targets: full build < {FULL_TARGET:.0f} s: "
                    f"{'PASS' if full < FULL_TARGET else 'FAIL'}; "
                    f"rebuild after one change >= {SPEED_UP_TARGET:.0f}x faster: "
                    f"{'PASS' if full / worst >= SPEED_UP_TARGET else 'FAIL'}"
                )


if __name__ == "__main__":
    main()
