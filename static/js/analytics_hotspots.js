// Hotspot analysis: the top keywords (a click lists their cases) and each topic's trend with its spikes
// marked (a click on a point lists that topic's cases in that bucket).
(function () {
  const source = document.getElementById("gx-hotspot-data");
  if (!window.echarts || !source) return;
  const data = JSON.parse(source.textContent);
  if (!data) return;
  const casesUrl = (params) => "cases/?" + new URLSearchParams({ run: data.run, ...params }).toString();
  const bucketEnd = (start) => {
    const day = new Date(start + "T00:00:00Z");
    if (data.unit === "week") day.setUTCDate(day.getUTCDate() + 6);
    if (data.unit === "month") { day.setUTCMonth(day.getUTCMonth() + 1); day.setUTCDate(0); }
    return day.toISOString().slice(0, 10);
  };
  const keywords = document.getElementById("gx-hotspot-keywords");
  if (keywords) {
    const rows = data.keywords.slice().reverse();
    const chart = echarts.init(keywords, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 96, right: 24, top: 8, bottom: 24 },
      xAxis: { type: "value", name: data.labels.cases },
      yAxis: { type: "category", data: rows.map((k) => k.term), axisLabel: { width: 88, overflow: "truncate" } },
      series: [{ type: "bar", name: data.labels.cases, data: rows.map((k) => k.count), itemStyle: { color: "#206bc4" } }]
    });
    chart.on("click", (p) => { window.location.href = casesUrl({ keyword: p.name }); });
  }
  const topics = document.getElementById("gx-hotspot-topics");
  if (topics) {
    const chart = echarts.init(topics, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" }, legend: { type: "scroll", bottom: 0 },
      grid: { left: 48, right: 24, top: 24, bottom: 56 },
      xAxis: { type: "category", data: data.buckets },
      yAxis: { type: "value", name: data.labels.cases },
      series: data.topics.map((t) => ({
        type: "line", name: t.label, data: t.counts, symbolSize: 5, topicId: t.id,
        markPoint: {
          symbol: "pin", symbolSize: 40, itemStyle: { color: "#d63939" },
          label: { formatter: data.labels.spike, fontSize: 9 },
          data: data.spikes.filter((s) => s.topic === t.id)
            .map((s) => ({ coord: [s.bucket, t.counts[data.buckets.indexOf(s.bucket)]], value: s.z }))
        }
      }))
    });
    chart.on("click", (p) => {
      const topic = data.topics[p.seriesIndex];
      const bucket = p.componentType === "markPoint" ? p.data.coord[0] : p.name;
      if (!topic || !bucket) return;
      window.location.href = casesUrl({ topic: topic.id, start: bucket, end: bucketEnd(bucket) });
    });
  }
})();
