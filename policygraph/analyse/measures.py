"""Measures of the responsibility network: role counts, incidence matrices and network centralities.

The pairs are numbered once into index arrays (:class:`Incidence`); the networks
are sparse matrices built from them (scipy). Eigenvector centrality and PageRank
are computed with scipy, betweenness and closeness with igraph, each giving the
values networkx gives.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from policygraph.errors import UsageError
from policygraph.model import RESPONSIBLE, ROLES

from .communities import igraph_module, louvain_matrix
from .model import DEFAULT_SEED, DEFAULT_WEIGHTS, MEASURES, Network, NetworkSummary, Responsibility

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = ["Incidence", "index_pairs", "co_matrix", "co_responsibility_graph", "role_counts", "network_measures",
           "measure_agencies", "summary_measures"]

#: Above this much shortest-path work (``_path_work``, about two seconds' worth), betweenness is
#: estimated from ``_SAMPLED_SOURCES`` sources instead of computed exactly.
_EXACT_PATH_WORK = 60_000_000
_SAMPLED_SOURCES = 1000


@dataclass(frozen=True)
class Incidence:
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


def index_pairs(pairs: Sequence[Responsibility]) -> Incidence:
    """The incidence of some pairs (see ``Incidence``), numbered with numpy rather than pair by pair."""
    agencies = sorted({p.agency for p in pairs})
    index = {a: i for i, a in enumerate(agencies)}
    tasks: dict[str, int] = {}
    task = np.fromiter((tasks.setdefault(p.task, len(tasks)) for p in pairs), np.int64, len(pairs))
    agency = np.fromiter((index[p.agency] for p in pairs), np.int64, len(pairs))
    _, first, entry = np.unique(task * max(len(agencies), 1) + agency, return_index=True, return_inverse=True)
    lead, support = np.zeros(len(first), bool), np.zeros(len(first), bool)
    np.logical_or.at(lead, entry.ravel(), np.fromiter((p.lead for p in pairs), bool, len(pairs)))
    np.logical_or.at(support, entry.ravel(), np.fromiter((p.support for p in pairs), bool, len(pairs)))
    return Incidence(tuple(agencies), len(tasks), task[first], agency[first], lead, support, first)


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
    role_weights = np.array([weights[role] for role in ROLES], dtype=float)
    strongest = np.where(held, role_weights, -np.inf).max(axis=1, initial=-np.inf)
    columns = {
        "tasks": np.bincount(inc.agency, minlength=n),
        **{role: np.bincount(inc.agency[held[:, column]], minlength=n) for column, role in enumerate(ROLES)},
        "documents": _distinct(inc.agency, [p.document for p in listed], n),
        "jurisdictions": _distinct(inc.agency, [p.jurisdiction for p in listed], n, ignore=""),
        "score": np.bincount(inc.agency, np.where(held.any(axis=1), strongest, weights[RESPONSIBLE]), minlength=n),
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


def _without_diagonal(m):
    from scipy import sparse

    m = sparse.coo_array(m)
    keep = (m.row != m.col) & (m.data != 0)
    return sparse.csr_array((m.data[keep], (m.row[keep], m.col[keep])), shape=m.shape)


def co_matrix(inc: Incidence, weighting: str):
    """Agency × agency: the tasks two agencies share, or the sum of 1/(n-1) over shared tasks naming n agencies."""
    if weighting not in ("tasks", "newman"):
        raise UsageError(f"unknown weighting {weighting!r}; use tasks or newman")
    b = inc.matrix()
    if weighting == "newman":
        named = np.bincount(inc.task, minlength=inc.tasks).astype(float)
        share = np.divide(1.0, named - 1, out=np.zeros_like(named), where=named > 1)
        return _without_diagonal(b.T @ inc.matrix(weight=share))
    return _without_diagonal(b.T @ b)


def _lead_matrix(inc: Incidence):
    """Agency × agency: the tasks in which the row agency leads and the column agency supports."""
    return _without_diagonal(inc.matrix(inc.lead).T @ inc.matrix(inc.support))


def _networkx(inc: Incidence, m) -> "nx.Graph":
    """An agency × agency matrix as a networkx graph, nodes in ``named_order`` and edges in IRI order."""
    import networkx as nx
    from scipy import sparse

    g = nx.Graph()
    g.add_nodes_from(inc.agencies[i] for i in inc.named_order())
    edges = sparse.coo_array(sparse.triu(m, k=1))
    order = np.lexsort((edges.col, edges.row))
    names = inc.agencies
    g.add_edges_from((names[a], names[b], {"weight": w, "distance": 1.0 / w})
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
    return _networkx(inc, co_matrix(inc, weighting))


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
    igraph = igraph_module()
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
    if not inc.agencies:
        return {name: {} for name in _NETWORK_MEASURES}
    return _network_columns(inc.agencies, co_matrix(inc, weighting), _lead_matrix(inc), inc.named_order(),
                            np.bincount(inc.agency, minlength=len(inc.agencies)), inc.tasks, seed)


_NETWORK_MEASURES = ("degree", "strength", "betweenness", "closeness", "eigenvector", "pagerank", "coordinates",
                     "coordinated_by", "lead_pagerank", "community")


def _network_columns(agencies: Sequence[str], co, leads, order: Sequence[int], tasks: "np.ndarray", named: int,
                     seed: int) -> dict[str, dict[str, float]]:
    """The network measures of agencies (in IRI order) from their co-responsibility and lead→support matrices.

    ``order`` is the agencies' node order (``Incidence.named_order``), ``tasks`` each agency's tasks and
    ``named`` the tasks naming some agency: what both a network and a store's summary give.
    """
    between, close = _path_measures(co, order, seed)
    strength = np.asarray(co.sum(axis=1)).ravel()
    columns = {
        "degree": tasks / (named or 1),
        "strength": [s if s else 0 for s in strength.tolist()],
        "betweenness": between,
        "closeness": close,
        "eigenvector": _eigenvector(co),
        "pagerank": _pagerank(co),
        "coordinates": np.bincount(leads.nonzero()[0], minlength=len(agencies)),
        "coordinated_by": np.bincount(leads.nonzero()[1], minlength=len(agencies)),
        "lead_pagerank": _pagerank(leads.T),
    }
    out = {name: dict(zip(agencies, np.asarray(values).tolist() if isinstance(values, np.ndarray) else values))
           for name, values in columns.items()}
    out["community"] = louvain_matrix(agencies, co, seed)
    return out


def summary_measures(summary: NetworkSummary, seed: int = DEFAULT_SEED) -> dict[str, dict[str, float]]:
    """Agency IRI → every measure of ``MEASURES``, from a store's summary: ``measure_agencies`` with the default
    weights and the ``tasks`` weighting, the same numbers without reading any task."""
    agencies = sorted(summary.order)
    if not agencies:
        return {}
    index = {a: i for i, a in enumerate(agencies)}
    co = _pair_matrix(index, summary.shared, symmetric=True)
    leads = _pair_matrix(index, summary.led, symmetric=False)
    tasks = np.array([summary.counts[a]["tasks"] for a in agencies], dtype=np.int64)
    network = _network_columns(tuple(agencies), co, leads, [index[a] for a in summary.order], tasks, summary.tasks,
                               seed)
    out = {}
    for agency in summary.order:
        row = _summary_counts(summary, agency)
        for name, values in network.items():
            row[name] = values.get(agency, 0)
        out[agency] = {m: row[m] for m in MEASURES}
    return out


def _pair_matrix(index: Mapping[str, int], pairs: Sequence[tuple[str, str, int]], symmetric: bool):
    """Agency × agency from (row agency, column agency, tasks), as the incidence products make it."""
    from scipy import sparse

    rows = [index[a] for a, _, _ in pairs]
    cols = [index[b] for _, b, _ in pairs]
    data = [float(n) for _, _, n in pairs]
    if symmetric:
        rows, cols, data = rows + cols, cols + rows, data + data
    n = len(index)
    return _without_diagonal(sparse.coo_array((np.array(data, dtype=float), (np.array(rows, dtype=np.int64),
                                               np.array(cols, dtype=np.int64))), shape=(n, n)))


def _summary_counts(summary: NetworkSummary, agency: str) -> dict[str, float]:
    """``role_counts``' row of one agency from a summary, with the default weights (support-only tasks weigh 0.5)."""
    counts = summary.counts[agency]
    return {"tasks": counts["tasks"], "lead": counts["lead"], "support": counts["support"],
            "responsible": counts["responsible"], "documents": counts["documents"],
            "jurisdictions": counts["jurisdictions"],
            "score": counts["tasks"] * DEFAULT_WEIGHTS["lead"]
            - counts["support_only"] * (DEFAULT_WEIGHTS["lead"] - DEFAULT_WEIGHTS["support"])}


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
