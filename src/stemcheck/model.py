"""Typed, frozen data: the knowledge-base schema and the results the engine returns.

The knowledge models are strict (unknown keys are errors) because a typo in a knowledge
file ("hold: false") must not silently change what the checker believes; pydantic
enforces that when knowledge files are loaded (stemcheck.knowledge.loader.parse). The
result models are what every output format renders; the engine never prints.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

# the vocabularies live in their own module, light to import (see there); used and
# re-exported here
from stemcheck.enums import (  # noqa: F401
    SEVERITY_OF,
    SEVERITY_RANK,
    Jurisdiction,
    Kind,
    Severity,
    Verdict,
)

Date = dt.date


# Validation. The classes are plain frozen dataclasses, so a check that only reads compiled
# knowledge and builds results never imports pydantic (it was a third of a cold check).
# Knowledge files are validated by pydantic (stemcheck.knowledge.loader, TypeAdapter):
# types, shapes and unknown keys from the annotations and `__pydantic_config__` (a plain
# dict: pydantic's ConfigDict is a TypedDict); value rules in `__post_init__`, raising
# FieldError so the loader can point at the offending key's line.
_STRICT: dict = {"extra": "forbid", "populate_by_name": True}


class FieldError(ValueError):
    """Value rules broken by an object's fields, each as (field, message): the loader
    reports every one, at its key's line."""

    def __init__(self, problems: list[tuple[str | None, str]]):
        super().__init__("; ".join(m for _, m in problems))
        self.problems = problems


class _Rules:
    """Collects an object's broken rules, so one pass reports them all."""

    def __init__(self) -> None:
        self.problems: list[tuple[str | None, str]] = []

    def check(self, ok: object, field: str | None, message: str) -> None:
        if not ok:
            self.problems.append((field, message))

    def nonempty(self, obj: object, *names: str) -> None:
        for name in names:
            value = getattr(obj, name)
            self.check(value, name, "should have at least 1 character" if isinstance(value, str) else "should have at least 1 item")

    def raise_any(self) -> None:
        if self.problems:
            raise FieldError(self.problems)


# --------------------------------------------------------------------------- knowledge

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_ID = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")


@dataclass(frozen=True, kw_only=True)
class Source:
    """A published source an assertion rests on: title, publisher, URL and date."""

    __pydantic_config__ = _STRICT
    title: str
    publisher: str
    url: str
    published: Date
    reliability: str | None = None

    def __post_init__(self) -> None:
        rules = _Rules()
        rules.nonempty(self, "title", "publisher")
        rules.check(_URL.match(self.url), "url", f"not an http(s) URL: {self.url!r}")
        rules.raise_any()


def _period_alias(name: str) -> str:
    return "from" if name == "start" else name  # `from` is the YAML key, a keyword in Python


@dataclass(frozen=True, kw_only=True)
class Period:
    """A stretch of time in which the statement holds (or does not). Bounds are inclusive."""

    __pydantic_config__ = {**_STRICT, "alias_generator": _period_alias}
    holds: bool
    start: Date | None = None
    until: Date | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.start and self.until and self.start > self.until:
            raise ValueError(f"period is inverted: from {self.start} is after until {self.until}")

    def covers(self, day: Date) -> bool:
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)


@dataclass(frozen=True, kw_only=True)
class SeriesPoint:
    """One dated value of a quantity, with the sources for that value when they are not the
    assertion's own."""

    __pydantic_config__ = _STRICT
    on: Date
    value: float
    bound: Literal["exact", "at-least", "at-most"] = "exact"
    note: str | None = None
    contested: str | None = None
    sources: tuple[Source, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Example:
    """A claim an assertion ships with and the verdict it must give at `as_of` (`stemcheck kb
    test`)."""

    __pydantic_config__ = _STRICT
    claim: str
    as_of: Date
    verdict: Verdict | tuple[Verdict, ...]

    def __post_init__(self) -> None:
        rules = _Rules()
        rules.nonempty(self, "claim")
        rules.raise_any()

    @property
    def acceptable(self) -> tuple[Verdict, ...]:
        return self.verdict if isinstance(self.verdict, tuple) else (self.verdict,)


@dataclass(frozen=True, kw_only=True)
class Assertion:
    """One dated, sourced statement of the knowledge base: a fact with a timeline, a quantity with a
    series, or a red flag."""

    __pydantic_config__ = _STRICT
    id: str
    kind: Kind = Kind.FACT
    statement: str
    jurisdiction: Jurisdiction
    terms: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...] = ()  # terms that rule the assertion out ("approved for clinical trials")
    phrasings: tuple[str, ...] = ()
    timeline: tuple[Period, ...] = ()
    event_terms: tuple[str, ...] | None = None
    reason: str | None = None
    counts: tuple[str, ...] = ()
    unit: str | None = None
    tolerance: float = 0.0
    series: tuple[SeriesPoint, ...] = ()
    sources: tuple[Source, ...]
    reviewed: Date
    note: str | None = None
    examples: tuple[Example, ...] = ()

    def __post_init__(self) -> None:
        rules = _Rules()
        rules.check(_ID.match(self.id), "id", f"id {self.id!r} must be lowercase words of [a-z0-9] joined by '.' or '-'")
        rules.nonempty(self, "statement", "terms", "sources")
        rules.check(
            all(group and all(t.strip() for t in group) for group in self.terms), "terms", "every term group needs at least one non-empty term"
        )
        rules.check(0.0 <= self.tolerance <= 1.0, "tolerance", "should be between 0 and 1")
        if self.kind is Kind.FACT:
            rules.check(self.timeline, None, "a fact needs a timeline")
            rules.check(self.phrasings, None, "a fact needs at least one phrasing")
            overlap = _timeline_problem(self.timeline)
            rules.check(overlap is None, "timeline", overlap or "")
        elif self.kind is Kind.RED_FLAG:
            rules.check(self.reason, None, "a red-flag needs a reason")
            rules.check(not self.timeline, None, "a red-flag is false at all times; it takes no timeline")
        elif self.kind is Kind.QUANTITY:
            rules.check(self.series, None, "a quantity needs a series")
            rules.check(self.counts, None, "a quantity needs `counts`: the words that say what its number counts")
            rules.check(not self.timeline, None, "a quantity takes a series, not a timeline")
            days = [p.on for p in self.series]
            rules.check(days == sorted(days) and len(set(days)) == len(days), "series", "series points must be in date order with distinct dates")
        if self.kind is not Kind.QUANTITY:
            rules.check(not (self.series or self.counts), None, "`series` and `counts` belong to quantities only")
        rules.raise_any()


