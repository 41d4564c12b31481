"""Item types: the built-in ones, a file's own, and matching what a user typed.

Kept free of Pydantic so that help and completion can list types cheaply.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from coopcli.core.errors import UsageError

#: Built-in types, key -> label, in the order they are listed to users.
BUILTIN_TYPES: dict[str, str] = {
    "news": "News",
    "spotlight": "Spotlight Interviews with Co-operators",
    "champion": "COOP Champions",
    "statement": "Statement",
    "story": "Story",
}


def all_types(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The built-in types followed by a file's own ``[types]``."""
    merged = dict(BUILTIN_TYPES)
    if extra:
        merged.update(extra)
    return merged


def _fold(text: str) -> str:
    return " ".join(text.casefold().replace("-", " ").split())


def match_type(text: str, types: Mapping[str, str]) -> str | None:
    """Return the key of the type named by ``text`` (its key or label, any case), or None.

    A label written in the plural or singular ("COOP Champion", "Spotlight interview")
    also matches, since listing pages are inconsistent about it.
    """
    wanted = _fold(text)
    for key, label in types.items():
        names = {_fold(key), _fold(label)}
        names |= {name.removesuffix("s") for name in names}
        if wanted in names or wanted.removesuffix("s") in names:
            return key
    return None


def resolve_type(text: str, types: Mapping[str, str]) -> str:
    """Like :func:`match_type`, but an unknown type is a usage error with a suggestion."""
    key = match_type(text, types)
    if key is not None:
        return key
    raise UsageError(unknown_type_message(text, types))


def unknown_type_message(text: str, types: Mapping[str, str]) -> str:
    """``unknown type 'x' (valid: …); did you mean 'y'?``"""
    valid = ", ".join(types)
    message = f"unknown type {text!r} (valid: {valid})"
    candidates = {_fold(k): k for k in types} | {_fold(v): k for k, v in types.items()}
    close = difflib.get_close_matches(_fold(text), list(candidates), n=1, cutoff=0.5)
    if close:
        message += f"; did you mean {candidates[close[0]]!r}?"
    return message
