"""Unit tests for the readers in stemcheck.engine: negation, hedges, time anchors, numbers
and text normalisation. Each reader is a pure function of its input, tested without any
knowledge base (an empty alias table, or a two-alias table built here)."""

from __future__ import annotations

import datetime as dt

import pytest

from stemcheck.engine.hedge import debunks, find_hedges
from stemcheck.engine.negation import find_negations
from stemcheck.engine.numbers import Number, agrees, find_numbers
from stemcheck.engine.text import Normaliser, clean, prepare, stem
from stemcheck.engine.timeref import date_spans, find_anchors
from stemcheck.model import Alias, Jurisdiction

PLAIN = Normaliser([])
AS_OF = dt.date(2026, 11, 22)
D = dt.date


def toks(text: str) -> tuple[str, ...]:
    """The token texts the readers work on."""
    return PLAIN.normalise(text).texts


def negs(text: str) -> list[tuple[str, str]]:
    """(surface word, cue) for every negation found in `text`."""
    tokens = toks(text)
    return [(tokens[i], cue) for i, cue in find_negations(tokens)]


def cues(text: str) -> set[str]:
    return {cue for _, cue in negs(text)}


# --------------------------------------------------------------------------- negation


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        ("China has not approved any stem cell drug.", "negation"),
        ("China hasn't approved any stem cell drug.", "negation"),
        ("The NMPA cannot approve it.", "negation"),
        ("China has never approved a stem cell drug.", "never"),
        ("No stem cell drug is approved in China.", "negation"),
        ("China is yet to approve a stem cell drug.", "negation"),
        ("China has yet to approve a stem cell drug.", "negation"),
        ("Regulators have yet to approve it.", "negation"),
        ("It is not yet approved.", "negation"),
        ("The clinic sells unapproved stem cell products.", "negation"),
        ("The therapy is no longer approved.", "no-longer"),
        ("China will ban stem cell clinics.", "prohibition"),
        ("The NHC banned charging patients.", "prohibition"),
        ("Beauty salons are prohibited from offering stem cell therapy.", "prohibition"),
        ("The company failed to win approval.", "negation"),
        ("None of the products is approved.", "negation"),
    ],
)
def test_negation_cues(text, cue):
    found = cues(text)
    assert cue in found, negs(text)


@pytest.mark.parametrize(
    "text",
    [
        "China has approved a stem cell drug.",
        "Not only China but also Japan has approved stem cell drugs.",
        "The answer is no: China approved a stem cell drug in 2025.",
        "The answer is no. China approved a stem cell drug in 2025.",
        "There is no doubt that China approved a stem cell drug.",
        "It was approved, whether or not doctors agreed.",
        "Another company is notable for its stem cell work.",  # "notable" is not "not"
        "Knowledge of stem cells grew.",  # "know" is not "no"
    ],
)
def test_not_negating(text):
    assert negs(text) == []


def test_has_yet_to_is_one_negation():
    # "has yet" and "yet to" overlap: the claim contains one negation, not two
    assert len(negs("China has yet to approve a stem cell drug.")) == 1


def test_negation_positions_point_at_tokens():
    tokens = toks("China has not approved it and never will.")
    found = find_negations(tokens)
    assert [tokens[i] for i, _ in found] == ["not", "never"]
    assert [i for i, _ in found] == sorted(i for i, _ in found)


def test_negation_ignore_skips_positions():
    tokens = toks("Stem cell therapy has no side effects.")
    (pos, cue), = find_negations(tokens)
    assert tokens[pos] == "no" and cue == "negation"
    # a negation inside an assertion's own term ("no side effects") is passed as `ignore`
    assert find_negations(tokens, ignore={pos}) == []


def test_negation_on_empty_and_punctuation():
    assert find_negations(()) == []
    assert find_negations(toks("no")) == [(0, "negation")]
    assert find_negations(toks("... !!! ---")) == []


# --------------------------------------------------------------------------- hedges


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Stem cells may help heart failure patients.", ["hedge"]),
        ("The therapy could cure diabetes.", ["hedge"]),
        ("It might work.", ["hedge"]),
        ("The results suggest a benefit.", ["hedge"]),
        ("China will approve more stem cell drugs.", ["future"]),
        ("The drug is expected to be approved next year.", ["future"]),
        ("It may be approved and will be launched.", ["hedge", "future"]),
        ("China approved a stem cell drug.", []),
        ("By May 2025 the drug was on sale.", []),
        ("In May, the NMPA approved it.", []),
        ("May 4 saw the approval.", []),
        ("The approval came on 4 May 2025.", []),
    ],
)
def test_find_hedges(text, expected):
    assert find_hedges(toks(text)) == expected


