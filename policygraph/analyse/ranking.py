"""Which agencies carry most responsibilities: rankings of agencies and of agency types, and the reasons behind a row."""
from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Mapping, Sequence

from policygraph.errors import UsageError
from policygraph.model import RESPONSIBLE, ROLES
from policygraph.query import resolve_agency_type

from .measures import co_matrix, measure_agencies, summary_measures
from .model import (
    DEFAULT_SEED, DEFAULT_WEIGHTS, MEASURES, TYPE_MEASURES, ExplainedTask, Explanation, Network, NetworkSummary, Ranking,
)
from .network import load_network, load_summary, match_names, read_task_details

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = ["rank", "rank_by_type", "explain", "parse_weights"]


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
            raise UsageError(f"unknown role {role!r} in weights; use lead, support and responsible")
        try:
            weights[role] = float(value)
        except ValueError as exc:
            raise UsageError(f"weight of {role} must be a number, not {value!r}") from exc
    return weights


def _sorted_rows(rows: list[dict], sort: str) -> list[dict]:
    return sorted(rows, key=lambda r: (-(r.get(sort) or 0) if sort != "community" else r.get(sort) or 0,
                                       -r.get("tasks", 0), r["agency"]))


def _check_sort(sort: str, allowed: Sequence[str]) -> None:
    if sort not in allowed:
        raise UsageError(f"cannot sort by {sort!r}; use one of {', '.join(allowed)}")


def _agency_rows(net: Network | NetworkSummary, measured: Mapping[str, Mapping], lang: str) -> list[dict]:
    rows = []
    for iri, values in measured.items():
        agency = net.agency(iri)
        rows.append({"agency": agency.label(lang), "iri": iri,
                     "jurisdiction": (agency.jurisdiction_en if lang == "en" and agency.jurisdiction_en
                                      else agency.jurisdiction_zh),
                     "type": agency.type_label(lang), **values})
    return rows


def _types_matching(graph, agency_type: str) -> set[str]:
    return {resolve_agency_type(graph, agency_type)}


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
    whole = not (jurisdiction or document) and dict(weights) == DEFAULT_WEIGHTS and weighting == "tasks"
    summary = load_summary(graph) if whole else None
    agency_type = agency_type and next(iter(_types_matching(graph, agency_type)))
    if summary is not None:
        return _ranked(summary, summary_measures(summary, seed), agency_type, sort, top, lang)
    net = load_network(graph, jurisdiction, document)
    return _rank_network(net, agency_type, weights, weighting, sort, top, lang, seed)


def _rank_network(net: Network, agency_type, weights, weighting, sort, top, lang, seed) -> Ranking:
    return _ranked(net, measure_agencies(net, weights, weighting, seed), agency_type, sort, top, lang)


def _ranked(net: Network | NetworkSummary, measured: Mapping[str, Mapping], agency_type, sort, top, lang) -> Ranking:
    """The ranking of measured agencies: the rows of one type (``agency_type``, if given), sorted and numbered."""
    rows = _agency_rows(net, measured, lang)
    if agency_type:
        types = {agency_type}
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
    keep = _types_matching(graph, agency_type) if agency_type else None
    groups, juris_tasks, juris_label = _type_groups(net, keep, weights, lang)
    rows = []
    type_tasks: Counter = Counter()
    for (type_iri, juris), g in groups.items():
        row = {"type": g["type"], "type_iri": type_iri, "jurisdiction": juris_label.get(juris, juris),
               "agencies": len(g["agencies"]), "tasks": len(g["tasks"]),
               "share": len(g["tasks"]) / len(juris_tasks[juris]), **{role: len(g[role]) for role in ROLES},
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


def _type_groups(net: Network, keep: set[str] | None, weights: Mapping[str, float], lang: str):
    """The pairs grouped by (agency type, jurisdiction), with every jurisdiction's tasks and name.

    Each group holds its agencies, its tasks, its tasks by role and each task's weight in the
    score; types outside ``keep`` get no group, but their tasks still count for the jurisdiction.
    """
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
            "type": agency.type_label(lang), "agencies": set(), "tasks": set(), **{role: set() for role in ROLES},
            "score": {}})
        g["agencies"].add(p.agency)
        g["tasks"].add(p.task)
        for role in p.roles():
            g[role].add(p.task)
        g["score"][p.task] = max(g["score"].get(p.task, 0.0), p.weight(weights))
    return groups, juris_tasks, juris_label


