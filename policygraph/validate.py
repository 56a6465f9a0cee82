"""Check a graph against the executable contract (ontology/shapes.ttl) with pySHACL."""
from __future__ import annotations

from policygraph.errors import PolicyGraphError
from policygraph.ontology import load_ontology, load_shapes

__all__ = ["union_graph", "validation_report", "validate_graph"]


def union_graph(data):
    """One plain graph holding every triple of ``data``, whatever its named graphs.

    Why: each named graph of a policygraph Dataset repeats the agencies and
    jurisdictions it uses, and the contract holds for the merged graph too,
    so validating the union checks both at once.

    Examples
    --------
    >>> from rdflib import Dataset, URIRef, Literal
    >>> ds = Dataset()
    >>> _ = ds.graph(URIRef("urn:g1")).add((URIRef("urn:a"), URIRef("urn:p"), Literal(1)))
    >>> _ = ds.graph(URIRef("urn:g2")).add((URIRef("urn:b"), URIRef("urn:p"), Literal(2)))
    >>> len(union_graph(ds))
    2
    """
    from rdflib import Graph
    from rdflib.graph import ConjunctiveGraph

    from rdflib import XSD, Literal

    if not isinstance(data, ConjunctiveGraph) and type(data.store).__name__ == "Memory":
        return data
    union = Graph()
    for prefix, namespace in data.namespaces():
        union.bind(prefix, namespace)
    quads = data.quads((None, None, None, None)) if isinstance(data, ConjunctiveGraph) else \
        ((s, p, o, None) for s, p, o in data)
    for s, p, o, _ in quads:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))  # a store may spell a plain literal "x" as "x"^^xsd:string (RDF 1.1: the same)
        union.add((s, p, o))
    return union


def validation_report(data):
    """Run pySHACL on ``data`` and return its full result: ``(conforms, results_graph, text)``.

    The ontology is passed as pySHACL's ``ont_graph`` so that subclasses
    (``pg:Task`` ⊑ ``pg:OutlineItem``) are known without running inference,
    and is also merged into a copy of the data, because pySHACL copies only
    class and property axioms from ``ont_graph`` while the shapes need the
    role and agency-type concepts (``skos:inScheme``) too. ``data`` itself is
    not changed. Use this when you need the machine-readable results graph
    (``sh:ValidationResult`` nodes); :func:`validate_graph` is the short form.

    Raises
    ------
    PolicyGraphError
        If pyshacl is not installed.
    """
    try:
        import pyshacl
    except ImportError as exc:
        raise PolicyGraphError("pyshacl is not installed; pip install 'policygraph[validate]'") from exc

    ontology = load_ontology()
    conforms, results, text = pyshacl.validate(
        union_graph(data) + ontology,
        shacl_graph=load_shapes(),
        ont_graph=ontology,
        inference="none",
        advanced=True,
        abort_on_first=False,
        allow_warnings=False,
    )
    return bool(conforms), results, str(text)


def validate_graph(data) -> tuple[bool, str]:
    """Validate ``data`` against the SHACL shapes in ``ontology/shapes.ttl``.

    Parameters
    ----------
    data : rdflib.Graph or rdflib.Dataset
        The graph to check; for a Dataset the union of its graphs is checked.

    Returns
    -------
    tuple of (bool, str)
        Whether the graph conforms, and pySHACL's human-readable report.

    Raises
    ------
    PolicyGraphError
        If pyshacl is not installed.

    Examples
    --------
    >>> from rdflib import Graph
    >>> validate_graph(Graph())[0]
    True
    """
    conforms, _, text = validation_report(data)
    return conforms, text
