"""``coopcli search``: folding, stemming, phrases, scopes, ranking, suggestions."""

from __future__ import annotations

import datetime as dt
import json
import string
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcli.cli.search import exclusions_as_options
from coopcli.core import search
from coopcli.core.errors import UsageError
from coopcli.core.view import Row
from coopcli.storage import index
from tests.conftest import Run


def ids(stdout: str) -> list[str]:
    return [line.split("\t")[0] for line in stdout.splitlines()]


def found(run: Run, *args: str) -> list[str]:
    result = run("search", "--format", "tsv", *args)
    assert result.exit_code == 0, result.stderr
    return ids(result.stdout)


def test_untfsse_finds_four_items_best_first(run: Run, seeded: Path) -> None:
    assert found(run, "UNTFSSE") == [
        "2021-10-25-untfsse-organized",
        "2021-10-26-ilo-and-the-untfsse",
        "2021-10-25-ilo-and-the-untfsse",
        "2021-10-22-un-task-force",
    ]


def test_accents_and_case_do_not_matter(run: Run, seeded: Path) -> None:
    assert found(run, "turunc") == ["2021-10-21-ayse-turunc-kankal"]
    assert found(run, "AYŞE") == ["2021-10-21-ayse-turunc-kankal"]


def test_all_words_by_default_any_with_flag(run: Run, seeded: Path) -> None:
    assert found(run, "WIPO", "KFCC") == []
    assert sorted(found(run, "--any", "WIPO", "KFCC")) == [
        "2021-10-27-wipo-programme",
        "2021-10-28-sung-ho-kim",
    ]


def test_word_forms_match(run: Run, seeded: Path) -> None:
    # "session" finds "sessions", and "sessions" finds "session".
    assert set(found(run, "session")) == set(found(run, "sessions"))
    assert "2021-10-29-ilo-sheds-light-upon" in found(run, "session")
    assert "2021-10-22-un-task-force" in found(run, "meetings")


def test_word_boundaries(run: Run, seeded: Path) -> None:
    # "un" is a word of its own, not the start of "UNTFSSE" nor inside "fundamental".
    assert found(run, "un") == ["2021-10-22-un-task-force"]
    assert found(run, "ation") == []


def test_curly_and_straight_quotes_are_the_same(run: Run, seeded: Path) -> None:
    assert found(run, "Lebanon's") == ["2021-10-13-training-by-ilo"]
    assert found(run, "ILO\u2019s") == found(run, "ILO's")


def test_phrases_keep_word_order(run: Run, seeded: Path) -> None:
    phrase = found(run, '"social solidarity"')
    assert phrase == ["2021-10-13-training-by-ilo"]
    assert found(run, '"solidarity social"') == []
    # An argument with spaces is a phrase too.
    assert found(run, "social solidarity") == phrase
    assert len(found(run, "social", "solidarity")) > 1


def test_exclusions(run: Run, seeded: Path) -> None:
    assert found(run, "untfsse", "-gsef2021", "-week") == [
        "2021-10-25-untfsse-organized",
        "2021-10-22-un-task-force",
    ]
    assert found(run, "untfsse", "--exclude", "gsef2021", "-x", "week") == found(
        run, "untfsse", "--", "-gsef2021", "-week"
    )
    # -turkey is an exclusion, not --type urkey.
    assert found(run, "ilo", "-turkey", "-n", "50") == found(run, "ilo", "-x", "turkey")
    assert len(found(run, "ilo", "-n2")) == 2


def test_field_scopes(run: Run, seeded: Path) -> None:
    assert found(run, "title:statistics") == ["2021-10-25-untfsse-organized"]
    assert found(run, "summary:untfsse") == [
        "2021-10-25-untfsse-organized",
        "2021-10-25-ilo-and-the-untfsse",
        "2021-10-22-un-task-force",
    ]
    assert found(run, "type:champion") == ["2021-10-21-ayse-turunc-kankal"]
    assert found(run, "type:spotlight", "kim") == ["2021-10-28-sung-ho-kim"]
    assert found(run, "title:kfcc", "-summary:kfcc") == []


def test_tag_and_url_scopes(run: Run, seeded: Path) -> None:
    run("edit", "2021-10-27-wipo", "--tag", "Intellectual Property", "--url", "https://wipo.int/x")
    assert found(run, "tag:intellectual") == ["2021-10-27-wipo-programme"]
    assert found(run, "url:wipo.int") == ["2021-10-27-wipo-programme"]
    assert found(run, "property") == ["2021-10-27-wipo-programme"]


