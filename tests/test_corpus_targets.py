"""Targets on the shared corpus of real documents (../shared/corpus), built and scored as the CLI does.

The corpus lives beside the repository, not in it; the test is skipped where
it is absent. The floors sit a little below the scores reached (1.000 on both), so that a
change which loses targets on real text fails here.
"""
from __future__ import annotations

import pytest

from policygraph.evaluate import format_report

#: field → minimum F1 on the shared corpus.
FLOORS = {"targets": 0.98, "targets_value": 0.98}


@pytest.fixture(scope="module")
def report(real_corpus_report):
    return real_corpus_report


def test_every_document_is_built(report):
    assert not report.missing_documents, format_report(report)


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_targets_floor(report, field):
    score = report.fields[field]
    assert score.f1 >= FLOORS[field], f"{field}: F1 {score.f1:.3f} < {FLOORS[field]}\n" + format_report(report)


def test_every_gold_year_is_found(report):
    """Where the gold gives a target year, the graph's target has it (no 'wrong' year misses)."""
    wrong = [m for m in report.misses if m.field == "targets" and m.kind == "wrong" and "year:" in m.detail]
    assert not wrong, "\n".join(f"{m.document}: {m.detail}" for m in wrong)
