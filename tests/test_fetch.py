"""Importing from http(s) URLs, against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from coopcli import fetch
from coopcli.core.errors import DataError, UsageError
from tests.conftest import EXAMPLES, Run

LISTING = (EXAMPLES / "listing.txt").read_bytes()
# Feeds whose encoding only the HTTP header says (the XML declaration names none, or
# another): (body, Content-Type).
_FEED = (
    "<?xml version='1.0'{declared}?><rss version='2.0'><channel><title>t</title>"
    "<item><title>{title}</title><pubDate>2021-10-29</pubDate></item></channel></rss>"
)
FEEDS = {
    "/cp1252.xml": (
        _FEED.format(declared="", title="Caf\u00e9 \u201cco-op\u201d").encode("windows-1252"),
        "application/rss+xml; charset=windows-1252",
    ),
    "/sjis.xml": (
        _FEED.format(declared=" encoding='utf-8'", title="\u5354\u540c").encode("shift_jis"),
        "text/xml; charset=Shift_JIS",
    ),
    "/latin2.xml": (
        _FEED.format(declared="", title="\u0141\u00f3d\u017a").encode("iso-8859-2"),
        'application/xml; charset="iso-8859-2"',
    ),
}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass  # keep test output clean

    def _send(self, body: bytes, *, length: bool = True, kind: str = "text/plain") -> None:
        self.send_response(200)
        self.send_header("Content-Type", kind)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path in ("/news.txt", "/listing"):
            self._send(LISTING)
        elif self.path in FEEDS:
            body, kind = FEEDS[self.path]
            self._send(body, kind=kind)
        elif self.path == "/moved":
            self.send_response(302)
            self.send_header("Location", "/listing")
            self.end_headers()
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        elif self.path == "/big":
            self._send(b"x" * 5000)
        elif self.path == "/big-unannounced":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * 300_000)
            self.close_connection = True
        elif self.path == "/slow":
            time.sleep(2)
            self._send(LISTING)
        else:
            self.send_error(404, "Not Found")


class QuietServer(ThreadingHTTPServer):
    """Joins its request threads on close, and takes a client that hangs up early
    (as coopcli does past the size limit) for what it is, not a server failure: a
    report printed from a thread would land in a later test's captured stderr."""

    daemon_threads = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_import_from_url(run: Run, news_file: Path, server: str) -> None:
    result = run("import", f"{server}/news.txt")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith("Imported 10 items\n")
    assert news_file.read_bytes() == (EXAMPLES / "news.toml").read_bytes()


def test_redirect_followed_and_content_sniffed(run: Run, news_file: Path, server: str) -> None:
    result = run("import", "--dry-run", f"{server}/moved")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith("Would import 10 items\n")
    assert f"Would take the list's title from {server}/moved" in result.stderr


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/cp1252.xml", "Caf\u00e9 \u201cco-op\u201d"),
        ("/sjis.xml", "\u5354\u540c"),
        ("/latin2.xml", "\u0141\u00f3d\u017a"),
    ],
)
def test_the_http_charset_decides_a_fetched_feeds_encoding(
    run: Run, news_file: Path, server: str, path: str, title: str
) -> None:
    result = run("import", "--dry-run", f"{server}{path}")
    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stderr
    assert result.stdout.split("\t")[3] == title + "\n"


def test_fetch_gives_the_content_type(server: str) -> None:
    page = fetch.fetch_page(f"{server}/sjis.xml")
    assert page.content_type == "text/xml; charset=Shift_JIS"
    assert page.body == FEEDS["/sjis.xml"][0]


def test_http_error_is_clear(run: Run, seeded: Path, server: str) -> None:
    before = seeded.read_bytes()
    result = run("import", f"{server}/missing.xml")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {server}/missing.xml: the server answered 404 Not Found\n"
    assert seeded.read_bytes() == before


def test_unreachable_is_clear(run: Run) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now.
    result = run("import", f"http://127.0.0.1:{port}/feed.xml")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: http://127.0.0.1:{port}/feed.xml: cannot fetch: Connection refused\n"
    )


def test_redirect_to_a_local_file_is_refused(server: str) -> None:
    with pytest.raises(DataError, match=r"Redirection to url 'file:///etc/passwd' is not allowed"):
        fetch.fetch(f"{server}/to-file")


def test_size_limit(server: str) -> None:
    with pytest.raises(DataError, match=r"/big: too large \(5,000 bytes; the limit is 1,000\)"):
        fetch.fetch(f"{server}/big", limit=1000)
    with pytest.raises(DataError, match=r"/big-unannounced: too large \(more than 100,000 bytes"):
        fetch.fetch(f"{server}/big-unannounced", limit=100_000)
    assert fetch.fetch(f"{server}/big", limit=5000) == b"x" * 5000


def test_timeout(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COOPCLI_FETCH_TIMEOUT", "0.3")
    started = time.monotonic()
    with pytest.raises(DataError, match=r"/slow: no answer within 0.3 s"):
        fetch.fetch(f"{server}/slow")
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("value", ["soon", "0", "-1"])
def test_bad_timeout_setting(run: Run, monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("COOPCLI_FETCH_TIMEOUT", value)
    with pytest.raises(UsageError, match="COOPCLI_FETCH_TIMEOUT"):
        fetch.timeout()
    result = run("import", "http://127.0.0.1:9/feed.xml")
    assert result.exit_code == 2


def test_is_url() -> None:
    assert fetch.is_url("https://example.org/feed")
    assert fetch.is_url("HTTP://example.org/feed")
    assert not fetch.is_url("file:///etc/passwd")
    assert not fetch.is_url("news.txt")
