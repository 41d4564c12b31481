"""What encoding a document's first bytes show: the BOM, or the zero bytes of UTF-16
and UTF-32. Import sniffing needs it for every input, the feed reader for XML; kept
apart from the feed reader so that reading JSON does not load it.
"""

from __future__ import annotations

import codecs

__all__ = ["byte_encoding", "decode_start"]

_BOMS = (
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
)
#: ``<?xm`` in EBCDIC, which feedparser reads too.
_EBCDIC = b"\x4c\x6f\xa7\x94"


def byte_encoding(data: bytes) -> tuple[str | None, int]:
    """The encoding a document's first bytes show, and the length of its BOM.

    A BOM says it; so do the zero bytes of BOM-less UTF-16 and UTF-32 (XML 1.0,
    appendix F: a document starts with ``<`` or, for JSON, ``{`` or ``[``, all ASCII).
    ``(None, 0)`` when the bytes show nothing: the document declares it, or it is UTF-8.
    """
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    head = data[:4]
    if head == _EBCDIC:
        return "cp037", 0
    if len(head) == 4:
        zeros = tuple(byte == 0 for byte in head)
        if zeros == (True, True, True, False):
            return "utf-32-be", 0
        if zeros == (False, True, True, True):
            return "utf-32-le", 0
    if len(head) >= 2:
        if head[0] == 0 and head[1] != 0:
            return "utf-16-be", 0
        if head[0] != 0 and head[1] == 0:
            return "utf-16-le", 0
    return None, 0


def decode_start(data: bytes, size: int) -> str:
    """The first ``size`` bytes as text, to look at markup (bad bytes replaced)."""
    encoding, skip = byte_encoding(data)
    decoder = codecs.getincrementaldecoder(encoding or "utf-8")(errors="replace")
    return str(decoder.decode(data[skip : skip + size]))
