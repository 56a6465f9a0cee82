"""The HTML explorer without a browser: what it draws, escaping, determinism, views and the viz command."""
from __future__ import annotations

import json
import re
import os

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, SKOS

from policygraph.cli import cli
from policygraph.errors import InputError, ViewTooLarge
from policygraph.render import page_data, render_html, script_json, write_html
from policygraph.viewgraph import (ViewGraph, agency_measures, agency_network, build_view, count_view_nodes, focus, layout,
                                   read_view_graph, select_document, select_jurisdiction)

PG = Namespace("https://w3id.org/policygraph/ontology#")
ID = Namespace("https://w3id.org/policygraph/id/")
PREFIX = "PREFIX pg: <https://w3id.org/policygraph/ontology#>\n"


def _count(ds, where: str) -> int:
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT * WHERE {{ {where} }} }}"
    return int(next(iter(ds.query(PREFIX + query)))[0])


@pytest.fixture(scope="module")
def seed(seed_build):
    from policygraph.store import load_graph_file

    return load_graph_file(seed_build[2] / "graph.trig")


@pytest.fixture(scope="module")
def whole(seed):
    return read_view_graph(seed)


def tiny_graph(label: str = "甘肃省科学技术厅", alias: str = "省科技厅", clause: str = "（省科技厅牵头）") -> Dataset:
    """One document, one task and one agency that leads it, in the contract's terms."""
    ds = Dataset(default_union=True)
    g = ds.graph(ID["graph/x"])
    doc, task, agency, jur = ID["document/d"], ID["item/t"], ID["agency/a"], ID["jurisdiction/j"]
    g.add((doc, RDF.type, PG.PolicyDocument))
    g.add((doc, PG.sourceFile, Literal("001_test.txt")))
    g.add((doc, DCTERMS.title, Literal("测试实施方案")))
    g.add((doc, PG.jurisdiction, jur))
    g.add((jur, RDF.type, PG.Jurisdiction))
    g.add((jur, RDFS.label, Literal("甘肃省", lang="zh")))
    g.add((jur, RDFS.label, Literal("Gansu Province", lang="en")))
    g.add((task, RDF.type, PG.Task))
    g.add((task, PG.inDocument, doc))
    g.add((task, PG.outline, Literal("三/一")))
    g.add((task, DCTERMS.title, Literal("加快建设众创空间")))
    g.add((task, PG.sourceText, Literal(clause)))
    g.add((task, PG.responsibleAgency, agency))
    g.add((task, PG.leadAgency, agency))
    g.add((agency, RDF.type, PG.Agency))
    g.add((agency, RDFS.label, Literal(label, lang="zh")))
    g.add((agency, RDFS.label, Literal("Gansu Provincial Department of Science and Technology", lang="en")))
    g.add((agency, SKOS.altLabel, Literal(alias)))
    g.add((agency, PG.jurisdiction, jur))
    return ds


def _data(page: str) -> dict:
    match = re.search(r'<script type="application/json" id="pg-data">(.*?)</script>', page, re.S)
    return json.loads(match.group(1))


# --- what the whole graph draws, checked against the graph itself -------------------------------------------------

def test_whole_view_has_one_node_per_resource(seed, whole):
    kinds = {}
    for n in whole.nodes:
        kinds[n.kind] = kinds.get(n.kind, 0) + 1
    assert kinds["task"] == _count(seed, "?t a pg:Task")
    assert kinds["agency"] == _count(seed, "?a a pg:Agency")
    assert kinds["document"] == _count(seed, "?d a pg:PolicyDocument ; pg:sourceFile ?f")
    assert kinds["cited"] == _count(seed, "?d a pg:PolicyDocument FILTER NOT EXISTS { ?d pg:sourceFile ?f }")
    assert kinds["target"] == _count(seed, "?g a pg:Target")
    for kind, cls in (("park", "Park"), ("fund", "Fund"), ("program", "Program"), ("body", "UnspecifiedBody")):
        assert kinds.get(kind, 0) == _count(seed, f"?x a pg:{cls}")
    assert len({n.id for n in whole.nodes}) == len(whole.nodes)


