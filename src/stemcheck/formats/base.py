"""The one small interface every output format implements.

Formats know results, not the engine: they receive a finished `Report` and return text.
Output is deterministic: the same report renders to the same bytes.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:  # Result only in annotations: a scan's parent never imports the model
    from stemcheck.model import Result


@dataclass(frozen=True)
class Skipped:
    """A path a scan did not check, and why (not text, unreadable, too large ...)."""

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
    """Everything a formatter renders: the results and, for a scan, the files, skips and notices."""

    command: str  # "check" | "scan"
    as_of: dt.date
    results: tuple[Result, ...]
    files_scanned: int = 0
    skipped: tuple[Skipped, ...] = ()
    notices: tuple[Notice, ...] = ()
    color: bool = False
    verbose: bool = False
    meta: dict = field(default_factory=dict)


class ResultStream:
    """Writes a report piece by piece as results arrive, so a scan of a 100 MB document
    never holds every finding (or the whole output) in memory. Pieces arrive in report
    order: by path, and within a path by position; one path may come in several pieces."""

    def feed(self, path: str, results: Sequence[Result], notices: Sequence[Notice] = ()) -> str:
        raise NotImplementedError

    def close(self, report: Report) -> str:
        """The rest of the output; `report` carries the summary (files, skipped, notices) but no results."""
        return ""


class PerResultStream(ResultStream):
    """The stream of a per-result format: each finding renders alone (the formatter's
    render_result, which workers also call); `tail`, if given, renders what follows the
    findings."""

    def __init__(self, render: Callable[[Result], str], tail: Callable[[Report], str] | None = None):
        self.render = render
        self.tail = tail

    def feed(self, path: str, results: Sequence[Result], notices: Sequence[Notice] = ()) -> str:
        return "".join(map(self.render, results))

    def close(self, report: Report) -> str:
        return self.tail(report) if self.tail else ""


class Formatter(ABC):
    name: ClassVar[str]
    modes: ClassVar[frozenset[str]] = frozenset({"check", "scan"})
    streams: ClassVar[bool] = False  # True when open_stream() renders results as they arrive
    per_result: ClassVar[bool] = False  # True when each result renders alone (render_result), in any order or process

    @abstractmethod
    def render(self, report: Report) -> str:
        """The whole output for `report`, ending with a newline when not empty."""

    def open_stream(self, report: Report) -> ResultStream:  # pragma: no cover - only for streams
        raise NotImplementedError

    @staticmethod
    def render_result(result: Result) -> str:  # pragma: no cover - only for per-result formats
        raise NotImplementedError


def render_by_stream(formatter: Formatter, report: Report) -> str:
    """`render` for a streaming format: the same pieces a scan would feed, so the whole and
    the streamed output are byte-identical by construction."""
    stream = formatter.open_stream(report)
    by_path: dict[str, tuple[list[Result], list[Notice]]] = {}
    for r in report.results:
        by_path.setdefault(r.location.path if r.location else "-", ([], []))[0].append(r)
    for n in report.notices:
        by_path.setdefault(n.path, ([], []))[1].append(n)
    out = [stream.feed(path, rs, ns) for path, (rs, ns) in sorted(by_path.items())] if report.command == "scan" else [
        stream.feed("-", list(report.results))
    ]
    out.append(stream.close(replace(report, results=())))
    return "".join(out)