def test_hedge_cues_reported_once():
    assert find_hedges(toks("It may, might, could and may again.")) == ["hedge"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The NHC warned that 'cure everything' claims are scams.", True),
        ("Beware of clinics that promise a cure.", True),
        ("Such claims are false and misleading.", True),
        ("Stem cells cure everything.", False),
        ("China approved a stem cell drug.", False),
    ],
)
def test_debunks(text, expected):
    assert debunks(toks(text)) is expected


# --------------------------------------------------------------------------- time anchors


def anchors(text: str, as_of: dt.date = AS_OF):
    return find_anchors(text, as_of)


def one_anchor(text: str, as_of: dt.date = AS_OF):
    found = anchors(text, as_of)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "kind", "start", "end"),
    [
        ("As of 2024, no stem cell drug was approved in China.", "as_of", D(2024, 1, 1), D(2024, 12, 31)),
        ("China approved its first stem cell drug in January 2025.", "in", D(2025, 1, 1), D(2025, 1, 31)),
        ("By November 2023, 56 stem cell drugs had entered trials.", "by", D(2023, 11, 1), D(2023, 11, 30)),
        ("Before 2025 no stem cell drug was approved.", "before", D(2025, 1, 1), D(2025, 12, 31)),
        ("Since 2017, over 120 stem cell drugs entered trials.", "since", D(2017, 1, 1), D(2017, 12, 31)),
        ("The NMPA approved it on 2025-01-02.", "on", D(2025, 1, 2), D(2025, 1, 2)),
        ("The NMPA approved it on 2 January 2025.", "on", D(2025, 1, 2), D(2025, 1, 2)),
        ("The NMPA approved it on January 2, 2025.", "on", D(2025, 1, 2), D(2025, 1, 2)),
        ("国家药监局于2025年1月2日批准", "mention", D(2025, 1, 2), D(2025, 1, 2)),
        ("2025年1月批准", "mention", D(2025, 1, 1), D(2025, 1, 31)),
        ("The 2015 Measures set the rules.", "mention", D(2015, 1, 1), D(2015, 12, 31)),
        ("Trials grew until 2020.", "until", D(2020, 1, 1), D(2020, 12, 31)),
        ("Approvals resumed after 2021.", "after", D(2021, 1, 1), D(2021, 12, 31)),
        ("It was approved in early 2024.", "in", D(2024, 1, 1), D(2024, 4, 30)),
        ("It was approved in mid-2024.", "in", D(2024, 5, 1), D(2024, 8, 31)),
        ("It was approved in late 2023.", "in", D(2023, 9, 1), D(2023, 12, 31)),
        ("As of the end of 2024, none was approved.", "as_of", D(2024, 10, 1), D(2024, 12, 31)),
        ("It was approved in Q3 2024.", "in", D(2024, 7, 1), D(2024, 9, 30)),
        ("It was approved in Sept. 2024.", "in", D(2024, 9, 1), D(2024, 9, 30)),
    ],
)
def test_find_anchors(text, kind, start, end):
    a = one_anchor(text)
    assert (a.kind, a.start, a.end) == (kind, start, end)
    assert not a.relative


def test_as_of_anchor_judges_at_end_of_period():
    a = one_anchor("As of 2024, no stem cell drug was approved.")
    assert a.judge_date == D(2024, 12, 31)
    assert a.text == "2024"
    assert not a.is_event_window


def test_before_anchor_judges_the_day_before():
    assert one_anchor("before 2025").judge_date == D(2024, 12, 31)
    assert one_anchor("before January 2025").judge_date == D(2024, 12, 31)


def test_event_window_kinds():
    assert one_anchor("in January 2025").is_event_window
    assert one_anchor("on 2025-01-02").is_event_window
    assert not one_anchor("by November 2023").is_event_window


