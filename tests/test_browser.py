"""The HTML explorer in a real headless Chromium with the network off, used as a person would use it."""
from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from policygraph.render import render_html, write_html
from policygraph.viewgraph import agency_network, read_view_graph

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
PREFIX = "PREFIX pg: <https://w3id.org/policygraph/ontology#>\n"


def _chromium() -> str | None:
    return os.environ.get("POLICYGRAPH_CHROMIUM") or shutil.which("chromium") or \
        next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)


def _unavailable(reason: str):
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; CI must run the browser tests (.ci/run installs Debian's chromium)")
    pytest.skip(f"{reason} (apt-get install chromium fonts-noto-cjk; pip install playwright)")


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    if executable is None:
        _unavailable("no chromium executable found")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Opened:
    """A page loaded offline, with every console error and every request it made."""

    def __init__(self, browser, path: Path):
        self.context = browser.new_context(viewport={"width": 1400, "height": 900}, offline=True)
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.route(lambda url: not url.startswith("file:"), lambda route: route.abort())
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.policygraph && window.policygraph.ready", timeout=60_000)

    def js(self, expression: str, arg=None):
        return self.page.evaluate(expression, arg)

    def outside_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]

    def close(self):
        self.context.close()


@pytest.fixture(scope="module")
def seed(seed_build):
    from policygraph.store import load_graph_file

    return load_graph_file(seed_build[2] / "graph.trig")


@pytest.fixture(scope="module")
def whole(seed):
    return read_view_graph(seed)


@pytest.fixture(scope="module")
def whole_page(browser, whole, tmp_path_factory):
    path = write_html(render_html(whole), tmp_path_factory.mktemp("viz") / "graph.html")
    opened = Opened(browser, path)
    yield opened
    opened.close()


def _node_id(opened: Opened, where: str) -> int:
    return opened.js(f"policygraph.data.nodes.filter(n => {where})[0].id")


def test_page_loads_offline_with_no_errors_and_no_outside_request(whole_page):
    assert whole_page.errors == []
    assert whole_page.outside_requests() == []
    assert whole_page.js("typeof vis.Network") == "function"
    assert whole_page.js("document.querySelectorAll('#pg-network canvas').length") == 1


def test_drawn_nodes_and_edges_are_what_the_graph_says(whole_page, whole, seed):
    assert whole_page.js("[policygraph.nodes.length, policygraph.edges.length]") == [len(whole.nodes), len(whole.edges)]
    assert whole_page.js("[policygraph.nodeView.length, policygraph.edgeView.length]") == \
        [len(whole.nodes), len(whole.edges)]
    tasks = whole_page.js("policygraph.data.nodes.filter(n => policygraph.data.kinds[n.k].key === 'task').length")
    agencies = whole_page.js("policygraph.data.nodes.filter(n => policygraph.data.kinds[n.k].key === 'agency').length")
    count = lambda q: int(next(iter(seed.query(PREFIX + q)))[0])  # noqa: E731
    assert tasks == count("SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a pg:Task }")
    assert agencies == count("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pg:Agency }")
    lead = whole_page.js("policygraph.edges.get().filter(e => e.kind === 'lead').length")
    assert lead == count("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?t ?a WHERE { ?t pg:leadAgency ?a } }")


def test_legend_shows_the_drawn_and_the_counted_number_of_agencies_and_parks(whole_page, seed):
    count = lambda q: int(next(iter(seed.query(PREFIX + q)))[0])  # noqa: E731
    legend = {key: whole_page.page.locator(f"#pg-categories li[data-key='{key}']").inner_text()
              for key in ("agency", "park", "task")}
    drawn = count("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a pg:Agency }")
    assigned = count("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?t pg:responsibleAgency ?a }")
    assert legend["agency"].endswith(f"({drawn}，其中 {assigned} 个承担任务)")
    parks = count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p a pg:Park }")
    named = count("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?x pg:mentions ?p . ?p a pg:Park }")
    assert legend["park"].endswith(f"({parks}，其中 {named} 个见于文件)")
    assert legend["task"].endswith(f"({count('SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a pg:Task }')})")


