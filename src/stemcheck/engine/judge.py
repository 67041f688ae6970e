"""Verdict logic: what a matched claim's polarity, time anchor and numbers mean for each kind.

Pure functions of (assertion, what the readers found, as-of date). Time is first-class:
a fact's timeline says when its statement holds, so "no stem cell drug is approved in
China" is supported in 2024, outdated in 2026 and refuted when it says "never".
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from stemcheck.engine.numbers import Number, agrees
from stemcheck.engine.timeref import TimeAnchor
from stemcheck.model import Assertion, Period, SeriesPoint, Verdict


@dataclass(frozen=True)
class Reading:
    """What the readers found in the part of the claim that matched an assertion."""

    positive: bool
    never: bool
    anchor: TimeAnchor | None
    event: bool  # the claim is about the moment the statement became true ("approved in 2023")
    hedged: bool
    future: bool
    numbers: tuple[Number, ...] = ()
    debunks: bool = False  # the claim reports the red flag as a warning ("... are scams")


@dataclass(frozen=True)
class Judgement:
    """A verdict with its note, the validity window it rests on, cues and certainty."""

    verdict: Verdict
    note: str | None
    window: tuple[dt.date | None, dt.date | None]
    cues: tuple[str, ...] = ()
    certainty: float = 1.0


def state_at(timeline: tuple[Period, ...], day: dt.date) -> Period | None:
    for p in timeline:
        if p.covers(day):
            return p
    return None


def true_window(timeline: tuple[Period, ...], day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """When the statement holds: the true period at `day`, else the latest one before it, else the first."""
    trues = [p for p in timeline if p.holds]
    if not trues:
        return (None, None)
    here = state_at(timeline, day)
    if here is not None and here.holds:
        return (here.start, here.until)
    before = [p for p in trues if p.start is None or p.start <= day]
    p = before[-1] if before else trues[0]
    return (p.start, p.until)


def _fmt(d: dt.date | None) -> str:
    return d.isoformat() if d else "the start"


def _describe(p: Period) -> str:
    return p.note or ("true" if p.holds else "false")


def judge_fact(a: Assertion, r: Reading, as_of: dt.date) -> Judgement:
    tl = a.timeline
    anchored = r.anchor is not None and r.anchor.kind not in ("mention",)
    if r.anchor is not None and r.anchor.start > as_of:
        return Judgement(Verdict.UNVERIFIED, f"the claim is about {r.anchor.text}, after the as-of date", (None, None), ("future",))
    if anchored and r.event and r.anchor.is_event_window:
        return _judge_event(a, r, as_of)
    day = r.anchor.judge_date if anchored else as_of
    if anchored and r.anchor.kind in ("since", "after"):
        day = as_of
    window = true_window(tl, day)
    here = state_at(tl, day)
    if r.never and not r.positive:
        ever = [p for p in tl if p.holds and (p.start is None or p.start <= day)]
        if ever:
            first = ever[0]
            return Judgement(Verdict.REFUTED, f"it has been true since {_fmt(first.start)}: {_describe(first)}", window, ("never",))
        if here is None:
            return Judgement(Verdict.UNVERIFIED, f"the knowledge base does not cover {day}", window)
        return Judgement(Verdict.SUPPORTED, _superseded(tl, here, as_of, day), window, ("never",))
    if here is None:
        return Judgement(Verdict.UNVERIFIED, f"the knowledge base does not cover {day}", window)
    if here.holds == r.positive:
        if anchored and r.anchor.kind == "since":
            # "since 2025" names a period: true if it became true within it (by its last
            # day), as an approval on 2 January 2025 did; a day anchor is its own last day
            start_state = state_at(tl, r.anchor.end)
            if start_state is not None and start_state.holds != r.positive:
                return Judgement(Verdict.REFUTED, f"not yet in {r.anchor.text}: {_describe(start_state)}", window, ("time-anchor",))
        note = _superseded(tl, here, as_of, day) if anchored else here.note
        return Judgement(Verdict.SUPPORTED, note, window, ("time-anchor",) if anchored else ())
    # the claim disagrees with the timeline at the judgement date
    if not anchored:
        earlier = [p for p in tl if p.holds == r.positive and p.until is not None and p.until < day]
        if earlier:
            last = earlier[-1]
            since = f"since {here.start.isoformat()}: " if here.start else ""
            return Judgement(Verdict.OUTDATED, f"true until {last.until.isoformat()}; {since}{_describe(here)}", window)
    return Judgement(Verdict.REFUTED, f"at {day.isoformat()}: {_describe(here)}", window, ("time-anchor",) if anchored else ())


def _superseded(tl: tuple[Period, ...], here: Period, as_of: dt.date, day: dt.date) -> str | None:
    """For a claim judged at an anchor: say so when what it says changed later."""
    now = state_at(tl, as_of)
    if now is not None and now is not here and now.holds != here.holds:
        since = now.start.isoformat() if now.start else "later"
        return f"superseded on {since}: {_describe(now)}"
    return here.note


def _judge_event(a: Assertion, r: Reading, as_of: dt.date) -> Judgement:
    """'Approved in 2023': did the statement become true inside the anchor's window?"""
    anchor = r.anchor
    assert anchor is not None
    onsets = [p for p in a.timeline if p.holds and p.start is not None and p.start <= as_of]
    window = true_window(a.timeline, anchor.end)
    inside = [p for p in onsets if anchor.start <= p.start <= anchor.end]
    if r.positive:
        if inside:
            p = inside[0]
            return Judgement(Verdict.SUPPORTED, f"on {p.start.isoformat()}: {_describe(p)}", (p.start, p.until), ("time-anchor",))
        if onsets:
            p = onsets[0]
            return Judgement(
                Verdict.REFUTED, f"it happened on {p.start.isoformat()}, not {anchor.text}: {_describe(p)}", (p.start, p.until), ("time-anchor", "wrong-date")
            )
        here = state_at(a.timeline, anchor.end)
        if here is not None and not any(p.holds for p in a.timeline):  # it never happened at all
            return Judgement(Verdict.REFUTED, f"at {anchor.text}: {_describe(here)}", window, ("time-anchor",))
        return Judgement(Verdict.UNVERIFIED, "the knowledge base records no date for this event", window)
    if inside:
        p = inside[0]
        return Judgement(Verdict.REFUTED, f"it happened on {p.start.isoformat()}: {_describe(p)}", (p.start, p.until), ("time-anchor",))
    here = state_at(a.timeline, anchor.end)
    if here is None:
        return Judgement(Verdict.UNVERIFIED, f"the knowledge base does not cover {anchor.text}", window)
    return Judgement(Verdict.SUPPORTED, _superseded(a.timeline, here, as_of, anchor.end), window, ("time-anchor",))


