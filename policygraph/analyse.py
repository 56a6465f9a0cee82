"""Which agencies carry most responsibilities: counts, network measures, communities and explanations.

The graph is read on the contract terms only, so the ranking works on any graph
that follows the contract: through the ``task-agency-roles`` and ``agencies`` named
queries, or, on a store, straight from Oxigraph with queries that it answers
fast. The networks are then sparse matrices (scipy); igraph measures paths and
finds communities.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Iterable, Mapping, NamedTuple, Sequence

import numpy as np

from policygraph.errors import QueryError, UsageError
from policygraph.query import _clip, csv_text, format_table, load_query, markdown_table, queries_dir, run_query, tsv_cell
from policygraph.store import NativeView, native_view

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
    "louvain",
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
#: Above this much shortest-path work (``_path_work``, about two seconds' worth), betweenness is
#: estimated from ``_SAMPLED_SOURCES`` sources instead of computed exactly.
_EXACT_PATH_WORK = 60_000_000
_SAMPLED_SOURCES = 1000
#: Output formats of ``format_ranking``.
RANK_FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")

_LEAD = "https://w3id.org/policygraph/ontology#LeadRole"
_SUPPORT = "https://w3id.org/policygraph/ontology#SupportRole"
_RESPONSIBLE = "https://w3id.org/policygraph/ontology#ResponsibleRole"
_INTEGER_MEASURES = {"tasks", "lead", "support", "responsible", "documents", "jurisdictions", "coordinates",
                     "coordinated_by", "community", "agencies"}

# Read on a store only (``_store_roles``, ``_store_agencies``). Each sub-select is one scan of one
# property: Oxigraph joins sub-selects by hash, where it would join plain patterns by a lookup per row.
_STORE_AGENCIES = "SELECT DISTINCT ?agency WHERE { ?task pg:responsibleAgency ?agency }"
#: Each task with its agencies, each written as its number in NUMBERS (``(<IRI> n)`` pairs) and
#: ``+lead``/``+support``: one row per task and no agency IRI written, because writing IRIs
#: (a string look-up each) is most of what Oxigraph spends on a large result.
_STORE_PAIRS = """SELECT ?task (GROUP_CONCAT(?cell) AS ?agencies) WHERE {
  { SELECT ?task ?agency WHERE { ?task pg:responsibleAgency ?agency } }
  VALUES (?agency ?number) { NUMBERS }
  OPTIONAL { SELECT ?task ?agency (true AS ?lead) WHERE { ?task pg:leadAgency ?agency } }
  OPTIONAL { SELECT ?task ?agency (true AS ?support) WHERE { ?task pg:supportingAgency ?agency } }
  BIND(CONCAT(STR(?number), IF(BOUND(?lead), "+lead", ""), IF(BOUND(?support), "+support", "")) AS ?cell)
} GROUP BY ?task"""
#: The assignments that overrule what lead and support say of a pair: a pg:ResponsibleRole
#: stated for a lead or supporting agency, or another role stated for any other agency.
_STORE_ROLE_EXCEPTIONS = """SELECT ?task ?agency ?role WHERE {
  { SELECT ?as ?role WHERE { ?as pg:role ?role } }
  { SELECT ?as ?agency WHERE { ?as pg:agent ?agency } }
  { SELECT ?task ?as WHERE { ?task pg:assignment ?as } }
  OPTIONAL { SELECT DISTINCT ?task ?agency (true AS ?ranked) WHERE { ?task pg:leadAgency|pg:supportingAgency ?agency } }
  FILTER(IF(BOUND(?ranked), sameTerm(?role, pg:ResponsibleRole), !sameTerm(?role, pg:ResponsibleRole)))
}"""
#: Which of the (task, agency) pairs in PAIRS an assignment states pg:ResponsibleRole for.
_STORE_STATED = """SELECT ?task ?agency WHERE {
  VALUES (?task ?agency) { PAIRS }
  ?task pg:assignment ?as . ?as pg:role pg:ResponsibleRole ; pg:agent ?agency .
}"""
_STORE_TASK_DOCUMENTS = """SELECT ?task ?document WHERE {
  { SELECT DISTINCT ?task WHERE { ?task pg:responsibleAgency ?agency } }
  { SELECT ?task ?document WHERE { ?task pg:inDocument ?document } }
}"""
_STORE_AGENCY_NAMES = """SELECT ?agency ?zh ?en ?jurisdiction ?type WHERE {
  ?agency a pg:Agency .
  OPTIONAL { ?agency rdfs:label ?zh FILTER(langMatches(lang(?zh), "zh")) }
  OPTIONAL { ?agency rdfs:label ?en FILTER(langMatches(lang(?en), "en")) }
  OPTIONAL { ?agency pg:jurisdiction ?jurisdiction }
  OPTIONAL { ?agency pg:agencyType ?type }
}"""
_STORE_AGENCY_ALIASES = "SELECT ?agency ?alt WHERE { ?agency a pg:Agency ; skos:altLabel ?alt }"
_STORE_AGENCY_PLACES = """SELECT ?term ?zh ?en WHERE {
  { SELECT DISTINCT ?term WHERE { ?agency a pg:Agency ; pg:jurisdiction ?term } }
  OPTIONAL { ?term rdfs:label ?zh FILTER(langMatches(lang(?zh), "zh")) }
  OPTIONAL { ?term rdfs:label ?en FILTER(langMatches(lang(?en), "en")) }
}"""
_STORE_AGENCY_TYPES = """SELECT ?term ?zh ?en WHERE {
  { SELECT DISTINCT ?term WHERE { ?agency a pg:Agency ; pg:agencyType ?term } }
  OPTIONAL { ?term skos:prefLabel ?zh FILTER(langMatches(lang(?zh), "zh")) }
  OPTIONAL { ?term skos:prefLabel ?en FILTER(langMatches(lang(?en), "en")) }
}"""
_STORE_FILES = "SELECT ?document ?file WHERE { ?document pg:sourceFile ?file }"
_STORE_JURISDICTIONS = "SELECT ?document ?jurisdiction WHERE { ?document pg:jurisdiction ?jurisdiction }"
_JURISDICTION_LABELS = """SELECT ?jurisdiction ?zh ?en WHERE {
  ?jurisdiction a pg:Jurisdiction .
  OPTIONAL { ?jurisdiction rdfs:label ?zh FILTER(langMatches(lang(?zh), "zh")) }
  OPTIONAL { ?jurisdiction rdfs:label ?en FILTER(langMatches(lang(?en), "en")) }
}"""
_TASK_DETAILS = """SELECT ?task ?outline ?start ?title ?text WHERE {
  VALUES ?task { TASKS }
  OPTIONAL { ?task pg:outline ?outline }
  OPTIONAL { ?task pg:startOffset ?start }
  OPTIONAL { ?task dcterms:title ?title }
  OPTIONAL { ?task pg:taskText ?text }
}"""


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


class Responsibility(NamedTuple):
    """One agency named in one task, with the roles the clause gives it.

    A named tuple rather than a dataclass because a large store holds millions of
    pairs, and tuples are made several times faster. ``load_network`` leaves
    ``outline``, ``title`` and ``start`` empty: ``explain`` reads them for the tasks it shows.
    """

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

    @cached_property
    def _incidence(self) -> "_Incidence":
        """The pairs as index arrays, made once: the counts, the measures and the graphs all read them."""
        return _index_pairs(self.pairs)

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
    """One task behind an agency's numbers: where it is, the roles held, the other agencies named, and what it says."""

    file: str
    outline: str
    title: str
    roles: tuple[str, ...]
    co_agencies: tuple[tuple[str, str], ...]
    text: str = ""  # pg:taskText: the item as written, clause included


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
    """Agency IRI → its description: the ``agencies`` named query, or on a store the same read in simple parts."""
    native = native_view(graph)
    agencies = {}
    for row in _select(graph, _named("agencies").text) if native is None else _store_agencies(native):
        iri = row.get("agency", "")
        agencies[iri] = Agency(
            iri, row.get("zh", ""), row.get("en", ""), row.get("jurisdiction", ""), row.get("jurisdictionZh", ""),
            row.get("jurisdictionEn", ""), row.get("type", ""), row.get("typeZh", ""), row.get("typeEn", ""),
            tuple(sorted(w for w in row.get("written", "").split("|") if w)))
    return agencies


