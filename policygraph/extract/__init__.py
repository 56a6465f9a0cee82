"""Extraction: one decoded document in, one :class:`Extraction` out (outline, tasks, agencies, targets, named things)."""
from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources

from ..model import AgencyMention, Assignment, Clause, Extraction, OutlineNode, SourceDocument, Task
from ..segment import segment
from .bodies import find_body_mentions
from .clauses import find_clauses
from .metadata import JurisdictionName, extract_metadata

__all__ = ["extract", "assign_clauses", "select_tasks"]


@lru_cache(maxsize=1)
def _outline_vocabulary() -> dict:
    return json.loads((resources.files("policygraph") / "resources" / "outline.json").read_text("utf-8"))


def _innermost(nodes: tuple[OutlineNode, ...], position: int) -> OutlineNode | None:
    """The outline node whose own text contains ``position`` (node spans never overlap)."""
    found = None
    for node in nodes:
        if node.span.start <= position < node.span.end:
            found = node
        elif node.span.start > position:
            break
    return found


def assign_clauses(outline: tuple[OutlineNode, ...], clauses: tuple[Clause, ...]) -> dict[tuple, list[Clause]]:
    """Group clauses by the outline node (keyed by (part, path)) whose text they close."""
    by_node: dict[tuple, list[Clause]] = {}
    for clause in clauses:
        node = _innermost(outline, clause.span.start)
        if node is not None:
            by_node.setdefault((node.part, node.path), []).append(clause)
    return by_node


def select_tasks(outline: tuple[OutlineNode, ...], with_clauses: set[tuple]) -> list[OutlineNode]:
    """Items that carry a clause, and leaf items of a task section (重点任务, 主要任务 …)."""
    words = tuple(_outline_vocabulary()["task_section_titles"])
    task_sections = {(n.part, n.path) for n in outline if len(n.path) == 1 and n.title.strip().endswith(words)}
    parents = {(n.part, n.path[:-1]) for n in outline if len(n.path) > 1}
    tasks = []
    for node in outline:
        key = (node.part, node.path)
        if key in with_clauses:
            tasks.append(node)
        elif len(node.path) > 1 and (node.part, node.path[:1]) in task_sections and key not in parents:
            tasks.append(node)
    return tasks


_NAMES_CACHE: dict[int, tuple[tuple[JurisdictionName, ...], tuple[JurisdictionName, ...]]] = {}


def _names(lexicon) -> tuple[tuple[JurisdictionName, ...], tuple[JurisdictionName, ...]]:
    """Provinces (with short names and 文号 abbreviations), and cities and counties by full name."""
    key = id(lexicon)
    if key not in _NAMES_CACHE:
        _NAMES_CACHE[key] = (
            tuple(JurisdictionName(j.name, j.short, j.abbr) for j in lexicon.jurisdictions),
            tuple(JurisdictionName(p.name) for p in lexicon.places if len(p.name) >= 3),
        )
    return _NAMES_CACHE[key]


def extract(document: SourceDocument, lexicon=None) -> Extraction:
    """Run every extractor over one document.

    ``lexicon`` is a :class:`policygraph.lexicon.Lexicon`; the bundled one is
    used when it is None.
    """
    from ..lexicon import load_lexicon
    from ..resolve import is_generic, looks_like_agency, resolve_mention
    from .named import extract_named
    from .targets import extract_targets

    lexicon = lexicon or load_lexicon()
    text = document.text
    outline = segment(text)
    meta = extract_metadata(text, outline, *_names(lexicon))
    generic = lambda s: is_generic(s, lexicon)  # noqa: E731
    clauses = find_clauses(text, lambda s: generic(s) or looks_like_agency(s, lexicon), generic)
    by_node = assign_clauses(outline, clauses)
    resolved: dict[str, object] = {}

    def resolve(surface: str):
        if surface not in resolved:
            resolved[surface] = resolve_mention(surface, meta.jurisdiction, lexicon)
        return resolved[surface]

    tasks = []
    for node in select_tasks(outline, set(by_node)):
        node_clauses = tuple(by_node.get((node.part, node.path), ()))
        seen, assignments = set(), []
        for clause in node_clauses:
            for mention in clause.mentions:
                agency = None if mention.generic else resolve(mention.surface)
                key = (agency.name if agency else mention.surface, mention.role)
                if key in seen:
                    continue
                seen.add(key)
                assignments.append(Assignment(mention=mention, clause=clause, agency=agency))
        tasks.append(Task(node=node, clauses=node_clauses, assignments=tuple(assignments)))
    mentions = []
    issuer = resolve(meta.issuer) if meta.issuer else None
    if issuer is not None:
        mentions.append(AgencyMention(surface=meta.issuer, span=None, agency=issuer, issuer=True))
    known = {a.agency.name for t in tasks for a in t.assignments if a.agency} | {m.agency.name for m in mentions}
    info = lexicon.jurisdiction(meta.jurisdiction)
    names = (info.name, info.short) if info is not None else (meta.jurisdiction,)
    mentions.extend(AgencyMention(surface, span, agency)
                    for surface, span, agency in find_body_mentions(text, resolve, known, names))
    warnings = []
    if not clauses:
        warnings.append("no responsibility clauses found")
    if not tasks:
        warnings.append("no tasks found")
    return Extraction(
        document=document,
        meta=meta,
        outline=outline,
        tasks=tuple(tasks),
        targets=extract_targets(text),
        named=extract_named(text),
        agency_mentions=tuple(mentions),
        warnings=tuple(warnings),
    )
