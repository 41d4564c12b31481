"""Shared fixtures: every test runs against its own item file, never the user's home."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from coopcli.cli.app import app
from tests.procs import coopcli_process

__all__ = ["EXAMPLES", "Run", "coopcli_process"]

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

Run = Callable[..., Result]


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point coopcli at a file in tmp_path and keep it away from the real home."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local" / "share"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("COOPCLI_FILE", str(tmp_path / "news.toml"))
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("COOPCLI_TODAY", raising=False)
    monkeypatch.delenv("COOPCLI_LOCK_TIMEOUT", raising=False)
    # The user's editor and pager must never open during a test.
    for name in ("VISUAL", "EDITOR", "PAGER", "LESS"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


@pytest.fixture
def news_file(isolated: Path) -> Path:
    """The item file every test uses (it does not exist until something writes it)."""
    return isolated / "news.toml"


@pytest.fixture
def seeded(news_file: Path) -> Path:
    """The item file, holding the ten items of the bundled example."""
    shutil.copy(EXAMPLES / "news.toml", news_file)
    return news_file


@pytest.fixture
def seeded_json(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A JSON item file with the example's ten items, made the default file."""
    path = isolated / "news.json"
    shutil.copy(EXAMPLES / "news.json", path)
    monkeypatch.setenv("COOPCLI_FILE", str(path))
    return path


@pytest.fixture
def run() -> Run:
    """Invoke the CLI as a user would; returns Typer's result (stdout and stderr apart)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke
