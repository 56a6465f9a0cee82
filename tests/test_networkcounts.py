"""The agency network's counts in a store's statistics graph: the same numbers as the pairs, kept up to date.

``rank`` on a store reads per-agency and per-pair counts instead of every
task–agency pair; they must give the measures the pairs give, on every
corpus, and stay what a fresh build writes after incremental builds and
removals.
"""
from __future__ import annotations

import itertools
import shutil
from pathlib import Path

import pytest

from policygraph.analyse.measures import measure_agencies, summary_measures
from policygraph.analyse.network import load_network, load_summary, responsible
from policygraph.networkcounts import NetworkCounter, responsible_role
from policygraph.opening import open_graph
from policygraph.pipeline import build_corpus, remove_documents
from policygraph.store import GraphStore
from policygraph.viewgraph import agency_network, counted_agency_network, read_view_graph
from tests.conftest import SEEDS, SHARED_CORPUS

_PG = "https://w3id.org/policygraph/ontology#"
_NETWORK = tuple(f"<{_PG}{p}>" for p in ("firstTask", "responsibleTaskCount", "supportOnlyTaskCount",
                                         "leadSupportTaskCount", "sharedTaskCount", "ledTaskCount", "firstAgency",
                                         "secondAgency", "agencyInGraph", "taskCount", "firstSharedTask"))


def _corpus(name: str) -> Path:
    folder = SEEDS if name == "seeds" else SHARED_CORPUS / "docs"
    if not folder.is_dir():
        pytest.skip(f"corpus not found at {folder}")
    return folder


def _network_lines(store_dir: Path) -> set[str]:
    """The statistics graph's lines about the agency network."""
    with GraphStore(store_dir, read_only=True) as store:
        statistics = next(g for g in store.graphs() if g.endswith("/graph/statistics"))
        text = store.graph_ntriples(statistics).decode("utf-8")
    return {line for line in text.splitlines() if any(p in line for p in _NETWORK)}


def _same_measures(store_dir: Path) -> None:
    """Rank's measures and the agencies view are the same from the counts as from the tasks."""
    graph = open_graph(store_dir)
    summary = load_summary(graph)
    assert summary is not None
    from_counts = summary_measures(summary)
    from_pairs = measure_agencies(load_network(graph))
    assert list(from_counts) == list(from_pairs)
    assert from_counts == from_pairs
    tasks = read_view_graph(graph, agencies_only=True)
    for colour_by in ("community", "type"):
        counted, read = counted_agency_network(graph, colour_by), agency_network(tasks, colour_by)
        assert counted == read
        assert counted.extra == read.extra


def test_the_counts_decide_roles_as_the_analysis_does():
    for lead, support, stated, other in itertools.product((False, True), repeat=4):
        assert responsible_role(lead, support, stated, other) == responsible(lead, support, stated, other)


def test_a_document_is_counted_from_its_lines():
    pg = f"<{_PG}"
    lines = [f"<urn:t1> {pg}responsibleAgency> <urn:a> .", f"<urn:t1> {pg}responsibleAgency> <urn:b> .",
             f"<urn:t1> {pg}leadAgency> <urn:a> .", f"<urn:t1> {pg}supportingAgency> <urn:b> .",
             f"<urn:t2> {pg}responsibleAgency> <urn:b> .", f'<urn:t2> {pg}outline> "一" .']
    counter = NetworkCounter()
    counter.add(lines[:3])
    counter.add(lines[3:])
    counts = counter.counts()
    assert counts.first == {"urn:a": "urn:t1", "urn:b": "urn:t1"}
    assert dict(counts.shared) == {("urn:a", "urn:b"): 1}
    assert dict(counts.led) == {("urn:a", "urn:b"): 1}
    assert counts.agencies[("urn:b", "taskCount")] == 2
    assert counts.agencies[("urn:b", "supportOnlyTaskCount")] == 1
    assert counts.agencies[("urn:b", "responsibleTaskCount")] == 1


@pytest.mark.parametrize("name", ["seeds", "shared-corpus"])
def test_rank_from_the_counts_is_rank_from_the_pairs(name, tmp_path):
    build_corpus([_corpus(name)], tmp_path, export=False)
    _same_measures(tmp_path / "store")


def test_the_counts_after_changes_and_a_removal_are_those_of_a_fresh_build(tmp_path):
    """Build, change one document's clauses, rebuild, remove two: the counts equal a fresh build's, and the
    measures still equal those of the pairs.

    A copy of one document names the same agencies in tasks of other IRIs,
    so removing the original takes away first tasks that the copy must give.
    """
    docs = tmp_path / "seeds"
    shutil.copytree(SEEDS, docs)
    original = docs / "003_b61f6c7f15dd09ea.txt"
    shutil.copy(original, docs / "copy_of_003.txt")
    out = tmp_path / "out"
    build_corpus([docs], out, export=False)
    first = _network_lines(out / "store")
    changed = docs / "002_1d37a83bbf4946c8.txt"
    text = changed.read_text("utf-8")
    written = next(s for s in ("省科技厅", "科技厅") if s in text)
    changed.write_text(text.replace(written, "省财政厅", 2), "utf-8")
    build_corpus([docs], out, export=False)
    removed = [docs / "000_34f3cba3223de74d.txt", original]
    remove_documents([f"seeds/{path.name}" for path in removed], out)
    for path in removed:
        path.unlink()
    fresh = tmp_path / "fresh"
    build_corpus([docs], fresh, export=False)
    kept = _network_lines(out / "store")
    assert kept != first
    assert kept == _network_lines(fresh / "store")
    _same_measures(out / "store")


def test_a_store_without_the_counts_is_ranked_from_its_pairs(tmp_path):
    build_corpus([SEEDS], tmp_path, export=False)
    with GraphStore(tmp_path / "store") as store:
        statistics = next(g for g in store.graphs() if g.endswith("/graph/statistics"))
        store._store.update(f"DELETE WHERE {{ GRAPH <{statistics}> {{ ?a <{_PG}firstTask> ?t }} }}")
    assert load_summary(open_graph(tmp_path / "store")) is None
    assert counted_agency_network(open_graph(tmp_path / "store")) is None
