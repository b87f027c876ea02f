// Sales pages (no inline scripts, for the Content-Security-Policy).
// The opportunity board: cards are dragged (HTML5 drag and drop) onto another stage's column; the
// move is posted by htmx through the board's hidden form, and the server sends the board back,
// re-drawn, with a message when the move was refused. Listeners sit on the document, so they
// survive the board being swapped.
(function () {
  "use strict";
  var dragged = null;
  function column(target) { return target && target.closest ? target.closest(".gx-board-column") : null; }
  document.addEventListener("dragstart", function (event) {
    var card = event.target.closest ? event.target.closest(".gx-board-card.gx-movable") : null;
    if (!card) return;
    dragged = card;
    card.classList.add("gx-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.getAttribute("data-opportunity"));
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("gx-dragging");
    document.querySelectorAll(".gx-drop").forEach(function (el) { el.classList.remove("gx-drop"); });
    dragged = null;
  });
  document.addEventListener("dragover", function (event) {
    var target = column(event.target);
    if (!target || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".gx-drop").forEach(function (el) { if (el !== target) el.classList.remove("gx-drop"); });
    target.classList.add("gx-drop");
  });
  document.addEventListener("drop", function (event) {
    var target = column(event.target);
    if (!target || !dragged) return;
    event.preventDefault();
    var source = column(dragged);
    var id = dragged.getAttribute("data-opportunity");
    if (source === target) return;
    target.querySelector(".gx-board-cards").prepend(dragged);  // at once; the server's board follows
    var form = document.getElementById("gx-move-form");
    form.querySelector("[name=opportunity]").value = id;
    form.querySelector("[name=stage]").value = target.getAttribute("data-stage");
    window.htmx.trigger(form, "submit");
  });
})();

// Forecast page charts (Apache ECharts), data from json_script blocks.
(function () {
  "use strict";
  if (!window.echarts) return;
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans", { maximumFractionDigits: 0 });
  function num(v) { return v == null ? "–" : "¥" + numbers.format(v); }
  var forecast = document.getElementById("gx-forecast-chart");
  if (forecast) {
    var data = JSON.parse(document.getElementById("gx-forecast-data").textContent);
    var chart = echarts.init(forecast, null, { renderer: "svg" });
    chart.setOption({
      color: ["#20c997", "#0d6efd", "#6c757d", "#fd7e14"],
      tooltip: { trigger: "axis" }, legend: { bottom: 0 },
      grid: { left: 16, right: 16, top: 24, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.categories },
      yAxis: [{ type: "value", axisLabel: { formatter: function (v) { return numbers.format(v / 10000) + "万"; } } },
              { type: "value", min: 0, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }],
      series: [
        { type: "bar", name: data.names.won, stack: "deal", data: data.series.won, tooltip: { valueFormatter: num } },
        { type: "bar", name: data.names.weighted, stack: "deal", data: data.series.weighted,
          tooltip: { valueFormatter: num } },
        { type: "line", name: data.names.quota, data: data.series.quota, step: "middle", connectNulls: false,
          tooltip: { valueFormatter: num } },
        { type: "line", name: data.names.attainment, yAxisIndex: 1, data: data.series.attainment,
          tooltip: { valueFormatter: function (v) { return v == null ? "–" : v + "%"; } } }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  var funnel = document.getElementById("gx-funnel-chart");
  if (funnel) {
    var stages = JSON.parse(document.getElementById("gx-funnel-data").textContent);
    var funnelChart = echarts.init(funnel, null, { renderer: "svg" });
    funnelChart.setOption({
      color: ["#0d6efd", "#3d8bfd", "#6ea8fe", "#9ec5fe", "#cfe2ff", "#e7f1ff"],
      tooltip: { trigger: "item", formatter: function (p) {
        return p.name + ": " + numbers.format(p.value) + " · " + num(p.data.amount); } },
      series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8, minSize: "12%",
                 label: { position: "inside", formatter: function (p) { return p.name + " " + numbers.format(p.value); } },
                 data: stages }]
    });
    window.addEventListener("resize", function () { funnelChart.resize(); });
  }
})();
