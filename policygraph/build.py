"""Graph building: :class:`Extraction` s → an RDF dataset with one named graph per document.

Each document's named graph is self-contained: it repeats the description of
every agency, jurisdiction, cited policy and park it uses (with the surface
forms that document wrote), so replacing or removing one document's graph
never strips another document of a fact. IRIs come from :func:`policygraph.iri.mint`.
"""
from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

from .iri import DEFAULT_BASE, mint
from .model import Agency, Extraction, OutlineNode, Span
from .vocab import PG, bind_prefixes

__all__ = ["build_dataset", "decimal_literal", "document_ntriples", "vocabulary_ntriples", "ntriples", "document_graph", "document_graph_iri", "vocabulary_graph_iri", "outline_string"]

PG_NS = Namespace(str(PG._NS))
_ROLE = {"lead": PG.LeadRole, "support": PG.SupportRole, "responsible": PG.ResponsibleRole}


def vocabulary_graph_iri(base: str = DEFAULT_BASE) -> URIRef:
    return URIRef(f"{base.rstrip('/')}/graph/vocabulary")


def statistics_graph_iri(base: str = DEFAULT_BASE) -> URIRef:
    """The store's graph of per-agency task counts, kept up to date by every build and removal."""
    return URIRef(f"{base.rstrip('/')}/graph/statistics")


def document_graph_iri(source_file: str, base: str = DEFAULT_BASE) -> URIRef:
    return mint("graph", source_file, base=base)


def outline_string(node: OutlineNode) -> str:
    """"三/二/1" — appendix outlines restart, so they are prefixed with their part: "附件/一/二"."""
    return "/".join(((node.part,) if node.part else ()) + node.path)


def decimal_literal(value) -> Literal:
    """An xsd:decimal in canonical form ("50.0", "0.3333333333333333"), as Turtle writes and reads it back.

    >>> decimal_literal(Decimal("5E+9"))
    rdflib.term.Literal('5000000000.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    """
    text = format(Decimal(value), "f")
    if "." not in text:
        text += ".0"
    else:
        text = text.rstrip("0")
        text += "0" if text.endswith(".") else ""
    return Literal(text, datatype=XSD.decimal)


def _offsets(g: Graph, subject: URIRef, span: Span) -> None:
    g.add((subject, PG.startOffset, Literal(span.start)))
    g.add((subject, PG.endOffset, Literal(span.end)))