def test_role_edges_carry_the_strongest_role(seed, whole):
    roles = {}
    for e in whole.edges:
        roles[e.kind] = roles.get(e.kind, 0) + 1
    lead = _count(seed, "?t a pg:Task ; pg:leadAgency ?a")
    support = _count(seed, "?t a pg:Task ; pg:supportingAgency ?a FILTER NOT EXISTS { ?t pg:leadAgency ?a }")
    named = _count(seed, "?t a pg:Task ; pg:responsibleAgency ?a")
    bodies = _count(seed, "?t a pg:Task ; pg:unspecifiedBody ?u")
    assert roles["lead"] == lead
    assert roles["support"] == support
    assert roles["lead"] + roles["support"] + roles["responsible"] == named + bodies
    assert roles["contains"] + roles.get("subtask", 0) == _count(seed, "?t a pg:Task")
    assert roles["goal"] == _count(seed, "?g a pg:Target")


def test_task_node_shows_its_clause_outline_and_document(seed, whole):
    row = next(iter(seed.query(PREFIX + """SELECT ?t ?s ?o WHERE { ?t a pg:Task ; pg:sourceText ?s ; pg:outline ?o }
                                           ORDER BY ?t LIMIT 1""")))
    node = next(n for n in whole.nodes if n.id == str(row[0]))
    info = dict(node.info)
    assert info["outline"] == str(row[2])
    assert str(row[1]) in [v for k, v in node.info if k == "sourceText"]
    assert info["document"]


def test_every_task_node_shows_its_own_text(seed, whole):
    texts = {str(t): str(x) for t, x in seed.query(PREFIX + "SELECT ?t ?x WHERE { ?t a pg:Task ; pg:taskText ?x }")}
    shown = {n.id: dict(n.info).get("taskText") for n in whole.nodes if n.kind == "task"}
    assert len(shown) == 81 and shown == texts


def test_agency_node_knows_its_aliases_counts_and_score(whole):
    node = next(n for n in whole.nodes if n.label_zh == "甘肃省科学技术厅")
    assert "省科技厅" in node.names
    assert "Gansu Provincial Department of Science and Technology" == node.label_en
    info = dict(node.info)
    lead, support, responsible = int(info["lead"]), int(info["support"]), int(info["responsible"])
    assert node.score == lead + responsible + 0.5 * support > 0
    assert "甘肃省" in node.jurisdictions


# --- agency network and measures -------------------------------------------------------------------------------------

def test_agency_measures_weights_roles_and_counts_shared_tasks():
    scores, communities, shared = agency_measures([
        ("t1", "a", "lead"), ("t1", "b", "support"), ("t1", "c", "responsible"),
        ("t2", "a", "responsible"), ("t2", "b", "support"), ("t3", "d", "lead"), ("t3", "e", "lead")])
    assert scores == {"a": 2.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 1.0}
    assert shared == {("a", "b"): 2, ("a", "c"): 1, ("b", "c"): 1, ("d", "e"): 1}
    assert communities["a"] == communities["b"] == communities["c"] != communities["d"] == communities["e"]
    assert communities["a"] == 1


def test_agency_network_matches_the_graph(seed, whole):
    net = agency_network(whole)
    agencies = next(iter(seed.query(PREFIX + "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?t a pg:Task ; "
                                             "pg:responsibleAgency ?a . ?a a pg:Agency }")))[0]
    pairs = next(iter(seed.query(PREFIX + """SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?a ?b WHERE {
        ?t a pg:Task ; pg:responsibleAgency ?a, ?b . ?a a pg:Agency . ?b a pg:Agency
        FILTER(STR(?a) < STR(?b)) } }""")))[0]
    assert len(net.nodes) == int(agencies)
    assert len(net.edges) == int(pairs)
    assert all(e.kind == "shared" and e.weight >= 1 for e in net.edges)
    assert {n.group for n in net.nodes} == {g[0] for g in net.groups}
    by_type = agency_network(whole, colour_by="type")
    assert {n.group for n in by_type.nodes} <= {t[0] for t in whole.extra["agency_types"]}
    assert len({n.group for n in by_type.nodes}) > 3


def test_agency_page_embeds_the_true_shared_task_count_beside_the_drawn_width(seed, whole):
    """The panel lists partners with how many tasks they share; the drawn width is scaled and is not that number."""
    net = agency_network(whole)
    data = page_data(net, lang="zh")
    ids = [n.id for n in net.nodes]
    rows = seed.query(PREFIX + """SELECT ?a ?b (COUNT(DISTINCT ?t) AS ?n) WHERE {
        ?t a pg:Task ; pg:responsibleAgency ?a, ?b . ?a a pg:Agency . ?b a pg:Agency
        FILTER(STR(?a) < STR(?b)) } GROUP BY ?a ?b""")
    truth = {(str(a), str(b)): int(n) for a, b, n in rows}
    embedded = {tuple(sorted((ids[e[0]], ids[e[1]]))): e[4] for e in data["edges"]}
    assert embedded == truth
    assert any(e[3] != e[4] for e in data["edges"])



