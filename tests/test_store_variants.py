"""The store variants of the named queries (queries/store/) give the rows of the queries they stand for, in order.

A variant reads a policygraph store's layout (document graphs, the shared
graph, the statistics graph), some of them partition by partition; each is
run here against the query as written, on the same store, row for row, and
paged with --limit and --offset as the whole answer is.
"""
from __future__ import annotations

import pytest

from policygraph.pipeline import build_corpus
from policygraph.query import (_oxigraph, _split_order, _store_variant, query_pages, queries_dir, resolve_query,
                               run_query)
from policygraph.store import load_graph_file
from tests.conftest import SEEDS, SHARED_CORPUS

VARIANTS = sorted(p.stem for p in (queries_dir() / "store").glob("*.rq") if not p.stem.endswith(".partitions"))

#: Parameter values tried per query: names written in several ways, an IRI, a name no agency has.
_AGENCIES = [{"agency": "省科技厅"}, {"agency": "甘肃省科学技术厅"}, {"agency": "省发展改革委"},
             {"agency": "Gansu Provincial Department of Science and Technology"}, {"agency": "无此机构"}]
PARAMS = {
    "agency-tasks": _AGENCIES,
    "co-agencies": _AGENCIES,
    "targets-by-year": [{}, {"year": "2020"}, {"year": "2017"}, {"year": "1999"}],
    "targets-compare": [{"metric": "孵化器"}, {"metric": "企业"}, {"metric": ""}, {"metric": "无此"}],
    "agency-type-compare": [{"type": "ScienceTechnology"}, {"type": "科技"}, {"type": "Development and reform"}],
}


@pytest.fixture(scope="module", params=["seeds", "shared-corpus"])
def store(request, tmp_path_factory):
    folder = SEEDS if request.param == "seeds" else SHARED_CORPUS / "docs"
    if not folder.is_dir():
        pytest.skip(f"corpus not found at {folder}")
    out = tmp_path_factory.mktemp(f"variants-{request.param}")
    build_corpus([folder], out, export=False)
    graph = load_graph_file(out / "store")
    graph.corpus = request.param
    return graph


def _params(name: str, graph) -> list[dict]:
    tried = list(PARAMS.get(name, [{}]))
    if name in ("agency-tasks", "co-agencies"):  # an agency given by its IRI
        iri = run_query(graph, "SELECT ?a WHERE { ?t <https://w3id.org/policygraph/ontology#leadAgency> ?a } "
                               "ORDER BY ?a LIMIT 1").rows[0][0]
        tried.append({"agency": str(iri)})
    return tried


def _busiest_agency(graph):
    return run_query(graph, "SELECT ?a WHERE { ?t <https://w3id.org/policygraph/ontology#responsibleAgency> ?a } "
                            "GROUP BY ?a ORDER BY DESC(COUNT(?t)) ?a LIMIT 1").rows[0][0]


def test_every_variant_stands_for_a_shipped_query():
    assert VARIANTS and all((queries_dir() / f"{name}.rq").is_file() for name in VARIANTS)
    for partitions in (queries_dir() / "store").glob("*.partitions.rq"):
        assert (partitions.parent / partitions.name.replace(".partitions", "")).is_file()


@pytest.mark.parametrize("name", VARIANTS)
def test_the_variant_gives_the_rows_of_the_query_in_its_order(name, store):
    named = resolve_query(name)
    assert _store_variant(store, named, _oxigraph(store)) is not None
    as_written = (queries_dir() / f"{name}.rq").read_text("utf-8")  # inline text: no variant
    for params in _params(name, store):
        for lang in ("zh", "en"):
            read = run_query(store, named, params, lang=lang)
            written = run_query(store, as_written, params, lang=lang)
            assert read.variables == written.variables
            assert read.rows == written.rows, (name, params, lang)


@pytest.mark.parametrize("name", [n for n in VARIANTS if (queries_dir() / "store" / f"{n}.partitions.rq").is_file()])
def test_a_partitioned_answer_pages_as_the_whole_answer(name, store):
    named = resolve_query(name)
    params = {"agency": str(_busiest_agency(store))} if "agency" in named.params else {}
    whole = run_query(store, named, params).rows
    assert whole or store.corpus == "shared-corpus"  # the seeds give every variant rows to page
    for limit, offset in ((2, 0), (2, 1), (3, max(0, len(whole) - 1)), (None, 1), (3, len(whole) + 10)):
        page = run_query(store, named, params, limit=limit, offset=offset).rows
        assert page == whole[offset:None if limit is None else offset + limit]
    pages = list(query_pages(store, named, params, page_rows=2))
    assert [row for page in pages for row in page.rows] == list(whole)
    assert all(len(page.rows) == 2 for page in pages[:-1])


def test_a_store_opened_on_one_graph_reads_the_query_as_written(store):
    import pyoxigraph as ox
    from rdflib import URIRef

    native = _oxigraph(store)
    graph = next(str(g.value) for g in native.store.named_graphs() if "/graph/shared" not in g.value)
    one = store.get_context(URIRef(graph))
    assert _store_variant(one, resolve_query("task-agency-roles"), _oxigraph(one)) is None
    assert isinstance(native.store, ox.Store)


@pytest.mark.parametrize("text, body, order", [
    ("SELECT ?a WHERE { ?a ?p ?b }\nORDER BY ?a DESC(?b)\n", "SELECT ?a WHERE { ?a ?p ?b }\n", [("a", False), ("b", True)]),
    ("SELECT ?a WHERE { ?a ?p ?b } ORDER BY ASC(?a)", "SELECT ?a WHERE { ?a ?p ?b } ", [("a", False)]),
    ("SELECT ?a WHERE { ?a ?p ?b }", "SELECT ?a WHERE { ?a ?p ?b }", []),
    ("SELECT ?a WHERE { ?a ?p ?b } ORDER BY STR(?a)", "SELECT ?a WHERE { ?a ?p ?b } ORDER BY STR(?a)", []),
])
def test_split_order_takes_off_an_order_of_plain_variables_only(text, body, order):
    assert _split_order(text) == (body, order)
