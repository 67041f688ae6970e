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

from stemcheck.formats.base import Formatter, Notice, Report, ResultStream, render_by_stream
from stemcheck.model import Result, Severity, Verdict

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


def _console(file, color: bool):
    from rich.console import Console  # imported here: JSON output and plain checks never pay for rich

    return Console(
        file=file,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=100,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )


def _take(buf: io.StringIO) -> str:
    """What was printed since the last take."""
    out = buf.getvalue()
    buf.seek(0)
    buf.truncate()
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
        self.buf = io.StringIO()
        self.color = color
        self.console = _console(self.buf, color)
        self.first = True

    def feed(self, path: str, results: Sequence[Result], notices: Sequence[Notice] = ()) -> str:
        for r in results:
            if not self.first:
                self.console.print()
            self.first = False
            self._block(r)
        return _take(self.buf)

    def _block(self, r: Result) -> None:
        from rich.markup import escape

        console, color = self.console, self.color

        console.print(f"[{STYLE[r.verdict]}]{r.verdict.value.upper()}[/]  {escape(r.claim)}")
        if r.assertion is not None:
            console.print(f"  assertion   {escape(r.assertion.id)}: {escape(r.assertion.statement)}")
            console.print(f"  holds       {_window(r)}")
        if r.note:
            console.print(f"  note        {escape(r.note)}")
        if r.reason and r.reason != r.note:
            console.print(f"  why         {escape(r.reason)}")
        for k, s in enumerate(r.sources):
            label = "sources" if k == 0 else ""
            title = escape(s.title)
            link = f"[link={s.url}]{title}[/link]" if color else title
            console.print(f"  {label:<11} {escape(s.publisher)}, {link} ({s.published.isoformat()}) {escape(s.url) if not color else ''}".rstrip())
        cues = f" · cues: {', '.join(r.cues)}" if r.cues else ""
        console.print(f"  confidence  {r.confidence:.2f} · judged at {r.judged_at.isoformat()}{cues}")


class _TextScanStream(ResultStream):
    """Findings grouped by file: a header when the path changes, a file's notices after its
    findings, a summary line at the end."""

    def __init__(self, color: bool):
        self.buf = io.StringIO()
        self.console = _console(self.buf, color)
        self.path: str | None = None
        self.pending: list[Notice] = []
        self.counts: Counter = Counter()
        self.paths = 0


    def _end_path(self) -> None:
        from rich.markup import escape

        if self.path is None:
            return
        for n in self.pending:
            self.counts[Severity.INFO] += 1
            self.console.print(f"  {f'{n.line}:{n.column}':>7}  [blue]{'info':<7}[/] {'notice':<10} {escape(n.message)}")
        self.pending = []
        self.console.print()

    def feed(self, path: str, results: Sequence[Result], notices: Sequence[Notice] = ()) -> str:
        from rich.markup import escape

        if not results and not notices:
            return ""
        if path != self.path:
            self._end_path()
            self.path = path
            self.paths += 1
            self.console.print(f"[bold underline]{escape(path)}[/]")
        for r in results:
            sev = r.severity
            self.counts[sev] += 1
            loc = f"{r.location.line}:{r.location.column}" if r.location else ""
            sev_label = sev.value if sev is not Severity.NONE else "ok"
            ident = f"  [dim]{escape(r.assertion.id)}[/]" if r.assertion else ""
            self.console.print(
                f"  {loc:>7}  [{SEV_STYLE[sev]}]{sev_label:<7}[/] [{STYLE[r.verdict]}]{r.verdict.value:<10}[/] {escape(r.claim)}{ident}"
            )
            if r.note:
                self.console.print(f"  {'':>7}  {'':<7} {'':<10} [dim]{escape(r.note)}[/]")
            if r.sources:
                s = r.sources[0]
                self.console.print(f"  {'':>7}  {'':<7} {'':<10} [dim]source: {escape(s.publisher)}, {escape(s.url)}[/]")
        self.pending.extend(notices)
        return _take(self.buf)

    def close(self, report: Report) -> str:
        from rich.markup import escape

        self._end_path()
        counts = self.counts
        for s in report.skipped:
            self.console.print(f"[yellow]skipped[/] {escape(s.path)}: {escape(s.reason)}")
        parts = [_plural(counts[Severity.ERROR], "error"), _plural(counts[Severity.WARNING], "warning"), _plural(counts[Severity.INFO], "info")]
        if counts[Severity.NONE]:
            parts.append(f"{counts[Severity.NONE]} supported")
        tail = f" in {_plural(self.paths, 'file')}"
        scanned = f" ({_plural(report.files_scanned, 'file')} scanned"
        scanned += f", {len(report.skipped)} skipped)" if report.skipped else ")"
        self.console.print(", ".join(parts) + tail + scanned)
        return _take(self.buf)
