"""The persistent store: incremental builds, removal, the writer lock, and safety against a killed build."""
from __future__ import annotations

import gc
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph
from rdflib.compare import to_isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from policygraph.cli import cli
from policygraph.pipeline import build_corpus, remove_documents
from policygraph.errors import StoreBusy
from policygraph.store import GraphStore, StoreLock, load_graph_file

from .conftest import ROOT, SEED_FILES as SEED_NAMES, SEEDS

Q = "PREFIX pg: <https://w3id.org/policygraph/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


def rows(graph, query):
    return [tuple(str(v) for v in r) for r in graph.query(Q + query)]


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    shutil.copytree(SEEDS, folder)
    return folder


def test_rebuild_skips_unchanged_and_replaces_changed(corpus, tmp_path):
    out = tmp_path / "out"
    first, _ = build_corpus([corpus], out, export=False)
    assert first.counts["processed"] == 5 and first.counts["tasks"] == 81
    again, _ = build_corpus([corpus], out, export=False)
    assert (again.counts["processed"], again.counts["unchanged"], again.counts["tasks"]) == (0, 5, 81)
    ningxia = corpus / "004_804e474c68a51211.txt"
    ningxia.write_text(ningxia.read_text("utf-8").replace(
        "（四）筹集专项资金。", "（五）加强督查。各地定期报告进展。（自治区科技厅牵头，自治区财政厅配合）\n（四）筹集专项资金。"), "utf-8")
    changed, _ = build_corpus([corpus], out, export=False)
    assert (changed.counts["processed"], changed.counts["unchanged"]) == (1, 4)
    assert changed.counts["tasks"] == 82
    assert [d.source_file for d in changed.documents] == [ningxia.name]


def test_changing_the_base_iri_rebuilds_everything(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out, export=False)
    report, _ = build_corpus(None, out, export=False, base="https://example.org/pg/")
    assert report.counts["processed"] == 5


def test_build_refuses_a_store_folder_that_holds_a_users_files(tmp_path):
    notes = tmp_path / "out" / "store" / "notes.txt"
    notes.parent.mkdir(parents=True)
    notes.write_text("my notes", "utf-8")
    (notes.parent / "drafts").mkdir()
    for args in ([], ["--rebuild"]):
        result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path / "out"), "-j", "1", "--no-export", *args])
        assert result.exit_code == 1, result.output
        assert f"{notes.parent}: not a policygraph store (drafts/, notes.txt); nothing was changed" in result.output
        assert notes.read_text("utf-8") == "my notes" and (notes.parent / "drafts").is_dir()
    assert not (tmp_path / "out" / "graph.trig").exists()


def test_build_refuses_an_oxigraph_store_it_did_not_write(tmp_path):
    import pyoxigraph as ox

    theirs = tmp_path / "out" / "store"
    theirs.parent.mkdir()
    store = ox.Store(str(theirs))
    store.add(ox.Quad(ox.NamedNode("urn:a"), ox.NamedNode("urn:b"), ox.Literal("c")))
    store.flush()
    del store
    result = CliRunner().invoke(cli, ["build", "-o", str(tmp_path / "out"), "-j", "1", "--no-export"])
    assert result.exit_code == 1
    assert "an Oxigraph store that policygraph did not write; nothing was changed" in result.output
    assert len(ox.Store.read_only(str(theirs))) == 1


def test_a_damaged_store_is_refused_until_rebuilt(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out, export=False)
    (out / "store" / "CURRENT").unlink()
    result = CliRunner().invoke(cli, ["build", "-o", str(out), "-j", "1", "--no-export"])
    assert result.exit_code == 1
    assert "a damaged policygraph store (its CURRENT file is missing)" in result.output
    assert "policygraph build --rebuild" in result.output
    rebuilt = CliRunner().invoke(cli, ["build", "-o", str(out), "-j", "1", "--no-export", "--rebuild"])
    assert rebuilt.exit_code == 0, rebuilt.output
    report, _ = build_corpus(None, out, export=False)
    assert (report.counts["documents"], report.counts["unchanged"]) == (5, 5)


def test_a_store_from_before_the_marker_is_recognised_by_its_fingerprint(tmp_path):
    from policygraph.store import STORE_MARKER

    out = tmp_path / "out"
    build_corpus(None, out, export=False)
    (out / "store" / STORE_MARKER).unlink()
    report, _ = build_corpus(None, out, export=False)
    assert report.counts["unchanged"] == 5 and (out / "store" / STORE_MARKER).is_file()


