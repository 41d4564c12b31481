"""Importing the feeds publishers actually serve: odd starts, old versions, encodings,
entities, nested titles, undated entries; and what stays refused."""

from __future__ import annotations

import codecs
import datetime as dt
import json
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from coopcli import formats, importer
from coopcli.formats import encodings, feeds, feedxml
from tests.conftest import Run
from tests.strategies import looks_double_encoded

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

ATOM_10 = """<?xml version="1.0" encoding="{encoding}"?>
<!-- A comment that names <entry> and <rss>, and a processing instruction: -->
<?xml-stylesheet type="text/xsl" href="style.xsl"?>
<!DOCTYPE feed>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Coop news</title>
  <link href="https://coop.example.org/"/>
  <updated>2021-10-30T00:00:00Z</updated>
  <entry>
    <title>{title}</title>
    <link href="https://coop.example.org/1"/>
    <published>2021-10-29T10:00:00+02:00</published>
    <summary>{summary}</summary>
  </entry>
</feed>
"""

RSS_20 = """<?xml version="1.0" encoding="{encoding}"?>
<rss version="2.0"><channel><title>Coop news</title><link>https://coop.example.org/</link>
<description>d</description>
<item><title>{title}</title><link>https://coop.example.org/1</link>
<description>{summary}</description><pubDate>Fri, 29 Oct 2021 10:00:00 +0000</pubDate></item>
</channel></rss>
"""


def atom(title: str = "First", summary: str = "Text", encoding: str = "utf-8") -> bytes:
    return ATOM_10.format(title=title, summary=summary, encoding=encoding).encode(encoding)


def rss(title: str = "First", summary: str = "Text", encoding: str = "utf-8") -> bytes:
    return RSS_20.format(title=title, summary=summary, encoding=encoding).encode(encoding)


def saved(news_file: Path) -> list[dict[str, object]]:
    items: list[dict[str, object]] = tomllib.loads(news_file.read_text(encoding="utf-8"))["items"]
    return items


def imported(run: Run, path: Path, *args: str) -> tuple[list[str], list[str]]:
    """Dry-run an import of ``path``: (stdout lines, stderr lines); it must succeed."""
    result = run("import", "--dry-run", *args, str(path))
    assert result.exit_code == 0, result.stderr
    return result.stdout.splitlines(), result.stderr.splitlines()


# --- detection -------------------------------------------------------------------


def test_comment_pi_and_doctype_before_the_root_element(
    run: Run, news_file: Path, isolated: Path
) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(atom())
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"{path}: read as Atom 1.0 (told by its content)"
    assert saved(news_file)[0]["title"] == "First"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b'<!-- <rss> --><feed version="0.3" xmlns="http://purl.org/atom/ns#">', "atom"),
        (b"<?xml version='1.0'?>\n<!-- a -->\n<?pi x?>\n<rdf:RDF xmlns:rdf='x'>", "rss"),
        (b'<!DOCTYPE rss [<!ENTITY a "b">]>\n<!-- <feed> -->\n<rss version="0.91">', "rss"),
        (b"<CHANNEL HREF='http://a.org/'>", "rss"),
        (b"  \r\n\t<rss>", "rss"),
        ('<?xml version="1.0" encoding="utf-16"?><feed>'.encode("utf-16"), "atom"),
        ("<feed>".encode("utf-16-le"), "atom"),
        ("<rss>".encode("utf-16-be"), "rss"),
        ("\ufeff<rss>".encode("utf-32-le"), "rss"),
        ("\ufeff<rss>".encode("utf-32-be"), "rss"),
        (b"<!-- never closed <rss>", None),
        (b"<html><head><title>rss</title></head></html>", None),
        ('{"version": "http://jsonfeed.org/version/1", "items": []}'.encode("utf-16"), "jsonfeed"),
        (b'{"title": "x", "items": [{"id": "1", "content_text": "t"}]}', "jsonfeed"),
        (b'{"title": "x", "items": [{"id": "1", "title": "t", "date": "2021-01-01"}]}', "json"),
        # A TOML table is no JSON array: the suffix decides.
        (b"[types]\nreport = 'Report'\n", None),
    ],
)
def test_content_sniffing(data: bytes, expected: str | None) -> None:
    assert importer.sniff(data) == expected


