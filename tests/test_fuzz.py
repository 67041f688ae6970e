"""Property tests: nothing a user can paste makes stemcheck raise, hang or misalign output.

Budgets are small (a few dozen examples per property) so the whole file runs in seconds
in CI; `STEMCHECK_FUZZ_SCALE=N` multiplies every budget for a long run (README,
"Robustness"). The pathological inputs (a 100 KB line, thousands of numbers) are fixed
cases with a time bound.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scan_helpers import FUZZ_SCALE

from stemcheck.documents.segment import segment
from stemcheck.engine.hedge import debunks, find_hedges
from stemcheck.engine.negation import find_negations
from stemcheck.engine.numbers import agrees, find_numbers
from stemcheck.engine.text import Normaliser, clean, stem
from stemcheck.engine.timeref import date_spans, find_anchors
from stemcheck.model import Alias, Jurisdiction, Result, Verdict

FAST = settings(max_examples=60 * FUZZ_SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=8 * FUZZ_SCALE, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

# characters that break naive text handling
SPECIALS = [
    "\x00", "\x01", "\x07", "\x1b", "\x7f", "\t", "\r", "\n", "\x0b", "\x0c", "\x85",
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",  # zero-width and soft hyphen
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069",  # bidi
    "\u0301", "\u0308", "\u20dd", "\u0488",  # combining marks
    "\U0001f600", "\U0001f9ec", "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\u2764\ufe0f", "\U0001f1e8\U0001f1f3",  # emoji
    "\u2028", "\u2029", "\u3000", "\u00a0", "\uff0c", "\u3002", "\u2019", "\u201c", "\u2014",
    "\ufdd0", "\uffff", "\U0010ffff", "\ud7ff", "ß", "İ", "ﬁ", "Å", "ǅ",
]
WORDS = [
    "China", "China's", "NMPA", "FDA", "US", "us", "stem", "cell", "cells", "stem-cell", "drug", "drugs", "approved", "approval",
    "not", "never", "no", "yet", "to", "has", "have", "may", "will", "could", "cure", "cures", "everything", "panacea",
    "as", "of", "in", "by", "since", "before", "2017", "2023", "2024", "2025", "January", "May", "2025-01-02", "2025年1月2日",
    "more", "than", "about", "only", "over", "400", "56", "¥36,000", "74%", "phase", "2", "VX-880", "type", "1", "diabetes",
    "国家药监局", "干细胞", "批准", "艾米迈托赛", "amimestrocel", "Ruibosheng", "MSC", "CAR-T", "trial", "trials", "clinical",
    "Hainan", "Boao", "knee", "osteoarthritis", "aging", "reverses", "side", "effects", ",", ".", ":", ";", "?", "!", "(", ")",
    "\"", "'", "-", "—", "#", "*", "`", "<b>", "</b>", "<!--", "-->", "[", "](", "http://x.y", "\n", "\n\n",
]

any_char_text = st.lists(st.one_of(st.characters(codec="utf-8"), st.sampled_from(SPECIALS)), max_size=300).map("".join)
word_salad = st.lists(
    st.one_of(st.sampled_from(WORDS), st.sampled_from(SPECIALS), st.text(max_size=4)),
    max_size=40,
).map(" ".join)
texts = st.one_of(any_char_text, word_salad)
markupish = st.lists(
    st.one_of(
        st.sampled_from(WORDS),
        st.sampled_from(["```", "~~~", "---", "<script>", "</script>", "<style>", "<pre>", "</pre>", "<p>", "</p>", "<a href='x'>", "</a>",
                         "&amp;", "&#x0;", "&#99999999;", "<![CDATA[", "]]>", "<!DOCTYPE", "<?xml", "<!--", "-->", "> ", "- ", "1. ",
                         "| a | b |", "|---|", "[x]: http://y", "![i](u)", "<http://z>", "\\", "    ", "\t", "  \n"]),
        st.sampled_from(SPECIALS),
    ),
    max_size=60,
).map("".join)
dates = st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2040, 12, 31))


# --------------------------------------------------------------------------- segmenters


@FAST
@given(text=st.one_of(texts, markupish), kind=st.sampled_from(["markdown", "html", "text"]))
def test_segment_never_raises_and_offsets_in_bounds(text, kind):
    doc = segment(text, kind)
    for s in doc.sentences:
        assert 0 <= s.start < s.end <= len(text), (s, len(text))
        assert s.text.strip()
    for c in doc.comments:
        assert 0 <= c.start <= c.end <= len(text)


PATHOLOGICAL_DOCS = {
    "sentences": "China approved a stem cell drug. " * 3000,  # ~100 KB, many sentences
    "word": "x" * 100_000,  # one huge word
    "brackets": "[" * 20_000 + "]" * 20_000,
    "divs": "<div>" * 5000 + "</div>" * 5000,
    "quotes": "> " * 5000 + "quote",
    "stars": "*" * 20_000,
    "fences": "```\n" * 2000,
    "comments": "<!--" * 5000,
    "list": "1. " * 10_000,
}
# In Markdown these become one long line of blanked characters (an HTML block, a thematic
# break, a comment): see test_markdown_long_blank_run_is_fast below.
_BLANK_RUN_IN_MARKDOWN = {"divs", "stars", "comments"}


@pytest.mark.parametrize(
    ("name", "kind"),
    [(n, k) for n in PATHOLOGICAL_DOCS for k in ("markdown", "html", "text") if not (k == "markdown" and n in _BLANK_RUN_IN_MARKDOWN)],
)
def test_segment_pathological(name, kind):
    text = PATHOLOGICAL_DOCS[name]
    t0 = time.perf_counter()
    doc = segment(text, kind)
    assert time.perf_counter() - t0 < 2.0
    for s in doc.sentences:
        assert 0 <= s.start < s.end <= len(text)


@pytest.mark.parametrize(
    "text",
    ["<table>" + "<tr><td>1</td></tr>" * 5_000 + "</table>", "*" * 100_000, "a" + " " * 100_000 + "b."],
    ids=["html-block", "thematic-break", "spaces"],
)
def test_markdown_long_blank_run_is_fast(text):
    t0 = time.perf_counter()
    segment(text, "markdown")
    # a masked block is one long run of blanks; a mask regex that re-scans the run from each
    # of its characters is quadratic (minutes on 100 KB); linear work takes milliseconds
    assert time.perf_counter() - t0 < 1.0


# --------------------------------------------------------------------------- readers

PLAIN = Normaliser([])


@FAST
@given(text=texts, as_of=dates)
def test_readers_never_raise(text, as_of):
    cleaned = clean(text)
    norm = PLAIN.normalise(text)
    words = norm.texts
    for i, cue in find_negations(words):
        assert 0 <= i < len(words) and isinstance(cue, str)
    assert set(find_hedges(words)) <= {"hedge", "future"}
    assert debunks(words) in (True, False)
    for a in find_anchors(cleaned, as_of):
        assert a.start <= a.end
        assert isinstance(a.judge_date, dt.date)
    spans = date_spans(cleaned, as_of)
    nums = find_numbers(cleaned, spans)
    assert len(nums) <= 50
    for n in nums:
        assert 0 <= n.start < n.end <= len(cleaned)
        for bound in ("exact", "at-least", "at-most"):
            assert agrees(n, 56.0, bound, 0.1) in (True, False)
    for t in norm.tokens:
        assert t.stem == stem(t.text) or not t.word or t.alias
    assert norm.stems == tuple(t.stem for t in norm.tokens if t.word)


@FAST
@given(word=st.text(max_size=30))
def test_stem_total(word):
    s = stem(word)
    assert isinstance(s, str)
    assert stem(word) == s


_ALIASED = Normaliser(
    [
        Alias(canonical="united states", kind="country", jurisdiction=Jurisdiction.US, variants=("US", "U.S.", "America")),
        Alias(canonical="nmpa", kind="regulator", jurisdiction=Jurisdiction.CN, variants=("National Medical Products Administration", "China FDA")),
        Alias(canonical="china", kind="country", jurisdiction=Jurisdiction.CN, variants=("Chinese",)),
    ]
)
_CASED_WORDS = st.sampled_from(
    ["US", "us", "Us", "U.S.", "u.s.", "America", "china", "CHINA", "Chinese", "FDA", "fda", "National", "medical", "PRODUCTS",
     "Administration", "The", "approved", "stem", "cell", "isn't", "China's", "3.5", ",", "-"]
)


@FAST
@given(words=st.lists(_CASED_WORDS, max_size=14))
def test_ascii_normalising_agrees_with_the_general_path(words):
    """ASCII text is lowercased whole and its tokens as written are read only when an
    acronym could open an alias; any other text is lowercased token by token. A trailing
    non-ASCII token sends the same words down the general path: both must read them alike."""
    text = " ".join(words)
    fast, general = _ALIASED.normalise(text), _ALIASED.normalise(text + " \u00e9")
    assert general.texts[-1] == "\u00e9"
    assert fast.texts == general.texts[:-1]
    assert fast.stems == general.stems[:-1]
    assert fast.word_at == general.word_at[:-1]
    assert (fast.jurisdictions, fast.entities, fast.alias_at) == (general.jurisdictions, general.entities, general.alias_at)


_IDEOGRAPH_EDGES = st.sampled_from(["\u33ff", "\u3400", "\u4dbf", "\u4dc0", "\u4dff", "\u4e00", "\u9fff", "\ua000", "\uf8ff", "\uf900", "\ufaff", "\ufb00", "中", "文", "“", "é"])


@FAST
@given(text=st.lists(st.one_of(st.characters(), _IDEOGRAPH_EDGES), max_size=20).map("".join))
def test_cjk_prechecks_agree_with_the_patterns(text):
    """has_cjk and _cjk_count rule text out by its maximum code point before compiling their
    pattern; they must answer as the pattern alone does, at the edges of the ranges too."""
    import re

    from stemcheck.documents.spotting import _cjk_count
    from stemcheck.engine.text import has_cjk

    assert has_cjk(text) == bool(re.search(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]", text))
    assert _cjk_count(text) == len(re.findall(r"[\u4e00-\u9fff]", text))


# --------------------------------------------------------------------------- the checker


@pytest.fixture(scope="module")
def checker():
    from stemcheck.api import load_checker

    return load_checker()


def assert_valid(result: Result, claim: str, as_of: dt.date) -> None:
    assert isinstance(result, Result)
    assert isinstance(result.verdict, Verdict)
    assert 0.0 <= result.confidence <= 1.0
    assert result.judged_at <= as_of
    assert result.claim == claim.strip()
    if result.verdict is Verdict.UNVERIFIED:
        assert result.assertion is None
    else:
        assert result.assertion is not None and result.sources
    json.dumps(result.to_json(), ensure_ascii=False)


@settings(max_examples=60 * FUZZ_SCALE, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(claim=texts, as_of=dates)
def test_checker_returns_valid_result(checker, claim, as_of):
    t0 = time.perf_counter()
    result = checker.check(claim, as_of)
    elapsed = time.perf_counter() - t0
    assert_valid(result, claim, as_of)
    assert elapsed < 1.0, (elapsed, claim[:200])


SALAD = "China has not approved 56 stem cell drugs for clinical trials since 2017; NMPA 国家药监局 cure everything. "
PATHOLOGICAL = {
    "100kb-line": (SALAD * (100_000 // len(SALAD) + 1))[:100_000],
    "thousands-of-numbers": "China has approved " + " ".join(str(i) for i in range(5000)) + " stem cell drugs for clinical trials.",
    "thousands-of-dates": "As of 2024 " + " ".join(f"in January {1990 + i % 50}" for i in range(3000)) + " China approved a stem cell drug.",
    "comma-numbers": "China has " + ",".join("1" * 3 for _ in range(20_000)) + " stem cell trials.",
    "one-huge-number": "China approved " + "9" * 50_000 + " stem cell drugs.",
    "long-word": "stem" * 25_000,
    "zero-width": "China\u200b has\u200d never\u2060 approved\ufeff a stem cell drug." * 1000,
    "combining": "China" + "\u0301" * 50_000 + " approved a stem cell drug.",
    "cjk": "国家药监局批准干细胞药物" * 8000,
    "negations": "not " * 25_000 + "China approved a stem cell drug.",
    "punctuation": ".,;:!?" * 16_000,
    "emoji": "\U0001f9ec" * 50_000,
}


@pytest.mark.parametrize("name", list(PATHOLOGICAL))
def test_checker_pathological(checker, name):
    claim = PATHOLOGICAL[name]
    as_of = dt.date(2026, 11, 22)
    t0 = time.perf_counter()
    result = checker.check(claim, as_of)
    elapsed = time.perf_counter() - t0
    assert_valid(result, claim, as_of)
    assert elapsed < 2.0, elapsed
    if len(claim.strip()) > 4000:
        assert "truncated" in result.cues


# --------------------------------------------------------------------------- the CLI

# str.splitlines() splits on these as well as on "\n"; a claims file is split with it, so a
# line containing one gives more than one result (see test_cli.py's strict xfail)
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
line_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters=_LINE_BREAKS + "\x00"),
    max_size=120,
) | st.lists(st.sampled_from([w for w in WORDS if not set(w) & set(_LINE_BREAKS)]), max_size=20).map(" ".join)


@SLOW
@given(lines=st.lists(line_text, min_size=1, max_size=25))
def test_cli_from_file_one_json_line_per_input_line(tmp_path_factory, lines):
    path = tmp_path_factory.mktemp("claims") / "claims.txt"
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "STEMCHECK_DEBUG")}
    cp = subprocess.run(
        [sys.executable, "-m", "stemcheck", "check", "--from-file", str(path), "--format", "jsonl", "--as-of", "2026-11-22"],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert cp.returncode == 0, cp.stderr.decode("utf-8", "replace")
    assert cp.stderr == b""
    out = cp.stdout.decode("utf-8")
    assert out.endswith("\n")
    rows = out.split("\n")[:-1]
    assert len(rows) == len(lines)
    for line, row in zip(lines, rows):
        obj = json.loads(row)
        assert obj["claim"] == line.strip()
        assert 0.0 <= obj["confidence"] <= 1.0
