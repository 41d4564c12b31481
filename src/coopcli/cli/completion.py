"""Shell completion of values: type names, tags and item ids.

Typer calls these while the user presses Tab, so they must be quick and quiet: they
read the item file's index (no Pydantic on a warm cache), print nothing, and answer
with nothing at all when anything goes wrong (no file, a bad file, a bad config).
"""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coopcli.core.errors import UsageError
from coopcli.core.itemtypes import all_types

if TYPE_CHECKING:
    from coopcli.storage.index import Index

#: At most this many ids are offered (shells slow down on thousands of candidates).
MAX_IDS = 200
#: Descriptions are cut to this many characters: Typer wraps longer ones onto new
#: lines, which zsh would show as separate candidates.
MAX_HELP = 50


def describe(title: str) -> str:
    """A title as a one-line completion description: short, with no markup."""
    text = " ".join(title.split())
    if len(text) > MAX_HELP:
        text = text[: MAX_HELP - 1].rstrip() + "…"
    # Typer renders descriptions as Rich markup; a title's [brackets] must stay text.
    return text.replace("[", "\\[")


def _file_flag(ctx: Any) -> str | None:
    """``--file`` as typed so far, after the command or before it."""
    while ctx is not None:
        value = (ctx.params or {}).get("file")
        if value:
            return str(value)
        ctx = ctx.parent
    return None


@contextlib.contextmanager
def _index(ctx: Any) -> Iterator[Index | None]:
    """The item file's index, or None when there is no usable file."""
    from coopcli.config import choose_file
    from coopcli.storage.reading import open_index
    from coopcli.storage.store import Store

    # Completion output is read by the shell: nothing may reach stdout or stderr.
    with contextlib.redirect_stderr(io.StringIO()):
        path = choose_file(_file_flag(ctx)).path
        if not path.is_file():
            yield None
            return
        with open_index(Store(Path(os.fspath(path)))) as idx:
            yield idx


def complete_types(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Type keys (with their labels) starting with what was typed.

    The built-in types are offered even when the item file cannot be read.
    """

    types = all_types()
    try:
        with _index(ctx) as idx:
            if idx is not None:
                types = all_types(idx.meta.types)
    except Exception:
        pass
    wanted = incomplete.casefold()
    return [(key, describe(label)) for key, label in types.items() if key.startswith(wanted)]


def complete_tags(ctx: Any, incomplete: str) -> list[str]:
    """Tags used in the file, most used first, starting with what was typed."""
    try:
        with _index(ctx) as idx:
            if idx is None:
                return []
            counts = idx.counts("tag")
        wanted = incomplete.casefold()
        ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
        return [tag for tag, _ in ranked if tag.startswith(wanted)]
    except Exception:
        return []


def complete_ids(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Item ids starting with what was typed, each with its title as the description."""
    try:
        with _index(ctx) as idx:
            if idx is None:
                return []
            rows = idx.ids_with_prefix(incomplete, limit=MAX_IDS)
        return [(row.id, describe(row.title)) for row in rows]
    except Exception:
        return []


#: The shells Typer has completion scripts for.
SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
PROG_NAME = "coopcli"
COMPLETE_VAR = "_COOPCLI_COMPLETE"


def _shell(value: str) -> str:
    """The shell named (any case), or the one coopcli runs in when none was."""

    name = value.strip().lower()
    if not name:
        from typer._completion_shared import _get_shell_name

        name = _get_shell_name() or ""
        if name not in SHELLS:
            raise UsageError(
                f"cannot tell which shell this is ({name or 'none found'}); "
                f"name it: one of {', '.join(SHELLS)}"
            )
    if name not in SHELLS:
        raise UsageError(f"no completion for the shell {value!r}; one of {', '.join(SHELLS)}")
    return name


def completion_script(shell: str) -> str:
    """The script that makes ``shell`` complete coopcli's commands, options and values.

    ``shell`` empty means the shell coopcli runs in.
    """
    from typer._completion_shared import get_completion_script

    return get_completion_script(
        prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=_shell(shell)
    )


def install_completion(shell: str) -> tuple[str, Path]:
    """Install ``shell``'s completion script where that shell loads it; return both."""
    from typer._completion_shared import install

    return install(shell=_shell(shell), prog_name=PROG_NAME, complete_var=COMPLETE_VAR)
