"""The timeline logic of stemcheck.engine.judge, on small hand-built assertions.

No knowledge base and no matcher: each test builds an `Assertion`, a `Reading` (what the
readers would have found in a claim) and an as-of date, and checks the verdict and note.
"""

from __future__ import annotations

import datetime as dt

import pytest

from stemcheck.engine.judge import Reading, judge_fact, judge_quantity, judge_red_flag, state_at, true_window
from stemcheck.engine.numbers import find_numbers
from stemcheck.engine.timeref import TimeAnchor, find_anchors
from stemcheck.knowledge.loader import parse
from stemcheck.model import Assertion, Verdict

D = dt.date
SUPPORTED, REFUTED, OUTDATED, UNVERIFIED, MISLEADING = (
    Verdict.SUPPORTED,
    Verdict.REFUTED,
    Verdict.OUTDATED,
    Verdict.UNVERIFIED,
    Verdict.MISLEADING,
)
SOURCES = [{"title": "T", "publisher": "P", "url": "https://example.org/a", "published": "2025-01-03"}]
NOW = D(2026, 11, 22)


def fact(timeline: list[dict], id: str = "t.fact") -> Assertion:
    return parse(Assertion, 
        {
            "id": id,
            "statement": "China's drug regulator has approved a stem cell product as a drug",
            "jurisdiction": "CN",
            "terms": [["stem cell"], ["approv"]],
            "phrasings": ["China has approved a stem cell drug"],
            "timeline": timeline,
            "sources": SOURCES,
            "reviewed": "2026-11-22",
        }
    )


# false through 2024, true from 2 January 2025 (the shape of China's first stem cell drug approval)
APPROVAL = fact(
    [
        {"until": "2025-01-01", "holds": False},
        {"from": "2025-01-02", "holds": True, "note": "NMPA approved amimestrocel injection"},
    ]
)
# true, then withdrawn
WITHDRAWN = fact(
    [
        {"until": "2020-12-31", "holds": True, "note": "licensed"},
        {"from": "2021-01-01", "holds": False, "note": "licence withdrawn"},
    ]
)
# never happened, at any time
NEVER_TRUE = fact([{"holds": False, "note": "no such approval"}])
# a gap in 2021: the knowledge base does not know
GAPPED = fact([{"until": "2020-12-31", "holds": False}, {"from": "2022-01-01", "holds": True}])


def anchor(text: str, as_of: dt.date = NOW) -> TimeAnchor:
    found = [a for a in find_anchors(text, as_of) if a.kind != "mention"]
    assert found, text
    return found[0]


def reading(positive: bool = True, never: bool = False, when: str | None = None, event: bool = False, as_of: dt.date = NOW, numbers=()) -> Reading:
    return Reading(
        positive=positive,
        never=never,
        anchor=anchor(when, as_of) if when else None,
        event=event,
        hedged=False,
        future=False,
        numbers=tuple(numbers),
    )


# --------------------------------------------------------------------------- helpers


def test_state_at_and_true_window():
    tl = APPROVAL.timeline
    assert state_at(tl, D(2024, 6, 1)).holds is False
    assert state_at(tl, D(2025, 1, 1)).holds is False  # inclusive bounds
    assert state_at(tl, D(2025, 1, 2)).holds is True
    assert state_at(GAPPED.timeline, D(2021, 6, 1)) is None
    assert true_window(tl, NOW) == (D(2025, 1, 2), None)
    assert true_window(tl, D(2024, 1, 1)) == (D(2025, 1, 2), None)  # the first true period
    assert true_window(WITHDRAWN.timeline, NOW) == (None, D(2020, 12, 31))  # the latest one before
    assert true_window(NEVER_TRUE.timeline, NOW) == (None, None)


# --------------------------------------------------------------------------- undated state claims


@pytest.mark.parametrize(
    ("assertion", "positive", "as_of", "verdict"),
    [
        (APPROVAL, True, D(2026, 1, 1), SUPPORTED),  # "China has approved a stem cell drug"
        (APPROVAL, True, D(2024, 6, 1), REFUTED),  # ... before it happened
        (APPROVAL, False, D(2024, 6, 1), SUPPORTED),  # "China has not approved any stem cell drug"
        (APPROVAL, False, D(2025, 1, 1), SUPPORTED),  # last day it was true
        (APPROVAL, False, D(2025, 1, 2), OUTDATED),  # first day it was not
        (APPROVAL, False, NOW, OUTDATED),
        (WITHDRAWN, True, NOW, OUTDATED),  # "X is licensed": was true, no longer
        (WITHDRAWN, False, NOW, SUPPORTED),
        (WITHDRAWN, True, D(2019, 1, 1), SUPPORTED),
        (NEVER_TRUE, True, NOW, REFUTED),
        (NEVER_TRUE, False, NOW, SUPPORTED),
        (GAPPED, True, D(2021, 6, 1), UNVERIFIED),
        (GAPPED, False, D(2021, 6, 1), UNVERIFIED),
    ],
)
def test_state_claims(assertion, positive, as_of, verdict):
    j = judge_fact(assertion, reading(positive), as_of)
    assert j.verdict is verdict, j


