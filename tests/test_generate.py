"""The synthetic corpus generator: deterministic output, gold files in the SCHEMA format, and the pipeline's scores on it."""
from __future__ import annotations

import importlib.util
import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SCHEMA_FIELDS = ["document", "jurisdiction", "title", "document_number", "issued", "issuer", "implements", "tasks",
                 "agency_clusters", "distinct_agencies", "targets", "parks", "funds", "programs"]
TARGET_FIELDS = {"text", "value", "value_max", "unit", "year", "comparator"}
ROLES = {"lead", "support", "responsible"}
COMPARATORS = {">=", "<=", "="}
OUTLINE = re.compile(r"^[一二三四五六七八九十]+(/[一二三四五六七八九十]+(/[0-9]+)?)?$")
NUMBER = re.compile(r"^\S+〔\d{4}〕\d+号$")
NAME = re.compile(r"^\d{5}_[a-z]+_(plan|opinion|action)\.txt$")
PROVINCES = 31


@pytest.fixture(scope="module")
def gen():
    """benchmarks/generate.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location("generate", ROOT / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["generate"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus(gen, tmp_path_factory):
    out = tmp_path_factory.mktemp("synthetic")
    gen.generate_corpus(30, out, seed=7)
    return out


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _golds(folder: Path) -> list[tuple[dict, str]]:
    out = []
    for path in sorted((folder / "gold").glob("*.json")):
        gold = json.loads(path.read_text("utf-8"))
        out.append((gold, (folder / gold["document"]).read_text("utf-8")))
    return out


# ---------------------------------------------------------------- determinism


def test_same_seed_same_bytes(gen, tmp_path):
    gen.generate_corpus(20, tmp_path / "a", seed=11)
    gen.generate_corpus(20, tmp_path / "b", seed=11)
    a, b = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert len(a) == 40
    assert a == b


def test_another_seed_another_corpus(gen, tmp_path):
    gen.generate_corpus(5, tmp_path / "a", seed=1)
    gen.generate_corpus(5, tmp_path / "b", seed=2)
    assert _tree(tmp_path / "a") != _tree(tmp_path / "b")


def test_worker_processes_write_the_same_bytes(gen, tmp_path):
    gen.generate_corpus(200, tmp_path / "one", seed=3, jobs=1)
    gen.generate_corpus(200, tmp_path / "two", seed=3, jobs=2)
    assert _tree(tmp_path / "one") == _tree(tmp_path / "two")


def test_a_document_is_the_same_alone_or_in_a_corpus(gen, corpus):
    vocab = gen.load_vocab()
    doc = gen.generate_document(vocab, 7, 4)
    assert (corpus / doc.name).read_text("utf-8") == doc.text


def test_command_line_writes_documents_gold_and_rate(gen, tmp_path, capsys):
    assert gen.main(["3", str(tmp_path / "out"), "--seed", "5", "--gold-dir", str(tmp_path / "g")]) == 0
    texts = sorted(p.name for p in (tmp_path / "out").glob("*.txt"))
    golds = sorted(p.name for p in (tmp_path / "g").glob("*.json"))
    assert len(texts) == 3 and [t[:-4] for t in texts] == [g[:-5] for g in golds]
    assert all(NAME.match(t) for t in texts)
    assert "docs/s" in capsys.readouterr().err


def test_document_numbers_are_unique_across_a_corpus(gen, tmp_path):
    from policygraph.normalize import normalize_document_number

    gen.generate_corpus(300, tmp_path, seed=9)
    numbers = [normalize_document_number(g["document_number"]) for g, _ in _golds(tmp_path) if g["document_number"]]
    assert len(numbers) > 100
    assert len(numbers) == len(set(numbers))


# ---------------------------------------------------------------- gold format


def _check_gold(gold: dict, text: str) -> None:
    flat = text.replace("\n", "")
    assert list(gold) == SCHEMA_FIELDS
    assert NAME.match(gold["document"])
    assert isinstance(gold["jurisdiction"], str) and gold["jurisdiction"].endswith(("省", "市", "自治区"))
    if gold["title"] is not None:
        assert gold["title"] in flat
    if gold["document_number"] is not None:
        assert gold["document_number"] in text
    if gold["issued"] is not None:
        date.fromisoformat(gold["issued"])
    if gold["issuer"] is not None:
        assert gold["issuer"] in flat
    for number in gold["implements"]:
        assert NUMBER.match(number) and number.isascii() is False
        assert not re.search(r"[０-９]", number)
    assert gold["tasks"], "every document has tasks"
    for task in gold["tasks"]:
        assert set(task) == {"path", "title", "assignments"}
        assert OUTLINE.match(task["path"]), task["path"]
        assert task["title"] and task["title"] in text
        for a in task["assignments"]:
            assert set(a) <= {"mention", "role", "generic"}
            assert a["role"] in ROLES
            assert a.get("generic", True) is True
            assert a["mention"] in text, a["mention"]
    for cluster in gold["agency_clusters"]:
        assert len(cluster) >= 2 and len(set(cluster)) == len(cluster)
        assert all(m in text for m in cluster)
    for pair in gold["distinct_agencies"]:
        assert len(pair) == 2 and pair[0] != pair[1] and all(m in text for m in pair)
    for t in gold["targets"]:
        assert TARGET_FIELDS <= set(t) <= TARGET_FIELDS | {"annual"}
        assert t["text"] in text, t["text"]
        assert isinstance(t["value"], (int, float)) and t["value"] > 0
        assert t["value_max"] is None or t["value_max"] > t["value"]
        assert t["comparator"] in COMPARATORS
        assert t["year"] is None or 2015 <= t["year"] <= 2030
        assert t.get("annual", True) is True
    for kind in ("parks", "funds", "programs"):
        assert len(set(gold[kind])) == len(gold[kind])
        assert all(name in text for name in gold[kind])


def test_every_gold_file_follows_the_schema(corpus):
    golds = _golds(corpus)
    assert len(golds) == 30
    for gold, text in golds:
        _check_gold(gold, text)


def test_gold_task_paths_are_unique_and_in_document_order(corpus):
    for gold, text in _golds(corpus):
        paths = [t["path"] for t in gold["tasks"]]
        assert len(paths) == len(set(paths))
        position = 0
        for task in gold["tasks"]:
            position = text.find(task["title"] + "。", position)
            assert position >= 0, f"{task['path']} {task['title']} out of order"


def test_large_numbers_fold_their_multipliers(gen, tmp_path):
    gen.generate_corpus(60, tmp_path, seed=21)
    seen = 0
    for gold, _ in _golds(tmp_path):
        for t in gold["targets"]:
            surface = t["text"].translate(str.maketrans("０１２３４５６７８９", "0123456789"))
            if "亿元" in surface:
                assert t["unit"] == "元" and t["value"] >= 10 ** 8
                seen += 1
            elif re.search(r"\d万(人|名)", surface):
                assert t["value"] >= 10 ** 4
                seen += 1
    assert seen > 10


# ---------------------------------------------------------------- what the corpus varies


def test_the_corpus_varies_what_a_real_corpus_varies(gen, tmp_path):
    gen.generate_corpus(150, tmp_path, seed=2)
    golds = _golds(tmp_path)
    texts = "\n".join(text for _, text in golds)
    jurisdictions = {g["jurisdiction"] for g, _ in golds}
    assert len(jurisdictions) >= 25
    assert any(not j.endswith(("省", "自治区")) and j not in ("北京市", "天津市", "上海市", "重庆市")
               for j in jurisdictions), "some prefecture-level cities"
    for marker in ("（责任单位：", "等负责）", "牵头，", "配合）", "牵头负责）", "按职责分工负责）", "牵头单位：",
                   "〔2016〕", "专栏", "——", "1.", "(", "（一）", "到2020年", "每年", "亿元", "有关部门", "管委会",
                   "印发", "各市"):
        assert marker in texts, marker
    assert re.search(r"[０-９]{4}年", texts), "some documents in full-width digits"
    counts = [len(g["tasks"]) for g, _ in golds]
    assert 30 <= sum(counts) / len(counts) <= 45 and max(counts) <= 50
    assert any(g["title"] is None for g, _ in golds) or any(g["document_number"] is None for g, _ in golds)
    assert any(not t["assignments"] for g, _ in golds for t in g["tasks"]), "documents without clauses"
    assert any(a["role"] == "lead" for g, _ in golds for t in g["tasks"] for a in t["assignments"])
    assert any(a.get("generic") for g, _ in golds for t in g["tasks"] for a in t["assignments"])
    assert any(g["agency_clusters"] for g, _ in golds)
    assert any(t.get("annual") for g, _ in golds for t in g["targets"])
    assert any(t["value_max"] for g, _ in golds for t in g["targets"])


def test_frequent_departments_outnumber_rare_ones(gen, tmp_path):
    from collections import Counter

    gen.generate_corpus(60, tmp_path, seed=4)
    named = Counter(a["mention"] for g, _ in _golds(tmp_path) for t in g["tasks"] for a in t["assignments"])
    assert named["省科技厅"] > 5 * max(1, named["省统计局"])
    assert named["省发展改革委"] > named["省审计厅"]


# ---------------------------------------------------------------- the pipeline on generated documents


@pytest.fixture(scope="module")
def scored(corpus, tmp_path_factory):
    from policygraph.evaluate import evaluate
    from policygraph.pipeline import build_corpus

    out = tmp_path_factory.mktemp("synthetic-build")
    report, dataset = build_corpus([p for p in sorted(corpus.glob("*.txt"))], out, load=True)
    assert report.ok
    return evaluate(dataset, corpus / "gold", corpus_dir=corpus)


FLOORS = {
    "tasks": 0.95,
    "task_titles": 0.98,
    "assignments": 0.95,
    "generic": 0.95,
    "targets": 0.95,
    "funds": 0.95,
    "programs": 0.95,
    "parks": 0.85,
    "jurisdiction": 1.0,
    "title": 1.0,
    "document_number": 1.0,
    "issuer": 1.0,
    "implements": 1.0,
    "issued": 0.80,
}


@pytest.mark.parametrize("field,floor", FLOORS.items())
def test_pipeline_meets_its_floor_on_generated_documents(scored, field, floor):
    from policygraph.evaluate import format_report

    assert scored.fields[field].f1 >= floor, format_report(scored)


def test_pipeline_roles_on_generated_documents(scored):
    assert scored.role_accuracy >= 0.98
    assert not scored.missing_documents
