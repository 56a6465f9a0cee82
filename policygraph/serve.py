"""The local SPARQL server: a read-only SPARQL 1.1 Protocol endpoint, the query page and the explorer over a store."""
from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from string import Template
from urllib.parse import parse_qs, urlsplit

from .errors import InputError
from .sparqltext import bind_values, is_update, malformed_message

__all__ = [
    "Reply",
    "Limits",
    "Access",
    "QueryPool",
    "SparqlServer",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "DEFAULT_TIMEOUT",
    "DEFAULT_MAX_RESULTS",
    "DEFAULT_MAX_BYTES",
    "store_generation",
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
#: Largest answer sent, in bytes (rows or triples past it are cut, with a header saying so).
DEFAULT_MAX_BYTES = 64 << 20
#: Answers larger than this go from the worker to the client through a file, not the server's memory.
SPILL_BYTES = 1 << 20
#: Connections served at once; more get an immediate 503.
DEFAULT_MAX_CONNECTIONS = 64
#: Seconds a query may run while other requests wait for a worker (the full timeout applies otherwise).
DEFAULT_BUSY_TIMEOUT = 5.0
#: Seconds a connection may stay silent (between requests, or while sending one) before it is closed.
DEFAULT_IDLE_TIMEOUT = 15.0
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
_READ_ONLY = "SPARQL Update is refused: this endpoint is read-only."
_PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
             "font-src 'self' data:; connect-src 'self'; frame-src 'none'; object-src 'none'")
_ASSETS = ("yasgui.min.js", "yasgui.min.css", "query.js", "query.css", "LICENSE")
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reply:
    """
    One HTTP answer as plain data, so query workers can send it back through a pipe.

    A large answer travels as a file instead (``path``, body empty): the worker writes it, the
    server streams it to the client as fast as the client reads and then deletes it, so clients
    that read slowly or never hold disk, not the server's memory.
    """

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()
    path: str | None = None


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
    """A file-like sink that keeps what a line-per-item serializer writes, up to ``limit`` lines or ``room`` bytes."""

    def __init__(self, limit: int, room: int):
        self.chunks: list[bytes] = []
        self.lines = 0
        self.size = 0
        self.limit = limit
        self.room = room

    def write(self, data) -> int:
        data = bytes(data)
        self.chunks.append(data)
        self.lines += data.count(b"\n")
        self.size += len(data)
        if self.lines > self.limit or self.size > self.room:
            raise _Enough
        return len(data)

    def flush(self) -> None:
        pass


def _capture(serialize, limit: int, room: int = DEFAULT_MAX_BYTES) -> tuple[bytes, bool]:
    """
    Run ``serialize(sink)`` for a line-per-item format; keep whole lines, at most ``limit`` of them
    and at most ``room`` bytes, and say whether anything was cut.
    """
    sink = _LineCapture(limit, room)
    try:
        serialize(sink)
    except _Enough:
        complete = b"".join(sink.chunks).split(b"\n")[:-1]
        kept, size = [], 0
        for line in complete[:limit]:
            size += len(line) + 1
            if size > room:
                break
            kept.append(line + b"\n")
        return b"".join(kept), True
    return b"".join(sink.chunks), False


def _malformed(query: str, exc: SyntaxError) -> Reply:
    """400 with the parser's message, or 403 when the text is a SPARQL Update sent as a query."""
    if is_update(query):
        return _text(403, _READ_ONLY)
    return _text(400, malformed_message(query, exc))


