// The order form's lines: htmx adds a row (numbered after the rows shown), a button removes one;
// the formset's TOTAL_FORMS follows the rows, which are renumbered so the formset reads them in order.
(function () {
  const body = document.getElementById("gx-order-lines");
  if (!body) return;
  const total = document.getElementById("id_lines-TOTAL_FORMS");
  function renumber() {
    body.querySelectorAll("tr").forEach(function (row, index) {
      row.querySelectorAll("input, select").forEach(function (input) {
        input.name = input.name.replace(/^lines-(\d+|__prefix__)-/, "lines-" + index + "-");
        input.id = "id_" + input.name;
      });
    });
    total.value = body.querySelectorAll("tr").length;
  }
  document.body.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.elt.id === "gx-add-line") event.detail.parameters.index = body.querySelectorAll("tr").length;
  });
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === body) renumber();
  });
  body.addEventListener("click", function (event) {
    const button = event.target.closest("[data-gx-remove-line]");
    if (button && body.querySelectorAll("tr").length > 1) {
      button.closest("tr").remove();
      renumber();
    }
  });
})();

// The ageing page: totals per bucket (a pie) and the largest receivables stacked by bucket (bars).
(function () {
  const source = document.getElementById("gx-ageing-data");
  if (!source || !window.echarts) return;
  const data = JSON.parse(source.textContent);
  const colours = ["#5b8ff9", "#f6bd16", "#ff9845", "#e8684a", "#a0282c"];
  // The donut's labels go in a legend below it (with each bucket's share), never beside a narrow card.
  const sum = data.totals.reduce((s, t) => s + t.value, 0);
  const share = Object.fromEntries(data.totals.map((t) => [t.name, sum ? Math.round((t.value / sum) * 100) : 0]));
  const totals = echarts.init(document.getElementById("gx-ageing-totals"), null, { renderer: "svg" });
  totals.setOption({
    color: colours, tooltip: { trigger: "item", valueFormatter: (v) => "¥" + v.toLocaleString() },
    legend: { bottom: 0, left: "center", itemWidth: 12, itemHeight: 12, formatter: (name) => name + " " + share[name] + "%" },
    series: [{ type: "pie", radius: ["34%", "58%"], center: ["50%", "40%"], data: data.totals,
               label: { show: false }, labelLine: { show: false } }],
  });
  const bars = echarts.init(document.getElementById("gx-ageing-chart"), null, { renderer: "svg" });
  bars.setOption({
    color: colours, tooltip: { trigger: "axis", valueFormatter: (v) => "¥" + v.toLocaleString() },
    legend: { top: 0 }, grid: { left: 8, right: 8, bottom: 8, top: 32, containLabel: true },
    xAxis: { type: "category", data: data.categories, axisLabel: { rotate: 30, width: 80, overflow: "truncate" } },
    yAxis: { type: "value" },
    series: data.series.map((s) => ({ name: s.name, type: "bar", stack: "ageing", data: s.data })),
  });
  window.addEventListener("resize", () => { totals.resize(); bars.resize(); });
})();
