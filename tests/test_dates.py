"""Dates people type, and the periods filters use."""

from __future__ import annotations

import datetime as dt

import pytest

from coopcli.core.dates import Period, filter_period, parse_date, parse_period
from coopcli.core.errors import UsageError

NOW = dt.date(2026, 11, 28)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2021-10-29", dt.date(2021, 10, 29)),
        ("29 October 2021", dt.date(2021, 10, 29)),
        ("29th Oct. 2021", dt.date(2021, 10, 29)),
        ("Sept 3, 2021", dt.date(2021, 9, 3)),
        ("today", NOW),
        ("Yesterday", dt.date(2026, 11, 27)),
        ("tomorrow", dt.date(2026, 11, 29)),
        ("a week ago", dt.date(2026, 11, 21)),
        ("last week", dt.date(2026, 11, 21)),
        ("3 months ago", dt.date(2026, 8, 28)),
        ("1 month ago", dt.date(2026, 10, 28)),
        ("2 years ago", dt.date(2024, 11, 28)),
        ("2 fortnights ago", dt.date(2026, 10, 31)),
        ("a fortnight ago", dt.date(2026, 11, 14)),
        ("last fortnight", dt.date(2026, 11, 14)),
        ("10 days ago", dt.date(2026, 11, 18)),
    ],
)
def test_parse_date(text: str, expected: dt.date) -> None:
    assert parse_date(text, NOW) == expected


def test_month_arithmetic_clamps_to_month_end() -> None:
    assert parse_date("1 month ago", dt.date(2021, 3, 31)) == dt.date(2021, 2, 28)


@pytest.mark.parametrize("text", ["2021-13-01", "31 April 2021", "someday", "", "2021/10/01"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(UsageError):
        parse_date(text, NOW)


def test_partial_periods() -> None:
    assert parse_period("2021", NOW) == Period(dt.date(2021, 1, 1), dt.date(2021, 12, 31))
    assert parse_period("2024-02", NOW) == Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert parse_period("October 2021", NOW) == Period(dt.date(2021, 10, 1), dt.date(2021, 10, 31))


def test_filter_period_combines() -> None:
    period = filter_period(since="2021-10", until="2021-10", now=NOW)
    assert period.describe() == "2021-10-01 to 2021-10-31"
    assert filter_period(on="2021-10-05", now=NOW).describe() == "on 2021-10-05"
    assert filter_period(since="2021-10-05", now=NOW).describe() == "since 2021-10-05"
    assert filter_period(until="2021", now=NOW).describe() == "until 2021-12-31"
    assert filter_period(now=NOW).describe() == "all dates"
    assert (
        filter_period(year=2021, month="2021-10", now=NOW).describe() == "2021-10-01 to 2021-10-31"
    )
    with pytest.raises(UsageError):
        filter_period(year=0, now=NOW)
    with pytest.raises(UsageError):
        filter_period(month="soon", now=NOW)


def test_today_override(monkeypatch: pytest.MonkeyPatch) -> None:
    from coopcli.core.dates import today

    monkeypatch.setenv("COOPCLI_TODAY", "2021-10-29")
    assert today() == dt.date(2021, 10, 29)
    monkeypatch.setenv("COOPCLI_TODAY", "nope")
    with pytest.raises(UsageError):
        today()
