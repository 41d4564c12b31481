"""Bad input of every kind: one line on stderr, the right exit code, data untouched."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run

ITEM = '[[items]]\nid = "a"\ntype = "news"\ntitle = "A"\ndate = 2021-10-01\n'


def check_refused(run: Run, path: Path, args: list[str], code: int, message: str) -> None:
    before = path.read_bytes() if path.exists() else None
    result = run(*args, "--file", str(path))
    assert result.exit_code == code
    assert result.stdout == ""
    assert result.stderr == f"Error: {message}\n"
    assert "Traceback" not in result.stderr
    assert (path.read_bytes() if path.exists() else None) == before


@pytest.mark.parametrize("command", [["list"], ["add", "-t", "news", "--title", "x"]])
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("version = 1\nitems = [\n", "{p}: invalid TOML: Invalid value at the end of the file"),
        ('version = 1\ntitle = "x\n', "{p}:2:11: invalid TOML: Illegal character '\\n'"),
        (
            ITEM.replace("2021-10-01", "2021-02-30"),
            "{p}:5:8: invalid TOML: Invalid date or datetime",
        ),
        (
            ITEM.replace('title = "A"', 'title = "  "'),
            "{p}:1: items[0]: title must not be empty",
        ),
        (
            ITEM.replace('"news"', '"blog"'),
            "{p}:1: items[0].type: unknown type 'blog' (valid: news, spotlight, champion, "
            "statement, story)",
        ),
        (ITEM + ITEM, "{p}:6: items[1].id: duplicate id 'a' (also items[0])"),
        (
            ITEM + 'colour = "red"\n',
            "{p}:1: items[0]: unknown field 'colour' (from a newer coopcli, or a typo? "
            "refusing the file rather than dropping it)",
        ),
        (
            "version = 2\n" + ITEM,
            "{p}: version: file version 2 is newer than this coopcli understands (up to 1); "
            "upgrade coopcli",
        ),
        ("version = 0\n" + ITEM, "{p}: version: must be 1 or more"),
        (
            ITEM.replace("2021-10-01", "2021-10-01T10:00:00"),
            "{p}:1: items[0].date: must be a date written YYYY-MM-DD",
        ),
        (
            ITEM.replace('title = "A"', 'title = "A"\nurl = "javascript:alert(1)"'),
            "{p}:1: items[0].url: must be an http:// or https:// URL",
        ),
    ],
)
def test_malformed_toml(
    run: Run, news_file: Path, command: list[str], content: str, message: str
) -> None:
    news_file.write_text(content)
    check_refused(run, news_file, command, 1, message.format(p=news_file))


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"version": 1, "items": [', "{p}:1:26: invalid JSON: Expecting value"),
        ("[]", "{p}: expected a JSON object with an 'items' array"),
        (
            '{"items": [{"id": "a", "type": "news", "title": "A", "date": "2021-02-30"}]}',
            "{p}: items[0]: date '2021-02-30' is not a valid date (write it YYYY-MM-DD)",
        ),
        (
            '{"items": [{"id": "a", "type": "news", "title": "A", "date": 1633046400}]}',
            "{p}: items[0].date: must be a date written YYYY-MM-DD",
        ),
        ('{"items": {}}', "{p}: items must be a list, not a table"),
    ],
)
def test_malformed_json(run: Run, isolated: Path, content: str, message: str) -> None:
    path = isolated / "news.json"
    path.write_text(content)
    check_refused(run, path, ["add", "-t", "news", "--title", "x"], 1, message.format(p=path))


def test_not_utf8(run: Run, news_file: Path) -> None:
    news_file.write_bytes(b'version = 1\ntitle = "caf\xe9"\n')
    check_refused(
        run,
        news_file,
        ["list"],
        1,
        f"{news_file}: not valid UTF-8 at byte 24: invalid continuation byte",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["add", "-t", "news", "--title", "x", "--date", "2021-02-30"],
            "impossible date '2021-02-30': day is out of range for month",
        ),
        (
            ["add", "-t", "news", "--title", "x", "--date", "someday"],
            "cannot understand the date 'someday' (use YYYY-MM-DD, '29 October 2021', 'today', "
            "'yesterday' or '3 days ago')",
        ),
        (["add", "-t", "news", "--title", "   "], "title must not be empty"),
        (
            ["add", "-t", "news", "--title", "x", "--url", "not a url"],
            "url: must be an http:// or https:// URL",
        ),
        (
            ["add", "-t", "news", "--title", "x", "--tag", "a,b"],
            "the tag 'a,b' cannot contain a comma or semicolon",
        ),
        (
            ["add", "-t", "news", "--title", "x", "--tag", "a\x1fb"],
            "the tag 'a\\x1fb' cannot contain a control character",
        ),
        (
            ["edit", "2021-10-29-ilo", "--tag", "line\nbreak"],
            "the tag 'line\\nbreak' cannot contain a control character",
        ),
        (
            ["list", "--since", "soon"],
            "cannot understand the date 'soon' (use YYYY-MM-DD, '29 October 2021', 'today', "
            "'yesterday' or '3 days ago')",
        ),
        (["list", "--month", "2021-13"], "impossible month '2021-13': month must be in 1..12"),
        (
            ["list", "--type", "newz"],
            "unknown type 'newz' (valid: news, spotlight, champion, statement, story); "
            "did you mean 'news'?",
        ),
    ],
)
def test_bad_values_are_usage_errors(run: Run, seeded: Path, args: list[str], message: str) -> None:
    check_refused(run, seeded, args, 2, message)


def test_unsupported_suffix(run: Run, isolated: Path) -> None:
    path = isolated / "news.txt"
    check_refused(
        run, path, ["list"], 2, f"{path}: an item file must end in .toml or .json, not '.txt'"
    )


def test_directory_instead_of_file(run: Run, isolated: Path) -> None:
    path = isolated / "dir.toml"
    path.mkdir()
    result = run("list", "--file", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path}: is a directory, not an item file\n"


def test_unwritable_directory(run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Tests run as root in CI, where chmod cannot make a directory read-only,
    # so the refusal the operating system would give is simulated.
    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("coopcli.storage.atomic.tempfile.mkstemp", refuse)
    before = seeded.read_bytes()
    result = run("add", "-t", "news", "--title", "x")
    assert result.exit_code == 4
    assert (
        result.stderr
        == f"Error: {seeded}: cannot write: Permission denied; the file is unchanged\n"
    )
    assert seeded.read_bytes() == before


def test_unwritable_path(run: Run, isolated: Path) -> None:
    path = isolated / "missing-dir" / "news.toml"
    result = run("add", "-t", "news", "--title", "x", "--file", str(path))
    assert result.exit_code == 4
    assert result.stderr == (f"Error: {path}: the directory {path.parent} does not exist\n")
    assert not path.exists()


def test_bad_lock_timeout_variable(run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPCLI_LOCK_TIMEOUT", "soon")
    check_refused(
        run,
        seeded,
        ["add", "-t", "news", "--title", "x"],
        2,
        "COOPCLI_LOCK_TIMEOUT: not a number of seconds: 'soon'",
    )


def test_malformed_config(run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    config = isolated / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("file = \n")
    result = run("list")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {config}: invalid config file: ")


def test_unknown_option_is_usage_error(run: Run, seeded: Path) -> None:
    result = run("list", "--colour")
    assert result.exit_code == 2
    assert "No such option: --colour" in result.stderr
