"""Reading built graphs back from files."""
from __future__ import annotations

from pathlib import Path

from rdflib import Dataset

from .errors import InputError

__all__ = ["load_graph_file", "FORMATS"]

FORMATS = {".trig": "trig", ".ttl": "turtle", ".nq": "nquads", ".nt": "nt", ".jsonld": "json-ld", ".rdf": "xml",
           ".owl": "xml"}


def load_graph_file(path: str | Path) -> Dataset:
    """Load a TriG, N-Quads, Turtle or N-Triples file as a dataset whose default graph is the union."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "no such graph file (run `policygraph build` first or pass --graph)")
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
