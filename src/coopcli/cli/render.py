"""Everything coopcli shows: tables, item views, JSON, and messages.

The only module that imports Rich, and it does so lazily, so commands that print
nothing (``--version``, ``add`` into a pipe) start fast. On a terminal, output is a
Rich table in colour; into a pipe it is plain tab-separated lines unless
``--format table`` is asked for. ``NO_COLOR`` and ``FORCE_COLOR`` are honoured by Rich.
"""

from __future__ import annotations

import datetime as dt
import enum
import json
import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from coopcli.core.view import ItemView, to_json

if TYPE_CHECKING:
    from rich.console import Console

    from coopcli.storage.stats import Stats


T = TypeVar("T")


class OutputFormat(str, enum.Enum):
    """How ``list``, ``search`` and ``show`` print items."""

    table = "table"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


class StatsFormat(str, enum.Enum):
    """How ``stats`` prints its numbers."""

    table = "table"
    tsv = "tsv"
    json = "json"


def stdout_is_terminal() -> bool:
    """Whether stdout is a terminal (and not a pipe or file)."""
    return sys.stdout.isatty()


def default_format(chosen: OutputFormat | None) -> OutputFormat:
    """A table on a terminal, tab-separated lines into a pipe, unless chosen."""
    if chosen is not None:
        return chosen
    return OutputFormat.table if stdout_is_terminal() else OutputFormat.tsv


def _console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


#: Control characters other than tab and newline: a message that quotes what a user
#: typed or a file held shows them escaped, so they cannot move the cursor, clear the
#: screen or break the message into several lines.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


def _visible(text: str) -> str:
    return _CONTROLS.sub(
        lambda m: (
            f"\\x{ord(m.group()):02x}" if ord(m.group()) < 256 else f"\\u{ord(m.group()):04x}"
        ),
        text,
    )


def message(text: str, *, style: str | None = None, prefix: str = "") -> None:
    """A message for people, on stderr (styled only on a terminal)."""
    text = _visible(text)
    if sys.stderr.isatty() and style:
        from rich.markup import escape

        _console(stderr=True).print(f"[{style}]{escape(prefix)}[/]{escape(text)}")
    else:
        sys.stderr.write(f"{prefix}{text}\n")
        sys.stderr.flush()


#: Control characters (a newline in a file name, say) shown escaped in an error.
_CONTROL = {n: f"\\x{n:02x}" for n in range(32)} | {10: "\\n", 13: "\\r", 9: "\\t"}


def error(text: str) -> None:
    """``Error: …`` on stderr, always on one line (control characters escaped)."""
    message(text.translate(_CONTROL), style="bold red", prefix="Error: ")


def warning(text: str) -> None:
    """``Warning: …`` on stderr."""
    message(text, style="bold yellow", prefix="Warning: ")


def info(text: str) -> None:
    """A plain note on stderr."""
    message(text)


def write(text: str) -> None:
    """Data, exactly as given, on stdout."""
    sys.stdout.write(text)
    sys.stdout.flush()


def _tsv_cell(text: str) -> str:
    return " ".join(text.split())


def _json(value: Any, *, indent: int | None = 2) -> str:
    return json.dumps(value, ensure_ascii=False, indent=indent)


def format_date(day: dt.date, date_format: str | None) -> str:
    """A date as people read it: ISO unless the config's ``date_format`` says otherwise."""
    return day.isoformat() if date_format is None else day.strftime(date_format)


Spans = Mapping[str, Sequence[tuple[int, int]]]
#: How matched words stand out in a search's table.
HIGHLIGHT = "bold reverse"
_SNIPPET_LEAD = 20


def highlighted(text: str, spans: Sequence[tuple[int, int]], *, snippet: bool = False) -> Any:
    """``text`` as Rich Text with ``spans`` highlighted.

    With ``snippet``, a long text starts a little before its first match (with an
    ellipsis), so a match deep in a summary is still seen in a one-line cell.
    """
    from rich.text import Text

    offset = 0
    if snippet and spans and spans[0][0] > _SNIPPET_LEAD:
        # Start at the word before the first match: a narrow cell still shows it.
        cut = text.rfind(" ", 0, max(spans[0][0] - 1, 0))
        offset = cut + 1 if cut > 0 else spans[0][0]
    result = Text("…" if offset else "")
    base = len(result) - offset
    result.append(text[offset:])
    for start, end in spans:
        if end > offset:
            result.stylize(HIGHLIGHT, max(start, offset) + base, end + base)
    return result


