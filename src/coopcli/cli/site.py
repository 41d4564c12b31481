"""``coopcli site``: publish the list as a static website (see docs/site.md)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer

from coopcli.cli import render
from coopcli.cli.context import open_list
from coopcli.cli.options import FileOption
from coopcli.core.errors import UsageError

commands = typer.Typer()


def _pick(flag: Any, config: dict[str, Any], key: str, default: Any = None) -> Any:
    return flag if flag is not None else config.get(key, default)


@commands.command(short_help="Publish the list as a static website with its feeds.")
def site(
    ctx: typer.Context,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", help="Directory to write the site to. Default: ./site.", metavar="DIR"
        ),
    ] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The site's public address, for feeds, canonical links and the sitemap.",
            metavar="URL",
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Site title. Default: the file's title.", metavar="TEXT"),
    ] = None,
    description: Annotated[
        str | None,
        typer.Option(
            "--description",
            help="Site description. Default: the file's description.",
            metavar="TEXT",
        ),
    ] = None,
    templates: Annotated[
        str | None,
        typer.Option(
            "--templates",
            help="Directory of Jinja2 templates (and static/ files) overriding the built-in ones.",
            metavar="DIR",
        ),
    ] = None,
    page_size: Annotated[
        int | None,
        typer.Option("--page-size", min=1, help="Items per list page. Default: 20.", metavar="N"),
    ] = None,
    full: Annotated[
        bool, typer.Option("--full", help="Render every page again, even unchanged ones.")
    ] = False,
    serve: Annotated[
        bool,
        typer.Option(
            "--serve",
            help="After building, serve the site on 127.0.0.1 and rebuild "
            "when the item file changes (Ctrl-C stops).",
        ),
    ] = False,
    port: Annotated[
        int | None,
        typer.Option(
            "--port",
            min=0,
            max=65535,
            help="Port for --serve (0: any free port). Default: 8000.",
            metavar="N",
        ),
    ] = None,
    include_drafts: Annotated[
        bool,
        typer.Option(
            "--include-drafts",
            help="Also publish drafts and items under embargo (a preview for the team).",
        ),
    ] = False,
    file: FileOption = None,
) -> None:
    """Publish the list as a static website with feeds and search.

    Pages per item, type, tag and year, RSS, Atom and JSON Feed, a sitemap and an
    offline search box. Rebuilding writes only what changed (see docs/site.md).

    Example: coopcli site --output public --base-url https://www.example.org/news/
    """
    from coopcli.config import checked_path, site_defaults
    from coopcli.core.rules import check_url
    from coopcli.site.builder import build
    from coopcli.site.settings import DEFAULT_OUTPUT, DEFAULT_PAGE_SIZE, SiteSettings

    config = site_defaults()
    news = open_list(ctx, file)
    if base_url is not None:
        try:
            check_url(base_url)
        except ValueError as exc:
            raise UsageError(f"--base-url {base_url!r}: {exc}") from None
    chosen_output = checked_path(output) if output else config.get("output")
    chosen_templates = checked_path(templates) if templates else config.get("templates")
    settings = SiteSettings(
        output=Path(chosen_output or DEFAULT_OUTPUT),
        base_url=_pick(base_url, config, "base_url"),
        title=_pick(title, config, "title"),
        description=_pick(description, config, "description"),
        templates=chosen_templates,
        page_size=_pick(page_size, config, "page_size", DEFAULT_PAGE_SIZE),
        feed_size=config.get("feed_size", 50),
        lang=config.get("lang", "en"),
        include_drafts=include_drafts,
    )
    if not serve:
        try:
            report = build(news.path, settings, full=full)
        except KeyboardInterrupt:
            # Files written so far are whole and recorded: the next build finishes.
            render.error("interrupted; run coopcli site again to finish the site")
            raise typer.Exit(130) from None
        render.info(report.summary(settings.output))
        if settings.base_url is None:
            render.warning(
                f"site: no base URL; feeds, canonical links and the sitemap use "
                f"{settings.base} (pass --base-url or set base_url in [site])"
            )
        return

    from coopcli.site.serve import make_server
    from coopcli.site.serve import serve as run_server

    server = make_server(settings.output, _pick(port, config, "port", 8000))
    if settings.base_url is None:
        settings = replace(settings, base_url=f"http://127.0.0.1:{server.server_port}/")
    try:
        render.info(build(news.path, settings, full=full).summary(settings.output))
    except BaseException:
        server.server_close()
        raise
    run_server(
        server,
        news.path,
        lambda: build(news.path, settings).summary(settings.output),
        render.info,
    )
