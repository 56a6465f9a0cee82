"""Remote triple stores: reading through a SPARQL 1.1 endpoint and writing through the Graph Store Protocol."""
from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import RemoteError
from .sparqltext import bind_values, distinct_selects

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["RemoteError", "PushReport", "endpoint_graph", "bind_values", "distinct_selects", "dataset_graphs", "count_ntriples",
           "push_dataset", "graph_store_url"]

#: What a query asks for: SPARQL results for SELECT/ASK, N-Triples for CONSTRUCT/DESCRIBE.
_ACCEPT = ("application/sparql-results+json, application/sparql-results+xml;q=0.9, "
           "application/n-triples;q=0.8, text/turtle;q=0.7")
_MESSAGE_CHARS = 600


@dataclass(frozen=True)
class PushReport:
    """What a push wrote: (graph IRI, triples) per graph in the order pushed, and the wall time."""

    url: str
    graphs: tuple[tuple[str, int], ...]
    seconds: float

    @property
    def triples(self) -> int:
        return sum(n for _, n in self.graphs)

    def to_dict(self) -> dict:
        return {"url": self.url, "graphs": len(self.graphs), "triples": self.triples,
                "seconds": round(self.seconds, 3)}


def _server_message(body: bytes) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return text if len(text) <= _MESSAGE_CHARS else text[:_MESSAGE_CHARS] + "…"


def _request(method: str, url: str, data: bytes | None, headers: Mapping[str, str], timeout: float,
             what: str) -> tuple[str, bytes]:
    """One HTTP request; every failure becomes a RemoteError that says what was being done and why it failed."""
    import socket
    from urllib.error import HTTPError, URLError
    from urllib.request import Request, urlopen

    try:
        with urlopen(Request(url, data=data, headers=dict(headers), method=method), timeout=timeout) as response:
            return response.headers.get("Content-Type", ""), response.read()
    except HTTPError as exc:
        body = exc.read() if exc.fp is not None else b""
        message = _server_message(body) or exc.reason
        raise RemoteError(f"{what}: {url} answered HTTP {exc.code} {exc.reason}: {message}") from exc
    except URLError as exc:
        reason = exc.reason
        if isinstance(reason, ConnectionRefusedError):
            reason = "connection refused (is the server running and is the port right?)"
        elif isinstance(reason, (socket.timeout, TimeoutError)):
            reason = f"no answer within {timeout:g} s"
        raise RemoteError(f"{what}: cannot reach {url}: {reason}") from exc
    except (socket.timeout, TimeoutError) as exc:
        raise RemoteError(f"{what}: {url} sent no answer within {timeout:g} s") from exc
    except (ConnectionError, OSError) as exc:
        raise RemoteError(f"{what}: connection to {url} failed: {exc}") from exc


def _query_text(query) -> tuple[str, dict]:
    """The SPARQL text of a string or of a query prepared by rdflib (which keeps its original text)."""
    if isinstance(query, str):
        return query, {}
    from .adapters import prepared_query_text

    original = prepared_query_text(query)
    if original is None:
        raise RemoteError("this prepared query has no SPARQL text to send to a remote endpoint; pass the text")
    return original


