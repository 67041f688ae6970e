"""Hedges and predictions: "may help", "is expected to", "will".

A hedged or forward-looking claim asserts a possibility, which no timeline can refute; the
verdict logic uses these cues to abstain rather than call a possibility false.
"""

from __future__ import annotations

from collections.abc import Sequence

HEDGES = frozenset(
    "may might could possibly potentially potential promising promise hope hopes hoped hoping perhaps "
    "likely unlikely suggest suggests suggested appears appear seem seems aim aims".split()
)
FUTURE = frozenset("will expected poised going anticipated forecast projected".split())


_MONTH_CONTEXT = frozenset("in by since until till on of early late mid end from before after through".split())


def find_hedges(words: Sequence[str]) -> list[str]:
    """Cue names found in `words` (token texts): 'hedge' and/or 'future', each at most once.
    "May" the month ("by May 2025", "May 4") is not a hedge."""
    present = set(words)
    if "may" in present:
        n = len(words)
        if all(
            (i and words[i - 1] in _MONTH_CONTEXT) or (i + 1 < n and words[i + 1][:1].isdigit())
            for i, w in enumerate(words)
            if w == "may"
        ):
            present.discard("may")
    cues = []
    if not present.isdisjoint(HEDGES):
        cues.append("hedge")
    if not present.isdisjoint(FUTURE):
        cues.append("future")
    return cues


# Words that frame a hype claim as something to beware of: "the NHC warned that 'cures
# everything' claims are scams" reports a red flag, it does not make one.
DEBUNK = frozenset(
    "warn warns warned warning warnings scam scams fraud fraudulent frauds beware misleading deceptive deceptively "
    "bogus false falsely illegal illegally unfounded debunk debunked caution cautions cautioned cautioning lure lured "
    "luring lures hype hyped exaggerated exaggerate rumor rumors rumour rumours myth myths vague deified".split()
)


def debunks(words: Sequence[str]) -> bool:
    return not DEBUNK.isdisjoint(words)
