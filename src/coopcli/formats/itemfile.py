"""Reading an item file (TOML or JSON) as drafts to import.

The document is validated exactly as when it is loaded, so a broken item file is
refused with the same message naming the item; a valid one gives one draft per
item, keeping its id (an id never changes, even across files).
"""

from __future__ import annotations

from typing import Any

from coopcli.core.errors import DataError
from coopcli.formats import Draft, ReadResult


def _where(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def read_document(document: dict[str, Any], source: str) -> ReadResult:
    """Validate item-file data and return its items as drafts."""
    from pydantic import ValidationError

    from coopcli.core.models import NewsFile

    try:
        doc = NewsFile.model_validate(document)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        where = _where(tuple(first["loc"]))
        message = str(first["msg"]).removeprefix("Value error, ")
        raise DataError(f"{source}: {where + ': ' if where else ''}{message}") from None
    drafts = [
        Draft(
            title=item.title,
            date=item.date,
            type=item.type,
            summary=item.summary,
            url=item.url,
            tags=list(item.tags),
            id=item.id,
            draft=item.draft,
            embargo=item.embargo,
            updated=item.updated,
        )
        for item in doc.items
    ]
    return ReadResult(
        drafts,
        title=doc.title,
        link=doc.link,
        description=doc.description,
        types=dict(doc.types),
    )