def test_outdated_note_names_what_superseded_it_and_when():
    j = judge_fact(APPROVAL, reading(False), NOW)
    assert j.verdict is OUTDATED
    assert "2025-01-01" in j.note and "2025-01-02" in j.note
    assert "amimestrocel" in j.note
    assert j.window == (D(2025, 1, 2), None)


def test_refuted_note_says_what_holds():
    j = judge_fact(APPROVAL, reading(True), D(2024, 6, 1))
    assert j.verdict is REFUTED
    assert "2024-06-01" in j.note


def test_gap_note():
    j = judge_fact(GAPPED, reading(True), D(2021, 6, 1))
    assert "does not cover" in j.note


# --------------------------------------------------------------------------- "never"


def test_never_refuted_once_ever_true():
    j = judge_fact(APPROVAL, reading(False, never=True), NOW)
    assert j.verdict is REFUTED
    assert "never" in j.cues
    assert "2025-01-02" in j.note


def test_never_supported_before_it_happened():
    j = judge_fact(APPROVAL, reading(False, never=True), D(2024, 6, 1))
    assert j.verdict is SUPPORTED


def test_never_refuted_even_after_withdrawal():
    # "X has never been licensed" is false although X is not licensed today
    j = judge_fact(WITHDRAWN, reading(False, never=True), NOW)
    assert j.verdict is REFUTED
    assert "the start" in j.note


def test_never_on_never_true_fact_is_supported():
    assert judge_fact(NEVER_TRUE, reading(False, never=True), NOW).verdict is SUPPORTED


# --------------------------------------------------------------------------- anchored state claims


def test_anchored_claim_supported_with_superseded_note():
    # "As of 2024, no stem cell drug was approved in China", judged in 2026
    j = judge_fact(APPROVAL, reading(False, when="As of 2024"), NOW)
    assert j.verdict is SUPPORTED
    assert j.note.startswith("superseded on 2025-01-02")
    assert "time-anchor" in j.cues


def test_anchored_claim_not_superseded_has_plain_note():
    j = judge_fact(APPROVAL, reading(True, when="as of 2025"), NOW)
    assert j.verdict is SUPPORTED
    assert "superseded" not in (j.note or "")


@pytest.mark.parametrize(
    ("positive", "when", "verdict"),
    [
        (True, "as of 2024", REFUTED),  # "As of 2024 China had approved a stem cell drug"
        (False, "as of 2025", REFUTED),  # "As of 2025 none was approved": false by 31 Dec 2025
        (False, "by November 2023", SUPPORTED),
        (False, "before 2025", SUPPORTED),  # judged on 2024-12-31
        (True, "before 2025", REFUTED),
        (True, "by the end of 2025", SUPPORTED),
    ],
)
def test_anchored_state_claims(positive, when, verdict):
    # anchored claims are never "outdated": they say what held at their anchor
    assert judge_fact(APPROVAL, reading(positive, when=when), NOW).verdict is verdict


def test_since_claim_needs_the_statement_at_its_start():
    # "Since 2017 China has approved stem cell drugs": not true in 2017
    j = judge_fact(APPROVAL, reading(True, when="since 2017"), NOW)
    assert j.verdict is REFUTED
    assert "2017" in j.note
    assert judge_fact(APPROVAL, reading(True, when="since 2 January 2025"), NOW).verdict is SUPPORTED


@pytest.mark.parametrize("when", ["since 2025", "since January 2025"])
def test_since_period_containing_the_onset(when):
    # "China has had an approved stem cell drug since 2025": true (approved 2 January 2025)
    assert judge_fact(APPROVAL, reading(True, when=when), NOW).verdict is SUPPORTED


def test_anchor_after_as_of_is_unverified():
    j = judge_fact(APPROVAL, reading(True, when="in 2027"), NOW)
    assert j.verdict is UNVERIFIED
    assert "future" in j.cues


