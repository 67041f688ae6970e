"""A document's own date: the default as-of for the claims in it.

Markdown front matter (`date: 2024-06-25`), else a line near the top or bottom of the
text that is only a date ("Release Date: 2024-06-25", "Document dated 2025-11-13 14:52").
News pages carry their date that way, and relative claims ("at the beginning of this
year") need it. A module of its own so a scan's parent process can date a large file's
first chunk without importing the matcher.
"""

from __future__ import annotations

import datetime as dt
import re

from stemcheck.documents.kinds import FRONT_MATTER

_DATE_LINE = re.compile(r"^date:\s*['\"]?(\d{4}-\d{2}-\d{2})", re.M)


def front_matter_date(front: str | None) -> dt.date | None:
    if not front:
        return None
    m = _DATE_LINE.search(front)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


_DATED_LINE = re.compile(
    r"^\s*(?:(?:release date|released|published|publication date|date|posted|document dated|dated)\s*:?\s*)?"
    r"(?P<date>\d{4}-\d{2}-\d{2}|(?:january|february|march|april|may|june|july|august|september|october|november|december)"
    r"\s+\d{1,2},\s+\d{4})(?:\s+\d{1,2}:\d{2}.*)?(?:\s+\w+)?\s*$",
    re.I,
)


def text_date(text: str) -> dt.date | None:
    """A dated line among the first six or last four non-blank lines."""
    lines = [ln for ln in text[:4000].splitlines() if ln.strip()][:6] + [ln for ln in text[-2000:].splitlines() if ln.strip()][-4:]
    for ln in lines:
        m = _DATED_LINE.match(ln.strip())
        if not m:
            continue
        raw = m.group("date")
        try:
            return dt.date.fromisoformat(raw) if raw[:4].isdigit() else dt.datetime.strptime(raw.replace(",", ""), "%B %d %Y").date()
        except ValueError:
            continue
    return None


def document_date(text: str, kind: str) -> dt.date | None:
    """The document's own date: Markdown front matter, else a dated line near the top or
    bottom of a plain or Markdown document."""
    if kind == "markdown":
        m = FRONT_MATTER.match(text)
        day = front_matter_date(m.group(1) if m else None)
        if day:
            return day
    return text_date(text) if kind != "html" else None
