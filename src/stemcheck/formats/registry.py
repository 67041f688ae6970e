"""Every output format by name: `FORMATTERS` maps names to classes (one class per format).

Imported by the command line, which offers every format; a worker imports only the one
format module it renders with."""

from stemcheck.formats.base import Formatter
from stemcheck.formats.github import GithubFormatter
from stemcheck.formats.jsonfmt import JsonFormatter, JsonlFormatter
from stemcheck.formats.rdjsonl import RdjsonlFormatter
from stemcheck.formats.sarif import SarifFormatter
from stemcheck.formats.text import TextFormatter

FORMATTERS: dict[str, type[Formatter]] = {
    f.name: f for f in (TextFormatter, JsonFormatter, JsonlFormatter, SarifFormatter, GithubFormatter, RdjsonlFormatter)
}
CHECK_FORMATS = tuple(n for n, f in FORMATTERS.items() if "check" in f.modes)
SCAN_FORMATS = tuple(n for n, f in FORMATTERS.items() if "scan" in f.modes)

__all__ = ["FORMATTERS", "CHECK_FORMATS", "SCAN_FORMATS"]
