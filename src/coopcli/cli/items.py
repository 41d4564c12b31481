"""The everyday commands on items: ``add``, ``list``, ``show``, ``edit``, ``remove``."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import TYPE_CHECKING, Annotated

import typer

from coopcli.cli import context as cliutil
from coopcli.cli import render
from coopcli.cli.completion import complete_ids, complete_tags, complete_types
from coopcli.cli.context import date_or_today, need, open_list, read_list
from coopcli.cli.options import (
    FileOption,
    FormatOption,
    LimitOption,
    NoPagerOption,
    ReverseOption,
    SortOption,
    with_filters,
)
from coopcli.cli.render import OutputFormat
from coopcli.core.dates import parse_date, today
from coopcli.core.errors import CoopError, DataError, UsageError
from coopcli.core.query import FilterArgs, SortKey

if TYPE_CHECKING:
    from coopcli.core.status import Status
    from coopcli.newslist import NewsList
    from coopcli.storage.append import NewItem

commands = typer.Typer()

TypeOption = Annotated[
    str | None,
    typer.Option(
        "--type",
        "-t",
        help="Type key or label (news, spotlight, champion…).",
        metavar="TYPE",
        show_default=False,
        autocompletion=complete_types,
    ),
]
TitleOption = Annotated[
    str | None,
    typer.Option("--title", help="The headline.", metavar="TEXT", show_default=False),
]
DateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        "-d",
        help="2021-10-29, '29 October 2021', 'Oct 29 2021', today, yesterday. Default: today.",
        metavar="DATE",
        show_default=False,
    ),
]
NewDateOption = Annotated[
    str | None,
    typer.Option(
        "--date",
        "-d",
        help="A new date (2021-10-29, '29 October 2021', yesterday…); the id stays as it is.",
        metavar="DATE",
        show_default=False,
    ),
]
SummaryOption = Annotated[
    str | None,
    typer.Option(
        "--summary",
        "-s",
        help="A paragraph or a few; a blank line starts a new one.",
        metavar="TEXT",
        show_default=False,
    ),
]
UrlOption = Annotated[
    str | None,
    typer.Option(
        "--url", help="Link to the full story (http/https).", metavar="URL", show_default=False
    ),
]
TagsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        help="A tag; repeat for several.",
        metavar="TAG",
        show_default=False,
        autocompletion=complete_tags,
    ),
]
ForceOption = Annotated[
    bool, typer.Option("--force", help="Add even if an item with this title and date exists.")
]
EditForceOption = Annotated[
    bool,
    typer.Option("--force", help="Save even if another item has the same title and date."),
]
IdArgument = Annotated[
    str,
    typer.Argument(
        help="Item id, or any unique prefix of it.",
        metavar="ID",
        show_default=False,
        autocompletion=complete_ids,
    ),
]


DraftFlag = Annotated[
    bool,
    typer.Option("--draft", help="Keep it out of exports, feeds and the site until published."),
]
EmbargoOption = Annotated[
    str | None,
    typer.Option(
        "--embargo",
        help="Keep it out of anything public until then: '2026-12-10 09:00 Europe/Geneva'.",
        metavar="WHEN",
        show_default=False,
    ),
]
StatusOption = Annotated[
    str | None,
    typer.Option(
        "--status",
        help="Only items that are draft, embargoed or published now (default: all; "
        "given, a pipe gets a fifth column with each item's status).",
        metavar="draft|embargoed|published|all",
        show_default=False,
    ),
]

EditFlag = Annotated[
    bool, typer.Option("--edit", "-e", help="Write the item in your editor ($VISUAL, $EDITOR).")
]


@commands.command(short_help="Add an item and print its new id.")
def add(
    ctx: typer.Context,
    type: TypeOption = None,
    title: TitleOption = None,
    date: DateOption = None,
    summary: SummaryOption = None,
    url: UrlOption = None,
    tag: TagsOption = None,
    force: ForceOption = False,
    draft: DraftFlag = False,
    embargo: EmbargoOption = None,
    edit: EditFlag = False,
    from_url: Annotated[
        str | None,
        typer.Option(
            "--from-url",
            help="Fill title, summary, date and URL from this web page.",
            metavar="URL",
            show_default=False,
        ),
    ] = None,
    from_file: Annotated[
        str | None,
        typer.Option(
            "--from-file",
            help="Fill them from a saved web page.",
            metavar="PAGE.html",
            show_default=False,
        ),
    ] = None,
    yes: Annotated[
        bool,
        typer.Option("--yes", "-y", help="With --from-url/--from-file: take what was found."),
    ] = False,
    file: FileOption = None,
) -> None:
    """Add an item and print its new id.

    On a terminal without flags, asks for each field; --edit writes it in your editor.
    --draft and --embargo keep it out of everything public until `coopcli publish`
    or until the embargo's time. --from-url fills the fields from a page's
    schema.org, Open Graph or <meta> data, to confirm at the prompts (or --yes).

    Example: coopcli add --type news --title "ILO country briefs" --date "28 October 2021"

    Example: coopcli add -t statement --title "Report" --embargo "2026-12-10 09:00 Europe/Zurich"

    Example: coopcli add --edit --type spotlight

    Example: coopcli add --from-url https://www.ilo.org/resource/news/some-story --yes
    """
    from coopcli.core.status import parse_embargo
    from coopcli.storage.append import NewItem

    stored_embargo = None if embargo is None else parse_embargo(embargo)
    news = open_list(ctx, file)
    given = NewItem(
        type or "",
        title or "",
        date_or_today(date),
        summary,
        url,
        tag or [],
        force,
        draft=draft,
        embargo=stored_embargo,
    )
    if from_url is not None or from_file is not None:
        _add_from_page(news, given, from_url, from_file, yes=yes, date_given=date is not None)
        return
    no_fields = all(v is None for v in (type, title, date, summary, url, tag))
    if edit or (no_fields and cliutil.interactive()):
        _add_interactively(news, given, edit=edit)
        return
    missing = [flag for flag, value in (("--type", type), ("--title", title)) if value is None]
    if missing and not cliutil.interactive():
        raise UsageError(
            f"missing {' and '.join(missing)} (no terminal to ask on; see coopcli add --help)"
        )
    new = replace(given, type=need(type, "--type", "Type"), title=need(title, "--title", "Title"))
    if not _future_date_ok(new.date):
        render.info("Nothing was added.")
        return
    render.write(f"{_save_new(news, new)}\n")


#: Days after today a date may be without a word (as ``check --tolerance``'s default).
FUTURE_TOLERANCE = 1


def _future_date_ok(day: dt.date) -> bool:
    """Warn about a date in the future (``check`` flags it); on a terminal, ask first."""

    days = (day - today()).days
    if days <= FUTURE_TOLERANCE:
        return True
    what = f"{day.isoformat()} is {days} days in the future"
    if cliutil.interactive():
        return typer.confirm(f"{what}; add it anyway?", default=False, err=True)
    render.warning(f"{what} (`coopcli check` will flag it until then); adding it anyway")
    return True


def _save_new(news: NewsList, new: NewItem) -> str:
    """Add ``new`` and return its id."""
    item = news.add(
        type=new.type,
        title=new.title,
        date=new.date,
        summary=new.summary,
        url=new.url,
        tags=new.tags,
        force=new.force,
        draft=new.draft,
        embargo=new.embargo,
    )
    return item.id


def _add_from_page(
    news: NewsList,
    given: NewItem,
    from_url: str | None,
    from_file: str | None,
    *,
    yes: bool,
    date_given: bool,
) -> None:
    """``add --from-url``/``--from-file``: fields from the page, confirmed or taken."""
    from coopcli.cli import frompage

    if not yes and not cliutil.interactive():
        raise UsageError(
            "add --from-url/--from-file: no terminal to confirm the fields on; "
            "add --yes to take them as found"
        )
    page, source = frompage.read_page(from_url, from_file)
    filled = frompage.fill(given, page, source, date_given=date_given)
    if not yes:
        frompage.describe(page, source)
        _add_interactively(news, filled, edit=False)
        return
    if not filled.title:
        raise DataError(f"{source}: found no title in the page; give one with --title")
    render.write(f"{_save_new(news, replace(filled, type=filled.type or 'news'))}\n")


def _add_interactively(news: NewsList, given: NewItem, *, edit: bool) -> None:
    """``add`` without flags on a terminal (prompts), or ``add --edit`` (the editor)."""
    from coopcli.cli import editor, prompts
    from coopcli.config import date_format

    types = news.types()
    if not edit:
        new = prompts.ask_item(types, today(), given)
        if not prompts.confirm_save(new, types.get(new.type, new.type), date_format()):
            render.info("Nothing was added.")
            return
        render.write(f"{_save_new(news, new)}\n")
        return
    written = editor.new_item(types, given, can_ask=cliutil.interactive())
    if written is None:
        return
    new, draft = written
    try:
        item_id = _save_new(news, new)
    except CoopError as exc:
        raise draft.kept(str(exc), like=exc) from None
    draft.discard()
    render.write(f"{item_id}\n")


@commands.command("list", short_help="List items, newest first.")
@with_filters
def list_(
    ctx: typer.Context,
    filters: FilterArgs,
    limit: LimitOption = None,
    sort: SortOption = SortKey.DATE,
    reverse: ReverseOption = False,
    format: FormatOption = None,
    status: StatusOption = None,
    no_pager: NoPagerOption = False,
    file: FileOption = None,
) -> None:
    """List items, newest first; drafts and embargoed items are marked.

    Example: coopcli list --type spotlight --since 2021-10 -n 20

    Example: coopcli list --status draft
    """
    from coopcli.cli.pager import paging
    from coopcli.config import date_format
    from coopcli.core import status as statuses

    wanted = _status_choice(status)
    at = statuses.now()
    news = read_list(ctx, file)
    shown = render.default_format(format)
    if shown is not OutputFormat.table and sort is SortKey.DATE and wanted is None:
        # Lines for a script: written a batch at a time, never all items at once.
        with (
            paging(not no_pager),
            news.select_batches(filters, reverse=reverse, limit=limit) as batches,
        ):
            render.print_batches(batches, shown, at=at, status_column=status is not None)
        return
    selection = news.select(filters, sort=sort, reverse=reverse, limit=limit, status=wanted, at=at)
    labels = news.types()
    with paging(not no_pager):
        render.print_items(
            selection.items,
            labels,
            format,
            caption=selection.caption(),
            date_format=date_format(),
            at=at,
            status_column=status is not None,
        )


def _status_choice(text: str | None) -> Status | None:
    """The status ``--status`` names (None for all)."""
    from coopcli.core.status import Status

    if text is None or text.strip().lower() == "all":
        return None
    try:
        return Status(text.strip().lower())
    except ValueError:
        raise UsageError(
            f"--status {text!r}: not one of draft, embargoed, published, all"
        ) from None


@commands.command(short_help="Show one item in full.")
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
    from coopcli.cli.pager import paging
    from coopcli.config import date_format
    from coopcli.core.status import now

    news = read_list(ctx, file)
    item = news.get(id)
    label = news.types().get(item.type, item.type)
    with paging(not no_pager):
        render.print_item(item, label, format, date_format=date_format(), at=now())


@commands.command(short_help="Change an item's fields; its id stays.")
def edit(
    ctx: typer.Context,
    id: IdArgument,
    type: TypeOption = None,
    title: TitleOption = None,
    date: NewDateOption = None,
    summary: Annotated[
        str | None,
        typer.Option(
            "--summary",
            "-s",
            help="New summary ('' clears it).",
            metavar="TEXT",
            show_default=False,
        ),
    ] = None,
    url: Annotated[
        str | None,
        typer.Option("--url", help="New URL ('' clears it).", metavar="URL", show_default=False),
    ] = None,
    tag: Annotated[
        list[str] | None,
        typer.Option(
            "--tag",
            help="Add a tag; repeatable.",
            metavar="TAG",
            show_default=False,
            autocompletion=complete_tags,
        ),
    ] = None,
    untag: Annotated[
        list[str] | None,
        typer.Option(
            "--untag",
            help="Remove a tag; repeatable.",
            metavar="TAG",
            show_default=False,
            autocompletion=complete_tags,
        ),
    ] = None,
    draft: Annotated[
        bool | None,
        typer.Option(
            "--draft/--no-draft",
            help="Make it a draft again, kept out of everything public (or clear the mark).",
            show_default=False,
        ),
    ] = None,
    embargo: Annotated[
        str | None,
        typer.Option(
            "--embargo",
            help="Embargo it until then: '2026-12-10 09:00 Europe/Geneva' ('' lifts it).",
            metavar="WHEN",
            show_default=False,
        ),
    ] = None,
    force: EditForceOption = False,
    file: FileOption = None,
) -> None:
    """Change an item's fields; its id stays the same.

    Without field flags, opens the item in your editor ($VISUAL, $EDITOR).
    `coopcli publish` clears both the draft mark and the embargo.

    Example: coopcli edit 2021-10-28-ilo-country --summary "Briefs from five countries." --tag asia

    Example: EDITOR=nano coopcli edit 2021-10-28-ilo-country
    """

    day = None if date is None else parse_date(date)
    news = open_list(ctx, file)
    if all(v is None for v in (type, title, date, summary, url, tag, untag, draft, embargo)):
        from coopcli.cli import editor

        if not cliutil.interactive() and not editor.editor_command()[1]:
            raise UsageError(
                "nothing to change: give at least one of --type, --title, --date, "
                "--summary, --url, --tag, --untag, --draft, --embargo "
                "(or set EDITOR to edit the item in it)"
            )
        edited = editor.edit_existing(news, id, force=force, can_ask=cliutil.interactive())
        if edited is None:
            return
    else:
        edited = news.edit(
            id,
            type=type,
            title=title,
            date=day,
            summary=summary,
            url=url,
            add_tags=tag or [],
            remove_tags=untag or [],
            draft=draft,
            embargo=embargo,
            force=force,
        )
    what = ", ".join(edited.changed) if edited.changed else "nothing (already so)"
    render.info(f"Changed {edited.item.id}: {what}")


@commands.command(short_help="Remove items, after showing them and asking.")
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
    news = open_list(ctx, file)
    shown = None
    if not yes:
        if not cliutil.interactive():
            raise UsageError("not removing without confirmation: add --yes (no terminal to ask on)")
        # Ask without holding the lock (a teammate's add must not wait for the
        # answer); the removal then checks that the items are still as shown.
        shown = news.find(ids_)
        for item in shown:
            render.info(f"  {item.id}  {item.date.isoformat()}  {item.title}")
        noun = "item" if len(shown) == 1 else "items"
        if not typer.confirm(f"Remove {len(shown)} {noun}?", err=True):
            render.info("Nothing removed.")
            return
    for gone in news.remove(ids_, expect=shown):
        render.info(f"Removed {gone.id}")
