"""The built graph of the seed corpus: contract, provenance, identity of agencies, determinism."""
from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Literal, URIRef
from rdflib.namespace import SKOS

from policygraph.build import build_dataset
from policygraph.iri import document_graph_iri
from policygraph.pipeline import build_corpus
from policygraph.vocab import PG

from .conftest import SEEDS, SHARED_CORPUS, seed_text


def q(ds, query, **bindings):
    return list(ds.query("PREFIX pg: <https://w3id.org/policygraph/ontology#>\n"
                         "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
                         "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>\n" + query, initBindings=bindings))


def union(dataset):
    from rdflib import Dataset

    ds = Dataset(store=dataset.store, default_union=True)
    return ds


def test_one_named_graph_per_document(seed_build):
    _, ds, _ = seed_build
    names = {str(g.identifier) for g in ds.graphs() if len(g)}
    for path in SEEDS.glob("*.txt"):
        assert str(document_graph_iri(f"seeds/{path.name}")) in names
    assert any(n.endswith("/graph/vocabulary") for n in names)


def test_shacl_valid(seed_build):
    from policygraph.validate import validate_graph

    _, ds, _ = seed_build
    conforms, text = validate_graph(ds)
    assert conforms, text


def test_every_lead_and_support_is_responsible(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, "SELECT ?t ?a WHERE { ?t pg:leadAgency|pg:supportingAgency ?a FILTER NOT EXISTS { ?t pg:responsibleAgency ?a } }")
    assert rows == []
    assert len(q(ds, "SELECT DISTINCT ?t ?a WHERE { ?t pg:leadAgency ?a }")) == 21


def test_assignment_offsets_point_at_the_surface(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, """SELECT ?file ?surface ?s ?e WHERE { ?x a pg:Assignment ; pg:surface ?surface ; pg:startOffset ?s ;
                    pg:endOffset ?e . ?t pg:assignment ?x ; pg:inDocument ?d . ?d pg:sourceFile ?file }""")
    assert len(rows) == 460
    texts = {}
    for file, surface, start, end in rows:
        text = texts.setdefault(str(file), seed_text(str(file)))
        assert text[int(start):int(end)] == str(surface)


_TASK_TEXTS = """SELECT ?file ?task ?text ?s ?e ?item ?clause WHERE {
    ?task a pg:Task ; pg:inDocument ?d ; pg:startOffset ?item .
    ?d pg:sourceFile ?file .
    OPTIONAL { ?task pg:taskText ?text ; pg:textStart ?s ; pg:textEnd ?e }
    OPTIONAL { ?task pg:sourceText ?clause } }"""


def _check_task_texts(ds, folder) -> int:
    """Every task has its own text, and the source file's text between its offsets is that text, clauses included."""
    texts, tasks = {}, set()
    for file, task, text, start, end, item, clause in q(ds, _TASK_TEXTS):
        assert text is not None, f"{file}: task {task} has no pg:taskText"
        source = texts.setdefault(str(file), (folder / str(file)).read_text("utf-8"))
        assert source[int(start):int(end)] == str(text), (file, task)
        assert int(start) == int(item) and str(text) == str(text).strip()
        assert clause is None or str(clause).strip() in str(text), (file, task, clause)
        tasks.add(task)
    return len(tasks)


def test_task_text_offsets_point_at_the_text(seed_build):
    assert _check_task_texts(union(seed_build[1]), SEEDS) == 81


def test_task_text_offsets_on_real_documents(tmp_path):
    docs = SHARED_CORPUS / "docs"
    if not docs.is_dir():
        pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
    files = sorted(p for p in docs.iterdir() if p.suffix == ".txt")
    _, ds = build_corpus(files, tmp_path / "out", load=True)
    assert _check_task_texts(union(ds), docs) > 100


def test_target_provenance(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, """SELECT ?file ?surface ?sentence ?s ?e WHERE { ?x a pg:Target ; pg:surface ?surface ; pg:sourceText ?sentence ;
                    pg:startOffset ?s ; pg:endOffset ?e ; pg:inDocument ?d . ?d pg:sourceFile ?file }""")
    assert rows
    for file, surface, sentence, start, end in rows:
        text = seed_text(str(file))
        assert text[int(start):int(end)] == str(surface)
        assert str(surface) in str(sentence)


