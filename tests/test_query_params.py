"""Every named query's parameters restrict its rows: each is checked against the same rows read from the triples.

The expected rows are computed here with rdflib's triple API, not SPARQL, so
a parameter that relabels instead of restricting, or drops rows, shows up as a
difference. Each case runs on the TriG file (rdflib's engine) and the store
(Oxigraph's).
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from collections import Counter

import pytest
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import SKOS

from policygraph.query import list_queries, resolve_query, run_query
from policygraph.vocab import PG

from .conftest import ROOT


def _zh(graph, node, predicate=RDFS.label):
    return next((str(o) for o in sorted(graph.objects(node, predicate)) if getattr(o, "language", None) == "zh"),
                str(node))


def _one(graph, node, predicate):
    return next(iter(sorted(set(graph.objects(node, predicate)))), None)


def _agencies_named(graph, value):
    """The agencies ``value`` names: by a label or written form equal to it, or by its IRI."""
    if value.startswith("<"):
        iri = URIRef(value.strip("<>"))
        return {iri} if (iri, RDF.type, PG.Agency) in graph else set()
    named = {s for p in (RDFS.label, SKOS.altLabel) for s, o in graph.subject_objects(p) if str(o) == value}
    return {a for a in named if (a, RDF.type, PG.Agency) in graph}


def _tasks_of(graph, agency):
    return set(graph.subjects(PG.responsibleAgency, agency))


def expected_agency_tasks(graph, value):
    rows = Counter()
    for a in _agencies_named(graph, value):
        for t in _tasks_of(graph, a):
            role = ("lead" if (t, PG.leadAgency, a) in graph else
                    "support" if (t, PG.supportingAgency, a) in graph else "responsible")
            document = _one(graph, t, PG.inDocument)
            rows[(_zh(graph, a), str(_one(graph, document, PG.sourceFile)), str(_one(graph, t, PG.outline)), role)] += 1
    return rows


def got_agency_tasks(result):
    return Counter((str(r["name"]), str(r["document"]), str(r["outline"]), str(r["role"])) for r in result.dicts())


def expected_co_agencies(graph, value):
    rows = Counter()
    for a in _agencies_named(graph, value):
        shared = Counter(b for t in _tasks_of(graph, a) for b in set(graph.objects(t, PG.responsibleAgency)) if b != a)
        rows.update((_zh(graph, a), _zh(graph, b), n) for b, n in shared.items())
    return rows


def got_co_agencies(result):
    return Counter((str(r["name"]), str(r["partner"]), r["shared"].toPython()) for r in result.dicts())


def expected_agency_type_compare(graph, local_name):
    """Per (jurisdiction, agency) of the type: tasks, lead, support, and the jurisdiction's tasks with an agency."""
    agency_type = URIRef(str(PG) + local_name)

    def jurisdiction(task):
        return _one(graph, _one(graph, task, PG.inDocument), PG.jurisdiction)

    with_agency = {t for t, _ in graph.subject_objects(PG.responsibleAgency)}
    per_jurisdiction = Counter(jurisdiction(t) for t in with_agency)
    tasks, leads, supports = Counter(), Counter(), Counter()
    for a in set(graph.subjects(PG.agencyType, agency_type)):
        for t in _tasks_of(graph, a):
            key = (jurisdiction(t), a)
            tasks[key] += 1
            leads[key] += (t, PG.leadAgency, a) in graph
            supports[key] += (t, PG.supportingAgency, a) in graph
    return Counter((_zh(graph, j), _zh(graph, a), n, leads[(j, a)], supports[(j, a)], per_jurisdiction[j])
                   for (j, a), n in tasks.items())


def got_agency_type_compare(result):
    rows = result.dicts()
    for r in rows:
        assert abs(float(r["share"].toPython()) - r["tasks"].toPython() / r["jurisdictionTasks"].toPython()) <= 5e-4
    return Counter((str(r["jurisdiction"]), str(r["agency"]), *(r[k].toPython() for k in
                    ("tasks", "lead", "support", "jurisdictionTasks"))) for r in rows)


def _targets(graph):
    return {g for g in graph.subjects(RDF.type, PG.Target)
            if _one(graph, g, PG.value) is not None and _one(graph, g, PG.inDocument) is not None}


def _target_row(graph, g):
    return (str(_one(graph, _one(graph, g, PG.inDocument), PG.sourceFile)), str(_one(graph, g, PG.surface)),
            _one(graph, g, PG.value).toPython())


def expected_targets_compare(graph, words):
    return Counter(_target_row(graph, g) for g in _targets(graph)
                   if any(words in str(o) for p in (PG.metric, PG.surface) for o in graph.objects(g, p)))


def got_targets_compare(result):
    return Counter((str(r["document"]), str(r["target"]), r["value"].toPython()) for r in result.dicts())


def expected_targets_by_year(graph, year):
    """The targets due in ``year``, each with that year: a relabelled row of another year would differ."""
    return Counter((*_target_row(graph, g), int(year)) for g in _targets(graph)
                   if any(y.toPython() == int(year) for y in graph.objects(g, PG.targetYear)))


