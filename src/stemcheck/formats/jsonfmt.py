"""`json` (one document) and `jsonl` (one result per line): the DESIGN.md result objects."""

from __future__ import annotations

import json

from stemcheck import SCHEMA_VERSION
from stemcheck.formats.base import Formatter, PerResultStream, Report, ResultStream, render_by_stream
from stemcheck.model import Result


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False, separators=(", ", ": "))


class JsonFormatter(Formatter):
    name = "json"

    def render(self, report: Report) -> str:
        doc = {
            "schema_version": SCHEMA_VERSION,
            "as_of": report.as_of.isoformat(),
            "results": [r.to_json() for r in report.results],
        }
        if report.command == "scan":
            doc["summary"] = {
                "files": report.files_scanned,
                "skipped": [{"path": s.path, "reason": s.reason} for s in report.skipped],
                "notices": [
                    {"path": n.path, "line": n.line, "column": n.column, "rule": n.rule, "message": n.message}
                    for n in report.notices
                ],
            }
        return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"


class JsonlFormatter(Formatter):
    name = "jsonl"
    streams = True
    per_result = True

    def render(self, report: Report) -> str:
        return render_by_stream(self, report)

    def open_stream(self, report: Report) -> ResultStream:
        return PerResultStream(self.render_result)

    @staticmethod
    def render_result(result: Result) -> str:
        return _dump(result.to_json()) + "\n"
