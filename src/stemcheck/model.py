"""Typed, frozen data: the knowledge-base schema and the results the engine returns.

The knowledge models are strict (unknown keys are errors) because a typo in a knowledge
file ("hold: false") must not silently change what the checker believes. The result
models are what every output format renders; the engine never prints.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Date = dt.date


class Verdict(StrEnum):
    """The five verdicts of the contract (DESIGN.md)."""

    SUPPORTED = "supported"
    REFUTED = "refuted"
    OUTDATED = "outdated"
    MISLEADING = "misleading"
    UNVERIFIED = "unverified"


class Severity(StrEnum):
    """Lint severity of a verdict; ordered by `SEVERITY_RANK`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"
    NONE = "none"


SEVERITY_OF: dict[Verdict, Severity] = {
    Verdict.REFUTED: Severity.ERROR,
    Verdict.MISLEADING: Severity.ERROR,
    Verdict.OUTDATED: Severity.WARNING,
    Verdict.UNVERIFIED: Severity.INFO,
    Verdict.SUPPORTED: Severity.NONE,
}
SEVERITY_RANK: dict[Severity, int] = {Severity.NONE: 0, Severity.INFO: 1, Severity.WARNING: 2, Severity.ERROR: 3}


class Jurisdiction(StrEnum):
    CN = "CN"
    US = "US"
    EU = "EU"
    UK = "UK"
    JP = "JP"
    KR = "KR"
    CA = "CA"
    AU = "AU"
    GLOBAL = "GLOBAL"


class Kind(StrEnum):
    FACT = "fact"
    RED_FLAG = "red-flag"
    QUANTITY = "quantity"


class _Strict(BaseModel):
    # defer_build: schemas are built on first validation, so a check that only unpickles
    # the compiled knowledge base never pays for building the knowledge schemas
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# --------------------------------------------------------------------------- knowledge

_URL = re.compile(r"^https?://[^\s/$.?#][^\s]*$")
_ID = re.compile(r"^[a-z0-9]+(?:[.-][a-z0-9]+)*$")


class Source(_Strict):
    title: str = Field(min_length=1)
    publisher: str = Field(min_length=1)
    url: str
    published: Date
    reliability: str | None = None

    @field_validator("url")
    @classmethod
    def _url(cls, v: str) -> str:
        if not _URL.match(v):
            raise ValueError(f"not an http(s) URL: {v!r}")
        return v


class Period(_Strict):
    """A stretch of time in which the statement holds (or does not). Bounds are inclusive."""

    start: Date | None = Field(default=None, alias="from")
    until: Date | None = None
    holds: bool
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Period:
        if self.start and self.until and self.start > self.until:
            raise ValueError(f"period is inverted: from {self.start} is after until {self.until}")
        return self

    def covers(self, day: Date) -> bool:
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)


class SeriesPoint(_Strict):
    on: Date
    value: float
    bound: Literal["exact", "at-least", "at-most"] = "exact"
    note: str | None = None
    contested: str | None = None
    sources: tuple[Source, ...] = ()


class Example(_Strict):
    claim: str = Field(min_length=1)
    as_of: Date
    verdict: Verdict | tuple[Verdict, ...]

    @property
    def acceptable(self) -> tuple[Verdict, ...]:
        return self.verdict if isinstance(self.verdict, tuple) else (self.verdict,)


