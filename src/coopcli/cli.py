"""The ``coopcli`` command line: parse arguments, call the core, render, map errors.

Heavy modules (Pydantic, Rich, the formats) are imported inside the commands that
need them, so ``coopcli --version`` and ``--help`` start fast.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from coopcli import __version__, cliutil, render
from coopcli.cliutil import date_or_today, need, open_store, read_index
from coopcli.completion import complete_ids, complete_tags, complete_types
from coopcli.errors import CoopError, UsageError
from coopcli.options import (
    FileOption,
    FormatOption,
    LimitOption,
    NoPagerOption,
    ReverseOption,
    SortOption,
    format_choice,
    with_filters,
)
from coopcli.query import FilterArgs, SortKey

if TYPE_CHECKING:
    from coopcli.append import NewItem
    from coopcli.store import Store


class CoopGroup(TyperGroup):
    """The one place where domain errors become a message and an exit code."""

    #: The order commands are listed in (help, completion): everyday work first.
    ORDER = (
        "add",
        "list",
        "search",
        "show",
        "edit",
        "remove",
        "export",
        "import",
        "site",
        "stats",
        "config",
        "check",
        "git-setup",
        "merge-file",
        "restore-backup",
    )

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: n for n, name in enumerate(self.ORDER)}
        return sorted(names, key=lambda name: rank.get(name, len(rank)))

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
        "--type",
        "-t",
        help="Type key or label (news, spotlight, champion…).",
        show_default=False,
        autocompletion=complete_types,
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
    typer.Option(
        "--tag", help="A tag; repeat for several.", show_default=False, autocompletion=complete_tags
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Add even if an item with this title and date exists.")
]
IdArgument = Annotated[
    str,
    typer.Argument(
        help="Item id, or any unique prefix of it.", show_default=False, autocompletion=complete_ids
    ),
]


EditFlag = Annotated[
    bool, typer.Option("--edit", "-e", help="Write the item in your editor ($VISUAL, $EDITOR).")
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
    edit: EditFlag = False,
    file: FileOption = None,
) -> None:
    """Add an item and print its new id.

    On a terminal without flags, asks for each field; --edit writes it in your editor.

    Example: coopcli add --type news --title "ILO country briefs" --date "28 October 2021"

    Example: coopcli add --edit --type spotlight
    """
    from coopcli.append import NewItem

    store = open_store(ctx, file)
    given = NewItem(type or "", title or "", date_or_today(date), summary, url, tag or [], force)
    no_fields = all(v is None for v in (type, title, date, summary, url, tag))
    if edit or (no_fields and cliutil.interactive()):
        _add_interactively(store, given, edit=edit)
        return
    missing = [flag for flag, value in (("--type", type), ("--title", title)) if value is None]
    if missing and not cliutil.interactive():
        raise UsageError(
            f"missing {' and '.join(missing)} (no terminal to ask on; see coopcli add --help)"
        )
    new = replace(given, type=need(type, "--type", "Type"), title=need(title, "--title", "Title"))
    render.write(f"{_save_new(store, new)}\n")


def _save_new(store: Store, new: NewItem) -> str:
    """Add ``new`` (appending when possible) and return its id."""
    from coopcli import actions
    from coopcli.append import try_append

    appended = try_append(store, new)
    if appended is not None:
        return appended.id
    with store.transaction() as doc:
        item = actions.add_item(
            doc,
            type=new.type,
            title=new.title,
            date=new.date,
            summary=new.summary,
            url=new.url,
            tags=new.tags,
            force=new.force,
        )
    return item.id


def _add_interactively(store: Store, given: NewItem, *, edit: bool) -> None:
    """``add`` without flags on a terminal (prompts), or ``add --edit`` (the editor)."""
    from coopcli import editor, prompts
    from coopcli.config import date_format
    from coopcli.dates import today
    from coopcli.itemtypes import all_types
    from coopcli.reading import open_index

    with open_index(store) as idx:
        types = all_types(idx.meta.types)
    if not edit:
        new = prompts.ask_item(types, today(), given)
        if not prompts.confirm_save(new, types.get(new.type, new.type), date_format()):
            render.info("Nothing was added.")
            return
        render.write(f"{_save_new(store, new)}\n")
        return
    written = editor.new_item(types, given, can_ask=cliutil.interactive())
    if written is None:
        return
    new, draft = written
    try:
        item_id = _save_new(store, new)
    except CoopError as exc:
        raise draft.kept(str(exc), like=exc) from None
    draft.discard()
    render.write(f"{item_id}\n")


@app.command("list")
@with_filters
def list_(
    ctx: typer.Context,
    filters: FilterArgs,
    limit: LimitOption = None,
    sort: SortOption = SortKey.DATE,
    reverse: ReverseOption = False,
    format: FormatOption = None,
    no_pager: NoPagerOption = False,
    file: FileOption = None,
) -> None:
    """List items, newest first.

    Example: coopcli list --type spotlight --since 2021-10 -n 20
    """
    from coopcli import actions
    from coopcli.config import date_format
    from coopcli.itemtypes import all_types
    from coopcli.pager import paging

    with read_index(ctx, file) as idx:
        selection = actions.select_rows(idx, filters, sort=sort, reverse=reverse, limit=limit)
        labels = all_types(idx.meta.types)
    with paging(not no_pager):
        render.print_items(
            selection.items,
            labels,
            format,
            caption=selection.caption(),
            date_format=date_format(),
        )


@app.command()
def show(
    ctx: typer.Context,
    id: IdArgument,
    format: FormatOption = None,
    no_pager: NoPagerOption = False,
    file: FileOption = None,
) -> None:
    """Show one item in full.

    Example: coopcli show 2021-10-29-ilo
    """
    from coopcli import ids
    from coopcli.config import date_format
    from coopcli.itemtypes import all_types
    from coopcli.pager import paging

    with read_index(ctx, file) as idx:
        item = ids.find(idx.ids_with_prefix(id.strip(), limit=None), id)
        label = all_types(idx.meta.types).get(item.type, item.type)
    with paging(not no_pager):
        render.print_item(item, label, format, date_format=date_format())


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
        list[str] | None,
        typer.Option(
            "--tag", help="Add a tag; repeatable.", show_default=False, autocompletion=complete_tags
        ),
    ] = None,
    untag: Annotated[
        list[str] | None,
        typer.Option(
            "--untag",
            help="Remove a tag; repeatable.",
            show_default=False,
            autocompletion=complete_tags,
        ),
    ] = None,
    force: ForceOption = False,
    file: FileOption = None,
) -> None:
    """Change an item's fields; its id stays the same.

    Without field flags, opens the item in your editor ($VISUAL, $EDITOR).

    Example: coopcli edit 2021-10-28-ilo-country --summary "Briefs from five countries." --tag asia

    Example: EDITOR=nano coopcli edit 2021-10-28-ilo-country
    """
    from coopcli import actions
    from coopcli.dates import parse_date

    day = None if date is None else parse_date(date)
    store = open_store(ctx, file)
    if all(v is None for v in (type, title, date, summary, url, tag, untag)):
        from coopcli import editor

        if not cliutil.interactive() and not editor.editor_command()[1]:
            raise UsageError(
                "nothing to change: give at least one of --type, --title, --date, "
                "--summary, --url, --tag, --untag (or set EDITOR to edit the item in it)"
            )
        edited = editor.edit_existing(store, id, force=force, can_ask=cliutil.interactive())
        if edited is None:
            return
        item, changed = edited
    else:
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
        typer.Argument(
            metavar="ID...",
            help="Ids (or unique prefixes) of the items to remove.",
            autocompletion=complete_ids,
        ),
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
            "--format",
            "-F",
            help=_format_help(),
            callback=format_choice(exports=True),
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Write to this file instead of stdout.", metavar="FILE"
        ),
    ] = None,
    query: Annotated[
        str | None,
        typer.Option(
            "--query",
            "-q",
            help="Export only what this search finds (as `coopcli search` reads it), "
            "best match first.",
            metavar="QUERY",
            show_default=False,
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
    """Export items (all, filtered or found by a search) in a publishing format.

    Example: coopcli export --format json --since 2021-10 --query untfsse --output news.json

    Example: coopcli export -o news.rss --feed-link https://example.org/news
    """
    from coopcli import actions, formats
    from coopcli.config import checked_path, feed_defaults
    from coopcli.view import Listing

    target = None if output is None else checked_path(output)
    name = format
    if name is None:
        guessed = formats.for_path(target) if target else None
        name = guessed.name if guessed else "json"
    exporter = formats.load(name)
    with read_index(ctx, file) as idx:
        if query is None:
            selection = actions.select_rows(idx, filters)
        else:
            from coopcli.search import parse_query

            searched = parse_query([query], spaces_make_phrases=False)
            selection = actions.search_rows(idx, filters, searched).selection
        meta = idx.meta
    listing = Listing(meta.title, meta.link, meta.description, meta.types, selection.items)
    # The list's title and link: the flags, else the file's own, else the config's.
    defaults = feed_defaults()
    title = feed_title if feed_title is not None or listing.title else defaults.title
    link = feed_link if feed_link is not None or listing.link else defaults.link
    if title is not None or link is not None:
        from coopcli.feeds import with_metadata

        listing = with_metadata(listing, title=title, link=link)
    for line in getattr(exporter, "export_warnings", lambda _doc: [])(listing):
        render.warning(line)
    text: str = exporter.export(listing)
    if target is None:
        render.write(text)
        return
    from coopcli.atomic import atomic_write

    atomic_write(target, text.encode("utf-8"))
    render.info(f"Wrote {actions.plural(len(selection.items), 'item')} to {output} ({name})")


def main() -> NoReturn:
    """Entry point of the ``coopcli`` script."""
    app(prog_name="coopcli")
    raise SystemExit(0)  # pragma: no cover - app() always exits


# Commands that live in their own modules register themselves on import.
from coopcli import (  # noqa: E402, F401
    cli_backup,
    cli_config,
    cli_git,
    cli_import,
    cli_search,
    cli_site,
    cli_stats,
)
