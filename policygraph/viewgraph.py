"""What the HTML explorer draws: nodes and edges read from a built graph by SPARQL, views, measures and layout."""
from __future__ import annotations

import math
from collections import Counter, defaultdict, deque
from dataclasses import dataclass, field, replace

from .documents import DocumentRef, find_document
from .errors import UnknownNameError, ViewTooLarge
from .model import LEAD, RESPONSIBLE, ROLE_WEIGHTS, ROLES, SUPPORT
from .query import store_rows
from .vocab import PG_NS

__all__ = ["ViewNode", "ViewEdge", "ViewGraph", "NODE_KINDS", "ROLE_WEIGHTS", "build_view", "read_view_graph",
           "agency_measures",
           "agency_network", "counted_agency_network", "select_document", "select_jurisdiction", "focus", "layout"]

#: Node kinds in drawing order of the legend.
NODE_KINDS = ("document", "cited", "task", "agency", "body", "target", "park", "fund", "program")

#: Weight of one task in an agency's responsibility score, by the agency's role in it.

_RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_DCT = "http://purl.org/dc/terms/"
_CLASSES = {"document": "PolicyDocument", "task": "Task", "agency": "Agency", "body": "UnspecifiedBody",
            "target": "Target", "park": "Park", "fund": "Fund", "program": "Program", "jurisdiction": "Jurisdiction"}
_DESCRIBE = """SELECT DISTINCT ?s ?p ?o WHERE { ?s a ?class ; ?p ?o }"""
_TYPE_LABELS = f"""SELECT DISTINCT ?type ?label WHERE {{
  ?a a <{PG_NS}Agency> ; <{PG_NS}agencyType> ?type . ?type <{_SKOS}prefLabel> ?label }}"""


@dataclass(frozen=True)
class ViewNode:
    """One node of the explorer, with everything the page shows about it as plain strings."""

    id: str
    kind: str
    label_zh: str
    label_en: str = ""
    names: tuple[str, ...] = ()
    jurisdictions: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    info: tuple[tuple[str, str], ...] = ()
    group: str = ""
    score: float = 0.0


@dataclass(frozen=True, order=True)
class ViewEdge:
    """An edge of the explorer; ``kind`` is a role (lead, support, responsible) or a structural link."""

    source: str
    target: str
    kind: str
    weight: float = 1.0


@dataclass(frozen=True)
class ViewGraph:
    """
    Nodes sorted by id and edges sorted by (source, target, kind).

    ``colour_by`` is ``"kind"`` (colour and shape by node kind) or ``"group"`` (by ``ViewNode.group``, labelled by
    ``groups`` as (key, zh, en)); ``scope`` records how the view was narrowed, as (what, zh, en), for the page title.
    """

    nodes: tuple[ViewNode, ...] = ()
    edges: tuple[ViewEdge, ...] = ()
    groups: tuple[tuple[str, str, str], ...] = ()
    colour_by: str = "kind"
    scope: tuple[tuple[str, str, str], ...] = ()
    extra: dict = field(default_factory=dict, compare=False)

    def node_ids(self) -> set[str]:
        return {n.id for n in self.nodes}


def _describe(ds, kind: str, predicates: tuple[str, ...] | None = None) -> dict[str, dict[str, list]]:
    """Every (predicate, object) of every resource of one class (only ``predicates``, pg: local names, if given),
    grouped by subject then predicate."""
    from rdflib import URIRef

    bindings = {"class": URIRef(PG_NS + _CLASSES[kind])}
    text = _DESCRIBE if predicates is None else _DESCRIBE.replace(
        "WHERE {", "WHERE { VALUES ?p { " + " ".join(f"<{PG_NS}{p}>" for p in predicates) + " }", 1)
    rows = store_rows(ds, _in_document_graphs(predicates) if kind == "task" and predicates else text, bindings)
    out: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for s, p, o in ds.query(text, initBindings=bindings) if rows is None else rows:
        out[str(s)][str(p)].append(o)
    for props in out.values():
        for values in props.values():
            values.sort(key=lambda o: (str(o), getattr(o, "language", None) or ""))
    return out


def _in_document_graphs(predicates: tuple[str, ...]) -> str:
    """``_DESCRIBE`` of some of a task's predicates, matched inside the document graphs of a store.

    Why: a task and what it states are in its document's graph, and a scan there
    is several times faster than the same pattern over the union (3.5 s against
    13 s for the tasks' agencies of 1,000 documents). Only a store runs it.
    """
    listed = ", ".join(f"<{PG_NS}{p}>" for p in predicates)
    return f"SELECT ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s a ?class ; ?p ?o }} FILTER(?p IN ({listed})) }}"


def _first(props: dict, pred: str, lang: str | None = None) -> str:
    for o in props.get(pred, ()):
        if lang is None or getattr(o, "language", None) == lang:
            return str(o)
    return ""


def _all(props: dict, pred: str) -> list[str]:
    return [str(o) for o in props.get(pred, ())]


def _labels(props: dict) -> tuple[str, str]:
    zh = _first(props, _RDFS_LABEL, "zh") or _first(props, _RDFS_LABEL)
    en = _first(props, _RDFS_LABEL, "en")
    return zh, ("" if en == zh else en)


