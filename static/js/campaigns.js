// Campaign page charts: members by status (funnel) and ROI per channel (bars). Data from json_script blocks.
(function () {
  "use strict";
  if (!window.echarts) return;
  var palette = ["#0d6efd", "#20c997", "#6f42c1", "#fd7e14", "#dc3545", "#6c757d"];
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans");
  function num(v) { return v == null ? "–" : numbers.format(v); }
  document.querySelectorAll("[data-gx-campaign-chart]").forEach(function (el) {
    var source = document.getElementById(el.getAttribute("data-gx-source"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var option;
    if (el.getAttribute("data-gx-campaign-chart") === "funnel") {
      option = { color: palette, tooltip: { trigger: "item", valueFormatter: num },
                 series: [{ type: "funnel", sort: "none", left: 8, right: "42%", top: 8, bottom: 8, minSize: "10%",
                            // the labels sit beside the funnel, in the room kept on its right
                            label: { position: "right", formatter: function (p) { return p.name + " " + num(p.value); } },
                            data: data.steps }] };
    } else {
      option = { color: palette, tooltip: { trigger: "axis", valueFormatter: num }, legend: { bottom: 0 },
                 grid: { left: 56, right: 8, top: 8, bottom: 40 },
                 xAxis: { type: "category", data: data.categories },
                 yAxis: { type: "value", axisLabel: { formatter: function (v) { return num(v); } } },
                 series: data.series.map(function (s) { return { type: "bar", name: s.name, data: s.data }; }) };
    }
    chart.setOption(option);
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
