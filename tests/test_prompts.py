"""``coopcli add`` without flags: asks on a terminal, refuses cleanly without one."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coopcli.cli.prompts import type_choices
from coopcli.storage.store import Store
from tests.conftest import Run


@pytest.fixture
def terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend a person is at a terminal (the answers come from the runner's input)."""
    monkeypatch.setattr("coopcli.cli.context.interactive", lambda: True)
    monkeypatch.setenv("COOPCLI_TODAY", "2021-11-02")


def answers(*lines: str) -> str:
    return "".join(line + "\n" for line in lines)


@pytest.mark.usefixtures("terminal")
def test_add_asks_for_each_field_and_checks_each_answer(run: Run, seeded: Path) -> None:
    result = run(
        "add",
        input=answers(
            "blog",  # not a type: asked again
            "2",  # the second type in the list
            "   ",  # no title: asked again
            "Cooperatives at COP26",
            "someday",  # not a date: asked again
            "2 November 2021",
            "What cooperatives bring to the climate talks.",
            "ftp://x.org",  # not http(s): asked again
            "https://www.ilo.org/cop26",
            "climate, sse, ",
            "y",
        ),
    )
    assert result.exit_code == 0, result.stderr
    # The runner echoes the answers to stdout as a terminal would; the id comes last.
    assert result.stdout.splitlines()[-1] == "2021-11-02-cooperatives"
    err = result.stderr
    assert err.startswith(
        "Types:\n  1  news       News\n  2  spotlight  Spotlight Interviews with Co-operators\n"
    )
    assert "Error: unknown type 'blog' (valid: news, spotlight" in err
    assert "Error: title must not be empty" in err
    assert "Error: cannot understand the date 'someday'" in err
    assert "Error: must be an http:// or https:// URL" in err
    assert "Date [2021-11-02]:" in err
    assert "title  Cooperatives at COP26" in err
    assert "type   Spotlight Interviews with Co-operators (spotlight)" in err
    assert "Save this item? [Y/n]:" in err
    item = next(i for i in Store(seeded).load().items if i.id == "2021-11-02-cooperatives")
    assert item.to_json() == {
        "id": "2021-11-02-cooperatives",
        "type": "spotlight",
        "title": "Cooperatives at COP26",
        "date": "2021-11-02",
        "summary": "What cooperatives bring to the climate talks.",
        "url": "https://www.ilo.org/cop26",
        "tags": ["climate", "sse"],
    }


@pytest.mark.usefixtures("terminal")
def test_defaults_give_a_news_item_dated_today(run: Run, news_file: Path) -> None:
    result = run("add", input=answers("", "Short one", "", "", "", "", ""))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "2021-11-02-short-one"
    assert [i.to_json() for i in Store(news_file).load().items] == [
        {
            "id": "2021-11-02-short-one",
            "type": "news",
            "title": "Short one",
            "date": "2021-11-02",
            "summary": None,
            "url": None,
            "tags": [],
        }
    ]


@pytest.mark.usefixtures("terminal")
def test_declining_saves_nothing(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    result = run("add", input=answers("news", "Not this one", "", "", "", "", "n"))
    assert result.exit_code == 0
    assert "2021-" not in result.stdout
    assert result.stderr.endswith("Nothing was added.\n")
    assert seeded.read_bytes() == before


@pytest.mark.usefixtures("terminal")
def test_a_duplicate_is_still_refused(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    title = "Sung Ho Kim, International Cooperation Department, KFCC"
    result = run("add", input=answers("spotlight", title, "2021-10-28", "", "", "", "y"))
    assert result.exit_code == 1
    assert "Error: an item with this title and date already exists" in result.stderr
    assert seeded.read_bytes() == before


@pytest.mark.usefixtures("terminal")
def test_with_some_flags_only_the_missing_ones_are_asked(run: Run, news_file: Path) -> None:
    result = run("add", "--title", "Asked for its type", input=answers("story"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == "Type:"
    assert Store(news_file).load().items[0].type == "story"


def test_without_a_terminal_add_never_waits(isolated: Path, news_file: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "coopcli", "add"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        env=dict(os.environ),
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "Error: missing --type and --title (no terminal to ask on; see coopcli add --help)\n"
    )
    assert result.stdout == ""
    assert not news_file.exists()


def test_type_choices_are_numbered() -> None:
    assert type_choices({"news": "News", "report": "Annual report"}) == (
        "Types:\n  1  news    News\n  2  report  Annual report"
    )


@pytest.mark.usefixtures("terminal")
def test_force_applies_to_the_answers(run: Run, seeded: Path) -> None:
    title = "Sung Ho Kim, International Cooperation Department, KFCC"
    result = run("add", "--force", input=answers("spotlight", title, "2021-10-28", "", "", "", "y"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "2021-10-28-sung-ho-kim-2"
