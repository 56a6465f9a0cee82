"""The local SPARQL server: a read-only SPARQL 1.1 Protocol endpoint, the query page and the explorer over a store."""
from __future__ import annotations

import logging
import queue
import re
import threading
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import parse_qs, urlsplit

from .errors import InputError

__all__ = [
    "Reply",
    "QueryPool",
    "SparqlServer",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RESULTS",
    "SOLUTION_TYPES",
    "GRAPH_TYPES",
    "negotiate",
    "execute",
    "open_read_only",
    "rdflib_dataset",
    "default_store",
    "make_server",
    "serve",
]

DEFAULT_HOST = "127.0.0.1"
#: Not 7878, the default of `oxigraph serve`, nor 8787 (Dask's dashboard, RStudio Server), so they can run side by side.
DEFAULT_PORT = 8737
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RESULTS = 100_000
#: Largest request body (a POSTed query) accepted, in bytes.
MAX_BODY = 1 << 20

#: Media types of SELECT and ASK results → pyoxigraph ``QueryResultsFormat`` names; the first is the default.
SOLUTION_TYPES = {
    "application/sparql-results+json": "JSON",
    "application/sparql-results+xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
    "application/json": "JSON",
    "application/xml": "XML",
}
#: Media types of CONSTRUCT and DESCRIBE results → pyoxigraph ``RdfFormat`` names; the first is the default.
GRAPH_TYPES = {
    "text/turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
    "text/plain": "N_TRIPLES",
}
# ?format= / ?output= values (as SPARQLWrapper and Fuseki send them) → an Accept header valid for either kind of result
_SHORT_FORMATS = {"json": "application/sparql-results+json",
                  "xml": "application/sparql-results+xml, application/rdf+xml",
                  "csv": "text/csv", "tsv": "text/tab-separated-values", "turtle": "text/turtle", "ttl": "text/turtle",
                  "n3": "text/turtle", "nt": "application/n-triples", "ntriples": "application/n-triples",
                  "rdfxml": "application/rdf+xml"}
_POSITION = re.compile(r"^error at (\d+):(\d+):\s*(.*)$", re.S)
_UPDATE = re.compile(r"^(?:\s|#[^\n]*\n|(?:PREFIX\s+[^\s:]*:\s*|BASE\s*)<[^>]*>)*"
                     r"(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I)
_NOISE = re.compile(r'"""(?:[^\\]|\\.)*?"""|\'\'\'(?:[^\\]|\\.)*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'
                    r"'(?:[^'\\\n]|\\.)*'|<[^<>\"{}|^`\\\s]*>|#[^\n]*", re.S)
_SERVICE = re.compile(r"\bSERVICE\b", re.I)
_PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
             "font-src 'self' data:; connect-src 'self'; frame-src 'none'; object-src 'none'")
_ASSETS = ("yasgui.min.js", "yasgui.min.css", "query.js", "query.css", "LICENSE")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """One HTTP answer as plain data, so query workers can send it back through a pipe."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


def _text(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    return Reply(status, "text/plain; charset=utf-8", (message.rstrip("\n") + "\n").encode("utf-8"), headers)


def negotiate(accept: str | None, offered: dict[str, str]) -> str:
    """
    The offered media type the ``Accept`` header likes best (the first offered one when it names none).

    Unknown or absent types fall back to the default instead of 406, as browsers and most SPARQL
    clients send ``*/*`` somewhere in their header anyway.

    Examples
    --------
    >>> negotiate("text/csv;q=0.5, application/sparql-results+xml", SOLUTION_TYPES)
    'application/sparql-results+xml'
    >>> negotiate("text/html,*/*;q=0.8", SOLUTION_TYPES)
    'application/sparql-results+json'
    >>> negotiate("application/n-triples", GRAPH_TYPES)
    'application/n-triples'
    """
    default = next(iter(offered))
    best, best_q = default, 0.0
    for order, part in enumerate((accept or "").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        media = media.lower()
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media in offered and q > best_q:
            best, best_q = media, q
    return best


class _Enough(Exception):
    """Raised by the capturing writer to stop a serializer once the result limit is passed."""


class _LineCapture:
    """A file-like sink that keeps what a line-per-item serializer writes, up to ``limit`` lines."""

    def __init__(self, limit: int):
        self.chunks: list[bytes] = []
        self.lines = 0
        self.limit = limit

    def write(self, data) -> int:
        data = bytes(data)
        self.chunks.append(data)
        self.lines += data.count(b"\n")
        if self.lines > self.limit:
            raise _Enough
        return len(data)

    def flush(self) -> None:
        pass


def _capture(serialize, limit: int) -> tuple[bytes, bool]:
    """Run ``serialize(sink)`` for a line-per-item format; keep the first ``limit`` lines, say whether more came."""
    sink = _LineCapture(limit)
    try:
        serialize(sink)
    except _Enough:
        data = b"".join(sink.chunks)
        return b"".join(line + b"\n" for line in data.split(b"\n", limit)[:limit]), True
    return b"".join(sink.chunks), False


def _malformed(query: str, exc: SyntaxError) -> Reply:
    """400 with the parser's message, or 403 when the text is a SPARQL Update sent as a query."""
    if _UPDATE.match(query):
        return _text(403, "SPARQL Update is refused: this endpoint is read-only.")
    message = str(exc)
    match = _POSITION.match(message)
    if not match:
        return _text(400, f"malformed query: {message}")
    from .query import syntax_error_message

    return _text(400, syntax_error_message(query, int(match.group(1)), int(match.group(2)), match.group(3)))


