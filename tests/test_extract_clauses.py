import pytest

from policygraph.extract.clauses import find_clauses
from policygraph.resolve import Resolver

from .conftest import load_cases

CASES = load_cases("clauses.json")


def mentions(text, lexicon):
    scan = find_clauses(text, Resolver(lexicon).judge)
    out = []
    for clause in scan.clauses:
        for m in clause.mentions:
            assert text[m.span.start:m.span.end] == m.surface
            out.append([m.surface, m.role] + (["generic"] if m.generic else []))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_clause_cases(case, lexicon):
    assert mentions(case["text"], lexicon) == case["expected"]


def test_clause_text_and_span_are_provenance(lexicon):
    text = "（一）任务。内容。（省科技厅牵头，省财政厅配合）"
    clause, = find_clauses(text, Resolver(lexicon).judge).clauses
    assert clause.text == "（省科技厅牵头，省财政厅配合）"
    assert text[clause.span.start:clause.span.end] == clause.text


def test_a_cued_list_of_prose_is_rejected_with_its_reason(lexicon):
    text = "（一）完善补贴。（具体办法由省财政厅会同有关部门制定并负责）"
    scan = find_clauses(text, Resolver(lexicon).judge)
    assert scan.clauses == ()
    rejection, = scan.rejected
    assert rejection.text.startswith("（具体办法") and rejection.reason == "no item is a body"


def test_the_first_listed_lead_rule_is_reported(lexicon):
    text = "（一）任务。（农业农村部、工业和信息化部负责，列第一位者为牵头单位，下同）"
    scan = find_clauses(text, Resolver(lexicon).judge)
    assert scan.first_listed_leads
    assert [m.surface for m in scan.clauses[0].mentions] == ["农业农村部", "工业和信息化部"]
