"""The line format of policygraph.nquads: what the builder writes is what the statistics count."""
from __future__ import annotations

from policygraph.nquads import DOCUMENT_COUNTS, LINE_END, TRIPLE_END, document_statistics, graph_nquads, split_nquads

PG = "https://w3id.org/policygraph/ontology#"

#: Per report key of DOCUMENT_COUNTS, the SPARQL pattern (over the document graph ?g) of what it counts in ?x.
SPARQL_COUNTS = {
    "tasks": "?x a pg:Task",
    "assignments": "?x a pg:Assignment",
    "lead": "?x pg:role pg:LeadRole",
    "support": "?x pg:role pg:SupportRole",
    "responsible": "?x pg:role pg:ResponsibleRole",
    "unspecified bodies": "?x pg:agent ?b . ?t pg:unspecifiedBody ?b",
    "targets": "?x a pg:Target",
}
SPARQL_EXTRA = {
    "undatedTargetsInGraph": "?x a pg:Target FILTER NOT EXISTS { ?x pg:targetYear ?y }",
    "tasksWithoutAgencyInGraph": "?x a pg:Task FILTER NOT EXISTS { ?x pg:responsibleAgency ?a }",
}


def _count(store, graph: str, pattern: str) -> int:
    """How many distinct ?x match ``pattern`` inside the named graph ``graph``, by SPARQL."""
    rows = list(store.query(f"SELECT (COUNT(DISTINCT ?x) AS ?n) WHERE {{ GRAPH <{graph}> {{ {pattern} }} }}",
                            prefixes={"pg": PG}))
    return int(rows[0]["n"].value)


def _years(store, graph: str) -> list[str]:
    """The distinct deadline years of a document graph's targets, by SPARQL."""
    rows = store.query(f"SELECT DISTINCT ?y WHERE {{ GRAPH <{graph}> {{ ?x a pg:Target ; pg:targetYear ?y }} }}",
                       prefixes={"pg": PG})
    return sorted((str(int(r["y"].value)) for r in rows), key=int)


def _statistics(graph: str, ntriples: str) -> dict[str, list[str]]:
    """The values of document_statistics for ``graph``, by property local name."""
    import pyoxigraph as ox

    found: dict[str, list[str]] = {}
    for t in ox.parse(document_statistics(graph, ntriples).encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
        assert t.subject.value == graph
        found.setdefault(t.predicate.value.removeprefix(PG), []).append(t.object.value)
    return found


def test_line_endings_are_those_the_builder_writes():
    """Every count but the unspecified bodies matches a line's end, and build.py ends its lines the same way."""
    from policygraph.build import ntriples
    from rdflib import RDF, URIRef

    line = ntriples([(URIRef("urn:t"), RDF.type, URIRef(PG + "Task"))])
    assert line.endswith(TRIPLE_END) and TRIPLE_END == LINE_END + "\n"
    assert line[:-1].endswith(DOCUMENT_COUNTS["tasks"][1])
    assert '"1"' in document_statistics("urn:g", line).split("tasksInGraph", 1)[1].split("\n", 1)[0]


def test_document_statistics_agree_with_sparql(seed_build):
    """document_statistics, counted from each seed's lines, against an independent count by SPARQL over the store."""
    from policygraph.store import GraphStore, open_snapshot

    _, _, out = seed_build
    snapshot = open_snapshot(out / "store")
    store = snapshot.store
    with GraphStore(out / "store", read_only=True) as gs:
        documents = [r.graph for r in gs.records().values()]
        assert len(documents) == 5
        for graph in documents:
            ntriples = gs.graph_ntriples(graph).decode("utf-8")
            stats = _statistics(graph, ntriples)
            for key, (prop, _) in DOCUMENT_COUNTS.items():
                assert stats[prop] == [str(_count(store, graph, SPARQL_COUNTS[key]))], (graph, key)
            for prop, pattern in SPARQL_EXTRA.items():
                assert stats[prop] == [str(_count(store, graph, pattern))], (graph, prop)
            assert sorted(stats.get("targetYearInGraph", []), key=int) == _years(store, graph), graph
            assert split_nquads(graph_nquads([(graph, ntriples)])) == {graph: ntriples}
    snapshot.close()


def test_seed_counts_are_not_all_zero(seed_build):
    """The seeds exercise every count the comparison above checks, so agreeing is not agreeing on nothing."""
    from policygraph.store import GraphStore

    _, _, out = seed_build
    totals: dict[str, int] = {}
    with GraphStore(out / "store", read_only=True) as gs:
        for record in gs.records().values():
            stats = _statistics(record.graph, gs.graph_ntriples(record.graph).decode("utf-8"))
            for prop, values in stats.items():
                totals[prop] = totals.get(prop, 0) + (len(values) if prop == "targetYearInGraph" else int(values[0]))
    assert all(totals[prop] > 0 for prop, _ in DOCUMENT_COUNTS.values()), totals
    assert totals["tasksWithoutAgencyInGraph"] > 0 and totals["targetYearInGraph"] > 0, totals
