// Segments: the builder's add/remove and JSON toggle, and the value-analysis charts (ECharts).
// Data comes from json_script blocks; no inline scripts.
(function () {
  "use strict";

  // ------------------------------------------------------------ builder
  var form = document.getElementById("gx-segment-form");
  function recount() {
    if (form && window.htmx) { htmx.trigger(form, "gx-preview"); }
  }
  document.addEventListener("click", function (event) {
    var remove = event.target.closest("[data-gx-remove-rule]");
    if (remove) { remove.closest(".gx-rule").remove(); recount(); return; }
    var group = event.target.closest("[data-gx-remove-group]");
    if (group) { group.closest(".gx-group").remove(); recount(); return; }
    var confirmButton = event.target.closest("[data-gx-confirm]");
    if (confirmButton && !window.confirm(confirmButton.getAttribute("data-gx-confirm"))) { event.preventDefault(); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.name !== "mode") return;
    var json = event.target.value === "json";
    document.getElementById("gx-builder").hidden = json;
    document.getElementById("gx-json").hidden = !json;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (form && form.contains(event.detail.target) && event.detail.target.id !== "gx-preview") { recount(); }
  });

  // ------------------------------------------------------------ charts
  if (!window.echarts) return;
  var palette = ["#0d6efd", "#20c997", "#6f42c1", "#fd7e14", "#dc3545", "#6c757d", "#0dcaf0", "#ffc107"];
  var labelsEl = document.getElementById("gx-chart-labels");
  var L = labelsEl ? JSON.parse(labelsEl.textContent) : {};

  function pct(v) { return v == null ? "–" : v + "%"; }
  // ECharts puts a tooltip formatter's string into the page as HTML: every value from the data
  // (customer and segment names) goes through this first.
  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(v) { return String(v == null ? "" : v).replace(/[&<>"']/g, function (c) { return ESCAPES[c]; }); }
  // Numbers grouped by thousands in the page's language, as the templates' intcomma does.
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans");
  function num(v) { return v == null ? "–" : numbers.format(v); }
  // A growth rate as a whole percentage; the axes step by at least 1 % so no label repeats.
  function growth(v) { return Math.round(v * 100) + "%"; }

  var builders = {
    pyramid: function (data) {
      // A pyramid: the band's width is its rank (VIP on top, narrowest); the label tells the count.
      return {
        color: palette,
        tooltip: { trigger: "item", formatter: function (p) { return esc(p.name) + ": " + esc(num(p.data.count)); } },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", minSize: "15%", gap: 2,
                   label: { show: true, position: "inside",
                            formatter: function (p) { return p.name + "  " + num(p.data.count); } },
                   data: data.map(function (d, i) { return { name: d.name, value: i + 1, count: d.value }; }) }]
      };
    },
    pareto: function (data) {
      return {
        color: palette, tooltip: { trigger: "axis", valueFormatter: pct },
        grid: { left: 48, right: 16, top: 16, bottom: 40 },
        xAxis: { type: "value", min: 0, max: 100, name: L.customers_pct, nameLocation: "middle", nameGap: 26,
                 axisLabel: { formatter: "{value}%" } },
        yAxis: { type: "value", min: 0, max: 100, name: L.revenue_pct, axisLabel: { formatter: "{value}%" } },
        series: [{ type: "line", data: data.points, showSymbol: false, areaStyle: { opacity: 0.15 },
                   markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed" },
                               data: [{ yAxis: 80 }, { yAxis: 95 }] } }]
      };
    },
    rfm: function (data) {
      var max = data.cells.reduce(function (m, c) { return Math.max(m, c[2]); }, 1);
      return {
        tooltip: { position: "top" },
        grid: { left: 56, right: 72, top: 24, bottom: 40 },
        xAxis: { type: "category", data: [1, 2, 3, 4, 5], name: L.f, nameLocation: "middle", nameGap: 26 },
        yAxis: { type: "category", data: [1, 2, 3, 4, 5], name: L.r },
        visualMap: { min: 0, max: max, calculable: true, orient: "vertical", right: 0, top: "middle",
                     itemHeight: 120, inRange: { color: ["#e7f1ff", "#0d6efd"] } },
        series: [{ type: "heatmap", name: L.customers, data: data.cells,
                   label: { show: true, formatter: function (p) { return num(p.value[2]); } } }]
      };
    },
    portfolio: function (data) {
      // data.series: one per quadrant, points [brand growth, customer growth, 12-month revenue, name].
      // Across: the customer's own growth (encode x: 1), up: its revenue (encode y: 2) — both differ
      // from customer to customer; the brand's growth is shared by every customer of the brand, so
      // it colours the quadrant and is in the tooltip rather than on an axis.
      var t = data.thresholds;
      return {
        color: ["#20c997", "#6f42c1", "#fd7e14", "#dc3545"],
        legend: { bottom: 0 },
        tooltip: { trigger: "item", formatter: function (p) {
          return esc(p.value[3]) + "<br>" + esc(L.brand_growth) + ": " + Math.round(p.value[0] * 100) + "%<br>" +
                 esc(L.customer_growth) + ": " + Math.round(p.value[1] * 100) + "%<br>" + esc(L.revenue) + ": " +
                 esc(p.value[2]);
        } },
        grid: { left: 16, right: 24, top: 24, bottom: 56, containLabel: true },
        xAxis: { type: "value", name: L.customer_growth, nameLocation: "middle", nameGap: 26,
                 min: function (v) { return Math.max(v.min, -1); }, max: function (v) { return Math.min(v.max, 2); },
                 minInterval: 0.01, axisLabel: { formatter: growth } },
        yAxis: { type: "log", name: L.revenue, logBase: 10, axisLabel: { formatter: num } },
        series: data.series.map(function (s, i) {
          var serie = { type: "scatter", name: s.name, data: s.data, symbolSize: 8, encode: { x: 1, y: 2 } };
          if (i === 0) {
            serie.markLine = { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#adb5bd" },
                               data: [{ xAxis: t.customer }] };
          }
          return serie;
        })
      };
    }
  };

  document.querySelectorAll("[data-gx-seg-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-gx-source"));
    var build = builders[el.getAttribute("data-gx-seg-chart")];
    if (!source || !build) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(build(JSON.parse(source.textContent)));
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
