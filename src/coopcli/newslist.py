"""``NewsList``: one item file, read and changed by the rules every front end shares.

The command line, a script, a test or ``coopcli site`` all go through this class: it
owns the store (the locked, atomic file), the index cache and the rules of writing
(the fast append, duplicate checks, "changed since you looked"). It never prints and
never asks; a front end asks first, then calls a method with what it was shown as
``expect``, and the method checks, under the lock, that nothing changed since.

Example::

    >>> from coopcli import NewsList
    >>> news = NewsList.open("news.toml")
    >>> item = news.add(type="news", title="ILO country briefs", date="2021-10-28")
    >>> item.id
    '2021-10-28-ilo-country-briefs'
    >>> [i.title for i in news.items(limit=5)]
    ['ILO country briefs']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopcli import actions
from coopcli.core.errors import DataError, UsageError
from coopcli.core.query import FilterArgs, Filters, SortKey
from coopcli.core.rules import Limits
from coopcli.storage.store import Store

if TYPE_CHECKING:
    from coopcli.core.models import Item, NewsFile
    from coopcli.core.search import Hit, SearchQuery
    from coopcli.core.status import Status
    from coopcli.core.tags import Retag
    from coopcli.core.view import ItemView, Listing, Row
    from coopcli.formats import ReadResult, Writer
    from coopcli.formats.streaming import Write
    from coopcli.importer import Progress, Report, Undated
    from coopcli.storage.append import NewItem
    from coopcli.storage.backup import Swap
    from coopcli.storage.check import Report as CheckReport
    from coopcli.storage.index import Index, Meta
    from coopcli.storage.splice import Change, Plan
    from coopcli.storage.stats import By, Stats


@dataclass(frozen=True)
class Edited:
    """What :meth:`NewsList.edit` did: the item as saved and the fields that changed."""

    item: ItemView
    changed: list[str]


@dataclass(frozen=True)
class Exported:
    """What :meth:`NewsList.export` made: the text, what it holds, what to warn about."""

    text: str
    format: str
    count: int
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Counted:
    """What :meth:`NewsList.stats` counted, and how many items the list has in all."""

    stats: Stats
    total: int
    filters: Filters


def _day(value: dt.date | str | None) -> dt.date:
    from coopcli.core.dates import parse_date, today

    if value is None:
        return today()
    return value if isinstance(value, dt.date) else parse_date(value)


class NewsList:
    """A news list kept in one TOML or JSON item file.

    Reading methods answer from the index cache (rebuilt from the file whenever the
    file changed, so it can be deleted at any time); writing methods lock the file,
    change it atomically and keep the previous version as ``<file>.bak``.
    """

    def __init__(self, store: Store, limits: Limits | None = None) -> None:
        self.store = store
        #: The longest title and summary :meth:`add` and :meth:`edit` accept.
        self.limits = limits or Limits()

    @classmethod
    def open(
        cls, path: str | Path, *, create_parents: bool = False, format: str | None = None
    ) -> NewsList:
        """The list in ``path`` (``.toml`` or ``.json``); it need not exist yet.

        ``create_parents`` lets the first write create missing directories;
        ``format`` names the codec for a file whose suffix does not (git's
        temporary copies).
        """
        return cls(Store(Path(path), create_parents=create_parents, format=format))

    @property
    def path(self) -> Path:
        """The item file."""
        return self.store.path

    def exists(self) -> bool:
        """Whether the item file exists yet."""
        return self.store.exists()

    def __repr__(self) -> str:
        return f"NewsList({str(self.path)!r})"

    # Reading ----------------------------------------------------------------------

    def index(self) -> Index:
        """The index of the file as it is now; use it as a context manager."""
        from coopcli.storage.reading import open_index

        return open_index(self.store)

    def meta(self) -> Meta:
        """The list's title, link, description, own types and item count."""
        with self.index() as idx:
            return idx.meta

    def types(self) -> dict[str, str]:
        """Every type key this list knows (built-in and its own), with its label."""
        from coopcli.core.itemtypes import all_types

        return all_types(self.meta().types)

    def select(
        self,
        filters: FilterArgs | None = None,
        *,
        sort: SortKey = SortKey.DATE,
        reverse: bool = False,
        limit: int | None = None,
        now: dt.date | None = None,
        status: Status | None = None,
        at: dt.datetime | None = None,
    ) -> actions.Selection:
        """The items the filters select, newest first (or by ``sort``), with a caption.

        ``status`` keeps only drafts, embargoed or published items at the instant
        ``at`` (default: now).
        """
        with self.index() as idx:
            return actions.select_rows(
                idx,
                filters or FilterArgs(),
                sort=sort,
                reverse=reverse,
                limit=limit,
                now=now,
                status=status,
                at=at,
            )

    @contextmanager
    def select_batches(
        self,
        filters: FilterArgs | None = None,
        *,
        reverse: bool = False,
        limit: int | None = None,
        now: dt.date | None = None,
        size: int = 500,
    ) -> Iterator[Iterator[Sequence[ItemView]]]:
        """The items :meth:`select` gives (newest first, or oldest with ``reverse``),
        ``size`` at a time, for output that need not hold them all."""
        with self.index() as idx:
            yield actions.select_batches(
                idx, filters or FilterArgs(), reverse=reverse, limit=limit, now=now, size=size
            )

    def items(
        self,
        filters: FilterArgs | None = None,
        *,
        sort: SortKey = SortKey.DATE,
        reverse: bool = False,
        limit: int | None = None,
    ) -> list[ItemView]:
        """The items the filters select, newest first (or by ``sort``)."""
        return list(self.select(filters, sort=sort, reverse=reverse, limit=limit).items)

    def search(
        self,
        query: str | Sequence[str] | SearchQuery,
        filters: FilterArgs | None = None,
        *,
        sort: SortKey | None = None,
        reverse: bool = False,
        limit: int | None = None,
        now: dt.date | None = None,
    ) -> actions.Found:
        """Find items by words of their title, summary, type and tags, best first.

        ``query`` is read as ``coopcli search`` reads its words: ``"ilo briefs"``,
        ``'"country briefs" -draft'``, ``tag:asia``. The hits carry their items.
        """
        from coopcli.core.search import SearchQuery, parse_query

        searched = (
            query
            if isinstance(query, SearchQuery)
            else parse_query([query] if isinstance(query, str) else list(query))
        )
        with self.index() as idx:
            return actions.search_rows(
                idx,
                filters or FilterArgs(),
                searched,
                sort=sort,
                reverse=reverse,
                limit=limit,
                now=now,
            )

    @contextmanager
    def search_batches(
        self,
        query: SearchQuery,
        filters: FilterArgs | None = None,
        *,
        sort: SortKey | None = None,
        reverse: bool = False,
        limit: int | None = None,
        now: dt.date | None = None,
        size: int = 500,
    ) -> Iterator[tuple[actions.Ranked, Iterator[list[Hit]]]]:
        """What :meth:`search` finds, for output that need not hold every item: what
        was found (ids and scores, in order), and its hits ``size`` at a time."""
        with self.index() as idx:
            ranked = actions.rank(
                idx,
                filters or FilterArgs(),
                query,
                sort=sort,
                reverse=reverse,
                limit=limit,
                now=now,
            )
            yield ranked, actions.hit_batches(idx, ranked, size)

    def get(self, ref: str) -> ItemView:
        """The item with this id, or the only one whose id starts with ``ref``."""
        from coopcli.core import ids

        with self.index() as idx:
            return ids.find(idx.ids_with_prefix(ref.strip(), limit=None), ref)

    def find(self, refs: Sequence[str]) -> list[ItemView]:
        """The items named by ``refs`` (ids or unique prefixes), each once, as stored."""
        from coopcli.core import ids

        found: list[ItemView] = []
        with self.index() as idx:
            for ref in refs:
                item = ids.find(idx.ids_with_prefix(ref.strip(), limit=None), ref)
                if item not in found:
                    found.append(item)
        return found

    def load(self) -> NewsFile:
        """The whole file, validated (a missing file is an empty list)."""
        return self.store.load()

    def listing(self, items: Sequence[ItemView]) -> Listing:
        """``items`` with the list's title, link, description and types, for a writer."""
        from coopcli.core.view import Listing

        meta = self.meta()
        return Listing(meta.title, meta.link, meta.description, meta.types, items)

    # Writing ----------------------------------------------------------------------

    def create(
        self,
        *,
        title: str | None = None,
        link: str | None = None,
        description: str | None = None,
        types: Mapping[str, str] | None = None,
    ) -> None:
        """Start a new, empty list with its title, link, description and own types.

        Feeds and pages show the title, link and description; ``types`` adds types
        (key -> label) to the built-in ones. An existing file is never replaced.
        """
        from pydantic import ValidationError

        from coopcli.core.validation import problems, sentence

        with self.store.transaction() as doc:
            if self.store.exists():
                raise DataError(f"{self.path} already exists; nothing changed")
            try:
                doc.title, doc.link, doc.description = title, link, description
                doc.types = dict(types or {})
            except ValidationError as exc:
                raise UsageError(sentence(problems(exc.errors(include_url=False))[0])) from None

    @contextmanager
    def transaction(self) -> Iterator[NewsFile]:
        """Lock, load, let the caller change the document, save it if it changed.

        If the body raises, nothing is written. Never wait for a person inside it.
        """
        with self.store.transaction() as doc:
            yield doc

    def _splice(self, plan: Plan) -> Change | None:
        """Make a change by splicing the changed items' blocks, when the file allows."""
        from coopcli.storage.splice import try_change

        return try_change(self.store, plan)

    def add(
        self,
        *,
        type: str,
        title: str,
        date: dt.date | str | None = None,
        summary: str | None = None,
        url: str | None = None,
        tags: Sequence[str] = (),
        force: bool = False,
        draft: bool = False,
        embargo: str | None = None,
    ) -> ItemView:
        """Add an item and return it with its new id (``date`` defaults to today).

        An item with the same title (any case) and date is refused unless ``force``.
        When the file is as coopcli wrote it and the item sorts last, it is appended
        instead of rewriting the file (the same bytes either way). ``draft`` and
        ``embargo`` (``"2026-12-10 09:00 Europe/Zurich"`` or the stored form) keep it
        out of everything public until it is published or the embargo ends.
        """
        from coopcli.core.status import parse_embargo
        from coopcli.storage.append import NewItem, try_append

        self._check_lengths(title, summary)
        stored = None if embargo is None else parse_embargo(embargo)
        new = NewItem(
            type, title, _day(date), summary, url, list(tags), force, draft=draft, embargo=stored
        )
        appended = try_append(self.store, new)
        if appended is not None:
            return appended
        spliced = self._splice(lambda idx: _plan_add(idx, new))
        if spliced is not None:
            added: ItemView = spliced.result
            return added
        with self.store.transaction() as doc:
            return actions.add_item(
                doc,
                type=new.type,
                title=new.title,
                date=new.date,
                summary=new.summary,
                url=new.url,
                tags=new.tags,
                force=new.force,
                draft=new.draft,
                embargo=new.embargo,
            )

    def publish(self, refs: Sequence[str]) -> tuple[list[Item], set[str]]:
        """Clear the draft mark and embargo of the items named by ``refs``.

        Returns the items and the ids of those that were not already published.
        """
        with self.store.transaction() as doc:
            items = actions.find_items(doc, refs)
            return items, actions.publish_items(doc, items)

    def retag(self, sources: Sequence[str], target: str, *, dry_run: bool = False) -> list[Retag]:
        """Replace the tags ``sources`` by ``target`` in every item, in one write.

        The vocabulary (``[tags]``), if the list has one, follows. ``dry_run``
        says what would change and writes nothing.
        """
        from coopcli.core.tags import retag, retag_vocabulary

        if dry_run:
            doc = self.load()
            retag_vocabulary(doc.tags, sources, target)
            return retag(doc.items, sources, target)
        with self.store.transaction() as doc:
            changes = retag(doc.items, sources, target)
            vocabulary = retag_vocabulary(doc.tags, sources, target)
            after = {change.id: list(change.after) for change in changes}
            for position, item in enumerate(doc.items):
                if item.id in after:
                    doc.items[position] = item.model_copy(update={"tags": after[item.id]})
            if vocabulary != doc.tags:
                doc.tags = vocabulary
        return changes

    def _check_lengths(self, title: str | None, summary: str | None) -> None:
        problems = self.limits.problems(title, summary)
        if problems:
            raise UsageError(problems[0][1])

    def edit(
        self,
        ref: str,
        *,
        expect: ItemView | None = None,
        type: str | None = None,
        title: str | None = None,
        date: dt.date | str | None = None,
        summary: str | None = None,
        url: str | None = None,
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        draft: bool | None = None,
        embargo: str | None = None,
        force: bool = False,
    ) -> Edited:
        """Change an item's fields; its id never changes.

        An empty ``summary``, ``url`` or ``embargo`` clears it; ``draft`` sets or
        clears the draft mark, and ``embargo`` is a time as people write it
        (``2026-12-10 09:00 Europe/Zurich``) or as it is stored. With ``expect`` (the item as it
        was shown to the user), nothing is saved when the item changed since.
        """
        day = None if date is None else _day(date)
        self._check_lengths(title, summary)
        if embargo:
            from coopcli.core.status import parse_embargo

            embargo = parse_embargo(embargo)
        changes = {
            "type": type,
            "title": title,
            "date": day,
            "summary": summary,
            "url": url,
            "add_tags": add_tags,
            "remove_tags": remove_tags,
            "draft": draft,
            "embargo": embargo,
        }
        spliced = self._splice(lambda idx: _plan_edit(idx, ref, expect, force, changes))
        if spliced is not None:
            item, changed = spliced.result
            return Edited(item, changed)
        with self.store.transaction() as doc:
            if expect is not None:
                _check_unchanged(doc, [expect], "while you were editing it")
            item, changed = actions.edit_item(
                doc,
                ref,
                type=type,
                title=title,
                date=day,
                summary=summary,
                url=url,
                add_tags=add_tags,
                remove_tags=remove_tags,
                draft=draft,
                embargo=embargo,
                force=force,
            )
        return Edited(item, changed)

    def remove(
        self, refs: Sequence[str], *, expect: Sequence[ItemView] | None = None
    ) -> Sequence[ItemView]:
        """Remove the items named by ``refs`` and return them.

        With ``expect`` (the items as shown when the user confirmed), nothing is
        removed when any of them changed or went since.
        """
        spliced = self._splice(lambda idx: _plan_remove(idx, refs, expect))
        if spliced is not None:
            removed: list[ItemView] = spliced.result
            return removed
        with self.store.transaction() as doc:
            if expect is not None:
                _check_unchanged(doc, expect, "before you confirmed; nothing was removed")
            items = actions.find_items(doc, refs)
            actions.remove_items(doc, items)
        return items

    def import_(
        self,
        results: Sequence[tuple[str, ReadResult]],
        *,
        default_type: str | None = None,
        dry_run: bool = False,
        progress: Progress | None = None,
        skip_invalid: bool = False,
        undated: Undated = "skip",
    ) -> Report:
        """Add the entries read from other files (``importer.read``) and say what happened.

        Duplicates (same id, or same title and date) are skipped and reported. An
        invalid entry stops the import with every problem listed (nothing is written)
        unless ``skip_invalid``; entries without a date are skipped, or dated today or
        with their feed's date, as ``undated`` says; ``dry_run`` changes nothing. When
        nothing at all can be imported, :class:`~coopcli.importer.NothingImported` (a
        DataError holding the report) is raised and nothing is written.
        """
        from coopcli import importer

        if not dry_run:
            spliced = self._splice(
                lambda idx: _plan_import(
                    idx, results, default_type, progress, skip_invalid, undated
                )
            )
            if spliced is not None:
                report: Report = spliced.result
                return report
        if dry_run:
            doc = self.load()
            default = importer.check_type(default_type, doc)
            report = importer.merge(
                doc, results, default_type=default, skip_invalid=skip_invalid, undated=undated
            )
            importer.check_imported(report)
            return report
        with self.store.transaction() as doc:
            default = importer.check_type(default_type, doc)
            report = importer.merge(
                doc,
                results,
                default_type=default,
                progress=progress,
                skip_invalid=skip_invalid,
                undated=undated,
            )
            # Raised inside the transaction: nothing (not even metadata) is written.
            importer.check_imported(report)
            return report

    def export(
        self,
        format: str,
        filters: FilterArgs | None = None,
        *,
        query: str | None = None,
        title: str | None = None,
        link: str | None = None,
        include_drafts: bool = False,
        at: dt.datetime | None = None,
    ) -> Exported:
        """The selected items (or those ``query`` finds, best first) in ``format``.

        ``title`` and ``link`` replace the list's own in the export (a feed's).
        Drafts and items still under embargo at ``at`` (default: now) are left out
        unless ``include_drafts``.
        """
        from coopcli import formats
        from coopcli.formats.feeds import with_metadata

        exporter = formats.writer(format)
        feed = formats.feed_writer(format)
        if query is None:
            selection = self.select(filters)
        else:
            from coopcli.core.search import parse_query

            searched = parse_query([query], spaces_make_phrases=False)
            selection = self.search(searched, filters).selection
        items = selection.items
        if not include_drafts:
            from coopcli.core.status import now, public_only

            items = public_only(items, at if at is not None else now())
        listing = self.listing(items)
        if title is not None or link is not None:
            listing = with_metadata(listing, title=title, link=link)
        warnings = feed.export_warnings(listing) if feed is not None else []
        text = exporter.export(listing)
        return Exported(text, format, len(items), warnings)

    def export_stream(
        self,
        format: str,
        filters: FilterArgs | None = None,
        *,
        query: str | None = None,
        title: str | None = None,
        link: str | None = None,
        include_drafts: bool = False,
        at: dt.datetime | None = None,
    ) -> StreamedExport:
        """:meth:`export`, to be written a batch of items at a time: the same text, but
        never every item in memory at once (a ``query`` keeps the items that match it,
        as :meth:`search` would find them, in the format's own order)."""
        from coopcli import formats
        from coopcli.formats.feeds import with_metadata

        exporter = formats.writer(format)
        feed = formats.feed_writer(format)
        listing = self.listing(())
        if title is not None or link is not None:
            listing = with_metadata(listing, title=title, link=link)
        warnings = feed.export_warnings(listing) if feed is not None else []
        moment = None
        if not include_drafts:
            from coopcli.core.status import now

            moment = at if at is not None else now()
        searched = None
        if query is not None:
            from coopcli.core.search import parse_query

            searched = parse_query([query], spaces_make_phrases=False)
        return StreamedExport(
            self, exporter, listing, filters or FilterArgs(), moment, warnings, searched
        )

    def stats(
        self,
        filters: FilterArgs | None = None,
        *,
        by: Sequence[By] = (),
        limit: int | None = None,
    ) -> Counted:
        """Counts of the selected items by type, month or year, and tag (``by``)."""
        from coopcli.core import query
        from coopcli.core.itemtypes import all_types
        from coopcli.storage import stats as counting

        with self.index() as idx:
            labels = all_types(idx.meta.types)
            resolved = query.Filters.from_args(filters or FilterArgs(), labels)
            numbers = counting.compute(idx, actions.index_query(resolved), labels, list(by), limit)
            return Counted(numbers, idx.meta.count, resolved)

    def check(self, *, today: dt.date | None = None, tolerance: int = 1) -> CheckReport:
        """Every problem of the file, one each: schema, duplicates, future dates, URLs."""
        from coopcli.core.dates import today as current_day
        from coopcli.storage.check import check_file

        return check_file(
            self.store, today=today or current_day(), tolerance=tolerance, limits=self.limits
        )

    def backup_plan(self) -> Swap:
        """What :meth:`restore_backup` would swap: read without waiting for a person."""
        from coopcli.storage import backup

        with self.store.lock():
            return backup.plan(self.store)

    def restore_backup(self, *, expect: Swap | None = None) -> Swap:
        """Swap the file and its ``.bak``: the version before the last change comes back.

        With ``expect`` (the plan the user confirmed), nothing is swapped when the
        file or its backup changed since.
        """
        from coopcli.storage import backup

        with self.store.lock():
            swap = backup.plan(self.store)
            if expect is not None and (swap.current, swap.backup) != (
                expect.current,
                expect.backup,
            ):
                raise DataError(
                    f"{self.path} or its backup changed since you looked; nothing was restored"
                )
            if not swap.identical:
                backup.restore(self.store, swap)
        return swap