def test_explorer_and_rank_split_agencies_with_one_louvain():
    """A network on which networkx's Louvain (seed 1) and igraph's (seed 42) part agencies differently."""
    import networkx as nx

    from policygraph.analyse import communities

    tasks = [("a4", "a1", "a6"), ("a5", "a4"), ("a1", "a2", "a4"), ("a6", "a1"), ("a6", "a1", "a7"), ("a0", "a7"),
             ("a1", "a6"), ("a1", "a2", "a7")]
    pairs = [(f"t{i}", a, "responsible") for i, task in enumerate(tasks) for a in task]
    _, explorer, shared = agency_measures(pairs)
    g = nx.Graph()
    g.add_weighted_edges_from((a, b, w) for (a, b), w in shared.items())
    assert explorer == communities(g)


def test_explorer_communities_are_the_rank_community_column(seed, whole):
    """One Louvain for both: an agency's community in the page data is its ``community`` in ``rank``."""
    from policygraph.analyse import rank

    net = agency_network(whole)
    data = page_data(net, lang="zh")
    ids = [n.id for n in net.nodes]
    shown = {ids[i]: dict(node.info)["community"] for i, node in enumerate(net.nodes)}
    assert len(data["nodes"]) == len(ids)
    ranked = {r["iri"]: str(r["community"]) for r in rank(seed).rows}
    assert shown == {iri: ranked[iri] for iri in shown}
    assert len(set(shown.values())) > 1


# --- narrowing views -------------------------------------------------------------------------------------------------

def test_document_view_keeps_one_documents_part(seed, whole):
    name = sorted(n.documents[0] for n in whole.nodes if n.kind == "document")[0]
    view = select_document(whole, name)
    tasks = [n for n in view.nodes if n.kind == "task"]
    assert len(tasks) == _count(seed, f'?t a pg:Task ; pg:inDocument ?d . ?d pg:sourcePath "{name}"')
    assert [n.kind for n in view.nodes].count("document") == 1
    assert all(e.source in view.node_ids() and e.target in view.node_ids() for e in view.edges)
    file = name.rsplit("/", 1)[-1]
    for other in ("data/" + name, file, "002_1d37a83bbf4946c8.txt" if file.startswith("002") else None):
        if other:
            assert select_document(whole, other).node_ids() == view.node_ids()
    assert select_document(whole, "青政办〔2017〕2号").node_ids() == select_document(whole, "002_").node_ids()
    with pytest.raises(InputError, match="no document"):
        select_document(whole, "nope.txt")


def test_jurisdiction_view_accepts_chinese_english_and_short_names(whole):
    gansu = select_jurisdiction(whole, "甘肃省")
    assert select_jurisdiction(whole, "Gansu Province").node_ids() == gansu.node_ids()
    assert select_jurisdiction(whole, "甘肃").node_ids() == gansu.node_ids()
    assert all("甘肃省" in n.jurisdictions for n in gansu.nodes)
    assert 0 < len(gansu.nodes) < len(whole.nodes)
    with pytest.raises(InputError, match="no jurisdiction"):
        select_jurisdiction(whole, "火星")


def test_focus_finds_agencies_by_alias_and_walks_depth(whole):
    near = focus(whole, "省科技厅", 1)
    starts = [n for n in near.nodes if n.kind == "agency" and "省科技厅" in n.names]
    assert {n.label_zh for n in starts} >= {"甘肃省科学技术厅"}
    start_ids = {n.id for n in starts}
    adjacent = {e.source for e in whole.edges if e.target in start_ids} | \
               {e.target for e in whole.edges if e.source in start_ids}
    assert near.node_ids() == start_ids | adjacent
    assert {n.kind for n in near.nodes} >= {"agency", "task"}
    assert len(focus(whole, "省科技厅", 2).nodes) > len(near.nodes)
    assert {n.kind for n in focus(whole, "省科技厅", 0).nodes} == {"agency"}
    with pytest.raises(InputError, match="no agency"):
        focus(whole, "不存在的委员会", 1)


def test_build_view_combines_options(seed):
    view = build_view(seed, view="agencies", jurisdiction="青海", focus_on="青海省科学技术厅", depth=1)
    assert all(n.kind == "agency" for n in view.nodes)
    assert all("青海省" in n.jurisdictions for n in view.nodes)
    assert [s[0] for s in view.scope] == ["jurisdiction", "agencies", "focus:1"]


