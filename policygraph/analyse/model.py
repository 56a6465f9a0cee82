"""The results of analysis: agencies, their responsibilities, networks, rankings and explanations, plus the constants they share."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Mapping, NamedTuple

from policygraph.model import LEAD, RESPONSIBLE, ROLE_WEIGHTS, SUPPORT

if TYPE_CHECKING:  # pragma: no cover
    from .measures import Incidence

__all__ = [
    "DEFAULT_WEIGHTS",
    "DEFAULT_SEED",
    "MEASURES",
    "TYPE_MEASURES",
    "RANK_FORMATS",
    "Agency",
    "Responsibility",
    "Network",
    "NetworkSummary",
    "Ranking",
    "ExplainedTask",
    "Explanation",
]

#: Weight of one task in the responsibility score, by role.
DEFAULT_WEIGHTS = ROLE_WEIGHTS
#: Seed of the Louvain community detection, so the same graph always gives the same clusters.
DEFAULT_SEED = 42
#: Agency measures, in column order, with what each means.
MEASURES = {
    "tasks": "tasks naming the agency in any role",
    LEAD: "tasks it leads (牵头)",
    SUPPORT: "tasks it supports (配合, 协同)",
    RESPONSIBLE: "tasks it is responsible for with no role stated (负责, 责任单位)",
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
TYPE_MEASURES = ("agencies", "tasks", "share", LEAD, SUPPORT, RESPONSIBLE, "score")
#: Output formats of ``format_ranking``.
RANK_FORMATS = ("table", "csv", "tsv", "json", "jsonl", "markdown")


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
        held = [weights[r] for r in self.roles()]
        return max(held) if held else weights[RESPONSIBLE]

    def roles(self) -> tuple[str, ...]:
        return tuple(r for r, on in ((LEAD, self.lead), (SUPPORT, self.support), (RESPONSIBLE, self.responsible)) if on)


@dataclass(frozen=True)
class Network:
    """The responsibilities read from a graph (after filters) and every agency's description."""

    pairs: tuple[Responsibility, ...]
    agencies: Mapping[str, Agency]

    def agency(self, iri: str) -> Agency:
        return self.agencies.get(iri) or Agency(iri)

    @cached_property
    def _incidence(self) -> "Incidence":
        """The pairs as index arrays, made once: the counts, the measures and the graphs all read them."""
        from .measures import index_pairs

        return index_pairs(self.pairs)

    def tasks(self) -> dict[str, list[Responsibility]]:
        """Task IRI → its responsibilities, in agency order."""
        out: dict[str, list[Responsibility]] = defaultdict(list)
        for pair in self.pairs:
            out[pair.task].append(pair)
        return dict(out)


@dataclass(frozen=True)
class NetworkSummary:
    """The whole responsibility network as a store's statistics graph counts it: per agency and pair, not per task.

    What ``rank`` needs with the default weights and edge weighting, read in a
    few thousand rows where the pairs are millions. ``order`` holds the agencies
    some task names, in the order the pairs first name them (``Network``'s);
    ``counts`` their role counts (``tasks``, ``lead``, ``support``,
    ``responsible``, ``support_only``) and the ``documents`` naming them and
    those documents' ``jurisdictions``; ``shared`` and ``led`` are (agency, agency, tasks) of the
    co-responsibility and lead→support networks; ``tasks`` counts the tasks
    naming some agency.
    """

    agencies: Mapping[str, Agency]
    order: tuple[str, ...]
    counts: Mapping[str, Mapping[str, int]]
    shared: tuple[tuple[str, str, int], ...]
    led: tuple[tuple[str, str, int], ...]
    tasks: int

    def agency(self, iri: str) -> Agency:
        return self.agencies.get(iri) or Agency(iri)


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
