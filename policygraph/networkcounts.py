"""The agency network's counts: what ``rank`` and the agencies view read instead of every task–agency pair.

A document's contribution (:class:`NetworkCounts`) is counted from its
N-Triples lines, chunk by chunk as they are written, like the per-document
counts of :mod:`policygraph.nquads`. A store keeps the sums over its
documents in its statistics graph: per document graph the agencies it
names (``pg:agencyInGraph``); per agency its tasks as ``rank`` decides
their roles (``pg:responsibleTaskCount``, ``pg:supportOnlyTaskCount``,
``pg:leadSupportTaskCount``) and the smallest task IRI naming it
(``pg:firstTask``, which orders the agencies as the pairs would), per pair of
agencies the tasks they share (``pg:sharedTaskCount``) and the first of them
(``pg:firstSharedTask``, which orders the agencies view's edges), and per lead and
supporter the tasks one leads and the other supports (``pg:ledTaskCount``).
Sums change by a document's contribution when it is added, replaced or
removed, so no update reads more than the agencies that document names.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .iri import mint
from .nquads import LINE_END, TRIPLE_END

__all__ = ["NetworkCounts", "NetworkCounter", "AGENCY_COUNTS", "PAIR_COUNTS", "FIRST_TASK", "FIRST_AGENCY",
           "SECOND_AGENCY", "FIRST_SHARED", "pair_iri", "graph_agencies_ntriples", "totals_ntriples", "responsible_role"]

_PG = "https://w3id.org/policygraph/ontology#"
_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
_RESPONSIBLE_ROLE = f"{_PG}ResponsibleRole"

#: The per-agency sums kept beside the statistics graph's pg:taskCount, by property.
AGENCY_COUNTS = ("responsibleTaskCount", "supportOnlyTaskCount", "leadSupportTaskCount")
#: The per-pair sums: the kind of pair (its IRI's kind) and the property counting it.
PAIR_COUNTS = {"shared": "sharedTaskCount", "led": "ledTaskCount"}
FIRST_TASK, FIRST_AGENCY, SECOND_AGENCY, FIRST_SHARED = "firstTask", "firstAgency", "secondAgency", "firstSharedTask"

_READ = {f"<{_PG}{p}>": p for p in ("responsibleAgency", "leadAgency", "supportingAgency", "assignment", "agent", "role")}


def responsible_role(lead: bool, support: bool, stated: bool, other: bool) -> bool:
    """Whether an agency holds a task with no role stated: ``policygraph.analyse.network.responsible``'s rule.

    Kept here too because the counts are made while a document is built,
    below the analysis; ``tests/test_networkcounts.py`` checks both agree.

    >>> responsible_role(False, False, False, False), responsible_role(True, False, False, True)
    (True, False)
    """
    return stated or not (lead or support or other)


@dataclass
class NetworkCounts:
    """Counts of the agency network of some documents: per (agency, property), first task, shared and led pairs."""

    agencies: Counter = field(default_factory=Counter)  # (agency, property of AGENCY_COUNTS or "taskCount") -> n
    first: dict[str, str] = field(default_factory=dict)  # agency -> smallest task IRI naming it
    shared: Counter = field(default_factory=Counter)  # (a, b), a < b -> tasks naming both
    led: Counter = field(default_factory=Counter)  # (lead, supporter) -> tasks where one leads and the other supports
    shared_first: dict[tuple[str, str], str] = field(default_factory=dict)  # (a, b) -> smallest task IRI naming both

    def add(self, other: "NetworkCounts") -> None:
        """Add another set of documents' counts to these."""
        self.agencies.update(other.agencies)
        self.shared.update(other.shared)
        self.led.update(other.led)
        _keep_smallest(self.first, other.first)
        _keep_smallest(self.shared_first, other.shared_first)

    def named(self) -> set[str]:
        """The agencies some task of these documents names."""
        return set(self.first)


