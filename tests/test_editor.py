"""Editing items in $EDITOR: ``coopcli edit ID`` without flags, and ``coopcli add --edit``."""

from __future__ import annotations

import datetime as dt
import json
import re
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import given
from hypothesis import strategies as st

from coopcli.cli import editor
from coopcli.core.errors import UsageError
from coopcli.core.itemtypes import BUILTIN_TYPES
from coopcli.storage.store import Store
from tests.conftest import Run

FAKE_EDITOR = Path(__file__).with_name("fake_editor.py")
ID = "2021-10-28-ilo-country-briefs"

Plan = Callable[..., Path]


@pytest.fixture(autouse=True)
def drafts(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Kept drafts land in the test's own temporary folder."""
    folder = isolated / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    monkeypatch.setenv("TMPDIR", str(folder))
    return folder


def editor_command() -> str:
    return f"{shlex.quote(sys.executable)} {shlex.quote(str(FAKE_EDITOR))}"


@pytest.fixture
def plan(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Plan:
    """Set $EDITOR to the fake editor, following the steps given."""

    def set_plan(*steps: dict[str, Any], variable: str = "EDITOR") -> Path:
        path = isolated / "plan.json"
        path.write_text(json.dumps(list(steps)))
        monkeypatch.setenv("FAKE_EDITOR_PLAN", str(path))
        monkeypatch.setenv(variable, editor_command())
        return path

    return set_plan


def stored(path: Path, ref: str = ID) -> dict[str, object]:
    return next(i.to_json() for i in Store(path).load().items if i.id == ref)


def kept_draft(stderr: str) -> Path:
    found = re.search(r"your text is kept in (\S+)\n", stderr)
    assert found, stderr
    return Path(found.group(1))


def test_edit_opens_the_item_as_toml_listing_the_types(
    run: Run, seeded: Path, plan: Plan, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-04T17:30:00Z")
    seen = isolated / "seen.toml"
    plan(
        {
            "seen": str(seen),
            "sub": [
                [r"^title = .*$", 'title = "ILO country briefs (Asia)"'],
                [r"^tags = .*$", 'tags = ["asia", "sse"]'],
                [r"^date = .*$", 'date = "30 October 2021"'],
            ],
        }
    )
    result = run("edit", "2021-10-28-ilo")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Changed {ID}: date, tags, title, updated\n"
    assert stored(seeded) == {
        "id": ID,
        "type": "news",
        "title": "ILO country briefs (Asia)",
        "date": "2021-10-30",
        "summary": stored(seeded)["summary"],
        "url": None,
        "tags": ["asia", "sse"],
        "updated": "2026-12-04T17:30:00Z",
    }
    text = seen.read_text()
    assert text.startswith(f"# Editing {ID} (its id never changes).\n")
    assert "#   spotlight  Spotlight Interviews with Co-operators\n" in text
    assert "#   champion   COOP Champions\n" in text
    fields = tomli.loads(text)
    assert fields["type"] == "news"
    assert fields["date"] == dt.date(2021, 10, 28)
    assert fields["tags"] == []
    assert list(fields) == ["type", "title", "date", "summary", "url", "tags"]


def test_edit_clears_fields_left_empty(
    run: Run, seeded: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2021-11-02T09:00:00Z")
    run("edit", ID, "--url", "https://example.org/a", "--summary", "Short.", "--tag", "asia")
    plan({"sub": [[r"^url = .*$", 'url = ""'], [r"^summary = .*$", 'summary = ""']]})
    # A second correction of the published item, a minute later.
    monkeypatch.setenv("COOPCLI_NOW", "2021-11-02T09:01:00Z")
    result = run("edit", ID)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == f"Changed {ID}: summary, updated, url\n"
    data = stored(seeded)
    assert (data["summary"], data["url"], data["tags"]) == (None, None, ["asia"])
    assert data["updated"] == "2021-11-02T09:01:00Z"


def test_an_unchanged_item_writes_nothing(run: Run, seeded: Path, plan: Plan) -> None:
    plan({})
    before = seeded.read_bytes()
    result = run("edit", ID)
    assert result.exit_code == 0
    assert result.stderr == f"Changed {ID}: nothing (already so)\n"
    assert seeded.read_bytes() == before


def test_emptying_the_file_cancels(run: Run, seeded: Path, plan: Plan, drafts: Path) -> None:
    plan({"write": "# nothing\n\n"})
    before = seeded.read_bytes()
    result = run("edit", ID)
    assert result.exit_code == 0
    assert result.stderr == "Cancelled; nothing was saved.\n"
    assert seeded.read_bytes() == before
    assert list(drafts.iterdir()) == []


@pytest.mark.parametrize(
    ("sub", "code", "message"),
    [
        ([r"^date = .*$", 'date = "someday"'], 2, "date: cannot understand the date 'someday'"),
        ([r"^date = .*$", "date = 2021-10-28T10:00:00"], 2, "date: must be a date such as"),
        ([r"^title = .*$", 'title = ""'], 2, "title: a title is needed"),
        ([r"^title = .*$", "title = 3"], 2, 'title: must be text in quotes (title = "…")'),
        ([r"^type = .*$", 'type = "blog"'], 2, "unknown type 'blog'"),
        ([r"^url = .*$", 'url = "ftp://x.org"'], 2, "url: must be an http:// or https:// URL"),
        ([r"^tags = .*$", 'tags = "asia"'], 2, "tags: must be a list of text"),
        ([r"^tags = .*$", 'tags = ["a;b"]'], 2, "tags: a tag cannot contain ',' or ';'"),
        ([r"^type = ", 'id = "x"\ntype = '], 2, "id: an item's id never changes"),
        ([r"^type = ", 'author = "me"\ntype = '], 2, "unknown field 'author'"),
        ([r"^type = .*$", "type = "], 1, "edited item:13:8: invalid TOML"),
    ],
)
def test_an_invalid_edit_saves_nothing_and_keeps_the_text(
    run: Run, seeded: Path, plan: Plan, sub: list[str], code: int, message: str
) -> None:
    plan({"sub": [sub]})
    before = seeded.read_bytes()
    result = run("edit", ID)
    assert result.exit_code == code
    assert result.stderr.startswith("Error: the edited item is not valid: ")
    assert message in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert seeded.read_bytes() == before
    draft = kept_draft(result.stderr)
    assert draft.read_text().startswith(f"# Editing {ID}")


def test_the_save_refuses_a_duplicate_and_keeps_the_text(
    run: Run, seeded: Path, plan: Plan
) -> None:
    plan(
        {
            "sub": [
                [
                    r"^title = .*$",
                    'title = "Sung Ho Kim, International Cooperation Department, KFCC"',
                ]
            ]
        }
    )
    before = seeded.read_bytes()
    result = run("edit", ID)
    assert result.exit_code == 1
    assert "an item with this title and date already exists" in result.stderr
    assert "Sung Ho Kim" in kept_draft(result.stderr).read_text()
    assert seeded.read_bytes() == before
    assert run("edit", ID, "--force").exit_code == 0
    assert str(stored(seeded)["title"]).startswith("Sung Ho Kim")


def coopcli(*args: str) -> list[str]:
    return [sys.executable, "-m", "coopcli", *args]


def test_a_change_made_while_the_editor_is_open_is_not_overwritten(
    run: Run, seeded: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    # While "the editor is open", another coopcli changes the same item. It must not
    # wait for a lock (none is held), and its change must survive.
    monkeypatch.setenv("COOPCLI_LOCK_TIMEOUT", "2")
    plan(
        {
            "sub": [[r"^title = .*$", 'title = "Mine"']],
            "run": coopcli("edit", ID, "--summary", "Theirs."),
        }
    )
    result = run("edit", ID)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {ID} was changed elsewhere while you were editing it; nothing was saved, "
        "your text is kept in "
    )
    assert 'title = "Mine"' in kept_draft(result.stderr).read_text()
    data = stored(seeded)
    assert data["summary"] == "Theirs."
    assert data["title"] != "Mine"


def test_an_item_removed_while_the_editor_is_open(run: Run, seeded: Path, plan: Plan) -> None:
    plan({"sub": [[r"^title = .*$", 'title = "Mine"']], "run": coopcli("remove", ID, "--yes")})
    result = run("edit", ID)
    assert result.exit_code == 1
    assert f"Error: {ID} was removed while you were editing it; nothing was saved" in result.stderr
    assert ID not in {item.id for item in Store(seeded).load().items}


def test_other_items_may_change_meanwhile(run: Run, seeded: Path, plan: Plan) -> None:
    plan(
        {
            "sub": [[r"^title = .*$", 'title = "Mine"']],
            "run": coopcli("edit", "2021-10-13", "--summary", "Theirs."),
        }
    )
    result = run("edit", ID)
    assert result.exit_code == 0, result.stderr
    assert stored(seeded)["title"] == "Mine"
    assert stored(seeded, "2021-10-13-training-by-ilo")["summary"] == "Theirs."


def test_an_editor_that_fails(run: Run, seeded: Path, plan: Plan) -> None:
    plan({"sub": [[r"^title = .*$", 'title = "Mine"']], "exit": 3})
    before = seeded.read_bytes()
    result = run("edit", ID)
    assert result.exit_code == 1
    assert re.match(
        r"Error: the editor '.*' exited with status 3; nothing was saved", result.stderr
    )
    assert seeded.read_bytes() == before


def test_an_editor_that_is_not_there(
    run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VISUAL", "/no/such/editor --wait")
    result = run("edit", ID)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: cannot run the editor '/no/such/editor': No such file or directory "
        "(set VISUAL or EDITOR, or 'editor' in the config file); nothing was saved"
    )


def test_visual_wins_and_config_editor_is_used(
    run: Run, seeded: Path, plan: Plan, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan({"sub": [[r"^title = .*$", 'title = "From VISUAL"']]}, variable="VISUAL")
    monkeypatch.setenv("EDITOR", "/no/such/editor")
    assert run("edit", ID).exit_code == 0
    assert stored(seeded)["title"] == "From VISUAL"
    monkeypatch.delenv("VISUAL")
    monkeypatch.delenv("EDITOR")
    config = isolated / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f"editor = {json.dumps(editor_command())}\n")
    assert run("edit", ID).exit_code == 0


def test_without_terminal_or_editor_edit_needs_flags(run: Run, seeded: Path) -> None:
    result = run("edit", ID)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: nothing to change: give at least one of --type")
    added = run("add", "--edit")
    assert added.exit_code == 2
    assert added.stderr.startswith("Error: no editor chosen: set VISUAL or EDITOR")


def test_add_with_the_editor(
    run: Run, news_file: Path, plan: Plan, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_TODAY", "2021-11-02")
    seen = isolated / "seen.toml"
    plan(
        {
            "seen": str(seen),
            "sub": [
                [r"^title = .*$", 'title = "Cooperatives at COP26"'],
                [r"^summary = .*$", 'summary = """\nTwo lines,\nkept."""'],
            ],
        }
    )
    result = run("add", "--edit", "--type", "Spotlight", "--tag", "climate")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2021-11-02-cooperatives\n"
    assert stored(news_file, "2021-11-02-cooperatives") == {
        "id": "2021-11-02-cooperatives",
        "type": "spotlight",
        "title": "Cooperatives at COP26",
        "date": "2021-11-02",
        "summary": "Two lines,\nkept.",
        "url": None,
        "tags": ["climate"],
    }
    text = seen.read_text()
    assert text.startswith("# A new item: fill it in.\n")
    assert 'type = "Spotlight"\ntitle = ""\ndate = 2021-11-02\n' in text


def test_add_with_an_untouched_template_adds_nothing(
    run: Run, news_file: Path, plan: Plan, drafts: Path
) -> None:
    plan({})
    result = run("add", "--edit")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "Cancelled; nothing was added.\n"
    assert not news_file.exists()
    assert list(drafts.iterdir()) == []


def test_add_with_the_editor_keeps_the_text_when_the_save_fails(
    run: Run, seeded: Path, plan: Plan
) -> None:
    plan(
        {
            "sub": [
                [
                    r"^title = .*$",
                    'title = "Training by ILO, ACTED to promote social solidarity through joint '
                    'income-generating activities in Lebanon\u2019s agriculture sector"',
                ]
            ]
        }
    )
    before = seeded.read_bytes()
    result = run("add", "-e", "--type", "news", "--date", "2021-10-13")
    assert result.exit_code == 1
    assert "already exists" in result.stderr
    assert "Training by ILO" in kept_draft(result.stderr).read_text()
    assert seeded.read_bytes() == before


def test_on_a_terminal_an_invalid_edit_reopens_the_editor(
    run: Run, seeded: Path, plan: Plan, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coopcli.cli.context.interactive", lambda: True)
    second = isolated / "second.toml"
    plan(
        {"sub": [[r"^date = .*$", 'date = "someday"'], [r"^title = .*$", 'title = "Kept"']]},
        {"seen": str(second), "sub": [[r"^date = .*$", "date = 2021-10-27"]]},
    )
    result = run("edit", ID, input="y\n")
    assert result.exit_code == 0, result.stderr
    assert "Error: date: cannot understand the date 'someday'" in result.stderr
    assert "Edit it again? [Y/n]" in result.stderr
    assert second.read_text().startswith("# Error: date: cannot understand the date 'someday'")
    assert (stored(seeded)["title"], stored(seeded)["date"]) == ("Kept", "2021-10-27")


def test_on_a_terminal_giving_up_keeps_the_text(
    run: Run, seeded: Path, plan: Plan, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coopcli.cli.context.interactive", lambda: True)
    plan({"sub": [[r"^type = .*$", 'type = "blog"']]})
    before = seeded.read_bytes()
    result = run("edit", ID, input="n\n")
    assert result.exit_code == 2
    assert (
        "Error: the edited item is not valid; nothing was saved, your text is kept in "
        in result.stderr
    )
    assert seeded.read_bytes() == before


text_st = st.text(
    st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85"),
    min_size=1,
    max_size=40,
).filter(lambda t: t.strip() == t and t.strip())
tag_st = st.from_regex(r"[a-z][a-z0-9 -]{0,10}[a-z0-9]", fullmatch=True)


@given(
    type_=st.sampled_from(list(BUILTIN_TYPES)),
    title=text_st,
    date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)),
    summary=st.none() | text_st,
    url=st.none() | st.from_regex(r"https://[a-z]{1,10}\.org/[a-z0-9]{0,8}", fullmatch=True),
    tags=st.lists(tag_st, max_size=4, unique_by=str.casefold),
)
def test_template_and_parse_round_trip(
    type_: str,
    title: str,
    date: dt.date,
    summary: str | None,
    url: str | None,
    tags: list[str],
) -> None:
    data = {"type": type_, "title": title, "date": date, "summary": summary, "url": url}
    text = editor.template({**data, "tags": tags}, BUILTIN_TYPES, item_id="x")
    assert editor.parse(text, BUILTIN_TYPES) == editor.Fields(**data, tags=tags)


def test_an_error_comment_is_replaced_not_piled_up() -> None:
    text = editor.template({"type": "news"}, BUILTIN_TYPES)
    again = editor.with_error(editor.with_error(text, "first"), "second")
    assert again == "# Error: second\n" + text
    with pytest.raises(UsageError, match="title: a title is needed"):
        editor.parse(again, BUILTIN_TYPES)
