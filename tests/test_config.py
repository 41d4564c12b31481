"""The config file and ``coopcli config show``: each setting, and where it came from."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from coopcli import config
from tests.conftest import EXAMPLES, Run


@pytest.fixture
def config_file(isolated: Path) -> Path:
    """Where the config file goes (not written yet)."""
    path = isolated / "home" / ".config" / "coopcli" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def test_show_defaults_into_a_pipe(run: Run, isolated: Path, config_file: Path) -> None:
    result = run("config", "show")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == f"file\t{isolated / 'news.toml'}\tenv COOPCLI_FILE"
    assert lines[1].startswith("editor\t")
    assert lines[1].endswith("\tdefault")
    assert lines[2:] == [
        "pager\tless\tdefault",
        "date_format\t%Y-%m-%d\tdefault",
        "feed.title\t\tdefault",
        "feed.link\t\tdefault",
    ]
    assert result.stderr == (
        f"Config file: {config_file} (not found; every setting has its default)\n"
    )


def test_show_says_where_each_setting_came_from(
    run: Run, isolated: Path, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text(
        'file = "team/news.json"\neditor = "nano -w"\npager = "less -S"\n'
        'date_format = "%d %b %Y"\n\n[feed]\ntitle = "Our news"\n'
        'link = "https://www.example.org/news"\n'
    )
    monkeypatch.delenv("COOPCLI_FILE")
    monkeypatch.setenv("EDITOR", "vim")
    result = run("config", "show", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["config_file"] == {"path": str(config_file), "exists": True}
    where = str(config_file)
    assert data["settings"] == {
        "file": {
            "value": str(config_file.parent / "team" / "news.json"),
            "source": "config",
            "origin": where,
        },
        "editor": {"value": "vim", "source": "env", "origin": "EDITOR"},
        "pager": {"value": "less -S", "source": "config", "origin": where},
        "date_format": {"value": "%d %b %Y", "source": "config", "origin": where},
        "feed.title": {"value": "Our news", "source": "config", "origin": where},
        "feed.link": {
            "value": "https://www.example.org/news",
            "source": "config",
            "origin": where,
        },
    }
    flagged = json.loads(run("--file", "x.toml", "config", "show", "-F", "jsonl").stdout)
    assert flagged["settings"]["file"] == {"value": "x.toml", "source": "flag", "origin": "--file"}


def test_show_as_a_table(run: Run, isolated: Path) -> None:
    result = run("config", "show", "--format", "table")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[1].split() == ["Setting", "Value", "From"]
    assert lines[3].split() == ["file", str(isolated / "news.toml"), "env", "COOPCLI_FILE"]
    assert lines[-2].split() == ["feed.link", "default"]


def test_visual_beats_editor_beats_config(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file.write_text('editor = "nano"\npager = "most"\n')
    assert config.editor_setting().value == "nano"
    monkeypatch.setenv("EDITOR", "vim")
    assert config.editor_setting().value == "vim"
    monkeypatch.setenv("VISUAL", "code --wait")
    assert config.editor_setting() == config.Setting("editor", "code --wait", "env", "VISUAL")
    assert config.pager_setting().value == "most"
    monkeypatch.setenv("PAGER", "")
    assert config.pager_setting() == config.Setting("pager", "", "env", "PAGER")


def test_feed_defaults(config_file: Path) -> None:
    assert config.feed_defaults() == config.FeedDefaults(None, None)
    config_file.write_text('[feed]\ntitle = "Our news"\n')
    assert config.feed_defaults() == config.FeedDefaults("Our news", None)


def test_date_format_changes_only_what_people_see(
    run: Run, seeded: Path, config_file: Path
) -> None:
    config_file.write_text('date_format = "%d %b %Y"\n')
    before = seeded.read_bytes()
    table = run("list", "--on", "2021-10-28", "--format", "table")
    assert "28 Oct 2021" in table.stdout
    assert "2021-10-28-sung-ho-kim" in table.stdout
    shown = run("show", "2021-10-28-sung", "--format", "table")
    assert "date   28 Oct 2021" in shown.stdout
    assert run("list", "--on", "2021-10-28").stdout.split("\t")[1] == "2021-10-28"
    assert json.loads(run("show", "2021-10-28-sung", "-F", "json").stdout)["date"] == "2021-10-28"
    assert seeded.read_bytes() == before


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'colour = "always"\n',
            "unknown key 'colour' (known: file, editor, pager, date_format, feed, site)",
        ),
        ("pager = 3\n", "'pager' must be a string, not an integer"),
        ("editor = true\n", "'editor' must be a string, not a boolean"),
        ('file = ""\n', "'file' must be a path, not empty"),
        ('date_format = "day"\n', "'date_format' must be a strftime format such as '%d %b %Y'"),
        ('feed = "x"\n', "'feed' must be a table ([feed]), not a string"),
        ('[feed]\nauthor = "x"\n', "unknown key 'feed.author' (known: feed.title, feed.link)"),
        ("[feed]\ntitle = 1\n", "'feed.title' must be a string, not an integer"),
        ('[feed]\nlink = "ftp://x.org"\n', "'feed.link' must be an http:// or https:// URL"),
    ],
)
def test_a_bad_config_names_the_file_and_the_key(
    run: Run, seeded: Path, config_file: Path, text: str, message: str
) -> None:
    config_file.write_text(text)
    before = seeded.read_bytes()
    result = run("list")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {config_file}: {message}")
    assert len(result.stderr.splitlines()) == 1
    assert run("config", "show").exit_code == 1
    assert seeded.read_bytes() == before


def test_a_config_that_is_a_directory(run: Run, config_file: Path) -> None:
    config_file.mkdir()
    result = run("config", "show")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {config_file}: is a directory, not a config file\n"


def test_relative_file_is_taken_from_the_config_folder(
    run: Run, config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    shutil.copy(EXAMPLES / "news.toml", config_file.parent / "news.toml")
    config_file.write_text('file = "news.toml"\n')
    result = run("list", "-n", "1")
    assert result.exit_code == 0
    assert result.stdout.startswith("2021-10-29-ilo-sheds-light-upon\t")


def test_default_editor_is_one_that_exists(monkeypatch: pytest.MonkeyPatch) -> None:
    assert shutil.which(config.default_editor()) or config.default_editor() == "vi"
    monkeypatch.setenv("PATH", "")
    assert config.default_editor() == "vi"
