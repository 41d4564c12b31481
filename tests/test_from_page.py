"""add --from-url / --from-file: saved pages, served on 127.0.0.1 (never anything else)."""

from __future__ import annotations

import datetime as dt
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcli.pagemeta import clean, decode, read_page
from tests.conftest import Run

PAGES = Path(__file__).parent / "data" / "pages"


class Handler(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        name, _, query = self.path.lstrip("/").partition("?")
        if name == "moved":
            self.send_response(301)
            self.send_header("Location", "/opengraph.html")
            self.end_headers()
            return
        page = PAGES / name
        if not name or not page.is_file():
            self.send_error(404, "Not Found")
            return
        body = page.read_bytes()
        self.send_response(200)
        # ?charset=... declares the encoding in the header only, as many servers do.
        kind = "text/html" + (f"; {query}" if query else "")
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class Server(ThreadingHTTPServer):
    daemon_threads = False

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = Server(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def stored(path: Path) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = tomli.loads(path.read_text())["items"]
    return items


def test_open_graph_page_with_yes(run: Run, news_file: Path, server: str) -> None:
    result = run("add", "--from-url", f"{server}/opengraph.html", "--yes")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "2021-11-02-cooperatives\n"
    assert stored(news_file) == [
        {
            "id": "2021-11-02-cooperatives",
            "type": "news",
            "title": "Cooperatives at COP26 & beyond",
            "date": dt.date(2021, 11, 2),
            "summary": "What cooperatives bring to the climate talks in Glasgow.",
            "url": "https://www.ilo.org/cop26",
        }
    ]


def test_schema_org_outranks_open_graph_and_flags_outrank_the_page(
    run: Run, news_file: Path
) -> None:
    page = str(PAGES / "jsonld.html")
    result = run("add", "--from-file", page, "--yes", "--type", "spotlight", "--tag", "korea")
    assert result.exit_code == 0, result.stderr
    [item] = stored(news_file)
    assert item["title"] == "Sung Ho Kim, International Cooperation Department, KFCC"
    # The publisher's own day, not UTC's (23:30 in New York is the 29th in UTC).
    assert item["date"] == dt.date(2021, 10, 28)
    assert item["summary"].startswith("An interview with Sung Ho Kim")
    # A relative schema.org URL of a saved page has nothing to resolve against.
    assert item["url"] == "https://www.ilo.org/canonical-kim"
    assert (item["type"], item["tags"]) == ("spotlight", ["korea"])
    again = run(
        "add", "--from-file", page, "--yes", "--title", "My own title", "--date", "2021-10-01"
    )
    assert again.exit_code == 0, again.stderr
    assert stored(news_file)[0]["title"] == "My own title"


def test_a_relative_url_resolves_against_the_page(server: str) -> None:
    data = (PAGES / "jsonld.html").read_bytes()
    info = read_page(data, url=f"{server}/jsonld.html")
    assert info.url == f"{server}/spotlight/kim"


def test_a_page_in_a_legacy_encoding(run: Run, news_file: Path, server: str) -> None:
    result = run("add", "--from-url", f"{server}/legacy-encoding.html", "--yes")
    assert result.exit_code == 0, result.stderr
    [item] = stored(news_file)
    assert item["title"] == "Coopératives et économie sociale \u2013 «solidaire»"
    assert item["summary"] == "L\u2019OIT et les coopératives."
    assert item["date"] == dt.date(2021, 10, 27)
    # No URL of its own in the page: the address it was fetched from.
    assert item["url"] == f"{server}/legacy-encoding.html"


def test_the_header_charset_wins_over_guessing(server: str) -> None:
    latin = "<title>Économie</title>".encode("iso-8859-1")
    assert decode(latin, "text/html; charset=ISO-8859-1") == "<title>Économie</title>"
    assert decode(latin) == "<title>Économie</title>"  # not UTF-8: Windows-1252
    assert decode("<title>Économie</title>".encode()) == "<title>Économie</title>"
    assert decode(b"\xef\xbb\xbfok", "text/html; charset=iso-8859-1") == "ok"
    assert decode("é".encode("utf-16"), None) == "é"
    assert decode(b"caf\xe9", "text/html; charset=nonsense") == "café"


def test_hostile_markup_becomes_plain_text(run: Run, news_file: Path, server: str) -> None:
    result = run("add", "--from-url", f"{server}/hostile.html", "--yes", "--date", "2021-10-01")
    assert result.exit_code == 0, result.stderr
    [item] = stored(news_file)
    assert item["title"] == "Report alert(1) on three lines"
    assert "<" not in item["summary"]
    assert item["summary"].endswith("alert(3) Summary")
    page = run("export", "--format", "html").stdout
    assert "<script>" not in page


def test_redirects_are_followed_and_the_page_url_kept(
    run: Run, news_file: Path, server: str
) -> None:
    result = run("add", "--from-url", f"{server}/moved", "--yes")
    assert result.exit_code == 0, result.stderr
    assert stored(news_file)[0]["url"] == "https://www.ilo.org/cop26"


def test_a_page_without_metadata_is_a_clear_error(run: Run, news_file: Path, server: str) -> None:
    result = run("add", "--from-url", f"{server}/bare.html", "--yes")
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {server}/bare.html: found no title, description or date in the page (no "
        "schema.org, Open Graph or <meta> data and no <title>); give them with --title, "
        "--summary and --date\n"
    )
    assert not news_file.exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--from-url", "/missing.html"], 1, "the server answered 404 Not Found"),
        (["--from-url", "ftp://example.org/x"], 2, "not an http:// or https:// URL"),
        (["--from-file", "no-such-page.html"], 1, "no-such-page.html: cannot read"),
        (["--from-file", "x.html", "--from-url", "/x"], 2, "not both"),
    ],
)
def test_bad_sources(
    run: Run, news_file: Path, server: str, args: list[str], code: int, message: str
) -> None:
    args = [f"{server}{a}" if a.startswith("/") else a for a in args]
    result = run("add", *args, "--yes")
    assert result.exit_code == code
    assert message in result.stderr
    assert not news_file.exists()


