"""Drafts, embargoes and corrections: when an item may be seen by the public.

An item is one of three things at a given moment:

- a **draft** (``draft = true``): never public until ``coopcli publish`` clears it;
- **embargoed** (``embargo`` set to an instant still in the future): public from
  that instant on, by itself, with no further command;
- **published**: everything else (including an item whose embargo has passed).

An embargo is stored as one text field in the form of RFC 9557 (ISO 8601 with the
IANA time-zone name in brackets): ``2026-12-10T09:00:00+01:00[Europe/Zurich]`` (typed
as ``2026-12-10 09:00 Europe/Geneva``: a few cities the database files under a
neighbour's zone are understood, see :data:`CITY_ZONES`). The
offset fixes the instant, so comparing needs no time-zone database; the zone name
says what the person meant (09:00 Geneva time) and is what is shown. An embargo
without an offset or without a zone name is refused: ``09:00`` alone is a different
instant in every office of the organisation.

``updated`` (a correction's time) is stored in UTC as ``2026-12-04T17:30:00Z``.

Pure functions: "now" is passed in; :func:`now` reads the clock, or ``COOPCLI_NOW``
(an ISO date-time with an offset) so that scripts and tests can freeze it.
"""

from __future__ import annotations

import datetime as dt
import enum
import os
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol, TypeVar

from coopcli.core.errors import UsageError

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

#: The stored form of an embargo, as a person reads it in the item file.
EMBARGO_EXAMPLE = "2026-12-10T09:00:00+01:00[Europe/Zurich]"

#: Cities people name that the time-zone database files under another city's zone
#: (it keeps one zone per region whose clocks have agreed since 1970).
CITY_ZONES = {
    "europe/geneva": "Europe/Zurich",
    "europe/bern": "Europe/Zurich",
    "europe/the_hague": "Europe/Amsterdam",
    "america/washington": "America/New_York",
    "asia/beijing": "Asia/Shanghai",
    "asia/mumbai": "Asia/Kolkata",
    "asia/delhi": "Asia/Kolkata",
}

_STORED = re.compile(
    r"^(?P<local>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?)"
    r"(?P<offset>Z|[+-]\d{2}:\d{2})"
    r"\[(?P<zone>[A-Za-z0-9_+\-/]+)\]$"
)
# What people type: "2026-12-10 09:00 Europe/Geneva" (or with a T, or seconds).
_TYPED = re.compile(
    r"^\s*(?P<day>\d{4}-\d{2}-\d{2})[T ]\s*(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"\s+(?P<zone>[A-Za-z0-9_+\-/]+)\s*$"
)


class Status(str, enum.Enum):
    """Where an item stands at a given moment."""

    draft = "draft"
    embargoed = "embargoed"
    published = "published"


class HasStatus(Protocol):
    """What deciding an item's status needs of it."""

    @property
    def draft(self) -> bool: ...
    @property
    def embargo(self) -> str | None: ...


T = TypeVar("T", bound=HasStatus)


def now() -> dt.datetime:
    """The current instant (aware), or ``COOPCLI_NOW`` when set (ISO, with an offset)."""
    fixed = os.environ.get("COOPCLI_NOW")
    if not fixed:
        return dt.datetime.now(dt.timezone.utc)
    try:
        value = dt.datetime.fromisoformat(fixed.strip().replace("Z", "+00:00"))
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise UsageError(
            f"COOPCLI_NOW: not an ISO date-time with an offset: {fixed!r} "
            "(such as 2026-12-10T08:00:00Z)"
        )
    return value


def _zone(name: str) -> ZoneInfo:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r} (an IANA name such as Europe/Zurich)"
        ) from None


def check_embargo(value: str | None) -> str | None:
    """Validate a stored embargo (for the models): the RFC 9557 form, a known zone."""
    if value is None:
        return None
    match = _STORED.match(value)
    if match is None:
        raise ValueError(
            f"{value!r} is not a date-time with an offset and a time zone, "
            f"such as {EMBARGO_EXAMPLE}"
        )
    try:
        dt.datetime.fromisoformat(match["local"])
    except ValueError as exc:
        raise ValueError(f"{value!r}: {exc}") from None
    _zone(match["zone"])
    return value


def embargo_instant(value: str) -> dt.datetime:
    """The instant a stored embargo ends (aware; its offset decides)."""
    match = _STORED.match(value)
    if match is None:
        raise ValueError(f"not a stored embargo: {value!r}")
    offset = match["offset"].replace("Z", "+00:00")
    return dt.datetime.fromisoformat(match["local"] + offset)


