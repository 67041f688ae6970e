"""Time anchors: "as of 2024", "in January 2025", "by November 2023", "last month".

Every claim is judged at a date. An anchored claim is judged at its anchor; the anchor's
preposition says how: "as of"/"by" is a state at the end of the period, "in"/"on" names
when something happened, "before" is the day before the period starts. Relative anchors
("at the beginning of this year") resolve against the as-of date.

The patterns are fixed, linear-time regular expressions over cleaned text; nothing here
comes from user data.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from stemcheck.lookahead import first_chars

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4, "may": 5,
    "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9,
    "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH_WORDS = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept", "sep", "oct", "nov", "dec",
)
_PART_WORDS = (
    "early", "mid", "mid-", "late", "the end of", "end of", "the beginning of", "beginning of", "the start of",
    "start of", "the first half of", "first half of", "the second half of", "second half of", "the first quarter of",
    "the second quarter of", "the third quarter of", "the fourth quarter of", "q[1-4]",
)
_AGO_WORDS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
_M = r"(?P<month>" + "|".join(_MONTH_WORDS) + r")\.?"
_Y = r"(?P<year>(?:19[5-9]\d|20\d\d|2100))"
_D = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_PART = r"(?P<part>" + "|".join(_PART_WORDS) + r")"


# (granularity, pattern, what the text must hold for it to match: "-", "年", a month name)
_PATTERNS = [
    ("day", re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)\b"), "-"),
    ("day", re.compile(r"(?P<year>(?:19|20)\d\d)年(?P<month>[01]?\d)月(?P<day>[0-3]?\d)日"), "年"),
    ("month", re.compile(r"(?P<year>(?:19|20)\d\d)年(?P<month>[01]?\d)月"), "年"),
    ("day", re.compile(r"\b" + first_chars(_MONTH_WORDS) + _M + r"\s+" + _D + r",?\s+" + _Y + r"\b", re.I), "month"),
    ("day", re.compile(r"\b" + _D + r"\s+(?:of\s+)?" + _M + r",?\s+" + _Y + r"\b", re.I), "month"),
    ("month", re.compile(r"\b" + first_chars(_PART_WORDS, _MONTH_WORDS) + r"(?:" + _PART + r"\s+)?" + _M + r",?\s+(?:of\s+)?" + _Y + r"\b", re.I), "month"),
    ("year", re.compile(first_chars(_PART_WORDS, also="12") + r"(?:\b" + _PART + r"[\s-]+)?\b" + _Y + r"(?:年)?(?![\d%,.]\d|\s*(?:%|percent|patients|people|stem|cells|products|drugs))", re.I), None),
]
# every month name starts with one of these (January, Sept., ...)
_MONTH_HEADS = tuple(sorted({w[:3] for w in _MONTH_WORDS}))

_RELATIVE = [
    (re.compile(r"\b(?:at|in) the (?:beginning|start) of (?:this|the) year\b|\bearly this year\b|\bat the start of the year\b", re.I), "this-year-start"),
    (re.compile(r"\bearlier this year\b", re.I), "this-year-so-far"),
    (re.compile(r"\b(?:at|by) the end of last year\b|\blate last year\b", re.I), "last-year-end"),
    (re.compile(r"\blast year\b", re.I), "last-year"),
    (re.compile(r"\bthis year\b", re.I), "this-year"),
    (re.compile(r"\blast month\b", re.I), "last-month"),
    (re.compile(r"\bthis month\b", re.I), "this-month"),
    (re.compile(first_chars(_AGO_WORDS, digits=True) + r"\b(?P<n>\d{1,2}|" + "|".join(_AGO_WORDS) + r") years? ago\b", re.I), "years-ago"),
]
_YEARISH = re.compile(r"(?:19|20)\d\d")  # every absolute pattern needs a year


def _applicable(text: str) -> tuple[list, list]:
    """The relative and absolute patterns that could match at all: most sentences carry no
    year and no "year"/"month"/"ago", and need not be searched fifteen times."""
    low = text.lower()
    rel = _RELATIVE if ("year" in low or "month" in low or " ago" in low) else []
    if not _YEARISH.search(text):
        return rel, []
    # which literal each pattern needs; in ASCII text, re.IGNORECASE folds exactly as
    # lower() does (other scripts fold a few letters more: there every pattern runs)
    holds = {
        None: True,
        "-": "-" in text,
        "年": "年" in text,
        "month": not low.isascii() or any(head in low for head in _MONTH_HEADS),
    }
    return rel, [(granularity, rx) for granularity, rx, needs in _PATTERNS if holds[needs]]


_SMALL = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

# Words just before a date that say how to read it, longest first.
_PREPS = [
    ("as of", "as_of"), ("as at", "as_of"), ("up to", "by"), ("by", "by"), ("until", "until"), ("till", "until"),
    ("through", "by"), ("prior to", "before"), ("before", "before"), ("since", "since"), ("after", "after"),
    ("from", "since"), ("during", "in"), ("in", "in"), ("on", "on"), ("at", "in"), ("of", "in"),
]

_LEAD_PREP = {words: kind for words, kind in _PREPS if " " not in words}


@dataclass(frozen=True)
class TimeAnchor:
    """A date expression in a claim and how it anchors the claim in time (its preposition)."""

    kind: str  # as_of | by | until | before | since | after | in | on | mention
    start: dt.date
    end: dt.date
    text: str
    relative: bool = False

    @property
    def judge_date(self) -> dt.date:
        """The day at which a state claim with this anchor is evaluated."""
        if self.kind == "before":
            return self.start - dt.timedelta(days=1)
        return self.end

    @property
    def is_event_window(self) -> bool:
        return self.kind in ("in", "on")


def _month_end(y: int, m: int) -> dt.date:
    """The last day of month m of year y (without the calendar module: it imports locale, 1.5 ms
    on the scan workers' start-up path)."""
    if m == 12:
        return dt.date(y, 12, 31)
    return dt.date(y, m + 1, 1) - dt.timedelta(days=1)


def _part_range(part: str | None, y: int) -> tuple[dt.date, dt.date]:
    p = (part or "").lower().replace("the ", "").strip()
    if not p:
        return dt.date(y, 1, 1), dt.date(y, 12, 31)
    if p in ("early", "beginning of", "start of", "first quarter of", "q1"):
        return dt.date(y, 1, 1), dt.date(y, 4, 30) if p == "early" else dt.date(y, 3, 31)
    if p in ("mid", "mid-"):
        return dt.date(y, 5, 1), dt.date(y, 8, 31)
    if p in ("late", "end of", "fourth quarter of", "q4"):
        return dt.date(y, 9 if p == "late" else 10, 1), dt.date(y, 12, 31)
    if p in ("first half of",):
        return dt.date(y, 1, 1), dt.date(y, 6, 30)
    if p in ("second half of",):
        return dt.date(y, 7, 1), dt.date(y, 12, 31)
    if p in ("second quarter of", "q2"):
        return dt.date(y, 4, 1), dt.date(y, 6, 30)
    if p in ("third quarter of", "q3"):
        return dt.date(y, 7, 1), dt.date(y, 9, 30)
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def _prep_before(text: str, start: int) -> str:
    head = text[max(0, start - 24) : start].lower().rstrip(" ,")
    for words, kind in _PREPS:
        if head.endswith(" " + words) or head == words:
            return kind
    return "mention"


def find_anchors(text: str, as_of: dt.date) -> list[TimeAnchor]:
    """All dates in `text`, in order of appearance, most specific first where they overlap."""
    return read_dates(text, as_of)[0]


def date_spans(text: str, as_of: dt.date) -> list[tuple[int, int]]:
    """Character spans of every date expression (so numbers inside dates are not counts)."""
    return read_dates(text, as_of)[1]


def read_dates(text: str, as_of: dt.date) -> tuple[list[TimeAnchor], list[tuple[int, int]]]:
    """find_anchors and date_spans from one pass of the patterns: a claim needs both
    when it may state a quantity, and the date patterns are the costly part."""
    found: list[tuple[int, int, TimeAnchor]] = []
    taken: list[tuple[int, int]] = []
    spans: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    relative, patterns = _applicable(text)
    for rx, kind in relative:
        for m in rx.finditer(text):
            spans.append(m.span())
            if not free(m.start(), m.end()):
                continue
            y = as_of.year
            if kind == "this-year-start":
                s, e = dt.date(y, 1, 1), dt.date(y, 3, 31)
            elif kind == "this-year-so-far":
                s, e = dt.date(y, 1, 1), as_of
            elif kind == "last-year-end":
                s, e = dt.date(y - 1, 10, 1), dt.date(y - 1, 12, 31)
            elif kind == "last-year":
                s, e = dt.date(y - 1, 1, 1), dt.date(y - 1, 12, 31)
            elif kind == "this-year":
                s, e = dt.date(y, 1, 1), dt.date(y, 12, 31)
            elif kind == "last-month":
                first = as_of.replace(day=1) - dt.timedelta(days=1)
                s, e = first.replace(day=1), first
            elif kind == "this-month":
                s, e = as_of.replace(day=1), _month_end(as_of.year, as_of.month)
            else:  # years-ago
                raw = m.group("n").lower()
                k = _SMALL.get(raw) or int(raw)
                s, e = dt.date(y - k, 1, 1), dt.date(y - k, 12, 31)
            prep = _prep_before(text, m.start())
            if prep == "mention":  # the preposition can be part of the match: "By the end of last year"
                prep = _LEAD_PREP.get(m.group(0).split(None, 1)[0].lower(), "mention")
            anchor_kind = prep if prep in ("as_of", "by", "before", "since", "until", "after") else "in"
            found.append((m.start(), m.end(), TimeAnchor(anchor_kind, s, e, m.group(0), relative=True)))
            taken.append((m.start(), m.end()))
    for granularity, rx in patterns:
        for m in rx.finditer(text):
            spans.append(m.span())
            if not free(m.start(), m.end()):
                continue
            try:
                y = int(m.group("year"))
                gd = m.groupdict()
                if granularity == "day":
                    mon = gd["month"]
                    mo = int(mon) if mon.isdigit() else MONTHS[mon.lower().rstrip(".")]
                    s = e = dt.date(y, mo, int(gd["day"]))
                elif granularity == "month":
                    mon = gd["month"]
                    mo = int(mon) if mon.isdigit() else MONTHS[mon.lower().rstrip(".")]
                    s, e = dt.date(y, mo, 1), _month_end(y, mo)
                    part = (gd.get("part") or "").lower()
                    if part in ("end of", "the end of", "late"):
                        s = dt.date(y, mo, 20)
                    elif part in ("beginning of", "the beginning of", "start of", "the start of", "early"):
                        e = dt.date(y, mo, 10)
                else:
                    s, e = _part_range(gd.get("part"), y)
            except (ValueError, KeyError):
                taken.append((m.start(), m.end()))  # "2025-02-30" is no date, and not the year 2025 either
                continue
            kind = _prep_before(text, m.start())
            found.append((m.start(), m.end(), TimeAnchor(kind, s, e, m.group(0).strip())))
            taken.append((m.start(), m.end()))
    found.sort(key=lambda f: f[0])
    return [a for _, _, a in found], spans