def execute(store, query: str, accept: str | None = None, max_results: int = DEFAULT_MAX_RESULTS) -> Reply:
    """
    Run one SPARQL query on a pyoxigraph store and serialize the answer in the media type the client accepts.

    The default graph is the union of the named graphs (one per document plus the vocabulary), and
    the project's prefixes (pg, rdfs, skos, dcterms, xsd, org, prov) need no PREFIX line. Results
    are cut after ``max_results`` rows or triples, with ``X-Results-Truncated: true`` saying so.
    pyoxigraph's own serializers write every format: rows go through TSV (one line per row, so
    they can be counted and cut while streaming) and triples through N-Triples. SERVICE is
    refused, so a query never makes the server call another address.

    Examples
    --------
    >>> import pyoxigraph as ox
    >>> store = ox.Store()
    >>> store.add(ox.Quad(ox.NamedNode("http://e/a"), ox.NamedNode("http://e/p"), ox.Literal("1")))
    >>> execute(store, "SELECT ?s WHERE { ?s ?p ?o }", "text/csv").body
    b's\\r\\nhttp://e/a\\r\\n'
    >>> execute(store, "SELECT ?s WHERE { ?s ?p }").status
    400
    """
    import pyoxigraph as ox

    from .vocab import PREFIXES

    if _SERVICE.search(_NOISE.sub(" ", query)):
        return _text(403, "SERVICE (federated query) is refused: this endpoint only answers from its own store.")
    try:
        result = store.query(query, prefixes=PREFIXES)
    except SyntaxError as exc:
        return _malformed(query, exc)
    try:
        if isinstance(result, ox.QueryBoolean):
            media = negotiate(accept, SOLUTION_TYPES)
            return Reply(200, media, result.serialize(format=getattr(ox.QueryResultsFormat, SOLUTION_TYPES[media])))
        if isinstance(result, ox.QueryTriples):
            media = negotiate(accept, GRAPH_TYPES)
            body, cut = _capture(lambda sink: result.serialize(sink, ox.RdfFormat.N_TRIPLES), max_results)
            if GRAPH_TYPES[media] != "N_TRIPLES":
                body = ox.serialize(ox.parse(body, ox.RdfFormat.N_TRIPLES),
                                    format=getattr(ox.RdfFormat, GRAPH_TYPES[media]), prefixes=PREFIXES) or b""
            content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
            return Reply(200, content_type, body, _limit_headers(cut, max_results))
        media = negotiate(accept, SOLUTION_TYPES)
        body, cut = _capture(lambda sink: result.serialize(sink, ox.QueryResultsFormat.TSV), max_results + 1)
        if SOLUTION_TYPES[media] != "TSV":
            body = ox.parse_query_results(body, ox.QueryResultsFormat.TSV).serialize(
                format=getattr(ox.QueryResultsFormat, SOLUTION_TYPES[media]))
        content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
        return Reply(200, content_type, body, _limit_headers(cut, max_results))
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors, e.g. a SERVICE call that fails
        return _text(500, f"query failed: {exc}")


def _limit_headers(cut: bool, max_results: int) -> tuple[tuple[str, str], ...]:
    return (("X-Results-Limit", str(max_results)),) + ((("X-Results-Truncated", "true"),) if cut else ())


def default_store() -> Path:
    """The store ``policygraph build`` writes, ``policygraph-out/store``."""
    from . import store

    return Path(getattr(store, "DEFAULT_STORE", Path("policygraph-out") / "store"))


