"""The knowledge base compiled for matching: normalised terms, phrasings and a term index.

Compiling is done once per knowledge base (and cached on disk by content hash, see
`stemcheck.knowledge.cache`). Retrieval never scans every phrasing for every sentence:
each assertion is indexed under the stems of one of its term groups, so a sentence only
meets the assertions whose key terms it contains, and fuzzy scoring runs on those alone.
"""

from __future__ import annotations

from dataclasses import dataclass

from stemcheck.engine.negation import CUE_WORDS
from stemcheck.engine.text import Normaliser
from stemcheck.knowledge.loader import KnowledgeBase
from stemcheck.model import Assertion

DEFAULT_EVENT_TERMS = (
    "approve", "approval", "license", "launch", "issue", "publish", "grant", "introduce", "enact", "adopt",
    "promulgate", "first", "began", "start", "took effect", "came into force", "entered into force",
)


@dataclass(frozen=True, slots=True)
class CompiledAssertion:
    assertion: Assertion
    groups: tuple[tuple[tuple[str, ...], ...], ...]  # term groups as stem tuples
    unless: tuple[tuple[str, ...], ...]  # any of these in the claim rules the assertion out
    phrasings: tuple[str, ...]  # content-stem strings for fuzzy scoring
    event_terms: frozenset[tuple[str, ...]]
    counts: tuple[frozenset[str], ...]  # quantity: stem sets of what the number counts
    negated_terms: frozenset[tuple[str, ...]]  # terms that contain a negation word ("no side effects")


@dataclass(frozen=True)
class CompiledKB:
    kb: KnowledgeBase
    normaliser: Normaliser
    items: tuple[CompiledAssertion, ...]
    index: dict[str, tuple[int, ...]]  # stem -> positions in `items`
    domain: frozenset[tuple[str, ...]]  # on-topic phrases: a sentence without any is not scanned


def compile_kb(kb: KnowledgeBase) -> CompiledKB:
    norm = Normaliser(kb.aliases)
    items: list[CompiledAssertion] = []
    index: dict[str, set[int]] = {}
    for pos, a in enumerate(kb.assertions):
        groups = tuple(tuple(g for g in (norm.phrase(t) for t in group) if g) for group in a.terms)
        phrasings = tuple(norm.normalise(p).content() for p in a.phrasings) or (norm.normalise(a.statement).content(),)
        ev = a.event_terms if a.event_terms is not None else DEFAULT_EVENT_TERMS
        event_terms = frozenset(norm.phrase(t) for t in ev if norm.phrase(t))
        counts = tuple(frozenset(norm.phrase(c)) for c in a.counts)
        negated = frozenset(
            norm.phrase(t) for group in a.terms for t in group if CUE_WORDS & {tok.text for tok in norm.normalise(t).tokens}
        )
        unless = tuple(t for t in (norm.phrase(u) for u in a.unless) if t)
        items.append(CompiledAssertion(a, groups, unless, phrasings, event_terms, counts, negated))
        # index under the group with the fewest distinct first stems (the most selective)
        key_group = min(groups, key=lambda g: len({t[0] for t in g}))
        for t in key_group:
            index.setdefault(t[0], set()).add(pos)
    return CompiledKB(
        kb=kb,
        normaliser=norm,
        items=tuple(items),
        index={k: tuple(sorted(v)) for k, v in index.items()},
        # the domain vocabulary, plus every product the knowledge base names (Ryoncil, amimestrocel, ...)
        domain=frozenset(
            t for t in (norm.phrase(d) for d in (*kb.domain, *(al.canonical for al in kb.aliases if al.kind == "product"))) if t
        ),
    )
