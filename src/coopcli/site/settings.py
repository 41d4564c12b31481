"""The settings of one site build, from flags, the config file's ``[site]`` and defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

#: Items per list page by default (the front page of a list may show up to twice as many).
DEFAULT_PAGE_SIZE = 20
#: How many of the newest items each feed carries.
DEFAULT_FEED_SIZE = 50
DEFAULT_OUTPUT = "site"
#: Used when no base URL is given: ``.invalid`` is reserved (RFC 2606), so it is
#: plainly a placeholder in a feed or sitemap, not somebody's real site.
PLACEHOLDER_BASE_URL = "https://example.invalid/"


@dataclass(frozen=True)
class SiteSettings:
    """Everything a build depends on besides the items and the templates."""

    output: Path
    base_url: str | None = None
    title: str | None = None
    description: str | None = None
    templates: Path | None = None
    page_size: int = DEFAULT_PAGE_SIZE
    feed_size: int = DEFAULT_FEED_SIZE
    lang: str = "en"
    #: Also publish drafts and items still under embargo (a preview for the team).
    include_drafts: bool = False

    @property
    def base(self) -> str:
        """The absolute base URL, ending in ``/`` (the placeholder when none was given)."""
        base = self.base_url or PLACEHOLDER_BASE_URL
        return base if base.endswith("/") else base + "/"
