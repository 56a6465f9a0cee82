"""The offline HTML explorer: a view graph → one self-contained page (vis-network, data and UI inlined)."""
from __future__ import annotations

import html
import json
import math
from importlib import resources
from pathlib import Path
from string import Template

from .model import LEAD, RESPONSIBLE, ROLES, SUPPORT
from .serialize import write_atomic
from .viewgraph import NODE_KINDS, ViewGraph, layout

__all__ = ["render_html", "page_data", "script_json", "write_html", "LARGE_GRAPH", "counted_nodes"]

#: Above this many nodes the page stops drawing edges while dragging or zooming and skips hover effects.
LARGE_GRAPH = 1500

# kind: (shape, colour, size, zh, en)
_KINDS = {
    "document": ("square", "#1f4e79", 26, "文件", "Document"),
    "cited": ("square", "#8fb3d9", 16, "上级政策", "Cited policy"),
    "task": ("dot", "#f2a541", 9, "任务", "Task"),
    "agency": ("hexagon", "#c0392b", 14, "机构", "Agency"),
    "body": ("hexagon", "#9e9e9e", 12, "非特定主体", "Unspecified body"),
    "target": ("star", "#27ae60", 9, "目标", "Target"),
    "park": ("triangle", "#8e44ad", 10, "园区", "Park"),
    "fund": ("triangleDown", "#16a085", 10, "基金", "Fund"),
    "program": ("diamond", "#d35400", 10, "计划/工程", "Program"),
}
# edge kind: (colour, dashes, width, zh, en)
_EDGES = {
    LEAD: ("#c0392b", False, 3.0, "牵头", "Lead"),
    SUPPORT: ("#2980b9", True, 1.5, "配合", "Support"),
    RESPONSIBLE: ("#7f8c8d", False, 1.5, "负责", "Responsible"),
    "contains": ("#c8c8c8", False, 1.0, "包含任务", "Contains task"),
    "subtask": ("#c8c8c8", True, 1.0, "子任务", "Sub-task"),
    "goal": ("#27ae60", False, 1.0, "目标", "Target"),
    "mentions": ("#b39ddb", False, 1.0, "提及", "Mentions"),
    "issued": ("#1f4e79", True, 1.0, "发文机构", "Issued by"),
    "implements": ("#8fb3d9", True, 1.5, "贯彻落实", "Implements"),
    "manages": ("#8e44ad", True, 1.0, "管理", "Manages"),
    "shared": ("#9aa5b1", False, 1.0, "共同负责的任务", "Shared tasks"),
}
_PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
            "#17becf", "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#c7c7c7",
            "#dbdb8d", "#9edae5")
_FIELDS = {
    "title": ("标题", "Title"), "documentNumber": ("文号", "Document number"), "issued": ("发布日期", "Issued"),
    "sourceFile": ("源文件", "Source file"), "jurisdiction": ("行政区", "Jurisdiction"),
    "agencyType": ("机构类型", "Agency type"), "agencyTypeEn": ("机构类型（英文）", "Agency type (English)"),
    "aliases": ("文中写法", "Written as"), LEAD: ("牵头任务", "Tasks as lead"),
    SUPPORT: ("配合任务", "Tasks as support"), RESPONSIBLE: ("负责任务", "Tasks as responsible"),
    "score": ("责任分值", "Responsibility score"), "community": ("社区", "Community"),
    "outline": ("大纲位置", "Outline path"), "document": ("所属文件", "Document"),
    "taskText": ("任务原文", "Task text"), "sourceText": ("原文条款", "Source clause"),
    "metric": ("指标", "Metric"), "value": ("目标值", "Value"),
    "targetYear": ("目标年份", "Target year"), "annual": ("每年", "Annual"), "surface": ("原文表述", "As written"),
    "sentence": ("原文句子", "Sentence"), "iri": ("IRI", "IRI"),
}
_LONG_FIELDS = ("taskText", "sourceText", "sentence", "surface", "title")
_UI = {
    "zh": {"search": "搜索名称（中文或英文）…", "legend": "图例与类型筛选", "jurisdictions": "行政区筛选",
           "more": "……另有 {n} 项", "noMatch": "没有匹配的节点", "empty": "图中没有可显示的内容：该图谱为空。",
           "summary": "{nodes} 个节点，{edges} 条边。点击节点查看详情，滚轮缩放，拖动平移。"},
    "en": {"search": "Search names (Chinese or English)…", "legend": "Legend and type filter",
           "jurisdictions": "Jurisdiction filter", "more": "… {n} more", "noMatch": "No matching node",
           "empty": "Nothing to show: the graph is empty.",
           "summary": "{nodes} nodes, {edges} edges. Click a node for details; scroll to zoom, drag to pan."},
}
_VIEW_TITLES = {"whole": ("全图", "Whole graph"), "agencies": ("机构协同网络", "Agency co-responsibility network")}


