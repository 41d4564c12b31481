"""Long output through a pager, on a terminal only.

:func:`paging` collects what a command prints to stdout. When stdout is a terminal
and the text is taller than the screen, it goes to the pager (``$PAGER``, config
``pager``, else ``less``); otherwise it is written as it is. Into a pipe or a file
nothing is held back and no pager ever runs.
"""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from coopcli.cli import render

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


class _Screen(io.StringIO):
    """Collects stdout while still looking like the terminal it stands for.

    Rich asks ``isatty()`` to decide on colour and tables; the answer stays true.
    """

    def isatty(self) -> bool:
        return True


def screen_lines(text: str, width: int) -> int:
    """How many rows of a ``width``-column terminal ``text`` fills."""
    rows = 0
    for line in text.splitlines():
        visible = len(_ANSI.sub("", line))
        rows += max(1, -(-visible // max(width, 1)))
    return rows


def fits(text: str) -> bool:
    """Whether ``text`` fits on the screen with a line to spare for the prompt."""
    size = shutil.get_terminal_size()
    return screen_lines(text, size.columns) < size.lines


def pager_command() -> list[str] | None:
    """The pager to run, split into words; None when paging is turned off.

    The default pager is used only when it is installed; one the user chose is
    always tried (and a warning says so if it cannot run).
    """
    from coopcli.config import pager_setting

    setting = pager_setting()
    words = shlex.split(setting.value or "")
    if not words or words[0] == "cat":
        return None
    if setting.is_default and shutil.which(words[0]) is None:
        return None
    return words


def show(text: str, command: list[str]) -> bool:
    """Send ``text`` to the pager; False if the pager could not be started."""
    import subprocess

    env = dict(os.environ)
    # less: quit if one screen (-F), keep colours (-R), leave the text on screen (-X).
    env.setdefault("LESS", "FRX")
    env.setdefault("LV", "-c")
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)
    except OSError as exc:
        render.warning(f"cannot run the pager {command[0]!r}: {exc.strerror}; set PAGER")
        return False
    assert process.stdin is not None
    try:
        with process.stdin as pipe:
            pipe.write(text.encode(sys.stdout.encoding or "utf-8", "replace"))
    except BrokenPipeError:
        pass  # the reader quit the pager before the end: that is fine
    while True:
        try:
            process.wait()
            break
        except KeyboardInterrupt:
            continue  # Ctrl-C belongs to the pager (less uses it to stop a search)
    return True


@contextmanager
def paging(enabled: bool = True) -> Iterator[None]:
    """Page what the body prints to stdout, when on a terminal and it is long."""
    if not enabled or not render.stdout_is_terminal():
        yield
        return
    command = pager_command()
    if command is None:
        yield
        return
    real = sys.stdout
    screen = _Screen()
    sys.stdout = screen
    try:
        yield
    except BaseException:
        sys.stdout = real
        real.write(screen.getvalue())  # what was printed before the error still counts
        raise
    sys.stdout = real
    text = screen.getvalue()
    if fits(text) or not show(text, command):
        real.write(text)
        real.flush()
