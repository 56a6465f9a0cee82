"""policygraph.analyse: measures checked against values worked out by hand on tests/fixtures/small_graph.ttl.

The small graph (see the comment at the top of the fixture):

    T1 doc1 甲省: A lead, B support, C support      T4 doc2 甲省: A (no role stated)
    T2 doc1 甲省: A, B (no role stated)              T5 doc3 乙省: E (no role stated)
    T3 doc2 甲省: C lead, D support                  T6 doc1 甲省: only 相关行业主管部门

Co-responsibility network: A–B 2, A–C 1, B–C 1, C–D 1, E alone (5 agencies, 5 tasks with agencies).
"""
from __future__ import annotations

import json

import pytest

from policygraph.analyse import (
    DEFAULT_WEIGHTS, MEASURES, co_responsibility_graph, explain, format_explanation, format_ranking,
    load_network, match_names, parse_weights, rank, rank_by_type,
)
from policygraph.errors import QueryError

from .conftest import gold

A, B, C, D, E = (f"https://example.org/id/{x}" for x in "ABCDE")
d = 0.85  # PageRank damping, networkx's default


def _largest_root(f, lo, hi):
    for _ in range(200):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if f(lo) * f(mid) > 0 else (lo, mid)
    return lo


# λ of the A–B–C–D component: with x_A = x_B = a, x_C = c, x_D = x:
#   λa = 2a + c,  λc = 2a + x,  λx = c   →   λ³ − 2λ² − 3λ + 2 = 0, c = (λ − 2)a, x = c/λ
LAMBDA = _largest_root(lambda t: t ** 3 - 2 * t ** 2 - 3 * t + 2, 2.5, 3.5)

# Lead PageRank runs on edges supporter → lead: B→A, C→A, D→C. With k the share every agency gets
# from teleporting and dangling A and E:  B = D = E = k, C = k(1 + d), A = k(1 + d + d(1 + d)).
K = 1 / (5 + 3 * d + d * d)

EXPECTED = {
    #          tasks lead sup resp docs score degree strength betweenness closeness  coord by
    A: dict(tasks=3, lead=1, support=0, responsible=2, documents=2, jurisdictions=1, score=3.0, degree=3 / 5,
            strength=3, betweenness=0.0, closeness=3 / 3.5, eigenvector=1.0, coordinates=2, coordinated_by=0,
            lead_pagerank=K * (1 + 2 * d + d * d)),
    B: dict(tasks=2, lead=0, support=1, responsible=1, documents=1, jurisdictions=1, score=1.5, degree=2 / 5,
            strength=3, betweenness=0.0, closeness=3 / 3.5, eigenvector=1.0, coordinates=0, coordinated_by=1,
            lead_pagerank=K),
    # C lies on the shortest paths A–D and B–D: 2 of the (5−1)(5−2)/2 = 6 pairs of other agencies.
    C: dict(tasks=2, lead=1, support=1, responsible=0, documents=2, jurisdictions=1, score=1.5, degree=2 / 5,
            strength=3, betweenness=2 / 6, closeness=3 / 3, eigenvector=LAMBDA - 2, coordinates=1, coordinated_by=1,
            lead_pagerank=K * (1 + d)),
    D: dict(tasks=1, lead=0, support=1, responsible=0, documents=1, jurisdictions=1, score=0.5, degree=1 / 5,
            strength=1, betweenness=0.0, closeness=3 / 5, eigenvector=(LAMBDA - 2) / LAMBDA, coordinates=0,
            coordinated_by=1, lead_pagerank=K),
    E: dict(tasks=1, lead=0, support=0, responsible=1, documents=1, jurisdictions=1, score=1.0, degree=1 / 5,
            strength=0, betweenness=0.0, closeness=0.0, eigenvector=0.0, coordinates=0, coordinated_by=0,
            lead_pagerank=K),
}


@pytest.fixture(scope="module")
def small_rank(small_graph):
    return {r["iri"]: r for r in rank(small_graph).rows}


@pytest.mark.parametrize("agency", [A, B, C, D, E], ids="ABCDE")
def test_measures_by_hand(small_rank, agency):
    row = small_rank[agency]
    for measure, value in EXPECTED[agency].items():
        assert row[measure] == pytest.approx(value, abs=1e-6), measure


def test_pagerank_is_a_distribution(small_rank):
    assert sum(r["pagerank"] for r in small_rank.values()) == pytest.approx(1.0)
    assert sum(r["lead_pagerank"] for r in small_rank.values()) == pytest.approx(1.0)
    assert small_rank[E]["pagerank"] == min(r["pagerank"] for r in small_rank.values())


def test_communities(small_rank):
    assert small_rank[A]["community"] == small_rank[B]["community"]
    assert small_rank[E]["community"] not in {small_rank[x]["community"] for x in (A, B, C, D)}
    assert len({r["community"] for r in small_rank.values()}) == 3