def execute(store, query: str, accept: str | None = None, max_results: int = DEFAULT_MAX_RESULTS,
            max_bytes: int = DEFAULT_MAX_BYTES) -> Reply:
    """
    Run one SPARQL query on a pyoxigraph store and serialize the answer in the media type the client accepts.

    The default graph is the union of all graphs, computed at query time (one per document, the shared
    graph, the vocabulary), and
    the project's prefixes (pg, rdfs, skos, dcterms, xsd, org, prov) need no PREFIX line. Results
    are cut after ``max_results`` rows or triples, or where the answer would pass ``max_bytes``,
    with ``X-Results-Truncated: true`` saying so.
    pyoxigraph's own serializers write every format: rows go through TSV (one line per row, so
    they can be counted and cut while streaming) and triples through N-Triples. A query asking for
    SERVICE, or nested deeper than the parser can follow, is refused before the engine sees it
    (policygraph.querycheck), and an update sent as a query is refused as such (403).

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

    from .querycheck import refusal
    from .store import union_options

    refused = refusal(query)
    if refused:
        return _text(*refused)
    try:
        result = store.query(query, prefixes=PREFIXES, **union_options(query))
    except SyntaxError as exc:
        return _malformed(query, exc)
    try:
        if isinstance(result, ox.QueryBoolean):
            media = negotiate(accept, SOLUTION_TYPES)
            return Reply(200, media, result.serialize(format=getattr(ox.QueryResultsFormat, SOLUTION_TYPES[media])))
        if isinstance(result, ox.QueryTriples):
            return _triples_reply(result, accept, max_results, max_bytes)
        return _solutions_reply(result, accept, max_results, max_bytes)
    except (OSError, ValueError, RuntimeError) as exc:  # evaluation errors, e.g. a SERVICE call that fails
        return _text(500, f"query failed: {exc}")


def _triples_reply(result, accept: str | None, max_results: int, max_bytes: int) -> Reply:
    """The triples of a CONSTRUCT or DESCRIBE, cut as N-Triples, then written in the media type accepted."""
    import pyoxigraph as ox

    from .vocab import PREFIXES

    media = negotiate(accept, GRAPH_TYPES)
    room = max_bytes if GRAPH_TYPES[media] == "N_TRIPLES" else max_bytes // 2
    body, cut = _capture(lambda sink: result.serialize(sink, ox.RdfFormat.N_TRIPLES), max_results, room)
    if GRAPH_TYPES[media] != "N_TRIPLES":
        body = ox.serialize(ox.parse(body, ox.RdfFormat.N_TRIPLES),
                            format=getattr(ox.RdfFormat, GRAPH_TYPES[media]), prefixes=PREFIXES) or b""
    content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
    return Reply(200, content_type, body, _limit_headers(cut, max_results, max_bytes))


def _solutions_reply(result, accept: str | None, max_results: int, max_bytes: int) -> Reply:
    """The rows of a SELECT, cut as TSV (one line a row), then written in the media type accepted."""
    import pyoxigraph as ox

    media = negotiate(accept, SOLUTION_TYPES)
    room = max_bytes if SOLUTION_TYPES[media] in ("TSV", "CSV") else max_bytes // 4
    body, cut = _capture(lambda sink: result.serialize(sink, ox.QueryResultsFormat.TSV), max_results + 1, room)
    if SOLUTION_TYPES[media] != "TSV":
        body = ox.parse_query_results(body, ox.QueryResultsFormat.TSV).serialize(
            format=getattr(ox.QueryResultsFormat, SOLUTION_TYPES[media]))
    content_type = media + ("; charset=utf-8" if media.startswith("text/") else "")
    return Reply(200, content_type, body, _limit_headers(cut, max_results, max_bytes))


def _limit_headers(cut: bool, max_results: int, max_bytes: int) -> tuple[tuple[str, str], ...]:
    return ((("X-Results-Limit", str(max_results)), ("X-Results-Limit-Bytes", str(max_bytes)))
            + ((("X-Results-Truncated", "true"),) if cut else ()))


def default_store() -> Path:
    """The store ``policygraph build`` writes, ``policygraph-out/store``."""
    from .store import DEFAULT_STORE

    return DEFAULT_STORE


def servable_store(path: str | Path, scratch: Path) -> Path:
    """
    The store folder to serve for ``path``: a store folder, a build folder (its store), or a graph file.

    The query workers each open a store folder read-only, so a graph file is first
    loaded into a store under ``scratch`` (its named graphs kept; queries see their union).
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
    store.flush()
    del store
    return store_dir


def open_read_only(path: str | Path):
    """Open a built store read-only (pyoxigraph), with a how-to-fix message when there is none."""
    path = Path(path)
    if not path.is_dir():
        raise InputError(str(path), "no store here (run `policygraph build` first, or pass --graph DIR)")
    from . import store

    try:
        return store.open_store(path, read_only=True)
    except InputError as exc:
        raise InputError(str(path), f"cannot open the store read-only: {exc.reason}") from exc


def rdflib_dataset(ox_store):
    """An rdflib Dataset over a pyoxigraph store, its default graph the union of the documents."""
    from .opening import rdflib_view

    return rdflib_view(ox_store)


def store_generation(store_path: str | Path) -> str:
    """
    A stamp that changes whenever the store folder is written: its files' names, sizes and times.

    Every write of the storage engine (a build, ``policygraph remove``) adds or rewrites files in
    the folder, so workers opened before the stamp changed answer from an older state and are
    replaced. Reading the stamp costs one directory listing.
    """
    import hashlib
    import os

    digest = hashlib.sha256(os.path.realpath(store_path).encode())
    try:
        folder = os.stat(store_path)
        digest.update(f"{folder.st_ino}:{folder.st_mtime_ns}".encode())
        with os.scandir(store_path) as entries:
            for entry in sorted(entries, key=lambda e: e.name):
                try:
                    info = entry.stat(follow_symlinks=False)
                except OSError:
                    continue
                digest.update(f"{entry.name}:{info.st_size}:{info.st_mtime_ns};".encode())
    except OSError:
        return "missing"
    return digest.hexdigest()[:16]


def _spill(reply: Reply, folder: str | None) -> Reply:
    """The reply with a large body moved into a file in ``folder`` (see ``Reply``)."""
    if folder is None or len(reply.body) <= SPILL_BYTES:
        return reply
    import os
    import tempfile

    handle, path = tempfile.mkstemp(dir=folder, suffix=".answer")
    with os.fdopen(handle, "wb") as out:
        out.write(reply.body)
    return Reply(reply.status, reply.content_type, b"", reply.headers, path)


