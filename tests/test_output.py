"""Output for people and for programs: colour rules, plain pipes, data apart from messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import Run

_SGR = re.compile(r"\x1b\[([0-9;]*)m")


def colour_codes(text: str) -> set[int]:
    """The SGR colour parameters (foreground or background) used in ``text``."""
    found: set[int] = set()
    for params in _SGR.findall(text):
        for part in filter(None, params.split(";")):
            code = int(part)
            if 30 <= code <= 49 or 90 <= code <= 107:
                found.add(code)
    return found


def test_force_color_colours_a_table_even_in_a_pipe(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run("list", "-n", "2", "--format", "table")
    assert colour_codes(result.stdout)
    # Tab-separated lines stay plain whatever FORCE_COLOR says: they are for programs.
    assert "\x1b" not in run("list", "-n", "2").stdout
    assert "\x1b" not in run("show", "2021-10-13").stdout


def test_no_color_wins_over_force_color(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    result = run("list", "-n", "2", "--format", "table")
    assert "2021-10-29-ilo-sheds-light-upon" in result.stdout
    assert colour_codes(result.stdout) == set()


def test_a_table_in_a_pipe_has_no_escape_codes(run: Run, seeded: Path) -> None:
    result = run("list", "-n", "2", "--format", "table")
    assert "\x1b" not in result.stdout
    assert "─" in result.stdout  # box drawing, since a table was asked for


def test_json_into_a_pipe_is_only_json(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    default = isolated / "home" / ".local" / "share" / "coopcli" / "news.toml"
    result = run("list", "--format", "json")
    assert json.loads(result.stdout) == []
    assert result.stderr == (
        f"{default} does not exist yet; `coopcli init` or `coopcli add` creates it.\n"
    )


def test_jsonl_is_one_object_per_line(run: Run, seeded: Path) -> None:
    lines = run("list", "--format", "jsonl", "-n", "3").stdout.splitlines()
    assert [json.loads(line)["id"] for line in lines] == [
        "2021-10-29-ilo-sheds-light-upon",
        "2021-10-28-ilo-country-briefs",
        "2021-10-28-sung-ho-kim",
    ]
