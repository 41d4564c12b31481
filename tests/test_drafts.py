"""Drafts and embargoes: kept out of everything public until published or until their time."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcli.core import status
from coopcli.core.errors import UsageError
from coopcli.core.view import Row
from tests.conftest import Run

EXPORTS = ["json", "toml", "csv", "markdown", "html", "rss", "atom", "jsonfeed"]


def add(run: Run, *args: str) -> str:
    result = run("add", "--type", "news", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture
def newsroom(run: Run, news_file: Path) -> dict[str, str]:
    """A public item, a draft, and a statement under embargo until 09:00 Geneva time."""
    return {
        "public": add(run, "--title", "Out already", "--date", "2026-12-01"),
        "draft": add(run, "--title", "Still a draft", "--date", "2026-12-02", "--draft"),
        "embargoed": add(
            run,
            "--title",
            "Annual statement",
            "--date",
            "2026-12-10",
            "--embargo",
            "2026-12-10 09:00 Europe/Geneva",
        ),
    }


def test_draft_and_embargo_are_stored_plainly(newsroom: dict[str, str], news_file: Path) -> None:
    items = {item["id"]: item for item in tomli.loads(news_file.read_text())["items"]}
    assert items[newsroom["draft"]]["draft"] is True
    assert "embargo" not in items[newsroom["draft"]]
    # Geneva keeps Zurich's time: the stored zone is the database's own name.
    assert items[newsroom["embargoed"]]["embargo"] == "2026-12-10T09:00:00+01:00[Europe/Zurich]"
    assert "draft" not in items[newsroom["public"]]
    assert "embargo" not in items[newsroom["public"]]


def test_list_marks_drafts_and_embargoes(
    run: Run, newsroom: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-05T12:00:00Z")
    table = run("list", "--format", "table").stdout
    words = " ".join(table.split())
    assert "[draft] Still a draft" in words
    assert "[embargoed until 2026-12-10 09:00 Europe/Zurich] Annual statement" in words
    assert "[" not in table.split("Out already")[0].splitlines()[-1]
    assert run("list", "--status", "draft").stdout == (
        f"{newsroom['draft']}\t2026-12-02\tnews\tStill a draft\tdraft\n"
    )
    assert run("list", "--status", "embargoed").stdout.split("\t")[0] == newsroom["embargoed"]
    assert run("list", "--status", "published").stdout.split("\t")[0] == newsroom["public"]
    everything = run("list", "--status", "all", "--format", "json").stdout
    assert [item["status"] for item in json.loads(everything)] == [
        "embargoed",
        "draft",
        "published",
    ]
    # Without --status, scripts see the columns they always saw.
    assert all(line.count("\t") == 3 for line in run("list").stdout.splitlines())


def test_list_status_with_a_limit_counts_only_matching_items(
    run: Run, newsroom: dict[str, str]
) -> None:
    add(run, "--title", "Another draft", "--date", "2026-11-01", "--draft")
    result = run("list", "--status", "draft", "-n", "1")
    assert result.stdout.split("\t")[0] == newsroom["draft"]


def test_show_marks_the_status(
    run: Run, newsroom: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-05T12:00:00Z")
    shown = run("show", newsroom["embargoed"], "--format", "tsv").stdout
    assert "status: embargoed until 2026-12-10 09:00 Europe/Zurich\n" in shown
    assert "status: DRAFT\n" in run("show", newsroom["draft"], "--format", "tsv").stdout
    data = json.loads(run("show", newsroom["draft"], "--format", "json").stdout)
    assert (data["draft"], data["status"]) == (True, "draft")
    assert "status" not in json.loads(run("show", newsroom["public"], "--format", "json").stdout)
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-10T08:00:00Z")
    shown = run("show", newsroom["embargoed"], "--format", "tsv").stdout
    assert "status:" not in shown
    assert "embargo: ended 2026-12-10 09:00 Europe/Zurich\n" in shown


def exported_ids(run: Run, fmt: str, *extra: str) -> str:
    result = run("export", "--format", fmt, "--feed-link", "https://example.org/", *extra)
    assert result.exit_code == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("fmt", EXPORTS)
def test_every_export_leaves_out_drafts_and_running_embargoes(
    run: Run, newsroom: dict[str, str], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    # One second before 09:00 in Geneva (08:00 UTC in winter).
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-10T07:59:59Z")
    text = exported_ids(run, fmt)
    assert "Out already" in text
    assert "Still a draft" not in text
    assert "Annual statement" not in text
    # The embargo ends by itself: the next export has the statement, not the draft.
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-10T09:00:00+01:00")
    text = exported_ids(run, fmt)
    assert "Annual statement" in text
    assert "Still a draft" not in text
    reviewed = exported_ids(run, fmt, "--include-drafts")
    assert "Still a draft" in reviewed


def test_export_to_a_file_counts_only_what_was_written(
    run: Run, newsroom: dict[str, str], isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-05T00:00:00Z")
    out = isolated / "out.json"
    result = run("export", "-o", str(out))
    assert result.stderr == f"Wrote 1 item to {out} (json)\n"


@pytest.mark.parametrize(
    ("typed", "stored", "opens"),
    [
        # Winter time the day before clocks go forward (UTC+1)...
        (
            "2026-03-28 09:00 Europe/Zurich",
            "2026-03-28T09:00:00+01:00[Europe/Zurich]",
            "2026-03-28T08:00:00Z",
        ),
        # ... and summer time on the day they did (UTC+2).
        (
            "2026-03-29 09:00 Europe/Zurich",
            "2026-03-29T09:00:00+02:00[Europe/Zurich]",
            "2026-03-29T07:00:00Z",
        ),
        (
            "2026-11-01 09:00 America/New_York",
            "2026-11-01T09:00:00-05:00[America/New_York]",
            "2026-11-01T14:00:00Z",
        ),
    ],
)
def test_an_embargo_opens_at_its_local_time_across_daylight_saving(
    run: Run,
    news_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    typed: str,
    stored: str,
    opens: str,
) -> None:
    add(run, "--title", "Public", "--date", "2026-01-01")
    item_id = add(run, "--title", "Under embargo", "--date", "2026-03-01", "--embargo", typed)
    stored_items = tomli.loads(news_file.read_text())["items"]
    assert stored_items[-1]["embargo"] == stored
    instant = dt.datetime.fromisoformat(opens.replace("Z", "+00:00"))
    monkeypatch.setenv("COOPCLI_NOW", (instant - dt.timedelta(seconds=1)).isoformat())
    assert item_id not in run("export", "--format", "json").stdout
    monkeypatch.setenv("COOPCLI_NOW", instant.isoformat())
    assert item_id in run("export", "--format", "json").stdout


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2026-03-29 02:30 Europe/Zurich", "02:30 does not exist on 2026-03-29 in Europe/Zurich"),
        ("2026-10-25 02:30 Europe/Zurich", "02:30 happens twice on 2026-10-25 in Europe/Zurich"),
        ("2026-12-10 09:00", "write a date, a time and a time zone"),
        ("2026-12-10 09:00 Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
        ("2026-12-10T09:00:00+02:00[Europe/Zurich]", "the offset +02:00 is not Europe/Zurich's"),
        ("2026-02-30 09:00 Europe/Zurich", "day is out of range"),
    ],
)
def test_bad_embargoes_are_usage_errors(
    run: Run, news_file: Path, typed: str, message: str
) -> None:
    result = run("add", "--type", "news", "--title", "x", "--embargo", typed)
    assert result.exit_code == 2
    assert message in result.stderr
    assert not news_file.exists()


def test_an_ambiguous_time_is_taken_with_its_offset(run: Run, news_file: Path) -> None:
    stored = "2026-10-25T02:30:00+01:00[Europe/Zurich]"
    add(run, "--title", "Second 02:30", "--embargo", stored)
    assert tomli.loads(news_file.read_text())["items"][0]["embargo"] == stored


def test_publish_clears_draft_and_embargo(
    run: Run, newsroom: dict[str, str], news_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-05T00:00:00Z")
    result = run("publish", newsroom["draft"], newsroom["embargoed"], newsroom["public"])
    assert result.exit_code == 0
    assert result.stderr == (
        f"Published {newsroom['draft']}\n"
        f"Published {newsroom['embargoed']}\n"
        f"{newsroom['public']} was already published\n"
    )
    text = news_file.read_text()
    assert "draft =" not in text
    assert "embargo =" not in text
    assert run("list", "--status", "published").stdout.count("\n") == 3
    assert run("publish", "no-such-id").exit_code == 1


def test_drafts_in_a_json_item_file(run: Run, seeded_json: Path) -> None:
    draft = add(run, "--title", "JSON draft", "--date", "2021-12-01", "--draft")
    items = json.loads(seeded_json.read_text())["items"]
    assert items[-1] == {
        "id": draft,
        "type": "news",
        "title": "JSON draft",
        "date": "2021-12-01",
        "draft": True,
    }
    assert "JSON draft" not in run("export", "--format", "rss").stdout


CHECK_ITEM = '\n[[items]]\nid = "{id}"\ntype = "news"\ntitle = "{id}"\ndate = {date}\n{extra}'


def test_check_refuses_an_embargo_without_a_zone(
    run: Run, news_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_TODAY", "2026-12-01")
    news_file.write_text(
        "version = 1\n"
        + CHECK_ITEM.format(id="a", date="2026-12-10", extra='embargo = "2026-12-10T09:00:00"\n')
        + CHECK_ITEM.format(
            id="b", date="2026-12-10", extra='embargo = "2026-12-10T09:00:00+01:00"\n'
        )
        + CHECK_ITEM.format(id="c", date="2026-12-20", extra="draft = true\n")
        + CHECK_ITEM.format(
            id="d",
            date="2026-12-20",
            extra='embargo = "2026-12-20T09:00:00+01:00[Europe/Zurich]"\n',
        )
        + CHECK_ITEM.format(id="e", date="2026-12-20", extra="")
        + CHECK_ITEM.format(id="f", date="2026-12-01", extra='draft = "yes"\n')
    )
    result = run("check")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    assert (
        "items[0].embargo (a): '2026-12-10T09:00:00' is not a date-time with an offset"
        in (lines[0])
    )
    assert "items[1].embargo (b)" in lines[1]
    assert "such as 2026-12-10T09:00:00+01:00[Europe/Zurich]" in lines[1]
    # A draft and an embargoed item may carry their future date; a published one not.
    assert "items[4].date (e): 2026-12-20 is 19 days in the future" in lines[2]
    assert "items[5].draft (f): Input should be a valid boolean" in lines[3]
    # Loading refuses the same file, naming the first problem.
    listed = run("list")
    assert listed.exit_code == 1
    assert "items[0].embargo" in listed.stderr


def test_frozen_clock_must_be_an_instant(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-10 09:00")
    result = run("list")
    assert result.exit_code == 2
    assert "COOPCLI_NOW: not an ISO date-time with an offset" in result.stderr


zones = st.sampled_from(
    ["Europe/Zurich", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "UTC"]
)


@settings(max_examples=200, deadline=None)
@given(
    local=st.datetimes(dt.datetime(1990, 1, 1), dt.datetime(2060, 1, 1)).map(
        lambda d: d.replace(microsecond=0)
    ),
    zone=zones,
)
def test_typed_embargo_round_trips_and_opens_at_its_instant(local: dt.datetime, zone: str) -> None:
    typed = f"{local:%Y-%m-%d %H:%M:%S} {zone}"
    from zoneinfo import ZoneInfo

    early = local.replace(tzinfo=ZoneInfo(zone), fold=0)
    late = local.replace(tzinfo=ZoneInfo(zone), fold=1)
    if early.utcoffset() != late.utcoffset():
        # Only times that clocks skip or repeat are refused.
        with pytest.raises(UsageError, match=r"does not exist|happens twice"):
            status.parse_embargo(typed)
        return
    stored = status.parse_embargo(typed)
    assert status.check_embargo(stored) == stored
    assert status.parse_embargo(stored) == stored
    assert status.embargo_zone(stored) == zone
    instant = status.embargo_instant(stored)
    assert instant.astimezone(ZoneInfo(zone)).replace(tzinfo=None) == local
    row = Row("x", "news", "t", local.date(), embargo=stored)
    assert not status.is_public(row, instant - dt.timedelta(seconds=1))
    assert status.is_public(row, instant)
    assert status.public_only([row], instant) == [row]
    assert not status.is_public(row._replace(draft=True), instant + dt.timedelta(days=999))


def test_csv_carries_the_editorial_fields(run: Run, newsroom: dict[str, str]) -> None:
    out = run("export", "--format", "csv", "--include-drafts").stdout
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(out))}
    assert rows[newsroom["draft"]]["draft"] == "true"
    assert rows[newsroom["embargoed"]]["embargo"].endswith("[Europe/Zurich]")
    assert rows[newsroom["public"]]["draft"] == ""


def test_the_site_leaves_out_drafts_until_published_and_embargoes_until_their_time(
    run: Run, newsroom: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"

    def published_text() -> str:
        pages = sorted(site.rglob("*.html")) + sorted(site.rglob("*.xml"))
        return "".join(page.read_text(encoding="utf-8") for page in pages)

    def build(*extra: str) -> None:
        args = ["site", "--output", str(site), "--base-url", "https://example.org/", *extra]
        result = run(*args)
        assert result.exit_code == 0, result.stderr

    monkeypatch.setenv("COOPCLI_NOW", "2026-12-10T07:59:59Z")
    build()
    text = published_text()
    assert "Out already" in text
    assert "Still a draft" not in text
    assert "Annual statement" not in text
    # The next build after 09:00 in Geneva has the statement, with no other command.
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-10T08:00:00Z")
    build()
    text = published_text()
    assert "Annual statement" in text
    assert "Still a draft" not in text
    build("--include-drafts")
    assert "Still a draft" in published_text()
    build()
    assert "Still a draft" not in published_text()


@pytest.mark.parametrize("indexed", [True, False], ids=["spliced", "rewritten"])
def test_edit_sets_and_lifts_draft_and_embargo(
    run: Run,
    newsroom: dict[str, str],
    news_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    indexed: bool,
) -> None:
    if not indexed:
        monkeypatch.setenv("COOPCLI_NO_INDEX", "1")
    monkeypatch.setenv("COOPCLI_NOW", "2026-12-05T12:00:00Z")

    def stored(item_id: str) -> dict[str, object]:
        items = tomli.loads(news_file.read_text())["items"]
        found: dict[str, object] = next(item for item in items if item["id"] == item_id)
        return found

    public = newsroom["public"]
    held = run("edit", public, "--embargo", "2026-12-24 18:00 Europe/Berlin")
    assert held.exit_code == 0, held.stderr
    assert held.stderr == f"Changed {public}: embargo\n"
    assert stored(public)["embargo"] == "2026-12-24T18:00:00+01:00[Europe/Berlin]"
    assert public not in run("export", "--format", "json").stdout
    lifted = run("edit", public, "--embargo", "")
    assert lifted.stderr == f"Changed {public}: embargo\n"
    assert "embargo" not in stored(public)
    assert run("edit", public, "--draft").stderr == f"Changed {public}: draft\n"
    assert stored(public)["draft"] is True
    assert run("list", "--status", "draft").stdout.count(public) == 1
    # A draft's new title is not a correction: the public never saw the old one.
    retitled = run("edit", public, "--title", "Out again, better worded")
    assert retitled.stderr == f"Changed {public}: title\n"
    assert run("edit", public, "--no-draft").stderr == f"Changed {public}: draft\n"
    assert "draft" not in stored(public)
    assert run("edit", public, "--no-draft").stderr == f"Changed {public}: nothing (already so)\n"


def test_edit_refuses_an_embargo_it_cannot_read(
    run: Run, newsroom: dict[str, str], news_file: Path
) -> None:
    before = news_file.read_bytes()
    for when in ("next Tuesday", "2026-12-10 09:00", "2027-03-28 02:30 Europe/Zurich"):
        result = run("edit", newsroom["public"], "--embargo", when)
        assert result.exit_code == 2, (when, result.stderr)
        assert result.stderr.startswith(f"Error: --embargo {when!r}: "), result.stderr
        assert result.stderr.count("\n") == 1
    assert news_file.read_bytes() == before
