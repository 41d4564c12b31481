"""Understanding the dates people type, and the periods they filter by.

Stored dates are always ISO ``YYYY-MM-DD``; this module turns what a user types
(``29 October 2021``, ``Oct 29 2021``, ``yesterday``, ``3 months ago``, ``2021-10``)
into :class:`datetime.date` values or inclusive ranges. Pure functions: "today" is
passed in, and :func:`today` honours ``COOPCLI_TODAY`` so scripts and tests can fix it.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from dataclasses import dataclass

from coopcli.core.errors import UsageError

MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    MONTHS[calendar.month_name[_number].lower()] = _number
    MONTHS[calendar.month_abbr[_number].lower()] = _number
MONTHS["sept"] = 9

_UNITS = {"day": 1, "week": 7, "fortnight": 14, "month": 0, "year": 0}
_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_ISO_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
_YEAR = re.compile(r"(\d{4})")
_DAY_MONTH_YEAR = re.compile(rf"(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH_RE})\.?,?\s+(\d{{4}})")
_MONTH_DAY_YEAR = re.compile(rf"({_MONTH_RE})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})")
_MONTH_YEAR = re.compile(rf"({_MONTH_RE})\.?,?\s+(\d{{4}})")
_AGO = re.compile(r"(\d+|an?|one)\s+(day|week|fortnight|month|year)s?\s+ago")
_THIS = re.compile(r"this\s+(week|month|year)")
_LAST = re.compile(r"(?:last|past|previous)\s+(day|week|fortnight|month|year)")


def today() -> dt.date:
    """Today's date, or ``COOPCLI_TODAY`` (ISO) when set, for reproducible runs."""
    fixed = os.environ.get("COOPCLI_TODAY")
    if fixed:
        try:
            return dt.date.fromisoformat(fixed)
        except ValueError:
            raise UsageError(f"COOPCLI_TODAY: not an ISO date: {fixed!r}") from None
    return dt.date.today()


