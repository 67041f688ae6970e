"""The `stemcheck kb` toolbox as pure functions: statistics and example tests.

They return data; the CLI renders it. `run_examples` is the data's test suite: every
assertion's example claims must get their stated verdict from the real checker, and an
assertion needs at least two examples, one supported and one that is not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from stemcheck.engine.checker import Checker
from stemcheck.model import Verdict

STALE_AFTER_DAYS = 365


@dataclass(frozen=True)
class ExampleFailure:
    """An assertion's example claim that did not get its stated verdict."""

    assertion_id: str
    claim: str
    as_of: dt.date
    expected: tuple[str, ...]
    got: str
    got_assertion: str | None
    note: str | None


@dataclass(frozen=True)
class ExampleReport:
    """The outcome of `stemcheck kb test`: examples run and passed, failures, and assertions with
    too few examples."""

    examples: int
    passed: int
    failures: tuple[ExampleFailure, ...]
    thin: tuple[tuple[str, str], ...]  # (assertion id, what is missing)

    @property
    def ok(self) -> bool:
        return not self.failures and not self.thin


def run_examples(checker: Checker, topic: str | None = None) -> ExampleReport:
    kb = checker.ckb.kb
    failures: list[ExampleFailure] = []
    thin: list[tuple[str, str]] = []
    total = passed = 0
    for a in kb.assertions:
        if topic and kb.origins[a.id].topic != topic and not a.id.startswith(topic + "."):
            continue
        exs = a.examples
        if len(exs) < 2:
            thin.append((a.id, f"has {len(exs)} example(s); needs at least two"))
        else:
            kinds = {v for ex in exs for v in ex.acceptable}
            if not any(Verdict.SUPPORTED in ex.acceptable for ex in exs):
                thin.append((a.id, "needs an example it supports"))
            elif not kinds - {Verdict.SUPPORTED, Verdict.UNVERIFIED}:
                thin.append((a.id, "needs an example it refutes, dates or flags"))
        for ex in exs:
            total += 1
            r = checker.check(ex.claim, ex.as_of)
            if r.verdict in ex.acceptable:
                passed += 1
                continue
            failures.append(
                ExampleFailure(
                    a.id, ex.claim, ex.as_of, tuple(v.value for v in ex.acceptable), r.verdict.value,
                    r.assertion.id if r.assertion else None, r.note,
                )
            )
    return ExampleReport(total, passed, tuple(failures), tuple(thin))


@dataclass(frozen=True)
class Stats:
    """The figures `stemcheck kb stats` prints."""

    assertions: int
    files: int
    aliases: int
    by_topic: dict[str, int]
    by_jurisdiction: dict[str, int]
    by_kind: dict[str, int]
    sources_per_assertion: dict[int, int]  # n sources -> n assertions
    distinct_urls: int
    low_reliability: int
    stale: tuple[str, ...]
    examples: int


def stats(checker: Checker, today: dt.date) -> Stats:
    kb = checker.ckb.kb
    by_topic = Counter(kb.origins[a.id].topic for a in kb.assertions)
    by_j = Counter(a.jurisdiction.value for a in kb.assertions)
    by_kind = Counter(a.kind.value for a in kb.assertions)
    per = Counter(len(a.sources) for a in kb.assertions)
    urls = {s.url for a in kb.assertions for s in a.sources}
    low = sum(1 for a in kb.assertions if any(s.reliability for s in a.sources))
    stale = tuple(a.id for a in kb.assertions if (today - a.reviewed).days > STALE_AFTER_DAYS)
    files = len({o.path for o in kb.origins.values()})
    return Stats(
        assertions=len(kb.assertions),
        files=files,
        aliases=len(kb.aliases),
        by_topic=dict(sorted(by_topic.items())),
        by_jurisdiction=dict(sorted(by_j.items())),
        by_kind=dict(sorted(by_kind.items())),
        sources_per_assertion=dict(sorted(per.items())),
        distinct_urls=len(urls),
        low_reliability=low,
        stale=stale,
        examples=sum(len(a.examples) for a in kb.assertions),
    )

