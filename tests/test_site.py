"""``coopcli site``: the static website, built from the example and a generated list.

Every test builds a real site through the CLI and reads the files it wrote: pages
parse as HTML5 (html5lib, strict), internal links resolve, feeds pass the export's
own validity checks, the sitemap lists every page, and rebuilds touch only what
changed.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcli.site import paths
from coopcli.site.pages import page_ranges, page_window
from tests.conftest import EXAMPLES, ROOT, Run
from tests.sitecheck import (
    BASE,
    check_site,
    feed_files,
    generated_ids,
    generated_toml,
    manifest,
    mtimes,
    parse_page,
    sitemap_paths,
)
from tests.test_feeds import assert_valid

SUMMARY = re.compile(
    r"^Built .+: (\d+) files for (\d+) items? "
    r"\((\d+) written, (\d+) unchanged, (\d+) deleted\) in [\d.]+ s$"
)


def build(run: Run, output: Path, *args: str) -> tuple[int, int, int, int]:
    """Build the site into ``output``; return (files, items, written, deleted)."""
    result = run("site", "--output", str(output), "--base-url", BASE, *args)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    match = SUMMARY.match(result.stderr.strip())
    assert match, result.stderr
    files, items, written, unchanged, deleted = map(int, match.groups())
    assert written + unchanged == files
    return files, items, written, deleted


@pytest.fixture
def big(news_file: Path) -> Path:
    """The item file, holding 1,000 generated items."""
    news_file.write_text(generated_toml(1000), encoding="utf-8")
    return news_file


def test_example_site(run: Run, seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    files, items, written, deleted = build(run, out)
    assert (items, written, deleted) == (10, files, 0)
    pages = check_site(out)
    # The index: newest first, with type label, human date, title and summary.
    index = pages["index.html"]
    titles = index.titles()
    assert titles[0].startswith("ILO sheds light upon the role of cooperatives")
    assert "29 October 2021" in index.text("time")
    assert "Spotlight Interviews with Co-operators" in index.text("a")
    assert index.tree.get("lang") == "en"
    # One page per type, tag and year, each listing only its own items.
    spotlight = pages["type/spotlight/index.html"]
    assert spotlight.titles() == ["Sung Ho Kim, International Cooperation Department, KFCC"]
    assert "year/2021/index.html" in pages
    # One page per item at an address made from its id.
    item = pages["item/2021-10-28-sung-ho-kim.html"]
    assert item.text("h1") == ["Sung Ho Kim, International Cooperation Department, KFCC"]
    assert set(sitemap_paths(out)) == set(pages) - {"404.html"}
    assert len(feed_files(out)) == 3 * (1 + 3)  # the whole list and its three types


def test_item_page_metadata(run: Run, seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(run, out)
    page = parse_page(out, "item/2021-10-29-ilo-sheds-light-upon.html")
    meta = {m.get("property") or m.get("name"): m.get("content") for m in page.find_all("meta")}
    url = BASE + "item/2021-10-29-ilo-sheds-light-upon.html"
    assert meta["og:url"] == url
    assert meta["og:type"] == "article"
    assert meta["og:title"].startswith("ILO sheds light upon")
    assert meta["description"].startswith("The two sessions organized")
    assert [
        link.get("href") for link in page.find_all("link") if link.get("rel") == "canonical"
    ] == [url]
    scripts = [s for s in page.find_all("script") if s.get("type") == "application/ld+json"]
    data = json.loads(scripts[0].text or "")
    assert data["@type"] == "NewsArticle"
    assert data["datePublished"] == "2021-10-29"
    assert data["url"] == url
    # Previous and next item links, in date order.
    rels = {a.get("rel"): a.get("href") for a in page.find_all("a") if a.get("rel")}
    assert rels == {"next": "../item/2021-10-28-sung-ho-kim.html"}


def test_corrected_item_says_when_it_was_updated(
    run: Run, seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COOPCLI_NOW", "2021-11-03T23:30:00-02:00")
    edited = run(
        "edit", "2021-10-29-ilo", "--title", "ILO sheds light upon cooperatives (corrected)"
    )
    assert edited.exit_code == 0, edited.stderr
    out = tmp_path / "site"
    build(run, out)
    page = parse_page(out, "item/2021-10-29-ilo-sheds-light-upon.html")
    # Stored in UTC: 23:30 at -02:00 is the next day, and the page says so.
    times = {t.get("datetime"): t.text for t in page.find_all("time")}
    assert times["2021-11-04T01:30:00Z"] == "4 November 2021"
    assert "Updated on 4 November 2021" in " ".join("".join(page.tree.itertext()).split())
    meta = {m.get("property"): m.get("content") for m in page.find_all("meta")}
    assert meta["article:modified_time"] == "2021-11-04T01:30:00Z"
    scripts = [s for s in page.find_all("script") if s.get("type") == "application/ld+json"]
    data = json.loads(scripts[0].text or "")
    assert (data["datePublished"], data["dateModified"]) == ("2021-10-29", "2021-11-04T01:30:00Z")
    # An item never corrected says nothing of the kind.
    other = parse_page(out, "item/2021-10-28-sung-ho-kim.html")
    assert "Updated on" not in "".join(other.tree.itertext())


def test_feeds_are_valid_and_discoverable(run: Run, seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(run, out)
    for name, path in feed_files(out):
        assert_valid(name, path.read_text(encoding="utf-8"))
    news = (out / "type/news/feed.xml").read_text(encoding="utf-8")
    assert news.count("<item>") == 8
    assert f"<link>{BASE}item/2021-10-29-ilo-sheds-light-upon.html</link>" in news
    page = parse_page(out, "type/news/index.html")
    alternates = [
        (link.get("type"), link.get("href"))
        for link in page.find_all("link")
        if link.get("rel") == "alternate"
    ]
    assert alternates == [
        ("application/rss+xml", "../../type/news/feed.xml"),
        ("application/atom+xml", "../../type/news/atom.xml"),
        ("application/feed+json", "../../type/news/feed.json"),
    ]


def test_generated_list_of_1000_items(run: Run, big: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    files, items, _written, _deleted = build(run, out)
    assert items == 1000
    pages = check_site(out)
    assert set(sitemap_paths(out)) == set(pages) - {"404.html"}
    assert len(manifest(out)) == files
    for name, path in feed_files(out):
        assert_valid(name, path.read_text(encoding="utf-8"))
    ids = generated_ids(1000)
    # Following "Older" from the front page visits every item once, newest first.
    seen: list[str] = []
    path: str | None = "index.html"
    while path is not None:
        page = pages[path]
        seen += [href.rsplit("/", 1)[1].removesuffix(".html") for href in page.item_links()]
        older = [a.get("href") for a in page.find_all("a") if a.get("rel") == "next"]
        path = os.path.normpath(os.path.join(os.path.dirname(path), older[0])) if older else None
    assert seen == ids[::-1]
    # The front page holds between one and two pages of items.
    front = len(pages["index.html"].item_links())
    assert 20 <= front < 40
    index = json.loads((out / "search-index.json").read_text(encoding="utf-8"))
    assert len(index["items"]) == 1000


def test_rebuild_rewrites_only_what_changed(run: Run, big: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    files, _items, _written, _deleted = build(run, out)
    before, fingerprints = mtimes(out), manifest(out)
    assert build(run, out)[2] == 0  # nothing changed, nothing written
    assert mtimes(out) == before
    newest = generated_ids(1000)[-1]
    added = run(
        "add",
        "--type",
        "spotlight",
        "--title",
        "A new interview",
        "--date",
        "2025-12-20",
        "--tag",
        "sse",
    )
    assert added.exit_code == 0, added.stderr
    new_id = added.stdout.strip()
    _files, items, written, deleted = build(run, out)
    assert (items, deleted) == (1001, 0)
    after, new_fingerprints = mtimes(out), manifest(out)
    changed = {p for p in after if after[p] != before.get(p)}
    assert changed == {
        p for p in new_fingerprints if new_fingerprints[p] != fingerprints.get(p)
    } | {".coopcli-site.json"}
    assert len(changed) == written + 1
    assert f"item/{new_id}.html" in changed
    assert f"item/{newest}.html" in changed  # its "newer" link now leads to the new item
    assert {
        "index.html",
        "type/spotlight/index.html",
        "tag/sse/index.html",
        "search-index.json",
        "sitemap.xml",
        "feed.xml",
    } <= changed
    assert written < 30 < files
    check_site(out)
    # An edit changes the item's page and the lists and feeds that show it.
    old = generated_ids(1000)[100]
    edited = run("edit", old, "--title", "A corrected title")
    assert edited.exit_code == 0, edited.stderr
    before = mtimes(out)
    written = build(run, out)[2]
    page = parse_page(out, f"item/{old}.html")
    assert page.text("h1") == ["A corrected title"]
    assert 3 <= written < 30


def test_removed_item_page_is_deleted(run: Run, seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(run, out)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    gone = "2021-10-28-sung-ho-kim"
    assert run("remove", gone, "--yes").exit_code == 0
    _files, items, _written, deleted = build(run, out)
    assert items == 9
    assert deleted == 4 + 1  # the item page; the spotlight page and its three feeds
    assert not (out / f"item/{gone}.html").exists()
    assert not (out / "type/spotlight").exists()
    assert f"item/{gone}.html" not in manifest(out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"  # not the site's file
    pages = check_site(out)
    assert set(sitemap_paths(out)) == set(pages) - {"404.html"}


HOSTILE = '<script>alert(1)</script>"onmouseover=alert(2) x="]]> \u202egnp.exe'


def test_hostile_item_stays_inert(run: Run, news_file: Path, tmp_path: Path) -> None:
    news_file.write_text(
        "version = 1\n"
        f"title = {json.dumps(HOSTILE)}\n"
        "[[items]]\n"
        'id = "2021-10-29-x"\ntype = "news"\n'
        f"title = {json.dumps(HOSTILE)}\ndate = 2021-10-29\n"
        f"summary = {json.dumps(HOSTILE + ' </script><!--')}\n"
        f'tags = [{json.dumps("<b>bold</b>")}, "../../etc", "/", "..", {json.dumps("x" * 300)}]\n',
        encoding="utf-8",
    )
    out = tmp_path / "site"
    build(run, out)
    pages = check_site(out)
    for path, page in pages.items():
        scripts = page.find_all("script")
        assert all(s.get("type") == "application/ld+json" or s.get("src") for s in scripts), path
        for element in page.tree.iter():
            assert not [name for name in element.attrib if name.lower().startswith("on")], path
        raw = (out / path).read_text(encoding="utf-8")
        assert "<script>alert" not in raw
        assert "<b>bold" not in raw
    item = pages["item/2021-10-29-x.html"]
    assert item.text("h1") == [HOSTILE]  # shown as text, exactly
    title = item.text("title")[0]
    assert "\u202e" not in title  # no bidi override in the window title
    ld = next(s for s in item.find_all("script") if s.get("type") == "application/ld+json")
    assert "</script" not in (ld.text or "")
    assert json.loads(ld.text or "")["headline"] == HOSTILE
    for name, path in feed_files(out):
        assert_valid(name, path.read_text(encoding="utf-8"))
    # Odd tags get pages of their own, all inside the output directory.
    tag_dirs = sorted(p.name for p in (out / "tag").iterdir())
    assert len(tag_dirs) == 5
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9._-]*", name) and len(name) <= 80 for name in tag_dirs)
    for path in out.rglob("*"):
        assert path.resolve().is_relative_to(out.resolve())
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["home", "news.toml", "site"]
        + [p.name for p in tmp_path.iterdir() if p.name.startswith("news.toml.")]
    )


def test_javascript_url_is_refused(run: Run, news_file: Path, tmp_path: Path) -> None:
    news_file.write_text(
        'version = 1\n[[items]]\nid = "a"\ntype = "news"\ntitle = "t"\ndate = 2021-10-29\n'
        'url = "javascript:alert(1)"\n',
        encoding="utf-8",
    )
    result = run("site", "--output", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert "url" in result.stderr
    assert "http" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "site").exists()


def test_links_also_work_from_disk(run: Run, seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(run, out)
    for path in ("index.html", "type/news/index.html", "item/2021-10-13-training-by-ilo.html"):
        page = parse_page(out, path)
        for link in page.links:
            if "://" not in link:
                assert link.endswith((".html", ".css", ".js", ".xml", ".json")) or "#" in link, link


def test_pagination_links_and_window(run: Run, big: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(run, out, "--page-size", "100")
    count = len(page_ranges(1000, 100))
    assert count == 10
    front = parse_page(out, "index.html")
    assert [a.get("href") for a in front.find_all("a") if a.get("rel") == "next"] == [
        "page/9/index.html"
    ]
    assert not [a for a in front.find_all("a") if a.get("rel") == "prev"]
    oldest = parse_page(out, "page/1/index.html")
    assert [a.get("href") for a in oldest.find_all("a") if a.get("rel") == "prev"] == [
        "../../page/2/index.html"
    ]
    assert [a.get("aria-current") for a in oldest.find_all("a") if a.text == "1"] == ["page"]


@settings(max_examples=60, deadline=None)
@given(total=st.integers(0, 500), size=st.integers(1, 50))
def test_pages_cover_every_item_once(total: int, size: int) -> None:
    ranges = page_ranges(total, size)
    covered = [n for start, stop in ranges for n in range(start, stop)]
    assert covered == list(range(total))
    assert all(stop - start == size for start, stop in ranges[:-1])
    assert total < size or size <= ranges[-1][1] - ranges[-1][0] < 2 * size
    for number in range(1, len(ranges) + 1):
        window = page_window(number, len(ranges))
        assert number in window
        assert 1 in window
        assert len(ranges) in window


@settings(max_examples=200, deadline=None)
@given(names=st.lists(st.text(min_size=1, max_size=400), min_size=1, max_size=8))
def test_segments_are_safe_and_distinct(names: list[str]) -> None:
    chosen = paths.segments(names)
    assert set(chosen) == set(names)
    assert len(set(chosen.values())) == len(chosen)
    for segment in chosen.values():
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*|x-[0-9a-f]{8}", segment), segment
        assert len(segment) <= paths.MAX_SEGMENT
        assert segment not in (".", "..")


@given(text=st.text(max_size=300))
def test_item_segments_are_plain_file_names(text: str) -> None:
    segment = paths.item_segment(text)
    assert "/" not in segment
    assert "\\" not in segment
    assert ".." not in segment
    assert 0 < len(segment) <= paths.MAX_SEGMENT + 9


@pytest.mark.parametrize("bad", ["../x", "/etc/passwd", "a/../../b", "a//b", "", "a\\b", "./a"])
def test_unsafe_paths_are_refused(tmp_path: Path, bad: str) -> None:
    from coopcli.core.errors import DataError

    with pytest.raises(DataError, match="unsafe path"):
        paths.inside(tmp_path, bad)


def test_symlink_out_of_the_output_is_refused(tmp_path: Path) -> None:
    from coopcli.core.errors import DataError

    (tmp_path / "out").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out" / "item").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(DataError, match="leads outside"):
        paths.inside(tmp_path / "out", "item/x.html")


def test_templates_can_be_overridden(run: Run, seeded: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    (mine / "static").mkdir(parents=True)
    (mine / "item.html").write_text(
        '{% extends "base.html" %}{% block main %}'
        '<h1 class="mine">{{ item.title }}</h1>{% endblock %}',
        encoding="utf-8",
    )
    (mine / "static" / "extra.css").write_text("body{}", encoding="utf-8")
    out = tmp_path / "site"
    build(run, out, "--templates", str(mine))
    page = parse_page(out, "item/2021-10-13-training-by-ilo.html")
    assert [h.get("class") for h in page.find_all("h1")] == ["mine"]
    assert (out / "static" / "extra.css").is_file()
    # Changing a template renders again everything that uses it.
    (mine / "item.html").write_text(
        '{% extends "base.html" %}{% block main %}'
        '<h1 class="changed">{{ item.title }}</h1>{% endblock %}',
        encoding="utf-8",
    )
    assert build(run, out, "--templates", str(mine))[2] >= 10


def test_broken_template_names_file_and_line(run: Run, seeded: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "item.html").write_text("line one\n{% if %}\n", encoding="utf-8")
    result = run("site", "--output", str(tmp_path / "site"), "--templates", str(mine))
    assert result.exit_code == 1
    assert re.search(r"item\.html:2: template error", result.stderr), result.stderr
    missing = run("site", "--output", str(tmp_path / "site"), "--templates", str(tmp_path / "nope"))
    assert missing.exit_code == 2
    assert "--templates" in missing.stderr
    assert "not a directory" in missing.stderr


def test_title_description_and_full(run: Run, seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    build(run, out, "--title", "Co-op news", "--description", "What cooperatives do")
    page = parse_page(out, "index.html")
    assert page.text("h1") == ["Co-op news"]
    assert "What cooperatives do" in page.text("p")
    files, _items, written, _deleted = build(
        run, out, "--title", "Co-op news", "--description", "What cooperatives do", "--full"
    )
    assert written == files


def test_config_section(run: Run, seeded: Path, tmp_path: Path) -> None:
    config = tmp_path / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[site]\noutput = "public"\nbase_url = "https://co-op.example/news/"\n'
        'title = "From the config"\npage_size = 3\nlang = "fr"\n',
        encoding="utf-8",
    )
    result = run("site")
    assert result.exit_code == 0, result.stderr
    out = config.parent / "public"
    page = parse_page(out, "index.html")
    assert page.tree.get("lang") == "fr"
    assert page.text("h1") == ["From the config"]
    assert (out / "page/2/index.html").is_file()
    assert "https://co-op.example/news/" in (out / "sitemap.xml").read_text(encoding="utf-8")
    shown = run("config", "show")
    assert shown.exit_code == 0


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('site = "x"', "'site' must be a table"),
        ("[site]\nspeed = 1", "unknown key 'site.speed'"),
        ('[site]\npage_size = "20"', "'site.page_size' must be an integer"),
        ("[site]\npage_size = 0", "'site.page_size' must be 1 or more"),
        ("[site]\nport = 70000", "'site.port' must be 0 to 65535"),
        ('[site]\nbase_url = "ftp://x"', "'site.base_url' must be an http"),
        ("[site]\ntitle = 3", "'site.title' must be a string"),
    ],
)
def test_bad_config_section(
    run: Run, seeded: Path, tmp_path: Path, table: str, message: str
) -> None:
    config = tmp_path / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(table + "\n", encoding="utf-8")
    result = run("site", "--output", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (tmp_path / "site").exists()


def test_usage_errors(run: Run, seeded: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    for args, message in [
        (["--output", str(tmp_path / "file")], "not a directory"),
        (["--base-url", "javascript:alert(1)"], "--base-url"),
        (["--page-size", "0"], "--page-size"),
    ]:
        result = run("site", *args)
        assert result.exit_code == 2, result.stderr
        assert message in result.stderr


def test_missing_item_file(run: Run, news_file: Path, tmp_path: Path) -> None:
    result = run("site", "--output", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert "no such item file" in result.stderr
    assert not (tmp_path / "site").exists()


def test_no_base_url_warns_and_uses_a_placeholder(run: Run, seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = run("site", "--output", str(out))
    assert result.exit_code == 0
    assert "no base URL" in result.stderr
    assert "https://example.invalid/" in (out / "sitemap.xml").read_text(encoding="utf-8")


def test_sitemap_index_beyond_the_limit(
    run: Run, big: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coopcli.site import pages

    monkeypatch.setattr(pages, "SITEMAP_LIMIT", 400)
    out = tmp_path / "site"
    build(run, out, "--page-size", "200")
    assert (out / "sitemap-1.xml").is_file()
    assert (out / "sitemap-3.xml").is_file()
    assert set(sitemap_paths(out)) == {
        p.relative_to(out).as_posix() for p in out.rglob("*.html")
    } - {"404.html"}


def test_interrupted_build_leaves_a_manifest_that_knows_its_files(
    run: Run, seeded: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from coopcli.site import builder

    out = tmp_path / "site"
    calls = 0
    real = builder.Writer.write

    def failing(self: builder.Writer, path: str, data: str | bytes) -> None:
        nonlocal calls
        calls += 1
        if calls == 10:
            raise KeyboardInterrupt
        real(self, path, data)

    monkeypatch.setattr(builder.Writer, "write", failing)
    result = run("site", "--output", str(out), "--base-url", BASE)
    assert result.exit_code == 130
    monkeypatch.setattr(builder.Writer, "write", real)
    known = manifest(out)
    written = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert written - {".coopcli-site.json"} <= set(known)
    assert not [p for p in written if p.endswith(".tmp")]
    build(run, out)
    check_site(out)


def test_site_help_lists_every_option(run: Run) -> None:
    result = run("site", "--help")
    for option in (
        "--output",
        "--base-url",
        "--title",
        "--description",
        "--templates",
        "--page-size",
        "--serve",
        "--port",
    ):
        assert option in result.stdout
    assert "site" in run("--help").stdout


def test_serve_previews_and_rebuilds(seeded: Path, tmp_path: Path) -> None:
    out = tmp_path / "site"
    with subprocess.Popen(
        [sys.executable, "-m", "coopcli", "site", "--output", str(out), "--serve", "--port", "0"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COOPCLI_FILE": str(seeded)},
    ) as process:
        _check_serving(process, seeded)


def replace_file(path: Path, data: bytes) -> None:
    """Replace ``path`` in one rename, as an editor or coopcli saves it."""
    temporary = path.with_name(path.name + ".new")
    temporary.write_bytes(data)
    os.replace(temporary, path)


def _check_serving(process: subprocess.Popen[str], seeded: Path) -> None:
    try:
        assert process.stderr is not None
        lines = [process.stderr.readline(), process.stderr.readline()]
        assert lines[0].startswith("Built "), lines
        serving = re.search(r"Serving (http://127\.0\.0\.1:(\d+)/)", lines[1])
        assert serving, lines
        url = serving.group(1)
        with urllib.request.urlopen(url + "index.html", timeout=30) as response:
            assert b"ILO sheds light upon" in response.read()
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "no/such/page.html", timeout=30)
        assert missing.value.code == 404
        assert b"Page not found" in missing.value.read()
        # Canonical links point at the preview server.
        with urllib.request.urlopen(url + "item/2021-10-13-training-by-ilo.html", timeout=30) as r:
            assert f'href="{url}item/2021-10-13-training-by-ilo.html"'.encode() in r.read()
        added = subprocess.run(
            [
                sys.executable,
                "-m",
                "coopcli",
                "add",
                "--type",
                "news",
                "--title",
                "Served while you wait",
                "--date",
                "2021-11-02",
            ],
            env={**os.environ, "COOPCLI_FILE": str(seeded)},
            capture_output=True,
            text=True,
            check=True,
        )
        assert added.stdout.strip()
        rebuilt = process.stderr.readline()  # waits for the rebuild's summary line
        assert rebuilt.startswith("Built "), rebuilt
        with urllib.request.urlopen(url + "index.html", timeout=30) as response:
            assert b"Served while you wait" in response.read()
        # A broken file is reported, and the last good site stays up.
        good = seeded.read_bytes()
        replace_file(seeded, good + b"\n[[items]]\nid = 3\n")
        failed = process.stderr.readline()
        assert failed.startswith("Error: "), failed
        assert str(seeded) in failed
        with urllib.request.urlopen(url + "index.html", timeout=30) as response:
            assert b"Served while you wait" in response.read()
        replace_file(seeded, good)
        assert process.stderr.readline().startswith("Built ")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
        rest = process.stderr.read()
        assert rest.strip() == "Stopped serving."
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_serve_on_a_taken_port_is_an_error(run: Run, seeded: Path, tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("site", "--output", str(tmp_path / "site"), "--serve", "--port", str(port))
    assert result.exit_code == 4
    assert f"--port {port}" in result.stderr


def test_example_site_command_in_the_docs_works(tmp_path: Path) -> None:
    docs = (ROOT / "docs" / "site.md").read_text(encoding="utf-8")
    command = re.search(r"```sh\n(coopcli [^\n]*site[^\n]*)\n```", docs)
    assert command, "docs/site.md shows the command that builds the example site"
    assert command.group(1) in (ROOT / "README.md").read_text(encoding="utf-8")
    args = command.group(1).split()[1:]
    args = [str(EXAMPLES / "news.toml") if a == "examples/news.toml" else a for a in args]
    args = [str(tmp_path / "example-site") if a == "examples/site" else a for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "coopcli", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    check_site(tmp_path / "example-site")
    shutil.rmtree(tmp_path / "example-site")