def _plan_add(idx: Index, new: NewItem) -> Change | None:
    from coopcli.storage.append import prepare
    from coopcli.storage.splice import Change

    row = prepare(idx, new, last=False)
    return None if row is None else Change(added=[row], result=row)


def _plan_edit(
    idx: Index, ref: str, expect: ItemView | None, force: bool, changes: dict[str, Any]
) -> Change:
    from coopcli.core import ids
    from coopcli.core.itemtypes import all_types
    from coopcli.storage.splice import Change

    if expect is not None:
        _check_rows(idx, [expect], "while you were editing it")
    current = ids.find(idx.ids_with_prefix(ref.strip(), limit=None), ref)
    updated, changed = actions.edited(
        current, all_types(idx.meta.types), vocabulary=idx.meta.vocabulary, **changes
    )
    if not force:
        other = idx.same_title_and_date(updated.title, updated.date, ignore=current.id)
        if other is not None:
            raise actions.duplicate_error(other)
    if not changed:
        return Change(result=(updated, changed))
    return Change(removed=[current.id], added=[updated], result=(updated, changed))


def _plan_remove(idx: Index, refs: Sequence[str], expect: Sequence[ItemView] | None) -> Change:
    from coopcli.core import ids
    from coopcli.storage.splice import Change

    if expect is not None:
        _check_rows(idx, expect, "before you confirmed; nothing was removed")
    found: list[ItemView] = []
    for ref in refs:
        item = ids.find(idx.ids_with_prefix(ref.strip(), limit=None), ref)
        if item not in found:
            found.append(item)
    return Change(removed=[item.id for item in found], result=found)