def _one_line(text: str, spans: Sequence[tuple[int, int]]) -> tuple[str, list[tuple[int, int]]]:
    # Whitespace runs become one space; spans move with the text they mark.
    pieces: list[str] = []
    moved: list[int] = []
    position = 0
    for char in text:
        if char.isspace():
            if pieces and pieces[-1] == " ":
                moved.append(position - 1)
                continue
            char = " "
        moved.append(position)
        pieces.append(char)
        position += 1
    moved.append(position)
    return "".join(pieces), [(moved[start], moved[end]) for start, end in spans]


def items_table(
    items: Sequence[ItemView],
    labels: Mapping[str, str],
    *,
    caption: str | None = None,
    date_format: str | None = None,
    highlights: Mapping[str, Spans] | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Print items as a table numbered like the listing page (matches highlighted).

    With ``at``, drafts and items under embargo at that instant are marked.
    """

    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = _console()
    # Narrow terminals drop the summary, then the date (ids begin with the date).
    show_summary = console.width >= 110
    show_date = console.width >= 90
    table = Table(caption=caption, caption_justify="left", expand=True, box=box.SIMPLE_HEAD)
    table.add_column("#", justify="right", style="dim", no_wrap=True)
    table.add_column("ID", style="cyan", no_wrap=True)
    if show_date:
        table.add_column("Date", no_wrap=True)
    table.add_column("Type", style="magenta", max_width=14)
    if show_summary:
        # The title gets what it needs up to half of the room left, the summary
        # the rest: short titles leave more of a line to the summary.
        dates = [format_date(item.date, date_format) for item in items] if show_date else []
        fixed = [
            len(str(len(items))),
            max((len(item.id) for item in items), default=2),
            max((len(d) for d in dates), default=0),
            min(14, max((len(labels.get(i.type, i.type)) for i in items), default=4)),
        ]
        columns = 5 + show_date
        room = console.width - sum(fixed) - 2 * columns - 2
        longest = max((len(item.title) for item in items), default=5)
        title_width = max(16, min(longest, room // 2))
        summary_width = max(8, room - title_width)
        table.add_column("Title", style="bold", width=title_width)
        table.add_column("Summary", ratio=1, min_width=8)
    else:
        table.add_column("Title", style="bold", ratio=3, min_width=16)
    for number, item in enumerate(items, start=1):
        spans = (highlights or {}).get(item.id, {})
        row: list[str | Text] = [str(number), item.id]
        if show_date:
            row.append(format_date(item.date, date_format))
        title = highlighted(item.title, spans.get("title", ()))
        mark = status_mark(item, at)
        if mark:
            title = Text.assemble((f"[{mark}] ", "bold yellow"), title)
        row += [labels.get(item.type, item.type), title]
        if show_summary:
            text, moved = _one_line(item.summary or "", spans.get("summary", ()))
            cell = highlighted(text, moved, snippet=True)
            cell.style = "dim"
            # As many lines of summary as the title takes (a little less, for the
            # words that do not fill a line): the row grows for neither.
            lines = len(textwrap.wrap(item.title, title_width)) or 1
            cell.truncate(
                max(summary_width - 1, lines * summary_width * 4 // 5), overflow="ellipsis"
            )
            row.append(cell)
        table.add_row(*row)
    console.print(table)


def print_items(
    items: Sequence[ItemView],
    labels: Mapping[str, str],
    fmt: OutputFormat | None,
    *,
    caption: str | None = None,
    extra: Callable[[ItemView], Mapping[str, Any]] | None = None,
    date_format: str | None = None,
    highlights: Mapping[str, Spans] | None = None,
    at: dt.datetime | None = None,
    status_column: bool = False,
) -> None:
    """Print items in the chosen format (see :func:`default_format`).

    ``extra`` adds fields to each JSON object (search adds its score);
    ``date_format`` changes how the table shows dates (never JSON or TSV); with
    ``at``, drafts and embargoed items are marked in the table, and with
    ``status_column`` too each item's status is a fifth TSV column and a ``status``
    key in JSON (scripts that expect the usual columns and keys get them unless asked).
    """
    fmt = default_format(fmt)
    if fmt is OutputFormat.table:
        items_table(
            items,
            labels,
            caption=caption,
            date_format=date_format,
            highlights=highlights,
            at=at,
        )
    else:
        print_batches([items], fmt, extra=extra, at=at, status_column=status_column)


def print_batches(
    batches: Iterable[Sequence[ItemView]],
    fmt: OutputFormat,
    *,
    extra: Callable[[ItemView], Mapping[str, Any]] | None = None,
    at: dt.datetime | None = None,
    status_column: bool = False,
) -> None:
    """Print items as JSON, JSON lines or TSV, a batch at a time: the bytes of
    :func:`print_items`, without holding every item."""

    def as_json(item: ItemView) -> dict[str, Any]:
        data = to_json(item)
        if at is not None and status_column:
            data["status"] = _status(item, at)
        if extra is not None:
            data.update(extra(item))
        return data

    def tsv_status(item: ItemView) -> str:
        return "" if at is None or not status_column else f"\t{_status(item, at)}"

    def in_list(item: ItemView) -> str:
        # An element of a JSON array indented by two: each of its lines, two further in.
        return "  " + _json(as_json(item)).replace("\n", "\n  ")

    count = 0
    for batch in batches:
        if fmt is OutputFormat.json:
            opening = "[\n" if count == 0 else ",\n"
            text = opening + ",\n".join(in_list(item) for item in batch) if batch else ""
        elif fmt is OutputFormat.jsonl:
            text = "".join(_json(as_json(item), indent=None) + "\n" for item in batch)
        else:
            text = "".join(
                f"{item.id}\t{item.date.isoformat()}\t{item.type}\t{_tsv_cell(item.title)}"
                f"{tsv_status(item)}\n"
                for item in batch
            )
        count += len(batch)
        if text:
            write(text)
    if fmt is OutputFormat.json:
        write("[]\n" if count == 0 else "\n]\n")


def _status(item: ItemView, at: dt.datetime) -> str:
    from coopcli.core.status import status

    return status(item, at).value


def status_mark(item: ItemView, at: dt.datetime | None) -> str | None:
    """``draft`` or ``embargoed until 2026-12-10 09:00 Europe/Geneva``; None when public."""
    if at is None or not (item.draft or item.embargo):
        return None
    from coopcli.core.status import Status, describe_embargo, status

    now = status(item, at)
    if now is Status.draft:
        return "draft"
    if now is Status.embargoed and item.embargo is not None:
        return f"embargoed until {describe_embargo(item.embargo)}"
    return None


def _fields(
    item: ItemView, label: str, date_format: str | None, at: dt.datetime | None = None
) -> list[tuple[str, str]]:
    fields = [("id", item.id)] if item.id else []
    mark = status_mark(item, at)
    if mark is not None:
        fields.append(("status", mark.upper() if mark == "draft" else mark))
    elif at is None and (item.draft or item.embargo):
        # No clock given (a preview before saving): say what the item will be.
        fields.append(("status", "draft" if item.draft else "embargoed"))
    fields += [
        ("type", f"{label} ({item.type})"),
        ("title", item.title),
        ("date", format_date(item.date, date_format)),
    ]
    if item.url:
        fields.append(("url", item.url))
    if item.tags:
        fields.append(("tags", ", ".join(item.tags)))
    if at is not None and item.embargo and mark is None:
        from coopcli.core.status import describe_embargo

        fields.append(("embargo", f"ended {describe_embargo(item.embargo)}"))
    if item.updated:
        fields.append(("updated", item.updated))
    return fields


def _item_grid(
    console: Console,
    item: ItemView,
    label: str,
    date_format: str | None,
    at: dt.datetime | None = None,
) -> None:
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    styles = {"title": "bold", "status": "bold yellow"}
    for name, value in _fields(item, label, date_format, at):
        grid.add_row(name, Text(value, style=styles.get(name, "")))
    console.print(grid)
    if item.summary:
        console.print()
        console.print(Text(item.summary))


def print_item(
    item: ItemView,
    label: str,
    fmt: OutputFormat | None,
    *,
    date_format: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Print one item in full (``date_format`` applies to the terminal view only).

    With ``at``, a draft or an item under embargo then says so in a ``status`` line.
    """
    fmt = default_format(fmt)
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        data = to_json(item)
        if at is not None and (item.draft or item.embargo):
            data["status"] = _status(item, at)
        write(_json(data, indent=2 if fmt is OutputFormat.json else None) + "\n")
        return
    if fmt is OutputFormat.tsv:
        lines = [f"{name}: {value}" for name, value in _fields(item, label, None, at)]
        if item.summary:
            lines += ["", item.summary]
        write("\n".join(lines) + "\n")
        return
    _item_grid(_console(), item, label, date_format, at)


def preview_item(item: ItemView, label: str, *, date_format: str | None = None) -> None:
    """Show an item about to be saved, on stderr (stdout is for its id)."""
    _item_grid(_console(stderr=True), item, label, date_format)


def settings_table(rows: Sequence[tuple[str, str, str]], fmt: OutputFormat | None) -> None:
    """``name  value  source`` rows: a table on a terminal, tab-separated in a pipe."""
    if default_format(fmt) is not OutputFormat.table:
        write("".join(f"{name}\t{value}\t{source}\n" for name, value, source in rows))
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD)
    table.add_column("Setting", style="cyan", no_wrap=True)
    table.add_column("Value")
    table.add_column("From", style="dim")
    for name, value, source in rows:
        table.add_row(name, Text(value), Text(source))
    _console().print(table)


