"""Scan one document: segment it, spot claims, check them in context, apply suppressions.

Pure: text in, located results out. Each sentence is checked with the jurisdictions named
earlier in the document as its context, so "Stem cell therapy shall not be charged to
patients" in an article about China is read as a claim about China.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from stemcheck.documents import suppress
from stemcheck.documents.dates import document_date
from stemcheck.documents.kinds import kind_of
from stemcheck.documents.segment import LineIndex, segment
from stemcheck.documents.spotting import is_claim_shaped
from stemcheck.formats.base import Notice
from stemcheck.model import Location, Result, Verdict

if TYPE_CHECKING:
    from stemcheck.engine.checker import Checker

MAX_SENTENCE_CHARS = 4000


@dataclass(frozen=True)
class DocumentOutcome:
    """A document's (or a chunk's) findings and notices, and the as-of date it was judged at."""

    path: str
    results: tuple[Result, ...]
    notices: tuple[Notice, ...]
    as_of: dt.date


def _read(s, checker: Checker):
    """A sentence that can matter, read: (claim, normalised, checked), where `checked` means
    it is a claim about the domain; None for questions and fragments, which are not checked
    and name no context (they are dropped before normalising)."""
    claim = s.text if len(s.text) <= MAX_SENTENCE_CHARS else s.text[:MAX_SENTENCE_CHARS]
    shaped = is_claim_shaped(claim, s.heading)
    if not shaped and not s.heading:
        return None
    norm = checker.normalise(claim)
    return claim, norm, shaped and checker.on_topic(norm)


def _names_context(s, norm, checked: bool) -> bool:
    """Does the sentence set the jurisdictions in force after it? A heading, or a checked
    claim, that names jurisdictions does."""
    return bool(norm.jurisdictions) and (s.heading or checked)


def _sentences(sentences, checker: Checker, context: frozenset):
    """Each sentence that can matter, as (sentence, claim, normalised, checked, context):
    `context` the jurisdictions in force where it starts."""
    for s in sentences:
        read = _read(s, checker)
        if read is None:
            continue
        claim, norm, checked = read
        yield s, claim, norm, checked, context
        if _names_context(s, norm, checked):
            context = norm.jurisdictions


def closing_context(text: str, checker: Checker, kind: str) -> frozenset:
    """The jurisdictions in force at the end of `text`: the context a chunk that follows it
    starts with. The last sentence that names a context decides, so sentences are read
    from the end and reading stops there: a chunk pays for a sentence or two of its
    preamble, not for every sentence in it."""
    for s in reversed(segment(text, kind).sentences):
        read = _read(s, checker)
        if read is not None and _names_context(s, read[1], read[2]):
            return read[1].jurisdictions
    return frozenset()


def scan_document(
    text: str,
    path: str,
    checker: Checker,
    as_of: dt.date,
    *,
    kind: str | None = None,
    show_supported: bool = False,
    ignore: frozenset[str] = frozenset(),
    line_offset: int = 0,
    use_front_matter: bool = True,
    context: frozenset = frozenset(),
    column_offset: tuple[int, int] = (0, 0),
) -> DocumentOutcome:
    """Findings for one document, or one chunk of a large one: `line_offset` lines and, on
    its first line, `column_offset` (code points, UTF-8 bytes) come before it in the file;
    `context` carries the jurisdictions named before it."""
    kind = kind or kind_of(path)
    doc = segment(text, kind)
    day = (document_date(text, kind) if use_front_matter else None) or as_of
    idx = LineIndex(text)

    def place(offset: int) -> tuple[int, int, int]:
        """(line, column, byte column) in the file."""
        line, col, bcol = idx.place(offset)
        if line == 1:
            col, bcol = col + column_offset[0], bcol + column_offset[1]
        return line + line_offset, col, bcol

    items = []
    checked = []  # every sentence judged, reported or not: what an `ignore` comment can cover
    for s, claim, norm, is_claim, before in _sentences(doc.sentences, checker, context):
        if not is_claim:
            continue
        checked.append(s)
        result = checker.check(claim, day, before, norm)
        if result.verdict is Verdict.SUPPORTED and not show_supported:
            continue
        if result.assertion and any(result.assertion.id == i or result.assertion.id.startswith(i + ".") for i in ignore):
            continue
        if result.assertion is None and "unverified" in ignore:
            continue
        line, col, bcol = place(s.start)
        end_line, end_col, end_bcol = place(s.end)
        loc = Location(
            path=path,
            line=line,
            column=col,
            end_line=end_line,
            end_column=end_col,
            byte_column=bcol,
            byte_end_column=end_bcol,
        )
        items.append((s, result.at(loc)))
    sups = suppress.parse(doc.comments, plain=kind == "text")
    kept = suppress.apply(items, sups, idx, checked)
    notices = []
    for sup in sups:
        if not sup.used:
            line, col, bcol = place(sup.start)
            what = f"ignore {' '.join(sorted(sup.ids))}" if sup.ids else sup.kind
            notices.append(
                Notice(path, line, col, f"unused suppression: 'stemcheck: {what.strip()}' suppressed nothing", byte_column=bcol)
            )
    return DocumentOutcome(path, tuple(r for _, r in kept), tuple(notices), day)