def test_regex(run: Run, seeded: Path) -> None:
    assert found(run, "--regex", r"\b37th\b") == ["2021-10-22-un-task-force"]
    assert found(run, "ilo", "--regex", "gsef20[0-9]{2}") == ["2021-10-26-ilo-and-the-untfsse"]
    result = run("search", "--regex", "x(")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: bad --regex 'x(': missing )")


def test_title_hit_ranks_above_newer_summary_hits(run: Run, seeded: Path) -> None:
    ranked = found(run, "solidarity")
    # The oldest item has the word in its title: it ranks above newer summary-only hits.
    assert set(ranked[:3]) == {
        "2021-10-13-training-by-ilo",
        "2021-10-28-ilo-country-briefs",
        "2021-10-22-un-task-force",
    }
    assert set(ranked[3:]) == {"2021-10-28-sung-ho-kim", "2021-10-21-ayse-turunc-kankal"}
    by_date = found(run, "solidarity", "--sort", "date")
    days = [id_[:10] for id_ in by_date]
    assert days == sorted(days, reverse=True)
    assert found(run, "solidarity", "--sort", "date", "--reverse") == by_date[::-1]


def test_json_has_scores_in_rank_order(run: Run, seeded: Path) -> None:
    result = run("search", "untfsse", "--format", "json", "-n", "2")
    data = json.loads(result.stdout)
    assert [item["id"] for item in data] == found(run, "untfsse")[:2]
    assert data[0]["score"] >= data[1]["score"] > 0


def test_table_caption_and_highlight(run: Run, seeded: Path) -> None:
    result = run("search", "turunc", "--since", "2021-10", "--format", "table")
    assert "Turunç" in result.stdout
    assert "1 of 10 items · matching turunc · since 2021-10-01" in result.stdout


def test_highlight_spans_point_at_the_written_words() -> None:
    item = Row("a", "news", "Ayşe Turunç: the coopération", dt.date(2021, 1, 1), "x Turunç")
    query = search.parse_query(["turunc", "cooperation"])
    spans = search.spans(item, query)
    assert [item.title[a:b] for a, b in spans["title"]] == ["Turunç", "coopération"]
    assert [item.summary[a:b] for a, b in spans["summary"]] == ["Turunç"]  # type: ignore[index]


def test_nothing_found_suggests_words_and_exits_zero(run: Run, seeded: Path) -> None:
    result = run("search", "untfse")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert result.stderr == "No items match untfse.\nDid you mean UNTFSSE?\n"
    result = run("search", "zzzzqqq", "--format", "json")
    assert result.stdout == "[]\n"
    assert result.stderr == "No items match zzzzqqq.\n"


def test_filters_apply_to_search(run: Run, seeded: Path) -> None:
    assert found(run, "ilo", "--type", "champion") == ["2021-10-21-ayse-turunc-kankal"]
    assert found(run, "untfsse", "--on", "2021-10-25") == [
        "2021-10-25-untfsse-organized",
        "2021-10-25-ilo-and-the-untfsse",
    ]
    assert found(run, "untfsse", "-n", "1") == ["2021-10-25-untfsse-organized"]


def test_works_on_json_files(run: Run, seeded_json: Path) -> None:
    assert found(run, "turunc") == ["2021-10-21-ayse-turunc-kankal"]


