"""Writing graphs to files: deterministic bytes, written atomically."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

__all__ = ["write_atomic", "StagedFiles", "dataset_bytes", "merged_graph"]


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never half of one."""
    with StagedFiles() as staged:
        staged.open(path).write(data)


class StagedFiles:
    """Files written beside their targets and moved into place together, only if every one was written.

    Each target gets a temporary file in its own folder; on leaving the
    ``with`` block without an error they are synced and renamed over their
    targets, and on an error they are deleted, so a failure part-way leaves
    every earlier output as it was. Writers may stream: nothing is held in memory.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[object, str, Path]] = []

    def open(self, path: str | Path):
        """A binary file to write ``path``'s new content to."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        f = os.fdopen(fd, "wb")
        self._staged.append((f, tmp, path))
        return f

    def __enter__(self) -> "StagedFiles":
        return self

    def __exit__(self, kind, value, traceback) -> None:
        try:
            if kind is None:
                for f, tmp, _ in self._staged:
                    f.flush()
                    os.fsync(f.fileno())
                    f.close()
                    os.chmod(tmp, 0o666 & ~_umask())
                for _, tmp, path in self._staged:
                    os.replace(tmp, path)
        finally:
            for f, tmp, _ in self._staged:
                f.close()
                try:
                    os.unlink(tmp)
                except FileNotFoundError:
                    pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _canonical_blank_nodes(triples) -> list[tuple]:
    """The triples with blank nodes renamed canonically (rdflib.compare), so their order never varies."""
    from rdflib import BNode
    from rdflib.compare import to_canonical_graph

    plain, with_blank = [], Graph()
    for t in triples:
        (with_blank.add(t) if isinstance(t[0], BNode) or isinstance(t[2], BNode) else plain.append(t))
    return plain + (list(to_canonical_graph(with_blank)) if len(with_blank) else [])


def merged_graph(ds: Dataset) -> Graph:
    """The union of every named graph, with the dataset's prefixes."""
    g = Graph()
    for prefix, ns in ds.namespaces():
        g.bind(prefix, ns, override=True)
    for triple in _canonical_blank_nodes((s, p, o) for s, p, o, _ in ds.quads((None, None, None, None))):
        g.add(triple)
    return g


def _trig(ds: Dataset) -> bytes:
    """TriG with the named graphs in IRI order (rdflib writes them in hash order)."""
    iris = {str(term) for quad in ds.quads((None, None, None, None)) for term in quad[:3]
            if isinstance(term, URIRef)} | {str(o.datatype) for o in ds.objects() if getattr(o, "datatype", None)}
    bases = sorted(((p, str(ns)) for p, ns in ds.namespaces() if p), key=lambda x: (-len(x[1]), x[0]))
    used = {}
    for iri in iris:
        for p, ns in bases:
            if iri.startswith(ns) and "/" not in iri[len(ns):] and "#" not in iri[len(ns):]:
                used[p] = ns
                break
    namespaces = sorted(used.items())
    lines = [f"@prefix {p}: <{ns}> .\n" for p, ns in namespaces]
    blocks = []
    for graph in sorted(ds.graphs(), key=lambda g: str(g.identifier)):
        if len(graph) == 0:
            continue
        g = Graph()
        for p, ns in namespaces:
            g.bind(p, ns, override=True, replace=True)
        for triple in _canonical_blank_nodes(graph):
            g.add(triple)
        body = g.serialize(format="turtle", encoding="utf-8").decode("utf-8")
        body = "\n".join(line for line in body.splitlines() if not line.startswith("@prefix")).strip("\n")
        blocks.append(f"<{graph.identifier}> {{\n" + "\n".join(
            ("    " + line) if line else "" for line in body.splitlines()) + "\n}\n")
    return ("".join(lines) + "\n" + "\n".join(blocks)).encode("utf-8")


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
        return _trig(ds)
    raise ValueError(f"unknown RDF format {fmt!r}")