def test_same_agency_across_documents_of_one_jurisdiction_is_one_node(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, """SELECT DISTINCT ?a WHERE { ?a a pg:Agency ; skos:altLabel "省科技厅" ; pg:jurisdiction ?j .
                    ?j rdfs:label "甘肃省"@zh }""")
    assert len(rows) == 1
    files = q(ds, """SELECT DISTINCT ?file WHERE { ?t pg:responsibleAgency ?a ; pg:inDocument ?d . ?d pg:sourceFile ?file }""",
              a=rows[0][0])
    assert {str(f[0]) for f in files} == {"000_34f3cba3223de74d.txt", "003_b61f6c7f15dd09ea.txt"}


def test_jurisdictions_are_kept_apart(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, """SELECT DISTINCT ?a ?j WHERE { ?a a pg:Agency ; skos:altLabel "省科技厅" ; pg:jurisdiction/rdfs:label ?j
                    FILTER(lang(?j) = "zh") }""")
    assert {str(j) for _, j in rows} == {"甘肃省", "青海省"}
    types = q(ds, """SELECT DISTINCT ?type WHERE { ?a a pg:Agency ; skos:altLabel "省科技厅" ; pg:agencyType ?type }""")
    assert len(types) == 1


def test_aliases_and_look_alikes(seed_build):
    ds = union(seed_build[1])

    def agency(label, jurisdiction):
        rows = q(ds, """SELECT DISTINCT ?a WHERE { ?a a pg:Agency ; skos:altLabel ?l ; pg:jurisdiction/rdfs:label ?j }""",
                 l=Literal(label), j=Literal(jurisdiction, lang="zh"))
        assert len(rows) == 1, (label, rows)
        return rows[0][0]

    assert agency("省新闻出版广电局", "甘肃省") == agency("新闻出版广电局", "甘肃省")
    assert agency("自治区经济和信息化委", "宁夏回族自治区") == agency("经济和信息化委", "宁夏回族自治区") \
        == agency("自治区经济信息化委", "宁夏回族自治区")
    assert agency("省国税局", "甘肃省") != agency("省地税局", "甘肃省")
    assert len({agency(x, "甘肃省") for x in ("甘肃银监局", "甘肃证监局", "甘肃保监局")}) == 3
    assert agency("各市、县（区）人民政府", "宁夏回族自治区") == agency("各市县（区）人民政府", "宁夏回族自治区")


def test_generic_bodies_are_not_agencies(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, """SELECT ?b WHERE { ?b rdfs:label "相关行业主管部门"@zh }""")
    assert rows
    for (b,) in rows:
        assert (b, RDF.type, PG.UnspecifiedBody) in ds
        assert (b, RDF.type, PG.Agency) not in ds
    assert not q(ds, "SELECT ?t WHERE { ?t pg:responsibleAgency ?b . ?b a pg:UnspecifiedBody }")


def test_cited_policy_is_one_node_shared_by_citing_documents(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, """SELECT ?p (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d pg:implements ?p . ?p pg:documentNumber "国办发〔2015〕9号" }
                    GROUP BY ?p""")
    assert len(rows) == 1 and int(rows[0][1]) == 3


def test_park_management_committee_is_linked_to_its_park(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, """SELECT ?park WHERE { ?a skos:altLabel "西宁经济技术开发区管委会" ; pg:manages ?p . ?p a pg:Park ;
                    rdfs:label ?park }""")
    assert [str(r[0]) for r in rows] == ["西宁经济技术开发区"]


def test_subtasks_point_to_their_parent_item(seed_build):
    ds = union(seed_build[1])
    rows = q(ds, """SELECT ?parent WHERE { ?t a pg:Task ; pg:outline "三/一/1" ; pg:subTaskOf ?p ; pg:inDocument ?d .
                    ?d pg:sourceFile "002_1d37a83bbf4946c8.txt" . ?p pg:outline ?parent }""")
    assert [str(r[0]) for r in rows] == ["三/一"]


