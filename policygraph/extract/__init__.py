"""Extraction: one decoded document in, one :class:`Extraction` out (outline, tasks, agencies, targets, named things)."""
from __future__ import annotations

from bisect import bisect_right
from collections import Counter
from dataclasses import replace

from ..knowledge import resource_json, using_overlay
from ..model import LEAD, RESPONSIBLE, UNCLASSIFIED, AgencyMention, Assignment, Clause, Extraction, OutlineNode, SourceDocument, Task
from ..segment import distinct_paths, line_numbers, segment
from .bodies import find_body_mentions
from .clauses import find_clauses
from .metadata import extract_metadata, issuer_names, nation_name, signature_names
from .named import extract_named
from .tables import find_table_tasks
from .targets import extract_targets

__all__ = ["extract", "assign_clauses", "select_tasks"]


def _outline_vocabulary() -> dict:
    return resource_json("outline.json")


def _outline() -> dict:
    return _outline_vocabulary()["outline"]


def _innermost(nodes: tuple[OutlineNode, ...], starts: list[int], position: int) -> OutlineNode | None:
    """The outline node whose own text contains ``position``.

    ``nodes`` are in document order and their spans never overlap, so only the
    last node starting at or before ``position`` can hold it; ``starts`` are
    their start offsets, for a binary search instead of a scan per clause.
    """
    at = bisect_right(starts, position) - 1
    if at >= 0 and position < nodes[at].span.end:
        return nodes[at]
    return None


def _alone_on_its_line(text: str, span) -> bool:
    line_start = text.rfind("\n", 0, span.start) + 1
    line_end = text.find("\n", span.end)
    line_end = len(text) if line_end < 0 else line_end
    return (not text[line_start:span.start].strip(_outline()["blanks"])
            and not text[span.end:line_end].strip(_outline()["blanks"] + _outline()["sentence_marks"]))


def _is_point(node: OutlineNode) -> bool:
    """A ①②③ point: it details its item rather than being a task of its own."""
    return len(node.path) > 1 and "\u2460" <= node.path[-1][0] <= "\u2473"


def assign_clauses(outline: tuple[OutlineNode, ...], clauses: tuple[Clause, ...], text: str = "") -> dict[tuple, list[Clause]]:
    """Group clauses by the outline node (keyed by (part, path)) they belong to.

    A clause belongs to the node whose text it closes — except a clause on a
    line of its own after a run of points (①②③) none of which has a clause of
    its own: it closes the item that the points detail.
    """
    starts = [node.span.start for node in outline]
    placed = [(clause, _innermost(outline, starts, clause.span.start)) for clause in clauses]
    has_clause = {(n.part, n.path) for _, n in placed if n is not None}
    clause_count = Counter(id(n) for _, n in placed)
    children: dict[tuple, list[OutlineNode]] = {}
    for node in outline:
        if len(node.path) > 1:
            children.setdefault((node.part, node.path[:-1]), []).append(node)
    by_node: dict[tuple, list[Clause]] = {}
    for clause, node in placed:
        if node is None:
            continue
        key = (node.part, node.path)
        parent = (node.part, node.path[:-1])
        siblings = children.get(parent, [])
        if (text and _is_point(node) and siblings and siblings[-1] is node and _alone_on_its_line(text, clause.span)
                and clause_count[id(node)] == 1
                and not any((s.part, s.path) in has_clause for s in siblings if s is not node)
                and (node.part, node.path) not in children):
            key = parent
        by_node.setdefault(key, []).append(clause)
    return by_node


def select_tasks(outline: tuple[OutlineNode, ...], with_clauses: set[tuple]) -> list[OutlineNode]:
    """The items that carry a clause; in a document without any, the leaf items of its task section (重点任务 …)."""
    if with_clauses:
        return [node for node in outline if (node.part, node.path) in with_clauses]
    words = tuple(_outline_vocabulary()["task_section_titles"])
    task_sections = {(n.part, n.path) for n in outline if len(n.path) == 1 and n.title.strip().endswith(words)}
    parents = {(n.part, n.path[:-1]) for n in outline if len(n.path) > 1}
    return [node for node in outline
            if len(node.path) > 1 and (node.part, node.path[:1]) in task_sections and (node.part, node.path) not in parents]


