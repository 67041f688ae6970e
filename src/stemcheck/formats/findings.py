"""What the lint formats (SARIF, GitHub, rdjsonl) share: one message and one rule per finding."""

from __future__ import annotations

from typing import TYPE_CHECKING

from stemcheck.enums import Severity, Verdict

if TYPE_CHECKING:  # Result only in annotations: a scan's parent never imports the model
    from stemcheck.model import Result

UNVERIFIED_RULE = "stemcheck.unverified"


def rule_id(r: Result) -> str:
    return r.assertion.id if r.assertion else UNVERIFIED_RULE


def message(r: Result) -> str:
    head = f"{r.verdict.value.capitalize()}: {r.claim}"
    if r.note:
        head += f" — {r.note}"
    if r.sources:
        head += f" (source: {r.sources[0].publisher}, {r.sources[0].url})"
    return head


def title(r: Result) -> str:
    return f"stemcheck {r.verdict.value}" + (f" ({r.assertion.id})" if r.assertion else "")


def level(r: Result) -> Severity:
    return r.severity


VERDICT_HELP = {
    Verdict.REFUTED: "contradicts what holds at the judgement date, and was never true",
    Verdict.MISLEADING: "near a fact but deceptive: hype, conflation, or trial-stage work sold as treatment",
    Verdict.OUTDATED: "was true earlier, no longer true at the judgement date",
    Verdict.UNVERIFIED: "a checkable claim that nothing in the knowledge base decides",
    Verdict.SUPPORTED: "matches an assertion that holds at the judgement date",
}
