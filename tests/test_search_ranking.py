"""``coopcli search``: the exact ranking, word roots, highlights and quote folding.

Each test pins one rule of the search engine that a small change to its code would
break without any other test noticing (found by mutation testing, tools/mutate.py).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from coopcli.core import search
from coopcli.core.view import Row
from tests.conftest import Run

#: Four items over four days; "kiwi" and "lime" are the words searched for.
CORPUS = [
    ("a", "Market", "lime market kiwi village growth village report village", ["kiwi"]),
    ("b", "Report village village", "farm", ["village"]),
    ("c", "Kiwi growth farm", "kiwi people people", ["farm"]),
    ("d", "Market kiwi farm people growth", "report village", []),
]


def write_items(path: Path, items: list[tuple[str, str, str, list[str]]], **extra: str) -> None:
    """An item file holding ``items`` (slug, title, summary, tags), one day apart."""
    blocks = ["version = 1\n"]
    for day, (slug, title, summary, tags) in enumerate(items, 1):
        block = [
            "[[items]]",
            f'id = "2021-01-{day:02d}-{slug}"',
            f'type = "{extra.get(slug + ".type", "news")}"',
            f"title = {json.dumps(title)}",
            f"date = 2021-01-{day:02d}",
        ]
        if summary:
            block.append(f"summary = {json.dumps(summary)}")
        if slug + ".url" in extra:
            block.append(f"url = {json.dumps(extra[slug + '.url'])}")
        if tags:
            block.append(f"tags = {json.dumps(tags)}")
        blocks.append("\n".join(block) + "\n")
    path.write_text("\n".join(blocks), encoding="utf-8")


def ranked(run: Run, *args: str) -> list[str]:
    result = run("search", "--format", "tsv", *args)
    assert result.exit_code == 0, result.stderr
    return [line.split("\t")[0].rsplit("-", 1)[1] for line in result.stdout.splitlines()]


def scores(run: Run, *args: str) -> dict[str, float]:
    result = run("search", "--format", "json", *args)
    assert result.exit_code == 0, result.stderr
    return {item["id"].rsplit("-", 1)[1]: item["score"] for item in json.loads(result.stdout)}


def test_rank_order_depends_on_every_weight(run: Run, news_file: Path) -> None:
    """The margins here are small on purpose: a tag weight of 1 or 3 instead of 2, a
    summary weight of 0.5 or 2, BM25's k1 at 0.6 or 2.2 instead of 1.2, or its length
    normalisation b at 0.375 or 1 instead of 0.75, each reorders one of these lists."""
    write_items(news_file, CORPUS)
    # c and d hit in the title; d's longer title weighs less, and a only has a
    # summary hit in a long summary plus the tag.
    assert ranked(run, "kiwi") == ["c", "d", "a"]
    # a's "lime" is rare (one item in four), which lifts it between c and d.
    assert ranked(run, "--any", "kiwi", "lime") == ["c", "a", "d"]
    assert ranked(run, "lime") == ["a"]


def bm25f(
    items: list[tuple[str, str, str, list[str]]],
    word: str,
    fields: dict[str, float],
    among: list[str] | None = None,
) -> dict[str, float]:
    """The documented score of one word, computed the long way, for the items that
    match the whole query (``among``; by default those that hold the word).

    rarity * (1 if a title hit) + rarity * w / (k1 + w), where w sums, over the
    fields, weight * hits / (1 - b + b * length / average length among the matches),
    and rarity counts the matches that hold the word against the whole list.
    """
    k1, b = 1.2, 0.75
    texts = {
        slug: {"title": title, "summary": summary, "tag": "\n".join(tags)}
        for slug, title, summary, tags in items
    }
    pattern = search.parse_query([word]).terms[0].pattern
    hits = {
        slug: {name: len(pattern.findall(search.fold(text))) for name, text in fields_.items()}
        for slug, fields_ in texts.items()
    }
    holding = [slug for slug in hits if any(hits[slug][name] for name in fields)]
    matched = holding if among is None else among
    df = len([slug for slug in matched if slug in holding])
    rarity = math.log(1 + (len(items) - df + 0.5) / (df + 0.5))
    average = {
        name: max(sum(len(texts[slug][name]) for slug in matched) / len(matched), 1.0)
        for name in fields
    }
    result = {}
    for slug in matched:
        w = sum(
            weight * hits[slug][name] / (1 - b + b * len(texts[slug][name]) / average[name])
            for name, weight in fields.items()
            if hits[slug][name]
        )
        result[slug] = round(rarity * (hits[slug]["title"] > 0) + rarity * w / (k1 + w), 4)
    return result


def test_scores_are_bm25f_with_the_documented_weights(run: Run, news_file: Path) -> None:
    write_items(news_file, CORPUS)
    weights = {"title": 4.0, "summary": 1.0, "tag": 2.0}
    assert scores(run, "kiwi") == bm25f(CORPUS, "kiwi", weights)
    assert scores(run, "lime") == bm25f(CORPUS, "lime", weights)
    # Two words: each adds its share, measured among the items that match both.
    kiwi = bm25f(CORPUS, "kiwi", weights, among=["a"])["a"]
    lime = bm25f(CORPUS, "lime", weights, among=["a"])["a"]
    assert scores(run, "kiwi", "lime") == {"a": pytest.approx(kiwi + lime, abs=1e-4)}


def test_type_and_url_terms_weigh_as_documented(run: Run, news_file: Path) -> None:
    items = [
        ("a", "Kiwi harvest", "", []),
        ("b", "Kiwi prices", "", []),
        ("c", "Lime prices", "", []),
    ]
    write_items(
        news_file, items, **{"b.type": "statement", "c.url": "https://example.org/kiwi-report"}
    )
    # The type field is the key and the label ("statement\nStatement"): two hits of
    # weight 1, in the only matching item (length = average): w = 2, rarity * 2 / 3.2.
    rarity = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    assert scores(run, "type:statement") == {"b": round(rarity * 2 / 3.2, 4)}
    # A URL hit weighs 0.5: w = 0.5, so rarity * 0.5 / 1.7.
    assert scores(run, "url:kiwi-report") == {"c": round(rarity * 0.5 / 1.7, 4)}


@pytest.mark.parametrize(
    "extra",
    [["--regex", "Kiw."], ["type:statement"], ["url:example.org/lime"]],
    ids=["regex", "type", "url"],
)
def test_any_with_terms_the_text_does_not_hold(run: Run, news_file: Path, extra: list[str]) -> None:
    """``--any`` with a regex, ``type:`` or ``url:`` term finds items by that term
    alone, though their title, summary and tags hold no word of the query."""
    items = [
        ("a", "Harvest report", "", []),
        ("b", "Kiwi prices", "", []),
        ("c", "Unrelated", "", []),
    ]
    write_items(news_file, items, **{"b.type": "statement", "b.url": "https://example.org/lime"})
    assert sorted(ranked(run, "--any", "harvest", *extra)) == ["a", "b"]


def test_word_roots_stop_at_three_letters(run: Run, news_file: Path) -> None:
    items = [
        ("a", "A job for everyone", "", []),
        ("b", "Jobless growth", "", []),
        ("c", "New jobs in farming", "", []),
        ("d", "Bus routes", "", []),
        ("e", "Buses for the valley", "", []),
    ]
    write_items(news_file, items)
    # "jobs" is cut to "job" (three letters are enough for a root) and then finds
    # every word that begins with it.
    assert sorted(ranked(run, "jobs")) == ["a", "b", "c"]
    # "job" is short: itself and its plural, not every longer word.
    assert sorted(ranked(run, "job")) == ["a", "c"]
    # "bus" stays whole: its plural is found, "bu…" words are not.
    assert sorted(ranked(run, "bus")) == ["d", "e"]


def test_roots_of_words() -> None:
    assert search.root("jobs") == "job"
    assert search.root("buses") == "bus"
    assert search.root("bus") == "bus"
    assert search.root("ties") == "tie"  # "t" and "ti" are too short to be roots
    assert search.root("sessions") == "session"
    assert search.root("status") == "status"
    assert search.root("policies") == "polic"
    assert search.root("year2021s") == "year2021s"  # not a word of letters


def item(title: str, summary: str | None = None) -> Row:
    return Row("2021-01-01-x", "news", title, dt.date(2021, 1, 1), summary, None, ())


def test_overlapping_and_touching_highlights_merge() -> None:
    text = "social solidarity economy"
    query = search.parse_query(['"social solidarity"', "solid", "social"])
    assert search.spans(item(text), query) == {"title": ((0, 17),)}
    # A match inside another one does not shorten it.
    query = search.parse_query(['"social solidarity economy"', "solidarity"])
    assert search.spans(item(text), query) == {"title": ((0, 25),)}
    # Matches that touch become one highlight; apart, they stay two.
    query = search.parse_query([], regex=["ab", "cd", "f"])
    assert search.spans(item("abcd f"), query) == {"title": ((0, 4), (5, 6))}


def test_low_quotes_and_modifier_apostrophes_fold_to_straight(run: Run, news_file: Path) -> None:
    items = [
        ("a", "Lebanon\u02bcs farmers", "", []),  # MODIFIER LETTER APOSTROPHE
        ("b", "It\u201as a start", "", []),  # SINGLE LOW-9 QUOTATION MARK
    ]
    write_items(news_file, items)
    assert ranked(run, "Lebanon's") == ["a"]
    assert ranked(run, "it's") == ["b"]
    # Every curly, low, reversed or modifier quote folds to a straight one.
    singles = "\u2018\u2019\u201a\u201b\u2032\u02bc"
    doubles = "\u201c\u201d\u201e\u201f\u00ab\u00bb"
    assert search.fold(singles + doubles) == "'" * len(singles) + '"' * len(doubles)


def test_guillemets_quote_a_phrase(run: Run, seeded: Path) -> None:
    # «…» make a phrase, followed by a word: both must match.
    assert ranked(run, "«social solidarity» lebanon") == ["ilo"]
    assert ranked(run, "«solidarity social» lebanon") == []
    # So do double primes and low or reversed double quotes.
    for left, right in ("\u2033\u2033", "\u201e\u201c", "\u201f\u201d"):
        assert ranked(run, f"{left}social solidarity{right} lebanon") == ["ilo"]
        assert ranked(run, f"{left}solidarity social{right} lebanon") == []


def test_an_item_without_summary_has_nothing_to_highlight_there() -> None:
    query = search.parse_query(["xx", "kiwi"], match_any=True)
    assert search.spans(item("Kiwi"), query) == {"title": ((0, 4),)}


def test_tags_is_another_name_for_tag(run: Run, news_file: Path) -> None:
    write_items(news_file, CORPUS)
    assert ranked(run, "tags:kiwi") == ranked(run, "tag:kiwi") == ["a"]
    assert ranked(run, "TAGS:village") == ["b"]


def test_at_most_three_words_are_suggested(run: Run, news_file: Path) -> None:
    items = [
        (slug, title, "", [])
        for slug, title in zip("abcd", ["Farms", "Farmy", "Farmer", "Farmed"], strict=True)
    ]
    write_items(news_file, items)
    result = run("search", "farmx")
    assert result.exit_code == 0
    first, second = result.stderr.splitlines()
    assert first == "No items match farmx."
    suggested = second.removeprefix("Did you mean ").removesuffix("?").split(" or ")
    assert len(suggested) == 3
    assert set(suggested) <= {"Farms", "Farmy", "Farmer", "Farmed"}


def test_a_missing_summary_or_url_holds_no_text(run: Run, news_file: Path) -> None:
    write_items(news_file, [("a", "Kiwi", "", []), ("b", "Kiwi", "xx", [])])
    assert ranked(run, "xx") == ["b"]
    assert ranked(run, "--any", "xx", "url:xx") == ["b"]


def test_the_caption_names_every_word(run: Run, seeded: Path) -> None:
    result = run("search", "wipo", "kfcc")
    assert result.stderr == "No items match wipo kfcc.\n"
    result = run("search", "--any", "zzz", "qqq", "-x", "ilo")
    assert result.stderr == "No items match zzz or qqq -ilo.\n"


def test_search_sorted_by_title_or_date(run: Run, seeded: Path) -> None:
    by_rank = ranked(run, "untfsse")
    by_title = ranked(run, "untfsse", "--sort", "title")
    assert sorted(by_title) == sorted(by_rank)
    titles = [
        line.split("\t")[3]
        for line in run(
            "search", "untfsse", "--sort", "title", "--format", "tsv"
        ).stdout.splitlines()
    ]
    assert titles == sorted(titles, key=str.casefold)
    dates = [
        line.split("\t")[1]
        for line in run(
            "search", "untfsse", "--sort", "date", "--format", "tsv"
        ).stdout.splitlines()
    ]
    assert dates == sorted(dates, reverse=True)
