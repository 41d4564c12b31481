"""What the commands do to a document, as functions a test (or a script) can call.

No printing and no file access here: the CLI loads the document through the store,
calls one of these, and renders the result.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from coopcli.core import ids, query, rules, search
from coopcli.core.errors import DataError, UsageError
from coopcli.core.itemtypes import all_types, resolve_type
from coopcli.core.view import Row, to_data, to_json
from coopcli.storage.append import optional_text, plain_text
from coopcli.storage.index import Query

if TYPE_CHECKING:
    from coopcli.core.models import Item, NewsFile
    from coopcli.core.search import Hit, SearchQuery
    from coopcli.core.status import Status
    from coopcli.core.view import ItemView
    from coopcli.storage.index import Index, Query


@dataclass(frozen=True)
class Selection:
    """What ``list``, ``search`` and ``export`` show: the items and how they were chosen."""

    items: Sequence[ItemView]
    filters: query.Filters
    total: int
    #: The search, as understood (``untfsse -meeting``), when there was one.
    searched: str | None = None

    def caption(self) -> str:
        """``3 of 10 items · type news · 2021-10-01 to 2021-10-31``: what was understood."""
        parts = [f"{len(self.items)} of {plural(self.total, 'item')}"]
        if self.searched:
            parts.append(f"matching {self.searched}")
        return " · ".join(parts + filter_parts(self.filters))


def filter_parts(filters: query.Filters) -> list[str]:
    """The filters as understood, for a caption: ``type news``, ``2021-10-01 to 2021-10-31``."""
    parts = []
    if filters.types:
        parts.append("type " + ", ".join(sorted(filters.types)))
    if filters.tags:
        joiner = " or " if filters.any_tag else " and "
        parts.append("tag " + joiner.join(filters.tags))
    if not filters.period.is_open:
        parts.append(filters.period.describe())
    return parts


def plural(count: int, noun: str) -> str:
    """``1 item``, ``2 items``: a count and its noun, grammatical."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def index_query(
    filters: query.Filters,
    *,
    contains: Sequence[str] = (),
    contains_any: Sequence[str] = (),
    newest_first: bool = True,
    limit: int | None = None,
) -> Query:
    """What the index is asked for: the filters, and substrings the text must hold."""

    return Query(
        types=filters.types,
        tags=filters.tags,
        any_tag=filters.any_tag,
        since=filters.period.start,
        until=filters.period.end,
        contains=tuple(contains),
        contains_any=tuple(contains_any),
        newest_first=newest_first,
        limit=limit,
    )


def select_rows(
    idx: Index,
    args: query.FilterArgs,
    *,
    sort: query.SortKey = query.SortKey.DATE,
    reverse: bool = False,
    limit: int | None = None,
    now: dt.date | None = None,
    status: Status | None = None,
    at: dt.datetime | None = None,
) -> Selection:
    """Filter, sort and cut the items, answered by the index: only the rows shown are read.

    ``status`` keeps only items with that status at the instant ``at`` (default now).
    """

    filters = query.Filters.from_args(args, all_types(idx.meta.types), now)
    by_date = sort is query.SortKey.DATE
    by_status = status is not None
    rows = idx.rows(
        index_query(
            filters,
            newest_first=not reverse,
            limit=limit if by_date and not by_status else None,
        )
    )
    if status is not None:
        from coopcli.core import status as statuses

        moment = at if at is not None else statuses.now()
        rows = [row for row in rows if statuses.status(row, moment) is status]
        if by_date:
            rows = query.limit(rows, limit)
    if not by_date:
        rows = query.limit(query.sort(rows, sort, reverse=reverse), limit)
    return Selection(rows, filters, idx.meta.count)


def select_batches(
    idx: Index,
    args: query.FilterArgs,
    *,
    reverse: bool = False,
    limit: int | None = None,
    now: dt.date | None = None,
    size: int = 500,
) -> Iterator[list[Row]]:
    """The rows :func:`select_rows` gives when sorted by date, ``size`` at a time."""
    filters = query.Filters.from_args(args, all_types(idx.meta.types), now)
    return idx.row_batches(index_query(filters, newest_first=not reverse, limit=limit), size)


