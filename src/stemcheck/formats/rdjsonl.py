"""reviewdog diagnostics, one JSON object per line (rdjsonl). Columns are UTF-8 byte
columns, as reviewdog expects, converted from the code-point columns of the scan."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from stemcheck.enums import Severity
from stemcheck.formats.base import Formatter, PerResultStream, Report, ResultStream, render_by_stream
from stemcheck.formats.findings import message, rule_id

if TYPE_CHECKING:  # Result only in annotations: a scan's parent never imports the model
    from stemcheck.model import Result

SEVERITY = {Severity.ERROR: "ERROR", Severity.WARNING: "WARNING", Severity.INFO: "INFO", Severity.NONE: "INFO"}


class RdjsonlFormatter(Formatter):
    name = "rdjsonl"
    modes = frozenset({"scan"})
    streams = True
    per_result = True

    def render(self, report: Report) -> str:
        return render_by_stream(self, report)

    def open_stream(self, report: Report) -> ResultStream:
        return PerResultStream(self.render_result, _notices)

    @staticmethod
    def render_result(result: Result) -> str:
        return _diagnostic(result)


def _notices(report: Report) -> str:
    """Unused-suppression notices, after the findings."""
    out = []
    for n in report.notices:
        d = {
            "message": n.message,
            "location": {"path": n.path, "range": {"start": {"line": n.line, "column": n.byte_column or n.column}}},
            "severity": "INFO",
            "source": {"name": "stemcheck"},
            "code": {"value": n.rule},
        }
        out.append(json.dumps(d, ensure_ascii=False) + "\n")
    return "".join(out)


def _diagnostic(r: Result) -> str:
    d: dict = {"message": message(r), "severity": SEVERITY[r.severity], "source": {"name": "stemcheck"}}
    code: dict = {"value": rule_id(r)}
    if r.sources:
        code["url"] = r.sources[0].url
    d["code"] = code
    if r.location:
        l = r.location
        d["location"] = {
            "path": l.path,
            "range": {
                "start": {"line": l.line, "column": l.byte_column or l.column},
                "end": {"line": l.end_line, "column": l.byte_end_column or l.end_column},
            },
        }
    return json.dumps(d, ensure_ascii=False) + "\n"
