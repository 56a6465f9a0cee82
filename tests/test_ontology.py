"""The ontology as data: vocab.PG ↔ policygraph.ttl, labels, header, locating files, and the SHACL contract."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from policygraph import ontology
from policygraph.errors import InputError, OntologyError, PolicyGraphError
from policygraph.ontology import (
    embedded_dir,
    load_ontology,
    load_shapes,
    ontology_dir,
    ontology_files,
    pick_dir,
)
from policygraph.validate import union_graph, validate_graph, validation_report
from policygraph.vocab import PG, PG_NS, bind_prefixes

REPO = Path(__file__).resolve().parent.parent
GRAPHS = Path(__file__).resolve().parent / "fixtures" / "graphs"
ONTOLOGY_IRI = URIRef("https://w3id.org/policygraph/ontology")
VANN = Namespace("http://purl.org/vocab/vann/")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # plain Namespace: rdflib's XSD warns under doctest collection
ID = Namespace("https://w3id.org/policygraph/id/")

#: Terms CONTRACT.md makes public; the ontology may add to them but never lose one.
CONTRACT_TERMS = {
    "PolicyDocument", "Jurisdiction", "Task", "Agency", "UnspecifiedBody", "Target", "Park", "Fund",
    "Program", "AgencyTypes", "sourceFile", "documentNumber", "jurisdiction", "issuedBy", "implements",
    "inDocument", "outline", "subTaskOf", "responsibleAgency", "leadAgency", "supportingAgency",
    "sourceText", "agencyType", "value", "valueMax", "unit", "comparator", "targetYear", "annual",
    "metric", "mentions",
}


def _own_graph() -> Graph:
    return Graph().parse(REPO / "ontology" / "policygraph.ttl")


def _declared_terms(graph: Graph) -> set[str]:
    return {str(s)[len(PG_NS):] for s in graph.subjects() if str(s).startswith(PG_NS)}


def _vocab_terms() -> set[str]:
    return set(PG.__annotations__)


def _terms_by_kind(graph: Graph) -> dict[URIRef, list[URIRef]]:
    kinds = [OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, SKOS.ConceptScheme, SKOS.Concept]
    return {kind: [s for s in graph.subjects(RDF.type, kind) if str(s).startswith(PG_NS)] for kind in kinds}


# --- vocab ↔ Turtle ---------------------------------------------------------


def test_every_vocab_term_is_declared_in_the_turtle():
    assert _vocab_terms() - _declared_terms(_own_graph()) == set()


def test_every_turtle_term_is_in_vocab():
    assert _declared_terms(_own_graph()) - _vocab_terms() == set()


def test_every_pg_iri_the_ontology_and_shapes_use_is_a_vocab_term():
    used = set()
    for path in (REPO / "ontology" / "policygraph.ttl", REPO / "ontology" / "shapes.ttl"):
        for triple in Graph().parse(path):
            used |= {str(t)[len(PG_NS):] for t in triple if isinstance(t, URIRef) and str(t).startswith(PG_NS)}
    assert used - _vocab_terms() == set()


def test_contract_terms_are_all_present():
    assert CONTRACT_TERMS - _vocab_terms() == set()


def test_vocab_rejects_unknown_terms():
    with pytest.raises(AttributeError):
        PG.leadAgencies  # noqa: B018


def test_every_term_has_a_kind():
    graph = _own_graph()
    typed = {str(t)[len(PG_NS):] for terms in _terms_by_kind(graph).values() for t in terms}
    assert _declared_terms(graph) - typed == set()


# --- labels, definitions, domains and ranges --------------------------------


def _langs(graph: Graph, subject: URIRef, predicate: URIRef) -> list[str]:
    return sorted(o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal))


@pytest.mark.parametrize("predicate", [RDFS.label, RDFS.comment, SKOS.definition])
def test_every_term_has_exactly_one_zh_and_one_en(predicate):
    graph = _own_graph()
    missing = {
        str(term): _langs(graph, term, predicate)
        for terms in _terms_by_kind(graph).values()
        for term in terms
        if _langs(graph, term, predicate) != ["en", "zh"]
    }
    assert missing == {}


def test_every_property_has_domain_and_range():
    graph = _own_graph()
    kinds = _terms_by_kind(graph)
    props = kinds[OWL.ObjectProperty] + kinds[OWL.DatatypeProperty]
    assert len(props) > 30
    assert [p for p in props if graph.value(p, RDFS.domain) is None or graph.value(p, RDFS.range) is None] == []


def test_datatype_properties_range_over_xsd():
    graph = _own_graph()
    ranges = {p: graph.value(p, RDFS.range) for p in _terms_by_kind(graph)[OWL.DatatypeProperty]}
    assert {p: r for p, r in ranges.items() if not str(r).startswith(str(XSD))} == {}
    assert ranges[PG.value] == XSD.decimal
    assert ranges[PG.targetYear] == XSD.integer
    assert ranges[PG.annual] == XSD.boolean


@pytest.mark.parametrize(
    "triple",
    [
        (PG.Agency, RDFS.subClassOf, URIRef("http://www.w3.org/ns/org#Organization")),
        (PG.PolicyDocument, RDFS.subClassOf, URIRef("http://www.w3.org/ns/prov#Entity")),
        (PG.Task, RDFS.subClassOf, PG.OutlineItem),
        (PG.leadAgency, RDFS.subPropertyOf, PG.responsibleAgency),
        (PG.supportingAgency, RDFS.subPropertyOf, PG.responsibleAgency),
        (PG.UnspecifiedBody, OWL.disjointWith, PG.Agency),
        (PG.LeadRole, SKOS.inScheme, PG.Roles),
        (PG.SupportRole, SKOS.inScheme, PG.Roles),
        (PG.ResponsibleRole, SKOS.inScheme, PG.Roles),
        (PG.AgencyTypes, RDF.type, SKOS.ConceptScheme),
        (PG.Roles, RDF.type, SKOS.ConceptScheme),
    ],
)
def test_ontology_axioms(triple):
    assert triple in _own_graph()


def test_role_labels_are_the_chinese_words():
    graph = _own_graph()
    zh = {
        role: {str(o) for o in graph.objects(role, SKOS.prefLabel) if o.language == "zh"}
        for role in (PG.LeadRole, PG.SupportRole, PG.ResponsibleRole)
    }
    assert zh == {PG.LeadRole: {"牵头"}, PG.SupportRole: {"配合"}, PG.ResponsibleRole: {"负责"}}


# --- header -----------------------------------------------------------------


def test_ontology_header_for_pylode():
    graph = _own_graph()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in graph
    assert str(graph.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert _langs(graph, ONTOLOGY_IRI, DCTERMS.title) == ["en", "zh"]
    assert _langs(graph, ONTOLOGY_IRI, DCTERMS.description) == ["en", "zh"]
    assert graph.value(ONTOLOGY_IRI, DCTERMS.license) is not None
    assert graph.value(ONTOLOGY_IRI, DCTERMS.created).datatype == XSD.date
    assert str(graph.value(ONTOLOGY_IRI, VANN.preferredNamespacePrefix)) == "pg"
    assert str(graph.value(ONTOLOGY_IRI, VANN.preferredNamespaceUri)) == PG_NS


def test_shapes_graph_has_its_own_header():
    shapes = load_shapes()
    headers = set(shapes.subjects(RDF.type, OWL.Ontology))
    assert headers == {URIRef("https://w3id.org/policygraph/shapes")}
    assert _langs(shapes, URIRef("https://w3id.org/policygraph/shapes"), DCTERMS.title) == ["en", "zh"]


# --- prefixes -----------------------------------------------------------------


def test_bind_prefixes_binds_project_prefixes_and_base():
    graph = bind_prefixes(Graph(), base="https://example.org/res/")
    ns = {p: str(n) for p, n in graph.namespaces()}
    assert ns["pg"] == PG_NS
    assert ns["pgid"] == "https://example.org/res/"
    assert ns["dcterms"] == "http://purl.org/dc/terms/"
    assert ns["org"] == "http://www.w3.org/ns/org#"
    assert ns["prov"] == "http://www.w3.org/ns/prov#"
    graph.add((ID["task/1"], PG.leadAgency, ID["agency/1"]))
    assert "pg:leadAgency" in graph.serialize(format="turtle")


# --- locating and loading -----------------------------------------------------


def test_ontology_dir_in_this_checkout():
    assert ontology_dir() == REPO / "ontology"
    assert (ontology_dir() / "shapes.ttl").is_file()


def test_embedded_dir_in_this_checkout():
    assert embedded_dir("seeds") == REPO / "data" / "seeds"
    assert embedded_dir("gold") == REPO / "data" / "gold"


def _wheel_tree(tmp_path: Path) -> Path:
    root = tmp_path / "site-packages" / "policygraph"
    for name in ("ontology", "seeds", "gold"):
        (root / "_embedded" / name).mkdir(parents=True)
    return root


def _checkout_tree(tmp_path: Path) -> Path:
    root = tmp_path / "repo" / "policygraph"
    root.mkdir(parents=True)
    (tmp_path / "repo" / "ontology").mkdir()
    (tmp_path / "repo" / "data" / "seeds").mkdir(parents=True)
    return root


def test_ontology_dir_in_a_wheel_layout(tmp_path):
    root = _wheel_tree(tmp_path)
    assert ontology_dir(root) == root / "_embedded" / "ontology"
    assert embedded_dir("seeds", root) == root / "_embedded" / "seeds"
    assert embedded_dir("gold", root) == root / "_embedded" / "gold"


def test_ontology_dir_in_a_checkout_layout(tmp_path):
    root = _checkout_tree(tmp_path)
    assert ontology_dir(root) == tmp_path / "repo" / "ontology"
    assert embedded_dir("seeds", root) == tmp_path / "repo" / "data" / "seeds"


def test_embedded_copy_wins_over_a_neighbouring_folder(tmp_path):
    root = _wheel_tree(tmp_path)
    (root.parent / "ontology").mkdir()
    assert ontology_dir(root) == root / "_embedded" / "ontology"


def test_missing_ontology_dir_is_a_clear_error(tmp_path):
    root = tmp_path / "lonely" / "policygraph"
    root.mkdir(parents=True)
    with pytest.raises(OntologyError, match="ontology directory not found"):
        ontology_dir(root)


def test_missing_embedded_data_is_an_input_error(tmp_path):
    root = _checkout_tree(tmp_path)
    with pytest.raises(InputError, match="gold"):
        embedded_dir("gold", root)


@pytest.mark.parametrize("name", ["", "..", "../seeds", "a/b"])
def test_embedded_dir_refuses_paths(name):
    with pytest.raises(InputError):
        embedded_dir(name)


def test_pick_dir_takes_the_first_existing(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "a").write_text("a file, not a directory")
    assert pick_dir([tmp_path / "a", tmp_path / "b", tmp_path / "c"]) == tmp_path / "b"
    assert pick_dir([tmp_path / "zzz"]) is None


def test_ontology_files_are_every_ttl_but_the_shapes():
    names = [p.name for p in ontology_files()]
    expected = sorted(p.name for p in (REPO / "ontology").glob("*.ttl") if p.name != "shapes.ttl")
    assert names == expected
    assert "policygraph.ttl" in names


def test_load_ontology_merges_all_files_but_not_shapes(tmp_path):
    (tmp_path / "a.ttl").write_text("<urn:a> <urn:p> <urn:x> .", encoding="utf-8")
    (tmp_path / "b.ttl").write_text("<urn:b> <urn:p> <urn:y> .", encoding="utf-8")
    (tmp_path / "shapes.ttl").write_text("<urn:s> <urn:p> <urn:z> .", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not turtle", encoding="utf-8")
    graph = load_ontology(tmp_path)
    assert set(graph.subjects()) == {URIRef("urn:a"), URIRef("urn:b")}
    assert set(load_shapes(tmp_path).subjects()) == {URIRef("urn:s")}


def test_load_ontology_names_a_broken_file(tmp_path):
    (tmp_path / "broken.ttl").write_text("<urn:a> <urn:p> .", encoding="utf-8")
    with pytest.raises(OntologyError, match="broken.ttl"):
        load_ontology(tmp_path)


def test_load_ontology_returns_an_independent_copy():
    first = load_ontology()
    size = len(first)
    first.remove((None, None, None))
    assert len(load_ontology()) == size > 0


def test_load_ontology_includes_the_real_ontology():
    graph = load_ontology()
    assert (PG.Task, RDFS.subClassOf, PG.OutlineItem) in graph
    assert (SH.NodeShape, None, None) not in graph


# --- the SHACL contract ---------------------------------------------------------


def _parse(*names: str) -> Graph:
    graph = Graph()
    for name in names:
        graph.parse(GRAPHS / name)
    return graph


def _violations(graph) -> set[tuple[str, str | None, str]]:
    """Top-level results as (focus node, result path, constraint component) local names."""

    def local(term):
        return None if term is None else str(term).rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    _, results, _ = validation_report(graph)
    return {
        (
            local(results.value(r, SH.focusNode)),
            local(results.value(r, SH.resultPath)),
            local(results.value(r, SH.sourceConstraintComponent)),
        )
        for r in results.objects(None, SH.result)
    }


def test_valid_graph_conforms():
    conforms, text = validate_graph(_parse("valid.ttl"))
    assert conforms, text


def test_base_graph_conforms():
    conforms, text = validate_graph(_parse("base.ttl"))
    assert conforms, text


def test_validation_does_not_change_the_input():
    graph = _parse("valid.ttl")
    before = len(graph)
    validate_graph(graph)
    assert len(graph) == before


INVALID_CASES = [
    ("invalid-lead-not-responsible.ttl", {("task", "leadAgency", "SPARQLConstraintComponent")}),
    ("invalid-agency-without-type.ttl", {("agencyC", "agencyType", "MinCountConstraintComponent")}),
    ("invalid-agency-type-outside-scheme.ttl", {("agencyC", "agencyType", "NodeConstraintComponent")}),
    ("invalid-agency-two-chinese-labels.ttl", {
        ("agencyA", "label", "QualifiedMaxCountConstraintComponent"),
        ("agencyA", "label", "UniqueLangConstraintComponent"),
    }),
    ("invalid-target-unicode-comparator.ttl", {("target", "comparator", "InConstraintComponent")}),
    ("invalid-target-integer-value.ttl", {("target", "value", "DatatypeConstraintComponent")}),
    ("invalid-unspecified-body-agency.ttl", {("body", None, "NotConstraintComponent")}),
    ("invalid-task-two-outlines.ttl", {("task", "outline", "MaxCountConstraintComponent")}),
    ("invalid-task-text-offsets.ttl", {("task", None, "SPARQLConstraintComponent")}),
    ("invalid-outline-path.ttl", {("item", "outline", "PatternConstraintComponent")}),
    ("invalid-document-number.ttl", {("cited", "documentNumber", "PatternConstraintComponent")}),
    ("invalid-read-document-without-jurisdiction.ttl", {("doc2", "jurisdiction", "MinCountConstraintComponent")}),
    ("invalid-assignment-role.ttl", {("assignment", "role", "NodeConstraintComponent")}),
]


@pytest.mark.parametrize("name, expected", INVALID_CASES, ids=[c[0] for c in INVALID_CASES])
def test_invalid_graph_fails_with_the_expected_violation(name, expected):
    graph = _parse("base.ttl", name)
    conforms, _ = validate_graph(graph)
    assert not conforms
    assert _violations(graph) == expected


def test_every_invalid_fixture_has_a_case():
    assert {p.name for p in GRAPHS.glob("invalid-*.ttl")} == {name for name, _ in INVALID_CASES}


def test_sparql_message_names_the_agency():
    _, text = validate_graph(_parse("base.ttl", "invalid-lead-not-responsible.ttl"))
    assert "agencyA" in text and "not also its pg:responsibleAgency" in text


def test_subclass_axioms_come_from_the_ontology():
    graph = _parse("base.ttl")
    graph.add((ID.parent, RDF.type, PG.Task))  # a Task, not stated to be an OutlineItem
    graph.add((ID.child, RDF.type, PG.Task))
    for node, outline in ((ID.parent, "一"), (ID.child, "一/1")):
        graph.add((node, PG.inDocument, ID.doc))
        graph.add((node, PG.outline, Literal(outline)))
    graph.add((ID.child, PG.subTaskOf, ID.parent))
    conforms, text = validate_graph(graph)
    assert conforms, text


def test_role_concepts_come_from_the_ontology():
    graph = _parse("base.ttl")
    graph.add((ID.assignment, RDF.type, PG.Assignment))
    graph.add((ID.assignment, PG.agent, ID.agencyA))
    graph.add((ID.assignment, PG.role, PG.SupportRole))
    graph.add((ID.assignment, PG.surface, Literal("省科技厅")))
    graph.add((ID.assignment, PG.inDocument, ID.doc))
    conforms, text = validate_graph(graph)
    assert conforms, text


def test_dataset_is_validated_as_the_union_of_its_graphs():
    full = _parse("valid.ttl")
    agencies = set(full.subjects(RDF.type, PG.Agency)) | set(full.subjects(SKOS.inScheme, PG.AgencyTypes))
    dataset = Dataset()
    vocabulary = dataset.graph(ID["graph/vocabulary"])
    document = dataset.graph(ID["graph/document"])
    for triple in full:
        (vocabulary if triple[0] in agencies else document).add(triple)
    assert not validate_graph(dataset.graph(ID["graph/document"]))[0]
    conforms, text = validate_graph(dataset)
    assert conforms, text
    assert len(union_graph(dataset)) == len(full)


def test_missing_pyshacl_is_a_friendly_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "pyshacl", None)
    with pytest.raises(PolicyGraphError, match=r"pip install 'policygraph\[validate\]'"):
        validate_graph(Graph())


def test_module_paths_are_importable():
    assert ontology.package_root() == REPO / "policygraph"