def _asset(name: str) -> str:
    return resources.files("policygraph").joinpath("assets", name).read_text(encoding="utf-8")


def script_json(value) -> str:
    r"""
    JSON that is safe inside a ``<script>`` element: ``<``, ``>``, ``&`` and the line separators U+2028/U+2029 are
    written as ``\u`` escapes, so no text from a document can close the element or open a comment.

    Examples
    --------
    >>> script_json({"a": "</script><!-- \u2028"})
    '{"a":"\\u003c/script\\u003e\\u003c!-- \\u2028"}'
    """
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
                         ("\u2029", "\\u2029")):
        text = text.replace(char, escape)
    return text


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _title(view: ViewGraph, lang: str) -> str:
    i = 0 if lang == "zh" else 1
    agencies = any(s[0] == "agencies" for s in view.scope)
    parts = ["policygraph", _VIEW_TITLES["agencies" if agencies else "whole"][i]]
    for what, zh, en in view.scope:
        name = zh if i == 0 else en
        if what == "agencies":
            if name == "type":
                parts[-1] += "（按机构类型着色）" if i == 0 else " (coloured by agency type)"
        elif what == "document":
            parts.append(("文件 " if i == 0 else "document ") + name)
        elif what == "jurisdiction":
            parts.append(name)
        elif what.startswith("focus:"):
            depth = what.split(":", 1)[1]
            parts.append(f"{name} 的 {depth} 步邻域" if i == 0 else f"neighbourhood of {name} (depth {depth})")
    return " · ".join(parts)


