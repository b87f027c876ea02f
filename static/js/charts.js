// Home-page charts: Apache ECharts, data from json_script blocks (no inline data in scripts).
(function () {
  "use strict";
  if (!window.echarts) return;
  var palette = ["#0d6efd", "#20c997", "#6f42c1", "#fd7e14", "#dc3545", "#6c757d", "#0dcaf0", "#ffc107"];
  document.querySelectorAll("[data-gx-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-gx-source"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var option;
    if (el.getAttribute("data-gx-chart") === "line") {
      // data: {categories: [...], series: [{name, data: [...]}]}, values in percent
      option = {
        color: palette, tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "–" : v + "%"; } },
        legend: { bottom: 0, type: "scroll" },
        grid: { left: 48, right: 16, top: 16, bottom: 48 },
        xAxis: { type: "category", data: data.categories },
        yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
        series: data.series.map(function (s) { return { type: "line", name: s.name, data: s.data, connectNulls: true }; })
      };
    } else if (el.getAttribute("data-gx-chart") === "pie") {
      option = {
        color: palette, tooltip: { trigger: "item" },
        legend: { bottom: 0, type: "scroll" },
        series: [{ type: "pie", radius: ["40%", "68%"], center: ["50%", "44%"], data: data,
                   label: { formatter: "{b}: {c}" } }]
      };
    } else {
      option = {
        color: palette, tooltip: { trigger: "axis" },
        grid: { left: 40, right: 16, top: 16, bottom: 32 },
        xAxis: { type: "category", data: data.map(function (d) { return d.name; }) },
        yAxis: { type: "value", minInterval: 1 },
        series: [{ type: "bar", data: data.map(function (d) { return d.value; }), barMaxWidth: 36,
                   itemStyle: { borderRadius: [4, 4, 0, 0] } }]
      };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
