"""Atomic file output: a report is written to a temporary file beside the target and renamed
over it, so an interrupted run never leaves a truncated report behind.

The report may be written in pieces (a scan streams its findings), so the temporary file is
opened for the whole run and renamed only when the run completes. Its mode is what a plain
`open()` would give: the mode of the file it replaces, else 0666 less the umask (mkstemp's
0600 made CI artefacts unreadable to the next job).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from stemcheck.errors import InputError


def _mode_for(path: Path) -> int:
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


@contextlib.contextmanager
def atomic_open(path: Path) -> Iterator[TextIO]:
    """A text file to write the report to; it replaces `path` only if the block completes.

    Not a regular file: `path` is a device, a FIFO or a socket (`-o /dev/null`,
    `-o /dev/stdout`, a named pipe), written to as it is. Renaming a file over it would
    replace the device node itself (run as root, `-o /dev/null` left /dev/null a regular
    file). A symbolic link to a file: the file it points to is replaced, the link kept."""
    try:
        st = os.stat(path)  # through symbolic links
    except OSError:
        st = None  # a new file, or one the rename below will report
    if st is not None and not stat.S_ISREG(st.st_mode) and not stat.S_ISDIR(st.st_mode):
        try:
            fh = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - closed below
        except OSError as e:
            raise _cannot_write(path, e) from None
        try:
            with fh:
                yield fh
        except OSError as e:
            raise _cannot_write(path, e) from None
        return
    if st is not None and path.is_symlink():
        path = Path(os.path.realpath(path))
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise InputError(f"{path}: directory {directory} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as e:
        raise _cannot_write(path, e) from None
    try:
        os.fchmod(fd, _mode_for(path))
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as e:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(e, OSError):
            raise _cannot_write(path, e) from None
        raise


def _cannot_write(path: Path, e: OSError) -> InputError:
    """The one line a report that cannot be written ends with."""
    return InputError(f"{path}: cannot write: {e.strerror or e}")


def atomic_write(path: Path, text: str) -> None:
    with atomic_open(path) as fh:
        fh.write(text)
