"""Graph building: :class:`Extraction` s → an RDF dataset with one named graph per document and one shared graph.

What only one document holds — the document, its outline, tasks, clauses,
assignments, targets — goes into that document's named graph. What several
documents describe alike — agencies, jurisdictions, non-specific bodies,
parks, funds, programs, cited policies — goes into the shared graph, once,
so the union of all graphs is a set that a query sees without duplicates.
Every name a document writes for a shared resource (an agency's surface
form, a park's name, a cited policy's title) is also recorded in the
document's own graph (an assignment, or a :data:`~policygraph.vocab.PG.NameMention`),
which is how the store knows which shared names a removed document took
with it. IRIs come from :func:`policygraph.iri.mint`.
"""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace

from rdflib import RDF, RDFS, XSD, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS

from .iri import DEFAULT_BASE, document_graph_iri, document_iri, mint, shared_graph_iri, vocabulary_graph_iri
from .knowledge import active_overlay, using_overlay
from .model import LEAD, ROLE_TERMS, SUPPORT, Agency, Extraction, OutlineNode, Span
from .normalize import entity_key
from .nquads import LINE_END, TRIPLE_END
from .ontology import load_ontology
from .vocab import PG, PG_NS, bind_prefixes

__all__ = ["build_dataset", "decimal_literal", "document_chunks", "document_ntriples", "document_triples",
           "DocumentTriples", "CHUNK_LINES", "vocabulary_ntriples", "ntriples", "document_graph", "outline_string"]

#: The terms the builder writes, looked up once: a DefinedNamespace checks every attribute access.
_PG = SimpleNamespace(**{name: PG[name] for name in PG.__annotations__})
_TYPE, _LABEL, _ALT_LABEL = RDF.type, RDFS.label, SKOS.altLabel
_TITLE, _FORMAT, _ISSUED = DCTERMS.title, DCTERMS.format, DCTERMS.issued
_ENTITY, _ORGANIZATION = PROV.Entity, ORG.Organization
_BOOLEAN, _INTEGER, _DECIMAL, _DATE = XSD.boolean, XSD.integer, XSD.decimal, XSD.date
_ROLE = {role: PG[term] for role, term in ROLE_TERMS.items()}
_NAMED = {"park": _PG.Park, "fund": _PG.Fund, "program": _PG.Program}


def outline_string(node: OutlineNode) -> str:
    """"三/二/1" — appendix outlines restart, so they are prefixed with their part: "附件/一/二"."""
    return "/".join(((node.part,) if node.part else ()) + node.path)


def _decimal_text(value) -> str:
    """The canonical lexical form of an xsd:decimal: "50.0", "0.3333333333333333"."""
    text = format(Decimal(value), "f")
    if "." not in text:
        return text + ".0"
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") else text


def decimal_literal(value) -> Literal:
    """An xsd:decimal in canonical form ("50.0", "0.3333333333333333"), as Turtle writes and reads it back.

    >>> decimal_literal(Decimal("5E+9"))
    rdflib.term.Literal('5000000000.0', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#decimal'))
    """
    return Literal(_decimal_text(value), datatype=XSD.decimal)


class _NTLiteral(str):
    """A literal already written in N-Triples syntax, so the bulk path never builds an rdflib Literal."""


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


def _nt_literal(value: str | int | bool, lang: str | None = None, datatype: URIRef | None = None) -> _NTLiteral:
    """What :func:`_nt_term` writes for ``Literal(value, lang, datatype)``, for the values the builder makes.

    >>> _nt_literal(3) == _nt_term(Literal(3))
    True
    """
    if isinstance(value, bool):
        return _NTLiteral(f'"{str(value).lower()}"^^<{_BOOLEAN}>')
    if isinstance(value, int):
        return _NTLiteral(f'"{value}"^^<{_INTEGER}>')
    text = f'"{value.translate(_NT_ESCAPES)}"'
    if lang:
        return _NTLiteral(f"{text}@{lang}")
    if datatype is not None:
        return _NTLiteral(f"{text}^^<{datatype}>")
    return _NTLiteral(text)


