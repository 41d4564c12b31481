"""The errors coopcli reports to its users, each with its exit code.

The CLI catches :class:`CoopError` in one place and prints ``Error: <message>``
on stderr; anything else escaping a command is a bug.
"""

from __future__ import annotations


class CoopError(Exception):
    """Base class: a problem the user can act on. Exit code 1 (a data error)."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class DataError(CoopError):
    """The item file (or an input file) is malformed or fails validation."""


class NotFoundError(CoopError):
    """No item matches the id or prefix given."""


class UsageError(CoopError):
    """A command-line value is wrong: an unknown type, an impossible date, a bad flag value."""

    exit_code = 2


class LockTimeoutError(CoopError):
    """Another coopcli process held the item file's lock for too long."""

    exit_code = 3


class WriteError(CoopError):
    """The item file could not be written; the previous version is untouched."""

    exit_code = 4
