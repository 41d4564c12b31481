"""``coopcli links``: check every item's link; report broken and moved ones."""

from __future__ import annotations

from typing import Annotated

import typer

from coopcli.cli import render
from coopcli.cli.context import read_list
from coopcli.cli.options import FileOption, FormatOption
from coopcli.cli.render import OutputFormat

commands = typer.Typer()


@commands.command(short_help="Check every item's link; list broken ones.")
def links(
    ctx: typer.Context,
    concurrency: Annotated[
        int,
        typer.Option("--concurrency", "-j", min=1, max=64, help="Requests at a time."),
    ] = 8,
    timeout: Annotated[
        float,
        typer.Option("--timeout", min=0.1, help="Seconds to wait for each answer."),
    ] = 10.0,
    update_moved: Annotated[
        bool,
        typer.Option(
            "--update-moved",
            help="Rewrite permanently redirected links (301/308) to where they end, in one write.",
        ),
    ] = False,
    format: FormatOption = None,
    file: FileOption = None,
) -> None:
    """Check every item's URL; list broken and moved links; exit 1 if any is broken.

    HEAD first (GET when a server refuses HEAD), redirects followed and reported.

    Example: coopcli links --concurrency 4 --timeout 5

    Example: coopcli links --update-moved
    """
    from coopcli import actions
    from coopcli.links import check_links

    news = read_list(ctx, file)
    with news.index() as idx:
        pairs = [(row.id, row.url) for row in idx.rows() if row.url]
    report = check_links(
        pairs,
        concurrency=concurrency,
        seconds=timeout,
        progress=lambda done, total: render.progress(done, total, "Checking links"),
    )
    broken, moved = report.broken(), report.moved()
    if format in (OutputFormat.json, OutputFormat.jsonl):
        data = [link.to_json() for link in report.links]
        if format is OutputFormat.json:
            render.write(render.to_json_text(data))
        else:
            render.write("".join(render.to_json_text(d, compact=True) for d in data))
    else:
        rows = []
        for link in broken + moved:
            c = link.check
            detail = c.error if c.error else " -> ".join(str(hop.status) for hop in c.redirects)
            where = c.final_url or ""
            rows.append([link.id, c.outcome.value, detail or "", c.url, where])
        render.simple_table(["ID", "Result", "Detail", "URL", "Now at"], rows, format)
    render.info(
        f"Checked {actions.plural(len(report.links), 'link')}: "
        f"{len(broken)} broken, {len(moved)} moved"
    )
    if update_moved:
        rewrites = report.rewrites()
        changed = 0
        if rewrites:
            with news.transaction() as doc:
                for position, item in enumerate(doc.items):
                    old_new = rewrites.get(item.id)
                    # Only a link still as it was checked: an edit meanwhile wins.
                    if old_new is None or item.url != old_new[0]:
                        continue
                    try:
                        moved_item = item.model_validate({**item.model_dump(), "url": old_new[1]})
                    except ValueError:
                        continue  # where it ends is no URL an item may hold: left as it was
                    doc.items[position] = moved_item
                    changed += 1
        render.info(f"Updated {actions.plural(changed, 'moved link')}")
    if broken:
        raise typer.Exit(1)
