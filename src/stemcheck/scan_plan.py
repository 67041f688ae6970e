"""How a scan's input splits into tasks, judged before anything is read: the sizes above
which a file is streamed in chunks, and how many workers a list of paths can keep busy.

Light on purpose (os, stat and documents.kinds): `stemcheck.launch` reads the command line
with it before the command-line framework loads, and forks the worker pool's supervisor
only for a scan that can use a pool.
"""

from __future__ import annotations

import os
import stat as statmod

from stemcheck.documents.kinds import kind_of

# Plain text and Markdown above STREAM_ABOVE are read and scanned in chunks of about
# CHUNK_CHARS, ending at blank lines: memory stays flat on a 100 MB file, and the chunks of one
# large document are spread over the workers. Fixed sizes, not a function of --jobs, so the
# output never depends on the number of workers.
STREAM_ABOVE = 512 * 1024
CHUNK_CHARS = 128 * 1024


def streamed(size: int, kind: str) -> bool:
    """Is a file of this size and kind read in chunks? HTML never is: its structure spans
    the whole document."""
    return size > STREAM_ABOVE and kind != "html"


def early_pool_size(paths: list[str], jobs: int) -> int:
    """How many workers to start before walking anything (0: none yet). A directory or a
    glob will likely make several tasks: all `jobs` workers. Files named one by one make a
    task each, or one per chunk when large: no more workers than that (a scan of three
    files on a 64-core machine forks three). A wrong guess costs a fork, never a result."""
    paths = [p for p in paths if p != "-"]
    if jobs <= 1 or not paths:
        return 0
    tasks = 0
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:  # a glob, or a path the walk will report
            return jobs
        if not statmod.S_ISREG(st.st_mode):
            return jobs
        tasks += -(-st.st_size // CHUNK_CHARS) if streamed(st.st_size, kind_of(p)) else 1
        if tasks >= jobs:
            return jobs
    return tasks if tasks > 1 else 0