def _number(text: str) -> str:
    """``20.0`` → ``20``; big decimals keep their digits."""
    try:
        value = float(text)
    except ValueError:
        return text
    return str(int(value)) if value.is_integer() and abs(value) < 1e18 else text


def _names(*names) -> tuple[str, ...]:
    return tuple(sorted({n for n in names if n}))


#: What the agency network needs of a task: its document and its agencies.
_TASK_AGENCIES = ("inDocument", "responsibleAgency", "supportingAgency", "leadAgency")
#: The kinds of resource the agency network is drawn from (see ``read_view_graph``'s ``agencies_only``).
_AGENCY_KINDS = ("document", "task", "agency", "jurisdiction")


def read_view_graph(ds, agencies_only: bool = False) -> ViewGraph:
    """
    Read the nodes and edges of the whole-graph view from a built dataset.

    With ``agencies_only``, only what ``agency_network`` draws from is read: documents, agencies and
    jurisdictions, and of each task its document and agencies (its texts, targets, parks and bodies
    are what make the whole view slow to read, and the agency network shows none of them).

    Documents, cited policies, tasks, agencies, unspecified bodies, targets, parks, funds and programs become nodes;
    a task's link to an agency carries its strongest role (lead, then support, then responsible). A task hangs from
    its parent task when it has one, else from its document; a target from its task, else its document.

    Parameters
    ----------
    ds : rdflib.Dataset or rdflib.Graph
        A built graph (``policygraph.store.load_graph_file``), queried as the union of its named graphs.

    Returns
    -------
    ViewGraph
        Nodes coloured by kind; agencies carry their responsibility score.

    Examples
    --------
    >>> from rdflib import Dataset
    >>> read_view_graph(Dataset(default_union=True)).nodes
    ()
    """
    found = _read_resources(ds, agencies_only)
    roles = _strongest_roles(found)
    parts = [_document_part(found), _agency_part(found), _body_part(found), _named_part(found), _task_part(found)]
    mentions, targets = _document_mentions(found), _target_part(found)
    nodes: dict[str, dict] = {}
    for part in parts + [mentions, targets]:
        nodes.update(part.nodes)
    edges = _edges(parts, roles, mentions, targets)
    edges = {pair: kind for pair, kind in edges.items() if pair[0] in nodes and pair[1] in nodes}
    docs_of, jurs_of = _whereabouts(found, parts + [mentions, targets])
    pairs = [(t, a, role) for (t, a), role in roles.items() if t in nodes and nodes.get(a, {}).get("kind") == "agency"]
    agency_types = sorted({(n["group"], n["type_zh"], n["type_en"]) for n in nodes.values() if n["kind"] == "agency"})
    counts: dict[str, Counter] = defaultdict(Counter)
    for _, a, role in pairs:
        counts[a][role] += 1
    return ViewGraph(nodes=_view_nodes(nodes, docs_of, jurs_of, agency_measures(pairs)[0], counts), colour_by="kind",
                     edges=tuple(sorted(ViewEdge(a, b, kind) for (a, b), kind in edges.items())),
                     extra={"agency_types": tuple(agency_types),
                            "jurisdictions": {zh: en for zh, en in found.jurisdictions.values() if zh}})


@dataclass(frozen=True)
class _Resources:
    """What the whole-graph view is drawn from: the resources of each kind, and the labels their links name."""

    of: dict[str, dict[str, dict[str, list]]]  # kind -> IRI -> predicate -> objects (see ``_describe``)
    jurisdictions: dict[str, tuple[str, str]]  # IRI -> (zh, en)
    type_labels: dict[str, dict[str, str]]  # agency type IRI -> language -> label

    def jurisdiction_names(self, props: dict) -> list[str]:
        """The Chinese names of the jurisdictions a resource is in."""
        return [self.jurisdictions.get(j, ("", ""))[0] for j in _all(props, PG_NS + "jurisdiction")]


@dataclass
class _Part:
    """The nodes and edges one kind of resource adds to the view, and where each node occurs.

    ``occurrences`` are (node, document IRI): the node is in that document's
    view; ``places`` are (node, jurisdiction name) stated of the node itself.
    """

    nodes: dict[str, dict] = field(default_factory=dict)
    edges: dict[tuple[str, str], str] = field(default_factory=dict)
    occurrences: list[tuple[str, str]] = field(default_factory=list)
    places: list[tuple[str, str]] = field(default_factory=list)


def _read_resources(ds, agencies_only: bool, tasks: bool = True) -> _Resources:
    """Every resource of each kind the view draws, or with ``agencies_only`` only what the agency network needs;
    without ``tasks``, neither tasks nor documents (the network's counts say what the view needs of them)."""
    kinds = [k for k in _CLASSES if not agencies_only or k in _AGENCY_KINDS and (tasks or k not in ("task", "document"))]
    of = {kind: _describe(ds, kind, _TASK_AGENCIES if agencies_only and kind == "task" else None) if kind in kinds
          else {} for kind in _CLASSES}
    type_labels: dict[str, dict[str, str]] = defaultdict(dict)
    for t, label in ds.query(_TYPE_LABELS):
        type_labels[str(t)].setdefault(getattr(label, "language", None) or "zh", str(label))
    return _Resources(of=of, jurisdictions={iri: _labels(props) for iri, props in of["jurisdiction"].items()},
                      type_labels=type_labels)