@dataclass(frozen=True)
class Found:
    """What ``search`` shows: the hits in order, and the selection they make."""

    hits: Sequence[Hit]
    selection: Selection
    query: SearchQuery

    def spans(self) -> dict[str, dict[str, tuple[tuple[int, int], ...]]]:
        """Where each shown item matched (by id), for highlighting."""

        return {hit.item.id: search.spans(hit.item, self.query) for hit in self.hits}


@dataclass(frozen=True)
class Ranked:
    """What a search found, as ids and scores in the order shown; :func:`hit_batches`
    reads the items themselves a batch at a time."""

    found: Sequence[tuple[str, float]]
    filters: query.Filters
    total: int
    query: SearchQuery


def rank(
    idx: Index,
    args: query.FilterArgs,
    searched: SearchQuery,
    *,
    sort: query.SortKey | None = None,
    reverse: bool = False,
    limit: int | None = None,
    now: dt.date | None = None,
    size: int = 500,
) -> Ranked:
    """Search the items the filters select, through the index.

    Only rows that hold every required word's root are read from the index, ``size``
    at a time, and scored; of each match only its id, date, score and (to sort by
    title or type) that key are kept. ``sort`` None is by relevance (best first,
    then newest); by date, title or type as ``list`` sorts.
    """

    labels = all_types(idx.meta.types)
    filters = query.Filters.from_args(args, labels, now)
    candidates = index_query(
        filters,
        contains=search.required_substrings(searched),
        contains_any=search.any_substrings(searched),
    )
    ranking = search.Ranking(searched, labels=labels, total=idx.meta.count)
    keys: list[str] = []
    for batch in idx.row_batches(candidates, size):
        picked = ranking.add(batch)
        if sort is query.SortKey.TITLE:
            keys += [batch[i].title.casefold() for i in picked]
        elif sort is query.SortKey.TYPE:
            keys += [batch[i].type for i in picked]
    order = ranking.ranked()
    if sort is not None:
        # As query.sort orders items: newest first then by id, under the title or type.
        dates, ids_ = ranking.dates, ranking.ids
        if keys:
            order.sort(key=lambda entry: (keys[entry[0]], -dates[entry[0]], ids_[entry[0]]))
        else:
            order.sort(key=lambda entry: (-dates[entry[0]], ids_[entry[0]]))
    if reverse:
        order.reverse()
    order = order if limit is None else order[:limit]
    found = [(ranking.ids[k], score) for k, score in order]
    return Ranked(found, filters, idx.meta.count, searched)


def hit_batches(idx: Index, ranked: Ranked, size: int = 500) -> Iterator[list[Hit]]:
    """The hits of ``ranked`` in its order, ``size`` at a time, read from the index."""
    for start in range(0, len(ranked.found), size):
        chunk = ranked.found[start : start + size]
        rows = idx.rows_by_id([id_ for id_, _ in chunk])
        yield [search.Hit(row, score) for row, (_, score) in zip(rows, chunk, strict=True)]


def search_rows(
    idx: Index,
    args: query.FilterArgs,
    searched: SearchQuery,
    *,
    sort: query.SortKey | None = None,
    reverse: bool = False,
    limit: int | None = None,
    now: dt.date | None = None,
) -> Found:
    """What :func:`rank` finds, with every hit's item read."""
    ranked = rank(idx, args, searched, sort=sort, reverse=reverse, limit=limit, now=now)
    hits = [hit for batch in hit_batches(idx, ranked) for hit in batch]
    items = [hit.item for hit in hits]
    selection = Selection(items, ranked.filters, ranked.total, searched.describe())
    return Found(hits, selection, searched)


def _check_duplicate(doc: NewsFile, candidate: Item, *, ignore: str | None = None) -> None:
    key = (candidate.title.casefold(), candidate.date)
    for item in doc.items:
        if item.id != ignore and (item.title.casefold(), item.date) == key:
            raise duplicate_error(item.id)


def _model_error(exc: Exception) -> UsageError:
    from pydantic import ValidationError

    if isinstance(exc, ValidationError):
        from coopcli.core.validation import problems, sentence

        return UsageError(sentence(problems(exc.errors(include_url=False))[0]))
    raise exc


