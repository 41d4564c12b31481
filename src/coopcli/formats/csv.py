"""A spreadsheet: a header row, then one row per item, UTF-8.

Columns: ``id, type, title, date, summary, url, tags, draft, embargo, updated`` (tags
joined by ``;``; ``draft`` is ``true`` or empty; an embargo and ``updated`` as stored).
Spreadsheets run a cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula,
so such cells are written with a leading ``'`` (which spreadsheets show as text);
reading undoes it, so a list exported and imported again comes back unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import TYPE_CHECKING

from coopcli.core.errors import CoopError, DataError
from coopcli.core.view import ITEM_FIELDS
from coopcli.formats import Draft, ReadResult, decode_text, streaming

if TYPE_CHECKING:
    from coopcli.core.view import DocumentView

COLUMNS = ITEM_FIELDS
_TRUE = ("true", "yes", "1")
_FALSE = ("false", "no", "0", "")
#: What makes a spreadsheet read a cell as a formula (tab and CR too, per OWASP).
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_QUOTE = "'"


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet shows it as text: ``=1+2`` is written ``'=1+2``.

    A cell that already starts with ``'`` gets another, so :func:`restore` is exact.
    """
    if cell.startswith((*_TRIGGERS, _QUOTE)):
        return _QUOTE + cell
    return cell


def restore(cell: str) -> str:
    """Undo :func:`neutralise` (a lone ``'text`` typed by a person stays as it is)."""
    if cell.startswith(_QUOTE) and cell[1:].startswith((*_TRIGGERS, _QUOTE)):
        return cell[1:]
    return cell


def export(doc: DocumentView) -> str:
    """The items as CSV, newest first, with a header row."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for item in sorted(doc.items, key=lambda i: (i.date, i.id), reverse=True):
        row = [
            item.id,
            item.type,
            item.title,
            item.date.isoformat(),
            item.summary or "",
            item.url or "",
            ";".join(item.tags),
            "true" if item.draft else "",
            item.embargo or "",
            item.updated or "",
        ]
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()


def export_stream(doc: DocumentView, batches: streaming.Batches, write: streaming.Write) -> None:
    """:func:`export`, written a batch of items at a time."""
    streaming.cut(
        lambda items: export(streaming.with_items(doc, items)),
        batches(streaming.LATEST),
        write,
        begin=streaming.after("\r\n"),
        end=streaming.to_end,
    )


def _date(text: str) -> tuple[dt.date | None, str | None]:
    """The date of a cell, or None and why (an impossible or unreadable date)."""
    from coopcli.core.dates import parse_date

    if not text.strip():
        return None, None
    try:
        return parse_date(text), None
    except CoopError as exc:
        return None, str(exc)


def _delimiter(text: str) -> str:
    # Spreadsheets set to a language that writes decimal commas save with ";".
    header = text.split("\n", 1)[0]
    return max(",;\t", key=header.count)


def read(data: bytes, source: str) -> ReadResult:
    """Rows of a CSV file with a header naming its columns (any order, any case).

    Cells may be separated by commas, semicolons or tabs (whichever the header uses).

    ``title`` and ``date`` columns are required; a row missing either is skipped as
    invalid by the import. Unknown columns are refused rather than dropped.
    """
    text = decode_text(data, source)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    line = 0
    try:
        header = next(reader, None)
        if header is None:
            raise DataError(f"{source}: empty file: expected a header row ({', '.join(COLUMNS)})")
        names = [restore(name).strip().lower() for name in header]
        unknown = [name for name in names if name not in COLUMNS]
        if unknown:
            raise DataError(
                f"{source}:1: unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})"
            )
        missing = [name for name in ("title", "date") if name not in names]
        if missing:
            raise DataError(f"{source}:1: no {missing[0]!r} column in the header")
        drafts: list[Draft] = []
        line = reader.line_num
        for row in reader:
            where = f"{source}:{line + 1}"
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > len(names):
                raise DataError(
                    f"{where}: {len(row)} cells but the header names {len(names)} columns"
                )
            cells = {name: restore(cell) for name, cell in zip(names, row, strict=False)}

            def get(name: str, cells: dict[str, str] = cells) -> str | None:
                value = cells.get(name, "").strip()
                return value or None

            tags = [tag.strip() for tag in (get("tags") or "").split(";") if tag.strip()]
            draft = (get("draft") or "").lower()
            # A bad date or draft mark makes the row invalid, reported with the others.
            day, problem = _date(cells.get("date", ""))
            if draft not in _TRUE + _FALSE:
                problem = problem or f"draft: {draft!r} is not true or false"
            drafts.append(
                Draft(
                    title=get("title"),
                    date=day,
                    line=line,
                    problem=problem,
                    type=get("type"),
                    summary=get("summary"),
                    url=get("url"),
                    tags=tags,
                    id=get("id"),
                    draft=draft in _TRUE,
                    embargo=get("embargo"),
                    updated=get("updated"),
                )
            )
    except csv.Error as exc:
        hint = " (a quote left open?)" if "end of data" in str(exc) else ""
        raise DataError(f"{source}:{line + 1}: invalid CSV: {exc}{hint}") from None
    return ReadResult(drafts)