def _document_part(found: _Resources) -> _Part:
    """Documents (cited ones have no source file), what they implement and who issued them."""
    part, pg = _Part(), PG_NS
    for iri, p in found.of["document"].items():
        source = _first(p, pg + "sourceFile")
        number = _first(p, pg + "documentNumber")
        title = _first(p, _DCT + "title")
        info = [("title", title), ("documentNumber", number), ("issued", _first(p, _DCT + "issued")),
                ("sourceFile", source), ("jurisdiction", ", ".join(found.jurisdiction_names(p)))]
        part.nodes[iri] = dict(kind="document" if source else "cited", label_zh=title or number or source or iri,
                               names=_names(title, number, source), info=info)
        if source:
            part.occurrences.append((iri, iri))
        for cited in _all(p, pg + "implements"):
            part.edges[(iri, cited)] = "implements"
        for agency in _all(p, pg + "issuedBy"):
            part.edges[(iri, agency)] = "issued"
    for iri, p in found.of["document"].items():
        for cited in _all(p, pg + "implements"):
            part.occurrences.append((cited, iri))
    return part


def _agency_part(found: _Resources) -> _Part:
    """Agencies with their type (the colour of the agency network) and the parks they manage."""
    part, pg = _Part(), PG_NS
    for iri, p in found.of["agency"].items():
        zh, en = _labels(p)
        types = _all(p, pg + "agencyType")
        type_key = types[0].rsplit("#", 1)[-1] if types else ""
        tl = found.type_labels.get(types[0], {}) if types else {}
        part.nodes[iri] = dict(kind="agency", label_zh=zh, label_en=en,
                               names=_names(zh, en, *_all(p, _SKOS + "altLabel")),
                               group=type_key, type_zh=tl.get("zh", type_key), type_en=tl.get("en", type_key),
                               info=[("agencyType", tl.get("zh", type_key)), ("agencyTypeEn", tl.get("en", "")),
                                     ("aliases", "、".join(_all(p, _SKOS + "altLabel")))])
        part.places += [(iri, name) for name in found.jurisdiction_names(p)]
        for park in _all(p, pg + "manages"):
            part.edges[(iri, park)] = "manages"
    return part


def _body_part(found: _Resources) -> _Part:
    """Unspecified bodies (有关部门), each in its jurisdiction."""
    part = _Part()
    for iri, p in found.of["body"].items():
        zh, en = _labels(p)
        part.nodes[iri] = dict(kind="body", label_zh=zh, label_en=en, names=_names(zh, en), info=[])
        part.places += [(iri, name) for name in found.jurisdiction_names(p)]
    return part


def _named_part(found: _Resources) -> _Part:
    """Parks, funds and programs: a label and nothing else of their own."""
    part = _Part()
    for kind in ("park", "fund", "program"):
        for iri, p in found.of[kind].items():
            zh, en = _labels(p)
            part.nodes[iri] = dict(kind=kind, label_zh=zh, label_en=en, names=_names(zh, en), info=[])
    return part


def _task_part(found: _Resources) -> _Part:
    """Tasks under their parent task or document, with what they mention; their agencies occur where they do."""
    part, pg, tasks = _Part(), PG_NS, found.of["task"]
    for iri, p in tasks.items():
        doc = _first(p, pg + "inDocument")
        title = _first(p, _DCT + "title")
        outline = _first(p, pg + "outline")
        doc_props = found.of["document"].get(doc, {})
        doc_label = _first(doc_props, _DCT + "title") or _first(doc_props, pg + "sourceFile")
        info = [("title", title), ("outline", outline), ("document", doc_label),
                ("sourceFile", _first(doc_props, pg + "sourceFile")), ("taskText", _first(p, pg + "taskText"))]
        info += [("sourceText", text) for text in _all(p, pg + "sourceText")]
        part.nodes[iri] = dict(kind="task", label_zh=title or outline, names=_names(title), info=info, outline=outline)
        parents = [x for x in _all(p, pg + "subTaskOf") if x in tasks]
        part.edges[(parents[0] if parents else doc, iri)] = "subtask" if parents else "contains"
        part.occurrences.append((iri, doc))
        for pred in _TASK_ROLES + ("unspecifiedBody",):
            part.occurrences += [(agency, doc) for agency in _all(p, pg + pred)]
        for named in _all(p, pg + "mentions"):
            part.edges[(iri, named)] = "mentions"
            part.occurrences.append((named, doc))
    return part


#: A task's predicates naming its agencies, by role, weakest first: a later role replaces an earlier one.
_TASK_ROLES = ("responsibleAgency", "supportingAgency", "leadAgency")
_ROLE_OF = {"responsibleAgency": RESPONSIBLE, "supportingAgency": SUPPORT, "leadAgency": LEAD}
_ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


def _strongest_roles(found: _Resources) -> dict[tuple[str, str], str]:
    """(task, agency or body) -> the strongest role the task gives it: lead, then support, then responsible."""
    roles: dict[tuple[str, str], str] = {}
    for iri, p in found.of["task"].items():
        for pred in _TASK_ROLES:
            role = _ROLE_OF[pred]
            for agency in _all(p, PG_NS + pred):
                current = roles.get((iri, agency))
                if current is None or _ROLE_RANK[role] < _ROLE_RANK[current]:
                    roles[(iri, agency)] = role
        for body in _all(p, PG_NS + "unspecifiedBody"):
            roles[(iri, body)] = RESPONSIBLE
    return roles


