"""The command-line entry point (console script and `python -m stemcheck`).

For `stemcheck scan`, the worker pool's supervisor is forked first, before typer and the
rest of the CLI load (`procpool.OrderedPool.prefork`): it imports the matcher and the
Markdown parser on another CPU while this process starts up, and its workers are ready
about when this process has read the options and walked the paths, instead of only then
beginning to import. A scan that turns out to need one process dismisses it. Nothing else
is imported here first: that is the point.
"""

from __future__ import annotations

import sys


def main() -> None:
    preforked = None
    if sys.argv[1:2] == ["scan"]:
        from stemcheck.procpool import OrderedPool, can_fork, usable_cpus

        if can_fork() and usable_cpus() > 1:
            try:
                preforked = OrderedPool.prefork(warm="stemcheck.scan_worker:warm")
            except OSError:  # no process or descriptor to spare now: the scan starts its pool later
                preforked = None
    from stemcheck.cli import main as cli_main

    cli_main(preforked=preforked)
