// Churn early warning: the active model's lift by risk decile and the reliability of its probabilities.
(function () {
  const source = document.getElementById("gx-churn-data");
  if (!window.echarts || !source) return;
  const data = JSON.parse(source.textContent);
  if (!data) return;
  const lift = document.getElementById("gx-churn-lift");
  if (lift) {
    echarts.init(lift, null, { renderer: "svg" }).setOption({
      tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 48, right: 48, top: 24, bottom: 48 },
      xAxis: { type: "category", name: data.labels.decile, data: data.deciles },
      yAxis: [{ type: "value", name: data.labels.lift }, { type: "value", name: data.labels.rate, max: 1 }],
      series: [{ type: "bar", name: data.labels.lift, data: data.lift },
               { type: "line", name: data.labels.rate, yAxisIndex: 1, data: data.rate }]
    });
  }
  const reliability = document.getElementById("gx-churn-reliability");
  if (reliability) {
    echarts.init(reliability, null, { renderer: "svg" }).setOption({
      tooltip: { trigger: "item" }, legend: { bottom: 0 }, grid: { left: 48, right: 24, top: 24, bottom: 48 },
      xAxis: { type: "value", name: data.labels.predicted, min: 0, max: 1 },
      yAxis: { type: "value", name: data.labels.observed, min: 0, max: 1 },
      series: [{ type: "line", name: data.labels.observed, data: data.reliability, symbolSize: 8 },
               { type: "line", name: data.labels.ideal, data: [[0, 0], [1, 1]], lineStyle: { type: "dashed" }, symbol: "none" }]
    });
  }
})();
