"""What git's state means for an item file: a merge in progress, a driver not set up.

Each function first looks for a file (cheap), and only asks git when that file is
there, so a command outside git, or in a repository without coopcli's driver,
runs no git process at all.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import subprocess

CONFLICT_SUFFIX = ".conflict"
#: The merge driver's name in ``.gitattributes`` (``merge=coopcli``) and git config.
DRIVER = "coopcli"


def conflict_file(item_file: Path) -> Path:
    """``<file>.conflict``: where the merge driver puts theirs' side of a conflict."""
    target = Path(os.path.realpath(item_file))
    return target.with_name(target.name + CONFLICT_SUFFIX)


def _git(directory: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    # Imported here: most commands never get this far, and start-up counts.

    try:
        return subprocess.run(
            ["git", *args], cwd=directory, capture_output=True, text=True, check=False
        )
    except OSError:
        return None


def is_unmerged(item_file: Path) -> bool:
    """Whether git has the file as unmerged: a merge stopped on it and is not done."""
    target = Path(os.path.realpath(item_file))
    if not target.parent.is_dir():
        return False
    done = _git(target.parent, "ls-files", "--unmerged", "--", target.name)
    return done is not None and done.returncode == 0 and bool(done.stdout.strip())


@dataclass(frozen=True)
class ConflictState:
    """The ``.conflict`` file beside an item file, and whether its merge is still going."""

    path: Path
    merging: bool


def conflict_state(item_file: Path) -> ConflictState | None:
    """The ``.conflict`` file's state, or None when there is none."""
    found = conflict_file(item_file)
    if not found.is_file():
        return None
    return ConflictState(found, is_unmerged(item_file))


def tidy_conflict(item_file: Path) -> Path | None:
    """Remove a ``.conflict`` file left from a merge that is resolved; return it if removed.

    While git still has the item file as unmerged, the file stays: it holds theirs'
    side of what conflicted, which the person resolving the merge needs.
    """
    state = conflict_state(item_file)
    if state is None or state.merging:
        return None
    with contextlib.suppress(OSError):
        state.path.unlink()
        return state.path
    return None  # pragma: no cover - a file that cannot be removed stays


def _attributes_name_driver(directory: Path) -> Path | None:
    """The repository root whose ``.gitattributes`` names the coopcli driver, if any."""
    marker = f"merge={DRIVER}"
    for folder in (directory, *directory.parents):
        attributes = folder / ".gitattributes"
        with contextlib.suppress(OSError):
            if marker in attributes.read_text(encoding="utf-8", errors="replace"):
                return folder
        if (folder / ".git").exists():
            return None
    return None


def driver_not_configured(item_file: Path) -> Path | None:
    """The repository whose ``.gitattributes`` uses the coopcli merge driver while
    this clone's git config does not define it (``git-setup`` was never run here)."""
    target = Path(os.path.realpath(item_file))
    root = _attributes_name_driver(target.parent)
    if root is None:
        return None
    done = _git(root, "config", "--get", f"merge.{DRIVER}.driver")
    if done is None or done.returncode == 0:
        return None
    return root
