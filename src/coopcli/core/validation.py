"""Pydantic's validation errors in words a person uses.

Every place that turns a ``ValidationError`` into a message (loading, ``check``,
``add``/``edit``, import) goes through :func:`problems`, so the same mistake reads
the same everywhere: "title must not be empty", "missing the required field
'date'", "unknown field 'titel' (did you mean 'title'?)". It takes the plain error
dictionaries (``exc.errors()``), so this module never imports Pydantic.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: The fields of an item and of the file, for "did you mean …?".
ITEM_FIELDS = ("id", "type", "title", "date", "summary", "url", "tags")
FILE_FIELDS = ("version", "title", "link", "description", "types", "items")


@dataclass(frozen=True)
class FieldProblem:
    """One problem: the place that holds the field, the field, and what is wrong."""

    #: Where the field lives: ``("items", 3)``, or ``()`` for the file itself.
    container: tuple[int | str, ...]
    #: The field (``"title"``, ``"tags[2]"``), or None for the whole container.
    field: str | None
    message: str
    #: Whether ``message`` names the field itself ("title must not be empty");
    #: otherwise it reads after the field's location ("items[3].url: must be …").
    names_field: bool = True
    #: Whether ``message`` names the container too ("items[3] must be a table …").
    names_place: bool = False

    @property
    def loc(self) -> tuple[int | str, ...]:
        """The full location, container then field."""
        return self.container + ((self.field,) if self.field else ())

    def where(self) -> str:
        """Where the message applies: ``items[3]``, or ``items[3].url`` when the
        message does not name the field (empty for the file itself, or when the
        message names its place)."""
        if self.names_place:
            return ""
        return location(self.container if self.names_field else self.loc)


def location(loc: Iterable[int | str]) -> str:
    """A location as a user reads it: ``items[3].date``."""
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _known(container: tuple[int | str, ...]) -> Sequence[str]:
    return ITEM_FIELDS if container[:1] == ("items",) or not container else FILE_FIELDS


def _split(loc: tuple[int | str, ...]) -> tuple[tuple[int | str, ...], str | None]:
    """The container and the field of a location (``tags[2]`` stays one field)."""
    parts = list(loc)
    tail: list[int | str] = []
    while parts and isinstance(parts[-1], int) and len(parts) > 1 and parts[-2] != "items":
        tail.insert(0, parts.pop())
    if not parts or isinstance(parts[-1], int):
        return tuple(parts + tail), None
    name = str(parts.pop()) + "".join(f"[{n}]" for n in tail)
    return tuple(parts), name


def _message(error: Mapping[str, Any], field: str | None) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    value = error.get("input")
    name = field or "the value"
    base = (field or "").split("[")[0]
    if kind == "missing":
        return f"missing the required field {name!r}"
    if kind == "string_too_short" and context.get("min_length") == 1:
        return f"{name} must not be empty"
    if kind == "string_too_long":
        return f"{name} is too long (at most {context.get('max_length')} characters)"
    if kind in ("string_type", "str_type"):
        return f"{name} must be text, not {_kind(value)}"
    if kind in ("list_type",):
        return f"{name} must be a list, not {_kind(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"{name} must be a table of fields, not {_kind(value)}"
    if kind.startswith(("int_", "int")) and kind != "int_from_float":
        return f"{name} must be a whole number, not {value!r}"
    if kind.startswith("date"):
        if isinstance(value, str):
            return f"{name} {value!r} is not a valid date (write it YYYY-MM-DD)"
        return f"{name} must be a date written YYYY-MM-DD, not {_kind(value)}"
    if kind == "string_pattern_mismatch":
        if base == "tags":
            if isinstance(value, str) and not any(c in value for c in ",;"):
                return f"the tag {value!r} cannot contain a control character"
            return f"the tag {value!r} cannot contain a comma or semicolon"
        if base == "id":
            return f"{value!r} is not a valid id (letters, digits, '.', '_' and '-')"
        if base == "types":
            return f"{value!r} is not a valid type key (lower-case letters, digits, '_', '-')"
    return str(error.get("msg", "")).removeprefix("Value error, ")


def _kind(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", list: "a list"}
    names.update({dict: "a table", str: "text"})
    return names.get(type(value), type(value).__name__)


def problem(error: Mapping[str, Any]) -> FieldProblem:
    """One Pydantic error dictionary as a :class:`FieldProblem`."""
    loc = tuple(error.get("loc", ()))
    if error.get("type") == "extra_forbidden" and loc:
        container, unknown = loc[:-1], str(loc[-1])
        close = difflib.get_close_matches(unknown, _known(container), n=1, cutoff=0.6)
        hint = (
            f"did you mean {close[0]!r}?"
            if close
            else "from a newer coopcli, or a typo? refusing the file rather than dropping it"
        )
        return FieldProblem(container, None, f"unknown field {unknown!r} ({hint})")
    if loc[-1:] == ("[key]",) and len(loc) >= 2:
        # A bad key of a table ([types]): loc is (..., "types", "Bad Key", "[key]").
        key = loc[-2]
        return FieldProblem(
            loc[:-2],
            None,
            f"{key!r} is not a valid type key (lower-case letters, digits, '_' and '-')",
        )
    container, field = _split(loc)
    if field is None and container:
        # The whole entry is wrong (an item that is not a table): name it.
        message = _message(error, location(container))
        return FieldProblem(container, None, message, names_place=True)
    message = _message(error, field)
    generic = message == str(error.get("msg", "")).removeprefix("Value error, ")
    return FieldProblem(container, field, message, names_field=not generic or field is None)


def problems(errors: Iterable[Mapping[str, Any]]) -> list[FieldProblem]:
    """Every error of a ``ValidationError.errors()`` list, in order."""
    return [problem(error) for error in errors]


def sentence(found: FieldProblem) -> str:
    """A problem on one line: ``items[3]: title must not be empty``."""
    where = found.where()
    return f"{where}: {found.message}" if where else found.message
