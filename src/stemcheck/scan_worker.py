"""What a scan's worker runs: one task (a file, or a chunk of a large one) in, one Piece out.

Split from `scan_cmd` (options, file collection, output) because a pool's supervisor,
forked at start-up (`stemcheck.launch`), imports this module on the scan's critical path:
it needs the matcher, the Markdown parser and the one output format the workers render
with, not the configuration reader, the file walker or the other formats.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

from stemcheck.documents.decode import DecodeError, decode
from stemcheck.documents.kinds import kind_of
from stemcheck.formats.base import Skipped
from stemcheck.enums import SEVERITY_RANK, Severity


@dataclass(frozen=True)
class Piece:
    """The findings of one document, or of one chunk of a large document (`last` marks the
    final piece of a document)."""

    path: str
    results: tuple  # at or above the --min-severity threshold
    notices: tuple
    as_of: dt.date
    last: bool = True
    worst: int = 0  # the highest severity rank among the results
    rendered: str | None = None  # the results already rendered (per-result formats); then `results` is empty


@dataclass(frozen=True)
class Task:
    """One unit of work for a worker: a whole file, or a chunk of text with its place."""

    name: str
    path: Path | None = None  # a file to read and scan whole
    text: str | None = None  # or text: stdin, or a chunk of a large file
    kind: str | None = None
    line_offset: int = 0
    column_offset: tuple[int, int] = (0, 0)  # (code points, UTF-8 bytes) before it on its first line
    day: dt.date | None = None  # the document's date, read from its first chunk
    preamble: str = ""  # the end of the previous chunk: the jurisdictions named there carry over
    first: bool = True
    last: bool = True


def run_task(checker, task: Task, opts: dict):
    """A task's Piece, or Skipped with the reason. Runs in a worker or in the scan's own
    process. `opts["prerender"]`: a function rendering one result (per-result formats), so
    the workers share that work; None to return the results."""
    from stemcheck.scanner import closing_context, scan_document

    if task.path is not None:
        try:
            raw = task.path.read_bytes()
        except OSError as e:
            return Skipped(task.name, f"cannot read: {e.strerror or e}")
        try:
            text = decode(raw)
        except DecodeError as e:
            return Skipped(task.name, str(e))
        del raw
        kind = kind_of(task.name)
    else:
        text, kind = task.text or "", task.kind or kind_of(task.name)
    context = closing_context(task.preamble, checker, kind) if task.preamble else frozenset()
    o = scan_document(
        text,
        task.name,
        checker,
        task.day or opts["as_of"],
        kind=kind,
        show_supported=opts["show_supported"],
        ignore=opts["ignore"],
        line_offset=task.line_offset,
        column_offset=task.column_offset,
        # a document's own date is the default as-of; an explicit --as-of overrides it
        use_front_matter=task.first and task.day is None and not opts.get("explicit_as_of"),
        context=context,
    )
    threshold = opts.get("threshold", 0)
    results = [r for r in o.results if r.severity is Severity.NONE or SEVERITY_RANK[r.severity] >= threshold]
    notices = sorted(o.notices, key=lambda n: (n.line, n.column)) if threshold <= SEVERITY_RANK[Severity.INFO] else []
    worst = max((SEVERITY_RANK[r.severity] for r in results), default=0)
    render = opts.get("prerender")
    if render is not None:
        return Piece(task.name, (), tuple(notices), o.as_of, task.last, worst, "".join(map(render, results)))
    return Piece(task.name, tuple(results), tuple(notices), o.as_of, task.last, worst)


def new_checker(ckb, default_jurisdictions: frozenset):
    from stemcheck.engine.checker import Checker

    return Checker(ckb, default_jurisdictions)


def setup(ckb, default_jurisdictions, opts):
    """In the pool's supervisor: build the checker once, and the function that runs a task
    (the workers are forked from it)."""
    checker = new_checker(ckb, default_jurisdictions)
    import markdown_it  # noqa: F401  (most scans are of Markdown: import it before the first task)

    import stemcheck.scanner  # noqa: F401

    return functools.partial(run_task, checker, opts=opts)


def setup_loading(dirs, use_cache: bool, default_jurisdictions, opts):
    """`setup` in a preforked supervisor, which loads the knowledge itself."""
    from stemcheck.compiled_cache import load_compiled

    return setup(load_compiled(list(dirs), use_cache=use_cache), default_jurisdictions, opts)


def warm() -> None:
    """Run by a pool supervisor forked at start-up (stemcheck.launch), while the parent is
    still importing the command-line framework: what every worker will need, imported."""
    import markdown_it  # noqa: F401

    import stemcheck.compiled_cache  # noqa: F401
    import stemcheck.engine.checker  # noqa: F401
    import stemcheck.scanner  # noqa: F401