def simple_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    fmt: OutputFormat | None = None,
    *,
    right: Sequence[str] = (),
) -> None:
    """Rows with a header: a table on a terminal, tab-separated lines (no header) in a
    pipe, unless ``fmt`` chooses (JSON is the caller's)."""
    if default_format(fmt) is not OutputFormat.table:
        write("".join("\t".join(_tsv_cell(cell) for cell in row) + "\n" for row in rows))
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD)
    for header in headers:
        table.add_column(header, justify="right" if header in right else "left")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    _console().print(table)


def to_json_text(value: Any, *, compact: bool = False) -> str:
    """JSON for ``--format json`` (indented) or ``jsonl`` (compact), with a final newline."""
    return _json(value, indent=None if compact else 2) + "\n"


_BAR_WIDTH = 40
_BY_TITLES = {"type": "By type", "month": "By month", "year": "By year", "tag": "Top tags"}


def print_stats(numbers: Stats, fmt: StatsFormat | None, *, caption: str) -> None:
    """Print stats: a bar chart per breakdown, tab-separated lines, or JSON."""
    if fmt is None:
        fmt = StatsFormat.table if stdout_is_terminal() else StatsFormat.tsv
    if fmt is StatsFormat.json:
        write(_json(numbers.to_json()) + "\n")
        return
    first = numbers.first.isoformat() if numbers.first else ""
    last = numbers.last.isoformat() if numbers.last else ""
    if fmt is StatsFormat.tsv:
        lines = [f"total\t\t{numbers.total}", f"first\t\t{first}", f"last\t\t{last}"]
        for by, counts in numbers.breakdowns.items():
            lines += [f"{by.value}\t{_tsv_cell(c.key)}\t{c.count}" for c in counts]
        write("".join(line + "\n" for line in lines))
        return
    from rich import box
    from rich.table import Table
    from rich.text import Text

    console = _console()
    noun = "item" if numbers.total == 1 else "items"
    span = f", {first} to {last}" if numbers.first else ""
    console.print(Text(f"{numbers.total} {noun}{span}", style="bold"))
    for by, counts in numbers.breakdowns.items():
        if not counts:
            continue
        most = max(c.count for c in counts)
        shown = len(counts)
        title = _BY_TITLES[by.value]
        if numbers.sizes.get(by, shown) > shown:
            title += f" ({shown} of {numbers.sizes[by]})"
        table = Table(title=title, title_justify="left", box=box.SIMPLE, show_header=False)
        table.add_column("key", no_wrap=True, overflow="ellipsis", max_width=36)
        table.add_column("count", justify="right", no_wrap=True, min_width=len(str(most)))
        table.add_column("bar", style="cyan", no_wrap=True, overflow="crop")
        width = max(10, min(_BAR_WIDTH, console.width - 50))
        for c in counts:
            length = max(1, round(width * c.count / most))
            name = c.label if c.label == c.key else f"{c.label} ({c.key})"
            table.add_row(name, str(c.count), "█" * length)
        console.print(table)
    console.print(Text(caption, style="dim"))


def progress(items: Iterable[T], total: int, description: str) -> Iterator[T]:
    """Iterate, showing a progress bar on stderr when it is a terminal (never in a pipe).

    For long work only (imports, exports and stats over many items): the bar is
    transient, so it leaves nothing behind once done.
    """
    if not sys.stderr.isatty():
        yield from items
        return
    from rich.progress import Progress

    with Progress(console=_console(stderr=True), transient=True) as bar:
        task = bar.add_task(description, total=total)
        for item in items:
            yield item
            bar.advance(task)