def _first_listed_leads(clauses: tuple[Clause, ...]) -> tuple[Clause, ...]:
    """Apply 列第一位者为牵头单位: in a clause that names no lead or support, its first body leads."""
    out = []
    for clause in clauses:
        if clause.mentions and all(m.role == RESPONSIBLE for m in clause.mentions):
            first = replace(clause.mentions[0], role=LEAD, stated=True)
            clause = replace(clause, mentions=(first, *clause.mentions[1:]))
        out.append(clause)
    return tuple(out)


def extract(document: SourceDocument, resolver) -> Extraction:
    """Run every extractor over one document.

    ``resolver`` is the :class:`policygraph.resolve.Resolver` of the lexicon to
    read with (``resolver_for(lexicon)``): it judges which words are bodies and
    resolves them to agencies, and it remembers resolutions across the
    documents of a corpus. Why the caller passes it: resolution stands above
    extraction (it reads extraction's body grammar), so extraction takes the
    resolver it is given instead of reaching up for one.
    """
    with using_overlay(resolver.lexicon.overlay):
        return _extract(document, resolver)


def _extract(document: SourceDocument, resolver) -> Extraction:
    """:func:`extract` inside the overlay of the resolver's lexicon, so every knowledge file is the one it was loaded with."""
    text = document.text
    outline = segment(text)
    meta = _metadata(text, outline, resolver)
    scan = find_clauses(text, resolver.judge)
    clauses = _first_listed_leads(scan.clauses) if scan.first_listed_leads else scan.clauses
    outline, clauses, by_node = _with_table_rows(text, outline, clauses, resolver)
    tasks, unrecognised = _tasks(select_tasks(outline, set(by_node)), by_node, meta, resolver)
    mentions = _issuers(meta, resolver)
    known = {a.agency.name for t in tasks for a in t.assignments if a.agency} | {m.agency.name for m in mentions}
    mentions += _body_mentions(text, meta, resolver, known)
    return Extraction(
        document=document,
        meta=meta,
        outline=outline,
        tasks=tuple(tasks),
        targets=extract_targets(text, title=meta.title, outline=outline),
        named=extract_named(text),
        agency_mentions=tuple(mentions),
        warnings=_warnings(text, clauses, tasks, unrecognised),
        rejected=scan.rejected,
    )


def _metadata(text: str, outline: tuple[OutlineNode, ...], resolver):
    """The document's metadata, its jurisdiction placed in the lexicon's levels (a joint plan of national bodies is national)."""
    lexicon = resolver.lexicon
    meta = extract_metadata(text, outline, *resolver.jurisdiction_names())
    joint = issuer_names(meta.title)
    if len(joint) > 1 and all((a := resolver.resolve(n, meta.jurisdiction)) is not None
                              and a.jurisdiction == nation_name() for n in joint):
        meta = replace(meta, jurisdiction=nation_name(), issuer=meta.issuer or joint[0],
                       jurisdiction_evidence="every issuer the title names is a national body")
    place = resolver.place(meta.jurisdiction, meta.jurisdiction_parent)
    above = lexicon.parent(place)
    return replace(meta, jurisdiction_level=lexicon.level_name(place),
                   jurisdiction_parent=meta.jurisdiction_parent or (above.name if above else None))


