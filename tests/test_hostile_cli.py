"""Hostile command lines: random arguments never cause a traceback, a hang, or a change.

Every command of the app (found by walking it, so new commands are covered too) is
given random argument lists made of its own option names, unknown options, and
nasty values: huge numbers, control characters, NUL, empty strings, very long text.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from coopcli.cli.app import app
from tests.conftest import EXAMPLES, Run
from tests.procs import coopcli_process

COMMANDS = typer.main.get_command(app).commands  # type: ignore[attr-defined]

NASTY = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "a\x00b.toml",
            "\x1b[31m",
            "\r\n",
            "-",
            "--",
            "-1",
            "0",
            "nan",
            "inf",
            str(2**64),
            str(10**30),
            "99999999999",
            "-99999999999",
            "9999-12-31",
            "0000-00-00",
            "10000-01-01",
            "2021-02-30",
            "1e308",
            "x" * 100_000,
            "news",
            "today",
            "999999999 days ago",
            "\ud800",
            "\U0010ffff",
            "javascript:alert(1)",
            "news.json",
            "news.toml",
            "2021-10-13",
        ]
    ),
    st.text(max_size=40),
    st.integers().map(str),
)


def _options(name: str) -> list[str]:
    options = [opt for param in COMMANDS[name].params for opt in param.opts if opt.startswith("-")]
    return [*options, "--no-such-option", "-Z", "--help", "--yes"]


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    option = st.sampled_from(_options(name))
    parts = st.one_of(option.map(lambda o: [o]), NASTY.map(lambda v: [v]), st.tuples(option, NASTY))
    return [name, *(arg for part in draw(st.lists(parts, max_size=6)) for arg in part)]


def _safe(args: list[str]) -> bool:
    # Keep writes (export --output, --file) inside the test's directory.
    return not any(arg.startswith(("/", "~")) or ".." in arg for arg in args)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(args=command_lines())
def test_random_command_lines_fail_cleanly(
    args: list[str], isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if not _safe(args):
        return
    monkeypatch.chdir(isolated)
    news = isolated / "news.toml"
    shutil.copy(EXAMPLES / "news.toml", news)
    before = news.read_bytes()
    result = CliRunner().invoke(app, args, input="")
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args,
        result.exception,
    )
    assert "Traceback" not in result.output
    if result.exit_code != 0:
        assert news.read_bytes() == before, args
        assert result.exit_code in (1, 2, 3, 4), (args, result.exit_code)
        last = result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ""
        assert last.startswith("Error:") or "Usage:" in result.stderr, (args, result.stderr)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["list", "-f", "a\x00b.toml"],
            "Error: 'a\\x00b.toml': a file name cannot contain a NUL character",
        ),
        (
            ["add", "-t", "news", "--title", "x", "--date", "99999999999"],
            "Error: cannot understand the date '99999999999'",
        ),
        (["add", "-t", "news", "--title", "x", "--date", "10000-01-01"], "Error: "),
    ],
)
def test_known_hostile_values_give_one_line(seeded: Path, args: list[str], message: str) -> None:
    before = seeded.read_bytes()
    result = CliRunner().invoke(app, args)
    assert result.exit_code in (1, 2)
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert seeded.read_bytes() == before


def test_a_huge_limit_means_all(seeded: Path) -> None:
    result = CliRunner().invoke(app, ["list", "-n", str(10**30)])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 10


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["add", "-t", "news", "--title", "\x1b[2J\x07", "--date", "9" * 400],
        ["remove", "2021-10-13"],  # would ask, but there is no terminal: no hang
        ["add", "--date", "today"],  # a missing title is not prompted for either
        ["list", "--since", "-" * 10_000],
    ],
    ids=["control-and-huge", "remove-unconfirmed", "add-untitled", "long-dashes"],
)
def test_real_processes_without_a_terminal_never_hang(seeded: Path, args: list[str]) -> None:
    before = seeded.read_bytes()
    result = coopcli_process(*args, timeout=60)
    assert result.returncode in (1, 2)
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("Error: ")
    assert seeded.read_bytes() == before


@pytest.mark.parametrize("typed", ["\x1e", "a\x1bb", "x\u2028y", "\x07"])
def test_control_characters_in_a_message_are_shown_escaped(
    typed: str, run: Run, seeded: Path
) -> None:
    """A message quoting what was typed cannot ring, move the cursor or split lines."""
    result = run("check", f"news{typed}.toml")
    assert result.exit_code in (1, 2)
    line = result.stderr.strip()
    assert line.startswith("Error: ")
    assert "\n" not in line
    assert not any(ord(ch) < 32 or 0x7F <= ord(ch) < 0xA0 for ch in line)
