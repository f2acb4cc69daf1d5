// dudao: light progressive enhancement. Every page works without this file;
// with it, charts are drawn (ECharts, SVG renderer, no animation: fast on
// old PCs and crisp in print), a number's explanation opens in a dialog
// (htmx), year selects submit themselves and print buttons print.
(function () {
  "use strict";
  var colours = { ok: "#2e7d4f", warn: "#d89614", bad: "#b3261e", na: "#8a94a3" };
  var palette = ["#1f4e79", "#3fae6a", "#d89614", "#b3261e", "#6b4fa1", "#1c8a9b", "#8a5a2b"];

  function base() {
    return { animation: false, textStyle: { fontFamily: getComputedStyle(document.documentElement).fontFamily }, color: palette };
  }

  function cvChart(el, d) {
    var c = echarts.init(el, null, { renderer: "svg" });
    var opt = base();
    opt.grid = { left: 48, right: 16, top: 28, bottom: 64 };
    opt.tooltip = { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(4); } };
    opt.xAxis = { type: "category", data: d.names, axisLabel: { interval: 0, rotate: 30, fontSize: 11 } };
    opt.yAxis = { type: "value", name: d.cvLabel, min: 0, max: function (v) { return Math.max(v.max, d.limit[0]) * 1.15; }, axisLabel: { formatter: function (v) { return v.toFixed(2); } } };
    opt.series = [{
      type: "bar", name: d.cvLabel, barMaxWidth: 34,
      data: d.cv.map(function (v, i) { return { value: v, itemStyle: { color: colours[d.cls[i]] || colours.na } }; }),
      label: { show: true, position: "top", fontSize: 11, formatter: function (p) { return p.value == null ? "—" : p.value.toFixed(4); } },
      markLine: { symbol: "none", silent: true, lineStyle: { color: "#1d2733", type: "dashed" },
        label: { formatter: d.limitLabel + " {c}", position: "insideEndTop" }, data: [{ yAxis: d.limit[0] }] }
    }];
    c.setOption(opt);
    return [c];
  }

  function stackChart(el, d) {
    var c = echarts.init(el, null, { renderer: "svg" });
    var opt = base();
    opt.grid = d.compact ? { left: 30, right: 6, top: 8, bottom: 22 } : { left: 40, right: 16, top: 34, bottom: 70 };
    opt.legend = d.compact ? { show: false } : { top: 0 };
    opt.tooltip = { trigger: "axis" };
    opt.xAxis = { type: "category", data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 8 ? 40 : 0, fontSize: 11 } };
    opt.yAxis = { type: "value", minInterval: 1 };
    opt.series = d.series.map(function (s) {
      return { type: "bar", stack: "all", name: s.name, data: s.data, barMaxWidth: 36, itemStyle: { color: colours[s.cls] } };
    });
    c.setOption(opt);
    return [c];
  }

  function trendChart(el, d) {
    el.style.height = "auto";
    var out = [];
    d.stages.forEach(function (st) {
      var box = document.createElement("div");
      box.className = "trend-stage";
      box.style.height = "300px";
      el.appendChild(box);
      var c = echarts.init(box, null, { renderer: "svg" });
      var opt = base();
      opt.title = { text: st.stage, textStyle: { fontSize: 13 } };
      opt.grid = { left: 48, right: 150, top: 36, bottom: 28 };
      opt.legend = { orient: "vertical", right: 0, top: 30, textStyle: { fontSize: 11 } };
      opt.tooltip = { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v.toFixed(4); } };
      opt.xAxis = { type: "category", data: d.years.map(String) };
      opt.yAxis = { type: "value", min: 0 };
      opt.series = st.series.map(function (s) { return { type: "line", name: s.name, data: s.data, symbolSize: 6 }; });
      opt.series.push({ type: "line", name: d.limitLabel, data: d.years.map(function () { return st.limit; }),
        lineStyle: { type: "dashed", color: "#1d2733" }, itemStyle: { color: "#1d2733" }, symbol: "none" });
      c.setOption(opt);
      out.push(c);
    });
    return out;
  }

  // The overview's map: the region's shapes (GeoJSON from d.url, with code
  // and name properties), each county coloured by its verdict (d.status,
  // as the page counts them); a click opens the county. The legend under
  // it counts the counties drawn in each colour.
  function mapChart(el, d) {
    var out = [];
    var card = el.closest(".card");
    fetch(d.url, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.json();
    }).then(function (geo) {
      var key = "dudao-" + d.url, names = {}, counts = {}, data = [];
      echarts.registerMap(key, geo);
      geo.features.forEach(function (f) {
        var code = f.properties.code, st = d.status[code] || "";
        names[code] = f.properties.name;
        if (st) counts[st] = (counts[st] || 0) + 1;
        data.push({ name: code, value: st, itemStyle: { areaColor: colours[d.cls[st]] || "#e3e7ec" } });
      });
      var c = echarts.init(el, null, { renderer: "svg" });
      var opt = base();
      var esc = echarts.format.encodeHTML;
      var label = function (p) { return names[p.name] || ""; };
      opt.tooltip = { trigger: "item", formatter: function (p) { return esc(names[p.name] || p.name) + "<br>" + esc(d.labels[d.status[p.name] || ""]); } };
      opt.geo = {
        map: key, nameProperty: "code", roam: false, selectedMode: false, tooltip: { show: true },
        layoutCenter: ["50%", "50%"], layoutSize: "96%",
        itemStyle: { areaColor: "#e3e7ec", borderColor: "#ffffff", borderWidth: 0.8 },
        label: { show: geo.features.length <= 30, fontSize: 11, color: "#1d2733", formatter: label },
        emphasis: { label: { show: true, formatter: label }, itemStyle: { borderColor: "#1d2733", borderWidth: 1.5 } },
        regions: data.map(function (r) { return { name: r.name, itemStyle: r.itemStyle, emphasis: { itemStyle: { areaColor: r.itemStyle.areaColor } } }; })
      };
      // Where the counties of two cities meet: the cities' borders, drawn
      // over the counties' (the segments two features of different cities share).
      var borders = cityBorders(geo);
      opt.series = borders.length ? [{ type: "lines", coordinateSystem: "geo", polyline: false, silent: true, data: borders,
        lineStyle: { color: "#33414f", width: 2, opacity: 1 }, effect: { show: false } }] : [];
      el.setAttribute("data-borders", borders.length);
      c.setOption(opt);
      c.on("click", function (p) {
        if (p.componentType === "geo" && d.status[p.name]) location.href = "/county/" + encodeURIComponent(p.name) + d.query;
      });
      var legend = card && card.querySelector(".map-legend");
      if (legend) legend.querySelectorAll("li[data-status]").forEach(function (li) {
        li.querySelector(".count").textContent = counts[li.getAttribute("data-status")] || 0;
      });
      charts.push(c);
      el.setAttribute("data-drawn", geo.features.length);
    }).catch(function () { if (card) card.hidden = true; });
    return out;
  }

  // cityBorders are the segments that features of two cities share (their
  // codes' first four digits differ), as line data.
  function cityBorders(geo) {
    var seen = {}, out = [];
    var key = function (a, b) { var p = a[0] + "," + a[1], q = b[0] + "," + b[1]; return p < q ? p + "|" + q : q + "|" + p; };
    geo.features.forEach(function (f) {
      var city = String(f.properties.code).slice(0, 4), g = f.geometry;
      var polys = g.type === "Polygon" ? [g.coordinates] : g.coordinates;
      polys.forEach(function (rings) { rings.forEach(function (ring) {
        for (var i = 0; i + 1 < ring.length; i++) {
          var k = key(ring[i], ring[i + 1]), other = seen[k];
          if (other === undefined) seen[k] = city;
          else if (other !== city) out.push({ coords: [ring[i], ring[i + 1]] });
        }
      }); });
    });
    return out;
  }

  var charts = [];
  function drawCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll(".chart[data-chart]:not([data-rendered])").forEach(function (el) {
      var d;
      try { d = JSON.parse(el.getAttribute("data-chart")); } catch (e) { return; }
      var made = d.kind === "cv" ? cvChart(el, d) : d.kind === "trend" ? trendChart(el, d) : d.kind === "map" ? mapChart(el, d) : stackChart(el, d);
      charts = charts.concat(made);
      el.setAttribute("data-rendered", "1");
    });
  }

  function explain(url) {
    var dlg = document.getElementById("explain-dialog");
    var body = document.getElementById("explain-body");
    if (!dlg || !body || typeof dlg.showModal !== "function") { location.href = url; return; }
    var show = function () { if (!dlg.open) dlg.showModal(); };
    if (window.htmx) {
      htmx.ajax("GET", url, { target: "#explain-body", swap: "innerHTML" }).then(show);
    } else {
      fetch(url, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
        .then(function (r) { return r.text(); })
        .then(function (t) { body.innerHTML = t; show(); });
    }
  }

  document.addEventListener("click", function (ev) {
    var a = ev.target.closest("a[data-explain]");
    if (a && !ev.ctrlKey && !ev.metaKey && !ev.shiftKey) {
      ev.preventDefault();
      explain(a.href);
      return;
    }
    var td = ev.target.closest("table.heat td");
    if (td && !ev.target.closest("a")) {
      var table = td.closest("table");
      var th = table.tHead.rows[0].cells[td.cellIndex];
      var ind = th && th.getAttribute("data-ind");
      var tr = td.closest("tr");
      if (!ind) return;
      var q = new URLSearchParams((table.getAttribute("data-q") || "").replace(/^\?/, ""));
      q.set("county", table.getAttribute("data-county"));
      q.set("school", tr.getAttribute("data-school"));
      q.set("stage", table.getAttribute("data-stage"));
      q.set("indicator", ind);
      explain("/explain?" + q.toString());
      return;
    }
    if (ev.target.closest("[data-print]")) {
      window.print();
    }
  });

  document.addEventListener("change", function (ev) {
    if (ev.target.matches("select.autosubmit")) ev.target.form.submit();
  });

  window.addEventListener("beforeprint", function () { charts.forEach(function (c) { c.resize(); }); });
  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
})();