def _document_mentions(found: _Resources) -> _Part:
    """What a document mentions outside its tasks."""
    part = _Part()
    for iri, p in found.of["document"].items():
        for named in _all(p, PG_NS + "mentions"):
            part.edges[(iri, named)] = "mentions"
            part.occurrences.append((named, iri))
    return part


def _target_part(found: _Resources) -> _Part:
    """Targets, labelled by metric and amount, under their task or else their document."""
    part, pg = _Part(), PG_NS
    for iri, p in found.of["target"].items():
        doc = _first(p, pg + "inDocument")
        surface = _first(p, pg + "surface")
        value = _number(_first(p, pg + "value"))
        vmax = _number(_first(p, pg + "valueMax"))
        unit = _first(p, pg + "unit")
        comparator = _first(p, pg + "comparator")
        year = _first(p, pg + "targetYear")
        metric = _first(p, pg + "metric")
        amount = f"{comparator} {value}{'-' + vmax if vmax else ''} {unit}".strip()
        label = f"{metric} {amount}".strip() if metric else surface
        info = [("metric", metric), ("value", amount), ("targetYear", year),
                ("annual", "✓" if _first(p, pg + "annual").lower() == "true" else ""),
                ("surface", surface), ("sentence", _first(p, pg + "sourceText"))]
        part.nodes[iri] = dict(kind="target", label_zh=label, names=_names(surface, metric), info=info)
        part.occurrences.append((iri, doc))
        tasks = [t for t in _all(p, pg + "inTask") if t in found.of["task"]]
        part.edges[(tasks[0] if tasks else doc, iri)] = "goal"
    return part


def _edges(parts: list[_Part], roles: dict, mentions: _Part, targets: _Part) -> dict[tuple[str, str], str]:
    """All edges, a later kind replacing an earlier one between the same nodes: roles replace the structure, a
    document's mentions only add, and a target's link to its task or document comes last."""
    edges: dict[tuple[str, str], str] = {}
    for part in parts:
        edges.update(part.edges)
    edges.update(roles)
    for pair, kind in mentions.edges.items():
        edges.setdefault(pair, kind)
    edges.update(targets.edges)
    return edges


def _whereabouts(found: _Resources, parts: list[_Part]) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """The documents (by source path) and jurisdictions (by name) each node occurs in."""
    docs_of: dict[str, set[str]] = defaultdict(set)
    jurs_of: dict[str, set[str]] = defaultdict(set)
    for part in parts:
        for node, name in part.places:
            jurs_of[node].add(name)
        for node, doc in part.occurrences:
            props = found.of["document"].get(doc)
            if props is not None:
                docs_of[node].add(_first(props, PG_NS + "sourcePath") or _first(props, PG_NS + "sourceFile") or doc)
                jurs_of[node].update(found.jurisdiction_names(props))
    return docs_of, jurs_of


def _view_nodes(nodes: dict[str, dict], docs_of: dict, jurs_of: dict, scores: dict[str, float],
                counts: dict[str, Counter]) -> tuple[ViewNode, ...]:
    """The nodes sorted by IRI, with their non-empty facts; agencies with their role counts (tasks by strongest
    role) and score."""
    out = []
    for iri in sorted(nodes):
        n = nodes[iri]
        info = [kv for kv in n["info"] if kv[1]]
        if n["kind"] == "agency":
            c = counts[iri]
            info += [*((role, str(c[role])) for role in ROLES),
                     ("score", _fmt_score(scores.get(iri, 0.0)))]
        info.append(("iri", iri))
        out.append(ViewNode(id=iri, kind=n["kind"], label_zh=n["label_zh"], label_en=n.get("label_en", ""),
                            names=n["names"], jurisdictions=tuple(sorted(j for j in jurs_of[iri] if j)),
                            documents=tuple(sorted(docs_of[iri])), info=tuple(info), group=n.get("group", ""),
                            score=scores.get(iri, 0.0)))
    return tuple(out)


def _fmt_score(score: float) -> str:
    return f"{score:g}"


def agency_measures(pairs) -> tuple[dict[str, float], dict[str, int], dict[tuple[str, str], int]]:
    """
    Responsibility score, community and co-responsibility edges of agencies, from (task, agency, role) triples.

    Kept in one function so that ``policygraph.analyse``'s measures can replace it. The score sums, over the tasks an
    agency is named for, 1.0 when it leads or is plainly responsible and 0.5 when it supports. Two agencies are linked
    when they share a task, weighted by the number of tasks they share; communities are ``policygraph.analyse.louvain``'s,
    the same as ``rank``'s ``community`` column, numbered from 1 by decreasing size.

    Examples
    --------
    >>> pairs = [("t1", "a", "lead"), ("t1", "b", "support"), ("t2", "a", "responsible")]
    >>> scores, comms, shared = agency_measures(pairs)
    >>> scores
    {'a': 2.0, 'b': 0.5}
    >>> shared
    {('a', 'b'): 1}
    >>> comms
    {'a': 1, 'b': 1}
    """
    from policygraph.analyse import louvain

    scores: dict[str, float] = defaultdict(float)
    by_task: dict[str, set[str]] = defaultdict(set)
    for task, agency, role in sorted(set(pairs)):
        scores[agency] += ROLE_WEIGHTS.get(role, 1.0)
        by_task[task].add(agency)
    shared: Counter = Counter()
    for agencies in by_task.values():
        ordered = sorted(agencies)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1:]:
                shared[(a, b)] += 1
    community = louvain(scores, ((a, b, w) for (a, b), w in shared.items()))
    return dict(sorted(scores.items())), dict(sorted(community.items())), dict(sorted(shared.items()))


