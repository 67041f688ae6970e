"""`stemcheck scan`: configuration, file collection, parallel scanning, output, exit code.

The per-document work is `stemcheck.scanner.scan_document` (pure); this module wires it
to files, processes and formatters. Results are sorted by path, line and column, so
output does not depend on how many workers ran.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import os
import stat as statmod
import sys
from dataclasses import replace
from pathlib import Path

from stemcheck import scan_plan
from stemcheck.config import Config, find_config, load_config
from stemcheck.documents.dates import document_date
from stemcheck.documents.decode import DecodeError, decode
from stemcheck.documents.kinds import kind_of
from stemcheck.documents.walk import collect
from stemcheck.errors import InputError, UsageError
from stemcheck.exitcodes import ExitCode
from stemcheck.formats.base import Report, Skipped
from stemcheck.formats.registry import FORMATTERS, SCAN_FORMATS
from stemcheck.enums import SEVERITY_RANK, Jurisdiction, Severity
from stemcheck.scan_worker import Task, new_checker, run_task, setup, setup_loading

MAX_FILE_BYTES = 512 * 1024 * 1024  # larger files are skipped with a warning
# files above scan_plan.STREAM_ABOVE are streamed in chunks of about scan_plan.CHUNK_CHARS
WHOLE_LEGACY_ABOVE = 8 * 1024 * 1024  # non-UTF-8 files (GBK, UTF-16) up to this are decoded whole


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
    preforked=None,
) -> ExitCode:
    """`preforked`: a worker pool's supervisor forked at start-up (stemcheck.launch), to be
    configured if this scan runs a pool, else dismissed."""
    from stemcheck.cli import parse_date
    from stemcheck.knowledge.files import knowledge_dirs
    from stemcheck.procpool import can_fork, usable_cpus

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
    formatter = FORMATTERS[fmt]()
    opts = {
        "as_of": day,
        "explicit_as_of": explicit_as_of,
        "show_supported": show_supported,
        "ignore": cfg.ignore,
        # findings are filtered where they are found, and formats that render each finding
        # on its own are rendered there too: with --jobs the workers share that work
        "threshold": SEVERITY_RANK[Severity(min_sev)],
        "prerender": formatter.render_result if formatter.per_result else None,
    }
    n_jobs = (jobs or cfg.jobs or usable_cpus()) if can_fork() else 1  # the pool forks (not on Windows)
    early = scan_plan.early_pool_size(paths, n_jobs)
    if preforked is not None and early <= 1:
        preforked.dismiss()  # one process will do: the knowledge is loaded here instead
        preforked = None
    # without a preforked pool, the knowledge is loaded now, so that an error in it is
    # reported before any scanning; a preforked pool loads it there, and raises its errors
    with _Workers(n_jobs, (dirs, not no_cache), default_j, opts, verbose, preforked) as workers:
        if early > 1:
            workers.start(early)  # the workers get ready while the paths are walked
        worst = _scan(
            workers, paths, opts, cfg=cfg, stdin_filename=stdin_filename, formatter=formatter, output=output, color=color, verbose=verbose
        )
    return ExitCode.OK if exit_zero else ExitCode.for_worst(worst, fail_on)


def _scan(workers: _Workers, paths: list[str], opts: dict, *, cfg, stdin_filename, formatter, output, color, verbose) -> int:
    """Collect the documents, scan them (streaming each one's findings out) and write the
    report. Returns the highest severity rank found."""
    day = opts["as_of"]
    skipped: list[Skipped] = []
    units: list[tuple[str, Path | str]] = []  # (report name, file path or decoded stdin text)
    if "-" in paths:
        raw = sys.stdin.buffer.read()
        try:
            units.append((stdin_filename or "<stdin>", decode(raw)))
        except DecodeError as e:
            raise InputError(f"standard input: {e}") from None
        paths = [p for p in paths if p != "-"]
    if paths:
        fs = collect(paths, cfg.exclude, cfg.extensions, cfg.path.parent if cfg.path else None)
        skipped.extend(Skipped(p, r) for p, r in fs.warnings)
        units.extend((str(f), f) for f in fs.files)
    # findings are reported by path, line and column: documents are scanned in path order and
    # each one's findings stream out in order, so nothing needs sorting (or holding) at the end
    units.sort(key=lambda u: u[0])
    head = Report(command="scan", as_of=day, results=(), color=color, verbose=verbose)
    stream = formatter.open_stream(head) if formatter.streams else None
    kept: list = []  # only for formats that render a whole document (json, sarif)
    notices: list = []
    worst = 0
    files_done = 0
    doc_days: list = []
    with _sink(output) as write:
        for piece in _scan_units(workers, units, opts):
            if isinstance(piece, Skipped):
                skipped.append(piece)
                continue
            worst = max(worst, piece.worst)
            notices.extend(piece.notices)
            if piece.last:
                files_done += 1
                doc_days.append(piece.as_of)
            if piece.rendered is not None:  # rendered by the worker (jsonl, rdjsonl)
                write(piece.rendered)
            elif stream is not None:
                write(stream.feed(piece.path, piece.results, piece.notices))
            else:
                kept.extend(piece.results)
        report = Report(
            command="scan",
            as_of=doc_days[0] if len(doc_days) == 1 else day,
            results=tuple(kept),
            files_scanned=files_done,
            skipped=tuple(sorted(skipped, key=lambda s: s.path)),
            notices=tuple(notices),
            color=color,
            verbose=verbose,
        )
        for s in report.skipped:
            print(f"stemcheck: warning: skipped {s.path}: {s.reason}", file=sys.stderr)
        write(stream.close(report) if stream is not None else formatter.render(report))
    return worst


@contextlib.contextmanager
def _sink(output: Path | None):
    """Where the report goes: standard output, written as it comes, or a file replaced
    atomically when the run completes (an interrupted run leaves the old file alone)."""
    if output is None:
        def write(text: str) -> None:
            if text:
                sys.stdout.write(text)

        yield write
        sys.stdout.flush()
        return
    from stemcheck.atomic import atomic_open

    with atomic_open(output) as fh:
        yield fh.write


def _tasks(units, opts: dict):
    """Tasks in report order. A file that is not `scan_plan.streamed` is one task; larger
    plain text and Markdown are read here in chunks (ending at blank lines outside code
    fences), so neither this process nor a worker ever holds a whole 100 MB document."""
    for name, src in units:
        if isinstance(src, str):
            yield Task(name, text=src, kind=kind_of(name))
            continue
        kind = kind_of(name)
        try:
            st = src.stat()
        except OSError as e:
            yield Skipped(name, f"cannot read: {e.strerror or e}")
            continue
        if not statmod.S_ISREG(st.st_mode):
            yield Skipped(name, "not a regular file (FIFO, device or socket)")
            continue
        if st.st_size > MAX_FILE_BYTES:
            yield Skipped(name, f"larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
            continue
        if not scan_plan.streamed(st.st_size, kind):
            yield Task(name, path=src)
            continue
        try:
            _check_utf8(src)  # all or nothing: a file that stops being UTF-8 halfway is skipped whole
        except DecodeError as e:
            # GBK or UTF-16 are decoded whole, as small files are (up to 8 MiB); binary is skipped
            whole = st.st_size <= WHOLE_LEGACY_ABOVE and "binary" not in str(e)
            yield Task(name, path=src) if whole else Skipped(name, str(e))
            continue
        except OSError as e:
            yield Skipped(name, f"cannot read: {e.strerror or e}")
            continue
        try:
            previous: Task | None = None
            day = None
            for i, (chunk, line_offset, col_offset) in enumerate(_chunks(src, kind)):
                if i == 0:
                    day = None if opts.get("explicit_as_of") else document_date(chunk, kind)
                task = Task(
                    name,
                    text=chunk,
                    kind=kind,
                    line_offset=line_offset,
                    column_offset=col_offset,
                    day=day,
                    first=(i == 0),
                    last=False,
                    preamble=_tail(previous.text) if previous else "",
                )
                if previous is not None:
                    yield previous
                previous = task
            if previous is not None:
                yield replace(previous, last=True)
        except OSError as e:
            yield Skipped(name, f"cannot read: {e.strerror or e}")
        except DecodeError as e:
            yield Skipped(name, str(e))


def _tail(text: str, size: int = 4000) -> str:
    """The last paragraphs of a chunk, up to `size` characters: enough to know which
    jurisdiction the text was talking about where the next chunk begins."""
    if len(text) <= size:
        return text
    cut = text.find("\n\n", len(text) - size)
    return text[cut + 2 :] if cut >= 0 else text[-size:]


def _check_utf8(path: Path) -> None:
    """Raise DecodeError unless the file is UTF-8 text, reading it in blocks (the same rules
    as decode(): a NUL byte in the first 8 KiB means binary)."""
    import codecs

    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise DecodeError("UTF-16 text larger than 8 MiB is not supported; save it as UTF-8")
        if b"\x00" in fh.read(8192):  # the rule decode() applies to a whole file
            raise DecodeError("binary file")
        fh.seek(0)
        dec = codecs.getincrementaldecoder("utf-8")("strict")
        line = 1
        while True:
            block = fh.read(scan_plan.CHUNK_CHARS)
            try:
                dec.decode(block, final=not block)
            except UnicodeDecodeError:
                raise DecodeError(f"not valid UTF-8 (around line {line})") from None
            if not block:
                return
            line += block.count(b"\n")


def _chunks(path: Path, kind: str):
    """Stream a large UTF-8 file (checked by _check_utf8 first) as chunks that end at blank
    lines outside code fences."""
    import codecs

    with open(path, "rb") as fh:
        head = fh.read(4)
        fh.seek(0)
        if head.startswith(codecs.BOM_UTF8):
            fh.read(3)
        dec = codecs.getincrementaldecoder("utf-8")("strict")
        buf = ""
        line_offset = 0
        col_offset = (0, 0)
        in_fence = False
        while True:
            block = fh.read(scan_plan.CHUNK_CHARS // 4)  # small reads: a chunk is cut soon after it reaches CHUNK_CHARS
            try:
                buf += dec.decode(block, final=not block)
            except UnicodeDecodeError:
                raise DecodeError(f"not valid UTF-8 (around line {line_offset + buf.count(chr(10)) + 1})") from None
            if not block:
                if buf:
                    yield buf, line_offset, col_offset
                return
            if len(buf) < scan_plan.CHUNK_CHARS:
                continue
            cut = _cut_point(buf, kind, in_fence)
            if cut is None:
                continue
            chunk, buf = buf[:cut], buf[cut:]
            if kind == "markdown":
                in_fence = (in_fence + sum(1 for ln in chunk.splitlines() if ln.lstrip().startswith(("```", "~~~")))) % 2 == 1
            yield chunk, line_offset, col_offset
            line_offset += chunk.count("\n")
            # a chunk cut inside a line (one enormous paragraph) shifts the next one's columns
            nl = chunk.rfind("\n")
            rest = chunk[nl + 1 :]
            col_offset = (len(rest), len(rest.encode("utf-8", "surrogatepass"))) if nl >= 0 else (
                col_offset[0] + len(rest),
                col_offset[1] + len(rest.encode("utf-8", "surrogatepass")),
            )


def _cut_point(buf: str, kind: str, in_fence: bool) -> int | None:
    pos = buf.rfind("\n\n")
    while pos > 0:
        if kind != "markdown":
            return pos + 2
        fences = sum(1 for ln in buf[:pos].splitlines() if ln.lstrip().startswith(("```", "~~~")))
        if (in_fence + fences) % 2 == 0:
            return pos + 2
        pos = buf.rfind("\n\n", 0, pos)
    if len(buf) > 16 * scan_plan.CHUNK_CHARS:  # one enormous paragraph: cut at a line end, else a sentence end, else a space
        for sep in ("\n", ". ", "。", " "):
            at = buf.rfind(sep)
            if at > 0:
                return at + len(sep)
        return len(buf)
    return None


class _Workers:
    """Where tasks run: a pool of forked workers (`stemcheck.procpool`), or this process.

    The pool can be started early (`start`), right after the options are read: the
    workers then build their checker and import the matcher and the Markdown parser while
    this process is still walking the paths and reading the first chunk. A pool whose
    supervisor was forked at start-up (`preforked`) is configured instead, and loads the
    knowledge there. This process never imports the matcher when a pool does the work.
    Leaving the `with` block closes the pool, or terminates it when an exception (Ctrl-C
    included) is on its way up."""

    def __init__(self, jobs: int, kb_spec: tuple, default_jurisdictions: frozenset, opts: dict, verbose: bool = False, preforked=None) -> None:
        self.jobs = jobs
        self._ckb = None  # the compiled knowledge, once loaded in this process
        self._spec = (kb_spec, default_jurisdictions, opts)
        self._pool = None
        self._preforked = preforked
        self._checker = None
        self._verbose = verbose
        if preforked is None:
            self.ckb()

    @property
    def started(self) -> bool:
        return self._pool is not None

    def ckb(self):
        if self._ckb is None:
            from stemcheck.cli import long_lived
            from stemcheck.compiled_cache import load_compiled

            (dirs, use_cache), _, _ = self._spec
            with long_lived():  # and frozen before the workers fork: they share it untouched
                self._ckb = load_compiled(list(dirs), use_cache=use_cache)
        return self._ckb

    def start(self, size: int | None = None):
        """Start the pool (of `size` workers, at most `jobs`) unless it runs already."""
        if self._pool is None:
            n = min(self.jobs, size or self.jobs)
            if self._verbose:
                print(f"stemcheck: {n} worker processes", file=sys.stderr)
            (dirs, use_cache), default_j, opts = self._spec
            if self._preforked is not None:
                pool, self._preforked = self._preforked, None
                self._pool = pool.configure(n, setup_loading, (dirs, use_cache, default_j, opts))
            else:
                from stemcheck.procpool import OrderedPool

                try:
                    self._pool = OrderedPool(n, setup, (self.ckb(), default_j, opts)).start()
                except OSError as e:  # no process or descriptor to spare (ulimit -u, -n)
                    print(f"stemcheck: warning: cannot start worker processes ({e.strerror or e}); scanning in one process", file=sys.stderr)
                    self.jobs = 1
        return self._pool

    def local_checker(self):
        if self._checker is None:
            self._checker = new_checker(self.ckb(), self._spec[1])
        return self._checker

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self._preforked is not None:  # forked at start-up, never needed
            self._preforked.dismiss()
            self._preforked = None
            if exc_type is None:
                self.ckb()  # an error in the knowledge is an error even when nothing was scanned
        if self._pool is not None:
            if exc_type is None:
                self._pool.close()
            else:
                self._pool.terminate()


def _scan_units(workers: _Workers, units, opts: dict):
    """Pieces (or Skipped) in report order. With more than one task (or a pool already
    started), tasks run in the pool; at most a few tasks per worker are in flight, so memory
    stays bounded however large the input, and pieces are yielded in task order."""
    progress = _progress(len(units))
    tasks = iter(_tasks(units, opts))
    try:
        head = list(itertools.islice(tasks, 2))
        pool = workers.start() if workers.started or (workers.jobs > 1 and len(head) > 1) else None
        if pool is not None:
            window: collections.deque = collections.deque()  # Skipped, or a pool ticket
            for task in itertools.chain(head, tasks):
                window.append(task if isinstance(task, Skipped) else pool.submit(task))
                while len(window) > 4 * pool.jobs:
                    yield _done(_get(pool, window.popleft()), progress)
            pool.seal()  # workers without work end while the last results come in
            while window:
                yield _done(_get(pool, window.popleft()), progress)
        else:
            for task in itertools.chain(head, tasks):
                yield _done(task if isinstance(task, Skipped) else run_task(workers.local_checker(), task, opts), progress)
    finally:
        progress.stop()


def _get(pool, item):
    return item if isinstance(item, Skipped) else pool.result(item)


def _done(piece, progress):
    if isinstance(piece, Skipped) or piece.last:
        progress.advance()
    return piece


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
