"""The filters shared by ``list``, ``search``, ``export`` and ``stats``."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Run


def ids(stdout: str) -> list[str]:
    return [line.split("\t")[0] for line in stdout.splitlines()]


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPCLI_TODAY", "2021-11-05")


@pytest.mark.parametrize("command", ["list", "search"])
@pytest.mark.parametrize(
    ("args", "count"),
    [
        (["--type", "news", "--type", "Spotlight Interviews with Co-operators"], 9),
        (["--since", "2021-10-26"], 5),
        (["--from", "2021-10-26"], 5),
        (["--until", "2021-10-21"], 2),
        (["--to", "21 October 2021"], 2),
        (["--since", "2021-10", "--until", "2021-10"], 10),
        (["--on", "2021-10-28"], 2),
        (["--year", "2021"], 10),
        (["--month", "2021-10"], 10),
        (["--month", "October 2021", "--type", "champion"], 1),
        (["--since", "last week"], 1),  # today is 2021-11-05: from 2021-10-29
        (["--since", "2 weeks ago"], 8),
        (["--since", "yesterday"], 0),
    ],
)
def test_filters(
    run: Run, seeded: Path, today: None, command: str, args: list[str], count: int
) -> None:
    query = ["ilo"] if command == "search" else []
    base = run(command, *query, "--format", "tsv")
    result = run(command, *query, *args, "--format", "tsv")
    assert result.exit_code == 0, result.stderr
    if command == "list":
        assert len(ids(result.stdout)) == count
    assert set(ids(result.stdout)) <= set(ids(base.stdout))


def test_relative_dates_are_resolved_in_the_caption(run: Run, seeded: Path, today: None) -> None:
    result = run("list", "--since", "3 months ago", "--until", "last week", "-F", "table")
    assert "2021-08-05 to 2021-10-29" in result.stdout
    result = run("list", "--year", "2021", "--month", "2021-10", "-F", "table")
    assert "2021-10-01 to 2021-10-31" in result.stdout


def test_this_week_month_and_year(run: Run, seeded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPCLI_TODAY", "2021-10-29")  # a Friday
    result = run("list", "--on", "this week", "-F", "table")
    assert "2021-10-25 to 2021-10-29" in result.stdout
    assert "7 of 10 items" in result.stdout
    assert "2021-10-01 to 2021-10-29" in run("list", "--on", "this month", "-F", "table").stdout
    assert "since 2021-01-01" in run("list", "--since", "this year", "-F", "table").stdout


def test_tags_all_or_any(run: Run, seeded: Path) -> None:
    run("edit", "2021-10-27-wipo", "--tag", "IP", "--tag", "women")
    run("edit", "2021-10-28-sung", "--tag", "ip")
    assert len(ids(run("list", "--tag", "ip").stdout)) == 2
    assert ids(run("list", "--tag", "ip", "--tag", "Women").stdout) == ["2021-10-27-wipo-programme"]
    assert len(ids(run("list", "--tag", "women", "--tag", "ip", "--any-tag").stdout)) == 2
    assert ids(run("search", "ilo", "--tag", "women").stdout) == ["2021-10-27-wipo-programme"]


def test_export_and_stats_take_the_filters(run: Run, seeded: Path) -> None:
    result = run("export", "--format", "json", "--type", "champion", "--year", "2021")
    assert result.stdout.count('"id"') == 1
    assert "total\t\t1\n" in run("stats", "--type", "champion").stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "someday"], "Error: cannot understand the date 'someday'"),
        (["--until", "2021-13"], "Error: impossible month '2021-13'"),
        (["--on", "2021-02-30"], "Error: impossible date '2021-02-30'"),
        (["--month", "2021"], "Error: cannot understand the month '2021'"),
        (["--year", "0"], "Error: --year 0: write the year in full (2021, not 21)"),
        (["--year", "10000"], "Error: impossible year 10000"),
        (["--type", "nonsense"], "Error: unknown type 'nonsense'"),
        (
            ["--since", "2021-11", "--until", "2021-10"],
            "Error: the date filters leave no days: from 2021-11-01 to 2021-10-31",
        ),
    ],
)
@pytest.mark.parametrize("command", ["list", "search", "export", "stats"])
def test_bad_filter_values_are_usage_errors(
    run: Run, seeded: Path, command: str, args: list[str], message: str
) -> None:
    before = seeded.read_bytes()
    query = ["ilo"] if command == "search" else []
    result = run(command, *query, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr
    assert seeded.read_bytes() == before


def test_sort_and_reverse_and_limit(run: Run, seeded: Path) -> None:
    by_title = ids(run("list", "--sort", "title", "-n", "2").stdout)
    assert by_title == ["2021-10-27-wipo-programme", "2021-10-21-ayse-turunc-kankal"]
    oldest = ids(run("list", "--reverse", "-n", "1").stdout)
    assert oldest == ["2021-10-13-training-by-ilo"]
    by_type = ids(run("search", "ilo", "--sort", "type", "-n", "1").stdout)
    assert by_type == ["2021-10-21-ayse-turunc-kankal"]


def test_title_and_type_orders_reverse_whole(run: Run, seeded: Path) -> None:
    """By title or type A to Z, ties newest first then by id; --reverse flips it all."""
    import json

    items = json.loads(run("list", "--format", "json").stdout)
    newest_first = sorted(items, key=lambda i: i["id"])
    newest_first.sort(key=lambda i: i["date"], reverse=True)
    by_type = [i["id"] for i in sorted(newest_first, key=lambda i: i["type"])]
    by_title = [i["id"] for i in sorted(newest_first, key=lambda i: i["title"].casefold())]
    assert ids(run("list", "--sort", "type").stdout) == by_type
    assert ids(run("list", "--sort", "date").stdout) == [i["id"] for i in newest_first]
    assert ids(run("list", "--sort", "type", "--reverse").stdout) == by_type[::-1]
    assert ids(run("list", "--sort", "title", "--reverse").stdout) == by_title[::-1]
    assert ids(run("list", "--sort", "title", "--reverse", "-n", "2").stdout) == by_title[:-3:-1]


def test_the_first_and_last_possible_years(run: Run, seeded: Path) -> None:
    for year in ("1000", "9999"):
        result = run("list", "--year", year)
        assert result.exit_code == 0, result.output
        assert result.stdout == ""
    # A short year is far more often a typo for 2021 than the year 21: it is refused.
    for year in ("1", "21", "999"):
        result = run("list", "--year", year)
        assert result.exit_code == 2
        assert result.stderr == f"Error: --year {year}: write the year in full (2021, not 21)\n"


def test_a_year_runs_from_the_first_to_the_last_day(run: Run, news_file: Path) -> None:
    added = {
        day: run("add", "-t", "news", "--title", "Day", "--date", day).stdout.strip()
        for day in ("2020-12-31", "2021-01-01", "2021-12-31", "2022-01-01")
    }
    assert ids(run("list", "--year", "2021").stdout) == [added["2021-12-31"], added["2021-01-01"]]
    assert ids(run("list", "--month", "2021-12").stdout) == [added["2021-12-31"]]