@pytest.mark.parametrize("source", ["store", "graph.trig"])
@pytest.mark.parametrize("colour_by", ["community", "type"])
def test_the_agency_network_read_alone_is_the_one_drawn_from_the_whole_view(seed_build, source, colour_by):
    from policygraph.store import load_graph_file

    graph = load_graph_file(seed_build[2] / source)
    alone = agency_network(read_view_graph(graph, agencies_only=True), colour_by)
    assert alone == agency_network(read_view_graph(graph), colour_by) and alone.nodes
    assert build_view(graph, view="agencies", colour_by=colour_by) == alone


def test_the_whole_view_is_counted_before_it_is_read(seed_build, seed, whole):
    from policygraph.store import load_graph_file

    assert count_view_nodes(seed) == len(whole.nodes)
    assert count_view_nodes(load_graph_file(seed_build[2] / "store")) == len(whole.nodes)


def test_a_view_larger_than_max_nodes_is_refused_and_a_narrower_one_drawn(seed_build, tmp_path):
    from policygraph.store import load_graph_file

    graph = str(seed_build[2] / "store")
    nodes = len(read_view_graph(load_graph_file(graph)).nodes)
    refused = CliRunner().invoke(cli, ["viz", "-g", graph, "--max-nodes", str(nodes - 1), "-o", str(tmp_path / "a.html")])
    assert refused.exit_code == 2 and f"{nodes:,} nodes" in refused.output and "--document" in refused.output
    assert not (tmp_path / "a.html").exists()
    drawn = CliRunner().invoke(cli, ["viz", "-g", graph, "--max-nodes", str(nodes - 1), "--view", "agencies",
                                     "-o", str(tmp_path / "b.html")])
    assert drawn.exit_code == 0 and (tmp_path / "b.html").is_file()
    with pytest.raises(ViewTooLarge):
        build_view(load_graph_file(graph), view="agencies", max_nodes=3)


# --- the page --------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("view", ["whole", "agencies"])
def test_store_view_read_directly_is_the_view_read_through_rdflib(seed_build, view, monkeypatch):
    """On a store the view is read from Oxigraph directly; it must be the view rdflib's graph.query gives."""
    import policygraph.query
    from policygraph.store import load_graph_file

    store = load_graph_file(seed_build[2] / "store")
    direct = build_view(store, view=view)
    monkeypatch.setattr(policygraph.query, "_oxigraph", lambda graph: None)
    through_rdflib = build_view(store, view=view)
    assert direct == through_rdflib and direct.extra == through_rdflib.extra and direct.nodes
    assert render_html(direct, lang="en") == render_html(through_rdflib, lang="en")


def test_script_json_cannot_close_the_script_element():
    text = script_json({"label": "</script><script>alert(1)</script><!-- \u2028\u2029 & 'x' \"y\""})
    assert "<" not in text and ">" not in text and "&" not in text
    assert "\u2028" not in text and "\u2029" not in text
    assert json.loads(text)["label"].startswith("</script>")


def test_hostile_labels_are_data_not_markup():
    evil = '甘肃"省\'科技厅</script><script>window.pwned=1</script><img src=x onerror=alert(1)>'
    page = render_html(read_view_graph(tiny_graph(label=evil, clause="（<b>省科技厅</b>牵头）")))
    assert page.count("<script") == 3 and page.count("</script>") == 3
    assert "window.pwned=1</script>" not in page and "<img" not in page
    data = _data(page)
    assert {n["zh"] for n in data["nodes"]} >= {evil}
    assert any(v == "（<b>省科技厅</b>牵头）" for n in data["nodes"] for _, v in n["i"])


def test_page_is_self_contained():
    page = render_html(read_view_graph(tiny_graph()))
    assert not re.search(r"<(link|img|iframe)\b", page)
    assert not re.search(r"<script[^>]*\bsrc=", page)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "vis-network" in page and "new vis.Network" in page


def test_one_node_graph_and_empty_graph():
    ds = Dataset(default_union=True)
    ds.graph(ID["graph/x"]).add((URIRef(ID["park/p"]), RDF.type, PG.Park))
    one = page_data(read_view_graph(ds))
    assert len(one["nodes"]) == 1 and one["edges"] == [] and not one["empty"]
    empty = page_data(read_view_graph(Dataset(default_union=True)), lang="en")
    assert empty["empty"] and empty["nodes"] == [] and "empty" in empty["emptyMessage"]
    assert "Nothing to show: the graph is empty." in render_html(ViewGraph(), lang="en")