def agency_network(view: ViewGraph, colour_by: str = "community") -> ViewGraph:
    """
    The agency co-responsibility network of a whole-graph view: agencies that carry at least one task, linked by the
    number of tasks they share; sized by responsibility score, coloured by community or agency type.

    Examples
    --------
    >>> v = ViewGraph(nodes=(ViewNode("a", "agency", "甲"), ViewNode("b", "agency", "乙"), ViewNode("t", "task", "任务")),
    ...               edges=(ViewEdge("t", "a", "lead"), ViewEdge("t", "b", "support")))
    >>> net = agency_network(v)
    >>> [(n.id, n.score, n.group) for n in net.nodes], [(e.source, e.target, e.weight) for e in net.edges]
    ([('a', 1.0, '1'), ('b', 0.5, '1')], [('a', 'b', 1.0)])
    """
    if colour_by not in ("community", "type"):
        raise ValueError(f"colour_by must be 'community' or 'type', not {colour_by!r}")
    kinds = {n.id: n.kind for n in view.nodes}
    pairs = [(e.source, e.target, e.kind) for e in view.edges
             if e.kind in ROLE_WEIGHTS and kinds.get(e.source) == "task" and kinds.get(e.target) == "agency"]
    return _agency_view(view, colour_by, *agency_measures(pairs))


def _agency_view(view: ViewGraph, colour_by: str, scores: dict[str, float], communities: dict[str, int],
                 shared: dict[tuple[str, str], int]) -> ViewGraph:
    """The agency network of ``view``'s agencies that have a score, linked by the tasks they share."""
    sizes = Counter(communities.values())
    nodes = []
    for n in view.nodes:
        if n.id not in scores:
            continue
        group = str(communities[n.id]) if colour_by == "community" else n.group
        info = tuple(kv for kv in n.info if kv[0] != "iri") + (("community", str(communities[n.id])), ("iri", n.id))
        nodes.append(replace(n, group=group, score=scores[n.id], info=info))
    edges = tuple(ViewEdge(a, b, "shared", float(w)) for (a, b), w in shared.items())
    if colour_by == "community":
        groups = tuple((str(c), f"社区 {c}", f"Community {c}") for c in sorted(sizes))
    else:
        present = {n.group for n in nodes}
        groups = tuple(t for t in view.extra.get("agency_types", ()) if t[0] in present)
    return ViewGraph(nodes=tuple(nodes), edges=edges, groups=groups, colour_by="group",
                     scope=view.scope + (("agencies", colour_by, colour_by),), extra=view.extra)


#: What a store's statistics graph counts of each agency (see ``policygraph.networkcounts``).
_COUNTED_AGENCIES = f"""SELECT ?agency ?tasks ?lead ?support ?both WHERE {{ GRAPH ?statistics {{
  ?agency <{PG_NS}firstTask> ?first ; <{PG_NS}taskCount> ?tasks ; <{PG_NS}leadTaskCount> ?lead ;
    <{PG_NS}supportTaskCount> ?support ; <{PG_NS}leadSupportTaskCount> ?both }} }}"""
#: Every pair of agencies sharing a task: how many, and the first (sub-selects, which Oxigraph joins by hash).
_COUNTED_PAIRS = f"""SELECT ?a ?b ?n ?first WHERE {{
  {{ SELECT ?pair ?n WHERE {{ GRAPH ?statistics {{ ?pair <{PG_NS}sharedTaskCount> ?n }} }} }}
  {{ SELECT ?pair ?first WHERE {{ GRAPH ?statistics {{ ?pair <{PG_NS}firstSharedTask> ?first }} }} }}
  {{ SELECT ?pair ?a WHERE {{ GRAPH ?statistics {{ ?pair <{PG_NS}firstAgency> ?a }} }} }}
  {{ SELECT ?pair ?b WHERE {{ GRAPH ?statistics {{ ?pair <{PG_NS}secondAgency> ?b }} }} }} }}"""
#: Where the document of each document graph is (its path and file) and its jurisdictions, and the agencies each
#: graph's tasks name, grouped by graph: Oxigraph writes graph and document IRIs slowly (12 s for the 326,000
#: graph–agency rows of 10,000 documents, 1.7 s grouped), so no document IRI is read.
_GRAPH_PLACES = f"""SELECT ?graph ?path ?file ?jurisdiction WHERE {{ GRAPH ?graph {{ ?document <{PG_NS}sourceFile> ?file
  OPTIONAL {{ ?document <{PG_NS}sourcePath> ?path }} OPTIONAL {{ ?document <{PG_NS}jurisdiction> ?jurisdiction }} }} }}"""