def _with_table_rows(text: str, outline: tuple[OutlineNode, ...], clauses: tuple[Clause, ...], resolver):
    """The outline with the task tables' rows among its items (each path made distinct), every clause, and the
    clauses of each item by (part, path): a row's clause is its own, a heading's those :func:`assign_clauses` gives."""
    headings = {(n.part, n.path) for n in outline}
    rows = [(replace(row.node, part=row.node.part or _outline()["table_part"])
             if (row.node.part, row.node.path) in headings else row.node, row.clause)
            for row in find_table_tasks(text, resolver.judge)]
    merged = sorted([*outline, *(node for node, _ in rows)], key=lambda n: n.span.start)
    placed = distinct_paths(merged)
    renamed = {id(node): kept for node, kept in zip(merged, placed)}
    by_node = assign_clauses(tuple(renamed[id(n)] for n in outline), clauses, text)
    table_clauses = []
    for node, clause in rows:
        if clause is not None:
            node = renamed[id(node)]
            table_clauses.append(clause)
            by_node[(node.part, node.path)] = [clause]
    return tuple(placed), clauses + tuple(table_clauses), by_node


def _tasks(nodes: list[OutlineNode], by_node: dict[tuple, list[Clause]], meta, resolver) -> tuple[list[Task], dict[str, int]]:
    """Each task item with its clauses and assignments (one per agency and role), and the unrecognised bodies
    met, each with the offset where it first appears."""
    tasks = []
    unrecognised: dict[str, int] = {}
    for node in nodes:
        node_clauses = tuple(by_node.get((node.part, node.path), ()))
        seen, assignments = set(), []
        for clause in node_clauses:
            for mention in clause.mentions:
                agency = None if mention.generic else resolver.resolve(mention.surface, meta.jurisdiction, unclassified=True,
                                                                        within=meta.jurisdiction_parent)
                if agency is not None and agency.agency_type == UNCLASSIFIED:
                    unrecognised.setdefault(mention.surface, mention.span.start)
                key = (agency.name if agency else mention.surface, mention.role)
                if key in seen:
                    continue
                seen.add(key)
                assignments.append(Assignment(mention=mention, clause=clause, agency=agency))
        tasks.append(Task(node=node, clauses=node_clauses, assignments=tuple(assignments)))
    return tasks, unrecognised


def _resolving(meta, resolver):
    """How a name the document writes outside its clauses is resolved: in its jurisdiction, within the one above."""
    return lambda surface: resolver.resolve(surface, meta.jurisdiction, within=meta.jurisdiction_parent)


def _issuers(meta, resolver) -> list[AgencyMention]:
    """The agencies that issue the document: every one a joint title or signature names, else the one issuer."""
    resolve = _resolving(meta, resolver)
    issuers = [meta.issuer] if meta.issuer else []
    signed = signature_names(meta.issuer)
    if len(issuer_names(meta.title)) > 1:
        issuers = [name for name in issuer_names(meta.title) if resolve(name) is not None]
    elif len(signed) > 1:
        issuers = [name for name in signed if resolve(name) is not None]
    return [AgencyMention(surface=name, span=None, agency=agency, issuer=True)
            for name in issuers if (agency := resolve(name)) is not None]


def _body_mentions(text: str, meta, resolver, known: set[str]) -> list[AgencyMention]:
    """The agencies the text names outside its clauses, beside those ``known`` from tasks and issuers."""
    info = resolver.lexicon.jurisdiction(meta.jurisdiction)
    names = (info.name, info.short) if info is not None else (meta.jurisdiction,)
    return [AgencyMention(surface, span, agency)
            for surface, span, agency in find_body_mentions(text, _resolving(meta, resolver), known, names)]


def _warnings(text: str, clauses: tuple[Clause, ...], tasks: list[Task], unrecognised: dict[str, int]) -> tuple[str, ...]:
    """What a reader of the build report should know about the document: nothing found, bodies not in the lexicon."""
    warnings = []
    if not clauses:
        warnings.append("no responsibility clauses found")
    if not tasks:
        warnings.append("no tasks found")
    lines = line_numbers(text, unrecognised.values())
    warnings.extend(f"unrecognised body {surface!r} (line {lines[at]}): kept as an unclassified agency"
                    for surface, at in unrecognised.items())
    return tuple(warnings)
