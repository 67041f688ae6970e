"""Check one claim: retrieve candidate assertions, read the claim, judge, pick a verdict.

Retrieval is gated twice before any fuzzy scoring: every term group of an assertion must
appear in the claim, and the claim must name the assertion's jurisdiction (a China
assertion never decides a claim about the FDA). Fuzzy similarity (rapidfuzz, batched with
`process.cdist`) then ranks the survivors. The readers run on the clause that carries the
assertion's terms, so "The answer is no: ..." reads the clause after the colon.

When several assertions decide a claim, the most serious finding among the strong
matches wins (refuted > misleading > outdated > supported): calling a false claim
supported is the worst error this tool can make.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from itertools import accumulate

from rapidfuzz import fuzz, process

from stemcheck.engine.compiled import CompiledAssertion, CompiledKB
from stemcheck.engine.hedge import debunks, find_hedges
from stemcheck.engine.judge import Judgement, Reading, judge_fact, judge_quantity, judge_red_flag
from stemcheck.engine.negation import denies_terms, find_negations
from stemcheck.engine.numbers import Number, find_numbers
from stemcheck.engine.text import MAX_CLAIM_CHARS, Normalised, cached_property, clean
from stemcheck.engine.timeref import TimeAnchor, read_dates
from stemcheck.model import AssertionRef, Jurisdiction, Kind, Result, Verdict

MIN_SCORE = 55.0  # fuzzy floor for a term-gated fact or quantity; below it real text produced false refutations
RED_FLAG_MIN_SCORE = 45.0  # red flags are defined by their terms and have few phrasings
MARGIN = 12.0  # candidates this close to the best one compete on severity
CDIST_ABOVE = 64  # more phrasings than this are scored in one batched rapidfuzz.process.cdist call
_CLAUSE_BREAKS = frozenset({";", ":", "but", "however", "whereas", "although", "though", "if", "unless", "because", "whether"})
_RANK = {Verdict.REFUTED: 4, Verdict.MISLEADING: 3, Verdict.OUTDATED: 2, Verdict.SUPPORTED: 1, Verdict.UNVERIFIED: 0}


@dataclass(frozen=True)
class _ClaimView:
    """What every candidate's reading shares, computed once per claim."""

    norm: Normalised
    clause_of: tuple[int, ...]  # token index -> clause number
    anchor: TimeAnchor | None
    hedged: bool
    future: bool
    debunks: bool
    cleaned: str
    date_spans: tuple[tuple[int, int], ...]  # where dates are: numbers there are not counts
    memo: dict = field(default_factory=dict)  # readings shared by candidates (event terms, number contexts)

    @cached_property
    def numbers(self) -> tuple[Number, ...]:
        """The claim's numbers: read only when a quantity is among the candidates."""
        return tuple(find_numbers(self.cleaned, list(self.date_spans)))

    @classmethod
    def of(cls, norm: Normalised, cleaned: str, as_of: dt.date) -> _ClaimView:
        anchors, spans = read_dates(cleaned, as_of)
        # each token's clause: how many clause breaks there are up to it (a break opens the next clause)
        clause_of = tuple(accumulate(map(_CLAUSE_BREAKS.__contains__, norm.texts), initial=0))[1:]
        hedges = find_hedges(norm.texts)
        return cls(
            norm=norm,
            clause_of=clause_of,
            anchor=next((a for a in anchors if a.kind != "mention"), anchors[0] if anchors else None),
            hedged="hedge" in hedges,
            future="future" in hedges,
            debunks=debunks(norm.texts),
            cleaned=cleaned,
            date_spans=tuple(spans),
        )


@dataclass(frozen=True)
class Candidate:
    """An assertion whose every term group occurs in the claim, with its fuzzy score and where its
    terms are."""

    item: CompiledAssertion
    score: float
    hits: tuple[tuple[int, int], ...]  # (start, end) word spans of term hits


