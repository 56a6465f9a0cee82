"""Held-out corpus: documents written for testing, never used as seeds, scored against their gold files.

The eight documents in ``fixtures/unseen`` vary what the seeds hold fixed: a
State Council and a ministry document, a city plan, post-2018 agency names,
labelled clause lines, 专栏 boxes, a title named only in the issuing notice,
Chinese-numeral dates, a GB18030 file, CRLF line endings and a saved HTML page.
The floors sit a little below the scores reached, so a regression shows up
while small gold disagreements do not.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from policygraph.evaluate import format_report
from policygraph.load import load_document
from policygraph.segment import segment

from .conftest import corpus_report

UNSEEN = Path(__file__).parent / "fixtures" / "unseen"
FILES = sorted(p for p in UNSEEN.iterdir() if p.is_file())

#: field → minimum F1 on the unseen corpus.
FLOORS = {
    "tasks": 0.95,
    "task_titles": 0.95,
    "assignments": 0.95,
    "generic": 0.9,
    "alias_clusters": 0.8,
    "distinct_agencies": 0.9,
    "targets": 0.9,
    "targets_value": 0.95,
    "parks": 0.85,
    "funds": 0.85,
    "programs": 0.85,
    "jurisdiction": 1.0,
    "title": 1.0,
    "document_number": 1.0,
    "issued": 1.0,
    "issuer": 1.0,
    "implements": 1.0,
}


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    return corpus_report(UNSEEN, tmp_path_factory.mktemp("unseen"))


def test_corpus_covers_the_formats():
    encodings = {p.name: load_document(p).encoding for p in FILES}
    assert len(FILES) == 8
    assert any(e.replace("-", "").lower() == "gb18030" for e in encodings.values())
    assert any(p.suffix == ".html" for p in FILES)
    assert any(b"\r\n" in p.read_bytes() for p in FILES)


def test_every_document_is_built(report):
    assert not report.missing_documents, format_report(report)


@pytest.mark.parametrize("field", sorted(FLOORS))
def test_field_floor(report, field):
    score = report.fields[field]
    assert score.f1 >= FLOORS[field], f"{field}: F1 {score.f1:.3f} < {FLOORS[field]}\n" + format_report(report)


def test_role_accuracy(report):
    assert report.role_accuracy >= 0.95, format_report(report)


def test_box_items_do_not_join_the_outline():
    text = ("二、重点任务\n（一）推动专业化发展\n1.支持龙头企业。（省经济和信息化委牵头）\n"
            "专栏1　建设重点\n1.电子信息领域。依托高新区。\n2.装备制造领域。\n3.农业领域。\n"
            "（二）提升服务能力\n1.完善服务体系。（省科技厅负责）\n")
    paths = [n.outline for n in segment(text)]
    assert paths == ["二", "二/一", "二/一/1", "二/二", "二/二/1"]


def test_outline_resumes_after_a_box():
    text = ("（一）推动专业化发展\n1.支持龙头企业。\n专栏1　建设重点\n1.电子信息。\n"
            "2.装备制造。\n3.农业。\n2.支持高校院所。\n")
    assert [(n.outline, n.title) for n in segment(text)] == [
        ("一", "推动专业化发展"), ("一/1", "支持龙头企业"), ("一/2", "支持高校院所")]
