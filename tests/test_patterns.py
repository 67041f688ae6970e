"""Patterns rewritten for speed match exactly what their plain forms matched.

sre skips ahead in C only when a pattern starts with a literal or a consuming character
class; patterns that start with a lookahead, a lookbehind or a branch are tried at every
character. The rewritten forms are held here to the plain ones, exhaustively over short
strings of the characters that matter."""

from __future__ import annotations

import itertools
import re

from stemcheck.documents.segment import _END


def spans(rx: re.Pattern, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in rx.finditer(text)]


def test_sentence_ends_match_the_plain_pattern_on_every_short_string():
    plain = re.compile(r"(?:[.!?]+[\"'”’)\]]*(?=\s)|[。！？]+[”’」』)]*)")
    alphabet = [".", "!", "?", "。", "？", '"', "’", ")", "」", " ", "\n", "a"]
    checked = 0
    for k in range(1, 5):
        for chars in itertools.product(alphabet, repeat=k):
            text = "".join(chars)
            assert spans(_END, text) == spans(plain, text), repr(text)
            checked += 1
    assert checked > 20_000


def test_sentence_ends_in_prose():
    text = 'He said "No." Then: really?! (Yes.) 3.5 is U.S. data… 它批准了。然后！ End'
    plain = re.compile(r"(?:[.!?]+[\"'”’)\]]*(?=\s)|[。！？]+[”’」』)]*)")
    assert spans(_END, text) == spans(plain, text)
    assert [text[s:e] for s, e in spans(_END, text)] == ['."', "?!", ".)", ".", "。", "！"]