@pytest.mark.parametrize(
    ("text", "as_of", "start", "end"),
    [
        ("At the beginning of this year, China approved it.", D(2026, 11, 22), D(2026, 1, 1), D(2026, 3, 31)),
        ("At the beginning of this year, China approved it.", D(2025, 6, 1), D(2025, 1, 1), D(2025, 3, 31)),
        ("Earlier this year the NMPA approved it.", D(2025, 6, 1), D(2025, 1, 1), D(2025, 6, 1)),
        ("Last year the NMPA approved it.", D(2026, 3, 1), D(2025, 1, 1), D(2025, 12, 31)),
        ("This year the NMPA approved it.", D(2026, 3, 1), D(2026, 1, 1), D(2026, 12, 31)),
        ("Last month the NMPA approved it.", D(2025, 1, 15), D(2024, 12, 1), D(2024, 12, 31)),
        ("Two years ago the NMPA approved it.", D(2026, 3, 1), D(2024, 1, 1), D(2024, 12, 31)),
        ("3 years ago the NMPA approved it.", D(2026, 3, 1), D(2023, 1, 1), D(2023, 12, 31)),
    ],
)
def test_relative_anchors(text, as_of, start, end):
    a = one_anchor(text, as_of)
    assert a.relative
    assert (a.start, a.end) == (start, end)


def test_relative_anchor_keeps_its_preposition():
    a = one_anchor("By the end of last year, none was approved.", D(2025, 3, 1))
    assert a.kind == "by" and a.end == D(2024, 12, 31)


@pytest.mark.parametrize(
    "text",
    [
        "2025 patients were treated.",  # a count, not a year
        "Success rate 2024%.",
        "The trial enrolled 1,200 people.",
        "Stem cells help 2030 percent",  # nonsense, still not a year
        "The product VX-880 is in phase 2.",
        "It happened on 2025-02-30.",  # no such day: not a date (and no crash)
        "",
    ],
)
def test_not_anchors(text):
    assert [a for a in anchors(text) if a.start.year in (2024, 2025, 2030)] == []


def test_anchors_in_order_and_most_specific_first():
    found = anchors("In January 2025, after the 2015 Measures, the NMPA approved it on 2 January 2025.")
    assert [a.text for a in found] == ["January 2025", "2015", "2 January 2025"]
    assert [a.kind for a in found] == ["in", "mention", "on"]


def test_date_spans_cover_dates():
    text = "As of November 9, 2023, 56 drugs; last year 70."
    spans = date_spans(text, AS_OF)
    covered = {i for s, e in spans for i in range(s, e)}
    assert text.index("2023") in covered
    assert text.index("last year") in covered
    assert text.index("56") not in covered


# --------------------------------------------------------------------------- numbers


def nums(text: str) -> list[tuple[float, str, str | None]]:
    return [(n.value, n.comparator, n.unit) for n in find_numbers(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("China has more than 400 cell and gene therapy products.", [(400, "gt", None)]),
        ("About 60 stem cell drugs are in trials.", [(60, "approx", None)]),
        ("Only 100 stem cell products are registered.", [(100, "exact", None)]),
        ("Three stem cell drugs are approved.", [(3, "exact", None)]),
        ("A single dose costs ¥36,000.", [(1, "exact", None), (36000, "exact", "currency")]),
        ("The treatment costs ¥36,000.", [(36000, "exact", "currency")]),
        ("It costs US$5,000 per dose.", [(5000, "exact", "currency")]),
        ("74% of patients responded.", [(74, "exact", "percent")]),
        ("74 percent of patients responded.", [(74, "exact", "percent")]),
        ("Over 120 stem cell drugs entered trials.", [(120, "gt", None)]),
        ("At least 5 products were approved.", [(5, "ge", None)]),
        ("Fewer than 10 products were approved.", [(10, "lt", None)]),
        ("Up to 20 products were approved.", [(20, "le", None)]),
        ("Nearly 70 trials were registered.", [(70, "approx", None)]),
        ("120+ trials were registered.", [(120, "ge", None)]),
        ("1.5 million patients were treated.", [(1_500_000, "exact", None)]),
        ("Two hundred clinics were closed.", [(200, "exact", None)]),
        ("VX-880 is in phase 2 for type 1 diabetes.", []),
        ("Order No. 818 of the State Council.", []),
        ("Approved by the NMPA on 2025-01-02.", [(2025, "exact", None)]),  # without date exclusion
    ],
)
def test_find_numbers(text, expected):
    assert nums(text) == [(float(v), c, u) for v, c, u in expected]


def test_numbers_inside_dates_are_excluded():
    text = "As of November 9, 2023, 56 stem cell drugs were in trials."
    found = find_numbers(text, date_spans(text, AS_OF))
    assert [n.value for n in found] == [56.0]
    n = found[0]
    assert text[n.start : n.end] == "56"
    assert n.after.startswith(" stem cell drugs")
    assert n.before.endswith("2023, ")


