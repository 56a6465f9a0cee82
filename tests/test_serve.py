"""policygraph serve: a real server process on 127.0.0.1 queried with real HTTP clients (urllib, SPARQLWrapper)."""
from __future__ import annotations

import csv
import io
import json
import re
import selectors
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from policygraph.serve import GRAPH_TYPES, SOLUTION_TYPES, execute, negotiate

PREFIXES = "PREFIX pg: <https://w3id.org/policygraph/ontology#>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
TOP_AGENCIES = PREFIXES + """SELECT ?name (COUNT(DISTINCT ?t) AS ?tasks) WHERE {
  ?t pg:responsibleAgency ?a . ?a rdfs:label ?name FILTER(lang(?name) = "zh")
} GROUP BY ?name ORDER BY DESC(?tasks) ?name LIMIT 3"""
RESPONSIBLE = PREFIXES + "CONSTRUCT { ?t pg:responsibleAgency ?a } WHERE { ?t pg:responsibleAgency ?a }"
# about 10^12 rows for the seed store: never finishes within any test's time
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LIMIT = 50
OUTSIDE_URL = re.compile(r"""(?:src|href|action)\s*=\s*["']?\s*(?:https?:)?//""", re.I)


@pytest.fixture(scope="module")
def store_dir(seed_build, tmp_path_factory) -> Path:
    """The embedded corpus as an Oxigraph store: the build's own store, else one loaded from its graph.trig."""
    import pyoxigraph as ox

    _, _, out = seed_build
    if (out / "store").is_dir():
        return out / "store"
    path = tmp_path_factory.mktemp("serve") / "store"
    store = ox.Store(str(path))
    store.load(path=str(out / "graph.trig"), format=ox.RdfFormat.TRIG)
    store.flush()
    del store
    return path


@pytest.fixture(scope="module")
def trig(seed_build):
    from policygraph.store import load_graph_file

    return load_graph_file(seed_build[2] / "graph.trig")


def start_server(store: Path, *options: str) -> tuple[subprocess.Popen, str]:
    """`python -m policygraph serve --port 0` in its own process; returns it and its base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "policygraph", "serve", "--graph", str(store), "--port", "0",
                             *options], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    selector = selectors.DefaultSelector()
    selector.register(proc.stderr, selectors.EVENT_READ)
    line = proc.stderr.readline() if selector.select(timeout=120) else ""
    match = re.search(r"at (http://127\.0\.0\.1:\d+/)", line)
    if not match:
        proc.kill()
        pytest.fail(f"the server did not start: {line}{proc.stderr.read() if proc.poll() is not None else ''}")
    threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep draining the log
    return proc, match.group(1)


@pytest.fixture(scope="module")
def server(store_dir):
    """A server on the seed store with a 1 s time limit and a small result limit; yields its base URL."""
    proc, base = start_server(store_dir, "--timeout", "1", "--max-results", str(LIMIT), "--workers", "2")
    yield base
    proc.terminate()
    assert proc.wait(30) == 0
    assert proc.returncode == 0


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    """(status, headers, body) of one request; error statuses are returned, not raised."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get(base: str, query: str, accept: str | None = None):
    return http(base + "sparql?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept} if accept else {})


def post_form(base: str, fields: dict, accept: str | None = None):
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if accept:
        headers["Accept"] = accept
    return http(base + "sparql", urllib.parse.urlencode(fields).encode(), headers)


def post_query(base: str, query: str, accept: str | None = None):
    headers = {"Content-Type": "application/sparql-query; charset=utf-8"}
    if accept:
        headers["Accept"] = accept
    return http(base + "sparql", query.encode("utf-8"), headers)


def expected_top(trig) -> list[tuple[str, int]]:
    return [(str(name), int(n)) for name, n in trig.query(TOP_AGENCIES)]


# -- content negotiation and the query runner, without a server ------------------------------------------------

@pytest.mark.parametrize("accept, offered, expected", [
    (None, SOLUTION_TYPES, "application/sparql-results+json"),
    ("*/*", SOLUTION_TYPES, "application/sparql-results+json"),
    ("application/sparql-results+xml", SOLUTION_TYPES, "application/sparql-results+xml"),
    ("text/csv", SOLUTION_TYPES, "text/csv"),
    ("text/tab-separated-values; charset=utf-8", SOLUTION_TYPES, "text/tab-separated-values"),
    ("text/csv;q=0.2, application/sparql-results+xml;q=0.9", SOLUTION_TYPES, "application/sparql-results+xml"),
    ("text/html,application/xhtml+xml,*/*;q=0.8", SOLUTION_TYPES, "application/sparql-results+json"),
    ("TEXT/CSV", SOLUTION_TYPES, "text/csv"),
    ("application/sparql-results+json", GRAPH_TYPES, "text/turtle"),
    ("application/n-triples", GRAPH_TYPES, "application/n-triples"),
    ("text/turtle;q=0.5, application/n-triples;q=0.6", GRAPH_TYPES, "application/n-triples"),
])
def test_negotiate(accept, offered, expected):
    assert negotiate(accept, offered) == expected


@pytest.fixture
def small_store():
    import pyoxigraph as ox

    store = ox.Store()
    for i in range(10):
        triple = (ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"), ox.Literal(f"值\n{i}\t\"x\""))
        store.add(ox.Quad(*triple, ox.NamedNode(f"http://e/g{i % 3}")))  # queries see the union of the graphs
    return store


