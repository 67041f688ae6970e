"""Suppression comments, as Vale and ruff users expect them.

    <!-- stemcheck: ignore [ID ...] -->     the next sentence; after a sentence on its line, that line
    <!-- stemcheck: disable [ID ...] -->    from here ...
    <!-- stemcheck: enable -->              ... to here (or the end of the file)
    any text line containing `stemcheck: ignore [ID ...]`   that line (or, alone, the next sentence)

IDs are assertion ids or their prefixes (a topic such as `flags.marketing`); `unverified`
names the abstentions; no ID means everything. A suppression that suppresses nothing is
reported back (as info), so stale ones do not pile up.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from stemcheck.documents.segment import Comment, LineIndex, Sentence
from stemcheck.model import Result

_DIRECTIVE = re.compile(r"stemcheck:\s*(ignore|disable|enable)\b([^\n>]*)", re.I)


@dataclass
class Suppression:
    """One `stemcheck: ignore` or `disable` directive, and whether it suppressed anything (`used`:
    an unused one is reported)."""

    kind: str  # ignore | disable
    ids: frozenset[str]
    start: int  # source offsets of the comment
    end: int
    until: int | None = None  # disable: where the matching enable starts
    line_only: bool = False  # a plain-text "stemcheck: ignore" covers its own line
    used: bool = field(default=False)

    def covers_id(self, assertion_id: str | None) -> bool:
        if not self.ids:
            return True
        aid = assertion_id or "unverified"
        return any(aid == i or aid.startswith(i + ".") or (i == "unverified" and assertion_id is None) for i in self.ids)


def parse(comments: list[Comment], plain: bool) -> list[Suppression]:
    out: list[Suppression] = []
    open_disables: list[Suppression] = []
    for c in comments:
        m = _DIRECTIVE.search(c.body)
        if not m:
            continue
        kind = m.group(1).lower()
        ids = frozenset(x.strip(",;").strip() for x in m.group(2).replace("-->", " ").split() if x.strip(",;").strip())
        if kind == "enable":
            for d in open_disables:
                d.until = c.start
            open_disables = []
            continue
        s = Suppression(kind, ids, c.start, c.end, line_only=plain and kind == "ignore")
        out.append(s)
        if kind == "disable":
            open_disables.append(s)
    return out


def apply(
    items: list[tuple[Sentence, Result]],
    sups: list[Suppression],
    idx: LineIndex,
    claims: list[Sentence] | None = None,
) -> list[tuple[Sentence, Result]]:
    """Drop suppressed findings; mark the suppressions that were used.

    `claims` are all the sentences that were checked, reported or not: an `ignore` covers
    the next of them, so one placed before a claim that is not reported (supported, or
    dropped by `ignore` in the config) does not reach past it to a later finding."""
    if not sups:
        return items
    pool = [s for s, _ in items] + list(claims or ())
    sentences = sorted({s.start: s for s in pool}.values(), key=lambda s: s.start)
    next_start: dict[int, int] = {}
    for sup in sups:
        if sup.kind == "ignore":
            line = idx.position(sup.start)[0]
            same_line = [s for s in sentences if idx.position(s.start)[0] <= line <= idx.position(max(s.start, s.end - 1))[0]]
            # a comment after a claim on its line ("Claim. <!-- stemcheck: ignore -->") means that line
            trailing = any(s.end <= sup.start for s in same_line)
            if (sup.line_only or trailing) and same_line:
                next_start[id(sup)] = -1
            else:
                following = [s.start for s in sentences if s.start >= sup.end]
                next_start[id(sup)] = following[0] if following else -2
    kept = []
    for sent, res in items:
        aid = res.assertion.id if res.assertion else None
        suppressed = False
        for sup in sups:
            if not sup.covers_id(aid):
                continue
            if sup.kind == "disable":
                hit = sent.start >= sup.end and (sup.until is None or sent.start < sup.until)
            elif next_start[id(sup)] == -1:
                line = idx.position(sup.start)[0]
                hit = idx.position(sent.start)[0] <= line <= idx.position(max(sent.start, sent.end - 1))[0]
            else:
                hit = sent.start == next_start[id(sup)]
            if hit:
                sup.used = True
                suppressed = True
        if not suppressed:
            kept.append((sent, res))
    return kept
