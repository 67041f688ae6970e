"""Hedges and predictions: "may help", "is expected to", "will".

A hedged or forward-looking claim asserts a possibility, which no timeline can refute; the
verdict logic uses these cues to abstain rather than call a possibility false.
"""

from __future__ import annotations

from collections.abc import Sequence

from stemcheck.engine.text import Token

HEDGES = frozenset(
    "may might could possibly potentially potential promising promise hope hopes hoped hoping perhaps "
    "likely unlikely suggest suggests suggested appears appear seem seems aim aims".split()
)
FUTURE = frozenset("will expected poised going anticipated forecast projected".split())


def find_hedges(tokens: Sequence[Token]) -> list[str]:
    """Cue names found: 'hedge' and/or 'future', each at most once."""
    words = {t.text for t in tokens}
    cues = []
    if words & HEDGES:
        cues.append("hedge")
    if words & FUTURE:
        cues.append("future")
    return cues
