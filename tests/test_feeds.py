"""``coopcli export --format rss|atom|jsonfeed``: valid feeds, metadata, defaults, warnings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import feedparser
import jsonschema
import pytest
from lxml import etree

from coopcli import formats
from coopcli.core.models import Item, NewsFile
from tests.conftest import Run

SCHEMAS = Path(__file__).parent / "schemas"
ATOM_NS = "{http://www.w3.org/2005/Atom}"
LINK = "https://www.ilo.org/coop/news"
FEEDS = ("rss", "atom", "jsonfeed")


def atom_schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(SCHEMAS / "atom.rng")))


def jsonfeed_validator() -> jsonschema.protocols.Validator:
    schema = json.loads((SCHEMAS / "jsonfeed-1.1.schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
    return validator


def assert_valid(name: str, text: str) -> None:
    """The feed is valid: its schema where one exists, and feedparser reads it cleanly."""
    if name == "jsonfeed":
        jsonfeed_validator().validate(json.loads(text))
        return
    data = text.encode("utf-8")
    if name == "atom":
        schema = atom_schema()
        assert schema.validate(etree.fromstring(data)), schema.error_log
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == {"rss": "rss20", "atom": "atom10"}[name]


def export(doc: NewsFile, name: str) -> str:
    text: str = formats.writer(name).export(doc)
    return text


def test_feed_formats_are_registered_for_export_and_import() -> None:
    for name in FEEDS:
        assert name in formats.names(exports=True)
        assert name in formats.names(imports=True)
    assert formats.for_path(Path("news.rss")).name == "rss"  # type: ignore[union-attr]
    assert formats.for_path(Path("news.atom")).name == "atom"  # type: ignore[union-attr]
    assert formats.for_path(Path("a.jsonfeed")).name == "jsonfeed"  # type: ignore[union-attr]
    assert formats.for_path(Path("a.json")).name == "json"  # type: ignore[union-attr]


@pytest.mark.parametrize("name", FEEDS)
def test_example_list_exports_a_valid_feed(run: Run, seeded: Path, name: str) -> None:
    result = run("export", "--format", name, "--feed-link", LINK)
    assert result.exit_code == 0, result.stderr
    assert_valid(name, result.stdout)
    assert len(formats.reader(name).read(result.stdout.encode(), "x").drafts) == 10


def test_rss_channel_and_items(run: Run, seeded: Path) -> None:
    result = run("export", "-F", "rss", "--feed-link", LINK, "--type", "spotlight")
    feed = feedparser.parse(result.stdout.encode())
    assert feed.feed.title == "News, stories and statements on cooperatives"
    assert feed.feed.link == LINK
    [entry] = feed.entries
    assert entry.title == "Sung Ho Kim, International Cooperation Department, KFCC"
    assert entry.published == "Thu, 28 Oct 2021 00:00:00 +0000"
    assert entry.id == f"{LINK}#2021-10-28-sung-ho-kim"
    assert entry.guidislink is False
    assert entry.link == LINK  # no URL of its own: the list's page
    assert [(t.term, t.scheme) for t in entry.tags] == [
        ("Spotlight Interviews with Co-operators", "urn:coopcli:type")
    ]
    root = etree.fromstring(result.stdout.encode())
    assert root.findtext("channel/item/guid") == f"{LINK}#2021-10-28-sung-ho-kim"


def test_atom_feed_and_entries(run: Run, seeded: Path) -> None:
    result = run("export", "-F", "atom", "--feed-link", LINK, "--since", "2021-10-29")
    root = etree.fromstring(result.stdout.encode())
    assert root.findtext(f"{ATOM_NS}id") == LINK
    assert root.findtext(f"{ATOM_NS}updated") == "2021-10-29T00:00:00Z"
    # RFC 4287 4.1.1: a feed without an author needs one in every entry.
    assert root.findtext(f"{ATOM_NS}author/{ATOM_NS}name") == root.findtext(f"{ATOM_NS}title")
    [entry] = root.findall(f"{ATOM_NS}entry")
    assert entry.findtext(f"{ATOM_NS}id") == f"{LINK}#2021-10-29-ilo-sheds-light-upon"
    assert entry.findtext(f"{ATOM_NS}published") == "2021-10-29T00:00:00Z"
    # RFC 4287 4.1.2: an entry without content needs an alternate link.
    assert entry.find(f"{ATOM_NS}link").get("rel") == "alternate"  # type: ignore[union-attr]
    category = entry.find(f"{ATOM_NS}category")
    assert category is not None
    assert dict(category.attrib) == {
        "term": "news",
        "scheme": "urn:coopcli:type",
        "label": "News",
    }


def test_jsonfeed_items(run: Run, seeded: Path) -> None:
    result = run("export", "-F", "jsonfeed", "--feed-link", LINK, "--on", "2021-10-28")
    feed = json.loads(result.stdout)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["home_page_url"] == LINK
    assert [item["date_published"] for item in feed["items"]] == ["2021-10-28T00:00:00Z"] * 2
    assert feed["items"][0]["id"] == f"{LINK}#2021-10-28-sung-ho-kim"
    assert feed["items"][0]["tags"] == ["Spotlight Interviews with Co-operators"]
    assert feed["items"][0]["_coopcli"] == {"type": "spotlight"}


def test_items_are_newest_first_with_stable_ids(run: Run, seeded: Path) -> None:
    first = json.loads(run("export", "-F", "jsonfeed", "--feed-link", LINK).stdout)
    dates = [item["date_published"] for item in first["items"]]
    assert dates == sorted(dates, reverse=True)
    run("add", "--type", "news", "--title", "Later news", "--date", "2021-11-02")
    again = json.loads(run("export", "-F", "jsonfeed", "--feed-link", LINK).stdout)
    assert again["items"][0]["title"] == "Later news"
    assert again["items"][1:] == first["items"]  # nothing else changed, ids included


@pytest.mark.parametrize("name", FEEDS)
def test_item_url_is_the_entry_link(name: str) -> None:
    doc = NewsFile(
        title="T",
        link=LINK,
        items=[
            Item(
                id="a",
                type="story",
                title="A",
                date="2021-01-02",  # type: ignore[arg-type]
                url="https://e.org/a?x=1&y=2",
                tags=["peru", "coffee"],
            )
        ],
    )
    text = export(doc, name)
    assert_valid(name, text)
    draft = formats.reader(name).read(text.encode(), f"feed.{name}").drafts[0]
    assert draft.url == "https://e.org/a?x=1&y=2"
    assert draft.tags == ["peru", "coffee"]
    assert draft.type in ("story", "Story")
    assert draft.id == "a"


@pytest.mark.parametrize("name", FEEDS)
def test_file_metadata_is_used(run: Run, news_file: Path, name: str) -> None:
    news_file.write_text(
        'version = 1\ntitle = "Coop news"\nlink = "https://coop.example.org/"\n'
        'description = "All about co-operatives"\nitems = []\n',
        encoding="utf-8",
    )
    result = run("export", "-F", name)
    assert result.exit_code == 0
    assert result.stderr == ""
    assert_valid(name, result.stdout)
    read = formats.reader(name).read(result.stdout.encode(), "x")
    assert (read.title, read.link, read.description) == (
        "Coop news",
        "https://coop.example.org/",
        "All about co-operatives",
    )


@pytest.mark.parametrize("name", FEEDS)
def test_flags_override_file_metadata(run: Run, seeded: Path, name: str) -> None:
    result = run("export", "-F", name, "--feed-title", "Our feed", "--feed-link", LINK)
    read = formats.reader(name).read(result.stdout.encode(), "x")
    assert (read.title, read.link) == ("Our feed", LINK)


def test_flags_apply_to_the_item_file_export_too(run: Run, seeded: Path) -> None:
    result = run("export", "-F", "json", "--feed-title", "Renamed", "--feed-link", LINK)
    data = json.loads(result.stdout)
    assert (data["title"], data["link"]) == ("Renamed", LINK)
    assert "Renamed" not in seeded.read_text(encoding="utf-8")  # the file is untouched


def test_bad_feed_link_is_a_usage_error(run: Run, seeded: Path) -> None:
    result = run("export", "-F", "rss", "--feed-link", "ftp://x.org/")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: --feed-link 'ftp://x.org/': must be an http:// or https:// URL\n"
    )
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "rss",
            "Warning: rss: the list has no title or link or description; using title 'News', "
            "link 'https://example.invalid/', description 'News' (set them in the item file "
            "or pass --feed-title and --feed-link)\n",
        ),
        (
            "atom",
            "Warning: atom: the list has no title or link; using title 'News', "
            "link 'https://example.invalid/' (set them in the item file "
            "or pass --feed-title and --feed-link)\n",
        ),
        (
            "jsonfeed",
            "Warning: jsonfeed: the list has no title or link; using title 'News', "
            "link 'https://example.invalid/' (set them in the item file "
            "or pass --feed-title and --feed-link)\n",
        ),
    ],
)
def test_missing_metadata_warns_once_and_uses_defaults(
    run: Run, news_file: Path, name: str, expected: str
) -> None:
    run("add", "--type", "news", "--title", "Only item", "--date", "2021-10-01")
    result = run("export", "-F", name)
    assert result.exit_code == 0
    assert result.stderr == expected
    assert_valid(name, result.stdout)
    assert formats.reader(name).read(result.stdout.encode(), "x").title == "News"


def test_description_alone_missing_warns_about_the_file(run: Run, seeded: Path) -> None:
    result = run("export", "-F", "rss", "--feed-link", LINK)
    assert result.stderr == (
        "Warning: rss: the list has no description; using description "
        "'News, stories and statements on cooperatives' (set it in the item file)\n"
    )


def test_flags_silence_the_warning(run: Run, news_file: Path) -> None:
    run("add", "--type", "news", "--title", "Only item", "--date", "2021-10-01")
    result = run("export", "-F", "atom", "--feed-title", "T", "--feed-link", LINK)
    assert result.stderr == ""


def test_other_formats_do_not_warn(run: Run, news_file: Path) -> None:
    run("add", "--type", "news", "--title", "Only item", "--date", "2021-10-01")
    assert run("export", "-F", "json").stderr == ""


@pytest.mark.parametrize("name", FEEDS)
def test_empty_list_is_a_valid_feed(run: Run, news_file: Path, name: str) -> None:
    news_file.write_text("version = 1\n")
    result = run("export", "-F", name, "--feed-title", "Empty", "--feed-link", LINK)
    assert result.exit_code == 0
    assert_valid(name, result.stdout)


@pytest.mark.parametrize("suffix", [".rss", ".atom", ".jsonfeed"])
def test_output_suffix_chooses_the_feed(
    run: Run, seeded: Path, isolated: Path, suffix: str
) -> None:
    out = isolated / f"feed{suffix}"
    result = run("export", "-o", str(out), "--feed-link", LINK)
    assert result.exit_code == 0
    assert result.stderr.endswith(f"Wrote 10 items to {out} ({suffix[1:]})\n")
    assert_valid(suffix[1:], out.read_text(encoding="utf-8"))


HOSTILE = (
    "<script>alert('x')</script> & ]]> <![CDATA[ x ]]> \x00\x01\x07\x08\x0b\x0c\x0e\x1f"
    " \x7f\x85\x9f \ufffe\uffff tab\there 😀 Ĳ \u202e rtl &amp; &lt;b&gt;"
)


def hostile_doc() -> NewsFile:
    return NewsFile(
        title=f"Title {HOSTILE}",
        link=LINK,
        description=f"Description {HOSTILE}",
        items=[
            Item(
                id="hostile",
                type="news",
                title=f"Item {HOSTILE}",
                date="2021-10-29",  # type: ignore[arg-type]
                summary=f"Summary {HOSTILE}\nline two",
                tags=["<b>tag</b> & ]]>", "emoji 😀", "quote \" ' \u202e"],
            )
        ],
    )


CONTROLS = [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
CLEAN = HOSTILE.translate(dict.fromkeys(CONTROLS))
CLEAN = CLEAN.replace("\ufffe", "").replace("\uffff", "")


@pytest.mark.parametrize("name", FEEDS)
def test_hostile_text_still_yields_a_valid_feed(name: str) -> None:
    text = export(hostile_doc(), name)
    assert_valid(name, text)
    if name != "jsonfeed":  # JSON Feed text fields are plain text by definition
        assert "<script>" not in text  # never live markup
    result = formats.reader(name).read(text.encode("utf-8"), "hostile")
    [draft] = result.drafts
    expected = HOSTILE if name == "jsonfeed" else CLEAN
    assert draft.title == f"Item {expected}"
    assert draft.summary == f"Summary {expected}\nline two"
    assert result.title == f"Title {expected}"
    assert "emoji 😀" in draft.tags


def test_hostile_rss_summary_is_escaped_html() -> None:
    root = etree.fromstring(export(hostile_doc(), "rss").encode())
    description = root.findtext("channel/item/description")
    assert description is not None
    assert description.startswith("Summary &lt;script&gt;alert('x')&lt;/script&gt; &amp; ]]&gt;")


def test_hostile_feed_through_the_cli(run: Run, news_file: Path) -> None:
    result = run(
        "add", "--type", "news", "--title", "Bad <b> & ]]> \x01 title", "--date", "2021-10-01"
    )
    assert result.exit_code == 0
    for name in FEEDS:
        out = run("export", "-F", name, "--feed-title", "<T> & ]]>", "--feed-link", LINK)
        assert out.exit_code == 0
        assert_valid(name, out.stdout)


def _atom_entry(text: str) -> dict[str, Any]:
    parsed = feedparser.parse(text.encode())
    entry: dict[str, Any] = parsed.entries[0]
    return entry


def test_atom_text_constructs_are_plain_text() -> None:
    entry = _atom_entry(export(hostile_doc(), "atom"))
    assert entry["title_detail"]["type"] == "text/plain"
    assert entry["summary_detail"]["type"] == "text/plain"


# The two example documents of RFC 4287 section 1.1: the schema must accept them.
RFC_EXAMPLES = [
    """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Example Feed</title>
  <link href="http://example.org/"/>
  <updated>2003-12-13T18:30:02Z</updated>
  <author><name>John Doe</name></author>
  <id>urn:uuid:60a76c80-d399-11d9-b93C-0003939e0af6</id>
  <entry>
    <title>Atom-Powered Robots Run Amok</title>
    <link href="http://example.org/2003/12/13/atom03"/>
    <id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>
    <updated>2003-12-13T18:30:02Z</updated>
    <summary>Some text.</summary>
  </entry>
