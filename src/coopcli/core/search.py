"""The search engine: what ``coopcli search`` understands and how it ranks.

Pure functions over :class:`~coopcli.core.view.ItemView` values: no I/O, no Rich, no
Pydantic. Text is *folded* before it is compared (case-folded, accents removed,
curly quotes made straight), so ``turunc`` finds "Turunç" and ``cooperation`` finds
"coopération". Words match on word boundaries with light English stemming: a query
word is cut to its root (``sessions`` → ``session``, ``meeting`` → ``meet``) and
matches every word that begins with that root.

The index keeps the same folded text of every item (:func:`fold` is the index's
fold too), so :func:`required_substrings` can tell SQLite which rows could match at
all, and only those rows are read and scored here.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from coopcli.core.errors import UsageError

if TYPE_CHECKING:
    from coopcli.core.view import ItemView

    ItemT = TypeVar("ItemT", bound=ItemView)

#: Fields a query word can be scoped to (``title:ilo``), and their aliases.
SCOPES = {
    "title": "title",
    "summary": "summary",
    "tag": "tag",
    "tags": "tag",
    "type": "type",
    "url": "url",
}
#: Fields an unscoped word is looked for in.
DEFAULT_FIELDS = ("title", "summary", "tag")
#: How much a hit in each field counts (BM25F field weights): a title hit is worth more.
WEIGHTS = {"title": 4.0, "summary": 1.0, "tag": 2.0, "type": 1.0, "url": 0.5}
_K1 = 1.2
_B = 0.75

_QUOTES = {
    0x2018: "'",
    0x2019: "'",
    0x201A: "'",
    0x201B: "'",
    0x2032: "'",
    0x02BC: "'",
    0x00B4: "'",
    0x201C: '"',
    0x201D: '"',
    0x201E: '"',
    0x201F: '"',
    0x2033: '"',
    0x00AB: '"',
    0x00BB: '"',
}


class _Marks(dict[int, "str | None"]):
    """A ``str.translate`` table that drops combining marks, learnt one character at a time.

    Looking a character up the first time asks :mod:`unicodedata`; after that the
    answer is a dictionary hit inside ``str.translate``'s C loop, so folding a long
    text costs no Python-level loop per character.
    """

    def __missing__(self, codepoint: int) -> str | None:
        value = None if unicodedata.combining(chr(codepoint)) else chr(codepoint)
        self[codepoint] = value
        return value


_TABLE = _Marks(_QUOTES)


def fold(text: str) -> str:
    """Text as searching compares it: case-folded, accents dropped, quotes made straight.

    ASCII text (most text) takes a fast path. Folding is idempotent.
    """
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text).translate(_TABLE).casefold()
    # Case folding can itself produce characters that decompose further (rare).
    return unicodedata.normalize("NFKD", decomposed).translate(_TABLE)


_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The folded words of ``text``."""
    return _WORD.findall(fold(text))


_SUFFIXES = ("ies", "ing", "ed", "es", "s", "y")


def root(word: str) -> str:
    """A folded word's root: a prefix of it, shared by its usual English forms.

    ``sessions`` → ``session``, ``meeting`` → ``meet``, ``policies`` → ``polic``;
    words of three letters or fewer stay whole. A final ``e`` stays (``untfse`` is
    not ``untfs…``), so ``organize`` finds "organized" but not "organizing".
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    for suffix in _SUFFIXES:
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3:
            if suffix == "s" and stem.endswith(("s", "u", "i")):
                continue  # "class", "status", "analysis" are not plurals
            return stem
    return word


def _word_pattern(word: str, *, first: bool = False) -> str:
    stem = root(word)
    # The pattern starts with the literal root, so the regex engine can skip ahead to
    # it; the word boundary before it is checked by a look-behind placed after it.
    literal = re.escape(stem)
    start = literal + (f"(?<!\\w{literal})" if first else "")
    if stem != word or len(word) > 3:
        return start + r"\w*"
    # Short words ("un", "ilo") match themselves and their plural, not every longer word.
    return start + r"(?:s|es)?(?!\w)"


@dataclass(frozen=True)
class Term:
    """One thing the query looks for: a word, a phrase, or a regular expression."""

    text: str
    #: Folded words (one for a word, several for a phrase); empty for a regex.
    words: tuple[str, ...]
    #: The field it is scoped to, or None for title, summary and tags.
    scope: str | None = None
    pattern: re.Pattern[str] = field(default=re.compile(""), compare=False)
    #: True for ``--regex``: matched against the text as written, not folded.
    regex: bool = False

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields this term is looked for in."""
        return DEFAULT_FIELDS if self.scope is None else (self.scope,)