def _store_agencies(native: "NativeView") -> list[dict[str, str]]:
    """The rows of the ``agencies`` named query, one per agency, from four simple queries.

    Oxigraph evaluates the named query's nested optional labels and its grouping slowly
    (a second at a few thousand agencies). Where an agency has several values, the
    largest is kept.
    """
    aliases: dict[str, set[str]] = defaultdict(set)
    for row in native.dicts(_STORE_AGENCY_ALIASES):
        aliases[row["agency"]].add(row["alt"])
    places = _names(native.dicts(_STORE_AGENCY_PLACES))
    types = _names(native.dicts(_STORE_AGENCY_TYPES))
    rows: dict[str, dict[str, str]] = {}
    for row in native.dicts(_STORE_AGENCY_NAMES):
        key = tuple(row.get(k, "") for k in ("zh", "en", "jurisdiction", "type"))
        if row["agency"] not in rows or key > rows[row["agency"]]["key"]:
            rows[row["agency"]] = {"key": key, **row}
    for iri, row in rows.items():
        del row["key"]
        row["jurisdictionZh"], row["jurisdictionEn"] = places.get(row.get("jurisdiction", ""), ("", ""))
        row["typeZh"], row["typeEn"] = types.get(row.get("type", ""), ("", ""))
        row["written"] = "|".join(sorted(aliases[iri]))
    return list(rows.values())


def _names(rows: Iterable[Mapping[str, str]]) -> dict[str, tuple[str, str]]:
    """Term → its (Chinese, English) names, the largest pair where it has several."""
    names: dict[str, tuple[str, str]] = {}
    for row in rows:
        pair = (row.get("zh", ""), row.get("en", ""))
        names[row["term"]] = max(names.get(row["term"], pair), pair)
    return names


def _read_jurisdictions(graph) -> dict[str, tuple[str, str]]:
    """Jurisdiction IRI → its Chinese and English names (the first in order where it has several)."""
    labels: dict[str, tuple[str, str]] = {}
    for row in sorted(_select(graph, _JURISDICTION_LABELS), key=lambda r: (r.get("zh", ""), r.get("en", ""))):
        labels.setdefault(row["jurisdiction"], (row.get("zh", ""), row.get("en", "")))
    return labels


