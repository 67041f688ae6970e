"""The public Python API.

    from stemcheck.api import load_checker, check
    checker = load_checker()                      # built-in knowledge base
    result = check("China has never approved a stem cell drug.", checker=checker)
    result.verdict, result.note, result.sources

Everything returns frozen, typed results (stemcheck.model); nothing prints.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from stemcheck.engine.checker import Checker
from stemcheck.knowledge.files import knowledge_dirs
from stemcheck.model import Result

__all__ = ["Checker", "Result", "check", "check_many", "knowledge_dirs", "load_checker"]


def load_checker(extra_kb: list[Path] | None = None, builtin: bool = True, use_cache: bool = True) -> Checker:
    """A checker over the built-in knowledge base plus any extra knowledge directories."""
    from stemcheck.compiled_cache import load_compiled

    return Checker(load_compiled(knowledge_dirs(extra_kb, builtin), use_cache=use_cache))


def check(claim: str, as_of: dt.date | None = None, checker: Checker | None = None) -> Result:
    """Judge one claim at `as_of` (default: today)."""
    checker = checker or load_checker()
    return checker.check(claim, as_of or dt.date.today())


def check_many(claims: list[str], as_of: dt.date | None = None, checker: Checker | None = None) -> list[Result]:
    checker = checker or load_checker()
    day = as_of or dt.date.today()
    return [checker.check(c, day) for c in claims]