def judge_red_flag(a: Assertion, r: Reading) -> Judgement:
    if r.debunks:
        return Judgement(Verdict.SUPPORTED, a.reason, (None, None), ("red-flag", "debunk"))
    if r.positive:
        return Judgement(Verdict.MISLEADING, a.reason, (None, None), ("red-flag",))
    return Judgement(Verdict.SUPPORTED, a.reason, (None, None), ("red-flag",))


def judge_quantity(a: Assertion, r: Reading, number: Number, as_of: dt.date) -> Judgement:
    # "since 2017" and "after 2020" count up to now; only "as of", "by", "in" move the date
    anchored = r.anchor is not None and r.anchor.kind not in ("mention", "since", "after")
    day = r.anchor.judge_date if anchored else as_of
    series = a.series
    point: SeriesPoint | None = None
    if anchored:
        exact = [p for p in series if r.anchor.start <= p.on <= r.anchor.end]
        if exact:
            point = exact[-1]
    if point is None:
        before = [p for p in series if p.on <= day]
        point = before[-1] if before else None
    if point is None:
        return Judgement(Verdict.UNVERIFIED, f"no figure recorded before {series[0].on.isoformat()}", (series[0].on, None), ("number",))
    window = (point.on, None)
    # only a negation right before the number denies it ("not 56"); "no longer needs insulin"
    # elsewhere in the sentence says nothing about the count
    denied = number.before.rstrip().lower().endswith(("not", "never", "n't"))
    fits = agrees(number, point.value, point.bound, a.tolerance) != denied
    stated = _quantity_text(a, point)
    cues = ("number",) + (("time-anchor",) if anchored else ())
    if fits:
        note = stated
        certainty = 1.0
        if point.contested:
            note += f"; contested: {point.contested}"
            certainty = 0.6
        later = [p for p in series if p.on > point.on and p.on <= as_of]
        if anchored and later:
            note += f"; latest: {_quantity_text(a, later[-1])}"
        return Judgement(Verdict.SUPPORTED, note, window, cues, certainty)
    if not anchored:
        earlier = [p for p in series if p.on < point.on and agrees(number, p.value, p.bound, a.tolerance) != denied]
        if earlier:
            e = earlier[-1]
            return Judgement(Verdict.OUTDATED, f"matches {_quantity_text(a, e)}; now {stated}", window, cues)
    certainty = 0.7 if point.contested else 1.0
    note = stated + (f"; contested: {point.contested}" if point.contested else "")
    return Judgement(Verdict.REFUTED, note, window, cues, certainty)


def _quantity_text(a: Assertion, p: SeriesPoint) -> str:
    v = int(p.value) if float(p.value).is_integer() else p.value
    bound = {"at-least": "at least ", "at-most": "at most ", "exact": ""}[p.bound]
    unit = f" {a.unit}" if a.unit else ""
    extra = f" ({p.note})" if p.note else ""
    return f"{bound}{v}{unit} as of {p.on.isoformat()}{extra}"
