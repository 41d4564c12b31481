"""``coopcli import``: formats detected, drafts validated, duplicates skipped, one write."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli import formats, importer
from coopcli.core.errors import DataError
from coopcli.core.models import NewsFile
from coopcli.formats import Draft, ReadResult
from tests.conftest import EXAMPLES, Run, coopcli_process
from tests.strategies import news_files

T = TypeVar("T")

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


def test_listing_gives_the_ten_example_items(run: Run, news_file: Path) -> None:
    result = run("import", str(EXAMPLES / "listing.txt"))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert result.stderr == (
        f"Took the list's title from {EXAMPLES / 'listing.txt'}\nImported 10 items\n"
    )
    # Byte for byte the bundled example: same items, ids, types, order and title.
    assert news_file.read_bytes() == (EXAMPLES / "news.toml").read_bytes()


def test_listing_copy_matches_shared_data() -> None:
    # shared/ sits beside the clone (or beside the folder of work trees).
    root = EXAMPLES.parent
    candidates = [
        folder / "shared" / "data" / "cooperatives-news-listing.txt"
        for folder in (root.parent, root.parent.parent)
    ]
    original = next((path for path in candidates if path.exists()), None)
    if original is None:
        pytest.skip("the shared data folder is not beside this clone")
    assert (EXAMPLES / "listing.txt").read_bytes() == original.read_bytes()


def test_import_again_skips_every_duplicate(run: Run, seeded: Path) -> None:
    before = seeded.read_bytes()
    result = run("import", str(EXAMPLES / "listing.txt"))
    assert result.exit_code == 0
    assert result.stderr.splitlines()[0] == (
        f"Skipped duplicate: {EXAMPLES / 'listing.txt'}:3: entry 1 ('ILO sheds light upon the "
        "role of cooperatives in the elimination of child labour at the Academy on Fundamental "
        "Principles and Rights at Work'): same title and date as 2021-10-29-ilo-sheds-light-upon"
    )
    assert result.stderr.splitlines()[-1] == "Imported 0 items, skipped 10 duplicates"
    assert seeded.read_bytes() == before


def test_item_file_import_keeps_ids_and_skips_same_id(
    run: Run, seeded: Path, isolated: Path
) -> None:
    other = isolated / "other.json"
    data = json.loads((EXAMPLES / "news.json").read_text(encoding="utf-8"))
    new = {"id": "custom-id", "type": "story", "title": "A new story", "date": "2021-11-01"}
    data["items"] = [*data["items"][:2], new]
    data["items"][0]["title"] = "Renamed, but the same id"
    other.write_text(json.dumps(data), encoding="utf-8")
    result = run("import", str(other))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"Skipped duplicate: {other}: entry 1 ('Renamed, but the same id'): "
        "the list already has the id 2021-10-13-training-by-ilo",
        f"Skipped duplicate: {other}: entry 2 ('Ayşe Turunç Kankal, ILO Office for Turkey in "
        "Ankara'): the list already has the id 2021-10-21-ayse-turunc-kankal",
        "Imported 1 item, skipped 2 duplicates",
    ]
    items = tomllib.loads(seeded.read_text(encoding="utf-8"))["items"]
    assert items[-1] == {
        "id": "custom-id",
        "type": "story",
        "title": "A new story",
        "date": dt.date(2021, 11, 1),
    }


def test_item_file_brings_its_own_types(run: Run, news_file: Path, isolated: Path) -> None:
    other = isolated / "other.toml"
    other.write_text(
        '[types]\nreport = "Annual report"\n\n[[items]]\nid = "r1"\ntype = "report"\n'
        'title = "Report 2021"\ndate = 2021-12-01\n',
        encoding="utf-8",
    )
    result = run("import", str(other))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"Took the type 'report' (Annual report) from {other}\nImported 1 item\n"
    )
    saved = tomllib.loads(news_file.read_text(encoding="utf-8"))
    assert saved["types"] == {"report": "Annual report"}
    assert saved["items"][0]["type"] == "report"


def test_invalid_item_file_is_refused_naming_the_item(
    run: Run, seeded: Path, isolated: Path
) -> None:
    before = seeded.read_bytes()
    other = isolated / "bad.json"
    other.write_text(
        '{"items": [{"id": "a", "type": "news", "title": "x", "date": "2021-13-01"}]}',
        encoding="utf-8",
    )
    result = run("import", str(other))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {other}: items[0]: date '2021-13-01' is not a valid date (write it YYYY-MM-DD)\n"
    )
    assert seeded.read_bytes() == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("bad.json", '{"items": [', "bad.json:1:12: invalid JSON: Expecting value"),
        ("bad.toml", 'title = "x"\nversion = = 1\n', "bad.toml:2:11: invalid TOML: Invalid value"),
        ("bad.txt", "News\n\n  1. News\n\n  T\xff\n", "bad.txt: not valid UTF-8 at byte"),
    ],
)
def test_broken_input_names_file_and_position(
    run: Run, seeded: Path, isolated: Path, name: str, content: str, message: str
) -> None:
    before = seeded.read_bytes()
    path = isolated / name
    path.write_bytes(content.encode("latin-1") if "\xff" in content else content.encode())
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {isolated}/{message}")
    assert seeded.read_bytes() == before


def test_all_or_nothing_across_files(run: Run, seeded: Path, isolated: Path) -> None:
    before = seeded.read_bytes()
    good = isolated / "good.csv"
    good.write_text("title,date\nNew,2021-11-01\n", encoding="utf-8")
    result = run("import", str(good), str(isolated / "missing.csv"))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {isolated / 'missing.csv'}: no such file\n"
    assert seeded.read_bytes() == before


def test_dry_run_shows_and_writes_nothing(run: Run, news_file: Path) -> None:
    result = run("import", "--dry-run", str(EXAMPLES / "listing.txt"))
    assert result.exit_code == 0
    assert not news_file.exists()
    lines = result.stdout.splitlines()
    assert len(lines) == 10
    assert lines[0] == (
        "2021-10-29-ilo-sheds-light-upon\t2021-10-29\tnews\tILO sheds light upon the role of "
        "cooperatives in the elimination of child labour at the Academy on Fundamental "
        "Principles and Rights at Work"
    )
    assert result.stderr.splitlines()[-1] == "Would import 10 items"
    assert "Would take the list's title from" in result.stderr


def test_stdin_is_read_and_sniffed(run: Run, news_file: Path) -> None:
    text = (EXAMPLES / "listing.txt").read_text(encoding="utf-8")
    result = run("import", "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.endswith("Imported 10 items\n")
    assert "<stdin>" in result.stderr


def test_format_option_overrides_suffix(run: Run, news_file: Path, isolated: Path) -> None:
    path = isolated / "export.dat"
    shutil.copy(EXAMPLES / "listing.txt", path)
    result = run("import", "--format", "listing", str(path))
    assert result.exit_code == 0
    assert result.stderr.endswith("Imported 10 items\n")


def test_unknown_or_export_only_format_is_a_usage_error(run: Run, isolated: Path) -> None:
    result = run("import", "--format", "docx", "x")
    assert result.exit_code == 2
    assert "unknown format 'docx'" in result.stderr
    result = run("import", "--format", "html", "x")
    assert result.exit_code == 2
    assert "html cannot be imported (choose from: toml, json, csv" in result.stderr


def test_listing_cannot_be_exported(run: Run, seeded: Path) -> None:
    result = run("export", "--format", "listing")
    assert result.exit_code == 2
    assert "listing can only be imported" in result.stderr


def test_type_option_for_unknown_labels(run: Run, news_file: Path, isolated: Path) -> None:
    path = isolated / "page.txt"
    path.write_text(
        "Press\n\n1. Press release\n\nLaunch\n\n2 November 2021\n\n"
        "2. News\n\nOther\n\n3 November 2021\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"  {path}:3: entry 1 ('Launch'): unknown type 'Press release' (valid: news, "
        "spotlight, champion, statement, story); add it under [types] in the item file, "
        "or give --type\n"
        "Error: 1 entry cannot be imported, so nothing was (--skip-invalid imports the "
        "others)\n"
    )
    assert not news_file.exists()
    result = run("import", "--type", "Statement", str(path))
    assert result.exit_code == 0
    assert run("list", "--format", "tsv").stdout == (
        "2021-11-03-other\t2021-11-03\tnews\tOther\n"
        "2021-11-02-launch\t2021-11-02\tstatement\tLaunch\n"
    )


def test_bad_type_option(run: Run, seeded: Path) -> None:
    result = run("import", "--type", "spotlite", str(EXAMPLES / "listing.txt"))
    assert result.exit_code == 2
    assert "did you mean 'spotlight'?" in result.stderr


def test_listing_entry_without_date_is_invalid(run: Run, news_file: Path, isolated: Path) -> None:
    path = isolated / "page.txt"
    path.write_text(
        "Menu\nNews\n\n1. News\nNo date here\n\n2. News\nDated\n31 February 2021\n"
        "3. News\nGood\nOctober 3, 2021\nA summary\nthat wraps.\n",
        encoding="utf-8",
    )
    refused = run("import", str(path))
    assert refused.exit_code == 1
    assert not news_file.exists()
    result = run("import", "--skip-invalid", str(path))
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        f"Warning: skipped invalid entry: {path}:4: entry 1 ('No date here'): no date",
        f"Warning: skipped invalid entry: {path}:7: entry 2 ('Dated'): impossible date "
        "'31 February 2021': day is out of range for month",
        f"Took the list's title from {path}",
        "Imported 1 item, skipped 2 invalid entries",
        "1 entry has no date: --undated today or --undated feed imports such entries",
    ]
    saved = tomllib.loads(news_file.read_text(encoding="utf-8"))
    assert saved["title"] == "News"
    assert saved["items"][0]["summary"] == "A summary that wraps."


def test_unreadable_format_is_a_clear_error(run: Run, isolated: Path) -> None:
    path = isolated / "notes.xml"
    path.write_text("<html><body>hi</body></html>", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: {path}: cannot tell what format this is; name it with --format "
        f"({', '.join(formats.names(imports=True))})\n"
    )


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0"?>\n<rss version="2.0"><channel>', "rss"),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", "rss"),
        (b'\xef\xbb\xbf<feed xmlns="http://www.w3.org/2005/Atom">', "atom"),
        (b"<feed>", "atom"),
        (b"<html><body>", None),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "jsonfeed"),
        (b'{"version": 1, "items": []}', "json"),
        (b"id,type,title,date,summary,url,tags\r\n", "csv"),
        (b'version = 1\n\n[[items]]\nid = "a"\n', "toml"),
        (b"News\n\n  1. News\n\n  Title\n", "listing"),
        (b"just some words", None),
    ],
)
def test_sniff(head: bytes, expected: str | None) -> None:
    assert importer.sniff(head) == expected


def test_feed_without_its_reader_is_a_clear_error(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        formats, "_REGISTRY", {k: v for k, v in formats._REGISTRY.items() if k != "rss"}
    )
    path = isolated / "feed.xml"
    path.write_text('<rss version="2.0"><channel></channel></rss>', encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {path}: looks like an RSS feed, which this coopcli cannot import (it imports: "
    )


def test_merge_resolves_types_from_categories() -> None:
    doc = NewsFile()
    result = ReadResult(
        [
            Draft("A", dt.date(2021, 1, 1), categories=["x", "COOP Champion"]),
            Draft("B", dt.date(2021, 1, 2), categories=["x"]),
            Draft("C", dt.date(2021, 1, 3), tags=["a, b", "c;d", " e "]),
        ],
        skipped=2,
    )
    report = importer.merge(doc, [("feed", result)], skip_invalid=True)
    assert [(i.type, i.tags) for i in doc.items] == [
        ("champion", []),
        ("news", []),
        ("news", ["a b", "c d", "e"]),
    ]
    assert report.summary() == "Imported 3 items, skipped 2 invalid entries"
    doc2 = NewsFile()
    importer.merge(doc2, [("feed", result)], default_type="story", skip_invalid=True)
    assert [i.type for i in doc2.items] == ["champion", "story", "story"]


def test_invalid_draft_values_are_skipped_with_reason() -> None:
    doc = NewsFile()
    result = ReadResult(
        [
            Draft("Bad link", dt.date(2021, 1, 1), url="javascript:alert(1)"),
            Draft("Same", dt.date(2021, 1, 2), id="not a valid id"),
            Draft("same", dt.date(2021, 1, 2)),
        ],
        link="not a url",
        title="Feed",
    )
    with pytest.raises(DataError):
        importer.merge(NewsFile(), [("feed", result)])
    report = importer.merge(doc, [("feed", result)], skip_invalid=True)
    assert [str(s) for s in report.invalid] == [
        "feed: entry 1 ('Bad link'): url: must be an http:// or https:// URL"
    ]
    assert [str(s) for s in report.duplicates] == [
        "feed: entry 3 ('same'): same title and date as 2021-01-02-same"
    ]
    assert doc.link is None
    assert doc.title == "Feed"
    assert report.summary(dry_run=True) == (
        "Would import 1 item, skip 1 duplicate and 1 invalid entry"
    )


def test_import_in_a_real_process(isolated: Path) -> None:
    target = isolated / "real.json"
    result = coopcli_process("--file", str(target), "import", str(EXAMPLES / "listing.txt"))
    assert result.returncode == 0, result.stderr
    assert json.loads(target.read_text(encoding="utf-8")) == json.loads(
        (EXAMPLES / "news.json").read_text(encoding="utf-8")
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=news_files(), name=st.sampled_from(["json", "toml"]))
def test_item_file_export_then_import_is_identity(doc: NewsFile, name: str) -> None:
    module = formats.codec(name)
    data = module.export(doc).encode("utf-8")
    assert importer.sniff(data) == name
    target = NewsFile()
    report = importer.merge(target, [(f"x.{name}", module.read(data, f"x.{name}"))])
    assert not report.invalid
    assert not report.duplicates
    assert target.to_data() == doc.to_data()


def test_many_skipped_entries_are_summarised(run: Run, news_file: Path, isolated: Path) -> None:
    path = isolated / "many.csv"
    rows = "".join(f"Item {n},2021-01-{1 + n % 28:02d}\n" for n in range(250))
    path.write_text("title,date\n" + rows + ",2021-01-01\n" * 12, encoding="utf-8")
    result = run("import", "--skip-invalid", str(path))
    assert result.exit_code == 0
    assert result.stderr.splitlines()[-2:] == [
        "Warning: … and 2 more invalid entries",
        "Imported 250 items, skipped 12 invalid entries",
    ]
    again = run("import", "--skip-invalid", str(path))
    lines = again.stderr.splitlines()
    assert len(lines) == 10 + 1 + 10 + 1 + 1
    assert lines[10] == "… and 240 more duplicates"
    assert lines[-1] == "Imported 0 items, skipped 250 duplicates and 12 invalid entries"


def test_long_imports_show_progress(
    run: Run, news_file: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coopcli.cli import render

    calls: list[tuple[int, str]] = []

    def progress(items: Iterable[T], total: int, description: str) -> Iterator[T]:
        calls.append((total, description))
        yield from items

    monkeypatch.setattr(render, "progress", progress)
    small = isolated / "small.csv"
    small.write_text("title,date\nOne,2021-01-01\n", encoding="utf-8")
    assert run("import", str(small)).exit_code == 0
    assert calls == []
    big = isolated / "big.csv"
    big.write_text(
        "title,date\n" + "".join(f"Item {n},2021-02-01\n" for n in range(300)), encoding="utf-8"
    )
    assert run("import", str(big)).exit_code == 0
    assert calls == [(300, "Importing")]


def test_stdin_only_once(run: Run) -> None:
    result = run("import", "-", "-", input="")
    assert result.exit_code == 2
    assert "'-' (standard input) can be given only once" in result.stderr


def test_listing_with_numbers_on_their_own_lines(run: Run, news_file: Path) -> None:
    text = (
        "Our news\n1.\nCOOP Champions\nA champion\n1 November 2021\n2.\nNews\nA story\n2021-11-02\n"
    )
    result = run("import", "-", input=text)
    assert result.exit_code == 0, result.stderr
    assert run("list", "--format", "tsv").stdout == (
        "2021-11-02-story\t2021-11-02\tnews\tA story\n"
        "2021-11-01-champion\t2021-11-01\tchampion\tA champion\n"
    )


def test_item_file_mentioning_json_feed_is_still_an_item_file() -> None:
    title = '\\"version\\": \\"https://jsonfeed.org/version/1\\"'
    data = f'{{"version": 1, "title": "{title}", "items": []}}'.encode()
    assert importer.sniff(data) == "json"
    assert importer.sniff(b'{"version": "https://jsonfeed.org/version/1", "items": [') == "jsonfeed"


def test_a_registered_feed_reader_is_used_for_sniffed_feeds(
    run: Run, news_file: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import types

    def read(data: bytes, source: str) -> ReadResult:
        assert data.startswith(b"<?xml")
        return ReadResult(
            [
                Draft("Interview", dt.date(2021, 11, 1), categories=["Spotlight"], tags=["x"]),
                Draft("Plain", dt.date(2021, 11, 2), url="https://example.org/p"),
            ],
            title="A feed",
            link="https://example.org/",
            skipped=1,
        )

    module = types.ModuleType("fake_rss")
    module.read = read  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "fake_rss", module)
    monkeypatch.setitem(
        formats._REGISTRY,
        "rss",
        formats.FormatInfo("rss", "fake_rss", (".rss",), "RSS", imports=True),
    )
    path = isolated / "feed.xml"
    path.write_text('<?xml version="1.0"?>\n<rss version="2.0"></rss>', encoding="utf-8")
    result = run("import", "--type", "story", "--skip-invalid", str(path))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "Imported 2 items, skipped 1 invalid entry"
    assert run("list", "--format", "tsv").stdout == (
        "2021-11-02-plain\t2021-11-02\tstory\tPlain\n"
        "2021-11-01-interview\t2021-11-01\tspotlight\tInterview\n"
    )
    saved = tomllib.loads(news_file.read_text(encoding="utf-8"))
    assert (saved["title"], saved["link"]) == ("A feed", "https://example.org/")


def test_export_only_suffix_and_directories_are_refused(run: Run, isolated: Path) -> None:
    digest = isolated / "digest.md"
    digest.write_text("# News\n", encoding="utf-8")
    result = run("import", str(digest))
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: {digest}: the markdown format is for export only (imports: toml, json, csv"
    )
    result = run("import", str(isolated))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {isolated}: is a directory, not a file to import\n"


_MODULES_PROBE = """
import sys
from coopcli.cli.app import main
try:
    main()
