"""Tests for the quantified-target extractor: case table, provenance, and F1 against the seed gold."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from policygraph.extract.targets import extract_targets
from policygraph.normalize import fold

__all__: list[str] = []

HERE = Path(__file__).parent
CASES = json.loads((HERE / "cases" / "targets.json").read_text("utf-8"))
GOLD_DIR = HERE.parent / "data" / "gold"
SEED_DIR = HERE.parent / "data" / "seeds"
FIELDS = ("value", "value_max", "unit", "comparator", "year", "annual")


def _same_number(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    a, b = Decimal(str(a)), Decimal(str(b))
    return abs(a - b) <= Decimal("1e-9") * max(Decimal(1), abs(b))


def _agrees(pred, gold: dict) -> bool:
    """Field agreement as in the evaluation: numbers, folded unit, year, comparator, annual."""
    unit = fold(pred.unit) if pred.unit else None
    gold_unit = fold(gold["unit"]) if gold.get("unit") else None
    return (
        _same_number(pred.value, gold["value"])
        and _same_number(pred.value_max, gold.get("value_max"))
        and unit == gold_unit
        and pred.year == gold.get("year")
        and pred.comparator == gold["comparator"]
        and pred.annual == bool(gold.get("annual", False))
    )


def _row(t) -> dict:
    return {f: getattr(t, f) for f in FIELDS}


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_case_table(case):
    got = extract_targets(case["text"], title=case.get("title"))
    assert len(got) == len(case["expected"]), [(_row(t), t.surface) for t in got]
    for pred, exp in zip(got, case["expected"]):
        assert _agrees(pred, exp), (_row(pred), exp, pred.surface)


@pytest.mark.parametrize("case", CASES, ids=[c["note"] for c in CASES])
def test_provenance(case):
    text = case["text"]
    got = extract_targets(text, title=case.get("title"))
    assert list(got) == sorted(got, key=lambda t: t.span)
    for t in got:
        assert t.span.slice(text) == t.surface
        assert t.sentence_span.slice(text) == t.sentence
        assert t.sentence_span.contains(t.span)
        assert "\n" not in t.sentence


@pytest.mark.parametrize(
    "text, metric",
    [
        ("到2020年，全省孵化器数量达到50家以上。", "孵化器数量"),
        ("到２０２０年，聚集创客１万人以上。", "创客"),
        ("到2020年，全省建成50家以上众创空间。", "众创空间"),
        ("支持创办大学创客空间5家。", "大学创客空间"),
        ("在每个开发区建立1家科技企业孵化器。", "科技企业孵化器"),
    ],
)
def test_metric(text, metric):
    (t,) = extract_targets(text)
    assert t.metric == metric


def test_surface_keeps_full_width_text():
    text = "到２０２０年，在孵企业达到５０００家以上、聚集创客１万人以上。"
    a, b = extract_targets(text)
    assert a.surface == "在孵企业达到５０００家以上"
    assert b.surface == "聚集创客１万人以上"
    assert a.sentence == b.sentence == text.rstrip("。")


def _score(doc_gold: dict) -> tuple[int, int, int, list[str]]:
    text = (SEED_DIR / doc_gold["document"]).read_text("utf-8")
    folded = fold(text)
    preds = list(extract_targets(text))
    used: set[int] = set()
    misses = []
    for g in doc_gold["targets"]:
        start = folded.find(fold(g["text"]))
        end = start + len(g["text"])
        hit = next(
            (i for i, p in enumerate(preds)
             if i not in used and p.span.start < end and start < p.span.end and _agrees(p, g)),
            None,
        )
        if hit is None:
            misses.append(f"miss {doc_gold['document']}: {g}")
        else:
            used.add(hit)
    extra = [f"extra {doc_gold['document']}: {_row(p)} {p.surface}" for i, p in enumerate(preds) if i not in used]
    tp = len(used)
    return tp, len(preds) - tp, len(doc_gold["targets"]) - tp, misses + extra


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def test_seed_f1():
    total = [0, 0, 0]
    report = []
    for path in sorted(GOLD_DIR.glob("*.json")):
        gold = json.loads(path.read_text("utf-8"))
        tp, fp, fn, notes = _score(gold)
        total = [total[0] + tp, total[1] + fp, total[2] + fn]
        report.append(f"{gold['document']}: tp={tp} fp={fp} fn={fn} F1={_f1(tp, fp, fn):.3f}")
        report.extend(notes)
    overall = _f1(*total)
    print("\n".join(report))
    print(f"overall F1={overall:.3f}")
    assert overall >= 0.90, "\n".join(report)
