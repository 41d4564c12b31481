"""Fetching over HTTP(S) with httpx, the way people follow a publisher's feed.

With a timeout, a size limit and redirects followed one hop at a time (only to
http and https URLs, never to a local file, at most :data:`MAX_REDIRECTS`); every
failure is one clear message naming the URL. :mod:`coopcli.links` uses the same
client and redirect rules to check every item's link.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from coopcli import __version__
from coopcli.core.errors import DataError, UsageError

if TYPE_CHECKING:
    import httpx

DEFAULT_TIMEOUT = 30.0
#: Larger than any real feed: a news list of 10,000 items is about 10 MB.
MAX_BYTES = 50 * 1024 * 1024
#: As browsers and urllib: a longer chain is almost always a loop.
MAX_REDIRECTS = 10
USER_AGENT = f"coopcli/{__version__}"


def is_url(text: str) -> bool:
    """Whether a command-line FILE is an ``http://`` or ``https://`` URL."""
    return urlsplit(text).scheme.lower() in ("http", "https")


def timeout() -> float:
    """Seconds to wait for a server: ``COOPCLI_FETCH_TIMEOUT`` or 30."""
    raw = os.environ.get("COOPCLI_FETCH_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise UsageError(f"COOPCLI_FETCH_TIMEOUT: not a number of seconds: {raw!r}") from None
    if not value > 0:
        raise UsageError(f"COOPCLI_FETCH_TIMEOUT: must be more than 0 seconds, not {raw!r}")
    return value


def client(seconds: float, *, connections: int = 10) -> httpx.Client:
    """An httpx client: our User-Agent, a timeout for each phase, redirects left to us."""
    import httpx

    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.Client(
        headers={"User-Agent": USER_AGENT},
        timeout=httpx.Timeout(seconds),
        limits=limits,
        follow_redirects=False,
    )


def reason(exc: BaseException) -> str:
    """What went wrong, as a person reads it: ``Connection refused``, not a repr."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, OSError) and seen.strerror:
            return seen.strerror
        seen = seen.__cause__ or seen.__context__
    text = str(exc)
    # httpx passes on the OS's "[Errno 111] Connection refused".
    if text.startswith("[Errno") and "] " in text:
        return text.split("] ", 1)[1]
    return text or type(exc).__name__


@dataclass(frozen=True)
class Hop:
    """One redirect: the status that sent us on, and where to."""

    status: int
    location: str


class RedirectError(Exception):
    """A redirect coopcli will not follow: a loop, too many, or to another scheme."""


@contextmanager
def follow(http: httpx.Client, method: str, url: str, hops: list[Hop]) -> Iterator[httpx.Response]:
    """Request ``url``, following redirects one by one (appended to ``hops``).

    Yields the final response, streamed (the body is read only if the caller
    reads it). Raises :class:`RedirectError` for a loop, too many redirects or a
    redirect to anything but http(s), and httpx's errors for the rest.
    """
    current = url
    visited = {url}
    while True:
        request = http.build_request(method, current)
        response = http.send(request, stream=True)
        location = response.headers.get("Location")
        if not (response.is_redirect and location):
            try:
                yield response
            finally:
                response.close()
            return
        response.close()
        target = urljoin(current, location)
        hops.append(Hop(response.status_code, target))
        if not is_url(target):
            raise RedirectError(f"Redirection to url {target!r} is not allowed")
        if target in visited:
            raise RedirectError(f"redirect loop back to {target}")
        if len(hops) >= MAX_REDIRECTS:
            raise RedirectError(f"more than {MAX_REDIRECTS} redirects")
        visited.add(target)
        current = target


def _read_limited(response: httpx.Response, url: str, limit: int) -> bytes:
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise DataError(f"{url}: too large ({int(length):,} bytes; the limit is {limit:,})")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > limit:
            raise DataError(f"{url}: too large (more than {limit:,} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch(url: str, *, limit: int = MAX_BYTES, seconds: float | None = None) -> bytes:
    """The body of ``url``; any failure is a :class:`DataError` naming the URL."""
    return fetch_page(url, limit=limit, seconds=seconds).body


@dataclass(frozen=True)
class Page:
    """A fetched body, its declared content type, and the URL it came from at last."""

    body: bytes
    content_type: str | None
    url: str


def fetch_page(url: str, *, limit: int = MAX_BYTES, seconds: float | None = None) -> Page:
    """Like :func:`fetch`, with the content type and the URL after redirects."""
    import httpx

    wait = timeout() if seconds is None else seconds
    hops: list[Hop] = []
    try:
        with client(wait) as http, follow(http, "GET", url, hops) as response:
            if response.status_code >= 400:
                phrase = response.reason_phrase
                raise DataError(f"{url}: the server answered {response.status_code} {phrase}")
            body = _read_limited(response, url, limit)
            final = hops[-1].location if hops else url
            return Page(body, response.headers.get("Content-Type"), final)
    except RedirectError as exc:
        raise DataError(f"{url}: {exc}") from None
    except httpx.TimeoutException:
        raise DataError(f"{url}: no answer within {wait:g} s") from None
    except (httpx.HTTPError, httpx.InvalidURL, OSError, ValueError) as exc:
        raise DataError(f"{url}: cannot fetch: {reason(exc)}") from None
