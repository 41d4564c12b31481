"""``coopcli edit`` and ``remove``: changes keep ids, removal always confirms."""

from __future__ import annotations

from pathlib import Path

import pytest

from coopcli.storage.store import Store
from tests.conftest import Run


def item(path: Path, ref: str) -> dict[str, object]:
    doc = Store(path).load()
    return next(i.to_json() for i in doc.items if i.id == ref)


def test_edit_changes_fields_and_keeps_id(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-04T18:30:00+01:00")
    result = run(
        "edit",
        "2021-10-28-ilo",
        "--title",
        "ILO country briefs (Asia)",
        "--date",
        "30 October 2021",
        "--summary",
        "Briefs from five countries.",
        "--type",
        "story",
        "--tag",
        "asia",
        "--tag",
        "sse",
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "Changed 2021-10-28-ilo-country-briefs: date, summary, tags, title, type, updated\n"
    )
    assert item(seeded, "2021-10-28-ilo-country-briefs") == {
        "id": "2021-10-28-ilo-country-briefs",
        "type": "story",
        "title": "ILO country briefs (Asia)",
        "date": "2021-10-30",
        "summary": "Briefs from five countries.",
        "url": None,
        "tags": ["asia", "sse"],
        # A published item's title and summary changed: a correction, with its time.
        "updated": "2026-12-04T17:30:00Z",
    }


def test_edit_untag_and_clear(run: Run, seeded: Path) -> None:
    run("edit", "2021-10-13", "--tag", "a", "--tag", "b", "--url", "https://x.org")
    assert run("edit", "2021-10-13", "--untag", "A", "--url", "", "--summary", "").exit_code == 0
    data = item(seeded, "2021-10-13-training-by-ilo")
    assert data["tags"] == ["b"]
    assert data["url"] is None
    assert data["summary"] is None


def test_edit_without_changes_is_usage_error(run: Run, seeded: Path) -> None:
    result = run("edit", "2021-10-13")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: nothing to change")


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--title", "  "], 2, "Error: title: String should have at least 1 character\n"),
        (
            ["--date", "2021-02-30"],
            2,
            "Error: impossible date '2021-02-30': day is out of range for month\n",
        ),
        (["--url", "ftp://x.org"], 2, "Error: url: must be an http:// or https:// URL\n"),
        (["--type", "blog"], 2, None),
        (["--untag", "missing"], 2, "Error: 2021-10-13-training-by-ilo has no tag 'missing'\n"),
        (
            [
                "--date",
                "2021-10-28",
                "--title",
                "ILO country briefs from the Social and Solidarity Economy project in Asia",
            ],
            1,
            None,
        ),
    ],
)
def test_bad_edits_change_nothing(
    run: Run, seeded: Path, args: list[str], code: int, message: str | None
) -> None:
    before = seeded.read_bytes()
    result = run("edit", "2021-10-13", *args)
    assert result.exit_code == code
    if message:
        assert result.stderr == message
    assert len(result.stderr.splitlines()) == 1
    assert seeded.read_bytes() == before


def test_remove_with_yes(run: Run, seeded: Path) -> None:
    result = run("remove", "2021-10-13", "2021-10-21", "--yes")
    assert result.exit_code == 0
    assert result.stderr == (
        "Removed 2021-10-13-training-by-ilo\nRemoved 2021-10-21-ayse-turunc-kankal\n"
    )
    assert len(Store(seeded).load().items) == 8


def test_remove_without_terminal_needs_yes(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    result = run("remove", "2021-10-13")
    assert result.exit_code == 2
    assert "add --yes" in result.stderr
    assert seeded.read_bytes() == before


def test_remove_asks_on_a_terminal(run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("coopcli.cli.context.interactive", lambda: True)
    before = seeded.read_bytes()
    declined = run("remove", "2021-10-13", input="n\n")
    assert declined.exit_code == 0
    assert "2021-10-13-training-by-ilo  2021-10-13  Training by ILO" in declined.stderr
    assert "Nothing removed." in declined.stderr
    assert seeded.read_bytes() == before
    accepted = run("remove", "2021-10-13", input="y\n")
    assert accepted.exit_code == 0
    assert len(Store(seeded).load().items) == 9


def test_remove_needs_an_id(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    result = run("remove", "--yes")
    assert result.exit_code == 2
    assert seeded.read_bytes() == before


def test_ids_are_never_renumbered(run: Run, seeded: Path) -> None:
    run("remove", "2021-10-28-ilo", "--yes")
    result = run("add", "-t", "news", "--title", "Sung Ho Kim again", "--date", "2021-10-28")
    assert result.stdout == "2021-10-28-sung-ho-kim-again\n"
    assert item(seeded, "2021-10-28-sung-ho-kim")["type"] == "spotlight"
