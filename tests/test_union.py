"""The store keeps no copy of its graphs' union: queries over it see the union as a set, as a merged dataset does.

Every named query and a set of plain aggregates give the same answer over the
store (Oxigraph's union computed at query time) and over the merged dataset
rdflib reads from the exported graph.trig; an incremental history of builds and
removals leaves the store as a fresh build of the same inputs would; and no
triple is in two graphs.
"""
from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from rdflib import Dataset

from policygraph.iri import shared_graph_iri
from policygraph.pipeline import build_corpus, remove_documents
from policygraph.query import list_queries, run_query
from policygraph.store import GraphStore, load_graph_file
from tests.conftest import SEEDS, SHARED_CORPUS

EXAMPLE_PARAMS = {"agency-tasks": {"agency": "省科技厅"}, "co-agencies": {"agency": "青海省科学技术厅"},
                  "agency-type-compare": {"type": "ScienceTechnology"}, "targets-compare": {"metric": "孵化器"}}

#: Plain SPARQL whose answers a bag union would change: counts of triples, of agencies, of labels, per predicate.
AGGREGATES = {
    "triples": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "agencies": "SELECT (COUNT(*) AS ?n) WHERE { ?a a <https://w3id.org/policygraph/ontology#Agency> }",
    "labels": "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
    "alt labels": "SELECT (COUNT(*) AS ?n) WHERE { ?s <http://www.w3.org/2004/02/skos/core#altLabel> ?l }",
    "per predicate": "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p",
    "agency jurisdictions": """SELECT ?j (COUNT(*) AS ?n) WHERE {
        ?a a <https://w3id.org/policygraph/ontology#Agency> ; <https://w3id.org/policygraph/ontology#jurisdiction> ?j
        } GROUP BY ?j""",
    "assignments per agency": """SELECT ?a (COUNT(*) AS ?n) WHERE {
        ?x <https://w3id.org/policygraph/ontology#agent> ?a } GROUP BY ?a""",
}


def _corpus(name: str) -> Path:
    folder = SEEDS if name == "seeds" else SHARED_CORPUS / "docs"
    if not folder.is_dir():
        pytest.skip(f"corpus not found at {folder}")
    return folder


@pytest.fixture(scope="module", params=["seeds", "shared-corpus"])
def built(request, tmp_path_factory):
    """A corpus built into a store, and the merged dataset of its graph.trig read by rdflib."""
    folder = _corpus(request.param)
    out = tmp_path_factory.mktemp(f"union-{request.param}")
    build_corpus([folder], out)
    merged = Dataset(default_union=True)
    merged.parse(out / "graph.trig", format="trig")
    return load_graph_file(out / "store"), merged, out


def _bag(result) -> Counter:
    def cell(var, term):
        text = "" if term is None else str(term)
        return "|".join(sorted(text.split("|"))) if var == "written" else text  # GROUP_CONCAT order is the engine's
    return Counter(tuple(cell(v, t) for v, t in zip(result.variables, row)) for row in result.rows)


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_named_queries_answer_over_the_store_as_over_the_merged_dataset(query, built):
    store, merged, _ = built
    params = EXAMPLE_PARAMS.get(query.name, {})
    in_store, in_file = run_query(store, query, params), run_query(merged, query, params)
    assert in_store.variables == in_file.variables
    assert _bag(in_store) == _bag(in_file)


@pytest.mark.parametrize("name", sorted(AGGREGATES))
def test_aggregates_count_each_triple_once(name, built):
    store, merged, _ = built
    in_store, in_file = run_query(store, AGGREGATES[name]), run_query(merged, AGGREGATES[name])
    assert _bag(in_store) == _bag(in_file) and in_file.rows


def test_the_store_counts_the_triples_of_its_graphs_once(built):
    """The triples of the union are those of the named graphs, each in one graph: no copy in the default graph."""
    _, merged, out = built
    with GraphStore(out / "store", read_only=True) as store:
        quads = store.count("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        default = store.count("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER NOT EXISTS { GRAPH ?g { ?s ?p ?o } } }")
    assert default == 0
    assert quads == len(merged)


def _graphs_of_each_triple(store_dir: Path) -> Counter:
    import pyoxigraph as ox

    with GraphStore(store_dir, read_only=True) as store:
        return Counter((q.subject, q.predicate, q.object) for q in store._store.quads_for_pattern(None, None, None, None)
                       if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode))


def _union(store_dir: Path) -> set[str]:
    """The store's merged export as a set of N-Triples lines (the vocabulary's blank nodes left out)."""
    import io

    data = io.BytesIO()
    with GraphStore(store_dir, read_only=True) as store:
        store.write(data, "nt")
    return {line for line in data.getvalue().decode("utf-8").splitlines() if "_:" not in line}


