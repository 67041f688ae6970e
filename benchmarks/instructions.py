"""Instructions one scan worker executes, counted by callgrind: `python benchmarks/instructions.py`.

Wall time on a shared machine drifts by tens of percent within the hour (see the README's
Performance section); instruction counts do not, so every change to the scan's hot path is
compared here first. The script runs itself twice under valgrind, once doing a worker's
set-up only and once also scanning the first 600 KB of the benchmark corpus in chunks, as
a worker receives them, rendering jsonl; it prints the difference, and a digest of the
rendered output so that two builds can be seen to agree on the findings.

Needs valgrind and the corpus (`python benchmarks/run.py --only scan` builds it). To compare
with another build, run it with that build's `src` first on PYTHONPATH.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "benchmarks" / "_work" / "corpus.md"
SAMPLE = ROOT / "benchmarks" / "_work" / "sample600k.md"
SAMPLE_CHARS = 600_000


def sample() -> Path:
    """The corpus's first 600,000 characters, cut back to the last blank line."""
    text = CORPUS.read_text(encoding="utf-8")[:SAMPLE_CHARS]
    SAMPLE.write_text(text[: text.rfind("\n\n") + 1], encoding="utf-8")
    return SAMPLE


def work(scan: bool) -> None:
    """A worker's set-up, and with `scan` its tasks: what the callgrind runs execute."""
    from stemcheck.api import load_checker
    from stemcheck.enums import SEVERITY_RANK, Severity
    from stemcheck.formats.jsonfmt import JsonlFormatter
    from stemcheck.scan_cmd import _tasks
    from stemcheck.scan_worker import setup

    checker = load_checker([], use_cache=True)
    opts = {
        "as_of": dt.date(2026, 11, 22),
        "explicit_as_of": True,
        "show_supported": False,
        "ignore": frozenset(),
        "threshold": SEVERITY_RANK[Severity.INFO],
        "prerender": JsonlFormatter.render_result,
    }
    tasks = list(_tasks([(SAMPLE.name, SAMPLE)], opts))
    run_task = setup(checker.ckb, checker.default_jurisdictions, opts)  # what a pool's supervisor runs

    if scan:
        digest = hashlib.sha1()
        for task in tasks:
            digest.update(run_task(task).rendered.encode())
        print(f"{len(tasks)} tasks, output sha1 {digest.hexdigest()[:12]}")


def count(mode: str) -> int:
    out = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__, mode],
        capture_output=True,
        text=True,
        check=True,
    )
    if mode == "--scan":
        print(out.stdout.strip())
    return int(re.search(r"Collected : (\d+)", out.stderr).group(1))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] in ("--scan", "--setup"):
        work(sys.argv[1] == "--scan")
        return
    if shutil.which("valgrind") is None:
        sys.exit("benchmarks/instructions.py: valgrind is not installed")
    if not CORPUS.exists():
        sys.exit("benchmarks/instructions.py: no corpus yet; run `python benchmarks/run.py --only scan` first")
    sample()
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "src" / "stemcheck")], check=True)
    work(False)  # fills the compiled-knowledge cache outside the counted runs
    total, setup = count("--scan"), count("--setup")
    print(f"one worker, 600 KB of the corpus: {(total - setup) / 1e6:,.0f} M instructions")


if __name__ == "__main__":
    main()