def test_relative_anchor_resolves_against_as_of():
    # "At the beginning of this year, China had not approved a stem cell drug"
    assert judge_fact(APPROVAL, reading(False, when="At the beginning of this year", as_of=D(2025, 6, 1)), D(2025, 6, 1)).verdict is REFUTED
    assert judge_fact(APPROVAL, reading(False, when="At the beginning of this year", as_of=D(2024, 6, 1)), D(2024, 6, 1)).verdict is SUPPORTED


# --------------------------------------------------------------------------- event claims


@pytest.mark.parametrize(
    ("when", "verdict", "cue"),
    [
        ("in 2023", REFUTED, "wrong-date"),  # "China approved its first stem cell drug in 2023"
        ("in December 2024", REFUTED, "wrong-date"),
        ("in January 2025", SUPPORTED, "time-anchor"),
        ("in 2025", SUPPORTED, "time-anchor"),
        ("on 2 January 2025", SUPPORTED, "time-anchor"),
        ("on 2025-01-03", REFUTED, "wrong-date"),
    ],
)
def test_event_claims(when, verdict, cue):
    j = judge_fact(APPROVAL, reading(True, when=when, event=True), NOW)
    assert j.verdict is verdict, j
    assert cue in j.cues


def test_event_refutation_names_the_real_date():
    j = judge_fact(APPROVAL, reading(True, when="in 2023", event=True), NOW)
    assert "2025-01-02" in j.note and "2023" in j.note
    assert j.window == (D(2025, 1, 2), None)


def test_denied_event():
    # "China did not approve a stem cell drug in January 2025" vs "... in 2023"
    assert judge_fact(APPROVAL, reading(False, when="in January 2025", event=True), NOW).verdict is REFUTED
    assert judge_fact(APPROVAL, reading(False, when="in 2023", event=True), NOW).verdict is SUPPORTED


def test_never_true_event_is_refuted():
    j = judge_fact(NEVER_TRUE, reading(True, when="in 2023", event=True), NOW)
    assert j.verdict is REFUTED
    assert "no such approval" in j.note


def test_event_that_had_not_happened_by_as_of():
    # judged in 2024: the 2025 approval is unknown to a reader in 2024, so "approved in 2023" is still false
    j = judge_fact(APPROVAL, reading(True, when="in 2023", event=True, as_of=D(2024, 6, 1)), D(2024, 6, 1))
    assert j.verdict in (REFUTED, UNVERIFIED)
    assert j.verdict is not SUPPORTED


def test_event_without_event_reading_is_a_state_claim():
    # "In 2023 China had not approved a stem cell drug" (no event word): a state at the end of 2023
    assert judge_fact(APPROVAL, reading(False, when="in 2023", event=False), NOW).verdict is SUPPORTED


# --------------------------------------------------------------------------- red flags


def test_red_flag():
    flag = parse(Assertion, 
        {
            "id": "t.flag",
            "kind": "red-flag",
            "statement": "Stem cells are a cure-all",
            "jurisdiction": "GLOBAL",
            "reason": "no therapy cures everything",
            "terms": [["stem cell"], ["cure-all"]],
            "sources": SOURCES,
            "reviewed": "2026-11-22",
        }
    )
    assert judge_red_flag(flag, reading(True)).verdict is MISLEADING
    assert judge_red_flag(flag, reading(False)).verdict is SUPPORTED
    debunking = Reading(positive=True, never=False, anchor=None, event=False, hedged=False, future=False, debunks=True)
    j = judge_red_flag(flag, debunking)
    assert j.verdict is SUPPORTED and "debunk" in j.cues
    assert judge_red_flag(flag, reading(True)).note == "no therapy cures everything"


# --------------------------------------------------------------------------- quantities

QUANTITY = parse(Assertion, 
    {
        "id": "t.ind",
        "kind": "quantity",
        "statement": "Stem cell drugs cleared for clinical trials in China",
        "jurisdiction": "CN",
        "terms": [["stem cell"], ["trial"]],
        "counts": ["stem cell drug"],
        "unit": "drugs",
        "tolerance": 0.05,
        "phrasings": ["stem cell drugs approved for clinical trials in China"],
        "series": [
            {"on": "2023-08-31", "value": 70},
            {"on": "2023-11-09", "value": 56, "contested": "another count gives 70 by 2023-08-31"},
            {"on": "2025-05-31", "value": 160},
        ],
        "sources": SOURCES,
        "reviewed": "2026-11-22",
    }
)
AT_LEAST = parse(Assertion, 
    {
        "id": "t.over",
        "kind": "quantity",
        "statement": "Stem cell drugs cleared since 2017",
        "jurisdiction": "CN",
        "terms": [["stem cell"]],
        "counts": ["stem cell drug"],
        "phrasings": ["x"],
        "series": [{"on": "2025-01-03", "value": 120, "bound": "at-least"}],
        "sources": SOURCES,
        "reviewed": "2026-11-22",
    }
)


