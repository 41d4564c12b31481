"""coopcli links, against real HTTP servers on 127.0.0.1 (never anything else)."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tomli

from coopcli.links import Outcome, check_links
from tests.conftest import Run

#: The tests' timeout: generous, so that only the page that never answers times out,
#: however busy the machine.
TIMEOUT = "2"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def _redirect(self, status: int, location: str) -> None:
        self.send_response(status)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _answer(self, status: int, body: bytes = b"ok") -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _route(self) -> None:
        server: Any = self.server
        with server.lock:
            server.seen.append((self.command, self.path))
            server.active += 1
            server.peak = max(server.peak, server.active)
        self._counted = True
        try:
            self._dispatch()
        finally:
            self._done()

    def _done(self) -> None:
        """This request stops counting as active (once), before its answer is sent:
        the client may send its next request as soon as it has the answer."""
        server: Any = self.server
        if self._counted:
            with server.lock:
                server.active -= 1
            self._counted = False

    def _dispatch(self) -> None:
        server: Any = self.server
        path = self.path
        if path == "/ok":
            self._answer(200)
        elif path == "/old":
            self._redirect(301, "/older")
        elif path == "/older":
            self._redirect(308, "/ok")
        elif path == "/temporary":
            self._redirect(302, "/ok")
        elif path == "/moved-then-gone":
            self._redirect(301, "/gone")
        elif path == "/loop-a":
            self._redirect(301, "/loop-b")
        elif path == "/loop-b":
            self._redirect(301, "/loop-a")
        elif path == "/error":
            self._answer(500, b"boom")
        elif path == "/no-head":
            self._answer(405 if self.command == "HEAD" else 200)
        elif path == "/slow":
            # Answers only once the test is over: past any timeout, without a sleep.
            server.release.wait(60)
            self._answer(200)
        elif path.startswith("/page"):
            # Slow enough that a bounded pool shows its bound.
            time.sleep(0.2)
            self._done()
            self._answer(200)
        else:
            self._answer(404, b"not here")

    do_GET = _route
    do_HEAD = _route


class Server(ThreadingHTTPServer):
    daemon_threads = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.seen: list[tuple[str, str]] = []
        self.active = 0
        self.peak = 0
        self.release = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = Server()
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.release.set()
        httpd.shutdown()
        httpd.server_close()


def base(httpd: Server) -> str:
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/nothing-listens"


def write_items(path: Path, urls: dict[str, str]) -> None:
    body = "".join(
        f'\n[[items]]\nid = "{item_id}"\ntype = "news"\ntitle = "{item_id}"\n'
        f'date = 2021-10-{n + 1:02d}\nurl = "{url}"\n'
        for n, (item_id, url) in enumerate(urls.items())
    )
    path.write_text("version = 1\n" + body)


@pytest.fixture
def linked(news_file: Path, server: Server) -> dict[str, str]:
    root = base(server)
    urls = {
        "ok": f"{root}/ok",
        "chain": f"{root}/old",
        "temporary": f"{root}/temporary",
        "missing": f"{root}/missing",
        "error": f"{root}/error",
        "slow": f"{root}/slow",
        "refused": refused_url(),
        "loop": f"{root}/loop-a",
        "no-head": f"{root}/no-head",
        "moved-then-gone": f"{root}/moved-then-gone",
    }
    write_items(news_file, urls)
    # One item without a link is simply not checked.
    with news_file.open("a") as out:
        out.write('\n[[items]]\nid = "plain"\ntype = "news"\ntitle = "p"\ndate = 2021-11-01\n')
    return urls


def test_links_reports_broken_and_moved(run: Run, linked: dict[str, str], server: Server) -> None:
    result = run("links", "--timeout", TIMEOUT, "--format", "json")
    assert result.exit_code == 1
    found = {entry["id"]: entry for entry in json.loads(result.stdout)}
    assert set(found) == set(linked)
    root = base(server)
    assert found["ok"]["result"] == "ok"
    assert found["ok"]["status"] == 200
    assert found["chain"] == {
        "id": "chain",
        "url": f"{root}/old",
        "result": "moved",
        "status": 200,
        "final_url": f"{root}/ok",
        "permanent": True,
        "redirects": [
            {"status": 301, "location": f"{root}/older"},
            {"status": 308, "location": f"{root}/ok"},
        ],
        "error": None,
        "method": "HEAD",
    }
    assert (found["temporary"]["result"], found["temporary"]["permanent"]) == ("moved", False)
    assert (found["missing"]["result"], found["missing"]["error"]) == ("broken", "404 Not Found")
    assert found["error"]["error"] == "500 Internal Server Error"
    assert found["slow"]["error"] == "no answer within 2 s"
    assert found["refused"]["error"] == "Connection refused"
    assert found["loop"]["result"] == "broken"
    assert found["loop"]["error"] == f"redirect loop back to {root}/loop-a"
    # HEAD refused: GET asked, and the link works.
    assert (found["no-head"]["result"], found["no-head"]["method"]) == ("ok", "GET")
    assert ("GET", "/no-head") in server.seen
    assert found["moved-then-gone"]["result"] == "broken"
    assert found["moved-then-gone"]["final_url"] == f"{root}/gone"
    assert result.stderr == "Checked 10 links: 6 broken, 2 moved\n"


def test_links_table_in_a_pipe(run: Run, linked: dict[str, str], server: Server) -> None:
    result = run("links", "--timeout", TIMEOUT)
    assert result.exit_code == 1
    rows = {line.split("\t")[0]: line.split("\t") for line in result.stdout.splitlines()}
    assert set(rows) == {
        "chain",
        "temporary",
        "missing",
        "error",
        "slow",
        "refused",
        "loop",
        "moved-then-gone",
    }
    root = base(server)
    assert rows["chain"] == ["chain", "moved", "301 -> 308", f"{root}/old", f"{root}/ok"]
    assert rows["missing"] == ["missing", "broken", "404 Not Found", f"{root}/missing", ""]
    # No progress bar and no colour in a pipe: stderr is the one summary line.
    assert result.stderr == "Checked 10 links: 6 broken, 2 moved\n"


def test_update_moved_rewrites_permanent_redirects_only(
    run: Run, linked: dict[str, str], server: Server, news_file: Path
) -> None:
    result = run("links", "--timeout", TIMEOUT, "--update-moved")
    assert result.exit_code == 1  # some links are still broken
    assert result.stderr.endswith("Updated 1 moved link\n")
    urls = {item["id"]: item.get("url") for item in tomli.loads(news_file.read_text())["items"]}
    root = base(server)
    assert urls["chain"] == f"{root}/ok"
    assert urls["temporary"] == f"{root}/temporary"  # a 302 may change back: kept
    assert urls["moved-then-gone"] == f"{root}/moved-then-gone"
    assert urls["missing"] == f"{root}/missing"


def test_all_good_exits_zero(run: Run, news_file: Path, server: Server) -> None:
    write_items(news_file, {"a": f"{base(server)}/ok", "b": f"{base(server)}/ok"})
    result = run("links")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "Checked 2 links: 0 broken, 0 moved\n"
    # The same URL is asked once for both items.
    assert server.seen.count(("HEAD", "/ok")) == 1


def test_concurrency_is_bounded(server: Server) -> None:
    pairs = [(f"item-{n}", f"{base(server)}/page-{n}") for n in range(12)]
    report = check_links(pairs, concurrency=3, seconds=10)
    assert [link.check.outcome for link in report.links] == [Outcome.ok] * 12
    assert 1 <= server.peak <= 3


def test_no_links_at_all(run: Run, news_file: Path) -> None:
    news_file.write_text(
        'version = 1\n\n[[items]]\nid = "a"\ntype = "news"\ntitle = "a"\ndate = 2021-10-01\n'
    )
    result = run("links")
    assert result.exit_code == 0
    assert result.stderr == "Checked 0 links: 0 broken, 0 moved\n"


@pytest.mark.parametrize("args", [["--concurrency", "0"], ["--timeout", "0"]])
def test_bad_options_are_usage_errors(run: Run, seeded: Path, args: list[str]) -> None:
    assert run("links", *args).exit_code == 2
