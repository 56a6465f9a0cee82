"""Named parks, funds and programs on the shared corpus of real documents, scored with the evaluate library.

The corpus lives next to the repository (``../shared/corpus``: ``docs/*.txt``
and their ``gold/*.json``, annotated by CONVENTIONS.md); the test is skipped
where it is absent. The floors sit at the level reached, so a regression in
any of the causes the case table covers shows up here on whole documents.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from policygraph.evaluate import format_report

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
DOCS = CORPUS / "docs"
GOLD = CORPUS / "gold"

#: field → minimum F1 on the shared corpus.
FLOORS = {"parks": 0.95, "programs": 1.0}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    if not DOCS.is_dir() or not GOLD.is_dir() or not any(GOLD.glob("*.json")):
        pytest.skip(f"shared corpus not found at {CORPUS}")
    from policygraph.evaluate import evaluate
    from policygraph.load import load_document
    from policygraph.pipeline import build_corpus

    files = sorted(p for p in DOCS.iterdir() if p.is_file() and p.suffix in (".txt", ".html"))
    _, dataset = build_corpus(files, tmp_path_factory.mktemp("corpus-named"), load=True)
    return evaluate(dataset, GOLD, texts={p.name: load_document(p).text for p in files})


def test_every_document_is_built(report):
    assert not report.missing_documents, format_report(report)


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_named_field_floor(report, field):
    score = report.fields[field]
    assert score.f1 >= FLOORS[field], f"{field}: F1 {score.f1:.3f} < {FLOORS[field]}\n" + format_report(report)


def test_no_spurious_fund(report):
    score = report.fields["funds"]
    assert score.fp == 0 and score.fn == 0, format_report(report)
