"""Long output goes through a pager on a terminal, and never into a pipe."""

from __future__ import annotations

import shlex
import stat
from pathlib import Path

import pytest

from coopcli.cli import pager
from tests.conftest import Run


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend stdout is a terminal of 120 x 10."""
    monkeypatch.setattr("coopcli.cli.render.stdout_is_terminal", lambda: True)
    monkeypatch.setenv("LINES", "10")


@pytest.fixture
def paged(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """$PAGER is a script that saves what it is given (and its $LESS) in files."""
    out = isolated / "paged.txt"
    script = isolated / "pager.sh"
    script.write_text(
        f'#!/bin/sh\necho "$LESS" > {shlex.quote(str(out))}.less\ncat > {shlex.quote(str(out))}\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PAGER", f"{shlex.quote(str(script))} --flag")
    return out


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize(
    "args",
    [
        ("list",),
        ("search", "ilo"),
        ("show", "2021-10-29", "--format", "json"),
    ],
)
def test_long_output_on_a_terminal_goes_to_the_pager(
    run: Run, seeded: Path, paged: Path, args: tuple[str, ...]
) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    text = paged.read_text()
    assert "2021-10-29-ilo-sheds-light-upon" in text
    assert Path(f"{paged}.less").read_text() == "FRX\n"


@pytest.mark.usefixtures("terminal")
def test_no_pager_and_short_output_print_directly(run: Run, seeded: Path, paged: Path) -> None:
    direct = run("list", "--no-pager")
    assert "2021-10-29-ilo-sheds-light-upon" in direct.stdout
    short = run("list", "-n", "1", "--format", "tsv")
    assert short.stdout.startswith("2021-10-29-ilo-sheds-light-upon\t")
    shown = run("show", "2021-10-13", "--no-pager")
    assert "Training by ILO" in shown.stdout
    assert not paged.exists()


def test_never_in_a_pipe(
    run: Run, seeded: Path, paged: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINES", "3")
    result = run("list")
    assert len(result.stdout.splitlines()) == 10
    assert not paged.exists()


@pytest.mark.usefixtures("terminal")
@pytest.mark.parametrize("value", ["", "cat", "cat -v"])
def test_an_empty_pager_or_cat_turns_paging_off(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PAGER", value)
    result = run("list")
    assert "2021-10-29-ilo-sheds-light-upon" in result.stdout


@pytest.mark.usefixtures("terminal")
def test_the_config_pager_is_used_when_pager_is_unset(
    run: Run, seeded: Path, paged: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = isolated / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"pager = {shlex.quote(str(isolated / 'pager.sh'))!r}\n".replace("'", '"'))
    monkeypatch.delenv("PAGER")
    result = run("list")
    assert result.stdout == ""
    assert "2021-10-29-ilo-sheds-light-upon" in paged.read_text()


@pytest.mark.usefixtures("terminal")
def test_a_missing_pager_is_a_warning_and_the_text_still_shows(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGER", "/no/such/pager")
    result = run("list")
    assert result.exit_code == 0
    assert "2021-10-29-ilo-sheds-light-upon" in result.stdout
    assert result.stderr == (
        "Warning: cannot run the pager '/no/such/pager': No such file or directory; set PAGER\n"
    )


@pytest.mark.usefixtures("terminal")
def test_a_pager_that_quits_early_is_fine(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAGER", "true")
    result = run("list", "--format", "jsonl")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == ""


def _fail_after_printing() -> None:
    with pager.paging():
        print("partial")
        raise RuntimeError


@pytest.mark.usefixtures("terminal")
def test_an_error_still_shows_what_was_printed(
    paged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(RuntimeError):
        _fail_after_printing()
    assert capsys.readouterr().out == "partial\n"
    assert not paged.exists()


@pytest.mark.parametrize(
    ("text", "width", "rows"),
    [
        ("", 80, 0),
        ("a\nb\n", 80, 2),
        ("x" * 81, 80, 2),
        ("\x1b[1m" + "x" * 80 + "\x1b[0m", 80, 1),
        ("\n\n", 10, 2),
    ],
)
def test_screen_lines(text: str, width: int, rows: int) -> None:
    assert pager.screen_lines(text, width) == rows


@pytest.mark.usefixtures("terminal")
def test_without_less_and_without_a_chosen_pager_output_is_printed(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", "")
    result = run("list", "--format", "tsv")
    assert len(result.stdout.splitlines()) == 10
    assert result.stderr == ""