def test_number_limit():
    text = " ".join(str(i) for i in range(1, 5000))
    assert len(find_numbers(text)) == 50


def num(text: str) -> Number:
    (n,) = find_numbers(text)
    return n


@pytest.mark.parametrize(
    ("claim", "value", "bound", "tolerance", "expected"),
    [
        ("more than 400", 436, "exact", 0.0, True),
        ("more than 400", 300, "exact", 0.0, False),
        ("about 60", 56, "exact", 0.0, True),  # "about" allows at least 15 %
        ("about 60", 70, "exact", 0.0, True),
        ("about 60", 120, "exact", 0.0, False),
        ("only 100", 100, "exact", 0.0, True),
        ("only 100", 120, "exact", 0.0, False),
        ("56", 56, "exact", 0.0, True),
        ("58", 56, "exact", 0.05, True),
        ("70", 56, "exact", 0.05, False),
        ("fewer than 10", 5, "exact", 0.0, True),
        ("fewer than 10", 12, "exact", 0.0, False),
        ("at least 5", 5, "exact", 0.0, True),
        ("up to 20", 20, "exact", 0.0, True),
        ("up to 20", 30, "exact", 0.0, False),
        # the known value is itself a bound ("over 120")
        ("more than 120", 120, "at-least", 0.0, True),
        ("more than 100", 120, "at-least", 0.0, True),
        ("more than 200", 120, "at-least", 0.0, False),
        ("120", 120, "at-least", 0.0, True),
        ("100", 120, "at-least", 0.0, False),
        ("fewer than 100", 120, "at-least", 0.0, False),
        ("50", 60, "at-most", 0.0, True),
        ("fewer than 60", 60, "at-most", 0.0, True),
        ("more than 10", 60, "at-most", 0.0, False),
    ],
)
def test_agrees(claim, value, bound, tolerance, expected):
    assert agrees(num(claim), value, bound, tolerance) is expected


# --------------------------------------------------------------------------- text


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("approved", "approval"),
        ("approve", "approves"),
        ("approving", "approved"),
        ("authorized", "authorised"),
        ("cells", "cell"),
        ("therapies", "therapy"),
        ("studies", "study"),
    ],
)
def test_stem_makes_forms_meet(a, b):
    assert stem(a) == stem(b)


@pytest.mark.parametrize(("word", "expected"), [("approved", "approv"), ("cells", "cell"), ("stem", "stem"), ("msc", "msc"), ("FDA", "fda")])
def test_stem_values(word, expected):
    assert stem(word) == expected


@pytest.mark.parametrize("word", ["中国", "x-ray", "", "a", "café", "12345", "cas9"])
def test_stem_leaves_odd_words_alone(word):
    assert stem(word) == word.lower()


def test_stem_is_deterministic_and_distinguishes():
    assert stem("approved") == stem("approved")
    assert stem("approved") != stem("proved")
    assert stem("stem") != stem("cell")


def test_clean_removes_invisibles_and_normalises_punctuation():
    assert clean("ap\u200bpro\u00adved") == "approved"
    assert clean("\u201cChina\u2019s\u201d") == "\"China's\""
    assert clean("a\u2013b") == "a-b"
    assert clean("ＮＭＰＡ") == "NMPA"  # NFKC folds full-width letters
    assert clean("a\x00b\x07c") == "a b c"
    assert clean("\u202eevil\u202c") == "evil"


def test_clean_leaves_printable_ascii_alone_and_replaces_controls():
    assert clean("Plain ASCII, nothing to do.") == "Plain ASCII, nothing to do."
    assert clean("tab\there\nline") == "tab\there\nline"
    assert clean("bell\x07and\x1bescape\x7f") == "bell and escape\x7f"
    assert clean("\u201cquoted\u201d \u2014 dash") == '"quoted"  -  dash'  # an em dash is spaced: a clause break


def test_possessive_split_needs_a_letter_or_digit_before_the_quote():
    assert prepare("China's and NMPA's") == "China 's and NMPA 's"
    assert prepare("the 1990's") == "the 1990 's"
    assert prepare("'quoted' and ' s") == "'quoted' and ' s"


