"""``coopcli add --from-url`` / ``--from-file``: an item filled from a web page."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from coopcli.cli import render
from coopcli.core.errors import DataError, UsageError

if TYPE_CHECKING:
    from coopcli.pagemeta import PageInfo
    from coopcli.storage.append import NewItem

#: A saved page larger than this is not a news page.
MAX_PAGE_BYTES = 10 * 1024 * 1024


def read_page(from_url: str | None, from_file: str | None) -> tuple[PageInfo, str]:
    """What the page says about itself, and where it came from (for messages)."""
    from coopcli.pagemeta import read_page as parse

    if from_url is not None and from_file is not None:
        raise UsageError("give --from-url or --from-file, not both")
    if from_url is not None:
        from coopcli import fetch

        if not fetch.is_url(from_url):
            raise UsageError(f"--from-url {from_url!r}: not an http:// or https:// URL")
        page = fetch.fetch_page(from_url, limit=MAX_PAGE_BYTES)
        return parse(page.body, url=page.url, content_type=page.content_type), from_url
    assert from_file is not None
    path = Path(from_file)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_PAGE_BYTES + 1)
    except OSError as exc:
        raise DataError(f"{from_file}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_PAGE_BYTES:
        raise DataError(f"{from_file}: too large for a web page (over {MAX_PAGE_BYTES:,} bytes)")
    return parse(data), from_file


def fill(given: NewItem, page: PageInfo, source: str, *, date_given: bool) -> NewItem:
    """``given`` with what it lacks taken from the page (flags always win)."""
    if page.empty:
        raise DataError(
            f"{source}: found no title, description or date in the page (no schema.org, "
            "Open Graph or <meta> data and no <title>); give them with --title, --summary "
            "and --date"
        )
    return replace(
        given,
        title=given.title or page.title or "",
        summary=given.summary if given.summary is not None else page.summary,
        date=given.date if date_given or page.date is None else page.date,
        url=given.url if given.url is not None else page.url,
    )


def describe(page: PageInfo, source: str) -> None:
    """Say on stderr what was found, before the prompts."""
    render.info(f"From {source}:")
    for name, value in (
        ("title", page.title),
        ("summary", page.summary),
        ("date", page.date.isoformat() if page.date else None),
        ("url", page.url),
    ):
        render.info(f"  {name}: {value if value is not None else '(not found)'}")