def embargo_zone(value: str) -> str:
    """The IANA zone name of a stored embargo."""
    match = _STORED.match(value)
    if match is None:
        raise ValueError(f"not a stored embargo: {value!r}")
    return match["zone"]


def describe_embargo(value: str) -> str:
    """``2026-12-10 09:00 Europe/Zurich``: an embargo as people write it."""
    match = _STORED.match(value)
    if match is None:
        return value
    local = dt.datetime.fromisoformat(match["local"])
    return f"{local:%Y-%m-%d %H:%M} {match['zone']}"


def parse_embargo(text: str) -> str:
    """What a person typed (``2026-12-10 09:00 Europe/Zurich``) in its stored form.

    The stored form is accepted too. A local time that does not exist in that zone
    (skipped when clocks go forward) is refused; one that happens twice (when clocks
    go back) is refused too, unless written with its offset in the stored form.
    """
    stripped = text.strip()
    if _STORED.match(stripped):
        try:
            return _consistent(stripped)
        except ValueError as exc:
            raise UsageError(f"--embargo {text!r}: {exc}") from None
    match = _TYPED.match(text)
    if match is None:
        raise UsageError(
            f"--embargo {text!r}: write a date, a time and a time zone, "
            "such as '2026-12-10 09:00 Europe/Zurich'"
        )
    name = CITY_ZONES.get(match["zone"].lower(), match["zone"])
    try:
        zone = _zone(name)
        clock = match["time"].rjust(5 if match["time"].count(":") == 1 else 8, "0")
        local = dt.datetime.fromisoformat(f"{match['day']}T{clock}")
    except ValueError as exc:
        raise UsageError(f"--embargo {text!r}: {exc}") from None
    early = local.replace(tzinfo=zone, fold=0)
    late = local.replace(tzinfo=zone, fold=1)
    if early.utcoffset() != late.utcoffset():
        # Round trip through UTC: a skipped time comes back different.
        skipped = early.astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None) != local
        if skipped:
            raise UsageError(
                f"--embargo {text!r}: {local:%H:%M} does not exist on {local:%Y-%m-%d} "
                f"in {name} (the clocks go forward)"
            )
        raise UsageError(
            f"--embargo {text!r}: {local:%H:%M} happens twice on {local:%Y-%m-%d} "
            f"in {name} (the clocks go back); write it with its offset, "
            f"such as {_stored(early, name)}"
        )
    return _stored(early, name)


def _stored(moment: dt.datetime, zone: str) -> str:
    return moment.isoformat(timespec="seconds") + f"[{zone}]"


def _consistent(value: str) -> str:
    """A stored embargo whose offset is the zone's own at that local time."""
    check_embargo(value)
    match = _STORED.match(value)
    assert match is not None
    instant = embargo_instant(value)
    local = instant.astimezone(_zone(match["zone"]))
    if local.replace(tzinfo=None) != dt.datetime.fromisoformat(match["local"]):
        raise ValueError(
            f"the offset {match['offset']} is not {match['zone']}'s at that time "
            f"(it is {local.strftime('%z')[:3]}:{local.strftime('%z')[3:]})"
        )
    return _stored(local, match["zone"])


def status(item: HasStatus, at: dt.datetime) -> Status:
    """The item's status at the instant ``at``."""
    if item.draft:
        return Status.draft
    if item.embargo is not None and at < embargo_instant(item.embargo):
        return Status.embargoed
    return Status.published


def is_public(item: HasStatus, at: dt.datetime) -> bool:
    """Whether the item may appear in anything meant for the public at ``at``.

    Exports, feeds and the static site keep only these items (unless asked to
    include drafts): a draft never, an embargoed item from its embargo on.
    """
    return status(item, at) is Status.published


def public_only(items: Iterable[T], at: dt.datetime) -> list[T]:
    """The items that are public at ``at``, in the order given."""
    return [item for item in items if not item.draft and is_public(item, at)]


def updated_stamp(at: dt.datetime) -> str:
    """A correction's time as stored: UTC, to the second (``2026-12-04T17:30:00Z``)."""
    return at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_updated(value: str | None) -> str | None:
    """Validate a stored ``updated`` (for the models): an ISO date-time with an offset."""
    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None or "T" not in value:
        raise ValueError(
            f"{value!r} is not a date-time with an offset, such as 2026-12-04T17:30:00Z"
        )
    return value


def updated_instant(value: str) -> dt.datetime:
    """The instant a stored ``updated`` names."""
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
