"""The line format shared by the graph builder, the pipeline's workers and the store: N-Triples and N-Quads lines.

A document's graph is written as N-Triples lines (:mod:`policygraph.build`),
turned into the N-Quads a store loads (:func:`graph_nquads`), split back into
graphs (:func:`split_nquads`) and counted from its lines
(:func:`document_statistics`). The counts match lines by how they end, so
the builder and the counting share :data:`LINE_END` and :data:`NEWLINE`:
the endings counted are the ones written.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["LINE_END", "NEWLINE", "TRIPLE_END", "graph_nquads", "line_nquads", "split_nquads", "document_statistics",
           "DOCUMENT_COUNTS", "DocumentCounts", "lines", "terminated"]

#: What ends every statement before its newline: a space and a full stop.
LINE_END = " ."
#: What separates lines: a newline only, as a literal may hold U+2028 or a form feed unescaped.
NEWLINE = "\n"
#: The end of every N-Triples and N-Quads line the builder and the store write.
TRIPLE_END = LINE_END + NEWLINE

_PG = "https://w3id.org/policygraph/ontology#"
_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
RESPONSIBLE = f"<{_PG}responsibleAgency>"

#: Per document graph, what the statistics graph counts: report key → (property, the end of an N-Triples line
#: that is one of them). "unspecified bodies" counts assignments whose agent is a body a task names as pg:unspecifiedBody.
DOCUMENT_COUNTS = {
    "tasks": ("tasksInGraph", f" {_TYPE} <{_PG}Task>{LINE_END}"),
    "assignments": ("assignmentsInGraph", f" {_TYPE} <{_PG}Assignment>{LINE_END}"),
    "lead": ("leadAssignmentsInGraph", f" <{_PG}role> <{_PG}LeadRole>{LINE_END}"),
    "support": ("supportAssignmentsInGraph", f" <{_PG}role> <{_PG}SupportRole>{LINE_END}"),
    "responsible": ("responsibleAssignmentsInGraph", f" <{_PG}role> <{_PG}ResponsibleRole>{LINE_END}"),
    "unspecified bodies": ("unspecifiedAssignmentsInGraph", f" <{_PG}unspecifiedBody> <"),
    "targets": ("targetsInGraph", f" {_TYPE} <{_PG}Target>{LINE_END}"),
}

#: The counts of lines about assignments, which two chunks of one document may both hold (see DocumentCounts).
_ASSIGNMENT_COUNTS = ("assignments", "lead", "support", "responsible")

_TARGET_YEAR = re.compile(rf'^(<[^>]+>) <{re.escape(_PG)}targetYear> "([+-]?\d+)"\^\^{re.escape(_INTEGER)}'
                          rf'{re.escape(LINE_END)}$')


def lines(ntriples: str) -> list[str]:
    """The lines of N-Triples text: split at newlines only, as a literal may hold U+2028 or a form feed."""
    return [line for line in ntriples.split(NEWLINE) if line]


def terminated(items: list[str], end: str) -> str:
    """Each line followed by ``end``: one join, not a string per line, as documents run to thousands of lines."""
    return end.join(items) + end if items else ""


def graph_nquads(graphs: Iterable[tuple[str | None, str]]) -> bytes:
    """N-Triples of some named graphs, given as (graph IRI, N-Triples) pairs, as the N-Quads the store holds.

    A document's N-Quads are its own triples in its graph, what it describes
    of shared resources in the shared graph and its counts in the statistics
    graph; each triple is written once. Pairs without a graph are left out.

    >>> graph_nquads([("urn:g", '<urn:a> <urn:p> "x" .\\n'), ("urn:s", "")]).decode()
    '<urn:a> <urn:p> "x" <urn:g> .\\n'
    """
    return b"".join(line_nquads(graph, lines(ntriples)) for graph, ntriples in graphs if graph)


def line_nquads(graph: str, found: list[str]) -> bytes:
    """N-Triples lines (each ending with :data:`LINE_END`, as :func:`lines` gives them) as N-Quads in ``graph``."""
    cut = len(LINE_END)
    return terminated([line[:-cut] for line in found], f" <{graph}>{TRIPLE_END}").encode("utf-8")


def split_nquads(nquads: bytes) -> dict[str, str]:
    """The N-Triples of each named graph in N-Quads written by :func:`graph_nquads`, by graph IRI.

    The graph is the last term of a line and an IRI holds no space, so a
    line splits at its last two spaces whatever its literals hold.

    >>> split_nquads(b'<urn:a> <urn:p> "x y" <urn:g> .\\n')
    {'urn:g': '<urn:a> <urn:p> "x y" .\\n'}
    """
    graphs: dict[str, list[str]] = {}
    for line in lines(nquads.decode("utf-8")):
        triple, graph, _ = line.rsplit(" ", 2)
        graphs.setdefault(graph[1:-1], []).append(triple)
    return {graph: terminated([f"{t}{LINE_END}" for t in triples], NEWLINE) for graph, triples in graphs.items()}


def document_statistics(graph: str, ntriples: str) -> str:
    """N-Triples of one document graph's counts (tasks, assignments by role, targets), subject the graph IRI.

    With them, the deadline years of its targets (``pg:targetYearInGraph``, one
    per year) and how many have none (``pg:undatedTargetsInGraph``), and how
    many tasks name no specific agency (``pg:tasksWithoutAgencyInGraph``): the
    partitions the targets-by-year and tasks-without-agency queries are read in.

    Counted from the graph's own lines, so a store's totals are sums over a
    few thousand documents instead of scans over millions of triples; each
    count is one search of the text for lines ending so.
    """
    counts = DocumentCounts()
    counts.add(lines(ntriples))
    return counts.ntriples(graph)


class DocumentCounts:
    """The :func:`document_statistics` of one document graph, counted chunk by chunk as its lines are written.

    Why chunks: a long document's lines are handed to the store a few
    thousand at a time and never held together. The builder cuts its lines
    only between tasks and between targets, so every line about one task (its
    agencies, its assignments, the bodies it names) or one target is in the
    same chunk; the unspecified bodies named so far are remembered, as a
    later task may name one again.
    """

    def __init__(self) -> None:
        self.counts = dict.fromkeys(DOCUMENT_COUNTS, 0)
        self.without_agency = 0
        self.years: dict[str, str] = {}
        self._bodies: set[str] = set()
        self._assignment_lines: set[str] = set()

    def add(self, found: list[str]) -> None:
        """Count one chunk of a document graph's N-Triples lines (each ending with :data:`LINE_END`)."""
        text = terminated(found, NEWLINE)
        for key, (_, end) in DOCUMENT_COUNTS.items():
            if key in _ASSIGNMENT_COUNTS:
                self.counts[key] += self._first_seen(line for line in found if line.endswith(end))
            elif key != "unspecified bodies":
                self.counts[key] += text.count(f"{end}{NEWLINE}")
        if DOCUMENT_COUNTS["unspecified bodies"][1] in text or self._bodies:
            self.counts["unspecified bodies"] += self._unspecified_assignments(found)
        if f"{DOCUMENT_COUNTS['targets'][1]}{NEWLINE}" in text:
            self.years.update(_target_years(found))
        self.without_agency += _tasks_without_agency(found)

    def _unspecified_assignments(self, found: list[str]) -> int:
        """Assignments whose agent is a body a task names as unspecified (the bodies are described in the shared graph)."""
        task_body, agent = DOCUMENT_COUNTS["unspecified bodies"][1], f" <{_PG}agent> "
        self._bodies.update(line.split(" ", 3)[2] for line in found if task_body in line)
        return self._first_seen(line for line in found if agent in line and line.split(" ", 3)[2] in self._bodies)

    def _first_seen(self, counted) -> int:
        """How many of ``counted`` (lines about assignments) no earlier chunk had: an extraction may give two
        tasks the same assignment, whose lines then are one triple each in the store but in two chunks here."""
        new = set(counted) - self._assignment_lines
        self._assignment_lines |= new
        return len(new)

    def ntriples(self, graph: str) -> str:
        """The statistics lines of the document graph ``graph``, in the order :func:`document_statistics` writes them."""
        years = sorted(set(self.years.values()), key=int)
        return ("".join(_count_line(graph, DOCUMENT_COUNTS[key][0], n) for key, n in self.counts.items())
                + _count_line(graph, "undatedTargetsInGraph", self.counts["targets"] - len(self.years))
                + _count_line(graph, "tasksWithoutAgencyInGraph", self.without_agency)
                + "".join(_count_line(graph, "targetYearInGraph", year) for year in years))


def _count_line(graph: str, prop: str, n: int | str) -> str:
    """One statistics line: ``graph`` has the integer ``n`` for ``pg:prop``."""
    return f'<{graph}> <{_PG}{prop}> "{n}"^^{_INTEGER}{TRIPLE_END}'


def _tasks_without_agency(found: list[str]) -> int:
    """How many tasks of a document graph's N-Triples lines name no specific agency (no pg:responsibleAgency)."""
    task, responsible = DOCUMENT_COUNTS["tasks"][1], f" {RESPONSIBLE} "
    tasks = {line.split(" ", 1)[0] for line in found if line.endswith(task)}
    return len(tasks - {line.split(" ", 1)[0] for line in found if responsible in line})


def _target_years(found: list[str]) -> dict[str, str]:
    """Each dated target of a document graph's N-Triples lines with its deadline year (the last, if it had several)."""
    matches = (_TARGET_YEAR.match(line) for line in found if "targetYear>" in line)
    return {m.group(1): str(int(m.group(2))) for m in matches if m}