@pytest.mark.parametrize(
    "text",
    [
        "Approved on 2025-01-02 and again in March 2025.",
        "In early 2024 the NMPA approved it; by the end of 2025 two more.",
        "On 2 January 2025, the first; Sept. 3, 2024 the trial; mid-2023 a plan.",
        "2025年1月2日批准, 2024年3月 试验",
        "The 2019 trial enrolled 2020 patients.",
        "No date here, just 1999 and a Sept. note.",
        "MAY 2025 and DECEMBER 5, 2024 in capitals",
    ],
)
def test_date_patterns_skipped_for_a_missing_literal_find_what_all_patterns_find(text, monkeypatch):
    """read_dates runs only the patterns whose literal ("-", "年", a month name) the text
    holds; the anchors and spans are those of running every pattern."""
    import stemcheck.engine.timeref as tr

    gated = tr.read_dates(text, AS_OF)
    relative = tr._applicable(text)[0]
    monkeypatch.setattr(tr, "_applicable", lambda t: (relative, [(g, rx) for g, rx, _ in tr._PATTERNS]))
    assert tr.read_dates(text, AS_OF) == gated
    assert gated[0]


def test_prepare_expands_contractions():
    assert "has not" in prepare("China hasn't approved it")
    assert "can not" in prepare("China can't approve it")
    assert "can not" in prepare("China cannot approve it")
    assert "can not" in prepare("CHINA CANNOT APPROVE IT") and "can not" in prepare("Cannot be approved")
    assert prepare("A cannonball is not a cannot-fail product") == "A cannonball is not a can not-fail product"
    assert "will not" in prepare("China won't approve it")


def test_possessive_is_split_off():
    norm = PLAIN.normalise("China's regulator approved it")
    words = [t.text for t in norm.tokens if t.word]
    assert words[0] == "china"
    assert "china's" not in words
    assert "regulator" in words
    # curly apostrophes behave the same
    assert PLAIN.normalise("China\u2019s regulator").stems == PLAIN.normalise("China's regulator").stems == ("china", "s", "regulator")


def test_hyphen_splits_words():
    norm = PLAIN.normalise("an FDA-approved therapy")
    assert norm.stems == ("an", "fda", "approv", "therapy")
    assert [t.text for t in norm.tokens if not t.word] == ["-"]


def test_normalised_has_every_field():
    """normalise() sets the fields of its result directly, without the dataclass __init__:
    a field added to Normalised and not set there fails here (replace() reads them all)."""
    import dataclasses

    norm = PLAIN.normalise("China's regulator approved it")
    assert dataclasses.replace(norm) == norm


def test_content_drops_stopwords_and_negation():
    norm = PLAIN.normalise("China has not approved any of the stem cell drugs")
    assert norm.content() == "china approv stem cell drug"


ALIASES = [
    Alias(canonical="united states", kind="country", jurisdiction=Jurisdiction.US, variants=("US", "U.S.", "America")),
    Alias(canonical="nmpa", kind="regulator", jurisdiction=Jurisdiction.CN, variants=("National Medical Products Administration", "China FDA", "国家药监局")),
    Alias(canonical="china", kind="country", jurisdiction=Jurisdiction.CN, variants=("Chinese", "中国")),
    Alias(canonical="stem cell", kind="term", variants=("干细胞",)),
]
WITH_ALIASES = Normaliser(ALIASES)


def test_acronym_alias_is_case_sensitive():
    us = WITH_ALIASES.normalise("The US approved Ryoncil.")
    assert us.jurisdictions == frozenset({Jurisdiction.US})
    assert "united states" in us.entities
    assert us.stems[:3] == ("the", stem("united"), stem("states"))
    pronoun = WITH_ALIASES.normalise("Let us see whether it was approved.")
    assert pronoun.jurisdictions == frozenset()
    assert "us" in pronoun.stems
    assert "united" not in pronoun.stems


def test_word_alias_is_case_insensitive_and_multiword():
    a = WITH_ALIASES.normalise("the national medical products administration approved it")
    b = WITH_ALIASES.normalise("The NMPA approved it")
    c = WITH_ALIASES.normalise("China FDA approved it")
    assert a.stems == b.stems == ("the", "nmpa", "approv", "it")
    assert c.stems == ("nmpa", "approv", "it")  # the longest variant wins over "China" + "FDA"
    assert Jurisdiction.CN in a.jurisdictions and Jurisdiction.CN in c.jurisdictions
    assert all(t.alias for t in c.tokens if t.text == "nmpa")