def _term(text: str, scope: str | None) -> Term | None:
    found = words(text)
    if not found:
        return None
    if scope == "url":
        # URLs are not prose: any folded substring will do.
        return Term(text, (fold(text.strip()),), scope, re.compile(re.escape(fold(text.strip()))))
    # Words of a phrase are apart by anything but letters (or the separator of
    # count_column, so that a phrase never runs from one item into the next).
    body = r"[^\w\x00]+".join(_word_pattern(word, first=n == 0) for n, word in enumerate(found))
    return Term(text, tuple(found), scope, re.compile(body))


@dataclass(frozen=True)
class SearchQuery:
    """A parsed query: terms that must (or, with ``any``, may) match, and exclusions."""

    terms: tuple[Term, ...] = ()
    excluded: tuple[Term, ...] = ()
    match_any: bool = False

    def describe(self) -> str:
        """The query as the caption shows it."""
        parts = [_show(term) for term in self.terms]
        text = (" or " if self.match_any else " ").join(parts)
        for term in self.excluded:
            text += f" -{_show(term)}"
        return text.strip()


def _show(term: Term) -> str:
    if term.regex:
        return f"/{term.text}/"
    body = " ".join(term.words)
    if len(term.words) > 1 and term.scope != "url":
        body = f'"{body}"'
    return f"{term.scope}:{body}" if term.scope else body


_TOKEN = re.compile(r'(-?)(?:([A-Za-z]+):)?(?:"([^"]*)"?|(\S+))')


def parse_query(
    args: Sequence[str],
    *,
    match_any: bool = False,
    exclude: Sequence[str] = (),
    regex: Sequence[str] = (),
    spaces_make_phrases: bool = True,
) -> SearchQuery:
    """Understand the words typed after ``search``.

    ``word`` must match; ``"two words"`` is a phrase; ``-word`` excludes;
    ``title:word`` (also ``summary:``, ``tag:``, ``type:``, ``url:``) looks in one
    field. An argument with spaces and no quotes (``search "social solidarity"``)
    is a phrase too, unless ``spaces_make_phrases`` is False (for a query given as
    one string, like ``export --query``). Raises :class:`UsageError` for an empty
    query or a bad regex.
    """
    terms: list[Term] = []
    excluded: list[Term] = []
    typed = [(arg, False) for arg in args] + [(text, True) for text in exclude]
    for arg, exclusion in typed:
        text = arg.translate(_QUOTES).strip()
        if (spaces_make_phrases or exclusion) and " " in text and not any_syntax(text):
            text = f'"{text}"'
        for match in _TOKEN.finditer(text):
            minus, scope_name, phrase, word = match.groups()
            scope = SCOPES.get(scope_name.lower()) if scope_name else None
            body = phrase if phrase is not None else word
            if scope_name and scope is None:
                body = f"{scope_name}:{body}"
            term = _term(body, scope)
            if term is not None:
                (excluded if minus or exclusion else terms).append(term)
    for pattern in regex:
        try:
            compiled = re.compile(pattern, re.IGNORECASE)
        except re.error as exc:
            raise UsageError(f"bad --regex {pattern!r}: {exc}") from None
        terms.append(Term(pattern, (), None, compiled, regex=True))
    if not terms and not excluded:
        raise UsageError('nothing to search for: give a word, a "phrase" or --regex')
    return SearchQuery(tuple(terms), tuple(excluded), match_any)


