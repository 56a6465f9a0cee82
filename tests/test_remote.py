"""Push to and read from a real Oxigraph server process: Graph Store Protocol writes, SPARQL endpoint reads."""
from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from rdflib import Literal

from policygraph.query import list_queries, resolve_query, run_query
from policygraph.remote import RemoteError, bind_values, dataset_graphs, distinct_selects, endpoint_graph, push_dataset

#: Parameters for the named queries that need them; real names of the seed corpus.
PARAMS = {"agency-tasks": {"agency": "省科技厅"}, "co-agencies": {"agency": "省科技厅"},
          "agency-type-compare": {"type": "ScienceTechnology"}, "targets-compare": {"metric": "孵化器"}}


def _oxigraph() -> str:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).is_file():
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    return exe


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def oxigraph_server(location: Path, union: bool = True):
    """An `oxigraph serve` process on a free local port; yields its base URL and stops it afterwards."""
    port = _free_port()
    args = [_oxigraph(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(args + (["--union-default-graph"] if union else []),
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{base}/query?query=ASK%7B%7D", timeout=2).read()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"oxigraph did not start: {process.stderr.read().decode(errors='replace')}")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def seed_trig(seed_build, tmp_path_factory):
    """The seed build as an N-Quads file (it keeps literals as written), and the graph the CLI reads from it."""
    from policygraph.store import load_graph_file

    path = tmp_path_factory.mktemp("remote") / "graph.nq"
    path.write_bytes(seed_build[1].serialize(format="nquads", encoding="utf-8"))
    return path, load_graph_file(path)


@pytest.fixture(scope="module")
def server(tmp_path_factory, seed_build):
    """A union-default-graph Oxigraph server holding the pushed seed build: (base URL, push report)."""
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base, push_dataset(seed_build[1], f"{base}/store")


@pytest.fixture(scope="module")
def remote(server):
    return endpoint_graph(f"{server[0]}/query")


def _rows(result) -> list[tuple]:
    """Rows compared by value: stores write decimals canonically (5.0 comes back as 5), and GROUP_CONCAT has no order."""
    from rdflib import XSD

    def cell(variable, term):
        if variable == "written":
            return "|".join(sorted(str(term).split("|")))
        if isinstance(term, Literal) and term.datatype == XSD.decimal:
            return term.datatype, term.toPython()
        return term

    return [tuple(cell(v, c) for v, c in zip(result.variables, row)) for row in result.rows]


def _graph_sizes(graph) -> dict[str, int]:
    rows = graph.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    return {str(g): int(n) for g, n in rows}


def test_push_writes_each_named_graph_with_its_triples(server, seed_build, remote):
    from policygraph.iri import document_graph_iri, vocabulary_graph_iri

    _, report = server
    dataset = seed_build[1]
    local = {iri: len(dataset.graph(iri)) for iri, _ in dataset_graphs(dataset)}
    expected = {str(vocabulary_graph_iri())} | {str(document_graph_iri(d.source_path))
                                                 for d in seed_build[0].documents}
    assert expected <= set(local)
    assert dict(report.graphs) == local
    assert report.triples == sum(local.values()) and report.seconds > 0
    assert _graph_sizes(remote) == local


def test_push_again_is_idempotent_and_replaces_graphs(tmp_path, seed_build):
    dataset = seed_build[1]
    with oxigraph_server(tmp_path / "store") as base:
        first = push_dataset(dataset, f"{base}/store")
        graph = endpoint_graph(f"{base}/query")
        before = _graph_sizes(graph)
        again = push_dataset(dataset, f"{base}/store")
        assert again.graphs == first.graphs
        assert _graph_sizes(graph) == before
        iri, data = next(dataset_graphs(dataset))
        kept = b"\n".join(data.splitlines()[:3]) + b"\n"
        push_dataset([(iri, kept)], f"{base}/store")
        assert _graph_sizes(graph)[iri] == 3
        assert {k: v for k, v in _graph_sizes(graph).items() if k != iri} == {
            k: v for k, v in before.items() if k != iri}


@pytest.mark.parametrize("named", [q.name for q in list_queries()])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_named_queries_answer_as_on_the_local_graph(named, lang, remote, seed_trig):
    query = resolve_query(named)
    local = run_query(seed_trig[1], query, PARAMS.get(named), lang=lang)
    got = run_query(remote, query, PARAMS.get(named), lang=lang)

    assert got.variables == local.variables
    assert sorted(_rows(got), key=repr) == sorted(_rows(local), key=repr)  # ORDER BY leaves ties in any order


def test_parameters_are_bound_inside_filters_and_subqueries(remote, seed_trig):
    for name in ("agency-tasks", "co-agencies", "targets-compare"):
        got = run_query(remote, resolve_query(name), PARAMS[name], lang="en")
        local = run_query(seed_trig[1], resolve_query(name), PARAMS[name], lang="en")
        assert got.rows and sorted(_rows(got), key=repr) == sorted(_rows(local), key=repr)


def test_top_agencies_query_matches(remote, seed_trig):
    query = resolve_query("agencies-by-tasks")
    top = run_query(remote, query).rows[:10]
    assert len(top) == 10 and top == run_query(seed_trig[1], query).rows[:10]


def test_rank_through_the_endpoint_matches_the_local_ranking(remote, seed_trig):
    from policygraph import analyse

    local = analyse.rank(seed_trig[1], top=10)
    got = analyse.rank(remote, top=10)
    assert len(got.rows) == 10
    assert [r["agency"] for r in got.rows] == [r["agency"] for r in local.rows]
    assert got.rows == local.rows


@pytest.mark.parametrize("view", ["whole", "agencies"])
def test_viz_through_the_endpoint_draws_the_same_graph(view, remote, seed_trig):
    from policygraph.viewgraph import build_view

    local, got = build_view(seed_trig[1], view=view), build_view(remote, view=view)
    assert len(got.nodes) == len(local.nodes) > 0 and len(got.edges) == len(local.edges) > 0
    assert got.node_ids() == local.node_ids()


def test_push_to_a_closed_port_names_the_graph(seed_build):
    with pytest.raises(RemoteError, match=r"pushing graph <https://.*connection refused"):
        push_dataset(seed_build[1], f"http://127.0.0.1:{_free_port()}/store", timeout=5)


def test_server_errors_carry_the_servers_message(server):
    with pytest.raises(RemoteError, match=r"graph <urn:example:bad>.*HTTP 400.*subject"):
        push_dataset([("urn:example:bad", b'"not a subject" <urn:p> <urn:o> .\n')], f"{server[0]}/store")
    with pytest.raises(RemoteError, match=r"HTTP 404"):
        push_dataset([("urn:example:bad", b"")], f"{server[0]}/no-such-service")


def test_reading_from_a_closed_port_is_a_clear_error():
    with pytest.raises(RemoteError, match="SPARQL query: cannot reach .*connection refused"):
        endpoint_graph(f"http://127.0.0.1:{_free_port()}/query", timeout=5)


def test_a_default_graph_without_the_named_graphs_is_refused(tmp_path, seed_build):
    with oxigraph_server(tmp_path / "plain", union=False) as base:
        push_dataset(seed_build[1], f"{base}/store")
        with pytest.raises(RemoteError, match="union-default-graph"):
            endpoint_graph(f"{base}/query")
        per_query = endpoint_graph(f"{base}/query?union-default-graph")
        assert run_query(per_query, resolve_query("agencies-by-tasks")).rows


def test_bind_values_keeps_strings_iris_and_as_targets():
    text = 'SELECT ?v (COUNT(?x) AS ?n) { ?x <urn:p?v> "?v" ; <urn:q> ?v BIND(1 AS ?v) } GROUP BY ?v ORDER BY DESC(?v)'
    assert bind_values(text, {"v": Literal(2)}) == (
        'SELECT ("2"^^<http://www.w3.org/2001/XMLSchema#integer> AS ?v) (COUNT(?x) AS ?n) { ?x <urn:p?v> "?v" ; '
        '<urn:q> "2"^^<http://www.w3.org/2001/XMLSchema#integer> BIND(1 AS ?v) } '
        'GROUP BY ("2"^^<http://www.w3.org/2001/XMLSchema#integer>) '
        'ORDER BY DESC("2"^^<http://www.w3.org/2001/XMLSchema#integer>)')
    assert bind_values('SELECT * { ?s ?p "x\\"?lang" }', {"lang": Literal("en")}) == 'SELECT * { ?s ?p "x\\"?lang" }'


def test_distinct_selects_leaves_reduced_and_star_alone():
    assert distinct_selects("SELECT * { }") == "SELECT DISTINCT * { }"
    assert distinct_selects("SELECT REDUCED ?a { }") == "SELECT REDUCED ?a { }"
    assert distinct_selects("ASK { ?s ?p 'SELECT ?x' }") == "ASK { ?s ?p 'SELECT ?x' }"


def test_cli_push_then_query_rank_and_viz_through_the_endpoint(tmp_path, seed_trig):
    from click.testing import CliRunner

    from policygraph.cli import cli

    runner = CliRunner()
    trig = seed_trig[0]
    with oxigraph_server(tmp_path / "cli") as base:
        pushed = runner.invoke(cli, ["push", f"{base}/store", "-g", str(trig)])
        assert pushed.exit_code == 0, pushed.output
        assert pushed.output.startswith(f"pushed {len(list(dataset_graphs(seed_trig[1])))} graphs, ")
        for args in (["query", "agencies-by-tasks", "-f", "csv"], ["query", "agency-tasks", "-p", "agency=省科技厅"],
                     ["rank", "--top", "10"]):
            local = runner.invoke(cli, args + ["-g", str(trig)])
            remote = runner.invoke(cli, args + ["--endpoint", f"{base}/query"])
            assert remote.exit_code == 0 and local.exit_code == 0, remote.output
            assert remote.output == local.output
        out = tmp_path / "agencies.html"
        local = runner.invoke(cli, ["viz", "--view", "agencies", "-g", str(trig), "-o", str(out)])
        remote = runner.invoke(cli, ["viz", "--view", "agencies", "--endpoint", f"{base}/query", "-o", str(out)])
        assert remote.exit_code == 0 and remote.output == local.output
    refused = runner.invoke(cli, ["push", f"http://127.0.0.1:{_free_port()}/store", "-g", str(trig), "--timeout", "5"])
    assert refused.exit_code == 1 and "connection refused" in refused.output


def test_dataset_graphs_leaves_out_a_default_graph_that_holds_the_union():
    from rdflib import Dataset, Graph

    plain = Graph().parse(data="<urn:a> <urn:b> <urn:c> .", format="nt")
    assert [iri for iri, _ in dataset_graphs(plain)] == [None]
    ds = Dataset()
    ds.parse(data="<urn:a> <urn:b> <urn:c> <urn:g2> .\n<urn:a> <urn:b> <urn:d> <urn:g1> .\n"
                  "<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> <urn:d> .\n", format="nquads")
    assert [(iri, data.count(b"\n")) for iri, data in dataset_graphs(ds)] == [("urn:g1", 1), ("urn:g2", 1)]


def test_cli_push_from_a_build_output_folder(tmp_path, seed_build):
    from click.testing import CliRunner

    from policygraph.cli import cli

    runner = CliRunner()
    built = runner.invoke(cli, ["build", "-o", str(tmp_path / "out")])
    assert built.exit_code == 0, built.output
    with oxigraph_server(tmp_path / "oxi") as base:
        pushed = runner.invoke(cli, ["push", f"{base}/store", "-g", str(tmp_path / "out")])
        assert pushed.exit_code == 0, pushed.output
        expected = {iri: data.count(b"\n") for iri, data in dataset_graphs(seed_build[1])}
        assert _graph_sizes(endpoint_graph(f"{base}/query")) == expected


def test_build_push_sends_the_graphs_it_wrote(tmp_path):
    from click.testing import CliRunner

    from policygraph.cli import cli

    runner = CliRunner()
    out = tmp_path / "out"
    with oxigraph_server(tmp_path / "oxi-build") as base:
        first = runner.invoke(cli, ["build", "-o", str(out), "--no-export", "--push", f"{base}/store"])
        assert first.exit_code == 0, first.output
        assert "pushed graphs       7" in first.output  # five documents, the shared graph and the vocabulary
        count = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a <https://w3id.org/policygraph/ontology#Task> }"
        answer = urllib.request.urlopen(f"{base}/query?query={urllib.parse.quote(count)}", timeout=10).read()
        assert b"81" in answer
        again = runner.invoke(cli, ["build", "-o", str(out), "--no-export", "--push", f"{base}/store"])
        assert again.exit_code == 0 and "pushed graphs       0" in again.output
