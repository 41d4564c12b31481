"""The backup beside every item file: ``<file>.bak``, and putting it back.

Every save keeps the version it replaces as ``<file>.bak``, byte for byte (see
:mod:`coopcli.storage.atomic`). :func:`restore` swaps the two: the backup becomes the item
file and the item file becomes the backup, so restoring twice undoes a restore.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from coopcli.core.errors import DataError, NotFoundError, WriteError
from coopcli.storage.atomic import atomic_write, remove_stale_temporaries

if TYPE_CHECKING:
    from coopcli.core.models import NewsFile
    from coopcli.storage.store import Store

#: How many differing ids :meth:`Swap.describe` names before counting the rest.
SHOWN_IDS = 5


def shown_path(store: Store) -> Path:
    """The backup's path as the user would write it: beside the file as they named it,
    or beside a symlink's target (where it really is)."""
    if store.path.is_symlink():
        return store.backup_path
    return store.path.with_name(store.path.name + ".bak")


@dataclass(frozen=True)
class Swap:
    """What restoring the backup would do: both versions, read and validated."""

    current: bytes | None
    backup: bytes
    current_doc: NewsFile | None
    backup_doc: NewsFile

    @property
    def identical(self) -> bool:
        """Whether the backup holds exactly the current bytes."""
        return self.current == self.backup

    def describe(self, store: Store) -> list[str]:
        """Lines telling a person what the swap changes."""
        backup_count = _count(len(self.backup_doc.items))
        lines = [f"{shown_path(store)}: {backup_count} (will become {store.path})"]
        if self.current is None:
            lines.append(f"{store.path}: does not exist")
            return lines
        if self.current_doc is None:
            lines.append(f"{store.path}: not a valid item file (it becomes the backup)")
            return lines
        lines.append(
            f"{store.path}: {_count(len(self.current_doc.items))} (will become the backup)"
        )
        now = {item.id: item for item in self.current_doc.items}
        then = {item.id: item for item in self.backup_doc.items}
        lines += _ids("only in the file, gone after restoring", [i for i in now if i not in then])
        lines += _ids("only in the backup, back after restoring", [i for i in then if i not in now])
        changed = [i for i in now if i in then and now[i] != then[i]]
        lines += _ids("different in the backup", changed)
        return lines


def _count(n: int) -> str:
    return f"{n} item{'' if n == 1 else 's'}"


def _ids(heading: str, ids: list[str]) -> list[str]:
    if not ids:
        return []
    shown = ", ".join(ids[:SHOWN_IDS])
    more = f" and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
    return [f"  {heading}: {shown}{more}"]


def plan(store: Store) -> Swap:
    """Read the file and its backup (call while holding the store's lock).

    A missing or invalid backup is refused; an invalid item file is not, since
    putting the backup back is how one recovers from a broken hand edit. A backup
    that a killed writer left staged is put in place first.
    """
    remove_stale_temporaries(store.target)
    try:
        backup = store.backup_path.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(
            f"{shown_path(store)}: no backup to restore (one is kept from the first change on)"
        ) from None
    except OSError as exc:
        raise DataError(f"{shown_path(store)}: cannot read: {exc.strerror}") from None
    try:
        backup_doc = store.parse(backup)
    except DataError as exc:
        problem = exc.message.removeprefix(str(store.path))
        raise DataError(
            f"{shown_path(store)}{problem}; the backup is not a valid item file, not restoring it"
        ) from None
    current = store.read_bytes()
    current_doc = None
    if current is not None:
        try:
            current_doc = store.parse(current)
        except DataError:
            current_doc = None
    return Swap(current, backup, current_doc, backup_doc)


def restore(store: Store, swap: Swap) -> None:
    """Swap the item file and its backup, atomically (under the store's lock).

    The backup's bytes are written as a new version of the file (so its mode and a
    symlink are kept), and the version they replace becomes the backup. When there
    is no file, the backup is copied back and stays as it is.
    """

    def verify(written: bytes) -> None:
        if written != swap.backup:
            raise WriteError(
                f"{store.path}: the backup did not read back as written; nothing restored"
            )

    def unchanged() -> None:
        if store.read_bytes() != swap.current:
            raise WriteError(f"{store.path}: changed while restoring; nothing restored")

    remove_stale_temporaries(store.target)
    atomic_write(
        store.path,
        swap.backup,
        verify=verify,
        before_replace=unchanged,
        backup=store.backup_path if swap.current is not None else None,
    )
