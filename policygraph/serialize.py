"""Writing graphs to files: deterministic bytes, written atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph

__all__ = ["write_atomic", "dataset_bytes", "merged_graph"]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def merged_graph(ds: Dataset) -> Graph:
    """The union of every named graph, with the dataset's prefixes."""
    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns, override=True)
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def dataset_bytes(ds: Dataset, fmt: str) -> bytes:
    """Serialise a dataset: ``trig`` / ``nquads`` keep the named graphs, ``turtle`` / ``nt`` merge them.

    rdflib sorts subjects and predicates when it writes Turtle and TriG, and
    policygraph mints no blank nodes, so the same dataset gives the same bytes;
    line-based formats are sorted explicitly.
    """
    if fmt in ("turtle", "ttl"):
        return merged_graph(ds).serialize(format="turtle", encoding="utf-8")
    if fmt in ("nt", "ntriples"):
        data = merged_graph(ds).serialize(format="nt", encoding="utf-8")
        return b"".join(sorted(set(data.splitlines(keepends=True))))
    if fmt in ("nquads", "nq"):
        data = ds.serialize(format="nquads", encoding="utf-8")
        return b"".join(sorted(set(data.splitlines(keepends=True))))
    if fmt == "trig":
        return ds.serialize(format="trig", encoding="utf-8")
    raise ValueError(f"unknown RDF format {fmt!r}")
