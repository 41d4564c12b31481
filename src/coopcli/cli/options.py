"""Command-line options shared by several commands, and their completion.

``list``, ``search``, ``export`` and ``stats`` take the same filters; the
:func:`with_filters` decorator adds them to a command once, so each command's
signature names only what is its own.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from dataclasses import fields
from typing import Annotated, Any, TypeVar

import typer

from coopcli.cli.completion import complete_tags, complete_types
from coopcli.cli.render import OutputFormat
from coopcli.core.errors import CoopError
from coopcli.core.query import FilterArgs, SortKey

F = TypeVar("F", bound=Callable[..., Any])

FileOption = Annotated[
    str | None,
    typer.Option(
        "--file",
        "-f",
        help="Item file (.toml or .json). Default: $COOPCLI_FILE, the config file, "
        "or news.toml in the user data directory.",
        metavar="PATH",
        show_default=False,
    ),
]
FormatOption = Annotated[
    OutputFormat | None,
    typer.Option(
        "--format",
        "-F",
        help="Output format. Default: table on a terminal, tab-separated lines in a pipe.",
        case_sensitive=False,
        show_default=False,
    ),
]
LimitOption = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=0, help="Show at most N items.", metavar="N"),
]
SortOption = Annotated[
    SortKey, typer.Option("--sort", help="Order by date (newest first), title or type.")
]
ReverseOption = Annotated[bool, typer.Option("--reverse", help="Reverse the order.")]
NoPagerOption = Annotated[
    bool,
    typer.Option(
        "--no-pager", help="Print straight to the terminal, even when the output is long."
    ),
]


_FILTER_OPTIONS: dict[str, Any] = {
    "type": Annotated[
        list[str] | None,
        typer.Option(
            "--type",
            "-t",
            help="Only items of this type (key or label, any case); repeatable.",
            metavar="TYPE",
            autocompletion=complete_types,
            show_default=False,
        ),
    ],
    "tag": Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            help="Only items with this tag; repeat for several (all must match).",
            metavar="TAG",
            autocompletion=complete_tags,
            show_default=False,
        ),
    ],
    "any_tag": Annotated[
        bool, typer.Option("--any-tag", help="With several --tag: match items with any of them.")
    ],
    "since": Annotated[
        str | None,
        typer.Option(
            "--since",
            "--from",
            help="From this date on (inclusive): 2021-10-29, 2021-10, 2021, '3 months ago', "
            "'last week', 'this month'.",
            metavar="DATE",
            show_default=False,
        ),
    ],
    "until": Annotated[
        str | None,
        typer.Option(
            "--until",
            "--to",
            help="Up to this date (inclusive); '--until 2021-10' means to 31 October.",
            metavar="DATE",
            show_default=False,
        ),
    ],
    "on": Annotated[
        str | None,
        typer.Option("--on", help="On this day (or month, or year).", metavar="DATE"),
    ],
    "year": Annotated[
        int | None, typer.Option("--year", help="In this year (four digits: 2021).", metavar="YYYY")
    ],
    "month": Annotated[
        str | None, typer.Option("--month", help="In this month.", metavar="YYYY-MM")
    ],
}
_FILTER_DEFAULTS = {f.name: f.default for f in fields(FilterArgs)}
_FILTER_DEFAULTS.update(type=None, tag=None)


def with_filters(func: F) -> F:
    """Add the shared filter options to a command.

    The command declares a ``filters: FilterArgs`` parameter and receives them in it.
    """
    signature = inspect.signature(func, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "filters"]
    added = [
        inspect.Parameter(
            name,
            inspect.Parameter.KEYWORD_ONLY,
            default=_FILTER_DEFAULTS[name],
            annotation=annotation,
        )
        for name, annotation in _FILTER_OPTIONS.items()
    ]

    @functools.wraps(func)
    def command(*args: Any, **kwargs: Any) -> Any:
        raw = {name: kwargs.pop(name) for name in _FILTER_OPTIONS}
        raw["type"] = tuple(raw["type"] or ())
        raw["tag"] = tuple(raw["tag"] or ())
        return func(*args, filters=FilterArgs(**raw), **kwargs)

    parameters = own + added
    command.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    return command  # type: ignore[return-value]


def format_choice(
    *, exports: bool = False, imports: bool = False
) -> Callable[[str | None], str | None]:
    """A ``--format`` callback accepting only formats that export (or import)."""

    def check(value: str | None) -> str | None:
        from coopcli import formats

        if value is None:
            return None
        try:
            return formats.able(value, exports=exports, imports=imports)
        except CoopError as exc:
            raise typer.BadParameter(str(exc)) from None

    return check