class _DocumentGraphBuilder:
    """Writes one extraction into two graphs, the document's own and the shared one; keeps the IRIs consistent.

    ``literal`` makes the graph's literals: rdflib's :class:`Literal` for a
    Graph, :func:`_nt_literal` for an :class:`_NTriplesSink`. ``own`` and
    ``shared`` may be the same graph (one document's whole description).
    """

    def __init__(self, own, shared, extraction: Extraction, base: str, lexicon, literal=Literal):
        self.g, self.shared, self.x, self.base, self.lexicon, self.literal = own, shared, extraction, base, lexicon, literal
        self.source_file = extraction.document.source_file
        self.source_path = extraction.document.source_path
        self.doc = document_iri("document", self.source_path, base=base)
        self._described: dict[tuple, URIRef] = {}  # agencies and places already written, by what describes them
        self._named: set[tuple[str, str]] = set()  # (subject, name) pairs already recorded as written
        self._task_starts: list[int] | None = None  # task_at's index, made on first use

    def mint(self, kind: str, *parts: str) -> URIRef:
        return mint(kind, *parts, base=self.base)

    def between(self) -> None:
        """Mark a point between two outline items, tasks or targets, where the own graph may hand on its lines."""
        handing_on = getattr(self.g, "between", None)
        if handing_on is not None:
            handing_on()

    def offsets(self, subject: URIRef, span: Span) -> None:
        self.g.add((subject, _PG.startOffset, self.literal(span.start)))
        self.g.add((subject, _PG.endOffset, self.literal(span.end)))

    def written_name(self, subject: URIRef, predicate: URIRef, name: str, lang: str | None = None) -> None:
        """A name the document writes for a shared resource: in the shared graph, and recorded in the document's.

        The record (a pg:NameMention) is what keeps the name in the shared
        graph while some document still writes it, and lets it go with the last.
        """
        self.shared.add((subject, predicate, self.literal(name, lang=lang)))
        if (str(subject), name) in self._named:
            return
        self._named.add((str(subject), name))
        m = document_iri("name", self.source_path, str(subject), name, base=self.base)
        self.g.add((m, _TYPE, _PG.NameMention))
        self.g.add((m, _PG.inDocument, self.doc))
        self.g.add((m, _PG.names, subject))
        self.g.add((m, _PG.surface, self.literal(name)))

    def jurisdiction(self, name: str) -> URIRef:
        if ("jurisdiction", name) in self._described:
            return self._described[("jurisdiction", name)]
        j = self._described[("jurisdiction", name)] = self.mint("jurisdiction", name)
        g = self.shared
        g.add((j, _TYPE, _PG.Jurisdiction))
        g.add((j, _LABEL, self.literal(name, lang="zh")))
        info = self.lexicon.jurisdiction(name) if self.lexicon is not None else None
        if info is not None:
            english = self.lexicon.english(info)
            if english.en:
                g.add((j, _LABEL, self.literal(english.en, lang="en")))
            if english.romanised:
                g.add((j, _PG.romanised, self.literal(True)))
        level, parent = self._level(name, info)
        if level:
            g.add((j, _PG.jurisdictionLevel, PG[f"{level.capitalize()}Level"]))
        if parent:
            g.add((j, _PG.withinJurisdiction, self.jurisdiction(parent)))
        return j

    def _level(self, name: str, info) -> tuple[str | None, str | None]:
        """A jurisdiction's level and the one above it: from the lexicon, else (a town no table lists) from the document."""
        meta = self.x.meta
        if info is not None and hasattr(self.lexicon, "level_name"):
            above = self.lexicon.parent(info)
            return self.lexicon.level_name(info), above.name if above else None
        if name == meta.jurisdiction:
            return meta.jurisdiction_level, meta.jurisdiction_parent
        return None, None

    def agency(self, agency: Agency, surface: str | None = None) -> URIRef:
        """The agency's IRI, its description written once; ``surface`` is a name written outside any assignment."""
        a = self._described.get(agency)
        if a is None:
            a = self._described[agency] = self.mint("agency", agency.jurisdiction, agency.name)
            g, literal = self.shared, self.literal
            g.add((a, _TYPE, _PG.Agency))
            g.add((a, _TYPE, _ORGANIZATION))
            g.add((a, _LABEL, literal(agency.name, lang="zh")))
            if agency.name_en:
                g.add((a, _LABEL, literal(agency.name_en, lang="en")))
            g.add((a, _PG.jurisdiction, self.jurisdiction(agency.jurisdiction)))
            g.add((a, _PG.agencyType, URIRef(PG_NS + agency.agency_type)))
            if agency.romanised:
                g.add((a, _PG.romanised, literal(True)))
            if agency.collective:
                g.add((a, _PG.collective, literal(True)))
            if agency.manages:
                g.add((a, _PG.manages, self.named("park", agency.manages)))
        if surface:
            self.written_name(a, _ALT_LABEL, surface)
        return a

    def unspecified(self, surface: str) -> URIRef:
        u = self.mint("body", self.x.meta.jurisdiction, surface)
        self.shared.add((u, _TYPE, _PG.UnspecifiedBody))
        self.shared.add((u, _LABEL, self.literal(surface, lang="zh")))
        self.shared.add((u, _PG.jurisdiction, self.jurisdiction(self.x.meta.jurisdiction)))
        return u

    def named(self, kind: str, name: str) -> URIRef:
        n = self.mint(kind, entity_key(name))
        self.shared.add((n, _TYPE, _NAMED[kind]))
        if ("named", n) not in self._described:  # the first spelling a document writes is its label there
            self._described[("named", n)] = n
            self.written_name(n, _LABEL, name, lang="zh")
        return n

    def outline_item(self, node: OutlineNode) -> URIRef:
        return document_iri("item", self.source_path, outline_string(node), base=self.base)

    def build(self) -> None:
        g, x, meta, doc, literal = self.g, self.x, self.x.meta, self.doc, self.literal
        g.add((doc, _TYPE, _PG.PolicyDocument))
        g.add((doc, _TYPE, _ENTITY))
        g.add((doc, _PG.sourceFile, literal(self.source_file)))
        g.add((doc, _PG.sourcePath, literal(self.source_path)))
        g.add((doc, _PG.contentHash, literal(x.document.content_hash)))
        g.add((doc, _PG.encoding, literal(x.document.encoding)))
        g.add((doc, _FORMAT, literal(x.document.media_type)))
        g.add((doc, _PG.jurisdiction, self.jurisdiction(meta.jurisdiction)))
        if meta.title:
            g.add((doc, _TITLE, literal(meta.title)))
        if meta.number:
            g.add((doc, _PG.documentNumber, literal(meta.number)))
        if meta.issued:
            g.add((doc, _ISSUED, literal(meta.issued.isoformat(), datatype=_DATE)))
        for mention in x.agency_mentions:
            a = self.agency(mention.agency, mention.surface)
            g.add((doc, _PG.issuedBy if mention.issuer else _PG.mentionsAgency, a))
        for cited in meta.implements:
            c = self.mint("document", cited.number)
            g.add((doc, _PG.implements, c))
            self.shared.add((c, _TYPE, _PG.PolicyDocument))
            self.shared.add((c, _PG.documentNumber, literal(cited.number)))
            if cited.title:
                self.written_name(c, _TITLE, cited.title)
        self.build_outline()
        self.build_targets()
        self.build_named()

    def clause(self, clause) -> URIRef:
        """The clause's node, its text written once however many assignments point at it."""
        c = document_iri("clause", self.source_path, str(clause.span.start), str(clause.span.end), base=self.base)
        if ("clause", c) not in self._described:
            self._described[("clause", c)] = c
            self.g.add((c, _TYPE, _PG.Clause))
            self.g.add((c, _PG.sourceText, self.literal(clause.text)))
            self.offsets(c, clause.span)
        return c

    def build_outline(self) -> None:
        g, doc, literal = self.g, self.doc, self.literal
        items = {(n.part, n.path): self.outline_item(n) for n in self.x.outline}
        for node in self.x.outline:
            item = items[(node.part, node.path)]
            g.add((item, _TYPE, _PG.OutlineItem))
            g.add((item, _PG.inDocument, doc))
            g.add((item, _PG.outline, literal(outline_string(node))))
            if node.title:
                g.add((item, _TITLE, literal(node.title)))
            if node.part:
                g.add((item, _PG.documentPart, literal(node.part)))
            self.offsets(item, node.span)
            parent = items.get((node.part, node.path[:-1])) if len(node.path) > 1 else None
            if parent is not None:
                g.add((item, _PG.subTaskOf, parent))
            self.between()
        for task in self.x.tasks:
            t = items[(task.node.part, task.node.path)]
            g.add((t, _TYPE, _PG.Task))
            span = task.text_span(self.x.document.text)
            if span.end > span.start:
                g.add((t, _PG.taskText, literal(span.slice(self.x.document.text))))
                g.add((t, _PG.textStart, literal(span.start)))
                g.add((t, _PG.textEnd, literal(span.end)))
            for clause in task.clauses:
                g.add((t, _PG.sourceText, literal(clause.text)))
            if not task.clauses:
                g.add((t, _PG.sourceText, literal(task.node.span.slice(self.x.document.text))))
            for assignment in task.assignments:
                mention = assignment.mention
                if assignment.agency is None:
                    agent = self.unspecified(mention.surface)
                    g.add((t, _PG.unspecifiedBody, agent))
                else:
                    agent = self.agency(assignment.agency)
                    self.shared.add((agent, _ALT_LABEL, literal(mention.surface)))
                    for plate in mention.aliases:
                        self.written_name(agent, _ALT_LABEL, plate)
                    g.add((t, _PG.responsibleAgency, agent))
                    if mention.role == LEAD:
                        g.add((t, _PG.leadAgency, agent))
                    elif mention.role == SUPPORT:
                        g.add((t, _PG.supportingAgency, agent))
                a = document_iri("assignment", self.source_path, str(mention.span.start), str(mention.span.end),
                                 base=self.base)
                g.add((t, _PG.assignment, a))
                g.add((a, _TYPE, _PG.Assignment))
                g.add((a, _PG.agent, agent))
                g.add((a, _PG.role, _ROLE[mention.role]))
                g.add((a, _PG.surface, literal(mention.surface)))
                g.add((a, _PG.clause, self.clause(assignment.clause)))
                self.offsets(a, mention.span)
            self.between()

    def task_at(self, position: int) -> URIRef | None:
        """The first task (in the extraction's order) whose own text contains ``position``.

        A binary search over the tasks' start offsets, then a check of the few
        tasks that start there or before and could still reach ``position``: a
        scan of every task for each target and name took time in the square of
        a long document's length.
        """
        if self._task_starts is None:
            order = sorted(range(len(self.x.tasks)), key=lambda k: self.x.tasks[k].node.span.start)
            self._task_order = order
            self._task_starts = [self.x.tasks[k].node.span.start for k in order]
            reach, furthest = [], -1
            for k in order:
                furthest = max(furthest, self.x.tasks[k].node.span.end)
                reach.append(furthest)
            self._task_reach = reach
        at = bisect_right(self._task_starts, position)
        holding = None
        while at > 0 and self._task_reach[at - 1] > position:
            at -= 1
            k = self._task_order[at]
            if position < self.x.tasks[k].node.span.end and (holding is None or k < holding):
                holding = k
        return self.outline_item(self.x.tasks[holding].node) if holding is not None else None

    def build_targets(self) -> None:
        g, doc, literal = self.g, self.doc, self.literal
        for target in self.x.targets:
            t = document_iri("target", self.source_path, str(target.span.start), str(target.span.end), base=self.base)
            g.add((t, _TYPE, _PG.Target))
            g.add((t, _PG.inDocument, doc))
            g.add((t, _PG.value, literal(_decimal_text(target.value), datatype=_DECIMAL)))
            if target.value_max is not None:
                g.add((t, _PG.valueMax, literal(_decimal_text(target.value_max), datatype=_DECIMAL)))
            if target.unit:
                g.add((t, _PG.unit, literal(target.unit)))
            g.add((t, _PG.comparator, literal(target.comparator)))
            if target.year is not None:
                g.add((t, _PG.targetYear, literal(target.year)))
            if target.annual:
                g.add((t, _PG.annual, literal(True)))
            if target.metric:
                g.add((t, _PG.metric, literal(target.metric)))
            g.add((t, _PG.surface, literal(target.surface)))
            g.add((t, _PG.sourceText, literal(target.sentence)))
            self.offsets(t, target.span)
            task = self.task_at(target.span.start)
            if task is not None:
                g.add((t, _PG.inTask, task))
            self.between()

    def build_named(self) -> None:
        for entity in self.x.named:
            n = self.named(entity.kind, entity.name)
            self.g.add((self.task_at(entity.span.start) or self.doc, _PG.mentions, n))


