"""The command line: parse options, call the engine, pick a formatter, set the exit code.

Thin on purpose. Every error the user can act on is one line on stderr and exit 2; an
unexpected failure is one line with a hint to report it and exit 3; never a traceback.
"""

# No `from __future__ import annotations` here: typer reads every command's annotations on
# every run, and string annotations must then be eval'd (about 3 ms of a cold start).

import contextlib
import contextvars
import datetime as dt
import json
import os
import sys

# pydantic scans every installed distribution's entry points for plugins the first time it
# builds a schema (~35 ms of a ~450 ms cold check). stemcheck's CLI uses no pydantic
# plugins; library users importing stemcheck.api are unaffected.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

try:  # typer >= 0.29 vendors click and raises its own copies of click's exceptions
    from typer._click import exceptions as _clickx
except ImportError:  # pragma: no cover - older typer raises click's own
    from click import exceptions as _clickx

from stemcheck import __version__
from stemcheck.errors import InputError, StemcheckError, UsageError
from stemcheck.exitcodes import ExitCode

app = typer.Typer(
    name="stemcheck",
    help="Fact-check claims about stem cell therapy against a dated, sourced knowledge base.",
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)
kb_app = typer.Typer(help="Inspect, validate and test the knowledge base.", no_args_is_help=True, add_completion=False)
app.add_typer(kb_app, name="kb")


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class FailOn(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"
    never = "never"


class MinSeverity(str, Enum):
    error = "error"
    warning = "warning"
    info = "info"


AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Judge at this date (YYYY-MM-DD). Default: today.")]
KbDirs = Annotated[
    Optional[list[Path]], typer.Option("--kb", help="Extra knowledge directory on top of the built-in one (repeatable).")
]
NoCache = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the compiled knowledge cache.")]
ColorOpt = Annotated[Color, typer.Option("--color", help="Colour: auto (terminal only), always, never.")]
Output = Annotated[Optional[Path], typer.Option("--output", "-o", help="Write the report to FILE (atomically).")]


def _version(value: bool) -> None:
    if value:
        print(f"stemcheck {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")] = False,
) -> None:
    """Fact-check claims about stem cell therapy against a dated, sourced knowledge base."""


# --------------------------------------------------------------------------- helpers


def parse_date(value: str | None, option: str = "--as-of") -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option}: {value!r} is not a date in the form YYYY-MM-DD") from None


def use_color(choice: Color, output: Path | None = None) -> bool:
    if output is not None or choice is Color.never:
        return False
    if choice is Color.always:
        return True
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    from stemcheck.atomic import atomic_write

    atomic_write(output, text)


# True while main() runs as the process itself (console script, python -m), not called
# in-process with argv by a host (tests, scripts): only then may it freeze the heap and
# end the process itself (_exit_now).
_OWNS_PROCESS: contextvars.ContextVar[bool] = contextvars.ContextVar("stemcheck_owns_process", default=False)
# A worker pool's supervisor forked at start-up by stemcheck.launch for `scan`, handed to
# the scan command (which configures or dismisses it).
_PREFORKED: contextvars.ContextVar = contextvars.ContextVar("stemcheck_preforked", default=None)


@contextlib.contextmanager
def long_lived():
    """For objects built here that live until the process exits: the compiled knowledge
    base. The garbage collector is paused while they are unpickled, then frozen out of its
    reach, or every later collection walks them again. With a knowledge base ten times the
    built-in one, that was 35 ms of a check. Only when the CLI owns the process: a host
    that calls main(argv) or the API keeps its collector as it was."""
    if not _OWNS_PROCESS.get():
        yield
        return
    import gc

    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def load(kb: list[Path] | None, no_cache: bool):
    from stemcheck.api import load_checker

    with long_lived():
        return load_checker(kb or [], use_cache=not no_cache)


def read_claims(claims: list[str], from_file: Path | None) -> list[str]:
    from stemcheck.documents.decode import DecodeError, decode

    out: list[str] = []
    sources: list[str] = list(claims)
    if from_file is not None:
        sources.append(f"@{from_file}")
    for c in sources:
        if c == "-" or c.startswith("@"):
            if c == "-":
                raw = sys.stdin.buffer.read()
                name = "standard input"
            else:
                path = Path(c[1:])
                name = str(path)
                if not path.exists():
                    raise InputError(f"{path}: no such file")
                if path.is_dir():
                    raise InputError(f"{path}: is a directory, not a claims file")
                try:
                    raw = path.read_bytes()
                except OSError as e:
                    raise InputError(f"{path}: cannot read: {e.strerror or e}") from None
            try:
                text = decode(raw)
            except DecodeError as e:
                raise InputError(f"{name}: {e}") from None
            # one claim per line (only \n and \r\n end a line: U+2028 or a form feed inside a
            # claim must not split it); blank lines still produce a result so output lines align
            lines = text.replace("\r\n", "\n").split("\n")
            if lines and lines[-1] == "":
                lines.pop()
            out.extend(lines)
        else:
            out.append(c)
    return out


