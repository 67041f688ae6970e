"""Retrieval's index (`engine.compiled.GroupMasks`): the assertions it lets through for a
claim are exactly those that pass the plain test it stands for, one set test per term
group per assertion, on the real knowledge base and the seed articles' sentences."""

from __future__ import annotations

from pathlib import Path

from stemcheck.documents.segment import segment
from stemcheck.engine.compiled import CompiledAssertion, GroupMasks
from stemcheck.model import Jurisdiction, Kind

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def plain_test(items, openers: frozenset, named: frozenset) -> list[int]:
    """The positions of the items whose jurisdiction is named (or global) and each of whose
    term groups has an opener in the claim."""
    return [
        i
        for i, it in enumerate(items)
        if it.group_openers
        and (it.jurisdiction is Jurisdiction.GLOBAL or it.jurisdiction in named)
        and not any(map(openers.isdisjoint, it.group_openers))
    ]


def bits(mask: int) -> list[int]:
    return [i for i in range(mask.bit_length()) if mask >> i & 1]


def seed_sentences() -> list[str]:
    return [s.text for p in sorted(SEEDS.glob("*.txt")) for s in segment(p.read_text(encoding="utf-8"), "text").sentences]


def test_the_masks_let_through_exactly_what_the_set_tests_do(checker):
    ckb = checker.ckb
    sentences = seed_sentences()
    assert len(sentences) > 100
    through = 0
    for text in sentences:
        norm = checker.normalise(text)
        openers = frozenset(norm.openers())
        for named in (norm.jurisdictions, frozenset({Jurisdiction.CN}), frozenset({Jurisdiction.US, Jurisdiction.EU}), frozenset()):
            got = bits(ckb.groups.survivors(norm.openers(), named))
            assert got == plain_test(ckb.items, openers, named), text
            through += len(got)
    assert through > 0


def _item(groups: list[set], jurisdiction: Jurisdiction) -> CompiledAssertion:
    return CompiledAssertion(
        stored=None,
        kind=Kind.FACT,
        jurisdiction=jurisdiction,
        phrasings=(),
        event_terms=frozenset(),
        counts=(),
        negated_terms=frozenset(),
        group_index=tuple({} for _ in groups),
        group_openers=tuple(frozenset(g) for g in groups),
        unless_index={},
    )


def test_items_of_different_group_counts_and_jurisdictions():
    items = (
        _item([{"nmpa"}, {"approv"}, {("stem", "cell")}], Jurisdiction.CN),  # three groups
        _item([{"fda", "ema"}], Jurisdiction.GLOBAL),  # one group, any jurisdiction
        _item([], Jurisdiction.GLOBAL),  # no terms: never retrieved
        _item([{"approv"}, set()], Jurisdiction.CN),  # a group left empty by normalisation: never
        _item([{"approv"}, {"trial"}], Jurisdiction.US),
    )
    masks = GroupMasks.of(items)
    cases = [
        ({"nmpa", "approv", ("stem", "cell"), "stem", "cell"}, {Jurisdiction.CN}),
        ({"nmpa", "approv", "stem", "cell"}, {Jurisdiction.CN}),  # "stem" and "cell" apart
        ({"ema", "approv", "trial"}, set()),
        ({"ema", "approv", "trial"}, {Jurisdiction.US, Jurisdiction.CN}),
        (set(), {Jurisdiction.CN}),
    ]
    for openers, named in cases:
        openers, named = frozenset(openers), frozenset(named)
        assert bits(masks.survivors(openers, named)) == plain_test(items, openers, named)
    assert bits(masks.survivors(frozenset({"nmpa", "approv", ("stem", "cell")}), frozenset({Jurisdiction.CN}))) == [0]
    assert GroupMasks.of(()).survivors(frozenset({"approv"}), frozenset()) == 0