def _nt_line(triple: tuple, end: str) -> str:
    """One triple the builder made with :func:`_nt_literal` literals as an N-Triples line ending with ``end``."""
    s, p, o = triple
    return f"<{s}> <{p}> {o if isinstance(o, _NTLiteral) else f'<{o}>'}{end}"


class _NTriplesSink:
    """The Graph method the builder uses (``add``), writing each triple straight away as an N-Triples line.

    Lines are plain strings, so collecting a document's few thousand triples
    hashes text rather than rdflib terms; the builder gives it :func:`_nt_literal` literals.
    """

    def __init__(self) -> None:
        self.lines: set[str] = set()

    def add(self, triple: tuple) -> None:
        self.lines.add(_nt_line(triple, TRIPLE_END))


#: Lines of a document's own graph held before they are handed on (a few megabytes of N-Triples).
CHUNK_LINES = 50_000


class _NTriplesChunks:
    """A document's own graph as N-Triples lines (without their newline) handed to ``emit`` in sorted chunks.

    The builder calls :meth:`between` between items, tasks and targets; a
    chunk ends there once it holds ``chunk_lines`` lines, so a long
    document's graph is never in memory at once and every line about one
    task or target is in the same chunk (what :class:`policygraph.nquads.DocumentCounts`
    needs). A line is written once within a chunk; the few a document can
    write in two chunks (a name it mentions in several places) are one
    triple in the store, which is a set.
    """

    def __init__(self, emit: Callable[[list[str]], None], chunk_lines: int = CHUNK_LINES) -> None:
        self.emit, self.chunk_lines = emit, chunk_lines
        self.lines: set[str] = set()

    def add(self, triple: tuple) -> None:
        self.lines.add(_nt_line(triple, LINE_END))

    def between(self) -> None:
        if len(self.lines) >= self.chunk_lines:
            self.flush()

    def flush(self) -> None:
        if self.lines:
            self.emit(sorted(self.lines))
            self.lines = set()


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
    return "".join(sorted(f"{_nt_term(s)} {_nt_term(p)} {_nt_term(o)}{TRIPLE_END}" for s, p, o in triples))


