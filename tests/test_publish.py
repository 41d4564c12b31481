"""Markdown digest and HTML page: one-way publishing formats, everything escaped."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import html5lib
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from coopcli.core import query
from coopcli.core.models import Item, NewsFile
from coopcli.formats import html as htmlformat
from coopcli.formats import markdown as mdformat
from tests.conftest import Run
from tests.strategies import news_files

NS = {"h": "http://www.w3.org/1999/xhtml"}
SCRIPT = "<script>alert('x')</script> & co"


def _doc(**item: object) -> NewsFile:
    fields: dict[str, object] = {
        "id": "a",
        "type": "news",
        "title": SCRIPT,
        "date": dt.date(2021, 10, 29),
    }
    fields.update(item)
    return NewsFile(title="Our <news>", items=[Item.model_validate(fields)])


def _parse_strict(page: str) -> Any:
    # strict=True raises on every parse error: the page is valid HTML5 syntax.
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=True)
    return parser.parse(page)


def _text(element: object) -> str:
    return "".join(element.itertext())  # type: ignore[attr-defined]


def test_html_page_reads_like_the_listing(run: Run, seeded: Path) -> None:
    result = run("export", "--format", "html")
    assert result.exit_code == 0
    page = result.stdout
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    root = _parse_strict(page)
    assert _text(root.find(".//h:h1", NS)) == "News, stories and statements on cooperatives"
    assert _text(root.find(".//h:title", NS)) == "News, stories and statements on cooperatives"
    entries = root.findall(".//h:ol/h:li", NS)
    assert len(entries) == 10
    first = entries[0]
    assert _text(first.find(".//h:p[@class='type']", NS)) == "News"
    assert _text(first.find(".//h:h2", NS)).strip().startswith("ILO sheds light upon")
    time = first.find(".//h:time", NS)
    assert (time.get("datetime"), _text(time)) == ("2021-10-29", "29 October 2021")
    assert _text(first.find(".//h:p[@class='summary']", NS)).startswith("The two sessions")
    assert root.find(".//h:style", NS) is not None
    assert root.find(".//h:link", NS) is None  # self-contained: no stylesheet to fetch
    assert root.find(".//h:script", NS) is None


def test_html_escapes_script_and_links_titles() -> None:
    doc = _doc(url='https://example.org/a?x=1&y="2"', summary="<b>bold</b>", tags=["<i>"])
    doc.link = "https://example.org/"
    page = htmlformat.export(doc)
    assert "<script>" not in page
    assert "&lt;script&gt;alert('x')&lt;/script&gt; &amp; co" in page
    root = _parse_strict(page)
    assert root.find(".//h:script", NS) is None
    assert root.find(".//h:b", NS) is None
    link = root.find(".//h:h2/h:a", NS)
    assert link.get("href") == 'https://example.org/a?x=1&y="2"'
    assert _text(link) == SCRIPT
    assert _text(root.find(".//h:h1/h:a", NS)) == "Our <news>"
    assert [_text(li) for li in root.findall(".//h:ul[@class='tags']/h:li", NS)] == ["<i>"]


def test_html_empty_list() -> None:
    root = _parse_strict(htmlformat.export(NewsFile()))
    assert _text(root.find(".//h:h1", NS)) == "News"
    assert _text(root.find(".//h:main/h:p", NS)) == "No items."


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=news_files())
def test_html_is_valid_for_any_text(doc: NewsFile) -> None:
    root = _parse_strict(htmlformat.export(doc))
    titles = [" ".join(_text(h2).split()) for h2 in root.findall(".//h:h2", NS)]
    # The order `coopcli list` shows: newest first, a day's items by id.
    expected = query.sort(doc.items)
    assert titles == [" ".join(htmlformat.display(i.title).split()) for i in expected]
    assert root.find(".//h:script", NS) is None


def test_markdown_digest_grouped_by_month(run: Run, seeded: Path) -> None:
    assert run("add", "-t", "story", "--title", "A story", "--date", "2021-11-02").exit_code == 0
    run("edit", "2021-11-02", "--url", "https://example.org/story", "--tag", "x")
    result = run("export", "--format", "markdown", "--since", "2021-10-28")
    assert result.exit_code == 0
    assert result.stdout == (
        "# News, stories and statements on cooperatives\n"
        "\n"
        "## November 2021\n"
        "\n"
        "- **Story**: [A story](<https://example.org/story>) (2 November 2021)\n"
        "  Tags: x\n"
        "\n"
        "## October 2021\n"
        "\n"
        "- **News**: ILO sheds light upon the role of cooperatives in the elimination of child "
        "labour at the Academy on Fundamental Principles and Rights at Work (29 October 2021)\n"
        "  The two sessions organized in the framework of the Academy provided insights of the "
        "ILO\u2019s work with cooperatives toward the elimination of child labour and presented "
        "practical cases of cooperatives that take action to combat child labour.\n"
        "\n"
        "- **Spotlight Interviews with Co-operators**: Sung Ho Kim, International Cooperation "
        "Department, KFCC (28 October 2021)\n"
        "  “Spotlight Interviews with Co-operators” is a series of interviews with cooperative "
        "and wider social and solidarity economy (SSE) policy makers, researchers and "
        "practitioners from around the world with whom ILO officials have crossed paths during "
        "the course of their work. On this occasion, the ILO interviewed Sung Ho Kim from the "
        "International Cooperation Department at KFCC.\n"
        "\n"
        "- **News**: ILO country briefs from the Social and Solidarity Economy project in Asia "
        "(28 October 2021)\n"
    )


def test_markdown_file_suffix(run: Run, seeded: Path, isolated: Path) -> None:
    out = isolated / "digest.md"
    result = run("export", "-o", str(out))
    assert result.stderr == f"Wrote 10 items to {out} (markdown)\n"
    assert out.read_text(encoding="utf-8").startswith("# News, stories")


@pytest.mark.parametrize(
    "text",
    [
        SCRIPT,
        "*not bold* _nor this_ `code` [link](http://x) ![img](y)",
        "# not a heading",
        "- not a list",
        "1. not a list",
        "=====",
        "> not a quote",
        "a | b | c",
        "&amp; stays &amp;",
        "back\\slash \\*",
        "<!-- comment -->",
    ],
)
def test_markdown_shows_text_literally(text: str) -> None:
    md = mdformat.export(_doc(title=text, summary=text))
    rendered = MarkdownIt("commonmark").render(md)
    assert "<script" not in rendered
    assert "<em>" not in rendered
    assert rendered.count("<strong>") == 1  # the type label, nothing else
    assert "<h1>Our &lt;news&gt;</h1>" in rendered
    plain = _visible_text(rendered)
    assert plain.count(text) == 2, plain


def test_markdown_escapes_only_what_markdown_needs() -> None:
    # Punctuation that starts no markup where it stands is left as written.
    for plain in ["(UNTFSSE)", "AT&T", "snake_case", "C#", "1.5 million", "a < b", "50%!"]:
        assert mdformat.escape(plain) == plain
    assert mdformat.escape("*a* [b](c) `d` <i> &amp; _e_") == (
        "\\*a\\* \\[b\\](c) \\`d\\` \\<i> \\&amp; \\_e\\_"
    )
    assert mdformat.escape("# Room #") == "\\# Room \\#"
    assert mdformat.escape("1. first") == "1\\. first"
    assert mdformat.escape("ends in \\") == "ends in \\\\"


def _rendered_text(markdown: str) -> str:
    """The text CommonMark shows for ``markdown``: every tag gone, entities decoded."""
    import html
    import re

    return html.unescape(re.sub(r"<[^>]*>", "", MarkdownIt("commonmark").render(markdown)))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.lists(
        st.one_of(
            st.sampled_from(list("\\`*_[]()<>&#!~|+-=.:;0123456789 aZé")),
            st.sampled_from(["&amp;", "&#65;", "<b>", "</p>", "<!--", "```", "- ", "1. "]),
            st.characters(exclude_categories=("Cs",)),
        ),
        min_size=1,
    )
    .map("".join)
    .filter(lambda t: mdformat.display(t).strip())
)
@example(text="Room #")
@example(text="- - -")
@example(text="1) one")
@example(text="trailing \\")
@example(text="(UNTFSSE) & co")
def test_markdown_renders_back_to_the_same_text(text: str) -> None:
    expected = " ".join(mdformat.display(text).split())
    escaped = mdformat.escape(text)
    # As a heading, a paragraph, and a list item's title and its summary line.
    assert _rendered_text(f"# {escaped}").strip() == expected
    assert _rendered_text(escaped).strip() == expected
    item = _rendered_text(f"- **News**: {escaped} (29 October 2021)\n  {escaped}\n")
    assert item.strip() == f"News: {expected} (29 October 2021)\n{expected}"


def _visible_text(rendered: str) -> str:
    import xml.etree.ElementTree as ET

    root = ET.fromstring(f"<div>{rendered}</div>")
    return "".join(root.itertext())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=news_files())
def test_markdown_renders_every_title_as_text(doc: NewsFile) -> None:
    rendered = MarkdownIt("commonmark").render(mdformat.export(doc))
    plain = _visible_text(rendered)
    for item in doc.items:
        assert " ".join(mdformat.display(item.title).split()) in plain