class _IndexIds:
    """The ids a list holds, answered by its index (for an import)."""

    def __init__(self, idx: Index) -> None:
        self.idx = idx
        self.new: dict[str, str] = {}

    def __contains__(self, key: object) -> bool:
        return key in self.new or (isinstance(key, str) and self.idx.block(key) is not None)

    def __getitem__(self, key: str) -> str:
        return key

    def remember(self, key: str, item_id: str) -> None:
        self.new[key] = item_id


class _IndexTitles:
    """The (folded title, date) pairs a list holds, answered by its index."""

    def __init__(self, idx: Index) -> None:
        self.idx = idx
        self.new: dict[tuple[str, dt.date], str] = {}

    def __contains__(self, key: object) -> bool:
        if key in self.new:
            return True
        if not isinstance(key, tuple):
            return False
        title: str = key[0]
        date: dt.date = key[1]
        return self.idx.same_title_and_date(title, date) is not None

    def __getitem__(self, key: tuple[str, dt.date]) -> str:
        return self.new.get(key) or self.idx.same_title_and_date(*key) or ""

    def remember(self, key: tuple[str, dt.date], item_id: str) -> None:
        self.new[key] = item_id


def _plan_import(
    idx: Index,
    results: Sequence[tuple[str, ReadResult]],
    default_type: str | None,
    progress: Progress | None,
    skip_invalid: bool,
    undated: Undated,
) -> Change | None:
    from coopcli import importer
    from coopcli.storage.splice import Change

    meta = idx.meta
    shell = importer.ListHead(meta.title, meta.link, meta.description, dict(meta.types))
    default = importer.check_type(default_type, shell)
    report = importer.merge(
        shell,
        results,
        default_type=default,
        progress=progress,
        known=(_IndexIds(idx), _IndexTitles(idx)),
        skip_invalid=skip_invalid,
        undated=undated,
        plain=True,
    )
    importer.check_imported(report)
    if report.metadata:
        return None  # the list's own title or types change: the full rewrite writes them
    return Change(added=report.added, result=report)


