"""policygraph: Chinese government implementation plans → a knowledge graph of tasks, agencies and targets.

The entry points for use from Python are importable from the package itself:
``build_corpus`` builds a corpus into a store, ``load_graph`` opens a build
folder, a store or a graph file, and ``run_query`` runs a named query, a .rq
file or SPARQL text on it (``list_queries`` names the shipped ones); the
result's ``records()`` and ``dataframe()`` give its rows as dictionaries or a
pandas DataFrame. ``rank`` ranks the agencies of a graph and ``validate_graph``
checks it against the SHACL shapes. Each is the library function behind the
command of the same name (scoring against hand annotations is
``policygraph.evaluate.evaluate``: the package's ``evaluate`` is that module).
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "build_corpus", "load_graph", "run_query", "list_queries", "QueryResult", "rank",
           "validate_graph"]

#: Where each entry point lives: (module, attribute). Read on first use, so ``import policygraph`` and
#: ``policygraph --help`` stay cheap: rdflib, pyoxigraph and numpy load only when an entry point is used.
_ENTRY_POINTS = {
    "build_corpus": ("policygraph.pipeline", "build_corpus"),
    "load_graph": ("policygraph.opening", "load_graph_file"),
    "run_query": ("policygraph.query", "run_query"),
    "list_queries": ("policygraph.catalogue", "list_queries"),
    "QueryResult": ("policygraph.results", "QueryResult"),
    "rank": ("policygraph.analyse", "rank"),
    "validate_graph": ("policygraph.validate", "validate_graph"),
}


def __getattr__(name: str):
    """Import an entry point on first use (see :data:`_ENTRY_POINTS`)."""
    if name not in _ENTRY_POINTS:
        raise AttributeError(f"module 'policygraph' has no attribute {name!r}")
    import importlib

    module, attribute = _ENTRY_POINTS[name]
    return getattr(importlib.import_module(module), attribute)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
