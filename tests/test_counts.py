"""The counts build, query, rank, viz and evaluate print for one build agree, and agree with the store's quads.

Each corpus is built once through the command line; every number a command prints is read back from its output
and compared with a count made here, in Python, from the quads of the store's document graphs and its shared graph
(not from the statistics graph or the union the commands read). What each number means is README's "What the counts mean".
"""
from __future__ import annotations

import csv
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from policygraph.cli import cli

from .conftest import SHARED_CORPUS

_PG = "https://w3id.org/policygraph/ontology#"
_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_NAMED = {"parks": "Park", "funds": "Fund", "programs": "Program"}


@dataclass(frozen=True)
class Built:
    out: Path
    build_output: str
    evaluate_args: tuple[str, ...]


def _invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module", params=["seeds", "shared-corpus"])
def built(request, tmp_path_factory) -> Built:
    out = tmp_path_factory.mktemp(f"counts-{request.param}")
    if request.param == "seeds":
        inputs, evaluate_args = [], ()
    else:
        docs, gold = SHARED_CORPUS / "docs", SHARED_CORPUS / "gold"
        if not (docs.is_dir() and gold.is_dir()):
            pytest.skip(f"shared corpus not found at {SHARED_CORPUS}")
        inputs, evaluate_args = [str(docs)], ("--gold", str(gold), "--corpus", str(docs))
    output = _invoke("build", *inputs, "-o", str(out), "--no-export")
    return Built(out, output, evaluate_args)