def test_an_empty_store_folder_is_built_into(tmp_path):
    (tmp_path / "out" / "store").mkdir(parents=True)
    report, _ = build_corpus(None, tmp_path / "out", export=False)
    assert report.counts["documents"] == 5


def test_a_document_is_its_file_not_its_name_or_its_number(tmp_path):
    """Two provinces' plan.txt, built one folder at a time, are two documents; a copy with the same 文号 is a third."""
    qinghai = SEEDS / "002_1d37a83bbf4946c8.txt"  # 青政办〔2017〕2号
    for folder, source in (("gansu", SEEDS / "003_b61f6c7f15dd09ea.txt"), ("qinghai", qinghai)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "plan.txt").write_bytes(source.read_bytes())
    (tmp_path / "qinghai" / "plan-copy.txt").write_bytes(qinghai.read_bytes())
    out = tmp_path / "out"
    first, _ = build_corpus([tmp_path / "gansu"], out, export=False, jobs=1)
    second, _ = build_corpus([tmp_path / "qinghai"], out, export=False, jobs=1)
    assert (first.counts["documents"], second.counts["documents"], second.counts["processed"]) == (1, 3, 2)
    graph = load_graph_file(out)
    assert rows(graph, "SELECT ?p ?f WHERE { ?d pg:sourcePath ?p ; pg:sourceFile ?f } ORDER BY ?p") == [
        ("gansu/plan.txt", "plan.txt"), ("qinghai/plan-copy.txt", "plan-copy.txt"), ("qinghai/plan.txt", "plan.txt")]
    assert rows(graph, 'SELECT (COUNT(?d) AS ?n) WHERE { ?d pg:documentNumber "青政办〔2017〕2号" ; pg:sourceFile ?f }') == [("2",)]
    again, _ = build_corpus([tmp_path / "gansu"], out, export=False, jobs=1)
    assert (again.counts["documents"], again.counts["unchanged"]) == (3, 1)
    with pytest.raises(Exception, match=r"matches 2 documents: gansu/plan.txt, qinghai/plan.txt \(青政办〔2017〕2号\)"):
        remove_documents(["plan.txt"], out)
    with pytest.raises(Exception, match=r"matches 2 documents: qinghai/plan-copy.txt \(青政办〔2017〕2号\), qinghai/plan.txt"):
        remove_documents(["青政办[2017]2号"], out)
    assert remove_documents([str(tmp_path / "qinghai" / "plan.txt"), "gansu/plan.txt"], out).removed == (
        "qinghai/plan.txt", "gansu/plan.txt")
    assert rows(load_graph_file(out), "SELECT ?p WHERE { ?d pg:sourcePath ?p }") == [("qinghai/plan-copy.txt",)]


def test_a_store_of_documents_kept_by_file_name_is_moved_to_paths(tmp_path):
    """A store an older build wrote (graphs keyed by file name, no pg:sourcePath) loses those graphs as they are rebuilt."""
    import pyoxigraph as ox

    out = tmp_path / "out"
    build_corpus(None, out, export=False, jobs=1)
    store = ox.Store(str(out / "store"))
    old_graph, path = "https://w3id.org/policygraph/id/graph/old", ox.NamedNode("https://w3id.org/policygraph/ontology#sourcePath")
    document = next(q for q in store.quads_for_pattern(None, path, ox.Literal("seeds/003_b61f6c7f15dd09ea.txt"), None)
                    if q.graph_name != ox.DefaultGraph())
    quads = [q for q in store.quads_for_pattern(None, None, None, document.graph_name) if q.predicate != path]
    store.extend([ox.Quad(q.subject, q.predicate, q.object, ox.NamedNode(old_graph)) for q in quads])
    store.remove_graph(document.graph_name)
    store.update("DELETE WHERE { GRAPH <https://w3id.org/policygraph/id/graph/build> { ?s ?p ?o } }")
    store.flush()
    del store
    report, _ = build_corpus(None, out, export=False, jobs=1)
    assert (report.counts["documents"], report.counts["processed"]) == (5, 5)
    with GraphStore(out / "store") as store:
        assert old_graph not in store.graphs() and all(r.has_path for r in store.records().values())


