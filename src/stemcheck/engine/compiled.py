"""The knowledge base compiled for matching: normalised terms, phrasings and a term index.

Compiling is done once per knowledge base (and cached on disk by content hash, see
`stemcheck.compiled_cache`). Retrieval never scans every phrasing for every sentence: an
index from each term's opener (its stem, or first two stems) to the term groups it opens
tells which assertions can occur in a sentence at all, and term lookup and fuzzy scoring
run on those alone.
"""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING

from stemcheck.engine.negation import CUE_WORDS
from stemcheck.engine.text import Normaliser
from stemcheck.model import Jurisdiction, Kind

if TYPE_CHECKING:
    from stemcheck.knowledge.files import KnowledgeBase
    from stemcheck.model import Assertion

DEFAULT_EVENT_TERMS = (
    "approve", "approval", "license", "launch", "issue", "publish", "grant", "introduce", "enact", "adopt",
    "promulgate", "first", "began", "start", "took effect", "came into force", "entered into force",
)


# A term lookup table: first stem -> ((length, frozenset of stem tuples of that length), ...)
TermIndex = dict

_MISSING = object()


class Deferred:
    """A value kept pickled until first used. A warm check unpickles the compiled index and
    only the few assertions it ends up judging, not every assertion's timeline and sources:
    with a knowledge base ten times larger, unpickling everything was most of a check."""

    __slots__ = ("_blob", "_value")

    def __init__(self, value) -> None:
        self._value = value
        self._blob: bytes | None = None

    def get(self):
        if self._value is _MISSING:
            self._value = pickle.loads(self._blob)
        return self._value

    def __getstate__(self) -> bytes:
        if self._blob is None:
            self._blob = pickle.dumps(self._value, protocol=pickle.HIGHEST_PROTOCOL)
        return self._blob

    def __setstate__(self, blob: bytes) -> None:
        self._blob = blob
        self._value = _MISSING


@dataclass(frozen=True, slots=True)
class CompiledAssertion:
    """An assertion in the form the checker reads: terms as stem tuples indexed by first stem,
    phrasings as content-stem strings."""

    stored: Deferred  # the Assertion
    kind: Kind
    jurisdiction: Jurisdiction
    phrasings: tuple[str, ...]  # content-stem strings for fuzzy scoring
    event_terms: frozenset[tuple[str, ...]]
    counts: tuple[frozenset[str], ...]  # quantity: stem sets of what the number counts
    negated_terms: frozenset[tuple[str, ...]]  # terms that contain a negation word ("no side effects")
    # the term groups, rarest first, for lookup: first stem -> ((length, terms of that
    # length), ...). A claim is tested at the positions of its stems that open some term, one
    # slice per distinct length, however many synonyms a group lists.
    group_index: tuple[TermIndex, ...]
    # per group (in group_index order): the openers of its terms (see `opener`), from
    # which GroupMasks is built: a claim holding none of them cannot contain the group
    group_openers: tuple[frozenset, ...]
    unless_index: TermIndex  # terms of which any, in the claim, rules the assertion out

    @property
    def assertion(self) -> Assertion:
        return self.stored.get()


@dataclass(frozen=True)
class GroupMasks:
    """The index of term groups by opener, as bit masks: which assertions can occur in a
    claim, in a few integer operations however many there are.

    Bit `k * width + i` stands for term group k of item i (groups in `group_index` order).
    `by_opener[o]` sets the bits of the groups holding a term that `o` opens (see `opener`);
    `absent` those of the groups an item does not have (k past its last; never k = 0, so
    an item without terms never occurs). A claim opens the OR of its openers' masks with
    `absent`, and an item can occur when all `slots` of its bits are set: the same test as
    one set test per group per item, without visiting the items that fail it. Most of the
    assertions a claim shares a stem with fail it ("stem cell" is in most groups)."""

    width: int  # how many items
    slots: int  # the most term groups an item has
    by_opener: dict  # opener -> its groups' bits
    absent: int
    world: int  # items of Jurisdiction.GLOBAL (bit i), which every claim can meet
    by_jurisdiction: dict[Jurisdiction, int]  # the items of each other jurisdiction

    def survivors(self, openers: Iterable, named: frozenset[Jurisdiction]) -> int:
        """The items (bit i) whose every term group opens in a claim with `openers` (its
        stems and stem pairs; repeats do no harm) and whose jurisdiction it names (or that
        hold everywhere). One dictionary lookup per opener, in C."""
        opened = reduce(or_, filter(None, map(self.by_opener.get, openers)), self.absent)
        alive = self.world
        for j in named:
            alive |= self.by_jurisdiction.get(j, 0)
        width = self.width
        for k in range(self.slots):
            alive &= opened >> (k * width)
        return alive

    @classmethod
    def of(cls, items: tuple[CompiledAssertion, ...]) -> GroupMasks:
        width, slots = len(items), max((len(it.group_openers) for it in items), default=0)
        by_opener: dict = {}
        absent = world = 0
        by_jurisdiction: dict[Jurisdiction, int] = {}
        for i, item in enumerate(items):
            for k, openers in enumerate(item.group_openers):
                for o in openers:
                    by_opener[o] = by_opener.get(o, 0) | 1 << (k * width + i)
            for k in range(max(1, len(item.group_openers)), slots):
                absent |= 1 << (k * width + i)
            if item.jurisdiction is Jurisdiction.GLOBAL:
                world |= 1 << i
            else:
                by_jurisdiction[item.jurisdiction] = by_jurisdiction.get(item.jurisdiction, 0) | 1 << i
        return cls(width, slots, by_opener, absent, world, by_jurisdiction)