def test_build_is_deterministic(tmp_path):
    first, _ = build_corpus(None, tmp_path / "a")
    second, _ = build_corpus(None, tmp_path / "b")
    for name in first.outputs.values():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


def test_written_files_parse_back_to_the_same_graph(seed_build):
    from rdflib import Dataset, Graph
    from rdflib.compare import isomorphic

    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    _, ds, out = seed_build
    trig = Dataset()
    trig.parse(out / "graph.trig", format="trig")
    named = [g for g in ds.graphs() if len(g) and g.identifier != DATASET_DEFAULT_GRAPH_ID]
    assert len(named) == 9  # five documents, shared, vocabulary, statistics, build
    for graph in named:
        assert isomorphic(graph, trig.graph(graph.identifier)), graph.identifier
    assert not len(trig.graph(DATASET_DEFAULT_GRAPH_ID))  # the store keeps no default graph
    merged = Graph().parse(out / "graph.ttl", format="turtle")
    quads = list(ds.quads((None, None, None, None)))
    assert len(merged) == len({(s, p, o) for s, p, o, _ in quads}) == len(quads)  # no triple in two graphs


def test_base_iri_is_configurable(seed_extractions):
    ds = build_dataset(seed_extractions.values(), base="https://example.org/pg/")
    subjects = {s for s, _, _, g in ds.quads((None, None, None, None)) if "vocabulary" not in str(g)}
    assert subjects and all(str(s).startswith("https://example.org/pg/") for s in subjects if isinstance(s, URIRef))


def _documents_to_check(lexicon):
    """The seeds and, where present, the real corpus documents and the Shanghai folder, extracted."""
    from policygraph.load import load_document
    from policygraph.pipeline import extract_document

    paths = sorted(SEEDS.glob("*.txt"))
    for folder in (SHARED_CORPUS / "docs", SHARED_CORPUS / "shanghai" / "docs"):
        if folder.is_dir():
            paths += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in {".txt", ".html", ".htm"})
    return [extract_document(load_document(p, source_path=f"{p.parent.name}/{p.name}"), lexicon) for p in paths]


def test_a_long_documents_graph_comes_in_chunks_that_make_the_same_graph(lexicon):
    """document_chunks cut at every item, task and target give the lines of the whole graph, and the same counts."""
    from policygraph.build import document_chunks, document_triples
    from policygraph.nquads import DocumentCounts, document_statistics, lines

    for x in _documents_to_check(lexicon):
        chunks: list[list[str]] = []
        counts = DocumentCounts()
        shared = document_chunks(x, lambda found: (chunks.append(found), counts.add(found)), lexicon=lexicon,
                                 chunk_lines=1)
        whole = document_triples(x, lexicon=lexicon)
        assert {line for chunk in chunks for line in chunk} == set(lines(whole.own)), x.document.source_path
        assert shared == whole.shared
        assert counts.ntriples("urn:g") == document_statistics("urn:g", whole.own), x.document.source_path
        assert len(chunks) > len(x.tasks) or not x.tasks


def test_task_at_finds_the_first_task_holding_a_position(lexicon):
    """The binary search gives what a scan of every task gives, at every target, name and task edge."""
    from policygraph.build import _DocumentGraphBuilder, _NTriplesSink

    for x in _documents_to_check(lexicon):
        builder = _DocumentGraphBuilder(_NTriplesSink(), _NTriplesSink(), x, "https://example.org/", lexicon)
        positions = {t.span.start for t in x.targets} | {n.span.start for n in x.named}
        positions |= {p for task in x.tasks for p in (task.node.span.start - 1, task.node.span.start,
                                                      task.node.span.end - 1, task.node.span.end)}
        for position in sorted(positions):
            scanned = next((builder.outline_item(t.node) for t in x.tasks
                            if t.node.span.start <= position < t.node.span.end), None)
            assert builder.task_at(position) == scanned, (x.document.source_path, position)
