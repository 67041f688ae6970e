"""The command-line entry point (console script and `python -m stemcheck`).

For `stemcheck scan`, the worker pool's supervisor is forked first, before typer and the
rest of the CLI load (`procpool.OrderedPool.prefork`): it imports the matcher and the
Markdown parser on another CPU while this process starts up, and its workers are ready
about when this process has read the options and walked the paths, instead of only then
beginning to import. Nothing else is imported here first: that is the point.

A scan that will run in one process does not fork it: one named file no larger than a
chunk (`scan_plan`), standard input alone, or `--jobs 1`. The command line is read here,
without typer, for that alone; when in doubt the supervisor is forked, and a scan that
turns out to need one process dismisses it. A wrong guess costs time, never a result.
"""

from __future__ import annotations

import sys

# the `scan` options that take a value (a test holds this to the typer app's)
SCAN_VALUE_OPTIONS = frozenset(
    {
        "--as-of", "--format", "-f", "--output", "-o", "--fail-on", "--min-severity", "--config", "--stdin-filename",
        "--jobs", "-j", "--kb", "--color",
    }
)


def main() -> None:
    preforked = None
    if sys.argv[1:2] == ["scan"] and _may_use_a_pool(sys.argv[2:]):
        from stemcheck.procpool import OrderedPool, can_fork, usable_cpus

        if can_fork() and usable_cpus() > 1:
            try:
                preforked = OrderedPool.prefork(warm="stemcheck.scan_worker:warm")
            except OSError:  # no process or descriptor to spare now: the scan starts its pool later
                preforked = None
    from stemcheck.cli import main as cli_main

    cli_main(preforked=preforked)


def _may_use_a_pool(args: list[str]) -> bool:
    """False when the scan's arguments make one task for sure: `--jobs 1`, or one named
    regular file of one task. A single small file is the commonest scan, and a supervisor
    it does not need still takes CPU the scan wants (5-15% of its time, measured)."""
    read = _paths_and_jobs(args)
    if read is None:
        return True
    paths, jobs = read
    named = [p for p in paths if p != "-"]
    if (jobs is not None and jobs <= 1) or not named:
        return False  # one process, or standard input alone (or no path: an error to report)
    if len(named) < len(paths):
        return True  # standard input and files: two tasks at least
    from stemcheck.scan_plan import early_pool_size

    return early_pool_size(named, jobs or 2) > 1


def _paths_and_jobs(args: list[str]) -> tuple[list[str], int | None] | None:
    """The paths and the `--jobs` value of a `scan` command line, or None when it cannot be
    read with certainty here (an option glued to its value, clustered short options)."""
    paths: list[str] = []
    jobs = None
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            paths.extend(args[i + 1 :])
            break
        if arg.startswith("-") and arg != "-":
            name, eq, value = arg.partition("=")
            if name in SCAN_VALUE_OPTIONS:
                if not eq:
                    i += 1
                    if i == len(args):
                        return None
                    value = args[i]
                if name in ("--jobs", "-j"):
                    try:
                        jobs = int(value)
                    except ValueError:
                        return None
            elif eq or not name.startswith("--") and len(name) > 2:
                return None
        else:
            paths.append(arg)
        i += 1
    return paths, jobs