def _worker(conn, store_path: str, memory_limit: int | None = None, spill: str | None = None) -> None:
    """
    A query worker process: give up the network, cap its memory, open the store once, answer jobs.

    Jobs are ``("query", text, accept, max_results, max_bytes)`` and ``("explorer", view, lang)``;
    the worker runs until its pipe closes.
    """
    import signal

    from .sandbox import forbid_network, limit_memory

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from .store import current_version, open_snapshot

    sandboxed = forbid_network()
    limit_memory(memory_limit)
    try:
        snapshot = open_snapshot(store_path)
    except Exception as exc:  # reported to the parent, which refuses to start
        conn.send(("error", str(exc)))
        return
    conn.send(("ready", "network closed" if sandboxed else "network open"))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if current_version(store_path) not in (None, snapshot.path):  # a build published a new version
                newer = open_snapshot(store_path)
                snapshot.close()
                snapshot = newer
            if job[0] == "explorer":
                reply = _explorer_reply(snapshot.store, job[1], job[2])
            else:
                reply = _spill(execute(snapshot.store, job[1], job[2], job[3], max_bytes=job[4]), spill)
        except MemoryError:
            reply = _text(503, f"query stopped: it needed more memory than this server's limit of "
                               f"{_size(memory_limit)} per query worker. Narrow it (LIMIT, more specific patterns).")
        except Exception as exc:  # never let one query take the worker down
            reply = _text(500, f"query failed: {type(exc).__name__}: {exc}")
        conn.send(reply)


def _explorer_reply(store, view: str, lang: str) -> Reply:
    from .render import render_html
    from .viewgraph import build_view

    page = render_html(build_view(rdflib_dataset(store), view=view), lang=lang).encode("utf-8")
    return Reply(200, "text/html; charset=utf-8", page)


def _size(limit: int | None) -> str:
    return "no limit" if not limit else f"{limit / (1 << 30):.1f} GiB" if limit >= 1 << 30 else f"{limit >> 20} MiB"


class _Slot:
    """One worker process, the parent's end of its pipe, and the store generation it opened."""

    def __init__(self, context, store_path: str, generation: str, memory_limit: int | None, spill: str | None = None):
        self.generation = generation
        self.network = "unknown"
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker, args=(child, store_path, memory_limit, spill), daemon=True,
                                       name="policygraph-query")
        self.process.start()
        child.close()

    def wait_ready(self, seconds: float) -> None:
        if not self.conn.poll(seconds):
            self.stop()
            raise InputError("store", f"a query worker did not start within {seconds:g} s")
        try:
            kind, message = self.conn.recv()
        except (EOFError, OSError) as exc:
            self.stop()
            raise InputError("store", f"a query worker ended while starting ({exc or 'no reason given'})") from exc
        if kind != "ready":
            self.stop()
            raise InputError("store", message)
        self.network = message

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def death(self) -> str:
        """Why the worker ended, as a client can read it."""
        import signal

        self.process.join(1)
        code = self.process.exitcode
        if code is None:
            return "it stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            if -code == signal.SIGSEGV:
                return f"it crashed ({name}, most likely the engine ran out of stack on this query)"
            if -code in (signal.SIGABRT, signal.SIGKILL):
                return f"it was stopped ({name}, most likely the query needed more memory than the worker limit)"
            return f"it was stopped by {name}"
        return f"it exited with status {code}"


class _Shared:
    """The answer to a query that several requests sent at once: computed by the first, read by the others."""

    def __init__(self):
        self.done = threading.Event()
        self.reply: Reply | None = None
        self.followers = 0


