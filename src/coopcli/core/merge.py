"""Three-way merge of two versions of an item file, item by item, keyed by id.

Pure functions on plain data (a document as :func:`coopcli.core.view.document_data` makes
it): no files, no Pydantic. The git driver (:mod:`coopcli.git.driver`) loads the three
versions, calls :func:`merge_documents`, and writes what it returns.

The rules, for each id (and likewise for each feed metadata field and each entry of
``[types]``):

- added on one side, or on both the same way: kept;
- changed on one side only: that change is taken; changed on both sides in different
  fields: both changes are taken (tags added or removed on either side are combined);
- removed on one side and unchanged on the other: removed;
- the same field changed differently on both sides: a conflict, the item kept as OURS
  has that field;
- edited on one side and removed on the other: a conflict, the edited version kept;
- ``updated`` set differently on both sides (two corrections): the later time kept;
- one id given to two different new items (two people adding items with the same
  date and title words): THEIRS' item gets a new id by the usual scheme
  (:func:`coopcli.core.ids.new_id`), so neither is dropped.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from coopcli.core.ids import new_id
from coopcli.core.itemtypes import BUILTIN_TYPES
from coopcli.core.status import updated_instant
from coopcli.core.view import ITEM_FIELDS

META_FIELDS = ("title", "link", "description")

Data = Mapping[str, Any]


class ConflictKind(str, enum.Enum):
    """Why the merge could not decide alone."""

    #: The same field changed differently on both sides; OURS' value kept.
    CHANGED_BOTH = "changed on both sides"
    #: Edited on one side, removed on the other; the edited version kept.
    EDITED_REMOVED = "edited on one side, removed on the other"


@dataclass(frozen=True)
class Conflict:
    """One thing the two sides disagree on.

    ``what`` is ``item``, ``meta`` or ``type``; ``key`` the item id, metadata field or
    type key; ``ours``/``theirs``/``base`` the versions (None when absent); ``fields``
    the item fields changed differently; ``kept`` which side's version is in the result.
    """

    what: str
    key: str
    kind: ConflictKind
    base: Any
    ours: Any
    theirs: Any
    kept: str
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rename:
    """THEIRS' new item whose id was already given to a different item by OURS."""

    old: str
    new: str
    #: True when the two items also share title and date: maybe the same news twice.
    maybe_duplicate: bool


@dataclass
class MergeResult:
    """The merged document, and what happened on the way."""

    document: dict[str, Any]
    conflicts: list[Conflict] = field(default_factory=list)
    renamed: list[Rename] = field(default_factory=list)
    added: int = 0
    changed: int = 0
    removed: int = 0
    #: Types one side removed but merged items still use, so they were kept.
    kept_types: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        """Whether the merge needed no decision from a person."""
        return not self.conflicts

    def theirs_document(self, theirs: Data) -> dict[str, Any] | None:
        """THEIRS' side of every conflict as an item file's data (None if nothing to show).

        Items (with the types they use), metadata and type labels as THEIRS has them,
        for the conflicts THEIRS did not remove: what a person compares with the result.
        """
        items = [
            c.theirs for c in self.conflicts if c.what == "item" and c.theirs and c.kept == "ours"
        ]
        meta = {c.key: c.theirs for c in self.conflicts if c.what == "meta" and c.theirs}
        their_types = dict(theirs.get("types") or {})
        types = {
            c.key: c.theirs for c in self.conflicts if c.what == "type" and c.theirs is not None
        }
        for item in items:
            if item["type"] in their_types:
                types.setdefault(item["type"], their_types[item["type"]])
        if not (items or meta or types):
            return None
        data: dict[str, Any] = {"version": theirs.get("version", 1)}
        data.update(meta)
        if types:
            data["types"] = types
        data["items"] = items
        return data


def _merge_value(base: Any, ours: Any, theirs: Any) -> tuple[Any, bool]:
    """(merged value, whether the two sides conflict) for one scalar."""
    if ours == theirs or theirs == base:
        return ours, False
    if ours == base:
        return theirs, False
    return ours, True


def _merge_tags(base: Sequence[str], ours: Sequence[str], theirs: Sequence[str]) -> list[str]:
    """Tags added on either side kept, removed on either side gone; OURS' spelling."""
    if list(ours) == list(theirs) or list(theirs) == list(base):
        return list(ours)
    if list(ours) == list(base):
        return list(theirs)
    in_base = {tag.casefold() for tag in base}
    in_ours = {tag.casefold() for tag in ours}
    in_theirs = {tag.casefold() for tag in theirs}
    kept = [tag for tag in ours if tag.casefold() in in_theirs or tag.casefold() not in in_base]
    kept += [
        tag for tag in theirs if tag.casefold() not in in_ours and tag.casefold() not in in_base
    ]
    return kept


def _full(item: Data) -> dict[str, Any]:
    """Every field present (missing optional ones as None, tags as a list)."""
    data = {name: item.get(name) for name in ITEM_FIELDS}
    data["tags"] = list(item.get("tags") or ())
    data["draft"] = bool(item.get("draft"))
    return data


def _stored(item: Mapping[str, Any]) -> dict[str, Any]:
    """Fixed key order, empty fields left out (as :func:`coopcli.core.view.to_data`)."""
    data = {name: item[name] for name in ("id", "type", "title", "date")}
    for name in ("summary", "url"):
        if item.get(name) is not None:
            data[name] = item[name]
    if item.get("tags"):
        data["tags"] = list(item["tags"])
    if item.get("draft"):
        data["draft"] = True
    for name in ("embargo", "updated"):
        if item.get(name) is not None:
            data[name] = item[name]
    return data


