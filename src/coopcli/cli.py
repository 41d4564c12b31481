"""The ``coopcli`` command line: parse arguments, call the core, render, map errors.

Heavy modules (Pydantic, Rich, the formats) are imported inside the commands that
need them, so ``coopcli --version`` and ``--help`` start fast.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from coopcli import __version__, cliutil, render
from coopcli.cliutil import date_or_today, load_for_reading, need, open_store
from coopcli.errors import CoopError, UsageError
from coopcli.options import (
    FileOption,
    FormatOption,
    LimitOption,
    ReverseOption,
    SortOption,
    with_filters,
)
from coopcli.query import FilterArgs, SortKey

if TYPE_CHECKING:
    pass


class CoopGroup(TyperGroup):
    """The one place where domain errors become a message and an exit code."""

    # Typed Any: Click's own Context class is private to Typer's vendored copy.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CoopError as exc:
            render.error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            render.error("interrupted; nothing was written")
            raise typer.Exit(130) from None


app = typer.Typer(
    name="coopcli",
    cls=CoopGroup,
    help="Keep an organisation's news list in a plain TOML or JSON file, and publish it.",
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        render.write(f"coopcli {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    file: FileOption = None,
    version: Annotated[
        bool,
        typer.Option("--version", "-V", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Keep an organisation's news list in a plain TOML or JSON file, and publish it.

    Example: coopcli list --type spotlight --since 2021-10
    """
    ctx.obj = {"file": file}


TypeOption = Annotated[
    str | None,
    typer.Option(
        "--type", "-t", help="Type key or label (news, spotlight, champion…).", show_default=False
    ),
]
TitleOption = Annotated[
    str | None, typer.Option("--title", help="The headline.", show_default=False)
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        "-d",
        help="2021-10-29, '29 October 2021', 'Oct 29 2021', today, yesterday. Default: today.",
        show_default=False,
    ),
]
SummaryOption = Annotated[
    str | None, typer.Option("--summary", "-s", help="One paragraph.", show_default=False)
]
UrlOption = Annotated[
    str | None,
    typer.Option("--url", help="Link to the full story (http/https).", show_default=False),
]
TagsOption = Annotated[
    list[str] | None,
    typer.Option("--tag", help="A tag; repeat for several.", show_default=False),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Add even if an item with this title and date exists.")
]
IdArgument = Annotated[
    str, typer.Argument(help="Item id, or any unique prefix of it.", show_default=False)
]


@app.command()
def add(
    ctx: typer.Context,
    type: TypeOption = None,
    title: TitleOption = None,
    date: DateOption = None,
    summary: SummaryOption = None,
    url: UrlOption = None,
    tag: TagsOption = None,
    force: ForceOption = False,
    file: FileOption = None,
) -> None:
    """Add an item and print its new id.

    Example: coopcli add --type news --title "ILO country briefs" --date "28 October 2021"
    """
    from coopcli import actions

    type_ = need(type, "--type", "Type")
    title_ = need(title, "--title", "Title")
    day = date_or_today(date)
    store = open_store(ctx, file)
    with store.transaction() as doc:
        item = actions.add_item(
            doc,
            type=type_,
            title=title_,
            date=day,
            summary=summary,
            url=url,
            tags=tag or [],
            force=force,
        )
    render.write(f"{item.id}\n")


@app.command("list")
@with_filters
def list_(
    ctx: typer.Context,
    filters: FilterArgs,
    limit: LimitOption = None,
    sort: SortOption = SortKey.DATE,
    reverse: ReverseOption = False,
    format: FormatOption = None,
    file: FileOption = None,
) -> None:
    """List items, newest first.

    Example: coopcli list --type spotlight --since 2021-10 -n 20
    """
    from coopcli import actions

    _, doc = load_for_reading(ctx, file)
    selection = actions.select(doc, filters, sort=sort, reverse=reverse, limit=limit)
    render.print_items(selection.items, doc.all_types(), format, caption=selection.caption())


@app.command()
@with_filters
def search(
    ctx: typer.Context,
    words: Annotated[
        list[str], typer.Argument(help="Words that must all appear.", show_default=False)
    ],
    filters: FilterArgs,
    limit: LimitOption = None,
    sort: SortOption = SortKey.DATE,
    reverse: ReverseOption = False,
    format: FormatOption = None,
    file: FileOption = None,
) -> None:
    """Find items whose title or summary contains all the words (any case).

    Example: coopcli search untfsse meeting --since 2021
    """
    from coopcli import actions

    _, doc = load_for_reading(ctx, file)
    selection = actions.select(doc, filters, words=words, sort=sort, reverse=reverse, limit=limit)
    if not selection.items:
        render.info("No items match.")
    render.print_items(selection.items, doc.all_types(), format, caption=selection.caption())


@app.command()
def show(
    ctx: typer.Context,
    id: IdArgument,
    format: FormatOption = None,
    file: FileOption = None,
) -> None:
    """Show one item in full.

    Example: coopcli show 2021-10-29-ilo
    """
    from coopcli import ids

    _, doc = load_for_reading(ctx, file)
    item = ids.find(doc.items, id)
    render.print_item(item, doc.label(item.type), format)