def judge_q(text: str, as_of: dt.date, assertion: Assertion = QUANTITY):
    """Read `text` like the checker does (dates are not counts) and judge its last number."""
    from stemcheck.engine.timeref import date_spans

    numbers = find_numbers(text, date_spans(text, as_of))
    anchors = find_anchors(text, as_of)
    a = next((x for x in anchors if x.kind != "mention"), None)
    r = Reading(positive=True, never=False, anchor=a, event=False, hedged=False, future=False, numbers=tuple(numbers))
    return judge_quantity(assertion, r, numbers[-1], as_of)


@pytest.mark.parametrize(
    ("text", "as_of", "verdict"),
    [
        ("70 stem cell drugs", D(2023, 9, 30), SUPPORTED),
        ("56 stem cell drugs", D(2023, 9, 30), REFUTED),
        ("160 stem cell drugs", D(2025, 11, 13), SUPPORTED),
        ("about 150 stem cell drugs", D(2025, 11, 13), SUPPORTED),
        ("more than 100 stem cell drugs", D(2025, 11, 13), SUPPORTED),
        ("500 stem cell drugs", D(2025, 11, 13), REFUTED),  # never true: refuted
        ("about 60 stem cell drugs", D(2025, 11, 13), OUTDATED),  # true of an earlier point
        ("70 stem cell drugs", D(2025, 11, 13), OUTDATED),
        ("160 stem cell drugs", D(2023, 1, 1), UNVERIFIED),  # before the first point
    ],
)
def test_quantity_verdicts(text, as_of, verdict):
    assert judge_q(text, as_of).verdict is verdict


def test_contested_point_lowers_certainty():
    j = judge_q("56 stem cell drugs", D(2024, 6, 25))
    assert j.verdict is SUPPORTED
    assert j.certainty < 1.0
    assert "contested" in j.note
    plain = judge_q("160 stem cell drugs", D(2025, 11, 13))
    assert plain.certainty == 1.0 and "contested" not in plain.note
    wrong = judge_q("20 stem cell drugs", D(2024, 6, 25))
    assert wrong.verdict is REFUTED and wrong.certainty < 1.0


def test_outdated_quantity_note():
    j = judge_q("about 60 stem cell drugs", D(2025, 11, 13))
    assert "56" in j.note and "160" in j.note
    assert j.window == (D(2025, 5, 31), None)


def test_anchored_quantity_judged_at_anchor_with_latest():
    j = judge_q("As of November 9, 2023, 56 stem cell drugs", D(2025, 11, 13))
    assert j.verdict is SUPPORTED
    assert "time-anchor" in j.cues
    assert "latest: 160" in j.note
    # anchored claims are refuted, not outdated, when they do not fit their own date
    assert judge_q("As of November 9, 2023, 160 stem cell drugs", D(2025, 11, 13)).verdict is REFUTED


def test_since_counts_to_now():
    # "since 2017" is the start of the count, not the date it is judged at
    j = judge_q("Since 2017, 160 stem cell drugs", D(2025, 11, 13))
    assert j.verdict is SUPPORTED
    assert "time-anchor" not in j.cues
    assert j.window == (D(2025, 5, 31), None)
    j = judge_q("Since 2017, over 120 stem cell drugs", D(2025, 11, 13), AT_LEAST)
    assert j.verdict is SUPPORTED


def test_at_least_bound():
    assert judge_q("100 stem cell drugs", D(2025, 11, 13), AT_LEAST).verdict is REFUTED
    assert judge_q("130 stem cell drugs", D(2025, 11, 13), AT_LEAST).verdict is SUPPORTED


@pytest.mark.parametrize(
    ("text", "verdict"),
    [
        ("not 500 stem cell drugs", SUPPORTED),
        ("never 500 stem cell drugs", SUPPORTED),
        ("500 stem cell drugs", REFUTED),
        ("160 stem cell drugs", SUPPORTED),
        # a negation elsewhere says nothing about the count
        ("The count is not final: 160 stem cell drugs", SUPPORTED),
        ("Patients no longer wait: 500 stem cell drugs", REFUTED),
    ],
)
def test_negation_right_before_number(text, verdict):
    assert judge_q(text, D(2025, 11, 13)).verdict is verdict


def test_denied_current_number_is_not_supported():
    assert judge_q("not 160 stem cell drugs", D(2025, 11, 13)).verdict is not SUPPORTED
