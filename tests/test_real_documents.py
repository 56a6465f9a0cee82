"""Quality on real documents nobody here wrote: ../shared/corpus (with gold) and its shanghai/ folder (without).

These tests skip where ../shared is absent (a user's clone); CI always has it.
"""
from __future__ import annotations

import importlib.util
import sys

import pytest

from policygraph.model import UNCLASSIFIED
from policygraph.extract.metadata import NATIONAL

from .conftest import ROOT, SHARED_CORPUS as CORPUS

SHANGHAI = CORPUS / "shanghai" / "docs"

pytestmark = pytest.mark.skipif(not (CORPUS / "docs").is_dir(), reason="../shared/corpus is not here")

#: The bar each field must hold on ../shared/corpus: (measure, floor).
BARS = {
    "tasks": ("recall", 0.95),
    "assignments": ("f1", 0.95),
    "roles": ("f1", 0.95),
    "generic": ("f1", 0.95),
    "jurisdiction": ("f1", 1.0),
    "title": ("f1", 0.9),
    "document_number": ("f1", 1.0),
    "issuer": ("f1", 1.0),
    "implements": ("f1", 0.95),
    "targets": ("f1", 0.98),
    "targets_value": ("f1", 0.98),
    "parks": ("f1", 0.95),
    "programs": ("f1", 1.0),
}


@pytest.fixture(scope="module")
def corpus_report(real_corpus_report):
    return real_corpus_report


@pytest.mark.parametrize("field", BARS)
def test_corpus_field_holds_its_bar(corpus_report, field):
    measure, floor = BARS[field]
    score = corpus_report.fields[field]
    misses = [m for m in corpus_report.misses if m.field == field]
    assert getattr(score, measure) >= floor, misses


def test_every_corpus_document_is_scored(corpus_report):
    assert corpus_report.missing_documents == ()


def test_no_spurious_fund(corpus_report):
    score = corpus_report.fields["funds"]
    assert score.fp == 0 and score.fn == 0, [m for m in corpus_report.misses if m.field == "funds"]


def test_every_gold_year_is_found(corpus_report):
    """Where the gold gives a target year, the graph's target has it (no 'wrong' year misses)."""
    wrong = [m for m in corpus_report.misses if m.field == "targets" and m.kind == "wrong" and "year:" in m.detail]
    assert not wrong, "\n".join(f"{m.document}: {m.detail}" for m in wrong)


@pytest.fixture(scope="module")
def shanghai_extractions():
    from policygraph.pipeline import extract_paths

    if not SHANGHAI.is_dir():
        pytest.skip("../shared/corpus/shanghai is not here")
    extractions, errors = extract_paths([SHANGHAI])
    return extractions, errors


def test_every_shanghai_document_builds(shanghai_extractions):
    extractions, errors = shanghai_extractions
    assert errors == []
    assert len(extractions) == len([p for p in SHANGHAI.iterdir() if p.is_file()])


def _cue_finder():
    """benchmarks/shanghai_cues.py: a cue finder of its own, written apart from the extractor's vocabulary."""
    spec = importlib.util.spec_from_file_location("shanghai_cues", ROOT / "benchmarks" / "shanghai_cues.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("shanghai_cues", module)
    spec.loader.exec_module(module)
    return module


def test_responsibility_cues_end_in_assignments():
    if not SHANGHAI.is_dir():
        pytest.skip("../shared/corpus/shanghai is not here")
    result = _cue_finder().measure(SHANGHAI)
    assert result["cues"] > 300  # the finder itself still finds the cues
    assert result["share"] >= 0.95, result["missed"][:20]
    assert result["documents_with_cues_and_no_assignment"] == 0


def test_no_sub_national_body_becomes_a_national_agency(shanghai_extractions):
    """In a city or district document, 区发改局 or 市规划资源局 is that place's body, never the ministry."""
    extractions, _ = shanghai_extractions
    wrong = []
    for x in extractions:
        if x.meta.jurisdiction == NATIONAL:
            continue
        for task in x.tasks:
            for a in task.assignments:
                surface = a.mention.surface
                if a.agency is not None and surface[:1] in "省市区县镇街" and a.agency.jurisdiction == NATIONAL:
                    wrong.append((x.document.source_file, surface, a.agency.name))
    assert wrong == []


def test_a_shanghai_document_is_national_only_when_it_names_no_place(shanghai_extractions, lexicon):
    """City, district and town documents are placed below the nation; the nation is a fallback for texts naming no place."""
    extractions, _ = shanghai_extractions
    places = [p.name for p in lexicon.places if len(p.name) >= 3] + [j.name for j in lexicon.jurisdictions]
    national = [x for x in extractions if x.meta.jurisdiction == NATIONAL]
    assert len(national) <= len(extractions) // 20
    for x in national:
        assert [p for p in places if p != NATIONAL and p in x.document.text] == [], x.document.source_file


def test_unrecognised_bodies_are_kept_typed_unclassified(shanghai_extractions):
    extractions, _ = shanghai_extractions
    kept = [(x, b) for x in extractions for b in x.unrecognised_bodies]
    assert kept  # real documents always name some body the lexicon does not know
    for x, surface in kept:
        agencies = [a.agency for t in x.tasks for a in t.assignments if a.mention.surface == surface]
        assert all(a.agency_type == UNCLASSIFIED for a in agencies)
        assert any(surface in w for w in x.warnings)
