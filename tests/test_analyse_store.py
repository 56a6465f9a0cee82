"""policygraph.analyse on a store: the Oxigraph fast path gives what the generic rdflib path gives.

``rank`` reads a store straight from Oxigraph (``analyse.network._store_facts``) and any other
graph through the ``task-agency-roles`` named query; these tests hold the two to the
same answers, on the seed build (its store and its TriG export) and on a hand-made
graph with every case of the "stated role" rule.
"""
from __future__ import annotations

import pytest

from policygraph import analyse
from policygraph.analyse import explain, format_explanation, load_network, rank, rank_by_type
from policygraph.store import native_view

PG = "https://w3id.org/policygraph/ontology#"
ID = "https://example.org/id/"

# Every case of the rule that decides ``responsible`` (plainly responsible, no role stated):
#   A  lead, and an assignment also states ResponsibleRole          → lead, responsible
#   B  support, SupportRole assignment                              → support only
#   C  LeadRole assignment but no pg:leadAgency                     → no role at all
#   D  SupportRole and ResponsibleRole assignments, no pg:supportingAgency → responsible
#   E  no assignment                                                → responsible
#   F  pg:leadAgency, no assignment                                 → lead only
#   G  not typed pg:Agency, ResponsibleRole assignment              → responsible
#   U  an unspecified body with a role but not pg:responsibleAgency → not a pair
# T3 is in two documents: both paths keep the first by IRI (doc1).
CASES = """
@prefix pg: <https://w3id.org/policygraph/ontology#> .
@prefix id: <https://example.org/id/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix dcterms: <http://purl.org/dc/terms/> .

id:j1 a pg:Jurisdiction ; rdfs:label "甲省"@zh , "Jia"@en .
id:j2 a pg:Jurisdiction ; rdfs:label "乙省"@zh .
id:doc1 a pg:PolicyDocument ; pg:sourceFile "d1.txt" ; pg:jurisdiction id:j1 .
id:doc2 a pg:PolicyDocument ; pg:sourceFile "d2.txt" ; pg:jurisdiction id:j2 .
id:A a pg:Agency ; rdfs:label "甲"@zh . id:B a pg:Agency ; rdfs:label "乙"@zh .
id:C a pg:Agency ; rdfs:label "丙"@zh . id:D a pg:Agency ; rdfs:label "丁"@zh .
id:E a pg:Agency ; rdfs:label "戊"@zh . id:F a pg:Agency ; rdfs:label "己"@zh .

id:T1 a pg:Task ; pg:inDocument id:doc1 ; pg:outline "一" ; dcterms:title "任务一" ; pg:startOffset 5 ;
    pg:responsibleAgency id:A , id:B , id:C , id:D ; pg:leadAgency id:A ; pg:supportingAgency id:B ;
    pg:assignment id:a1 , id:a2 , id:b1 , id:c1 , id:d1 , id:d2 , id:u1 .
id:a1 pg:agent id:A ; pg:role pg:LeadRole .
id:a2 pg:agent id:A ; pg:role pg:ResponsibleRole .
id:b1 pg:agent id:B ; pg:role pg:SupportRole .
id:c1 pg:agent id:C ; pg:role pg:LeadRole .
id:d1 pg:agent id:D ; pg:role pg:SupportRole .
id:d2 pg:agent id:D ; pg:role pg:ResponsibleRole .
id:u1 pg:agent id:U ; pg:role pg:SupportRole .

id:T2 a pg:Task ; pg:inDocument id:doc2 ; pg:outline "二" ; pg:startOffset 9 ;
    pg:responsibleAgency id:E , id:F ; pg:leadAgency id:F .

id:T3 a pg:Task ; pg:inDocument id:doc2 , id:doc1 ; pg:outline "三" ;
    pg:responsibleAgency id:A , id:G ; pg:assignment id:g1 .
id:g1 pg:agent id:G ; pg:role pg:ResponsibleRole .
"""

EXPECTED = {  # (task, agency): (lead, support, responsible, document)
    ("T1", "A"): (True, False, True, "doc1"), ("T1", "B"): (False, True, False, "doc1"),
    ("T1", "C"): (False, False, False, "doc1"), ("T1", "D"): (False, False, True, "doc1"),
    ("T2", "E"): (False, False, True, "doc2"), ("T2", "F"): (True, False, False, "doc2"),
    ("T3", "A"): (False, False, True, "doc1"), ("T3", "G"): (False, False, True, "doc1"),
}


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    """The hand-made graph twice: parsed by rdflib, and in a pyoxigraph store seen through its rdflib view."""
    import pyoxigraph

    from policygraph.store import load_graph_file, rdflib_view

    path = tmp_path_factory.mktemp("cases") / "cases.ttl"
    path.write_text(CASES, "utf-8")
    store = pyoxigraph.Store()
    store.load(CASES.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE)
    return load_graph_file(path), rdflib_view(store)


