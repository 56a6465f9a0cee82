"""policygraph: Chinese government implementation plans → a knowledge graph of tasks, agencies and targets.

The entry points for use from Python are importable from the package itself:
``load_graph`` opens a build folder, a store or a graph file, and ``run_query``
runs a named query, a .rq file or SPARQL text on it; the result's ``records()``
and ``dataframe()`` give its rows as dictionaries or a pandas DataFrame.
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_graph", "run_query", "list_queries", "QueryResult"]

_LAZY = {"load_graph": ("policygraph.store", "load_graph_file"), "run_query": ("policygraph.query", "run_query"),
         "list_queries": ("policygraph.query", "list_queries"), "QueryResult": ("policygraph.query", "QueryResult")}


def __getattr__(name: str):
    """Import the entry points on first use, so ``import policygraph`` stays cheap (rdflib loads later)."""
    if name not in _LAZY:
        raise AttributeError(f"module 'policygraph' has no attribute {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    return getattr(importlib.import_module(module), attribute)
