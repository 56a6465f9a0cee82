"""policygraph.query: loading, safe parameters, formats, and every named query on the seed graph."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter
from decimal import Decimal

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, XSD

from policygraph.errors import QueryError
from policygraph.vocab import PG
from policygraph.normalize import fold, normalize_document_number
from policygraph.query import (
    QueryResult, _json_term, display_width, format_result, format_table, list_queries, parse_header, queries_dir,
    resolve_query, run_query, term_for, to_csv, to_json, to_tsv,
)

from .conftest import SEED_FILES, gold, seed_text

# ---------------------------------------------------------------- gold facts the named queries must reproduce

GANSU = ["000_34f3cba3223de74d.txt", "003_b61f6c7f15dd09ea.txt"]
QINGHAI = "002_1d37a83bbf4946c8.txt"
NINGXIA = "004_804e474c68a51211.txt"


def _gold_tasks(doc, mentions, role=None):
    """Outline paths of the gold tasks of ``doc`` that name one of ``mentions`` (in ``role`` if given)."""
    return {t["path"] for t in gold(doc)["tasks"]
            if any(a["mention"] in mentions and (role is None or a["role"] == role) for a in t["assignments"])}


def _agency_tasks(doc):
    """Gold tasks of ``doc`` that name at least one specific (non-generic) agency."""
    return {t["path"] for t in gold(doc)["tasks"] if any(not a.get("generic") for a in t["assignments"])}


def _plain(name: str) -> str:
    return fold(name).strip("“”\"'‘’《》")


def _rows(result):
    return [{k: (v.toPython() if isinstance(v, Literal) else str(v)) for k, v in row.items()}
            for row in result.dicts()]


@pytest.fixture(scope="module")
def run(seed_graph):
    cache = {}

    def _run(name, **params):
        key = (name, tuple(sorted(params.items())))
        if key not in cache:
            cache[key] = _rows(run_query(seed_graph, resolve_query(name), params))
        return cache[key]

    return _run


def check_agencies_by_tasks(run):
    rows = run("agencies-by-tasks")
    gansu_st = sum(len(_gold_tasks(d, {"省科技厅"})) for d in GANSU)
    assert (rows[0]["agency"], rows[0]["tasks"]) == ("甘肃省科学技术厅", gansu_st) == ("甘肃省科学技术厅", 28)
    assert [r["tasks"] for r in rows] == sorted((r["tasks"] for r in rows), reverse=True)
    ningxia = next(r for r in rows if r["agency"] == "宁夏回族自治区科学技术厅")
    st = {"自治区科技厅", "科技厅"}
    assert ningxia["lead"] == len(_gold_tasks(NINGXIA, st, "lead")) == 8
    assert ningxia["support"] == len(_gold_tasks(NINGXIA, st, "support")) == 3
    assert ningxia["jurisdiction"] == "宁夏回族自治区"
    assert all(r["tasks"] >= max(r["lead"], r["support"]) for r in rows)


def check_agency_tasks(run):
    rows = run("agency-tasks", agency="省科技厅")  # one written form, two provinces' departments
    per = Counter(r["name"] for r in rows)
    assert per == {"甘肃省科学技术厅": sum(len(_gold_tasks(d, {"省科技厅"})) for d in GANSU),
                   "青海省科学技术厅": len(_gold_tasks(QINGHAI, {"省科技厅"}))}
    assert {r["role"] for r in rows} == {"responsible"}
    assert all("省科技厅" in r["clause"] for r in rows if r.get("clause"))
    for r in rows:  # the task's own text, as the file has it, around its clause
        assert r["text"] in seed_text(r["document"]) and r["task"] in r["text"] and r["clause"] in r["text"]
    ningxia = run("agency-tasks", agency="宁夏回族自治区科学技术厅")
    roles = Counter(r["role"] for r in ningxia)
    st = {"自治区科技厅", "科技厅"}
    assert roles == {"lead": len(_gold_tasks(NINGXIA, st, "lead")), "support": len(_gold_tasks(NINGXIA, st, "support"))}
    assert {r["outline"] for r in ningxia} == _gold_tasks(NINGXIA, st)


def check_co_agencies(run):
    rows = run("co-agencies", agency="青海省科学技术厅")
    shared = {r["partner"]: r["shared"] for r in rows}
    both = _gold_tasks(QINGHAI, {"省科技厅"}) & _gold_tasks(QINGHAI, {"省财政厅"})
    assert shared["青海省财政厅"] == len(both) == 12
    assert "青海省科学技术厅" not in shared
    jurisdiction = {r["zh"]: r.get("jurisdictionZh") for r in run("agencies")}
    assert {jurisdiction[p] for p in shared} == {"青海省"}  # only the Qinghai plan names it
    assert [r["shared"] for r in rows] == sorted((r["shared"] for r in rows), reverse=True)


def check_targets_by_year(run):
    rows = run("targets-by-year")
    assert len(rows) == sum(len(gold(d)["targets"]) for d in SEED_FILES)
    years = [r.get("year") for r in rows]
    dated = [y for y in years if y is not None]
    assert dated == sorted(dated) and years[:len(dated)] == dated  # undated targets come last
    assert set(dated) <= {t["year"] for d in SEED_FILES for t in gold(d)["targets"]}
    jilin = [r for r in rows if r["document"] == "001_af53bcfdcd3fec12.txt"]
    assert {(r["value"], r.get("unit")) for r in jilin} == {
        (Decimal(str(t["value"])), t["unit"]) for t in gold("001_af53bcfdcd3fec12.txt")["targets"]}


def check_targets_compare(run):
    rows = run("targets-compare", metric="孵化器")
    expected = {(gold(d)["jurisdiction"], Decimal(str(t["value"])), t["unit"])
                for d in SEED_FILES for t in gold(d)["targets"] if "孵化器" in t["text"]}
    assert expected <= {(r["jurisdiction"], r["value"], r.get("unit")) for r in rows}
    assert ("甘肃省", Decimal(50), "家") in expected
    gansu = next(r for r in rows if r["jurisdiction"] == "甘肃省" and r["value"] == 50)
    assert (gansu["year"], gansu["comparator"]) == (2020, ">=")


def _named_check(kind, examples):
    def check(run):
        rows = run(kind)
        by_doc = {}
        for r in rows:
            by_doc.setdefault(r["document"], set()).add(_plain(r["name"]))
        for doc, name in examples:
            assert _plain(name) in {_plain(n) for n in gold(doc)[kind]}, "example not in gold"
            assert _plain(name) in by_doc.get(doc, set()), f"{name} missing from {doc}"
        assert all(r["document"] in SEED_FILES for r in rows)
        return rows
    return check


def check_parks(run):
    rows = _named_check("parks", [(GANSU[0], "兰白科技创新改革试验区"), (GANSU[1], "兰白科技创新改革试验区"),
                                  (GANSU[0], "兰州大学国家大学科技园")])(run)
    gold_parks = {(d, _plain(p)) for d in SEED_FILES for p in gold(d)["parks"]}
    assert {(r["document"], _plain(r["name"])) for r in rows} <= gold_parks


def check_funds(run):
    _named_check("funds", [(GANSU[0], "甘肃省战略性新兴产业创业投资引导基金")])(run)


def check_programs(run):
    rows = _named_check("programs", [(GANSU[0], "大学生创业引领计划")])(run)
    assert any(r.get("task") for r in rows)


def check_documents(run):
    rows = run("documents")
    assert {r["document"] for r in rows} == set(SEED_FILES)
    assert {(r["document"], r["implements"]) for r in rows if r.get("implements")} == {
        (d, normalize_document_number(n)) for d in SEED_FILES for n in gold(d)["implements"]}
    jilin = next(r for r in rows if r["document"] == "001_af53bcfdcd3fec12.txt")
    assert jilin["number"] == normalize_document_number(gold("001_af53bcfdcd3fec12.txt")["document_number"])
    assert jilin["jurisdiction"] == "吉林省"


def check_tasks_without_agency(run):
    rows = run("tasks-without-agency")
    expected = {(d, t["path"]) for d in SEED_FILES for t in gold(d)["tasks"]
                if not any(not a.get("generic") for a in t["assignments"])}
    assert {(r["document"], r["outline"]) for r in rows} == expected
    assert {r.get("genericBody") for r in rows if r["document"] == QINGHAI} == {"相关行业主管部门"}


def check_agency_type_compare(run):
    rows = run("agency-type-compare", type="ScienceTechnology")
    got = {r["jurisdiction"]: (r["agency"], r["tasks"], r["jurisdictionTasks"]) for r in rows}
    assert got == {
        "甘肃省": ("甘肃省科学技术厅", 28, sum(len(_agency_tasks(d)) for d in GANSU)),
        "青海省": ("青海省科学技术厅", len(_gold_tasks(QINGHAI, {"省科技厅"})), len(_agency_tasks(QINGHAI))),
        "宁夏回族自治区": ("宁夏回族自治区科学技术厅", len(_gold_tasks(NINGXIA, {"自治区科技厅", "科技厅"})),
                    len(_agency_tasks(NINGXIA))),
    }
    assert all(abs(float(r["share"]) - r["tasks"] / r["jurisdictionTasks"]) < 1e-3 for r in rows)
    assert run("agency-type-compare", type="科学技术") == run("agency-type-compare", type="science and technology") \
        == rows


def check_generic_bodies(run):
    rows = run("generic-bodies")
    expected = {(d, t["path"], a["mention"]) for d in SEED_FILES for t in gold(d)["tasks"]
                for a in t["assignments"] if a.get("generic")}
    assert {(r["document"], r["outline"], r["body"]) for r in rows} == expected
    assert all(r["body"] in r["clause"] for r in rows)


def check_jurisdictions(run):
    rows = {r["zh"]: r for r in run("jurisdictions")}
    per = Counter(gold(d)["jurisdiction"] for d in SEED_FILES)
    for name, documents in per.items():
        assert rows[name]["documents"] == documents
        assert rows[name]["tasks"] == sum(len(gold(d)["tasks"]) for d in SEED_FILES if gold(d)["jurisdiction"] == name)
    assert rows["甘肃省"]["en"] == "Gansu Province"


def check_agencies(run):
    rows = {r["zh"]: r for r in run("agencies")}
    assert "省科技厅" in rows["甘肃省科学技术厅"]["written"].split("|")
    assert {"自治区科技厅", "科技厅"} <= set(rows["宁夏回族自治区科学技术厅"]["written"].split("|"))
    assert rows["甘肃省科学技术厅"]["typeEn"] == "Science and technology"
    assert "相关行业主管部门" not in rows


def check_task_agency_roles(run):
    rows = run("task-agency-roles")
    pairs = {(r["task"], r["agency"]) for r in rows}
    assignments = [a for d in SEED_FILES for t in gold(d)["tasks"] for a in t["assignments"] if not a.get("generic")]
    assert len(pairs) == len(assignments)
    leads = {(r["task"], r["agency"]) for r in rows if r.get("lead")}
    supports = {(r["task"], r["agency"]) for r in rows if r.get("support")}
    assert len(leads) == sum(a["role"] == "lead" for a in assignments)
    assert len(supports) == sum(a["role"] == "support" for a in assignments)


CHECKS = {
    "agencies-by-tasks": check_agencies_by_tasks,
    "agency-tasks": check_agency_tasks,
    "co-agencies": check_co_agencies,
    "targets-by-year": check_targets_by_year,
    "targets-compare": check_targets_compare,
    "parks": check_parks,
    "funds": check_funds,
    "programs": check_programs,
    "documents": check_documents,
    "tasks-without-agency": check_tasks_without_agency,
    "agency-type-compare": check_agency_type_compare,
    "generic-bodies": check_generic_bodies,
    "jurisdictions": check_jurisdictions,
    "agencies": check_agencies,
    "task-agency-roles": check_task_agency_roles,
}


def test_every_named_query_has_a_content_test():
    assert {q.name for q in list_queries()} == set(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_named_query_on_seed_graph(run, name):
    CHECKS[name](run)


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_named_queries_have_a_title_description_and_declared_params(query):
    first = query.text.lstrip().splitlines()
    assert first[0].startswith("# title:") and first[1].startswith("# description:")
    assert query.title and query.description.endswith(".")
    for param in query.params:
        assert f"?{param}" in query.text


EXAMPLE_PARAMS = {"agency-tasks": {"agency": "省科技厅"}, "co-agencies": {"agency": "青海省科学技术厅"},
                  "agency-type-compare": {"type": "ScienceTechnology"}, "targets-compare": {"metric": "孵化器"}}


@pytest.fixture(scope="module")
def seed_store(seed_build):
    """The seed build's Oxigraph store, where `policygraph query` runs the named queries with Oxigraph's engine."""
    from policygraph.store import load_graph_file

    return load_graph_file(seed_build[2] / "store")


def _row_bag(result):
    """The rows as a multiset, the |-joined written names as a set (GROUP_CONCAT order is the engine's)."""
    def cell(var, term):
        text = "" if term is None else str(term)
        return "|".join(sorted(text.split("|"))) if var == "written" else text
    return Counter(tuple(cell(v, t) for v, t in zip(result.variables, row)) for row in result.rows)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_named_queries_give_the_same_rows_in_the_store_and_in_memory(query, lang, seed_graph, seed_store):
    """Oxigraph (the store) and rdflib (a TriG file) plan the rewritten queries very differently: same rows."""
    params = EXAMPLE_PARAMS.get(query.name, {})
    in_memory = run_query(seed_graph, query, params, lang=lang)
    in_store = run_query(seed_store, query, params, lang=lang)
    assert in_store.variables == in_memory.variables
    assert len(in_memory) > 0 and _row_bag(in_store) == _row_bag(in_memory)


def _through_oxrdflib(monkeypatch):
    """Make run_query read a store the old way, through rdflib's graph.query and oxrdflib's terms."""
    import policygraph.query

    monkeypatch.setattr(policygraph.query, "_oxigraph", lambda graph: None)


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_store_results_read_directly_are_those_read_through_rdflib(query, seed_store, monkeypatch):
    """A store's rows are read from Oxigraph directly: the same terms, in the same order, formatted the same."""
    params = EXAMPLE_PARAMS.get(query.name, {})
    direct = run_query(seed_store, query, params, lang="en")
    _through_oxrdflib(monkeypatch)
    through_rdflib = run_query(seed_store, query, params, lang="en")
    assert direct == through_rdflib and len(direct) > 0
    assert [[type(c) for c in row] for row in direct.rows] == [[type(c) for c in row] for row in through_rdflib.rows]
    for fmt in ("table", "csv", "tsv", "json"):
        assert format_result(direct, fmt) == format_result(through_rdflib, fmt)


@pytest.mark.parametrize("text", [
    "ASK { ?t pg:leadAgency ?a }",
    "CONSTRUCT { ?d pg:documentNumber ?n } WHERE { ?d pg:documentNumber ?n }",
    "DESCRIBE ?a WHERE { ?a a pg:Agency } LIMIT 2",
    "SELECT ?g ?v ?max WHERE { ?g pg:value ?v OPTIONAL { ?g pg:valueMax ?max } } ORDER BY ?g ?v",
])
def test_ask_and_graph_results_read_directly_are_those_read_through_rdflib(text, seed_store, monkeypatch):
    direct = run_query(seed_store, text)
    _through_oxrdflib(monkeypatch)
    through_rdflib = run_query(seed_store, text)
    assert (direct.kind, direct.boolean, direct.variables, direct.rows) == \
           (through_rdflib.kind, through_rdflib.boolean, through_rdflib.variables, through_rdflib.rows)
    if direct.graph is not None:
        assert set(direct.graph) == set(through_rdflib.graph)
        assert format_result(direct, "turtle") == format_result(through_rdflib, "turtle")


# ---------------------------------------------------------------- parameters, loading, errors


def test_agency_parameter_accepts_full_name_written_form_and_iri(run, seed_graph):
    by_name = run("agency-tasks", agency="宁夏回族自治区科学技术厅")
    by_written = run("agency-tasks", agency="自治区科技厅")
    iri = next(r["agency"] for r in run("agencies") if r["zh"] == "宁夏回族自治区科学技术厅")
    by_iri = run("agency-tasks", agency=iri)
    by_bracketed_iri = run("agency-tasks", agency=f"<{iri}>")
    assert by_name == by_written == by_iri == by_bracketed_iri and len(by_name) == 11


def test_parameters_are_bound_not_pasted(seed_graph):
    hostile = '省科技厅" ) } } SELECT * WHERE { ?s ?p ?o } #'
    result = run_query(seed_graph, resolve_query("agency-tasks"), {"agency": hostile})
    assert result.empty


def test_english_labels_where_they_exist(seed_graph):
    rows = _rows(run_query(seed_graph, resolve_query("agencies-by-tasks"), lang="en"))
    assert (rows[0]["agency"], rows[0]["jurisdiction"]) == (
        "Gansu Provincial Department of Science and Technology", "Gansu Province")
    titles = _rows(run_query(seed_graph, resolve_query("tasks-without-agency"), lang="en"))
    assert titles[0]["task"] == "加快构建众创空间"  # no English title exists: the Chinese one stays


def test_named_query_parameters_are_checked(seed_graph):
    with pytest.raises(QueryError, match=r"needs --param agency="):
        run_query(seed_graph, resolve_query("co-agencies"))
    with pytest.raises(QueryError, match=r"has no parameter colour"):
        run_query(seed_graph, resolve_query("co-agencies"), {"agency": "x", "colour": "red"})


def test_malformed_query_names_line_and_column(seed_graph):
    text = "PREFIX pg: <https://w3id.org/policygraph/ontology#>\nSELECT ?x WHERE {\n  ?x pg:leadAgency \n}"
    with pytest.raises(QueryError, match=r"line \d+, column \d+") as info:
        run_query(seed_graph, text)
    assert "^" in str(info.value)
    with pytest.raises(QueryError, match="Unknown namespace prefix"):
        run_query(seed_graph, "SELECT ?x WHERE { ?x nope:p ?y }")


def test_resolve_query_name_file_and_text(tmp_path):
    assert resolve_query("parks").path == queries_dir() / "parks.rq"
    f = tmp_path / "mine.rq"
    f.write_text("# title: Mine\n# param: year — a year\nSELECT ?y WHERE { BIND(?year AS ?y) }\n", "utf-8")
    q = resolve_query(str(f))
    assert (q.name, q.title, dict(q.params)) == ("mine", "Mine", {"year": "a year"})
    assert resolve_query("ASK { ?s ?p ?o }").name == "inline"
    with pytest.raises(QueryError, match="neither a named query"):
        resolve_query("no-such-query")
    with pytest.raises(QueryError, match="no such query file"):
        resolve_query(str(tmp_path / "absent.rq"))


def test_file_query_with_typed_parameter(seed_graph, tmp_path):
    f = tmp_path / "year.rq"
    f.write_text("PREFIX pg: <https://w3id.org/policygraph/ontology#>\n"
                 "SELECT (COUNT(?g) AS ?n) WHERE { ?g pg:targetYear ?year }\n", "utf-8")
    n = run_query(seed_graph, resolve_query(str(f)), {"year": "2017"}).rows[0][0].toPython()
    assert n == sum(t["year"] == 2017 for d in SEED_FILES for t in gold(d)["targets"])


def test_term_for():
    assert term_for("https://x.org/a") == URIRef("https://x.org/a")
    assert term_for("2020") == Literal(2020)
    assert term_for("0.5").datatype == XSD.decimal
    assert term_for("省财政厅") == Literal("省财政厅")


def test_parse_header_stops_at_first_non_comment():
    assert parse_header("# title: A\nSELECT * {}\n# title: B") == ("A", "", {})


def test_ask_construct_and_describe(seed_graph):
    ask = run_query(seed_graph, "PREFIX pg: <https://w3id.org/policygraph/ontology#> ASK { ?t pg:leadAgency ?a }")
    assert ask.boolean is True and format_result(ask) == "true"
    assert json.loads(format_result(ask, "json")) == {"head": {}, "boolean": True}
    construct = run_query(seed_graph, "PREFIX pg: <https://w3id.org/policygraph/ontology#> "
                                      "CONSTRUCT { ?d pg:documentNumber ?n } WHERE { ?d pg:documentNumber ?n }")
    numbers = {normalize_document_number(n) for d in SEED_FILES
               for n in [gold(d)["document_number"], *gold(d)["implements"]] if n}
    assert construct.kind == "CONSTRUCT" and {str(o) for o in construct.graph.objects()} == numbers
    assert "pg:documentNumber" in format_result(construct, "turtle")
    with pytest.raises(QueryError, match="use --format turtle"):
        format_result(construct, "json")


# ---------------------------------------------------------------- formats (pure)

RESULT = QueryResult("SELECT", ("agency", "tasks", "note"), (
    (Literal("甘肃省科学技术厅", lang="zh"), Literal(28), None),
    (URIRef("https://example.org/a"), Literal(3), Literal("a,b\tc")),
))


def test_table_lines_up_wide_characters():
    header, rule, gansu, other = format_table(RESULT.variables, RESULT.rows).splitlines()
    end = display_width("https://example.org/a") + 2 + len("tasks")  # numbers are right-aligned under "tasks"
    assert display_width(header[:header.index("tasks") + 5]) == end
    assert display_width(gansu[:gansu.index("28") + 2]) == end
    assert display_width(other[:other.index(" 3 ") + 2]) == end
    assert rule.split("  ")[0] == "-" * display_width("https://example.org/a")


def test_table_clips_long_cells():
    table = format_table(["x"], [["很" * 100]], max_width=10)
    assert table.splitlines()[-1] == "很" * 4 + "…"


def test_csv_and_tsv():
    rows = list(csv.reader(io.StringIO(to_csv(RESULT))))
    assert rows == [["agency", "tasks", "note"], ["甘肃省科学技术厅", "28", ""], ["https://example.org/a", "3", "a,b\tc"]]
    assert to_tsv(RESULT).splitlines()[2] == "https://example.org/a\t3\ta,b\\tc"


def test_json_is_sparql_results_json():
    data = json.loads(to_json(RESULT))
    assert data["head"]["vars"] == ["agency", "tasks", "note"]
    first, second = data["results"]["bindings"]
    assert first == {"agency": {"type": "literal", "value": "甘肃省科学技术厅", "xml:lang": "zh"},
                     "tasks": {"type": "literal", "value": "28", "datatype": str(XSD.integer)}}
    assert second["agency"] == {"type": "uri", "value": "https://example.org/a"}


def test_json_is_written_as_json_dumps_writes_it():
    """to_json writes its text piece by piece; it must stay what json.dumps makes of the whole."""
    rows = RESULT.rows + ((None, None, None), (Literal("引号\"与\\", lang="en"), Literal("1.5", datatype=XSD.decimal), None))
    result = QueryResult("SELECT", RESULT.variables, rows)
    bindings = [{v: _json_term(c) for v, c in zip(result.variables, row) if c is not None} for row in rows]
    expected = json.dumps({"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}},
                          ensure_ascii=False)
    assert to_json(result) == expected
    assert to_json(QueryResult("SELECT", ("x",), ())) == '{"head": {"vars": ["x"]}, "results": {"bindings": []}}'


def test_display_width_of_mixed_text():
    assert display_width("a省\u0301b（１）") == 1 + 2 + 0 + 1 + 6


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_named_queries_return_nothing_on_an_empty_graph(query):
    from rdflib import Dataset

    assert run_query(Dataset(default_union=True), query, {k: "x" for k in query.params}).empty


@pytest.mark.parametrize("name,param", [("co-agencies", "agency"), ("agency-tasks", "agency"),
                                        ("targets-compare", "metric")])
def test_unknown_parameter_value_gives_no_rows(seed_graph, name, param):
    assert run_query(seed_graph, resolve_query(name), {param: "不存在的机构"}).empty


def test_project_prefixes_need_no_declaration(seed_graph):
    result = run_query(seed_graph, "SELECT (COUNT(*) AS ?n) WHERE { ?t pg:leadAgency ?a }")
    leads = sum(a["role"] == "lead" for d in SEED_FILES for t in gold(d)["tasks"] for a in t["assignments"])
    assert result.rows[0][0].toPython() == leads


def test_unknown_parameter_is_refused_naming_the_declared_ones():
    """Binding an undeclared ?foo would be silently ignored or relabel a column; it is refused instead."""
    from rdflib import Graph
    from policygraph.errors import QueryError

    with pytest.raises(QueryError, match="no parameter foo; it takes: year"):
        run_query(Graph(), resolve_query("targets-by-year"), {"foo": "bar"})
    with pytest.raises(QueryError, match="it takes: no parameters"):
        run_query(Graph(), resolve_query("agencies"), {"foo": "bar"})


def _targets_due(graph, year):
    """How many targets have this deadline year, counted from the triples (independent of the query)."""
    from policygraph.vocab import PG

    return sum(1 for _, y in graph.subject_objects(PG.targetYear) if y.toPython() == year)


@pytest.mark.parametrize("where", ["memory", "store"])
@pytest.mark.parametrize("year", [2020, 2025, 1999])
def test_targets_by_year_restricts_to_the_year_instead_of_relabelling(year, where, seed_graph, seed_store):
    """year=2020 used to give every target, each labelled 2020: now only the targets due that year."""
    graph = seed_graph if where == "memory" else seed_store
    result = run_query(graph, resolve_query("targets-by-year"), {"year": str(year)})
    assert len(result) == _targets_due(seed_graph, year)
    assert all(row["year"].toPython() == year for row in result.dicts())
    every = run_query(graph, resolve_query("targets-by-year"))
    assert len(every) == sum(1 for _ in seed_graph.subjects(RDF.type, PG.Target)) > len(result)


@pytest.mark.parametrize("spelling", ["科技", "科学技术", "science and technology", "ScienceTechnology",
                                      "<https://w3id.org/policygraph/ontology#ScienceTechnology>"])
def test_agency_type_parameter_is_found_by_any_label_or_local_name(spelling, seed_graph):
    """type=科技 gave no rows though the query offered it: every label, the local name or the IRI finds the type."""
    science = URIRef(str(PG) + "ScienceTechnology")
    with_tasks = {a for _, a in seed_graph.subject_objects(PG.responsibleAgency)}
    expected = {a for a in seed_graph.subjects(PG.agencyType, science) if a in with_tasks}
    result = run_query(seed_graph, resolve_query("agency-type-compare"), {"type": spelling})
    assert len(result) == len(expected) > 0


def test_agency_type_lookup_refuses_ambiguous_and_unknown_names(seed_graph):
    from policygraph.query import resolve_agency_type

    assert resolve_agency_type(seed_graph, "finance").endswith("#Finance")
    with pytest.raises(QueryError, match="ambiguous: ScienceTechnology .*; ScienceTechnologyAssociation"):
        resolve_agency_type(seed_graph, "科学")
    with pytest.raises(QueryError, match="no agency type matching 'xyz'"):
        run_query(seed_graph, resolve_query("agency-type-compare"), {"type": "xyz"})


def test_python_api_from_the_package(seed_build):
    """The README's entry points: open a build with one call, run a query by name with params, get records."""
    import policygraph

    for where in (seed_build[2], seed_build[2] / "store", seed_build[2] / "graph.trig"):
        graph = policygraph.load_graph(where)
        result = policygraph.run_query(graph, "targets-by-year", {"year": 2020})
        records = result.records()
        assert len(records) == _targets_due(graph, 2020) > 0
        assert {r["year"] for r in records} == {2020} and set(records[0]) == set(result.variables)
    ranked = policygraph.run_query(graph, "agencies-by-tasks").records()
    assert ranked[0]["agency"] == "甘肃省科学技术厅" and ranked[0]["tasks"] == 28


def test_records_as_a_dataframe(seed_graph):
    pandas = pytest.importorskip("pandas")
    frame = run_query(seed_graph, "agencies-by-tasks").dataframe()
    assert isinstance(frame, pandas.DataFrame)
    assert list(frame.columns) == ["agency", "jurisdiction", "tasks", "lead", "support"]
    assert frame.iloc[0]["agency"] == "甘肃省科学技术厅" and frame.iloc[0]["tasks"] == 28
