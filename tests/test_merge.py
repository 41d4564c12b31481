"""The three-way merge of item lists, as pure functions on plain data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from coopcli.core.merge import ConflictKind, merge_documents
from coopcli.core.models import NewsFile

DAY = dt.date(2021, 10, 28)


def item(id_: str, title: str | None = None, **fields: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"id": id_, "type": "news", "title": title or id_, "date": DAY}
    data.update(fields)
    return data


def doc(*items: dict[str, Any], **meta: Any) -> dict[str, Any]:
    return {"version": 1, **meta, "items": list(items)}


def ids(result: dict[str, Any]) -> list[str]:
    return [entry["id"] for entry in result["items"]]


def test_items_added_on_both_sides_are_all_kept_in_stored_order() -> None:
    base = doc(item("a"))
    ours = doc(item("a"), item("c", date=dt.date(2021, 11, 1)))
    theirs = doc(item("a"), item("b"))
    result = merge_documents(base, ours, theirs)
    assert result.clean
    assert ids(result.document) == ["a", "b", "c"]
    assert (result.added, result.changed, result.removed) == (2, 0, 0)
    assert (result.added_ours, result.added_theirs) == (1, 1)


def test_the_same_item_added_on_both_sides_is_kept_once() -> None:
    result = merge_documents(doc(), doc(item("a")), doc(item("a")))
    assert result.clean
    assert ids(result.document) == ["a"]
    assert result.added == 1


def test_a_change_on_one_side_is_taken() -> None:
    base = doc(item("a"), item("b"))
    ours = doc(item("a", summary="new"), item("b"))
    theirs = doc(item("a"), item("b", url="https://x.org"))
    result = merge_documents(base, ours, theirs)
    assert result.clean
    assert result.document["items"] == [
        item("a", summary="new"),
        item("b", url="https://x.org"),
    ]
    assert result.changed == 2


def test_changes_to_different_fields_of_one_item_are_combined() -> None:
    base = doc(item("a", tags=["x", "y"]))
    ours = doc(item("a", summary="ours", tags=["x", "y", "mine"]))
    theirs = doc(item("a", url="https://t.org", tags=["y", "yours"]))
    result = merge_documents(base, ours, theirs)
    assert result.clean
    assert result.document["items"] == [
        item("a", summary="ours", url="https://t.org", tags=["y", "mine", "yours"])
    ]


def test_removed_on_one_side_and_unchanged_on_the_other_is_removed() -> None:
    base = doc(item("a"), item("b"))
    result = merge_documents(base, doc(item("b")), base)
    assert result.clean
    assert ids(result.document) == ["b"]
    assert result.removed == 1
    assert ids(merge_documents(base, base, doc(item("a"))).document) == ["a"]


def test_removed_on_both_sides_is_removed() -> None:
    base = doc(item("a"), item("b"))
    result = merge_documents(base, doc(item("b")), doc(item("b")))
    assert ids(result.document) == ["b"]
    assert result.clean


def test_an_edit_against_a_removal_keeps_the_edited_version() -> None:
    base = doc(item("a"))
    edited = doc(item("a", summary="kept"))
    for ours, theirs, kept in ((edited, doc(), "ours"), (doc(), edited, "theirs")):
        result = merge_documents(base, ours, theirs)
        assert result.document["items"] == [item("a", summary="kept")]
        [conflict] = result.conflicts
        assert conflict.kind is ConflictKind.EDITED_REMOVED
        assert (conflict.what, conflict.key, conflict.kept) == ("item", "a", kept)
        assert result.theirs_document(theirs) is None


def test_the_same_field_changed_differently_is_a_conflict_kept_as_ours() -> None:
    base = doc(item("a", "Base title"))
    ours = doc(item("a", "Ours title", tags=["o"]))
    theirs = doc(item("a", "Theirs title", summary="theirs"))
    result = merge_documents(base, ours, theirs)
    assert not result.clean
    [conflict] = result.conflicts
    assert conflict.kind is ConflictKind.CHANGED_BOTH
    assert conflict.fields == ("title",)
    # What did not clash is merged; what did is as OURS has it.
    assert result.document["items"] == [item("a", "Ours title", summary="theirs", tags=["o"])]
    assert result.theirs_document(theirs) == {
        "version": 1,
        "items": [item("a", "Theirs title", summary="theirs")],
    }


def test_one_id_for_two_different_new_items_renames_theirs() -> None:
    ours = doc(item("2021-10-28-briefs", "Briefs", summary="ours"))
    theirs = doc(item("2021-10-28-briefs", "Briefs", summary="theirs"))
    result = merge_documents(doc(), ours, theirs)
    assert result.clean
    assert ids(result.document) == ["2021-10-28-briefs", "2021-10-28-briefs-2"]
    assert result.document["items"][1]["summary"] == "theirs"
    [rename] = result.renamed
    assert (rename.old, rename.new, rename.maybe_duplicate) == (
        "2021-10-28-briefs",
        "2021-10-28-briefs-2",
        True,
    )


def test_a_renamed_id_avoids_every_id_in_sight() -> None:
    taken = item("2021-10-28-briefs-2", "Other")
    ours = doc(item("2021-10-28-briefs", "Briefs"), taken)
    theirs = doc(item("2021-10-28-briefs", "Briefs", summary="theirs"))
    result = merge_documents(doc(taken), ours, theirs)
    assert result.renamed[0].new == "2021-10-28-briefs-3"


def test_feed_metadata_merges_like_items() -> None:
    base = doc(title="Base", description="d")
    ours = doc(title="Base", description="d", link="https://o.org")
    theirs = doc(title="Theirs", description="d")
    result = merge_documents(base, ours, theirs)
    assert result.clean
    assert result.document == {
        "version": 1,
        "title": "Theirs",
        "link": "https://o.org",
        "description": "d",
        "items": [],
    }
    clash = merge_documents(base, doc(title="Ours"), doc(title="Theirs"))
    assert clash.document["title"] == "Ours"
    assert [(c.what, c.key) for c in clash.conflicts] == [("meta", "title")]
    assert clash.theirs_document(doc(title="Theirs")) == {
        "version": 1,
        "title": "Theirs",
        "items": [],
    }


def test_types_merge_like_items() -> None:
    base = doc(types={"report": "Report"})
    ours = doc(types={"report": "Report", "event": "Event"})
    theirs = doc(types={"report": "Annual report"})
    result = merge_documents(base, ours, theirs)
    assert result.clean
    assert result.document["types"] == {"event": "Event", "report": "Annual report"}
    clash = merge_documents(base, doc(types={"report": "R1"}), doc(types={"report": "R2"}))
    assert clash.document["types"] == {"report": "R1"}
    assert clash.conflicts[0].kind is ConflictKind.CHANGED_BOTH
    edited = merge_documents(base, doc(types={"report": "R1"}), doc())
    assert edited.document["types"] == {"report": "R1"}
    assert edited.conflicts[0].kind is ConflictKind.EDITED_REMOVED


def test_a_type_removed_on_one_side_stays_while_items_use_it() -> None:
    base = doc(types={"report": "Report"})
    ours = doc(types={})
    theirs = doc(item("r", type="report"), types={"report": "Report"})
    result = merge_documents(base, ours, theirs)
    assert result.document["types"] == {"report": "Report"}
    assert result.kept_types == ["report"]
    NewsFile.model_validate(result.document)


def test_the_conflict_document_carries_the_types_its_items_use() -> None:
    base = doc(item("r", type="report"), types={"report": "Report"})
    ours = doc(item("r", "Ours", type="report"), types={"report": "Report"})
    theirs = doc(item("r", "Theirs", type="report"), types={"report": "Report"})
    result = merge_documents(base, ours, theirs)
    conflicting = result.theirs_document(theirs)
    assert conflicting is not None
    assert conflicting["types"] == {"report": "Report"}
    NewsFile.model_validate(conflicting)


def test_empty_versions_merge_and_the_newer_file_version_wins() -> None:
    assert merge_documents({}, {}, {}).document == {"version": 1, "items": []}
    assert merge_documents({}, {"version": 1}, {"version": 2}).document["version"] == 2


# --- properties --------------------------------------------------------------

titles = st.text(alphabet="abcdefgh ", min_size=1, max_size=12).filter(str.strip)
dates = st.dates(dt.date(2021, 1, 1), dt.date(2021, 1, 5))
tags = st.lists(st.sampled_from(["x", "y", "z"]), unique=True, max_size=3)


@st.composite
def fields(draw: st.DrawFn, id_: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": id_,
        "type": draw(st.sampled_from(["news", "story"])),
        "title": draw(titles).strip(),
        "date": draw(dates),
    }
    if draw(st.booleans()):
        data["summary"] = draw(st.sampled_from(["s1", "s2"]))
    if draw(tags):
        data["tags"] = draw(tags)
    return data


@st.composite
def side(draw: st.DrawFn, base: list[dict[str, Any]], prefix: str) -> list[dict[str, Any]]:
    """A version derived from ``base``: some items kept, changed or removed, some added."""
    items = []
    for entry in base:
        action = draw(st.sampled_from(["keep", "change", "remove"]))
        if action == "keep":
            items.append(entry)
        elif action == "change":
            items.append(draw(fields(entry["id"])))
    # New ids are drawn from a small pool so that both sides sometimes pick the same one.
    for id_ in draw(st.lists(st.sampled_from(["n1", "n2", "n3", prefix]), unique=True)):
        if id_ not in {entry["id"] for entry in base}:
            items.append(draw(fields(id_)))
    return items


@st.composite
def triples(draw: st.DrawFn) -> tuple[list[dict[str, Any]], ...]:
    base_ids = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "n1"]), unique=True))
    base = [draw(fields(id_)) for id_ in base_ids]
    return base, draw(side(base, "o")), draw(side(base, "t"))


def content(entry: dict[str, Any]) -> tuple[Any, ...]:
    """An item without its id (a renamed item is still the same item)."""
    full = {**entry, "tags": entry.get("tags", []), "summary": entry.get("summary")}
    return (*(full[name] for name in ("type", "title", "date", "summary")), tuple(full["tags"]))


@settings(max_examples=300, deadline=None)
@given(triples())
def test_merge_keeps_every_added_item_and_loses_none(
    data: tuple[list[dict[str, Any]], ...],
) -> None:
    base, ours, theirs = data
    result = merge_documents(doc(*base), doc(*ours), doc(*theirs))
    merged = result.document["items"]
    merged_ids = [entry["id"] for entry in merged]
    assert len(merged_ids) == len(set(merged_ids)), "ids stay unique"
    by_content = {content(entry) for entry in merged}
    base_ids = {entry["id"] for entry in base}
    for version in (ours, theirs):
        for entry in version:
            if entry["id"] not in base_ids:
                # Added on either side: kept, under its id or a new one.
                assert content(entry) in by_content
    for entry in ours:
        if entry["id"] in {other["id"] for other in theirs}:
            # On both sides: never removed.
            assert entry["id"] in merged_ids
    for entry in base:
        o = next((x for x in ours if x["id"] == entry["id"]), None)
        t = next((x for x in theirs if x["id"] == entry["id"]), None)
        if (o is None and t in (None, entry)) or (t is None and o == entry):
            assert entry["id"] not in merged_ids, "removed on one side, unchanged on the other"
    NewsFile.model_validate(result.document)
    assert result.document["items"] == sorted(merged, key=lambda e: (e["date"], e["id"]))


@settings(max_examples=150, deadline=None)
@given(triples())
def test_merging_a_side_with_itself_or_the_base_gives_that_side(
    data: tuple[list[dict[str, Any]], ...],
) -> None:
    base, ours, _ = data
    expected = NewsFile.model_validate(doc(*ours)).to_data()
    for left, right in ((ours, ours), (ours, base), (base, ours)):
        result = merge_documents(doc(*base), doc(*left), doc(*right))
        assert result.clean
        assert NewsFile.model_validate(result.document).to_data() == expected
