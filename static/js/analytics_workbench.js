// Data-mining workbench: the guided form (targets that suit the kind; the category for "bought"),
// the status of a running analysis (the page reloads until it is done), and its charts.
(function () {
  const kind = document.getElementById("mining-kind"), target = document.getElementById("mining-target");
  if (kind && target) {
    const sync = function () {
      const clustering = kind.value === "clustering";
      document.getElementById("mining-target-row").hidden = clustering;
      for (const o of target.options) o.disabled = !o.dataset.kinds.split(" ").includes(kind.value);
      if (!clustering && target.selectedOptions[0] && target.selectedOptions[0].disabled) {
        const first = [...target.options].find(function (o) { return !o.disabled; });
        if (first) target.value = first.value;
      }
      const option = target.selectedOptions[0] ? target.selectedOptions[0].dataset.option : "";
      document.getElementById("mining-option-row").hidden = clustering || option !== "category";
    };
    kind.addEventListener("change", sync); target.addEventListener("change", sync); sync();
  }
  const status = document.getElementById("gx-mining-running");
  if (status) window.setTimeout(function () { window.location.reload(); }, 3000);

  const source = document.getElementById("gx-mining-data");
  if (!window.echarts || !source) return;
  const data = JSON.parse(source.textContent);
  if (!data) return;
  const L = data.labels;
  function chart(id, option) {
    const el = document.getElementById(id);
    if (el) echarts.init(el, null, { renderer: "svg" }).setOption(option);
  }
  if (data.importance) {
    chart("gx-mining-importance", {
      tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 8, right: 24, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "value" }, yAxis: { type: "category", data: data.importance.features },
      series: [{ type: "bar", name: L.shap, data: data.importance.shap },
               { type: "bar", name: L.gain, data: data.importance.gain }]
    });
  }
  if (data.deciles) {
    chart("gx-mining-lift", {
      tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 48, right: 48, top: 24, bottom: 48 },
      xAxis: { type: "category", name: L.decile, data: data.deciles.x },
      yAxis: [{ type: "value", name: L.lift }, { type: "value", name: L.rate, max: 1 }],
      series: [{ type: "bar", name: L.lift, data: data.deciles.lift },
               { type: "line", name: L.rate, yAxisIndex: 1, data: data.deciles.rate }]
    });
  }
  if (data.scatter) {
    const top = Math.max.apply(null, data.scatter.map(function (p) { return Math.max(p[0], p[1]); }).concat([1]));
    chart("gx-mining-scatter", {
      tooltip: { trigger: "item" }, grid: { left: 56, right: 24, top: 24, bottom: 48 },
      xAxis: { type: "value", name: L.actual, min: 0 }, yAxis: { type: "value", name: L.predicted, min: 0 },
      series: [{ type: "scatter", name: L.predicted, data: data.scatter, symbolSize: 5 },
               { type: "line", data: [[0, 0], [top, top]], symbol: "none", lineStyle: { type: "dashed" } }]
    });
  }
  if (data.clusters) {
    chart("gx-mining-sizes", {
      tooltip: { trigger: "axis" }, grid: { left: 56, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: data.clusters.names }, yAxis: { type: "value", name: L.size },
      series: [{ type: "bar", name: L.size, data: data.clusters.sizes }]
    });
    chart("gx-mining-profiles", {
      tooltip: { position: "top" }, grid: { left: 8, right: 16, top: 8, bottom: 72, containLabel: true },
      xAxis: { type: "category", data: data.clusters.features, axisLabel: { rotate: 35, fontSize: 10 } },
      yAxis: { type: "category", data: data.clusters.names },
      visualMap: { min: -2, max: 2, calculable: true, orient: "horizontal", left: "center", bottom: 0, text: ["+", "−"],
                   inRange: { color: ["#2c7bb6", "#f7f7f7", "#d7191c"] } },
      series: [{ type: "heatmap", name: L.z, data: data.clusters.z, label: { show: false } }]
    });
  }
})();