def _worker_context(multiprocessing):
    """
    Where workers come from: a fork server that has the engine imported, so a replacement starts in
    about 0.2 s instead of the 0.6–1.7 s a fresh interpreter takes (measured on two cores); that
    is what keeps the pool whole while hostile queries get workers killed. Spawn where there is
    no fork server.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["pyoxigraph", "rdflib", "policygraph.serve", "policygraph.querycheck",
                                    "policygraph.sandbox"])
    return context


class QueryPool:
    """
    Worker processes that run queries with a hard time limit, a memory ceiling and no network.

    pyoxigraph releases the GIL while it evaluates, but a query cannot be cancelled once started,
    so each query runs in a worker process that has the store open read-only; a query over its
    time limit has its worker killed and replaced, and the caller gets a 503 at once. A
    supervisor thread keeps the configured number of workers alive, retrying with back-off when
    a replacement fails (file descriptors or memory exhausted), and replaces every worker when
    the store's generation changes, so all answers come from the store as it is now. While
    requests wait for a worker, a query that has run longer than ``busy_timeout`` is stopped,
    so slow queries cannot keep the pool from everyone else (on an idle server they get the full
    ``timeout``). Queries are remembered (by their text) with the time they took: one that was
    stopped, crashed its worker or ran past the busy timeout waits behind all others next time.
    The same query sent by several requests at once runs once and they all get its answer. A request that finds no worker free within the time limit (at least 10 s, the
    time a replaced worker takes to start) gets a 503, so nothing waits forever.
    """

    def __init__(self, store_path: str | Path, workers: int = 2, timeout: float = DEFAULT_TIMEOUT,
                 max_results: int = DEFAULT_MAX_RESULTS, start_seconds: float = 120.0,
                 memory_limit: int | None = None, max_bytes: int = DEFAULT_MAX_BYTES,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT):
        import multiprocessing

        from .sandbox import default_memory_limit

        self.store_path = str(store_path)
        self.timeout = timeout
        self.max_results = max_results
        self.max_bytes = max_bytes
        self.busy_timeout = min(busy_timeout, timeout)
        self.workers = max(1, workers)
        self.memory_limit = default_memory_limit(self.workers) if memory_limit is None else memory_limit
        self._context = _worker_context(multiprocessing)
        import tempfile

        self.spill = tempfile.mkdtemp(prefix="policygraph-answers-")
        self._readers: dict[str, int] = {}
        self._changed = threading.Condition()
        self._idle: list[_Slot] = []
        self._alive: set[_Slot] = set()
        self._starting = 0
        self._waiters: list[tuple[int, int]] = []
        self._sequence = 0
        self._checked_at = 0.0
        self._inflight: dict[tuple[str, str | None], _Shared] = {}
        self._costs: dict[str, float] = {}
        self._closed = False
        self.failures = 0
        self.jobs = 0
        self.generation = store_generation(self.store_path)
        slots = [self._new_slot() for _ in range(self.workers)]
        try:
            for slot in slots:
                slot.wait_ready(start_seconds)
        except Exception:
            for slot in slots:
                slot.stop()
            raise
        self._idle.extend(slots)
        self._alive.update(slots)
        self.network = slots[0].network
        if self.network != "network closed":
            _log.warning("query workers could not close their network access (no seccomp here); "
                         "SERVICE is refused from the parsed query only")
        self._supervisor = threading.Thread(target=self._supervise, daemon=True, name="policygraph-supervisor")
        self._supervisor.start()

    def _new_slot(self) -> _Slot:
        return _Slot(self._context, self.store_path, self.generation, self.memory_limit, self.spill)

    def health(self) -> dict:
        """Workers configured, alive and idle, the store generation they serve, and whether they are sandboxed."""
        with self._changed:
            return {"workers": self.workers, "alive": len(self._alive), "idle": len(self._idle),
                    "starting": self._starting, "generation": self.generation,
                    "network": self.network, "memory_limit": self.memory_limit, "busy_timeout": self.busy_timeout,
                    "jobs": self.jobs,
                    "restart_failures": self.failures}

    def _supervise(self) -> None:
        """Keep ``workers`` workers alive: start replacements, back off after failures, follow the store."""
        backoff = 0.5
        while True:
            with self._changed:
                while not self._closed and len(self._alive) + self._starting >= self.workers:
                    self._changed.wait(1.0)
                    self._follow_store()
                if self._closed:
                    return
                self._starting += 1
                generation = self.generation
            try:
                fresh = self._new_slot()
                fresh.generation = generation
                fresh.wait_ready(120.0)
            except Exception as exc:
                with self._changed:
                    self._starting -= 1
                    self.failures += 1
                _log.error("could not start a query worker (%s); retrying in %.1f s", exc, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff = 0.5
            with self._changed:
                self._starting -= 1
                if self._closed or fresh.generation != self.generation:
                    fresh.stop()
                    continue
                self._alive.add(fresh)
                self._idle.append(fresh)
                self._changed.notify_all()

    def _follow_store(self) -> None:
        """Under the lock: when the store changed, retire the idle workers of the old generation (checked 5× a second)."""
        now = time.monotonic()
        if now - self._checked_at < 0.2:
            return
        self._checked_at = now
        current = store_generation(self.store_path)
        if current == self.generation:
            return
        _log.info("store changed (generation %s → %s): replacing the query workers", self.generation, current)
        self.generation = current
        for slot in [slot for slot in self._idle if slot.generation != current]:
            self._idle.remove(slot)
            self._alive.discard(slot)
            slot.stop()
        self._changed.notify_all()

    def _take(self, wait: float, cost: float = 0.0) -> _Slot | None:
        """
        A free worker of the current generation, for the first waiting request that is not known to be slow.

        ``cost`` is the seconds this query took the last times it ran (0 when unknown). Queries are
        served in arrival order, except that one which took longer than the busy timeout waits
        until no other query is waiting, instead of taking their workers again.
        """
        deadline = time.monotonic() + wait
        with self._changed:
            self._follow_store()
            self._sequence += 1
            ticket = (int(cost >= self.busy_timeout), self._sequence)
            self._waiters.append(ticket)
            try:
                while True:
                    fresh = [slot for slot in self._idle if slot.generation == self.generation]
                    if fresh and ticket == min(self._waiters):
                        self._idle.remove(fresh[0])
                        return fresh[0]
                    left = deadline - time.monotonic()
                    if left <= 0 or self._closed:
                        return None
                    self._changed.wait(min(left, 0.5))
                    self._follow_store()
            finally:
                self._waiters.remove(ticket)
                self._changed.notify_all()

    def _light_waiting(self) -> bool:
        """Whether a request that is not known to be slow waits for a worker."""
        return any(not slow for slow, _ in self._waiters)

    def _remember(self, key: str, seconds: float) -> None:
        with self._changed:
            previous = self._costs.pop(key, seconds)
            self._costs[key] = (previous + seconds) / 2
            while len(self._costs) > 10_000:
                self._costs.pop(next(iter(self._costs)))

    def _give_back(self, slot: _Slot, alive: bool) -> None:
        with self._changed:
            if alive and not self._closed and slot.generation == self.generation:
                self._idle.append(slot)
            else:
                self._alive.discard(slot)
                threading.Thread(target=slot.stop, daemon=True).start()
            self._changed.notify_all()

    def run(self, query: str, accept: str | None = None) -> Reply:
        """Answer one query within the time limit; never raises, never blocks past about twice the limit."""
        from .querycheck import refusal

        refused = refusal(query)
        if refused:
            return _text(*refused)
        import hashlib

        key = hashlib.sha256(" ".join(query.split()).encode("utf-8")).hexdigest()
        with self._changed:
            shared = self._inflight.get((key, accept))
            leader = shared is None
            if leader:
                shared = self._inflight[(key, accept)] = _Shared()
            else:
                shared.followers += 1
        if not leader:
            if not shared.done.wait(max(self.timeout, 10.0) + self.timeout + 5.0):
                with self._changed:
                    if not shared.done.is_set():
                        shared.followers -= 1
                        return _text(503, "server busy: the same query, sent earlier by another request, is still "
                                          "running; try again later", ("Retry-After", "5"))
            return shared.reply
        reply = None
        try:
            reply = self._job(("query", query, accept, self.max_results, self.max_bytes), self.timeout, key=key)
        finally:
            with self._changed:
                shared.reply = reply or _text(500, "the query failed in the server")
                if shared.reply.path:
                    self._readers[shared.reply.path] = 1 + shared.followers
                del self._inflight[(key, accept)]
                shared.done.set()
        return shared.reply

    def release(self, reply: Reply) -> None:
        """Say that one client has been sent ``reply``; its file goes when every client it was for has it."""
        if not reply.path:
            return
        import os

        with self._changed:
            left = self._readers.get(reply.path, 1) - 1
            if left > 0:
                self._readers[reply.path] = left
                return
            self._readers.pop(reply.path, None)
        try:
            os.unlink(reply.path)
        except OSError:
            pass

    def explorer(self, view: str, lang: str) -> Reply:
        """Render the explorer page in a worker (it can take long on a large store), with a longer limit."""
        return self._job(("explorer", view, lang), max(self.timeout, 300.0), evictable=False)

    def _job(self, job: tuple, limit: float, evictable: bool = True, key: str | None = None) -> Reply:
        wait = max(self.timeout, 10.0)
        slot = self._take(wait, self._costs.get(key, 0.0) if key else 0.0)
        if slot is None:
            return _text(503, f"server busy: none of the {self.workers} query workers was free for {wait:g} s; "
                              "try again later", ("Retry-After", "5"))
        generation = ("X-Store-Generation", slot.generation)
        started = time.monotonic()
        self.jobs += 1
        try:
            slot.conn.send(job)
            while True:
                if slot.conn.poll(0.05):
                    reply = slot.conn.recv()
                    if key:
                        self._remember(key, time.monotonic() - started)
                    self._give_back(slot, alive=True)
                    return replace(reply, headers=reply.headers + (generation,))
                ran = time.monotonic() - started
                if ran >= limit:
                    break
                if evictable and ran >= self.busy_timeout and self._light_waiting():
                    if key:
                        self._remember(key, limit)
                    self._give_back(slot, alive=False)
                    return _text(503, f"query stopped after {ran:.1f} s: other requests were waiting and this "
                                      f"server stops queries past {self.busy_timeout:g} s while it is busy "
                                      f"(--busy-timeout; on an idle server a query may run {limit:g} s). Narrow it "
                                      "(LIMIT, more specific patterns) or try again later.",
                                 generation, ("Retry-After", "5"))
        except (EOFError, OSError):
            reason = slot.death()
            if key:
                self._remember(key, limit)
            self._give_back(slot, alive=False)
            return _text(500, f"the query worker ended while answering: {reason}. The query was dropped; "
                              "the server goes on with a new worker.", generation)
        if key:
            self._remember(key, limit)
        self._give_back(slot, alive=False)
        return _text(503, f"query timed out: it ran longer than the server's limit of {limit:g} s and was "
                          "stopped. Narrow it (LIMIT, more specific patterns) or start the server with a larger "
                          "--timeout.", generation)

    def close(self) -> None:
        """Stop the supervisor and every idle worker (busy ones are daemons and end with the server process)."""
        with self._changed:
            self._closed = True
            idle, self._idle = self._idle, []
            self._alive.difference_update(idle)
            self._changed.notify_all()
        for slot in idle:
            slot.stop()
        import shutil

        shutil.rmtree(self.spill, ignore_errors=True)


def _asset(name: str) -> bytes:
    return resources.files("policygraph").joinpath("assets", "yasgui", name).read_bytes()


def _examples() -> list[dict]:
    """The named queries as examples for the page: ``?lang`` bound to zh, each needed parameter to its sample value.

    The values are written into the text (:func:`policygraph.sparqltext.bind_values`), so an
    example runs as shown; optional parameters stay unbound.
    """
    from rdflib import Literal

    from .query import list_queries, optional_param

    out = []
    for named in list_queries():
        values = {"lang": Literal("zh")}
        for param, meaning in named.params.items():
            if optional_param(meaning):
                continue
            sample = re.search(r"[（(]([^,，)）]+)", meaning)
            values[param] = Literal(sample.group(1).strip().replace('"', "") if sample else "…")
        text = bind_values(named.text, values)
        out.append({"name": named.name, "title": named.title or named.name, "description": named.description,
                    "text": text})
    return out


@dataclass(frozen=True)
class Access:
    """
    Who may talk to the server from a browser: the Host names it answers to and the origins it shares with.

    A web page the user visits can make the browser send requests to 127.0.0.1 under a name the
    attacker controls (DNS rebinding); checking the ``Host`` header defeats that. By default the
    server answers to IP addresses and ``localhost`` only, and sends no CORS headers, so pages from
    other origins cannot read its answers.
    """

    allow_hosts: tuple[str, ...] = ()
    allow_origins: tuple[str, ...] = ()

    def host_allowed(self, host_header: str | None) -> bool:
        """
        >>> Access().host_allowed("127.0.0.1:8737"), Access().host_allowed("evil.example:8737")
        (True, False)
        >>> Access(("sparql.lab",)).host_allowed("SPARQL.lab"), Access().host_allowed("[::1]:80")
        (True, True)
        """
        if host_header is None:
            return True
        name = host_header.strip().lower()
        if name.startswith("["):
            name = name[1:name.find("]")] if "]" in name else name
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        if name == "localhost" or "*" in self.allow_hosts or name in {h.lower() for h in self.allow_hosts}:
            return True
        import ipaddress

        try:
            ipaddress.ip_address(name)
        except ValueError:
            return False
        return True

    def origin_allowed(self, origin: str | None) -> bool:
        return bool(origin) and ("*" in self.allow_origins or origin in self.allow_origins)


class SparqlServer(ThreadingHTTPServer):
    """
    The HTTP server: one thread per connection (at most ``max_connections``), queries handed to a
    ``QueryPool``, explorer pages rendered by the pool and kept per store generation.
    """

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], store_path: str | Path, pool: QueryPool,
                 access: Access = Access(), max_connections: int = DEFAULT_MAX_CONNECTIONS,
                 idle_timeout: float = DEFAULT_IDLE_TIMEOUT):
        self.store_path = Path(store_path)
        self.pool = pool
        self.access = access
        self.max_connections = max_connections
        self.idle_timeout = idle_timeout
        self.scratch = None
        self._connections = threading.BoundedSemaphore(max_connections)
        super().__init__(address, _Handler)
        self._pages: dict[tuple[str, str, str], Reply] = {}
        self._lock = threading.Lock()
        from .render import script_json

        self.index = Template(_asset("index.html").decode("utf-8")).substitute(
            timeout=f"{pool.timeout:g}", max_results=f"{pool.max_results:,}",
            data=script_json({"examples": _examples()})).encode("utf-8")

    @property
    def url(self) -> str:
        """The base URL the server answers on (with the port chosen when 0 was asked for)."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"

    def process_request(self, request, client_address) -> None:
        """Serve the connection in a thread, or answer 503 at once when ``max_connections`` are open."""
        if not self._connections.acquire(blocking=False):
            try:
                request.settimeout(2.0)
                body = (f"too many connections: this server serves at most {self.max_connections} at once; "
                        "try again later\n").encode()
                request.sendall(b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
                                b"Retry-After: 5\r\nConnection: close\r\nContent-Length: "
                                + str(len(body)).encode() + b"\r\n\r\n" + body)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._connections.release()

    def explorer(self, view: str, lang: str) -> Reply:
        """The HTML explorer of the store as it is now: rendered by a worker, kept until the store changes."""
        generation = store_generation(self.store_path)
        key = (generation, view, lang)
        with self._lock:
            page = self._pages.get(key)
        if page is None:
            page = self.pool.explorer(view, lang)
            if page.status == 200:
                with self._lock:
                    self._pages = {k: v for k, v in self._pages.items() if k[0] == generation}
                    self._pages[key] = page
        return page

    def server_close(self) -> None:
        super().server_close()
        self.pool.close()
        if self.scratch is not None:
            self.scratch.cleanup()