_GRAPH_AGENCIES = (f"SELECT ?graph (GROUP_CONCAT(STR(?agency)) AS ?agencies) "
                   f"WHERE {{ GRAPH ?statistics {{ ?graph <{PG_NS}agencyInGraph> ?agency }} }} GROUP BY ?graph")
def counted_agency_network(ds, colour_by: str = "community") -> ViewGraph | None:
    """
    ``agency_network(read_view_graph(ds, agencies_only=True), colour_by)`` from a store's statistics graph, or None
    for a graph that is not a store with the agency network's counts.

    Why: the counts per agency and per pair of agencies replace reading every task's agencies (1.6 million pairs
    at 10,000 documents); each agency's role counts and score, its documents and the edges, in the order the tasks
    give them, are the same.
    """
    from .query import store_rows

    agencies = store_rows(ds, _COUNTED_AGENCIES)
    if not agencies:
        return None
    found = _read_resources(ds, agencies_only=True, tasks=False)
    described = _agency_part(found)
    docs_of, jurs_of = _counted_whereabouts(found, described, store_rows(ds, _GRAPH_PLACES),
                                            store_rows(ds, _GRAPH_AGENCIES))
    counts = {str(a): _strongest_role_counts(int(n), int(lead), int(support), int(both))
              for a, n, lead, support, both in agencies}
    scores = {a: c["lead"] * ROLE_WEIGHTS["lead"] + c["support"] * ROLE_WEIGHTS["support"]
              + c["responsible"] * ROLE_WEIGHTS["responsible"] for a, c in sorted(counts.items())}
    nodes = {iri: n for iri, n in described.nodes.items() if iri in scores}
    types = sorted({(n["group"], n["type_zh"], n["type_en"]) for n in described.nodes.values()})
    view = ViewGraph(nodes=_view_nodes(nodes, docs_of, jurs_of, scores, counts),
                     extra={"agency_types": tuple(types),
                            "jurisdictions": {zh: en for zh, en in found.jurisdictions.values() if zh}})
    return _agency_view(view, colour_by, scores, *_counted_edges(store_rows(ds, _COUNTED_PAIRS), scores))


def _counted_whereabouts(found: _Resources, agencies: _Part, places, named) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """``_whereabouts`` of the agencies, from the rows of ``_GRAPH_PLACES`` and ``_GRAPH_AGENCIES``: each
    document as its source path (else its file), each jurisdiction by its Chinese name."""
    paths: dict[str, set[str]] = defaultdict(set)
    files: dict[str, set[str]] = defaultdict(set)
    jurisdictions: dict[str, set[str]] = defaultdict(set)
    for graph, path, file, jurisdiction in places:
        files[graph].add(str(file))
        paths[graph].update([str(path)] if path is not None else [])
        jurisdictions[graph].update([str(jurisdiction)] if jurisdiction is not None else [])
    docs_of: dict[str, set[str]] = defaultdict(set)
    jurs_of: dict[str, set[str]] = defaultdict(set)
    for node, name in agencies.places:
        jurs_of[node].add(name)
    for graph, agencies_named in named:
        if graph not in files:
            continue
        document = min(paths[graph]) if paths[graph] else min(files[graph])
        names = {found.jurisdictions.get(j, ("", ""))[0] for j in jurisdictions[graph]}
        for agency in str(agencies_named).split(" "):
            docs_of[agency].add(document)
            jurs_of[agency].update(names)
    return docs_of, jurs_of


def _strongest_role_counts(tasks: int, lead: int, support: int, both: int) -> Counter:
    """An agency's tasks by its strongest role in each (lead, then support, then responsible) from its counts."""
    return Counter({"lead": lead, "support": support - both, "responsible": tasks - lead - support + both})


def _counted_edges(rows, scores: dict[str, float]) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    """The communities and the shared tasks of the agency network from its counted pairs.

    Louvain is given the edges in the order ``agency_measures`` meets them, by their first shared task.
    """
    from policygraph.analyse import louvain

    pairs = sorted((str(first), str(a), str(b), int(n)) for a, b, n, first in rows)
    community = louvain(scores, ((a, b, n) for _, a, b, n in pairs))
    return dict(sorted(community.items())), dict(sorted(((a, b), n) for _, a, b, n in pairs))


def _restrict(view: ViewGraph, keep: set[str], scope: tuple[str, str, str]) -> ViewGraph:
    return replace(view, nodes=tuple(n for n in view.nodes if n.id in keep),
                   edges=tuple(e for e in view.edges if e.source in keep and e.target in keep),
                   scope=view.scope + (scope,))


def select_document(view: ViewGraph, name: str) -> ViewGraph:
    """
    One document's part of a view: the nodes that occur in the document ``name`` designates — its source path,
    the path of its file, its file name, its 文号 or a unique part of its path
    (:func:`policygraph.documents.find_document`).

    Examples
    --------
    >>> v = ViewGraph(nodes=(ViewNode("d", "document", "方案", documents=("seeds/001_x.txt",)), ViewNode("e", "agency", "乙")))
    >>> [n.id for n in select_document(v, "data/seeds/001_x.txt").nodes]
    ['d']
    """
    refs = [DocumentRef(path, path, number=dict(n.info).get("documentNumber") or None)
            for n in view.nodes if n.kind == "document" for path in n.documents]
    doc = find_document(name, refs).key
    titles = [n.label_zh for n in view.nodes if n.kind == "document" and doc in n.documents]
    label = f"{doc}（{titles[0]}）" if titles and titles[0] != doc else doc
    return _restrict(view, {n.id for n in view.nodes if doc in n.documents}, ("document", label, label))


