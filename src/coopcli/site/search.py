"""The search index: every item's words in one compact JSON file for ``search.js``.

Each item is one array ``[path, title, date, type, tag numbers, words]``: ``type``
indexes ``types`` (labels) and ``type_keys``, and tag numbers index ``tags``, so labels
are stored once, and ``words`` holds the summary's distinct words that the title does
not already have, lowercased and without accents, as the script compares them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

import orjson

_WORD = re.compile(r"\w+")
# The combining accents search.js strips too, after the same NFKD decomposition.
_ACCENTS = re.compile("[\u0300-\u036f]")


def fold(text: str) -> str:
    """Lowercase, without accents, as search.js folds a query: ``Ayşe`` finds ``ayse``."""
    if text.isascii():
        return text.lower()
    return _ACCENTS.sub("", unicodedata.normalize("NFKD", text)).lower()


def words(text: str) -> list[str]:
    """The distinct folded words of ``text``, in order."""
    return list(dict.fromkeys(_WORD.findall(fold(text))))


def search_index(entries: Sequence[Mapping[str, Any]], nav: Mapping[str, Any]) -> str:
    """The index of ``entries`` (oldest first) as JSON text, newest item first."""
    types = {t["key"]: n for n, t in enumerate(nav["types"])}
    tags = {t["key"]: n for n, t in enumerate(nav["tags"])}
    rows = []
    for entry in reversed(entries):
        in_title = set(words(entry["title"]))
        extra = [w for w in words(entry["summary"] or "") if w not in in_title]
        rows.append(
            [
                entry["path"],
                entry["title"],
                entry["date"],
                types[entry["type"]],
                [tags[tag["key"]] for tag in entry["tags"]],
                " ".join(extra),
            ]
        )
    document = {
        "version": 1,
        "types": [t["label"] for t in nav["types"]],
        "type_keys": [t["key"] for t in nav["types"]],
        "tags": [t["name"] for t in nav["tags"]],
        "items": rows,
    }
    text: str = orjson.dumps(document).decode("utf-8")
    return text
