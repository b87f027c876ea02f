// "Promises kept" report: one bar per kind of promise in each team, in percent. Data from the
// json_script block named by data-gx-kept-source (no inline scripts, for the Content-Security-Policy).
(function () {
  "use strict";
  if (!window.echarts) return;
  var palette = ["#0d6efd", "#20c997", "#6f42c1", "#fd7e14", "#dc3545", "#6c757d"];
  document.querySelectorAll("[data-gx-kept-source]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-gx-kept-source"));
    if (!source) return;
    var data = JSON.parse(source.textContent);  // {categories: [team…], series: [{name: kind, data: [% or null]}]}
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: palette,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 valueFormatter: function (v) { return v == null ? "–" : v + "%"; } },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 48, right: 16, top: 16, bottom: 56, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, hideOverlap: true } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, barMaxWidth: 28 };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