# --------------------------------------------------------------------------- check


@app.command()
def check(
    claims: Annotated[Optional[list[str]], typer.Argument(help="Claims to check; '-' reads one claim per line from stdin.")] = None,
    as_of: AsOf = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text, json or jsonl.")] = "text",
    from_file: Annotated[Optional[Path], typer.Option("--from-file", help="File with one claim per line.")] = None,
    kb: KbDirs = None,
    fail_on: Annotated[FailOn, typer.Option("--fail-on", help="Exit 1 when a verdict is at or above this severity.")] = FailOn.never,
    color: ColorOpt = Color.auto,
    output: Output = None,
    no_cache: NoCache = False,
    explain: Annotated[bool, typer.Option("--explain", help="Also list every candidate assertion with its score (stderr).")] = False,
) -> None:
    """Check claims and print a verdict with the assertion, its validity window and sources."""
    from stemcheck.formats.base import Report
    from stemcheck.formats.registry import CHECK_FORMATS, FORMATTERS

    if fmt not in CHECK_FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(CHECK_FORMATS)}")
    day = parse_date(as_of)
    texts = read_claims(list(claims or []), from_file)
    if not texts:
        raise UsageError("no claim given: pass claims as arguments, '-' for stdin, or --from-file FILE")
    checker = load(kb, no_cache)
    formatter = FORMATTERS[fmt]()
    if explain:
        for t in texts:
            print(f"explain: {t}", file=sys.stderr)
            for aid, score, verdict, note in checker.explain(t, day):
                print(f"  {score:5.1f}  {verdict:<10} {aid}  {note or ''}", file=sys.stderr)
    report = Report(command="check", as_of=day, results=(), color=use_color(color, output))
    if formatter.streams and output is None:  # each verdict is printed as soon as it is known
        stream = formatter.open_stream(report)
        results = []
        for t in texts:
            r = checker.check(t, day)
            results.append(r)
            sys.stdout.write(stream.feed("-", [r]))
        sys.stdout.write(stream.close(report))
        sys.stdout.flush()
    else:
        results = [checker.check(t, day) for t in texts]
        write_output(formatter.render(Report(command="check", as_of=day, results=tuple(results), color=report.color)), output)
    raise typer.Exit(int(ExitCode.for_results(results, fail_on.value)))


# --------------------------------------------------------------------------- scan


@app.command()
def scan(
    paths: Annotated[Optional[list[str]], typer.Argument(help="Files, directories or globs; '-' for stdin.")] = None,
    as_of: AsOf = None,
    fmt: Annotated[Optional[str], typer.Option("--format", "-f", help="text, json, jsonl, sarif, github or rdjsonl.")] = None,
    output: Output = None,
    fail_on: Annotated[Optional[FailOn], typer.Option("--fail-on", help="Fail (exit 1) at or above this severity.")] = None,
    min_severity: Annotated[Optional[MinSeverity], typer.Option("--min-severity", help="Show findings at or above this severity.")] = None,
    exit_zero: Annotated[bool, typer.Option("--exit-zero", help="Always exit 0 unless there is an error.")] = False,
    show_supported: Annotated[bool, typer.Option("--show-supported", help="Also show supported claims.")] = False,
    config: Annotated[Optional[Path], typer.Option("--config", help="Use this config file instead of the nearest one.")] = None,
    stdin_filename: Annotated[Optional[str], typer.Option("--stdin-filename", help="Path to report for '-' input.")] = None,
    jobs: Annotated[Optional[int], typer.Option("--jobs", "-j", help="Parallel workers (default: the CPUs this process may use).")] = None,
    kb: KbDirs = None,
    color: ColorOpt = Color.auto,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Say which config file and knowledge are used.")] = False,
    no_cache: NoCache = False,
) -> None:
    """Lint documents: report checkable claims with location, verdict and sources."""
    from stemcheck.scan_cmd import run_scan

    code = run_scan(
        paths=list(paths or []),
        as_of=as_of,
        fmt=fmt,
        output=output,
        fail_on=fail_on.value if fail_on else None,
        min_severity=min_severity.value if min_severity else None,
        exit_zero=exit_zero,
        show_supported=show_supported,
        config=config,
        stdin_filename=stdin_filename,
        jobs=jobs,
        kb=list(kb or []),
        color=use_color(color, output),
        verbose=verbose,
        no_cache=no_cache,
        preforked=_take_preforked(),
    )
    raise typer.Exit(int(code))


def _take_preforked():
    pool = _PREFORKED.get()
    _PREFORKED.set(None)
    return pool


