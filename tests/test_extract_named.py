"""Tests for policygraph.extract.named: case table, invariants, and the seeds against their gold lists."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from policygraph.extract.named import entity_key, extract_named, is_named

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases" / "named.json").read_text("utf-8"))["cases"]
GOLD = sorted((HERE.parent / "data" / "gold").glob("*.json"))
SEEDS = HERE.parent / "data" / "seeds"
FIELDS = {"park": "parks", "fund": "funds", "program": "programs"}


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:24] for c in CASES])
def test_case_table(case):
    got = [[e.kind, e.name] for e in extract_named(case["text"])]
    assert got == case["expected"]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:24] for c in CASES])
def test_surface_and_span_point_into_the_text(case):
    text = case["text"]
    entities = extract_named(text)
    assert [e.span for e in entities] == sorted(e.span for e in entities)
    for entity in entities:
        assert entity.span.slice(text) == entity.surface
        assert entity.name == entity.surface.strip().strip("《》")


def test_full_width_text_gives_full_width_surfaces():
    text = "实施“互联网＋”益民服务新业态培育工程（省工信委负责）"
    (entity,) = extract_named(text)
    assert entity.kind == "program"
    assert entity.surface == "“互联网＋”益民服务新业态培育工程"
    assert entity.span.slice(text) == entity.surface


def test_same_entity_gets_the_same_name_at_every_occurrence():
    text = "建设兰白科技创新改革试验区。支持兰白科技创新改革试验区先行先试，兰白科技创新改革试验区管委会负责。"
    entities = extract_named(text)
    assert [e.name for e in entities] == ["兰白科技创新改革试验区"] * 3
    assert len({e.span for e in entities}) == 3


@pytest.mark.parametrize(
    "left, right",
    [("“创业在家乡”计划", "创业在家乡计划"), ("《兰州 新区》", "兰州新区"), ("“互联网＋”行动", "“互联网+”行动")],
)
def test_entity_key_ignores_quotes_spaces_and_width(left, right):
    assert entity_key(left) == entity_key(right)


def test_entity_key_keeps_different_names_apart():
    assert entity_key("兰白试验区技术创新驱动基金") != entity_key("兰白科技创新改革试验区技术创新驱动基金")


@pytest.mark.parametrize(
    "name, kind, suffix, expected",
    [
        ("银川国家高新区", "park", "高新区", True),
        ("国家高新区", "park", "高新区", False),
        ("西北师范大学科技园", "park", "科技园", True),
        ("大学科技园", "park", "科技园", False),
        ("宁夏众创空间", "park", "众创空间", False),
        ("科技创新专项资金", "fund", "专项资金", True),
        ("政府专项资金", "fund", "专项资金", False),
        ("天使投资基金", "fund", "基金", False),
        ("大学生创业引领计划", "program", "计划", True),
        ("政府采购计划", "program", "计划", False),
        ("创业创新5大平台搭建行动", "program", "行动", False),
    ],
)
def test_is_named(name, kind, suffix, expected):
    assert is_named(name, kind, suffix) is expected


def _prf(tp: int, predicted: int, gold: int) -> tuple[float, float, float]:
    precision = tp / predicted if predicted else 0.0
    recall = tp / gold if gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def test_seeds_against_gold_per_kind():
    totals = {kind: [0, 0, 0] for kind in FIELDS}
    report = []
    for gold_file in GOLD:
        gold = json.loads(gold_file.read_text("utf-8"))
        text = (SEEDS / gold["document"]).read_text("utf-8")
        entities = extract_named(text)
        for kind, field in FIELDS.items():
            expected = {entity_key(n) for n in gold[field]}
            found = {entity_key(e.name) for e in entities if e.kind == kind}
            totals[kind][0] += len(expected & found)
            totals[kind][1] += len(found)
            totals[kind][2] += len(expected)
            report += [f"{gold_file.stem} {kind} MISS {k}" for k in sorted(expected - found)]
            report += [f"{gold_file.stem} {kind} FALSE {k}" for k in sorted(found - expected)]
    scores = {kind: _prf(*counts) for kind, counts in totals.items()}
    summary = ", ".join(f"{k}: P={p:.2f} R={r:.2f} F1={f:.2f}" for k, (p, r, f) in scores.items())
    assert all(f >= 0.80 for _, _, f in scores.values()), summary + "\n" + "\n".join(report)