def any_syntax(text: str) -> bool:
    """Whether a typed argument uses query syntax (quotes, ``-word``, ``field:``)."""
    return '"' in text or text.startswith("-") or bool(re.search(r"(^|\s)-|\w:", text))


def required_substrings(query: SearchQuery) -> tuple[str, ...]:
    """Folded substrings that every matching item's folded title, summary and tags hold.

    Safe for the index to filter on before any scoring: each is the root of a
    required word, and every word that matches it begins with that root.
    Empty with ``any`` (no single word is required).
    """
    if query.match_any and len(query.terms) > 1:
        return ()
    return tuple(sorted({root(word) for term in _indexed(query.terms) for word in term.words}))


def any_substrings(query: SearchQuery) -> tuple[str, ...]:
    """With ``any``: substrings of which every matching item holds at least one (or ())."""
    if not (query.match_any and len(query.terms) > 1):
        return ()
    if any(term not in _indexed(query.terms) for term in query.terms):
        return ()  # a regex, type: or url: term can match what the text does not hold
    return tuple(sorted({root(term.words[0]) for term in query.terms}))


def _indexed(terms: Iterable[Term]) -> list[Term]:
    return [t for t in terms if not t.regex and t.scope not in ("type", "url")]


class Hit(NamedTuple):
    """One found item and its score (see :func:`spans` for where it matched)."""

    item: ItemView
    score: float


def _column(items: Sequence[ItemView], labels: Mapping[str, str], name: str) -> list[str]:
    """One field of every item, as text (tags one a line, a type with its label)."""
    if name == "title":
        return [item.title for item in items]
    if name == "summary":
        return [item.summary or "" for item in items]
    if name == "tag":
        return ["\n".join(item.tags) for item in items]
    if name == "type":
        return [f"{item.type}\n{labels.get(item.type, '')}" for item in items]
    return [item.url or "" for item in items]


def search(
    items: Iterable[ItemView],
    query: SearchQuery,
    *,
    labels: Mapping[str, str] | None = None,
    total: int | None = None,
) -> list[Hit]:
    """The items that match ``query``, best first (then newest first, then by id).

    The score is BM25F: each term's hits are weighted by field (title above tags
    above summary), normalised by field length, saturated, and multiplied by the
    term's rarity. A term found in the title also earns its full rarity once more,
    so a title hit ranks above any number of summary-only hits. ``total`` is the
    size of the whole list (for rarity) when ``items`` are only candidates.
    """
    items = list(items)
    ranking = Ranking(query, labels=labels, total=total)
    ranking.add(items)
    return [Hit(items[ranking.places[k]], score) for k, score in ranking.ranked()]


def matching(
    items: Sequence[ItemT], query: SearchQuery, *, labels: Mapping[str, str] | None = None
) -> list[ItemT]:
    """The items that match ``query``, in their own order (no ranking needed)."""
    return [items[i] for i in _Tally(items, query, labels or {}).picked]


class _Tally:
    """One batch of candidates: which match, and for those, each term's count in each
    field and each field's length (what a score is made of)."""

    def __init__(self, items: Sequence[ItemView], query: SearchQuery, labels: Mapping[str, str]):
        names = sorted({name for term in (*query.terms, *query.excluded) for name in term.fields})
        columns = {name: _column(items, labels, name) for name in names}
        counted: dict[tuple[Term, str], list[int]] = {}
        for term in (*query.terms, *query.excluded):
            for name in term.fields:
                if (term, name) not in counted:
                    counted[term, name] = count_column(term, columns[name])
        allowed = [True] * len(items)
        for term in query.excluded:
            for name in term.fields:
                allowed = [ok and not n for ok, n in zip(allowed, counted[term, name], strict=True)]
        # Which items hold each term (in any of its fields), then which items match.
        holds = [
            [
                any(found)
                for found in zip(*(counted[term, name] for name in term.fields), strict=True)
            ]
            for term in query.terms
        ]
        if not query.terms:
            chosen = allowed
        else:
            combine = any if query.match_any else all
            chosen = [
                ok and combine(row)
                for ok, row in zip(allowed, zip(*holds, strict=True), strict=True)
            ]
        #: Positions (in the batch) of the items that match.
        self.picked = [i for i, ok in enumerate(chosen) if ok]
        every = len(self.picked) == len(items)

        def only_picked(values: list[int]) -> list[int]:
            return values if every else [values[i] for i in self.picked]

        #: Of the matching items: each term's count in each of its fields…
        self.counts = {
            (term, name): only_picked(counted[term, name])
            for term in query.terms
            for name in term.fields
        }
        #: … and each searched field's length.
        self.lengths = {name: only_picked(list(map(len, columns[name]))) for name in names}


