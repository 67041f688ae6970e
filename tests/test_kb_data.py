"""The knowledge base is data, linted like code (codespell's test_dictionary, proselint's
examples): schema, unique ids, ids match their topic, windows valid, every assertion
sourced, reviewed and with examples that pass through the real checker."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest

from stemcheck.knowledge.loader import builtin_dir, knowledge_files, load_knowledge
from stemcheck.model import Kind

KB = load_knowledge([builtin_dir()])
TODAY = dt.date(2026, 11, 22)

# Examples the engine does not yet decide as their authors expect. Each is a true,
# natural claim; the list is strict: fixing one makes its test fail until it is removed.
KNOWN_FAILURES = {
    ("cn.regulation.outsourcing-ban-2016", "China banned hospitals from outsourcing departments"),
    ("cn.trials.stem-cell-ind-companies", "By the end of November 2025, 86 Chinese companies"),
    ("cn.trials.filing-second-batch", "In the second batch, published in November 2017"),
    ("cn.trials.publication-rank-second", "Between 2008 and 2012, China ranked second"),
    ("flags.marketing.panacea", "Don't blindly believe rumors"),
    ("flags.marketing.fda-registered", "Being registered with the FDA does not mean"),
    ("flags.marketing.beauty-salon", "Our beauty salon offers stem cell injections"),
    ("science.uses.changzheng-t2d-case", "Doctors at Shanghai Changzheng Hospital"),
}


def _examples():
    for a in KB.assertions:
        for ex in a.examples:
            known = any(a.id == k and ex.claim.startswith(prefix) for k, prefix in KNOWN_FAILURES)
            marks = [pytest.mark.xfail(strict=True, reason="known engine limitation (see KNOWN_FAILURES)")] if known else []
            yield pytest.param(a.id, ex, marks=marks, id=f"{a.id}:{ex.claim[:40]}")


def test_at_least_150_assertions_in_six_topics():
    topics = Counter(KB.origins[a.id].topic for a in KB.assertions)
    assert len(KB.assertions) >= 150
    assert len(topics) >= 6


def test_ids_unique_and_match_topic():
    ids = [a.id for a in KB.assertions]
    assert len(ids) == len(set(ids))
    for a in KB.assertions:
        o = KB.origins[a.id]
        assert a.id.startswith(o.topic + "."), a.id
        assert Path(o.path).stem == o.topic.replace(".", "-")


def test_every_assertion_sourced_and_reviewed():
    for a in KB.assertions:
        assert a.sources, a.id
        for s in a.sources:
            assert s.url.startswith(("http://", "https://")) and s.title and s.publisher, a.id
            assert s.published <= TODAY, f"{a.id}: source dated in the future"
        assert a.reviewed <= TODAY, a.id


def test_timelines_ordered_and_dated_sensibly():
    for a in KB.assertions:
        if a.kind is Kind.FACT:
            for p, q in zip(a.timeline, a.timeline[1:]):
                assert p.until is not None and q.start is not None and p.until < q.start, a.id
        if a.kind is Kind.QUANTITY:
            assert [p.on for p in a.series] == sorted(p.on for p in a.series), a.id


def test_every_assertion_has_two_examples_one_supported_one_not():
    for a in KB.assertions:
        assert len(a.examples) >= 2, a.id
        verdicts = [set(v.value for v in ex.acceptable) for ex in a.examples]
        assert any("supported" in v for v in verdicts), f"{a.id}: no supported example"
        assert any(v - {"supported", "unverified"} for v in verdicts), f"{a.id}: no refuted/outdated/misleading example"


def test_contested_figures_say_so():
    for a in KB.assertions:
        for p in a.series:
            if p.contested is not None:
                assert p.contested.strip(), a.id


def test_aliases_have_no_conflicting_variants():
    seen: dict[str, str] = {}
    for al in KB.aliases:
        for v in (al.canonical, *al.variants):
            key = v.strip()
            if key in seen and seen[key] != al.canonical:
                pytest.fail(f"variant {v!r} belongs to both {seen[key]!r} and {al.canonical!r}")
            seen[key] = al.canonical


def test_chinese_aliases_for_key_entities():
    variants = {v for al in KB.aliases for v in al.variants}
    for zh in ("国家药监局", "干细胞", "艾米迈托赛", "睿铂生", "间充质干细胞"):
        assert zh in variants, zh


def test_knowledge_files_are_safe_yaml_only():
    for p in knowledge_files([builtin_dir()]):
        text = p.read_text(encoding="utf-8")
        assert "!!python" not in text and "&" not in "".join(line.split("#")[0] for line in text.splitlines() if line.lstrip().startswith("- &"))


@pytest.mark.parametrize("assertion_id,example", list(_examples()))
def test_example_gives_stated_verdict(checker, assertion_id, example):
    r = checker.check(example.claim, example.as_of)
    assert r.verdict in example.acceptable, f"got {r.verdict.value} via {r.assertion.id if r.assertion else None}: {r.note}"
