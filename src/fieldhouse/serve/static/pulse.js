// fieldhouse pulse: refreshes the page from the JSON API (no full reload), draws the chart.
(function () {
  "use strict";
  var script = document.currentScript;
  var every = Math.max(1, parseFloat((script && script.dataset.refresh) || "10")) * 1000;
  var ICONS = {success: "✓", ok: "✓", partial: "◐", degraded: "▲", failed: "✗", down: "✗",
               abandoned: "☠", running: "▶", critical: "✗", warning: "▲"};
  var OUTCOMES = ["inserted", "updated", "unchanged", "stale", "rejected", "deleted"];
  var COLOURS = {inserted: "#1d6b32", updated: "#3d7cc9", unchanged: "#c9c9c0", stale: "#d08a00",
                 rejected: "#a31515", deleted: "#6b3fa0"};
  var PATTERNS = {stale: "url(#hatch)", rejected: "url(#dots)"};

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; } else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); });
    return node;
  }
  function icon(s) { return ICONS[s] || "•"; }
  function when(v) { return v ? v.replace("T", " ").replace(/\.\d+/, "").replace(/(Z|\+00:00)$/, " UTC") : ""; }
  function ago(s) {
    if (s === null || s === undefined) { return ""; }
    if (s >= 86400) { return (s / 86400).toFixed(1) + " d"; }
    if (s >= 3600) { return (s / 3600).toFixed(1) + " h"; }
    if (s >= 60) { return (s / 60).toFixed(1) + " min"; }
    return Math.round(s) + " s";
  }
  function total(rows) {
    var n = 0;
    Object.keys(rows || {}).forEach(function (t) {
      Object.keys(rows[t]).forEach(function (o) { if (o !== "unchanged") { n += rows[t][o]; } });
    });
    return n;
  }
  function badge(status) {
    return el("span", {"class": "badge st-" + status}, [el("span", {"aria-hidden": "true", text: icon(status)}), " " + status]);
  }
  function fill(id, items, empty, row) {
    var target = document.getElementById(id);
    if (!target) { return; }
    var body = target.tagName === "TABLE" ? target.tBodies[0] : target;
    body.textContent = "";
    if (!items.length) { body.appendChild(empty()); return; }
    items.forEach(function (item) { body.appendChild(row(item)); });
  }
  function text(id, value) { var n = document.getElementById(id); if (n) { n.textContent = value; } }

  function renderStatus(s) {
    var box = document.getElementById("overall");
    box.className = "state state-" + s.state;
    box.querySelector(".icon").textContent = icon(s.state);
    text("state-text", s.state.toUpperCase());
    fill("reasons", s.reasons, function () { return el("li", {text: "Everything recorded looks fine."}); },
      function (r) { return el("li", {text: r}); });
    text("db-state", s.database.dialect + ", " + (s.database.reachable ? "reachable" : "unreachable"));
    text("checked-at", when(s.checked_at));
    text("alert-count", String(s.alerts.length));
    fill("alerts", s.alerts, function () { return el("li", {"class": "none", text: "No active alerts."}); }, function (a) {
      var li = el("li", {"class": "sev-" + a.severity}, [el("span", {"class": "icon", "aria-hidden": "true", text: icon(a.severity)}),
        " ", el("strong", {text: a.severity}), " " + a.name + ": " + a.message]);
      if (a.run_id) { li.appendChild(document.createTextNode(" (")); li.appendChild(el("a", {href: "/runs/" + a.run_id, text: "run " + a.run_id})); li.appendChild(document.createTextNode(")")); }
      return li;
    });
    fill("freshness", s.tables, function () { return el("tr", {}, [el("td", {colspan: "4", text: "No tables yet."})]); }, function (t) {
      return el("tr", {}, [el("td", {text: t.table}), el("td", {"class": "num", text: String(t.rows)}),
        el("td", {text: when(typeof t.newest === "string" ? t.newest : (t.newest === null ? "" : String(t.newest))) + (t.newest_column ? " (" + t.newest_column + ")" : "")}),
        el("td", {text: ago(t.freshness_seconds)})]);
    });
    text("dl-count", String(s.open_dead_letters.length));
    fill("deadletters", s.open_dead_letters, function () { return el("li", {"class": "none", text: "None open."}); }, function (d) {
      return el("li", {text: "✗ " + d.source + " " + d.unit_key + " (" + d.attempts + " attempts): " + (d.error || "").slice(0, 200)});
    });
    text("audit-count", String(s.failing_audits.length));
    fill("audits", s.failing_audits, function () {
      return el("li", {"class": "none", text: s.last_audit ? "✓ The last audit (" + s.last_audit.run_id + ") passed." : "No audit recorded."});
    }, function (a) { return el("li", {text: "✗ " + a.name + ": " + (a.detail || "")}); });
  }

  function renderRuns(runs) {
    fill("runs", runs, function () { return el("tr", {}, [el("td", {colspan: "8", text: "No runs recorded yet."})]); }, function (r) {
      var took = r.finished_at ? ago((Date.parse(r.finished_at) - Date.parse(r.started_at)) / 1000) : "";
      return el("tr", {"class": "st-" + r.status}, [el("td", {}, [el("a", {href: "/runs/" + r.run_id, text: r.run_id})]),
        el("td", {text: r.source}), el("td", {text: r.command}), el("td", {text: when(r.started_at)}), el("td", {text: took}),
        el("td", {}, [badge(r.status)]), el("td", {"class": "num", text: String(total(r.counts))}),
        el("td", {"class": "err", text: (r.error || "").slice(0, 160)})]);
    });
    renderChart(runs.slice().reverse());
  }

  var SVG = "http://www.w3.org/2000/svg";
  function svg(tag, attrs, kids) {
    var n = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    (kids || []).forEach(function (c) { n.appendChild(c); });
    return n;
  }
  function renderChart(runs) {
    var box = document.getElementById("chart");
    if (!box) { return; }
    var sums = runs.map(function (r) {
      var by = {};
      OUTCOMES.forEach(function (o) { by[o] = 0; });
      Object.keys(r.counts || {}).forEach(function (t) { OUTCOMES.forEach(function (o) { by[o] += (r.counts[t][o] || 0); }); });
      return by;
    });
    var max = 1;
    sums.forEach(function (by) { var n = 0; OUTCOMES.forEach(function (o) { n += by[o]; }); max = Math.max(max, n); });
    var W = 960, H = 260, left = 60, bottom = 40, bw = Math.max(6, Math.min(48, (W - left - 10) / Math.max(1, runs.length) - 6));
    var root = svg("svg", {viewBox: "0 0 " + W + " " + H, width: W, height: H, "aria-hidden": "true", focusable: "false"});
    root.appendChild(svg("defs", {}, [
      svg("pattern", {id: "hatch", width: 6, height: 6, patternUnits: "userSpaceOnUse"}, [svg("rect", {width: 6, height: 6, fill: COLOURS.stale}), svg("path", {d: "M0,6 L6,0", stroke: "#000", "stroke-width": 1})]),
      svg("pattern", {id: "dots", width: 6, height: 6, patternUnits: "userSpaceOnUse"}, [svg("rect", {width: 6, height: 6, fill: COLOURS.rejected}), svg("circle", {cx: 3, cy: 3, r: 1.3, fill: "#fff"})])]));
    var plot = H - bottom - 10;
    [0, 0.5, 1].forEach(function (f) {
      var y = 10 + plot * (1 - f);
      root.appendChild(svg("line", {x1: left, x2: W - 5, y1: y, y2: y, stroke: "#ddd"}));
      var label = svg("text", {x: left - 6, y: y + 4, "text-anchor": "end", "font-size": 11, fill: "#444"}); label.textContent = String(Math.round(max * f)); root.appendChild(label);
    });
    runs.forEach(function (r, i) {
      var x = left + 6 + i * (bw + 6), y = 10 + plot;
      OUTCOMES.forEach(function (o) {
        var h = plot * sums[i][o] / max;
        if (h <= 0) { return; }
        y -= h;
        var rect = svg("rect", {"class": "bar", x: x, y: y, width: bw, height: h, fill: PATTERNS[o] || COLOURS[o], stroke: "#333", "stroke-width": 0.5});
        var tip = svg("title", {}); tip.textContent = r.run_id + " " + o + ": " + sums[i][o]; rect.appendChild(tip);
        root.appendChild(rect);
      });
      var mark = svg("text", {x: x + bw / 2, y: H - bottom + 14, "text-anchor": "middle", "font-size": 11, fill: "#444"});
      mark.textContent = icon(r.status); root.appendChild(mark);
    });
    var axis = svg("text", {x: left, y: H - 6, "font-size": 11, fill: "#444"}); axis.textContent = "oldest → newest run (✓ success, ✗ failed, ◐ partial)"; root.appendChild(axis);
    box.textContent = "";
    box.appendChild(root);
    box.setAttribute("aria-label", "Rows written per run by outcome, " + runs.length + " runs, at most " + max + " rows in one run");
    var legend = document.getElementById("legend");
    legend.textContent = "";
    OUTCOMES.forEach(function (o) {
      legend.appendChild(el("li", {}, [el("span", {"class": "swatch", style: "background:" + COLOURS[o]}), o + (PATTERNS[o] ? " (patterned)" : "")]));
    });
  }

  function get(path) {
    return fetch(path, {credentials: "same-origin", headers: {Accept: "application/json"}}).then(function (res) {
      return res.json().then(function (body) { return {status: res.status, body: body}; });
    });
  }
  function refresh() {
    Promise.all([get("/api/v1/system/status"), get("/api/v1/runs?limit=20")]).then(function (answers) {
      renderStatus(answers[0].body);
      if (answers[1].status === 200) { renderRuns(answers[1].body.runs); }
      text("refresh-state", "");
      document.body.dataset.refreshed = String(Date.now());
    }).catch(function () {
      text("refresh-state", "(▲ the last refresh failed; retrying)");
    }).then(function () { window.setTimeout(refresh, every); });
  }
  refresh();
})();
