// A care rule's page: actions' cost per month (bars), spent so far (line) against the yearly budget.
(function () {
  const source = document.getElementById("gx-care-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  let running = 0;
  const cumulative = data.costs.map(function (v) { running += v; return Math.round(running * 100) / 100; });
  const series = [
    { type: "bar", name: data.labels.cost, data: data.costs },
    { type: "line", name: data.labels.cumulative, data: cumulative }
  ];
  if (data.budget !== null) {
    series[1].markLine = { symbol: "none", label: { formatter: data.labels.budget }, lineStyle: { color: "#dc3545" },
                           data: [{ yAxis: data.budget }] };
  }
  echarts.init(document.getElementById("gx-care-chart"), null, { renderer: "svg" }).setOption({
    color: ["#5b8ff9", "#f6bd16"], tooltip: { trigger: "axis", valueFormatter: (v) => "¥" + v.toLocaleString() },
    legend: { bottom: 0 }, grid: { left: 64, right: 24, top: 24, bottom: 48 },
    xAxis: { type: "category", data: data.months }, yAxis: { type: "value" }, series: series
  });
})();
