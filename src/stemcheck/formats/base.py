"""The one small interface every output format implements.

Formats know results, not the engine: they receive a finished `Report` and return text.
Output is deterministic: the same report renders to the same bytes.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import ClassVar

from stemcheck.model import Result


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass(frozen=True)
class Notice:
    """A finding that is not a claim verdict: an unused suppression, for example."""

    path: str
    line: int
    column: int
    message: str
    rule: str = "unused-suppression"
    byte_column: int | None = None  # UTF-8 byte column (1-based), for rdjsonl


@dataclass(frozen=True)
class Report:
    command: str  # "check" | "scan"
    as_of: dt.date
    results: tuple[Result, ...]
    files_scanned: int = 0
    skipped: tuple[Skipped, ...] = ()
    notices: tuple[Notice, ...] = ()
    color: bool = False
    verbose: bool = False
    meta: dict = field(default_factory=dict)


class Formatter(ABC):
    name: ClassVar[str]
    modes: ClassVar[frozenset[str]] = frozenset({"check", "scan"})
    streams: ClassVar[bool] = False  # True when each result renders on its own (jsonl)

    @abstractmethod
    def render(self, report: Report) -> str:
        """The whole output for `report`, ending with a newline when not empty."""

    def render_one(self, result: Result, report: Report) -> str:  # pragma: no cover - only for streams
        raise NotImplementedError