def test_remove_keeps_what_other_documents_share(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out, export=False)
    assert remove_documents(["003_b61f6c7f15dd09ea.txt"], out).removed == ("seeds/003_b61f6c7f15dd09ea.txt",)
    graph = load_graph_file(out)
    files = rows(graph, "SELECT ?f WHERE { ?d pg:sourceFile ?f } ORDER BY ?f")
    assert ("003_b61f6c7f15dd09ea.txt",) not in files and len(files) == 4
    # 甘肃省科学技术厅 is named by 000 as well: it survives, with the tasks of 000 only.
    assert rows(graph, """SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t pg:responsibleAgency ?a .
                          ?a rdfs:label "甘肃省科学技术厅"@zh }""") == [("9",)]
    # 省委宣传部 appears only in 003: it is gone from the union.
    assert rows(graph, 'SELECT ?a WHERE { ?a rdfs:label "中共甘肃省委员会宣传部"@zh }') == []
    assert rows(graph, 'SELECT ?a WHERE { ?a rdfs:label ?l FILTER(CONTAINS(STR(?l), "宣传部")) FILTER(lang(?l)="zh") }')
    with pytest.raises(Exception, match="no document has this path, file name or 文号"):
        remove_documents(["003_b61f6c7f15dd09ea.txt"], out)


def _statistics(out: Path) -> dict[str, tuple[int, int, int]]:
    """The per-agency counts the store keeps, from its statistics graph alone."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(out / "store"))
    query = Q + """SELECT ?a ?n ?l ?s WHERE { GRAPH <https://w3id.org/policygraph/id/graph/statistics> {
                   ?a pg:taskCount ?n ; pg:leadTaskCount ?l ; pg:supportTaskCount ?s } }"""
    return {r["a"].value: (int(r["n"].value), int(r["l"].value), int(r["s"].value)) for r in store.query(query)}


def _counted(out: Path) -> dict[str, tuple[int, int, int]]:
    """The same counts computed from every task of the store's export, by rdflib."""
    with GraphStore(out / "store") as store:
        ds = store.dataset()
    by_role = [dict(rows(ds, f"SELECT ?a (COUNT(DISTINCT ?t) AS ?n) WHERE {{ ?t pg:{p} ?a }} GROUP BY ?a"))
               for p in ("responsibleAgency", "leadAgency", "supportingAgency")]
    return {a: tuple(int(counts.get(a, 0)) for counts in by_role) for a in by_role[0]}


def _totals_agree(out: Path) -> bool:
    """The build's totals from the per-document counts equal the totals counted over the whole union."""
    from policygraph.pipeline import store_counts

    with GraphStore(out / "store", "https://w3id.org/policygraph/id/graph/statistics") as store:
        assert store.document_totals() is not None
        summed = store_counts(store)
    with GraphStore(out / "store") as store:
        return summed == store_counts(store)


def test_statistics_follow_every_build_and_removal(corpus, tmp_path):
    out = tmp_path / "out"
    build_corpus([corpus], out, export=False)  # first build: bulk loader, counted once at the end
    assert _statistics(out) == _counted(out) and len(_statistics(out)) == 99
    assert _totals_agree(out)
    ningxia = corpus / "004_804e474c68a51211.txt"
    ningxia.write_text(ningxia.read_text("utf-8").replace(
        "（四）筹集专项资金。", "（五）加强督查。各地定期报告进展。（自治区科技厅牵头，自治区财政厅配合）\n（四）筹集专项资金。"), "utf-8")
    build_corpus([corpus], out, export=False)  # one changed document, in a transaction
    assert _statistics(out) == _counted(out) and _totals_agree(out)
    remove_documents(["003_b61f6c7f15dd09ea.txt"], out)  # agencies of 003 only lose their counts
    assert _statistics(out) == _counted(out) and len(_statistics(out)) < 99 and _totals_agree(out)
    shutil.copy(SEEDS / "003_b61f6c7f15dd09ea.txt", corpus)
    build_corpus([corpus], out, export=False)  # a document added to an existing store
    assert _statistics(out) == _counted(out) and len(_statistics(out)) == 99 and _totals_agree(out)


