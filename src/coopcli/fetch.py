"""Fetching an input over HTTP(S), the way people follow a publisher's feed.

With a timeout, a size limit and redirects followed (never to a local file); every
failure is one clear message naming the URL.
"""

from __future__ import annotations

import http.client
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

from coopcli import __version__
from coopcli.core.errors import DataError, UsageError

DEFAULT_TIMEOUT = 30.0
#: Larger than any real feed: a news list of 10,000 items is about 10 MB.
MAX_BYTES = 50 * 1024 * 1024
_CHUNK = 1 << 16


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


def _read_limited(response: IO[bytes], url: str, limit: int) -> bytes:
    length = getattr(response, "headers", {}).get("Content-Length")
    if length and length.isdigit() and int(length) > limit:
        raise DataError(f"{url}: too large ({int(length):,} bytes; the limit is {limit:,})")
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise DataError(f"{url}: too large (more than {limit:,} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


@dataclass(frozen=True)
class Fetched:
    """A response body, and the media type and charset the server gave it."""

    data: bytes
    content_type: str | None = None


def fetch(url: str, *, limit: int = MAX_BYTES, seconds: float | None = None) -> bytes:
    """The body of ``url``; any failure is a :class:`DataError` naming the URL."""
    return get(url, limit=limit, seconds=seconds).data


def get(url: str, *, limit: int = MAX_BYTES, seconds: float | None = None) -> Fetched:
    """The body of ``url`` with its ``Content-Type``; failures as for :func:`fetch`."""
    wait = timeout() if seconds is None else seconds
    # urllib follows up to 10 redirects, and only to http, https and ftp URLs.
    opener = urllib.request.build_opener()
    request = urllib.request.Request(url, headers={"User-Agent": f"coopcli/{__version__}"})
    try:
        with opener.open(request, timeout=wait) as response:
            data = _read_limited(response, url, limit)
            return Fetched(data, response.headers.get("Content-Type"))
    except urllib.error.HTTPError as exc:
        exc.close()
        raise DataError(f"{url}: the server answered {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            raise DataError(f"{url}: no answer within {wait:g} s") from None
        text = getattr(reason, "strerror", None) or str(reason)
        raise DataError(f"{url}: cannot fetch: {text}") from None
    except TimeoutError:
        raise DataError(f"{url}: no answer within {wait:g} s") from None
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise DataError(f"{url}: cannot fetch: {exc}") from None