def test_execute_cuts_rows_and_says_so(small_store):
    reply = execute(small_store, "SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s", "application/sparql-results+json", 4)
    data = json.loads(reply.body)
    assert [b["s"]["value"] for b in data["results"]["bindings"]] == [f"http://e/s{i}" for i in range(4)]
    assert data["results"]["bindings"][0]["o"]["value"] == '值\n0\t"x"'  # newlines and tabs survive the cut
    assert ("X-Results-Truncated", "true") in reply.headers
    whole = execute(small_store, "SELECT ?s WHERE { ?s ?p ?o }", "text/csv", 10)
    assert whole.body.count(b"\r\n") == 11 and ("X-Results-Truncated", "true") not in whole.headers


def test_execute_cuts_triples(small_store):
    from rdflib import Graph

    reply = execute(small_store, "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle", 3)
    assert len(Graph().parse(data=reply.body, format="turtle")) == 3
    assert ("X-Results-Truncated", "true") in reply.headers
    assert len(Graph().parse(data=execute(small_store, "CONSTRUCT WHERE { ?s ?p ?o }", None, 10).body)) == 10


@pytest.mark.parametrize("query, status, text", [
    ("SELECT ?x WHERE { ?x pg:leadAgency }", 400, "line 1, column 36"),
    ("SELECT ?x WHERE {\n  ?x ?y\n}", 400, "line 3, column "),
    ("SELEKT * WHERE { ?s ?p ?o }", 400, "malformed query"),
    ("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }", 403, "read-only"),
    ("PREFIX e: <http://e/>\n# a comment\nDELETE WHERE { ?s ?p ?o }", 403, "read-only"),
    ("DROP ALL", 403, "read-only"),
    ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", 403, "SERVICE"),
    ('SELECT ?s WHERE { ?s ?p "SERVICE" } # SERVICE', 200, ""),
])
def test_execute_refuses_and_explains(small_store, query, status, text):
    reply = execute(small_store, query)
    assert reply.status == status
    assert text in reply.body.decode("utf-8")
    assert len(small_store) == 10  # nothing was changed


# -- the server process -----------------------------------------------------------------------------------------

def test_get_json(server, trig):
    status, headers, body = get(server, TOP_AGENCIES)
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+json"
    data = json.loads(body)
    assert data["head"]["vars"] == ["name", "tasks"]
    rows = [(b["name"]["value"], int(b["tasks"]["value"])) for b in data["results"]["bindings"]]
    assert rows == expected_top(trig)
    assert rows[0] == ("甘肃省科学技术厅", 28)
    assert data["results"]["bindings"][0]["name"]["xml:lang"] == "zh"


def test_post_form_xml(server, trig):
    status, headers, body = post_form(server, {"query": TOP_AGENCIES}, "application/sparql-results+xml")
    assert status == 200 and headers["Content-Type"] == "application/sparql-results+xml"
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    results = ET.fromstring(body).findall("r:results/r:result", ns)
    rows = [(r.find("r:binding[@name='name']/r:literal", ns).text,
             int(r.find("r:binding[@name='tasks']/r:literal", ns).text)) for r in results]
    assert rows == expected_top(trig)