def servable_store(path: str | Path, scratch: Path) -> Path:
    """
    The store folder to serve for ``path``: a store folder, a build folder (its store), or a graph file.

    The query workers each open a store folder read-only, so a graph file is first
    loaded into a store under ``scratch`` (its named graphs kept, their union as the
    default graph, as ``policygraph build`` writes it).
    """
    from .store import FORMATS, STORE_DIR, is_store

    path = Path(path)
    if path.is_dir():
        for candidate in (path, path / STORE_DIR):
            if is_store(candidate):
                return candidate
        raise InputError(str(path), "not a policygraph store or build folder (run `policygraph build` first)")
    if not path.is_file():
        raise InputError(str(path), "no such store, build folder or graph file (run `policygraph build` first)")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt not in ("trig", "nquads", "turtle", "nt"):
        raise InputError(str(path), f"cannot serve {path.suffix or 'this'} files; "
                                    "give a store, a build folder, or a .trig, .nq, .ttl or .nt file")
    return _load_into_store(path, fmt, scratch / STORE_DIR)


def _load_into_store(path: Path, fmt: str, store_dir: Path) -> Path:
    import pyoxigraph as ox

    rdf_format = {"trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
                  "turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES}[fmt]
    try:
        quads = list(ox.parse(path=str(path), format=rdf_format))
    except (OSError, SyntaxError) as exc:
        raise InputError(str(path), f"cannot parse as {fmt}: {exc}") from exc
    store = ox.Store(str(store_dir))
    store.extend(quads)
    store.extend(ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph()) for q in quads
                 if not isinstance(q.graph_name, ox.DefaultGraph))
    store.flush()
    del store
    return store_dir


def open_read_only(path: str | Path):
    """Open a built store read-only (pyoxigraph), with a how-to-fix message when there is none."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(str(path), "no store here (run `policygraph build` first, or pass --store DIR)")
    from . import store

    try:
        return store.open_store(path, read_only=True)
    except InputError as exc:
        raise InputError(str(path), f"cannot open the store read-only: {exc.reason}") from exc


def rdflib_dataset(ox_store):
    """An rdflib Dataset over a pyoxigraph store, its default graph the union of the documents."""
    from .store import rdflib_view

    return rdflib_view(ox_store)


def _worker(conn, store_path: str) -> None:
    """A query worker process: open the store once, then answer (query, accept, limit) jobs until the pipe closes."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .store import current_version, open_snapshot

    try:
        snapshot = open_snapshot(store_path)
    except Exception as exc:  # reported to the parent, which refuses to start
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", ""))
    while True:
        try:
            query, accept, max_results = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if current_version(store_path) not in (None, snapshot.path):  # a build published a new version
                newer = open_snapshot(store_path)
                snapshot.close()
                snapshot = newer
            reply = execute(snapshot.store, query, accept, max_results)
        except Exception as exc:  # never let one query take the worker down
            reply = _text(500, f"query failed: {type(exc).__name__}: {exc}")
        conn.send(reply)


class _Slot:
    """One worker process and the parent's end of its pipe."""

    def __init__(self, context, store_path: str):
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, store_path), daemon=True,
                                       name="policygraph-query")
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> None:
        if not self.conn.poll(seconds):
            self.stop()
            raise InputError("store", f"a query worker did not start within {seconds:g} s")
        kind, message = self.conn.recv()
        if kind != "ready":
            self.stop()
            raise InputError("store", message)

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()


