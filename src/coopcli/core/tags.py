"""Tag hygiene: counts, renaming and merging tags, and an optional vocabulary.

Tags compare without regard to case (``Asia`` and ``asia`` are one tag), as
everywhere else in coopcli. A list may declare its vocabulary in the item file, a
``[tags]`` table of allowed tags with a label each::

    [tags]
    asia = "Asia and the Pacific"
    sse = "Social and solidarity economy"

Once it has one, ``add`` and ``edit`` refuse any other tag (suggesting the nearest
allowed one), and ``check`` reports items that use one. Without it, any tag goes.
Pure functions: no files, no Pydantic.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from coopcli.core.errors import UsageError
from coopcli.core.rules import clean_tags


class Tagged(Protocol):
    """What tag hygiene needs of an item."""

    @property
    def id(self) -> str: ...
    @property
    def tags(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class TagCount:
    """One tag, how many items use it, and its label in the vocabulary (if any)."""

    tag: str
    count: int
    label: str | None = None

    def to_json(self) -> dict[str, object]:
        """The tag for ``--format json``."""
        return {"tag": self.tag, "count": self.count, "label": self.label}


def count_tags(
    items: Iterable[Tagged], vocabulary: Mapping[str, str] | None = None
) -> list[TagCount]:
    """Every tag with its count, most used first (then by name).

    A tag is shown as most items spell it; vocabulary tags no item uses yet are
    listed with a count of 0, so the whole vocabulary is visible.
    """
    spellings: dict[str, dict[str, int]] = {}
    for item in items:
        for tag in item.tags:
            forms = spellings.setdefault(tag.casefold(), {})
            forms[tag] = forms.get(tag, 0) + 1
    labels = {key.casefold(): (key, label) for key, label in (vocabulary or {}).items()}
    counts = []
    for key, forms in spellings.items():
        spelling = max(forms, key=lambda form: (forms[form], form))
        entry = labels.get(key)
        counts.append(TagCount(spelling, sum(forms.values()), entry[1] if entry else None))
    for key, (tag, label) in labels.items():
        if key not in spellings:
            counts.append(TagCount(tag, 0, label))
    return sorted(counts, key=lambda c: (-c.count, c.tag.casefold(), c.tag))


@dataclass(frozen=True)
class Retag:
    """One item whose tags a rename or merge changes."""

    id: str
    before: tuple[str, ...]
    after: tuple[str, ...]


def retag(items: Iterable[Tagged], sources: Sequence[str], target: str) -> list[Retag]:
    """What replacing every tag in ``sources`` by ``target`` changes, item by item.

    The target takes the place of the first source tag in each item's list; an item
    that already has the target (or several sources) keeps it once.
    """

    cleaned = clean_tags([target])
    if not cleaned:
        raise UsageError(f"{target!r} is not a tag (a tag cannot be empty or contain ',' or ';')")
    new = cleaned[0]
    wanted = {tag.strip().casefold() for tag in sources}
    changes: list[Retag] = []
    for item in items:
        if not any(tag.casefold() in wanted for tag in item.tags):
            continue
        after: list[str] = []
        for tag in item.tags:
            replacement = new if tag.casefold() in wanted else tag
            if replacement.casefold() not in {t.casefold() for t in after}:
                after.append(replacement)
        if tuple(after) != tuple(item.tags):
            changes.append(Retag(item.id, tuple(item.tags), tuple(after)))
    return changes


def nearest(tag: str, vocabulary: Iterable[str]) -> str | None:
    """The allowed tag closest in spelling to ``tag`` (None when nothing is close)."""
    allowed = list(vocabulary)
    folded = {key.casefold(): key for key in allowed}
    found = difflib.get_close_matches(tag.casefold(), list(folded), n=1, cutoff=0.6)
    return folded[found[0]] if found else None


def unknown_tags(tags: Iterable[str], vocabulary: Mapping[str, str]) -> list[str]:
    """The tags that the vocabulary does not allow (none when there is no vocabulary)."""
    if not vocabulary:
        return []
    allowed = {key.casefold() for key in vocabulary}
    return [tag for tag in tags if tag.casefold() not in allowed]


def unknown_tag_message(tag: str, vocabulary: Mapping[str, str]) -> str:
    """``tag 'Asai' is not in the list's vocabulary (did you mean 'asia'?)``."""
    suggestion = nearest(tag, vocabulary)
    hint = (
        f"did you mean {suggestion!r}?"
        if suggestion
        else f"allowed: {', '.join(sorted(vocabulary, key=str.casefold)[:10])}"
        + (", …" if len(vocabulary) > 10 else "")
    )
    return f"tag {tag!r} is not in the list's vocabulary ({hint})"


def check_vocabulary(tags: Iterable[str], vocabulary: Mapping[str, str]) -> None:
    """Refuse a tag the vocabulary does not allow, suggesting the nearest one."""
    unknown = unknown_tags(tags, vocabulary)
    if unknown:
        raise UsageError(unknown_tag_message(unknown[0], vocabulary))


def retag_vocabulary(
    vocabulary: Mapping[str, str], sources: Sequence[str], target: str
) -> dict[str, str]:
    """The vocabulary after replacing ``sources`` by ``target`` (unchanged when empty).

    The target keeps its own entry if it has one; otherwise it takes the label of
    the first source in the vocabulary. A target the vocabulary cannot name (no
    entry, and no source to take one from) is refused, since items could not use it.
    """
    if not vocabulary:
        return dict(vocabulary)
    wanted = {tag.strip().casefold() for tag in sources}
    key = target.strip()
    existing = next((k for k in vocabulary if k.casefold() == key.casefold()), None)
    inherited = next((v for k, v in vocabulary.items() if k.casefold() in wanted), None)
    if existing is None and inherited is None:
        raise UsageError(unknown_tag_message(key, vocabulary))
    kept = {
        k: v
        for k, v in vocabulary.items()
        if k.casefold() not in wanted or k.casefold() == key.casefold()
    }
    if existing is None:
        assert inherited is not None
        kept[key] = inherited
    return kept