// The visit checklist (/case/{id}/inspection/{n}/check): what is typed is
// kept in the phone's localStorage at once, so the page goes on working
// without a network; "sync" sends it as JSON and clears it once the server
// has it, and it is sent again by itself when the network returns.
(function () {
  "use strict";
  var form = document.getElementById("checklist");
  if (!form || !window.localStorage || !window.fetch) return;
  var key = form.dataset.store, status = document.getElementById("check-status");
  var inputs = form.querySelectorAll("input[name^='seen.']");
  function load() { try { return JSON.parse(localStorage.getItem(key) || "{}"); } catch (e) { return {}; } }
  function say(what, extra) { status.textContent = status.dataset[what] + (extra ? " " + extra : ""); }
  var saved = load();
  inputs.forEach(function (el) {
    if (saved[el.name] != null) el.value = saved[el.name];
    el.addEventListener("input", function () {
      var s = load();
      s[el.name] = el.value;
      localStorage.setItem(key, JSON.stringify(s));
      say(navigator.onLine ? "saved" : "offline");
    });
  });
  function sync() {
    var s = load(), entries = [];
    Object.keys(s).forEach(function (name) {
      var p = name.split(".");
      if (p.length === 3 && s[name] !== "") entries.push({ school: p[1], key: p[2], seen: s[name] });
    });
    say("sending");
    return fetch(form.action, { method: "POST", credentials: "same-origin", headers: { "Content-Type": "application/json" }, body: JSON.stringify(entries) })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (res) { localStorage.removeItem(key); status.textContent = res.message; status.dataset.synced = res.raised; keep(); })
      .catch(function () { say(navigator.onLine ? "failed" : "offline"); });
  }
  // Keep the page and its assets for reopening without a network (the
  // service worker answers from this cache; HTTPS or localhost only). When
  // the network is lost before that is done, it is done again once the
  // network is back, and after every sync.
  function keep() {
    if (!navigator.serviceWorker || !window.caches || form.dataset.offlineReady) return;
    navigator.serviceWorker.register(form.dataset.worker, { scope: "/case/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      var urls = [location.pathname];
      document.querySelectorAll("link[rel=stylesheet][href^='/static/'], script[src^='/static/']").forEach(function (el) {
        urls.push(el.getAttribute("href") || el.getAttribute("src"));
      });
      return caches.open("dudao-check-v1").then(function (c) { return c.addAll(urls); });
    }).then(function () { form.dataset.offlineReady = "1"; }).catch(function () {});
  }
  form.addEventListener("submit", function (ev) { ev.preventDefault(); sync(); });
  window.addEventListener("online", function () { keep(); if (Object.keys(load()).length) sync(); });
  keep();
})();