def test_newman_weighting(small_graph):
    # T1 names 3 agencies: 1/2 to each of its pairs; T2 and T3 name 2: 1 each.
    g = co_responsibility_graph(load_network(small_graph), "newman")
    assert {tuple(sorted((u[-1], v[-1]))): w for u, v, w in g.edges(data="weight")} == {
        ("A", "B"): 1.5, ("A", "C"): 0.5, ("B", "C"): 0.5, ("C", "D"): 1.0}
    rows = {r["iri"]: r for r in rank(small_graph, weighting="newman").rows}
    assert [rows[x]["strength"] for x in (A, B, C, D, E)] == [2.0, 2.0, 2.0, 1.0, 0.0]


def test_weights_change_the_score(small_graph):
    rows = {r["iri"]: r for r in rank(small_graph, weights=parse_weights("support=0,lead=2")).rows}
    assert [rows[x]["score"] for x in (A, B, C, D, E)] == [4.0, 1.0, 2.0, 0.0, 1.0]


def test_order_top_and_sort(small_graph):
    ranking = rank(small_graph)
    assert [r["iri"] for r in ranking.rows] == [A, C, B, E, D]  # score, then more tasks, then name
    assert [r["rank"] for r in ranking.rows] == [1, 2, 3, 4, 5]
    assert [r["iri"] for r in rank(small_graph, sort="betweenness", top=1).rows] == [C]
    assert rank(small_graph, top=2).total == 5
    with pytest.raises(QueryError, match="cannot sort by"):
        rank(small_graph, sort="fame")


def test_filters(small_graph):
    yi = rank(small_graph, jurisdiction="乙省")
    assert [r["iri"] for r in yi.rows] == [E]
    assert yi.rows[0]["degree"] == 1.0  # its one task is all the tasks of 乙省
    assert [r["iri"] for r in rank(small_graph, jurisdiction="Jia Province").rows] == [A, C, B, D]
    doc2 = {r["iri"]: r for r in rank(small_graph, document="doc2").rows}
    assert set(doc2) == {A, C, D} and doc2[C]["strength"] == 1 and doc2[A]["strength"] == 0
    finance = {r["iri"]: r for r in rank(small_graph, agency_type="Finance").rows}
    assert set(finance) == {B, D} and finance[B]["strength"] == 3  # rows filtered, network whole
    with pytest.raises(QueryError, match="no tasks in a jurisdiction"):
        rank(small_graph, jurisdiction="丙省")


def test_by_type(small_graph):
    ranking = rank_by_type(small_graph)
    rows = [(r["type"], r["jurisdiction"], r["agencies"], r["tasks"], r["share"], r["score"]) for r in ranking.rows]
    assert rows == [
        ("科学技术", "乙省", 1, 1, 1.0, 1.0),   # 1 of 乙省's 1 task
        ("科学技术", "甲省", 1, 3, 0.75, 3.0),  # A in 3 of 甲省's 4 tasks with agencies (T6 has none)
        ("财政", "甲省", 2, 3, 0.75, 2.0),      # B (T1 support, T2) and D (T3 support): 0.5 + 1 + 0.5
        ("发展和改革", "甲省", 1, 2, 0.5, 1.5),
    ]
    assert [r["type"] for r in rank_by_type(small_graph, top=1, lang="en").rows] == ["Science and technology"] * 2


def test_explain(small_graph):
    exp = explain(small_graph, "甲省科学技术厅")
    assert exp.agency.iri == A and exp.position == 1 and exp.total == 5
    assert [(t.file, t.outline, t.roles) for t in exp.tasks] == [
        ("doc1.txt", "一", ("lead",)), ("doc1.txt", "二", ("responsible",)), ("doc2.txt", "二", ("responsible",))]
    assert exp.tasks[0].co_agencies == (("甲省发展和改革委员会", "support"), ("甲省财政厅", "support"))
    assert exp.partners == (("甲省财政厅", 2.0), ("甲省发展和改革委员会", 1.0))
    text = format_explanation(exp)
    assert "score 3 = 1 × 1 (lead) + 2 × 1 (responsible)" in text
    assert "建设众创空间" in text and "甲省财政厅(support)" in text


def test_explain_ambiguous_name(small_graph):
    with pytest.raises(QueryError, match="names 2 agencies"):
        explain(small_graph, "省科技厅")
    assert explain(small_graph, "省科技厅", jurisdiction="乙省").agency.iri == E
    assert explain(small_graph, E).agency.iri == E
    with pytest.raises(QueryError, match="no agency named"):
        explain(small_graph, "省教育厅")


def test_formats(small_graph):
    ranking = rank(small_graph, top=2)
    data = json.loads(format_ranking(ranking, "json"))
    assert [r["iri"] for r in data] == [A, C] and set(MEASURES) <= set(data[0])
    csv_lines = format_ranking(ranking, "csv").splitlines()
    assert csv_lines[0].startswith("rank,agency,tasks") and csv_lines[1].startswith("1,甲省科学技术厅,3,1,0,2")
    md = format_ranking(ranking, "markdown").splitlines()
    assert md[0].startswith("| rank | agency |") and md[2].startswith("| 1 | 甲省科学技术厅 | 3 |")
    assert format_ranking(ranking).splitlines()[2].split()[:3] == ["1", "甲省科学技术厅", "3"]


