"""Turn bytes from a file into text, or say in one line why not.

UTF-8 (with or without BOM) and UTF-16 with a BOM are decoded; GB18030/GBK is accepted
when UTF-8 fails and the decoded text is mostly Chinese (a common case for documents
about China); anything else, or a file with NUL bytes that is not UTF-16, is binary or
of unknown encoding and is refused with a reason the caller reports.
"""

from __future__ import annotations

import codecs


class DecodeError(ValueError):
    """Why the bytes could not be read as text (one line, no path)."""


def decode(raw: bytes) -> str:
    if raw.startswith(codecs.BOM_UTF8):
        return _utf8(raw[3:])
    if raw.startswith(codecs.BOM_UTF16_LE) or raw.startswith(codecs.BOM_UTF16_BE):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            raise DecodeError("invalid UTF-16") from None
    if b"\x00" in raw[:8192]:
        raise DecodeError("binary file")
    try:
        return _utf8(raw)
    except DecodeError as first:
        try:
            text = raw.decode("gb18030")
        except UnicodeDecodeError:
            raise first from None
        cjk = sum(1 for ch in text if "\u4e00" <= ch <= "\u9fff")
        high = sum(1 for b in raw if b >= 0x80)
        if cjk and cjk * 2 >= high * 0.8:  # every GBK hanzi is two high bytes
            return text
        raise first from None


def _utf8(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError(f"not valid UTF-8 (byte {e.start}); save it as UTF-8") from None