// Signed out (the sign-in page): the checklist pages kept for offline use
// are another account's; drop them (what was typed and not yet sent stays
// in localStorage).
(function () {
  "use strict";
  if (document.querySelector("form[action='/login']") && window.caches) caches.delete("dudao-check-v1");
})();

// A button with data-confirm asks before its form is sent (removing a
// ledger's row).
document.addEventListener('submit', (e) => {
  const b = e.submitter;
  if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) e.preventDefault();
});

// A ledger row's 修改 button puts the row into its table's form, which
// then saves that row instead of adding one (_ledger.html).
document.addEventListener('click', (e) => {
  const b = e.target.closest && e.target.closest('button.ledger-edit');
  if (!b) return;
  const f = document.querySelector('form.ledger-add[data-table="' + b.dataset.table + '"]');
  if (!f) return;
  const v = JSON.parse(b.dataset.values || '{}');
  f.querySelectorAll('[name^="c."]').forEach((el) => { el.value = v[el.name.slice(2)] || (el.tagName === 'SELECT' && el.options.length ? el.options[0].value : ''); });
  f.elements.op.value = 'set';
  f.elements.row.value = b.dataset.row;
  const title = f.querySelector('.ledger-form-title');
  if (title) title.textContent = title.dataset.edit;
  const s = f.querySelector('button[type=submit]');
  if (s) s.textContent = s.dataset.edit;
  f.scrollIntoView({ block: 'center' });
  const first = f.querySelector('[name^="c."]');
  if (first) first.focus();
});

// On a phone, a toolbar's groups of buttons start folded (app.css); they
// fold again when a window narrows to a phone's width, and open when it
// widens to a desk's, where their summary is hidden and could not open them.
(function () {
  "use strict";
  if (!window.matchMedia) return;
  const phone = window.matchMedia("(max-width: 700px)");
  const fit = function () {
    document.querySelectorAll("details.toolgroup").forEach(function (d) { d.open = !phone.matches; });
  };
  if (phone.matches) fit();
  phone.addEventListener("change", fit);
})();