def _endpoint_store(url: str, timeout: float, distinct: bool):
    from io import BytesIO

    from rdflib.plugins.stores.sparqlstore import SPARQLStore
    from rdflib.query import Result

    class EndpointStore(SPARQLStore):
        """rdflib's read-only SPARQLStore with local ``initBindings`` and set semantics, timeouts and clear errors."""

        def query(self, query, initNs=None, initBindings=None, queryGraph=None, DEBUG=False):  # noqa: N803
            text, namespaces = _query_text(query)
            namespaces.update(initNs or {})
            return super().query(bind_values(text, initBindings or {}), namespaces, None, None, DEBUG)

        def __len__(self, context=None) -> int:
            answer = self._query("SELECT (COUNT(*) AS ?c) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
            return int(next(iter(answer)).c)

        def _query(self, query, default_graph=None, named_graph=None):
            self._queries += 1
            content_type, body = _request(
                "POST", self.query_endpoint, (distinct_selects(query) if distinct else query).encode("utf-8"),
                {"Content-Type": "application/sparql-query; charset=utf-8", "Accept": _ACCEPT}, timeout,
                "SPARQL query")
            try:
                return Result.parse(BytesIO(body), content_type=content_type.split(";")[0].strip())
            except Exception as exc:  # rdflib's result parsers raise many types
                raise RemoteError(f"SPARQL query: cannot read the answer of {self.query_endpoint} "
                                  f"({content_type or 'no content type'}): {exc}") from exc

    return EndpointStore(url, context_aware=False)


def _check_union(graph, url: str) -> None:
    """Fail early when the endpoint's default graph leaves out its named graphs (the union is not configured)."""
    sample = list(graph.query("SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } "
                              "FILTER(!isBlank(?s) && !isBlank(?o)) } LIMIT 1"))
    if not sample:
        return
    s, p, o = sample[0]
    if not graph.query(f"ASK {{ {s.n3()} {p.n3()} {o.n3()} }}").askAnswer:
        raise RemoteError(
            f"{url}: the default graph of this endpoint does not include its named graphs, so queries would "
            "find nothing. Make the default graph the union of the named graphs: `oxigraph serve "
            "--union-default-graph` (or add ?union-default-graph to an Oxigraph query URL), "
            "tdb2:unionDefaultGraph true in Fuseki; see the README section on remote stores")


def endpoint_graph(url: str, *, timeout: float = 60, check: bool = True, distinct: bool = True) -> "rdflib.Graph":
    """A read-only rdflib graph whose queries run on a remote SPARQL 1.1 endpoint.

    ``query``, ``rank`` and ``viz`` read through it unchanged: queries go to the
    endpoint as text (POST, ``application/sparql-query``), parameters are bound as
    on a local graph (see :func:`bind_values`), and no default-graph-uri is sent,
    so the endpoint's default graph is what is queried: configure it as the union
    of the named graphs.

    Parameters
    ----------
    url : str
        The query endpoint, e.g. ``http://127.0.0.1:7878/query`` (Oxigraph),
        ``http://localhost:3030/policygraph/sparql`` (Fuseki).
    timeout : float
        Seconds to wait for each answer.
    check : bool
        Ask the endpoint once that it answers and that its default graph includes its
        named graphs; raise a RemoteError saying what to configure if not.
    distinct : bool
        Send every SELECT as SELECT DISTINCT (see :func:`distinct_selects`), so stores whose
        union default graph repeats a triple once per graph answer as rdflib does.
    """
    from rdflib import Graph, URIRef

    graph = Graph(store=_endpoint_store(url, timeout, distinct), identifier=URIRef(url))
    if check:
        _check_union(graph, url)
    return graph


def count_ntriples(data: bytes) -> int:
    """Triples in an N-Triples document: its lines that are neither blank nor comments.

    Examples
    --------
    >>> count_ntriples(b'<urn:a> <urn:b> "c" .\\n\\n# note\\n<urn:a> <urn:b> <urn:d> .\\n')
    2
    """
    return sum(1 for line in data.splitlines() if line.strip() and not line.lstrip().startswith(b"#"))


def dataset_graphs(dataset: "rdflib.Graph") -> Iterator[tuple[str | None, bytes]]:
    """(graph IRI, N-Triples bytes) per non-empty named graph of a dataset, sorted by IRI.

    The default graph is left out when there are named graphs (the union of the
    documents, which the remote store makes itself); a
    dataset or graph with triples in its default graph only gives one pair, (None, bytes).
    """
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    listing = getattr(dataset, "graphs", None) or getattr(dataset, "contexts", None)
    graphs = list(listing()) if listing is not None else [dataset]
    named = sorted((g for g in graphs if listing is not None and g.identifier != DATASET_DEFAULT_GRAPH_ID
                    and len(g)), key=lambda g: str(g.identifier))
    if not named:
        default = dataset.graph(DATASET_DEFAULT_GRAPH_ID) if listing is not None else dataset
        if len(default):
            yield None, default.serialize(format="nt", encoding="utf-8")
        return
    for graph in named:
        yield str(graph.identifier), graph.serialize(format="nt", encoding="utf-8")


def graph_store_url(url: str, graph_iri: str | None) -> str:
    """The Graph Store Protocol URL of one graph: ``?graph=<IRI>`` (percent-encoded) or ``?default``.

    Examples
    --------
    >>> graph_store_url("http://127.0.0.1:7878/store", "https://w3id.org/policygraph/id/graph/1")
    'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fpolicygraph%2Fid%2Fgraph%2F1'
    >>> graph_store_url("http://h/ds/data?x=1", None)
    'http://h/ds/data?x=1&default'
    """
    from urllib.parse import quote

    sep = "&" if "?" in url else "?"
    return url + sep + ("default" if graph_iri is None else "graph=" + quote(graph_iri, safe=""))


def push_dataset(dataset_or_graphs: "rdflib.Graph | Iterable[tuple[str | None, bytes]]", url: str, *,
                 timeout: float = 60) -> PushReport:
    """Write each named graph to a remote store with the SPARQL 1.1 Graph Store HTTP Protocol.

    Every graph is sent as ``PUT {url}?graph=<IRI>`` with N-Triples, which replaces
    that graph on the server: pushing the same build twice leaves the store as
    after the first push, and a re-built document replaces its old graph. Graphs
    that are not pushed (a document removed from the corpus) stay on the server.

    Parameters
    ----------
    dataset_or_graphs : rdflib.Dataset or iterable of (str or None, bytes)
        A dataset (each non-empty graph is pushed), or (graph IRI, N-Triples bytes)
        pairs, so a caller can stream graphs from its own store; None is the default graph.
    url : str
        The Graph Store Protocol endpoint, e.g. ``http://127.0.0.1:7878/store`` (Oxigraph),
        ``http://localhost:3030/policygraph/data`` (Fuseki).
    timeout : float
        Seconds to wait for each graph's answer.

    Raises
    ------
    RemoteError
        Naming the graph, when the server cannot be reached or answers with an error.
    """
    from rdflib import Graph

    graphs = dataset_graphs(dataset_or_graphs) if isinstance(dataset_or_graphs, Graph) else dataset_or_graphs
    started = time.perf_counter()
    pushed: list[tuple[str, int]] = []
    for iri, data in graphs:
        name = "the default graph" if iri is None else f"graph <{iri}>"
        _request("PUT", graph_store_url(url, None if iri is None else str(iri)), bytes(data),
                 {"Content-Type": "application/n-triples"}, timeout, f"pushing {name}")
        pushed.append(("" if iri is None else str(iri), count_ntriples(data)))
    return PushReport(url, tuple(pushed), time.perf_counter() - started)
