"""`stemcheck scan`: configuration, file collection, parallel scanning, output, exit code.

The per-document work is `stemcheck.scanner.scan_document` (pure); this module wires it
to files, processes and formatters. Results are sorted by path, line and column, so
output does not depend on how many workers ran.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from stemcheck.config import Config, find_config, load_config
from stemcheck.documents.decode import DecodeError, decode
from stemcheck.documents.segment import kind_of
from stemcheck.documents.walk import collect
from stemcheck.errors import InputError, UsageError
from stemcheck.exitcodes import ExitCode
from stemcheck.formats import FORMATTERS, SCAN_FORMATS, Report, Skipped
from stemcheck.model import SEVERITY_RANK, Jurisdiction, Severity

MAX_FILE_BYTES = 512 * 1024 * 1024  # larger files are skipped with a warning
STREAM_ABOVE = 8 * 1024 * 1024  # plain text and Markdown above this are read in chunks
CHUNK_CHARS = 1024 * 1024

_worker_state: dict = {}  # per-process: the checker and options a pool worker was started with


def run_scan(
    paths: list[str],
    as_of: str | None,
    fmt: str | None,
    output: Path | None,
    fail_on: str | None,
    min_severity: str | None,
    exit_zero: bool,
    show_supported: bool,
    config: Path | None,
    stdin_filename: str | None,
    jobs: int | None,
    kb: list[Path],
    color: bool,
    verbose: bool,
    no_cache: bool,
) -> ExitCode:
    from stemcheck.api import knowledge_dirs
    from stemcheck.cli import parse_date
    from stemcheck.compiled_cache import load_compiled
    from stemcheck.engine.checker import Checker

    cfg_path = config if config is not None else find_config(Path.cwd())
    cfg = load_config(cfg_path) if cfg_path is not None else Config()
    if verbose:
        print(f"stemcheck: config: {cfg_path if cfg_path else '(none found; defaults)'}", file=sys.stderr)
    fmt = fmt or cfg.format or "text"
    if fmt not in SCAN_FORMATS:
        raise UsageError(f"--format: {fmt!r} is not one of {', '.join(SCAN_FORMATS)}")
    fail_on = fail_on or cfg.fail_on or "error"
    min_sev = min_severity or cfg.min_severity or "info"
    show_supported = show_supported or bool(cfg.show_supported)
    if not paths:
        raise UsageError("no path given: pass files, directories or globs, or '-' for standard input")
    day = parse_date(as_of if as_of is not None else cfg.as_of)
    explicit_as_of = as_of is not None
    dirs = knowledge_dirs([*cfg.kb, *kb])
    if verbose:
        print(f"stemcheck: knowledge: {', '.join(str(d) for d in dirs)}", file=sys.stderr)
    default_j = frozenset({Jurisdiction(cfg.default_jurisdiction)}) if cfg.default_jurisdiction else frozenset({Jurisdiction.CN})
    checker = Checker(load_compiled(dirs, use_cache=not no_cache), default_j)
    opts = {"as_of": day, "explicit_as_of": explicit_as_of, "show_supported": show_supported, "ignore": cfg.ignore}

    outcomes = []
    skipped: list[Skipped] = []
    files: list[Path] = []
    if "-" in paths:
        raw = sys.stdin.buffer.read()
        name = stdin_filename or "<stdin>"
        try:
            text = decode(raw)
        except DecodeError as e:
            raise InputError(f"standard input: {e}") from None
        outcomes.append(_scan_text(checker, text, name, opts))
        paths = [p for p in paths if p != "-"]
    if paths:
        fs = collect(paths, cfg.exclude, cfg.extensions, cfg.path.parent if cfg.path else None)
        skipped.extend(Skipped(p, r) for p, r in fs.warnings)
        files = fs.files
    n_jobs = jobs or cfg.jobs or (os.cpu_count() or 1)
    for outcome in _scan_files(checker, files, opts, n_jobs):
        if isinstance(outcome, Skipped):
            skipped.append(outcome)
        else:
            outcomes.append(outcome)

    threshold = SEVERITY_RANK[Severity(min_sev)]
    results = []
    notices = []
    for o in outcomes:
        for r in o.results:
            if r.severity is Severity.NONE or SEVERITY_RANK[r.severity] >= threshold:
                results.append(r)
        if threshold <= SEVERITY_RANK[Severity.INFO]:
            notices.extend(o.notices)
    results.sort(key=lambda r: (r.location.path, r.location.line, r.location.column) if r.location else ("", 0, 0))
    notices.sort(key=lambda n: (n.path, n.line, n.column))
    report_day = outcomes[0].as_of if len(outcomes) == 1 else day
    report = Report(
        command="scan",
        as_of=report_day,
        results=tuple(results),
        files_scanned=len(outcomes),
        skipped=tuple(sorted(skipped, key=lambda s: s.path)),
        notices=tuple(notices),
        color=color,
        verbose=verbose,
    )
    for s in report.skipped:
        print(f"stemcheck: warning: skipped {s.path}: {s.reason}", file=sys.stderr)
    text = FORMATTERS[fmt]().render(report)
    from stemcheck.cli import write_output

    write_output(text, output)
    if exit_zero:
        return ExitCode.OK
    return ExitCode.for_results(results, fail_on)


def _scan_text(checker, text: str, name: str, opts: dict, line_offset: int = 0, first: bool = True):
    from stemcheck.scanner import scan_document

    return scan_document(
        text,
        name,
        checker,
        opts["as_of"],
        show_supported=opts["show_supported"],
        ignore=opts["ignore"],
        line_offset=line_offset,
        # a document's own date is the default as-of; an explicit --as-of overrides it
        use_front_matter=first and not opts.get("explicit_as_of"),
    )


def scan_path(checker, path: Path, opts: dict):
    """Scan one file; return a DocumentOutcome, or Skipped with the reason."""
    from stemcheck.scanner import DocumentOutcome

    name = str(path)
    try:
        st = path.stat()
    except OSError as e:
        return Skipped(name, f"cannot read: {e.strerror or e}")
    import stat as statmod

    if not statmod.S_ISREG(st.st_mode):
        return Skipped(name, "not a regular file (FIFO, device or socket)")
    if st.st_size > MAX_FILE_BYTES:
        return Skipped(name, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    kind = kind_of(name)
    try:
        if st.st_size > STREAM_ABOVE and kind != "html":
            results, notices, day = [], [], opts["as_of"]
            for i, (chunk, line_offset) in enumerate(_chunks(path, kind)):
                o = _scan_text(checker, chunk, name, opts, line_offset, first=(i == 0))
                results.extend(o.results)
                notices.extend(o.notices)
                day = o.as_of if i == 0 else day
            return DocumentOutcome(name, tuple(results), tuple(notices), day)
        raw = path.read_bytes()
    except OSError as e:
        return Skipped(name, f"cannot read: {e.strerror or e}")
    except DecodeError as e:
        return Skipped(name, str(e))
    try:
        text = decode(raw)
    except DecodeError as e:
        return Skipped(name, str(e))
    del raw
    return _scan_text(checker, text, name, opts)


def _chunks(path: Path, kind: str):
    """Stream a large UTF-8 file as chunks that end at blank lines outside code fences."""
    import codecs

    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        if head.startswith(codecs.BOM_UTF8):
            fh.read(3)
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise DecodeError("UTF-16 files larger than 8 MiB are not supported; save as UTF-8")
        dec = codecs.getincrementaldecoder("utf-8")("strict")
        buf = ""
        line_offset = 0
        in_fence = False
        while True:
            block = fh.read(CHUNK_CHARS)
            try:
                buf += dec.decode(block, final=not block)
            except UnicodeDecodeError:
                raise DecodeError(f"not valid UTF-8 (around line {line_offset + buf.count(chr(10)) + 1})") from None
            if "\x00" in buf:
                raise DecodeError("binary file")
            if not block:
                if buf:
                    yield buf, line_offset
                return
            if len(buf) < CHUNK_CHARS:
                continue
            cut = _cut_point(buf, kind, in_fence)
            if cut is None:
                continue
            chunk, buf = buf[:cut], buf[cut:]
            if kind == "markdown":
                in_fence = (in_fence + sum(1 for ln in chunk.splitlines() if ln.lstrip().startswith(("```", "~~~")))) % 2 == 1
            yield chunk, line_offset
            line_offset += chunk.count("\n")


def _cut_point(buf: str, kind: str, in_fence: bool) -> int | None:
    pos = buf.rfind("\n\n")
    while pos > 0:
        if kind != "markdown":
            return pos + 2
        fences = sum(1 for ln in buf[:pos].splitlines() if ln.lstrip().startswith(("```", "~~~")))
        if (in_fence + fences) % 2 == 0:
            return pos + 2
        pos = buf.rfind("\n\n", 0, pos)
    if len(buf) > 16 * CHUNK_CHARS:  # one enormous paragraph: cut at a line end
        nl = buf.rfind("\n")
        return nl + 1 if nl > 0 else len(buf)
    return None


def _init_worker(checker, opts):
    _worker_state["checker"] = checker
    _worker_state["opts"] = opts


def _work(path: Path):
    return scan_path(_worker_state["checker"], path, _worker_state["opts"])


def _scan_files(checker, files: list[Path], opts: dict, jobs: int):
    progress = _progress(len(files))
    try:
        if jobs > 1 and len(files) > 1:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor

            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            with ProcessPoolExecutor(max_workers=min(jobs, len(files)), mp_context=ctx, initializer=_init_worker, initargs=(checker, opts)) as pool:
                for outcome in pool.map(_work, files, chunksize=max(1, len(files) // (jobs * 8))):
                    progress.advance()
                    yield outcome
        else:
            for f in files:
                outcome = scan_path(checker, f, opts)
                progress.advance()
                yield outcome
    finally:
        progress.stop()


class _NoProgress:
    def advance(self) -> None:
        pass

    def stop(self) -> None:
        pass


class _Progress:
    def __init__(self, total: int):
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.p = Progress(TextColumn("scanning"), BarColumn(), MofNCompleteColumn(), console=Console(stderr=True), transient=True)
        self.task = self.p.add_task("scan", total=total)
        self.p.start()

    def advance(self) -> None:
        self.p.advance(self.task)

    def stop(self) -> None:
        self.p.stop()


def _progress(total: int):
    if total >= 20 and sys.stderr.isatty() and not os.environ.get("CI"):
        return _Progress(total)
    return _NoProgress()
