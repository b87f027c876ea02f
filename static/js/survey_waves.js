// Survey-wave page (no inline scripts, for the Content-Security-Policy): the response rate per stratum
// as an ECharts bar chart, from the JSON the page carries (gx-wave-rates).
(function () {
  "use strict";
  var holder = document.getElementById("gx-wave-chart");
  var source = document.getElementById("gx-wave-rates");
  if (!holder || !source || typeof echarts === "undefined") return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(holder);
  chart.setOption({
    grid: { left: 48, right: 16, top: 24, bottom: 96 },
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
    xAxis: { type: "category", data: data.labels, axisLabel: { rotate: 30, fontSize: 10 } },
    yAxis: { type: "value", max: 100, name: data.axis },
    series: [{ type: "bar", name: data.series, data: data.rates, itemStyle: { color: "#3b7dd8" } }]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