@pytest.mark.parametrize("accept, delimiter", [("text/csv", ","), ("text/tab-separated-values", "\t")])
def test_post_query_csv_tsv(server, trig, accept, delimiter):
    status, headers, body = post_query(server, TOP_AGENCIES, accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    if delimiter == ",":
        rows = list(csv.reader(io.StringIO(body.decode("utf-8"))))
        assert rows[0] == ["name", "tasks"]
        assert [(r[0], int(r[1])) for r in rows[1:]] == expected_top(trig)
    else:  # TSV cells are terms in SPARQL syntax, no quoting of cells
        rows = [line.split("\t") for line in body.decode("utf-8").splitlines()]
        assert rows[0] == ["?name", "?tasks"]
        assert rows[1] == ['"甘肃省科学技术厅"@zh', "28"]


def test_ask_and_prefixes_built_in(server):
    status, _, body = get(server, "ASK { ?t pg:leadAgency ?a }")
    assert status == 200 and json.loads(body) == {"head": {}, "boolean": True}


def test_construct_turtle_parsed_back(server, trig):
    from rdflib import Graph

    status, headers, body = get(server, RESPONSIBLE + f" LIMIT {LIMIT}", "text/turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    got = Graph().parse(data=body.decode("utf-8"), format="turtle")
    assert len(got) == LIMIT
    expected = {tuple(t) for t in trig.query(RESPONSIBLE).graph}
    assert {tuple(t) for t in got} <= expected


def test_construct_ntriples_by_accept(server):
    from rdflib import Graph

    status, headers, body = post_query(server, RESPONSIBLE + " LIMIT 5", "application/n-triples")
    assert status == 200 and headers["Content-Type"] == "application/n-triples"
    assert len(Graph().parse(data=body.decode("utf-8"), format="nt")) == 5


def test_result_limit_truncates_with_header(server, trig):
    status, headers, body = get(server, "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    assert status == 200
    assert len(json.loads(body)["results"]["bindings"]) == LIMIT
    assert headers["X-Results-Truncated"] == "true" and headers["X-Results-Limit"] == str(LIMIT)
    status, headers, body = get(server, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 7")
    assert len(json.loads(body)["results"]["bindings"]) == 7 and headers["X-Results-Truncated"] is None
    status, headers, body = get(server, RESPONSIBLE, "text/turtle")
    assert headers["X-Results-Truncated"] == "true"
    assert len(trig.query(RESPONSIBLE).graph) > LIMIT


@pytest.mark.parametrize("send", [
    lambda base: post_form(base, {"update": "INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }"}),
    lambda base: http(base + "sparql", b"DROP ALL", {"Content-Type": "application/sparql-update"}),
    lambda base: http(base + "sparql?" + urllib.parse.urlencode({"update": "CLEAR ALL"})),
    lambda base: post_query(base, "DELETE WHERE { ?s ?p ?o }"),
    lambda base: get(base, "PREFIX e: <http://e/>\nINSERT DATA { e:a e:b e:c }"),
])
def test_update_refused(server, send):
    status, _, body = send(server)
    assert status == 403 and b"read-only" in body
    _, _, body = get(server, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    count = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert count > 9000  # nothing was deleted
    _, _, body = get(server, "ASK { <http://e/a> ?p ?o }")
    assert json.loads(body)["boolean"] is False


def test_malformed_query_400_with_position(server):
    status, headers, body = get(server, "SELECT ?x WHERE {\n  ?x pg:leadAgency\n}")
    text = body.decode("utf-8")
    assert status == 400 and headers["Content-Type"].startswith("text/plain")
    assert text.startswith("malformed query: line 3, column ")
    assert "  ?x pg:leadAgency" not in text.splitlines()[0]


def test_timeout_then_still_answers(server, trig):
    status, _, body = get(server, RUNAWAY)
    assert status == 503 and b"timed out" in body and b"1 s" in body
    results = []
    threads = [threading.Thread(target=lambda: results.append(get(server, TOP_AGENCIES))) for _ in range(6)]
    threads.append(threading.Thread(target=lambda: results.append(get(server, RUNAWAY))))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(r[0] for r in results) == [200] * 6 + [503]
    for status, _, body in results:
        if status == 200:
            rows = json.loads(body)["results"]["bindings"]
            assert [(b["name"]["value"], int(b["tasks"]["value"])) for b in rows] == expected_top(trig)
    assert get(server, TOP_AGENCIES)[0] == 200


def test_protocol_errors(server):
    assert http(server + "sparql")[0] == 400
    assert http(server + "sparql", b"query=x", {"Content-Type": "text/plain"})[0] == 415
    assert http(server + "nowhere")[0] == 404
    status, _, body = http(server + "sparql?" + urllib.parse.urlencode(
        {"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", "default-graph-uri": "http://e/g"}))
    assert status == 400 and b"default-graph-uri" in body


def test_format_parameter_overrides_accept(server):
    status, headers, body = http(server + "sparql?" + urllib.parse.urlencode(
        {"query": "SELECT ?s WHERE { ?s ?p ?o } LIMIT 2", "format": "csv"}), headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and body.startswith(b"s\r\n")


def test_sparqlwrapper_client(server, trig):
    from SPARQLWrapper import JSON, POST, XML, SPARQLWrapper
    from SPARQLWrapper.SPARQLExceptions import QueryBadFormed

    client = SPARQLWrapper(server + "sparql")
    client.setQuery(TOP_AGENCIES)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert [(r["name"]["value"], int(r["tasks"]["value"])) for r in rows] == expected_top(trig)

    client.setMethod(POST)
    client.setReturnFormat(XML)
    document = client.queryAndConvert()
    assert [n.firstChild.data for n in document.getElementsByTagName("literal")][:2] == ["甘肃省科学技术厅", "28"]

    client.setQuery(RESPONSIBLE + " LIMIT 10")
    graph = client.queryAndConvert()
    assert len(graph) == 10

    client.setQuery("SELECT ?x WHERE { ?x pg:leadAgency }")
    with pytest.raises(QueryBadFormed, match="line 1, column 36"):
        client.query()


def test_sparqlwrapper_update_refused(server):
    from SPARQLWrapper import POST, SPARQLWrapper

    client = SPARQLWrapper(server + "sparql", updateEndpoint=server + "sparql")
    client.setMethod(POST)
    client.setQuery("INSERT DATA { <http://e/a> <http://e/b> <http://e/c> }")
    with pytest.raises(Exception) as caught:
        client.query()
    assert "403" in str(caught.value) or "read-only" in str(caught.value)


def test_query_page_offline(server):
    status, headers, body = http(server)
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "connect-src 'self'" in headers["Content-Security-Policy"]
    assert not OUTSIDE_URL.search(page)
    assert 'src="assets/yasgui/yasgui.min.js"' in page
    for name in ("yasgui.min.js", "yasgui.min.css", "query.js", "query.css"):
        status, _, asset = http(server + "assets/yasgui/" + name)
        assert status == 200 and len(asset) > 100
    assert http(server + "assets/yasgui/../serve.py")[0] == 404


def test_query_page_examples_all_run(server):
    _, _, body = http(server)
    data = json.loads(re.search(r'<script type="application/json" id="pg-data">(.*?)</script>', body.decode("utf-8"),
                                re.S).group(1))
    from policygraph.query import list_queries

    assert [e["name"] for e in data["examples"]] == [q.name for q in list_queries()]
    for example in data["examples"]:
        status, _, answer = post_form(server, {"query": example["text"]})
        assert status == 200, (example["name"], answer)
    by_name = {e["name"]: e["text"] for e in data["examples"]}
    rows = json.loads(post_form(server, {"query": by_name["co-agencies"]})[2])["results"]["bindings"]
    assert rows and {r["name"]["value"] for r in rows} <= {"甘肃省科学技术厅", "青海省科学技术厅"}


@pytest.mark.parametrize("path, expect", [("explorer", "甘肃省科学技术厅"),
                                          ("explorer?view=agencies&lang=en", "Gansu Provincial Department")])
def test_explorer_page(server, path, expect):
    status, headers, body = http(server + path)
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert expect in page
    assert not OUTSIDE_URL.search(page)
    assert http(server + path)[2] == body  # cached: the same page again
    assert http(server + "explorer?view=nothing")[0] == 400


def test_explorer_same_view_as_the_trig_file(store_dir, trig):
    import pyoxigraph as ox

    from policygraph.serve import rdflib_dataset
    from policygraph.viewgraph import build_view

    from_store = build_view(rdflib_dataset(ox.Store.read_only(str(store_dir))))
    assert from_store == build_view(trig)
    assert len(from_store.nodes) > 300


# -- the library entry point and the CLI ------------------------------------------------------------------------

def test_make_server_in_a_thread(store_dir):
    from policygraph.serve import make_server

    server = make_server(store_dir, port=0, timeout=5, max_results=3, workers=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        status, headers, body = get(server.url, "SELECT ?s WHERE { ?s ?p ?o }", "text/csv")
        assert status == 200 and body.count(b"\r\n") == 4 and headers["X-Results-Truncated"] == "true"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def test_missing_store_is_a_clear_error(tmp_path):
    from click.testing import CliRunner

    from policygraph.cli import cli
    from policygraph.errors import InputError
    from policygraph.serve import make_server

    with pytest.raises(InputError, match="run `policygraph build` first"):
        make_server(tmp_path / "none", port=0)
    result = CliRunner().invoke(cli, ["serve", "--store", str(tmp_path / "none"), "--port", "0"])
    assert result.exit_code == 1 and "no such store, build folder or graph file" in result.output
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    for path, reason in ((tmp_path / "empty", "not a policygraph store or build folder"),
                         (tmp_path / "notes.txt", "cannot serve .txt files")):
        result = CliRunner().invoke(cli, ["serve", "--store", str(path), "--port", "0"])
        assert result.exit_code == 1 and reason in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("where", ["build folder", "graph file"])
def test_serve_a_build_folder_or_a_graph_file(seed_build, store_dir, where):
    """Every other command takes a build folder or a graph file for the graph; serve answers the same from either."""
    import pyoxigraph as ox

    from policygraph.serve import make_server

    out = seed_build[2]
    path = out if where == "build folder" else out / "graph.trig"
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    union = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    expected = [next(iter(ox.Store.read_only(str(store_dir)).query(q, use_default_graph_as_union=True)))["n"].value
                for q in (count, union)]
    server = make_server(path, port=0, timeout=5, workers=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        answers = [get(server.url, q, "text/csv")[2].decode().split()[1] for q in (count, union)]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
    assert answers == expected and int(answers[1]) > 0


def test_serve_help_lists_the_limits():
    from click.testing import CliRunner

    from policygraph.cli import cli

    result = CliRunner().invoke(cli, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--graph", "--host", "--port", "--timeout", "--max-results", "--workers"):
        assert option in result.output


def test_default_port_is_not_oxigraphs():
    """`oxigraph serve` listens on 7878 by default: `policygraph serve` must not, so both can run at once."""
    import inspect

    from click.testing import CliRunner

    from policygraph.cli import cli, serve as serve_command
    from policygraph.serve import DEFAULT_PORT, make_server, serve

    assert DEFAULT_PORT == 8737
    port = next(p for p in serve_command.params if p.name == "port")
    assert port.default == DEFAULT_PORT
    assert inspect.signature(make_server).parameters["port"].default == DEFAULT_PORT
    assert inspect.signature(serve).parameters["port"].default == DEFAULT_PORT
    assert "default: 8737" in " ".join(CliRunner().invoke(cli, ["serve", "--help"]).output.split())


def test_query_page_in_a_browser_runs_a_named_query_offline(server):
    """The vendored YASGUI page under its Content-Security-Policy: an example runs, nothing leaves 127.0.0.1."""
    from tests.test_browser import CHROMIUM_ARGS, _chromium

    executable = _chromium()
    if executable is None:
        pytest.skip("no chromium executable found")
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    outside, errors = [], []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("request", lambda r: None if r.url.startswith(server) else outside.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(server)
            page.wait_for_selector(".yasqe")
            page.select_option("#pg-examples", label="Jurisdictions")
            page.click(".yasqe_queryButton")
            page.wait_for_selector(".yasr table tbody tr", timeout=60_000)
            table = page.inner_text(".yasr table tbody")
        finally:
            browser.close()
    assert "甘肃省" in table and "宁夏回族自治区" in table
    assert outside == [] and errors == []


def test_workers_answer_from_the_version_a_build_publishes(seed_build, tmp_path):
    """A worker keeps its version open while builds publish others, and moves to the newest at its next query."""
    import shutil

    from policygraph.pipeline import remove_documents
    from policygraph.serve import make_server

    out = shutil.copytree(seed_build[2], tmp_path / "out")
    server = make_server(out / "store", port=0, timeout=30, workers=1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    count = "SELECT (COUNT(?f) AS ?n) WHERE { ?d <https://w3id.org/policygraph/ontology#sourceFile> ?f }"
    try:
        assert get(server.url, count, "text/csv")[2] == b"n\r\n5\r\n"
        remove_documents(["003_b61f6c7f15dd09ea.txt"], out)
        assert get(server.url, count, "text/csv")[2] == b"n\r\n4\r\n"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.mark.parametrize("verbose", [True, False])
def test_verbose_logs_each_request(store_dir, verbose):
    """-v shows the server's log (one line per request); without it only warnings are shown."""
    proc = subprocess.Popen([sys.executable, "-m", "policygraph", *(["-v"] if verbose else []), "serve", "--graph",
                             str(store_dir), "--port", "0", "--workers", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        first = proc.stderr.readline()
        base = re.search(r"at (http://127\.0\.0\.1:\d+/)", first).group(1)
        status, _, _ = http(base + "health")
        assert status == 200
    finally:
        proc.terminate()
        _, rest = proc.communicate(timeout=30)
    requests = [line for line in rest.splitlines() if '"GET /health HTTP/1.1" 200' in line]
    assert len(requests) == (1 if verbose else 0), rest
    if verbose:
        assert requests[0].startswith("policygraph: 127.0.0.1 ")
