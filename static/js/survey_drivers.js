// Driver importance chart: bars of each driver's share of the explained variance, and its
// standardised effect with the 95% interval as a point with whiskers on a second axis.
(function () {
  "use strict";
  var el = document.getElementById("gx-drivers-chart");
  var source = document.getElementById("gx-drivers-data");
  if (!window.echarts || !el || !source) return;
  var data = JSON.parse(source.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { bottom: 0 },
    grid: [{ left: 8, width: "45%", top: 8, bottom: 40, containLabel: true },
           { left: "58%", right: 16, top: 8, bottom: 40 }],
    xAxis: [{ type: "value", gridIndex: 0, max: 100, axisLabel: { formatter: "{value}%" } },
            { type: "value", gridIndex: 1, scale: true }],
    yAxis: [{ type: "category", gridIndex: 0, data: data.categories },
            { type: "category", gridIndex: 1, data: data.categories, axisLabel: { show: false } }],
    series: [
      { name: data.share_name, type: "bar", xAxisIndex: 0, yAxisIndex: 0, data: data.share, itemStyle: { color: "#0d6efd" } },
      { name: data.coef_name, type: "scatter", xAxisIndex: 1, yAxisIndex: 1, data: data.coef, itemStyle: { color: "#dc3545" } },
      { name: data.coef_name, type: "custom", xAxisIndex: 1, yAxisIndex: 1,
        data: data.ci.map(function (ci, i) { return [ci[0], ci[1], i]; }),
        renderItem: function (params, api) {
          var low = api.coord([api.value(0), api.value(2)]);
          var high = api.coord([api.value(1), api.value(2)]);
          return { type: "line", shape: { x1: low[0], y1: low[1], x2: high[0], y2: high[1] },
                   style: { stroke: "#dc3545", lineWidth: 2 } };
        } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
