"""GitHub Actions workflow commands (`::error file=…::message`).

Data is escaped (% \\r \\n), properties additionally (: ,). GitHub shows at most 10
error and 10 warning annotations per step, so past that a notice points at SARIF/rdjsonl.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from stemcheck.enums import Severity
from stemcheck.formats.base import Formatter, Notice, Report, ResultStream, render_by_stream
from stemcheck.formats.findings import message, title

if TYPE_CHECKING:  # Result only in annotations: a scan's parent never imports the model
    from stemcheck.model import Result

COMMAND = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice", Severity.NONE: "notice"}
GITHUB_CAP = 10


def escape_data(s: str) -> str:
    return s.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(s: str) -> str:
    return escape_data(s).replace(":", "%3A").replace(",", "%2C")


class GithubFormatter(Formatter):
    name = "github"
    modes = frozenset({"scan"})

    streams = True

    def render(self, report: Report) -> str:
        return render_by_stream(self, report)

    def open_stream(self, report: Report) -> ResultStream:
        return _GithubStream()


class _GithubStream(ResultStream):
    def __init__(self) -> None:
        self.per_level: dict[str, int] = {}

    def feed(self, path: str, results: Sequence[Result], notices: Sequence[Notice] = ()) -> str:
        lines = []
        for r in results:
            cmd = COMMAND[r.severity]
            self.per_level[cmd] = self.per_level.get(cmd, 0) + 1
            props = []
            if r.location:
                l = r.location
                props = [
                    f"file={escape_property(l.path)}",
                    f"line={l.line}",
                    f"col={l.column}",
                    f"endLine={l.end_line}",
                    f"endColumn={l.end_column}",
                ]
            props.append(f"title={escape_property(title(r))}")
            lines.append(f"::{cmd} {','.join(props)}::{escape_data(message(r))}\n")
        return "".join(lines)

    def close(self, report: Report) -> str:
        lines = []
        for n in report.notices:
            lines.append(
                f"::notice file={escape_property(n.path)},line={n.line},col={n.column},title={escape_property('stemcheck ' + n.rule)}::{escape_data(n.message)}"
            )
        over = [k for k, v in self.per_level.items() if k in ("error", "warning") and v > GITHUB_CAP]
        if over:
            lines.append(
                "::notice title=stemcheck::"
                + escape_data(
                    f"GitHub shows at most {GITHUB_CAP} {' and '.join(sorted(over))} annotations per step; "
                    "upload SARIF (--format sarif) or use reviewdog (--format rdjsonl) to see every finding."
                )
            )
        return "".join(line + "\n" for line in lines)
