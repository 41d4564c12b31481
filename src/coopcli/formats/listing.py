"""Text copied from a news listing web page (select all, copy, paste into a file).

Such a page reads::

    News, stories and statements on cooperatives

      1. News

        ILO sheds light upon the role of cooperatives …

        29 October 2021

        The two sessions organized in the framework of the Academy …

A heading, then numbered entries: the type label on the numbered line, the title
(which may wrap over several lines), the date (``29 October 2021``,
``October 29, 2021`` or ``2021-10-29``), and an optional summary. An entry whose date
is missing is passed on without one (with the reason when its date line names no
real day), and the import reports it as invalid.
"""

from __future__ import annotations

import datetime as dt
import re

from coopcli.core.dates import MONTHS
from coopcli.core.errors import CoopError
from coopcli.formats import Draft, ReadResult, decode_text

_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_NUMBERED = re.compile(r"^\s*(\d{1,4})[.)](?:\s+(\S.*?))?\s*$")
_DATE = re.compile(
    rf"(?i)\s*(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTH})\.?,?\s+\d{{4}}"
    rf"|(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}"
    r"|\d{4}-\d{1,2}-\d{1,2})\s*"
)


class _Entry:
    def __init__(self, number: int, label: str, line: int) -> None:
        self.number = number
        self.label = label
        self.line = line
        self.title: list[str] = []
        self.date: dt.date | None = None
        self.summary: list[str] = []
        #: A date line that names no real day (``30 February 2024``), and why.
        self.bad_date: str | None = None

    def add(self, line: str) -> None:
        if not self.label:
            # The number stood alone on its line: the label is the next one.
            self.label = line
            return
        if self.date is None and _DATE.fullmatch(line):
            from coopcli.core.dates import parse_date

            try:
                self.date = parse_date(line)
                return
            except CoopError as exc:
                # An impossible date (31 February) is not this entry's date, but it
                # is why the entry has none.
                if self.bad_date is None:
                    self.bad_date = str(exc)
        (self.summary if self.date is not None else self.title).append(line)

    def draft(self) -> Draft:
        title = " ".join(self.title) or None
        summary = " ".join(self.summary) or None
        problem = None
        if self.date is None:
            # Without a date line, everything after the label was read as the title.
            title = self.title[0] if self.title else None
            problem = self.bad_date
        return Draft(
            title=title,
            date=self.date,
            type=self.label or None,
            summary=summary,
            line=self.line,
            problem=problem,
        )


def read(data: bytes, source: str) -> ReadResult:
    """The entries of a copied listing page, and its heading as the list's title."""
    text = decode_text(data, source)
    heading: str | None = None
    entries: list[_Entry] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = " ".join(raw.split())
        if not line:
            continue
        numbered = _NUMBERED.match(line)
        expected = entries[-1].number + 1 if entries else None
        if numbered and (expected is None or int(numbered.group(1)) == expected):
            entries.append(_Entry(int(numbered.group(1)), numbered.group(2) or "", number))
        elif entries:
            entries[-1].add(line)
        else:
            # The heading is the last line before the list (menus and such come first).
            heading = line
    return ReadResult([entry.draft() for entry in entries], title=heading)
