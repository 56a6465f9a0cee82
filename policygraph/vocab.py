"""The ``pg:`` vocabulary as Python names, mirroring ontology/policygraph.ttl, and prefix bindings."""
from __future__ import annotations

from rdflib.namespace import DCTERMS, ORG, PROV, RDFS, SKOS, XSD, DefinedNamespace, Namespace
from rdflib.term import URIRef

from policygraph.iri import DEFAULT_BASE

__all__ = ["PG", "PG_NS", "ORG", "PROV", "SKOS", "DCTERMS", "RDFS", "XSD", "PREFIXES", "bind_prefixes"]

#: The ontology namespace IRI, the ``pg:`` prefix.
PG_NS = "https://w3id.org/policygraph/ontology#"


class PG(DefinedNamespace):
    """
    PolicyGraph Ontology

    Documents, outlined tasks, the agencies responsible for them, quantified
    targets and the parks, funds and programs that Chinese implementation
    plans mention. Every term here is declared in ontology/policygraph.ttl
    (a test checks both directions); ``_fail`` makes a misspelt term an error.

    Examples
    --------
    >>> str(PG.leadAgency)
    'https://w3id.org/policygraph/ontology#leadAgency'
    >>> PG.leadAgencies
    Traceback (most recent call last):
    ...
    AttributeError: term 'leadAgencies' not in namespace 'https://w3id.org/policygraph/ontology#'
    """

    _fail = True
    _NS = Namespace(PG_NS)

    # http://www.w3.org/2002/07/owl#Class
    Agency: URIRef  # A specific organisation that can be named as responsible for a task.
    Assignment: URIRef  # A statement that assigns a task to a body in a given role.
    Clause: URIRef  # The passage that states which bodies carry out a task.
    Fund: URIRef  # A named special fund or investment fund.
    NameMention: URIRef  # One way a document writes the name of a shared resource.
    Jurisdiction: URIRef  # The area governed at one level of the administrative hierarchy.
    OutlineItem: URIRef  # A numbered section or item of a document's structure.
    Park: URIRef  # A named area that hosts industry or innovation.
    PolicyDocument: URIRef  # A normative policy document issued by a government body, such as an implementation plan, opinion or notice.
    Program: URIRef  # A named government plan, programme or campaign.
    Role: URIRef  # Lead, supporting or responsible.
    Target: URIRef  # An intended outcome stated as a quantity.
    Task: URIRef  # A piece of work a document assigns to one or more bodies.
    UnspecifiedBody: URIRef  # A generic designation that cannot be resolved to one specific agency.

    # http://www.w3.org/2002/07/owl#ObjectProperty
    agencyType: URIRef  # Links an agency to its type concept.
    agent: URIRef  # Links an assignment to the body assigned.
    assignment: URIRef  # Links a task to one of its assignments.
    clause: URIRef  # Links an assignment to its clause.
    implements: URIRef  # Links a document to a higher-level policy it implements.
    inDocument: URIRef  # Links a part of a document to the document.
    inTask: URIRef  # Links a target to the task containing it.
    issuedBy: URIRef  # Links a document to the agency that issued it.
    jurisdiction: URIRef  # Links to the jurisdiction something belongs to.
    jurisdictionLevel: URIRef  # Links a jurisdiction to its level concept.
    withinJurisdiction: URIRef  # Links a jurisdiction to the one directly above it.
    leadAgency: URIRef  # Links a task to its lead agency.
    manages: URIRef  # Links a managing agency to its park.
    mentions: URIRef  # Links a task or document to a named entity it mentions.
    names: URIRef  # Links a name mention to what it names.
    buildFingerprint: URIRef  # A digest of the code and data that built a store.
    taskCount: URIRef  # Statistics graph: tasks naming the agency in any role.
    leadTaskCount: URIRef  # Statistics graph: tasks the agency leads.
    supportTaskCount: URIRef  # Statistics graph: tasks the agency supports.
    tasksInGraph: URIRef  # Statistics graph: the number of tasks in a document's named graph.
    assignmentsInGraph: URIRef  # Statistics graph: the number of assignments (agency named in a task's clause) in a document's named graph.
    leadAssignmentsInGraph: URIRef  # Statistics graph: the number of assignments with the lead role in a document's named graph.
    supportAssignmentsInGraph: URIRef  # Statistics graph: the number of assignments with the support role in a document's named graph.
    responsibleAssignmentsInGraph: URIRef  # Statistics graph: the number of assignments with the plain responsible role in a document's named graph.
    unspecifiedAssignmentsInGraph: URIRef  # Statistics graph: the number of assignments given to a non-specific body in a document's named graph.
    targetsInGraph: URIRef  # Statistics graph: the number of quantified targets in a document's named graph.
    undatedTargetsInGraph: URIRef  # Statistics graph: the number of quantified targets with no deadline year in a document's named graph.
    tasksWithoutAgencyInGraph: URIRef  # Statistics graph: the number of tasks naming no specific agency in a document's named graph.
    targetYearInGraph: URIRef  # Statistics graph: a deadline year of some quantified target in a document's named graph.
    agencyInGraph: URIRef  # Statistics graph: a pg:responsibleAgency of some task in a document's named graph.
    firstTask: URIRef  # Statistics graph: the task of smallest IRI naming the agency.
    firstAgency: URIRef  # Statistics graph: the first agency of a pair.
    secondAgency: URIRef  # Statistics graph: the second agency of a pair.
    responsibleTaskCount: URIRef  # Statistics graph: tasks in which the agency holds the plain responsible role.
    supportOnlyTaskCount: URIRef  # Statistics graph: tasks in which the agency holds the support role only.
    leadSupportTaskCount: URIRef  # Statistics graph: tasks the agency both leads and supports.
    sharedTaskCount: URIRef  # Statistics graph: tasks naming both agencies of the pair.
    firstSharedTask: URIRef  # Statistics graph: the task of smallest IRI naming both agencies of the pair.
    ledTaskCount: URIRef  # Statistics graph: tasks the first agency of the pair leads and the second supports.
    mentionsAgency: URIRef  # Links a document to an agency it names outside its clauses.
    responsibleAgency: URIRef  # Links a task to a specific agency responsible for it.
    role: URIRef  # Links an assignment to a role concept.
    subTaskOf: URIRef  # Links a sub-item to its parent item.
    supportingAgency: URIRef  # Links a task to a supporting agency.
    unspecifiedBody: URIRef  # Links a task to an unspecified responsible body.

    # http://www.w3.org/2002/07/owl#DatatypeProperty
    annual: URIRef  # Whether the goal applies per year.
    collective: URIRef  # Whether the agency is a collective designation.
    comparator: URIRef  # How the outcome compares with the value.
    contentHash: URIRef  # A digest identifying the file's content.
    documentNumber: URIRef  # The number an issuing body gives a document.
    documentPart: URIRef  # The part of the document an item is in.
    encoding: URIRef  # The character encoding of the file's bytes.
    endOffset: URIRef  # Where a text span ends.
    metric: URIRef  # The name of the measured quantity.
    outline: URIRef  # The position of an item in the document outline.
    outlineLevel: URIRef  # The depth of an item in the outline.
    romanised: URIRef  # Whether a place name in the English label is a pinyin romanisation.
    sourceFile: URIRef  # The input file name of a document.
    sourcePath: URIRef  # The path of a document's input file under the build root.
    sourceText: URIRef  # A passage of the document given as provenance.
    startOffset: URIRef  # Where a text span starts.
    surface: URIRef  # The un-normalised text of a mention.
    targetYear: URIRef  # The deadline year of a target.
    taskText: URIRef  # What the task says.
    textEnd: URIRef  # Where a task's text ends.
    textStart: URIRef  # Where a task's text starts.
    unit: URIRef  # A unit of measure.
    value: URIRef  # The number of a quantified goal.
    valueMax: URIRef  # The upper end of a range.

    # http://www.w3.org/2004/02/skos/core#ConceptScheme
    AgencyTypes: URIRef  # Kinds of government agency by function.
    JurisdictionLevels: URIRef  # The concept scheme of administrative levels.
    Roles: URIRef  # The concept scheme of assignment roles.

    # http://www.w3.org/2004/02/skos/core#Concept
    CityLevel: URIRef  # The prefectural level: prefecture-level cities, autonomous prefectures and leagues.
    CountyLevel: URIRef  # The county level: counties, autonomous counties, banners and county-level cities.
    DistrictLevel: URIRef  # A county-level district of a city.
    LeadRole: URIRef  # Takes the main responsibility for the task and organises the work.
    NationLevel: URIRef  # The national level: the central government.
    ProvinceLevel: URIRef  # The provincial level: provinces, autonomous regions and municipalities directly under the central government.
    ResponsibleRole: URIRef  # Is responsible for the task.
    SupportRole: URIRef  # Helps the lead body carry out the task.
    TownLevel: URIRef  # The township level: towns, townships and subdistricts (街道).


#: Prefixes every graph policygraph writes binds; ``pgid`` is filled in with the resource base.
PREFIXES: dict[str, str] = {
    "pg": PG_NS,
    "dcterms": str(DCTERMS),
    "skos": str(SKOS),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "org": str(ORG),
    "prov": str(PROV),
}


def bind_prefixes(graph, base: str = DEFAULT_BASE):
    """Bind the project's prefixes on ``graph`` (a Graph or Dataset) and return it.

    Binding is done with ``replace=True`` so that rdflib's defaults never
    shadow ours (rdflib binds ``dcterms`` and friends under other names).

    Parameters
    ----------
    graph : rdflib.Graph or rdflib.Dataset
        The graph to bind on; changed in place.
    base : str
        The resource base, bound as ``pgid`` so serialised IRIs stay short.

    Examples
    --------
    >>> from rdflib import Graph
    >>> g = bind_prefixes(Graph())
    >>> dict(g.namespaces())["pg"] == URIRef(PG_NS)
    True
    >>> str(dict(g.namespaces())["pgid"])
    'https://w3id.org/policygraph/id/'
    """
    for prefix, namespace in {**PREFIXES, "pgid": base}.items():
        graph.bind(prefix, Namespace(namespace), override=True, replace=True)
    return graph