def test_top_agencies_query_reads_the_statistics_with_the_same_rows(tmp_path):
    from policygraph.query import _oxigraph, _store_variant, queries_dir, resolve_query, run_query

    out = tmp_path / "out"
    build_corpus(None, out)
    store = load_graph_file(out)
    named = resolve_query("agencies-by-tasks")
    as_text = (queries_dir() / "agencies-by-tasks.rq").read_text("utf-8")
    assert _store_variant(store, named, _oxigraph(store))  # the store answers from its counts; the file is counted by rdflib
    for lang in ("zh", "en"):
        from_statistics = run_query(store, named, lang=lang)
        counted = run_query(store, as_text, lang=lang)  # inline text: counted from the assignments
        from_file = run_query(load_graph_file(out / "graph.trig"), named, lang=lang)
        assert from_statistics.rows == counted.rows == from_file.rows
        assert len(from_statistics.rows) == 99


def test_union_default_graph_is_a_set(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out, export=False)
    graph = load_graph_file(out)
    labels = rows(graph, 'SELECT ?l WHERE { ?a rdfs:label "甘肃省科学技术厅"@zh ; rdfs:label ?l }')
    assert sorted(labels) == [("Gansu Provincial Department of Science and Technology",), ("甘肃省科学技术厅",)]


def test_a_second_writer_waits_then_refuses(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out, export=False)
    with StoreLock(out / "store", timeout=0):
        started = time.monotonic()
        with pytest.raises(StoreBusy, match="another build .* is writing to this store; waited 0.5 s"):
            build_corpus(None, out, export=False, wait=0.5)
        assert time.monotonic() - started >= 0.5
        result = CliRunner().invoke(cli, ["build", "-o", str(out), "--wait", "0"])
        assert result.exit_code == 1 and "another build" in result.output
    report, _ = build_corpus(None, out, export=False, wait=0)
    assert report.counts["unchanged"] == 5


def _expected_graphs(corpus: Path) -> dict[str, set[str]]:
    """Each document's own N-Triples lines (its graph; the shared graph holds the rest) as a clean build writes them."""
    from policygraph.build import document_triples
    from policygraph.pipeline import extract_document
    from policygraph.lexicon import load_lexicon
    from policygraph.load import load_document

    lexicon = load_lexicon()
    return {f"{corpus.name}/{p.name}": set(document_triples(extract_document(load_document(p, source_path=f"{corpus.name}/{p.name}"),
                                                                     lexicon), lexicon=lexicon).own.splitlines())
            for p in sorted(corpus.iterdir())}


def _store_graphs(store_dir: Path) -> dict[str, set[str]]:
    from policygraph.iri import document_graph_iri

    with GraphStore(store_dir) as store:
        records = store.records()
        graphs = {name: set(store.graph_ntriples(rec.graph).decode("utf-8").splitlines()) for name, rec in records.items()}
        assert all(rec.graph == str(document_graph_iri(name)) for name, rec in records.items())
    return graphs


def _stored_documents(store_dir: Path) -> int:
    """How many document graphs a reader sees now (a read-only view beside the running writer)."""
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(str(store_dir))
        return sum(1 for g in store.named_graphs() if "/graph/" in g.value) - 1
    except (OSError, RuntimeError):  # the writer may be compacting the files the reader is opening
        return 0


def _canonical(lines: set[str]) -> set[str]:
    """N-Triples lines with integral decimals written as the graph writes them ("50.0")."""
    import re

    return {re.sub(r'"(-?\d+)"\^\^<http://www\.w3\.org/2001/XMLSchema#decimal>',
                   r'"\1.0"^^<http://www.w3.org/2001/XMLSchema#decimal>', line) for line in lines}


