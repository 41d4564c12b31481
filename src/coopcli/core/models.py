"""The item file's schema: Pydantic models, validated on every load.

An item file is ``version``, optional feed metadata (``title``, ``link``,
``description``), an optional ``[types]`` table of the file's own types, and
``items``. Unknown keys are refused (``extra="forbid"``) rather than dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StringConstraints,
    field_validator,
    model_validator,
)

from coopcli.core.itemtypes import all_types, match_type, unknown_type_message
from coopcli.core.rules import ID_MAX_LENGTH, ID_PATTERN, TAG_PATTERN, check_url, unique_tags
from coopcli.core.status import check_embargo, check_updated
from coopcli.core.view import document_data, to_data, to_json

#: The newest file version this coopcli reads and writes.
FILE_VERSION = 1


def _datetime_to_text(value: object) -> object:
    # A TOML file written by hand may hold a native date-time; it is kept as ISO text.
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat().replace("+00:00", "Z")
    return value


def _blank_to_none(value: object) -> object:
    if isinstance(value, str) and not value.strip():
        return None
    return value


Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
OptionalText = Annotated[Text | None, BeforeValidator(_blank_to_none)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, pattern=TAG_PATTERN)]
ItemId = Annotated[str, StringConstraints(pattern=ID_PATTERN, max_length=ID_MAX_LENGTH)]
TypeKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$")]


class Item(BaseModel):
    """One entry of the news list."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    id: ItemId
    type: Text
    title: Text
    date: dt.date
    summary: OptionalText = None
    url: Annotated[OptionalText, AfterValidator(check_url)] = None
    tags: Annotated[list[Tag], AfterValidator(unique_tags)] = Field(default_factory=list)
    #: Never public until published (``coopcli publish``).
    draft: StrictBool = False
    #: Public from this instant on: ``2026-12-10T09:00:00+01:00[Europe/Geneva]``.
    embargo: Annotated[str | None, AfterValidator(check_embargo)] = None
    #: When a published item's title or summary was last corrected (UTC ISO date-time).
    updated: Annotated[
        str | None, BeforeValidator(_datetime_to_text), AfterValidator(check_updated)
    ] = None

    @field_validator("date", mode="before")
    @classmethod
    def _iso_only(cls, value: object) -> object:
        # Dates are stored as ISO: refuse timestamps and datetimes that Pydantic's
        # lax mode would otherwise turn into a date.
        if isinstance(value, dt.datetime) or not isinstance(value, (str, dt.date)):
            raise ValueError("must be a date written YYYY-MM-DD")
        return value

    def to_data(self) -> dict[str, Any]:
        """The item as stored: fixed key order, empty fields left out."""
        return to_data(self)

    def to_json(self) -> dict[str, Any]:
        """The item for ``--format json`` (see :func:`coopcli.core.view.to_json`)."""
        return to_json(self)


class NewsFile(BaseModel):
    """A whole item file."""

    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    version: int = FILE_VERSION
    title: OptionalText = None
    link: Annotated[OptionalText, AfterValidator(check_url)] = None
    description: OptionalText = None
    types: dict[TypeKey, Text] = Field(default_factory=dict)
    #: The list's tag vocabulary (allowed tag -> label); empty allows any tag.
    tags: dict[Tag, Text] = Field(default_factory=dict)
    items: list[Item] = Field(default_factory=list)

    @field_validator("version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value > FILE_VERSION:
            raise ValueError(
                f"file version {value} is newer than this coopcli understands "
                f"(up to {FILE_VERSION}); upgrade coopcli"
            )
        if value < 1:
            raise ValueError("must be 1 or more")
        return value

    @model_validator(mode="after")
    def _check_items(self) -> NewsFile:
        types = self.all_types()
        # Most items name a type by its key; what else they say is matched once.
        matched: dict[str, str | None] = {key: key for key in types}
        seen: dict[str, int] = {}
        for index, item in enumerate(self.items):
            if item.id in seen:
                raise ValueError(
                    f"items[{index}].id: duplicate id {item.id!r} (also items[{seen[item.id]}])"
                )
            seen[item.id] = index
            if item.type not in matched:
                matched[item.type] = match_type(item.type, types)
            key = matched[item.type]
            if key is None:
                raise ValueError(f"items[{index}].type: {unknown_type_message(item.type, types)}")
            if key != item.type:
                # A hand-written label ("Spotlight Interviews…") is stored as its key.
                object.__setattr__(item, "type", key)
        return self

    def all_types(self) -> dict[str, str]:
        """Built-in types and this file's own, key -> label."""
        return all_types(self.types)

    def to_data(self) -> dict[str, Any]:
        """The document as stored: fixed key order, items sorted, empty fields left out."""
        return document_data(self)