def _read_pairs(graph) -> list[Responsibility]:
    """One Responsibility per (task, agency), in order, with its roles and the task's document.

    A store is read through Oxigraph directly (see ``_store_roles``); any other graph
    through the ``task-agency-roles`` named query. Both give the same pairs.
    """
    native = native_view(graph)
    roles, places = _query_roles(graph) if native is None else _store_roles(native)
    labels = _read_jurisdictions(graph)
    nowhere = ("", "", "")
    pairs = []
    for task in sorted(roles):
        document, file, jurisdiction = places.get(task, nowhere)
        where = (document, file, jurisdiction, *labels.get(jurisdiction, ("", "")))
        named = roles[task]
        pairs += [Responsibility(task, agency, *named[agency], *where) for agency in sorted(named)]
    return pairs


def _query_roles(graph) -> tuple[dict, dict]:
    """task → agency → (lead, support, plain) and task → (document, file, jurisdiction), from the named query.

    ``plain`` (responsible with no role stated) holds when an assignment states
    pg:ResponsibleRole, or when nothing states any role: no assignment with a role, not
    lead, not support. A task in several documents keeps the first by IRI.
    """
    merged: dict[tuple[str, str], dict] = {}
    places: dict[str, tuple[str, str, str]] = {}
    for row in run_query(graph, _named("task-agency-roles")).dicts():
        task = _text(row.get("task"))
        key = (task, _text(row.get("agency")))
        item = merged.setdefault(key, {"lead": False, "support": False, "stated": False, "assigned": False})
        item["lead"] |= bool(row.get("lead") is not None and row["lead"].toPython())
        item["support"] |= bool(row.get("support") is not None and row["support"].toPython())
        role = _text(row.get("role"))
        if role:
            item["assigned"] = True
            item["stated"] |= role == _RESPONSIBLE
        place = (_text(row.get("document")), _text(row.get("file")), _text(row.get("jurisdiction")))
        places[task] = min(places.get(task, place), place)
    roles: dict[str, dict[str, tuple[bool, bool, bool]]] = defaultdict(dict)
    for (task, agency), item in merged.items():
        plain = item["stated"] or not (item["assigned"] or item["lead"] or item["support"])
        roles[task][agency] = (item["lead"], item["support"], plain)
    return roles, places


def _store_roles(native: "NativeView") -> tuple[dict, dict]:
    """What ``_query_roles`` reads, from a store: a few passes over single properties, joined by hash or in Python.

    Why not the named query: Oxigraph joins it a lookup per row, and oxrdflib makes an
    rdflib term of every cell; both cost seconds per 100,000 pairs. The rule is the
    same, read the other way round: a lead or supporting agency is plain only if an
    assignment states pg:ResponsibleRole for it; any other agency is plain unless an
    assignment states another role for it and none states pg:ResponsibleRole. The reads
    run side by side: Oxigraph lets go of the GIL while it evaluates, so each core takes one.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        exceptions = pool.submit(native.table, _STORE_ROLE_EXCEPTIONS)
        task_documents = pool.submit(native.table, _STORE_TASK_DOCUMENTS)
        files = pool.submit(native.dicts, _STORE_FILES)
        jurisdictions = pool.submit(native.dicts, _STORE_JURISDICTIONS)
        named = _store_named(native)
        exceptions = exceptions.result()
    stated = {(task, agency) for task, agency, role in exceptions if role == _RESPONSIBLE}
    other = {(task, agency) for task, agency, role in exceptions if role != _RESPONSIBLE}
    stated |= _stated(native, sorted(key for key in other if named.get(key[0], {}).get(key[1]) == (False, False)))

    def plain(key: tuple[str, str], lead: bool, support: bool) -> bool:
        return key in stated or not (lead or support or key in other)

    roles = {task: {agency: (lead, support, plain((task, agency), lead, support))
                    for agency, (lead, support) in agencies.items()}
             for task, agencies in named.items()}
    files = _smallest((r["document"], r["file"]) for r in files.result())
    jurisdictions = _smallest((r["document"], r["jurisdiction"]) for r in jurisdictions.result())
    places = {task: (document, files.get(document, ""), jurisdictions.get(document, ""))
              for task, document in _smallest(task_documents.result()).items()}
    return roles, places


def _store_named(native: "NativeView") -> dict[str, dict[str, tuple[bool, bool]]]:
    """task → agency → (lead, support), from ``_STORE_PAIRS``, whose agencies come back as numbers."""
    agencies = sorted(agency for agency, in native.table(_STORE_AGENCIES))
    numbers = " ".join(f"(<{agency}> {i})" for i, agency in enumerate(agencies))
    named: dict[str, dict[str, tuple[bool, bool]]] = {}
    for task, cells in native.table(_STORE_PAIRS.replace("NUMBERS", numbers)):
        named[task] = {agencies[int(number)]: ("lead" in flags, "support" in flags)
                       for number, _, flags in (cell.partition("+") for cell in cells.strip('"').split(" "))}
    return named


def _stated(native: "NativeView", pairs: Sequence[tuple[str, str]], batch: int = 500) -> set[tuple[str, str]]:
    """The pairs among ``pairs`` that an assignment states pg:ResponsibleRole for, asked in batches.

    Built graphs have none to ask about; a batch keeps Oxigraph on its fast plan, which
    starts from the pairs given (thousands at once make it slow).
    """
    found: set[tuple[str, str]] = set()
    for i in range(0, len(pairs), batch):
        values = " ".join(f"(<{task}> <{agency}>)" for task, agency in pairs[i:i + batch])
        found |= {(task, agency) for task, agency in native.table(_STORE_STATED.replace("PAIRS", values))}
    return found


def _smallest(pairs: Iterable[Sequence[str]]) -> dict[str, str]:
    """Key → its smallest value, so that a key with several values always gets the same one."""
    out: dict[str, str] = {}
    for key, value in pairs:
        if key not in out or value < out[key]:
            out[key] = value
    return out


def _task_details(graph, tasks: Iterable[str]) -> dict[str, tuple[str, int, str, str]]:
    """Task IRI → (outline, start offset, title, text), read only for the tasks that ``explain`` shows."""
    tasks = sorted(tasks)
    if not tasks:
        return {}
    found: dict[str, tuple[str, int, str, str]] = {}
    for row in _select(graph, _TASK_DETAILS.replace("TASKS", " ".join(f"<{t}>" for t in tasks))):
        detail = (row.get("outline", ""), int(row["start"]) if row.get("start") else 0, row.get("title", ""),
                  row.get("text", ""))
        found[row["task"]] = min(found.get(row["task"], detail), detail)
    return found


def _select(graph, text: str) -> list[dict[str, str]]:
    """The rows of a SELECT as {variable: lexical value}, unbound variables left out; on a store, from Oxigraph."""
    native = native_view(graph)
    if native is not None:
        return native.dicts(text)
    return [{k: _text(v) for k, v in row.items()} for row in run_query(graph, text).dicts()]


@contextmanager
def _collector_paused():
    """Python's cycle collector paused while millions of tuples and strings are made.

    They hold no cycles, but each full collection walks all of them again:
    a sixth of ``rank``'s time on a 10,000-document store. The collector's
    state is restored on the way out.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def load_network(graph: "rdflib.Graph", jurisdiction: str | None = None, document: str | None = None) -> Network:
    """Read the task–agency responsibilities of a graph, keeping the tasks of one jurisdiction or document.

    Parameters
    ----------
    graph : rdflib.Graph or rdflib.Dataset
    jurisdiction : str, optional
        Keep tasks of documents of this jurisdiction (its Chinese or English name, part of it, or IRI).
    document : str, optional
        Keep tasks of this document: its source path, the path of its file, its file name, its 文号,
        a unique part of its path, or its IRI (:func:`policygraph.documents.find_document`).
    """
    with _collector_paused():
        if native_view(graph) is None:
            agencies, pairs = _read_agencies(graph), _read_pairs(graph)
        else:  # a store reads both at once (see ``_store_roles``)
            from concurrent.futures import ThreadPoolExecutor

            with ThreadPoolExecutor(max_workers=1) as pool:
                agencies = pool.submit(_read_agencies, graph)
                pairs = _read_pairs(graph)
                agencies = agencies.result()
    if jurisdiction:
        names = defaultdict(set)
        for p in pairs:
            names[p.jurisdiction] |= {p.jurisdiction, p.jurisdiction_zh, p.jurisdiction_en}
        keep = match_names(jurisdiction, names)
        if not keep:
            raise UsageError(f"no tasks in a jurisdiction matching {jurisdiction!r}; "
                             f"known: {', '.join(sorted({p.jurisdiction_zh for p in pairs if p.jurisdiction_zh}))}")
        pairs = [p for p in pairs if p.jurisdiction in keep]
    if document:
        from .documents import find_document

        wanted = find_document(document, _document_refs(graph)).key
        pairs = [p for p in pairs if p.document == wanted]
    return Network(tuple(pairs), agencies)