finally:
    probed = ("html.parser", "email.utils", "coopcli.formats.feedxml", "coopcli.fetch")
    loaded = [name for name in probed if name in sys.modules]
    print("loaded:", " ".join(loaded) or "none", file=sys.stderr)
"""


def test_a_plain_json_feed_is_imported_without_the_html_xml_rss_date_and_http_readers(
    tmp_path: Path,
) -> None:
    feed = tmp_path / "feed.json"
    entry = {
        "id": "https://example.org/1",
        "url": "https://example.org/1",
        "title": "Cooperatives and training",
        "content_text": "A story from a partner's feed.",
        "date_published": "2021-10-29T09:00:00Z",
    }
    feed.write_text(
        json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [entry]}),
        encoding="utf-8",
    )
    news = tmp_path / "news.toml"
    shutil.copy(EXAMPLES / "news.toml", news)
    env = {**os.environ, "COOPCLI_CACHE_DIR": str(tmp_path / "cache")}
    command = [sys.executable, "-c", _MODULES_PROBE, "--file", str(news), "import", str(feed)]

    def run() -> subprocess.CompletedProcess[str]:
        return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)

    done = run()
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("loaded: none")
    assert 'title = "Cooperatives and training"' in news.read_text(encoding="utf-8")
    # Markup and an RSS date load them, and read as before.
    del entry["content_text"]
    entry["content_html"] = "<p>A <b>story</b></p>"
    entry["date_published"] = "Fri, 29 Oct 2021 09:00:00 +0000"
    entry["title"] = "Another story"
    feed.write_text(
        json.dumps({"version": "https://jsonfeed.org/version/1.1", "items": [entry]}),
        encoding="utf-8",
    )
    done = run()
    assert done.returncode == 0, done.stderr
    assert "loaded: html.parser email.utils" in done.stderr
    assert 'summary = "A story"' in news.read_text(encoding="utf-8")
