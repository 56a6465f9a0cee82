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

from .model import ROLE_TERMS
from .vocab import PG_NS

__all__ = ["LINE_END", "NEWLINE", "TRIPLE_END", "graph_nquads", "split_nquads", "document_statistics",
           "DOCUMENT_COUNTS", "RESPONSIBLE_AGENCY", "lines", "terminated"]

#: What ends every statement before its newline: a space and a full stop.
LINE_END = " ."
#: What separates lines: a newline only, as a literal may hold U+2028 or a form feed unescaped.
NEWLINE = "\n"
#: The end of every N-Triples and N-Quads line the builder and the store write.
TRIPLE_END = LINE_END + NEWLINE

_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_INTEGER = "<http://www.w3.org/2001/XMLSchema#integer>"
#: The predicate of every task–agency link, whatever the role (N-Triples form).
RESPONSIBLE_AGENCY = f"<{PG_NS}responsibleAgency>"

#: Per document graph, what the statistics graph counts: report key → (property, the end of an N-Triples line
#: that is one of them). "unspecified bodies" counts assignments whose agent is a body a task names as pg:unspecifiedBody.
DOCUMENT_COUNTS = {
    "tasks": ("tasksInGraph", f" {_TYPE} <{PG_NS}Task>{LINE_END}"),
    "assignments": ("assignmentsInGraph", f" {_TYPE} <{PG_NS}Assignment>{LINE_END}"),
    **{role: (f"{role}AssignmentsInGraph", f" <{PG_NS}role> <{PG_NS}{term}>{LINE_END}") for role, term in ROLE_TERMS.items()},
    "unspecified bodies": ("unspecifiedAssignmentsInGraph", f" <{PG_NS}unspecifiedBody> <"),
    "targets": ("targetsInGraph", f" {_TYPE} <{PG_NS}Target>{LINE_END}"),
}

_TARGET_YEAR = re.compile(rf'^(<[^>]+>) <{re.escape(PG_NS)}targetYear> "([+-]?\d+)"\^\^{re.escape(_INTEGER)}'
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
    cut = len(LINE_END)
    return "".join(terminated([line[:-cut] for line in lines(ntriples)], f" <{graph}>{TRIPLE_END}")
                   for graph, ntriples in graphs if graph).encode("utf-8")


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
    found = lines(ntriples)
    counts = _line_counts(found)
    dated = {} if counts["targets"] == 0 else _target_years(found)
    years = sorted(set(dated.values()), key=int)
    return ("".join(_count_line(graph, DOCUMENT_COUNTS[key][0], n) for key, n in counts.items())
            + _count_line(graph, "undatedTargetsInGraph", counts["targets"] - len(dated))
            + _count_line(graph, "tasksWithoutAgencyInGraph", _tasks_without_agency(found))
            + "".join(_count_line(graph, "targetYearInGraph", year) for year in years))


def _count_line(graph: str, prop: str, n: int | str) -> str:
    """One statistics line: ``graph`` has the integer ``n`` for ``pg:prop``."""
    return f'<{graph}> <{PG_NS}{prop}> "{n}"^^{_INTEGER}{TRIPLE_END}'


def _line_counts(found: list[str]) -> dict[str, int]:
    """The :data:`DOCUMENT_COUNTS` of a document graph's lines, by report key."""
    text = terminated(found, NEWLINE)
    counts = {key: text.count(f"{end}{NEWLINE}") for key, (_, end) in DOCUMENT_COUNTS.items()}
    if DOCUMENT_COUNTS["unspecified bodies"][1] in text:
        counts["unspecified bodies"] = _unspecified_assignments(found)
    return counts


def _unspecified_assignments(found: list[str]) -> int:
    """Assignments whose agent is a body a task names as unspecified (the bodies are described in the shared graph)."""
    task_body, agent = DOCUMENT_COUNTS["unspecified bodies"][1], f" <{PG_NS}agent> "
    bodies = {line.split(" ", 3)[2] for line in found if task_body in line}
    return sum(1 for line in found if agent in line and line.split(" ", 3)[2] in bodies)


def _tasks_without_agency(found: list[str]) -> int:
    """How many tasks of a document graph's N-Triples lines name no specific agency (no pg:responsibleAgency)."""
    task, responsible = DOCUMENT_COUNTS["tasks"][1], f" {RESPONSIBLE_AGENCY} "
    tasks = {line.split(" ", 1)[0] for line in found if line.endswith(task)}
    return len(tasks - {line.split(" ", 1)[0] for line in found if responsible in line})


def _target_years(found: list[str]) -> dict[str, str]:
    """Each dated target of a document graph's N-Triples lines with its deadline year (the last, if it had several)."""
    matches = (_TARGET_YEAR.match(line) for line in found if "targetYear>" in line)
    return {m.group(1): str(int(m.group(2))) for m in matches if m}
