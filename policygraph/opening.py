"""Opening any built graph: a build folder, a store folder or a graph file, as an rdflib dataset or a native view.

The one module that knows where a built graph may be and how each kind is
read: a store (:mod:`policygraph.store`) through a read-only snapshot of its
current version, a graph file through rdflib's parsers. Remote endpoints are
opened by :mod:`policygraph.remote`.
"""
from __future__ import annotations

import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from rdflib import Dataset

from .errors import InputError, QueryError
from .sparqltext import bind_values
from .store import DEFAULT_OUT, STORE_DIR, UNION, is_store, open_snapshot, union_options
from .vocab import PREFIXES

__all__ = ["FORMATS", "default_graph_path", "load_graph_file", "open_graph", "rdflib_view", "NativeView",
           "native_view"]

#: Graph files by suffix, with the rdflib format each is parsed as.
FORMATS = {".trig": "trig", ".ttl": "turtle", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml",
           ".owl": "xml"}


def default_graph_path(out_dir: str | Path = DEFAULT_OUT) -> Path:
    """The graph the read commands use by default: the build's store, else its graph.trig."""
    out = Path(out_dir)
    return out / STORE_DIR if is_store(out / STORE_DIR) else out / "graph.trig"


def load_graph_file(path: str | Path) -> Dataset:
    """Open a built graph as a dataset whose default graph is the union of its named graphs.

    ``path`` may be a TriG, N-Quads, Turtle or N-Triples file, a store
    directory, or a build's output folder (its store is used).
    """
    path = Path(path)
    if path.is_dir():
        return open_graph(_store_in(path))
    if not path.is_file():
        raise InputError(str(path), "no such graph file (run `policygraph build` first or pass --graph)")
    return _parse_graph_file(path)


def _store_in(folder: Path) -> Path:
    """The store a folder is or holds (a build folder's ``store/``); refuse a folder that is neither."""
    store_dir = folder if is_store(folder) else folder / STORE_DIR
    if is_store(store_dir):
        return store_dir
    raise InputError(str(folder), "not a policygraph store or output folder (run `policygraph build` first)")


def _parse_graph_file(path: Path) -> Dataset:
    """A graph file parsed into a union dataset, by the format its suffix names (:data:`FORMATS`)."""
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise InputError(str(path), f"unknown graph format {path.suffix!r}; use one of {', '.join(sorted(FORMATS))}")
    ds = Dataset(default_union=True)
    try:
        if fmt in ("trig", "nquads"):
            ds.parse(path, format=fmt)
        else:
            ds.default_graph.parse(path, format=fmt)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise InputError(str(path), f"cannot parse as {fmt}: {exc}") from exc
    return ds


def open_graph(store_dir: str | Path) -> Dataset:
    """A read-only rdflib view of a store's current version; SPARQL runs in Oxigraph over the union of its graphs.

    The view keeps answering from the version it opened while builds publish
    newer ones; open it again to see them.
    """
    snapshot = open_snapshot(store_dir)
    view = rdflib_view(snapshot.store)
    weakref.finalize(view, snapshot.close)
    return view


def rdflib_view(ox_store) -> Dataset:
    """An rdflib Dataset over a pyoxigraph store (oxrdflib) whose default graph is the union of the store's graphs.

    Bound variables (``initBindings``) are written into the query text as
    terms: Oxigraph's own substitution accepts only variables that the SELECT
    projects, which many queries don't.
    """
    from oxrdflib import OxigraphStore

    class BindingStore(OxigraphStore):
        def query(self, query, initNs, initBindings, queryGraph, **kwargs):  # noqa: N803
            if initBindings and isinstance(query, str):
                query, initBindings = bind_values(query, initBindings), {}
            return super().query(query, initNs, initBindings, queryGraph, **kwargs)

    return Dataset(store=BindingStore(store=ox_store), default_union=True)


@dataclass(frozen=True)
class NativeView:
    """A pyoxigraph store read directly, over the graph that a query on its rdflib view would see.

    Why: oxrdflib makes an rdflib term of every cell, which costs more than the
    query itself on a large store; ``rank``, ``query`` and ``viz`` read through this.
    """

    store: object
    options: Mapping

    def _run(self, text: str):
        try:
            return self.store.query(text, prefixes=dict(PREFIXES), **self.options_for(text))
        except (SyntaxError, OSError, ValueError) as exc:
            raise QueryError(f"reading the store failed: {exc}") from exc

    def options_for(self, text: str) -> Mapping:
        """The options to run ``text`` with: over the union, unless the query names its own dataset (FROM)."""
        return union_options(text) if self.options == UNION else self.options

    def dicts(self, text: str) -> list[dict[str, str]]:
        result = self._run(text)
        names = [v.value for v in result.variables]
        return [{n: term.value for n, term in zip(names, row) if term is not None} for row in result]

    def table(self, text: str) -> list[list[str]]:
        """Rows of a SELECT of IRIs and booleans as lists of strings; unbound is "".

        Oxigraph writes them as tab-separated text much faster than it makes Python
        objects, and IRIs and booleans need no unescaping: an IRI is ``<…>``.
        """
        import pyoxigraph as ox

        text = self._run(text).serialize(format=ox.QueryResultsFormat.TSV).decode("utf-8")
        return [[cell[1:-1] if cell[:1] == "<" else cell for cell in line.split("\t")]
                for line in text.split("\n")[1:-1]]


def native_view(graph) -> "NativeView | None":
    """The Oxigraph store under an rdflib view of a store (:func:`open_graph`), else None.

    The scope is rdflib's: the union of the graphs with ``default_union`` or for a dataset's
    default graph (a store keeps no copy there: its union is computed at query time), else the graph itself.
    """
    from .adapters import native_store

    inner = native_store(getattr(graph, "store", None))
    if inner is None:
        return None
    import warnings

    import pyoxigraph as ox
    from rdflib import URIRef
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID, ConjunctiveGraph

    if graph.default_union:
        return NativeView(inner, UNION)
    with warnings.catch_warnings():  # rdflib's Graph.query reads default_context too, deprecated or not
        warnings.simplefilter("ignore", DeprecationWarning)
        scope = graph.default_context.identifier if isinstance(graph, ConjunctiveGraph) else graph.identifier
    if scope == DATASET_DEFAULT_GRAPH_ID:
        return NativeView(inner, UNION)
    return NativeView(inner, {"default_graph": ox.NamedNode(str(scope))}) if isinstance(scope, URIRef) else None
