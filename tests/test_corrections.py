"""Corrections: a published item's changed title or summary records when; feeds and
``coopcli log`` tell the story."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from coopcli import formats
from coopcli.core.models import Item, NewsFile
from tests.conftest import Run

ATOM = "{http://www.w3.org/2005/Atom}"
ID = "2021-10-28-ilo-country-briefs"


def stored(path: Path, item_id: str) -> dict[str, Any]:
    items = tomli.loads(path.read_text())["items"]
    found: dict[str, Any] = next(item for item in items if item["id"] == item_id)
    return found


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("COOPCLI_NOW", "2021-11-02T10:15:30+01:00")
    return "2021-11-02T09:15:30Z"


def test_a_corrected_title_or_summary_records_when(
    run: Run, seeded: Path, frozen: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = run("edit", ID, "--title", "ILO country briefs (corrected)")
    assert result.stderr == f"Changed {ID}: title, updated\n"
    assert stored(seeded, ID)["updated"] == frozen
    monkeypatch.setenv("COOPCLI_NOW", "2021-11-03T08:00:00Z")
    run("edit", ID, "--summary", "Now with a summary.")
    assert stored(seeded, ID)["updated"] == "2021-11-03T08:00:00Z"


@pytest.mark.parametrize(
    "args",
    [
        ("--tag", "asia"),
        ("--url", "https://example.org/x"),
        ("--date", "2021-10-27"),
        ("--title", "ILO country briefs from the Social and Solidarity Economy project in Asia"),
    ],
)
def test_other_changes_are_not_corrections(
    run: Run, seeded: Path, frozen: str, args: tuple[str, ...]
) -> None:
    assert run("edit", ID, *args).exit_code == 0
    assert "updated" not in stored(seeded, ID)


def test_drafts_and_embargoed_items_are_not_corrected(
    run: Run, news_file: Path, frozen: str
) -> None:
    draft = run("add", "-t", "news", "--title", "Draft", "--draft").stdout.strip()
    later = run(
        "add", "-t", "news", "--title", "Later", "--embargo", "2021-12-01 09:00 Europe/Zurich"
    ).stdout.strip()
    for item_id in (draft, later):
        assert run("edit", item_id, "--title", "Retitled " + item_id).exit_code == 0
        assert "updated" not in stored(news_file, item_id)


def test_show_gives_the_correction_time(run: Run, seeded: Path, frozen: str) -> None:
    run("edit", ID, "--title", "Corrected")
    assert f"updated: {frozen}\n" in run("show", ID, "--format", "tsv").stdout
    assert json.loads(run("show", ID, "--format", "json").stdout)["updated"] == frozen


def test_feeds_carry_the_correction(run: Run, seeded: Path, frozen: str) -> None:
    plain_rss = run("export", "--format", "rss").stdout
    assert "xmlns:atom" not in plain_rss
    run("edit", ID, "--title", "Corrected")

    atom = etree.fromstring(run("export", "--format", "atom").stdout.encode())
    assert atom.findtext(f"{ATOM}updated") == frozen
    entries = {e.findtext(f"{ATOM}title"): e for e in atom.iter(f"{ATOM}entry")}
    assert entries["Corrected"].findtext(f"{ATOM}updated") == frozen
    assert entries["Corrected"].findtext(f"{ATOM}published") == "2021-10-28T00:00:00Z"
    other = next(e for title, e in entries.items() if title != "Corrected")
    assert other.findtext(f"{ATOM}updated") == other.findtext(f"{ATOM}published")

    rss = etree.fromstring(run("export", "--format", "rss").stdout.encode())
    corrected = next(i for i in rss.iter("item") if i.findtext("title") == "Corrected")
    assert corrected.findtext(f"{ATOM}updated") == frozen
    assert sum(1 for _ in rss.iter(f"{ATOM}updated")) == 1

    feed = json.loads(run("export", "--format", "jsonfeed").stdout)
    modified = {item["title"]: item.get("date_modified") for item in feed["items"]}
    assert modified["Corrected"] == frozen
    assert sum(1 for value in modified.values() if value) == 1


stamps = st.datetimes(dt.datetime(2000, 1, 1), dt.datetime(2040, 1, 1)).map(
    lambda d: d.replace(microsecond=0)
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    day=st.dates(dt.date(2000, 1, 1), dt.date(2039, 1, 1)),
    later=st.timedeltas(dt.timedelta(seconds=1), dt.timedelta(days=400)),
    name=st.sampled_from(["rss", "atom", "jsonfeed"]),
)
def test_a_correction_survives_every_feed(day: dt.date, later: dt.timedelta, name: str) -> None:
    start = dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)
    updated = (start + later).strftime("%Y-%m-%dT%H:%M:%SZ")
    doc = NewsFile(
        link="https://example.org/",
        items=[
            Item(id="a", type="news", title="A", date=day, updated=updated),
            Item(id="b", type="news", title="B", date=day),
        ],
    )
    text = formats.writer(name).export(doc)
    result = formats.reader(name).read(text.encode("utf-8"), f"feed.{name}")
    assert {d.title: d.updated for d in result.drafts} == {"A": updated, "B": None}


# --- coopcli log ---------------------------------------------------------------


def git(root: Path, *args: str, **env: str) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
        env={**__import__("os").environ, **env},
    )
    return done.stdout


@pytest.fixture
def repo(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = isolated / "site"
    root.mkdir()
    git(root, "-c", "init.defaultBranch=main", "init", "-q")
    monkeypatch.setenv("COOPCLI_FILE", str(root / "news.toml"))
    return root


def commit(root: Path, message: str, who: str, when: str) -> None:
    name, email = who, f"{who.lower()}@example.org"
    env = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_AUTHOR_DATE": when,
        "GIT_COMMITTER_DATE": when,
    }
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, **env)


@pytest.mark.slow
def test_log_shows_each_change_of_one_item(
    run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2021-11-02T09:00:00Z")
    briefs = run("add", "-t", "news", "--title", "Briefs", "--date", "2021-10-28").stdout.strip()
    other = run("add", "-t", "news", "--title", "Other", "--date", "2021-10-29").stdout.strip()
    commit(repo, "Add two items", "Ana", "2021-11-01T09:00:00+01:00")
    run("edit", briefs, "--title", "Briefs, corrected")
    commit(repo, "Correct the briefs", "Ben", "2021-11-02T10:00:00+01:00")
    run("edit", other, "--tag", "asia")
    commit(repo, "Tag the other item", "Ana", "2021-11-03T10:00:00+01:00")
    git(repo, "mv", "news.toml", "list.toml")
    commit(repo, "Rename the list", "Ana", "2021-11-04T10:00:00+01:00")
    monkeypatch.setenv("COOPCLI_FILE", str(repo / "list.toml"))
    monkeypatch.setenv("COOPCLI_NOW", "2021-11-05T09:00:00Z")
    run("edit", briefs, "--summary", "Five countries.", "--tag", "sse")
    commit(repo, "Summarise the briefs", "Cleo", "2021-11-05T10:00:00+01:00")
    run("remove", briefs, "--yes")
    commit(repo, "Remove the briefs", "Ben", "2021-11-06T10:00:00+01:00")

    calls: list[list[str]] = []
    real_run = subprocess.run

    def counting(args: list[str], **kwargs: Any) -> Any:
        calls.append(list(args))
        return real_run(args, **kwargs)

    monkeypatch.setattr(subprocess, "run", counting)
    result = run("log", briefs)
    monkeypatch.setattr(subprocess, "run", real_run)
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split("  ", 2)[0] for line in lines] == [
        "2021-11-06 10:00 +0100",
        "2021-11-05 10:00 +0100",
        "2021-11-02 10:00 +0100",
        "2021-11-01 09:00 +0100",
    ]
    assert [line.split("  ")[2:4] for line in lines] == [
        ["Ben", "removed"],
        ["Cleo", "summary, tags, updated"],
        ["Ben", "title, updated"],
        ["Ana", "added"],
    ]
    assert lines[2].endswith("(Correct the briefs)")
    # One pass: git is run a fixed number of times, not once per commit.
    assert [args[:2] for args in calls] == [
        ["git", "rev-parse"],
        ["git", "log"],
        ["git", "cat-file"],
    ]

    data = json.loads(run("log", briefs, "--format", "json").stdout)
    assert [change["action"] for change in data] == ["removed", "changed", "changed", "added"]
    assert data[2]["before"]["title"] == "Briefs"
    assert data[2]["after"]["title"] == "Briefs, corrected"
    assert data[2]["after"]["updated"] == "2021-11-02T09:00:00Z"
    assert data[2]["email"] == "ben@example.org"
    assert data[2]["date"] == "2021-11-02T10:00:00+01:00"
    jsonl = run("log", briefs, "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["commit"] for line in jsonl] == [c["commit"] for c in data]
    # A prefix of an item still in the list finds it.
    assert run("log", other[:12]).stdout.splitlines()[0].split("  ")[3] == "tags"


@pytest.mark.slow
def test_log_in_a_json_list(run: Run, repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPCLI_FILE", str(repo / "news.json"))
    item = run("add", "-t", "news", "--title", "JSON", "--date", "2021-10-28").stdout.strip()
    commit(repo, "Add", "Ana", "2021-11-01T09:00:00+00:00")
    run("edit", item, "--url", "https://example.org/")
    commit(repo, "Link", "Ana", "2021-11-02T09:00:00+00:00")
    lines = run("log", item).stdout.splitlines()
    assert [line.split("  ")[3] for line in lines] == ["url", "added"]


@pytest.mark.slow
def test_log_errors(run: Run, repo: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("add", "-t", "news", "--title", "A", "--date", "2021-10-28")
    run("add", "-t", "news", "--title", "B", "--date", "2021-10-28")
    unknown = run("log", "2021-10-28-zzz")
    assert unknown.exit_code == 1
    assert "no commit in git's history" in unknown.stderr
    ambiguous = run("log", "2021-10-28")
    assert ambiguous.exit_code == 2
    assert "ambiguous" in ambiguous.stderr
    assert run("log", " ").exit_code == 2
    outside = isolated / "elsewhere"
    outside.mkdir()
    monkeypatch.setenv("COOPCLI_FILE", str(outside / "news.toml"))
    run("add", "-t", "news", "--title", "A", "--date", "2021-10-28")
    result = run("log", "2021-10-28-a")
    assert result.exit_code == 2
    assert "is not in a git repository" in result.stderr
