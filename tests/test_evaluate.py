"""Tests for policygraph.evaluate: a hand-built graph with known differences from a small gold file."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import rdflib

from policygraph.errors import InputError
from policygraph.evaluate import FIELDS, Miss, Report, Score, entity_key, evaluate, format_report

HERE = Path(__file__).parent
FIXTURES = HERE / "fixtures" / "evaluate"
GOLD = FIXTURES / "gold"
CORPUS = FIXTURES / "corpus"
REAL_GOLD = HERE.parent / "data" / "gold"
DOC = "demo_001.txt"


def load(replace: dict[str, str] | None = None) -> rdflib.Dataset:
    """The fixture dataset, optionally with some Turtle text replaced to plant a difference."""
    text = (FIXTURES / "graph.trig").read_text(encoding="utf-8")
    for old, new in (replace or {}).items():
        assert old in text, old
        text = text.replace(old, new)
    ds = rdflib.Dataset()
    ds.parse(data=text, format="trig")
    return ds


def merged(ds: rdflib.Dataset) -> rdflib.Graph:
    g = rdflib.Graph()
    for s, p, o, _ in ds.quads():
        g.add((s, p, o))
    return g


def doc_text() -> str:
    return (CORPUS / DOC).read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report() -> Report:
    return evaluate(load(), GOLD, texts={DOC: doc_text()})


EXPECTED = {
    "tasks": (3, 1, 0),
    "task_titles": (2, 0, 1),
    "assignments": (7, 1, 1),
    "roles": (6, 0, 1),
    "generic": (1, 0, 0),
    "alias_clusters": (1, 0, 1),
    "distinct_agencies": (1, 1, 1),
    "targets": (2, 2, 2),
    "targets_value": (3, 1, 1),
    "parks": (1, 0, 1),
    "funds": (1, 1, 0),
    "programs": (1, 0, 0),
    "jurisdiction": (1, 0, 0),
    "title": (1, 0, 0),
    "document_number": (1, 0, 0),
    "issued": (0, 0, 1),
    "issuer": (1, 0, 0),
    "implements": (1, 1, 0),
}

EXPECTED_MISSES = [
    ("tasks", "spurious", "二 重点任务"),
    ("task_titles", "wrong", "二/三: gold '培育创业人才', graph '培育人才'"),
    ("assignments", "spurious", "二 省科技厅 (responsible)"),
    ("assignments", "missed", "二/二 省政府金融办 (responsible)"),
    ("roles", "wrong", "二/三 省教育厅: gold support, graph responsible"),
    ("alias_clusters", "missed", "省财政厅 = 财政厅: not found 财政厅"),
    ("distinct_agencies", "wrong", "省人社厅 ≠ 省教育厅: merged into 甘肃省人力资源和社会保障厅"),
    ("distinct_agencies", "missed", "省财政厅 ≠ 省政府金融办: not found 省政府金融办"),
    ("targets", "wrong", "建设众创空间20个: year: gold 2020, graph None"),
    ("targets", "missed", "每年新增创业人员1万人 (= 10000人, annual)"),
    ("targets", "spurious", "贷款贴息50% (= 50%)"),
    ("parks", "missed", "兰州高新技术产业开发区"),
    ("funds", "spurious", "创业投资引导基金"),
    ("issued", "wrong", "gold '2016-03-01', graph '2016-01-03'"),
    ("implements", "spurious", "国办发〔2015〕9号"),
]


@pytest.mark.parametrize("name", FIELDS)
def test_field_counts(report, name):
    assert (report.fields[name].tp, report.fields[name].fp, report.fields[name].fn) == EXPECTED[name]
    assert report.documents[DOC][name] == report.fields[name]


@pytest.mark.parametrize(
    "name, precision, recall, f1",
    [
        ("tasks", 0.75, 1.0, 6 / 7),
        ("assignments", 0.875, 0.875, 0.875),
        ("roles", 1.0, 6 / 7, 12 / 13),
        ("distinct_agencies", 0.5, 0.5, 0.5),
        ("targets", 0.5, 0.5, 0.5),
        ("targets_value", 0.75, 0.75, 0.75),
        ("funds", 0.5, 1.0, 2 / 3),
        ("issued", 0.0, 0.0, 0.0),
        ("programs", 1.0, 1.0, 1.0),
    ],
)
def test_precision_recall_f1(report, name, precision, recall, f1):
    s = report.fields[name]
    assert s.precision == pytest.approx(precision)
    assert s.recall == pytest.approx(recall)
    assert s.f1 == pytest.approx(f1)


def test_role_accuracy(report):
    assert report.role_accuracy == pytest.approx(6 / 7)


def test_misses(report):
    assert list(report.misses) == [Miss(DOC, f, k, d) for f, k, d in EXPECTED_MISSES]
    assert report.missing_documents == ()


def test_score_edge_cases():
    assert Score().f1 == 1.0 and Score().precision == 1.0 and Score().recall == 1.0
    assert (Score(0, 0, 4).precision, Score(0, 0, 4).recall, Score(0, 0, 4).f1) == (0.0, 0.0, 0.0)
    assert (Score(0, 3, 0).precision, Score(0, 3, 0).recall, Score(0, 3, 0).f1) == (0.0, 0.0, 0.0)
    assert Score(1, 2, 3) + Score(1, 1, 1) == Score(2, 3, 4)


def test_format_report(report):
    lines = format_report(report).splitlines()
    assert lines[:4] == [
        "field                  P      R     F1  tp  fp  fn",
        "tasks              0.750  1.000  0.857   3   1   0",
        "task_titles        1.000  0.667  0.800   2   0   1",
        "assignments        0.875  0.875  0.875   7   1   1",
    ]
    assert lines[len(FIELDS)] == "implements         0.500  1.000  0.667   1   1   0"
    assert lines[len(FIELDS) + 1 : len(FIELDS) + 7] == [
        "",
        "role accuracy: 0.857 (6/7)",
        "documents: 1, missing from the graph: 0",
        "parks, funds and programs are matched per document; document–name pairs in the graph: "
        "parks 1 (1 distinct), funds 2 (2 distinct), programs 1 (1 distinct)",
        "",
        DOC,
    ]
    assert lines[len(FIELDS) + 7 :] == [f"  {f:<17}  {k:<8}  {d}" for f, k, d in EXPECTED_MISSES]
    assert lines[len(FIELDS) + 7] == "  tasks              spurious  二 重点任务"
    short = format_report(report, misses=False).splitlines()
    assert short == lines[: len(FIELDS) + 5]


def test_to_dict_is_json(report):
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    assert data["fields"]["assignments"] == {
        "tp": 7, "fp": 1, "fn": 1, "precision": 0.875, "recall": 0.875, "f1": 0.875,
    }
    assert data["role_accuracy"] == pytest.approx(6 / 7)
    assert data["documents"][DOC]["issued"]["fn"] == 1
    assert data["misses"][0] == {"document": DOC, "field": "tasks", "kind": "spurious", "detail": "二 重点任务"}
    assert data["missing_documents"] == []


def test_dataset_merged_graph_and_text_sources_agree(report):
    ds = load()
    variants = [
        evaluate(merged(ds), GOLD, texts={DOC: doc_text()}),
        evaluate(ds, GOLD, corpus_dir=CORPUS),
        evaluate(ds, GOLD),
        evaluate(ds, GOLD, documents=[f"some/folder/{DOC}"]),
    ]
    for other in variants:
        assert other.fields == report.fields
        assert other.misses == report.misses


def test_target_offsets_decide_when_the_text_is_known():
    ds = load({"pg:startOffset 108 ; pg:endOffset 120": "pg:startOffset 0 ; pg:endOffset 5"})
    with_text = evaluate(ds, GOLD, texts={DOC: doc_text()})
    assert with_text.fields["targets"] == Score(1, 3, 3)
    assert Miss(DOC, "targets", "missed", "全省孵化器数量达到50家以上 (>= 50家, 2020)") in with_text.misses
    without_text = evaluate(ds, GOLD)
    assert without_text.fields["targets"] == Score(2, 2, 2)


def test_target_value_tolerance_is_relative_one_in_a_million():
    ds = load({"pg:value 0.333333333333333333": "pg:value 0.3333"})
    r = evaluate(ds, GOLD, texts={DOC: doc_text()})
    assert r.fields["targets"] == Score(1, 3, 3)
    assert Miss(DOC, "targets", "wrong", "支持全省1/3以上的高校创办创客空间: value: gold 0.333333, graph 0.3333") in r.misses


def test_generic_mismatch_is_reported():
    ds = load({"<body/xghy> a pg:UnspecifiedBody": "<body/xghy> a pg:Agency"})
    r = evaluate(ds, GOLD)
    assert r.fields["generic"] == Score(0, 0, 1)
    assert r.fields["assignments"] == Score(7, 1, 1)
    assert Miss(DOC, "generic", "wrong", "二/二 相关行业主管部门: gold generic, graph specific") in r.misses


def test_cluster_split_over_two_agencies():
    ds = load({
        'skos:altLabel "甘肃省人民政府", "省政府" .': 'skos:altLabel "甘肃省人民政府" .\n'
        '  <agency/gov2> a pg:Agency ; rdfs:label "甘肃省政府"@zh ; skos:altLabel "省政府" .\n'
        '  <item/2-3> pg:responsibleAgency <agency/gov2> .',
    })
    r = evaluate(ds, GOLD)
    assert r.fields["alias_clusters"] == Score(0, 0, 2)
    assert Miss(DOC, "alias_clusters", "missed",
                "甘肃省人民政府 = 省政府: split over 2 agencies (甘肃省人民政府 → 甘肃省人民政府; 省政府 → 甘肃省政府)") in r.misses


def test_agency_of_another_document_does_not_resolve_a_cluster():
    ds = load({"<agency/czt> a pg:Agency, org:Organization ;": "<agency/other> a pg:Agency ; skos:altLabel \"财政厅\" .\n"
               "  <agency/czt> a pg:Agency, org:Organization ;"})
    assert evaluate(ds, GOLD).fields["alias_clusters"] == Score(1, 0, 1)


def write_gold(tmp_path: Path, **changes) -> Path:
    gold = json.loads((GOLD / "demo_001.json").read_text(encoding="utf-8"))
    gold.update(changes)
    (tmp_path / "demo_001.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return tmp_path


def test_title_absence_semantics(tmp_path):
    gold_dir = write_gold(tmp_path, title=None, issuer=None)
    r = evaluate(load(), gold_dir)
    assert r.fields["title"] == Score(0, 1, 0)
    assert r.fields["issuer"] == Score(0, 1, 0)
    assert Miss(DOC, "title", "spurious", "graph '甘肃省人民政府关于推进示范创新的实施方案'") in r.misses
    bare = load({'dcterms:title "甘肃省人民政府关于推进示范创新的实施方案" ;': "", "pg:issuedBy <agency/gov> ;": ""})
    r = evaluate(bare, gold_dir)
    assert r.fields["title"] == Score(1, 0, 0)
    assert r.fields["issuer"] == Score(1, 0, 0)
    r = evaluate(bare, GOLD)
    assert r.fields["title"] == Score(0, 0, 1)
    assert Miss(DOC, "issuer", "missed", "gold '甘肃省人民政府'") in r.misses


def test_entity_key_ignores_quotes_width_and_spaces():
    assert entity_key("“大学生创业引领计划”") == entity_key("大学生创业引领计划")
    assert entity_key("《互联网＋》 行动") == "互联网+行动"


def real_gold_counts(doc: str) -> dict[str, int]:
    gold = json.loads((REAL_GOLD / doc.replace(".txt", ".json")).read_text(encoding="utf-8"))
    return {
        "tasks": len(gold["tasks"]),
        "assignments": sum(len(t["assignments"]) for t in gold["tasks"]),
        "alias_clusters": len(gold["agency_clusters"]),
        "distinct_agencies": len(gold["distinct_agencies"]),
        "targets": len(gold["targets"]),
        "parks": len(set(map(entity_key, gold["parks"]))),
        "funds": len(set(map(entity_key, gold["funds"]))),
        "programs": len(set(map(entity_key, gold["programs"]))),
        "implements": len(gold["implements"]),
        "jurisdiction": 1,
        "title": int(gold["title"] is not None),
    }


def test_document_absent_from_the_graph_has_recall_zero():
    doc = "000_34f3cba3223de74d.txt"
    r = evaluate(load(), REAL_GOLD, documents=[doc])
    assert r.missing_documents == (doc,)
    assert list(r.misses) == [Miss(doc, "document", "missed", "missing document: not in the graph")]
    for name, expected in real_gold_counts(doc).items():
        assert r.fields[name] == Score(0, 0, expected), name
        assert r.fields[name].recall == 0.0
    assert all(s.tp == 0 and s.fp == 0 for s in r.fields.values())
    assert "documents: 1, missing from the graph: 1" in format_report(r)


def test_every_real_gold_file_is_missing_from_an_empty_graph():
    r = evaluate(rdflib.Graph(), REAL_GOLD)
    assert len(r.missing_documents) == 5
    assert set(r.documents) == set(r.missing_documents)
    assert r.fields["assignments"].recall == 0.0 and r.fields["assignments"].fn > 100


def test_gold_dir_must_exist(tmp_path):
    with pytest.raises(InputError):
        evaluate(load(), tmp_path / "nowhere")
