"""Which agencies carry most responsibilities: counts, network measures, communities and explanations.

One module per idea: ``model`` (the result types), ``network`` (reading the
networks from a graph or a store, with the SPARQL of ``queries/``), ``measures``
(incidence matrices and centralities), ``communities`` (Louvain), ``ranking``
(``rank``, ``rank_by_type``, ``explain``) and ``report`` (their text).
"""
from __future__ import annotations

from .communities import communities, louvain
from .measures import co_responsibility_graph, measure_agencies, network_measures, role_counts
from .model import (
    DEFAULT_SEED, DEFAULT_WEIGHTS, MEASURES, RANK_FORMATS, TYPE_MEASURES, Agency, Explanation, ExplainedTask, Network,
    Ranking, Responsibility,
)
from .network import load_network, match_names
from .ranking import explain, parse_weights, rank, rank_by_type
from .report import format_explanation, format_ranking

__all__ = [
    "DEFAULT_WEIGHTS",
    "DEFAULT_SEED",
    "MEASURES",
    "TYPE_MEASURES",
    "RANK_FORMATS",
    "Agency",
    "Responsibility",
    "Network",
    "Ranking",
    "ExplainedTask",
    "Explanation",
    "load_network",
    "match_names",
    "role_counts",
    "co_responsibility_graph",
    "network_measures",
    "communities",
    "louvain",
    "measure_agencies",
    "rank",
    "rank_by_type",
    "explain",
    "parse_weights",
    "format_ranking",
    "format_explanation",
]
