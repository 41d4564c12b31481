"""Property tests: drafts, embargoes and corrections survive every round trip."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coopcli.core.merge import merge_documents
from coopcli.core.models import NewsFile
from coopcli.core.view import Row
from coopcli.formats import csv as csvformat
from coopcli.importer import merge
from coopcli.storage import index
from coopcli.storage.store import Store
from tests.strategies import embargoes, news_files, updated_stamps

SLOW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(doc=news_files(editorial=True), suffix=st.sampled_from([".toml", ".json"]))
def test_item_files_keep_the_editorial_fields(doc: NewsFile, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / f"news{suffix}")
        with store.transaction() as loaded:
            loaded.items.extend(doc.items)
        again = store.load()
        assert again.to_data() == NewsFile(items=doc.items).to_data()
        assert [(i.draft, i.embargo, i.updated) for i in again.items] == [
            (i.draft, i.embargo, i.updated) for i in sorted(doc.items, key=lambda i: (i.date, i.id))
        ]


@SLOW
@given(doc=news_files(editorial=True))
def test_csv_keeps_the_editorial_fields(doc: NewsFile) -> None:
    data = csvformat.export(doc).encode("utf-8")
    empty = NewsFile()
    report = merge(empty, [("x.csv", csvformat.read(data, "x.csv"))])
    assert not report.invalid
    assert NewsFile(items=empty.items).to_data() == NewsFile(items=doc.items).to_data()


@SLOW
@given(doc=news_files(editorial=True))
def test_the_index_keeps_the_editorial_fields(doc: NewsFile) -> None:
    source = index.Source(doc.items, None, None, None, {})
    with index.in_memory(source) as idx:
        rows = {row.id: row for row in idx.rows()}
    for item in doc.items:
        row = rows[item.id]
        assert (row.draft, row.embargo, row.updated) == (item.draft, item.embargo, item.updated)


def _plain(doc: NewsFile) -> dict[str, Any]:
    return doc.to_data()


@SLOW
@given(
    doc=news_files(max_items=3, editorial=True),
    draft=st.booleans(),
    embargo=st.none() | embargoes(),
    ours_updated=st.none() | updated_stamps,
    theirs_updated=st.none() | updated_stamps,
)
def test_the_merge_takes_each_side_editorial_change(
    doc: NewsFile,
    draft: bool,
    embargo: str | None,
    ours_updated: str | None,
    theirs_updated: str | None,
) -> None:
    base = _plain(doc)
    if not doc.items:
        return
    first = doc.items[0]
    # OURS publishes or drafts the first item and corrects it; THEIRS corrects it too.
    ours_doc = doc.model_copy(deep=True)
    ours_doc.items[0] = first.model_copy(
        update={"draft": draft, "embargo": embargo, "updated": ours_updated}
    )
    theirs_doc = doc.model_copy(deep=True)
    theirs_doc.items[0] = first.model_copy(update={"updated": theirs_updated})
    result = merge_documents(base, _plain(ours_doc), _plain(theirs_doc))
    merged = next(item for item in result.document["items"] if item["id"] == first.id)
    assert bool(merged.get("draft")) is draft
    assert merged.get("embargo") == embargo
    changed = [u for u in (ours_updated, theirs_updated) if u not in (None, first.updated)]
    if ours_updated == theirs_updated:
        assert merged.get("updated") == ours_updated
    elif len(changed) == 2:
        # Two corrections: the later one is when the item was last updated.
        assert merged.get("updated") == max(changed)
        assert result.clean
    # Whatever the merge keeps is a valid item file.
    NewsFile.model_validate(result.document)


def test_rows_default_to_public() -> None:
    row = Row("a", "news", "t", dt.date(2021, 1, 1))
    assert (row.draft, row.embargo, row.updated) == (False, None, None)
