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
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from coopcli.view import ItemView, to_json

if TYPE_CHECKING:
    from rich.console import Console


T = TypeVar("T")


class OutputFormat(str, enum.Enum):
    """How ``list``, ``search`` and ``show`` print items."""

    table = "table"
    tsv = "tsv"
    json = "json"
    jsonl = "jsonl"


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


def message(text: str, *, style: str | None = None, prefix: str = "") -> None:
    """A message for people, on stderr (styled only on a terminal)."""
    if sys.stderr.isatty() and style:
        from rich.markup import escape

        _console(stderr=True).print(f"[{style}]{escape(prefix)}[/]{escape(text)}")
    else:
        sys.stderr.write(f"{prefix}{text}\n")
        sys.stderr.flush()


def error(text: str) -> None:
    """``Error: …`` on stderr."""
    message(text, style="bold red", prefix="Error: ")


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


def items_table(
    items: Sequence[ItemView],
    labels: Mapping[str, str],
    *,
    caption: str | None = None,
    date_format: str | None = None,
) -> None:
    """Print items as a table numbered like the listing page."""
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
    table.add_column("Title", style="bold", ratio=3, min_width=16)
    if show_summary:
        table.add_column("Summary", ratio=2, no_wrap=True, overflow="ellipsis", min_width=8)
    for number, item in enumerate(items, start=1):
        row: list[str | Text] = [str(number), item.id]
        if show_date:
            row.append(format_date(item.date, date_format))
        row += [labels.get(item.type, item.type), Text(item.title)]
        if show_summary:
            row.append(Text(" ".join((item.summary or "").split()), style="dim"))
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
) -> None:
    """Print items in the chosen format (see :func:`default_format`).

    ``extra`` adds fields to each JSON object (search adds its score);
    ``date_format`` changes how the table shows dates (never JSON or TSV).
    """
    fmt = default_format(fmt)

    def as_json(item: ItemView) -> dict[str, Any]:
        data = to_json(item)
        if extra is not None:
            data.update(extra(item))
        return data

    if fmt is OutputFormat.json:
        write(_json([as_json(item) for item in items]) + "\n")
    elif fmt is OutputFormat.jsonl:
        write("".join(_json(as_json(item), indent=None) + "\n" for item in items))
    elif fmt is OutputFormat.tsv:
        write(
            "".join(
                f"{item.id}\t{item.date.isoformat()}\t{item.type}\t{_tsv_cell(item.title)}\n"
                for item in items
            )
        )
    else:
        items_table(items, labels, caption=caption, date_format=date_format)


def _fields(item: ItemView, label: str, date_format: str | None) -> list[tuple[str, str]]:
    fields = [("id", item.id)] if item.id else []
    fields += [
        ("type", f"{label} ({item.type})"),
        ("title", item.title),
        ("date", format_date(item.date, date_format)),
    ]
    if item.url:
        fields.append(("url", item.url))
    if item.tags:
        fields.append(("tags", ", ".join(item.tags)))
    return fields


def _item_grid(console: Console, item: ItemView, label: str, date_format: str | None) -> None:
    from rich.table import Table
    from rich.text import Text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column()
    for name, value in _fields(item, label, date_format):
        grid.add_row(name, Text(value, style="bold" if name == "title" else ""))
    console.print(grid)
    if item.summary:
        console.print()
        console.print(Text(item.summary))


def print_item(
    item: ItemView, label: str, fmt: OutputFormat | None, *, date_format: str | None = None
) -> None:
    """Print one item in full (``date_format`` applies to the terminal view only)."""
    fmt = default_format(fmt)
    if fmt in (OutputFormat.json, OutputFormat.jsonl):
        write(_json(to_json(item), indent=2 if fmt is OutputFormat.json else None) + "\n")
        return
    if fmt is OutputFormat.tsv:
        lines = [f"{name}: {value}" for name, value in _fields(item, label, None)]
        if item.summary:
            lines += ["", item.summary]
        write("\n".join(lines) + "\n")
        return
    _item_grid(_console(), item, label, date_format)


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


def to_json_text(value: Any, *, compact: bool = False) -> str:
    """JSON for ``--format json`` (indented) or ``jsonl`` (compact), with a final newline."""
    return _json(value, indent=None if compact else 2) + "\n"


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
