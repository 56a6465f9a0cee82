"""Deterministic IRIs: the only place where resource IRIs are made.

An IRI is the base, a kind and a short hash of the normalised key parts, so
the same key always gives the same IRI and no key leaks characters that some
tools mishandle in IRIs.
"""
from __future__ import annotations

import hashlib
import unicodedata

from rdflib import URIRef

__all__ = ["DEFAULT_BASE", "mint", "key_hash", "document_iri", "document_graph_iri", "build_graph_iri", "base_of_graph", "shared_graph_iri",
           "statistics_graph_iri", "vocabulary_graph_iri"]

DEFAULT_BASE = "https://w3id.org/policygraph/id/"


def key_hash(*parts: str) -> str:
    """A stable 16-hex-digit hash of normalised key parts.

    >>> key_hash("甘肃省", "甘肃省科学技术厅") == key_hash("甘肃省 ", "甘肃省科学技术厅")
    True
    """
    norm = "\x1f".join(unicodedata.normalize("NFKC", p).strip() for p in parts)
    return hashlib.sha1(norm.encode("utf-8")).hexdigest()[:16]


def mint(kind: str, *parts: str, base: str = DEFAULT_BASE) -> URIRef:
    """Mint the IRI of a ``kind`` of resource identified by ``parts``.

    >>> str(mint("agency", "甘肃省", "甘肃省科学技术厅"))
    'https://w3id.org/policygraph/id/agency/77fb5c22de91d733'
    """
    if not base.endswith(("/", "#")):
        base += "/"
    return URIRef(f"{base}{kind}/{key_hash(*parts)}")


def document_iri(kind: str, source_path: str, *parts: str, base: str = DEFAULT_BASE) -> URIRef:
    """The IRI of a document that was read, or of what only it holds (its graph, items, assignments, targets).

    Why one function: a document is identified by its file — its path under
    the build root — never by its 文号 or its file name alone, which two
    different files may share; everything the document owns is minted from
    that same path, so two documents never share an item.

    >>> document_iri("document", "gansu/plan.txt") != document_iri("document", "qinghai/plan.txt")
    True
    >>> str(document_iri("item", "gansu/plan.txt", "三/二")).rsplit("/", 2)[-2]
    'item'
    """
    return mint(kind, "path", source_path, *parts, base=base)


def _graph_iri(name: str, base: str) -> URIRef:
    return URIRef(f"{base.rstrip('/')}/graph/{name}")


def vocabulary_graph_iri(base: str = DEFAULT_BASE) -> URIRef:
    """The graph of the ontology and the agency-type scheme, written once per store beside the documents' graphs.

    >>> str(vocabulary_graph_iri())
    'https://w3id.org/policygraph/id/graph/vocabulary'
    """
    return _graph_iri("vocabulary", base)


def shared_graph_iri(base: str = DEFAULT_BASE) -> URIRef:
    """The graph of what several documents describe alike: agencies, places, parks, cited policies."""
    return _graph_iri("shared", base)


def statistics_graph_iri(base: str = DEFAULT_BASE) -> URIRef:
    """The store's graph of per-agency task counts, kept up to date by every build and removal."""
    return _graph_iri("statistics", base)


def base_of_graph(graph_iri: str) -> str:
    """The base IRI a store graph's IRI was minted with (the inverse of :func:`_graph_iri`).

    >>> base_of_graph(str(statistics_graph_iri("https://example.org/pg")))
    'https://example.org/pg'
    """
    return graph_iri.rsplit("/graph/", 1)[0]


def build_graph_iri(base: str = DEFAULT_BASE) -> URIRef:
    """The graph that records which pipeline wrote the store (its fingerprint), so a new one re-extracts everything."""
    return _graph_iri("build", base)


def document_graph_iri(source_path: str, base: str = DEFAULT_BASE) -> URIRef:
    """The named graph of the document read from ``source_path`` (its path under the build root)."""
    return document_iri("graph", source_path, base=base)
