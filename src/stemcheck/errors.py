"""Errors the user can act on. Each carries a one-line message; the CLI prints it and exits 2.

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