def test_same_graph_gives_byte_identical_page(seed):
    first = render_html(read_view_graph(seed))
    assert render_html(read_view_graph(seed)) == first
    again = render_html(build_view(seed, view="agencies"))
    assert render_html(build_view(seed, view="agencies")) == again


def test_layout_is_deterministic_and_spreads_nodes():
    nodes = [f"n{i:03d}" for i in range(600)]
    edges = [(f"n{i:03d}", f"n{(i * 7 + 3) % 600:03d}", 1.0) for i in range(600)] + \
            [(f"n{i:03d}", f"n{i + 1:03d}", 1.0) for i in range(0, 599, 2)]
    pos = layout(nodes, edges)
    assert pos == layout(list(reversed(nodes)), list(reversed(edges)))
    assert set(pos) == set(nodes)
    assert len(set(pos.values())) > 590


def test_layout_is_the_same_whatever_the_string_hash_seed():
    """Positions must not depend on PYTHONHASHSEED (set iteration order), or the same graph renders different pages."""
    import subprocess
    import sys

    script = ("from policygraph.viewgraph import layout\n"
              "nodes = [f'agency-{i}' for i in range(700)]\n"
              "edges = [(nodes[i], nodes[(i * 13 + 5) % 700], 1.0) for i in range(700)]\n"
              "edges += [(nodes[i], nodes[i + 1], 2.0) for i in range(0, 699, 3)]\n"
              "print(sorted(layout(nodes, edges).items()))\n")
    runs = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(runs) == 1 and runs.pop().count("agency-") == 700


def test_page_title_and_language(seed):
    zh = page_data(build_view(seed, jurisdiction="甘肃省", focus_on="省科技厅", depth=2), lang="zh")
    assert zh["title"] == "policygraph · 全图 · 甘肃省 · 甘肃省科学技术厅 的 2 步邻域"
    en = page_data(build_view(seed, view="agencies", colour_by="type"), lang="en")
    assert en["title"] == "policygraph · Agency co-responsibility network (coloured by agency type)"
    labels = {n["l"] for n in en["nodes"]}
    assert any("Department of Science and Technology" in label for label in labels)
    assert {c["label"] for c in en["categories"]} and en["fields"]["sourceText"] == "Source clause"
    page = render_html(build_view(seed, document="003"), lang="en")
    assert "<title>policygraph · Whole graph · document seeds/003_" in page


def test_write_html_writes_utf8_whatever_the_locale(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTHONIOENCODING", "latin-1")
    monkeypatch.setattr("locale.getpreferredencoding", lambda *a: "latin-1")
    path = write_html(render_html(read_view_graph(tiny_graph())), tmp_path / "sub" / "page.html")
    raw = path.read_bytes()
    assert "甘肃省科学技术厅".encode("utf-8") in raw
    assert b'<meta charset="utf-8">' in raw


# --- the command -----------------------------------------------------------------------------------------------------

def test_viz_command_writes_the_page(seed_build, tmp_path):
    graph = seed_build[2] / "graph.trig"
    runner = CliRunner()
    out = tmp_path / "a.html"
    result = runner.invoke(cli, ["viz", "-g", str(graph), "--view", "agencies", "--color", "type", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    data = _data(out.read_text("utf-8"))
    assert data["nodes"] and all(data["kinds"][n["k"]]["key"] == "agency" for n in data["nodes"])
    result = runner.invoke(cli, ["viz", "-g", str(graph), "--focus", "没有这个机构", "-o", str(tmp_path / "b.html")])
    assert result.exit_code == 2 and "no agency" in result.output
    assert not (tmp_path / "b.html").exists()


def test_viz_default_output_names(seed_build, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    graph = seed_build[2] / "graph.trig"
    runner = CliRunner()
    assert runner.invoke(cli, ["viz", "-g", str(graph), "--lang", "en"]).exit_code == 0
    assert runner.invoke(cli, ["viz", "-g", str(graph), "--view", "agencies"]).exit_code == 0
    assert (tmp_path / "policygraph-out" / "graph.html").is_file()
    assert (tmp_path / "policygraph-out" / "agencies.html").is_file()


def test_viz_dash_writes_the_page_to_stdout_and_no_file(seed_build, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["viz", "-g", str(seed_build[2] / "graph.trig"), "--view", "agencies", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.lstrip().lower().startswith("<!doctype html") and "wrote" not in result.stdout
    assert "wrote -" in result.stderr
    assert not (tmp_path / "-").exists()