class QueryPool:
    """
    Worker processes that run queries with a hard time limit.

    pyoxigraph releases the GIL while it evaluates, but a query cannot be cancelled once started,
    so each query runs in a worker process that has the store open read-only; a query over its
    time limit has its worker killed and replaced, and the caller gets a 503 at once. A request
    that finds every worker busy for the time limit (at least 10 s, the time a replaced worker
    takes to start) gets a 503 too, so nothing waits forever.
    """

    def __init__(self, store_path: str | Path, workers: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 max_results: int = DEFAULT_MAX_RESULTS, start_seconds: float = 120.0):
        import multiprocessing

        self.store_path = str(store_path)
        self.timeout = timeout
        self.max_results = max_results
        self.workers = max(1, workers)
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Slot] = queue.Queue()
        self._closed = False
        slots = [_Slot(self._context, self.store_path) for _ in range(self.workers)]
        try:
            for slot in slots:
                slot.wait_ready(start_seconds)
        except Exception:
            for slot in slots:
                slot.stop()
            raise
        for slot in slots:
            self._idle.put(slot)

    def run(self, query: str, accept: str | None = None) -> Reply:
        """Answer one query within the time limit; never raises, never blocks past about twice the limit."""
        wait = max(self.timeout, 10.0)
        try:
            slot = self._idle.get(timeout=wait)
        except queue.Empty:
            return _text(503, f"server busy: all {self.workers} query workers stayed busy for {wait:g} s; "
                              "try again later", ("Retry-After", "5"))
        try:
            slot.conn.send((query, accept, self.max_results))
            if slot.conn.poll(self.timeout):
                reply = slot.conn.recv()
                self._idle.put(slot)
                return reply
        except (EOFError, OSError) as exc:
            self._replace(slot)
            return _text(500, f"the query worker failed ({exc}); the query was dropped, the server goes on")
        self._replace(slot)
        return _text(503, f"query timed out: it ran longer than the server's limit of {self.timeout:g} s and was "
                          "stopped. Narrow it (LIMIT, more specific patterns) or start the server with a larger "
                          "--timeout.")

    def _replace(self, slot: _Slot) -> None:
        """Kill a worker and start its successor in the background, so the request that hit the limit returns now."""
        slot.stop()
        if self._closed:
            return

        def restart():
            try:
                fresh = _Slot(self._context, self.store_path)
                fresh.wait_ready(120.0)
            except Exception as exc:
                _log.error("could not restart a query worker: %s", exc)
                return
            if self._closed:
                fresh.stop()
            else:
                self._idle.put(fresh)

        threading.Thread(target=restart, daemon=True, name="policygraph-restart").start()

    def close(self) -> None:
        """Stop every idle worker (busy ones are daemons and end with the server process)."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return


def _asset(name: str) -> bytes:
    return resources.files("policygraph").joinpath("assets", "yasgui", name).read_bytes()


def _examples() -> list[dict]:
    """The named queries as examples for the page: ``?lang`` bound to zh, parameters shown as a VALUES line."""
    from .query import list_queries, optional_param

    out = []
    for named in list_queries():
        text = re.sub(r"[?$]lang\b", '"zh"', named.text)
        for param, meaning in named.params.items():
            if optional_param(meaning):
                continue
            sample = re.search(r"[（(]([^,，)）]+)", meaning)
            value = sample.group(1).strip() if sample else "…"
            text = re.sub(rf"[?$]{re.escape(param)}\b", '"' + value.replace('"', "") + '"', text)
        out.append({"name": named.name, "title": named.title or named.name, "description": named.description,
                    "text": text})
    return out


class SparqlServer(ThreadingHTTPServer):
    """The HTTP server: one thread per connection, queries handed to a ``QueryPool``, pages cached."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], store_path: str | Path, pool: QueryPool):
        self.store_path = Path(store_path)
        self.pool = pool
        self.scratch = None
        super().__init__(address, _Handler)
        self._pages: dict[tuple[str, str], bytes] = {}
        self._lock = threading.Lock()
        self._dataset = None
        from .render import script_json

        self.index = Template(_asset("index.html").decode("utf-8")).substitute(
            timeout=f"{pool.timeout:g}", max_results=f"{pool.max_results:,}",
            data=script_json({"examples": _examples()})).encode("utf-8")

    @property
    def url(self) -> str:
        """The base URL the server answers on (with the port chosen when 0 was asked for)."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def explorer(self, view: str, lang: str) -> bytes:
        """The HTML explorer of the store, rendered once per view and language and kept for the server's life."""
        key = (view, lang)
        with self._lock:
            if key not in self._pages:
                from .render import render_html
                from .viewgraph import build_view

                self._pages[key] = render_html(build_view(self._rdflib_dataset(), view=view), lang=lang).encode("utf-8")
            return self._pages[key]

    def _rdflib_dataset(self):
        if self._dataset is None:
            self._dataset = rdflib_dataset(open_read_only(self.store_path))
        return self._dataset

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()
        if self.scratch is not None:
            self.scratch.cleanup()


