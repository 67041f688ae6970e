"""`json` (one document) and `jsonl` (one result per line): the DESIGN.md result objects."""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _quote  # what json.dumps(ensure_ascii=False) writes for a str
from typing import TYPE_CHECKING

from stemcheck import SCHEMA_VERSION
from stemcheck.enums import Verdict
from stemcheck.formats.base import Formatter, PerResultStream, Report, ResultStream, render_by_stream

if TYPE_CHECKING:  # Result only in annotations: a scan's parent never imports the model
    from stemcheck.model import Result


def _dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False, separators=(", ", ": "))


# --------------------------------------------------------------------------- one jsonl line
# `_dump(result.to_json())`, written directly: a scan renders a line per finding, thousands
# per megabyte, and building the dict then encoding it cost twice as much as the checks
# that decide most of those findings. The same bytes by construction: strings go through
# the function json itself uses, numbers through repr/int formatting as json does; a test
# compares the two on every result of the seed articles and on random results.

_VERDICT = {v: f'", "verdict": "{v.value}", "confidence": ' for v in Verdict}


def _date(d) -> str:
    return "null" if d is None else f'"{d.isoformat()}"'


def _assertion(a) -> str:
    if a is None:
        return "null"
    return f'{{"id": {_quote(a.id)}, "statement": {_quote(a.statement)}, "valid_from": {_date(a.valid_from)}, "valid_until": {_date(a.valid_until)}}}'


def _source(s) -> str:
    return f'{{"title": {_quote(s.title)}, "publisher": {_quote(s.publisher)}, "url": {_quote(s.url)}, "published": "{s.published.isoformat()}"}}'


def _line(r: Result) -> str:
    loc = r.location
    return "".join(
        (
            '{"claim": ',
            _quote(r.claim)[:-1],  # the closing quote is the first character of the verdict piece
            _VERDICT[r.verdict],
            repr(round(r.confidence, 2)),
            ', "judged_at": "',
            r.judged_at.isoformat(),
            '", "assertion": ',
            _assertion(r.assertion),
            ', "note": ',
            "null" if r.note is None else _quote(r.note),
            ', "cues": [',
            ", ".join(map(_quote, r.cues)),
            '], "sources": [',
            ", ".join(map(_source, r.sources)),
            "]}\n"
            if loc is None
            else f'], "location": {{"path": {_quote(loc.path)}, "line": {loc.line:d}, "column": {loc.column:d}, '
            f'"end_line": {loc.end_line:d}, "end_column": {loc.end_column:d}}}}}\n',
        )
    )


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
        return _line(result)
