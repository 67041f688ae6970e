"""Human-readable output, coloured with rich when the destination is a terminal.

`check`: one block per claim (verdict, claim, assertion and its window, note, sources as
links, confidence). `scan`: findings grouped by file, one line each plus its note and first
source, then a summary line ("3 errors, 2 warnings in 2 files"). With colour off (piped,
NO_COLOR, --color never) the same layout is plain text.
"""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console
from rich.markup import escape

from stemcheck.formats.base import Formatter, Report
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


class TextFormatter(Formatter):
    name = "text"

    def render(self, report: Report) -> str:
        buf = io.StringIO()
        console = Console(
            file=buf,
            force_terminal=report.color,
            no_color=not report.color,
            color_system="standard" if report.color else None,
            width=100,
            highlight=False,
            soft_wrap=True,
            emoji=False,
        )
        if report.command == "scan":
            self._scan(console, report)
        else:
            for i, r in enumerate(report.results):
                if i:
                    console.print()
                self._block(console, r, report.color)
        return buf.getvalue()

    def _block(self, console: Console, r: Result, color: bool) -> None:
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

    def _scan(self, console: Console, report: Report) -> None:
        by_path: dict[str, list[Result]] = {}
        for r in report.results:
            path = r.location.path if r.location else "-"
            by_path.setdefault(path, []).append(r)
        notices_by_path: dict[str, list] = {}
        for n in report.notices:
            notices_by_path.setdefault(n.path, []).append(n)
        paths = sorted(set(by_path) | set(notices_by_path))
        counts: Counter = Counter()
        for path in paths:
            console.print(f"[bold underline]{escape(path)}[/]")
            rows = by_path.get(path, [])
            for r in rows:
                sev = r.severity
                counts[sev] += 1
                loc = f"{r.location.line}:{r.location.column}" if r.location else ""
                sev_label = sev.value if sev is not Severity.NONE else "ok"
                ident = f"  [dim]{escape(r.assertion.id)}[/]" if r.assertion else ""
                console.print(
                    f"  {loc:>7}  [{SEV_STYLE[sev]}]{sev_label:<7}[/] [{STYLE[r.verdict]}]{r.verdict.value:<10}[/] {escape(r.claim)}{ident}"
                )
                if r.note:
                    console.print(f"  {'':>7}  {'':<7} {'':<10} [dim]{escape(r.note)}[/]")
                if r.sources:
                    s = r.sources[0]
                    console.print(f"  {'':>7}  {'':<7} {'':<10} [dim]source: {escape(s.publisher)}, {escape(s.url)}[/]")
            for n in notices_by_path.get(path, []):
                counts[Severity.INFO] += 1
                console.print(f"  {f'{n.line}:{n.column}':>7}  [blue]{'info':<7}[/] {'notice':<10} {escape(n.message)}")
            console.print()
        for s in report.skipped:
            console.print(f"[yellow]skipped[/] {escape(s.path)}: {escape(s.reason)}")
        parts = [_plural(counts[Severity.ERROR], "error"), _plural(counts[Severity.WARNING], "warning"), _plural(counts[Severity.INFO], "info")]
        if counts[Severity.NONE]:
            parts.append(f"{counts[Severity.NONE]} supported")
        with_findings = len(paths)
        tail = f" in {_plural(with_findings, 'file')}"
        scanned = f" ({_plural(report.files_scanned, 'file')} scanned"
        scanned += f", {len(report.skipped)} skipped)" if report.skipped else ")"
        console.print(", ".join(parts) + tail + scanned)