class Assertion(_Strict):
    id: str
    kind: Kind = Kind.FACT
    statement: str = Field(min_length=1)
    jurisdiction: Jurisdiction
    terms: tuple[tuple[str, ...], ...] = Field(min_length=1)
    unless: tuple[str, ...] = ()  # terms that rule the assertion out ("approved for clinical trials")
    phrasings: tuple[str, ...] = ()
    timeline: tuple[Period, ...] = ()
    event_terms: tuple[str, ...] | None = None
    reason: str | None = None
    counts: tuple[str, ...] = ()
    unit: str | None = None
    tolerance: float = Field(default=0.0, ge=0.0, le=1.0)
    series: tuple[SeriesPoint, ...] = ()
    sources: tuple[Source, ...] = Field(min_length=1)
    reviewed: Date
    note: str | None = None
    examples: tuple[Example, ...] = ()

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"id {v!r} must be lowercase words of [a-z0-9] joined by '.' or '-'")
        return v

    @field_validator("terms")
    @classmethod
    def _terms(cls, v: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in v:
            if not group or any(not t.strip() for t in group):
                raise ValueError("every term group needs at least one non-empty term")
        return v

    @model_validator(mode="after")
    def _by_kind(self) -> Assertion:
        if self.kind is Kind.FACT:
            if not self.timeline:
                raise ValueError("a fact needs a timeline")
            if not self.phrasings:
                raise ValueError("a fact needs at least one phrasing")
            _check_timeline(self.timeline)
        elif self.kind is Kind.RED_FLAG:
            if not self.reason:
                raise ValueError("a red-flag needs a reason")
            if self.timeline:
                raise ValueError("a red-flag is false at all times; it takes no timeline")
        elif self.kind is Kind.QUANTITY:
            if not self.series:
                raise ValueError("a quantity needs a series")
            if not self.counts:
                raise ValueError("a quantity needs `counts`: the words that say what its number counts")
            if self.timeline:
                raise ValueError("a quantity takes a series, not a timeline")
            days = [p.on for p in self.series]
            if days != sorted(days) or len(set(days)) != len(days):
                raise ValueError("series points must be in date order with distinct dates")
        if self.kind is not Kind.QUANTITY and (self.series or self.counts):
            raise ValueError("`series` and `counts` belong to quantities only")
        return self


def _check_timeline(timeline: tuple[Period, ...]) -> None:
    for a, b in zip(timeline, timeline[1:]):
        if a.until is None or b.start is None:
            raise ValueError("timeline periods overlap: only the first may have an open start and only the last an open end")
        if b.start <= a.until:
            raise ValueError(f"timeline periods overlap or are out of order: {a.until} then {b.start}")


class Alias(_Strict):
    canonical: str = Field(min_length=1)
    kind: Literal["regulator", "country", "product", "place", "term", "spelling", "company", "organisation"] = "term"
    jurisdiction: Jurisdiction | None = None
    variants: tuple[str, ...] = ()


class Defaults(_Strict):
    jurisdiction: Jurisdiction | None = None
    reviewed: Date | None = None


class TopicFile(_Strict):
    topic: str
    title: str | None = None
    defaults: Defaults | None = None
    aliases: tuple[Alias, ...] = ()
    assertions: tuple[Assertion, ...] = ()

    @field_validator("topic")
    @classmethod
    def _topic(cls, v: str) -> str:
        if not _ID.match(v):
            raise ValueError(f"topic {v!r} must be lowercase words joined by '.' or '-'")
        return v


class AliasFile(_Strict):
    aliases: tuple[Alias, ...]
    domain: tuple[str, ...] = ()  # words that make a sentence on-topic for document scans


# --------------------------------------------------------------------------- results


class AssertionRef(_Strict):
    id: str
    statement: str
    valid_from: Date | None
    valid_until: Date | None


class Location(_Strict):
    """1-based line; 1-based column counted in Unicode code points (see README)."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    byte_column: int | None = None  # UTF-8 byte columns (1-based), for formats that want them
    byte_end_column: int | None = None


class Result(_Strict):
    claim: str
    verdict: Verdict
    confidence: float = Field(ge=0.0, le=1.0)
    judged_at: Date
    assertion: AssertionRef | None = None
    note: str | None = None
    cues: tuple[str, ...] = ()
    sources: tuple[Source, ...] = ()
    location: Location | None = None
    reason: str | None = None  # the red-flag's reason, for readers; not in the JSON contract's required set

    @property
    def severity(self) -> Severity:
        return SEVERITY_OF[self.verdict]

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
