"""The closed vocabularies: verdicts and their lint severities, jurisdictions, and the
kinds of assertion.

Apart from the dataclasses in `model` (which re-exports all of these): a scan's parent
process needs the verdicts and severities to filter findings and choose its exit code,
not the knowledge schema, whose dozen dataclasses take milliseconds to create at import.
"""

from __future__ import annotations

from enum import StrEnum


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