def test_search_finds_an_alias_and_focuses_it(whole_page):
    page = whole_page.page
    page.fill("#pg-search", "省科技厅")
    page.press("#pg-search", "Enter")
    selected = whole_page.js("policygraph.network.getSelectedNodes()")
    assert len(selected) == 1
    node = whole_page.js("id => policygraph.data.nodes.find(n => n.id === id)", selected[0])
    assert "省科技厅" in node["n"] and node["zh"].endswith("科学技术厅")
    assert page.is_visible("#pg-panel")
    assert page.inner_text("#pg-panel h2") == node["zh"]
    assert page.locator("#pg-results li").count() >= 2
    pos = whole_page.js("id => policygraph.network.canvasToDOM(policygraph.network.getPosition(id))", selected[0])
    box = page.locator("#pg-network").bounding_box()
    assert 0 <= pos["x"] <= box["width"] and 0 <= pos["y"] <= box["height"]
    page.fill("#pg-search", "Gansu Provincial Department of Science")
    assert "甘肃省科学技术厅" in page.inner_text("#pg-results")


def test_clicking_a_task_shows_its_source_clause_and_its_text(whole_page, seed):
    row = next(iter(seed.query(PREFIX + """SELECT ?t ?s ?x WHERE { ?t a pg:Task ; pg:sourceText ?s ;
                                               pg:leadAgency ?a ; pg:taskText ?x } ORDER BY ?t ?s LIMIT 1""")))
    index = whole_page.js(
        "iri => policygraph.data.nodes.find(n => n.i.some(kv => kv[0] === 'iri' && kv[1] === iri)).id", str(row[0]))
    whole_page.js("id => policygraph.network.focus(id, {scale: 2.5, animation: false})", index)
    pos = whole_page.js("id => policygraph.network.canvasToDOM(policygraph.network.getPosition(id))", index)
    box = whole_page.page.locator("#pg-network").bounding_box()
    whole_page.page.mouse.click(box["x"] + pos["x"], box["y"] + pos["y"])
    assert whole_page.js("policygraph.network.getSelectedNodes()") == [index]
    clauses = whole_page.page.locator("#pg-panel dd[data-field='sourceText']").all_inner_texts()
    assert str(row[1]) in clauses
    assert "牵头" in whole_page.page.inner_text("#pg-panel")
    text = whole_page.page.locator("#pg-panel dd[data-field='taskText']")
    assert text.all_inner_texts() == [str(row[2])] and text.is_visible()
    assert whole_page.page.locator("#pg-panel dt", has_text="任务原文").count() == 1


def test_hover_shows_a_text_tooltip(browser, tmp_path):
    from .test_render import tiny_graph

    evil = '<b>甘肃省科学技术厅</b><img src=x onerror="window.pwned=1">'
    path = write_html(render_html(read_view_graph(tiny_graph(label=evil))), tmp_path / "evil.html")
    opened = Opened(browser, path)
    try:
        index = _node_id(opened, "n.zh.startsWith('<b>')")
        pos = opened.js("id => policygraph.network.canvasToDOM(policygraph.network.getPosition(id))", index)
        box = opened.page.locator("#pg-network").bounding_box()
        opened.page.mouse.move(box["x"] + pos["x"], box["y"] + pos["y"])
        opened.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
        tip = opened.page.locator("div.vis-tooltip")
        assert evil in tip.inner_text()
        assert tip.locator("b, img").count() == 0
        assert opened.js("window.pwned") is None
        assert opened.errors == [] and opened.outside_requests() == []
    finally:
        opened.close()


