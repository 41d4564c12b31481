"""Meta-tests: every command documents itself with an example."""

from __future__ import annotations

import subprocess
import sys

import pytest
import typer

from coopcli import __version__
from coopcli.cli.app import CoopGroup, app
from tests.conftest import Run


def _paths(command: object, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Every command and group, nested ones too, as the words that invoke it."""
    found: list[tuple[str, ...]] = []
    for name, sub in getattr(command, "commands", {}).items():
        found.append((*prefix, name))
        found += _paths(sub, (*prefix, name))
    return found


COMMANDS = sorted(" ".join(path) for path in _paths(typer.main.get_command(app)))


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"coopcli {__version__}\n"


def test_the_meta_test_sees_nested_commands() -> None:
    assert {"add", "list", "config", "config show"} <= set(COMMANDS)


def test_a_run_builds_only_the_command_it_runs() -> None:
    # Typer would turn every command's signature into Click parameters first.
    group = typer.main.get_command(app)
    commands = group.commands  # type: ignore[attr-defined]
    assert sorted(commands) == sorted(CoopGroup.ORDER)  # named without being built
    assert commands._built == {}
    assert commands["list"].name == "list"
    assert list(commands._built) == ["list"]
    assert commands.get("lsit") is None


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_example(run: Run, command: str) -> None:
    result = run(*command.split(), "--help")
    assert result.exit_code == 0
    assert "Example: coopcli " in result.stdout
    # A one-line purpose: the first paragraph after the usage line is one sentence.
    paragraphs = result.stdout.split("\n\n")
    purpose = paragraphs[1].strip()
    assert "\n" not in purpose
    assert purpose.endswith(".")
    assert len(purpose) <= 90


def test_no_arguments_shows_help(run: Run) -> None:
    result = run()
    assert "Usage: coopcli" in result.stdout + result.stderr


def test_python_dash_m_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coopcli", "--version"], capture_output=True, text=True, check=True
    )
    assert result.stdout == f"coopcli {__version__}\n"


def test_version_does_not_import_heavy_modules() -> None:
    code = (
        "import sys; from coopcli.cli.app import app\n"
        "try:\n    app(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('rich', 'pydantic', 'coopcli.core.models') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines()[-1] == "[]"


def test_the_entry_point_answers_version_without_the_cli() -> None:
    code = (
        "import sys\nsys.argv = ['coopcli', '--version']\n"
        "from coopcli.__main__ import main\nmain()\n"
        "print(sorted(m for m in ('typer', 'coopcli.cli.app') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.splitlines() == [f"coopcli {__version__}", "[]"]


def test_the_entry_point_runs_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coopcli", "list", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    assert "Usage: coopcli list" in result.stdout
