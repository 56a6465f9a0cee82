"""The extraction quality bar on the seed corpus, measured with the evaluate command's library function."""
from __future__ import annotations

import pytest

from policygraph.evaluate import evaluate, format_report

from .conftest import GOLD, SEEDS


@pytest.fixture(scope="module")
def report(seed_build):
    _, dataset, _ = seed_build
    return evaluate(dataset, GOLD, corpus_dir=SEEDS)


FLOORS = {
    "assignments": 0.98,
    "targets": 0.90,
    "parks": 0.80,
    "funds": 0.80,
    "programs": 0.80,
    "jurisdiction": 1.0,
    "document_number": 1.0,
}


@pytest.mark.parametrize("field,floor", FLOORS.items())
def test_field_meets_its_floor(report, field, floor):
    assert report.fields[field].f1 >= floor, format_report(report)


def test_role_accuracy(report):
    assert report.role_accuracy >= 0.98, format_report(report)


def test_every_alias_cluster_is_resolved(report):
    score = report.fields["alias_clusters"]
    assert score.fn == 0 and score.tp > 0, format_report(report)


def test_look_alikes_stay_apart(report):
    score = report.fields["distinct_agencies"]
    assert score.fp == 0 and score.fn == 0, format_report(report)


def test_no_document_is_missing(report):
    assert not report.missing_documents
