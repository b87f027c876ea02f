// Sales analysis and partner forecast charts (Apache ECharts), data from json_script blocks; no
// inline scripts (Content-Security-Policy). A click on a bar or a slice opens the deals behind it.
(function () {
  "use strict";
  if (!window.echarts) return;
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans", { maximumFractionDigits: 0 });
  function money(v) { return v == null ? "–" : "¥" + numbers.format(v); }
  function read(id) { var el = document.getElementById(id); return el ? JSON.parse(el.textContent) : null; }

  function bars(chart, data) {
    var series = [{ name: data.names.won, type: "bar", data: data.won }];
    if (data.rate) series.push({ name: data.names.rate, type: "line", yAxisIndex: 1, data: data.rate });
    if (data.quota) series.push({ name: data.names.quota, type: "bar", data: data.quota });
    chart.setOption({
      color: ["#0d6efd", "#fd7e14", "#6c757d"], tooltip: { trigger: "axis" }, legend: { bottom: 0 },
      grid: { left: 16, right: 16, top: 24, bottom: 48, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { interval: 0, rotate: data.categories.length > 8 ? 30 : 0 } },
      yAxis: [{ type: "value", axisLabel: { formatter: money } }, { type: "value", max: 100, axisLabel: { formatter: "{value}%" } }],
      series: series
    });
    chart.on("click", function (p) { if (data.links && data.links[p.dataIndex]) window.location.href = data.links[p.dataIndex]; });
  }

  var box = document.getElementById("gx-analysis-chart");
  var data = read("gx-analysis-data");
  if (box && data) {
    var chart = echarts.init(box, null, { renderer: "svg" });
    if (data.kind === "bars") bars(chart, data);
    else if (data.kind === "funnel") {
      chart.setOption({ tooltip: { trigger: "item" },
        series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", label: { formatter: "{b}: {c}" }, data: data.steps }] });
    } else if (data.kind === "pie") {
      chart.setOption({ tooltip: { trigger: "item" },
        series: [{ type: "pie", radius: ["35%", "70%"], label: { formatter: "{b}: {c}" }, data: data.items }] });
      chart.on("click", function (p) { if (p.data && p.data.link) window.location.href = p.data.link; });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }

  // A partner's monthly won amount, its forecast and the 80 % interval as a band (lower, then the
  // band's height stacked on it).
  var fbox = document.getElementById("gx-partner-forecast-chart");
  var f = read("gx-partner-forecast-data");
  if (fbox && f) {
    var fc = echarts.init(fbox, null, { renderer: "svg" });
    fc.setOption({
      color: ["#20c997", "#0d6efd", "#0d6efd"], tooltip: { trigger: "axis" },
      legend: { bottom: 0, data: [f.names.won, f.names.mean, f.names.band] },
      grid: { left: 16, right: 16, top: 24, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: f.months }, yAxis: { type: "value", axisLabel: { formatter: money } },
      series: [
        { name: f.names.won, type: "bar", data: f.won },
        { name: f.names.mean, type: "line", data: f.mean, lineStyle: { type: "dashed" } },
        { name: "lower", type: "line", data: f.lower, stack: "band", lineStyle: { opacity: 0 }, symbol: "none", tooltip: { show: false } },
        { name: f.names.band, type: "line", data: f.band, stack: "band", lineStyle: { opacity: 0 }, symbol: "none",
          areaStyle: { color: "rgba(13,110,253,0.18)" } }
      ]
    });
    window.addEventListener("resize", function () { fc.resize(); });
  }
})();