def explain(graph: "rdflib.Graph", agency: str, *, jurisdiction: str | None = None, document: str | None = None,
            weights: Mapping[str, float] = DEFAULT_WEIGHTS, weighting: str = "tasks", lang: str = "zh",
            seed: int = DEFAULT_SEED) -> Explanation:
    """The tasks, roles and co-agencies behind one agency's numbers.

    ``agency`` is its full name, a name the documents use (省科技厅) or its IRI; a name that
    fits several agencies is an error that lists them (add ``jurisdiction`` or use the full name).
    """
    net = load_network(graph, jurisdiction, document)
    iri = _one_agency(net, agency, lang)
    ranking = _rank_network(net, None, weights, weighting, "score", None, lang, seed)
    row = next(r for r in ranking.rows if r["iri"] == iri)
    members = tuple(sorted(r["agency"] for r in ranking.rows if r["community"] == row["community"]))
    return Explanation(net.agency(iri), row, row["rank"], ranking.total, _explained_tasks(graph, net, iri, lang),
                       _partners(net, iri, weighting, lang), members, dict(weights))


def _one_agency(net: Network, agency: str, lang: str) -> str:
    """The IRI of the one agency of the network's tasks that ``agency`` names; none or several is an error."""
    present = {p.agency for p in net.pairs}
    found = match_names(agency, {iri: net.agency(iri).names() for iri in present})
    if not found:
        raise UsageError(f"no agency named {agency!r} in the tasks of this graph")
    if len(found) > 1:
        names = ", ".join(sorted(net.agency(i).label(lang) for i in found))
        raise UsageError(f"{agency!r} names {len(found)} agencies: {names}; give the full name or --jurisdiction")
    return found.pop()


def _explained_tasks(graph, net: Network, iri: str, lang: str) -> tuple[ExplainedTask, ...]:
    """The tasks naming the agency, in document and text order, with its roles and the other agencies named."""
    tasks = {t: pairs for t, pairs in net.tasks().items() if any(p.agency == iri for p in pairs)}
    details = read_task_details(graph, tasks)
    explained = []
    order = {role: position for position, role in enumerate(ROLES)}
    for task, pairs in sorted(tasks.items(), key=lambda kv: (kv[1][0].file, details.get(kv[0], ("", 0))[1], kv[0])):
        mine = next(p for p in pairs if p.agency == iri)
        outline, _, title, text = details.get(task, ("", 0, "", ""))
        others = sorted((order[p.roles()[0]] if p.roles() else order[RESPONSIBLE], net.agency(p.agency).label(lang),
                         "/".join(p.roles())) for p in pairs if p.agency != iri)
        others = tuple((name, roles) for _, name, roles in others)
        explained.append(ExplainedTask(mine.file, outline, title, mine.roles(), others, text))
    return tuple(explained)


def _partners(net: Network, iri: str, weighting: str, lang: str) -> tuple[tuple[str, float], ...]:
    """The agencies sharing tasks with the agency and the weight of what they share, most first."""
    inc = net._incidence
    shared = co_matrix(inc, weighting)[[inc.agencies.index(iri)]]
    return tuple(sorted(((net.agency(inc.agencies[b]).label(lang), w) for b, w in
                         zip(shared.indices.tolist(), shared.data.tolist())), key=lambda x: (-x[1], x[0])))