class _Handler(BaseHTTPRequestHandler):
    """Routes: ``/`` query page, ``/assets/yasgui/…``, ``/sparql`` (GET, POST), ``/explorer``, ``/health``."""

    server: SparqlServer
    server_version = "policygraph"
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        self.timeout = self.server.idle_timeout
        super().setup()

    def log_message(self, format: str, *args) -> None:
        _log.info("%s %s", self.address_string(), format % args)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol errors (bad request line, oversized headers…) as plain text, not Python's HTML page."""
        short, long = self.responses.get(code, ("error", ""))
        self.close_connection = True
        try:
            self._send(_text(code, f"{message or short}" + (f": {explain or long}" if explain or long else "")))
        except OSError:
            pass

    def _cors(self) -> tuple[tuple[str, str], ...]:
        headers = getattr(self, "headers", None)
        origin = headers.get("Origin") if headers else None
        if not self.server.access.origin_allowed(origin):
            return ()
        return (("Access-Control-Allow-Origin", origin), ("Vary", "Origin"),
                ("Access-Control-Expose-Headers", "X-Results-Limit, X-Results-Limit-Bytes, X-Results-Truncated, "
                                                  "X-Store-Generation"))

    def _send(self, reply: Reply, *extra: tuple[str, str]) -> None:
        if reply.path:
            return self._send_file(reply, *extra)
        self._head(reply, len(reply.body), *extra)
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(reply.body)

    def _send_file(self, reply: Reply, *extra: tuple[str, str]) -> None:
        """Stream an answer the worker left in a file, as fast as the client reads it, then let it go."""
        import os
        import shutil

        try:
            with open(reply.path, "rb") as answer:
                self._head(reply, os.fstat(answer.fileno()).st_size, *extra)
                if self.command != "HEAD":
                    shutil.copyfileobj(answer, self.wfile, 1 << 16)
        finally:
            self.server.pool.release(reply)

    def _head(self, reply: Reply, length: int, *extra: tuple[str, str]) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("X-Content-Type-Options", "nosniff")
        if self.close_connection:
            self.send_header("Connection", "close")
        for key, value in reply.headers + extra + self._cors():
            self.send_header(key, value)
        self.end_headers()

    def _refused_host(self) -> bool:
        if self.server.access.host_allowed(self.headers.get("Host")):
            return False
        self.close_connection = True
        self._send(_text(421, f"this server does not answer to the host name {self.headers.get('Host')!r}; "
                              "use its address, or start it with --allow-host NAME"))
        return True

    def _params(self, text: str) -> dict | None:
        try:
            return parse_qs(text, keep_blank_values=True, errors="strict")
        except UnicodeDecodeError:
            self._send(_text(400, "the request's parameters are not valid UTF-8 (percent-encode UTF-8 bytes)"))
            return None

    def do_OPTIONS(self) -> None:
        if self._refused_host():
            return
        headers = [("Allow", "GET, HEAD, POST, OPTIONS")]
        if self.server.access.origin_allowed(self.headers.get("Origin")):
            headers += [("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"),
                        ("Access-Control-Allow-Headers", "Content-Type, Accept"),
                        ("Access-Control-Max-Age", "600")]
        self._send(Reply(204, "text/plain; charset=utf-8", b"", tuple(headers)))

    def do_GET(self) -> None:
        if self._refused_host():
            return
        url = urlsplit(self.path)
        params = self._params(url.query)
        if params is None:
            return
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
                return self._send(_text(403, _READ_ONLY))
            if "query" not in params:
                return self._send(_text(400, "no query: send ?query=… (GET) or POST a query "
                                             "(application/x-www-form-urlencoded or application/sparql-query)"))
            return self._query(params["query"][0], params)
        if url.path == "/health":
            import json

            health = self.server.pool.health()
            health["max_connections"] = self.server.max_connections
            status = 200 if health["alive"] else 503
            return self._send(Reply(status, "application/json", json.dumps(health, sort_keys=True).encode()))
        if url.path == "/favicon.ico":
            return self._send(Reply(204, "image/x-icon", b""))
        if url.path == "/explorer":
            view = params.get("view", ["whole"])[0]
            lang = params.get("lang", ["zh"])[0]
            if view not in ("whole", "agencies") or lang not in ("zh", "en"):
                return self._send(_text(400, "view is whole or agencies; lang is zh or en"))
            return self._send(self.server.explorer(view, lang))
        return self._send(_text(404, f"not found: {url.path} (try /, /sparql, /explorer or /health)"))

    do_HEAD = do_GET

    def _body(self) -> bytes | None:
        """The request body (Content-Length or chunked, at most MAX_BODY bytes); None once an error is sent."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._chunked_body()
        if self.headers.get("Content-Length") is None:
            self.close_connection = True
            self._send(_text(411, "a POST needs a Content-Length header (or Transfer-Encoding: chunked)"))
            return None
        try:
            length = int(self.headers.get("Content-Length"))
        except ValueError:
            length = -1
        if length < 0 or length > MAX_BODY:
            self.close_connection = True
            self._send(_text(413, f"request body too large or without a valid length (at most {MAX_BODY} "
                                  "bytes)"))
            return None
        body = self.rfile.read(length)
        if len(body) < length:
            self.close_connection = True
            self._send(_text(400, f"the request body ended after {len(body)} of the {length} bytes announced"))
            return None
        return body

    def _chunked_body(self) -> bytes | None:
        chunks, size = [], 0
        while True:
            line = self.rfile.readline(100)
            try:
                length = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                self._send(_text(400, "malformed chunked request body"))
                return None
            if length == 0:
                while self.rfile.readline(1000).strip():
                    pass
                return b"".join(chunks)
            size += length
            if size > MAX_BODY:
                self.close_connection = True
                self._send(_text(413, f"request body too large (at most {MAX_BODY} bytes)"))
                return None
            chunks.append(self.rfile.read(length))
            self.rfile.readline(3)

    def do_POST(self) -> None:
        if self._refused_host():
            return
        url = urlsplit(self.path)
        body = self._body()
        if body is None:
            return
        if url.path != "/sparql":
            return self._send(_text(404, f"not found: {url.path} (POST queries to /sparql)"))
        media = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        params = self._params(url.query)
        if params is None:
            return
        if media == "application/sparql-update":
            return self._send(_text(403, _READ_ONLY))
        if media == "application/x-www-form-urlencoded":
            try:
                form = body.decode("utf-8")
            except UnicodeDecodeError:
                return self._send(_text(400, "the form is not valid UTF-8"))
            fields = self._params(form)
            if fields is None:
                return
            params.update(fields)
            if "update" in params:
                return self._send(_text(403, _READ_ONLY))
            if "query" not in params:
                return self._send(_text(400, "no query: the form has no query= field"))
            return self._query(params["query"][0], params)
        if media == "application/sparql-query":
            try:
                return self._query(body.decode("utf-8"), params)
            except UnicodeDecodeError:
                return self._send(_text(400, "the query is not valid UTF-8"))
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


def parse_size(text: str, option: str = "size") -> int:
    """
    Bytes in a size such as ``64M``, ``2G``, ``1.5G``, ``4096`` or ``0`` (binary units).

    >>> parse_size("2G"), parse_size("512m"), parse_size("0")
    (2147483648, 536870912, 0)
    """
    from .errors import UsageError

    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*", text or "", re.I)
    if not match:
        raise UsageError(f"{option}: {text!r} is not a size (use e.g. 512M, 2G, 0)")
    return int(float(match.group(1)) * (1 << (10 * " kmgt".index(match.group(2).lower() or " "))))


@dataclass(frozen=True)
class Limits:
    """
    What one client or one query may take from a server opened to others.

    ``memory_limit`` is bytes of address space per query worker (None: a share of the machine's
    memory, see ``policygraph.sandbox.default_memory_limit``; 0: no limit).
    """

    timeout: float = DEFAULT_TIMEOUT
    max_results: int = DEFAULT_MAX_RESULTS
    max_bytes: int = DEFAULT_MAX_BYTES
    workers: int | None = None
    memory_limit: int | None = None
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    busy_timeout: float = DEFAULT_BUSY_TIMEOUT


def make_server(store_path: str | Path | None = None, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
                timeout: float = DEFAULT_TIMEOUT, max_results: int = DEFAULT_MAX_RESULTS,
                workers: int | None = None, *, limits: Limits | None = None,
                access: Access = Access()) -> SparqlServer:
    """
    Open the store, start the query workers and bind the server (port 0 picks a free port; see ``.url``).

    The caller runs ``serve_forever()`` and, at the end, ``shutdown()`` and ``server_close()``.
    ``workers`` defaults to the number of cores (at least 2), each with the store open read-only.
    ``limits``, when given, replaces ``timeout``, ``max_results`` and ``workers``.
    """
    import os

    import tempfile

    limits = limits or Limits(timeout=timeout, max_results=max_results, workers=workers)
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
    pool = QueryPool(store_path, limits.workers or max(2, os.cpu_count() or 2), limits.timeout, limits.max_results,
                     memory_limit=limits.memory_limit, max_bytes=limits.max_bytes, busy_timeout=limits.busy_timeout)
    try:
        server = SparqlServer((host, port), store_path, pool, access, limits.max_connections, limits.idle_timeout)
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
          on_ready=None, *, limits: Limits | None = None, access: Access = Access()) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM); ``on_ready(server)`` is called once the port is bound."""
    import signal

    server = make_server(store_path, host, port, timeout, max_results, workers, limits=limits, access=access)

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
