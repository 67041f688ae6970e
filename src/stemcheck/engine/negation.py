"""Polarity: does the claim say the statement is false?

A fuzzy score cannot tell "approved" from "not approved", so negation is read separately,
on the token stream, with a few scoping rules that matter in practice:
* a negation word inside one of the assertion's own terms ("no side effects") is part of
  what the claim asserts, not a denial of it — the caller passes those spans as `ignore`;
* fixed expressions that do not negate ("not only", "no doubt") are skipped;
* an interjection ("The answer is no:") negates nothing.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from itertools import compress


SINGLE = {
    "not": "negation", "no": "negation", "never": "never", "none": "negation", "neither": "negation",
    "nor": "negation", "without": "negation", "nobody": "negation", "nothing": "negation", "nowhere": "negation",
    "lack": "negation", "lacks": "negation", "lacking": "negation", "unapproved": "negation",
    "unlicensed": "negation", "unauthorised": "negation", "unauthorized": "negation", "unproven": "negation",
    "unregistered": "negation", "non-approved": "negation", "not-approved": "negation", "nonexistent": "negation",
    # verbs that deny a permission: "China banned charging patients" = patients may not be charged
    "ban": "prohibition", "bans": "prohibition", "banned": "prohibition", "banning": "prohibition",
    "prohibit": "prohibition", "prohibits": "prohibition", "prohibited": "prohibition", "prohibiting": "prohibition",
    "forbid": "prohibition", "forbids": "prohibition", "forbade": "prohibition", "forbidden": "prohibition",
    "outlaw": "prohibition", "outlawed": "prohibition", "barred": "prohibition",
}
CUE_WORDS = frozenset(SINGLE) | {"yet", "longer", "fail", "fails", "failed"}
# (words, cue); matched on lowercase surface tokens
MULTI = [
    (("no", "longer"), "no-longer"),
    (("non", "approved"), "negation"),
    (("non", "licensed"), "negation"),
    (("not", "yet"), "negation"),
    (("yet", "to"), "negation"),
    (("has", "yet"), "negation"),
    (("have", "yet"), "negation"),
    (("is", "yet"), "negation"),
    (("fail", "to"), "negation"),
    (("fails", "to"), "negation"),
    (("failed", "to"), "negation"),
]
NOT_NEGATING = [("not", "only"), ("not", "just"), ("no", "doubt"), ("no", "wonder"), ("whether", "or", "not"), ("if", "not")]
_INTERJECTION_FOLLOWERS = {":", ".", ",", "!", ";", "-"}
# Determiners negate the noun phrase they open, not the sentence: "reverses aging with no
# side effects and no pain" still claims that it reverses aging.
DETERMINERS = frozenset({"no", "without"})
# ... unless the phrase is about the evidence: "there is no evidence that stem cells cure autism"
EPISTEMIC = frozenset(
    "evidence proof proofs data basis study studies research trial trials scientific clinical reliable credible "
    "peer approved approval licence license".split()
)
SCOPE_WORDS = 4  # how many words after a determiner its noun phrase is taken to span


_FIRSTS = frozenset(SINGLE) | {p[0] for p, _ in MULTI} | {p[0] for p in NOT_NEGATING}


def find_negations(words: Sequence[str], ignore: set[int] | None = None) -> list[tuple[int, str]]:
    """Positions and cue names of negations in `words` (token texts), skipping indices in `ignore`."""
    skip: set[int] = set(ignore or ())
    # only positions holding a cue word or the first word of a phrase can start anything
    idx = list(compress(range(len(words)), map(_FIRSTS.__contains__, words)))  # tested in C
    if not idx:
        return []
    present = {words[i] for i in idx}  # a phrase whose first word is absent is not tried
    for phrase in NOT_NEGATING:
        if phrase[0] not in present:
            continue
        k = len(phrase)
        for i in idx:
            if words[i] == phrase[0] and tuple(words[i : i + k]) == phrase:
                skip.update(range(i, i + k))
    out: list[tuple[int, str]] = []
    used: set[int] = set()
    for phrase, cue in MULTI:  # in this order: it decides which of two overlapping phrases counts
        if phrase[0] not in present:
            continue
        k = len(phrase)
        for i in idx:
            if words[i] != phrase[0] or tuple(words[i : i + k]) != phrase:
                continue
            span = set(range(i, i + k))
            # "has yet to" is one negation, not two ("has yet" + "yet to")
            if not (skip & span) and not (used & span):
                out.append((i, cue))
                used.update(span)
    for i in idx:
        w = words[i]
        if i in skip or i in used or w not in SINGLE:
            continue
        if w == "no" and i + 1 < len(words) and words[i + 1] in _INTERJECTION_FOLLOWERS:
            continue
        out.append((i, SINGLE[w]))
    out.sort()
    return out


_EXISTENTIAL = frozenset("there is are was were has have had been still currently today now so far to date".split())


def denies_terms(
    words: Sequence[str], i: int, cue: str, word_at: Sequence[int], hit_words: set[int], clause_of: Sequence[int]
) -> bool:
    """Does the negation at token `i` deny what the claim's terms say? Verbal negations ("not",
    "never", "banned") do. A determiner ("no", "without") does when it opens the clause's
    subject ("No company holds ...", "There is no ..."), when the noun phrase it opens holds
    one of the terms (word positions `hit_words`), or when that phrase speaks of the evidence;
    "reverses aging with no side effects" still claims that it reverses aging."""
    if cue != "negation" or words[i] not in DETERMINERS:  # "no longer" is a verbal negation
        return True
    j = i - 1
    while j >= 0 and clause_of[j] == clause_of[i] and words[j] in _EXISTENTIAL:
        j -= 1
    if j < 0 or clause_of[j] != clause_of[i]:
        return True  # nothing but "there is" before it in its clause: the subject is negated
    k = bisect.bisect_right(word_at, i)  # the first word after the determiner
    for w in range(k, min(k + SCOPE_WORDS, len(word_at))):
        if w in hit_words or words[word_at[w]] in EPISTEMIC:
            return True
    return False
