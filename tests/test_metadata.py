"""Tests for policygraph.extract.metadata: where a document is placed (province down to town) and why."""
from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from policygraph.extract.metadata import extract_metadata
from policygraph.resolve import Resolver
from policygraph.segment import segment

from .conftest import SHARED_CORPUS

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases" / "jurisdictions.json").read_text("utf-8"))
SHANGHAI = SHARED_CORPUS / "shanghai"


@pytest.fixture(scope="module")
def names():
    return Resolver().jurisdiction_names()


@pytest.mark.parametrize("case", CASES, ids=[c["doc"] for c in CASES])
def test_jurisdiction_case_table(case, names):
    meta = extract_metadata(case["text"], segment(case["text"]), *names)
    assert meta.jurisdiction == case["jurisdiction"]
    assert meta.jurisdiction_evidence.startswith(case["evidence"])
    assert meta.jurisdiction_parent == case["parent"]
    if "issuer" in case:
        assert meta.issuer == case["issuer"]


def _town_documents() -> dict[str, str]:
    """The Shanghai documents whose issuer, as SOURCES.tsv records it, is a town government or a subdistrict office."""
    with (SHANGHAI / "SOURCES.tsv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    return {r["file"]: r["issuer"] for r in rows if r["issuer"].endswith(("镇人民政府", "乡人民政府", "街道办事处"))}


def test_shanghai_town_documents_are_placed_in_their_town():
    """Every town or subdistrict document is at town level, in the town its issuer names, and no other document is."""
    if not (SHANGHAI / "docs").is_dir():
        pytest.skip("../shared/corpus/shanghai is not here")
    from policygraph.pipeline import extract_paths

    towns = _town_documents()
    extractions, errors = extract_paths([SHANGHAI / "docs"])
    assert not errors
    at_town = {x.document.source_file: x.meta for x in extractions if x.meta.jurisdiction_level == "town"}
    assert len(towns) == 15
    assert sorted(at_town) == sorted(towns)
    for name, meta in at_town.items():
        assert meta.jurisdiction in towns[name], name
        assert meta.jurisdiction_parent in towns[name], name


#: First lines of real Shanghai plans whose title the reader missed: a 下发 notice, a title quoting the policy it carries out.
TITLES = [
    ("上海市绿化和市容管理局关于下发《上海市花白玉兰推广应用三年行动计划（2024-2026年）》的通知\n\n各区绿化和市容管理局：\n",
     "上海市绿化和市容管理局关于下发《上海市花白玉兰推广应用三年行动计划（2024-2026年）》的通知"),
    ("上海市人民政府关于贯彻《国务院关于加强道路交通安全管理工作的意见》进一步加强本市客货运安全管理工作的实施意见\n\n"
     "各区、县人民政府，市政府各委、办、局：\n",
     "上海市人民政府关于贯彻《国务院关于加强道路交通安全管理工作的意见》进一步加强本市客货运安全管理工作的实施意见"),
    ("根据《上海市消防条例》，结合本区实际，制定本方案。\n", None),
]


@pytest.mark.parametrize("text, title", TITLES, ids=["a 下发 notice", "a title quoting a policy", "a sentence citing a rule"])
def test_titles_of_real_plans(text, title):
    from policygraph.extract.metadata import find_title

    found = find_title(text, segment(text))
    assert (found[0] if found else None) == title


def test_a_joint_plan_is_issued_by_every_body_that_signs_it():
    """Each body on the signature lines becomes a pg:issuedBy agency, not only the last one."""
    from policygraph.pipeline import extract_document

    text = ("关于印发《上海市零碳园区建设工作方案》的通知\n\n各有关单位：\n\n特此通知。\n\n附件：上海市零碳园区建设工作方案\n\n"
            "上海市发展和改革委员会\n\n上海市经济和信息化委员会\n\n2026年9月7日\n\n上海市零碳园区建设工作方案\n\n"
            "一、主要任务\n（一）建设园区。推进零碳园区建设。（责任单位：市发展改革委）\n")
    from policygraph.model import SourceDocument

    result = extract_document(SourceDocument("s020.txt", "s020.txt", text, "utf-8", "0" * 64))
    issuers = sorted(m.agency.name for m in result.agency_mentions if m.issuer)
    assert issuers == ["上海市发展和改革委员会", "上海市经济和信息化委员会"]
