"""Claim spotting: which sentences make a checkable claim.

A document scan reports only sentences that assert something about the domain. Headings,
questions, calls to action and fragments stay silent; whether a sentence is about the
domain at all is the checker's call (it knows the knowledge base's vocabulary).
"""

from __future__ import annotations

import functools
import re

# Sentences that open with one of these verbs address the reader: calls to action, not claims.
IMPERATIVES = frozenset(
    "contact call book visit click learn discover find imagine join sign subscribe ask read see get schedule request "
    "apply email register download follow share let lets let's please try consider explore check talk reach start "
    "enquire inquire submit fill choose don't dont do watch listen remember note".split()
)
MIN_WORDS = 4


@functools.cache
def _cjk_pattern() -> re.Pattern:
    """Compiled on first use: sre fills a table per code point of the range, 2 ms at every
    start for a pattern most text never needs."""
    return re.compile(r"[\u4e00-\u9fff]")


def _cjk_count(text: str) -> int:
    """How many CJK ideographs `text` holds; the maximum code point rules most text out in C."""
    if text.isascii() or max(text) < "\u4e00":
        return 0
    return len(_cjk_pattern().findall(text))


def is_claim_shaped(text: str, heading: bool) -> bool:
    """True when the sentence could be a claim: not a heading, question, call to action or fragment."""
    if heading:
        return False
    t = text.strip()
    if not t or t.endswith(("?", "？")) or t.rstrip("\"'”)").endswith("?"):
        return False
    words = t.split()
    if len(words) < MIN_WORDS and _cjk_count(t) < 8:  # Chinese is not space-separated
        return False
    first = words[0].lower().strip("\"'“‘(*[").rstrip(",:")
    if first in IMPERATIVES:
        return False
    return True