@pytest.fixture(scope="module")
def seed_pair(seed_build):
    """The seed build twice: its store, and the TriG export of the same build."""
    from policygraph.store import load_graph_file

    out = seed_build[2]
    return load_graph_file(out / "store"), load_graph_file(out / "graph.trig")


def _short(iri: str) -> str:
    return iri.rsplit("/", 1)[-1]


def test_the_store_is_read_natively_and_a_file_is_not(cases, seed_pair):
    assert native_view(cases[0]) is None and native_view(seed_pair[1]) is None
    assert native_view(cases[1]) is not None and native_view(seed_pair[0]) is not None


@pytest.mark.parametrize("which", [0, 1], ids=["rdflib", "store"])
def test_stated_role_rule(cases, which):
    net = load_network(cases[which])
    got = {(_short(p.task), _short(p.agency)): (p.lead, p.support, p.responsible, _short(p.document))
           for p in net.pairs}
    assert got == EXPECTED
    t3 = next(p for p in net.pairs if _short(p.task) == "T3")
    assert (t3.file, t3.jurisdiction_zh, t3.jurisdiction_en) == ("d1.txt", "甲省", "Jia")


def test_hand_made_graph_gives_the_same_network_both_ways(cases):
    plain, native = (load_network(g) for g in cases)
    assert plain.pairs == native.pairs
    assert plain.agencies == native.agencies
    assert rank(cases[0]).rows == rank(cases[1]).rows
    assert explain(cases[0], str(ID + "A")) == explain(cases[1], str(ID + "A"))


def test_seed_store_gives_the_same_network_as_its_export(seed_pair):
    store, trig = (load_network(g) for g in seed_pair)
    assert len(store.pairs) > 400
    assert store.pairs == trig.pairs
    assert store.agencies == trig.agencies


@pytest.mark.parametrize("options", [
    {}, {"weighting": "newman"}, {"jurisdiction": "宁夏"}, {"document": "000_"}, {"agency_type": "Finance"},
    {"sort": "betweenness", "lang": "en"},
], ids=["default", "newman", "jurisdiction", "document", "type", "betweenness-en"])
def test_seed_store_ranks_exactly_as_its_export(seed_pair, options):
    store, trig = (rank(g, **options) for g in seed_pair)
    assert len(store.rows) > 0
    assert store == trig


def test_seed_store_ranks_types_and_explains_exactly_as_its_export(seed_pair):
    assert rank_by_type(seed_pair[0]) == rank_by_type(seed_pair[1])
    store, trig = (explain(g, "自治区财政厅") for g in seed_pair)
    assert store == trig
    assert store.tasks and all(t.outline and t.title for t in store.tasks)
    assert format_explanation(store) == format_explanation(trig)


def test_a_named_graph_view_is_read_within_that_graph(cases):
    """A view scoped to one named graph reads that graph only, as an rdflib query on it would."""
    import pyoxigraph
    from rdflib import Graph

    store = pyoxigraph.Store()
    store.load(CASES.encode("utf-8"), format=pyoxigraph.RdfFormat.TURTLE, to_graph=pyoxigraph.NamedNode(ID + "g"))
    view = Graph(store=cases[1].store.__class__(store=store), identifier=ID + "g")
    native = native_view(view)
    assert native is not None and native.options["default_graph"] == pyoxigraph.NamedNode(ID + "g")
    assert load_network(view).pairs == load_network(cases[0]).pairs


def test_every_query_of_the_analysis_is_read_and_is_sparql():
    """The analysis keeps its SPARQL in ``analyse/queries/``: each file is read by name and parses."""
    from pathlib import Path

    from rdflib.plugins.sparql import prepareQuery

    from policygraph.analyse import network
    from policygraph.vocab import PREFIXES

    folder = Path(network.__file__).parent / "queries"
    source = Path(network.__file__).read_text("utf-8")
    placeholders = {"NUMBERS": "(<urn:a> 0)", "PAIRS": "(<urn:t> <urn:a>)", "TASKS": "<urn:t>"}
    assert sorted(folder.glob("*.rq"))
    for path in sorted(folder.glob("*.rq")):
        assert f'"{path.stem}"' in source, path.name
        text = network._analysis_query(path.stem)
        for placeholder, value in placeholders.items():
            text = text.replace(placeholder, value)
        prepareQuery(text, initNs=PREFIXES)
