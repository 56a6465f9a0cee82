"""Scoring a built graph against the hand annotations: per-field precision, recall and misses.

The graph is read only through SPARQL on the terms of the graph contract (the
``pg:`` ontology in ontology/policygraph.ttl, whose SHACL shapes are
ontology/shapes.ttl), so any graph that follows the contract can be scored,
whoever built it. Each
field is read with one query over the whole graph, then compared per document.
"""
from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from policygraph.errors import InputError
from policygraph.formats import csv_text, format_table, table_lines
from policygraph.load import load_document
from policygraph.model import ROLE_TERMS
from policygraph.normalize import entity_key, fold, normalize_document_number
from policygraph.vocab import PG_NS

if TYPE_CHECKING:  # pragma: no cover
    import rdflib

__all__ = [
    "FIELDS",
    "Score",
    "Miss",
    "Report",
    "evaluate",
    "format_report",
    "format_report_csv",
    "load_gold",
    "entity_key",
]

#: The scored fields, in report order.
FIELDS = (
    "tasks",
    "task_titles",
    "assignments",
    "roles",
    "generic",
    "alias_clusters",
    "distinct_agencies",
    "targets",
    "targets_value",
    "parks",
    "funds",
    "programs",
    "jurisdiction",
    "title",
    "document_number",
    "issued",
    "issuer",
    "implements",
)

_PREFIXES = f"""
PREFIX pg: <{PG_NS}>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
_ROLES = {PG_NS + term: role for role, term in ROLE_TERMS.items()}
_TRAILING = "。．.，,；;：:、！!？?"
_NAMED_KINDS = {PG_NS + "Park": "parks", PG_NS + "Fund": "funds", PG_NS + "Program": "programs"}


# ---------------------------------------------------------------- results


@dataclass(frozen=True)
class Score:
    """Counts of one field; precision, recall and F1 derive from them.

    An empty score (nothing expected, nothing predicted) is perfect, so a
    document without, say, parks does not drag the average down.

    >>> s = Score(3, 1, 0)
    >>> (s.precision, s.recall, round(s.f1, 3))
    (0.75, 1.0, 0.857)
    >>> Score().f1
    1.0
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        if self.tp + self.fp:
            return self.tp / (self.tp + self.fp)
        return 1.0 if not self.fn else 0.0

    @property
    def recall(self) -> float:
        if self.tp + self.fn:
            return self.tp / (self.tp + self.fn)
        return 1.0 if not self.fp else 0.0

    @property
    def f1(self) -> float:
        total = 2 * self.tp + self.fp + self.fn
        return 2 * self.tp / total if total else 1.0

    def __add__(self, other: "Score") -> "Score":
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, float | int]:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn,
                "precision": self.precision, "recall": self.recall, "f1": self.f1}


@dataclass(frozen=True)
class Miss:
    """One disagreement, for debugging: ``kind`` is "missed", "spurious" or "wrong"."""

    document: str
    field: str
    kind: str
    detail: str


@dataclass(frozen=True)
class Report:
    """Scores per field (summed over documents), per document, and the misses."""

    fields: Mapping[str, Score]
    documents: Mapping[str, Mapping[str, Score]]
    misses: tuple[Miss, ...] = ()
    missing_documents: tuple[str, ...] = ()
    #: Parks, funds and programs of the scored documents in the graph: kind → (document–entity pairs, entities).
    #: The scores count pairs, since a name is matched per document; the build counts entities.
    named_in_graph: Mapping[str, tuple[int, int]] = field(default_factory=dict)

    @property
    def role_accuracy(self) -> float:
        """Share of matched assignments whose role is right (1.0 when none matched)."""
        s = self.fields.get("roles", Score())
        return s.tp / (s.tp + s.fn) if s.tp + s.fn else 1.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "fields": {k: v.to_dict() for k, v in self.fields.items()},
            "role_accuracy": self.role_accuracy,
            "documents": {d: {k: v.to_dict() for k, v in fs.items()} for d, fs in self.documents.items()},
            "missing_documents": list(self.missing_documents),
            "named_in_graph": {k: {"pairs": p, "entities": e} for k, (p, e) in self.named_in_graph.items()},
            "misses": [vars(m).copy() for m in self.misses],
        }