# --------------------------------------------------------------------------- kb


@kb_app.command("validate")
def kb_validate(kb: KbDirs = None) -> None:
    """Load and validate every knowledge file; list every problem with file:line and id."""
    from stemcheck.knowledge.files import knowledge_dirs
    from stemcheck.errors import KnowledgeError
    from stemcheck.knowledge.loader import knowledge_files, load_files

    files = knowledge_files(knowledge_dirs(kb))
    try:
        base = load_files(files)
    except KnowledgeError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        print(f"kb validate: {len(e.problems)} problem(s) in {len(files)} file(s)", file=sys.stderr)
        raise typer.Exit(int(ExitCode.ERROR)) from None
    n_sources = sum(len(a.sources) for a in base.assertions)
    print(f"kb validate: ok: {len(base.assertions)} assertions, {len(base.aliases)} aliases, {n_sources} sources in {len(files)} files")


@kb_app.command("test")
def kb_test(
    kb: KbDirs = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="Only this topic (e.g. cn.approvals).")] = None,
    no_cache: NoCache = False,
) -> None:
    """Run every assertion's example claims through the checker; fail on any mismatch."""
    from stemcheck.kbtools import run_examples

    rep = run_examples(load(kb, no_cache), topic)
    for f in rep.failures:
        print(
            f"FAIL {f.assertion_id}: as_of={f.as_of} want={'/'.join(f.expected)} got={f.got}"
            f" (via {f.got_assertion or 'nothing'}) :: {f.claim}"
        )
        if f.note:
            print(f"     note: {f.note}")
    for aid, what in rep.thin:
        print(f"THIN {aid}: {what}")
    print(f"kb test: {rep.examples} examples, {rep.passed} passed, {len(rep.failures)} failed; {len(rep.thin)} assertion(s) short of examples")
    raise typer.Exit(int(ExitCode.OK if rep.ok else ExitCode.FINDINGS))