@dataclass(frozen=True)
class CompiledKB:
    """A knowledge base compiled for matching (and pickled by stemcheck.compiled_cache)."""

    stored_kb: Deferred  # the KnowledgeBase: only `kb` tools and --explain need it
    normaliser: Normaliser
    items: tuple[CompiledAssertion, ...]
    groups: GroupMasks  # which items can occur in a claim
    # the on-topic vocabulary (a sentence without any of it is not checked in a scan):
    domain_words: frozenset[str]  # one-stem domain phrases (product names, regulators): a set test
    # opener -> the longer domain phrases it opens, the openers the assertions' terms use most
    # first: the on-topic test stops at the first phrase found, and most prose on the topic
    # says "stem cell"
    domain_openers: dict[tuple[str, str], tuple[tuple[str, ...], ...]]

    @property
    def kb(self) -> KnowledgeBase:
        return self.stored_kb.get()


def compile_kb(kb: KnowledgeBase) -> CompiledKB:
    norm = Normaliser(kb.aliases)
    term_groups = [tuple(tuple(g for g in (norm.phrase(t) for t in group) if g) for group in a.terms) for a in kb.assertions]
    # Each assertion's groups are tried rarest first: the group whose first stems open the
    # fewest other assertions' groups fails fastest ("stem cell" is in nearly every
    # assertion; "cartilage" is not).
    spread: dict[str, int] = {}
    for groups in term_groups:
        for first in {t[0] for g in groups for t in g}:
            spread[first] = spread.get(first, 0) + 1
    items: list[CompiledAssertion] = []
    for a, groups in zip(kb.assertions, term_groups):
        groups = tuple(sorted(groups, key=lambda g: sum(spread[f] for f in {t[0] for t in g})))
        phrasings = tuple(norm.normalise(p).content() for p in a.phrasings) or (norm.normalise(a.statement).content(),)
        ev = a.event_terms if a.event_terms is not None else DEFAULT_EVENT_TERMS
        negated = frozenset(
            norm.phrase(t) for group in a.terms for t in group if CUE_WORDS.intersection(norm.normalise(t).texts)
        )
        items.append(
            CompiledAssertion(
                stored=Deferred(a),
                kind=a.kind,
                jurisdiction=a.jurisdiction,
                phrasings=phrasings,
                event_terms=frozenset(norm.phrase(t) for t in ev if norm.phrase(t)),
                counts=tuple(frozenset(norm.phrase(c)) for c in a.counts),
                negated_terms=negated,
                group_index=tuple(map(_term_index, groups)),
                group_openers=tuple(frozenset(opener(t) for t in g) for g in groups),
                unless_index=_term_index(t for t in (norm.phrase(u) for u in a.unless) if t),
            )
        )
    # the domain vocabulary, plus every product the knowledge base names (Ryoncil, amimestrocel, ...)
    domain = frozenset(
        t for t in (norm.phrase(d) for d in (*kb.domain, *(al.canonical for al in kb.aliases if al.kind == "product"))) if t
    )
    groups = GroupMasks.of(tuple(items))

    def uses(d: tuple[str, ...]) -> int:
        """How many term groups hold the phrase's opener: one bit each in its mask."""
        return groups.by_opener.get(opener(d), 0).bit_count()

    return CompiledKB(
        stored_kb=Deferred(kb),
        normaliser=norm,
        items=tuple(items),
        groups=groups,
        domain_words=frozenset(d[0] for d in domain if len(d) == 1),
        domain_openers=_grouped((opener(d), d) for d in sorted(domain, key=lambda d: (-uses(d), d)) if len(d) > 1),
    )


def opener(term: tuple[str, ...]) -> str | tuple[str, str]:
    """What a claim must contain for `term` to occur in it: its one stem, or its first two
    stems in a row ("stem cell therapy" needs "stem cell", not just "stem")."""
    return term[0] if len(term) == 1 else (term[0], term[1])


def _term_index(terms) -> TermIndex:
    by_first: dict[str, dict[int, set]] = {}
    for t in terms:
        by_first.setdefault(t[0], {}).setdefault(len(t), set()).add(t)
    return {f: tuple((k, frozenset(ts)) for k, ts in sorted(by_len.items())) for f, by_len in by_first.items()}


def _grouped(pairs) -> dict:
    """{key: (values...)} from (key, value) pairs, in order."""
    out: dict = {}
    for key, value in pairs:
        out.setdefault(key, []).append(value)
    return {k: tuple(v) for k, v in out.items()}
