"""Tag hygiene: counts, rename and merge in one write, and a controlled vocabulary."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import tomli
from hypothesis import given, settings
from hypothesis import strategies as st

from coopcli.core.merge import merge_documents
from coopcli.core.models import NewsFile
from coopcli.core.tags import count_tags, retag
from coopcli.core.view import Row
from tests.conftest import Run
from tests.strategies import news_files

ITEM = (
    '\n[[items]]\nid = "{id}"\ntype = "news"\ntitle = "{id}"\ndate = 2021-10-0{day}\n'
    "tags = {tags}\n"
)


def write(path: Path, *items: tuple[str, list[str]], head: str = "") -> None:
    body = "".join(
        ITEM.format(id=item_id, day=n + 1, tags=json.dumps(tags))
        for n, (item_id, tags) in enumerate(items)
    )
    path.write_text("version = 1\n" + head + body)


def tags_of(path: Path) -> dict[str, list[str]]:
    return {item["id"]: item.get("tags", []) for item in tomli.loads(path.read_text())["items"]}


@pytest.fixture
def tagged(news_file: Path) -> Path:
    write(
        news_file,
        ("a", ["Asia", "sse"]),
        ("b", ["asia"]),
        ("c", ["asia-pacific", "youth"]),
        ("d", ["sse", "Asia-Pacific", "asia"]),
    )
    return news_file


def test_tags_with_counts(run: Run, tagged: Path) -> None:
    assert run("tags").stdout == "asia\t3\nasia-pacific\t2\nsse\t2\nyouth\t1\n"
    assert json.loads(run("tags", "--format", "json").stdout)[0] == {
        "tag": "asia",
        "count": 3,
        "label": None,
    }
    lines = run("tags", "--format", "jsonl").stdout.splitlines()
    assert [json.loads(line)["tag"] for line in lines] == ["asia", "asia-pacific", "sse", "youth"]
    table = run("tags", "--format", "table").stdout
    assert "Tag" in table
    assert "Items" in table
    assert "asia-pacific" in table


def test_rename_changes_every_item_in_one_write(run: Run, tagged: Path) -> None:
    before = tagged.read_text()
    dry = run("tags", "rename", "asia", "Asia", "--dry-run")
    # 'a' already spells it 'Asia': nothing to change there.
    assert dry.stdout == "b\tasia\tAsia\nd\tsse, Asia-Pacific, asia\tsse, Asia-Pacific, Asia\n"
    assert dry.stderr == "Would change 2 items; nothing was written.\n"
    assert tagged.read_text() == before
    result = run("tags", "rename", "asia", "Asia")
    assert result.stderr == "Renamed 'asia' into 'Asia': 2 items changed\n"
    assert tags_of(tagged)["b"] == ["Asia"]
    # The previous version is the backup: one write, so one step back.
    assert Path(str(tagged) + ".bak").read_text() == before


def test_merge_keeps_each_tag_once_in_place(run: Run, tagged: Path) -> None:
    result = run("tags", "merge", "asia", "asia-pacific", "--into", "Asia and the Pacific")
    assert result.exit_code == 0
    assert result.stderr == (
        "Merged 'asia' and 'asia-pacific' into 'Asia and the Pacific': 4 items changed\n"
    )
    assert tags_of(tagged) == {
        "a": ["Asia and the Pacific", "sse"],
        "b": ["Asia and the Pacific"],
        "c": ["Asia and the Pacific", "youth"],
        "d": ["sse", "Asia and the Pacific"],
    }
    again = run("tags", "merge", "asia", "--into", "Asia and the Pacific")
    assert again.stderr.endswith(": 0 items changed\n")


@pytest.mark.parametrize("bad", ["", "a;b", "a,b"])
def test_a_bad_new_tag_is_a_usage_error(run: Run, tagged: Path, bad: str) -> None:
    before = tagged.read_text()
    result = run("tags", "rename", "asia", bad)
    assert result.exit_code == 2
    assert "is not a tag" in result.stderr
    assert tagged.read_text() == before


VOCABULARY = '\n[tags]\nasia = "Asia and the Pacific"\nsse = "Social and solidarity economy"\n'


@pytest.fixture
def controlled(news_file: Path) -> Path:
    write(news_file, ("a", ["asia"]), ("b", ["sse", "legacy"]), head=VOCABULARY)
    return news_file


def test_the_vocabulary_labels_the_tags(run: Run, controlled: Path) -> None:
    assert run("tags").stdout == (
        "asia\t1\tAsia and the Pacific\nlegacy\t1\t\nsse\t1\tSocial and solidarity economy\n"
    )


@pytest.mark.parametrize("use_index", [True, False])
def test_add_refuses_a_tag_outside_the_vocabulary(
    run: Run, controlled: Path, monkeypatch: pytest.MonkeyPatch, use_index: bool
) -> None:
    if not use_index:
        monkeypatch.setenv("COOPCLI_NO_INDEX", "1")
    run("list")  # the index is built, so add may take its fast path
    before = controlled.read_text()
    result = run("add", "-t", "news", "--title", "New", "--date", "2021-10-09", "--tag", "Asai")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: tag 'Asai' is not in the list's vocabulary (did you mean 'asia'?)\n"
    )
    assert controlled.read_text() == before
    far = run("add", "-t", "news", "--title", "New", "--date", "2021-10-09", "--tag", "zzzz")
    assert "(allowed: asia, sse)" in far.stderr
    ok = run("add", "-t", "news", "--title", "New", "--date", "2021-10-09", "--tag", "ASIA")
    assert ok.exit_code == 0, ok.stderr
    assert tags_of(controlled)[ok.stdout.strip()] == ["ASIA"]
    # The vocabulary is kept as written when the file is rewritten.
    assert '[tags]\nasia = "Asia and the Pacific"\n' in controlled.read_text()


def test_edit_refuses_new_unknown_tags_but_keeps_old_ones(run: Run, controlled: Path) -> None:
    refused = run("edit", "b", "--tag", "sse-x")
    assert refused.exit_code == 2
    assert "did you mean 'sse'?" in refused.stderr
    # 'legacy' predates the vocabulary: the item can still be edited otherwise.
    assert run("edit", "b", "--title", "Retitled").exit_code == 0
    assert tags_of(controlled)["b"] == ["sse", "legacy"]


def test_check_reports_items_outside_the_vocabulary(run: Run, controlled: Path) -> None:
    result = run("check")
    assert result.exit_code == 1
    assert result.stdout == (
        f"{controlled}:19: items[1].tags (b): tag 'legacy' is not in the list's vocabulary "
        "(allowed: asia, sse)\n"
    )


def test_rename_moves_the_vocabulary_entry(run: Run, controlled: Path) -> None:
    assert run("tags", "rename", "sse", "ess").exit_code == 0
    data = tomli.loads(controlled.read_text())
    assert data["tags"] == {"asia": "Asia and the Pacific", "ess": "Social and solidarity economy"}
    assert tags_of(controlled)["b"] == ["ess", "legacy"]
    refused = run("tags", "merge", "legacy", "--into", "asai")
    assert refused.exit_code == 2
    assert "did you mean 'asia'?" in refused.stderr
    merged = run("tags", "merge", "legacy", "--into", "asia")
    assert merged.exit_code == 0
    assert tags_of(controlled)["b"] == ["ess", "asia"]
    assert run("check").exit_code == 0


def test_the_merge_driver_keeps_both_sides_vocabulary_entries() -> None:
    base = {"version": 1, "tags": {"asia": "Asia"}, "items": []}
    ours = {"version": 1, "tags": {"asia": "Asia", "sse": "SSE"}, "items": []}
    theirs = {"version": 1, "tags": {"asia": "Asia and the Pacific"}, "items": []}
    result = merge_documents(base, ours, theirs)
    assert result.clean
    assert result.document["tags"] == {"asia": "Asia and the Pacific", "sse": "SSE"}
    ours["tags"]["asia"] = "Asia (ours)"
    clash = merge_documents(base, ours, {"version": 1, "tags": {"asia": "Other"}, "items": []})
    assert clash.document["tags"]["asia"] == "Asia (ours)"
    assert [(c.what, c.key) for c in clash.conflicts] == [("tag", "asia")]


@settings(max_examples=100, deadline=None)
@given(
    doc=news_files(),
    sources=st.lists(st.sampled_from(["a", "A", "b", "c"]), min_size=1, max_size=3),
    target=st.sampled_from(["a", "b", "z", "Z"]),
)
def test_retag_properties(doc: NewsFile, sources: list[str], target: str) -> None:
    items = [
        item.model_copy(update={"tags": item.tags + ["a", "b"][: len(item.id) % 3]})
        for item in doc.items
    ]
    changes = {c.id: c for c in retag(items, sources, target)}
    gone = {s.casefold() for s in sources} - {target.casefold()}
    for item in items:
        after = list(changes[item.id].after) if item.id in changes else list(item.tags)
        assert not {t.casefold() for t in after} & gone
        assert len({t.casefold() for t in after}) == len(after)
        if item.id in changes:
            assert target in after
    total = sum(c.count for c in count_tags(items))
    assert total == sum(len({t.casefold() for t in item.tags}) for item in items)
    assert count_tags([Row("x", "news", "t", dt.date(2000, 1, 1))]) == []