</feed>""",
    """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title type="text">dive into mark</title>
  <subtitle type="html">
    A &lt;em&gt;lot&lt;/em&gt; of effort went into making this effortless
  </subtitle>
  <updated>2005-07-31T12:29:29Z</updated>
  <id>tag:example.org,2003:3</id>
  <link rel="alternate" type="text/html" hreflang="en" href="http://example.org/"/>
  <link rel="self" type="application/atom+xml" href="http://example.org/feed.atom"/>
  <rights>Copyright (c) 2003, Mark Pilgrim</rights>
  <generator uri="http://www.example.com/" version="1.0">Example Toolkit</generator>
  <entry>
    <title>Atom draft-07 snapshot</title>
    <link rel="alternate" type="text/html" href="http://example.org/2005/04/02/atom"/>
    <link rel="enclosure" type="audio/mpeg" length="1337"
          href="http://example.org/audio/ph34r_my_podcast.mp3"/>
    <id>tag:example.org,2003:3.2397</id>
    <updated>2005-07-31T12:29:29Z</updated>
    <published>2003-12-13T08:29:29-04:00</published>
    <author>
      <name>Mark Pilgrim</name>
      <uri>http://example.org/</uri>
      <email>f8dy@example.com</email>
    </author>
    <contributor><name>Sam Ruby</name></contributor>
    <contributor><name>Joe Gregorio</name></contributor>
    <content type="xhtml" xml:lang="en" xml:base="http://diveintomark.org/">
      <div xmlns="http://www.w3.org/1999/xhtml">
        <p><i>[Update: The Atom draft is finished.]</i></p>
      </div>
    </content>
  </entry>
