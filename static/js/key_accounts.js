// Key accounts: the org chart of an account's key people (ECharts tree) and a plan's revenue against its target.
(function () {
  if (!window.echarts) return;
  const org = document.getElementById("gx-ka-org-data");
  const orgBox = document.getElementById("gx-ka-org");
  if (org && orgBox) {
    const data = JSON.parse(org.textContent);
    const colour = function (strength) { return ["#adb5bd", "#dc3545", "#fd7e14", "#ffc107", "#20c997", "#198754"][strength] || "#adb5bd"; };
    const dress = function (node) {
      return { name: node.name + (node.title ? "\n" + node.title : ""), value: node.influence,
               symbolSize: 6 + 3 * node.influence, itemStyle: { color: colour(node.relationship) },
               tooltip: { formatter: node.name + " · " + node.role + "<br>" + data.labels.influence + " " + node.influence +
                          " · " + data.labels.relationship + " " + node.relationship },
               children: node.children.map(dress) };
    };
    echarts.init(orgBox, null, { renderer: "svg" }).setOption({
      tooltip: { trigger: "item" },
      series: [{ type: "tree", orient: "TB", top: 30, bottom: 40, left: 20, right: 20, expandAndCollapse: false,
                 label: { position: "bottom", fontSize: 11 },
                 data: [{ name: data.root, symbolSize: 10, children: data.tree.map(dress) }] }]
    });
  }
  const plan = document.getElementById("gx-ka-plan-data");
  const planBox = document.getElementById("gx-ka-plan");
  if (plan && planBox) {
    const data = JSON.parse(plan.textContent);
    const series = [{ type: "bar", name: data.labels.monthly, data: data.monthly },
                    { type: "line", name: data.labels.cumulative, data: data.cumulative }];
    if (data.target) series.push({ type: "line", name: data.labels.target, data: data.target, lineStyle: { type: "dashed" } });
    echarts.init(planBox, null, { renderer: "svg" }).setOption({
      color: ["#5b8ff9", "#f6bd16", "#dc3545"], tooltip: { trigger: "axis", valueFormatter: (v) => "¥" + v.toLocaleString() },
      legend: { bottom: 0 }, grid: { left: 72, right: 24, top: 24, bottom: 48 },
      xAxis: { type: "category", data: data.months }, yAxis: { type: "value" }, series: series
    });
  }
  const dash = document.getElementById("gx-ka-dash-data");
  const revenueBox = document.getElementById("gx-ka-dash-revenue");
  if (dash && revenueBox) {
    const data = JSON.parse(dash.textContent);
    echarts.init(revenueBox, null, { renderer: "svg" }).setOption({
      color: ["#5b8ff9"], tooltip: { trigger: "axis", valueFormatter: (v) => "¥" + v.toLocaleString() },
      grid: { left: 72, right: 16, top: 16, bottom: 32 },
      xAxis: { type: "category", data: data.months }, yAxis: { type: "value" },
      series: [{ type: "line", name: data.labels.revenue, data: data.revenue, areaStyle: { opacity: 0.15 } }]
    });
    const pipelineBox = document.getElementById("gx-ka-dash-pipeline");
    if (pipelineBox) {
      echarts.init(pipelineBox, null, { renderer: "svg" }).setOption({
        color: ["#f6bd16"], tooltip: { trigger: "axis", valueFormatter: (v) => "¥" + v.toLocaleString() },
        grid: { left: 72, right: 16, top: 16, bottom: 48 },
        xAxis: { type: "category", data: data.stages.map((s) => s.name), axisLabel: { interval: 0, rotate: 30 } },
        yAxis: { type: "value" },
        series: [{ type: "bar", name: data.labels.pipeline, data: data.stages.map((s) => s.amount) }]
      });
    }
  }
})();
