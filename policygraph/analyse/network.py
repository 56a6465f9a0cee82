"""Reading the responsibility network of a graph: which agency is named in which task, in which role.

The graph is read on the contract terms only, so analysis works on any graph that
follows the contract: through the ``task-agency-roles`` and ``agencies`` named
queries, or, on a store, straight from Oxigraph with the queries of
``analyse/queries/`` that it answers fast. Both readings gather the same facts
(:class:`RoleFacts`) and :func:`responsible` decides the role of every pair from them.
"""
from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from functools import cache
from importlib.resources import files
from typing import TYPE_CHECKING, Iterable, Mapping, NamedTuple, Sequence

from policygraph.catalogue import load_query, queries_dir
from policygraph.documents import DocumentRef, find_document
from policygraph.errors import UsageError
from policygraph.model import LEAD, SUPPORT
from policygraph.query import run_query
from policygraph.store import native_view
from policygraph.vocab import PG

from .model import Agency, Network, NetworkSummary, Responsibility

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

    from policygraph.store import NativeView

__all__ = ["load_network", "load_summary", "match_names", "responsible", "RoleFacts", "read_task_details",
           "select_rows"]

_RESPONSIBLE = str(PG.ResponsibleRole)


@cache
def _analysis_query(name: str) -> str:
    """The text of one of the queries in ``analyse/queries/``, read once."""
    return files(__package__).joinpath("queries", f"{name}.rq").read_text("utf-8")


def _named(name: str):
    return load_query(queries_dir() / f"{name}.rq")


def _text(term) -> str:
    return "" if term is None else str(term)


def responsible(lead: bool, support: bool, stated: bool, other: bool) -> bool:
    """Whether an agency holds a task with no role stated (the ``responsible`` role): the one rule for it.

    It does when an assignment states pg:ResponsibleRole for it (``stated``), or when
    nothing gives it a role: it neither leads nor supports, and no assignment states
    another role for it (``other``). Both readings of a graph decide every pair here.

    Examples
    --------
    >>> responsible(lead=False, support=False, stated=False, other=False)
    True
    >>> responsible(lead=True, support=False, stated=False, other=True)
    False
    >>> responsible(lead=True, support=False, stated=True, other=True)
    True
    """
    return stated or not (lead or support or other)


class RoleFacts(NamedTuple):
    """What a graph says of its task–agency pairs, before the roles are decided.

    ``named`` is task → agency → (lead, support); ``stated`` and ``other`` hold the
    (task, agency) pairs an assignment states pg:ResponsibleRole, or another role, for;
    ``places`` is task → (document, file, jurisdiction). A store's reading may leave out
    of ``stated`` and ``other`` the pairs whose role they cannot change.
    """

    named: Mapping[str, Mapping[str, tuple[bool, bool]]]
    stated: set[tuple[str, str]]
    other: set[tuple[str, str]]
    places: Mapping[str, tuple[str, str, str]]


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


def select_rows(graph, text: str) -> list[dict[str, str]]:
    """The rows of a SELECT as {variable: lexical value}, unbound variables left out; on a store, from Oxigraph."""
    native = native_view(graph)
    if native is not None:
        return native.dicts(text)
    return [{k: _text(v) for k, v in row.items()} for row in run_query(graph, text).dicts()]


def _read_agencies(graph) -> dict[str, Agency]:
    """Agency IRI → its description: the ``agencies`` named query, or on a store the same read in simple parts."""
    native = native_view(graph)
    agencies = {}
    for row in select_rows(graph, _named("agencies").text) if native is None else _store_agencies(native):
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
    for row in native.dicts(_analysis_query("store-agency-aliases")):
        aliases[row["agency"]].add(row["alt"])
    places = _names(native.dicts(_analysis_query("store-agency-places")))
    types = _names(native.dicts(_analysis_query("store-agency-types")))
    rows: dict[str, dict[str, str]] = {}
    for row in native.dicts(_analysis_query("store-agency-names")):
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
    for row in sorted(select_rows(graph, _analysis_query("jurisdiction-labels")),
                      key=lambda r: (r.get("zh", ""), r.get("en", ""))):
        labels.setdefault(row["jurisdiction"], (row.get("zh", ""), row.get("en", "")))
    return labels


def _read_pairs(graph) -> list[Responsibility]:
    """One Responsibility per (task, agency), in order, with its roles and the task's document.

    A store is read through Oxigraph directly (see ``_store_facts``); any other graph
    through the ``task-agency-roles`` named query (``_query_facts``). Both give the
    same facts, and :func:`responsible` decides every pair's role from them.
    """
    native = native_view(graph)
    facts = _query_facts(graph) if native is None else _store_facts(native)
    labels = _read_jurisdictions(graph)
    nowhere = ("", "", "")
    pairs = []
    for task in sorted(facts.named):
        document, file, jurisdiction = facts.places.get(task, nowhere)
        where = (document, file, jurisdiction, *labels.get(jurisdiction, ("", "")))
        named = facts.named[task]
        for agency in sorted(named):
            lead, support = named[agency]
            key = (task, agency)
            plain = responsible(lead, support, key in facts.stated, key in facts.other)
            pairs.append(Responsibility(task, agency, lead, support, plain, *where))
    return pairs


