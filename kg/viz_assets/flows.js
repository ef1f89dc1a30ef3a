// flows.html: the funding network. Data comes from the JSON block; every text from the data is put into the
// page with textContent (never innerHTML), so a label cannot become markup.
(function () {
  "use strict";
  var DATA = JSON.parse(document.getElementById("fundkg-data").textContent);
  // Large graphs: no arrow heads and no label wrapping, the two costliest parts of vis's first drawing
  // (the layout already runs left to right, from funder to recipient).
  var BIG = DATA.nodes.length > 1000;
  var state = { lang: "ja", year: "all", program: "all", query: "" };
  var MAX = 1;
  DATA.nodes.forEach(function (n) { Object.keys(n.amounts).forEach(function (k) { MAX = Math.max(MAX, n.amounts[k].yen); }); });

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function million(yen) { return (yen / 1e6).toLocaleString("en-US", { maximumFractionDigits: 1 }); }
  function money(yen) { return million(yen) + "百万円 (¥" + yen.toLocaleString("en-US") + ")"; }
  function yearLabel(key) {
    for (var i = 0; i < DATA.years.length; i++) if (DATA.years[i].key === key) return DATA.years[i][state.lang];
    return key;
  }
  function nodeLabel(n) { return state.lang === "ja" ? n.label_ja : n.label_en; }
  function amountFor(item) {
    var a = item.amounts || {};
    if (state.year !== "all") return a[state.year] ? (a[state.year].yen !== undefined ? a[state.year].yen : a[state.year]) : 0;
    var best = 0;
    Object.keys(a).forEach(function (k) { var v = a[k].yen !== undefined ? a[k].yen : a[k]; best = Math.max(best, v); });
    return best;
  }
  function nodeSize(n) { var v = amountFor(n); return v ? 8 + 42 * Math.sqrt(v / MAX) : 8; }
  function edgeWidth(e) { var v = amountFor(e); return v ? 1 + 14 * Math.sqrt(v / MAX) : 1; }
  function sourceRows(box, source) {
    if (!source) return;
    source.split(" | ").forEach(function (s) {
      var m = /^L(\d+): ([\s\S]*)$/.exec(s);
      var p = el("div", null, "quote");
      p.appendChild(el("span", (state.lang === "ja" ? "出典 " : "source line ") + (m ? m[1] : "") + ": "));
      p.appendChild(el("q", m ? m[2] : s));
      box.appendChild(p);
    });
  }
  function describe(item, isEdge) {
    var box = el("div", null, "tip");
    var ja = item.label_ja || (DATA.nodes_by_id[item.from] || {}).label_ja + " → " + (DATA.nodes_by_id[item.to] || {}).label_ja;
    var en = item.label_en || (DATA.nodes_by_id[item.from] || {}).label_en + " → " + (DATA.nodes_by_id[item.to] || {}).label_en;
    box.appendChild(el("h3", state.lang === "ja" ? ja : en));
    box.appendChild(el("p", state.lang === "ja" ? en : ja, "sub"));
    var kindInfo = isEdge ? DATA.edgeKinds[item.kind] : DATA.kinds[item.kind];
    var kindText = kindInfo ? kindInfo[state.lang] : item.kind;
    if (item.hub_type) kindText += " · " + item.hub_type;
    box.appendChild(el("p", kindText, "sub"));
    if (item.instrument) box.appendChild(el("p", (state.lang === "ja" ? "手段: " : "instrument: ") + item.instrument_ja + " (" + item.instrument + ")"));
    var keys = DATA.years.map(function (y) { return y.key; }).filter(function (k) { return (item.amounts || {})[k]; });
    if (keys.length) {
      if (isEdge && item.amount_of) {
        var of = item.amount_of.split(" ").map(function (id) { var n = DATA.nodes_by_id[id]; return n ? nodeLabel(n) : id; });
        box.appendChild(el("p", (state.lang === "ja" ? "金額は次の予算: " : "amounts are the budget of: ") + of.join(", "), "sub"));
      }
      var table = el("table");
      keys.forEach(function (k) {
        var a = item.amounts[k], yen = a.yen !== undefined ? a.yen : a;
        var tr = el("tr");
        tr.appendChild(el("td", yearLabel(k)));
        tr.appendChild(el("td", money(yen) + (a.qualifiers ? " [" + a.qualifiers + "]" : "")));
        table.appendChild(tr);
        if (a.source) { var tr2 = el("tr"); var td = el("td"); td.colSpan = 2; sourceRows(td, a.source); tr2.appendChild(td); table.appendChild(tr2); }
      });
      box.appendChild(table);
    }
    if (item.change_yen !== undefined) {
      var sign = item.change_yen > 0 ? "+" : "";
      box.appendChild(el("p", (state.lang === "ja" ? "前年度比: " : "change since the previous year: ") + sign + money(item.change_yen)
        + (item.change_percent !== undefined ? " (" + sign + item.change_percent + "%)" : "")));
    }
    sourceRows(box, item.source);
    if (item.interpretation) box.appendChild(el("p", (state.lang === "ja" ? "解釈: " : "reading: ") + item.interpretation, "note"));
    if (item.iri) box.appendChild(el("p", item.iri, "sub"));
    return box;
  }

  DATA.nodes_by_id = {};
  DATA.nodes.forEach(function (n) { DATA.nodes_by_id[n.id] = n; });
  var nodes = new vis.DataSet(DATA.nodes.map(function (n) {
    return { id: n.id, label: n.label_ja, x: n.x, y: n.y, color: n.color, shape: "dot", size: nodeSize(n),
             widthConstraint: BIG ? false : { maximum: 170 } };
  }));
  var parallel = {};  // several flows between the same two nodes: bend each one differently
  var edges = new vis.DataSet(DATA.edges.map(function (e) {
    var dashed = !Object.keys(e.amounts || {}).length && e.kind !== "has_part";
    var pair = e.from + "\n" + e.to, i = parallel[pair] = (parallel[pair] || 0) + 1;
    var smooth = BIG || i === 1 ? undefined : { enabled: true, type: i % 2 ? "curvedCW" : "curvedCCW", roundness: Math.min(0.6, 0.06 * Math.floor(i / 2)) };
    return { id: e.id, from: e.from, to: e.to, width: edgeWidth(e), dashes: dashed, smooth: smooth,
             color: { color: e.kind === "flow" ? "#c0392b" : "#9aa5ad", opacity: 0.75 } };
  }));
  var edgeData = {};
  DATA.edges.forEach(function (e) { edgeData[e.id] = e; });

  function hasAmounts(item) { return Object.keys(item.amounts || {}).length > 0; }
  function nodeShown(n) {
    if (state.year !== "all" && hasAmounts(n) && !n.amounts[state.year]) return false;
    if (state.program !== "all" && (" " + (n.programs || "") + " ").indexOf(" " + state.program + " ") < 0) return false;
    return true;
  }
  function edgeShown(e) {
    if (state.year !== "all" && hasAmounts(e) && !e.amounts[state.year]) return false;
    if (state.program !== "all" && (" " + (e.programs || "") + " ").indexOf(" " + state.program + " ") < 0) return false;
    return nodeShown(DATA.nodes_by_id[e.from]) && nodeShown(DATA.nodes_by_id[e.to]);
  }
  var nodeView = new vis.DataView(nodes, { filter: function (n) { return nodeShown(DATA.nodes_by_id[n.id]); } });
  var edgeView = new vis.DataView(edges, { filter: function (e) { return edgeShown(edgeData[e.id]); } });

  var options = {
    physics: { enabled: false },
    layout: { randomSeed: 7, improvedLayout: false },
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: BIG, navigationButtons: false },
    nodes: { font: { size: 14, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" }, borderWidth: 1 },
    edges: { arrows: { to: { enabled: !BIG, scaleFactor: 0.5 } }, smooth: BIG ? false : { type: "cubicBezier", forceDirection: "horizontal", roundness: 0.4 } }
  };
  var network = new vis.Network(document.getElementById("network"), { nodes: nodeView, edges: edgeView }, options);

  var status = document.getElementById("status");
  function refresh() {
    var wrap = BIG ? false : { maximum: state.lang === "ja" ? 170 : 280 };  // English labels are longer
    nodes.update(DATA.nodes.map(function (n) { return { id: n.id, size: nodeSize(n), label: nodeLabel(n), widthConstraint: wrap }; }));
    edges.update(DATA.edges.map(function (e) { return { id: e.id, width: edgeWidth(e) }; }));
    nodeView.refresh();
    edgeView.refresh();
    countShown();
  }
  function countShown() {
    status.textContent = nodeView.length + (state.lang === "ja" ? " ノード, " : " nodes, ") + edgeView.length + (state.lang === "ja" ? " 矢印" : " arrows");
  }

  // Controls.
  function fillSelect(select, items, allJa, allEn) {
    while (select.firstChild) select.removeChild(select.firstChild);
    var all = el("option", state.lang === "ja" ? allJa : allEn); all.value = "all"; select.appendChild(all);
    items.forEach(function (it) { var o = el("option", it[state.lang]); o.value = it.key || it.id; select.appendChild(o); });
  }
  var yearSelect = document.getElementById("year"), programSelect = document.getElementById("program");
  function fillControls() {
    fillSelect(yearSelect, DATA.years, "すべての年度", "all years");
    fillSelect(programSelect, DATA.programs, "すべての事業", "all programs");
    yearSelect.value = state.year; programSelect.value = state.program;
  }
  yearSelect.addEventListener("change", function () { state.year = yearSelect.value; refresh(); });
  programSelect.addEventListener("change", function () {
    state.program = programSelect.value; refresh();
    network.fit({ nodes: nodeView.getIds(), animation: false });
  });
  var langButton = document.getElementById("lang");
  function setLang(lang, first) {
    state.lang = lang;
    document.body.className = "lang-" + lang;
    document.documentElement.lang = lang;
    langButton.textContent = lang === "ja" ? "English" : "日本語";
    fillControls();
    legend();
    if (first) countShown(); else refresh();  // the data sets start with the Japanese labels and sizes
  }
  langButton.addEventListener("click", function () { setLang(state.lang === "ja" ? "en" : "ja"); });

  function search(q) {
    state.query = q.trim().toLowerCase();
    if (!state.query) { network.unselectAll(); refresh(); return []; }
    var found = nodeView.getIds().filter(function (id) {
      var n = DATA.nodes_by_id[id];
      return (n.label_ja + "\n" + n.label_en + "\n" + n.id).toLowerCase().indexOf(state.query) >= 0;
    });
    network.selectNodes(found);
    if (found.length) network.fit({ nodes: found, animation: false, maxZoomLevel: 1.2 });
    status.textContent = found.length + (state.lang === "ja" ? " 件" : " found");
    return found;
  }
  document.getElementById("search").addEventListener("input", function (ev) { search(ev.target.value); });

  // Tooltips are built when the pointer reaches an item, before vis shows its popup (tooltipDelay):
  // thousands of DOM trees built up front would delay the first drawing of a large graph.
  network.on("hoverNode", function (p) { nodes.update({ id: p.node, title: describe(DATA.nodes_by_id[p.node], false) }); });
  network.on("hoverEdge", function (p) { edges.update({ id: p.edge, title: describe(edgeData[p.edge], true) }); });

  var container = document.getElementById("network");
  container.addEventListener("mouseleave", function () {  // vis leaves its popup up when the pointer exits
    var tip = container.querySelector(".vis-tooltip");
    if (tip) tip.style.visibility = "hidden";
  });

  var details = document.getElementById("details");
  function show(box) { while (details.firstChild) details.removeChild(details.firstChild); details.appendChild(box); }
  network.on("click", function (p) {
    if (p.nodes.length) show(describe(DATA.nodes_by_id[p.nodes[0]], false));
    else if (p.edges.length) show(describe(edgeData[p.edges[0]], true));
  });

  function legend() {
    var ul = document.getElementById("legend");
    while (ul.firstChild) ul.removeChild(ul.firstChild);
    DATA.kindOrder.forEach(function (k) {
      var li = el("li"), sw = el("span", null, "swatch");
      sw.style.background = DATA.kinds[k].color;
      li.appendChild(sw); li.appendChild(document.createTextNode(DATA.kinds[k][state.lang]));
      ul.appendChild(li);
    });
    [["line", state.lang === "ja" ? "線の太さ・円の大きさ＝金額" : "width and size = amount"],
     ["line dashed", state.lang === "ja" ? "破線＝金額の記載なし" : "dashed = no amount stated"]].forEach(function (x) {
      var li = el("li"); li.appendChild(el("span", null, x[0])); li.appendChild(document.createTextNode(x[1])); ul.appendChild(li);
    });
  }

  window.fundkg = { network: network, nodes: nodes, edges: edges, nodeView: nodeView, edgeView: edgeView,
                    search: search, setLang: setLang, state: state, ready: false,
                    showNode: function (id) { show(describe(DATA.nodes_by_id[id], false)); } };
  network.once("afterDrawing", function () { window.fundkg.ready = true; document.body.setAttribute("data-ready", "1"); });
  setLang("ja", true);
  network.fit({ animation: false });
})();
