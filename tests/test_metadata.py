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