class Ranking:
    """Scores candidates given a batch at a time, keeping only numbers for each match.

    :meth:`add` takes each batch (in any order); :meth:`ranked` then gives the
    matches best first. What is kept of a match is its place, date, id, and the
    counts and lengths its score is made of, never the item: a search that most
    items match holds a few numbers each, not the items' text.
    """

    def __init__(
        self,
        query: SearchQuery,
        *,
        labels: Mapping[str, str] | None = None,
        total: int | None = None,
    ) -> None:
        self._query = query
        self._labels = labels or {}
        self._total = total
        self._seen = 0
        #: Of each match: its place among all the candidates given, date (ordinal) and id.
        self.places: list[int] = []
        self.dates: list[int] = []
        self.ids: list[str] = []
        self._counts: dict[tuple[Term, str], list[int]] = {
            (term, name): [] for term in query.terms for name in term.fields
        }
        self._lengths: dict[str, list[int]] = {}

    def add(self, items: Sequence[ItemView]) -> list[int]:
        """Tally a batch of candidates; the positions (in the batch) of those that match."""
        tally = _Tally(items, self._query, self._labels)
        self.places += [self._seen + i for i in tally.picked]
        self._seen += len(items)
        self.dates += [items[i].date.toordinal() for i in tally.picked]
        self.ids += [items[i].id for i in tally.picked]
        for key, values in tally.counts.items():
            self._counts[key] += values
        for name, values in tally.lengths.items():
            self._lengths.setdefault(name, []).extend(values)
        return tally.picked

    def __len__(self) -> int:
        return len(self.places)

    def scores(self) -> list[float]:
        """Each match's score (rounded to four places), in the order they were added."""
        count = len(self.places)
        if not count:
            return []
        n_items = max(self._total or 0, self._seen, 1)
        lengths = self._lengths
        average = {name: max(sum(values) / count, 1.0) for name, values in lengths.items()}
        # BM25F, a whole column at a time: list comprehensions rather than a loop per item.
        scores = [0.0] * count
        for term in self._query.terms:
            columns = (self._counts[term, name] for name in term.fields)
            held = [any(found) for found in zip(*columns, strict=True)]
            df = sum(held)
            rarity = math.log(1 + (n_items - df + 0.5) / (df + 0.5))
            weighted = [0.0] * count
            for name in term.fields:
                counts = self._counts[term, name]
                weight, avg = WEIGHTS[name], average[name]
                weighted = [
                    w + weight * c / (1 - _B + _B * length / avg) if c else w
                    for w, c, length in zip(weighted, counts, lengths[name], strict=True)
                ]
                if name == "title":
                    scores = [
                        score + rarity if c else score
                        for score, c in zip(scores, counts, strict=True)
                    ]
            scores = [
                score + rarity * w / (_K1 + w) for score, w in zip(scores, weighted, strict=True)
            ]
        return [round(score, 4) for score in scores]

    def ranked(self) -> list[tuple[int, float]]:
        """The matches best first (then newest first, then by id): each one's number
        (its index in :attr:`places`, :attr:`dates` and :attr:`ids`) and its score."""
        scores = self.scores()
        dates, ids = self.dates, self.ids
        order = sorted(range(len(scores)), key=lambda k: (-scores[k], -dates[k], ids[k]))
        return [(k, scores[k]) for k in order]