def test_a_token_opening_only_longer_variants_is_looked_up_where_they_can_continue():
    """"the" opens only "the States": skipped where "states" does not follow, found where it does
    (and a token that also opens a one-token variant is never skipped)."""
    states = Normaliser([Alias(canonical="united states", kind="country", jurisdiction=Jurisdiction.US, variants=("the States", "US"))])
    assert states.normalise("the drug was approved in the States in 2020").jurisdictions == frozenset({Jurisdiction.US})
    assert states.normalise("the states of the union and the drug").jurisdictions == frozenset({Jurisdiction.US})
    assert states.normalise("the drug, the trial and the states' rules").jurisdictions == frozenset({Jurisdiction.US})
    assert states.normalise("the drug was approved, the trial ended").jurisdictions == frozenset()
    assert states.normalise("The trial ended; the").jurisdictions == frozenset()  # "the" last: no next token
    assert states.normalise("Trials in the US and the EU").jurisdictions == frozenset({Jurisdiction.US})


def test_possessive_alias():
    norm = WITH_ALIASES.normalise("China's regulator approved it")
    assert norm.stems[0] == "china"
    assert norm.jurisdictions == frozenset({Jurisdiction.CN})


def test_cjk_alias_replacement():
    norm = WITH_ALIASES.normalise("国家药监局批准了中国首个干细胞药物")
    assert "nmpa" in norm.stems
    assert "china" in norm.stems
    assert ("stem", "cell") == tuple(norm.stems[norm.stems.index("stem") : norm.stems.index("stem") + 2])
    assert norm.jurisdictions == frozenset({Jurisdiction.CN})
    # remaining CJK characters are one token each
    assert "批" in norm.stems and "准" in norm.stems
    assert "国家药监局" not in "".join(norm.stems)


def test_cjk_and_english_phrase_meet():
    assert WITH_ALIASES.phrase("国家药监局") == WITH_ALIASES.phrase("NMPA") == ("nmpa",)
    assert WITH_ALIASES.phrase("干细胞") == WITH_ALIASES.phrase("stem cells")


def test_phrase_is_the_stems_of_the_normalised_text(checker):
    """`phrase` skips building the Normalised (the number readers call it twice per number):
    it must give the same stems, aliases and all, on every seed sentence and its halves."""
    from test_retrieval import seed_sentences

    normaliser = checker.ckb.normaliser
    for sentence in seed_sentences():
        for text in (sentence, sentence[: len(sentence) // 2], sentence[len(sentence) // 2 :]):
            assert normaliser.phrase(text) == normaliser.normalise(text).stems, text


def test_normalise_truncates_long_text():
    norm = PLAIN.normalise("word " * 10_000)
    assert 0 < len(norm.tokens) <= 1000


def test_in_jurisdictions_keeps_the_readings_and_leaves_the_original_alone():
    norm = WITH_ALIASES.normalise("Stem cell therapy is approved")
    stem_set, starts = norm.stem_set, norm.starts
    moved = norm.in_jurisdictions(frozenset({Jurisdiction.US}))
    assert moved.jurisdictions == frozenset({Jurisdiction.US})
    assert norm.jurisdictions == frozenset()
    assert moved.stem_set is stem_set and moved.starts is starts  # carried over, not recomputed
    assert (moved.texts, moved.stems, moved.word_at) == (norm.texts, norm.stems, norm.word_at)
    assert moved == WITH_ALIASES.normalise("Stem cell therapy is approved").in_jurisdictions(frozenset({Jurisdiction.US}))


# --------------------------------------------------------------------------- negation scope


@pytest.fixture(scope="module")
def builtin_checker():
    from stemcheck.api import load_checker

    return load_checker()


@pytest.mark.parametrize(
    "claim, verdict",
    [
        # a determiner negates the noun phrase it opens, not the claim
        ("Stem cell injections reverse aging, with no side effects and no pain.", "misleading"),
        ("Stem cells cure autism without surgery.", "refuted"),
        # ... but it does negate the claim when it opens the subject or the terms
        ("No stem cell drug has been approved in China.", "outdated"),
        ("There is no evidence that stem cells cure autism.", "supported"),
        # "no longer" is a verbal negation wherever it stands
        ("Stem cell treatment in China is no longer managed as a Category III medical technology.", "supported"),
    ],
)
def test_determiner_negation_scope(builtin_checker, claim, verdict):
    assert builtin_checker.check(claim, AS_OF).verdict.value == verdict


def test_month_end_is_the_calendars():
    import calendar

    from stemcheck.engine.timeref import _month_end

    for y in (1900, 1999, 2000, 2024, 2025, 2100, 9999):
        for m in range(1, 13):
            assert _month_end(y, m) == D(y, m, calendar.monthrange(y, m)[1]), (y, m)