class _DocumentGraphBuilder:
    """Writes one extraction into one graph; keeps the IRIs consistent."""

    def __init__(self, g: Graph, extraction: Extraction, base: str, lexicon):
        self.g, self.x, self.base, self.lexicon = g, extraction, base, lexicon
        self.source_file = extraction.document.source_file
        meta = extraction.meta
        self.doc = (mint("document", meta.number, base=base) if meta.number
                    else mint("document", "file", self.source_file, base=base))
        self._described: dict[tuple, URIRef] = {}  # agencies and places already written, by what describes them

    def mint(self, kind: str, *parts: str) -> URIRef:
        return mint(kind, *parts, base=self.base)

    def jurisdiction(self, name: str) -> URIRef:
        if ("jurisdiction", name) in self._described:
            return self._described[("jurisdiction", name)]
        j = self._described[("jurisdiction", name)] = self.mint("jurisdiction", name)
        self.g.add((j, RDF.type, PG.Jurisdiction))
        self.g.add((j, RDFS.label, Literal(name, lang="zh")))
        info = self.lexicon.jurisdiction(name) if self.lexicon is not None else None
        if info is not None and getattr(info, "en", None):
            self.g.add((j, RDFS.label, Literal(info.en, lang="en")))
        return j

    def agency(self, agency: Agency, surface: str | None) -> URIRef:
        if (agency, surface) in self._described:
            return self._described[(agency, surface)]
        a = self._described[(agency, surface)] = self.mint("agency", agency.jurisdiction, agency.name)
        g = self.g
        g.add((a, RDF.type, PG.Agency))
        g.add((a, RDF.type, ORG.Organization))
        g.add((a, RDFS.label, Literal(agency.name, lang="zh")))
        if agency.name_en:
            g.add((a, RDFS.label, Literal(agency.name_en, lang="en")))
        g.add((a, PG.jurisdiction, self.jurisdiction(agency.jurisdiction)))
        g.add((a, PG.agencyType, PG_NS[agency.agency_type]))
        if surface:
            g.add((a, SKOS.altLabel, Literal(surface)))
        if agency.collective:
            g.add((a, PG.collective, Literal(True)))
        if agency.manages:
            g.add((a, PG.manages, self.named("park", agency.manages)))
        return a

    def unspecified(self, surface: str) -> URIRef:
        u = self.mint("body", self.x.meta.jurisdiction, surface)
        self.g.add((u, RDF.type, PG.UnspecifiedBody))
        self.g.add((u, RDFS.label, Literal(surface, lang="zh")))
        self.g.add((u, PG.jurisdiction, self.jurisdiction(self.x.meta.jurisdiction)))
        return u

    def named(self, kind: str, name: str) -> URIRef:
        from .extract.named import entity_key

        cls = {"park": PG.Park, "fund": PG.Fund, "program": PG.Program}[kind]
        n = self.mint(kind, entity_key(name))
        self.g.add((n, RDF.type, cls))
        if not any(True for _ in self.g.objects(n, RDFS.label)):
            self.g.add((n, RDFS.label, Literal(name, lang="zh")))
        return n

    def outline_item(self, node: OutlineNode) -> URIRef:
        return self.mint("item", self.source_file, outline_string(node))

    def build(self) -> None:
        g, x, meta, doc = self.g, self.x, self.x.meta, self.doc
        g.add((doc, RDF.type, PG.PolicyDocument))
        g.add((doc, RDF.type, PROV.Entity))
        g.add((doc, PG.sourceFile, Literal(self.source_file)))
        g.add((doc, PG.contentHash, Literal(x.document.content_hash)))
        g.add((doc, PG.encoding, Literal(x.document.encoding)))
        g.add((doc, DCTERMS.format, Literal(x.document.media_type)))
        g.add((doc, PG.jurisdiction, self.jurisdiction(meta.jurisdiction)))
        if meta.title:
            g.add((doc, DCTERMS.title, Literal(meta.title)))
        if meta.number:
            g.add((doc, PG.documentNumber, Literal(meta.number)))
        if meta.issued:
            g.add((doc, DCTERMS.issued, Literal(meta.issued.isoformat(), datatype=XSD.date)))
        for mention in x.agency_mentions:
            a = self.agency(mention.agency, mention.surface)
            g.add((doc, PG.issuedBy if mention.issuer else PG.mentionsAgency, a))
        for cited in meta.implements:
            c = self.mint("document", cited.number)
            g.add((doc, PG.implements, c))
            g.add((c, RDF.type, PG.PolicyDocument))
            g.add((c, PG.documentNumber, Literal(cited.number)))
            if cited.title:
                g.add((c, DCTERMS.title, Literal(cited.title)))
        self.build_outline()
        self.build_targets()
        self.build_named()

    def build_outline(self) -> None:
        g, doc = self.g, self.doc
        items = {(n.part, n.path): self.outline_item(n) for n in self.x.outline}
        for node in self.x.outline:
            item = items[(node.part, node.path)]
            g.add((item, RDF.type, PG.OutlineItem))
            g.add((item, PG.inDocument, doc))
            g.add((item, PG.outline, Literal(outline_string(node))))
            g.add((item, PG.outlineLevel, Literal(len(node.path))))
            if node.title:
                g.add((item, DCTERMS.title, Literal(node.title)))
            if node.part:
                g.add((item, PG.documentPart, Literal(node.part)))
            _offsets(g, item, node.span)
            parent = items.get((node.part, node.path[:-1])) if len(node.path) > 1 else None
            if parent is not None:
                g.add((item, PG.subTaskOf, parent))
        for task in self.x.tasks:
            t = items[(task.node.part, task.node.path)]
            g.add((t, RDF.type, PG.Task))
            g.add((t, PROV.wasDerivedFrom, doc))
            for clause in task.clauses:
                g.add((t, PG.sourceText, Literal(clause.text)))
            if not task.clauses:
                g.add((t, PG.sourceText, Literal(task.node.span.slice(self.x.document.text))))
            for assignment in task.assignments:
                mention = assignment.mention
                if assignment.agency is None:
                    agent = self.unspecified(mention.surface)
                    g.add((t, PG.unspecifiedBody, agent))
                else:
                    agent = self.agency(assignment.agency, mention.surface)
                    g.add((t, PG.responsibleAgency, agent))
                    if mention.role == "lead":
                        g.add((t, PG.leadAgency, agent))
                    elif mention.role == "support":
                        g.add((t, PG.supportingAgency, agent))
                a = self.mint("assignment", self.source_file, str(mention.span.start), str(mention.span.end))
                g.add((t, PG.assignment, a))
                g.add((a, RDF.type, PG.Assignment))
                g.add((a, PG.agent, agent))
                g.add((a, PG.role, _ROLE[mention.role]))
                g.add((a, PG.surface, Literal(mention.surface)))
                g.add((a, PG.sourceText, Literal(assignment.clause.text)))
                g.add((a, PG.inDocument, doc))
                _offsets(g, a, mention.span)

    def task_at(self, position: int) -> URIRef | None:
        """The task whose own text contains ``position``."""
        for task in self.x.tasks:
            if task.node.span.start <= position < task.node.span.end:
                return self.outline_item(task.node)
        return None

    def build_targets(self) -> None:
        g, doc = self.g, self.doc
        for target in self.x.targets:
            t = self.mint("target", self.source_file, str(target.span.start), str(target.span.end))
            g.add((t, RDF.type, PG.Target))
            g.add((t, PG.inDocument, doc))
            g.add((t, PROV.wasDerivedFrom, doc))
            g.add((t, PG.value, decimal_literal(target.value)))
            if target.value_max is not None:
                g.add((t, PG.valueMax, decimal_literal(target.value_max)))
            if target.unit:
                g.add((t, PG.unit, Literal(target.unit)))
            g.add((t, PG.comparator, Literal(target.comparator)))
            if target.year is not None:
                g.add((t, PG.targetYear, Literal(target.year)))
            if target.annual:
                g.add((t, PG.annual, Literal(True)))
            if target.metric:
                g.add((t, PG.metric, Literal(target.metric)))
            g.add((t, PG.surface, Literal(target.surface)))
            g.add((t, PG.sourceText, Literal(target.sentence)))
            _offsets(g, t, target.span)
            task = self.task_at(target.span.start)
            if task is not None:
                g.add((t, PG.inTask, task))

    def build_named(self) -> None:
        for entity in self.x.named:
            n = self.named(entity.kind, entity.name)
            self.g.add((self.task_at(entity.span.start) or self.doc, PG.mentions, n))


