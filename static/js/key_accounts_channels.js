// Key accounts' yellow channel: visit coverage per key-account manager (share visited within the tier's cadence).
(function () {
  if (!window.echarts) return;
  const source = document.getElementById("gx-ka-coverage-data");
  const box = document.getElementById("gx-ka-coverage");
  if (!source || !box) return;
  const data = JSON.parse(source.textContent);
  echarts.init(box, null, { renderer: "svg" }).setOption({
    color: ["#f6bd16"],
    tooltip: { trigger: "axis", formatter: (items) => items.map((i) => i.name + "<br>" + data.labels.share + ": " + i.value +
      "% (" + data.covered[i.dataIndex] + " / " + data.accounts[i.dataIndex] + ")").join("") },
    grid: { left: 48, right: 24, top: 16, bottom: 32 },
    xAxis: { type: "category", data: data.managers }, yAxis: { type: "value", max: 100 },
    series: [{ type: "bar", name: data.labels.share, data: data.share, barMaxWidth: 48 }]
  });
})();