def got_targets_by_year(result):
    return Counter((str(r["document"]), str(r["target"]), r["value"].toPython(), r["year"].toPython())
                   for r in result.dicts())


def _science_iri(graph):
    return "<" + str(next(iter(_agencies_named(graph, "宁夏回族自治区科学技术厅")))) + ">"


#: (query, parameter) → the values tried, the expected rows from the triples, the rows the query gave.
#: A value given as a function of the graph is computed from it (an IRI). The type cases name the type each
#: spelling must find, so the lookup itself is checked too.
CASES = {
    ("agency-tasks", "agency"): (["甘肃省科学技术厅", "省科技厅", "自治区科技厅", _science_iri, "不存在的机构"],
                                 expected_agency_tasks, got_agency_tasks),
    ("co-agencies", "agency"): (["青海省科学技术厅", "省科技厅", "自治区财政厅", _science_iri, "不存在的机构"],
                                expected_co_agencies, got_co_agencies),
    ("agency-type-compare", "type"): ([("科技", "ScienceTechnology"), ("finance", "Finance"),
                                       ("Finance", "Finance"), ("发展和改革", "DevelopmentReform"),
                                       (f"<{PG}Education>", "Education"), ("人民政府", "PeoplesGovernments"),
                                       ("工商行政管理", "IndustryCommerceAdministration")],
                                      expected_agency_type_compare, got_agency_type_compare),
    ("targets-compare", "metric"): (["孵化器", "众创空间", "企业", "不存在的指标"],
                                    expected_targets_compare, got_targets_compare),
    ("targets-by-year", "year"): (["2017", "2020", "2025", "1999"], expected_targets_by_year, got_targets_by_year),
}


def test_every_declared_parameter_has_a_case():
    declared = {(q.name, p) for q in list_queries() for p in q.params}
    assert declared == set(CASES)


@pytest.fixture(scope="module")
def seed_store(seed_build):
    from policygraph.store import load_graph_file

    return load_graph_file(seed_build[2] / "store")


def _cases():
    for (name, param), (values, _, _) in sorted(CASES.items()):
        for value in values:
            label = value if isinstance(value, str) else value[0] if isinstance(value, tuple) else "IRI"
            yield pytest.param(name, param, value, id=f"{name}-{param}={label}")


@pytest.mark.parametrize("where", ["memory", "store"])
@pytest.mark.parametrize("name, param, value", list(_cases()))
def test_parameter_restricts_to_the_rows_the_triples_give(name, param, value, where, seed_graph, seed_store):
    _, expected_rows, got_rows = CASES[(name, param)]
    if callable(value):
        value = value(seed_graph)
    given, meaning = value if isinstance(value, tuple) else (value, value)
    graph = seed_graph if where == "memory" else seed_store
    result = run_query(graph, resolve_query(name), {param: given})
    expected = expected_rows(seed_graph, meaning)
    assert got_rows(result) == expected
    assert len(result) == sum(expected.values())


def test_each_parameter_case_has_rows_and_narrows(seed_graph):
    """The values tried are not all empty: each parameter has a case with rows, and a case with none or fewer."""
    for (name, param), (values, expected_rows, _) in CASES.items():
        sizes = []
        for value in values:
            value = value(seed_graph) if callable(value) else value
            sizes.append(sum(expected_rows(seed_graph, value[1] if isinstance(value, tuple) else value).values()))
        assert max(sizes) > 0 and len(set(sizes)) > 1, (name, param, sizes)


def test_agency_named_in_several_jurisdictions_gives_each_ones_tasks(seed_graph):
    names = {r[0] for r in expected_agency_tasks(seed_graph, "省科技厅")}
    assert names == {"甘肃省科学技术厅", "青海省科学技术厅"}


# ---------------------------------------------------------------- without pandas

_WITHOUT_PANDAS = textwrap.dedent("""
    import sys

    class NoPandas:
        def find_spec(self, name, path=None, target=None):
            if name == "pandas" or name.startswith("pandas."):
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)

    sys.meta_path.insert(0, NoPandas())
    from policygraph.errors import PolicyGraphError
    from policygraph.query import QueryResult
    try:
        QueryResult("SELECT", ("n",), ()).dataframe()
    except PolicyGraphError as exc:
        print(exc)
""")


def test_dataframe_without_pandas_says_what_to_install_in_one_line():
    """With pandas not importable (blocked in a fresh interpreter), dataframe() raises our one-line error."""
    done = subprocess.run([sys.executable, "-c", _WITHOUT_PANDAS], capture_output=True, text=True, timeout=120,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["QueryResult.dataframe needs pandas: pip install pandas"]
    assert "Traceback" not in done.stderr


def test_literal_values_of_the_cases_are_typed_like_the_graph(seed_graph):
    """The year cases compare integers: the graph's target years are xsd:integer (a gYear would never match 2020)."""
    years = {y for _, y in seed_graph.subject_objects(PG.targetYear)}
    assert years and all(isinstance(y, Literal) and isinstance(y.toPython(), int) for y in years)