# ---------------------------------------------------------------- keys


def _key(text: str) -> str:
    return "".join(fold(text).split())


def _title_key(text: str) -> str:
    return entity_key(text).rstrip(_TRAILING)


def _number_key(text: str) -> str:
    return normalize_document_number(text) or _key(text)


# ---------------------------------------------------------------- gold


def load_gold(gold_dir: Path, documents: Sequence[str] | None = None) -> dict[str, dict]:
    """Read the gold JSON files of ``gold_dir``, keyed by source file name.

    ``documents`` restricts the result to those source files (folders are
    ignored); names without a gold file are skipped, since there is nothing
    to score them against.
    """
    gold_dir = Path(gold_dir)
    if not gold_dir.is_dir():
        raise InputError(str(gold_dir), "gold directory not found")
    gold: dict[str, dict] = {}
    for path in sorted(gold_dir.glob("*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(str(path), f"cannot read gold annotation: {exc}") from exc
        gold[data.get("document") or path.stem + ".txt"] = data
    if documents is not None:
        wanted = {Path(d).name for d in documents}
        gold = {d: g for d, g in gold.items() if d in wanted}
    return gold


# ---------------------------------------------------------------- graph


@dataclass(frozen=True)
class _PredTarget:
    node: str
    value: float | None
    value_max: float | None
    unit: str | None
    comparator: str | None
    year: int | None
    annual: bool
    start: int | None
    end: int | None
    surface: str
    source_texts: tuple[str, ...]


@dataclass
class _Facts:
    """What the graph says, grouped by source file."""

    files: set[str] = field(default_factory=set)
    tasks: dict = field(default_factory=dict)
    assignments: dict = field(default_factory=dict)
    agencies: dict = field(default_factory=dict)
    agency_names: dict = field(default_factory=dict)
    targets: dict = field(default_factory=dict)
    named: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)


def _union(graph: "rdflib.Graph") -> "rdflib.Graph":
    import rdflib

    if getattr(graph, "default_union", True) is False:
        return rdflib.Dataset(store=graph.store, default_union=True)
    return graph


def _rows(graph: "rdflib.Graph", query: str) -> Iterable:
    return graph.query(_PREFIXES + query)


def _zh(literal) -> bool:
    lang = getattr(literal, "language", None)
    return not lang or lang.lower().startswith("zh")


def _read_graph(graph: "rdflib.Graph") -> _Facts:
    docs = {r.d: str(r.f) for r in _rows(graph, "SELECT ?d ?f WHERE { ?d a pg:PolicyDocument ; pg:sourceFile ?f }")}
    agencies, names = _read_agencies(graph, docs)
    return _Facts(
        files=set(docs.values()),
        tasks=_read_tasks(graph, docs),
        assignments=_read_assignments(graph, docs),
        agencies=agencies,
        agency_names=names,
        targets=_read_targets(graph, docs),
        named=_read_named(graph, docs),
        meta=_read_metadata(graph, docs),
    )


def _read_tasks(graph: "rdflib.Graph", docs: Mapping) -> dict:
    tasks: dict = defaultdict(lambda: defaultdict(list))
    for r in _rows(graph, """SELECT ?d ?t ?o ?title WHERE {
            ?t a pg:Task ; pg:inDocument ?d ; pg:outline ?o . OPTIONAL { ?t dcterms:title ?title } }"""):
        if r.d in docs:
            titles = tasks[docs[r.d]][_key(str(r.o))]
            if r.title is not None and str(r.title) not in titles:
                titles.append(str(r.title))
    return tasks


def _read_assignments(graph: "rdflib.Graph", docs: Mapping) -> dict:
    roles = {r.n: str(r.r) for r in _rows(graph, "SELECT ?n ?r WHERE { ?n pg:role ?r }")}
    generic = {r.n for r in _rows(graph, "SELECT DISTINCT ?n WHERE { ?u a pg:UnspecifiedBody . ?n pg:agent ?u }")}
    found: dict = defaultdict(lambda: defaultdict(list))
    seen: set = set()
    for r in _rows(graph, """SELECT ?d ?o ?n ?s WHERE {
            ?t a pg:Task ; pg:inDocument ?d ; pg:outline ?o ; pg:assignment ?n . ?n pg:surface ?s }"""):
        if r.d in docs and (r.d, r.o, r.n) not in seen:
            seen.add((r.d, r.o, r.n))
            role = roles.get(r.n)
            role = _ROLES.get(role, role.rsplit("#", 1)[-1]) if role else None
            found[docs[r.d]][_key(str(r.o))].append((str(r.s), role, r.n in generic))
    return found


def _read_agencies(graph: "rdflib.Graph", docs: Mapping) -> tuple[dict, dict]:
    """Per document, folded label → the agencies the document uses that carry it; and display names."""
    labels: dict = defaultdict(set)
    names: dict = {}
    for r in _rows(graph, "SELECT ?a ?l WHERE { ?a a pg:Agency ; rdfs:label|skos:altLabel ?l }"):
        labels[r.a].add(_key(str(r.l)))
        if _zh(r.l) and (r.a not in names or str(r.l) < names[r.a]):
            names[r.a] = str(r.l)
    index: dict = defaultdict(lambda: defaultdict(set))
    for r in _rows(graph, """SELECT DISTINCT ?d ?a WHERE {
            { ?t pg:inDocument ?d ; pg:responsibleAgency|pg:leadAgency|pg:supportingAgency ?a }
            UNION { ?d pg:issuedBy|pg:mentionsAgency ?a }
            UNION { ?x pg:inDocument ?d ; pg:agent ?a }
            UNION { ?t pg:inDocument ?d ; pg:assignment ?y . ?y pg:agent ?a } }"""):
        if r.d in docs:
            for label in labels.get(r.a, ()):
                index[docs[r.d]][label].add(r.a)
    return index, names


def _read_targets(graph: "rdflib.Graph", docs: Mapping) -> dict:
    props: dict = defaultdict(lambda: defaultdict(list))
    owner: dict = {}
    for r in _rows(graph, "SELECT ?g ?d ?p ?o WHERE { ?g a pg:Target ; pg:inDocument ?d ; ?p ?o }"):
        if r.d in docs:
            owner[r.g] = docs[r.d]
            props[r.g][str(r.p).removeprefix(PG_NS)].append(r.o)
    targets: dict = defaultdict(list)
    for node in sorted(props, key=str):
        targets[owner[node]].append(_pred_target(str(node), props[node]))
    for found in targets.values():
        found.sort(key=lambda t: (t.start if t.start is not None else -1, t.surface, t.node))
    return targets


def _read_named(graph: "rdflib.Graph", docs: Mapping) -> dict:
    """Per document and kind: entity → {entity key: label}."""
    named: dict = defaultdict(lambda: defaultdict(dict))
    for r in _rows(graph, """SELECT DISTINCT ?d ?kind ?e ?l WHERE {
            VALUES ?kind { pg:Park pg:Fund pg:Program }
            ?e a ?kind ; rdfs:label ?l .
            { ?d pg:mentions ?e } UNION { ?x pg:inDocument ?d ; pg:mentions ?e } }"""):
        if r.d in docs and _zh(r.l):
            entity = named[docs[r.d]][_NAMED_KINDS[str(r.kind)]].setdefault(r.e, {})
            entity.setdefault(entity_key(str(r.l)), str(r.l))
    return named


def _read_metadata(graph: "rdflib.Graph", docs: Mapping) -> dict:
    meta: dict = defaultdict(lambda: defaultdict(set))
    for r in _rows(graph, """SELECT ?d ?key ?v WHERE {
            { ?d pg:jurisdiction ?j . ?j rdfs:label ?v . BIND("jurisdiction" AS ?key) }
            UNION { ?d dcterms:title ?v . BIND("title" AS ?key) }
            UNION { ?d pg:documentNumber ?v . BIND("document_number" AS ?key) }
            UNION { ?d dcterms:issued ?v . BIND("issued" AS ?key) }
            UNION { ?d pg:issuedBy ?v . BIND("issuer_node" AS ?key) }
            UNION { ?d pg:issuedBy ?a . ?a rdfs:label|skos:altLabel ?v . BIND("issuer" AS ?key) }
            UNION { ?d pg:implements ?c . ?c pg:documentNumber ?v . BIND("implements" AS ?key) } }"""):
        if r.d in docs and (str(r.key) != "jurisdiction" or _zh(r.v)):
            meta[docs[r.d]][str(r.key)].add(str(r.v))
    return meta


def _pred_target(node: str, props: Mapping[str, list]) -> _PredTarget:
    def one(name: str, cast=str):
        values = sorted(props.get(name, ()), key=str)
        if not values:
            return None
        try:
            return cast(values[0].toPython() if cast is not str else values[0])
        except (TypeError, ValueError):
            return None

    annual = one("annual", lambda v: v is True or str(v).lower() in ("true", "1"))
    return _PredTarget(
        node=node,
        value=one("value", float),
        value_max=one("valueMax", float),
        unit=one("unit"),
        comparator=one("comparator"),
        year=one("targetYear", int),
        annual=bool(annual),
        start=one("startOffset", int),
        end=one("endOffset", int),
        surface=one("surface") or "",
        source_texts=tuple(sorted(str(v) for v in props.get("sourceText", ()))),
    )


# ---------------------------------------------------------------- scoring


class _Tally:
    """Accumulates per-document counts and misses while the fields are compared."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
        self.misses: list[Miss] = []

    def add(self, doc: str, name: str, tp: int = 0, fp: int = 0, fn: int = 0) -> None:
        c = self.counts[doc][name]
        c[0] += tp
        c[1] += fp
        c[2] += fn

    def miss(self, doc: str, name: str, kind: str, detail: str) -> None:
        self.misses.append(Miss(doc, name, kind, detail))


def _score_tasks(doc: str, gold: dict, facts: _Facts, tally: _Tally) -> None:
    gold_tasks = {_key(t["path"]): t for t in gold.get("tasks") or ()}
    pred = facts.tasks.get(doc, {})
    for path, task in gold_tasks.items():
        if path not in pred:
            tally.add(doc, "tasks", fn=1)
            tally.miss(doc, "tasks", "missed", f"{task['path']} {task.get('title') or ''}".rstrip())
            continue
        tally.add(doc, "tasks", tp=1)
        gold_title = task.get("title") or ""
        titles = pred[path]
        if any(_title_key(t) == _title_key(gold_title) for t in titles):
            tally.add(doc, "task_titles", tp=1)
        else:
            tally.add(doc, "task_titles", fn=1)
            shown = sorted(titles)[0] if titles else None
            tally.miss(doc, "task_titles", "wrong", f"{task['path']}: gold {gold_title!r}, graph {shown!r}")
    for path in sorted(set(pred) - set(gold_tasks)):
        titles = sorted(pred[path])
        tally.add(doc, "tasks", fp=1)
        tally.miss(doc, "tasks", "spurious", f"{path} {titles[0] if titles else ''}".rstrip())


def _score_assignments(doc: str, gold: dict, facts: _Facts, tally: _Tally) -> None:
    gold_by_path: dict[str, list] = defaultdict(list)
    shown_path: dict[str, str] = {}
    for task in gold.get("tasks") or ():
        path = _key(task["path"])
        shown_path[path] = task["path"]
        for a in task.get("assignments") or ():
            gold_by_path[path].append((a["mention"], a.get("role"), bool(a.get("generic"))))
    pred_by_path = facts.assignments.get(doc, {})
    for path in sorted(set(gold_by_path) | set(pred_by_path)):
        label = shown_path.get(path, path)
        gold_groups: dict[str, list] = defaultdict(list)
        pred_groups: dict[str, list] = defaultdict(list)
        for item in gold_by_path.get(path, ()):
            gold_groups[_key(item[0])].append(item)
        for item in pred_by_path.get(path, ()):
            pred_groups[_key(item[0])].append(item)
        for mention in list(dict.fromkeys([*gold_groups, *sorted(pred_groups)])):
            g, p = gold_groups.get(mention, []), pred_groups.get(mention, [])
            matched = min(len(g), len(p))
            tally.add(doc, "assignments", tp=matched, fp=len(p) - matched, fn=len(g) - matched)
            for item in g[matched:]:
                tally.miss(doc, "assignments", "missed", f"{label} {item[0]} ({item[1]})")
            for item in p[matched:]:
                tally.miss(doc, "assignments", "spurious", f"{label} {item[0]} ({item[1]})")
            if matched:
                _score_roles(doc, label, g, p, matched, tally)


def _score_roles(doc: str, label: str, gold: list, pred: list, matched: int, tally: _Tally) -> None:
    gold_roles, pred_roles = Counter(x[1] for x in gold), Counter(x[1] for x in pred)
    right = min(matched, sum((gold_roles & pred_roles).values()))
    tally.add(doc, "roles", tp=right, fn=matched - right)
    if right < matched:
        missing = list((gold_roles - pred_roles).elements())
        extra = list((pred_roles - gold_roles).elements())
        for g_role, p_role in list(zip(missing, extra))[: matched - right]:
            tally.miss(doc, "roles", "wrong", f"{label} {gold[0][0]}: gold {g_role}, graph {p_role}")
    gold_gen, pred_gen = Counter(x[2] for x in gold), Counter(x[2] for x in pred)
    both = min(matched, gold_gen[True], pred_gen[True])
    tally.add(doc, "generic", tp=both)
    agree = min(matched, sum((gold_gen & pred_gen).values()))
    wrong = matched - agree
    if wrong:
        gold_says_generic = gold_gen[True] > pred_gen[True]
        if gold_says_generic:
            tally.add(doc, "generic", fn=wrong)
        else:
            tally.add(doc, "generic", fp=wrong)
        said = ("generic", "specific") if gold_says_generic else ("specific", "generic")
        for _ in range(wrong):
            tally.miss(doc, "generic", "wrong", f"{label} {gold[0][0]}: gold {said[0]}, graph {said[1]}")


def _agency_text(facts: _Facts, agencies: Iterable) -> str:
    return ", ".join(sorted(facts.agency_names.get(a, str(a)) for a in agencies))


def _score_agencies(doc: str, gold: dict, facts: _Facts, tally: _Tally) -> None:
    index = facts.agencies.get(doc, {})
    for cluster in gold.get("agency_clusters") or ():
        found = {m: index.get(_key(m), set()) for m in cluster}
        lost = [m for m in cluster if not found[m]]
        union = set().union(*found.values())
        if not lost and len(union) == 1:
            tally.add(doc, "alias_clusters", tp=1)
            continue
        tally.add(doc, "alias_clusters", fn=1)
        if lost:
            detail = f"{' = '.join(cluster)}: not found {', '.join(lost)}"
        else:
            parts = "; ".join(f"{m} → {_agency_text(facts, found[m])}" for m in cluster)
            detail = f"{' = '.join(cluster)}: split over {len(union)} agencies ({parts})"
        tally.miss(doc, "alias_clusters", "missed", detail)
    for pair in gold.get("distinct_agencies") or ():
        first, second = (index.get(_key(m), set()) for m in pair)
        shown = f"{pair[0]} ≠ {pair[1]}"
        lost = [m for m, f in zip(pair, (first, second)) if not f]
        if lost:
            tally.add(doc, "distinct_agencies", fn=1)
            tally.miss(doc, "distinct_agencies", "missed", f"{shown}: not found {', '.join(lost)}")
        elif first & second:
            tally.add(doc, "distinct_agencies", fp=1)
            tally.miss(doc, "distinct_agencies", "wrong", f"{shown}: merged into {_agency_text(facts, first & second)}")
        else:
            tally.add(doc, "distinct_agencies", tp=1)


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=0.0)


def _number(x: float | None) -> str:
    if x is None:
        return "None"
    return str(int(x)) if float(x).is_integer() else f"{x:.6g}"


def _target_differences(gold: dict, pred: _PredTarget, strict: bool) -> list[str]:
    diffs = []
    if not _close(gold.get("value"), pred.value):
        diffs.append(f"value: gold {_number(gold.get('value'))}, graph {_number(pred.value)}")
    if not _close(gold.get("value_max"), pred.value_max):
        diffs.append(f"value_max: gold {_number(gold.get('value_max'))}, graph {_number(pred.value_max)}")
    g_unit, p_unit = gold.get("unit"), pred.unit
    if (_key(g_unit) if g_unit else None) != (_key(p_unit) if p_unit else None):
        diffs.append(f"unit: gold {g_unit}, graph {p_unit}")
    if bool(gold.get("annual")) != pred.annual:
        diffs.append(f"annual: gold {bool(gold.get('annual'))}, graph {pred.annual}")
    if strict:
        if gold.get("year") != pred.year:
            diffs.append(f"year: gold {gold.get('year')}, graph {pred.year}")
        if gold.get("comparator") != pred.comparator:
            diffs.append(f"comparator: gold {gold.get('comparator')}, graph {pred.comparator}")
    return diffs


def _locate(needle: str, folded_text: str | None) -> list[tuple[int, int]]:
    if not folded_text or not needle:
        return []
    needle = fold(needle)
    spans, start = [], folded_text.find(needle)
    while start >= 0:
        spans.append((start, start + len(needle)))
        start = folded_text.find(needle, start + 1)
    return spans


def _located(gold_text: str, spans: list[tuple[int, int]], pred: _PredTarget) -> bool:
    if spans and pred.start is not None and pred.end is not None:
        return any(s < pred.end and pred.start < e for s, e in spans)
    g = _key(gold_text)
    texts = [_key(t) for t in (pred.surface, *pred.source_texts) if t]
    return bool(g) and any(g in t or t in g for t in texts if t)


def _describe(value, value_max, unit, comparator, year, annual) -> str:
    amount = _number(value) + (f"-{_number(value_max)}" if value_max is not None else "")
    return f"{comparator} {amount}{unit or ''}" + (f", {year}" if year else "") + (", annual" if annual else "")


def _match_targets(gold: list[dict], spans: list, preds: list[_PredTarget], strict: bool):
    used: set[int] = set()
    unmatched = []
    for i, g in enumerate(gold):
        hit = next((j for j, p in enumerate(preds) if j not in used and _located(g["text"], spans[i], p)
                    and not _target_differences(g, p, strict)), None)
        if hit is None:
            unmatched.append(i)
        else:
            used.add(hit)
    return used, unmatched


def _score_targets(doc: str, gold: dict, facts: _Facts, text: str | None, tally: _Tally) -> None:
    gold_targets = [t for t in gold.get("targets") or () if t.get("text")]
    preds = facts.targets.get(doc, [])
    folded = fold(text) if text else None
    spans = [_locate(t["text"], folded) for t in gold_targets]
    loose_used, loose_unmatched = _match_targets(gold_targets, spans, preds, strict=False)
    tally.add(doc, "targets_value", tp=len(loose_used), fp=len(preds) - len(loose_used), fn=len(loose_unmatched))
    used, unmatched = _match_targets(gold_targets, spans, preds, strict=True)
    tally.add(doc, "targets", tp=len(used), fp=len(preds) - len(used), fn=len(unmatched))
    explained: set[int] = set()
    for i in unmatched:
        g = gold_targets[i]
        near = [j for j, p in enumerate(preds) if j not in used and j not in explained
                and _located(g["text"], spans[i], p)]
        if near:
            j = min(near, key=lambda k: len(_target_differences(g, preds[k], True)))
            explained.add(j)
            diffs = "; ".join(_target_differences(g, preds[j], True))
            tally.miss(doc, "targets", "wrong", f"{g['text']}: {diffs}")
        else:
            shown = _describe(g.get("value"), g.get("value_max"), g.get("unit"), g.get("comparator"),
                              g.get("year"), g.get("annual"))
            tally.miss(doc, "targets", "missed", f"{g['text']} ({shown})")
    for j, p in enumerate(preds):
        if j not in used and j not in explained:
            shown = _describe(p.value, p.value_max, p.unit, p.comparator, p.year, p.annual)
            tally.miss(doc, "targets", "spurious", f"{p.surface} ({shown})")


def _score_named(doc: str, gold: dict, facts: _Facts, tally: _Tally) -> None:
    for kind in ("parks", "funds", "programs"):
        gold_keys = {entity_key(n): n for n in gold.get(kind) or ()}
        entities = facts.named.get(doc, {}).get(kind, {})
        found = set().union(*(set(e) for e in entities.values())) if entities else set()
        for k, name in gold_keys.items():
            if k in found:
                tally.add(doc, kind, tp=1)
            else:
                tally.add(doc, kind, fn=1)
                tally.miss(doc, kind, "missed", name)
        spurious = sorted({min(e): e[min(e)] for e in entities.values() if e and not set(e) & set(gold_keys)}.items())
        for _, label in spurious:
            tally.add(doc, kind, fp=1)
            tally.miss(doc, kind, "spurious", label)


def _score_scalar(doc: str, name: str, gold_value: str | None, pred: set[str], key, present: bool,
                  tally: _Tally) -> None:
    pred_sorted = sorted(pred)
    if gold_value is None:
        if not present:
            return
        if pred_sorted:
            tally.add(doc, name, fp=1)
            tally.miss(doc, name, "spurious", f"graph {pred_sorted[0]!r}")
        else:
            tally.add(doc, name, tp=1)
    elif any(key(p) == key(gold_value) for p in pred_sorted):
        tally.add(doc, name, tp=1)
    elif pred_sorted:
        tally.add(doc, name, fn=1)
        tally.miss(doc, name, "wrong", f"gold {gold_value!r}, graph {pred_sorted[0]!r}")
    else:
        tally.add(doc, name, fn=1)
        tally.miss(doc, name, "missed", f"gold {gold_value!r}")


def _score_metadata(doc: str, gold: dict, facts: _Facts, present: bool, tally: _Tally) -> None:
    meta = facts.meta.get(doc, {})
    _score_scalar(doc, "jurisdiction", gold.get("jurisdiction"), meta.get("jurisdiction", set()), _key, present, tally)
    _score_scalar(doc, "title", gold.get("title"), meta.get("title", set()), entity_key, present, tally)
    _score_scalar(doc, "document_number", gold.get("document_number"), meta.get("document_number", set()),
                  _number_key, present, tally)
    _score_scalar(doc, "issued", gold.get("issued"), meta.get("issued", set()), lambda v: str(v)[:10], present, tally)
    issuer = meta.get("issuer") or meta.get("issuer_node") or set()
    _score_scalar(doc, "issuer", gold.get("issuer"), issuer, _key, present, tally)
    gold_numbers = {_number_key(n): n for n in gold.get("implements") or ()}
    pred_numbers = {_number_key(n): n for n in meta.get("implements", set())}
    for k, n in gold_numbers.items():
        if k in pred_numbers:
            tally.add(doc, "implements", tp=1)
        else:
            tally.add(doc, "implements", fn=1)
            tally.miss(doc, "implements", "missed", n)
    for k in sorted(set(pred_numbers) - set(gold_numbers)):
        tally.add(doc, "implements", fp=1)
        tally.miss(doc, "implements", "spurious", pred_numbers[k])


def _read_text(path: Path) -> str | None:
    """The document's decoded text, exactly as the build saw it (offsets in the graph index into it)."""
    try:
        return load_document(path).text
    except InputError:
        return None


def evaluate(
    graph: "rdflib.Graph",
    gold_dir: Path,
    documents: Sequence[str] | None = None,
    *,
    texts: Mapping[str, str] | None = None,
    corpus_dir: Path | None = None,
) -> Report:
    """Compare ``graph`` with the gold annotations in ``gold_dir``.

    Parameters
    ----------
    graph
        A graph or dataset following the contract; a dataset is read as the
        union of its named graphs.
    gold_dir
        Folder of gold JSON files (the format of data/gold/SCHEMA.md).
    documents
        Source files to score; default every gold file. Gold files whose
        document is not in the graph count as all misses, so a builder that
        drops a document cannot look better.
    texts, corpus_dir
        The decoded document texts (source file → text), or the folder they
        are read from, used to locate gold target text against the graph's
        target offsets. Without either, targets match by substring of
        ``pg:surface`` / ``pg:sourceText``.

    Returns
    -------
    Report
        Scores per field and per document, and every miss.
    """
    gold = load_gold(gold_dir, documents)
    facts = _read_graph(_union(graph))
    tally = _Tally()
    missing = tuple(sorted(d for d in gold if d not in facts.files))
    for doc in sorted(gold):
        g, present = gold[doc], doc in facts.files
        if texts is not None and doc in texts:
            text = texts[doc]
        elif corpus_dir is not None:
            text = _read_text(Path(corpus_dir) / doc)
        else:
            text = None
        for name in FIELDS:
            tally.add(doc, name)
        _score_tasks(doc, g, facts, tally)
        _score_assignments(doc, g, facts, tally)
        _score_agencies(doc, g, facts, tally)
        _score_targets(doc, g, facts, text, tally)
        _score_named(doc, g, facts, tally)
        _score_metadata(doc, g, facts, present, tally)
    return replace(_report(tally, missing), named_in_graph=_named_in_graph(facts, gold))


def _named_in_graph(facts: _Facts, documents) -> dict[str, tuple[int, int]]:
    """Per kind, the (document, entity) pairs and the distinct entities the graph has for these documents."""
    out = {}
    for kind in ("parks", "funds", "programs"):
        per_document = [set(facts.named.get(doc, {}).get(kind, {})) for doc in documents]
        out[kind] = (sum(len(e) for e in per_document), len(set().union(*per_document)))
    return out


def _report(tally: _Tally, missing: tuple[str, ...]) -> Report:
    documents = {
        doc: {name: Score(*tally.counts[doc][name]) for name in FIELDS}
        for doc in sorted(tally.counts)
    }
    totals = {name: sum((d[name] for d in documents.values()), Score()) for name in FIELDS}
    order = {name: i for i, name in enumerate(FIELDS)}
    misses = [m for m in tally.misses if m.document not in missing]
    misses += [Miss(d, "document", "missed", "missing document: not in the graph") for d in missing]
    misses.sort(key=lambda m: (m.document, order.get(m.field, -1)))
    return Report(fields=totals, documents=documents, misses=tuple(misses), missing_documents=missing)


# ---------------------------------------------------------------- text


def format_report(report: Report, misses: bool = True) -> str:
    """An aligned plain-text table of the scores, then the misses grouped by document."""
    lines = [_score_table(report.fields), ""]
    roles = report.fields.get("roles", Score())
    lines.append(f"role accuracy: {report.role_accuracy:.3f} ({roles.tp}/{roles.tp + roles.fn})")
    lines.append(f"documents: {len(report.documents)}, missing from the graph: {len(report.missing_documents)}")
    if report.named_in_graph:
        pairs = ", ".join(f"{kind} {n} ({entities} distinct)" for kind, (n, entities) in report.named_in_graph.items())
        lines.append(f"parks, funds and programs are matched per document; document–name pairs in the graph: {pairs}")
    if misses and report.misses:
        lines.extend(_miss_lines(report.misses))
    return "\n".join(lines)


def _score_table(fields: Mapping[str, Score]) -> str:
    """The scores per field as a table; the three count columns share one width, so they read as one block."""
    counts = max([2, *(len(str(c)) for s in fields.values() for c in (s.tp, s.fp, s.fn))])
    rows = [[name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", str(s.tp), str(s.fp), str(s.fn)]
            for name, s in fields.items()]
    return format_table(["field", "P", "R", "F1", "tp", "fp", "fn"], rows, max_width=None,
                        numeric=[False, *[True] * 6], rule=False, min_widths=[0, 5, 5, 5, *[counts] * 3])


def _miss_lines(misses: Sequence[Miss]) -> list[str]:
    """The misses as one indented table without a header, each document's rows under a line naming it."""
    rows = table_lines(None, [[m.field, m.kind, m.detail] for m in misses], max_width=None, numeric=[False] * 3)
    lines, current = [], None
    for m, row in zip(misses, rows):
        if m.document != current:
            current = m.document
            lines += ["", current]
        lines.append("  " + row)
    return lines


def format_report_csv(report: Report) -> str:
    """The scores as CSV: one row per field and document (``document`` empty for the corpus totals).

    A spreadsheet or ``pandas.read_csv`` reads it; the misses stay in the text and JSON reports.
    """
    def row(document: str, name: str, s: Score) -> list:
        return [document, name, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}", s.tp, s.fp, s.fn]

    rows = [row("", name, s) for name, s in report.fields.items()]
    rows += [row(doc, name, s) for doc, scores in report.documents.items() for name, s in scores.items()]
    return csv_text(["document", "field", "precision", "recall", "f1", "tp", "fp", "fn"], rows)
