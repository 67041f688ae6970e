"""Numbers with their comparison words: "more than 400", "about 60", "only 100", "three".

Numbers inside dates, model names ("VX-880", "Cas9"), ordinals of stages ("phase 2",
"type 1 diabetes") and legal citations ("Order No. 818") are not counts and are skipped.
Each number keeps the text around it, so a quantity assertion can pick the number that
counts what it counts ("400 cell and gene therapy products" vs "100 stem cell products").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from stemcheck.lookahead import first_chars

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a hundred": 100, "one hundred": 100, "a dozen": 12, "dozen": 12,
    "a single": 1, "single": 1,
}
_SCALE = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_CURRENCIES = ("$", "¥", "€", "£", "us$", "rmb", "cny")
_NUM = re.compile(
    first_chars(_CURRENCIES, digits=True) + r"(?<![\w.\-/])(?P<cur>[$¥€£]|us\$|rmb\s?|cny\s?)?(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<plus>\s?\+)?(?:\s?(?P<scale>hundred|thousand|million|billion))?(?P<pct>\s?(?:%|percent|per cent))?(?![\w])",
    re.I,
)
_WORDNUM = re.compile(
    r"\b" + first_chars(_WORDS) + r"(?P<num>"
    + "|".join(sorted(map(re.escape, _WORDS), key=len, reverse=True))
    + r")\b",
    re.I,
)
# words that make the number after them a label, not a count ("phase 2", "Order No. 818")
_NOT_A_COUNT = (
    "phase", "type", "grade", "category", "class", "level", "stage", "no.", "number", "order", "article", "covid-",
    "section", "tier", "version", "day", "week", "month", "year", "aged",
)
_COMPARATORS = [
    ("more than", "gt"), ("over", "gt"), ("above", "gt"), ("exceeding", "gt"), ("in excess of", "gt"),
    ("upwards of", "gt"), ("greater than", "gt"), ("at least", "ge"), ("no fewer than", "ge"), ("no less than", "ge"),
    ("a minimum of", "ge"), ("fewer than", "lt"), ("less than", "lt"), ("under", "lt"), ("below", "lt"),
    ("up to", "le"), ("at most", "le"), ("no more than", "le"), ("a maximum of", "le"), ("about", "approx"),
    ("approximately", "approx"), ("around", "approx"), ("roughly", "approx"), ("nearly", "approx"),
    ("almost", "approx"), ("some", "approx"), ("close to", "approx"), ("an estimated", "approx"),
    ("estimated", "approx"), ("~", "approx"), ("only", "exact"), ("just", "exact"), ("exactly", "exact"),
    ("precisely", "exact"), ("a total of", "exact"), ("total of", "exact"),
]
_COMPARATOR_ENDINGS = tuple(words for words, _ in _COMPARATORS)
MAX_NUMBERS = 50  # a claim with thousands of numbers is judged on its first fifty


@dataclass(frozen=True)
class Number:
    """A number found in a claim, with its comparator ("more than"), unit and the words around it."""

    value: float
    comparator: str  # gt ge lt le approx exact
    unit: str | None  # percent | currency | None
    start: int
    end: int
    after: str  # text following the number (what it counts)
    before: str


def find_numbers(text: str, exclude: list[tuple[int, int]] | None = None) -> list[Number]:
    exclude = exclude or []
    out: list[Number] = []
    hits: list[tuple[int, int, float, str | None, bool]] = []
    for m in _NUM.finditer(text):
        raw = m.group("num").replace(",", "")
        try:
            v = float(raw)
        except ValueError:
            continue
        if m.group("scale"):
            v *= _SCALE[m.group("scale").lower()]
        unit = "percent" if m.group("pct") else ("currency" if m.group("cur") else None)
        hits.append((m.start("num") if not m.group("cur") else m.start(), m.end(), v, unit, bool(m.group("plus"))))
    for m in _WORDNUM.finditer(text):
        v = float(_WORDS[m.group("num").lower()])
        tail = text[m.end() : m.end() + 12].lower()
        for word, scale in _SCALE.items():
            if tail.lstrip().startswith(word):
                v *= scale
        hits.append((m.start(), m.end(), v, None, False))
    hits.sort()
    for s, e, v, unit, plus in hits:
        if any(a <= s < b for a, b in exclude):
            continue
        head = text[max(0, s - 24) : s]
        if head.rstrip().lower().endswith(_NOT_A_COUNT):
            continue
        comp = "ge" if plus else _comparator(head)
        out.append(Number(v, comp, unit, s, e, text[e : e + 80], text[max(0, s - 40) : s]))
        if len(out) >= MAX_NUMBERS:
            break
    return out


def _comparator(head: str) -> str:
    h = head.lower().rstrip()
    if not h.endswith(_COMPARATOR_ENDINGS):  # most numbers have no comparison word
        return "exact"
    for words, comp in _COMPARATORS:
        if h.endswith(words) and (len(h) == len(words) or not h[-len(words) - 1].isalnum()):
            return comp
    return "exact"


def agrees(claim: Number, value: float, bound: str, tolerance: float) -> bool:
    """Does the claim's number fit a known value (which may itself be a bound)?"""
    n, c = claim.value, claim.comparator
    tol = max(tolerance, 0.15) if c == "approx" else tolerance
    lo, hi = value * (1 - tol), value * (1 + tol)
    if bound == "at-least":  # the source says "over/at least value"
        if c in ("gt", "ge"):
            return n <= value * (1 + tol)
        if c in ("lt", "le"):
            return False
        return n >= lo
    if bound == "at-most":
        if c in ("lt", "le"):
            return n >= value * (1 - tol)
        if c in ("gt", "ge"):
            return False
        return n <= hi
    if c == "gt":
        return value > n or (tol > 0 and value >= n * (1 - tol) and value > n * 0.9)
    if c == "ge":
        return value >= n * (1 - tol)
    if c == "lt":
        return value < n
    if c == "le":
        return value <= n * (1 + tol)
    return lo <= n <= hi
