"""``coopcli git-setup``: make git merge the item file with coopcli's merge driver.

Three things, each done only if not done already (so running it again changes
nothing):

- ``.gitattributes`` (committed, so the whole team shares it): the item file's path
  gets ``merge=coopcli``;
- ``git config merge.coopcli.name/driver`` (this clone only: git never shares
  config, so each person runs ``coopcli git-setup`` once in their clone);
- ``.gitignore``: coopcli's side files (``<file>.bak``, ``<file>.lock``, temporary
  files, ``<file>.conflict``), so ``git add -A`` never commits them.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from coopcli.core.errors import DataError, UsageError
from coopcli.git.driver import CONFLICT_SUFFIX
from coopcli.storage.atomic import temp_prefix

DRIVER = "coopcli"
DRIVER_NAME = "coopcli: merge news items by id"


@dataclass(frozen=True)
class Step:
    """One thing git-setup checked: whether it changed something, and what."""

    changed: bool
    text: str


def git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run git in ``cwd`` and return what it said (a missing git is a clear error)."""
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run git: {exc.strerror}") from None


def repository_root(directory: Path) -> Path:
    """The top of the git working tree that holds ``directory``."""
    if not directory.is_dir():
        raise UsageError(f"{directory}: no such directory")
    done = git("rev-parse", "--show-toplevel", cwd=directory)
    if done.returncode != 0 or not done.stdout.strip():
        raise UsageError(
            f"{directory} is not in a git repository (run `git init` there first, "
            "or give --file inside one)"
        )
    return Path(done.stdout.strip())


def driver_command() -> str:
    """The command git runs: this Python, by absolute path, so it works from any shell."""
    return f"{shlex.quote(sys.executable)} -m coopcli merge-file %O %A %B --path %P"


def _quote_attr(pattern: str) -> str:
    # gitattributes splits on whitespace; git reads a C-style quoted pattern instead.
    if any(ch.isspace() or ch in '"\\' for ch in pattern):
        escaped = pattern.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    return pattern


def _escape_glob(path: str) -> str:
    # Glob characters in a file name are meant literally.
    return "".join("\\" + ch if ch in "\\*?[]" else ch for ch in path)


def _append_lines(path: Path, lines: list[str]) -> None:
    try:
        existing = path.read_text(encoding="utf-8") if path.exists() else ""
        separator = "" if not existing or existing.endswith("\n") else "\n"
        with path.open("a", encoding="utf-8") as handle:
            handle.write(separator + "".join(line + "\n" for line in lines))
    except OSError as exc:
        raise DataError(f"{path}: cannot write: {exc.strerror}") from None


def _attributes(root: Path, relative: str) -> Step:
    done = git("check-attr", "merge", "--", relative, cwd=root)
    if done.stdout.strip().endswith(f": merge: {DRIVER}"):
        return Step(False, f".gitattributes: {relative} already uses the coopcli merge driver")
    line = f"{_quote_attr('/' + _escape_glob(relative))} merge={DRIVER}"
    _append_lines(root / ".gitattributes", [line])
    return Step(True, f".gitattributes: added `{line}` (commit it: the team shares it)")


def _config(root: Path) -> list[Step]:
    steps = []
    for key, value in (
        (f"merge.{DRIVER}.name", DRIVER_NAME),
        (f"merge.{DRIVER}.driver", driver_command()),
    ):
        current = git("config", "--local", "--get", key, cwd=root).stdout.rstrip("\n")
        if current == value:
            steps.append(Step(False, f"git config {key} is already `{value}`"))
            continue
        done = git("config", "--local", key, value, cwd=root)
        if done.returncode != 0:
            raise DataError(f"git config {key}: {done.stderr.strip()}")
        steps.append(Step(True, f"git config {key} = `{value}` (this clone only)"))
    return steps


def side_file_patterns(relative: str) -> list[str]:
    """``.gitignore`` lines for the item file's side files (``relative`` to the root)."""
    directory, _, name = relative.rpartition("/")
    prefix = f"/{_escape_glob(directory)}/" if directory else "/"
    escaped = _escape_glob(name)
    temporaries = _escape_glob(temp_prefix(Path(name)))
    return [
        f"{prefix}{escaped}.bak",
        f"{prefix}{escaped}.lock",
        f"{prefix}{escaped}{CONFLICT_SUFFIX}",
        # Temporary files of atomic writes and backups: .news.toml.<random>.tmp
        f"{prefix}{temporaries}*",
    ]


def _ignores(root: Path, relative: str) -> Step:
    path = root / ".gitignore"
    try:
        present = set(path.read_text(encoding="utf-8").splitlines()) if path.exists() else set()
    except OSError as exc:
        raise DataError(f"{path}: cannot read: {exc.strerror}") from None
    missing = [line for line in side_file_patterns(relative) if line not in present]
    if not missing:
        return Step(False, f".gitignore: coopcli's side files of {relative} are already ignored")
    _append_lines(path, [f"# coopcli's side files of {relative}", *missing])
    return Step(True, f".gitignore: added {', '.join(missing)}")


def set_up(item_file: Path) -> tuple[Path, list[Step]]:
    """Register the merge driver for ``item_file``'s repository: (its root, the steps)."""
    directory = Path(os.path.realpath(item_file.parent if item_file.parent.parts else "."))
    root = repository_root(directory)
    real = directory / item_file.name
    try:
        relative = real.relative_to(Path(os.path.realpath(root))).as_posix()
    except ValueError:  # pragma: no cover - rev-parse found the root from this directory
        raise UsageError(f"{item_file} is not inside the repository at {root}") from None
    steps = [_attributes(root, relative), *_config(root), _ignores(root, relative)]
    return root, steps