def page_data(view: ViewGraph, lang: str = "zh") -> dict:
    """
    Everything the page needs, as JSON-ready data: nodes with positions, sizes and categories, edges as
    ``[from, to, kind, width]``, legend, filters and UI strings in the chosen language. Node ids are positions in
    ``view.nodes`` (sorted by IRI), so the same view always gives the same data.

    Examples
    --------
    >>> from policygraph.viewgraph import ViewNode
    >>> d = page_data(ViewGraph(nodes=(ViewNode("x", "agency", "省科技厅", "S&T"),)), lang="en")
    >>> d["nodes"][0]["l"], d["categories"][3]["key"], d["empty"]
    ('S&T', 'agency', False)
    """
    if lang not in _UI:
        raise ValueError(f"lang must be 'zh' or 'en', not {lang!r}")
    i = 0 if lang == "zh" else 1
    index = {n.id: k for k, n in enumerate(view.nodes)}
    edges = [e for e in view.edges if e.source in index and e.target in index]
    pos = layout(index, [(e.source, e.target, 1.0) for e in edges])
    categories, category = _categories(view, i)
    jur_names = sorted({j for n in view.nodes for j in n.jurisdictions})
    jur_en = view.extra.get("jurisdictions", {})
    jurisdictions = [{"name": j, "label": j if i == 0 else (jur_en.get(j) or j),
                      "count": sum(1 for n in view.nodes if j in n.jurisdictions)} for j in jur_names]
    jur_index = {j: k for k, j in enumerate(jur_names)}
    type_en = {key: en for key, _, en in view.extra.get("agency_types", ())}
    type_zh = {key: zh for key, zh, _ in view.extra.get("agency_types", ())}
    max_score = max([n.score for n in view.nodes] or [0.0])
    nodes = []
    for k, n in enumerate(view.nodes):
        label = n.label_zh if i == 0 else (n.label_en or n.label_zh)
        info = n.info if i == 0 else _english_info(n.info, jur_en)
        limit = (24, 60)[i] if n.kind == "agency" else (16, 40)[i]
        if n.kind == "agency":
            size = 10 + 30 * math.sqrt(n.score / max_score) if max_score else 14
        else:
            size = _KINDS[n.kind][2]
        x, y = pos[n.id]
        nodes.append({"id": k, "k": NODE_KINDS.index(n.kind), "c": category[k], "l": _short(label, limit),
                      "zh": n.label_zh, "en": n.label_en, "x": x, "y": y, "s": round(size, 1),
                      "t": (type_zh if i == 0 else type_en).get(n.group, "") if n.kind == "agency" else "",
                      "j": [jur_index[j] for j in n.jurisdictions], "n": list(n.names),
                      "i": [list(kv) for kv in info]})
    edge_kinds, out_edges = _page_edges(edges, index, i)
    ui = _UI[lang]
    return {
        "lang": lang, "title": _title(view, lang), "empty": not nodes, "emptyMessage": ui["empty"],
        "summary": ui["summary"].format(nodes=len(nodes), edges=len(out_edges)), "big": len(nodes) > LARGE_GRAPH,
        "ui": {k: v for k, v in ui.items() if k not in ("empty", "summary")},
        "fields": {k: v[i] for k, v in _FIELDS.items()}, "longFields": list(_LONG_FIELDS),
        "kinds": [{"key": kind, "label": _KINDS[kind][3 + i]} for kind in NODE_KINDS],
        "taskKind": NODE_KINDS.index("task"), "categories": categories, "edgeKinds": edge_kinds,
        "jurisdictions": jurisdictions, "nodes": nodes, "edges": out_edges,
    }


def _categories(view: ViewGraph, i: int) -> tuple[list[dict], list[int]]:
    """The legend's categories (by group or by kind) with their counts, and each node's category by position."""
    if view.colour_by == "group":
        groups = list(view.groups)
        known = {g[0] for g in groups}
        groups += [(g, g, g) for g in sorted({n.group for n in view.nodes} - known)]
        categories = [{"key": key, "label": (zh, en)[i] or key, "shape": "dot", "color": _PALETTE[k % len(_PALETTE)]}
                      for k, (key, zh, en) in enumerate(groups)]
        cat_of = {c["key"]: k for k, c in enumerate(categories)}
        category = [cat_of[n.group] for n in view.nodes]
    else:
        categories = [{"key": kind, "label": _KINDS[kind][3 + i], "shape": _KINDS[kind][0], "color": _KINDS[kind][1]}
                      for kind in NODE_KINDS]
        category = [NODE_KINDS.index(n.kind) for n in view.nodes]
    for k, c in enumerate(categories):
        c["count"] = category.count(k)
    if view.colour_by != "group":
        _label_counts(categories, view, i)
    return categories, category


def _page_edges(edges, index: dict[str, int], i: int) -> tuple[list[dict], list[list]]:
    """The legend's edge kinds with their counts, and the edges as ``[from, to, kind, width, count]``."""
    edge_kinds = [{"key": key, "label": v[3 + i], "color": v[0], "dashes": v[1], "width": v[2]}
                  for key, v in _EDGES.items()]
    kind_index = {e["key"]: k for k, e in enumerate(edge_kinds)}
    max_weight = max([e.weight for e in edges] or [1.0])
    out_edges = []
    for e in edges:
        width = round(1 + 7 * (e.weight - 1) / (max_weight - 1), 2) if e.kind == "shared" and max_weight > 1 else 0
        count = int(e.weight) if e.kind == "shared" else 0
        out_edges.append([index[e.source], index[e.target], kind_index[e.kind], width, count])
    for k, kind in enumerate(edge_kinds):
        kind["count"] = sum(1 for e in out_edges if e[2] == k)
    return edge_kinds, out_edges


