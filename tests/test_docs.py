"""The docs cannot drift: every ``console`` example in the README and docs/ is run.

Each fenced block marked ``console`` is a session: its ``$ `` lines run one after
another in a fresh directory holding the bundled example as ``news.toml`` (the
default item file), with today fixed at 2021-11-02, and what each prints (stdout and
stderr, as a terminal shows them) must be the lines that follow it. A line
``(exit status N)`` says the command fails with N. Blocks that show a person typing at
a prompt or in an editor are marked ``text`` instead, and are tested in
test_terminal.py and test_prompts.py.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES

#: ``COOPCLI_UPDATE_DOCS=1 pytest tests/test_docs.py`` writes what coopcli printed back
#: into the pages (then read the diff before committing it).
UPDATE = os.environ.get("COOPCLI_UPDATE_DOCS") == "1"

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_BLOCK = re.compile(r"^```console\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_PYTHON = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
_EXIT = re.compile(r"^\(exit status (\d+)\)$")


@dataclass(frozen=True)
class Step:
    command: str
    output: list[str]
    exit_code: int


def sessions(page: Path) -> list[tuple[int, list[Step]]]:
    """Each console block of ``page``: its line number and its commands."""
    text = page.read_text(encoding="utf-8")
    found = []
    for block in _BLOCK.finditer(text):
        line = text.count("\n", 0, block.start()) + 1
        steps: list[Step] = []
        for raw in block.group(1).splitlines():
            if raw.startswith("$ "):
                steps.append(Step(raw[2:], [], 0))
            elif steps and (code := _EXIT.match(raw)):
                steps[-1] = Step(steps[-1].command, steps[-1].output, int(code.group(1)))
            elif steps:
                steps[-1].output.append(raw)
        found.append((line, steps))
    return found


CASES = [
    pytest.param(page, steps, id=f"{page.relative_to(ROOT)}:{line}")
    for page in PAGES
    for line, steps in sessions(page)
]


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def test_every_page_is_found_and_has_examples() -> None:
    assert {p.name for p in PAGES} >= {"README.md", "commands.md", "formats.md", "teams.md"}
    assert len(CASES) >= 10
    assert len(PYTHON_CASES) >= 2


@pytest.mark.slow
@pytest.mark.parametrize(("page", "steps"), CASES)
def test_console_example_is_what_coopcli_prints(
    page: Path, steps: list[Step], tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(EXAMPLES / "news.toml", work / "news.toml")
    for example in ("listing.txt", "news.json"):
        (work / "examples").mkdir(exist_ok=True)
        shutil.copy(EXAMPLES / example, work / "examples" / example)
    shutil.copy(EXAMPLES / "news.toml", work / "examples" / "news.toml")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name, run in (("coopcli", f"{sys.executable} -m coopcli"), ("python", sys.executable)):
        shim = bin_dir / name
        shim.write_text(f'#!/bin/sh\nexec {run} "$@"\n')
        shim.chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "COOPCLI_FILE": "news.toml",
        "COOPCLI_TODAY": "2021-11-02",
        "COLUMNS": "100",
        "PAGER": "",
        "NO_COLOR": "1",
    }
    for name in ("VISUAL", "EDITOR", "FORCE_COLOR", "COOPCLI_NO_INDEX"):
        env.pop(name, None)
    printed: list[tuple[Step, str, int]] = []
    for step in steps:
        done = subprocess.run(
            ["bash", "-c", step.command],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            timeout=120,
            check=False,
        )
        printed.append((step, done.stdout, done.returncode))
    if UPDATE:
        _rewrite(page, steps, printed)
        return
    for step, output, code in printed:
        where = f"{page.name}: $ {step.command}"
        assert _lines(output) == _lines("\n".join(step.output)), where
        assert code == step.exit_code, where


def _as_block(printed: list[tuple[Step, str, int]]) -> str:
    lines = []
    for step, output, code in printed:
        lines.append(f"$ {step.command}")
        lines.extend(_lines(output))
        if code:
            lines.append(f"(exit status {code})")
    return "\n".join(lines) + "\n"


def _rewrite(page: Path, steps: list[Step], printed: list[tuple[Step, str, int]]) -> None:
    text = page.read_text(encoding="utf-8")
    for block in _BLOCK.finditer(text):
        body = block.group(1)
        if [line[2:] for line in body.splitlines() if line.startswith("$ ")] == [
            s.command for s in steps
        ]:
            start, end = block.span(1)
            page.write_text(text[:start] + _as_block(printed) + text[end:], encoding="utf-8")
            return


PYTHON_CASES = [
    pytest.param(block.group(1), id=f"{page.relative_to(ROOT)}:python{n}")
    for page in PAGES
    for n, block in enumerate(_PYTHON.finditer(page.read_text(encoding="utf-8")), start=1)
]


@pytest.mark.slow
@pytest.mark.parametrize("code", PYTHON_CASES)
def test_python_example_runs(code: str, tmp_path: Path) -> None:
    """The Python examples run as shown, in a directory holding the example list."""
    (tmp_path / "examples").mkdir()
    shutil.copy(EXAMPLES / "news.toml", tmp_path / "news.toml")
    shutil.copy(EXAMPLES / "news.toml", tmp_path / "examples" / "news.toml")
    env = {**os.environ, "COOPCLI_TODAY": "2021-11-02", "XDG_CACHE_HOME": str(tmp_path / "c")}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip()
