"""Configuration: `[tool.stemcheck]` in pyproject.toml or a `.stemcheck.toml`.

The nearest file wins, searching upward from the current directory (a `.stemcheck.toml`
beats a pyproject.toml in the same directory); `--config FILE` overrides the search.
Paths in the file are relative to the file. Unknown keys are errors that name the file
and line, so a typo cannot silently switch a setting off.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from stemcheck.errors import ConfigError

KEYS = {
    "kb": "extra knowledge directories (list)",
    "ignore": "assertion ids or topic prefixes never reported (list)",
    "exclude": "path globs never scanned (list)",
    "fail_on": "error | warning | info | never",
    "min_severity": "error | warning | info",
    "format": "default output format",
    "show_supported": "also report supported claims (bool)",
    "jobs": "parallel workers (int)",
    "as_of": "default judgement date (YYYY-MM-DD)",
    "default_jurisdiction": "jurisdiction assumed for claims naming none (e.g. CN)",
    "extensions": "file extensions scanned in directories (list)",
}


@dataclass(frozen=True)
class Config:
    """The settings of a `.stemcheck.toml` (or their defaults): None means not set there."""

    path: Path | None = None
    kb: tuple[Path, ...] = ()
    ignore: frozenset[str] = frozenset()
    exclude: tuple[str, ...] = ()
    fail_on: str | None = None
    min_severity: str | None = None
    format: str | None = None
    show_supported: bool | None = None
    jobs: int | None = None
    as_of: str | None = None
    default_jurisdiction: str | None = None
    extensions: tuple[str, ...] = field(default=())


def find_config(start: Path) -> Path | None:
    d = start.resolve()
    for folder in (d, *d.parents):
        dot = folder / ".stemcheck.toml"
        if dot.is_file():
            return dot
        py = folder / "pyproject.toml"
        if py.is_file() and _has_section(py):
            return py
    return None


def _has_section(py: Path) -> bool:
    """Does this pyproject.toml have a [tool.stemcheck] table? One that never mentions
    stemcheck has none, and is not parsed: the TOML reader is imported only for a file
    that may hold stemcheck's settings (4 ms of a scan in most Python projects)."""
    try:
        text = py.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "stemcheck" not in text:
        return False
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return False
    return isinstance(data.get("tool"), dict) and "stemcheck" in data["tool"]


def load_config(path: Path) -> Config:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read: {e}") from None
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: invalid TOML: {e}") from None
    if path.name == "pyproject.toml":
        section = data.get("tool", {}).get("stemcheck", {})
        header = "[tool.stemcheck]"
    else:
        section = data.get("tool", {}).get("stemcheck", data)
        header = "file"
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: {header} must be a table")
    base = path.parent
    for key in section:
        if key not in KEYS:
            line = _line_of(text, key)
            raise ConfigError(f"{path}:{line}: unknown key {key!r} in {header} (known: {', '.join(sorted(KEYS))})")

    def strlist(key: str) -> tuple[str, ...]:
        v = section.get(key, [])
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list) or not all(isinstance(x, str) for x in v):
            raise ConfigError(f"{path}:{_line_of(text, key)}: {key} must be a list of strings")
        return tuple(v)

    def choice(key: str, allowed: tuple[str, ...]) -> str | None:
        v = section.get(key)
        if v is None:
            return None
        if v not in allowed:
            raise ConfigError(f"{path}:{_line_of(text, key)}: {key} must be one of {', '.join(allowed)}")
        return v

    jobs = section.get("jobs")
    if jobs is not None and (not isinstance(jobs, int) or isinstance(jobs, bool) or jobs < 1):
        raise ConfigError(f"{path}:{_line_of(text, 'jobs')}: jobs must be a positive integer")
    show = section.get("show_supported")
    if show is not None and not isinstance(show, bool):
        raise ConfigError(f"{path}:{_line_of(text, 'show_supported')}: show_supported must be true or false")
    as_of = section.get("as_of")
    if as_of is not None:
        as_of = str(as_of)
        try:
            dt.date.fromisoformat(as_of.strip())
        except ValueError:
            raise ConfigError(f"{path}:{_line_of(text, 'as_of')}: as_of must be a date (YYYY-MM-DD)") from None
    from stemcheck.formats.registry import SCAN_FORMATS
    from stemcheck.enums import Jurisdiction

    jurisdiction = section.get("default_jurisdiction")
    if isinstance(jurisdiction, str):
        jurisdiction = jurisdiction.strip().upper()
    if jurisdiction is not None and jurisdiction not in {j.value for j in Jurisdiction}:
        raise ConfigError(
            f"{path}:{_line_of(text, 'default_jurisdiction')}: default_jurisdiction must be one of {', '.join(j.value for j in Jurisdiction)}"
        )
    return Config(
        path=path,
        kb=tuple((base / p) for p in strlist("kb")),
        ignore=frozenset(strlist("ignore")),
        exclude=strlist("exclude"),
        fail_on=choice("fail_on", ("error", "warning", "info", "never")),
        min_severity=choice("min_severity", ("error", "warning", "info")),
        format=choice("format", SCAN_FORMATS),
        show_supported=show,
        jobs=jobs,
        as_of=as_of,
        default_jurisdiction=jurisdiction,
        extensions=strlist("extensions"),
    )


def _line_of(text: str, key: str) -> int:
    """The line that sets `key`: the exact key (not a longer one it prefixes), and in a
    pyproject.toml the one inside [tool.stemcheck], not a same-named key of another table."""
    import re

    lines = text.splitlines()
    first = 0
    for i, line in enumerate(lines):
        if re.match(r"^\s*\[\s*tool\s*\.\s*stemcheck\s*\]", line):
            first = i
            break
    rx = re.compile(r"^\s*(?:" + re.escape(key) + r"|\"" + re.escape(key) + r"\"|'" + re.escape(key) + r"')\s*=")
    for i in range(first, len(lines)):
        if rx.match(lines[i]):
            return i + 1
    return first + 1
