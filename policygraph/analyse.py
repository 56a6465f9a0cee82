"""Which agencies carry most responsibilities: counts, network measures, communities and explanations.

The graph is read through two named queries (``task-agency-roles`` and
``agencies``) on the contract terms only, then handed to networkx as plain
edges, so the ranking works on any graph that follows the contract.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from policygraph.errors import QueryError
from policygraph.query import format_table, load_query, queries_dir, run_query

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import rdflib

__all__ = [
    "DEFAULT_WEIGHTS",
    "DEFAULT_SEED",
    "MEASURES",
    "TYPE_MEASURES",
    "RANK_FORMATS",
    "Agency",
    "Responsibility",
    "Network",
    "Ranking",
    "ExplainedTask",
    "Explanation",
    "load_network",
    "match_names",
    "role_counts",
    "bipartite_graph",
    "co_responsibility_graph",
    "lead_support_graph",
    "network_measures",
    "communities",
    "measure_agencies",
    "rank",
    "rank_by_type",
    "explain",
    "parse_weights",
    "format_ranking",
    "format_explanation",
]

#: Weight of one task in the responsibility score, by role.
DEFAULT_WEIGHTS = {"lead": 1.0, "responsible": 1.0, "support": 0.5}
#: Seed of the Louvain community detection, so the same graph always gives the same clusters.
DEFAULT_SEED = 42
#: Agency measures, in column order, with what each means.
MEASURES = {
    "tasks": "tasks naming the agency in any role",
    "lead": "tasks it leads (牵头)",
    "support": "tasks it supports (配合, 协同)",
    "responsible": "tasks it is responsible for with no role stated (负责, 责任单位)",
    "documents": "documents it is named in",
    "jurisdictions": "jurisdictions of those documents",
    "score": "weighted responsibility score: the sum over its tasks of the weight of its role",
    "degree": "degree in the agency–task network, normalised: the share of all tasks that name it",
    "strength": "weighted degree in the co-responsibility network: tasks shared with other agencies, summed",
    "betweenness": "share of shortest paths between other agencies that pass through it (co-responsibility network)",
    "closeness": "how near it is to every agency it can reach (co-responsibility network)",
    "eigenvector": "high when it shares many tasks with agencies that are themselves central",
    "pagerank": "PageRank in the co-responsibility network",
    "coordinates": "agencies it leads in some task (out-degree, lead→support network)",
    "coordinated_by": "agencies that lead it in some task (in-degree, lead→support network)",
    "lead_pagerank": "PageRank with edges from supporter to lead: high for agencies that coordinate others",
    "community": "the cluster of agencies that work together it belongs to (Louvain)",
}
#: Measures of ``rank_by_type`` rows.
TYPE_MEASURES = ("agencies", "tasks", "share", "lead", "support", "responsible", "score")
#: Output formats of ``format_ranking``.
RANK_FORMATS = ("table", "csv", "json", "markdown")

_LEAD = "https://w3id.org/policygraph/ontology#LeadRole"
_SUPPORT = "https://w3id.org/policygraph/ontology#SupportRole"
_RESPONSIBLE = "https://w3id.org/policygraph/ontology#ResponsibleRole"
_INTEGER_MEASURES = {"tasks", "lead", "support", "responsible", "documents", "jurisdictions", "coordinates",
                     "coordinated_by", "community", "agencies"}


@dataclass(frozen=True)
class Agency:
    """An agency as the graph describes it: IRI, names, jurisdiction and type."""

    iri: str
    zh: str = ""
    en: str = ""
    jurisdiction: str = ""
    jurisdiction_zh: str = ""
    jurisdiction_en: str = ""
    type: str = ""
    type_zh: str = ""
    type_en: str = ""
    written: tuple[str, ...] = ()

    def label(self, lang: str = "zh") -> str:
        """The English name when asked for and known, else the Chinese name, else the IRI."""
        return (self.en if lang == "en" and self.en else self.zh) or self.iri

    def type_label(self, lang: str = "zh") -> str:
        return (self.type_en if lang == "en" and self.type_en else self.type_zh) or self.type

    def names(self) -> set[str]:
        return {n for n in (self.iri, self.zh, self.en, *self.written) if n}


@dataclass(frozen=True)
class Responsibility:
    """One agency named in one task, with the roles the clause gives it."""

    task: str
    agency: str
    lead: bool = False
    support: bool = False
    responsible: bool = True
    document: str = ""
    file: str = ""
    jurisdiction: str = ""
    jurisdiction_zh: str = ""
    jurisdiction_en: str = ""
    outline: str = ""
    title: str = ""
    start: int = 0

    def weight(self, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> float:
        """The task's weight in the score: the largest weight among the roles held in it."""
        held = [weights[r] for r, on in (("lead", self.lead), ("support", self.support),
                                         ("responsible", self.responsible)) if on]
        return max(held) if held else weights["responsible"]

    def roles(self) -> tuple[str, ...]:
        return tuple(r for r, on in (("lead", self.lead), ("support", self.support),
                                     ("responsible", self.responsible)) if on)


