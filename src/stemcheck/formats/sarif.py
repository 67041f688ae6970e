"""SARIF 2.1.0 for code-scanning uploads: one rule per knowledge-base assertion that fired,
with its statement, help text and source URL; regions in Unicode code points."""

from __future__ import annotations

import json
from urllib.parse import quote
from typing import TYPE_CHECKING

from stemcheck import __version__
from stemcheck.enums import Severity
from stemcheck.formats.base import Formatter, Report
from stemcheck.formats.findings import UNVERIFIED_RULE, VERDICT_HELP, message, rule_id

if TYPE_CHECKING:  # Result only in annotations: a scan's parent never imports the model
    from stemcheck.model import Result

LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note", Severity.NONE: "none"}
INFO_URI = "https://pypi.org/project/stemcheck/"


class SarifFormatter(Formatter):
    name = "sarif"
    modes = frozenset({"scan"})

    def render(self, report: Report) -> str:
        rules: list[dict] = []
        index: dict[str, int] = {}
        results = []
        for r in report.results:
            rid = rule_id(r)
            if rid not in index:
                index[rid] = len(rules)
                rules.append(_rule(r))
            results.append(_result(r, index[rid]))
        for n in report.notices:
            if n.rule not in index:
                index[n.rule] = len(rules)
                rules.append(
                    {
                        "id": n.rule,
                        "name": "UnusedSuppression",
                        "shortDescription": {"text": "A stemcheck suppression comment that suppressed nothing"},
                        "help": {"text": "Remove the comment, or fix the assertion id it names."},
                        "defaultConfiguration": {"level": "note"},
                    }
                )
            results.append(
                {
                    "ruleId": n.rule,
                    "ruleIndex": index[n.rule],
                    "level": "note",
                    "message": {"text": n.message},
                    "locations": [_loc(n.path, n.line, n.column, n.line, n.column + 1)],
                }
            )
        doc = {
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {"driver": {"name": "stemcheck", "version": __version__, "informationUri": INFO_URI, "rules": rules}},
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                }
            ],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


def _rule(r: Result) -> dict:
    if r.assertion is None:
        return {
            "id": UNVERIFIED_RULE,
            "name": "Unverified",
            "shortDescription": {"text": "A checkable claim that the knowledge base does not decide"},
            "help": {"text": "stemcheck found no assertion that decides this claim. Check it by hand, or add an assertion."},
            "defaultConfiguration": {"level": "note"},
        }
    a = r.assertion
    src = r.sources[0] if r.sources else None
    help_text = f"{a.statement}. Verdict '{r.verdict.value}': {VERDICT_HELP[r.verdict]}."
    md = f"**{a.statement}**\n\n" + "\n".join(f"- [{s.title}]({s.url}) — {s.publisher}, {s.published.isoformat()}" for s in r.sources)
    rule = {
        "id": a.id,
        "name": "".join(part.capitalize() for part in a.id.replace("-", ".").split(".")),
        "shortDescription": {"text": a.statement},
        "fullDescription": {"text": a.statement + (f" (holds from {a.valid_from})" if a.valid_from else "")},
        "help": {"text": help_text + (f" Source: {src.url}" if src else ""), "markdown": md},
        "defaultConfiguration": {"level": LEVEL[r.severity] if r.severity is not Severity.NONE else "note"},
    }
    if src:
        rule["helpUri"] = src.url
    return rule


def _uri(path: str) -> str:
    """A file path as a URI reference: forward slashes; spaces, '%', '#', '?' and non-ASCII
    characters percent-encoded (a raw "my notes.md" is not a valid URI)."""
    return quote(path.replace("\\", "/"), safe="/:@!$&'()*+,;=~")


def _loc(path: str, line: int, col: int, end_line: int, end_col: int) -> dict:
    return {
        "physicalLocation": {
            "artifactLocation": {"uri": _uri(path)},
            "region": {"startLine": line, "startColumn": col, "endLine": end_line, "endColumn": end_col},
        }
    }


def _fingerprint(text: str) -> str:
    """SHA-256 of the rule and the claim (the SARIF fingerprint contract). hashlib is
    imported here: it loads OpenSSL, 3-5 ms that a check in another format need not pay."""
    import hashlib

    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _result(r: Result, rule_index: int) -> dict:
    out = {
        "ruleId": rule_id(r),
        "ruleIndex": rule_index,
        "level": LEVEL[r.severity],
        "message": {"text": message(r)},
        "properties": {"verdict": r.verdict.value, "confidence": r.confidence, "judged_at": r.judged_at.isoformat()},
    }
    if r.location:
        l = r.location
        out["locations"] = [_loc(l.path, l.line, l.column, l.end_line, l.end_column)]
        # content-keyed, not line-keyed: moving a paragraph does not make a new alert
        out["partialFingerprints"] = {"claimHash/v1": _fingerprint(f"{rule_id(r)}\0{r.claim}")}
    return out