def test_content_outweighs_a_wrong_suffix(run: Run, isolated: Path) -> None:
    path = isolated / "feed.csv"
    path.write_bytes(atom())
    _, err = imported(run, path)
    assert (
        err[0] == f"{path}: read as Atom 1.0 (told by its content), not as csv as its suffix says"
    )


def test_dry_run_says_the_format_whatever_chose_it(run: Run, isolated: Path) -> None:
    path = isolated / "news.atom"
    path.write_bytes(atom())
    assert imported(run, path)[1][0] == f"{path}: read as Atom 1.0 (told by its content)"
    assert imported(run, path, "--format", "rss")[1][0] == (
        f"{path}: read as Atom 1.0 (told by --format)"
    )
    # Without --dry-run, a suffix that agrees with the content says it all.
    assert run("import", str(path)).stderr.splitlines() == [
        f"Took the list's title from {path}",
        f"Took the list's link from {path}",
        "Imported 1 item",
    ]


def test_atom_03(run: Run, news_file: Path, isolated: Path) -> None:
    path = isolated / "old.xml"
    path.write_text(
        """<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#">
  <title>Old feed</title>
  <entry>
    <title>An Atom 0.3 entry</title>
    <link rel="alternate" type="text/html" href="https://coop.example.org/03"/>
    <issued>2004-01-02T10:00:00Z</issued>
    <modified>2004-01-03T10:00:00Z</modified>
    <summary type="text/html" mode="escaped">&lt;p&gt;Hello &amp;amp; welcome&lt;/p&gt;</summary>
  </entry>
</feed>""",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == f"{path}: read as Atom 0.3 (told by its content)"
    assert saved(news_file) == [
        {
            "id": "2004-01-02-atom-0-3-entry",
            "type": "news",
            "title": "An Atom 0.3 entry",
            "date": dt.date(2004, 1, 2),
            "summary": "Hello & welcome",
            "url": "https://coop.example.org/03",
            # Modified after it was issued: a correction, kept as coopcli keeps them.
            "updated": "2004-01-03T10:00:00Z",
        }
    ]


@pytest.mark.parametrize(
    ("version", "kind"),
    [
        ("http://jsonfeed.org/version/1", "JSON Feed 1.0"),
        ("https://jsonfeed.org/version/1", "JSON Feed 1.0"),
        ("https://jsonfeed.org/version/1.1", "JSON Feed 1.1"),
    ],
)
def test_json_feed_versions(run: Run, isolated: Path, version: str, kind: str) -> None:
    path = isolated / "feed.json"
    feed = {
        "version": version,
        "title": "JSON news",
        "items": [{"id": "1", "title": "Hello", "date_published": "2021-10-29T10:00:00Z"}],
    }
    path.write_text(json.dumps(feed), encoding="utf-8")
    out, err = imported(run, path)
    assert err[0] == f"{path}: read as {kind} (told by its content)"
    assert out == ["2021-10-29-hello\t2021-10-29\tnews\tHello"]


def test_json_feed_without_a_version_is_read_with_a_warning(run: Run, isolated: Path) -> None:
    path = isolated / "feed.json"
    feed = {"title": "x", "items": [{"id": "1", "title": "Hi", "date_published": "2021-10-29"}]}
    path.write_text(json.dumps(feed), encoding="utf-8")
    out, err = imported(run, path)
    assert err[:2] == [
        f"{path}: read as JSON Feed with no version given (told by its content)",
        f"Warning: {path}: the JSON Feed has no 'version'; read as JSON Feed 1.1",
    ]
    assert len(out) == 1


# --- text ----------------------------------------------------------------------


def test_html_entities_are_read_as_feed_readers_read_them(
    run: Run, news_file: Path, isolated: Path
) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(rss(title="Caf&eacute;&nbsp;des   &hellip; <![CDATA[<b>co-ops</b>]]>"))
    result = run("import", str(path))
    assert result.exit_code == 0, result.stderr
    assert "Warning" not in result.stderr  # HTML entities are everyday feed content
    assert saved(news_file)[0]["title"] == "Café des … co-ops"


def test_nbsp_written_as_text_in_an_atom_summary_is_a_space(
    run: Run, news_file: Path, isolated: Path
) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(atom(summary="Two&amp;nbsp;words and\n\n\n  a   line"))
    assert run("import", str(path)).exit_code == 0
    assert saved(news_file)[0]["summary"] == "Two words and\n\na line"


def test_the_entry_title_wins_over_a_nested_image_title(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(
        b"""<feed xmlns="http://www.w3.org/2005/Atom"><entry>
<title>Correct Value</title><updated>2021-10-29T00:00:00Z</updated>
<image><title>Incorrect Value</title></image></entry></feed>"""
    )
    out, _ = imported(run, path)
    assert out == ["2021-10-29-correct-value\t2021-10-29\tnews\tCorrect Value"]


def test_html_titles_and_summaries_become_plain_text(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(
        rss(
            title="&lt;b&gt;Bold&lt;/b&gt; &amp;amp; news",
            summary="&lt;p&gt;One&lt;/p&gt;&lt;script&gt;x()&lt;/script&gt;&lt;p&gt;"
            "Two &lt;img alt='a logo' src='l.png'&gt;&lt;/p&gt;",
        )
    )
    imported(run, path)
    result = run("import", str(path))
    assert result.exit_code == 0
    item = run("show", "2021-10-29", "--format", "json").stdout
    data = json.loads(item)
    assert (data["title"], data["summary"]) == ("Bold & news", "One\n\nTwo a logo")


def test_an_entry_without_a_title_is_named_after_its_summary(
    run: Run, news_file: Path, isolated: Path
) -> None:
    path = isolated / "feed.xml"
    long = "A very long first sentence that goes on and on about cooperatives " * 3
    path.write_bytes(
        b"""<rss version="2.0"><channel><title>t</title>
<item><description>Short one. Then more.</description><pubDate>2021-10-29</pubDate></item>
<item><description>"""
        + long.encode()
        + b"""</description><pubDate>2021-10-28</pubDate></item>
<item><link>https://a.org/x</link><pubDate>2021-10-27</pubDate></item>
</channel></rss>"""
    )
    refused = run("import", str(path))
    assert refused.exit_code == 1  # entry 3 cannot become an item: nothing is imported
    assert not news_file.exists()
    result = run("import", "--skip-invalid", str(path))
    assert result.exit_code == 0, result.stderr
    assert sorted(str(item["title"]) for item in saved(news_file)) == [
        "A very long first sentence that goes on and on about cooperatives A very long\u2026",
        "Short one.",
    ]
    assert result.stderr.splitlines()[1:-1] == [
        f"Warning: skipped invalid entry: {path}: entry 3: no title, and no summary to "
        "name it after",
        f"Note: {path}: entry 1 ('Short one.'): no title: named after its summary",
        f"Note: {path}: entry 2 ('A very long first sentence that goes on and on about "
        "cooperatives A very long\u2026'): no title: named after its summary",
        f"Took the list's title from {path}",
    ]


def test_title_from_summary() -> None:
    assert feeds.title_from("One. Two.") == "One."
    assert feeds.title_from("First line\nsecond line") == "First line"
    assert feeds.title_from("x" * 100) == "x" * 80 + "\u2026"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1))
def test_plain_text_is_tidy_and_stable(text: str) -> None:
    once = feeds.plain_text(text, "text/plain")
    if once is None:
        assert not feeds.tidy(text)
        return
    assert once == once.strip()
    assert "  " not in once
    assert "\n\n\n" not in once
    line = feeds.plain_text(text, "text/plain", single_line=True)
    assert line is not None
    assert "\n" not in line


# --- encodings -----------------------------------------------------------------

ENCODED = [
    ("windows-1252", "Caf\u00e9 \u201cquoted\u201d \u20ac5"),
    ("iso-8859-1", "Caf\u00e9 cr\u00e8me"),
    ("iso-8859-2", "\u0141\u00f3d\u017a co-op"),
    (
        "iso-8859-7",
        "\u03a3\u03c5\u03bd\u03b5\u03c4\u03b1\u03b9\u03c1\u03b9\u03c3\u03bc\u03cc\u03c2",
    ),
    ("shift_jis", "\u5354\u540c\u7d44\u5408\u306e\u30cb\u30e5\u30fc\u30b9"),
    ("euc-kr", "\ud611\ub3d9\uc870\ud569"),
    ("big5", "\u5408\u4f5c\u793e"),
    ("gb2312", "\u5408\u4f5c\u793e"),
    ("utf-16", "\u5354\u540c \u00e9"),
    ("utf-16-le", "\u5354\u540c \u00e9"),
    ("utf-16-be", "\u5354\u540c \u00e9"),
]


@pytest.mark.parametrize(("encoding", "title"), ENCODED)
def test_declared_encodings(run: Run, isolated: Path, encoding: str, title: str) -> None:
    path = isolated / "feed.xml"
    data = rss(title=title, encoding=encoding)
    if encoding == "utf-16":
        assert data.startswith(codecs.BOM_UTF16)
    path.write_bytes(data)
    out, err = imported(run, path)
    assert not [line for line in err if line.startswith("Warning")]
    assert out[0].split("\t")[3] == title


@pytest.mark.parametrize("declared", ["u16", "utf16", "utf_16", "bogus", "big5", "euc-kr"])
def test_odd_declarations_never_crash(run: Run, isolated: Path, declared: str) -> None:
    path = isolated / "feed.xml"
    body = rss(title="Plain").replace(b'encoding="utf-8"', f'encoding="{declared}"'.encode())
    path.write_bytes(body)
    for args in ([], ["--format", "rss"], ["--format", "atom"]):
        result = run("import", "--dry-run", *args, str(path))
        assert result.exit_code in (0, 1), result.stderr
        assert "Traceback" not in result.stderr
        assert result.stderr.splitlines()[-1].startswith(("Would import", "Error: "))


def test_an_unknown_encoding_is_read_with_a_warning(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(rss(title="Plain").replace(b"utf-8", b"bogus"))
    out, err = imported(run, path)
    assert f"Warning: {path}: unknown encoding 'bogus' in the document; read as utf-8" in err
    assert out[0].endswith("\tPlain")


def test_mis_declared_encoding_reads_with_replacement_characters(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    # Shift_JIS, with one byte that no Shift_JIS character starts with.
    data = rss(title="\u5354\u540c X", encoding="shift_jis").replace(b"X", b"\xfd")
    path.write_bytes(data)
    out, err = imported(run, path)
    assert (
        f"Warning: {path}: 1 byte is not valid shift_jis as the document declares; "
        "each is shown as \ufffd"
    ) in err
    assert out[0].split("\t")[3] == "\u5354\u540c \ufffd"


def test_utf8_with_a_stray_byte_keeps_its_utf8(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(rss(title="Caf\u00e9 X").replace(b"X", b"\xe9"))
    out, err = imported(run, path)
    assert "each is shown as \ufffd" in err[1]
    assert out[0].split("\t")[3] == "Caf\u00e9 \ufffd"


def test_latin_text_declared_as_utf8_reads_as_windows_1252(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(
        rss(title="Caf\u00e9 \u201cco-op\u201d", encoding="windows-1252").replace(
            b"windows-1252", b"utf-8"
        )
    )
    out, err = imported(run, path)
    assert err[1] == (
        f"Warning: {path}: not UTF-8 as the document declares; read as windows-1252 "
        "(check any accented letters)"
    )
    assert out[0].split("\t")[3] == "Caf\u00e9 \u201cco-op\u201d"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    encoding=st.sampled_from([e for e, _ in ENCODED]),
    title=st.text(
        st.characters(min_codepoint=0x20, exclude_categories=("Cs", "Co", "Cn", "Cc")),
        min_size=1,
        max_size=30,
    ),
)
def test_any_text_in_any_declared_encoding_reads_back(encoding: str, title: str) -> None:
    try:
        title.encode(encoding)
    except UnicodeEncodeError:
        return  # not writable in this encoding: nothing to read back
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    expected = feeds.plain_text(title, "text/html", single_line=True)
    assume(expected is not None)  # a blank title is named after the summary instead
    assume(not looks_double_encoded(title))  # feedparser "repairs" it (see the README)
    result = formats.reader("rss").read(rss(title=escaped, encoding=encoding), "feed.xml")
    assert result.warnings == []
    assert result.drafts[0].title == expected


# --- undated entries ---------------------------------------------------------------

UNDATED_JSON = {
    "version": "https://jsonfeed.org/version/1.1",
    "title": "Microblog",
    "items": [
        {"id": "1", "content_text": "First post, no date."},
        {"id": "2", "title": "Second", "content_html": "<p>Also undated</p>"},
    ],
}


def test_undated_json_feed_is_an_error_not_imported_0_items(
    run: Run, seeded: Path, isolated: Path
) -> None:
    before = seeded.read_bytes()
    path = isolated / "feed.json"
    path.write_text(json.dumps(UNDATED_JSON), encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{path}: read as JSON Feed 1.1 (told by its content)",
        f"Warning: skipped invalid entry: {path}: entry 1 ('First post, no date.'): no date",
        f"Warning: skipped invalid entry: {path}: entry 2 ('Second'): no date",
        "Error: nothing to import: 2 entries skipped, 2 for want of a date (--undated today "
        "or --undated feed imports such entries)",
    ]
    assert seeded.read_bytes() == before  # not even the feed's title is taken


def test_undated_today(
    run: Run, news_file: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_TODAY", "2026-03-04")
    path = isolated / "feed.json"
    path.write_text(json.dumps(UNDATED_JSON), encoding="utf-8")
    result = run("import", "--dry-run", "--undated", "today", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[1:3] == [
        f"Note: {path}: entry 1 ('First post, no date.'): no title: named after its "
        "summary; no date: dated today, 2026-03-04",
        f"Note: {path}: entry 2 ('Second'): no date: dated today, 2026-03-04",
    ]
    assert result.stdout.splitlines() == [
        "2026-03-04-second\t2026-03-04\tnews\tSecond",
        "2026-03-04-first-post-no-date\t2026-03-04\tnews\tFirst post, no date.",
    ]
    assert not news_file.exists()


def test_undated_feed_takes_the_feeds_own_date(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(
        b"""<rss version="2.0"><channel><title>t</title>
<lastBuildDate>Sat, 30 Oct 2021 09:00:00 +0200</lastBuildDate>
<item><title>No date</title></item>
<item><title>Dated</title><pubDate>Fri, 29 Oct 2021 10:00:00 +0000</pubDate></item>
</channel></rss>"""
    )
    out, err = imported(run, path, "--undated", "feed")
    assert out == [
        "2021-10-30-no-date\t2021-10-30\tnews\tNo date",
        "2021-10-29-dated\t2021-10-29\tnews\tDated",
    ]
    assert (
        f"Note: {path}: entry 1 ('No date'): no date: dated with the feed's own date, 2021-10-30"
        in err
    )
    out, err = imported(run, path)
    assert out == ["2021-10-29-dated\t2021-10-29\tnews\tDated"]
    assert err[-1] == "1 entry has no date: --undated today or --undated feed imports such entries"


def test_undated_feed_without_a_date_of_its_own(run: Run, isolated: Path) -> None:
    path = isolated / "feed.json"
    path.write_text(json.dumps(UNDATED_JSON), encoding="utf-8")
    result = run("import", "--undated", "feed", str(path))
    assert result.exit_code == 1
    assert "entry 2 ('Second'): no date, and the input has no date of its own" in result.stderr


def test_a_feed_without_entries_is_an_error(run: Run, isolated: Path, news_file: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(b'<rss version="2.0"><channel><title>Empty</title></channel></rss>')
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"Error: nothing to import: no entries in {path}"
    assert not news_file.exists()
    other = isolated / "other.xml"
    other.write_bytes(rss())
    result = run("import", str(path), str(other))
    assert result.exit_code == 0
    assert f"Warning: {path}: no entries to import" in result.stderr.splitlines()


def test_broken_xml_with_entries_is_read_with_a_warning(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(
        b"<rss version='2.0'><channel><item><title>Cut short</title>"
        b"<pubDate>2021-10-29</pubDate></item>"
    )
    out, err = imported(run, path)
    assert err[1].startswith(f"Warning: {path}:1:")
    assert err[1].endswith("not well-formed XML (no element found); read as a feed reader would")
    assert out == ["2021-10-29-cut-short\t2021-10-29\tnews\tCut short"]


# --- hardening -----------------------------------------------------------------


def test_entities_hidden_behind_a_comment_are_still_refused(run: Run, isolated: Path) -> None:
    path = isolated / "evil.xml"
    path.write_bytes(
        b'<!-- <rss> -->\n<!DOCTYPE rss [<!ENTITY secret SYSTEM "file:///etc/passwd">]>\n'
        b"<rss version='2.0'><channel><item><title>&secret;</title></item></channel></rss>"
    )
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "refused: the feed declares XML entities" in result.stderr


def test_plain_entities_feedparser_keeps_are_read(run: Run, isolated: Path) -> None:
    path = isolated / "feed.xml"
    path.write_bytes(
        b'<!DOCTYPE rss [\n<!ENTITY co "Cooperative">\n<!ENTITY copy "&#169;">\n]>\n'
        b"<rss version='2.0'><channel><item><title>&co; news &copy;</title>"
        b"<pubDate>2021-10-29</pubDate></item></channel></rss>"
    )
    out, _ = imported(run, path)
    assert out[0].endswith("\tCooperative news \u00a9")


def test_large_expansions_and_large_feeds_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from coopcli.core.errors import DataError

    many = b'<!DOCTYPE rss [<!ENTITY a "' + b"x" * 1000 + b'">]><rss>' + b"&a;" * 2000 + b"</rss>"
    with pytest.raises(DataError, match="refused: the feed declares XML entities"):
        feedxml.read_xml(many, "many.xml")
    # References past the part read for the prolog count too.
    monkeypatch.setattr(feedxml, "MAX_PROLOG", 1100)
    with pytest.raises(DataError, match="refused: the feed declares XML entities"):
        feedxml.read_xml(many, "many.xml")
    monkeypatch.setattr(feeds, "MAX_BYTES", 100)
    with pytest.raises(
        DataError, match=r"too large to read as a feed \(331 bytes; the limit is 100\)"
    ):
        feedxml.read_xml(rss(), "big.xml")
    with pytest.raises(DataError, match="too large to read as a feed"):
        formats.reader("jsonfeed").read(json.dumps(UNDATED_JSON).encode(), "big.json")


def test_the_content_is_never_taken_for_a_file_name(run: Run, isolated: Path) -> None:
    secret = isolated / "secret.xml"
    secret.write_bytes(rss(title="Secret"))
    path = isolated / "name.txt"
    path.write_bytes(str(secret).encode())
    result = run("import", "--format", "rss", str(path))
    assert result.exit_code == 1
    assert "Secret" not in result.stderr
    assert result.stderr == (
        f"Error: {path}:1:1: not well-formed XML: not well-formed (invalid token)\n"
    )


# --- the pieces ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("<".encode("utf-32-be"), ("utf-32-be", 0)),
        ("<".encode("utf-32-le"), ("utf-32-le", 0)),
        ("\ufeff<".encode("utf-32-le"), ("utf-32-le", 4)),
        ("<?xm".encode("cp037"), ("cp037", 0)),
        (codecs.BOM_UTF8 + b"<", ("utf-8", 3)),
        (b"<rss", (None, 0)),
        (b"", (None, 0)),
    ],
)
def test_byte_encoding(data: bytes, expected: tuple[str | None, int]) -> None:
    assert encodings.byte_encoding(data) == expected


def test_prolog_scan() -> None:
    subset = '<!-- a "quote\' and ] in a comment --><!ENTITY a "]>">'
    prolog = feedxml.scan_prolog(f"<!DOCTYPE rss [{subset}]>\n<rss>")
    assert (prolog.root, prolog.subsets) == ("rss", (subset,))
    unterminated = feedxml.scan_prolog("<!DOCTYPE rss [<!ENTITY a 'b'>")
    assert (unterminated.root, unterminated.subsets) == (None, ("<!ENTITY a 'b'>",))
    assert feedxml.scan_prolog("<?xml version='1.0'").root is None
    assert feedxml.scan_prolog("text").root is None


def test_a_huge_doctype_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from coopcli.core.errors import DataError

    monkeypatch.setattr(feedxml, "MAX_PROLOG", 50)
    data = b"<!DOCTYPE rss [" + b" " * 100 + b"]><rss/>"
    with pytest.raises(DataError, match="refused: a DOCTYPE longer than 50 bytes"):
        feedxml.read_xml(data, "big.xml")


def test_cdf(run: Run, isolated: Path) -> None:
    path = isolated / "channel.cdf"
    path.write_bytes(
        b'<CHANNEL HREF="https://a.org/"><ITEM HREF="https://a.org/1" LASTMOD="2021-10-29">'
        b"<TITLE>A CDF item</TITLE></ITEM></CHANNEL>"
    )
    out, err = imported(run, path)
    assert err[0] == f"{path}: read as CDF (told by its content)"
    assert out == ["2021-10-29-cdf-item\t2021-10-29\tnews\tA CDF item"]


def test_json_feed_oddities(run: Run, isolated: Path) -> None:
    path = isolated / "feed.json"
    feed = {
        "version": "https://jsonfeed.org/version/2",
        "items": [{"title": "Hi", "date_published": "2021-10-29"}],
    }
    path.write_text(json.dumps(feed), encoding="utf-16")
    out, err = imported(run, path)
    assert err[1] == (
        f"Warning: {path}: unknown JSON Feed version 'https://jsonfeed.org/version/2'; read as 1.1"
    )
    assert len(out) == 1
    path.write_bytes(codecs.BOM_UTF16_LE + b'{\x00"\x00\x00\xd8')
    result = run("import", "--format", "jsonfeed", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {path}: not valid utf-16")


def test_dry_run_of_nothing_is_an_error_too(run: Run, isolated: Path) -> None:
    path = isolated / "feed.json"
    path.write_text(json.dumps(UNDATED_JSON), encoding="utf-8")
    result = run("import", "--dry-run", str(path))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1].startswith("Error: nothing to import: 2 entries")


def test_the_library_says_nothing_was_imported_and_writes_nothing(
    seeded: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coopcli import NewsList

    before = seeded.read_bytes()
    path = isolated / "feed.json"
    path.write_text(json.dumps(UNDATED_JSON), encoding="utf-8")
    news = NewsList.open(seeded)
    source = importer.read_input(str(path))
    results = [(source.source, importer.read(source)[1])]
    with pytest.raises(importer.NothingImported) as info:
        news.import_(results)
    assert [skipped.reason for skipped in info.value.report.invalid] == ["no date", "no date"]
    assert seeded.read_bytes() == before
    monkeypatch.setenv("COOPCLI_TODAY", "2026-03-04")
    report = news.import_(results, undated="today")
    assert [item.date for item in report.added] == [dt.date(2026, 3, 4)] * 2
    titles = {item.title for item in news.items()}
    assert {"First post, no date.", "Second"} <= titles


def test_a_file_name_with_a_nul_byte_is_a_clear_error(run: Run) -> None:
    result = run("import", "feed\x00.xml")
    assert result.exit_code == 2  # a usage error, like every other impossible argument
    assert result.stderr == "Error: 'feed\\x00.xml': a file name cannot contain a NUL character\n"