def _timeline_problem(timeline: tuple[Period, ...]) -> str | None:
    """Why the periods overlap or are out of order, or None."""
    for a, b in zip(timeline, timeline[1:]):
        if a.until is None or b.start is None:
            return "timeline periods overlap: only the first may have an open start and only the last an open end"
        if b.start <= a.until:
            return f"timeline periods overlap or are out of order: {a.until} then {b.start}"
    return None


@dataclass(frozen=True, kw_only=True)
class Alias:
    """A canonical name and the other ways it is written ("NMPA", "国家药监局"), matched before stemming."""

    __pydantic_config__ = _STRICT
    canonical: str
    kind: Literal["regulator", "country", "product", "place", "term", "spelling", "company", "organisation"] = "term"
    jurisdiction: Jurisdiction | None = None
    variants: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        rules = _Rules()
        rules.nonempty(self, "canonical")
        rules.raise_any()


@dataclass(frozen=True, kw_only=True)
class Defaults:
    """Values a topic file's assertions take unless they set their own."""

    __pydantic_config__ = _STRICT
    jurisdiction: Jurisdiction | None = None
    reviewed: Date | None = None


@dataclass(frozen=True, kw_only=True)
class TopicFile:
    """One knowledge YAML file: a topic's assertions and aliases."""

    __pydantic_config__ = _STRICT
    topic: str
    title: str | None = None
    defaults: Defaults | None = None
    aliases: tuple[Alias, ...] = ()
    assertions: tuple[Assertion, ...] = ()

    def __post_init__(self) -> None:
        rules = _Rules()
        rules.check(_ID.match(self.topic), "topic", f"topic {self.topic!r} must be lowercase words joined by '.' or '-'")
        rules.raise_any()


@dataclass(frozen=True, kw_only=True)
class AliasFile:
    """The shared aliases file, and the domain words that make a sentence on-topic."""

    __pydantic_config__ = _STRICT
    aliases: tuple[Alias, ...]
    domain: tuple[str, ...] = ()  # words that make a sentence on-topic for document scans


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, kw_only=True)
class AssertionRef:
    """The part of an assertion a result carries: id, statement and the validity window applied."""

    id: str
    statement: str
    valid_from: Date | None
    valid_until: Date | None


@dataclass(frozen=True, kw_only=True)
class Location:
    """1-based line; 1-based column counted in Unicode code points (see README)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    byte_column: int | None = None  # UTF-8 byte columns (1-based), for formats that want them
    byte_end_column: int | None = None


@dataclass(frozen=True, kw_only=True)
class Result:
    """The verdict on one claim: the DESIGN.md result object (see to_json)."""

    claim: str
    verdict: Verdict
    confidence: float
    judged_at: Date
    assertion: AssertionRef | None = None
    note: str | None = None
    cues: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    location: Location | None = None
    reason: str | None = None  # the red-flag's reason, for readers; not in the JSON contract's required set

    def __post_init__(self) -> None:
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"confidence {self.confidence} is not between 0 and 1")

    @property
    def severity(self) -> Severity:
        return SEVERITY_OF[self.verdict]

    def at(self, location: Location) -> Result:
        """This result, placed in a document. A copy of its fields, already validated, with
        the location set: a scan places thousands of results, and dataclasses.replace walks
        the field list and re-runs __init__ for each."""
        placed = object.__new__(Result)
        placed.__dict__.update(self.__dict__)
        placed.__dict__["location"] = location
        return placed

    def to_json(self) -> dict:
        """The DESIGN.md result object (schema_version 1), with stable key order."""
        out: dict = {
            "claim": self.claim,
            "verdict": self.verdict.value,
            "confidence": round(self.confidence, 2),
            "judged_at": self.judged_at.isoformat(),
            "assertion": None
            if self.assertion is None
            else {
                "id": self.assertion.id,
                "statement": self.assertion.statement,
                "valid_from": _iso(self.assertion.valid_from),
                "valid_until": _iso(self.assertion.valid_until),
            },
            "note": self.note,
            "cues": list(self.cues),
            "sources": [
                {"title": s.title, "publisher": s.publisher, "url": s.url, "published": s.published.isoformat()}
                for s in self.sources
            ],
        }
        if self.location is not None:
            out["location"] = {
                "path": self.location.path,
                "line": self.location.line,
                "column": self.location.column,
                "end_line": self.location.end_line,
                "end_column": self.location.end_column,
            }
        return out


def _iso(d: Date | None) -> str | None:
    return None if d is None else d.isoformat()