def test_killed_build_leaves_every_document_whole(tmp_path):
    """A killed update leaves the published store as it was and its copy with each document whole; the rerun resumes."""
    generated = tmp_path / "generated"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "60", str(generated), "--seed", "5",
                    "--gold-dir", str(tmp_path / "gold")], check=True, capture_output=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = sorted(generated.glob("*.txt"))
    for f in files[:10]:
        shutil.copy(f, corpus)
    out = tmp_path / "out"
    build_corpus([corpus], out, export=False)  # a store built by this pipeline: the next build is incremental
    first = {k: _canonical(v) for k, v in _store_graphs(out / "store").items()}
    for f in files[10:]:
        shutil.copy(f, corpus)
    proc = subprocess.Popen([sys.executable, "-m", "policygraph", "build", str(corpus), "-o", str(out), "--no-export",
                             "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    staging = out / "store.building"
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if _stored_documents(staging) >= 15:
                break
            time.sleep(0.05)
        time.sleep(0.3)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    expected = _expected_graphs(corpus)
    assert {k: _canonical(v) for k, v in _store_graphs(out / "store").items()} == first  # readers saw no change
    staged = _store_graphs(staging)
    assert 10 < len(staged) < len(expected), "the build should have been killed midway"
    for name, lines in staged.items():
        assert _canonical(lines) == expected[name], name
    report, _ = build_corpus([corpus], out, export=False)
    assert report.counts["processed"] == len(expected) - len(staged)  # resumed from the killed build's copy
    assert report.counts["documents"] == len(expected)
    assert {k: _canonical(v) for k, v in _store_graphs(out / "store").items()} == expected
    assert not staging.exists()


def test_killed_first_build_leaves_no_half_written_store(tmp_path):
    """A first build bulk-loads into a staging folder: killed, it leaves no store; the rerun builds it whole."""
    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "40", str(corpus), "--seed", "6",
                    "--gold-dir", str(tmp_path / "gold")], check=True, capture_output=True)
    out = tmp_path / "out"
    staging = out / "store.building"
    proc = subprocess.Popen([sys.executable, "-m", "policygraph", "build", str(corpus), "-o", str(out), "--no-export",
                             "--jobs", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None and not staging.is_dir():
            time.sleep(0.05)
        time.sleep(1.0)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    assert staging.is_dir(), "the build should have been killed while loading"
    assert not (out / "store").exists()
    report, _ = build_corpus([corpus], out, export=False)
    assert not staging.exists()
    assert report.counts["processed"] == report.counts["documents"] == 40
    assert {k: _canonical(v) for k, v in _store_graphs(out / "store").items()} == _expected_graphs(corpus)


def test_export_command_writes_the_store(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out)
    result = CliRunner().invoke(cli, ["export", str(tmp_path / "all.trig"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "all.trig").read_bytes() == (out / "graph.trig").read_bytes()
    for name in ("all.nq", "all.nt"):
        result = CliRunner().invoke(cli, ["export", str(tmp_path / name), "-o", str(out)])
        assert result.exit_code == 0, result.output

    def graphs(path, fmt):
        ds = Dataset()
        ds.parse(path, format=fmt)
        return {g.identifier: to_isomorphic(g) for g in ds.graphs() if len(g)}

    named = graphs(tmp_path / "all.nq", "nquads")
    assert named == graphs(out / "graph.trig", "trig") and sum(len(g) for g in named.values()) > 9000
    assert DATASET_DEFAULT_GRAPH_ID not in named  # the union is the store's index, not a graph of the export
    merged = to_isomorphic(Graph().parse(tmp_path / "all.nt", format="nt"))
    union = Graph()
    for g in named.values():
        union += g
    assert merged == to_isomorphic(Graph().parse(out / "graph.ttl")) == to_isomorphic(union)


def test_read_commands_give_the_same_answers_from_the_store_and_the_export(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out)
    runner = CliRunner()
    for args in (["query", "agencies-by-tasks", "-f", "csv"], ["query", "agency-tasks", "-p", "agency=省科技厅"],
                 ["query", "targets-by-year", "-f", "json"], ["rank", "--top", "10"], ["rank", "--by", "type"]):
        from_store = runner.invoke(cli, args + ["-g", str(out)])
        from_file = runner.invoke(cli, args + ["-g", str(out / "graph.trig")])
        assert from_store.exit_code == 0, from_store.output
        assert from_store.output == from_file.output, args
    html = tmp_path / "agencies.html"
    result = runner.invoke(cli, ["viz", "--view", "agencies", "-g", str(out), "-o", str(html)])
    assert result.exit_code == 0 and "(99 nodes, 644 edges)" in result.output


def test_graph_lines_split_at_newlines_only():
    """A literal may hold U+2028 or a form feed (N-Triples leaves them unescaped): the quads stay whole."""
    import pyoxigraph as ox

    from policygraph.store import document_statistics, graph_nquads, split_nquads

    ntriples = ('<urn:t> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/policygraph/ontology#Task> .\n'
                '<urn:t> <http://purl.org/dc/terms/title> "一\u2028二\x0c三\x85四" .\n')
    statistics = document_statistics("urn:g", ntriples)
    nquads = graph_nquads([("urn:g", ntriples), ("urn:s", statistics)])
    quads = list(ox.parse(nquads, format=ox.RdfFormat.N_QUADS))
    titles = {q.object.value for q in quads if q.predicate.value.endswith("title")}
    assert titles == {"一\u2028二\x0c三\x85四"} and len(quads) == 2 + statistics.count(" .\n") == 2 + 9
    assert split_nquads(nquads) == {"urn:g": ntriples, "urn:s": statistics}
    assert '"1"' in statistics.split("tasksInGraph", 1)[1].split("\n", 1)[0]


def _write_documents(address, first: int, count: int) -> None:
    """A writer process of a bulk load: ``count`` documents of 3,000 lines each, every one larger than the pipe."""
    from policygraph.store import NQuadsSink

    sink = NQuadsSink(*address)
    for d in range(first, first + count):
        sink.write("".join(f'<urn:s{i}> <urn:p> "{"长" * 200}{i}" <urn:g{d}> .\n' for i in range(3000)).encode())
    sink.close()


def test_bulk_loading_takes_whole_documents_from_several_processes(tmp_path):
    """Writers in other processes write straight into the load, one whole document at a time, lines never mixed."""
    import multiprocessing

    import pyoxigraph as ox

    from policygraph.store import bulk_loading

    context = multiprocessing.get_context("forkserver")
    with bulk_loading(tmp_path / "store", context=context) as sink:
        writers = [context.Process(target=_write_documents, args=(sink.address, 4 * k, 4)) for k in range(3)]
        for w in writers:
            w.start()
        sink.write(b'<urn:main> <urn:p> "x" .\n')
        for w in writers:
            w.join()
        assert all(w.exitcode == 0 for w in writers)
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len(store) == 12 * 3000 + 1
    assert len(list(store.named_graphs())) == 12


def test_a_load_part_ends_at_a_line_end_after_its_budget_and_hands_on_the_rest(tmp_path):
    """The loader reads the pipe in runs of bounded size; no line is cut, none lost, none read twice."""
    from policygraph.store import _LoadPart

    data = b"".join(f'<urn:s{i}> <urn:p> "{"长" * (i % 97)}" <urn:g> .\n'.encode() for i in range(5000))
    path = tmp_path / "quads.nq"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        runs, part = [], _LoadPart(fd, 20_000)
        while True:
            read = []
            while piece := part.read(4096 if len(runs) % 2 else -1):
                read.append(piece)
            runs.append(b"".join(read))
            if part.ended:
                break
            part = part.next()
    finally:
        os.close(fd)
    assert b"".join(runs) == data
    assert len(runs) > 10
    longest_line = max(len(line) for line in data.splitlines(keepends=True))
    assert all(run.endswith(b"\n") and len(run) <= 20_000 + (1 << 16) + longest_line for run in runs if run)


def test_a_bulk_load_in_many_runs_holds_every_quad(tmp_path, monkeypatch):
    """Several writer processes, the loader restarted every few kilobytes: the store holds exactly what was written."""
    import multiprocessing

    import pyoxigraph as ox

    from policygraph import store as store_module

    runs = []
    monkeypatch.setattr(store_module, "load_part_bytes", lambda: 50_000)
    next_run = store_module._LoadPart.next
    monkeypatch.setattr(store_module._LoadPart, "next", lambda part: runs.append(1) or next_run(part))
    context = multiprocessing.get_context("forkserver")
    with store_module.bulk_loading(tmp_path / "store", context=context) as sink:
        writers = [context.Process(target=_write_documents, args=(sink.address, 4 * k, 4)) for k in range(3)]
        for w in writers:
            w.start()
        for w in writers:
            w.join()
        assert all(w.exitcode == 0 for w in writers)
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert len(store) == 12 * 3000
    assert len(runs) > 100


def test_a_failed_bulk_load_raises_the_loaders_error_and_leaves_no_writer_waiting(tmp_path):
    """A document the loader cannot read stops the load: the writer gets a broken pipe, the caller the loader's error."""
    from policygraph.store import bulk_loading

    with pytest.raises(SyntaxError):
        with bulk_loading(tmp_path / "store") as sink:
            sink.write(b"<urn:a> <urn:p> not-a-term .\n")
            for _ in range(200):  # far more than the pipe holds: a write blocked on a stopped loader would hang here
                sink.write(b'<urn:s> <urn:p> "' + b"x" * 100_000 + b'" .\n')


_REBUILDER = """
import sys
from pathlib import Path
from policygraph.pipeline import build_corpus
corpus, out, a, b, runs = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5])
for i in range(runs):
    (corpus / "changing.txt").write_bytes((a if i % 2 == 0 else b).read_bytes())
    build_corpus([corpus], out, export=False, jobs=1)
"""


def test_readers_see_one_consistent_version_while_builds_publish(tmp_path):
    """A reader loop beside a process rebuilding the store again and again: no error, every answer a whole version.

    Each rebuild replaces one document by one of two texts: the reader sees
    the document count of the store and that document's title as one of them,
    never an IO error from files the writer removed.
    """
    from policygraph.pipeline import extract_document
    from policygraph.lexicon import load_lexicon
    from policygraph.load import load_document

    corpus = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), "60", str(corpus), "--seed", "7",
                    "--gold-dir", str(tmp_path / "gold")], check=True, capture_output=True)
    a, b = SEEDS / "000_34f3cba3223de74d.txt", SEEDS / "002_1d37a83bbf4946c8.txt"
    lexicon = load_lexicon()
    titles = {extract_document(load_document(p), lexicon).meta.title for p in (a, b)}
    shutil.copy(b, corpus / "changing.txt")
    out = tmp_path / "out"
    build_corpus([corpus], out, export=False)
    script = tmp_path / "rebuild.py"
    script.write_text(_REBUILDER, "utf-8")
    proc = subprocess.Popen([sys.executable, str(script), str(corpus), str(out), str(a), str(b), "8"],
                            stderr=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    seen, failures, reads = set(), [], 0
    count = "SELECT (COUNT(?f) AS ?n) WHERE { ?d pg:sourceFile ?f }"
    title = 'SELECT ?t WHERE { ?d pg:sourceFile "changing.txt" ; <http://purl.org/dc/terms/title> ?t }'
    try:
        while proc.poll() is None:
            try:
                graph = load_graph_file(out)
                seen.add((rows(graph, count)[0][0], tuple(rows(graph, title))))
            except Exception as exc:  # noqa: BLE001 - any failure of a reader is what this test looks for
                failures.append(f"{type(exc).__name__}: {exc}")
            reads += 1
    finally:
        proc.wait(timeout=600)
    assert proc.returncode == 0, proc.stderr.read().decode()
    assert failures == []
    assert reads > 20 and {n for n, _ in seen} == {"61"} and {t for _, t in seen} == {((t,),) for t in titles}
    del graph
    gc.collect()  # the reader's last views, and their hold on old versions, go
    build_corpus([corpus], out, export=False)
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("store")) == [
        "store", "store.hashes.json", "store.lock", "store.v10"]  # old versions went once no reader had them


def test_remove_says_what_it_removed_and_what_it_did_not_find(tmp_path):
    """`remove A B` with B not in the store removes A, says so, names B, exits 1; the outputs follow the store."""
    import json

    out = tmp_path / "out"
    build_corpus(None, out)
    gone = "003_b61f6c7f15dd09ea.txt"
    result = CliRunner().invoke(cli, ["remove", gone, "nope.txt", "-o", str(out)])
    assert result.exit_code == 1
    assert f"removed seeds/{gone}\n" in result.output and f"wrote {out / 'graph.trig'}\n" in result.output
    assert "Error: nope.txt: no document has this path, file name or 文号" in result.output
    assert result.output.rstrip().endswith("; not removed")
    report = json.loads((out / "build-report.json").read_text("utf-8"))
    assert [d["source_file"] for d in report["documents"]] == [n for n in SEED_NAMES if n != gone]
    assert report["counts"]["documents"] == 4 and report["counts"]["tasks"] < 81
    assert all(gone not in f for u in report["unrecognised_bodies"] for f in u["files"])
    for name in ("graph.trig", "graph.ttl"):
        assert gone not in (out / name).read_text("utf-8")
    fresh = tmp_path / "fresh.trig"
    assert CliRunner().invoke(cli, ["export", str(fresh), "-o", str(out)]).exit_code == 0
    assert fresh.read_bytes() == (out / "graph.trig").read_bytes()


def test_remove_without_export_deletes_the_stale_exports(tmp_path):
    out = tmp_path / "out"
    build_corpus(None, out)
    result = CliRunner().invoke(cli, ["remove", "003_b61f6c7f15dd09ea.txt", "--no-export", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"deleted {out / 'graph.trig'} (no longer matched the store" in result.output
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == ["build-report.json", "store.hashes.json", "store.lock"]
    nothing = CliRunner().invoke(cli, ["remove", "nope.txt", "-o", str(out)])
    assert nothing.exit_code == 2 and "nope.txt: no document has this path" in nothing.output


@pytest.fixture
def small_disk(tmp_path):
    """A 12 MB file system of its own (tmpfs; needs the right to mount), so a full disk is a real one."""
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(disk)], capture_output=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def _fill(disk: Path, leave: int) -> Path:
    """Fill ``disk`` up to ``leave`` free bytes with one file."""
    filler = disk / "filler"
    filler.write_bytes(b"\0" * max(0, shutil.disk_usage(disk).free - leave))
    return filler


def _one_line_error(result, *says):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.output.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and all(s in errors[0] for s in says), result.output


def test_a_build_the_free_space_cannot_hold_is_refused_before_it_starts(small_disk):
    _fill(small_disk, 2_000_000)
    out = small_disk / "out"
    result = CliRunner().invoke(cli, ["build", "-o", str(out)])
    _one_line_error(result, f"{out}: not enough free space for this build (5 documents to write): it needs about",
                    "MB are free")
    assert sorted(p.name for p in out.iterdir()) == ["store.lock"]


def test_a_full_disk_during_an_update_leaves_the_store_and_no_staging(small_disk, corpus):
    out = small_disk / "out"
    (corpus / "004_804e474c68a51211.txt").unlink()
    build_corpus([corpus], out, export=False)
    before = _store_graphs(out / "store")
    filler = _fill(small_disk, 300_000)
    shutil.copy(SEEDS / "004_804e474c68a51211.txt", corpus)
    result = CliRunner().invoke(cli, ["build", str(corpus), "-o", str(out), "--no-export"])
    _one_line_error(result, f"{out / 'store.building'}: could not be written: no space left on device after",
                    "The store is unchanged; an update needs about twice the store's size")
    assert _store_graphs(out / "store") == before
    assert not (out / "store.building").exists()
    filler.unlink()
    report, _ = build_corpus([corpus], out, export=False)
    assert report.counts["processed"] == 1 and report.counts["documents"] == 5
    assert sorted(p.name for p in out.iterdir() if p.name.startswith("store.v")) == ["store.v2"]


def test_a_full_disk_during_an_export_names_the_file_and_keeps_the_previous_one(small_disk):
    out = small_disk / "out"
    build_corpus(None, out, export=False)
    target = small_disk / "all.trig"
    target.write_bytes(b"previous export\n")
    _fill(small_disk, 200_000)
    result = CliRunner().invoke(cli, ["export", str(target), "-o", str(out)])
    _one_line_error(result, f"{target}: could not be written: no space left on device after",
                    "any previous file is unchanged")
    assert target.read_bytes() == b"previous export\n"
    assert sorted(p.name for p in small_disk.iterdir()) == ["all.trig", "filler", "out"]


class _FullDisk:
    """A file that takes ``room`` bytes and then fails as a write to a full disk does."""

    def __init__(self, raw, room: int):
        self._raw, self._room = raw, room

    def write(self, data) -> int:
        if len(data) > self._room:
            raise OSError(28, "No space left on device")
        self._room -= len(data)
        return self._raw.write(data)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._raw.close()

    def __getattr__(self, name):
        return getattr(self._raw, name)


def test_a_simulated_full_disk_during_the_exports_of_a_build_is_one_line(tmp_path, monkeypatch):
    """Where no small file system can be mounted: the write call fails as on a full disk (ENOSPC)."""
    from policygraph import serialize

    out = tmp_path / "out"
    build_corpus(None, out)
    before = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    real_fdopen = os.fdopen
    monkeypatch.setattr(serialize.os, "fdopen", lambda fd, mode: _FullDisk(real_fdopen(fd, mode), 100_000))
    (tmp_path / "extra.txt").write_bytes((SEEDS / "004_804e474c68a51211.txt").read_bytes())
    result = CliRunner().invoke(cli, ["build", str(SEEDS), str(tmp_path / "extra.txt"), "-o", str(out)])
    _one_line_error(result, f"{out / 'graph.trig'}: could not be written: no space left on device after 0.1 MB")
    monkeypatch.undo()
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.is_file()}
    assert {k: v for k, v in after.items() if k != "store.hashes.json"} == {
        k: v for k, v in before.items() if k != "store.hashes.json"}
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp") or p.name == "store.building"]