def test_without_a_terminal_it_asks_for_yes(run: Run, news_file: Path) -> None:
    result = run("add", "--from-file", str(PAGES / "opengraph.html"))
    assert result.exit_code == 2
    assert "add --yes to take them as found" in result.stderr


def test_on_a_terminal_the_found_fields_are_confirmed_at_the_prompts(
    run: Run, news_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("coopcli.cli.context.interactive", lambda: True)
    answers = [
        "",  # type: the default (news)
        "",  # title: as found
        "",  # date: as found
        "A summary of my own.",
        "",  # url: as found
        "climate",
        "y",
    ]
    result = run(
        "add",
        "--from-file",
        str(PAGES / "opengraph.html"),
        input="".join(answer + "\n" for answer in answers),
    )
    assert result.exit_code == 0, result.stderr
    assert "  title: Cooperatives at COP26 & beyond\n" in result.stderr
    [item] = stored(news_file)
    assert item["title"] == "Cooperatives at COP26 & beyond"
    assert item["date"] == dt.date(2021, 11, 2)
    assert item["summary"] == "A summary of my own."
    assert item["url"] == "https://www.ilo.org/cop26"
    assert item["tags"] == ["climate"]


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=400), limit=st.integers(5, 300))
def test_clean_gives_plain_bounded_text(text: str, limit: int) -> None:
    result = clean(text, limit)
    if result is None:
        return
    assert len(result) <= limit
    assert result == result.strip()
    assert "\n" not in result
    assert "  " not in result
    assert not any(ord(c) < 32 for c in result)


@settings(max_examples=100, deadline=None)
@given(
    title=st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=60),
    encoding=st.sampled_from(["utf-8", "windows-1252"]),
)
def test_any_title_reads_back_from_a_page(title: str, encoding: str) -> None:
    import html

    expected = clean(title, 300)
    try:
        body = (
            f'<html><head><meta charset="{encoding}"><meta property="og:title" '
            f'content="{html.escape(title)}"></head></html>'
        ).encode(encoding)
    except UnicodeEncodeError:
        return
    assert read_page(body).title == expected