class _TripleSet:
    """The two Graph methods the builder uses, over a plain set: building a store's input needs no index."""

    def __init__(self) -> None:
        self.triples: set[tuple] = set()
        self._by_subject_predicate: dict[tuple, list] = {}

    def add(self, triple: tuple) -> None:
        if triple not in self.triples:
            self.triples.add(triple)
            self._by_subject_predicate.setdefault(triple[:2], []).append(triple[2])

    def objects(self, subject, predicate):
        return iter(self._by_subject_predicate.get((subject, predicate), ()))


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt_term(term) -> str:
    """One term in N-Triples syntax (IRIs, literals; blank nodes as _:labels)."""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, Literal):
        text = f'"{str(term).translate(_NT_ESCAPES)}"'
        if term.language:
            return f"{text}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{text}^^<{term.datatype}>"
        return text
    return f"_:{term}"


def ntriples(triples) -> str:
    """N-Triples text of some triples, lines sorted, so the same triples always give the same text.

    >>> print(ntriples([(URIRef("urn:a"), URIRef("urn:p"), Literal('x"y', lang="zh"))]), end="")
    <urn:a> <urn:p> "x\\"y"@zh .
    """
    return "".join(sorted(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)} .\n" for s, p, o in triples))


def document_ntriples(extraction: Extraction, *, base: str = DEFAULT_BASE, lexicon=None) -> str:
    """One document's graph as sorted N-Triples, built without an rdflib Graph (the store's bulk path)."""
    sink = _TripleSet()
    _DocumentGraphBuilder(sink, extraction, base, lexicon).build()
    return ntriples(sink.triples)


def vocabulary_ntriples() -> str:
    """The ontology and the agency-type scheme as sorted N-Triples (blank nodes of OWL lists included)."""
    from .ontology import load_ontology

    return ntriples(load_ontology())


def document_graph(extraction: Extraction, *, base: str = DEFAULT_BASE, lexicon=None, graph: Graph | None = None) -> Graph:
    """The graph of one document (a new rdflib Graph unless ``graph`` is given)."""
    g = graph if graph is not None else Graph()
    _DocumentGraphBuilder(g, extraction, base, lexicon).build()
    return g


def build_dataset(extractions: Iterable[Extraction], *, base: str = DEFAULT_BASE, lexicon=None,
                  include_vocabulary: bool = True) -> Dataset:
    """All documents as one dataset: a named graph per document, plus the vocabulary graph."""
    from .ontology import load_ontology

    ds = Dataset()
    bind_prefixes(ds, base=base)
    if include_vocabulary:
        vocab = ds.graph(vocabulary_graph_iri(base))
        for triple in load_ontology():
            vocab.add(triple)
    for extraction in sorted(extractions, key=lambda x: x.document.source_file):
        g = ds.graph(document_graph_iri(extraction.document.source_file, base))
        document_graph(extraction, base=base, lexicon=lexicon, graph=g)
    return ds