</feed>""",
]


@pytest.mark.parametrize("document", RFC_EXAMPLES)
def test_atom_schema_accepts_the_rfc_examples(document: str) -> None:
    schema = atom_schema()
    assert schema.validate(etree.fromstring(document.encode())), schema.error_log


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("<id>urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a</id>", ""),  # entry without id
        ("<updated>2003-12-13T18:30:02Z</updated>\n    <summary>", "<summary>"),  # no updated
        ("2003-12-13T18:30:02Z</updated>\n  <author>", "13 Dec 2003</updated>\n  <author>"),
        ("<summary>Some text.</summary>", '<summary type="markdown">Some text.</summary>'),
        ('<link href="http://example.org/"/>', "<link>http://example.org/</link>"),
    ],
)
def test_atom_schema_rejects_broken_documents(old: str, new: str) -> None:
    document = RFC_EXAMPLES[0]
    assert old in document
    assert not atom_schema().validate(etree.fromstring(document.replace(old, new, 1).encode()))


@pytest.mark.parametrize(
    "change",
    [
        lambda feed: feed.pop("version"),
        lambda feed: feed["items"][0].pop("content_text"),
        lambda feed: feed["items"][0].update(date_published="29 October 2021"),
        lambda feed: feed.update(unknown_key=1),
    ],
)
def test_jsonfeed_schema_rejects_broken_feeds(change: Any) -> None:
    doc = NewsFile(
        title="T",
        items=[Item(id="a", type="news", title="A", date="2021-10-29")],  # type: ignore[arg-type]
    )
    feed = json.loads(export(doc, "jsonfeed"))
    jsonfeed_validator().validate(feed)
    change(feed)
    with pytest.raises(jsonschema.ValidationError):
        jsonfeed_validator().validate(feed)


def test_config_feed_defaults_fill_what_the_file_lacks(
    run: Run, seeded: Path, isolated: Path
) -> None:
    config = isolated / "home" / ".config" / "coopcli" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[feed]\ntitle = "Config title"\nlink = "https://config.example.org/news"\n',
        encoding="utf-8",
    )
    result = run("export", "--format", "atom")
    assert result.exit_code == 0, result.stderr
    parsed = feedparser.parse(result.stdout)
    # The example file has its own title, which wins; it has no link, so the config's is used.
    assert parsed.feed.title != "Config title"
    assert parsed.feed.link == "https://config.example.org/news"
    assert "link" not in result.stderr
    flagged = run("export", "--format", "atom", "--feed-link", "https://flag.example.org/")
    assert feedparser.parse(flagged.stdout).feed.link == "https://flag.example.org/"