@pytest.mark.parametrize("args", [[], ["!!!"], ["-", "--"]])
def test_empty_query_is_a_usage_error(run: Run, seeded: Path, args: list[str]) -> None:
    result = run("search", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: nothing to search for")


def test_export_publishes_a_search(run: Run, seeded: Path, isolated: Path) -> None:
    out = isolated / "found.json"
    result = run("export", "--query", "untfsse -gsef2021", "--output", str(out))
    assert result.exit_code == 0
    assert result.stderr == f"Wrote 3 items to {out} (json)\n"
    data = json.loads(out.read_text())
    assert {item["id"] for item in data["items"]} == {
        "2021-10-25-untfsse-organized",
        "2021-10-25-ilo-and-the-untfsse",
        "2021-10-22-un-task-force",
    }
    result = run("export", "-q", "turunc", "--output", str(out))
    assert result.stderr == f"Wrote 1 item to {out} (json)\n"


def test_exclusions_as_options() -> None:
    options = {"-n", "--limit", "-t"}
    assert exclusions_as_options(["a", "-b", "-bc", "-n5", "-t", "-12"], options) == [
        "a", "-b", "--exclude", "bc", "-n5", "-t", "-12",
    ]  # fmt: skip
    assert exclusions_as_options(["--", "-bc"], options) == ["--", "-bc"]


def test_root_and_query_description() -> None:
    assert search.root("sessions") == "session"
    assert search.root("meeting") == "meet"
    assert search.root("policies") == "polic"
    assert search.root("class") == "class"
    assert search.root("un") == "un"
    query = search.parse_query(['title:"social economy"', "-ilo", "url:x.org"], match_any=True)
    assert query.describe() == 'title:"social economy" or url:x.org -ilo'
    with pytest.raises(UsageError):
        search.parse_query([])


# --- properties -------------------------------------------------------------

# NUL is left out: SQLite's text functions stop at it (and no item file holds one).
texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
words_st = st.text(alphabet=string.ascii_letters + "çéüÅßœ\u2019", min_size=1, max_size=10)


@given(texts)
def test_folding_is_idempotent(text: str) -> None:
    once = search.fold(text)
    assert search.fold(once) == once


@given(texts, texts)
def test_folding_agrees_with_the_index_piecewise(a: str, b: str) -> None:
    assert index.fold is search.fold
    assert search.fold(a + " " + b) == search.fold(a) + " " + search.fold(b) or any(
        __import__("unicodedata").combining(ch) for ch in b[:1]
    )


def _row(n: int, title: str, summary: str | None = None, tags: tuple[str, ...] = ()) -> Row:
    return Row(f"i{n}", "news", title, dt.date(2021, 1, 1 + n % 28), summary, None, tags)


@settings(max_examples=150)
@given(st.lists(st.lists(words_st, min_size=1, max_size=6), min_size=1, max_size=8), st.data())
def test_every_item_is_found_by_a_word_of_its_title(
    titles: list[list[str]], data: st.DataObject
) -> None:
    items = [_row(n, " ".join(words)) for n, words in enumerate(titles)]
    item = data.draw(st.sampled_from(items))
    word = data.draw(st.sampled_from(item.title.split()))
    if not search.words(word):
        return
    hits = search.search(items, search.parse_query([word]))
    assert item.id in {hit.item.id for hit in hits}


@settings(max_examples=150)
@given(
    st.lists(
        st.tuples(texts, st.one_of(st.none(), texts), st.lists(words_st, max_size=2)),
        min_size=1,
        max_size=6,
    ),
    st.lists(
        st.builds(
            str.__add__,
            st.sampled_from(["", "-", "title:", "summary:", "tag:", "type:", "url:", '"']),
            st.one_of(words_st, st.text(max_size=8)),
        ),
        min_size=1,
        max_size=3,
    ),
    st.booleans(),
)
def test_the_index_prefilter_never_drops_a_match(
    records: list[tuple[str, str | None, list[str]]], query_words: list[str], match_any: bool
) -> None:
    items = [_row(n, t or "x", s, tuple(tags)) for n, (t, s, tags) in enumerate(records)]
    try:
        query = search.parse_query(query_words, match_any=match_any)
    except UsageError:
        return
    idx = index.in_memory(index.Source(items, None, None, None, {}))
    with idx:
        candidates = idx.rows(
            index.Query(
                contains=search.required_substrings(query),
                contains_any=search.any_substrings(query),
            )
        )
    direct = {hit.item.id for hit in search.search(items, query)}
    prefiltered = {hit.item.id for hit in search.search(candidates, query)}
    assert direct == prefiltered


@settings(max_examples=150)
@given(
    st.lists(
        st.tuples(texts, st.one_of(st.none(), texts), st.lists(words_st, max_size=2)),
        min_size=1,
        max_size=9,
    ),
    st.lists(
        st.builds(str.__add__, st.sampled_from(["", "-", "title:", "tag:"]), words_st),
        min_size=1,
        max_size=3,
    ),
    st.booleans(),
    st.integers(min_value=1, max_value=4),
)
def test_ranking_a_batch_at_a_time_ranks_as_ranking_all_at_once(
    records: list[tuple[str, str | None, list[str]]],
    query_words: list[str],
    match_any: bool,
    size: int,
) -> None:
    items = [_row(n, t or "x", s, tuple(tags)) for n, (t, s, tags) in enumerate(records)]
    try:
        query = search.parse_query(query_words, match_any=match_any)
    except UsageError:
        return
    whole = [(hit.item.id, hit.score) for hit in search.search(items, query, total=50)]
    ranking = search.Ranking(query, total=50)
    matched: list[str] = []
    for start in range(0, len(items), size):
        batch = items[start : start + size]
        matched += [batch[i].id for i in ranking.add(batch)]
    assert [(ranking.ids[k], score) for k, score in ranking.ranked()] == whole
    assert sorted(matched) == sorted(ranking.ids) == sorted(id_ for id_, _ in whole)
    assert search.matching(items, query) == [i for i in items if i.id in set(matched)]


@pytest.mark.parametrize(
    ("sort", "reverse", "limit"),
    [
        (None, False, None),
        (None, True, 3),
        ("date", False, 2),
        ("title", True, None),
        ("type", False, None),
    ],
)
def test_search_read_in_batches_finds_what_search_finds(
    seeded: Path, sort: str | None, reverse: bool, limit: int | None
) -> None:
    from coopcli.core.query import SortKey
    from coopcli.newslist import NewsList

    news = NewsList.open(seeded)
    query = search.parse_query(["ilo"], match_any=True, exclude=["virtual"])
    key = None if sort is None else SortKey(sort)
    whole = news.search(query, sort=key, reverse=reverse, limit=limit)
    assert whole.hits
    for size in (1, 2, 500):
        with news.search_batches(query, sort=key, reverse=reverse, limit=limit, size=size) as (
            ranked,
            batches,
        ):
            read = list(batches)
        hits = [hit for batch in read for hit in batch]
        assert all(1 <= len(batch) <= size for batch in read)
        assert hits == list(whole.hits)
        assert ranked.found == [(hit.item.id, hit.score) for hit in whole.hits]


def test_only_exclusions_list_the_rest_newest_first(run: Run, seeded: Path) -> None:
    rest = found(run, "-ilo")
    assert rest == ["2021-10-25-untfsse-organized"]
    assert found(run, "--exclude", "social economy") == [
        id_
        for id_ in found(run, "--regex", ".", "--sort", "date")
        if id_ not in found(run, '"social economy"')
    ]


def test_search_of_a_missing_default_file_finds_nothing(
    run: Run, isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COOPCLI_FILE")
    result = run("search", "ilo")
    assert result.exit_code == 0
    assert "does not exist yet" in result.stderr
    assert "No items match ilo." in result.stderr
    assert not list((isolated / "home").rglob("news.toml"))


@settings(max_examples=150)
@given(st.lists(words_st, min_size=1, max_size=6), st.data())
def test_highlights_cover_the_words_as_written(title_words: list[str], data: st.DataObject) -> None:
    item = _row(0, " ".join(title_words))
    word = data.draw(st.sampled_from(title_words))
    if not search.words(word):
        return
    query = search.parse_query([word])
    marked = [item.title[a:b] for a, b in search.spans(item, query).get("title", ())]
    assert marked
    assert any(search.root(search.words(word)[0]) in search.fold(text) for text in marked)


@given(
    st.lists(st.one_of(texts, st.text(max_size=20), st.just("")), max_size=6),
    st.one_of(words_st, st.lists(words_st, min_size=2, max_size=3).map(" ".join)),
)
def test_counting_a_column_at_once_agrees_with_item_by_item(column: list[str], typed: str) -> None:
    if not search.words(typed):
        return
    query = search.parse_query([typed])
    term = query.terms[0]
    one_by_one = [search.count(term, text) for text in column]
    assert search.count_column(term, column) == one_by_one
    with mock.patch.object(search, "_CHUNK", 2):
        assert search.count_column(term, column) == one_by_one


def test_a_long_summary_is_shown_from_its_first_match() -> None:
    from coopcli.cli import render

    text = "A long opening that says nothing much at all, then the UNTFSSE meeting."
    start = text.index("UNTFSSE")
    cell = render.highlighted(text, [(start, start + 7)], snippet=True)
    assert cell.plain == "…the UNTFSSE meeting."
    marked = [cell.plain[span.start : span.end] for span in cell.spans]
    assert marked == ["UNTFSSE"]
    whole = render.highlighted("UNTFSSE first", [(0, 7)], snippet=True)
    assert whole.plain == "UNTFSSE first"


def test_a_very_long_word_is_searched_not_refused(run: Run, news_file: Path) -> None:
    """SQLite's LIKE refuses patterns over 50,000 bytes; the prefilter must not pass one."""
    run("add", "--type", "news", "--title", "Short title", "--date", "2021-10-01")
    result = run("search", "x" * 60_000)
    assert result.exit_code == 0, result.stderr
    assert "No items match" in result.stderr