_DOCUMENTS = """PREFIX pg: <https://w3id.org/policygraph/ontology#>
SELECT ?document ?path ?file ?number WHERE {
  ?document pg:sourceFile ?file OPTIONAL { ?document pg:sourcePath ?path } OPTIONAL { ?document pg:documentNumber ?number }
}"""


def _document_refs(graph) -> list:
    """Every document that was read, for :func:`policygraph.documents.find_document`."""
    from .documents import DocumentRef

    return [DocumentRef(r["document"], r.get("path") or r["file"], r["file"], r.get("number"))
            for r in _select(graph, _DOCUMENTS)]


def role_counts(net: Network, weights: Mapping[str, float] = DEFAULT_WEIGHTS) -> dict[str, dict[str, float]]:
    """Per agency: tasks, lead, support, responsible, documents, jurisdictions and the weighted score.

    A task counts once in ``tasks`` and once in each role the agency holds in it;
    its weight in ``score`` is that of the agency's strongest role in it. Agencies come
    in the order the pairs first name them.
    """
    inc = net._incidence
    n = len(inc.agencies)
    listed = [net.pairs[i] for i in inc.first.tolist()]
    held = np.array([(p.lead, p.support, p.responsible) for p in listed], dtype=bool).reshape(-1, 3)
    role_weights = np.array([weights["lead"], weights["support"], weights["responsible"]], dtype=float)
    strongest = np.where(held, role_weights, -np.inf).max(axis=1, initial=-np.inf)
    columns = {
        "tasks": np.bincount(inc.agency, minlength=n),
        "lead": np.bincount(inc.agency[held[:, 0]], minlength=n),
        "support": np.bincount(inc.agency[held[:, 1]], minlength=n),
        "responsible": np.bincount(inc.agency[held[:, 2]], minlength=n),
        "documents": _distinct(inc.agency, [p.document for p in listed], n),
        "jurisdictions": _distinct(inc.agency, [p.jurisdiction for p in listed], n, ignore=""),
        "score": np.bincount(inc.agency, np.where(held.any(axis=1), strongest, weights["responsible"]), minlength=n),
    }
    values = {name: column.tolist() for name, column in columns.items()}
    first = np.full(n, len(net.pairs))
    np.minimum.at(first, inc.agency, inc.first)
    return {inc.agencies[i]: {name: column[i] for name, column in values.items()}
            for i in np.argsort(first, kind="stable").tolist()}