@dataclass(frozen=True)
class DocumentTriples:
    """One document's triples as sorted N-Triples: those of its own graph, and those it gives the shared graph."""

    own: str
    shared: str


def _overlay_of(lexicon):
    """The knowledge overlay ``lexicon`` was loaded with (the active one without a lexicon), for English names and levels."""
    return using_overlay(lexicon.overlay if lexicon is not None else active_overlay())


def document_triples(extraction: Extraction, *, base: str = DEFAULT_BASE, lexicon=None) -> DocumentTriples:
    """One document's triples, built without an rdflib Graph, each graph's lines sorted."""
    own, shared = _NTriplesSink(), _NTriplesSink()
    with _overlay_of(lexicon):
        _DocumentGraphBuilder(own, shared, extraction, base, lexicon, literal=_nt_literal).build()
    return DocumentTriples("".join(sorted(own.lines)), "".join(sorted(shared.lines)))


def document_chunks(extraction: Extraction, emit: Callable[[list[str]], None], *, base: str = DEFAULT_BASE,
                    lexicon=None, chunk_lines: int = CHUNK_LINES) -> str:
    """Build one document's triples, handing its own graph's lines to ``emit`` in chunks; the shared N-Triples back.

    The store's path for a document of any length: what the document holds
    alone goes out a chunk (of about ``chunk_lines`` sorted lines, see
    :class:`_NTriplesChunks`) at a time, so the memory it takes does not grow
    with the document's graph. What it describes of shared resources (one
    line per agency, place or name however often they recur) comes back
    whole, sorted.
    """
    own, shared = _NTriplesChunks(emit, chunk_lines), _NTriplesSink()
    with _overlay_of(lexicon):
        _DocumentGraphBuilder(own, shared, extraction, base, lexicon, literal=_nt_literal).build()
    own.flush()
    return "".join(sorted(shared.lines))