def _merge_item(base: Data, ours: Data, theirs: Data) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Field by field: (merged item, fields changed differently on both sides)."""
    b, o, t = _full(base), _full(ours), _full(theirs)
    merged: dict[str, Any] = {}
    clashes: list[str] = []
    for name in ITEM_FIELDS:
        if name == "tags":
            merged[name] = _merge_tags(b[name], o[name], t[name])
            continue
        if name == "updated" and o[name] and t[name] and b[name] not in (o[name], t[name]):
            # Both sides corrected the item: it was last updated at the later time.
            merged[name] = max(o[name], t[name], key=updated_instant)
            continue
        merged[name], clash = _merge_value(b[name], o[name], t[name])
        if clash:
            clashes.append(name)
    return _stored(merged), tuple(clashes)


def _by_id(doc: Data) -> dict[str, dict[str, Any]]:
    # Items in their stored form, so that equal items compare equal as plain dicts.
    return {item["id"]: _stored(_full(item)) for item in doc.get("items") or ()}


def _order(item: Data) -> tuple[dt.date, str]:
    return (item["date"], item["id"])


def merge_documents(base: Data, ours: Data, theirs: Data) -> MergeResult:
    """Merge OURS and THEIRS, two versions of the item file BASE (see the module doc).

    Each argument is a document as plain data; a missing or empty file is ``{}``.
    """
    result = MergeResult(document={})
    b_items, o_items, t_items = _by_id(base), _by_id(ours), _by_id(theirs)
    merged: dict[str, dict[str, Any]] = {}
    collisions: list[Data] = []
    for key in sorted(b_items.keys() | o_items.keys() | t_items.keys()):
        b, o, t = b_items.get(key), o_items.get(key), t_items.get(key)
        if b is None:
            if o is not None and t is not None and o != t:
                merged[key] = o
                collisions.append(t)
            elif o is not None or t is not None:
                merged[key] = o if o is not None else t  # type: ignore[assignment]
            result.added += (o is not None) + (t is not None and o != t)
            continue
        if o is None or t is None:
            other = t if o is None else o
            if other is None or other == b:
                result.removed += 1
                continue
            kept = "theirs" if o is None else "ours"
            result.conflicts.append(
                Conflict("item", key, ConflictKind.EDITED_REMOVED, b, o, t, kept)
            )
            merged[key] = other
            continue
        if o == t or t == b:
            merged[key] = o
            result.changed += o != b
            continue
        if o == b:
            merged[key] = t
            result.changed += 1
            continue
        item, clashes = _merge_item(b, o, t)
        if clashes:
            result.conflicts.append(
                Conflict("item", key, ConflictKind.CHANGED_BOTH, b, o, t, "ours", clashes)
            )
        result.changed += item != b
        merged[key] = item

    taken = set(merged) | set(b_items) | set(o_items) | set(t_items)
    for theirs_item in collisions:
        fresh = new_id(theirs_item["date"], theirs_item["title"], taken)
        taken.add(fresh)
        namesake = merged[theirs_item["id"]]
        twin = (namesake["title"].casefold(), namesake["date"]) == (
            theirs_item["title"].casefold(),
            theirs_item["date"],
        )
        result.renamed.append(Rename(theirs_item["id"], fresh, twin))
        merged[fresh] = _stored({**_full(theirs_item), "id": fresh})

    document: dict[str, Any] = {
        "version": max(int(doc.get("version") or 1) for doc in (base, ours, theirs))
    }
    for name in META_FIELDS:
        b, o, t = (doc.get(name) for doc in (base, ours, theirs))
        value, clash = _merge_value(b, o, t)
        if clash:
            result.conflicts.append(
                Conflict("meta", name, ConflictKind.CHANGED_BOTH, b, o, t, "ours")
            )
        if value is not None:
            document[name] = value

    types = _merge_types(base, ours, theirs, result)
    vocabulary = _merge_types(base, ours, theirs, result, key="tags")
    in_use = {item["type"] for item in merged.values()}
    for key in sorted(in_use - types.keys() - BUILTIN_TYPES.keys()):
        for doc in (ours, theirs, base):
            label = (doc.get("types") or {}).get(key)
            if label is not None:
                types[key] = label
                result.kept_types.append(key)
                break
    if types:
        document["types"] = dict(sorted(types.items()))
    if vocabulary:
        document["tags"] = dict(sorted(vocabulary.items(), key=lambda pair: pair[0].casefold()))
    document["items"] = sorted(merged.values(), key=_order)
    result.document = document
    return result


def _merge_types(
    base: Data, ours: Data, theirs: Data, result: MergeResult, key: str = "types"
) -> dict[str, str]:
    """Merge a table of labels: ``[types]``, or the tag vocabulary ``[tags]``."""
    what = "type" if key == "types" else "tag"
    b_types, o_types, t_types = (dict(doc.get(key) or {}) for doc in (base, ours, theirs))
    types: dict[str, str] = {}
    for name in sorted(b_types.keys() | o_types.keys() | t_types.keys()):
        b, o, t = b_types.get(name), o_types.get(name), t_types.get(name)
        if b is not None and (o is None) != (t is None) and (o or t) != b:
            kept = "ours" if t is None else "theirs"
            result.conflicts.append(
                Conflict(what, name, ConflictKind.EDITED_REMOVED, b, o, t, kept)
            )
            types[name] = o or t  # type: ignore[assignment]
            continue
        value, clash = _merge_value(b, o, t)
        if clash:
            result.conflicts.append(
                Conflict(what, name, ConflictKind.CHANGED_BOTH, b, o, t, "ours")
            )
        if value is not None:
            types[name] = value
    return types