def add_item(
    doc: NewsFile,
    *,
    type: str,
    title: str,
    date: dt.date,
    summary: str | None = None,
    url: str | None = None,
    tags: Sequence[str] = (),
    force: bool = False,
    draft: bool = False,
    embargo: str | None = None,
) -> Item:
    """Add a new item with a fresh id and return it.

    An item with the same title (ignoring case) and date is refused unless ``force``.
    """
    from coopcli.core.models import Item

    key = resolve_type(type, doc.all_types())
    if doc.tags:
        from coopcli.core.tags import check_vocabulary

        check_vocabulary(tags, doc.tags)
    taken = {item.id for item in doc.items}
    try:
        item = Item(
            id=ids.new_id(date, title, taken),
            type=key,
            title=title,
            date=date,
            summary=summary,
            url=url,
            tags=list(tags),
            draft=draft,
            embargo=embargo,
        )
    except Exception as exc:
        raise _model_error(exc) from None
    if not force:
        _check_duplicate(doc, item)
    doc.items.append(item)
    return item


def edit_item(
    doc: NewsFile,
    ref: str,
    *,
    type: str | None = None,
    title: str | None = None,
    date: dt.date | None = None,
    summary: str | None = None,
    url: str | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    draft: bool | None = None,
    embargo: str | None = None,
    force: bool = False,
) -> tuple[Item, list[str]]:
    """Change an item's fields in place; its id never changes.

    An empty ``summary`` or ``url`` clears it. A title and date that another item
    already has are refused unless ``force``. A changed title or summary of an item
    the public can see records the time in ``updated``. Returns the item and the
    names of the fields that changed.
    """
    item = ids.find(doc.items, ref)
    updated, changed = edited(
        item,
        doc.all_types(),
        vocabulary=doc.tags,
        type=type,
        title=title,
        date=date,
        summary=summary,
        url=url,
        add_tags=add_tags,
        remove_tags=remove_tags,
        draft=draft,
        embargo=embargo,
    )
    # A document's items are models, so the edit is one too (the plain path is for rows).
    model = cast("Item", updated)
    if not force:
        _check_duplicate(doc, model, ignore=item.id)
    index = next(n for n, other in enumerate(doc.items) if other is item)
    doc.items[index] = model
    return model, changed


def edited(
    item: ItemView,
    types: dict[str, str],
    *,
    vocabulary: Mapping[str, str] | None = None,
    type: str | None = None,
    title: str | None = None,
    date: dt.date | None = None,
    summary: str | None = None,
    url: str | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    draft: bool | None = None,
    embargo: str | None = None,
) -> tuple[ItemView, list[str]]:
    """``item`` with these changes, validated, and the names of the fields that changed.

    ``draft`` sets or clears the draft mark; ``embargo`` (in its stored form, see
    :func:`coopcli.core.status.parse_embargo`) sets the embargo and ``""`` clears it.
    """
    changes = {
        "type": type,
        "title": title,
        "date": date,
        "summary": summary,
        "url": url,
        "add_tags": add_tags,
        "remove_tags": remove_tags,
        "draft": draft,
        "embargo": embargo,
    }
    if vocabulary and add_tags:
        from coopcli.core.tags import check_vocabulary

        # Only tags the item did not have: an old tag may stay until it is cleaned up.
        had = {tag.casefold() for tag in item.tags}
        check_vocabulary([t for t in add_tags if t.strip().casefold() not in had], vocabulary)
    plain = _edited_plainly(item, types, **changes)  # type: ignore[arg-type]
    updated, changed = (
        plain if plain is not None else _edited_model(item, types, **changes)  # type: ignore[arg-type]
    )
    if "title" in changed or "summary" in changed:
        from coopcli.core import status as statuses

        at = statuses.now()
        if statuses.is_public(item, at):
            # A correction of what the public has already seen: feeds and the site say when.
            stamp = statuses.updated_stamp(at)
            updated = (
                updated._replace(updated=stamp)
                if isinstance(updated, Row)
                else updated.model_copy(update={"updated": stamp})
            )
            changed = sorted({*changed, "updated"})
    return updated, changed


