"""Human-readable output, coloured with rich when the destination is a terminal.

`check`: one block per claim (verdict, claim, assertion and its window, note, sources as
links, confidence). `scan`: findings grouped by file, one line each plus its note and first
source, then a summary line ("3 errors, 2 warnings in 2 files"). With colour off (piped,
NO_COLOR, --color never) the same layout is plain text.
"""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from stemcheck.enums import Severity, Verdict
from stemcheck.formats.base import Formatter, Notice, Report, ResultStream, render_by_stream

if TYPE_CHECKING:  # Result only in annotations: a scan's parent never imports the model
    from stemcheck.model import Result

STYLE = {
    Verdict.SUPPORTED: "bold green",
    Verdict.REFUTED: "bold red",
    Verdict.OUTDATED: "bold yellow",
    Verdict.MISLEADING: "bold magenta",
    Verdict.UNVERIFIED: "bold blue",
}
SEV_STYLE = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "blue", Severity.NONE: "green"}


def _window(r: Result) -> str:
    a = r.assertion
    if a is None or (a.valid_from is None and a.valid_until is None):
        return "at all times" if a is not None else ""
    start = a.valid_from.isoformat() if a.valid_from else "…"
    end = a.valid_until.isoformat() if a.valid_until else "now"
    return f"{start} → {end}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


# Control characters a claim may carry: the five rich strips, and the rest (ESC above all)
# shown as U+FFFD, so pasted text cannot drive the terminal.
_CONTROLS = {c: None for c in (7, 8, 11, 12, 13)} | {
    c: "\ufffd" for c in [*range(0, 32), 127, *range(0x80, 0xA0)] if c not in (7, 8, 9, 10, 11, 12, 13)
}


class _Out:
    """Lines of styled parts: a part is text, or (text, style). With colour off the parts
    are joined as plain text and rich is never imported (a piped check does not pay for
    it); with colour on each line is a rich Text."""

    def __init__(self, color: bool):
        self.color = color
        self.buf = io.StringIO()
        self.console = None
        if color:
            from rich.console import Console

            self.console = Console(
                file=self.buf, force_terminal=True, color_system="standard", width=100, highlight=False, soft_wrap=True, emoji=False
            )

    def line(self, *parts: str | tuple[str, str]) -> None:
        if self.console is None:
            self.buf.write("".join(p if isinstance(p, str) else p[0] for p in parts).translate(_CONTROLS) + "\n")
            return
        from rich.text import Text

        t = Text()
        for p in parts:
            if isinstance(p, str):
                t.append(p.translate(_CONTROLS))
            else:
                t.append(p[0].translate(_CONTROLS), style=p[1])
        self.console.print(t)

    def take(self) -> str:
        """What was written since the last take."""
        out = self.buf.getvalue()
        self.buf.seek(0)
        self.buf.truncate()
        return out


class TextFormatter(Formatter):
    name = "text"
    streams = True

    def render(self, report: Report) -> str:
        return render_by_stream(self, report)

    def open_stream(self, report: Report) -> ResultStream:
        return _TextScanStream(report.color) if report.command == "scan" else _TextCheckStream(report.color)


class _TextCheckStream(ResultStream):
    """One block per claim (verdict, claim, assertion and window, note, sources, confidence),
    blocks separated by a blank line."""

    def __init__(self, color: bool):
        self.out = _Out(color)
        self.first = True

    def feed(self, path: str, results: Sequence[Result], notices: Sequence[Notice] = ()) -> str:
        for r in results:
            if not self.first:
                self.out.line()
            self.first = False
            self._block(r)
        return self.out.take()

    def _block(self, r: Result) -> None:
        line, color = self.out.line, self.out.color
        line((r.verdict.value.upper(), STYLE[r.verdict]), f"  {r.claim}")
        if r.assertion is not None:
            line(f"  assertion   {r.assertion.id}: {r.assertion.statement}")
            line(f"  holds       {_window(r)}")
        if r.note:
            line(f"  note        {r.note}")
        if r.reason and r.reason != r.note:
            line(f"  why         {r.reason}")
        for k, s in enumerate(r.sources):
            label = "sources" if k == 0 else ""
            head = f"  {label:<11} {s.publisher}, "
            tail = f" ({s.published.isoformat()})"
            if color:  # the title is the link
                line(head, (s.title, f"link {s.url}"), tail)
            else:
                line(head, s.title, f"{tail} {s.url}")
        cues = f" · cues: {', '.join(r.cues)}" if r.cues else ""
        line(f"  confidence  {r.confidence:.2f} · judged at {r.judged_at.isoformat()}{cues}")


class _TextScanStream(ResultStream):
    """Findings grouped by file: a header when the path changes, a file's notices after its
    findings, a summary line at the end."""

    def __init__(self, color: bool):
        self.out = _Out(color)
        self.path: str | None = None
        self.pending: list[Notice] = []
        self.counts: Counter = Counter()
        self.paths = 0

    def _end_path(self) -> None:
        if self.path is None:
            return
        for n in self.pending:
            self.counts[Severity.INFO] += 1
            self.out.line(f"  {f'{n.line}:{n.column}':>7}  ", (f"{'info':<7}", "blue"), f" {'notice':<10} {n.message}")
        self.pending = []
        self.out.line()

    def feed(self, path: str, results: Sequence[Result], notices: Sequence[Notice] = ()) -> str:
        if not results and not notices:
            return ""
        line = self.out.line
        if path != self.path:
            self._end_path()
            self.path = path
            self.paths += 1
            line((path, "bold underline"))
        pad = f"  {'':>7}  {'':<7} {'':<10} "
        for r in results:
            sev = r.severity
            self.counts[sev] += 1
            loc = f"{r.location.line}:{r.location.column}" if r.location else ""
            sev_label = sev.value if sev is not Severity.NONE else "ok"
            parts: list = [f"  {loc:>7}  ", (f"{sev_label:<7}", SEV_STYLE[sev]), " ", (f"{r.verdict.value:<10}", STYLE[r.verdict]), f" {r.claim}"]
            if r.assertion:
                parts += ["  ", (r.assertion.id, "dim")]
            line(*parts)
            if r.note:
                line(pad, (r.note, "dim"))
            if r.sources:
                s = r.sources[0]
                line(pad, (f"source: {s.publisher}, {s.url}", "dim"))
        self.pending.extend(notices)
        return self.out.take()

    def close(self, report: Report) -> str:
        self._end_path()
        counts = self.counts
        for s in report.skipped:
            self.out.line(("skipped", "yellow"), f" {s.path}: {s.reason}")
        parts = [_plural(counts[Severity.ERROR], "error"), _plural(counts[Severity.WARNING], "warning"), _plural(counts[Severity.INFO], "info")]
        if counts[Severity.NONE]:
            parts.append(f"{counts[Severity.NONE]} supported")
        tail = f" in {_plural(self.paths, 'file')}"
        scanned = f" ({_plural(report.files_scanned, 'file')} scanned"
        scanned += f", {len(report.skipped)} skipped)" if report.skipped else ")"
        self.out.line(", ".join(parts) + tail + scanned)
        return self.out.take()
