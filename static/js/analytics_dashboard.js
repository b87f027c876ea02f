// The executive dashboard: one ECharts chart per card from the json_script block (no inline
// scripts, for the Content-Security-Policy). Every bar and point carries the address of the records
// behind it; a click opens it.
(function () {
  "use strict";
  if (!window.echarts) return;
  var source = document.getElementById("gx-dashboard-data");
  if (!source) return;
  var charts = JSON.parse(source.textContent);
  var palette = ["#0d6efd", "#20c997", "#6f42c1", "#fd7e14", "#dc3545", "#6c757d", "#0dcaf0", "#ffc107"];
  var numbers = new Intl.NumberFormat(document.documentElement.lang || "zh-Hans");
  function num(v) { return v == null ? "–" : numbers.format(v); }
  document.querySelectorAll("[data-gx-dashboard]").forEach(function (el) {
    var data = charts[el.getAttribute("data-gx-dashboard")];
    if (!data) return;
    var percent = data.unit === "percent";
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      color: palette,
      tooltip: { trigger: "axis", valueFormatter: function (v) { return percent ? (v == null ? "–" : v + "%") : num(v); } },
      legend: { bottom: 0, type: "scroll" },
      grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.categories, axisLabel: { hideOverlap: true } },
      yAxis: { type: "value", axisLabel: { formatter: function (v) { return percent ? v + "%" : num(v); } } },
      series: data.series.map(function (s) {
        var serie = { type: data.type, name: s.name, data: s.data, connectNulls: true, cursor: "pointer" };
        if (s.stack) serie.stack = s.stack;
        if (data.type === "line") serie.symbolSize = 8;
        return serie;
      })
    });
    chart.on("click", function (params) {
      var serie = data.series[params.seriesIndex];
      var link = serie && serie.links && serie.links[params.dataIndex];
      if (link) window.location.assign(link);
    });
    // A click beside the bars (a short bar, a gap in a group) opens the first series' records of
    // that period.
    chart.getZr().on("click", function (event) {
      if (event.target || !chart.containPixel("grid", [event.offsetX, event.offsetY])) return;
      var index = chart.convertFromPixel({ seriesIndex: 0 }, [event.offsetX, event.offsetY])[0];
      var links = data.series[0] && data.series[0].links;
      if (links && links[index]) window.location.assign(links[index]);
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
}());
