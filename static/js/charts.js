// Home-page charts: Apache ECharts, data from json_script blocks (no inline data in scripts).
(function () {
  "use strict";
  if (!window.echarts) return;
  var palette = ["#0d6efd", "#20c997", "#6f42c1", "#fd7e14", "#dc3545", "#6c757d", "#0dcaf0", "#ffc107"];
  // Numbers grouped by thousands in the page's language, as the templates' intcomma does.
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans");
  function num(v) { return v == null ? "–" : numbers.format(v); }
  document.querySelectorAll("[data-gx-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-gx-source"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var option;
    if (el.getAttribute("data-gx-chart") === "line") {
      // data: {categories: [...], series: [{name, data: [...]}], partial: index of a period still
      // running or null}, values in percent; a period still running is drawn hollow on a grey band.
      var partial = data.partial == null ? -1 : data.partial;
      option = {
        color: palette, tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "–" : v + "%"; } },
        legend: { bottom: 0, type: "scroll" },
        grid: { left: 48, right: 16, top: 16, bottom: 48 },
        xAxis: { type: "category", data: data.categories },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: data.series.map(function (s, i) {
          var serie = { type: "line", name: s.name, connectNulls: true,
                        data: s.data.map(function (v, j) {
                          return j === partial ? { value: v, symbol: "emptyCircle", symbolSize: 9 } : v;
                        }) };
          if (i === 0 && partial >= 0) {
            serie.markArea = { silent: true, itemStyle: { color: "rgba(108,117,125,0.12)" },
                               data: [[{ xAxis: data.categories[partial] }, { xAxis: data.categories[partial] }]] };
          }
          return serie;
        })
      };
    } else if (el.getAttribute("data-gx-chart") === "pie") {
      option = {
        color: palette, tooltip: { trigger: "item", valueFormatter: num },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["35%", "58%"], center: ["50%", "44%"], data: data,
                   label: { formatter: function (p) { return p.name + ": " + num(p.value); },
                            overflow: "break", width: 96, alignTo: "edge", edgeDistance: 4 },
                   labelLayout: { hideOverlap: true }, avoidLabelOverlap: true }]
      };
    } else {
      option = {
        color: palette, tooltip: { trigger: "axis", valueFormatter: num },
        grid: { left: 40, right: 16, top: 16, bottom: 32, containLabel: true },
        xAxis: { type: "category", data: data.map(function (d) { return d.name; }) },
        yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: num } },
        series: [{ type: "bar", data: data.map(function (d) { return d.value; }), barMaxWidth: 36,
                   itemStyle: { borderRadius: [4, 4, 0, 0] } }]
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