def select_jurisdiction(view: ViewGraph, name: str) -> ViewGraph:
    """
    The part of a view that belongs to a jurisdiction (its agencies and everything in its documents); ``name`` is
    its Chinese or English label or a unique part of it (``甘肃`` finds 甘肃省).

    Examples
    --------
    >>> v = ViewGraph(nodes=(ViewNode("a", "agency", "甲", jurisdictions=("甘肃省",)), ViewNode("b", "agency", "乙")),
    ...               extra={"jurisdictions": {"甘肃省": "Gansu Province"}})
    >>> [n.id for n in select_jurisdiction(v, "gansu").nodes]
    ['a']
    """
    labels = dict(view.extra.get("jurisdictions", {}))
    for n in view.nodes:
        for j in n.jurisdictions:
            labels.setdefault(j, "")
    wanted = name.strip().casefold()
    exact = [zh for zh, en in labels.items() if wanted in (zh.casefold(), en.casefold())]
    partial = [zh for zh, en in labels.items() if wanted and (wanted in zh.casefold() or wanted in en.casefold())]
    matches = sorted(exact or partial)
    if len(matches) != 1:
        reason = "matches several jurisdictions" if matches else "no jurisdiction of the graph has this name"
        raise UnknownNameError(name, f"{reason} (jurisdictions: {', '.join(sorted(labels)) or 'none'})")
    zh = matches[0]
    return _restrict(view, {n.id for n in view.nodes if zh in n.jurisdictions},
                     ("jurisdiction", zh, labels.get(zh) or zh))


def focus(view: ViewGraph, agency: str, depth: int = 1) -> ViewGraph:
    """
    The neighbourhood of the agencies whose label or alias is ``agency`` (or, when none is, contains it), up to
    ``depth`` edges away.

    Examples
    --------
    >>> v = ViewGraph(nodes=(ViewNode("a", "agency", "甘肃省科学技术厅", names=("省科技厅",)), ViewNode("t", "task", "任务"),
    ...                      ViewNode("b", "agency", "乙")),
    ...               edges=(ViewEdge("t", "a", "lead"), ViewEdge("t", "b", "support")))
    >>> [n.id for n in focus(v, "省科技厅", 1).nodes]
    ['a', 't']
    """
    if depth < 0:
        raise ValueError("depth must be 0 or more")
    wanted = agency.strip().casefold()
    agencies = [n for n in view.nodes if n.kind == "agency"]

    def names(n: ViewNode) -> set[str]:
        return {x.casefold() for x in (n.label_zh, n.label_en, *n.names) if x}

    starts = [n for n in agencies if wanted in names(n)] or \
             [n for n in agencies if wanted and any(wanted in x for x in names(n))]
    if not starts:
        raise UnknownNameError(agency, "no agency of this view has this name or alias; try a shorter part of it")
    neighbours: dict[str, set[str]] = defaultdict(set)
    for e in view.edges:
        neighbours[e.source].add(e.target)
        neighbours[e.target].add(e.source)
    seen = {n.id: 0 for n in starts}
    queue = deque(sorted(seen))
    while queue:
        node = queue.popleft()
        if seen[node] < depth:
            for nb in sorted(neighbours[node]):
                if nb not in seen:
                    seen[nb] = seen[node] + 1
                    queue.append(nb)
    zh = "、".join(n.label_zh for n in starts[:3]) + ("…" if len(starts) > 3 else "")
    en = ", ".join(n.label_en or n.label_zh for n in starts[:3]) + ("…" if len(starts) > 3 else "")
    return _restrict(view, set(seen), (f"focus:{depth}", zh, en))


#: Nodes above which a view is refused: a browser draws a few tens of thousands slowly and more not at all.
MAX_NODES = 20_000
_VIEW_NODES = f"""SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  VALUES ?class {{ {" ".join(f"<{PG_NS}{c}>" for k, c in _CLASSES.items() if k != "jurisdiction")} }} ?s a ?class }}"""


def count_view_nodes(ds) -> int:
    """How many nodes the whole-graph view of ``ds`` has, counted by the engine before anything is read."""
    return int(next(iter(ds.query(_VIEW_NODES)))[0])


def _refuse_above(nodes: int, max_nodes: int | None, what: str) -> None:
    if max_nodes is not None and nodes > max_nodes:
        raise ViewTooLarge(f"{what} has {nodes:,} nodes, more than a browser can draw (--max-nodes {max_nodes:,}): "
                           "narrow it with --document, --jurisdiction or --focus, draw --view agencies, "
                           "or raise --max-nodes")