@dataclass(frozen=True)
class Network:
    """The responsibilities read from a graph (after filters) and every agency's description."""

    pairs: tuple[Responsibility, ...]
    agencies: Mapping[str, Agency]

    def agency(self, iri: str) -> Agency:
        return self.agencies.get(iri) or Agency(iri)

    def tasks(self) -> dict[str, list[Responsibility]]:
        """Task IRI → its responsibilities, in agency order."""
        out: dict[str, list[Responsibility]] = defaultdict(list)
        for pair in self.pairs:
            out[pair.task].append(pair)
        return dict(out)


@dataclass(frozen=True)
class Ranking:
    """Rows of a ranking (dicts from column to value) and the columns to show, in order."""

    columns: tuple[str, ...]
    rows: tuple[dict, ...]
    sort: str
    by: str = "agency"
    total: int = 0


@dataclass(frozen=True)
class ExplainedTask:
    """One task behind an agency's numbers: where it is, the roles held, and the other agencies named."""

    file: str
    outline: str
    title: str
    roles: tuple[str, ...]
    co_agencies: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Explanation:
    """Everything behind one agency's row of the ranking."""

    agency: Agency
    row: dict
    position: int
    total: int
    tasks: tuple[ExplainedTask, ...]
    partners: tuple[tuple[str, float], ...]
    community: tuple[str, ...]
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))


def _text(term) -> str:
    return "" if term is None else str(term)


def _named(name: str):
    return load_query(queries_dir() / f"{name}.rq")


def match_names(value: str, candidates: Mapping[str, Iterable[str]]) -> set[str]:
    """Keys whose names equal ``value`` (ignoring case and width of spaces); failing that, contain it.

    Why both: an analyst types 甘肃省, Gansu Province or just 甘肃; an exact hit must win
    over a partial one so 省科技厅 does not also pick 省科技厅's sub-offices.

    Examples
    --------
    >>> sorted(match_names("甘肃", {"j1": ["甘肃省", "Gansu Province"], "j2": ["青海省"]}))
    ['j1']
    >>> sorted(match_names("gansu province", {"j1": ["甘肃省", "Gansu Province"]}))
    ['j1']
    """
    wanted = value.strip().casefold()
    exact = {k for k, names in candidates.items() if any(n.casefold() == wanted for n in names if n)}
    if exact:
        return exact
    return {k for k, names in candidates.items() if any(wanted in n.casefold() for n in names if n)}


def _read_agencies(graph) -> dict[str, Agency]:
    result = run_query(graph, _named("agencies"))
    agencies = {}
    for row in result.dicts():
        iri = _text(row.get("agency"))
        agencies[iri] = Agency(
            iri, _text(row.get("zh")), _text(row.get("en")), _text(row.get("jurisdiction")),
            _text(row.get("jurisdictionZh")), _text(row.get("jurisdictionEn")), _text(row.get("type")),
            _text(row.get("typeZh")), _text(row.get("typeEn")),
            tuple(sorted(w for w in _text(row.get("written")).split("|") if w)))
    return agencies