def document_ntriples(extraction: Extraction, *, base: str = DEFAULT_BASE, lexicon=None) -> str:
    """One document's whole description (its own triples and those it shares) as sorted N-Triples."""
    sink = _NTriplesSink()
    with _overlay_of(lexicon):
        _DocumentGraphBuilder(sink, sink, extraction, base, lexicon, literal=_nt_literal).build()
    return "".join(sorted(sink.lines))


def vocabulary_ntriples() -> str:
    """The ontology and the agency-type scheme as sorted N-Triples (blank nodes of OWL lists included)."""
    return ntriples(load_ontology())


def document_graph(extraction: Extraction, *, base: str = DEFAULT_BASE, lexicon=None, graph: Graph | None = None,
                   shared: Graph | None = None) -> Graph:
    """The graph of one document (a new rdflib Graph unless ``graph`` is given).

    Without ``shared`` it is the document's whole description, the shared
    resources it names included; with it, those go into ``shared``.
    """
    g = graph if graph is not None else Graph()
    with _overlay_of(lexicon):
        _DocumentGraphBuilder(g, shared if shared is not None else g, extraction, base, lexicon).build()
    return g


def build_dataset(extractions: Iterable[Extraction], *, base: str = DEFAULT_BASE, lexicon=None,
                  include_vocabulary: bool = True) -> Dataset:
    """All documents as one dataset laid out as the store keeps it: a named graph per document, the shared
    graph, and the vocabulary graph."""
    ds = Dataset()
    bind_prefixes(ds, base=base)
    if include_vocabulary:
        vocab = ds.graph(vocabulary_graph_iri(base))
        for triple in load_ontology():
            vocab.add(triple)
    shared = ds.graph(shared_graph_iri(base))
    for extraction in sorted(extractions, key=lambda x: x.document.source_path):
        g = ds.graph(document_graph_iri(extraction.document.source_path, base))
        document_graph(extraction, base=base, lexicon=lexicon, graph=g, shared=shared)
    return ds