class Checker:
    """Judges claims against one compiled knowledge base. Holds no mutable state.

    A claim that names no jurisdiction is read in its context (the jurisdictions named
    earlier in the same document) or, failing that, in `default_jurisdictions` (China:
    the tool's focus); the result then carries the cue "assumed-XX".
    """

    def __init__(self, ckb: CompiledKB, default_jurisdictions: frozenset[Jurisdiction] = frozenset({Jurisdiction.CN})):
        self.ckb = ckb
        self.default_jurisdictions = default_jurisdictions

    # ------------------------------------------------------------------ public

    def normalise(self, text: str) -> Normalised:
        return self.ckb.normaliser.normalise(text.strip())

    def on_topic(self, norm: Normalised) -> bool:
        """Does the sentence use the domain's vocabulary (stem cells, regulators, products)?"""
        stems = norm.stem_set
        if not self.ckb.domain_words.isdisjoint(stems):
            return True
        # the longer domain phrases, by their first two stems: two set lookups reject most,
        # without building the claim's stem pairs (an off-topic sentence never needs them)
        return any(
            len(phrase) == 2 or norm.has(phrase)
            for op, phrases in self.ckb.domain_openers.items()
            if op[0] in stems and op[1] in stems and norm.has(op)
            for phrase in phrases
        )

    def check(
        self, claim: str, as_of: dt.date, context: frozenset[Jurisdiction] | None = None, norm: Normalised | None = None
    ) -> Result:
        """The claim's result. `context`: the jurisdictions in force where it stands in a
        document; `norm`: the claim already normalised (a scan has it from spotting)."""
        text = claim.strip()
        cues: list[str] = []
        if len(text) > MAX_CLAIM_CHARS:
            cues.append("truncated")
        norm, assumed = self._in_context(norm or self.ckb.normaliser.normalise(text), context)
        cues.extend(assumed)
        return self._check(text, norm, as_of, cues)

    def _in_context(self, norm: Normalised, context: frozenset[Jurisdiction] | None) -> tuple[Normalised, list[str]]:
        """A claim naming no jurisdiction takes its context's, else the default; say which."""
        if norm.jurisdictions:
            return norm, []
        assumed = context if context else self.default_jurisdictions
        return norm.in_jurisdictions(frozenset(assumed)), [f"assumed-{j.value}" for j in sorted(assumed)]

    def _judge_all(self, text: str, norm: Normalised, as_of: dt.date) -> tuple[list[Candidate], list[tuple[Candidate, Judgement, Reading]]]:
        """Every candidate, and each one's reading and judgement (None when it cannot decide)."""
        cands = self.candidates(norm)
        if not cands:
            return [], []
        cleaned = clean(text[:MAX_CLAIM_CHARS])
        view = _ClaimView.of(norm, cleaned, as_of)
        judged = []
        for c in cands:
            reading = self._read(view, c)
            judged.append((c, self._judge(c, reading, as_of, view), reading))
        return cands, judged

    def _check(self, text: str, norm: Normalised, as_of: dt.date, cues: list[str]) -> Result:
        cands, all_judged = self._judge_all(text, norm, as_of)
        if not cands:
            return self._unverified(text, as_of, cues, "no assertion in the knowledge base matches this claim", 0.0)
        judged = [(c, j, r) for c, j, r in all_judged if j is not None]
        decided = [x for x in judged if x[1].verdict is not Verdict.UNVERIFIED]
        if not decided:
            best = max(cands, key=lambda c: c.score)
            note = judged[0][1].note if judged else "matched assertions do not decide this claim"
            return self._unverified(text, as_of, cues, note, best.score)
        top = max(c.score for c, _, _ in decided)
        pool = [x for x in decided if x[0].score >= top - MARGIN]
        # a candidate whose term hits are a strict subset of another's is less specific:
        # "not approved for cancer" is decided by the cancer assertion, not the general one
        covered = [_covered(x[0]) for x in pool]
        pool = [x for x, cov in zip(pool, covered) if not any(cov < other for other in covered)]
        c, j, reading = max(pool, key=lambda x: (_RANK[x[1].verdict], x[0].score))
        return self._result(text, as_of, c, j, reading, cues)

    def explain(self, claim: str, as_of: dt.date) -> list[tuple[str, float, str, str | None]]:
        """Every candidate with its score and the verdict it alone would give (for --explain)."""
        text = claim.strip()
        norm, _ = self._in_context(self.ckb.normaliser.normalise(text), None)
        _, judged = self._judge_all(text, norm, as_of)
        return [
            (c.item.assertion.id, round(c.score, 1), j.verdict.value if j else "undecided", j.note if j else None)
            for c, j, _ in sorted(judged, key=lambda x: -x[0].score)
        ]

    def candidates(self, norm: Normalised) -> list[Candidate]:
        """Assertions whose every term group occurs in the claim and whose jurisdiction it names."""
        ckb = self.ckb
        alive = ckb.groups.survivors(norm.openers(), norm.jurisdictions)
        if not alive:
            return []
        stems, st = norm.stem_set, norm.stems

        def occurrences(index: dict) -> list[tuple[int, int]]:
            """Word spans of the index's terms in the claim (a one-stem term is its first stem)."""
            starts = norm.starts
            return [
                (i, i + k)
                for f in index  # a few first stems per group: tested one by one, no set built
                if f in stems
                for i in starts[f]
                for k, ts in index[f]
                if k == 1 or st[i : i + k] in ts
            ]

        items = ckb.items
        passing: list[tuple[CompiledAssertion, tuple[tuple[int, int], ...]]] = []
        while alive:  # the surviving items, lowest position first
            low = alive & -alive
            alive ^= low
            item = items[low.bit_length() - 1]
            if item.unless_index and occurrences(item.unless_index):
                continue
            hits: list[tuple[int, int]] = []
            for g in item.group_index:  # rarest group first: most stop at the first
                found = occurrences(g)
                if not found:
                    break
                hits.extend(found)
            else:
                passing.append((item, tuple(hits)))
        if not passing:
            return []
        content = norm.content()
        choices: list[str] = []
        owner: list[int] = []
        for k, (item, _) in enumerate(passing):
            for p in item.phrasings:
                choices.append(p)
                owner.append(k)
        best = [0.0] * len(passing)
        for s, k in zip(_scores(content, choices), owner):
            best[k] = max(best[k], s)
        out = []
        for (item, hits), s in zip(passing, best):
            floor = RED_FLAG_MIN_SCORE if item.kind is Kind.RED_FLAG else MIN_SCORE
            if s >= floor:
                out.append(Candidate(item, s, hits))
        return out

    # ------------------------------------------------------------------ reading
    def _read(self, view: _ClaimView, c: Candidate) -> Reading:
        """The candidate's reading of the claim: polarity in the clauses carrying its terms."""
        clause_of, word_at = view.clause_of, view.norm.word_at
        # the clauses that carry the most term hits are the ones whose polarity counts
        weight: dict[int, int] = {}
        for s, _ in c.hits:
            cl = clause_of[word_at[s]]
            weight[cl] = weight.get(cl, 0) + 1
        top = max(weight.values()) if weight else 0
        clauses = {cl for cl, w in weight.items() if w == top}
        norm = view.norm
        ignore = {word_at[i + j] for term in c.item.negated_terms for i in norm.find(term) for j in range(len(term))}
        hit_words = {w for s, e in c.hits for w in range(s, e)}
        negs = [
            (i, cue)
            for i, cue in find_negations(norm.texts, ignore)
            if clause_of[i] in clauses and denies_terms(norm.texts, i, cue, word_at, hit_words, clause_of)
        ]
        return Reading(
            positive=not negs,
            never=any(cue == "never" for _, cue in negs),
            anchor=view.anchor,
            event=self._has_event(view, c.item.event_terms),
            hedged=view.hedged,
            future=view.future,
            numbers=view.numbers if c.item.kind is Kind.QUANTITY else (),
            debunks=view.debunks,
        )

    @staticmethod
    def _has_event(view: _ClaimView, event_terms: frozenset[tuple[str, ...]]) -> bool:
        """Does the claim use one of these event words? Most assertions share the default
        set, so each distinct set is looked up once per claim."""
        key = ("event", event_terms)
        found = view.memo.get(key)
        if found is None:
            stems = view.norm.stem_set
            found = view.memo[key] = any(view.norm.has(t) for t in event_terms if t[0] in stems)
        return found

    def _judge(self, c: Candidate, r: Reading, as_of: dt.date, view: _ClaimView) -> Judgement | None:
        a = c.item.assertion
        if a.kind is Kind.RED_FLAG:
            return judge_red_flag(a, r)
        if a.kind is Kind.QUANTITY:
            number = self._pick_number(c.item, view)
            if number is None:
                return None
            j = judge_quantity(a, r, number, as_of)
        else:
            j = judge_fact(a, r, as_of)
        if (r.hedged or r.future) and j.verdict in (Verdict.REFUTED, Verdict.OUTDATED):
            return Judgement(Verdict.UNVERIFIED, "a hedged or forward-looking claim: a possibility is not refuted by the record", j.window, j.cues + ("hedge",))
        return j

    def _pick_number(self, item: CompiledAssertion, view: _ClaimView) -> Number | None:
        """The number whose surrounding words name what the quantity counts."""
        unit = (item.assertion.unit or "").lower()
        want_pct = unit in ("percent", "%")
        best: tuple[int, Number] | None = None
        for num, ctx in self._number_contexts(view):
            if (num.unit == "percent") != want_pct:
                continue
            overlap = max((len(cs & ctx) / len(cs) for cs in item.counts if cs), default=0.0)
            if overlap >= 0.99 or (overlap >= 0.5 and len(item.counts) > 0):
                score = int(overlap * 100)
                if best is None or score > best[0]:
                    best = (score, num)
        return best[1] if best else None

    def _number_contexts(self, view: _ClaimView) -> list[tuple[Number, frozenset[str]]]:
        """Each number with the stems around it (up to 8 after, 4 before, never reaching into
        a neighbouring number): what the number counts. Once per claim, for every quantity."""
        found = view.memo.get("numbers")
        if found is not None:
            return found
        norm, numbers = self.ckb.normaliser, view.numbers
        found = []
        for k, num in enumerate(numbers):
            after_text = num.after[:60]
            if k + 1 < len(numbers) and numbers[k + 1].start - num.end < len(after_text):
                after_text = after_text[: max(0, numbers[k + 1].start - num.end)]
            before_text = num.before[-30:]
            if k > 0 and num.start - numbers[k - 1].end < len(before_text):
                before_text = before_text[len(before_text) - max(0, num.start - numbers[k - 1].end) :]
            after = norm.phrase(after_text)[:8]
            before = norm.phrase(before_text)[-4:]
            found.append((num, frozenset(after) | frozenset(before)))
        view.memo["numbers"] = found
        return found

    # ------------------------------------------------------------------ results
    def _result(self, text: str, as_of: dt.date, c: Candidate, j: Judgement, r: Reading, cues: list[str]) -> Result:
        a = c.item.assertion
        all_cues = list(cues)
        if not r.positive:
            all_cues.append("negation")
        for cue in j.cues:
            if cue not in all_cues:
                all_cues.append(cue)
        if r.hedged and "hedge" not in all_cues:
            all_cues.append("hedge")
        assumed = any(cue.startswith("assumed-") for cue in cues)
        factor = j.certainty * (0.8 if r.hedged else 1.0) * (0.85 if assumed else 1.0)
        confidence = min(0.99, max(0.05, (0.55 + 0.45 * c.score / 100.0) * factor))
        judged_at = r.anchor.judge_date if (r.anchor is not None and r.anchor.kind != "mention" and r.anchor.start <= as_of) else as_of
        return Result(
            claim=text,
            verdict=j.verdict,
            confidence=round(confidence, 2),
            judged_at=min(judged_at, as_of),
            assertion=AssertionRef(id=a.id, statement=a.statement, valid_from=j.window[0], valid_until=j.window[1]),
            note=j.note,
            cues=tuple(all_cues),
            sources=a.sources,
            reason=a.reason,
        )

    def _unverified(self, text: str, as_of: dt.date, cues: list[str], note: str | None, score: float) -> Result:
        return Result(
            claim=text,
            verdict=Verdict.UNVERIFIED,
            confidence=round(max(0.1, min(0.9, 1.0 - score / 100.0)), 2),
            judged_at=as_of,
            assertion=None,
            note=note,
            cues=tuple(cues),
        )


