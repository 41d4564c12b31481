"""An item's history from git: each commit that changed it, by whom, and which fields.

Two git processes whatever the length of the history: one ``git log --raw`` lists
the commits that touched the item file (following renames) with the blob of the
file before and after each; one ``git cat-file --batch`` then reads every blob
named. Each version is parsed without validation (an old version may predate a
rule) and the item is compared field by field, keyed by its id, which never
changes. Merge commits are skipped: the change is shown on the commit that made it.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopcli.core.errors import DataError, UsageError

_EMPTY = "0" * 40
_RECORD = "\x1e"
_FIELD = "\x1f"


@dataclass(frozen=True)
class Change:
    """One commit's change to one item."""

    commit: str
    date: dt.datetime
    author: str
    email: str
    subject: str
    #: ``added``, ``changed`` or ``removed``.
    action: str
    #: The fields whose value changed (every field present when added or removed).
    fields: tuple[str, ...] = ()
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The change for ``--format json``: stable keys, dates as ISO text."""

        def plain(item: Mapping[str, Any]) -> dict[str, Any]:
            return {
                k: v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
                for k, v in item.items()
            }

        return {
            "commit": self.commit,
            "date": self.date.isoformat(),
            "author": self.author,
            "email": self.email,
            "subject": self.subject,
            "action": self.action,
            "fields": list(self.fields),
            "before": plain(self.before),
            "after": plain(self.after),
        }


@dataclass(frozen=True)
class _Commit:
    sha: str
    date: dt.datetime
    author: str
    email: str
    subject: str
    old_blob: str
    new_blob: str


def _git(args: list[str], cwd: Path, data: bytes | None = None) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, input=data, capture_output=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc.strerror}") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise DataError(f"git {args[0]}: {message[-1] if message else 'failed'}")
    return done.stdout


def repository_of(path: Path) -> Path:
    """The top of the git working tree that holds the file ``path``."""
    directory = path.resolve().parent
    try:
        done = subprocess.run(
            ["git", "rev-parse", "--show-toplevel"],
            cwd=directory,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc.strerror}") from None
    if done.returncode != 0 or not done.stdout.strip():
        raise UsageError(f"{path} is not in a git repository: its history is kept by git")
    return Path(done.stdout.strip())


def _commits(root: Path, relative: str) -> list[_Commit]:
    try:
        raw_log = _git(
            [
                "log",
                "--follow",
                "--no-merges",
                "--raw",
                "--no-abbrev",
                f"--format={_RECORD}%H{_FIELD}%aI{_FIELD}%an{_FIELD}%ae{_FIELD}%s",
                "--",
                relative,
            ],
            root,
        )
    except DataError as exc:
        if "does not have any commits" in str(exc):
            return []  # a new repository: nothing committed yet
        raise
    out = raw_log.decode("utf-8", "replace")
    commits: list[_Commit] = []
    for record in out.split(_RECORD)[1:]:
        header, _, rest = record.partition("\n")
        sha, date, author, email, subject = header.split(_FIELD, 4)
        raw = next((line for line in rest.splitlines() if line.startswith(":")), None)
        if raw is None:
            continue
        # :100644 100644 <old blob> <new blob> M\tpath
        parts = raw.split("\t", 1)[0].split()
        commits.append(
            _Commit(
                sha, dt.datetime.fromisoformat(date), author, email, subject, parts[2], parts[3]
            )
        )
    return commits


def _blobs(root: Path, names: set[str]) -> dict[str, bytes]:
    wanted = sorted(names - {_EMPTY})
    if not wanted:
        return {}
    out = _git(["cat-file", "--batch"], root, ("\n".join(wanted) + "\n").encode())
    blobs: dict[str, bytes] = {}
    position = 0
    for name in wanted:
        end = out.index(b"\n", position)
        header = out[position:end].split()
        if len(header) < 3 or header[1] == b"missing":  # pragma: no cover - git gave the id
            position = end + 1
            continue
        size = int(header[2])
        blobs[name] = out[end + 1 : end + 1 + size]
        position = end + 1 + size + 1
    return blobs


def _item(
    parse: Callable[[bytes], dict[str, Any]], data: bytes | None, item_id: str
) -> dict[str, Any] | None:
    if data is None:
        return None
    try:
        document = parse(data)
    except DataError:
        return None  # a version with a syntax error (a conflicted merge, say)
    for entry in document.get("items") or ():
        if isinstance(entry, dict) and entry.get("id") == item_id:
            return entry
    return None


def history(path: Path, item_id: str, parse: Callable[[bytes], dict[str, Any]]) -> list[Change]:
    """Every commit that added, changed or removed ``item_id`` in ``path``, newest first.

    ``parse`` turns one version's bytes into plain item-file data (the store's own
    parser, so TOML and JSON files alike).
    """
    root = repository_of(path)
    relative = str(path.resolve().relative_to(root))
    commits = _commits(root, relative)
    blobs = _blobs(root, {c.old_blob for c in commits} | {c.new_blob for c in commits})
    cache: dict[str, dict[str, Any] | None] = {}

    def version(blob: str) -> dict[str, Any] | None:
        if blob not in cache:
            cache[blob] = _item(parse, blobs.get(blob), item_id)
        return cache[blob]

    changes: list[Change] = []
    for commit in commits:
        before, after = version(commit.old_blob), version(commit.new_blob)
        if before == after:
            continue
        if before is None:
            action, names = "added", tuple(after or ())
        elif after is None:
            action, names = "removed", tuple(before)
        else:
            action = "changed"
            names = tuple(
                name
                for name in (*after, *(k for k in before if k not in after))
                if before.get(name) != after.get(name)
            )
        changes.append(
            Change(
                commit.sha,
                commit.date,
                commit.author,
                commit.email,
                commit.subject,
                action,
                names,
                before or {},
                after or {},
            )
        )
    return changes
