"""``coopcli search``: find items by what people remember of them."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperCommand

from coopcli.cli import render
from coopcli.cli.context import read_list
from coopcli.cli.options import (
    FileOption,
    FormatOption,
    LimitOption,
    NoPagerOption,
    ReverseOption,
    with_filters,
)
from coopcli.core.query import FilterArgs, SortKey

if TYPE_CHECKING:
    from coopcli.core.search import SearchQuery
    from coopcli.core.view import ItemView
    from coopcli.newslist import NewsList

_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?")
_LIMIT = re.compile(r"-n\d+")


#: How many of the newest items the "did you mean" words are taken from.
SUGGEST_FROM = 10_000


class SearchSort(str, enum.Enum):
    """What ``search --sort`` orders by."""

    RELEVANCE = "relevance"
    DATE = "date"
    TITLE = "title"
    TYPE = "type"


class SearchCommand(TyperCommand):
    """Reads ``-word`` in a query as "without word", not as an unknown option."""

    # Typed Any: Click's own Context class is private to Typer's vendored copy.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        return super().parse_args(ctx, exclusions_as_options(args, self._option_names()))

    def _option_names(self) -> set[str]:
        names: set[str] = set()
        for param in self.params:
            names.update(param.opts)
            names.update(param.secondary_opts)
        return names


def exclusions_as_options(args: list[str], options: set[str]) -> list[str]:
    """Turn each ``-word`` (not an option of the command) into ``--exclude word``.

    Only before a ``--``; after it every argument is a query word (where a leading
    ``-`` excludes too). So ``-turkey`` excludes "turkey" rather than meaning
    ``--type urkey``: in a search, give short options their value apart (``-t news``);
    only ``-n5`` keeps working.
    """
    result: list[str] = []
    for position, arg in enumerate(args):
        if arg == "--":
            return result + args[position:]
        is_exclusion = (
            arg.startswith("-")
            and not arg.startswith("--")
            and len(arg) > 2
            and arg not in options
            and not _LIMIT.fullmatch(arg)
            and not _NEGATIVE_NUMBER.fullmatch(arg)
        )
        if is_exclusion:
            result += ["--exclude", arg[1:]]
        else:
            result.append(arg)
    return result


commands = typer.Typer()


@commands.command(cls=SearchCommand, short_help="Find items by words, best match first.")
@with_filters
def search(
    ctx: typer.Context,
    filters: FilterArgs,
    query: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="QUERY...",
            help='Words (all must match), "a phrase", -word to exclude, '
            "title:/summary:/tag:/type:/url: to look in one field.",
            show_default=False,
        ),
    ] = None,
    match_any: Annotated[
        bool, typer.Option("--any", help="Match items with any of the words, not all.")
    ] = False,
    exclude: Annotated[
        list[str] | None,
        typer.Option(
            "--exclude", "-x", help="Leave out items with this word; repeatable.", metavar="WORD"
        ),
    ] = None,
    regex: Annotated[
        list[str] | None,
        typer.Option(
            "--regex",
            help="A regular expression (any case) the title, summary or tags must match.",
            metavar="PATTERN",
        ),
    ] = None,
    limit: LimitOption = None,
    sort: Annotated[
        SearchSort,
        typer.Option(
            "--sort", help="Best match first (then newest), or by date (newest first), title, type."
        ),
    ] = SearchSort.RELEVANCE,
    reverse: ReverseOption = False,
    format: FormatOption = None,
    no_pager: NoPagerOption = False,
    file: FileOption = None,
) -> None:
    """Find items by the words of their title, summary or tags, best first.

    Case and accents do not matter (turunc finds Turunç) and word forms are
    matched (session finds sessions). Every filter of `list` applies.

    Example: coopcli search untfsse meeting -virtual --since 2021 --type news
    """
    from coopcli.cli.pager import paging
    from coopcli.config import date_format
    from coopcli.core import search as engine

    searched = engine.parse_query(
        query or [], match_any=match_any, exclude=exclude or [], regex=regex or []
    )
    key = None if sort is SearchSort.RELEVANCE else SortKey(sort.value)
    news = read_list(ctx, file)
    shown = render.default_format(format)
    if shown is not render.OutputFormat.table:
        # Lines for a script: ranked first, then the items read and written a batch
        # at a time, never all of them at once.
        with news.search_batches(searched, filters, sort=key, reverse=reverse, limit=limit) as (
            ranked,
            batches,
        ):
            if not ranked.found:
                _no_match(news, searched)
            scores: dict[str, float] = {}

            def items() -> Iterator[list[ItemView]]:
                for hits in batches:
                    scores.clear()
                    scores.update((hit.item.id, hit.score) for hit in hits)
                    yield [hit.item for hit in hits]

            with paging(not no_pager):
                render.print_batches(items(), shown, extra=lambda item: {"score": scores[item.id]})
        return
    found = news.search(searched, filters, sort=key, reverse=reverse, limit=limit)
    if not found.hits:
        _no_match(news, searched)
        return
    labels = news.types()
    with paging(not no_pager):
        render.print_items(
            found.selection.items,
            labels,
            format,
            caption=found.selection.caption(),
            highlights=found.spans(),
            date_format=date_format(),
        )


def _no_match(news: NewsList, searched: SearchQuery) -> None:
    """Say that nothing matched, and which words of the list are nearest the query's."""
    from coopcli.core import search as engine

    with news.index() as idx:
        suggestions = engine.suggest(searched, engine.vocabulary(idx.texts(limit=SUGGEST_FROM)))
    render.info(f"No items match {searched.describe()}.")
    if suggestions:
        render.info(f"Did you mean {' or '.join(suggestions)}?")
