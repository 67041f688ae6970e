"""Errors the user can act on. Each carries a one-line message; the CLI prints it and exits
with its `exit_code`: 2, except 3 for a worker process that died.

Anything else that escapes is an internal error: the CLI prints one line with a hint to
report it and exits 3 (documented in the README), never a traceback.
"""


class StemcheckError(Exception):
    """Base for every error that is the input's fault, not the program's."""

    exit_code = 2


class UsageError(StemcheckError):
    """Bad option values: an unparseable --as-of, an unknown format."""


class InputError(StemcheckError):
    """A claim file or document that cannot be read: missing, binary, badly encoded."""


class KnowledgeError(StemcheckError):
    """A knowledge file that is malformed or inconsistent; the message names file:line and id.

    `problems` keeps every problem found (for `kb validate`); str() is the first, plus a count.
    """

    def __init__(self, message: str, problems: list[str] | None = None):
        self.problems = problems or [message]
        more = len(self.problems) - 1
        super().__init__(message + (f" (and {more} more; run `stemcheck kb validate`)" if more > 0 else ""))


class ConfigError(StemcheckError):
    """A configuration file that cannot be parsed or has unknown keys."""


class WorkerDied(StemcheckError):
    """A scan's worker process ended before its work was done: killed by the out-of-memory
    killer, say. The results are incomplete and it is not known to be the input's fault,
    so the run ends as an internal error does (exit 3), with a line that says what happened."""

    exit_code = 3