class _Handler(BaseHTTPRequestHandler):
    """Routes: ``/`` query page, ``/assets/yasgui/…``, ``/sparql`` (GET, POST), ``/explorer``."""

    server: SparqlServer
    server_version = "policygraph"
    protocol_version = "HTTP/1.1"
    timeout = 120

    def log_message(self, format: str, *args) -> None:
        _log.info("%s %s", self.address_string(), format % args)

    def _send(self, reply: Reply, *extra: tuple[str, str]) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        for key, value in reply.headers + extra:
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        params = parse_qs(url.query, keep_blank_values=True)
        if url.path in ("/", "/index.html"):
            return self._send(Reply(200, "text/html; charset=utf-8", self.server.index),
                              ("Content-Security-Policy", _PAGE_CSP))
        if url.path.startswith("/assets/yasgui/") and url.path.rsplit("/", 1)[1] in _ASSETS:
            name = url.path.rsplit("/", 1)[1]
            kind = {"js": "text/javascript", "css": "text/css"}.get(name.rsplit(".", 1)[-1], "text/plain")
            return self._send(Reply(200, kind + "; charset=utf-8", _asset(name)),
                              ("Cache-Control", "max-age=3600"))
        if url.path == "/sparql":
            if "update" in params:
                return self._send(_text(403, "SPARQL Update is refused: this endpoint is read-only."))
            if "query" not in params:
                return self._send(_text(400, "no query: send ?query=… (GET) or POST a query "
                                             "(application/x-www-form-urlencoded or application/sparql-query)"))
            return self._query(params["query"][0], params)
        if url.path == "/favicon.ico":
            return self._send(Reply(204, "image/x-icon", b""))
        if url.path == "/explorer":
            view = params.get("view", ["whole"])[0]
            lang = params.get("lang", ["zh"])[0]
            if view not in ("whole", "agencies") or lang not in ("zh", "en"):
                return self._send(_text(400, "view is whole or agencies; lang is zh or en"))
            return self._send(Reply(200, "text/html; charset=utf-8", self.server.explorer(view, lang)))
        return self._send(_text(404, f"not found: {url.path} (try /, /sparql or /explorer)"))

    do_HEAD = do_GET

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._send(_text(404, f"not found: {url.path} (POST queries to /sparql)"))
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            return self._send(_text(413, f"request body too large or without a valid length (at most {MAX_BODY} "
                                         "bytes)"))
        body = self.rfile.read(length)
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = parse_qs(url.query, keep_blank_values=True)
        if media == "application/sparql-update":
            return self._send(_text(403, "SPARQL Update is refused: this endpoint is read-only."))
        if media == "application/x-www-form-urlencoded":
            params.update(parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True))
            if "update" in params:
                return self._send(_text(403, "SPARQL Update is refused: this endpoint is read-only."))
            if "query" not in params:
                return self._send(_text(400, "no query: the form has no query= field"))
            return self._query(params["query"][0], params)
        if media == "application/sparql-query":
            try:
                return self._query(body.decode("utf-8"), params)
            except UnicodeDecodeError:
                return self._send(_text(400, "the query is not UTF-8"))
        return self._send(_text(415, "POST a query as application/x-www-form-urlencoded (query=…) or "
                                     "application/sparql-query"))

    def _query(self, query: str, params: dict) -> None:
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return self._send(_text(400, "default-graph-uri and named-graph-uri are not supported: the default "
                                         "graph is the union of all documents' graphs; use GRAPH or FROM in the query"))
        accept = self.headers.get("Accept")
        fmt = (params.get("format") or params.get("output") or [""])[0].strip().lower()
        if fmt:
            accept = _SHORT_FORMATS.get(fmt, fmt)
        self._send(self.server.pool.run(query, accept))


def make_server(store_path: str | Path | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS,
                workers: int | None = None) -> SparqlServer:
    """
    Open the store, start the query workers and bind the server (port 0 picks a free port; see ``.url``).

    The caller runs ``serve_forever()`` and, at the end, ``shutdown()`` and ``server_close()``.
    ``workers`` defaults to the number of cores (at least 2), each with the store open read-only.
    """
    import os

    import tempfile

    scratch = tempfile.TemporaryDirectory(prefix="policygraph-serve-")
    try:
        store_path = servable_store(store_path or default_store(), Path(scratch.name))
        if not Path(store_path).is_dir():
            open_read_only(store_path)
        from .store import open_snapshot

        open_snapshot(store_path).close()  # opens, as each worker will, without keeping a version from removal
    except BaseException:
        scratch.cleanup()
        raise
    pool = QueryPool(store_path, workers or max(2, os.cpu_count() or 2), timeout, max_results)
    try:
        server = SparqlServer((host, port), store_path, pool)
    except OSError as exc:
        pool.close()
        scratch.cleanup()
        raise InputError(f"{host}:{port}", f"cannot listen there ({exc.strerror or exc}); choose another --port "
                                           "(0 picks a free one)") from exc
    except BaseException:
        pool.close()
        scratch.cleanup()
        raise
    server.scratch = scratch
    return server


def serve(store_path: str | Path | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS, workers: int | None = None,
          on_ready=None) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); ``on_ready(server)`` is called once the port is bound."""
    import signal

    server = make_server(store_path, host, port, timeout, max_results, workers)

    def stop(signum, frame):
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
    if on_ready is not None:
        on_ready(server)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