def _make(year: int, month: int, day: int, text: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise UsageError(f"impossible date {text!r}: {exc}") from None


def _months_back(base: dt.date, months: int) -> dt.date:
    index = base.year * 12 + base.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(base.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def _shift(base: dt.date, amount: int, unit: str) -> dt.date:
    if unit == "month":
        return _months_back(base, amount)
    if unit == "year":
        return _months_back(base, 12 * amount)
    return base - dt.timedelta(days=amount * _UNITS[unit])


def _relative(text: str, now: dt.date) -> dt.date | None:
    words = {"today": 0, "now": 0, "yesterday": 1, "tomorrow": -1}
    if text in words:
        return now - dt.timedelta(days=words[text])
    if match := _AGO.fullmatch(text):
        count, unit = match.groups()
        amount = int(count) if count.isdigit() else 1
        return _shift(now, amount, unit)
    if match := _LAST.fullmatch(text):
        return _shift(now, 1, match.group(1))
    return None


def _normalise(text: str) -> str:
    return " ".join(text.strip().lower().split())


def parse_date(text: str, now: dt.date | None = None) -> dt.date:
    """Parse one date: ISO, ``29 October 2021``, ``Oct 29, 2021``, or a relative form.

    Raises :class:`UsageError` naming the value when it cannot be understood.
    """
    value = _normalise(text)
    now = now or today()
    if match := _ISO.fullmatch(value):
        year, month, day = map(int, match.groups())
        return _make(year, month, day, text)
    if match := _DAY_MONTH_YEAR.fullmatch(value):
        day_s, month_s, year_s = match.groups()
        return _make(int(year_s), MONTHS[month_s], int(day_s), text)
    if match := _MONTH_DAY_YEAR.fullmatch(value):
        month_s, day_s, year_s = match.groups()
        return _make(int(year_s), MONTHS[month_s], int(day_s), text)
    try:
        relative = _relative(value, now)
    except (OverflowError, ValueError):
        raise UsageError(f"the date {text!r} is out of range (years 1 to 9999)") from None
    if relative is not None:
        return relative
    raise UsageError(
        f"cannot understand the date {text!r} "
        "(use YYYY-MM-DD, '29 October 2021', 'today', 'yesterday' or '3 days ago')"
    )


@dataclass(frozen=True)
class Period:
    """An inclusive range of days; either end may be open."""

    start: dt.date | None = None
    end: dt.date | None = None

    def intersect(self, other: Period) -> Period:
        """The days in both periods."""
        starts = [d for d in (self.start, other.start) if d is not None]
        ends = [d for d in (self.end, other.end) if d is not None]
        return Period(max(starts, default=None), min(ends, default=None))

    @property
    def is_open(self) -> bool:
        """True when the period does not restrict anything."""
        return self.start is None and self.end is None

    def describe(self) -> str:
        """How the period reads in a table caption: ``2021-10-01 to 2021-10-31``."""
        if self.start and self.end:
            if self.start == self.end:
                return f"on {self.start.isoformat()}"
            return f"{self.start.isoformat()} to {self.end.isoformat()}"
        if self.start:
            return f"since {self.start.isoformat()}"
        if self.end:
            return f"until {self.end.isoformat()}"
        return "all dates"


def _month_period(year: int, month: int, text: str) -> Period:
    if not 1 <= month <= 12:
        raise UsageError(f"impossible month {text!r}: month must be in 1..12")
    last = calendar.monthrange(year, month)[1]
    return Period(dt.date(year, month, 1), dt.date(year, month, last))


def parse_period(text: str, now: dt.date | None = None) -> Period:
    """Parse a date that may be partial: ``2021`` is the whole year, ``2021-10`` or
    ``October 2021`` the whole month, ``this week``/``this month``/``this year`` from
    its first day to today, anything :func:`parse_date` takes a single day.
    """
    value = _normalise(text)
    if match := _THIS.fullmatch(value):
        now = now or today()
        starts = {
            "week": now - dt.timedelta(days=now.weekday()),
            "month": now.replace(day=1),
            "year": now.replace(month=1, day=1),
        }
        return Period(starts[match.group(1)], now)
    if match := _YEAR.fullmatch(value):
        year = int(match.group(1))
        return Period(dt.date(year, 1, 1), dt.date(year, 12, 31))
    if match := _ISO_MONTH.fullmatch(value):
        year, month = map(int, match.groups())
        return _month_period(year, month, text)
    if match := _MONTH_YEAR.fullmatch(value):
        month_s, year_s = match.groups()
        return _month_period(int(year_s), MONTHS[month_s], text)
    day = parse_date(text, now)
    return Period(day, day)


def parse_month(text: str) -> Period:
    """Parse ``--month YYYY-MM`` (or ``October 2021``) into that month."""
    value = _normalise(text)
    if match := _ISO_MONTH.fullmatch(value):
        year, month = map(int, match.groups())
        return _month_period(year, month, text)
    if match := _MONTH_YEAR.fullmatch(value):
        month_s, year_s = match.groups()
        return _month_period(int(year_s), MONTHS[month_s], text)
    raise UsageError(f"cannot understand the month {text!r} (use YYYY-MM, e.g. 2021-10)")


def filter_period(
    since: str | None = None,
    until: str | None = None,
    on: str | None = None,
    year: int | None = None,
    month: str | None = None,
    now: dt.date | None = None,
) -> Period:
    """Combine the date filters of ``list``/``search``/``export`` into one period.

    ``--since 2021-10`` starts on 1 October and ``--until 2021-10`` ends on 31 October.
    """
    now = now or today()
    period = Period()
    if since is not None:
        period = period.intersect(Period(start=parse_period(since, now).start))
    if until is not None:
        period = period.intersect(Period(end=parse_period(until, now).end))
    if on is not None:
        period = period.intersect(parse_period(on, now))
    if year is not None:
        if 0 <= year < 1000:
            # "21" is far more often 2021 than the year 21: ask rather than guess.
            raise UsageError(f"--year {year}: write the year in full (2021, not 21)")
        if not 1 <= year <= 9999:
            raise UsageError(f"impossible year {year}")
        period = period.intersect(Period(dt.date(year, 1, 1), dt.date(year, 12, 31)))
    if month is not None:
        period = period.intersect(parse_month(month))
    if period.start is not None and period.end is not None and period.start > period.end:
        raise UsageError(
            f"the date filters leave no days: from {period.start.isoformat()} "
            f"to {period.end.isoformat()}"
        )
    return period