def test_type_and_jurisdiction_filters_hide_and_show(whole_page, whole):
    page = whole_page.page
    tasks = sum(1 for n in whole.nodes if n.kind == "task")
    task_edges = sum(1 for e in whole.edges if e.source in {n.id for n in whole.nodes if n.kind == "task"} or
                     e.target in {n.id for n in whole.nodes if n.kind == "task"})
    task_box = page.locator("#pg-categories li[data-key='task'] input")
    task_box.uncheck()
    assert whole_page.js("policygraph.nodeView.length") == len(whole.nodes) - tasks
    assert whole_page.js("policygraph.edgeView.length") == len(whole.edges) - task_edges
    task_box.check()
    assert whole_page.js("policygraph.nodeView.length") == len(whole.nodes)
    only_qinghai = sum(1 for n in whole.nodes if n.jurisdictions == ("青海省",))
    qinghai = page.locator("#pg-jurisdictions li[data-key='青海省'] input")
    qinghai.uncheck()
    assert whole_page.js("policygraph.nodeView.length") == len(whole.nodes) - only_qinghai > 0
    page.fill("#pg-search", "青海省科学技术厅")
    assert whole_page.js("policygraph.search('青海省科学技术厅')") == []
    qinghai.check()
    assert whole_page.js("policygraph.nodeView.length") == len(whole.nodes)
    assert whole_page.errors == []


def test_agency_network_page_and_screenshot(browser, whole, tmp_path, request):
    """The screenshot goes to tmp_path; with --update-golden it refreshes docs/agencies.png for the README."""
    net = agency_network(whole)
    path = write_html(render_html(net), tmp_path / "agencies.html")
    opened = Opened(browser, path)
    try:
        assert opened.js("[policygraph.nodes.length, policygraph.edges.length]") == [len(net.nodes), len(net.edges)]
        assert opened.errors == [] and opened.outside_requests() == []
        assert opened.page.title() == "policygraph · 机构协同网络"
        legend = opened.page.locator("#pg-categories li").all_inner_texts()
        assert legend and all("社区" in text for text in legend)
        shot = ROOT / "docs" / "agencies.png" if request.config.getoption("--update-golden") else tmp_path / "agencies.png"
        shot.parent.mkdir(exist_ok=True)
        opened.page.screenshot(path=str(shot))
        assert shot.stat().st_size > 20_000
    finally:
        opened.close()


def test_empty_graph_page_says_so(browser, tmp_path):
    from rdflib import Dataset

    path = write_html(render_html(read_view_graph(Dataset(default_union=True)), lang="en"), tmp_path / "empty.html")
    opened = Opened(browser, path)
    try:
        assert opened.page.is_visible("#pg-empty")
        assert opened.page.inner_text("#pg-empty") == "Nothing to show: the graph is empty."
        assert opened.js("policygraph.nodes.length") == 0
        assert opened.errors == [] and opened.outside_requests() == []
    finally:
        opened.close()


def test_english_page_panel_names_the_agency_its_type_and_neighbours_in_english(browser, whole, tmp_path):
    opened = Opened(browser, write_html(render_html(whole, lang="en"), tmp_path / "en.html"))
    try:
        page = opened.page
        page.fill("#pg-search", "Baiyin")
        page.press("#pg-search", "Enter")
        assert page.inner_text("#pg-panel h2") == "Baiyin Municipal People's Government"
        assert "白银市人民政府" in page.inner_text("#pg-panel .pg-sub")
        types = page.locator("#pg-panel dd[data-field='agencyType']").all_inner_texts()
        assert types == ["Local people's government"]
        assert page.locator("#pg-panel dd[data-field='agencyTypeEn']").count() == 0
        links = {re.sub(r" \u00d7[\d.]+$", "", t) for t in page.locator("#pg-panel .pg-link").all_inner_texts()}
        shown = set(opened.js("policygraph.data.nodes.map(n => n.en || n.zh)"))
        assert links and links <= shown
        assert opened.errors == []
    finally:
        opened.close()