def _rewrite(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


@pytest.mark.parametrize("spooled", [False, True], ids=["in-one-transaction", "bulk-loaded-from-a-file"])
def test_an_incremental_history_leaves_the_store_a_fresh_build_would(tmp_path, monkeypatch, spooled):
    """Build, change one document, rebuild, remove one: the union is that of a fresh build, no triple in two graphs.

    The change renames a body in a clause and the removed document shares
    agencies and places with those that stay, so shared descriptions must
    stay where still needed and go where not. Spooled, every document that
    is rebuilt goes the way of a long one: its own graph through a file
    into the bulk loader, the rest after it.
    """
    from policygraph import pipeline

    if spooled:
        monkeypatch.setattr(pipeline, "_SPOOL_BYTES", 0)
        spools = []
        replace = GraphStore.replace_long_document
        monkeypatch.setattr(GraphStore, "replace_long_document",
                            lambda self, graph, path, *rest: spools.append(path) or replace(self, graph, path, *rest))
    docs = tmp_path / "seeds"
    shutil.copytree(SEEDS, docs)
    changed = docs / "002_1d37a83bbf4946c8.txt"
    out = tmp_path / "out"
    build_corpus([docs], out, export=False)
    text = changed.read_text("utf-8")
    written = next(s for s in ("省科技厅", "科技厅") if s in text)
    _rewrite(changed, written, "省科学技术厅")
    build_corpus([docs], out, export=False, jobs=1)
    if spooled:
        assert len(spools) == 1 and not Path(spools[0]).exists()
    removed = docs / "000_34f3cba3223de74d.txt"
    remove_documents([f"seeds/{removed.name}"], out)
    removed.unlink()
    fresh = tmp_path / "fresh"
    build_corpus([docs], fresh, export=False)
    assert _union(out / "store") == _union(fresh / "store")
    repeated = {t: n for t, n in _graphs_of_each_triple(out / "store").items() if n > 1}
    assert not repeated


@pytest.mark.parametrize("name", ["seeds", "shared-corpus"])
def test_no_triple_is_in_two_graphs(name, tmp_path):
    build_corpus([_corpus(name)], tmp_path, export=False)
    repeated = {t: n for t, n in _graphs_of_each_triple(tmp_path / "store").items() if n > 1}
    assert not repeated


def test_removing_every_document_empties_the_shared_graph(tmp_path):
    """A description no remaining document needs goes: with no document left, the shared graph is empty."""
    build_corpus([SEEDS], tmp_path, export=False)
    remove_documents([f"seeds/{p.name}" for p in sorted(SEEDS.glob("*.txt"))], tmp_path)
    with GraphStore(tmp_path / "store", read_only=True) as store:
        left = store.count(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{shared_graph_iri()}> {{ ?s ?p ?o }} }}")
        names = store.count("SELECT (COUNT(*) AS ?n) WHERE { ?m a pg:NameMention }".replace(
            "pg:", "<https://w3id.org/policygraph/ontology#").replace("NameMention", "NameMention>"))
    assert (left, names) == (0, 0)


def test_a_query_naming_its_graphs_reads_those_only(built):
    """The union is the default only: FROM picks the graphs a query reads."""
    store, _, out = built
    agencies = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?a a <https://w3id.org/policygraph/ontology#Agency> }}"
    with GraphStore(out / "store", read_only=True) as graphs:
        document = next(iter(graphs.records().values())).graph

    def count(dataset: str) -> int:
        return int(run_query(store, agencies.format(dataset)).rows[0][0])

    assert count(f"FROM <{shared_graph_iri()}>") == count("") > 0  # every agency is described in the shared graph
    assert count(f"FROM <{document}>") == 0


def test_a_store_of_an_earlier_layout_loses_its_union_copy_on_the_next_build(tmp_path):
    """An earlier version kept the union as a copy in the default graph; the next build by this one drops it."""
    import pyoxigraph as ox

    from policygraph.store import StoreLock, writing

    build_corpus([SEEDS], tmp_path, export=False)
    store_dir, build_graph = tmp_path / "store", "https://w3id.org/policygraph/id/graph/build"
    with StoreLock(store_dir), writing(store_dir) as staging, GraphStore(staging) as store:
        store._store.update(f"INSERT {{ ?s ?p ?o }} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} ;\n"
                            f"DELETE {{ GRAPH <{build_graph}> {{ ?b ?p ?v }} }} "
                            f"INSERT {{ GRAPH <{build_graph}> {{ ?b ?p \"an older build\" }} }} "
                            f"WHERE {{ GRAPH <{build_graph}> {{ ?b ?p ?v }} }}")
    build_corpus([SEEDS], tmp_path, export=False)
    fresh = tmp_path / "fresh"
    build_corpus([SEEDS], fresh, export=False)
    with GraphStore(store_dir, read_only=True) as store:
        assert next(iter(store._store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is None
    assert _union(store_dir) == _union(fresh / "store")


def test_a_compacted_store_holds_what_the_build_wrote_in_fewer_files(tmp_path):
    """build --compact merges the new version's files; the store's union is unchanged, and so is an update after it."""
    from click.testing import CliRunner

    from policygraph.cli import cli

    plain, compacted = tmp_path / "plain", tmp_path / "compacted"
    build_corpus([SEEDS], plain, export=False)
    result = CliRunner().invoke(cli, ["build", str(SEEDS), "-g", str(compacted), "--no-export", "--compact"])
    assert result.exit_code == 0, result.output
    assert _union(compacted / "store") == _union(plain / "store")
    files = {d: len(list((d / "store").resolve().glob("*.sst"))) for d in (plain, compacted)}
    assert files[compacted] < files[plain], files
    build_corpus([SEEDS], compacted, export=False, force=True, compact=True)
    assert _union(compacted / "store") == _union(plain / "store")
