"""Every labelled development claim gets one of its acceptable verdicts (regression set).

The claims are a copy of ../shared/dev-claims.yaml. `kind: no-claim` sentences must stay
silent in a document scan (they are not claims)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from stemcheck.documents.spotting import is_claim_shaped

CLAIMS = yaml.safe_load((Path(__file__).parent / "fixtures" / "dev-claims.yaml").read_text(encoding="utf-8"))
CHECKABLE = [c for c in CLAIMS if c.get("kind") != "no-claim"]
SILENT = [c for c in CLAIMS if c.get("kind") == "no-claim"]


@pytest.mark.parametrize("item", CHECKABLE, ids=lambda c: f"{c['as_of']}:{c['claim'][:50]}")
def test_dev_claim_verdict(checker, item):
    want = item["verdict"] if isinstance(item["verdict"], list) else [item["verdict"]]
    as_of = item["as_of"] if isinstance(item["as_of"], dt.date) else dt.date.fromisoformat(str(item["as_of"]))
    r = checker.check(item["claim"], as_of)
    assert r.verdict.value in want, f"{r.verdict.value} via {r.assertion.id if r.assertion else None}: {r.note}"


@pytest.mark.parametrize("item", SILENT, ids=lambda c: c["claim"][:50])
def test_no_claim_sentences_stay_silent(checker, item):
    text = item["claim"]
    norm = checker.normalise(text)
    heading = not text.rstrip().endswith((".", "!", "?"))
    assert not (is_claim_shaped(text, heading) and checker.on_topic(norm))


def test_minimal_pair_outdated_names_what_superseded_it(checker):
    r = checker.check("China has not approved any stem cell drug.", dt.date(2026, 11, 22))
    assert r.verdict.value == "outdated"
    assert "2025-01-02" in (r.note or "")
    assert "amimestrocel" in (r.note or "").lower()
    assert r.sources and all(s.url.startswith("http") for s in r.sources)