@pytest.fixture(scope="module")
def counted(built) -> dict[str, int]:
    """The counts made from the quads of the document graphs (one per document) and of the shared graph."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(built.out / "store"))
    by_graph: dict[str, list] = defaultdict(list)
    for quad in store:
        if isinstance(quad.graph_name, ox.NamedNode):
            by_graph[quad.graph_name.value].append((quad.subject.value, quad.predicate.value, quad.object.value))
    del store
    documents = {g: triples for g, triples in by_graph.items() if any(p == _PG + "sourceFile" for _, p, _ in triples)}
    shared = by_graph.get("https://w3id.org/policygraph/id/graph/shared", [])
    typed: dict[str, set[str]] = defaultdict(set)
    for triples in [*documents.values(), shared]:
        for s, p, o in triples:
            if p == _TYPE:
                typed[o.removeprefix(_PG)].add(s)
    triples = [t for ts in documents.values() for t in ts]
    agents = {(s, o) for s, p, o in triples if p == _PG + "agent"}
    counts = {
        "documents": len(documents),
        "tasks": len(typed["Task"]),
        "agencies": len({o for _, p, o in triples if p == _PG + "responsibleAgency"}),
        "agencies in the graph": len(typed["Agency"]),
        "assignments": len(typed["Assignment"]),
        "unspecified bodies": len({a for a, agent in agents if agent in typed["UnspecifiedBody"]}),
        "unspecified bodies in the graph": len(typed["UnspecifiedBody"]),
        "targets": len(typed["Target"]),
    }
    for kind, cls in _NAMED.items():
        pairs = {(g, o) for g, ts in documents.items() for _, p, o in ts if p == _PG + "mentions" and o in typed[cls]}
        counts[kind] = len({o for _, o in pairs})
        counts[f"{kind} in the graph"] = len(typed[cls])
        counts[f"{kind} pairs"] = len(pairs)
    return counts


def _build_counts(output: str) -> dict[str, int]:
    """The summary lines of `build`: 'agencies  99 assigned (104 in the graph)' gives both numbers."""
    counts = {}
    for line in output.splitlines():
        m = re.fullmatch(r"([a-z][a-z ]*?)\s{2,}(\d+)(?: [a-z]+ \((\d+) in the graph\))?", line)
        if m:
            counts[m[1]] = int(m[2])
            if m[3] is not None:
                counts[f"{m[1]} in the graph"] = int(m[3])
    return counts


def _csv_rows(*args: str) -> list[dict[str, str]]:
    output = _invoke("query", *args, "-f", "csv", "--limit", "all")
    return [] if output.strip() == "no results" else list(csv.DictReader(io.StringIO(output)))


def test_build_prints_the_counts_of_the_document_graphs(built, counted):
    printed = _build_counts(built.build_output)
    assert {k: printed[k] for k in counted if k in printed} == {k: v for k, v in counted.items() if k in printed}
    assert set(printed) >= {k for k in counted if not k.endswith(" pairs")}
    assert printed["agencies"] < printed["agencies in the graph"]  # issuers and bodies named only outside clauses


def test_named_queries_list_what_the_build_counts(built, counted):
    g = ("-g", str(built.out))
    assert len(_csv_rows("agencies", *g)) == counted["agencies in the graph"]
    assert len(_csv_rows("agencies-by-tasks", *g)) == counted["agencies"]
    assert len(_csv_rows("generic-bodies", *g)) == counted["unspecified bodies"]
    for kind in _NAMED:
        rows = _csv_rows(kind, *g)
        assert len({r["name"] for r in rows}) == counted[kind], kind
        assert len({(r["name"], r["document"]) for r in rows}) == counted[f"{kind} pairs"], kind


def test_rank_ranks_the_assigned_agencies(built, counted):
    rows = json.loads(_invoke("rank", "-g", str(built.out), "--top", "100000", "-f", "json"))
    assert len(rows) == counted["agencies"]
    lines = _invoke("rank", "-g", str(built.out), "--top", "100000", "-f", "csv").splitlines()
    assert len(lines) == counted["agencies"] + 1 and all(lines)  # a header and one line per agency
    explained = _invoke("rank", "-g", str(built.out), "--explain", rows[0]["iri"])
    assert f"rank 1 of {counted['agencies']} " in explained


def test_viz_draws_every_node_and_its_legend_says_which_the_build_counts(built, counted, tmp_path):
    agencies = _invoke("viz", "-g", str(built.out), "--view", "agencies", "-o", str(tmp_path / "a.html"))
    assert f"({counted['agencies']} nodes, " in agencies
    _invoke("viz", "-g", str(built.out), "-o", str(tmp_path / "whole.html"), "--lang", "en")
    page = (tmp_path / "whole.html").read_text("utf-8")
    data = json.loads(re.search(r'<script type="application/json" id="pg-data">(.*?)</script>', page, re.S)[1])
    legend = {c["key"]: c for c in data["categories"]}
    assert legend["task"]["count"] == counted["tasks"]
    assert legend["target"]["count"] == counted["targets"]
    assert legend["body"]["count"] == counted["unspecified bodies in the graph"]
    assert legend["agency"]["count"] == counted["agencies in the graph"]
    assert legend["agency"]["counted"] == counted["agencies"]
    for kind, key in (("parks", "park"), ("funds", "fund"), ("programs", "program")):
        assert legend[key]["count"] == counted[f"{kind} in the graph"], kind
        assert legend[key].get("counted", 0) == counted[kind], kind
        shown = f"{legend[key]['count']}; {counted[kind]} named"
        assert (legend[key].get("countText") == shown) == (counted[kind] != counted[f"{kind} in the graph"])


def test_evaluate_scores_the_units_it_says(built, counted):
    output = _invoke("evaluate", "-g", str(built.out), "--no-misses", *built.evaluate_args)
    table = {}
    for line in output.splitlines():
        cells = line.split()
        if len(cells) == 7 and cells[4].isdigit():
            table[cells[0]] = (int(cells[4]), int(cells[5]))
    assert f"documents: {counted['documents']}, missing from the graph: 0" in output
    predicted = {name: tp + fp for name, (tp, fp) in table.items()}
    assert predicted["tasks"] == counted["tasks"]
    assert predicted["assignments"] == counted["assignments"]
    assert predicted["targets"] == counted["targets"]
    assert predicted["generic"] == counted["unspecified bodies"]
    pairs = ", ".join(f"{kind} {counted[f'{kind} pairs']} ({counted[kind]} distinct)" for kind in _NAMED)
    assert f"document–name pairs in the graph: {pairs}" in output
    for kind in _NAMED:
        assert predicted[kind] == counted[f"{kind} pairs"], kind