def _read_jurisdictions(graph) -> dict[str, tuple[str, str]]:
    return {_text(r.get("jurisdiction")): (_text(r.get("zh")), _text(r.get("en")))
            for r in run_query(graph, _named("jurisdictions")).dicts()}


def _read_pairs(graph) -> list[Responsibility]:
    """One Responsibility per (task, agency), merging the rows of its several stated roles."""
    labels = _read_jurisdictions(graph)
    merged: dict[tuple[str, str], dict] = {}
    for row in run_query(graph, _named("task-agency-roles")).dicts():
        key = (_text(row.get("task")), _text(row.get("agency")))
        item = merged.setdefault(key, {"lead": False, "support": False, "stated": False, "assigned": False,
                                       "row": row})
        item["lead"] |= bool(row.get("lead") is not None and row["lead"].toPython())
        item["support"] |= bool(row.get("support") is not None and row["support"].toPython())
        role = _text(row.get("role"))
        if role:
            item["assigned"] = True
            item["stated"] |= role == _RESPONSIBLE
    pairs = []
    for (task, agency), item in sorted(merged.items()):
        row = item["row"]
        plain = item["stated"] or not (item["assigned"] or item["lead"] or item["support"])
        pairs.append(Responsibility(
            task, agency, item["lead"], item["support"], plain, _text(row.get("document")), _text(row.get("file")),
            _text(row.get("jurisdiction")), *labels.get(_text(row.get("jurisdiction")), ("", "")),
            _text(row.get("outline")), _text(row.get("title")),
            int(row["start"].toPython()) if row.get("start") is not None else 0))
    return pairs


def load_network(graph: "rdflib.Graph", jurisdiction: str | None = None, document: str | None = None) -> Network:
    """Read the task–agency responsibilities of a graph, keeping the tasks of one jurisdiction or document.

    Parameters
    ----------
    graph : rdflib.Graph or rdflib.Dataset
    jurisdiction : str, optional
        Keep tasks of documents of this jurisdiction (its Chinese or English name, part of it, or IRI).
    document : str, optional
        Keep tasks of this document (its file name, part of it, or IRI).
    """
    agencies = _read_agencies(graph)
    pairs = _read_pairs(graph)
    if jurisdiction:
        names = defaultdict(set)
        for p in pairs:
            names[p.jurisdiction] |= {p.jurisdiction, p.jurisdiction_zh, p.jurisdiction_en}
        keep = match_names(jurisdiction, names)
        if not keep:
            raise QueryError(f"no tasks in a jurisdiction matching {jurisdiction!r}; "
                             f"known: {', '.join(sorted({p.jurisdiction_zh for p in pairs if p.jurisdiction_zh}))}")
        pairs = [p for p in pairs if p.jurisdiction in keep]
    if document:
        names = defaultdict(set)
        for p in pairs:
            names[p.document] |= {p.document, p.file}
        keep = match_names(document, names)
        if not keep:
            raise QueryError(f"no tasks in a document matching {document!r}; "
                             f"known: {', '.join(sorted({p.file for p in pairs if p.file}))}")
        pairs = [p for p in pairs if p.document in keep]
    return Network(tuple(pairs), agencies)


