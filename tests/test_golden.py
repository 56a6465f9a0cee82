"""Each seed document's named graph against its golden Turtle file (compared as graphs)."""
from __future__ import annotations

import pytest

from policygraph.build import document_graph

from .conftest import SEED_FILES


@pytest.mark.parametrize("name", SEED_FILES)
def test_seed_graph_matches_golden(name, seed_extractions, lexicon, golden):
    graph = document_graph(seed_extractions[name], lexicon=lexicon)
    golden(graph, name.replace(".txt", ".ttl"))