#: Legend counts that hold nodes the build's totals leave out: which edge makes a node count, and the wording.
_COUNTED_BY = {"agency": (frozenset(ROLES),
                          ("{total}，其中 {n} 个承担任务", "{total}; {n} assigned")),
               "park": (frozenset({"mentions"}), ("{total}，其中 {n} 个见于文件", "{total}; {n} named")),
               "fund": (frozenset({"mentions"}), ("{total}，其中 {n} 个见于文件", "{total}; {n} named")),
               "program": (frozenset({"mentions"}), ("{total}，其中 {n} 个见于文件", "{total}; {n} named"))}


def counted_nodes(view: ViewGraph, kind: str) -> int:
    """How many nodes of ``kind`` the build counts: agencies with a task, parks, funds and programs a task or
    document names (an agency's managed park, an issuer, a body named only outside clauses are drawn, not counted).

    Examples
    --------
    >>> from policygraph.viewgraph import ViewEdge, ViewNode
    >>> v = ViewGraph(nodes=(ViewNode("a", "agency", "甲"), ViewNode("b", "agency", "乙"), ViewNode("t", "task", "任务")),
    ...               edges=(ViewEdge("t", "a", "lead"), ViewEdge("b", "t", "issued")))
    >>> counted_nodes(v, "agency")
    1
    """
    kinds = _COUNTED_BY[kind][0]
    ends = {e.target for e in view.edges if e.kind in kinds}
    return sum(1 for n in view.nodes if n.kind == kind and n.id in ends)


def _label_counts(categories: list[dict], view: ViewGraph, i: int) -> None:
    """Beside a legend count that includes nodes the build does not count, the number it does count."""
    for c in categories:
        if c["key"] in _COUNTED_BY and c["count"]:
            c["counted"] = counted_nodes(view, c["key"])
            if c["counted"] != c["count"]:
                c["countText"] = _COUNTED_BY[c["key"]][1][i].format(total=c["count"], n=c["counted"])


def _english_info(info, jurisdictions_en: dict) -> tuple:
    """A node's panel fields for the English page: the agency type and jurisdictions in English where known.

    >>> _english_info((("agencyType", "财政"), ("agencyTypeEn", "Finance"), ("jurisdiction", "甘肃省, 乙省")),
    ...               {"甘肃省": "Gansu Province"})
    (('agencyType', 'Finance'), ('jurisdiction', 'Gansu Province, 乙省'))
    """
    fields = dict(info)
    out = []
    for key, value in info:
        if key == "agencyTypeEn":
            continue
        if key == "agencyType":
            value = fields.get("agencyTypeEn") or value
        elif key == "jurisdiction":
            value = ", ".join(jurisdictions_en.get(j) or j for j in value.split(", "))
        out.append((key, value))
    return tuple(out)


def _inline(text: str, closing: str) -> str:
    lowered = text.lower()
    if f"</{closing}" in lowered or "<!--" in lowered:
        raise ValueError(f"an inlined asset contains </{closing} or <!--; it cannot be inlined safely")
    return text


def render_html(view: ViewGraph, lang: str = "zh") -> str:
    """
    The whole page as one string: vis-network, the explorer's CSS and JavaScript and the view's data inlined, no
    reference to any other URL. The same view and language always give the same string.

    Examples
    --------
    >>> page = render_html(ViewGraph(), lang="en")
    >>> "Nothing to show" in page and "http://" not in page.split("<script>")[0]
    True
    """
    data = page_data(view, lang)
    return Template(_asset("page.html")).substitute(
        lang="zh-CN" if lang == "zh" else "en", title=html.escape(data["title"]),
        css=_inline(_asset("explorer.css"), "style"), data=script_json(data),
        vis=_inline(_asset("vis-network.min.js"), "script"), app=_inline(_asset("explorer.js"), "script"))


def write_html(page: str, path: str | Path) -> Path:
    """Write the page encoded as UTF-8 (whatever the locale), atomically: a temporary file renamed into place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, page.encode("utf-8"))
    return path