def _distinct(groups: "np.ndarray", values: Sequence[str], n: int, ignore: str | None = None) -> "np.ndarray":
    """How many distinct values each of ``n`` groups has, ``ignore`` not counted."""
    codes: dict[str, int] = {}
    code = np.fromiter((codes.setdefault(v, len(codes)) for v in values), np.int64, len(values))
    keep = code != codes.get(ignore, -1)
    seen = np.unique(groups[keep] * max(len(codes), 1) + code[keep])
    return np.bincount(seen // max(len(codes), 1), minlength=n)


def bipartite_graph(net: Network) -> "nx.Graph":
    """The agency–task graph: agencies (``bipartite=0``) linked to the tasks that name them (``bipartite=1``)."""
    import networkx as nx

    g = nx.Graph()
    for p in net.pairs:
        g.add_node(p.agency, bipartite=0)
        g.add_node(p.task, bipartite=1)
        g.add_edge(p.agency, p.task)
    return g


@dataclass(frozen=True)
class _Incidence:
    """The pairs of a network as index arrays, one entry per distinct (task, agency), in that order.

    Agencies are numbered in IRI order and tasks in the order the pairs first name them:
    the order the networks have always been built in (see ``_networkx``). ``lead`` and
    ``support`` hold if any listing of the pair says so; ``first`` is the pair's first
    listing in ``Network.pairs``, whose roles and document ``role_counts`` reads.
    """

    agencies: tuple[str, ...]
    tasks: int
    task: "np.ndarray"
    agency: "np.ndarray"
    lead: "np.ndarray"
    support: "np.ndarray"
    first: "np.ndarray"

    def named_order(self) -> list[int]:
        """Agency numbers in the order the tasks first name them: the node order of the networks.

        It is the order networkx was given before, and the one its sampled betweenness
        draws sources from, so the same seed still draws the same agencies.
        """
        return self.agency[np.sort(np.unique(self.agency, return_index=True)[1])].tolist()

    def matrix(self, keep: "np.ndarray | None" = None, weight: "np.ndarray | None" = None):
        """The task × agency matrix of the kept entries: 1, or the weight of each entry's task."""
        from scipy import sparse

        keep = np.ones(len(self.task), bool) if keep is None else keep
        values = np.ones(int(keep.sum())) if weight is None else weight[self.task[keep]]
        return sparse.csr_array((values, (self.task[keep], self.agency[keep])), shape=(self.tasks, len(self.agencies)))


def _index_pairs(pairs: Sequence[Responsibility]) -> _Incidence:
    """The incidence of some pairs (see ``_Incidence``), numbered with numpy rather than pair by pair."""
    agencies = sorted({p.agency for p in pairs})
    index = {a: i for i, a in enumerate(agencies)}
    tasks: dict[str, int] = {}
    task = np.fromiter((tasks.setdefault(p.task, len(tasks)) for p in pairs), np.int64, len(pairs))
    agency = np.fromiter((index[p.agency] for p in pairs), np.int64, len(pairs))
    _, first, entry = np.unique(task * max(len(agencies), 1) + agency, return_index=True, return_inverse=True)
    lead, support = np.zeros(len(first), bool), np.zeros(len(first), bool)
    np.logical_or.at(lead, entry.ravel(), np.fromiter((p.lead for p in pairs), bool, len(pairs)))
    np.logical_or.at(support, entry.ravel(), np.fromiter((p.support for p in pairs), bool, len(pairs)))
    return _Incidence(tuple(agencies), len(tasks), task[first], agency[first], lead, support, first)


def _without_diagonal(m):
    from scipy import sparse

    m = sparse.coo_array(m)
    keep = (m.row != m.col) & (m.data != 0)
    return sparse.csr_array((m.data[keep], (m.row[keep], m.col[keep])), shape=m.shape)


def _co_matrix(inc: _Incidence, weighting: str):
    """Agency × agency: the tasks two agencies share, or the sum of 1/(n-1) over shared tasks naming n agencies."""
    if weighting not in ("tasks", "newman"):
        raise UsageError(f"unknown weighting {weighting!r}; use tasks or newman")
    b = inc.matrix()
    if weighting == "newman":
        named = np.bincount(inc.task, minlength=inc.tasks).astype(float)
        share = np.divide(1.0, named - 1, out=np.zeros_like(named), where=named > 1)
        return _without_diagonal(b.T @ inc.matrix(weight=share))
    return _without_diagonal(b.T @ b)


def _lead_matrix(inc: _Incidence):
    """Agency × agency: the tasks in which the row agency leads and the column agency supports."""
    return _without_diagonal(inc.matrix(inc.lead).T @ inc.matrix(inc.support))


def _networkx(inc: _Incidence, m, directed: bool = False):
    """A matrix as a networkx graph, nodes in ``named_order`` and edges in IRI order, as it has always been built."""
    import networkx as nx
    from scipy import sparse

    g = nx.DiGraph() if directed else nx.Graph()
    g.add_nodes_from(inc.agencies[i] for i in inc.named_order())
    edges = sparse.coo_array(m if directed else sparse.triu(m, k=1))
    order = np.lexsort((edges.col, edges.row))
    names = inc.agencies
    g.add_edges_from((names[a], names[b], {"weight": w} if directed else {"weight": w, "distance": 1.0 / w})
                     for a, b, w in zip(edges.row[order].tolist(), edges.col[order].tolist(),
                                        edges.data[order].tolist()))
    return g


def co_responsibility_graph(net: Network, weighting: str = "tasks") -> "nx.Graph":
    """Agencies linked when they share a task, weighted by shared tasks or by Newman's collaboration weight.

    With ``weighting="newman"`` a task naming n agencies adds 1/(n-1) to each of its pairs, so
    a long list of co-responsible agencies counts less than a two-agency task. Every edge
    also gets ``distance`` = 1/weight, because path measures read edge values as lengths.
    """
    inc = net._incidence
    return _networkx(inc, _co_matrix(inc, weighting))


def lead_support_graph(net: Network) -> "nx.DiGraph":
    """A directed edge from each lead agency to each supporting agency of the same task, weighted by tasks."""
    inc = net._incidence
    return _networkx(inc, _lead_matrix(inc), directed=True)


def communities(g: "nx.Graph", seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Louvain communities of the co-responsibility network, numbered 1… from the largest.

    The fixed seed makes the clusters reproducible; ties in size are ordered by their first member.
    """
    return louvain(sorted(g), g.edges(data="weight", default=1.0), seed)


def louvain(nodes: Iterable[str], edges: Iterable[tuple[str, str, float]], seed: int = DEFAULT_SEED) -> dict[str, int]:
    """Node → community number (1 the largest) of a weighted undirected graph given as nodes and (a, b, weight).

    The one community detection of the project: ``rank``'s ``community`` column and the
    agencies explorer's colours both come from here, so they cannot disagree.
    """
    from scipy import sparse

    names = sorted(set(nodes))
    index = {n: i for i, n in enumerate(names)}
    rows, cols, weights = [], [], []
    for a, b, w in edges:
        i, j = sorted((index[a], index[b]))
        if i != j:
            rows.append(i)
            cols.append(j)
            weights.append(float(w))
    return _louvain(names, sparse.coo_array((weights, (rows, cols)), shape=(len(names), len(names))), seed)


def _louvain(names: Sequence[str], m, seed: int) -> dict[str, int]:
    """``communities`` of the graph whose (upper triangle of its) weighted adjacency matrix is ``m``.

    igraph's Louvain (multilevel) in C, its random visiting order drawn from a generator
    seeded with ``seed``; igraph's own generator is put back afterwards.
    """
    import random

    from scipy import sparse

    if not len(names):
        return {}
    edges = sparse.coo_array(sparse.triu(m, k=1))
    igraph = _igraph()
    g = igraph.Graph(n=len(names), edges=np.column_stack([edges.row, edges.col]).tolist())
    igraph.set_random_number_generator(random.Random(seed))
    try:
        found = g.community_multilevel(weights=edges.data.tolist())
    finally:
        igraph.set_random_number_generator(random)
    ordered = sorted((sorted(names[i] for i in members) for members in found), key=lambda c: (-len(c), c[0]))
    return {node: i for i, members in enumerate(ordered, 1) for node in members}


def _eigenvector(m) -> "np.ndarray":
    """Eigenvector centrality within each connected group, scaled so each group's most central agency has 1.

    Why per group: agencies of different provinces never share a task, so the graph falls
    apart into groups, and on the whole graph the measure is zero outside the largest one.
    The leading eigenvector of each group's matrix is what networkx's power iteration
    approaches; ARPACK finds it to machine precision in a millisecond or two.
    """
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components
    from scipy.sparse.linalg import eigsh

    out = np.zeros(m.shape[0])
    _, group = connected_components(m, directed=False)
    for members in np.split(np.argsort(group, kind="stable"), np.cumsum(np.bincount(group))[:-1]):
        if len(members) < 2:
            continue
        if len(members) == 2:  # one edge: both ends alike (ARPACK needs three nodes)
            out[members] = 1.0
            continue
        sub = sparse.csr_array(m[members][:, members], dtype=float)
        vector = np.abs(eigsh(sub, k=1, which="LA", v0=np.ones(len(members)))[1][:, 0])
        out[members] = vector / vector.max()
    return out


def _pagerank(m, alpha: float = 0.85, tol: float = 1e-6, max_iter: int = 100) -> "np.ndarray":
    """PageRank of a weighted adjacency matrix (row → column), computed as networkx's ``pagerank`` computes it.

    Same power iteration, same start, same stopping rule (L1 change below n × tol),
    dangling nodes spread evenly, so the values are networkx's.
    """
    from scipy import sparse

    n = m.shape[0]
    a = sparse.csr_array(m, dtype=float, copy=True)
    out_weight = np.asarray(a.sum(axis=1)).ravel()
    inverse = np.divide(1.0, out_weight, out=np.zeros(n), where=out_weight != 0)
    a.data *= np.repeat(inverse, np.diff(a.indptr))
    dangling = np.flatnonzero(out_weight == 0)
    x = p = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        last = x
        x = alpha * (x @ a + x[dangling].sum() * p) + (1 - alpha) * p
        if np.abs(x - last).sum() < n * tol:
            break
    return x


def _igraph():
    """The igraph module, imported without its matplotlib drawing.

    igraph imports matplotlib.pyplot whenever matplotlib is installed: a third of a
    second at every ``rank``, for drawing that ranking never does. Where matplotlib is
    already imported, igraph is imported as it is.
    """
    import sys

    if "igraph" not in sys.modules and "matplotlib" not in sys.modules:
        sys.modules["matplotlib"] = None  # type: ignore[assignment]  # `import matplotlib` fails inside igraph
        try:
            import igraph  # noqa: F401
        finally:
            del sys.modules["matplotlib"]
    import igraph

    return igraph


def _path_measures(m, order: Sequence[int], seed: int) -> tuple["np.ndarray", "np.ndarray"]:
    """Betweenness and closeness with distance = 1/weight, normalised as networkx normalises them.

    igraph computes them in C. Betweenness is the share of the (n-1)(n-2)/2 pairs of
    other agencies whose shortest paths pass through the agency; closeness counts the
    agencies it can reach (networkx's ``wf_improved=False``), 0 when it reaches none.
    Both are exact unless exact betweenness would take more than a few seconds
    (``_EXACT_PATH_WORK``); then betweenness is estimated (``_sampled_betweenness``).
    """
    from scipy import sparse

    n = m.shape[0]
    edges = sparse.coo_array(sparse.triu(m, k=1))
    igraph = _igraph()
    g = igraph.Graph(n=n, edges=np.column_stack([edges.row, edges.col]).tolist())
    distance = (1.0 / edges.data).tolist()
    if _path_work(m) > _EXACT_PATH_WORK and n > _SAMPLED_SOURCES:
        between = _sampled_betweenness(g, distance, order, seed)
    else:
        between = np.array(g.betweenness(directed=False, weights=distance), dtype=float).reshape(n)
        if n > 2:
            between *= 2.0 / ((n - 1) * (n - 2))
    close = np.nan_to_num(np.array(g.closeness(weights=distance), dtype=float).reshape(n), nan=0.0)
    return between, close


def _path_work(m) -> int:
    """What all shortest paths cost: agencies × (agencies + ties) of each connected group, summed."""
    from scipy.sparse.csgraph import connected_components

    _, group = connected_components(m, directed=False)
    agencies = np.bincount(group)
    ties = np.bincount(group[m.nonzero()[0]], minlength=len(agencies)) // 2
    return int((agencies * (agencies + ties)).sum())


def _sampled_betweenness(g, distance: list[float], order: Sequence[int], seed: int) -> "np.ndarray":
    """networkx's betweenness estimate from ``_SAMPLED_SOURCES`` sources (its ``k``), drawn as networkx draws them.

    The sources are ``random.Random(seed).sample`` of the agencies in graph order. igraph's
    betweenness restricted to those sources sums their dependencies in one pass; networkx
    counts each twice, and scales the sum as below (sources see one source fewer).
    """
    import random

    n, k = g.vcount(), _SAMPLED_SOURCES
    sources = random.Random(seed).sample(list(order), k)
    raw = 2 * np.array(g.betweenness(directed=False, weights=distance, sources=sources), dtype=float)
    scale = np.full(n, 1.0 / (k * (n - 2)))
    scale[sources] = 1.0 / ((k - 1) * (n - 2))
    return raw * scale


def network_measures(net: Network, weighting: str = "tasks", seed: int = DEFAULT_SEED) -> dict[str, dict[str, float]]:
    """Measure name → agency IRI → value, for every network measure of ``MEASURES``.

    Betweenness and closeness come from igraph, eigenvector centrality and PageRank
    from scipy, communities from igraph's Louvain (seeded). All are exact, except
    betweenness on networks so large that it would take more than a few seconds: it is
    then estimated from 1,000 sampled agencies (seeded), as before.
    """
    inc = net._incidence
    names = ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank", "coordinates",
             "coordinated_by", "lead_pagerank", "community")
    if not inc.agencies:
        return {name: {} for name in names}
    co = _co_matrix(inc, weighting)
    leads = _lead_matrix(inc)
    between, close = _path_measures(co, inc.named_order(), seed)
    strength = np.asarray(co.sum(axis=1)).ravel()
    columns = {
        "degree": np.bincount(inc.agency, minlength=len(inc.agencies)) / (inc.tasks or 1),
        "strength": [s if s else 0 for s in strength.tolist()],
        "betweenness": between,
        "closeness": close,
        "eigenvector": _eigenvector(co),
        "pagerank": _pagerank(co),
        "coordinates": np.bincount(leads.nonzero()[0], minlength=len(inc.agencies)),
        "coordinated_by": np.bincount(leads.nonzero()[1], minlength=len(inc.agencies)),
        "lead_pagerank": _pagerank(leads.T),
    }
    out = {name: dict(zip(inc.agencies, np.asarray(values).tolist() if isinstance(values, np.ndarray) else values))
           for name, values in columns.items()}
    out["community"] = _louvain(inc.agencies, co, seed)
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
        raise UsageError(f"cannot sort by {sort!r}; use one of {', '.join(allowed)}")


def _agency_rows(net: Network, measured: Mapping[str, Mapping], lang: str) -> list[dict]:
    rows = []
    for iri, values in measured.items():
        agency = net.agency(iri)
        rows.append({"agency": agency.label(lang), "iri": iri,
                     "jurisdiction": (agency.jurisdiction_en if lang == "en" and agency.jurisdiction_en
                                      else agency.jurisdiction_zh),
                     "type": agency.type_label(lang), **values})
    return rows


def _types_matching(graph, agency_type: str) -> set[str]:
    from policygraph.query import resolve_agency_type

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
    net = load_network(graph, jurisdiction, document)
    agency_type = agency_type and next(iter(_types_matching(graph, agency_type)))
    return _rank_network(net, agency_type, weights, weighting, sort, top, lang, seed)


def _rank_network(net: Network, agency_type, weights, weighting, sort, top, lang, seed) -> Ranking:
    rows = _agency_rows(net, measure_agencies(net, weights, weighting, seed), lang)
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
        raise UsageError(f"no agency named {agency!r} in the tasks of this graph")
    if len(found) > 1:
        names = ", ".join(sorted(net.agency(i).label(lang) for i in found))
        raise UsageError(f"{agency!r} names {len(found)} agencies: {names}; give the full name or --jurisdiction")
    iri = found.pop()
    ranking = _rank_network(net, None, weights, weighting, "score", None, lang, seed)
    row = next(r for r in ranking.rows if r["iri"] == iri)
    tasks = {t: pairs for t, pairs in net.tasks().items() if any(p.agency == iri for p in pairs)}
    details = _task_details(graph, tasks)
    explained = []
    order = {"lead": 0, "support": 1, "responsible": 2}
    for task, pairs in sorted(tasks.items(), key=lambda kv: (kv[1][0].file, details.get(kv[0], ("", 0))[1], kv[0])):
        mine = next(p for p in pairs if p.agency == iri)
        outline, _, title, text = details.get(task, ("", 0, "", ""))
        others = sorted((order[p.roles()[0]] if p.roles() else 2, net.agency(p.agency).label(lang),
                         "/".join(p.roles())) for p in pairs if p.agency != iri)
        others = tuple((name, roles) for _, name, roles in others)
        explained.append(ExplainedTask(mine.file, outline, title, mine.roles(), others, text))
    inc = net._incidence
    shared = _co_matrix(inc, weighting)[[inc.agencies.index(iri)]]
    partners = sorted(((net.agency(inc.agencies[b]).label(lang), w) for b, w in
                       zip(shared.indices.tolist(), shared.data.tolist())), key=lambda x: (-x[1], x[0]))
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
            raise UsageError(f"unknown role {role!r} in weights; use lead, support and responsible")
        try:
            weights[role] = float(value)
        except ValueError as exc:
            raise UsageError(f"weight of {role} must be a number, not {value!r}") from exc
    return weights


def _cell(column: str, value) -> str | int | float:
    if isinstance(value, float) and column not in _INTEGER_MEASURES:
        return round(value, 4)
    return value


def format_ranking(ranking: Ranking, fmt: str = "table") -> str:
    """A ranking as an aligned ``table``, ``csv``, ``tsv``, ``json`` (a list of row objects), ``jsonl`` or ``markdown``.

    The table and Markdown show the ranking's columns; CSV, TSV and JSON add each agency's IRI,
    jurisdiction and type (each type's IRI for ``--by type``).
    """
    if fmt not in RANK_FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(RANK_FORMATS)}")
    columns = list(ranking.columns)
    extra = ["iri", "jurisdiction", "type"] if ranking.by == "agency" else ["type_iri"]
    records = [{c: _cell(c, r.get(c)) for c in [*columns, *extra]} for r in ranking.rows]
    if fmt == "json":
        return json.dumps(records, ensure_ascii=False, indent=2)
    if fmt == "jsonl":
        return "\n".join(json.dumps(r, ensure_ascii=False) for r in records)
    if fmt == "csv":
        return csv_text([*columns, *extra], (list(r.values()) for r in records))
    if fmt == "tsv":
        return "\n".join("\t".join(tsv_cell("" if v is None else str(v)) for v in row)
                         for row in [[*columns, *extra], *(r.values() for r in records)])
    cells = [[_short(c, r.get(c)) for c in columns] for r in ranking.rows]
    if fmt == "markdown":
        return markdown_table(columns, cells, [c not in ("agency", "type", "jurisdiction") for c in columns])
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
    rows = format_table(["document", "outline", "task", "role", "co-agencies"], table, max_width=80).splitlines()
    lines.append(_indent("\n".join(rows[:2] + [line for row, t in zip(rows[2:], exp.tasks)
                                                for line in (row, *_text_line(t.text))])))
    if any(t.text for t in exp.tasks):
        lines.append(f"  (each task's text is cut to one line; `policygraph query agency-tasks -p agency={a.iri}` "
                     "gives it in full)")
    lines += ["", f"shares tasks with ({len(exp.partners)}):"]
    lines.append(_indent(format_table(["agency", "shared"], [[n, f"{w:g}"] for n, w in exp.partners],
                                      numeric=[False, True])))
    lines += ["", f"community {row['community']} ({len(exp.community)} agencies): "
              + ("、" if lang != "en" else "; ").join(exp.community)]
    return "\n".join(lines)


#: Terminal columns of the line that shows a task's text under its row in ``rank --explain``.
_TEXT_WIDTH = 110


def _text_line(text: str) -> tuple[str, ...]:
    """The line under a task's row: its text (pg:taskText), cut to :data:`_TEXT_WIDTH` columns; none without one."""
    return (f"    {_clip(text, _TEXT_WIDTH)}",) if text else ()


def _score_terms(exp: Explanation) -> list[tuple[str, int]]:
    """How many tasks weigh in the score at each role's weight (the strongest role of each task)."""
    counts: Counter = Counter()
    for t in exp.tasks:
        best = max(t.roles, key=lambda r: exp.weights[r]) if t.roles else "responsible"
        counts[best] += 1
    return [(r, counts[r]) for r in ("lead", "responsible", "support")]


def _indent(text: str) -> str:
    return "\n".join("  " + line for line in text.splitlines())
