"""Communities of agencies that work together: seeded Louvain, the one community detection of the project."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from .model import DEFAULT_SEED

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx

__all__ = ["communities", "louvain", "louvain_matrix", "igraph_module"]


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
    return louvain_matrix(names, sparse.coo_array((weights, (rows, cols)), shape=(len(names), len(names))), seed)


def louvain_matrix(names: Sequence[str], m, seed: int) -> dict[str, int]:
    """``communities`` of the graph whose (upper triangle of its) weighted adjacency matrix is ``m``.

    igraph's Louvain (multilevel) in C, its random visiting order drawn from a generator
    seeded with ``seed``; igraph's own generator is put back afterwards.
    """
    import random

    from scipy import sparse

    if not len(names):
        return {}
    edges = sparse.coo_array(sparse.triu(m, k=1))
    igraph = igraph_module()
    g = igraph.Graph(n=len(names), edges=np.column_stack([edges.row, edges.col]).tolist())
    igraph.set_random_number_generator(random.Random(seed))
    try:
        found = g.community_multilevel(weights=edges.data.tolist())
    finally:
        igraph.set_random_number_generator(random)
    ordered = sorted((sorted(names[i] for i in members) for members in found), key=lambda c: (-len(c), c[0]))
    return {node: i for i, members in enumerate(ordered, 1) for node in members}


def igraph_module():
    """The igraph module, imported without its matplotlib drawing.

    igraph imports matplotlib.pyplot whenever matplotlib is installed: a third of a
    second at every ``rank``, for drawing that ranking never does. Where matplotlib is
    already imported, igraph is imported as it is. Path measures use it too.
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
