"""Patterns rewritten for speed match exactly what their plain forms matched.

sre skips ahead in C only when a pattern starts with a literal or a consuming character
class; patterns that start with a lookahead, a lookbehind or a branch are tried at every
character; possessive quantifiers keep no backtracking state. The rewritten forms are held
here to the plain ones: exhaustively over short strings of the characters that matter, or
on awkward examples."""

from __future__ import annotations

import itertools
import re

from stemcheck.documents.segment import _END
from stemcheck.engine.text import _TOKEN

PLAIN_END = re.compile(r"(?:[.!?]+[\"'”’)\]]*(?=\s)|[。！？]+[”’」』)]*)")


def spans(rx: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def test_sentence_ends_match_the_plain_pattern_on_every_short_string():
    alphabet = [".", "!", "?", "。", "？", '"', "’", ")", "」", " ", "\n", "a"]
    checked = 0
    for k in range(1, 5):
        for chars in itertools.product(alphabet, repeat=k):
            text = "".join(chars)
            assert spans(_END, text) == spans(PLAIN_END, text), repr(text)
            checked += 1
    assert checked > 20_000


def test_sentence_ends_in_prose():
    text = 'He said "No." Then: really?! (Yes.) 3.5 is U.S. data… 它批准了。然后！ End'
    assert spans(_END, text) == spans(PLAIN_END, text)
    assert [text[s:e] for s, e in spans(_END, text)] == ['."', "?!", ".)", ".", "。", "！"]


def test_the_token_pattern_gives_the_tokens_of_its_plain_greedy_form():
    """The possessive quantifiers in _TOKEN change no token: each branch takes the longest run
    it allows, as the plain greedy pattern does."""
    greedy = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:['.&][A-Za-z0-9]+)*|\d+(?:[.,]\d+)*|[^\sA-Za-z0-9]")
    for text in (
        "U.S. FDA-approved AT&T's e.g. i.e.. 3.14.15 1,000,000.50. 12ab ab12cd x' 'y a.b.c. 2025-01-02",
        "Ryoncil (remestemcel-L) costs $1.55m; ¥158,000 — about 9% of it… 国家药监局 ２０２５",
        "end.", "..", "a", "", "1.", "1,", "a&", "&a", "O'Neill's",
    ):
        assert _TOKEN.findall(text) == greedy.findall(text), text