@app.command()
def edit(
    ctx: typer.Context,
    id: IdArgument,
    type: TypeOption = None,
    title: TitleOption = None,
    date: DateOption = None,
    summary: Annotated[
        str | None,
        typer.Option("--summary", "-s", help="New summary ('' clears it).", show_default=False),
    ] = None,
    url: Annotated[
        str | None, typer.Option("--url", help="New URL ('' clears it).", show_default=False)
    ] = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="Add a tag; repeatable.", show_default=False)
    ] = None,
    untag: Annotated[
        list[str] | None,
        typer.Option("--untag", help="Remove a tag; repeatable.", show_default=False),
    ] = None,
    force: ForceOption = False,
    file: FileOption = None,
) -> None:
    """Change an item's fields; its id stays the same.

    Example: coopcli edit 2021-10-28-ilo-country --summary "Briefs from five countries." --tag asia
    """
    from coopcli import actions
    from coopcli.dates import parse_date

    day = None if date is None else parse_date(date)
    if all(v is None for v in (type, title, date, summary, url, tag, untag)):
        raise UsageError(
            "nothing to change: give at least one of --type, --title, --date, "
            "--summary, --url, --tag, --untag"
        )
    store = open_store(ctx, file)
    with store.transaction() as doc:
        item, changed = actions.edit_item(
            doc,
            id,
            type=type,
            title=title,
            date=day,
            summary=summary,
            url=url,
            add_tags=tag or [],
            remove_tags=untag or [],
            force=force,
        )
    what = ", ".join(changed) if changed else "nothing (already so)"
    render.info(f"Changed {item.id}: {what}")


@app.command()
def remove(
    ctx: typer.Context,
    ids_: Annotated[
        list[str],
        typer.Argument(metavar="ID...", help="Ids (or unique prefixes) of the items to remove."),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    file: FileOption = None,
) -> None:
    """Remove items, after showing them and asking.

    Example: coopcli remove 2021-10-13-training --yes
    """
    from coopcli import actions

    store = open_store(ctx, file)
    with store.transaction() as doc:
        items = actions.find_items(doc, ids_)
        if not yes:
            if not cliutil.interactive():
                raise UsageError(
                    "not removing without confirmation: add --yes (no terminal to ask on)"
                )
            for item in items:
                render.info(f"  {item.id}  {item.date.isoformat()}  {item.title}")
            noun = "item" if len(items) == 1 else "items"
            if not typer.confirm(f"Remove {len(items)} {noun}?", err=True):
                render.info("Nothing removed.")
                return
        actions.remove_items(doc, items)
    for item in items:
        render.info(f"Removed {item.id}")


def _export_format(value: str | None) -> str | None:
    from coopcli import formats

    if value is not None:
        try:
            return formats.info(value).name
        except CoopError as exc:
            raise typer.BadParameter(str(exc)) from None
    return value


def _format_help() -> str:
    from coopcli import formats

    return (
        "One of: "
        + ", ".join(formats.names(exports=True))
        + ". Default: from --output's suffix, else json."
    )


@app.command()
@with_filters
def export(
    ctx: typer.Context,
    filters: FilterArgs,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", "-F", help=_format_help(), callback=_export_format, show_default=False
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", metavar="FILE"
        ),
    ] = None,
    feed_title: Annotated[
        str | None,
        typer.Option(
            "--feed-title",
            help="The list's title in the export (default: the file's title).",
            metavar="TEXT",
        ),
    ] = None,
    feed_link: Annotated[
        str | None,
        typer.Option(
            "--feed-link",
            help="The list's web page in the export (default: the file's link).",
            metavar="URL",
        ),
    ] = None,
    file: FileOption = None,
) -> None:
    """Export items (all, or those the filters select) in a publishing format.

    Example: coopcli export -o news.rss --feed-link https://example.org/news
    """
    from pathlib import Path

    from coopcli import actions, formats

    name = format
    if name is None:
        guessed = formats.for_path(Path(output)) if output else None
        name = guessed.name if guessed else "json"
    _, doc = load_for_reading(ctx, file)
    selection = actions.select(doc, filters)
    module = formats.load(name)
    chosen = doc.with_items(selection.items)
    if feed_title is not None or feed_link is not None:
        from coopcli.feeds import with_metadata

        chosen = with_metadata(chosen, title=feed_title, link=feed_link)
    for line in getattr(module, "export_warnings", lambda _doc: [])(chosen):
        render.warning(line)
    text: str = module.export(chosen)
    if output is None:
        render.write(text)
        return
    from coopcli.atomic import atomic_write

    atomic_write(Path(output), text.encode("utf-8"))
    render.info(f"Wrote {len(selection.items)} items to {output} ({name})")


def main() -> NoReturn:
    """Entry point of the ``coopcli`` script."""
    app()
    raise SystemExit(0)  # pragma: no cover - app() always exits
