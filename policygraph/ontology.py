"""Locate and load the ontology, the SHACL shapes and the embedded corpus, in a wheel or a checkout."""
from __future__ import annotations

import functools
from pathlib import Path

from policygraph.errors import InputError, OntologyError
from policygraph.vocab import bind_prefixes

__all__ = [
    "SHAPES_FILE",
    "package_root",
    "pick_dir",
    "ontology_dir",
    "embedded_dir",
    "ontology_files",
    "load_ontology",
    "load_shapes",
]

#: The file in ontology/ that holds the SHACL shapes rather than ontology terms.
SHAPES_FILE = "shapes.ttl"

_EMBEDDED = "_embedded"


def package_root() -> Path:
    """The directory of the installed (or checked-out) ``policygraph`` package."""
    return Path(__file__).resolve().parent


def pick_dir(candidates: list[Path]) -> Path | None:
    """The first candidate that is an existing directory, or None.

    Why a helper: a wheel and a checkout keep data in different places, and
    this is the one rule for choosing between them, testable on a tmp tree.

    Examples
    --------
    >>> pick_dir([Path("/nonexistent/a"), Path("/nonexistent/b")]) is None
    True
    """
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return None


def _candidates(embedded: str, checkout: Path, root: Path) -> list[Path]:
    """Where data lives in a wheel (force-included into the package) and in a checkout (beside it)."""
    return [root / _EMBEDDED / embedded, root.parent / checkout]


def ontology_dir(root: Path | None = None) -> Path:
    """The directory that holds ``policygraph.ttl``, ``shapes.ttl`` and the other ontology files.

    Parameters
    ----------
    root : Path, optional
        The package directory to search from; defaults to :func:`package_root`.
        A wheel has ``<root>/_embedded/ontology``; a source or editable
        checkout has ``<root>/../ontology``.

    Raises
    ------
    OntologyError
        If neither exists.

    Examples
    --------
    >>> (ontology_dir() / "policygraph.ttl").is_file()
    True
    """
    root = package_root() if root is None else root
    candidates = _candidates("ontology", Path("ontology"), root)
    found = pick_dir(candidates)
    if found is None:
        tried = ", ".join(str(c) for c in candidates)
        raise OntologyError(
            f"ontology directory not found (looked in {tried}); "
            "reinstall policygraph or run from a complete source checkout"
        )
    return found


def embedded_dir(name: str, root: Path | None = None) -> Path:
    """The directory of an embedded data set: ``"seeds"`` (sample documents) or ``"gold"`` (annotations).

    A wheel has ``<root>/_embedded/<name>``; a checkout has ``<root>/../data/<name>``.

    Raises
    ------
    InputError
        If ``name`` is not a plain directory name or the directory is missing.

    Examples
    --------
    >>> embedded_dir("seeds").name
    'seeds'
    """
    if not name or Path(name).name != name or name in {".", ".."}:
        raise InputError(name, "not a data set name; use 'seeds' or 'gold'")
    root = package_root() if root is None else root
    candidates = _candidates(name, Path("data") / name, root)
    found = pick_dir(candidates)
    if found is None:
        raise InputError(name, "embedded data set not found in " + ", ".join(str(c) for c in candidates))
    return found


def ontology_files(directory: Path | None = None) -> list[Path]:
    """Every ``*.ttl`` in the ontology directory except the shapes, sorted by name.

    Examples
    --------
    >>> "policygraph.ttl" in [p.name for p in ontology_files()]
    True
    """
    directory = ontology_dir() if directory is None else directory
    return sorted(p for p in directory.glob("*.ttl") if p.name != SHAPES_FILE)


def _parse(paths: tuple[Path, ...]):
    """Parse Turtle files into one graph, naming the broken file on a syntax error."""
    from rdflib import Graph

    graph = Graph()
    for path in paths:
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types for bad Turtle
            raise OntologyError(f"{path}: cannot parse ontology file: {exc}") from exc
    return graph


@functools.lru_cache(maxsize=8)
def _cached_triples(paths: tuple[Path, ...]) -> tuple:
    return tuple(_parse(paths))


def _fresh_graph(paths: tuple[Path, ...]):
    """A new graph holding the (cached) triples of ``paths``, so callers may change it freely."""
    from rdflib import Graph

    graph = Graph()
    for triple in _cached_triples(paths):
        graph.add(triple)
    return bind_prefixes(graph)


def load_ontology(directory: Path | None = None):
    """The ontology: all ``ontology/*.ttl`` files except the shapes, merged into one new graph.

    Parsing is cached; each call returns its own copy.

    Examples
    --------
    >>> from policygraph.vocab import PG
    >>> from rdflib.namespace import OWL, RDF
    >>> (PG.Task, RDF.type, OWL.Class) in load_ontology()
    True
    """
    files = ontology_files(directory)
    if not files:
        raise OntologyError(f"no ontology files (*.ttl) in {directory or ontology_dir()}")
    return _fresh_graph(tuple(files))


def load_shapes(directory: Path | None = None):
    """The SHACL shapes graph (``ontology/shapes.ttl``) as a new graph.

    Examples
    --------
    >>> from rdflib.namespace import RDF, SH
    >>> len(set(load_shapes().subjects(RDF.type, SH.NodeShape))) > 5
    True
    """
    path = (ontology_dir() if directory is None else directory) / SHAPES_FILE
    if not path.is_file():
        raise OntologyError(f"{path}: SHACL shapes file not found")
    return _fresh_graph((path,))