def _query_facts(graph) -> RoleFacts:
    """The facts of every pair, from the ``task-agency-roles`` named query: one row per task, agency and stated role.

    A task in several documents keeps the first by IRI.
    """
    named: dict[str, dict[str, tuple[bool, bool]]] = defaultdict(dict)
    stated: set[tuple[str, str]] = set()
    other: set[tuple[str, str]] = set()
    places: dict[str, tuple[str, str, str]] = {}
    for row in run_query(graph, _named("task-agency-roles")).dicts():
        task, agency = _text(row.get("task")), _text(row.get("agency"))
        lead, support = named[task].get(agency, (False, False))
        named[task][agency] = (lead or _true(row.get(LEAD)), support or _true(row.get(SUPPORT)))
        role = _text(row.get("role"))
        if role:
            (stated if role == _RESPONSIBLE else other).add((task, agency))
        place = (_text(row.get("document")), _text(row.get("file")), _text(row.get("jurisdiction")))
        places[task] = min(places.get(task, place), place)
    return RoleFacts(named, stated, other, places)


def _true(term) -> bool:
    return bool(term is not None and term.toPython())


def _store_facts(native: "NativeView") -> RoleFacts:
    """What ``_query_facts`` reads, from a store: a few passes over single properties, joined by hash or in Python.

    Why not the named query: Oxigraph joins it a lookup per row, and oxrdflib makes an
    rdflib term of every cell; both cost seconds per 100,000 pairs. Only the stated
    roles that can change a pair's role are read (``store-role-exceptions.rq``): a
    pg:ResponsibleRole for a lead or supporting agency, another role for any other
    agency, and then whether such an agency also has a pg:ResponsibleRole. The reads run
    side by side: Oxigraph lets go of the GIL while it evaluates, so each core takes one.
    """
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=3) as pool:
        exceptions = pool.submit(native.table, _analysis_query("store-role-exceptions"))
        task_documents = pool.submit(native.table, _analysis_query("store-task-documents"))
        files = pool.submit(native.dicts, _analysis_query("store-document-files"))
        jurisdictions = pool.submit(native.dicts, _analysis_query("store-document-jurisdictions"))
        named = _store_named(native)
        exceptions = exceptions.result()
    stated = {(task, agency) for task, agency, role in exceptions if role == _RESPONSIBLE}
    other = {(task, agency) for task, agency, role in exceptions if role != _RESPONSIBLE}
    stated |= _stated(native, sorted(key for key in other if named.get(key[0], {}).get(key[1]) == (False, False)))
    files = _smallest((r["document"], r["file"]) for r in files.result())
    jurisdictions = _smallest((r["document"], r["jurisdiction"]) for r in jurisdictions.result())
    places = {task: (document, files.get(document, ""), jurisdictions.get(document, ""))
              for task, document in _smallest(task_documents.result()).items()}
    return RoleFacts(named, stated, other, places)


def _store_named(native: "NativeView") -> dict[str, dict[str, tuple[bool, bool]]]:
    """task → agency → (lead, support), from ``store-pairs.rq``, whose agencies come back as numbers."""
    agencies = sorted(agency for agency, in native.table(_analysis_query("store-agencies")))
    numbers = " ".join(f"(<{agency}> {i})" for i, agency in enumerate(agencies))
    named: dict[str, dict[str, tuple[bool, bool]]] = {}
    for task, cells in native.table(_analysis_query("store-pairs").replace("NUMBERS", numbers)):
        named[task] = {agencies[int(number)]: (LEAD in flags, SUPPORT in flags)
                       for number, _, flags in (cell.partition("+") for cell in cells.strip('"').split(" "))}
    return named


def _stated(native: "NativeView", pairs: Sequence[tuple[str, str]], batch: int = 500) -> set[tuple[str, str]]:
    """The pairs among ``pairs`` that an assignment states pg:ResponsibleRole for, asked in batches.

    Built graphs have few or none to ask about; a batch keeps Oxigraph on its fast plan,
    which starts from the pairs given (thousands at once make it slow).
    """
    found: set[tuple[str, str]] = set()
    for i in range(0, len(pairs), batch):
        values = " ".join(f"(<{task}> <{agency}>)" for task, agency in pairs[i:i + batch])
        found |= {(task, agency) for task, agency in native.table(_analysis_query("store-stated").replace("PAIRS", values))}
    return found


