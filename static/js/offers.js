// Offer model page: hit@1 and hit@3 per scorer as grouped bars (Apache ECharts), data from json_script.
(function () {
  "use strict";
  if (!window.echarts) return;
  document.querySelectorAll("[data-gx-offers-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-gx-source"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: ["#0d6efd", "#20c997"],
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "–" : v + "%"; } },
      legend: { bottom: 0 },
      grid: { left: 40, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.categories },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: data.series.map(function (s) {
        return { type: "bar", name: s.name, data: s.data, barMaxWidth: 36, itemStyle: { borderRadius: [4, 4, 0, 0] } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