def role_counts(net: Network, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> dict[str, dict[str, float]]:
    """Per agency: tasks, lead, support, responsible, documents, jurisdictions and the weighted score.

    A task counts once in ``tasks`` and once in each role the agency holds in it;
    its weight in ``score`` is that of the agency's strongest role in it.
    """
    out: dict[str, dict] = {}
    for p in net.pairs:
        row = out.setdefault(p.agency, {"tasks": set(), "lead": set(), "support": set(), "responsible": set(),
                                        "documents": set(), "jurisdictions": set(), "score": 0.0})
        if p.task in row["tasks"]:
            continue
        row["tasks"].add(p.task)
        for role in p.roles():
            row[role].add(p.task)
        row["documents"].add(p.document)
        row["jurisdictions"].add(p.jurisdiction)
        row["score"] += p.weight(weights)
    return {a: {k: (v if k == "score" else len(v - {""}) if k == "jurisdictions" else len(v))
                for k, v in row.items()} for a, row in out.items()}


def bipartite_graph(net: Network) -> "nx.Graph":
    """The agency–task graph: agencies (``bipartite=0``) linked to the tasks that name them (``bipartite=1``)."""
    import networkx as nx

    g = nx.Graph()
    for p in net.pairs:
        g.add_node(p.agency, bipartite=0)
        g.add_node(p.task, bipartite=1)
        g.add_edge(p.agency, p.task)
    return g


def co_responsibility_graph(net: Network, weighting: str = "tasks") -> "nx.Graph":
    """Agencies linked when they share a task, weighted by shared tasks or by Newman's collaboration weight.

    With ``weighting="newman"`` a task naming n agencies adds 1/(n-1) to each of its pairs, so
    a long list of co-responsible agencies counts less than a two-agency task. Every edge
    also gets ``distance`` = 1/weight, because path measures read edge values as lengths.
    """
    import networkx as nx

    if weighting not in ("tasks", "newman"):
        raise QueryError(f"unknown weighting {weighting!r}; use tasks or newman")
    weights: Counter = Counter()
    g = nx.Graph()
    for task, pairs in net.tasks().items():
        agencies = sorted({p.agency for p in pairs})
        g.add_nodes_from(agencies)
        if len(agencies) < 2:
            continue
        share = 1.0 if weighting == "tasks" else 1.0 / (len(agencies) - 1)
        for a, b in combinations(agencies, 2):
            weights[(a, b)] += share
    for (a, b), w in sorted(weights.items()):
        g.add_edge(a, b, weight=w, distance=1.0 / w)
    return g


def lead_support_graph(net: Network) -> "nx.DiGraph":
    """A directed edge from each lead agency to each supporting agency of the same task, weighted by tasks."""
    import networkx as nx

    g = nx.DiGraph()
    weights: Counter = Counter()
    for task, pairs in net.tasks().items():
        g.add_nodes_from(p.agency for p in pairs)
        leads = sorted({p.agency for p in pairs if p.lead})
        supports = sorted({p.agency for p in pairs if p.support})
        for a in leads:
            for b in supports:
                if a != b:
                    weights[(a, b)] += 1
    for (a, b), w in sorted(weights.items()):
        g.add_edge(a, b, weight=float(w))
    return g


def communities(g: "nx.Graph", seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Louvain communities of the co-responsibility network, numbered 1… from the largest.

    The fixed seed makes the clusters reproducible; ties in size are ordered by their first member.
    """
    import networkx as nx

    if g.number_of_nodes() == 0:
        return {}
    found = nx.community.louvain_communities(g, weight="weight", seed=seed)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return {node: i for i, members in enumerate(ordered, 1) for node in members}


def _eigenvector(g: "nx.Graph") -> dict[str, float]:
    """Eigenvector centrality within each connected group, scaled so each group's most central agency has 1.

    Why per group: agencies of different provinces never share a task, so the graph falls
    apart into groups, and on the whole graph the measure is zero outside the largest one.
    """
    import networkx as nx

    out = {n: 0.0 for n in g}
    for nodes in nx.connected_components(g):
        if len(nodes) < 2:
            continue
        sub = g.subgraph(nodes)
        try:
            values = nx.eigenvector_centrality(sub, weight="weight", max_iter=10000, tol=1e-12)
        except nx.PowerIterationFailedConvergence:  # pragma: no cover - pathological graphs
            values = {n: float("nan") for n in sub}
        top = max(values.values())
        out.update({n: v / top for n, v in values.items()})
    return out


def network_measures(net: Network, weighting: str = "tasks", seed: int = DEFAULT_SEED) -> dict[str, dict[str, float]]:
    """Measure name → agency IRI → value, for every network measure of ``MEASURES``.

    On graphs of more than 1,000 agencies betweenness is estimated from 1,000 sampled
    sources (seeded), because exact betweenness in networkx grows as agencies × edges.
    """
    import networkx as nx

    bip = bipartite_graph(net)
    agencies = sorted({p.agency for p in net.pairs})
    n_tasks = len({p.task for p in net.pairs}) or 1
    co = co_responsibility_graph(net, weighting)
    ls = lead_support_graph(net)
    k = 1000 if co.number_of_nodes() > 1000 else None
    out = {
        "degree": {a: bip.degree(a) / n_tasks for a in agencies},
        "strength": dict(co.degree(weight="weight")),
        "betweenness": nx.betweenness_centrality(co, weight="distance", k=k, seed=seed) if co else {},
        "closeness": nx.closeness_centrality(co, distance="distance", wf_improved=False) if co else {},
        "eigenvector": _eigenvector(co),
        "pagerank": nx.pagerank(co, weight="weight") if co else {},
        "coordinates": dict(ls.out_degree()),
        "coordinated_by": dict(ls.in_degree()),
        "lead_pagerank": nx.pagerank(ls.reverse(copy=True), weight="weight") if ls else {},
        "community": communities(co, seed),
    }
    return out


def measure_agencies(net: Network, weights: Mapping[str, float] = DEFAULT_WEIGHTS, weighting: str = "tasks",
                     seed: int = DEFAULT_SEED) -> dict[str, dict[str, float]]:
    """Agency IRI → every measure of ``MEASURES``: role counts, score and network measures."""
    counts = role_counts(net, weights)
    network = network_measures(net, weighting, seed)
    out = {}
    for agency, row in counts.items():
        row = dict(row)
        for name, values in network.items():
            row[name] = values.get(agency, 0)
        out[agency] = {m: row[m] for m in MEASURES}
    return out


def _sorted_rows(rows: list[dict], sort: str) -> list[dict]:
    return sorted(rows, key=lambda r: (-(r.get(sort) or 0) if sort != "community" else r.get(sort) or 0,
                                       -r.get("tasks", 0), r["agency"]))


def _check_sort(sort: str, allowed: Sequence[str]) -> None:
    if sort not in allowed:
        raise QueryError(f"cannot sort by {sort!r}; use one of {', '.join(allowed)}")


def _agency_rows(net: Network, measured: Mapping[str, Mapping], lang: str) -> list[dict]:
    rows = []
    for iri, values in measured.items():
        agency = net.agency(iri)
        rows.append({"agency": agency.label(lang), "iri": iri,
                     "jurisdiction": (agency.jurisdiction_en if lang == "en" and agency.jurisdiction_en
                                      else agency.jurisdiction_zh),
                     "type": agency.type_label(lang), **values})
    return rows


def _types_matching(net: Network, agency_type: str) -> set[str]:
    names = defaultdict(set)
    for a in net.agencies.values():
        if a.type:
            names[a.type] |= {a.type, a.type.rsplit("#", 1)[-1], a.type_zh, a.type_en}
    found = match_names(agency_type, names)
    if not found:
        raise QueryError(f"no agency type matching {agency_type!r}")
    return found


def rank(graph: "rdflib.Graph", *, jurisdiction: str | None = None, document: str | None = None,
         agency_type: str | None = None, weights: Mapping[str, float] = DEFAULT_WEIGHTS, weighting: str = "tasks",
         sort: str = "score", top: int | None = None, lang: str = "zh", seed: int = DEFAULT_SEED) -> Ranking:
    """Rank the agencies of a graph by a measure of their responsibilities.

    Parameters
    ----------
    graph : rdflib.Graph or rdflib.Dataset
    jurisdiction, document : str, optional
        Build the networks from the tasks of this jurisdiction's or document's documents only.
    agency_type : str, optional
        Show only agencies of this type (Chinese or English name, local name or IRI); the
        networks still include every agency, so the measures are those of the whole network.
    weights : mapping
        Weight of a task in ``score`` by role (``lead``, ``support``, ``responsible``).
    weighting : str
        ``tasks`` (shared tasks) or ``newman`` (1/(n-1) per task) for the co-responsibility edges.
    sort : str
        The measure to sort by (a key of ``MEASURES``); ties go to more tasks, then the name.
    top : int, optional
        Keep the first ``top`` rows.
    lang : str
        ``en`` shows English names where they exist.
    """
    _check_sort(sort, list(MEASURES))
    net = load_network(graph, jurisdiction, document)
    return _rank_network(net, agency_type, weights, weighting, sort, top, lang, seed)


def _rank_network(net: Network, agency_type, weights, weighting, sort, top, lang, seed) -> Ranking:
    rows = _agency_rows(net, measure_agencies(net, weights, weighting, seed), lang)
    if agency_type:
        types = _types_matching(net, agency_type)
        rows = [r for r in rows if net.agency(r["iri"]).type in types]
    rows = _sorted_rows(rows, sort)
    total = len(rows)
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return Ranking(("rank", "agency", *MEASURES), tuple(rows[:top] if top else rows), sort, "agency", total)


def rank_by_type(graph: "rdflib.Graph", *, jurisdiction: str | None = None, document: str | None = None,
                 agency_type: str | None = None, weights: Mapping[str, float] = DEFAULT_WEIGHTS,
                 sort: str = "share", top: int | None = None, lang: str = "zh") -> Ranking:
    """Agency types compared across jurisdictions: one row per type and jurisdiction of the documents.

    ``share`` is the share of the jurisdiction's tasks (those naming any agency) that name an
    agency of the type, so a province with many tasks does not dominate. Types are ordered by
    their tasks over all jurisdictions; ``top`` keeps that many types; rows of a type are
    sorted by ``sort``.
    """
    _check_sort(sort, TYPE_MEASURES)
    net = load_network(graph, jurisdiction, document)
    keep = _types_matching(net, agency_type) if agency_type else None
    juris_tasks: dict[str, set] = defaultdict(set)
    juris_label: dict[str, str] = {}
    groups: dict[tuple[str, str], dict] = {}
    for p in net.pairs:
        juris_tasks[p.jurisdiction].add(p.task)
        juris_label[p.jurisdiction] = (p.jurisdiction_en if lang == "en" and p.jurisdiction_en
                                       else p.jurisdiction_zh) or p.jurisdiction
        agency = net.agency(p.agency)
        if keep is not None and agency.type not in keep:
            continue
        g = groups.setdefault((agency.type, p.jurisdiction), {
            "type": agency.type_label(lang), "agencies": set(), "tasks": set(), "lead": set(), "support": set(),
            "responsible": set(), "score": {}})
        g["agencies"].add(p.agency)
        g["tasks"].add(p.task)
        for role in p.roles():
            g[role].add(p.task)
        g["score"][p.task] = max(g["score"].get(p.task, 0.0), p.weight(weights))
    rows = []
    type_tasks: Counter = Counter()
    for (type_iri, juris), g in groups.items():
        row = {"type": g["type"], "type_iri": type_iri, "jurisdiction": juris_label.get(juris, juris),
               "agencies": len(g["agencies"]), "tasks": len(g["tasks"]),
               "share": len(g["tasks"]) / len(juris_tasks[juris]), "lead": len(g["lead"]),
               "support": len(g["support"]), "responsible": len(g["responsible"]),
               "score": sum(g["score"].values())}
        rows.append(row)
        type_tasks[type_iri] += row["tasks"]
    order = sorted(type_tasks, key=lambda t: (-type_tasks[t], t))
    if top:
        order = order[:top]
    position = {t: i for i, t in enumerate(order)}
    rows = [r for r in rows if r["type_iri"] in position]
    rows.sort(key=lambda r: (position[r["type_iri"]], -r[sort], r["jurisdiction"]))
    return Ranking(("type", "jurisdiction", *TYPE_MEASURES), tuple(rows), sort, "type", len(type_tasks))


def explain(graph: "rdflib.Graph", agency: str, *, jurisdiction: str | None = None, document: str | None = None,
            weights: Mapping[str, float] = DEFAULT_WEIGHTS, weighting: str = "tasks", lang: str = "zh",
            seed: int = DEFAULT_SEED) -> Explanation:
    """The tasks, roles and co-agencies behind one agency's numbers.

    ``agency`` is its full name, a name the documents use (省科技厅) or its IRI; a name that
    fits several agencies is an error that lists them (add ``jurisdiction`` or use the full name).
    """
    net = load_network(graph, jurisdiction, document)
    present = {p.agency for p in net.pairs}
    found = match_names(agency, {iri: net.agency(iri).names() for iri in present})
    if not found:
        raise QueryError(f"no agency named {agency!r} in the tasks of this graph")
    if len(found) > 1:
        names = ", ".join(sorted(net.agency(i).label(lang) for i in found))
        raise QueryError(f"{agency!r} names {len(found)} agencies: {names}; give the full name or --jurisdiction")
    iri = found.pop()
    ranking = _rank_network(net, None, weights, weighting, "score", None, lang, seed)
    row = next(r for r in ranking.rows if r["iri"] == iri)
    explained = []
    order = {"lead": 0, "support": 1, "responsible": 2}
    for task, pairs in sorted(net.tasks().items(), key=lambda kv: (kv[1][0].file, kv[1][0].start, kv[0])):
        mine = [p for p in pairs if p.agency == iri]
        if not mine:
            continue
        others = sorted((order[p.roles()[0]] if p.roles() else 2, net.agency(p.agency).label(lang),
                         "/".join(p.roles())) for p in pairs if p.agency != iri)
        others = tuple((name, roles) for _, name, roles in others)
        explained.append(ExplainedTask(mine[0].file, mine[0].outline, mine[0].title, mine[0].roles(), others))
    co = co_responsibility_graph(net, weighting)
    partners = sorted(((net.agency(b).label(lang), d["weight"]) for b, d in co[iri].items()),
                      key=lambda x: (-x[1], x[0]))
    members = tuple(sorted(r["agency"] for r in ranking.rows if r["community"] == row["community"]))
    return Explanation(net.agency(iri), row, row["rank"], ranking.total, tuple(explained), tuple(partners),
                       members, dict(weights))


def parse_weights(text: str | None) -> dict[str, float]:
    """Role weights from ``lead=1,support=0.5,responsible=1``; roles not given keep their default.

    Examples
    --------
    >>> parse_weights("support=0.25")
    {'lead': 1.0, 'responsible': 1.0, 'support': 0.25}
    """
    weights = dict(DEFAULT_WEIGHTS)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        role, _, value = part.partition("=")
        role = role.strip()
        if role not in weights:
            raise QueryError(f"unknown role {role!r} in weights; use lead, support and responsible")
        try:
            weights[role] = float(value)
        except ValueError as exc:
            raise QueryError(f"weight of {role} must be a number, not {value!r}") from exc
    return weights


def _cell(column: str, value) -> str | int | float:
    if isinstance(value, float) and column not in _INTEGER_MEASURES:
        return round(value, 4)
    return value


def format_ranking(ranking: Ranking, fmt: str = "table") -> str:
    """A ranking as an aligned ``table``, ``csv``, ``json`` (a list of row objects) or ``markdown``.

    The table and Markdown show the ranking's columns; CSV and JSON add each agency's IRI,
    jurisdiction and type (each type's IRI for ``--by type``).
    """
    import csv
    import io

    if fmt not in RANK_FORMATS:
        raise QueryError(f"unknown format {fmt!r}; use one of {', '.join(RANK_FORMATS)}")
    columns = list(ranking.columns)
    extra = ["iri", "jurisdiction", "type"] if ranking.by == "agency" else ["type_iri"]
    if fmt == "json":
        return json.dumps([{c: _cell(c, r.get(c)) for c in [*columns, *extra]} for r in ranking.rows],
                          ensure_ascii=False, indent=2)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([*columns, *extra])
        writer.writerows([_cell(c, r.get(c)) for c in [*columns, *extra]] for r in ranking.rows)
        return buffer.getvalue()
    cells = [[_short(c, r.get(c)) for c in columns] for r in ranking.rows]
    if fmt == "markdown":
        numeric = [c not in ("agency", "type", "jurisdiction") for c in columns]
        lines = ["| " + " | ".join(columns) + " |",
                 "|" + "|".join("---:" if n else "---" for n in numeric) + "|"]
        lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in cells]
        return "\n".join(lines)
    return format_table(columns, cells, numeric=[c not in ("agency", "type", "jurisdiction") for c in columns])


def _short(column: str, value) -> str:
    if isinstance(value, float) and column not in _INTEGER_MEASURES:
        if column in ("score", "strength"):
            return f"{value:g}"
        return f"{value:.3f}"
    return "" if value is None else str(value)


def format_explanation(exp: Explanation, lang: str = "zh") -> str:
    """The text of ``policygraph rank --explain``: the numbers, then the tasks and partners behind them."""
    a, row = exp.agency, exp.row
    other = a.en if lang != "en" else a.zh
    lines = [f"{a.label(lang)}" + (f" ({other})" if other else ""),
             f"jurisdiction: {row['jurisdiction']}   type: {row['type']}   IRI: {a.iri}",
             f"rank {exp.position} of {exp.total} by score",
             "",
             f"tasks {row['tasks']}: lead {row['lead']}, support {row['support']}, "
             f"responsible with no role stated {row['responsible']}; "
             f"in {row['documents']} document(s) of {row['jurisdictions']} jurisdiction(s)",
             f"score {row['score']:g} = " + " + ".join(
                 f"{n} × {exp.weights[r]:g} ({r})" for r, n in _score_terms(exp) if n),
             "network: " + ", ".join(f"{m} {_short(m, row[m])}" for m in
                                     ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank",
                                      "coordinates", "coordinated_by", "lead_pagerank", "community")),
             "",
             f"tasks ({len(exp.tasks)}):"]
    table = [[t.file, t.outline, t.title, "/".join(t.roles),
              ("、" if lang != "en" else ", ").join(f"{n}({r})" if r != "responsible" else n
                                                    for n, r in t.co_agencies)] for t in exp.tasks]
    lines.append(_indent(format_table(["document", "outline", "task", "role", "co-agencies"], table,
                                      max_width=80)))
    lines += ["", f"shares tasks with ({len(exp.partners)}):"]
    lines.append(_indent(format_table(["agency", "shared"], [[n, f"{w:g}"] for n, w in exp.partners],
                                      numeric=[False, True])))
    lines += ["", f"community {row['community']} ({len(exp.community)} agencies): "
              + ("、" if lang != "en" else "; ").join(exp.community)]
    return "\n".join(lines)


def _score_terms(exp: Explanation) -> list[tuple[str, int]]:
    """How many tasks weigh in the score at each role's weight (the strongest role of each task)."""
    counts: Counter = Counter()
    for t in exp.tasks:
        best = max(t.roles, key=lambda r: exp.weights[r]) if t.roles else "responsible"
        counts[best] += 1
    return [(r, counts[r]) for r in ("lead", "responsible", "support")]


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