def _smallest(pairs: Iterable[Sequence[str]]) -> dict[str, str]:
    """Key → its smallest value, so that a key with several values always gets the same one."""
    out: dict[str, str] = {}
    for key, value in pairs:
        if key not in out or value < out[key]:
            out[key] = value
    return out


def read_task_details(graph, tasks: Iterable[str]) -> dict[str, tuple[str, int, str, str]]:
    """Task IRI → (outline, start offset, title, text), read only for the tasks that ``explain`` shows."""
    tasks = sorted(tasks)
    if not tasks:
        return {}
    found: dict[str, tuple[str, int, str, str]] = {}
    text = _analysis_query("task-details").replace("TASKS", " ".join(f"<{t}>" for t in tasks))
    for row in select_rows(graph, text):
        detail = (row.get("outline", ""), int(row["start"]) if row.get("start") else 0, row.get("title", ""),
                  row.get("text", ""))
        found[row["task"]] = min(found.get(row["task"], detail), detail)
    return found


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


def _read_network(graph) -> tuple[dict[str, Agency], list[Responsibility]]:
    """Every agency's description and every pair; a store reads both at once (see ``_store_facts``)."""
    with _collector_paused():
        if native_view(graph) is None:
            return _read_agencies(graph), _read_pairs(graph)
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=1) as pool:
            agencies = pool.submit(_read_agencies, graph)
            pairs = _read_pairs(graph)
            return agencies.result(), pairs


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
    agencies, pairs = _read_network(graph)
    if jurisdiction:
        pairs = _in_jurisdiction(pairs, jurisdiction)
    if document:
        wanted = find_document(document, _document_refs(graph)).key
        pairs = [p for p in pairs if p.document == wanted]
    return Network(tuple(pairs), agencies)


def load_summary(graph) -> NetworkSummary | None:
    """The whole network as a store's statistics graph counts it, or None for a graph that is not such a store.

    Why: the counts per agency and per pair of agencies are a few hundred
    thousand rows where the task–agency pairs are millions (``load_network``
    reads those). A store written before the counts existed has none: None.
    """
    native = native_view(graph)
    if native is None:
        return None
    from concurrent.futures import ThreadPoolExecutor

    with _collector_paused(), ThreadPoolExecutor(max_workers=2) as pool:
        descriptions = pool.submit(_read_agencies, graph)
        shared = pool.submit(native.table, _analysis_query("store-network-shared"))
        led = pool.submit(native.table, _analysis_query("store-network-led"))
        rows = native.dicts(_analysis_query("store-network-agencies"))
        if not rows:
            return None
        places = _agency_places(native)
        named, = native.dicts(_analysis_query("store-named-tasks"))
        order = tuple(row["agency"] for row in sorted(rows, key=lambda r: (r["first"], r["agency"])))
        counts = {row["agency"]: {**{key: int(row[name]) for key, name in _SUMMARY_COUNTS.items()},
                                  **places[row["agency"]]} for row in rows}
        return NetworkSummary(descriptions.result(), order, counts, _weighted(shared.result()),
                              _weighted(led.result()), int(named["all"]) - int(named["without"]))


#: The per-agency counts of ``NetworkSummary.counts``, by the variable of ``store-network-agencies.rq`` holding each.
_SUMMARY_COUNTS = {"tasks": "tasks", "lead": "lead", "support": "support", "responsible": "responsible",
                   "support_only": "supportOnly"}


def _weighted(rows: Iterable[Sequence[str]]) -> tuple[tuple[str, str, int], ...]:
    return tuple((a, b, int(n)) for a, b, n in rows)


def _agency_places(native: "NativeView") -> dict[str, dict[str, int]]:
    """Agency → how many document graphs name it and in how many jurisdictions those documents are."""
    return {agency: {"documents": int(documents), "jurisdictions": int(jurisdictions)}
            for agency, documents, jurisdictions in native.table(_analysis_query("store-network-documents"))}


def _in_jurisdiction(pairs: list[Responsibility], jurisdiction: str) -> list[Responsibility]:
    """The pairs of the documents of the jurisdictions ``jurisdiction`` names (see ``match_names``)."""
    names = defaultdict(set)
    for p in pairs:
        names[p.jurisdiction] |= {p.jurisdiction, p.jurisdiction_zh, p.jurisdiction_en}
    keep = match_names(jurisdiction, names)
    if not keep:
        raise UsageError(f"no tasks in a jurisdiction matching {jurisdiction!r}; "
                         f"known: {', '.join(sorted({p.jurisdiction_zh for p in pairs if p.jurisdiction_zh}))}")
    return [p for p in pairs if p.jurisdiction in keep]


def _document_refs(graph) -> list:
    """Every document that was read, for :func:`policygraph.documents.find_document`."""
    return [DocumentRef(r["document"], r.get("path") or r["file"], r["file"], r.get("number"))
            for r in select_rows(graph, _analysis_query("documents"))]
