"""Named parks, funds and programs on the shared corpus of real documents, scored with the evaluate library.

The corpus lives next to the repository (``../shared/corpus``: ``docs/*.txt``
and their ``gold/*.json``, annotated by CONVENTIONS.md); the test is skipped
where it is absent. The floors sit at the level reached, so a regression in
any of the causes the case table covers shows up here on whole documents.
"""
from __future__ import annotations

import pytest

from policygraph.evaluate import format_report

#: field → minimum F1 on the shared corpus.
FLOORS = {"parks": 0.95, "programs": 1.0}


@pytest.fixture(scope="module")
def report(real_corpus_report):
    return real_corpus_report


def test_every_document_is_built(report):
    assert not report.missing_documents, format_report(report)


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_named_field_floor(report, field):
    score = report.fields[field]
    assert score.f1 >= FLOORS[field], f"{field}: F1 {score.f1:.3f} < {FLOORS[field]}\n" + format_report(report)


def test_no_spurious_fund(report):
    score = report.fields["funds"]
    assert score.fp == 0 and score.fn == 0, format_report(report)
