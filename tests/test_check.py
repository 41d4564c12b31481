"""``coopcli check``: every problem of an item file, one line each, for hooks and CI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run

ITEM = '\n[[items]]\nid = "{id}"\ntype = "{type}"\ntitle = "{title}"\ndate = {date}\n'


def item(id_: str, title: str = "A title", date: str = "2021-10-01", type_: str = "news") -> str:
    return ITEM.format(id=id_, title=title, date=date, type=type_)


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPCLI_TODAY", "2021-10-29")


def test_a_good_file_passes(run: Run, seeded: Path) -> None:
    result = run("check")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == f"{seeded}: ok (10 items)\n"


def test_a_good_json_file_passes(run: Run, seeded_json: Path) -> None:
    result = run("check", str(seeded_json))
    assert result.exit_code == 0
    assert result.stderr == f"{seeded_json}: ok (10 items)\n"


def test_every_problem_is_one_line_naming_file_line_item_and_id(run: Run, news_file: Path) -> None:
    news_file.write_text(
        'version = 1\nlink = "ftp://example.org"\n'
        + item("a", "Same")
        + item("b", "same", type_="blog")
        + item("a", "Other")
        + item("c", "Later", date="2021-11-05")
        + item("d", "Soon", date="2021-10-30")
        + item("e").replace("\ndate", '\nurl = "javascript:alert(1)"\ndate')
        + item("f", date="2021-02-30").replace("2021-02-30", '"2021-02-30"')
    )
    result = run("check")
    assert result.exit_code == 1
    p = news_file
    assert result.stdout.splitlines() == [
        f"{p}: link: must be an http:// or https:// URL",
        f"{p}:12: items[1].type (b): unknown type 'blog' (valid: news, spotlight, champion, "
        "statement, story)",
        f"{p}:13: items[1].title (b): same title and date as items[0] (a)",
        f"{p}:17: items[2].id (a): duplicate id (also items[0])",
        f"{p}:26: items[3].date (c): 2021-11-05 is 7 days in the future (more than 1 allowed)",
        f"{p}:38: items[5].url (e): must be an http:// or https:// URL",
        f"{p}:45: items[6].date (f): date '2021-02-30' is not a valid date (write it YYYY-MM-DD)",
    ]
    assert result.stderr == f"{p}: 7 problems\n"
    assert news_file.read_text().startswith("version = 1\n")


def test_the_tolerance_allows_announced_dates(run: Run, news_file: Path) -> None:
    news_file.write_text("version = 1\n" + item("c", "Later", date="2021-11-05"))
    assert run("check", "--tolerance", "7").exit_code == 0
    assert run("check", "--tolerance", "6").exit_code == 1


def test_json_output(run: Run, news_file: Path, seeded_json: Path) -> None:
    news_file.write_text("version = 1\n" + item("a") + item("a", "B"))
    result = run("check", str(seeded_json), str(news_file), "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {
        "ok": False,
        "files": [
            {"file": str(seeded_json), "items": 10, "problems": 0},
            {"file": str(news_file), "items": 2, "problems": 1},
        ],
        "problems": [
            {
                "file": str(news_file),
                "check": "duplicate-id",
                "message": "duplicate id (also items[0])",
                "line": 10,
                "index": 1,
                "id": "a",
                "field": "id",
            }
        ],
    }
    good = run("check", str(seeded_json), "--format", "json")
    assert good.exit_code == 0
    assert json.loads(good.stdout)["ok"] is True


def test_json_item_files_have_no_line_numbers(run: Run, isolated: Path) -> None:
    path = isolated / "list.json"
    entry = {"id": "x", "type": "news", "title": "T", "date": "2021-10-01", "url": "mailto:a@b"}
    path.write_text(json.dumps({"version": 1, "items": [entry]}))
    result = run("check", str(path))
    assert result.stdout == f"{path}: items[0].url (x): must be an http:// or https:// URL\n"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('version = 1\ntitle = "x\n', "{p}:2: invalid TOML: Illegal character '\\n'"),
        (
            "version = 1\n<<<<<<< ours\n" + item("a") + "=======\n>>>>>>> theirs\n",
            "{p}:2: unresolved git conflict: finish the merge; "
            "`coopcli git-setup` makes such merges automatic",
        ),
        ("version = 1\nitems = 3\n", "{p}: items: must be a list of items"),
        ("version = 1\nitems = [1]\n", "{p}: items[0]: must be a table of fields"),
        (
            "version = 1\ncolour = 1\n",
            "{p}: unknown field 'colour' (from a newer coopcli, or a typo? "
            "refusing the file rather than dropping it)",
        ),
    ],
)
def test_files_that_do_not_load(run: Run, news_file: Path, content: str, expected: str) -> None:
    news_file.write_text(content)
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout == expected.format(p=news_file) + "\n"


def test_a_missing_file_is_an_error(run: Run, news_file: Path) -> None:
    result = run("check")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {news_file}: no such file\n"


def test_the_file_own_types_are_known(run: Run, news_file: Path) -> None:
    news_file.write_text('version = 1\n[types]\nreport = "Report"\n' + item("r", type_="Report"))
    assert run("check").exit_code == 0


def test_a_missing_field_points_at_the_item(run: Run, news_file: Path) -> None:
    news_file.write_text("version = 1\n" + item("a").replace('title = "A title"\n', ""))
    result = run("check")
    assert (
        result.stdout == f"{news_file}:3: items[0].title (a): missing the required field 'title'\n"
    )
