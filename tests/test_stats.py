"""``coopcli stats``: counts by type, month, year and tag, as a chart, lines or JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import Run


def test_stats_json_counts_by_type_month_and_tag(run: Run, seeded: Path) -> None:
    result = run("stats", "--format", "json")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {
        "total": 10,
        "first": "2021-10-13",
        "last": "2021-10-29",
        "by": {
            "type": [
                {"key": "news", "label": "News", "count": 8},
                {"key": "champion", "label": "COOP Champions", "count": 1},
                {
                    "key": "spotlight",
                    "label": "Spotlight Interviews with Co-operators",
                    "count": 1,
                },
            ],
            "month": [{"key": "2021-10", "label": "2021-10", "count": 10}],
            "tag": [],
        },
    }


def test_stats_by_year_and_tag_with_filters(run: Run, seeded: Path) -> None:
    run("edit", "2021-10-27-wipo", "--tag", "ip", "--tag", "women")
    run("edit", "2021-10-28-sung", "--tag", "IP")
    run("add", "--type", "news", "--title", "Old news", "--date", "2019-05-01", "--tag", "ip")
    result = run("stats", "--by", "year", "--by", "tag", "--format", "json")
    data = json.loads(result.stdout)
    assert data["total"] == 11
    assert data["by"]["year"] == [
        {"key": "2019", "label": "2019", "count": 1},
        {"key": "2021", "label": "2021", "count": 10},
    ]
    assert data["by"]["tag"] == [
        {"key": "ip", "label": "ip", "count": 3},
        {"key": "women", "label": "women", "count": 1},
    ]
    filtered = json.loads(run("stats", "--since", "2021", "--tag", "ip", "-F", "json").stdout)
    assert filtered["total"] == 2
    assert filtered["first"] == "2021-10-27"
    assert json.loads(run("stats", "--by", "tag", "--top", "1", "-F", "json").stdout)["by"] == {
        "tag": [{"key": "ip", "label": "ip", "count": 3}]
    }


def test_stats_into_a_pipe_is_plain_lines(run: Run, seeded: Path) -> None:
    result = run("stats", "--type", "champion", "--by", "type")
    assert result.stdout == (
        "total\t\t1\nfirst\t\t2021-10-21\nlast\t\t2021-10-21\ntype\tchampion\t1\n"
    )


def test_stats_table_is_a_bar_chart_with_caption(run: Run, seeded: Path) -> None:
    result = run("stats", "--format", "table", "--month", "2021-10")
    assert result.exit_code == 0
    assert "10 items, 2021-10-13 to 2021-10-29" in result.stdout
    assert "By type" in result.stdout
    assert "News (news)" in result.stdout
    assert "█" * 10 in result.stdout
    assert "10 of 10 items · 2021-10-01 to 2021-10-31" in result.stdout


def test_stats_of_one_item_and_of_nothing(run: Run, seeded: Path) -> None:
    one = run("stats", "--on", "2021-10-21", "--format", "table")
    assert "1 item, 2021-10-21 to 2021-10-21" in one.stdout
    assert "1 of 10 items" in one.stdout
    none = run("stats", "--type", "statement", "--format", "json")
    assert json.loads(none.stdout)["total"] == 0
    table = run("stats", "--type", "statement", "--format", "table")
    assert "0 items" in table.stdout


def test_stats_bad_input(run: Run, seeded: Path) -> None:
    result = run("stats", "--by", "colour")
    assert result.exit_code == 2
    assert "colour" in result.stderr
    result = run("stats", "--since", "someday")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: cannot understand the date 'someday'")


def test_stats_of_a_missing_default_file(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    result = run("stats", "--format", "json")
    assert json.loads(result.stdout)["total"] == 0
    assert "does not exist yet" in result.stderr