def build_view(ds, view: str = "whole", colour_by: str = "community", document: str | None = None,
               jurisdiction: str | None = None, focus_on: str | None = None, depth: int = 1,
               max_nodes: int | None = MAX_NODES) -> ViewGraph:
    """
    Read a built graph and narrow it as the ``viz`` command's options say: one document, one jurisdiction, the
    agency network instead of the whole graph, then the neighbourhood of an agency.

    A view of more than ``max_nodes`` nodes (None: no limit) raises ViewTooLarge; the whole graph is counted
    first, so a corpus too large to draw is refused before it is read.

    Examples
    --------
    >>> from rdflib import Dataset
    >>> build_view(Dataset(default_union=True), view="agencies").scope
    (('agencies', 'community', 'community'),)
    """
    if view not in ("whole", "agencies"):
        raise ValueError(f"view must be 'whole' or 'agencies', not {view!r}")
    if view == "whole" and not (document or jurisdiction or focus_on):
        _refuse_above(count_view_nodes(ds), max_nodes, "the whole graph")
    whole_network = view == "agencies" and not (document or jurisdiction)
    graph = counted_agency_network(ds, colour_by) if whole_network else None
    if graph is None:
        graph = read_view_graph(ds, agencies_only=whole_network)
        if document:
            graph = select_document(graph, document)
        if jurisdiction:
            graph = select_jurisdiction(graph, jurisdiction)
        if view == "agencies":
            graph = agency_network(graph, colour_by)
    if focus_on:
        graph = focus(graph, focus_on, depth)
    _refuse_above(len(graph.nodes), max_nodes, "this view")
    return graph




_SMALL = 400


def layout(node_ids, edges, seed: int = 1) -> dict[str, tuple[int, int]]:
    """
    Deterministic positions in pixels. Each connected component is laid out alone — a spring layout (networkx, fixed
    seed) when small; above a few hundred nodes its Louvain communities are laid out one by one and placed by a spring
    layout of the community graph, so no spring layout is large and the cost grows with the sum of squared community
    sizes rather than the square of the graph's size — and the components are packed in rows, largest first, each
    given room in proportion to the square root of its size.

    Examples
    --------
    >>> list(layout(["a"], []))
    ['a']
    >>> pos = layout(["a", "b", "c"], [("a", "b", 1.0)])
    >>> pos == layout(["a", "b", "c"], [("a", "b", 1.0)]) and len(set(pos.values())) == 3
    True
    """
    import networkx as nx

    g = nx.Graph()
    g.add_nodes_from(sorted(node_ids))
    for a, b, w in sorted(edges):
        if a != b and a in g and b in g:
            g.add_edge(a, b, weight=w)
    components = sorted((sorted(c) for c in nx.connected_components(g)), key=lambda c: (-len(c), c[0]))
    unit = 60.0
    width = 2.3 * unit * math.sqrt(sum(len(c) for c in components)) * 1.15
    out: dict[str, tuple[int, int]] = {}
    x = y = row_height = 0.0
    for members in components:
        radius = unit * math.sqrt(len(members)) if len(members) > 1 else unit * 0.5
        side = 2.3 * radius
        if x > 0 and x + side > width:
            x, y, row_height = 0.0, y + row_height, 0.0
        inner = _layout_unit(_induced(g, members), seed)
        for v, (px, py) in inner.items():
            out[v] = (round(x + side / 2 + px * radius), round(y + side / 2 + py * radius))
        x += side
        row_height = max(row_height, side)
    return dict(sorted(out.items()))


def _induced(g, members: list) -> "nx.Graph":
    """The subgraph of ``g`` on ``members``, as a new graph with its nodes in the order given.

    A networkx subgraph view lists its nodes in the order of a set, which
    changes with PYTHONHASHSEED; spring layouts and Louvain start from that
    order, so positions would differ from one run to the next.
    """
    import networkx as nx

    keep = set(members)
    h = nx.Graph()
    h.add_nodes_from(members)
    h.add_edges_from((a, b, data) for a in members for b, data in g.adj[a].items() if b in keep)
    return h


def _layout_unit(g, seed: int) -> dict:
    """Positions in about [-1, 1]², with sub-layouts scaled by the square root of their size."""
    import networkx as nx

    n = len(g)
    if n == 0:
        return {}
    if n == 1:
        return {next(iter(g)): (0.0, 0.0)}
    if n <= _SMALL:
        pos = nx.spring_layout(g, seed=seed, iterations=80, weight=None, method="force")
        return {k: (float(v[0]), float(v[1])) for k, v in pos.items()}
    parts = [sorted(c) for c in nx.community.louvain_communities(g, seed=seed)]
    if len(parts) == 1:
        members = parts[0]
        parts = [members[i:i + _SMALL // 2] for i in range(0, len(members), _SMALL // 2)]
    parts.sort(key=lambda c: (-len(c), c[0]))
    owner = {v: i for i, c in enumerate(parts) for v in c}
    meta = nx.Graph()
    meta.add_nodes_from(range(len(parts)))
    for a, b in g.edges():
        if owner[a] != owner[b]:
            key = tuple(sorted((owner[a], owner[b])))
            meta.add_edge(*key, weight=meta.get_edge_data(*key, {"weight": 0})["weight"] + 1)
    centres = _layout_unit(meta, seed)
    spread = math.sqrt(n)
    out = {}
    for i, members in enumerate(parts):
        inner = _layout_unit(_induced(g, members), seed)
        radius = 0.55 * math.sqrt(len(members)) / spread
        cx, cy = centres[i]
        for v, (x, y) in inner.items():
            out[v] = (cx + x * radius, cy + y * radius)
    return out