def _edited_model(
    item: ItemView,
    types: dict[str, str],
    *,
    type: str | None = None,
    title: str | None = None,
    date: dt.date | None = None,
    summary: str | None = None,
    url: str | None = None,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
    draft: bool | None = None,
    embargo: str | None = None,
) -> tuple[Item, list[str]]:
    """:func:`edited`, through the models."""
    from coopcli.core.models import Item

    changes: dict[str, object] = {}
    if type is not None:
        changes["type"] = resolve_type(type, types)
    if title is not None:
        changes["title"] = title
    if date is not None:
        changes["date"] = date
    if summary is not None:
        changes["summary"] = summary
    if url is not None:
        changes["url"] = url
    if draft is not None:
        changes["draft"] = draft
    if embargo is not None:
        changes["embargo"] = embargo or None
    if add_tags or remove_tags:
        dropped = {tag.casefold() for tag in remove_tags}
        unknown = dropped - {tag.casefold() for tag in item.tags}
        if unknown:
            raise UsageError(f"{item.id} has no tag {sorted(unknown)[0]!r}")
        kept = [tag for tag in item.tags if tag.casefold() not in dropped]
        changes["tags"] = kept + list(add_tags)
    before = to_data(item)
    try:
        updated = Item.model_validate({**to_json(item), **changes})
    except Exception as exc:
        raise _model_error(exc) from None
    after = updated.to_data()
    changed = sorted(
        name for name in after.keys() | before.keys() if after.get(name) != before.get(name)
    )
    return updated, changed


def _edited_plainly(
    item: ItemView,
    types: dict[str, str],
    *,
    type: str | None,
    title: str | None,
    date: dt.date | None,
    summary: str | None,
    url: str | None,
    add_tags: Sequence[str],
    remove_tags: Sequence[str],
    draft: bool | None,
    embargo: str | None,
) -> tuple[Row, list[str]] | None:
    """:func:`edited` without the models, for the values they would store unchanged;
    None for anything else (the models then decide, and word any refusal)."""

    fields = item._asdict() if isinstance(item, Row) else None
    if fields is None:
        return None
    if type is not None:
        fields["type"] = resolve_type(type, types)
    if title is not None:
        fields["title"] = plain_text(title)
    if date is not None:
        fields["date"] = date
    if draft is not None:
        fields["draft"] = draft
    if embargo is not None:
        # Already in its stored form (parse_embargo), which the models keep as it is.
        fields["embargo"] = embargo or None
    for name, value in (("summary", summary), ("url", url)):
        if value is not None:
            ok, text = optional_text(value)
            if not ok:
                return None
            fields[name] = text
    if add_tags or remove_tags:
        dropped = {tag.casefold() for tag in remove_tags}
        unknown = dropped - {tag.casefold() for tag in item.tags}
        if unknown:
            raise UsageError(f"{item.id} has no tag {sorted(unknown)[0]!r}")
        kept = [tag for tag in item.tags if tag.casefold() not in dropped]
        fields["tags"] = rules.clean_tags(kept + list(add_tags))
    if not fields["title"] or fields["tags"] is None:
        return None
    try:
        rules.check_url(fields["url"])
    except ValueError:
        return None
    updated = Row(**{**fields, "tags": tuple(fields["tags"])})
    before, after = to_data(item), to_data(updated)
    changed = sorted(
        name for name in after.keys() | before.keys() if after.get(name) != before.get(name)
    )
    return updated, changed


def duplicate_error(other_id: str) -> DataError:
    """The refusal of an item whose title and date another item has."""
    return DataError(
        f"an item with this title and date already exists: {other_id} "
        "(use --force to add it anyway)"
    )


def find_items(doc: NewsFile, refs: Sequence[str]) -> list[Item]:
    """The items named by ``refs`` (ids or unique prefixes), each once, in order given."""
    found: list[Item] = []
    for ref in refs:
        item = ids.find(doc.items, ref)
        if item not in found:
            found.append(item)
    return found


def remove_items(doc: NewsFile, items: Sequence[Item]) -> None:
    """Remove these items from the document."""
    gone = {item.id for item in items}
    doc.items[:] = [item for item in doc.items if item.id not in gone]


def publish_items(doc: NewsFile, items: Sequence[Item]) -> set[str]:
    """Clear the draft mark and the embargo of these items; the ids that changed."""
    wanted = {item.id for item in items}
    changed: set[str] = set()
    for position, item in enumerate(doc.items):
        if item.id in wanted and (item.draft or item.embargo is not None):
            doc.items[position] = item.model_copy(update={"draft": False, "embargo": None})
            changed.add(item.id)
    return changed