class NetworkCounter:
    """Counts one document's :class:`NetworkCounts` from its N-Triples lines, handed over in chunks.

    Why the facts are kept until :meth:`counts`: a task's assignments may be
    in another chunk than the task when two tasks share an assignment.
    """

    def __init__(self) -> None:
        self._facts: dict[str, defaultdict] = {p: defaultdict(set) for p in _READ.values()}

    def add(self, found: list[str]) -> None:
        """Note the lines of one chunk (each ending with ``LINE_END``) that say who holds which task."""
        cut = len(LINE_END)
        for line in found:
            subject, predicate, rest = line.split(" ", 2)
            kind = _READ.get(predicate)
            if kind is not None and rest[:1] == "<":
                self._facts[kind][subject[1:-1]].add(rest[1:-cut - 1])

    def counts(self) -> NetworkCounts:
        """The document's contribution to the network counts."""
        facts = self._facts
        stated, other = _stated_roles(facts)
        out = NetworkCounts()
        for task, agencies in facts["responsibleAgency"].items():
            leads, supports = facts["leadAgency"].get(task, set()), facts["supportingAgency"].get(task, set())
            ordered = sorted(agencies)
            for i, agency in enumerate(ordered):
                lead, support = agency in leads, agency in supports
                plain = responsible_role(lead, support, (task, agency) in stated, (task, agency) in other)
                out.agencies.update({(agency, "taskCount"): 1, (agency, "responsibleTaskCount"): int(plain),
                                     (agency, "supportOnlyTaskCount"): int(support and not lead and not plain),
                                     (agency, "leadSupportTaskCount"): int(lead and support)})
                _keep_smallest(out.first, {agency: task})
                partners = [(agency, partner) for partner in ordered[i + 1:]]
                out.shared.update(partners)
                _keep_smallest(out.shared_first, dict.fromkeys(partners, task))
            out.led.update((a, b) for a in sorted(leads & agencies) for b in sorted(supports & agencies) if a != b)
        out.agencies = +out.agencies
        return out


def _keep_smallest(kept: dict, found: dict) -> None:
    """Keep in ``kept`` the smaller of its value and ``found``'s for every key of ``found``."""
    for key, value in found.items():
        if key not in kept or value < kept[key]:
            kept[key] = value


def _stated_roles(facts: dict[str, defaultdict]) -> tuple[set[tuple[str, str]], set[tuple[str, str]]]:
    """The (task, agency) pairs some assignment states pg:ResponsibleRole for, and those it states another role for."""
    stated: set[tuple[str, str]] = set()
    other: set[tuple[str, str]] = set()
    for task, assignments in facts["assignment"].items():
        for assignment in assignments:
            for agency in facts["agent"].get(assignment, ()):
                for role in facts["role"].get(assignment, ()):
                    (stated if role == _RESPONSIBLE_ROLE else other).add((task, agency))
    return stated, other


def pair_iri(statistics_graph: str, kind: str, a: str, b: str) -> str:
    """The IRI of the statistics node of one pair of agencies (``kind`` a key of :data:`PAIR_COUNTS`)."""
    return str(mint(kind, a, b, base=statistics_graph + "/"))


def graph_agencies_ntriples(graph: str, counts: NetworkCounts) -> str:
    """The statistics lines naming each agency a document graph's tasks name (``pg:agencyInGraph``).

    Subject the graph IRI, as the per-document counts, so they go with the
    document's other counts when it is replaced or removed.
    """
    return "".join(f"<{graph}> <{_PG}agencyInGraph> <{agency}>{TRIPLE_END}" for agency in sorted(counts.first))


def _count_line(subject: str, prop: str, n: int) -> str:
    return f'<{subject}> <{_PG}{prop}> "{n}"^^{_INTEGER}{TRIPLE_END}'


def totals_ntriples(statistics_graph: str, totals: NetworkCounts, agencies=None, pairs=None) -> str:
    """N-Triples of network sums, for every agency and pair of ``totals`` (or only ``agencies`` and ``pairs``).

    Agencies and pairs whose count fell to zero get no lines: they are no
    longer in the network. Sorted, so the same sums give the same text.
    """
    lines = []
    for agency in sorted(totals.first if agencies is None else agencies):
        if totals.agencies[(agency, "taskCount")] <= 0:
            continue
        lines.append(f"<{agency}> <{_PG}{FIRST_TASK}> <{totals.first[agency]}>{TRIPLE_END}")
        lines += [_count_line(agency, prop, totals.agencies[(agency, prop)]) for prop in AGENCY_COUNTS]
    for kind, prop in PAIR_COUNTS.items():
        counted = getattr(totals, kind)
        for a, b in sorted(counted if pairs is None else pairs[kind]):
            if counted[(a, b)] > 0:
                node = pair_iri(statistics_graph, kind, a, b)
                lines += [f"<{node}> <{_PG}{FIRST_AGENCY}> <{a}>{TRIPLE_END}",
                          f"<{node}> <{_PG}{SECOND_AGENCY}> <{b}>{TRIPLE_END}", _count_line(node, prop, counted[(a, b)])]
                if kind == "shared":
                    lines.append(f"<{node}> <{_PG}{FIRST_SHARED}> <{totals.shared_first[(a, b)]}>{TRIPLE_END}")
    return "".join(lines)
