"""Exit status as an enum (contract: DESIGN.md). 3 is ours: an internal error, never the input's fault."""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum
from typing import TYPE_CHECKING

from stemcheck.enums import SEVERITY_RANK, Severity

if TYPE_CHECKING:  # Result only in annotations: a scan's parent never imports the model
    from stemcheck.model import Result


class ExitCode(IntEnum):
    OK = 0  # nothing at or above the fail threshold
    FINDINGS = 1  # findings at or above the fail threshold
    ERROR = 2  # usage, input, config or knowledge-base error
    INTERNAL = 3  # a bug in stemcheck: please report it

    @classmethod
    def for_results(cls, results: Iterable[Result], fail_on: str) -> "ExitCode":
        if fail_on == "never":
            return cls.OK
        return cls.for_worst(max((SEVERITY_RANK[r.severity] for r in results), default=0), fail_on)

    @classmethod
    def for_worst(cls, worst: int, fail_on: str) -> "ExitCode":
        """From the rank of the most severe finding (a scan streams its findings and keeps only this)."""
        if fail_on == "never":
            return cls.OK
        return cls.FINDINGS if worst >= SEVERITY_RANK[Severity(fail_on)] and worst > 0 else cls.OK