def _covered(c: Candidate) -> frozenset[int]:
    """The claim's word positions that the candidate's terms account for."""
    return frozenset(i for s, e in c.hits for i in range(s, e))


def _scores(content: str, choices: list[str]) -> list[float]:
    """Claim-to-phrasing similarity: mostly "does the claim contain the phrasing's words"
    (token_set), a little "are they the same sentence" (token_sort). Both run batched in C.
    Never partial_token_set_ratio: it scores 100 whenever one token is shared."""
    if len(choices) <= CDIST_ABOVE:  # the common case after gating: no numpy import
        # process.extract prepares the claim once per scorer, not once per phrasing
        tset, tsort = [0.0] * len(choices), [0.0] * len(choices)
        for _, score, k in process.extract(content, choices, scorer=fuzz.token_set_ratio, limit=None):
            tset[k] = score
        for _, score, k in process.extract(content, choices, scorer=fuzz.token_sort_ratio, limit=None):
            tsort[k] = score
        return [0.7 * a + 0.3 * b for a, b in zip(tset, tsort)]
    tset = process.cdist([content], choices, scorer=fuzz.token_set_ratio, workers=1)[0]
    tsort = process.cdist([content], choices, scorer=fuzz.token_sort_ratio, workers=1)[0]
    return [0.7 * float(a) + 0.3 * float(b) for a, b in zip(tset, tsort)]
