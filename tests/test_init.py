"""``coopcli init`` and the help a newcomer reads first."""

from __future__ import annotations

import re
from pathlib import Path

import pexpect
import pytest
import typer

from coopcli.cli.app import app
from coopcli.storage.store import Store
from tests.conftest import Run
from tests.test_terminal import finish, spawn


def test_init_writes_the_lists_title_link_description_and_types(run: Run, news_file: Path) -> None:
    result = run(
        "init",
        "--title",
        "Cooperative news",
        "--link",
        "https://example.org/news",
        "--description",
        "What our cooperatives do.",
        "--type",
        "brief=News brief",
        "--type",
        "event = Event",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Created {news_file}; `coopcli add` adds the first item.\n"
    assert news_file.read_text() == (
        'version = 1\ntitle = "Cooperative news"\nlink = "https://example.org/news"\n'
        'description = "What our cooperatives do."\n\n[types]\nbrief = "News brief"\n'
        'event = "Event"\n'
    )
    added = run("add", "-t", "brief", "--title", "First", "-d", "2021-11-01")
    assert added.exit_code == 0
    feed = run("export", "--format", "rss").stdout
    assert "<title>Cooperative news</title>" in feed
    assert "<description>What our cooperatives do.</description>" in feed


def test_init_never_replaces_a_list(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    result = run("init", "--title", "New")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: {seeded} already exists; nothing changed\n",
    )
    assert seeded.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--link", "example.org"), "link: must be an http:// or https:// URL"),
        (("--type", "brief"), "--type 'brief': write it KEY=Label, e.g. brief='News brief'"),
        (("--type", "Brief=B"), "--type 'Brief=B': a type key is lower-case letters"),
        (("--type", "news=N"), "--type 'news=N': 'news' is a built-in type already"),
    ],
)
def test_init_refuses_bad_values_and_creates_nothing(
    run: Run, news_file: Path, args: tuple[str, ...], message: str
) -> None:
    result = run("init", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"Error: {message}")
    assert not news_file.exists()


def test_init_without_flags_in_a_script_makes_an_empty_list(run: Run, news_file: Path) -> None:
    assert run("init").exit_code == 0
    assert news_file.read_text() == "version = 1\n"
    assert run("list").exit_code == 0


@pytest.mark.slow
def test_init_asks_on_a_terminal(news_file: Path) -> None:
    child = spawn("init", timeout=300)
    child.expect_exact("Title of the list: ")
    child.sendline("Cooperative news")
    child.expect_exact("Web page it is published at: ")
    child.sendline("not a link")
    child.expect_exact("must be an http:// or https:// URL")
    child.expect_exact("Web page it is published at: ")
    child.sendline("https://example.org/news")
    child.expect_exact("One sentence about it: ")
    child.sendline("")
    child.expect_exact("Types of your own, KEY=Label separated by commas: ")
    child.sendline("brief=News brief, event=Event")
    shown, status = finish(child)
    assert status == 0, shown
    doc = Store(news_file).load()
    assert (doc.title, doc.link, doc.description) == (
        "Cooperative news",
        "https://example.org/news",
        None,
    )
    assert doc.types == {"brief": "News brief", "event": "Event"}
    assert pexpect  # the terminal tests need pexpect


# Help ---------------------------------------------------------------------------------


def test_top_level_help_cuts_no_command_short(run: Run) -> None:
    result = run("--help")
    listed = result.stdout.split("Commands:\n", 1)[1]
    assert "..." not in listed
    names = [line.split()[0] for line in listed.splitlines() if line.strip()]
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert sorted(names) == sorted(commands)


def test_top_level_help_says_what_the_file_holds(run: Run) -> None:
    text = " ".join(run("--help").stdout.split())
    assert "title, link and description (feeds and pages show them)" in text
    assert "a [types] table of its own item types" in text
    assert "`coopcli init` starts one" in text


def test_edit_help_says_the_date_is_kept_and_force_saves(run: Run) -> None:
    text = " ".join(run("edit", "--help").stdout.split())
    assert "Default: today" not in text
    assert "--date DATE A new date" in text
    assert "--force Save even if another item has the same title and date." in text


def test_no_option_shows_a_python_type_as_its_value(run: Run) -> None:
    for command in ("add", "edit", "export", "init", "site"):
        shown = run(command, "--help").stdout
        assert not re.search(r"<(str|int)>", shown), command
        assert "{id}" not in shown


@pytest.mark.slow
def test_init_on_a_terminal_asks_only_for_what_the_flags_leave_out(news_file: Path) -> None:
    child = spawn("init", "--title", "Given", "--type", "brief=Brief", timeout=300)
    child.expect_exact("Web page it is published at: ")
    assert "Title of the list" not in (child.before or "")
    child.sendline("")
    child.expect_exact("One sentence about it: ")
    child.sendline("Our news.")
    shown, status = finish(child)
    assert status == 0, shown
    assert "Types of your own" not in shown
    doc = Store(news_file).load()
    assert (doc.title, doc.link, doc.description, doc.types) == (
        "Given",
        None,
        "Our news.",
        {"brief": "Brief"},
    )
