import pytest

from policygraph.extract.clauses import find_clauses
from policygraph.resolve import is_generic, looks_like_agency

from .conftest import load_cases

CASES = load_cases("clauses.json")


def mentions(text, lexicon):
    generic = lambda s: is_generic(s, lexicon)  # noqa: E731
    clauses = find_clauses(text, lambda s: generic(s) or looks_like_agency(s, lexicon), generic)
    out = []
    for clause in clauses:
        for m in clause.mentions:
            assert text[m.span.start:m.span.end] == m.surface
            out.append([m.surface, m.role] + (["generic"] if m.generic else []))
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_clause_cases(case, lexicon):
    assert mentions(case["text"], lexicon) == case["expected"]


def test_clause_text_and_span_are_provenance(lexicon):
    text = "（一）任务。内容。（省科技厅牵头，省财政厅配合）"
    clause, = find_clauses(text, lambda s: looks_like_agency(s, lexicon), lambda s: is_generic(s, lexicon))
    assert clause.text == "（省科技厅牵头，省财政厅配合）"
    assert text[clause.span.start:clause.span.end] == clause.text