def test_match_names_prefers_exact():
    assert match_names("省科技厅", {"a": ["省科技厅"], "b": ["省科技厅创新办"]}) == {"a"}
    assert match_names("科技", {"a": ["省科技厅"], "b": ["省财政厅"]}) == {"a"}


def test_parse_weights_errors():
    assert parse_weights(None) == DEFAULT_WEIGHTS
    with pytest.raises(QueryError, match="unknown role"):
        parse_weights("boss=2")
    with pytest.raises(QueryError, match="must be a number"):
        parse_weights("lead=high")


# ---------------------------------------------------------------- the seed corpus


@pytest.fixture(scope="module")
def seed_rows(seed_graph):
    return rank(seed_graph).rows


def test_seed_top_agencies(seed_rows):
    rows = seed_rows[:10]
    gansu_st = sum(len({t["path"] for t in gold(doc)["tasks"] if any(a["mention"] == "省科技厅" for a in t["assignments"])})
                   for doc in ("000_34f3cba3223de74d.txt", "003_b61f6c7f15dd09ea.txt"))
    assert (rows[0]["agency"], rows[0]["tasks"], rows[0]["score"]) == ("甘肃省科学技术厅", gansu_st, gansu_st)
    assert rows[0]["documents"] == 2
    assert "青海省科学技术厅" in [r["agency"] for r in rows]


def test_seed_lead_network_is_ningxia(seed_rows):
    # only the Ningxia plan states 牵头/配合, so every coordinator is a Ningxia body
    coordinators = [r for r in seed_rows if r["coordinates"]]
    top = max(coordinators, key=lambda r: r["coordinates"])
    assert top["agency"] == "宁夏回族自治区科学技术厅" and top["lead"] == 8
    assert {r["jurisdiction"] for r in coordinators} <= {"宁夏回族自治区", "石嘴山市"}
    assert sum(r["lead"] for r in seed_rows) == 21 and sum(r["support"] for r in seed_rows) == 55


def test_seed_by_type_compares_provinces(seed_graph):
    rows = [r for r in rank_by_type(seed_graph, agency_type="ScienceTechnology").rows]
    assert {r["jurisdiction"]: (r["tasks"], round(r["share"], 3)) for r in rows} == {
        "甘肃省": (28, round(28 / 33, 3)), "青海省": (20, 0.8), "宁夏回族自治区": (11, round(11 / 13, 3))}


def test_measures_match_networkx_on_the_seeds(seed_graph):
    """The scipy/igraph measures are networkx's, on a real graph.

    Betweenness may differ in the fourth decimal: networkx counts two paths as equally
    short only when their float lengths are equal, igraph when they are within a relative
    epsilon, so 1/3 + 1/6 and 1/2 tie in igraph only.
    """
    import networkx as nx

    from policygraph.analyse import network_measures

    net = load_network(seed_graph)
    g = co_responsibility_graph(net)
    got = network_measures(net)
    eigen = {}
    for nodes in nx.connected_components(g):
        values = nx.eigenvector_centrality(g.subgraph(nodes), weight="weight", max_iter=10000, tol=1e-12)
        eigen.update({n: v / max(values.values()) if len(nodes) > 1 else 0.0 for n, v in values.items()})
    want = {"closeness": nx.closeness_centrality(g, distance="distance", wf_improved=False),
            "pagerank": nx.pagerank(g, weight="weight"), "eigenvector": eigen}
    for measure, values in want.items():
        assert all(got[measure][a] == pytest.approx(v, abs=1e-6) for a, v in values.items()), measure
    between = nx.betweenness_centrality(g, weight="distance")
    assert all(got["betweenness"][a] == pytest.approx(v, abs=1e-3) for a, v in between.items())


def test_betweenness_of_a_large_network_is_networkx_sampled_estimate(seed_graph, monkeypatch):
    """Past ``_EXACT_PATH_WORK``, betweenness is networkx's k-source estimate, from the same sources for the same seed."""
    import networkx as nx

    from policygraph import analyse
    from policygraph.analyse import measures

    monkeypatch.setattr(measures, "_EXACT_PATH_WORK", 0)
    monkeypatch.setattr(measures, "_SAMPLED_SOURCES", 20)
    net = load_network(seed_graph)
    got = analyse.network_measures(net)["betweenness"]
    want = nx.betweenness_centrality(co_responsibility_graph(net), k=20, seed=analyse.DEFAULT_SEED, weight="distance")
    assert got.keys() == want.keys() and max(want.values()) > 0
    assert all(got[a] == pytest.approx(v, abs=1e-6) for a, v in want.items())
    assert got == analyse.network_measures(load_network(seed_graph))["betweenness"]
