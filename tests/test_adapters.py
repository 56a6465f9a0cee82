"""The other libraries' internals policygraph relies on (policygraph/adapters.py), checked against the installed versions.

Each test names the private name it depends on, so an upgrade that moves
one fails here rather than as a wrong answer in a query or an export.
"""
from __future__ import annotations

import pyoxigraph as ox
from rdflib import XSD, BNode, Dataset, Literal, URIRef
from rdflib.plugins.sparql import prepareQuery

from policygraph.adapters import from_ox, native_store, prepared_query_text, to_ox


def test_oxrdflib_converter_turns_terms_both_ways():
    """oxrdflib._converter.from_ox / to_ox: IRIs, language and typed literals, blank nodes and triples."""
    terms = [URIRef("urn:a"), Literal("省科技厅", lang="zh"), Literal(5), BNode("b1")]
    for term in terms:
        assert from_ox(to_ox(term)) == term
    # a plain string comes back typed xsd:string (RDF 1.1), which query._plain undoes for rdflib's results
    triple = ox.Triple(ox.NamedNode("urn:s"), ox.NamedNode("urn:p"), ox.Literal("1"))
    assert from_ox(triple) == (URIRef("urn:s"), URIRef("urn:p"), Literal("1", datatype=XSD.string))
    assert isinstance(to_ox(URIRef("urn:a")), ox.NamedNode)


def test_oxigraph_store_under_rdflib_is_a_pyoxigraph_store(tmp_path):
    """OxigraphStore._inner: the pyoxigraph Store that queries run on natively."""
    ds = Dataset(store="Oxigraph")
    ds.open(str(tmp_path / "store"), create=True)
    try:
        ds.add((URIRef("urn:s"), URIRef("urn:p"), Literal("x")))
        inner = native_store(ds.store)
        assert isinstance(inner, ox.Store)
        assert len(inner) == 1
    finally:
        ds.close()
    assert native_store(Dataset().store) is None


def test_a_prepared_query_keeps_its_text():
    """rdflib Query._original_args: the text and namespaces sent to a remote endpoint."""
    query = prepareQuery("SELECT ?s WHERE { ?s ex:p ?o }", initNs={"ex": "urn:ex:"})
    text, namespaces = prepared_query_text(query)
    assert text == "SELECT ?s WHERE { ?s ex:p ?o }"
    assert str(namespaces["ex"]) == "urn:ex:"
