// The explorer's chart (Apache ECharts), data from a json_script block; no inline scripts
// (Content-Security-Policy). Bars by row header, one series per column header or per measure;
// a line when the rows are dates.
(function () {
  "use strict";
  if (!window.echarts) return;
  var box = document.getElementById("gx-explorer-chart");
  var source = document.getElementById("gx-explorer-data");
  if (!box || !source) return;
  var data = JSON.parse(source.textContent);
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans", { maximumFractionDigits: 2 });
  var chart = echarts.init(box, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "–" : numbers.format(v); } },
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 16, right: 16, top: 24, bottom: 56, containLabel: true },
    xAxis: { type: "category", data: data.categories,
             axisLabel: { rotate: data.categories.length > 8 ? 30 : 0, hideOverlap: true } },
    yAxis: { type: "value", axisLabel: { formatter: function (v) { return numbers.format(v); } } },
    series: data.series.map(function (s) {
      return { name: s.name, type: data.line ? "line" : "bar", data: s.data, smooth: false };
    })
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
