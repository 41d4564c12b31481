"""The git merge driver: merge three versions of an item file into OURS.

git calls ``coopcli merge-file %O %A %B --path %P``: BASE, OURS and THEIRS are
temporary files without the real file's suffix, so the format comes from ``--path``
(the file's path in the repository) or, failing that, from the contents. The merged
document is written over OURS, atomically and in the canonical form, so the diff of
a merge shows only what changed. On a conflict the file still loads: the conflicting
item is kept as OURS has it, THEIRS' version is written beside the real file as
``<file>.conflict``, and the exit status is 1, which tells git to stop for a person.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coopcli import formats
from coopcli.core.errors import CoopError, DataError, UsageError
from coopcli.core.merge import Conflict, ConflictKind, MergeResult, merge_documents
from coopcli.git.state import CONFLICT_SUFFIX
from coopcli.storage.atomic import atomic_write
from coopcli.storage.store import Store

__all__ = ["CONFLICT_SUFFIX", "Outcome", "merge_files", "sniff_format"]


@dataclass
class Outcome:
    """What the driver did: the merge (None when it fell back to a line merge) and
    the lines of its report, for stderr."""

    result: MergeResult | None
    report: list[str] = field(default_factory=list)
    conflict_file: Path | None = None
    exit_code: int = 0


def sniff_format(path: str | None, contents: list[bytes]) -> str:
    """``toml`` or ``json``: by the real file's suffix, else by the first non-blank byte."""
    if path:
        info = formats.for_path(Path(path), item_file=True)
        if info is not None:
            return info.name
    for data in contents:
        stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
        if stripped:
            return "json" if stripped.startswith((b"{", b"[")) else "toml"
    return "toml"


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None
    except ValueError:  # a NUL in the name: no file can have it
        raise UsageError(f"{str(path)!r}: a file name cannot contain a NUL character") from None


def _describe(value: Any) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    return repr(value) if isinstance(value, str) else str(value)


def _conflict_lines(conflict: Conflict, name: str, conflict_file: Path | None) -> list[str]:
    what = {"item": "item", "meta": "feed", "type": "type", "tag": "tag"}[conflict.what]
    lines = [f"CONFLICT in {name}: {what} {conflict.key}: {conflict.kind.value}"]
    if conflict.kind is ConflictKind.EDITED_REMOVED:
        removed = "ours" if conflict.ours is None else "theirs"
        lines.append(f"  removed in {removed}; the edited version ({conflict.kept}) is kept")
        if conflict.what == "item":
            lines.append(f"  if it should go: coopcli --file {name} remove {conflict.key} --yes")
        return lines
    if conflict.what == "item":
        for name_ in conflict.fields:
            lines.append(f"  {name_}:")
            lines.append(f"    ours:   {_describe(conflict.ours.get(name_))}")
            lines.append(f"    theirs: {_describe(conflict.theirs.get(name_))}")
            lines.append(f"    base:   {_describe(conflict.base.get(name_))}")
    else:
        lines.append(f"  ours:   {_describe(conflict.ours)}")
        lines.append(f"  theirs: {_describe(conflict.theirs)}")
    where = f"; theirs is in {conflict_file}" if conflict_file else ""
    lines.append(f"  kept ours{where}")
    return lines


def _summary(result: MergeResult, name: str) -> str:
    added = f"{result.added} added"
    if result.added:
        added += f" ({result.added_ours} by ours, {result.added_theirs} by theirs)"
    counts = [added, f"{result.changed} changed", f"{result.removed} removed"]
    conflicts = len(result.conflicts)
    tail = f", {conflicts} conflict{'s' if conflicts != 1 else ''}" if conflicts else ""
    return f"coopcli merged {name} item by item: {', '.join(counts)}{tail}"


def merge_files(base: Path, ours: Path, theirs: Path, path: str | None = None) -> Outcome:
    """Merge THEIRS into OURS (whose common ancestor is BASE) and write OURS.

    ``path`` is the item file's real path (git's ``%P``), used for its format, in
    messages, and for where ``<file>.conflict`` goes. A version that is not a valid
    item file (a hand edit gone wrong) cannot be merged item by item: then the three
    are merged line by line, as git would without the driver, leaving conflict markers.
    """
    contents = [_read(base), _read(ours), _read(theirs)]
    fmt = sniff_format(path, contents)
    name = path or str(ours)
    store = Store(Path(name), format=fmt)
    docs: list[dict[str, Any]] = []
    for side, data in zip(("base", "ours", "theirs"), contents, strict=True):
        try:
            docs.append(store.parse(data).to_data() if data.strip() else {})
        except DataError as exc:
            return _line_merge(base, ours, theirs, name, f"the {side} version: {exc}")
    Store(ours, format=fmt).refuse_read_only()
    result = merge_documents(*docs)
    from coopcli.core.models import NewsFile

    atomic_write(ours, store.encode(NewsFile.model_validate(result.document)))
    outcome = Outcome(result, [_summary(result, name)])
    for rename in result.renamed:
        note = (
            " (same title and date: check it is not the same news twice)"
            if rename.maybe_duplicate
            else ""
        )
        outcome.report.append(
            f"  theirs' new item {rename.old} is now {rename.new}: ours added a different "
            f"item with that id{note}"
        )
    for key in result.kept_types:
        outcome.report.append(f"  type {key!r} kept: one side removed it, but items still use it")
    if result.clean and path:
        # A clean merge of the file: theirs' side of an earlier conflict is history.
        Path(path).with_name(Path(path).name + CONFLICT_SUFFIX).unlink(missing_ok=True)
    if not result.clean:
        conflicting = result.theirs_document(docs[2])
        if conflicting is not None:
            target = Path(path) if path else ours
            outcome.conflict_file = target.with_name(target.name + CONFLICT_SUFFIX)
            text = store.encode(NewsFile.model_validate(conflicting))
            atomic_write(outcome.conflict_file, text)
        for conflict in result.conflicts:
            outcome.report += _conflict_lines(conflict, name, outcome.conflict_file)
        outcome.report.append(
            f"Fix {name} (it loads as it is), run `coopcli check {name}`, then `git add {name}`"
        )
        outcome.exit_code = 1
    return outcome


def _line_merge(base: Path, ours: Path, theirs: Path, name: str, problem: str) -> Outcome:
    """Fall back to git's own line merge (conflict markers in OURS)."""
    command = ["git", "merge-file", "-L", "ours", "-L", "base", "-L", "theirs"]
    try:
        done = subprocess.run(
            [*command, str(ours), str(base), str(theirs)],
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError as exc:
        raise CoopError(f"{problem}; and git merge-file could not run: {exc.strerror}") from None
    if not 0 <= done.returncode < 128:  # pragma: no cover - git's own failure
        raise CoopError(f"{problem}; and git merge-file failed: {done.stderr.strip()}")
    report = [
        f"coopcli cannot merge {name} item by item: {problem}",
        "  merged it line by line instead"
        + (" (with conflict markers)" if done.returncode else "")
        + f"; fix it, then run `coopcli check {name}`",
    ]
    return Outcome(None, report, exit_code=min(done.returncode, 1))
