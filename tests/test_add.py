"""``coopcli add``: new items, ids, dates, duplicates, and what lands on disk."""

from __future__ import annotations

import datetime as dt
import difflib
import json
from pathlib import Path

import pytest

from coopcli.storage.store import Store
from tests.conftest import Run


def load(path: Path) -> list[dict[str, object]]:
    return [item.to_json() for item in Store(path).load().items]


def test_add_prints_id_and_writes_item(run: Run, news_file: Path) -> None:
    result = run(
        "add",
        "--type",
        "news",
        "--title",
        "ILO country briefs",
        "--date",
        "28 October 2021",
        "--summary",
        "Five countries.",
        "--url",
        "https://example.org/briefs",
        "--tag",
        "asia",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2021-10-28-ilo-country-briefs\n"
    assert load(news_file) == [
        {
            "id": "2021-10-28-ilo-country-briefs",
            "type": "news",
            "title": "ILO country briefs",
            "date": "2021-10-28",
            "summary": "Five countries.",
            "url": "https://example.org/briefs",
            "tags": ["asia"],
        }
    ]
    text = news_file.read_text()
    assert "date = 2021-10-28\n" in text
    assert text.startswith("version = 1\n")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2021-10-29", "2021-10-29"),
        ("29 October 2021", "2021-10-29"),
        ("Oct 29 2021", "2021-10-29"),
        ("October 29, 2021", "2021-10-29"),
        ("today", "2026-11-28"),
        ("yesterday", "2026-11-27"),
        ("3 days ago", "2026-11-25"),
    ],
)
def test_add_understands_dates(
    run: Run, news_file: Path, monkeypatch: pytest.MonkeyPatch, typed: str, stored: str
) -> None:
    monkeypatch.setenv("COOPCLI_TODAY", "2026-11-28")
    result = run("add", "-t", "news", "--title", "Dated", "--date", typed)
    assert result.exit_code == 0, result.stderr
    assert load(news_file)[0]["date"] == stored


def test_date_defaults_to_today(run: Run, news_file: Path) -> None:
    result = run("add", "-t", "news", "--title", "Today's item")
    assert result.exit_code == 0
    assert load(news_file)[0]["date"] == dt.date.today().isoformat()


@pytest.mark.parametrize(
    "typed",
    [
        "News",
        "NEWS",
        "spotlight",
        "Spotlight Interviews with Co-operators",
        "COOP Champion",
        "coop champions",
    ],
)
def test_type_matches_key_or_label_any_case(run: Run, news_file: Path, typed: str) -> None:
    result = run("add", "--type", typed, "--title", "T", "--date", "2021-01-01")
    assert result.exit_code == 0, result.stderr
    assert load(news_file)[0]["type"] in {"news", "spotlight", "champion"}


def test_unknown_type_lists_choices_and_suggests(run: Run, news_file: Path) -> None:
    result = run("add", "--type", "spotlite", "--title", "T")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: unknown type 'spotlite' (valid: news, spotlight, champion, statement, story); "
        "did you mean 'spotlight'?\n"
    )
    assert not news_file.exists()


def test_file_declares_its_own_types(run: Run, news_file: Path) -> None:
    news_file.write_text('version = 1\n[types]\nreport = "Annual report"\n')
    assert (
        run(
            "add", "-t", "annual report", "--title", "Report 2021", "--date", "2021-12-01"
        ).exit_code
        == 0
    )
    assert load(news_file)[0]["type"] == "report"


def test_ids_are_slugs_with_suffix_on_collision(run: Run, news_file: Path) -> None:
    first = run("add", "-t", "news", "--title", "Café déjà vu: ILO!", "--date", "2021-10-01")
    second = run("add", "-t", "news", "--title", "Café déjà vu: ILO?", "--date", "2021-10-01")
    assert first.stdout == "2021-10-01-cafe-deja-vu-ilo\n"
    assert second.stdout == "2021-10-01-cafe-deja-vu-ilo-2\n"


def test_duplicate_title_and_date_refused_unless_forced(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    title = "ILO country briefs from the Social and Solidarity Economy project in Asia"
    refused = run("add", "-t", "news", "--title", title.upper(), "--date", "2021-10-28")
    assert refused.exit_code == 1
    assert "already exists: 2021-10-28-ilo-country-briefs" in refused.stderr
    assert seeded.read_bytes() == before
    forced = run("add", "-t", "news", "--title", title, "--date", "2021-10-28", "--force")
    assert forced.exit_code == 0
    assert forced.stdout == "2021-10-28-ilo-country-briefs-2\n"


def test_adding_one_item_changes_only_its_lines(run: Run, seeded: Path) -> None:
    before = seeded.read_text().splitlines(keepends=True)
    run("add", "-t", "story", "--title", "A new story", "--date", "2021-10-23")
    after = seeded.read_text().splitlines(keepends=True)
    diff = [line for line in difflib.ndiff(before, after) if line[:2] in ("+ ", "- ")]
    assert [line[:2] for line in diff] == ["+ "] * 6
    assert "".join(line[2:] for line in diff) == (
        '\n[[items]]\nid = "2021-10-23-new-story"\ntype = "story"\n'
        'title = "A new story"\ndate = 2021-10-23\n'
    )


def test_missing_title_without_terminal_is_usage_error(run: Run, news_file: Path) -> None:
    result = run("add", "--type", "news")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: missing --title (no terminal to ask on; see coopcli add --help)\n"
    )
    assert not news_file.exists()


def test_missing_fields_are_prompted_on_a_terminal(
    run: Run, news_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coopcli.cli.context.interactive", lambda: True)
    result = run("add", "--date", "2021-10-02", input="spotlight\nAn interview\n")
    assert result.exit_code == 0, result.stderr
    assert load(news_file)[0]["title"] == "An interview"


def test_add_to_json_file(run: Run, seeded_json: Path) -> None:
    result = run("add", "-t", "champion", "--title", "New champion", "--date", "2021-11-01")
    assert result.exit_code == 0
    data = json.loads(seeded_json.read_text())
    assert data["items"][-1] == {
        "id": "2021-11-01-new-champion",
        "type": "champion",
        "title": "New champion",
        "date": "2021-11-01",
    }


def test_file_flag_after_and_before_command(run: Run, isolated: Path) -> None:
    after = isolated / "after.toml"
    before = isolated / "before.json"
    assert (
        run(
            "add", "-t", "news", "--title", "A", "--date", "2021-01-01", "--file", str(after)
        ).exit_code
        == 0
    )
    assert (
        run(
            "--file", str(before), "add", "-t", "news", "--title", "B", "--date", "2021-01-01"
        ).exit_code
        == 0
    )
    assert [i["title"] for i in load(after)] == ["A"]
    assert [i["title"] for i in load(before)] == ["B"]


def test_default_file_lives_in_user_data_dir(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    assert run("add", "-t", "news", "--title", "A", "--date", "2021-01-01").exit_code == 0
    assert (isolated / "home" / ".local" / "share" / "coopcli" / "news.toml").exists()


def test_config_file_names_the_item_file(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    config = isolated / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'file = "{isolated / "team.json"}"\n')
    assert run("add", "-t", "news", "--title", "A", "--date", "2021-01-01").exit_code == 0
    assert (isolated / "team.json").exists()