@kb_app.command("list")
def kb_list(
    kb: KbDirs = None,
    topic: Annotated[Optional[str], typer.Option("--topic", help="Only this topic.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    no_cache: NoCache = False,
) -> None:
    """List assertions: id, kind, jurisdiction, statement."""
    if fmt not in ("text", "json"):
        raise UsageError(f"--format: {fmt!r} is not one of text, json")
    base = load(kb, no_cache).ckb.kb
    rows = [a for a in base.assertions if not topic or base.origins[a.id].topic == topic]
    if fmt == "json":
        print(json.dumps([{"id": a.id, "kind": a.kind.value, "jurisdiction": a.jurisdiction.value, "topic": base.origins[a.id].topic, "statement": a.statement} for a in rows], ensure_ascii=False, indent=2))
        return
    for a in rows:
        print(f"{a.id:<58} {a.kind.value:<9} {a.jurisdiction.value:<6} {a.statement}")
    print(f"{len(rows)} assertion(s)")


@kb_app.command("show")
def kb_show(
    assertion_id: Annotated[str, typer.Argument(help="Assertion id.")],
    kb: KbDirs = None,
    no_cache: NoCache = False,
) -> None:
    """Show one assertion: statement, timeline or series, sources and examples."""
    base = load(kb, no_cache).ckb.kb
    a = base.get(assertion_id)
    if a is None:
        close = [x.id for x in base.assertions if assertion_id in x.id][:5]
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no assertion with id {assertion_id!r}{hint}")
    o = base.origins[a.id]
    print(f"{a.id}  ({a.kind.value}, {a.jurisdiction.value})  {o.path}:{o.line}")
    print(f"  statement  {a.statement}")
    if a.reason:
        print(f"  reason     {a.reason}")
    if a.note:
        print(f"  note       {a.note}")
    for p in a.timeline:
        start = p.start.isoformat() if p.start else "…"
        end = p.until.isoformat() if p.until else "…"
        print(f"  {start:>10} → {end:<10} {'holds' if p.holds else 'false'}{': ' + p.note if p.note else ''}")
    for s in a.series:
        extra = f" ({s.note})" if s.note else ""
        contested = f" [contested: {s.contested}]" if s.contested else ""
        print(f"  {s.on.isoformat():>10}   {s.bound} {s.value:g}{extra}{contested}")
    print("  terms      " + " AND ".join("(" + " | ".join(g) + ")" for g in a.terms))
    for s in a.sources:
        rel = f" [{s.reliability}]" if s.reliability else ""
        print(f"  source     {s.publisher}, \"{s.title}\" ({s.published.isoformat()}) {s.url}{rel}")
    print(f"  reviewed   {a.reviewed.isoformat()}")
    for ex in a.examples:
        print(f"  example    [{'/'.join(v.value for v in ex.acceptable)} @ {ex.as_of}] {ex.claim}")


@kb_app.command("stats")
def kb_stats(kb: KbDirs = None, no_cache: NoCache = False) -> None:
    """Counts per topic, jurisdiction and kind; sources per assertion; stale reviews."""
    from stemcheck.kbtools import STALE_AFTER_DAYS, stats

    s = stats(load(kb, no_cache), dt.date.today())
    print(f"{s.assertions} assertions in {s.files} topic files, {s.aliases} aliases, {s.examples} examples, {s.distinct_urls} distinct source URLs")
    print("by topic:        " + ", ".join(f"{k} {v}" for k, v in s.by_topic.items()))
    print("by jurisdiction: " + ", ".join(f"{k} {v}" for k, v in s.by_jurisdiction.items()))
    print("by kind:         " + ", ".join(f"{k} {v}" for k, v in s.by_kind.items()))
    print("sources/assertion: " + ", ".join(f"{k} source{'s' if k != 1 else ''}: {v}" for k, v in s.sources_per_assertion.items()))
    print(f"assertions citing a source flagged for reliability: {s.low_reliability}")
    print(f"reviewed more than {STALE_AFTER_DAYS} days ago: {len(s.stale)}" + (f" ({', '.join(s.stale[:10])}{', …' if len(s.stale) > 10 else ''})" if s.stale else ""))


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None, preforked=None) -> None:
    """Console-script entry point: maps every failure to one stderr line and an exit code.
    `preforked`: see stemcheck.launch."""
    as_cli = argv is None
    _open_closed_streams()
    owns_process = _OWNS_PROCESS.set(as_cli)
    prefork_token = _PREFORKED.set(preforked)
    try:
        rv = app(args=argv, prog_name="stemcheck", standalone_mode=False)
        code = rv if isinstance(rv, int) else 0
        if code == 130:  # typer turns Ctrl-C inside a command into exit code 130 (ours are 0-3)
            print("stemcheck: interrupted", file=sys.stderr)
    except typer.Exit as e:
        code = e.exit_code
    except _clickx.NoArgsIsHelpError as e:  # `stemcheck` / `stemcheck kb` alone: show help
        print(e.ctx.get_help() if e.ctx else str(e))
        code = 0
    except _clickx.ClickException as e:
        print(f"stemcheck: error: {_one_line(e.format_message())} (see 'stemcheck --help')", file=sys.stderr)
        code = ExitCode.ERROR
    except (typer.Abort, KeyboardInterrupt):
        print("stemcheck: interrupted", file=sys.stderr)
        code = 130
    except StemcheckError as e:
        print(f"stemcheck: error: {_one_line(str(e))}", file=sys.stderr)
        code = ExitCode(e.exit_code)
    except BrokenPipeError:
        _silence_stdout()
        code = ExitCode.OK
    except RecursionError:
        print("stemcheck: internal error: input nested too deeply (please report this)", file=sys.stderr)
        code = ExitCode.INTERNAL
    except Exception as e:  # noqa: BLE001 - the last line of defence: one line, never a traceback
        print(
            f"stemcheck: internal error: {type(e).__name__}: {_one_line(str(e))} "
            "(please report this at the project's issue tracker; rerun with STEMCHECK_DEBUG=1 for details)",
            file=sys.stderr,
        )
        if os.environ.get("STEMCHECK_DEBUG"):
            raise
        code = ExitCode.INTERNAL
    finally:
        if _PREFORKED.get() is not None:  # `scan` never ran (a usage error, --help)
            _PREFORKED.get().dismiss()
        _PREFORKED.reset(prefork_token)
        _OWNS_PROCESS.reset(owns_process)
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
    if as_cli and "coverage" not in sys.modules:  # the CLI owns the process (see _OWNS_PROCESS)
        _exit_now(int(code))
    sys.exit(int(code))


def _exit_now(code: int) -> None:
    """End the process without Python's shutdown. Shutdown clears every module, freeing
    the compiled knowledge base and the pool's bookkeeping object by object (and a full
    garbage collection walks them first): about 10 ms after a scan, 5 ms after a check,
    for memory the OS reclaims anyway. Everything that must outlive the run is done by
    now: the report is written (a -o file renamed into place), workers are joined, and
    stemcheck registers no exit handlers. Output is flushed here; a closed pipe is not an
    error. Skipped when coverage.py is measuring, which writes its data at exit."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError, OSError):
            pass
    os._exit(code)


def _open_closed_streams() -> None:
    """A process started with standard output or error closed (`stemcheck ... >&-`) has
    None for sys.stdout or sys.stderr, and the first write or isatty() raised. What would
    have gone there goes nowhere, as the caller asked; the exit code still tells."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115 - lives as long as the process
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")  # noqa: SIM115


def _one_line(s: str) -> str:
    return " ".join(s.split()) or "unknown error"


def _silence_stdout() -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except OSError:
        pass
