"""Checking every item's link: which are broken, which have moved.

Each distinct URL is asked once, by a bounded pool of workers sharing one httpx
client (``concurrency`` requests at a time, a timeout for each phase of each
request). A HEAD request comes first, as it costs the server nothing; when the
server refuses or mishandles HEAD (any 4xx or 5xx answer), a GET is tried, and
its body is never read. Redirects are followed one hop at a time so that each
is reported; a link whose every hop is permanent (301 or 308) can be rewritten
to where it ends with ``coopcli links --update-moved``.

No Typer, no Rich: the CLI renders what :func:`check_links` returns.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from coopcli.fetch import Hop, RedirectError, client, follow, reason

if TYPE_CHECKING:
    import httpx

DEFAULT_CONCURRENCY = 8
DEFAULT_TIMEOUT = 10.0
_PERMANENT = frozenset({301, 308})


class Outcome(str, enum.Enum):
    """What checking a link found."""

    ok = "ok"
    moved = "moved"
    broken = "broken"


@dataclass(frozen=True)
class LinkCheck:
    """The answer for one URL (shared by every item that links to it)."""

    url: str
    outcome: Outcome
    #: The final HTTP status (None when there was no answer at all).
    status: int | None = None
    #: Where the redirects end (None without redirects).
    final_url: str | None = None
    redirects: tuple[Hop, ...] = ()
    #: Why a link is broken, in words (``404 Not Found``, ``no answer within 10 s``).
    error: str | None = None
    #: The method that got the final answer (GET when HEAD was refused).
    method: str = "HEAD"

    @property
    def permanent(self) -> bool:
        """Whether every redirect is permanent (301/308): the link may be rewritten."""
        return bool(self.redirects) and all(hop.status in _PERMANENT for hop in self.redirects)


@dataclass(frozen=True)
class ItemLink:
    """One item's link and what checking it found."""

    id: str
    check: LinkCheck

    def to_json(self) -> dict[str, Any]:
        """The result for ``--format json``: every key always present."""
        c = self.check
        return {
            "id": self.id,
            "url": c.url,
            "result": c.outcome.value,
            "status": c.status,
            "final_url": c.final_url,
            "permanent": c.permanent,
            "redirects": [{"status": hop.status, "location": hop.location} for hop in c.redirects],
            "error": c.error,
            "method": c.method,
        }


@dataclass
class Report:
    """Every item's link checked, in the order given."""

    links: list[ItemLink] = field(default_factory=list)

    def broken(self) -> list[ItemLink]:
        """Links that answered 4xx/5xx or not at all."""
        return [link for link in self.links if link.check.outcome is Outcome.broken]

    def moved(self) -> list[ItemLink]:
        """Links that work, but only through redirects."""
        return [link for link in self.links if link.check.outcome is Outcome.moved]

    def rewrites(self) -> dict[str, tuple[str, str]]:
        """id -> (old URL, new URL) for links moved permanently."""
        return {
            link.id: (link.check.url, link.check.final_url)
            for link in self.moved()
            if link.check.permanent and link.check.final_url is not None
        }


def check_url(http: httpx.Client, url: str, seconds: float) -> LinkCheck:
    """Check one URL: HEAD (then GET if HEAD is refused), following redirects."""
    import httpx

    result: LinkCheck | None = None
    for method in ("HEAD", "GET"):
        hops: list[Hop] = []
        try:
            with follow(http, method, url, hops) as response:
                status = response.status_code
                phrase = response.reason_phrase
        except RedirectError as exc:
            return LinkCheck(url, Outcome.broken, None, None, tuple(hops), str(exc), method)
        except httpx.TimeoutException:
            error = f"no answer within {seconds:g} s"
            return LinkCheck(url, Outcome.broken, None, None, tuple(hops), error, method)
        except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
            return LinkCheck(url, Outcome.broken, None, None, tuple(hops), reason(exc), method)
        final = hops[-1].location if hops else None
        if status >= 400:
            result = LinkCheck(
                url, Outcome.broken, status, final, tuple(hops), f"{status} {phrase}", method
            )
            continue  # a server may refuse HEAD: ask again with GET
        outcome = Outcome.moved if hops else Outcome.ok
        return LinkCheck(url, outcome, status, final, tuple(hops), None, method)
    assert result is not None
    return result


def check_links(
    links: Iterable[tuple[str, str]],
    *,
    concurrency: int = DEFAULT_CONCURRENCY,
    seconds: float = DEFAULT_TIMEOUT,
    progress: Callable[[Iterable[Any], int], Iterable[Any]] | None = None,
) -> Report:
    """Check ``(item id, url)`` pairs, at most ``concurrency`` requests at a time.

    ``progress`` wraps the stream of finished checks (the CLI's progress bar).
    """
    pairs: Sequence[tuple[str, str]] = list(links)
    urls = list(dict.fromkeys(url for _, url in pairs))
    checks: dict[str, LinkCheck] = {}
    if urls:
        workers = max(1, min(concurrency, len(urls)))
        with (
            client(seconds, connections=workers) as http,
            ThreadPoolExecutor(max_workers=workers) as pool,
        ):
            futures = {pool.submit(check_url, http, url, seconds): url for url in urls}
            done: Iterable[Any] = as_completed(futures)
            if progress is not None:
                done = progress(done, len(futures))
            for future in done:
                checks[futures[future]] = future.result()
    return Report([ItemLink(item_id, checks[url]) for item_id, url in pairs])
