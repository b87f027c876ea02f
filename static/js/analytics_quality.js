// CRM quality assessment: the score over time and the contacts and revenue per value tier.
(function () {
  const source = document.getElementById("gx-quality-data");
  if (!window.echarts || !source) return;
  const data = JSON.parse(source.textContent);
  const L = data.labels;
  const history = document.getElementById("gx-quality-history");
  if (history) {
    echarts.init(history, null, { renderer: "svg" }).setOption({
      tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 40, right: 16, top: 16, bottom: 48 },
      xAxis: { type: "category", data: data.dates }, yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "line", name: L.score, data: data.score }, { type: "line", name: L.data, data: data.data },
               { type: "line", name: L.checklist, data: data.checklist }]
    });
  }
  const contacts = document.getElementById("gx-quality-contacts");
  if (contacts) {
    echarts.init(contacts, null, { renderer: "svg" }).setOption({
      tooltip: { trigger: "axis" }, legend: { bottom: 0 }, grid: { left: 48, right: 64, top: 24, bottom: 48 },
      xAxis: { type: "category", data: data.tiers },
      yAxis: [{ type: "value", name: L.contacts, nameTextStyle: { align: "left" } }, { type: "value" }],
      series: [{ type: "bar", name: L.contacts, data: data.contacts },
               { type: "line", name: L.revenue, yAxisIndex: 1, data: data.revenue }]
    });
  }
})();