_SEPARATOR = "\x00"
_MARK = "\x01"
_CHUNK = 4096


def count_column(term: Term, texts: Sequence[str]) -> list[int]:
    """How many times ``term`` matches in each of ``texts`` (one field of many items).

    The texts are joined, folded and matched a few thousand at a time, so the work
    per item is done by the regex engine and ``str`` methods in C rather than by a
    Python loop, and the joined copies stay small. Texts holding the separator or
    marker characters are counted one by one.
    """
    if term.regex:
        return [count(term, text) for text in texts]
    counts: list[int] = []
    for start in range(0, len(texts), _CHUNK):
        chunk = texts[start : start + _CHUNK]
        joined = _SEPARATOR.join(chunk)
        parts: list[str] = []
        if joined.count(_SEPARATOR) == len(chunk) - 1 and _MARK not in joined:
            parts = term.pattern.sub(_MARK, fold(joined)).split(_SEPARATOR)
        if len(parts) == len(chunk):
            counts += [part.count(_MARK) for part in parts]
        else:
            counts += [count(term, text) for text in chunk]
    return counts


def count(term: Term, text: str) -> int:
    """How many times ``term`` matches in one text (a regex in the text as written)."""
    if not text:
        return 0
    return len(term.pattern.findall(text if term.regex else fold(text)))


def spans(item: ItemView, query: SearchQuery) -> dict[str, tuple[tuple[int, int], ...]]:
    """Where the query's terms match in the item's title and summary, as written."""
    result: dict[str, tuple[tuple[int, int], ...]] = {}
    for name, raw in (("title", item.title), ("summary", item.summary or "")):
        found: list[tuple[int, int]] = []
        positions: list[int] | None = None
        folded = fold(raw)
        for term in query.terms:
            if name not in term.fields:
                continue
            if term.regex:
                found.extend(m.span() for m in term.pattern.finditer(raw) if m.end() > m.start())
                continue
            for match in term.pattern.finditer(folded):
                if positions is None:
                    positions = _offsets(raw, folded)
                found.append((positions[match.start()], positions[match.end()]))
        if found:
            result[name] = tuple(_merge(found))
    return result


def _offsets(raw: str, folded: str) -> list[int]:
    """For each position in ``fold(raw)``, the position in ``raw`` it comes from."""
    if raw.isascii():
        return list(range(len(raw) + 1))
    offsets: list[int] = []
    for index, char in enumerate(raw):
        offsets.extend([index] * len(fold(char)))
    offsets.append(len(raw))
    # Folding a whole text and its characters one by one agree except in rare cases
    # (combining marks reordered); pad so a span never points past the end.
    offsets.extend([len(raw)] * (len(folded) + 1 - len(offsets)))
    return offsets


def _merge(found: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(found):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def vocabulary(texts: Iterable[str]) -> dict[str, str]:
    """Each folded word of ``texts`` (three letters or more), and one way it is spelt.

    Of several spellings the one with the most capitals wins (``UNTFSSE``, ``ILO``).
    """
    spellings = set(re.findall(r"\w{3,}", "\n".join(texts)))
    best: dict[str, str] = {}
    for spelling in sorted(spellings):
        key = fold(spelling)
        if key not in best:
            best[key] = spelling
    return best


def suggest(query: SearchQuery, vocab: Mapping[str, str], limit: int = 3) -> list[str]:
    """The words of the list closest to the query's words (for "did you mean …?").

    Words of the query that occur in the list are not corrected.
    """
    from rapidfuzz import fuzz, process

    wanted = [word for term in query.terms if not term.regex for word in term.words]
    suggestions: list[str] = []
    for word in wanted:
        if word in vocab:
            continue
        for key, _score, _ in process.extract(
            word, list(vocab), scorer=fuzz.ratio, limit=limit, score_cutoff=70
        ):
            spelling = vocab[key]
            if spelling not in suggestions:
                suggestions.append(spelling)
    return suggestions[:limit]