def _check_rows(idx: Index, expected: Sequence[ItemView], when: str) -> None:
    stored = {shown.id: idx.block(shown.id) for shown in expected}
    _check_shown({id_: found[0] for id_, found in stored.items() if found}, expected, when)


def _check_unchanged(doc: NewsFile, expected: Sequence[ItemView], when: str) -> None:
    """Refuse to go on when an item shown to the user changed or went since."""
    _check_shown({item.id: item for item in doc.items}, expected, when)


def _check_shown(stored: Mapping[str, ItemView], expected: Sequence[ItemView], when: str) -> None:
    from coopcli.core.view import to_data

    for shown in expected:
        now = stored.get(shown.id)
        if now is None:
            raise DataError(f"{shown.id} was removed {when}")
        if to_data(now) != to_data(shown):
            raise DataError(f"{shown.id} was changed elsewhere {when}")


__all__ = ["Counted", "Edited", "Exported", "NewsList", "UsageError"]


class StreamedExport:
    """An export ready to be written, reading the items from the index in batches."""

    def __init__(
        self,
        news: NewsList,
        exporter: Writer,
        listing: Listing,
        filters: FilterArgs,
        at: dt.datetime | None,
        warnings: list[str],
        searched: SearchQuery | None = None,
    ) -> None:
        self._news = news
        #: Only the items that match this search, if any.
        self._searched = searched
        self._exporter = exporter
        self._listing = listing
        self._filters = filters
        #: Items not public at this instant are left out (None: drafts included).
        self._at = at
        #: What the export had to make up (a feed's missing title or link), one line each.
        self.warnings = warnings
        #: How many items the last pass over the selection gave.
        self.count = 0

    def _batches(self, order: str) -> Iterator[list[Row]]:
        from coopcli.core import query, search
        from coopcli.core.itemtypes import all_types
        from coopcli.core.status import public_only

        self.count = 0
        with self._news.index() as idx:
            labels = all_types(idx.meta.types)
            resolved = query.Filters.from_args(self._filters, labels)
            searched = self._searched
            if searched is None:
                selected = actions.index_query(resolved)
            else:
                selected = actions.index_query(
                    resolved,
                    contains=search.required_substrings(searched),
                    contains_any=search.any_substrings(searched),
                )
            for batch in idx.batches(selected, order):
                if searched is not None:
                    batch = search.matching(batch, searched, labels=labels)
                chosen = batch if self._at is None else public_only(batch, self._at)
                self.count += len(chosen)
                yield chosen

    def empty(self) -> bool:
        """Whether no item is selected (read until the first one that is)."""
        return not any(self._batches("stored"))

    def write(self, write: Write) -> int:
        """Hand the export's text to ``write`` piece by piece; how many items it holds."""
        self._exporter.export_stream(self._listing, self._batches, write)
        return self.count
