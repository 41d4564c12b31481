"""A stand-in for $EDITOR in tests: each run follows the next step of a plan.

The plan is a JSON list in the file named by ``FAKE_EDITOR_PLAN``; step N is used on
the Nth run (the last step repeats). A step may keep a copy of what the editor was
given (``seen``), replace lines by regex (``sub``), replace the whole text
(``write``), run a command while "open" (``run``), and exit with a status (``exit``).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path


def main() -> int:
    """Edit the file named on the command line as the plan says."""
    target = Path(sys.argv[-1])
    plan_path = Path(os.environ["FAKE_EDITOR_PLAN"])
    plan = json.loads(plan_path.read_text())
    counter = plan_path.with_suffix(".runs")
    runs = int(counter.read_text()) if counter.exists() else 0
    counter.write_text(str(runs + 1))
    step = plan[min(runs, len(plan) - 1)]
    text = target.read_text(encoding="utf-8")
    if "seen" in step:
        Path(step["seen"]).write_text(text, encoding="utf-8")
    for pattern, replacement in step.get("sub", []):
        text = re.sub(pattern, replacement, text, flags=re.MULTILINE)
    if "write" in step:
        text = step["write"]
    if "run" in step:
        subprocess.run(step["run"], check=True)
    target.write_text(text, encoding="utf-8")
    return int(step.get("exit", 0))


if __name__ == "__main__":
    raise SystemExit(main())
