(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("pg-data").textContent);
  var ui = data.ui;
  var byId = function (id) { return document.getElementById(id); };
  var el = function (tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = String(text); }
    if (cls) { e.className = cls; }
    return e;
  };
  var GLYPHS = { dot: "\u25cf", square: "\u25a0", triangle: "\u25b2", triangleDown: "\u25bc", diamond: "\u25c6", star: "\u2605", hexagon: "\u2b22" };

  byId("pg-summary").textContent = data.summary;
  byId("pg-search").placeholder = ui.search;
  byId("pg-legend-title").textContent = ui.legend;
  byId("pg-jurisdiction-title").textContent = ui.jurisdictions;

  var hiddenCategories = {};
  var hiddenJurisdictions = {};
  var raw = data.nodes;
  var nodeById = {};

  // The page's language first: the English name where there is one, the Chinese one beside it.
  function names(n) { return data.lang === "en" && n.en ? [n.en, n.zh] : [n.zh, n.en]; }

  function tooltip(n) {
    var box = el("div", null, "pg-tooltip");
    box.appendChild(el("div", names(n)[0]));
    if (n.en) { box.appendChild(el("div", names(n)[1])); }
    var kind = data.kinds[n.k].label;
    box.appendChild(el("div", n.t ? kind + " \u00b7 " + n.t : kind, "pg-tip-type"));
    return box;
  }

  var nodeItems = raw.map(function (n) {
    nodeById[n.id] = n;
    var cat = data.categories[n.c];
    return { id: n.id, label: n.l, x: n.x, y: n.y, size: n.s, shape: cat.shape, color: cat.color,
             title: tooltip(n), font: n.k === data.taskKind ? { size: 10 } : undefined };
  });
  var edgeItems = data.edges.map(function (e, i) {
    var kind = data.edgeKinds[e[2]];
    return { id: i, from: e[0], to: e[1], width: e[3] || kind.width, color: { color: kind.color, opacity: 0.75 },
             dashes: kind.dashes, kind: kind.key };
  });
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);

  function visible(id) {
    var n = nodeById[id];
    if (!n || hiddenCategories[n.c]) { return false; }
    if (!n.j.length) { return true; }
    for (var i = 0; i < n.j.length; i++) { if (!hiddenJurisdictions[n.j[i]]) { return true; } }
    return false;
  }
  var nodeView = new vis.DataView(nodes, { filter: function (item) { return visible(item.id); } });
  var edgeView = new vis.DataView(edges, { filter: function (item) { return visible(item.from) && visible(item.to); } });

  var api = { data: data, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView, network: null,
              ready: false, readyAt: null };
  window.policygraph = api;

  function refresh() { nodeView.refresh(); edgeView.refresh(); }

  function checkbox(label, count, glyph, color, onChange, extraClass) {
    var li = el("li");
    var lab = el("label");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.addEventListener("change", function () { onChange(box.checked); });
    lab.appendChild(box);
    if (glyph) { var g = el("span", glyph, "pg-glyph"); g.style.color = color; lab.appendChild(g); }
    lab.appendChild(el("span", label));
    lab.appendChild(el("span", " (" + count + ")", "pg-count"));
    if (extraClass) { li.className = extraClass; }
    li.appendChild(lab);
    return li;
  }

  data.categories.forEach(function (cat, i) {
    if (!cat.count) { return; }
    var li = checkbox(cat.label, cat.countText || cat.count, GLYPHS[cat.shape] || "\u25cf", cat.color, function (on) {
      hiddenCategories[i] = !on; refresh();
    }, "pg-category");
    li.dataset.key = cat.key;
    byId("pg-categories").appendChild(li);
  });
  data.edgeKinds.forEach(function (kind) {
    if (!kind.count) { return; }
    var li = el("li");
    var line = el("span", null, "pg-line");
    line.style.borderTopColor = kind.color;
    line.style.borderTopWidth = Math.max(1, Math.round(kind.width)) + "px";
    if (kind.dashes) { line.style.borderTopStyle = "dashed"; }
    li.appendChild(line);
    li.appendChild(el("span", kind.label));
    li.appendChild(el("span", " (" + kind.count + ")", "pg-count"));
    byId("pg-edge-kinds").appendChild(li);
  });
  data.jurisdictions.forEach(function (j, i) {
    var li = checkbox(j.label, j.count, null, null, function (on) { hiddenJurisdictions[i] = !on; refresh(); },
                      "pg-jurisdiction");
    li.dataset.key = j.name;
    byId("pg-jurisdictions").appendChild(li);
  });
  if (!data.jurisdictions.length) { byId("pg-jurisdiction-filter").hidden = true; }

  function neighbours(id) {
    var out = [];
    data.edges.forEach(function (e) {
      if (e[0] === id) { out.push([e[1], e]); } else if (e[1] === id) { out.push([e[0], e]); }
    });
    return out;
  }

  function showPanel(id) {
    var n = nodeById[id];
    var body = byId("pg-panel-body");
    while (body.firstChild) { body.removeChild(body.firstChild); }
    if (!n) { byId("pg-panel").hidden = true; return; }
    body.appendChild(el("h2", names(n)[0]));
    if (n.en) { body.appendChild(el("p", names(n)[1], "pg-sub")); }
    body.appendChild(el("p", data.kinds[n.k].label + (n.t ? " \u00b7 " + n.t : ""), "pg-sub"));
    var dl = el("dl");
    n.i.forEach(function (kv) {
      dl.appendChild(el("dt", data.fields[kv[0]] || kv[0]));
      var dd = el("dd", kv[1]);
      if (data.longFields.indexOf(kv[0]) >= 0) { dd.className = "pg-text"; }
      dd.dataset.field = kv[0];
      dl.appendChild(dd);
    });
    body.appendChild(dl);
    var links = neighbours(id);
    if (links.length) {
      var groups = {};
      var order = [];
      links.forEach(function (pair) {
        var key = data.edgeKinds[pair[1][2]].label;
        if (!groups[key]) { groups[key] = []; order.push(key); }
        groups[key].push(pair);
      });
      order.sort();
      order.forEach(function (key) {
        body.appendChild(el("h3", key + " (" + groups[key].length + ")"));
        var ul = el("ul");
        groups[key].slice(0, 200).forEach(function (pair) {
          var other = nodeById[pair[0]];
          var li = el("li");
          var b = el("button", names(other)[0] + (pair[1][4] ? " \u00d7" + pair[1][4] : ""), "pg-link");
          b.type = "button";
          b.addEventListener("click", function () { select(other.id); });
          li.appendChild(b);
          ul.appendChild(li);
        });
        if (groups[key].length > 200) { ul.appendChild(el("li", ui.more.replace("{n}", groups[key].length - 200))); }
        body.appendChild(ul);
      });
    }
    byId("pg-panel").hidden = false;
  }
  byId("pg-panel-close").addEventListener("click", function () { byId("pg-panel").hidden = true; });

  function select(id) {
    showPanel(id);
    if (api.network && nodeView.get(id)) {
      api.network.selectNodes([id]);
      api.network.focus(id, { scale: Math.max(api.network.getScale(), 1.2), animation: false });
    }
    return id;
  }

  function search(query) {
    var q = String(query || "").trim().toLowerCase();
    if (!q) { return []; }
    var hits = [];
    nodeView.getIds().forEach(function (id) {
      var n = nodeById[id];
      var names = [n.zh, n.en].concat(n.n);
      var rank = -1;
      for (var i = 0; i < names.length; i++) {
        var name = (names[i] || "").toLowerCase();
        if (!name) { continue; }
        var r = name === q ? 0 : name.indexOf(q) === 0 ? 1 : name.indexOf(q) > 0 ? 2 : -1;
        if (r >= 0 && (rank < 0 || r < rank)) { rank = r; }
      }
      if (rank >= 0) { hits.push([rank, n.zh.length, n.zh, id]); }
    });
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || (a[2] < b[2] ? -1 : a[2] > b[2] ? 1 : a[3] - b[3]); });
    return hits.map(function (h) { return h[3]; });
  }

  function showResults(ids) {
    var ul = byId("pg-results");
    while (ul.firstChild) { ul.removeChild(ul.firstChild); }
    ids.slice(0, 30).forEach(function (id) {
      var li = el("li");
      var b = el("button", names(nodeById[id])[0], "pg-link");
      b.type = "button";
      b.addEventListener("click", function () { select(id); });
      li.appendChild(b);
      ul.appendChild(li);
    });
    if (byId("pg-search").value.trim() && !ids.length) { ul.appendChild(el("li", ui.noMatch)); }
  }
  byId("pg-search").addEventListener("input", function () { showResults(search(this.value)); });
  byId("pg-search").addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") {
      var ids = search(this.value);
      showResults(ids);
      if (ids.length) { select(ids[0]); }
    }
  });
  api.search = search;
  api.select = select;

  if (data.empty) {
    var msg = byId("pg-empty");
    msg.textContent = data.emptyMessage;
    msg.hidden = false;
    byId("pg-network").hidden = true;
    api.ready = true;
    api.readyAt = performance.now();
    return;
  }

  var options = {
    autoResize: true,
    physics: { enabled: false },
    layout: { improvedLayout: false, randomSeed: 1 },
    interaction: { hover: !data.big, tooltipDelay: 200, hideEdgesOnDrag: data.big, hideEdgesOnZoom: data.big,
                   navigationButtons: false, keyboard: false },
    nodes: { borderWidth: 1, font: { size: 12, face: "Noto Sans CJK SC, Microsoft YaHei, PingFang SC, sans-serif" },
             scaling: { label: { drawThreshold: 6 } } },
    edges: { smooth: false, selectionWidth: 2, hoverWidth: 0.5 }
  };
  var network = new vis.Network(byId("pg-network"), { nodes: nodeView, edges: edgeView }, options);
  api.network = network;
  network.once("afterDrawing", function () { api.ready = true; api.readyAt = performance.now(); });
  network.on("click", function (params) {
    if (params.nodes.length) { showPanel(params.nodes[0]); } else { byId("pg-panel").hidden = true; }
  });
}());
