"""Helpers shared by test_scan.py, test_formats.py and test_golden.py (not a test module).

`run` calls the real console entry point (`stemcheck.cli.main`) in-process: the same code
path as the `stemcheck` command, at a fraction of a subprocess's start-up cost, with its
own working directory, standard input, stdout, stderr and exit code.
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
DOCS = FIXTURES / "docs"
SEEDS = FIXTURES / "seeds"
GOLDEN = REPO / "tests" / "golden"
# The repository's own pyproject.toml excludes tests/fixtures/** from scans (it lints the
# repo's docs), so runs over the fixtures name this empty config explicitly.
NO_CONFIG = FIXTURES / "stemcheck-empty.toml"
AS_OF = "2026-11-22"
# STEMCHECK_FUZZ_SCALE=N multiplies every property test's budget (README, "Robustness")
FUZZ_SCALE = max(1, int(os.environ.get("STEMCHECK_FUZZ_SCALE", "1")))

os.environ.setdefault("STEMCHECK_CACHE_DIR", str(Path(os.environ.get("TMPDIR", "/tmp")) / "stemcheck-test-cache"))
for _var in ("FORCE_COLOR", "NO_COLOR", "CI"):
    os.environ.pop(_var, None)


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [ln for ln in self.err.splitlines() if ln.strip()]

    def json(self) -> dict:
        return json.loads(self.out)

    def jsonl(self) -> list[dict]:
        return [json.loads(ln) for ln in self.out.splitlines() if ln.strip()]


def run(args: list[str], cwd: Path | str | None = None, stdin: bytes = b"") -> Run:
    """`stemcheck ARGS` in `cwd` (default: the repository root)."""
    from stemcheck.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd = os.getcwd()
    old_stdin = sys.stdin
    sys.stdin = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    try:
        os.chdir(cwd if cwd is not None else REPO)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in args])
                code = 0
            except SystemExit as e:
                code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    finally:
        os.chdir(old_cwd)
        sys.stdin = old_stdin
    return Run(code, out.getvalue(), err.getvalue())


def scan(paths: list[str | Path], *options: str, cwd: Path | str | None = None, config: Path | None = NO_CONFIG, stdin: bytes = b"") -> Run:
    args = ["scan", *[str(p) for p in paths], *options]
    if config is not None and "--config" not in options:
        args += ["--config", str(config)]
    return run(args, cwd=cwd, stdin=stdin)


def scan_results(paths: list[str | Path], *options: str, **kw) -> tuple[Run, list[dict]]:
    r = scan(paths, "--format", "json", *options, **kw)
    assert r.code in (0, 1), r.err
    return r, r.json()["results"]


def source_span(text: str, loc: dict) -> str:
    """The source text a location covers: 1-based lines, 1-based code-point columns, end exclusive."""
    lines = text.split("\n")
    if loc["line"] == loc["end_line"]:
        return lines[loc["line"] - 1][loc["column"] - 1 : loc["end_column"] - 1]
    parts = [lines[loc["line"] - 1][loc["column"] - 1 :]]
    parts += lines[loc["line"] : loc["end_line"] - 1]
    parts.append(lines[loc["end_line"] - 1][: loc["end_column"] - 1])
    return "\n".join(parts)


def assert_locations_point_at_claims(results: list[dict], base: Path = REPO) -> None:
    """Every finding's line/column span, read back from the file, is the claim's text."""
    assert results
    for r in results:
        loc = r["location"]
        path = Path(loc["path"])
        text = (path if path.is_absolute() else base / path).read_text(encoding="utf-8")
        span = source_span(text, loc)
        if path.suffix in (".html", ".htm"):
            span = html.unescape(span)
        assert " ".join(span.split()) == r["claim"], (loc, span, r["claim"])
