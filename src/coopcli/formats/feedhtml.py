"""The text of a feed's HTML, for :func:`coopcli.formats.feeds.html_to_text`.

A module of its own so that reading a feed without markup (a JSON Feed's
``content_text``, coopcli's own escaped summaries) never loads :mod:`html.parser`.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_SKIPPED = frozenset({"script", "style", "template", "noscript", "head", "object", "iframe"})
_BLOCKS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tr",
        "ul",
    ]
)


class _TextExtractor(HTMLParser):
    """Text of an HTML fragment: no markup, no scripts, paragraphs as blank lines."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED:
            self.skipping += 1
        elif tag == "img" and not self.skipping:
            # An image's text equivalent is its alt text, as a text browser shows it.
            alt = dict(attrs).get("alt")
            if alt and alt.strip():
                self.parts.append(" " + " ".join(alt.split()) + " ")
        elif tag == "br":
            self.parts.append("\n")
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(re.sub(r"\s+", " ", data))


def text_parts(value: str) -> list[str]:
    """The pieces of text of an HTML fragment, with paragraph and line breaks."""
    extractor = _TextExtractor()
    extractor.feed(value)
    extractor.close()
    return extractor.parts
